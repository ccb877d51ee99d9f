//! The catalog that `optlab list` prints: optimizers, objectives, datasets and
//! bundled scenarios, each with its parameters and defaults.

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
    for &kind in FunctionKind::ALL {
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
    s
}

/// Four significant digits, for reading rather than for copying.
fn short(x: f64) -> String {
    let r: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    fmt_num(r)
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
    String::from("Datasets: none yet in this build (models on data arrive with the data module)\n")
}
