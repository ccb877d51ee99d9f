//! Synthetic datasets, generated from a seed.
//!
//! | name | target | shape | `noise` means |
//! |---|---|---|---|
//! | `moons` | 2 classes | 2 features | std of Gaussian jitter (default 0.1) |
//! | `circles` | 2 classes | 2 features | std of Gaussian jitter (default 0.1) |
//! | `blobs` | `classes` (3) | `features` (2) | std of each cluster (default 1.0) |
//! | `spirals` | `classes` (3) | 2 features | std of the angle jitter in radians (default 0.2) |
//! | `xor` | 2 classes | 2 features | std of Gaussian jitter added after labelling (default 0.1) |
//! | `linear` | regression | `features` (5) | std of the target noise (default 0.1) |
//!
//! `moons`, `circles` and `blobs` follow scikit-learn's `make_moons`,
//! `make_circles` (factor 0.5) and `make_blobs` (centres uniform in [-10, 10]);
//! `spirals` is the CS231n spiral with its arms turned by 2π/K so that any
//! number of classes stays symmetric; `xor` labels uniform points of [-1, 1]²
//! by the sign of x·y (class 1 where the signs differ), the four quadrants equally filled; `linear` draws x ~ N(0, I),
//! weights and bias ~ N(0, 1) and y = x·w + b + noise·N(0, 1).
//! Samples are split as evenly as possible between classes (the first
//! classes take the remainder). The same seed and settings give the same
//! data on every machine (ChaCha8).

use super::{DataError, Dataset, Target};
use ndarray::{Array1, Array2};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::f64::consts::PI;

/// Upper bound on `samples`, so that a typo cannot ask for gigabytes.
pub const MAX_SAMPLES: usize = 5_000_000;
/// Upper bound on `features` and on `samples × features`.
pub const MAX_FEATURES: usize = 10_000;
pub const MAX_VALUES: usize = 100_000_000;
pub const MAX_CLASSES: usize = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SyntheticKind {
    Moons,
    Circles,
    Blobs,
    Spirals,
    Xor,
    Linear,
}

/// Resolved settings of a generator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SyntheticParams {
    pub samples: usize,
    pub noise: f64,
    /// `None` for a regression target.
    pub classes: Option<usize>,
    pub features: usize,
}

impl SyntheticKind {
    pub const ALL: [SyntheticKind; 6] = [
        SyntheticKind::Moons,
        SyntheticKind::Circles,
        SyntheticKind::Blobs,
        SyntheticKind::Spirals,
        SyntheticKind::Xor,
        SyntheticKind::Linear,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SyntheticKind::Moons => "moons",
            SyntheticKind::Circles => "circles",
            SyntheticKind::Blobs => "blobs",
            SyntheticKind::Spirals => "spirals",
            SyntheticKind::Xor => "xor",
            SyntheticKind::Linear => "linear",
        }
    }

    pub fn from_name(name: &str) -> Option<SyntheticKind> {
        SyntheticKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn summary(self) -> &'static str {
        match self {
            SyntheticKind::Moons => "two interleaving half circles (scikit-learn make_moons)",
            SyntheticKind::Circles => "a small circle inside a large one (make_circles, factor 0.5)",
            SyntheticKind::Blobs => "Gaussian clusters, any number of classes and features (make_blobs)",
            SyntheticKind::Spirals => "interleaved spiral arms, one per class (CS231n)",
            SyntheticKind::Xor => "the four quadrants of [-1, 1]², labelled by the sign of x·y",
            SyntheticKind::Linear => "y = x·w + b + Gaussian noise, x ~ N(0, I)",
        }
    }

    /// The settings used when a scenario gives none.
    pub fn defaults(self) -> SyntheticParams {
        let (noise, classes, features) = match self {
            SyntheticKind::Moons | SyntheticKind::Circles | SyntheticKind::Xor => (0.1, Some(2), 2),
            SyntheticKind::Blobs => (1.0, Some(3), 2),
            SyntheticKind::Spirals => (0.2, Some(3), 2),
            SyntheticKind::Linear => (0.1, None, 5),
        };
        SyntheticParams { samples: 500, noise, classes, features }
    }

    /// Whether `classes` may be set.
    pub fn accepts_classes(self) -> bool {
        matches!(self, SyntheticKind::Blobs | SyntheticKind::Spirals)
    }

    /// Whether `features` may be set.
    pub fn accepts_features(self) -> bool {
        matches!(self, SyntheticKind::Blobs | SyntheticKind::Linear)
    }

    /// Checks the scenario's settings and fills the others with the defaults.
    pub fn params(
        self,
        samples: Option<usize>,
        noise: Option<f64>,
        classes: Option<usize>,
        features: Option<usize>,
    ) -> Result<SyntheticParams, DataError> {
        let mut p = self.defaults();
        if let Some(c) = classes {
            if !self.accepts_classes() {
                let fixed = match p.classes {
                    Some(k) => format!("always has {k} classes"),
                    None => "is a regression dataset".to_string(),
                };
                return Err(DataError::config(
                    "dataset.classes",
                    format!("`{}` {fixed}; `classes` applies to blobs and spirals", self.name()),
                ));
            }
            if !(2..=MAX_CLASSES).contains(&c) {
                return Err(DataError::config("dataset.classes", format!("must be in 2..={MAX_CLASSES}, got {c}")));
            }
            p.classes = Some(c);
        }
        if let Some(f) = features {
            if !self.accepts_features() {
                return Err(DataError::config(
                    "dataset.features",
                    format!(
                        "`{}` always has {} features; `features` applies to blobs and linear",
                        self.name(),
                        p.features
                    ),
                ));
            }
            if !(1..=MAX_FEATURES).contains(&f) {
                return Err(DataError::config("dataset.features", format!("must be in 1..={MAX_FEATURES}, got {f}")));
            }
            p.features = f;
        }
        if let Some(n) = noise {
            if !(n.is_finite() && n >= 0.0) {
                return Err(DataError::config("dataset.noise", format!("must be a finite number >= 0, got {n}")));
            }
            p.noise = n;
        }
        if let Some(n) = samples {
            p.samples = n;
        }
        let min = 2 * p.classes.unwrap_or(1);
        if p.samples < min || p.samples > MAX_SAMPLES {
            let why = match p.classes {
                Some(k) => format!(" (two per class for {k} classes)"),
                None => String::new(),
            };
            return Err(DataError::config(
                "dataset.samples",
                format!("must be in {min}..={MAX_SAMPLES}{why}, got {}", p.samples),
            ));
        }
        if p.samples.saturating_mul(p.features) > MAX_VALUES {
            return Err(DataError::config(
                "dataset.samples",
                format!("samples × features must be at most {MAX_VALUES}, got {} × {}", p.samples, p.features),
            ));
        }
        Ok(p)
    }

    /// Generates the dataset; `params` come from [`SyntheticKind::params`].
    pub fn generate(self, params: &SyntheticParams, rng: &mut ChaCha8Rng) -> Dataset {
        let SyntheticParams { samples: n, noise, .. } = *params;
        let k = params.classes.unwrap_or(2);
        let (features, target) = match self {
            SyntheticKind::Moons => moons(n, noise, rng),
            SyntheticKind::Circles => circles(n, noise, rng),
            SyntheticKind::Blobs => blobs(n, k, params.features, noise, rng),
            SyntheticKind::Spirals => spirals(n, k, noise, rng),
            SyntheticKind::Xor => xor(n, noise, rng),
            SyntheticKind::Linear => linear(n, params.features, noise, rng),
        };
        let d = features.ncols();
        let feature_names = if d == 2 { vec!["x".to_string(), "y".to_string()] } else { numbered("x", d) };
        let mut settings = format!("synthetic {}: {n} samples, noise {noise}", self.name());
        if self.accepts_classes() {
            settings += &format!(", {k} classes");
        }
        if self.accepts_features() {
            settings += &format!(", {} features", params.features);
        }
        Dataset { name: self.name().to_string(), source: settings, features, feature_names, target }
    }
}

fn numbered(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn class_names(k: usize) -> Vec<String> {
    (0..k).map(|i| i.to_string()).collect()
}

fn gauss(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample(StandardNormal)
}

/// numpy's `linspace(a, b, n)` (end point included), element `i`.
fn linspace(a: f64, b: f64, n: usize, i: usize) -> f64 {
    if n <= 1 { a } else { a + (b - a) * i as f64 / (n - 1) as f64 }
}

/// Class sizes as even as possible, the first classes taking the remainder.
fn class_sizes(n: usize, k: usize) -> Vec<usize> {
    (0..k).map(|c| n / k + usize::from(c < n % k)).collect()
}

/// Points given per class by `point(class, i, count)`, with Gaussian jitter.
fn by_class(
    n: usize,
    k: usize,
    noise: f64,
    rng: &mut ChaCha8Rng,
    mut point: impl FnMut(usize, usize, usize, &mut ChaCha8Rng) -> [f64; 2],
) -> (Array2<f64>, Target) {
    let mut x = Array2::zeros((n, 2));
    let mut ids = Vec::with_capacity(n);
    let mut row = 0;
    for (c, count) in class_sizes(n, k).into_iter().enumerate() {
        for i in 0..count {
            let p = point(c, i, count, rng);
            x[[row, 0]] = p[0] + noise * gauss(rng);
            x[[row, 1]] = p[1] + noise * gauss(rng);
            ids.push(c);
            row += 1;
        }
    }
    (x, Target::Classes { ids, names: class_names(k) })
}

fn moons(n: usize, noise: f64, rng: &mut ChaCha8Rng) -> (Array2<f64>, Target) {
    // scikit-learn puts n/2 (rounded down) in the outer moon; class_sizes puts the
    // remainder first, which only differs for odd n.
    by_class(n, 2, noise, rng, |c, i, count, _| {
        let t = linspace(0.0, PI, count, i);
        if c == 0 { [t.cos(), t.sin()] } else { [1.0 - t.cos(), 0.5 - t.sin()] }
    })
}

fn circles(n: usize, noise: f64, rng: &mut ChaCha8Rng) -> (Array2<f64>, Target) {
    by_class(n, 2, noise, rng, |c, i, count, _| {
        let t = 2.0 * PI * i as f64 / count as f64;
        let r = if c == 0 { 1.0 } else { 0.5 };
        [r * t.cos(), r * t.sin()]
    })
}

fn spirals(n: usize, k: usize, noise: f64, rng: &mut ChaCha8Rng) -> (Array2<f64>, Target) {
    // CS231n: radius 0..1 and angle over 4 radians plus jitter; the jitter is on
    // the angle, so the generic coordinate jitter of `by_class` is off.
    by_class(n, k, 0.0, rng, |c, i, count, rng| {
        let r = linspace(0.0, 1.0, count, i);
        let t = 2.0 * PI * c as f64 / k as f64 + 4.0 * r + noise * gauss(rng);
        [r * t.sin(), r * t.cos()]
    })
}

fn xor(n: usize, noise: f64, rng: &mut ChaCha8Rng) -> (Array2<f64>, Target) {
    // Uniform within alternating quadrants of each class, so that classes and
    // quadrants are balanced: class 0 in (+,+) and (−,−), class 1 in (+,−) and (−,+).
    by_class(n, 2, noise, rng, |c, i, _, rng| {
        let sx = if i % 2 == 0 { 1.0 } else { -1.0 };
        let sy = if c == 0 { sx } else { -sx };
        [sx * rng.random::<f64>(), sy * rng.random::<f64>()]
    })
}

fn blobs(n: usize, k: usize, d: usize, noise: f64, rng: &mut ChaCha8Rng) -> (Array2<f64>, Target) {
    let centres = Array2::from_shape_fn((k, d), |_| rng.random_range(-10.0..10.0));
    let mut x = Array2::zeros((n, d));
    let mut ids = Vec::with_capacity(n);
    let mut rows = x.rows_mut().into_iter();
    for (c, count) in class_sizes(n, k).into_iter().enumerate() {
        for mut row in rows.by_ref().take(count) {
            for (v, &m) in row.iter_mut().zip(centres.row(c)) {
                *v = m + noise * gauss(rng);
            }
            ids.push(c);
        }
    }
    (x, Target::Classes { ids, names: class_names(k) })
}

fn linear(n: usize, d: usize, noise: f64, rng: &mut ChaCha8Rng) -> (Array2<f64>, Target) {
    let w: Array1<f64> = (0..d).map(|_| gauss(rng)).collect();
    let b = gauss(rng);
    let x = Array2::from_shape_fn((n, d), |_| gauss(rng));
    let mut y = x.dot(&w) + b;
    y.mapv_inplace(|v| v + noise * gauss(rng));
    (x, Target::Regression(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn make(kind: SyntheticKind, p: SyntheticParams, seed: u64) -> Dataset {
        kind.generate(&p, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    #[test]
    fn every_generator_has_the_requested_shape() {
        for kind in SyntheticKind::ALL {
            let p = kind.params(Some(101), None, None, None).unwrap();
            let d = make(kind, p, 1);
            assert_eq!(d.len(), 101, "{kind:?}");
            assert_eq!(d.n_features(), p.features, "{kind:?}");
            assert_eq!(d.n_classes(), p.classes, "{kind:?}");
            assert!(d.features.iter().all(|v| v.is_finite()));
            if let Some(counts) = d.class_counts() {
                let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
                assert!(hi - lo <= 1, "{kind:?}: {counts:?}");
            }
        }
    }

    #[test]
    fn blobs_take_classes_and_features() {
        let p = SyntheticKind::Blobs.params(Some(70), Some(0.5), Some(7), Some(9)).unwrap();
        let d = make(SyntheticKind::Blobs, p, 3);
        assert_eq!((d.len(), d.n_features(), d.n_classes()), (70, 9, Some(7)));
        assert_eq!(d.class_counts().unwrap(), vec![10; 7]);
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let p = SyntheticKind::Spirals.defaults();
        assert_eq!(make(SyntheticKind::Spirals, p, 5), make(SyntheticKind::Spirals, p, 5));
        assert_ne!(make(SyntheticKind::Spirals, p, 5).features, make(SyntheticKind::Spirals, p, 6).features);
    }

    #[test]
    fn noiseless_shapes_are_exact() {
        let p = SyntheticParams { noise: 0.0, ..SyntheticKind::Circles.defaults() };
        let d = make(SyntheticKind::Circles, p, 0);
        let Target::Classes { ids, .. } = &d.target else { panic!("circles are classes") };
        for (row, &c) in d.features.rows().into_iter().zip(ids) {
            let r = row.dot(&row).sqrt();
            assert!((r - if c == 0 { 1.0 } else { 0.5 }).abs() < 1e-12);
        }
        let p = SyntheticParams { noise: 0.0, ..SyntheticKind::Xor.defaults() };
        let d = make(SyntheticKind::Xor, p, 0);
        let Target::Classes { ids, .. } = &d.target else { panic!("xor is classes") };
        for (row, &c) in d.features.rows().into_iter().zip(ids) {
            assert_eq!(c == 1, row[0] * row[1] < 0.0);
        }
    }

    #[test]
    fn linear_target_is_a_linear_function_without_noise() {
        let p = SyntheticParams { noise: 0.0, ..SyntheticKind::Linear.defaults() };
        let d = make(SyntheticKind::Linear, p, 9);
        let Target::Regression(y) = &d.target else { panic!("linear is regression") };
        // Least squares over all points (with a bias column) leaves no residual.
        let x = &d.features;
        let a = ndarray::concatenate(ndarray::Axis(1), &[x.view(), Array2::ones((x.nrows(), 1)).view()]).unwrap();
        let ata = a.t().dot(&a);
        let aty = a.t().dot(y);
        let coef = solve(ata, aty);
        let residual = (&a.dot(&coef) - y).mapv(f64::abs).fold(0.0_f64, |m, &v| m.max(v));
        assert!(residual < 1e-9, "{residual}");
    }

    fn solve(mut a: Array2<f64>, mut b: Array1<f64>) -> Array1<f64> {
        let n = b.len();
        for i in 0..n {
            let p = (i..n).max_by(|&r, &s| a[[r, i]].abs().total_cmp(&a[[s, i]].abs())).unwrap();
            for j in 0..n {
                a.swap([i, j], [p, j]);
            }
            b.swap(i, p);
            for r in i + 1..n {
                let f = a[[r, i]] / a[[i, i]];
                for j in i..n {
                    a[[r, j]] -= f * a[[i, j]];
                }
                b[r] -= f * b[i];
            }
        }
        let mut x = Array1::zeros(n);
        for i in (0..n).rev() {
            let s: f64 = (i + 1..n).map(|j| a[[i, j]] * x[j]).sum();
            x[i] = (b[i] - s) / a[[i, i]];
        }
        x
    }

    #[test]
    fn settings_that_do_not_apply_name_their_key() {
        let e = SyntheticKind::Moons.params(None, None, Some(3), None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`dataset.classes`: `moons` always has 2 classes; `classes` applies to blobs and spirals"
        );
        let e = SyntheticKind::Spirals.params(None, None, None, Some(3)).unwrap_err();
        assert_eq!(e.key(), Some("dataset.features"));
        let e = SyntheticKind::Blobs.params(Some(5), None, Some(3), None).unwrap_err();
        assert_eq!(e.to_string(), "`dataset.samples`: must be in 6..=5000000 (two per class for 3 classes), got 5");
        let e = SyntheticKind::Linear.params(None, Some(-1.0), None, None).unwrap_err();
        assert_eq!(e.key(), Some("dataset.noise"));
        let e = SyntheticKind::Blobs.params(None, None, Some(1), None).unwrap_err();
        assert_eq!(e.key(), Some("dataset.classes"));
    }
}
