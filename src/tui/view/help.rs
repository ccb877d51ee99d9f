//! The `?` overlay: every key, from the key table.

use crate::tui::keys::BINDINGS;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

pub fn render(area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .map(|b| Line::from(vec![Span::styled(format!(" {:<9}", b.label), theme::KEY), Span::raw(b.help)]))
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!(" {:<9}", "mouse"), theme::KEY),
        Span::raw("drag a learning-rate slider"),
    ]));
    lines.push(Line::from(""));
    lines.push(Line::styled(" Changes are recorded with their step; w saves them as [[event]]s.", theme::DIM));
    let width = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 3;
    let height = lines.len() as u16 + 2;
    let [_, v, _] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    let [_, popup, _] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(width), Constraint::Fill(1)]).areas(v);
    Clear.render(popup, buf);
    Paragraph::new(lines)
        .block(Block::bordered().title(Span::styled(" keys — ? closes ", theme::TITLE)).border_style(theme::BORDER))
        .render(popup, buf);
}
