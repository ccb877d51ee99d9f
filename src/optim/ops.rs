//! PyTorch's element-wise primitives, written as ATen computes them on the CPU,
//! so that our updates round as `torch.optim`'s do.
//!
//! These are tiny `#[inline(always)]` functions meant for the inner loops of the
//! steps: no branches that depend on the data except for NaN propagation.

/// `torch.lerp(start, end, weight)` as ATen computes it: `start + w (end − start)`
/// for |w| < ½, `end − (end − start)(1 − w)` otherwise (exact at both ends).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lerp {
    weight: f64,
    small: bool,
}

impl Lerp {
    pub(crate) fn new(weight: f64) -> Self {
        Lerp { weight, small: weight.abs() < 0.5 }
    }

    #[inline(always)]
    pub(crate) fn apply(self, start: f64, end: f64) -> f64 {
        let diff = end - start;
        if self.small { start + self.weight * diff } else { end - diff * (1.0 - self.weight) }
    }
}

/// `torch.maximum`: the larger value, NaN if either is NaN (unlike `f64::max`),
/// so that a diverging run shows NaN instead of hiding it.
#[inline(always)]
pub(crate) fn maximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || a > b { a } else { b }
}

/// `torch.sign`: −1, 0 or 1 (0 for ±0, unlike `f64::signum`), NaN for NaN.
#[inline(always)]
pub(crate) fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}

/// `torch.clamp(x, lo, hi)` = min(max(x, lo), hi): NaN stays NaN, and `hi`
/// wins when lo > hi (no panic, unlike `f64::clamp`).
#[inline(always)]
pub(crate) fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    let y = if x < lo { lo } else { x };
    if y > hi { hi } else { y }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lerp_is_exact_at_both_ends() {
        assert_eq!(Lerp::new(0.0).apply(3.0, 7.0), 3.0);
        assert_eq!(Lerp::new(1.0).apply(3.0, 7.0), 7.0);
        assert_eq!(Lerp::new(0.25).apply(0.0, 4.0), 1.0);
        assert_eq!(Lerp::new(0.75).apply(0.0, 4.0), 3.0);
    }

    #[test]
    fn maximum_propagates_nan() {
        assert!(maximum(f64::NAN, 1.0).is_nan());
        assert!(maximum(1.0, f64::NAN).is_nan());
        assert_eq!(maximum(1.0, 2.0), 2.0);
        assert_eq!(maximum(3.0, 2.0), 3.0);
    }

    #[test]
    fn sign_of_zero_is_zero() {
        assert_eq!(sign(0.0), 0.0);
        assert_eq!(sign(-0.0), 0.0);
        assert_eq!(sign(-2.5), -1.0);
        assert_eq!(sign(1e-300), 1.0);
        assert!(sign(f64::NAN).is_nan());
    }

    #[test]
    fn clamp_never_panics() {
        assert_eq!(clamp(5.0, 0.0, 1.0), 1.0);
        assert_eq!(clamp(-5.0, 0.0, 1.0), 0.0);
        assert_eq!(clamp(0.5, 2.0, 1.0), 1.0);
        assert!(clamp(f64::NAN, 0.0, 1.0).is_nan());
    }
}
