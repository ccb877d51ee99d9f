//! A braille dot grid (2×4 dots per cell) shared by the charts and the
//! landscape: one grid for every line, painted bit by bit, written to the
//! buffer once. Cheaper than a canvas layer per line.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

/// Braille dot bits by (column, row) within a cell.
const BRAILLE: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

pub struct Dots {
    width: usize,
    height: usize,
    bits: Vec<u8>,
    style: Vec<Style>,
}

impl Dots {
    /// A grid over `width` × `height` cells: 2·width × 4·height dots.
    pub fn new(width: u16, height: u16) -> Dots {
        let (width, height) = (usize::from(width), usize::from(height));
        Dots { width, height, bits: vec![0; width * height], style: vec![Style::new(); width * height] }
    }

    /// Dots across and down.
    pub fn resolution(&self) -> (usize, usize) {
        (2 * self.width, 4 * self.height)
    }

    /// Paint dot (x, y); dots outside the grid are ignored.
    pub fn paint(&mut self, x: i64, y: i64, style: Style) {
        let (w, h) = self.resolution();
        if x < 0 || y < 0 || x as usize >= w || y as usize >= h {
            return;
        }
        let (x, y) = (x as usize, y as usize);
        let i = (y / 4) * self.width + x / 2;
        self.bits[i] |= BRAILLE[x % 2][y % 4];
        self.style[i] = style;
    }

    /// Paint the dot nearest to (x, y) in dot coordinates.
    pub fn point(&mut self, p: (f64, f64), style: Style) {
        if p.0.is_finite() && p.1.is_finite() {
            self.paint(p.0.round().clamp(-1.0, 1e9) as i64, p.1.round().clamp(-1.0, 1e9) as i64, style);
        }
    }

    /// The part of the segment a–b (dot coordinates) over the grid (Liang–Barsky).
    fn clip(&self, a: (f64, f64), b: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
        let (w, h) = self.resolution();
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [(-dx, a.0 + 0.5), (dx, w as f64 - 0.5 - a.0), (-dy, a.1 + 0.5), (dy, h as f64 - 0.5 - a.1)] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        (t0 <= t1 && t0.is_finite() && t1.is_finite())
            .then_some(((a.0 + t0 * dx, a.1 + t0 * dy), (a.0 + t1 * dx, a.1 + t1 * dy)))
    }

    /// A straight line of dots between two points in dot coordinates
    /// (Bresenham), clipped to the grid, dashed if asked: a line to a point
    /// far outside costs no more than one across the grid.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), style: Style, dashed: bool) {
        if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
            return;
        }
        let Some((a, b)) = self.clip(a, b) else { return };
        let a = (a.0.round() as i64, a.1.round() as i64);
        let b = (b.0.round() as i64, b.1.round() as i64);
        if a.0 == b.0 && !dashed {
            self.vertical(a.0, a.1.min(b.1), a.1.max(b.1), style);
            return;
        }
        let (mut x, mut y) = a;
        let dx = (b.0 - a.0).abs();
        let dy = -(b.1 - a.1).abs();
        let sx = if a.0 < b.0 { 1 } else { -1 };
        let sy = if a.1 < b.1 { 1 } else { -1 };
        let mut err = dx + dy;
        let mut n = 0u32;
        loop {
            if !dashed || n % 3 != 2 {
                self.paint(x, y, style);
            }
            n += 1;
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

    /// Dots (x, y0..=y1), a cell at a time: the min-to-max span of a chart column.
    fn vertical(&mut self, x: i64, y0: i64, y1: i64, style: Style) {
        let (w, h) = self.resolution();
        if x < 0 || x as usize >= w {
            return;
        }
        let (y0, y1) = (y0.max(0) as usize, y1.min(h as i64 - 1));
        if y1 < 0 || y0 > y1 as usize {
            return;
        }
        let (x, y1) = (x as usize, y1 as usize);
        let column = &BRAILLE[x % 2];
        for row in y0 / 4..=y1 / 4 {
            let mask = (y0.max(row * 4)..=y1.min(row * 4 + 3)).fold(0u8, |m, y| m | column[y % 4]);
            let i = row * self.width + x / 2;
            self.bits[i] |= mask;
            self.style[i] = style;
        }
    }

    /// Whether any dot of cell (col, row) is painted.
    pub fn occupied(&self, col: u16, row: u16) -> bool {
        let (col, row) = (usize::from(col), usize::from(row));
        col < self.width && row < self.height && self.bits[row * self.width + col] != 0
    }

    /// Write the painted cells into `area` (same size as the grid), keeping
    /// what is under the others.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        for (i, (&bits, style)) in self.bits.iter().zip(&self.style).enumerate() {
            if bits == 0 {
                continue;
            }
            let (col, row) = ((i % self.width) as u16, (i / self.width) as u16);
            if col >= area.width || row >= area.height {
                continue;
            }
            let cell = &mut buf[(area.x + col, area.y + row)];
            cell.set_char(char::from_u32(0x2800 + u32::from(bits)).unwrap_or('⣿'));
            cell.set_style(*style);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_cells() {
        let mut d = Dots::new(2, 1);
        d.line((0.0, 0.0), (3.0, 3.0), Style::new(), false);
        let area = Rect::new(0, 0, 2, 1);
        let mut buf = Buffer::empty(area);
        d.render(area, &mut buf);
        // (0,0) and (1,1) in the first cell, (2,2) and (3,3) in the second.
        assert_eq!(buf[(0, 0)].symbol(), "⠑");
        assert_eq!(buf[(1, 0)].symbol(), "⢄");
        // A line to a point far away is clipped: cheap, and where it was going.
        let mut d = Dots::new(2, 1);
        d.line((0.0, 3.0), (0.0, -1e300), Style::new(), false);
        let mut buf = Buffer::empty(area);
        d.render(area, &mut buf);
        assert_eq!(buf[(0, 0)].symbol(), "⡇");
        assert_eq!(buf[(1, 0)].symbol(), " ");
        d.line((-10.0, -10.0), (-5.0, 10.0), Style::new(), false);
        // A vertical span fills whole cells at once: rows 1..=6 of column 3.
        let mut d = Dots::new(2, 2);
        d.line((3.0, 6.0), (3.0, 1.0), Style::new(), false);
        let area = Rect::new(0, 0, 2, 2);
        let mut buf = Buffer::empty(area);
        d.render(area, &mut buf);
        assert_eq!(buf[(1, 0)].symbol(), "⢰");
        assert_eq!(buf[(1, 1)].symbol(), "⠸");
        d.line((f64::NAN, 0.0), (1.0, 1.0), Style::new(), false);
    }
}
