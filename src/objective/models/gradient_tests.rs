//! Gradients against finite differences, for every model, on random small
//! data, with and without the penalty, on the full set and on minibatches.

use super::*;
use crate::data::{Dataset, PreparedData, Target};
use crate::objective::Objective;
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Clone, Debug)]
struct Case {
    kind: ModelKind,
    hidden: Vec<usize>,
    activation: Activation,
    l2: f64,
    samples: usize,
    features: usize,
    /// 0 for a regression target.
    classes: usize,
    batch: Option<Vec<usize>>,
    seed: u64,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..5usize,
        prop::collection::vec(1..5usize, 1..3),
        0..3usize,
        prop_oneof![Just(0.0), 0.01..2.0f64],
        1..8usize,
        1..4usize,
        2..5usize,
        prop::option::of(prop::collection::vec(any::<prop::sample::Index>(), 1..10)),
        any::<u64>(),
    )
        .prop_map(|(model, hidden, act, l2, samples, features, k, batch, seed)| {
            // 0 linear, 1 logistic, 2 softmax, 3 mlp classifier, 4 mlp regression
            let (kind, classes) = match model {
                0 => (ModelKind::Linear, 0),
                1 => (ModelKind::Logistic, 2),
                2 => (ModelKind::Softmax, k),
                3 => (ModelKind::Mlp, k),
                _ => (ModelKind::Mlp, 0),
            };
            let hidden = if kind == ModelKind::Mlp { hidden } else { Vec::new() };
            let batch = batch.map(|b| b.iter().map(|i| i.index(samples)).collect());
            Case { kind, hidden, activation: Activation::ALL[act], l2, samples, features, classes, batch, seed }
        })
}

fn build(case: &Case) -> (ModelObjective, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(case.seed);
    let features = Array2::from_shape_fn((case.samples, case.features), |_| rng.random_range(-2.0..2.0));
    let target = if case.classes == 0 {
        Target::Regression((0..case.samples).map(|_| rng.random_range(-3.0..3.0)).collect())
    } else {
        // Every class present at least once is not needed for the gradient.
        let ids = (0..case.samples).map(|_| rng.random_range(0..case.classes)).collect();
        Target::Classes { ids, names: (0..case.classes).map(|c| c.to_string()).collect() }
    };
    let train = Dataset {
        name: "random".into(),
        source: "test".into(),
        feature_names: (0..case.features).map(|j| format!("x{j}")).collect(),
        features,
        target,
    };
    let model = ModelConfig {
        kind: case.kind,
        hidden: case.hidden.clone(),
        activation: case.activation,
        l2: case.l2,
        init: None,
    };
    let data = PreparedData { train, validation: None, standardizer: None };
    let objective = ModelObjective::new(&model, data, "random".into()).unwrap();
    let params = (0..objective.dim()).map(|_| rng.random_range(-1.5..1.5)).collect();
    (objective, params)
}

/// Checks every coordinate of the analytic gradient against central
/// differences. Where a relu kink lies within the step, the analytic value
/// must match one of the one-sided differences instead.
fn check_gradient(case: &Case) -> Result<(), TestCaseError> {
    let (objective, x) = build(case);
    let batch = case.batch.as_deref();
    let mut grad = Array1::zeros(x.len());
    let loss = objective.batch_loss_and_gradient(x.view(), batch, grad.view_mut());
    let f = |x: &Array1<f64>| {
        let mut g = Array1::zeros(x.len());
        objective.batch_loss_and_gradient(x.view(), batch, g.view_mut())
    };
    prop_assert!((f(&x) - loss).abs() <= 1e-14 * loss.abs().max(1.0));
    if batch.is_none() {
        prop_assert!((objective.loss(x.view()) - loss).abs() <= 1e-12 * loss.abs().max(1.0));
    }
    let h = 1e-6;
    for i in 0..x.len() {
        let at = |d: f64| {
            let mut y = x.clone();
            y[i] += d;
            f(&y)
        };
        let central = (at(h) - at(-h)) / (2.0 * h);
        let tol = 1e-6 * (1.0 + central.abs());
        if (grad[i] - central).abs() <= tol {
            continue;
        }
        let (fwd, bwd) = ((at(h) - loss) / h, (loss - at(-h)) / h);
        let one_sided = case.activation == Activation::Relu
            && ((grad[i] - fwd).abs() <= 1e-4 * (1.0 + fwd.abs()) || (grad[i] - bwd).abs() <= 1e-4 * (1.0 + bwd.abs()));
        prop_assert!(one_sided, "coordinate {i}: analytic {} vs finite difference {central}", grad[i]);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn gradients_match_finite_differences(case in case()) {
        check_gradient(&case)?;
    }

    #[test]
    fn the_penalty_adds_l2_times_the_weights_and_spares_the_biases(case in case()) {
        let plain = Case { l2: 0.0, batch: None, ..case.clone() };
        let penalised = Case { l2: 0.5, ..plain.clone() };
        let (a, x) = build(&plain);
        let (b, _) = build(&penalised);
        let (mut ga, mut gb) = (Array1::zeros(x.len()), Array1::zeros(x.len()));
        let la = a.batch_loss_and_gradient(x.view(), None, ga.view_mut());
        let lb = b.batch_loss_and_gradient(x.view(), None, gb.view_mut());
        let net = &a.network;
        let mut expected = ga.clone();
        let mut half_norm = 0.0;
        for l in &net.layers {
            for i in l.offset..l.offset + l.fan_in * l.fan_out {
                expected[i] += 0.5 * x[i];
                half_norm += 0.5 * x[i] * x[i];
            }
        }
        prop_assert!((lb - la - 0.5 * half_norm).abs() < 1e-12 * lb.abs().max(1.0));
        prop_assert!((&gb - &expected).mapv(f64::abs).sum() < 1e-12 * gb.mapv(f64::abs).sum().max(1.0));
    }

    #[test]
    fn a_batch_of_every_sample_is_the_full_batch(case in case()) {
        let (objective, x) = build(&case);
        let all: Vec<usize> = (0..case.samples).collect();
        let (mut g1, mut g2) = (Array1::zeros(x.len()), Array1::zeros(x.len()));
        let l1 = objective.batch_loss_and_gradient(x.view(), None, g1.view_mut());
        let l2 = objective.batch_loss_and_gradient(x.view(), Some(&all), g2.view_mut());
        prop_assert!((l1 - l2).abs() <= 1e-14 * l1.abs().max(1.0));
        prop_assert!((&g1 - &g2).mapv(f64::abs).sum() <= 1e-12 * g1.mapv(f64::abs).sum().max(1.0));
    }
}

#[test]
fn strided_parameter_and_gradient_views_give_the_same_result() {
    let case = Case {
        kind: ModelKind::Mlp,
        hidden: vec![3, 2],
        activation: Activation::Tanh,
        l2: 0.1,
        samples: 5,
        features: 3,
        classes: 3,
        batch: Some(vec![4, 0, 2]),
        seed: 11,
    };
    let (objective, x) = build(&case);
    let mut g = Array1::zeros(x.len());
    let loss = objective.batch_loss_and_gradient(x.view(), case.batch.as_deref(), g.view_mut());
    let mut wide = Array2::zeros((x.len(), 2));
    wide.column_mut(0).assign(&x);
    let mut wide_grad = Array2::<f64>::zeros((x.len(), 2));
    let strided_loss =
        objective.batch_loss_and_gradient(wide.column(0), case.batch.as_deref(), wide_grad.column_mut(1));
    assert_eq!(loss, strided_loss);
    assert_eq!(wide_grad.column(1), g);
    assert_eq!(objective.loss(wide.column(0)), objective.loss(x.view()));
}

#[test]
fn an_empty_batch_gives_the_penalty_alone() {
    let case = Case {
        kind: ModelKind::Logistic,
        hidden: vec![],
        activation: Activation::Relu,
        l2: 2.0,
        samples: 4,
        features: 2,
        classes: 2,
        batch: None,
        seed: 1,
    };
    let (objective, x) = build(&case);
    let mut g = Array1::zeros(x.len());
    let loss = objective.batch_loss_and_gradient(x.view(), Some(&[]), g.view_mut());
    assert!((loss - (x[0] * x[0] + x[1] * x[1])).abs() < 1e-15);
    assert_eq!(g.to_vec(), vec![2.0 * x[0], 2.0 * x[1], 0.0]);
}
