//! The right-hand chart when there is no landscape to draw (models, N-D
//! functions) or when asked: gradient norm, learning rate or validation
//! accuracy (on [0, 1]), drawn like the loss chart.

use super::chart::{self, ChartSpec, Drawn};
use super::loss_chart;
use crate::engine::{History, Metric};
use crate::tui::app::{App, SecondChart};
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;

pub fn render(app: &App, histories: &[&History], which: SecondChart, area: Rect, buf: &mut Buffer) -> Drawn {
    let (metric, log) = match which {
        SecondChart::LearningRate => (Metric::Lr, app.log_scale),
        SecondChart::ValAccuracy => (Metric::ValAccuracy, false),
        SecondChart::GradNorm | SecondChart::Landscape | SecondChart::Boundary => (Metric::GradNorm, app.log_scale),
    };
    let curves = loss_chart::curves(app, histories, metric);
    let title = vec![
        Span::styled(format!(" {} ", metric.name()), theme::TITLE),
        Span::styled(
            match (log, metric) {
                (true, _) => "· log ",
                (false, Metric::ValAccuracy) => "",
                (false, _) => "· linear ",
            },
            theme::DIM,
        ),
    ];
    // What does not fit is left out, the key hint first: a title is never cut.
    let mut optional = Vec::new();
    if app.zoom_fraction() < 1.0 {
        optional.push(Span::styled("· zoomed ", theme::DIM));
    }
    optional.push(Span::styled("· v switches ", theme::DIM));
    let s = app.snapshot();
    chart::render(
        ChartSpec {
            title: super::fitted_title(title, optional, area.width),
            unit: app.x_unit,
            train_size: s.train_size.unwrap_or(0) as f64,
            curves,
            log,
            domain: (metric == Metric::ValAccuracy).then_some((0.0, 1.0)),
            robust: app.robust,
            zoom: app.zoom_fraction(),
            // The loss chart beside it carries the legend.
            legend: Vec::new(),
            markers: loss_chart::markers(app),
        },
        area,
        buf,
    )
}
