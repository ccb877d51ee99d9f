//! The bottom line: the latest notice (an export's folder, a refused change),
//! then the main keys.

use crate::tui::app::App;
use crate::tui::keys::BINDINGS;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    if let Some(n) = app.notice() {
        spans.push(Span::styled(format!(" {} ", n.text), if n.error { theme::ERROR } else { theme::MESSAGE }));
        spans.push(Span::styled("│", theme::DIM));
    }
    for (keys, word) in BINDINGS.iter().filter_map(|b| b.short) {
        spans.push(Span::styled(format!(" {keys}"), theme::KEY));
        spans.push(Span::styled(format!(" {word}"), theme::FOOTER));
    }
    Line::from(spans).render(area, buf);
}
