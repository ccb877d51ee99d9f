//! What a trial is judged by, and which way is better.

use crate::engine::{Status, Summary};

/// The tuning metric of the `[tune]` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Training loss after the last update (lower is better).
    FinalLoss,
    /// Lowest training loss seen (lower is better).
    BestLoss,
    /// Validation loss after the last update (models; lower is better).
    ValLoss,
    /// Validation accuracy after the last update (classifiers; higher is better).
    ValAccuracy,
    /// Updates until the loss first reached `[stop] target_loss` (lower is better;
    /// a run that never reaches it counts as failed).
    StepsToTarget,
}

impl Metric {
    pub const ALL: [Metric; 5] =
        [Metric::FinalLoss, Metric::BestLoss, Metric::ValLoss, Metric::ValAccuracy, Metric::StepsToTarget];

    pub fn name(self) -> &'static str {
        match self {
            Metric::FinalLoss => "final_loss",
            Metric::BestLoss => "best_loss",
            Metric::ValLoss => "val_loss",
            Metric::ValAccuracy => "val_accuracy",
            Metric::StepsToTarget => "steps_to_target",
        }
    }

    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether larger values are better.
    pub fn maximize(self) -> bool {
        self == Metric::ValAccuracy
    }

    /// "lower is better" or "higher is better".
    pub fn direction(self) -> &'static str {
        if self.maximize() { "higher is better" } else { "lower is better" }
    }

    /// The metric of a finished run; `None` when the run failed by this metric
    /// (diverged, a non-finite value, the target never reached, no validation set).
    pub fn of(self, summary: &Summary) -> Option<f64> {
        if matches!(summary.status, Status::Diverged { .. }) {
            return None;
        }
        let value = match self {
            Metric::FinalLoss => Some(summary.final_loss),
            Metric::BestLoss => Some(summary.best_loss),
            Metric::ValLoss => summary.final_val_loss,
            Metric::ValAccuracy => summary.final_val_accuracy,
            Metric::StepsToTarget => summary.steps_to_target.map(|s| s as f64),
        };
        value.filter(|v| v.is_finite())
    }

    /// The metric over a trial's seeds: their mean, or `None` when any seed failed
    /// (a configuration that diverges on one seed in ten is not a safe pick).
    pub fn over_seeds(self, values: &[Option<f64>]) -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        let mut sum = 0.0;
        for v in values {
            sum += (*v)?;
        }
        Some(sum / values.len() as f64)
    }

    /// The value as a cost (lower is better); failures cost +∞.
    pub fn cost(self, value: Option<f64>) -> f64 {
        match value {
            Some(v) if self.maximize() => -v,
            Some(v) => v,
            None => f64::INFINITY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(status: Status, final_loss: f64) -> Summary {
        Summary {
            status,
            steps: 10,
            final_loss,
            best_loss: final_loss / 2.0,
            best_step: 3,
            steps_to_target: Some(7),
            final_grad_norm: None,
            final_val_loss: None,
            final_val_accuracy: Some(0.8),
            diverged_at: None,
            wall_ms: 0.0,
            grad_evals: 10,
        }
    }

    #[test]
    fn metrics_read_their_column_and_diverged_runs_fail() {
        let s = summary(Status::Completed, 1.0);
        assert_eq!(Metric::FinalLoss.of(&s), Some(1.0));
        assert_eq!(Metric::BestLoss.of(&s), Some(0.5));
        assert_eq!(Metric::StepsToTarget.of(&s), Some(7.0));
        assert_eq!(Metric::ValLoss.of(&s), None);
        assert_eq!(Metric::ValAccuracy.of(&s), Some(0.8));
        assert_eq!(Metric::FinalLoss.of(&summary(Status::Diverged { step: 4 }, 1.0)), None);
        assert_eq!(Metric::FinalLoss.of(&summary(Status::Completed, f64::NAN)), None);
    }

    #[test]
    fn accuracy_is_maximised_and_failures_cost_infinity() {
        assert!(Metric::ValAccuracy.cost(Some(0.9)) < Metric::ValAccuracy.cost(Some(0.8)));
        assert!(Metric::FinalLoss.cost(Some(0.1)) < Metric::FinalLoss.cost(Some(0.2)));
        assert_eq!(Metric::FinalLoss.cost(None), f64::INFINITY);
        assert_eq!(Metric::ValAccuracy.cost(None), f64::INFINITY);
        assert_eq!(Metric::FinalLoss.over_seeds(&[Some(1.0), Some(3.0)]), Some(2.0));
        assert_eq!(Metric::FinalLoss.over_seeds(&[Some(1.0), None]), None);
        for m in Metric::ALL {
            assert_eq!(Metric::from_name(m.name()), Some(m));
        }
    }
}
