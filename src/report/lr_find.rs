//! The learning-rate range test's outputs: the curves of
//! [`crate::engine::lr_find`] for every optimizer entry of a scenario, as CSV
//! files and a chart. The analysis itself (probes, valley, suggestion) is the
//! engine's; this file only runs it per entry and draws it.

use super::charts::{self, Axis, Figure, LegendEntry, Line, Mark, Panel, Shape, Swatch, color};
use super::format::sig;
use super::results::{ReportError, io_error};
use crate::engine::RunSpec;
pub use crate::engine::lr_find::{LrCurve, LrFindError, LrFindOptions, LrPoint, range_test, range_test_until};
use crate::scenario::{Scenario, ScenarioError};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// The test could not run on a scenario.
#[derive(Debug, thiserror::Error)]
pub enum LrFindRunError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Test(#[from] LrFindError),
}

/// The range test for every `[[optimizer]]` entry of a scenario (its first
/// sweep combination and first seed), in parallel.
/// The test ends early (with the rates tried so far) once `stop` says so (Ctrl-C).
pub fn lr_find(
    scenario: &Scenario,
    options: &LrFindOptions,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<LrCurve>, LrFindRunError> {
    let objective = scenario.build_objective()?;
    let specs = scenario.run_specs(objective.dim())?;
    let templates: Vec<RunSpec> = (0..scenario.optimizers.len())
        .filter_map(|e| {
            specs.iter().find(|s| s.entry == e).map(|s| {
                let mut s = s.clone();
                s.label = scenario.optimizers[e].label.clone();
                s
            })
        })
        .collect();
    Ok(templates
        .par_iter()
        .map(|t| range_test_until(objective.as_ref(), t, options, stop))
        .collect::<Result<_, _>>()?)
}

/// The chart of the curves: smoothed loss against lr, suggestions marked.
pub fn figure(title: &str, curves: &[LrCurve], f_star: Option<f64>, options: &LrFindOptions) -> Figure {
    let gap = |l: f64| l - f_star.unwrap_or(0.0);
    let positive = curves.iter().flat_map(|c| &c.points).all(|p| !p.smoothed.is_finite() || p.smoothed > 0.0);
    let ys = curves.iter().flat_map(|c| c.points.iter().flat_map(|p| [p.smoothed, gap(p.loss)]));
    let y_range = if positive { charts::log_range(ys, 18.0) } else { charts::linear_range(ys) };
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    let mut legend = Vec::new();
    for (i, c) in curves.iter().enumerate() {
        let mut raw = Line::new(c.points.iter().map(|p| (p.lr, gap(p.loss))).collect(), color(i));
        raw.width = 1;
        raw.opacity = 0.35;
        lines.push(raw);
        lines.push(Line::new(c.points.iter().map(|p| (p.lr, p.smoothed)).collect(), color(i)));
        if let Some(k) = c.suggestion_index {
            let p = c.points[k];
            marks.push(Mark { at: (p.lr, p.smoothed), shape: Shape::Dot, color: color(i), size: 6 });
        }
        if let Some(lr) = c.diverged_at {
            marks.push(Mark { at: (lr, y_range.1), shape: Shape::Cross, color: color(i), size: 6 });
        }
        let label = match c.suggestion {
            Some(lr) => format!("{}: suggested lr {}", c.label, sig(lr, 3)),
            None => format!("{}: no suggestion (the loss never fell)", c.label),
        };
        legend.push(LegendEntry { label, color: color(i), swatch: Swatch::Line });
    }
    legend.push(LegendEntry {
        label: "suggestion: the middle of the valley".into(),
        color: charts::color(7),
        swatch: Swatch::Mark(Shape::Dot),
    });
    if curves.iter().any(|c| c.diverged_at.is_some()) {
        legend.push(LegendEntry {
            label: "diverged: test stopped".into(),
            color: charts::color(7),
            swatch: Swatch::Mark(Shape::Cross),
        });
    }
    let y_label = match f_star {
        Some(f) if f != 0.0 => {
            format!("loss − f* (f* = {}) after {} updates at each rate", sig(f, 4), options.steps)
        }
        _ => format!("loss after {} updates at each rate (thin: unsmoothed)", options.steps),
    };
    let panel = Panel {
        title: None,
        x: Axis {
            label: "learning rate (log scale)".into(),
            log: true,
            range: charts::log_range([options.min_lr, options.max_lr], 40.0),
        },
        y: Axis { label: y_label, log: positive, range: y_range },
        lines,
        marks,
    };
    Figure {
        title: format!("{title} — learning-rate range test"), panels: vec![panel], legend, panel_size: (820, 520)
    }
}

/// Write lr_find.csv (every point), lr_find_summary.csv (the suggestions) and
/// lr_find.svg into `dir`.
pub fn write(dir: &Path, scenario: &Scenario, curves: &[LrCurve], options: &LrFindOptions) -> Result<(), ReportError> {
    let fmt = super::csv::fmt_f64;
    let mut points = String::from("run,optimizer,rate_index,lr,loss,smoothed_loss\n");
    for c in curves {
        for p in &c.points {
            let _ = writeln!(
                points,
                "{},{},{},{},{},{}",
                csv_field(&c.label),
                c.kind.name(),
                p.step,
                fmt(p.lr),
                fmt(p.loss),
                if p.smoothed.is_finite() { fmt(p.smoothed) } else { String::new() }
            );
        }
    }
    let mut summary = String::from("run,optimizer,suggested_lr,valley_low,valley_high,diverged_at_lr,rates\n");
    for c in curves {
        let _ = writeln!(
            summary,
            "{},{},{},{},{},{},{}",
            csv_field(&c.label),
            c.kind.name(),
            c.suggestion.map(fmt).unwrap_or_default(),
            c.valley.map(|v| fmt(v.0)).unwrap_or_default(),
            c.valley.map(|v| fmt(v.1)).unwrap_or_default(),
            c.diverged_at.map(fmt).unwrap_or_default(),
            c.points.len()
        );
    }
    for (name, text) in [("lr_find.csv", points), ("lr_find_summary.csv", summary)] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(io_error(&path))?;
    }
    let f_star = super::test_function(scenario).and_then(|f| f.min_value());
    charts::write(&dir.join("lr_find.svg"), &figure(&scenario.name, curves, f_star, options))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}
