//! Hidden-layer activations, applied in place, with derivatives written in
//! terms of the activation's output (what backpropagation has at hand):
//!
//! ```text
//! relu     a = max(0, z)          a' = 1 if a > 0 else 0   (0 at z = 0, as PyTorch)
//! tanh     a = tanh z             a' = 1 − a²
//! sigmoid  a = 1 / (1 + e^(−z))   a' = a (1 − a)
//! ```

use ndarray::{ArrayView2, ArrayViewMut2, Zip};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
}

impl Activation {
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];

    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }

    pub fn from_name(name: &str) -> Option<Activation> {
        Activation::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Replaces pre-activations `z` by activations.
    pub(crate) fn apply(self, mut z: ArrayViewMut2<f64>) {
        match self {
            Activation::Relu => z.mapv_inplace(|v| v.max(0.0)),
            Activation::Tanh => z.mapv_inplace(f64::tanh),
            Activation::Sigmoid => z.mapv_inplace(sigmoid),
        }
    }

    /// Turns `grad` (∂L/∂a) into ∂L/∂z, given the activations `a`.
    pub(crate) fn backprop(self, a: ArrayView2<f64>, grad: ArrayViewMut2<f64>) {
        let zip = Zip::from(grad).and(a);
        match self {
            Activation::Relu => zip.for_each(|g, &a| {
                if a <= 0.0 {
                    *g = 0.0;
                }
            }),
            Activation::Tanh => zip.for_each(|g, &a| *g *= 1.0 - a * a),
            Activation::Sigmoid => zip.for_each(|g, &a| *g *= a * (1.0 - a)),
        }
    }
}

/// The logistic function without overflow for large |z|.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn derivatives_match_finite_differences() {
        for act in Activation::ALL {
            for z0 in [-3.0, -0.4, 0.3, 2.5] {
                let f = |z: f64| {
                    let mut m = array![[z]];
                    act.apply(m.view_mut());
                    m[[0, 0]]
                };
                let a = array![[f(z0)]];
                let mut g = array![[1.0]];
                act.backprop(a.view(), g.view_mut());
                let h = 1e-6;
                let fd = (f(z0 + h) - f(z0 - h)) / (2.0 * h);
                assert!((g[[0, 0]] - fd).abs() < 1e-8, "{act:?} at {z0}: {} vs {fd}", g[[0, 0]]);
            }
        }
    }

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-16);
    }
}
