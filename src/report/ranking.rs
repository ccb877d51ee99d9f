//! The ranking table: one row per run label (an `[[optimizer]]` entry, or one
//! sweep value of it), aggregated over seeds.
//!
//! Ranking rule: by median final loss (a diverged run counts as +∞), then by
//! success rate (higher first), then by median steps to target. When the
//! scenario stops runs at the target (`stop_at_target`), final losses only say
//! "at or below the target", so the order is success rate, median steps to
//! target, then median final loss. Rows equal on every key share a rank
//! (competition ranking: 1, 2, 2, 4).

use super::results::ResultSet;
use super::stats::{Quartiles, cmp_keys, competition_ranks, median, quartiles, rate};
use crate::engine::Status;
use crate::optim::{Hyper, OptimizerKind};

/// How rows are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankRule {
    /// Median final loss, success rate, median steps to target.
    FinalLoss,
    /// Success rate, median steps to target, median final loss.
    StepsToTarget,
}

impl RankRule {
    pub fn describe(self) -> &'static str {
        match self {
            RankRule::FinalLoss => {
                "by median final loss (a diverged run counts as +∞), then success rate, then median steps to target"
            }
            RankRule::StepsToTarget => {
                "by success rate, then median steps to target, then median final loss (runs stop at the target)"
            }
        }
    }
}

/// One row of the ranking table.
#[derive(Clone, Debug)]
pub struct GroupStats {
    pub label: String,
    pub entry: usize,
    pub kind: OptimizerKind,
    pub combination: Vec<(String, Hyper)>,
    /// Indices into [`ResultSet::runs`], one per seed.
    pub runs: Vec<usize>,
    /// Final loss over seeds; diverged runs count as +∞.
    pub final_loss: Quartiles,
    /// Median over seeds of each run's lowest loss.
    pub best_loss: f64,
    /// Median steps to target over the runs that reached it.
    pub steps_to_target: Option<f64>,
    /// Runs that reached the target.
    pub successes: usize,
    pub diverged: usize,
    /// Median final validation loss and accuracy (models).
    pub val_loss: Option<f64>,
    pub val_accuracy: Option<f64>,
    /// Median wall time of a run, in milliseconds.
    pub wall_ms: f64,
    pub rank: usize,
}

impl GroupStats {
    pub fn seeds(&self) -> usize {
        self.runs.len()
    }

    /// Fraction of seeds that reached the target (`None` without a target).
    pub fn success_rate(&self, has_target: bool) -> Option<f64> {
        if has_target { rate(self.successes, self.runs.len()) } else { None }
    }

    /// The swept value of `name`, if this row sweeps it.
    pub fn swept(&self, name: &str) -> Option<Hyper> {
        self.combination.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// Every row, in scenario order, with ranks.
#[derive(Clone, Debug)]
pub struct Ranking {
    pub groups: Vec<GroupStats>,
    pub rule: RankRule,
    pub has_target: bool,
}

impl Ranking {
    pub fn new(results: &ResultSet) -> Ranking {
        let has_target = results.scenario.stop.target_loss.is_some();
        let rule = if results.scenario.stop.stop_at_target { RankRule::StepsToTarget } else { RankRule::FinalLoss };
        let mut groups: Vec<GroupStats> = Vec::new();
        for (i, run) in results.runs.iter().enumerate() {
            match groups.iter_mut().find(|g| g.label == run.label) {
                Some(g) => g.runs.push(i),
                None => groups.push(GroupStats {
                    label: run.label.clone(),
                    entry: run.entry,
                    kind: run.kind,
                    combination: run.combination.clone(),
                    runs: vec![i],
                    final_loss: Quartiles { q1: f64::NAN, median: f64::NAN, q3: f64::NAN },
                    best_loss: f64::NAN,
                    steps_to_target: None,
                    successes: 0,
                    diverged: 0,
                    val_loss: None,
                    val_accuracy: None,
                    wall_ms: f64::NAN,
                    rank: 0,
                }),
            }
        }
        // Scenario order: by entry, then by the order the runs appear in.
        groups.sort_by_key(|g| g.entry);
        for g in &mut groups {
            let runs: Vec<_> = g.runs.iter().map(|&i| &results.runs[i]).collect();
            let finals: Vec<f64> = runs
                .iter()
                .map(|r| {
                    let diverged = matches!(r.summary.status, Status::Diverged { .. });
                    if diverged || !r.summary.final_loss.is_finite() { f64::INFINITY } else { r.summary.final_loss }
                })
                .collect();
            // Every group has at least one run, so the quartiles exist.
            if let Some(q) = quartiles(&finals) {
                g.final_loss = q;
            }
            let bests: Vec<f64> = runs.iter().map(|r| r.summary.best_loss).collect();
            g.best_loss = median(&bests).unwrap_or(f64::NAN);
            let hits: Vec<f64> = runs.iter().filter_map(|r| r.summary.steps_to_target.map(|s| s as f64)).collect();
            g.successes = hits.len();
            g.steps_to_target = median(&hits);
            g.diverged = runs.iter().filter(|r| matches!(r.summary.status, Status::Diverged { .. })).count();
            let val_loss: Vec<f64> = runs.iter().filter_map(|r| r.summary.final_val_loss).collect();
            g.val_loss = median(&val_loss);
            let val_acc: Vec<f64> = runs.iter().filter_map(|r| r.summary.final_val_accuracy).collect();
            g.val_accuracy = median(&val_acc);
            let wall: Vec<f64> = runs.iter().map(|r| r.summary.wall_ms).collect();
            g.wall_ms = median(&wall).unwrap_or(f64::NAN);
        }
        let keys: Vec<[f64; 3]> = groups
            .iter()
            .map(|g| {
                let success = -g.success_rate(has_target).unwrap_or(0.0);
                let steps = g.steps_to_target.unwrap_or(f64::INFINITY);
                match rule {
                    RankRule::FinalLoss => [g.final_loss.median, success, steps],
                    RankRule::StepsToTarget => [success, steps, g.final_loss.median],
                }
            })
            .collect();
        let ranks = competition_ranks(&keys, |a, b| cmp_keys(a, b));
        for (g, r) in groups.iter_mut().zip(ranks) {
            g.rank = r;
        }
        Ranking { groups, rule, has_target }
    }

    /// Row indices in display order: by rank, ties in scenario order.
    pub fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.groups.len()).collect();
        order.sort_by_key(|&i| self.groups[i].rank);
        order
    }

    /// The best-ranked row (the first in scenario order among ties).
    pub fn winner(&self) -> Option<&GroupStats> {
        self.order().first().map(|&i| &self.groups[i])
    }
}
