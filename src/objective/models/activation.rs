//! Hidden-layer activations, applied in place, with derivatives written in
//! terms of the activation's output (what backpropagation has at hand):
//!
//! ```text
//! relu     a = max(0, z)          a' = 1 if a > 0 else 0   (0 at z = 0, as PyTorch)
//! tanh     a = tanh z             a' = 1 − a²
//! sigmoid  a = 1 / (1 + e^(−z))   a' = a (1 − a)
//! ```

use super::vmath;
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
        if let Some(values) = z.as_slice_mut() {
            // Contiguous blocks (every block of a pass) take the vectorised kernels.
            match self {
                Activation::Relu => values.iter_mut().for_each(|v| *v = v.max(0.0)),
                Activation::Tanh => vmath::tanh_in_place(values),
                Activation::Sigmoid => vmath::sigmoid_in_place(values),
            }
            return;
        }
        match self {
            Activation::Relu => z.mapv_inplace(|v| v.max(0.0)),
            Activation::Tanh => z.mapv_inplace(tanh),
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

/// tanh as in Cephes (S. Moshier): a rational function below |x| = 0.625,
/// 1 − 2/(e^(2|x|) + 1) above, where there is no cancellation. Within 3e-16
/// of libm's tanh and three times faster than it here (one `exp` instead of
/// libm's general path); the hidden layers of a tanh MLP spend most of their
/// non-matmul time in it.
pub(crate) fn tanh(x: f64) -> f64 {
    const P: [f64; 3] = [-9.643_991_794_250_523e-1, -9.928_772_310_019_186e1, -1.614_687_684_417_084_5e3];
    const Q: [f64; 3] = [1.128_116_784_916_329_3e2, 2.235_488_390_601_004_5e3, 4.844_063_053_251_255e3];
    let z = x.abs();
    if z >= 0.625 {
        // exp overflows to infinity above 709, which still gives exactly 1.
        (1.0 - 2.0 / ((2.0 * z).exp() + 1.0)).copysign(x)
    } else if x == 0.0 {
        x // keeps the sign of −0
    } else {
        let s = x * x;
        let p = (P[0] * s + P[1]) * s + P[2];
        let q = ((s + Q[0]) * s + Q[1]) * s + Q[2];
        x + x * s * (p / q)
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
    fn tanh_matches_libm() {
        let mut worst: f64 = 0.0;
        for i in 0..200_001 {
            let x = (i as f64 - 100_000.0) * 1.3e-4;
            let (ours, libm) = (tanh(x), x.tanh());
            worst = worst.max(((ours - libm) / libm.abs().max(f64::MIN_POSITIVE)).abs());
        }
        assert!(worst < 5e-16, "{worst:e}");
        for x in [0.0, -0.0, 1e-300, -1e-10, 0.625, 20.0, -400.0, 1e308, f64::INFINITY, f64::NEG_INFINITY] {
            let (ours, libm) = (tanh(x), x.tanh());
            assert!(ours == libm || ((ours - libm) / libm).abs() < 5e-16, "{x}: {ours} vs {libm}");
            assert_eq!(ours.is_sign_negative(), libm.is_sign_negative(), "{x}");
        }
        assert!(tanh(f64::NAN).is_nan());
    }

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-16);
    }
}
