//! Adam and AMSGrad (`torch.optim.Adam`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p                                   (L2 penalty, coupled)
//! m ← β₁ m + (1 − β₁) g                         (torch.lerp)
//! v ← β₂ v + (1 − β₂) g²
//! v̂ ← max(v̂, v)                                 (amsgrad only; v̂ starts at 0)
//! p ← p − γ / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)      (√v̂ with amsgrad)
//! ```
//!
//! Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015;
//! AMSGrad: Reddi, Kale & Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
//! Defaults are PyTorch's: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, weight decay 0,
//! amsgrad off. AdamW (`adamw.rs`) is this update with the decay applied to
//! the parameters instead of the gradient.
//!
//! Where libraries differ: ε is added *outside* the square root and *after*
//! the bias correction of v, as in PyTorch (Keras adds ε̂ = ε√(1 − β₂ᵗ), i.e.
//! before the correction; optax's `eps_root` goes inside the root). PyTorch's
//! AMSGrad takes the maximum of the uncorrected v and divides it by
//! √(1 − β₂ᵗ) afterwards, unlike the paper, which has no bias correction.
//! Switching amsgrad on mid-run starts v̂ at zero (PyTorch would fail for want
//! of the state); switching it off keeps v̂ for later.

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::{Lerp, maximum};

crate::hyperparameters! {
    /// `torch.optim.Adam`'s hyperparameters.
    pub struct Adam {
        lr: float = 1e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the first moment";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
        amsgrad: bool = false, Bool, "use the running maximum of the second moment";
    }
}

impl Validate for Adam {}

/// The step count of Adam and AdamW, and the powers βᵗ of their bias corrections.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdamScalars {
    /// Updates done so far.
    pub step: u64,
    /// (β₁ᵗ, β₂ᵗ) at `step`, for the betas in `powers_of`.
    powers: (f64, f64),
    powers_of: (f64, f64),
}

/// βᵗ is computed by `powf` (as torch does, `beta ** step`) for the first
/// updates and every this many after; in between it is the previous power times
/// β, a multiply where `powf` costs about 130 instructions — most of a 2-D
/// update. The product drifts from `powf` by a few ulps at most before the next
/// exact value (relative differences of the bias corrections below 1e-13).
const EXACT_POWER_EVERY: u64 = 64;

impl AdamScalars {
    /// Advances the step count and returns (β₁ᵗ, β₂ᵗ) for the new step.
    pub(crate) fn advance(&mut self, beta1: f64, beta2: f64) -> (f64, f64) {
        self.step += 1;
        let t = self.step;
        let same_betas = self.powers_of == (beta1, beta2);
        self.powers = if same_betas && t > EXACT_POWER_EVERY && !t.is_multiple_of(EXACT_POWER_EVERY) {
            (self.powers.0 * beta1, self.powers.1 * beta2)
        } else {
            // As torch: Python floats, `beta ** step` with a float step.
            (beta1.powf(t as f64), beta2.powf(t as f64))
        };
        self.powers_of = (beta1, beta2);
        self.powers
    }
}

/// The hyperparameters the Adam update reads, shared by Adam and AdamW.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AdamRule {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
    /// Decay the parameters (AdamW) instead of adding λp to the gradient.
    pub decoupled: bool,
}

impl AdamRule {
    /// Buffers: m, v, and v̂ with AMSGrad.
    pub(crate) fn buffers(self) -> usize {
        if self.amsgrad { 3 } else { 2 }
    }

    pub(crate) fn begin(self, scalars: &mut AdamScalars, lr: f64) -> AdamCoefs {
        let (beta1_t, beta2_t) = scalars.advance(self.beta1, self.beta2);
        let bias_correction1 = 1.0 - beta1_t;
        let bias_correction2 = 1.0 - beta2_t;
        AdamCoefs {
            neg_step_size: -(lr / bias_correction1),
            inv_bias_correction2_sqrt: 1.0 / bias_correction2.sqrt(),
            eps: self.eps,
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            lerp1: Lerp::new(1.0 - self.beta1),
            weight_decay: self.weight_decay,
            decay: if self.decoupled { 1.0 - lr * self.weight_decay } else { 1.0 },
            coupled: self.weight_decay != 0.0 && !self.decoupled,
            amsgrad: self.amsgrad,
        }
    }

    pub(crate) fn pass(c: &AdamCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        match (buffers, c.amsgrad, c.coupled) {
            ([m, v, vmax, ..], true, true) => amsgrad_pass::<true>(c, params, grad, m, v, vmax),
            ([m, v, vmax, ..], true, false) => amsgrad_pass::<false>(c, params, grad, m, v, vmax),
            ([m, v, ..], _, true) => adam_pass::<true>(c, params, grad, m, v),
            ([m, v, ..], _, false) => adam_pass::<false>(c, params, grad, m, v),
            // `buffers` asks for at least two.
            _ => unreachable!("Adam has its two moments"),
        }
    }
}

/// Per-step scalars, computed once outside the loop.
#[derive(Clone, Copy, Debug)]
pub struct AdamCoefs {
    neg_step_size: f64,
    /// 1 / √(1 − β₂ᵗ): a multiply in the loop where torch divides (the results
    /// differ in the last bit at most, and the loop keeps one division).
    inv_bias_correction2_sqrt: f64,
    eps: f64,
    beta2: f64,
    one_minus_beta2: f64,
    lerp1: Lerp,
    weight_decay: f64,
    /// 1 − γλ for AdamW, 1 otherwise (multiplying by 1 is exact).
    decay: f64,
    coupled: bool,
    amsgrad: bool,
}

impl AdamCoefs {
    /// The gradient seen by the moments, and the parameter before the Adam step.
    #[inline(always)]
    fn decayed<const COUPLED: bool>(&self, p: f64, g: f64) -> (f64, f64) {
        if COUPLED { (g + self.weight_decay * p, p) } else { (g, p * self.decay) }
    }

    #[inline(always)]
    fn moments(&self, g: f64, m: &mut f64, v: &mut f64) {
        *m = self.lerp1.apply(*m, g);
        *v = *v * self.beta2 + self.one_minus_beta2 * g * g;
    }

    #[inline(always)]
    fn update(&self, p: f64, m: f64, v: f64) -> f64 {
        let denom = v.sqrt() * self.inv_bias_correction2_sqrt + self.eps;
        p + self.neg_step_size * m / denom
    }
}

fn adam_pass<const COUPLED: bool>(c: &AdamCoefs, params: &mut [f64], grad: &[f64], m: &mut [f64], v: &mut [f64]) {
    params.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut()).for_each(|(((p, &g), m), v)| {
        let (g, q) = c.decayed::<COUPLED>(*p, g);
        c.moments(g, m, v);
        *p = c.update(q, *m, *v);
    });
}

fn amsgrad_pass<const COUPLED: bool>(
    c: &AdamCoefs,
    params: &mut [f64],
    grad: &[f64],
    m: &mut [f64],
    v: &mut [f64],
    vmax: &mut [f64],
) {
    params.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut()).zip(vmax.iter_mut()).for_each(
        |((((p, &g), m), v), vmax)| {
            let (g, q) = c.decayed::<COUPLED>(*p, g);
            c.moments(g, m, v);
            *vmax = maximum(*vmax, *v);
            *p = c.update(q, *m, *vmax);
        },
    );
}

impl Adam {
    fn rule(&self) -> AdamRule {
        AdamRule {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            decoupled: false,
        }
    }
}

impl ElementWise for Adam {
    type Scalars = AdamScalars;
    type Coefs = AdamCoefs;

    fn buffers(&self) -> usize {
        self.rule().buffers()
    }

    fn begin(&self, scalars: &mut AdamScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdamCoefs {
        self.rule().begin(scalars, lr)
    }

    fn pass(c: &AdamCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        AdamRule::pass(c, params, grad, buffers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;

    #[test]
    fn bias_correction_powers_follow_powf() {
        let mut s = AdamScalars::default();
        let mut worst: f64 = 0.0;
        for t in 1..=20_000u64 {
            // A change of beta2 at 5,000 restarts from an exact power.
            let beta2 = if t < 5_000 { 0.999 } else { 0.98 };
            let (p1, p2) = s.advance(0.9, beta2);
            let (e1, e2) = (0.9f64.powf(t as f64), beta2.powf(t as f64));
            if t <= EXACT_POWER_EVERY || t.is_multiple_of(EXACT_POWER_EVERY) || t == 5_000 {
                assert_eq!((p1, p2), (e1, e2), "exact at step {t}");
            }
            // What the update uses: the bias corrections 1 − βᵗ.
            for (p, e) in [(p1, e1), (p2, e2)] {
                worst = worst.max(((1.0 - p) - (1.0 - e)).abs() / (1.0 - e));
            }
        }
        assert!(worst < 1e-13, "{worst:e}");
    }
    use ndarray::array;

    #[test]
    fn first_step_moves_by_lr_in_the_gradient_sign() {
        // At t = 1, m̂ = g and √v̂ = |g|: the step is γ g / (|g| + ε) ≈ γ sign(g).
        let adam = Adam::default();
        let mut s = ElementState::new();
        let mut p = array![1.0, -1.0];
        s.step(&adam, p.view_mut(), array![3.0, -0.5].view(), 0.1);
        assert!((p[0] - (1.0 - 0.1 * 3.0 / (3.0 + 1e-8))).abs() < 1e-15);
        assert!((p[1] - (-1.0 + 0.1 * 0.5 / (0.5 + 1e-8))).abs() < 1e-15);
        assert_eq!(s.scalars.step, 1);
        assert_eq!(s.buffers.len(), 2);
    }

    #[test]
    fn amsgrad_switched_on_mid_run_starts_from_zero() {
        let mut adam = Adam::default();
        let mut s = ElementState::new();
        let mut p = array![0.0];
        s.step(&adam, p.view_mut(), array![2.0].view(), 0.1);
        adam.amsgrad = true;
        s.step(&adam, p.view_mut(), array![1.0].view(), 0.1);
        assert_eq!(s.buffers[2][0], s.buffers[1][0]);
        assert_eq!(s.scalars.step, 2);
    }
}
