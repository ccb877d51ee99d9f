//! `optlab tune` as a user runs it: it finds the rate theory predicts, spends
//! equal budgets, writes the same files whatever the threads, and its
//! tuned.toml reproduces confirm/.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn optlab() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_optlab"));
    c.stdin(Stdio::null());
    c
}

fn run_ok(args: &[&str]) -> Output {
    let out = optlab().args(args).output().expect("start optlab");
    assert!(out.status.success(), "optlab {args:?} failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().zip(r.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

/// The quadratic of the issue: f = ½(x² + 50y²), L = 50, μ = 1, from (1, 1).
const QUADRATIC: &str = r#"
name = "quadratic, GD"
steps = 200
[objective]
kind = "quadratic"
coeffs = [1.0, 50.0]
start = [1.0, 1.0]
[[optimizer]]
kind = "gd"
tune.lr = { log = [1e-4, 1.0] }
"#;

/// GD's final loss after 200 updates with rate lr, in closed form:
/// each coordinate shrinks by (1 − lr·cᵢ) per update.
fn gd_final_loss(lr: f64) -> f64 {
    [1.0f64, 50.0].iter().map(|c| 0.5 * c * (1.0 - lr * c).powi(400)).sum()
}

/// The best rate of a 2,000-point log grid over [1e-4, 1].
fn grid_best() -> f64 {
    let lrs = (0..2000).map(|i| 10f64.powf(-4.0 + 4.0 * i as f64 / 1999.0));
    lrs.min_by(|a, b| gd_final_loss(*a).total_cmp(&gd_final_loss(*b))).unwrap()
}

fn tuned_lr(dir: &Path) -> f64 {
    let text = fs::read_to_string(dir.join("tuned.toml")).unwrap();
    let doc: toml::Table = text.parse().unwrap();
    doc["optimizer"].as_array().unwrap()[0]["lr"].as_float().unwrap()
}

#[test]
fn tuning_gd_on_the_quadratic_finds_the_grids_best_rate() {
    let best = grid_best();
    // Theory: the best constant rate is near 2/(L + μ) = 2/51.
    assert!((best / (2.0 / 51.0)).ln().abs() < 0.1f64.ln_1p(), "grid best {best}");
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "q.toml", QUADRATIC);
    for sampler in [None, Some("tpe")] {
        let out = tmp.path().join(format!("out-{}", sampler.unwrap_or("default")));
        let mut args = vec!["tune", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"];
        if let Some(s) = sampler {
            args.extend(["--sampler", s]);
        }
        run_ok(&args);
        let lr = tuned_lr(&out);
        assert!(lr / best < 1.5 && best / lr < 1.5, "{sampler:?}: tuned lr {lr}, grid best {best}");
    }
}

#[test]
fn entries_spend_equal_budgets_with_and_without_halving() {
    let tmp = tempfile::tempdir().unwrap();
    for halving in ["", "halving = { eta = 3, min_steps = 10 }\n"] {
        let text = format!(
            "name = \"budgets\"\nsteps = 300\n[objective]\nkind = \"rosenbrock\"\n[tune]\nbudget = 20000\nseeds = 2\n{halving}\
             [[optimizer]]\nkind = \"sgd\"\ntune.lr = {{ log = [1e-5, 1e-2] }}\ntune.momentum = {{ uniform = [0.0, 0.95] }}\n\
             [[optimizer]]\nkind = \"adam\"\n[[optimizer]]\nkind = \"rmsprop\"\ntune.lr = {{ log = [1e-4, 1e-1] }}\n\
             tune.centered = {{ choice = [false, true] }}\n"
        );
        let scenario = write(tmp.path(), "b.toml", &text);
        let out = tmp.path().join("out");
        run_ok(&["tune", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
        let trials = rows(&out.join("trials.csv"));
        let mut spent: BTreeMap<String, u64> = BTreeMap::new();
        for r in &trials {
            *spent.entry(r["entry"].clone()).or_default() += r["grad_evals"].parse::<u64>().unwrap();
        }
        assert_eq!(spent.len(), 3);
        // One full-length trial: 300 updates on 2 seeds, one evaluation each.
        let one_trial = 300 * 2;
        let (min, max) = (*spent.values().min().unwrap(), *spent.values().max().unwrap());
        assert!(max <= 20_000 && max - min <= one_trial, "{halving}: {spent:?}");
        assert!(20_000 - min <= one_trial, "{halving}: the budget is not spent: {spent:?}");
        let rungs: Vec<u64> = trials.iter().map(|r| r["rung"].parse().unwrap()).collect();
        assert_eq!(rungs.iter().any(|&r| r > 0), !halving.is_empty());
    }
}

/// A report.md with the wall-time column of its tables dropped.
fn without_wall_times(text: &str) -> String {
    let mut wall_table = false;
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('|') {
            if line.contains("wall time") {
                wall_table = true;
            }
            if wall_table {
                let cells: Vec<&str> = line.trim_end_matches('|').split('|').collect();
                out.push_str(&cells[..cells.len() - 1].join("|"));
                out.push('\n');
                continue;
            }
        } else {
            wall_table = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every file of a result folder, CSV files without wall_ms, reports without wall times.
fn contents(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            let text = fs::read_to_string(&path).unwrap();
            let text = if name.ends_with(".csv") && text.lines().next().is_some_and(|h| h.contains("wall_ms")) {
                let mut reader = csv::Reader::from_reader(text.as_bytes());
                let headers = reader.headers().unwrap().clone();
                let wall = headers.iter().position(|h| h == "wall_ms").unwrap();
                let mut s = String::new();
                for r in std::iter::once(headers).chain(reader.records().map(Result::unwrap)) {
                    let cells: Vec<&str> = r.iter().enumerate().filter(|(i, _)| *i != wall).map(|(_, v)| v).collect();
                    s.push_str(&cells.join(","));
                    s.push('\n');
                }
                s
            } else if name.ends_with("report.md") {
                without_wall_times(&text)
            } else {
                text
            };
            files.insert(name, text);
        }
    }
    files
}

const NOISY: &str = r#"
name = "noisy logistic"
steps = 60
[objective]
kind = "logistic"
batch_size = 16
[objective.dataset]
builtin = "moons"
samples = 200
[tune]
sampler = "tpe"
budget = 3000
seeds = 2
confirm_seeds = 3
halving = { eta = 2, min_steps = 15 }
metric = "val_loss"
[[optimizer]]
kind = "sgd"
tune.lr = { log = [1e-3, 3.0] }
tune.momentum = { choice = [0.0, 0.5, 0.9] }
tune.nesterov = { choice = [false, true] }
[[optimizer]]
kind = "adam"
tune.beta2 = { one_minus_log = [1e-3, 1e-1] }
tune.lr = { log = [1e-4, 1.0] }
"#;

#[test]
fn the_files_do_not_depend_on_threads_and_tuned_toml_reproduces_confirm() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "n.toml", NOISY);
    let mut first: Option<BTreeMap<String, String>> = None;
    for (i, threads) in ["1", "2", "1", "2"].iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        run_ok(&["tune", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--threads", threads, "--quiet"]);
        let files = contents(&out);
        for needed in ["trials.csv", "tuned.toml", "report.md", "best_so_far.svg", "confirm/steps.csv"] {
            assert!(files.contains_key(needed), "{needed} missing: {:?}", files.keys());
        }
        match &first {
            None => first = Some(files),
            Some(f) => {
                assert_eq!(f.keys().collect::<Vec<_>>(), files.keys().collect::<Vec<_>>());
                for (name, text) in f {
                    assert!(*text == files[name], "{name} differs with --threads {threads}");
                }
            }
        }
    }
    let trials = rows(&tmp.path().join("out0/trials.csv"));
    assert!(trials.iter().any(|r| r["status"] == "invalid"), "nesterov with momentum 0 is sampled and refused");
    for r in trials.iter().filter(|r| r["status"] == "invalid") {
        assert_eq!((r["momentum"].as_str(), r["nesterov"].as_str(), r["metric"].as_str()), ("0", "true", ""));
    }
    // `optlab run tuned.toml` gives confirm/ back.
    let rerun = tmp.path().join("rerun");
    let tuned = tmp.path().join("out0/tuned.toml");
    run_ok(&["run", tuned.to_str().unwrap(), "--out", rerun.to_str().unwrap(), "--quiet"]);
    let confirm: BTreeMap<String, String> = contents(&tmp.path().join("out0"))
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("confirm/").map(|k| (k.to_string(), v)))
        .collect();
    assert_eq!(confirm, contents(&rerun));
}

#[test]
fn bad_tuning_input_is_a_located_error() {
    let tmp = tempfile::tempdir().unwrap();
    let swept = write(
        tmp.path(),
        "s.toml",
        "name = \"s\"\n[objective]\nkind = \"booth\"\n[[optimizer]]\nkind = \"sgd\"\nsweep = { lr = [0.1, 0.01] }\n",
    );
    let out = optlab().args(["tune", swept.to_str().unwrap(), "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("optimizer[0].sweep") && err.contains("either swept or tuned"), "{err}");
    let small = write(
        tmp.path(),
        "b.toml",
        "name = \"b\"\nsteps = 100\n[objective]\nkind = \"booth\"\n[[optimizer]]\nkind = \"sgd\"\n",
    );
    let out = optlab().args(["tune", small.to_str().unwrap(), "--budget", "50", "--quiet"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("less than one trial"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = optlab().args(["tune", small.to_str().unwrap(), "--sampler", "bayes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!tmp.path().join("results").exists());
}
