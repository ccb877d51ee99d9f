//! Properties of the optimizers through the public `Optimizer` interface:
//! equivalences, the learning rate as the only scale of the move, convergence
//! on a convex quadratic, hyperparameter handling and state kept across `set`.

use ndarray::{Array1, array};
use optlab::optim::{Domain, Hyper, HyperError, HyperSpec, Layout, Optimizer, OptimizerKind, Schedule, ScheduleKind};
use proptest::prelude::*;

fn build(kind: OptimizerKind, dim: usize, hp: &[(&str, Hyper)]) -> Box<dyn Optimizer> {
    let mut opt = kind.build(dim);
    for (name, value) in hp {
        opt.set(name, *value).unwrap_or_else(|e| panic!("{kind}: set {name}: {e}"));
    }
    opt
}

/// Runs `opt` over a sequence of gradients with a constant lr, returns every iterate.
fn trajectory(opt: &mut dyn Optimizer, start: &Array1<f64>, grads: &[Array1<f64>], lr: f64) -> Vec<Array1<f64>> {
    let mut p = start.clone();
    grads
        .iter()
        .map(|g| {
            opt.step(p.view_mut(), g.view(), lr);
            p.clone()
        })
        .collect()
}

/// A start point and a few gradients of the same dimension.
fn problem() -> impl Strategy<Value = (Array1<f64>, Vec<Array1<f64>>)> {
    (1usize..6).prop_flat_map(|dim| {
        (
            prop::collection::vec(-10.0f64..10.0, dim).prop_map(Array1::from),
            prop::collection::vec(prop::collection::vec(-100.0f64..100.0, dim).prop_map(Array1::from), 1..12),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// SGD with momentum 0 is plain gradient descent p ← p − γ (g + λp), and `gd` is `sgd`.
    #[test]
    fn sgd_without_momentum_is_gradient_descent(
        (start, grads) in problem(), lr in 1e-4f64..1.0, wd in prop::sample::select(vec![0.0, 0.1]),
        dampening in 0.0f64..1.0,
    ) {
        let hp = [("weight_decay", Hyper::Float(wd)), ("dampening", Hyper::Float(dampening))];
        let sgd = trajectory(&mut *build(OptimizerKind::Sgd, start.len(), &hp), &start, &grads, lr);
        let gd = trajectory(&mut *build(OptimizerKind::Gd, start.len(), &hp), &start, &grads, lr);
        let mut p = start.clone();
        for (k, g) in grads.iter().enumerate() {
            p = &p - &((g + &(&p * wd)) * lr);
            prop_assert_eq!(&sgd[k], &p);
            prop_assert_eq!(&gd[k], &p);
        }
    }

    /// AdamW with weight decay 0 is Adam, bit for bit, with and without AMSGrad.
    #[test]
    fn adamw_without_weight_decay_is_adam(
        (start, grads) in problem(), lr in 1e-4f64..1.0, amsgrad: bool,
        beta1 in 0.0f64..0.99, beta2 in 0.5f64..0.9999,
    ) {
        let hp = [
            ("amsgrad", Hyper::Bool(amsgrad)),
            ("beta1", Hyper::Float(beta1)),
            ("beta2", Hyper::Float(beta2)),
            ("weight_decay", Hyper::Float(0.0)),
        ];
        let adam = trajectory(&mut *build(OptimizerKind::Adam, start.len(), &hp), &start, &grads, lr);
        let adamw = trajectory(&mut *build(OptimizerKind::Adamw, start.len(), &hp), &start, &grads, lr);
        prop_assert_eq!(adam, adamw);
    }

    /// NAdam and RAdam with decoupled weight decay 0 are the plain algorithms.
    #[test]
    fn decoupled_flag_is_inert_without_weight_decay((start, grads) in problem(), lr in 1e-4f64..0.1) {
        for kind in [OptimizerKind::Nadam, OptimizerKind::Radam] {
            let plain = trajectory(&mut *kind.build(start.len()), &start, &grads, lr);
            let flagged = trajectory(
                &mut *build(kind, start.len(), &[("decoupled_weight_decay", Hyper::Bool(true))]),
                &start, &grads, lr,
            );
            prop_assert_eq!(plain, flagged);
        }
    }

    /// The learning rate passed to `step` scales every move: with lr = 1e-300 no
    /// parameter moves by more than 1e-200, whatever the configured (base) lr.
    /// Rprop's step sizes start at lr but are clamped to step_min (1e-6 by
    /// default), so it runs here with step_min = 0.
    #[test]
    fn a_vanishing_lr_does_not_move_the_parameters((start, grads) in problem(), zero_start: bool) {
        let start = if zero_start { Array1::zeros(start.len()) } else { start };
        for kind in OptimizerKind::ALL {
            let hp: &[(&str, Hyper)] =
                if kind == OptimizerKind::Rprop { &[("step_min", Hyper::Float(0.0))] } else { &[] };
            let mut opt = build(kind, start.len(), hp);
            for p in trajectory(&mut *opt, &start, &grads, 1e-300) {
                for (a, b) in p.iter().zip(&start) {
                    prop_assert!((a - b).abs() <= 1e-200, "{} moved {} -> {}", kind, b, a);
                }
            }
        }
    }
}

/// The same step taken with a larger lr moves further: a check that the lr
/// property above is not trivially true.
#[test]
fn the_passed_lr_is_the_one_used() {
    for kind in OptimizerKind::ALL {
        let start = array![0.0, 0.0];
        let grads = vec![array![1.0, -2.0]; 3];
        let small = trajectory(&mut *kind.build(2), &start, &grads, 1e-6);
        let large = trajectory(&mut *kind.build(2), &start, &grads, 1e-2);
        let moved = |ps: &[Array1<f64>]| ps[2].iter().map(|v| v.abs()).sum::<f64>();
        assert!(moved(&large) > 100.0 * moved(&small), "{kind}: {} vs {}", moved(&large), moved(&small));
        assert!(moved(&small) > 0.0, "{kind} did not move");
    }
}

/// Every kind converges on f = ½ (x² + 10 y²) from (1.5, −0.8) with a well-chosen
/// lr (optax's alias_test runs every optimizer on a parabola the same way).
/// Lion and Adadelta take a cosine schedule: with a constant lr they end in a
/// cycle around the minimum (Lion's moves are ±lr; Adadelta's deterministic
/// steps do not shrink on their own).
#[test]
fn every_kind_converges_on_a_convex_quadratic() {
    type Case = (OptimizerKind, &'static [(&'static str, Hyper)], bool, u64);
    use Hyper::{Bool, Float};
    use OptimizerKind::*;
    let cases: &[Case] = &[
        (Gd, &[("lr", Float(0.1))], false, 500),
        (Sgd, &[("lr", Float(0.1))], false, 500),
        (Sgd, &[("lr", Float(0.05)), ("momentum", Float(0.9)), ("nesterov", Bool(true))], false, 500),
        (Sgd, &[("lr", Float(0.05)), ("momentum", Float(0.5)), ("dampening", Float(0.5))], false, 500),
        (Adagrad, &[("lr", Float(0.3))], false, 500),
        (Rmsprop, &[("lr", Float(0.01))], false, 500),
        (Rmsprop, &[("lr", Float(0.01)), ("centered", Bool(true)), ("momentum", Float(0.5))], false, 500),
        (Adam, &[("lr", Float(0.1))], false, 500),
        (Adam, &[("lr", Float(0.1)), ("amsgrad", Bool(true))], false, 500),
        (Adamw, &[("lr", Float(0.1))], false, 500),
        (Adamax, &[("lr", Float(0.1))], false, 500),
        (Nadam, &[("lr", Float(0.1))], false, 500),
        (
            Nadam,
            &[("lr", Float(0.1)), ("weight_decay", Float(0.01)), ("decoupled_weight_decay", Bool(true))],
            false,
            500,
        ),
        (Radam, &[("lr", Float(0.1))], false, 500),
        (Adadelta, &[("lr", Float(1.0))], true, 2000),
        (Rprop, &[("lr", Float(0.1))], false, 500),
        (Lion, &[("lr", Float(0.03))], true, 500),
        (Lion, &[("lr", Float(0.03)), ("weight_decay", Float(0.1))], true, 500),
        (Asgd, &[("lr", Float(0.1))], false, 500),
        // `step` has no objective to call: one fixed-step L-BFGS iteration per update.
        (Lbfgs, &[("lr", Float(1.0))], false, 100),
        (Asgd, &[("lr", Float(0.1)), ("t0", Float(10.0)), ("lambd", Float(0.01))], false, 500),
        (ScheduleFreeAdamw, &[("lr", Float(0.1))], false, 1000),
        (ScheduleFreeSgd, &[("lr", Float(0.15))], false, 1000),
        (Prodigy, &[], false, 500),
        (Adopt, &[("lr", Float(0.1))], false, 500),
        // The default slow average (β₃ = 0.9999) remembers 10,000 updates, longer than this run.
        (Ademamix, &[("lr", Float(0.1)), ("beta3", Float(0.99))], true, 1000),
        // On a vector SOAP is Adam with β₂ = 0.95, whose steps do not shrink on their own.
        (Soap, &[("lr", Float(0.1)), ("weight_decay", Float(0.0))], true, 1000),
    ];
    let c = array![1.0, 10.0];
    let start = array![1.5, -0.8];
    let f = |p: &Array1<f64>| 0.5 * (&c * p * p).sum();
    for kind in OptimizerKind::ALL {
        assert!(cases.iter().any(|case| case.0 == kind), "no convergence case for {kind}");
    }
    for &(kind, hp, cosine, steps) in cases {
        let mut opt = build(kind, 2, hp);
        let schedule = if cosine {
            Schedule { kind: ScheduleKind::Cosine { t_max: steps, eta_min: 0.0 }, warmup: 0 }
        } else {
            Schedule::constant()
        };
        let mut p = start.clone();
        for t in 0..steps {
            let g = &c * &p;
            opt.step(p.view_mut(), g.view(), schedule.lr(opt.lr(), t));
        }
        assert!(f(&p) < 1e-9 * f(&start), "{kind} {hp:?}: f = {:e} at {p}", f(&p));
    }
}

/// A valid value different from `default` in each domain.
fn another_value(spec: &HyperSpec) -> Hyper {
    match spec.default {
        Hyper::Bool(b) => Hyper::Bool(!b),
        Hyper::Choice(c) => match spec.domain {
            Domain::Choice(options) => Hyper::Choice(options.iter().copied().find(|o| *o != c).unwrap_or(c)),
            other => panic!("{}: a choice in {other:?}", spec.name),
        },
        Hyper::Float(x) if matches!(spec.domain, Domain::PositiveInteger | Domain::NonNegativeInteger) => {
            Hyper::Float(x + 1.0)
        }
        Hyper::Float(0.0) => Hyper::Float(0.25),
        // Prodigy's growth_rate: from no limit to a limit.
        Hyper::Float(x) if x.is_infinite() => Hyper::Float(1.5),
        Hyper::Float(x) if x < 1.0 => Hyper::Float(x * 0.5),
        Hyper::Float(x) => Hyper::Float(x * 1.5),
    }
}

#[test]
fn every_hyperparameter_round_trips_and_defaults_are_the_specs() {
    for kind in OptimizerKind::ALL {
        let specs = kind.specs();
        assert_eq!(specs.first().map(|s| s.name), Some("lr"), "{kind}: lr comes first");
        let mut opt = kind.build(3);
        for spec in specs {
            assert_eq!(opt.get(spec.name), Some(spec.default), "{kind}.{}", spec.name);
            assert!(spec.domain.check(spec.default).is_ok(), "{kind}.{}: default outside its domain", spec.name);
        }
        assert_eq!(opt.hyperparameters().len(), specs.len());
        for spec in specs {
            if spec.name == "nesterov" {
                // Nesterov needs momentum and no dampening.
                opt.set("momentum", Hyper::Float(0.9)).unwrap_or_else(|e| panic!("{e}"));
                opt.set("dampening", Hyper::Float(0.0)).unwrap_or_else(|e| panic!("{e}"));
            }
            let value = another_value(spec);
            opt.set(spec.name, value).unwrap_or_else(|e| panic!("{kind}.{} = {value}: {e}", spec.name));
            assert_eq!(opt.get(spec.name), Some(value), "{kind}.{}", spec.name);
        }
        assert_eq!(opt.get("no_such_thing"), None);
    }
}

/// A kind, hyperparameters set first, then a name and a value that `set` must refuse.
type Rejected = (OptimizerKind, Vec<(&'static str, Hyper)>, &'static str, Hyper);

#[test]
fn invalid_values_are_rejected_and_leave_the_optimizer_unchanged() {
    use Hyper::{Bool, Float};
    let mut rejected: Vec<Rejected> = vec![];
    for kind in OptimizerKind::ALL {
        for bad in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
            rejected.push((kind, vec![], "lr", Float(bad)));
        }
        rejected.push((kind, vec![], "lr", Bool(true)));
        rejected.push((kind, vec![], "lr_typo", Float(0.1)));
        for spec in kind.specs() {
            match spec.name {
                "beta1" | "beta2" => {
                    rejected.push((kind, vec![], spec.name, Float(1.0)));
                    rejected.push((kind, vec![], spec.name, Float(-0.1)));
                }
                "weight_decay" | "eps" | "momentum" | "lr_decay" | "initial_accumulator_value" => {
                    rejected.push((kind, vec![], spec.name, Float(-1e-9)));
                }
                "amsgrad" | "centered" | "nesterov" | "decoupled_weight_decay" => {
                    rejected.push((kind, vec![], spec.name, Float(1.0)));
                }
                _ => {}
            }
        }
    }
    use OptimizerKind::*;
    let extra: Vec<Rejected> = vec![
        (Sgd, vec![], "nesterov", Bool(true)),
        (Gd, vec![], "nesterov", Bool(true)),
        (Sgd, vec![("momentum", Float(0.9)), ("dampening", Float(0.1))], "nesterov", Bool(true)),
        (Sgd, vec![("momentum", Float(0.9)), ("nesterov", Bool(true))], "momentum", Float(0.0)),
        (Sgd, vec![], "dampening", Float(1.5)),
        (Rmsprop, vec![], "alpha", Float(1.5)),
        (Adadelta, vec![], "rho", Float(-0.5)),
        (Rprop, vec![], "eta_minus", Float(1.0)),
        (Rprop, vec![], "eta_minus", Float(0.0)),
        (Rprop, vec![], "eta_plus", Float(1.0)),
        (Rprop, vec![], "eta_plus", Float(0.5)),
        (Rprop, vec![], "step_min", Float(60.0)),
        (Rprop, vec![], "step_max", Float(1e-7)),
        (Rprop, vec![], "step_max", Float(0.0)),
    ];
    rejected.extend(extra);
    for (kind, setup, name, value) in rejected {
        let mut opt = build(kind, 2, &setup);
        let before = opt.hyperparameters();
        let err = opt.set(name, value).expect_err(&format!("{kind}: {name} = {value} accepted"));
        match err {
            HyperError::Unknown { .. } => assert!(opt.specs().iter().all(|s| s.name != name)),
            HyperError::Invalid { .. } => {}
        }
        assert_eq!(opt.hyperparameters(), before, "{kind}: a rejected {name} changed the optimizer");
    }
}

#[test]
fn cross_field_errors_name_the_rule() {
    let mut sgd = OptimizerKind::Sgd.build(1);
    let err = sgd.set("nesterov", Hyper::Bool(true)).expect_err("nesterov without momentum");
    assert!(err.to_string().contains("momentum > 0"), "{err}");
    let mut rprop = OptimizerKind::Rprop.build(1);
    let err = rprop.set("step_min", Hyper::Float(100.0)).expect_err("step_min > step_max");
    assert!(err.to_string().contains("step_max"), "{err}");
}

/// Setting a hyperparameter keeps the state: setting every hyperparameter to
/// its current value mid-run leaves the trajectory bit for bit unchanged
/// (a `set` that reset moments or step counts would change it).
#[test]
fn set_keeps_the_state() {
    let start = array![1.5, -0.8, 0.3];
    let grads: Vec<Array1<f64>> =
        (0..8).map(|k| array![1.0 + k as f64, -2.0 + 0.5 * k as f64, 0.1 * k as f64 - 0.3]).collect();
    for kind in OptimizerKind::ALL {
        let options: &[(&str, Hyper)] = match kind {
            OptimizerKind::Sgd | OptimizerKind::Gd => &[("momentum", Hyper::Float(0.9))],
            OptimizerKind::Rmsprop => &[("momentum", Hyper::Float(0.5)), ("centered", Hyper::Bool(true))],
            OptimizerKind::Adam | OptimizerKind::Adamw => &[("amsgrad", Hyper::Bool(true))],
            _ => &[],
        };
        let reference = trajectory(&mut *build(kind, 3, options), &start, &grads, 0.01);
        let mut opt = build(kind, 3, options);
        let mut p = start.clone();
        for (k, g) in grads.iter().enumerate() {
            if k == 4 {
                for (name, value) in opt.hyperparameters() {
                    opt.set(name, value).unwrap_or_else(|e| panic!("{kind}.{name}: {e}"));
                }
            }
            opt.step(p.view_mut(), g.view(), 0.01);
            assert_eq!(p, reference[k], "{kind}: step {k}");
        }
        // …whereas a reset does change it (the check above can fail).
        let mut reset = build(kind, 3, options);
        let mut q = start.clone();
        for (k, g) in grads.iter().enumerate() {
            if k == 4 {
                reset.reset(&Layout::vector(3));
            }
            reset.step(q.view_mut(), g.view(), 0.01);
        }
        assert_ne!(q, reference[7], "{kind}: a reset made no difference");
    }
}

/// A changed hyperparameter takes effect at the next step, the state kept:
/// after ten updates, a clone with one number changed takes a different
/// next step, except where the algorithm says it cannot.
#[test]
fn a_change_mid_run_acts_from_the_next_step() {
    // Changes without effect on the 11th step of this run, and why:
    let inert = [
        ("sgd", "momentum"),                      // the first step with momentum sets b = g: plain GD (torch)
        ("gd", "momentum"),                       // same
        ("sgd", "dampening"),                     // momentum is 0
        ("gd", "dampening"),                      // same
        ("rmsprop", "momentum"),                  // a buffer switched on starts at 0: its first step is the plain one
        ("adagrad", "initial_accumulator_value"), // read at the first update only (torch)
        ("rprop", "eta_minus"), // changes the step size of a flipped coordinate, which skips this step
        ("rprop", "step_min"),  // no step size reaches the bounds
        ("rprop", "step_max"),
        ("lion", "beta2"), // decays m after the move: acts from the step after
        ("asgd", "lr"),    // η and μ of an update are computed at the end of the one before (torch)
        ("asgd", "alpha"),
        ("asgd", "t0"),
        ("lion", "beta2"),                       // decays m after the move: acts from the step after
        ("schedule_free_adamw", "warmup_steps"), // a warmup of 1 is over after ten updates
        ("schedule_free_sgd", "warmup_steps"),
        // Prodigy's estimate d̂ is still below d₀ here, so d and the step stay as they were.
        ("prodigy", "beta3"),
        ("prodigy", "d_coef"),
        ("prodigy", "growth_rate"),
        ("prodigy", "d0"),  // the start of d; afterwards it scales both sums of the estimate alike
        ("adopt", "beta2"), // v is updated after the move: it normalises the step after
        ("adopt", "eps"),   // a floor under √v, which is far above it here
        ("ademamix", "t_alpha_beta3"), // a warmup of 0.25 updates is over after ten
        ("soap", "shampoo_beta"), // SOAP does not rotate a vector (precondition_1d is off)
        ("soap", "precondition_frequency"),
        // `step` gives L-BFGS no objective to call: one fixed-step iteration, so the
        // iteration and evaluation budgets, the line search and the tolerances
        // (not reached here) do not act; a history of 10 pairs fits either size.
        ("lbfgs", "max_iter"),
        ("lbfgs", "max_eval"),
        ("lbfgs", "history_size"),
        ("lbfgs", "line_search_fn"),
        ("lbfgs", "tolerance_grad"),
        ("lbfgs", "tolerance_change"),
    ];
    let start = array![1.5, -0.8];
    let g = array![0.5, -1.0];
    // The 11th gradient flips and shrinks the first coordinate, grows the second.
    let g4 = array![-0.05, -3.0];
    let mut checked = 0;
    for kind in OptimizerKind::ALL {
        let mut a = kind.build(2);
        let mut p = start.clone();
        // Ten updates: past RAdam's un-adapted first five.
        for _ in 0..10 {
            a.step(p.view_mut(), g.view(), 0.01);
        }
        for spec in kind.specs().iter().filter(|s| s.name != "lr" && matches!(s.default, Hyper::Float(_))) {
            let (mut a, mut p) = (a.clone(), p.clone());
            let (mut b, mut q) = (a.clone(), p.clone());
            let value = another_value(spec);
            b.set(spec.name, value).unwrap_or_else(|e| panic!("{kind}.{}: {e}", spec.name));
            a.step(p.view_mut(), g4.view(), 0.01);
            b.step(q.view_mut(), g4.view(), 0.01);
            let expect_inert = inert.contains(&(kind.name(), spec.name));
            assert_eq!(p == q, expect_inert, "{kind}: changing {} to {value} mid-run: {p} vs {q}", spec.name);
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked}");
}

/// An optimizer built for one size and stepped on another starts afresh
/// instead of panicking (as PyTorch creates its state at the first step).
#[test]
fn state_follows_the_parameter_count() {
    use Hyper::{Bool, Float};
    let mut variants: Vec<(OptimizerKind, Vec<(&str, Hyper)>)> =
        OptimizerKind::ALL.into_iter().map(|k| (k, vec![])).collect();
    variants.extend([
        (OptimizerKind::Sgd, vec![("momentum", Float(0.9))]),
        (OptimizerKind::Rmsprop, vec![("momentum", Float(0.9)), ("centered", Bool(true))]),
        (OptimizerKind::Adam, vec![("amsgrad", Bool(true))]),
    ]);
    for (kind, hp) in variants {
        let mut opt = build(kind, 0, &hp);
        let mut fresh = build(kind, 3, &hp);
        let mut p = array![1.0, 2.0, 3.0];
        let mut q = p.clone();
        let g = array![0.5, -0.5, 1.0];
        for _ in 0..2 {
            opt.step(p.view_mut(), g.view(), 0.1);
            fresh.step(q.view_mut(), g.view(), 0.1);
        }
        assert_eq!(p, q, "{kind} {hp:?}");
        let mut short = array![1.0];
        // Two updates: ADOPT's and SOAP's first update of a new state only gathers statistics.
        for _ in 0..2 {
            opt.step(short.view_mut(), array![1.0].view(), 0.1);
        }
        assert!(short[0] < 1.0, "{kind} {hp:?}");
    }
}
