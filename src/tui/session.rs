//! The session as files: the scenario that replays it (`w`) and the results so
//! far (`e`). Replaying the saved scenario with `optlab run` gives the same
//! rows as the export, to the last digit, because it starts every run with
//! the hyperparameters it had at the lab's last (re)start and replays every
//! change made since as an `[[event]]` at the step it was made.

use crate::engine::{Event, Lab, Run, RunId};
use crate::report::csv::{StepsWriter, write_summary_keyed};
use crate::report::{OutputError, slug, write_folder_atomically};
use crate::scenario::{OptimizerEntry, Scenario};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// The scenario that replays the session: the entries as at the last
/// (re)start, and every change since as an event.
pub fn session_scenario(scenario: &Scenario, lab: &Lab) -> Scenario {
    let first_of = |label: &str| lab.runs().iter().find(|r| r.label() == label);
    let mut optimizers = Vec::new();
    for entry in &scenario.optimizers {
        let combos = entry.combinations();
        let start_of = |label: &str| -> Option<Vec<(String, crate::optim::Hyper)>> {
            let run = first_of(label)?;
            Some(run.spec().optimizer.hyperparameters().into_iter().map(|(n, v)| (n.to_string(), v)).collect())
        };
        let unchanged = combos.iter().all(|combo| {
            let mut expected = entry.hyper.clone();
            for (name, value) in combo {
                if let Some(slot) = expected.iter_mut().find(|(n, _)| n == name) {
                    slot.1 = *value;
                }
            }
            start_of(&entry.run_label(combo)).is_none_or(|start| start == expected)
        });
        if unchanged {
            optimizers.push(entry.clone());
        } else if entry.sweep.is_empty() {
            let hyper = start_of(&entry.label).unwrap_or_else(|| entry.hyper.clone());
            optimizers.push(OptimizerEntry { hyper, ..entry.clone() });
        } else {
            // A swept run restarted with other values than its combination: one
            // entry per run, under the run's label.
            for combo in &combos {
                let label = entry.run_label(combo);
                let hyper = start_of(&label).unwrap_or_else(|| entry.hyper.clone());
                optimizers.push(OptimizerEntry { label, hyper, sweep: Vec::new(), ..entry.clone() });
            }
        }
    }

    let mut events = Vec::new();
    let mut done: Vec<&str> = Vec::new();
    for run in lab.runs() {
        if done.contains(&run.label()) {
            continue;
        }
        done.push(run.label());
        // The seeds of a label change together; one that stopped early has a
        // prefix of the others' changes.
        let longest =
            lab.runs().iter().filter(|r| r.label() == run.label()).max_by_key(|r| r.live_events().len()).unwrap_or(run);
        events.extend(run_events(longest));
    }
    Scenario { optimizers, events, ..scenario.clone() }
}

/// A run's scripted events still in force and its live changes, in the order
/// they took effect: at one step, a live change (made between two updates)
/// precedes the scripted event applied at the start of the next update.
fn run_events(run: &Run) -> Vec<Event> {
    let scripted = &run.spec().events;
    let live = run.live_events();
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(scripted.len() + live.len());
    while i < scripted.len() || j < live.len() {
        let take_live = match (scripted.get(i), live.get(j)) {
            (Some(s), Some(l)) => l.step <= s.step,
            (None, Some(_)) => true,
            _ => false,
        };
        let e = if take_live {
            j += 1;
            &live[j - 1]
        } else {
            i += 1;
            &scripted[i - 1]
        };
        out.push(Event { run: run.label().to_string(), ..e.clone() });
    }
    out
}

/// The first `dir/<stem>N<ext>` (N = 1, 2, ...) that does not exist.
pub fn next_free(dir: &Path, stem: &str, ext: &str) -> PathBuf {
    (1u64..)
        .map(|n| dir.join(format!("{stem}{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or_else(|| unreachable!("some number is free"))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.display().to_string(), source }
}

fn csv_err(path: &Path) -> impl Fn(::csv::Error) -> OutputError + '_ {
    move |source| OutputError::Csv { path: path.display().to_string(), source }
}

/// Write `results/<slug>-session-N.toml`; returns its path. The saved
/// scenario is named "NAME (session N)", so `optlab run` of it writes to its
/// own result folder, `results/<slug>-session-N/`, never over the original's.
pub fn save(results: &Path, session: &Scenario) -> Result<PathBuf, OutputError> {
    fs::create_dir_all(results).map_err(io(results))?;
    let stem = format!("{}-session-", slug(&session.name));
    let partial = results.join(format!(".session.partial-{}", std::process::id()));
    // Another lab may save at the same moment: a number is taken only by
    // linking the complete file to a name that does not exist yet.
    for n in 1u64.. {
        let path = results.join(format!("{stem}{n}.toml"));
        if fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        let own = Scenario { name: format!("{} (session {n})", session.name), ..session.clone() };
        fs::write(&partial, own.to_toml()).map_err(io(&partial))?;
        let linked = fs::hard_link(&partial, &path);
        fs::remove_file(&partial).map_err(io(&partial))?;
        match linked {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(&path)(e)),
        }
    }
    unreachable!("some number is free")
}

/// Write the results so far (steps.csv, summary.csv, scenario.toml) into a new
/// folder `results/<slug>-export-N`; returns its path.
///
/// The lab keeps its histories in a fixed memory budget, not row by row, so
/// steps.csv is made by replaying `session` (the scenario that reproduces the
/// session exactly) run by run up to the step each of the lab's runs has
/// reached: the same rows the lab computed, every column but `wall_ms` (the
/// replay's own stepping time). `cancel` stops a long replay (the lab quits).
pub fn export(results: &Path, session: &Scenario, lab: &Lab, cancel: &AtomicBool) -> Result<PathBuf, OutputError> {
    let out = next_free(results, &format!("{}-export-", slug(&session.name)), "");
    // Named after its folder, so that `optlab run` of its scenario.toml writes
    // beside the original's results, not over them.
    let number = out.file_name().map(|n| n.to_string_lossy().rsplit('-').next().unwrap_or("").to_string());
    let session =
        &Scenario { name: format!("{} (export {})", session.name, number.unwrap_or_default()), ..session.clone() };
    let param_columns = crate::report::csv::param_columns(session, lab.objective());
    let mut replay = session.build_lab()?;
    let objective = replay.objective_arc();
    // The keys of the session as saved, live changes included: running the
    // exported scenario.toml gives the same run_id.
    let keys = session.run_keys();
    write_folder_atomically(&out, |dir| {
        let steps_path = dir.join("steps.csv");
        let file = File::create(&steps_path).map_err(io(&steps_path))?;
        let mut w = StepsWriter::new(BufWriter::with_capacity(1 << 20, file), param_columns > 0);
        w.write_header(param_columns).map_err(csv_err(&steps_path))?;
        for ((i, target), &key) in lab.runs().iter().enumerate().zip(&keys) {
            let Some(run) = replay.run_mut(RunId(i)) else { break };
            let kind = run.optimizer().kind().name();
            let mut row = |run: &Run, record: &crate::engine::Record| {
                w.write_row(run.label(), kind, run.spec().seed, key, record, run.params().as_slice().unwrap_or(&[]))
                    .map_err(csv_err(&steps_path))
            };
            row(run, &run.last().clone())?;
            let mut since_check = 0u32;
            while run.t() < target.t() && !run.is_finished() {
                if let Some(record) = run.step(objective.as_ref()) {
                    let record = record.clone();
                    row(run, &record)?;
                }
                since_check += 1;
                if since_check == 4096 {
                    since_check = 0;
                    if cancel.load(Ordering::Relaxed) {
                        return Err(OutputError::Interrupted(out.display().to_string()));
                    }
                }
            }
        }
        w.into_inner().map_err(io(&steps_path))?.flush().map_err(io(&steps_path))?;

        let summary_path = dir.join("summary.csv");
        let file = File::create(&summary_path).map_err(io(&summary_path))?;
        write_summary_keyed(BufWriter::new(file), lab.runs().iter().zip(keys.iter().copied()))
            .map_err(csv_err(&summary_path))?;

        let scenario_path = dir.join("scenario.toml");
        fs::write(&scenario_path, session.to_toml()).map_err(io(&scenario_path))?;
        // report.md and its charts, from the files just written (CONTRACT 3).
        crate::report::write_report(dir)?;
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_session_has_its_own_name_and_result_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let scenario = Scenario::load("rosenbrock").unwrap();
        let lab = scenario.build_lab().unwrap();
        let session = session_scenario(&scenario, &lab);
        let first = save(tmp.path(), &session).unwrap();
        let second = save(tmp.path(), &session).unwrap();
        assert_eq!(first, tmp.path().join("rosenbrock-the-textbook-five-session-1.toml"));
        assert_eq!(second, tmp.path().join("rosenbrock-the-textbook-five-session-2.toml"));
        let saved = Scenario::load(first.to_str().unwrap()).unwrap();
        assert_eq!(saved.name, format!("{} (session 1)", scenario.name));
        // Its results go to the folder named like the file.
        assert_eq!(slug(&saved.name), "rosenbrock-the-textbook-five-session-1");
        assert_ne!(slug(&saved.name), slug(&scenario.name));
    }
}
