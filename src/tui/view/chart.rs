//! A line chart of history metrics that costs the chart's width: each run is
//! cut into one slice of steps per braille column, and each slice is drawn as
//! the vertical span of its values (min to max, from the history's level of
//! detail), joined to the next. Short slices are drawn point by point.

use super::dots::Dots;
use crate::engine::{Extent, History, Metric};
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

/// One line: a metric of one run's history.
#[derive(Clone)]
pub struct Curve<'a> {
    pub history: &'a History,
    pub metric: Metric,
    pub smoothed: bool,
    /// x units per step (1, or epochs per step).
    pub x_scale: f64,
    pub style: Style,
    /// Drawn dashed (validation curves).
    pub dashed: bool,
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
    let emit = |e: Extent, x: f64, prev: &mut Option<f64>, out: &mut Vec<(f64, f64)>| {
        if e.is_empty() {
            return;
        }
        let low = if log && e.min - floor <= 0.0 { t(e.min_above) } else { t(e.min) };
        let high = t(e.max);
        match (low, high) {
            (Some(a), Some(b)) => {
                // Start at the end nearer the previous point, so the line does not cross itself.
                let (first, second) = match *prev {
                    Some(p) if (p - b).abs() < (p - a).abs() => (b, a),
                    _ => (a, b),
                };
                out.push((x, first));
                if second != first {
                    out.push((x, second));
                }
                *prev = Some(second);
            }
            (None, Some(b)) => {
                out.push((x, b));
                *prev = Some(b);
            }
            _ => {}
        }
    };
    // Many points per column: read one level of detail front to back, blocks
    // of at most half a column each put in the column of their middle. The
    // memory read is sequential and about two blocks per column, whatever the
    // history's length; the rest (past the last whole block) goes below.
    let per_column = (n - lo) as f64 / columns as f64;
    if lo == 0 && per_column >= 64.0 {
        let k = ((per_column / 32.0).log2().floor() as usize).min(series_levels(series).saturating_sub(1));
        if let Some((size, blocks)) = series.level(k) {
            let mut acc = vec![Extent::EMPTY; columns];
            for (j, e) in blocks.iter().enumerate() {
                let mid = h.step(j * size + size / 2) as f64 * scale;
                let c = (((mid - x0) / dx) as usize).min(columns - 1);
                acc[c] = acc[c].merge(*e);
            }
            for (c, e) in acc.into_iter().enumerate() {
                emit(e, x0 + (c as f64 + 0.5) * dx, &mut prev, out);
            }
            lo = blocks.len() * size;
            if lo >= n {
                return;
            }
            let e = series.extent(lo, n);
            emit(e, (h.step(lo) as f64 + h.step(n - 1) as f64) / 2.0 * scale, &mut prev, out);
            return;
        }
    }
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
            let x = (h.step(lo) as f64 + h.step(hi - 1) as f64) / 2.0 * scale;
            emit(series.extent(lo, hi), x, &mut prev, out);
        }
        lo = hi;
    }
}

/// How many levels of detail a series has.
fn series_levels(series: &crate::engine::Series) -> usize {
    (0..).take_while(|&k| series.level(k).is_some()).count()
}

fn axis_label(v: f64, log: bool) -> String {
    if log { format::num(10f64.powf(v)) } else { format::num(v) }
}

fn x_label(v: f64, steps: bool, x_max: f64) -> String {
    if steps && x_max >= 10.0 { format::count(v.round()) } else { format::num(v) }
}

/// The widest y label (format::num is at most 9 characters).
const Y_LABEL_W: u16 = 9;

pub fn render(spec: ChartSpec<'_>, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered().border_style(theme::BORDER).title(spec.title);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < Y_LABEL_W + 8 || inner.height < 4 {
        return;
    }
    // The plot, with the y labels and axis on its left and the x axis and labels below.
    let plot = Rect::new(inner.x + Y_LABEL_W + 1, inner.y, inner.width - Y_LABEL_W - 1, inner.height - 2);
    let x_max =
        spec.curves.iter().filter_map(|c| c.history.last_step().map(|s| s as f64 * c.x_scale)).fold(0.0, f64::max);
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let mut dots = Dots::new(plot.width, plot.height);
    let (w, h) = dots.resolution();
    let data: Vec<Vec<(f64, f64)>> = spec
        .curves
        .iter()
        .map(|c| {
            let mut v = Vec::with_capacity(w * 2);
            decimate(c, 0.0, x_max, w, spec.log, &mut v);
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

    let to_dot = |(x, y): (f64, f64)| (x / x_max * (w - 1) as f64, (y1 - y) / (y1 - y0) * (h - 1) as f64);
    for (c, points) in spec.curves.iter().zip(&data) {
        let mut prev: Option<(f64, f64)> = None;
        for &p in points {
            let d = to_dot(p);
            match prev {
                Some(a) => dots.line(a, d, c.style, c.dashed),
                None => dots.point(d, c.style),
            }
            prev = Some(d);
        }
    }
    dots.render(plot, buf);

    // Axes and labels.
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
    // A label names the value at the middle of its row of cells.
    let at_row = |r: u16| y1 - (f64::from(r) * 4.0 + 1.5) / (h - 1) as f64 * (y1 - y0);
    let rows = [(plot.y, y1), (plot.y + plot.height / 2, at_row(plot.height / 2)), (axis_y - 1, y0)];
    for (row, v) in rows {
        buf.set_string(inner.x, row, format!("{:>label_w$}", axis_label(v, spec.log)), theme::AXIS);
    }
    let steps = spec.curves.iter().all(|c| c.x_scale == 1.0);
    let below = axis_y + 1;
    let left = x_label(0.0, steps, x_max);
    let mid = x_label(x_max / 2.0, steps, x_max);
    let right = x_label(x_max, steps, x_max);
    buf.set_string(plot.x, below, &left, theme::AXIS);
    let mid_x = plot.x + plot.width / 2 - (mid.chars().count() as u16 / 2).min(plot.width / 2);
    buf.set_string(mid_x, below, &mid, theme::AXIS);
    let right_x = plot.right().saturating_sub(right.chars().count() as u16).max(plot.x);
    buf.set_string(right_x, below, &right, theme::AXIS);
    let title_w = spec.x_title.chars().count() as u16;
    if plot.width > title_w + 2 {
        buf.set_string(plot.right() - title_w - 1, axis_y, format!(" {}", spec.x_title), theme::DIM);
    }

    let entries: Vec<(&str, Style)> = spec
        .curves
        .iter()
        .filter_map(|c| c.name.as_deref().map(|n| (n, c.style.remove_modifier(Modifier::DIM))))
        .collect();
    legend(&entries, plot, buf);
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
                    grad_evals: step,
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
            dashed: false,
            name: None,
            outlier: false,
        }
    }

    #[test]
    fn a_long_history_costs_the_width_and_keeps_its_extremes() {
        let h = history(1_000_000);
        let mut points = Vec::new();
        decimate(&curve(&h), 0.0, 999_999.0, 300, false, &mut points);
        assert!(points.len() <= 2 * 300 + 2, "{}", points.len());
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
