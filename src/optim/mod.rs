//! Optimizers with the semantics and defaults of `torch.optim`.
//!
//! Each algorithm lives in its own module: its hyperparameters declared once
//! ([`hyperparameters!`](crate::hyperparameters): struct, `Default` =
//! PyTorch's defaults, spec table, get/set), its state, and its update. The
//! learning rate of each update is passed in, so that schedules and the UI's
//! sliders live outside the algorithm, and every hyperparameter can be
//! changed between two updates without touching the state.
//!
//! Adding an optimizer is one file plus one line in [`optimizer_kinds!`]
//! below. Element-wise kinds implement [`ElementWise`] (one fused pass over
//! any index range of the flat vector); others implement [`Optimizer`]
//! directly and may use the parameters' [`Layout`] (matrices) and an
//! [`Evaluate`] to re-evaluate the objective during an update.

mod adadelta;
mod adagrad;
mod adam;
mod adamax;
mod adamw;
mod ademamix;
mod adopt;
mod asgd;
pub mod elementwise;
pub mod hyper;
pub mod layout;
mod lbfgs;
mod lion;
mod nadam;
mod ops;
mod prodigy;
mod radam;
mod rmsprop;
mod rprop;
pub mod schedule;
pub mod schedule_free;
mod schedule_free_adamw;
mod schedule_free_sgd;
mod sgd;
pub mod soap;

pub use adadelta::Adadelta;
pub use adagrad::Adagrad;
pub use adam::Adam;
pub use adamax::Adamax;
pub use adamw::AdamW;
pub use ademamix::Ademamix;
pub use adopt::Adopt;
pub use asgd::Asgd;
pub use elementwise::{ElementState, ElementWise};
pub use hyper::{Domain, Hyper, HyperError, HyperSpec, Hyperparameters, Validate};
pub use layout::{Layout, Shape, Tensor};
pub use lbfgs::Lbfgs;
pub use lion::Lion;
pub use nadam::Nadam;
pub use prodigy::Prodigy;
pub use radam::Radam;
pub use rmsprop::Rmsprop;
pub use rprop::Rprop;
pub use schedule::{Schedule, ScheduleKind};
pub use schedule_free_adamw::ScheduleFreeAdamW;
pub use schedule_free_sgd::ScheduleFreeSgd;
pub use sgd::Sgd;
pub use soap::Soap;

use ndarray::{ArrayView1, ArrayViewMut1};
use std::fmt;

/// Declares the optimizer kinds, one line each:
/// `Variant = "name", "Display name", "one-line summary", constructor;`
/// where the constructor is a `fn(OptimizerKind, &Layout) -> Box<dyn Optimizer>`
/// (for an element-wise kind, `element_wise::<Config>`).
macro_rules! optimizer_kinds {
    ( $( $variant:ident = $name:expr, $display:expr, $summary:expr, $build:expr; )* ) => {
        /// The optimizer kinds of the contract (sections 2.1 and 5), in catalog order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum OptimizerKind {
            $( $variant, )*
        }

        impl OptimizerKind {
            pub const ALL: [OptimizerKind; [$( $name ),*].len()] = [$( OptimizerKind::$variant ),*];

            /// The name used in scenario files and result files.
            pub fn name(self) -> &'static str {
                match self {
                    $( OptimizerKind::$variant => $name, )*
                }
            }

            /// A display name as the literature writes it ("RMSprop", "AdamW").
            pub fn display_name(self) -> &'static str {
                match self {
                    $( OptimizerKind::$variant => $display, )*
                }
            }

            /// One line about the algorithm, for `optlab list optimizers`.
            pub fn summary(self) -> &'static str {
                match self {
                    $( OptimizerKind::$variant => $summary, )*
                }
            }

            /// A fresh optimizer with default hyperparameters and zeroed state
            /// for parameters laid out as `layout`.
            pub fn build_for(self, layout: &Layout) -> Box<dyn Optimizer> {
                match self {
                    $( OptimizerKind::$variant => ($build)(self, layout), )*
                }
            }
        }
    };
}

optimizer_kinds! {
    Gd = "gd", "GD", "full-batch gradient descent (sgd on the whole training set)", element_wise::<Sgd>;
    Sgd = "sgd", "SGD", "stochastic gradient descent, heavy-ball or Nesterov momentum", element_wise::<Sgd>;
    Adagrad = "adagrad", "AdaGrad",
        "per-coordinate rates from the sum of squared gradients (Duchi et al. 2011)", element_wise::<Adagrad>;
    Rmsprop = "rmsprop", "RMSprop",
        "per-coordinate rates from a moving average of squared gradients (Hinton 2012)", element_wise::<Rmsprop>;
    Adam = "adam", "Adam", "bias-corrected first and second moments (Kingma & Ba 2015)", element_wise::<Adam>;
    Adamw = "adamw", "AdamW", "Adam with decoupled weight decay (Loshchilov & Hutter 2019)", element_wise::<AdamW>;
    Adamax = "adamax", "Adamax", "Adam with the infinity norm (Kingma & Ba 2015, sec. 7)", element_wise::<Adamax>;
    Nadam = "nadam", "NAdam", "Adam with Nesterov momentum (Dozat 2016)", element_wise::<Nadam>;
    Radam = "radam", "RAdam", "rectified Adam (Liu et al. 2020)", element_wise::<Radam>;
    Adadelta = "adadelta", "Adadelta", "rates from ratios of running averages (Zeiler 2012)", element_wise::<Adadelta>;
    Rprop = "rprop", "Rprop", "sign-based resilient backpropagation (Riedmiller & Braun 1993)", element_wise::<Rprop>;
    Lion = "lion", "Lion", "sign of an interpolated momentum (Chen et al. 2023)", element_wise::<Lion>;
    Lbfgs = "lbfgs", "L-BFGS",
        "limited-memory BFGS, optional strong-Wolfe line search; several evaluations per update (Nocedal 1980)",
        lbfgs::build;
    Asgd = "asgd", "ASGD", "SGD with a decaying rate and Polyak averaging (Polyak & Juditsky 1992)", element_wise::<Asgd>;
    ScheduleFreeAdamw = "schedule_free_adamw", "Schedule-Free AdamW", "AdamW without a schedule: gradients at y, loss at the average x (Defazio et al. 2024)", schedule_free::schedule_free::<ScheduleFreeAdamW>;
    ScheduleFreeSgd = "schedule_free_sgd", "Schedule-Free SGD", "SGD without a schedule: gradients at y, loss at the average x (Defazio et al. 2024)", schedule_free::schedule_free::<ScheduleFreeSgd>;
    Prodigy = "prodigy", "Prodigy", "Adam with its step size estimated from the distance travelled (Mishchenko & Defazio 2024)", prodigy::prodigy;
    Adopt = "adopt", "ADOPT", "Adam normalised by the previous second moment, clipped (Taniguchi et al. 2024)", element_wise::<Adopt>;
    Ademamix = "ademamix", "AdEMAMix", "Adam with a fast and a slow gradient average (Pagliardini et al. 2024)", element_wise::<Ademamix>;
    Soap = "soap", "SOAP", "Adam in the eigenbasis of Shampoo's preconditioner, matrix-aware (Vyas et al. 2024)", soap::soap;
}

impl OptimizerKind {
    pub fn from_name(name: &str) -> Option<OptimizerKind> {
        OptimizerKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The hyperparameters of this kind with their defaults and domains.
    pub fn specs(self) -> &'static [HyperSpec] {
        self.default_optimizer().specs()
    }

    /// A fresh optimizer of this kind with PyTorch's defaults, for `dim` parameters.
    pub fn default_optimizer(self) -> Box<dyn Optimizer> {
        self.build(0)
    }

    /// A fresh optimizer with default hyperparameters and zeroed state for
    /// `dim` parameters in one vector.
    pub fn build(self, dim: usize) -> Box<dyn Optimizer> {
        self.build_for(&Layout::vector(dim))
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The constructor of an element-wise kind in the table above.
pub fn element_wise<A: ElementWise>(kind: OptimizerKind, _layout: &Layout) -> Box<dyn Optimizer> {
    Box::new(Stateful::<A>::new(kind, A::default()))
}

/// The objective as an optimizer may call it during an update (L-BFGS's line
/// search): the loss and gradient at a point of its choosing, on the same
/// minibatch as the update's gradient. The engine counts every call.
pub trait Evaluate {
    /// The loss at `x`, its gradient written into `grad`; `None` when this
    /// caller cannot evaluate (see [`NoEvaluations`]).
    fn evaluate(&mut self, x: ArrayView1<f64>, grad: ArrayViewMut1<f64>) -> Option<f64>;
}

/// For updates made without an objective at hand ([`Optimizer::step`]): an
/// optimizer that would re-evaluate stops where it would have evaluated, as
/// when its evaluation budget runs out.
pub struct NoEvaluations;

impl Evaluate for NoEvaluations {
    fn evaluate(&mut self, _x: ArrayView1<f64>, _grad: ArrayViewMut1<f64>) -> Option<f64> {
        None
    }
}

/// An optimizer as the engine uses it: hyperparameters and state together,
/// behind a trait object so a lab can hold runs of different kinds.
pub trait Optimizer: Send + Sync {
    fn kind(&self) -> OptimizerKind;

    /// One update with learning rate `lr`, given the loss and its gradient at
    /// `params`; `eval` evaluates elsewhere on the same minibatch, for kinds
    /// that need it. `update` must not allocate after the first call.
    fn update(
        &mut self,
        params: ArrayViewMut1<f64>,
        loss: f64,
        grad: ArrayView1<f64>,
        lr: f64,
        eval: &mut dyn Evaluate,
    );

    /// One update from a gradient alone ([`Optimizer::update`] with no
    /// objective to call, and the loss unknown).
    fn step(&mut self, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        self.update(params, f64::NAN, grad, lr, &mut NoEvaluations);
    }

    /// The point whose loss a run reports, when it is not the point the
    /// gradients are taken at: Schedule-Free methods take gradients at y and
    /// report the average x that users evaluate. `None` (the default): the
    /// parameters themselves.
    fn reported_point(&self) -> Option<ArrayView1<'_, f64>> {
        None
    }

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

    /// Forget the state (moments, step count) for parameters laid out as
    /// `layout`; hyperparameters stay.
    fn reset(&mut self, layout: &Layout);
    fn box_clone(&self) -> Box<dyn Optimizer>;

    /// The optimizer that updates the tensors a matrix-aware kind does not
    /// (`fallback = { kind = "adamw", lr = 3e-4 }`); `None` for other kinds.
    fn fallback(&self) -> Option<&dyn Optimizer> {
        None
    }

    /// Set the fallback; an error for kinds that take none.
    fn set_fallback(&mut self, _fallback: Box<dyn Optimizer>) -> Result<(), HyperError> {
        Err(HyperError::Invalid {
            name: "fallback".into(),
            reason: format!("is for matrix-aware optimizers; {} updates every parameter itself", self.kind()),
        })
    }

    /// What this optimizer does with `layout`, when it is worth saying (a
    /// matrix-aware kind given vectors): shown by `optlab check` and `list`.
    fn layout_note(&self, _layout: &Layout) -> Option<String> {
        None
    }

    /// Whether the update treats every parameter alike (one pass over the
    /// flat vector, the layout ignored): only these can be a fallback.
    fn is_element_wise(&self) -> bool {
        false
    }

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

/// An element-wise algorithm with its state.
#[derive(Clone)]
pub struct Stateful<A: ElementWise> {
    kind: OptimizerKind,
    pub config: A,
    pub state: ElementState<A::Scalars>,
}

impl<A: ElementWise> Stateful<A> {
    pub fn new(kind: OptimizerKind, config: A) -> Self {
        Stateful { kind, config, state: ElementState::new() }
    }
}

impl<A: ElementWise> Optimizer for Stateful<A> {
    fn kind(&self) -> OptimizerKind {
        self.kind
    }

    fn update(
        &mut self,
        params: ArrayViewMut1<f64>,
        _loss: f64,
        grad: ArrayView1<f64>,
        lr: f64,
        _eval: &mut dyn Evaluate,
    ) {
        self.state.step(&self.config, params, grad, lr);
    }

    fn specs(&self) -> &'static [HyperSpec] {
        A::specs()
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        self.config.get(name)
    }

    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        self.config.set(self.kind.name(), name, value)
    }

    fn set_all(&mut self, values: &[(&str, Hyper)]) -> Result<(), HyperError> {
        self.config.set_all(self.kind.name(), values)
    }

    fn reset(&mut self, _layout: &Layout) {
        self.state = ElementState::new();
    }

    fn is_element_wise(&self) -> bool {
        true
    }

    fn box_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }
}
