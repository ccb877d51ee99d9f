//! NAdam, Adam with Nesterov momentum (`torch.optim.NAdam`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay, ψ the momentum decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p              (or, decoupled: p ← p (1 − γλ))
//! μ_t = β₁ (1 − ½ · 0.96^(t ψ)),   μ_{t+1} = β₁ (1 − ½ · 0.96^((t+1) ψ))
//! Π_t = μ₁ μ₂ ⋯ μ_t                (mu_product, kept in the state)
//! m ← β₁ m + (1 − β₁) g
//! v ← β₂ v + (1 − β₂) g²
//! d = √(v / (1 − β₂ᵗ)) + ε
//! p ← p − γ (1 − μ_t) / (1 − Π_t) · g / d
//! p ← p − γ μ_{t+1} / (1 − Π_t μ_{t+1}) · m / d
//! ```
//!
//! Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop;
//! decoupled weight decay as in AdamW (Loshchilov & Hutter 2019). Defaults
//! are PyTorch's: lr 2e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, weight decay 0, momentum
//! decay 4e-3, decoupled weight decay off.
//!
//! Where libraries differ: the momentum schedule μ_t (the paper's warming
//! momentum, with 0.96 and ψ = 0.004) is PyTorch's and Keras'; optax's `nadam`
//! uses a constant β₁ and no schedule. ε is outside the square root, after the
//! bias correction of v. Π_t is updated with the μ_t of the current momentum
//! decay, so changing ψ mid-run changes only the factors still to come.

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::Lerp;

crate::hyperparameters! {
    /// `torch.optim.NAdam`'s hyperparameters.
    pub struct Nadam {
        lr: float = 2e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the first moment";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 0.0, NonNegative, "weight decay (L2 penalty, or decoupled)";
        momentum_decay: float = 4e-3, NonNegative, "ψ in the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))";
        decoupled_weight_decay: bool = false, Bool, "decay the parameters (AdamW style) instead of the gradient";
    }
}

impl Validate for Nadam {}

#[derive(Clone, Copy, Debug)]
pub struct NadamScalars {
    /// Updates done so far.
    pub step: u64,
    /// Product of the momentum factors μ₁ ⋯ μ_t (1 before the first update).
    pub mu_product: f64,
}

impl Default for NadamScalars {
    fn default() -> Self {
        NadamScalars { step: 0, mu_product: 1.0 }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct NadamCoefs {
    coef_grad: f64,
    coef_avg: f64,
    lerp: Lerp,
    beta2: f64,
    one_minus_beta2: f64,
    eps: f64,
    inv_bias_correction2: f64,
    coupled: f64,
    decay: f64,
}

impl ElementWise for Nadam {
    type Scalars = NadamScalars;
    type Coefs = NadamCoefs;

    /// m and v.
    fn buffers(&self) -> usize {
        2
    }

    fn begin(&self, state: &mut NadamScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> NadamCoefs {
        state.step += 1;
        let t = state.step as f64;
        let bias_correction2 = 1.0 - self.beta2.powf(t);
        let mu = self.beta1 * (1.0 - 0.5 * 0.96f64.powf(t * self.momentum_decay));
        let mu_next = self.beta1 * (1.0 - 0.5 * 0.96f64.powf((t + 1.0) * self.momentum_decay));
        state.mu_product *= mu;
        let mu_product_next = state.mu_product * mu_next;
        let wd = self.weight_decay;
        let (coupled, decay) = match (wd != 0.0, self.decoupled_weight_decay) {
            (true, true) => (0.0, 1.0 - lr * wd),
            (true, false) => (wd, 1.0),
            (false, _) => (0.0, 1.0),
        };
        NadamCoefs {
            coef_grad: -lr * (1.0 - mu) / (1.0 - state.mu_product),
            coef_avg: (-lr * mu_next) / (1.0 - mu_product_next),
            lerp: Lerp::new(1.0 - self.beta1),
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            eps: self.eps,
            // Multiplies where torch divides (last-bit differences): one division per
            // parameter instead of three keeps the step bound by memory.
            inv_bias_correction2: 1.0 / bias_correction2,
            coupled,
            decay,
        }
    }

    fn pass(c: &NadamCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [m, v, ..] = buffers else { unreachable!("two buffers") };
        let zip = params.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut());
        let update = |p: &mut f64, g: f64, m: &mut f64, v: &mut f64| {
            *m = c.lerp.apply(*m, g);
            *v = *v * c.beta2 + c.one_minus_beta2 * g * g;
            let inv_denom = 1.0 / ((*v * c.inv_bias_correction2).sqrt() + c.eps);
            let q = *p + c.coef_grad * g * inv_denom;
            *p = q + c.coef_avg * *m * inv_denom;
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
    fn mu_product_accumulates_the_momentum_schedule() {
        let n = Nadam::default();
        let mut s = ElementState::new();
        let mut p = array![1.0];
        for _ in 0..3 {
            s.step(&n, p.view_mut(), array![1.0].view(), 1e-3);
        }
        let mu = |t: f64| 0.9 * (1.0 - 0.5 * 0.96f64.powf(t * 4e-3));
        assert!((s.scalars.mu_product - mu(1.0) * mu(2.0) * mu(3.0)).abs() < 1e-15);
    }

    #[test]
    fn first_step_by_hand() {
        // ψ = 0: μ = μ_next = β₁/2 = 0.25 with β₁ = 0.5; Π₁ = 0.25.
        // m = 1 (g = 2, lerp 0.5), v = 4 (β₂ = 0), d = 2 (ε = 0).
        // p = −γ(0.75/0.75)(2/2) − γ(0.25/(1 − 0.0625))(1/2)
        let n = Nadam { beta1: 0.5, beta2: 0.0, eps: 0.0, momentum_decay: 0.0, ..Nadam::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        s.step(&n, p.view_mut(), array![2.0].view(), 0.1);
        let expected = -0.1 - 0.1 * 0.25 / 0.9375 * 0.5;
        assert!((p[0] - expected).abs() < 1e-15);
    }
}
