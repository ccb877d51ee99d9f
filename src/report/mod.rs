//! Results out: steps.csv, summary.csv, the resolved scenario.toml, written
//! atomically into a result folder, and the report made from them: report.md
//! with its SVG charts, rebuilt from the files by `optlab report`.

pub mod animate;
mod build;
pub mod charts;
mod contour;
pub mod csv;
pub mod figures;
#[cfg(test)]
mod fixtures;
pub mod folder;
pub mod format;
pub mod lr_find;
pub mod markdown;
mod output;
pub mod profile;
pub mod ranking;
pub mod results;
pub mod sensitivity;
pub mod stats;
pub mod tensorboard;
pub mod tune;

pub use build::{
    REPORT_FILES, rebuild_in_place, rewrite_report, rewrite_report_until, test_function, write_report,
    write_report_from,
};
pub use output::{
    OutputError, RunOptions, RunOutcome, run_to_folder, slug, write_folder_atomically, write_folder_atomically_until,
};
pub use results::{History, ReportError, ResultSet, RunResult};
