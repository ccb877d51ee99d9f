//! `fallback = { kind = "adamw", lr = 3e-4 }` in an `[[optimizer]]` entry of a
//! matrix-aware kind: the optimizer of the tensors that are not matrices
//! (biases, vectors), as torch's and optax's Muon documentation prescribe.

use super::ScenarioError;
use super::parse::{hyper_from_node, hyper_message};
use super::tree::{Node, Source, TableReader};
use crate::optim::{Hyper, Optimizer, OptimizerKind};
use toml::{Table, Value};

/// The fallback of an entry: a kind and its hyperparameters (every one, in
/// catalog order, once parsed).
#[derive(Clone, Debug, PartialEq)]
pub struct Fallback {
    pub kind: OptimizerKind,
    pub hyper: Vec<(String, Hyper)>,
}

impl Fallback {
    /// The fallback optimizer, hyperparameters set.
    pub fn build(&self) -> Result<Box<dyn Optimizer>, crate::optim::HyperError> {
        let mut optimizer = self.kind.build(0);
        for (name, value) in &self.hyper {
            optimizer.set(name, *value)?;
        }
        Ok(optimizer)
    }

    /// As the resolved scenario writes it.
    pub(super) fn to_toml(&self, hyper: impl Fn(Hyper) -> Value) -> Value {
        let mut t = Table::new();
        t.insert("kind".into(), Value::String(self.kind.name().into()));
        for (name, value) in &self.hyper {
            t.insert(name.clone(), hyper(*value));
        }
        Value::Table(t)
    }
}

/// Parses the `fallback` table of an entry and gives it to `optimizer`
/// (which refuses it unless it is matrix-aware).
pub(super) fn parse_fallback(
    source: &Source<'_>,
    node: &Node,
    path: &str,
    optimizer: &mut dyn Optimizer,
) -> Result<Fallback, ScenarioError> {
    let mut t = TableReader::new(source, path, node)?;
    let (kind_name, kind_node) = match t.str("kind")? {
        Some(k) => k,
        None => return Err(t.error_here("kind", "missing: which optimizer updates the other tensors")),
    };
    let Some(kind) = OptimizerKind::from_name(kind_name) else {
        let known: Vec<&str> = OptimizerKind::ALL.iter().map(|k| k.name()).collect();
        return Err(t.error(
            kind_node,
            "kind",
            format!("unknown optimizer `{kind_name}`; known: {}", known.join(", ")),
        ));
    };
    let mut fallback = kind.build(0);
    if !fallback.is_element_wise() {
        return Err(t.error(
            kind_node,
            "kind",
            format!("{kind_name} cannot be a fallback (use an element-wise kind such as adamw)"),
        ));
    }
    let specs = kind.specs();
    for entry in t.take_rest() {
        let Some(spec) = specs.iter().find(|s| s.name == entry.key) else {
            let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
            return Err(source.error(
                &entry.key_span,
                Some(&t.key_path(&entry.key)),
                format!("{kind_name} has no hyperparameter `{}`; it has: {}", entry.key, names.join(", ")),
            ));
        };
        let value = hyper_from_node(&entry.node, spec).map_err(|m| t.error(&entry.node, &entry.key, m))?;
        fallback.set(spec.name, value).map_err(|e| t.error(&entry.node, &entry.key, hyper_message(&e)))?;
    }
    t.finish(&[])?;
    let parsed =
        Fallback { kind, hyper: fallback.hyperparameters().into_iter().map(|(n, v)| (n.to_string(), v)).collect() };
    optimizer.set_fallback(fallback).map_err(|e| source.error(&node.span, Some(path), hyper_message(&e)))?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Origin, Scenario};

    fn parse(entry: &str) -> Result<Scenario, String> {
        let text = format!("name = \"t\"\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\n{entry}\n");
        Scenario::parse(&text, Origin::Bundled("t")).map_err(|e| e.to_string())
    }

    #[test]
    fn element_wise_kinds_refuse_a_fallback_naming_its_line() {
        let e = parse("kind = \"adam\"\nfallback = { kind = \"adamw\", lr = 3e-4 }").unwrap_err();
        assert!(e.contains(":6:12:") && e.contains("optimizer[0].fallback"), "{e}");
        assert!(e.contains("is for matrix-aware optimizers; adam updates every parameter itself"), "{e}");
    }
}
