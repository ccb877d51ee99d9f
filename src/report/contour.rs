//! Contour lines of a function sampled on a grid (marching squares), joined
//! into polylines, and the clipping of paths to a window.

use std::collections::HashMap;

/// Values of a function on a grid: `z[j * xs.len() + i]` is the value at (xs[i], ys[j]).
pub struct Grid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub z: Vec<f64>,
}

impl Grid {
    /// Sample `f` on an `nx` × `ny` grid over the rectangle.
    pub fn sample(x: (f64, f64), y: (f64, f64), nx: usize, ny: usize, mut f: impl FnMut(f64, f64) -> f64) -> Grid {
        let axis = |(a, b): (f64, f64), n: usize| -> Vec<f64> {
            (0..n).map(|k| a + (b - a) * k as f64 / (n.max(2) - 1) as f64).collect()
        };
        let xs = axis(x, nx);
        let ys = axis(y, ny);
        let z = ys.iter().flat_map(|&yv| xs.iter().map(move |&xv| (xv, yv))).map(|(xv, yv)| f(xv, yv)).collect();
        Grid { xs, ys, z }
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        let v = self.z[j * self.xs.len() + i];
        // Non-finite values (overflow far from the minimum) count as higher than any level.
        if v.is_finite() { v } else { f64::MAX }
    }

    /// The polylines where the sampled function crosses `level`.
    pub fn contour(&self, level: f64) -> Vec<Vec<(f64, f64)>> {
        let (nx, ny) = (self.xs.len(), self.ys.len());
        if nx < 2 || ny < 2 {
            return Vec::new();
        }
        // Edge ids: horizontal edge from (i, j) to (i+1, j) is 2(j·nx + i); vertical
        // edge from (i, j) to (i, j+1) is 2(j·nx + i) + 1.
        let h = |i: usize, j: usize| 2 * (j * nx + i);
        let v = |i: usize, j: usize| 2 * (j * nx + i) + 1;
        let mut points: HashMap<usize, (f64, f64)> = HashMap::new();
        let mut segments: Vec<(usize, usize)> = Vec::new();
        let mut cross = |id: usize, (i0, j0): (usize, usize), (i1, j1): (usize, usize)| {
            points.entry(id).or_insert_with(|| {
                let (za, zb) = (self.at(i0, j0), self.at(i1, j1));
                let t = ((level - za) / (zb - za)).clamp(0.0, 1.0);
                let t = if t.is_finite() { t } else { 0.5 };
                (self.xs[i0] + t * (self.xs[i1] - self.xs[i0]), self.ys[j0] + t * (self.ys[j1] - self.ys[j0]))
            });
            id
        };
        for j in 0..ny - 1 {
            for i in 0..nx - 1 {
                let above = |i, j| self.at(i, j) >= level;
                let (a, b, c, d) = (above(i, j), above(i + 1, j), above(i + 1, j + 1), above(i, j + 1));
                let case = a as u8 | (b as u8) << 1 | (c as u8) << 2 | (d as u8) << 3;
                if case == 0 || case == 15 {
                    continue;
                }
                let bottom = || (h(i, j), (i, j), (i + 1, j));
                let right = || (v(i + 1, j), (i + 1, j), (i + 1, j + 1));
                let top = || (h(i, j + 1), (i, j + 1), (i + 1, j + 1));
                let left = || (v(i, j), (i, j), (i, j + 1));
                let mut seg = |e1: (usize, (usize, usize), (usize, usize)),
                               e2: (usize, (usize, usize), (usize, usize))| {
                    let p = cross(e1.0, e1.1, e1.2);
                    let q = cross(e2.0, e2.1, e2.2);
                    segments.push((p, q));
                };
                match case {
                    1 | 14 => seg(left(), bottom()),
                    2 | 13 => seg(bottom(), right()),
                    3 | 12 => seg(left(), right()),
                    4 | 11 => seg(right(), top()),
                    6 | 9 => seg(bottom(), top()),
                    7 | 8 => seg(left(), top()),
                    5 | 10 => {
                        // A saddle cell: the centre decides which corners connect.
                        let centre =
                            (self.at(i, j) + self.at(i + 1, j) + self.at(i + 1, j + 1) + self.at(i, j + 1)) / 4.0;
                        let centre_above = centre >= level;
                        // Case 5: a and c above. Case 10: b and d above.
                        if (case == 5) == centre_above {
                            // b and d are cut off.
                            seg(bottom(), right());
                            seg(top(), left());
                        } else {
                            // a and c are cut off.
                            seg(left(), bottom());
                            seg(right(), top());
                        }
                    }
                    _ => {}
                }
            }
        }
        chain(&segments, &points)
    }
}

/// Join segments that share an edge point into polylines.
fn chain(segments: &[(usize, usize)], points: &HashMap<usize, (f64, f64)>) -> Vec<Vec<(f64, f64)>> {
    let mut by_point: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, &(p, q)) in segments.iter().enumerate() {
        by_point.entry(p).or_default().push(k);
        by_point.entry(q).or_default().push(k);
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    for start in 0..segments.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let (p, q) = segments[start];
        let mut ids = std::collections::VecDeque::from([p, q]);
        // Extend forward from the back, then backward from the front.
        for forward in [true, false] {
            loop {
                let end = if forward { ids[ids.len() - 1] } else { ids[0] };
                let next = by_point.get(&end).and_then(|ks| ks.iter().copied().find(|&k| !used[k]));
                let Some(k) = next else { break };
                used[k] = true;
                let (a, b) = segments[k];
                let other = if a == end { b } else { a };
                if forward {
                    ids.push_back(other);
                } else {
                    ids.push_front(other);
                }
            }
        }
        lines.push(ids.iter().filter_map(|id| points.get(id).copied()).collect());
    }
    lines
}

/// The part of the segment p–q inside the rectangle (Liang–Barsky), if any.
pub fn clip_segment(p: (f64, f64), q: (f64, f64), x: (f64, f64), y: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pk, qk) in [(-dx, p.0 - x.0), (dx, x.1 - p.0), (-dy, p.1 - y.0), (dy, y.1 - p.1)] {
        if pk == 0.0 {
            if qk < 0.0 {
                return None;
            }
        } else {
            let r = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 || t0.is_nan() || t1.is_nan() {
        return None;
    }
    // Unclipped ends are returned exactly, so consecutive segments join.
    let a = if t0 == 0.0 { p } else { (p.0 + t0 * dx, p.1 + t0 * dy) };
    let b = if t1 == 1.0 { q } else { (p.0 + t1 * dx, p.1 + t1 * dy) };
    Some((a, b))
}

/// A path cut to the rectangle: the pieces that lie inside it.
pub fn clip_path(path: &[(f64, f64)], x: (f64, f64), y: (f64, f64)) -> Vec<Vec<(f64, f64)>> {
    let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let inside = |p: (f64, f64)| p.0 >= x.0 && p.0 <= x.1 && p.1 >= y.0 && p.1 <= y.1;
    if path.len() == 1 && inside(path[0]) {
        return vec![path.to_vec()];
    }
    for w in path.windows(2) {
        let (p, q) = (w[0], w[1]);
        if !(p.0.is_finite() && p.1.is_finite() && q.0.is_finite() && q.1.is_finite()) {
            if current.len() > 1 {
                pieces.push(std::mem::take(&mut current));
            }
            current.clear();
            continue;
        }
        match clip_segment(p, q, x, y) {
            Some((a, b)) => {
                if current.last() != Some(&a) {
                    if current.len() > 1 {
                        pieces.push(std::mem::take(&mut current));
                    }
                    current.clear();
                    current.push(a);
                }
                current.push(b);
                if b != q {
                    pieces.push(std::mem::take(&mut current));
                }
            }
            None => {
                if current.len() > 1 {
                    pieces.push(std::mem::take(&mut current));
                }
                current.clear();
            }
        }
    }
    if current.len() > 1 {
        pieces.push(current);
    }
    pieces
}

/// Keep the points of a path that move at least `min_step` from the last kept
/// one (and always the first and last), so long paths stay light.
pub fn thin_path(path: &[(f64, f64)], min_step: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (k, &p) in path.iter().enumerate() {
        let keep = match out.last() {
            None => true,
            Some(&l) => k + 1 == path.len() || (p.0 - l.0).hypot(p.1 - l.1) >= min_step || !p.0.is_finite(),
        };
        if keep {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circles_are_closed_polylines_at_the_right_radius() {
        let grid = Grid::sample((-2.0, 2.0), (-2.0, 2.0), 81, 81, |x, y| x * x + y * y);
        let lines = grid.contour(1.0);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(line.len() > 40);
        assert_eq!(line.first(), line.last(), "a circle closes");
        for &(x, y) in line {
            assert!((x.hypot(y) - 1.0).abs() < 0.01, "({x}, {y})");
        }
        assert!(grid.contour(100.0).is_empty());
    }

    #[test]
    fn two_wells_give_two_lines() {
        let grid = Grid::sample((-3.0, 3.0), (-1.0, 1.0), 61, 21, |x, y| ((x * x - 4.0).powi(2) + y * y).min(50.0));
        assert_eq!(grid.contour(1.0).len(), 2);
    }

    #[test]
    fn paths_are_cut_at_the_window() {
        let path = [(0.0, 0.0), (0.5, 0.5), (2.0, 0.5), (3.0, 0.5), (0.5, 0.2), (0.1, 0.1)];
        let pieces = clip_path(&path, (-1.0, 1.0), (-1.0, 1.0));
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], vec![(0.0, 0.0), (0.5, 0.5), (1.0, 0.5)]);
        assert_eq!(pieces[1][0].0, 1.0);
        assert_eq!(pieces[1].last(), Some(&(0.1, 0.1)));
        assert!(clip_segment((2.0, 2.0), (3.0, 3.0), (0.0, 1.0), (0.0, 1.0)).is_none());
        let thin = thin_path(&[(0.0, 0.0), (0.001, 0.0), (0.5, 0.0), (0.5001, 0.0)], 0.1);
        assert_eq!(thin, vec![(0.0, 0.0), (0.5, 0.0), (0.5001, 0.0)]);
    }
}
