//! Typed objectives: a function written as text (`(1 - x)^2 + 100*(y - x^2)^2`),
//! parsed once, compiled to a flat tape and differentiated exactly by reverse
//! mode (see [`tape`]). The grammar is in [`syntax`].

pub mod syntax;
pub mod tape;

pub use syntax::{ExprError, Func};
pub use tape::Tape;

use super::Window;
use super::functions::{FunctionKind, TestFunction};
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

/// What a typed objective is made of, as the scenario gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprSpec {
    /// The expression as typed.
    pub f: String,
    /// The variables' names, in parameter order.
    pub vars: Vec<String>,
    /// Where to draw the landscape (default: around the start and the minima).
    pub window: Option<Window>,
    /// Points where the minimum is known.
    pub minima: Vec<Vec<f64>>,
}

/// Which of the spec's parts an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExprPart {
    F,
    Vars,
    Minima,
}

/// An error building a typed objective: a mistake in the expression (with its
/// place in it), in the variable names, or in the minima.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{error}")]
pub struct ExprBuildError {
    pub part: ExprPart,
    /// For `Vars` and `Minima`, the index of the offending item.
    pub index: Option<usize>,
    pub error: ExprError,
}

/// The variable names used when `vars` is not given.
pub fn default_vars() -> Vec<String> {
    vec!["x".into(), "y".into()]
}

/// Check variable names: identifiers, distinct, not a function or constant.
pub fn check_vars(vars: &[String]) -> Result<(), (usize, String)> {
    if vars.is_empty() {
        return Err((0, "needs at least one variable".into()));
    }
    for (i, v) in vars.iter().enumerate() {
        if !syntax::is_identifier(v) {
            return Err((i, format!("`{v}` is not a name (letters, digits and _, not starting with a digit)")));
        }
        if syntax::reserved(v) {
            return Err((i, format!("`{v}` is a function or a constant, not available as a variable")));
        }
        if vars[..i].contains(v) {
            return Err((i, format!("`{v}` appears twice")));
        }
    }
    Ok(())
}

/// A typed objective.
#[derive(Clone, Debug)]
pub struct ExprFunction {
    spec: ExprSpec,
    tape: Tape,
    start: Array1<f64>,
    window: Window,
    min_value: Option<f64>,
}

impl ExprFunction {
    /// Parse and compile; check that the value is finite at `start` and at the minima.
    pub fn new(spec: ExprSpec, start: Option<&[f64]>) -> Result<ExprFunction, ExprBuildError> {
        let f_error = |error| ExprBuildError { part: ExprPart::F, index: None, error };
        check_vars(&spec.vars).map_err(|(i, message)| ExprBuildError {
            part: ExprPart::Vars,
            index: Some(i),
            error: ExprError { span: 0..0, message },
        })?;
        let ast = syntax::parse(&spec.f, &spec.vars).map_err(f_error)?;
        let tape = Tape::compile(&ast, spec.vars.len()).map_err(f_error)?;
        let dim = spec.vars.len();
        let start = match start {
            Some(s) => Array1::from(s.to_vec()),
            None => Array1::zeros(dim),
        };
        let mut min_value: Option<f64> = None;
        for (i, m) in spec.minima.iter().enumerate() {
            let minimum_error = |message: String| ExprBuildError {
                part: ExprPart::Minima,
                index: Some(i),
                error: ExprError { span: 0..0, message },
            };
            if m.len() != dim {
                return Err(minimum_error(format!(
                    "has {} value{} but there are {dim} variables",
                    m.len(),
                    if m.len() == 1 { "" } else { "s" }
                )));
            }
            if let Some(e) = tape.domain_error(m) {
                return Err(minimum_error(format!("f is not finite there: {}", e.message)));
            }
            let v = tape.value(m);
            min_value = Some(min_value.map_or(v, |m: f64| m.min(v)));
        }
        if start.len() == dim
            && let Some(mut e) = tape.domain_error(&start.to_vec())
        {
            e.message = format!("{} at the start point", e.message);
            return Err(f_error(e));
        }
        let window = spec.window.unwrap_or_else(|| default_window(&start, &spec.minima));
        Ok(ExprFunction { spec, tape, start, window, min_value })
    }

    pub fn spec(&self) -> &ExprSpec {
        &self.spec
    }

    pub fn tape(&self) -> &Tape {
        &self.tape
    }
}

/// A window around the start and the minima, a quarter of its size wider on
/// every side, at least 2 wide.
pub fn default_window(start: &Array1<f64>, minima: &[Vec<f64>]) -> Window {
    let range = |i: usize| -> (f64, f64) {
        let values = std::iter::once(start.get(i).copied().unwrap_or(0.0))
            .chain(minima.iter().filter_map(|m| m.get(i).copied()));
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let mid = (lo + hi) / 2.0;
        let half = ((hi - lo) / 2.0).max(1.0) * 1.5;
        (mid - half, mid + half)
    };
    Window { x: range(0), y: range(1) }
}

impl TestFunction for ExprFunction {
    fn kind(&self) -> FunctionKind {
        FunctionKind::Expr
    }
    fn title(&self) -> String {
        format!("f = {}", self.spec.f.split_whitespace().collect::<Vec<_>>().join(" "))
    }
    fn dim(&self) -> usize {
        self.spec.vars.len()
    }
    fn value(&self, x: ArrayView1<f64>) -> f64 {
        match x.as_slice() {
            Some(x) => self.tape.value(x),
            // Views the engine passes are contiguous; others are copied.
            None => self.tape.value(&x.to_vec()),
        }
    }
    fn value_and_gradient(&self, x: ArrayView1<f64>, mut grad: ArrayViewMut1<f64>) -> f64 {
        match (x.as_slice(), grad.as_slice_mut()) {
            (Some(x), Some(g)) => self.tape.value_and_gradient(x, g),
            _ => {
                let mut g = vec![0.0; grad.len()];
                let f = self.tape.value_and_gradient(&x.to_vec(), &mut g);
                grad.assign(&ndarray::ArrayView1::from(&g));
                f
            }
        }
    }
    fn minima(&self) -> Vec<Array1<f64>> {
        self.spec.minima.iter().map(|m| Array1::from(m.clone())).collect()
    }
    fn min_value(&self) -> Option<f64> {
        self.min_value
    }
    fn default_start(&self) -> Array1<f64> {
        self.start.clone()
    }
    fn window(&self) -> Window {
        self.window
    }
}

#[cfg(test)]
mod tests;
