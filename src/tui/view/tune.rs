//! The lab tuning of the selected label (`t`), in the right-hand pane: a
//! progress line, the best metric so far against the gradient evaluations
//! spent (log axis for losses), and the best configuration with what became
//! of it (set, undone). `t` or `v` closes it.

use super::dots::Dots;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use crate::tui::tune::{TuneState, TuneView};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

/// The widest y label (format::num is at most 9 characters).
const Y_LABEL_W: u16 = 9;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let view = app.tune_view();
    let group = view.map_or(app.selected, |v| v.group);
    let label = app.snapshot().groups.get(group).map_or("", |g| g.label.as_str());
    let color = Style::new().fg(theme::run_color(group));
    let title = vec![
        Span::styled(" tune ", theme::TITLE),
        Span::styled(format!("· {label} "), color),
        Span::styled("· t closes ", theme::DIM),
    ];
    let block = Block::bordered().border_style(theme::BORDER).title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(view) = view else {
        Paragraph::new(Span::styled("starting the tuning…", theme::DIM)).wrap(Wrap { trim: true }).render(inner, buf);
        return;
    };
    if inner.height < 3 || inner.width < 12 {
        return;
    }
    let (head, notes) = text(view);
    let head_h = (head.len() as u16).min(inner.height);
    Paragraph::new(head).render(Rect { height: head_h, ..inner }, buf);
    // Wrapped, a note takes as many rows as its width needs.
    let rows: usize = notes.iter().map(|l| l.width().div_ceil(usize::from(inner.width)).max(1)).sum();
    let notes_h = (rows as u16).min(inner.height - head_h);
    let notes_area = Rect { y: inner.bottom() - notes_h, height: notes_h, ..inner };
    Paragraph::new(notes).wrap(Wrap { trim: true }).render(notes_area, buf);
    let chart = Rect { y: inner.y + head_h, height: inner.height - head_h - notes_h, ..inner };
    if chart.width >= Y_LABEL_W + 8 && chart.height >= 5 {
        plot(view, color, chart, buf);
    }
}

/// The progress line above the chart, and the best configuration and state below it.
fn text(view: &TuneView) -> (Vec<Line<'static>>, Vec<Line<'static>>) {
    let fraction = if view.budget > 0 { view.spent as f64 / view.budget as f64 } else { 0.0 };
    let progress = Line::from(vec![
        Span::raw(format!("{}/{} trials", view.trials_done, view.trials)),
        Span::styled(
            format!(
                " · {}% of {} gradient evaluations · {}",
                (100.0 * fraction).round(),
                format::count(view.budget as f64),
                view.metric.name()
            ),
            theme::DIM,
        ),
    ]);
    let space: Vec<String> = view.space.iter().map(|(n, s)| format!("{n} {}", s.describe())).collect();
    let head = vec![progress, Line::styled(format!("space: {}", space.join("; ")), theme::DIM)];
    let mut notes = Vec::new();
    if let Some((values, metric)) = &view.best {
        let shown: Vec<String> = values.iter().map(|(n, v)| format!("{n} = {}", format::found(*v))).collect();
        notes.push(Line::from(vec![
            Span::styled("best: ", theme::TITLE),
            Span::raw(shown.join(", ")),
            Span::styled(format!(" ({} {})", view.metric.name(), format::num(*metric)), theme::DIM),
        ]));
    }
    let state = match &view.state {
        TuneState::Running => Line::styled("running in the background…", theme::DIM),
        TuneState::Applied => Line::styled("set · u undoes", Style::new().fg(theme::MINIMUM)),
        TuneState::Undone => Line::styled("undone: the previous values are back", theme::DIM),
        TuneState::NotApplied(why) => Line::styled(format!("not set: {why}"), theme::ERROR),
        TuneState::Failed(why) => Line::styled(format!("failed: {why}"), theme::ERROR),
        TuneState::Cancelled => Line::styled("cancelled", theme::DIM),
    };
    notes.push(state);
    (head, notes)
}

/// The best-so-far curve and its axes inside `inner`.
fn plot(view: &TuneView, color: Style, inner: Rect, buf: &mut Buffer) {
    let values: Vec<f64> = view.curve.iter().map(|p| p.1).filter(|v| v.is_finite()).collect();
    let log = !values.is_empty() && values.iter().all(|&v| v > 0.0) && !view.metric.maximize();
    let ty = |v: f64| if log { v.log10() } else { v };
    let (mut y0, mut y1) =
        values.iter().map(|&v| ty(v)).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if y0 > y1 {
        (y0, y1) = (0.0, 1.0);
    }
    let pad = if y1 > y0 { (y1 - y0) * 0.05 } else { 0.5 };
    let (y0, y1) = (y0 - pad, y1 + pad);
    let x1 = view.budget.max(1) as f64;

    let plot = Rect::new(inner.x + Y_LABEL_W + 1, inner.y, inner.width - Y_LABEL_W - 1, inner.height - 2);
    let mut dots = Dots::new(plot.width, plot.height);
    let (w, h) = dots.resolution();
    let to_dot = |x: f64, y: f64| (x / x1 * (w - 1) as f64, (y1 - y) / (y1 - y0) * (h - 1) as f64);
    let mut prev: Option<(f64, f64)> = None;
    for &(spent, v) in &view.curve {
        let d = to_dot(spent as f64, ty(v));
        match prev {
            // Steps: the best holds until the next improvement.
            Some(a) => {
                let corner = (d.0, a.1);
                dots.line(a, corner, color, false);
                dots.line(corner, d, color, false);
            }
            None => dots.point(d, color),
        }
        prev = Some(d);
    }
    dots.render(plot, buf);

    let axis_x = plot.x - 1;
    let axis_y = plot.bottom();
    for y in plot.y..axis_y {
        buf[(axis_x, y)].set_char('│').set_style(theme::AXIS);
    }
    for x in plot.x..plot.right() {
        buf[(x, axis_y)].set_char('─').set_style(theme::AXIS);
    }
    buf[(axis_x, axis_y)].set_char('└').set_style(theme::AXIS);
    let label_w = usize::from(Y_LABEL_W);
    let y_label = |v: f64| format::num(if log { 10f64.powf(v) } else { v });
    if !values.is_empty() {
        buf.set_string(inner.x, plot.y, format!("{:>label_w$}", y_label(y1)), theme::AXIS);
        buf.set_string(inner.x, axis_y - 1, format!("{:>label_w$}", y_label(y0)), theme::AXIS);
    }
    let below = axis_y + 1;
    buf.set_string(plot.x, below, "0", theme::AXIS);
    let right = format::count(x1);
    let right_x = plot.right().saturating_sub(right.chars().count() as u16).max(plot.x);
    buf.set_string(right_x, below, &right, theme::AXIS);
    let x_title = " gradient evaluations ";
    let title_w = x_title.chars().count() as u16;
    if plot.width > title_w + right.chars().count() as u16 + 4 {
        buf.set_string(plot.x + (plot.width - title_w) / 2, below, x_title, theme::DIM);
    }
    let y_title = format!("best {}{}", view.metric.name(), if log { " · log" } else { "" });
    let w = y_title.chars().count() as u16;
    if w + 2 <= plot.width {
        buf.set_string(plot.right() - w - 1, plot.y, y_title, theme::DIM);
    }
}
