//! `optlab tune`: run the plan of [`crate::tune`] stage by stage, then confirm
//! each entry's best configuration on fresh seeds, and write the result folder
//! atomically:
//!
//! - `trials.csv`: one row per trial and rung;
//! - `tuned.toml`: the scenario with every entry at its best configuration and
//!   the confirm seeds (`optlab run tuned.toml` reproduces `confirm/`);
//! - `confirm/`: the result folder of that run;
//! - `report.md` with `best_so_far.svg` and `sensitivity-N.svg`.

mod charts;
mod report;
pub mod trials;

use super::output::{OutputError, RunOptions, run_to_folder, write_folder_atomically};
use crate::engine::{Lab, Run, RunSink};
use crate::objective::Objective;
use crate::scenario::{Origin, Scenario, ScenarioError};
use crate::tune::{
    EntrySpace, Metric, PlanError, SamplerKind, TrialResult, TuneConfig, Tuner, best, default_space, plan_stage,
    sort_results,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub use report::{gain, metric_quartiles};
pub use trials::{configure, run_stage, run_trial};

/// Why a tuning could not be done.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{file}: {0}", file = .1)]
    Plan(PlanError, String),
    #[error("{0}")]
    Output(#[from] OutputError),
    #[error("could not start {threads} threads: {message}")]
    Threads { threads: usize, message: String },
    #[error("interrupted; no results written to {0}")]
    Interrupted(String),
}

impl TuneError {
    /// Whether the error is the input's fault (exit status 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            TuneError::Scenario(_) | TuneError::Plan(..) => true,
            TuneError::Output(e) => e.is_bad_input(),
            _ => false,
        }
    }
}

/// How to tune.
pub struct TuneOptions<'a> {
    /// Overrides `[tune] budget`.
    pub budget: Option<u64>,
    /// Overrides `[tune] sampler`.
    pub sampler: Option<SamplerKind>,
    /// Worker threads (`None`: one per core); results do not depend on it.
    pub threads: Option<usize>,
    /// Called with the gradient evaluations of each finished trial.
    pub progress: &'a (dyn Fn(u64) + Sync),
    /// Set (by a signal handler) to stop early and write nothing.
    pub cancel: &'a AtomicBool,
}

/// A finished tuning.
pub struct Tuned {
    pub tuner: Tuner,
    /// Every trial at every rung, sorted by entry, rung, trial.
    pub results: Vec<TrialResult>,
    /// Each entry's best full-length trial (`None`: no trial succeeded).
    pub best: Vec<Option<TrialResult>>,
}

/// The tuner of a scenario: its `[tune]` table (or the defaults) with the
/// command line's overrides, and each entry's space (or the default space).
pub fn tuner_for(scenario: &Scenario, budget: Option<u64>, sampler: Option<SamplerKind>) -> Result<Tuner, TuneError> {
    let mut config = scenario.tune.clone().unwrap_or_else(|| TuneConfig::defaults(scenario.steps));
    if let Some(b) = budget {
        config.budget = b;
    }
    if let Some(s) = sampler {
        config.sampler = s;
    }
    let mut entries = Vec::new();
    for (i, entry) in scenario.optimizers.iter().enumerate() {
        if !entry.sweep.is_empty() {
            return Err(ScenarioError {
                file: scenario.origin.display(),
                line: None,
                column: None,
                key: Some(format!("optimizer[{i}].sweep")),
                message: "an entry is either swept or tuned: remove `sweep` (give a `tune.NAME` space instead)".into(),
            }
            .into());
        }
        let space = if entry.tune.is_empty() { default_space(entry.kind) } else { entry.tune.clone() };
        entries.push(EntrySpace { label: entry.label.clone(), kind: entry.kind, space });
    }
    let tuner = Tuner { config, master_seed: scenario.seed, steps: scenario.steps, entries };
    tuner.schedules().map_err(|e| TuneError::Plan(e, scenario.origin.display()))?;
    Ok(tuner)
}

/// Run every stage of the plan on the current rayon pool.
pub fn run_plan(
    scenario: &Scenario,
    tuner: &Tuner,
    objective: &dyn Objective,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Tuned, TuneError> {
    let plan_error = |e| TuneError::Plan(e, scenario.origin.display());
    let mut results = Vec::new();
    for k in 0..tuner.stages().map_err(plan_error)? {
        let trials = plan_stage(tuner, k, &results).map_err(plan_error)?;
        let done = run_stage(scenario, tuner, objective, &trials, progress, cancel)
            .ok_or_else(|| TuneError::Interrupted(String::new()))?;
        results.extend(done);
    }
    sort_results(&mut results);
    let best = (0..tuner.entries.len()).map(|e| best(tuner, e, &results)).collect();
    Ok(Tuned { tuner: tuner.clone(), results, best })
}

/// The scenario with each entry at its best configuration (entries without a
/// successful trial keep theirs) and the confirm seeds.
pub fn tuned_scenario(scenario: &Scenario, tuned: &Tuned) -> Scenario {
    let mut s = scenario.clone();
    let config = &tuned.tuner.config;
    s.name = format!("{} (tuned)", scenario.name);
    let note = format!(
        "Tuned by `optlab tune`: {} gradient evaluations per entry, {} sampler, metric {}; confirmed on {} fresh seeds.",
        config.budget,
        config.sampler.name(),
        config.metric.name(),
        config.confirm_seeds
    );
    s.description = if scenario.description.is_empty() { note } else { format!("{} {note}", scenario.description) };
    s.seeds = config.confirm_seeds;
    for (entry, best) in s.optimizers.iter_mut().zip(&tuned.best) {
        let Some(best) = best else { continue };
        for (name, value) in &best.trial.values {
            if let Some(slot) = entry.hyper.iter_mut().find(|(n, _)| n == name) {
                slot.1 = *value;
            }
        }
    }
    s
}

/// Each entry's metric on each confirm seed of `scenario` as configured, run in memory.
pub fn metric_per_entry(lab: &Lab, metric: Metric, entries: usize) -> Vec<Vec<Option<f64>>> {
    let mut per = vec![Vec::new(); entries];
    for run in lab.runs() {
        per[run.spec().entry].push(metric.of(&run.summary()));
    }
    per
}

struct Discard;

impl RunSink for Discard {
    type Error = std::convert::Infallible;
    fn record(&mut self, _: &Run, _: &crate::engine::Record) -> Result<(), Self::Error> {
        Ok(())
    }
    fn finish(&mut self, _: &Run) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// What a finished `optlab tune` left behind.
pub struct TuneOutcome {
    pub out: PathBuf,
    pub tuned: Tuned,
    /// Per entry, the metric on each confirm seed: tuned, then with the scenario's own settings.
    pub confirmed: Vec<Vec<Option<f64>>>,
    pub defaults: Vec<Vec<Option<f64>>>,
}

/// Tune `scenario` and write the result folder `out` atomically.
pub fn tune_to_folder(scenario: &Scenario, out: &Path, options: &TuneOptions<'_>) -> Result<TuneOutcome, TuneError> {
    let tuner = tuner_for(scenario, options.budget, options.sampler)?;
    let objective = scenario.build_objective()?;
    let pool = match options.threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| TuneError::Threads { threads: n, message: e.to_string() })?,
        ),
        None => None,
    };
    let install = |f: &mut (dyn FnMut() + Send)| match &pool {
        Some(p) => p.install(f),
        None => f(),
    };
    let interrupted = || TuneError::Interrupted(out.display().to_string());

    let mut tuned = Err(interrupted());
    install(&mut || tuned = run_plan(scenario, &tuner, objective.as_ref(), options.progress, options.cancel));
    let tuned = tuned.map_err(|e| if matches!(e, TuneError::Interrupted(_)) { interrupted() } else { e })?;

    // The defaults on the confirm seeds: what tuning gained.
    let mut baseline = scenario.clone();
    baseline.seeds = tuner.config.confirm_seeds;
    let mut lab = Lab::new(objective.clone(), baseline.run_specs(objective.dim())?, scenario.stop.clone());
    let cancel = options.cancel;
    install(&mut || {
        let _: Result<(), std::convert::Infallible> =
            lab.run_to_end(|_, _| Ok(Discard), || cancel.load(Ordering::Relaxed));
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(interrupted());
    }
    let defaults = metric_per_entry(&lab, tuner.config.metric, scenario.optimizers.len());

    let tuned_text = tuned_scenario(scenario, &tuned).to_toml();
    let confirmed = write_folder_atomically(out, |dir| {
        let path = dir.join("tuned.toml");
        std::fs::write(&path, &tuned_text)
            .map_err(|source| OutputError::Io { path: path.display().to_string(), source })?;
        // Confirm what the file says, read back as `optlab run tuned.toml` reads it.
        let confirm_scenario = Scenario::parse(&tuned_text, Origin::File(out.join("tuned.toml")))?;
        let no_progress = |_: u64| {};
        let run_options = RunOptions { threads: options.threads, progress: &no_progress, cancel: options.cancel };
        let confirm = run_to_folder(&confirm_scenario, &dir.join("confirm"), &run_options)?;
        let confirmed = metric_per_entry(&confirm.lab, tuner.config.metric, scenario.optimizers.len());
        report::write_trials_csv(&dir.join("trials.csv"), &tuned)?;
        report::write_report(dir, scenario, &tuned, &confirmed, &defaults)?;
        Ok(confirmed)
    })
    .map_err(|e| match e {
        OutputError::Interrupted(_) => interrupted(),
        other => TuneError::Output(other),
    })?;
    Ok(TuneOutcome { out: out.to_path_buf(), tuned, confirmed, defaults })
}
