//! The newer optimizers against the packages their users install, in float64.
//!
//! The fixtures (tests/fixtures/packages/, made by tools/gen_package_refs.py)
//! hold, per case, an optimizer with its hyperparameters, a problem (a vector,
//! a matrix or the layers of a small MLP, with its data) and the parameters
//! after each of the first 100 updates as schedulefree, prodigyopt and
//! pytorch-optimizer compute them. Each case is replayed through the public
//! `Optimizer` interface with the problem's parameter layout; every parameter
//! must match to a relative 1e-9. SOAP's matrix cases use eps = 1e-3 (see
//! tools/gen_package_refs.py): with the default 1e-8, its first rotation
//! leaves rounding noise in the projected gradient that eps does not damp,
//! and the path depends on the last bits of the eigendecomposition.
//! For the schedule-free kinds the reported point x is checked as well as y.

use ndarray::{Array1, Array2, ArrayView1, s};
use optlab::optim::{Hyper, Layout, Optimizer, OptimizerKind, Shape};
use serde_json::Value;

const FIXTURES: &[(&str, &str)] = &[
    ("schedule_free_adamw.json", include_str!("fixtures/packages/schedule_free_adamw.json")),
    ("schedule_free_sgd.json", include_str!("fixtures/packages/schedule_free_sgd.json")),
    ("prodigy.json", include_str!("fixtures/packages/prodigy.json")),
    ("adopt.json", include_str!("fixtures/packages/adopt.json")),
    ("ademamix.json", include_str!("fixtures/packages/ademamix.json")),
    ("soap.json", include_str!("fixtures/packages/soap.json")),
];

const REL_TOL: f64 = 1e-9;
const ABS_TOL: f64 = 1e-12;

fn f64s(value: &Value) -> Vec<f64> {
    value.as_array().expect("an array").iter().map(|v| v.as_f64().expect("a number")).collect()
}

fn matrix(value: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = value.as_array().expect("rows").iter().map(f64s).collect();
    let (r, c) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((r, c), rows.into_iter().flatten().collect()).expect("a rectangular matrix")
}

/// The problems of tools/gen_package_refs.py, in the same order of operations.
enum Problem {
    Rosenbrock,
    Quadratic(Vec<f64>),
    MatrixLeastSquares { a: Array2<f64>, b: Array2<f64> },
    Mlp { x: Array2<f64>, y: Array2<f64>, d: usize, h: usize, o: usize },
}

impl Problem {
    fn new(spec: &Value) -> Problem {
        let int = |k: &str| spec[k].as_u64().unwrap_or_else(|| panic!("objective.{k}")) as usize;
        match spec["kind"].as_str().expect("objective.kind") {
            "rosenbrock" => Problem::Rosenbrock,
            "quadratic" => Problem::Quadratic(f64s(&spec["coeffs"])),
            "matrix_least_squares" => Problem::MatrixLeastSquares { a: matrix(&spec["a"]), b: matrix(&spec["b"]) },
            "mlp" => {
                Problem::Mlp { x: matrix(&spec["x"]), y: matrix(&spec["y"]), d: int("d"), h: int("h"), o: int("o") }
            }
            other => panic!("unknown problem {other}"),
        }
    }

    fn loss_and_grad(&self, p: ArrayView1<f64>) -> (f64, Array1<f64>) {
        match self {
            Problem::Rosenbrock => {
                let mut g = Array1::zeros(p.len());
                let mut f = 0.0;
                for i in 0..p.len() - 1 {
                    let (a, b) = (p[i], p[i + 1]);
                    let r = b - a * a;
                    f += 100.0 * r * r + (1.0 - a) * (1.0 - a);
                    g[i] += -400.0 * a * r - 2.0 * (1.0 - a);
                    g[i + 1] += 200.0 * r;
                }
                (f, g)
            }
            Problem::Quadratic(c) => {
                let f = c.iter().zip(p).map(|(c, x)| 0.5 * c * x * x).sum();
                (f, Array1::from_iter(c.iter().zip(p).map(|(c, x)| c * x)))
            }
            Problem::MatrixLeastSquares { a, b } => {
                let w = p.to_owned().into_shape_with_order((a.ncols(), b.ncols())).expect("W's shape");
                let r = a.dot(&w) - b;
                let m = a.nrows() as f64;
                let f = 0.5 * r.iter().map(|v| v * v).sum::<f64>() / m;
                let g = a.t().dot(&r) / m;
                (f, Array1::from_iter(g.iter().copied()))
            }
            Problem::Mlp { x, y, d, h, o } => {
                let (d, h, o) = (*d, *h, *o);
                let w1 = p.slice(s![..h * d]).to_owned().into_shape_with_order((h, d)).expect("W1");
                let b1 = p.slice(s![h * d..h * d + h]);
                let at = h * d + h;
                let w2 = p.slice(s![at..at + o * h]).to_owned().into_shape_with_order((o, h)).expect("W2");
                let b2 = p.slice(s![at + o * h..]);
                let hidden = (x.dot(&w1.t()) + b1).mapv(f64::tanh);
                let out = hidden.dot(&w2.t()) + b2;
                let r = out - y;
                let scale = (x.nrows() * o) as f64;
                let f = r.iter().map(|v| v * v).sum::<f64>() / scale;
                let dout = r * (2.0 / scale);
                let gw2 = dout.t().dot(&hidden);
                let gb2 = dout.sum_axis(ndarray::Axis(0));
                let dh = dout.dot(&w2) * hidden.mapv(|v| 1.0 - v * v);
                let gw1 = dh.t().dot(x);
                let gb1 = dh.sum_axis(ndarray::Axis(0));
                let g = gw1.iter().chain(&gb1).chain(gw2.iter()).chain(&gb2).copied();
                (f, Array1::from_iter(g))
            }
        }
    }
}

fn layout(case: &Value) -> Layout {
    let tensors = case["tensors"].as_array().expect("tensors").iter().map(|t| {
        let dims: Vec<usize> =
            t["shape"].as_array().expect("shape").iter().map(|v| v.as_u64().expect("a size") as usize).collect();
        let shape = match dims[..] {
            [n] => Shape::Vector(n),
            [rows, cols] => Shape::Matrix { rows, cols },
            _ => panic!("a vector or a matrix: {dims:?}"),
        };
        (t["name"].as_str().expect("a name").to_string(), shape)
    });
    Layout::new(tensors)
}

fn hyper(value: &Value) -> Hyper {
    match value {
        Value::Bool(b) => Hyper::Bool(*b),
        Value::Number(n) => Hyper::Float(n.as_f64().expect("a finite number")),
        Value::String(s) if s == "inf" => Hyper::Float(f64::INFINITY),
        other => panic!("not a hyperparameter value: {other}"),
    }
}

fn same(a: Hyper, b: Hyper) -> bool {
    match (a, b) {
        (Hyper::Float(x), Hyper::Float(y)) => x == y,
        (Hyper::Bool(x), Hyper::Bool(y)) => x == y,
        _ => false,
    }
}

fn check_vector(
    id: &str,
    what: &str,
    k: usize,
    ours: ArrayView1<f64>,
    theirs: &[f64],
    tol: f64,
) -> Result<f64, String> {
    let mut worst: f64 = 0.0;
    for (a, b) in ours.iter().zip(theirs) {
        if (a - b).abs() > tol * a.abs().max(b.abs()) + ABS_TOL || !a.is_finite() {
            return Err(format!("{id}: {what} after {k} updates {ours} vs package {theirs:?}"));
        }
        worst = worst.max((a - b).abs() / a.abs().max(b.abs()).max(1e-3));
    }
    Ok(worst)
}

/// Replays one case; returns the largest relative difference from the package.
fn replay(file: &str, case: &Value) -> Result<f64, String> {
    let id = format!("{file}:{}", case["id"].as_str().unwrap_or("?"));
    let spec = &case["optimizer"];
    let kind_name = spec["kind"].as_str().ok_or(format!("{id}: no optimizer.kind"))?;
    let kind = OptimizerKind::from_name(kind_name).ok_or(format!("{id}: unknown kind {kind_name}"))?;
    let layout = layout(case);
    let mut opt: Box<dyn Optimizer> = kind.build_for(&layout);

    // Our defaults are the package's.
    let defaults = case["package_defaults"].as_object().ok_or(format!("{id}: package_defaults"))?;
    for (name, value) in defaults {
        let ours = opt.get(name).ok_or(format!("{id}: no hyperparameter {name}"))?;
        if !same(ours, hyper(value)) {
            return Err(format!("{id}: default {name} = {ours} but the package has {value}"));
        }
    }
    for s in opt.specs() {
        // `averaging` is optlab's addition to Schedule-Free SGD (see schedule_free_sgd.rs).
        let ours_only = kind == OptimizerKind::ScheduleFreeSgd && s.name == "averaging";
        if !defaults.contains_key(s.name) && !ours_only {
            return Err(format!("{id}: {} is not one of the package's", s.name));
        }
    }
    for (name, value) in spec.as_object().into_iter().flatten() {
        if name != "kind" {
            opt.set(name, hyper(value)).map_err(|e| format!("{id}: set {name}: {e}"))?;
        }
    }

    let problem = Problem::new(&case["objective"]);
    let steps = case["steps"].as_u64().ok_or(format!("{id}: steps"))? as usize;
    let params = case["params"].as_array().ok_or(format!("{id}: params"))?;
    let losses = f64s(&case["loss"]);
    let xs = case.get("x").and_then(Value::as_array);
    let tol = REL_TOL;
    let mut p = Array1::from(f64s(&case["start"]));
    let mut x = Array1::zeros(p.len());
    let mut worst: f64 = 0.0;
    for k in 0..=steps {
        if k > 0 {
            let (_, grad) = problem.loss_and_grad(p.view());
            let lr = opt.lr();
            opt.step(p.view_mut(), grad.view(), lr);
        }
        worst = worst.max(check_vector(&id, "params", k, p.view(), &f64s(&params[k]), tol)?);
        x.assign(&opt.reported_point().unwrap_or(p.view()));
        if let Some(xs) = xs {
            worst = worst.max(check_vector(&id, "x", k, x.view(), &f64s(&xs[k]), tol)?);
        } else if x != p {
            return Err(format!("{id}: reports a point other than its parameters"));
        }
        let loss = problem.loss_and_grad(x.view()).0;
        if (loss - losses[k]).abs() > 1e3 * tol * loss.abs().max(losses[k].abs()) + ABS_TOL {
            return Err(format!("{id}: loss after {k} updates {loss} vs package {}", losses[k]));
        }
    }
    Ok(worst)
}

#[test]
fn newer_optimizers_match_their_packages() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, text) in FIXTURES {
        let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let mut worst = (0.0, String::new());
        for case in doc["cases"].as_array().unwrap_or_else(|| panic!("{file}: no cases")) {
            count += 1;
            match replay(file, case) {
                Ok(d) if d > worst.0 => worst = (d, case["id"].to_string()),
                Ok(_) => {}
                Err(e) => failures.push(e),
            }
        }
        println!("{file} ({}): largest relative difference {:.2e} ({})", doc["package"], worst.0, worst.1);
    }
    assert!(count >= 50, "only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ from the packages:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_newer_kind_has_fixtures() {
    for name in ["schedule_free_adamw", "schedule_free_sgd", "prodigy", "adopt", "ademamix", "soap"] {
        assert!(OptimizerKind::from_name(name).is_some(), "{name} is not a kind");
        assert!(FIXTURES.iter().any(|(f, _)| f.strip_suffix(".json") == Some(name)), "{name} has no fixtures");
    }
}

/// Schedule-Free SGD with the averaging off (c = 1 − β instead of 1/(t+1))
/// takes its gradients on the path of SGD with Nesterov momentum β and
/// learning rate γ (1 − β) (see schedule_free_sgd.rs).
#[test]
fn schedule_free_sgd_without_averaging_is_nesterov_sgd() {
    let problem = Problem::Rosenbrock;
    let (lr, momentum, decay) = (2e-4, 0.9, 0.01);
    let mut sf = OptimizerKind::ScheduleFreeSgd.build(2);
    for (name, value) in [("lr", lr), ("momentum", momentum), ("weight_decay", decay)] {
        sf.set(name, Hyper::Float(value)).expect("a valid value");
    }
    sf.set("averaging", Hyper::Bool(false)).expect("a switch");
    let mut sgd = OptimizerKind::Sgd.build(2);
    sgd.set("momentum", Hyper::Float(momentum)).expect("a valid value");
    sgd.set("nesterov", Hyper::Bool(true)).expect("a switch");
    sgd.set("weight_decay", Hyper::Float(decay)).expect("a valid value");
    let mut y = Array1::from(vec![-1.5, 2.0]);
    let mut p = y.clone();
    for k in 0..300 {
        let g = problem.loss_and_grad(y.view()).1;
        sf.step(y.view_mut(), g.view(), lr);
        let g = problem.loss_and_grad(p.view()).1;
        sgd.step(p.view_mut(), g.view(), lr * (1.0 - momentum));
        for (a, b) in y.iter().zip(&p) {
            assert!((a - b).abs() <= 1e-10 * a.abs().max(1.0), "update {}: {y} vs {p}", k + 1);
        }
    }
    // It moved: the comparison is not of two standing points.
    assert!((y[0] + 1.5).abs() > 0.1, "{y}");
    // With the averaging on, the same settings take another path.
    let mut sf_avg = OptimizerKind::ScheduleFreeSgd.build(2);
    for (name, value) in [("lr", lr), ("momentum", momentum), ("weight_decay", decay)] {
        sf_avg.set(name, Hyper::Float(value)).expect("a valid value");
    }
    let mut z = Array1::from(vec![-1.5, 2.0]);
    for _ in 0..300 {
        let g = problem.loss_and_grad(z.view()).1;
        sf_avg.step(z.view_mut(), g.view(), lr);
    }
    assert!((z[0] - y[0]).abs() > 1e-3, "{z} vs {y}");
}

/// SOAP with a fallback hands the vectors (biases) to it: they follow a plain
/// run of the fallback on those entries alone, while the matrices get SOAP.
#[test]
fn soap_fallback_updates_the_vectors_as_a_plain_run() {
    let layout =
        Layout::new([("W".to_string(), Shape::Matrix { rows: 3, cols: 4 }), ("b".to_string(), Shape::Vector(3))]);
    let mut soap = OptimizerKind::Soap.build_for(&layout);
    let mut fallback = OptimizerKind::Adamw.build(3);
    fallback.set("lr", Hyper::Float(0.01)).expect("a valid lr");
    soap.set_fallback(fallback.clone()).expect("soap takes a fallback");
    let mut plain = fallback;
    let mut p = Array1::from_shape_fn(15, |i| (i as f64 * 0.7).sin());
    let mut b = p.slice(s![12..]).to_owned();
    let mut alone = OptimizerKind::Soap.build_for(&layout);
    let mut q = p.clone();
    for k in 0..25 {
        let g = Array1::from_shape_fn(15, |i| ((i + k) as f64 * 0.3).cos() + 0.1 * p[i]);
        soap.step(p.view_mut(), g.view(), 0.003);
        plain.step(b.view_mut(), g.slice(s![12..]), 0.01);
        let gq = Array1::from_shape_fn(15, |i| ((i + k) as f64 * 0.3).cos() + 0.1 * q[i]);
        alone.step(q.view_mut(), gq.view(), 0.003);
        assert_eq!(p.slice(s![12..]), b.view(), "update {}", k + 1);
    }
    // The matrix is SOAP's in both runs (its gradient does not depend on b here).
    for (a, c) in p.slice(s![..12]).iter().zip(q.slice(s![..12])) {
        assert!((a - c).abs() < 1e-12, "{p} vs {q}");
    }
    // Without the fallback SOAP updates the biases itself, differently.
    assert_ne!(q.slice(s![12..]), b.view());
    assert!(soap.layout_note(&layout).is_some_and(|n| n.contains("adamw")));
}
