//! AdamW: Adam with decoupled weight decay (`torch.optim.AdamW`).
//!
//! With the notation of `adam.rs`:
//!
//! ```text
//! p ← p (1 − γ λ)                               (decay the parameters, not the gradient)
//! m ← β₁ m + (1 − β₁) g
//! v ← β₂ v + (1 − β₂) g²
//! v̂ ← max(v̂, v)                                 (amsgrad only)
//! p ← p − γ / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
//! ```
//!
//! Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
//! Defaults are PyTorch's: those of Adam except weight decay 1e-2.
//!
//! Where libraries differ: PyTorch multiplies the decay by the *scheduled*
//! learning rate γ (the paper uses a separate schedule multiplier η_t and
//! decays by η_t λ, not γ η_t λ); optax's `adamw` and Keras follow PyTorch.
//! With weight decay 0, AdamW is exactly Adam.

use super::Validate;
use super::adam::{AdamCoefs, AdamRule, AdamScalars};
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};

crate::hyperparameters! {
    /// `torch.optim.AdamW`'s hyperparameters.
    pub struct AdamW {
        lr: float = 1e-3, Positive, "learning rate";
        beta1: float = 0.9, UnitHalfOpen, "decay of the first moment";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 1e-2, NonNegative, "decoupled weight decay: p ← p (1 − lr·weight_decay)";
        amsgrad: bool = false, Bool, "use the running maximum of the second moment";
    }
}

impl Validate for AdamW {}

impl AdamW {
    fn rule(&self) -> AdamRule {
        AdamRule {
            beta1: self.beta1,
            beta2: self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
            amsgrad: self.amsgrad,
            decoupled: true,
        }
    }
}

impl ElementWise for AdamW {
    type Scalars = AdamScalars;
    type Coefs = AdamCoefs;

    fn buffers(&self) -> usize {
        self.rule().buffers()
    }

    fn begin(&self, scalars: &mut AdamScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AdamCoefs {
        self.rule().begin(scalars, lr)
    }

    fn pass(c: &AdamCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        AdamRule::pass(c, params, grad, buffers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::ElementState;
    use ndarray::array;

    #[test]
    fn decay_is_applied_to_the_parameters_before_the_step() {
        // With g = 0 the moments stay 0 and only the decay acts: p ← p (1 − γλ).
        let w = AdamW { weight_decay: 0.5, ..AdamW::default() };
        let mut s = ElementState::new();
        let mut p = array![2.0];
        s.step(&w, p.view_mut(), array![0.0].view(), 0.1);
        assert_eq!(p[0], 2.0 * (1.0 - 0.1 * 0.5));
    }
}
