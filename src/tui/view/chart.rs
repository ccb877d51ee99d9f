//! A line chart of history metrics that costs the chart's width: each run is
//! cut into one slice of steps per braille column, and each slice is drawn as
//! the vertical span of its values (min to max, from the history's level of
//! detail), joined to the next. Short slices are drawn point by point.

use crate::engine::{History, Metric};
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Clear, Dataset, GraphType, Paragraph, Widget};

/// One line: a metric of one run's history.
#[derive(Clone)]
pub struct Curve<'a> {
    pub history: &'a History,
    pub metric: Metric,
    pub smoothed: bool,
    /// x units per step (1, or epochs per step).
    pub x_scale: f64,
    pub style: Style,
    pub marker: Marker,
    /// The legend entry (one per label).
    pub name: Option<String>,
    /// Left out of the axis range (a diverged run would squash the others).
    pub outlier: bool,
}

pub struct ChartSpec<'a> {
    pub title: Line<'a>,
    pub x_title: &'static str,
    pub curves: Vec<Curve<'a>>,
    pub log: bool,
}

/// The width of the y-axis labels the chart leaves for itself (about).
const Y_LABELS: u16 = 8;

/// A curve between x0 and x1 cut into `columns` slices, as chart points.
pub fn decimate(curve: &Curve<'_>, x0: f64, x1: f64, columns: usize, log: bool, out: &mut Vec<(f64, f64)>) {
    let h = curve.history;
    let Some(series) = h.series(curve.metric, curve.smoothed) else { return };
    let n = series.len().min(h.len());
    if n == 0
        || columns == 0
        || x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater)
        || curve.x_scale.is_nan()
        || curve.x_scale <= 0.0
    {
        return;
    }
    let floor = series.floor();
    let t = |v: f64| -> Option<f64> {
        if !v.is_finite() {
            None
        } else if log {
            let d = v - floor;
            (d > 0.0).then(|| d.log10())
        } else {
            Some(v)
        }
    };
    let scale = curve.x_scale;
    let dx = (x1 - x0) / columns as f64;
    let mut prev: Option<f64> = None;
    let mut lo = h.index_at_or_after(x0 / scale).min(n);
    for c in 0..columns {
        let hi = if c + 1 == columns { n } else { h.index_at_or_after((x0 + (c + 1) as f64 * dx) / scale).min(n) };
        if hi <= lo {
            continue;
        }
        if hi - lo <= 2 {
            for i in lo..hi {
                if let Some(y) = series.get(i).and_then(t) {
                    out.push((h.step(i) as f64 * scale, y));
                    prev = Some(y);
                }
            }
        } else {
            let e = series.extent(lo, hi);
            if !e.is_empty() {
                let low = if log && e.min - floor <= 0.0 { t(e.min_above) } else { t(e.min) };
                let high = t(e.max);
                let x = (h.step(lo) as f64 + h.step(hi - 1) as f64) / 2.0 * scale;
                match (low, high) {
                    (Some(a), Some(b)) => {
                        // Start at the end nearer the previous point, so the line does not cross itself.
                        let (first, second) = match prev {
                            Some(p) if (p - b).abs() < (p - a).abs() => (b, a),
                            _ => (a, b),
                        };
                        out.push((x, first));
                        if second != first {
                            out.push((x, second));
                        }
                        prev = Some(second);
                    }
                    (None, Some(b)) => {
                        out.push((x, b));
                        prev = Some(b);
                    }
                    _ => {}
                }
            }
        }
        lo = hi;
    }
}

fn axis_label(v: f64, log: bool) -> String {
    if log { format::num(10f64.powf(v)) } else { format::num(v) }
}

fn x_label(v: f64, steps: bool, x_max: f64) -> String {
    if steps && x_max >= 10.0 { format::count(v.round()) } else { format::num(v) }
}

pub fn render(spec: ChartSpec<'_>, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered().border_style(theme::BORDER).title(spec.title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 16 || inner.height < 4 {
        return;
    }
    let x_max =
        spec.curves.iter().filter_map(|c| c.history.last_step().map(|s| s as f64 * c.x_scale)).fold(0.0, f64::max);
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let columns = usize::from(inner.width.saturating_sub(Y_LABELS + 1)) * 2;
    let data: Vec<Vec<(f64, f64)>> = spec
        .curves
        .iter()
        .map(|c| {
            let mut v = Vec::with_capacity(columns * 2);
            decimate(c, 0.0, x_max, columns, spec.log, &mut v);
            v
        })
        .collect();
    let range = |outliers: bool| {
        spec.curves
            .iter()
            .zip(&data)
            .filter(|(c, _)| outliers || !c.outlier)
            .flat_map(|(_, d)| d)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &(_, y)| (a.min(y), b.max(y)))
    };
    let (mut y0, mut y1) = match range(false) {
        (a, b) if a <= b => (a, b),
        _ => range(true),
    };
    if y0 > y1 {
        Paragraph::new(Span::styled("no data to draw yet", theme::DIM)).render(inner, buf);
        return;
    }
    let span = y1 - y0;
    let pad = if span > 0.0 {
        span * 0.05
    } else if spec.log {
        0.5
    } else {
        y1.abs().max(1.0) * 0.1
    };
    // Padding does not push a chart of non-negative values (accuracy, norms) below zero.
    y0 = if !spec.log && y0 >= 0.0 { (y0 - pad).max(0.0) } else { y0 - pad };
    y1 += pad;
    let steps = spec.curves.iter().all(|c| c.x_scale == 1.0);
    let x_labels = [0.0, x_max / 2.0, x_max].map(|v| Span::styled(x_label(v, steps, x_max), theme::AXIS));
    let y_labels = [y0, (y0 + y1) / 2.0, y1].map(|v| Span::styled(axis_label(v, spec.log), theme::AXIS));
    let datasets: Vec<Dataset> = spec
        .curves
        .iter()
        .zip(&data)
        .map(|(c, points)| Dataset::default().data(points).graph_type(GraphType::Line).marker(c.marker).style(c.style))
        .collect();
    Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([0.0, x_max])
                .labels(x_labels)
                .style(theme::AXIS)
                .title(Span::styled(spec.x_title, theme::DIM)),
        )
        .y_axis(Axis::default().bounds([y0, y1]).labels(y_labels).style(theme::AXIS))
        .render(inner, buf);
    let entries: Vec<(&str, Style)> = spec
        .curves
        .iter()
        .filter_map(|c| c.name.as_deref().map(|n| (n, c.style.remove_modifier(Modifier::DIM))))
        .collect();
    legend(&entries, inner, buf);
}

/// One entry per label in the top right corner, over a cleared box (ratatui's
/// own legend lets the lines show through); left out when it would cover more
/// than half the chart's width or two thirds of its height.
fn legend(entries: &[(&str, Style)], area: Rect, buf: &mut Buffer) {
    if entries.is_empty() {
        return;
    }
    let width = entries.iter().map(|(n, _)| n.chars().count()).max().unwrap_or(0) as u16 + 4;
    let height = entries.len() as u16 + 2;
    if width > area.width / 2 || height > area.height * 2 / 3 {
        return;
    }
    let rect = Rect::new(area.right() - width, area.y, width, height);
    Clear.render(rect, buf);
    let lines: Vec<Line> = entries
        .iter()
        .map(|(n, style)| Line::from(vec![Span::styled("━ ", *style), Span::raw(n.to_string())]))
        .collect();
    Paragraph::new(lines).block(Block::bordered().border_style(theme::BORDER)).render(rect, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{HistoryOptions, Record};

    fn history(n: u64) -> History {
        let mut h = History::new(0, HistoryOptions::default());
        for step in 0..n {
            let loss = 1.0 + (step % 7) as f64;
            h.push(
                &Record {
                    step,
                    epoch: None,
                    lr: None,
                    loss,
                    batch_loss: None,
                    grad_norm: None,
                    val_loss: None,
                    val_accuracy: None,
                    wall_ms: 0.0,
                },
                &[],
            );
        }
        h
    }

    fn curve(h: &History) -> Curve<'_> {
        Curve {
            history: h,
            metric: Metric::Loss,
            smoothed: false,
            x_scale: 1.0,
            style: Style::default(),
            marker: Marker::Braille,
            name: None,
            outlier: false,
        }
    }

    #[test]
    fn a_long_history_costs_the_width_and_keeps_its_extremes() {
        let h = history(1_000_000);
        let mut points = Vec::new();
        decimate(&curve(&h), 0.0, 999_999.0, 300, false, &mut points);
        assert!(points.len() <= 600, "{}", points.len());
        let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
        assert_eq!(ys.iter().copied().fold(f64::INFINITY, f64::min), 1.0);
        assert_eq!(ys.iter().copied().fold(f64::NEG_INFINITY, f64::max), 7.0);
        assert!(points.windows(2).all(|w| w[0].0 <= w[1].0), "x never goes back");
    }

    #[test]
    fn a_short_history_is_drawn_point_by_point() {
        let h = history(10);
        let mut points = Vec::new();
        decimate(&curve(&h), 0.0, 9.0, 300, false, &mut points);
        assert_eq!(points.len(), 10);
        assert_eq!(points[3], (3.0, 4.0));
        let mut log = Vec::new();
        decimate(&curve(&h), 0.0, 9.0, 300, true, &mut log);
        assert_eq!(log[3], (3.0, 4f64.log10()));
    }
}
