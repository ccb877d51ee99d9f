//! Averaged stochastic gradient descent (`torch.optim.ASGD`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ (`lambd`) the
//! decay term, α the power of the rate's decay, t₀ the step averaging starts
//! at, wd the weight decay and t the step count (from 1):
//!
//! ```text
//! g ← g + wd p
//! p ← p (1 − λ η) − η g               (η starts at γ)
//! a ← a + μ (p − a)   if μ ≠ 1,  a ← p  otherwise      (μ starts at 1)
//! η ← γ / (1 + λ γ t)^α
//! μ ← 1 / max(1, t − t₀)
//! ```
//!
//! Polyak & Juditsky, "Acceleration of Stochastic Approximation by Averaging",
//! SIAM J. Control Optim. 1992; the rate schedule is Bottou's (Xu 2011,
//! "Towards Optimal One Pass Large Scale Learning with Averaged SGD").
//! Defaults are PyTorch's: lr 1e-2, λ 1e-4, α 0.75, t₀ 1e6, weight decay 0.
//!
//! As in PyTorch, η and μ of an update were computed at the end of the
//! previous one, from the rate of that update: a schedule or a changed lr acts
//! on the rate one update late. The average `a` is kept as PyTorch keeps it
//! (`state["ax"]`) but, as there, the run's parameters are the SGD iterates p,
//! not the average (with the default t₀ = 1e6 averaging never starts in a
//! usual run).

use super::Validate;
use super::elementwise::{Buffers, ElementWise, MAX_BUFFERS};

crate::hyperparameters! {
    /// `torch.optim.ASGD`'s hyperparameters.
    pub struct Asgd {
        lr: float = 1e-2, Positive, "learning rate (read into η at the end of each update)";
        lambd: float = 1e-4, NonNegative, "decay term: p ← p (1 − lambd·η), and η's decay";
        alpha: float = 0.75, NonNegative, "power of η's decay: η = lr / (1 + lambd·lr·t)^alpha";
        t0: float = 1e6, NonNegative, "the update averaging starts at";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient";
    }
}

impl Validate for Asgd {}

/// ASGD's scalar state, as PyTorch's `step`, `eta` and `mu`.
#[derive(Clone, Copy, Debug, Default)]
pub struct AsgdScalars {
    /// Updates done so far.
    pub step: u64,
    /// The rate of the next update (set to lr at the first).
    pub eta: f64,
    /// The averaging weight of the next update (1 at the first).
    pub mu: f64,
}

#[derive(Clone, Copy, Debug)]
pub struct AsgdCoefs {
    decay: f64,
    neg_eta: f64,
    mu: f64,
    weight_decay: f64,
}

impl ElementWise for Asgd {
    type Scalars = AsgdScalars;
    type Coefs = AsgdCoefs;

    /// The average a (`ax`).
    fn buffers(&self) -> usize {
        1
    }

    fn begin(&self, s: &mut AsgdScalars, lr: f64, _: [bool; MAX_BUFFERS]) -> AsgdCoefs {
        if s.step == 0 {
            // PyTorch creates η = lr and μ = 1 with the state, at the first update.
            s.eta = lr;
            s.mu = 1.0;
        }
        s.step += 1;
        let c =
            AsgdCoefs { decay: 1.0 - self.lambd * s.eta, neg_eta: -s.eta, mu: s.mu, weight_decay: self.weight_decay };
        let t = s.step as f64;
        s.eta = lr / (1.0 + self.lambd * lr * t).powf(self.alpha);
        s.mu = 1.0 / (t - self.t0).max(1.0);
        c
    }

    fn pass(c: &AsgdCoefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>) {
        let [ax, ..] = buffers else { unreachable!("one buffer") };
        let (decay, neg_eta, mu, wd) = (c.decay, c.neg_eta, c.mu, c.weight_decay);
        let zip = params.iter_mut().zip(grad).zip(ax.iter_mut());
        if mu != 1.0 {
            zip.for_each(|((p, &g), a)| {
                let g = g + wd * *p;
                *p = *p * decay + neg_eta * g;
                *a += (*p - *a) * mu;
            });
        } else {
            zip.for_each(|((p, &g), a)| {
                let g = g + wd * *p;
                *p = *p * decay + neg_eta * g;
                *a = *p;
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
    fn hand_computed_steps_with_averaging_from_the_start() {
        // λ = 0.5, α = 1, t₀ = 0, γ = 0.1: η₁ = 0.1, μ₁ = 1.
        let a = Asgd { lambd: 0.5, alpha: 1.0, t0: 0.0, ..Asgd::default() };
        let mut s = ElementState::new();
        let mut p = array![1.0];
        s.step(&a, p.view_mut(), array![2.0].view(), 0.1);
        // p = 1 (1 − 0.05) − 0.1·2 = 0.75; a = p (μ = 1).
        assert!((p[0] - 0.75).abs() < 1e-15);
        assert_eq!(s.buffers[0][0], p[0]);
        // η₂ = 0.1 / (1 + 0.05) , μ₂ = 1 / max(1, 1 − 0) = 1.
        assert!((s.scalars.eta - 0.1 / 1.05).abs() < 1e-15);
        s.step(&a, p.view_mut(), array![1.0].view(), 0.1);
        let eta = 0.1 / 1.05;
        assert!((p[0] - (0.75 * (1.0 - 0.5 * eta) - eta)).abs() < 1e-15);
        // μ₃ = 1 / (2 − 0) = 0.5: the next average is the mean of a and p.
        assert_eq!(s.scalars.mu, 0.5);
    }
}
