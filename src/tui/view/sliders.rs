//! One learning-rate slider per label on a log scale (1e-6 … 10), with its
//! value; under them, the selected label's other hyperparameters, the one
//! under the cursor highlighted (Tab moves it, [ and ] change it).

use crate::tui::adjust;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

const VALUE_W: u16 = 8;
const MARK_W: u16 = 2;

/// The pane's frame; its title shortened to fit narrow panes.
fn block(width: u16) -> Block<'static> {
    let hint = if width >= 38 { "· log · ←→ or drag " } else { "· ←→ " };
    Block::bordered()
        .border_style(theme::BORDER)
        .title(Line::from(vec![Span::styled(" learning rate ", theme::TITLE), Span::styled(hint, theme::DIM)]))
}

/// The lines below the sliders: the selected label's other hyperparameters, wrapped.
fn field_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let s = app.snapshot();
    let Some(g) = s.groups.get(app.selected) else { return Vec::new() };
    let width = usize::from(width);
    let mut head = vec![Span::styled(
        format!("{} ({})", g.label, g.kind.name()),
        Style::new().fg(app.color(app.selected)).add_modifier(Modifier::BOLD),
    )];
    if g.scheduled {
        head.push(Span::styled(format!(" · lr now {}", format::num(g.next_lr)), theme::DIM));
    }
    if g.finished {
        head.push(Span::styled(" · stopped", theme::DIM));
    }
    let mut lines = vec![Line::from(head)];
    let mut current: Vec<Span> = Vec::new();
    let mut used = 0;
    for (i, spec) in app.fields().iter().enumerate() {
        let value = app.value(app.selected, spec.name).map(format::hyper).unwrap_or_default();
        let text = format!("{} {}", spec.name, value);
        let w = text.chars().count() + 2;
        if used + w > width && !current.is_empty() {
            lines.push(Line::from(std::mem::take(&mut current)));
            used = 0;
        }
        let style = if i == app.field { theme::SELECTED } else { Style::new() };
        current.push(Span::styled(text, style));
        current.push(Span::raw("  "));
        used += w;
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    if lines.len() > 1 {
        lines.insert(1, Line::styled("Tab: next · [ ]: change", theme::DIM));
    }
    lines
}

/// Rows the pane would like at this width.
pub fn height(app: &App, width: u16) -> u16 {
    let inner = width.saturating_sub(2);
    app.snapshot().groups.len() as u16 + field_lines(app, inner).len() as u16 + 2
}

/// The rows of the label sliders shown (scrolled to keep the selection visible).
fn visible(app: &App, inner: Rect) -> (usize, usize) {
    let groups = app.snapshot().groups.len();
    let rows = usize::from(inner.height).saturating_sub(if groups > 0 { 1 } else { 0 }).max(1).min(groups);
    let first = (app.selected + 1).saturating_sub(rows);
    (first, rows)
}

struct RowLayout {
    label_w: u16,
    track: u16,
}

fn row_layout(app: &App, inner: Rect) -> RowLayout {
    let longest = app.snapshot().groups.iter().map(|g| g.label.chars().count()).max().unwrap_or(0) as u16;
    // Whole labels, as long as the track keeps 5 columns; then cut in the middle.
    let label_w = longest.min(inner.width.saturating_sub(MARK_W + 2 + VALUE_W + 5)).max(6.min(longest)).max(1);
    let track = inner.width.saturating_sub(MARK_W + label_w + 1 + 1 + VALUE_W);
    RowLayout { label_w, track }
}

/// The slider tracks on screen, per label.
pub fn tracks(app: &App, area: Rect) -> Vec<(usize, Rect)> {
    let inner = block(area.width).inner(area);
    let l = row_layout(app, inner);
    if l.track < 3 {
        return Vec::new();
    }
    let (first, rows) = visible(app, inner);
    (first..first + rows)
        .enumerate()
        .map(|(row, g)| (g, Rect::new(inner.x + MARK_W + l.label_w + 1, inner.y + row as u16, l.track, 1)))
        .collect()
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let b = block(area.width);
    let inner = b.inner(area);
    b.render(area, buf);
    if inner.width < 8 || inner.height == 0 {
        return;
    }
    let s = app.snapshot();
    let l = row_layout(app, inner);
    let (first, rows) = visible(app, inner);
    let mut lines = Vec::new();
    for g in first..first + rows {
        let group = &s.groups[g];
        let color = app.color(g);
        let selected = g == app.selected;
        let lr = app.lr(g);
        let mut spans = vec![
            Span::styled(if selected { "▸ " } else { "  " }, Style::new().fg(color)),
            Span::styled(
                format!("{:<w$} ", format::elide(&group.label, usize::from(l.label_w)), w = usize::from(l.label_w)),
                if selected { Style::new().fg(color).add_modifier(Modifier::BOLD) } else { Style::new().fg(color) },
            ),
        ];
        if l.track >= 3 {
            let n = usize::from(l.track);
            let knob = (adjust::lr_fraction(lr) * (n - 1) as f64).round() as usize;
            let knob_style =
                if group.finished { theme::DIM } else { Style::new().fg(color).add_modifier(Modifier::BOLD) };
            spans.push(Span::styled("━".repeat(knob), Style::new().fg(color)));
            spans.push(Span::styled("●", knob_style));
            spans.push(Span::styled("─".repeat(n - 1 - knob), theme::DIM));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(
            format!("{:>w$}", format::hyper(crate::optim::Hyper::Float(lr)), w = usize::from(VALUE_W)),
            Style::new().add_modifier(Modifier::BOLD),
        ));
        lines.push(Line::from(spans));
    }
    let fields = field_lines(app, inner.width);
    lines.extend(fields);
    Paragraph::new(lines).render(inner, buf);
}
