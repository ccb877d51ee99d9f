//! A run's history for the lab's charts, in a fixed memory budget: however
//! long the run, it is kept as at most [`BUCKETS`] buckets of consecutive
//! evaluated steps, each with the extent (min, max), mean and last value of
//! every metric and the x coordinates (step, epoch, wall time) of its last
//! step. Buckets start one step wide; when they are all used, neighbours are
//! merged in pairs and the bucket width doubles, so the whole history is
//! always there at a resolution of at least `BUCKETS / 2` buckets. A chart of
//! any width reads at most `BUCKETS` buckets per curve, and a run of 10^9
//! steps costs the same memory as one of 10^4.
//!
//! The exact rows are not kept: the lab's export replays the session (which
//! is deterministic) instead. The last 128 losses are kept exactly for the
//! recent convergence rate, and (for 2-D objectives) a thinned path for the
//! landscape.

use super::run::Record;
use crate::objective::Window;
use std::collections::VecDeque;

/// The most buckets a history keeps (a power of two). At 4,096 the last tenth
/// of a run still has at least 204 buckets, about a column each on a wide chart.
pub const BUCKETS: usize = 4096;

/// Recent losses kept exactly, for the convergence rate.
const RECENT: usize = 128;

/// A stretch of a metric: the extent, sum and count of its finite values and
/// its last value (NaN when there is none).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Agg {
    pub min: f64,
    pub max: f64,
    /// The last finite value.
    pub last: f64,
    sum: f64,
    n: u32,
}

impl Agg {
    pub const EMPTY: Agg = Agg { min: f64::INFINITY, max: f64::NEG_INFINITY, last: f64::NAN, sum: 0.0, n: 0 };

    fn add(&mut self, v: f64) {
        if v.is_finite() {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
            self.last = v;
            self.sum += v;
            self.n = self.n.saturating_add(1);
        }
    }

    /// This stretch followed by `later`.
    pub fn then(self, later: Agg) -> Agg {
        if later.n == 0 {
            return self;
        }
        Agg {
            min: self.min.min(later.min),
            max: self.max.max(later.max),
            last: later.last,
            sum: self.sum + later.sum,
            n: self.n.saturating_add(later.n),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// How many finite values it summarises.
    pub fn count(&self) -> u32 {
        self.n
    }
    pub fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.sum / f64::from(self.n) }
    }
}

/// Where a bucket ends: the coordinates of its last evaluated step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    pub step: u64,
    /// Passes over the training set (NaN for analytic objectives).
    pub epoch: f64,
    /// Time spent stepping the run so far.
    pub wall_ms: f64,
    /// Gradient evaluations used so far (cumulative).
    pub grad_evals: u64,
}

impl Mark {
    fn of(r: &Record) -> Mark {
        Mark { step: r.step, epoch: r.epoch.unwrap_or(f64::NAN), wall_ms: r.wall_ms, grad_evals: r.grad_evals }
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

    fn of(self, r: &Record) -> Option<f64> {
        match self {
            Metric::Loss => Some(r.loss),
            Metric::ValLoss => r.val_loss,
            Metric::BatchLoss => r.batch_loss,
            Metric::GradNorm => r.grad_norm,
            Metric::Lr => r.lr,
            Metric::ValAccuracy => r.val_accuracy,
        }
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

/// Buckets per group: the coarser level a wide view reads (a quarter of the work).
pub const GROUP: usize = 4;

/// A metric's buckets, and the same grouped by [`GROUP`] (group j covers
/// buckets `GROUP·j ..`), both kept up to date as values arrive.
#[derive(Clone, Debug)]
struct Lod {
    fine: Vec<Agg>,
    coarse: Vec<Agg>,
}

impl Lod {
    fn new(buckets: usize) -> Lod {
        Lod { fine: vec![Agg::EMPTY; buckets], coarse: vec![Agg::EMPTY; buckets.div_ceil(GROUP)] }
    }
    /// Start a new bucket (and a new group when it begins one).
    fn open(&mut self) {
        if self.fine.len().is_multiple_of(GROUP) {
            self.coarse.push(Agg::EMPTY);
        }
        self.fine.push(Agg::EMPTY);
    }
    fn add(&mut self, v: f64) {
        if let (Some(a), Some(g)) = (self.fine.last_mut(), self.coarse.last_mut()) {
            a.add(v);
            g.add(v);
        }
    }
    fn halve(&mut self) {
        halve(&mut self.fine, Agg::then);
        halve(&mut self.coarse, Agg::then);
    }
    fn capacity(&self) -> usize {
        self.fine.capacity() + self.coarse.capacity()
    }
}

/// Merge neighbours in pairs.
fn halve<T: Copy>(v: &mut Vec<T>, merge: impl Fn(T, T) -> T) {
    let half = v.len() / 2;
    for j in 0..half {
        v[j] = merge(v[2 * j], v[2 * j + 1]);
    }
    v.truncate(half);
}

/// What a history stores besides the metrics.
#[derive(Clone, Debug, Default)]
pub struct HistoryOptions {
    /// Keep a thinned path of the first two parameters in this window (2-D landscapes).
    pub path: Option<Window>,
    /// Log scales of the loss measure from here (a known negative minimum; else 0).
    pub loss_floor: f64,
}

/// TensorBoard's smoothing of one metric: `last = last·w + (1 − w)·v`, shown
/// as `last / (1 − w^n)` after n finite values, bucketed like the raw values.
#[derive(Clone, Debug)]
struct Smoothed {
    last: f64,
    count: f64,
    lod: Lod,
}

impl Smoothed {
    /// Feed `k` values whose mean is `mean`; returns the smoothed value after them.
    fn feed(&mut self, weight: f64, mean: f64, k: u32) -> f64 {
        let wk = weight.powi(k as i32);
        self.last = self.last * wk + (1.0 - wk) * mean;
        self.count += f64::from(k);
        let debias = 1.0 - weight.powf(self.count);
        if debias > 0.0 { self.last / debias } else { mean }
    }
}

/// The number of points a path keeps at most.
const PATH_CAP: usize = 2048;

/// A run's evaluated steps, bucketed (see the module's documentation).
#[derive(Clone, Debug)]
pub struct History {
    /// Evaluated steps per bucket (a power of two); the last bucket may hold fewer.
    width: u64,
    /// Evaluated steps in the last bucket.
    fill: u64,
    len: u64,
    first: Option<Mark>,
    marks: Vec<Mark>,
    /// Per metric, one aggregate per bucket (from the first bucket, once the metric has a value).
    metrics: [Option<Lod>; 6],
    floors: [f64; 6],
    smoothing: f64,
    smoothed: [Option<Smoothed>; 6],
    recent: VecDeque<(u64, f64)>,
    last: Option<Record>,
    path: Option<Path>,
}

impl History {
    pub fn new(dim: usize, options: HistoryOptions) -> History {
        let floors = Metric::ALL.map(|m| match m {
            Metric::Loss | Metric::BatchLoss => options.loss_floor,
            _ => 0.0,
        });
        History {
            width: 1,
            fill: 0,
            len: 0,
            first: None,
            marks: Vec::new(),
            metrics: Default::default(),
            floors,
            smoothing: 0.0,
            smoothed: Default::default(),
            recent: VecDeque::with_capacity(RECENT),
            last: None,
            path: options.path.filter(|_| dim >= 2).map(|w| Path::new(w, PATH_CAP)),
        }
    }

    /// Evaluated steps pushed so far.
    pub fn len(&self) -> usize {
        self.len as usize
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The latest evaluated step.
    pub fn last(&self) -> Option<&Record> {
        self.last.as_ref()
    }
    pub fn last_step(&self) -> Option<u64> {
        self.last.as_ref().map(|r| r.step)
    }
    /// Where the history starts (step 0, usually).
    pub fn first(&self) -> Option<Mark> {
        self.first
    }
    /// Evaluated steps per bucket now.
    pub fn bucket_width(&self) -> u64 {
        self.width
    }
    /// Where each bucket ends, in order.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }
    /// A metric's aggregate per bucket (aligned with [`History::marks`]),
    /// smoothed when asked and smoothing is on; `None` when it never had a value.
    pub fn aggs(&self, metric: Metric, smoothed: bool) -> Option<&[Agg]> {
        self.lod(metric, smoothed).map(|l| l.fine.as_slice())
    }
    /// The same, bucket groups of [`GROUP`]: group j covers buckets
    /// `GROUP·j .. GROUP·(j+1)` and ends where the last of them does.
    pub fn groups(&self, metric: Metric, smoothed: bool) -> Option<&[Agg]> {
        self.lod(metric, smoothed).map(|l| l.coarse.as_slice())
    }
    fn lod(&self, metric: Metric, smoothed: bool) -> Option<&Lod> {
        if smoothed && let Some(s) = &self.smoothed[metric.index()] {
            return Some(&s.lod);
        }
        self.metrics[metric.index()].as_ref()
    }
    /// What log scales of this metric measure from (a known negative minimum of the loss; else 0).
    pub fn floor(&self, metric: Metric) -> f64 {
        self.floors[metric.index()]
    }
    pub fn has(&self, metric: Metric) -> bool {
        self.metrics[metric.index()].is_some()
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_ref()
    }

    /// Append an evaluated step and the parameters after it.
    pub fn push(&mut self, r: &Record, params: &[f64]) {
        if self.marks.is_empty() || self.fill == self.width {
            if self.marks.len() == BUCKETS {
                self.coarsen();
            }
            self.marks.push(Mark::of(r));
            for lod in self.metrics.iter_mut().flatten() {
                lod.open();
            }
            for s in self.smoothed.iter_mut().flatten() {
                s.lod.open();
            }
            self.fill = 0;
        }
        let n = self.marks.len();
        if let Some(m) = self.marks.last_mut() {
            *m = Mark::of(r);
        }
        self.first.get_or_insert(Mark::of(r));
        self.fill += 1;
        self.len += 1;
        for metric in Metric::ALL {
            let Some(v) = metric.of(r) else { continue };
            let i = metric.index();
            self.metrics[i].get_or_insert_with(|| Lod::new(n)).add(v);
            if self.smoothing > 0.0 && v.is_finite() {
                let s = self.smoothed[i].get_or_insert_with(|| Smoothed { last: 0.0, count: 0.0, lod: Lod::new(n) });
                let value = s.feed(self.smoothing, v, 1);
                s.lod.add(value);
            }
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((r.step, r.loss));
        if let (Some(path), [x, y, ..]) = (&mut self.path, params) {
            path.push([*x, *y]);
        }
        self.last = Some(r.clone());
    }

    /// Merge neighbouring buckets in pairs: half as many, twice as wide. Only
    /// called when every bucket is full, so the pairs are whole.
    fn coarsen(&mut self) {
        halve(&mut self.marks, |_, b| b);
        for lod in self.metrics.iter_mut().flatten() {
            lod.halve();
        }
        for s in self.smoothed.iter_mut().flatten() {
            s.lod.halve();
        }
        self.width *= 2;
    }

    pub fn smoothing(&self) -> f64 {
        self.smoothing
    }

    /// Smooth every metric with TensorBoard's debiased exponential moving
    /// average of this weight (0: off). What came before is smoothed from the
    /// buckets (each bucket's mean, repeated as many times as it has values:
    /// exact while buckets are one step wide); later steps exactly as they arrive.
    pub fn set_smoothing(&mut self, weight: f64) {
        let weight = if weight.is_finite() { weight.clamp(0.0, 0.999) } else { 0.0 };
        if weight == self.smoothing {
            return;
        }
        self.smoothing = weight;
        for i in 0..Metric::ALL.len() {
            self.smoothed[i] = match (&self.metrics[i], weight > 0.0) {
                (Some(raw), true) => {
                    let mut s = Smoothed { last: 0.0, count: 0.0, lod: Lod::new(0) };
                    for a in &raw.fine {
                        s.lod.open();
                        if a.n == 1 {
                            let v = s.feed(weight, a.last, 1);
                            s.lod.add(v);
                        } else if a.n > 1 {
                            let v = s.feed(weight, a.mean(), a.n);
                            s.lod.add(v);
                        }
                    }
                    Some(s)
                }
                _ => None,
            };
        }
    }

    /// The recent convergence rate: the least-squares slope of log₁₀(loss − floor)
    /// against the step over the last `window` (at most 128) evaluated steps, in decades per step.
    pub fn log_slope(&self, window: usize) -> Option<f64> {
        let start = self.recent.len().saturating_sub(window.max(2));
        let floor = self.floors[Metric::Loss.index()];
        let (mut sx, mut sy, mut sxx, mut sxy, mut k) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let x0 = self.recent.get(start)?.0 as f64;
        for &(step, loss) in self.recent.iter().skip(start) {
            let v = loss - floor;
            if !(v > 0.0 && v.is_finite()) {
                continue;
            }
            let (x, y) = (step as f64 - x0, v.log10());
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
            k += 1.0;
        }
        let denom = k * sxx - sx * sx;
        (k >= 2.0 && denom > 0.0).then(|| (k * sxy - sx * sy) / denom)
    }

    /// The heap memory this history holds, in bytes (its capacity, not its use).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let aggs = self.metrics.iter().flatten().map(Lod::capacity).sum::<usize>()
            + self.smoothed.iter().flatten().map(|s| s.lod.capacity()).sum::<usize>();
        self.marks.capacity() * size_of::<Mark>()
            + aggs * size_of::<Agg>()
            + self.recent.capacity() * size_of::<(u64, f64)>()
            + self.path.as_ref().map_or(0, |p| p.points.capacity() * size_of::<[f64; 2]>())
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

    /// The aggregate of the raw values a bucket covers, by a scan.
    fn scan(values: &[f64]) -> Agg {
        let mut a = Agg::EMPTY;
        for &v in values {
            a.add(v);
        }
        a
    }

    #[test]
    fn buckets_are_the_exact_aggregates_of_the_steps_they_cover() {
        let mut h = History::new(0, HistoryOptions::default());
        let n = 3 * BUCKETS as u64 + 77;
        let loss = |s: u64| ((s * 7919) % 1013) as f64 - 500.0;
        for step in 0..n {
            h.push(&record(step, loss(step)), &[]);
        }
        assert_eq!(h.len() as u64, n);
        assert!(h.marks().len() <= BUCKETS && h.marks().len() > BUCKETS / 2, "{}", h.marks().len());
        assert_eq!(h.bucket_width(), 4);
        let aggs = h.aggs(Metric::Loss, false).unwrap();
        let mut start = 0;
        for (m, a) in h.marks().iter().zip(aggs) {
            let values: Vec<f64> = (start..=m.step).map(loss).collect();
            let expected = scan(&values);
            assert_eq!(
                (a.min, a.max, a.last, a.count()),
                (expected.min, expected.max, expected.last, expected.count())
            );
            assert!((a.mean() - expected.mean()).abs() < 1e-9);
            start = m.step + 1;
        }
        assert_eq!(start, n, "the buckets cover every step once");
        let groups = h.groups(Metric::Loss, false).unwrap();
        assert_eq!(groups.len(), aggs.len().div_ceil(GROUP));
        for (j, g) in groups.iter().enumerate() {
            let merged = aggs[j * GROUP..((j + 1) * GROUP).min(aggs.len())].iter().fold(Agg::EMPTY, |a, b| a.then(*b));
            assert_eq!(
                (g.min, g.max, g.last, g.count()),
                (merged.min, merged.max, merged.last, merged.count()),
                "group {j}"
            );
        }
        // The learning rate starts at step 1: its first bucket has one value fewer.
        assert_eq!(h.aggs(Metric::Lr, false).unwrap()[0].count(), 3);
        assert!(!h.has(Metric::ValLoss));
        assert_eq!(h.last(), Some(&record(n - 1, loss(n - 1))));
    }

    #[test]
    fn memory_is_fixed_whatever_the_length() {
        let mut h = History::new(
            2,
            HistoryOptions { path: Some(Window { x: (0.0, 1.0), y: (0.0, 1.0) }), ..Default::default() },
        );
        h.set_smoothing(0.9);
        let mut at = Vec::new();
        for step in 0..2_000_000u64 {
            let t = step as f64 * 1e-3;
            h.push(&record(step, 1.0 / (1.0 + t)), &[0.5 + 0.4 * t.cos(), 0.5 + 0.4 * t.sin()]);
            if step == 100_000 || step == 1_999_999 {
                at.push(h.heap_bytes());
            }
        }
        assert_eq!(at[0], at[1], "no growth from 100k to 2M steps");
        // marks + 3 metrics and their smoothing, 4096 buckets each, the path, the recent losses.
        assert!(at[1] < 1_500_000, "{} bytes", at[1]);
    }

    #[test]
    fn smoothing_is_tensorboards_and_follows_new_points() {
        let mut h = History::new(0, HistoryOptions::default());
        h.push(&record(0, 1.0), &[]);
        h.push(&record(1, 3.0), &[]);
        h.set_smoothing(0.5);
        h.push(&record(2, 5.0), &[]);
        let s: Vec<f64> = h.aggs(Metric::Loss, true).unwrap().iter().map(|a| a.last).collect();
        // last: 0.5, 1.75, 3.375; debias: 0.5, 0.75, 0.875
        assert_eq!(s, vec![1.0, 1.75 / 0.75, 3.375 / 0.875]);
        h.set_smoothing(0.0);
        let raw: Vec<f64> = h.aggs(Metric::Loss, true).unwrap().iter().map(|a| a.last).collect();
        assert_eq!(raw, vec![1.0, 3.0, 5.0]);
    }

    #[test]
    fn log_slope_of_a_geometric_decay() {
        let mut h = History::new(0, HistoryOptions::default());
        for step in 0..1000 {
            h.push(&record(step, 10f64.powf(-0.01 * step as f64)), &[]);
        }
        assert!((h.log_slope(50).unwrap() + 0.01).abs() < 1e-9);
        assert!((h.log_slope(100).unwrap() + 0.01).abs() < 1e-9);
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
