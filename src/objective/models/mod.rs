//! Models on data: linear, logistic and softmax regression and multilayer
//! perceptrons, with analytic gradients by backpropagation.
//!
//! All four are one dense network ([`network`]) with an output head
//! ([`head`]):
//!
//! | model | layers | head |
//! |---|---|---|
//! | `linear` | features → 1 | mean squared error |
//! | `logistic` | features → 1 | binary cross-entropy on the logit |
//! | `softmax` | features → classes | cross-entropy over the classes |
//! | `mlp` | features → hidden… → 1 or classes | MSE for a regression target, cross-entropy for classes (also for two) |
//!
//! The training objective is the mean loss over the training samples plus
//! (l2/2)·Σw² over every weight (never a bias). A minibatch's loss is the mean
//! over its samples plus the same penalty, so that it estimates `loss`. The
//! validation loss is the mean loss over the validation samples without the
//! penalty (what `criterion(model(x_val), y_val)` gives in PyTorch), so that
//! models with different `l2` can be compared on it.

mod activation;
mod boundary;
mod config;
mod head;
mod init;
mod network;
mod objective;
mod vmath;

#[cfg(test)]
mod gradient_tests;

pub use activation::Activation;
pub use boundary::Prediction;
pub use config::{MAX_PARAMS, ModelConfig, ModelKind};
pub use init::Init;
pub use objective::{ModelObjective, build_model_objective};
