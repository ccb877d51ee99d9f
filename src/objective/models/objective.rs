//! A model on a dataset as the engine sees it.

use super::config::{MAX_PARAMS, ModelConfig, ModelKind};
use super::head::Labels;
use super::network::{Network, Rows, Totals};
use crate::data::{DataError, Dataset, DatasetConfig, PreparedData, Standardizer, Target, streams};
use crate::objective::{Objective, Validation};
use crate::optim::Layout;
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
        // Widths are at most 100,000 and features a CSV's columns, so the
        // count itself cannot overflow a 64-bit usize.
        if network.dim > MAX_PARAMS {
            return Err(DataError::config(
                "hidden",
                format!("the model would have {} parameters, more than {MAX_PARAMS}; use narrower layers", network.dim),
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
        let train = &self.data.train;
        let rows = batch.map_or(Rows::All, Rows::Indices);
        let n = batch.map_or(train.len(), <[usize]>::len);
        // `run` writes the whole gradient (zeros for an empty batch).
        let scale = if n == 0 { 0.0 } else { 1.0 / n as f64 };
        let Totals { loss_sum, .. } =
            self.network.run(params, train.features.view(), labels(train), rows, Some((grad, scale)));
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

    /// Per layer `l`: `layers.l.weight` (out, in) and `layers.l.bias` (out), as
    /// PyTorch names an `nn.Sequential` of `nn.Linear`s.
    fn layout(&self) -> Layout {
        self.network.layout()
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
    ///
    /// A layer's values are drawn input-major (all the weights leaving input
    /// 0, then input 1, ...) and stored transposed in the `fan_out × fan_in`
    /// layout: the draw order is the one optlab has always used, so a seed
    /// gives the same network it gave before the layout followed PyTorch's.
    fn initial_params(&self, seed: u64) -> Array1<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(streams::INIT);
        let mut params = vec![0.0; self.network.dim];
        let init = self.model.init();
        let mut drawn = Vec::new();
        for l in &self.network.layers {
            drawn.clear();
            drawn.resize(l.fan_in * l.fan_out, 0.0);
            init.fill(&mut drawn, l.fan_in, l.fan_out, &mut rng);
            let w = &mut params[l.offset..l.offset + l.fan_in * l.fan_out];
            for i in 0..l.fan_in {
                for o in 0..l.fan_out {
                    w[o * l.fan_in + i] = drawn[i * l.fan_out + o];
                }
            }
        }
        Array1::from(params)
    }

    fn as_model(&self) -> Option<&ModelObjective> {
        Some(self)
    }

    fn is_classification(&self) -> bool {
        self.data.train.is_classification()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::DatasetSource;
    use crate::objective::models::{Activation, Init};
    use crate::optim::{Hyper, OptimizerKind};
    use std::io::Write;

    fn build(kind: ModelKind, dataset: &str) -> Result<ModelObjective, DataError> {
        build_model_objective(&ModelConfig::new(kind), &DatasetConfig::builtin(dataset), 0)
    }

    #[test]
    fn models_and_datasets_that_do_not_fit_say_why() {
        let err = |kind, data| build(kind, data).unwrap_err().to_string();
        assert_eq!(
            err(ModelKind::Logistic, "iris"),
            "`kind`: logistic regression needs 2 classes; iris has 3 (use softmax)"
        );
        assert_eq!(
            err(ModelKind::Linear, "moons"),
            "`kind`: linear regression needs a numeric target; moons has 2 classes (use logistic, softmax or mlp)"
        );
        assert_eq!(
            err(ModelKind::Softmax, "diabetes"),
            "`kind`: softmax regression needs class labels; diabetes has a numeric target (use linear or mlp)"
        );
        assert_eq!(build(ModelKind::Mlp, "diabetes").unwrap().n_outputs(), 1);
        assert_eq!(build(ModelKind::Mlp, "iris").unwrap().n_outputs(), 3);
        assert_eq!(build(ModelKind::Mlp, "moons").unwrap().n_outputs(), 2);
        assert_eq!(build(ModelKind::Softmax, "breast_cancer").unwrap().n_outputs(), 2);
        assert_eq!(build(ModelKind::Logistic, "breast_cancer").unwrap().dim(), 31);
    }

    #[test]
    fn a_csv_target_is_read_as_the_model_needs() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "a,b,label\n1,5,2\n2,5,0\n3,5,2\n4,5,0\n5,5,2").unwrap();
        let data = DatasetConfig { val_fraction: 0.0, ..DatasetConfig::csv(f.path()) };
        let logistic = build_model_objective(&ModelConfig::new(ModelKind::Logistic), &data, 0).unwrap();
        assert!(logistic.is_classification());
        assert_eq!(
            logistic.train().target,
            Target::Classes { ids: vec![1, 0, 1, 0, 1], names: vec!["0".into(), "2".into()] }
        );
        // Constant column `b`: centred to 0, no NaN.
        assert!(logistic.train().features.column(1).iter().all(|&v| v == 0.0));
        let linear = build_model_objective(&ModelConfig::new(ModelKind::Linear), &data, 0).unwrap();
        assert!(!linear.is_classification());
        let mlp = build_model_objective(&ModelConfig::new(ModelKind::Mlp), &data, 0).unwrap();
        assert_eq!(mlp.n_outputs(), 1);
        let x = linear.initial_params(0);
        assert!(linear.loss(x.view()).is_finite());
    }

    #[test]
    fn oversized_models_are_refused_before_allocating() {
        let model = ModelConfig { hidden: vec![100_000, 100_000], ..ModelConfig::new(ModelKind::Mlp) };
        let e = build_model_objective(&model, &DatasetConfig::builtin("xor"), 0).unwrap_err();
        assert_eq!(e.key(), Some("hidden"));
        assert!(e.to_string().contains("10000600002 parameters"), "{e}");
    }

    #[test]
    fn runs_with_the_same_seed_start_from_the_same_parameters() {
        let model = ModelConfig { activation: Activation::Tanh, ..ModelConfig::new(ModelKind::Mlp) };
        let data = DatasetConfig::builtin("spirals");
        let a = build_model_objective(&model, &data, 5).unwrap();
        let b = build_model_objective(&model, &data, 5).unwrap();
        assert_eq!(a.initial_params(3), b.initial_params(3));
        assert_ne!(a.initial_params(3), a.initial_params(4));
        // The initial point depends on the run's seed only, not on the master seed.
        let other_master = build_model_objective(&model, &data, 6).unwrap();
        assert_eq!(a.initial_params(3), other_master.initial_params(3));
        assert_eq!(a.model().init, Some(Init::Xavier));
        let x = a.initial_params(3);
        let biases = &a.network.layers[0];
        let b0 = biases.offset + biases.fan_in * biases.fan_out;
        assert!(x.slice(ndarray::s![b0..b0 + biases.fan_out]).iter().all(|&v| v == 0.0));
        let logistic = build(ModelKind::Logistic, "moons").unwrap();
        assert!(logistic.initial_params(9).iter().all(|&v| v == 0.0));
    }

    #[test]
    fn validation_reports_loss_without_penalty_and_accuracy() {
        let model = ModelConfig { l2: 0.5, init: Some(Init::Xavier), ..ModelConfig::new(ModelKind::Softmax) };
        let f = build_model_objective(&model, &DatasetConfig::builtin("iris"), 1).unwrap();
        let x = f.initial_params(2);
        let v = f.validation(x.view()).unwrap();
        let set = f.validation_set().unwrap();
        assert_eq!(set.len(), 30);
        let acc = v.accuracy.unwrap();
        assert!((0.0..=1.0).contains(&acc) && (acc * 30.0).fract() == 0.0);
        // The training loss carries the penalty, the training metrics do not.
        let penalty = f.loss(x.view()) - f.train_metrics(x.view()).loss;
        let weights = x.slice(ndarray::s![..12]);
        assert!((penalty - 0.25 * weights.dot(&weights)).abs() < 1e-12);
        let regression = build(ModelKind::Linear, "linear").unwrap();
        let v = regression.validation(regression.initial_params(0).view()).unwrap();
        assert_eq!(v.accuracy, None);
        assert!(v.loss > 0.0);
        let all = DatasetConfig { val_fraction: 0.0, ..DatasetConfig::builtin("iris") };
        let f = build_model_objective(&model, &all, 1).unwrap();
        assert!(f.validation(x.view()).is_none());
        assert_eq!(f.train_size(), Some(150));
    }

    #[test]
    fn an_mlp_learns_the_moons() {
        let model = ModelConfig { hidden: vec![16], activation: Activation::Tanh, ..ModelConfig::new(ModelKind::Mlp) };
        let data = DatasetConfig::new(DatasetSource::Builtin {
            name: "moons".into(),
            samples: Some(200),
            noise: Some(0.1),
            classes: None,
            features: None,
        });
        let f = build_model_objective(&model, &data, 0).unwrap();
        let mut opt = OptimizerKind::Adam.build(f.dim());
        opt.set("lr", Hyper::Float(0.05)).unwrap();
        let mut x = f.initial_params(0);
        let mut g = Array1::zeros(f.dim());
        let start = f.loss(x.view());
        for _ in 0..300 {
            f.batch_loss_and_gradient(x.view(), None, g.view_mut());
            opt.step(x.view_mut(), g.view(), 0.05);
        }
        assert!(f.loss(x.view()) < 0.1 * start, "{} from {start}", f.loss(x.view()));
        assert!(f.validation(x.view()).unwrap().accuracy.unwrap() >= 0.95);
        assert_eq!(f.describe(), "mlp 16 tanh on moons");
    }
}
