//! AdaGrad (`torch.optim.Adagrad`).
//!
//! With g the gradient, p the parameters, γ the learning rate, η the lr decay,
//! λ the weight decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p
//! γ_t ← γ / (1 + (t − 1) η)
//! s ← s + g²                        (s starts at initial_accumulator_value)
//! p ← p − γ_t g / (√s + ε)
//! ```
//!
//! Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning
//! and Stochastic Optimization", JMLR 2011. Defaults are PyTorch's: lr 1e-2,
//! lr decay 0, weight decay 0, initial accumulator 0, ε 1e-10.
//!
//! Where libraries differ: ε is outside the square root (TensorFlow/Keras put
//! it inside, optax's `adagrad` too, and their accumulator starts at 0.1);
//! the lr decay is PyTorch's own. `initial_accumulator_value` is read once,
//! when the state is created at the first update, as in PyTorch: changing it
//! later has no effect until a reset.

use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Adagrad {
    pub lr: f64,
    pub lr_decay: f64,
    pub weight_decay: f64,
    pub initial_accumulator_value: f64,
    pub eps: f64,
}

impl Default for Adagrad {
    fn default() -> Self {
        Adagrad { lr: 1e-2, lr_decay: 0.0, weight_decay: 0.0, initial_accumulator_value: 0.0, eps: 1e-10 }
    }
}

#[derive(Clone, Debug)]
pub struct AdagradState {
    /// Updates done so far.
    pub step: u64,
    /// Sum of squared gradients s.
    pub sum: Array1<f64>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec { name: "lr", default: Hyper::Float(1e-2), domain: Domain::Positive, help: "learning rate" },
    HyperSpec {
        name: "lr_decay",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "rate t is lr / (1 + (t − 1) lr_decay)",
    },
    HyperSpec {
        name: "weight_decay",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "L2 penalty added to the gradient",
    },
    HyperSpec {
        name: "initial_accumulator_value",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "starting value of the sum of squares (read at the first update)",
    },
    HyperSpec {
        name: "eps",
        default: Hyper::Float(1e-10),
        domain: Domain::NonNegative,
        help: "added to the denominator, outside the square root",
    },
];

impl Algorithm for Adagrad {
    type State = AdagradState;

    fn init(&self, dim: usize) -> AdagradState {
        AdagradState { step: 0, sum: Array1::zeros(dim) }
    }

    fn step(&self, state: &mut AdagradState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        if state.step == 0 || state.sum.len() != params.len() {
            // PyTorch creates the state, with the accumulator's start value, at the first update.
            if state.sum.len() == params.len() {
                state.sum.fill(self.initial_accumulator_value);
            } else {
                state.sum = Array1::from_elem(params.len(), self.initial_accumulator_value);
            }
            state.step = 0;
        }
        state.step += 1;
        let neg_clr = -(lr / (1.0 + (state.step - 1) as f64 * self.lr_decay));
        let (wd, eps) = (self.weight_decay, self.eps);
        let zip = Zip::from(params).and(grad).and(&mut state.sum);
        if wd != 0.0 {
            zip.for_each(|p, &g, s| {
                let g = g + wd * *p;
                *s += g * g;
                *p += neg_clr * g / (s.sqrt() + eps);
            });
        } else {
            zip.for_each(|p, &g, s| {
                *s += g * g;
                *p += neg_clr * g / (s.sqrt() + eps);
            });
        }
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "lr_decay" => Hyper::Float(self.lr_decay),
            "weight_decay" => Hyper::Float(self.weight_decay),
            "initial_accumulator_value" => Hyper::Float(self.initial_accumulator_value),
            "eps" => Hyper::Float(self.eps),
            _ => return None,
        })
    }

    fn set_checked(&mut self, name: &str, value: Hyper) {
        match (name, value) {
            ("lr", Hyper::Float(v)) => self.lr = v,
            ("lr_decay", Hyper::Float(v)) => self.lr_decay = v,
            ("weight_decay", Hyper::Float(v)) => self.weight_decay = v,
            ("initial_accumulator_value", Hyper::Float(v)) => self.initial_accumulator_value = v,
            ("eps", Hyper::Float(v)) => self.eps = v,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn hand_computed_steps_with_lr_decay_and_initial_accumulator() {
        let a = Adagrad { lr_decay: 0.5, initial_accumulator_value: 5.0, eps: 0.0, ..Adagrad::default() };
        let mut s = a.init(1);
        let mut p = array![1.0];
        // t = 1: s = 5 + 4 = 9, γ₁ = 1, p = 1 − 2/3
        a.step(&mut s, p.view_mut(), array![2.0].view(), 1.0);
        assert!((p[0] - 1.0 / 3.0).abs() < 1e-15);
        // t = 2: s = 9 + 16 = 25, γ₂ = 1 / 1.5, p = 1/3 − (2/3)(4/5)
        a.step(&mut s, p.view_mut(), array![4.0].view(), 1.0);
        assert!((p[0] - (1.0 / 3.0 - 8.0 / 15.0)).abs() < 1e-15);
    }
}
