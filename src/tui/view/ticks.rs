//! Round axis ticks: steps of 1, 2 or 5 times a power of ten on linear axes,
//! decades (or every 2nd, 3rd, 5th … decade) on log axes, 4 to 7 of them, and
//! labels in one format per axis.

/// Ticks of an axis and the range they span (the data range widened to them
/// on linear axes, so the ends are labelled).
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// Tick positions in axis units (log₁₀ of the value on log axes).
    pub at: Vec<f64>,
    pub labels: Vec<String>,
    pub lo: f64,
    pub hi: f64,
}

const MIN_TICKS: usize = 4;
const MAX_TICKS: usize = 7;

/// The smallest 1-2-5 step that splits `span` into at most `max` intervals.
fn nice_step(span: f64, max: usize) -> f64 {
    let raw = span / max as f64;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|s| *s >= raw * (1.0 - 1e-9)).unwrap_or(10.0 * p)
}

/// Linear ticks over [lo, hi], widened to whole steps unless `fixed`.
pub fn linear(lo: f64, hi: f64, fixed: bool) -> Ticks {
    linear_at_most(lo, hi, fixed, MAX_TICKS)
}

/// As [`linear`], with at most `max` ticks (fewer than 4 only when `max` says so).
pub fn linear_at_most(lo: f64, hi: f64, fixed: bool, max: usize) -> Ticks {
    let max_ticks = max.clamp(2, MAX_TICKS);
    let min_ticks = MIN_TICKS.min(max_ticks);
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0)) };
    // The largest count of intervals whose round step gives 4–7 ticks.
    let mut best = None;
    for max in (min_ticks.saturating_sub(1).max(1)..max_ticks).rev() {
        let step = nice_step(hi - lo, max);
        let (a, b) = if fixed {
            ((lo / step - 1e-9).ceil(), (hi / step + 1e-9).floor())
        } else {
            ((lo / step + 1e-9).floor(), (hi / step - 1e-9).ceil())
        };
        let n = (b - a) as usize + 1;
        if (min_ticks..=max_ticks).contains(&n) {
            best = Some((step, a, b));
            break;
        }
        best.get_or_insert((step, a, b));
    }
    let (step, a, b) = best.unwrap_or((hi - lo, 0.0, 1.0));
    let at: Vec<f64> = (0..=(b - a) as i64).map(|i| clean((a + i as f64) * step)).collect();
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let labels = at.iter().map(|&v| fixed_label(v, decimals, step)).collect();
    let (lo, hi) = if fixed { (lo, hi) } else { (a * step, b * step) };
    Ticks { at, labels, lo, hi }
}

/// Log ticks over [lo, hi] (log₁₀ units): decades, every k-th decade when
/// there are many, values 1-2-5 of each decade when there are few.
pub fn log(lo: f64, hi: f64) -> Ticks {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 0.5, hi + 0.5) };
    let decades = hi.floor() - lo.ceil() + 1.0;
    if decades >= MIN_TICKS as f64 {
        let k = [1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0]
            .into_iter()
            .find(|k| (decades / k).ceil() <= MAX_TICKS as f64)
            .unwrap_or(100.0);
        let first = (lo / k).ceil() * k;
        let at: Vec<f64> = (0..).map(|i| first + i as f64 * k).take_while(|&e| e <= hi + 1e-9).collect();
        let labels = log_labels(&at);
        return Ticks { at, labels, lo, hi };
    }
    // Few decades: 1, 2, 5 (or every digit) times each power of ten within.
    for mantissas in
        [&[1.0, 2.0, 5.0][..], &[1.0, 2.0, 3.0, 5.0, 7.0][..], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]]
    {
        let mut at = Vec::new();
        for e in (lo.floor() as i64)..=(hi.ceil() as i64) {
            for m in mantissas {
                let v = (m * 10f64.powi(e as i32)).log10();
                if v >= lo - 1e-9 && v <= hi + 1e-9 {
                    at.push(v);
                }
            }
        }
        if at.len() >= MIN_TICKS {
            if at.len() > MAX_TICKS {
                let keep = at.len().div_ceil(MAX_TICKS);
                at = at.into_iter().step_by(keep).collect();
            }
            let labels = log_labels(&at);
            return Ticks { at, labels, lo, hi };
        }
    }
    // Less than a factor of ten or so: round values, evenly spaced in value.
    let t = linear(10f64.powf(lo), 10f64.powf(hi), true);
    let at: Vec<f64> = t.at.iter().filter(|v| **v > 0.0).map(|v| v.log10()).collect();
    let labels = t.labels.into_iter().zip(&t.at).filter(|(_, v)| **v > 0.0).map(|(l, _)| l).collect();
    Ticks { at, labels, lo, hi }
}

/// Rounding noise off a multiple of a step (0.30000000000000004 → 0.3).
fn clean(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { format!("{v:.12e}").parse().unwrap_or(v) }
}

fn fixed_label(v: f64, decimals: usize, step: f64) -> String {
    let a = v.abs().max(step);
    if step >= 1000.0 {
        return super::super::format::count(v);
    }
    if a >= 1e6 || step < 1e-4 {
        return if v == 0.0 { "0".into() } else { format!("{v:e}") };
    }
    if v == 0.0 {
        return "0".into();
    }
    format!("{v:.decimals$}")
}

/// Labels of log ticks in one style: plain numbers when every one is between
/// 0.001 and 10,000, else powers of ten (1e-6).
fn log_labels(at: &[f64]) -> Vec<String> {
    let plain = at.iter().all(|e| (-3.0 - 1e-9..=4.0 + 1e-9).contains(e));
    at.iter()
        .map(|&e| {
            let v = 10f64.powf(e);
            let whole = (e - e.round()).abs() < 1e-9;
            if plain {
                let s = format!("{:.6}", clean(v));
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else if whole {
                format!("1e{}", e.round() as i64)
            } else {
                let m = clean(v / 10f64.powf(e.floor()));
                format!("{}e{}", m, e.floor() as i64)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(v: f64) -> bool {
        if v == 0.0 {
            return true;
        }
        let m = v.abs() / 10f64.powf(v.abs().log10().floor());
        [1.0, 2.0, 5.0, 10.0].iter().any(|r| (m - r).abs() < 1e-9) || {
            // multiples of a 1-2-5 step: 0.6 = 3 × 0.2, 7.5k = 15 × 500 …
            let s = format!("{m:.6}");
            s.trim_end_matches('0').len() <= 4
        }
    }

    #[test]
    fn linear_ticks_are_round_and_four_to_seven() {
        for (lo, hi) in
            [(0.0, 26.67), (0.0, 3000.0), (1.95e-3, 7708.0), (-3.2, 4.1), (0.37, 0.41), (0.0, 1.0), (5.0, 5.0)]
        {
            let t = linear(lo, hi, false);
            assert!((MIN_TICKS..=MAX_TICKS).contains(&t.at.len()), "{lo}..{hi}: {:?}", t.labels);
            assert!(t.lo <= lo && t.hi >= hi, "{lo}..{hi} widened to {}..{}", t.lo, t.hi);
            let step = t.at[1] - t.at[0];
            assert!(t.at.windows(2).all(|w| ((w[1] - w[0]) - step).abs() < step * 1e-9), "{:?}", t.at);
            let m = step / 10f64.powf(step.log10().floor());
            assert!([1.0, 2.0, 5.0].iter().any(|r| (m - r).abs() < 1e-9), "step {step}");
            assert!(t.at.iter().all(|v| round(*v)), "{:?}", t.at);
        }
        assert_eq!(linear(0.0, 26.67, false).labels, ["0", "5", "10", "15", "20", "25", "30"]);
        assert_eq!(linear(0.0, 3000.0, false).labels, ["0", "500", "1000", "1500", "2000", "2500", "3000"]);
        assert_eq!(linear(0.37, 0.41, false).labels, ["0.37", "0.38", "0.39", "0.40", "0.41"]);
    }

    #[test]
    fn accuracy_stays_on_zero_one() {
        let t = linear(0.0, 1.0, true);
        assert_eq!((t.lo, t.hi), (0.0, 1.0));
        assert_eq!(t.labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
    }

    #[test]
    fn log_ticks_are_decades() {
        // 1e-30 … 1e4: every 5th or so decade, never more than 7.
        let t = log(-30.0, 3.9);
        assert!((MIN_TICKS..=MAX_TICKS).contains(&t.at.len()), "{:?}", t.labels);
        assert!(t.at.iter().all(|e| (e - e.round()).abs() < 1e-12));
        assert_eq!(t.labels[0], "1e-30");
        let t = log(-6.0, 1.0);
        assert_eq!(t.labels, ["1e-6", "1e-4", "1e-2", "1e0"]);
        assert!(t.labels.iter().all(|l| l.starts_with("1e")), "one format per axis: {:?}", t.labels);
        assert_eq!(log(-2.0, 2.0).labels, ["0.01", "0.1", "1", "10", "100"]);
        // Two decades: 1-2-5 within them.
        assert_eq!(log(-1.0, 1.0).labels, ["0.1", "0.2", "0.5", "1", "2", "5", "10"]);
        // Less than a decade: round values.
        let t = log(0.5f64.log10(), 3f64.log10());
        assert!((MIN_TICKS..=MAX_TICKS).contains(&t.at.len()), "{:?}", t.labels);
    }
}
