//! The CPU time of one lab frame (160×50, every pane) with 64 runs of
//! 1,000,000 steps each, measured in the drawing thread's own CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), so that other processes on the machine do not
//! inflate it as they do criterion's wall-clock figures (benches/tui_frame.rs).
//! Prints a Markdown table for docs/PERFORMANCE.md.
//!
//! cargo bench --bench tui_frame_cpu

use optlab::scenario::{Origin, Scenario};
use optlab::tui::app::App;
use optlab::tui::controller::Controller;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::hint::black_box;

fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "CLOCK_THREAD_CPUTIME_ID");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Median and best CPU milliseconds of `f` over `n` calls.
fn cpu_ms(n: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let a = thread_cpu_ns();
            f();
            (thread_cpu_ns() - a) as f64 * 1e-6
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[n / 2], t[0])
}

fn main() {
    let text = r#"
name = "Frame bench, 64 runs"
steps = 1000000

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
noise = 0.5

[[optimizer]]
kind = "sgd"
label = "SGD"
sweep = { lr = [1e-4, 1.3e-4, 1.6e-4, 2e-4, 2.5e-4, 3e-4, 3.5e-4, 4e-4], momentum = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] }
"#;
    let scenario = Scenario::parse(text, Origin::Bundled("bench")).unwrap_or_else(|e| panic!("{e}"));
    let dir = std::env::temp_dir().join("optlab-bench-results");
    let (mut c, shared) = Controller::new(scenario, true, dir).unwrap_or_else(|e| panic!("{e}"));
    for _ in 0..100 {
        c.advance(10_000);
    }
    c.publish();
    assert_eq!(c.lab().runs().iter().map(|r| r.t()).min(), Some(1_000_000));
    let app = App::new(shared, c.lab().objective_arc());
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|e| panic!("{e}"));
    let mut frame = || {
        terminal.draw(|f| f.render_widget(black_box(&app), f.area())).unwrap_or_else(|e| panic!("{e}"));
    };
    frame();
    let full = cpu_ms(40, &mut frame);
    let area = Rect::new(0, 0, 90, 35);
    let mut buf = Buffer::empty(area);
    let guards = app.histories();
    let hs: Vec<&optlab::engine::History> = guards.iter().map(|g| &**g).collect();
    let loss = cpu_ms(40, || {
        black_box(optlab::tui::view::loss_chart::render(&app, &hs, area, &mut buf));
    });
    let landscape = cpu_ms(40, || optlab::tui::view::landscape::render(&app, &hs, area, &mut buf));
    let table = cpu_ms(40, || optlab::tui::view::table::render(&app, area, &mut buf));
    println!("| what (64 runs × 1,000,000 steps) | CPU ms, median | CPU ms, best |");
    println!("|---|---:|---:|");
    for (name, (med, best)) in [
        ("full frame, 160×50", full),
        ("loss chart alone, 90×35", loss),
        ("landscape alone, 90×35", landscape),
        ("table alone, 90×35", table),
    ] {
        println!("| {name} | {med:.2} | {best:.2} |");
    }
}
