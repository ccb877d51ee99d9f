//! Drawing: `impl Widget for &App`. Each pane has its own file; they read the
//! app and the histories and change nothing.

pub mod boundary;
pub mod chart;
pub mod colormap;
mod dots;
pub mod footer;
pub mod header;
pub mod help;
pub mod landscape;
pub mod loss_chart;
pub mod lr_find;
pub mod second_chart;
pub mod sliders;
pub mod table;
pub mod ticks;
pub mod tune;

use super::app::{App, SecondChart};
use super::theme;
use crate::engine::History;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// Below this, the lab asks for a larger terminal instead of drawing panes.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Where each pane goes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Areas {
    pub header: Rect,
    pub loss: Rect,
    pub second: Rect,
    pub sliders: Rect,
    pub table: Rect,
    pub footer: Rect,
    pub too_small: bool,
}

/// The layout for a terminal of this size: header, two charts side by side,
/// sliders beside the table (under each other when narrow), footer.
/// A pane title for a box `width` columns wide: `title`, then each of
/// `optional` that still fits, least needed last, so that a title is never cut.
pub fn fitted_title<'a>(mut title: Vec<Span<'a>>, optional: Vec<Span<'a>>, width: u16) -> Line<'a> {
    let room = usize::from(width.saturating_sub(2));
    for span in optional {
        if title.iter().map(Span::width).sum::<usize>() + span.width() <= room {
            title.push(span);
        }
    }
    Line::from(title)
}

pub fn areas(app: &App, area: Rect) -> Areas {
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return Areas { header, footer, too_small: true, ..Areas::default() };
    }
    let s = app.snapshot();
    let table_h = s.runs.len() as u16 + 3;
    let wide = body.width >= 64;
    let sliders_w = if wide { (body.width * 9 / 25).clamp(30, 48) } else { body.width };
    let sliders_h = sliders::height(app, sliders_w);
    let wanted = if wide { table_h.max(sliders_h) } else { table_h + sliders_h };
    let bottom_h = wanted.min(body.height / 2).max(5.min(body.height));
    let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(bottom_h)]).areas(body);
    let [loss, second] = Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(top);
    let (sliders, table) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Length(sliders_w), Constraint::Fill(1)]).areas(bottom);
        (a, b)
    } else {
        let [a, b] =
            Layout::vertical([Constraint::Length(sliders_h.min(bottom_h / 2)), Constraint::Fill(1)]).areas(bottom);
        (a, b)
    };
    Areas { header, loss, second, sliders, table, footer, too_small: false }
}

/// The learning-rate slider tracks on screen, per label (for the mouse).
pub fn slider_tracks(app: &App, size: Rect) -> Vec<(usize, Rect)> {
    let a = areas(app, size);
    if a.too_small { Vec::new() } else { sliders::tracks(app, a.sliders) }
}

/// The legend rows of the loss chart on screen, per label (for the mouse).
pub fn legend_rows(app: &App, size: Rect) -> Vec<(Rect, usize)> {
    let a = areas(app, size);
    if a.too_small {
        return Vec::new();
    }
    let guards = app.histories();
    let histories: Vec<&History> = guards.iter().map(|g| &**g).collect();
    let mut scratch = Buffer::empty(size);
    loss_chart::render(app, &histories, a.loss, &mut scratch).legend
}

/// The table's rows on screen, per label (for the mouse).
pub fn table_rows(app: &App, size: Rect) -> Vec<(Rect, usize)> {
    let a = areas(app, size);
    if a.too_small { Vec::new() } else { table::rows(app, a.table) }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = areas(self, area);
        header::render(self, a.header, buf);
        footer::render(self, a.footer, buf);
        if a.too_small {
            let body = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
            Paragraph::new(vec![
                Line::from("The lab needs a larger terminal"),
                Line::from(format!("(at least {MIN_WIDTH}×{MIN_HEIGHT}; q quits)")),
            ])
            .style(theme::DIM)
            .wrap(Wrap { trim: true })
            .render(body, buf);
        } else {
            let guards = self.histories();
            let histories: Vec<&History> = guards.iter().map(|g| &**g).collect();
            loss_chart::render(self, &histories, a.loss, buf);
            match self.second {
                _ if self.tune.is_some() => tune::render(self, a.second, buf),
                _ if self.lr_find.is_some() => lr_find::render(self, a.second, buf),
                SecondChart::Landscape if self.snapshot().landscape => {
                    landscape::render(self, &histories, a.second, buf)
                }
                SecondChart::Boundary if self.snapshot().boundary => boundary::render(self, a.second, buf),
                other => {
                    second_chart::render(self, &histories, other, a.second, buf);
                }
            }
            sliders::render(self, a.sliders, buf);
            table::render(self, a.table, buf);
        }
        if self.help {
            help::render(self, area, buf);
        }
    }
}
