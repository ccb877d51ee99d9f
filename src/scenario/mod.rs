//! Scenario files: TOML in, a typed and validated [`Scenario`] out, and back
//! to TOML with every default written (`optlab check`, `scenario.toml`).

mod bundled;
mod expand;
mod expr;
mod fallback;
mod parse;
mod resolve;
mod run_key;
mod shape;
mod tree;
mod tune;

pub use bundled::{BUNDLED, Bundled, DEFAULT_SCENARIO, find_bundled};
pub use expand::{ComboError, EventError, ExpandedRun, apply_event, check_events, configure, hyper_name, hyper_reason};
pub use fallback::Fallback;
pub use tree::ScenarioError;

mod rank_by;
pub use rank_by::RankBy;

use crate::data::{DataError, DatasetConfig};
use crate::engine::{Event, Lab, RunKey, RunSpec, StopRule};
use crate::objective::expr::{ExprFunction, ExprSpec};
use crate::objective::models::{ModelConfig, build_model_objective};
use crate::objective::{Analytic, FunctionKind, FunctionParams, Objective, TestFunction};
use crate::optim::{Hyper, OptimizerKind, Schedule, ScheduleKind};
use ndarray::Array1;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A validated scenario with every default filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Master seed: the dataset, its split, and run i of `seeds` uses seed + i.
    pub seed: u64,
    /// Updates per run (0 when the budget is `epochs`: each run's own count
    /// is set by [`Scenario::apply_epochs`] once the dataset is loaded).
    pub steps: u64,
    /// Passes over the training set per run, instead of `steps` (models only).
    pub epochs: Option<u64>,
    /// What orders the report's ranking table.
    pub rank_by: RankBy,
    /// Repeats with seeds seed, seed + 1, ...
    pub seeds: u64,
    pub objective: ObjectiveSpec,
    pub stop: StopRule,
    pub optimizers: Vec<OptimizerEntry>,
    pub events: Vec<Event>,
    /// `[objective] write_params`: whether steps.csv has the parameter columns
    /// `x0, x1, ...` (analytic objectives); `None`: up to [`MAX_PARAM_COLUMNS`].
    pub write_params: Option<bool>,
    /// Where the scenario came from (names it in errors; resolves relative paths).
    pub origin: Origin,
    pub locations: KeyLocations,
    /// The `[tune]` table, when the file has one (`optlab tune` uses the defaults otherwise).
    pub tune: Option<crate::tune::TuneConfig>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    File(PathBuf),
    Bundled(&'static str),
}

impl Origin {
    /// How errors name the scenario.
    pub fn display(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Bundled(name) => format!("<bundled:{name}>"),
        }
    }

    /// The folder relative paths inside the scenario are relative to.
    pub fn base_dir(&self) -> PathBuf {
        match self {
            Origin::File(p) => p.parent().map(Path::to_path_buf).unwrap_or_default(),
            Origin::Bundled(_) => PathBuf::from("."),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjectiveSpec {
    Function {
        kind: FunctionKind,
        params: FunctionParams,
        /// The start point (the function's default when the file gives none).
        start: Vec<f64>,
        /// Standard deviation of Gaussian noise added to each gradient.
        noise: f64,
        /// `[rows, cols]`: the parameters as one row-major matrix.
        shape: Option<[usize; 2]>,
    },
    /// A typed objective (`kind = "expr"`).
    Expr { spec: ExprSpec, start: Vec<f64>, noise: f64 },
    Model {
        model: ModelConfig,
        dataset: DatasetConfig,
        /// Minibatch size (0: full batch); an entry's `batch_size` overrides it.
        batch_size: usize,
        /// Evaluate the full objective every this many updates.
        eval_every: u64,
    },
}

/// Where the keys of `[objective]` stand in the file, so that errors found
/// when the dataset is loaded can point at their line. Not part of the
/// scenario's value: two scenarios that differ only here are equal.
#[derive(Clone, Debug, Default)]
pub struct KeyLocations {
    file: String,
    keys: Vec<(String, usize, usize)>,
}

impl PartialEq for KeyLocations {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl KeyLocations {
    fn insert(&mut self, source: &tree::Source<'_>, key: &str, node: &tree::Node) {
        let (line, column) = source.line_col(node.span.start);
        self.file = source.file.clone();
        self.keys.push((key.to_string(), line, column));
    }

    /// An error about an event's `step` (the first event at `step` for `run`).
    fn event_error(&self, origin: &Origin, step: u64, run: &str, message: String) -> ScenarioError {
        let suffix = format!(".step={step}@{run}");
        let at = self.keys.iter().find(|(k, _, _)| k.starts_with("event[") && k.ends_with(&suffix));
        let key = at.and_then(|(k, _, _)| k.strip_suffix(&suffix)).map_or("event.step".into(), |k| format!("{k}.step"));
        ScenarioError {
            file: origin.display(),
            line: at.map(|a| a.1),
            column: at.map(|a| a.2),
            key: Some(key),
            message,
        }
    }

    /// An error about `objective.KEY`, at its line when the file has it.
    fn error(&self, origin: &Origin, key: &str, message: String) -> ScenarioError {
        let at = self.keys.iter().find(|(k, _, _)| k == key).or_else(|| {
            // "dataset.samples" not given explicitly: point at the dataset table.
            key.split_once('.').and_then(|(head, _)| self.keys.iter().find(|(k, _, _)| k == head))
        });
        ScenarioError {
            file: origin.display(),
            line: at.map(|a| a.1),
            column: at.map(|a| a.2),
            key: Some(format!("objective.{key}")),
            message,
        }
    }

    /// An error about a key outside `[objective]` (`optimizer[2]`, `event[0]`),
    /// at its line when the scenario was read from text.
    fn error_at(&self, origin: &Origin, key: &str, message: String) -> ScenarioError {
        let at = self.keys.iter().find(|(k, _, _)| k == key);
        ScenarioError {
            file: origin.display(),
            line: at.map(|a| a.1),
            column: at.map(|a| a.2),
            key: Some(key.to_string()),
            message,
        }
    }
}

/// One `[[optimizer]]` entry: one run per sweep combination and seed.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizerEntry {
    pub kind: OptimizerKind,
    /// The entry's label, unique in the scenario (sweeps append `key=value`).
    pub label: String,
    /// Every hyperparameter, in catalog order.
    pub hyper: Vec<(String, Hyper)>,
    /// Swept hyperparameters in file order; the cartesian product of their values.
    pub sweep: Vec<(String, Vec<Hyper>)>,
    pub schedule: Schedule,
    /// Overrides the objective's batch size for this entry (models).
    pub batch_size: Option<usize>,
    /// The optimizer of the non-matrix tensors (matrix-aware kinds).
    pub fallback: Option<Fallback>,
    /// The entry's search space for `optlab tune`, in file order (empty: the default space).
    pub tune: crate::tune::SearchSpace,
}

impl OptimizerEntry {
    pub fn get(&self, name: &str) -> Option<Hyper> {
        self.hyper.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// The sweep's combinations, each a list of (name, value), in order (the last key varies fastest).
    pub fn combinations(&self) -> Vec<Vec<(String, Hyper)>> {
        let mut combos: Vec<Vec<(String, Hyper)>> = vec![vec![]];
        for (name, values) in &self.sweep {
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.push((name.clone(), *v));
                        c
                    })
                })
                .collect();
        }
        combos
    }

    /// The run labels of one combination: the entry's label, then ` key=value` per swept key.
    pub fn run_label(&self, combination: &[(String, Hyper)]) -> String {
        let mut label = self.label.clone();
        for (name, value) in combination {
            label.push_str(&format!(" {name}={}", fmt_hyper(*value)));
        }
        label
    }
}

/// A number as a person writes it: `0.001`, `1e-5`, `250`.
pub fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 || (1e-4..1e6).contains(&a) { format!("{x}") } else { format!("{x:e}") }
}

pub fn fmt_hyper(h: Hyper) -> String {
    match h {
        Hyper::Float(x) => fmt_num(x),
        Hyper::Bool(b) => b.to_string(),
        Hyper::Choice(c) => c.to_string(),
    }
}

/// steps.csv has a column per parameter (`x0, x1, ...`) for analytic
/// objectives of up to this many parameters, unless `[objective]
/// write_params` says otherwise.
pub const MAX_PARAM_COLUMNS: usize = 32;

/// The most parameters an analytic objective may have (`dim`): 80 MB a vector.
pub const MAX_DIM: u64 = 10_000_000;

/// The most runs (sweep combinations × seeds, over every entry) in a scenario.
pub const MAX_RUNS: u64 = 100_000;

/// The largest scenario file read.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// A scenario that is not UTF-8, located at its first bad byte.
fn not_utf8(file: &str, bytes: &[u8], e: std::str::Utf8Error) -> LoadError {
    let good = &bytes[..e.valid_up_to()];
    let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
    LoadError::Invalid(ScenarioError {
        file: file.to_string(),
        line: Some(line),
        column: Some(column),
        key: None,
        message: "not valid UTF-8 (a scenario file must be UTF-8 text)".into(),
    })
}

/// A scenario error, or a failure to read the file at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Invalid(#[from] ScenarioError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(
        "`{0}` is neither a scenario file nor a bundled scenario (bundled: {list}; see `optlab list scenarios`)",
        list = BUNDLED.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
    )]
    NotFound(String),
}

impl Scenario {
    /// Parse and validate a scenario's text.
    pub fn parse(text: &str, origin: Origin) -> Result<Scenario, ScenarioError> {
        parse::parse(text, origin)
    }

    /// A scenario file, or a bundled scenario by name (`rosenbrock`).
    pub fn load(name_or_path: &str) -> Result<Scenario, LoadError> {
        let path = Path::new(name_or_path);
        let io = |message: &str| LoadError::Io {
            path: name_or_path.to_string(),
            source: std::io::Error::other(message.to_string()),
        };
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                if meta.len() > MAX_SCENARIO_BYTES {
                    return Err(io(&format!(
                        "is {} bytes; a scenario file is at most {MAX_SCENARIO_BYTES} bytes",
                        meta.len()
                    )));
                }
                let bytes =
                    std::fs::read(path).map_err(|source| LoadError::Io { path: name_or_path.to_string(), source })?;
                let text =
                    String::from_utf8(bytes).map_err(|e| not_utf8(name_or_path, e.as_bytes(), e.utf8_error()))?;
                return Ok(Scenario::parse(&text, Origin::File(path.to_path_buf()))?);
            }
            Ok(meta) if meta.is_dir() => return Err(io("is a folder; give a scenario file (.toml)")),
            // A FIFO or a device would block or never end: not read.
            Ok(_) => {
                return Err(io("is not a regular file (a FIFO, a device or a socket); give a scenario file (.toml)"));
            }
            Err(_) => {}
        }
        if let Some(b) = find_bundled(name_or_path) {
            return Ok(Scenario::parse(b.text, Origin::Bundled(b.name))?);
        }
        if path.extension().is_some_and(|e| e == "toml") || name_or_path.contains('/') {
            return Err(LoadError::Io {
                path: name_or_path.to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            });
        }
        Err(LoadError::NotFound(crate::text::clip(name_or_path, crate::text::MAX_NAME)))
    }

    /// The resolved scenario as TOML: every default written out; parsing it
    /// gives this scenario back.
    pub fn to_toml(&self) -> String {
        resolve::to_toml(self)
    }

    /// Build the objective.
    pub fn build_objective(&self) -> Result<Arc<dyn Objective>, ScenarioError> {
        match &self.objective {
            ObjectiveSpec::Function { kind, params, start, shape, .. } => {
                let f = kind.build(params).map_err(|e| ScenarioError {
                    file: self.origin.display(),
                    line: None,
                    column: None,
                    key: Some(format!("objective.{}", e.key)),
                    message: e.message,
                })?;
                let analytic = Analytic::new(f, Some(Array1::from(start.clone())));
                Ok(Arc::new(match shape {
                    Some([rows, cols]) => analytic.with_shape(*rows, *cols),
                    None => analytic,
                }))
            }
            ObjectiveSpec::Expr { start, .. } => {
                Ok(Arc::new(Analytic::new(self.build_function()?, Some(Array1::from(start.clone())))))
            }
            ObjectiveSpec::Model { model, dataset, .. } => match build_model_objective(model, dataset, self.seed) {
                Ok(objective) => Ok(Arc::new(objective)),
                Err(DataError::Config { key, message }) => Err(self.locations.error(&self.origin, key, message)),
                // CSV and I/O errors name the data file, its row and column.
                Err(other) => Err(ScenarioError {
                    file: self.origin.display(),
                    line: None,
                    column: None,
                    key: Some("objective.dataset".into()),
                    message: other.to_string(),
                }),
            },
        }
    }

    /// The analytic function of the objective (an error for models).
    pub fn build_function(&self) -> Result<Box<dyn TestFunction>, ScenarioError> {
        let error = |key: &str, message: String| ScenarioError {
            file: self.origin.display(),
            line: None,
            column: None,
            key: Some(format!("objective.{key}")),
            message,
        };
        match &self.objective {
            ObjectiveSpec::Function { kind, params, .. } => kind.build(params).map_err(|e| error(e.key, e.message)),
            // Checked when the scenario was parsed; built again from the same text.
            ObjectiveSpec::Expr { spec, start, .. } => ExprFunction::new(spec.clone(), Some(start))
                .map(|f| Box::new(f) as Box<dyn TestFunction>)
                .map_err(|e| error("f", e.to_string())),
            ObjectiveSpec::Model { .. } => Err(error("kind", "a model is not an analytic function".into())),
        }
    }

    /// Every run: per entry, per sweep combination, per seed, in that order.
    /// Each combination goes through the checked expansion and each run's
    /// events are replayed against its optimizer, so a scenario put together in
    /// code (a saved session) is held to the rules a parsed one is.
    pub fn run_specs(&self, _dim: usize) -> Result<Vec<RunSpec>, ScenarioError> {
        let (noise, eval_every, objective_batch) = match &self.objective {
            ObjectiveSpec::Function { noise, .. } | ObjectiveSpec::Expr { noise, .. } => (*noise, 1, None),
            ObjectiveSpec::Model { batch_size, eval_every, .. } => (0.0, *eval_every, Some(*batch_size)),
        };
        let keys = self.run_keys();
        let mut specs = Vec::new();
        for (entry_index, entry) in self.optimizers.iter().enumerate() {
            let runs = entry.expand().map_err(|e| {
                let key = if entry.sweep.is_empty() {
                    format!("optimizer[{entry_index}]")
                } else {
                    format!("optimizer[{entry_index}].sweep")
                };
                self.locations.error_at(&self.origin, &key, e.to_string())
            })?;
            for run in runs {
                let events: Vec<(usize, &Event)> =
                    self.events.iter().enumerate().filter(|(_, e)| entry.event_applies(e, &run.label)).collect();
                check_events(run.optimizer.as_ref(), events.iter().copied()).map_err(|e| {
                    self.locations.error_at(&self.origin, &format!("event[{}]", e.index), e.to_string())
                })?;
                let events: Vec<Event> = events.into_iter().map(|(_, e)| e.clone()).collect();
                // Fresh state for the objective's layout comes when the run starts (Run::new).
                let optimizer = run.optimizer;
                for i in 0..self.seeds {
                    specs.push(RunSpec {
                        label: run.label.clone(),
                        entry: entry_index,
                        optimizer: optimizer.clone(),
                        schedule: entry.schedule.clone(),
                        seed: self.seed.wrapping_add(i),
                        batch_size: entry.batch_size.or(objective_batch).filter(|&b| b > 0),
                        noise,
                        eval_every,
                        steps: self.steps,
                        events: events.clone(),
                        // run_keys walks the runs in this same order.
                        key: keys[specs.len()],
                    });
                }
            }
        }
        Ok(specs)
    }

    /// The `run_id` of every run, in run order: a hash of the run's resolved
    /// configuration that stays the same when other runs are added.
    pub fn run_keys(&self) -> Vec<RunKey> {
        run_key::run_keys(self)
    }

    /// The objective and every run at its start.
    pub fn build_lab(&self) -> Result<Lab, ScenarioError> {
        let objective = self.build_objective()?;
        let mut specs = self.run_specs(objective.dim())?;
        self.apply_epochs(&mut specs, objective.train_size())?;
        Ok(Lab::new(objective, specs, self.stop.clone()))
    }

    /// With an `epochs` budget, each run's updates: `epochs` passes over the
    /// `train_size` training samples in its own minibatches (the last one of
    /// a pass may be smaller), so runs with different batch sizes see the
    /// same data as often. A cosine schedule without `t_max` spans the run;
    /// `eval_every` is capped at one pass.
    /// An event set after a run's last update is an error naming the run.
    pub fn apply_epochs(&self, specs: &mut [RunSpec], train_size: Option<usize>) -> Result<(), ScenarioError> {
        let (Some(epochs), Some(n)) = (self.epochs, train_size) else { return Ok(()) };
        for spec in specs.iter_mut() {
            let batch = spec.batch_size.filter(|_| spec.optimizer.kind() != OptimizerKind::Gd);
            spec.steps = epochs_to_steps(epochs, n, batch);
            // At least one evaluation per epoch, so that full-batch runs (one
            // update per epoch) still draw a curve on the epoch axis.
            spec.eval_every = spec.eval_every.clamp(1, epochs_to_steps(1, n, batch));
            if let ScheduleKind::Cosine { t_max: t_max @ 0, .. } = &mut spec.schedule.kind {
                *t_max = spec.steps;
            }
            if let Some(e) = spec.events.iter().find(|e| e.step >= spec.steps) {
                let message = format!(
                    "{} is not before the last update of {}, which makes {} updates ({epochs} epochs × {})",
                    e.step,
                    spec.label,
                    spec.steps,
                    spec.steps / epochs
                );
                return Err(self.locations.event_error(&self.origin, e.step, &e.run, message));
            }
        }
        Ok(())
    }

    /// Every run label, in run order (without repeats for seeds).
    pub fn run_labels(&self) -> Vec<String> {
        self.optimizers.iter().flat_map(|e| e.combinations().into_iter().map(|c| e.run_label(&c))).collect()
    }

    /// How many parameter columns steps.csv has for an objective of `dim`
    /// parameters: every one for analytic objectives up to
    /// [`MAX_PARAM_COLUMNS`], or as `write_params` says; none for models.
    pub fn param_columns(&self, dim: usize) -> usize {
        match (&self.objective, self.write_params) {
            (ObjectiveSpec::Model { .. }, _) | (_, Some(false)) => 0,
            (_, Some(true)) => dim,
            (_, None) if dim <= MAX_PARAM_COLUMNS => dim,
            _ => 0,
        }
    }

    /// How many runs (sweep combinations × seeds over all entries).
    pub fn run_count(&self) -> usize {
        self.run_labels().len() * self.seeds as usize
    }
}

/// Updates in `epochs` passes over `n` samples in batches of `batch` (full batch when `None`).
pub fn epochs_to_steps(epochs: u64, n: usize, batch: Option<usize>) -> u64 {
    let per_epoch = match batch {
        Some(b) if b > 0 && b < n => n.div_ceil(b) as u64,
        _ => 1,
    };
    epochs.saturating_mul(per_epoch)
}

#[cfg(test)]
mod epochs_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(text: &str) -> Scenario {
        Scenario::parse(text, Origin::Bundled("test")).unwrap_or_else(|e| panic!("{e}"))
    }

    const HEAD: &str = "name = \"t\"\n[objective]\nkind = \"rosenbrock\"\n";

    #[test]
    fn defaults_are_pytorchs_and_the_contracts() {
        let s = parse(&format!("{HEAD}[[optimizer]]\nkind = \"adam\"\n"));
        assert_eq!((s.seed, s.steps, s.seeds), (0, 1000, 1));
        assert_eq!(s.stop, StopRule::default());
        let adam = &s.optimizers[0];
        assert_eq!(adam.label, "adam");
        assert_eq!(adam.get("lr"), Some(Hyper::Float(1e-3)));
        assert_eq!(adam.get("beta2"), Some(Hyper::Float(0.999)));
        assert_eq!(adam.get("amsgrad"), Some(Hyper::Bool(false)));
        let ObjectiveSpec::Function { start, noise, .. } = &s.objective else {
            panic!("expected a function, got {:?}", s.objective);
        };
        assert_eq!(start, &vec![-1.5, 2.0]);
        assert_eq!(*noise, 0.0);
    }

    #[test]
    fn default_labels_name_the_hyperparameters_that_differ() {
        let s = parse(&format!(
            "{HEAD}[[optimizer]]\nkind = \"sgd\"\nlr = 0.01\n[[optimizer]]\nkind = \"sgd\"\nlr = 0.1\nmomentum = 0.9\n\
             [[optimizer]]\nkind = \"adam\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"mine\"\n"
        ));
        let labels: Vec<&str> = s.optimizers.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["sgd lr=0.01 momentum=0", "sgd lr=0.1 momentum=0.9", "adam", "mine"]);
    }

    #[test]
    fn identical_entries_are_numbered() {
        let s = parse(&format!("{HEAD}[[optimizer]]\nkind = \"sgd\"\n[[optimizer]]\nkind = \"sgd\"\n"));
        let labels: Vec<&str> = s.optimizers.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["sgd", "sgd #2"]);
    }

    #[test]
    fn sweeps_are_a_cartesian_product_with_the_last_key_fastest() {
        let s = parse(&format!(
            "seeds = 2\n{HEAD}[[optimizer]]\nkind = \"adam\"\nlabel = \"Adam\"\nsweep = {{ lr = [0.1, 0.01], beta1 = [0.8, 0.9] }}\n"
        ));
        assert_eq!(
            s.run_labels(),
            ["Adam lr=0.1 beta1=0.8", "Adam lr=0.1 beta1=0.9", "Adam lr=0.01 beta1=0.8", "Adam lr=0.01 beta1=0.9"]
        );
        assert_eq!(s.run_count(), 8);
        let specs = s.run_specs(2).unwrap();
        assert_eq!(specs.len(), 8);
        assert_eq!(specs[2].optimizer.get("beta1"), Some(Hyper::Float(0.9)));
        assert_eq!(specs[2].optimizer.get("lr"), Some(Hyper::Float(0.1)));
        assert_eq!((specs[2].seed, specs[3].seed), (0, 1));
    }

    #[test]
    fn an_event_on_a_swept_entry_applies_to_all_its_runs() {
        let s = parse(&format!(
            "steps = 10\n{HEAD}[[optimizer]]\nkind = \"sgd\"\nlabel = \"S\"\nsweep = {{ lr = [0.1, 0.2] }}\n\
             [[event]]\nstep = 3\nrun = \"S\"\nmomentum = 0.5\n[[event]]\nstep = 4\nrun = \"S lr=0.2\"\nlr = 0.3\n"
        ));
        let specs = s.run_specs(2).unwrap();
        assert_eq!(specs[0].events.len(), 1);
        assert_eq!(specs[1].events.len(), 2);
    }

    #[test]
    fn every_run_carries_the_settings_its_label_names() {
        // Keys in any order: the entry is checked as a whole.
        let s = parse(&format!(
            "{HEAD}[[optimizer]]\nkind = \"sgd\"\nlabel = \"S\"\nnesterov = true\nmomentum = 0.9\n\
             sweep = {{ momentum = [0.5, 0.9], weight_decay = [0, 0.1] }}\n"
        ));
        let specs = s.run_specs(2).unwrap();
        assert_eq!(specs.len(), 4);
        for spec in &specs {
            assert_eq!(spec.optimizer.get("nesterov"), Some(Hyper::Bool(true)));
            for (name, value) in
                s.optimizers[0].combinations()[specs.iter().position(|x| x.label == spec.label).unwrap()].iter()
            {
                assert_eq!(spec.optimizer.get(name), Some(*value), "{}", spec.label);
            }
        }
    }

    #[test]
    fn a_scenario_built_in_code_is_checked_too() {
        let mut s = parse(&format!("{HEAD}[[optimizer]]\nkind = \"sgd\"\nmomentum = 0.9\n"));
        s.optimizers[0].sweep =
            vec![("nesterov".into(), vec![Hyper::Bool(true)]), ("dampening".into(), vec![Hyper::Float(0.5)])];
        let e = s.run_specs(2).err().expect("an invalid combination");
        assert!(e.to_string().contains("nesterov"), "{e}");
        assert!(s.build_lab().is_err());
    }

    #[test]
    fn the_resolved_form_parses_back_to_the_same_scenario() {
        for b in BUNDLED {
            let s = Scenario::parse(b.text, Origin::Bundled(b.name)).unwrap();
            let again = Scenario::parse(&s.to_toml(), Origin::Bundled(b.name)).unwrap();
            assert_eq!(s, again, "{}", b.name);
        }
    }

    proptest! {
        #[test]
        fn run_labels_are_unique(
            lrs in proptest::collection::btree_set(1u32..1000, 1..5),
            momenta in proptest::collection::btree_set(0u32..10, 1..4),
            entries in 1usize..4,
            explicit in proptest::bool::ANY,
        ) {
            let lr_list = lrs.iter().map(|v| format!("{}", *v as f64 * 1e-4)).collect::<Vec<_>>().join(", ");
            let m_list = momenta.iter().map(|v| format!("{}", *v as f64 / 10.0)).collect::<Vec<_>>().join(", ");
            let mut text = HEAD.to_string();
            for i in 0..entries {
                text.push_str("[[optimizer]]\nkind = \"sgd\"\n");
                if explicit {
                    text.push_str(&format!("label = \"run {i}\"\n"));
                }
                text.push_str(&format!("sweep = {{ lr = [{lr_list}], momentum = [{m_list}] }}\n"));
            }
            let s = parse(&text);
            let labels = s.run_labels();
            prop_assert_eq!(labels.len(), entries * lrs.len() * momenta.len());
            let unique: std::collections::BTreeSet<&String> = labels.iter().collect();
            prop_assert_eq!(unique.len(), labels.len());
        }
    }
}
