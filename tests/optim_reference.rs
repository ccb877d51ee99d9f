//! optlab's optimizers against torch.optim trajectories in float64.
//!
//! The fixtures (tests/fixtures/torch/, see its README) hold, per case, an
//! optimizer with its hyperparameters, optionally a schedule and
//! hyperparameter changes during the run, and the parameters after every
//! update on the 2-D Rosenbrock function. Each case is replayed here through
//! the public `Optimizer` interface and every step must match to a relative
//! 1e-9.

use ndarray::{Array1, array};
use optlab::optim::{Hyper, Optimizer, OptimizerKind, Schedule, ScheduleKind};
use serde_json::Value;
use std::collections::BTreeSet;

const FIXTURES: &[(&str, &str)] = &[
    ("torch_public.json", include_str!("fixtures/torch/torch_public.json")),
    ("gd.json", include_str!("fixtures/torch/gd.json")),
    ("sgd.json", include_str!("fixtures/torch/sgd.json")),
    ("adagrad.json", include_str!("fixtures/torch/adagrad.json")),
    ("rmsprop.json", include_str!("fixtures/torch/rmsprop.json")),
    ("adam.json", include_str!("fixtures/torch/adam.json")),
    ("adamw.json", include_str!("fixtures/torch/adamw.json")),
    ("adamax.json", include_str!("fixtures/torch/adamax.json")),
    ("nadam.json", include_str!("fixtures/torch/nadam.json")),
    ("radam.json", include_str!("fixtures/torch/radam.json")),
    ("adadelta.json", include_str!("fixtures/torch/adadelta.json")),
    ("rprop.json", include_str!("fixtures/torch/rprop.json")),
    ("asgd.json", include_str!("fixtures/torch/asgd.json")),
];

const REL_TOL: f64 = 1e-9;
const ABS_TOL: f64 = 1e-12;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOL * a.abs().max(b.abs()) + ABS_TOL
}

/// f = (1 − x)² + 100 (y − x²)² and its gradient, in the order of optlab's Rosenbrock
/// and of tools/gen_torch_refs.py.
fn rosenbrock(p: &Array1<f64>) -> (f64, Array1<f64>) {
    let (x, y) = (p[0], p[1]);
    let r = y - x * x;
    (100.0 * r * r + (1.0 - x) * (1.0 - x), array![-400.0 * x * r - 2.0 * (1.0 - x), 200.0 * r])
}

fn hyper(value: &Value) -> Hyper {
    match value {
        Value::Bool(b) => Hyper::Bool(*b),
        Value::Number(n) => Hyper::Float(n.as_f64().expect("a finite number")),
        other => panic!("not a hyperparameter value: {other}"),
    }
}

fn f64s(value: &Value) -> Vec<f64> {
    value.as_array().expect("an array").iter().map(|v| v.as_f64().expect("a number")).collect()
}

fn schedule(spec: &Value) -> Schedule {
    let num = |k: &str| spec[k].as_f64().unwrap_or_else(|| panic!("schedule.{k}"));
    let int = |k: &str| spec[k].as_u64().unwrap_or_else(|| panic!("schedule.{k}"));
    let kind = match spec["kind"].as_str().expect("schedule.kind") {
        "constant" => ScheduleKind::Constant,
        "step" => ScheduleKind::Step { step_size: int("step_size"), gamma: num("gamma") },
        "exponential" => ScheduleKind::Exponential { gamma: num("gamma") },
        "cosine" => ScheduleKind::Cosine { t_max: int("t_max"), eta_min: num("eta_min") },
        other => panic!("unknown schedule {other}"),
    };
    Schedule { kind, warmup: spec["warmup"].as_u64().unwrap_or(0) }
}

/// torch's value of one of our hyperparameters in a resolved param_group.
fn torch_value(resolved: &Value, name: &str) -> Option<Hyper> {
    let (key, index) = match name {
        "beta1" => ("betas", 0),
        "beta2" => ("betas", 1),
        "eta_minus" => ("etas", 0),
        "eta_plus" => ("etas", 1),
        "step_min" => ("step_sizes", 0),
        "step_max" => ("step_sizes", 1),
        _ => return resolved.get(name).map(hyper),
    };
    resolved.get(key).map(|pair| hyper(&pair[index]))
}

fn same_hyper(a: Hyper, b: Hyper) -> bool {
    match (a, b) {
        (Hyper::Float(x), Hyper::Float(y)) => x == y,
        (Hyper::Bool(x), Hyper::Bool(y)) => x == y,
        _ => false,
    }
}

/// Replays one case; returns the largest relative difference of a parameter
/// from torch's, or a description of the first mismatch.
fn replay(file: &str, case: &Value) -> Result<f64, String> {
    let id = format!("{file}:{}", case["id"].as_str().unwrap_or("?"));
    let spec = &case["optimizer"];
    let kind_name = spec["kind"].as_str().ok_or(format!("{id}: no optimizer.kind"))?;
    let kind = OptimizerKind::from_name(kind_name).ok_or(format!("{id}: unknown kind {kind_name}"))?;
    let mut opt: Box<dyn Optimizer> = kind.build(2);

    // Our defaults are torch's: every hyperparameter not set by the case equals
    // the value torch resolved.
    let resolved = &case["resolved_hparams"];
    let set_by_case: BTreeSet<&str> =
        spec.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    for s in opt.specs() {
        if set_by_case.contains(s.name) {
            continue;
        }
        let ours = opt.get(s.name).ok_or(format!("{id}: get({}) is None", s.name))?;
        let theirs = torch_value(resolved, s.name).ok_or(format!("{id}: torch has no {}", s.name))?;
        if !same_hyper(ours, theirs) {
            return Err(format!("{id}: default {} = {ours} but torch has {theirs}", s.name));
        }
    }
    for (name, value) in spec.as_object().into_iter().flatten() {
        if name != "kind" {
            opt.set(name, hyper(value)).map_err(|e| format!("{id}: set {name}: {e}"))?;
        }
    }

    let schedule = case.get("schedule").map(schedule);
    let changes = case.get("changes").and_then(Value::as_array).cloned().unwrap_or_default();
    let steps = case["steps"].as_u64().ok_or(format!("{id}: steps"))?;
    let params = case["params"].as_array().ok_or(format!("{id}: params"))?;
    let losses = f64s(&case["loss"]);
    let lrs = f64s(&case["lr"]);
    if params.len() as u64 != steps + 1 || losses.len() as u64 != steps + 1 || lrs.len() as u64 != steps {
        return Err(format!("{id}: expected {steps} steps of data"));
    }

    let mut p = Array1::from(f64s(&case["start"]));
    let mut worst: f64 = 0.0;
    for k in 0..steps {
        for change in changes.iter().filter(|c| c["step"].as_u64() == Some(k)) {
            let name = change["name"].as_str().ok_or(format!("{id}: change name"))?;
            opt.set(name, hyper(&change["value"])).map_err(|e| format!("{id}: step {k}: set {name}: {e}"))?;
        }
        // The optimizer gets torch's lr sequence; ours must agree with it to rounding.
        let lr = lrs[k as usize];
        let ours = match &schedule {
            Some(s) => s.lr(opt.lr(), k),
            None => opt.lr(),
        };
        if (ours - lr).abs() > 1e-12 * lr.abs() {
            return Err(format!("{id}: lr of update {} is {ours}, torch used {lr}", k + 1));
        }
        let (loss, grad) = rosenbrock(&p);
        check_loss(&id, k, loss, losses[k as usize])?;
        opt.step(p.view_mut(), grad.view(), lr);
        let want = f64s(&params[k as usize + 1]);
        if !(close(p[0], want[0]) && close(p[1], want[1])) {
            return Err(format!("{id}: after {} updates params {p} vs torch {want:?}", k + 1));
        }
        for (a, b) in p.iter().zip(&want) {
            worst = worst.max((a - b).abs() / a.abs().max(b.abs()).max(1e-3));
        }
    }
    check_loss(&id, steps, rosenbrock(&p).0, losses[steps as usize])?;
    Ok(worst)
}

/// The loss is a cancelling function of the parameters near the minimum
/// ((1 − x)² with x ≈ 1): a 1e-10 difference in x can be a 1e-8 one in f.
/// The parameters are the real check; the loss only guards the objective.
fn check_loss(id: &str, k: u64, ours: f64, theirs: f64) -> Result<(), String> {
    if (ours - theirs).abs() <= 1e-7 * ours.abs().max(theirs.abs()) + ABS_TOL {
        Ok(())
    } else {
        Err(format!("{id}: loss after {k} updates {ours} vs torch {theirs}"))
    }
}

fn cases(file: &str, text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    doc["cases"].as_array().unwrap_or_else(|| panic!("{file}: no cases")).clone()
}

fn check_files(files: &[(&str, &str)]) -> usize {
    let mut failures = Vec::new();
    let mut count = 0;
    let mut worst = (0.0, String::new());
    for (file, text) in files {
        for case in cases(file, text) {
            count += 1;
            match replay(file, &case) {
                Ok(d) if d > worst.0 => worst = (d, case["id"].to_string()),
                Ok(_) => {}
                Err(e) => failures.push(e),
            }
        }
    }
    println!("{count} cases, largest relative difference {:.2e} ({})", worst.0, worst.1);
    assert!(failures.is_empty(), "{} of {count} cases differ from torch:\n{}", failures.len(), failures.join("\n"));
    count
}

#[test]
fn public_torch_reference_cases_match() {
    let n = check_files(&FIXTURES[..1]);
    assert_eq!(n, 5);
}

#[test]
fn generated_torch_cases_match_every_step() {
    let n = check_files(&FIXTURES[1..]);
    assert!(n >= 70, "only {n} cases");
}

/// Every kind that PyTorch has is covered, with its schedules and changes.
#[test]
fn fixtures_cover_every_torch_kind_schedule_and_change() {
    let mut kinds = BTreeSet::new();
    let mut schedules = BTreeSet::new();
    let mut changed = BTreeSet::new();
    for (file, text) in &FIXTURES[1..] {
        for case in cases(file, text) {
            let kind = case["optimizer"]["kind"].as_str().unwrap_or_default().to_string();
            if let Some(s) = case.get("schedule") {
                schedules.insert(s["kind"].as_str().unwrap_or_default().to_string());
            }
            for c in case.get("changes").and_then(Value::as_array).into_iter().flatten() {
                changed.insert(format!("{kind}.{}", c["name"].as_str().unwrap_or_default()));
            }
            kinds.insert(kind);
        }
    }
    for kind in OptimizerKind::ALL {
        // Lion is not in torch; L-BFGS's cases (with closure call counts) are
        // replayed by tests/optim_lbfgs_reference.rs.
        // The newer kinds are checked against their own packages (tests/optim_packages.rs).
        let package_kind = matches!(
            kind,
            OptimizerKind::ScheduleFreeAdamw
                | OptimizerKind::ScheduleFreeSgd
                | OptimizerKind::Prodigy
                | OptimizerKind::Adopt
                | OptimizerKind::Ademamix
                | OptimizerKind::Soap
        );
        if kind != OptimizerKind::Lion && kind != OptimizerKind::Lbfgs && !package_kind {
            assert!(kinds.contains(kind.name()), "no torch case for {kind}");
        }
    }
    for s in ["step", "exponential", "cosine"] {
        assert!(schedules.contains(s), "no case with a {s} schedule");
    }
    for c in ["adam.lr", "sgd.momentum", "rmsprop.alpha", "adam.amsgrad"] {
        assert!(changed.contains(c), "no case changing {c}");
    }
}

/// The replay notices a wrong optimizer: the same fixture with a perturbed
/// hyperparameter must fail (guards against a test that cannot fail).
#[test]
fn a_perturbed_hyperparameter_is_caught() {
    for (file, text) in &FIXTURES[1..] {
        for mut case in cases(file, text) {
            if case["id"] == "adam_default" {
                case["optimizer"]["beta2"] = serde_json::json!(0.99901);
                let err = replay(file, &case).expect_err("beta2 changed in the 5th digit must be caught");
                assert!(err.contains("params"), "{err}");
                return;
            }
        }
    }
    panic!("adam_default not found");
}
