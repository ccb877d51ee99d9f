//! Running one shard into its folder, each run written atomically as it
//! finishes, so that a task killed at any moment loses only the runs it was
//! in the middle of and `--resume` picks up the rest.

use super::assign::assign;
use super::{Shard, ShardError, io};
use crate::engine::{Lab, Record, Run, RunKey, RunSink};
use crate::report::csv::{StepsWriter, param_columns, summary_row};
use crate::report::folder::{self, FolderLock};
use crate::scenario::Scenario;
use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The version of the shard folder's layout (`format` in shard.toml).
pub(super) const FORMAT: i64 = 1;

/// How to run a shard.
pub struct ShardRun<'a> {
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Called with the number of updates done since the last call.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Set (by a signal handler) to stop; the finished runs stay.
    pub cancel: &'a AtomicBool,
    /// Keep the runs already complete in the folder instead of starting afresh.
    pub resume: bool,
}

/// What a shard run did.
#[derive(Debug)]
pub struct ShardOutcome {
    pub dir: PathBuf,
    pub shard: Shard,
    /// Runs of the whole scenario.
    pub total: usize,
    /// Runs of this shard.
    pub owned: usize,
    /// Of those, already complete in the folder (`--resume`).
    pub resumed: usize,
    pub elapsed_ms: f64,
}

/// Which runs of `scenario` (indices in run order) shard `shard` owns, and every run's key.
pub fn owned_runs(scenario: &Scenario, shard: Shard) -> (Vec<RunKey>, Vec<usize>) {
    let keys = scenario.run_keys();
    let owner = assign(&keys, shard.count);
    let owned = (0..keys.len()).filter(|&i| owner[i] == shard.index - 1).collect();
    (keys, owned)
}

pub(super) fn steps_file(key: RunKey) -> String {
    format!("{key}.steps.csv")
}

pub(super) fn summary_file(key: RunKey) -> String {
    format!("{key}.summary.csv")
}

/// The run files of a shard folder's `runs/` (`<run_id>.steps.csv`, `<run_id>.summary.csv`).
fn run_file_key(name: &str) -> Option<RunKey> {
    let id = name.strip_suffix(".steps.csv").or_else(|| name.strip_suffix(".summary.csv"))?;
    RunKey::parse(id)
}

/// Write `text` to `path` through a temporary file and a rename.
fn write_atomically(path: &Path, text: &[u8]) -> Result<(), ShardError> {
    let tmp = tmp_path(path);
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(text).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))
}

fn tmp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Run shard `shard` of `scenario` into `parent/shard-I-of-N`.
pub fn run_shard(
    scenario: &Scenario,
    shard: Shard,
    parent: &Path,
    options: &ShardRun<'_>,
) -> Result<ShardOutcome, ShardError> {
    let started = Instant::now();
    let (keys, owned) = owned_runs(scenario, shard);
    // Build the objective before touching any folder: a bad dataset is an error with nothing written.
    let objective = scenario.build_objective()?;
    let specs_all = scenario.run_specs(objective.dim())?;

    let dir = parent.join(shard.folder_name());
    // A shard folder is written in place, run by run, under the rules of every
    // optlab folder: only into a folder optlab made, one writer at a time.
    folder::check_replaceable(&dir)?;
    fs::create_dir_all(parent).map_err(io(parent))?;
    let _lock = FolderLock::acquire(&dir)?;
    folder::clean_leftovers(parent, Some(&dir));
    let runs_dir = dir.join("runs");
    fs::create_dir_all(&runs_dir).map_err(io(&runs_dir))?;
    folder::write_marker(&dir)?;

    // What is in the folder: with --resume, the complete runs this shard still owns are kept;
    // everything else of ours goes (left by a killed writer, an earlier split or scenario).
    let mine: HashSet<RunKey> = owned.iter().map(|&i| keys[i]).collect();
    let mut present: HashSet<(RunKey, bool)> = HashSet::new();
    for entry in fs::read_dir(&runs_dir).map_err(io(&runs_dir))? {
        let entry = entry.map_err(io(&runs_dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name.starts_with('.') && name.contains(".tmp-") {
            // Temporary files of a writer that is gone: we hold the lock.
            fs::remove_file(&path).map_err(io(&path))?;
            continue;
        }
        let Some(key) = run_file_key(&name) else { continue };
        if options.resume && mine.contains(&key) {
            present.insert((key, name.ends_with(".summary.csv")));
        } else {
            fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    let complete = |i: usize| -> bool {
        let key = keys[i];
        present.contains(&(key, true)) && present.contains(&(key, false)) && {
            // The summary row names the run: a file of another run under this name is not complete.
            let path = runs_dir.join(summary_file(key));
            let spec = &specs_all[i];
            fs::read(&path)
                .ok()
                .and_then(|bytes| summary_identity(&bytes))
                .is_some_and(|(label, seed, id)| label == spec.label && seed == spec.seed && id == key)
        }
    };
    let done: HashSet<usize> = owned.iter().copied().filter(|&i| complete(i)).collect();

    let params = param_columns(scenario, objective.as_ref());
    write_atomically(&dir.join("shard.toml"), shard_toml(scenario, shard, params, &keys, owned.len()).as_bytes())?;
    write_atomically(&dir.join("scenario.toml"), scenario.to_toml().as_bytes())?;

    (options.progress)(done.len() as u64 * scenario.steps);
    let pending: Vec<_> = owned.iter().filter(|i| !done.contains(i)).map(|&i| specs_all[i].clone()).collect();
    let mut lab = Lab::new(objective, pending, scenario.stop.clone());
    let cancel = options.cancel;
    let go = |lab: &mut Lab| {
        lab.run_to_end(
            |_, run| {
                let key = run.spec().key;
                let final_path = runs_dir.join(steps_file(key));
                let tmp = tmp_path(&final_path);
                let file = File::create(&tmp).map_err(io(&tmp))?;
                let writer = StepsWriter::new(BufWriter::with_capacity(1 << 16, file), params > 0);
                Ok(RunFiles {
                    runs_dir: &runs_dir,
                    tmp,
                    writer: Some(writer),
                    last_step: 0,
                    unreported: 0,
                    progress: options.progress,
                })
            },
            || cancel.load(Ordering::Relaxed),
        )
    };
    match options.threads {
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| ShardError::Threads { threads: n, message: e.to_string() })?;
            pool.install(|| go(&mut lab))?;
        }
        None => go(&mut lab)?,
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(ShardError::Interrupted(dir.display().to_string()));
    }
    Ok(ShardOutcome {
        dir,
        shard,
        total: keys.len(),
        owned: owned.len(),
        resumed: done.len(),
        elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
    })
}

/// The run label, seed and run_id of a summary row (the first, third and last fields).
pub(super) fn summary_identity(bytes: &[u8]) -> Option<(String, u64, RunKey)> {
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    let record = reader.records().next()?.ok()?;
    let label = record.get(0)?.to_string();
    let seed = record.get(2)?.parse().ok()?;
    let key = RunKey::parse(record.get(record.len().checked_sub(1)?)?)?;
    Some((label, seed, key))
}

fn shard_toml(scenario: &Scenario, shard: Shard, params: usize, keys: &[RunKey], owned: usize) -> String {
    use toml::Value;
    let mut t = toml::Table::new();
    t.insert("format".into(), Value::Integer(FORMAT));
    t.insert("scenario".into(), Value::String(scenario.name.clone()));
    t.insert("shard".into(), Value::Integer(shard.index as i64));
    t.insert("shards".into(), Value::Integer(shard.count as i64));
    t.insert("runs".into(), Value::Integer(owned as i64));
    t.insert("param_columns".into(), Value::Integer(params as i64));
    t.insert("optlab".into(), Value::String(env!("CARGO_PKG_VERSION").into()));
    t.insert("run_ids".into(), Value::Array(keys.iter().map(|k| Value::String(k.to_string())).collect()));
    let body = toml::to_string(&t).unwrap_or_else(|e| unreachable!("plain values serialise: {e}"));
    format!(
        "# An optlab shard folder: `optlab merge` joins shard folders into the result of the whole scenario.\n{body}"
    )
}

/// Writes one run's rows into a temporary file, renamed into place with its
/// summary row when the run has finished.
struct RunFiles<'a> {
    runs_dir: &'a Path,
    tmp: PathBuf,
    writer: Option<StepsWriter<BufWriter<File>>>,
    last_step: u64,
    unreported: u64,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl RunSink for RunFiles<'_> {
    type Error = ShardError;

    fn record(&mut self, run: &Run, record: &Record) -> Result<(), ShardError> {
        if let Some(w) = &mut self.writer {
            w.write(run, record).map_err(|source| ShardError::Csv { path: self.tmp.display().to_string(), source })?;
        }
        if record.step > self.last_step {
            self.unreported += record.step - self.last_step;
            self.last_step = record.step;
            if self.unreported >= 4096 {
                (self.progress)(self.unreported);
                self.unreported = 0;
            }
        }
        Ok(())
    }

    fn finish(&mut self, run: &Run) -> Result<(), ShardError> {
        let Some(w) = self.writer.take() else { return Ok(()) };
        let mut file =
            w.into_inner().map_err(io(&self.tmp))?.into_inner().map_err(|e| io(&self.tmp)(e.into_error()))?;
        if !run.is_finished() {
            // Interrupted: an unfinished run leaves nothing behind.
            drop(file);
            return fs::remove_file(&self.tmp).map_err(io(&self.tmp));
        }
        file.flush().map_err(io(&self.tmp))?;
        file.sync_all().map_err(io(&self.tmp))?;
        let key = run.spec().key;
        let steps = self.runs_dir.join(steps_file(key));
        fs::rename(&self.tmp, &steps).map_err(io(&steps))?;
        // The summary row goes last: its presence says the run is complete.
        let mut row = ::csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        let summary = self.runs_dir.join(summary_file(key));
        row.write_record(summary_row(run, &run.summary(), key))
            .map_err(|source| ShardError::Csv { path: summary.display().to_string(), source })?;
        let bytes = row.into_inner().map_err(|e| io(&summary)(e.into_error()))?;
        write_atomically(&summary, &bytes)?;
        let rest = self.unreported + run.spec().steps.saturating_sub(self.last_step);
        if rest > 0 {
            (self.progress)(rest);
        }
        Ok(())
    }
}
