//! The tuning report's charts: best-so-far against budget, and each
//! hyperparameter's sensitivity.

use super::Tuned;
use crate::report::charts::{
    Axis, Figure, LegendEntry, Line, Mark, Panel, Shape, Swatch, color, linear_range, log_range,
};
use crate::tune::{Metric, Space, TrialStatus, best_so_far};
use plotters::style::RGBColor;

/// Failed trials: grey, whatever the entry.
const GREY: RGBColor = RGBColor(140, 140, 140);

/// Whether the metric's values are best drawn on a log axis (positive losses).
fn log_metric(metric: Metric, values: &[f64]) -> bool {
    !matches!(metric, Metric::ValAccuracy | Metric::StepsToTarget)
        && values.iter().filter(|v| v.is_finite()).all(|v| *v > 0.0)
        && values.iter().any(|v| v.is_finite())
}

fn metric_axis(metric: Metric, values: &[f64]) -> Axis {
    let log = log_metric(metric, values);
    let range = if log { log_range(values.iter().copied(), 20.0) } else { linear_range(values.iter().copied()) };
    Axis { label: format!("{} ({})", metric.name(), metric.direction()), log, range }
}

/// Best full-length metric so far against gradient evaluations spent, one line per entry.
pub fn best_so_far_figure(tuned: &Tuned) -> Figure {
    let tuner = &tuned.tuner;
    let metric = tuner.config.metric;
    let curves: Vec<Vec<(f64, f64)>> = (0..tuner.entries.len())
        .map(|e| {
            best_so_far(tuner, e, &tuned.results)
                .into_iter()
                .filter_map(|(spent, best)| best.map(|b| (spent as f64, b)))
                .collect()
        })
        .collect();
    let values: Vec<f64> = curves.iter().flatten().map(|p| p.1).collect();
    let y = metric_axis(metric, &values);
    let floor = y.range.0;
    let lines = curves
        .iter()
        .enumerate()
        .map(|(e, points)| {
            // Steps: the best holds until the next improvement.
            let mut stairs = Vec::new();
            for (i, &(x, v)) in points.iter().enumerate() {
                let v = if y.log { v.max(floor) } else { v };
                if i > 0 {
                    stairs.push((x, stairs.last().map_or(v, |p: &(f64, f64)| p.1)));
                }
                stairs.push((x, v));
            }
            Line::new(stairs, color(e))
        })
        .collect();
    let legend = tuner
        .entries
        .iter()
        .enumerate()
        .map(|(e, entry)| LegendEntry { label: entry.label.clone(), color: color(e), swatch: Swatch::Line })
        .collect();
    Figure {
        title: format!("Best {} so far against budget spent", metric.name()),
        panels: vec![Panel {
            title: None,
            x: Axis {
                label: "gradient evaluations spent".into(),
                log: false,
                range: (0.0, tuner.config.budget as f64),
            },
            y,
            lines,
            marks: Vec::new(),
        }],
        legend,
        panel_size: (720, 420),
    }
}

/// Entry `e`'s sensitivity: the metric of each full-length trial against each
/// tuned hyperparameter, one panel per hyperparameter. Failed trials are
/// crosses on the top edge; the best is a triangle.
pub fn sensitivity_figure(tuned: &Tuned, e: usize) -> Option<Figure> {
    let tuner = &tuned.tuner;
    let entry = &tuner.entries[e];
    let metric = tuner.config.metric;
    // Every trial at full length; with halving, also every trial of the first
    // rung (all at one shorter length, so comparable among themselves) as rings.
    let full: Vec<_> = tuned
        .results
        .iter()
        .filter(|r| r.trial.entry == e && (r.trial.updates == tuner.steps || r.trial.rung == 0))
        .collect();
    if full.is_empty() || entry.space.is_empty() {
        return None;
    }
    let values: Vec<f64> = full.iter().filter_map(|r| r.metric).collect();
    let mut y = metric_axis(metric, &values);
    if !y.log && values.is_empty() {
        y.range = (0.0, 1.0);
    }
    // Failures sit on the worse edge.
    let worst = if metric.maximize() { y.range.0 } else { y.range.1 };
    let best = tuned.best[e].as_ref().map(|b| b.trial.trial);
    let panels = entry
        .space
        .iter()
        .enumerate()
        .map(|(d, (name, space))| {
            // Switches and named choices sit at their index among the choices.
            let x_of = |v: crate::optim::Hyper| match (space, v) {
                (Space::OneMinusLog { .. }, crate::optim::Hyper::Float(x)) => 1.0 - x,
                (_, crate::optim::Hyper::Float(x)) => x,
                (Space::Choice(vs), other) => vs.iter().position(|c| *c == other).unwrap_or(0) as f64,
                (_, _) => 0.0,
            };
            let xs: Vec<f64> = full.iter().map(|r| x_of(r.trial.values[d].1)).collect();
            let (label, log, range) = match space {
                Space::Log { low, high } => (name.clone(), true, (*low, *high)),
                Space::OneMinusLog { low, high } => (format!("1 − {name}"), true, (*low, *high)),
                Space::Uniform { low, high } => (name.clone(), false, linear_range([*low, *high])),
                Space::Choice(vs) if vs.iter().any(|v| v.as_f64().is_none()) => {
                    let legend: Vec<String> = vs
                        .iter()
                        .enumerate()
                        .map(|(i, v)| format!("{i} = {}", crate::scenario::fmt_hyper(*v)))
                        .collect();
                    (format!("{name} ({})", legend.join(", ")), false, (-0.5, vs.len() as f64 - 0.5))
                }
                Space::Choice(vs) => (name.clone(), false, linear_range(vs.iter().filter_map(|v| v.as_f64()))),
            };
            let range = if log { (range.0 * 0.9, range.1 * 1.1) } else { range };
            let mut marks: Vec<Mark> = full
                .iter()
                .zip(&xs)
                .map(|(r, &x)| {
                    let short = r.trial.updates < tuner.steps;
                    let (at_y, shape) = match r.metric {
                        Some(v) if short => (v, Shape::Ring),
                        Some(v) if best == Some(r.trial.trial) => (v, Shape::Triangle),
                        Some(v) => (v, Shape::Dot),
                        None => (worst, Shape::Cross),
                    };
                    let at_y = if y.log { at_y.max(y.range.0) } else { at_y };
                    let size = if shape == Shape::Triangle { 6 } else { 3 };
                    let c = if matches!(r.status, TrialStatus::Ok) { color(e) } else { GREY };
                    Mark { at: (x, at_y), shape, color: c, size }
                })
                .collect();
            // First-rung rings below, full-length dots above, the best on top.
            marks.sort_by_key(|m| match m.shape {
                Shape::Ring => 0,
                Shape::Cross => 1,
                Shape::Dot => 2,
                Shape::Triangle => 3,
            });
            Panel { title: None, x: Axis { label, log, range }, y: y.clone(), lines: Vec::new(), marks }
        })
        .collect::<Vec<_>>();
    let n = panels.len() as u32;
    let mut legend = vec![LegendEntry {
        label: format!("trial, {} updates", tuner.steps),
        color: color(e),
        swatch: Swatch::Mark(Shape::Dot),
    }];
    if let Some(first) = full.iter().map(|r| r.trial.updates).filter(|u| *u < tuner.steps).min() {
        legend.push(LegendEntry {
            label: format!("trial, first rung ({first} updates)"),
            color: color(e),
            swatch: Swatch::Mark(Shape::Ring),
        });
    }
    Some(Figure {
        title: format!("{}: {} against each tuned hyperparameter", entry.label, metric.name()),
        panels,
        legend: vec![
            legend.remove(0),
            LegendEntry { label: "best".into(), color: color(e), swatch: Swatch::Mark(Shape::Triangle) },
            LegendEntry { label: "failed".into(), color: GREY, swatch: Swatch::Mark(Shape::Cross) },
        ]
        .into_iter()
        .chain(legend)
        .collect(),
        panel_size: (420 * n, 380),
    })
}
