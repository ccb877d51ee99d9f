//! One full frame of the lab (160×50, every pane) with 8 runs of 1,000 and of
//! 1,000,000 steps each: drawing costs the chart's width, not the history's
//! length. Results in docs/PERFORMANCE.md ("Terminal UI").
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

/// Eight noisy SGD runs on Rosenbrock (4 rates × 2 momenta) that stay finite.
fn scenario(steps: u64) -> Scenario {
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
sweep = {{ lr = [1e-4, 2e-4, 3e-4, 4e-4], momentum = [0.0, 0.5] }}
"#
    );
    match Scenario::parse(&text, Origin::Bundled("bench")) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn lab(steps: u64, smoothing: bool) -> (Controller, App) {
    let dir = std::env::temp_dir().join("optlab-bench-results");
    let (mut c, shared) = Controller::new(scenario(steps), true, dir).unwrap_or_else(|e| panic!("{e}"));
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
    for (name, steps, smoothing) in [
        ("8_runs_x_1k_steps", 1_000, false),
        ("8_runs_x_1M_steps", 1_000_000, false),
        ("8_runs_x_1M_steps_smoothed", 1_000_000, true),
    ] {
        let (_controller, app) = lab(steps, smoothing);
        let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap_or_else(|e| panic!("{e}"));
        group.bench_function(name, |b| {
            b.iter(|| {
                terminal.draw(|f| f.render_widget(black_box(&app), f.area())).unwrap_or_else(|e| panic!("{e}"));
            })
        });
    }
    group.finish();

    // A synthetic history: the level of detail alone.
    let mut synth = optlab::engine::History::new(0, optlab::engine::HistoryOptions::default());
    for step in 0..1_000_000u64 {
        let r = optlab::engine::Record {
            step,
            epoch: None,
            lr: None,
            loss: 1.0 + ((step * 7919) % 1013) as f64,
            batch_loss: None,
            grad_norm: None,
            val_loss: None,
            val_accuracy: None,
            wall_ms: 0.0,
        };
        synth.push(&r, &[]);
    }
    let series = synth.series(optlab::engine::Metric::Loss, false).unwrap_or_else(|| unreachable!());
    c.bench_function("extent_160_columns_of_1M", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for col in 0..160usize {
                let e = series.extent(col * 6250, (col + 1) * 6250);
                acc += e.max;
            }
            black_box(acc)
        })
    });
    c.bench_function("index_160_columns_of_1M", |b| {
        b.iter(|| {
            let mut acc = 0;
            for col in 0..160usize {
                acc += synth.index_at_or_after(col as f64 * 6250.0);
            }
            black_box(acc)
        })
    });

    c.bench_function("decimate_synthetic_1M", |b| {
        let curve = optlab::tui::view::chart::Curve {
            history: &synth,
            metric: optlab::engine::Metric::Loss,
            smoothed: false,
            x_scale: 1.0,
            style: ratatui::style::Style::new(),
            dashed: false,
            name: None,
            outlier: false,
        };
        let mut points = Vec::new();
        b.iter(|| {
            points.clear();
            optlab::tui::view::chart::decimate(&curve, 0.0, 1e6, 160, true, &mut points);
            black_box(&points);
        })
    });

    // Where the time goes: each pane alone, 1M steps.
    let (_controller, app) = lab(1_000_000, false);
    let area = ratatui::layout::Rect::new(0, 0, 90, 35);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    let guards = app.histories();
    let hs: Vec<&optlab::engine::History> = guards.iter().map(|g| &**g).collect();
    eprintln!("path points: {:?}", hs.iter().map(|h| h.path().map_or(0, |p| p.points().len())).collect::<Vec<_>>());
    c.bench_function("pane_loss_chart_1M", |b| {
        b.iter(|| optlab::tui::view::loss_chart::render(&app, &hs, area, &mut buf))
    });
    let real = hs[0].series(optlab::engine::Metric::Loss, false).unwrap_or_else(|| unreachable!());
    eprintln!("real: len {} last step {:?}", real.len(), hs[0].last_step());
    c.bench_function("extent_160_columns_of_real_1M", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for col in 0..160usize {
                acc += real.extent(col * 6250, (col + 1) * 6250).max;
            }
            black_box(acc)
        })
    });
    c.bench_function("decimate_only_1M", |b| {
        b.iter(|| {
            let mut points = Vec::new();
            for h in &hs {
                let curve = optlab::tui::view::chart::Curve {
                    history: h,
                    metric: optlab::engine::Metric::Loss,
                    smoothed: false,
                    x_scale: 1.0,
                    style: ratatui::style::Style::new(),
                    dashed: false,
                    name: None,
                    outlier: false,
                };
                points.clear();
                optlab::tui::view::chart::decimate(&curve, 0.0, 1e6, 160, true, &mut points);
                black_box(&points);
            }
        })
    });
    c.bench_function("pane_landscape_1M", |b| {
        b.iter(|| optlab::tui::view::landscape::render(&app, &hs, area, &mut buf))
    });
    c.bench_function("pane_table_1M", |b| b.iter(|| optlab::tui::view::table::render(&app, area, &mut buf)));
}

criterion_group!(benches, frames);
criterion_main!(benches);
