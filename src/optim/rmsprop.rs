//! RMSprop, plain or centered, with optional momentum (`torch.optim.RMSprop`).
//!
//! With g the gradient, p the parameters, γ the learning rate, α the
//! smoothing constant, μ the momentum and λ the weight decay:
//!
//! ```text
//! g ← g + λ p
//! v ← α v + (1 − α) g²
//! ḡ ← α ḡ + (1 − α) g                   (centered only)
//! d ← √(v − ḡ²) + ε   (centered)   or   √v + ε
//! if μ > 0:  b ← μ b + g / d;  p ← p − γ b
//! else:      p ← p − γ g / d
//! ```
//!
//! Hinton, Srivastava & Swersky, "Neural Networks for Machine Learning",
//! lecture 6e (2012); the centered form is Graves, "Generating Sequences With
//! Recurrent Neural Networks" (2013). Defaults are PyTorch's: lr 1e-2, α 0.99,
//! ε 1e-8, weight decay 0, momentum 0, centered off.
//!
//! Where libraries differ: ε is added outside the square root (TensorFlow/Keras
//! and optax add it inside), there is no bias correction, and the averages
//! start at 0 (TensorFlow 1 started v at 1). The momentum buffer holds g / d,
//! so the learning rate multiplies the whole buffer: changing lr mid-run
//! rescales the next step at once. Switching `centered` or momentum on
//! mid-run starts ḡ or b at zero (PyTorch would fail for want of the state).

use super::ops::Lerp;
use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Rmsprop {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub momentum: f64,
    pub centered: bool,
}

impl Default for Rmsprop {
    fn default() -> Self {
        Rmsprop { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0.0, momentum: 0.0, centered: false }
    }
}

#[derive(Clone, Debug)]
pub struct RmspropState {
    /// Updates done so far.
    pub step: u64,
    /// Running average of g², v.
    pub square_avg: Array1<f64>,
    /// Running average of g, ḡ; `None` until the first centered step.
    pub grad_avg: Option<Array1<f64>>,
    /// Momentum buffer b; `None` until the first step with momentum.
    pub momentum_buffer: Option<Array1<f64>>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec { name: "lr", default: Hyper::Float(1e-2), domain: Domain::Positive, help: "learning rate" },
    HyperSpec {
        name: "alpha",
        default: Hyper::Float(0.99),
        domain: Domain::UnitClosed,
        help: "smoothing constant of the squared-gradient average",
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
        help: "L2 penalty added to the gradient",
    },
    HyperSpec { name: "momentum", default: Hyper::Float(0.0), domain: Domain::NonNegative, help: "momentum factor" },
    HyperSpec {
        name: "centered",
        default: Hyper::Bool(false),
        domain: Domain::Bool,
        help: "normalise by the estimated variance instead of the second moment",
    },
];

/// Per-step scalars for the loop.
#[derive(Clone, Copy)]
struct Coefficients {
    neg_lr: f64,
    alpha: f64,
    one_minus_alpha: f64,
    lerp: Lerp,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
}

impl Coefficients {
    #[inline(always)]
    fn grad(&self, p: f64, g: f64) -> f64 {
        if self.weight_decay != 0.0 { g + self.weight_decay * p } else { g }
    }

    #[inline(always)]
    fn square_avg(&self, g: f64, v: &mut f64) {
        *v = *v * self.alpha + self.one_minus_alpha * g * g;
    }
}

impl Algorithm for Rmsprop {
    type State = RmspropState;

    fn init(&self, dim: usize) -> RmspropState {
        RmspropState { step: 0, square_avg: Array1::zeros(dim), grad_avg: None, momentum_buffer: None }
    }

    fn step(&self, state: &mut RmspropState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        let n = params.len();
        if state.square_avg.len() != n {
            *state = self.init(n);
        }
        if self.centered && state.grad_avg.is_none() {
            state.grad_avg = Some(Array1::zeros(n));
        }
        if self.momentum > 0.0 && state.momentum_buffer.is_none() {
            state.momentum_buffer = Some(Array1::zeros(n));
        }
        state.step += 1;
        let c = Coefficients {
            neg_lr: -lr,
            alpha: self.alpha,
            one_minus_alpha: 1.0 - self.alpha,
            lerp: Lerp::new(1.0 - self.alpha),
            eps: self.eps,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
        };
        let v = &mut state.square_avg;
        let centered = if self.centered { state.grad_avg.as_mut() } else { None };
        let buffer = if self.momentum > 0.0 { state.momentum_buffer.as_mut() } else { None };
        match (centered, buffer) {
            (None, None) => Zip::from(params).and(grad).and(v).for_each(|p, &g, v| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *p += c.neg_lr * g / (v.sqrt() + c.eps);
            }),
            (None, Some(b)) => Zip::from(params).and(grad).and(v).and(b).for_each(|p, &g, v, b| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *b = *b * c.momentum + g / (v.sqrt() + c.eps);
                *p += c.neg_lr * *b;
            }),
            (Some(ga), None) => Zip::from(params).and(grad).and(v).and(ga).for_each(|p, &g, v, ga| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *ga = c.lerp.apply(*ga, g);
                let avg = (*v + -*ga * *ga).sqrt() + c.eps;
                *p += c.neg_lr * g / avg;
            }),
            (Some(ga), Some(b)) => Zip::from(params).and(grad).and(v).and(ga).and(b).for_each(|p, &g, v, ga, b| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *ga = c.lerp.apply(*ga, g);
                let avg = (*v + -*ga * *ga).sqrt() + c.eps;
                *b = *b * c.momentum + g / avg;
                *p += c.neg_lr * *b;
            }),
        }
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "alpha" => Hyper::Float(self.alpha),
            "eps" => Hyper::Float(self.eps),
            "weight_decay" => Hyper::Float(self.weight_decay),
            "momentum" => Hyper::Float(self.momentum),
            "centered" => Hyper::Bool(self.centered),
            _ => return None,
        })
    }

    fn set_checked(&mut self, name: &str, value: Hyper) {
        match (name, value) {
            ("lr", Hyper::Float(v)) => self.lr = v,
            ("alpha", Hyper::Float(v)) => self.alpha = v,
            ("eps", Hyper::Float(v)) => self.eps = v,
            ("weight_decay", Hyper::Float(v)) => self.weight_decay = v,
            ("momentum", Hyper::Float(v)) => self.momentum = v,
            ("centered", Hyper::Bool(v)) => self.centered = v,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn hand_computed_centered_momentum_steps() {
        let r = Rmsprop { alpha: 0.5, eps: 0.0, momentum: 0.5, centered: true, ..Rmsprop::default() };
        let mut s = r.init(1);
        let mut p = array![0.0];
        // t = 1, g = 2: v = 2, ḡ = 1, d = √(2 − 1) = 1, b = 2, p = −2γ
        r.step(&mut s, p.view_mut(), array![2.0].view(), 0.1);
        assert!((p[0] + 0.2).abs() < 1e-15);
        // t = 2, g = 4: v = 1 + 8 = 9, ḡ = 2.5, d = √(9 − 6.25) = √2.75, b = 1 + 4/√2.75
        r.step(&mut s, p.view_mut(), array![4.0].view(), 0.1);
        let b = 1.0 + 4.0 / 2.75f64.sqrt();
        assert!((p[0] - (-0.2 - 0.1 * b)).abs() < 1e-15);
    }
}
