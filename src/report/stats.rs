//! Statistics over the seeds of a run: quantiles, success rates, ranks.
//!
//! Quantiles use linear interpolation between order statistics, the default of
//! `numpy.quantile` (method "linear", Hyndman & Fan type 7): for sorted values
//! x₀ ≤ … ≤ xₙ₋₁ the p-quantile is xₖ + (h − k)(xₖ₊₁ − xₖ) with h = (n − 1)p and
//! k = ⌊h⌋. The median is the 0.5-quantile and the interquartile range spans the
//! 0.25- and 0.75-quantiles. A diverged run's final loss counts as +∞, so a
//! median is infinite when half the seeds or more diverged.

use std::cmp::Ordering;

/// The p-quantile (0 ≤ p ≤ 1) of `sorted` (ascending, no NaN) by linear
/// interpolation; `None` when empty. Infinite values are allowed.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let k = h.floor() as usize;
    let frac = h - k as f64;
    let a = sorted[k];
    if frac == 0.0 || k + 1 >= n {
        return Some(a);
    }
    let b = sorted[k + 1];
    // a == b also covers two equal infinities, where b - a is NaN.
    if a == b { Some(a) } else { Some(a + (b - a) * frac) }
}

/// Lower quartile, median and upper quartile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quartiles {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
}

/// Quartiles of `values` (any order; NaN counts as +∞); `None` when empty.
pub fn quartiles(values: &[f64]) -> Option<Quartiles> {
    let sorted = sorted(values);
    Some(Quartiles {
        q1: quantile_sorted(&sorted, 0.25)?,
        median: quantile_sorted(&sorted, 0.5)?,
        q3: quantile_sorted(&sorted, 0.75)?,
    })
}

/// The median of `values` (any order; NaN counts as +∞); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    quantile_sorted(&sorted(values), 0.5)
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().map(|&x| if x.is_nan() { f64::INFINITY } else { x }).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Successes out of trials, as a fraction; `None` for no trials.
pub fn rate(successes: usize, trials: usize) -> Option<f64> {
    (trials > 0).then(|| successes as f64 / trials as f64)
}

/// Competition ranks ("1224"): item i gets 1 + the number of items strictly
/// better than it under `cmp` (`Less` = better). Items that compare `Equal`
/// share a rank, whatever their order in `items`.
pub fn competition_ranks<T>(items: &[T], cmp: impl Fn(&T, &T) -> Ordering) -> Vec<usize> {
    items.iter().map(|a| 1 + items.iter().filter(|b| cmp(b, a) == Ordering::Less).count()).collect()
}

/// Compares keys lexicographically, each with `f64::total_cmp` (so +∞ sorts
/// last and equal keys compare `Equal`).
pub fn cmp_keys(a: &[f64], b: &[f64]) -> Ordering {
    a.iter().zip(b).map(|(x, y)| x.total_cmp(y)).find(|o| *o != Ordering::Equal).unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.75]) == [1.75, 2.5, 3.25]
        let q = quartiles(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (1.75, 2.5, 3.25));
        // numpy.quantile([1, 2, 3, 4, 5], [0.25, 0.5, 0.75]) == [2, 3, 4]
        let q = quartiles(&[5.0, 3.0, 1.0, 4.0, 2.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (2.0, 3.0, 4.0));
        // numpy.quantile([10, 20, 40], 0.1) == 12
        assert!((quantile_sorted(&[10.0, 20.0, 40.0], 0.1).unwrap() - 12.0).abs() < 1e-12);
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn infinite_values_give_infinite_upper_quantiles_only() {
        let inf = f64::INFINITY;
        let q = quartiles(&[1.0, inf, 2.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (1.5, 2.0, inf));
        let q = quartiles(&[inf, 1.0, f64::NAN, 3.0]).unwrap();
        assert_eq!(q.q1, 2.5);
        assert_eq!(q.median, inf);
        assert_eq!(quartiles(&[inf, inf]).unwrap().median, inf);
    }

    #[test]
    fn ranks_share_ties_and_skip_after_them() {
        let keys: Vec<Vec<f64>> = vec![vec![3.0], vec![1.0], vec![3.0], vec![f64::INFINITY], vec![2.0]];
        let ranks = competition_ranks(&keys, |a, b| cmp_keys(a, b));
        assert_eq!(ranks, vec![3, 1, 3, 5, 2]);
        // A second key breaks ties of the first.
        let keys: Vec<Vec<f64>> = vec![vec![1.0, 5.0], vec![1.0, 4.0], vec![0.5, 9.0]];
        assert_eq!(competition_ranks(&keys, |a, b| cmp_keys(a, b)), vec![3, 2, 1]);
        assert_eq!(rate(3, 4), Some(0.75));
        assert_eq!(rate(0, 0), None);
    }
}
