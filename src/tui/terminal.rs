//! The terminal's lifecycle: raw mode, the alternate screen and mouse capture
//! on the way in; all of it undone on the way out, whether the lab quits,
//! is signalled, or panics. A panic on the UI thread restores the terminal
//! before the message is printed; a panic elsewhere (the engine) is kept for
//! the UI thread, which restores the terminal and then prints it.

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout, stdout};
use std::panic;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::{self, ThreadId};

static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();
static ACTIVE: AtomicBool = AtomicBool::new(false);
static OTHER_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Undo everything `enter` did (safe to call twice).
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, crossterm::cursor::Show);
        let _ = disable_raw_mode();
    }
}

/// The message of a panic on another thread than the UI's, if one happened.
pub fn other_panic() -> Option<String> {
    OTHER_PANIC.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

fn install_panic_hook() {
    let _ = UI_THREAD.set(thread::current().id());
    let previous = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if Some(&thread::current().id()) == UI_THREAD.get() || !ACTIVE.load(Ordering::SeqCst) {
            restore();
            previous(info);
        } else {
            let mut slot = OTHER_PANIC.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = Some(info.to_string());
            }
        }
    }));
}

/// The terminal, restored when dropped.
pub struct Guard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

pub fn enter() -> io::Result<Guard> {
    install_panic_hook();
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    // Clearing by hand: ratatui's `clear` asks the terminal where the cursor
    // is, and a terminal that does not answer would stall the start.
    let setup = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        crossterm::cursor::Hide,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )
    .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
    match setup {
        Ok(terminal) => Ok(Guard { terminal }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}
