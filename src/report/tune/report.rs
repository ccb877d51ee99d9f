//! trials.csv and report.md of a tuning.

use super::Tuned;
use super::charts::{best_so_far_figure, sensitivity_figure};
use crate::report::charts;
use crate::report::csv::fmt_f64;
use crate::report::format::sig;
use crate::report::output::OutputError;
use crate::report::stats::{Quartiles, competition_ranks, quartiles};
use crate::scenario::{Scenario, fmt_hyper};
use crate::tune::{Metric, TrialStatus, best_so_far};
use std::fmt::Write as _;
use std::path::Path;

fn io(path: &Path) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.display().to_string(), source }
}

/// The hyperparameter columns of trials.csv: every tuned name, in order of first appearance.
pub fn hyper_columns(tuned: &Tuned) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for entry in &tuned.tuner.entries {
        for (name, _) in &entry.space {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// trials.csv: `entry,label,trial,rung,updates,grad_evals,<hyperparameters>,metric,status,note`,
/// one row per trial and rung, sorted by entry, rung, trial.
pub fn write_trials_csv(path: &Path, tuned: &Tuned) -> Result<(), OutputError> {
    let columns = hyper_columns(tuned);
    let csv_error = |source| OutputError::Csv { path: path.display().to_string(), source };
    let mut w = ::csv::Writer::from_path(path).map_err(csv_error)?;
    let mut header: Vec<String> =
        ["entry", "label", "trial", "rung", "updates", "grad_evals"].iter().map(|s| s.to_string()).collect();
    header.extend(columns.iter().cloned());
    header.extend(["metric", "status", "note"].iter().map(|s| s.to_string()));
    w.write_record(&header).map_err(csv_error)?;
    for r in &tuned.results {
        let t = &r.trial;
        let mut row = vec![
            t.entry.to_string(),
            tuned.tuner.entries[t.entry].label.clone(),
            t.trial.to_string(),
            t.rung.to_string(),
            t.updates.to_string(),
            t.grad_evals.to_string(),
        ];
        for name in &columns {
            row.push(t.values.iter().find(|(n, _)| n == name).map(|(_, v)| hyper_cell(*v)).unwrap_or_default());
        }
        row.push(r.metric.map(fmt_f64).unwrap_or_default());
        row.push(r.status.name().to_string());
        row.push(match &r.status {
            TrialStatus::Invalid(reason) => reason.clone(),
            _ => String::new(),
        });
        w.write_record(&row).map_err(csv_error)?;
    }
    w.flush().map_err(io(path))
}

/// A value for people: four significant digits (tuned.toml has the exact one).
fn short(v: crate::optim::Hyper) -> String {
    match v {
        crate::optim::Hyper::Float(x) => sig(x, 4),
        other => fmt_hyper(other),
    }
}

fn hyper_cell(v: crate::optim::Hyper) -> String {
    match v {
        crate::optim::Hyper::Float(x) => fmt_f64(x),
        crate::optim::Hyper::Bool(b) => b.to_string(),
        crate::optim::Hyper::Choice(s) => s.to_string(),
    }
}

/// Quartiles of a metric over seeds; failures count as the worst value.
pub fn metric_quartiles(metric: Metric, values: &[Option<f64>]) -> Option<Quartiles> {
    let worst = if metric.maximize() { f64::NEG_INFINITY } else { f64::INFINITY };
    let v: Vec<f64> = values.iter().map(|x| x.unwrap_or(worst)).collect();
    quartiles(&v)
}

fn fmt_q(q: Option<Quartiles>) -> String {
    match q {
        Some(q) if q.median.is_finite() => format!("{} [{}, {}]", sig(q.median, 4), sig(q.q1, 3), sig(q.q3, 3)),
        Some(_) => "fails".into(),
        None => "—".into(),
    }
}

/// The gain of tuned over defaults, in words.
pub fn gain(metric: Metric, tuned: Option<Quartiles>, defaults: Option<Quartiles>) -> String {
    let (Some(t), Some(d)) = (tuned, defaults) else { return "—".into() };
    let (t, d) = (t.median, d.median);
    match (t.is_finite(), d.is_finite()) {
        (false, _) => "none (tuned fails)".into(),
        (true, false) => "defaults fail".into(),
        _ if metric.maximize() => format!("{:+.1} points", 100.0 * (t - d)),
        _ if t == d => "none".into(),
        _ if t > 0.0 && d > 0.0 && (d / t - 1.0).abs() < 0.005 => "none (under 0.5%)".into(),
        _ if t <= 0.0 || d <= 0.0 => format!("{} → {}", sig(d, 3), sig(t, 3)),
        _ if d > t => format!("{}× lower", sig(d / t, 3)),
        _ => format!("{}× higher (worse)", sig(t / d, 3)),
    }
}

/// report.md with best_so_far.svg and a sensitivity chart per entry.
pub fn write_report(
    dir: &Path,
    scenario: &Scenario,
    tuned: &Tuned,
    confirmed: &[Vec<Option<f64>>],
    defaults: &[Vec<Option<f64>>],
) -> Result<(), OutputError> {
    let tuner = &tuned.tuner;
    let config = &tuner.config;
    let metric = config.metric;
    let chart =
        |file: &str, figure: &charts::Figure| charts::write(&dir.join(file), figure).map_err(OutputError::Report);
    chart("best_so_far.svg", &best_so_far_figure(tuned))?;

    let mut md = String::new();
    let _ = writeln!(md, "# Tuning: {}\n", scenario.name);
    if !scenario.description.is_empty() {
        let _ = writeln!(md, "{}\n", scenario.description);
    }
    let full_runs = config.budget as f64 / (scenario.steps * config.seeds) as f64;
    let _ = writeln!(
        md,
        "Every entry had the same budget: **{} gradient evaluations** (about {} runs of {} updates on {} seed{}). \
         Sampler: **{}**{}. Metric: **{}** ({}), the mean over each trial's seeds; a trial that diverges on any seed fails.",
        config.budget,
        sig(full_runs, 3),
        scenario.steps,
        config.seeds,
        if config.seeds == 1 { "" } else { "s" },
        config.sampler.name(),
        match config.halving {
            Some(h) => format!(
                ", with successive halving (η = {}, rungs of {} updates)",
                h.eta,
                tuner
                    .schedule(0)
                    .map(|s| s.lengths.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default()
            ),
            None => String::new(),
        },
        metric.name(),
        metric.direction(),
    );
    let _ = writeln!(
        md,
        "\nEach entry's best configuration was then run on {} fresh seeds never used while tuning \
         ([`confirm/`](confirm/report.md), reproduced by `optlab run tuned.toml`), and so were the scenario's own \
         settings (\"defaults\").\n",
        config.confirm_seeds
    );

    let tuned_q: Vec<Option<Quartiles>> = confirmed.iter().map(|v| metric_quartiles(metric, v)).collect();
    let default_q: Vec<Option<Quartiles>> = defaults.iter().map(|v| metric_quartiles(metric, v)).collect();
    let keys: Vec<f64> = tuned_q.iter().map(|q| metric.cost(q.map(|q| q.median).filter(|m| m.is_finite()))).collect();
    let ranks = competition_ranks(&keys, |a, b| a.total_cmp(b));
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| ranks[a].cmp(&ranks[b]).then(a.cmp(&b)));
    let _ = writeln!(md, "## Ranking, with {} gradient evaluations of tuning per entry\n", config.budget);
    let _ = writeln!(
        md,
        "{} on the {} confirm seeds: median [interquartile range].\n",
        metric.name(),
        config.confirm_seeds
    );
    let _ = writeln!(md, "| rank | entry | tuned | defaults | gain from tuning | best configuration |");
    let _ = writeln!(md, "|---:|---|---|---|---|---|");
    for &e in &order {
        let best = match &tuned.best[e] {
            Some(b) => {
                b.trial.values.iter().map(|(n, v)| format!("{n} = {}", short(*v))).collect::<Vec<_>>().join(", ")
            }
            None => "no trial succeeded: defaults kept".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            ranks[e],
            tuner.entries[e].label,
            fmt_q(tuned_q[e]),
            fmt_q(default_q[e]),
            gain(metric, tuned_q[e], default_q[e]),
            best
        );
    }

    let _ = writeln!(md, "\n## Trials\n");
    let _ = writeln!(
        md,
        "| entry | space | trials | ok | diverged | invalid | no metric | evaluations spent | best trial |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---|");
    for (e, entry) in tuner.entries.iter().enumerate() {
        let mine: Vec<_> = tuned.results.iter().filter(|r| r.trial.entry == e).collect();
        let count = |f: &dyn Fn(&TrialStatus) -> bool| mine.iter().filter(|r| f(&r.status)).count();
        let first_rung = mine.iter().filter(|r| r.trial.rung == 0).count();
        let spent: u64 = mine.iter().map(|r| r.trial.grad_evals).sum();
        let space = entry.space.iter().map(|(n, s)| format!("{n}: {}", s.describe())).collect::<Vec<_>>().join("; ");
        let best = tuned.best[e].as_ref().map_or("—".to_string(), |b| {
            format!("#{} ({} = {})", b.trial.trial, metric.name(), b.metric.map_or("—".into(), |m| sig(m, 4)))
        });
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            entry.label,
            space,
            first_rung,
            count(&|s| matches!(s, TrialStatus::Ok)),
            count(&|s| matches!(s, TrialStatus::Diverged)),
            count(&|s| matches!(s, TrialStatus::Invalid(_))),
            count(&|s| matches!(s, TrialStatus::NoMetric)),
            spent,
            best
        );
    }
    if config.halving.is_some() {
        let _ = writeln!(md, "\nWith halving, the counts of ok, diverged, invalid and no-metric cover every rung.");
    }

    let _ = writeln!(md, "\n## Has the tuning converged?\n");
    let _ = writeln!(md, "![best so far](best_so_far.svg)\n");
    let _ = writeln!(
        md,
        "The best full-length {} found so far against the budget spent. A curve still falling at the right end \
         says a larger budget would likely find better settings.\n",
        metric.name()
    );
    if config.halving.is_some() {
        let _ = writeln!(
            md,
            "With successive halving, trials reach the full length only in the last rung: the curves start there.\n"
        );
    }
    for (e, entry) in tuner.entries.iter().enumerate() {
        let curve = best_so_far(tuner, e, &tuned.results);
        let last = curve.last().and_then(|p| p.1);
        let found = curve.iter().find(|p| p.1.is_some() && p.1 == last).map(|p| p.0);
        match (last, found) {
            (Some(_), Some(at)) => {
                let _ = writeln!(
                    md,
                    "- {}: final best found after {} of {} evaluations ({}).",
                    entry.label,
                    at,
                    config.budget,
                    crate::report::format::percent(at as f64 / config.budget as f64)
                );
            }
            _ => {
                let _ = writeln!(md, "- {}: no full-length trial succeeded.", entry.label);
            }
        }
    }

    let _ = writeln!(md, "\n## Sensitivity\n");
    let _ = writeln!(
        md,
        "{} of every full-length trial against each tuned hyperparameter (log axes where the space is log; \
         crosses: failed trials; triangle: the best; with halving, rings: every trial at the first rung's length).\n",
        metric.name()
    );
    for e in 0..tuner.entries.len() {
        if let Some(figure) = sensitivity_figure(tuned, e) {
            let file = format!("sensitivity-{}.svg", e + 1);
            chart(&file, &figure)?;
            let _ = writeln!(md, "![{}]({file})\n", tuner.entries[e].label);
        }
    }
    let _ = writeln!(md, "## Files\n");
    let _ = writeln!(
        md,
        "- `trials.csv`: one row per trial and rung (entry, trial, rung, updates, gradient evaluations charged, each hyperparameter, metric, status)."
    );
    let _ = writeln!(
        md,
        "- `tuned.toml`: the scenario at its best configurations with the confirm seeds: `optlab run tuned.toml`, `optlab tui tuned.toml`."
    );
    let _ = writeln!(md, "- `confirm/`: the result folder of that run.");
    let path = dir.join("report.md");
    std::fs::write(&path, md).map_err(io(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(median: f64) -> Option<Quartiles> {
        Some(Quartiles { q1: median, median, q3: median })
    }

    #[test]
    fn gains_read_the_right_way_for_each_metric() {
        assert_eq!(gain(Metric::FinalLoss, q(0.01), q(1.0)), "100× lower");
        assert_eq!(gain(Metric::FinalLoss, q(2.0), q(1.0)), "2× higher (worse)");
        assert_eq!(gain(Metric::FinalLoss, q(1.0), q(1.0)), "none");
        assert_eq!(gain(Metric::FinalLoss, q(1.0), q(1.001)), "none (under 0.5%)");
        assert_eq!(gain(Metric::FinalLoss, q(0.5), q(f64::INFINITY)), "defaults fail");
        assert_eq!(gain(Metric::FinalLoss, q(f64::INFINITY), q(1.0)), "none (tuned fails)");
        assert_eq!(gain(Metric::ValAccuracy, q(0.95), q(0.9)), "+5.0 points");
        assert_eq!(gain(Metric::StepsToTarget, q(100.0), q(300.0)), "3× lower");
        assert_eq!(gain(Metric::FinalLoss, q(0.0), q(1e-3)), "0.001 → 0");
    }

    #[test]
    fn failed_seeds_count_as_the_worst_value() {
        let v = [Some(1.0), None, Some(3.0)];
        assert_eq!(metric_quartiles(Metric::FinalLoss, &v).unwrap().median, 3.0);
        assert_eq!(metric_quartiles(Metric::ValAccuracy, &v).unwrap().median, 1.0);
        assert_eq!(metric_quartiles(Metric::FinalLoss, &[]), None);
    }
}
