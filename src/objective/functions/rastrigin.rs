//! Rastrigin's function (Rastrigin 1974; N-D form of Mühlenbein et al. 1991), A = 10:
//!
//! ```text
//! f(x) = A n + Σᵢ [ xᵢ² − A cos(2π xᵢ) ] = Σᵢ [ xᵢ² + 2A sin²(π xᵢ) ]
//! ∂f/∂xᵢ = 2 xᵢ + 2π A sin(2π xᵢ)
//! ```
//!
//! Global minimum 0 at the origin, the only one; a local minimum near every point of
//! the integer lattice (11ⁿ of them in the window). A bowl covered in ripples: the
//! gradient points to the nearest ripple's floor, not to the bowl's. From the default
//! start (2.5, 2.7, 2.5, 2.7, …) gradient descent (lr ≤ 1e-3) and Adam (lr 1e-3 to
//! 0.1) all stop at about (1.99, 2.98), value 12.9; only large, momentum-carried steps
//! get further. The ripples are stiff (curvature up to 2 + 4π²A ≈ 397), so gradient
//! descent with lr above 2/397 ≈ 0.005 cannot settle in any of them. The sin² form is used for the value: it is exactly 0 at the origin and
//! keeps its precision near the lattice points.
//!
//! Window (−5.12, 5.12)², the usual search domain. N-D with `dim` (default 2).
//! Source: L. A. Rastrigin, *Systems of Extremal Control*, Nauka, 1974; H. Mühlenbein,
//! D. Schomisch, J. Born, "The parallel genetic algorithm as function optimizer",
//! Parallel Computing 17 (1991).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use std::f64::consts::PI;

const A: f64 = 10.0;

#[derive(Clone, Debug)]
pub struct Rastrigin {
    dim: usize,
}

impl Rastrigin {
    pub fn new(dim: usize) -> Self {
        Rastrigin { dim }
    }
}

impl TestFunction for Rastrigin {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Rastrigin
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        x.iter()
            .map(|&xi| {
                let s = (PI * xi).sin();
                xi * xi + 2.0 * A * (s * s)
            })
            .sum()
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let mut f = 0.0;
        for (g, &xi) in grad.iter_mut().zip(x.iter()) {
            // sin(2πx) = 2 sin(πx) cos(πx): one sin_cos for value and slope.
            let (s, c) = (PI * xi).sin_cos();
            // Rounded in the chain rule's order (outer factor first), as reverse-mode
            // differentiation of the same formula typed as an `expr` rounds it.
            f += xi * xi + 2.0 * A * (s * s);
            *g = 2.0 * xi + 2.0 * A * (2.0 * s) * c * PI;
        }
        f
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::zeros(self.dim)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        Array1::from_shape_fn(self.dim, |i| if i % 2 == 0 { 2.5 } else { 2.7 })
    }
    fn window(&self) -> Window {
        Window { x: (-5.12, 5.12), y: (-5.12, 5.12) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn matches_the_textbook_form() {
        let f = Rastrigin::new(3);
        for x in [array![2.5, 2.7, -0.3], array![1.0, -4.9, 0.01]] {
            let textbook = A * 3.0 + x.iter().map(|&v| v * v - A * (2.0 * PI * v).cos()).sum::<f64>();
            assert!((f.value(x.view()) - textbook).abs() < 1e-12, "{x}");
        }
    }

    #[test]
    fn lattice_points_near_the_start_are_local_minima() {
        // The trap at (1.99, 2.98): stationary, higher than the global minimum.
        let f = Rastrigin::new(2);
        let mut g = Array1::zeros(2);
        // Solve 2x + 20π sin(2πx) = 0 near 2 and 3 by Newton's method.
        let root = |mut x: f64| {
            for _ in 0..50 {
                x -= (2.0 * x + 2.0 * PI * A * (2.0 * PI * x).sin()) / (2.0 + 4.0 * PI * PI * A * (2.0 * PI * x).cos());
            }
            x
        };
        let p = array![root(2.0), root(3.0)];
        let v = f.value_and_gradient(p.view(), g.view_mut());
        assert!(g.iter().all(|gi| gi.abs() < 1e-10), "g = {g}");
        assert!((v - 12.93).abs() < 0.01, "f = {v}");
    }
}
