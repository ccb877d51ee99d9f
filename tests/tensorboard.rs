//! `optlab run --tensorboard` and `optlab export --tensorboard`: the event
//! files read back record by record (length, masked CRC-32C, protobuf), with
//! the scalars and hyperparameters compared with steps.csv and the scenario.

use assert_cmd::cargo::cargo_bin_cmd;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const SCALARS: [&str; 6] = ["loss", "batch_loss", "val_loss", "val_accuracy", "lr", "grad_norm"];

fn masked_crc(data: &[u8]) -> u32 {
    crc32c::crc32c(data).rotate_right(15).wrapping_add(0xa282_ead8)
}

/// The records of an event file; panics on a bad length or CRC.
fn records(path: &Path) -> Vec<Vec<u8>> {
    let bytes = fs::read(path).unwrap();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let len_bytes = &bytes[i..i + 8];
        let len = u64::from_le_bytes(len_bytes.try_into().unwrap()) as usize;
        let len_crc = u32::from_le_bytes(bytes[i + 8..i + 12].try_into().unwrap());
        assert_eq!(len_crc, masked_crc(len_bytes), "{}: length CRC at {i}", path.display());
        let data = &bytes[i + 12..i + 12 + len];
        let data_crc = u32::from_le_bytes(bytes[i + 12 + len..i + 16 + len].try_into().unwrap());
        assert_eq!(data_crc, masked_crc(data), "{}: data CRC at {i}", path.display());
        out.push(data.to_vec());
        i += 16 + len;
    }
    assert_eq!(i, bytes.len());
    out
}

/// A decoded protobuf field.
#[derive(Clone, Debug)]
enum Field {
    Varint(u64),
    Fixed64([u8; 8]),
    Bytes(Vec<u8>),
}

fn decode(mut b: &[u8]) -> Vec<(u32, Field)> {
    fn varint(b: &mut &[u8]) -> u64 {
        let mut v = 0u64;
        let mut shift = 0;
        loop {
            let byte = b[0];
            *b = &b[1..];
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b);
        let field = (key >> 3) as u32;
        let value = match key & 7 {
            0 => Field::Varint(varint(&mut b)),
            1 => {
                let v = b[..8].try_into().unwrap();
                b = &b[8..];
                Field::Fixed64(v)
            }
            2 => {
                let n = varint(&mut b) as usize;
                let v = b[..n].to_vec();
                b = &b[n..];
                Field::Bytes(v)
            }
            w => panic!("wire type {w}"),
        };
        out.push((field, value));
    }
    out
}

fn get(fields: &[(u32, Field)], n: u32) -> Vec<Field> {
    fields.iter().filter(|(f, _)| *f == n).map(|(_, v)| v.clone()).collect()
}

fn bytes(f: &Field) -> &[u8] {
    match f {
        Field::Bytes(b) => b,
        other => panic!("expected bytes, got {other:?}"),
    }
}

fn text(f: &Field) -> String {
    String::from_utf8(bytes(f).to_vec()).unwrap()
}

/// A run's file: its hyperparameters (name → number, text or bool as text)
/// and its scalars (tag → [(step, value)]).
#[allow(clippy::type_complexity)]
fn read_run(path: &Path) -> (BTreeMap<String, String>, BTreeMap<String, Vec<(u64, f64)>>, Option<u64>) {
    let mut hparams = BTreeMap::new();
    let mut scalars: BTreeMap<String, Vec<(u64, f64)>> = BTreeMap::new();
    let mut status = None;
    let recs = records(path);
    let first = decode(&recs[0]);
    assert_eq!(text(&get(&first, 3)[0]), "brain.Event:2");
    for rec in &recs[1..] {
        let event = decode(rec);
        let step = get(&event, 2).first().map_or(0, |f| if let Field::Varint(v) = f { *v } else { 0 });
        for summary in get(&event, 5) {
            for value in get(&decode(bytes(&summary)), 1) {
                let value = decode(bytes(&value));
                let tag = text(&get(&value, 1)[0]);
                if tag.starts_with("_hparams_/") {
                    let meta = decode(bytes(&get(&value, 9)[0]));
                    let plugin = decode(bytes(&get(&meta, 1)[0]));
                    assert_eq!(text(&get(&plugin, 1)[0]), "hparams");
                    let data = decode(bytes(&get(&plugin, 2)[0]));
                    if let Some(start) = get(&data, 3).first() {
                        for entry in get(&decode(bytes(start)), 1) {
                            let entry = decode(bytes(&entry));
                            let v = decode(bytes(&get(&entry, 2)[0]));
                            let shown = match &v[0] {
                                (2, Field::Fixed64(b)) => f64::from_le_bytes(*b).to_string(),
                                (3, f) => text(f),
                                (4, Field::Varint(b)) => (*b == 1).to_string(),
                                other => panic!("{other:?}"),
                            };
                            hparams.insert(text(&get(&entry, 1)[0]), shown);
                        }
                    }
                    if let Some(end) = get(&data, 4).first() {
                        status =
                            get(&decode(bytes(end)), 1).first().map(|f| if let Field::Varint(v) = f { *v } else { 0 });
                    }
                    continue;
                }
                let tensor = decode(bytes(&get(&value, 8)[0]));
                assert!(matches!(get(&tensor, 1)[0], Field::Varint(2)), "DT_DOUBLE");
                let packed = get(&tensor, 6);
                let b = bytes(&packed[0]);
                assert_eq!(b.len(), 8);
                scalars.entry(tag).or_default().push((step, f64::from_le_bytes(b.try_into().unwrap())));
            }
        }
    }
    (hparams, scalars, status)
}

fn event_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains("tfevents"))
        .collect();
    assert_eq!(files.len(), 1, "{}", dir.display());
    files[0].clone()
}

fn check_against_csv(results: &Path, tb: &Path) -> usize {
    let mut reader = csv::Reader::from_path(results.join("steps.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let mut expected: BTreeMap<String, BTreeMap<String, Vec<(u64, f64)>>> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        let run = r[col("run")].to_string();
        for tag in SCALARS {
            let cell = &r[col(tag)];
            if !cell.is_empty() {
                let step: u64 = r[col("step")].parse().unwrap();
                expected
                    .entry(run.clone())
                    .or_default()
                    .entry(tag.into())
                    .or_default()
                    .push((step, cell.parse().unwrap()));
            }
        }
    }
    let mut summary = csv::Reader::from_path(results.join("summary.csv")).unwrap();
    let statuses: BTreeMap<String, String> =
        summary.records().map(|r| r.unwrap()).map(|r| (r[0].to_string(), r[3].to_string())).collect();
    let mut compared = 0;
    for (run, tags) in &expected {
        let (hparams, scalars, status) = read_run(&event_file(&tb.join(run.replace('/', "_"))));
        assert_eq!(&scalars, tags, "{run}");
        compared += tags.values().map(Vec::len).sum::<usize>();
        assert_eq!(hparams.get("seed").map(String::as_str), Some("0"), "{run}");
        assert!(hparams.contains_key("optimizer") && hparams.contains_key("lr"), "{run}: {hparams:?}");
        let diverged = statuses[run] == "diverged";
        assert_eq!(status, Some(if diverged { 2 } else { 1 }), "{run}: failure exactly when diverged");
    }
    compared
}

const MODEL: &str = r#"
name = "Tiny softmax"
steps = 40
[objective]
kind = "softmax"
batch_size = 16
eval_every = 5
[objective.dataset]
builtin = "blobs"
samples = 120
classes = 3
[[optimizer]]
kind = "sgd"
label = "SGD"
lr = 0.1
momentum = 0.9
[[optimizer]]
kind = "adam"
label = "Adam/fast"
sweep = { lr = [0.01, 0.1] }
"#;

#[test]
fn run_writes_event_files_equal_to_steps_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("tiny.toml");
    fs::write(&scenario, MODEL).unwrap();
    let (out, tb) = (tmp.path().join("out"), tmp.path().join("tb"));
    let status = cargo_bin_cmd!("optlab")
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .args(["--tensorboard", tb.to_str().unwrap()])
        .output()
        .unwrap()
        .status;
    assert!(status.success());
    // `/` is no path separator in a run's folder name.
    assert!(tb.join("Adam_fast lr=0.01").is_dir());
    let compared = check_against_csv(&out, &tb);
    // Rows every 5 updates (eval_every), 3 runs, up to 6 scalars each.
    assert!(compared > 100, "{compared} values");
    let (hparams, scalars, _) = read_run(&event_file(&tb.join("SGD")));
    assert_eq!(hparams["momentum"], "0.9");
    assert_eq!(hparams["nesterov"], "false");
    assert_eq!(hparams["optimizer"], "sgd");
    assert!(scalars.contains_key("val_accuracy") && scalars.contains_key("batch_loss"));
    // The experiment at the top lists the hyperparameters and metrics.
    let root = records(&event_file(&tb));
    assert_eq!(root.len(), 2);
}

#[test]
fn export_writes_the_same_files_and_refuses_folders_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert!(
        cargo_bin_cmd!("optlab")
            .args(["run", "beale_lr_sweep", "--out", out.to_str().unwrap(), "--quiet"])
            .output()
            .unwrap()
            .status
            .success()
    );
    let tb = tmp.path().join("tb");
    let run = cargo_bin_cmd!("optlab")
        .args(["export", out.to_str().unwrap(), "--tensorboard", tb.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let compared = check_against_csv(&out, &tb);
    assert!(compared > 10_000);
    let (_, _, status) = read_run(&event_file(&tb.join("SGD momentum lr=0.03")));
    assert_eq!(status, Some(2), "a diverged run ends as a failure");
    // Again into the same folder: replaced (it is ours).
    let again = cargo_bin_cmd!("optlab")
        .args(["export", out.to_str().unwrap(), "--tensorboard", tb.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(again.status.success());
    // A folder with someone else's files is left alone.
    let theirs = tmp.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("notes.txt"), "mine").unwrap();
    let refused = cargo_bin_cmd!("optlab")
        .args(["export", out.to_str().unwrap(), "--tensorboard", theirs.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("was not written by"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert_eq!(fs::read_dir(&theirs).unwrap().count(), 1);
    // `run --tensorboard` checks before running: nothing is written anywhere.
    let out2 = tmp.path().join("out2");
    let refused = cargo_bin_cmd!("optlab")
        .args([
            "run",
            "rosenbrock",
            "--out",
            out2.to_str().unwrap(),
            "--quiet",
            "--tensorboard",
            theirs.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(!out2.exists());
}
