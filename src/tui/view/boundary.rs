//! The selected run's decision regions, for a classifier of a plane (two
//! features: moons, circles, spirals, xor, two-feature blobs): each half
//! cell takes the colour of the class the model predicts there, brighter
//! where it is more sure, with the boundary between classes drawn light;
//! the samples on top as braille dots in their true class's colour. Redrawn
//! from the run's parameters at every frame, so it follows the run live.

use super::colormap::{ColorDepth, xterm256};
use super::dots::Dots;
use crate::objective::models::Prediction;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

/// Okabe and Ito's colour-blind-safe categorical palette.
const CLASSES: [[u8; 3]; 8] = [
    [230, 159, 0],
    [86, 180, 233],
    [0, 158, 115],
    [240, 228, 66],
    [204, 121, 167],
    [213, 94, 0],
    [0, 114, 178],
    [200, 200, 200],
];

/// The same classes for 16-colour terminals: (region, sample).
const BASIC: [(Color, Color); 6] = [
    (Color::Red, Color::LightRed),
    (Color::Blue, Color::LightCyan),
    (Color::Green, Color::LightGreen),
    (Color::Yellow, Color::LightYellow),
    (Color::Magenta, Color::LightMagenta),
    (Color::Cyan, Color::White),
];

fn rgb(c: [f64; 3], depth: ColorDepth) -> Color {
    let byte = |v: f64| (v * 255.0).round().clamp(0.0, 255.0) as u8;
    let (r, g, b) = (byte(c[0]), byte(c[1]), byte(c[2]));
    match depth {
        ColorDepth::Indexed256 => Color::Indexed(xterm256(r, g, b)),
        _ => Color::Rgb(r, g, b),
    }
}

/// A class's full colour (the samples).
pub fn class_color(class: usize, depth: ColorDepth) -> Color {
    if depth == ColorDepth::Basic16 {
        return BASIC[class % BASIC.len()].1;
    }
    let c = CLASSES[class % CLASSES.len()];
    rgb([f64::from(c[0]) / 255.0, f64::from(c[1]) / 255.0, f64::from(c[2]) / 255.0], depth)
}

/// A region's colour: the class's, dark where the model hesitates (its
/// probability near 1/k) and brighter where it is sure; the boundary light.
pub fn region_color(p: Prediction, classes: usize, edge: bool, depth: ColorDepth) -> Color {
    if depth == ColorDepth::Basic16 {
        return if edge { Color::Gray } else { BASIC[p.class % BASIC.len()].0 };
    }
    let c = CLASSES[p.class % CLASSES.len()].map(|v| f64::from(v) / 255.0);
    if edge {
        return rgb(c.map(|v| v * 0.35 + 0.6), depth);
    }
    let chance = 1.0 / classes.max(2) as f64;
    let sure =
        if p.probability.is_finite() { ((p.probability - chance) / (1.0 - chance)).clamp(0.0, 1.0) } else { 0.0 };
    rgb(c.map(|v| v * (0.15 + 0.3 * sure)), depth)
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(model) = app.objective().as_model() else { return };
    let s = app.snapshot();
    let group = s.groups.get(app.selected);
    let run = group.and_then(|g| g.runs.first()).and_then(|id| s.runs.iter().find(|r| r.id == *id));
    let color = Style::new().fg(theme::run_color(app.selected));
    let title = vec![Span::styled(" decision boundary ", theme::TITLE)];
    let mut optional = vec![Span::styled(format!("· {} ", group.map_or("", |g| g.label.as_str())), color)];
    if let Some(r) = run {
        optional.push(Span::styled(format!("· step {} ", r.t), theme::DIM));
        if let Some(acc) = r.last.val_accuracy {
            optional.push(Span::styled(format!("· val acc {} ", format::num(acc)), theme::DIM));
        }
    }
    optional.push(Span::styled("· v switches ", theme::DIM));
    let title = super::fitted_title(title, optional, area.width);
    let depth = ColorDepth::detect();
    let names = model.class_names().unwrap_or(&[]);
    let mut legend = vec![Span::raw(" ")];
    for (k, name) in names.iter().enumerate() {
        legend.push(Span::styled("● ", Style::new().fg(class_color(k, depth))));
        legend.push(Span::styled(format!("{} ", format::fit(name, 12)), theme::DIM));
    }
    let block = Block::bordered().border_style(theme::BORDER).title(title).title_bottom(Line::from(legend));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 4 || inner.height < 2 {
        return;
    }
    let window = model.plane_window();
    let (cols, rows) = (usize::from(inner.width), usize::from(inner.height) * 2);
    let grid = run.and_then(|r| r.params.as_deref()).and_then(|p| model.predict_grid(p, window, cols, rows));
    let Some(grid) = grid else {
        Paragraph::new(Span::styled("no parameters to draw yet", theme::DIM))
            .wrap(Wrap { trim: true })
            .render(inner, buf);
        return;
    };
    let classes = names.len().max(2);
    let at = |c: usize, r: usize| grid[r * cols + c];
    let sample = |c: usize, r: usize| {
        let p = at(c, r);
        let edge = (c + 1 < cols && at(c + 1, r).class != p.class) || (r + 1 < rows && at(c, r + 1).class != p.class);
        region_color(p, classes, edge, depth)
    };
    for row in 0..usize::from(inner.height) {
        for col in 0..cols {
            let (upper, lower) = (sample(col, 2 * row), sample(col, 2 * row + 1));
            buf[(inner.x + col as u16, inner.y + row as u16)].set_char('▀').set_fg(upper).set_bg(lower);
        }
    }
    let mut dots = Dots::new(inner.width, inner.height);
    let (w, h) = dots.resolution();
    for (p, class) in model.plane_samples() {
        let dx = (p[0] - window.x.0) / (window.x.1 - window.x.0) * (w - 1) as f64;
        let dy = (window.y.1 - p[1]) / (window.y.1 - window.y.0) * (h - 1) as f64;
        dots.point((dx, dy), Style::new().fg(class_color(class, depth)));
    }
    dots.render(inner, buf);
}
