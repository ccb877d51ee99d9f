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
//! thread's own CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`), alternated
//! call by call with the baseline on the step's own arrays, so that both see
//! the same pages and the same memory traffic from others; medians of the
//! per-pair ratios.

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

/// Nanoseconds this thread has run on a CPU, from `CLOCK_THREAD_CPUTIME_ID`
/// (nanosecond resolution; `/proc/thread-self/schedstat` moves in scheduler
/// ticks of several milliseconds on some kernels, too coarse for a 20 ms step).
fn thread_cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// CPU seconds of one call of `f`.
fn cpu_seconds(mut f: impl FnMut()) -> Option<f64> {
    let start = thread_cpu_ns()?;
    f();
    let end = thread_cpu_ns()?;
    Some((end - start) as f64 * 1e-9)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        xs[n / 2]
    } else {
        0.5 * (xs[n / 2 - 1] + xs[n / 2])
    }
}

/// Each step alternated with the baseline, one call each, in CPU time: a
/// Markdown table on stdout. The baseline is `a = p + g` over the step's own
/// parameter and gradient arrays (plus one output array allocated beside
/// them), so both see the same pages, the same placement and the same traffic
/// from other processes; the percentage is the median of the per-pair ratios.
fn paired_cpu_time_table() {
    if thread_cpu_ns().is_none() {
        return;
    }
    const PAIRS: usize = 15;
    println!(
        "\nCPU time per step (CLOCK_THREAD_CPUTIME_ID), {PAIRS} pairs, each step alternated with the baseline on its own arrays:\n"
    );
    println!("| step | bytes/param | ms/step | GB/s | baseline ms | baseline GB/s | % of baseline |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for case in CASES {
        let (mut p, g) = inputs(N);
        let mut a = Array1::<f64>::zeros(N);
        let mut opt = case.kind.build(N);
        for (name, value) in case.hp {
            if let Err(e) = opt.set(name, *value) {
                panic!("{}: {e}", case.name);
            }
        }
        opt.step(p.view_mut(), g.view(), 1e-4);
        Zip::from(&mut a).and(&p).and(&g).for_each(|a, &b, &c| *a = b + c);
        let (mut steps, mut bases, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..PAIRS {
            let base = cpu_seconds(|| {
                Zip::from(&mut a).and(&p).and(&g).for_each(|a, &b, &c| *a = b + c);
                black_box(&a);
            });
            let step = cpu_seconds(|| {
                opt.step(p.view_mut(), g.view(), 1e-4);
                black_box(&p);
            });
            if let (Some(b), Some(s)) = (base, step) {
                bases.push(b);
                steps.push(s);
                // Bandwidth ratio: bytes moved per second by the step over the baseline's.
                ratios.push((case.bytes_per_param as f64 / s) / (24.0 / b));
            }
        }
        let (step, base) = (median(steps), median(bases));
        println!(
            "| {} | {} | {:.2} | {:.1} | {:.2} | {:.1} | {:.0}% |",
            case.name,
            case.bytes_per_param,
            step * 1e3,
            (case.bytes_per_param * N as u64) as f64 / step / 1e9,
            base * 1e3,
            24.0 * N as f64 / base / 1e9,
            100.0 * median(ratios)
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
