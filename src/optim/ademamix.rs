//! AdEMAMix: Adam with a mixture of a fast and a slow gradient average
//! (Pagliardini et al. 2024; `pytorch_optimizer.AdEMAMix`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p                 (weight_decouple = false: L2 penalty, coupled)
//! p ← p (1 − γ λ)             (weight_decouple = true; 1 − λ with fixed_decay)
//! α_t = min(t α / T, α),   β₃,t = min(exp(ln β₁ ln β₃ / ((1 − t/T) ln β₃ + (t/T) ln β₁)), β₃)
//!                             (T = t_alpha_beta3; α_t = α and β₃,t = β₃ when T = 0)
//! m₁ ← m₁ + (1 − β₁)(g − m₁)          (fast, torch.lerp)
//! v  ← β₂ v + (1 − β₂) g²
//! m₂ ← m₂ + (1 − β₃,t)(g − m₂)        (slow, no bias correction)
//! p ← p − γ (m₁ / (1 − β₁ᵗ) + α_t m₂) / (√v / √(1 − β₂ᵗ) + ε)
//! ```
//!
//! Pagliardini, Ablin & Grangier, "The AdEMAMix Optimizer: Better, Faster,
//! Older", 2024 (ICLR 2025). Defaults are `pytorch-optimizer`'s (4.1): lr 1e-3,
//! β₁ 0.9, β₂ 0.999, β₃ 0.9999, α 5, no warmup of α and β₃, ε 1e-8, weight
//! decay 0. The package's `betas` triple is split into `beta1`, `beta2`,
//! `beta3`; its `t_alpha_beta3 = None` is written 0 (no warmup).
//!
//! Where the package differs from the paper: the paper's Algorithm 1 decays
//! the weights as AdamW (p ← p − γλp, decoupled); the package adds λp to the
//! gradient unless `weight_decouple = true`. The paper recommends a warmup T
//! equal to the number of steps for large β₃; both default to none.

use super::adopt::PackageDecay;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::Lerp;
use super::{HyperError, Validate};

crate::hyperparameters! {
    /// AdEMAMix's hyperparameters (`pytorch_optimizer.AdEMAMix`).
    pub struct Ademamix {
        lr: float = 1e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the fast first moment";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        beta3: float = 0.9999, UnitHalfOpen, "decay of the slow first moment";
        alpha: float = 5.0, NonNegative, "weight of the slow moment in the update";
        t_alpha_beta3: float = 0.0, NonNegative, "steps over which alpha and beta3 warm up (0: none)";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 0.0, NonNegative, "weight decay (an L2 penalty unless weight_decouple)";
        weight_decouple: bool = false, Bool, "decay the parameters (AdamW style) instead of the gradient";
        fixed_decay: bool = false, Bool, "decoupled decay not scaled by the learning rate";
    }
}

impl Validate for Ademamix {
    fn validate(&self) -> Result<(), HyperError> {
        // The β₃ warmup interpolates ln β₁ and ln β₃: both must be finite.
        if self.t_alpha_beta3 > 0.0 && (self.beta1 == 0.0 || self.beta3 == 0.0) {
            return Err(HyperError::Invalid {
                name: "t_alpha_beta3".into(),
                reason: "needs beta1 > 0 and beta3 > 0 (the warmup of beta3 interpolates their logarithms)".into(),
            });
        }
        Ok(())
    }
}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdemamixScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct AdemamixCoefs {
    decay: PackageDecay,
    fast: Lerp,
    slow: Lerp,
    alpha: f64,
    bias_correction1: f64,
    bias_correction2_sqrt: f64,
    beta2: f64,
    one_minus_beta2: f64,
    eps: f64,
    neg_lr: f64,
}

impl Ademamix {
    /// α and β₃ at step t, as the package's `schedule_alpha` / `schedule_beta3`.
    fn scheduled(&self, t: f64) -> (f64, f64) {
        let big_t = self.t_alpha_beta3;
        if big_t == 0.0 {
            return (self.alpha, self.beta3);
        }
        let alpha = (t * self.alpha / big_t).min(self.alpha);
        let (l1, l3) = (self.beta1.ln(), self.beta3.ln());
        let x = t / big_t;
        let beta3 = ((l1 * l3) / ((1.0 - x) * l3 + x * l1)).exp().min(self.beta3);
        (alpha, beta3)
    }
}

impl ElementWise for Ademamix {
    type Scalars = AdemamixScalars;
    type Coefs = AdemamixCoefs;

    /// m₁, v and m₂.
    fn buffers(&self) -> usize {
        3
    }

    fn begin(&self, scalars: &mut AdemamixScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdemamixCoefs {
        scalars.step += 1;
        let t = scalars.step as f64;
        let (alpha, beta3) = self.scheduled(t);
        AdemamixCoefs {
            decay: PackageDecay::new(self.weight_decay, self.weight_decouple, self.fixed_decay, lr),
            fast: Lerp::new(1.0 - self.beta1),
            slow: Lerp::new(1.0 - beta3),
            alpha,
            bias_correction1: 1.0 - self.beta1.powf(t),
            bias_correction2_sqrt: (1.0 - self.beta2.powf(t)).sqrt(),
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            eps: self.eps,
            neg_lr: -lr,
        }
    }

    fn pass(c: &AdemamixCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [m1, v, m2, ..] = buffers else { unreachable!("three buffers") };
        let moments = m1.iter_mut().zip(v.iter_mut()).zip(m2.iter_mut());
        params.iter_mut().zip(grad).zip(moments).for_each(|((p, &g), ((m1, v), m2))| {
            let (q, g) = c.decay.apply(*p, g);
            *m1 = c.fast.apply(*m1, g);
            *v = *v * c.beta2 + c.one_minus_beta2 * g * g;
            *m2 = c.slow.apply(*m2, g);
            let denom = v.sqrt() / c.bias_correction2_sqrt + c.eps;
            let update = *m1 / c.bias_correction1 + c.alpha * *m2;
            *p = q + c.neg_lr * update / denom;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn warmup_reaches_alpha_and_beta3_at_t() {
        let opt = Ademamix { t_alpha_beta3: 100.0, ..Ademamix::default() };
        let (a, b) = opt.scheduled(100.0);
        assert!((a - 5.0).abs() < 1e-15 && (b - 0.9999).abs() < 1e-12);
        let (a, b) = opt.scheduled(1.0);
        assert!((a - 0.05).abs() < 1e-15);
        // ln β₃,t interpolates 1/ln β harmonically: at t = 1 of 100,
        // exp(ln 0.9 ln 0.9999 / (0.99 ln 0.9999 + 0.01 ln 0.9)) = 0.99090.
        assert!((b - 0.990900162).abs() < 1e-8, "{b}");
        // At t = 0 the slow average would decay as fast as the fast one.
        assert!((opt.scheduled(0.0).1 - 0.9).abs() < 1e-12);
        assert_eq!(Ademamix::default().scheduled(1.0), (5.0, 0.9999));
    }

    #[test]
    fn first_step_is_adam_plus_alpha_times_the_slow_average() {
        let opt = Ademamix::default();
        let mut s = ElementState::new();
        let mut p = array![0.0];
        s.step(&opt, p.view_mut(), array![2.0].view(), 0.1);
        // m̂₁ = g, √v̂ = |g|, m₂ = (1 − β₃) g.
        let want = -0.1 * (2.0 + 5.0 * 1e-4 * 2.0) / (2.0 + 1e-8);
        assert!((p[0] - want).abs() < 1e-12, "{} vs {want}", p[0]);
    }

    #[test]
    fn warmup_needs_positive_betas() {
        let opt = Ademamix { t_alpha_beta3: 10.0, beta1: 0.0, ..Ademamix::default() };
        assert!(opt.validate().is_err());
        assert!(Ademamix { beta1: 0.0, ..Ademamix::default() }.validate().is_ok());
    }
}
