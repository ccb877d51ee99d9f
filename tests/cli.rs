//! The binary as a user runs it: `optlab run`, `check` and `list` on bundled
//! and fixture scenarios.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

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

fn bundled_names() -> Vec<String> {
    let out = run_ok(&["list", "scenarios"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(2)
        .filter(|l| !l.starts_with(' ') && !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// steps.csv without the wall_ms column, and summary.csv likewise.
fn without_wall_ms(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let wall = headers.iter().position(|h| h == "wall_ms").unwrap();
    let mut rows = vec![headers.iter().map(str::to_string).collect::<Vec<_>>()];
    for record in reader.records() {
        let record = record.unwrap();
        rows.push(record.iter().enumerate().filter(|(i, _)| *i != wall).map(|(_, v)| v.to_string()).collect());
    }
    rows
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_bundled_scenario_runs_and_writes_its_files() {
    let names = bundled_names();
    assert!(names.len() >= 7, "expected the default and six more bundled scenarios, got {names:?}");
    let tmp = tempfile::tempdir().unwrap();
    for name in &names {
        let out = tmp.path().join(name);
        run_ok(&["run", name, "--out", out.to_str().unwrap(), "--quiet"]);
        for file in ["steps.csv", "summary.csv", "scenario.toml"] {
            assert!(out.join(file).is_file(), "{name}: no {file}");
        }
        let summary = without_wall_ms(&out.join("summary.csv"));
        assert!(summary.len() > 1, "{name}: empty summary");
        let status = column(&summary, "status");
        for row in &summary[1..] {
            assert!(["completed", "reached_target", "diverged"].contains(&row[status].as_str()), "{row:?}");
        }
        // The resolved scenario reproduces the run.
        let again = tmp.path().join(format!("{name}-again"));
        run_ok(&["run", out.join("scenario.toml").to_str().unwrap(), "--out", again.to_str().unwrap(), "--quiet"]);
        assert_eq!(
            without_wall_ms(&out.join("steps.csv")),
            without_wall_ms(&again.join("steps.csv")),
            "{name}: scenario.toml did not reproduce steps.csv"
        );
    }
}

#[test]
fn results_do_not_depend_on_threads_or_repetition() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(
        tmp.path(),
        "noisy.toml",
        r#"
name = "determinism"
steps = 400
seeds = 3
[objective]
kind = "rosenbrock"
noise = 0.5
[[optimizer]]
kind = "sgd"
lr = 1e-4
momentum = 0.9
sweep = { lr = [1e-4, 2e-4] }
[[optimizer]]
kind = "adam"
lr = 0.02
[[optimizer]]
kind = "rmsprop"
lr = 0.005
"#,
    );
    let dirs: Vec<PathBuf> = ["a", "b", "c"].iter().map(|d| tmp.path().join(d)).collect();
    let s = scenario.to_str().unwrap();
    run_ok(&["run", s, "--out", dirs[0].to_str().unwrap(), "--threads", "1", "--quiet"]);
    run_ok(&["run", s, "--out", dirs[1].to_str().unwrap(), "--threads", "2", "--quiet"]);
    run_ok(&["run", s, "--out", dirs[2].to_str().unwrap(), "--threads", "2", "--quiet"]);
    let steps: Vec<_> = dirs.iter().map(|d| without_wall_ms(&d.join("steps.csv"))).collect();
    assert_eq!(steps[0].len(), 1 + 4 * 3 * 401, "every run, every step");
    assert_eq!(steps[0], steps[1]);
    assert_eq!(steps[1], steps[2]);
    let summaries: Vec<_> = dirs.iter().map(|d| without_wall_ms(&d.join("summary.csv"))).collect();
    assert_eq!(summaries[0], summaries[1]);
    // Seeds differ in their noise, so their losses differ.
    let loss = column(&steps[0], "loss");
    let seed = column(&steps[0], "seed");
    let at = |seed_value: &str| {
        steps[0].iter().find(|r| r[seed] == seed_value && r[column(&steps[0], "step")] == "400").unwrap()[loss].clone()
    };
    assert_ne!(at("0"), at("1"));
}

#[test]
fn an_event_changes_lr_at_exactly_its_step() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write_scenario(
        tmp.path(),
        "event.toml",
        r#"
name = "event replay"
steps = 100
[objective]
kind = "rosenbrock"
[[optimizer]]
kind = "sgd"
label = "SGD"
lr = 1e-4
[[optimizer]]
kind = "sgd"
label = "control"
lr = 1e-4
[[event]]
step = 50
run = "SGD"
lr = 3e-4
"#,
    );
    let out = tmp.path().join("out");
    run_ok(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    let rows = without_wall_ms(&out.join("steps.csv"));
    let (run, step, lr, loss) =
        (column(&rows, "run"), column(&rows, "step"), column(&rows, "lr"), column(&rows, "loss"));
    let get = |label: &str, k: u32| rows.iter().find(|r| r[run] == label && r[step] == k.to_string()).unwrap().clone();
    assert_eq!(get("SGD", 50)[lr], "0.0001", "step 50 is produced by the last update before the event");
    assert_eq!(get("SGD", 51)[lr], "0.0003", "the update after 50 updates uses the new rate");
    assert_eq!(get("SGD", 100)[lr], "0.0003");
    assert_eq!(get("SGD", 50)[loss], get("control", 50)[loss], "identical until the event");
    assert_ne!(get("SGD", 51)[loss], get("control", 51)[loss]);
    // The resolved scenario keeps the event.
    let resolved = fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(resolved.contains("[[event]]") && resolved.contains("step = 50"), "{resolved}");
}

#[test]
fn invalid_scenarios_exit_2_naming_file_line_and_key() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 15);
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let expect = text.lines().next().unwrap().strip_prefix("# expect: ").expect("an # expect: line").to_string();
        for command in ["check", "run"] {
            let tmp = tempfile::tempdir().unwrap();
            let out_dir = tmp.path().join("out");
            let mut cmd = optlab();
            cmd.args([command, file.to_str().unwrap()]);
            if command == "run" {
                cmd.args(["--out", out_dir.to_str().unwrap(), "--quiet"]);
            }
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
            assert!(
                stderr.contains(&format!("{}{expect}", file.display())),
                "{}:\n  expected …{expect}\n  got {stderr}",
                file.display()
            );
            assert!(!out_dir.exists(), "{}: a bad scenario wrote results", file.display());
        }
    }
}

#[test]
fn unknown_scenarios_and_bad_usage_exit_2() {
    for args in [
        &["run", "no-such-scenario"][..],
        &["run", "missing.toml"],
        &["run"],
        &["run", "rosenbrock", "--threads", "0"],
        &["list", "nonsense"],
        &["frobnicate"],
    ] {
        let out = optlab().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn the_lab_without_a_terminal_points_to_run() {
    for args in [&[][..], &["tui"][..], &["tui", "rosenbrock", "--paused"]] {
        let out = optlab().args(args).stdout(Stdio::piped()).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("optlab run"));
    }
}

#[test]
fn check_prints_a_resolved_scenario_that_resolves_to_itself() {
    let tmp = tempfile::tempdir().unwrap();
    for name in bundled_names() {
        let first = run_ok(&["check", &name]).stdout;
        let text = String::from_utf8(first.clone()).unwrap();
        assert!(text.contains("seeds = ") && text.contains("divergence_factor"), "{text}");
        let path = write_scenario(tmp.path(), &format!("{name}.toml"), &text);
        let second = run_ok(&["check", path.to_str().unwrap()]).stdout;
        assert_eq!(String::from_utf8(second).unwrap(), text, "{name}");
    }
}

#[test]
fn seeds_flag_repeats_every_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_ok(&["run", "rosenbrock", "--seeds", "3", "--out", out.to_str().unwrap(), "--quiet"]);
    let rows = without_wall_ms(&out.join("summary.csv"));
    let seed = column(&rows, "seed");
    let seeds: std::collections::BTreeSet<&str> = rows[1..].iter().map(|r| r[seed].as_str()).collect();
    assert_eq!(seeds.into_iter().collect::<Vec<_>>(), vec!["0", "1", "2"]);
    let resolved = fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(resolved.contains("seeds = 3"));
}

#[test]
fn list_shows_every_catalog() {
    let all = String::from_utf8(run_ok(&["list"]).stdout).unwrap();
    for word in ["adam", "beta2 = 0.999", "lion", "rosenbrock", "Bundled scenarios"] {
        assert!(all.contains(word), "missing {word}");
    }
}

fn long_scenario(dir: &Path) -> PathBuf {
    write_scenario(
        dir,
        "long.toml",
        r#"
name = "long"
steps = 50000000
[objective]
kind = "rosenbrock"
[[optimizer]]
kind = "sgd"
lr = 1e-4
[[optimizer]]
kind = "sgd"
lr = 2e-4
"#,
    )
}

fn wait_for_partial(parent: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let found =
            fs::read_dir(parent).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".partial-"));
        if found {
            // Let it write some rows.
            std::thread::sleep(Duration::from_millis(300));
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn an_interrupted_run_leaves_no_partial_results() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = long_scenario(tmp.path());
    let results = tmp.path().join("results");
    fs::create_dir(&results).unwrap();
    let out = results.join("long");

    // SIGTERM: the run stops, removes its partial folder and says so.
    let mut child = optlab()
        .args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for_partial(&results), "the run never started writing");
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(!out.exists(), "a partial result folder was left at {}", out.display());
    assert_eq!(fs::read_dir(&results).unwrap().count(), 0, "the partial folder was not removed");

    // SIGKILL: nothing at the result path; the hidden partial folder is removed by the next run.
    let mut child =
        optlab().args(["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]).spawn().unwrap();
    assert!(wait_for_partial(&results));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists());
    run_ok(&["run", "rosenbrock", "--out", out.to_str().unwrap(), "--quiet"]);
    let left: Vec<String> =
        fs::read_dir(&results).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, vec!["long".to_string()], "stale partial folders remain");
    assert!(out.join("steps.csv").is_file());
}

#[test]
fn a_failed_run_keeps_the_previous_results() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_ok(&["run", "rosenbrock", "--out", out.to_str().unwrap(), "--quiet"]);
    let before = fs::read(out.join("steps.csv")).unwrap();
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/negative_lr.toml");
    let status = optlab().args(["run", bad.to_str().unwrap(), "--out", out.to_str().unwrap()]).output().unwrap().status;
    assert_eq!(status.code(), Some(2));
    assert_eq!(fs::read(out.join("steps.csv")).unwrap(), before);
}
