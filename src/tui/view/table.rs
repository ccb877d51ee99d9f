//! The convergence table: per run its loss, best loss, steps to target,
//! gradient norm, recent rate (slope of log₁₀ loss per 1000 steps), distance
//! to the known minimum, status and speed; sorted best first. Columns that do
//! not fit are left out, least useful first.

use crate::engine::Status;
use crate::tui::app::{App, SortKey};
use crate::tui::format;
use crate::tui::snapshot::RunView;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table, Widget};
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Run,
    Loss,
    Best,
    Target,
    Grad,
    Rate,
    Dist,
    Status,
    Speed,
}

impl Col {
    /// Display order.
    const ALL: [Col; 9] =
        [Col::Run, Col::Loss, Col::Best, Col::Target, Col::Grad, Col::Rate, Col::Dist, Col::Status, Col::Speed];
    /// Which columns go first when space is short.
    const PRIORITY: [Col; 9] =
        [Col::Run, Col::Loss, Col::Status, Col::Best, Col::Target, Col::Rate, Col::Grad, Col::Dist, Col::Speed];

    fn title(self) -> &'static str {
        match self {
            Col::Run => "run",
            Col::Loss => "loss",
            Col::Best => "best",
            Col::Target => "target",
            Col::Grad => "‖grad‖",
            Col::Rate => "rate/1k",
            Col::Dist => "to min",
            Col::Status => "status",
            Col::Speed => "steps/s",
        }
    }

    fn width(self, run_w: u16) -> u16 {
        match self {
            Col::Run => run_w,
            Col::Target => 6,
            Col::Rate => 7,
            Col::Status => 15,
            Col::Speed => 7,
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

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let s = app.snapshot();
    let block = Block::bordered().border_style(theme::BORDER).title(Line::from(vec![
        Span::styled(" convergence ", theme::TITLE),
        Span::styled(format!("· by {}, best first · s sorts ", app.sort.name()), theme::DIM),
    ]));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 10 || inner.height == 0 {
        return;
    }
    let seeds = s.seeds > 1;
    let run_name = |r: &RunView| if seeds { format!("{} s{}", r.label, r.seed) } else { r.label.clone() };
    let longest = s.runs.iter().map(|r| run_name(r).chars().count()).max().unwrap_or(3) as u16;
    let run_w = (longest + 2).clamp(6, 22);
    let has_dist = s.runs.iter().any(|r| r.distance.is_some());
    let mut chosen: Vec<Col> = Vec::new();
    let mut used = 0u16;
    for col in Col::PRIORITY {
        if col == Col::Dist && !has_dist {
            continue;
        }
        let w = col.width(run_w) + 1;
        if used + w <= inner.width || chosen.is_empty() {
            chosen.push(col);
            used += w;
        }
    }
    let cols: Vec<Col> = Col::ALL.into_iter().filter(|c| chosen.contains(c)).collect();
    let header = Row::new(cols.iter().map(|c| Cell::from(c.title()))).style(theme::TABLE_HEADER);
    let rows = order(app).into_iter().map(|i| {
        let r = &s.runs[i];
        let color = theme::run_color(r.group);
        let selected = r.group == app.selected;
        let cells = cols.iter().map(|c| match c {
            Col::Run => Cell::from(Line::from(vec![
                Span::styled(if selected { "▸ " } else { "  " }, Style::new().fg(color)),
                Span::styled(run_name(r), Style::new().fg(color)),
            ])),
            Col::Loss => Cell::from(format::num(r.last.loss)),
            Col::Best => Cell::from(if r.best_loss.is_finite() { format::num(r.best_loss) } else { "-".into() }),
            Col::Target => Cell::from(r.steps_to_target.map_or("-".into(), |t| t.to_string())),
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
        });
        let row = Row::new(cells);
        if selected { row.style(Style::new().add_modifier(Modifier::BOLD)) } else { row }
    });
    let widths: Vec<Constraint> = cols.iter().map(|c| Constraint::Length(c.width(run_w))).collect();
    Table::new(rows, widths).header(header).column_spacing(1).render(inner, buf);
}
