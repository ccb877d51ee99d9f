//! Models on data through the binary: CSV datasets and their errors,
//! minibatch determinism and fairness.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn optlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optlab")).args(args).stdin(Stdio::null()).output().expect("start optlab")
}

fn ok(args: &[&str]) -> Output {
    let out = optlab(args);
    assert!(out.status.success(), "optlab {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut all = vec![reader.headers().unwrap().iter().map(str::to_string).collect::<Vec<_>>()];
    for r in reader.records() {
        all.push(r.unwrap().iter().map(str::to_string).collect());
    }
    all
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

fn drop_wall(mut rows: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let w = col(&rows, "wall_ms");
    for r in &mut rows {
        r.remove(w);
    }
    rows
}

fn scenario_with_csv(dir: &Path, csv_name: &str, csv_text: &str, dataset_extra: &str) -> PathBuf {
    fs::write(dir.join(csv_name), csv_text).unwrap();
    let text = format!(
        "name = \"csv\"\nsteps = 20\n[objective]\nkind = \"softmax\"\n[objective.dataset]\ncsv = \"{csv_name}\"\n{dataset_extra}\n\
         [[optimizer]]\nkind = \"sgd\"\nlr = 0.1\n"
    );
    let path = dir.join(format!("{csv_name}.toml"));
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn csv_datasets_with_string_labels_train() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("a,b,species\n");
    for i in 0..60 {
        let label = ["setosa", "virginica", "versicolor"][i % 3];
        text.push_str(&format!("{},{},{label}\n", i % 3 + i % 7, (i * 13) % 5));
    }
    let scenario = scenario_with_csv(tmp.path(), "flowers.csv", &text, "val_fraction = 0.25");
    let out = tmp.path().join("out");
    ok(&["run", scenario.to_str().unwrap(), "--out", out.to_str().unwrap(), "--quiet"]);
    let steps = rows(&out.join("steps.csv"));
    let acc = col(&steps, "val_accuracy");
    assert!(steps[1..].iter().all(|r| !r[acc].is_empty()), "classification has validation accuracy");
    // The resolved scenario names the file absolutely, so it runs from the result folder.
    let resolved = fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(resolved.contains("target = \"species\""), "{resolved}");
    let again = tmp.path().join("again");
    ok(&["run", out.join("scenario.toml").to_str().unwrap(), "--out", again.to_str().unwrap(), "--quiet"]);
    assert_eq!(drop_wall(steps), drop_wall(rows(&again.join("steps.csv"))));
}

#[test]
fn bad_csv_files_exit_2_naming_file_row_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &str, &[&str])] = &[
        ("empty.csv", "", "", &["empty.csv"]),
        ("ragged.csv", "x,y,label\n1,2,a\n3,b\n5,6,a\n", "", &["ragged.csv", "row 3"]),
        ("text.csv", "x,y,label\n1,2,a\n3,oops,b\n5,6,a\n", "", &["text.csv", "row 3", "`y`", "oops"]),
        ("nan.csv", "x,y,label\n1,2,a\n3,NaN,b\n5,6,a\n", "", &["nan.csv", "row 3", "`y`"]),
        ("inf.csv", "x,y,label\n1,2,a\n3,4,b\ninf,6,a\n", "", &["inf.csv", "row 4", "`x`"]),
        ("notarget.csv", "x,y,label\n1,2,a\n3,4,b\n", "target = \"class\"", &["notarget.csv", "class"]),
        ("single.csv", "x,y,label\n1,2,a\n3,4,a\n5,6,a\n", "", &["single.csv", "class"]),
    ];
    for (name, text, extra, needles) in cases {
        let scenario = scenario_with_csv(tmp.path(), name, text, extra);
        let out_dir = tmp.path().join(format!("out-{name}"));
        for args in [
            vec!["check", scenario.to_str().unwrap()],
            vec!["run", scenario.to_str().unwrap(), "--out", out_dir.to_str().unwrap()],
        ] {
            let out = optlab(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
            for needle in needles.iter() {
                assert!(stderr.contains(needle), "{name}: expected {needle:?} in {stderr}");
            }
            assert!(!out_dir.exists());
        }
    }
    // A file that does not exist is named with the scenario.
    let scenario = tmp.path().join("missing.toml");
    fs::write(
        &scenario,
        "name = \"m\"\n[objective]\nkind = \"logistic\"\n[objective.dataset]\ncsv = \"nowhere.csv\"\n[[optimizer]]\nkind = \"sgd\"\n",
    )
    .unwrap();
    let out = optlab(&["check", scenario.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("missing.toml") && stderr.contains("nowhere.csv"), "{stderr}");
}

#[test]
fn dataset_settings_errors_point_at_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.toml");
    fs::write(
        &scenario,
        "name = \"s\"\n[objective]\nkind = \"softmax\"\n[objective.dataset]\nbuiltin = \"moons\"\nclasses = 5\n[[optimizer]]\nkind = \"sgd\"\n",
    )
    .unwrap();
    let out = optlab(&["check", scenario.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("s.toml:6:11: key `objective.dataset.classes`"), "{stderr}");

    fs::write(
        &scenario,
        "name = \"s\"\n[objective]\nkind = \"linear\"\n[objective.dataset]\nbuiltin = \"nope\"\n[[optimizer]]\nkind = \"sgd\"\n",
    )
    .unwrap();
    let out = optlab(&["check", scenario.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("s.toml:5:11: key `objective.dataset.builtin`"), "{stderr}");
}

#[test]
fn minibatch_runs_are_deterministic_across_threads_and_fair_across_optimizers() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("fair.toml");
    fs::write(
        &scenario,
        r#"
name = "fairness"
steps = 60
seeds = 2
[objective]
kind = "mlp"
hidden = [8]
batch_size = 16
eval_every = 7
[objective.dataset]
builtin = "blobs"
samples = 200
classes = 3
[[optimizer]]
kind = "sgd"
label = "A"
lr = 0.05
[[optimizer]]
kind = "sgd"
label = "B"
lr = 0.05
[[optimizer]]
kind = "adam"
label = "C"
lr = 0.01
[[optimizer]]
kind = "gd"
label = "D"
lr = 0.1
"#,
    )
    .unwrap();
    let s = scenario.to_str().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    ok(&["run", s, "--out", one.to_str().unwrap(), "--threads", "1", "--quiet"]);
    ok(&["run", s, "--out", two.to_str().unwrap(), "--threads", "2", "--quiet"]);
    let a = drop_wall(rows(&one.join("steps.csv")));
    assert_eq!(a, drop_wall(rows(&two.join("steps.csv"))));

    let (run, seed, step, loss, batch_loss, epoch) =
        (col(&a, "run"), col(&a, "seed"), col(&a, "step"), col(&a, "loss"), col(&a, "batch_loss"), col(&a, "epoch"));
    let of = |label: &str, sd: &str| -> Vec<&Vec<String>> {
        a.iter().filter(|r| r[run] == label && r[seed] == sd).collect()
    };
    // Same seed, same batch size, same rule: identical initial weights and minibatches.
    assert_eq!(
        of("A", "0").iter().map(|r| (&r[step], &r[loss], &r[batch_loss])).collect::<Vec<_>>(),
        of("B", "0").iter().map(|r| (&r[step], &r[loss], &r[batch_loss])).collect::<Vec<_>>()
    );
    // Every optimizer starts from the same weights for a seed; seeds differ.
    let start = |label: &str, sd: &str| of(label, sd)[0][loss].clone();
    assert_eq!(start("A", "0"), start("C", "0"));
    assert_eq!(start("A", "0"), start("D", "0"));
    assert_ne!(start("A", "0"), start("A", "1"));
    // Evaluated every 7 updates and at the last; epochs count passes (160 training samples, batches of 16).
    let steps_a: Vec<&str> = of("A", "0").iter().map(|r| r[step].as_str()).collect();
    assert_eq!(steps_a, ["0", "7", "14", "21", "28", "35", "42", "49", "56", "60"]);
    assert_eq!(of("A", "0")[2][epoch], "1.4");
    // GD is always full batch: one epoch per update.
    assert_eq!(of("D", "0")[1][epoch], "7");
}
