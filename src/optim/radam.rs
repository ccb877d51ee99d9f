//! RAdam, rectified Adam (`torch.optim.RAdam`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p              (or, decoupled: p ← p (1 − γλ))
//! m ← β₁ m + (1 − β₁) g
//! v ← β₂ v + (1 − β₂) g²
//! m̂ = m / (1 − β₁ᵗ)
//! ρ_∞ = 2 / (1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
//! if ρ_t > 5:  r = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
//!              p ← p − γ m̂ · √(1 − β₂ᵗ) / (√v + ε) · r
//! else:        p ← p − γ m̂                      (SGD with momentum, no adaptive rate)
//! ```
//!
//! Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
//! ICLR 2020. Defaults are PyTorch's: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8,
//! weight decay 0, decoupled weight decay off.
//!
//! Where libraries differ: the threshold is ρ_t > 5 as in PyTorch and the
//! paper's code (the paper's algorithm says ρ_t > 4; optax's `radam` takes
//! `threshold = 5`). With β₂ = 0.999 the first five updates take the
//! un-adapted branch. ε is added to √v before the bias correction √(1 − β₂ᵗ)
//! multiplies, so it is effectively ε / √(1 − β₂ᵗ) against √v̂ (unlike Adam).

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::Lerp;

crate::hyperparameters! {
    /// `torch.optim.RAdam`'s hyperparameters.
    pub struct Radam {
        lr: float = 1e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the first moment";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        eps: float = 1e-8, NonNegative, "added to √v, outside the square root";
        weight_decay: float = 0.0, NonNegative, "weight decay (L2 penalty, or decoupled)";
        decoupled_weight_decay: bool = false, Bool, "decay the parameters (AdamW style) instead of the gradient";
    }
}

impl Validate for Radam {}

impl Radam {
    /// ρ_t, the length of the approximated simple moving average after t updates.
    pub fn rho(&self, t: u64) -> f64 {
        let t = t as f64;
        let beta2_t = self.beta2.powf(t);
        let rho_inf = 2.0 / (1.0 - self.beta2) - 1.0;
        rho_inf - 2.0 * t * beta2_t / (1.0 - beta2_t)
    }
}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct RadamScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct RadamCoefs {
    lr_corrected: f64,
    /// The factor of the adapted step; `None`: the early, un-adapted branch.
    adaptive: Option<f64>,
    lerp: Lerp,
    beta2: f64,
    one_minus_beta2: f64,
    eps: f64,
    coupled: f64,
    decay: f64,
}

impl ElementWise for Radam {
    type Scalars = RadamScalars;
    type Coefs = RadamCoefs;

    /// m and v.
    fn buffers(&self) -> usize {
        2
    }

    fn begin(&self, state: &mut RadamScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> RadamCoefs {
        state.step += 1;
        let t = state.step as f64;
        let bias_correction1 = 1.0 - self.beta1.powf(t);
        let bias_correction2 = 1.0 - self.beta2.powf(t);
        let rho_inf = 2.0 / (1.0 - self.beta2) - 1.0;
        let rho_t = rho_inf - 2.0 * t * self.beta2.powf(t) / bias_correction2;
        // The scalar factors of the step folded into one, so that the loop keeps a
        // single division (torch divides m by 1 − β₁ᵗ element-wise; the results
        // differ in the last bits).
        let lr_corrected = lr / bias_correction1;
        let adaptive = (rho_t > 5.0).then(|| {
            let rect = ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).sqrt();
            lr_corrected * bias_correction2.sqrt() * rect
        });
        let wd = self.weight_decay;
        let (coupled, decay) = match (wd != 0.0, self.decoupled_weight_decay) {
            (true, true) => (0.0, 1.0 - lr * wd),
            (true, false) => (wd, 1.0),
            (false, _) => (0.0, 1.0),
        };
        RadamCoefs {
            lr_corrected,
            adaptive,
            lerp: Lerp::new(1.0 - self.beta1),
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            eps: self.eps,
            coupled,
            decay,
        }
    }

    fn pass(c: &RadamCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [m, v, ..] = buffers else { unreachable!("two buffers") };
        let zip = params.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut());
        let update = |p: &mut f64, g: f64, m: &mut f64, v: &mut f64| {
            *m = c.lerp.apply(*m, g);
            *v = *v * c.beta2 + c.one_minus_beta2 * g * g;
            let step = match c.adaptive {
                Some(factor) => factor * *m / (v.sqrt() + c.eps),
                None => c.lr_corrected * *m,
            };
            *p += -step;
        };
        if c.coupled != 0.0 {
            zip.for_each(|(((p, &g), m), v)| update(p, g + c.coupled * *p, m, v));
        } else {
            zip.for_each(|(((p, &g), m), v)| {
                *p *= c.decay;
                update(p, g, m, v)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn first_updates_are_unadapted_momentum_steps() {
        let r = Radam::default();
        // ρ_t ≤ 5 for t ≤ 5 with β₂ = 0.999, > 5 from t = 6 on.
        assert!((1..=5).all(|t| r.rho(t) <= 5.0));
        assert!(r.rho(6) > 5.0);
        let mut s = ElementState::new();
        let mut p = array![0.0];
        // t = 1: m̂ = g, so p ← p − γ g whatever v is.
        s.step(&r, p.view_mut(), array![3.0].view(), 0.1);
        assert!((p[0] + 0.3).abs() < 1e-15);
    }
}
