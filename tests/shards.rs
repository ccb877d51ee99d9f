//! Sweeps split into shards, as a batch engine runs them: each shard a
//! separate `optlab run --shard` process, merged with `optlab merge` into the
//! folder one `optlab run` writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn optlab() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_optlab"));
    c.stdin(Stdio::null());
    // The batch engines' variables of the machine running the tests must not leak in.
    for v in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"] {
        c.env_remove(v);
    }
    c.env_remove("SLURM_ARRAY_TASK_STEP").env_remove("JOB_COMPLETION_INDEX").env_remove("SLURM_JOB_ID");
    c
}

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn run_ok(args: &[&str]) -> Output {
    ok(optlab().args(args).output().expect("start optlab"), &format!("optlab {args:?}"))
}

fn fails_with(args: &[&str], code: i32) -> String {
    let out = optlab().args(args).output().expect("start optlab");
    assert_eq!(out.status.code(), Some(code), "optlab {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// 3 entries × 5 learning rates × 4 seeds = 60 runs of a minibatch model with validation figures.
const SWEEP: &str = r#"
name = "Shard sweep"
steps = 40
seeds = 4
[objective]
kind = "softmax"
batch_size = 16
eval_every = 4
[objective.dataset]
builtin = "blobs"
samples = 200
[[optimizer]]
kind = "sgd"
label = "SGD"
momentum = 0.9
sweep = { lr = [0.003, 0.01, 0.03, 0.1, 0.3] }
[[optimizer]]
kind = "adam"
label = "Adam"
sweep = { lr = [0.001, 0.003, 0.01, 0.03, 0.1] }
[[optimizer]]
kind = "rmsprop"
label = "RMSprop"
sweep = { lr = [0.0003, 0.001, 0.003, 0.01, 0.03] }
"#;

/// An analytic objective: parameter columns after run_id, a diverging run.
const FUNCTION: &str = r#"
name = "Shard function"
steps = 300
seeds = 2
[objective]
kind = "rosenbrock"
noise = 0.01
[stop]
target_loss = 1e-3
[[optimizer]]
kind = "adam"
label = "Adam"
sweep = { lr = [0.01, 0.1, 1.0] }
[[optimizer]]
kind = "sgd"
label = "SGD"
sweep = { lr = [0.0001, 0.001, 0.1] }
"#;

fn scenario(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The lines of a CSV file with the wall_ms field blanked.
fn without_wall_ms(path: &Path) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    let mut rows = reader.records().map(|r| r.unwrap());
    let header = rows.next().unwrap();
    let wall = header.iter().position(|h| h == "wall_ms").unwrap();
    let mut out = vec![header.iter().collect::<Vec<_>>().join(",")];
    out.extend(
        rows.map(|r| r.iter().enumerate().map(|(i, f)| if i == wall { "" } else { f }).collect::<Vec<_>>().join(",")),
    );
    out
}

/// report.md with the wall-time column blanked: the one figure that depends on the machine.
fn report_without_wall_time(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| match (l.starts_with('|'), l.trim_end_matches(" |").rfind(" | ")) {
            (true, Some(i)) if l.ends_with(" ms |") || l.ends_with(" s |") || l.ends_with("µs |") => {
                format!("{} | (time) |", &l[..i])
            }
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every file of two result folders the same: CSVs but for wall_ms, the report but for wall time, the rest byte for byte.
fn assert_same_results(single: &Path, merged: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<String> =
            fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    assert_eq!(names(single), names(merged));
    for name in names(single) {
        let (a, b) = (single.join(&name), merged.join(&name));
        match name.as_str() {
            "steps.csv" | "summary.csv" => {
                let (ra, rb) = (without_wall_ms(&a), without_wall_ms(&b));
                assert_eq!(ra.len(), rb.len(), "{name}");
                for (i, (x, y)) in ra.iter().zip(&rb).enumerate() {
                    assert_eq!(x, y, "{name} line {}", i + 1);
                }
                // And the same bytes apart from the wall_ms fields: no quoting or float formatting drift.
                let len = |p: &Path| fs::read_to_string(p).unwrap().lines().count();
                assert_eq!(len(&a), len(&b));
            }
            "report.md" => assert_eq!(report_without_wall_time(&a), report_without_wall_time(&b)),
            _ => assert!(fs::read(&a).unwrap() == fs::read(&b).unwrap(), "{name} differs"),
        }
    }
}

/// Start every shard of `count` as its own process at once (they finish in any order).
fn run_shards(scenario: &str, count: usize, parent: &Path) {
    let children: Vec<_> = (1..=count)
        .rev()
        .map(|i| {
            optlab()
                .args(["run", scenario, "--quiet", "--threads", "1", "--shard", &format!("{i}/{count}"), "--out"])
                .arg(parent)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        ok(child.wait_with_output().unwrap(), "a shard");
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn shard_dirs(parent: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(parent).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

#[test]
fn a_60_run_sweep_in_1_3_or_7_shards_merges_to_the_single_machine_result() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "sweep.toml", SWEEP);
    let single = tmp.path().join("single");
    run_ok(&["run", &s, "--quiet", "--out", single.to_str().unwrap()]);
    let summary = fs::read_to_string(single.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 61, "60 runs");
    for count in [1, 3, 7] {
        let parent = tmp.path().join(format!("shards-{count}"));
        run_shards(&s, count, &parent);
        let mut dirs = shard_dirs(&parent);
        assert_eq!(dirs.len(), count);
        // Every shard has its share: at most ⌈60/count⌉ runs.
        for d in &dirs {
            let runs = fs::read_dir(d.join("runs")).unwrap().count() / 2;
            assert!(runs <= 60usize.div_ceil(count) && runs > 0, "{} has {runs} runs", d.display());
        }
        // Folders in any order.
        dirs.reverse();
        let merged = tmp.path().join(format!("merged-{count}"));
        let mut args = vec!["merge".to_string()];
        args.extend(dirs.iter().map(|d| d.display().to_string()));
        args.extend(["--out".into(), merged.display().to_string()]);
        let out = run_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("60 runs from {count} shard folders")));
        assert_same_results(&single, &merged);
    }
}

#[test]
fn an_analytic_sweep_merges_with_its_parameter_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "f.toml", FUNCTION);
    let single = tmp.path().join("single");
    run_ok(&["run", &s, "--quiet", "--out", single.to_str().unwrap()]);
    let header = fs::read_to_string(single.join("steps.csv")).unwrap().lines().next().unwrap().to_string();
    assert!(header.ends_with(",wall_ms,grad_evals,run_id,x0,x1"), "{header}");
    let parent = tmp.path().join("shards");
    run_shards(&s, 4, &parent);
    let merged = tmp.path().join("merged");
    // The folder holding the shards stands for all of them.
    run_ok(&["merge", parent.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    assert_same_results(&single, &merged);
    let summary = fs::read_to_string(merged.join("summary.csv")).unwrap();
    assert!(summary.contains(",diverged,"), "the sweep has a diverging run: {summary}");
}

fn summaries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir.join("runs"))
        .map(|r| r.map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(".summary.csv")).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_killed_shard_resumes_where_it_stopped() {
    let tmp = tempfile::tempdir().unwrap();
    // Long enough runs that the kill lands in the middle.
    let s = scenario(tmp.path(), "long.toml", &SWEEP.replace("steps = 40", "steps = 1500"));
    let parent = tmp.path().join("shards");
    let dir = parent.join("shard-1-of-2");
    let mut child = optlab()
        .args(["run", &s, "--quiet", "--threads", "1", "--shard", "1/2", "--out"])
        .arg(&parent)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while summaries(&dir).len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(120), "no runs finished");
        assert!(child.try_wait().unwrap().is_none(), "the shard ended before it was killed");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = summaries(&dir);
    assert!(before.len() < 30, "killed before the end: {} runs done", before.len());
    let kept: Vec<(PathBuf, Vec<u8>)> = before.iter().map(|p| (p.clone(), fs::read(p).unwrap())).collect();

    // Merging now names the missing runs and their shard.
    let err = fails_with(&["merge", parent.to_str().unwrap(), "--out", tmp.path().join("m").to_str().unwrap()], 2);
    assert!(err.contains("runs are missing; run (or resume) shard 1/2"), "{err}");

    let out = run_ok(&["run", &s, "--threads", "2", "--shard", "1/2", "--resume", "--out", parent.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("({} already complete)", before.len())), "{text}");
    // The finished runs were kept as they were, not run again.
    for (path, bytes) in &kept {
        assert_eq!(&fs::read(path).unwrap(), bytes, "{} rewritten", path.display());
    }
    assert!(
        !fs::read_dir(dir.join("runs")).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".tmp-"))
    );
    run_ok(&["run", &s, "--quiet", "--shard", "2/2", "--out", parent.to_str().unwrap()]);
    let merged = tmp.path().join("merged");
    run_ok(&["merge", parent.to_str().unwrap(), "--out", merged.to_str().unwrap()]);
    let single = tmp.path().join("single");
    run_ok(&["run", &s, "--quiet", "--out", single.to_str().unwrap()]);
    assert_same_results(&single, &merged);
}

#[test]
fn an_interrupted_shard_keeps_its_finished_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "long.toml", &SWEEP.replace("steps = 40", "steps = 1500"));
    let parent = tmp.path().join("shards");
    let dir = parent.join("shard-1-of-1");
    let child = optlab()
        .args(["run", &s, "--quiet", "--threads", "1", "--shard", "1/1", "--out"])
        .arg(&parent)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while summaries(&dir).is_empty() {
        assert!(started.elapsed() < Duration::from_secs(120), "no runs finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGTERM, as a batch engine sends before preempting a task.
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // 128 + SIGTERM, as for every command.
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(err.contains("terminated; the runs finished so far are kept") && err.contains("--resume"), "{err}");
    assert!(!summaries(&dir).is_empty());
    assert!(
        !fs::read_dir(dir.join("runs")).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().contains(".tmp-"))
    );
    // The lock went with the process: the task submitted again resumes at once.
    let done = summaries(&dir).len();
    let out = run_ok(&["run", &s, "--threads", "2", "--shard", "1/1", "--resume", "--out", parent.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("60 of 60 runs ({done} already complete)")), "{text}");
}

#[test]
fn missing_duplicate_conflicting_and_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "f.toml", FUNCTION);
    let parent = tmp.path().join("shards");
    run_shards(&s, 3, &parent);
    let dirs = shard_dirs(&parent);
    let out = tmp.path().join("merged");
    let merge = |dirs: &[&Path]| {
        let mut args = vec!["merge".to_string()];
        args.extend(dirs.iter().map(|d| d.display().to_string()));
        args.extend(["--out".into(), out.display().to_string()]);
        args
    };

    // A shard not given: its runs are listed, with their shard.
    let err = fails_with(&strs(&merge(&[&dirs[0], &dirs[2]])), 2);
    let n2 = summaries(&dirs[1]).len();
    assert!(err.contains(&format!("{n2} of 12 runs are missing; run (or resume) shard 2/3")), "{err}");
    assert!(err.contains("shard 2/3, not among the folders given"), "{err}");
    assert!(err.contains("`Adam lr=") || err.contains("`SGD lr="), "{err}");
    assert!(!out.exists(), "nothing written");

    // A shard given twice, or a run copied into another shard unchanged: kept once.
    let text = String::from_utf8(run_ok(&strs(&merge(&[&dirs[0], &dirs[1], &dirs[2], &dirs[1]]))).stdout).unwrap();
    assert!(text.contains(&format!("{n2} found twice (identical, kept once)")), "{text}");

    // The same run with other numbers in two shards: an error naming both.
    let run = &summaries(&dirs[0])[0];
    let id = run.file_name().unwrap().to_string_lossy().replace(".summary.csv", "");
    let copy = tmp.path().join("copy");
    fs::create_dir_all(copy.join("runs")).unwrap();
    for f in ["shard.toml", "scenario.toml"] {
        fs::copy(dirs[1].join(f), copy.join(f)).unwrap();
    }
    fs::copy(run, copy.join("runs").join(format!("{id}.summary.csv"))).unwrap();
    let steps = fs::read_to_string(dirs[0].join("runs").join(format!("{id}.steps.csv"))).unwrap();
    let mut lines: Vec<String> = steps.lines().map(str::to_string).collect();
    // Change the loss of the third row.
    let mut fields: Vec<String> = lines[2].split(',').map(str::to_string).collect();
    fields[6] = format!("{}1", fields[6]);
    lines[2] = fields.join(",");
    fs::write(copy.join("runs").join(format!("{id}.steps.csv")), lines.join("\n") + "\n").unwrap();
    let err = fails_with(&strs(&merge(&[&dirs[0], &dirs[1], &dirs[2], &copy])), 2);
    assert!(err.contains(&format!("(run_id {id}) is in")) && err.contains("rows differ from row 3"), "{err}");

    // Shards of another scenario are refused.
    let other = scenario(tmp.path(), "g.toml", &FUNCTION.replace("steps = 300", "steps = 200"));
    let other_parent = tmp.path().join("other");
    run_ok(&["run", &other, "--quiet", "--shard", "2/3", "--out", other_parent.to_str().unwrap()]);
    let err = fails_with(&strs(&merge(&[&dirs[0], &other_parent.join("shard-2-of-3"), &dirs[2]])), 2);
    assert!(err.contains("are shards of different scenarios") && err.contains("steps = 300"), "{err}");

    // The result never replaces its own shards.
    let err = fails_with(&["merge", parent.to_str().unwrap(), "--out", parent.to_str().unwrap()], 2);
    assert!(err.contains("would replace the shard folder"), "{err}");
    assert_eq!(shard_dirs(&parent), dirs);

    // Not a shard folder at all: a result folder.
    let err = fails_with(&strs(&merge(&[&out])), 2);
    assert!(err.contains("not a shard folder"), "{err}");
}

#[test]
fn shard_auto_reads_slurm_and_kubernetes() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "f.toml", FUNCTION);
    let parent = tmp.path().join("shards");
    let p = parent.to_str().unwrap();
    let out = ok(
        optlab()
            .args(["run", &s, "--shard", "auto", "--out", p])
            .env("SLURM_ARRAY_TASK_ID", "5")
            .env("SLURM_ARRAY_TASK_MIN", "4")
            .env("SLURM_ARRAY_TASK_MAX", "6")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .output()
            .unwrap(),
        "SLURM task",
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("shard 2/3"));
    assert!(parent.join("shard-2-of-3").join("shard.toml").is_file());
    ok(
        optlab()
            .args(["run", &s, "--quiet", "--shard", "auto", "--shards", "4", "--out", p])
            .env("JOB_COMPLETION_INDEX", "0")
            .output()
            .unwrap(),
        "Kubernetes pod",
    );
    assert!(parent.join("shard-1-of-4").join("shard.toml").is_file());
    let err = fails_with(&["run", &s, "--shard", "auto", "--out", p], 2);
    assert!(err.contains("no batch engine says which shard this is"), "{err}");
    let out =
        optlab().args(["run", &s, "--shard", "auto", "--out", p]).env("JOB_COMPLETION_INDEX", "1").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --shards N"));
    let err = fails_with(&["run", &s, "--shard", "4/3"], 2);
    assert!(err.contains("I must be between 1 and 3"), "{err}");
    let err = fails_with(&["run", &s, "--resume"], 2);
    assert!(err.contains("--shard"), "{err}");
}

#[test]
fn a_shard_never_writes_into_a_folder_it_did_not_make() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "f.toml", FUNCTION);
    let parent = tmp.path().join("shards");
    let mine = parent.join("shard-1-of-2");
    fs::create_dir_all(&mine).unwrap();
    fs::write(mine.join("notes.txt"), "precious").unwrap();
    let err = fails_with(&["run", &s, "--shard", "1/2", "--out", parent.to_str().unwrap()], 2);
    assert!(err.contains("refusing to replace") && err.contains("optlab did not write"), "{err}");
    assert_eq!(fs::read_to_string(mine.join("notes.txt")).unwrap(), "precious");
}

/// `optlab emit ENGINE` of `scenario` into `dir`, calling this build of optlab.
fn emit(engine: &str, scenario: &str, shards: usize, dir: &Path) {
    run_ok(&[
        "emit",
        engine,
        scenario,
        "--shards",
        &shards.to_string(),
        "--out",
        dir.to_str().unwrap(),
        "--optlab",
        env!("CARGO_BIN_EXE_optlab"),
    ]);
}

fn bash(script: &Path, env: &[(&str, String)]) -> Output {
    let mut c = Command::new("bash");
    c.arg(script).stdin(Stdio::null());
    for v in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_COUNT"] {
        c.env_remove(v);
    }
    c.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    ok(c.output().unwrap(), &format!("bash {}", script.display()))
}

#[test]
fn the_emitted_slurm_scripts_run_the_shards_and_the_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "sweep.toml", SWEEP);
    let dir = tmp.path().join("cluster");
    emit("slurm", &s, 3, &dir);
    let shard = fs::read_to_string(dir.join("shard.sbatch")).unwrap();
    assert!(shard.contains("#SBATCH --array=0-2\n"), "{shard}");
    assert!(shard.contains(&format!(
        "exec {} run {}",
        env!("CARGO_BIN_EXE_optlab"),
        dir.join("scenario.toml").display()
    )));
    assert!(shard.contains("--shard auto --resume"), "{shard}");
    let submit = fs::read_to_string(dir.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:\"$array\""), "{submit}");
    // Each task as SLURM starts it, last first, then the merge job.
    for task in (0..3).rev() {
        let env = [
            ("SLURM_ARRAY_TASK_ID", task.to_string()),
            ("SLURM_ARRAY_TASK_MIN", "0".into()),
            ("SLURM_ARRAY_TASK_MAX", "2".into()),
            ("SLURM_ARRAY_TASK_COUNT", "3".into()),
        ];
        bash(&dir.join("shard.sbatch"), &env);
    }
    let out = bash(&dir.join("merge.sbatch"), &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("results in {}", dir.join("result").display())));
    let single = tmp.path().join("single");
    run_ok(&["run", dir.join("scenario.toml").to_str().unwrap(), "--quiet", "--out", single.to_str().unwrap()]);
    assert_same_results(&single, &dir.join("result"));
    // The copy of the scenario is the scenario.
    assert_eq!(
        fs::read_to_string(dir.join("scenario.toml")).unwrap(),
        fs::read_to_string(single.join("scenario.toml")).unwrap()
    );
    let spaced = tmp.path().join("my sweep");
    let err = fails_with(&["emit", "slurm", &s, "--shards", "2", "--out", spaced.to_str().unwrap()], 2);
    assert!(err.contains("must not contain spaces"), "{err}");
    assert!(!spaced.exists());
    // Emitting again into the same folder is fine; into someone else's folder it is not.
    emit("slurm", &s, 4, &dir);
    let foreign = tmp.path().join("foreign");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("job.sh"), "mine").unwrap();
    let err = fails_with(&["emit", "slurm", &s, "--shards", "2", "--out", foreign.to_str().unwrap()], 2);
    assert!(err.contains("refusing to replace") && err.contains("optlab did not write"), "{err}");
}

#[test]
fn the_emitted_kubernetes_job_runs_its_pods_and_the_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "f.toml", FUNCTION);
    let dir = tmp.path().join("k8s");
    emit("k8s", &s, 3, &dir);
    let job = fs::read_to_string(dir.join("job.yaml")).unwrap();
    for want in [
        "kind: Job\n",
        "completionMode: Indexed\n",
        "completions: 3\n",
        "parallelism: 3\n",
        "claimName: \"optlab-shared\"",
    ] {
        assert!(job.contains(want), "{want} missing:\n{job}");
    }
    // Read the manifests as Kubernetes does (YAML), and start each pod's command as the kubelet would.
    let parse = Command::new("python3")
        .args([
            "-c",
            "import json, sys, yaml\nfor f in sys.argv[1:]:\n    d = yaml.safe_load(open(f))\n    \
             print(json.dumps(d['spec']['template']['spec']['containers'][0]['command']))",
        ])
        .arg(dir.join("job.yaml"))
        .arg(dir.join("merge.yaml"))
        .output();
    let Some(parse) = parse.ok().filter(|o| o.status.success()) else {
        eprintln!("skipped: running the Kubernetes manifests' commands needs python3 with PyYAML");
        return;
    };
    let commands: Vec<Vec<String>> =
        String::from_utf8(parse.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for index in 0..3 {
        let c = &commands[0];
        ok(Command::new(&c[0]).args(&c[1..]).env("JOB_COMPLETION_INDEX", index.to_string()).output().unwrap(), "a pod");
    }
    let c = &commands[1];
    ok(Command::new(&c[0]).args(&c[1..]).output().unwrap(), "the merge pod");
    let single = tmp.path().join("single");
    run_ok(&["run", dir.join("scenario.toml").to_str().unwrap(), "--quiet", "--out", single.to_str().unwrap()]);
    assert_same_results(&single, &dir.join("result"));
}

#[test]
fn the_emitted_gnu_parallel_script_runs_and_resumes() {
    let gnu = Command::new("parallel").arg("--version").output();
    if !gnu.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("GNU parallel")) {
        eprintln!("skipped: GNU parallel is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "f.toml", FUNCTION);
    let dir = tmp.path().join("par");
    emit("parallel", &s, 3, &dir);
    let script = fs::read_to_string(dir.join("run.sh")).unwrap();
    assert!(script.contains("--joblog") && script.contains("--resume-failed"), "{script}");
    bash(&dir.join("run.sh"), &[]);
    let single = tmp.path().join("single");
    run_ok(&["run", dir.join("scenario.toml").to_str().unwrap(), "--quiet", "--out", single.to_str().unwrap()]);
    assert_same_results(&single, &dir.join("result"));
    // Run again: the joblog says every shard succeeded, so none runs twice.
    let log = |d: &Path| fs::read_to_string(d.join("joblog.txt")).unwrap().lines().count();
    let before = log(&dir);
    bash(&dir.join("run.sh"), &[]);
    assert_eq!(log(&dir), before);
}

#[test]
fn on_a_real_slurm_cluster() {
    let found = Command::new("sbatch").arg("--version").output().is_ok_and(|o| o.status.success());
    // sinfo retries for a long time when no controller answers: give it five seconds.
    let up = Command::new("sinfo").arg("-h").stdout(Stdio::null()).stderr(Stdio::null()).spawn().is_ok_and(|mut c| {
        let started = Instant::now();
        loop {
            match c.try_wait() {
                Ok(Some(status)) => break status.success(),
                Ok(None) if started.elapsed() < Duration::from_secs(5) => std::thread::sleep(Duration::from_millis(50)),
                _ => {
                    let _ = c.kill();
                    let _ = c.wait();
                    break false;
                }
            }
        }
    });
    if !found || !up {
        eprintln!("skipped: no SLURM here (sbatch on PATH and a running slurmctld; see docs/CLUSTER.md)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/slurm_e2e.sh");
    let out = Command::new("bash").arg(script).arg(env!("CARGO_BIN_EXE_optlab")).arg(tmp.path()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("OK: 24 runs in 4 SLURM shards merged equal the single-machine run"), "{text}");
}
