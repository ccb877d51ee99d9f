//! The UI thread's loop: read keys and the mouse, turn them into actions, send
//! the engine its share, and redraw at most ~30 times a second when something
//! changed (a new snapshot, a key, a resize). It never waits on the engine.

use super::action::Action;
use super::app::App;
use super::keys;
use crossterm::event::{self, Event, KeyEventKind};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const FRAME: Duration = Duration::from_millis(33);
/// How often an idle UI looks for signals and new snapshots.
const IDLE_POLL: Duration = Duration::from_millis(100);

/// Why the loop ended.
pub enum Exit {
    Quit,
    Signal(usize),
    EngineStopped,
}

/// The loop failed: drawing, or reading the terminal (hung up, say).
#[derive(Debug, thiserror::Error)]
pub enum LoopError<E: std::error::Error + 'static> {
    #[error("cannot draw: {0}")]
    Draw(#[source] E),
    #[error("cannot read the terminal: {0}")]
    Read(#[source] std::io::Error),
}

pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    tx: &Sender<(u64, Action)>,
    signal: &AtomicUsize,
    engine: &JoinHandle<()>,
) -> Result<Exit, LoopError<B::Error>> {
    let mut version = u64::MAX;
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let inject_panic = std::env::var("OPTLAB_TEST_PANIC").is_ok_and(|v| v == "ui");
    let inject_alloc_failure = std::env::var("OPTLAB_TEST_PANIC").is_ok_and(|v| v == "alloc");
    loop {
        let sig = signal.load(Ordering::SeqCst);
        if sig != 0 {
            return Ok(Exit::Signal(sig));
        }
        if engine.is_finished() {
            return Ok(Exit::EngineStopped);
        }
        if app.refresh(&mut version) {
            dirty = true;
        }
        let since = last_draw.map_or(FRAME, |t| t.elapsed());
        if dirty && since >= FRAME {
            let size = terminal.size().map_err(LoopError::Draw)?;
            app.size = Rect::new(0, 0, size.width, size.height);
            terminal.draw(|f| f.render_widget(&*app, f.area())).map_err(LoopError::Draw)?;
            dirty = false;
            last_draw = Some(Instant::now());
            if inject_panic {
                panic!("test panic in the UI thread (OPTLAB_TEST_PANIC=ui)");
            }
            if inject_alloc_failure {
                // More than any machine has: the allocation fails and the process aborts.
                let v: Vec<u8> = Vec::with_capacity(1 << 60);
                std::hint::black_box(v);
            }
        }
        let timeout = if dirty {
            FRAME.saturating_sub(since)
        } else if app.snapshot().paused {
            IDLE_POLL
        } else {
            FRAME
        };
        // A terminal that cannot be read (hung up) ends the lab instead of
        // leaving it spinning on errors.
        if !event::poll(timeout).map_err(LoopError::Read)? {
            continue;
        }
        // Everything that is waiting, then one redraw.
        loop {
            let forward = match event::read().map_err(LoopError::Read)? {
                Event::Key(key) if key.kind == KeyEventKind::Press => keys::action_for(key).and_then(|a| app.update(a)),
                Event::Mouse(m) => app.mouse(m),
                _ => None,
            };
            dirty = true;
            if let Some(message) = forward {
                // The engine is gone only if it stopped; the loop notices above.
                let _ = tx.send(message);
            }
            if app.quit {
                return Ok(Exit::Quit);
            }
            if !event::poll(Duration::ZERO).map_err(LoopError::Read)? {
                break;
            }
        }
    }
}
