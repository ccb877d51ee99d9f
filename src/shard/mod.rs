//! Sweeps beyond one machine: a scenario's runs split into shards by their
//! `run_id`, each shard run anywhere (a SLURM job array task, a Kubernetes
//! Indexed Job pod, a GNU parallel job) into a shard folder, and the shard
//! folders merged into exactly the result folder one machine would write.
//!
//! A shard folder:
//!
//! ```text
//! shard-2-of-7/
//!   .optlab-results             the marker of a folder optlab wrote
//!   shard.toml                  which shard, of how many, the run_id of every run of the scenario
//!   scenario.toml               the resolved scenario
//!   runs/<run_id>.steps.csv     a finished run's rows of steps.csv, as `optlab run` writes them
//!   runs/<run_id>.summary.csv   its row of summary.csv: written last, so its presence means complete
//! ```

pub mod assign;
pub mod emit;
mod folder;
mod merge;
mod spec;

pub use folder::{ShardOutcome, ShardRun, owned_runs, run_shard};
pub use merge::{MergeOutcome, merge};
pub use spec::Shard;

use crate::report::folder::FolderError;
use crate::report::{OutputError, ReportError};
use crate::scenario::ScenarioError;

/// Why a shard could not be run or merged.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// A bad `--shard`, `--shards` or environment: the user's to fix.
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    /// A folder that is not what it should be (not a shard folder, a malformed file, runs missing or in conflict).
    #[error("{0}")]
    Invalid(String),
    /// Refused, busy (another writer) or interrupted: the rules of every optlab folder.
    #[error("{0}")]
    Folder(#[from] FolderError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: String, source: ::csv::Error },
    #[error("could not start {threads} threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("interrupted; the runs finished so far are kept in {0}: resume with --resume")]
    Interrupted(String),
    #[error("{0}")]
    Output(#[from] OutputError),
    #[error("{0}")]
    Report(#[from] ReportError),
}

impl ShardError {
    /// Whether the error is the input's fault (exit status 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            ShardError::Usage(_) | ShardError::Scenario(_) | ShardError::Invalid(_) => true,
            ShardError::Output(e) => e.is_bad_input(),
            ShardError::Folder(FolderError::Refused { .. }) => true,
            ShardError::Report(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

pub(crate) fn io(path: &std::path::Path) -> impl Fn(std::io::Error) -> ShardError + '_ {
    move |source| ShardError::Io { path: path.display().to_string(), source }
}
