//! Running trials: a stage's trials on the scenario's objective, in parallel,
//! each recorded as a [`TrialResult`]. The results come back in the order of
//! the trials given, whatever the threads and the order they finish in.

use crate::engine::{Event, Run, RunSpec};
use crate::objective::Objective;
use crate::optim::{Hyper, Optimizer};
use crate::scenario::{ObjectiveSpec, OptimizerEntry, Scenario, hyper_reason};
use crate::tune::{Trial, TrialResult, TrialStatus, Tuner};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// An entry's optimizer with a sampled configuration over its configured
/// hyperparameters, through the scenario's one checked path
/// ([`crate::scenario::configure`]: every value set and PyTorch's rules across
/// hyperparameters checked together), or why the combination is invalid. The
/// optimizer that runs is exactly the one recorded.
pub fn configure(entry: &OptimizerEntry, values: &[(String, Hyper)]) -> Result<Box<dyn Optimizer>, String> {
    crate::scenario::configure(entry.kind, &entry.hyper, values).map_err(|e| hyper_reason(&e))
}

/// A run of entry `e` with `optimizer`, on `seed`, for `steps` updates, as
/// `Scenario::run_specs` makes them (noise, batch size, evaluation period, events).
pub fn run_spec(scenario: &Scenario, e: usize, optimizer: Box<dyn Optimizer>, seed: u64, steps: u64) -> RunSpec {
    let entry = &scenario.optimizers[e];
    let (noise, eval_every, objective_batch) = match &scenario.objective {
        ObjectiveSpec::Function { noise, .. } | ObjectiveSpec::Expr { noise, .. } => (*noise, 1, None),
        ObjectiveSpec::Model { batch_size, eval_every, .. } => (0.0, *eval_every, Some(*batch_size)),
    };
    let events: Vec<Event> = scenario.events.iter().filter(|ev| ev.run == entry.label).cloned().collect();
    RunSpec {
        label: entry.label.clone(),
        entry: e,
        optimizer,
        schedule: entry.schedule.clone(),
        seed,
        batch_size: entry.batch_size.or(objective_batch).filter(|&b| b > 0),
        noise,
        eval_every,
        steps,
        events,
        // A trial is never written to steps.csv: it needs no run_id.
        key: crate::engine::RunKey::default(),
    }
}

/// Run `run` to its end; `false` when cancelled first.
pub fn run_to_end(run: &mut Run, objective: &dyn Objective, cancel: &AtomicBool) -> bool {
    let mut since_check = 0u32;
    while !run.is_finished() {
        run.step(objective);
        since_check += 1;
        if since_check == 1024 {
            since_check = 0;
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
        }
    }
    true
}

/// One trial on every tuning seed; `None` when cancelled.
pub fn run_trial(
    scenario: &Scenario,
    tuner: &Tuner,
    objective: &dyn Objective,
    trial: &Trial,
    cancel: &AtomicBool,
) -> Option<TrialResult> {
    let entry = &scenario.optimizers[trial.entry];
    let optimizer = match configure(entry, &trial.values) {
        Ok(o) => o,
        Err(reason) => {
            return Some(TrialResult { trial: trial.clone(), status: TrialStatus::Invalid(reason), metric: None });
        }
    };
    let metric = tuner.config.metric;
    let mut values = Vec::new();
    let mut status = TrialStatus::Ok;
    for seed in tuner.tuning_seeds() {
        let spec = run_spec(scenario, trial.entry, optimizer.clone(), seed, trial.updates);
        let mut run = Run::new(spec, objective, scenario.stop.clone());
        if !run_to_end(&mut run, objective, cancel) {
            return None;
        }
        let summary = run.summary();
        let value = metric.of(&summary);
        if value.is_none() && status == TrialStatus::Ok {
            status = if summary.diverged_at.is_some() { TrialStatus::Diverged } else { TrialStatus::NoMetric };
        }
        values.push(value);
    }
    let metric = metric.over_seeds(&values);
    Some(TrialResult { trial: trial.clone(), status, metric })
}

/// Run a stage's trials in parallel on the current rayon pool; `progress` is
/// called with each finished trial's charged gradient evaluations. `None` when
/// cancelled.
pub fn run_stage(
    scenario: &Scenario,
    tuner: &Tuner,
    objective: &dyn Objective,
    trials: &[Trial],
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Option<Vec<TrialResult>> {
    trials
        .par_iter()
        .map(|trial| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let result = run_trial(scenario, tuner, objective, trial, cancel)?;
            progress(trial.grad_evals);
            Some(result)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::OptimizerKind;
    use crate::scenario::Origin;

    fn sgd_entry() -> OptimizerEntry {
        let s = Scenario::parse(
            "name = \"t\"\n[objective]\nkind = \"booth\"\n[[optimizer]]\nkind = \"sgd\"\n",
            Origin::Bundled("t"),
        )
        .unwrap();
        s.optimizers[0].clone()
    }

    #[test]
    fn valid_combinations_are_set_in_an_order_that_works() {
        let entry = sgd_entry();
        let values = vec![("nesterov".to_string(), Hyper::Bool(true)), ("momentum".to_string(), Hyper::Float(0.9))];
        let o = configure(&entry, &values).unwrap();
        assert_eq!(o.kind(), OptimizerKind::Sgd);
        assert_eq!((o.get("nesterov"), o.get("momentum")), (Some(Hyper::Bool(true)), Some(Hyper::Float(0.9))));
    }

    #[test]
    fn invalid_combinations_are_refused_not_altered() {
        let entry = sgd_entry();
        let values = vec![("nesterov".to_string(), Hyper::Bool(true)), ("momentum".to_string(), Hyper::Float(0.0))];
        let err = configure(&entry, &values).err().expect("nesterov with momentum 0 is invalid");
        assert!(err.contains("nesterov") || err.contains("momentum"), "{err}");
    }
}
