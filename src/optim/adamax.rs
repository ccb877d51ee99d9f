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

use super::ops::{Lerp, maximum};
use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Adamax {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
}

impl Default for Adamax {
    fn default() -> Self {
        Adamax { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0 }
    }
}

#[derive(Clone, Debug)]
pub struct AdamaxState {
    /// Updates done so far.
    pub step: u64,
    /// First moment m.
    pub exp_avg: Array1<f64>,
    /// Exponentially weighted infinity norm u.
    pub exp_inf: Array1<f64>,
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
        help: "decay of the infinity norm",
    },
    HyperSpec {
        name: "eps",
        default: Hyper::Float(1e-8),
        domain: Domain::NonNegative,
        help: "added to |g| inside the maximum",
    },
    HyperSpec {
        name: "weight_decay",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "L2 penalty added to the gradient",
    },
];

impl Algorithm for Adamax {
    type State = AdamaxState;

    fn init(&self, dim: usize) -> AdamaxState {
        AdamaxState { step: 0, exp_avg: Array1::zeros(dim), exp_inf: Array1::zeros(dim) }
    }

    fn step(&self, state: &mut AdamaxState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        if state.exp_avg.len() != params.len() {
            *state = self.init(params.len());
        }
        state.step += 1;
        let neg_clr = -(lr / (1.0 - self.beta1.powf(state.step as f64)));
        let lerp = Lerp::new(1.0 - self.beta1);
        let (beta2, eps, wd) = (self.beta2, self.eps, self.weight_decay);
        let zip = Zip::from(params).and(grad).and(&mut state.exp_avg).and(&mut state.exp_inf);
        let update = |p: &mut f64, g: f64, m: &mut f64, u: &mut f64| {
            *m = lerp.apply(*m, g);
            *u = maximum(*u * beta2, g.abs() + eps);
            *p += neg_clr * *m / *u;
        };
        if wd != 0.0 {
            zip.for_each(|p, &g, m, u| update(p, g + wd * *p, m, u));
        } else {
            zip.for_each(|p, &g, m, u| update(p, g, m, u));
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
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn hand_computed_steps() {
        let a = Adamax { beta1: 0.5, beta2: 0.5, eps: 0.0, ..Adamax::default() };
        let mut s = a.init(1);
        let mut p = array![0.0];
        // t = 1, g = 4: m = 2, u = 4, p = −γ/(1 − 0.5) · 2/4 = −γ
        a.step(&mut s, p.view_mut(), array![4.0].view(), 0.1);
        assert!((p[0] + 0.1).abs() < 1e-15);
        // t = 2, g = 1: m = 1.5, u = max(2, 1) = 2, p = −0.1 − 0.1/0.75 · 0.75
        a.step(&mut s, p.view_mut(), array![1.0].view(), 0.1);
        assert!((p[0] + 0.2).abs() < 1e-15);
    }
}
