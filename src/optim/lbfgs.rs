//! L-BFGS (`torch.optim.LBFGS`), with an optional strong-Wolfe line search.
//!
//! One optlab update is one `LBFGS.step(closure)`: up to `max_iter`
//! iterations of
//!
//! ```text
//! d = −H g        (two-loop recursion over the last `history_size` pairs
//!                  sᵢ = tᵢ dᵢ, yᵢ = gᵢ₊₁ − gᵢ kept when yᵢ·sᵢ > 1e-10;
//!                  H₀ = (y·s / y·y) I from the newest pair; d = −g at first)
//! t = lr          (the very first iteration: min(1, 1/‖g‖₁) lr)
//! x ← x + t d     (line_search_fn = "none"), or t from a strong-Wolfe line
//!                  search (c₁ = 1e-4, c₂ = 0.9, cubic interpolation)
//! ```
//!
//! stopping early when ‖g‖∞ ≤ tolerance_grad, g·d > −tolerance_change, the
//! step or the loss change falls below tolerance_change, or `max_eval`
//! evaluations are spent. Every evaluation of the objective after the first
//! (the gradient the engine gives) goes through [`Evaluate`], on the update's
//! minibatch, and is counted in `grad_evals` as torch's closure calls.
//!
//! Nocedal, "Updating Quasi-Newton Matrices with Limited Storage", Math.
//! Comp. 1980; Liu & Nocedal 1989; the line search is Nocedal & Wright,
//! "Numerical Optimization", algorithms 3.5–3.6, as ported by PyTorch from
//! Torch7's `lswolfe.lua`. Defaults are PyTorch's: lr 1, max_iter 20,
//! max_eval max_iter × 5/4 (written `max_eval = 0` here: PyTorch's `None`),
//! tolerance_grad 1e-7, tolerance_change 1e-9, history_size 100, no line search.
//!
//! Every `a + α b` PyTorch computes with `add_(b, alpha=α)` is a fused
//! multiply-add here, as ATen's CPU kernels compute it: L-BFGS amplifies a
//! last-bit difference along its trajectory.
//!
//! Where libraries differ: SciPy's L-BFGS-B uses a Moré–Thuente search and
//! bounds; optax's `lbfgs` scales H₀ the same way but runs one iteration per
//! update with a zoom line search. The memory of the whole history
//! (2 × history_size × dim values, what PyTorch holds once its history is
//! full) is made at the first update; later updates allocate nothing.

use super::{Evaluate, Hyper, HyperError, HyperSpec, Hyperparameters, Layout, Optimizer, OptimizerKind, Validate};
use ndarray::{ArrayView1, ArrayViewMut1};
use std::collections::VecDeque;

crate::hyperparameters! {
    /// `torch.optim.LBFGS`'s hyperparameters.
    pub struct Lbfgs {
        lr: float = 1.0, Positive, "step length (the line search's first trial)";
        max_iter: int = 20, PositiveInteger, "iterations per update";
        max_eval: int = 0, NonNegativeInteger, "evaluations per update; 0: max_iter × 5 / 4 (PyTorch's None)";
        tolerance_grad: float = 1e-7, NonNegative, "stop when the largest gradient component is this small";
        tolerance_change: float = 1e-9, NonNegative, "stop when the step or the loss change is this small";
        history_size: int = 100, PositiveInteger, "curvature pairs kept";
        line_search_fn: choice = "none", Choice(&["none", "strong_wolfe"]), "line search";
    }
}

impl Validate for Lbfgs {}

impl Lbfgs {
    fn max_eval(&self) -> usize {
        if self.max_eval == 0 { self.max_iter * 5 / 4 } else { self.max_eval }
    }
}

/// The state PyTorch keeps between steps, and work vectors.
#[derive(Clone, Debug, Default)]
struct State {
    n_iter: u64,
    d: Vec<f64>,
    t: f64,
    /// (y, s, ρ = 1 / y·s), oldest first.
    history: VecDeque<(Vec<f64>, Vec<f64>, f64)>,
    h_diag: f64,
    prev_flat_grad: Vec<f64>,
    flat_grad: Vec<f64>,
    al: Vec<f64>,
    /// The point a line search starts from, where it evaluates, and the gradients it keeps.
    x_base: Vec<f64>,
    x_try: Vec<f64>,
    g_new: Vec<f64>,
    g_prev: Vec<f64>,
    bracket_g: [Vec<f64>; 2],
    /// Vectors for pairs not in the history: made at the first update, so
    /// that later updates allocate nothing.
    spare: Vec<(Vec<f64>, Vec<f64>)>,
}

#[derive(Clone)]
pub struct LbfgsOptimizer {
    config: Lbfgs,
    state: State,
}

/// The L-BFGS constructor for the kind table.
pub fn build(_kind: OptimizerKind, _layout: &Layout) -> Box<dyn Optimizer> {
    Box::new(LbfgsOptimizer { config: Lbfgs::default(), state: State::default() })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m: f64, v| if v.abs() > m || v.is_nan() { v.abs() } else { m })
}

/// `_cubic_interpolate`: the minimiser of the cubic through two points with
/// their values and slopes, clamped to the bounds (their midpoint when the
/// cubic has no minimum).
fn cubic_interpolate(x1: f64, f1: f64, g1: f64, x2: f64, f2: f64, g2: f64, bounds: Option<(f64, f64)>) -> f64 {
    let (lo, hi) = bounds.unwrap_or(if x1 <= x2 { (x1, x2) } else { (x2, x1) });
    let d1 = g1 + g2 - 3.0 * (f1 - f2) / (x1 - x2);
    let d2_square = d1 * d1 - g1 * g2;
    if d2_square >= 0.0 {
        let d2 = d2_square.sqrt();
        let min_pos = if x1 <= x2 {
            x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2.0 * d2))
        } else {
            x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2.0 * d2))
        };
        // Python's min(max(..)): NaN compares false and passes through as torch's does.
        let m = if min_pos > lo || min_pos.is_nan() { min_pos } else { lo };
        if m < hi || m.is_nan() { m } else { hi }
    } else {
        (lo + hi) / 2.0
    }
}

/// Loss and gradient at x + t d into `g`, through the evaluator.
fn directional(eval: &mut dyn Evaluate, x: &[f64], t: f64, d: &[f64], x_try: &mut [f64], g: &mut [f64]) -> Option<f64> {
    x_try.iter_mut().zip(x).zip(d).for_each(|((xt, &xi), &di)| *xt = t.mul_add(di, xi));
    eval.evaluate(ArrayView1::from(&*x_try), ArrayViewMut1::from(g))
}

impl LbfgsOptimizer {
    /// `_strong_wolfe` from PyTorch: returns (loss, t, evaluations) with the
    /// gradient at the chosen point in `state.flat_grad`; `None` when the
    /// evaluator cannot evaluate.
    #[allow(clippy::too_many_arguments)]
    fn strong_wolfe(
        st: &mut State,
        eval: &mut dyn Evaluate,
        x: &[f64],
        mut t: f64,
        f: f64,
        gtd: f64,
        tolerance_change: f64,
        max_ls: usize,
    ) -> Option<(f64, f64, usize)> {
        let (c1, c2) = (1e-4, 0.9);
        let d_norm = max_abs(&st.d);
        let mut f_new = directional(eval, x, t, &st.d, &mut st.x_try, &mut st.g_new)?;
        let mut ls_func_evals = 1;
        let mut gtd_new = dot(&st.g_new, &st.d);
        let (mut t_prev, mut f_prev, mut gtd_prev) = (0.0, f, gtd);
        st.g_prev.copy_from_slice(&st.flat_grad);
        let mut done = false;
        let mut ls_iter = 0;
        // bracket: (t, f, gtd) pairs; gradients in st.bracket_g. One entry when done.
        let mut bracket: [(f64, f64, f64); 2] = [(0.0, 0.0, 0.0); 2];
        let mut single = false;
        let mut found = false;
        while ls_iter < max_ls {
            let armijo_fails = f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= f_prev);
            if !armijo_fails && gtd_new.abs() <= -c2 * gtd {
                bracket[0] = (t, f_new, gtd_new);
                st.bracket_g[0].copy_from_slice(&st.g_new);
                single = true;
                done = true;
                found = true;
                break;
            }
            if armijo_fails || gtd_new >= 0.0 {
                bracket = [(t_prev, f_prev, gtd_prev), (t, f_new, gtd_new)];
                st.bracket_g[0].copy_from_slice(&st.g_prev);
                st.bracket_g[1].copy_from_slice(&st.g_new);
                found = true;
                break;
            }
            let min_step = t + 0.01 * (t - t_prev);
            let max_step = t * 10.0;
            let tmp = t;
            t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, Some((min_step, max_step)));
            t_prev = tmp;
            f_prev = f_new;
            st.g_prev.copy_from_slice(&st.g_new);
            gtd_prev = gtd_new;
            f_new = directional(eval, x, t, &st.d, &mut st.x_try, &mut st.g_new)?;
            ls_func_evals += 1;
            gtd_new = dot(&st.g_new, &st.d);
            ls_iter += 1;
        }
        if !found {
            // max_ls reached: bracket [0, t] (torch leaves gtd of this bracket unset;
            // the zoom below does not run since ls_iter == max_ls).
            bracket = [(0.0, f, f64::NAN), (t, f_new, f64::NAN)];
            st.bracket_g[0].copy_from_slice(&st.flat_grad);
            st.bracket_g[1].copy_from_slice(&st.g_new);
        }
        let mut insuf_progress = false;
        let (mut low, mut high) = if single || bracket[0].1 <= bracket[1].1 { (0, 1) } else { (1, 0) };
        while !done && ls_iter < max_ls {
            if (bracket[1].0 - bracket[0].0).abs() * d_norm < tolerance_change {
                break;
            }
            t = cubic_interpolate(
                bracket[0].0,
                bracket[0].1,
                bracket[0].2,
                bracket[1].0,
                bracket[1].1,
                bracket[1].2,
                None,
            );
            let (bmax, bmin) = (bracket[0].0.max(bracket[1].0), bracket[0].0.min(bracket[1].0));
            let eps = 0.1 * (bmax - bmin);
            if (bmax - t).min(t - bmin) < eps {
                if insuf_progress || t >= bmax || t <= bmin {
                    t = if (t - bmax).abs() < (t - bmin).abs() { bmax - eps } else { bmin + eps };
                    insuf_progress = false;
                } else {
                    insuf_progress = true;
                }
            } else {
                insuf_progress = false;
            }
            f_new = directional(eval, x, t, &st.d, &mut st.x_try, &mut st.g_new)?;
            ls_func_evals += 1;
            gtd_new = dot(&st.g_new, &st.d);
            ls_iter += 1;
            if f_new > f + c1 * t * gtd || f_new >= bracket[low].1 {
                bracket[high] = (t, f_new, gtd_new);
                st.bracket_g[high].copy_from_slice(&st.g_new);
                (low, high) = if bracket[0].1 <= bracket[1].1 { (0, 1) } else { (1, 0) };
            } else {
                if gtd_new.abs() <= -c2 * gtd {
                    done = true;
                } else if gtd_new * (bracket[high].0 - bracket[low].0) >= 0.0 {
                    bracket[high] = bracket[low];
                    let (a, b) = st.bracket_g.split_at_mut(1);
                    if high == 0 { a[0].copy_from_slice(&b[0]) } else { b[0].copy_from_slice(&a[0]) }
                }
                bracket[low] = (t, f_new, gtd_new);
                st.bracket_g[low].copy_from_slice(&st.g_new);
            }
        }
        st.flat_grad.copy_from_slice(&st.bracket_g[low]);
        Some((bracket[low].1, bracket[low].0, ls_func_evals))
    }
}

impl Optimizer for LbfgsOptimizer {
    fn kind(&self) -> OptimizerKind {
        OptimizerKind::Lbfgs
    }

    fn update(
        &mut self,
        mut params: ArrayViewMut1<f64>,
        loss: f64,
        grad: ArrayView1<f64>,
        _lr: f64,
        eval: &mut dyn Evaluate,
    ) {
        let c = &self.config;
        let lr = _lr;
        let n = params.len();
        let st = &mut self.state;
        if st.flat_grad.len() != n {
            *st = State::default();
            for v in [
                &mut st.d,
                &mut st.prev_flat_grad,
                &mut st.flat_grad,
                &mut st.x_base,
                &mut st.x_try,
                &mut st.g_new,
                &mut st.g_prev,
            ] {
                v.resize(n, 0.0);
            }
            st.bracket_g = [vec![0.0; n], vec![0.0; n]];
            st.h_diag = 1.0;
        }
        if st.al.len() < c.history_size {
            // The whole history, as PyTorch holds it once full (2 × history_size × dim values).
            st.al.resize(c.history_size, 0.0);
            let have = st.history.len() + st.spare.len();
            st.spare.extend((have..c.history_size + 1).map(|_| (vec![0.0; n], vec![0.0; n])));
            st.history.reserve(c.history_size + 1);
        }
        // Strided views are copied once here; optlab's are contiguous.
        let mut x: Vec<f64> = Vec::new();
        let x_slice: &mut [f64] = match params.as_slice_mut() {
            Some(s) => s,
            None => {
                x.extend(params.iter());
                &mut x
            }
        };
        st.flat_grad.iter_mut().zip(grad.iter()).for_each(|(a, &b)| *a = b);
        let mut loss = loss;
        let max_eval = c.max_eval();
        let mut current_evals = 1;
        let mut opt_cond = max_abs(&st.flat_grad) <= c.tolerance_grad;
        if !opt_cond {
            let mut n_iter = 0;
            while n_iter < c.max_iter {
                n_iter += 1;
                st.n_iter += 1;
                if st.n_iter == 1 {
                    st.d.iter_mut().zip(&st.flat_grad).for_each(|(d, g)| *d = -g);
                    st.history.clear();
                    st.h_diag = 1.0;
                } else {
                    // y = g − g_prev, s = t d (into a recycled pair once the history is full).
                    let (mut y, mut s) = st.spare.pop().unwrap_or_else(|| (vec![0.0; n], vec![0.0; n]));
                    y.iter_mut().zip(&st.flat_grad).zip(&st.prev_flat_grad).for_each(|((y, g), p)| *y = g - p);
                    s.iter_mut().zip(&st.d).for_each(|(s, d)| *s = d * st.t);
                    let ys = dot(&y, &s);
                    if ys > 1e-10 {
                        if st.history.len() >= c.history_size {
                            while st.history.len() >= c.history_size {
                                if let Some((oy, os, _)) = st.history.pop_front() {
                                    st.spare.push((oy, os));
                                }
                            }
                        }
                        st.h_diag = ys / dot(&y, &y);
                        st.history.push_back((y, s, 1.0 / ys));
                    } else {
                        st.spare.push((y, s));
                    }
                    // Two-loop recursion, in d.
                    st.d.iter_mut().zip(&st.flat_grad).for_each(|(d, g)| *d = -g);
                    let num_old = st.history.len();
                    for i in (0..num_old).rev() {
                        let (y, s, ro) = &st.history[i];
                        st.al[i] = dot(s, &st.d) * ro;
                        let a = st.al[i];
                        st.d.iter_mut().zip(y).for_each(|(q, y)| *q = (-a).mul_add(*y, *q));
                    }
                    let h = st.h_diag;
                    st.d.iter_mut().for_each(|q| *q *= h);
                    for i in 0..num_old {
                        let (y, s, ro) = &st.history[i];
                        let be_i = dot(y, &st.d) * ro;
                        let a = st.al[i] - be_i;
                        st.d.iter_mut().zip(s).for_each(|(r, s)| *r = a.mul_add(*s, *r));
                    }
                }
                st.prev_flat_grad.copy_from_slice(&st.flat_grad);
                let prev_loss = loss;
                st.t = if st.n_iter == 1 {
                    let l1: f64 = st.flat_grad.iter().map(|g| g.abs()).sum();
                    (1.0f64).min(1.0 / l1) * lr
                } else {
                    lr
                };
                let gtd = dot(&st.flat_grad, &st.d);
                if gtd > -c.tolerance_change {
                    break;
                }
                let ls_func_evals;
                if c.line_search_fn == "strong_wolfe" {
                    let mut base = std::mem::take(&mut st.x_base);
                    base.clear();
                    base.extend_from_slice(x_slice);
                    let result = Self::strong_wolfe(
                        st,
                        eval,
                        &base,
                        st.t,
                        loss,
                        gtd,
                        c.tolerance_change,
                        max_eval.saturating_sub(current_evals),
                    );
                    st.x_base = base;
                    let Some((f_new, t, evals)) = result else {
                        // No evaluator: the fixed step, and the update ends.
                        x_slice.iter_mut().zip(&st.d).for_each(|(x, d)| *x = st.t.mul_add(*d, *x));
                        break;
                    };
                    loss = f_new;
                    st.t = t;
                    x_slice.iter_mut().zip(&st.d).for_each(|(x, d)| *x = t.mul_add(*d, *x));
                    opt_cond = max_abs(&st.flat_grad) <= c.tolerance_grad;
                    ls_func_evals = evals;
                } else {
                    x_slice.iter_mut().zip(&st.d).for_each(|(x, d)| *x = st.t.mul_add(*d, *x));
                    if n_iter != c.max_iter {
                        match eval.evaluate(ArrayView1::from(&*x_slice), ArrayViewMut1::from(&mut st.flat_grad[..])) {
                            Some(l) => loss = l,
                            None => break,
                        }
                        opt_cond = max_abs(&st.flat_grad) <= c.tolerance_grad;
                        ls_func_evals = 1;
                    } else {
                        ls_func_evals = 0;
                    }
                }
                current_evals += ls_func_evals;
                if n_iter == c.max_iter || current_evals >= max_eval || opt_cond {
                    break;
                }
                let t = st.t;
                if st.d.iter().fold(0.0, |m: f64, d| m.max((d * t).abs())) <= c.tolerance_change {
                    break;
                }
                if (loss - prev_loss).abs() < c.tolerance_change {
                    break;
                }
            }
        }
        if !x.is_empty() {
            params.iter_mut().zip(&x).for_each(|(p, v)| *p = *v);
        }
    }

    fn specs(&self) -> &'static [HyperSpec] {
        Lbfgs::specs()
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        self.config.get(name)
    }

    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        self.config.set(OptimizerKind::Lbfgs.name(), name, value)
    }

    fn set_all(&mut self, values: &[(&str, Hyper)]) -> Result<(), HyperError> {
        self.config.set_all(OptimizerKind::Lbfgs.name(), values)
    }

    fn reset(&mut self, _layout: &Layout) {
        self.state = State::default();
    }

    fn box_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }
}
