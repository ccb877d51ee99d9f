//! A typed objective's value and gradient allocate nothing after the first
//! evaluation on a thread (its scratch slots are kept per thread).

use ndarray::Array1;
use optlab::objective::TestFunction;
use optlab::objective::expr::{ExprFunction, ExprSpec};
mod common;

use common::allocations;

#[test]
fn evaluations_after_the_first_do_not_allocate() {
    let spec = ExprSpec {
        f: "(1 - x)^2 + 100*(y - x^2)^2 + log(1 + z^2) * max(x, sigmoid(y)) / (2 + sin(z))^1.5".into(),
        vars: vec!["x".into(), "y".into(), "z".into()],
        window: None,
        minima: vec![],
    };
    let f = ExprFunction::new(spec, Some(&[0.5, 0.5, 0.5])).unwrap();
    let x = Array1::from(vec![0.3, -0.7, 1.1]);
    let mut g = Array1::zeros(3);
    f.value_and_gradient(x.view(), g.view_mut());
    let before = allocations();
    let mut total = 0.0;
    for i in 0..1000 {
        let mut p = x.clone();
        let after_clone = allocations();
        p[0] += i as f64 * 1e-3;
        total += f.value_and_gradient(p.view(), g.view_mut()) + f.value(p.view());
        assert_eq!(allocations(), after_clone, "evaluation {i} allocated");
    }
    assert!(total.is_finite());
    assert!(allocations() > before, "the counter sees the clones");
}
