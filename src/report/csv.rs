//! The CSV files of a run (CONTRACT section 3).

use crate::engine::{Record, Run, RunKey, Summary};
use std::fmt::Write as _;
use std::io::Write;

/// The columns of steps.csv before the parameters `x0, x1, ...`.
pub const STEPS_COLUMNS: [&str; 14] = [
    "run",
    "optimizer",
    "seed",
    "step",
    "epoch",
    "lr",
    "loss",
    "batch_loss",
    "grad_norm",
    "val_loss",
    "val_accuracy",
    "wall_ms",
    "grad_evals",
    "run_id",
];

pub const SUMMARY_COLUMNS: [&str; 16] = [
    "run",
    "optimizer",
    "seed",
    "status",
    "steps",
    "final_loss",
    "best_loss",
    "best_step",
    "steps_to_target",
    "final_grad_norm",
    "final_val_loss",
    "final_val_accuracy",
    "diverged_at",
    "wall_ms",
    "grad_evals",
    "run_id",
];

/// A float as the shortest text that reads back to the same value; exponent
/// form for very small and very large magnitudes.
pub fn push_f64(buf: &mut String, x: f64) {
    let a = x.abs();
    if x == 0.0 || (1e-5..1e16).contains(&a) || !x.is_finite() {
        let _ = write!(buf, "{x}");
    } else {
        let _ = write!(buf, "{x:e}");
    }
}

pub fn fmt_f64(x: f64) -> String {
    let mut s = String::new();
    push_f64(&mut s, x);
    s
}

fn push_opt(buf: &mut String, x: Option<f64>) {
    if let Some(x) = x {
        push_f64(buf, x);
    }
}

/// Milliseconds with microsecond resolution.
fn push_ms(buf: &mut String, ms: f64) {
    let _ = write!(buf, "{ms:.3}");
}

/// How many parameter columns `x0, x1, ...` steps.csv has for `objective`.
pub fn param_columns(scenario: &crate::scenario::Scenario, objective: &dyn crate::objective::Objective) -> usize {
    if objective.as_function().is_some() { scenario.param_columns(objective.dim()) } else { 0 }
}

/// The header of steps.csv for an objective whose parameters are written (`dim` > 0) or not.
pub fn steps_header(param_columns: usize) -> Vec<String> {
    STEPS_COLUMNS.iter().map(|s| s.to_string()).chain((0..param_columns).map(|i| format!("x{i}"))).collect()
}

/// Writes rows of steps.csv for one run.
pub struct StepsWriter<W: Write> {
    csv: ::csv::Writer<W>,
    field: String,
    write_params: bool,
}

impl<W: Write> StepsWriter<W> {
    pub fn new(inner: W, write_params: bool) -> Self {
        let csv = ::csv::WriterBuilder::new().has_headers(false).from_writer(inner);
        StepsWriter { csv, field: String::with_capacity(32), write_params }
    }

    pub fn write_header(&mut self, param_columns: usize) -> ::csv::Result<()> {
        self.csv.write_record(steps_header(param_columns))
    }

    fn field(&mut self, f: impl FnOnce(&mut String)) -> ::csv::Result<()> {
        self.field.clear();
        f(&mut self.field);
        self.csv.write_field(self.field.as_bytes())
    }

    /// One row of a live run: its identity, the record and (analytic objectives) its parameters now.
    pub fn write(&mut self, run: &Run, r: &Record) -> ::csv::Result<()> {
        let params = run.params();
        let spec = run.spec();
        self.write_row(
            run.label(),
            run.optimizer().kind().name(),
            spec.seed,
            spec.key,
            r,
            params.as_slice().unwrap_or(&[]),
        )
    }

    /// One row from its parts (a stored history: `params` as they were at `r.step`).
    pub fn write_row(
        &mut self,
        label: &str,
        kind: &str,
        seed: u64,
        key: RunKey,
        r: &Record,
        params: &[f64],
    ) -> ::csv::Result<()> {
        self.csv.write_field(label)?;
        self.csv.write_field(kind)?;
        self.field(|b| {
            let _ = write!(b, "{seed}");
        })?;
        self.field(|b| {
            let _ = write!(b, "{}", r.step);
        })?;
        self.field(|b| push_opt(b, r.epoch))?;
        self.field(|b| push_opt(b, r.lr))?;
        self.field(|b| push_f64(b, r.loss))?;
        self.field(|b| push_opt(b, r.batch_loss))?;
        self.field(|b| push_opt(b, r.grad_norm))?;
        self.field(|b| push_opt(b, r.val_loss))?;
        self.field(|b| push_opt(b, r.val_accuracy))?;
        self.field(|b| push_ms(b, r.wall_ms))?;
        self.field(|b| {
            let _ = write!(b, "{}", r.grad_evals);
        })?;
        self.field(|b| {
            let _ = write!(b, "{key}");
        })?;
        if self.write_params {
            for &x in params {
                self.field(|b| push_f64(b, x))?;
            }
        }
        self.csv.write_record(None::<&[u8]>)
    }

    pub fn into_inner(self) -> Result<W, std::io::Error> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

/// summary.csv: one row per run.
pub fn write_summary<W: Write>(inner: W, runs: &[Run]) -> ::csv::Result<()> {
    write_summary_keyed(inner, runs.iter().map(|r| (r, r.spec().key)))
}

/// summary.csv with the `run_id` of each run given (a session whose runs were changed live).
pub fn write_summary_keyed<'a, W: Write>(
    inner: W,
    runs: impl IntoIterator<Item = (&'a Run, RunKey)>,
) -> ::csv::Result<()> {
    let mut w = ::csv::Writer::from_writer(inner);
    w.write_record(SUMMARY_COLUMNS)?;
    for (run, key) in runs {
        w.write_record(summary_row(run, &run.summary(), key))?;
    }
    w.flush()?;
    Ok(())
}

pub fn summary_row(run: &Run, s: &Summary, key: RunKey) -> Vec<String> {
    let opt = |x: Option<f64>| x.map(fmt_f64).unwrap_or_default();
    let opt_u = |x: Option<u64>| x.map(|v| v.to_string()).unwrap_or_default();
    vec![
        run.label().to_string(),
        run.optimizer().kind().name().to_string(),
        run.spec().seed.to_string(),
        s.status.name().to_string(),
        s.steps.to_string(),
        fmt_f64(s.final_loss),
        if s.best_loss.is_finite() { fmt_f64(s.best_loss) } else { String::new() },
        s.best_step.to_string(),
        opt_u(s.steps_to_target),
        opt(s.final_grad_norm),
        opt(s.final_val_loss),
        opt(s.final_val_accuracy),
        opt_u(s.diverged_at),
        format!("{:.3}", s.wall_ms),
        s.grad_evals.to_string(),
        key.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_and_stay_short() {
        for x in [0.0, 1.0, 0.1, 1e-7, 123456.789, 3e20, -2.5e-12, f64::MIN_POSITIVE, 1.0 / 3.0] {
            let s = fmt_f64(x);
            assert_eq!(s.parse::<f64>().unwrap(), x, "{s}");
            assert!(s.len() <= 24, "{s}");
        }
        assert_eq!(fmt_f64(1e-7), "1e-7");
        assert_eq!(fmt_f64(0.5), "0.5");
        assert_eq!(fmt_f64(f64::NAN), "NaN");
        assert_eq!(fmt_f64(f64::INFINITY), "inf");
    }
}
