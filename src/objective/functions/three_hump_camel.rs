//! The three-hump camel function, 2-D:
//!
//! ```text
//! f(x, y) = 2x² − 1.05x⁴ + x⁶/6 + xy + y²
//! ∂f/∂x = 4x − 4.2x³ + x⁵ + y,   ∂f/∂y = x + 2y
//! ```
//!
//! Global minimum 0 at the origin; two local minima ±(1.74755, −0.87378), value
//! 0.29864, each separated from the centre by a saddle at ±(1.07054, −0.53527),
//! value 0.87736. A low, nearly level trap next to the true minimum: from the default
//! start (2.5, −1) gradient descent (lr 1e-3 to 1e-2) and Adam (lr 0.01, 0.1)
//! stop in the local minimum (1.75, −0.87), while heavy-ball momentum (lr 0.01,
//! β 0.9) carries over the saddle to the origin.
//!
//! Window (−3, 3) × (−2, 2).
//! Source: Jamil & Yang, "A literature survey of benchmark functions for global
//! optimization problems" (2013); Surjanovic & Bingham, Virtual Library of
//! Simulation Experiments (sfu.ca/~ssurjano).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

#[derive(Clone, Copy, Debug, Default)]
pub struct ThreeHumpCamel;

impl TestFunction for ThreeHumpCamel {
    fn kind(&self) -> FunctionKind {
        FunctionKind::ThreeHumpCamel
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let x2 = x * x;
        x2 * (2.0 + x2 * (-1.05 + x2 / 6.0)) + x * y + y * y
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let x2 = x * x;
        grad[0] = x * (4.0 + x2 * (-4.2 + x2)) + y;
        grad[1] = x + 2.0 * y;
        x2 * (2.0 + x2 * (-1.05 + x2 / 6.0)) + x * y + y * y
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::zeros(2)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![2.5, -1.0]
    }
    fn window(&self) -> Window {
        Window { x: (-3.0, 3.0), y: (-2.0, 2.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_side_minima_are_stationary_and_higher() {
        let mut g = Array1::zeros(2);
        for sign in [1.0, -1.0] {
            let p = array![sign * 1.7475523458302888, -sign * 0.8737761729151444];
            let f = ThreeHumpCamel.value_and_gradient(p.view(), g.view_mut());
            assert!((f - 0.2986384422368598).abs() < 1e-12, "f = {f}");
            assert!(g.iter().all(|gi| gi.abs() < 1e-12), "g = {g}");
        }
    }
}
