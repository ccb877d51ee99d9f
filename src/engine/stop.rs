//! When a run stops early: a target loss reached, or divergence.

#[derive(Clone, Debug, PartialEq)]
pub struct StopRule {
    /// Records `steps_to_target` (and stops the run with `stop_at_target`).
    pub target_loss: Option<f64>,
    pub stop_at_target: bool,
    /// A loss above factor · max(1, |initial loss|), or a non-finite value, is divergence.
    pub divergence_factor: f64,
}

impl Default for StopRule {
    fn default() -> Self {
        StopRule { target_loss: None, stop_at_target: false, divergence_factor: 1e6 }
    }
}

impl StopRule {
    /// Whether `loss` counts as diverged for a run that started at `initial`.
    pub fn diverged(&self, loss: f64, initial: f64) -> bool {
        !loss.is_finite() || loss > self.divergence_factor * initial.abs().max(1.0)
    }

    pub fn reached(&self, loss: f64) -> bool {
        self.target_loss.is_some_and(|t| loss <= t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divergence_is_relative_to_the_start_and_catches_nan() {
        let r = StopRule::default();
        assert!(!r.diverged(9e5, 0.5));
        assert!(r.diverged(1.1e6, 0.5));
        assert!(!r.diverged(1.9e8, 200.0));
        assert!(r.diverged(2.1e8, -200.0));
        assert!(r.diverged(f64::NAN, 1.0));
        assert!(r.diverged(f64::INFINITY, 1.0));
    }
}
