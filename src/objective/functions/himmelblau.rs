//! Himmelblau's function (Himmelblau 1972), 2-D:
//!
//! ```text
//! f(x, y) = (x² + y − 11)² + (x + y² − 7)²
//! ∂f/∂x = 4x (x² + y − 11) + 2 (x + y² − 7)
//! ∂f/∂y = 2 (x² + y − 11) + 4y (x + y² − 7)
//! ```
//!
//! Four global minima, all of value 0: (3, 2), (−2.805118, 3.131313),
//! (−3.779310, −3.283186) and (3.584428, −1.848127) (the last three to full
//! precision in the code, found by Newton's method in 40-digit arithmetic). A local
//! maximum, 181.617 at (−0.270845, −0.923039), sits between them.
//!
//! Which minimum a method reaches depends on its path, not only on the landscape.
//! The default start (−0.3, −0.9) lies just beside the maximum: gradient descent
//! (lr 1e-3 or 1e-2) and heavy-ball momentum end at (−3.78, −3.28), Adam (lr 0.01 or
//! 0.1) at (−2.81, 3.13).
//!
//! Window (−5, 5)².
//! Source: D. M. Himmelblau, *Applied Nonlinear Programming*, McGraw-Hill, 1972.

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

/// The four global minima, (3, 2) first.
const MINIMA: [[f64; 2]; 4] = [
    [3.0, 2.0],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.2831859912861696],
    [3.5844283403304917, -1.8481265269644036],
];

#[derive(Clone, Copy, Debug, Default)]
pub struct Himmelblau;

impl TestFunction for Himmelblau {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Himmelblau
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let a = x * x + y - 11.0;
        let b = x + y * y - 7.0;
        a * a + b * b
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let a = x * x + y - 11.0;
        let b = x + y * y - 7.0;
        grad[0] = 4.0 * x * a + 2.0 * b;
        grad[1] = 2.0 * a + 4.0 * y * b;
        a * a + b * b
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        MINIMA.iter().map(|&[x, y]| array![x, y]).collect()
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![-0.3, -0.9]
    }
    fn window(&self) -> Window {
        Window { x: (-5.0, 5.0), y: (-5.0, 5.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_distinct_minima_one_per_quadrant() {
        let minima = Himmelblau.minima();
        assert_eq!(minima.len(), 4);
        let mut quadrants: Vec<(bool, bool)> = minima.iter().map(|m| (m[0] > 0.0, m[1] > 0.0)).collect();
        quadrants.sort();
        quadrants.dedup();
        assert_eq!(quadrants.len(), 4);
    }

    #[test]
    fn the_central_maximum_is_stationary() {
        let mut g = Array1::zeros(2);
        let f = Himmelblau.value_and_gradient(array![-0.2708445906673476, -0.9230385564799815].view(), g.view_mut());
        assert!((f - 181.6165215225827).abs() < 1e-9, "f = {f}");
        assert!(g.iter().all(|gi| gi.abs() < 1e-12), "g = {g}");
    }
}
