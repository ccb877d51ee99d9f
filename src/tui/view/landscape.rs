//! The loss landscape of a 2-D objective: a shaded contour map (log of the
//! height above the lowest sample, in bands), each run's path drawn on it in
//! braille dots in the run's colour, its position now as a dot, and the known
//! minima as stars. The paths are the histories' thinned paths, so drawing
//! costs the pane's size, not the runs' length.

use crate::engine::History;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

/// Braille dot bits by (column, row) within a cell.
const BRAILLE: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

struct Dots {
    width: usize,
    height: usize,
    bits: Vec<u8>,
    color: Vec<Option<Color>>,
}

impl Dots {
    fn new(width: usize, height: usize) -> Dots {
        Dots { width, height, bits: vec![0; width * height], color: vec![None; width * height] }
    }

    /// Paint dot (px, py) of the 2·width × 4·height grid.
    fn paint(&mut self, px: i64, py: i64, color: Color) {
        if px < 0 || py < 0 || px >= 2 * self.width as i64 || py >= 4 * self.height as i64 {
            return;
        }
        let (cx, cy) = (px as usize / 2, py as usize / 4);
        let i = cy * self.width + cx;
        self.bits[i] |= BRAILLE[px as usize % 2][py as usize % 4];
        self.color[i] = Some(color);
    }

    /// A straight line of dots (Bresenham).
    fn line(&mut self, a: (i64, i64), b: (i64, i64), color: Color) {
        let (mut x, mut y) = a;
        let dx = (b.0 - a.0).abs();
        let dy = -(b.1 - a.1).abs();
        let sx = if a.0 < b.0 { 1 } else { -1 };
        let sy = if a.1 < b.1 { 1 } else { -1 };
        let mut err = dx + dy;
        loop {
            self.paint(x, y, color);
            if (x, y) == b {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }
}

/// Maps the plane's window to cells and dots of an area.
struct View {
    x: (f64, f64),
    y: (f64, f64),
    width: usize,
    height: usize,
}

impl View {
    /// The dot at (x, y), if it is not absurdly far outside (lines to it would be long).
    fn dot(&self, p: [f64; 2]) -> Option<(i64, i64)> {
        let fx = (p[0] - self.x.0) / (self.x.1 - self.x.0);
        let fy = (self.y.1 - p[1]) / (self.y.1 - self.y.0);
        if !(fx.is_finite() && fy.is_finite()) || fx.abs() > 3.0 || fy.abs() > 3.0 {
            return None;
        }
        let px = (fx * (2 * self.width - 1) as f64).round() as i64;
        let py = (fy * (4 * self.height - 1) as f64).round() as i64;
        Some((px, py))
    }

    fn cell(&self, p: [f64; 2]) -> Option<(u16, u16)> {
        let (px, py) = self.dot(p)?;
        (px >= 0 && py >= 0 && (px as usize) < 2 * self.width && (py as usize) < 4 * self.height)
            .then_some(((px / 2) as u16, (py / 4) as u16))
    }
}

pub fn render(app: &App, histories: &[&History], area: Rect, buf: &mut Buffer) {
    let Some(f) = app.objective().as_function() else { return };
    let w = f.window();
    let title = Line::from(vec![
        Span::styled(format!(" {} ", f.kind().name()), theme::TITLE),
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
    let mut dots = Dots::new(view.width, view.height);
    for &i in &order {
        let (Some(run), Some(h)) = (s.runs.get(i), histories.get(i)) else { continue };
        let Some(path) = h.path() else { continue };
        let color = theme::run_color(run.group);
        let mut prev: Option<(i64, i64)> = None;
        for &q in path.points().iter().chain(path.latest().as_ref()) {
            let d = view.dot(q);
            match (prev, d) {
                (Some(a), Some(b)) => dots.line(a, b, color),
                (None, Some(b)) => dots.paint(b.0, b.1, color),
                _ => {}
            }
            prev = d;
        }
    }
    for (i, (&bits, color)) in dots.bits.iter().zip(&dots.color).enumerate() {
        if bits == 0 {
            continue;
        }
        let (col, row) = ((i % view.width) as u16, (i / view.width) as u16);
        let cell = &mut buf[(inner.x + col, inner.y + row)];
        cell.set_char(char::from_u32(0x2800 + u32::from(bits)).unwrap_or('⣿'));
        if let Some(c) = color {
            cell.set_fg(*c);
        }
    }

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
