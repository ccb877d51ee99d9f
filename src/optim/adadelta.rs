//! Adadelta (`torch.optim.Adadelta`).
//!
//! With g the gradient, p the parameters, γ the learning rate, ρ the decay
//! and λ the weight decay:
//!
//! ```text
//! g ← g + λ p
//! v ← ρ v + (1 − ρ) g²
//! Δ = √(u + ε) / √(v + ε) · g
//! u ← ρ u + (1 − ρ) Δ²
//! p ← p − γ Δ
//! ```
//!
//! Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012. Defaults are
//! PyTorch's: lr 1.0, ρ 0.9, ε 1e-6, weight decay 0.
//!
//! Where libraries differ: the paper has no learning rate (γ = 1, PyTorch's
//! default); Keras' default lr is 1e-3. ε is inside both square roots, as in
//! the paper. The step size is
//! set by the ratio of the two averages, so tiny ε makes the first steps tiny:
//! on a 2-D test function Adadelta with the defaults crawls.

use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Adadelta {
    pub lr: f64,
    pub rho: f64,
    pub eps: f64,
    pub weight_decay: f64,
}

impl Default for Adadelta {
    fn default() -> Self {
        Adadelta { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0.0 }
    }
}

#[derive(Clone, Debug)]
pub struct AdadeltaState {
    /// Updates done so far.
    pub step: u64,
    /// Running average of g², v.
    pub square_avg: Array1<f64>,
    /// Running average of Δ², u.
    pub acc_delta: Array1<f64>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec {
        name: "lr",
        default: Hyper::Float(1.0),
        domain: Domain::Positive,
        help: "learning rate (multiplies the Adadelta step)",
    },
    HyperSpec {
        name: "rho",
        default: Hyper::Float(0.9),
        domain: Domain::UnitClosed,
        help: "decay of the running averages",
    },
    HyperSpec {
        name: "eps",
        default: Hyper::Float(1e-6),
        domain: Domain::NonNegative,
        help: "added inside both square roots",
    },
    HyperSpec {
        name: "weight_decay",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "L2 penalty added to the gradient",
    },
];

impl Algorithm for Adadelta {
    type State = AdadeltaState;

    fn init(&self, dim: usize) -> AdadeltaState {
        AdadeltaState { step: 0, square_avg: Array1::zeros(dim), acc_delta: Array1::zeros(dim) }
    }

    fn step(&self, state: &mut AdadeltaState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        if state.square_avg.len() != params.len() {
            *state = self.init(params.len());
        }
        state.step += 1;
        let (rho, one_minus_rho, eps, neg_lr) = (self.rho, 1.0 - self.rho, self.eps, -lr);
        let wd = self.weight_decay;
        let zip = Zip::from(params).and(grad).and(&mut state.square_avg).and(&mut state.acc_delta);
        let update = |p: &mut f64, g: f64, v: &mut f64, u: &mut f64| {
            *v = *v * rho + one_minus_rho * g * g;
            // √a / √b as √(a / b): one square root (torch takes two; last-bit differences).
            let delta = ((*u + eps) / (*v + eps)).sqrt() * g;
            *u = *u * rho + one_minus_rho * delta * delta;
            *p += neg_lr * delta;
        };
        if wd != 0.0 {
            zip.for_each(|p, &g, v, u| update(p, g + wd * *p, v, u));
        } else {
            zip.for_each(|p, &g, v, u| update(p, g, v, u));
        }
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "rho" => Hyper::Float(self.rho),
            "eps" => Hyper::Float(self.eps),
            "weight_decay" => Hyper::Float(self.weight_decay),
            _ => return None,
        })
    }

    fn set_checked(&mut self, name: &str, value: Hyper) {
        match (name, value) {
            ("lr", Hyper::Float(v)) => self.lr = v,
            ("rho", Hyper::Float(v)) => self.rho = v,
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
        // ρ = 0.5, ε = 1 (large, to keep the numbers round), γ = 2.
        let a = Adadelta { rho: 0.5, eps: 1.0, ..Adadelta::default() };
        let mut s = a.init(1);
        let mut p = array![0.0];
        // g = 4: v = 8, Δ = √1/√9 · 4 = 4/3, u = 0.5 · 16/9 = 8/9, p = −8/3
        a.step(&mut s, p.view_mut(), array![4.0].view(), 2.0);
        assert!((p[0] + 8.0 / 3.0).abs() < 1e-14);
        assert!((s.acc_delta[0] - 8.0 / 9.0).abs() < 1e-15);
        // g = 0: v = 4, Δ = 0, u = 4/9, p unchanged
        a.step(&mut s, p.view_mut(), array![0.0].view(), 2.0);
        assert!((p[0] + 8.0 / 3.0).abs() < 1e-14);
        assert!((s.acc_delta[0] - 4.0 / 9.0).abs() < 1e-15);
    }
}
