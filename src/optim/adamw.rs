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

use super::adam::{AdamRule, AdamState, adam_get_set, adam_specs};
use super::{Algorithm, Hyper, HyperSpec};
use ndarray::{ArrayView1, ArrayViewMut1};

#[derive(Clone, Debug, PartialEq)]
pub struct AdamW {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub amsgrad: bool,
}

impl Default for AdamW {
    fn default() -> Self {
        AdamW { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 1e-2, amsgrad: false }
    }
}

static SPECS: [HyperSpec; 6] = adam_specs(1e-2, "decoupled weight decay: p ← p (1 − lr·weight_decay)");

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

impl Algorithm for AdamW {
    type State = AdamState;

    fn init(&self, dim: usize) -> AdamState {
        AdamState::new(dim)
    }

    fn step(&self, state: &mut AdamState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        self.rule().step(state, params, grad, lr);
    }

    fn specs() -> &'static [HyperSpec] {
        &SPECS
    }

    adam_get_set!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn decay_is_applied_to_the_parameters_before_the_step() {
        // With g = 0 the moments stay 0 and only the decay acts: p ← p (1 − γλ).
        let w = AdamW { weight_decay: 0.5, ..AdamW::default() };
        let mut s = w.init(1);
        let mut p = array![2.0];
        w.step(&mut s, p.view_mut(), array![0.0].view(), 0.1);
        assert_eq!(p[0], 2.0 * (1.0 - 0.1 * 0.5));
    }
}
