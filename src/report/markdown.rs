//! report.md: the scenario, the ranking table, the charts with a sentence
//! each, and the learning-rate sensitivity.

use super::figures::Described;
use super::format::{duration_ms, percent, sig};
use super::ranking::{GroupStats, Ranking};
use super::results::ResultSet;
use super::sensitivity::SensitivityCurve;
use crate::optim::ScheduleKind;
use crate::scenario::{Scenario, fmt_hyper, fmt_num};
use std::fmt::Write;

/// Text for a table cell: pipes escaped, no line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn toml_inline(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Float(f) => fmt_num(*f),
        toml::Value::Array(items) => format!("[{}]", items.iter().map(toml_inline).collect::<Vec<_>>().join(", ")),
        toml::Value::Table(t) => {
            format!(
                "{{ {} }}",
                t.iter().map(|(k, v)| format!("{k} = {}", toml_inline(v))).collect::<Vec<_>>().join(", ")
            )
        }
        other => other.to_string(),
    }
}

/// The objective as `key = value` pairs from the resolved scenario, so every
/// kind of objective (functions, models and their datasets) shows all its settings.
fn objective_rows(scenario: &Scenario) -> Vec<(String, String)> {
    let Ok(resolved) = scenario.to_toml().parse::<toml::Table>() else { return Vec::new() };
    let Some(toml::Value::Table(objective)) = resolved.get("objective") else { return Vec::new() };
    let mut plain = Vec::new();
    let mut rows = Vec::new();
    for (k, v) in objective {
        match v {
            toml::Value::Table(t) => {
                let inner: Vec<String> = t.iter().map(|(k2, v2)| format!("`{k2} = {}`", toml_inline(v2))).collect();
                rows.push((k.clone(), inner.join(", ")));
            }
            _ => plain.push(format!("`{k} = {}`", toml_inline(v))),
        }
    }
    rows.insert(0, ("objective".to_string(), plain.join(", ")));
    rows
}

fn schedule_text(s: &crate::optim::Schedule) -> String {
    let mut t = match &s.kind {
        ScheduleKind::Constant => "constant".to_string(),
        ScheduleKind::Step { step_size, gamma } => {
            format!("step (step_size = {step_size}, gamma = {})", fmt_num(*gamma))
        }
        ScheduleKind::Exponential { gamma } => format!("exponential (gamma = {})", fmt_num(*gamma)),
        ScheduleKind::Cosine { t_max: 0, eta_min } => {
            format!("cosine (t_max = the run's updates, eta_min = {})", fmt_num(*eta_min))
        }
        ScheduleKind::Cosine { t_max, eta_min } => format!("cosine (t_max = {t_max}, eta_min = {})", fmt_num(*eta_min)),
    };
    if s.warmup > 0 {
        let _ = write!(t, ", warmup = {}", s.warmup);
    }
    t
}

fn scenario_section(out: &mut String, s: &Scenario) {
    let _ = writeln!(out, "## Scenario\n");
    let _ = writeln!(out, "| | |\n|---|---|");
    for (k, v) in objective_rows(s) {
        let _ = writeln!(out, "| {k} | {} |", cell(&v));
    }
    match s.epochs {
        Some(e) => {
            let _ = writeln!(
                out,
                "| epochs | {e} passes over the training set per run (updates: the batch size decides) |"
            );
        }
        None => {
            let _ = writeln!(out, "| steps | {} updates per run |", s.steps);
        }
    }
    let seeds = if s.seeds == 1 {
        format!("1 (seed {})", s.seed)
    } else {
        format!("{} (seeds {}–{})", s.seeds, s.seed, s.seed.wrapping_add(s.seeds - 1))
    };
    let _ = writeln!(out, "| seeds | {seeds} |");
    let target = match s.stop.target_loss {
        Some(t) if s.stop.stop_at_target => format!("target loss {} (a run stops there)", fmt_num(t)),
        Some(t) => format!("target loss {} (runs go on after reaching it)", fmt_num(t)),
        None => "no target loss".to_string(),
    };
    let _ = writeln!(
        out,
        "| stop | {target}; divergence: a non-finite loss or one above {} × max(1, \\|initial loss\\|) |",
        fmt_num(s.stop.divergence_factor)
    );
    if !s.events.is_empty() {
        let events: Vec<String> = s
            .events
            .iter()
            .map(|e| {
                let changes: Vec<String> =
                    e.changes.iter().map(|c| format!("{} = {}", c.name, fmt_hyper(c.value))).collect();
                format!("after step {}: {} → {}", e.step, e.run, changes.join(", "))
            })
            .collect();
        let _ = writeln!(out, "| events | {} |", cell(&events.join("; ")));
    }
    let _ = writeln!(out, "\n### Optimizers\n");
    let _ = writeln!(out, "| entry | kind | hyperparameters | schedule | sweep |\n|---|---|---|---|---|");
    for e in &s.optimizers {
        let hyper: Vec<String> = e
            .hyper
            .iter()
            .map(|(n, v)| {
                if e.sweep.iter().any(|(sn, _)| sn == n) {
                    format!("{n} = swept")
                } else {
                    format!("{n} = {}", fmt_hyper(*v))
                }
            })
            .chain(e.batch_size.map(|b| format!("batch_size = {b}")))
            .collect();
        let sweep: Vec<String> = e
            .sweep
            .iter()
            .map(|(n, vs)| format!("{n} ∈ {{{}}}", vs.iter().map(|v| fmt_hyper(*v)).collect::<Vec<_>>().join(", ")))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&e.label),
            e.kind.name(),
            cell(&hyper.join(", ")),
            cell(&schedule_text(&e.schedule)),
            if sweep.is_empty() { "—".to_string() } else { cell(&sweep.join("; ")) }
        );
    }
    let _ = writeln!(out);
}

fn final_loss_cell(g: &GroupStats) -> String {
    let q = g.final_loss;
    let median = if q.median.is_infinite() { "∞ (diverged)".to_string() } else { sig(q.median, 4) };
    if g.seeds() > 1 { format!("{median} {}", iqr(q.q1, q.q3, 4)) } else { median }
}

/// `[Q1, Q3]` with as many significant digits as the median beside it, and
/// more when that many would print two different quartiles alike.
fn iqr(q1: f64, q3: f64, digits: usize) -> String {
    let mut d = digits;
    while d < 12 && q1 != q3 && sig(q1, d) == sig(q3, d) {
        d += 1;
    }
    format!("[{}, {}]", sig(q1, d), sig(q3, d))
}

fn ranking_section(out: &mut String, results: &ResultSet, ranking: &Ranking, partial: Option<Partial>) {
    let has_target = ranking.has_target;
    let has_val_loss = ranking.groups.iter().any(|g| g.val_loss.is_some());
    let has_acc = ranking.groups.iter().any(|g| g.val_accuracy.is_some());
    let seeds = ranking.groups.iter().map(|g| g.seeds()).max().unwrap_or(1);
    let _ = writeln!(out, "## Ranking\n");
    let mut intro = format!(
        "One row per run label ({} rows, {} runs), over {}. Ranked {}; rows equal on every key share a rank.",
        ranking.groups.len(),
        results.runs.len(),
        if seeds > 1 { format!("{seeds} seeds") } else { "one seed".into() },
        ranking.rule.describe(),
    );
    if seeds > 1 {
        intro.push_str(
            " Final loss is the median over seeds with the interquartile range [Q1, Q3]; quartiles interpolate \
             linearly between order statistics (numpy's default).",
        );
    }
    if has_target {
        intro
            .push_str(" Success means reaching the target loss; steps to target is the median over the runs that did.");
    } else {
        intro.push_str(" The scenario sets no `target_loss`, so there is no steps to target or success rate.");
    }
    let _ = writeln!(out, "{intro}\n");
    let loss_header = if partial.is_some() { "latest loss" } else { "final loss" };
    let mut header = vec!["rank", "run", loss_header, "best loss"];
    let mut align = vec!["---:", "---", "---", "---"];
    if has_target {
        header.extend(["steps to target", "success"]);
        align.extend(["---:", "---:"]);
    }
    header.push("diverged");
    align.push("---:");
    if has_val_loss {
        header.push("val. loss");
        align.push("---");
    }
    if has_acc {
        header.push("val. accuracy");
        align.push("---:");
    }
    header.push("wall time");
    align.push("---:");
    let _ = writeln!(out, "| {} |\n|{}|", header.join(" | "), align.join("|"));
    for i in ranking.order() {
        let g = &ranking.groups[i];
        let running: Vec<u64> = g
            .runs
            .iter()
            .map(|&r| &results.runs[r].summary)
            .filter(|s| s.status == crate::engine::Status::Running)
            .map(|s| s.steps)
            .collect();
        let label = match running.iter().max() {
            Some(step) => format!("{} *(running, step {step})*", cell(&g.label)),
            None => cell(&g.label),
        };
        let mut row = vec![g.rank.to_string(), label, final_loss_cell(g), sig(g.best_loss, 4)];
        if has_target {
            row.push(g.steps_to_target.map(|s| sig(s, 6)).unwrap_or_else(|| "—".into()));
            row.push(match g.success_rate(true) {
                Some(r) => format!("{}/{} ({})", g.successes, g.seeds(), percent(r)),
                None => "—".into(),
            });
        }
        row.push(format!("{}/{}", g.diverged, g.seeds()));
        if has_val_loss {
            row.push(g.val_loss.map(|v| sig(v, 4)).unwrap_or_else(|| "—".into()));
        }
        if has_acc {
            row.push(g.val_accuracy.map(percent).unwrap_or_else(|| "—".into()));
        }
        row.push(duration_ms(g.wall_ms));
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    let _ =
        writeln!(out, "\nWall time is the median time one run spent stepping (it varies from machine to machine).\n");
}

fn sensitivity_section(out: &mut String, curves: &[SensitivityCurve], f_star: Option<f64>) {
    if curves.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Learning-rate sensitivity\n");
    let measure = match f_star {
        Some(f) if f != 0.0 => format!("the gap to the minimum f* = {}", sig(f, 4)),
        _ => "the median final loss".to_string(),
    };
    let _ = writeln!(
        out,
        "For each optimizer that sweeps `lr`: the lr with the lowest median final loss, and the contiguous range of \
         swept rates within 10% of that best (measured on {measure}).\n"
    );
    let _ = writeln!(
        out,
        "| optimizer | best lr | final loss at best | within 10% of best | width |\n|---|---:|---|---|---:|"
    );
    for c in curves {
        match (c.best_point(), c.good_range) {
            (Some(b), Some((lo, hi, n))) => {
                let range = if n == 1 {
                    format!("only {} (1 of {} values)", fmt_num(b.lr), c.points.len())
                } else {
                    format!("{} to {} ({n} of {} values)", fmt_num(lo), fmt_num(hi), c.points.len())
                };
                let width = if hi > lo { format!("×{}", sig(hi / lo, 3)) } else { "—".to_string() };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    cell(&c.label),
                    fmt_num(b.lr),
                    sig(b.final_loss.median, 4),
                    range,
                    width
                );
            }
            _ => {
                let _ = writeln!(out, "| {} | — | every swept lr diverged | — | — |", cell(&c.label));
            }
        }
    }
    let _ = writeln!(out);
}

/// The whole report.
/// An export taken while runs were still going: how many were running, and
/// the most updates any run had made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partial {
    pub running: usize,
    pub at_step: u64,
}

/// `Some` when some run of `results` is still running (an export from the lab).
pub fn partial(results: &ResultSet) -> Option<Partial> {
    let running = results.runs.iter().filter(|r| r.summary.status == crate::engine::Status::Running).count();
    let at_step = results.runs.iter().map(|r| r.summary.steps).max().unwrap_or(0);
    (running > 0).then_some(Partial { running, at_step })
}

pub fn report(
    results: &ResultSet,
    ranking: &Ranking,
    curves: &[SensitivityCurve],
    figures: &[Described],
    f_star: Option<f64>,
) -> String {
    let s = &results.scenario;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", s.name.trim());
    let partial = partial(results);
    if let Some(p) = partial {
        let planned = match s.epochs {
            Some(e) => format!("{e} epochs per run"),
            None => format!("{} updates per run", s.steps),
        };
        let _ = writeln!(
            out,
            "> **Partial results, status running**: exported from the lab at step {} while {} of {} runs were \
             still running (the scenario asks for {planned}). Losses are the latest, not final; rows marked \
             *running* have not finished.\n",
            p.at_step,
            p.running,
            results.runs.len()
        );
    }
    if !s.description.trim().is_empty() {
        let _ = writeln!(out, "{}\n", s.description.trim());
    }
    scenario_section(&mut out, s);
    ranking_section(&mut out, results, ranking, partial);
    let _ = writeln!(out, "## Charts\n");
    for d in figures.iter().filter(|d| d.file != "sensitivity.svg") {
        let _ = writeln!(out, "![{}]({})\n\n{}\n", d.alt, d.file, d.sentence);
    }
    if let Some(d) = figures.iter().find(|d| d.file == "sensitivity.svg") {
        sensitivity_section(&mut out, curves, f_star);
        let _ = writeln!(out, "![{}]({})\n\n{}\n", d.alt, d.file, d.sentence);
    }
    let _ = writeln!(
        out,
        "---\nMade by optlab {} from `steps.csv`, `summary.csv` and `scenario.toml` in this folder; \
         `optlab report <folder>` rebuilds it, and `optlab run scenario.toml` reruns it.",
        env!("CARGO_PKG_VERSION")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{FixtureRun, write_folder};
    use crate::report::ranking::tests::{FOUR, four_runs};
    use crate::report::sensitivity::sensitivity;

    #[test]
    fn the_ranking_table_shows_medians_quartiles_success_and_shared_ranks() {
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), FOUR, &four_runs());
        let results = ResultSet::read(dir.path()).unwrap();
        let ranking = Ranking::new(&results);
        let text = report(&results, &ranking, &[], &[], Some(0.0));
        let table: Vec<&str> = text.lines().filter(|l| l.starts_with("| ") && l.ends_with(" ms |")).collect();
        assert_eq!(
            table,
            [
                "| 1 | B | 2.5 [1.75, 3.25] | 2.5 | 6 | 3/4 (75%) | 0/4 | 1.5 ms |",
                "| 2 | A | 2.5 [1.75, 3.25] | 2.5 | 6 | 2/4 (50%) | 0/4 | 1.5 ms |",
                "| 2 | D | 2.5 [1.75, 3.25] | 2.5 | 6 | 2/4 (50%) | 0/4 | 1.5 ms |",
                "| 4 | C | ∞ (diverged) [0.175, ∞] | 5.1 | — | 0/4 (0%) | 2/4 | 1.5 ms |",
            ]
        );
        assert!(
            text.contains("| rank | run | final loss | best loss | steps to target | success | diverged | wall time |")
        );
        assert!(text.contains("| seeds | 4 (seeds 0–3) |"));
        assert!(
            text.contains("| A | sgd | lr = 0.001, momentum = 0, dampening = 0, nesterov = false, weight_decay = 0 |")
        );
        assert!(text.contains("| objective | `kind = \"rosenbrock\"`"));
    }

    #[test]
    fn quartiles_get_the_medians_digits_and_more_when_they_would_read_alike() {
        assert_eq!(iqr(12.9312, 13.0149, 4), "[12.93, 13.01]");
        assert_eq!(iqr(12.95101, 12.95149, 4), "[12.951, 12.9515]");
        assert_eq!(iqr(1.75, 3.25, 4), "[1.75, 3.25]");
        assert_eq!(iqr(2.0, 2.0, 4), "[2, 2]");
    }

    #[test]
    fn the_loss_axis_reaches_the_lowest_loss_and_zeros_go_on_a_named_floor() {
        let scenario = "name = \"Deep\"\n[objective]\nkind = \"rosenbrock\"\n\
                        [[optimizer]]\nkind = \"sgd\"\nlabel = \"A\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"B\"\n";
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), scenario, &[FixtureRun::new("A", 0, 1e-29), FixtureRun::new("B", 0, 0.0)]);
        let results = ResultSet::read(dir.path()).unwrap();
        let ranking = Ranking::new(&results);
        let loss = crate::report::figures::loss(&results, &ranking, Some(0.0));
        let y = &loss.figure.panels[0].y;
        assert!(y.log && y.range.0 < 1e-29 && y.range.0 > 0.99e-30, "{:?}", y.range);
        let floor = loss.figure.legend.iter().find(|e| e.label.starts_with("floor")).expect("a floor entry");
        assert_eq!(floor.label, "floor 1e-30: a gap of 0 (exactly f*)");
        assert!(loss.sentence.contains("grey floor"), "{}", loss.sentence);
        // Without zeros there is no floor to name.
        write_folder(dir.path(), scenario, &[FixtureRun::new("A", 0, 1e-29), FixtureRun::new("B", 0, 1e-3)]);
        let results = ResultSet::read(dir.path()).unwrap();
        let loss = crate::report::figures::loss(&results, &Ranking::new(&results), Some(0.0));
        assert!(loss.figure.legend.iter().all(|e| !e.label.starts_with("floor")));
    }

    #[test]
    fn an_export_taken_mid_run_says_it_is_partial() {
        let scenario = "name = \"Live\"\nsteps = 3000\n[objective]\nkind = \"rosenbrock\"\n\
                        [[optimizer]]\nkind = \"sgd\"\nlabel = \"A\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"B\"\n";
        let mut a = FixtureRun::new("A", 0, 0.5).running();
        a.losses = (0..=1078).map(|k| 10.0 / (1.0 + k as f64)).collect();
        let b = FixtureRun::new("B", 0, 1e9).diverged(40);
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), scenario, &[a, b]);
        let results = ResultSet::read(dir.path()).unwrap();
        assert_eq!(partial(&results), Some(Partial { running: 1, at_step: 1078 }));
        let ranking = Ranking::new(&results);
        let text = report(&results, &ranking, &[], &[], Some(0.0));
        assert!(
            text.contains(
                "**Partial results, status running**: exported from the lab at step 1078 while 1 of 2 runs were \
                 still running (the scenario asks for 3000 updates per run)"
            ),
            "{text}"
        );
        assert!(text.contains("| rank | run | latest loss | best loss |"), "{text}");
        assert!(text.contains("| A *(running, step 1078)* |"), "{text}");
        assert!(!text.contains("final loss |"), "{text}");
        // The chart says so too.
        let loss = crate::report::figures::loss(&results, &ranking, Some(0.0));
        assert!(loss.figure.title.ends_with("(partial: running, at step 1078)"), "{}", loss.figure.title);
        // A finished run's folder is not partial.
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), scenario, &[FixtureRun::new("A", 0, 0.5), FixtureRun::new("B", 0, 0.4)]);
        assert_eq!(partial(&ResultSet::read(dir.path()).unwrap()), None);
    }

    #[test]
    fn sensitivity_names_the_best_lr_and_the_range_within_ten_percent() {
        let scenario = r#"
name = "Sweep"
[objective]
kind = "rosenbrock"
[[optimizer]]
kind = "sgd"
label = "S"
sweep = { lr = [0.001, 0.01, 0.1, 1.0, 10.0] }
[[optimizer]]
kind = "sgd"
label = "T"
sweep = { lr = [0.001, 0.01] }
"#;
        use crate::report::fixtures::FixtureRun;
        let runs = vec![
            FixtureRun::new("S lr=0.001", 0, 5.0),
            FixtureRun::new("S lr=0.01", 0, 1.05),
            FixtureRun::new("S lr=0.1", 0, 1.0),
            FixtureRun::new("S lr=1", 0, 1.09),
            FixtureRun::new("S lr=10", 0, 1e12).diverged(2),
            FixtureRun::new("T lr=0.001", 0, 1e12).diverged(2),
            FixtureRun::new("T lr=0.01", 0, f64::NAN).diverged(1),
        ];
        let dir = tempfile::tempdir().unwrap();
        write_folder(dir.path(), scenario, &runs);
        let results = ResultSet::read(dir.path()).unwrap();
        let ranking = Ranking::new(&results);
        let curves = sensitivity(&ranking, &["S".to_string(), "T".to_string()], Some(0.0), 1e-12);
        assert_eq!(curves.len(), 2);
        assert_eq!(curves[0].best_point().map(|p| p.lr), Some(0.1));
        assert_eq!(curves[0].good_range, Some((0.01, 1.0, 3)));
        assert_eq!(curves[1].best, None);
        let mut out = String::new();
        sensitivity_section(&mut out, &curves, Some(0.0));
        assert!(out.contains("| S | 0.1 | 1 | 0.01 to 1 (3 of 5 values) | ×100 |"), "{out}");
        assert!(out.contains("| T | — | every swept lr diverged | — | — |"), "{out}");
    }
}
