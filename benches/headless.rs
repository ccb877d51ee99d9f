//! Headless runs: a whole scenario stepped and written to CSV, as `optlab run` does.
//!
//! cargo bench --bench headless

use criterion::{Criterion, criterion_group, criterion_main};
use optlab::report::{RunOptions, run_to_folder};
use optlab::scenario::{Origin, Scenario};
use std::sync::atomic::AtomicBool;

fn six_optimizers(c: &mut Criterion) {
    let text = include_str!("six_optimizers.toml");
    let scenario = Scenario::parse(text, Origin::File("benches/six_optimizers.toml".into())).expect("valid");
    let tmp = tempfile::tempdir().expect("tempdir");
    let cancel = AtomicBool::new(false);
    let progress = |_n: u64| {};
    let mut group = c.benchmark_group("headless");
    group.sample_size(20);
    for threads in [1usize, 2] {
        group.bench_function(format!("six optimizers x 10k rosenbrock steps + csv, {threads} thread(s)"), |b| {
            b.iter(|| {
                let options = RunOptions { threads: Some(threads), progress: &progress, cancel: &cancel };
                run_to_folder(&scenario, &tmp.path().join("out"), &options).expect("run")
            })
        });
    }
    group.bench_function("six optimizers x 10k rosenbrock steps, stepping only", |b| {
        b.iter(|| {
            let mut lab = scenario.build_lab().expect("lab");
            while !lab.is_finished() {
                lab.step_all(|_, _, _| {});
            }
            lab
        })
    });
    group.finish();
}

criterion_group!(benches, six_optimizers);
criterion_main!(benches);
