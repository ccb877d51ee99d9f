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

use super::ops::{Lerp, maximum};
use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
}

impl Default for Adam {
    fn default() -> Self {
        Adam { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, amsgrad: false }
    }
}

/// The state of Adam and AdamW.
#[derive(Clone, Debug)]
pub struct AdamState {
    /// Updates done so far.
    pub step: u64,
    /// First moment m.
    pub exp_avg: Array1<f64>,
    /// Second moment v.
    pub exp_avg_sq: Array1<f64>,
    /// Running maximum of v (AMSGrad); `None` until the first step with amsgrad on.
    pub max_exp_avg_sq: Option<Array1<f64>>,
}

impl AdamState {
    pub fn new(dim: usize) -> Self {
        AdamState { step: 0, exp_avg: Array1::zeros(dim), exp_avg_sq: Array1::zeros(dim), max_exp_avg_sq: None }
    }
}

/// Adam's hyperparameter table with the given default weight decay (AdamW's differs).
pub(crate) const fn adam_specs(weight_decay: f64, weight_decay_help: &'static str) -> [HyperSpec; 6] {
    [
        HyperSpec { name: "lr", default: Hyper::Float(1e-3), domain: Domain::Positive, help: "learning rate" },
        HyperSpec {
            name: "beta1",
            default: Hyper::Float(0.9),
            domain: Domain::UnitHalfOpen,
            help: "decay of the first moment",
        },
        HyperSpec {
            name: "beta2",
            default: Hyper::Float(0.999),
            domain: Domain::UnitHalfOpen,
            help: "decay of the second moment",
        },
        HyperSpec {
            name: "eps",
            default: Hyper::Float(1e-8),
            domain: Domain::NonNegative,
            help: "added to the denominator, outside the square root",
        },
        HyperSpec {
            name: "weight_decay",
            default: Hyper::Float(weight_decay),
            domain: Domain::NonNegative,
            help: weight_decay_help,
        },
        HyperSpec {
            name: "amsgrad",
            default: Hyper::Bool(false),
            domain: Domain::Bool,
            help: "use the running maximum of the second moment",
        },
    ]
}

static SPECS: [HyperSpec; 6] = adam_specs(0.0, "L2 penalty added to the gradient");

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
    pub(crate) fn step(self, state: &mut AdamState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        let n = params.len();
        if state.exp_avg.len() != n {
            *state = AdamState::new(n);
        }
        if self.amsgrad && state.max_exp_avg_sq.is_none() {
            state.max_exp_avg_sq = Some(Array1::zeros(n));
        }
        state.step += 1;
        let t = state.step as f64;
        // As torch: Python floats, `beta ** step` with a float step.
        let bias_correction1 = 1.0 - self.beta1.powf(t);
        let bias_correction2 = 1.0 - self.beta2.powf(t);
        let coef = Coefficients {
            neg_step_size: -(lr / bias_correction1),
            inv_bias_correction2_sqrt: 1.0 / bias_correction2.sqrt(),
            eps: self.eps,
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            lerp1: Lerp::new(1.0 - self.beta1),
            weight_decay: self.weight_decay,
            decay: if self.decoupled { 1.0 - lr * self.weight_decay } else { 1.0 },
        };
        let coupled = self.weight_decay != 0.0 && !self.decoupled;
        let m = &mut state.exp_avg;
        let v = &mut state.exp_avg_sq;
        match (&mut state.max_exp_avg_sq, self.amsgrad, coupled) {
            (Some(vmax), true, true) => amsgrad_pass::<true>(&coef, params, grad, m, v, vmax),
            (Some(vmax), true, false) => amsgrad_pass::<false>(&coef, params, grad, m, v, vmax),
            (_, _, true) => adam_pass::<true>(&coef, params, grad, m, v),
            (_, _, false) => adam_pass::<false>(&coef, params, grad, m, v),
        }
    }
}

/// Per-step scalars, computed once outside the loop.
struct Coefficients {
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
}

impl Coefficients {
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

fn adam_pass<const COUPLED: bool>(
    c: &Coefficients,
    params: ArrayViewMut1<f64>,
    grad: ArrayView1<f64>,
    m: &mut Array1<f64>,
    v: &mut Array1<f64>,
) {
    Zip::from(params).and(grad).and(m).and(v).for_each(|p, &g, m, v| {
        let (g, q) = c.decayed::<COUPLED>(*p, g);
        c.moments(g, m, v);
        *p = c.update(q, *m, *v);
    });
}

fn amsgrad_pass<const COUPLED: bool>(
    c: &Coefficients,
    params: ArrayViewMut1<f64>,
    grad: ArrayView1<f64>,
    m: &mut Array1<f64>,
    v: &mut Array1<f64>,
    vmax: &mut Array1<f64>,
) {
    Zip::from(params).and(grad).and(m).and(v).and(vmax).for_each(|p, &g, m, v, vmax| {
        let (g, q) = c.decayed::<COUPLED>(*p, g);
        c.moments(g, m, v);
        *vmax = maximum(*vmax, *v);
        *p = c.update(q, *m, *vmax);
    });
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

/// `get` for the fields Adam and AdamW share.
macro_rules! adam_get_set {
    () => {
        fn get(&self, name: &str) -> Option<Hyper> {
            Some(match name {
                "lr" => Hyper::Float(self.lr),
                "beta1" => Hyper::Float(self.beta1),
                "beta2" => Hyper::Float(self.beta2),
                "eps" => Hyper::Float(self.eps),
                "weight_decay" => Hyper::Float(self.weight_decay),
                "amsgrad" => Hyper::Bool(self.amsgrad),
                _ => return None,
            })
        }

        fn set_checked(&mut self, name: &str, value: Hyper) {
            match (name, value) {
                ("lr", Hyper::Float(v)) => self.lr = v,
                ("beta1", Hyper::Float(v)) => self.beta1 = v,
                ("beta2", Hyper::Float(v)) => self.beta2 = v,
                ("eps", Hyper::Float(v)) => self.eps = v,
                ("weight_decay", Hyper::Float(v)) => self.weight_decay = v,
                ("amsgrad", Hyper::Bool(v)) => self.amsgrad = v,
                _ => {}
            }
        }
    };
}
pub(crate) use adam_get_set;

impl Algorithm for Adam {
    type State = AdamState;

    fn init(&self, dim: usize) -> AdamState {
        AdamState::new(dim)
    }

    fn step(&self, state: &mut AdamState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        self.rule().step(state, params, grad, lr);
    }

    fn specs() -> &'static [HyperSpec] {
        &SPECS
    }

    adam_get_set!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn first_step_moves_by_lr_in_the_gradient_sign() {
        // At t = 1, m̂ = g and √v̂ = |g|: the step is γ g / (|g| + ε) ≈ γ sign(g).
        let adam = Adam::default();
        let mut s = adam.init(2);
        let mut p = array![1.0, -1.0];
        adam.step(&mut s, p.view_mut(), array![3.0, -0.5].view(), 0.1);
        assert!((p[0] - (1.0 - 0.1 * 3.0 / (3.0 + 1e-8))).abs() < 1e-15);
        assert!((p[1] - (-1.0 + 0.1 * 0.5 / (0.5 + 1e-8))).abs() < 1e-15);
        assert_eq!(s.step, 1);
        assert!(s.max_exp_avg_sq.is_none());
    }

    #[test]
    fn amsgrad_switched_on_mid_run_starts_from_zero() {
        let mut adam = Adam::default();
        let mut s = adam.init(1);
        let mut p = array![0.0];
        adam.step(&mut s, p.view_mut(), array![2.0].view(), 0.1);
        adam.amsgrad = true;
        adam.step(&mut s, p.view_mut(), array![1.0].view(), 0.1);
        let vmax = s.max_exp_avg_sq.as_ref().map(|a| a[0]);
        assert_eq!(vmax, Some(s.exp_avg_sq[0]));
        assert_eq!(s.step, 2);
    }
}
