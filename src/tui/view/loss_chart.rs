//! The loss of every run against steps (or epochs): one colour and one legend
//! entry per label, validation loss dotted, TensorBoard smoothing over a dim
//! raw line, log or linear scale.

use super::chart::{self, ChartSpec, Curve};
use crate::engine::{History, Metric, Status};
use crate::tui::app::App;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Runs in drawing order for the landscape: the selected label last, on top.
pub fn drawing_order(app: &App) -> Vec<usize> {
    let s = app.snapshot();
    let (mut others, selected): (Vec<usize>, Vec<usize>) =
        (0..s.runs.len()).partition(|&i| s.runs[i].group != app.selected);
    others.extend(selected);
    others
}

/// x units per step for a run: epochs for models when asked, else steps.
pub fn x_scale(app: &App, run: usize) -> f64 {
    let s = app.snapshot();
    match s.runs.get(run).and_then(|r| r.epochs_per_step) {
        Some(e) if app.epochs && s.is_model && e > 0.0 => e,
        _ => 1.0,
    }
}

pub fn x_title(app: &App) -> &'static str {
    if app.epochs && app.snapshot().is_model && app.snapshot().runs.iter().any(|r| r.epochs_per_step.is_some()) {
        "epochs"
    } else {
        "steps"
    }
}

/// The curves of one metric for every run, raw (dim when smoothed) and smoothed.
pub fn curves<'a>(app: &App, histories: &[&'a History], metric: Metric) -> Vec<Curve<'a>> {
    let s = app.snapshot();
    let smoothing = s.smoothing > 0.0;
    let mut named = vec![false; s.groups.len()];
    let mut out = Vec::new();
    for i in 0..s.runs.len() {
        let (Some(run), Some(h)) = (s.runs.get(i), histories.get(i)) else { continue };
        if !h.has(metric) {
            continue;
        }
        let color = theme::run_color(run.group);
        let name = (!std::mem::replace(&mut named[run.group], true)).then(|| s.groups[run.group].label.clone());
        let base = Curve {
            history: h,
            metric,
            smoothed: false,
            x_scale: x_scale(app, i),
            style: Style::new().fg(color),
            dashed: false,
            name: None,
            outlier: matches!(run.status, Status::Diverged { .. }),
        };
        if smoothing {
            out.push(Curve { style: Style::new().fg(color).add_modifier(Modifier::DIM), ..base.clone() });
            out.push(Curve { smoothed: true, name, ..base });
        } else {
            out.push(Curve { name, ..base });
        }
    }
    out
}

pub fn render(app: &App, histories: &[&History], area: Rect, buf: &mut Buffer) {
    let s = app.snapshot();
    let mut curves = Vec::new();
    let has_val = histories.iter().any(|h| h.has(Metric::ValLoss));
    if has_val {
        for mut c in super::loss_chart::curves(app, histories, Metric::ValLoss) {
            c.dashed = true;
            c.name = None;
            curves.push(c);
        }
    }
    curves.extend(self::curves(app, histories, Metric::Loss));
    let floor = histories.first().and_then(|h| h.series(Metric::Loss, false)).map_or(0.0, |s| s.floor());
    let mut title = vec![Span::styled(if floor < 0.0 { " loss − f* " } else { " loss " }, theme::TITLE)];
    title.push(Span::styled(if app.log_scale { "· log " } else { "· linear " }, theme::DIM));
    if s.smoothing > 0.0 {
        title.push(Span::styled(format!("· smoothing {} ", s.smoothing), theme::DIM));
    }
    if has_val {
        title.push(Span::styled("· ┄ validation ", theme::DIM));
    }
    chart::render(ChartSpec { title: Line::from(title), x_title: x_title(app), curves, log: app.log_scale }, area, buf);
}
