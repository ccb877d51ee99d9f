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

use super::ops::Lerp;
use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Nadam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum_decay: f64,
    pub decoupled_weight_decay: bool,
}

impl Default for Nadam {
    fn default() -> Self {
        Nadam {
            lr: 2e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            momentum_decay: 4e-3,
            decoupled_weight_decay: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct NadamState {
    /// Updates done so far.
    pub step: u64,
    /// Product of the momentum factors μ₁ ⋯ μ_t (1 before the first update).
    pub mu_product: f64,
    /// First moment m.
    pub exp_avg: Array1<f64>,
    /// Second moment v.
    pub exp_avg_sq: Array1<f64>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec { name: "lr", default: Hyper::Float(2e-3), domain: Domain::Positive, help: "learning rate" },
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
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "weight decay (L2 penalty, or decoupled)",
    },
    HyperSpec {
        name: "momentum_decay",
        default: Hyper::Float(4e-3),
        domain: Domain::NonNegative,
        help: "ψ in the momentum schedule μ_t = β₁(1 − ½·0.96^(tψ))",
    },
    HyperSpec {
        name: "decoupled_weight_decay",
        default: Hyper::Bool(false),
        domain: Domain::Bool,
        help: "decay the parameters (AdamW style) instead of the gradient",
    },
];

impl Algorithm for Nadam {
    type State = NadamState;

    fn init(&self, dim: usize) -> NadamState {
        NadamState { step: 0, mu_product: 1.0, exp_avg: Array1::zeros(dim), exp_avg_sq: Array1::zeros(dim) }
    }

    fn step(&self, state: &mut NadamState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        if state.exp_avg.len() != params.len() {
            *state = self.init(params.len());
        }
        state.step += 1;
        let t = state.step as f64;
        let bias_correction2 = 1.0 - self.beta2.powf(t);
        let mu = self.beta1 * (1.0 - 0.5 * 0.96f64.powf(t * self.momentum_decay));
        let mu_next = self.beta1 * (1.0 - 0.5 * 0.96f64.powf((t + 1.0) * self.momentum_decay));
        state.mu_product *= mu;
        let mu_product_next = state.mu_product * mu_next;
        let coef_grad = -lr * (1.0 - mu) / (1.0 - state.mu_product);
        let coef_avg = (-lr * mu_next) / (1.0 - mu_product_next);
        let lerp = Lerp::new(1.0 - self.beta1);
        let (beta2, one_minus_beta2, eps) = (self.beta2, 1.0 - self.beta2, self.eps);
        // Multiplies where torch divides (last-bit differences): one division per
        // parameter instead of three keeps the step bound by memory.
        let inv_bias_correction2 = 1.0 / bias_correction2;
        let wd = self.weight_decay;
        let (coupled, decay) = match (wd != 0.0, self.decoupled_weight_decay) {
            (true, true) => (0.0, 1.0 - lr * wd),
            (true, false) => (wd, 1.0),
            (false, _) => (0.0, 1.0),
        };
        let zip = Zip::from(params).and(grad).and(&mut state.exp_avg).and(&mut state.exp_avg_sq);
        let update = |p: &mut f64, g: f64, m: &mut f64, v: &mut f64| {
            *m = lerp.apply(*m, g);
            *v = *v * beta2 + one_minus_beta2 * g * g;
            let inv_denom = 1.0 / ((*v * inv_bias_correction2).sqrt() + eps);
            let q = *p + coef_grad * g * inv_denom;
            *p = q + coef_avg * *m * inv_denom;
        };
        if coupled != 0.0 {
            zip.for_each(|p, &g, m, v| update(p, g + coupled * *p, m, v));
        } else {
            zip.for_each(|p, &g, m, v| {
                *p *= decay;
                update(p, g, m, v)
            });
        }
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "beta1" => Hyper::Float(self.beta1),
            "beta2" => Hyper::Float(self.beta2),
            "eps" => Hyper::Float(self.eps),
            "weight_decay" => Hyper::Float(self.weight_decay),
            "momentum_decay" => Hyper::Float(self.momentum_decay),
            "decoupled_weight_decay" => Hyper::Bool(self.decoupled_weight_decay),
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
            ("momentum_decay", Hyper::Float(v)) => self.momentum_decay = v,
            ("decoupled_weight_decay", Hyper::Bool(v)) => self.decoupled_weight_decay = v,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn mu_product_accumulates_the_momentum_schedule() {
        let n = Nadam::default();
        let mut s = n.init(1);
        let mut p = array![1.0];
        for _ in 0..3 {
            n.step(&mut s, p.view_mut(), array![1.0].view(), 1e-3);
        }
        let mu = |t: f64| 0.9 * (1.0 - 0.5 * 0.96f64.powf(t * 4e-3));
        assert!((s.mu_product - mu(1.0) * mu(2.0) * mu(3.0)).abs() < 1e-15);
    }

    #[test]
    fn first_step_by_hand() {
        // ψ = 0: μ = μ_next = β₁/2 = 0.25 with β₁ = 0.5; Π₁ = 0.25.
        // m = 1 (g = 2, lerp 0.5), v = 4 (β₂ = 0), d = 2 (ε = 0).
        // p = −γ(0.75/0.75)(2/2) − γ(0.25/(1 − 0.0625))(1/2)
        let n = Nadam { beta1: 0.5, beta2: 0.0, eps: 0.0, momentum_decay: 0.0, ..Nadam::default() };
        let mut s = n.init(1);
        let mut p = array![0.0];
        n.step(&mut s, p.view_mut(), array![2.0].view(), 0.1);
        let expected = -0.1 - 0.1 * 0.25 / 0.9375 * 0.5;
        assert!((p[0] - expected).abs() < 1e-15);
    }
}
