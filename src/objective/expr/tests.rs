use super::*;
use ndarray::array;
use proptest::prelude::*;

fn vars(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn eval(f: &str, x: &[f64]) -> f64 {
    let names = ["x", "y", "z"];
    let ast = syntax::parse(f, &vars(&names[..x.len()])).unwrap_or_else(|e| panic!("{f}: {e}"));
    Tape::compile(&ast, x.len()).unwrap().value(x)
}

#[test]
fn precedence_and_associativity_are_the_usual_ones() {
    assert_eq!(eval("-x^2", &[3.0]), -9.0);
    assert_eq!(eval("2^3^2", &[0.0]), 512.0);
    assert_eq!(eval("x^-2", &[2.0]), 0.25);
    assert_eq!(eval("x**2 * 3", &[2.0]), 12.0);
    assert_eq!(eval("8 / 4 / 2", &[0.0]), 1.0);
    assert_eq!(eval("1 - 2 - 3", &[0.0]), -4.0);
    assert_eq!(eval("2 * -x", &[3.0]), -6.0);
    assert_eq!(eval("--x", &[3.0]), 3.0);
    assert_eq!(eval("2e-3 * 1E3 + .5", &[0.0]), 2.5);
    assert_eq!(eval("pi + e", &[0.0]), std::f64::consts::PI + std::f64::consts::E);
    assert_eq!(eval("min(x, y) + max(x, y)", &[1.0, 5.0]), 6.0);
    assert_eq!(eval("sigmoid(0) + tanh(0) + abs(-2) + sqrt(9) + log(exp(1))", &[0.0]), 6.5);
    assert_eq!(eval("sigmoid(-800)", &[0.0]), 0.0);
}

#[test]
fn mistakes_point_at_their_character() {
    let v = vars(&["x", "y"]);
    let at = |f: &str| syntax::parse(f, &v).unwrap_err();
    assert_eq!(at("x + (y").span, 4..5);
    assert_eq!(at("x + y)").span, 5..6);
    assert_eq!(at("2e + x").span, 1..2, "`2e` is 2 then the name e, then an operator is missing");
    assert_eq!(at("cosh(x)").message, "unknown function `cosh` (did you mean `cos`?)");
    assert_eq!(at("x +").span, 3..3);
    assert_eq!(at("min(x)").message, "`min` takes 2 arguments, found 1");
    assert_eq!(at("sin(x, y)").message, "`sin` takes one argument, found 2");
    let e = at("x + w");
    assert_eq!(e.caret("x + w"), "x + w\n    ^");
    assert!(e.message.contains("the variables are x, y"), "{}", e.message);
}

#[test]
fn a_zeroth_power_has_slope_zero_even_at_zero() {
    let v = vars(&["x"]);
    for f in ["x^0", "x^(x - x)"] {
        let tape = Tape::compile(&syntax::parse(f, &v).unwrap(), 1).unwrap();
        let mut g = [f64::NAN];
        assert_eq!(tape.value_and_gradient(&[0.0], &mut g), 1.0, "{f}");
        assert_eq!(g[0], 0.0, "{f}");
    }
}

#[test]
fn variables_are_checked() {
    assert!(check_vars(&vars(&["a", "b", "c1", "_d"])).is_ok());
    assert_eq!(check_vars(&vars(&["x", "x"])).unwrap_err().0, 1);
    assert_eq!(check_vars(&vars(&["x", "sin"])).unwrap_err().0, 1);
    assert_eq!(check_vars(&vars(&["2x"])).unwrap_err().0, 0);
    assert!(check_vars(&[]).is_err());
}

#[test]
fn constants_are_folded() {
    let v = vars(&["x"]);
    let tape = Tape::compile(&syntax::parse("x * (2 * pi + 1) + 3^2", &v).unwrap(), 1).unwrap();
    assert_eq!(tape.len(), 2, "one multiply, one add");
    let err = Tape::compile(&syntax::parse("x + sqrt(-1)", &v).unwrap(), 1).unwrap_err();
    assert_eq!(err.span, 4..8);
}

#[test]
fn a_point_outside_the_domain_names_the_operation() {
    let spec = ExprSpec { f: "x + log(y - 1)".into(), vars: default_vars(), window: None, minima: vec![] };
    let e = ExprFunction::new(spec.clone(), Some(&[0.0, 0.5])).unwrap_err();
    assert_eq!(e.part, ExprPart::F);
    assert_eq!(e.error.span, 4..7);
    assert_eq!(e.error.message, "log of a negative number (-0.5) at the start point");
    // Elsewhere than at the start, a non-finite value is just a value (the run diverges).
    let f = ExprFunction::new(spec, Some(&[0.0, 2.0])).unwrap();
    assert!(f.value(array![0.0, 0.0].view()).is_nan());
}

#[test]
fn minima_give_the_minimum_value_and_a_window_around_them() {
    let spec = ExprSpec {
        f: "(x - 1)^2 + (y + 2)^2 + 3".into(),
        vars: default_vars(),
        window: None,
        minima: vec![vec![1.0, -2.0]],
    };
    let f = ExprFunction::new(spec, Some(&[4.0, 0.0])).unwrap();
    assert_eq!(f.min_value(), Some(3.0));
    let w = f.window();
    assert!(w.x.0 < 1.0 && w.x.1 > 4.0 && w.y.0 < -2.0 && w.y.1 > 0.0, "{w:?}");
    assert_eq!(f.dim(), 2);
    assert_eq!(f.title(), "f = (x - 1)^2 + (y + 2)^2 + 3");
}

#[test]
fn many_variables() {
    let names: Vec<String> = (0..20).map(|i| format!("w{i}")).collect();
    let f: String = names.iter().enumerate().map(|(i, n)| format!("{}*{n}^2", i + 1)).collect::<Vec<_>>().join(" + ");
    let spec = ExprSpec { f, vars: names, window: None, minima: vec![] };
    let func = ExprFunction::new(spec, None).unwrap();
    let x = ndarray::Array1::from_shape_fn(20, |i| i as f64 * 0.5 - 3.0);
    let mut g = ndarray::Array1::zeros(20);
    func.value_and_gradient(x.view(), g.view_mut());
    for i in 0..20 {
        assert_eq!(g[i], 2.0 * (i + 1) as f64 * x[i]);
    }
}

/// Random expressions over x, y, z built from every operation, kept inside
/// their domains (`log(1 + u^2)`, a base above 0.5 for variable powers), so a
/// gradient exists almost everywhere.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("z".to_string()),
        (-3.0..3.0f64).prop_map(|c| format!("({c:.3})")),
        Just("pi".to_string()),
        Just("e".to_string()),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} / (2 + sin({b}))")),
            (inner.clone(), 0..5i32).prop_map(|(a, n)| format!("{a}^{n}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("(1 + ({a})^2)^0.75")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(1.5 + sin({a}))^tanh({b})")),
            inner.clone().prop_map(|a| format!("sin({a})")),
            inner.clone().prop_map(|a| format!("cos({a})")),
            inner.clone().prop_map(|a| format!("tan(0.5 * tanh({a}))")),
            inner.clone().prop_map(|a| format!("exp(tanh({a}))")),
            inner.clone().prop_map(|a| format!("log(1 + ({a})^2)")),
            inner.clone().prop_map(|a| format!("sqrt(1 + ({a})^2)")),
            inner.clone().prop_map(|a| format!("abs({a})")),
            inner.clone().prop_map(|a| format!("tanh({a})")),
            inner.clone().prop_map(|a| format!("sigmoid({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("min({a}, {b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("max({a}, {b})")),
        ]
    })
}

/// Central differences with step `h` relative to |xᵢ|.
fn differences(f: &ExprFunction, x: &ndarray::Array1<f64>, h: f64) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            let step = h * x[i].abs().max(1.0);
            let (mut up, mut down) = (x.clone(), x.clone());
            up[i] += step;
            down[i] -= step;
            (f.value(up.view()) - f.value(down.view())) / (2.0 * step)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn gradients_of_random_expressions_match_finite_differences(
        text in expression(),
        point in prop::collection::vec(-2.0..2.0f64, 3),
    ) {
        let spec = ExprSpec { f: text.clone(), vars: vars(&["x", "y", "z"]), window: None, minima: vec![] };
        let f = ExprFunction::new(spec, Some(&point)).unwrap_or_else(|e| panic!("{text}: {e}"));
        let x = ndarray::Array1::from(point);
        let mut grad = ndarray::Array1::from_elem(3, f64::NAN);
        let value = f.value_and_gradient(x.view(), grad.view_mut());
        prop_assert_eq!(value.to_bits(), f.value(x.view()).to_bits());
        prop_assume!(value.is_finite() && value.abs() < 1e8);
        let coarse = differences(&f, &x, 1e-5);
        let fine = differences(&f, &x, 1e-6);
        let scale = grad.iter().fold(1.0f64, |m, g| m.max(g.abs()));
        // A kink of abs, min or max within a step: the two step sizes disagree; skip.
        let smooth = coarse.iter().zip(&fine).all(|(a, b)| (a - b).abs() <= 1e-5 * scale.max(a.abs()));
        prop_assume!(smooth);
        for i in 0..3 {
            let tol = 1e-6 * scale + 1e-9 * value.abs().max(1.0);
            prop_assert!(
                (fine[i] - grad[i]).abs() <= tol,
                "{}: ∂f/∂x{} = {} but differences give {} at {:?}", text, i, grad[i], fine[i], x
            );
        }
    }
}
