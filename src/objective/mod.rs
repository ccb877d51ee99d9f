//! Objectives: analytic test functions with known minima, and models on data.
//!
//! The engine sees every objective through [`Objective`]: a full training loss,
//! a (mini)batch gradient, optional validation figures, and, for analytic
//! functions, the geometry the UI and the reports draw (minima, window).

pub mod expr;
pub mod functions;
pub mod models;

pub use functions::{FunctionKind, FunctionParams, TestFunction};

use crate::optim::Layout;
use ndarray::{Array1, ArrayView1, ArrayViewMut1};

/// A rectangle of the plane: where a 2-D landscape is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub x: (f64, f64),
    pub y: (f64, f64),
}

impl Window {
    /// The window that shows `points` (paths, starts, minima): their bounding
    /// box with a margin of 8% each side, at least a twentieth of this window
    /// wide and high. Points more than a quarter of a window-width outside
    /// this window (a run flying off) are left out, so they cannot squeeze the
    /// rest (they are clipped at the edge); with no point left, this window.
    pub fn fit(self, points: impl IntoIterator<Item = [f64; 2]>) -> Window {
        let (wx, wy) = (self.x.1 - self.x.0, self.y.1 - self.y.0);
        let sane = |p: &[f64; 2]| {
            p[0].is_finite()
                && p[1].is_finite()
                && p[0] >= self.x.0 - wx / 4.0
                && p[0] <= self.x.1 + wx / 4.0
                && p[1] >= self.y.0 - wy / 4.0
                && p[1] <= self.y.1 + wy / 4.0
        };
        let mut bx = (f64::INFINITY, f64::NEG_INFINITY);
        let mut by = (f64::INFINITY, f64::NEG_INFINITY);
        for p in points.into_iter().filter(|p| sane(p)) {
            bx = (bx.0.min(p[0]), bx.1.max(p[0]));
            by = (by.0.min(p[1]), by.1.max(p[1]));
        }
        if !(bx.0 <= bx.1 && by.0 <= by.1) {
            return self;
        }
        let widen = |(lo, hi): (f64, f64), least: f64| {
            let span = (hi - lo).max(least);
            let mid = (lo + hi) / 2.0;
            (mid - span * 0.58, mid + span * 0.58)
        };
        Window { x: widen(bx, wx / 20.0), y: widen(by, wy / 20.0) }
    }
}

/// Validation figures of a model at some parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Validation {
    pub loss: f64,
    /// Fraction of correct predictions (classification only).
    pub accuracy: Option<f64>,
}

/// What the engine optimizes.
pub trait Objective: Send + Sync {
    /// A short description ("rosenbrock (2-D)", "softmax on iris").
    fn describe(&self) -> String;

    /// Number of parameters.
    fn dim(&self) -> usize;

    /// The parameters as named tensors (an MLP's `W` and `b` per layer); by
    /// default one vector.
    fn layout(&self) -> Layout {
        Layout::vector(self.dim())
    }

    /// The full training objective at `x` (penalty included).
    fn loss(&self, x: ArrayView1<f64>) -> f64;

    /// The loss on the training samples `batch` (all of them when `None`) and its
    /// gradient, written into `grad`. Analytic functions ignore `batch`.
    fn batch_loss_and_gradient(&self, x: ArrayView1<f64>, batch: Option<&[usize]>, grad: ArrayViewMut1<f64>) -> f64;

    /// Number of training samples; `None` for analytic functions (no minibatches, no epochs).
    fn train_size(&self) -> Option<usize> {
        None
    }

    /// Validation loss and accuracy, for models with a validation split.
    fn validation(&self, _x: ArrayView1<f64>) -> Option<Validation> {
        None
    }

    /// Initial parameters for a run with this seed (analytic functions: the start point).
    fn initial_params(&self, seed: u64) -> Array1<f64>;

    /// The analytic function behind this objective, if it is one (landscape, minima).
    fn as_function(&self) -> Option<&dyn TestFunction> {
        None
    }

    /// The model behind this objective, if it is one (decision boundaries).
    fn as_model(&self) -> Option<&models::ModelObjective> {
        None
    }

    /// The known global minimum value, if any.
    fn min_value(&self) -> Option<f64> {
        self.as_function().and_then(|f| f.min_value())
    }

    /// Distance from `x` to the nearest known minimum, if any are known.
    fn distance_to_minimum(&self, x: ArrayView1<f64>) -> Option<f64> {
        let f = self.as_function()?;
        f.minima()
            .iter()
            .map(|m| m.iter().zip(x.iter()).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt())
            .min_by(f64::total_cmp)
    }

    /// Whether the targets are classes (accuracy applies).
    fn is_classification(&self) -> bool {
        false
    }
}

/// An analytic function started from a given point.
pub struct Analytic {
    pub function: Box<dyn TestFunction>,
    pub start: Array1<f64>,
    /// `[rows, cols]` when the parameters are one row-major matrix.
    pub shape: Option<[usize; 2]>,
}

impl Analytic {
    pub fn new(function: Box<dyn TestFunction>, start: Option<Array1<f64>>) -> Self {
        let start = start.unwrap_or_else(|| function.default_start());
        Analytic { function, start, shape: None }
    }

    /// The parameters seen as a `rows × cols` row-major matrix (the scenario
    /// layer checks rows × cols is the dimension).
    pub fn with_shape(self, rows: usize, cols: usize) -> Self {
        Analytic { shape: Some([rows, cols]), ..self }
    }
}

impl Objective for Analytic {
    fn describe(&self) -> String {
        format!("{} ({}-D)", self.function.kind().name(), self.function.dim())
    }
    fn dim(&self) -> usize {
        self.function.dim()
    }
    fn layout(&self) -> Layout {
        match self.shape {
            Some([rows, cols]) if rows * cols == self.dim() => Layout::matrix(rows, cols),
            _ => Layout::vector(self.dim()),
        }
    }
    fn loss(&self, x: ArrayView1<f64>) -> f64 {
        self.function.value(x)
    }
    fn batch_loss_and_gradient(&self, x: ArrayView1<f64>, _batch: Option<&[usize]>, grad: ArrayViewMut1<f64>) -> f64 {
        self.function.value_and_gradient(x, grad)
    }
    fn initial_params(&self, _seed: u64) -> Array1<f64> {
        self.start.clone()
    }
    fn as_function(&self) -> Option<&dyn TestFunction> {
        Some(self.function.as_ref())
    }
}
