//! The tuning keys of a scenario: `tune.NAME = { log = [a, b] }` (and
//! `uniform`, `one_minus_log`, `choice`) in an `[[optimizer]]` entry, and the
//! `[tune]` table. Read here, written back by [`to_toml`].

use super::ObjectiveSpec;
use super::parse::hyper_from_node;
use super::tree::{self, Node, ScenarioError, Source, TableReader, Value};
use crate::engine::StopRule;
use crate::optim::{Hyper, OptimizerKind};
use crate::tune::{Halving, Metric, SamplerKind, SearchSpace, Space, TuneConfig, rung_lengths};

const SPACE_KEYS: &[&str] = &["log", "uniform", "one_minus_log", "choice"];
const TUNE_KEYS: &[&str] = &["budget", "sampler", "halving", "metric", "seeds", "confirm_seeds"];

/// An entry's `tune` table: one space per hyperparameter, in file order.
pub(super) fn parse_entry_space(
    source: &Source<'_>,
    node: &Node,
    path: &str,
    kind: OptimizerKind,
) -> Result<SearchSpace, ScenarioError> {
    let mut t = TableReader::new(source, path, node)?;
    let specs = kind.specs();
    let mut space = Vec::new();
    for entry in t.take_rest() {
        let key_path = t.key_path(&entry.key);
        let Some(spec) = specs.iter().find(|s| s.name == entry.key) else {
            let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
            let hint = tree::closest(&entry.key, &names).map(|a| format!(" (did you mean `{a}`?)")).unwrap_or_default();
            return Err(source.error(
                &entry.key_span,
                Some(&key_path),
                format!(
                    "{} has no hyperparameter `{}` to tune{hint}; it has: {}",
                    kind.name(),
                    entry.key,
                    names.join(", ")
                ),
            ));
        };
        let Value::Table(items) = &entry.node.value else {
            return Err(source.error(
                &entry.node.span,
                Some(&key_path),
                "expected a space: { log = [a, b] }, { uniform = [a, b] }, { one_minus_log = [a, b] } or { choice = [...] }",
            ));
        };
        let [item] = items.as_slice() else {
            return Err(source.error(
                &entry.node.span,
                Some(&key_path),
                format!("a space has exactly one of {}", SPACE_KEYS.join(", ")),
            ));
        };
        let item_path = format!("{key_path}.{}", item.key);
        let located = |node: &Node, m: String| source.error(&node.span, Some(&item_path), m);
        let bounds = || -> Result<(f64, f64), ScenarioError> {
            let Value::Array(values) = &item.node.value else {
                return Err(located(&item.node, "expected two bounds, [low, high]".into()));
            };
            let [low, high] = values.as_slice() else {
                return Err(located(&item.node, format!("expected two bounds, [low, high], found {}", values.len())));
            };
            let low_v = tree::as_f64(low).map_err(|m| located(low, m))?;
            let high_v = tree::as_f64(high).map_err(|m| located(high, m))?;
            Ok((low_v, high_v))
        };
        let s = match item.key.as_str() {
            "log" => bounds().map(|(low, high)| Space::Log { low, high })?,
            "uniform" => bounds().map(|(low, high)| Space::Uniform { low, high })?,
            "one_minus_log" => bounds().map(|(low, high)| Space::OneMinusLog { low, high })?,
            "choice" => {
                let Value::Array(values) = &item.node.value else {
                    return Err(located(&item.node, "expected an array of values".into()));
                };
                let mut choice = Vec::new();
                for v in values {
                    choice.push(hyper_from_node(v, spec).map_err(|m| located(v, m))?);
                }
                Space::Choice(choice)
            }
            other => {
                let hint =
                    tree::closest(other, SPACE_KEYS).map(|a| format!(" (did you mean `{a}`?)")).unwrap_or_default();
                return Err(source.error(
                    &item.key_span,
                    Some(&item_path),
                    format!("unknown space `{other}`{hint}; known: {}", SPACE_KEYS.join(", ")),
                ));
            }
        };
        s.check(spec).map_err(|m| located(&item.node, m))?;
        space.push((spec.name.to_string(), s));
    }
    t.finish(&[])?;
    Ok(space)
}

/// The `[tune]` table with every default filled in.
pub(super) fn parse_tune(
    source: &Source<'_>,
    node: &Node,
    steps: u64,
    objective: &ObjectiveSpec,
    stop: &StopRule,
) -> Result<TuneConfig, ScenarioError> {
    let mut t = TableReader::new(source, "tune", node)?;
    let mut config = TuneConfig::defaults(steps);
    if let Some((name, node)) = t.str("sampler")? {
        config.sampler = SamplerKind::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = SamplerKind::ALL.iter().map(|s| s.name()).collect();
            t.error(node, "sampler", format!("unknown sampler `{name}`; known: {}", names.join(", ")))
        })?;
    }
    if let Some((name, node)) = t.str("metric")? {
        let metric = Metric::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
            t.error(node, "metric", format!("unknown metric `{name}`; known: {}", names.join(", ")))
        })?;
        let validation = matches!(objective, ObjectiveSpec::Model { dataset, .. } if dataset.val_fraction > 0.0);
        match metric {
            Metric::ValLoss | Metric::ValAccuracy if !validation => {
                return Err(t.error(
                    node,
                    "metric",
                    format!("{name} needs a model objective with a validation split (val_fraction > 0)"),
                ));
            }
            Metric::StepsToTarget if stop.target_loss.is_none() => {
                return Err(t.error(node, "metric", "steps_to_target needs `[stop] target_loss`"));
            }
            _ => {}
        }
        config.metric = metric;
    }
    match t.u64("seeds")? {
        Some((v, node)) if !(1..=10_000).contains(&v) => return Err(t.error(node, "seeds", "must be in 1..=10000")),
        Some((v, _)) => config.seeds = v,
        None => {}
    }
    match t.u64("confirm_seeds")? {
        Some((v, node)) if !(1..=10_000).contains(&v) => {
            return Err(t.error(node, "confirm_seeds", "must be in 1..=10000"));
        }
        Some((v, _)) => config.confirm_seeds = v,
        None => {}
    }
    config.budget = match t.u64("budget")? {
        Some((0, node)) => return Err(t.error(node, "budget", "must be at least 1 (gradient evaluations per entry)")),
        Some((v, _)) => v,
        None => config.budget.saturating_mul(config.seeds),
    };
    if let Some(node) = t.take("halving") {
        let mut h = TableReader::new(source, &t.key_path("halving"), node)?;
        let eta = match h.u64("eta")? {
            Some((v, node)) if v < 2 => return Err(h.error(node, "eta", "must be at least 2")),
            Some((v, _)) => v,
            None => 3,
        };
        let min_steps = match h.u64("min_steps")? {
            Some((v, node)) if v == 0 || v > steps => {
                return Err(h.error(node, "min_steps", format!("must be in 1..={steps} (the scenario's steps)")));
            }
            Some((v, _)) => v,
            None => (steps / eta.saturating_pow(3)).max(1),
        };
        h.finish(&["eta", "min_steps"])?;
        let halving = Halving { eta, min_steps };
        rung_lengths(steps, Some(halving)).map_err(|e| t.error(node, "halving", e.to_string()))?;
        config.halving = Some(halving);
    }
    t.finish(TUNE_KEYS)?;
    Ok(config)
}

fn hyper_value(h: Hyper) -> toml::Value {
    match h {
        Hyper::Float(v) => toml::Value::Float(v),
        Hyper::Bool(b) => toml::Value::Boolean(b),
        Hyper::Choice(s) => toml::Value::String(s.to_string()),
    }
}

fn int(v: u64) -> toml::Value {
    toml::Value::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

/// An entry's `tune` table, as the resolved scenario writes it.
pub(super) fn space_to_toml(space: &SearchSpace) -> toml::Table {
    space
        .iter()
        .map(|(name, s)| {
            let value = match s {
                Space::Log { low, high } | Space::Uniform { low, high } | Space::OneMinusLog { low, high } => {
                    toml::Value::Array(vec![toml::Value::Float(*low), toml::Value::Float(*high)])
                }
                Space::Choice(values) => toml::Value::Array(values.iter().map(|v| hyper_value(*v)).collect()),
            };
            let mut t = toml::Table::new();
            t.insert(s.keyword().into(), value);
            (name.clone(), toml::Value::Table(t))
        })
        .collect()
}

/// The `[tune]` table, every default written out.
pub(super) fn config_to_toml(config: &TuneConfig) -> toml::Table {
    let mut t = toml::Table::new();
    t.insert("budget".into(), int(config.budget));
    t.insert("sampler".into(), toml::Value::String(config.sampler.name().into()));
    if let Some(h) = config.halving {
        let mut ht = toml::Table::new();
        ht.insert("eta".into(), int(h.eta));
        ht.insert("min_steps".into(), int(h.min_steps));
        t.insert("halving".into(), toml::Value::Table(ht));
    }
    t.insert("metric".into(), toml::Value::String(config.metric.name().into()));
    t.insert("seeds".into(), int(config.seeds));
    t.insert("confirm_seeds".into(), int(config.confirm_seeds));
    t
}

#[cfg(test)]
mod tests {
    use crate::optim::Hyper;
    use crate::scenario::{Origin, Scenario};
    use crate::tune::{Halving, Metric, SamplerKind, Space};

    const HEAD: &str = "name = \"t\"\nsteps = 270\n[objective]\nkind = \"rosenbrock\"\n";

    fn parse(text: &str) -> Result<Scenario, String> {
        Scenario::parse(text, Origin::Bundled("t")).map_err(|e| e.to_string())
    }

    #[test]
    fn spaces_and_the_tune_table_are_read_and_written_back() {
        let s = parse(&format!(
            "{HEAD}[tune]\nsampler = \"tpe\"\nhalving = {{ eta = 3, min_steps = 10 }}\nconfirm_seeds = 3\n\
             [[optimizer]]\nkind = \"sgd\"\ntune.lr = {{ log = [1e-4, 1.0] }}\n\
             tune.momentum = {{ choice = [0.0, 0.9] }}\ntune.nesterov = {{ choice = [false, true] }}\n\
             [[optimizer]]\nkind = \"adam\"\ntune.beta1 = {{ uniform = [0.8, 0.99] }}\n\
             tune.beta2 = {{ one_minus_log = [1e-4, 1e-1] }}\n"
        ))
        .unwrap();
        let sgd = &s.optimizers[0].tune;
        assert_eq!(sgd[0], ("lr".into(), Space::Log { low: 1e-4, high: 1.0 }));
        assert_eq!(sgd[1], ("momentum".into(), Space::Choice(vec![Hyper::Float(0.0), Hyper::Float(0.9)])));
        assert_eq!(sgd[2], ("nesterov".into(), Space::Choice(vec![Hyper::Bool(false), Hyper::Bool(true)])));
        assert_eq!(s.optimizers[1].tune[1].1, Space::OneMinusLog { low: 1e-4, high: 1e-1 });
        let config = s.tune.clone().unwrap();
        assert_eq!(config.sampler, SamplerKind::Tpe);
        assert_eq!(config.halving, Some(Halving { eta: 3, min_steps: 10 }));
        assert_eq!(
            (config.budget, config.metric, config.seeds, config.confirm_seeds),
            (64 * 270, Metric::FinalLoss, 1, 3)
        );
        assert_eq!(parse(&s.to_toml()).unwrap(), s);
    }

    #[test]
    fn bad_spaces_are_located_errors() {
        let err = |entry: &str| parse(&format!("{HEAD}[[optimizer]]\nkind = \"sgd\"\n{entry}\n")).unwrap_err();
        assert_eq!(
            err("tune.lr = { log = [0.0, 1.0] }"),
            "<bundled:t>:7:19: key `optimizer[0].tune.lr.log`: a log range needs low > 0 (got 0)"
        );
        assert!(err("tune.lrr = { log = [1e-3, 1.0] }").contains("did you mean `lr`?"));
        assert!(err("tune.lr = { logg = [1e-3, 1.0] }").contains("unknown space `logg` (did you mean `log`?)"));
        assert!(err("tune.lr = { log = [1e-3] }").contains("expected two bounds"));
        assert!(err("tune.lr = 0.1").contains("expected a space"));
        assert!(err("tune.nesterov = { uniform = [0, 1] }").contains("use { choice = [false, true] }"));
        assert!(err("tune.momentum = { choice = [0.9, 0.9] }").contains("appears twice"));
        assert!(err("tune.momentum = { choice = [] }").contains("at least one value"));
        assert!(err("tune.lr = { log = [1e-3, 1.0], uniform = [0.1, 1] }").contains("exactly one"));
    }

    #[test]
    fn bad_tune_tables_are_located_errors() {
        let err = |table: &str| parse(&format!("{HEAD}[tune]\n{table}\n[[optimizer]]\nkind = \"sgd\"\n")).unwrap_err();
        assert_eq!(
            err("sampler = \"bayes\""),
            "<bundled:t>:6:11: key `tune.sampler`: unknown sampler `bayes`; known: sobol, random, grid, tpe"
        );
        assert!(err("metric = \"val_loss\"").contains("validation split"));
        assert!(err("metric = \"steps_to_target\"").contains("target_loss"));
        assert!(err("budget = 0").contains("at least 1"));
        assert!(err("halving = { eta = 1 }").contains("at least 2"));
        assert!(err("halving = { min_steps = 1000 }").contains("1..=270"));
        assert!(err("budgett = 5").contains("budgett"));
    }
}
