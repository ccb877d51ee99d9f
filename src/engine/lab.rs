//! A lab: several runs on one objective, stepped together or in parallel.

use super::run::{Record, Run, RunId, RunSpec};
use super::stop::StopRule;
use crate::objective::Objective;
use rayon::prelude::*;
use std::sync::Arc;

pub struct Lab {
    objective: Arc<dyn Objective>,
    runs: Vec<Run>,
    stop: StopRule,
}

impl Lab {
    /// Every run at its start point.
    pub fn new(objective: Arc<dyn Objective>, specs: Vec<RunSpec>, stop: StopRule) -> Lab {
        let runs = specs.into_iter().map(|s| Run::new(s, objective.as_ref(), stop.clone())).collect();
        Lab { objective, runs, stop }
    }

    pub fn objective(&self) -> &dyn Objective {
        self.objective.as_ref()
    }
    pub fn objective_arc(&self) -> Arc<dyn Objective> {
        Arc::clone(&self.objective)
    }
    pub fn stop_rule(&self) -> &StopRule {
        &self.stop
    }
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }
    pub fn run(&self, id: RunId) -> Option<&Run> {
        self.runs.get(id.0)
    }
    pub fn run_mut(&mut self, id: RunId) -> Option<&mut Run> {
        self.runs.get_mut(id.0)
    }
    pub fn find(&self, label: &str) -> Option<RunId> {
        self.runs.iter().position(|r| r.label() == label).map(RunId)
    }
    pub fn is_finished(&self) -> bool {
        self.runs.iter().all(Run::is_finished)
    }
    /// The most updates any run has done.
    pub fn max_t(&self) -> u64 {
        self.runs.iter().map(Run::t).max().unwrap_or(0)
    }

    /// One update of every unfinished run; calls `on_record` for each evaluated step.
    pub fn step_all(&mut self, mut on_record: impl FnMut(RunId, &Run, &Record)) {
        let objective = self.objective.as_ref();
        for (i, run) in self.runs.iter_mut().enumerate() {
            if let Some(record) = run.step(objective).cloned() {
                on_record(RunId(i), run, &record);
            }
        }
    }

    /// Up to `n` updates of every unfinished run, the runs in parallel on the
    /// current rayon pool. Each run that steps gets a sink from `make_sink`
    /// (called on the worker that steps it), which sees every evaluated step in
    /// order, then `finish`.
    pub fn step_each<S: RunSink>(
        &mut self,
        n: u64,
        make_sink: impl Fn(RunId, &Run) -> Result<S, S::Error> + Sync,
    ) -> Result<(), S::Error> {
        let objective = self.objective.as_ref();
        self.runs.par_iter_mut().enumerate().filter(|(_, run)| !run.is_finished()).try_for_each(|(i, run)| {
            let mut sink = make_sink(RunId(i), run)?;
            for _ in 0..n {
                if let Some(record) = run.step(objective) {
                    let record = record.clone();
                    sink.record(run, &record)?;
                }
                if run.is_finished() {
                    break;
                }
            }
            sink.finish(run)
        })
    }

    /// Every run from its start with its current hyperparameters.
    pub fn restart(&mut self) {
        let objective = self.objective.as_ref();
        self.runs = self.runs.iter().map(|r| r.restarted(objective)).collect();
    }

    /// Run every run to its end, in parallel on the current rayon pool. Each run
    /// gets its own sink from `make_sink` (called on the worker that runs it),
    /// which sees step 0 and every evaluated step, then `finish`; a sink error
    /// stops that run and is returned. Results do not depend on the number of
    /// threads: runs share nothing but the objective.
    pub fn run_to_end<S: RunSink>(
        &mut self,
        make_sink: impl Fn(RunId, &Run) -> Result<S, S::Error> + Sync,
        should_stop: impl Fn() -> bool + Sync,
    ) -> Result<(), S::Error> {
        let objective = self.objective.as_ref();
        self.runs.par_iter_mut().enumerate().try_for_each(|(i, run)| {
            // Stopped: the runs not yet started are not started (a prompt Ctrl-C).
            if should_stop() {
                return Ok(());
            }
            let mut sink = make_sink(RunId(i), run)?;
            let first = run.last().clone();
            sink.record(run, &first)?;
            // A run that starts after a stop was asked for does not step at all.
            if should_stop() {
                return sink.finish(run);
            }
            let mut since_check = 0u32;
            while !run.is_finished() {
                if let Some(record) = run.step(objective) {
                    let record = record.clone();
                    sink.record(run, &record)?;
                }
                since_check += 1;
                if since_check == 1024 {
                    since_check = 0;
                    if should_stop() {
                        break;
                    }
                }
            }
            sink.finish(run)
        })
    }
}

/// Where a run's records go while it runs to its end.
pub trait RunSink {
    type Error: Send;
    fn record(&mut self, run: &Run, record: &Record) -> Result<(), Self::Error>;
    fn finish(&mut self, run: &Run) -> Result<(), Self::Error>;
}
