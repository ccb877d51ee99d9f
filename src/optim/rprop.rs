//! Rprop, resilient backpropagation (`torch.optim.Rprop`).
//!
//! Per coordinate, with g the gradient, g' the gradient kept from the last
//! update, s the step size, η⁻ < 1 < η⁺ and [s_min, s_max] the step bounds:
//!
//! ```text
//! first update:  s ← γ,  g' ← 0
//! if g g' > 0:  s ← min(s η⁺, s_max)
//! if g g' < 0:  s ← max(s η⁻, s_min),  g ← 0     (sign flip: step back no further, skip)
//! if g g' = 0:  s unchanged (then clamped to [s_min, s_max])
//! p ← p − sign(g) s
//! g' ← g
//! ```
//!
//! Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation
//! Learning: The RPROP Algorithm", ICNN 1993. PyTorch's form, kept here, has
//! no weight backtracking and zeroes the gradient after a sign change: the
//! iRprop⁻ of Igel & Hüsken, "Improving the Rprop Learning Algorithm", 2000.
//! Defaults are PyTorch's: lr 1e-2, η⁻ 0.5, η⁺ 1.2, s_min 1e-6, s_max 50.
//!
//! Where libraries differ: the learning rate only sets the initial step size,
//! at the first update (as in PyTorch): a schedule or an lr change later has
//! no effect, the step sizes adapt on their own. sign(0) = 0, so a zero
//! gradient does not move its coordinate. optax has no Rprop; Keras has none.

use super::ops::{clamp, sign};
use super::{Algorithm, Domain, Hyper, HyperError, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Rprop {
    pub lr: f64,
    pub eta_minus: f64,
    pub eta_plus: f64,
    pub step_min: f64,
    pub step_max: f64,
}

impl Default for Rprop {
    fn default() -> Self {
        Rprop { lr: 1e-2, eta_minus: 0.5, eta_plus: 1.2, step_min: 1e-6, step_max: 50.0 }
    }
}

#[derive(Clone, Debug)]
pub struct RpropState {
    /// Updates done so far.
    pub step: u64,
    /// The gradient of the last update, zeroed where its sign flipped.
    pub prev: Array1<f64>,
    /// Per-coordinate step sizes s.
    pub step_size: Array1<f64>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec {
        name: "lr",
        default: Hyper::Float(1e-2),
        domain: Domain::Positive,
        help: "initial step size (read at the first update)",
    },
    HyperSpec {
        name: "eta_minus",
        default: Hyper::Float(0.5),
        domain: Domain::UnitOpen,
        help: "step-size factor after a sign change",
    },
    HyperSpec {
        name: "eta_plus",
        default: Hyper::Float(1.2),
        domain: Domain::AboveOne,
        help: "step-size factor while the sign holds",
    },
    HyperSpec {
        name: "step_min",
        default: Hyper::Float(1e-6),
        domain: Domain::NonNegative,
        help: "smallest step size",
    },
    HyperSpec { name: "step_max", default: Hyper::Float(50.0), domain: Domain::Positive, help: "largest step size" },
];

impl Algorithm for Rprop {
    type State = RpropState;

    fn init(&self, dim: usize) -> RpropState {
        RpropState { step: 0, prev: Array1::zeros(dim), step_size: Array1::zeros(dim) }
    }

    fn step(&self, state: &mut RpropState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        if state.prev.len() != params.len() {
            *state = self.init(params.len());
        }
        if state.step == 0 {
            // PyTorch creates the step sizes at the first update from the group's (scheduled) lr.
            state.prev.fill(0.0);
            state.step_size.fill(lr);
        }
        state.step += 1;
        let (eta_minus, eta_plus, lo, hi) = (self.eta_minus, self.eta_plus, self.step_min, self.step_max);
        Zip::from(params).and(grad).and(&mut state.prev).and(&mut state.step_size).for_each(|p, &g, prev, s| {
            let product = g * *prev;
            let factor = if product > 0.0 {
                eta_plus
            } else if product < 0.0 {
                eta_minus
            } else if product == 0.0 {
                1.0
            } else {
                product // NaN, as torch.sign
            };
            *s = clamp(*s * factor, lo, hi);
            let g = if factor == eta_minus { 0.0 } else { g };
            *p += -(sign(g) * *s);
            *prev = g;
        });
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "eta_minus" => Hyper::Float(self.eta_minus),
            "eta_plus" => Hyper::Float(self.eta_plus),
            "step_min" => Hyper::Float(self.step_min),
            "step_max" => Hyper::Float(self.step_max),
            _ => return None,
        })
    }

    fn set_checked(&mut self, name: &str, value: Hyper) {
        match (name, value) {
            ("lr", Hyper::Float(v)) => self.lr = v,
            ("eta_minus", Hyper::Float(v)) => self.eta_minus = v,
            ("eta_plus", Hyper::Float(v)) => self.eta_plus = v,
            ("step_min", Hyper::Float(v)) => self.step_min = v,
            ("step_max", Hyper::Float(v)) => self.step_max = v,
            _ => {}
        }
    }

    fn validate(&self) -> Result<(), HyperError> {
        // PyTorch checks 0 < η⁻ < 1 < η⁺ (the domains here); it does not check the bounds,
        // but clamping to an empty interval is surely a mistake.
        if self.step_min > self.step_max {
            return Err(HyperError::Invalid {
                name: "step_min".into(),
                reason: format!("must be <= step_max ({})", self.step_max),
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
    fn step_sizes_grow_shrink_and_skip_on_a_sign_change() {
        let r = Rprop::default();
        let mut s = r.init(2);
        let mut p = array![0.0, 0.0];
        // First update: s = γ = 0.1, the second coordinate has g = 0 and does not move.
        r.step(&mut s, p.view_mut(), array![1.0, 0.0].view(), 0.1);
        assert_eq!(p, array![-0.1, 0.0]);
        // Same sign: s = 0.12.
        r.step(&mut s, p.view_mut(), array![2.0, 0.0].view(), 0.1);
        assert!((p[0] + 0.22).abs() < 1e-15);
        // Sign change: s = 0.06, no move, prev zeroed.
        r.step(&mut s, p.view_mut(), array![-1.0, 0.0].view(), 0.1);
        assert!((p[0] + 0.22).abs() < 1e-15);
        assert_eq!(s.prev[0], 0.0);
        assert!((s.step_size[0] - 0.06).abs() < 1e-15);
        // After a skip the product is 0: s stays 0.06 and the step is taken.
        r.step(&mut s, p.view_mut(), array![-1.0, 0.0].view(), 0.1);
        assert!((p[0] + 0.16).abs() < 1e-15);
        // lr only mattered at the first update.
        assert_eq!(s.step_size[1], 0.1);
    }
}
