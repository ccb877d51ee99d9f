//! The bottom line: why the last key did nothing, or the latest notice (an
//! export's folder, a refused change), then the main keys; `? help` always
//! ends it, whatever the width.

use crate::tui::app::App;
use crate::tui::format;
use crate::tui::keys::BINDINGS;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

const HELP: (&str, &str) = ("?", "help");

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let width = usize::from(area.width);
    let help_w = HELP.0.chars().count() + HELP.1.chars().count() + 2;
    let message = match (app.note(), app.notice()) {
        (Some(note), _) => Some((note.to_string(), true)),
        (None, Some(n)) => Some((n.text.clone(), n.error)),
        _ => None,
    };
    let mut spans = Vec::new();
    let mut used = 0;
    if let Some((text, error)) = message {
        // The message gets what the help key leaves, cut in the middle if it must be.
        let room = width.saturating_sub(help_w + 3);
        let text = format::elide(&text, room);
        used += text.chars().count() + 3;
        spans.push(Span::styled(format!(" {text} "), if error { theme::ERROR } else { theme::MESSAGE }));
        spans.push(Span::styled("│", theme::DIM));
    }
    for (keys, word) in BINDINGS.iter().filter_map(|b| b.short).filter(|s| *s != HELP) {
        let w = keys.chars().count() + word.chars().count() + 2;
        if used + w + help_w > width {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {keys}"), theme::KEY));
        spans.push(Span::styled(format!(" {word}"), theme::FOOTER));
    }
    spans.push(Span::styled(format!(" {}", HELP.0), theme::KEY));
    spans.push(Span::styled(format!(" {}", HELP.1), theme::FOOTER));
    Line::from(spans).render(area, buf);
}
