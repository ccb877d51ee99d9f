//! First-order optimizers with the semantics and defaults of `torch.optim`.
//!
//! Each algorithm lives in its own module as a configuration struct (the
//! hyperparameters, `Default` = PyTorch's defaults) and a state struct (moments,
//! step count). The learning rate of each update is passed to `step`, so that
//! schedules and the UI's sliders live outside the algorithm, and every
//! hyperparameter can be changed between two steps without touching the state.

mod adadelta;
mod adagrad;
mod adam;
mod adamax;
mod adamw;
mod lion;
mod nadam;
mod ops;
mod radam;
mod rmsprop;
mod rprop;
pub mod schedule;
mod sgd;

pub use adadelta::{Adadelta, AdadeltaState};
pub use adagrad::{Adagrad, AdagradState};
pub use adam::{Adam, AdamState};
pub use adamax::{Adamax, AdamaxState};
pub use adamw::AdamW;
pub use lion::{Lion, LionState};
pub use nadam::{Nadam, NadamState};
pub use radam::{Radam, RadamState};
pub use rmsprop::{Rmsprop, RmspropState};
pub use rprop::{Rprop, RpropState};
pub use schedule::{Schedule, ScheduleKind};
pub use sgd::{Sgd, SgdState};

use ndarray::{ArrayView1, ArrayViewMut1};
use std::fmt;

/// The optimizer kinds of the contract (section 2.1), in catalog order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OptimizerKind {
    Gd,
    Sgd,
    Adagrad,
    Rmsprop,
    Adam,
    Adamw,
    Adamax,
    Nadam,
    Radam,
    Adadelta,
    Rprop,
    Lion,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 12] = [
        OptimizerKind::Gd,
        OptimizerKind::Sgd,
        OptimizerKind::Adagrad,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adam,
        OptimizerKind::Adamw,
        OptimizerKind::Adamax,
        OptimizerKind::Nadam,
        OptimizerKind::Radam,
        OptimizerKind::Adadelta,
        OptimizerKind::Rprop,
        OptimizerKind::Lion,
    ];

    /// The name used in scenario files and result files.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Gd => "gd",
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adagrad => "adagrad",
            OptimizerKind::Rmsprop => "rmsprop",
            OptimizerKind::Adam => "adam",
            OptimizerKind::Adamw => "adamw",
            OptimizerKind::Adamax => "adamax",
            OptimizerKind::Nadam => "nadam",
            OptimizerKind::Radam => "radam",
            OptimizerKind::Adadelta => "adadelta",
            OptimizerKind::Rprop => "rprop",
            OptimizerKind::Lion => "lion",
        }
    }

    /// A display name as the literature writes it ("RMSprop", "AdamW").
    pub fn display_name(self) -> &'static str {
        match self {
            OptimizerKind::Gd => "GD",
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Adagrad => "AdaGrad",
            OptimizerKind::Rmsprop => "RMSprop",
            OptimizerKind::Adam => "Adam",
            OptimizerKind::Adamw => "AdamW",
            OptimizerKind::Adamax => "Adamax",
            OptimizerKind::Nadam => "NAdam",
            OptimizerKind::Radam => "RAdam",
            OptimizerKind::Adadelta => "Adadelta",
            OptimizerKind::Rprop => "Rprop",
            OptimizerKind::Lion => "Lion",
        }
    }

    pub fn from_name(name: &str) -> Option<OptimizerKind> {
        OptimizerKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// One line about the algorithm, for `optlab list optimizers`.
    pub fn summary(self) -> &'static str {
        match self {
            OptimizerKind::Gd => "full-batch gradient descent (sgd on the whole training set)",
            OptimizerKind::Sgd => "stochastic gradient descent, heavy-ball or Nesterov momentum",
            OptimizerKind::Adagrad => "per-coordinate rates from the sum of squared gradients (Duchi et al. 2011)",
            OptimizerKind::Rmsprop => "per-coordinate rates from a moving average of squared gradients (Hinton 2012)",
            OptimizerKind::Adam => "bias-corrected first and second moments (Kingma & Ba 2015)",
            OptimizerKind::Adamw => "Adam with decoupled weight decay (Loshchilov & Hutter 2019)",
            OptimizerKind::Adamax => "Adam with the infinity norm (Kingma & Ba 2015, sec. 7)",
            OptimizerKind::Nadam => "Adam with Nesterov momentum (Dozat 2016)",
            OptimizerKind::Radam => "rectified Adam (Liu et al. 2020)",
            OptimizerKind::Adadelta => "rates from ratios of running averages (Zeiler 2012)",
            OptimizerKind::Rprop => "sign-based resilient backpropagation (Riedmiller & Braun 1993)",
            OptimizerKind::Lion => "sign of an interpolated momentum (Chen et al. 2023)",
        }
    }

    /// The hyperparameters of this kind with their defaults and domains.
    pub fn specs(self) -> &'static [HyperSpec] {
        self.default_optimizer().specs()
    }

    /// A fresh optimizer of this kind with PyTorch's defaults, for `dim` parameters.
    pub fn default_optimizer(self) -> Box<dyn Optimizer> {
        self.build(0)
    }

    /// A fresh optimizer with default hyperparameters and zeroed state for `dim` parameters.
    pub fn build(self, dim: usize) -> Box<dyn Optimizer> {
        match self {
            OptimizerKind::Gd | OptimizerKind::Sgd => Box::new(Stateful::new(self, Sgd::default(), dim)),
            OptimizerKind::Adagrad => Box::new(Stateful::new(self, Adagrad::default(), dim)),
            OptimizerKind::Rmsprop => Box::new(Stateful::new(self, Rmsprop::default(), dim)),
            OptimizerKind::Adam => Box::new(Stateful::new(self, Adam::default(), dim)),
            OptimizerKind::Adamw => Box::new(Stateful::new(self, AdamW::default(), dim)),
            OptimizerKind::Adamax => Box::new(Stateful::new(self, Adamax::default(), dim)),
            OptimizerKind::Nadam => Box::new(Stateful::new(self, Nadam::default(), dim)),
            OptimizerKind::Radam => Box::new(Stateful::new(self, Radam::default(), dim)),
            OptimizerKind::Adadelta => Box::new(Stateful::new(self, Adadelta::default(), dim)),
            OptimizerKind::Rprop => Box::new(Stateful::new(self, Rprop::default(), dim)),
            OptimizerKind::Lion => Box::new(Stateful::new(self, Lion::default(), dim)),
        }
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hyperparameter's value: a number or a switch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Hyper {
    Float(f64),
    Bool(bool),
}

impl Hyper {
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Hyper::Float(v) => Some(v),
            Hyper::Bool(_) => None,
        }
    }
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Hyper::Bool(b) => Some(b),
            Hyper::Float(_) => None,
        }
    }
}

impl fmt::Display for Hyper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hyper::Float(v) => write!(f, "{v}"),
            Hyper::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// The values a hyperparameter may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// x > 0
    Positive,
    /// x >= 0
    NonNegative,
    /// 0 <= x < 1 (betas)
    UnitHalfOpen,
    /// 0 <= x <= 1
    UnitClosed,
    /// 0 < x < 1
    UnitOpen,
    /// x > 1
    AboveOne,
    /// true or false
    Bool,
}

impl Domain {
    pub fn check(self, value: Hyper) -> Result<(), String> {
        let ok = match (self, value) {
            (Domain::Bool, Hyper::Bool(_)) => return Ok(()),
            (Domain::Bool, Hyper::Float(_)) => return Err("expected true or false".into()),
            (_, Hyper::Bool(_)) => return Err("expected a number".into()),
            (_, Hyper::Float(x)) if !x.is_finite() => false,
            (Domain::Positive, Hyper::Float(x)) => x > 0.0,
            (Domain::NonNegative, Hyper::Float(x)) => x >= 0.0,
            (Domain::UnitHalfOpen, Hyper::Float(x)) => (0.0..1.0).contains(&x),
            (Domain::UnitClosed, Hyper::Float(x)) => (0.0..=1.0).contains(&x),
            (Domain::UnitOpen, Hyper::Float(x)) => x > 0.0 && x < 1.0,
            (Domain::AboveOne, Hyper::Float(x)) => x > 1.0,
        };
        if ok { Ok(()) } else { Err(format!("must be {}", self.describe())) }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Domain::Positive => "a finite number > 0",
            Domain::NonNegative => "a finite number >= 0",
            Domain::UnitHalfOpen => "in [0, 1)",
            Domain::UnitClosed => "in [0, 1]",
            Domain::UnitOpen => "in (0, 1)",
            Domain::AboveOne => "a finite number > 1",
            Domain::Bool => "true or false",
        }
    }
}

/// One hyperparameter of an algorithm: its name (PyTorch's), default and domain.
#[derive(Clone, Copy, Debug)]
pub struct HyperSpec {
    pub name: &'static str,
    pub default: Hyper,
    pub domain: Domain,
    pub help: &'static str,
}

/// Why a hyperparameter could not be set.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HyperError {
    #[error("{kind} has no hyperparameter `{name}` (it has: {known})")]
    Unknown { kind: &'static str, name: String, known: String },
    #[error("`{name}` {reason}")]
    Invalid { name: String, reason: String },
}

/// An algorithm: its hyperparameters (the struct itself) and its update rule.
///
/// `step` must not allocate: it runs millions of times.
pub trait Algorithm: Clone + Send + Sync + 'static {
    type State: Clone + Send + Sync + 'static;

    /// Zeroed state for `dim` parameters (PyTorch's state before the first step).
    fn init(&self, dim: usize) -> Self::State;

    /// One update of `params` with gradient `grad` and learning rate `lr`
    /// (the scheduled rate; the configured `lr` is the base rate).
    fn step(&self, state: &mut Self::State, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64);

    /// The hyperparameters, in PyTorch's order, with defaults and domains.
    fn specs() -> &'static [HyperSpec];

    /// The current value of a hyperparameter named in `specs`.
    fn get(&self, name: &str) -> Option<Hyper>;

    /// Set a hyperparameter named in `specs`; the value has passed its domain check.
    fn set_checked(&mut self, name: &str, value: Hyper);

    /// Checks across hyperparameters (Nesterov needs momentum > 0, ...).
    fn validate(&self) -> Result<(), HyperError> {
        Ok(())
    }
}

/// An optimizer as the engine uses it: hyperparameters and state together,
/// behind a trait object so a lab can hold runs of different kinds.
pub trait Optimizer: Send + Sync {
    fn kind(&self) -> OptimizerKind;
    /// One update with the given learning rate.
    fn step(&mut self, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64);
    /// The hyperparameters of this kind with their defaults and domains.
    fn specs(&self) -> &'static [HyperSpec];
    fn get(&self, name: &str) -> Option<Hyper>;
    /// Change a hyperparameter; the state is kept (the UI and `[[event]]`s do this mid-run).
    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError>;
    /// Change several hyperparameters at once, checked together as PyTorch checks a
    /// parameter group (`nesterov = true` with `momentum = 0.9` is fine in either
    /// order): either every value applies or none does.
    fn set_all(&mut self, values: &[(&str, Hyper)]) -> Result<(), HyperError> {
        // Kinds that only implement `set`: try the changes in order on a copy first.
        let mut probe = self.box_clone();
        for (name, value) in values {
            probe.set(name, *value)?;
        }
        for (name, value) in values {
            // The same changes in the same order just succeeded on an identical copy.
            self.set(name, *value).unwrap_or_else(|e| unreachable!("`{name}` applied to a copy: {e}"));
        }
        Ok(())
    }

    /// Forget the state (moments, step count) for `dim` parameters; hyperparameters stay.
    fn reset(&mut self, dim: usize);
    fn box_clone(&self) -> Box<dyn Optimizer>;

    /// The base learning rate.
    fn lr(&self) -> f64 {
        self.get("lr").and_then(Hyper::as_f64).unwrap_or(f64::NAN)
    }

    /// Every hyperparameter with its current value, in catalog order.
    fn hyperparameters(&self) -> Vec<(&'static str, Hyper)> {
        self.specs().iter().filter_map(|s| self.get(s.name).map(|v| (s.name, v))).collect()
    }
}

impl Clone for Box<dyn Optimizer> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// An algorithm with its state.
#[derive(Clone)]
pub struct Stateful<A: Algorithm> {
    kind: OptimizerKind,
    pub config: A,
    pub state: A::State,
}

impl<A: Algorithm> Stateful<A> {
    pub fn new(kind: OptimizerKind, config: A, dim: usize) -> Self {
        let state = config.init(dim);
        Stateful { kind, config, state }
    }
}

impl<A: Algorithm> Optimizer for Stateful<A> {
    fn kind(&self) -> OptimizerKind {
        self.kind
    }

    fn step(&mut self, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        self.config.step(&mut self.state, params, grad, lr);
    }

    fn specs(&self) -> &'static [HyperSpec] {
        A::specs()
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        self.config.get(name)
    }

    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        self.set_all(&[(name, value)])
    }

    fn set_all(&mut self, values: &[(&str, Hyper)]) -> Result<(), HyperError> {
        let mut candidate = self.config.clone();
        for &(name, value) in values {
            let spec = A::specs().iter().find(|s| s.name == name).ok_or_else(|| HyperError::Unknown {
                kind: self.kind.name(),
                name: name.to_string(),
                known: A::specs().iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
            })?;
            // Integers written where a float is expected are fine ("lr = 1").
            spec.domain.check(value).map_err(|reason| HyperError::Invalid { name: name.to_string(), reason })?;
            candidate.set_checked(name, value);
        }
        // Checks across hyperparameters see the whole new configuration.
        candidate.validate()?;
        self.config = candidate;
        Ok(())
    }

    fn reset(&mut self, dim: usize) {
        self.state = self.config.init(dim);
    }

    fn box_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }
}
