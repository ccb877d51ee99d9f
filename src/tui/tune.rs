//! Tuning in the lab (`t`): a small budget-fair tuning of the selected run's
//! label, on a background thread, with its progress and best-so-far curve
//! shared with the UI. The engine applies the best configuration when the
//! thread is done (as slider moves, recorded as events) and keeps the values
//! it replaced for `u` (undo).
//!
//! The tuning is `optlab tune` on a one-entry scenario: the label's optimizer
//! with its hyperparameters as they are now, its entry's space (or the default
//! space), the scenario's `[tune]` settings with the budget capped at
//! [`LAB_TRIALS`] full-length runs. The lab's runs are not touched meanwhile.

use crate::engine::Run;
use crate::objective::Objective;
use crate::optim::Hyper;
use crate::report::tune::{run_stage, tuner_for};
use crate::scenario::Scenario;
use crate::tune::{Metric, Space, TrialResult, Tuner, best, plan_stage};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

/// Full-length trials the lab's tuning pays for at most.
pub const LAB_TRIALS: u64 = 32;
/// Trials run between two progress updates.
const CHUNK: usize = 4;

/// Where a lab tuning is.
#[derive(Clone, Debug, PartialEq)]
pub enum TuneState {
    Running,
    /// The best configuration became the label's (u undoes).
    Applied,
    /// Undone with `u`.
    Undone,
    /// Finished, but the values could not be set (why).
    NotApplied(String),
    /// No trial succeeded, or the tuning could not start (why).
    Failed(String),
    Cancelled,
}

/// A lab tuning as the right-hand pane shows it.
#[derive(Clone, Debug)]
pub struct TuneView {
    /// The sequence number of the action that asked for it.
    pub seq: u64,
    /// Index into the snapshot's groups.
    pub group: usize,
    pub label: String,
    /// The tuned hyperparameters and their spaces.
    pub space: Vec<(String, Space)>,
    pub metric: Metric,
    /// Gradient evaluations the tuning may spend, and has spent.
    pub budget: u64,
    pub spent: u64,
    pub trials: usize,
    pub trials_done: usize,
    /// The best full-length metric so far, after each result that had one.
    pub curve: Vec<(u64, f64)>,
    /// The best configuration so far and its metric.
    pub best: Option<(Vec<(String, Hyper)>, f64)>,
    pub state: TuneState,
}

/// A running (or finished) lab tuning.
pub struct TuneJob {
    pub view: Arc<Mutex<TuneView>>,
    pub run: crate::engine::RunId,
    /// The sequence number of the action that started it.
    pub seq: u64,
    cancel: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl TuneJob {
    /// Start tuning `run`'s label on a background thread.
    pub fn start(
        seq: u64,
        group: usize,
        id: crate::engine::RunId,
        run: &Run,
        scenario: &Scenario,
        objective: Arc<dyn Objective>,
    ) -> Result<TuneJob, String> {
        let mut entry = scenario
            .optimizers
            .get(run.spec().entry)
            .cloned()
            .ok_or_else(|| format!("{} has no scenario entry", run.label()))?;
        entry.label = run.label().to_string();
        entry.hyper = run.optimizer().hyperparameters().into_iter().map(|(n, v)| (n.to_string(), v)).collect();
        entry.sweep.clear();
        let mut one = scenario.clone();
        one.optimizers = vec![entry];
        one.events.clear();
        let seeds = one.tune.as_ref().map_or(1, |c| c.seeds);
        let budget = one.tune.as_ref().map_or(u64::MAX, |c| c.budget).min(LAB_TRIALS * scenario.steps * seeds);
        let tuner = tuner_for(&one, Some(budget), None).map_err(|e| e.to_string())?;
        let schedule = tuner.schedule(0).map_err(|e| e.to_string())?;
        let view = Arc::new(Mutex::new(TuneView {
            seq,
            group,
            label: run.label().to_string(),
            space: tuner.entries[0].space.clone(),
            metric: tuner.config.metric,
            budget: tuner.config.budget,
            spent: 0,
            trials: schedule.sizes.iter().sum(),
            trials_done: 0,
            curve: Vec::new(),
            best: None,
            state: TuneState::Running,
        }));
        let cancel = Arc::new(AtomicBool::new(false));
        let (v, c) = (Arc::clone(&view), Arc::clone(&cancel));
        let handle = std::thread::Builder::new()
            .name("optlab-tune".into())
            .spawn(move || work(&one, &tuner, objective.as_ref(), &v, &c))
            .map_err(|e| format!("could not start the tuning thread: {e}"))?;
        Ok(TuneJob { view, run: id, seq, cancel, handle: Some(handle) })
    }

    /// The thread has ended (finished, failed or cancelled) and was joined.
    pub fn take_finished(&mut self) -> bool {
        if self.handle.as_ref().is_some_and(|h| h.is_finished()) {
            if let Some(h) = self.handle.take()
                && h.join().is_err()
            {
                self.set_state(TuneState::Failed("the tuning thread panicked".into()));
            }
            return true;
        }
        false
    }

    pub fn is_running(&self) -> bool {
        self.handle.is_some()
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> TuneView {
        self.view.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn set_state(&self, state: TuneState) {
        self.view.lock().unwrap_or_else(PoisonError::into_inner).state = state;
    }
}

impl Drop for TuneJob {
    fn drop(&mut self) {
        // The thread sees it within 1,024 updates and ends; nobody waits for it.
        self.cancel();
    }
}

/// The tuning itself, on its thread: stage by stage, a few trials at a time,
/// publishing progress after each few.
fn work(scenario: &Scenario, tuner: &Tuner, objective: &dyn Objective, view: &Mutex<TuneView>, cancel: &AtomicBool) {
    let lock = || view.lock().unwrap_or_else(PoisonError::into_inner);
    let metric = tuner.config.metric;
    let mut results: Vec<TrialResult> = Vec::new();
    let stages = match tuner.stages() {
        Ok(n) => n,
        Err(e) => return lock().state = TuneState::Failed(e.to_string()),
    };
    let no_progress = |_: u64| {};
    for k in 0..stages {
        let trials = match plan_stage(tuner, k, &results) {
            Ok(t) => t,
            Err(e) => return lock().state = TuneState::Failed(e.to_string()),
        };
        for chunk in trials.chunks(CHUNK) {
            let Some(done) = run_stage(scenario, tuner, objective, chunk, &no_progress, cancel) else {
                return lock().state = TuneState::Cancelled;
            };
            let mut v = lock();
            for r in &done {
                v.spent += r.trial.grad_evals;
                v.trials_done += usize::from(r.trial.rung == 0);
                if r.trial.updates == tuner.steps
                    && let Some(m) = r.metric
                    && v.best.as_ref().is_none_or(|(_, b)| metric.cost(Some(m)) < metric.cost(Some(*b)))
                {
                    v.best = Some((r.trial.values.clone(), m));
                }
                if let Some((_, b)) = &v.best {
                    let point = (v.spent, *b);
                    v.curve.push(point);
                }
            }
            drop(v);
            results.extend(done);
        }
    }
    // The same pick as `optlab tune` (ties to the lower trial index).
    let mut v = lock();
    match best(tuner, 0, &results) {
        Some(b) => {
            v.best = Some((b.trial.values.clone(), b.metric.unwrap_or(f64::NAN)));
            // The engine applies it and sets the state.
        }
        None => v.state = TuneState::Failed("no trial succeeded (every one diverged or was invalid)".into()),
    }
}
