//! Convex models reach the known optimum: logistic regression on the
//! standardised breast-cancer data and softmax regression on iris, l2 = 0.01,
//! full batch, against the optima in tests/fixtures/data/logreg_optima.json
//! (scikit-learn lbfgs, gradient norm ~1e-17 there).

use ndarray::Array1;
use optlab::data::DatasetConfig;
use optlab::objective::Objective;
use optlab::objective::models::{ModelConfig, ModelKind, build_model_objective};
use optlab::optim::{Hyper, OptimizerKind};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data").join(name)
}

/// The reference run of `dataset` in the optima file.
fn reference(dataset: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture("logreg_optima.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["datasets"][dataset]["runs"][0].clone()
}

/// Full-batch SGD with Nesterov momentum from the model's initial point,
/// until the objective is within `tol` of `target` (at most `max_steps`
/// updates); returns the parameters and the number of updates.
fn minimise(
    f: &dyn Objective,
    lr: f64,
    momentum: f64,
    target: f64,
    tol: f64,
    max_steps: usize,
) -> (Array1<f64>, usize) {
    let mut opt = OptimizerKind::Sgd.build(f.dim());
    opt.set("momentum", Hyper::Float(momentum)).unwrap();
    opt.set("nesterov", Hyper::Bool(true)).unwrap();
    let mut x = f.initial_params(0);
    let mut g = Array1::zeros(f.dim());
    for step in 0..max_steps {
        let loss = f.batch_loss_and_gradient(x.view(), None, g.view_mut());
        if (loss - target).abs() < tol {
            return (x, step);
        }
        opt.step(x.view_mut(), g.view(), lr);
    }
    (x, max_steps)
}

fn reaches_the_optimum(kind: ModelKind, csv: &str, name: &str, n_features: usize, n_outputs: usize) {
    let r = reference(name);
    let value = |key: &str| r[key].as_f64().unwrap();
    let model = ModelConfig { l2: value("l2"), ..ModelConfig::new(kind) };
    let data = DatasetConfig { val_fraction: 0.0, standardize: false, ..DatasetConfig::csv(fixture(csv)) };
    let f = build_model_objective(&model, &data, 0).unwrap();
    assert_eq!(f.train_size(), Some(r["n_samples"].as_u64().unwrap() as usize));
    assert_eq!(f.dim(), (n_features + 1) * n_outputs);
    assert!(f.validation(f.initial_params(0).view()).is_none());

    let start = f.initial_params(0);
    assert!((f.loss(start.view()) - value("objective_at_zero")).abs() < 1e-13);

    let optimum = value("objective");
    let (x, steps) = minimise(&f, 0.5, 0.9, optimum, 1e-12, 2000);
    let objective = f.loss(x.view());
    assert!((objective - optimum).abs() < 1e-12, "{name}: {objective} vs optimum {optimum} after {steps} steps");
    // At the optimum the mean loss has gradient −l2·W, so its share moves at
    // first order with the parameters: 1e-12 in the objective is ~1e-7 there.
    let train = f.train_metrics(x.view());
    assert!((train.loss - value("mean_loss")).abs() < 1e-6, "{name}: mean loss {}", train.loss);
    assert!((objective - train.loss - value("penalty")).abs() < 1e-6, "{name}: penalty");
    assert_eq!(train.accuracy, Some(value("accuracy")));
}

#[test]
fn logistic_regression_reaches_the_breast_cancer_optimum() {
    reaches_the_optimum(ModelKind::Logistic, "breast_cancer_std.csv", "breast_cancer", 30, 1);
}

#[test]
fn softmax_regression_reaches_the_iris_optimum() {
    reaches_the_optimum(ModelKind::Softmax, "iris_std.csv", "iris", 4, 3);
}

#[test]
fn the_builtin_breast_cancer_is_the_reference_data() {
    let from_csv =
        DatasetConfig { val_fraction: 0.0, standardize: false, ..DatasetConfig::csv(fixture("breast_cancer_std.csv")) };
    let builtin = DatasetConfig { val_fraction: 0.0, standardize: false, ..DatasetConfig::builtin("breast_cancer") };
    let kind = ModelKind::Logistic.target_kind();
    let (a, b) = (from_csv.prepare(kind, 0).unwrap().train, builtin.prepare(kind, 0).unwrap().train);
    assert_eq!(a.features, b.features);
    assert_eq!(a.class_counts(), b.class_counts());
    assert_eq!(b.feature_names[0], "mean radius");
}
