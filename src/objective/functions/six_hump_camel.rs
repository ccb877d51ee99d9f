//! The six-hump camel function (Dixon & Szegő 1978), 2-D:
//!
//! ```text
//! f(x, y) = (4 − 2.1x² + x⁴/3) x² + xy + (4y² − 4) y²
//! ∂f/∂x = 8x − 8.4x³ + 2x⁵ + y,   ∂f/∂y = x − 8y + 16y³
//! ```
//!
//! Two global minima, ±(0.0898420, −0.7126564), value −1.0316285 (to full precision
//! in the code, found by Newton's method in 40-digit arithmetic); four local minima,
//! ±(1.70361, −0.79608) at −0.21546 and ±(1.60710, 0.56865) at 2.10425; the origin
//! is a saddle. The function is symmetric under (x, y) → (−x, −y), so neither global
//! minimum is preferred: the one a run finds tells where its path went. From the
//! default start (1.9, 0.9) gradient descent (lr 1e-3, 1e-2) and Adam (lr 1e-3 to 0.1)
//! stop in the local minimum (1.61, 0.57), while heavy-ball momentum (lr 0.01, β 0.9)
//! reaches the global minimum (−0.09, 0.71).
//!
//! Window (−2, 2) × (−1, 1), the usual plotting range.
//! Source: L. C. W. Dixon, G. P. Szegő, "The global optimisation problem: an
//! introduction", in *Towards Global Optimisation 2*, North-Holland, 1978.

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

const MINIMUM: [f64; 2] = [0.08984201310031806, -0.7126564030207396];

#[derive(Clone, Copy, Debug, Default)]
pub struct SixHumpCamel;

impl TestFunction for SixHumpCamel {
    fn kind(&self) -> FunctionKind {
        FunctionKind::SixHumpCamel
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let (x2, y2) = (x * x, y * y);
        x2 * (4.0 + x2 * (-2.1 + x2 / 3.0)) + x * y + y2 * (4.0 * y2 - 4.0)
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let (x2, y2) = (x * x, y * y);
        grad[0] = x * (8.0 + x2 * (-8.4 + 2.0 * x2)) + y;
        grad[1] = x + y * (16.0 * y2 - 8.0);
        x2 * (4.0 + x2 * (-2.1 + x2 / 3.0)) + x * y + y2 * (4.0 * y2 - 4.0)
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        let [x, y] = MINIMUM;
        vec![array![x, y], array![-x, -y]]
    }
    fn min_value(&self) -> Option<f64> {
        Some(-1.0316284534898774)
    }
    fn default_start(&self) -> Array1<f64> {
        array![1.9, 0.9]
    }
    fn window(&self) -> Window {
        Window { x: (-2.0, 2.0), y: (-1.0, 1.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_minima_are_stationary_and_higher() {
        let mut g = Array1::zeros(2);
        for (p, value) in [
            ([1.703606714969981, -0.7960835686726251], -0.21546382438371764),
            ([1.6071047529201972, 0.5686514548841314], 2.1042503103112584),
        ] {
            for sign in [1.0, -1.0] {
                let f = SixHumpCamel.value_and_gradient(array![sign * p[0], sign * p[1]].view(), g.view_mut());
                assert!((f - value).abs() < 1e-12, "f = {f}");
                assert!(g.iter().all(|gi| gi.abs() < 1e-12), "g = {g}");
            }
        }
    }

    #[test]
    fn origin_is_a_saddle() {
        let mut g = Array1::from_elem(2, 1.0);
        SixHumpCamel.value_and_gradient(array![0.0, 0.0].view(), g.view_mut());
        assert_eq!(g, array![0.0, 0.0]);
        assert!(SixHumpCamel.value(array![1e-2, 0.0].view()) > 0.0);
        assert!(SixHumpCamel.value(array![0.0, 1e-2].view()) < 0.0);
    }
}
