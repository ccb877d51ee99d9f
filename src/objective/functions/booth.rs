//! Booth's function, 2-D:
//!
//! ```text
//! f(x, y) = (x + 2y − 7)² + (2x + y − 5)²
//! ∂f/∂x = 2 (x + 2y − 7) + 4 (2x + y − 5)
//! ∂f/∂y = 4 (x + 2y − 7) + 2 (2x + y − 5)
//! ```
//!
//! Global minimum 0 at (1, 3), the only one. Booth is a quadratic: its Hessian
//! [[10, 8], [8, 10]] has eigenvalue 18 along (1, 1) and 2 along (1, −1), a bowl of
//! condition number 9 turned 45° to the axes. It is the easy baseline every method
//! should solve; gradient descent is stable for lr < 2/18 ≈ 0.11 and zig-zags across
//! the valley as lr nears that bound. The default start (−7, 5) is off both axes of
//! the bowl so the zig-zag shows.
//!
//! Window (−10, 10)², the usual search domain.
//! Source: Jamil & Yang, "A literature survey of benchmark functions for global
//! optimization problems" (2013).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

#[derive(Clone, Copy, Debug, Default)]
pub struct Booth;

impl TestFunction for Booth {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Booth
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let a = x[0] + 2.0 * x[1] - 7.0;
        let b = 2.0 * x[0] + x[1] - 5.0;
        a * a + b * b
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let a = x[0] + 2.0 * x[1] - 7.0;
        let b = 2.0 * x[0] + x[1] - 5.0;
        grad[0] = 2.0 * a + 4.0 * b;
        grad[1] = 4.0 * a + 2.0 * b;
        a * a + b * b
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![array![1.0, 3.0]]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![-7.0, 5.0]
    }
    fn window(&self) -> Window {
        Window { x: (-10.0, 10.0), y: (-10.0, 10.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_is_the_hessian_times_the_offset() {
        // A quadratic: ∇f(x) = H (x − x*) exactly.
        let mut g = Array1::zeros(2);
        Booth.value_and_gradient(array![-7.0, 5.0].view(), g.view_mut());
        let d = [-8.0, 2.0];
        assert_eq!(g, array![10.0 * d[0] + 8.0 * d[1], 8.0 * d[0] + 10.0 * d[1]]);
    }
}
