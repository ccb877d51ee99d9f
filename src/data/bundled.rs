//! Real datasets shipped inside the binary.
//!
//! | name | samples × features | target | source, licence |
//! |---|---|---|---|
//! | `iris` | 150 × 4 | 3 classes | Fisher 1936, UCI; via linfa-datasets |
//! | `breast_cancer` | 569 × 30 | 2 classes | Wolberg et al. 1993, UCI, CC BY 4.0; `bundled/breast_cancer.csv` (z-scored) |
//! | `diabetes` | 441 × 10 | regression | Efron et al. 2004; via linfa-datasets |
//! | `winequality` | 1599 × 11 | 6 classes (quality 3..8) | Cortez et al. 2009, UCI, CC BY 4.0; via linfa-datasets |
//!
//! linfa-datasets reads its header-less diabetes file as if it had a header,
//! so its diabetes set has 441 of scikit-learn's 442 samples (the first is
//! dropped from features and targets alike). Its features are scikit-learn's
//! (each column centred and scaled to unit Euclidean norm); targets are raw
//! (25..346), so mean squared errors are in the thousands.

use super::csv_file::{TargetKind, parse_csv};
use super::{DataError, Dataset, Target};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RealDataset {
    Iris,
    BreastCancer,
    Diabetes,
    WineQuality,
}

const BREAST_CANCER_CSV: &str = include_str!("bundled/breast_cancer.csv");

const BREAST_CANCER_FEATURES: [&str; 30] = [
    "mean radius",
    "mean texture",
    "mean perimeter",
    "mean area",
    "mean smoothness",
    "mean compactness",
    "mean concavity",
    "mean concave points",
    "mean symmetry",
    "mean fractal dimension",
    "radius error",
    "texture error",
    "perimeter error",
    "area error",
    "smoothness error",
    "compactness error",
    "concavity error",
    "concave points error",
    "symmetry error",
    "fractal dimension error",
    "worst radius",
    "worst texture",
    "worst perimeter",
    "worst area",
    "worst smoothness",
    "worst compactness",
    "worst concavity",
    "worst concave points",
    "worst symmetry",
    "worst fractal dimension",
];

impl RealDataset {
    pub const ALL: [RealDataset; 4] =
        [RealDataset::Iris, RealDataset::BreastCancer, RealDataset::Diabetes, RealDataset::WineQuality];

    pub fn name(self) -> &'static str {
        match self {
            RealDataset::Iris => "iris",
            RealDataset::BreastCancer => "breast_cancer",
            RealDataset::Diabetes => "diabetes",
            RealDataset::WineQuality => "winequality",
        }
    }

    pub fn from_name(name: &str) -> Option<RealDataset> {
        RealDataset::ALL.into_iter().find(|d| d.name() == name)
    }

    /// (samples, features, classes or `None` for regression).
    pub fn shape(self) -> (usize, usize, Option<usize>) {
        match self {
            RealDataset::Iris => (150, 4, Some(3)),
            RealDataset::BreastCancer => (569, 30, Some(2)),
            RealDataset::Diabetes => (441, 10, None),
            RealDataset::WineQuality => (1599, 11, Some(6)),
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            RealDataset::Iris => "iris flowers: sepal and petal sizes, 3 species",
            RealDataset::BreastCancer => "breast tumour cell nuclei (z-scored), malignant or benign",
            RealDataset::Diabetes => "diabetes progression after one year from 10 baseline variables",
            RealDataset::WineQuality => "red vinho verde: physico-chemical tests, quality grade 3..8",
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            RealDataset::Iris => "R. A. Fisher 1936, UCI Machine Learning Repository (CC BY 4.0), via linfa-datasets",
            RealDataset::BreastCancer => {
                "W. Wolberg et al. 1993, UCI Machine Learning Repository (CC BY 4.0), as in scikit-learn"
            }
            RealDataset::Diabetes => {
                "B. Efron et al. 2004, Least Angle Regression, as in scikit-learn, via linfa-datasets"
            }
            RealDataset::WineQuality => {
                "P. Cortez et al. 2009, UCI Machine Learning Repository (CC BY 4.0), via linfa-datasets"
            }
        }
    }

    pub fn load(self) -> Result<Dataset, DataError> {
        let (features, feature_names, target) = match self {
            RealDataset::Iris => {
                let d = linfa_datasets::iris();
                let ids = d.targets.to_vec();
                let names = ["setosa", "versicolor", "virginica"].map(String::from).to_vec();
                let features =
                    ["sepal length", "sepal width", "petal length", "petal width"].map(String::from).to_vec();
                (d.records, features, Target::Classes { ids, names })
            }
            RealDataset::BreastCancer => {
                let path = Path::new("<bundled>/breast_cancer.csv");
                let d = parse_csv(BREAST_CANCER_CSV.as_bytes(), path, Some("target"), None, TargetKind::Classes)?;
                let Target::Classes { ids, .. } = d.target else {
                    return Err(DataError::csv(path, None, Some("target"), "expected class labels"));
                };
                let names = vec!["malignant".to_string(), "benign".to_string()];
                (d.features, BREAST_CANCER_FEATURES.map(String::from).to_vec(), Target::Classes { ids, names })
            }
            RealDataset::Diabetes => {
                let d = linfa_datasets::diabetes();
                let names = d.feature_names().to_vec();
                (d.records, names, Target::Regression(d.targets))
            }
            RealDataset::WineQuality => {
                let d = linfa_datasets::winequality();
                let names = d.feature_names().to_vec();
                let mut grades: Vec<usize> = d.targets.to_vec();
                grades.sort_unstable();
                grades.dedup();
                let ids = d.targets.iter().map(|g| grades.partition_point(|x| x < g)).collect();
                (d.records, names, Target::Classes { ids, names: grades.iter().map(usize::to_string).collect() })
            }
        };
        Ok(Dataset {
            name: self.name().to_string(),
            source: self.source().to_string(),
            features,
            feature_names,
            target,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_real_dataset_has_its_catalog_shape() {
        for d in RealDataset::ALL {
            let data = d.load().unwrap();
            let (n, f, k) = d.shape();
            assert_eq!((data.len(), data.n_features(), data.n_classes()), (n, f, k), "{}", d.name());
            assert_eq!(data.feature_names.len(), f);
            assert!(data.features.iter().all(|v| v.is_finite()));
            assert_eq!(RealDataset::from_name(d.name()), Some(d));
        }
    }

    #[test]
    fn class_balances_match_the_published_data() {
        let counts = |d: RealDataset| d.load().unwrap().class_counts().unwrap();
        assert_eq!(counts(RealDataset::Iris), vec![50, 50, 50]);
        assert_eq!(counts(RealDataset::BreastCancer), vec![212, 357]);
        assert_eq!(counts(RealDataset::WineQuality), vec![10, 53, 681, 638, 199, 18]);
        let iris = RealDataset::Iris.load().unwrap();
        assert_eq!(iris.features.row(0).to_vec(), vec![5.1, 3.5, 1.4, 0.2]);
    }
}
