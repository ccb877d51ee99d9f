//! Ackley's function (Ackley 1987), 2-D, with the standard a = 20, b = 0.2, c = 2π:
//!
//! ```text
//! ρ = √(½ (x² + y²)),   E = exp(½ (cos cx + cos cy))
//! f(x, y) = a (1 − e^{−bρ}) + (e − E)        (= −a e^{−bρ} − E + a + e)
//! ∂f/∂x = a b e^{−bρ} x / (2ρ) + ½ c sin(cx) E      (and likewise for y)
//! ```
//!
//! Global minimum 0 at the origin, the only one. The origin is the tip of a cone
//! (e^{−bρ} has a kink there), so the gradient is undefined at that single point;
//! this implementation returns the zero gradient there (the minimum, and a
//! subgradient), and forms x/ρ from `hypot` so that points near the origin never
//! give NaN. The grouping a (1 − e^{−bρ}) + (e − E) makes f(0) exactly 0.
//!
//! A nearly flat, rippled plateau around a deep narrow funnel: away from the centre
//! the ripples dominate the gradient, so from the default start (2.8, −3.3) gradient
//! descent, momentum and Adam at usual learning rates all settle in a ripple near
//! (2.98, −2.98), value 9.0. Only steps large enough to jump ripples make progress.
//!
//! Window (−5, 5)² (the usual search domain is ±32.768; this one shows the ripples).
//! Source: D. H. Ackley, *A Connectionist Machine for Genetic Hillclimbing*, Kluwer, 1987.

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};
use std::f64::consts::{E, SQRT_2, TAU};

const A: f64 = 20.0;
const B: f64 = 0.2;
const C: f64 = TAU;

#[derive(Clone, Copy, Debug, Default)]
pub struct Ackley;

impl TestFunction for Ackley {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Ackley
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let rho = x.hypot(y) / SQRT_2;
        let e = (0.5 * ((C * x).cos() + (C * y).cos())).exp();
        -A * (-B * rho).exp_m1() + (E - e)
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let h = x.hypot(y);
        let rho = h / SQRT_2;
        let (sx, cx) = (C * x).sin_cos();
        let (sy, cy) = (C * y).sin_cos();
        let e = (0.5 * (cx + cy)).exp();
        // x/(2ρ) = (x/h)/√2 with x/h a unit-vector component: bounded, even for
        // subnormal h (where 1/h alone would overflow), but 0/0 at the origin itself.
        let (ux, uy) = if h > 0.0 { (x / h, y / h) } else { (0.0, 0.0) };
        let cone = A * B * (-B * rho).exp() / SQRT_2;
        grad[0] = cone * ux + 0.5 * C * sx * e;
        grad[1] = cone * uy + 0.5 * C * sy * e;
        -A * (-B * rho).exp_m1() + (E - e)
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![Array1::zeros(2)]
    }
    fn min_value(&self) -> Option<f64> {
        Some(0.0)
    }
    fn default_start(&self) -> Array1<f64> {
        array![2.8, -3.3]
    }
    fn window(&self) -> Window {
        Window { x: (-5.0, 5.0), y: (-5.0, 5.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_form() {
        for (x, y) in [(2.8f64, -3.3f64), (0.1, 0.2), (-4.0, 1.5)] {
            let textbook = -A * (-B * (0.5 * (x * x + y * y)).sqrt()).exp()
                - (0.5 * ((C * x).cos() + (C * y).cos())).exp()
                + A
                + E;
            assert!((Ackley.value(array![x, y].view()) - textbook).abs() < 1e-12);
        }
    }

    #[test]
    fn exactly_zero_at_the_origin_and_finite_next_to_it() {
        let mut g = Array1::from_elem(2, f64::NAN);
        assert_eq!(Ackley.value_and_gradient(array![0.0, 0.0].view(), g.view_mut()), 0.0);
        assert_eq!(g, array![0.0, 0.0]);
        // x² underflows here; hypot does not.
        for p in [array![1e-300, 0.0], array![-1e-170, 1e-170], array![0.0, -5e-324], array![1e-8, 0.0]] {
            let f = Ackley.value_and_gradient(p.view(), g.view_mut());
            assert!(f.is_finite() && f >= 0.0, "f({p}) = {f}");
            assert!(g.iter().all(|v| v.is_finite()), "g({p}) = {g}");
            // Along an axis the cone's slope is a·b/√2 ≈ 2.83, plus the ripple's ~0.
            let norm = g.dot(&g).sqrt();
            assert!((norm - A * B / SQRT_2).abs() < 1e-6, "|g({p})| = {norm}");
        }
    }
}
