//! Rosenbrock's banana function (Rosenbrock 1960), N-D in its chained form:
//!
//! ```text
//! f(x) = Σ_{i=1}^{n−1} [ 100 (x_{i+1} − x_i²)² + (1 − x_i)² ]
//! ∂f/∂x_i = −400 x_i (x_{i+1} − x_i²) − 2 (1 − x_i) + 200 (x_i − x_{i−1}²)
//! ```
//!
//! Global minimum 0 at (1, …, 1). The valley is easy to find and hard to follow:
//! plain gradient descent crawls along it, momentum and adaptive rates do not.
//! Default start (−1.5, 2, …), the classic demonstration point.

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

#[derive(Clone, Debug)]
pub struct Rosenbrock {
    dim: usize,
}

impl Rosenbrock {
    pub fn new(dim: usize) -> Self {
        Rosenbrock { dim }
    }
}

impl TestFunction for Rosenbrock {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Rosenbrock
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        x.windows(2).into_iter().map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2)).sum()
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        grad.fill(0.0);
        let mut f = 0.0;
        for i in 0..self.dim - 1 {
            let (a, b) = (x[i], x[i + 1]);
            let r = b - a * a;
            f += 100.0 * r * r + (1.0 - a) * (1.0 - a);
            grad[i] += -400.0 * a * r - 2.0 * (1.0 - a);
            grad[i + 1] += 200.0 * r;
        }
        f
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::ones(self.dim)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.dim, |i| if i % 2 == 0 { -1.5 } else { 2.0 })
    }
    fn window(&self) -> Window {
        Window { x: (-2.0, 2.0), y: (-1.0, 3.0) }
    }
}
