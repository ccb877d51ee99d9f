//! What a scenario says about its model.

use super::activation::Activation;
use super::init::Init;
use crate::data::{DataError, TargetKind};

/// Largest number of parameters a model may have (400 MB of float64).
pub const MAX_PARAMS: usize = 50_000_000;

/// The models of the contract (section 2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelKind {
    Linear,
    Logistic,
    Softmax,
    Mlp,
}

impl ModelKind {
    pub const ALL: [ModelKind; 4] = [ModelKind::Linear, ModelKind::Logistic, ModelKind::Softmax, ModelKind::Mlp];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear",
            ModelKind::Logistic => "logistic",
            ModelKind::Softmax => "softmax",
            ModelKind::Mlp => "mlp",
        }
    }

    pub fn from_name(name: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// One line for `optlab list objectives`.
    pub fn summary(self) -> &'static str {
        match self {
            ModelKind::Linear => "linear regression, mean squared error (torch MSELoss)",
            ModelKind::Logistic => "binary logistic regression, mean cross-entropy on logits (BCEWithLogitsLoss)",
            ModelKind::Softmax => "multinomial logistic regression, mean cross-entropy (CrossEntropyLoss)",
            ModelKind::Mlp => "multilayer perceptron; MSE for a regression target, cross-entropy for classes",
        }
    }

    /// How a CSV target column is read for this model.
    pub fn target_kind(self) -> TargetKind {
        match self {
            ModelKind::Linear => TargetKind::Regression,
            ModelKind::Logistic | ModelKind::Softmax => TargetKind::Classes,
            ModelKind::Mlp => TargetKind::Auto,
        }
    }
}

/// The model keys of an `[objective]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    pub kind: ModelKind,
    /// Hidden layer widths (mlp only; empty for the linear models).
    pub hidden: Vec<usize>,
    /// Hidden-layer activation (mlp only).
    pub activation: Activation,
    /// Adds (l2/2)·Σw² over the weights, never the biases.
    pub l2: f64,
    /// `None`: zeros for the linear models, he for a relu mlp, xavier for tanh/sigmoid.
    pub init: Option<Init>,
}

impl ModelConfig {
    /// Hidden widths of an mlp when a scenario gives none.
    pub const DEFAULT_HIDDEN: [usize; 2] = [32, 32];
    pub const DEFAULT_ACTIVATION: Activation = Activation::Relu;

    /// A model with every default: no penalty, default initialisation, and for
    /// an mlp two hidden layers of 32 relu units.
    pub fn new(kind: ModelKind) -> ModelConfig {
        let hidden = if kind == ModelKind::Mlp { ModelConfig::DEFAULT_HIDDEN.to_vec() } else { Vec::new() };
        ModelConfig { kind, hidden, activation: ModelConfig::DEFAULT_ACTIVATION, l2: 0.0, init: None }
    }

    /// The initialisation used when `init` is `None`.
    pub fn default_init(&self) -> Init {
        match (self.kind, self.activation) {
            (ModelKind::Mlp, Activation::Relu) => Init::He,
            (ModelKind::Mlp, _) => Init::Xavier,
            _ => Init::Zeros,
        }
    }

    /// The initialisation actually used.
    pub fn init(&self) -> Init {
        self.init.unwrap_or_else(|| self.default_init())
    }

    /// Fills `init` with the value that will be used.
    pub fn resolve_defaults(&mut self) {
        self.init = Some(self.init());
    }

    /// Checks the settings on their own (the dataset is checked when the
    /// objective is built).
    pub fn validate(&self) -> Result<(), DataError> {
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(DataError::config("l2", format!("must be a finite number >= 0, got {}", self.l2)));
        }
        match self.kind {
            ModelKind::Mlp => {
                if self.hidden.is_empty() {
                    return Err(DataError::config(
                        "hidden",
                        "an mlp needs at least one hidden layer, e.g. [32, 32] (without one, use linear, logistic or softmax)",
                    ));
                }
                if let Some(w) = self.hidden.iter().find(|&&w| w == 0 || w > 100_000) {
                    return Err(DataError::config("hidden", format!("layer widths must be in 1..=100000, got {w}")));
                }
            }
            kind if !self.hidden.is_empty() => {
                return Err(DataError::config("hidden", format!("applies only to mlp, not to {}", kind.name())));
            }
            _ => {}
        }
        Ok(())
    }

    /// "logistic regression", "mlp 32-32 relu".
    pub fn describe(&self) -> String {
        match self.kind {
            ModelKind::Linear => "linear regression".to_string(),
            ModelKind::Logistic => "logistic regression".to_string(),
            ModelKind::Softmax => "softmax regression".to_string(),
            ModelKind::Mlp => {
                let widths: Vec<String> = self.hidden.iter().map(usize::to_string).collect();
                format!("mlp {} {}", widths.join("-"), self.activation.name())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_to_the_documented_values() {
        let mut m = ModelConfig::new(ModelKind::Mlp);
        assert_eq!(m.hidden, vec![32, 32]);
        m.resolve_defaults();
        assert_eq!(m.init, Some(Init::He));
        let tanh = ModelConfig { activation: Activation::Tanh, ..ModelConfig::new(ModelKind::Mlp) };
        assert_eq!(tanh.init(), Init::Xavier);
        for kind in [ModelKind::Linear, ModelKind::Logistic, ModelKind::Softmax] {
            assert_eq!(ModelConfig::new(kind).init(), Init::Zeros);
            assert!(ModelConfig::new(kind).hidden.is_empty());
        }
        let explicit = ModelConfig { init: Some(Init::Xavier), ..ModelConfig::new(ModelKind::Logistic) };
        assert_eq!(explicit.init(), Init::Xavier);
        assert_eq!(ModelConfig::new(ModelKind::Mlp).describe(), "mlp 32-32 relu");
    }

    #[test]
    fn names_round_trip() {
        for k in ModelKind::ALL {
            assert_eq!(ModelKind::from_name(k.name()), Some(k));
        }
        for a in Activation::ALL {
            assert_eq!(Activation::from_name(a.name()), Some(a));
        }
        for i in Init::ALL {
            assert_eq!(Init::from_name(i.name()), Some(i));
        }
        assert_eq!(ModelKind::from_name("svm"), None);
    }

    #[test]
    fn invalid_settings_name_their_key() {
        let bad_l2 = ModelConfig { l2: -1.0, ..ModelConfig::new(ModelKind::Linear) };
        assert_eq!(bad_l2.validate().unwrap_err().to_string(), "`l2`: must be a finite number >= 0, got -1");
        let nan_l2 = ModelConfig { l2: f64::NAN, ..ModelConfig::new(ModelKind::Linear) };
        assert_eq!(nan_l2.validate().unwrap_err().key(), Some("l2"));
        let no_hidden = ModelConfig { hidden: vec![], ..ModelConfig::new(ModelKind::Mlp) };
        assert_eq!(no_hidden.validate().unwrap_err().key(), Some("hidden"));
        let zero = ModelConfig { hidden: vec![8, 0], ..ModelConfig::new(ModelKind::Mlp) };
        assert_eq!(zero.validate().unwrap_err().to_string(), "`hidden`: layer widths must be in 1..=100000, got 0");
        let softmax = ModelConfig { hidden: vec![8], ..ModelConfig::new(ModelKind::Softmax) };
        assert_eq!(softmax.validate().unwrap_err().to_string(), "`hidden`: applies only to mlp, not to softmax");
    }
}
