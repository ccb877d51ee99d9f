//! Big updates run on several threads with fixed chunk boundaries: the
//! parameters after a few updates are bit-identical whatever the number of
//! threads (1, 2 or 3), for every optimizer kind, on 10M parameters.

use ndarray::Array1;
use optlab::optim::{Hyper, OptimizerKind};

const DIM: usize = 10_000_000;

fn run(kind: OptimizerKind, threads: usize) -> Vec<u64> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
    pool.install(|| {
        let mut opt = kind.build(DIM);
        opt.set("lr", Hyper::Float(1e-3)).expect("1e-3 is a valid rate for every kind");
        let mut p = Array1::from_shape_fn(DIM, |i| ((i % 1013) as f64 * 1e-3) - 0.5);
        let mut g = Array1::from_shape_fn(DIM, |i| ((i % 777) as f64 * 1e-3) - 0.3);
        for step in 0..2 {
            opt.step(p.view_mut(), g.view(), 1e-3);
            // A new gradient each update, so the state's influence shows in the parameters.
            g.iter_mut().zip(p.iter()).for_each(|(g, p)| *g = 0.5 * *g + p * (step as f64 + 1.0));
        }
        p.iter().map(|v| v.to_bits()).collect()
    })
}

#[test]
fn every_kind_gives_the_same_bits_with_one_two_and_three_threads() {
    for kind in OptimizerKind::ALL {
        let one = run(kind, 1);
        assert_eq!(one, run(kind, 2), "{kind}: 1 vs 2 threads");
        assert_eq!(one, run(kind, 3), "{kind}: 1 vs 3 threads");
    }
}
