//! Results out: steps.csv, summary.csv, the resolved scenario.toml, written
//! atomically into a result folder.

pub mod csv;
mod output;

pub use output::{OutputError, RunOptions, RunOutcome, run_to_folder, slug, write_folder_atomically};
