//! Initial weights. Biases always start at 0.
//!
//! ```text
//! zeros    W = 0                                        (default for linear, logistic, softmax)
//! xavier   W ~ U(−a, a),  a = √(6 / (fan_in + fan_out))  (Glorot & Bengio 2010; torch xavier_uniform_)
//! he       W ~ N(0, 2 / fan_in)                          (He et al. 2015; torch kaiming_normal_, relu)
//! ```
//!
//! An mlp defaults to `he` with relu and `xavier` with tanh or sigmoid. Zeros
//! in an mlp leave every hidden unit identical (they never differ), which is
//! allowed as a demonstration of why initialisation matters.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Init {
    Zeros,
    Xavier,
    He,
}

impl Init {
    pub const ALL: [Init; 3] = [Init::Zeros, Init::Xavier, Init::He];

    pub fn name(self) -> &'static str {
        match self {
            Init::Zeros => "zeros",
            Init::Xavier => "xavier",
            Init::He => "he",
        }
    }

    pub fn from_name(name: &str) -> Option<Init> {
        Init::ALL.into_iter().find(|i| i.name() == name)
    }

    /// Fills the weights of a `fan_in × fan_out` layer.
    pub(crate) fn fill(self, weights: &mut [f64], fan_in: usize, fan_out: usize, rng: &mut ChaCha8Rng) {
        match self {
            Init::Zeros => weights.fill(0.0),
            Init::Xavier => {
                let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
                weights.iter_mut().for_each(|w| *w = rng.random_range(-a..a));
            }
            Init::He => {
                let sd = (2.0 / fan_in as f64).sqrt();
                weights.iter_mut().for_each(|w| *w = sd * rng.sample::<f64, _>(StandardNormal));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn scales_follow_the_fans() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut w = vec![0.0; 200 * 100];
        Init::Xavier.fill(&mut w, 200, 100, &mut rng);
        let a = (6.0_f64 / 300.0).sqrt();
        assert!(w.iter().all(|v| v.abs() < a));
        let var = w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
        assert!((var / (a * a / 3.0) - 1.0).abs() < 0.05, "{var}");
        Init::He.fill(&mut w, 200, 100, &mut rng);
        let var = w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64;
        assert!((var / (2.0 / 200.0) - 1.0).abs() < 0.05, "{var}");
        Init::Zeros.fill(&mut w, 200, 100, &mut rng);
        assert!(w.iter().all(|&v| v == 0.0));
    }
}
