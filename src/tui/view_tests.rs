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
    let screen = landscape_at(bundled("rosenbrock"), 200, (100, 30), true);
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
