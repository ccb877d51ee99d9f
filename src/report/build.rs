//! Making a report: read the result files, rank, draw, write report.md.

use super::charts;
use super::figures;
use super::markdown;
use super::output::{OutputError, write_folder_atomically_until};
use super::ranking::Ranking;
use super::results::{ReportError, ResultSet, io_error};
use super::sensitivity::sensitivity;
use crate::objective::TestFunction;
use crate::scenario::{ObjectiveSpec, Scenario};
use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// The files a report writes into a result folder (the charts only when they apply).
pub const REPORT_FILES: [&str; 5] = ["report.md", "loss.svg", "trajectories.svg", "sensitivity.svg", "validation.svg"];

/// The analytic function of a scenario, if its objective is one.
pub fn test_function(scenario: &Scenario) -> Option<Box<dyn TestFunction>> {
    match &scenario.objective {
        ObjectiveSpec::Function { .. } | ObjectiveSpec::Expr { .. } => scenario.build_function().ok(),
        ObjectiveSpec::Model { .. } => None,
    }
}

/// Read the result files in `dir` and write report.md and its charts beside them.
pub fn write_report(dir: &Path) -> Result<(), ReportError> {
    let results = ResultSet::read(dir)?;
    write_report_from(&results, dir)
}

/// Write report.md and its charts for `results` into `out`.
pub fn write_report_from(results: &ResultSet, out: &Path) -> Result<(), ReportError> {
    let function = test_function(&results.scenario);
    let f_star = function.as_ref().and_then(|f| f.min_value());
    let ranking = Ranking::new(results);
    let labels: Vec<String> = results.scenario.optimizers.iter().map(|e| e.label.clone()).collect();
    let curves = sensitivity(&ranking, &labels, f_star, results.solved_gap(f_star));
    let mut described = vec![figures::loss(results, &ranking, f_star)];
    if let Some(f) = &function
        && let Some(d) = figures::trajectories(results, &ranking, f.as_ref())
    {
        described.push(d);
    }
    if let Some(d) = figures::validation(results, &ranking) {
        described.push(d);
    }
    if let Some(d) = figures::sensitivity(results, &curves, f_star) {
        described.push(d);
    }
    for d in &described {
        charts::write(&out.join(d.file), &d.figure)?;
    }
    let text = markdown::report(results, &ranking, &curves, &described, f_star);
    let path = out.join("report.md");
    fs::write(&path, text).map_err(io_error(&path))
}

/// Rebuild the report of a result folder in place, atomically: a new folder
/// with the same result files (hard links where possible) and a fresh report
/// replaces the old one, so stale charts do not survive.
pub fn rebuild_in_place(dir: &Path) -> Result<(), OutputError> {
    rewrite_report(&ResultSet::read(dir)?)
}

/// [`rebuild_in_place`] for results already read from their folder.
pub fn rewrite_report(results: &ResultSet) -> Result<(), OutputError> {
    rewrite_report_until(results, None)
}

/// [`rewrite_report`] that leaves the folder as it was once `cancel` is set.
pub fn rewrite_report_until(results: &ResultSet, cancel: Option<&AtomicBool>) -> Result<(), OutputError> {
    let dir = &results.dir;
    let dir = dir.canonicalize().map_err(|source| OutputError::Io { path: dir.display().to_string(), source })?;
    write_folder_atomically_until(&dir, cancel, |partial| {
        link_tree(&dir, partial, true)?;
        write_report_from(results, partial)?;
        Ok(())
    })
}

/// Hard-link (or copy) the files of `from` into `to`, recursively, leaving out
/// the report's own files at the top level.
fn link_tree(from: &Path, to: &Path, top: bool) -> Result<(), OutputError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| OutputError::Io { path: path.clone(), source }
    };
    for entry in fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let name = entry.file_name();
        if top && REPORT_FILES.iter().any(|f| name == *f) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type().map_err(io(&src))?.is_dir() {
            fs::create_dir(&dst).map_err(io(&dst))?;
            link_tree(&src, &dst, false)?;
        } else if fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst).map_err(io(&dst))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{FixtureRun, write_folder};

    const TWO: &str = r#"
name = "Model-like"
seeds = 2
[objective]
kind = "rosenbrock"
[[optimizer]]
kind = "sgd"
label = "A"
[[optimizer]]
kind = "sgd"
label = "B"
"#;

    fn with_accuracy(label: &'static str, seed: u64, loss: f64, acc: f64) -> FixtureRun {
        let mut r = FixtureRun::new(label, seed, loss);
        r.val_accuracy = Some(acc);
        r.losses = vec![10.0, 5.0, 2.0, loss];
        r
    }

    #[test]
    fn validation_figures_get_a_chart_and_table_columns() {
        let dir = tempfile::tempdir().unwrap();
        let runs = vec![
            with_accuracy("A", 0, 0.5, 0.9),
            with_accuracy("A", 1, 0.6, 0.8),
            with_accuracy("B", 0, 1.5, 0.7),
            with_accuracy("B", 1, 1.6, 0.6),
        ];
        write_folder(dir.path(), TWO, &runs);
        write_report(dir.path()).unwrap();
        let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(md.contains("| val. loss | val. accuracy |"), "{md}");
        // Median accuracy of A over its two seeds: 85%.
        assert!(md.contains("| 1 | A | 0.55 [0.525, 0.575] |"), "{md}");
        assert!(md.contains("| 0.5 | 85% |"), "{md}");
        assert!(md.contains("](validation.svg)"));
        let svg = fs::read_to_string(dir.path().join("validation.svg")).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).map(str::trim).collect();
        for t in ["validation loss (thin: training loss)", "validation accuracy", "A", "B"] {
            assert!(texts.contains(&t), "{t} missing from {texts:?}");
        }
        // No parameter columns: no trajectories, whatever the objective says.
        assert!(!dir.path().join("trajectories.svg").exists());
    }
}
