//! Adamax, Adam with the infinity norm (`torch.optim.Adamax`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p
//! m ← β₁ m + (1 − β₁) g                 (torch.lerp)
//! u ← max(β₂ u, |g| + ε)
//! p ← p − γ / (1 − β₁ᵗ) · m / u
//! ```
//!
//! Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
//! section 7.1. Defaults are PyTorch's: lr 2e-3, β₁ 0.9, β₂ 0.999, ε 1e-8,
//! weight decay 0.
//!
//! Where libraries differ: PyTorch puts ε *inside* the maximum, next to |g|,
//! as optax does (the paper has no ε; Keras adds ε to u after the maximum).
//! u needs no bias correction. A NaN in u or g propagates (as `torch.maximum`).

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::{Lerp, maximum};

crate::hyperparameters! {
    /// `torch.optim.Adamax`'s hyperparameters.
    pub struct Adamax {
        lr: float = 2e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the first moment";
        beta2: float = 0.999, UnitHalfOpen, "decay of the infinity norm";
        eps: float = 1e-8, NonNegative, "added to |g| inside the maximum";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
    }
}

impl Validate for Adamax {}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdamaxScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct AdamaxCoefs {
    neg_clr: f64,
    lerp: Lerp,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
}

impl ElementWise for Adamax {
    type Scalars = AdamaxScalars;
    type Coefs = AdamaxCoefs;

    /// m and the infinity norm u.
    fn buffers(&self) -> usize {
        2
    }

    fn begin(&self, state: &mut AdamaxScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdamaxCoefs {
        state.step += 1;
        AdamaxCoefs {
            neg_clr: -(lr / (1.0 - self.beta1.powf(state.step as f64))),
            lerp: Lerp::new(1.0 - self.beta1),
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
        }
    }

    fn pass(c: &AdamaxCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [m, u, ..] = buffers else { unreachable!("two buffers") };
        let (neg_clr, lerp, beta2, eps, wd) = (c.neg_clr, c.lerp, c.beta2, c.eps, c.weight_decay);
        let zip = params.iter_mut().zip(grad).zip(m.iter_mut()).zip(u.iter_mut());
        let update = |p: &mut f64, g: f64, m: &mut f64, u: &mut f64| {
            *m = lerp.apply(*m, g);
            *u = maximum(*u * beta2, g.abs() + eps);
            *p += neg_clr * *m / *u;
        };
        if wd != 0.0 {
            zip.for_each(|(((p, &g), m), u)| update(p, g + wd * *p, m, u));
        } else {
            zip.for_each(|(((p, &g), m), u)| update(p, g, m, u));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn hand_computed_steps() {
        let a = Adamax { beta1: 0.5, beta2: 0.5, eps: 0.0, ..Adamax::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        // t = 1, g = 4: m = 2, u = 4, p = −γ/(1 − 0.5) · 2/4 = −γ
        s.step(&a, p.view_mut(), array![4.0].view(), 0.1);
        assert!((p[0] + 0.1).abs() < 1e-15);
        // t = 2, g = 1: m = 1.5, u = max(2, 1) = 2, p = −0.1 − 0.1/0.75 · 0.75
        s.step(&a, p.view_mut(), array![1.0].view(), 0.1);
        assert!((p[0] + 0.2).abs() < 1e-15);
    }
}
