//! RAdam, rectified Adam (`torch.optim.RAdam`).
//!
//! With g the gradient, p the parameters, γ the learning rate, λ the weight
//! decay and t the step count (from 1):
//!
//! ```text
//! g ← g + λ p              (or, decoupled: p ← p (1 − γλ))
//! m ← β₁ m + (1 − β₁) g
//! v ← β₂ v + (1 − β₂) g²
//! m̂ = m / (1 − β₁ᵗ)
//! ρ_∞ = 2 / (1 − β₂) − 1,   ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
//! if ρ_t > 5:  r = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t))
//!              p ← p − γ m̂ · √(1 − β₂ᵗ) / (√v + ε) · r
//! else:        p ← p − γ m̂                      (SGD with momentum, no adaptive rate)
//! ```
//!
//! Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
//! ICLR 2020. Defaults are PyTorch's: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8,
//! weight decay 0, decoupled weight decay off.
//!
//! Where libraries differ: the threshold is ρ_t > 5 as in PyTorch and the
//! paper's code (the paper's algorithm says ρ_t > 4; optax's `radam` takes
//! `threshold = 5`). With β₂ = 0.999 the first five updates take the
//! un-adapted branch. ε is added to √v before the bias correction √(1 − β₂ᵗ)
//! multiplies, so it is effectively ε / √(1 − β₂ᵗ) against √v̂ (unlike Adam).

use super::ops::Lerp;
use super::{Algorithm, Domain, Hyper, HyperSpec};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, Zip};

#[derive(Clone, Debug, PartialEq)]
pub struct Radam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    pub decoupled_weight_decay: bool,
}

impl Default for Radam {
    fn default() -> Self {
        Radam { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0, decoupled_weight_decay: false }
    }
}

#[derive(Clone, Debug)]
pub struct RadamState {
    /// Updates done so far.
    pub step: u64,
    /// First moment m.
    pub exp_avg: Array1<f64>,
    /// Second moment v.
    pub exp_avg_sq: Array1<f64>,
}

const SPECS: &[HyperSpec] = &[
    HyperSpec { name: "lr", default: Hyper::Float(1e-3), domain: Domain::Positive, help: "learning rate" },
    HyperSpec {
        name: "beta1",
        default: Hyper::Float(0.9),
        domain: Domain::UnitHalfOpen,
        help: "decay of the first moment",
    },
    HyperSpec {
        name: "beta2",
        default: Hyper::Float(0.999),
        domain: Domain::UnitHalfOpen,
        help: "decay of the second moment",
    },
    HyperSpec {
        name: "eps",
        default: Hyper::Float(1e-8),
        domain: Domain::NonNegative,
        help: "added to √v, outside the square root",
    },
    HyperSpec {
        name: "weight_decay",
        default: Hyper::Float(0.0),
        domain: Domain::NonNegative,
        help: "weight decay (L2 penalty, or decoupled)",
    },
    HyperSpec {
        name: "decoupled_weight_decay",
        default: Hyper::Bool(false),
        domain: Domain::Bool,
        help: "decay the parameters (AdamW style) instead of the gradient",
    },
];

impl Radam {
    /// ρ_t, the length of the approximated simple moving average after t updates.
    pub fn rho(&self, t: u64) -> f64 {
        let t = t as f64;
        let beta2_t = self.beta2.powf(t);
        let rho_inf = 2.0 / (1.0 - self.beta2) - 1.0;
        rho_inf - 2.0 * t * beta2_t / (1.0 - beta2_t)
    }
}

impl Algorithm for Radam {
    type State = RadamState;

    fn init(&self, dim: usize) -> RadamState {
        RadamState { step: 0, exp_avg: Array1::zeros(dim), exp_avg_sq: Array1::zeros(dim) }
    }

    fn step(&self, state: &mut RadamState, params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        if state.exp_avg.len() != params.len() {
            *state = self.init(params.len());
        }
        state.step += 1;
        let t = state.step as f64;
        let bias_correction1 = 1.0 - self.beta1.powf(t);
        let bias_correction2 = 1.0 - self.beta2.powf(t);
        let rho_inf = 2.0 / (1.0 - self.beta2) - 1.0;
        let rho_t = rho_inf - 2.0 * t * self.beta2.powf(t) / bias_correction2;
        // The scalar factors of the step folded into one, so that the loop keeps a
        // single division (torch divides m by 1 − β₁ᵗ element-wise; the results
        // differ in the last bits). None: the early, un-adapted branch.
        let lr_corrected = lr / bias_correction1;
        let adaptive = (rho_t > 5.0).then(|| {
            let rect = ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)).sqrt();
            lr_corrected * bias_correction2.sqrt() * rect
        });
        let lerp = Lerp::new(1.0 - self.beta1);
        let (beta2, one_minus_beta2, eps) = (self.beta2, 1.0 - self.beta2, self.eps);
        let wd = self.weight_decay;
        let (coupled, decay) = match (wd != 0.0, self.decoupled_weight_decay) {
            (true, true) => (0.0, 1.0 - lr * wd),
            (true, false) => (wd, 1.0),
            (false, _) => (0.0, 1.0),
        };
        let zip = Zip::from(params).and(grad).and(&mut state.exp_avg).and(&mut state.exp_avg_sq);
        let update = |p: &mut f64, g: f64, m: &mut f64, v: &mut f64| {
            *m = lerp.apply(*m, g);
            *v = *v * beta2 + one_minus_beta2 * g * g;
            let step = match adaptive {
                Some(factor) => factor * *m / (v.sqrt() + eps),
                None => lr_corrected * *m,
            };
            *p += -step;
        };
        if coupled != 0.0 {
            zip.for_each(|p, &g, m, v| update(p, g + coupled * *p, m, v));
        } else {
            zip.for_each(|p, &g, m, v| {
                *p *= decay;
                update(p, g, m, v)
            });
        }
    }

    fn specs() -> &'static [HyperSpec] {
        SPECS
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        Some(match name {
            "lr" => Hyper::Float(self.lr),
            "beta1" => Hyper::Float(self.beta1),
            "beta2" => Hyper::Float(self.beta2),
            "eps" => Hyper::Float(self.eps),
            "weight_decay" => Hyper::Float(self.weight_decay),
            "decoupled_weight_decay" => Hyper::Bool(self.decoupled_weight_decay),
            _ => return None,
        })
    }

    fn set_checked(&mut self, name: &str, value: Hyper) {
        match (name, value) {
            ("lr", Hyper::Float(v)) => self.lr = v,
            ("beta1", Hyper::Float(v)) => self.beta1 = v,
            ("beta2", Hyper::Float(v)) => self.beta2 = v,
            ("eps", Hyper::Float(v)) => self.eps = v,
            ("weight_decay", Hyper::Float(v)) => self.weight_decay = v,
            ("decoupled_weight_decay", Hyper::Bool(v)) => self.decoupled_weight_decay = v,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn first_updates_are_unadapted_momentum_steps() {
        let r = Radam::default();
        // ρ_t ≤ 5 for t ≤ 5 with β₂ = 0.999, > 5 from t = 6 on.
        assert!((1..=5).all(|t| r.rho(t) <= 5.0));
        assert!(r.rho(6) > 5.0);
        let mut s = r.init(1);
        let mut p = array![0.0];
        // t = 1: m̂ = g, so p ← p − γ g whatever v is.
        r.step(&mut s, p.view_mut(), array![3.0].view(), 0.1);
        assert!((p[0] + 0.3).abs() < 1e-15);
    }
}
