//! The key table: every key the lab knows, in one place. The help overlay and
//! the footer are drawn from it.

use super::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One binding: the keys, how the help writes them, and what they do.
pub struct Binding {
    pub keys: &'static [(KeyCode, KeyModifiers)],
    pub label: &'static str,
    pub help: &'static str,
    /// How the footer lists it (keys, word), when it does.
    pub short: Option<(&'static str, &'static str)>,
    pub action: Action,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[(KeyCode::Char('q'), NONE), (KeyCode::Char('c'), CTRL)],
        label: "q ^C",
        help: "quit",
        short: Some(("q", "quit")),
        action: Action::Quit,
    },
    Binding {
        keys: &[(KeyCode::Esc, NONE)],
        label: "Esc",
        help: "close the help or the lr-find chart; with neither open, quit",
        short: None,
        action: Action::Back,
    },
    Binding {
        keys: &[(KeyCode::Char(' '), NONE)],
        label: "space",
        help: "pause / resume",
        short: Some(("space", "pause")),
        action: Action::TogglePause,
    },
    Binding {
        keys: &[(KeyCode::Char('n'), NONE)],
        label: "n",
        help: "one step (when paused)",
        short: Some(("n", "step")),
        action: Action::Step,
    },
    Binding {
        keys: &[(KeyCode::Char('r'), NONE)],
        label: "r",
        help: "restart every run with the current settings",
        short: Some(("r", "restart")),
        action: Action::Restart,
    },
    Binding {
        keys: &[(KeyCode::Down, NONE), (KeyCode::Char('j'), NONE)],
        label: "↓ j",
        help: "select the next run",
        short: Some(("↑↓", "run")),
        action: Action::SelectNext,
    },
    Binding {
        keys: &[(KeyCode::Up, NONE), (KeyCode::Char('k'), NONE)],
        label: "↑ k",
        help: "select the previous run",
        short: None,
        action: Action::SelectPrev,
    },
    Binding {
        keys: &[(KeyCode::Right, NONE), (KeyCode::Char('l'), NONE)],
        label: "→ l",
        help: "raise the selected run's learning rate (log scale)",
        short: Some(("←→", "lr")),
        action: Action::RaiseLearningRate,
    },
    Binding {
        keys: &[(KeyCode::Left, NONE), (KeyCode::Char('h'), NONE)],
        label: "← h",
        help: "lower the selected run's learning rate (log scale)",
        short: None,
        action: Action::LowerLearningRate,
    },
    Binding {
        keys: &[(KeyCode::Tab, NONE)],
        label: "Tab",
        help: "next hyperparameter of the selected run",
        short: None,
        action: Action::NextField,
    },
    Binding {
        keys: &[(KeyCode::BackTab, NONE)],
        label: "S-Tab",
        help: "previous hyperparameter",
        short: None,
        action: Action::PrevField,
    },
    Binding {
        keys: &[(KeyCode::Char(']'), NONE)],
        label: "]",
        help: "raise that hyperparameter (switches flip)",
        short: None,
        action: Action::RaiseField,
    },
    Binding {
        keys: &[(KeyCode::Char('['), NONE)],
        label: "[",
        help: "lower that hyperparameter (switches flip)",
        short: None,
        action: Action::LowerField,
    },
    Binding {
        keys: &[(KeyCode::Char('+'), NONE), (KeyCode::Char('='), NONE)],
        label: "+",
        help: "faster",
        short: Some(("+-", "speed")),
        action: Action::Faster,
    },
    Binding { keys: &[(KeyCode::Char('-'), NONE)], label: "-", help: "slower", short: None, action: Action::Slower },
    Binding {
        keys: &[(KeyCode::Char('g'), NONE)],
        label: "g",
        help: "log scale on the loss axis",
        short: Some(("g", "log")),
        action: Action::ToggleLogScale,
    },
    Binding {
        keys: &[(KeyCode::Char('m'), NONE)],
        label: "m",
        help: "smoothing (off, 0.6, 0.9, 0.99)",
        short: None,
        action: Action::CycleSmoothing,
    },
    Binding {
        keys: &[(KeyCode::Char('v'), NONE)],
        label: "v",
        help: "second chart: landscape, gradient norm, learning rate, accuracy",
        short: None,
        action: Action::CycleSecondChart,
    },
    Binding {
        keys: &[(KeyCode::Char('f'), NONE)],
        label: "f",
        help: "learning-rate finder: set the selected run's rate (f again closes)",
        short: Some(("f", "lr-find")),
        action: Action::FindLr,
    },
    Binding {
        keys: &[(KeyCode::Char('b'), NONE)],
        label: "b",
        help: "landscape: the function's own window, or one fitted to the paths",
        short: None,
        action: Action::ToggleLandscapeWindow,
    },
    Binding {
        keys: &[(KeyCode::Char('t'), NONE)],
        label: "t",
        help: "tune the selected run (lr, tune.* spaces) in the background",
        short: None,
        action: Action::Tune,
    },
    Binding {
        keys: &[(KeyCode::Char('u'), NONE)],
        label: "u",
        help: "undo the last tuning or lr-find suggestion: the values it replaced come back",
        short: None,
        action: Action::Undo,
    },
    Binding {
        keys: &[(KeyCode::Char('s'), NONE)],
        label: "s",
        help: "sort the table",
        short: None,
        action: Action::CycleSort,
    },
    Binding {
        keys: &[(KeyCode::Char('x'), NONE)],
        label: "x",
        help: "x axis: steps, epochs, samples seen (models), seconds",
        short: None,
        action: Action::ToggleXAxis,
    },
    Binding {
        keys: &[(KeyCode::Char('i'), NONE)],
        label: "i",
        help: "hide / show the selected run in the charts",
        short: None,
        action: Action::ToggleHidden,
    },
    Binding {
        keys: &[(KeyCode::Char('o'), NONE)],
        label: "o",
        help: "only the selected run (again: all)",
        short: None,
        action: Action::Solo,
    },
    Binding {
        keys: &[(KeyCode::Char('a'), NONE)],
        label: "a",
        help: "show every run",
        short: None,
        action: Action::ShowAll,
    },
    Binding {
        keys: &[(KeyCode::Char('*'), NONE)],
        label: "*",
        help: "focus: dim every run but the selected one",
        short: None,
        action: Action::ToggleFocus,
    },
    Binding {
        keys: &[(KeyCode::Char('d'), NONE)],
        label: "d",
        help: "seeds: median and band, or every seed's line",
        short: None,
        action: Action::ToggleSeedBands,
    },
    Binding {
        keys: &[(KeyCode::Char('z'), NONE)],
        label: "z",
        help: "x zoom: all, last half, last tenth (follows live runs)",
        short: None,
        action: Action::CycleZoom,
    },
    Binding {
        keys: &[(KeyCode::Char('y'), NONE)],
        label: "y",
        help: "y range: all values, or robust (ignores outliers)",
        short: None,
        action: Action::ToggleRobust,
    },
    Binding {
        keys: &[(KeyCode::Char('e'), NONE)],
        label: "e",
        help: "export the results so far to results/",
        short: Some(("e", "export")),
        action: Action::Export,
    },
    Binding {
        keys: &[(KeyCode::Char('w'), NONE)],
        label: "w",
        help: "save the session as a scenario with its changes",
        short: Some(("w", "save")),
        action: Action::Save,
    },
    Binding {
        keys: &[(KeyCode::Char('?'), NONE), (KeyCode::F(1), NONE)],
        label: "?",
        help: "this help",
        short: Some(("?", "help")),
        action: Action::ToggleHelp,
    },
];

/// The action bound to a key press, if any.
pub fn action_for(key: KeyEvent) -> Option<Action> {
    // Terminals disagree on whether an upper-case or shifted symbol carries SHIFT.
    let modifiers = key.modifiers - KeyModifiers::SHIFT;
    BINDINGS
        .iter()
        .find(|b| b.keys.iter().any(|&(code, mods)| code == key.code && (mods - KeyModifiers::SHIFT) == modifiers))
        .map(|b| b.action.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

    fn press(code: KeyCode, mods: KeyModifiers) -> Option<Action> {
        action_for(KeyEvent::new(code, mods))
    }

    #[test]
    fn the_contract_keys_are_bound() {
        assert_eq!(press(KeyCode::Char('q'), NONE), Some(Action::Quit));
        assert_eq!(press(KeyCode::Esc, NONE), Some(Action::Back));
        assert_eq!(press(KeyCode::Char('c'), CTRL), Some(Action::Quit));
        assert_eq!(press(KeyCode::Char(' '), NONE), Some(Action::TogglePause));
        assert_eq!(press(KeyCode::Char('n'), NONE), Some(Action::Step));
        assert_eq!(press(KeyCode::Char('r'), NONE), Some(Action::Restart));
        assert_eq!(press(KeyCode::Up, NONE), Some(Action::SelectPrev));
        assert_eq!(press(KeyCode::Char('k'), NONE), Some(Action::SelectPrev));
        assert_eq!(press(KeyCode::Down, NONE), Some(Action::SelectNext));
        assert_eq!(press(KeyCode::Char('j'), NONE), Some(Action::SelectNext));
        assert_eq!(press(KeyCode::Left, NONE), Some(Action::LowerLearningRate));
        assert_eq!(press(KeyCode::Char('h'), NONE), Some(Action::LowerLearningRate));
        assert_eq!(press(KeyCode::Right, NONE), Some(Action::RaiseLearningRate));
        assert_eq!(press(KeyCode::Char('l'), NONE), Some(Action::RaiseLearningRate));
        assert_eq!(press(KeyCode::Char('+'), SHIFT), Some(Action::Faster));
        assert_eq!(press(KeyCode::Char('-'), NONE), Some(Action::Slower));
        assert_eq!(press(KeyCode::Char('g'), NONE), Some(Action::ToggleLogScale));
        assert_eq!(press(KeyCode::Char('e'), NONE), Some(Action::Export));
        assert_eq!(press(KeyCode::Char('w'), NONE), Some(Action::Save));
        assert_eq!(press(KeyCode::Char('f'), NONE), Some(Action::FindLr));
        assert_eq!(press(KeyCode::Char('b'), NONE), Some(Action::ToggleLandscapeWindow));
        assert_eq!(press(KeyCode::Char('t'), NONE), Some(Action::Tune));
        assert_eq!(press(KeyCode::Char('u'), NONE), Some(Action::Undo));
        assert_eq!(press(KeyCode::Char('?'), SHIFT), Some(Action::ToggleHelp));
        assert_eq!(press(KeyCode::BackTab, SHIFT), Some(Action::PrevField));
    }

    #[test]
    fn control_does_not_leak_into_plain_keys() {
        assert_eq!(press(KeyCode::Char('q'), CTRL), None);
        assert_eq!(press(KeyCode::Char('c'), NONE), None);
        assert_eq!(press(KeyCode::Char('Z'), NONE), None);
    }

    #[test]
    fn no_key_is_bound_twice() {
        let mut seen = Vec::new();
        for b in BINDINGS {
            for &(code, mods) in b.keys {
                let k = (code, mods - KeyModifiers::SHIFT);
                assert!(!seen.contains(&k), "{k:?} bound twice");
                seen.push(k);
            }
        }
    }
}
