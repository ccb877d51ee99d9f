//! The resolved scenario as TOML: every default written out.

use super::{ObjectiveSpec, Scenario};
use crate::data::DatasetSource;
use crate::objective::models::ModelKind;
use crate::optim::{Hyper, ScheduleKind};
use toml::{Table, Value};

fn int(v: u64) -> Value {
    // Scenario integers come from TOML, so they fit an i64.
    Value::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

fn floats(values: &[f64]) -> Value {
    Value::Array(values.iter().map(|v| Value::Float(*v)).collect())
}

fn hyper(h: Hyper) -> Value {
    match h {
        Hyper::Float(v) => Value::Float(v),
        Hyper::Bool(b) => Value::Boolean(b),
        Hyper::Choice(c) => Value::String(c.to_string()),
    }
}

pub fn to_toml(s: &Scenario) -> String {
    let mut top = Table::new();
    top.insert("name".into(), Value::String(s.name.clone()));
    top.insert("description".into(), Value::String(s.description.clone()));
    top.insert("seed".into(), int(s.seed));
    match s.epochs {
        Some(epochs) => top.insert("epochs".into(), int(epochs)),
        None => top.insert("steps".into(), int(s.steps)),
    };
    top.insert("seeds".into(), int(s.seeds));
    top.insert("rank_by".into(), Value::String(s.rank_by.name().into()));

    let mut objective = Table::new();
    match &s.objective {
        ObjectiveSpec::Function { kind, params, start, noise, shape } => {
            objective.insert("kind".into(), Value::String(kind.name().into()));
            if let Some(dim) = params.dim {
                objective.insert("dim".into(), int(dim as u64));
            }
            if let Some(coeffs) = &params.coeffs {
                objective.insert("coeffs".into(), floats(coeffs));
            }
            if let Some([rows, cols]) = shape {
                objective.insert("shape".into(), Value::Array(vec![int(*rows as u64), int(*cols as u64)]));
            }
            objective.insert("start".into(), floats(start));
            objective.insert("noise".into(), Value::Float(*noise));
            if let Some(w) = s.write_params {
                objective.insert("write_params".into(), Value::Boolean(w));
            }
        }
        ObjectiveSpec::Expr { spec, start, noise } => {
            objective.insert("kind".into(), Value::String("expr".into()));
            objective.insert("f".into(), Value::String(spec.f.clone()));
            objective.insert("vars".into(), Value::Array(spec.vars.iter().map(|v| Value::String(v.clone())).collect()));
            if let Some(w) = &spec.window {
                let mut window = Table::new();
                window.insert("x".into(), floats(&[w.x.0, w.x.1]));
                if spec.vars.len() > 1 {
                    window.insert("y".into(), floats(&[w.y.0, w.y.1]));
                }
                objective.insert("window".into(), Value::Table(window));
            }
            if !spec.minima.is_empty() {
                objective.insert("minima".into(), Value::Array(spec.minima.iter().map(|m| floats(m)).collect()));
            }
            objective.insert("start".into(), floats(start));
            objective.insert("noise".into(), Value::Float(*noise));
            if let Some(w) = s.write_params {
                objective.insert("write_params".into(), Value::Boolean(w));
            }
        }
        ObjectiveSpec::Model { model, dataset, batch_size, eval_every } => {
            objective.insert("kind".into(), Value::String(model.kind.name().into()));
            if model.kind == ModelKind::Mlp {
                objective.insert("hidden".into(), Value::Array(model.hidden.iter().map(|w| int(*w as u64)).collect()));
                objective.insert("activation".into(), Value::String(model.activation.name().into()));
            }
            objective.insert("l2".into(), Value::Float(model.l2));
            objective.insert("init".into(), Value::String(model.init().name().into()));
            objective.insert("batch_size".into(), int(*batch_size as u64));
            objective.insert("eval_every".into(), int(*eval_every));
            let mut d = Table::new();
            match &dataset.source {
                DatasetSource::Builtin { name, samples, noise, classes, features } => {
                    d.insert("builtin".into(), Value::String(name.clone()));
                    if let Some(v) = samples {
                        d.insert("samples".into(), int(*v as u64));
                    }
                    if let Some(v) = noise {
                        d.insert("noise".into(), Value::Float(*v));
                    }
                    if let Some(v) = classes {
                        d.insert("classes".into(), int(*v as u64));
                    }
                    if let Some(v) = features {
                        d.insert("features".into(), int(*v as u64));
                    }
                }
                DatasetSource::Csv { path, target, features } => {
                    d.insert("csv".into(), Value::String(path.display().to_string()));
                    if let Some(t) = target {
                        d.insert("target".into(), Value::String(t.clone()));
                    }
                    if let Some(f) = features {
                        d.insert("features".into(), Value::Array(f.iter().map(|c| Value::String(c.clone())).collect()));
                    }
                }
            }
            d.insert("val_fraction".into(), Value::Float(dataset.val_fraction));
            d.insert("standardize".into(), Value::Boolean(dataset.standardize));
            objective.insert("dataset".into(), Value::Table(d));
        }
    }
    top.insert("objective".into(), Value::Table(objective));

    let mut stop = Table::new();
    if let Some(t) = s.stop.target_loss {
        stop.insert("target_loss".into(), Value::Float(t));
    }
    stop.insert("stop_at_target".into(), Value::Boolean(s.stop.stop_at_target));
    stop.insert("divergence_factor".into(), Value::Float(s.stop.divergence_factor));
    top.insert("stop".into(), Value::Table(stop));
    if let Some(config) = &s.tune {
        top.insert("tune".into(), Value::Table(super::tune::config_to_toml(config)));
    }

    let entries = s
        .optimizers
        .iter()
        .map(|e| {
            let mut t = Table::new();
            t.insert("kind".into(), Value::String(e.kind.name().into()));
            t.insert("label".into(), Value::String(e.label.clone()));
            for (name, value) in &e.hyper {
                t.insert(name.clone(), hyper(*value));
            }
            if let Some(b) = e.batch_size {
                t.insert("batch_size".into(), int(b as u64));
            }
            if let Some(f) = &e.fallback {
                t.insert("fallback".into(), f.to_toml(hyper));
            }
            let mut schedule = Table::new();
            schedule.insert("kind".into(), Value::String(e.schedule.kind.name().into()));
            match e.schedule.kind {
                ScheduleKind::Constant => {}
                ScheduleKind::Step { step_size, gamma } => {
                    schedule.insert("step_size".into(), int(step_size));
                    schedule.insert("gamma".into(), Value::Float(gamma));
                }
                ScheduleKind::Exponential { gamma } => {
                    schedule.insert("gamma".into(), Value::Float(gamma));
                }
                ScheduleKind::Cosine { t_max, eta_min } => {
                    // 0: the run's own length (an `epochs` budget), written as the default it is.
                    if t_max > 0 {
                        schedule.insert("t_max".into(), int(t_max));
                    }
                    schedule.insert("eta_min".into(), Value::Float(eta_min));
                }
            }
            schedule.insert("warmup".into(), int(e.schedule.warmup));
            t.insert("schedule".into(), Value::Table(schedule));
            if !e.tune.is_empty() {
                t.insert("tune".into(), Value::Table(super::tune::space_to_toml(&e.tune)));
            }
            if !e.sweep.is_empty() {
                let sweep: Table = e
                    .sweep
                    .iter()
                    .map(|(n, vs)| (n.clone(), Value::Array(vs.iter().map(|v| hyper(*v)).collect())))
                    .collect();
                t.insert("sweep".into(), Value::Table(sweep));
            }
            Value::Table(t)
        })
        .collect();
    top.insert("optimizer".into(), Value::Array(entries));

    if !s.events.is_empty() {
        let events = s
            .events
            .iter()
            .map(|e| {
                let mut t = Table::new();
                t.insert("step".into(), int(e.step));
                t.insert("run".into(), Value::String(e.run.clone()));
                for c in &e.changes {
                    t.insert(c.name.clone(), hyper(c.value));
                }
                Value::Table(t)
            })
            .collect();
        top.insert("event".into(), Value::Array(events));
    }
    // Serialising a table of plain values cannot fail.
    toml::to_string(&top).unwrap_or_else(|e| unreachable!("TOML serialisation failed: {e}"))
}
