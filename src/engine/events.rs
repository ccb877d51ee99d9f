//! Changes made to a run while it runs: a slider move, a new momentum. Recorded
//! with the step they follow, replayed exactly by `[[event]]`s.

use crate::optim::Hyper;

/// One hyperparameter change.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub name: String,
    pub value: Hyper,
}

/// Changes to the run labelled `run`, taking effect for the update after
/// `step` updates are done.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub step: u64,
    pub run: String,
    pub changes: Vec<Change>,
}
