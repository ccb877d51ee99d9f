//! Running a scenario headless into a result folder, atomically: everything
//! (the CSV files, scenario.toml, report.md and its charts) is
//! written into a hidden partial folder beside the target, which is renamed
//! into place only when complete. An interrupted run removes its partial
//! folder; one killed outright leaves it hidden, and the next run beside it
//! removes it.

use super::csv::{StepsWriter, steps_header, write_summary};
use super::folder::{self, FolderError};
use crate::engine::{Lab, Record, Run, RunSink};
use crate::scenario::{Scenario, ScenarioError};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Csv { path: String, source: ::csv::Error },
    #[error("could not start {threads} threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("interrupted; no results written to {0}")]
    Interrupted(String),
    #[error("{0}")]
    Report(#[from] super::results::ReportError),
    #[error("{0}")]
    Folder(#[from] FolderError),
}

impl OutputError {
    /// Whether the error is the input's fault (exit status 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            OutputError::Scenario(_) => true,
            OutputError::Report(e) => e.is_bad_input(),
            OutputError::Folder(FolderError::Refused { .. } | FolderError::NotUnderAFolder { .. }) => true,
            _ => false,
        }
    }

    /// The error with the hidden partial folder's path replaced by the user's.
    pub fn naming(self, partial: &Path, out: &Path) -> OutputError {
        let fix = |p: String| folder::user_path(&p, partial, out);
        match self {
            OutputError::Io { path, source } => OutputError::Io { path: fix(path), source },
            OutputError::Csv { path, source } => OutputError::Csv { path: fix(path), source },
            OutputError::Report(e) => OutputError::Report(e.naming(&fix)),
            other => other,
        }
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.display().to_string(), source }
}

/// How to run.
pub struct RunOptions<'a> {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Called with the number of updates done since the last call.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Set (by a signal handler) to stop early and write nothing.
    pub cancel: &'a AtomicBool,
}

/// What a finished run left behind.
pub struct RunOutcome {
    pub out: PathBuf,
    pub lab: Lab,
    pub elapsed_ms: f64,
}

/// A file-name-friendly form of a scenario name.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-').to_string();
    if s.is_empty() { "scenario".into() } else { s }
}

/// Run every run of `scenario` to its end and write the result files into `out`.
pub fn run_to_folder(scenario: &Scenario, out: &Path, options: &RunOptions<'_>) -> Result<RunOutcome, OutputError> {
    let started = Instant::now();
    let mut lab = scenario.build_lab()?;
    write_folder_atomically_until(out, Some(options.cancel), |dir| {
        write_all(scenario, &mut lab, dir, options)?;
        if options.cancel.load(Ordering::Relaxed) {
            return Err(OutputError::Interrupted(out.display().to_string()));
        }
        // The report is made from the files just written, as `optlab report` would.
        super::build::write_report(dir)?;
        Ok(())
    })?;
    Ok(RunOutcome { out: out.to_path_buf(), lab, elapsed_ms: started.elapsed().as_secs_f64() * 1e3 })
}

/// Fill a hidden partial folder beside `out` with `fill`, then put it at `out`
/// (replacing what was there, which must be a folder optlab wrote: see
/// [`super::folder`]). On error the partial folder is removed and `out` is
/// left as it was; errors name `out`, not the hidden folder.
pub fn write_folder_atomically<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, OutputError>,
) -> Result<T, OutputError> {
    write_folder_atomically_until(out, None, fill)
}

/// [`write_folder_atomically`] that does not put the folder in place once
/// `cancel` is set (by a signal handler).
pub fn write_folder_atomically_until<T>(
    out: &Path,
    cancel: Option<&AtomicBool>,
    fill: impl FnOnce(&Path) -> Result<T, OutputError>,
) -> Result<T, OutputError> {
    let partial = folder::partial_path(out);
    match folder::write_atomically(out, cancel, fill) {
        Ok(result) => result.map_err(|e| e.naming(&partial, out)),
        Err(FolderError::Interrupted { path }) => Err(OutputError::Interrupted(path)),
        Err(e) => Err(OutputError::Folder(e)),
    }
}

fn write_all(scenario: &Scenario, lab: &mut Lab, dir: &Path, options: &RunOptions<'_>) -> Result<(), OutputError> {
    let param_columns = super::csv::param_columns(scenario, lab.objective());
    let part_path = |i: usize| dir.join(format!("run-{i:06}.part"));
    let cancel = options.cancel;
    let progress = options.progress;
    let go = |lab: &mut Lab| {
        lab.run_to_end(
            |id, _run| {
                let path = part_path(id.0);
                let file = File::create(&path).map_err(io(&path))?;
                let writer = StepsWriter::new(BufWriter::with_capacity(1 << 16, file), param_columns > 0);
                Ok(PartSink { path, writer: Some(writer), last_step: 0, unreported: 0, progress })
            },
            || cancel.load(Ordering::Relaxed),
        )
    };
    match options.threads {
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| OutputError::Threads { threads: n, message: e.to_string() })?;
            pool.install(|| go(lab))?;
        }
        None => go(lab)?,
    }
    if cancel.load(Ordering::Relaxed) {
        return Ok(());
    }

    // steps.csv: the runs' parts in run order.
    let steps_path = dir.join("steps.csv");
    let mut steps = BufWriter::with_capacity(1 << 20, File::create(&steps_path).map_err(io(&steps_path))?);
    {
        let mut header = ::csv::Writer::from_writer(&mut steps);
        header
            .write_record(steps_header(param_columns))
            .map_err(|source| OutputError::Csv { path: steps_path.display().to_string(), source })?;
        header.flush().map_err(io(&steps_path))?;
    }
    for i in 0..lab.runs().len() {
        let path = part_path(i);
        let mut part = File::open(&path).map_err(io(&path))?;
        std::io::copy(&mut part, &mut steps).map_err(io(&steps_path))?;
        fs::remove_file(&path).map_err(io(&path))?;
    }
    steps.flush().map_err(io(&steps_path))?;

    let summary_path = dir.join("summary.csv");
    let summary = BufWriter::new(File::create(&summary_path).map_err(io(&summary_path))?);
    write_summary(summary, lab.runs())
        .map_err(|source| OutputError::Csv { path: summary_path.display().to_string(), source })?;

    let scenario_path = dir.join("scenario.toml");
    fs::write(&scenario_path, scenario.to_toml()).map_err(io(&scenario_path))?;
    Ok(())
}

/// Writes one run's rows into its part file and reports progress.
struct PartSink<'a> {
    path: PathBuf,
    writer: Option<StepsWriter<BufWriter<File>>>,
    last_step: u64,
    unreported: u64,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl RunSink for PartSink<'_> {
    type Error = OutputError;

    fn record(&mut self, run: &Run, record: &Record) -> Result<(), OutputError> {
        if let Some(w) = &mut self.writer {
            w.write(run, record)
                .map_err(|source| OutputError::Csv { path: self.path.display().to_string(), source })?;
        }
        if record.step > self.last_step {
            self.unreported += record.step - self.last_step;
            self.last_step = record.step;
            // Progress is shared between threads: report in batches, not per step.
            if self.unreported >= 4096 {
                (self.progress)(self.unreported);
                self.unreported = 0;
            }
        }
        Ok(())
    }

    fn finish(&mut self, run: &Run) -> Result<(), OutputError> {
        // Count the steps a stopped run will never do, so the bar ends full.
        let rest = self.unreported + run.spec().steps.saturating_sub(self.last_step);
        if rest > 0 {
            (self.progress)(rest);
        }
        if let Some(w) = self.writer.take() {
            let mut inner = w.into_inner().map_err(io(&self.path))?;
            inner.flush().map_err(io(&self.path))?;
        }
        Ok(())
    }
}
