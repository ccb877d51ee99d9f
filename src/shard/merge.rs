//! `optlab merge`: shard folders in, the single-machine result folder out.
//!
//! The rows of each run are the bytes the shard wrote, which are the bytes
//! `optlab run` writes for that run; put in run order under the same headers,
//! they make the same steps.csv and summary.csv (every column but `wall_ms`),
//! and the report is made from them as `optlab run` makes it.

use super::assign::assign;
use super::folder::{FORMAT, steps_file, summary_file, summary_identity};
use super::{Shard, ShardError, io};
use crate::engine::RunKey;
use crate::report::csv::{STEPS_COLUMNS, SUMMARY_COLUMNS, steps_header};
use crate::report::{OutputError, write_folder_atomically_until, write_report};
use crate::scenario::{Origin, Scenario};
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// What a merge did.
#[derive(Debug)]
pub struct MergeOutcome {
    pub out: PathBuf,
    pub scenario: Scenario,
    /// Shard folders read.
    pub folders: usize,
    pub runs: usize,
    /// Runs found in more than one folder, identical, kept once.
    pub duplicates: usize,
}

/// A shard folder as read from its shard.toml.
struct Folder {
    dir: PathBuf,
    shard: Shard,
    param_columns: usize,
    run_ids: Vec<RunKey>,
    scenario_text: String,
}

fn invalid(path: &Path, message: impl std::fmt::Display) -> ShardError {
    ShardError::Invalid(format!("{}: {message}", path.display()))
}

/// The shard folders named: a shard folder itself, or a folder holding shard folders.
fn expand(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, ShardError> {
    let mut out = Vec::new();
    for dir in dirs {
        if dir.join("shard.toml").is_file() {
            out.push(dir.clone());
            continue;
        }
        if !dir.is_dir() {
            return Err(invalid(dir, "no such folder"));
        }
        let mut inner: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(io(dir))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("shard.toml").is_file())
            .collect();
        if inner.is_empty() {
            return Err(invalid(dir, "not a shard folder (no shard.toml) and holds none"));
        }
        inner.sort();
        out.extend(inner);
    }
    Ok(out)
}

fn read_folder(dir: &Path) -> Result<Folder, ShardError> {
    let path = dir.join("shard.toml");
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    let t: toml::Table = text.parse().map_err(|e| invalid(&path, e))?;
    let int = |name: &str| -> Result<usize, ShardError> {
        t.get(name)
            .and_then(toml::Value::as_integer)
            .and_then(|v| usize::try_from(v).ok())
            .ok_or_else(|| invalid(&path, format!("`{name}` missing or not a whole number")))
    };
    let format = int("format")?;
    if format as i64 > FORMAT {
        return Err(invalid(&path, format!("shard format {format} is newer than this optlab reads ({FORMAT})")));
    }
    let (index, count) = (int("shard")?, int("shards")?);
    if index == 0 || index > count {
        return Err(invalid(&path, format!("shard {index} of {count} is not a shard")));
    }
    let run_ids = t
        .get("run_ids")
        .and_then(toml::Value::as_array)
        .ok_or_else(|| invalid(&path, "`run_ids` missing"))?
        .iter()
        .map(|v| v.as_str().and_then(RunKey::parse).ok_or_else(|| invalid(&path, format!("bad run_id {v}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let scenario_path = dir.join("scenario.toml");
    let scenario_text = fs::read_to_string(&scenario_path).map_err(io(&scenario_path))?;
    Ok(Folder {
        dir: dir.to_path_buf(),
        shard: Shard { index, count },
        param_columns: int("param_columns")?,
        run_ids,
        scenario_text,
    })
}

/// The first line where two texts differ, for an error message.
fn first_difference(a: &str, b: &str) -> String {
    let (mut la, mut lb) = (a.lines(), b.lines());
    for n in 1.. {
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => return format!("line {n}: `{}` vs `{}`", x.unwrap_or("(end)"), y.unwrap_or("(end)")),
        }
    }
    unreachable!("the loop returns")
}

/// A run found in a folder.
struct Found {
    folder: usize,
    steps: PathBuf,
    summary: Vec<u8>,
}

/// CSV records of `bytes` with the field at `skip` left out.
fn records_without(bytes: &[u8], skip: usize) -> Result<Vec<Vec<String>>, ::csv::Error> {
    let mut reader = ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    reader
        .records()
        .map(|r| r.map(|r| r.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, f)| f.to_string()).collect()))
        .collect()
}

fn column(columns: &[&str], name: &str) -> usize {
    // The contract's column lists hold wall_ms.
    columns.iter().position(|c| *c == name).unwrap_or(usize::MAX)
}

/// Where two copies of a run differ (other than in wall_ms), if they do.
fn difference(a: &Found, b: &Found) -> Result<Option<String>, ShardError> {
    let csv_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| ShardError::Csv { path: path.clone(), source }
    };
    let wall = column(&SUMMARY_COLUMNS, "wall_ms");
    let (sa, sb) = (records_without(&a.summary, wall), records_without(&b.summary, wall));
    if sa.ok() != sb.ok() {
        return Ok(Some("their summary rows differ".into()));
    }
    let wall = column(&STEPS_COLUMNS, "wall_ms");
    let ra = records_without(&fs::read(&a.steps).map_err(io(&a.steps))?, wall).map_err(csv_err(&a.steps))?;
    let rb = records_without(&fs::read(&b.steps).map_err(io(&b.steps))?, wall).map_err(csv_err(&b.steps))?;
    if let Some(i) = (0..ra.len().max(rb.len())).find(|&i| ra.get(i) != rb.get(i)) {
        let step = |r: &[Vec<String>]| r.get(i).and_then(|row| row.get(3).cloned()).unwrap_or_else(|| "(none)".into());
        return Ok(Some(format!(
            "their steps.csv rows differ from row {} on (step {} vs {})",
            i + 1,
            step(&ra),
            step(&rb)
        )));
    }
    Ok(None)
}

/// Merge the shard folders `dirs` into the result folder `out`.
pub fn merge(dirs: &[PathBuf], out: &Path, cancel: &AtomicBool) -> Result<MergeOutcome, ShardError> {
    let dirs = expand(dirs)?;
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    if let Some(d) = dirs.iter().find(|d| absolute(d).starts_with(absolute(out))) {
        return Err(ShardError::Usage(format!(
            "merge: --out {} would replace the shard folder {}; write the result elsewhere",
            out.display(),
            d.display()
        )));
    }
    let folders = dirs.iter().map(|d| read_folder(d)).collect::<Result<Vec<_>, _>>()?;
    let Some(first) = folders.first() else {
        return Err(ShardError::Usage("merge: no shard folders given".into()));
    };
    for f in &folders[1..] {
        if f.scenario_text != first.scenario_text {
            return Err(ShardError::Invalid(format!(
                "{} and {} are shards of different scenarios (scenario.toml {}); merge the shards of one scenario",
                first.dir.display(),
                f.dir.display(),
                first_difference(&first.scenario_text, &f.scenario_text)
            )));
        }
        if f.shard.count != first.shard.count {
            return Err(ShardError::Invalid(format!(
                "{} is a shard of {} and {} a shard of {}: merge the shards of one split",
                first.dir.display(),
                first.shard.count,
                f.dir.display(),
                f.shard.count
            )));
        }
        if f.run_ids != first.run_ids || f.param_columns != first.param_columns {
            return Err(ShardError::Invalid(format!(
                "{} and {} have the same scenario.toml but different runs (run_id): its data files differ \
                 between the machines that ran them",
                first.dir.display(),
                f.dir.display()
            )));
        }
    }
    let scenario = Scenario::parse(&first.scenario_text, Origin::File(first.dir.join("scenario.toml")))?;
    let expected: Vec<(String, u64)> = scenario
        .run_labels()
        .into_iter()
        .flat_map(|label| (0..scenario.seeds).map(move |i| (label.clone(), scenario.seed.wrapping_add(i))))
        .collect();
    if expected.len() != first.run_ids.len() {
        return Err(invalid(
            &first.dir.join("shard.toml"),
            format!("lists {} runs where its scenario.toml has {}", first.run_ids.len(), expected.len()),
        ));
    }
    let index: HashMap<RunKey, usize> = first.run_ids.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let owner = assign(&first.run_ids, first.shard.count);

    let mut found: Vec<Option<Found>> = (0..expected.len()).map(|_| None).collect();
    let mut duplicates = 0;
    for (fi, folder) in folders.iter().enumerate() {
        let runs_dir = folder.dir.join("runs");
        let mut names: Vec<String> = match fs::read_dir(&runs_dir) {
            Ok(entries) => {
                entries.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(&runs_dir)(e)),
        };
        names.sort();
        for name in names {
            let Some(key) = name.strip_suffix(".summary.csv").and_then(RunKey::parse) else { continue };
            let summary_path = runs_dir.join(summary_file(key));
            let steps = runs_dir.join(steps_file(key));
            let Some(&i) = index.get(&key) else {
                return Err(invalid(&summary_path, "not a run of the scenario"));
            };
            if !steps.is_file() {
                return Err(invalid(&steps, "missing beside its summary row"));
            }
            let summary = fs::read(&summary_path).map_err(io(&summary_path))?;
            let (label, seed) = &expected[i];
            if summary_identity(&summary) != Some((label.clone(), *seed, key)) {
                return Err(invalid(&summary_path, format!("is not the row of run `{label}` with seed {seed}")));
            }
            let here = Found { folder: fi, steps, summary };
            match &found[i] {
                None => found[i] = Some(here),
                Some(there) => {
                    if let Some(why) = difference(there, &here)? {
                        return Err(ShardError::Invalid(format!(
                            "run `{label}` with seed {seed} (run_id {key}) is in {} and in {}, and {why}: \
                             the shards were not run from the same scenario and program",
                            folders[there.folder].dir.display(),
                            folder.dir.display()
                        )));
                    }
                    duplicates += 1;
                    // Keep the copy of the shard that owns the run.
                    if folder.shard.index - 1 == owner[i] && folders[there.folder].shard.index - 1 != owner[i] {
                        found[i] = Some(here);
                    }
                }
            }
        }
    }

    let missing: Vec<usize> = (0..expected.len()).filter(|&i| found[i].is_none()).collect();
    if !missing.is_empty() {
        let count = first.shard.count;
        let folder_of = |shard: usize| {
            folders
                .iter()
                .find(|f| f.shard.index == shard)
                .map(|f| format!("its folder {} lacks it", f.dir.display()))
                .unwrap_or_else(|| "not among the folders given".into())
        };
        let mut lines: Vec<String> = missing
            .iter()
            .take(20)
            .map(|&i| {
                let shard = owner[i] + 1;
                format!(
                    "  `{}` seed {} (run_id {}): shard {shard}/{count}, {}",
                    expected[i].0,
                    expected[i].1,
                    first.run_ids[i],
                    folder_of(shard)
                )
            })
            .collect();
        if missing.len() > 20 {
            lines.push(format!("  ... and {} more", missing.len() - 20));
        }
        let mut shards: Vec<usize> = missing.iter().map(|&i| owner[i] + 1).collect();
        shards.sort_unstable();
        shards.dedup();
        let list = shards.iter().map(|s| format!("{s}/{count}")).collect::<Vec<_>>().join(", ");
        return Err(ShardError::Invalid(format!(
            "{} of {} runs are missing; run (or resume) shard {list} and merge again:\n{}",
            missing.len(),
            expected.len(),
            lines.join("\n")
        )));
    }

    let params = first.param_columns;
    let text = first.scenario_text.clone();
    crate::report::folder::check_replaceable(out)?;
    write_folder_atomically_until(out, Some(cancel), |dir| {
        let io_out = |p: &Path| {
            let path = p.display().to_string();
            move |source| OutputError::Io { path: path.clone(), source }
        };
        let csv_out = |p: &Path| {
            let path = p.display().to_string();
            move |source| OutputError::Csv { path: path.clone(), source }
        };
        let steps_path = dir.join("steps.csv");
        let mut steps =
            std::io::BufWriter::with_capacity(1 << 20, fs::File::create(&steps_path).map_err(io_out(&steps_path))?);
        {
            let mut header = ::csv::Writer::from_writer(&mut steps);
            header.write_record(steps_header(params)).map_err(csv_out(&steps_path))?;
            header.flush().map_err(io_out(&steps_path))?;
        }
        let summary_path = dir.join("summary.csv");
        let mut summary = ::csv::Writer::from_writer(Vec::new());
        summary.write_record(SUMMARY_COLUMNS).map_err(csv_out(&summary_path))?;
        let mut summary = summary.into_inner().map_err(|e| io_out(&summary_path)(e.into_error()))?;
        for f in found.iter().flatten() {
            let mut part = fs::File::open(&f.steps).map_err(io_out(&f.steps))?;
            std::io::copy(&mut part, &mut steps).map_err(io_out(&steps_path))?;
            summary.extend_from_slice(&f.summary);
        }
        use std::io::Write as _;
        steps.flush().map_err(io_out(&steps_path))?;
        fs::write(&summary_path, &summary).map_err(io_out(&summary_path))?;
        let scenario_path = dir.join("scenario.toml");
        fs::write(&scenario_path, &text).map_err(io_out(&scenario_path))?;
        write_report(dir)?;
        Ok(())
    })?;
    Ok(MergeOutcome { out: out.to_path_buf(), scenario, folders: folders.len(), runs: expected.len(), duplicates })
}
