//! Analytic test functions with exact gradients and known minima.
//!
//! Each function has its own module whose `//!` comment gives the formula, the
//! minima and the source; this module holds the trait and the catalog.

mod rosenbrock;

pub use rosenbrock::Rosenbrock;

use super::Window;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use std::fmt;

/// The analytic objectives of the contract (section 2.2) and a few more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FunctionKind {
    Rosenbrock,
}

impl FunctionKind {
    pub const ALL: &'static [FunctionKind] = &[FunctionKind::Rosenbrock];

    pub fn name(self) -> &'static str {
        match self {
            FunctionKind::Rosenbrock => "rosenbrock",
        }
    }

    pub fn from_name(name: &str) -> Option<FunctionKind> {
        FunctionKind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// One line for `optlab list objectives`.
    pub fn summary(self) -> &'static str {
        match self {
            FunctionKind::Rosenbrock => "curved narrow valley, minimum 0 at (1, ..., 1); N-D with `dim`",
        }
    }

    /// Whether the function takes `dim` (N-D) and its default dimension.
    pub fn default_dim(self) -> usize {
        match self {
            FunctionKind::Rosenbrock => 2,
        }
    }

    pub fn is_nd(self) -> bool {
        matches!(self, FunctionKind::Rosenbrock)
    }

    /// Build the function; errors name the offending key.
    pub fn build(self, params: &FunctionParams) -> Result<Box<dyn TestFunction>, FunctionError> {
        let dim = params.dim.unwrap_or(self.default_dim());
        if params.dim.is_some() && !self.is_nd() && dim != self.default_dim() {
            return Err(FunctionError { key: "dim", message: format!("{} is 2-D only", self.name()) });
        }
        if dim == 0 {
            return Err(FunctionError { key: "dim", message: "must be at least 1".into() });
        }
        Ok(match self {
            FunctionKind::Rosenbrock => {
                if dim < 2 {
                    return Err(FunctionError { key: "dim", message: "rosenbrock needs dim >= 2".into() });
                }
                Box::new(Rosenbrock::new(dim))
            }
        })
    }
}

impl fmt::Display for FunctionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The keys of `[objective]` that shape an analytic function.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionParams {
    /// Dimension of N-D functions.
    pub dim: Option<usize>,
    /// Curvatures of `quadratic`.
    pub coeffs: Option<Vec<f64>>,
}

/// A bad key for a function.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{key}`: {message}")]
pub struct FunctionError {
    pub key: &'static str,
    pub message: String,
}

/// An analytic function of `dim` variables.
pub trait TestFunction: Send + Sync {
    fn kind(&self) -> FunctionKind;
    fn dim(&self) -> usize;
    fn value(&self, x: ArrayView1<f64>) -> f64;
    /// The gradient at `x`, written into `grad`; returns the value.
    fn value_and_gradient(&self, x: ArrayView1<f64>, grad: ArrayViewMut1<f64>) -> f64;
    /// The known global minima (all of them where there are a few).
    fn minima(&self) -> Vec<Array1<f64>>;
    /// The global minimum value.
    fn min_value(&self) -> Option<f64>;
    /// A start point that shows the function's character.
    fn default_start(&self) -> Array1<f64>;
    /// Where to draw the landscape (first two coordinates).
    fn window(&self) -> Window;
}
