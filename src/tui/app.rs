//! The UI's state: the latest snapshot from the engine, what is selected and
//! how the charts are drawn. `update` turns an action into state changes and,
//! for the engine, an absolute action to send; drawing (in `view`) only reads.

use super::action::Action;
use super::adjust;
use super::controller::Shared;
use super::snapshot::{LrFindView, Notice, Snapshot};
use super::theme::{self, Depth};
use super::view;
use super::view::chart::XUnit;
use crate::engine::{History, RunId};
use crate::objective::Objective;
use crate::optim::{Hyper, HyperSpec};
use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use ratatui::style::Color;
use std::collections::BTreeSet;
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
    /// Validation loss (models).
    ValLoss,
    /// Validation accuracy (classification), highest first.
    ValAccuracy,
    Run,
}

impl SortKey {
    const ORDER: [SortKey; 7] = [
        SortKey::Loss,
        SortKey::BestLoss,
        SortKey::StepsToTarget,
        SortKey::Rate,
        SortKey::ValLoss,
        SortKey::ValAccuracy,
        SortKey::Run,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Loss => "loss",
            SortKey::BestLoss => "best loss",
            SortKey::StepsToTarget => "steps to target",
            SortKey::Rate => "rate",
            SortKey::ValLoss => "validation loss",
            SortKey::ValAccuracy => "validation accuracy",
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
    /// What the x axis measures.
    pub x_unit: XUnit,
    /// Labels (snapshot groups) hidden from the charts.
    pub hidden: BTreeSet<usize>,
    /// The label shown alone (`o`), if any.
    pub solo: Option<usize>,
    /// Every label but the selected one dimmed.
    pub focus: bool,
    /// Every seed's line instead of a median with a band.
    pub seed_lines: bool,
    /// Index into [`ZOOMS`].
    pub zoom: usize,
    /// The y range ignores outliers.
    pub robust: bool,
    /// The colours this terminal shows.
    pub depth: Depth,
    pub help: bool,
    /// The first line of the help shown (it scrolls when the terminal is short).
    pub help_scroll: u16,
    pub quit: bool,
    /// The right-hand pane shows the learning-rate range test asked for by
    /// the action numbered so (`f`; `f` or `v` closes it).
    pub lr_find: Option<u64>,
    /// The landscape shows the function's own window rather than one fitted
    /// to the paths (`b`).
    pub landscape_own_window: bool,
    /// The right-hand pane shows the lab tuning asked for by the action
    /// numbered so (`t`; `t` or `v` closes it).
    pub tune: Option<u64>,
    edits: Vec<Edit>,
    next_seq: u64,
    /// The slider being dragged with the mouse.
    dragging: Option<usize>,
    /// The terminal's size at the last draw (for the mouse).
    pub size: Rect,
    /// The notice the user has moved on from (any key after it dismisses it).
    dismissed: u64,
    /// Why the last key did nothing (shown in the footer until the next key).
    note: Option<String>,
}

/// The fractions of the x range `z` cycles through (the latest part, following live runs).
pub const ZOOMS: [f64; 3] = [1.0, 0.5, 0.1];

impl App {
    pub fn new(shared: Arc<Shared>, objective: Arc<dyn Objective>) -> App {
        let snapshot = shared.snapshot();
        let is_model = snapshot.is_model;
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
            x_unit: if is_model { XUnit::Epochs } else { XUnit::Steps },
            hidden: BTreeSet::new(),
            solo: None,
            focus: false,
            seed_lines: false,
            zoom: 0,
            robust: false,
            depth: Depth::detect(),
            help: false,
            help_scroll: 0,
            quit: false,
            lr_find: None,
            landscape_own_window: false,
            tune: None,
            edits: Vec::new(),
            next_seq: 1,
            dragging: None,
            size: Rect::default(),
            dismissed: 0,
            note: None,
        }
    }

    /// Why the last key did nothing, until the next key.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }

    /// A label's colour: its entry's hue, shaded by its sweep value.
    pub fn color(&self, group: usize) -> Color {
        match self.snapshot.groups.get(group) {
            Some(g) => theme::shade(g.entry, g.shade.0, g.shade.1, self.depth),
            None => theme::shade(group, 0, 1, self.depth),
        }
    }

    /// Whether a label's runs are drawn in the charts.
    pub fn shown(&self, group: usize) -> bool {
        !self.hidden.contains(&group)
    }

    /// The x axes that apply: steps always, epochs and samples seen for
    /// models, seconds of stepping time.
    pub fn x_units(&self) -> Vec<XUnit> {
        let mut units = vec![XUnit::Steps];
        if self.snapshot.is_model {
            units.extend([XUnit::Epochs, XUnit::Samples]);
        }
        units.push(XUnit::Seconds);
        units
    }

    pub fn zoom_fraction(&self) -> f64 {
        ZOOMS[self.zoom % ZOOMS.len()]
    }

    /// The runs of a label, when it has several (seeds) and they are drawn as a band.
    pub fn banded(&self, group: usize) -> bool {
        !self.seed_lines && self.snapshot.groups.get(group).is_some_and(|g| g.runs.len() > 1)
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

    /// The lab tuning the right-hand pane shows, once the engine has started it.
    pub fn tune_view(&self) -> Option<&super::tune::TuneView> {
        let seq = self.tune?;
        self.snapshot.tune.as_deref().filter(|v| v.seq >= seq)
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
        self.note = None;
        let groups = self.snapshot.groups.len();
        if self.help {
            // The help scrolls with the selection keys; Esc (or ?) closes it.
            match action {
                Action::SelectNext => {
                    self.help_scroll = self.help_scroll.saturating_add(1);
                    return None;
                }
                Action::SelectPrev => {
                    self.help_scroll = self.help_scroll.saturating_sub(1);
                    return None;
                }
                Action::Back => {
                    self.help = false;
                    return None;
                }
                _ => {}
            }
        }
        if let Some(why) = self.why_not(&action) {
            self.note = Some(why);
            return None;
        }
        let selected_label = self.snapshot.groups.get(self.selected).map(|g| g.label.clone()).unwrap_or_default();
        match action {
            Action::Back if self.lr_find.is_some() => {
                self.lr_find = None;
                None
            }
            Action::Back => self.update(Action::Quit),
            Action::ToggleHidden => {
                if !self.hidden.remove(&self.selected) {
                    self.hidden.insert(self.selected);
                    self.note = Some(format!("{selected_label} hidden (i shows it, a shows all)"));
                }
                self.solo = None;
                None
            }
            Action::Solo => {
                if self.solo == Some(self.selected) {
                    self.solo = None;
                    self.hidden.clear();
                } else {
                    self.solo = Some(self.selected);
                    self.hidden = (0..groups).filter(|&g| g != self.selected).collect();
                    self.note = Some(format!("only {selected_label} (o again shows all)"));
                }
                None
            }
            Action::ShowAll => {
                self.solo = None;
                self.hidden.clear();
                None
            }
            Action::ToggleFocus => {
                self.focus = !self.focus;
                None
            }
            Action::ToggleSeedBands => {
                self.seed_lines = !self.seed_lines;
                None
            }
            Action::CycleZoom => {
                self.zoom = (self.zoom + 1) % ZOOMS.len();
                None
            }
            Action::ToggleRobust => {
                self.robust = !self.robust;
                None
            }
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
                self.tune = None;
                message
            }
            Action::Tune => {
                // Open: t closes it (stopping a tuning still running), unless another label is selected now.
                let other = self.tune_view().is_some_and(|v| v.group != self.selected);
                if self.tune.is_some() && !other {
                    self.tune = None;
                    return self.send(Action::CancelTune);
                }
                let run = self.group_run(self.selected)?;
                let message = self.send(Action::TuneFor { run });
                self.tune = message.as_ref().map(|(seq, _)| *seq);
                self.lr_find = None;
                message
            }
            Action::CycleSecondChart if self.lr_find.is_some() || self.tune.is_some() => {
                self.lr_find = None;
                self.tune = None;
                None
            }
            Action::CycleSecondChart => {
                let charts = self.second_charts();
                let i = charts.iter().position(|c| *c == self.second).map_or(0, |i| (i + 1) % charts.len());
                self.second = charts.get(i).copied().unwrap_or(SecondChart::GradNorm);
                None
            }
            Action::CycleSort => {
                // Validation orders only where there is validation.
                let has_val = self.snapshot.runs.iter().any(|r| r.last.val_loss.is_some());
                let has_acc = self.snapshot.runs.iter().any(|r| r.last.val_accuracy.is_some());
                let keys: Vec<SortKey> = SortKey::ORDER
                    .into_iter()
                    .filter(|k| match k {
                        SortKey::ValLoss => has_val,
                        SortKey::ValAccuracy => has_acc,
                        _ => true,
                    })
                    .collect();
                let i = keys.iter().position(|k| *k == self.sort).unwrap_or(0);
                self.sort = keys[(i + 1) % keys.len()];
                None
            }
            Action::ToggleXAxis => {
                let units = self.x_units();
                let i = units.iter().position(|u| *u == self.x_unit).map_or(0, |i| (i + 1) % units.len());
                self.x_unit = units[i];
                None
            }
            Action::ToggleLandscapeWindow => {
                self.landscape_own_window = !self.landscape_own_window;
                None
            }
            Action::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
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

    /// Why a key cannot act now, if it cannot.
    fn why_not(&self, action: &Action) -> Option<String> {
        let s = &self.snapshot;
        let selected = s.groups.get(self.selected);
        let why = match action {
            Action::Step if s.finished => "every run has finished: r restarts them".to_string(),
            Action::Step if !s.paused => "n steps only when paused: space pauses".to_string(),
            Action::TogglePause if s.finished => "every run has finished: r restarts them".to_string(),
            Action::Faster if s.speed + 1 >= super::snapshot::SPEEDS.len() => {
                "already as fast as the machine goes".to_string()
            }
            Action::Slower if s.speed == 0 => "already at the slowest speed (1 step a second)".to_string(),
            Action::SelectNext | Action::SelectPrev if s.groups.len() < 2 => "there is only one run".to_string(),
            Action::NextField | Action::PrevField | Action::RaiseField | Action::LowerField
                if self.fields().is_empty() =>
            {
                format!("{} has no hyperparameter but its learning rate", selected.map_or("", |g| g.label.as_str()))
            }
            Action::RaiseLearningRate | Action::LowerLearningRate | Action::RaiseField | Action::LowerField
                if selected.is_some_and(|g| g.finished) =>
            {
                format!("{} has stopped: r restarts every run", selected.map_or("", |g| g.label.as_str()))
            }
            Action::ToggleXAxis if self.x_units().len() < 2 => "only steps on the x axis here".to_string(),
            Action::ToggleSeedBands if !s.groups.iter().any(|g| g.runs.len() > 1) => {
                "no seeds to group: every label has one run (seeds = 1)".to_string()
            }
            Action::ShowAll if self.hidden.is_empty() => "every run is shown already".to_string(),
            Action::ToggleHidden | Action::Solo if s.groups.len() < 2 && self.hidden.is_empty() => {
                "there is only one run".to_string()
            }
            _ => return None,
        };
        Some(why)
    }

    /// A mouse press or drag on a learning-rate slider sets that label's rate.
    pub fn mouse(&mut self, event: MouseEvent) -> Option<(u64, Action)> {
        let at = Position::new(event.column, event.row);
        let sliders = view::slider_tracks(self, self.size);
        match event.kind {
            MouseEventKind::Down(button @ (MouseButton::Left | MouseButton::Right))
                if !sliders.iter().any(|(_, t)| t.contains(at)) =>
            {
                // A table row selects its label, a legend entry hides or shows it; the right button solos either.
                let row = view::table_rows(self, self.size).into_iter().find(|(r, _)| r.contains(at));
                let legend = || view::legend_rows(self, self.size).into_iter().find(|(r, _)| r.contains(at));
                let (group, on_legend) = match row {
                    Some((_, g)) => (g, false),
                    None => (legend()?.1, true),
                };
                self.selected = group;
                self.field = self.field.min(self.fields().len().saturating_sub(1));
                match (button, on_legend) {
                    (MouseButton::Right, _) => {
                        self.solo = None;
                        self.update(Action::Solo)
                    }
                    (_, true) => self.update(Action::ToggleHidden),
                    _ => None,
                }
            }
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
