//! The decision regions of a classifier on two features: the model's
//! predicted class and its probability at each point of a grid over the
//! plane of the data, for drawing a decision boundary under the samples.
//!
//! The plane is the model's own input space (features standardised when the
//! scenario standardises them), so the samples and the grid share one scale.

use super::objective::ModelObjective;
use crate::objective::Window;
use ndarray::Array2;

/// One grid point's prediction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    pub class: usize,
    /// The predicted class's probability (sigmoid or softmax of the logits).
    pub probability: f64,
}

impl ModelObjective {
    /// Whether the data is a plane: two features and class labels.
    pub fn is_planar_classifier(&self) -> bool {
        self.train().n_features() == 2 && self.train().is_classification()
    }

    /// The class names, when the target is classes.
    pub fn class_names(&self) -> Option<&[String]> {
        match &self.train().target {
            crate::data::Target::Classes { names, .. } => Some(names),
            crate::data::Target::Regression(_) => None,
        }
    }

    /// Every sample of both splits as (feature 0, feature 1, class), training first.
    pub fn plane_samples(&self) -> Vec<([f64; 2], usize)> {
        let sets = std::iter::once(self.train()).chain(self.validation_set());
        let mut out = Vec::new();
        for d in sets {
            let crate::data::Target::Classes { ids, .. } = &d.target else { continue };
            if d.n_features() < 2 {
                continue;
            }
            out.extend(d.features.rows().into_iter().zip(ids).map(|(r, &c)| ([r[0], r[1]], c)));
        }
        out
    }

    /// The samples' bounding box with a margin of 5% each side.
    pub fn plane_window(&self) -> Window {
        let mut x = (f64::INFINITY, f64::NEG_INFINITY);
        let mut y = (f64::INFINITY, f64::NEG_INFINITY);
        for (p, _) in self.plane_samples() {
            x = (x.0.min(p[0]), x.1.max(p[0]));
            y = (y.0.min(p[1]), y.1.max(p[1]));
        }
        let pad = |(lo, hi): (f64, f64)| {
            if lo.partial_cmp(&hi).is_none_or(|o| o == std::cmp::Ordering::Greater) {
                return (-1.0, 1.0);
            }
            let m = ((hi - lo) * 0.05).max(1e-9);
            (lo - m, hi + m)
        };
        Window { x: pad(x), y: pad(y) }
    }

    /// The prediction at the centre of each cell of a `cols` × `rows` grid over
    /// `window`, row by row from the top (largest y) down. `None` when the
    /// model does not classify points of a plane or `params` has the wrong length.
    pub fn predict_grid(&self, params: &[f64], window: Window, cols: usize, rows: usize) -> Option<Vec<Prediction>> {
        if !self.is_planar_classifier() || params.len() != self.network.dim {
            return None;
        }
        let mut x = Array2::zeros((cols * rows, 2));
        for r in 0..rows {
            for c in 0..cols {
                let i = r * cols + c;
                x[[i, 0]] = window.x.0 + (c as f64 + 0.5) / cols as f64 * (window.x.1 - window.x.0);
                x[[i, 1]] = window.y.1 - (r as f64 + 0.5) / rows as f64 * (window.y.1 - window.y.0);
            }
        }
        let logits = self.network.logits(params, x.view());
        Some(logits.rows().into_iter().map(|z| predict(z.as_slice().unwrap_or(&[]))).collect())
    }
}

/// The class and its probability from one row of logits: one logit is a
/// binary classifier's (sigmoid, class 1 when positive), several a softmax.
fn predict(z: &[f64]) -> Prediction {
    match z {
        [] => Prediction { class: 0, probability: f64::NAN },
        [logit] => {
            let p = 1.0 / (1.0 + (-logit).exp());
            if *logit > 0.0 {
                Prediction { class: 1, probability: p }
            } else {
                Prediction { class: 0, probability: 1.0 - p }
            }
        }
        _ => {
            let (class, &top) = z.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &f64::NAN));
            let sum: f64 = z.iter().map(|v| (v - top).exp()).sum();
            Prediction { class, probability: 1.0 / sum }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Origin, Scenario};

    fn objective(text: &str) -> ModelObjective {
        let scenario = Scenario::parse(text, Origin::Bundled("test")).unwrap();
        let built = scenario.build_objective().unwrap();
        built.as_model().expect("a model").clone()
    }

    #[test]
    fn a_logistic_boundary_is_the_line_where_the_logit_is_zero() {
        let m = objective(
            "name = \"t\"\n[objective]\nkind = \"logistic\"\n[objective.dataset]\nbuiltin = \"moons\"\nsamples = 200\n[[optimizer]]\nkind = \"sgd\"\n",
        );
        assert!(m.is_planar_classifier());
        // w = (1, -2), b = 0.5: class 1 where x − 2y + 0.5 > 0.
        let params = [1.0, -2.0, 0.5];
        let window = Window { x: (-2.0, 2.0), y: (-2.0, 2.0) };
        let grid = m.predict_grid(&params, window, 8, 6).unwrap();
        assert_eq!(grid.len(), 48);
        for r in 0..6 {
            for c in 0..8 {
                let x = -2.0 + (c as f64 + 0.5) / 8.0 * 4.0;
                let y = 2.0 - (r as f64 + 0.5) / 6.0 * 4.0;
                let z = x - 2.0 * y + 0.5;
                let p = grid[r * 8 + c];
                assert_eq!(p.class, usize::from(z > 0.0), "at ({x}, {y})");
                let sigmoid = 1.0 / (1.0 + (-z).exp());
                assert!((p.probability - sigmoid.max(1.0 - sigmoid)).abs() < 1e-12);
            }
        }
        assert_eq!(m.predict_grid(&params[..2], window, 2, 2), None, "wrong length");
        // The window holds every sample.
        let w = m.plane_window();
        assert!(m.plane_samples().iter().all(|(p, _)| w.x.0 < p[0] && p[0] < w.x.1 && w.y.0 < p[1] && p[1] < w.y.1));
        assert_eq!(m.plane_samples().len(), 200);
    }

    #[test]
    fn a_softmax_boundary_gives_the_largest_logit_and_its_probability() {
        assert_eq!(predict(&[1.0, 3.0, 2.0]).class, 1);
        let e = [1f64.exp(), 3f64.exp(), 2f64.exp()];
        assert!((predict(&[1.0, 3.0, 2.0]).probability - e[1] / e.iter().sum::<f64>()).abs() < 1e-12);
        let m = objective(
            "name = \"t\"\n[objective]\nkind = \"softmax\"\n[objective.dataset]\nbuiltin = \"blobs\"\nsamples = 90\n[[optimizer]]\nkind = \"sgd\"\n",
        );
        assert!(m.is_planar_classifier());
        let k = m.n_outputs();
        // Weights zero, biases favour the last class: it wins everywhere with softmax's probability.
        let mut params = vec![0.0; 2 * k + k];
        params[2 * k + k - 1] = 1.0;
        let grid = m.predict_grid(&params, m.plane_window(), 3, 3).unwrap();
        let p = 1f64.exp() / (1f64.exp() + (k - 1) as f64);
        assert!(grid.iter().all(|g| g.class == k - 1 && (g.probability - p).abs() < 1e-12));
    }
}
