//! Prodigy: Adam whose step size d is estimated from the distance travelled
//! (Mishchenko & Defazio 2024; package `prodigyopt`).
//!
//! With g the gradient, p the parameters, p₀ the parameters at the first
//! update, γ the learning rate (a multiplier of d: leave it at 1), λ the
//! weight decay and k the updates done so far:
//!
//! ```text
//! g ← g + λ p                                     (decouple = false)
//! b = √(1 − β₂^(k+1)) / (1 − β₁^(k+1))  with use_bias_correction, else 1
//! d·γ·b = dlr                                     (with the d of the previous update)
//! r ← β₃ r + (d/d₀) dlr ⟨g, p₀ − p⟩              (the numerator, β₃ = √β₂ by default)
//! m ← β₁ m + d (1 − β₁) g,   v ← β₂ v + d² (1 − β₂) g²
//! s ← β₃ s + (d/d₀) dlr g                         ((d/d₀) d g with safeguard_warmup)
//! d̂ = d_coef · r / ‖s‖₁
//! d ← max(d, d̂) at the first growth (while d = d₀);  d_max ← max(d_max, d̂);  d ← min(d_max, d · growth_rate)
//! p ← p (1 − λ dlr)                               (decouple = true)
//! p ← p − dlr · m / (√v + d ε)                    (β₁ = 0: p − dlr · d g / (√v + d ε))
//! ```
//!
//! Mishchenko & Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free
//! Learner", ICML 2024. Defaults are the package's (prodigyopt 1.1): lr 1,
//! β₁ 0.9, β₂ 0.999, β₃ √β₂ (written 0 here, the package's `None`), ε 1e-8,
//! weight decay 0 decoupled, no bias correction, no safeguard warmup,
//! d₀ 1e-6, d_coef 1, growth_rate ∞ (`growth_rate = inf` in a scenario),
//! slice_p 1.
//!
//! Where the package differs from the paper's Algorithm (Adam version): the
//! package scales the numerator and s by d/d₀ (the paper does not; it cancels
//! in d̂ but changes rounding and the safeguard), leaves Adam's bias correction
//! off by default, lets d grow only through d_max after the first step where
//! it grows, and, when ‖s‖₁ = 0 (every gradient so far zero), returns before
//! touching d or the parameters (the moments are updated, the step count is
//! not). `slice_p = n` estimates d from every n-th entry of each tensor,
//! counted from the start of that tensor. optlab's runs have one parameter
//! group; the package's per-group options are one set here.

use super::layout::Layout;
use super::{Evaluate, Hyper, HyperError, HyperSpec, Hyperparameters, Optimizer, OptimizerKind, Validate};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip, s};

crate::hyperparameters! {
    /// Prodigy's hyperparameters (`prodigyopt.Prodigy`).
    pub struct Prodigy {
        lr: float = 1.0, Positive, "multiplier of the estimated step size d (leave at 1)";
        beta1: float = 0.9, UnitHalfOpen, "decay of the first moment (0: none)";
        beta2: float = 0.999, UnitHalfOpen, "decay of the second moment";
        beta3: float = 0.0, UnitHalfOpen, "decay of the d estimate's sums (0: sqrt(beta2), the package's None)";
        eps: float = 1e-8, Positive, "added to the denominator (times d), outside the square root";
        weight_decay: float = 0.0, NonNegative, "weight decay";
        decouple: bool = true, Bool, "decay the parameters (AdamW style) instead of adding an L2 penalty";
        use_bias_correction: bool = false, Bool, "Adam's bias correction of the step";
        safeguard_warmup: bool = false, Bool, "leave lr out of the denominator of the d estimate";
        d0: float = 1e-6, Positive, "initial estimate of d";
        d_coef: float = 1.0, Positive, "multiplier of the d estimate";
        growth_rate: float = f64::INFINITY, AtLeastOneOrInfinity, "largest factor d may grow by per update (inf: no limit)";
        slice_p: int = 1, PositiveInteger, "estimate d from every slice_p-th entry of each tensor";
    }
}

impl Validate for Prodigy {}

#[derive(Clone, Debug)]
pub struct ProdigyState {
    /// Updates done so far (the package's group `k`).
    pub k: u64,
    /// The step size estimate d, its running maximum, and the numerator r.
    pub d: f64,
    pub d_max: f64,
    pub d_numerator: f64,
    /// Whether p₀, s and the moments have been set up (at the first update).
    pub started: bool,
    /// First moment m (unused with β₁ = 0), second moment v.
    pub exp_avg: Array1<f64>,
    pub exp_avg_sq: Array1<f64>,
    /// Every slice_p-th entry of p₀ and of the sum s, per tensor.
    pub p0: Array1<f64>,
    pub s: Array1<f64>,
    /// The slice_p the two vectors above were made with.
    pub slice_p: usize,
}

impl Prodigy {
    fn beta3(&self) -> f64 {
        if self.beta3 == 0.0 { self.beta2.sqrt() } else { self.beta3 }
    }
}

/// Entries of a tensor of `len` kept by `[::step]`.
fn sliced_len(len: usize, step: usize) -> usize {
    len.div_ceil(step)
}

impl ProdigyState {
    fn start(&mut self, params: ArrayView1<f64>, tensors: &[usize], slice_p: usize) {
        let n: usize = tensors.iter().map(|&t| sliced_len(t, slice_p)).sum();
        self.p0 = Array1::zeros(n);
        self.s = Array1::zeros(n);
        let (mut at, mut out) = (0, 0);
        for &len in tensors {
            let k = sliced_len(len, slice_p);
            self.p0.slice_mut(s![out..out + k]).assign(&params.slice(s![at..at + len;slice_p]));
            at += len;
            out += k;
        }
        self.slice_p = slice_p;
        self.started = true;
    }
}

impl Prodigy {
    /// One update of parameters made of tensors of the given sizes (in order).
    pub(crate) fn step_tensors(
        &self,
        state: &mut ProdigyState,
        mut params: ArrayViewMut1<f64>,
        grad: ArrayView1<f64>,
        lr: f64,
        tensors: &[usize],
    ) {
        if state.exp_avg_sq.len() != params.len() {
            *state = ProdigyState::new(self, params.len());
        }
        if !state.started {
            // d₀ is read when the first update starts (the package's constructor argument).
            state.d = self.d0;
            state.d_max = self.d0;
        }
        if !state.started || state.slice_p != self.slice_p {
            // A new slice_p mid-run restarts the estimate's sums from here.
            state.start(params.view(), tensors, self.slice_p);
        }
        let (beta1, beta2, beta3) = (self.beta1, self.beta2, self.beta3());
        let k = state.k as f64;
        let bias_correction = if self.use_bias_correction {
            (1.0 - beta2.powf(k + 1.0)).powf(0.5) / (1.0 - beta1.powf(k + 1.0))
        } else {
            1.0
        };
        let d = state.d;
        let dlr = d * lr * bias_correction;
        let coupled = self.weight_decay != 0.0 && !self.decouple;
        let decay = self.weight_decay;
        let (m_coef, v_coef) = (d * (1.0 - beta1), d * d * (1.0 - beta2));
        let numerator_coef = (d / self.d0) * dlr;
        let s_coef = if self.safeguard_warmup { (d / self.d0) * d } else { (d / self.d0) * dlr };

        let mut delta_numerator = 0.0;
        let mut d_denom = 0.0;
        let (mut at, mut out) = (0, 0);
        for &len in tensors {
            let kept = sliced_len(len, self.slice_p);
            let p = params.slice(s![at..at + len]);
            let g = grad.slice(s![at..at + len]);
            // The coupled penalty changes the gradient the package reads everywhere below.
            let gd = |i: usize| if coupled { g[i] + decay * p[i] } else { g[i] };
            let mut dot = 0.0;
            let mut abs_sum = 0.0;
            let p0 = state.p0.slice(s![out..out + kept]);
            let mut sv = state.s.slice_mut(s![out..out + kept]);
            let mut m = state.exp_avg.slice_mut(s![at..at + len]);
            let mut v = state.exp_avg_sq.slice_mut(s![at..at + len]);
            if self.slice_p == 1 {
                // One pass over every array (the common case, and the fast one).
                Zip::from(&p).and(&g).and(&p0).and(&mut sv).and(&mut m).and(&mut v).for_each(|&p, &g, &p0, s, m, v| {
                    let g = if coupled { g + decay * p } else { g };
                    dot += g * (p0 - p);
                    *s = *s * beta3 + s_coef * g;
                    abs_sum += s.abs();
                    if beta1 > 0.0 {
                        *m = *m * beta1 + m_coef * g;
                    }
                    *v = *v * beta2 + v_coef * g * g;
                });
            } else {
                for (j, i) in (0..len).step_by(self.slice_p).enumerate() {
                    let gi = gd(i);
                    dot += gi * (p0[j] - p[i]);
                    sv[j] = sv[j] * beta3 + s_coef * gi;
                    abs_sum += sv[j].abs();
                }
                for i in 0..len {
                    let gi = gd(i);
                    if beta1 > 0.0 {
                        m[i] = m[i] * beta1 + m_coef * gi;
                    }
                    v[i] = v[i] * beta2 + v_coef * gi * gi;
                }
            }
            delta_numerator += numerator_coef * dot;
            d_denom += abs_sum;
            at += len;
            out += kept;
        }
        if d_denom == 0.0 {
            return;
        }
        let global_numerator = state.d_numerator * beta3 + delta_numerator;
        let d_hat = self.d_coef * global_numerator / d_denom;
        let mut d_new = d;
        if d_new == self.d0 {
            d_new = if d_hat > d_new { d_hat } else { d_new };
        }
        state.d_max = if d_hat > state.d_max { d_hat } else { state.d_max };
        let grown = d_new * self.growth_rate;
        d_new = if grown < state.d_max { grown } else { state.d_max };
        state.d_numerator = global_numerator;
        state.d = d_new;

        let eps_d = d_new * self.eps;
        let decoupled = if self.weight_decay != 0.0 && self.decouple { -decay * dlr } else { 0.0 };
        let neg_dlr = -dlr;
        let neg_dlr_d = -dlr * d_new;
        let zip = Zip::from(&mut params).and(&grad).and(&state.exp_avg).and(&state.exp_avg_sq);
        zip.for_each(|p, &g, &m, &v| {
            let denom = v.sqrt() + eps_d;
            if decoupled != 0.0 {
                *p += decoupled * *p;
            }
            *p = if beta1 > 0.0 {
                *p + neg_dlr * m / denom
            } else {
                let g = if coupled { g + decay * *p } else { g };
                *p + neg_dlr_d * g / denom
            };
        });
        state.k += 1;
    }
}

impl ProdigyState {
    fn new(config: &Prodigy, dim: usize) -> Self {
        ProdigyState {
            k: 0,
            d: config.d0,
            d_max: config.d0,
            d_numerator: 0.0,
            started: false,
            exp_avg: Array1::zeros(dim),
            exp_avg_sq: Array1::zeros(dim),
            p0: Array1::zeros(0),
            s: Array1::zeros(0),
            slice_p: config.slice_p,
        }
    }
}

/// Prodigy with its state and the sizes of the parameters' tensors.
#[derive(Clone)]
pub struct ProdigyOptimizer {
    kind: OptimizerKind,
    pub config: Prodigy,
    pub state: ProdigyState,
    tensors: Vec<usize>,
}

/// The constructor of the kind table.
pub fn prodigy(kind: OptimizerKind, layout: &Layout) -> Box<dyn Optimizer> {
    let config = Prodigy::default();
    let state = ProdigyState::new(&config, layout.dim());
    Box::new(ProdigyOptimizer {
        kind,
        config,
        state,
        tensors: layout.tensors().iter().map(|t| t.shape.len()).collect(),
    })
}

impl Optimizer for ProdigyOptimizer {
    fn kind(&self) -> OptimizerKind {
        self.kind
    }

    fn update(
        &mut self,
        params: ArrayViewMut1<f64>,
        _loss: f64,
        grad: ArrayView1<f64>,
        lr: f64,
        _eval: &mut dyn Evaluate,
    ) {
        if self.tensors.iter().sum::<usize>() != params.len() {
            // Parameters of another size than the layout's: one vector.
            self.tensors = vec![params.len()];
        }
        self.config.step_tensors(&mut self.state, params, grad, lr, &self.tensors);
    }

    fn specs(&self) -> &'static [HyperSpec] {
        Prodigy::specs()
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        self.config.get(name)
    }

    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        self.config.set(self.kind.name(), name, value)
    }

    fn reset(&mut self, layout: &Layout) {
        self.tensors = layout.tensors().iter().map(|t| t.shape.len()).collect();
        self.state = ProdigyState::new(&self.config, layout.dim());
    }

    fn box_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn d_grows_from_d0_on_a_quadratic() {
        let opt = Prodigy::default();
        let mut s = ProdigyState::new(&opt, 2);
        let mut p = array![3.0, -4.0];
        for _ in 0..200 {
            let g = p.clone();
            opt.step_tensors(&mut s, p.view_mut(), g.view(), 1.0, &[2]);
        }
        // The distance to the optimum is 5: d climbs from 1e-6 towards its scale.
        assert!(s.d > 1e-2, "d = {}", s.d);
        assert!(p.iter().all(|v| v.abs() < 3.0));
    }

    #[test]
    fn zero_gradients_leave_everything_but_the_moments() {
        let opt = Prodigy::default();
        let mut s = ProdigyState::new(&opt, 2);
        let mut p = array![1.0, 2.0];
        opt.step_tensors(&mut s, p.view_mut(), array![0.0, 0.0].view(), 1.0, &[2]);
        assert_eq!((s.k, s.d), (0, 1e-6));
        assert_eq!(p, array![1.0, 2.0]);
    }

    #[test]
    fn slices_count_from_the_start_of_each_tensor() {
        assert_eq!(sliced_len(5, 2), 3);
        assert_eq!(sliced_len(4, 2), 2);
        let opt = Prodigy { slice_p: 2, ..Prodigy::default() };
        let mut s = ProdigyState::new(&opt, 5);
        let p = array![1.0, 2.0, 3.0, 4.0, 5.0];
        s.start(p.view(), &[3, 2], 2);
        assert_eq!(s.p0, array![1.0, 3.0, 4.0]);
    }
}
