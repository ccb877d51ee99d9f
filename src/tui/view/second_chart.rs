//! The right-hand chart when there is no landscape to draw (models, N-D
//! functions) or when asked: gradient norm, learning rate or validation accuracy.

use super::chart::{self, ChartSpec};
use super::loss_chart;
use crate::engine::{History, Metric};
use crate::tui::app::{App, SecondChart};
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn render(app: &App, histories: &[&History], which: SecondChart, area: Rect, buf: &mut Buffer) {
    let (metric, log) = match which {
        SecondChart::LearningRate => (Metric::Lr, app.log_scale),
        SecondChart::ValAccuracy => (Metric::ValAccuracy, false),
        SecondChart::GradNorm | SecondChart::Landscape | SecondChart::Boundary => (Metric::GradNorm, app.log_scale),
    };
    let curves = loss_chart::curves(app, histories, metric);
    let title = Line::from(vec![
        Span::styled(format!(" {} ", metric.name()), theme::TITLE),
        Span::styled(if log { "· log " } else { "· linear " }, theme::DIM),
        Span::styled("· v switches ", theme::DIM),
    ]);
    chart::render(ChartSpec { title, x_title: loss_chart::x_title(app), curves, log }, area, buf);
}
