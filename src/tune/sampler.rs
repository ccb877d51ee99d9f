//! Samplers: the point in the unit cube (one coordinate per tuned
//! hyperparameter) that trial `i` of entry `e` tries. The spaces turn it into
//! values.
//!
//! - **sobol** (default): Owen-scrambled Sobol points (`sobol_burley`, Burley
//!   2020), scrambled with a seed drawn from the master seed and the entry.
//!   Quasi-random: the first 2^k points cover every axis-aligned box of volume
//!   2^−k evenly, which is what AlgoPerf's quasi-random search relies on.
//! - **random**: independent uniform points (ChaCha8, seeded per trial).
//! - **grid**: the full grid with as many levels per continuous axis as the
//!   trial count allows (both ends included); a choice contributes all its values.
//! - **tpe**: Tree-structured Parzen Estimators (Bergstra et al. 2011) from the
//!   `tpe` crate, one independent estimator per hyperparameter as Optuna's
//!   default; fitted on the trials done so far, with Sobol points first.
//!
//! Each is a pure function of the master seed, the entry, the trial index and
//! (for TPE) the results it is given, so threads and finishing order never
//! change what is tried.

use super::space::Space;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The `sampler` of the `[tune]` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamplerKind {
    Sobol,
    Random,
    Grid,
    Tpe,
}

impl SamplerKind {
    pub const ALL: [SamplerKind; 4] = [SamplerKind::Sobol, SamplerKind::Random, SamplerKind::Grid, SamplerKind::Tpe];

    pub fn name(self) -> &'static str {
        match self {
            SamplerKind::Sobol => "sobol",
            SamplerKind::Random => "random",
            SamplerKind::Grid => "grid",
            SamplerKind::Tpe => "tpe",
        }
    }

    pub fn from_name(name: &str) -> Option<SamplerKind> {
        SamplerKind::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// The most trials per entry: the length of `sobol_burley`'s sequence.
pub const MAX_TRIALS: usize = 1 << 16;

/// Streams of the per-trial seeds, so samplers never share random numbers.
const STREAM_SOBOL: u64 = 1;
const STREAM_RANDOM: u64 = 2;
const STREAM_TPE: u64 = 3;

/// SplitMix64's finaliser (Steele et al. 2014): a well-mixed 64-bit hash.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seed from the master seed and a path of indices.
pub fn derive_seed(master: u64, path: &[u64]) -> u64 {
    path.iter().fold(mix(master ^ 0x6f70_746c_6162_7475), |h, &p| mix(h ^ mix(p.wrapping_add(0x9e37_79b9_7f4a_7c15))))
}

/// Trial `trial`'s Sobol point for entry `entry`, `dims` coordinates in [0, 1).
pub fn sobol_point(master: u64, entry: usize, trial: usize, dims: usize) -> Vec<f64> {
    let seed = derive_seed(master, &[STREAM_SOBOL, entry as u64]) as u32;
    // MAX_TRIALS bounds trial (checked when the plan is made), and an entry has
    // far fewer than 256 hyperparameters (sobol_burley's dimensions).
    let index = trial.min(MAX_TRIALS - 1) as u32;
    (0..dims)
        .map(|d| {
            // Past 256 dimensions, reseed, as sobol_burley's documentation suggests.
            let (dim, extra) = ((d % 256) as u32, (d / 256) as u32);
            sobol_burley::sample(index, dim, seed.wrapping_add(extra)) as f64
        })
        .collect()
}

/// Trial `trial`'s uniform random point.
pub fn random_point(master: u64, entry: usize, trial: usize, dims: usize) -> Vec<f64> {
    use rand::RngExt;
    let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(master, &[STREAM_RANDOM, entry as u64, trial as u64]));
    (0..dims).map(|_| rng.random::<f64>()).collect()
}

/// Levels per axis of the grid for `trials` trials: every value of each choice,
/// and for the continuous axes the most levels k with k^d · Π choices ≤ trials.
pub fn grid_levels(spaces: &[Space], trials: usize) -> Vec<usize> {
    let fixed: usize = spaces.iter().filter_map(Space::levels).product::<usize>().max(1);
    let continuous = spaces.iter().filter(|s| s.levels().is_none()).count();
    let per_axis = if continuous == 0 {
        1
    } else {
        let room = (trials / fixed).max(1);
        let mut k = (room as f64).powf(1.0 / continuous as f64).floor().max(1.0) as usize;
        // Guard the float root against rounding either way.
        while k > 1 && k.checked_pow(continuous as u32).is_none_or(|p| p > room) {
            k -= 1;
        }
        while (k + 1).checked_pow(continuous as u32).is_some_and(|p| p <= room) {
            k += 1;
        }
        k
    };
    spaces.iter().map(|s| s.levels().unwrap_or(per_axis)).collect()
}

/// How many points the grid for `trials` trials has (at most `trials`, unless
/// the choices alone need more).
pub fn grid_size(spaces: &[Space], trials: usize) -> usize {
    grid_levels(spaces, trials).iter().product::<usize>().max(1)
}

/// Point `trial` of the grid (the last axis varies fastest).
pub fn grid_point(spaces: &[Space], trials: usize, trial: usize) -> Vec<f64> {
    let levels = grid_levels(spaces, trials);
    let mut rest = trial;
    let mut point = vec![0.0; spaces.len()];
    for d in (0..spaces.len()).rev() {
        let k = levels[d];
        let j = rest % k;
        rest /= k;
        point[d] = match spaces[d].levels() {
            // The middle of the choice's slice of [0, 1).
            Some(n) => (j as f64 + 0.5) / n as f64,
            None if k == 1 => 0.5,
            None => j as f64 / (k - 1) as f64,
        };
    }
    point
}

/// TPE's point for trial `trial`, given the trials done so far as (point, cost),
/// cost lower-is-better and +∞ for failures. With no history it falls back to
/// the Sobol point.
pub fn tpe_point(spaces: &[Space], master: u64, entry: usize, trial: usize, history: &[(Vec<f64>, f64)]) -> Vec<f64> {
    if history.is_empty() {
        return sobol_point(master, entry, trial, spaces.len());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(master, &[STREAM_TPE, entry as u64, trial as u64]));
    let below_one = |u: f64| u.clamp(0.0, 1.0 - 1e-12);
    spaces
        .iter()
        .enumerate()
        .map(|(d, space)| match space.levels() {
            Some(n) => {
                // A non-empty categorical range: n >= 1 (checked with the space).
                let range = tpe::categorical_range(n).unwrap_or_else(|_| unreachable!("choice has values"));
                let mut optimizer = tpe::TpeOptimizer::new(tpe::histogram_estimator(), range);
                for (point, cost) in history {
                    let index = ((point[d] * n as f64) as usize).min(n - 1);
                    // Costs are never NaN and indices are in range, so tell cannot fail.
                    let _ = optimizer.tell(index as f64, *cost);
                }
                match optimizer.ask(&mut rng) {
                    Ok(index) => (index.floor() + 0.5) / n as f64,
                    Err(_) => sobol_point(master, entry, trial, spaces.len())[d],
                }
            }
            None => {
                let range = tpe::range(0.0, 1.0).unwrap_or_else(|_| unreachable!("[0, 1) is a valid range"));
                let mut optimizer = tpe::TpeOptimizer::new(tpe::parzen_estimator(), range);
                for (point, cost) in history {
                    let _ = optimizer.tell(below_one(point[d]), *cost);
                }
                match optimizer.ask(&mut rng) {
                    Ok(u) => below_one(u),
                    Err(_) => sobol_point(master, entry, trial, spaces.len())[d],
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Hyper;

    #[test]
    fn sobol_points_are_stratified_and_differ_between_entries() {
        let points: Vec<f64> = (0..64).map(|i| sobol_point(7, 0, i, 1)[0]).collect();
        // Scrambled Sobol: each of the 64 cells [k/64, (k+1)/64) holds one point.
        let mut cells: Vec<usize> = points.iter().map(|u| (u * 64.0) as usize).collect();
        cells.sort();
        assert_eq!(cells, (0..64).collect::<Vec<_>>());
        assert_ne!(sobol_point(7, 0, 3, 2), sobol_point(7, 1, 3, 2));
        assert_ne!(sobol_point(7, 0, 3, 2), sobol_point(8, 0, 3, 2));
        assert_eq!(sobol_point(7, 0, 3, 2), sobol_point(7, 0, 3, 2));
    }

    #[test]
    fn random_points_depend_only_on_seed_entry_and_trial() {
        assert_eq!(random_point(1, 2, 3, 4), random_point(1, 2, 3, 4));
        assert_ne!(random_point(1, 2, 3, 4), random_point(1, 2, 4, 4));
        assert!(random_point(1, 2, 3, 4).iter().all(|u| (0.0..1.0).contains(u)));
    }

    #[test]
    fn grids_fill_the_trials_with_whole_levels() {
        let log = Space::Log { low: 1e-3, high: 1.0 };
        let choice = Space::Choice(vec![Hyper::Bool(false), Hyper::Bool(true)]);
        assert_eq!(grid_levels(std::slice::from_ref(&log), 36), [36]);
        assert_eq!(grid_levels(&[log.clone(), log.clone()], 50), [7, 7]);
        assert_eq!(grid_levels(&[log.clone(), choice.clone()], 50), [25, 2]);
        assert_eq!(grid_size(&[log.clone(), log.clone(), log.clone()], 64), 64);
        let ends: Vec<f64> = [0, 35].iter().map(|&i| grid_point(std::slice::from_ref(&log), 36, i)[0]).collect();
        assert_eq!(ends, [0.0, 1.0]);
        let all: Vec<Vec<f64>> = (0..4).map(|i| grid_point(&[log.clone(), choice.clone()], 4, i)).collect();
        assert_eq!(all, [vec![0.0, 0.25], vec![0.0, 0.75], vec![1.0, 0.25], vec![1.0, 0.75]]);
    }

    #[test]
    fn tpe_concentrates_where_the_costs_are_low() {
        let spaces = [Space::Uniform { low: 0.0, high: 1.0 }];
        let mut history: Vec<(Vec<f64>, f64)> = Vec::new();
        for i in 0..16 {
            let p = sobol_point(0, 0, i, 1);
            history.push((p.clone(), (p[0] - 0.3).powi(2)));
        }
        for i in 16..60 {
            let p = tpe_point(&spaces, 0, 0, i, &history);
            history.push((p.clone(), (p[0] - 0.3).powi(2)));
        }
        let late: Vec<f64> = history[40..].iter().map(|(p, _)| p[0]).collect();
        let near = late.iter().filter(|u| (*u - 0.3).abs() < 0.1).count();
        assert!(near * 2 > late.len(), "TPE should sample near 0.3 most of the time: {late:?}");
        assert_eq!(tpe_point(&spaces, 0, 0, 60, &history), tpe_point(&spaces, 0, 0, 60, &history));
    }
}
