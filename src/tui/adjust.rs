//! How a key press or a mouse drag moves a hyperparameter: learning rates on a
//! fine log grid (about ten values a decade, 1-1.2-1.5-2-2.5-3-4-5-6-8), other
//! numbers on a coarse one (1-2-5), betas and momenta by their distance to 1
//! (0.9 → 0.95 → 0.98 → 0.99), switches flipped. Grid values are the decimal
//! numbers a person would type, so saved scenarios stay readable.

use crate::optim::{Domain, Hyper, HyperSpec};

/// The learning-rate slider spans these, on a log scale.
pub const LR_MIN: f64 = 1e-6;
pub const LR_MAX: f64 = 10.0;

const FINE: [u32; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
const COARSE: [u32; 3] = [10, 20, 50];

/// `m/10 · 10^k` as the nearest double to its decimal form.
fn grid_value(m: u32, k: i32) -> f64 {
    format!("{m}e{}", k - 1).parse().unwrap_or(f64::NAN)
}

/// The next grid value strictly above (or below) `x > 0`.
fn step_on(grid: &[u32], x: f64, up: bool) -> f64 {
    let k = x.log10().floor() as i32;
    let tol = x * 1e-9;
    let candidates = (k - 1..=k + 1).flat_map(|k| grid.iter().map(move |&m| grid_value(m, k)));
    if up {
        candidates.filter(|&v| v > x + tol).fold(f64::INFINITY, f64::min)
    } else {
        candidates.filter(|&v| v < x - tol).fold(f64::NEG_INFINITY, f64::max)
    }
}

/// The nearest grid value to `x > 0` (in log distance).
fn snap_on(grid: &[u32], x: f64) -> f64 {
    let k = x.log10().floor() as i32;
    (k - 1..=k + 1)
        .flat_map(|k| grid.iter().map(move |&m| grid_value(m, k)))
        .min_by(|a, b| (a.ln() - x.ln()).abs().total_cmp(&(b.ln() - x.ln()).abs()))
        .unwrap_or(x)
}

/// The learning rate one notch up or down, kept within the slider's span.
pub fn step_lr(lr: f64, up: bool) -> f64 {
    if !(lr > 0.0 && lr.is_finite()) {
        return if up { LR_MIN } else { LR_MAX };
    }
    let next = step_on(&FINE, lr, up);
    if up && next > LR_MAX * (1.0 + 1e-9) {
        return lr.max(LR_MAX);
    }
    if !up && next < LR_MIN * (1.0 - 1e-9) {
        return lr.min(LR_MIN);
    }
    next
}

/// Where `lr` sits on the slider, 0 (LR_MIN) to 1 (LR_MAX).
pub fn lr_fraction(lr: f64) -> f64 {
    if lr.is_nan() || lr <= 0.0 {
        return 0.0;
    }
    ((lr.log10() - LR_MIN.log10()) / (LR_MAX.log10() - LR_MIN.log10())).clamp(0.0, 1.0)
}

/// The grid learning rate at a fraction of the slider.
pub fn lr_at(fraction: f64) -> f64 {
    let f = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { 0.0 };
    let x = 10f64.powf(LR_MIN.log10() + f * (LR_MAX.log10() - LR_MIN.log10()));
    snap_on(&FINE, x).clamp(LR_MIN, LR_MAX)
}

/// Round away the noise of `1 − u` and `1 + u` (0.999, not 0.9990000000000001).
fn tidy(x: f64) -> f64 {
    format!("{x:.10}").parse().unwrap_or(x)
}

/// Another hyperparameter one notch up or down; `None` when it cannot move that way.
pub fn step_hyper(spec: &HyperSpec, value: Hyper, up: bool) -> Option<Hyper> {
    let next = match (spec.domain, value) {
        (Domain::Bool, Hyper::Bool(b)) => return Some(Hyper::Bool(!b)),
        (_, Hyper::Bool(_)) | (Domain::Bool, _) => return None,
        (Domain::Choice(options), Hyper::Choice(c)) => {
            let i = options.iter().position(|o| *o == c)?;
            let next = if up { (i + 1) % options.len() } else { (i + options.len() - 1) % options.len() };
            return (next != i).then(|| Hyper::Choice(options[next]));
        }
        (_, Hyper::Choice(_)) | (Domain::Choice(_), _) => return None,
        (Domain::PositiveInteger | Domain::NonNegativeInteger, Hyper::Float(x)) => {
            if up {
                x + 1.0
            } else {
                x - 1.0
            }
        }
        // Coefficients of a polynomial (Newton–Schulz): no natural notch.
        (Domain::Finite, Hyper::Float(_)) => return None,
        (Domain::UnitHalfOpen | Domain::UnitClosed | Domain::UnitOpen, Hyper::Float(x)) => towards_one(x, up)?,
        // Momenta and decay rates live just below 1 whatever their domain says.
        (Domain::Positive | Domain::NonNegative, Hyper::Float(x)) if NEAR_ONE.contains(&spec.name) && x < 1.0 => {
            towards_one(x, up)?
        }
        (Domain::AboveOne, Hyper::Float(x)) => {
            let u = x - 1.0;
            let u = if u > 0.0 { step_on(&COARSE, u, up) } else { 1e-3 };
            tidy(1.0 + u)
        }
        (Domain::Positive | Domain::NonNegative, Hyper::Float(x)) => {
            if x > 0.0 {
                let next = step_on(&COARSE, x, up);
                if !up && next < 1e-12 && spec.domain == Domain::NonNegative { 0.0 } else { next }
            } else if up {
                1e-5
            } else {
                return None;
            }
        }
    };
    let next = Hyper::Float(next);
    (next != value && spec.domain.check(next).is_ok()).then_some(next)
}

/// Hyperparameters that are decay rates (0.9, 0.99, ...), moved by their distance to 1.
const NEAR_ONE: [&str; 6] = ["momentum", "dampening", "alpha", "rho", "beta1", "beta2"];

fn towards_one(x: f64, up: bool) -> Option<f64> {
    // Raising x lowers u = 1 − x.
    let u = 1.0 - x;
    let u = if u <= 0.0 {
        if up {
            return None;
        }
        1e-6
    } else {
        let next = step_on(&COARSE, u, !up);
        if next > 1.0 { 1.0 } else { next.max(1e-6) }
    };
    Some(tidy(1.0 - u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(domain: Domain) -> HyperSpec {
        HyperSpec { name: "x", default: Hyper::Float(0.0), domain, help: "" }
    }

    #[test]
    fn learning_rates_walk_a_decimal_grid() {
        assert_eq!(step_lr(0.05, true), 0.06);
        assert_eq!(step_lr(0.05, false), 0.04);
        assert_eq!(step_lr(2e-4, true), 2.5e-4);
        assert_eq!(step_lr(0.08, true), 0.1);
        assert_eq!(step_lr(0.1, false), 0.08);
        assert_eq!(step_lr(0.0123, true), 0.015);
        assert_eq!(step_lr(0.0123, false), 0.012);
        assert_eq!(step_lr(10.0, true), 10.0);
        assert_eq!(step_lr(1e-6, false), 1e-6);
        let mut lr = 1e-6;
        let mut n = 0;
        while lr < 10.0 {
            lr = step_lr(lr, true);
            n += 1;
        }
        assert_eq!(n, 70, "ten notches a decade over seven decades");
    }

    #[test]
    fn the_slider_maps_both_ways() {
        assert_eq!(lr_at(0.0), 1e-6);
        assert_eq!(lr_at(1.0), 10.0);
        for lr in [1e-5, 1e-3, 0.05, 0.5] {
            assert_eq!(lr_at(lr_fraction(lr)), lr);
        }
        assert_eq!(lr_fraction(1e3), 1.0);
    }

    #[test]
    fn betas_move_by_their_distance_to_one() {
        let beta = spec(Domain::UnitHalfOpen);
        let up = |x: f64| step_hyper(&beta, Hyper::Float(x), true);
        let down = |x: f64| step_hyper(&beta, Hyper::Float(x), false);
        assert_eq!(up(0.9), Some(Hyper::Float(0.95)));
        assert_eq!(up(0.99), Some(Hyper::Float(0.995)));
        assert_eq!(up(0.999), Some(Hyper::Float(0.9995)));
        assert_eq!(down(0.9), Some(Hyper::Float(0.8)));
        assert_eq!(down(0.5), Some(Hyper::Float(0.0)));
        assert_eq!(down(0.0), None);
        assert_eq!(up(0.0), Some(Hyper::Float(0.5)));
    }

    #[test]
    fn other_numbers_and_switches() {
        let wd = spec(Domain::NonNegative);
        assert_eq!(step_hyper(&wd, Hyper::Float(0.0), true), Some(Hyper::Float(1e-5)));
        assert_eq!(step_hyper(&wd, Hyper::Float(0.0), false), None);
        assert_eq!(step_hyper(&wd, Hyper::Float(0.01), true), Some(Hyper::Float(0.02)));
        let eps = spec(Domain::Positive);
        assert_eq!(step_hyper(&eps, Hyper::Float(1e-8), false), Some(Hyper::Float(5e-9)));
        let eta = spec(Domain::AboveOne);
        assert_eq!(step_hyper(&eta, Hyper::Float(1.2), true), Some(Hyper::Float(1.5)));
        let flag = spec(Domain::Bool);
        assert_eq!(step_hyper(&flag, Hyper::Bool(false), true), Some(Hyper::Bool(true)));
    }
}
