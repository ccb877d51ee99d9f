//! Rprop, resilient backpropagation (`torch.optim.Rprop`).
//!
//! Per coordinate, with g the gradient, g' the gradient kept from the last
//! update, s the step size, η⁻ < 1 < η⁺ and [s_min, s_max] the step bounds:
//!
//! ```text
//! first update:  s ← γ,  g' ← 0
//! if g g' > 0:  s ← min(s η⁺, s_max)
//! if g g' < 0:  s ← max(s η⁻, s_min),  g ← 0     (sign flip: step back no further, skip)
//! if g g' = 0:  s unchanged (then clamped to [s_min, s_max])
//! p ← p − sign(g) s
//! g' ← g
//! ```
//!
//! Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation
//! Learning: The RPROP Algorithm", ICNN 1993. PyTorch's form, kept here, has
//! no weight backtracking and zeroes the gradient after a sign change: the
//! iRprop⁻ of Igel & Hüsken, "Improving the Rprop Learning Algorithm", 2000.
//! Defaults are PyTorch's: lr 1e-2, η⁻ 0.5, η⁺ 1.2, s_min 1e-6, s_max 50.
//!
//! Where libraries differ: the learning rate only sets the initial step size,
//! at the first update (as in PyTorch): a schedule or an lr change later has
//! no effect, the step sizes adapt on their own. sign(0) = 0, so a zero
//! gradient does not move its coordinate. optax has no Rprop; Keras has none.

use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::{clamp, sign};
use super::{HyperError, Validate};

crate::hyperparameters! {
    /// `torch.optim.Rprop`'s hyperparameters (`etas`, `step_sizes` split).
    pub struct Rprop {
        lr: float = 1e-2, Positive, "initial step size (read at the first update)";
        eta_minus: float = 0.5, UnitOpen, "step-size factor after a sign change";
        eta_plus: float = 1.2, AboveOne, "step-size factor while the sign holds";
        step_min: float = 1e-6, NonNegative, "smallest step size";
        step_max: float = 50.0, Positive, "largest step size";
    }
}

impl Validate for Rprop {
    fn validate(&self) -> Result<(), HyperError> {
        // PyTorch checks 0 < η⁻ < 1 < η⁺ (the domains here); it does not check the bounds,
        // but clamping to an empty interval is surely a mistake.
        if self.step_min > self.step_max {
            return Err(HyperError::Invalid {
                name: "step_min".into(),
                reason: format!("must be <= step_max ({})", self.step_max),
            });
        }
        Ok(())
    }
}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct RpropScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct RpropCoefs {
    eta_minus: f64,
    eta_plus: f64,
    step_min: f64,
    step_max: f64,
}

impl ElementWise for Rprop {
    type Scalars = RpropScalars;
    type Coefs = RpropCoefs;

    /// The previous gradient (zeroed where its sign flipped), and the step sizes s.
    fn buffers(&self) -> usize {
        2
    }

    /// PyTorch creates the step sizes at the first update from the group's (scheduled) lr.
    fn buffer_start(&self, index: usize, lr: f64) -> f64 {
        if index == 1 { lr } else { 0.0 }
    }

    fn begin(&self, scalars: &mut RpropScalars, _lr: f64, _: [bool; MAX_BUFFERS]) -> RpropCoefs {
        scalars.step += 1;
        RpropCoefs {
            eta_minus: self.eta_minus,
            eta_plus: self.eta_plus,
            step_min: self.step_min,
            step_max: self.step_max,
        }
    }

    fn pass(c: &RpropCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [prev, step_size, ..] = buffers else { unreachable!("two buffers") };
        let (eta_minus, eta_plus, lo, hi) = (c.eta_minus, c.eta_plus, c.step_min, c.step_max);
        params.iter_mut().zip(grad).zip(prev.iter_mut()).zip(step_size.iter_mut()).for_each(|(((p, &g), prev), s)| {
            let product = g * *prev;
            let factor = if product > 0.0 {
                eta_plus
            } else if product < 0.0 {
                eta_minus
            } else if product == 0.0 {
                1.0
            } else {
                product // NaN, as torch.sign
            };
            *s = clamp(*s * factor, lo, hi);
            let g = if factor == eta_minus { 0.0 } else { g };
            *p += -(sign(g) * *s);
            *prev = g;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn step_sizes_grow_shrink_and_skip_on_a_sign_change() {
        let r = Rprop::default();
        let mut s = ElementState::new();
        let mut p = array![0.0, 0.0];
        // First update: s = γ = 0.1, the second coordinate has g = 0 and does not move.
        s.step(&r, p.view_mut(), array![1.0, 0.0].view(), 0.1);
        assert_eq!(p, array![-0.1, 0.0]);
        // Same sign: s = 0.12.
        s.step(&r, p.view_mut(), array![2.0, 0.0].view(), 0.1);
        assert!((p[0] + 0.22).abs() < 1e-15);
        // Sign change: s = 0.06, no move, prev zeroed.
        s.step(&r, p.view_mut(), array![-1.0, 0.0].view(), 0.1);
        assert!((p[0] + 0.22).abs() < 1e-15);
        assert_eq!(s.buffers[0][0], 0.0);
        assert!((s.buffers[1][0] - 0.06).abs() < 1e-15);
        // After a skip the product is 0: s stays 0.06 and the step is taken.
        s.step(&r, p.view_mut(), array![-1.0, 0.0].view(), 0.1);
        assert!((p[0] + 0.16).abs() < 1e-15);
        // lr only mattered at the first update.
        assert_eq!(s.buffers[1][1], 0.1);
    }
}
