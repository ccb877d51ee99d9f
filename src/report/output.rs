//! Running a scenario headless into a result folder, atomically: everything
//! (the CSV files, scenario.toml, report.md and its charts) is
//! written into a hidden partial folder beside the target, which is renamed
//! into place only when complete. An interrupted run removes its partial
//! folder; one killed outright leaves it hidden, and the next run beside it
//! removes it.

use super::csv::{StepsWriter, steps_header, write_summary};
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
}

impl OutputError {
    /// Whether the error is the input's fault (exit status 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            OutputError::Scenario(_) => true,
            OutputError::Report(e) => e.is_bad_input(),
            _ => false,
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

fn partial_prefix(out: &Path) -> String {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results".into());
    format!(".{name}.partial-")
}

/// Remove partial folders of processes that are gone (killed mid-run).
fn remove_stale_partials(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Run every run of `scenario` to its end and write the result files into `out`.
pub fn run_to_folder(scenario: &Scenario, out: &Path, options: &RunOptions<'_>) -> Result<RunOutcome, OutputError> {
    let started = Instant::now();
    let mut lab = scenario.build_lab()?;
    write_folder_atomically(out, |dir| {
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
/// (replacing what was there). On error the partial folder is removed and
/// `out` is left as it was.
pub fn write_folder_atomically<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, OutputError>,
) -> Result<T, OutputError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let prefix = partial_prefix(out);
    remove_stale_partials(&parent, &prefix);
    let partial = parent.join(format!("{prefix}{}", std::process::id()));
    if partial.exists() {
        fs::remove_dir_all(&partial).map_err(io(&partial))?;
    }
    fs::create_dir(&partial).map_err(io(&partial))?;
    let result = fill(&partial).and_then(|value| replace_dir(&partial, out).map(|()| value));
    if result.is_err() {
        let _ = fs::remove_dir_all(&partial);
    }
    result
}

fn write_all(scenario: &Scenario, lab: &mut Lab, dir: &Path, options: &RunOptions<'_>) -> Result<(), OutputError> {
    let param_columns = super::csv::param_columns(lab.objective());
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

/// Put the complete folder `from` at `to`, replacing what was there.
fn replace_dir(from: &Path, to: &Path) -> Result<(), OutputError> {
    if to.exists() {
        let old = to.with_file_name(format!(
            ".{}.old-{}",
            to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            std::process::id()
        ));
        fs::rename(to, &old).map_err(io(to))?;
        fs::rename(from, to).map_err(io(to))?;
        let _ = fs::remove_dir_all(&old);
    } else {
        fs::rename(from, to).map_err(io(to))?;
    }
    Ok(())
}
