//! Beale's function (Beale 1958), 2-D:
//!
//! ```text
//! f(x, y) = t₁² + t₂² + t₃²,   t₁ = 1.5 − x + xy,  t₂ = 2.25 − x + xy²,  t₃ = 2.625 − x + xy³
//! ∂f/∂x = 2t₁ (y − 1) + 2t₂ (y² − 1) + 2t₃ (y³ − 1)
//! ∂f/∂y = 2t₁ x + 4t₂ xy + 6t₃ xy²
//! ```
//!
//! Global minimum 0 at (3, 0.5), the only one. The minimum sits in a flat, curved
//! basin walled by steep ridges: at the minimum the Hessian's eigenvalues are 0.30
//! and 49, and the value climbs to about 2·10⁵ in the corners of the window. A
//! learning rate that suits the basin overshoots near the walls: from the default
//! start (1, 1.5) gradient descent converges with lr 0.01 and diverges with lr 0.1,
//! where Adam with lr 0.1 goes straight in.
//!
//! Window (−4.5, 4.5)², the usual search domain.
//! Source: E. M. L. Beale, "On an iterative method for finding a local minimum of a
//! function of more than one variable", Tech. Rep. 25, Statistical Techniques Research
//! Group, Princeton University, 1958; as listed by Jamil & Yang, "A literature survey of
//! benchmark functions for global optimization problems" (2013).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

#[derive(Clone, Copy, Debug, Default)]
pub struct Beale;

impl TestFunction for Beale {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Beale
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let t1 = 1.5 - x + x * y;
        let t2 = 2.25 - x + x * y * y;
        let t3 = 2.625 - x + x * y * y * y;
        t1 * t1 + t2 * t2 + t3 * t3
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let (y2, y3) = (y * y, y * y * y);
        let t1 = 1.5 - x + x * y;
        let t2 = 2.25 - x + x * y2;
        let t3 = 2.625 - x + x * y3;
        grad[0] = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0));
        grad[1] = 2.0 * x * (t1 + 2.0 * t2 * y + 3.0 * t3 * y2);
        t1 * t1 + t2 * t2 + t3 * t3
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![array![3.0, 0.5]]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![1.0, 1.5]
    }
    fn window(&self) -> Window {
        Window { x: (-4.5, 4.5), y: (-4.5, 4.5) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_at_the_start_by_hand() {
        // t = (2, 3.5, 5): 4 + 12.25 + 25.
        assert_eq!(Beale.value(array![1.0, 1.5].view()), 41.25);
    }
}
