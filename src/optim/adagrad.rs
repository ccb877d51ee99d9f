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

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};

crate::hyperparameters! {
    /// `torch.optim.Adagrad`'s hyperparameters.
    pub struct Adagrad {
        lr: float = 1e-2, Positive, "learning rate";
        lr_decay: float = 0.0, NonNegative, "rate t is lr / (1 + (t − 1) lr_decay)";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
        initial_accumulator_value: float = 0.0, NonNegative,
            "starting value of the sum of squares (read at the first update)";
        eps: float = 1e-10, NonNegative, "added to the denominator, outside the square root";
    }
}

impl Validate for Adagrad {}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct AdagradScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct AdagradCoefs {
    neg_clr: f64,
    weight_decay: f64,
    eps: f64,
}

impl ElementWise for Adagrad {
    type Scalars = AdagradScalars;
    type Coefs = AdagradCoefs;

    /// The sum of squared gradients s.
    fn buffers(&self) -> usize {
        1
    }

    /// PyTorch creates the state, with the accumulator's start value, at the first update.
    fn buffer_start(&self, _index: usize, _lr: f64) -> f64 {
        self.initial_accumulator_value
    }

    fn begin(&self, scalars: &mut AdagradScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdagradCoefs {
        scalars.step += 1;
        AdagradCoefs {
            neg_clr: -(lr / (1.0 + (scalars.step - 1) as f64 * self.lr_decay)),
            weight_decay: self.weight_decay,
            eps: self.eps,
        }
    }

    fn pass(c: &AdagradCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [sum, ..] = buffers else { unreachable!("one buffer") };
        let (neg_clr, wd, eps) = (c.neg_clr, c.weight_decay, c.eps);
        let zip = params.iter_mut().zip(grad).zip(sum.iter_mut());
        if wd != 0.0 {
            zip.for_each(|((p, &g), s)| {
                let g = g + wd * *p;
                *s += g * g;
                *p += neg_clr * g / (s.sqrt() + eps);
            });
        } else {
            zip.for_each(|((p, &g), s)| {
                *s += g * g;
                *p += neg_clr * g / (s.sqrt() + eps);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn hand_computed_steps_with_lr_decay_and_initial_accumulator() {
        let a = Adagrad { lr_decay: 0.5, initial_accumulator_value: 5.0, eps: 0.0, ..Adagrad::default() };
        let mut s = ElementState::new();
        let mut p = array![1.0];
        // t = 1: s = 5 + 4 = 9, γ₁ = 1, p = 1 − 2/3
        s.step(&a, p.view_mut(), array![2.0].view(), 1.0);
        assert!((p[0] - 1.0 / 3.0).abs() < 1e-15);
        // t = 2: s = 9 + 16 = 25, γ₂ = 1 / 1.5, p = 1/3 − (2/3)(4/5)
        s.step(&a, p.view_mut(), array![4.0].view(), 1.0);
        assert!((p[0] - (1.0 / 3.0 - 8.0 / 15.0)).abs() < 1e-15);
    }
}
