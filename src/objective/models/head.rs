//! Output heads: the loss of a network's last layer (the logits z) and its
//! derivative with respect to z, for a block of samples at once.
//!
//! ```text
//! mse       ℓ = (z − y)²                                  ∂ℓ/∂z = 2 (z − y)
//! logistic  ℓ = max(z, 0) − y z + ln(1 + e^(−|z|))         ∂ℓ/∂z = σ(z) − y
//! softmax   ℓ = lse(z) − z_y,  lse(z) = m + ln Σ e^(z_j − m), m = max z     ∂ℓ/∂z_j = e^(z_j − lse) − [j = y]
//! ```
//!
//! These are torch's `MSELoss`, `BCEWithLogitsLoss` and `CrossEntropyLoss`
//! per sample; the log-sum-exp shift and the |z| form of the softplus keep
//! them finite for any finite logits.

use super::vmath;
use ndarray::ArrayViewMut2;

/// Targets of a block of samples.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Labels<'a> {
    Values(&'a [f64]),
    Classes(&'a [usize]),
}

impl Labels<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Labels::Values(v) => v.len(),
            Labels::Classes(c) => c.len(),
        }
    }
}

/// Sum of the losses of the block, and the number of correct predictions
/// (classification). With `scale`, `z` is overwritten by `scale × ∂ℓ/∂z`.
///
/// The head follows from the targets and the logits' width: real targets are
/// mean squared error, classes with one logit binary cross-entropy, classes
/// with several logits softmax cross-entropy.
pub(crate) fn loss_and_delta(z: ArrayViewMut2<f64>, labels: Labels<'_>, scale: Option<f64>) -> (f64, usize) {
    debug_assert_eq!(z.nrows(), labels.len());
    match labels {
        Labels::Values(y) => (mse(z, y, scale), 0),
        Labels::Classes(c) if z.ncols() == 1 => logistic(z, c, scale),
        Labels::Classes(c) => softmax(z, c, scale),
    }
}

fn mse(mut z: ArrayViewMut2<f64>, y: &[f64], scale: Option<f64>) -> f64 {
    let mut sum = 0.0;
    for (zi, &yi) in z.iter_mut().zip(y) {
        let r = *zi - yi;
        sum += r * r;
        if let Some(s) = scale {
            *zi = 2.0 * s * r;
        }
    }
    sum
}

fn logistic(mut z: ArrayViewMut2<f64>, c: &[usize], scale: Option<f64>) -> (f64, usize) {
    let (mut sum, mut correct) = (0.0, 0);
    for (zi, &ci) in z.iter_mut().zip(c) {
        let (v, y) = (*zi, ci as f64);
        // One exponential serves the loss and σ(v), both without overflow.
        let e = (-v.abs()).exp();
        sum += v.max(0.0) - y * v + e.ln_1p();
        correct += usize::from((v > 0.0) == (ci == 1));
        if let Some(s) = scale {
            let sigma = if v >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            *zi = s * (sigma - y);
        }
    }
    (sum, correct)
}

fn softmax(mut z: ArrayViewMut2<f64>, c: &[usize], scale: Option<f64>) -> (f64, usize) {
    let (mut sum, mut correct) = (0.0, 0);
    for (mut row, &ci) in z.rows_mut().into_iter().zip(c) {
        let (mut best, mut max) = (0, f64::NEG_INFINITY);
        for (j, &v) in row.iter().enumerate() {
            if v > max {
                (best, max) = (j, v);
            }
        }
        correct += usize::from(best == ci);
        // One exponential per logit serves the loss and the softmax:
        // w = v − max, lse − v_c = ln Σ e^w − w_c, softmax_j = e^(w_j) / Σ e^w.
        row.mapv_inplace(|v| v - max);
        let w_c = row[ci];
        match row.as_slice_mut() {
            Some(values) => vmath::exp_in_place(values),
            None => row.mapv_inplace(f64::exp),
        }
        let total = row.sum();
        sum += total.ln() - w_c;
        if let Some(s) = scale {
            let k = s / total;
            row.mapv_inplace(|e| k * e);
            row[ci] -= s;
        }
    }
    (sum, correct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    fn fd_check(z0: Array2<f64>, labels: Labels<'_>) {
        let mut delta = z0.clone();
        loss_and_delta(delta.view_mut(), labels, Some(1.0));
        let h = 1e-6;
        for idx in 0..z0.len() {
            let at = |d: f64| {
                let mut z = z0.clone();
                z.as_slice_mut().unwrap()[idx] += d;
                loss_and_delta(z.view_mut(), labels, None).0
            };
            let fd = (at(h) - at(-h)) / (2.0 * h);
            assert!((delta.as_slice().unwrap()[idx] - fd).abs() < 1e-7, "{idx}: {} vs {fd}", delta[[0, 0]]);
        }
    }

    #[test]
    fn deltas_are_derivatives() {
        fd_check(array![[0.3], [-1.2]], Labels::Values(&[1.0, 0.5]));
        fd_check(array![[0.3], [-1.2], [4.0]], Labels::Classes(&[1, 0, 0]));
        fd_check(array![[0.3, -0.1, 2.0], [-1.2, 0.0, 0.7]], Labels::Classes(&[2, 0]));
    }

    #[test]
    fn known_values() {
        let (loss, correct) = loss_and_delta(array![[0.0], [0.0]].view_mut(), Labels::Classes(&[0, 1]), None);
        assert!((loss - 2.0 * 2f64.ln()).abs() < 1e-15);
        assert_eq!(correct, 1);
        let (loss, correct) = loss_and_delta(Array2::zeros((1, 3)).view_mut(), Labels::Classes(&[2]), None);
        assert!((loss - 3f64.ln()).abs() < 1e-15);
        assert_eq!(correct, 0);
        assert_eq!(loss_and_delta(array![[3.0]].view_mut(), Labels::Values(&[1.0]), None), (4.0, 0));
    }

    #[test]
    fn extreme_logits_stay_finite() {
        let (loss, _) = loss_and_delta(array![[800.0], [-800.0]].view_mut(), Labels::Classes(&[0, 1]), None);
        assert!((loss - 1600.0).abs() < 1e-9);
        let mut z = array![[1000.0, -1000.0, 0.0]];
        let (loss, correct) = loss_and_delta(z.view_mut(), Labels::Classes(&[0]), Some(1.0));
        assert_eq!((loss, correct), (0.0, 1));
        assert!(z.iter().all(|v| v.is_finite()));
        let (loss, _) = loss_and_delta(array![[1000.0, -1000.0]].view_mut(), Labels::Classes(&[1]), None);
        assert!((loss - 2000.0).abs() < 1e-9);
    }
}
