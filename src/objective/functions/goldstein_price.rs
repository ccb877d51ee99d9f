//! The Goldstein–Price function (Goldstein & Price 1971), 2-D:
//!
//! ```text
//! f(x, y) = A · B
//! A = 1 + a² p,   a = x + y + 1,   p = 19 − 14x + 3x² − 14y + 6xy + 3y²
//! B = 30 + b² q,  b = 2x − 3y,     q = 18 − 32x + 12x² + 48y − 36xy + 27y²
//! ∂A/∂x = ∂A/∂y = 2a p + a² (6x + 6y − 14)
//! ∂B/∂x = 4b q + b² (24x − 36y − 32),   ∂B/∂y = −6b q + b² (54y − 36x + 48)
//! ∇f = B ∇A + A ∇B
//! ```
//!
//! Global minimum 3 at (0, −1); local minima 30 at (−0.6, −0.4), 84 at (1.8, 0.2)
//! and 840 at (1.2, 0.8). An eighth-degree polynomial whose values run from 3 to
//! about 10⁶ inside the window: the lesson is scale. At the default start (1, −1.5)
//! f ≈ 1.3·10⁴ and the gradient is about 6·10⁴, so gradient descent needs lr ≈ 1e-5
//! (1e-4 diverges at once) and heavy-ball momentum with lr 1e-5 overshoots into
//! the local minimum (1.8, 0.2); Adam, whose step does not scale with the gradient,
//! goes to (0, −1) with lr 0.1. Draw it on a log scale.
//!
//! Window (−2, 2)², the usual search domain.
//! Source: A. A. Goldstein, J. F. Price, "On descent from local minima", Mathematics
//! of Computation 25 (1971).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

#[derive(Clone, Copy, Debug, Default)]
pub struct GoldsteinPrice;

impl GoldsteinPrice {
    /// (a, p, b, q) at (x, y).
    fn parts(x: f64, y: f64) -> (f64, f64, f64, f64) {
        let a = x + y + 1.0;
        let p = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
        let b = 2.0 * x - 3.0 * y;
        let q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
        (a, p, b, q)
    }
}

impl TestFunction for GoldsteinPrice {
    fn kind(&self) -> FunctionKind {
        FunctionKind::GoldsteinPrice
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (a, p, b, q) = GoldsteinPrice::parts(x[0], x[1]);
        (1.0 + a * a * p) * (30.0 + b * b * q)
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let (a, p, b, q) = GoldsteinPrice::parts(x, y);
        let (a2, b2) = (a * a, b * b);
        let big_a = 1.0 + a2 * p;
        let big_b = 30.0 + b2 * q;
        let da = 2.0 * a * p + a2 * (6.0 * x + 6.0 * y - 14.0);
        let db_dx = 4.0 * b * q + b2 * (24.0 * x - 36.0 * y - 32.0);
        let db_dy = -6.0 * b * q + b2 * (54.0 * y - 36.0 * x + 48.0);
        grad[0] = da * big_b + big_a * db_dx;
        grad[1] = da * big_b + big_a * db_dy;
        big_a * big_b
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![array![0.0, -1.0]]
    }
    fn min_value(&self) -> Option<f64> {
        Some(3.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![1.0, -1.5]
    }
    fn window(&self) -> Window {
        Window { x: (-2.0, 2.0), y: (-2.0, 2.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_minima_are_stationary_with_their_values() {
        let mut g = Array1::zeros(2);
        for (p, value) in [([-0.6, -0.4], 30.0), ([1.8, 0.2], 84.0), ([1.2, 0.8], 840.0)] {
            let f = GoldsteinPrice.value_and_gradient(array![p[0], p[1]].view(), g.view_mut());
            assert!((f - value).abs() < 1e-9 * value, "f{p:?} = {f}");
            // 0.6, 0.4, ... are not exact in binary: allow the rounding of the point.
            assert!(g.iter().all(|gi| gi.abs() < 1e-9 * value), "g{p:?} = {g}");
        }
    }
}
