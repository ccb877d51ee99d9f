//! SVG charts drawn with plotters: a figure is a title, one or more panels of
//! lines, bands and markers on linear or log axes, and a legend in its own
//! column to the right, so it never covers the data. Every figure of a report
//! (loss, trajectories, sensitivity, validation, lr-find, profiles) goes
//! through [`render`].

use super::format::tick;
use plotters::coord::Shift;
use plotters::coord::combinators::IntoLogRange;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use std::path::Path;

/// Tableau 10: distinguishable colours that survive greyscale printing reasonably.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of series number `i`.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Colours for items grouped by key (an `[[optimizer]]` entry): each key gets
/// its palette colour, and items that share a key (sweep values) get shades of
/// it from dark to light, so the lines of one optimizer read as a family.
pub fn shades(keys: &[usize]) -> Vec<RGBColor> {
    keys.iter()
        .enumerate()
        .map(|(i, &key)| {
            let family: Vec<usize> = (0..keys.len()).filter(|&j| keys[j] == key).collect();
            let base = color(key);
            if family.len() < 2 {
                return base;
            }
            let k = family.iter().position(|&j| j == i).unwrap_or(0);
            // From 50% towards black to 50% towards white.
            let t = -0.5 + k as f64 / (family.len() - 1) as f64;
            let towards = |c: u8| {
                let c = c as f64;
                (if t < 0.0 { c * (1.0 + t) } else { c + (255.0 - c) * t * 0.9 }).round() as u8
            };
            RGBColor(towards(base.0), towards(base.1), towards(base.2))
        })
        .collect()
}

/// The colour of a contour line at relative height t in [0, 1]: slate blue
/// (low) to pale grey (high), quieter than the series colours drawn over it.
pub fn contour_color(t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let (low, high) = ((38.0, 70.0, 130.0), (205.0, 210.0, 218.0));
    let mix = |u: f64, v: f64| (u + (v - u) * t).round() as u8;
    RGBColor(mix(low.0, high.0), mix(low.1, high.1), mix(low.2, high.2))
}

/// An axis: its label, scale and range (for a log axis, both ends > 0).
#[derive(Clone, Debug)]
pub struct Axis {
    pub label: String,
    pub log: bool,
    pub range: (f64, f64),
}

/// A polyline, optionally with a shaded band (x, low, high) behind it.
#[derive(Clone, Debug)]
pub struct Line {
    pub points: Vec<(f64, f64)>,
    pub band: Vec<(f64, f64, f64)>,
    pub color: RGBColor,
    pub width: u32,
    pub opacity: f64,
}

impl Line {
    pub fn new(points: Vec<(f64, f64)>, color: RGBColor) -> Line {
        Line { points, band: Vec::new(), color, width: 2, opacity: 1.0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A filled dot.
    Dot,
    /// An open circle.
    Ring,
    /// A diagonal cross.
    Cross,
    /// A filled triangle.
    Triangle,
}

/// A marker at a data point.
#[derive(Clone, Debug)]
pub struct Mark {
    pub at: (f64, f64),
    pub shape: Shape,
    pub color: RGBColor,
    pub size: u32,
}

/// One chart of a figure.
#[derive(Clone, Debug)]
pub struct Panel {
    pub title: Option<String>,
    pub x: Axis,
    pub y: Axis,
    pub lines: Vec<Line>,
    pub marks: Vec<Mark>,
}

/// What a legend row shows beside its text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    Line,
    /// A line over a shaded band.
    Band,
    Mark(Shape),
}

#[derive(Clone, Debug)]
pub struct LegendEntry {
    pub label: String,
    pub color: RGBColor,
    pub swatch: Swatch,
}

/// A whole SVG: title, panels side by side, legend on the right.
#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    pub panels: Vec<Panel>,
    pub legend: Vec<LegendEntry>,
    /// Size of the panels' part (the legend column adds to the width).
    pub panel_size: (u32, u32),
}

const TITLE_SIZE: f64 = 20.0;
const LABEL_SIZE: f64 = 14.0;
const TICK_SIZE: f64 = 13.0;
const LEGEND_SIZE: f64 = 13.0;
const LEGEND_ROW: u32 = 22;
const TITLE_HEIGHT: u32 = 44;

/// A generous width estimate for text in a sans-serif font (browsers differ).
fn text_width(text: &str, size: f64) -> u32 {
    (text.chars().count() as f64 * size * 0.6).ceil() as u32
}

fn legend_width(legend: &[LegendEntry]) -> u32 {
    if legend.is_empty() {
        return 0;
    }
    let widest = legend.iter().map(|e| text_width(&e.label, LEGEND_SIZE)).max().unwrap_or(0);
    widest + 60
}

/// The SVG text of a figure.
pub fn render(figure: &Figure) -> Result<String, String> {
    let legend_w = legend_width(&figure.legend);
    let (pw, ph) = figure.panel_size;
    let legend_h = TITLE_HEIGHT + 20 + LEGEND_ROW * figure.legend.len() as u32;
    let size = (pw + legend_w, ph.max(legend_h));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let title_style = TextStyle::from(("sans-serif", TITLE_SIZE).into_font()).pos(text_anchor_top_center());
        root.draw_text(&figure.title, &title_style, (size.0 as i32 / 2, 12)).map_err(|e| e.to_string())?;
        let body = root.margin(TITLE_HEIGHT, 0, 0, 0);
        let (panels_area, legend_area) = body.split_horizontally(pw);
        let n = figure.panels.len().max(1) as u32;
        let areas = panels_area.split_evenly((1, n as usize));
        for (panel, area) in figure.panels.iter().zip(areas.iter()) {
            draw_panel(area, panel)?;
        }
        draw_legend(&legend_area, &figure.legend)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn text_anchor_top_center() -> plotters::style::text_anchor::Pos {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    Pos::new(HPos::Center, VPos::Top)
}

/// Write the figure to `path`.
pub fn write(path: &Path, figure: &Figure) -> Result<(), super::ReportError> {
    let svg =
        render(figure).map_err(|message| super::ReportError::Chart { path: path.display().to_string(), message })?;
    std::fs::write(path, svg).map_err(super::results::io_error(path))
}

/// A log axis over more than three decades. plotters' log scale stops making
/// key points some twenty decades down, so such an axis is drawn as a linear
/// axis of log₁₀ values labelled with powers of ten.
fn wide_log(a: &Axis) -> bool {
    a.log && (a.range.1 / a.range.0).log10().round() > 3.0
}

/// The panel with its wide log axes turned into linear axes of log₁₀ values;
/// values ≤ 0 go to the axis's floor, as a log scale clamps them.
fn log10_panel(panel: &Panel, tx: bool, ty: bool) -> Panel {
    let t = |v: f64, on: bool, a: &Axis| {
        if !on {
            v
        } else if v > 0.0 {
            v.log10()
        } else if v.is_nan() {
            v
        } else {
            a.range.0.log10()
        }
    };
    let axis = |a: &Axis, on: bool| {
        if on {
            Axis { label: a.label.clone(), log: false, range: (a.range.0.log10(), a.range.1.log10()) }
        } else {
            a.clone()
        }
    };
    let (x, y) = (&panel.x, &panel.y);
    Panel {
        title: panel.title.clone(),
        x: axis(x, tx),
        y: axis(y, ty),
        lines: panel
            .lines
            .iter()
            .map(|l| Line {
                points: l.points.iter().map(|&(px, py)| (t(px, tx, x), t(py, ty, y))).collect(),
                band: l.band.iter().map(|&(bx, lo, hi)| (t(bx, tx, x), t(lo, ty, y), t(hi, ty, y))).collect(),
                ..l.clone()
            })
            .collect(),
        marks: panel.marks.iter().map(|m| Mark { at: (t(m.at.0, tx, x), t(m.at.1, ty, y)), ..m.clone() }).collect(),
    }
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> Result<(), String> {
    let (tx, ty) = (wide_log(&panel.x), wide_log(&panel.y));
    let converted;
    let panel = if tx || ty {
        converted = log10_panel(panel, tx, ty);
        &converted
    } else {
        panel
    };
    let exp = (tx, ty);
    // Log axes reach a hair past their ends, so a power of ten at an end is not lost to rounding.
    let widen = |a: &Axis| if a.log { (a.range.0 * (1.0 - 1e-9), a.range.1 * (1.0 + 1e-9)) } else { a.range };
    let (x0, x1) = widen(&panel.x);
    let (y0, y1) = widen(&panel.y);
    match (panel.x.log, panel.y.log) {
        (false, false) => draw_panel_in(area, panel, exp, x0..x1, y0..y1),
        (true, false) => draw_panel_in(area, panel, exp, (x0..x1).log_scale(), y0..y1),
        (false, true) => draw_panel_in(area, panel, exp, x0..x1, (y0..y1).log_scale()),
        (true, true) => draw_panel_in(area, panel, exp, (x0..x1).log_scale(), (y0..y1).log_scale()),
    }
}

fn draw_panel_in<DB, X, Y>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
    exp: (bool, bool),
    x: X,
    y: Y,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut builder = ChartBuilder::on(area);
    builder.margin(12).margin_right(20).x_label_area_size(52).y_label_area_size(78);
    if let Some(title) = &panel.title {
        builder.caption(title, ("sans-serif", LABEL_SIZE + 1.0));
    }
    let mut chart = builder.build_cartesian_2d(x, y).map_err(err)?;
    let (x_labels, x_fmt) = labelling(&panel.x, exp.0);
    let (y_labels, y_fmt) = labelling(&panel.y, exp.1);
    chart
        .configure_mesh()
        .x_desc(panel.x.label.as_str())
        .y_desc(panel.y.label.as_str())
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style(("sans-serif", TICK_SIZE))
        .axis_desc_style(("sans-serif", LABEL_SIZE))
        .bold_line_style(BLACK.mix(0.12))
        .light_line_style(BLACK.mix(0.04))
        // A dense log axis already has a line at every 1–9 × 10ⁿ.
        .x_max_light_lines(if (panel.x.log || exp.0) && x_labels > 8 { 0 } else { 4 })
        .y_max_light_lines(if (panel.y.log || exp.1) && y_labels > 8 { 0 } else { 4 })
        .draw()
        .map_err(err)?;

    let (xr, yr) = (panel.x.range, panel.y.range);
    let clamp =
        |(px, py): (f64, f64)| (px.clamp(xr.0.min(xr.1), xr.0.max(xr.1)), py.clamp(yr.0.min(yr.1), yr.0.max(yr.1)));
    for line in &panel.lines {
        if line.band.len() > 1 {
            let mut outline: Vec<(f64, f64)> = line.band.iter().map(|&(bx, lo, _)| clamp((bx, lo))).collect();
            outline.extend(line.band.iter().rev().map(|&(bx, _, hi)| clamp((bx, hi))));
            chart.draw_series(std::iter::once(Polygon::new(outline, line.color.mix(0.18).filled()))).map_err(err)?;
        }
    }
    for line in &panel.lines {
        let finite: Vec<(f64, f64)> =
            line.points.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).map(clamp).collect();
        if finite.len() > 1 {
            let style = ShapeStyle { color: line.color.mix(line.opacity), filled: false, stroke_width: line.width };
            chart.draw_series(std::iter::once(PathElement::new(finite, style))).map_err(err)?;
        }
    }
    for mark in &panel.marks {
        if !(mark.at.0.is_finite() && mark.at.1.is_finite()) {
            continue;
        }
        let at = clamp(mark.at);
        let size = mark.size as i32;
        match mark.shape {
            Shape::Dot => chart
                .draw_series(std::iter::once(Circle::new(at, size, mark.color.filled())))
                .map(|_| ())
                .map_err(err)?,
            Shape::Ring => chart
                .draw_series(std::iter::once(Circle::new(at, size, mark.color.stroke_width(2))))
                .map(|_| ())
                .map_err(err)?,
            Shape::Cross => chart
                .draw_series(std::iter::once(Cross::new(at, size, mark.color.stroke_width(3))))
                .map(|_| ())
                .map_err(err)?,
            Shape::Triangle => chart
                .draw_series(std::iter::once(TriangleMarker::new(at, size, mark.color.filled())))
                .map(|_| ())
                .map_err(err)?,
        }
    }
    Ok(())
}

/// How many ticks an axis asks for and how they are labelled. A log axis over
/// at most three decades gets ticks at every 1–9 × 10ⁿ, labelled at 1, 2 and 5
/// only (plotters puts the in-between ticks there only when asked for ten per
/// decade); wider ones are labelled at powers of ten.
///
/// plotters' log axes can hold the same key point twice (1 from one decade's
/// run and from the next), which printed its label twice at one place and
/// read as bold: a label is given to the first tick that has it only.
fn labelling(axis: &Axis, exp: bool) -> (usize, impl Fn(&f64) -> String) {
    let decades = if axis.log { (axis.range.1 / axis.range.0).log10().round() as usize } else { 0 };
    let dense = axis.log && decades <= 3;
    // An axis of log₁₀ values (a wide log axis) asks for every decade and
    // labels every `stride`-th, so labels reach its bottom.
    let exp_decades = if exp { (axis.range.1 - axis.range.0).round().max(1.0) as usize } else { 0 };
    let stride = [1, 2, 3, 5, 10, 20, 50].into_iter().find(|s| exp_decades / s < 8).unwrap_or(100) as i64;
    let count = if dense {
        10 * decades.max(1)
    } else if exp {
        (exp_decades + 1).min(400)
    } else {
        8
    };
    let given: std::cell::RefCell<Vec<String>> = std::cell::RefCell::new(Vec::new());
    let fmt = move |v: &f64| {
        if dense {
            let m = v / 10f64.powf(v.log10().floor());
            let r = m.round();
            if !((r - m).abs() < 1e-6 && matches!(r as i64, 1 | 2 | 5 | 10)) {
                return String::new();
            }
        }
        let label = if exp {
            let e = v.round();
            if (v - e).abs() > 1e-6 || (e as i64).rem_euclid(stride) != 0 {
                return String::new();
            }
            tick(10f64.powi(e as i32))
        } else {
            tick(*v)
        };
        let mut given = given.borrow_mut();
        if given.contains(&label) {
            return String::new();
        }
        given.push(label.clone());
        label
    };
    (count, fmt)
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, legend: &[LegendEntry]) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let style = TextStyle::from(("sans-serif", LEGEND_SIZE).into_font()).pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    ));
    for (k, entry) in legend.iter().enumerate() {
        let y = 24 + (k as u32 * LEGEND_ROW) as i32;
        let (sx0, sx1) = (8, 36);
        match entry.swatch {
            Swatch::Line | Swatch::Band => {
                if entry.swatch == Swatch::Band {
                    area.draw(&Rectangle::new([(sx0, y - 6), (sx1, y + 6)], entry.color.mix(0.18).filled()))
                        .map_err(err)?;
                }
                area.draw(&PathElement::new(vec![(sx0, y), (sx1, y)], entry.color.stroke_width(3))).map_err(err)?;
            }
            Swatch::Mark(shape) => {
                let at = ((sx0 + sx1) / 2, y);
                match shape {
                    Shape::Dot => area.draw(&Circle::new(at, 5, entry.color.filled())),
                    Shape::Ring => area.draw(&Circle::new(at, 5, entry.color.stroke_width(2))),
                    Shape::Cross => area.draw(&Cross::new(at, 5, entry.color.stroke_width(3))),
                    Shape::Triangle => area.draw(&TriangleMarker::new(at, 6, entry.color.filled())),
                }
                .map_err(err)?;
            }
        }
        area.draw_text(&entry.label, &style, (sx1 + 10, y)).map_err(err)?;
    }
    Ok(())
}

/// A log axis range covering the positive `values`, widened to whole decades
/// so every axis has labelled powers of ten. At most `max_decades` decades
/// below the top (smaller values are drawn at the bottom edge).
pub fn log_range(values: impl IntoIterator<Item = f64>, max_decades: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if v.is_finite() && v > 0.0 {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !hi.is_finite() {
        return (0.1, 10.0);
    }
    let top = hi.log10().ceil();
    let mut bottom = lo.log10().floor().max(top - max_decades);
    if bottom >= top {
        bottom = top - 1.0;
    }
    (10f64.powf(bottom), 10f64.powf(top))
}

/// A linear axis range covering `values` with 4% padding.
pub fn linear_range(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 * hi.abs().max(1.0) {
        return (lo - 0.5 * lo.abs().max(1.0), hi + 0.5 * hi.abs().max(1.0));
    }
    let pad = 0.04 * (hi - lo);
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ranges_are_whole_decades_within_the_cap() {
        assert_eq!(log_range([0.5, 3.0], 20.0), (0.1, 10.0));
        assert_eq!(log_range([1e-30, 2.0], 12.0), (1e-11, 10.0));
        assert_eq!(log_range([f64::NAN, -1.0], 12.0), (0.1, 10.0));
        let (lo, hi) = log_range([1.0], 12.0);
        assert!(lo < 1.0 && hi >= 1.0);
        assert_eq!(linear_range([0.0, 1.0]), (-0.04, 1.04));
    }

    fn texts_at(svg: &str) -> Vec<(String, String, String)> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| {
                let t = n.text()?.trim().to_string();
                Some((n.attribute("x")?.to_string(), n.attribute("y")?.to_string(), t))
            })
            .filter(|(_, _, t)| !t.is_empty())
            .collect()
    }

    fn one_panel(y: Axis) -> Figure {
        let (lo, hi) = y.range;
        let panel = Panel {
            title: None,
            x: Axis { label: "step".into(), log: false, range: (0.0, 10.0) },
            y,
            lines: vec![Line::new(vec![(0.0, hi), (10.0, lo)], color(0))],
            marks: Vec::new(),
        };
        Figure { title: "t".into(), panels: vec![panel], legend: Vec::new(), panel_size: (600, 400) }
    }

    #[test]
    fn each_tick_label_is_drawn_once() {
        for range in [(0.1, 10.0), (1e-3, 1.0), (1e-32, 10.0)] {
            let svg = render(&one_panel(Axis { label: "loss".into(), log: true, range })).unwrap();
            let texts = texts_at(&svg);
            let mut seen = std::collections::HashSet::new();
            for t in &texts {
                assert!(seen.insert(t.clone()), "{t:?} drawn twice on {range:?}");
            }
            let labels: Vec<&str> = texts.iter().map(|t| t.2.as_str()).collect();
            assert_eq!(labels.iter().filter(|l| **l == "1").count(), 1, "{range:?}: {labels:?}");
        }
    }

    #[test]
    fn a_wide_log_axis_is_labelled_down_to_its_bottom() {
        let svg = render(&one_panel(Axis { label: "loss".into(), log: true, range: (1e-32, 10.0) })).unwrap();
        let labels: Vec<String> = texts_at(&svg).into_iter().map(|t| t.2).collect();
        for needle in ["1e-30", "1e-20", "1e-10", "1"] {
            assert!(labels.iter().any(|l| l == needle), "{needle} missing from {labels:?}");
        }
        // Four to eight decade labels, evenly strided.
        let decades = labels.iter().filter(|l| l.starts_with("1e") || *l == "1" || *l == "10").count();
        assert!((4..=8).contains(&decades), "{labels:?}");
    }

    #[test]
    fn a_figure_renders_its_title_axes_and_legend() {
        let panel = Panel {
            title: None,
            x: Axis { label: "step".into(), log: false, range: (0.0, 10.0) },
            y: Axis { label: "loss".into(), log: true, range: (1e-3, 10.0) },
            lines: vec![Line::new((0..=10).map(|k| (k as f64, 10f64.powf(1.0 - 0.3 * k as f64))).collect(), color(0))],
            marks: vec![Mark { at: (10.0, 1e-2), shape: Shape::Dot, color: color(0), size: 4 }],
        };
        let figure = Figure {
            title: "A & B <test>".into(),
            panels: vec![panel],
            legend: vec![LegendEntry { label: "Adam".into(), color: color(0), swatch: Swatch::Line }],
            panel_size: (600, 400),
        };
        let svg = render(&figure).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text().map(|t| t.trim().to_string()))
            .collect();
        for needle in ["A & B <test>", "step", "loss", "Adam", "0.001"] {
            assert!(texts.iter().any(|t| t == needle), "{needle} missing from {texts:?}");
        }
    }
}
