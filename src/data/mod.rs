//! Datasets for the models: synthetic generators, real datasets shipped in
//! the binary, CSV files; the train/validation split and standardisation.
//!
//! Everything random here comes from the scenario's master seed through
//! ChaCha8 streams ([`streams`]), so a dataset and its split are the same on
//! every machine and for every run of a scenario.

mod bundled;
mod catalog;
mod config;
mod csv_file;
mod dataset;
mod error;
mod split;
mod synthetic;

pub use bundled::RealDataset;
pub use catalog::{Builtin, DatasetInfo, DatasetKind, builtin_datasets};
pub use config::{DEFAULT_VAL_FRACTION, DatasetConfig, DatasetSource, PreparedData};
pub use csv_file::{TargetKind, load_csv, read_csv_header};
pub use dataset::{Dataset, Target};
pub use error::{CsvLocation, DataError};
pub use split::{Split, Standardizer, train_validation_split};
pub use synthetic::{SyntheticKind, SyntheticParams};

/// ChaCha8 stream numbers, so that draws for different purposes made from
/// the same seed are independent. The engine draws minibatch order and gradient
/// noise from the run's seed on streams 10 and 11.
pub mod streams {
    /// Synthetic data, from the master seed.
    pub const DATA: u64 = 1;
    /// The train/validation split, from the master seed.
    pub const SPLIT: u64 = 2;
    /// Initial model parameters, from the run's seed.
    pub const INIT: u64 = 3;
}
