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
/// The terminal's settings before raw mode, and the descriptor they were read
/// from: what [`restore_without_allocating`] puts back.
static SAVED: OnceLock<(i32, libc::termios)> = OnceLock::new();

/// The escape sequences crossterm's `DisableMouseCapture`, `LeaveAlternateScreen`
/// and `cursor::Show` write, as bytes ready to go.
const RESTORE_SEQUENCES: &[u8] = b"\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h";

/// Restore the terminal with two system calls and nothing else: no
/// allocation, no lock, no formatting. For the global allocator's failure path
/// (a process that cannot allocate is about to abort, and crossterm's restore
/// allocates) and other ways out that skip destructors.
pub fn restore_without_allocating() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        // SAFETY: writing a static buffer to stdout and setting terminal
        // attributes read earlier by tcgetattr on the same descriptor.
        unsafe {
            libc::write(libc::STDOUT_FILENO, RESTORE_SEQUENCES.as_ptr().cast(), RESTORE_SEQUENCES.len());
            if let Some((fd, termios)) = SAVED.get() {
                libc::tcsetattr(*fd, libc::TCSANOW, termios);
            }
        }
    }
}

/// Keep the terminal's settings before raw mode (the descriptor crossterm
/// sets raw mode on: stdin when it is a terminal, else /dev/tty).
fn save_settings() {
    // SAFETY: isatty/open/tcgetattr on valid arguments; termios is plain data.
    unsafe {
        let fd = if libc::isatty(libc::STDIN_FILENO) == 1 {
            libc::STDIN_FILENO
        } else {
            libc::open(c"/dev/tty".as_ptr(), libc::O_RDWR)
        };
        if fd < 0 {
            return;
        }
        let mut termios: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut termios) == 0 {
            let _ = SAVED.set((fd, termios));
        }
    }
}
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
    save_settings();
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
