//! From TOML text to a validated [`Scenario`].

use super::expand::{apply_event, configure, hyper_name};
use super::tree::{self, Node, ScenarioError, Source, TableReader, Value};
use super::{KeyLocations, ObjectiveSpec, OptimizerEntry, Origin, RankBy, Scenario, fmt_hyper};
use crate::data::{DatasetConfig, DatasetSource};
use crate::engine::{Change, Event, StopRule};
use crate::objective::functions::Quadratic;
use crate::objective::models::{Activation, Init, ModelConfig, ModelKind};
use crate::objective::{FunctionKind, FunctionParams};
use crate::optim::{Hyper, HyperSpec, OptimizerKind, Schedule, ScheduleKind};
use std::collections::BTreeMap;

/// The most passes over the training set a scenario may ask for.
const MAX_EPOCHS: u64 = 1_000_000;

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "seed",
    "steps",
    "epochs",
    "seeds",
    "rank_by",
    "objective",
    "stop",
    "optimizer",
    "event",
    "tune",
];
const FUNCTION_KEYS: &[&str] = &["kind", "start", "noise", "dim", "coeffs", "write_params", "shape"];
const STOP_KEYS: &[&str] = &["target_loss", "stop_at_target", "divergence_factor"];
const ENTRY_KEYS: &[&str] = &["kind", "label", "sweep", "schedule", "batch_size", "fallback", "tune"];

pub fn parse(text: &str, origin: Origin) -> Result<Scenario, ScenarioError> {
    let source = Source { file: origin.display(), text };
    let root = tree::parse(&source)?;
    let mut top = TableReader::new(&source, "", &root)?;

    let name = match top.str("name")? {
        Some((s, node)) if s.trim().is_empty() => return Err(top.error(node, "name", "must not be empty")),
        Some((s, _)) => s.to_string(),
        None => return Err(top.error_here("name", "missing (every scenario needs a name)")),
    };
    let description = top.str("description")?.map(|(s, _)| s.to_string()).unwrap_or_default();
    let seed = top.u64("seed")?.map_or(0, |(v, _)| v);
    let steps_node = top.u64("steps")?;
    let epochs_node = top.u64("epochs")?;
    let epochs = match (epochs_node, steps_node) {
        (Some((_, node)), Some(_)) => {
            return Err(top.error(node, "epochs", "give the budget as `steps` or as `epochs`, not both"));
        }
        (Some((0, node)), None) => return Err(top.error(node, "epochs", "must be at least 1")),
        (Some((v, node)), None) if v > MAX_EPOCHS => {
            return Err(top.error(node, "epochs", format!("at most {MAX_EPOCHS}")));
        }
        (Some((v, node)), None) => Some((v, node)),
        (None, _) => None,
    };
    // With `epochs`, each run's number of updates depends on its batch size and
    // is known once the dataset is loaded (`Scenario::apply_epochs`): 0 here.
    let steps = match steps_node {
        Some((0, node)) => return Err(top.error(node, "steps", "must be at least 1")),
        Some((v, _)) => v,
        None if epochs.is_some() => 0,
        None => 1000,
    };
    let seeds = match top.u64("seeds")? {
        Some((0, node)) => return Err(top.error(node, "seeds", "must be at least 1")),
        Some((v, node)) if v > 10_000 => return Err(top.error(node, "seeds", "at most 10000")),
        Some((v, _)) => v,
        None => 1,
    };

    let objective_node = top.required("objective")?;
    let mut locations = KeyLocations::default();
    let (objective, write_params) = parse_objective(&source, objective_node, &origin, &mut locations)?;
    if let (Some((_, node)), ObjectiveSpec::Function { .. } | ObjectiveSpec::Expr { .. }) = (epochs, &objective) {
        return Err(top.error(
            node,
            "epochs",
            "applies to models on a dataset (a pass over the training set); analytic objectives take `steps`",
        ));
    }
    let epochs = epochs.map(|(v, _)| v);
    let rank_by = match top.str("rank_by")? {
        None => RankBy::Loss,
        Some((name, node)) => {
            let Some(rank_by) = RankBy::from_name(name) else {
                return Err(top.error(node, "rank_by", format!("`{name}` is not one of loss, val_loss, val_accuracy")));
            };
            let validation = match &objective {
                ObjectiveSpec::Model { dataset, .. } => dataset.val_fraction > 0.0,
                ObjectiveSpec::Function { .. } | ObjectiveSpec::Expr { .. } => false,
            };
            if rank_by != RankBy::Loss && !validation {
                return Err(top.error(
                    node,
                    "rank_by",
                    format!("`{name}` needs a model with a validation split (val_fraction > 0)"),
                ));
            }
            rank_by
        }
    };

    let stop = match top.take("stop") {
        Some(node) => parse_stop(&source, node)?,
        None => StopRule::default(),
    };

    let entries = match top.take("optimizer") {
        Some(node) => array_of_tables(&source, node, "optimizer")?,
        None => return Err(top.error_here("optimizer", "missing: a scenario needs at least one [[optimizer]]")),
    };
    if entries.is_empty() {
        return Err(top.error_here("optimizer", "a scenario needs at least one [[optimizer]]"));
    }
    let mut optimizers = Vec::new();
    let mut label_nodes = Vec::new();
    for (i, node) in entries.iter().enumerate() {
        let (entry, label_node) = parse_entry(&source, node, i, steps)?;
        optimizers.push(entry);
        label_nodes.push(label_node.unwrap_or(*node));
    }
    assign_labels(&source, &mut optimizers, &label_nodes)?;

    let events = match top.take("event") {
        Some(node) => {
            let tables = array_of_tables(&source, node, "event")?;
            // Each event is checked against the hyperparameters its run has by
            // then (earlier events applied), so they are read in step order.
            let mut order: Vec<usize> = (0..tables.len()).collect();
            order.sort_by_key(|&i| event_step(tables[i]).unwrap_or(u64::MAX));
            let mut probes = BTreeMap::new();
            let mut events = Vec::new();
            for i in order {
                let last = if epochs.is_some() { u64::MAX } else { steps };
                let event = parse_event(&source, tables[i], i, &optimizers, last, &mut probes)?;
                // Checked against each run's length once the dataset is loaded (`epochs`).
                if let Value::Table(entries) = &tables[i].value
                    && let Some(step) = entries.iter().find(|e| e.key == "step")
                {
                    locations.insert(&source, &format!("event[{i}].step={}@{}", event.step, event.run), &step.node);
                }
                events.push(event);
            }
            // Stable: events at one step apply in file order.
            events.sort_by_key(|e: &Event| e.step);
            events
        }
        None => Vec::new(),
    };

    let tune = top.take("tune").map(|n| super::tune::parse_tune(&source, n, steps, &objective, &stop)).transpose()?;
    top.finish(TOP_KEYS)?;
    // Runs are counted before any is made: a sweep of sweeps must not exhaust memory.
    let runs = optimizers
        .iter()
        .map(|e| e.sweep.iter().fold(1u64, |n, (_, v)| n.saturating_mul(v.len() as u64)))
        .fold(0u64, u64::saturating_add)
        .saturating_mul(seeds);
    if runs > super::MAX_RUNS {
        let at = entries.iter().find(|e| matches!(&e.value, Value::Table(t) if t.iter().any(|x| x.key == "sweep")));
        return Err(source.error(
            &at.map_or(0..0, |n| n.span.clone()),
            Some("optimizer"),
            format!("{runs} runs (sweep combinations × seeds); a scenario has at most {}", super::MAX_RUNS),
        ));
    }
    Ok(Scenario {
        name,
        description,
        seed,
        steps,
        epochs,
        rank_by,
        seeds,
        objective,
        stop,
        optimizers,
        events,
        write_params,
        origin,
        locations,
        tune,
    })
}

fn array_of_tables<'t>(source: &Source<'_>, node: &'t Node, key: &str) -> Result<Vec<&'t Node>, ScenarioError> {
    match &node.value {
        Value::Array(items) => {
            for item in items {
                if !matches!(item.value, Value::Table(_)) {
                    return Err(source.error(&item.span, Some(key), format!("expected [[{key}]] tables")));
                }
            }
            Ok(items.iter().collect())
        }
        other => Err(source.error(
            &node.span,
            Some(key),
            format!("expected [[{key}]] (an array of tables), found {}", other.type_name()),
        )),
    }
}

fn parse_objective(
    source: &Source<'_>,
    node: &Node,
    origin: &Origin,
    locations: &mut KeyLocations,
) -> Result<(ObjectiveSpec, Option<bool>), ScenarioError> {
    let mut t = TableReader::new(source, "objective", node)?;
    let write_params = match t.bool("write_params")? {
        Some((_, node)) if ModelKind::from_name(t.str("kind").ok().flatten().map_or("", |k| k.0)).is_some() => {
            return Err(t.error(
                node,
                "write_params",
                "applies only to analytic objectives (models have no parameter columns)",
            ));
        }
        Some((v, _)) => Some(v),
        None => None,
    };
    let (kind_name, kind_node) = match t.str("kind")? {
        Some(k) => k,
        None => return Err(t.error_here("kind", "missing: which objective (see `optlab list objectives`)")),
    };
    if kind_name == "expr" {
        return super::expr::parse_expr_objective(source, t).map(|o| (o, write_params));
    }
    if let Some(model) = ModelKind::from_name(kind_name) {
        locations.insert(source, "kind", kind_node);
        return parse_model(source, t, model, origin, locations).map(|m| (m, write_params));
    }
    let Some(kind) = FunctionKind::from_name(kind_name) else {
        let known: Vec<&str> = FunctionKind::ALL
            .iter()
            .map(|k| k.name())
            .chain(["expr"])
            .chain(ModelKind::ALL.iter().map(|k| k.name()))
            .collect();
        return Err(t.error(
            kind_node,
            "kind",
            format!("unknown objective `{kind_name}`; known: {}", known.join(", ")),
        ));
    };
    let shape = super::shape::read_shape(&mut t)?;
    let dim = match t.u64("dim")? {
        Some((d, node)) if !kind.is_nd() && d as usize != kind.default_dim() => {
            return Err(t.error(node, "dim", format!("{} is {}-D only", kind.name(), kind.default_dim())));
        }
        Some((0, node)) => return Err(t.error(node, "dim", "must be at least 1")),
        Some((d, node)) if d > super::MAX_DIM => {
            return Err(t.error(node, "dim", format!("{d} is too large; at most {}", super::MAX_DIM)));
        }
        Some((d, _)) => Some(d as usize),
        // An N-D function takes its dimension from its shape.
        None => shape.filter(|_| kind.is_nd()).map(|([rows, cols], _)| rows * cols),
    };
    let coeffs = t.f64_array("coeffs")?;
    if let Some((_, node)) = &coeffs
        && !kind.takes_coeffs()
    {
        return Err(t.error(node, "coeffs", format!("{} takes no coeffs", kind.name())));
    }
    let params = FunctionParams { dim, coeffs: coeffs.as_ref().map(|(c, _)| c.clone()) };
    let function = kind.build(&params).map_err(|e| {
        let at = match e.key {
            "coeffs" => coeffs.as_ref().map(|(_, n)| *n),
            _ => None,
        };
        match at {
            Some(node) => t.error(node, e.key, e.message.clone()),
            None => t.error_here(e.key, e.message.clone()),
        }
    })?;
    let dim = function.dim();
    if let Some((dims, node)) = shape {
        super::shape::check_shape(&t, dims, node, dim)?;
    }
    let shape = shape.map(|(dims, _)| dims);
    let start = match t.f64_array("start")? {
        Some((s, node)) => {
            if s.len() != dim {
                return Err(t.error(node, "start", format!("has {} values but the objective is {dim}-D", s.len())));
            }
            if s.iter().any(|v| !v.is_finite()) {
                return Err(t.error(node, "start", "values must be finite"));
            }
            s
        }
        None => function.default_start().to_vec(),
    };
    let noise = match t.f64("noise")? {
        Some((v, node)) if !(v.is_finite() && v >= 0.0) => {
            return Err(t.error(node, "noise", "must be a finite number >= 0"));
        }
        Some((v, _)) => v,
        None => 0.0,
    };
    // Resolved form writes `dim` for N-D functions, `coeffs` for quadratic.
    let params = FunctionParams {
        dim: kind.is_nd().then_some(dim),
        coeffs: params.coeffs.or_else(|| kind.takes_coeffs().then(|| Quadratic::default_coeffs(dim))),
    };
    t.finish(FUNCTION_KEYS)?;
    Ok((ObjectiveSpec::Function { kind, params, start, noise, shape }, write_params))
}

const MODEL_KEYS: &[&str] = &["kind", "dataset", "l2", "batch_size", "eval_every", "init", "hidden", "activation"];
const DATASET_KEYS: &[&str] =
    &["builtin", "csv", "samples", "noise", "classes", "features", "target", "val_fraction", "standardize"];

fn parse_model(
    source: &Source<'_>,
    mut t: TableReader<'_, '_>,
    kind: ModelKind,
    origin: &Origin,
    locations: &mut KeyLocations,
) -> Result<ObjectiveSpec, ScenarioError> {
    let mut model = ModelConfig::new(kind);
    if let Some((l2, node)) = t.f64("l2")? {
        if !(l2.is_finite() && l2 >= 0.0) {
            return Err(t.error(node, "l2", "must be a finite number >= 0"));
        }
        model.l2 = l2;
    }
    if let Some(node) = t.take("hidden") {
        if kind != ModelKind::Mlp {
            return Err(t.error(node, "hidden", format!("applies only to mlp, not to {}", kind.name())));
        }
        let Value::Array(items) = &node.value else {
            return Err(t.error(node, "hidden", "expected an array of layer widths, e.g. [32, 32]"));
        };
        let mut widths = Vec::new();
        for item in items {
            match tree::as_u64(item) {
                Ok(w) if (1..=100_000).contains(&w) => widths.push(w as usize),
                Ok(w) => return Err(t.error(item, "hidden", format!("layer widths must be in 1..=100000, got {w}"))),
                Err(m) => return Err(t.error(item, "hidden", m)),
            }
        }
        if widths.is_empty() {
            return Err(t.error(node, "hidden", "an mlp needs at least one hidden layer, e.g. [32, 32]"));
        }
        model.hidden = widths;
    }
    if let Some((name, node)) = t.str("activation")? {
        if kind != ModelKind::Mlp {
            return Err(t.error(node, "activation", format!("applies only to mlp, not to {}", kind.name())));
        }
        model.activation = Activation::from_name(name).ok_or_else(|| {
            t.error(node, "activation", format!("unknown activation `{name}`; known: relu, tanh, sigmoid"))
        })?;
    }
    if let Some((name, node)) = t.str("init")? {
        model.init = Some(
            Init::from_name(name)
                .ok_or_else(|| t.error(node, "init", format!("unknown init `{name}`; known: zeros, xavier, he")))?,
        );
    }
    model.resolve_defaults();
    let batch_size = t.u64("batch_size")?.map_or(0, |(b, _)| b as usize);
    let eval_every = match t.u64("eval_every")? {
        Some((0, node)) => return Err(t.error(node, "eval_every", "must be at least 1")),
        Some((e, _)) => e,
        None => 1,
    };
    let Some(dataset_node) = t.take("dataset") else {
        return Err(t.error_here(
            "dataset",
            "missing: a model needs an [objective.dataset] (builtin = \"...\" or csv = \"...\")",
        ));
    };
    locations.insert(source, "dataset", dataset_node);
    let mut d = TableReader::new(source, "objective.dataset", dataset_node)?;
    let builtin = d.str("builtin")?;
    let csv = d.str("csv")?;
    let source_config = match (builtin, csv) {
        (Some(_), Some((_, node))) => return Err(d.error(node, "csv", "give either `builtin` or `csv`, not both")),
        (None, None) => {
            return Err(d.error_here(
                "builtin",
                "missing: `builtin = \"moons\"` (see `optlab list datasets`) or `csv = \"file.csv\"`",
            ));
        }
        (Some((name, node)), None) => {
            locations.insert(source, "dataset.builtin", node);
            for key in ["target"] {
                if let Some(n) = d.take(key) {
                    return Err(d.error(n, key, "applies only to csv datasets"));
                }
            }
            let count = |d: &mut TableReader, key: &'static str, locations: &mut KeyLocations| {
                d.u64(key).map(|v| {
                    v.map(|(v, node)| {
                        locations.insert(source, &format!("dataset.{key}"), node);
                        v as usize
                    })
                })
            };
            let samples = count(&mut d, "samples", locations)?;
            let classes = count(&mut d, "classes", locations)?;
            let features = count(&mut d, "features", locations)?;
            let noise = match d.f64("noise")? {
                Some((v, node)) if !(v.is_finite() && v >= 0.0) => {
                    return Err(d.error(node, "noise", "must be a finite number >= 0"));
                }
                Some((v, node)) => {
                    locations.insert(source, "dataset.noise", node);
                    Some(v)
                }
                None => None,
            };
            DatasetSource::Builtin { name: name.to_string(), samples, noise, classes, features }
        }
        (None, Some((path, node))) => {
            locations.insert(source, "dataset.csv", node);
            for key in ["samples", "noise", "classes"] {
                if let Some(n) = d.take(key) {
                    return Err(d.error(n, key, "applies only to builtin synthetic datasets"));
                }
            }
            let target = d.str("target")?.map(|(s, node)| {
                locations.insert(source, "dataset.target", node);
                s.to_string()
            });
            let features = match d.take("features") {
                None => None,
                Some(node) => {
                    locations.insert(source, "dataset.features", node);
                    let Value::Array(items) = &node.value else {
                        return Err(d.error(node, "features", "expected an array of column names"));
                    };
                    let mut names = Vec::new();
                    for item in items {
                        match &item.value {
                            Value::Str(s) => names.push(s.clone()),
                            other => {
                                return Err(d.error(
                                    item,
                                    "features",
                                    format!("expected a column name, found {}", other.type_name()),
                                ));
                            }
                        }
                    }
                    Some(names)
                }
            };
            let path = std::path::Path::new(path);
            let resolved = if path.is_absolute() { path.to_path_buf() } else { origin.base_dir().join(path) };
            // Absolute, so that the resolved scenario written beside the results still finds the file.
            let resolved = std::path::absolute(&resolved).unwrap_or(resolved);
            DatasetSource::Csv { path: resolved, target, features }
        }
    };
    let mut dataset = DatasetConfig::new(source_config);
    if let Some((v, node)) = d.f64("val_fraction")? {
        if !(0.0..1.0).contains(&v) {
            return Err(d.error(node, "val_fraction", "must be in [0, 1) (0 trains on every sample)"));
        }
        dataset.val_fraction = v;
    }
    if let Some((v, _)) = d.bool("standardize")? {
        dataset.standardize = v;
    }
    d.finish(DATASET_KEYS)?;
    t.finish(MODEL_KEYS)?;
    dataset.resolve_defaults();
    Ok(ObjectiveSpec::Model { model, dataset, batch_size, eval_every })
}

fn parse_stop(source: &Source<'_>, node: &Node) -> Result<StopRule, ScenarioError> {
    let mut t = TableReader::new(source, "stop", node)?;
    let mut rule = StopRule::default();
    if let Some((v, node)) = t.f64("target_loss")? {
        if !v.is_finite() {
            return Err(t.error(node, "target_loss", "must be a finite number"));
        }
        rule.target_loss = Some(v);
    }
    if let Some((v, _)) = t.bool("stop_at_target")? {
        rule.stop_at_target = v;
    }
    if let Some((v, node)) = t.f64("divergence_factor")? {
        if !(v.is_finite() && v >= 1.0) {
            return Err(t.error(node, "divergence_factor", "must be a finite number >= 1"));
        }
        rule.divergence_factor = v;
    }
    if rule.stop_at_target
        && rule.target_loss.is_none()
        && let Some(node) = t.take("stop_at_target")
    {
        return Err(t.error(node, "stop_at_target", "needs `target_loss`"));
    }
    t.finish(STOP_KEYS)?;
    Ok(rule)
}

pub(super) fn hyper_from_node(node: &Node, spec: &HyperSpec) -> Result<Hyper, String> {
    match (spec.default, &node.value) {
        (Hyper::Bool(_), Value::Bool(b)) => Ok(Hyper::Bool(*b)),
        (Hyper::Bool(_), other) => Err(format!("expected true or false, found {}", other.type_name())),
        (Hyper::Float(_), _) => tree::as_f64(node).map(Hyper::Float),
        (Hyper::Choice(_), Value::Str(s)) => spec.domain.choice(s),
        (Hyper::Choice(_), other) => Err(format!("expected {}, found {}", spec.domain.describe(), other.type_name())),
    }
}

fn parse_entry<'t>(
    source: &'t Source<'_>,
    node: &'t Node,
    index: usize,
    steps: u64,
) -> Result<(OptimizerEntry, Option<&'t Node>), ScenarioError> {
    let path = format!("optimizer[{index}]");
    let mut t = TableReader::new(source, &path, node)?;
    let (kind_name, kind_node) = match t.str("kind")? {
        Some(k) => k,
        None => return Err(t.error_here("kind", "missing: which optimizer (see `optlab list optimizers`)")),
    };
    let Some(kind) = OptimizerKind::from_name(kind_name) else {
        let known: Vec<&str> = OptimizerKind::ALL.iter().map(|k| k.name()).collect();
        return Err(t.error(
            kind_node,
            "kind",
            format!("unknown optimizer `{kind_name}`; known: {}", known.join(", ")),
        ));
    };
    let label = match t.str("label")? {
        Some((s, node)) if s.trim().is_empty() => return Err(t.error(node, "label", "must not be empty")),
        Some((s, node)) => Some((s.to_string(), node)),
        None => None,
    };
    let batch_size = t.u64("batch_size")?.map(|(v, _)| v as usize);
    let schedule = match t.take("schedule") {
        Some(node) => parse_schedule(source, node, &t.key_path("schedule"), steps)?,
        None => Schedule::default(),
    };
    let sweep_node = t.take("sweep");
    let fallback_node = t.take("fallback");
    let tune = match t.take("tune") {
        Some(node) => super::tune::parse_entry_space(source, node, &t.key_path("tune"), kind)?,
        None => Vec::new(),
    };

    let specs = kind.specs();
    // Every value is read first and the configuration checked as a whole, as
    // PyTorch checks a parameter group: the order of the keys does not matter.
    let mut given: Vec<(String, Hyper)> = Vec::new();
    let mut given_nodes: Vec<(&'static str, &Node)> = Vec::new();
    for entry in t.take_rest() {
        let Some(spec) = specs.iter().find(|s| s.name == entry.key) else {
            let mut accepted: Vec<&str> = ENTRY_KEYS.to_vec();
            accepted.extend(specs.iter().map(|s| s.name));
            let hint = closest_hint(&entry.key, &accepted);
            return Err(source.error(
                &entry.key_span,
                Some(&t.key_path(&entry.key)),
                format!("unknown key for {kind_name}{hint}; accepted here: {}", accepted.join(", ")),
            ));
        };
        let value = hyper_from_node(&entry.node, spec).map_err(|m| t.error(&entry.node, &entry.key, m))?;
        spec.domain.check(value).map_err(|m| t.error(&entry.node, &entry.key, m))?;
        given.push((spec.name.to_string(), value));
        given_nodes.push((spec.name, &entry.node));
    }
    let mut optimizer = configure(kind, &given, &[]).map_err(|e| {
        let name = hyper_name(&e);
        match given_nodes.iter().find(|(n, _)| *n == name) {
            Some((_, node)) => t.error(node, name, hyper_message(&e)),
            None => t.error(node, name, hyper_message(&e)),
        }
    })?;

    let fallback = match fallback_node {
        Some(node) => Some(super::fallback::parse_fallback(source, node, &t.key_path("fallback"), &mut *optimizer)?),
        None => None,
    };

    let mut sweep = Vec::new();
    // Where each swept value stands, to point at the one a combination fails on.
    let mut sweep_nodes: Vec<(&'static str, Hyper, &Node)> = Vec::new();
    let mut sweep_path = String::new();
    if let Some(node) = sweep_node {
        let mut st = TableReader::new(source, &t.key_path("sweep"), node)?;
        sweep_path = st.path.clone();
        for entry in st.take_rest() {
            let Some(spec) = specs.iter().find(|s| s.name == entry.key) else {
                let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
                return Err(source.error(
                    &entry.key_span,
                    Some(&st.key_path(&entry.key)),
                    format!("{kind_name} has no hyperparameter `{}` to sweep; it has: {}", entry.key, names.join(", ")),
                ));
            };
            let Value::Array(items) = &entry.node.value else {
                return Err(st.error(&entry.node, &entry.key, "expected an array of values"));
            };
            if items.is_empty() {
                return Err(st.error(&entry.node, &entry.key, "a sweep needs at least one value"));
            }
            if sweep.iter().any(|(n, _): &(String, Vec<Hyper>)| n == spec.name) {
                return Err(st.error(&entry.node, &entry.key, "is swept twice"));
            }
            let mut values = Vec::new();
            for item in items {
                let v = hyper_from_node(item, spec).map_err(|m| st.error(item, &entry.key, m))?;
                spec.domain.check(v).map_err(|m| st.error(item, &entry.key, m))?;
                if values.contains(&v) {
                    return Err(st.error(item, &entry.key, format!("{} appears twice", fmt_hyper(v))));
                }
                values.push(v);
                sweep_nodes.push((spec.name, v, item));
            }
            sweep.push((spec.name.to_string(), values));
        }
        st.finish(&[])?;
    }
    t.finish(ENTRY_KEYS)?;

    let hyper = optimizer.hyperparameters().into_iter().map(|(n, v)| (n.to_string(), v)).collect();
    let (label, label_node) = match label {
        Some((l, node)) => (l, Some(node)),
        None => (String::new(), None),
    };
    let entry = OptimizerEntry { kind, label, hyper, sweep, schedule, batch_size, fallback, tune };
    // Every combination is checked as the run it will be (labels come later, so
    // the error names the combination's values).
    if let Err(e) = entry.expand() {
        let name = e.name().to_string();
        let swept = e.combination.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
        let at = match swept {
            Some(v) => sweep_nodes.iter().find(|(n, value, _)| *n == name && *value == v).map(|(_, _, node)| *node),
            None => given_nodes.iter().find(|(n, _)| *n == name).map(|(_, node)| *node),
        };
        let values: Vec<String> = e.combination.iter().map(|(n, v)| format!("{n}={}", fmt_hyper(*v))).collect();
        let message = format!("the combination {} is invalid: {}", values.join(" "), hyper_message(&e.error));
        let key = if swept.is_some() { format!("{sweep_path}.{name}") } else { format!("{path}.{name}") };
        return Err(source.error(&at.unwrap_or(node).span, Some(&key), message));
    }
    Ok((entry, label_node))
}

fn closest_hint(key: &str, accepted: &[&str]) -> String {
    tree::closest(key, accepted).map(|a| format!(" (did you mean `{a}`?)")).unwrap_or_default()
}

pub(super) fn hyper_message(e: &crate::optim::HyperError) -> String {
    match e {
        crate::optim::HyperError::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

fn parse_schedule(source: &Source<'_>, node: &Node, path: &str, steps: u64) -> Result<Schedule, ScenarioError> {
    let mut t = TableReader::new(source, path, node)?;
    let (kind_name, kind_node) = match t.str("kind")? {
        Some(k) => k,
        None => return Err(t.error_here("kind", "missing: constant, step, exponential or cosine")),
    };
    let gamma = |t: &mut TableReader, default: Option<f64>| -> Result<f64, ScenarioError> {
        match t.f64("gamma")? {
            Some((g, node)) if !(g.is_finite() && g > 0.0) => {
                Err(t.error(node, "gamma", "must be a finite number > 0"))
            }
            Some((g, _)) => Ok(g),
            None => default.ok_or_else(|| t.error_here("gamma", "missing (required by this schedule)")),
        }
    };
    let (kind, accepted): (ScheduleKind, &[&str]) = match kind_name {
        "constant" => (ScheduleKind::Constant, &["kind", "warmup"]),
        "step" => {
            let step_size = match t.u64("step_size")? {
                Some((0, node)) => return Err(t.error(node, "step_size", "must be at least 1")),
                Some((v, _)) => v,
                None => return Err(t.error_here("step_size", "missing (required by the step schedule)")),
            };
            (
                ScheduleKind::Step { step_size, gamma: gamma(&mut t, Some(0.1))? },
                &["kind", "step_size", "gamma", "warmup"],
            )
        }
        "exponential" => (ScheduleKind::Exponential { gamma: gamma(&mut t, None)? }, &["kind", "gamma", "warmup"]),
        "cosine" => {
            let t_max = match t.u64("t_max")? {
                Some((0, node)) => return Err(t.error(node, "t_max", "must be at least 1")),
                Some((v, _)) => v,
                None => steps,
            };
            let eta_min = match t.f64("eta_min")? {
                Some((v, node)) if !(v.is_finite() && v >= 0.0) => {
                    return Err(t.error(node, "eta_min", "must be a finite number >= 0"));
                }
                Some((v, _)) => v,
                None => 0.0,
            };
            (ScheduleKind::Cosine { t_max, eta_min }, &["kind", "t_max", "eta_min", "warmup"])
        }
        other => {
            return Err(t.error(
                kind_node,
                "kind",
                format!("unknown schedule `{other}`; known: {}", ScheduleKind::NAMES.join(", ")),
            ));
        }
    };
    let warmup = t.u64("warmup")?.map_or(0, |(v, _)| v);
    t.finish(accepted)?;
    Ok(Schedule { kind, warmup })
}

/// Default labels: the kind's name, made unique with the hyperparameters that
/// differ between entries of that name; explicit labels must be unique.
fn assign_labels(
    source: &Source<'_>,
    entries: &mut [OptimizerEntry],
    label_nodes: &[&Node],
) -> Result<(), ScenarioError> {
    let explicit: Vec<bool> = entries.iter().map(|e| !e.label.is_empty()).collect();
    let mut groups: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if !explicit[i] {
            groups.entry(e.kind.name()).or_default().push(i);
        }
    }
    let mut labels: Vec<String> = entries.iter().map(|e| e.label.clone()).collect();
    for (name, members) in &groups {
        let clash = members.len() > 1 || labels.iter().any(|l| l == name);
        if !clash {
            labels[members[0]] = name.to_string();
            continue;
        }
        let first = &entries[members[0]];
        let differing: Vec<&str> = first
            .hyper
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| members.iter().any(|&m| entries[m].get(n) != first.get(n)))
            .collect();
        let batch_differs = members.iter().any(|&m| entries[m].batch_size != first.batch_size);
        let schedule_differs = members.iter().any(|&m| entries[m].schedule != first.schedule);
        for &m in members {
            let e = &entries[m];
            let mut label = name.to_string();
            for n in &differing {
                if let Some(v) = e.get(n) {
                    label.push_str(&format!(" {n}={}", fmt_hyper(v)));
                }
            }
            if batch_differs {
                match e.batch_size {
                    Some(b) => label.push_str(&format!(" batch={b}")),
                    None => label.push_str(" batch=default"),
                }
            }
            if schedule_differs {
                label.push_str(&format!(" schedule={}", e.schedule.kind.name()));
            }
            labels[m] = label;
        }
    }
    // Whatever still collides (identical entries) gets a number.
    for i in 0..labels.len() {
        if explicit[i] {
            continue;
        }
        let mut n = 1;
        let base = labels[i].clone();
        while labels.iter().enumerate().any(|(j, l)| (j < i || explicit[j]) && j != i && *l == labels[i]) {
            n += 1;
            labels[i] = format!("{base} #{n}");
        }
    }
    for (i, e) in entries.iter_mut().enumerate() {
        e.label = labels[i].clone();
    }
    // Every run label (sweeps included) must be unique.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for combo in e.combinations() {
            let run = e.run_label(&combo);
            if let Some(&j) = seen.get(&run) {
                return Err(source.error(
                    &label_nodes[i].span,
                    Some(&format!("optimizer[{i}].label")),
                    format!("run label `{run}` is already used by optimizer[{j}]; labels must be unique"),
                ));
            }
            seen.insert(run, i);
        }
    }
    Ok(())
}

/// The `step` of an `[[event]]` table, read ahead of validation to order the events.
fn event_step(node: &Node) -> Option<u64> {
    let Value::Table(entries) = &node.value else { return None };
    match entries.iter().find(|e| e.key == "step")?.node.value {
        Value::Int(s) => u64::try_from(s).ok(),
        _ => None,
    }
}

fn parse_event(
    source: &Source<'_>,
    node: &Node,
    index: usize,
    entries: &[OptimizerEntry],
    steps: u64,
    probes: &mut BTreeMap<String, Box<dyn crate::optim::Optimizer>>,
) -> Result<Event, ScenarioError> {
    let path = format!("event[{index}]");
    let mut t = TableReader::new(source, &path, node)?;
    let step = match t.u64("step")? {
        Some((s, node)) if s >= steps => {
            return Err(t.error(node, "step", format!("{s} is not before the last update (steps = {steps})")));
        }
        Some((s, _)) => s,
        None => return Err(t.error_here("step", "missing: after how many updates the change applies")),
    };
    let (run, run_node) = match t.str("run")? {
        Some(r) => r,
        None => return Err(t.error_here("run", "missing: the label of the run to change")),
    };
    // A run label, or the label of a swept entry (all its runs).
    let entry = entries
        .iter()
        .find(|e| e.combinations().iter().any(|c| e.run_label(c) == run) || (e.label == run && !e.sweep.is_empty()));
    let Some(entry) = entry else {
        let labels: Vec<String> =
            entries.iter().flat_map(|e| e.combinations().into_iter().map(|c| e.run_label(&c))).collect();
        return Err(t.error(run_node, "run", format!("no run is labelled `{run}`; runs: {}", labels.join(", "))));
    };
    let mut changes = Vec::new();
    let mut change_nodes: Vec<(&'static str, &Node)> = Vec::new();
    for e in t.take_rest() {
        let Some(spec) = entry.kind.specs().iter().find(|s| s.name == e.key) else {
            let names: Vec<&str> = entry.kind.specs().iter().map(|s| s.name).collect();
            return Err(source.error(
                &e.key_span,
                Some(&t.key_path(&e.key)),
                format!("{} has no hyperparameter `{}`; it has: {}", entry.kind.name(), e.key, names.join(", ")),
            ));
        };
        let value = hyper_from_node(&e.node, spec).map_err(|m| t.error(&e.node, &e.key, m))?;
        spec.domain.check(value).map_err(|m| t.error(&e.node, &e.key, m))?;
        changes.push(Change { name: spec.name.to_string(), value });
        change_nodes.push((spec.name, &e.node));
    }
    if changes.is_empty() {
        return Err(t.error_here("", "an event changes at least one hyperparameter (e.g. lr = 0.01)"));
    }
    t.finish(&["step", "run"])?;
    let event = Event { step, run: run.to_string(), changes };
    // Checked against every run it applies to, each with the changes of the
    // events before it (the caller reads them in step order).
    let runs = entry.expand().map_err(|e| source.error(&node.span, Some(&path), e.to_string()))?;
    for target in runs.into_iter().filter(|r| entry.event_applies(&event, &r.label)) {
        let probe = probes.entry(target.label.clone()).or_insert(target.optimizer);
        if let Err(err) = apply_event(probe.as_mut(), &event) {
            let name = hyper_name(&err).to_string();
            let at = change_nodes.iter().find(|(n, _)| *n == name).map_or(node, |(_, n)| *n);
            let mut message = hyper_message(&err);
            if target.label != run || !entry.sweep.is_empty() {
                message = format!("{message} (in run `{}`)", target.label);
            }
            return Err(source.error(&at.span, Some(&format!("{path}.{name}")), message));
        }
    }
    Ok(event)
}
