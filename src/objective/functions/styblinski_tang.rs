//! The Styblinski–Tang function (Styblinski & Tang 1990), N-D:
//!
//! ```text
//! f(x) = ½ Σᵢ (xᵢ⁴ − 16xᵢ² + 5xᵢ)
//! ∂f/∂xᵢ = 2xᵢ³ − 16xᵢ + 2.5
//! ```
//!
//! Global minimum −39.16616570377142·n at xᵢ = −2.903534027771177 for every i. Each
//! coordinate is a lopsided double well: the other well, at +2.746803 (−25.02945 per
//! coordinate), is nearly as deep, so there are 2ⁿ − 1 local minima, one per
//! corner of the box. From the default start (4.5, …, 4.5), high on the steep outer
//! wall of the wrong well, gradient descent and Adam at usual learning rates settle
//! at (2.75, …, 2.75); heavy-ball momentum (lr 0.01, β 0.9) gathers enough speed on
//! the way down to cross the barrier at 0.157 and reach the global minimum.
//!
//! Window (−5, 5)², the usual search domain. N-D with `dim` (default 2).
//! Source: M. A. Styblinski, T.-S. Tang, "Experiments in nonconvex optimization:
//! stochastic approximation with function smoothing and simulated annealing",
//! Neural Networks 3 (1990).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

/// The global minimizer of each coordinate's well.
const ARGMIN: f64 = -2.903534027771177;
/// The minimum value per coordinate.
const MIN_PER_COORD: f64 = -39.16616570377141;

#[derive(Clone, Debug)]
pub struct StyblinskiTang {
    dim: usize,
}

impl StyblinskiTang {
    pub fn new(dim: usize) -> Self {
        StyblinskiTang { dim }
    }
}

impl TestFunction for StyblinskiTang {
    fn kind(&self) -> FunctionKind {
        FunctionKind::StyblinskiTang
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        0.5 * x
            .iter()
            .map(|&xi| {
                let x2 = xi * xi;
                x2 * (x2 - 16.0) + 5.0 * xi
            })
            .sum::<f64>()
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let mut f = 0.0;
        for (g, &xi) in grad.iter_mut().zip(x.iter()) {
            let x2 = xi * xi;
            f += x2 * (x2 - 16.0) + 5.0 * xi;
            *g = xi * (2.0 * x2 - 16.0) + 2.5;
        }
        0.5 * f
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::from_elem(self.dim, ARGMIN)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(MIN_PER_COORD * self.dim as f64)
    }
    fn default_start(&self) -> Array1<f64> {
        Array1::from_elem(self.dim, 4.5)
    }
    fn window(&self) -> Window {
        Window { x: (-5.0, 5.0), y: (-5.0, 5.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_other_well_is_a_local_minimum() {
        let f = StyblinskiTang::new(2);
        let mut g = Array1::zeros(2);
        let v = f.value_and_gradient(array![2.746802770990837, ARGMIN].view(), g.view_mut());
        assert!(g.iter().all(|gi| gi.abs() < 1e-12), "g = {g}");
        assert!((v - (-25.029446655283943 + MIN_PER_COORD)).abs() < 1e-12, "f = {v}");
    }
}
