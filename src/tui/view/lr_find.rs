//! The learning-rate range test of the selected label (`f`), in the
//! right-hand pane: the loss each short run reached (smoothed bright, raw dim)
//! against its learning rate on a log axis with decade ticks, the valley
//! underlined and the suggestion marked with a dashed vertical line and `●`.
//! `f` or `v` closes it; `u` undoes the suggestion.

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
        let shown = format::hyper(crate::optim::Hyper::Float(lr));
        title.push(Span::styled(format!("· suggested {shown}{set} "), theme::TITLE));
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
    if let Some((lo, hi)) = curve.valley {
        let col = |lr: f64| ((lr.log10() - x0) / (x1 - x0) * (w - 1) as f64 / 2.0).round() as u16;
        for c in col(lo)..=col(hi) {
            if c < plot.width {
                buf[(plot.x + c, axis_y)].set_char('━').set_style(Style::new().fg(theme::MINIMUM));
            }
        }
    }
    // Round ticks: decades on the log axes, as many as fit without touching.
    let at_row = |v: f64| ((y1 - v) / (y1 - y0) * (h - 1) as f64 / 4.0).floor();
    let label_w = usize::from(Y_LABEL_W);
    if log {
        let rows = usize::from(plot.height).max(1);
        for e in decade_ticks(y0, y1, rows.div_ceil(2).max(2)) {
            let r = at_row(f64::from(e));
            if (0.0..f64::from(plot.height)).contains(&r) {
                buf.set_string(inner.x, plot.y + r as u16, format!("{:>label_w$}", decade(e)), theme::AXIS);
            }
        }
    } else {
        for (row, v) in [(plot.y, y1), (axis_y - 1, y0)] {
            buf.set_string(inner.x, row, format!("{:>label_w$}", format::num(v)), theme::AXIS);
        }
    }
    let below = axis_y + 1;
    let widest = decade_ticks(x0, x1, 64).into_iter().map(|e| decade(e).chars().count()).max().unwrap_or(4);
    let fits = (usize::from(plot.width) / (widest + 2)).max(2);
    let mut next_free = plot.x;
    for e in decade_ticks(x0, x1, fits) {
        let text = decade(e);
        let col = ((f64::from(e) - x0) / (x1 - x0) * (w - 1) as f64 / 2.0).round() as u16;
        let n = text.chars().count() as u16;
        let x = (plot.x + col).saturating_sub(n / 2).max(plot.x).min(plot.right().saturating_sub(n));
        if x < next_free {
            continue;
        }
        buf.set_string(x, below, &text, theme::AXIS);
        if plot.x + col < plot.right() {
            buf[(plot.x + col, axis_y)].set_char('┬').set_style(theme::AXIS);
        }
        next_free = x + n + 1;
    }
    let x_title = "lr";
    if next_free + 2 < plot.right() {
        buf.set_string(plot.right() - 2, below, x_title, theme::DIM);
    }

    // What the picture says, top right.
    let mut notes = vec![match curve.suggestion {
        Some(lr) => Line::from(vec![
            Span::styled("● ", Style::new().fg(theme::MINIMUM)),
            Span::raw(format!("valley middle: lr {}", format::hyper(crate::optim::Hyper::Float(lr)))),
        ]),
        None => Line::styled("no suggestion: the loss never fell", theme::ERROR),
    }];
    if let Some(lr) = curve.diverged_at {
        notes.push(Line::styled(format!("diverged at lr {}", format::num(lr)), theme::DIM));
    }
    let what = format!("loss after {} updates{}", view.options.steps, if log { " · log" } else { "" });
    notes.push(Line::styled(what, theme::DIM));
    let width = notes.iter().map(Line::width).max().unwrap_or(0) as u16;
    if width + 2 <= plot.width && notes.len() as u16 <= plot.height / 2 {
        let rect = Rect::new(plot.right() - width - 1, plot.y, width + 1, notes.len() as u16);
        ratatui::widgets::Clear.render(rect, buf);
        Paragraph::new(notes).render(rect, buf);
    }
}

/// Every whole decade in [lo, hi] (log10 units), thinned to a stride of 1, 2,
/// 5, 10… decades so that at most `most` remain.
fn decade_ticks(lo: f64, hi: f64, most: usize) -> Vec<i32> {
    let (a, b) = (lo.ceil() as i32, hi.floor() as i32);
    if a > b {
        return Vec::new();
    }
    let stride =
        [1, 2, 3, 5, 10, 20, 50, 100].into_iter().find(|s| ((b - a) / s + 1) as usize <= most.max(1)).unwrap_or(100);
    (a..=b).filter(|e| e.rem_euclid(stride) == 0).collect()
}

/// 10^e as a person writes it: 0.001, 1, 100, 1e-6, 1e5.
fn decade(e: i32) -> String {
    match e {
        -3..=-1 => format!("0.{}1", "0".repeat((-e - 1) as usize)),
        0..=3 => format!("1{}", "0".repeat(e as usize)),
        _ => format!("1e{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decades_are_round_and_thinned_to_fit() {
        assert_eq!(decade_ticks(-6.0, 1.0, 8), vec![-6, -5, -4, -3, -2, -1, 0, 1]);
        assert_eq!(decade_ticks(-6.0, 1.0, 4), vec![-6, -4, -2, 0]);
        assert_eq!(decade_ticks(-6.0, 1.0, 2), vec![-5, 0]);
        assert_eq!(decade_ticks(-0.5, -0.2, 4), Vec::<i32>::new());
        let labels: Vec<String> = [-6, -3, -2, 0, 2, 4].into_iter().map(decade).collect();
        assert_eq!(labels, ["1e-6", "0.001", "0.01", "1", "100", "1e4"]);
    }
}
