//! A result folder read back: scenario.toml, summary.csv and steps.csv.
//!
//! Every report is built from a [`ResultSet`] read from the files, whether
//! `optlab run` has just written them or `optlab report DIR` rebuilds from an
//! old folder: one code path, so a rebuilt report equals the original.

use crate::engine::{Status, Summary};
use crate::optim::{Hyper, OptimizerKind};
use crate::scenario::{Origin, Scenario, ScenarioError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: missing; a result folder of `optlab run` has steps.csv, summary.csv and scenario.toml")]
    Missing { path: String },
    #[error("{path}:{}{}: {message}", .row.map(|r| format!(" row {r}")).unwrap_or_default(), .column.as_ref().map(|c| format!(", column `{c}`")).unwrap_or_default())]
    Invalid { path: String, row: Option<u64>, column: Option<String>, message: String },
    #[error("{0}")]
    Scenario(#[from] ScenarioError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: could not draw the chart: {message}")]
    Chart { path: String, message: String },
}

impl ReportError {
    /// The error with every path passed through `fix`.
    pub fn naming(self, fix: &dyn Fn(String) -> String) -> ReportError {
        match self {
            ReportError::Missing { path } => ReportError::Missing { path: fix(path) },
            ReportError::Invalid { path, row, column, message } => {
                ReportError::Invalid { path: fix(path), row, column, message }
            }
            ReportError::Io { path, source } => ReportError::Io { path: fix(path), source },
            ReportError::Chart { path, message } => ReportError::Chart { path: fix(path), message },
            other => other,
        }
    }

    /// Whether the error is the input's fault (exit status 2) rather than the system's.
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ReportError::Missing { .. } | ReportError::Invalid { .. } | ReportError::Scenario(_))
    }
}

pub(crate) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io { path: path.display().to_string(), source }
}

/// Everything a report needs: the scenario and each run's summary and history.
#[derive(Clone, Debug)]
pub struct ResultSet {
    pub scenario: Scenario,
    /// In summary.csv order (entry, sweep combination, seed).
    pub runs: Vec<RunResult>,
    /// Number of parameter columns `x0, x1, ...` in steps.csv (analytic objectives).
    pub param_columns: usize,
    /// The folder the results were read from.
    pub dir: PathBuf,
}

/// One run: which entry and sweep values it comes from, its summary and history.
#[derive(Clone, Debug)]
pub struct RunResult {
    pub label: String,
    pub kind: OptimizerKind,
    pub seed: u64,
    /// Index of its `[[optimizer]]` entry.
    pub entry: usize,
    /// The swept values of this run (empty without a sweep).
    pub combination: Vec<(String, Hyper)>,
    pub summary: Summary,
    pub history: History,
}

/// The evaluated steps of a run, column by column: every step up to
/// [`DENSE_STEPS`], ever fewer beyond (see [`kept`]), and the last.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub step: Vec<u64>,
    pub loss: Vec<f64>,
    pub val_loss: Vec<Option<f64>>,
    pub val_accuracy: Vec<Option<f64>>,
    /// The first two parameters at each step (2-D analytic objectives only).
    pub xy: Vec<(f64, f64)>,
}

impl ResultSet {
    /// Read a result folder.
    pub fn read(dir: &Path) -> Result<ResultSet, ReportError> {
        let scenario_path = dir.join("scenario.toml");
        let summary_path = dir.join("summary.csv");
        let steps_path = dir.join("steps.csv");
        for path in [&scenario_path, &summary_path, &steps_path] {
            if !path.is_file() {
                return Err(ReportError::Missing { path: path.display().to_string() });
            }
        }
        let text = std::fs::read_to_string(&scenario_path).map_err(io_error(&scenario_path))?;
        let scenario = Scenario::parse(&text, Origin::File(scenario_path.clone()))?;
        let mut runs = read_summary(&summary_path, &scenario)?;
        let param_columns = read_steps(&steps_path, &mut runs)?;
        Ok(ResultSet { scenario, runs, param_columns, dir: dir.to_path_buf() })
    }

    /// The loss gap below which a run counts as solved: 10⁻¹² of the median
    /// gap between the starting loss and `f_star` (0 when unknown).
    pub fn solved_gap(&self, f_star: Option<f64>) -> f64 {
        let f = f_star.unwrap_or(0.0);
        let starts: Vec<f64> = self.runs.iter().filter_map(|r| r.history.loss.first().map(|l| (l - f).abs())).collect();
        1e-12 * super::stats::median(&starts).filter(|s| s.is_finite() && *s > 0.0).unwrap_or(1.0)
    }

    /// Whether any run has validation figures (a model with a validation split).
    pub fn has_validation(&self) -> bool {
        self.runs.iter().any(|r| r.history.val_loss.iter().any(Option::is_some))
    }

    /// Whether any run has a validation accuracy (classification).
    pub fn has_accuracy(&self) -> bool {
        self.runs.iter().any(|r| r.history.val_accuracy.iter().any(Option::is_some))
    }
}

/// Which entry and combination each run label of the scenario belongs to.
fn label_index(scenario: &Scenario) -> HashMap<String, (usize, Vec<(String, Hyper)>)> {
    let mut map = HashMap::new();
    for (i, entry) in scenario.optimizers.iter().enumerate() {
        for combo in entry.combinations() {
            map.insert(entry.run_label(&combo), (i, combo));
        }
    }
    map
}

/// Column positions by name.
struct Columns {
    path: String,
    names: Vec<String>,
}

impl Columns {
    fn new(path: &Path, header: &csv::StringRecord) -> Columns {
        Columns { path: path.display().to_string(), names: header.iter().map(str::to_string).collect() }
    }

    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    fn require(&self, name: &str) -> Result<usize, ReportError> {
        self.find(name).ok_or_else(|| ReportError::Invalid {
            path: self.path.clone(),
            row: Some(1),
            column: None,
            message: format!("the header has no column `{name}`"),
        })
    }
}

/// Reads typed cells of one row, with errors naming the row and column.
struct Row<'a> {
    path: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
    names: &'a [String],
}

impl Row<'_> {
    fn invalid(&self, col: usize, message: String) -> ReportError {
        ReportError::Invalid {
            path: self.path.to_string(),
            row: Some(self.line),
            column: self.names.get(col).cloned(),
            message,
        }
    }

    fn str(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("")
    }

    fn f64(&self, col: usize) -> Result<f64, ReportError> {
        let s = self.str(col);
        s.parse().map_err(|_| self.invalid(col, format!("expected a number, found `{s}`")))
    }

    fn opt_f64(&self, col: Option<usize>) -> Result<Option<f64>, ReportError> {
        match col {
            Some(c) if !self.str(c).is_empty() => self.f64(c).map(Some),
            _ => Ok(None),
        }
    }

    fn u64(&self, col: usize) -> Result<u64, ReportError> {
        let s = self.str(col);
        s.parse().map_err(|_| self.invalid(col, format!("expected a whole number, found `{s}`")))
    }

    fn opt_u64(&self, col: usize) -> Result<Option<u64>, ReportError> {
        if self.str(col).is_empty() { Ok(None) } else { self.u64(col).map(Some) }
    }
}

fn csv_reader(path: &Path) -> Result<(csv::Reader<std::fs::File>, Columns), ReportError> {
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(file);
    let header = reader.headers().map_err(|e| csv_error(path, e))?.clone();
    let columns = Columns::new(path, &header);
    Ok((reader, columns))
}

fn csv_error(path: &Path, e: csv::Error) -> ReportError {
    let row = e.position().map(|p| p.line());
    ReportError::Invalid { path: path.display().to_string(), row, column: None, message: e.to_string() }
}

fn read_summary(path: &Path, scenario: &Scenario) -> Result<Vec<RunResult>, ReportError> {
    let labels = label_index(scenario);
    let (mut reader, cols) = csv_reader(path)?;
    let c_run = cols.require("run")?;
    let c_opt = cols.require("optimizer")?;
    let c_seed = cols.require("seed")?;
    let c_status = cols.require("status")?;
    let c_steps = cols.require("steps")?;
    let c_final = cols.require("final_loss")?;
    let c_best = cols.require("best_loss")?;
    let c_best_step = cols.require("best_step")?;
    let c_target = cols.require("steps_to_target")?;
    let c_grad = cols.find("final_grad_norm");
    let c_val_loss = cols.find("final_val_loss");
    let c_val_acc = cols.find("final_val_accuracy");
    let c_div = cols.require("diverged_at")?;
    let c_wall = cols.require("wall_ms")?;
    // Folders written before the column existed: one evaluation per update.
    let c_evals = cols.find("grad_evals");
    let path_s = path.display().to_string();

    let mut runs = Vec::new();
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
        let line = record.position().map_or(0, |p| p.line());
        let row = Row { path: &path_s, line, record: &record, names: &cols.names };
        let label = row.str(c_run).to_string();
        let Some((entry, combination)) = labels.get(&label).cloned() else {
            return Err(row.invalid(c_run, format!("run `{label}` is not a run of the folder's scenario.toml")));
        };
        let kind_name = row.str(c_opt);
        let kind = OptimizerKind::from_name(kind_name)
            .ok_or_else(|| row.invalid(c_opt, format!("unknown optimizer `{kind_name}`")))?;
        if kind != scenario.optimizers[entry].kind {
            return Err(row.invalid(
                c_opt,
                format!("`{label}` is a {} run in scenario.toml, not {kind_name}", scenario.optimizers[entry].kind),
            ));
        }
        let seed = row.u64(c_seed)?;
        let steps = row.u64(c_steps)?;
        let steps_to_target = row.opt_u64(c_target)?;
        let diverged_at = row.opt_u64(c_div)?;
        let status = match row.str(c_status) {
            "completed" => Status::Completed,
            "reached_target" => Status::ReachedTarget { step: steps_to_target.unwrap_or(steps) },
            "diverged" => Status::Diverged { step: diverged_at.unwrap_or(steps) },
            "running" => Status::Running,
            other => {
                return Err(row.invalid(
                    c_status,
                    format!("unknown status `{other}`; expected completed, reached_target or diverged"),
                ));
            }
        };
        let summary = Summary {
            status,
            steps,
            final_loss: row.f64(c_final)?,
            // Empty when no finite loss was ever seen.
            best_loss: row.opt_f64(Some(c_best))?.unwrap_or(f64::INFINITY),
            best_step: row.u64(c_best_step)?,
            steps_to_target,
            final_grad_norm: row.opt_f64(c_grad)?,
            final_val_loss: row.opt_f64(c_val_loss)?,
            final_val_accuracy: row.opt_f64(c_val_acc)?,
            diverged_at,
            wall_ms: row.f64(c_wall)?,
            grad_evals: match c_evals {
                Some(c) => row.u64(c)?,
                None => steps,
            },
        };
        if runs.iter().any(|r: &RunResult| r.label == label && r.seed == seed) {
            return Err(row.invalid(c_run, format!("run `{label}` with seed {seed} appears twice")));
        }
        runs.push(RunResult { label, kind, seed, entry, combination, summary, history: History::default() });
    }
    if runs.is_empty() {
        return Err(ReportError::Invalid { path: path_s, row: None, column: None, message: "no runs".into() });
    }
    Ok(runs)
}

/// Every step is read back up to this one; beyond, ever fewer (see [`kept`]).
pub const DENSE_STEPS: u64 = 2048;

/// Whether the report keeps a row of `step`: every step below twice
/// [`DENSE_STEPS`], then every 2nd up to four times that, every 4th up to
/// eight times that, and so on: 2048 points per doubling of the run's
/// length (about 25,000 for 5,000,000 steps), dense where losses fall fastest. The
/// same steps for every seed, so seeds still line up; a run's last row is
/// always kept.
pub fn kept(step: u64) -> bool {
    if step < DENSE_STEPS {
        return true;
    }
    let doublings = (step / DENSE_STEPS).ilog2();
    step.is_multiple_of(1u64 << doublings)
}

/// One row of steps.csv as a history keeps it.
#[derive(Clone)]
struct Point {
    step: u64,
    loss: f64,
    val_loss: Option<f64>,
    val_accuracy: Option<f64>,
    xy: Option<(f64, f64)>,
}

impl Point {
    fn push(self, h: &mut History) {
        h.step.push(self.step);
        h.loss.push(self.loss);
        h.val_loss.push(self.val_loss);
        h.val_accuracy.push(self.val_accuracy);
        if let Some(xy) = self.xy {
            h.xy.push(xy);
        }
    }
}

/// Fills each run's history, decimated as it is read (see [`kept`]); returns
/// the number of parameter columns.
fn read_steps(path: &Path, runs: &mut [RunResult]) -> Result<usize, ReportError> {
    let (mut reader, cols) = csv_reader(path)?;
    let c_run = cols.require("run")?;
    let c_seed = cols.require("seed")?;
    let c_step = cols.require("step")?;
    let c_loss = cols.require("loss")?;
    let c_val_loss = cols.find("val_loss");
    let c_val_acc = cols.find("val_accuracy");
    let param_columns = (0..).take_while(|i| cols.find(&format!("x{i}")).is_some()).count();
    let c_xy = if param_columns == 2 { Some((cols.require("x0")?, cols.require("x1")?)) } else { None };
    let path_s = path.display().to_string();

    let index: HashMap<(String, u64), usize> =
        runs.iter().enumerate().map(|(i, r)| ((r.label.clone(), r.seed), i)).collect();
    let mut pending: Vec<Option<Point>> = vec![None; runs.len()];
    let mut last: Option<(String, u64, usize)> = None;
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| csv_error(path, e))? {
        let line = record.position().map_or(0, |p| p.line());
        let row = Row { path: &path_s, line, record: &record, names: &cols.names };
        let label = row.str(c_run);
        let seed = row.u64(c_seed)?;
        // Rows come run by run: look the run up only when it changes.
        let i = match &last {
            Some((l, s, i)) if l == label && *s == seed => *i,
            _ => {
                let Some(&i) = index.get(&(label.to_string(), seed)) else {
                    return Err(row.invalid(c_run, format!("run `{label}` with seed {seed} is not in summary.csv")));
                };
                last = Some((label.to_string(), seed, i));
                i
            }
        };
        let step = row.u64(c_step)?;
        let last_step = pending[i].as_ref().map(|p| p.step).or_else(|| runs[i].history.step.last().copied());
        if let Some(previous) = last_step
            && previous >= step
        {
            return Err(row.invalid(c_step, format!("step {step} does not follow step {previous}")));
        }
        let point = Point {
            step,
            loss: row.f64(c_loss)?,
            val_loss: row.opt_f64(c_val_loss)?,
            val_accuracy: row.opt_f64(c_val_acc)?,
            xy: match c_xy {
                Some((cx, cy)) => Some((row.f64(cx)?, row.f64(cy)?)),
                None => None,
            },
        };
        // Decimated while read: memory stays flat in the run's length. A row
        // left out is kept aside until the next one, so every run's last row
        // is kept too.
        if kept(step) {
            pending[i] = None;
            point.push(&mut runs[i].history);
        } else {
            pending[i] = Some(point);
        }
    }
    for (run, last) in runs.iter_mut().zip(pending) {
        if let Some(point) = last {
            point.push(&mut run.history);
        }
    }
    if let Some(r) = runs.iter().find(|r| r.history.step.is_empty()) {
        return Err(ReportError::Invalid {
            path: path_s,
            row: None,
            column: None,
            message: format!("no rows for run `{}` with seed {}", r.label, r.seed),
        });
    }
    Ok(param_columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{FixtureRun, write_folder};

    #[test]
    fn decimation_keeps_about_2048_points_per_doubling_and_aligns_seeds() {
        let count = |n: u64| (0..n).filter(|&s| kept(s)).count();
        assert_eq!(count(DENSE_STEPS), 2048);
        assert_eq!(count(4 * DENSE_STEPS), 3 * 2048);
        // 5,000,000 steps: a bounded number of points, independent of the seed.
        let n = count(5_000_001);
        assert!((20_000..30_000).contains(&n), "{n}");
    }

    #[test]
    fn a_long_history_is_read_decimated_with_its_last_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut run = FixtureRun::new("A", 0, 0.5);
        let n = 100_003;
        run.losses = (0..n).map(|k| 1.0 / (1.0 + k as f64)).collect();
        write_folder(
            dir.path(),
            "name = \"t\"\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"sgd\"\nlabel = \"A\"\n",
            &[run],
        );
        let set = ResultSet::read(dir.path()).unwrap();
        let h = &set.runs[0].history;
        assert!(h.step.len() < 15_000, "{} points kept", h.step.len());
        assert_eq!(&h.step[..3], &[0, 1, 2]);
        assert_eq!(*h.step.last().unwrap(), n as u64 - 1, "the last row is kept");
        assert_eq!(*h.loss.last().unwrap(), 1.0 / n as f64);
        assert!(h.step.windows(2).all(|w| w[0] < w[1]));
    }
}
