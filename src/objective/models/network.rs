//! Dense layers over blocks of samples: forward pass and backpropagation as
//! matrix products.
//!
//! Parameters are one flat vector, layer after layer, each layer its weights
//! `W` (`fan_out × fan_in`, row-major: PyTorch's `nn.Linear.weight`, one row
//! per output unit) then its biases `b` (`fan_out`). For a block of samples
//! `A₀` (one row each):
//!
//! ```text
//! forward    Z_l = A_{l−1} W_lᵀ + b_l,   A_l = act(Z_l) (hidden layers),   logits = Z_L
//! backward   Δ_L = ∂loss/∂Z_L (from the head),
//!            ∂W_l += Δ_lᵀ A_{l−1},   ∂b_l += Σ_rows Δ_l,
//!            Δ_{l−1} = (Δ_l W_l) ⊙ act′(A_{l−1})
//! ```
//!
//! Samples are processed in blocks of at most [`Network::block_rows`] rows,
//! so that the block's features stay in cache between the forward and the
//! backward product and the buffers stay small whatever the dataset's size.
//! A minibatch's rows are gathered into a block buffer; the full training set
//! is read in place.

use super::activation::Activation;
use super::head::{Labels, loss_and_delta};
use crate::optim::{Layout, Shape};
use ndarray::linalg::{general_mat_mul, general_mat_vec_mul};
use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, s};
use rayon::prelude::*;
use std::ops::Range;

/// Target size of a block, in values of the widest layer (input included):
/// 8 Ki values = 64 KiB, so that a block read by the forward product is still
/// in cache for the backward one (measured best between 4 Ki and 32 Ki on a
/// 100,000 × 100 logistic regression).
const BLOCK_VALUES: usize = 8 * 1024;

/// Samples per part when a pass is split between threads: large enough that
/// a part's own gradient vector and buffers cost little beside its products.
pub(crate) const PARALLEL_ROWS: usize = 8192;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Layer {
    pub fan_in: usize,
    pub fan_out: usize,
    /// Where the layer's weights start in the parameter vector.
    pub offset: usize,
}

impl Layer {
    fn weights_len(&self) -> usize {
        self.fan_in * self.fan_out
    }

    fn len(&self) -> usize {
        self.weights_len() + self.fan_out
    }

    /// `W` as `fan_out × fan_in`.
    pub fn weights<'a>(&self, params: &'a [f64]) -> ArrayView2<'a, f64> {
        let w = &params[self.offset..self.offset + self.weights_len()];
        // The slice has fan_out × fan_in values by construction.
        ArrayView2::from_shape((self.fan_out, self.fan_in), w).expect("layer weights shape")
    }

    fn bias<'a>(&self, params: &'a [f64]) -> ArrayView1<'a, f64> {
        let start = self.offset + self.weights_len();
        ArrayView1::from(&params[start..start + self.fan_out])
    }

    fn grads_mut<'a>(&self, grad: &'a mut [f64]) -> (ArrayViewMut2<'a, f64>, ArrayViewMut1<'a, f64>) {
        let (w, b) = grad[self.offset..self.offset + self.len()].split_at_mut(self.weights_len());
        // The slice has fan_out × fan_in values by construction.
        (ArrayViewMut2::from_shape((self.fan_out, self.fan_in), w).expect("layer gradient shape"), b.into())
    }
}

/// Which training samples to use.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rows<'a> {
    All,
    Indices(&'a [usize]),
}

/// Sums over the samples of a pass.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Totals {
    pub loss_sum: f64,
    pub correct: usize,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Network {
    pub layers: Vec<Layer>,
    pub activation: Activation,
    pub dim: usize,
}

impl Network {
    /// `n_in` inputs, the hidden widths, `n_out` logits.
    pub fn new(n_in: usize, hidden: &[usize], n_out: usize, activation: Activation) -> Network {
        let mut layers = Vec::with_capacity(hidden.len() + 1);
        let mut offset = 0;
        let mut fan_in = n_in;
        for &fan_out in hidden.iter().chain(std::iter::once(&n_out)) {
            let layer = Layer { fan_in, fan_out, offset };
            offset += layer.len();
            fan_in = fan_out;
            layers.push(layer);
        }
        Network { layers, activation, dim: offset }
    }

    /// The parameters as tensors: per layer `l`, `layers.l.weight` with
    /// shape (fan_out, fan_in) then `layers.l.bias` (fan_out).
    pub fn layout(&self) -> Layout {
        Layout::new(self.layers.iter().enumerate().flat_map(|(l, layer)| {
            [
                (format!("layers.{l}.weight"), Shape::Matrix { rows: layer.fan_out, cols: layer.fan_in }),
                (format!("layers.{l}.bias"), Shape::Vector(layer.fan_out)),
            ]
        }))
    }

    pub fn n_out(&self) -> usize {
        self.layers.last().map_or(0, |l| l.fan_out)
    }

    /// Rows per block for `n` samples.
    pub fn block_rows(&self, n: usize) -> usize {
        let widest = self.layers.iter().map(|l| l.fan_in.max(l.fan_out)).max().unwrap_or(1).max(1);
        (BLOCK_VALUES / widest).clamp(16, 4096).min(n.max(1))
    }

    /// Σ ½‖W_l‖² over the weights (not the biases).
    pub fn half_weight_norm2(&self, params: &[f64]) -> f64 {
        self.layers.iter().map(|l| 0.5 * l.weights(params).iter().map(|w| w * w).sum::<f64>()).sum()
    }

    /// `grad += l2 · W` over the weights.
    pub fn add_weight_decay(&self, params: &[f64], l2: f64, grad: &mut [f64]) {
        for l in &self.layers {
            let range = l.offset..l.offset + l.weights_len();
            grad[range.clone()].iter_mut().zip(&params[range]).for_each(|(g, w)| *g += l2 * w);
        }
    }

    /// Losses summed over `rows` of `x`, and with `grad = Some((g, scale))`
    /// `g = scale × ∂(Σ losses)/∂params` (overwritten: the first block writes
    /// the gradient instead of adding to a zeroed one).
    ///
    /// More than [`PARALLEL_ROWS`] samples are cut into parts of that many
    /// rows, evaluated on rayon's pool and summed in order: the cut does not
    /// depend on the number of threads, so neither does the result.
    pub fn run(
        &self,
        params: &[f64],
        x: ArrayView2<f64>,
        labels: Labels<'_>,
        rows: Rows<'_>,
        grad: Option<(&mut [f64], f64)>,
    ) -> Totals {
        let n = match rows {
            Rows::All => x.nrows(),
            Rows::Indices(idx) => idx.len(),
        };
        if n == 0 {
            if let Some((g, _)) = grad {
                g.fill(0.0);
            }
            return Totals::default();
        }
        if n <= PARALLEL_ROWS {
            return self.run_range(params, x, labels, rows, 0..n, grad);
        }
        let scale = grad.as_ref().map(|(_, s)| *s);
        let parts: Vec<(Totals, Vec<f64>)> = (0..n)
            .step_by(PARALLEL_ROWS)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let range = start..(start + PARALLEL_ROWS).min(n);
                let mut g = vec![0.0; if scale.is_some() { self.dim } else { 0 }];
                let part_grad = scale.map(|s| (g.as_mut_slice(), s));
                (self.run_range(params, x, labels, rows, range, part_grad), g)
            })
            .collect();
        let mut totals = Totals::default();
        let mut grad = grad;
        for (i, (t, g)) in parts.into_iter().enumerate() {
            totals.loss_sum += t.loss_sum;
            totals.correct += t.correct;
            totals.count += t.count;
            if let Some((out, _)) = grad.as_mut() {
                if i == 0 {
                    out.copy_from_slice(&g);
                } else {
                    out.iter_mut().zip(&g).for_each(|(o, v)| *o += v);
                }
            }
        }
        totals
    }

    /// [`Network::run`] over the samples `range` of `rows`, on this thread.
    ///
    /// The block buffers come from this thread's [`Workspace`], so that a
    /// minibatch step allocates nothing once the first one has sized them.
    fn run_range(
        &self,
        params: &[f64],
        x: ArrayView2<f64>,
        labels: Labels<'_>,
        rows: Rows<'_>,
        range: Range<usize>,
        grad: Option<(&mut [f64], f64)>,
    ) -> Totals {
        WORKSPACE.with(|cell| match cell.try_borrow_mut() {
            Ok(mut ws) => self.run_range_in(params, x, labels, rows, range, grad, &mut ws),
            // Only a re-entrant call (none today) finds it taken: give it its own.
            Err(_) => self.run_range_in(params, x, labels, rows, range, grad, &mut Workspace::default()),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn run_range_in(
        &self,
        params: &[f64],
        x: ArrayView2<f64>,
        labels: Labels<'_>,
        rows: Rows<'_>,
        range: Range<usize>,
        mut grad: Option<(&mut [f64], f64)>,
        ws: &mut Workspace,
    ) -> Totals {
        let n = range.len();
        let block = self.block_rows(n);
        let widest_hidden = self.layers.iter().map(|l| l.fan_in).skip(1).max().unwrap_or(0);
        let scratch_len = if grad.is_some() { block * widest_hidden } else { 0 };
        let gathered_len = match rows {
            Rows::All => 0,
            Rows::Indices(_) => block * x.ncols(),
        };
        let acts_len: usize = self.layers.iter().map(|l| block * l.fan_out).sum();
        let needed = acts_len + scratch_len + gathered_len;
        if ws.values.len() < needed {
            ws.values.resize(needed, 0.0);
        }
        let (acts_values, rest) = ws.values[..needed].split_at_mut(acts_len);
        let (scratch, gathered_values) = rest.split_at_mut(scratch_len);
        let mut acts: Vec<ArrayViewMut2<f64>> = Vec::with_capacity(self.layers.len());
        let mut remaining = acts_values;
        for l in &self.layers {
            let (mine, others) = std::mem::take(&mut remaining).split_at_mut(block * l.fan_out);
            // `mine` has block × fan_out values by construction.
            acts.push(ArrayViewMut2::from_shape((block, l.fan_out), mine).expect("activation block shape"));
            remaining = others;
        }
        let mut gathered = ArrayViewMut2::from_shape((gathered_len / x.ncols().max(1), x.ncols()), gathered_values)
            .expect("gathered block shape");
        let mut totals = Totals::default();
        for start in range.clone().step_by(block) {
            let end = (start + block).min(range.end);
            let m = end - start;
            let (input, block_labels) = match rows {
                Rows::All => (x.slice(s![start..end, ..]), slice_labels(labels, start, end)),
                Rows::Indices(idx) => {
                    let idx = &idx[start..end];
                    for (mut dst, &i) in gathered.rows_mut().into_iter().zip(idx) {
                        dst.assign(&x.row(i));
                    }
                    let l = match labels {
                        Labels::Values(v) => {
                            ws.label_values.clear();
                            ws.label_values.extend(idx.iter().map(|&i| v[i]));
                            Labels::Values(&ws.label_values)
                        }
                        Labels::Classes(c) => {
                            ws.label_classes.clear();
                            ws.label_classes.extend(idx.iter().map(|&i| c[i]));
                            Labels::Classes(&ws.label_classes)
                        }
                    };
                    (gathered.slice(s![..m, ..]), l)
                }
            };
            self.forward(params, input, &mut acts, m);
            let scale = grad.as_ref().map(|(_, s)| *s);
            let last = acts.len() - 1;
            let (loss_sum, correct) = loss_and_delta(acts[last].slice_mut(s![..m, ..]), block_labels, scale);
            totals.loss_sum += loss_sum;
            totals.correct += correct;
            totals.count += m;
            if let Some((g, _)) = grad.as_mut() {
                self.backward(params, input, &mut acts, scratch, m, g, start == range.start);
            }
        }
        totals
    }

    /// The logits of every row of `x` (no loss, no gradient).
    pub fn logits(&self, params: &[f64], x: ArrayView2<f64>) -> ndarray::Array2<f64> {
        let m = x.nrows();
        let mut acts: Vec<ndarray::Array2<f64>> =
            self.layers.iter().map(|l| ndarray::Array2::zeros((m, l.fan_out))).collect();
        if m > 0 {
            let mut views: Vec<ArrayViewMut2<f64>> = acts.iter_mut().map(|a| a.view_mut()).collect();
            self.forward(params, x, &mut views, m);
        }
        acts.pop().unwrap_or_else(|| ndarray::Array2::zeros((m, 0)))
    }

    fn forward(&self, params: &[f64], input: ArrayView2<f64>, acts: &mut [ArrayViewMut2<f64>], m: usize) {
        let hidden = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let (done, rest) = acts.split_at_mut(l);
            let a_prev = if l == 0 { input.view() } else { done[l - 1].slice(s![..m, ..]) };
            let mut z = rest[0].slice_mut(s![..m, ..]);
            z.assign(&layer.bias(params));
            if layer.fan_out == 1 {
                // A matrix-vector product: matrixmultiply's kernels would waste
                // most of their width on a single column.
                general_mat_vec_mul(1.0, &a_prev, &layer.weights(params).row(0), 1.0, &mut z.column_mut(0));
            } else {
                general_mat_mul(1.0, &a_prev, &layer.weights(params).t(), 1.0, &mut z);
            }
            if l < hidden {
                self.activation.apply(z);
            }
        }
    }

    /// `acts` hold the activations, the last one ∂loss/∂logits; they are
    /// overwritten by the deltas on the way back. The block's gradient is
    /// added to `grad`, or written over it when `first`.
    #[allow(clippy::too_many_arguments)]
    fn backward(
        &self,
        params: &[f64],
        input: ArrayView2<f64>,
        acts: &mut [ArrayViewMut2<f64>],
        scratch: &mut [f64],
        m: usize,
        grad: &mut [f64],
        first: bool,
    ) {
        for (l, layer) in self.layers.iter().enumerate().rev() {
            let (before, rest) = acts.split_at_mut(l);
            let delta = rest[0].slice(s![..m, ..]);
            let a_prev = if l == 0 { input.view() } else { before[l - 1].slice(s![..m, ..]) };
            let (mut gw, mut gb) = layer.grads_mut(grad);
            if first {
                gb.fill(0.0);
            }
            if layer.fan_out == 1 {
                if first {
                    gw.fill(0.0);
                }
                add_transposed_mat_vec(a_prev, delta.column(0), gw.row_mut(0));
            } else {
                // β = 0 ignores what `gw` held.
                general_mat_mul(1.0, &delta.t(), &a_prev, if first { 0.0 } else { 1.0 }, &mut gw);
            }
            // Row by row: the bias gradient is the column sums of the deltas.
            for row in delta.rows() {
                gb += &row;
            }
            if l > 0 {
                let values = &mut scratch[..m * layer.fan_in];
                // `scratch` holds block × widest hidden width values.
                let mut da = ArrayViewMut2::from_shape((m, layer.fan_in), values).expect("scratch shape");
                general_mat_mul(1.0, &delta, &layer.weights(params), 0.0, &mut da);
                let mut a = before[l - 1].slice_mut(s![..m, ..]);
                self.activation.backprop(a.view(), da.view_mut());
                a.assign(&da);
            }
        }
    }
}

/// Buffers of one thread's passes, kept between calls: the activations and
/// deltas of a block, the backward scratch, a gathered minibatch and its
/// labels. They only grow, to the largest block a thread has seen (a few
/// hundred KiB for the widest layers; `BLOCK_VALUES` bounds a block).
#[derive(Default)]
struct Workspace {
    values: Vec<f64>,
    label_values: Vec<f64>,
    label_classes: Vec<usize>,
}

thread_local! {
    static WORKSPACE: std::cell::RefCell<Workspace> = std::cell::RefCell::new(Workspace::default());
}

/// `out += Aᵀ v` for a row-major `A`, as BLAS's `dgemv` does for a
/// transposed matrix: a sum of the rows of `A` scaled by `v`, reading `A` once
/// in storage order. Measured on 100,000 × 100: ndarray without BLAS computes
/// `Aᵀ·v` as strided dot products (5–10× slower), and matrixmultiply, given a
/// single column, pads it to its kernel's width (2–2.5× slower).
fn add_transposed_mat_vec(a: ArrayView2<f64>, v: ArrayView1<f64>, mut out: ArrayViewMut1<f64>) {
    for (row, &vi) in a.rows().into_iter().zip(&v) {
        out.scaled_add(vi, &row);
    }
}

fn slice_labels(labels: Labels<'_>, start: usize, end: usize) -> Labels<'_> {
    match labels {
        Labels::Values(v) => Labels::Values(&v[start..end]),
        Labels::Classes(c) => Labels::Classes(&c[start..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, array};

    #[test]
    fn layout_is_weights_then_biases_per_layer() {
        let net = Network::new(3, &[4, 5], 2, Activation::Tanh);
        assert_eq!(net.dim, 3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2);
        assert_eq!(net.layers.iter().map(|l| l.offset).collect::<Vec<_>>(), vec![0, 16, 41]);
        let layout = net.layout();
        assert_eq!(layout.dim(), net.dim);
        assert_eq!(
            layout.describe(),
            "layers.0.weight[4, 3] layers.0.bias[4] layers.1.weight[5, 4] layers.1.bias[5] \
             layers.2.weight[2, 5] layers.2.bias[2]"
        );
        assert_eq!(layout.tensors()[2].offset, 16);
    }

    #[test]
    fn weights_are_stored_out_by_in_as_torch_linear() {
        // 2 inputs, 3 outputs: W = [[1, 2], [3, 4], [5, 6]], b = [0.5, 0, -1].
        let net = Network::new(2, &[], 3, Activation::Relu);
        let params = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5, 0.0, -1.0];
        assert_eq!(net.layers[0].weights(&params), array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
        let x = array![[1.0, -1.0]];
        let mut out = Array2::zeros((1, 3));
        net.forward(&params, x.view(), &mut [out.view_mut()], 1);
        // W x + b = [1 − 2 + 0.5, 3 − 4, 5 − 6 − 1].
        assert_eq!(out, array![[-0.5, -1.0, -2.0]]);
    }

    #[test]
    fn linear_forward_is_x_w_plus_b() {
        let net = Network::new(2, &[], 1, Activation::Relu);
        let params = [2.0, -1.0, 0.5];
        let x = array![[1.0, 1.0], [3.0, 0.0]];
        // Residuals (1.5 − 1, 6.5 − 7) → squared 0.25 + 0.25.
        let t = net.run(&params, x.view(), Labels::Values(&[1.0, 7.0]), Rows::All, None);
        assert_eq!(t, Totals { loss_sum: 0.5, correct: 0, count: 2 });
    }

    #[test]
    fn blocks_and_gathering_do_not_change_the_result() {
        let net = Network::new(3, &[7], 4, Activation::Sigmoid);
        let params: Vec<f64> = (0..net.dim).map(|i| ((i * 37 % 11) as f64 - 5.0) / 7.0).collect();
        let n = 10_000;
        let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * 13 + j * 7) % 17) as f64 / 17.0 - 0.5);
        let c: Vec<usize> = (0..n).map(|i| i % 4).collect();
        assert!(net.block_rows(n) < n);
        let mut g_all = vec![0.0; net.dim];
        let all = net.run(&params, x.view(), Labels::Classes(&c), Rows::All, Some((&mut g_all, 1.0)));
        let idx: Vec<usize> = (0..n).rev().collect();
        let mut g_idx = vec![0.0; net.dim];
        let some = net.run(&params, x.view(), Labels::Classes(&c), Rows::Indices(&idx), Some((&mut g_idx, 1.0)));
        assert_eq!(all.count, n);
        assert_eq!(all.correct, some.correct);
        assert!((all.loss_sum - some.loss_sum).abs() < 1e-9 * all.loss_sum);
        let (a, b) = (Array1::from(g_all), Array1::from(g_idx));
        assert!((&a - &b).mapv(f64::abs).sum() < 1e-9 * a.mapv(f64::abs).sum());
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let net = Network::new(5, &[6], 1, Activation::Tanh);
        let params: Vec<f64> = (0..net.dim).map(|i| ((i * 29 % 13) as f64 - 6.0) / 9.0).collect();
        let n = 3 * PARALLEL_ROWS + 17;
        let x = Array2::from_shape_fn((n, 5), |(i, j)| ((i * 31 + j * 5) % 23) as f64 / 23.0 - 0.5);
        let y: Vec<f64> = (0..n).map(|i| (i % 5) as f64).collect();
        let pass = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut g = vec![0.0; net.dim];
                let t = net.run(&params, x.view(), Labels::Values(&y), Rows::All, Some((&mut g, 1.0 / n as f64)));
                (t, g)
            })
        };
        let (one, two, three) = (pass(1), pass(2), pass(3));
        assert_eq!(one, two);
        assert_eq!(one, three);
        assert_eq!(one.0.count, n);
    }
}
