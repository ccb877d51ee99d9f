//! The `?` overlay: every key, from the key table. On a short terminal it
//! scrolls (↑/↓); Esc or ? closes it.

use crate::tui::app::App;
use crate::tui::keys::BINDINGS;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// The help's lines.
pub fn lines() -> Vec<Line<'static>> {
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .map(|b| Line::from(vec![Span::styled(format!(" {:<9}", b.label), theme::KEY), Span::raw(b.help)]))
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!(" {:<9}", "mouse"), theme::KEY),
        Span::raw("drag a slider; click a table row to select, a legend entry to hide"),
    ]));
    lines.push(Line::from(vec![
        Span::styled(format!(" {:<9}", "right"), theme::KEY),
        Span::raw("click a row or a legend entry: only that run"),
    ]));
    lines.push(Line::from(""));
    lines.push(Line::styled(" Changes are recorded with their step (▲ on the x axis); w saves them.", theme::DIM));
    lines
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let lines = lines();
    let width = (lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 3).min(area.width);
    let height = (lines.len() as u16 + 2).min(area.height);
    let visible = usize::from(height.saturating_sub(2));
    let scroll = usize::from(app.help_scroll).min(lines.len().saturating_sub(visible));
    let title = if visible < lines.len() {
        format!(" keys {}–{} of {} · ↑↓ scroll · Esc closes ", scroll + 1, scroll + visible, lines.len())
    } else {
        " keys · Esc or ? closes ".to_string()
    };
    let [_, v, _] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    let [_, popup, _] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(width), Constraint::Fill(1)]).areas(v);
    Clear.render(popup, buf);
    Paragraph::new(lines.into_iter().skip(scroll).take(visible).collect::<Vec<_>>())
        .block(Block::bordered().title(Span::styled(title, theme::TITLE)).border_style(theme::BORDER))
        .render(popup, buf);
}
