//! Typed objectives (`kind = "expr"`): the same function typed as text gives
//! the same trajectories as the built-in one, for every optimizer; and
//! malformed expressions are errors located in the file with a caret.

use assert_cmd::cargo::cargo_bin_cmd;
use optlab::optim::OptimizerKind;
use optlab::scenario::{Origin, Scenario};
use std::fs;
use std::path::{Path, PathBuf};

/// Every optimizer kind with its defaults (the lr each kind defaults to).
fn entries() -> String {
    OptimizerKind::ALL.iter().map(|k| format!("[[optimizer]]\nkind = \"{}\"\n", k.name())).collect()
}

/// A run's label and its (parameters, loss) after every update.
type Trajectory = (String, Vec<(Vec<f64>, f64)>);

/// The parameters and loss of every run after every update.
fn trajectories(objective: &str, steps: u64) -> Vec<Trajectory> {
    let text = format!("name = \"t\"\nsteps = {steps}\n[objective]\n{objective}\n{}", entries());
    let scenario = Scenario::parse(&text, Origin::Bundled("test")).unwrap_or_else(|e| panic!("{e}"));
    let mut lab = scenario.build_lab().unwrap();
    let mut paths: Vec<Trajectory> =
        lab.runs().iter().map(|r| (r.label().to_string(), vec![(r.params().to_vec(), f64::NAN)])).collect();
    while !lab.is_finished() {
        lab.step_all(|id, run, record| paths[id.0].1.push((run.params().to_vec(), record.loss)));
    }
    paths
}

fn assert_same(builtin: &str, typed: &str, steps: u64) {
    let a = trajectories(builtin, steps);
    let b = trajectories(typed, steps);
    assert_eq!(a.len(), OptimizerKind::ALL.len());
    for ((label, pa), (_, pb)) in a.iter().zip(&b) {
        assert_eq!(pa.len(), pb.len(), "{builtin} / {label}: different lengths");
        assert!(pa.len() as u64 > steps / 2, "{builtin} / {label}: stopped early");
        for (step, ((xa, la), (xb, lb))) in pa.iter().zip(pb).enumerate() {
            let scale = xa.iter().chain(xb).fold(0.0f64, |m, v| m.max(v.abs()));
            let miss = xa.iter().zip(xb).fold(0.0f64, |m, (u, v)| m.max((u - v).abs()));
            assert!(miss <= 1e-12 * scale, "{builtin} / {label} step {step}: {xa:?} vs {xb:?}");
            if step > 0 {
                let loss_scale = la.abs().max(lb.abs()).max(1e-300);
                assert!(
                    (la - lb).abs() <= 1e-12 * loss_scale.max(1e-10),
                    "{builtin} / {label} step {step}: loss {la} vs {lb}"
                );
            }
        }
    }
}

#[test]
fn typed_rosenbrock_follows_the_builtin_for_every_optimizer() {
    assert_same(
        "kind = \"rosenbrock\"",
        "kind = \"expr\"\nf = \"100*(y - x^2)^2 + (1 - x)^2\"\nstart = [-1.5, 2.0]",
        500,
    );
}

#[test]
fn typed_beale_follows_the_builtin_for_every_optimizer() {
    assert_same(
        "kind = \"beale\"",
        "kind = \"expr\"\nf = \"(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2\"\nstart = [1.0, 1.5]",
        500,
    );
}

#[test]
fn typed_rastrigin_follows_the_builtin_for_every_optimizer() {
    assert_same(
        "kind = \"rastrigin\"",
        "kind = \"expr\"\nf = \"(x^2 + 20*sin(pi*x)^2) + (y^2 + 20*sin(pi*y)^2)\"\nstart = [2.5, 2.7]",
        500,
    );
}

/// Each fixture's leading `# ` lines are the exact message on stderr.
#[test]
fn malformed_expressions_are_located_with_a_caret() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid_expr");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 10, "{} fixtures", files.len());
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        let expected: String = text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#'))))
            .collect::<String>()
            .replace("FILE", file.to_str().unwrap());
        for command in ["check", "run"] {
            let tmp = tempfile::tempdir().unwrap();
            let out_dir = tmp.path().join("out");
            let mut cmd = cargo_bin_cmd!("optlab");
            cmd.args([command, file.to_str().unwrap()]);
            if command == "run" {
                cmd.args(["--out", out_dir.to_str().unwrap(), "--quiet"]);
            }
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
            assert_eq!(stderr, expected, "{}", file.display());
            assert!(!out_dir.exists());
        }
    }
}

#[test]
fn the_resolved_form_of_a_typed_objective_parses_back_to_the_same_scenario() {
    let text = "name = \"t\"\n[objective]\nkind = \"expr\"\nf = \"a^2 + 3*b^2 + c\"\nvars = [\"a\", \"b\", \"c\"]\n\
                start = [1, 2, 3]\nminima = [[0, 0, -1]]\n[[optimizer]]\nkind = \"adam\"\n";
    let s = Scenario::parse(text, Origin::Bundled("t")).unwrap();
    let resolved = s.to_toml();
    assert!(resolved.contains("vars = [\"a\", \"b\", \"c\"]") && resolved.contains("[objective.window]"), "{resolved}");
    assert_eq!(Scenario::parse(&resolved, Origin::Bundled("t")).unwrap(), s);
    let f = s.build_function().unwrap();
    assert_eq!((f.dim(), f.min_value()), (3, Some(-1.0)));
}
