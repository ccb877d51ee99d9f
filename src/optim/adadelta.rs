//! Adadelta (`torch.optim.Adadelta`).
//!
//! With g the gradient, p the parameters, γ the learning rate, ρ the decay
//! and λ the weight decay:
//!
//! ```text
//! g ← g + λ p
//! v ← ρ v + (1 − ρ) g²
//! Δ = √(u + ε) / √(v + ε) · g
//! u ← ρ u + (1 − ρ) Δ²
//! p ← p − γ Δ
//! ```
//!
//! Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012. Defaults are
//! PyTorch's: lr 1.0, ρ 0.9, ε 1e-6, weight decay 0.
//!
//! Where libraries differ: the paper has no learning rate (γ = 1, PyTorch's
//! default); Keras' default lr is 1e-3. ε is inside both square roots, as in
//! the paper. The step size is
//! set by the ratio of the two averages, so tiny ε makes the first steps tiny:
//! on a 2-D test function Adadelta with the defaults crawls.

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};

crate::hyperparameters! {
    /// `torch.optim.Adadelta`'s hyperparameters.
    pub struct Adadelta {
        lr: float = 1.0, Positive, "learning rate (multiplies the Adadelta step)";
        rho: float = 0.9, UnitClosed, "decay of the running averages";
        eps: float = 1e-6, NonNegative, "added inside both square roots";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
    }
}

impl Validate for Adadelta {}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdadeltaScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct AdadeltaCoefs {
    rho: f64,
    one_minus_rho: f64,
    eps: f64,
    neg_lr: f64,
    weight_decay: f64,
}

impl ElementWise for Adadelta {
    type Scalars = AdadeltaScalars;
    type Coefs = AdadeltaCoefs;

    /// v (running average of g²) and u (of Δ²).
    fn buffers(&self) -> usize {
        2
    }

    fn begin(&self, state: &mut AdadeltaScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdadeltaCoefs {
        state.step += 1;
        AdadeltaCoefs {
            rho: self.rho,
            one_minus_rho: 1.0 - self.rho,
            eps: self.eps,
            neg_lr: -lr,
            weight_decay: self.weight_decay,
        }
    }

    fn pass(c: &AdadeltaCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [v, u, ..] = buffers else { unreachable!("two buffers") };
        let (rho, one_minus_rho, eps, neg_lr, wd) = (c.rho, c.one_minus_rho, c.eps, c.neg_lr, c.weight_decay);
        let zip = params.iter_mut().zip(grad).zip(v.iter_mut()).zip(u.iter_mut());
        let update = |p: &mut f64, g: f64, v: &mut f64, u: &mut f64| {
            *v = *v * rho + one_minus_rho * g * g;
            // √a / √b as √(a / b): one square root (torch takes two; last-bit differences).
            let delta = ((*u + eps) / (*v + eps)).sqrt() * g;
            *u = *u * rho + one_minus_rho * delta * delta;
            *p += neg_lr * delta;
        };
        if wd != 0.0 {
            zip.for_each(|(((p, &g), v), u)| update(p, g + wd * *p, v, u));
        } else {
            zip.for_each(|(((p, &g), v), u)| update(p, g, v, u));
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
        // ρ = 0.5, ε = 1 (large, to keep the numbers round), γ = 2.
        let a = Adadelta { rho: 0.5, eps: 1.0, ..Adadelta::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        // g = 4: v = 8, Δ = √1/√9 · 4 = 4/3, u = 0.5 · 16/9 = 8/9, p = −8/3
        s.step(&a, p.view_mut(), array![4.0].view(), 2.0);
        assert!((p[0] + 8.0 / 3.0).abs() < 1e-14);
        assert!((s.buffers[1][0] - 8.0 / 9.0).abs() < 1e-15);
        // g = 0: v = 4, Δ = 0, u = 4/9, p unchanged
        s.step(&a, p.view_mut(), array![0.0].view(), 2.0);
        assert!((p[0] + 8.0 / 3.0).abs() < 1e-14);
        assert!((s.buffers[1][0] - 4.0 / 9.0).abs() < 1e-15);
    }
}
