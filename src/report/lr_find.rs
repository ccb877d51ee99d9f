//! The learning-rate range test (Smith 2017, "Cyclical learning rates";
//! popularised by fastai's `lr_find`).
//!
//! One short run per optimizer entry with the rate growing exponentially, from
//! `min_lr` at the first update to `max_lr` at the last: an exponential
//! schedule with γ = (max/min)^(1/(n−1)). Each update's rate is paired with
//! the loss it led to. The loss (its gap to the known minimum f* when the
//! objective has one) is smoothed with an exponential moving average with bias
//! correction, as fastai does:
//!
//! ```text
//! a_k = β a_{k−1} + (1 − β) loss_k,   smoothed_k = a_k / (1 − β^k)
//! ```
//!
//! The test stops at divergence: a non-finite loss, or a smoothed loss above 4×
//! the best smoothed loss so far (fastai's rule) and above the smoothed loss at
//! the start (so momentum's swings do not count). The suggested rate is the one
//! where the smoothed log-loss falls fastest against log-lr (the most negative
//! slope, by central differences) on the way down to the lowest smoothed loss. On a quadratic, plain SGD's
//! loss falls fastest near lr = 1/L and diverges past 2/L (L the largest
//! curvature).
//!
//! [`range_test`] is a pure function of an objective and a run, so the UI can
//! run it on the selected run and set its slider to the suggestion.

use super::charts::{self, Axis, Figure, LegendEntry, Line, Mark, Panel, Shape, Swatch, color};
use super::format::sig;
use super::results::{ReportError, io_error};
use crate::engine::{Run, RunSpec, StopRule};
use crate::objective::Objective;
use crate::optim::{Hyper, HyperError, OptimizerKind, Schedule, ScheduleKind};
use crate::scenario::{Scenario, ScenarioError};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// How to run the test.
#[derive(Clone, Debug, PartialEq)]
pub struct LrFindOptions {
    pub min_lr: f64,
    pub max_lr: f64,
    /// Updates in the run (the rate reaches `max_lr` at the last one).
    pub steps: u64,
    /// Smoothing factor of the moving average; `None`: 1 − 50/steps (at least 0).
    pub beta: Option<f64>,
    /// Stop when the smoothed loss exceeds this many times its best.
    pub divergence: f64,
}

impl Default for LrFindOptions {
    fn default() -> Self {
        LrFindOptions { min_lr: 1e-6, max_lr: 10.0, steps: 100, beta: None, divergence: 4.0 }
    }
}

impl LrFindOptions {
    /// Checks the options; the message names the option.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.min_lr.is_finite() && self.min_lr > 0.0) {
            return Err(format!("--min must be a finite number > 0, not {}", self.min_lr));
        }
        if !(self.max_lr.is_finite() && self.max_lr > self.min_lr) {
            return Err(format!("--max must be finite and above --min ({}), not {}", self.min_lr, self.max_lr));
        }
        if self.steps < 5 {
            return Err(format!("--steps must be at least 5, not {}", self.steps));
        }
        if let Some(beta) = self.beta
            && !(0.0..1.0).contains(&beta)
        {
            return Err(format!("the smoothing factor must be in [0, 1), not {beta}"));
        }
        Ok(())
    }

    /// The smoothing factor used.
    pub fn beta(&self) -> f64 {
        self.beta.unwrap_or_else(|| (1.0 - 50.0 / self.steps as f64).max(0.0))
    }

    /// The per-update growth factor of the rate.
    pub fn gamma(&self) -> f64 {
        (self.max_lr / self.min_lr).powf(1.0 / (self.steps.max(2) - 1) as f64)
    }
}

/// One update of the test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrPoint {
    pub step: u64,
    pub lr: f64,
    pub loss: f64,
    /// Smoothed loss gap to f* (or loss, when f* is unknown).
    pub smoothed: f64,
}

/// The result of the test for one optimizer.
#[derive(Clone, Debug, PartialEq)]
pub struct LrCurve {
    pub label: String,
    pub kind: OptimizerKind,
    /// Every update until divergence (the diverging one included).
    pub points: Vec<LrPoint>,
    /// The rate at which the test stopped for divergence.
    pub diverged_at: Option<f64>,
    /// Index into `points` of the suggestion.
    pub suggestion_index: Option<usize>,
    /// The suggested learning rate.
    pub suggestion: Option<f64>,
}

/// Run the range test for the run `template` (its optimizer, seed, batch size and
/// noise; its lr, schedule, events and length are replaced).
pub fn range_test(
    objective: &dyn Objective,
    template: &RunSpec,
    options: &LrFindOptions,
) -> Result<LrCurve, HyperError> {
    range_test_until(objective, template, options, &|| false)
}

/// [`range_test`] that ends early (with the points so far) once `stop` says so.
pub fn range_test_until(
    objective: &dyn Objective,
    template: &RunSpec,
    options: &LrFindOptions,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Result<LrCurve, HyperError> {
    let mut spec = template.clone();
    spec.optimizer.set("lr", Hyper::Float(options.min_lr))?;
    spec.schedule = Schedule { kind: ScheduleKind::Exponential { gamma: options.gamma() }, warmup: 0 };
    spec.steps = options.steps;
    spec.events.clear();
    spec.eval_every = 1;
    // This test judges divergence itself; the run stops only on non-finite values.
    let stop = StopRule { target_loss: None, stop_at_target: false, divergence_factor: f64::MAX };
    let mut run = Run::new(spec, objective, stop);
    let f_star = objective.min_value().unwrap_or(0.0);

    let mut points: Vec<LrPoint> = Vec::new();
    let mut avg = 0.0;
    let mut best = f64::INFINITY;
    let mut diverged_at = None;
    let mut k = 0i32;
    let beta = options.beta();
    while let Some(record) = run.step(objective).cloned() {
        if should_stop() {
            break;
        }
        let Some(lr) = record.lr else { continue };
        k += 1;
        let gap = record.loss - f_star;
        if !gap.is_finite() {
            points.push(LrPoint { step: record.step, lr, loss: record.loss, smoothed: f64::NAN });
            diverged_at = Some(lr);
            break;
        }
        avg = beta * avg + (1.0 - beta) * gap;
        let smoothed = avg / (1.0 - beta.powi(k));
        points.push(LrPoint { step: record.step, lr, loss: record.loss, smoothed });
        // Divergence: far above the best, and worse than where the test started
        // (momentum makes the loss swing well above its best without diverging).
        let start = points[0].smoothed;
        if best > 0.0 && smoothed > options.divergence * best && smoothed > start {
            diverged_at = Some(lr);
            break;
        }
        best = best.min(smoothed);
    }
    let suggestion_index = steepest(&points);
    Ok(LrCurve {
        label: template.label.clone(),
        kind: template.optimizer.kind(),
        suggestion: suggestion_index.map(|i| points[i].lr),
        suggestion_index,
        diverged_at,
        points,
    })
}

/// Index of the most negative slope of log(smoothed) against log(lr) on the
/// way down to the lowest smoothed loss (slopes by central differences).
fn steepest(points: &[LrPoint]) -> Option<usize> {
    let usable: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.lr.ln(), p.smoothed.max(f64::MIN_POSITIVE).ln()))
        .take_while(|(_, y)| y.is_finite())
        .collect();
    let lowest = usable.iter().enumerate().min_by(|a, b| a.1.1.total_cmp(&b.1.1)).map(|(i, _)| i)?;
    let mut best: Option<(usize, f64)> = None;
    for i in 0..=lowest {
        let (a, b) = (i.saturating_sub(1), (i + 1).min(usable.len() - 1));
        if a == b {
            continue;
        }
        let slope = (usable[b].1 - usable[a].1) / (usable[b].0 - usable[a].0);
        if slope < 0.0 && best.is_none_or(|(_, s)| slope < s) {
            best = Some((i, slope));
        }
    }
    best.map(|(i, _)| i)
}

/// The range test for every `[[optimizer]]` entry of a scenario (its first
/// sweep combination and first seed), in parallel.
pub fn lr_find(
    scenario: &Scenario,
    options: &LrFindOptions,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<LrCurve>, ScenarioError> {
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
    templates
        .par_iter()
        .map(|t| {
            range_test_until(objective.as_ref(), t, options, stop).map_err(|e| ScenarioError {
                file: scenario.origin.display(),
                line: None,
                column: None,
                key: None,
                message: format!("lr-find on `{}`: {}", t.label, crate::scenario::hyper_reason(&e)),
            })
        })
        .collect()
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
        label: "suggestion (steepest descent)".into(),
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
        Some(f) if f != 0.0 => format!("loss − f* (f* = {}), smoothed", sig(f, 4)),
        _ => "loss, smoothed (thin: raw)".to_string(),
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
    let mut points = String::from("run,optimizer,step,lr,loss,smoothed_loss\n");
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
    let mut summary = String::from("run,optimizer,suggested_lr,diverged_at_lr,steps\n");
    for c in curves {
        let _ = writeln!(
            summary,
            "{},{},{},{},{}",
            csv_field(&c.label),
            c.kind.name(),
            c.suggestion.map(fmt).unwrap_or_default(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Status;
    use crate::scenario::Origin;

    /// f = ½(x² + 100 y²): L = 100, so 1/L = 0.01 and plain SGD diverges past 2/L.
    const QUADRATIC: &str = r#"
name = "Ill-conditioned quadratic"
steps = 600
[objective]
kind = "quadratic"
coeffs = [1.0, 100.0]
start = [1.0, 1.0]
[stop]
target_loss = 1e-8
[[optimizer]]
kind = "sgd"
label = "SGD"
[[optimizer]]
kind = "adam"
label = "Adam"
"#;

    #[test]
    fn sgd_is_told_about_one_over_l_and_adam_a_rate_that_converges() {
        let scenario = Scenario::parse(QUADRATIC, Origin::Bundled("test")).unwrap();
        // Few updates over a wide range: the steep direction still dominates the
        // loss when the rate passes 1/L (with many updates it has decayed long before).
        let options = LrFindOptions { min_lr: 1e-4, max_lr: 10.0, steps: 30, ..LrFindOptions::default() };
        let curves = lr_find(&scenario, &options, &|| false).unwrap();
        let (sgd, adam) = (&curves[0], &curves[1]);
        let one_over_l = 1.0 / 100.0;
        let s = sgd.suggestion.unwrap();
        assert!(s > one_over_l / 3.0 && s < one_over_l * 3.0, "SGD: suggested {s}, 1/L = {one_over_l}");
        // SGD diverges past 2/L: the test saw it and stopped there.
        let d = sgd.diverged_at.unwrap();
        assert!(d > 2.0 * one_over_l && d < 100.0 * one_over_l, "SGD diverged at {d}");
        assert!(sgd.points.iter().all(|p| p.lr <= d));

        // A normal run of Adam at its suggested rate converges.
        let lr = adam.suggestion.unwrap();
        let objective = scenario.build_objective().unwrap();
        let mut spec = scenario.run_specs(2).unwrap().into_iter().find(|s| s.label == "Adam").unwrap();
        spec.optimizer.set("lr", Hyper::Float(lr)).unwrap();
        let mut run = Run::new(spec, objective.as_ref(), scenario.stop.clone());
        while run.step(objective.as_ref()).is_some() {}
        let summary = run.summary();
        assert!(matches!(summary.status, Status::ReachedTarget { .. }), "Adam at lr {lr}: {summary:?}");
        assert!(summary.final_loss < 1e-8, "Adam at lr {lr}: final loss {}", summary.final_loss);
    }

    #[test]
    fn the_rate_grows_from_min_to_max_and_the_loss_is_smoothed_with_bias_correction() {
        let scenario = Scenario::parse(QUADRATIC, Origin::Bundled("test")).unwrap();
        let options =
            LrFindOptions { min_lr: 1e-6, max_lr: 1e-3, steps: 20, beta: Some(0.9), ..LrFindOptions::default() };
        let curve = &lr_find(&scenario, &options, &|| false).unwrap()[0];
        // No divergence below 1e-3: every update ran, the last at max.
        assert_eq!(curve.points.len(), 20);
        assert_eq!(curve.diverged_at, None);
        assert!((curve.points[0].lr - 1e-6).abs() < 1e-18);
        assert!((curve.points[19].lr / 1e-3 - 1.0).abs() < 1e-9);
        // Bias correction: the first smoothed value is the first loss itself.
        assert!((curve.points[0].smoothed - curve.points[0].loss).abs() < 1e-12);
        let expected = (0.9 * 0.1 * curve.points[0].loss + 0.1 * curve.points[1].loss) / (1.0 - 0.81);
        assert!((curve.points[1].smoothed - expected).abs() < 1e-9);
        assert!(options.validate().is_ok());
        assert!(LrFindOptions { min_lr: 0.0, ..options.clone() }.validate().is_err());
        assert!(LrFindOptions { max_lr: 1e-7, ..options.clone() }.validate().is_err());
        assert_eq!(LrFindOptions { steps: 100, beta: None, ..options }.beta(), 0.5);
    }

    #[test]
    fn the_suggestion_is_the_steepest_fall_before_the_lowest_point() {
        let point = |lr: f64, smoothed: f64| LrPoint { step: 0, lr, loss: smoothed, smoothed };
        // Falls gently, then steeply around lr = 1e-2, bottoms out at 1, rises; the
        // drop after the rise is not on the way down to the lowest point before it.
        let points = vec![
            point(1e-4, 10.0),
            point(1e-3, 9.0),
            point(1e-2, 1.0),
            point(1e-1, 0.5),
            point(1.0, 0.4),
            point(10.0, 50.0),
            point(100.0, 20.0),
        ];
        assert_eq!(steepest(&points), Some(2));
        assert_eq!(steepest(&[point(1.0, 1.0), point(2.0, 2.0)]), None);
    }
}
