//! The learning-rate range test of the selected label (`f`), in the
//! right-hand pane: the smoothed loss (bright) and the raw loss (dim) against
//! the learning rate on a log axis, the suggestion marked with a dashed
//! vertical line and `●`. `f` or `v` closes it.

use super::dots::Dots;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::snapshot::LrFindView;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

/// The widest y label (format::num is at most 9 characters).
const Y_LABEL_W: u16 = 9;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let view = app.lr_find_view();
    let group = view.map_or(app.selected, |v| v.group);
    let label = app.snapshot().groups.get(group).map_or("", |g| g.label.as_str());
    let color = Style::new().fg(theme::run_color(group));
    let mut title = vec![Span::styled(" lr-find ", theme::TITLE), Span::styled(format!("· {label} "), color)];
    if let Some(lr) = view.and_then(|v| v.curve.suggestion) {
        let set = if view.is_some_and(|v| v.applied) { " (set)" } else { "" };
        title.push(Span::styled(format!("· suggested {}{set} ", format::num(lr)), theme::TITLE));
    }
    title.push(Span::styled("· f closes ", theme::DIM));
    let block = Block::bordered().border_style(theme::BORDER).title(Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(view) = view else {
        Paragraph::new(Span::styled("running the learning-rate range test…", theme::DIM))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    };
    if inner.width < Y_LABEL_W + 8 || inner.height < 5 {
        return;
    }
    plot(view, color, inner, buf);
}

/// The curve, its axes and the suggestion inside `inner`.
fn plot(view: &LrFindView, color: Style, inner: Rect, buf: &mut Buffer) {
    let curve = &view.curve;
    let gap = |loss: f64| loss - view.f_star.unwrap_or(0.0);
    let finite: Vec<f64> = curve.points.iter().map(|p| p.smoothed).filter(|s| s.is_finite()).collect();
    let log = !finite.is_empty() && finite.iter().all(|&s| s > 0.0);
    let ty = |v: f64| -> Option<f64> {
        if !v.is_finite() {
            None
        } else if log {
            (v > 0.0).then(|| v.log10())
        } else {
            Some(v)
        }
    };
    let (y0, y1) =
        finite.iter().filter_map(|&v| ty(v)).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
    if y0 > y1 {
        Paragraph::new(Span::styled("the loss was not finite: nothing to draw", theme::DIM))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    }
    let pad = if y1 > y0 { (y1 - y0) * 0.05 } else { 0.5 };
    let (y0, y1) = (y0 - pad, y1 + pad);
    let (x0, x1) = (view.options.min_lr.log10(), view.options.max_lr.log10());

    let plot = Rect::new(inner.x + Y_LABEL_W + 1, inner.y, inner.width - Y_LABEL_W - 1, inner.height - 2);
    let mut dots = Dots::new(plot.width, plot.height);
    let (w, h) = dots.resolution();
    let to_dot =
        |lr: f64, y: f64| ((lr.log10() - x0) / (x1 - x0) * (w - 1) as f64, (y1 - y) / (y1 - y0) * (h - 1) as f64);
    let draw = |values: &mut dyn Iterator<Item = (f64, f64)>, style: Style, dots: &mut Dots| {
        let mut prev = None;
        for (lr, v) in values {
            let Some(y) = ty(v) else {
                prev = None;
                continue;
            };
            let d = to_dot(lr, y);
            match prev {
                Some(a) => dots.line(a, d, style, false),
                None => dots.point(d, style),
            }
            prev = Some(d);
        }
    };
    let suggestion = curve.suggestion_index.and_then(|i| curve.points.get(i)).copied();
    if let Some(p) = suggestion {
        let x = to_dot(p.lr, y0).0;
        dots.line((x, 0.0), (x, (h - 1) as f64), Style::new().fg(theme::MINIMUM), true);
    }
    draw(&mut curve.points.iter().map(|p| (p.lr, gap(p.loss))), color.add_modifier(Modifier::DIM), &mut dots);
    draw(&mut curve.points.iter().map(|p| (p.lr, p.smoothed)), color, &mut dots);
    dots.render(plot, buf);
    if let Some(p) = suggestion
        && let Some(y) = ty(p.smoothed)
    {
        let (dx, dy) = to_dot(p.lr, y);
        let (col, row) = ((dx / 2.0).round() as u16, (dy / 4.0).floor() as u16);
        if col < plot.width && row < plot.height {
            buf[(plot.x + col, plot.y + row)].set_char('●').set_style(Style::new().fg(theme::MINIMUM));
        }
    }

    // Axes and labels, as the other charts draw them.
    let axis_x = plot.x - 1;
    let axis_y = plot.bottom();
    for y in plot.y..axis_y {
        buf[(axis_x, y)].set_char('│').set_style(theme::AXIS);
    }
    for x in plot.x..plot.right() {
        buf[(x, axis_y)].set_char('─').set_style(theme::AXIS);
    }
    buf[(axis_x, axis_y)].set_char('└').set_style(theme::AXIS);
    let y_label = |v: f64| format::num(if log { 10f64.powf(v) } else { v });
    let at_row = |r: u16| y1 - (f64::from(r) * 4.0 + 1.5) / (h - 1) as f64 * (y1 - y0);
    let label_w = usize::from(Y_LABEL_W);
    for (row, v) in [(plot.y, y1), (plot.y + plot.height / 2, at_row(plot.height / 2)), (axis_y - 1, y0)] {
        buf.set_string(inner.x, row, format!("{:>label_w$}", y_label(v)), theme::AXIS);
    }
    let below = axis_y + 1;
    let left = format::num(view.options.min_lr);
    let mid = format::num(10f64.powf((x0 + x1) / 2.0));
    let right = format::num(view.options.max_lr);
    buf.set_string(plot.x, below, &left, theme::AXIS);
    let mid_x = plot.x + plot.width / 2 - (mid.chars().count() as u16 / 2).min(plot.width / 2);
    buf.set_string(mid_x, below, &mid, theme::AXIS);
    let right_x = plot.right().saturating_sub(right.chars().count() as u16).max(plot.x);
    buf.set_string(right_x, below, &right, theme::AXIS);
    let x_title = " learning rate (log)";
    let title_w = x_title.chars().count() as u16;
    if plot.width > title_w + 2 {
        buf.set_string(plot.right() - title_w - 1, axis_y, x_title, theme::DIM);
    }

    // What the picture says, top right.
    let mut notes = vec![match curve.suggestion {
        Some(lr) => Line::from(vec![
            Span::styled("● ", Style::new().fg(theme::MINIMUM)),
            Span::raw(format!("steepest fall: lr {}", format::num(lr))),
        ]),
        None => Line::styled("no suggestion: the loss never fell", theme::ERROR),
    }];
    if let Some(lr) = curve.diverged_at {
        notes.push(Line::styled(format!("diverged at lr {}", format::num(lr)), theme::DIM));
    }
    notes.push(Line::styled(if log { "smoothed loss · log" } else { "smoothed loss" }, theme::DIM));
    let width = notes.iter().map(Line::width).max().unwrap_or(0) as u16;
    if width + 2 <= plot.width && notes.len() as u16 <= plot.height / 2 {
        let rect = Rect::new(plot.right() - width - 1, plot.y, width + 1, notes.len() as u16);
        ratatui::widgets::Clear.render(rect, buf);
        Paragraph::new(notes).render(rect, buf);
    }
}
