//! A line chart of history metrics that costs the chart's width: each curve's
//! buckets (see [`crate::engine::History`]) are gathered into one slice per
//! braille column and drawn as the slice's span (min to max) joined to the
//! next. Runs that differ only by seed can be drawn as their median and a
//! shaded band. Round ticks ([`super::ticks`]), a log axis that spans at most
//! [`MAX_DECADES`] decades with a labelled floor (runs below it are drawn on
//! it), a legend that never covers data, and markers on the x axis where the
//! runs' settings changed.

use super::dots::Dots;
use super::ticks::{self, Ticks};
use crate::engine::{Agg, GROUP, History, Mark, Metric};
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

/// A log axis spans at most this many decades below its top; lower values sit on its floor.
pub const MAX_DECADES: f64 = 15.0;

/// What the x axis measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XUnit {
    Steps,
    Epochs,
    /// Training samples seen (epochs × training-set size).
    Samples,
    /// Seconds of stepping time.
    Seconds,
}

impl XUnit {
    pub fn title(self) -> &'static str {
        match self {
            XUnit::Steps => "steps",
            XUnit::Epochs => "epochs",
            XUnit::Samples => "samples",
            XUnit::Seconds => "seconds",
        }
    }

    /// The x of a bucket's end.
    pub fn of(self, m: &Mark, train_size: f64) -> f64 {
        match self {
            XUnit::Steps => m.step as f64,
            XUnit::Epochs => m.epoch,
            XUnit::Samples => m.epoch * train_size,
            XUnit::Seconds => m.wall_ms / 1e3,
        }
    }
}

/// One line: a metric of one run's history.
#[derive(Clone)]
pub struct Curve<'a> {
    pub history: &'a History,
    pub metric: Metric,
    pub smoothed: bool,
    pub style: Style,
    /// Drawn dashed (validation curves).
    pub dashed: bool,
    /// Left out of the axis range (a diverged run would squash the others).
    pub outlier: bool,
    /// Curves with the same key are drawn as one median line with a shaded
    /// band (their seeds), in this colour.
    pub band: Option<(usize, Color)>,
}

/// A legend line.
#[derive(Clone, Debug)]
pub struct LegendEntry {
    pub name: String,
    pub style: Style,
    /// The label's runs are hidden (listed dim, so a click can bring them back).
    pub hidden: bool,
    pub selected: bool,
    /// The label (snapshot group) it stands for.
    pub group: usize,
}

pub struct ChartSpec<'a> {
    pub title: Line<'a>,
    pub unit: XUnit,
    /// Training-set size, for samples seen.
    pub train_size: f64,
    /// Drawn in order: the last on top.
    pub curves: Vec<Curve<'a>>,
    pub log: bool,
    /// A fixed y range (accuracy: [0, 1]).
    pub domain: Option<(f64, f64)>,
    /// The y range ignores the highest and lowest 2 % of the values drawn.
    pub robust: bool,
    /// The fraction of the x range shown, ending at the latest point (1: all).
    pub zoom: f64,
    pub legend: Vec<LegendEntry>,
    /// Steps where settings changed, with the colour of the label they changed.
    pub markers: Vec<(u64, Style)>,
}

/// Where things were drawn, for the mouse.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Drawn {
    /// Legend rows and the label each names.
    pub legend: Vec<(Rect, usize)>,
    pub plot: Rect,
}

/// One slice of a curve in axis units: its span and its last value.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Slice {
    lo: f64,
    hi: f64,
    last: f64,
    mean: f64,
}

/// A curve's slices, one per column (None: no data there).
type Slices = Vec<Option<Slice>>;
/// A band's low and high per column.
type Spread = Vec<Option<(f64, f64)>>;

/// The buckets of a curve between x0 and x1 gathered into `columns` slices.
pub fn gather(curve: &Curve<'_>, unit: XUnit, train: f64, x0: f64, x1: f64, columns: usize) -> Vec<Agg> {
    let mut out = vec![Agg::EMPTY; columns];
    let h = curve.history;
    let Some(aggs) = h.aggs(curve.metric, curve.smoothed) else { return out };
    if columns == 0 || x1.partial_cmp(&x0) != Some(std::cmp::Ordering::Greater) {
        return out;
    }
    let marks = &h.marks()[..aggs.len().min(h.marks().len())];
    // x grows with the bucket: skip to the first bucket that ends at or after x0.
    let start = marks.partition_point(|m| unit.of(m, train) < x0);
    let scale = (columns - 1) as f64 / (x1 - x0);
    let last = (columns - 1) as f64;
    let mut add = |x: f64, agg: &Agg| {
        // NaN (no epochs) and points before x0 fall out here.
        if x >= x0 {
            let c = ((x - x0) * scale).round().min(last) as usize;
            out[c] = out[c].then(*agg);
        }
    };
    let first = |i: usize| match i {
        0 => h.first().map_or(f64::NAN, |m| unit.of(&m, train)),
        i => unit.of(&marks[i - 1], train),
    };
    // Many buckets per column: read the groups of GROUP buckets instead (a
    // quarter of the work, still several per column).
    if let Some(groups) = h.groups(curve.metric, curve.smoothed)
        && (marks.len() - start) > 16 * columns
    {
        let g0 = start / GROUP;
        let mut prev = first(g0 * GROUP);
        for (j, agg) in groups.iter().enumerate().skip(g0) {
            let end = unit.of(&marks[((j + 1) * GROUP).min(marks.len()) - 1], train);
            let x = 0.5 * (prev + end);
            prev = end;
            if x > x1 {
                break;
            }
            add(x, agg);
        }
        return out;
    }
    // A bucket sits at the middle of the steps it covers (its end, when one step wide).
    let exact = h.bucket_width() == 1;
    let mut prev = first(start);
    for (m, agg) in marks[start..].iter().zip(&aggs[start..]) {
        let end = unit.of(m, train);
        let x = if exact { end } else { 0.5 * (prev + end) };
        prev = end;
        if x > x1 {
            break;
        }
        add(x, agg);
    }
    out
}

/// Slices in axis units; on log axes a value at or below the floor is −∞.
fn slices(cols: &[Agg], log: bool, floor: f64) -> Vec<Option<Slice>> {
    let t = |v: f64| if log { if v - floor > 0.0 { (v - floor).log10() } else { f64::NEG_INFINITY } } else { v };
    cols.iter()
        .map(|a| (!a.is_empty()).then(|| Slice { lo: t(a.min), hi: t(a.max), last: t(a.last), mean: t(a.mean()) }))
        .collect()
}

/// The median and band of several curves' slices, column by column: the band
/// is their range with fewer than five, their interquartile range with more.
fn band(members: &[Slices]) -> (Slices, Spread) {
    let columns = members.first().map_or(0, Vec::len);
    let mut line = Vec::with_capacity(columns);
    let mut spread = Vec::with_capacity(columns);
    let mut values = Vec::with_capacity(members.len());
    for c in 0..columns {
        values.clear();
        values.extend(members.iter().filter_map(|m| m[c]).map(|s| s.mean).filter(|v| !v.is_nan()));
        if values.is_empty() {
            line.push(None);
            spread.push(None);
            continue;
        }
        values.sort_by(f64::total_cmp);
        let q = |p: f64| {
            let x = p * (values.len() - 1) as f64;
            let (i, f) = (x.floor() as usize, x.fract());
            if i + 1 < values.len() { values[i] + f * (values[i + 1] - values[i]) } else { values[i] }
        };
        let m = q(0.5);
        line.push(Some(Slice { lo: m, hi: m, last: m, mean: m }));
        spread.push(Some(if values.len() >= 5 { (q(0.25), q(0.75)) } else { (values[0], values[values.len() - 1]) }));
    }
    (line, spread)
}

/// The value at quantile p of the values (reordered).
fn quantile(values: &mut [f64], p: f64) -> f64 {
    let i = (((values.len() - 1) as f64 * p).round() as usize).min(values.len() - 1);
    *values.select_nth_unstable_by(i, f64::total_cmp).1
}

/// What gets drawn: lines (slices per column) and bands, in drawing order.
struct Layer {
    slices: Vec<Option<Slice>>,
    spread: Option<(Spread, Color)>,
    style: Style,
    dashed: bool,
    outlier: bool,
}

pub fn render(spec: ChartSpec<'_>, area: Rect, buf: &mut Buffer) -> Drawn {
    let block = Block::bordered().border_style(theme::BORDER).title(spec.title.clone());
    let inner = block.inner(area);
    block.render(area, buf);
    let mut drawn = Drawn::default();
    if inner.width < 20 || inner.height < 5 {
        return drawn;
    }
    // The legend goes beside the plot when the plot keeps 40 columns, else inside it where it is empty.
    let legend_w = spec.legend.iter().map(|e| e.name.chars().count()).max().map_or(0, |w| w.min(24) as u16 + 4);
    let outside = !spec.legend.is_empty() && inner.width >= legend_w + 50;
    let chart_w = if outside { inner.width - legend_w - 1 } else { inner.width };

    // x range: everything drawn, or its latest part.
    let train = spec.train_size;
    let (mut x_lo, mut x_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for c in &spec.curves {
        if let (Some(first), Some(last)) = (c.history.first(), c.history.marks().last()) {
            x_lo = x_lo.min(spec.unit.of(&first, train));
            x_hi = x_hi.max(spec.unit.of(last, train));
        }
    }
    if !(x_lo.is_finite() && x_hi.is_finite()) {
        Paragraph::new(Span::styled("no data to draw yet", theme::DIM)).render(inner, buf);
        return drawn;
    }
    if x_hi <= x_lo {
        x_hi = x_lo + 1.0;
    }
    let x0 = if spec.zoom < 1.0 { x_hi - (x_hi - x_lo) * spec.zoom.max(1e-6) } else { x_lo };
    // Provisional plot width for gathering (the y labels' width is known only after the range).
    let guess_label_w = 7u16;
    let columns = usize::from(chart_w.saturating_sub(guess_label_w + 1)) * 2;
    let mut layers: Vec<Layer> = Vec::new();
    // Per band: its key, its layer and its members' slices.
    let mut bands: Vec<(usize, usize, Vec<Slices>)> = Vec::new();
    for c in &spec.curves {
        let floor = c.history.floor(c.metric);
        let s = slices(&gather(c, spec.unit, train, x0, x_hi, columns), spec.log, floor);
        let layer = Layer { slices: Vec::new(), spread: None, style: c.style, dashed: c.dashed, outlier: c.outlier };
        match c.band {
            Some((key, color)) => match bands.iter_mut().find(|b| b.0 == key) {
                Some(b) => b.2.push(s),
                None => {
                    layers.push(Layer { spread: Some((Vec::new(), color)), ..layer });
                    bands.push((key, layers.len() - 1, vec![s]));
                }
            },
            None => layers.push(Layer { slices: s, ..layer }),
        }
    }
    for (_, idx, members) in bands {
        let (line, spread) = band(&members);
        layers[idx].slices = line;
        if let Some((sp, _)) = &mut layers[idx].spread {
            *sp = spread;
        }
    }

    // y range.
    let (y_lo, y_hi, floored) = y_range(&layers, spec.log, spec.robust);
    let Some((y_lo, y_hi)) = spec.domain.or(y_lo.zip(y_hi)) else {
        Paragraph::new(Span::styled("no data to draw yet", theme::DIM)).render(inner, buf);
        return drawn;
    };
    let plot_h = inner.height - 2;
    let max_y_ticks = usize::from(plot_h / 2).clamp(2, 7);
    let yt = if spec.log {
        let pad = ((y_hi - y_lo) * 0.03).max(0.05);
        ticks::log(if floored { y_lo } else { y_lo - pad }, y_hi + pad)
    } else {
        ticks::linear_at_most(y_lo, y_hi, spec.domain.is_some(), max_y_ticks)
    };
    let mut y_labels = yt.labels.clone();
    if floored && let Some(l) = y_labels.first_mut() {
        // The floor is labelled: values below it are drawn on it.
        if (yt.at[0] - yt.lo).abs() < 1e-9 {
            *l = format!("≤{l}");
        }
    }
    let floor_label =
        floored.then(|| format!("≤{}", ticks::log(yt.lo, yt.lo + 4.0).labels.first().cloned().unwrap_or_default()));
    let label_w = y_labels.iter().chain(floor_label.iter()).map(|l| l.chars().count()).max().unwrap_or(1) as u16;
    let plot = Rect::new(inner.x + label_w + 1, inner.y, chart_w.saturating_sub(label_w + 1), plot_h);
    drawn.plot = plot;
    if plot.width < 4 {
        return drawn;
    }
    let mut dots = Dots::new(plot.width, plot.height);
    let (w, h) = dots.resolution();
    let (lo, hi) = (yt.lo, yt.hi);
    let row = |y: f64| -> f64 {
        let y = if floored && y < lo { lo } else { y };
        (hi - y) / (hi - lo) * (h - 1) as f64
    };
    let col = |c: usize| c as f64 * (w - 1) as f64 / (columns.max(2) - 1) as f64;

    // Bands first, as cell backgrounds under everything.
    let mut shade: Vec<Option<Color>> = vec![None; usize::from(plot.width) * usize::from(plot.height)];
    for l in &layers {
        let Some((spread, color)) = &l.spread else { continue };
        for (c, s) in spread.iter().enumerate() {
            let Some((a, b)) = s else { continue };
            let (top, bottom) = (row(*b), row(*a));
            if !(top.is_finite() && bottom.is_finite()) {
                continue;
            }
            let cx = (col(c) / 2.0) as usize;
            let (r0, r1) = ((top.max(0.0) / 4.0) as usize, (bottom.min((h - 1) as f64) / 4.0) as usize);
            for r in r0..=r1.min(usize::from(plot.height) - 1) {
                if cx < usize::from(plot.width) {
                    shade[r * usize::from(plot.width) + cx] = Some(*color);
                }
            }
        }
    }
    for l in &layers {
        let mut prev: Option<(f64, f64)> = None;
        for (c, s) in l.slices.iter().enumerate() {
            let Some(s) = s else { continue };
            let x = col(c);
            let (top, bottom, last) = (row(s.hi), row(s.lo), row(s.last));
            if !(top.is_finite() && bottom.is_finite()) {
                continue;
            }
            if let Some(p) = prev {
                dots.line(p, (x, p.1.clamp(top, bottom)), l.style, l.dashed);
            }
            dots.line((x, top), (x, bottom), l.style, l.dashed);
            prev = Some((x, if last.is_finite() { last } else { bottom }));
        }
    }
    for (i, s) in shade.iter().enumerate() {
        if let Some(color) = s {
            let (cx, cy) = ((i % usize::from(plot.width)) as u16, (i / usize::from(plot.width)) as u16);
            buf[(plot.x + cx, plot.y + cy)].set_bg(*color);
        }
    }
    dots.render(plot, buf);

    // Axes, ticks and labels.
    let axis_x = plot.x - 1;
    let axis_y = plot.bottom();
    for y in plot.y..axis_y {
        buf[(axis_x, y)].set_char('│').set_style(theme::AXIS);
    }
    for x in plot.x..plot.right() {
        buf[(x, axis_y)].set_char('─').set_style(theme::AXIS);
    }
    buf[(axis_x, axis_y)].set_char('└').set_style(theme::AXIS);
    let mut last_row: Option<u16> = None;
    for (v, label) in yt.at.iter().zip(&y_labels) {
        let r = (row(*v) / 4.0).floor();
        if !(0.0..f64::from(plot.height)).contains(&r) {
            continue;
        }
        let r = plot.y + r as u16;
        if last_row == Some(r) {
            continue;
        }
        last_row = Some(r);
        buf.set_string(inner.x, r, format!("{label:>w$}", w = usize::from(label_w)), theme::AXIS);
        buf[(axis_x, r)].set_char('┤').set_style(theme::AXIS);
    }
    if let Some(fl) = &floor_label
        && !y_labels.first().is_some_and(|l| l.starts_with('≤'))
    {
        buf.set_string(inner.x, axis_y - 1, format!("{fl:>w$}", w = usize::from(label_w)), theme::DIVERGED);
    }
    let x_room = usize::from(plot.width);
    let xt = x_ticks(x0, x_hi, spec.unit, x_room);
    let below = axis_y + 1;
    let mut free_from = plot.x;
    let x_col = |x: f64| {
        plot.x
            + (((x - x0) / (x_hi - x0)) * f64::from(plot.width - 1)).round().clamp(0.0, f64::from(plot.width - 1))
                as u16
    };
    for (v, label) in xt.at.iter().zip(&xt.labels) {
        let c = x_col(*v);
        buf[(c, axis_y)].set_char('┬').set_style(theme::AXIS);
        let n = label.chars().count() as u16;
        let start = c.saturating_sub(n / 2).max(plot.x).min(plot.right().saturating_sub(n));
        if start < free_from {
            continue;
        }
        buf.set_string(start, below, label, theme::AXIS);
        free_from = start + n + 1;
    }
    let title = spec.unit.title();
    let title_w = title.chars().count() as u16;
    if plot.width > title_w + 2 {
        buf.set_string(plot.right() - title_w - 1, axis_y, format!(" {title}"), theme::DIM);
    }
    // Changes (events, slider moves) on the x axis, in the colour of their label.
    if let Some(reference) = spec.curves.first().map(|c| c.history) {
        for (step, style) in &spec.markers {
            let marks = reference.marks();
            let i = marks.partition_point(|m| m.step < *step);
            let Some(m) = marks.get(i).or(marks.last()) else { continue };
            let x = spec.unit.of(m, train);
            if x < x0 || x > x_hi {
                continue;
            }
            buf[(x_col(x), axis_y)].set_char('▲').set_style(*style);
        }
    }

    // The legend.
    if !spec.legend.is_empty() {
        drawn.legend = if outside {
            let rows = (spec.legend.len() as u16 + 2).min(inner.height);
            let rect = Rect::new(inner.x + chart_w + 1, inner.y, legend_w, rows);
            legend(&spec.legend, rect, buf)
        } else {
            let rows = (spec.legend.len() as u16 + 2).min(plot.height);
            let rect_at = |x: u16, y: u16| Rect::new(x, y, legend_w.min(plot.width), rows);
            let corners = [
                rect_at(plot.right().saturating_sub(legend_w), plot.y),
                rect_at(plot.x, plot.y),
                rect_at(plot.right().saturating_sub(legend_w), plot.bottom().saturating_sub(rows)),
                rect_at(plot.x, plot.bottom().saturating_sub(rows)),
            ];
            let occupied = |r: &Rect| {
                (r.y..r.bottom()).any(|y| {
                    (r.x..r.right()).any(|x| {
                        let (cx, cy) = (usize::from(x - plot.x), usize::from(y - plot.y));
                        dots.occupied(cx as u16, cy as u16) || shade[cy * usize::from(plot.width) + cx].is_some()
                    })
                })
            };
            match corners.into_iter().find(|r| r.width == legend_w && !occupied(r)) {
                Some(rect) => legend(&spec.legend, rect, buf),
                None => Vec::new(),
            }
        };
    }
    drawn
}

/// The y range of the layers that count (finite values; outliers only when
/// nothing else is there), robust if asked; on log axes at most
/// [`MAX_DECADES`] deep, and whether values lie below that floor.
fn y_range(layers: &[Layer], log: bool, robust: bool) -> (Option<f64>, Option<f64>, bool) {
    let collect = |outliers: bool| {
        let mut v: Vec<f64> = Vec::new();
        for l in layers.iter().filter(|l| outliers || !l.outlier) {
            for s in l.slices.iter().flatten() {
                v.extend([s.lo, s.hi].into_iter().filter(|x| x.is_finite()));
            }
            if let Some((spread, _)) = &l.spread {
                for (a, b) in spread.iter().flatten() {
                    v.extend([*a, *b].into_iter().filter(|x| x.is_finite()));
                }
            }
        }
        v
    };
    let mut v = collect(false);
    if v.is_empty() {
        v = collect(true);
    }
    let below = layers.iter().any(|l| l.slices.iter().flatten().any(|s| s.lo == f64::NEG_INFINITY));
    if v.is_empty() {
        return (None, None, false);
    }
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // The 2nd and 98th percentiles by selection (linear time), not a sort.
    let (mut lo, hi) = if robust { (quantile(&mut v, 0.02), quantile(&mut v, 0.98)) } else { (min, max) };
    let mut floored = below;
    if log && hi - lo > MAX_DECADES {
        lo = hi - MAX_DECADES;
        floored = true;
    }
    if robust && min < lo {
        floored |= log;
    }
    (Some(lo), Some(hi), floored)
}

/// Ticks of the x axis: as many round labels as fit in `room` columns (at most 7).
fn x_ticks(x0: f64, x1: f64, unit: XUnit, room: usize) -> Ticks {
    let widest = format::count(x1).chars().count().max(4) + 2;
    let fit = (room / widest).clamp(2, 7);
    let mut t = ticks::linear_at_most(x0, x1, true, fit);
    if matches!(unit, XUnit::Steps | XUnit::Samples) {
        t.labels = t.at.iter().map(|&v| format::count(v)).collect();
    }
    t
}

/// The legend in `rect`: one row per label, the selected one bold, hidden ones
/// dim; when they do not all fit, those nearest the selected one and a count
/// of the rest. Returns each row and its label.
fn legend(entries: &[LegendEntry], rect: Rect, buf: &mut Buffer) -> Vec<(Rect, usize)> {
    let block = Block::bordered().border_style(theme::BORDER);
    let inner = block.inner(rect);
    ratatui::widgets::Clear.render(rect, buf);
    block.render(rect, buf);
    let rows = usize::from(inner.height);
    if rows == 0 || inner.width < 4 {
        return Vec::new();
    }
    let (first, shown) = if entries.len() <= rows {
        (0, entries.len())
    } else {
        let shown = rows.saturating_sub(1).max(1);
        let sel = entries.iter().position(|e| e.selected).unwrap_or(0);
        let first = sel.saturating_sub(shown / 2).min(entries.len() - shown);
        (first, shown)
    };
    let name_w = usize::from(inner.width).saturating_sub(2);
    let mut hits = Vec::new();
    for (i, e) in entries.iter().enumerate().skip(first).take(shown) {
        let y = inner.y + (i - first) as u16;
        let (mark, name_style) = if e.hidden {
            ("· ", theme::DIM)
        } else if e.selected {
            ("━ ", Style::new().add_modifier(Modifier::BOLD))
        } else {
            ("━ ", Style::new())
        };
        let line = Line::from(vec![
            Span::styled(mark, if e.hidden { theme::DIM } else { e.style }),
            Span::styled(format::elide(&e.name, name_w), name_style),
        ]);
        let r = Rect::new(inner.x, y, inner.width, 1);
        line.render(r, buf);
        hits.push((r, e.group));
    }
    if shown < entries.len() {
        let more = entries.len() - shown;
        buf.set_string(inner.x, inner.y + shown as u16, format!("+{more} more"), theme::DIM);
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{HistoryOptions, Record};

    fn history(n: u64, f: impl Fn(u64) -> f64) -> History {
        let mut h = History::new(0, HistoryOptions::default());
        for step in 0..n {
            h.push(
                &Record {
                    step,
                    epoch: None,
                    lr: None,
                    loss: f(step),
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
            style: Style::default(),
            dashed: false,
            outlier: false,
            band: None,
        }
    }

    #[test]
    fn a_long_history_costs_the_width_and_keeps_its_extremes() {
        let h = history(1_000_000, |s| 1.0 + (s % 7) as f64);
        let cols = gather(&curve(&h), XUnit::Steps, 0.0, 0.0, 999_999.0, 300);
        assert_eq!(cols.len(), 300);
        assert!(cols.iter().all(|a| !a.is_empty()), "every column has data");
        assert_eq!(cols.iter().map(|a| a.min).fold(f64::INFINITY, f64::min), 1.0);
        assert_eq!(cols.iter().map(|a| a.max).fold(f64::NEG_INFINITY, f64::max), 7.0);
    }

    #[test]
    fn a_zoom_keeps_the_latest_part() {
        let h = history(10_000, |s| s as f64);
        let cols = gather(&curve(&h), XUnit::Steps, 0.0, 9_000.0, 9_999.0, 100);
        assert!(cols[0].min >= 8_990.0, "{:?}", cols[0]);
        assert_eq!(cols[99].last, 9_999.0);
    }

    /// Renders a chart and returns the buffer and what was drawn.
    fn draw(curves: Vec<Curve<'_>>, legend: Vec<LegendEntry>, w: u16, h: u16) -> (Buffer, Drawn) {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        let spec = ChartSpec {
            title: Line::from("t"),
            unit: XUnit::Steps,
            train_size: 0.0,
            curves,
            log: true,
            domain: None,
            robust: false,
            zoom: 1.0,
            legend,
            markers: Vec::new(),
        };
        let drawn = render(spec, area, &mut buf);
        (buf, drawn)
    }

    #[test]
    fn the_legend_never_covers_data() {
        // Lines that fill the top right (flat high) and bottom left (falling) of the plot.
        let hs: Vec<History> = (0..20)
            .map(|k| {
                history(3000, move |s| {
                    if k % 2 == 0 { 10.0 + k as f64 } else { 10f64.powf(1.0 - s as f64 / 300.0 - k as f64 * 0.1) }
                })
            })
            .collect();
        for (w, h, runs) in [(60, 20, 5), (100, 30, 20), (45, 16, 3), (160, 48, 20)] {
            let curves: Vec<Curve> = hs.iter().take(runs).map(curve).collect();
            let legend: Vec<LegendEntry> = (0..runs)
                .map(|g| LegendEntry {
                    name: format!("run {g}"),
                    style: Style::new(),
                    hidden: false,
                    selected: g == 1,
                    group: g,
                })
                .collect();
            let (buf, drawn) = draw(curves, legend, w, h);
            // Every cell of the plot that shows data (braille) is outside every legend row.
            for (rect, _) in &drawn.legend {
                let boxed =
                    Rect::new(rect.x.saturating_sub(1), rect.y.saturating_sub(1), rect.width + 2, rect.height + 2);
                for y in boxed.y..boxed.bottom() {
                    for x in boxed.x..boxed.right() {
                        let inside_plot = drawn.plot.contains(ratatui::layout::Position::new(x, y));
                        let sym = buf[(x, y)].symbol().chars().next().unwrap_or(' ');
                        assert!(
                            !(inside_plot && ('\u{2801}'..='\u{28ff}').contains(&sym)),
                            "{w}x{h}: data under the legend at ({x}, {y})"
                        );
                    }
                }
            }
            // Nothing of the plot is hidden: the braille cells drawn equal those of a chart without legend.
            let (bare, _) = draw(hs.iter().take(runs).map(curve).collect(), Vec::new(), w, h);
            let braille = |b: &Buffer, r: Rect| {
                (r.y..r.bottom())
                    .flat_map(|y| (r.x..r.right()).map(move |x| (x, y)))
                    .filter(|&(x, y)| {
                        b[(x, y)].symbol().chars().next().is_some_and(|c| ('\u{2801}'..='\u{28ff}').contains(&c))
                    })
                    .count()
            };
            if drawn.legend.first().is_some_and(|(r, _)| !drawn.plot.contains(r.as_position())) {
                assert!(drawn.legend.len() >= runs.min(usize::from(h) - 5), "{w}x{h}: a row per label beside the plot");
            } else {
                assert_eq!(braille(&buf, drawn.plot), braille(&bare, drawn.plot), "{w}x{h}: the legend hid data");
            }
            if w >= 100 {
                assert!(!drawn.legend.is_empty(), "{w}x{h}: {runs} runs get a legend");
            }
        }
    }

    #[test]
    fn log_axis_floor_is_labelled_and_holds_runs_below_it() {
        let a = history(100, |s| 10f64.powf(-(s as f64) * 0.3));
        let b = history(100, |_| 1.0);
        let (buf, drawn) = draw(vec![curve(&a), curve(&b)], Vec::new(), 60, 20);
        let text: String =
            (0..20).map(|y| (0..60).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n").collect();
        assert!(text.contains('≤'), "the floor is labelled:\n{text}");
        // The falling run ends on the floor row, not below the plot.
        let bottom = drawn.plot.bottom() - 1;
        assert!((drawn.plot.x..drawn.plot.right()).any(|x| buf[(x, bottom)].symbol() != " "), "{text}");
    }
}
