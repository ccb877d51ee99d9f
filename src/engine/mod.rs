//! The engine: runs (an optimizer, its parameters and its history on an
//! objective), stop rules, replayed events and a lab of runs. It knows nothing
//! about terminals or files.

mod batches;
mod events;
mod history;
mod lab;
pub mod lr_find;
mod run;
mod stop;

pub use batches::Minibatches;
pub use events::{Change, Event};
pub use history::{Agg, BUCKETS, GROUP, History, HistoryOptions, Mark, Metric, Path};
pub use lab::{Lab, RunSink};
pub use run::{Record, Run, RunId, RunKey, RunSpec, Status, Summary};
pub use stop::StopRule;
