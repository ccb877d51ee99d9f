//! Matyas' function (Matyas 1965), 2-D:
//!
//! ```text
//! f(x, y) = 0.26 (x² + y²) − 0.48 xy
//! ∂f/∂x = 0.52 x − 0.48 y,   ∂f/∂y = 0.52 y − 0.48 x
//! ```
//!
//! Global minimum 0 at the origin, the only one. A quadratic whose Hessian has
//! eigenvalue 1 along (1, −1) and 0.04 along (1, 1): a flat, diagonal valley of
//! condition number 25. Two lessons. The curvature is small everywhere, so the
//! stable learning rate of gradient descent is large (lr < 2); with lr 0.1, from
//! the default start (8, 3) it is still at about (1.65, 1.65) after 300 steps,
//! crawling down the valley floor, where momentum has converged. And the valley is
//! diagonal, so per-coordinate step sizes do not straighten it.
//!
//! Window (−10, 10)², the usual search domain.
//! Source: J. Matyas, "Random optimization", Automation and Remote Control 26 (1965);
//! as listed by Jamil & Yang (2013).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

#[derive(Clone, Copy, Debug, Default)]
pub struct Matyas;

impl TestFunction for Matyas {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Matyas
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        0.26 * (x * x + y * y) - 0.48 * x * y
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        grad[0] = 0.52 * x - 0.48 * y;
        grad[1] = 0.52 * y - 0.48 * x;
        0.26 * (x * x + y * y) - 0.48 * x * y
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::zeros(2)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![8.0, 3.0]
    }
    fn window(&self) -> Window {
        Window { x: (-10.0, 10.0), y: (-10.0, 10.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curvatures_along_the_diagonals() {
        // f(t d) = ½ λ t² for the unit eigenvectors d.
        let s = std::f64::consts::FRAC_1_SQRT_2;
        assert!((Matyas.value(array![s, s].view()) - 0.5 * 0.04).abs() < 1e-15);
        assert!((Matyas.value(array![s, -s].view()) - 0.5 * 1.0).abs() < 1e-15);
    }
}
