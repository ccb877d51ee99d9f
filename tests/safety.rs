//! Nothing lost, nothing silently wrong: the binary as a user runs it, tried
//! as a careless or unlucky user would — foreign paths given to `--out`, two
//! writers at once, signals at every phase, oversized and malformed inputs.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn optlab() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_optlab"));
    c.stdin(Stdio::null());
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    optlab().current_dir(dir).args(args).output().expect("start optlab")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every name in a folder, hidden ones included, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    v.sort();
    v
}

fn write(path: &Path, text: &str) -> PathBuf {
    fs::write(path, text).unwrap();
    path.to_path_buf()
}

const SMALL: &str =
    "name = \"small\"\nsteps = 20\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"adam\"\n";

// ---- 1. foreign paths are refused, nothing touched ----

#[test]
fn out_refuses_what_optlab_did_not_write_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let scenario = write(&d.join("small.toml"), SMALL);
    fs::create_dir(d.join("precious")).unwrap();
    write(&d.join("precious/notes.txt"), "notes");
    fs::create_dir(d.join("proj")).unwrap();
    write(&d.join("proj/my.toml"), SMALL);
    write(&d.join("afile"), "a file");
    std::os::unix::fs::symlink(d.join("precious"), d.join("link")).unwrap();
    let fifo = Command::new("mkfifo").arg(d.join("fifo")).status().is_ok_and(|s| s.success());
    // A result folder to rebuild reports from.
    let o = run_in(d, &["run", "small.toml", "--out", "res", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("res/.optlab-results").is_file(), "every result folder has the marker");

    let mut targets = vec!["precious", "proj", "afile", "link", "/dev/null"];
    if fifo {
        targets.push("fifo");
    }
    let before: Vec<Vec<String>> =
        [d.to_path_buf(), d.join("precious"), d.join("proj")].iter().map(|p| names(p)).collect();
    for target in targets {
        for args in [
            vec!["run", scenario.to_str().unwrap(), "--out", target, "--quiet"],
            vec!["lr-find", scenario.to_str().unwrap(), "--steps", "10", "--out", target],
            vec!["report", "res", "--out", target],
        ] {
            let o = run_in(d, &args);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains(&format!("refusing to replace `{target}`")), "{args:?}: {err}");
            assert!(!err.contains(".partial-"), "{err}");
        }
    }
    let after: Vec<Vec<String>> =
        [d.to_path_buf(), d.join("precious"), d.join("proj")].iter().map(|p| names(p)).collect();
    assert_eq!(before, after, "nothing created, nothing removed");
    assert_eq!(fs::read_to_string(d.join("precious/notes.txt")).unwrap(), "notes");
    assert_eq!(fs::read_to_string(d.join("afile")).unwrap(), "a file");
    assert!(fs::symlink_metadata(d.join("link")).unwrap().file_type().is_symlink());

    // A folder optlab wrote, and an empty one, are replaced.
    fs::create_dir(d.join("empty")).unwrap();
    for target in ["res", "empty"] {
        let o = run_in(d, &["run", "small.toml", "--out", target, "--quiet"]);
        assert!(o.status.success(), "{target}: {}", stderr(&o));
        assert!(d.join(target).join("steps.csv").is_file());
    }
    // An older optlab's result folder (no marker, only its files) is recognised.
    fs::remove_file(d.join("res/.optlab-results")).unwrap();
    let o = run_in(d, &["run", "small.toml", "--out", "res", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

// ---- 2. a saved session has its own result folder ----

#[test]
fn a_saved_session_runs_into_its_own_result_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let scenario = optlab::scenario::Scenario::load("rosenbrock").unwrap();
    let lab = scenario.build_lab().unwrap();
    let session = optlab::tui::session::session_scenario(&scenario, &lab);
    let saved = optlab::tui::session::save(&d.join("results"), &session).unwrap();
    let o = run_in(d, &["run", "rosenbrock", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let original = fs::read(d.join("results/rosenbrock-the-textbook-five/summary.csv")).unwrap();
    let o = run_in(d, &["run", saved.to_str().unwrap(), "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.join("results/rosenbrock-the-textbook-five-session-1/summary.csv").is_file());
    assert_eq!(fs::read(d.join("results/rosenbrock-the-textbook-five/summary.csv")).unwrap(), original);
}

// ---- 6. signals: prompt in every phase, 130/143, nothing partial ----

fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn partial_in(dir: &Path) -> Option<PathBuf> {
    fs::read_dir(dir).ok()?.flatten().map(|e| e.path()).find(|p| p.to_string_lossy().contains(".partial-"))
}

/// Send `signal` and wait; returns the exit code and how long the exit took.
fn signal_and_wait(child: &mut Child, signal: &str) -> (Option<i32>, Duration) {
    let sent = Instant::now();
    assert!(Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap().success());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code(), sent.elapsed());
        }
        // A hang detector, not a benchmark: a prompt exit takes well under a second.
        if sent.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("still running 10 s after {signal}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Runs `args` writing to `dir/results/out` (holding an earlier result), signals
/// it once `phase` says so, and checks the exit code, the earlier results and
/// that nothing hidden is left.
fn interrupt(d: &Path, args: &[&str], signal: &str, code: i32, phase: &dyn Fn(&Path) -> bool) {
    let results = d.join("results");
    let out = results.join("out");
    let before = fs::read(out.join("summary.csv")).ok();
    let mut child = optlab().current_dir(d).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    wait_until("the phase", || phase(&results));
    let (got, took) = signal_and_wait(&mut child, signal);
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(got, Some(code), "{args:?} after {signal}: {err}");
    assert!(took < Duration::from_secs(5), "{args:?}: {took:?} to stop");
    assert_eq!(fs::read(out.join("summary.csv")).ok(), before, "{args:?}: the earlier results changed");
    let left: Vec<String> = names(&results).into_iter().filter(|n| n.starts_with('.')).collect();
    assert!(left.is_empty(), "{args:?}: left {left:?}");
}

#[test]
fn sigint_and_sigterm_stop_every_phase_promptly_and_leave_nothing_partial() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir(d.join("results")).unwrap();
    let o = run_in(d, &["run", "rosenbrock", "--out", "results/out", "--quiet"]);
    assert!(o.status.success());
    let stepping = write(
        &d.join("long.toml"),
        "name = \"long\"\nsteps = 100000000\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"adam\"\n",
    );
    // Each gradient of a 1500-wide two-layer MLP on 2000 samples takes a long while.
    let heavy = write(
        &d.join("heavy.toml"),
        "name = \"heavy\"\nsteps = 1000\n[objective]\nkind = \"mlp\"\nhidden = [1500, 1500]\n\
         [objective.dataset]\nbuiltin = \"moons\"\nsamples = 2000\n[[optimizer]]\nkind = \"sgd\"\n",
    );
    // Many short runs on one thread: most of the time is spent starting and ending runs.
    let many = write(
        &d.join("many.toml"),
        "name = \"many\"\nsteps = 3000\nseeds = 2000\n[objective]\nkind = \"rosenbrock\"\nnoise = 0.1\n[[optimizer]]\nkind = \"sgd\"\nlr = 1e-4\n",
    );
    // A long steps.csv: the report phase takes a while.
    let reported = write(
        &d.join("reported.toml"),
        "name = \"reported\"\nsteps = 150000\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"adam\"\n\
         [[optimizer]]\nkind = \"sgd\"\nlr = 1e-4\n[[optimizer]]\nkind = \"rmsprop\"\nlr = 1e-3\n",
    );
    let started = |r: &Path| partial_in(r).is_some();
    let heavy_started = |r: &Path| {
        // Inside the first steps: the partial folder exists, and a moment passed.
        let seen = partial_in(r).is_some();
        if seen {
            std::thread::sleep(Duration::from_millis(300));
        }
        seen
    };
    let in_report = |r: &Path| partial_in(r).is_some_and(|p| p.join("steps.csv").is_file());
    for (signal, code) in [("-INT", 130), ("-TERM", 143)] {
        let run = |s: &PathBuf| vec!["run".to_string(), s.display().to_string(), "--out".into(), "results/out".into()];
        let a = run(&stepping);
        interrupt(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), signal, code, &started);
        let a = run(&heavy);
        interrupt(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), signal, code, &heavy_started);
        let mut a = run(&many);
        a.extend(["--threads".into(), "1".into()]);
        interrupt(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), signal, code, &started);
        let a = run(&reported);
        interrupt(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), signal, code, &in_report);
        let lr = ["lr-find", heavy.to_str().unwrap(), "--steps", "1000", "--out", "results/out"];
        interrupt(d, &lr, signal, code, &|_| {
            std::thread::sleep(Duration::from_millis(500));
            true
        });
    }
}

// ---- 7. sizes checked before allocating; parameter columns bounded ----

#[test]
fn sizes_are_checked_before_anything_is_allocated() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let text = |dim: &str, extra: &str| {
        format!(
            "name = \"big\"\nsteps = 2\n[objective]\nkind = \"rosenbrock\"\ndim = {dim}\n{extra}[[optimizer]]\nkind = \"sgd\"\n"
        )
    };
    write(&d.join("huge.toml"), &text("1000000000", ""));
    let o = run_in(d, &["check", "huge.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("huge.toml:5:7: key `objective.dim`: 1000000000 is too large; at most 10000000"),
        "{}",
        stderr(&o)
    );
    let sweep = "name = \"many\"\nseeds = 10000\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"sgd\"\n\
                 sweep = { lr = [1e-4, 2e-4, 3e-4, 4e-4, 5e-4, 6e-4, 7e-4, 8e-4, 9e-4, 1e-3, 2e-3] }\n";
    write(&d.join("sweep.toml"), sweep);
    let o = run_in(d, &["check", "sweep.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sweep.toml:5:1: key `optimizer`: 110000 runs"), "{}", stderr(&o));

    // 100 parameters: no x columns by default; all 100 when asked.
    write(&d.join("wide.toml"), &text("100", ""));
    write(&d.join("asked.toml"), &text("100", "write_params = true\n"));
    write(&d.join("narrow.toml"), &text("16", ""));
    for (file, columns) in [("wide.toml", 0), ("asked.toml", 100), ("narrow.toml", 16)] {
        let out = format!("{file}-results");
        let o = run_in(d, &["run", file, "--out", &out, "--quiet"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let header = fs::read_to_string(d.join(&out).join("steps.csv")).unwrap();
        let header = header.lines().next().unwrap();
        assert_eq!(header.split(',').filter(|c| c.starts_with('x')).count(), columns, "{file}: {header}");
    }
}

// ---- 8. two writers of one folder; leftovers of killed processes ----

#[test]
fn concurrent_writers_of_one_folder_one_wins_the_others_fail_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir(d.join("results")).unwrap();
    for _ in 0..5 {
        let children: Vec<Child> = (0..5)
            .map(|_| {
                optlab()
                    .current_dir(d)
                    .args(["run", "rosenbrock", "--out", "results/shared", "--quiet"])
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut won = 0;
        for child in children {
            let o = child.wait_with_output().unwrap();
            let err = stderr(&o);
            match o.status.code() {
                Some(0) => won += 1,
                Some(1) => assert!(
                    err.contains("`results/shared` is being written by another optlab process"),
                    "unclear failure: {err}"
                ),
                other => panic!("exit {other:?}: {err}"),
            }
        }
        assert!(won >= 1);
        assert_eq!(names(&d.join("results")), ["shared"], "nothing hidden left");
        assert!(d.join("results/shared/steps.csv").is_file() && d.join("results/shared/.optlab-results").is_file());
    }
}

#[test]
fn leftovers_of_a_killed_run_are_removed_by_any_later_run_beside_them() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    fs::create_dir(d.join("results")).unwrap();
    write(
        &d.join("long.toml"),
        "name = \"long\"\nsteps = 100000000\n[objective]\nkind = \"rosenbrock\"\n[[optimizer]]\nkind = \"adam\"\n",
    );
    let mut child =
        optlab().current_dir(d).args(["run", "long.toml", "--out", "results/a", "--quiet"]).spawn().unwrap();
    wait_until("the partial folder", || partial_in(&d.join("results")).is_some());
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(partial_in(&d.join("results")).is_some());
    let o = run_in(d, &["run", "rosenbrock", "--out", "results/b", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(names(&d.join("results")), ["b"]);
}

// ---- 9. inputs that used to hang, crash or mislead ----

fn logistic_on(csv: &str) -> String {
    format!(
        "name = \"t\"\nsteps = 5\n[objective]\nkind = \"logistic\"\n[objective.dataset]\ncsv = \"{csv}\"\n[[optimizer]]\nkind = \"sgd\"\n"
    )
}

#[test]
fn bad_inputs_get_clear_located_bounded_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let check = |file: &str| run_in(d, &["check", file]);

    // A FIFO as the dataset: refused at once instead of blocking for ever.
    if Command::new("mkfifo").arg(d.join("fifo.csv")).status().is_ok_and(|s| s.success()) {
        write(&d.join("fifo.toml"), &logistic_on("fifo.csv"));
        let mut child = optlab().current_dir(d).args(["check", "fifo.toml"]).stderr(Stdio::piped()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("check blocks on a FIFO");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    }

    // Invalid UTF-8 and deep nesting, located.
    fs::write(d.join("utf.toml"), b"name = \"t\"\n\n# caf\xe9\n").unwrap();
    let o = check("utf.toml");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("utf.toml:3:6: not valid UTF-8"), "{}", stderr(&o));
    let deep = format!("name = \"t\"\n{}[{}]\n", "\n".repeat(36), vec!["a"; 5000].join("."));
    write(&d.join("deep.toml"), &deep);
    let o = check("deep.toml");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("deep.toml:38:"), "{}", stderr(&o));

    // ±1e308 features: standardised without overflow, no run diverges at step 0.
    write(&d.join("huge.csv"), "a,b,y\n1e308,2,0\n-1e308,4,1\n1.7e308,5,0\n-1.7e308,3,1\n0,1,0\n1e307,2,1\n");
    write(&d.join("huge.toml"), &logistic_on("huge.csv"));
    let o = run_in(d, &["run", "huge.toml", "--out", "huge", "--quiet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = fs::read_to_string(d.join("huge/summary.csv")).unwrap();
    assert!(summary.contains(",completed,"), "{summary}");

    // A 5 MB cell: a short message that still names the row and column.
    write(&d.join("cell.csv"), &format!("a,b,y\n1,2,0\n{},1,1\n", "x".repeat(5_000_000)));
    write(&d.join("cell.toml"), &logistic_on("cell.csv"));
    let o = check("cell.toml");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stderr.len() < 1000, "a {}-byte message", o.stderr.len());
    assert!(stderr(&o).contains("row 3, column `a`"), "{}", stderr(&o));

    // One column: said so, without blaming a key the scenario does not have.
    write(&d.join("one.csv"), "a\n1\n2\n");
    write(&d.join("one.toml"), &logistic_on("one.csv"));
    let o = check("one.toml");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only one column (`a`)") && !stderr(&o).contains("features"), "{}", stderr(&o));

    // A folder and a device as the scenario.
    fs::create_dir(d.join("adir")).unwrap();
    let o = check("adir");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("adir: is a folder"), "{}", stderr(&o));
    let o = check("/dev/null");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/dev/null: is not a regular file"), "{}", stderr(&o));

    // --out errors name the user's path, never the hidden partial folder.
    write(&d.join("blocker"), "");
    let o = run_in(d, &["run", "rosenbrock", "--out", "blocker/out", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot write `blocker/out`: `blocker` is not a folder"), "{}", stderr(&o));
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    for args in [vec!["list"], vec!["check", "rosenbrock"], vec!["list", "optimizers"]] {
        let mut child = optlab().args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // Read one byte, then close the pipe, as `| head -c 1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        stdout.read_exact(&mut one).unwrap();
        drop(stdout);
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}
