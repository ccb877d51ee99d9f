//! The UI's state: the latest snapshot from the engine, what is selected and
//! how the charts are drawn. `update` turns an action into state changes and,
//! for the engine, an absolute action to send; drawing (in `view`) only reads.

use super::action::Action;
use super::adjust;
use super::controller::Shared;
use super::snapshot::{LrFindView, Notice, Snapshot};
use super::view;
use crate::engine::{History, RunId};
use crate::objective::Objective;
use crate::optim::{Hyper, HyperSpec};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use std::sync::{Arc, PoisonError, RwLockReadGuard};

/// The smoothing weights `m` cycles through (TensorBoard's slider, in notches).
pub const SMOOTHINGS: [f64; 4] = [0.0, 0.6, 0.9, 0.99];

/// What the right-hand chart shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecondChart {
    Landscape,
    /// The selected run's decision regions with the samples (classifiers of a plane).
    Boundary,
    GradNorm,
    LearningRate,
    ValAccuracy,
}

impl SecondChart {
    const ORDER: [SecondChart; 5] = [
        SecondChart::Landscape,
        SecondChart::Boundary,
        SecondChart::GradNorm,
        SecondChart::LearningRate,
        SecondChart::ValAccuracy,
    ];
}

/// The table's order, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Loss,
    BestLoss,
    StepsToTarget,
    Rate,
    Run,
}

impl SortKey {
    const ORDER: [SortKey; 5] = [SortKey::Loss, SortKey::BestLoss, SortKey::StepsToTarget, SortKey::Rate, SortKey::Run];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Loss => "loss",
            SortKey::BestLoss => "best loss",
            SortKey::StepsToTarget => "steps to target",
            SortKey::Rate => "rate",
            SortKey::Run => "run order",
        }
    }
}

/// A change sent to the engine and not yet seen in a snapshot: shown at once,
/// so that quick key presses build on each other.
#[derive(Clone, Debug)]
struct Edit {
    seq: u64,
    group: usize,
    name: String,
    value: Hyper,
}

pub struct App {
    snapshot: Arc<Snapshot>,
    shared: Arc<Shared>,
    objective: Arc<dyn Objective>,
    /// The selected run label (index into the snapshot's groups).
    pub selected: usize,
    /// The cursor among the selected label's hyperparameters other than lr.
    pub field: usize,
    pub log_scale: bool,
    pub smoothing: usize,
    pub second: SecondChart,
    pub sort: SortKey,
    /// Epochs rather than steps on the x axis (models).
    pub epochs: bool,
    pub help: bool,
    pub quit: bool,
    /// The right-hand pane shows the learning-rate range test asked for by
    /// the action numbered so (`f`; `f` or `v` closes it).
    pub lr_find: Option<u64>,
    /// The landscape shows the function's own window rather than one fitted
    /// to the paths (`b`).
    pub landscape_own_window: bool,
    edits: Vec<Edit>,
    next_seq: u64,
    /// The slider being dragged with the mouse.
    dragging: Option<usize>,
    /// The terminal's size at the last draw (for the mouse).
    pub size: Rect,
    /// The notice the user has moved on from (any key after it dismisses it).
    dismissed: u64,
}

impl App {
    pub fn new(shared: Arc<Shared>, objective: Arc<dyn Objective>) -> App {
        let snapshot = shared.snapshot();
        let second = if snapshot.landscape {
            SecondChart::Landscape
        } else if snapshot.boundary {
            SecondChart::Boundary
        } else if snapshot.runs.iter().any(|r| r.last.val_accuracy.is_some()) {
            SecondChart::ValAccuracy
        } else {
            SecondChart::GradNorm
        };
        App {
            snapshot,
            shared,
            objective,
            selected: 0,
            field: 0,
            log_scale: true,
            smoothing: 0,
            second,
            sort: SortKey::Loss,
            epochs: true,
            help: false,
            quit: false,
            lr_find: None,
            landscape_own_window: false,
            edits: Vec::new(),
            next_seq: 1,
            dragging: None,
            size: Rect::default(),
            dismissed: 0,
        }
    }

    /// The engine's latest notice, until the next key.
    pub fn notice(&self) -> Option<&Notice> {
        self.snapshot.notice.as_ref().filter(|n| n.seq > self.dismissed)
    }

    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }
    pub fn objective(&self) -> &dyn Objective {
        self.objective.as_ref()
    }

    /// The range test the right-hand pane shows, once the engine has run it.
    pub fn lr_find_view(&self) -> Option<&LrFindView> {
        let seq = self.lr_find?;
        self.snapshot.lr_find.as_deref().filter(|v| v.seq >= seq)
    }

    /// The histories, locked for reading while a frame is drawn.
    pub fn histories(&self) -> Vec<RwLockReadGuard<'_, History>> {
        self.shared.histories().iter().map(|h| h.read().unwrap_or_else(PoisonError::into_inner)).collect()
    }

    /// Take the engine's latest snapshot if there is a newer one; true if so.
    pub fn refresh(&mut self, version: &mut u64) -> bool {
        let v = self.shared.version();
        if v == *version {
            return false;
        }
        *version = v;
        self.set_snapshot(self.shared.snapshot());
        true
    }

    pub fn set_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        self.edits.retain(|e| e.seq > snapshot.handled);
        self.snapshot = snapshot;
        self.selected = self.selected.min(self.snapshot.groups.len().saturating_sub(1));
        self.field = self.field.min(self.fields().len().saturating_sub(1));
    }

    /// A hyperparameter of a label as the UI should show it: the pending edit, else the engine's.
    pub fn value(&self, group: usize, name: &str) -> Option<Hyper> {
        self.edits
            .iter()
            .rev()
            .find(|e| e.group == group && e.name == name)
            .map(|e| e.value)
            .or_else(|| self.snapshot.groups.get(group)?.get(name))
    }

    pub fn lr(&self, group: usize) -> f64 {
        self.value(group, "lr").and_then(Hyper::as_f64).unwrap_or(f64::NAN)
    }

    /// The selected label's hyperparameters other than lr.
    pub fn fields(&self) -> Vec<HyperSpec> {
        self.snapshot
            .groups
            .get(self.selected)
            .map(|g| g.hyper.iter().map(|(s, _)| *s).filter(|s| s.name != "lr").collect())
            .unwrap_or_default()
    }

    pub fn smoothing_weight(&self) -> f64 {
        SMOOTHINGS[self.smoothing % SMOOTHINGS.len()]
    }

    /// The second charts that apply to this objective.
    pub fn second_charts(&self) -> Vec<SecondChart> {
        SecondChart::ORDER
            .into_iter()
            .filter(|c| match c {
                SecondChart::Landscape => self.snapshot.landscape,
                SecondChart::Boundary => self.snapshot.boundary,
                SecondChart::ValAccuracy => self.snapshot.runs.iter().any(|r| r.last.val_accuracy.is_some()),
                _ => true,
            })
            .collect()
    }

    fn group_run(&self, group: usize) -> Option<RunId> {
        self.snapshot.groups.get(group).and_then(|g| g.runs.first().copied())
    }

    fn send(&mut self, action: Action) -> Option<(u64, Action)> {
        let seq = self.next_seq;
        self.next_seq += 1;
        let edit = match &action {
            Action::SetLearningRate { run, value } => Some((*run, "lr".to_string(), Hyper::Float(*value))),
            Action::SetHyper { run, name, value } => Some((*run, name.clone(), *value)),
            _ => None,
        };
        if let Some((run, name, value)) = edit
            && let Some(group) = self.snapshot.groups.iter().position(|g| g.runs.contains(&run))
        {
            self.edits.push(Edit { seq, group, name, value });
        }
        Some((seq, action))
    }

    /// Apply an action; returns what to send to the engine, numbered.
    pub fn update(&mut self, action: Action) -> Option<(u64, Action)> {
        if let Some(n) = &self.snapshot.notice {
            self.dismissed = n.seq;
        }
        let groups = self.snapshot.groups.len();
        match action {
            Action::SelectNext if groups > 0 => {
                self.selected = (self.selected + 1) % groups;
                self.field = self.field.min(self.fields().len().saturating_sub(1));
                None
            }
            Action::SelectPrev if groups > 0 => {
                self.selected = (self.selected + groups - 1) % groups;
                self.field = self.field.min(self.fields().len().saturating_sub(1));
                None
            }
            Action::NextField | Action::PrevField => {
                let n = self.fields().len();
                if n > 0 {
                    self.field =
                        if action == Action::NextField { (self.field + 1) % n } else { (self.field + n - 1) % n };
                }
                None
            }
            Action::RaiseLearningRate | Action::LowerLearningRate => {
                let run = self.group_run(self.selected)?;
                let lr = self.lr(self.selected);
                let value = adjust::step_lr(lr, action == Action::RaiseLearningRate);
                (value != lr).then_some(())?;
                self.send(Action::SetLearningRate { run, value })
            }
            Action::RaiseField | Action::LowerField => {
                let run = self.group_run(self.selected)?;
                let spec = *self.fields().get(self.field)?;
                let current = self.value(self.selected, spec.name)?;
                let value = adjust::step_hyper(&spec, current, action == Action::RaiseField)?;
                self.send(Action::SetHyper { run, name: spec.name.to_string(), value })
            }
            Action::ToggleLogScale => {
                self.log_scale = !self.log_scale;
                None
            }
            Action::CycleSmoothing => {
                self.smoothing = (self.smoothing + 1) % SMOOTHINGS.len();
                let w = self.smoothing_weight();
                self.send(Action::SetSmoothing(w))
            }
            Action::FindLr => {
                // Open: f closes it, unless another label is selected now (then it runs for that one).
                let other = self.lr_find_view().is_some_and(|v| v.group != self.selected);
                if self.lr_find.is_some() && !other {
                    self.lr_find = None;
                    return None;
                }
                let run = self.group_run(self.selected)?;
                let message = self.send(Action::FindLrFor { run });
                self.lr_find = message.as_ref().map(|(seq, _)| *seq);
                message
            }
            Action::CycleSecondChart if self.lr_find.is_some() => {
                self.lr_find = None;
                None
            }
            Action::CycleSecondChart => {
                let charts = self.second_charts();
                let i = charts.iter().position(|c| *c == self.second).map_or(0, |i| (i + 1) % charts.len());
                self.second = charts.get(i).copied().unwrap_or(SecondChart::GradNorm);
                None
            }
            Action::CycleSort => {
                let i = SortKey::ORDER.iter().position(|k| *k == self.sort).unwrap_or(0);
                self.sort = SortKey::ORDER[(i + 1) % SortKey::ORDER.len()];
                None
            }
            Action::ToggleXAxis => {
                self.epochs = !self.epochs;
                None
            }
            Action::ToggleLandscapeWindow => {
                self.landscape_own_window = !self.landscape_own_window;
                None
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                None
            }
            Action::Quit => {
                self.quit = true;
                self.send(Action::Quit)
            }
            a if a.is_for_engine() => self.send(a),
            _ => None,
        }
    }

    /// A mouse press or drag on a learning-rate slider sets that label's rate.
    pub fn mouse(&mut self, event: MouseEvent) -> Option<(u64, Action)> {
        let at = Position::new(event.column, event.row);
        let sliders = view::slider_tracks(self, self.size);
        match event.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                let (group, track) = sliders.into_iter().find(|(_, t)| t.contains(at))?;
                self.dragging = Some(group);
                self.selected = group;
                self.field = self.field.min(self.fields().len().saturating_sub(1));
                self.set_lr_at(group, track, event.column)
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                let group = self.dragging?;
                let (_, track) = sliders.into_iter().find(|(g, _)| *g == group)?;
                self.set_lr_at(group, track, event.column)
            }
            MouseEventKind::Up(_) => {
                self.dragging = None;
                None
            }
            _ => None,
        }
    }

    fn set_lr_at(&mut self, group: usize, track: Rect, column: u16) -> Option<(u64, Action)> {
        let run = self.group_run(group)?;
        let span = f64::from(track.width.saturating_sub(1).max(1));
        let fraction = f64::from(column.saturating_sub(track.x)) / span;
        let value = adjust::lr_at(fraction);
        (value != self.lr(group)).then_some(())?;
        self.send(Action::SetLearningRate { run, value })
    }
}
