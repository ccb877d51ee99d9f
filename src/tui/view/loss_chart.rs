//! The loss of every run against steps, epochs, samples seen or seconds: one
//! colour per label (a hue per optimizer entry, shaded by sweep value), the
//! selected label on top and bold, hidden labels left out, the others dimmed
//! in focus mode; the seeds of a label as their median and a band;
//! validation loss dashed; TensorBoard smoothing over a dim raw line.

use super::chart::{self, ChartSpec, Curve, Drawn, LegendEntry};
use crate::engine::{History, Metric, Status};
use crate::tui::app::App;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

/// Runs in drawing order (hidden labels left out): the selected label last, on top.
pub fn drawing_order(app: &App) -> Vec<usize> {
    let s = app.snapshot();
    let (mut others, selected): (Vec<usize>, Vec<usize>) =
        (0..s.runs.len()).filter(|&i| app.shown(s.runs[i].group)).partition(|&i| s.runs[i].group != app.selected);
    others.extend(selected);
    others
}

/// The style of a label's lines: its colour; bold when selected; faint when
/// another label has the focus.
pub fn line_style(app: &App, group: usize) -> Style {
    let color = app.color(group);
    if group == app.selected {
        Style::new().fg(theme::bright(color, app.depth)).add_modifier(Modifier::BOLD)
    } else if app.focus {
        Style::new().fg(theme::faint(color, 0.4, app.depth))
    } else {
        Style::new().fg(color)
    }
}

/// The curves of one metric for every shown run, in drawing order, raw (dim
/// when smoothed) and smoothed; seeds as bands unless every seed is asked for.
pub fn curves<'a>(app: &App, histories: &[&'a History], metric: Metric) -> Vec<Curve<'a>> {
    let s = app.snapshot();
    let smoothing = s.smoothing > 0.0;
    let mut out = Vec::new();
    for i in drawing_order(app) {
        let (Some(run), Some(h)) = (s.runs.get(i), histories.get(i)) else { continue };
        if !h.has(metric) {
            continue;
        }
        let style = line_style(app, run.group);
        let banded = app.banded(run.group);
        let band = banded.then(|| (run.group, theme::faint(app.color(run.group), 0.3, app.depth)));
        let base = Curve {
            history: h,
            metric,
            smoothed: false,
            style,
            dashed: false,
            outlier: matches!(run.status, Status::Diverged { .. }),
            band,
        };
        if smoothing {
            if !banded {
                let dim = Style::new().fg(theme::faint(app.color(run.group), 0.45, app.depth));
                out.push(Curve { style: dim, ..base.clone() });
            }
            out.push(Curve { smoothed: true, ..base });
        } else {
            out.push(base);
        }
    }
    out
}

/// One legend entry per label, hidden ones included (dim).
pub fn legend(app: &App) -> Vec<LegendEntry> {
    let s = app.snapshot();
    s.groups
        .iter()
        .enumerate()
        .map(|(g, group)| LegendEntry {
            name: if group.runs.len() > 1 && app.banded(g) {
                format!("{} ({} seeds)", group.label, group.runs.len())
            } else {
                group.label.clone()
            },
            style: Style::new().fg(app.color(g)),
            hidden: !app.shown(g),
            selected: g == app.selected,
            group: g,
        })
        .collect()
}

/// Where settings changed, per shown label, in its colour.
pub fn markers(app: &App) -> Vec<(u64, Style)> {
    let s = app.snapshot();
    s.groups
        .iter()
        .enumerate()
        .filter(|(g, _)| app.shown(*g))
        .flat_map(|(g, group)| group.changes.iter().map(move |&step| (step, Style::new().fg(app.color(g)))))
        .collect()
}

/// The title's notes on how the chart is drawn (zoom, robust range, focus, seeds).
pub fn view_notes(app: &App) -> Vec<Span<'static>> {
    let mut notes = Vec::new();
    let zoom = app.zoom_fraction();
    if zoom < 1.0 {
        notes.push(Span::styled(if zoom >= 0.5 { "· last half " } else { "· last tenth " }, theme::DIM));
    }
    if app.robust {
        notes.push(Span::styled("· robust y ", theme::DIM));
    }
    if app.focus {
        notes.push(Span::styled("· focus ", theme::DIM));
    }
    let hidden = app.hidden.len();
    if hidden > 0 {
        notes.push(Span::styled(format!("· {hidden} hidden "), theme::DIM));
    }
    if app.snapshot().groups.iter().any(|g| g.runs.len() > 1) {
        let seeds = app.snapshot().groups.iter().map(|g| g.runs.len()).max().unwrap_or(1);
        notes.push(Span::styled(
            if app.seed_lines {
                "· every seed ".to_string()
            } else if seeds >= 5 {
                "· median, IQR band ".to_string()
            } else {
                "· median, min–max band ".to_string()
            },
            theme::DIM,
        ));
    }
    notes
}

pub fn spec<'a>(app: &App, histories: &[&'a History]) -> ChartSpec<'a> {
    let s = app.snapshot();
    let mut curves = Vec::new();
    let has_val = histories.iter().any(|h| h.has(Metric::ValLoss));
    if has_val {
        for mut c in self::curves(app, histories, Metric::ValLoss) {
            c.dashed = true;
            curves.push(c);
        }
    }
    curves.extend(self::curves(app, histories, Metric::Loss));
    let floor = histories.first().map_or(0.0, |h| h.floor(Metric::Loss));
    let mut title = vec![Span::styled(if floor < 0.0 { " loss − f* " } else { " loss " }, theme::TITLE)];
    title.push(Span::styled(if app.log_scale { "· log " } else { "· linear " }, theme::DIM));
    if s.smoothing > 0.0 {
        title.push(Span::styled(format!("· smoothing {} ", s.smoothing), theme::DIM));
    }
    if has_val {
        title.push(Span::styled("· ┄ validation ", theme::DIM));
    }
    title.extend(view_notes(app));
    ChartSpec {
        title: Line::from(title),
        unit: app.x_unit,
        train_size: s.train_size.unwrap_or(0) as f64,
        curves,
        log: app.log_scale,
        domain: None,
        robust: app.robust,
        zoom: app.zoom_fraction(),
        legend: legend(app),
        markers: markers(app),
    }
}

pub fn render(app: &App, histories: &[&History], area: Rect, buf: &mut Buffer) -> Drawn {
    let mut spec = spec(app, histories);
    // The name and the scale always; the notes after them as far as they fit.
    let mut spans = std::mem::take(&mut spec.title.spans);
    let notes = spans.split_off(spans.len().min(2));
    spec.title = super::fitted_title(spans, notes, area.width);
    chart::render(spec, area, buf)
}
