//! A saddle with two minima beyond it, 2-D:
//!
//! ```text
//! f(x, y) = x² + y⁴/4 − y²/2
//! ∂f/∂x = 2x,   ∂f/∂y = y³ − y
//! ```
//!
//! A saddle point at the origin (Hessian diag(2, −1), value 0) and two global minima
//! (0, ±1), value −1/4. The x-axis is the saddle's stable manifold: started on it,
//! gradient descent converges to the saddle and stays. The default start (1, 10⁻³)
//! is just off it. Gradient descent first slides to the saddle, then the tiny y
//! grows by a factor of about (1 + lr) per step, so it lingers for roughly
//! ln(1000)/lr steps before falling into (0, 1). Methods that rescale the gradient
//! per coordinate (Adam, RMSprop, Rprop, Lion) blow the tiny y-component up at
//! once and escape quickly; momentum escapes sooner than plain descent.
//!
//! Window (−1.5, 1.5)².
//! The standard example of saddle escape, e.g. Ge, Huang, Jin, Yuan, "Escaping from
//! saddle points" (COLT 2015), and Jin et al., "How to escape saddle points
//! efficiently" (ICML 2017).

use super::{FunctionKind, TestFunction};
use crate::objective::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};

#[derive(Clone, Copy, Debug, Default)]
pub struct Saddle;

impl TestFunction for Saddle {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Saddle
    }
    fn dim(&self) -> usize {
        2
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let y2 = y * y;
        x * x + 0.25 * y2 * y2 - 0.5 * y2
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        let (x, y) = (x[0], x[1]);
        let y2 = y * y;
        grad[0] = 2.0 * x;
        grad[1] = y * (y2 - 1.0);
        x * x + 0.25 * y2 * y2 - 0.5 * y2
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        vec![array![0.0, 1.0], array![0.0, -1.0]]
    }
    fn min_value(&self) -> Option<f64> {
        Some(-0.25)
    }
    fn default_start(&self) -> Array1<f64> {
        array![1.0, 1e-3]
    }
    fn window(&self) -> Window {
        Window { x: (-1.5, 1.5), y: (-1.5, 1.5) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_is_a_saddle() {
        let mut g = Array1::from_elem(2, 1.0);
        assert_eq!(Saddle.value_and_gradient(array![0.0, 0.0].view(), g.view_mut()), 0.0);
        assert_eq!(g, array![0.0, 0.0]);
        // Up along x, down along y.
        assert!(Saddle.value(array![1e-3, 0.0].view()) > 0.0);
        assert!(Saddle.value(array![0.0, 1e-3].view()) < 0.0);
    }

    #[test]
    fn gradient_descent_lingers_at_the_saddle_then_escapes() {
        // Plain GD, lr 0.1, from the default start: x falls below 0.1 after ~10 steps,
        // y grows ×1.1 per step and passes 0.14 (|f| ≈ y²/2 = 1e-2) after ~52: about 42
        // steps with |f| < 1e-2, then the minimum (0, 1).
        let lr = 0.1;
        let mut x = Saddle.default_start();
        let mut g = Array1::zeros(2);
        let mut near_saddle = 0;
        for _ in 0..400 {
            let f = Saddle.value_and_gradient(x.view(), g.view_mut());
            if f.abs() < 1e-2 {
                near_saddle += 1;
            }
            x.scaled_add(-lr, &g);
        }
        assert!((30..60).contains(&near_saddle), "{near_saddle} steps near the saddle");
        assert!((x[1] - 1.0).abs() < 1e-6 && x[0].abs() < 1e-6, "ended at {x}");
    }
}
