//! The tuning plan: how many trials the budget buys, how long each runs, and
//! which trials each stage runs.
//!
//! A tuning is a sequence of **stages**. Stage k's trials are a pure function of
//! the configuration and the results of stages < k ([`plan_stage`]); running
//! them and recording their results is the caller's business. Within a stage
//! trials are independent, so they can run in any order, on any number of
//! threads or machines.
//!
//! - Without halving, Sobol, random and grid run every trial in stage 0.
//! - TPE fits on results, so it runs in batches: stage 0 holds the first
//!   [`TPE_STARTUP`] trials (Sobol points), each later stage [`TPE_BATCH`]
//!   trials fitted on all before.
//! - Successive halving (Jamieson & Talwalkar 2016; `halving = { eta, min_steps }`)
//!   has rungs r = 0 … R with lengths Lᵣ = ⌊steps / ηᴿ⁻ʳ⌋ (L_R = steps,
//!   L₀ ≥ min_steps) and sizes nᵣ = max(1, ⌊n₀ / ηʳ⌋). Rung 0 runs n₀ trials
//!   (in TPE batches when the sampler is TPE); rung r runs the nᵣ best of rung
//!   r − 1 (ties to the lower trial index; failed trials are never promoted).
//!
//! **Budget.** Counted in gradient evaluations per entry. A trial of L updates
//! on s seeds costs L · s · e evaluations, e the optimizer's evaluations per
//! update ([`evals_per_update`]). A promoted trial continues where it stopped,
//! so it costs only its new updates, Lᵣ − Lᵣ₋₁. Each entry gets the most
//! trials whose total cost fits the budget, so entries spend equal budgets to
//! within one trial's cost. A trial is charged its full length even when it
//! diverges early: a failed configuration is spent budget.

use super::metric::Metric;
use super::sampler::{self, MAX_TRIALS, SamplerKind};
use super::space::{SearchSpace, Space};
use crate::optim::{Hyper, OptimizerKind};

/// Trials in TPE's first stage (Sobol points, before any model is fitted).
pub const TPE_STARTUP: usize = 16;
/// Trials per later TPE stage: each batch is fitted on all results before it.
pub const TPE_BATCH: usize = 8;
/// Tuning runs use run seeds `seed + TUNING_SEED_OFFSET + j`, so the confirm
/// runs (seeds `seed + j`, at most 10 000 of them) never see a seed tuning saw.
pub const TUNING_SEED_OFFSET: u64 = 10_000;
/// Full-length trials the default budget pays for.
pub const DEFAULT_BUDGET_TRIALS: u64 = 64;
/// Default confirm seeds.
pub const DEFAULT_CONFIRM_SEEDS: u64 = 5;

/// Gradient evaluations per update of an optimizer: the one place budgets
/// count them. Every catalog optimizer evaluates the gradient once per update.
pub fn evals_per_update(kind: OptimizerKind) -> u64 {
    match kind {
        OptimizerKind::Gd
        | OptimizerKind::Sgd
        | OptimizerKind::Adagrad
        | OptimizerKind::Rmsprop
        | OptimizerKind::Adam
        | OptimizerKind::Adamw
        | OptimizerKind::Adamax
        | OptimizerKind::Nadam
        | OptimizerKind::Radam
        | OptimizerKind::Adadelta
        | OptimizerKind::Rprop
        | OptimizerKind::Lion
        | OptimizerKind::Asgd
        | OptimizerKind::ScheduleFreeAdamw
        | OptimizerKind::ScheduleFreeSgd
        | OptimizerKind::Prodigy
        | OptimizerKind::Adopt
        | OptimizerKind::Ademamix
        | OptimizerKind::Soap => 1,
        // One update is one LBFGS.step(closure): at most max_eval = max_iter × 5/4 = 25
        // evaluations at torch's defaults. Budgets count that bound, so L-BFGS never
        // gets more than its share (it often uses fewer; trials.csv records updates).
        OptimizerKind::Lbfgs => 25,
    }
}

/// Successive halving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Halving {
    /// Keep the best 1/eta of each rung (eta >= 2).
    pub eta: u64,
    /// Updates of the shortest rung, at least.
    pub min_steps: u64,
}

/// The `[tune]` table, every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct TuneConfig {
    /// Gradient evaluations per entry.
    pub budget: u64,
    pub sampler: SamplerKind,
    pub halving: Option<Halving>,
    pub metric: Metric,
    /// Seeds each trial runs on (its metric is their mean).
    pub seeds: u64,
    /// Fresh seeds the best configuration of each entry is confirmed on.
    pub confirm_seeds: u64,
}

impl TuneConfig {
    /// The defaults for a scenario of `steps` updates.
    pub fn defaults(steps: u64) -> TuneConfig {
        TuneConfig {
            budget: DEFAULT_BUDGET_TRIALS.saturating_mul(steps),
            sampler: SamplerKind::Sobol,
            halving: None,
            metric: Metric::FinalLoss,
            seeds: 1,
            confirm_seeds: DEFAULT_CONFIRM_SEEDS,
        }
    }
}

/// One entry as the plan sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct EntrySpace {
    pub label: String,
    pub kind: OptimizerKind,
    pub space: SearchSpace,
}

/// Everything a tuning's plan depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuner {
    pub config: TuneConfig,
    pub master_seed: u64,
    /// Updates of a full-length trial (the scenario's `steps`).
    pub steps: u64,
    pub entries: Vec<EntrySpace>,
}

/// One trial to run at one rung.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub entry: usize,
    /// The trial's index within its entry.
    pub trial: usize,
    pub rung: usize,
    /// Updates the run does (from its start).
    pub updates: u64,
    /// Gradient evaluations charged to the budget at this rung (all seeds).
    pub grad_evals: u64,
    /// The point in the unit cube, one coordinate per tuned hyperparameter.
    pub point: Vec<f64>,
    /// The hyperparameters tried, in the space's order.
    pub values: Vec<(String, Hyper)>,
}

/// How a trial ended.
#[derive(Clone, Debug, PartialEq)]
pub enum TrialStatus {
    /// Every seed finished with a metric.
    Ok,
    /// A seed diverged.
    Diverged,
    /// A seed ended without the metric (target not reached, no validation set).
    NoMetric,
    /// The configuration breaks a rule across hyperparameters; not run.
    Invalid(String),
}

impl TrialStatus {
    pub fn name(&self) -> &'static str {
        match self {
            TrialStatus::Ok => "ok",
            TrialStatus::Diverged => "diverged",
            TrialStatus::NoMetric => "no_metric",
            TrialStatus::Invalid(_) => "invalid",
        }
    }
}

/// A trial and what came of it.
#[derive(Clone, Debug, PartialEq)]
pub struct TrialResult {
    pub trial: Trial,
    pub status: TrialStatus,
    /// The metric over the trial's seeds (`None` unless `status` is Ok).
    pub metric: Option<f64>,
}

/// Why no plan can be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "the budget of {budget} gradient evaluations is less than one trial of `{label}` ({cost}); raise `budget` to at least {cost}"
    )]
    BudgetTooSmall { label: String, budget: u64, cost: u64 },
    #[error("the budget buys {trials} trials of `{label}`, more than the {max} a tuning can run; lower `budget`")]
    TooManyTrials { label: String, trials: usize, max: usize },
    #[error("halving: {0}")]
    Halving(String),
    #[error("the grid of `{label}`'s choices alone has {size} points, more than the {trials} trials the budget buys")]
    GridTooLarge { label: String, size: usize, trials: usize },
}

/// An entry's fixed schedule: rung lengths and sizes, stages of rung 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Updates of each rung (the last is `steps`).
    pub lengths: Vec<u64>,
    /// Trials of each rung.
    pub sizes: Vec<usize>,
    /// Trial ranges of rung 0's stages.
    pub rung0_stages: Vec<std::ops::Range<usize>>,
    /// Gradient evaluations of one update on every tuning seed.
    pub cost_per_update: u64,
}

impl Schedule {
    /// Stages of this entry.
    pub fn stages(&self) -> usize {
        self.rung0_stages.len() + self.lengths.len() - 1
    }

    /// Gradient evaluations charged to a trial at `rung`.
    pub fn rung_cost(&self, rung: usize) -> u64 {
        let before = if rung == 0 { 0 } else { self.lengths[rung - 1] };
        (self.lengths[rung] - before) * self.cost_per_update
    }

    /// Gradient evaluations the whole schedule spends.
    pub fn total_cost(&self) -> u64 {
        (0..self.lengths.len()).map(|r| self.sizes[r] as u64 * self.rung_cost(r)).sum()
    }
}

/// Rung lengths for `steps` updates: ⌊steps / η^(R−r)⌋ for r = 0 … R, with
/// R the most rungs whose first is at least `min_steps` long.
pub fn rung_lengths(steps: u64, halving: Option<Halving>) -> Result<Vec<u64>, PlanError> {
    let Some(Halving { eta, min_steps }) = halving else { return Ok(vec![steps]) };
    if eta < 2 {
        return Err(PlanError::Halving(format!("eta must be at least 2, not {eta}")));
    }
    if min_steps == 0 || min_steps > steps {
        return Err(PlanError::Halving(format!(
            "min_steps must be in 1..={steps} (the scenario's steps), not {min_steps}"
        )));
    }
    let mut rungs = 0u32;
    while eta.checked_pow(rungs + 1).is_some_and(|p| p.saturating_mul(min_steps) <= steps) {
        rungs += 1;
    }
    Ok((0..=rungs).map(|r| steps / eta.pow(rungs - r)).collect())
}

fn rung_sizes(n0: usize, eta: u64, rungs: usize) -> Vec<usize> {
    (0..rungs)
        .map(|r| {
            let div = eta.checked_pow(r as u32).unwrap_or(u64::MAX);
            ((n0 as u64 / div) as usize).max(1)
        })
        .collect()
}

impl Tuner {
    /// The schedule of entry `e`.
    pub fn schedule(&self, e: usize) -> Result<Schedule, PlanError> {
        let entry = &self.entries[e];
        let config = &self.config;
        let lengths = rung_lengths(self.steps, config.halving)?;
        let eta = config.halving.map_or(1, |h| h.eta);
        let cost_per_update = evals_per_update(entry.kind).saturating_mul(config.seeds);
        let cost_of = |n0: usize| {
            let sizes = rung_sizes(n0, eta, lengths.len());
            let mut total = 0u64;
            let mut before = 0;
            for (len, size) in lengths.iter().zip(&sizes) {
                total =
                    total.saturating_add((len - before).saturating_mul(cost_per_update).saturating_mul(*size as u64));
                before = *len;
            }
            total
        };
        let one = cost_of(1);
        if one > config.budget {
            return Err(PlanError::BudgetTooSmall { label: entry.label.clone(), budget: config.budget, cost: one });
        }
        // The most trials that fit: cost grows with n0, so bisect.
        let (mut lo, mut hi) = (1usize, MAX_TRIALS + 1);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if cost_of(mid) <= config.budget { lo = mid } else { hi = mid }
        }
        if lo == MAX_TRIALS && cost_of(MAX_TRIALS + 1) <= config.budget {
            return Err(PlanError::TooManyTrials {
                label: entry.label.clone(),
                trials: MAX_TRIALS + 1,
                max: MAX_TRIALS,
            });
        }
        let mut n0 = lo;
        if config.sampler == SamplerKind::Grid {
            let spaces: Vec<Space> = entry.space.iter().map(|(_, s)| s.clone()).collect();
            let size = sampler::grid_size(&spaces, n0);
            if size > n0 {
                return Err(PlanError::GridTooLarge { label: entry.label.clone(), size, trials: n0 });
            }
            n0 = size;
        }
        let sizes = rung_sizes(n0, eta, lengths.len());
        let rung0_stages = if config.sampler == SamplerKind::Tpe {
            let startup = 0..n0.min(TPE_STARTUP);
            let mut stages = vec![startup];
            let mut start = n0.min(TPE_STARTUP);
            while start < n0 {
                let end = (start + TPE_BATCH).min(n0);
                stages.push(start..end);
                start = end;
            }
            stages
        } else {
            let all = 0..n0;
            vec![all]
        };
        Ok(Schedule { lengths, sizes, rung0_stages, cost_per_update })
    }

    /// Every entry's schedule (checks the whole plan before anything runs).
    pub fn schedules(&self) -> Result<Vec<Schedule>, PlanError> {
        (0..self.entries.len()).map(|e| self.schedule(e)).collect()
    }

    /// How many stages the tuning has (the longest entry's).
    pub fn stages(&self) -> Result<usize, PlanError> {
        Ok(self.schedules()?.iter().map(Schedule::stages).max().unwrap_or(0))
    }

    /// The run seeds of every trial.
    pub fn tuning_seeds(&self) -> Vec<u64> {
        (0..self.config.seeds).map(|j| self.master_seed.wrapping_add(TUNING_SEED_OFFSET + j)).collect()
    }

    fn trial(&self, e: usize, schedule: &Schedule, i: usize, rung: usize, point: Vec<f64>) -> Trial {
        let space = &self.entries[e].space;
        let values = space.iter().zip(&point).map(|((name, s), u)| (name.clone(), s.value(*u))).collect();
        Trial {
            entry: e,
            trial: i,
            rung,
            updates: schedule.lengths[rung],
            grad_evals: schedule.rung_cost(rung),
            point,
            values,
        }
    }

    /// The point of a rung-0 trial that does not depend on results.
    fn fixed_point(&self, e: usize, schedule: &Schedule, i: usize) -> Vec<f64> {
        let spaces: Vec<Space> = self.entries[e].space.iter().map(|(_, s)| s.clone()).collect();
        match self.config.sampler {
            SamplerKind::Sobol | SamplerKind::Tpe => sampler::sobol_point(self.master_seed, e, i, spaces.len()),
            SamplerKind::Random => sampler::random_point(self.master_seed, e, i, spaces.len()),
            SamplerKind::Grid => sampler::grid_point(&spaces, schedule.sizes[0], i),
        }
    }
}

/// Stage `k`'s trials, from the results of every stage before it (any order;
/// results of later stages are ignored). A pure function: the same inputs give
/// the same trials, in entry then trial order. Empty past the last stage.
pub fn plan_stage(tuner: &Tuner, k: usize, done: &[TrialResult]) -> Result<Vec<Trial>, PlanError> {
    let mut trials = Vec::new();
    for (e, schedule) in tuner.schedules()?.iter().enumerate() {
        let stages0 = schedule.rung0_stages.len();
        if k < stages0 {
            let range = schedule.rung0_stages[k].clone();
            if k == 0 || tuner.config.sampler != SamplerKind::Tpe {
                trials.extend(range.map(|i| tuner.trial(e, schedule, i, 0, tuner.fixed_point(e, schedule, i))));
            } else {
                let spaces: Vec<Space> = tuner.entries[e].space.iter().map(|(_, s)| s.clone()).collect();
                let mut history: Vec<&TrialResult> = done
                    .iter()
                    .filter(|r| r.trial.entry == e && r.trial.rung == 0 && r.trial.trial < range.start)
                    .collect();
                history.sort_by_key(|r| r.trial.trial);
                let history: Vec<(Vec<f64>, f64)> =
                    history.iter().map(|r| (r.trial.point.clone(), tuner.config.metric.cost(r.metric))).collect();
                for i in range {
                    let point = sampler::tpe_point(&spaces, tuner.master_seed, e, i, &history);
                    trials.push(tuner.trial(e, schedule, i, 0, point));
                }
            }
        } else {
            let rung = k - stages0 + 1;
            if rung >= schedule.lengths.len() {
                continue;
            }
            for r in promoted(tuner.config.metric, done, e, rung - 1, schedule.sizes[rung]) {
                trials.push(tuner.trial(e, schedule, r.trial.trial, rung, r.trial.point.clone()));
            }
        }
    }
    Ok(trials)
}

/// The best `n` successful results of entry `e` at `rung`, best first (ties to the lower trial index).
fn promoted(metric: Metric, done: &[TrialResult], e: usize, rung: usize, n: usize) -> Vec<&TrialResult> {
    let mut at: Vec<&TrialResult> =
        done.iter().filter(|r| r.trial.entry == e && r.trial.rung == rung && r.metric.is_some()).collect();
    at.sort_by(|a, b| metric.cost(a.metric).total_cmp(&metric.cost(b.metric)).then(a.trial.trial.cmp(&b.trial.trial)));
    at.truncate(n);
    at
}

/// Entry `e`'s best full-length result: the lowest cost, ties to the lower trial index.
pub fn best(tuner: &Tuner, e: usize, done: &[TrialResult]) -> Option<TrialResult> {
    done.iter()
        .filter(|r| r.trial.entry == e && r.trial.updates == tuner.steps && r.metric.is_some())
        .min_by(|a, b| {
            let m = tuner.config.metric;
            m.cost(a.metric).total_cmp(&m.cost(b.metric)).then(a.trial.trial.cmp(&b.trial.trial))
        })
        .cloned()
}

/// Results in the order they are reported: stage (rung, then trial index within rung 0's batches), entry, trial.
pub fn sort_results(results: &mut [TrialResult]) {
    results.sort_by(|a, b| {
        (a.trial.entry, a.trial.rung, a.trial.trial).cmp(&(b.trial.entry, b.trial.rung, b.trial.trial))
    });
}

/// Entry `e`'s best-so-far curve: after each of its results, in plan order,
/// the gradient evaluations spent so far and the best full-length metric so
/// far (`None` before the first).
pub fn best_so_far(tuner: &Tuner, e: usize, done: &[TrialResult]) -> Vec<(u64, Option<f64>)> {
    let mut mine: Vec<&TrialResult> = done.iter().filter(|r| r.trial.entry == e).collect();
    mine.sort_by_key(|r| (r.trial.rung, r.trial.trial));
    let metric = tuner.config.metric;
    let mut spent = 0u64;
    let mut best: Option<f64> = None;
    mine.iter()
        .map(|r| {
            spent += r.trial.grad_evals;
            if r.trial.updates == tuner.steps
                && let Some(v) = r.metric
                && best.is_none_or(|b| metric.cost(Some(v)) < metric.cost(Some(b)))
            {
                best = Some(v);
            }
            (spent, best)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuner(sampler: SamplerKind, halving: Option<Halving>, budget: u64) -> Tuner {
        Tuner {
            config: TuneConfig { budget, sampler, halving, ..TuneConfig::defaults(100) },
            master_seed: 3,
            steps: 100,
            entries: vec![
                EntrySpace {
                    label: "sgd".into(),
                    kind: OptimizerKind::Sgd,
                    space: vec![
                        ("lr".into(), Space::Log { low: 1e-4, high: 1.0 }),
                        ("momentum".into(), Space::Choice(vec![Hyper::Float(0.0), Hyper::Float(0.9)])),
                    ],
                },
                EntrySpace {
                    label: "adam".into(),
                    kind: OptimizerKind::Adam,
                    space: super::super::default_space(OptimizerKind::Adam),
                },
            ],
        }
    }

    /// Runs the plan with a made-up metric: the lr's distance from 0.01 in decades.
    fn run_all(t: &Tuner) -> Vec<TrialResult> {
        let mut done = Vec::new();
        for k in 0..t.stages().unwrap() {
            let trials = plan_stage(t, k, &done).unwrap();
            for trial in trials {
                let lr = trial.values[0].1.as_f64().unwrap();
                let metric = Some((lr.log10() + 2.0).abs() + 1.0 / trial.updates as f64);
                done.push(TrialResult { trial, status: TrialStatus::Ok, metric });
            }
        }
        done
    }

    #[test]
    fn rungs_grow_by_eta_up_to_the_full_length() {
        assert_eq!(rung_lengths(1000, None).unwrap(), [1000]);
        let h = |eta, min_steps| Some(Halving { eta, min_steps });
        assert_eq!(rung_lengths(1000, h(3, 100)).unwrap(), [111, 333, 1000]);
        assert_eq!(rung_lengths(810, h(3, 10)).unwrap(), [10, 30, 90, 270, 810]);
        assert_eq!(rung_lengths(100, h(2, 100)).unwrap(), [100]);
        assert!(rung_lengths(100, h(1, 10)).is_err());
        assert!(rung_lengths(100, h(3, 0)).is_err());
        assert!(rung_lengths(100, h(3, 101)).is_err());
    }

    #[test]
    fn budgets_buy_the_most_trials_that_fit() {
        let t = tuner(SamplerKind::Sobol, None, 100 * 50 + 99);
        let s = t.schedule(0).unwrap();
        assert_eq!((s.sizes.clone(), s.total_cost()), (vec![50], 5000));
        let t = tuner(SamplerKind::Sobol, Some(Halving { eta: 3, min_steps: 10 }), 20_000);
        let s = t.schedule(1).unwrap();
        assert_eq!(s.lengths, [11, 33, 100]);
        assert!(s.total_cost() <= 20_000);
        let more = rung_sizes(s.sizes[0] + 1, 3, 3);
        let cost_more: u64 = (0..3).map(|r| more[r] as u64 * s.rung_cost(r)).sum();
        assert!(cost_more > 20_000, "one more trial would fit: {s:?}");
        assert!(matches!(tuner(SamplerKind::Sobol, None, 99).schedule(0), Err(PlanError::BudgetTooSmall { .. })));
    }

    #[test]
    fn stages_are_pure_and_results_of_later_stages_do_not_matter() {
        for sampler in SamplerKind::ALL {
            for halving in [None, Some(Halving { eta: 3, min_steps: 10 })] {
                let t = tuner(sampler, halving, 6_000);
                let a = run_all(&t);
                let b = run_all(&t);
                assert_eq!(a, b);
                let mut shuffled = a.clone();
                shuffled.reverse();
                for k in 0..t.stages().unwrap() {
                    assert_eq!(plan_stage(&t, k, &a).unwrap(), plan_stage(&t, k, &shuffled).unwrap());
                }
            }
        }
    }

    #[test]
    fn halving_promotes_the_best_and_charges_only_new_updates() {
        let t = tuner(SamplerKind::Sobol, Some(Halving { eta: 3, min_steps: 10 }), 6_000);
        let done = run_all(&t);
        for e in 0..2 {
            let s = t.schedule(e).unwrap();
            let spent: u64 = done.iter().filter(|r| r.trial.entry == e).map(|r| r.trial.grad_evals).sum();
            assert_eq!(spent, s.total_cost());
            assert!(6_000 - spent < s.rung_cost(0) * 3 + s.rung_cost(1) + s.rung_cost(2) + 1);
            let rung1: Vec<usize> =
                done.iter().filter(|r| r.trial.entry == e && r.trial.rung == 1).map(|r| r.trial.trial).collect();
            let mut rung0: Vec<&TrialResult> =
                done.iter().filter(|r| r.trial.entry == e && r.trial.rung == 0).collect();
            rung0.sort_by(|a, b| a.metric.unwrap().total_cmp(&b.metric.unwrap()));
            let mut best: Vec<usize> = rung0[..rung1.len()].iter().map(|r| r.trial.trial).collect();
            best.sort();
            let mut rung1s = rung1.clone();
            rung1s.sort();
            assert_eq!(best, rung1s);
        }
    }

    #[test]
    fn tpe_runs_in_batches_after_sobol_startup() {
        let t = tuner(SamplerKind::Tpe, None, 100 * 40);
        let s = t.schedule(0).unwrap();
        assert_eq!(s.rung0_stages, [0..16, 16..24, 24..32, 32..40]);
        let done = run_all(&t);
        let sobol = tuner(SamplerKind::Sobol, None, 100 * 40);
        let first = plan_stage(&sobol, 0, &[]).unwrap();
        for r in done.iter().filter(|r| r.trial.trial < 16) {
            let same = first.iter().find(|f| f.entry == r.trial.entry && f.trial == r.trial.trial).unwrap();
            assert_eq!(same.point, r.trial.point);
        }
    }

    #[test]
    fn the_best_is_the_lowest_full_length_metric() {
        let t = tuner(SamplerKind::Grid, None, 100 * 40);
        let done = run_all(&t);
        let b = best(&t, 1, &done).unwrap();
        let lr = b.trial.values[0].1.as_f64().unwrap();
        assert!((lr.log10() + 2.0).abs() < 0.1, "{lr}");
        let curve = best_so_far(&t, 1, &done);
        assert_eq!(curve.len(), 40);
        assert_eq!(curve.last().unwrap().0, 4000);
        assert!(curve.windows(2).all(|w| w[1].1.unwrap() <= w[0].1.unwrap()));
    }
}
