//! One optimizer step on 10,000,000 parameters, against the memory bandwidth
//! of `a = b + c` on arrays of the same size.
//!
//! Throughput is the bytes each algorithm must move per parameter (every array
//! read once and every updated array written once: 8 bytes each), so the GB/s
//! figures compare directly with the baseline's 24 bytes per element.
//!
//!     cargo bench --bench optim_step
//!     python3 tools/bench_table.py      # criterion's wall-clock figures as a table
//!
//! On a shared machine wall-clock times swing with the other processes, so
//! after criterion's run a second table is printed: each step timed in the
//! thread's own CPU time (Linux `/proc/thread-self/schedstat`), interleaved
//! with the baseline so that both see the same memory traffic from others,
//! best of several rounds.

use criterion::{Criterion, Throughput};
use ndarray::{Array1, Zip};
use optlab::optim::{Hyper, OptimizerKind};
use std::hint::black_box;
use std::time::Duration;

/// Parameters per step in a real run (`cargo bench`).
const N: usize = 10_000_000;
/// Under `cargo test --benches` each benchmark runs once as a smoke test: keep it small.
const N_SMOKE_TEST: usize = 10_000;

struct Case {
    name: &'static str,
    kind: OptimizerKind,
    hp: &'static [(&'static str, Hyper)],
    /// Arrays read (params, grad, state) and written (params, state), 8 bytes each.
    bytes_per_param: u64,
}

const CASES: &[Case] = &[
    Case { name: "gd", kind: OptimizerKind::Gd, hp: &[], bytes_per_param: 24 },
    Case { name: "sgd", kind: OptimizerKind::Sgd, hp: &[], bytes_per_param: 24 },
    Case {
        name: "sgd_momentum",
        kind: OptimizerKind::Sgd,
        hp: &[("momentum", Hyper::Float(0.9))],
        bytes_per_param: 40,
    },
    Case { name: "adagrad", kind: OptimizerKind::Adagrad, hp: &[], bytes_per_param: 40 },
    Case { name: "rmsprop", kind: OptimizerKind::Rmsprop, hp: &[], bytes_per_param: 40 },
    Case {
        name: "rmsprop_centered",
        kind: OptimizerKind::Rmsprop,
        hp: &[("centered", Hyper::Bool(true))],
        bytes_per_param: 56,
    },
    Case { name: "adam", kind: OptimizerKind::Adam, hp: &[], bytes_per_param: 56 },
    Case {
        name: "adam_amsgrad",
        kind: OptimizerKind::Adam,
        hp: &[("amsgrad", Hyper::Bool(true))],
        bytes_per_param: 72,
    },
    Case { name: "adamw", kind: OptimizerKind::Adamw, hp: &[], bytes_per_param: 56 },
    Case { name: "adamax", kind: OptimizerKind::Adamax, hp: &[], bytes_per_param: 56 },
    Case { name: "nadam", kind: OptimizerKind::Nadam, hp: &[], bytes_per_param: 56 },
    Case { name: "radam", kind: OptimizerKind::Radam, hp: &[], bytes_per_param: 56 },
    Case { name: "adadelta", kind: OptimizerKind::Adadelta, hp: &[], bytes_per_param: 56 },
    Case { name: "rprop", kind: OptimizerKind::Rprop, hp: &[], bytes_per_param: 56 },
    Case { name: "lion", kind: OptimizerKind::Lion, hp: &[], bytes_per_param: 40 },
];

fn inputs(n: usize) -> (Array1<f64>, Array1<f64>) {
    let p = Array1::from_shape_fn(n, |i| ((i % 1000) as f64 * 1e-3) - 0.5);
    let g = Array1::from_shape_fn(n, |i| ((i % 777) as f64 * 1e-3) - 0.3);
    (p, g)
}

fn bench(c: &mut Criterion, n: usize) {
    let mut group = c.benchmark_group("optim_step_10M");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));

    {
        let (b, cc) = inputs(n);
        let mut a = Array1::<f64>::zeros(n);
        group.throughput(Throughput::BytesDecimal(24 * n as u64));
        group.bench_function("baseline_a_eq_b_plus_c", |bench| {
            bench.iter(|| {
                Zip::from(&mut a).and(&b).and(&cc).for_each(|a, &b, &c| *a = b + c);
                black_box(&a);
            })
        });
    }

    for case in CASES {
        let (mut p, g) = inputs(n);
        let mut opt = case.kind.build(n);
        for (name, value) in case.hp {
            if let Err(e) = opt.set(name, *value) {
                panic!("{}: {e}", case.name);
            }
        }
        // The first step creates the lazy state; time the steady state.
        opt.step(p.view_mut(), g.view(), 1e-4);
        group.throughput(Throughput::BytesDecimal(case.bytes_per_param * n as u64));
        group.bench_function(case.name, |bench| {
            bench.iter(|| {
                opt.step(p.view_mut(), g.view(), 1e-4);
                black_box(&p);
            })
        });
    }
    group.finish();
}

/// Nanoseconds this thread has run on a CPU (Linux), `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// CPU seconds per call of `f`, averaged over `reps` calls (the kernel updates
/// the counter at scheduler ticks: several calls make its lag negligible).
fn cpu_seconds(reps: usize, mut f: impl FnMut()) -> Option<f64> {
    let start = thread_cpu_ns()?;
    for _ in 0..reps {
        f();
    }
    let end = thread_cpu_ns()?;
    Some((end - start) as f64 * 1e-9 / reps as f64)
}

/// The baseline and each step, interleaved, in CPU time: a Markdown table on stdout.
fn paired_cpu_time_table() {
    if thread_cpu_ns().is_none() {
        return;
    }
    let (b, c) = inputs(N);
    let mut a = Array1::<f64>::zeros(N);
    let mut baseline = || {
        Zip::from(&mut a).and(&b).and(&c).for_each(|a, &b, &c| *a = b + c);
        black_box(&a);
    };
    println!("\nCPU time per step, best of 5 rounds of 4, each step paired with the baseline:\n");
    println!("| step | bytes/param | ms/step | GB/s | baseline GB/s | % of baseline |");
    println!("|---|---:|---:|---:|---:|---:|");
    for case in CASES {
        let (mut p, g) = inputs(N);
        let mut opt = case.kind.build(N);
        for (name, value) in case.hp {
            if let Err(e) = opt.set(name, *value) {
                panic!("{}: {e}", case.name);
            }
        }
        opt.step(p.view_mut(), g.view(), 1e-4);
        let (mut best_base, mut best_step) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..5 {
            let base = cpu_seconds(4, &mut baseline);
            let step = cpu_seconds(4, || {
                opt.step(p.view_mut(), g.view(), 1e-4);
                black_box(&p);
            });
            if let (Some(x), Some(y)) = (base, step) {
                best_base = best_base.min(x);
                best_step = best_step.min(y);
            }
        }
        let base_gbs = 24.0 * N as f64 / best_base / 1e9;
        let gbs = (case.bytes_per_param * N as u64) as f64 / best_step / 1e9;
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.0}% |",
            case.name,
            case.bytes_per_param,
            best_step * 1e3,
            gbs,
            base_gbs,
            100.0 * gbs / base_gbs
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not.
    let real_run = std::env::args().any(|a| a == "--bench");
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, if real_run { N } else { N_SMOKE_TEST });
    criterion.final_summary();
    if real_run {
        paired_cpu_time_table();
    }
}
