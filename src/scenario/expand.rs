//! The one checked path from an `[[optimizer]]` entry to its runs: every sweep
//! combination becomes an optimizer configured and validated as a whole, as
//! PyTorch validates a parameter group, and every `[[event]]` is replayed
//! against each run it applies to. The parser, `Scenario::run_specs` and the
//! lab all go through here, so a run never carries settings other than its label says.

use super::{Event, OptimizerEntry};
use crate::optim::{Hyper, HyperError, Optimizer, OptimizerKind};

/// One run of an entry (before seeds): its label, its swept values and its
/// optimizer with every hyperparameter set and checked.
pub struct ExpandedRun {
    pub label: String,
    pub combination: Vec<(String, Hyper)>,
    pub optimizer: Box<dyn Optimizer>,
}

/// A sweep combination that PyTorch would refuse.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("run `{label}`: {}", hyper_reason(.error))]
pub struct ComboError {
    /// The run's label (the entry's label and its swept values).
    pub label: String,
    pub combination: Vec<(String, Hyper)>,
    pub error: HyperError,
}

impl ComboError {
    /// The hyperparameter the error is about.
    pub fn name(&self) -> &str {
        hyper_name(&self.error)
    }
}

/// An `[[event]]` that cannot be applied to one of its runs.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("run `{run}` at step {step}: {}", hyper_reason(.error))]
pub struct EventError {
    /// Index of the event in the list given.
    pub index: usize,
    pub run: String,
    pub step: u64,
    pub error: HyperError,
}

impl EventError {
    /// The hyperparameter the error is about.
    pub fn name(&self) -> &str {
        hyper_name(&self.error)
    }
}

/// The hyperparameter a [`HyperError`] is about.
pub fn hyper_name(e: &HyperError) -> &str {
    match e {
        HyperError::Unknown { name, .. } | HyperError::Invalid { name, .. } => name,
    }
}

/// A [`HyperError`] as a sentence that names its hyperparameter.
pub fn hyper_reason(e: &HyperError) -> String {
    match e {
        HyperError::Invalid { name, reason } => format!("`{name}` {reason}"),
        other => other.to_string(),
    }
}

/// An optimizer of `kind` for one run: PyTorch's defaults, then the entry's
/// `base` hyperparameters, then one sweep `combination` (or a sampled
/// configuration), all checked together: domains and the rules across
/// hyperparameters (SGD's Nesterov needs momentum > 0 and dampening 0, Rprop's
/// step_min <= step_max, ...). The state is fresh, for 0 parameters (a run
/// resets it to its objective's dimension).
pub fn configure(
    kind: OptimizerKind,
    base: &[(String, Hyper)],
    combination: &[(String, Hyper)],
) -> Result<Box<dyn Optimizer>, HyperError> {
    let mut optimizer = kind.build(0);
    // A swept value replaces the base value of its name.
    let mut values: Vec<(&str, Hyper)> = Vec::with_capacity(base.len() + combination.len());
    for (name, value) in base.iter().chain(combination) {
        match values.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = *value,
            None => values.push((name.as_str(), *value)),
        }
    }
    optimizer.set_all(&values)?;
    Ok(optimizer)
}

/// Apply one event's changes to `optimizer`, together.
pub fn apply_event(optimizer: &mut dyn Optimizer, event: &Event) -> Result<(), HyperError> {
    let changes: Vec<(&str, Hyper)> = event.changes.iter().map(|c| (c.name.as_str(), c.value)).collect();
    optimizer.set_all(&changes)
}

/// Replay `events` (in step order) on a copy of a run's starting optimizer:
/// the first one that cannot be applied is the error.
pub fn check_events<'e>(
    start: &dyn Optimizer,
    events: impl IntoIterator<Item = (usize, &'e Event)>,
) -> Result<(), EventError> {
    let mut probe = start.box_clone();
    for (index, event) in events {
        apply_event(probe.as_mut(), event).map_err(|error| EventError {
            index,
            run: event.run.clone(),
            step: event.step,
            error,
        })?;
    }
    Ok(())
}

impl OptimizerEntry {
    /// Every run of the entry, one per sweep combination (the last key varies
    /// fastest), each with its optimizer configured and checked; the first
    /// combination PyTorch would refuse is the error.
    pub fn expand(&self) -> Result<Vec<ExpandedRun>, ComboError> {
        self.combinations()
            .into_iter()
            .map(|combination| {
                let label = self.run_label(&combination);
                match configure(self.kind, &self.hyper, &combination) {
                    Ok(optimizer) => Ok(ExpandedRun { label, combination, optimizer }),
                    Err(error) => Err(ComboError { label, combination, error }),
                }
            })
            .collect()
    }

    /// Whether `event` is addressed to the run labelled `run_label` of this
    /// entry: by the run's own label, or by the entry's label when it sweeps.
    pub fn event_applies(&self, event: &Event, run_label: &str) -> bool {
        event.run == run_label || (event.run == self.label && !self.sweep.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, v: f64) -> (String, Hyper) {
        (name.to_string(), Hyper::Float(v))
    }
    fn b(name: &str, v: bool) -> (String, Hyper) {
        (name.to_string(), Hyper::Bool(v))
    }

    #[test]
    fn values_are_checked_together_whatever_their_order() {
        let o = configure(OptimizerKind::Sgd, &[b("nesterov", true), f("momentum", 0.9)], &[]).unwrap();
        assert_eq!(o.get("nesterov"), Some(Hyper::Bool(true)));
        let e = configure(OptimizerKind::Sgd, &[f("momentum", 0.9)], &[f("dampening", 0.5), b("nesterov", true)])
            .err()
            .unwrap();
        assert_eq!(hyper_name(&e), "nesterov");
        assert!(hyper_reason(&e).contains("dampening = 0"), "{e}");
    }

    #[test]
    fn a_swept_value_replaces_the_base_value() {
        let o = configure(OptimizerKind::Rprop, &[f("step_min", 1e-6), f("step_max", 50.0)], &[f("step_max", 1.0)])
            .unwrap();
        assert_eq!(o.get("step_max"), Some(Hyper::Float(1.0)));
        let e = configure(OptimizerKind::Rprop, &[f("step_max", 1.0)], &[f("step_min", 2.0)]).err().unwrap();
        assert_eq!(hyper_name(&e), "step_min");
    }

    #[test]
    fn events_are_applied_as_a_whole_and_in_order() {
        use crate::engine::Change;
        let start = configure(OptimizerKind::Sgd, &[f("momentum", 0.9)], &[]).unwrap();
        let ev = |step, changes: Vec<(String, Hyper)>| Event {
            step,
            run: "r".into(),
            changes: changes.into_iter().map(|(name, value)| Change { name, value }).collect(),
        };
        let fine = [ev(1, vec![b("nesterov", true)]), ev(2, vec![b("nesterov", false), f("momentum", 0.0)])];
        check_events(start.as_ref(), fine.iter().enumerate()).unwrap();
        let bad = [ev(1, vec![b("nesterov", true)]), ev(2, vec![f("dampening", 0.1)])];
        let e = check_events(start.as_ref(), bad.iter().enumerate()).unwrap_err();
        assert_eq!((e.index, e.step, e.name()), (1, 2, "nesterov"));
    }
}
