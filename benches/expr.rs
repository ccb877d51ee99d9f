//! A typed objective's gradient against the hand-written one: Rosenbrock typed
//! as `(1 - x)^2 + 100*(y - x^2)^2` (a 7-instruction tape, one pass forward,
//! one backward) and `rosenbrock` itself, value and gradient at one point.
//!
//!     cargo bench --bench expr

use criterion::Criterion;
use ndarray::{Array1, array};
use optlab::objective::expr::{ExprFunction, ExprSpec};
use optlab::objective::{FunctionKind, FunctionParams, TestFunction};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let typed = ExprFunction::new(
        ExprSpec {
            f: "(1 - x)^2 + 100*(y - x^2)^2".into(),
            vars: vec!["x".into(), "y".into()],
            window: None,
            minima: vec![],
        },
        None,
    )
    .expect("a valid expression");
    let builtin = FunctionKind::Rosenbrock.build(&FunctionParams::default()).expect("rosenbrock builds");
    let x = array![-1.2, 1.0];
    let mut g: Array1<f64> = Array1::zeros(2);
    let mut group = c.benchmark_group("rosenbrock_gradient");
    group.bench_function("hand_written", |b| {
        b.iter(|| black_box(builtin.value_and_gradient(black_box(x.view()), g.view_mut())))
    });
    group.bench_function("expr_tape", |b| {
        b.iter(|| black_box(typed.value_and_gradient(black_box(x.view()), g.view_mut())))
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
