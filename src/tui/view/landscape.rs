//! The loss landscape of a 2-D objective: the height above the lowest sample
//! on a log scale in a perceptual colour map (viridis), two samples per
//! character cell (the upper half block `▀` takes one as its colour, the cell
//! behind it the other), contour lines at log-spaced levels (decades when
//! there are a few), each run's path in braille dots in the run's colour from
//! its start `○` to where it is now `●`, and the known minima as stars. The
//! window fits the paths and the minima (a run that flies off does not
//! squeeze the rest: points far outside the function's own window are left
//! out of the fit and clipped); `b` switches to the function's own window.
//! The paths are the histories' thinned paths, so drawing costs the pane's
//! size, not the runs' length.

use super::colormap::{self, ColorDepth};
use super::dots::Dots;
use crate::engine::History;
use crate::objective::{TestFunction, Window};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// Maps the plane's window to cells and dots of an area.
struct View {
    x: (f64, f64),
    y: (f64, f64),
    width: usize,
    height: usize,
}

impl View {
    /// The dot coordinates of a point of the plane (may be outside the grid).
    fn dot(&self, p: [f64; 2]) -> Option<(f64, f64)> {
        let fx = (p[0] - self.x.0) / (self.x.1 - self.x.0);
        let fy = (self.y.1 - p[1]) / (self.y.1 - self.y.0);
        (fx.is_finite() && fy.is_finite())
            .then(|| (fx * (2 * self.width - 1) as f64, fy * (4 * self.height - 1) as f64))
    }

    fn cell(&self, p: [f64; 2]) -> Option<(u16, u16)> {
        let (px, py) = self.dot(p)?;
        let (px, py) = (px.round(), py.round());
        (px >= 0.0 && py >= 0.0 && px < (2 * self.width) as f64 && py < (4 * self.height) as f64)
            .then_some(((px as usize / 2) as u16, (py as usize / 4) as u16))
    }
}

/// The window that shows every path and minimum (see [`Window::fit`]).
pub fn fit_window(own: Window, minima: &[[f64; 2]], paths: &[Vec<[f64; 2]>]) -> Window {
    own.fit(minima.iter().chain(paths.iter().flatten()).copied())
}

pub fn render(app: &App, histories: &[&History], area: Rect, buf: &mut Buffer) {
    let Some(f) = app.objective().as_function() else { return };
    let s = app.snapshot();
    let minima: Vec<[f64; 2]> = f.minima().iter().filter(|m| m.len() >= 2).map(|m| [m[0], m[1]]).collect();
    let w = if app.landscape_own_window {
        f.window()
    } else {
        let paths: Vec<Vec<[f64; 2]>> = histories
            .iter()
            .filter_map(|h| h.path())
            .map(|p| p.points().iter().copied().chain(p.latest()).collect())
            .collect();
        fit_window(f.window(), &minima, &paths)
    };
    // What does not fit goes, the key hints first: a title is never cut.
    let room = usize::from(area.width.saturating_sub(2));
    let mut title = vec![
        Span::styled(format!(" {} ", f.title()), theme::TITLE),
        Span::styled("○", theme::AXIS),
        Span::styled(" start ", theme::DIM),
        Span::styled("★", Style::new().fg(theme::MINIMUM)),
        Span::styled(" min ", theme::DIM),
    ];
    if title.iter().map(Span::width).sum::<usize>() + 13 <= room {
        title.push(Span::styled("· v switches ", theme::DIM));
    }
    let title = Line::from(title);
    let which = if app.landscape_own_window { "b fits" } else { "b: own" };
    let mut bounds = format!(" x {}…{} y {}…{} ", short(w.x.0), short(w.x.1), short(w.y.0), short(w.y.1));
    if bounds.chars().count() + which.len() + 2 <= room {
        bounds = format!("{bounds}· {which} ");
    }
    let block =
        Block::bordered().border_style(theme::BORDER).title(title).title_bottom(Span::styled(bounds, theme::DIM));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 4 || inner.height < 2 {
        return;
    }
    let view = View { x: w.x, y: w.y, width: usize::from(inner.width), height: usize::from(inner.height) };
    shade(f, &view, inner, ColorDepth::detect(), buf);

    // Paths, the selected label's last so it is on top.
    let order = super::loss_chart::drawing_order(app);
    let mut dots = Dots::new(inner.width, inner.height);
    for &i in &order {
        let (Some(run), Some(h)) = (s.runs.get(i), histories.get(i)) else { continue };
        let Some(path) = h.path() else { continue };
        let color = theme::run_color(run.group);
        let mut prev: Option<(f64, f64)> = None;
        for &q in path.points().iter().chain(path.latest().as_ref()) {
            let d = view.dot(q);
            let style = Style::new().fg(color);
            match (prev, d) {
                (Some(a), Some(b)) => dots.line(a, b, style, false),
                (None, Some(b)) => dots.point(b, style),
                _ => {}
            }
            prev = d;
        }
    }
    dots.render(inner, buf);

    for &m in &minima {
        if let Some((col, row)) = view.cell(m) {
            buf[(inner.x + col, inner.y + row)]
                .set_char('★')
                .set_style(Style::new().fg(theme::MINIMUM).add_modifier(Modifier::BOLD));
        }
    }
    for &i in &order {
        let Some(h) = histories.get(i) else { continue };
        if let Some(q) = h.path().and_then(|p| p.points().first().copied())
            && let Some((col, row)) = view.cell(q)
        {
            buf[(inner.x + col, inner.y + row)].set_char('○').set_style(Style::new().fg(Color::White));
        }
    }
    for &i in &order {
        let (Some(run), Some(h)) = (s.runs.get(i), histories.get(i)) else { continue };
        if let Some(q) = h.path().and_then(|p| p.latest())
            && let Some((col, row)) = view.cell(q)
        {
            buf[(inner.x + col, inner.y + row)]
                .set_char('●')
                .set_style(Style::new().fg(theme::run_color(run.group)).add_modifier(Modifier::BOLD));
        }
    }
}

/// The heights in two samples per cell, coloured on a log scale, with contours.
fn shade(f: &dyn TestFunction, view: &View, inner: Rect, depth: ColorDepth, buf: &mut Buffer) {
    let (cols, rows) = (view.width, view.height * 2);
    let mut heights = Vec::with_capacity(cols * rows);
    let mut p = ndarray::Array1::<f64>::zeros(f.dim());
    for row in 0..rows {
        for col in 0..cols {
            p[0] = view.x.0 + (col as f64 + 0.5) / cols as f64 * (view.x.1 - view.x.0);
            p[1] = view.y.1 - (row as f64 + 0.5) / rows as f64 * (view.y.1 - view.y.0);
            heights.push(f.value(p.view()));
        }
    }
    let finite = heights.iter().copied().filter(|v| v.is_finite());
    let (lowest, highest) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    // The log of the height above the lowest sample (or the known minimum, when lower).
    let floor = f.min_value().map_or(lowest, |m| m.min(lowest));
    let eps = ((highest - floor) * 1e-6).max(1e-12);
    let log = |v: f64| if v.is_finite() { (v - floor + eps).ln() } else { f64::INFINITY };
    let logs: Vec<f64> = heights.iter().map(|&v| log(v)).collect();
    let (s0, s1) = (log(lowest), log(highest));
    let levels = colormap::log_levels(s0, s1);
    let at = |col: usize, row: usize| logs[row * cols + col];
    let sample = |col: usize, row: usize| -> Color {
        let v = at(col, row);
        let t = if s1 > s0 { (v - s0) / (s1 - s0) } else { 0.0 };
        let b = colormap::band(v, &levels);
        let contour = (col + 1 < cols && colormap::band(at(col + 1, row), &levels) != b)
            || (row + 1 < rows && colormap::band(at(col, row + 1), &levels) != b);
        colormap::color(t, contour, depth)
    };
    for row in 0..view.height {
        for col in 0..cols {
            let (upper, lower) = (sample(col, 2 * row), sample(col, 2 * row + 1));
            buf[(inner.x + col as u16, inner.y + row as u16)].set_char('▀').set_fg(upper).set_bg(lower);
        }
    }
}

/// A bound as short as it reads: three significant digits, no trailing zeros.
fn short(x: f64) -> String {
    let s = format::num(crate::engine::lr_find::round_sig(x, 3));
    if s.contains('.') && !s.contains('e') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}
