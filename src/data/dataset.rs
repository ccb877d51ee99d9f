//! A dataset in memory: a feature matrix and its targets.

use ndarray::{Array1, Array2, Axis};

/// The targets of a dataset: real values or class ids with their names.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// One real value per sample.
    Regression(Array1<f64>),
    /// One class id per sample, each `< names.len()`; `names[id]` is the label.
    Classes { ids: Vec<usize>, names: Vec<String> },
}

impl Target {
    pub fn len(&self) -> usize {
        match self {
            Target::Regression(y) => y.len(),
            Target::Classes { ids, .. } => ids.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The targets of the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Target {
        match self {
            Target::Regression(y) => Target::Regression(rows.iter().map(|&i| y[i]).collect()),
            Target::Classes { ids, names } => {
                Target::Classes { ids: rows.iter().map(|&i| ids[i]).collect(), names: names.clone() }
            }
        }
    }
}

/// Features (one row per sample) and targets, with names for the catalog and
/// the reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Short name: "iris", "moons", or the CSV file's name.
    pub name: String,
    /// Where the data comes from (generator and its settings, file path, citation).
    pub source: String,
    pub features: Array2<f64>,
    pub feature_names: Vec<String>,
    pub target: Target,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.features.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Number of classes, `None` for a regression target.
    pub fn n_classes(&self) -> Option<usize> {
        match &self.target {
            Target::Classes { names, .. } => Some(names.len()),
            Target::Regression(_) => None,
        }
    }

    pub fn is_classification(&self) -> bool {
        matches!(self.target, Target::Classes { .. })
    }

    /// Samples per class, `None` for a regression target.
    pub fn class_counts(&self) -> Option<Vec<usize>> {
        match &self.target {
            Target::Classes { ids, names } => {
                let mut counts = vec![0; names.len()];
                for &c in ids {
                    counts[c] += 1;
                }
                Some(counts)
            }
            Target::Regression(_) => None,
        }
    }

    /// A dataset of the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Dataset {
        Dataset {
            name: self.name.clone(),
            source: self.source.clone(),
            features: self.features.select(Axis(0), rows),
            feature_names: self.feature_names.clone(),
            target: self.target.select(rows),
        }
    }

    /// "150 samples, 4 features, 3 classes" / "442 samples, 10 features, regression".
    pub fn shape_summary(&self) -> String {
        let task = match self.n_classes() {
            Some(k) => format!("{k} classes"),
            None => "regression".to_string(),
        };
        format!("{} samples, {} features, {task}", self.len(), self.n_features())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn select_keeps_rows_and_targets_together() {
        let d = Dataset {
            name: "t".into(),
            source: "test".into(),
            features: array![[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]],
            feature_names: vec!["a".into(), "b".into()],
            target: Target::Classes { ids: vec![0, 1, 1], names: vec!["x".into(), "y".into()] },
        };
        let s = d.select(&[2, 0]);
        assert_eq!(s.features, array![[4.0, 5.0], [0.0, 1.0]]);
        assert_eq!(s.target, Target::Classes { ids: vec![1, 0], names: vec!["x".into(), "y".into()] });
        assert_eq!(d.class_counts(), Some(vec![1, 2]));
        assert_eq!(d.shape_summary(), "3 samples, 2 features, 2 classes");
    }
}
