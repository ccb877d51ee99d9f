//! Element-wise optimizers: an update that treats every parameter alike, as
//! one fused pass over the flat vector.
//!
//! An [`ElementWise`] kind splits its update in two:
//!
//! - [`ElementWise::begin`] computes the update's scalars once (step count,
//!   bias corrections, the learning rate) into a `Copy` [`ElementWise::Coefs`];
//! - [`ElementWise::pass`] applies the rule to any contiguous index range of
//!   the parameters, the gradient and the per-parameter state buffers.
//!
//! A pass reads and writes element `i` of each slice only, so the vector may
//! be cut into ranges and passed in any order, or on several threads, with
//! bit-identical results. [`ElementState::step`] does one pass over the whole
//! vector; [`ElementState::buffer_chunks`] shows how to cut it.

use super::{Hyperparameters, Validate};
use ndarray::{ArrayView1, ArrayViewMut1};
use std::ops::Range;

/// The most per-parameter buffers a kind keeps (Adam with AMSGrad: m, v, v̂).
pub const MAX_BUFFERS: usize = 4;

/// The per-parameter state of a pass over `params[range]`: the same range of
/// each buffer, in the kind's order (only the first [`ElementWise::buffers`]
/// are given).
pub type Buffers<'a> = [&'a mut [f64]];

pub trait ElementWise: Hyperparameters + Validate {
    /// Scalar state kept between updates (the step count ...).
    type Scalars: Clone + Default + Send + Sync + 'static;
    /// The scalars of one update, computed once by `begin`.
    type Coefs: Copy + Send + Sync;

    /// How many per-parameter buffers the next update needs with these
    /// hyperparameters (at most [`MAX_BUFFERS`]). Buffers are created when
    /// first needed (PyTorch creates its state lazily too) and kept when a
    /// change of hyperparameters stops using them.
    fn buffers(&self) -> usize;

    /// The value a new buffer `index` starts with; `lr` is the update's rate.
    fn buffer_start(&self, _index: usize, _lr: f64) -> f64 {
        0.0
    }

    /// The scalars of the next update with learning rate `lr`; `created[i]`
    /// says buffer `i` was created for this update.
    fn begin(&self, scalars: &mut Self::Scalars, lr: f64, created: [bool; MAX_BUFFERS]) -> Self::Coefs;

    /// The update on one contiguous range: `params`, `grad` and every buffer
    /// have the same length.
    fn pass(c: &Self::Coefs, params: &mut [f64], grad: &[f64], buffers: &mut Buffers<'_>);
}

/// Vectors at least this long are updated by several threads.
pub const PARALLEL_MIN: usize = 1 << 17;
/// The pieces a parallel update is cut into: fixed boundaries (multiples of
/// this, whatever the thread count), each piece's arrays 256 KiB.
pub const PARALLEL_CHUNK: usize = 1 << 15;

/// One update on rayon's pool: the vector is halved at a multiple of
/// [`PARALLEL_CHUNK`] until a piece is one chunk, each half on its own task.
/// A pass touches element i only, so the result is bit-identical to one pass
/// over the whole vector on one thread; nothing is allocated.
fn pass_in_parallel<A: ElementWise>(
    c: &A::Coefs,
    params: &mut [f64],
    grad: &[f64],
    buffers: [&mut [f64]; MAX_BUFFERS],
    count: usize,
) {
    let len = params.len();
    if len <= PARALLEL_CHUNK {
        let mut buffers = buffers;
        A::pass(c, params, grad, &mut buffers[..count]);
        return;
    }
    let mid = len.div_ceil(PARALLEL_CHUNK) / 2 * PARALLEL_CHUNK;
    let (p_left, p_right) = params.split_at_mut(mid);
    let (g_left, g_right) = grad.split_at(mid);
    let [b0, b1, b2, b3] = buffers;
    // Buffers not in use are empty: they split into two empty halves.
    fn halve(b: &mut [f64], mid: usize) -> (&mut [f64], &mut [f64]) {
        if b.is_empty() { (&mut [], &mut []) } else { b.split_at_mut(mid) }
    }
    let ((l0, r0), (l1, r1), (l2, r2), (l3, r3)) = (halve(b0, mid), halve(b1, mid), halve(b2, mid), halve(b3, mid));
    rayon::join(
        || pass_in_parallel::<A>(c, p_left, g_left, [l0, l1, l2, l3], count),
        || pass_in_parallel::<A>(c, p_right, g_right, [r0, r1, r2, r3], count),
    );
}

/// The state of an element-wise kind: its scalars and its buffers.
#[derive(Clone, Debug, Default)]
pub struct ElementState<S> {
    pub scalars: S,
    /// Per-parameter buffers, each of the parameters' length.
    pub buffers: Vec<Vec<f64>>,
}

impl<S: Default> ElementState<S> {
    /// The state before the first update (no buffers yet).
    pub fn new() -> Self {
        ElementState { scalars: S::default(), buffers: Vec::new() }
    }
}

impl<S> ElementState<S> {
    /// Makes the buffers the next update needs; returns which were created.
    /// Buffers of another length belong to another problem: the state starts afresh.
    pub fn prepare<A: ElementWise<Scalars = S>>(&mut self, algo: &A, dim: usize, lr: f64) -> [bool; MAX_BUFFERS]
    where
        S: Default,
    {
        if self.buffers.first().is_some_and(|b| b.len() != dim) {
            *self = ElementState { scalars: S::default(), buffers: Vec::new() };
        }
        let mut created = [false; MAX_BUFFERS];
        let needed = algo.buffers().min(MAX_BUFFERS);
        while self.buffers.len() < needed {
            created[self.buffers.len()] = true;
            self.buffers.push(vec![algo.buffer_start(self.buffers.len(), lr); dim]);
        }
        created
    }

    /// The buffers' `range`, the first `count` of them, as a pass takes them.
    pub fn buffer_chunks(&mut self, range: Range<usize>, count: usize) -> [&mut [f64]; MAX_BUFFERS] {
        let mut out: [&mut [f64]; MAX_BUFFERS] = [&mut [], &mut [], &mut [], &mut []];
        for (slot, b) in out.iter_mut().zip(self.buffers.iter_mut().take(count)) {
            *slot = &mut b[range.clone()];
        }
        out
    }

    /// One update of `params` over the whole vector.
    pub fn step<A: ElementWise<Scalars = S>>(
        &mut self,
        algo: &A,
        mut params: ArrayViewMut1<f64>,
        grad: ArrayView1<f64>,
        lr: f64,
    ) where
        S: Default,
    {
        let dim = params.len();
        let created = self.prepare(algo, dim, lr);
        let c = algo.begin(&mut self.scalars, lr, created);
        let count = algo.buffers().min(MAX_BUFFERS);
        let mut chunks = self.buffer_chunks(0..dim, count);
        if let (Some(p), Some(g)) = (params.as_slice_mut(), grad.as_slice()) {
            if dim >= PARALLEL_MIN {
                pass_in_parallel::<A>(&c, p, g, chunks, count);
            } else {
                A::pass(&c, p, g, &mut chunks[..count]);
            }
            return;
        }
        // Views made by optlab are contiguous; a strided one is copied (an
        // allocation, never on the engine's path).
        let mut p: Vec<f64> = params.iter().copied().collect();
        let g: Vec<f64> = grad.iter().copied().collect();
        A::pass(&c, &mut p, &g, &mut chunks[..count]);
        params.iter_mut().zip(p).for_each(|(d, s)| *d = s);
    }
}
