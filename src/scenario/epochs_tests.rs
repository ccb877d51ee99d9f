//! `epochs = N`: every run makes N passes over the training set, whatever its
//! batch size.

use super::*;
use crate::optim::ScheduleKind;

const MOONS: &str = r#"
name = "epochs"
epochs = 3
[objective]
kind = "logistic"
batch_size = 64
eval_every = 100
[objective.dataset]
builtin = "moons"
samples = 1000
[[optimizer]]
kind = "gd"
label = "GD"
[[optimizer]]
kind = "sgd"
label = "batch 64"
schedule = { kind = "cosine" }
[[optimizer]]
kind = "sgd"
label = "batch 1"
batch_size = 1
[[optimizer]]
kind = "sgd"
label = "batch 300"
batch_size = 300
"#;

#[test]
fn each_run_makes_n_passes_in_its_own_batches() {
    let s = Scenario::parse(MOONS, Origin::Bundled("test")).unwrap();
    assert_eq!((s.epochs, s.steps), (Some(3), 0));
    let lab = s.build_lab().unwrap();
    // 800 training samples (val_fraction 0.2): 1, 13, 800 and 3 batches per pass.
    let steps: Vec<(String, u64)> = lab.runs().iter().map(|r| (r.label().to_string(), r.spec().steps)).collect();
    let expected = [("GD", 3), ("batch 64", 39), ("batch 1", 2400), ("batch 300", 9)];
    assert_eq!(steps, expected.map(|(l, n)| (l.to_string(), n)));
    for r in lab.runs() {
        // At least one evaluation per pass, so GD's three updates are three points.
        let per_epoch = r.spec().steps / 3;
        assert_eq!(r.spec().eval_every, 100.min(per_epoch), "{}", r.label());
    }
    // A cosine schedule without t_max spans its run.
    assert_eq!(lab.runs()[1].spec().schedule.kind, ScheduleKind::Cosine { t_max: 39, eta_min: 0.0 });
}

#[test]
fn a_run_to_its_end_has_seen_every_sample_n_times() {
    let s = Scenario::parse(MOONS, Origin::Bundled("test")).unwrap();
    let mut lab = s.build_lab().unwrap();
    while !lab.is_finished() {
        lab.step_all(|_, _, _| {});
    }
    for r in lab.runs() {
        let epoch = r.last().epoch.expect("models count epochs");
        assert!((epoch - 3.0).abs() < 1e-9, "{}: {epoch} epochs", r.label());
    }
}

#[test]
fn the_resolved_scenario_keeps_the_epochs_and_reads_back_equal() {
    let s = Scenario::parse(MOONS, Origin::Bundled("test")).unwrap();
    let text = s.to_toml();
    assert!(text.contains("epochs = 3") && !text.contains("steps ="), "{text}");
    assert!(!text.contains("t_max"), "the cosine default stays a default: {text}");
    let again = Scenario::parse(&text, Origin::Bundled("test")).unwrap();
    assert_eq!(again, s);
}

#[test]
fn updates_per_epoch_round_up_and_full_batch_is_one() {
    assert_eq!(epochs_to_steps(5, 800, None), 5);
    assert_eq!(epochs_to_steps(5, 800, Some(800)), 5);
    assert_eq!(epochs_to_steps(5, 800, Some(2000)), 5);
    assert_eq!(epochs_to_steps(5, 800, Some(64)), 65);
    assert_eq!(epochs_to_steps(2, 10, Some(3)), 8);
}
