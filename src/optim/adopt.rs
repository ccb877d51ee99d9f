//! ADOPT: Adam with the second moment of the *previous* step and clipping
//! (Taniguchi et al. 2024; `pytorch_optimizer.ADOPT`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p                 (weight_decouple = false: L2 penalty, coupled)
//! p ← p (1 − γ λ)             (weight_decouple = true; 1 − λ with fixed_decay)
//! t = 1:  v ← g²              (no update of p besides the decay)
//! t > 1:  n ← clamp(g / max(√v, ε), −t^¼, t^¼)      (no clamp with clip = false)
//!         m ← m + (1 − β₁)(n − m)                      (torch.lerp)
//!         p ← p − γ m
//!         v ← β₂ v + (1 − β₂) g²
//! ```
//!
//! Taniguchi, Harada, Minegishi, Oshima, Jeong, Nagahara, Iiyama, Suzuki,
//! Iwasawa & Matsuo, "ADOPT: Modified Adam Can Converge with Any β₂ with the
//! Optimal Rate", NeurIPS 2024. Defaults are `pytorch-optimizer`'s (4.1):
//! lr 1e-3, β₁ 0.9, β₂ 0.9999, ε 1e-6, weight decay 0 (coupled), clipping on.
//!
//! Where the package differs from the paper: the paper's Algorithm 1 has no
//! clipping; the clip t^¼ is the authors' later stabilisation (their code and
//! the package, `clip_lambda = step ** 0.25`); `clip = false` is the paper's
//! rule. ε is a floor under √v (`clamp(min = ε)`), not a term added to it, so
//! a coordinate whose gradients have always been 0 divides by ε. The package
//! takes any `clip_lambda` function; optlab offers the default one or none.
//! The authors' own code decouples weight decay by default (`decouple`);
//! the package couples it, as here.

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::{Lerp, clamp};

crate::hyperparameters! {
    /// ADOPT's hyperparameters (`pytorch_optimizer.ADOPT`).
    pub struct Adopt {
        lr: float = 1e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the momentum of normalised gradients";
        beta2: float = 0.9999, UnitHalfOpen, "decay of the second moment (of the previous steps)";
        eps: float = 1e-6, NonNegative, "floor under the square root of the second moment";
        weight_decay: float = 0.0, NonNegative, "weight decay (an L2 penalty unless weight_decouple)";
        weight_decouple: bool = false, Bool, "decay the parameters (AdamW style) instead of the gradient";
        fixed_decay: bool = false, Bool, "decoupled decay not scaled by the learning rate";
        clip: bool = true, Bool, "clip the normalised gradient to ±step^0.25 (the package's clip_lambda)";
    }
}

impl Validate for Adopt {}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdoptScalars {
    pub step: u64,
}

/// The decay of pytorch-optimizer's `apply_weight_decay`, shared with AdEMAMix:
/// the factor the parameters are multiplied by (decoupled) and the
/// coefficient of p added to the gradient (coupled).
#[derive(Clone, Copy, Debug)]
pub(crate) struct PackageDecay {
    pub factor: f64,
    pub coupled: f64,
}

impl PackageDecay {
    pub(crate) fn new(weight_decay: f64, decouple: bool, fixed: bool, lr: f64) -> Self {
        if weight_decay == 0.0 {
            PackageDecay { factor: 1.0, coupled: 0.0 }
        } else if decouple {
            PackageDecay { factor: 1.0 - weight_decay * if fixed { 1.0 } else { lr }, coupled: 0.0 }
        } else {
            PackageDecay { factor: 1.0, coupled: weight_decay }
        }
    }

    /// The parameter after decoupled decay and the gradient after the coupled
    /// penalty (multiplying by 1 and adding 0·p are exact, as skipping them).
    #[inline(always)]
    pub(crate) fn apply(self, p: f64, g: f64) -> (f64, f64) {
        (p * self.factor, g + self.coupled * p)
    }
}

#[derive(Clone, Copy, Debug)]
pub struct AdoptCoefs {
    first: bool,
    decay: PackageDecay,
    bound: f64,
    lerp: Lerp,
    eps: f64,
    beta2: f64,
    one_minus_beta2: f64,
    neg_lr: f64,
}

impl ElementWise for Adopt {
    type Scalars = AdoptScalars;
    type Coefs = AdoptCoefs;

    /// m and v.
    fn buffers(&self) -> usize {
        2
    }

    fn begin(&self, scalars: &mut AdoptScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdoptCoefs {
        scalars.step += 1;
        AdoptCoefs {
            first: scalars.step == 1,
            decay: PackageDecay::new(self.weight_decay, self.weight_decouple, self.fixed_decay, lr),
            // As the package: math.pow(step, 0.25) with an integer step.
            bound: if self.clip { (scalars.step as f64).powf(0.25) } else { f64::INFINITY },
            lerp: Lerp::new(1.0 - self.beta1),
            eps: self.eps,
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            neg_lr: -lr,
        }
    }

    fn pass(c: &AdoptCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [m, v, ..] = buffers else { unreachable!("two buffers") };
        if c.first {
            // The first gradient only seeds v: m/√v would be ±1 in every coordinate.
            params.iter_mut().zip(grad).zip(v.iter_mut()).for_each(|((p, &g), v)| {
                let (q, g) = c.decay.apply(*p, g);
                *p = q;
                *v += g * g;
            });
            return;
        }
        params.iter_mut().zip(grad).zip(m.iter_mut().zip(v.iter_mut())).for_each(|((p, &g), (m, v))| {
            let (q, g) = c.decay.apply(*p, g);
            let s = v.sqrt();
            // clamp_(min = eps): NaN stays NaN.
            let denom = if s < c.eps { c.eps } else { s };
            let n = clamp(g / denom, -c.bound, c.bound);
            *m = c.lerp.apply(*m, n);
            *p = q + c.neg_lr * *m;
            *v = *v * c.beta2 + c.one_minus_beta2 * g * g;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn first_step_only_seeds_the_second_moment() {
        let opt = Adopt::default();
        let mut s = ElementState::new();
        let mut p = array![1.0, -2.0];
        s.step(&opt, p.view_mut(), array![3.0, 0.5].view(), 0.1);
        assert_eq!(p, array![1.0, -2.0]);
        assert_eq!(s.buffers[1], vec![9.0, 0.25]);
        // Second step: n = g / √v_prev, m = (1 − β₁) n, p −= γ m.
        s.step(&opt, p.view_mut(), array![3.0, 0.5].view(), 0.1);
        assert!((p[0] - (1.0 - 0.1 * 0.1 * 1.0)).abs() < 1e-15);
        assert!((p[1] - (-2.0 - 0.1 * 0.1 * 1.0)).abs() < 1e-15);
    }

    #[test]
    fn clipping_bounds_the_normalised_gradient_by_step_to_the_quarter() {
        let opt = Adopt { beta1: 0.0, ..Adopt::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        s.step(&opt, p.view_mut(), array![1e-3].view(), 1.0);
        // g / √v = 1e3 is clipped to 2^¼ at step 2.
        s.step(&opt, p.view_mut(), array![1.0].view(), 1.0);
        assert!((p[0] + 2f64.powf(0.25)).abs() < 1e-15);
        let free = Adopt { beta1: 0.0, clip: false, ..Adopt::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        s.step(&free, p.view_mut(), array![1e-3].view(), 1.0);
        s.step(&free, p.view_mut(), array![1.0].view(), 1.0);
        assert!((p[0] + 1e3).abs() < 1e-9);
    }
}
