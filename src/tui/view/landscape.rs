//! The loss landscape of a 2-D objective: a shaded contour map (log of the
//! height above the lowest sample, in bands), each run's path drawn on it in
//! braille dots in the run's colour, its position now as a dot, and the known
//! minima as stars. The paths are the histories' thinned paths, so drawing
//! costs the pane's size, not the runs' length.

use super::dots::Dots;
use crate::engine::History;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
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

pub fn render(app: &App, histories: &[&History], area: Rect, buf: &mut Buffer) {
    let Some(f) = app.objective().as_function() else { return };
    let w = f.window();
    let title = Line::from(vec![
        Span::styled(format!(" {} ", f.title()), theme::TITLE),
        Span::styled("★", Style::new().fg(theme::MINIMUM)),
        Span::styled(" minimum · v switches ", theme::DIM),
    ]);
    let bounds =
        format!(" x {}…{}  y {}…{} ", format::num(w.x.0), format::num(w.x.1), format::num(w.y.0), format::num(w.y.1));
    let block =
        Block::bordered().border_style(theme::BORDER).title(title).title_bottom(Span::styled(bounds, theme::DIM));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.width < 4 || inner.height < 2 {
        return;
    }
    let view = View { x: w.x, y: w.y, width: usize::from(inner.width), height: usize::from(inner.height) };

    // Heights at the cells' centres, shaded by log height above the lowest.
    let mut heights = Vec::with_capacity(view.width * view.height);
    let mut p = ndarray::Array1::<f64>::zeros(f.dim());
    for row in 0..view.height {
        for col in 0..view.width {
            p[0] = w.x.0 + (col as f64 + 0.5) / view.width as f64 * (w.x.1 - w.x.0);
            p[1] = w.y.1 - (row as f64 + 0.5) / view.height as f64 * (w.y.1 - w.y.0);
            heights.push(f.value(p.view()));
        }
    }
    let lowest = heights.iter().copied().filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
    let highest = heights.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max);
    let eps = ((highest - lowest) * 1e-6).max(1e-12);
    let shade = |v: f64| (v - lowest + eps).ln();
    let (s0, s1) = (shade(lowest), shade(highest));
    for (i, &v) in heights.iter().enumerate() {
        let band = if v.is_finite() && s1 > s0 {
            (((shade(v) - s0) / (s1 - s0)) * theme::HEAT.len() as f64).floor() as usize
        } else {
            theme::HEAT.len() - 1
        };
        let (col, row) = ((i % view.width) as u16, (i / view.width) as u16);
        buf[(inner.x + col, inner.y + row)].set_char(' ').set_bg(theme::HEAT[band.min(theme::HEAT.len() - 1)]);
    }

    // Paths, the selected label's last so it is on top.
    let s = app.snapshot();
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

    for m in f.minima() {
        if let Some((col, row)) = view.cell([m[0], m[1]]) {
            buf[(inner.x + col, inner.y + row)]
                .set_char('★')
                .set_style(Style::new().fg(theme::MINIMUM).add_modifier(Modifier::BOLD));
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
