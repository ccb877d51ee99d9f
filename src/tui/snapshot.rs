//! What the engine thread publishes for the UI: a small copy of the lab's
//! state, taken after each batch of steps. The histories are shared beside it
//! (see [`Shared`](super::controller::Shared)), too large to copy each frame.

use crate::engine::lr_find::{LrCurve, LrFindOptions};
use crate::engine::{Record, RunId, Status};
use crate::optim::{Hyper, HyperSpec, OptimizerKind};
use std::sync::Arc;

/// Target speeds in updates per second; the last is "as fast as the machine goes".
pub const SPEEDS: [f64; 20] = [
    1.0,
    2.0,
    5.0,
    10.0,
    20.0,
    50.0,
    100.0,
    200.0,
    500.0,
    1e3,
    2e3,
    5e3,
    1e4,
    2e4,
    5e4,
    1e5,
    2e5,
    5e5,
    1e6,
    f64::INFINITY,
];

/// The speed a lab starts at when nothing else is known (200 updates a second).
pub const DEFAULT_SPEED: usize = 7;

/// How long a scenario takes to watch at the speed a lab starts at.
pub const WATCH_SECONDS: f64 = 15.0;

/// The speed a lab of `steps` updates per run starts at: the one of
/// [`SPEEDS`] nearest (on a log scale) to finishing in [`WATCH_SECONDS`].
pub fn default_speed(steps: u64) -> usize {
    let wanted = (steps.max(1) as f64 / WATCH_SECONDS).max(1.0);
    (0..SPEEDS.len() - 1)
        .min_by(|&a, &b| (SPEEDS[a].ln() - wanted.ln()).abs().total_cmp(&(SPEEDS[b].ln() - wanted.ln()).abs()))
        .unwrap_or(DEFAULT_SPEED)
}

/// A line for the status bar: the outcome of an export, a save, a refused change.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    /// Increases with every notice, so the UI can tell a new one from an old one.
    pub seq: u64,
    pub text: String,
    pub error: bool,
}

/// The runs that share a label (the seeds of one configuration): one slider, one colour.
#[derive(Clone, Debug)]
pub struct GroupView {
    pub label: String,
    pub kind: OptimizerKind,
    pub runs: Vec<RunId>,
    /// Every hyperparameter with its spec and current value, in catalog order.
    pub hyper: Vec<(HyperSpec, Hyper)>,
    /// The base learning rate, and the rate of the next update (schedules).
    pub lr: f64,
    pub next_lr: f64,
    pub scheduled: bool,
    /// Every run of the group has stopped.
    pub finished: bool,
    /// The `[[optimizer]]` entry it comes from, and its place among that
    /// entry's labels (k of n: its sweep value), for its colour.
    pub entry: usize,
    pub shade: (usize, usize),
    /// Steps after which its settings changed (`[[event]]`s applied, slider moves).
    pub changes: Vec<u64>,
}

impl GroupView {
    pub fn get(&self, name: &str) -> Option<Hyper> {
        self.hyper.iter().find(|(s, _)| s.name == name).map(|(_, v)| *v)
    }
}

/// One run's figures for the table and the charts.
#[derive(Clone, Debug)]
pub struct RunView {
    pub id: RunId,
    /// Index into [`Snapshot::groups`].
    pub group: usize,
    pub label: String,
    pub seed: u64,
    pub t: u64,
    pub status: Status,
    pub last: Record,
    pub best_loss: f64,
    pub steps_to_target: Option<u64>,
    /// Distance from the parameters to the nearest known minimum.
    pub distance: Option<f64>,
    /// Recent slope of log₁₀ loss, in decades per update.
    pub slope: Option<f64>,
    /// Updates per second of stepping time (what the optimizer costs).
    pub steps_per_sec: Option<f64>,
    /// Epochs per update (models), to draw the x axis in epochs.
    pub epochs_per_step: Option<f64>,
    /// The first two parameters now (2-D landscapes).
    pub position: Option<[f64; 2]>,
    /// All parameters now, for classifiers of a plane (decision boundaries).
    pub params: Option<Arc<[f64]>>,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub name: String,
    pub objective: String,
    /// Updates per run in the scenario.
    pub steps: u64,
    /// The most updates any run has done.
    pub t: u64,
    pub paused: bool,
    pub finished: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// Updates per second over the last second.
    pub rate: f64,
    pub smoothing: f64,
    pub groups: Vec<GroupView>,
    pub runs: Vec<RunView>,
    pub notice: Option<Notice>,
    /// The sequence number of the last action the engine carried out.
    pub handled: u64,
    /// How many times the lab restarted.
    pub generation: u64,
    /// The objective is a model on a dataset (epochs, validation).
    pub is_model: bool,
    /// The objective has a 2-D landscape to draw.
    pub landscape: bool,
    /// The objective classifies points of a plane: a decision boundary to draw.
    pub boundary: bool,
    pub seeds: u64,
    pub target_loss: Option<f64>,
    /// The latest learning-rate range test (`f`).
    pub lr_find: Option<Arc<LrFindView>>,
    /// The latest lab tuning (`t`), as it stands.
    pub tune: Option<Arc<super::tune::TuneView>>,
    /// Training samples (models), for the x axis in samples seen.
    pub train_size: Option<usize>,
}

/// A learning-rate range test of one label, run by the engine on a fresh copy
/// of its first seed (see [`crate::engine::lr_find`]).
#[derive(Clone, Debug)]
pub struct LrFindView {
    /// The sequence number of the action that asked for it.
    pub seq: u64,
    /// Index into [`Snapshot::groups`].
    pub group: usize,
    /// The run the test copied.
    pub run: RunId,
    pub curve: LrCurve,
    pub options: LrFindOptions,
    /// The known minimum f* (the curve's smoothed loss is the gap to it).
    pub f_star: Option<f64>,
    /// The suggestion became the label's learning rate.
    pub applied: bool,
    /// The rate the suggestion replaced, while it can be put back (`u`).
    pub previous: Option<f64>,
    /// `u` put the previous rate back.
    pub undone: bool,
}

impl Snapshot {
    pub fn speed_label(&self) -> String {
        speed_label(self.speed)
    }
}

pub fn speed_label(index: usize) -> String {
    match SPEEDS.get(index) {
        Some(s) if s.is_finite() => format!("{}/s", super::format::count(*s)),
        _ => "max".into(),
    }
}
