//! Schedule-Free AdamW (Defazio et al. 2024; `schedulefree.AdamWScheduleFree`).
//!
//! No learning-rate schedule: the iterate users evaluate is an average x of
//! the base iterates z, and the gradient is taken at y, between them (see
//! `schedule_free.rs` for the weights c and the warmed-up rate γ). With g the
//! gradient at y, λ the weight decay and k the updates done so far:
//!
//! ```text
//! v ← β₂ v + (1 − β₂) g²
//! d ← g / (√(v / (1 − β₂^(k+1))) + ε) + λ y        (decay taken at y)
//! y ← y + c (z − y) + γ (β₁ (1 − c) − 1) d         (torch.lerp, then the step)
//! z ← z − γ d
//! x = y + (1 − 1/β₁)(z − y)                         (reported; the package's eval())
//! ```
//!
//! Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less
//! Scheduled", NeurIPS 2024. Defaults are the package's (1.4): lr 0.0025,
//! β₁ 0.9, β₂ 0.999, ε 1e-8, weight decay 0, no warmup, r 0,
//! weight_lr_power 2.
//!
//! optlab reports the loss (and the parameters of steps.csv) at x, the point
//! the package's users evaluate after `optimizer.eval()`, and takes gradients
//! at y. The paper writes the method with x and z kept and y formed; the
//! package (and optlab) keeps y and z and forms x, which is the same sequence
//! up to rounding in the last bits. The average's weights are the package's:
//! γ_max^weight_lr_power with the largest warmed-up rate so far (the paper's
//! c_{t+1} = γ_t² / Σ γ_i² during warmup), times (k+1)^r. There is no first
//! moment: β₁ is the interpolation between x and z.

use super::Validate;
use super::schedule_free::{Averaging, ScheduleFreeRule, Weights};

crate::hyperparameters! {
    /// Schedule-Free AdamW's hyperparameters (`schedulefree.AdamWScheduleFree`).
    pub struct ScheduleFreeAdamW {
        lr: float = 0.0025, Positive, "learning rate";
        beta1: float = 0.9, UnitOpen, "interpolation: gradients are taken at (1 − beta1) z + beta1 x";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 0.0, NonNegative, "weight decay, taken at y and added to the normalised gradient";
        warmup_steps: int = 0, NonNegativeInteger, "updates of linear learning-rate warmup";
        r: float = 0.0, NonNegative, "polynomial weighting of the average: weight (k+1)^r";
        weight_lr_power: float = 2.0, NonNegative, "the average weights the iterates by lr_max to this power";
    }
}

impl Validate for ScheduleFreeAdamW {}

#[derive(Clone, Copy, Debug)]
pub struct AdamWCoefs {
    bias_correction2: f64,
    beta2: f64,
    one_minus_beta2: f64,
    eps: f64,
    weight_decay: f64,
}

impl ScheduleFreeRule for ScheduleFreeAdamW {
    type Coefs = AdamWCoefs;
    const SECOND_MOMENT: bool = true;

    fn beta(&self) -> f64 {
        self.beta1
    }

    fn begin(&self, averaging: &mut Averaging, lr: f64) -> (Weights, AdamWCoefs) {
        let bias_correction2 = 1.0 - self.beta2.powf((averaging.k + 1) as f64);
        let w = averaging.next(lr, self.warmup_steps, self.r, self.weight_lr_power);
        let c = AdamWCoefs {
            bias_correction2,
            beta2: self.beta2,
            one_minus_beta2: 1.0 - self.beta2,
            eps: self.eps,
            weight_decay: self.weight_decay,
        };
        (w, c)
    }

    #[inline(always)]
    fn direction(c: &AdamWCoefs, g: f64, y: f64, v: &mut f64) -> f64 {
        *v = *v * c.beta2 + c.one_minus_beta2 * g * g;
        let denom = (*v / c.bias_correction2).sqrt() + c.eps;
        // The package skips `add_(y, alpha = 0)`; adding 0·y would only turn −0 into +0.
        if c.weight_decay != 0.0 { g / denom + c.weight_decay * y } else { g / denom }
    }
}

#[cfg(test)]
mod tests {
    use crate::optim::{Layout, OptimizerKind};
    use ndarray::array;

    #[test]
    fn first_update_moves_y_by_the_normalised_step_and_x_follows_z() {
        let mut opt = OptimizerKind::ScheduleFreeAdamw.build_for(&Layout::vector(1));
        assert!(opt.reported_point().is_none());
        let mut y = array![1.0];
        opt.step(y.view_mut(), array![4.0].view(), 0.1);
        // c = 1: y = z_old + γ (0 − 1) d = 1 − γ d, z = 1 − γ d: x = y = z.
        let d = 4.0 / (4.0 + 1e-8);
        assert!((y[0] - (1.0 - 0.1 * d)).abs() < 1e-15);
        let x = opt.reported_point().expect("x after an update")[0];
        assert!((x - y[0]).abs() < 1e-15);
        // Second update: y moves towards z and the step; x lags behind y.
        opt.step(y.view_mut(), array![4.0].view(), 0.1);
        let x = opt.reported_point().expect("x")[0];
        assert!(x > y[0], "x = {x}, y = {}", y[0]);
    }
}
