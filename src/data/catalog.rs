//! The builtin datasets by name, for scenarios and `optlab list datasets`.

use super::{RealDataset, SyntheticKind};

/// A dataset that needs no file: generated or shipped in the binary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    Synthetic(SyntheticKind),
    Real(RealDataset),
}

impl Builtin {
    /// Synthetic first, then real, each in catalog order.
    pub fn all() -> Vec<Builtin> {
        SyntheticKind::ALL
            .into_iter()
            .map(Builtin::Synthetic)
            .chain(RealDataset::ALL.into_iter().map(Builtin::Real))
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Synthetic(k) => k.name(),
            Builtin::Real(d) => d.name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Builtin> {
        Builtin::all().into_iter().find(|b| b.name() == name)
    }

    /// "moons, circles, ..., winequality", for error messages.
    pub fn names() -> String {
        Builtin::all().iter().map(|b| b.name()).collect::<Vec<_>>().join(", ")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DatasetKind {
    Synthetic,
    Real,
}

impl DatasetKind {
    pub fn name(self) -> &'static str {
        match self {
            DatasetKind::Synthetic => "synthetic",
            DatasetKind::Real => "real",
        }
    }
}

/// One line of `optlab list datasets`.
#[derive(Clone, Debug, PartialEq)]
pub struct DatasetInfo {
    pub name: &'static str,
    pub kind: DatasetKind,
    /// Number of samples (synthetic: the default of `samples`).
    pub samples: usize,
    /// Number of features (synthetic: the default of `features` where it applies).
    pub features: usize,
    /// Number of classes (synthetic: the default of `classes`); `None` for regression.
    pub classes: Option<usize>,
    pub summary: &'static str,
    /// Where the data comes from and its licence (synthetic: the generator).
    pub source: &'static str,
    /// Scenario keys that apply besides `val_fraction` and `standardize`, with defaults:
    /// `[("samples", "500"), ("noise", "0.1")]`.
    pub options: Vec<(&'static str, String)>,
}

impl DatasetInfo {
    /// "3 classes" or "regression".
    pub fn task(&self) -> String {
        match self.classes {
            Some(k) => format!("{k} classes"),
            None => "regression".to_string(),
        }
    }
}

/// Every builtin dataset, synthetic first.
pub fn builtin_datasets() -> Vec<DatasetInfo> {
    Builtin::all()
        .into_iter()
        .map(|b| match b {
            Builtin::Synthetic(k) => {
                let p = k.defaults();
                let mut options = vec![("samples", p.samples.to_string()), ("noise", p.noise.to_string())];
                if let (true, Some(c)) = (k.accepts_classes(), p.classes) {
                    options.push(("classes", c.to_string()));
                }
                if k.accepts_features() {
                    options.push(("features", p.features.to_string()));
                }
                DatasetInfo {
                    name: k.name(),
                    kind: DatasetKind::Synthetic,
                    samples: p.samples,
                    features: p.features,
                    classes: p.classes,
                    summary: k.summary(),
                    source: "generated from the scenario's seed",
                    options,
                }
            }
            Builtin::Real(d) => {
                let (samples, features, classes) = d.shape();
                DatasetInfo {
                    name: d.name(),
                    kind: DatasetKind::Real,
                    samples,
                    features,
                    classes,
                    summary: d.summary(),
                    source: d.source(),
                    options: Vec::new(),
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_lists_every_builtin_once_with_unique_names() {
        let infos = builtin_datasets();
        assert_eq!(infos.len(), 10);
        let mut names: Vec<_> = infos.iter().map(|i| i.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 10);
        for info in &infos {
            assert_eq!(Builtin::from_name(info.name).map(Builtin::name), Some(info.name));
        }
        let blobs = infos.iter().find(|i| i.name == "blobs").unwrap();
        assert_eq!(blobs.task(), "3 classes");
        assert_eq!(
            blobs.options,
            vec![("samples", "500".into()), ("noise", "1".into()), ("classes", "3".into()), ("features", "2".into())]
        );
        let diabetes = infos.iter().find(|i| i.name == "diabetes").unwrap();
        assert_eq!((diabetes.kind, diabetes.samples, diabetes.task()), (DatasetKind::Real, 441, "regression".into()));
    }
}
