//! A run's history: every evaluated step in columns, with a min/max level of
//! detail per column so that a chart of any width costs its width, not the
//! length of the history, and (for 2-D objectives) a thinned path for the
//! landscape.
//!
//! Level of detail: level 0 holds the extent (min, max, smallest value above
//! the floor) of each block of 16 values, level k of each block of 16·2^k. A
//! range query walks the largest aligned blocks that fit, so it touches at most
//! ~30 raw values and 2·log₂(n) blocks. The levels take about 1/5 of the memory
//! of the values they summarise.

use super::run::Record;
use crate::objective::Window;

const BASE_SHIFT: u32 = 4;
const BASE: usize = 1 << BASE_SHIFT;

/// The range of the finite values of a stretch of a series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Extent {
    pub min: f64,
    pub max: f64,
    /// The smallest value strictly above the series' floor (for log scales).
    pub min_above: f64,
}

impl Extent {
    pub const EMPTY: Extent = Extent { min: f64::INFINITY, max: f64::NEG_INFINITY, min_above: f64::INFINITY };

    fn of(v: f64, floor: f64) -> Extent {
        if !v.is_finite() {
            return Extent::EMPTY;
        }
        Extent { min: v, max: v, min_above: if v > floor { v } else { f64::INFINITY } }
    }

    pub fn merge(self, o: Extent) -> Extent {
        Extent { min: self.min.min(o.min), max: self.max.max(o.max), min_above: self.min_above.min(o.min_above) }
    }

    pub fn is_empty(&self) -> bool {
        self.min > self.max
    }
}

/// A column of numbers with its level of detail. Non-finite values are kept
/// but left out of every extent.
#[derive(Clone, Debug)]
pub struct Series {
    values: Vec<f64>,
    floor: f64,
    levels: Vec<Vec<Extent>>,
}

impl Series {
    /// An empty series; `floor` is what log scales measure from (0, or a known negative minimum).
    pub fn new(floor: f64) -> Series {
        Series { values: Vec::new(), floor, levels: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<f64> {
        self.values.get(i).copied()
    }
    pub fn values(&self) -> &[f64] {
        &self.values
    }
    pub fn floor(&self) -> f64 {
        self.floor
    }

    pub fn push(&mut self, v: f64) {
        self.values.push(v);
        let n = self.values.len();
        if n.is_multiple_of(BASE) {
            let block = self.values[n - BASE..].iter().fold(Extent::EMPTY, |e, &v| e.merge(Extent::of(v, self.floor)));
            self.push_level(0, block);
        }
    }

    fn push_level(&mut self, k: usize, e: Extent) {
        if self.levels.len() == k {
            self.levels.push(Vec::new());
        }
        let level = &mut self.levels[k];
        level.push(e);
        if level.len().is_multiple_of(2) {
            let merged = level[level.len() - 2].merge(level[level.len() - 1]);
            self.push_level(k + 1, merged);
        }
    }

    /// Level `k` of the level of detail: its block size (16·2^k) and the
    /// extents of its complete blocks, in order.
    pub fn level(&self, k: usize) -> Option<(usize, &[Extent])> {
        self.levels.get(k).map(|l| (BASE << k, l.as_slice()))
    }

    /// The extent of the values at indices `lo..hi`.
    pub fn extent(&self, lo: usize, hi: usize) -> Extent {
        let hi = hi.min(self.values.len());
        let mut e = Extent::EMPTY;
        let mut i = lo;
        while i < hi {
            if !i.is_multiple_of(BASE) || i + BASE > hi {
                e = e.merge(Extent::of(self.values[i], self.floor));
                i += 1;
                continue;
            }
            // The largest block aligned at i that fits in i..hi; it is complete
            // (blocks are pushed when full and i + size <= hi <= len).
            let align = if i == 0 { u32::MAX } else { i.trailing_zeros() - BASE_SHIFT };
            let fit = ((hi - i) >> BASE_SHIFT).ilog2();
            let k = align.min(fit).min(self.levels.len() as u32 - 1) as usize;
            e = e.merge(self.levels[k][i >> (BASE_SHIFT as usize + k)]);
            i += BASE << k;
        }
        e
    }
}

/// A column whose cells may be empty (`None`): the learning rate at step 0, the
/// validation loss of an analytic function. Nothing is stored until the first value.
#[derive(Clone, Debug, Default)]
pub struct OptSeries {
    series: Option<Series>,
    /// Indices (after the first value) whose cell is empty.
    nones: Vec<usize>,
    len: usize,
    floor: f64,
}

impl OptSeries {
    fn new(floor: f64) -> OptSeries {
        OptSeries { series: None, nones: Vec::new(), len: 0, floor }
    }

    fn push(&mut self, v: Option<f64>) {
        match (&mut self.series, v) {
            (None, None) => {}
            (None, Some(x)) => {
                let mut s = Series::new(self.floor);
                for i in 0..self.len {
                    s.push(f64::NAN);
                    self.nones.push(i);
                }
                s.push(x);
                self.series = Some(s);
            }
            (Some(s), Some(x)) => s.push(x),
            (Some(s), None) => {
                self.nones.push(self.len);
                s.push(f64::NAN);
            }
        }
        self.len += 1;
    }

    pub fn get(&self, i: usize) -> Option<f64> {
        let s = self.series.as_ref()?;
        if self.nones.binary_search(&i).is_ok() { None } else { s.get(i) }
    }

    /// The values, when any cell has one (empty cells read as NaN).
    pub fn series(&self) -> Option<&Series> {
        self.series.as_ref()
    }
}

/// The chartable columns of a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    Loss,
    ValLoss,
    BatchLoss,
    GradNorm,
    Lr,
    ValAccuracy,
}

impl Metric {
    pub const ALL: [Metric; 6] =
        [Metric::Loss, Metric::ValLoss, Metric::BatchLoss, Metric::GradNorm, Metric::Lr, Metric::ValAccuracy];

    fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Metric::Loss => "loss",
            Metric::ValLoss => "validation loss",
            Metric::BatchLoss => "batch loss",
            Metric::GradNorm => "gradient norm",
            Metric::Lr => "learning rate",
            Metric::ValAccuracy => "validation accuracy",
        }
    }
}

/// The steps of the evaluated records: `i · stride` for a regular prefix (every
/// step, or every `eval_every`), then whatever came after (the last step).
#[derive(Clone, Debug, Default)]
struct Steps {
    stride: u64,
    regular: usize,
    extra: Vec<u64>,
}

impl Steps {
    fn len(&self) -> usize {
        self.regular + self.extra.len()
    }

    fn push(&mut self, step: u64) {
        if self.extra.is_empty() {
            if self.regular == 0 && step == 0 {
                self.regular = 1;
                return;
            }
            if self.regular == 1 && self.stride == 0 && step > 0 {
                self.stride = step;
                self.regular = 2;
                return;
            }
            if self.stride > 0 && step == self.regular as u64 * self.stride {
                self.regular += 1;
                return;
            }
        }
        self.extra.push(step);
    }

    fn get(&self, i: usize) -> u64 {
        if i < self.regular { i as u64 * self.stride } else { self.extra[i - self.regular] }
    }

    /// The first index whose step is >= `step` (the length when there is none).
    fn index_at_or_after(&self, step: f64) -> usize {
        if step <= 0.0 {
            return 0;
        }
        let regular = if self.stride == 0 {
            self.regular.min(1)
        } else {
            (step / self.stride as f64).ceil().min(self.regular as f64) as usize
        };
        if regular < self.regular {
            return regular;
        }
        self.regular + self.extra.partition_point(|&s| (s as f64) < step)
    }
}

/// A 2-D path thinned to what a screen can show: a point is kept when it is at
/// least `eps` (a fraction of the window) away from the last kept one; past
/// `cap` points, `eps` doubles and the path is thinned again.
#[derive(Clone, Debug)]
pub struct Path {
    window: Window,
    eps: f64,
    cap: usize,
    points: Vec<[f64; 2]>,
    latest: Option<[f64; 2]>,
}

impl Path {
    pub fn new(window: Window, cap: usize) -> Path {
        Path { window, eps: 1.0 / 4096.0, cap: cap.max(2), points: Vec::new(), latest: None }
    }

    fn far(&self, a: [f64; 2], b: [f64; 2]) -> bool {
        let dx = (a[0] - b[0]).abs() / (self.window.x.1 - self.window.x.0).abs().max(f64::MIN_POSITIVE);
        let dy = (a[1] - b[1]).abs() / (self.window.y.1 - self.window.y.0).abs().max(f64::MIN_POSITIVE);
        // Non-finite points (a blown-up run) are always kept so the path ends where the run did.
        let d = dx.max(dy);
        d.is_nan() || d >= self.eps
    }

    fn push(&mut self, p: [f64; 2]) {
        self.latest = Some(p);
        match self.points.last() {
            Some(&last) if !self.far(last, p) => return,
            _ => self.points.push(p),
        }
        if self.points.len() > self.cap {
            self.eps *= 2.0;
            let old = std::mem::take(&mut self.points);
            for q in old {
                match self.points.last() {
                    Some(&last) if !self.far(last, q) => {}
                    _ => self.points.push(q),
                }
            }
        }
    }

    /// The kept points, in order.
    pub fn points(&self) -> &[[f64; 2]] {
        &self.points
    }
    /// Where the run is now (may not be a kept point).
    pub fn latest(&self) -> Option<[f64; 2]> {
        self.latest
    }
}

/// What a history stores besides the metrics.
#[derive(Clone, Debug, Default)]
pub struct HistoryOptions {
    /// Store the parameters of every step (analytic objectives: steps.csv has them).
    pub params: bool,
    /// Keep a thinned path of the first two parameters in this window (2-D landscapes).
    pub path: Option<Window>,
    /// Log scales of the loss measure from here (a known negative minimum; else 0).
    pub loss_floor: f64,
}

/// Every evaluated step of a run.
#[derive(Clone, Debug)]
pub struct History {
    steps: Steps,
    metrics: [OptSeries; 6],
    epoch: OptSeries,
    wall_ms: Vec<f64>,
    grad_evals: Vec<u64>,
    dim: usize,
    params: Option<Vec<f64>>,
    path: Option<Path>,
    /// TensorBoard's smoothing weight (0: off) and the smoothed metrics.
    smoothing: f64,
    smoothed: [Option<Smoothed>; 6],
}

/// The number of points a path keeps at most.
const PATH_CAP: usize = 2048;

impl History {
    pub fn new(dim: usize, options: HistoryOptions) -> History {
        let metrics = std::array::from_fn(|i| {
            OptSeries::new(if Metric::ALL[i] == Metric::Loss || Metric::ALL[i] == Metric::BatchLoss {
                options.loss_floor
            } else {
                0.0
            })
        });
        History {
            steps: Steps::default(),
            metrics,
            epoch: OptSeries::new(0.0),
            wall_ms: Vec::new(),
            grad_evals: Vec::new(),
            dim,
            params: options.params.then(Vec::new),
            path: options.path.filter(|_| dim >= 2).map(|w| Path::new(w, PATH_CAP)),
            smoothing: 0.0,
            smoothed: Default::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }
    pub fn is_empty(&self) -> bool {
        self.steps.len() == 0
    }
    pub fn step(&self, i: usize) -> u64 {
        self.steps.get(i)
    }
    pub fn last_step(&self) -> Option<u64> {
        self.len().checked_sub(1).map(|i| self.steps.get(i))
    }
    /// Gradient evaluations used by step index `i` (cumulative).
    pub fn grad_evals(&self, i: usize) -> u64 {
        self.grad_evals[i]
    }
    /// The first index whose step is >= `step`.
    pub fn index_at_or_after(&self, step: f64) -> usize {
        self.steps.index_at_or_after(step)
    }

    /// Append an evaluated step and the parameters after it.
    pub fn push(&mut self, r: &Record, params: &[f64]) {
        self.steps.push(r.step);
        let values = [Some(r.loss), r.val_loss, r.batch_loss, r.grad_norm, r.lr, r.val_accuracy];
        for (i, v) in values.into_iter().enumerate() {
            self.metrics[i].push(v);
            if let (Some(s), Some(m)) = (&mut self.smoothed[i], self.metrics[i].series()) {
                s.catch_up(m.values());
            }
        }
        self.epoch.push(r.epoch);
        self.wall_ms.push(r.wall_ms);
        self.grad_evals.push(r.grad_evals);
        if let Some(p) = &mut self.params {
            p.extend(params.iter().take(self.dim));
            p.extend(std::iter::repeat_n(f64::NAN, self.dim.saturating_sub(params.len())));
        }
        if let (Some(path), [x, y, ..]) = (&mut self.path, params) {
            path.push([*x, *y]);
        }
    }

    /// The record at index `i` as it was pushed (its parameters via [`History::params`]).
    pub fn record(&self, i: usize) -> Record {
        let m = |metric: Metric| self.metrics[metric.index()].get(i);
        Record {
            step: self.steps.get(i),
            epoch: self.epoch.get(i),
            lr: m(Metric::Lr),
            loss: m(Metric::Loss).unwrap_or(f64::NAN),
            batch_loss: m(Metric::BatchLoss),
            grad_norm: m(Metric::GradNorm),
            val_loss: m(Metric::ValLoss),
            val_accuracy: m(Metric::ValAccuracy),
            wall_ms: self.wall_ms[i],
            grad_evals: self.grad_evals[i],
        }
    }

    /// The parameters after step index `i` (empty when they are not stored).
    pub fn params(&self, i: usize) -> &[f64] {
        match &self.params {
            Some(p) => &p[i * self.dim..(i + 1) * self.dim],
            None => &[],
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_ref()
    }

    /// A metric's values (raw, or smoothed when smoothing is on and `smoothed`).
    pub fn series(&self, metric: Metric, smoothed: bool) -> Option<&Series> {
        if smoothed && let Some(s) = &self.smoothed[metric.index()] {
            return Some(&s.series);
        }
        self.metrics[metric.index()].series()
    }

    pub fn has(&self, metric: Metric) -> bool {
        self.metrics[metric.index()].series().is_some()
    }

    pub fn smoothing(&self) -> f64 {
        self.smoothing
    }

    /// Smooth every metric with TensorBoard's debiased exponential moving
    /// average of this weight (0: off). Recomputes once; later points are
    /// smoothed as they arrive.
    pub fn set_smoothing(&mut self, weight: f64) {
        let weight = if weight.is_finite() { weight.clamp(0.0, 0.999) } else { 0.0 };
        if weight == self.smoothing {
            return;
        }
        self.smoothing = weight;
        for i in 0..Metric::ALL.len() {
            self.smoothed[i] = (weight > 0.0).then(|| {
                let mut s = Smoothed::new(weight, self.metrics[i].floor);
                if let Some(m) = self.metrics[i].series() {
                    s.catch_up(m.values());
                }
                s
            });
        }
    }

    /// The recent convergence rate: the least-squares slope of log₁₀(loss − floor)
    /// against the step over the last `window` evaluated steps, in decades per step.
    pub fn log_slope(&self, window: usize) -> Option<f64> {
        let loss = self.metrics[Metric::Loss.index()].series()?;
        let n = loss.len();
        let start = n.saturating_sub(window.max(2));
        let (mut sx, mut sy, mut sxx, mut sxy, mut k) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let x0 = self.steps.get(start) as f64;
        for i in start..n {
            let v = loss.values[i] - loss.floor;
            if !(v > 0.0 && v.is_finite()) {
                continue;
            }
            let (x, y) = (self.steps.get(i) as f64 - x0, v.log10());
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            k += 1.0;
        }
        let denom = k * sxx - sx * sx;
        (k >= 2.0 && denom > 0.0).then(|| (k * sxy - sx * sy) / denom)
    }
}

/// TensorBoard's smoothing: `last = last·w + (1 − w)·v`, shown as
/// `last / (1 − w^n)` after n finite values; non-finite values pass through.
#[derive(Clone, Debug)]
struct Smoothed {
    weight: f64,
    last: f64,
    count: i32,
    series: Series,
}

impl Smoothed {
    fn new(weight: f64, floor: f64) -> Smoothed {
        Smoothed { weight, last: 0.0, count: 0, series: Series::new(floor) }
    }

    fn catch_up(&mut self, raw: &[f64]) {
        for &v in &raw[self.series.len()..] {
            if !v.is_finite() {
                self.series.push(v);
                continue;
            }
            self.last = self.last * self.weight + (1.0 - self.weight) * v;
            self.count = self.count.saturating_add(1);
            let debias = 1.0 - self.weight.powi(self.count);
            self.series.push(if debias > 0.0 { self.last / debias } else { v });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(step: u64, loss: f64) -> Record {
        Record {
            step,
            epoch: None,
            lr: (step > 0).then_some(0.1),
            loss,
            batch_loss: None,
            grad_norm: (step > 0).then_some(loss * 2.0),
            val_loss: None,
            val_accuracy: None,
            wall_ms: step as f64,
            grad_evals: step,
        }
    }

    #[test]
    fn extent_matches_a_scan_for_every_range() {
        let mut s = Series::new(0.0);
        let values: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1013) as f64 - 500.0).collect();
        for &v in &values {
            s.push(v);
        }
        s.push(f64::NAN);
        for lo in (0..1001).step_by(37) {
            for hi in (lo..1002).step_by(53) {
                let scan =
                    values[lo.min(1000)..hi.min(1000)].iter().fold(Extent::EMPTY, |e, &v| e.merge(Extent::of(v, 0.0)));
                assert_eq!(s.extent(lo, hi), scan, "{lo}..{hi}");
            }
        }
        assert_eq!(s.extent(0, 1001).min_above, 1.0);
    }

    #[test]
    fn records_round_trip_with_their_empty_cells() {
        let mut h = History::new(2, HistoryOptions { params: true, ..Default::default() });
        for step in 0..40 {
            h.push(&record(step, 1.0 / (step as f64 + 1.0)), &[step as f64, -(step as f64)]);
        }
        assert_eq!(h.len(), 40);
        assert_eq!(h.record(0), record(0, 1.0));
        assert_eq!(h.record(17), record(17, 1.0 / 18.0));
        assert_eq!(h.params(17), &[17.0, -17.0]);
        assert!(!h.has(Metric::ValLoss));
        assert_eq!(h.index_at_or_after(16.5), 17);
        assert_eq!(h.index_at_or_after(100.0), 40);
    }

    #[test]
    fn irregular_steps_are_found() {
        let mut h = History::new(0, HistoryOptions::default());
        for step in [0, 10, 20, 30, 35] {
            h.push(&record(step, 1.0), &[]);
        }
        assert_eq!((0..5).map(|i| h.step(i)).collect::<Vec<_>>(), vec![0, 10, 20, 30, 35]);
        assert_eq!(h.index_at_or_after(21.0), 3);
        assert_eq!(h.index_at_or_after(31.0), 4);
        assert_eq!(h.index_at_or_after(36.0), 5);
    }

    #[test]
    fn smoothing_is_tensorboards_and_follows_new_points() {
        let mut h = History::new(0, HistoryOptions::default());
        h.push(&record(0, 1.0), &[]);
        h.push(&record(1, 3.0), &[]);
        h.set_smoothing(0.5);
        h.push(&record(2, 5.0), &[]);
        let s = h.series(Metric::Loss, true).unwrap().values().to_vec();
        // last: 0.5, 1.75, 3.375; debias: 0.5, 0.75, 0.875
        assert_eq!(s, vec![1.0, 1.75 / 0.75, 3.375 / 0.875]);
        h.set_smoothing(0.0);
        assert_eq!(h.series(Metric::Loss, true).unwrap().values(), &[1.0, 3.0, 5.0]);
    }

    #[test]
    fn log_slope_of_a_geometric_decay() {
        let mut h = History::new(0, HistoryOptions::default());
        for step in 0..100 {
            h.push(&record(step, 10f64.powf(-0.01 * step as f64)), &[]);
        }
        assert!((h.log_slope(50).unwrap() + 0.01).abs() < 1e-9);
    }

    #[test]
    fn a_path_stays_bounded() {
        let window = Window { x: (0.0, 1.0), y: (0.0, 1.0) };
        // Round and round: bounded however long it goes.
        let mut p = Path::new(window, 64);
        for i in 0..100_000 {
            let t = i as f64 * 0.01;
            p.push([0.5 + 0.4 * t.cos(), 0.5 + 0.4 * t.sin()]);
        }
        assert!(p.points().len() <= 64);
        assert_eq!(p.latest(), Some([0.5 + 0.4 * 999.99f64.cos(), 0.5 + 0.4 * 999.99f64.sin()]));
        // A long straight crawl keeps points spread along it, first and last included.
        let mut p = Path::new(window, 64);
        for i in 0..100_000 {
            p.push([i as f64 / 100_000.0, 0.5]);
        }
        assert!((32..=64).contains(&p.points().len()), "{}", p.points().len());
        assert_eq!(p.points()[0], [0.0, 0.5]);
        let gaps: Vec<f64> = p.points().windows(2).map(|w| w[1][0] - w[0][0]).collect();
        assert!(gaps.iter().all(|g| *g <= 1.0 / 16.0), "{gaps:?}");
    }
}
