//! The learning-rate range test (after Smith 2017, "Cyclical learning rates",
//! and fastai's `lr_find`), as short probes from the start.
//!
//! `rates` learning rates spaced evenly on a log scale from `min_lr` to
//! `max_lr`; at each, a fresh copy of the run (same seed, so the same initial
//! parameters and minibatches) makes `steps` updates at that constant rate,
//! and the loss it reaches (its gap to the known minimum f* when the objective
//! has one) is the curve's point. The test stops at the first rate that
//! diverges: a non-finite loss, or a loss above `divergence`× the best so far
//! and above the loss at the start.
//!
//! Why probes and not Smith's single run with a growing rate: in one run the
//! directions of high curvature are already solved by the time the rate
//! reaches 1/L, so on a deterministic problem the curve shows their fall at
//! about a quarter of 1/L and their blow-up only long after 2/L (the residual
//! they grow from is tiny). A probe at each rate sees each rate as a constant
//! rate run would: on f = ½ Σ cᵢxᵢ², plain SGD's loss after m updates is
//! Σ ½cᵢxᵢ²(1 − lr·cᵢ)^(2m), lowest a little above 1/L, rising past 2/L.
//!
//! The suggestion is the middle (on the log scale) of the valley: the rates
//! around the lowest point whose log-loss lies in the bottom tenth of the fall
//! from the start to the lowest point. It is fastai's later `valley` idea (a
//! point well inside the region where the loss is low, not the steepest point
//! nor the edge of divergence), made scale-free. It is rounded to three
//! significant digits, the precision a person would type.
//!
//! [`range_test`] is a pure function of an objective and a run template, so
//! the CLI runs it per optimizer entry and the lab on the selected run.

use super::{Run, RunSpec, StopRule};
use crate::objective::Objective;
use crate::optim::{Hyper, HyperError, OptimizerKind, Schedule};

/// How to run the test.
#[derive(Clone, Debug, PartialEq)]
pub struct LrFindOptions {
    pub min_lr: f64,
    pub max_lr: f64,
    /// Rates tried, `min_lr` and `max_lr` included.
    pub rates: u64,
    /// Updates of each probe.
    pub steps: u64,
    /// Stop when a probe's loss exceeds this many times the best.
    pub divergence: f64,
}

impl Default for LrFindOptions {
    fn default() -> Self {
        LrFindOptions { min_lr: 1e-6, max_lr: 10.0, rates: 50, steps: 10, divergence: 4.0 }
    }
}

/// The test could not run.
#[derive(Debug, thiserror::Error)]
pub enum LrFindError {
    #[error("{0}")]
    Options(String),
    #[error("the optimizer has no learning rate to test: {0}")]
    NoRate(#[from] HyperError),
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
        if !(5..=10_000).contains(&self.rates) {
            return Err(format!("--rates must be between 5 and 10000, not {}", self.rates));
        }
        if !(1..=100_000).contains(&self.steps) {
            return Err(format!("--steps must be between 1 and 100000, not {}", self.steps));
        }
        if !(self.divergence.is_finite() && self.divergence > 1.0) {
            return Err(format!("the divergence factor must be above 1, not {}", self.divergence));
        }
        Ok(())
    }

    /// The `i`-th rate tried.
    pub fn rate(&self, i: u64) -> f64 {
        let f = i as f64 / (self.rates.max(2) - 1) as f64;
        self.min_lr * (self.max_lr / self.min_lr).powf(f)
    }
}

/// One probe of the test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrPoint {
    /// Index of the rate (0 for `min_lr`).
    pub step: u64,
    pub lr: f64,
    /// The loss after the probe's updates.
    pub loss: f64,
    /// Its gap to f* (or the loss, when f* is unknown), averaged on the log
    /// scale with its neighbours' so one noisy probe does not make a valley.
    pub smoothed: f64,
}

/// The result of the test for one optimizer.
#[derive(Clone, Debug, PartialEq)]
pub struct LrCurve {
    pub label: String,
    pub kind: OptimizerKind,
    /// Every probe until divergence (the diverging one included).
    pub points: Vec<LrPoint>,
    /// The rate at which the test stopped for divergence.
    pub diverged_at: Option<f64>,
    /// Index into `points` of the point nearest the suggestion.
    pub suggestion_index: Option<usize>,
    /// The suggested learning rate (three significant digits).
    pub suggestion: Option<f64>,
    /// The valley the suggestion is the middle of: its lowest and highest rate.
    pub valley: Option<(f64, f64)>,
}

/// Run the range test for the run `template` (its optimizer, seed, batch size
/// and noise; its lr, schedule, events and length are replaced).
pub fn range_test(
    objective: &dyn Objective,
    template: &RunSpec,
    options: &LrFindOptions,
) -> Result<LrCurve, LrFindError> {
    range_test_until(objective, template, options, &|| false)
}

/// [`range_test`] that ends early, with the rates tried so far, once
/// `should_stop` says so (checked between updates).
pub fn range_test_until(
    objective: &dyn Objective,
    template: &RunSpec,
    options: &LrFindOptions,
    should_stop: &(dyn Fn() -> bool + Sync),
) -> Result<LrCurve, LrFindError> {
    options.validate().map_err(LrFindError::Options)?;
    let mut spec = template.clone();
    spec.schedule = Schedule::default();
    spec.steps = options.steps;
    spec.events.clear();
    spec.eval_every = options.steps;
    // This test judges divergence itself; a probe stops only on non-finite values.
    let stop = StopRule { target_loss: None, stop_at_target: false, divergence_factor: f64::MAX };
    let f_star = objective.min_value().unwrap_or(0.0);

    let mut raw: Vec<(f64, f64)> = Vec::new();
    let mut best = f64::INFINITY;
    let mut start_gap = f64::NAN;
    let mut diverged_at = None;
    for i in 0..options.rates {
        if should_stop() {
            break;
        }
        let lr = options.rate(i);
        spec.optimizer.set("lr", Hyper::Float(lr))?;
        let mut run = Run::new(spec.clone(), objective, stop.clone());
        if i == 0 {
            start_gap = run.initial_loss() - f_star;
        }
        while !run.is_finished() {
            if should_stop() {
                break;
            }
            run.step(objective);
        }
        if should_stop() {
            break;
        }
        let loss = run.last().loss;
        let gap = loss - f_star;
        raw.push((lr, loss));
        if !gap.is_finite() || (gap > options.divergence * best && gap > start_gap) {
            diverged_at = Some(lr);
            break;
        }
        best = best.min(gap);
    }
    let points = smooth(&raw, f_star, diverged_at.is_some());
    let valley = valley(&points, start_gap);
    let suggestion = valley.map(|(a, b)| round_sig((a * b).sqrt(), 3));
    let suggestion_index = suggestion.and_then(|s| {
        points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.smoothed.is_finite())
            .min_by(|a, b| (a.1.lr.ln() - s.ln()).abs().total_cmp(&(b.1.lr.ln() - s.ln()).abs()))
            .map(|(i, _)| i)
    });
    Ok(LrCurve {
        label: template.label.clone(),
        kind: template.optimizer.kind(),
        points,
        diverged_at,
        suggestion_index,
        suggestion,
        valley,
    })
}

/// The probes with their smoothed gap: the mean of the log gap over the
/// probe and its neighbours (the diverged last probe is left out of it).
fn smooth(raw: &[(f64, f64)], f_star: f64, diverged: bool) -> Vec<LrPoint> {
    let usable = if diverged { raw.len().saturating_sub(1) } else { raw.len() };
    let log_gap = |i: usize| {
        let g = raw.get(i).map_or(f64::NAN, |p| p.1 - f_star);
        (g.is_finite() && i < usable).then(|| g.max(f64::MIN_POSITIVE).ln())
    };
    (0..raw.len())
        .map(|i| {
            let (lr, loss) = raw[i];
            let smoothed = match log_gap(i) {
                None => f64::NAN,
                Some(_) => {
                    let near: Vec<f64> =
                        [i.checked_sub(1), Some(i), Some(i + 1)].into_iter().flatten().filter_map(log_gap).collect();
                    (near.iter().sum::<f64>() / near.len() as f64).exp()
                }
            };
            LrPoint { step: i as u64, lr, loss, smoothed }
        })
        .collect()
}

/// The valley: the rates around the lowest smoothed point whose log gap lies
/// in the bottom tenth of the fall from the start. `None` when the loss
/// never fell below the start.
fn valley(points: &[LrPoint], start_gap: f64) -> Option<(f64, f64)> {
    let logs: Vec<f64> = points
        .iter()
        .map(|p| if p.smoothed.is_finite() { p.smoothed.max(f64::MIN_POSITIVE).ln() } else { f64::INFINITY })
        .collect();
    let (lowest, &low) = logs.iter().enumerate().filter(|(_, v)| v.is_finite()).min_by(|a, b| a.1.total_cmp(b.1))?;
    let start = if start_gap.is_finite() && start_gap > 0.0 { start_gap.ln() } else { *logs.first()? };
    if low.partial_cmp(&start) != Some(std::cmp::Ordering::Less) {
        return None;
    }
    let threshold = low + 0.1 * (start - low);
    let mut a = lowest;
    while a > 0 && logs[a - 1] <= threshold {
        a -= 1;
    }
    let mut b = lowest;
    while b + 1 < logs.len() && logs[b + 1] <= threshold {
        b += 1;
    }
    Some((points[a].lr, points[b].lr))
}

/// `x` to `digits` significant digits.
pub fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    let r = (x * scale).round() / scale;
    // Round through the decimal text so 0.0152 is the double nearest 0.0152.
    format!("{r:.*e}", (digits - 1) as usize).parse().unwrap_or(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Origin, Scenario};

    fn quadratic(coeffs: &[f64], optimizer: &str) -> Scenario {
        let coeffs: Vec<String> = coeffs.iter().map(|c| format!("{c:?}")).collect();
        let ones = vec!["1.0"; coeffs.len()].join(", ");
        let text = format!(
            "name = \"q\"\n[objective]\nkind = \"quadratic\"\ncoeffs = [{}]\nstart = [{ones}]\n[[optimizer]]\n{optimizer}\n",
            coeffs.join(", ")
        );
        Scenario::parse(&text, Origin::Bundled("test")).unwrap()
    }

    fn suggest(scenario: &Scenario) -> LrCurve {
        let objective = scenario.build_objective().unwrap();
        let spec = scenario.run_specs(objective.dim()).unwrap().remove(0);
        range_test(objective.as_ref(), &spec, &LrFindOptions::default()).unwrap()
    }

    #[test]
    fn sgd_is_told_a_rate_within_a_factor_two_of_one_over_l_at_the_defaults() {
        let spread: Vec<f64> = (0..10).map(|i| 10f64.powf(i as f64 / 4.5)).collect();
        let cases: Vec<Vec<f64>> =
            vec![vec![1.0, 1.0], vec![1.0, 10.0], vec![1.0, 50.0], vec![1.0, 100.0], vec![1.0, 1000.0], spread];
        for coeffs in cases {
            let l = coeffs.iter().copied().fold(0.0, f64::max);
            for kind in ["kind = \"sgd\"", "kind = \"gd\""] {
                let curve = suggest(&quadratic(&coeffs, kind));
                let s = curve.suggestion.expect("the loss falls");
                assert!(s > 0.5 / l && s < 2.0 / l, "{kind} on {coeffs:?}: suggested {s}, 1/L = {}", 1.0 / l);
                // The test saw the blow-up past 2/L and stopped there.
                let d = curve.diverged_at.expect("plain SGD diverges past 2/L");
                assert!(d > 2.0 / l && d < 10.0 / l, "{kind} on {coeffs:?}: diverged at {d}");
            }
        }
    }

    #[test]
    fn the_bundled_ill_conditioned_momentum_and_adam_runs_are_told_rates_that_reach_the_target() {
        let scenario = Scenario::load("ill_conditioned").unwrap();
        let objective = scenario.build_objective().unwrap();
        for spec in scenario.run_specs(objective.dim()).unwrap() {
            let curve = range_test(objective.as_ref(), &spec, &LrFindOptions::default()).unwrap();
            let lr = curve.suggestion.unwrap_or_else(|| panic!("{}: no suggestion", spec.label));
            let label = spec.label.clone();
            if spec.optimizer.kind() == OptimizerKind::Gd {
                // Plain GD reaches 1e-8 in 600 updates only between 0.0186 and 2/L = 0.02.
                assert!(lr > 0.005 && lr < 0.02, "{label}: suggested {lr}, 1/L = 0.01");
                continue;
            }
            let mut spec = spec.clone();
            spec.optimizer.set("lr", Hyper::Float(lr)).unwrap();
            let mut run = Run::new(spec, objective.as_ref(), scenario.stop.clone());
            while run.step(objective.as_ref()).is_some() {}
            let summary = run.summary();
            assert!(
                summary.steps_to_target.is_some(),
                "{label} at its suggested lr {lr}: final loss {}",
                summary.final_loss
            );
        }
    }

    #[test]
    fn the_rates_span_min_to_max_and_each_probe_starts_afresh() {
        let scenario = quadratic(&[1.0, 100.0], "kind = \"sgd\"");
        let options = LrFindOptions { min_lr: 1e-6, max_lr: 1e-3, rates: 7, steps: 3, ..LrFindOptions::default() };
        let objective = scenario.build_objective().unwrap();
        let spec = scenario.run_specs(2).unwrap().remove(0);
        let curve = range_test(objective.as_ref(), &spec, &options).unwrap();
        assert_eq!(curve.points.len(), 7);
        assert_eq!(curve.diverged_at, None);
        assert!((curve.points[0].lr - 1e-6).abs() < 1e-18);
        assert!((curve.points[6].lr / 1e-3 - 1.0).abs() < 1e-12);
        assert!((curve.points[3].lr / 10f64.powf(-4.5) - 1.0).abs() < 1e-12);
        // Three updates of SGD from (1, 1) at the last rate, by hand.
        let (lr, mut x, mut y) = (1e-3, 1.0f64, 1.0f64);
        for _ in 0..3 {
            x -= lr * x;
            y -= lr * 100.0 * y;
        }
        assert!((curve.points[6].loss - 0.5 * (x * x + 100.0 * y * y)).abs() < 1e-12);
        assert!(options.validate().is_ok());
        assert!(LrFindOptions { min_lr: 0.0, ..options.clone() }.validate().is_err());
        assert!(LrFindOptions { max_lr: 1e-7, ..options.clone() }.validate().is_err());
        assert!(LrFindOptions { rates: 2, ..options }.validate().is_err());
    }

    #[test]
    fn the_valley_is_the_bottom_tenth_of_the_fall_around_the_lowest_point() {
        let point = |lr: f64, smoothed: f64| LrPoint { step: 0, lr, loss: smoothed, smoothed };
        // Start 1e4, lowest 1: the bottom tenth of the log fall is below 10^0.4 ≈ 2.5.
        let points = [
            point(1e-4, 1e4),
            point(1e-3, 100.0),
            point(1e-2, 2.0),
            point(1e-1, 1.0),
            point(1.0, 2.4),
            point(10.0, 3.0),
            point(100.0, 2.0),
        ];
        assert_eq!(valley(&points, 1e4), Some((1e-2, 1.0)));
        // A loss that never falls has no valley.
        assert_eq!(valley(&[point(1.0, 5.0), point(2.0, 6.0)], 5.0), None);
        assert_eq!(round_sig(0.0015194, 3), 0.00152);
        assert_eq!(round_sig(31.46, 3), 31.5);
    }
}
