//! L-BFGS against `torch.optim.LBFGS` in float64 (tests/fixtures/torch/lbfgs.json,
//! made by tools/gen_torch_refs.py): one optlab update is one
//! `LBFGS.step(closure)` on the 2-D Rosenbrock function; after every update
//! the parameters match to a relative 1e-9 and the gradient evaluations
//! (the engine's one plus every call the update makes) equal torch's closure
//! calls.

use ndarray::{Array1, ArrayView1, ArrayViewMut1, array};
use optlab::optim::{Evaluate, Hyper, OptimizerKind};
use serde_json::Value;

fn rosenbrock(p: ArrayView1<f64>) -> (f64, Array1<f64>) {
    let (x, y) = (p[0], p[1]);
    let r = y - x * x;
    (100.0 * r * r + (1.0 - x) * (1.0 - x), array![-400.0 * x * r - 2.0 * (1.0 - x), 200.0 * r])
}

struct Counting(u64);

impl Evaluate for Counting {
    fn evaluate(&mut self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> Option<f64> {
        self.0 += 1;
        let (f, g) = rosenbrock(x);
        grad.assign(&g);
        Some(f)
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-12
}

fn hyper(name: &str, v: &Value) -> Hyper {
    match v {
        Value::String(s) if name == "line_search_fn" => {
            Hyper::Choice(if s == "strong_wolfe" { "strong_wolfe" } else { "none" })
        }
        Value::Bool(b) => Hyper::Bool(*b),
        other => Hyper::Float(other.as_f64().unwrap_or_else(|| panic!("{name}: {other}"))),
    }
}

#[test]
fn lbfgs_matches_torch_and_counts_its_closure_calls() {
    let doc: Value = serde_json::from_str(include_str!("fixtures/torch/lbfgs.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 6);
    let mut line_searches = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let mut opt = OptimizerKind::Lbfgs.build(2);
        for (name, value) in case["optimizer"].as_object().unwrap() {
            if name != "kind" {
                opt.set(name, hyper(name, value)).unwrap_or_else(|e| panic!("{id}: {e}"));
            }
        }
        // Our defaults are torch's (max_eval 0 standing for its None → max_iter·5/4).
        let resolved = &case["resolved_hparams"];
        for s in opt.specs() {
            if case["optimizer"].get(s.name).is_some() || s.name == "max_eval" {
                continue;
            }
            assert_eq!(opt.get(s.name), Some(hyper(s.name, &resolved[s.name])), "{id}: default {}", s.name);
        }
        let max_iter = opt.get("max_iter").and_then(Hyper::as_f64).unwrap();
        let max_eval = opt.get("max_eval").and_then(Hyper::as_f64).unwrap();
        let expected_max_eval = if max_eval == 0.0 { (max_iter * 5.0 / 4.0).floor() } else { max_eval };
        assert_eq!(resolved["max_eval"].as_f64(), Some(expected_max_eval), "{id}");
        if opt.get("line_search_fn") == Some(Hyper::Choice("strong_wolfe")) {
            line_searches += 1;
        }
        let start: Vec<f64> = case["start"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let mut p = Array1::from(start);
        let params = case["params"].as_array().unwrap();
        let evals = case["func_evals"].as_array().unwrap();
        for (k, (want, torch_evals)) in params[1..].iter().zip(evals).enumerate() {
            let (loss, grad) = rosenbrock(p.view());
            let mut counter = Counting(0);
            opt.update(p.view_mut(), loss, grad.view(), 1.0 * opt.lr(), &mut counter);
            let want: Vec<f64> = want.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            assert!(
                close(p[0], want[0]) && close(p[1], want[1]),
                "{id}: after {} updates {p} vs torch {want:?}, evals {} vs {torch_evals}",
                k + 1,
                1 + counter.0
            );
            assert_eq!(1 + counter.0, torch_evals.as_u64().unwrap(), "{id}: evaluations of update {}", k + 1);
        }
    }
    assert!(line_searches >= 3);
}
