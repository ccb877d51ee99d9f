//! CSV datasets as a scenario uses them: good files, and each kind of bad
//! file with the exact message (file, row as an editor numbers it, column).
//! Paths are relative to the package root, where cargo runs tests.

use optlab::data::{DatasetConfig, DatasetSource, Target};
use optlab::objective::Objective;
use optlab::objective::models::{ModelConfig, ModelKind, build_model_objective};

const DIR: &str = "tests/fixtures/data/csv";

fn csv(name: &str, target: Option<&str>) -> DatasetConfig {
    DatasetConfig::new(DatasetSource::Csv {
        path: format!("{DIR}/{name}").into(),
        target: target.map(String::from),
        features: None,
    })
}

fn error(kind: ModelKind, name: &str, target: Option<&str>) -> String {
    build_model_objective(&ModelConfig::new(kind), &csv(name, target), 0).unwrap_err().to_string()
}

#[test]
fn bad_files_are_named_with_row_and_column() {
    let cases = [
        ("ragged.csv", None, "row 4, column `label`: missing: the row has 2 fields, the header has 3"),
        ("non_numeric.csv", None, "row 3, column `b`: `four` is not a number"),
        ("nan.csv", None, "row 3, column `b`: `NaN` is not a finite number"),
        ("inf.csv", None, "row 4, column `b`: `-inf` is not a finite number"),
        ("no_label.csv", Some("label"), "row 1: no target column `label`; the header has: a, b, y"),
        (
            "single_class.csv",
            None,
            "column `label`: every row has the same class (`yes`); classification needs at least 2 classes",
        ),
        ("empty.csv", None, "the file is empty; expected a header row and data rows"),
    ];
    for (file, target, message) in cases {
        assert_eq!(error(ModelKind::Softmax, file, target), format!("{DIR}/{file}: {message}"));
    }
    let missing = error(ModelKind::Softmax, "missing.csv", None);
    assert!(missing.starts_with(&format!("cannot read {DIR}/missing.csv: ")), "{missing}");
    assert_eq!(
        error(ModelKind::Linear, "species.csv", None),
        format!(
            "{DIR}/species.csv: row 2, column `species`: `setosa` is not a number (a regression target must be numeric)"
        )
    );
}

#[test]
fn text_labels_become_classes_in_sorted_order() {
    let data = DatasetConfig { val_fraction: 0.0, ..csv("species.csv", None) };
    let f = build_model_objective(&ModelConfig::new(ModelKind::Softmax), &data, 0).unwrap();
    let Target::Classes { ids, names } = &f.train().target else { panic!("species are classes") };
    assert_eq!(names, &["setosa", "versicolor", "virginica"]);
    assert_eq!(ids, &[0, 1, 2, 0, 1, 2]);
    assert_eq!(f.dim(), (2 + 1) * 3);
    assert_eq!(f.describe(), "softmax regression on species.csv");
}

#[test]
fn features_by_name_and_a_constant_column() {
    let data = DatasetConfig {
        val_fraction: 0.25,
        ..DatasetConfig::new(DatasetSource::Csv {
            path: format!("{DIR}/constant_column.csv").into(),
            target: Some("y".into()),
            features: Some(vec!["const".into(), "x0".into()]),
        })
    };
    let f = build_model_objective(&ModelConfig::new(ModelKind::Linear), &data, 0).unwrap();
    assert_eq!(f.train().feature_names, vec!["const", "x0"]);
    assert_eq!((f.train().len(), f.validation_set().unwrap().len()), (3, 1));
    assert!(f.train().features.column(0).iter().all(|&v| v == 0.0));
    assert!(f.validation_set().unwrap().features.iter().all(|v| v.is_finite()));
    let x = f.initial_params(0);
    assert!(f.loss(x.view()).is_finite() && f.validation(x.view()).unwrap().loss.is_finite());
}

#[test]
fn resolving_a_csv_names_its_columns() {
    let mut data = csv("species.csv", None);
    data.resolve_defaults();
    assert_eq!(
        data.source,
        DatasetSource::Csv {
            path: format!("{DIR}/species.csv").into(),
            target: Some("species".into()),
            features: Some(vec!["sepal_length".into(), "sepal_width".into()]),
        }
    );
}
