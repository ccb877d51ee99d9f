//! Everything the UI can ask for: keys and the mouse become actions, the app
//! resolves the relative ones ("raise the selected run's rate") into absolute
//! ones (`SetLearningRate`), and the controller carries out those that touch
//! the lab. Hyperparameter changes are what the lab records as events.

use crate::engine::RunId;
use crate::optim::Hyper;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    TogglePause,
    /// One update of every run (when paused).
    Step,
    /// Every run from its start with its current hyperparameters.
    Restart,
    Faster,
    Slower,
    SelectNext,
    SelectPrev,
    /// The selected run's learning rate one notch up or down (log scale).
    RaiseLearningRate,
    LowerLearningRate,
    /// Move the cursor among the selected run's other hyperparameters.
    NextField,
    PrevField,
    /// The hyperparameter under the cursor one notch up or down (switches flip).
    RaiseField,
    LowerField,
    ToggleLogScale,
    CycleSmoothing,
    /// Landscape, gradient norm, learning rate, validation accuracy.
    CycleSecondChart,
    CycleSort,
    /// The x axis: steps, epochs and samples seen (models), seconds of stepping.
    ToggleXAxis,
    /// Close the help or the learning-rate finder's chart; with neither open, quit.
    Back,
    /// Hide or show the selected label's runs in the charts.
    ToggleHidden,
    /// Show only the selected label (again: show every label).
    Solo,
    /// Show every label.
    ShowAll,
    /// Dim every label but the selected one.
    ToggleFocus,
    /// Seeds of a label as a median with a band, or every seed's line.
    ToggleSeedBands,
    /// The x range: everything, the last half, the last tenth (following live runs).
    CycleZoom,
    /// A y range that ignores the top and bottom 2 % of the values.
    ToggleRobust,
    Export,
    Save,
    ToggleHelp,
    /// Runs labelled like `run` (its seeds) get this base learning rate.
    SetLearningRate {
        run: RunId,
        value: f64,
    },
    /// Runs labelled like `run` get this hyperparameter.
    SetHyper {
        run: RunId,
        name: String,
        value: Hyper,
    },
    /// TensorBoard's smoothing weight for the charts (0: off).
    SetSmoothing(f64),
    /// The learning-rate range test for the selected label (the app resolves
    /// it into `FindLrFor`), or close its chart when it is shown.
    FindLr,
    /// Run the range test on a fresh copy of `run` (its label's first seed)
    /// and set its label's rate to the suggestion, as `SetLearningRate` does.
    FindLrFor {
        run: RunId,
    },
    /// Put back the rate the last lr-find suggestion replaced.
    UndoLrFind,
    /// The landscape's window: fitted to the paths, or the function's own.
    ToggleLandscapeWindow,
    /// Tune the selected label in the background (the app resolves it into
    /// `TuneFor`), or close the tuning pane when it is shown.
    Tune,
    /// Tune `run`'s label with a small budget on a background thread; when
    /// done, its best configuration becomes the label's, as `SetHyper` does.
    TuneFor {
        run: RunId,
    },
    /// Stop the running lab tuning, if any.
    CancelTune,
    /// Put back the values the last lab tuning replaced.
    Undo,
}

impl Action {
    /// Whether the controller (the engine thread) carries it out.
    pub fn is_for_engine(&self) -> bool {
        matches!(
            self,
            Action::Quit
                | Action::TogglePause
                | Action::Step
                | Action::Restart
                | Action::Faster
                | Action::Slower
                | Action::Export
                | Action::Save
                | Action::SetLearningRate { .. }
                | Action::SetHyper { .. }
                | Action::SetSmoothing(_)
                | Action::FindLrFor { .. }
                | Action::UndoLrFind
                | Action::TuneFor { .. }
                | Action::CancelTune
                | Action::Undo
        )
    }
}
