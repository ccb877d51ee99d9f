//! TensorBoard event files from a result folder: one file per run, its scalars
//! (loss, batch_loss, val_loss, val_accuracy, lr, grad_norm) against the update
//! number, and every run's hyperparameters for the HParams dashboard.
//!
//! The format is TensorFlow's record file: each record is its length (u64,
//! little-endian), the masked CRC-32C of those 8 bytes, the bytes of one
//! `Event` protocol buffer, and their masked CRC-32C. The few messages needed
//! (Event, Summary, SummaryMetadata, TensorProto and the hparams plugin's
//! HParamsPluginData) are encoded by hand below: six wire-format primitives
//! instead of a protobuf toolchain at build time.
//!
//! Scalars are written as TensorBoard 2's scalar summaries (a `DT_DOUBLE`
//! tensor with the `scalars` plugin's metadata), so values keep all 64 bits
//! (a loss of 1e-300 is not flushed to 0 as a float32 `simple_value` would be).
//!
//! Layout of `DIR`: the experiment (the hyperparameters' names and domains,
//! the metrics) in `DIR/events.out.tfevents.*`, and one folder per run,
//! `DIR/<run label>[ seed=N]/events.out.tfevents.*`, with the run's session
//! start (its hyperparameters), its scalars and its session end.

use super::output::{OutputError, write_folder_atomically};
use super::results::{ReportError, ResultSet, RunResult};
use crate::engine::Status;
use crate::optim::Hyper;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The file that marks a folder as written by optlab (so it may be replaced).
pub const MARKER: &str = ".optlab-tensorboard";

/// The scalar columns of steps.csv written as TensorBoard scalars, in this order.
pub const SCALARS: [&str; 6] = ["loss", "batch_loss", "val_loss", "val_accuracy", "lr", "grad_norm"];

#[derive(Debug, thiserror::Error)]
pub enum TensorboardError {
    #[error("{0}")]
    Results(#[from] ReportError),
    #[error("{0}")]
    Output(#[from] OutputError),
    #[error(
        "{path} exists and was not written by `optlab --tensorboard` (no {MARKER} in it); \
         choose a new folder or remove this one"
    )]
    NotOurs { path: String },
}

impl TensorboardError {
    pub fn is_bad_input(&self) -> bool {
        match self {
            TensorboardError::Results(e) => e.is_bad_input(),
            TensorboardError::Output(e) => e.is_bad_input(),
            TensorboardError::NotOurs { .. } => true,
        }
    }
}

/// What was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// One event file per run, in run order.
    pub run_files: Vec<PathBuf>,
}

/// Fail unless `out` is absent, an empty folder, or a folder this module wrote.
pub fn check_target(out: &Path) -> Result<(), TensorboardError> {
    if !out.exists() {
        return Ok(());
    }
    let not_ours = || TensorboardError::NotOurs { path: out.display().to_string() };
    if !out.is_dir() {
        return Err(not_ours());
    }
    let mut entries =
        fs::read_dir(out).map_err(|source| OutputError::Io { path: out.display().to_string(), source })?;
    if entries.next().is_none() || out.join(MARKER).is_file() {
        return Ok(());
    }
    Err(not_ours())
}

/// Write the event files of the result folder `results` into `out`,
/// atomically (replacing what an earlier export wrote there, nothing else).
pub fn export(results: &Path, out: &Path) -> Result<Written, TensorboardError> {
    check_target(out)?;
    let set = ResultSet::read(results)?;
    let rows = read_scalars(&results.join("steps.csv"))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
    let names = run_dirs(&set);
    let written = write_folder_atomically(out, |dir| {
        let io = |p: &Path| {
            let path = p.display().to_string();
            move |source| OutputError::Io { path: path.clone(), source }
        };
        fs::write(dir.join(MARKER), "written by optlab; `optlab export --tensorboard` may replace this folder\n")
            .map_err(io(&dir.join(MARKER)))?;
        let file_name = format!("events.out.tfevents.{}.optlab", now as u64);
        let records = vec![file_version(now), hparams_event(now, EXPERIMENT_TAG, &experiment(&set, &rows, now))];
        let root = dir.join(&file_name);
        fs::write(&root, frame_all(&records)).map_err(io(&root))?;
        let mut run_files = Vec::new();
        for (run, name) in set.runs.iter().zip(&names) {
            let run_dir = dir.join(name);
            fs::create_dir(&run_dir).map_err(io(&run_dir))?;
            let empty = Vec::new();
            let steps = rows.get(&(run.label.clone(), run.seed)).unwrap_or(&empty);
            let path = run_dir.join(&file_name);
            fs::write(&path, frame_all(&run_events(&set, run, steps, now))).map_err(io(&path))?;
            run_files.push(out.join(name).join(&file_name));
        }
        Ok(Written { run_files })
    })?;
    Ok(written)
}

/// One row of steps.csv: the step and the six scalars (None where empty).
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarRow {
    pub step: u64,
    pub wall_ms: f64,
    pub values: [Option<f64>; 6],
}

/// steps.csv's scalars, by (run label, seed), in file order.
pub fn read_scalars(path: &Path) -> Result<BTreeMap<(String, u64), Vec<ScalarRow>>, ReportError> {
    let invalid = |row: Option<u64>, column: Option<&str>, message: String| ReportError::Invalid {
        path: path.display().to_string(),
        row,
        column: column.map(str::to_string),
        message,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| invalid(None, None, e.to_string()))?;
    let header = reader.headers().map_err(|e| invalid(None, None, e.to_string()))?.clone();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| invalid(None, Some(name), "missing column".into()))
    };
    let (run, seed, step, wall) = (col("run")?, col("seed")?, col("step")?, col("wall_ms")?);
    let scalar_cols = SCALARS.iter().map(|n| col(n)).collect::<Result<Vec<_>, _>>()?;
    let mut out: BTreeMap<(String, u64), Vec<ScalarRow>> = BTreeMap::new();
    for (i, record) in reader.records().enumerate() {
        let row = i as u64 + 2;
        let record = record.map_err(|e| invalid(Some(row), None, e.to_string()))?;
        let cell = |c: usize| record.get(c).unwrap_or("");
        let number = |c: usize, name: &str| -> Result<Option<f64>, ReportError> {
            match cell(c) {
                "" => Ok(None),
                text => text
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| invalid(Some(row), Some(name), format!("`{text}` is not a number"))),
            }
        };
        let integer = |c: usize, name: &str| {
            cell(c).parse::<u64>().map_err(|_| invalid(Some(row), Some(name), format!("`{}` is not a count", cell(c))))
        };
        let mut values = [None; 6];
        for (k, &c) in scalar_cols.iter().enumerate() {
            values[k] = number(c, SCALARS[k])?;
        }
        out.entry((cell(run).to_string(), integer(seed, "seed")?)).or_default().push(ScalarRow {
            step: integer(step, "step")?,
            wall_ms: number(wall, "wall_ms")?.unwrap_or(0.0),
            values,
        });
    }
    Ok(out)
}

/// Folder names for the runs: the label (with ` seed=N` when seeds repeat),
/// characters that do not belong in a file name replaced, unique.
pub fn run_dirs(set: &ResultSet) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    set.runs
        .iter()
        .map(|r| {
            let mut name =
                if set.scenario.seeds > 1 { format!("{} seed={}", r.label, r.seed) } else { r.label.clone() };
            name = name
                .chars()
                .map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c })
                .collect::<String>()
                .trim()
                .to_string();
            if name.is_empty() || name.starts_with('.') {
                name = format!("run{name}");
            }
            let base = name.clone();
            let mut n = 1;
            while !seen.insert(name.clone()) {
                n += 1;
                name = format!("{base} #{n}");
            }
            name
        })
        .collect()
}

/// A hyperparameter value as TensorBoard shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum HValue {
    Number(f64),
    Text(String),
    Bool(bool),
}

/// A run's hyperparameters: its optimizer, every hyperparameter (swept values
/// included), seed, batch size and schedule.
pub fn hyperparameters(set: &ResultSet, run: &RunResult) -> Vec<(String, HValue)> {
    let mut out = vec![("optimizer".to_string(), HValue::Text(run.kind.name().to_string()))];
    if let Some(entry) = set.scenario.optimizers.get(run.entry) {
        for (name, value) in &entry.hyper {
            let value = run.combination.iter().find(|(n, _)| n == name).map_or(*value, |(_, v)| *v);
            out.push((
                name.clone(),
                match value {
                    Hyper::Float(x) => HValue::Number(x),
                    Hyper::Bool(b) => HValue::Bool(b),
                    Hyper::Choice(c) => HValue::Text(c.to_string()),
                },
            ));
        }
        out.push(("schedule".into(), HValue::Text(entry.schedule.kind.name().to_string())));
        if let Some(b) = entry.batch_size {
            out.push(("batch_size".into(), HValue::Number(b as f64)));
        }
    }
    out.push(("seed".into(), HValue::Number(run.seed as f64)));
    out
}

const EXPERIMENT_TAG: &str = "_hparams_/experiment";
const SESSION_START_TAG: &str = "_hparams_/session_start_info";
const SESSION_END_TAG: &str = "_hparams_/session_end_info";

fn experiment(set: &ResultSet, rows: &BTreeMap<(String, u64), Vec<ScalarRow>>, now: f64) -> Vec<u8> {
    // Each hyperparameter's type and, for text and booleans, its values.
    let mut infos: Vec<(String, u64, Vec<HValue>)> = Vec::new();
    for run in &set.runs {
        for (name, value) in hyperparameters(set, run) {
            let kind = match value {
                HValue::Text(_) => 1,
                HValue::Bool(_) => 2,
                HValue::Number(_) => 3,
            };
            let i = match infos.iter().position(|(n, _, _)| *n == name) {
                Some(i) => i,
                None => {
                    infos.push((name, kind, Vec::new()));
                    infos.len() - 1
                }
            };
            if kind != 3 && !infos[i].2.contains(&value) {
                infos[i].2.push(value);
            }
        }
    }
    let mut e = pb::Msg::new();
    e.string(6, &set.scenario.name);
    e.string(1, &set.scenario.description);
    e.double(3, now);
    for (name, kind, values) in &infos {
        let mut h = pb::Msg::new();
        h.string(1, name);
        h.varint(4, *kind);
        if !values.is_empty() {
            let mut list = pb::Msg::new();
            for v in values {
                list.message(1, &value_message(v));
            }
            h.message(5, &list);
        }
        e.message(4, &h);
    }
    // The metrics: every scalar some run has.
    for (k, tag) in SCALARS.iter().enumerate() {
        if rows.values().flatten().any(|r| r.values[k].is_some()) {
            let mut name = pb::Msg::new();
            name.string(2, tag);
            let mut m = pb::Msg::new();
            m.message(1, &name);
            e.message(5, &m);
        }
    }
    let mut data = pb::Msg::new();
    data.message(2, &e);
    data.into_bytes()
}

fn value_message(v: &HValue) -> pb::Msg {
    let mut m = pb::Msg::new();
    match v {
        HValue::Number(x) => m.double(2, *x),
        HValue::Text(s) => m.string(3, s),
        HValue::Bool(b) => m.varint(4, u64::from(*b)),
    }
    m
}

fn run_events(set: &ResultSet, run: &RunResult, steps: &[ScalarRow], now: f64) -> Vec<Vec<u8>> {
    let mut events = vec![file_version(now)];
    let mut start = pb::Msg::new();
    for (name, value) in hyperparameters(set, run) {
        let mut entry = pb::Msg::new();
        entry.string(1, &name);
        entry.message(2, &value_message(&value));
        start.message(1, &entry);
    }
    start.double(5, now);
    let mut data = pb::Msg::new();
    data.message(3, &start);
    events.push(hparams_event(now, SESSION_START_TAG, &data.into_bytes()));
    let mut described = [false; 6];
    for row in steps {
        let mut summary = pb::Msg::new();
        for (k, tag) in SCALARS.iter().enumerate() {
            let Some(v) = row.values[k] else { continue };
            let mut value = pb::Msg::new();
            value.string(1, tag);
            // The plugin's metadata goes with a tag's first value only, as TensorFlow writes it.
            if !described[k] {
                described[k] = true;
                let mut plugin = pb::Msg::new();
                plugin.string(1, "scalars");
                let mut meta = pb::Msg::new();
                meta.message(1, &plugin);
                meta.varint(4, 1); // DATA_CLASS_SCALAR
                value.message(9, &meta);
            }
            let mut tensor = pb::Msg::new();
            tensor.varint(1, 2); // DT_DOUBLE
            tensor.message(2, &pb::Msg::new()); // shape [] (a scalar)
            tensor.packed_doubles(6, &[v]);
            value.message(8, &tensor);
            summary.message(1, &value);
        }
        let mut event = pb::Msg::new();
        event.double(1, now + row.wall_ms / 1e3);
        event.varint(2, row.step);
        event.message(5, &summary);
        events.push(event.into_bytes());
    }
    let mut end = pb::Msg::new();
    let failed = matches!(run.summary.status, Status::Diverged { .. });
    end.varint(1, if failed { 2 } else { 1 }); // STATUS_FAILURE / STATUS_SUCCESS
    end.double(2, now + run.summary.wall_ms / 1e3);
    let mut data = pb::Msg::new();
    data.message(4, &end);
    events.push(hparams_event(now, SESSION_END_TAG, &data.into_bytes()));
    events
}

fn file_version(now: f64) -> Vec<u8> {
    let mut e = pb::Msg::new();
    e.double(1, now);
    e.string(3, "brain.Event:2");
    e.into_bytes()
}

/// An event holding one hparams plugin summary: `data` is an HParamsPluginData
/// without its version (0); the value is an empty float tensor, as the plugin writes it.
fn hparams_event(now: f64, tag: &str, data: &[u8]) -> Vec<u8> {
    let mut plugin = pb::Msg::new();
    plugin.string(1, "hparams");
    plugin.bytes(2, data);
    let mut meta = pb::Msg::new();
    meta.message(1, &plugin);
    let mut dim = pb::Msg::new();
    dim.varint(1, 0);
    let mut shape = pb::Msg::new();
    shape.message(2, &dim);
    let mut tensor = pb::Msg::new();
    tensor.varint(1, 1); // DT_FLOAT
    tensor.message(2, &shape);
    let mut value = pb::Msg::new();
    value.string(1, tag);
    value.message(9, &meta);
    value.message(8, &tensor);
    let mut summary = pb::Msg::new();
    summary.message(1, &value);
    let mut e = pb::Msg::new();
    e.double(1, now);
    e.message(5, &summary);
    e.into_bytes()
}

/// The masked CRC-32C of TensorFlow's record format.
pub fn masked_crc(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    (crc.rotate_right(15)).wrapping_add(0xa282_ead8)
}

/// Records framed one after another.
pub fn frame_all(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(records.iter().map(|r| r.len() + 16).sum());
    for data in records {
        let len = (data.len() as u64).to_le_bytes();
        out.extend_from_slice(&len);
        out.extend_from_slice(&masked_crc(&len).to_le_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(&masked_crc(data).to_le_bytes());
    }
    out
}

/// The protocol-buffer wire format, as much as the messages above need.
mod pb {
    #[derive(Clone, Debug, Default)]
    pub struct Msg(Vec<u8>);

    impl Msg {
        pub fn new() -> Msg {
            Msg(Vec::new())
        }
        pub fn into_bytes(self) -> Vec<u8> {
            self.0
        }
        fn raw_varint(&mut self, mut v: u64) {
            while v >= 0x80 {
                self.0.push((v as u8) | 0x80);
                v >>= 7;
            }
            self.0.push(v as u8);
        }
        fn key(&mut self, field: u32, wire: u8) {
            self.raw_varint(((field as u64) << 3) | wire as u64);
        }
        pub fn varint(&mut self, field: u32, v: u64) {
            self.key(field, 0);
            self.raw_varint(v);
        }
        pub fn double(&mut self, field: u32, v: f64) {
            self.key(field, 1);
            self.0.extend_from_slice(&v.to_le_bytes());
        }
        pub fn bytes(&mut self, field: u32, data: &[u8]) {
            self.key(field, 2);
            self.raw_varint(data.len() as u64);
            self.0.extend_from_slice(data);
        }
        pub fn string(&mut self, field: u32, s: &str) {
            self.bytes(field, s.as_bytes());
        }
        pub fn message(&mut self, field: u32, m: &Msg) {
            self.bytes(field, &m.0);
        }
        pub fn packed_doubles(&mut self, field: u32, values: &[f64]) {
            let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            self.bytes(field, &data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_masked_crc_is_tensorflows() {
        // crc32c("") = 0; TensorFlow's mask of 0 is its delta.
        assert_eq!(masked_crc(b""), 0xa282_ead8);
        // crc32c("123456789") = 0xE3069283, the standard check value.
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
        assert_eq!(masked_crc(b"123456789"), 0xe306_9283u32.rotate_right(15).wrapping_add(0xa282_ead8));
    }

    #[test]
    fn varints_and_keys_follow_the_wire_format() {
        let mut m = pb::Msg::new();
        m.varint(1, 300);
        m.string(2, "ab");
        m.double(3, 1.0);
        assert_eq!(m.into_bytes(), [0x08, 0xac, 0x02, 0x12, 2, b'a', b'b', 0x19, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    }
}
