//! The landscape and decision-boundary panes at the terminal sizes people
//! use, as the layout gives them their area (snapshots in `snapshots/`).

use super::tests::{LAB, bundled, open, pane};
use super::view;
use crate::objective::Window;
use crossterm::event::KeyCode;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 4] = [(80, 24), (100, 30), (160, 48), (250, 70)];

fn landscape_at(text: &str, steps: u64, size: (u16, u16), own: bool) -> String {
    let mut lab = open(text, steps);
    if own {
        lab.press(KeyCode::Char('b'));
    }
    let area = view::areas(&lab.app, Rect::new(0, 0, size.0, size.1)).second;
    let hs = lab.app.histories();
    let refs: Vec<_> = hs.iter().map(|g| &**g).collect();
    pane(area.width, area.height, |a, b| view::landscape::render(&lab.app, &refs, a, b))
}

#[test]
fn landscape_at_each_size() {
    for (w, h) in SIZES {
        let screen = landscape_at(LAB, 300, (w, h), false);
        // Start, minimum and every run's position are on screen, inside the frame.
        assert!(screen.contains('○') && screen.contains('★') && screen.contains('●'), "{w}x{h}\n{screen}");
        insta::assert_snapshot!(format!("landscape_{w}x{h}"), screen);
    }
}

#[test]
fn landscape_in_its_own_window_with_b() {
    let screen = landscape_at(bundled("rosenbrock"), 200, (160, 48), true);
    assert!(screen.contains("x -2…2 y -1…3 · b fits"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn the_fitted_window_holds_paths_and_minima_and_ignores_a_run_that_flies_off() {
    let own = Window { x: (-2.0, 2.0), y: (-1.0, 3.0) };
    let paths = vec![vec![[-1.5, 2.0], [-1.0, 1.0], [0.5, 0.3]], vec![[-1.5, 2.0], [40.0, -90.0], [f64::NAN, 1e300]]];
    let w = view::landscape::fit_window(own, &[[1.0, 1.0]], &paths);
    assert!(w.x.0 < -1.5 && w.x.1 > 1.0 && w.y.0 < 0.3 && w.y.1 > 2.0, "{w:?}");
    // Not stretched by the wild run: about the extent of the sane points, with a margin.
    assert!(w.x.1 - w.x.0 < 3.0 && w.y.1 - w.y.0 < 2.2, "{w:?}");
    // Nothing to fit: the function's own window.
    assert_eq!(view::landscape::fit_window(own, &[], &[]), own);
    // A run that has not moved yet: at least a twentieth of the window around it.
    let still = view::landscape::fit_window(own, &[], &[vec![[0.0, 0.0]]]);
    assert!(still.x.1 - still.x.0 >= 0.2 && still.y.1 - still.y.0 >= 0.2, "{still:?}");
}

fn boundary_at(text: &str, steps: u64, size: (u16, u16)) -> String {
    let lab = open(text, steps);
    assert_eq!(lab.app.second, super::app::SecondChart::Boundary, "the first chart of a plane classifier");
    let area = view::areas(&lab.app, Rect::new(0, 0, size.0, size.1)).second;
    pane(area.width, area.height, |a, b| view::boundary::render(&lab.app, a, b))
}

#[test]
fn decision_boundary_at_each_size() {
    for (w, h) in SIZES {
        let screen = boundary_at(bundled("mlp_spirals"), 150, (w, h));
        assert!(screen.contains("decision boundary") && screen.contains("● 0"), "{w}x{h}\n{screen}");
        insta::assert_snapshot!(format!("boundary_{w}x{h}"), screen);
    }
}

#[test]
fn the_decision_boundary_follows_the_selected_run_live() {
    let mut lab = open(bundled("mlp_spirals"), 5);
    let classes = |lab: &super::tests::TestLab, run: usize| {
        let model = lab.app.objective().as_model().expect("a model");
        let params = lab.app.snapshot().runs[run].params.clone().expect("published for a plane classifier");
        let grid = model.predict_grid(&params, model.plane_window(), 40, 40).expect("a grid");
        grid.iter().map(|p| p.class).collect::<Vec<_>>()
    };
    let before = classes(&lab, 0);
    lab.controller.advance(600);
    lab.press(KeyCode::Char('n'));
    let after = classes(&lab, 0);
    assert_ne!(before, after, "the regions moved as the run trained");
    // Three spirals: after training, each class holds a real share of the plane.
    for k in 0..3 {
        let share = after.iter().filter(|&&c| c == k).count() as f64 / after.len() as f64;
        assert!(share > 0.15, "class {k} covers {share}");
    }
    lab.press(KeyCode::Char('j'));
    let other = pane(60, 20, |a, b| view::boundary::render(&lab.app, a, b));
    let label = lab.app.snapshot().groups[1].label.clone();
    assert!(other.contains(label.as_str()), "{other}");
}
