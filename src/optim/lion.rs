//! Lion, evolved sign momentum (Chen et al. 2023; not in `torch.optim`).
//!
//! With g the gradient, p the parameters, γ the learning rate and λ the
//! (decoupled) weight decay:
//!
//! ```text
//! c = β₁ m + (1 − β₁) g
//! p ← p − γ (sign(c) + λ p)
//! m ← β₂ m + (1 − β₂) g
//! ```
//!
//! Chen et al., "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023,
//! Program 1. Defaults are the paper's: lr 1e-4, β₁ 0.9, β₂ 0.99, weight
//! decay 0 (PyTorch has no Lion; the paper advises an lr 3–10× smaller than
//! AdamW's and a λ 3–10× larger).
//!
//! Where libraries differ: sign(0) = 0 here (as `torch.sign` and `jnp.sign`),
//! so a coordinate with c = 0 only decays. optax's `lion` and lion-pytorch
//! apply the decay first, p ← p (1 − γλ), then the sign step, which is the
//! same update. Every update has size γ per coordinate, whatever the
//! gradient's scale: Lion moves even on a flat region while m ≠ 0.

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};
use super::ops::sign;

crate::hyperparameters! {
    /// Lion's hyperparameters (Chen et al. 2023; the lion-pytorch package's defaults).
    pub struct Lion {
        lr: float = 1e-4, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "interpolation between momentum and gradient for the update's sign";
        beta2: float = 0.99, UnitHalfOpen, "decay of the momentum";
        weight_decay: float = 0.0, NonNegative, "decoupled weight decay: p ← p − lr·weight_decay·p";
    }
}

impl Validate for Lion {}

/// Updates done so far.
#[derive(Clone, Copy, Debug, Default)]
pub struct LionScalars {
    pub step: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct LionCoefs {
    lr: f64,
    beta1: f64,
    beta2: f64,
    weight_decay: f64,
}

impl ElementWise for Lion {
    type Scalars = LionScalars;
    type Coefs = LionCoefs;

    /// The momentum m.
    fn buffers(&self) -> usize {
        1
    }

    fn begin(&self, state: &mut LionScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> LionCoefs {
        state.step += 1;
        LionCoefs { lr, beta1: self.beta1, beta2: self.beta2, weight_decay: self.weight_decay }
    }

    fn pass(c: &LionCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [m, ..] = buffers else { unreachable!("one buffer") };
        let (b1, c1, b2, c2) = (c.beta1, 1.0 - c.beta1, c.beta2, 1.0 - c.beta2);
        let (lr, wd) = (c.lr, c.weight_decay);
        params.iter_mut().zip(grad).zip(m.iter_mut()).for_each(|((p, &g), m)| {
            let c = b1 * *m + c1 * g;
            *p -= lr * (sign(c) + wd * *p);
            *m = b2 * *m + c2 * g;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    /// Three updates of the paper's rule worked out by hand. β₁ = 1/2, β₂ = 3/4,
    /// γ = 1/4, λ = 1/2: every number is a short binary fraction, so the
    /// arithmetic is exact and the comparison is `==`.
    #[test]
    fn three_hand_computed_steps_with_weight_decay() {
        let lion = Lion { lr: 0.25, beta1: 0.5, beta2: 0.75, weight_decay: 0.5 };
        let mut s = ElementState::new();
        let mut p = array![1.0, -2.0, 0.5];

        // Step 1, g = (2, −4, 0), m = 0:
        //   c = ½·0 + ½·g = (1, −2, 0), sign(c) = (1, −1, 0)
        //   p₀ = 1 − ¼(1 + ½·1)        = 1 − 0.375     = 0.625
        //   p₁ = −2 − ¼(−1 + ½·(−2))   = −2 + 0.5      = −1.5
        //   p₂ = ½ − ¼(0 + ½·½)        = ½ − 0.0625    = 0.4375   (sign 0: only the decay)
        //   m = ¾·0 + ¼·g = (0.5, −1, 0)
        s.step(&lion, p.view_mut(), array![2.0, -4.0, 0.0].view(), 0.25);
        assert_eq!(p, array![0.625, -1.5, 0.4375]);
        assert_eq!(s.buffers[0], vec![0.5, -1.0, 0.0]);

        // Step 2, g = (−1, −4, 1):
        //   c = ½(0.5, −1, 0) + ½(−1, −4, 1) = (−0.25, −2.5, 0.5), sign(c) = (−1, −1, 1)
        //   p₀ = 0.625 − ¼(−1 + 0.3125)    = 0.625 + 0.171875  = 0.796875
        //   p₁ = −1.5 − ¼(−1 − 0.75)       = −1.5 + 0.4375     = −1.0625
        //   p₂ = 0.4375 − ¼(1 + 0.21875)   = 0.4375 − 0.3046875 = 0.1328125
        //   m = ¾(0.5, −1, 0) + ¼(−1, −4, 1) = (0.125, −1.75, 0.25)
        s.step(&lion, p.view_mut(), array![-1.0, -4.0, 1.0].view(), 0.25);
        assert_eq!(p, array![0.796875, -1.0625, 0.1328125]);
        assert_eq!(s.buffers[0], vec![0.125, -1.75, 0.25]);

        // Step 3, g = (−0.5, 8, 0): the momentum alone moves p₂ although g₂ = 0.
        //   c = ½(0.125, −1.75, 0.25) + ½(−0.5, 8, 0) = (−0.1875, 3.125, 0.125), sign(c) = (−1, 1, 1)
        //   p₀ = 0.796875 − ¼(−1 + 0.3984375)  = 0.796875 + 0.150390625  = 0.947265625
        //   p₁ = −1.0625 − ¼(1 − 0.53125)      = −1.0625 − 0.1171875     = −1.1796875
        //   p₂ = 0.1328125 − ¼(1 + 0.06640625) = 0.1328125 − 0.2666015625 = −0.1337890625
        //   m = ¾(0.125, −1.75, 0.25) + ¼(−0.5, 8, 0) = (−0.03125, 0.6875, 0.1875)
        s.step(&lion, p.view_mut(), array![-0.5, 8.0, 0.0].view(), 0.25);
        assert_eq!(p, array![0.947265625, -1.1796875, -0.1337890625]);
        assert_eq!(s.buffers[0], vec![-0.03125, 0.6875, 0.1875]);
        assert_eq!(s.scalars.step, 3);
    }

    /// With the defaults and no decay every coordinate moves by exactly γ
    /// against the sign of c, whatever the gradient's scale.
    #[test]
    fn step_size_does_not_depend_on_the_gradient_scale() {
        let lion = Lion::default();
        let mut s = ElementState::new();
        let mut p = array![0.0, 0.0, 0.0];
        s.step(&lion, p.view_mut(), array![1e-12, -1e12, 0.0].view(), 1e-3);
        assert_eq!(p, array![-1e-3, 1e-3, 0.0]);
        // m = 0.01 g; c = 0.9 m + 0.1 g has g's sign again.
        s.step(&lion, p.view_mut(), array![1e-12, -1e12, 0.0].view(), 1e-3);
        assert_eq!(p, array![-2e-3, 2e-3, 0.0]);
        // A gradient against a small momentum: c = 0.9·0.0199 − 0.1·1 < 0 flips the sign.
        let m0 = s.buffers[0][0];
        assert!((m0 - 0.0199e-12).abs() < 1e-27);
        s.step(&lion, p.view_mut(), array![-1e-12, 0.0, 0.0].view(), 1e-3);
        assert!((p[0] - -1e-3).abs() < 1e-18);
    }
}
