//! The report's figures built from a [`ResultSet`], each with the sentence
//! that describes it in report.md.

use super::charts::{self, Axis, Figure, LegendEntry, Line, Mark, Panel, Shape, Swatch, contour_color, shades};
use super::contour::{Grid, clip_path, thin_path};
use super::format::sig;
use super::ranking::Ranking;
use super::results::{History, ResultSet};
use super::sensitivity::SensitivityCurve;
use crate::engine::Status;
use crate::objective::TestFunction;
use plotters::style::{BLACK, RGBColor};
use std::collections::BTreeMap;

/// A figure, its file name and the sentence that describes it.
pub struct Described {
    pub file: &'static str,
    pub alt: String,
    pub figure: Figure,
    pub sentence: String,
}

/// Most points a line keeps (longer histories are sampled evenly, ends kept).
const MAX_POINTS: usize = 1200;
/// Decades a log loss axis may span: all of f64's, so the axis reaches the
/// lowest value a run got to (a run at 1e-29 must not sit on a floor at
/// 1e-16 looking stalled). Only exact zeros (a gap of 0 to f*) cannot be
/// drawn on a log axis: they go on the labelled floor.
const MAX_DECADES: f64 = 330.0;
const GREY: RGBColor = RGBColor(90, 90, 90);

/// How losses are put on the y axis: as the gap to a known minimum f* when
/// there is one, on a log scale whenever the values allow it.
#[derive(Clone, Debug, PartialEq)]
pub struct LossScale {
    pub offset: f64,
    pub log: bool,
    pub label: String,
}

impl LossScale {
    pub fn new(name: &str, f_star: Option<f64>, values: impl IntoIterator<Item = f64>) -> LossScale {
        match f_star {
            Some(f) if f != 0.0 => {
                LossScale { offset: f, log: true, label: format!("{name} − f* (f* = {}), log scale", sig(f, 4)) }
            }
            Some(_) => LossScale { offset: 0.0, log: true, label: format!("{name} (log scale)") },
            None => {
                let positive = values.into_iter().filter(|v| v.is_finite()).all(|v| v > 0.0);
                if positive {
                    LossScale { offset: 0.0, log: true, label: format!("{name} (log scale)") }
                } else {
                    LossScale { offset: 0.0, log: false, label: name.to_string() }
                }
            }
        }
    }

    pub fn y(&self, v: f64) -> f64 {
        v - self.offset
    }

    /// The axis for plotted values `ys` (already through [`LossScale::y`]).
    fn axis(&self, ys: impl IntoIterator<Item = f64>) -> Axis {
        let range = if self.log { charts::log_range(ys, MAX_DECADES) } else { charts::linear_range(ys) };
        Axis { label: self.label.clone(), log: self.log, range }
    }
}

/// Median and min–max over seeds of a per-step value, step by step (over the
/// runs that still have that step), sampled to at most [`MAX_POINTS`].
fn over_seeds(histories: &[&History], value: impl Fn(&History, usize) -> Option<f64>) -> Vec<(f64, f64, f64, f64)> {
    let mut by_step: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for h in histories {
        for (k, &step) in h.step.iter().enumerate() {
            if let Some(v) = value(h, k).filter(|v| v.is_finite()) {
                by_step.entry(step).or_default().push(v);
            }
        }
    }
    let all: Vec<(f64, f64, f64, f64)> = by_step
        .into_iter()
        .map(|(step, mut vs)| {
            vs.sort_by(f64::total_cmp);
            let med = super::stats::quantile_sorted(&vs, 0.5).unwrap_or(f64::NAN);
            (step as f64, med, vs[0], vs[vs.len() - 1])
        })
        .collect();
    sample(all)
}

fn sample<T: Copy>(all: Vec<T>) -> Vec<T> {
    if all.len() <= MAX_POINTS {
        return all;
    }
    let n = all.len();
    let stride = n.div_ceil(MAX_POINTS);
    let mut out: Vec<T> = all.iter().copied().step_by(stride).collect();
    if !(n - 1).is_multiple_of(stride) {
        out.push(all[n - 1]);
    }
    out
}

/// The colour of each ranking row: one hue per `[[optimizer]]` entry, shades for its sweep values.
pub fn group_colors(ranking: &Ranking) -> Vec<RGBColor> {
    shades(&ranking.groups.iter().map(|g| g.entry).collect::<Vec<_>>())
}

fn legend_for_groups(ranking: &Ranking, banded: bool) -> Vec<LegendEntry> {
    let colors = group_colors(ranking);
    ranking
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| LegendEntry {
            label: g.label.clone(),
            color: colors[i],
            swatch: if banded && g.seeds() > 1 { Swatch::Band } else { Swatch::Line },
        })
        .collect()
}

fn seeds_phrase(ranking: &Ranking) -> String {
    let max = ranking.groups.iter().map(|g| g.seeds()).max().unwrap_or(1);
    if max > 1 {
        format!("the line is the median over {max} seeds and the shaded band spans their minimum to maximum")
    } else {
        "one seed per run".to_string()
    }
}

/// loss.svg: loss against steps, one line per row of the ranking.
pub fn loss(results: &ResultSet, ranking: &Ranking, f_star: Option<f64>) -> Described {
    let scale = LossScale::new("loss", f_star, results.runs.iter().flat_map(|r| r.history.loss.iter().copied()));
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    let mut ys = Vec::new();
    // Keep the axis on the interesting part: values far above every start are drawn at the top edge.
    let start_max = results
        .runs
        .iter()
        .filter_map(|r| r.history.loss.first().map(|&l| scale.y(l)))
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let cap = if start_max > 0.0 { start_max * 10.0 } else { f64::INFINITY };
    let mut max_step = 0u64;
    let colors = group_colors(ranking);
    for (i, g) in ranking.groups.iter().enumerate() {
        let histories: Vec<&History> = g.runs.iter().map(|&r| &results.runs[r].history).collect();
        let stats = over_seeds(&histories, |h, k| Some(scale.y(h.loss[k])));
        max_step = max_step.max(histories.iter().filter_map(|h| h.step.last().copied()).max().unwrap_or(0));
        for &(_, m, lo, hi) in &stats {
            ys.extend([m, lo, hi].into_iter().filter(|v| *v <= cap));
        }
        let mut line = Line::new(stats.iter().map(|&(x, m, _, _)| (x, m)).collect(), colors[i]);
        if g.seeds() > 1 {
            line.band = stats.iter().map(|&(x, _, lo, hi)| (x, lo, hi)).collect();
        }
        lines.push(line);
    }
    let mut y_axis = scale.axis(ys.iter().copied());
    // The floor for exact zeros lies a decade below the lowest positive loss when
    // that one sits on the axis's bottom, so a run at 1e-29 is not read as a zero.
    let lowest = ys.iter().copied().filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
    if scale.log && ys.iter().any(|&v| v <= 0.0) && lowest <= y_axis.range.0 * 1.0001 {
        y_axis.range.0 /= 10.0;
    }
    let mut diverged = 0;
    for (i, g) in ranking.groups.iter().enumerate() {
        for &r in &g.runs {
            if let Status::Diverged { step } = results.runs[r].summary.status {
                diverged += 1;
                marks.push(Mark { at: (step as f64, y_axis.range.1), shape: Shape::Cross, color: colors[i], size: 6 });
            }
        }
    }
    let mut legend = legend_for_groups(ranking, true);
    if diverged > 0 {
        legend.push(LegendEntry {
            label: "diverged (at the top edge)".into(),
            color: GREY,
            swatch: Swatch::Mark(Shape::Cross),
        });
    }
    // Values a log axis cannot show (exactly f*): on the floor, which is marked and named.
    let floored = scale.log && ys.iter().any(|&v| v.is_finite() && v < y_axis.range.0);
    if floored {
        let floor = y_axis.range.0;
        lines.push(Line {
            width: 1,
            opacity: 0.6,
            ..Line::new(vec![(0.0, floor), (max_step.max(1) as f64, floor)], GREY)
        });
        legend.push(LegendEntry {
            label: format!("floor {}: a gap of 0 (exactly f*)", super::format::tick(floor)),
            color: GREY,
            swatch: Swatch::Line,
        });
    }
    let panel = Panel {
        title: None,
        x: Axis { label: "step (updates)".into(), log: false, range: (0.0, max_step.max(1) as f64) },
        y: y_axis,
        lines,
        marks,
    };
    let figure = Figure {
        title: match super::markdown::partial(results) {
            Some(p) => {
                format!("{} — loss against steps (partial: running, at step {})", results.scenario.name, p.at_step)
            }
            None => format!("{} — loss against steps", results.scenario.name),
        },
        panels: vec![panel],
        legend,
        panel_size: (820, 520),
    };
    let mut sentence = format!(
        "Training loss against steps on a {} axis, one line per run ({}).",
        if scale.log { "log" } else { "linear" },
        seeds_phrase(ranking)
    );
    if let Some(w) = ranking.winner() {
        let which = if super::markdown::partial(results).is_some() { "latest" } else { "final" };
        sentence.push_str(&format!(
            " {} ranks first, with a median {which} loss of {}.",
            w.label,
            sig(w.final_loss.median, 4)
        ));
    }
    if diverged > 0 {
        sentence.push_str(&format!(" Crosses at the top edge mark the {diverged} diverged run(s)."));
    }
    if floored {
        sentence.push_str(
            " Losses exactly at the minimum (a gap of 0, which a log axis cannot show) lie on the grey floor.",
        );
    }
    Described { file: "loss.svg", alt: "Loss against steps".into(), figure, sentence }
}

/// trajectories.svg: the paths of every run over the contour map of a 2-D function.
pub fn trajectories(results: &ResultSet, ranking: &Ranking, f: &dyn TestFunction) -> Option<Described> {
    if results.param_columns != 2 || f.dim() != 2 {
        return None;
    }
    // Fit the paths, starts and minima; a run that flies far off is left out
    // of the fit and clipped at the edge, so it cannot swamp the others.
    let minima_points = f.minima().into_iter().filter(|m| m.len() >= 2).map(|m| [m[0], m[1]]);
    let path_points = results.runs.iter().flat_map(|r| r.history.xy.iter().map(|&(x, y)| [x, y]));
    let window = f.window().fit(minima_points.chain(path_points));
    let (wx, wy) = (window.x, window.y);
    let mut point = ndarray::Array1::<f64>::zeros(2);
    let grid = Grid::sample(wx, wy, 140, 140, |x, y| {
        point[0] = x;
        point[1] = y;
        f.value(point.view())
    });
    let grid_min = grid.z.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let floor = f.min_value().map_or(grid_min, |m| m.min(grid_min));
    let grid_max = grid.z.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let span = (grid_max - floor).max(1e-300);
    // Levels equally spaced in log(f − floor + δ): dense near minima, where paths end.
    let delta = span * 1e-6;
    let log_grid = Grid {
        xs: grid.xs.clone(),
        ys: grid.ys.clone(),
        z: grid.z.iter().map(|&v| if v.is_finite() { (v - floor + delta).log10() } else { f64::INFINITY }).collect(),
    };
    let (zmin, zmax) = ((delta).log10(), (span + delta).log10());
    let levels = 18;
    let mut lines = Vec::new();
    for k in 1..=levels {
        let t = k as f64 / (levels + 1) as f64;
        let level = zmin + t * (zmax - zmin);
        for polyline in log_grid.contour(level) {
            let mut line = Line::new(polyline, contour_color(t));
            line.width = 1;
            line.opacity = 0.75;
            lines.push(line);
        }
    }
    let mut marks = Vec::new();
    let diag = (wx.1 - wx.0).hypot(wy.1 - wy.0);
    let mut starts: Vec<(f64, f64)> = Vec::new();
    let mut left_window = 0;
    let colors = group_colors(ranking);
    for (i, g) in ranking.groups.iter().enumerate() {
        for (k, &r) in g.runs.iter().enumerate() {
            let xy = &results.runs[r].history.xy;
            let thin = thin_path(xy, diag / 1500.0);
            let pieces = clip_path(&thin, wx, wy);
            for piece in pieces {
                // Further seeds thinner, in the same colour as the legend's.
                let mut line = Line::new(piece, colors[i]);
                if k > 0 {
                    line.width = 1;
                }
                lines.push(line);
            }
            if let Some(&s) = xy.first()
                && !starts.contains(&s)
            {
                starts.push(s);
            }
            match xy.last() {
                Some(&(x, y)) if x >= wx.0 && x <= wx.1 && y >= wy.0 && y <= wy.1 => {
                    marks.push(Mark { at: (x, y), shape: Shape::Dot, color: colors[i], size: 5 });
                }
                _ => left_window += 1,
            }
        }
    }
    for s in &starts {
        marks.push(Mark { at: *s, shape: Shape::Ring, color: BLACK, size: 7 });
    }
    let minima: Vec<(f64, f64)> = f
        .minima()
        .iter()
        .filter(|m| m.len() >= 2)
        .map(|m| (m[0], m[1]))
        .filter(|&(x, y)| x >= wx.0 && x <= wx.1 && y >= wy.0 && y <= wy.1)
        .collect();
    for &m in &minima {
        marks.push(Mark { at: m, shape: Shape::Cross, color: BLACK, size: 7 });
    }
    let mut legend = legend_for_groups(ranking, false);
    legend.push(LegendEntry { label: "start".into(), color: BLACK, swatch: Swatch::Mark(Shape::Ring) });
    legend.push(LegendEntry { label: "end of a run".into(), color: GREY, swatch: Swatch::Mark(Shape::Dot) });
    if !minima.is_empty() {
        legend.push(LegendEntry { label: "global minimum".into(), color: BLACK, swatch: Swatch::Mark(Shape::Cross) });
    }
    legend.push(LegendEntry {
        label: "contours of f (log-spaced)".into(),
        color: contour_color(0.4),
        swatch: Swatch::Line,
    });
    let panel = Panel {
        title: None,
        x: Axis { label: "x0".into(), log: false, range: wx },
        y: Axis { label: "x1".into(), log: false, range: wy },
        lines,
        marks,
    };
    let figure = Figure {
        title: format!("{} — paths over the landscape", results.scenario.name),
        panels: vec![panel],
        legend,
        panel_size: (680, 620),
    };
    let mut sentence = format!(
        "The path of every run over contour lines of {} (levels equally spaced in log(f − f*), dark = low), \
         from the start (ring) to where it ended (dot); crosses mark the known global minima.",
        f.title()
    );
    if left_window > 0 {
        sentence.push_str(&format!(" {left_window} run(s) ended outside the window drawn."));
    }
    Some(Described { file: "trajectories.svg", alt: "Paths over the contour map".into(), figure, sentence })
}

/// sensitivity.svg: final loss against lr for every entry that sweeps lr.
pub fn sensitivity(results: &ResultSet, curves: &[SensitivityCurve], f_star: Option<f64>) -> Option<Described> {
    if curves.is_empty() {
        return None;
    }
    let values = curves.iter().flat_map(|c| c.points.iter().map(|p| p.final_loss.median));
    let scale = LossScale::new("final loss", f_star, values);
    let ys: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.points.iter().flat_map(|p| [p.final_loss.q1, p.final_loss.median, p.final_loss.q3]))
        .map(|v| scale.y(v))
        .collect();
    let y_axis = scale.axis(ys);
    let lrs: Vec<f64> = curves.iter().flat_map(|c| c.points.iter().map(|p| p.lr)).collect();
    // Half a factor of ten beyond the swept values, so no point sits on the frame.
    let x_range = charts::log_range(lrs.iter().flat_map(|&lr| [lr / 3.0, lr * 3.0]), 30.0);
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    let mut any_diverged = false;
    let banded = curves.iter().any(|c| c.points.iter().any(|p| p.seeds > 1));
    let colors = shades(&curves.iter().map(|c| c.entry).collect::<Vec<_>>());
    for (i, c) in curves.iter().enumerate() {
        let col = colors[i];
        let mut line = Line::new(
            c.points
                .iter()
                .filter(|p| p.final_loss.median.is_finite())
                .map(|p| (p.lr, scale.y(p.final_loss.median)))
                .collect(),
            col,
        );
        if banded {
            line.band = c
                .points
                .iter()
                .filter(|p| p.final_loss.q1.is_finite())
                .map(|p| (p.lr, scale.y(p.final_loss.q1), scale.y(p.final_loss.q3).min(y_axis.range.1)))
                .collect();
        }
        lines.push(line);
        for p in &c.points {
            if p.final_loss.median.is_finite() {
                marks.push(Mark { at: (p.lr, scale.y(p.final_loss.median)), shape: Shape::Dot, color: col, size: 3 });
            } else {
                any_diverged = true;
                marks.push(Mark { at: (p.lr, y_axis.range.1), shape: Shape::Cross, color: col, size: 6 });
            }
        }
        if let Some(b) = c.best_point() {
            marks.push(Mark { at: (b.lr, scale.y(b.final_loss.median)), shape: Shape::Ring, color: col, size: 9 });
        }
    }
    let mut legend: Vec<LegendEntry> = curves
        .iter()
        .enumerate()
        .map(|(i, c)| LegendEntry {
            label: c.label.clone(),
            color: colors[i],
            swatch: if banded { Swatch::Band } else { Swatch::Line },
        })
        .collect();
    legend.push(LegendEntry { label: "best lr".into(), color: GREY, swatch: Swatch::Mark(Shape::Ring) });
    if any_diverged {
        legend.push(LegendEntry { label: "diverged (median)".into(), color: GREY, swatch: Swatch::Mark(Shape::Cross) });
    }
    let panel = Panel {
        title: None,
        x: Axis { label: "learning rate (log scale)".into(), log: true, range: x_range },
        y: y_axis,
        lines,
        marks,
    };
    let figure = Figure {
        title: format!("{} — final loss against learning rate", results.scenario.name),
        panels: vec![panel],
        legend,
        panel_size: (820, 520),
    };
    let sentence = format!(
        "Median final loss against the swept learning rate on log axes, one curve per optimizer{}; a ring marks \
         each optimizer's best lr and crosses at the top edge mark rates where the median run diverged. \
         A wide, flat valley is an optimizer that is easy to tune.",
        if banded { " (bands: interquartile range over seeds)" } else { "" }
    );
    Some(Described { file: "sensitivity.svg", alt: "Final loss against learning rate".into(), figure, sentence })
}

/// validation.svg: validation loss and accuracy against steps (models).
pub fn validation(results: &ResultSet, ranking: &Ranking) -> Option<Described> {
    if !results.has_validation() {
        return None;
    }
    let with_accuracy = results.has_accuracy();
    let scale =
        LossScale::new("loss", None, results.runs.iter().flat_map(|r| r.history.val_loss.iter().filter_map(|v| *v)));
    let mut loss_lines = Vec::new();
    let mut acc_lines = Vec::new();
    let (mut loss_ys, mut acc_ys) = (Vec::new(), Vec::new());
    let mut max_step = 0u64;
    let colors = group_colors(ranking);
    for (i, g) in ranking.groups.iter().enumerate() {
        let histories: Vec<&History> = g.runs.iter().map(|&r| &results.runs[r].history).collect();
        max_step = max_step.max(histories.iter().filter_map(|h| h.step.last().copied()).max().unwrap_or(0));
        let loss = over_seeds(&histories, |h, k| h.val_loss[k].map(|v| scale.y(v)));
        loss_ys.extend(loss.iter().flat_map(|&(_, m, lo, hi)| [m, lo, hi]));
        let mut line = Line::new(loss.iter().map(|&(x, m, _, _)| (x, m)).collect(), colors[i]);
        if g.seeds() > 1 {
            line.band = loss.iter().map(|&(x, _, lo, hi)| (x, lo, hi)).collect();
        }
        loss_lines.push(line);
        // The training loss, thin, beside it: the gap between the two is overfitting.
        let train = over_seeds(&histories, |h, k| h.val_loss[k].map(|_| scale.y(h.loss[k])));
        loss_ys.extend(train.iter().map(|&(_, m, _, _)| m));
        let mut line = Line::new(train.iter().map(|&(x, m, _, _)| (x, m)).collect(), colors[i]);
        line.width = 1;
        line.opacity = 0.6;
        loss_lines.push(line);
        if with_accuracy {
            let acc = over_seeds(&histories, |h, k| h.val_accuracy[k]);
            acc_ys.extend(acc.iter().flat_map(|&(_, m, lo, hi)| [m, lo, hi]));
            let mut line = Line::new(acc.iter().map(|&(x, m, _, _)| (x, m)).collect(), colors[i]);
            if g.seeds() > 1 {
                line.band = acc.iter().map(|&(x, _, lo, hi)| (x, lo, hi)).collect();
            }
            acc_lines.push(line);
        }
    }
    let x = Axis { label: "step (updates)".into(), log: false, range: (0.0, max_step.max(1) as f64) };
    let mut panels = vec![Panel {
        title: Some("validation loss (thin: training loss)".into()),
        x: x.clone(),
        y: scale.axis(loss_ys),
        lines: loss_lines,
        marks: Vec::new(),
    }];
    if with_accuracy {
        let (lo, hi) = charts::linear_range(acc_ys);
        panels.push(Panel {
            title: Some("validation accuracy".into()),
            x,
            y: Axis { label: "accuracy".into(), log: false, range: (lo.max(0.0), hi.min(1.0)) },
            lines: acc_lines,
            marks: Vec::new(),
        });
    }
    let width = if with_accuracy { 1100 } else { 820 };
    let mut legend = legend_for_groups(ranking, true);
    legend.push(LegendEntry { label: "thin: training loss".into(), color: GREY, swatch: Swatch::Line });
    let figure =
        Figure { title: format!("{} — validation", results.scenario.name), panels, legend, panel_size: (width, 500) };
    let sentence = format!(
        "Validation loss{} against steps, one line per run ({}), with the training loss as a thin line of \
         the same colour: a gap between the two that grows with steps is overfitting.",
        if with_accuracy { " (left) and accuracy (right)" } else { "" },
        seeds_phrase(ranking)
    );
    Some(Described {
        file: "validation.svg",
        alt: "Validation loss and accuracy against steps".into(),
        figure,
        sentence,
    })
}
