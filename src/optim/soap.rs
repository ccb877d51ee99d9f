//! SOAP: Adam in the eigenbasis of Shampoo's preconditioner (Vyas et al.
//! 2024; `pytorch_optimizer.SOAP`, as the authors' code). Matrix-aware.
//!
//! For a weight matrix W (r × c) with gradient G, the statistics are
//! L = E[G Gᵀ] (r × r) and R = E[Gᵀ G] (c × c), exponential averages with
//! decay `shampoo_beta` (β₂ when 0). Their eigenvectors Q_L, Q_R (sorted by
//! decreasing eigenvalue) rotate the gradient into a basis where Adam's
//! diagonal second moment fits well:
//!
//! ```text
//! t = 1:  L, R ← lerp(0, G Gᵀ, 1 − β), lerp(0, Gᵀ G, 1 − β);  Q_L, Q_R = eigh(L), eigh(R);  no update
//! t > 1:  G' = Q_Lᵀ G Q_R
//!         M ← lerp(M, G, 1 − β₁)                      (first moment, in the original basis)
//!         V ← lerp(V, G'², 1 − β₂)                    (second moment, in the rotated basis)
//!         N = Q_L [(Q_Lᵀ M Q_R) / (√V + ε)] Q_Rᵀ
//!         N ← N / (√mean(N²) + ε)                     (normalize_gradient only)
//!         W ← W − γ √(1 − β₂^(t−1)) / (1 − β₁^(t−1)) · N    (no factor without correct_bias)
//!         W ← W (1 − γ λ)                             (decoupled decay, after the step)
//!         L, R ← lerp(L, G Gᵀ, 1 − β), lerp(R, Gᵀ G, 1 − β)
//!         every precondition_frequency updates (t − 1 a multiple of it):
//!           one power iteration: P = L Q_L, order its columns (and V's rows) by
//!           decreasing diag(Q_Lᵀ L Q_L), Q_L = qr(P).Q; the same for R and V's columns
//! ```
//!
//! A side longer than `max_precondition_dim` is not rotated (Q = I). Vectors
//! (biases) are not rotated either unless `precondition_1d` (then one n × n
//! statistic), so by default SOAP on a vector is Adam with SOAP's betas and
//! its skipped first step. With a `fallback` entry, vectors go to the fallback
//! optimizer instead.
//!
//! Vyas, Morwani, Zhao, Kwun, Shapira, Brandfonbrener, Janson & Kakade,
//! "SOAP: Improving and Stabilizing Shampoo using Adam", ICLR 2025.
//! Defaults are the package's (4.1) and the authors': lr 3e-3, β₁ 0.95, β₂
//! 0.95, shampoo_beta β₂ (written 0, the package's `None`), ε 1e-8, weight
//! decay 1e-2, precondition_frequency 10, max_precondition_dim 10000,
//! bias correction on, no gradient normalisation, vectors not preconditioned.
//!
//! Where optlab differs from the package: the package runs the QR of the
//! power iteration on a float32 copy of a float64 matrix; optlab keeps
//! float64, so its rotations agree with the package's to float64 rounding
//! before the first refresh and to float32 rounding after it (the reference
//! fixtures run the package with that copy in float64, and match to 1e-9). `merge_dims` and
//! `data_format` only concern tensors of three or more dimensions, which
//! optlab does not have. Eigenvectors of equal eigenvalues are not unique;
//! LAPACK and faer may pick different bases for them (the update does not
//! depend on the signs of the eigenvectors).
//!
//! The linear algebra (symmetric eigendecomposition, Householder QR, matrix
//! products) is `faer`'s, run with a workspace allocated at the first update,
//! so later updates do not allocate on small sides (tested on a 20 × 30
//! matrix through a refresh); on sides of several hundred, faer's matrix
//! product (the `gemm` crate) allocates a packing buffer per large product.

use super::layout::{Layout, Shape};
use super::ops::Lerp;
use super::{Evaluate, Hyper, HyperError, HyperSpec, Hyperparameters, Optimizer, OptimizerKind, Validate};
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::linalg::matmul::matmul;
use faer::linalg::{evd, householder, qr::no_pivoting::factor as qr};
use faer::{Accum, Conj, Mat, MatMut, MatRef, Par};
use ndarray::{Array1, ArrayView1, ArrayViewMut1, s};

crate::hyperparameters! {
    /// SOAP's hyperparameters (`pytorch_optimizer.SOAP`).
    pub struct Soap {
        lr: float = 3e-3, Positive, "learning rate";
        beta1: float = 0.95, UnitHalfOpen, "decay of the first moment";
        beta2: float = 0.95, UnitHalfOpen, "decay of the second moment (in the rotated basis)";
        shampoo_beta: float = 0.0, UnitHalfOpen, "decay of the preconditioner statistics (0: beta2, the package's None)";
        eps: float = 1e-8, NonNegative, "added to the denominator, outside the square root";
        weight_decay: float = 1e-2, NonNegative, "decoupled weight decay, applied after the step";
        precondition_frequency: int = 10, PositiveInteger, "updates between refreshes of the eigenbases";
        max_precondition_dim: int = 10000, PositiveInteger, "sides longer than this are not rotated";
        precondition_1d: bool = false, Bool, "rotate vectors too (one n × n statistic each)";
        correct_bias: bool = true, Bool, "Adam's bias correction of the step";
        normalize_gradient: bool = false, Bool, "divide the update by its root mean square";
    }
}

impl Validate for Soap {}

/// A tensor as SOAP sees it: a matrix (rows × cols, row-major in the flat
/// parameters), or a vector of `rows` entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TensorShape {
    pub rows: usize,
    pub cols: usize,
    pub vector: bool,
}

impl TensorShape {
    pub fn matrix(rows: usize, cols: usize) -> Self {
        TensorShape { rows, cols, vector: false }
    }
    pub fn vector(len: usize) -> Self {
        TensorShape { rows: len, cols: 1, vector: true }
    }
    pub fn len(self) -> usize {
        self.rows * self.cols
    }
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// One side of a tensor: its statistic, its eigenbasis and scratch of its size.
#[derive(Clone, Debug)]
pub struct Side {
    pub gg: Mat<f64>,
    pub q: Mat<f64>,
    power: Mat<f64>,
    coeff: Mat<f64>,
    order: Vec<(f64, usize)>,
}

impl Side {
    fn new(n: usize) -> Self {
        let bs = qr::recommended_block_size::<f64>(n, n);
        Side {
            gg: Mat::zeros(n, n),
            q: Mat::zeros(n, n),
            power: Mat::zeros(n, n),
            coeff: Mat::zeros(bs, n),
            order: Vec::with_capacity(n),
        }
    }

    fn workspace(n: usize) -> StackReq {
        let bs = qr::recommended_block_size::<f64>(n, n);
        StackReq::any_of(&[
            evd::self_adjoint_evd_scratch::<f64>(n, evd::ComputeEigenvectors::Yes, Par::Seq, Default::default()),
            qr::qr_in_place_scratch::<f64>(n, n, bs, Par::Seq, Default::default()),
            householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(n, bs, n),
        ])
    }

    /// GG ← lerp(GG, outer, w), with `outer` already in `power`.
    fn accumulate(&mut self, lerp: Lerp) {
        let n = self.gg.nrows();
        for j in 0..n {
            for i in 0..n {
                self.gg[(i, j)] = lerp.apply(self.gg[(i, j)], self.power[(i, j)]);
            }
        }
    }

    /// Q = eigenvectors of GG + 1e-30 I by decreasing eigenvalue (the package:
    /// `eigh`, ascending, then the columns flipped).
    fn eigenbasis(&mut self, buf: &mut MemBuffer, eig: &mut [f64]) {
        let n = self.gg.nrows();
        self.power.copy_from(&self.gg);
        for i in 0..n {
            self.power[(i, i)] += 1e-30;
        }
        let eig = faer::diag::DiagMut::from_slice_mut(&mut eig[..n]);
        let done = evd::self_adjoint_evd(
            self.power.as_ref(),
            eig,
            Some(self.q.as_mut()),
            Par::Seq,
            MemStack::new(buf),
            Default::default(),
        );
        if done.is_err() {
            // No convergence (NaN statistics): the run shows NaN rather than a stale basis.
            self.q.fill(f64::NAN);
            return;
        }
        for j in 0..n / 2 {
            for i in 0..n {
                let a = self.q[(i, j)];
                self.q[(i, j)] = self.q[(i, n - 1 - j)];
                self.q[(i, n - 1 - j)] = a;
            }
        }
    }

    /// One power iteration with QR: P = GG Q, its columns ordered by the
    /// estimated eigenvalues diag(Qᵀ GG Q), decreasing; Q = qr(P).Q. Returns
    /// the order (new position k holds old column order[k].1) in `self.order`.
    fn refresh(&mut self, buf: &mut MemBuffer) {
        let n = self.gg.nrows();
        matmul(self.power.as_mut(), Accum::Replace, self.gg.as_ref(), self.q.as_ref(), 1.0, Par::Seq);
        self.order.clear();
        for j in 0..n {
            let mut e = 0.0;
            for i in 0..n {
                e += self.q[(i, j)] * self.power[(i, j)];
            }
            self.order.push((e, j));
        }
        // Decreasing; NaN last; equal estimates keep their order.
        self.order.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        // P with its columns reordered goes into q, factored in place there.
        for (k, &(_, j)) in self.order.iter().enumerate() {
            for i in 0..n {
                self.q[(i, k)] = self.power[(i, j)];
            }
        }
        qr::qr_in_place(self.q.as_mut(), self.coeff.as_mut(), Par::Seq, MemStack::new(buf), Default::default());
        self.power.fill(0.0);
        for i in 0..n {
            self.power[(i, i)] = 1.0;
        }
        householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
            self.q.as_ref(),
            self.coeff.as_ref(),
            Conj::No,
            self.power.as_mut(),
            Par::Seq,
            MemStack::new(buf),
        );
        std::mem::swap(&mut self.q, &mut self.power);
    }
}

/// SOAP's state for one tensor.
#[derive(Clone, Debug)]
pub struct SoapTensor {
    pub shape: TensorShape,
    /// First moment M (original basis) and second moment V (rotated basis).
    pub exp_avg: Mat<f64>,
    pub exp_avg_sq: Mat<f64>,
    pub left: Option<Side>,
    pub right: Option<Side>,
    t1: Mat<f64>,
    t2: Mat<f64>,
    t3: Mat<f64>,
}

/// SOAP's state: the step count and one entry per tensor.
pub struct SoapState {
    /// Updates done so far (the package's group `step`).
    pub step: u64,
    pub tensors: Vec<SoapTensor>,
    /// faer's workspace and eigenvalues, sized at the first update for the largest side.
    buf: Option<MemBuffer>,
    eig: Vec<f64>,
    req: StackReq,
}

impl Clone for SoapState {
    fn clone(&self) -> Self {
        SoapState {
            step: self.step,
            tensors: self.tensors.clone(),
            buf: self.buf.as_ref().map(|_| MemBuffer::new(self.req)),
            eig: self.eig.clone(),
            req: self.req,
        }
    }
}

fn as_mat(x: ArrayView1<'_, f64>, shape: TensorShape) -> MatRef<'_, f64> {
    // Invariant: a slice of the flat parameters, contiguous.
    MatRef::from_row_major_slice(x.to_slice().expect("contiguous parameters"), shape.rows, shape.cols)
}

fn as_mat_mut(x: ArrayViewMut1<'_, f64>, shape: TensorShape) -> MatMut<'_, f64> {
    MatMut::from_row_major_slice_mut(x.into_slice().expect("contiguous parameters"), shape.rows, shape.cols)
}

impl SoapTensor {
    fn new(shape: TensorShape, config: &Soap) -> Self {
        let rotated = |n: usize| n <= config.max_precondition_dim;
        let (left, right) = if shape.vector {
            (if config.precondition_1d && rotated(shape.rows) { Some(Side::new(shape.rows)) } else { None }, None)
        } else {
            (rotated(shape.rows).then(|| Side::new(shape.rows)), rotated(shape.cols).then(|| Side::new(shape.cols)))
        };
        let (r, c) = (shape.rows, shape.cols);
        SoapTensor {
            shape,
            exp_avg: Mat::zeros(r, c),
            exp_avg_sq: Mat::zeros(r, c),
            left,
            right,
            t1: Mat::zeros(r, c),
            t2: Mat::zeros(r, c),
            t3: Mat::zeros(r, c),
        }
    }

    /// out = Q_Lᵀ x Q_R (`forward`) or Q_L x Q_Rᵀ, an absent side being I.
    fn project(
        left: &Option<Side>,
        right: &Option<Side>,
        x: MatRef<f64>,
        tmp: &mut Mat<f64>,
        out: &mut Mat<f64>,
        forward: bool,
    ) {
        match left {
            Some(l) if forward => matmul(tmp.as_mut(), Accum::Replace, l.q.transpose(), x, 1.0, Par::Seq),
            Some(l) => matmul(tmp.as_mut(), Accum::Replace, l.q.as_ref(), x, 1.0, Par::Seq),
            None => tmp.copy_from(x),
        }
        match right {
            Some(r) if forward => matmul(out.as_mut(), Accum::Replace, tmp.as_ref(), r.q.as_ref(), 1.0, Par::Seq),
            Some(r) => matmul(out.as_mut(), Accum::Replace, tmp.as_ref(), r.q.transpose(), 1.0, Par::Seq),
            None => out.copy_from(tmp.as_ref()),
        }
    }

    /// The statistics from this gradient; the first time, their eigenbases;
    /// every `frequency` updates, a refresh by power iteration and QR.
    fn precondition(
        &mut self,
        g: MatRef<f64>,
        lerp: Lerp,
        first: bool,
        refresh: bool,
        buf: &mut MemBuffer,
        eig: &mut [f64],
    ) {
        if let Some(l) = &mut self.left {
            matmul(l.power.as_mut(), Accum::Replace, g, g.transpose(), 1.0, Par::Seq);
            l.accumulate(lerp);
        }
        if let Some(r) = &mut self.right {
            matmul(r.power.as_mut(), Accum::Replace, g.transpose(), g, 1.0, Par::Seq);
            r.accumulate(lerp);
        }
        if first {
            for side in [&mut self.left, &mut self.right].into_iter().flatten() {
                side.eigenbasis(buf, eig);
            }
        }
        if refresh {
            let (rows, cols) = (self.shape.rows, self.shape.cols);
            if let Some(l) = &mut self.left {
                l.refresh(buf);
                // V's rows follow the new order of the left basis.
                self.t1.copy_from(&self.exp_avg_sq);
                for (k, &(_, i)) in l.order.iter().enumerate() {
                    for j in 0..cols {
                        self.exp_avg_sq[(k, j)] = self.t1[(i, j)];
                    }
                }
            }
            if let Some(r) = &mut self.right {
                r.refresh(buf);
                self.t1.copy_from(&self.exp_avg_sq);
                for (k, &(_, j)) in r.order.iter().enumerate() {
                    for i in 0..rows {
                        self.exp_avg_sq[(i, k)] = self.t1[(i, j)];
                    }
                }
            }
        }
    }
}

impl Soap {
    fn shampoo_beta(&self) -> f64 {
        if self.shampoo_beta == 0.0 { self.beta2 } else { self.shampoo_beta }
    }

    /// One update of parameters made of the tensors `state` was planned for (in order).
    pub fn step_planned(&self, state: &mut SoapState, mut params: ArrayViewMut1<f64>, grad: ArrayView1<f64>, lr: f64) {
        let lerp_gg = Lerp::new(1.0 - self.shampoo_beta());
        let buf = state.buf.get_or_insert_with(|| MemBuffer::new(state.req));
        let eig = &mut state.eig;
        if state.step == 0 {
            // The first update only sets up the statistics and their eigenbases.
            let mut at = 0;
            for t in &mut state.tensors {
                let n = t.shape.len();
                let g = as_mat(grad.slice(s![at..at + n]), t.shape);
                t.precondition(g, lerp_gg, true, false, buf, eig);
                at += n;
            }
            state.step = 1;
            return;
        }
        state.step += 1;
        let step = state.step - 1;
        let mut step_size = lr;
        if self.correct_bias {
            let bias_correction1 = 1.0 - self.beta1.powf(step as f64);
            let bias_correction2_sqrt = (1.0 - self.beta2.powf(step as f64)).sqrt();
            step_size *= bias_correction2_sqrt / bias_correction1;
        }
        let lerp1 = Lerp::new(1.0 - self.beta1);
        let lerp2 = Lerp::new(1.0 - self.beta2);
        let refresh = step.is_multiple_of(self.precondition_frequency as u64);
        let decay = 1.0 - self.weight_decay * lr;
        let mut at = 0;
        for t in &mut state.tensors {
            let shape = t.shape;
            let n = shape.len();
            let g = as_mat(grad.slice(s![at..at + n]), shape);
            let (r, c) = (shape.rows, shape.cols);
            // t2 = G' (rotated gradient), through t1.
            SoapTensor::project(&t.left, &t.right, g, &mut t.t1, &mut t.t2, true);
            for j in 0..c {
                for i in 0..r {
                    t.exp_avg[(i, j)] = lerp1.apply(t.exp_avg[(i, j)], g[(i, j)]);
                    let gp = t.t2[(i, j)];
                    t.exp_avg_sq[(i, j)] = lerp2.apply(t.exp_avg_sq[(i, j)], gp * gp);
                }
            }
            // t2 = rotated M, then divided by √V + ε.
            SoapTensor::project(&t.left, &t.right, t.exp_avg.as_ref(), &mut t.t1, &mut t.t2, true);
            for j in 0..c {
                for i in 0..r {
                    t.t2[(i, j)] /= t.exp_avg_sq[(i, j)].sqrt() + self.eps;
                }
            }
            // t3 = the update N in the original basis.
            SoapTensor::project(&t.left, &t.right, t.t2.as_ref(), &mut t.t1, &mut t.t3, false);
            if self.normalize_gradient {
                let mut sum = 0.0;
                for j in 0..c {
                    for i in 0..r {
                        sum += t.t3[(i, j)] * t.t3[(i, j)];
                    }
                }
                let rms = (sum / n as f64).sqrt() + self.eps;
                for j in 0..c {
                    for i in 0..r {
                        t.t3[(i, j)] /= rms;
                    }
                }
            }
            let mut p = as_mat_mut(params.slice_mut(s![at..at + n]), shape);
            for j in 0..c {
                for i in 0..r {
                    let q = p[(i, j)] + -step_size * t.t3[(i, j)];
                    p[(i, j)] = if self.weight_decay != 0.0 { q * decay } else { q };
                }
            }
            t.precondition(g, lerp_gg, false, refresh, buf, eig);
            at += n;
        }
    }

    fn init_tensors(&self, shapes: &[TensorShape]) -> SoapState {
        let tensors: Vec<SoapTensor> = shapes.iter().map(|&s| SoapTensor::new(s, self)).collect();
        let largest =
            tensors.iter().flat_map(|t| [&t.left, &t.right]).flatten().map(|s| s.gg.nrows()).max().unwrap_or(0);
        SoapState { step: 0, tensors, buf: None, eig: vec![0.0; largest], req: Side::workspace(largest) }
    }
}

/// SOAP with its state, the parameters' tensors and an optional fallback for vectors.
#[derive(Clone)]
pub struct SoapOptimizer {
    kind: OptimizerKind,
    pub config: Soap,
    pub state: SoapState,
    layout: Layout,
    fallback: Option<Box<dyn Optimizer>>,
    /// The tensors SOAP updates itself, and (with a fallback) the ranges of the others.
    own: Vec<(std::ops::Range<usize>, TensorShape)>,
    others: Vec<std::ops::Range<usize>>,
    /// The fallback's parameters and gradient, gathered (no allocation per update).
    fb_params: Array1<f64>,
    fb_grad: Array1<f64>,
    own_params: Array1<f64>,
    own_grad: Array1<f64>,
}

/// The constructor of the kind table.
pub fn soap(kind: OptimizerKind, layout: &Layout) -> Box<dyn Optimizer> {
    let config = Soap::default();
    let mut opt = SoapOptimizer {
        kind,
        state: config.init_tensors(&[]),
        config,
        layout: layout.clone(),
        fallback: None,
        own: Vec::new(),
        others: Vec::new(),
        fb_params: Array1::zeros(0),
        fb_grad: Array1::zeros(0),
        own_params: Array1::zeros(0),
        own_grad: Array1::zeros(0),
    };
    opt.plan();
    Box::new(opt)
}

impl SoapOptimizer {
    /// Which tensors SOAP updates and which go to the fallback.
    fn plan(&mut self) {
        self.own.clear();
        self.others.clear();
        for t in self.layout.tensors() {
            match t.shape {
                Shape::Matrix { rows, cols } => self.own.push((t.range(), TensorShape::matrix(rows, cols))),
                Shape::Vector(n) if self.fallback.is_none() => self.own.push((t.range(), TensorShape::vector(n))),
                Shape::Vector(_) => self.others.push(t.range()),
            }
        }
        let own: usize = self.own.iter().map(|(r, _)| r.len()).sum();
        let others: usize = self.others.iter().map(|r| r.len()).sum();
        let contiguous = self.others.is_empty();
        self.own_params = Array1::zeros(if contiguous { 0 } else { own });
        self.own_grad = Array1::zeros(if contiguous { 0 } else { own });
        self.fb_params = Array1::zeros(others);
        self.fb_grad = Array1::zeros(others);
        let shapes: Vec<TensorShape> = self.own.iter().map(|(_, s)| *s).collect();
        self.state = self.config.init_tensors(&shapes);
        if let Some(fb) = &mut self.fallback {
            fb.reset(&Layout::vector(others));
        }
    }
}

impl Optimizer for SoapOptimizer {
    fn kind(&self) -> OptimizerKind {
        self.kind
    }

    fn update(
        &mut self,
        mut params: ArrayViewMut1<f64>,
        loss: f64,
        grad: ArrayView1<f64>,
        lr: f64,
        eval: &mut dyn Evaluate,
    ) {
        if self.layout.dim() != params.len() {
            // Parameters of another size than the layout's: one vector.
            self.layout = Layout::vector(params.len());
            self.plan();
        }
        if self.others.is_empty() {
            self.config.step_planned(&mut self.state, params, grad, lr);
            return;
        }
        // Gather SOAP's tensors and the fallback's into their own vectors.
        let mut at = 0;
        for (r, _) in &self.own {
            self.own_params.slice_mut(s![at..at + r.len()]).assign(&params.slice(s![r.clone()]));
            self.own_grad.slice_mut(s![at..at + r.len()]).assign(&grad.slice(s![r.clone()]));
            at += r.len();
        }
        let mut at = 0;
        for r in &self.others {
            self.fb_params.slice_mut(s![at..at + r.len()]).assign(&params.slice(s![r.clone()]));
            self.fb_grad.slice_mut(s![at..at + r.len()]).assign(&grad.slice(s![r.clone()]));
            at += r.len();
        }
        self.config.step_planned(&mut self.state, self.own_params.view_mut(), self.own_grad.view(), lr);
        if let Some(fb) = &mut self.fallback {
            // A schedule scales the fallback's rate by the same factor as SOAP's.
            let fb_lr = fb.lr() * (lr / self.config.lr);
            fb.update(self.fb_params.view_mut(), loss, self.fb_grad.view(), fb_lr, eval);
        }
        let mut at = 0;
        for (r, _) in &self.own {
            params.slice_mut(s![r.clone()]).assign(&self.own_params.slice(s![at..at + r.len()]));
            at += r.len();
        }
        let mut at = 0;
        for r in &self.others {
            params.slice_mut(s![r.clone()]).assign(&self.fb_params.slice(s![at..at + r.len()]));
            at += r.len();
        }
    }

    fn specs(&self) -> &'static [HyperSpec] {
        Soap::specs()
    }

    fn get(&self, name: &str) -> Option<Hyper> {
        self.config.get(name)
    }

    fn set(&mut self, name: &str, value: Hyper) -> Result<(), HyperError> {
        let before = (self.config.precondition_1d, self.config.max_precondition_dim);
        self.config.set(self.kind.name(), name, value)?;
        if (self.config.precondition_1d, self.config.max_precondition_dim) != before {
            // Which sides are rotated changed: the statistics start afresh.
            self.plan();
        }
        Ok(())
    }

    fn reset(&mut self, layout: &Layout) {
        self.layout = layout.clone();
        self.plan();
    }

    fn box_clone(&self) -> Box<dyn Optimizer> {
        Box::new(self.clone())
    }

    fn fallback(&self) -> Option<&dyn Optimizer> {
        self.fallback.as_deref()
    }

    fn set_fallback(&mut self, fallback: Box<dyn Optimizer>) -> Result<(), HyperError> {
        self.fallback = Some(fallback);
        self.plan();
        Ok(())
    }

    fn layout_note(&self, layout: &Layout) -> Option<String> {
        let vectors: Vec<&str> = layout.others().map(|t| t.name.as_str()).collect();
        if vectors.is_empty() {
            return None;
        }
        Some(match &self.fallback {
            Some(fb) => format!("soap rotates the matrices; {} updates {}", fb.kind(), vectors.join(", ")),
            None if self.config.precondition_1d => {
                format!(
                    "soap preconditions the vectors {} with one full statistic each (precondition_1d)",
                    vectors.join(", ")
                )
            }
            None => format!(
                "soap updates the vectors {} without rotation (Adam with SOAP's betas), as pytorch-optimizer does",
                vectors.join(", ")
            ),
        })
    }
}
