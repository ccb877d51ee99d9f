//! An axis-aligned quadratic bowl, N-D, with the curvatures as parameters:
//!
//! ```text
//! f(x) = ½ Σᵢ cᵢ xᵢ²,   cᵢ > 0
//! ∂f/∂xᵢ = cᵢ xᵢ
//! ```
//!
//! Global minimum 0 at the origin. The model problem of convergence theory: gradient
//! descent is stable iff lr < 2 / max c, and then the slowest coordinate shrinks by
//! (1 − lr·min c) per step, so the condition number max c / min c sets the pace.
//! The axes are the coordinate axes, so per-coordinate step sizes (Adagrad, RMSprop,
//! Adam, Rprop) undo the ill-conditioning; `rotated_quadratic` is the same bowl
//! turned 45°, where they cannot.
//!
//! Keys: `coeffs = [c₁, …, cₙ]` (every cᵢ positive and finite; dim = their number;
//! `dim`, if also given, must agree). Without `coeffs`: c = [1, 10] in 2-D, and in n
//! dimensions n values spaced geometrically from 1 to 10 (cᵢ = 10^{i/(n−1)}; [1]
//! when n = 1), so the condition number is 10 whatever the dimension: enough for
//! gradient descent to zig-zag, mild enough that it still converges in a few hundred
//! steps.
//!
//! Default start (1, …, 1): every coordinate equally far out, so the stiff one
//! oscillates while the flat one crawls. Window (−1.5, 1.5)².

use super::{FunctionError, FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

#[derive(Clone, Debug)]
pub struct Quadratic {
    coeffs: Vec<f64>,
}

impl Quadratic {
    /// The bowl with these curvatures; errors name `coeffs`.
    pub fn new(coeffs: Vec<f64>) -> Result<Self, FunctionError> {
        check_coeffs(&coeffs)?;
        Ok(Quadratic { coeffs })
    }

    /// The default curvatures in `dim` dimensions: geometric from 1 to 10.
    pub fn default_coeffs(dim: usize) -> Vec<f64> {
        if dim <= 1 {
            return vec![1.0; dim];
        }
        (0..dim).map(|i| 10f64.powf(i as f64 / (dim - 1) as f64)).collect()
    }

    /// Build from the `[objective]` keys: `coeffs` wins, `dim` must then agree.
    pub(super) fn from_params(dim: Option<usize>, coeffs: Option<&[f64]>) -> Result<Self, FunctionError> {
        match (dim, coeffs) {
            (Some(d), Some(c)) if d != c.len() => Err(FunctionError {
                key: "dim",
                message: format!("{d} does not match the {} entries of `coeffs`", c.len()),
            }),
            (_, Some(c)) => Quadratic::new(c.to_vec()),
            (d, None) => Quadratic::new(Quadratic::default_coeffs(d.unwrap_or(2))),
        }
    }

    pub fn coeffs(&self) -> &[f64] {
        &self.coeffs
    }

    /// max c / min c.
    pub fn condition_number(&self) -> f64 {
        let max = self.coeffs.iter().copied().fold(f64::MIN, f64::max);
        let min = self.coeffs.iter().copied().fold(f64::MAX, f64::min);
        max / min
    }
}

/// Curvatures must be a non-empty list of positive finite numbers.
pub(super) fn check_coeffs(coeffs: &[f64]) -> Result<(), FunctionError> {
    if coeffs.is_empty() {
        return Err(FunctionError { key: "coeffs", message: "must not be empty".into() });
    }
    if let Some((i, c)) = coeffs.iter().enumerate().find(|(_, c)| !(c.is_finite() && **c > 0.0)) {
        return Err(FunctionError {
            key: "coeffs",
            message: format!("entry {} is {c}; every coefficient must be positive and finite", i + 1),
        });
    }
    Ok(())
}

impl TestFunction for Quadratic {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Quadratic
    }
    fn dim(&self) -> usize {
        self.coeffs.len()
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        0.5 * self.coeffs.iter().zip(x.iter()).map(|(c, xi)| c * xi * xi).sum::<f64>()
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let mut f = 0.0;
        for ((g, &xi), &c) in grad.iter_mut().zip(x.iter()).zip(self.coeffs.iter()) {
            *g = c * xi;
            f += c * xi * xi;
        }
        0.5 * f
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::zeros(self.dim())]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        Array1::ones(self.dim())
    }
    fn window(&self) -> Window {
        Window { x: (-1.5, 1.5), y: (-1.5, 1.5) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_coefficients_span_a_condition_number_of_ten() {
        assert_eq!(Quadratic::default_coeffs(2), vec![1.0, 10.0]);
        assert_eq!(Quadratic::default_coeffs(1), vec![1.0]);
        for dim in 2..8 {
            let q = Quadratic::new(Quadratic::default_coeffs(dim)).unwrap();
            assert_eq!(q.dim(), dim);
            assert!((q.condition_number() - 10.0).abs() < 1e-12, "dim {dim}: {}", q.condition_number());
        }
    }

    #[test]
    fn condition_number_of_given_coeffs() {
        assert_eq!(Quadratic::new(vec![4.0, 0.5, 2.0]).unwrap().condition_number(), 8.0);
    }

    #[test]
    fn rejects_bad_coeffs() {
        for bad in [vec![], vec![1.0, 0.0], vec![-1.0], vec![1.0, f64::NAN], vec![f64::INFINITY]] {
            let err = Quadratic::new(bad.clone()).unwrap_err();
            assert_eq!(err.key, "coeffs", "{bad:?}");
        }
        let err = Quadratic::new(vec![1.0, 2.0, -3.0]).unwrap_err();
        assert_eq!(err.to_string(), "`coeffs`: entry 3 is -3; every coefficient must be positive and finite");
    }
}
