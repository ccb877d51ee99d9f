//! A model on a dataset as the engine sees it.

use super::config::{MAX_PARAMS, ModelConfig, ModelKind};
use super::head::Labels;
use super::network::{Network, Rows, Totals};
use crate::data::{DataError, Dataset, DatasetConfig, PreparedData, Standardizer, Target, streams};
use crate::objective::{Objective, Validation};
use ndarray::{Array1, ArrayView1, ArrayViewMut1};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A model, its training data and its validation data.
#[derive(Clone, Debug)]
pub struct ModelObjective {
    model: ModelConfig,
    pub(super) network: Network,
    data: PreparedData,
    dataset_name: String,
}

/// Loads and prepares the dataset (from `master_seed`), checks that it suits
/// the model, and builds the objective.
pub fn build_model_objective(
    model: &ModelConfig,
    data: &DatasetConfig,
    master_seed: u64,
) -> Result<ModelObjective, DataError> {
    model.validate()?;
    let prepared = data.prepare(model.kind.target_kind(), master_seed)?;
    ModelObjective::new(model, prepared, data.name())
}

impl ModelObjective {
    /// A model on already prepared data.
    pub fn new(model: &ModelConfig, data: PreparedData, dataset_name: String) -> Result<ModelObjective, DataError> {
        model.validate()?;
        let mut model = model.clone();
        model.resolve_defaults();
        let train = &data.train;
        let mismatch = |message: String| Err(DataError::config("kind", message));
        let n_out = match (model.kind, train.n_classes()) {
            (ModelKind::Linear, None) => 1,
            (ModelKind::Linear, Some(k)) => {
                return mismatch(format!(
                    "linear regression needs a numeric target; {dataset_name} has {k} classes (use logistic, softmax or mlp)"
                ));
            }
            (ModelKind::Logistic, Some(2)) => 1,
            (ModelKind::Logistic, Some(k)) => {
                return mismatch(format!("logistic regression needs 2 classes; {dataset_name} has {k} (use softmax)"));
            }
            (ModelKind::Logistic | ModelKind::Softmax, None) => {
                return mismatch(format!(
                    "{} needs class labels; {dataset_name} has a numeric target (use linear or mlp)",
                    model.describe()
                ));
            }
            (ModelKind::Softmax | ModelKind::Mlp, Some(k)) => k,
            (ModelKind::Mlp, None) => 1,
        };
        let network = Network::new(train.n_features(), &model.hidden, n_out, model.activation);
        // Checked without overflow: widths are at most 100 000 each.
        let too_big = network
            .layers
            .iter()
            .try_fold(0usize, |acc, l| l.fan_in.checked_mul(l.fan_out).and_then(|w| acc.checked_add(w + l.fan_out)));
        if too_big.is_none_or(|dim| dim > MAX_PARAMS) {
            return Err(DataError::config(
                "hidden",
                format!("the model would have more than {MAX_PARAMS} parameters; use narrower layers"),
            ));
        }
        Ok(ModelObjective { model, network, data, dataset_name })
    }

    /// The model's settings, every default filled in.
    pub fn model(&self) -> &ModelConfig {
        &self.model
    }

    /// The training samples (standardised when asked).
    pub fn train(&self) -> &Dataset {
        &self.data.train
    }

    /// The validation samples, when `val_fraction` > 0.
    pub fn validation_set(&self) -> Option<&Dataset> {
        self.data.validation.as_ref()
    }

    /// The training statistics used to standardise, when `standardize` is on.
    pub fn standardizer(&self) -> Option<&Standardizer> {
        self.data.standardizer.as_ref()
    }

    /// Number of outputs (logits) of the model.
    pub fn n_outputs(&self) -> usize {
        self.network.n_out()
    }

    /// Mean loss (no penalty) and accuracy (classification) on the training samples.
    pub fn train_metrics(&self, x: ArrayView1<f64>) -> Validation {
        self.metrics(x, &self.data.train)
    }

    fn metrics(&self, x: ArrayView1<f64>, data: &Dataset) -> Validation {
        let t = with_slice(x, |p| self.network.run(p, data.features.view(), labels(data), Rows::All, None));
        Validation {
            loss: t.loss_sum / t.count as f64,
            accuracy: data.is_classification().then(|| t.correct as f64 / t.count as f64),
        }
    }

    fn penalty(&self, params: &[f64]) -> f64 {
        if self.model.l2 == 0.0 { 0.0 } else { self.model.l2 * self.network.half_weight_norm2(params) }
    }

    fn loss_and_gradient(&self, params: &[f64], batch: Option<&[usize]>, grad: &mut [f64]) -> f64 {
        grad.fill(0.0);
        let train = &self.data.train;
        let rows = batch.map_or(Rows::All, Rows::Indices);
        let n = batch.map_or(train.len(), <[usize]>::len);
        let Totals { loss_sum, .. } = if n == 0 {
            Totals::default()
        } else {
            let scale = 1.0 / n as f64;
            self.network.run(params, train.features.view(), labels(train), rows, Some((grad, scale)))
        };
        if self.model.l2 != 0.0 {
            self.network.add_weight_decay(params, self.model.l2, grad);
        }
        let mean = if n == 0 { 0.0 } else { loss_sum / n as f64 };
        mean + self.penalty(params)
    }
}

fn labels(data: &Dataset) -> Labels<'_> {
    match &data.target {
        Target::Classes { ids, .. } => Labels::Classes(ids),
        // A regression target is an owned, contiguous Array1 (built by collect or from_vec).
        Target::Regression(y) => Labels::Values(y.as_slice().expect("contiguous regression targets")),
    }
}

/// Runs `f` on the parameters as one slice, copying them if the view is strided.
fn with_slice<R>(x: ArrayView1<f64>, f: impl FnOnce(&[f64]) -> R) -> R {
    match x.as_slice() {
        Some(s) => f(s),
        None => f(&x.to_vec()),
    }
}

impl Objective for ModelObjective {
    fn describe(&self) -> String {
        format!("{} on {}", self.model.describe(), self.dataset_name)
    }

    fn dim(&self) -> usize {
        self.network.dim
    }

    fn loss(&self, x: ArrayView1<f64>) -> f64 {
        with_slice(x, |p| {
            let train = &self.data.train;
            let t = self.network.run(p, train.features.view(), labels(train), Rows::All, None);
            t.loss_sum / t.count as f64 + self.penalty(p)
        })
    }

    /// Mean loss over `batch` (all training samples when `None`) plus the
    /// penalty, and its gradient. An empty batch gives the penalty alone.
    /// Indices must be below `train_size`.
    fn batch_loss_and_gradient(
        &self,
        x: ArrayView1<f64>,
        batch: Option<&[usize]>,
        mut grad: ArrayViewMut1<f64>,
    ) -> f64 {
        with_slice(x, |p| match grad.as_slice_mut() {
            Some(g) => self.loss_and_gradient(p, batch, g),
            None => {
                let mut g = vec![0.0; p.len()];
                let loss = self.loss_and_gradient(p, batch, &mut g);
                grad.assign(&ArrayView1::from(&g));
                loss
            }
        })
    }

    fn train_size(&self) -> Option<usize> {
        Some(self.data.train.len())
    }

    fn validation(&self, x: ArrayView1<f64>) -> Option<Validation> {
        self.data.validation.as_ref().map(|v| self.metrics(x, v))
    }

    /// Weights drawn with the model's `init` from ChaCha8 seeded by `seed`
    /// (stream [`streams::INIT`]), layer by layer; biases 0.
    fn initial_params(&self, seed: u64) -> Array1<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(streams::INIT);
        let mut params = vec![0.0; self.network.dim];
        let init = self.model.init();
        for l in &self.network.layers {
            init.fill(&mut params[l.offset..l.offset + l.fan_in * l.fan_out], l.fan_in, l.fan_out, &mut rng);
        }
        Array1::from(params)
    }

    fn is_classification(&self) -> bool {
        self.data.train.is_classification()
    }
}
