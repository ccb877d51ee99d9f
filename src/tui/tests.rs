//! The UI without a terminal: panes rendered into a `TestBackend` and
//! compared with snapshot files (`snapshots/`, readable text), keys applied to
//! the app and the controller and their state checked.

use super::action::Action;
use super::app::{App, SecondChart, SortKey};
use super::controller::Controller;
use super::keys::action_for;
use super::snapshot::SPEEDS;
use super::view;
use crate::engine::{Lab, RunId, RunSpec, Status, StopRule};
use crate::objective::{Objective, Validation};
use crate::optim::{Hyper, OptimizerKind, Schedule};
use crate::scenario::{Origin, Scenario};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::sync::Arc;

/// SGD only, so the pictures do not move when other optimizers change.
pub(super) const LAB: &str = r#"
name = "Test lab"
steps = 400

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]

[stop]
target_loss = 4.0

[[optimizer]]
kind = "gd"
label = "GD"
lr = 5e-4

[[optimizer]]
kind = "sgd"
label = "Momentum"
lr = 2e-4
momentum = 0.9

[[optimizer]]
kind = "sgd"
label = "Too fast"
lr = 0.01
"#;

pub(super) struct TestLab {
    pub(super) controller: Controller,
    pub(super) app: App,
    _dir: tempfile::TempDir,
}

fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, Origin::Bundled("test")).unwrap()
}

pub(super) fn open(text: &str, steps: u64) -> TestLab {
    let dir = tempfile::tempdir().unwrap();
    let (mut controller, shared) = Controller::new(scenario(text), true, dir.path().join("results")).unwrap();
    controller.advance(steps);
    controller.publish();
    let app = App::new(shared, controller.lab().objective_arc());
    let mut lab = TestLab { controller, app, _dir: dir };
    lab.sync();
    lab
}

impl TestLab {
    /// The app sees the controller's latest state, with its timings fixed so
    /// that pictures do not depend on the machine.
    fn sync(&mut self) {
        self.controller.publish();
        let mut v = 0;
        self.app.refresh(&mut v);
        let mut s = self.app.snapshot().clone();
        s.rate = 0.0;
        for r in &mut s.runs {
            r.steps_per_sec = r.steps_per_sec.map(|_| 12_345.0);
        }
        self.app.set_snapshot(Arc::new(s));
    }

    /// A key through the table, the app and (for its share) the controller.
    pub(super) fn press(&mut self, code: KeyCode) {
        let action = action_for(KeyEvent::new(code, KeyModifiers::NONE)).expect("bound key");
        self.act(action);
    }

    fn act(&mut self, action: Action) {
        if let Some((seq, a)) = self.app.update(action) {
            self.controller.handle(seq, a);
        }
        self.sync();
    }
}

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    t
}

/// One pane alone, as text.
pub(super) fn pane(width: u16, height: u16, f: impl FnOnce(Rect, &mut Buffer)) -> String {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    f(area, &mut buf);
    let mut t = Terminal::new(TestBackend::new(width, height)).unwrap();
    t.draw(|frame| *frame.buffer_mut() = buf).unwrap();
    t.backend().to_string()
}

fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

#[test]
fn whole_screen_120x40() {
    let lab = open(LAB, 150);
    insta::assert_snapshot!(text(&draw(&lab.app, 120, 40)));
}

#[test]
fn whole_screen_80x24() {
    let lab = open(LAB, 150);
    insta::assert_snapshot!(text(&draw(&lab.app, 80, 24)));
}

#[test]
fn too_small_asks_for_more_room() {
    let lab = open(LAB, 10);
    insta::assert_snapshot!(text(&draw(&lab.app, 30, 8)));
}

#[test]
fn any_size_draws_without_panicking() {
    let mut lab = open(LAB, 50);
    lab.press(KeyCode::Char('?'));
    for width in (0..=130).step_by(13) {
        for height in (0..=46).step_by(9) {
            draw(&lab.app, width, height);
        }
    }
    lab.press(KeyCode::Char('?'));
    for (w, h) in [(1, 1), (20, 5), (2, 40), (200, 2), (40, 12), (63, 30), (64, 30), (250, 70)] {
        draw(&lab.app, w, h);
    }
}

#[test]
fn help_overlay() {
    let mut lab = open(LAB, 20);
    lab.press(KeyCode::Char('?'));
    assert!(lab.app.help);
    insta::assert_snapshot!(text(&draw(&lab.app, 80, 32)));
}

#[test]
fn loss_chart_pane() {
    let mut lab = open(LAB, 300);
    let hs = lab.app.histories();
    let refs: Vec<_> = hs.iter().map(|g| &**g).collect();
    let log = pane(70, 16, |a, b| {
        view::loss_chart::render(&lab.app, &refs, a, b);
    });
    drop(hs);
    insta::assert_snapshot!("loss_chart_log", log);
    lab.press(KeyCode::Char('g'));
    lab.press(KeyCode::Char('m'));
    assert_eq!(lab.app.snapshot().smoothing, 0.6);
    let hs = lab.app.histories();
    let refs: Vec<_> = hs.iter().map(|g| &**g).collect();
    insta::assert_snapshot!(
        "loss_chart_linear_smoothed",
        pane(70, 16, |a, b| {
            view::loss_chart::render(&lab.app, &refs, a, b);
        })
    );
}

#[test]
fn landscape_pane() {
    let lab = open(LAB, 300);
    let hs = lab.app.histories();
    let refs: Vec<_> = hs.iter().map(|g| &**g).collect();
    insta::assert_snapshot!(pane(50, 20, |a, b| view::landscape::render(&lab.app, &refs, a, b)));
}

#[test]
fn sliders_pane() {
    let mut lab = open(LAB, 10);
    lab.press(KeyCode::Down);
    lab.press(KeyCode::Tab);
    lab.press(KeyCode::Right);
    insta::assert_snapshot!(pane(44, 10, |a, b| view::sliders::render(&lab.app, a, b)));
}

#[test]
fn table_pane_sorted_two_ways() {
    let mut lab = open(LAB, 300);
    insta::assert_snapshot!("table_by_loss", pane(100, 6, |a, b| view::table::render(&lab.app, a, b)));
    lab.act(Action::CycleSort);
    lab.act(Action::CycleSort);
    lab.act(Action::CycleSort);
    assert_eq!(lab.app.sort, SortKey::Rate);
    insta::assert_snapshot!("table_by_rate_narrow", pane(60, 6, |a, b| view::table::render(&lab.app, a, b)));
}

#[test]
fn header_and_footer() {
    let mut lab = open(LAB, 7);
    insta::assert_snapshot!("header", pane(100, 1, |a, b| view::header::render(&lab.app, a, b)));
    lab.press(KeyCode::Char('w'));
    let footer = pane(120, 1, |a, b| view::footer::render(&lab.app, a, b));
    assert!(footer.contains("saved "), "{footer}");
    assert!(footer.contains("test-lab-session-1.toml"), "{footer}");
    lab.press(KeyCode::Char('j'));
    let footer = pane(120, 1, |a, b| view::footer::render(&lab.app, a, b));
    assert!(!footer.contains("saved"), "a key dismisses the notice: {footer}");
}

#[test]
fn n_dimensional_objectives_get_a_second_chart() {
    let text = LAB
        .replace("start = [-1.5, 2.0]", "dim = 4")
        .replace("[[optimizer]]\nkind = \"sgd\"\nlabel = \"Too fast\"\nlr = 0.01\n", "");
    let mut lab = open(&text, 200);
    assert_eq!(lab.app.second, SecondChart::GradNorm);
    assert_eq!(lab.app.second_charts(), vec![SecondChart::GradNorm, SecondChart::LearningRate]);
    insta::assert_snapshot!("n_dimensional_120x30", text_of(&lab.app, 120, 30));
    lab.press(KeyCode::Char('v'));
    assert_eq!(lab.app.second, SecondChart::LearningRate);
    lab.press(KeyCode::Char('v'));
    assert_eq!(lab.app.second, SecondChart::GradNorm);
}

fn text_of(app: &App, w: u16, h: u16) -> String {
    text(&draw(app, w, h))
}

/// A small least-squares model with a validation split, standing in for the
/// dataset objectives: epochs, validation loss and accuracy.
struct ToyModel {
    x: Vec<f64>,
    y: Vec<f64>,
    val: usize,
}

impl ToyModel {
    fn new() -> ToyModel {
        let x: Vec<f64> = (0..40).map(|i| i as f64 / 40.0).collect();
        let y = x.iter().enumerate().map(|(i, x)| 2.0 * x - 1.0 + 0.05 * ((i * 7 % 5) as f64 - 2.0)).collect();
        ToyModel { x, y, val: 32 }
    }
    fn mse(&self, w: ArrayView1<f64>, idx: impl Iterator<Item = usize>) -> (f64, f64) {
        let (mut sum, mut n, mut hits) = (0.0, 0.0, 0.0);
        for i in idx {
            let e = w[0] + w[1] * self.x[i] - self.y[i];
            sum += 0.5 * e * e;
            n += 1.0;
            hits += f64::from(u8::from(e.abs() < 0.1));
        }
        (sum / n, hits / n)
    }
}

impl Objective for ToyModel {
    fn describe(&self) -> String {
        "toy regression".into()
    }
    fn dim(&self) -> usize {
        2
    }
    fn loss(&self, w: ArrayView1<f64>) -> f64 {
        self.mse(w, 0..self.val).0
    }
    fn batch_loss_and_gradient(&self, w: ArrayView1<f64>, batch: Option<&[usize]>, mut g: ArrayViewMut1<f64>) -> f64 {
        let all: Vec<usize> = (0..self.val).collect();
        let idx = batch.unwrap_or(&all);
        g.fill(0.0);
        for &i in idx {
            let e = w[0] + w[1] * self.x[i] - self.y[i];
            g[0] += e / idx.len() as f64;
            g[1] += e * self.x[i] / idx.len() as f64;
        }
        self.mse(w, idx.iter().copied()).0
    }
    fn train_size(&self) -> Option<usize> {
        Some(self.val)
    }
    fn validation(&self, w: ArrayView1<f64>) -> Option<Validation> {
        let (loss, acc) = self.mse(w, self.val..self.x.len());
        Some(Validation { loss, accuracy: Some(acc) })
    }
    fn initial_params(&self, _seed: u64) -> Array1<f64> {
        Array1::zeros(2)
    }
    fn is_classification(&self) -> bool {
        true
    }
}

fn toy_lab(steps: u64) -> TestLab {
    let specs = [("SGD b8", 0.3, Some(8)), ("GD", 0.3, None)]
        .into_iter()
        .map(|(label, lr, batch)| {
            let mut optimizer = OptimizerKind::Sgd.build(2);
            optimizer.set("lr", Hyper::Float(lr)).unwrap();
            RunSpec {
                label: label.into(),
                entry: 0,
                optimizer,
                schedule: Schedule::default(),
                seed: 0,
                batch_size: batch,
                noise: 0.0,
                eval_every: 2,
                steps: 400,
                events: vec![],
                key: Default::default(),
            }
        })
        .collect();
    let lab = Lab::new(Arc::new(ToyModel::new()), specs, StopRule::default());
    let dir = tempfile::tempdir().unwrap();
    let (mut controller, shared) = Controller::with_lab(scenario(LAB), lab, true, dir.path().join("results"));
    controller.advance(steps);
    controller.publish();
    let app = App::new(shared, controller.lab().objective_arc());
    let mut lab = TestLab { controller, app, _dir: dir };
    lab.sync();
    lab
}

#[test]
fn models_show_validation_and_epochs() {
    let mut lab = toy_lab(120);
    assert_eq!(lab.app.second, SecondChart::ValAccuracy);
    assert_eq!(
        lab.app.second_charts(),
        vec![SecondChart::GradNorm, SecondChart::LearningRate, SecondChart::ValAccuracy]
    );
    let screen = text_of(&lab.app, 120, 32);
    assert!(screen.contains("epochs"), "{screen}");
    assert!(screen.contains("validation accuracy"), "{screen}");
    insta::assert_snapshot!("model_120x32", screen);
    // x cycles epochs → samples seen → seconds → steps.
    for unit in ["samples", "seconds", "steps", "epochs"] {
        lab.press(KeyCode::Char('x'));
        assert!(text_of(&lab.app, 120, 32).contains(unit), "{unit}");
    }
}

#[test]
fn keys_move_the_selection_and_the_rates() {
    let mut lab = open(LAB, 5);
    assert_eq!(lab.app.selected, 0);
    lab.press(KeyCode::Up);
    assert_eq!(lab.app.selected, 2, "wraps around");
    lab.press(KeyCode::Char('j'));
    assert_eq!(lab.app.selected, 0);
    lab.press(KeyCode::Char('j'));
    // Two quick raises build on each other even before the engine answers.
    let a = lab.app.update(Action::RaiseLearningRate).unwrap();
    let b = lab.app.update(Action::RaiseLearningRate).unwrap();
    assert_eq!(a.1, Action::SetLearningRate { run: RunId(1), value: 2.5e-4 });
    assert_eq!(b.1, Action::SetLearningRate { run: RunId(1), value: 3e-4 });
    assert_eq!(lab.app.lr(1), 3e-4);
    lab.controller.handle(a.0, a.1);
    lab.controller.handle(b.0, b.1);
    lab.sync();
    assert_eq!(lab.app.snapshot().groups[1].lr, 3e-4);
    lab.press(KeyCode::Left);
    assert_eq!(lab.app.snapshot().groups[1].lr, 2.5e-4);
    let run = &lab.controller.lab().runs()[1];
    assert_eq!(run.live_events().len(), 1, "changes at one step merge");
    assert_eq!(run.live_events()[0].step, 5);
}

#[test]
fn other_hyperparameters_are_edited_in_place() {
    let mut lab = open(LAB, 3);
    lab.press(KeyCode::Char('j'));
    let names: Vec<&str> = lab.app.fields().iter().map(|s| s.name).collect();
    assert_eq!(names, vec!["momentum", "dampening", "nesterov", "weight_decay"]);
    lab.press(KeyCode::Char(']'));
    assert_eq!(lab.app.snapshot().groups[1].get("momentum"), Some(Hyper::Float(0.95)));
    lab.press(KeyCode::BackTab);
    assert_eq!(lab.app.field, 3);
    lab.press(KeyCode::Tab);
    lab.press(KeyCode::Tab);
    lab.press(KeyCode::Tab);
    lab.press(KeyCode::Char('['));
    assert_eq!(lab.app.snapshot().groups[1].get("nesterov"), Some(Hyper::Bool(true)));
    // GD has no momentum: nesterov refused, with a message.
    lab.press(KeyCode::Char('k'));
    lab.press(KeyCode::Char(']'));
    assert_eq!(lab.app.snapshot().groups[0].get("nesterov"), Some(Hyper::Bool(false)));
    let notice = lab.app.notice().expect("a notice").clone();
    assert!(notice.error && notice.text.contains("nesterov"), "{notice:?}");
}

#[test]
fn pause_step_speed_and_restart() {
    let mut lab = open(LAB, 0);
    assert!(lab.app.snapshot().paused);
    lab.press(KeyCode::Char('n'));
    lab.press(KeyCode::Char('n'));
    assert_eq!(lab.app.snapshot().t, 2);
    lab.press(KeyCode::Char(' '));
    assert!(!lab.app.snapshot().paused);
    lab.press(KeyCode::Char('n'));
    assert_eq!(lab.app.snapshot().t, 2, "n steps only when paused");
    let speed = lab.app.snapshot().speed;
    lab.press(KeyCode::Char('+'));
    assert_eq!(lab.app.snapshot().speed, speed + 1);
    for _ in 0..40 {
        lab.press(KeyCode::Char('-'));
    }
    assert_eq!(SPEEDS[lab.app.snapshot().speed], 1.0);
    lab.press(KeyCode::Char('l'));
    lab.press(KeyCode::Char('r'));
    let s = lab.app.snapshot();
    assert_eq!((s.t, s.generation), (0, 1));
    assert_eq!(s.groups[0].lr, 6e-4, "a restart keeps the current settings");
    assert!(lab.controller.lab().runs()[0].live_events().is_empty());
    assert_eq!(lab.app.histories()[0].len(), 1);
}

#[test]
fn finished_and_diverged_runs_refuse_changes() {
    let mut lab = open(LAB, 400);
    let s = lab.app.snapshot();
    assert!(matches!(s.runs[2].status, Status::Diverged { .. }));
    assert!(s.finished);
    lab.press(KeyCode::Char('l'));
    assert!(lab.controller.lab().runs()[0].live_events().is_empty());
    assert!(lab.app.note().is_some_and(|n| n.contains("has stopped")), "{:?}", lab.app.note());
}

#[test]
fn keys_that_cannot_act_say_why() {
    let mut lab = open(LAB, 3);
    lab.press(KeyCode::Char(' '));
    lab.press(KeyCode::Char('n'));
    assert_eq!(lab.app.note(), Some("n steps only when paused: space pauses"));
    lab.press(KeyCode::Char('g'));
    assert_eq!(lab.app.note(), None, "the next key clears it");
    let mut done = open(LAB, 400);
    done.press(KeyCode::Char(' '));
    assert_eq!(done.app.note(), Some("every run has finished: r restarts them"));
    done.press(KeyCode::Char('n'));
    assert_eq!(done.app.note(), Some("every run has finished: r restarts them"));
    done.press(KeyCode::Char('a'));
    assert_eq!(done.app.note(), Some("every run is shown already"));
    done.press(KeyCode::Char('d'));
    assert!(done.app.note().is_some_and(|n| n.starts_with("no seeds to group")));
    // The footer shows it.
    let screen = text(&draw(&done.app, 100, 30));
    assert!(screen.contains("no seeds to group"), "{screen}");
}

#[test]
fn the_mouse_drags_a_slider() {
    let mut lab = open(LAB, 2);
    lab.app.size = Rect::new(0, 0, 120, 40);
    let tracks = view::slider_tracks(&lab.app, lab.app.size);
    assert_eq!(tracks.len(), 3);
    let (group, track) = tracks[2];
    let at = |column: u16, kind| MouseEvent { kind, column, row: track.y, modifiers: KeyModifiers::NONE };
    let down = lab.app.mouse(at(track.x, MouseEventKind::Down(MouseButton::Left))).unwrap();
    assert_eq!(lab.app.selected, group);
    assert_eq!(down.1, Action::SetLearningRate { run: RunId(2), value: 1e-6 });
    let drag = lab.app.mouse(at(track.x + track.width - 1, MouseEventKind::Drag(MouseButton::Left))).unwrap();
    assert_eq!(drag.1, Action::SetLearningRate { run: RunId(2), value: 10.0 });
    assert!(lab.app.mouse(at(track.x, MouseEventKind::Up(MouseButton::Left))).is_none());
    assert!(lab.app.mouse(at(track.x + 3, MouseEventKind::Drag(MouseButton::Left))).is_none());
}

#[test]
fn seeds_of_a_label_change_together() {
    let text = LAB.replace("steps = 400", "steps = 400\nseeds = 2");
    let mut lab = open(&text, 4);
    lab.press(KeyCode::Char('l'));
    let runs = lab.controller.lab().runs();
    assert_eq!(runs.len(), 6);
    assert_eq!((runs[0].base_lr(), runs[1].base_lr()), (6e-4, 6e-4));
    assert_eq!(runs[1].live_events().len(), 1);
    assert_eq!(runs[2].base_lr(), 2e-4);
}

/// Every row of two steps.csv files the same but for wall_ms; returns the row count.
fn same_rows(a: &std::path::Path, b: &std::path::Path) -> usize {
    let read = |p: &std::path::Path| {
        let mut r = ::csv::Reader::from_path(p).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let wall = header.iter().position(|h| h == "wall_ms").unwrap();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| {
                let mut v: Vec<String> = rec.unwrap().iter().map(String::from).collect();
                v.remove(wall);
                v
            })
            .collect();
        (header, rows)
    };
    let (ha, ra) = read(a);
    let (hb, rb) = read(b);
    assert_eq!(ha, hb);
    let index: std::collections::HashMap<(String, String, String), &Vec<String>> =
        rb.iter().map(|r| ((r[0].clone(), r[2].clone(), r[3].clone()), r)).collect();
    for row in &ra {
        let other = index.get(&(row[0].clone(), row[2].clone(), row[3].clone())).expect("row replayed");
        assert_eq!(&row, other);
    }
    ra.len()
}

fn replay(lab: &TestLab) -> (std::path::PathBuf, std::path::PathBuf) {
    let export = lab.controller.export().unwrap();
    assert!(export.join("report.md").is_file() && export.join("loss.svg").is_file(), "an export has its report");
    // The export is a replay of the session: its last row of each run is
    // what the live lab holds, to the last digit.
    let mut r = csv::Reader::from_path(export.join("steps.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<Vec<String>> = r.records().map(|rec| rec.unwrap().iter().map(String::from).collect()).collect();
    for run in lab.controller.lab().runs() {
        let last = rows
            .iter()
            .rfind(|row| row[col("run")] == run.label() && row[col("seed")] == run.spec().seed.to_string())
            .expect("the run is exported");
        let live = run.last();
        assert_eq!(last[col("step")], live.step.to_string(), "{}", run.label());
        assert_eq!(last[col("loss")], crate::report::csv::fmt_f64(live.loss), "{}", run.label());
        assert_eq!(last[col("x0")], crate::report::csv::fmt_f64(run.params()[0]), "{}", run.label());
    }
    let saved = lab.controller.save().unwrap();
    let scenario = Scenario::load(saved.to_str().unwrap()).unwrap();
    let out = saved.with_file_name("replay");
    let progress = |_: u64| {};
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let options = crate::report::RunOptions { threads: Some(1), progress: &progress, cancel: &cancel };
    crate::report::run_to_folder(&scenario, &out, &options).unwrap();
    (export.join("steps.csv"), out.join("steps.csv"))
}

const SWEPT: &str = r#"
name = "Swept lab"
steps = 60
seeds = 2

[objective]
kind = "rosenbrock"
noise = 0.3

[[optimizer]]
kind = "sgd"
label = "SGD"
lr = 1e-4
sweep = { momentum = [0.0, 0.9] }

[[optimizer]]
kind = "gd"
lr = 3e-4

[[event]]
step = 2
run = "SGD"
lr = 2e-4
"#;

#[test]
fn a_saved_session_replays_its_changes_exactly() {
    let mut lab = open(SWEPT, 3);
    // GD: momentum up from 0, then Nesterov, which needs the momentum first.
    lab.press(KeyCode::Char('j'));
    lab.press(KeyCode::Char('j'));
    assert_eq!(lab.app.snapshot().groups[2].label, "gd");
    lab.press(KeyCode::Char(']'));
    lab.controller.advance(2);
    lab.press(KeyCode::Char('l'));
    lab.press(KeyCode::Tab);
    lab.press(KeyCode::Tab);
    lab.press(KeyCode::Char(']'));
    assert_eq!(lab.app.snapshot().groups[2].get("nesterov"), Some(Hyper::Bool(true)));
    // A swept run's rate.
    lab.press(KeyCode::Char('k'));
    lab.press(KeyCode::Char('h'));
    lab.controller.advance(4);
    lab.sync();
    let (export, replayed) = replay(&lab);
    assert_eq!(same_rows(&export, &replayed), 3 * 2 * 10);
}

#[test]
fn after_a_restart_the_saved_session_starts_from_the_new_settings() {
    let mut lab = open(SWEPT, 5);
    lab.press(KeyCode::Char('j'));
    lab.press(KeyCode::Char('l'));
    lab.press(KeyCode::Char('r'));
    lab.controller.advance(3);
    lab.press(KeyCode::Char('l'));
    lab.controller.advance(3);
    lab.sync();
    let session = lab.controller.session_scenario();
    let labels: Vec<&str> = session.optimizers.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, vec!["SGD momentum=0", "SGD momentum=0.9", "gd"], "the changed sweep is spelled out");
    assert_eq!(session.optimizers[1].get("lr"), Some(Hyper::Float(2.5e-4)));
    assert!(session.optimizers[1].sweep.is_empty());
    assert_eq!(session.events.len(), 1, "the scripted event ran before the restart: {:?}", session.events);
    let (export, replayed) = replay(&lab);
    assert_eq!(same_rows(&export, &replayed), 3 * 2 * 7);
}

#[test]
fn every_bundled_scenario_draws() {
    for b in crate::scenario::BUNDLED {
        let mut lab = open(b.text, 40);
        for (w, h) in [(120, 40), (80, 24)] {
            let screen = text_of(&lab.app, w, h);
            assert!(screen.contains("convergence"), "{}:\n{screen}", b.name);
        }
        lab.press(KeyCode::Char('v'));
        lab.press(KeyCode::Char('g'));
        text_of(&lab.app, 100, 30);
    }
}

pub(super) fn bundled(name: &str) -> &'static str {
    crate::scenario::BUNDLED.iter().find(|b| b.name == name).map(|b| b.text).expect("a bundled scenario")
}

#[test]
fn f_finds_a_learning_rate_and_sets_it_as_a_slider_move() {
    let mut lab = open(bundled("ill_conditioned"), 20);
    lab.press(KeyCode::Char('j'));
    let before: Vec<(u64, f64)> = lab.controller.lab().runs().iter().map(|r| (r.t(), r.last().loss)).collect();
    lab.press(KeyCode::Char('f'));
    assert!(lab.app.lr_find.is_some());
    let view = lab.app.lr_find_view().expect("the engine ran the test").clone();
    assert_eq!(view.group, 1);
    assert!(view.curve.points.len() > 10, "{:?}", view.curve.points.len());
    let lr = view.curve.suggestion.expect("the loss falls on a quadratic");
    assert!(view.applied);
    // The label's rate is the suggestion, recorded as a live change like a slider move.
    assert_eq!(lab.app.snapshot().groups[1].lr, lr);
    assert_eq!(lab.app.lr(1), lr);
    let run = &lab.controller.lab().runs()[1];
    assert_eq!(run.base_lr(), lr);
    assert_eq!(run.live_events().len(), 1);
    assert_eq!(run.live_events()[0].step, 20);
    assert_eq!(lab.controller.lab().runs()[0].base_lr(), 0.019, "other labels keep theirs");
    // The test ran on a copy: the lab's runs did not move.
    let after: Vec<(u64, f64)> = lab.controller.lab().runs().iter().map(|r| (r.t(), r.last().loss)).collect();
    assert_eq!(before, after);
    let notice = lab.app.notice().expect("a notice").clone();
    assert!(!notice.error, "{notice:?}");
    // The message and the slider show the same text for the rate.
    let shown = super::format::hyper(Hyper::Float(lr));
    assert_eq!(notice.text, format!("lr-find: lr = {shown} for heavy ball (was 0.0331; u undoes)"));
    assert!(text_of(&lab.app, 160, 48).contains(&format!(" {shown}")), "the slider shows {shown}");
    // The same test, headless, on the run as it is: the same curve.
    let objective = lab.controller.lab().objective();
    let mut template = lab.controller.lab().runs()[1].spec().clone();
    template.optimizer.set("lr", Hyper::Float(0.0331)).unwrap();
    let headless = crate::report::lr_find::range_test(objective, &template, &view.options).unwrap();
    assert_eq!(headless.suggestion, Some(lr));
    // Shown in the right-hand pane until f (or v) closes it.
    let screen = text_of(&lab.app, 120, 40);
    assert!(screen.contains("lr-find"), "{screen}");
    assert!(screen.contains("valley middle"), "{screen}");
    for (w, h) in [(1, 1), (40, 12), (63, 30), (80, 24), (250, 70)] {
        draw(&lab.app, w, h);
    }
    lab.press(KeyCode::Char('f'));
    assert_eq!(lab.app.lr_find, None);
    lab.press(KeyCode::Char('f'));
    assert!(lab.app.lr_find_view().is_some());
    let second = lab.app.second;
    lab.press(KeyCode::Char('v'));
    assert_eq!((lab.app.lr_find, lab.app.second), (None, second), "v closes it and keeps the chart");
    // w and e see the change like any other (the second test found the same rate: no new change).
    let session = lab.controller.session_scenario();
    assert_eq!(session.events.len(), 1, "{:?}", session.events);
    assert_eq!((session.events[0].run.as_str(), session.events[0].step), ("heavy ball", 20));
}

#[test]
fn lr_find_pane() {
    let mut lab = open(bundled("ill_conditioned"), 20);
    lab.press(KeyCode::Char('f'));
    insta::assert_snapshot!(pane(50, 20, |a, b| view::lr_find::render(&lab.app, a, b)));
}

#[test]
fn lr_find_ticks_stay_apart_at_60_columns() {
    let mut lab = open(bundled("ill_conditioned"), 20);
    lab.press(KeyCode::Char('f'));
    let area = view::areas(&lab.app, Rect::new(0, 0, 60, 24)).second;
    let screen = pane(area.width, area.height, |a, b| view::lr_find::render(&lab.app, a, b));
    // The x labels are whole decades with a space between each.
    let labels = screen.lines().rev().nth(1).expect("a label row");
    let words: Vec<&str> = labels.trim_matches(|c| c == '"' || c == '│').split_whitespace().collect();
    assert!(words.len() >= 2, "{screen}");
    for w in &words {
        assert!(["1e-6", "1e-5", "1e-4", "0.001", "0.01", "0.1", "1", "10", "lr"].contains(w), "{w} in {screen}");
    }
    insta::assert_snapshot!(screen);
}

#[test]
fn lr_find_without_a_fall_leaves_the_rate_alone() {
    // Started at the minimum: the loss never falls.
    let text = bundled("ill_conditioned").replace("start = [1.0, 1.0]", "start = [0.0, 0.0]");
    let mut lab = open(&text, 3);
    lab.press(KeyCode::Char('f'));
    let view = lab.app.lr_find_view().expect("the engine ran the test");
    assert_eq!((view.curve.suggestion, view.applied), (None, false));
    assert_eq!(lab.app.snapshot().groups[0].lr, 0.019);
    assert!(lab.controller.lab().runs()[0].live_events().is_empty());
    let notice = lab.app.notice().expect("a notice");
    assert!(notice.text.contains("lr-find: no suggestion for GD lr=0.019"), "{notice:?}");
    let screen = pane(50, 20, |a, b| view::lr_find::render(&lab.app, a, b));
    assert!(screen.contains("no suggestion"), "{screen}");
}

/// A bundled scenario stepped `steps` updates, with the right-hand pane on `second`.
fn bundled_lab(name: &str, steps: u64, second: SecondChart) -> TestLab {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario::load(name).unwrap();
    let (mut controller, shared) = Controller::new(scenario, true, dir.path().join("results")).unwrap();
    controller.advance(steps);
    controller.publish();
    let mut app = App::new(shared, controller.lab().objective_arc());
    app.second = second;
    let mut lab = TestLab { controller, app, _dir: dir };
    lab.sync();
    lab
}

/// Every pane at the sizes people use, on a sweep (18 labels), seeds (five
/// per label, as bands) and a model with seeds; each snapshot read before it
/// was accepted.
#[test]
fn bundled_scenarios_at_four_sizes() {
    let labs = [
        ("sweep", bundled_lab("beale_lr_sweep", 700, SecondChart::GradNorm)),
        ("seeds", bundled_lab("noisy_quadratic", 800, SecondChart::GradNorm)),
        ("model", bundled_lab("softmax_classic", 150, SecondChart::ValAccuracy)),
    ];
    for (name, lab) in &labs {
        for (w, h) in [(80, 24), (100, 30), (160, 48), (250, 70)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&draw(&lab.app, w, h)));
        }
    }
}

#[test]
fn every_bundled_scenario_plays_in_ten_to_twenty_seconds_at_the_default_speed() {
    for b in crate::scenario::BUNDLED {
        let scenario = Scenario::load(b.name).unwrap();
        let (controller, shared) = Controller::new(scenario, true, std::env::temp_dir()).unwrap();
        let steps = controller.lab().runs().iter().map(|r| r.spec().steps).max().unwrap();
        let speed = SPEEDS[shared.snapshot().speed];
        let seconds = steps as f64 / speed;
        assert!((10.0..=21.0).contains(&seconds), "{}: {steps} steps at {speed}/s take {seconds} s", b.name);
    }
}

#[test]
fn the_table_keeps_the_selected_row_in_view() {
    let mut lab = bundled_lab("beale_lr_sweep", 50, SecondChart::GradNorm);
    // The last label, sorted by run order, in a table of four rows.
    for _ in 0..17 {
        lab.press(KeyCode::Char('j'));
    }
    while lab.app.sort != SortKey::Run {
        lab.press(KeyCode::Char('s'));
    }
    let table = pane(100, 7, |a, b| view::table::render(&lab.app, a, b));
    assert!(table.contains("▸ RMSprop lr=0.03"), "{table}");
    let rows = view::table::rows(&lab.app, Rect::new(0, 0, 100, 7));
    assert_eq!(rows.len(), 4, "a header and four rows");
    assert!(rows.iter().any(|(_, g)| *g == lab.app.selected));
}

#[test]
fn u_puts_back_the_rate_the_lr_find_suggestion_replaced() {
    let mut lab = open(bundled("ill_conditioned"), 20);
    lab.press(KeyCode::Char('u'));
    let notice = lab.app.notice().expect("a notice").clone();
    assert!(notice.error && notice.text.starts_with("nothing to undo"), "{notice:?}");
    lab.press(KeyCode::Char('j'));
    lab.press(KeyCode::Char('f'));
    let lr = lab.app.lr_find_view().and_then(|v| v.curve.suggestion).expect("a suggestion");
    assert_ne!(lr, 0.0331);
    assert_eq!(lab.controller.lab().runs()[1].base_lr(), lr);
    lab.press(KeyCode::Char('u'));
    assert_eq!(lab.controller.lab().runs()[1].base_lr(), 0.0331);
    assert_eq!(lab.app.lr(1), 0.0331);
    let notice = lab.app.notice().expect("a notice").clone();
    assert_eq!(notice.text, "lr-find undone: lr = 0.0331 for heavy ball again");
    let view = lab.app.lr_find_view().expect("still shown");
    assert!(!view.applied && view.previous.is_none());
    // Undone once: a second u says why it does nothing.
    lab.press(KeyCode::Char('u'));
    let notice = lab.app.notice().expect("a notice").clone();
    assert!(notice.error && notice.text.contains("undone already"), "{notice:?}");
    // The session replays both changes at the step they were made.
    let session = lab.controller.session_scenario();
    let last = session.events.iter().flat_map(|e| &e.changes).rfind(|c| c.name == "lr");
    assert_eq!(last.and_then(|c| c.value.as_f64()), Some(0.0331), "{:?}", session.events);
}

/// Press `t`, then let the engine look at the tuning until it is done.
fn tune_selected(lab: &mut TestLab) {
    lab.press(KeyCode::Char('t'));
    let started = std::time::Instant::now();
    while lab.controller.tune_running() {
        assert!(started.elapsed() < std::time::Duration::from_secs(120), "the tuning does not end");
        lab.controller.poll_tune();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    lab.controller.poll_tune();
    lab.sync();
}

#[test]
fn t_tunes_the_selected_label_in_the_background_and_u_undoes_it() {
    let text = LAB.replace(
        "momentum = 0.9\n",
        "momentum = 0.9\ntune.lr = { log = [1e-5, 1e-2] }\ntune.momentum = { uniform = [0.0, 0.95] }\n",
    );
    let mut lab = open(&text, 20);
    lab.press(KeyCode::Char('j'));
    let before: Vec<(u64, f64)> = lab.controller.lab().runs().iter().map(|r| (r.t(), r.last().loss)).collect();
    tune_selected(&mut lab);
    let view = lab.app.tune_view().expect("the tuning is shown").clone();
    assert_eq!((view.group, view.label.as_str()), (1, "Momentum"));
    assert_eq!(view.state, super::tune::TuneState::Applied);
    assert_eq!((view.trials_done, view.trials), (32, 32));
    assert_eq!(view.spent, 32 * 400);
    assert!(view.curve.windows(2).all(|w| w[1].1 <= w[0].1 && w[1].0 > w[0].0), "{:?}", view.curve);
    let (values, metric) = view.best.clone().expect("a best configuration");
    // The same pick as `optlab tune` on the label's entry alone.
    let mut one = scenario(&text);
    one.optimizers = vec![one.optimizers[1].clone()];
    let tuner = crate::report::tune::tuner_for(&one, Some(32 * 400), None).unwrap();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let objective = one.build_objective().unwrap();
    let headless = crate::report::tune::run_plan(&one, &tuner, objective.as_ref(), &|_| {}, &cancel).unwrap();
    let best = headless.best[0].clone().unwrap();
    assert_eq!((best.trial.values.clone(), best.metric), (values.clone(), Some(metric)));
    // Set like slider moves on the label's run, recorded as live changes; the runs did not move.
    let run = &lab.controller.lab().runs()[1];
    for (name, value) in &values {
        assert_eq!(run.optimizer().get(name), Some(*value), "{name}");
    }
    assert_eq!(run.live_events().len(), 1);
    assert_eq!(run.live_events()[0].changes.len(), 2);
    let after: Vec<(u64, f64)> = lab.controller.lab().runs().iter().map(|r| (r.t(), r.last().loss)).collect();
    assert_eq!(before, after);
    assert_eq!(lab.controller.lab().runs()[0].base_lr(), 5e-4, "other labels keep theirs");
    let screen = text_of(&lab.app, 120, 40);
    assert!(screen.contains("tune") && screen.contains("32/32 trials") && screen.contains("u undoes"), "{screen}");
    for (w, h) in [(1, 1), (40, 12), (63, 30), (80, 24), (250, 70)] {
        draw(&lab.app, w, h);
    }
    // u puts the old values back.
    lab.press(KeyCode::Char('u'));
    let run = &lab.controller.lab().runs()[1];
    assert_eq!((run.base_lr(), run.optimizer().get("momentum")), (2e-4, Some(Hyper::Float(0.9))));
    assert_eq!(lab.app.tune_view().unwrap().state, super::tune::TuneState::Undone);
    assert!(lab.app.notice().unwrap().text.starts_with("undone: Momentum back to lr = 2e-4"), "{:?}", lab.app.notice());
    lab.press(KeyCode::Char('u'));
    assert!(lab.app.notice().unwrap().error, "a second u has nothing to undo");
    // t closes the pane; v too.
    lab.press(KeyCode::Char('t'));
    assert_eq!(lab.app.tune, None);
}

#[test]
fn tune_pane() {
    let mut lab = open(LAB, 20);
    tune_selected(&mut lab);
    insta::assert_snapshot!(pane(60, 18, |a, b| view::tune::render(&lab.app, a, b)));
}
