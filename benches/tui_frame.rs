//! One full frame of the lab (160×50, every pane) with 8 runs of 1,000 steps
//! and 64 runs of 1,000,000 steps each: drawing costs the chart's width, not
//! the history's length (the target: at most 2 ms for the 64 × 1M frame).
//! Results in docs/PERFORMANCE.md ("Terminal UI").
//!
//! cargo bench --bench tui_frame

use criterion::{Criterion, criterion_group, criterion_main};
use optlab::scenario::{Origin, Scenario};
use optlab::tui::action::Action;
use optlab::tui::app::App;
use optlab::tui::controller::Controller;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;

/// Noisy SGD runs on Rosenbrock that stay finite: 4 rates × 2 momenta (8
/// runs), or 8 × 8 (64 runs).
fn scenario(steps: u64, runs: usize) -> Scenario {
    let sweep = if runs == 64 {
        "lr = [1e-4, 1.3e-4, 1.6e-4, 2e-4, 2.5e-4, 3e-4, 3.5e-4, 4e-4], momentum = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]"
    } else {
        "lr = [1e-4, 2e-4, 3e-4, 4e-4], momentum = [0.0, 0.5]"
    };
    let text = format!(
        r#"
name = "Frame bench"
steps = {steps}

[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
noise = 0.5

[[optimizer]]
kind = "sgd"
label = "SGD"
sweep = {{ {sweep} }}
"#
    );
    match Scenario::parse(&text, Origin::Bundled("bench")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn lab(steps: u64, runs: usize, smoothing: bool) -> (Controller, App) {
    let dir = std::env::temp_dir().join("optlab-bench-results");
    let (mut c, shared) = Controller::new(scenario(steps, runs), true, dir).unwrap_or_else(|e| panic!("{e}"));
    // In slices, as the lab does: a batch's records wait in memory until appended.
    for _ in 0..steps.div_ceil(10_000) {
        c.advance(10_000);
    }
    if smoothing {
        c.handle(1, Action::SetSmoothing(0.9));
    }
    c.publish();
    assert_eq!(c.lab().runs().iter().map(|r| r.t()).min(), Some(steps), "every run went the distance");
    let app = App::new(shared, c.lab().objective_arc());
    (c, app)
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("tui_frame_160x50");
    group.sample_size(30);
    for (name, steps, runs, smoothing) in [
        ("8_runs_x_1k_steps", 1_000, 8, false),
        ("64_runs_x_1M_steps", 1_000_000, 64, false),
        ("64_runs_x_1M_steps_smoothed", 1_000_000, 64, true),
    ] {
        let (_controller, app) = lab(steps, runs, smoothing);
        let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal.draw(|f| f.render_widget(black_box(&app), f.area())).unwrap_or_else(|e| panic!("{e}"));
            })
        });
    }
    group.finish();

    // Where the time goes: each pane alone, 64 runs × 1M steps.
    let (_controller, app) = lab(1_000_000, 64, false);
    let area = ratatui::layout::Rect::new(0, 0, 90, 35);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    let guards = app.histories();
    let hs: Vec<&optlab::engine::History> = guards.iter().map(|g| &**g).collect();
    c.bench_function("pane_loss_chart_64x1M", |b| {
        b.iter(|| optlab::tui::view::loss_chart::render(&app, &hs, area, &mut buf))
    });
    c.bench_function("gather_only_64x1M", |b| {
        b.iter(|| {
            for h in &hs {
                let curve = optlab::tui::view::chart::Curve {
                    history: h,
                    metric: optlab::engine::Metric::Loss,
                    smoothed: false,
                    style: ratatui::style::Style::new(),
                    dashed: false,
                    outlier: false,
                    band: None,
                };
                let unit = optlab::tui::view::chart::XUnit::Steps;
                black_box(optlab::tui::view::chart::gather(&curve, unit, 0.0, 0.0, 1e6, 160));
            }
        })
    });
    c.bench_function("pane_landscape_64x1M", |b| {
        b.iter(|| optlab::tui::view::landscape::render(&app, &hs, area, &mut buf))
    });
    c.bench_function("pane_table_64", |b| b.iter(|| optlab::tui::view::table::render(&app, area, &mut buf)));
}

criterion_group!(benches, frames);
criterion_main!(benches);
