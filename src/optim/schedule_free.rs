//! What Schedule-Free AdamW and SGD share (Defazio et al. 2024, package
//! `schedulefree`): the averaging weights, the warmup and the two points.
//!
//! The method keeps three sequences: z (the base iterate, stepped by the
//! gradient), x (the weighted average of the z's, the point users evaluate)
//! and y = (1 − β) z + β x, where the gradient is taken. As the package does,
//! optlab stores y in the parameters (the package's "train mode") and z in the
//! state, and computes x = y + (1 − 1/β)(z − y) when it reports the loss (the
//! package's `eval()`). Each update, with k the updates done so far:
//!
//! ```text
//! γ_k = lr · min(1, (k + 1) / warmup_steps)           (linear warmup; none when warmup_steps = 0)
//! γ_max = max(γ_max, γ_k)
//! w_k = (k + 1)^r · γ_max^weight_lr_power,   c = w_k / Σ w        (0 if Σ w = 0)
//! ```
//!
//! and the optimizer's step on y and z with that c (see the two modules).
//! `lr` here is the scheduled learning rate optlab passes to the update, so a
//! schedule added in a scenario multiplies the package's lr, as setting
//! `param_group['lr']` each step would.

use super::layout::Layout;
use super::ops::Lerp;
use super::{Evaluate, Hyper, HyperError, HyperSpec, Hyperparameters, Optimizer, OptimizerKind, Validate};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

/// The package's weighting state (`k`, `lr_max`, `weight_sum` of its param group).
#[derive(Clone, Debug)]
pub struct Averaging {
    /// Updates done so far.
    pub k: u64,
    /// Largest warmed-up learning rate so far (−1 before the first update, as the package).
    pub lr_max: f64,
    /// Σ w over the updates so far.
    pub weight_sum: f64,
}

impl Default for Averaging {
    fn default() -> Self {
        Averaging { k: 0, lr_max: -1.0, weight_sum: 0.0 }
    }
}

/// The scalars of one update.
#[derive(Clone, Copy, Debug)]
pub struct Weights {
    /// The warmed-up learning rate γ_k.
    pub lr: f64,
    /// The averaging weight c_{k+1} of the new z in x.
    pub ckp1: f64,
}

impl Averaging {
    /// Advances the weighting by one update (the package's order of operations).
    pub fn next(&mut self, lr: f64, warmup_steps: usize, r: f64, weight_lr_power: f64) -> Weights {
        let k = self.k;
        let sched = if k < warmup_steps as u64 { (k + 1) as f64 / warmup_steps as f64 } else { 1.0 };
        let lr = lr * sched;
        // Python's max(lr, lr_max): the first argument unless the second is larger.
        self.lr_max = if self.lr_max > lr { self.lr_max } else { lr };
        let weight = ((k + 1) as f64).powf(r) * self.lr_max.powf(weight_lr_power);
        self.weight_sum += weight;
        // The package catches the ZeroDivisionError of 0/0 and uses 0.
        let ckp1 = if self.weight_sum == 0.0 { 0.0 } else { weight / self.weight_sum };
        self.k = k + 1;
        Weights { lr, ckp1 }
    }
}

/// What distinguishes Schedule-Free AdamW from Schedule-Free SGD.
pub trait ScheduleFreeRule: Hyperparameters + Validate {
    /// Scalars of one update, computed once.
    type Coefs: Copy;
    /// Whether the rule keeps a second moment v.
    const SECOND_MOMENT: bool;
    /// β: gradients are taken at y = (1 − β) z + β x.
    fn beta(&self) -> f64;
    /// The weights of the next update (`averaging` advanced), and its scalars.
    fn begin(&self, averaging: &mut Averaging, lr: f64) -> (Weights, Self::Coefs);
    /// The step direction d at one coordinate (v updated in place when kept).
    fn direction(c: &Self::Coefs, g: f64, y: f64, v: &mut f64) -> f64;
}

/// A Schedule-Free optimizer: its hyperparameters, y in the parameters, and
/// z, v and the reported x here.
#[derive(Clone)]
pub struct ScheduleFree<A: ScheduleFreeRule> {
    kind: OptimizerKind,
    pub config: A,
    pub averaging: Averaging,
    /// The base iterate z; empty before the first update (the package clones p into z then).
    pub z: Array1<f64>,
    /// The second moment v (AdamW).
    pub exp_avg_sq: Array1<f64>,
    /// x, the point users evaluate, recomputed after every update.
    pub x: Array1<f64>,
}

/// The constructor of a Schedule-Free kind in the kind table.
pub fn schedule_free<A: ScheduleFreeRule + 'static>(kind: OptimizerKind, _layout: &Layout) -> Box<dyn Optimizer> {
    Box::new(ScheduleFree {
        kind,
        config: A::default(),
        averaging: Averaging::default(),
        z: Array1::zeros(0),
        exp_avg_sq: Array1::zeros(0),
        x: Array1::zeros(0),
    })
}

impl<A: ScheduleFreeRule> ScheduleFree<A> {
    /// x = y + (1 − 1/β)(z − y), the package's `eval()` (`p.lerp_(z, 1 − 1/β)`).
    fn refresh_x(&mut self, y: ArrayView1<f64>) {
        let lerp = Lerp::new(1.0 - 1.0 / self.config.beta());
        Zip::from(&mut self.x).and(&y).and(&self.z).for_each(|x, &y, &z| *x = lerp.apply(y, z));
    }
}

impl<A: ScheduleFreeRule + 'static> Optimizer for ScheduleFree<A> {
    fn kind(&self) -> OptimizerKind {
        self.kind
    }

    fn update(
        &mut self,
        mut params: ArrayViewMut1<f64>,
        _loss: f64,
        grad: ArrayView1<f64>,
        lr: f64,
        _eval: &mut dyn Evaluate,
    ) {
        let n = params.len();
        if self.z.len() != n {
            // The first update (or parameters of another size): z starts at y.
            self.averaging = Averaging::default();
            self.z = params.to_owned();
            self.x = params.to_owned();
            self.exp_avg_sq = Array1::zeros(if A::SECOND_MOMENT { n } else { 0 });
        }
        let (w, coefs) = self.config.begin(&mut self.averaging, lr);
        let step = Interpolation::new(w, self.config.beta());
        if A::SECOND_MOMENT {
            Zip::from(&mut params).and(&grad).and(&mut self.z).and(&mut self.exp_avg_sq).for_each(|y, &g, z, v| {
                let d = A::direction(&coefs, g, *y, v);
                step.apply(y, z, d);
            });
        } else {
            let mut unused = 0.0;
            Zip::from(&mut params).and(&grad).and(&mut self.z).for_each(|y, &g, z| {
                let d = A::direction(&coefs, g, *y, &mut unused);
                step.apply(y, z, d);
            });
        }
        self.refresh_x(params.view());
    }

    fn reported_point(&self) -> Option<ArrayView1<'_, f64>> {
        // Before the first update x = y: the parameters themselves.
        (!self.z.is_empty()).then(|| self.x.view())
    }

    fn specs(&self) -> &'static [HyperSpec] {
        A::specs()
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        self.config.get(name)
    }

    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        // A new β changes x from the next update on (x is formed after each update).
        self.config.set(self.kind.name(), name, value)
    }

    fn reset(&mut self, _layout: &Layout) {
        self.averaging = Averaging::default();
        self.z = Array1::zeros(0);
        self.exp_avg_sq = Array1::zeros(0);
        self.x = Array1::zeros(0);
    }

    fn box_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }
}

/// The y and z update both optimizers end with, given the step direction d
/// (the normalised gradient for AdamW, the gradient for SGD):
/// y ← y + c (z − y) + γ (β (1 − c) − 1) d,  z ← z − γ d.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Interpolation {
    to_z: Lerp,
    y_coef: f64,
    neg_lr: f64,
}

impl Interpolation {
    pub(crate) fn new(w: Weights, beta: f64) -> Self {
        Interpolation { to_z: Lerp::new(w.ckp1), y_coef: w.lr * (beta * (1.0 - w.ckp1) - 1.0), neg_lr: -w.lr }
    }

    #[inline(always)]
    pub(crate) fn apply(self, y: &mut f64, z: &mut f64, d: f64) {
        *y = self.to_z.apply(*y, *z) + self.y_coef * d;
        *z += self.neg_lr * d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_gives_uniform_averaging() {
        // With r = 0 and a constant lr, c_{k+1} = 1/(k+1): x is the plain average of the z's.
        let mut a = Averaging::default();
        for k in 0..5 {
            let w = a.next(0.1, 0, 0.0, 2.0);
            assert!((w.ckp1 - 1.0 / (k + 1) as f64).abs() < 1e-15);
            assert_eq!(w.lr, 0.1);
        }
    }

    #[test]
    fn warmup_ramps_the_rate_and_weights_by_its_maximum() {
        let mut a = Averaging::default();
        let w1 = a.next(1.0, 4, 0.0, 2.0);
        assert_eq!(w1.lr, 0.25);
        assert_eq!(w1.ckp1, 1.0);
        let w2 = a.next(1.0, 4, 0.0, 2.0);
        assert_eq!(w2.lr, 0.5);
        // weights 0.25² and 0.5²: c = 0.25 / 0.3125.
        assert!((w2.ckp1 - 0.8).abs() < 1e-15);
        assert_eq!(a.lr_max, 0.5);
    }
}
