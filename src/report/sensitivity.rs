//! Learning-rate sensitivity: for entries that sweep `lr`, the final loss
//! against lr, each optimizer's best lr and the range of lr within 10% of its
//! best — how wide its good range is.
//!
//! "Within 10%" is measured on the loss gap to the known minimum f* when the
//! objective has one (so a function whose minimum is −39 is judged fairly),
//! otherwise on the loss itself: a value v is within 10% of the best b when
//! v − f* ≤ (b − f*) + 0.1·|b − f*|. The range is the contiguous run of swept
//! values around the best that qualify. Gaps below 10⁻¹² of the median
//! starting gap count as solved and equal (the best is then the smallest such
//! lr), so rates that all reach the minimum to rounding share the range.

use super::ranking::Ranking;
use super::stats::Quartiles;
use crate::optim::{Hyper, OptimizerKind};
use crate::scenario::fmt_hyper;

/// One point of a sensitivity curve: a swept lr over seeds.
#[derive(Clone, Debug)]
pub struct SensitivityPoint {
    pub lr: f64,
    /// Final loss over seeds (diverged = +∞).
    pub final_loss: Quartiles,
    pub diverged: usize,
    pub seeds: usize,
    /// Index of the ranking row.
    pub group: usize,
}

/// One curve: an entry (and one value of its other swept keys) over its lr values.
#[derive(Clone, Debug)]
pub struct SensitivityCurve {
    pub label: String,
    pub entry: usize,
    pub kind: OptimizerKind,
    /// Sorted by lr.
    pub points: Vec<SensitivityPoint>,
    /// Index into `points` of the lowest median final loss (`None`: every lr diverged).
    pub best: Option<usize>,
    /// The lr range within 10% of the best, and how many swept values it holds.
    pub good_range: Option<(f64, f64, usize)>,
}

impl SensitivityCurve {
    pub fn best_point(&self) -> Option<&SensitivityPoint> {
        self.best.map(|i| &self.points[i])
    }
}

/// The curves of every entry that sweeps lr; `f_star` is the known minimum, if
/// any, and gaps below `solved` count as equal (solved): rates that all reach
/// the minimum to rounding are all "within 10%".
pub fn sensitivity(
    ranking: &Ranking,
    entry_labels: &[String],
    f_star: Option<f64>,
    solved: f64,
) -> Vec<SensitivityCurve> {
    let mut curves: Vec<(Vec<(String, Hyper)>, SensitivityCurve)> = Vec::new();
    for (gi, g) in ranking.groups.iter().enumerate() {
        let Some(lr) = g.swept("lr").and_then(Hyper::as_f64) else { continue };
        let others: Vec<(String, Hyper)> = g.combination.iter().filter(|(n, _)| n != "lr").cloned().collect();
        let point =
            SensitivityPoint { lr, final_loss: g.final_loss, diverged: g.diverged, seeds: g.seeds(), group: gi };
        match curves.iter_mut().find(|(o, c)| c.entry == g.entry && *o == others) {
            Some((_, c)) => c.points.push(point),
            None => {
                let mut label = entry_labels.get(g.entry).cloned().unwrap_or_else(|| g.kind.name().to_string());
                for (n, v) in &others {
                    label.push_str(&format!(" {n}={}", fmt_hyper(*v)));
                }
                let curve = SensitivityCurve {
                    label,
                    entry: g.entry,
                    kind: g.kind,
                    points: vec![point],
                    best: None,
                    good_range: None,
                };
                curves.push((others, curve));
            }
        }
    }
    curves
        .into_iter()
        .map(|(_, mut c)| {
            c.points.sort_by(|a, b| a.lr.total_cmp(&b.lr));
            analyse(&mut c, f_star, solved);
            c
        })
        .collect()
}

fn analyse(curve: &mut SensitivityCurve, f_star: Option<f64>, solved: f64) {
    let gap = |p: &SensitivityPoint| (p.final_loss.median - f_star.unwrap_or(0.0)).max(solved);
    // The lowest median; ties go to the smaller lr (the first in order).
    let best = curve
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.final_loss.median.is_finite())
        .min_by(|(_, a), (_, b)| gap(a).total_cmp(&gap(b)))
        .map(|(i, _)| i);
    curve.best = best;
    let Some(b) = best else { return };
    let best_gap = gap(&curve.points[b]);
    let threshold = best_gap + 0.1 * best_gap.abs();
    let good = |p: &SensitivityPoint| p.final_loss.median.is_finite() && gap(p) <= threshold;
    let mut lo = b;
    while lo > 0 && good(&curve.points[lo - 1]) {
        lo -= 1;
    }
    let mut hi = b;
    while hi + 1 < curve.points.len() && good(&curve.points[hi + 1]) {
        hi += 1;
    }
    curve.good_range = Some((curve.points[lo].lr, curve.points[hi].lr, hi - lo + 1));
}
