//! optlab's side of the anchor measurements (tools/anchors/): a worker that
//! reads one workload name per line on stdin, runs it once, and prints the
//! time it took in milliseconds. The first call of a workload also builds its
//! inputs (untimed), so the driver's rounds time only the work itself.
//!
//! Workloads (the digits CSV path comes from `OPTLAB_ANCHOR_DIGITS`):
//! - `adam_10m`: one Adam update of 10,000,000 parameters;
//! - `add_10m`: the `a = b + c` pass over arrays of that length (bandwidth);
//! - `mlp_64_64_10`, `mlp_64_64_64_10`: one epoch of a tanh MLP on digits (layer
//!   widths from input to output: one or two hidden layers of 64) with Adam
//!   (lr 1e-3), minibatches of 32 in a fresh random order;
//! - `rosenbrock_adam_10k`: 10,000 Adam updates of one run through the engine,
//!   which records the loss, gradient norm and time of every step.
//!
//! cargo run --release --example anchors   (driven by tools/anchors/anchors.py)

use ndarray::Array1;
use optlab::data::{DatasetConfig, DatasetSource};
use optlab::objective::Objective;
use optlab::objective::models::{Activation, ModelConfig, ModelKind, ModelObjective, build_model_objective};
use optlab::optim::{Hyper, Optimizer, OptimizerKind};
use optlab::scenario::{Origin, Scenario};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::hint::black_box;
use std::io::{BufRead, Write};
use std::time::Instant;

const BIG: usize = 10_000_000;

const ROSENBROCK: &str = r#"
name = "anchor: Adam on Rosenbrock"
steps = 10000
[objective]
kind = "rosenbrock"
start = [-1.5, 2.0]
[[optimizer]]
kind = "adam"
lr = 0.01
"#;

/// A workload with its inputs built once.
enum Workload {
    Adam { opt: Box<dyn Optimizer>, params: Array1<f64>, grad: Array1<f64> },
    Add { a: Vec<f64>, b: Vec<f64>, c: Vec<f64> },
    Mlp(Box<Mlp>),
    Rosenbrock { scenario: Box<Scenario> },
}

struct Mlp {
    f: ModelObjective,
    opt: Box<dyn Optimizer>,
    x: Array1<f64>,
    g: Array1<f64>,
    order: Vec<usize>,
    rng: ChaCha8Rng,
}

fn random_vec(n: usize, seed: u64) -> Vec<f64> {
    use rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

fn adam(dim: usize) -> Box<dyn Optimizer> {
    let mut opt = OptimizerKind::Adam.build(dim);
    opt.set("lr", Hyper::Float(1e-3)).expect("1e-3 is a valid Adam lr");
    opt
}

fn build(name: &str) -> Result<Workload, String> {
    Ok(match name {
        "adam_10m" => Workload::Adam {
            opt: adam(BIG),
            params: Array1::from(random_vec(BIG, 1)),
            grad: Array1::from(random_vec(BIG, 2)),
        },
        "add_10m" => Workload::Add { a: vec![0.0; BIG], b: random_vec(BIG, 3), c: random_vec(BIG, 4) },
        "mlp_64_64_10" | "mlp_64_64_64_10" => {
            // Layer widths input-hidden…-output: 64-64-10 has one hidden layer of 64.
            let hidden = if name == "mlp_64_64_10" { vec![64] } else { vec![64, 64] };
            let path = std::env::var("OPTLAB_ANCHOR_DIGITS").map_err(|_| "OPTLAB_ANCHOR_DIGITS is not set")?;
            let data = DatasetConfig {
                val_fraction: 0.0,
                standardize: false,
                ..DatasetConfig::new(DatasetSource::Csv { path: path.into(), target: None, features: None })
            };
            let model = ModelConfig { hidden, activation: Activation::Tanh, ..ModelConfig::new(ModelKind::Mlp) };
            let f = build_model_objective(&model, &data, 0).map_err(|e| e.to_string())?;
            let n = f.train_size().ok_or("the digits model has no training set")?;
            let dim = f.dim();
            Workload::Mlp(Box::new(Mlp {
                opt: adam(dim),
                x: f.initial_params(0),
                g: Array1::zeros(dim),
                f,
                order: (0..n).collect(),
                rng: ChaCha8Rng::seed_from_u64(0),
            }))
        }
        "rosenbrock_adam_10k" => Workload::Rosenbrock {
            scenario: Box::new(Scenario::parse(ROSENBROCK, Origin::Bundled("anchor")).map_err(|e| e.to_string())?),
        },
        other => return Err(format!("unknown workload `{other}`")),
    })
}

fn run(w: &mut Workload) {
    match w {
        Workload::Adam { opt, params, grad } => opt.step(params.view_mut(), grad.view(), 1e-3),
        Workload::Add { a, b, c } => {
            for ((a, b), c) in a.iter_mut().zip(b.iter()).zip(c.iter()) {
                *a = b + c;
            }
            black_box(&a);
        }
        Workload::Mlp(m) => {
            let Mlp { f, opt, x, g, order, rng } = m.as_mut();
            order.shuffle(rng);
            for batch in order.chunks(32) {
                f.batch_loss_and_gradient(x.view(), Some(batch), g.view_mut());
                opt.step(x.view_mut(), g.view(), 1e-3);
            }
        }
        Workload::Rosenbrock { scenario } => {
            let mut lab = scenario.build_lab().expect("the anchor scenario is valid");
            while !lab.is_finished() {
                lab.step_all(|_, _, r| {
                    black_box(r);
                });
            }
            black_box(lab);
        }
    }
}

fn main() {
    let mut workloads: HashMap<String, Workload> = HashMap::new();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let name = line.trim().to_string();
        if name.is_empty() {
            continue;
        }
        if !workloads.contains_key(&name) {
            match build(&name) {
                Ok(w) => {
                    workloads.insert(name.clone(), w);
                }
                Err(e) => {
                    let _ = writeln!(out, "error {e}");
                    let _ = out.flush();
                    continue;
                }
            }
        }
        let Some(w) = workloads.get_mut(&name) else { continue };
        let started = Instant::now();
        run(w);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        if writeln!(out, "{ms}").and_then(|_| out.flush()).is_err() {
            break;
        }
    }
}
