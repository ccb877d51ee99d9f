//! Budget-fair hyperparameter tuning, the pure core: search spaces, samplers,
//! the successive-halving plan and the metric. No threads, files or clocks:
//! running trials and writing results is `report::tune`'s job.
//!
//! A tuning is a sequence of stages. [`plan_stage`] plans stage k from the
//! results of stages < k; the caller runs those trials (in any order, on any
//! number of threads or machines) and records a [`TrialResult`] for each.
//! Trial i of entry e is a pure function of the master seed, e, i (and, for
//! TPE and promotions, of earlier stages' results), so the files are the
//! same whatever runs them.

mod metric;
mod plan;
mod sampler;
mod space;

pub use metric::Metric;
pub use plan::{
    DEFAULT_BUDGET_TRIALS, DEFAULT_CONFIRM_SEEDS, EntrySpace, Halving, PlanError, Schedule, TPE_BATCH, TPE_STARTUP,
    TUNING_SEED_OFFSET, Trial, TrialResult, TrialStatus, TuneConfig, Tuner, best, best_so_far, evals_per_update,
    plan_stage, rung_lengths, sort_results,
};
pub use sampler::{MAX_TRIALS, SamplerKind, derive_seed, grid_point, grid_size, random_point, sobol_point, tpe_point};
pub use space::{DEFAULT_LR, SearchSpace, Space, default_space};
