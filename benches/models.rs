//! Speed of the models' gradients: one epoch of a small MLP with Adam, and a
//! full-batch logistic-regression gradient on a large dataset, next to the
//! bare matrix products it is made of. Figures in docs/PERFORMANCE.md.
//!
//! cargo bench --bench models

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2};
use optlab::data::{DatasetConfig, DatasetSource};
use optlab::objective::Objective;
use optlab::objective::models::{Activation, ModelConfig, ModelKind, ModelObjective, build_model_objective};
use optlab::optim::{Hyper, OptimizerKind};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

fn blobs(samples: usize, features: usize, classes: usize) -> DatasetConfig {
    DatasetConfig {
        val_fraction: 0.0,
        ..DatasetConfig::new(DatasetSource::Builtin {
            name: "blobs".into(),
            samples: Some(samples),
            noise: Some(4.0),
            classes: Some(classes),
            features: Some(features),
        })
    }
}

/// Digits-shaped data (1,797 samples × 64 features, 10 classes), a tanh MLP,
/// Adam, minibatches of 32 in a fresh random order each epoch.
fn mlp_epoch(c: &mut Criterion) {
    for hidden in [vec![64], vec![64, 64]] {
        let model =
            ModelConfig { hidden: hidden.clone(), activation: Activation::Tanh, ..ModelConfig::new(ModelKind::Mlp) };
        let f: ModelObjective = build_model_objective(&model, &blobs(1797, 64, 10), 0).expect("valid benchmark model");
        let mut adam = OptimizerKind::Adam.build(f.dim());
        adam.set("lr", Hyper::Float(1e-3)).expect("valid lr");
        let mut x = f.initial_params(0);
        let mut g = Array1::zeros(f.dim());
        let mut order: Vec<usize> = (0..1797).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let widths: Vec<String> = hidden.iter().map(usize::to_string).collect();
        let name = format!("mlp_epoch/64-{}-10_tanh_adam_batch32", widths.join("-"));
        c.bench_function(&name, |b| {
            b.iter(|| {
                order.shuffle(&mut rng);
                for batch in order.chunks(32) {
                    f.batch_loss_and_gradient(x.view(), Some(batch), g.view_mut());
                    adam.step(x.view_mut(), g.view(), 1e-3);
                }
            })
        });
    }
}

/// Logistic regression on 100,000 × 100: the full-batch gradient, the full
/// loss, and the two bare products X·w and Xᵀ·r for comparison.
fn logistic_full_batch(c: &mut Criterion) {
    let model = ModelConfig::new(ModelKind::Logistic);
    let f = build_model_objective(&model, &blobs(100_000, 100, 2), 0).expect("valid benchmark model");
    let x: Array1<f64> = (0..f.dim()).map(|i| ((i % 7) as f64 - 3.0) * 0.01).collect();
    let mut g = Array1::zeros(f.dim());
    let mut group = c.benchmark_group("logistic_100000x100");
    group.sample_size(30);
    group.bench_function("batch_loss_and_gradient", |b| {
        b.iter(|| black_box(f.batch_loss_and_gradient(black_box(x.view()), None, g.view_mut())))
    });
    group.bench_function("loss", |b| b.iter(|| black_box(f.loss(black_box(x.view())))));
    let data: &Array2<f64> = &f.train().features;
    let w = Array1::from_elem(100, 0.01);
    let r = Array1::from_elem(100_000, 0.5);
    group.bench_function("bare X·w + Xᵀ·r", |b| b.iter(|| (black_box(data.dot(&w)), black_box(data.t().dot(&r)))));
    group.finish();
}

criterion_group!(benches, mlp_epoch, logistic_full_batch);
criterion_main!(benches);
