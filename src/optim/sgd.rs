//! Stochastic gradient descent with heavy-ball or Nesterov momentum (`torch.optim.SGD`).
//!
//! With g the gradient, p the parameters, μ the momentum, τ the dampening,
//! λ the weight decay and γ the learning rate:
//!
//! ```text
//! g ← g + λ p
//! if μ ≠ 0:  b ← g                 on the first step with momentum
//!            b ← μ b + (1 − τ) g   afterwards
//!            g ← g + μ b  (nesterov)  or  g ← b
//! p ← p − γ g
//! ```
//!
//! Defaults are PyTorch's: lr 1e-3, momentum 0, dampening 0, nesterov off,
//! weight decay 0. As in PyTorch (and unlike Sutskever et al. 2013) the
//! learning rate multiplies the whole step, not the gradient inside the
//! buffer, so changing lr mid-run rescales steps at once. `gd` is this same
//! rule on the full training set.

use super::{Algorithm, Domain, Hyper, HyperError, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Sgd {
    pub lr: f64,
    pub momentum: f64,
    pub dampening: f64,
    pub nesterov: bool,
    pub weight_decay: f64,
}

impl Default for Sgd {
    fn default() -> Self {
        Sgd { lr: 1e-3, momentum: 0.0, dampening: 0.0, nesterov: false, weight_decay: 0.0 }
    }
}

#[derive(Clone, Debug)]
pub struct SgdState {
    /// The momentum buffer; `None` until the first step with momentum.
    pub buffer: Option<Array1<f64>>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec { name: "lr", default: Hyper::Float(1e-3), domain: Domain::Positive, help: "learning rate" },
    HyperSpec { name: "momentum", default: Hyper::Float(0.0), domain: Domain::NonNegative, help: "momentum factor" },
    HyperSpec {
        name: "dampening",
        default: Hyper::Float(0.0),
        domain: Domain::UnitClosed,
        help: "dampening for momentum",
    },
    HyperSpec { name: "nesterov", default: Hyper::Bool(false), domain: Domain::Bool, help: "Nesterov momentum" },
    HyperSpec {
        name: "weight_decay",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "L2 penalty added to the gradient",
    },
];

impl Algorithm for Sgd {
    type State = SgdState;

    fn init(&self, _dim: usize) -> SgdState {
        SgdState { buffer: None }
    }

    fn step(&self, state: &mut SgdState, mut params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        let wd = self.weight_decay;
        if self.momentum == 0.0 {
            Zip::from(&mut params).and(&grad).for_each(|p, &g| {
                let d = g + wd * *p;
                *p -= lr * d;
            });
            return;
        }
        let (mu, keep) = (self.momentum, 1.0 - self.dampening);
        let nesterov = self.nesterov;
        match &mut state.buffer {
            // A buffer of another length belongs to another problem: start afresh.
            Some(buf) if buf.len() == params.len() => {
                Zip::from(&mut params).and(&grad).and(buf).for_each(|p, &g, b| {
                    let d = g + wd * *p;
                    *b = mu * *b + keep * d;
                    let u = if nesterov { d + mu * *b } else { *b };
                    *p -= lr * u;
                });
            }
            _ => {
                let mut buf = Array1::zeros(params.len());
                Zip::from(&mut params).and(&grad).and(&mut buf).for_each(|p, &g, b| {
                    let d = g + wd * *p;
                    *b = d;
                    let u = if nesterov { d + mu * *b } else { *b };
                    *p -= lr * u;
                });
                state.buffer = Some(buf);
            }
        }
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "momentum" => Hyper::Float(self.momentum),
            "dampening" => Hyper::Float(self.dampening),
            "nesterov" => Hyper::Bool(self.nesterov),
            "weight_decay" => Hyper::Float(self.weight_decay),
            _ => return None,
        })
    }

    fn set_checked(&mut self, name: &str, value: Hyper) {
        match (name, value) {
            ("lr", Hyper::Float(v)) => self.lr = v,
            ("momentum", Hyper::Float(v)) => self.momentum = v,
            ("dampening", Hyper::Float(v)) => self.dampening = v,
            ("nesterov", Hyper::Bool(v)) => self.nesterov = v,
            ("weight_decay", Hyper::Float(v)) => self.weight_decay = v,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), HyperError> {
        if self.nesterov && (self.momentum <= 0.0 || self.dampening != 0.0) {
            return Err(HyperError::Invalid {
                name: "nesterov".into(),
                reason: "requires momentum > 0 and dampening = 0 (as in PyTorch)".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn plain_step_is_gradient_descent() {
        let sgd = Sgd { lr: 0.1, ..Sgd::default() };
        let mut s = sgd.init(2);
        let mut p = array![1.0, -2.0];
        sgd.step(&mut s, p.view_mut(), array![0.5, 1.0].view(), 0.1);
        assert_eq!(p, array![0.95, -2.1]);
    }

    #[test]
    fn first_momentum_step_has_no_dampening() {
        let sgd = Sgd { momentum: 0.9, dampening: 0.5, ..Sgd::default() };
        let mut s = sgd.init(1);
        let mut p = array![0.0];
        sgd.step(&mut s, p.view_mut(), array![1.0].view(), 1.0);
        assert_eq!(p, array![-1.0]);
        sgd.step(&mut s, p.view_mut(), array![1.0].view(), 1.0);
        // b = 0.9 * 1 + 0.5 * 1
        assert!((p[0] - (-1.0 - 1.4)).abs() < 1e-15);
    }
}
