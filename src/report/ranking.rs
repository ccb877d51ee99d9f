//! The ranking table: one row per run label (an `[[optimizer]]` entry, or one
//! sweep value of it), aggregated over seeds.
//!
//! Ranking rule: by median final loss (a diverged run counts as +∞), then by
//! success rate (higher first), then by median steps to target. Final losses
//! within 10⁻¹² of the starting gap of a known minimum count as solved and
//! equal, so the race between optimizers that all reach the minimum is decided
//! by how fast they got there, not by rounding noise. When the
//! scenario stops runs at the target (`stop_at_target`), final losses only say
//! "at or below the target", so the order is success rate, median steps to
//! target, then median final loss. Rows equal on every key share a rank
//! (competition ranking: 1, 2, 2, 4).

use super::results::ResultSet;
use super::stats::{Quartiles, cmp_keys, competition_ranks, median, quartiles, rate};
use crate::engine::Status;
use crate::optim::{Hyper, OptimizerKind};
use crate::scenario::RankBy;

/// How rows are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankRule {
    /// Median final loss, success rate, median steps to target.
    FinalLoss,
    /// Success rate, median steps to target, median final loss.
    StepsToTarget,
    /// Median final validation loss, then median final loss (`rank_by = "val_loss"`).
    ValLoss,
    /// Median final validation accuracy (highest first), then median final
    /// validation loss (`rank_by = "val_accuracy"`).
    ValAccuracy,
}

impl RankRule {
    pub fn describe(self) -> &'static str {
        match self {
            RankRule::FinalLoss => {
                "by median final loss (a diverged run counts as +∞; a gap to the minimum below 10⁻¹² of the \
                 starting gap counts as solved, and solved rows tie), then success rate, then median steps to target"
            }
            RankRule::StepsToTarget => {
                "by success rate, then median steps to target, then median final loss (runs stop at the target)"
            }
            RankRule::ValLoss => {
                "by median final validation loss (rank_by = \"val_loss\"; a diverged run counts as +∞), then median \
                 final loss"
            }
            RankRule::ValAccuracy => {
                "by median final validation accuracy, highest first (rank_by = \"val_accuracy\"; a diverged run \
                 counts as 0), then median final validation loss"
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
        let rule = match results.scenario.rank_by {
            RankBy::ValLoss => RankRule::ValLoss,
            RankBy::ValAccuracy => RankRule::ValAccuracy,
            RankBy::Loss if results.scenario.stop.stop_at_target => RankRule::StepsToTarget,
            RankBy::Loss => RankRule::FinalLoss,
        };
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
        let mut val_keys: Vec<(f64, f64)> = Vec::with_capacity(groups.len());
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
            // For ranking, a diverged (or unevaluated) run has the worst validation figures.
            let ok = |r: &&super::results::RunResult| !matches!(r.summary.status, Status::Diverged { .. });
            let worst_loss: Vec<f64> = runs
                .iter()
                .map(|r| r.summary.final_val_loss.filter(|v| v.is_finite() && ok(r)).unwrap_or(f64::INFINITY))
                .collect();
            let worst_acc: Vec<f64> = runs
                .iter()
                .map(|r| r.summary.final_val_accuracy.filter(|v| v.is_finite() && ok(r)).unwrap_or(0.0))
                .collect();
            val_keys.push((median(&worst_loss).unwrap_or(f64::INFINITY), median(&worst_acc).unwrap_or(0.0)));
            let wall: Vec<f64> = runs.iter().map(|r| r.summary.wall_ms).collect();
            g.wall_ms = median(&wall).unwrap_or(f64::NAN);
        }
        let f_star = super::test_function(&results.scenario).and_then(|f| f.min_value());
        let solved = results.solved_gap(f_star);
        let keys: Vec<[f64; 3]> = groups
            .iter()
            .zip(&val_keys)
            .map(|(g, &(val_loss, val_acc))| {
                let success = -g.success_rate(has_target).unwrap_or(0.0);
                let steps = g.steps_to_target.unwrap_or(f64::INFINITY);
                let gap = (g.final_loss.median - f_star.unwrap_or(0.0)).max(solved);
                match rule {
                    RankRule::FinalLoss => [gap, success, steps],
                    RankRule::StepsToTarget => [success, steps, gap],
                    RankRule::ValLoss => [val_loss, gap, success],
                    RankRule::ValAccuracy => [-val_acc, val_loss, gap],
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::report::fixtures::{FixtureRun, write_folder};

    pub const FOUR: &str = r#"
name = "Known"
seeds = 4
steps = 10
[objective]
kind = "rosenbrock"
[stop]
target_loss = 0.5
[[optimizer]]
kind = "sgd"
label = "A"
[[optimizer]]
kind = "sgd"
label = "B"
[[optimizer]]
kind = "sgd"
label = "C"
[[optimizer]]
kind = "sgd"
label = "D"
"#;

    /// A: finals 1..4, two successes; B: finals 4..1, three successes; C: two
    /// diverged; D: the same figures as A.
    pub fn four_runs() -> Vec<FixtureRun> {
        let mut runs = Vec::new();
        for (seed, f) in [1.0, 2.0, 3.0, 4.0].into_iter().enumerate() {
            let r = FixtureRun::new("A", seed as u64, f);
            runs.push(match seed {
                0 => r.target(5),
                1 => r.target(7),
                _ => r,
            });
        }
        for (seed, f) in [4.0, 3.0, 2.0, 1.0].into_iter().enumerate() {
            let r = FixtureRun::new("B", seed as u64, f);
            runs.push(match seed {
                0 => r.target(5),
                1 => r.target(6),
                2 => r.target(8),
                _ => r,
            });
        }
        runs.push(FixtureRun::new("C", 0, 0.1));
        runs.push(FixtureRun::new("C", 1, 1e9).diverged(3));
        runs.push(FixtureRun::new("C", 2, f64::NAN).diverged(2));
        runs.push(FixtureRun::new("C", 3, 0.2));
        for (seed, f) in [1.0, 2.0, 3.0, 4.0].into_iter().enumerate() {
            let r = FixtureRun::new("D", seed as u64, f);
            runs.push(match seed {
                0 => r.target(5),
                1 => r.target(7),
                _ => r,
            });
        }
        runs
    }

    #[test]
    fn medians_quartiles_success_and_tied_ranks_from_known_results() {
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), FOUR, &four_runs());
        let results = ResultSet::read(dir.path()).unwrap();
        let ranking = Ranking::new(&results);
        assert_eq!(ranking.rule, RankRule::FinalLoss);
        let by = |l: &str| ranking.groups.iter().find(|g| g.label == l).unwrap();
        let (a, b, c, d) = (by("A"), by("B"), by("C"), by("D"));
        assert_eq!((a.final_loss.q1, a.final_loss.median, a.final_loss.q3), (1.75, 2.5, 3.25));
        assert_eq!(b.final_loss, a.final_loss);
        assert_eq!((a.successes, a.steps_to_target), (2, Some(6.0)));
        assert_eq!((b.successes, b.steps_to_target), (3, Some(6.0)));
        assert_eq!(b.success_rate(true), Some(0.75));
        assert_eq!(a.success_rate(false), None);
        // C: [0.1, 0.2, ∞, ∞]: Q1 = 0.1 + 0.75·0.1, the median and Q3 are infinite.
        assert!((c.final_loss.q1 - 0.175).abs() < 1e-12);
        assert_eq!((c.final_loss.median, c.final_loss.q3), (f64::INFINITY, f64::INFINITY));
        assert_eq!((c.diverged, c.successes, c.steps_to_target), (2, 0, None));
        // Best losses [0.1, 0.2, 10, 10]: median 5.1.
        assert!((c.best_loss - 5.1).abs() < 1e-12);
        // B beats A on success rate; A and D tie on every key and share rank 2; C comes 4th.
        assert_eq!((b.rank, a.rank, d.rank, c.rank), (1, 2, 2, 4));
        let order: Vec<&str> = ranking.order().iter().map(|&i| ranking.groups[i].label.as_str()).collect();
        assert_eq!(order, ["B", "A", "D", "C"]);
        assert_eq!(ranking.winner().map(|g| g.label.as_str()), Some("B"));
    }

    #[test]
    fn solved_runs_tie_on_loss_and_are_ranked_by_speed() {
        let scenario = "name = \"S\"\n[objective]\nkind = \"rosenbrock\"\n[stop]\ntarget_loss = 1e-8\n\
                        [[optimizer]]\nkind = \"sgd\"\nlabel = \"Slow\"\n[[optimizer]]\nkind = \"sgd\"\n\
                        label = \"Fast\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"Near\"\n";
        // Starting gap 10: below 1e-11 is solved. Slow ends lower, but both are solved.
        let runs = vec![
            FixtureRun::new("Slow", 0, 1e-30).target(900),
            FixtureRun::new("Fast", 0, 1e-20).target(100),
            FixtureRun::new("Near", 0, 1e-9),
        ];
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), scenario, &runs);
        let ranking = Ranking::new(&ResultSet::read(dir.path()).unwrap());
        assert_eq!(ranking.groups.iter().map(|g| g.rank).collect::<Vec<_>>(), [2, 1, 3]);
    }

    #[test]
    fn rank_by_orders_by_validation_loss_or_accuracy() {
        let scenario = |rank_by: &str| {
            format!(
                "name = \"V\"\nseeds = 2\nrank_by = \"{rank_by}\"\n[objective]\nkind = \"logistic\"\n\
                 [objective.dataset]\nbuiltin = \"moons\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"Fits\"\n\
                 [[optimizer]]\nkind = \"sgd\"\nlabel = \"Generalises\"\n[[optimizer]]\nkind = \"sgd\"\n\
                 label = \"Accurate\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"Blew up\"\n"
            )
        };
        // Fits: lowest training loss, worst validation. Generalises: lowest validation
        // loss. Accurate: the most accurate, with a middling validation loss. Blew up:
        // one seed diverged, the other looked perfect.
        let runs = || {
            vec![
                FixtureRun::new("Fits", 0, 0.01).validation(0.9, 0.70),
                FixtureRun::new("Fits", 1, 0.02).validation(0.8, 0.72),
                FixtureRun::new("Generalises", 0, 0.20).validation(0.20, 0.88),
                FixtureRun::new("Generalises", 1, 0.22).validation(0.22, 0.86),
                FixtureRun::new("Accurate", 0, 0.30).validation(0.30, 0.93),
                FixtureRun::new("Accurate", 1, 0.31).validation(0.32, 0.91),
                FixtureRun::new("Blew up", 0, 0.05).validation(0.01, 0.99),
                FixtureRun::new("Blew up", 1, 1e9).validation(0.01, 0.99).diverged(3),
            ]
        };
        let ranks = |rank_by: &str| {
            let dir = tempfile::tempdir().unwrap();
            write_folder(dir.path(), &scenario(rank_by), &runs());
            let ranking = Ranking::new(&ResultSet::read(dir.path()).unwrap());
            (ranking.rule, ranking.groups.iter().map(|g| g.rank).collect::<Vec<_>>())
        };
        // Training loss: the diverged seed makes Blew up's median +∞.
        assert_eq!(ranks("loss"), (RankRule::FinalLoss, vec![1, 2, 3, 4]));
        assert_eq!(ranks("val_loss"), (RankRule::ValLoss, vec![3, 1, 2, 4]));
        assert_eq!(ranks("val_accuracy"), (RankRule::ValAccuracy, vec![3, 2, 1, 4]));
        // A function has no validation split: the scenario says so where the key is.
        let bad =
            "name = \"F\"\nrank_by = \"val_loss\"\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"sgd\"\n";
        let e = crate::scenario::Scenario::parse(bad, crate::scenario::Origin::Bundled("t")).unwrap_err().to_string();
        assert!(e.contains(":2:11: key `rank_by`: `val_loss` needs a model with a validation split"), "{e}");
        let bad = bad.replace("val_loss", "accuracy");
        let e = crate::scenario::Scenario::parse(&bad, crate::scenario::Origin::Bundled("t")).unwrap_err().to_string();
        assert!(e.contains("key `rank_by`: `accuracy` is not one of loss, val_loss, val_accuracy"), "{e}");
    }

    #[test]
    fn stopping_at_the_target_ranks_by_success_first() {
        let two = |stop_at_target: bool| {
            format!(
                "name = \"Two\"\nseeds = 2\n[objective]\nkind = \"rosenbrock\"\n[stop]\ntarget_loss = 0.5\n\
                 stop_at_target = {stop_at_target}\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"X\"\n\
                 [[optimizer]]\nkind = \"sgd\"\nlabel = \"Y\"\n"
            )
        };
        let runs = || {
            vec![
                // X ends lower but reached the target once; Y reached it every time.
                FixtureRun::new("X", 0, 0.2).target(8),
                FixtureRun::new("X", 1, 0.3),
                FixtureRun::new("Y", 0, 0.4).target(9),
                FixtureRun::new("Y", 1, 0.45).target(3),
            ]
        };
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), &two(true), &runs());
        let ranking = Ranking::new(&ResultSet::read(dir.path()).unwrap());
        assert_eq!(ranking.rule, RankRule::StepsToTarget);
        assert_eq!(ranking.groups.iter().map(|g| g.rank).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(ranking.groups[1].steps_to_target, Some(6.0));

        // Without stopping, the final loss decides.
        write_folder(dir.path(), &two(false), &runs());
        let ranking = Ranking::new(&ResultSet::read(dir.path()).unwrap());
        assert_eq!(ranking.rule, RankRule::FinalLoss);
        assert_eq!(ranking.groups.iter().map(|g| g.rank).collect::<Vec<_>>(), [1, 2]);
    }
}
