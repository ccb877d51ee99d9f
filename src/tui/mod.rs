//! The interactive lab: a full-screen terminal UI where several optimizers run
//! side by side, live, on one objective.
//!
//! Threads: the engine thread ([`controller::Controller`]) owns the lab and
//! steps it; the UI thread ([`event`]) reads keys, draws a snapshot
//! ([`snapshot::Snapshot`]) and the shared histories about 30 times a second,
//! and sends [`action::Action`]s over a channel. Drawing ([`view`]) only reads.

pub mod action;
pub mod adjust;
pub mod app;
pub mod controller;
mod event;
pub mod format;
pub mod keys;
pub mod session;
pub mod snapshot;
mod terminal;
pub mod theme;
pub mod tune;
pub mod view;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod view_tests;

use crate::scenario::{Scenario, ScenarioError};
use action::Action;
use app::App;
use controller::Controller;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

pub use terminal::restore_without_allocating;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
    #[error("the engine thread stopped: {0}")]
    Engine(String),
    /// Ended by a signal (its number); the terminal is restored.
    #[error("stopped by signal {0}")]
    Signal(usize),
}

/// Open the lab on `scenario` in this terminal until the user quits; results
/// (`e`, `w`) go under `results/` in the current folder.
pub fn run(scenario: Scenario, paused: bool) -> Result<(), TuiError> {
    let (controller, shared) = Controller::new(scenario, paused, PathBuf::from("results"))?;
    let mut app = App::new(Arc::clone(&shared), controller.lab().objective_arc());
    let signal = Arc::new(AtomicUsize::new(0));
    let ended = Arc::new(AtomicBool::new(false));
    let signals = watch_signals(Arc::clone(&signal), Arc::clone(&ended))?;
    let (tx, rx) = mpsc::channel();
    let engine = thread::Builder::new().name("optlab-engine".into()).spawn(move || controller.run(rx))?;
    let outcome = match terminal::enter() {
        Ok(mut guard) => {
            let r = event::run_loop(&mut guard.terminal, &mut app, &tx, &signal, &engine).map_err(|e| match e {
                event::LoopError::Draw(e) | event::LoopError::Read(e) => TuiError::Io(e),
            });
            drop(guard);
            r
        }
        Err(e) => Err(TuiError::Io(e)),
    };
    ended.store(true, Ordering::SeqCst);
    signals.close();
    // The terminal is restored; stop the engine (and any export it is replaying) and wait for it.
    shared.quit();
    let _ = tx.send((u64::MAX, Action::Quit));
    let joined = engine.join();
    if let Some(message) = terminal::other_panic() {
        return Err(TuiError::Engine(message));
    }
    match outcome? {
        event::Exit::Quit => Ok(()),
        event::Exit::Signal(sig) => Err(TuiError::Signal(sig)),
        event::Exit::EngineStopped => Err(TuiError::Engine(match joined {
            Err(_) => "it panicked".into(),
            Ok(()) => "it ended early".into(),
        })),
    }
}

/// Signals (SIGINT, SIGTERM, SIGHUP) set `signal`; the UI loop sees it within
/// a frame, restores the terminal and ends. A loop that does not end within a
/// second is stuck (reading a terminal that hung up keeps crossterm busy), so
/// the watcher restores what it can and exits with 128 + the signal.
fn watch_signals(signal: Arc<AtomicUsize>, ended: Arc<AtomicBool>) -> std::io::Result<signal_hook::iterator::Handle> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let handle = signals.handle();
    thread::Builder::new().name("optlab-signals".into()).spawn(move || {
        if let Some(sig) = signals.forever().next() {
            signal.store(sig as usize, Ordering::SeqCst);
            thread::sleep(Duration::from_secs(1));
            if !ended.load(Ordering::SeqCst) {
                terminal::restore();
                std::process::exit(128 + sig);
            }
        }
    })?;
    Ok(handle)
}
