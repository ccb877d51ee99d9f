//! The 2-D quadratic bowl of `quadratic`, turned 45° to the axes:
//!
//! ```text
//! f(x) = ½ xᵀ R diag(c₁, c₂) Rᵀ x,   R the rotation by 45°
//!      = ½ (c₁ u² + c₂ v²),   u = (x + y)/√2,  v = (y − x)/√2
//! ∇f  = R diag(c) Rᵀ x:  ∂f/∂x = (c₁ u − c₂ v)/√2,  ∂f/∂y = (c₁ u + c₂ v)/√2
//! ```
//!
//! Global minimum 0 at the origin; curvature c₁ along (1, 1) and c₂ along (−1, 1).
//! Gradient descent and momentum commute with rotations, so they behave here exactly
//! as on `quadratic` with the same `coeffs`. Methods with per-coordinate step sizes
//! (Adagrad, RMSprop, Adam, Rprop, Lion) do not: on the axis-aligned bowl their
//! diagonal scaling undoes the ill-conditioning, here both coordinates mix both
//! curvatures and the advantage disappears. Run the two side by side.
//!
//! Keys: `coeffs = [c₁, c₂]` (both positive and finite; default [1, 10], as
//! `quadratic`). The default start (0, √2) = R (1, 1) is the image of `quadratic`'s
//! start (1, 1), so the two runs start from the same point of the same bowl.
//! Window (−1.5, 1.5)².

use super::quadratic::check_coeffs;
use super::{FunctionError, FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};
use std::f64::consts::{FRAC_1_SQRT_2, SQRT_2};

#[derive(Clone, Copy, Debug)]
pub struct RotatedQuadratic {
    c: [f64; 2],
}

impl RotatedQuadratic {
    /// The rotated bowl with curvatures c₁ along (1, 1) and c₂ along (−1, 1); errors name `coeffs`.
    pub fn new(coeffs: &[f64]) -> Result<Self, FunctionError> {
        check_coeffs(coeffs)?;
        match *coeffs {
            [c1, c2] => Ok(RotatedQuadratic { c: [c1, c2] }),
            _ => Err(FunctionError {
                key: "coeffs",
                message: format!("rotated_quadratic is 2-D: needs 2 coefficients, got {}", coeffs.len()),
            }),
        }
    }

    pub fn coeffs(&self) -> [f64; 2] {
        self.c
    }
}

impl Default for RotatedQuadratic {
    fn default() -> Self {
        RotatedQuadratic { c: [1.0, 10.0] }
    }
}

impl TestFunction for RotatedQuadratic {
    fn kind(&self) -> FunctionKind {
        FunctionKind::RotatedQuadratic
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let u = (x[0] + x[1]) * FRAC_1_SQRT_2;
        let v = (x[1] - x[0]) * FRAC_1_SQRT_2;
        0.5 * (self.c[0] * u * u + self.c[1] * v * v)
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let u = (x[0] + x[1]) * FRAC_1_SQRT_2;
        let v = (x[1] - x[0]) * FRAC_1_SQRT_2;
        let (gu, gv) = (self.c[0] * u, self.c[1] * v);
        grad[0] = (gu - gv) * FRAC_1_SQRT_2;
        grad[1] = (gu + gv) * FRAC_1_SQRT_2;
        0.5 * (gu * u + gv * v)
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::zeros(2)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![0.0, SQRT_2]
    }
    fn window(&self) -> Window {
        Window { x: (-1.5, 1.5), y: (-1.5, 1.5) }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Quadratic;
    use super::*;
    use proptest::prelude::*;

    /// R z for the 45° rotation.
    fn rotate(z: [f64; 2]) -> Array1<f64> {
        array![(z[0] - z[1]) * FRAC_1_SQRT_2, (z[0] + z[1]) * FRAC_1_SQRT_2]
    }

    #[test]
    fn start_is_the_rotated_quadratic_start() {
        let start = RotatedQuadratic::default().default_start();
        let image = rotate([1.0, 1.0]);
        assert!((&start - &image).iter().all(|d| d.abs() < 1e-15), "{start} vs {image}");
    }

    #[test]
    fn rejects_other_lengths() {
        for bad in [vec![1.0], vec![1.0, 2.0, 3.0]] {
            assert_eq!(RotatedQuadratic::new(&bad).unwrap_err().key, "coeffs");
        }
        assert_eq!(RotatedQuadratic::new(&[1.0, -2.0]).unwrap_err().key, "coeffs");
    }

    proptest! {
        /// f(R z) = q(z) and ∇f(R z) = R ∇q(z), with q the axis-aligned bowl.
        #[test]
        fn is_the_axis_aligned_bowl_rotated(
            c1 in 1e-2..1e3f64, c2 in 1e-2..1e3f64, z1 in -2.0..2.0f64, z2 in -2.0..2.0f64,
        ) {
            let rotated = RotatedQuadratic::new(&[c1, c2]).unwrap();
            let aligned = Quadratic::new(vec![c1, c2]).unwrap();
            let (mut gr, mut ga) = (Array1::zeros(2), Array1::zeros(2));
            let fr = rotated.value_and_gradient(rotate([z1, z2]).view(), gr.view_mut());
            let fa = aligned.value_and_gradient(array![z1, z2].view(), ga.view_mut());
            let scale = 1e-12 * (1.0 + fa.abs());
            prop_assert!((fr - fa).abs() <= scale, "{fr} vs {fa}");
            let ga_rotated = rotate([ga[0], ga[1]]);
            for i in 0..2 {
                prop_assert!((gr[i] - ga_rotated[i]).abs() <= 1e-12 * (1.0 + ga[0].abs() + ga[1].abs()));
            }
        }
    }
}
