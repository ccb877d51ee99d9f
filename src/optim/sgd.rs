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

use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::{HyperError, Validate};

crate::hyperparameters! {
    /// `torch.optim.SGD`'s hyperparameters.
    pub struct Sgd {
        lr: float = 1e-3, Positive, "learning rate";
        momentum: float = 0.0, NonNegative, "momentum factor";
        dampening: float = 0.0, UnitClosed, "dampening for momentum";
        nesterov: bool = false, Bool, "Nesterov momentum";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
    }
}

/// The scalars of one SGD update.
#[derive(Clone, Copy, Debug)]
pub struct SgdCoefs {
    lr: f64,
    weight_decay: f64,
    momentum: f64,
    keep: f64,
    nesterov: bool,
    /// The momentum buffer was just created: b ← g (no dampening).
    first: bool,
}

impl ElementWise for Sgd {
    type Scalars = ();
    type Coefs = SgdCoefs;

    fn buffers(&self) -> usize {
        usize::from(self.momentum != 0.0)
    }

    fn begin(&self, _: &mut (), lr: f64, created: [bool; MAX_BUFFERS]) -> SgdCoefs {
        SgdCoefs {
            lr,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
            keep: 1.0 - self.dampening,
            nesterov: self.nesterov,
            first: created[0],
        }
    }

    fn pass(c: &SgdCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let (lr, wd) = (c.lr, c.weight_decay);
        let [buf, ..] = buffers else {
            params.iter_mut().zip(grad).for_each(|(p, &g)| {
                let d = g + wd * *p;
                *p -= lr * d;
            });
            return;
        };
        let (mu, keep, nesterov, first) = (c.momentum, c.keep, c.nesterov, c.first);
        params.iter_mut().zip(grad).zip(buf.iter_mut()).for_each(|((p, &g), b)| {
            let d = g + wd * *p;
            *b = if first { d } else { mu * *b + keep * d };
            let u = if nesterov { d + mu * *b } else { *b };
            *p -= lr * u;
        });
    }
}

impl Validate for Sgd {
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
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn plain_step_is_gradient_descent() {
        let sgd = Sgd { lr: 0.1, ..Sgd::default() };
        let mut s = ElementState::new();
        let mut p = array![1.0, -2.0];
        s.step(&sgd, p.view_mut(), array![0.5, 1.0].view(), 0.1);
        assert_eq!(p, array![0.95, -2.1]);
    }

    #[test]
    fn first_momentum_step_has_no_dampening() {
        let sgd = Sgd { momentum: 0.9, dampening: 0.5, ..Sgd::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        s.step(&sgd, p.view_mut(), array![1.0].view(), 1.0);
        assert_eq!(p, array![-1.0]);
        s.step(&sgd, p.view_mut(), array![1.0].view(), 1.0);
        // b = 0.9 * 1 + 0.5 * 1
        assert!((p[0] - (-1.0 - 1.4)).abs() < 1e-15);
    }
}
