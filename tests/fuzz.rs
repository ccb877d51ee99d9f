//! Grammar-aware fuzzing of the inputs a user writes: every bundled scenario
//! and every CSV fixture, mutated line by line and value by value (lines
//! deleted, duplicated and swapped; values of another type; extreme numbers;
//! invalid UTF-8; deep nesting; long strings), through the code paths of
//! `optlab check` (`Scenario::load`, building the objective and every run's
//! optimizer) and of the dataset loader (`load_csv`). No case may panic or
//! hang, and every error must say where it is.
//!
//! `cargo test --release --test fuzz` runs a few thousand cases; for millions:
//!
//! ```sh
//! OPTLAB_FUZZ_CASES=1000000 cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! (`OPTLAB_FUZZ_SEED=N` starts from another seed.)

use optlab::data::{TargetKind, load_csv};
use optlab::scenario::{BUNDLED, LoadError, Scenario};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

const EXTREMES: [&str; 16] = [
    "0",
    "-1",
    "1",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "5e-324",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999999",
    "0.5",
    "1e-300",
    "2",
];

fn cases() -> u64 {
    std::env::var("OPTLAB_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

fn seed() -> u64 {
    std::env::var("OPTLAB_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// One mutation of a text, line-aware; values are what follows `=` (TOML) or a
/// comma-separated cell (CSV).
fn mutate(rng: &mut ChaCha8Rng, text: &[u8], csv: bool) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.len().max(1);
    let i = rng.random_range(0..n);
    match rng.random_range(0..10) {
        0 => {
            if !lines.is_empty() {
                lines.remove(i);
            }
        }
        1 => {
            let line = lines.get(i).cloned().unwrap_or_default();
            lines.insert(i, line);
        }
        2 => {
            let j = rng.random_range(0..n);
            if i < lines.len() && j < lines.len() {
                lines.swap(i, j);
            }
        }
        3 | 4 => {
            // A value replaced: an extreme number, another type, a long string.
            let replacement: Vec<u8> = match rng.random_range(0..6) {
                0 | 1 => EXTREMES[rng.random_range(0..EXTREMES.len())].as_bytes().to_vec(),
                2 => b"\"text\"".to_vec(),
                3 => b"true".to_vec(),
                4 => b"[1, 2, 3]".to_vec(),
                _ => format!("\"{}\"", "x".repeat(rng.random_range(1000..200_000))).into_bytes(),
            };
            if let Some(line) = lines.get_mut(i) {
                replace_value(rng, line, &replacement, csv);
            }
        }
        5 => {
            // Invalid UTF-8 somewhere.
            if let Some(line) = lines.get_mut(i) {
                let at = rng.random_range(0..=line.len());
                let bad: &[u8] =
                    [&[0xff][..], &[0xc3][..], &[0xe2, 0x82][..], &[0xed, 0xa0, 0x80][..]][rng.random_range(0..4)];
                line.splice(at..at, bad.iter().copied());
            }
        }
        6 => {
            // Deep nesting.
            let depth = [10, 200, 5000][rng.random_range(0..3)];
            let nested = match rng.random_range(0..3) {
                0 => format!("x = {}{}", "[".repeat(depth), "]".repeat(depth)),
                1 => format!("x = {}1{}", "{a=".repeat(depth), "}".repeat(depth)),
                _ => format!("[{}]", vec!["t"; depth].join(".")),
            };
            lines.insert(i, nested.into_bytes());
        }
        7 => {
            // A key or a cell's text replaced by a long one.
            let long = "k".repeat(rng.random_range(100..100_000));
            lines.insert(i, if csv { long.into_bytes() } else { format!("{long} = 1").into_bytes() });
        }
        8 => {
            // A character removed or doubled: quotes, brackets, commas, equals.
            if let Some(line) = lines.get_mut(i)
                && !line.is_empty()
            {
                let at = rng.random_range(0..line.len());
                if rng.random_bool(0.5) {
                    line.remove(at);
                } else {
                    let b = line[at];
                    line.insert(at, b);
                }
            }
        }
        _ => {
            // Truncated.
            let cut = rng.random_range(0..=text.len());
            return text[..cut].to_vec();
        }
    }
    lines.join(&b'\n')
}

fn replace_value(rng: &mut ChaCha8Rng, line: &mut Vec<u8>, replacement: &[u8], csv: bool) {
    if csv {
        let cells: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        let k = rng.random_range(0..cells.len());
        let mut out: Vec<Vec<u8>> = cells.iter().map(|c| c.to_vec()).collect();
        let unquoted: Vec<u8> = replacement.iter().copied().filter(|&b| b != b'"').collect();
        out[k] = unquoted;
        *line = out.join(&b',');
    } else if let Some(eq) = line.iter().position(|&b| b == b'=') {
        line.truncate(eq + 1);
        line.push(b' ');
        line.extend_from_slice(replacement);
    }
}

/// What `optlab check` does with a file: load, build the objective, expand every run.
fn check(path: &Path) -> Result<(), String> {
    let scenario = match Scenario::load(path.to_str().unwrap()) {
        Ok(s) => s,
        Err(LoadError::Invalid(e)) => {
            if e.line.is_none() || e.column.is_none() {
                return Err(format!("no line and column: {e}"));
            }
            return Ok(());
        }
        Err(e) => return Err(format!("not a scenario error: {e}")),
    };
    let objective = match scenario.build_objective() {
        Ok(o) => o,
        Err(e) => {
            // Errors found while building name the key (its line when the file has it).
            if e.key.is_none() && e.line.is_none() {
                return Err(format!("no place: {e}"));
            }
            return Ok(());
        }
    };
    if let Err(e) = scenario.run_specs(objective.dim()) {
        return Err(format!("the parser accepted what the expansion refuses: {e}"));
    }
    Ok(())
}

/// What the dataset loader does with a file.
fn load(path: &Path) -> Result<(), String> {
    for kind in [TargetKind::Classes, TargetKind::Regression, TargetKind::Auto] {
        if let Err(e) = load_csv(path, None, None, kind) {
            let text = e.to_string();
            if !text.contains(&path.display().to_string()) {
                return Err(format!("does not name the file: {text}"));
            }
            if text.len() > 2000 {
                return Err(format!("a {}-byte message", text.len()));
            }
        }
    }
    Ok(())
}

/// Run `f` on its own thread; a case that takes more than 20 s is a hang.
fn bounded(label: &str, f: impl FnOnce() -> Result<(), String> + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(message))) => panic!("{label}: {message}"),
        Ok(Err(_)) => panic!("{label}: panicked"),
        Err(_) => panic!("{label}: no answer after 20 s (a hang)"),
    }
}

/// Named texts to mutate.
type Inputs = Vec<(String, Vec<u8>)>;

fn inputs() -> (Inputs, Inputs) {
    let scenarios = BUNDLED.iter().map(|b| (b.name.to_string(), b.text.as_bytes().to_vec())).collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data");
    let mut csvs = Vec::new();
    for folder in [dir.clone(), dir.join("csv")] {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                csvs.push((path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()));
            }
        }
    }
    csvs.sort();
    assert!(csvs.len() >= 8, "CSV fixtures: {}", csvs.len());
    (scenarios, csvs)
}

#[test]
fn mutated_scenarios_and_csv_files_give_located_errors_never_panics_or_hangs() {
    let (scenarios, csvs) = inputs();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed());
    let total = cases();
    for case in 0..total {
        let scenario_case = case % 3 != 2;
        let (name, text) = if scenario_case {
            &scenarios[rng.random_range(0..scenarios.len())]
        } else {
            &csvs[rng.random_range(0..csvs.len())]
        };
        let mut bytes = text.clone();
        for _ in 0..rng.random_range(1..4) {
            bytes = mutate(&mut rng, &bytes, !scenario_case);
        }
        let ext = if scenario_case { "toml" } else { "csv" };
        let path: PathBuf = tmp.path().join(format!("case-{}.{ext}", case % 64));
        std::fs::write(&path, &bytes).unwrap();
        let label = format!("case {case} (seed {}, from {name})", seed());
        if scenario_case {
            bounded(&label, move || check(&path));
        } else {
            bounded(&label, move || load(&path));
        }
    }
    // Keep the generator honest: mutations must reach past the parser.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let accepted = (0..200)
        .filter(|_| {
            let text = mutate(&mut rng, BUNDLED[0].text.as_bytes(), false);
            std::str::from_utf8(&text)
                .ok()
                .is_some_and(|t| Scenario::parse(t, optlab::scenario::Origin::Bundled("x")).is_ok())
        })
        .count();
    assert!(accepted > 10, "only {accepted} of 200 single mutations parse");
}
