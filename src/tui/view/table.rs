//! The convergence table: per run its loss, best loss, steps to target,
//! validation loss and accuracy (models), gradient norm, recent rate (slope of
//! log₁₀ loss per 1000 steps), distance to the known minimum, status, speed and,
//! when there is room, the hyperparameters that differ between labels; sorted
//! best first. Labels are shown whole (cut in the middle only when the pane is
//! really too narrow); columns that do not fit are left out, least useful
//! first; the selected run's row is always in view.

use crate::engine::Status;
use crate::optim::Hyper;
use crate::tui::app::{App, SortKey};
use crate::tui::format;
use crate::tui::snapshot::RunView;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, StatefulWidget, Table, TableState, Widget};
use std::cmp::Ordering;

#[derive(Clone, PartialEq)]
enum Col {
    Run,
    Loss,
    Best,
    Target,
    ValLoss,
    ValAcc,
    Grad,
    Rate,
    Dist,
    Status,
    Speed,
    /// A hyperparameter that differs between labels.
    Hyper(&'static str),
}

impl Col {
    fn title(&self) -> &'static str {
        match self {
            Col::Run => "run",
            Col::Loss => "loss",
            Col::Best => "best",
            Col::Target => "target",
            Col::ValLoss => "val loss",
            Col::ValAcc => "val acc",
            Col::Grad => "‖grad‖",
            Col::Rate => "rate/1k",
            Col::Dist => "to min",
            Col::Status => "status",
            Col::Speed => "steps/s",
            Col::Hyper(name) => name,
        }
    }

    fn width(&self, run_w: u16) -> u16 {
        match self {
            Col::Run => run_w,
            Col::Target => 6,
            Col::Rate => 7,
            Col::Status => 15,
            Col::Speed => 7,
            Col::ValAcc => 7,
            Col::Hyper(name) => (name.chars().count() as u16).max(8),
            _ => 9,
        }
    }
}

fn status_text(status: Status) -> (String, Style) {
    match status {
        Status::Running => ("running".into(), Style::new()),
        Status::Completed => ("completed".into(), theme::DIM),
        Status::ReachedTarget { step } => (format!("target at {step}"), theme::REACHED),
        Status::Diverged { step } => (format!("diverged at {step}"), theme::DIVERGED),
    }
}

/// Smaller is better; diverged runs and missing figures go last.
fn key(r: &RunView, sort: SortKey) -> (bool, f64) {
    let diverged = matches!(r.status, Status::Diverged { .. });
    let v = match sort {
        SortKey::Loss => r.last.loss,
        SortKey::BestLoss => r.best_loss,
        SortKey::StepsToTarget => r.steps_to_target.map_or(f64::INFINITY, |s| s as f64),
        SortKey::Rate => r.slope.unwrap_or(f64::INFINITY),
        SortKey::ValLoss => r.last.val_loss.unwrap_or(f64::INFINITY),
        SortKey::ValAccuracy => r.last.val_accuracy.map_or(f64::INFINITY, |a| -a),
        SortKey::Run => r.id.0 as f64,
    };
    (diverged && sort != SortKey::Run, if v.is_nan() { f64::INFINITY } else { v })
}

/// A slope with its sign and three significant digits, at most 7 characters.
fn rate(x: f64) -> String {
    let a = x.abs();
    if a >= 1e4 {
        return format!("{x:+.0e}");
    }
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    };
    format!("{x:+.decimals$}")
}

pub fn order(app: &App) -> Vec<usize> {
    let runs = &app.snapshot().runs;
    let mut idx: Vec<usize> = (0..runs.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ka, kb) = (key(&runs[a], app.sort), key(&runs[b], app.sort));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(Ordering::Equal).then(a.cmp(&b))
    });
    idx
}

fn block(app: &App) -> Block<'static> {
    Block::bordered().border_style(theme::BORDER).title(Line::from(vec![
        Span::styled(" convergence ", theme::TITLE),
        Span::styled(format!("· by {}, best first · s sorts ", app.sort.name()), theme::DIM),
    ]))
}

fn run_name(app: &App, r: &RunView) -> String {
    if app.snapshot().seeds > 1 { format!("{} s{}", r.label, r.seed) } else { r.label.clone() }
}

/// The hyperparameters whose values differ between labels, in catalog order.
fn differing(app: &App) -> Vec<&'static str> {
    let groups = &app.snapshot().groups;
    let mut names: Vec<&'static str> = Vec::new();
    for g in groups {
        for (spec, _) in &g.hyper {
            if names.contains(&spec.name) {
                continue;
            }
            let values: Vec<Option<Hyper>> = (0..groups.len()).map(|h| app.value(h, spec.name)).collect();
            if values.windows(2).any(|w| w[0] != w[1]) {
                names.push(spec.name);
            }
        }
    }
    names
}

/// The columns that fit, in display order, and the run column's width.
fn columns(app: &App, width: u16) -> (Vec<Col>, u16) {
    let s = app.snapshot();
    let longest = s.runs.iter().map(|r| run_name(app, r).chars().count()).max().unwrap_or(3) as u16 + 2;
    let has_dist = s.runs.iter().any(|r| r.distance.is_some());
    let has_val = s.runs.iter().any(|r| r.last.val_loss.is_some());
    let has_acc = s.runs.iter().any(|r| r.last.val_accuracy.is_some());
    let mut priority = vec![Col::Run, Col::Loss, Col::Status];
    if has_val {
        priority.push(Col::ValLoss);
    }
    if has_acc {
        priority.push(Col::ValAcc);
    }
    priority.extend([Col::Best, Col::Target, Col::Rate, Col::Grad]);
    if has_dist {
        priority.push(Col::Dist);
    }
    priority.push(Col::Speed);
    priority.extend(differing(app).into_iter().map(Col::Hyper));
    // The label whole when the essential columns still fit beside it; else cut to what is left.
    let essentials: u16 = priority[1..3].iter().map(|c| c.width(0) + 1).sum();
    let run_w = longest.min(width.saturating_sub(essentials)).max(6);
    let mut chosen: Vec<Col> = Vec::new();
    let mut used = 0u16;
    for col in priority.iter() {
        let w = col.width(run_w) + 1;
        if used + w <= width || chosen.is_empty() {
            chosen.push(col.clone());
            used += w;
        }
    }
    let display = [
        Col::Run,
        Col::Loss,
        Col::Best,
        Col::Target,
        Col::ValLoss,
        Col::ValAcc,
        Col::Grad,
        Col::Rate,
        Col::Dist,
        Col::Status,
        Col::Speed,
    ];
    let mut cols: Vec<Col> = display.into_iter().filter(|c| chosen.contains(c)).collect();
    cols.extend(chosen.into_iter().filter(|c| matches!(c, Col::Hyper(_))));
    (cols, run_w)
}

/// The first row shown, so that the selected label's first row is in view.
fn offset(app: &App, rows: usize) -> usize {
    let s = app.snapshot();
    let order = order(app);
    let Some(sel) = order.iter().position(|&i| s.runs[i].group == app.selected) else { return 0 };
    let last = order.iter().rposition(|&i| s.runs[i].group == app.selected).unwrap_or(sel);
    if rows == 0 || order.len() <= rows {
        return 0;
    }
    // The label's rows in view when they fit, its first one at least; centred when it can be.
    let span = last - sel + 1;
    let start = if span <= rows { sel.saturating_sub((rows - span) / 2) } else { sel };
    start.min(order.len() - rows)
}

/// The rows on screen and the label each belongs to (for the mouse).
pub fn rows(app: &App, area: Rect) -> Vec<(Rect, usize)> {
    let inner = block(app).inner(area);
    let s = app.snapshot();
    let rows = usize::from(inner.height.saturating_sub(1));
    let first = offset(app, rows);
    order(app)
        .into_iter()
        .skip(first)
        .take(rows)
        .enumerate()
        .map(|(k, i)| (Rect::new(inner.x, inner.y + 1 + k as u16, inner.width, 1), s.runs[i].group))
        .collect()
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let s = app.snapshot();
    let block = block(app);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 10 || inner.height == 0 {
        return;
    }
    let (cols, run_w) = columns(app, inner.width);
    let header = Row::new(cols.iter().map(|c| Cell::from(c.title()))).style(theme::TABLE_HEADER);
    let order = order(app);
    let rows = order.iter().map(|&i| {
        let r = &s.runs[i];
        let color = app.color(r.group);
        let selected = r.group == app.selected;
        let hidden = !app.shown(r.group);
        let cells = cols.iter().map(|c| match c {
            Col::Run => Cell::from(Line::from(vec![
                Span::styled(if selected { "▸ " } else { "  " }, Style::new().fg(color)),
                Span::styled(
                    format::elide(&run_name(app, r), usize::from(run_w.saturating_sub(2))),
                    if hidden { theme::DIM } else { Style::new().fg(color) },
                ),
            ])),
            Col::Loss => Cell::from(format::num(r.last.loss)),
            Col::Best => Cell::from(if r.best_loss.is_finite() { format::num(r.best_loss) } else { "-".into() }),
            Col::Target => Cell::from(r.steps_to_target.map_or("-".into(), |t| t.to_string())),
            Col::ValLoss => Cell::from(r.last.val_loss.map_or("-".into(), format::num)),
            Col::ValAcc => Cell::from(r.last.val_accuracy.map_or("-".into(), |a| format!("{:.1}%", a * 100.0))),
            Col::Grad => Cell::from(r.last.grad_norm.map_or("-".into(), format::num)),
            Col::Rate => Cell::from(match (r.slope, r.status) {
                (_, Status::Diverged { .. }) | (None, _) => "-".into(),
                (Some(k), _) => rate(k * 1000.0),
            }),
            Col::Dist => Cell::from(r.distance.map_or("-".into(), format::num)),
            Col::Status => {
                let (text, style) = status_text(r.status);
                Cell::from(Span::styled(text, style))
            }
            Col::Speed => Cell::from(r.steps_per_sec.map_or("-".into(), format::count)),
            Col::Hyper(name) => Cell::from(app.value(r.group, name).map_or("-".into(), format::hyper)),
        });
        let row = Row::new(cells);
        if selected { row.style(Style::new().add_modifier(Modifier::BOLD)) } else { row }
    });
    let widths: Vec<Constraint> = cols.iter().map(|c| Constraint::Length(c.width(run_w))).collect();
    let mut state = TableState::default().with_offset(offset(app, usize::from(inner.height.saturating_sub(1))));
    StatefulWidget::render(Table::new(rows, widths).header(header).column_spacing(1), inner, buf, &mut state);
}
