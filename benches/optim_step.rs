//! One optimizer step on 10,000,000 parameters, against the memory bandwidth
//! of `a = b + c` on arrays of the same size.
//!
//! Throughput is the bytes each algorithm must move per parameter (every array
//! read once and every updated array written once: 8 bytes each), so the GB/s
//! figures compare directly with the baseline's 24 bytes per element.
//!
//!     cargo bench --bench optim_step
//!     python3 tools/bench_table.py      # the table in docs/PERFORMANCE.md

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ndarray::{Array1, Zip};
use optlab::optim::{Hyper, OptimizerKind};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 10_000_000;

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

fn inputs() -> (Array1<f64>, Array1<f64>) {
    let p = Array1::from_shape_fn(N, |i| ((i % 1000) as f64 * 1e-3) - 0.5);
    let g = Array1::from_shape_fn(N, |i| ((i % 777) as f64 * 1e-3) - 0.3);
    (p, g)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("optim_step_10M");
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));

    {
        let (b, cc) = inputs();
        let mut a = Array1::<f64>::zeros(N);
        group.throughput(Throughput::BytesDecimal(24 * N as u64));
        group.bench_function("baseline_a_eq_b_plus_c", |bench| {
            bench.iter(|| {
                Zip::from(&mut a).and(&b).and(&cc).for_each(|a, &b, &c| *a = b + c);
                black_box(&a);
            })
        });
    }

    for case in CASES {
        let (mut p, g) = inputs();
        let mut opt = case.kind.build(N);
        for (name, value) in case.hp {
            if let Err(e) = opt.set(name, *value) {
                panic!("{}: {e}", case.name);
            }
        }
        // The first step creates the lazy state; time the steady state.
        opt.step(p.view_mut(), g.view(), 1e-4);
        group.throughput(Throughput::BytesDecimal(case.bytes_per_param * N as u64));
        group.bench_function(case.name, |bench| {
            bench.iter(|| {
                opt.step(p.view_mut(), g.view(), 1e-4);
                black_box(&p);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
