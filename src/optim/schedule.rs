//! Learning-rate schedules: the closed forms of `torch.optim.lr_scheduler`.
//!
//! `t` is the number of updates done so far; the rate of the next update is
//!
//! ```text
//! constant     lr
//! step         lr · γ^⌊t / step_size⌋                       (StepLR, γ = 0.1)
//! exponential  lr · γ^t                                     (ExponentialLR)
//! cosine       η_min + (lr − η_min) · (1 + cos(π t / T)) / 2 (CosineAnnealingLR, T = steps)
//! ```
//!
//! and any schedule with `warmup = N` is multiplied by (t + 1) / N while t < N
//! (a linear warm-up: `LinearLR(start_factor = 1/N, total_iters = N − 1)` chained
//! with it; checked against torch in `tools/gen_torch_refs.py`).
//! Cosine uses PyTorch's closed form, which is periodic past `t_max`, as
//! `_get_closed_form_lr` is.

use std::f64::consts::PI;

#[derive(Clone, Debug, PartialEq)]
pub enum ScheduleKind {
    Constant,
    Step { step_size: u64, gamma: f64 },
    Exponential { gamma: f64 },
    Cosine { t_max: u64, eta_min: f64 },
}

impl ScheduleKind {
    pub const NAMES: [&'static str; 4] = ["constant", "step", "exponential", "cosine"];

    pub fn name(&self) -> &'static str {
        match self {
            ScheduleKind::Constant => "constant",
            ScheduleKind::Step { .. } => "step",
            ScheduleKind::Exponential { .. } => "exponential",
            ScheduleKind::Cosine { .. } => "cosine",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    pub kind: ScheduleKind,
    /// Linear warm-up over this many updates (0: none).
    pub warmup: u64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { kind: ScheduleKind::Constant, warmup: 0 }
    }
}

impl Schedule {
    pub fn constant() -> Self {
        Schedule::default()
    }

    pub fn is_constant(&self) -> bool {
        self.kind == ScheduleKind::Constant && self.warmup == 0
    }

    /// The learning rate of update t + 1 for the base rate `base`.
    pub fn lr(&self, base: f64, t: u64) -> f64 {
        let scheduled = match self.kind {
            ScheduleKind::Constant => base,
            ScheduleKind::Step { step_size, gamma } => base * powi(gamma, t / step_size.max(1)),
            ScheduleKind::Exponential { gamma } => base * powi(gamma, t),
            ScheduleKind::Cosine { t_max, eta_min } => {
                let t_max = t_max.max(1) as f64;
                eta_min + (base - eta_min) * (1.0 + (PI * t as f64 / t_max).cos()) / 2.0
            }
        };
        if t < self.warmup { scheduled * (t + 1) as f64 / self.warmup as f64 } else { scheduled }
    }

    /// lr(t) / lr(0 without warm-up): the multiplier applied to the base rate.
    pub fn factor(&self, base: f64, t: u64) -> f64 {
        self.lr(base, t) / base
    }
}

fn powi(x: f64, n: u64) -> f64 {
    // `powi` takes an i32; schedules may run past 2^31 updates.
    if n <= i32::MAX as u64 { x.powi(n as i32) } else { x.powf(n as f64) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn step_decays_every_step_size() {
        let s = Schedule { kind: ScheduleKind::Step { step_size: 10, gamma: 0.1 }, warmup: 0 };
        assert_eq!(s.lr(1.0, 9), 1.0);
        assert!((s.lr(1.0, 10) - 0.1).abs() < 1e-15);
        assert!((s.lr(1.0, 25) - 0.01).abs() < 1e-15);
    }

    #[test]
    fn cosine_reaches_eta_min_at_t_max() {
        let s = Schedule { kind: ScheduleKind::Cosine { t_max: 100, eta_min: 0.01 }, warmup: 0 };
        assert_eq!(s.lr(0.5, 0), 0.5);
        assert!((s.lr(0.5, 50) - (0.01 + 0.49 / 2.0)).abs() < 1e-15);
        assert!((s.lr(0.5, 100) - 0.01).abs() < 1e-15);
    }

    #[test]
    fn warmup_is_linear() {
        let s = Schedule { kind: ScheduleKind::Constant, warmup: 4 };
        let lrs: Vec<f64> = (0..6).map(|t| s.lr(2.0, t)).collect();
        assert_eq!(lrs, vec![0.5, 1.0, 1.5, 2.0, 2.0, 2.0]);
    }

    proptest! {
        #[test]
        fn factor_at_zero_is_one_without_warmup(
            base in 1e-6f64..10.0, gamma in 0.01f64..1.0, size in 1u64..100, t_max in 1u64..10_000,
        ) {
            for kind in [
                ScheduleKind::Constant,
                ScheduleKind::Step { step_size: size, gamma },
                ScheduleKind::Exponential { gamma },
                ScheduleKind::Cosine { t_max, eta_min: 0.0 },
            ] {
                let s = Schedule { kind, warmup: 0 };
                prop_assert!((s.factor(base, 0) - 1.0).abs() < 1e-12);
            }
        }

        #[test]
        fn factor_at_zero_with_warmup_is_one_over_n(base in 1e-6f64..10.0, n in 1u64..1000) {
            let s = Schedule { kind: ScheduleKind::Exponential { gamma: 0.99 }, warmup: n };
            prop_assert!((s.factor(base, 0) - 1.0 / n as f64).abs() < 1e-12);
        }
    }
}
