//! Schedule-Free SGD (Defazio et al. 2024; `schedulefree.SGDScheduleFree`).
//!
//! SGD without a schedule: the iterate users evaluate is an average x of the
//! base iterates z, and the gradient is taken at y = (1 − β) z + β x (see
//! `schedule_free.rs` for the weights c and the warmed-up rate γ). With g the
//! gradient at y and λ the weight decay:
//!
//! ```text
//! d ← g + λ y
//! y ← y + c (z − y) + γ (β (1 − c) − 1) d          (torch.lerp, then the step)
//! z ← z − γ d
//! x = y + (1 − 1/β)(z − y)                          (reported; the package's eval())
//! ```
//!
//! Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less
//! Scheduled", NeurIPS 2024. Defaults are the package's (1.4): lr 1.0,
//! momentum β 0.9, weight decay 0, no warmup, r 0, weight_lr_power 2.
//! optlab reports the loss (and the parameters of steps.csv) at x and takes
//! gradients at y, as the package's train/eval modes do.
//!
//! `averaging = false` is optlab's addition (default true, the package): it
//! replaces the growing average, c = w_k / Σ w, by the constant c = 1 − β, so
//! that x is an exponential average of z. Then, as the paper's analysis of
//! averaging as momentum shows, y follows SGD with Nesterov momentum β and
//! learning rate γ (1 − β) exactly:
//! y_{t+1} − y_t = β (y_t − y_{t−1}) − γ (1 − β) ((1 + β) g_t − β g_{t−1}),
//! which `torch.optim.SGD(nesterov = True)` computes (checked by a test).
//! The package's `momentum` must lie strictly between 0 and 1, as here.

use super::Validate;
use super::schedule_free::{Averaging, ScheduleFreeRule, Weights};

crate::hyperparameters! {
    /// Schedule-Free SGD's hyperparameters (`schedulefree.SGDScheduleFree`).
    pub struct ScheduleFreeSgd {
        lr: float = 1.0, Positive, "learning rate";
        momentum: float = 0.9, UnitOpen, "interpolation: gradients are taken at (1 − momentum) z + momentum x";
        weight_decay: float = 0.0, NonNegative, "L2 penalty added to the gradient, taken at y";
        warmup_steps: int = 0, NonNegativeInteger, "updates of linear learning-rate warmup";
        r: float = 0.0, NonNegative, "polynomial weighting of the average: weight (k+1)^r";
        weight_lr_power: float = 2.0, NonNegative, "the average weights the iterates by lr_max to this power";
        averaging: bool = true, Bool, "average the iterates (false: x is an exponential average of z, y is Nesterov SGD)";
    }
}

impl Validate for ScheduleFreeSgd {}

#[derive(Clone, Copy, Debug)]
pub struct SgdCoefs {
    weight_decay: f64,
}

impl ScheduleFreeRule for ScheduleFreeSgd {
    type Coefs = SgdCoefs;
    const SECOND_MOMENT: bool = false;

    fn beta(&self) -> f64 {
        self.momentum
    }

    fn begin(&self, averaging: &mut Averaging, lr: f64) -> (Weights, SgdCoefs) {
        let mut w = averaging.next(lr, self.warmup_steps, self.r, self.weight_lr_power);
        if !self.averaging {
            w.ckp1 = 1.0 - self.momentum;
        }
        (w, SgdCoefs { weight_decay: self.weight_decay })
    }

    #[inline(always)]
    fn direction(c: &SgdCoefs, g: f64, y: f64, _v: &mut f64) -> f64 {
        if c.weight_decay != 0.0 { g + c.weight_decay * y } else { g }
    }
}

#[cfg(test)]
mod tests {
    use crate::optim::{Layout, OptimizerKind};
    use ndarray::array;

    #[test]
    fn x_is_the_running_average_of_z_with_a_constant_rate() {
        // f = y²/2 with r = 0 and a constant γ: x_k is the plain mean of z_1..z_k,
        // and z_k = z_{k−1} − γ y_{k−1}.
        let mut opt = OptimizerKind::ScheduleFreeSgd.build_for(&Layout::vector(1));
        let mut y = array![1.0];
        let mut z = 1.0;
        let mut zs = Vec::new();
        for _ in 0..5 {
            z -= 0.1 * y[0];
            let g = y.clone();
            opt.step(y.view_mut(), g.view(), 0.1);
            zs.push(z);
        }
        let x = opt.reported_point().expect("x")[0];
        let mean = zs.iter().sum::<f64>() / zs.len() as f64;
        assert!((x - mean).abs() < 1e-14, "{x} vs {mean}");
    }
}
