//! The catalog that `optlab list` prints: optimizers, objectives, datasets and
//! bundled scenarios, each with its parameters and defaults.

use crate::data::builtin_datasets;
use crate::objective::models::ModelKind;
use crate::objective::{FunctionKind, FunctionParams};
use crate::optim::OptimizerKind;
use crate::scenario::{BUNDLED, Origin, Scenario, fmt_hyper, fmt_num};
use std::fmt::Write;

pub fn optimizers() -> String {
    let mut s = String::from("Optimizers (torch.optim semantics and defaults; Lion after Chen et al. 2023)\n\n");
    for kind in OptimizerKind::ALL {
        let _ = writeln!(s, "{:<9} {}", kind.name(), kind.summary());
        let params: Vec<String> =
            kind.specs().iter().map(|p| format!("{} = {}", p.name, fmt_hyper(p.default))).collect();
        let _ = writeln!(s, "          {}", params.join(", "));
    }
    s.push_str("\nAny entry also takes: label, batch_size, sweep = { lr = [...] }, schedule = { kind = ... }\n");
    s.push_str("Schedules: constant; step (step_size, gamma = 0.1); exponential (gamma); cosine (t_max = steps, eta_min = 0); all take warmup = N\n");
    s
}

pub fn objectives() -> String {
    let mut s = String::from("Analytic objectives ([objective] kind = ..., start = [...], noise = 0)\n\n");
    let models = models();
    for &kind in FunctionKind::ALL.iter().chain([&FunctionKind::Expr]) {
        let _ = writeln!(s, "{:<17} {}", kind.name(), kind.summary());
        if let Ok(f) = kind.build(&FunctionParams::default()) {
            let minima: Vec<String> = f
                .minima()
                .iter()
                .take(4)
                .map(|m| format!("({})", m.iter().map(|v| short(*v)).collect::<Vec<_>>().join(", ")))
                .collect();
            let start = f.default_start().iter().map(|v| short(*v)).collect::<Vec<_>>().join(", ");
            let min = f.min_value().map(short).unwrap_or_else(|| "?".into());
            let _ = writeln!(
                s,
                "                  {}-D{}; minimum {min} at {}; default start ({start})",
                f.dim(),
                if kind.is_nd() { " by default (dim = N)" } else { "" },
                minima.join(" ")
            );
        }
    }
    s.push_str(&models);
    s
}

/// Four significant digits, for reading rather than for copying.
fn short(x: f64) -> String {
    let r: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    fmt_num(r)
}

fn models() -> String {
    let mut s = String::from("\nModels on a dataset ([objective] kind = ..., with [objective.dataset])\n\n");
    for kind in ModelKind::ALL {
        let _ = writeln!(s, "{:<17} {}", kind.name(), kind.summary());
    }
    s.push_str("                  keys: l2 = 0 (weights only), batch_size = 0 (full batch), eval_every = 1,\n");
    s.push_str(
        "                  init = zeros | xavier | he; mlp: hidden = [32, 32], activation = relu | tanh | sigmoid\n",
    );
    s
}

pub fn scenarios() -> String {
    let mut s = String::from("Bundled scenarios (optlab run NAME, optlab tui NAME)\n\n");
    for b in BUNDLED {
        match Scenario::parse(b.text, Origin::Bundled(b.name)) {
            Ok(sc) => {
                let _ = writeln!(s, "{:<22} {}", b.name, sc.name);
                let first = sc.description.split(". ").next().unwrap_or("").trim();
                if !first.is_empty() {
                    let _ = writeln!(s, "{:<22} {}", "", first.trim_end_matches('.'));
                }
            }
            Err(e) => {
                let _ = writeln!(s, "{:<22} (invalid: {e})", b.name);
            }
        }
    }
    s
}

pub fn datasets() -> String {
    let mut s =
        String::from("Datasets ([objective.dataset] builtin = NAME, or csv = \"file.csv\", target = \"column\")\n\n");
    let infos = builtin_datasets();
    let width = infos.iter().map(|i| i.name.len()).max().unwrap_or(8).max(8);
    let _ =
        writeln!(s, "{:<width$}  {:<9}  {:>7}  {:>8}  {:<14}  source", "name", "kind", "samples", "features", "task");
    for info in infos {
        let _ = writeln!(
            s,
            "{:<width$}  {:<9}  {:>7}  {:>8}  {:<14}  {}",
            info.name,
            info.kind.name(),
            info.samples,
            info.features,
            info.task(),
            info.source
        );
        let options: Vec<String> = info.options.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let mut detail = info.summary.to_string();
        if !options.is_empty() {
            detail.push_str(&format!(" ({})", options.join(", ")));
        }
        let _ = writeln!(s, "{:<width$}  {detail}", "");
    }
    s.push_str(
        "\nSynthetic datasets take samples and noise (blobs, spirals: classes; blobs, linear: features); all take\n",
    );
    s.push_str("val_fraction (0.2) and standardize (true). CSV: a header row, numeric features, the target\n");
    s.push_str("column (default: the last) with class labels (strings or integers) or numbers.\n");
    s
}
