//! The engine thread: it owns the lab, carries out the actions the UI sends
//! over a channel, steps the runs at the chosen speed and publishes a snapshot
//! after each batch. Paused (or finished), it blocks on the channel and uses
//! no CPU. The UI thread never steps a run.

use super::action::Action;
use super::format;
use super::session;
use super::snapshot::{DEFAULT_SPEED, GroupView, LrFindView, Notice, RunView, SPEEDS, Snapshot};
use super::tune::{TuneJob, TuneState};
use crate::engine::lr_find::{LrFindOptions, range_test};
use crate::engine::{History, HistoryOptions, Lab, Record, Run, RunId, RunSink};
use crate::objective::Objective;
use crate::optim::Hyper;
use crate::scenario::{Scenario, ScenarioError};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// The slope of log loss is fitted over this many recent evaluated steps.
const SLOPE_WINDOW: usize = 100;
/// At full speed, a batch of steps lasts about this long before the engine
/// looks at its channel and publishes.
const BATCH_TARGET: Duration = Duration::from_millis(8);
/// At most this many updates per batch: a batch's records wait in memory
/// until they are appended to the histories.
const MAX_BATCH: u64 = 1 << 16;
/// Snapshots are published at most this often while running.
const PUBLISH_EVERY: Duration = Duration::from_millis(15);

/// What the engine and the UI share: the runs' histories (appended by the
/// engine, read by the UI while it draws) and the latest snapshot.
pub struct Shared {
    histories: Vec<RwLock<History>>,
    snapshot: Mutex<Arc<Snapshot>>,
    version: AtomicU64,
    /// The lab is quitting: long work on the engine thread (an export's replay) stops.
    quitting: AtomicBool,
}

impl Shared {
    /// One history per run, in run order.
    pub fn histories(&self) -> &[RwLock<History>] {
        &self.histories
    }
    pub fn snapshot(&self) -> Arc<Snapshot> {
        Arc::clone(&self.snapshot.lock().unwrap_or_else(PoisonError::into_inner))
    }
    /// Increases with every published snapshot.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }
    /// Ask the engine thread to drop what it is doing (the lab quits).
    pub fn quit(&self) {
        self.quitting.store(true, Ordering::SeqCst);
    }
    fn publish(&self, s: Snapshot) {
        *self.snapshot.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(s);
        self.version.fetch_add(1, Ordering::AcqRel);
    }
}

pub struct Controller {
    scenario: Scenario,
    lab: Lab,
    shared: Arc<Shared>,
    history_options: HistoryOptions,
    /// Run ids per label, in order of first appearance.
    groups: Vec<Vec<RunId>>,
    results: PathBuf,
    paused: bool,
    speed: usize,
    smoothing: f64,
    notice: Option<Notice>,
    handled: u64,
    generation: u64,
    /// Speed keeping: updates done since `anchor`.
    anchor: Instant,
    done_since_anchor: u64,
    /// Updates per batch at full speed, adapted to `BATCH_TARGET`.
    batch: u64,
    /// (time, total updates) over the last second, for the measured rate.
    rate_samples: VecDeque<(Instant, u64)>,
    total_updates: u64,
    last_publish: Instant,
    dirty: bool,
    /// The latest learning-rate range test.
    lr_find: Option<Arc<LrFindView>>,
    /// The latest lab tuning (`t`), running or done.
    tune: Option<TuneJob>,
    /// What the last applied tuning replaced: the run and the old values (`u`).
    tune_undo: Option<(RunId, Vec<(String, Hyper)>)>,
    /// Gradient evaluations of the tuning at the last publish.
    tune_seen: u64,
}

fn history_options(objective: &dyn Objective) -> HistoryOptions {
    let function = objective.as_function();
    HistoryOptions {
        path: function.filter(|f| f.dim() == 2).map(|f| f.window()),
        loss_floor: objective.min_value().filter(|m| *m < 0.0).unwrap_or(0.0),
    }
}

fn new_history(run: &Run, dim: usize, options: &HistoryOptions) -> History {
    let mut h = History::new(dim, options.clone());
    h.push(run.last(), run.params().as_slice().unwrap_or(&[]));
    h
}

impl Controller {
    /// A lab for `scenario`, every run at its start; results go under `results`.
    pub fn new(scenario: Scenario, paused: bool, results: PathBuf) -> Result<(Controller, Arc<Shared>), ScenarioError> {
        let lab = scenario.build_lab()?;
        Ok(Controller::with_lab(scenario, lab, paused, results))
    }

    /// A controller for a lab already built from `scenario`.
    pub fn with_lab(scenario: Scenario, lab: Lab, paused: bool, results: PathBuf) -> (Controller, Arc<Shared>) {
        let options = history_options(lab.objective());
        let dim = lab.objective().dim();
        let histories = lab.runs().iter().map(|r| RwLock::new(new_history(r, dim, &options))).collect();
        let mut groups: Vec<Vec<RunId>> = Vec::new();
        for (i, run) in lab.runs().iter().enumerate() {
            match groups.iter_mut().find(|g| lab.runs()[g[0].0].label() == run.label()) {
                Some(g) => g.push(RunId(i)),
                None => groups.push(vec![RunId(i)]),
            }
        }
        let placeholder = Snapshot {
            name: scenario.name.clone(),
            objective: String::new(),
            steps: lab.runs().iter().map(|r| r.spec().steps).max().unwrap_or(scenario.steps),
            t: 0,
            paused,
            finished: false,
            speed: DEFAULT_SPEED,
            rate: 0.0,
            smoothing: 0.0,
            groups: Vec::new(),
            runs: Vec::new(),
            notice: None,
            handled: 0,
            generation: 0,
            is_model: false,
            landscape: false,
            boundary: false,
            seeds: scenario.seeds,
            target_loss: None,
            lr_find: None,
            tune: None,
            train_size: None,
        };
        let shared = Arc::new(Shared {
            histories,
            snapshot: Mutex::new(Arc::new(placeholder)),
            version: AtomicU64::new(0),
            quitting: AtomicBool::new(false),
        });
        let now = Instant::now();
        // The longest run plays in about 15 s (runs of an `epochs` budget differ).
        let speed =
            super::snapshot::default_speed(lab.runs().iter().map(|r| r.spec().steps).max().unwrap_or(scenario.steps));
        let mut c = Controller {
            scenario,
            lab,
            shared: Arc::clone(&shared),
            history_options: options,
            groups,
            results,
            paused,
            speed,
            smoothing: 0.0,
            notice: None,
            handled: 0,
            generation: 0,
            anchor: now,
            done_since_anchor: 0,
            batch: 1,
            rate_samples: VecDeque::new(),
            total_updates: 0,
            last_publish: now,
            dirty: true,
            lr_find: None,
            tune: None,
            tune_undo: None,
            tune_seen: 0,
        };
        c.publish();
        (c, shared)
    }

    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    fn idle(&self) -> bool {
        self.paused || self.lab.is_finished()
    }

    fn reanchor(&mut self) {
        self.anchor = Instant::now();
        self.done_since_anchor = 0;
    }

    fn notify(&mut self, text: impl Into<String>, error: bool) {
        let seq = self.notice.as_ref().map_or(1, |n| n.seq + 1);
        self.notice = Some(Notice { seq, text: text.into(), error });
    }

    /// Carry out one action (numbered `seq` by the UI). Returns false on `Quit`.
    pub fn handle(&mut self, seq: u64, action: Action) -> bool {
        self.handled = self.handled.max(seq);
        self.dirty = true;
        match action {
            Action::Quit => return false,
            Action::TogglePause => {
                self.paused = !self.paused;
                self.reanchor();
            }
            Action::Step => {
                if std::env::var("OPTLAB_TEST_PANIC").is_ok_and(|v| v == "engine") {
                    panic!("test panic in the engine thread (OPTLAB_TEST_PANIC=engine)");
                }
                if self.paused {
                    self.advance(1);
                }
            }
            Action::Restart => self.restart(),
            Action::Faster => {
                self.speed = (self.speed + 1).min(SPEEDS.len() - 1);
                self.reanchor();
            }
            Action::Slower => {
                self.speed = self.speed.saturating_sub(1);
                self.reanchor();
            }
            Action::SetLearningRate { run, value } => self.set_hyper(run, "lr", Hyper::Float(value)),
            Action::SetHyper { run, name, value } => self.set_hyper(run, &name, value),
            Action::SetSmoothing(w) => {
                self.smoothing = w;
                for h in &self.shared.histories {
                    h.write().unwrap_or_else(PoisonError::into_inner).set_smoothing(w);
                }
            }
            Action::Export => match self.export() {
                Ok(path) => self.notify(format!("exported to {}", path.display()), false),
                Err(e) => self.notify(format!("export failed: {e}"), true),
            },
            Action::Save => match self.save() {
                Ok(path) => self.notify(format!("saved {}", path.display()), false),
                Err(e) => self.notify(format!("save failed: {e}"), true),
            },
            Action::FindLrFor { run } => self.find_lr(seq, run),
            Action::UndoLrFind => self.undo_lr_find(seq),
            Action::TuneFor { run } => self.start_tune(seq, run),
            Action::CancelTune => {
                if let Some(job) = self.tune.as_ref().filter(|j| j.is_running()) {
                    job.cancel();
                }
            }
            Action::Undo => {
                // u puts back whichever of the two was applied last.
                let tuned = self.tune_undo.as_ref().map(|_| self.tune.as_ref().map_or(0, |j| j.seq));
                let found = self.lr_find.as_ref().filter(|v| v.previous.is_some()).map(|v| v.seq);
                match (tuned, found) {
                    (Some(t), Some(f)) if f > t => self.undo_lr_find(seq),
                    (Some(_), _) => self.undo_tune(),
                    // lr-find says why there is nothing (left) to undo.
                    (None, _) if self.lr_find.is_some() => self.undo_lr_find(seq),
                    (None, _) => self.notify("nothing to undo: u puts back what f (lr-find) or t (tuning) set", true),
                }
            }
            _ => self.dirty = false,
        }
        true
    }

    /// Every run with this run's label gets the value; finished runs are left
    /// alone (a change after the last update replays nothing).
    fn set_hyper(&mut self, id: RunId, name: &str, value: Hyper) {
        let Some(label) = self.lab.run(id).map(|r| r.label().to_string()) else { return };
        let ids: Vec<RunId> = self.groups.iter().find(|g| g.contains(&id)).cloned().unwrap_or_default();
        let mut changed = false;
        for rid in ids {
            let Some(run) = self.lab.run_mut(rid) else { continue };
            if run.is_finished() || run.optimizer().get(name) == Some(value) {
                continue;
            }
            if let Err(e) = run.set_hyper(name, value) {
                self.notify(format!("{label}: {e}"), true);
                return;
            }
            changed = true;
        }
        if !changed && self.lab.runs().iter().filter(|r| r.label() == label).all(Run::is_finished) {
            self.notify(format!("{label} has stopped; r restarts every run"), true);
        }
    }

    /// The learning-rate range test of `id`'s label on fresh copies of `id`
    /// (its hyperparameters as they are now, its seed and batch size; its
    /// schedule replaced by the test's): the lab's runs are not touched. The
    /// suggestion then becomes the label's rate through `SetLearningRate`, so
    /// it is recorded like a slider move, and `UndoLrFind` puts the rate it
    /// replaced back. Runs here, on the engine thread: the UI keeps drawing
    /// meanwhile (a few hundred updates).
    fn find_lr(&mut self, seq: u64, id: RunId) {
        let Some(run) = self.lab.run(id) else { return };
        let label = run.label().to_string();
        let previous = run.base_lr();
        let mut template = run.spec().clone();
        template.optimizer = run.optimizer().box_clone();
        let group = self.groups.iter().position(|g| g.contains(&id)).unwrap_or(0);
        let options = LrFindOptions::default();
        let objective = self.lab.objective();
        let f_star = objective.min_value();
        let curve = match range_test(objective, &template, &options) {
            Ok(curve) => curve,
            Err(e) => {
                self.notify(format!("lr-find: {label}: {e}"), true);
                return;
            }
        };
        let applied = match curve.suggestion {
            Some(lr) => {
                let before = self.notice.as_ref().map(|n| n.seq);
                self.handle(seq, Action::SetLearningRate { run: id, value: lr });
                let applied = self.label_rate_is(group, lr);
                // The slider shows the same text: the suggestion has three significant digits.
                let shown = format::hyper(Hyper::Float(lr));
                if applied {
                    let was = format::hyper(Hyper::Float(previous));
                    self.notify(format!("lr-find: lr = {shown} for {label} (was {was}; u undoes)"), false);
                } else {
                    let why = self
                        .notice
                        .as_ref()
                        .filter(|n| Some(n.seq) != before)
                        .map_or_else(|| "its runs have stopped".to_string(), |n| n.text.clone());
                    self.notify(format!("lr-find: suggested lr = {shown} for {label}, not set: {why}"), true);
                }
                applied
            }
            None => {
                self.notify(format!("lr-find: no suggestion for {label} (the loss never fell); lr unchanged"), true);
                false
            }
        };
        let previous = applied.then_some(previous);
        self.lr_find = Some(Arc::new(LrFindView {
            seq,
            group,
            run: id,
            curve,
            options,
            f_star,
            applied,
            previous,
            undone: false,
        }));
        // The test took the engine's time: do not catch up on it.
        self.reanchor();
        self.dirty = true;
    }

    /// Whether a running run of the label has this base rate.
    fn label_rate_is(&self, group: usize, lr: f64) -> bool {
        self.groups.get(group).is_some_and(|ids| {
            ids.iter()
                .filter_map(|&r| self.lab.run(r))
                .any(|r| !r.is_finished() && r.optimizer().get("lr") == Some(Hyper::Float(lr)))
        })
    }

    /// Put back the rate the last lr-find suggestion replaced.
    fn undo_lr_find(&mut self, seq: u64) {
        let Some(view) = self.lr_find.clone() else {
            self.notify("nothing to undo: f runs lr-find and sets a rate", true);
            return;
        };
        let label = self.lab.run(view.run).map(|r| r.label().to_string()).unwrap_or_default();
        let Some(previous) = view.previous else {
            let why = if view.undone { "it was undone already" } else { "its suggestion was not set" };
            self.notify(format!("nothing to undo for {label}: {why}"), true);
            return;
        };
        let before = self.notice.as_ref().map(|n| n.seq);
        self.handle(seq, Action::SetLearningRate { run: view.run, value: previous });
        let shown = format::hyper(Hyper::Float(previous));
        if self.label_rate_is(view.group, previous) {
            self.notify(format!("lr-find undone: lr = {shown} for {label} again"), false);
            let mut undone = (*view).clone();
            undone.applied = false;
            undone.previous = None;
            undone.undone = true;
            self.lr_find = Some(Arc::new(undone));
        } else {
            let why = self
                .notice
                .as_ref()
                .filter(|n| Some(n.seq) != before)
                .map_or_else(|| "its runs have stopped".to_string(), |n| n.text.clone());
            self.notify(format!("lr-find not undone for {label}: {why}"), true);
        }
    }

    /// Start tuning `id`'s label in the background (a running tuning is cancelled).
    fn start_tune(&mut self, seq: u64, id: RunId) {
        let Some(run) = self.lab.run(id) else { return };
        let group = self.groups.iter().position(|g| g.contains(&id)).unwrap_or(0);
        let label = run.label().to_string();
        if let Some(old) = self.tune.take() {
            old.cancel();
        }
        match TuneJob::start(seq, group, id, run, &self.scenario, self.lab.objective_arc()) {
            Ok(job) => {
                let v = job.snapshot();
                self.notify(
                    format!(
                        "tuning {label}: {} trials, {} gradient evaluations (t closes, u undoes)",
                        v.trials, v.budget
                    ),
                    false,
                );
                self.tune_seen = 0;
                self.tune = Some(job);
            }
            Err(e) => self.notify(format!("tune {label}: {e}"), true),
        }
    }

    /// Whether a lab tuning is still running.
    pub fn tune_running(&self) -> bool {
        self.tune.as_ref().is_some_and(TuneJob::is_running)
    }

    /// A finished tuning's best configuration becomes its label's; progress is published.
    pub fn poll_tune(&mut self) {
        let Some(job) = self.tune.as_mut() else { return };
        let spent = job.view.lock().unwrap_or_else(PoisonError::into_inner).spent;
        if spent != self.tune_seen {
            self.tune_seen = spent;
            self.dirty = true;
        }
        if !job.take_finished() {
            return;
        }
        self.dirty = true;
        let view = job.snapshot();
        let run = job.run;
        if view.state != TuneState::Running {
            if let TuneState::Failed(why) = &view.state {
                self.notify(format!("tune {}: {why}; nothing changed", view.label), true);
            }
            return;
        }
        let Some((values, metric)) = view.best.clone() else { return };
        let previous: Vec<(String, Hyper)> = match self.lab.run(run) {
            Some(r) => values.iter().filter_map(|(n, _)| r.optimizer().get(n).map(|v| (n.clone(), v))).collect(),
            None => Vec::new(),
        };
        let shown = values.iter().map(|(n, v)| format!("{n} = {}", format::found(*v))).collect::<Vec<_>>().join(", ");
        let state = match self.set_all(run, &values) {
            Ok(()) => {
                self.tune_undo = Some((run, previous));
                self.notify(
                    format!("tuned {}: {shown} ({} {}; u undoes)", view.label, view.metric.name(), format::num(metric)),
                    false,
                );
                TuneState::Applied
            }
            Err(why) => {
                self.notify(format!("tuned {}: {shown}, not set: {why}", view.label), true);
                TuneState::NotApplied(why)
            }
        };
        if let Some(job) = &self.tune {
            job.set_state(state);
        }
    }

    /// Set several hyperparameters of `id`'s label: those a rule across
    /// hyperparameters refuses now are retried after the others.
    fn set_all(&mut self, id: RunId, values: &[(String, Hyper)]) -> Result<(), String> {
        let ids: Vec<RunId> = self.groups.iter().find(|g| g.contains(&id)).cloned().unwrap_or_default();
        if ids.iter().filter_map(|&r| self.lab.run(r)).all(Run::is_finished) {
            return Err("its runs have stopped; r restarts every run".into());
        }
        for rid in ids {
            let Some(run) = self.lab.run_mut(rid) else { continue };
            if run.is_finished() {
                continue;
            }
            let mut pending: Vec<&(String, Hyper)> =
                values.iter().filter(|(n, v)| run.optimizer().get(n) != Some(*v)).collect();
            while !pending.is_empty() {
                let mut refused = Vec::new();
                let mut error = None;
                for item in &pending {
                    if let Err(e) = run.set_hyper(&item.0, item.1) {
                        refused.push(*item);
                        error = Some(e.to_string());
                    }
                }
                if refused.len() == pending.len() {
                    return Err(error.unwrap_or_default());
                }
                pending = refused;
            }
        }
        Ok(())
    }

    /// Put back what the last applied tuning replaced.
    fn undo_tune(&mut self) {
        let Some((run, previous)) = self.tune_undo.take() else {
            self.notify("nothing to undo (u undoes the last tuning)", true);
            return;
        };
        let label = self.lab.run(run).map(|r| r.label().to_string()).unwrap_or_default();
        let shown = previous.iter().map(|(n, v)| format!("{n} = {}", format::found(*v))).collect::<Vec<_>>().join(", ");
        match self.set_all(run, &previous) {
            Ok(()) => {
                self.notify(format!("undone: {label} back to {shown}"), false);
                if let Some(job) = self.tune.as_ref().filter(|j| j.run == run) {
                    job.set_state(TuneState::Undone);
                }
            }
            Err(why) => self.notify(format!("undo {label}: {why}"), true),
        }
    }

    fn restart(&mut self) {
        self.lab.restart();
        let dim = self.lab.objective().dim();
        for (run, h) in self.lab.runs().iter().zip(&self.shared.histories) {
            let mut fresh = new_history(run, dim, &self.history_options);
            fresh.set_smoothing(self.smoothing);
            *h.write().unwrap_or_else(PoisonError::into_inner) = fresh;
        }
        self.generation += 1;
        self.rate_samples.clear();
        self.reanchor();
        self.notify("restarted every run with the current settings", false);
    }

    /// The scenario that replays this session.
    pub fn session_scenario(&self) -> Scenario {
        session::session_scenario(&self.scenario, &self.lab)
    }

    pub fn export(&self) -> Result<PathBuf, crate::report::OutputError> {
        session::export(&self.results, &self.session_scenario(), &self.lab, &self.shared.quitting)
    }

    pub fn save(&self) -> Result<PathBuf, crate::report::OutputError> {
        session::save(&self.results, &self.session_scenario())
    }

    /// Up to `n` updates of every unfinished run; their records go to the histories.
    pub fn advance(&mut self, n: u64) {
        let before = self.lab.max_t();
        let histories = &self.shared.histories;
        let keep_params = self.history_options.path.is_some();
        let result: Result<(), Infallible> = self.lab.step_each(n, |id, _run| {
            Ok(HistorySink { history: &histories[id.0], records: Vec::new(), params: Vec::new(), keep_params })
        });
        let Ok(()) = result;
        let done = self.lab.max_t() - before;
        self.done_since_anchor += n;
        self.total_updates += done;
        self.dirty = true;
    }

    /// Publish a snapshot of the lab now.
    pub fn publish(&mut self) {
        let now = Instant::now();
        self.rate_samples.push_back((now, self.total_updates));
        while self.rate_samples.len() > 2 && now.duration_since(self.rate_samples[0].0) > Duration::from_secs(1) {
            self.rate_samples.pop_front();
        }
        let rate = match (self.rate_samples.front(), self.rate_samples.back()) {
            (Some(a), Some(b)) if b.0 > a.0 && !self.idle() => (b.1 - a.1) as f64 / (b.0 - a.0).as_secs_f64(),
            _ => 0.0,
        };
        let snapshot = self.snapshot(rate);
        self.shared.publish(snapshot);
        self.last_publish = now;
        self.dirty = false;
    }

    fn snapshot(&self, rate: f64) -> Snapshot {
        let objective = self.lab.objective();
        let groups = self
            .groups
            .iter()
            .map(|ids| {
                let runs: Vec<&Run> = ids.iter().filter_map(|&id| self.lab.run(id)).collect();
                // The hyperparameters of a running seed (they are the same for all).
                let lead = runs.iter().find(|r| !r.is_finished()).or(runs.first()).copied();
                let (label, kind, hyper, lr, next_lr, scheduled) = match lead {
                    Some(r) => (
                        r.label().to_string(),
                        r.optimizer().kind(),
                        r.optimizer()
                            .specs()
                            .iter()
                            .filter_map(|s| r.optimizer().get(s.name).map(|v| (*s, v)))
                            .collect(),
                        r.base_lr(),
                        r.next_lr(),
                        !r.spec().schedule.is_constant(),
                    ),
                    None => (String::new(), crate::optim::OptimizerKind::Sgd, Vec::new(), f64::NAN, f64::NAN, false),
                };
                let entry = lead.map_or(0, |r| r.spec().entry);
                let changes = lead.map_or_else(Vec::new, |r| {
                    let mut c: Vec<u64> = r
                        .spec()
                        .events
                        .iter()
                        .map(|e| e.step)
                        .filter(|&s| s <= r.t())
                        .chain(r.live_events().iter().map(|e| e.step))
                        .collect();
                    c.sort_unstable();
                    c.dedup();
                    c
                });
                GroupView {
                    label,
                    kind,
                    runs: ids.clone(),
                    hyper,
                    lr,
                    next_lr,
                    scheduled,
                    finished: runs.iter().all(|r| r.is_finished()),
                    entry,
                    shade: (0, 1),
                    changes,
                }
            })
            .collect::<Vec<GroupView>>();
        let mut groups = groups;
        // Shades: the labels of one entry (its sweep values) in order.
        for i in 0..groups.len() {
            let entry = groups[i].entry;
            let family: Vec<usize> = (0..groups.len()).filter(|&j| groups[j].entry == entry).collect();
            groups[i].shade = (family.iter().position(|&j| j == i).unwrap_or(0), family.len());
        }
        let boundary = objective.as_model().is_some_and(|m| m.is_planar_classifier());
        let runs = self
            .lab
            .runs()
            .iter()
            .enumerate()
            .map(|(i, run)| {
                let summary = run.summary();
                let slope =
                    self.shared.histories[i].read().unwrap_or_else(PoisonError::into_inner).log_slope(SLOPE_WINDOW);
                let busy = summary.wall_ms / 1e3;
                let last = run.last().clone();
                RunView {
                    id: RunId(i),
                    group: self.groups.iter().position(|g| g.contains(&RunId(i))).unwrap_or(0),
                    label: run.label().to_string(),
                    seed: run.spec().seed,
                    t: run.t(),
                    status: run.status(),
                    epochs_per_step: last.epoch.filter(|_| last.step > 0).map(|e| e / last.step as f64),
                    last,
                    best_loss: summary.best_loss,
                    steps_to_target: summary.steps_to_target,
                    distance: objective.distance_to_minimum(run.params().view()),
                    slope,
                    steps_per_sec: (busy > 0.0 && run.t() > 0).then(|| run.t() as f64 / busy),
                    position: (run.params().len() >= 2).then(|| [run.params()[0], run.params()[1]]),
                    params: boundary.then(|| run.params().iter().copied().collect()),
                }
            })
            .collect();
        Snapshot {
            name: self.scenario.name.clone(),
            objective: objective.describe(),
            // With an `epochs` budget the runs differ in length: the longest.
            steps: self.lab.runs().iter().map(|r| r.spec().steps).max().unwrap_or(self.scenario.steps),
            t: self.lab.max_t(),
            paused: self.paused,
            finished: self.lab.is_finished(),
            speed: self.speed,
            rate,
            smoothing: self.smoothing,
            groups,
            runs,
            notice: self.notice.clone(),
            handled: self.handled,
            generation: self.generation,
            is_model: objective.train_size().is_some(),
            landscape: objective.as_function().is_some_and(|f| f.dim() == 2),
            boundary,
            seeds: self.scenario.seeds,
            target_loss: self.lab.stop_rule().target_loss,
            lr_find: self.lr_find.clone(),
            tune: self.tune.as_ref().map(|j| Arc::new(j.snapshot())),
            train_size: objective.train_size(),
        }
    }

    /// The engine thread's loop: until `Quit` or the UI hangs up.
    pub fn run(mut self, rx: Receiver<(u64, Action)>) {
        loop {
            self.poll_tune();
            if self.idle() {
                if self.dirty {
                    self.publish();
                }
                if self.tune.as_ref().is_some_and(TuneJob::is_running) {
                    // A tuning runs in the background: look at it ten times a second.
                    match rx.recv_timeout(Duration::from_millis(100)) {
                        Ok((seq, action)) => {
                            if !self.handle(seq, action) {
                                return;
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                } else {
                    // Nothing to do until the UI asks: block.
                    match rx.recv() {
                        Ok((seq, action)) => {
                            if !self.handle(seq, action) {
                                return;
                            }
                        }
                        Err(_) => return,
                    }
                }
            }
            loop {
                match rx.try_recv() {
                    Ok((seq, action)) => {
                        if !self.handle(seq, action) {
                            return;
                        }
                    }
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return,
                }
            }
            if self.idle() {
                continue;
            }
            let rate = SPEEDS[self.speed];
            let n = if rate.is_finite() {
                let elapsed = self.anchor.elapsed().as_secs_f64();
                let due = (elapsed * rate) as u64;
                if due <= self.done_since_anchor {
                    if self.dirty {
                        self.publish();
                    }
                    let next = (self.done_since_anchor + 1) as f64 / rate - elapsed;
                    let wait = Duration::from_secs_f64(next.clamp(0.0, 0.05));
                    match rx.recv_timeout(wait) {
                        Ok((seq, action)) => {
                            if !self.handle(seq, action) {
                                return;
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    continue;
                }
                let behind = due - self.done_since_anchor;
                // Fallen far behind (the runs cost more than the speed allows): forget the debt.
                if behind as f64 > rate * 0.25 && behind > 1 {
                    self.reanchor();
                }
                behind.min((rate / 30.0).max(1.0) as u64)
            } else {
                self.batch
            };
            let started = Instant::now();
            self.advance(n);
            if !rate.is_finite() {
                let took = started.elapsed();
                if took < BATCH_TARGET / 2 {
                    self.batch = (self.batch * 2).min(MAX_BATCH);
                } else if took > BATCH_TARGET * 2 {
                    self.batch = (self.batch / 2).max(1);
                }
            }
            if self.last_publish.elapsed() >= PUBLISH_EVERY || self.idle() {
                self.publish();
            }
        }
    }
}

/// Collects a run's records during a batch and appends them to its history
/// at the end, so the history is locked only for the append.
struct HistorySink<'a> {
    history: &'a RwLock<History>,
    records: Vec<Record>,
    params: Vec<f64>,
    keep_params: bool,
}

impl RunSink for HistorySink<'_> {
    type Error = Infallible;

    fn record(&mut self, run: &Run, record: &Record) -> Result<(), Infallible> {
        self.records.push(record.clone());
        if self.keep_params {
            self.params.extend(run.params().iter());
        }
        Ok(())
    }

    fn finish(&mut self, run: &Run) -> Result<(), Infallible> {
        let dim = run.params().len();
        let mut h = self.history.write().unwrap_or_else(PoisonError::into_inner);
        for (i, r) in self.records.iter().enumerate() {
            let params = if self.keep_params { &self.params[i * dim..(i + 1) * dim] } else { &[][..] };
            h.push(r, params);
        }
        Ok(())
    }
}
