//! `step` must not allocate after the first update (the state is created
//! lazily, as PyTorch's). A counting allocator sees every allocation made on
//! this test's thread.

use ndarray::Array1;
use optlab::optim::{Hyper, Layout as ParamLayout, OptimizerKind, Shape};
mod common;

use common::allocations;

#[test]
fn steps_after_the_first_do_not_allocate() {
    let dim = 1000;
    let mut variants: Vec<(OptimizerKind, Vec<(&str, Hyper)>)> =
        OptimizerKind::ALL.into_iter().map(|k| (k, vec![])).collect();
    use Hyper::{Bool, Float};
    variants.extend([
        (OptimizerKind::Sgd, vec![("momentum", Float(0.9)), ("nesterov", Bool(true)), ("weight_decay", Float(0.1))]),
        (OptimizerKind::Rmsprop, vec![("momentum", Float(0.9)), ("centered", Bool(true))]),
        (OptimizerKind::Adam, vec![("amsgrad", Bool(true)), ("weight_decay", Float(0.1))]),
        (OptimizerKind::Adamw, vec![("amsgrad", Bool(true))]),
        (OptimizerKind::Nadam, vec![("weight_decay", Float(0.1)), ("decoupled_weight_decay", Bool(true))]),
        (OptimizerKind::Radam, vec![("weight_decay", Float(0.1))]),
        (OptimizerKind::Lion, vec![("weight_decay", Float(0.1))]),
        (OptimizerKind::ScheduleFreeAdamw, vec![("weight_decay", Float(0.1)), ("warmup_steps", Float(5.0))]),
        (OptimizerKind::ScheduleFreeSgd, vec![("weight_decay", Float(0.1)), ("averaging", Bool(false))]),
        (OptimizerKind::Prodigy, vec![("slice_p", Float(3.0)), ("beta1", Float(0.0)), ("weight_decay", Float(0.1))]),
        (OptimizerKind::Adopt, vec![("weight_decay", Float(0.1)), ("weight_decouple", Bool(true))]),
        (OptimizerKind::Ademamix, vec![("t_alpha_beta3", Float(5.0)), ("weight_decay", Float(0.1))]),
        (OptimizerKind::Soap, vec![("normalize_gradient", Bool(true)), ("correct_bias", Bool(false))]),
    ]);
    for (kind, hp) in variants {
        let mut opt = kind.build(dim);
        for (name, value) in &hp {
            opt.set(name, *value).unwrap_or_else(|e| panic!("{kind}: {e}"));
        }
        let mut p = Array1::from_shape_fn(dim, |i| (i as f64 * 0.37).sin());
        let g = Array1::from_shape_fn(dim, |i| (i as f64 * 0.11).cos());
        opt.step(p.view_mut(), g.view(), 1e-3);
        let before = allocations();
        for _ in 0..10 {
            opt.step(p.view_mut(), g.view(), 1e-3);
        }
        assert_eq!(allocations(), before, "{kind} {hp:?} allocated in step");
    }
    // Matrix-aware kinds on matrices: SOAP's eigendecompositions (first update)
    // and its QR refresh (the tenth update after it) run in its workspace.
    let layout = ParamLayout::new([
        ("W".to_string(), Shape::Matrix { rows: 20, cols: 30 }),
        ("b".to_string(), Shape::Vector(20)),
    ]);
    for hp in [vec![], vec![("precondition_1d", Bool(true)), ("max_precondition_dim", Float(25.0))]] {
        let mut opt = OptimizerKind::Soap.build_for(&layout);
        for (name, value) in &hp {
            opt.set(name, *value).unwrap_or_else(|e| panic!("soap: {e}"));
        }
        let dim = layout.dim();
        let mut p = Array1::from_shape_fn(dim, |i| (i as f64 * 0.37).sin());
        let g = Array1::from_shape_fn(dim, |i| (i as f64 * 0.11).cos() + (i as f64 * 0.05).sin());
        opt.step(p.view_mut(), g.view(), 1e-3);
        let before = allocations();
        for _ in 0..12 {
            opt.step(p.view_mut(), g.view(), 1e-3);
        }
        assert_eq!(allocations(), before, "soap {hp:?} allocated in step on matrices");
        assert!(p.iter().all(|v| v.is_finite()));
    }
    // The counter works: building an optimizer allocates.
    let before = allocations();
    let opt = OptimizerKind::Adam.build(dim);
    assert!(allocations() > before);
    drop(opt);
}
