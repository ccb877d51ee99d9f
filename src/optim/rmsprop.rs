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

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::Lerp;

crate::hyperparameters! {
    /// `torch.optim.RMSprop`'s hyperparameters.
    pub struct Rmsprop {
        lr: float = 1e-2, Positive, "learning rate";
        alpha: float = 0.99, UnitClosed, "smoothing constant of the squared-gradient average";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
        momentum: float = 0.0, NonNegative, "momentum factor";
        centered: bool = false, Bool, "normalise by the estimated variance instead of the second moment";
    }
}

impl Validate for Rmsprop {}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct RmspropScalars {
    pub step: u64,
}

/// Per-step scalars for the loop.
#[derive(Clone, Copy, Debug)]
pub struct RmspropCoefs {
    neg_lr: f64,
    alpha: f64,
    one_minus_alpha: f64,
    lerp: Lerp,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
}

impl RmspropCoefs {
    #[inline(always)]
    fn grad(&self, p: f64, g: f64) -> f64 {
        if self.weight_decay != 0.0 { g + self.weight_decay * p } else { g }
    }

    #[inline(always)]
    fn square_avg(&self, g: f64, v: &mut f64) {
        *v = *v * self.alpha + self.one_minus_alpha * g * g;
    }
}

impl ElementWise for Rmsprop {
    type Scalars = RmspropScalars;
    type Coefs = RmspropCoefs;

    /// v; ḡ (centered); b (momentum). Momentum alone also makes ḡ (kept at
    /// zero until `centered` is switched on).
    fn buffers(&self) -> usize {
        if self.momentum > 0.0 {
            3
        } else if self.centered {
            2
        } else {
            1
        }
    }

    fn begin(&self, scalars: &mut RmspropScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> RmspropCoefs {
        scalars.step += 1;
        RmspropCoefs {
            neg_lr: -lr,
            alpha: self.alpha,
            one_minus_alpha: 1.0 - self.alpha,
            lerp: Lerp::new(1.0 - self.alpha),
            eps: self.eps,
            weight_decay: self.weight_decay,
            momentum: self.momentum,
            centered: self.centered,
        }
    }

    fn pass(c: &RmspropCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let zip = params.iter_mut().zip(grad);
        match (buffers, c.centered) {
            ([v], _) => zip.zip(v.iter_mut()).for_each(|((p, &g), v)| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *p += c.neg_lr * g / (v.sqrt() + c.eps);
            }),
            ([v, ga], _) => zip.zip(v.iter_mut()).zip(ga.iter_mut()).for_each(|(((p, &g), v), ga)| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *ga = c.lerp.apply(*ga, g);
                let avg = (*v + -*ga * *ga).sqrt() + c.eps;
                *p += c.neg_lr * g / avg;
            }),
            ([v, _, b, ..], false) => zip.zip(v.iter_mut()).zip(b.iter_mut()).for_each(|(((p, &g), v), b)| {
                let g = c.grad(*p, g);
                c.square_avg(g, v);
                *b = *b * c.momentum + g / (v.sqrt() + c.eps);
                *p += c.neg_lr * *b;
            }),
            ([v, ga, b, ..], true) => {
                zip.zip(v.iter_mut()).zip(ga.iter_mut()).zip(b.iter_mut()).for_each(|((((p, &g), v), ga), b)| {
                    let g = c.grad(*p, g);
                    c.square_avg(g, v);
                    *ga = c.lerp.apply(*ga, g);
                    let avg = (*v + -*ga * *ga).sqrt() + c.eps;
                    *b = *b * c.momentum + g / avg;
                    *p += c.neg_lr * *b;
                })
            }
            // `buffers` asks for one to three.
            _ => unreachable!("RMSprop has its square average"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn hand_computed_centered_momentum_steps() {
        let r = Rmsprop { alpha: 0.5, eps: 0.0, momentum: 0.5, centered: true, ..Rmsprop::default() };
        let mut s = ElementState::new();
        let mut p = array![0.0];
        // t = 1, g = 2: v = 2, ḡ = 1, d = √(2 − 1) = 1, b = 2, p = −2γ
        s.step(&r, p.view_mut(), array![2.0].view(), 0.1);
        assert!((p[0] + 0.2).abs() < 1e-15);
        // t = 2, g = 4: v = 1 + 8 = 9, ḡ = 2.5, d = √(9 − 6.25) = √2.75, b = 1 + 4/√2.75
        s.step(&r, p.view_mut(), array![4.0].view(), 0.1);
        let b = 1.0 + 4.0 / 2.75f64.sqrt();
        assert!((p[0] - (-0.2 - 0.1 * b)).abs() < 1e-15);
    }
}
