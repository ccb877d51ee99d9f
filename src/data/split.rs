//! The train/validation split and feature standardisation.
//!
//! The split is drawn from the master seed, so every run of a scenario sees
//! the same training and validation samples. Classification targets are split
//! per class (stratified, as scikit-learn's `train_test_split(stratify=y)`):
//! each class keeps at least one training sample and the class proportions of
//! both parts match the whole as closely as whole samples allow. Both parts
//! keep the rows in their original order.
//!
//! Standardisation uses the training part's mean and (population) standard
//! deviation only, as scikit-learn's `StandardScaler` fitted on the training
//! split; a constant column is centred to exactly 0 and divided by 1.

use super::{DataError, Dataset, Target};
use ndarray::{Array1, Array2, Zip};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Training and validation parts of a dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    pub train: Dataset,
    /// `None` when `val_fraction` is 0.
    pub validation: Option<Dataset>,
}

/// Splits `data`, `val_fraction` of it (rounded, at least one sample when the
/// fraction is positive) going to validation.
pub fn train_validation_split(data: &Dataset, val_fraction: f64, rng: &mut ChaCha8Rng) -> Result<Split, DataError> {
    check_val_fraction(val_fraction)?;
    let n = data.len();
    if val_fraction == 0.0 {
        return Ok(Split { train: data.clone(), validation: None });
    }
    let n_val = ((val_fraction * n as f64).round() as usize).max(1);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut is_val = vec![false; n];
    match &data.target {
        Target::Regression(_) => order.iter().take(n_val).for_each(|&i| is_val[i] = true),
        Target::Classes { ids, names } => {
            let quotas = stratified_quotas(&data.class_counts().unwrap_or_default(), n_val, val_fraction);
            let mut taken = vec![0; names.len()];
            for &i in &order {
                let c = ids[i];
                if taken[c] < quotas[c] {
                    taken[c] += 1;
                    is_val[i] = true;
                }
            }
        }
    }
    let (val, train): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| is_val[i]);
    if train.is_empty() || val.is_empty() {
        return Err(DataError::config(
            "dataset.val_fraction",
            format!(
                "{val_fraction} of {n} samples leaves {} for training and {} for validation",
                train.len(),
                val.len()
            ),
        ));
    }
    Ok(Split { train: data.select(&train), validation: Some(data.select(&val)) })
}

pub(crate) fn check_val_fraction(val_fraction: f64) -> Result<(), DataError> {
    if (0.0..1.0).contains(&val_fraction) {
        Ok(())
    } else {
        Err(DataError::config("dataset.val_fraction", format!("must be in [0, 1), got {val_fraction}")))
    }
}

/// Validation samples per class: `fraction × count`, rounded by largest
/// remainder to `total`, leaving every class at least one training sample.
fn stratified_quotas(counts: &[usize], total: usize, fraction: f64) -> Vec<usize> {
    let cap = |c: usize| c.saturating_sub(1);
    let exact: Vec<f64> = counts.iter().map(|&c| fraction * c as f64).collect();
    let mut quotas: Vec<usize> = counts.iter().zip(&exact).map(|(&c, &e)| (e.floor() as usize).min(cap(c))).collect();
    let mut by_remainder: Vec<usize> = (0..counts.len()).collect();
    by_remainder
        .sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let mut left = total.saturating_sub(quotas.iter().sum());
    while left > 0 {
        let mut gave = false;
        for &c in &by_remainder {
            if left > 0 && quotas[c] < cap(counts[c]) {
                quotas[c] += 1;
                left -= 1;
                gave = true;
            }
        }
        if !gave {
            break;
        }
    }
    quotas
}

/// Per-feature shift and scale fitted on training features.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    pub mean: Array1<f64>,
    /// The standard deviation, or 1 for a constant column.
    pub scale: Array1<f64>,
}

impl Standardizer {
    pub fn fit(features: &Array2<f64>) -> Standardizer {
        let n = features.nrows().max(1) as f64;
        let d = features.ncols();
        // Row by row, in storage order: columns of a row-major matrix are strided.
        let (mut lo, mut hi) = (Array1::from_elem(d, f64::INFINITY), Array1::from_elem(d, f64::NEG_INFINITY));
        for row in features.rows() {
            Zip::from(&mut lo).and(&mut hi).and(&row).for_each(|lo, hi, &x| {
                *lo = x.min(*lo);
                *hi = x.max(*hi);
            });
        }
        // Sums are taken of values divided by the column's largest magnitude, so
        // that features near ±1e308 cannot overflow them.
        let unit = Zip::from(&lo).and(&hi).map_collect(|&lo, &hi| {
            let m = lo.abs().max(hi.abs());
            if m.is_finite() && m > 0.0 { m } else { 1.0 }
        });
        let mut mean = Array1::<f64>::zeros(d);
        for row in features.rows() {
            Zip::from(&mut mean).and(&row).and(&unit).for_each(|m, &x, &u| *m += x / u);
        }
        mean /= n;
        let mut var = Array1::<f64>::zeros(d);
        for row in features.rows() {
            Zip::from(&mut var).and(&row).and(&mean).and(&unit).for_each(|v, &x, &m, &u| {
                let dx = x / u - m;
                *v += dx * dx;
            });
        }
        let mut mean = mean * &unit;
        let mut scale = Array1::ones(d);
        for j in 0..d {
            if lo[j] == hi[j] {
                // Constant: centring on the value itself gives exact zeros.
                mean[j] = lo[j];
                continue;
            }
            let sd = (var[j] / n).sqrt() * unit[j];
            // Columns constant up to rounding would blow rounding errors up to ±1.
            if sd > 1e-12 * mean[j].abs().max(f64::MIN_POSITIVE) {
                scale[j] = sd;
            }
        }
        Standardizer { mean, scale }
    }

    pub fn apply(&self, features: &mut Array2<f64>) {
        for mut row in features.rows_mut() {
            Zip::from(&mut row).and(&self.mean).and(&self.scale).for_each(|x, &m, &s| {
                let z = (*x - m) / s;
                // x − m overflows only for opposite signs near ±1e308: divide first.
                *x = if z.is_finite() { z } else { *x / s - m / s };
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rand::SeedableRng;

    fn classes(ids: Vec<usize>, k: usize) -> Dataset {
        let n = ids.len();
        Dataset {
            name: "t".into(),
            source: "t".into(),
            features: Array2::from_shape_fn((n, 1), |(i, _)| i as f64),
            feature_names: vec!["i".into()],
            target: Target::Classes { ids, names: (0..k).map(|c| c.to_string()).collect() },
        }
    }

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    #[test]
    fn split_is_stratified_disjoint_and_complete() {
        let ids: Vec<usize> = (0..150).map(|i| i / 50).collect();
        let d = classes(ids, 3);
        let s = train_validation_split(&d, 0.2, &mut rng(4)).unwrap();
        let v = s.validation.unwrap();
        assert_eq!((s.train.len(), v.len()), (120, 30));
        assert_eq!(v.class_counts().unwrap(), vec![10, 10, 10]);
        let mut all: Vec<f64> = s.train.features.iter().chain(v.features.iter()).copied().collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..150).map(|i| i as f64).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_split_other_seed_other_split() {
        let d = classes((0..40).map(|i| i % 2).collect(), 2);
        let a = train_validation_split(&d, 0.25, &mut rng(1)).unwrap();
        assert_eq!(a, train_validation_split(&d, 0.25, &mut rng(1)).unwrap());
        assert_ne!(a, train_validation_split(&d, 0.25, &mut rng(2)).unwrap());
    }

    #[test]
    fn every_class_keeps_a_training_sample() {
        let d = classes(vec![0, 0, 0, 0, 0, 0, 1, 2], 3);
        for seed in 0..20 {
            let s = train_validation_split(&d, 0.5, &mut rng(seed)).unwrap();
            assert!(s.train.class_counts().unwrap().iter().all(|&c| c >= 1));
            assert_eq!(s.validation.unwrap().len(), 4);
        }
    }

    #[test]
    fn zero_fraction_trains_on_everything() {
        let d = classes(vec![0, 1, 0, 1], 2);
        let s = train_validation_split(&d, 0.0, &mut rng(0)).unwrap();
        assert_eq!(s.train, d);
        assert!(s.validation.is_none());
    }

    #[test]
    fn fractions_outside_zero_one_are_rejected() {
        let d = classes(vec![0, 1, 0, 1], 2);
        for f in [1.0, -0.1, f64::NAN] {
            let e = train_validation_split(&d, f, &mut rng(0)).unwrap_err();
            assert_eq!(e.key(), Some("dataset.val_fraction"), "{f}");
        }
        let e = train_validation_split(&classes(vec![0, 1], 2), 0.5, &mut rng(0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`dataset.val_fraction`: 0.5 of 2 samples leaves 2 for training and 0 for validation"
        );
    }

    #[test]
    fn regression_split_takes_the_rounded_fraction() {
        let d = Dataset { target: Target::Regression(Array1::zeros(10)), ..classes(vec![0; 10], 1) };
        let s = train_validation_split(&d, 0.34, &mut rng(0)).unwrap();
        assert_eq!((s.train.len(), s.validation.unwrap().len()), (7, 3));
    }

    #[test]
    fn standardizing_features_near_the_largest_double_cannot_overflow() {
        let mut x = Array2::from_shape_vec((4, 1), vec![1e308, -1e308, 1.7e308, -1.7e308]).unwrap();
        let s = Standardizer::fit(&x);
        assert!(s.mean[0].is_finite() && s.scale[0].is_finite(), "{s:?}");
        s.apply(&mut x);
        assert!(x.iter().all(|v| v.is_finite()), "{x:?}");
        assert!(x.mean().unwrap().abs() < 1e-12);
        assert!((x.mapv(|v| v * v).mean().unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn standardizing_gives_zero_mean_unit_variance_and_leaves_constants_at_zero() {
        let mut x = array![[1.0, 0.1, 5.0], [2.0, 0.1, -5.0], [3.0, 0.1, 5.0], [6.0, 0.1, -5.0]];
        let s = Standardizer::fit(&x);
        s.apply(&mut x);
        assert!(x.iter().all(|v| v.is_finite()));
        assert_eq!(x.column(1), Array1::<f64>::zeros(4));
        for j in [0, 2] {
            let c = x.column(j);
            assert!(c.mean().unwrap().abs() < 1e-15);
            assert!((c.mapv(|v| v * v).mean().unwrap() - 1.0).abs() < 1e-12);
        }
        assert_eq!(s.scale[1], 1.0);
    }

    #[test]
    fn quotas_round_by_largest_remainder() {
        assert_eq!(stratified_quotas(&[50, 50, 50], 30, 0.2), vec![10, 10, 10]);
        assert_eq!(stratified_quotas(&[5, 3, 2], 3, 0.3), vec![1, 1, 1]);
        assert_eq!(stratified_quotas(&[1, 9], 2, 0.2), vec![0, 2]);
    }
}
