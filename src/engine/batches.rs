//! Minibatches drawn epoch by epoch without replacement.
//!
//! Each epoch is a fresh permutation of the training indices, cut into
//! consecutive batches; the last batch of an epoch may be smaller (as a
//! PyTorch `DataLoader` with `drop_last=False`). The order depends only on the
//! run's seed and the batch size, so runs that share both see the same batches.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The stream of the run's seed that minibatch order draws from.
const MINIBATCH_STREAM: u64 = 10;

#[derive(Clone, Debug)]
pub struct Minibatches {
    order: Vec<usize>,
    batch_size: usize,
    /// Position of the next batch in `order`.
    cursor: usize,
    rng: ChaCha8Rng,
}

impl Minibatches {
    /// Batches of `batch_size` (clamped to `1..=n`) over `n` samples.
    pub fn new(n: usize, batch_size: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(MINIBATCH_STREAM);
        let order: Vec<usize> = (0..n).collect();
        Minibatches { order, batch_size: batch_size.clamp(1, n.max(1)), cursor: n, rng }
    }

    /// Updates per pass over the training set.
    pub fn batches_per_epoch(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The indices of the next batch.
    pub fn next_batch(&mut self) -> &[usize] {
        if self.cursor >= self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
        }
        let start = self.cursor;
        let end = (start + self.batch_size).min(self.order.len());
        self.cursor = end;
        &self.order[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_visits_every_sample_once() {
        let mut b = Minibatches::new(10, 3, 7);
        assert_eq!(b.batches_per_epoch(), 4);
        let mut seen: Vec<usize> = (0..4).flat_map(|_| b.next_batch().to_vec()).collect();
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn same_seed_same_batches_and_epochs_differ() {
        let mut a = Minibatches::new(50, 8, 3);
        let mut b = Minibatches::new(50, 8, 3);
        let ea: Vec<Vec<usize>> = (0..14).map(|_| a.next_batch().to_vec()).collect();
        let eb: Vec<Vec<usize>> = (0..14).map(|_| b.next_batch().to_vec()).collect();
        assert_eq!(ea, eb);
        assert_ne!(ea[0], ea[7], "each epoch is a new permutation");
        let mut c = Minibatches::new(50, 8, 4);
        assert_ne!(ea[0], c.next_batch().to_vec());
    }
}
