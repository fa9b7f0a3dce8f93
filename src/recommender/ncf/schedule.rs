//! The sample order of `ncf` training and fold-in. Each epoch, every user's positives and
//! `negatives` sampled negatives per positive (uniform over the known items outside the user's
//! items) are shuffled together and cut into chunks of at most `CHUNK` samples; the chunks of all
//! users are shuffled, and `GROUP` consecutive chunks form one batch (one optimiser step). A chunk
//! belongs to one user, so the network's user half is computed once per chunk; a batch mixes
//! users, so the shared weights never follow one user for long. The order depends only on counts
//! and the rng, never on how the work is split into steps.

use std::ops::Range;

use rand_chacha::ChaCha8Rng;

use crate::mf::{Interactions, NegativeSampler};
use crate::rng::shuffle;

/// Samples per chunk (of one user): long enough that the user half of the network, computed once
/// per chunk, costs little per sample.
pub const CHUNK: usize = 32;
/// Chunks per batch: 8 × 32 = 256 samples per optimiser step, NeuMF's batch size.
pub const GROUP: usize = 8;

/// One chunk: a user and its samples' range in `Schedule::samples`.
#[derive(Clone, Copy, Debug)]
pub struct Chunk {
    pub user: u32,
    pub start: u32,
    pub end: u32,
}

/// Resumable epochs of batches.
#[derive(Clone, Debug)]
pub struct Schedule {
    epochs: u32,
    negatives: u32,
    sampler: NegativeSampler,
    rng: ChaCha8Rng,
    epoch: u32,
    /// (item, target) of the current epoch.
    samples: Vec<(u32, f32)>,
    chunks: Vec<Chunk>,
    /// First chunk of the next batch.
    next: usize,
    loss_sum: f64,
    /// Mean loss per sample (BCE plus the L2 terms) of the last finished epoch.
    pub last_loss: Option<f64>,
}

impl Schedule {
    pub fn new(epochs: u32, negatives: u32, sampler: NegativeSampler, rng: ChaCha8Rng) -> Self {
        Schedule {
            epochs,
            negatives,
            sampler,
            rng,
            epoch: 0,
            samples: Vec::new(),
            chunks: Vec::new(),
            next: 0,
            loss_sum: 0.0,
            last_loss: None,
        }
    }

    pub fn done(&self) -> bool {
        self.epoch >= self.epochs
    }

    /// Frees the last epoch's samples and chunks once every epoch is done (17 per positive by
    /// default: ~45 MB on the ML-1M shape); the counters and the last loss stay.
    pub fn release(&mut self) {
        if self.done() {
            self.samples = Vec::new();
            self.chunks = Vec::new();
        }
    }

    /// "epoch e/E" for progress messages.
    pub fn status(&self) -> String {
        format!("epoch {}/{}", self.epoch.min(self.epochs), self.epochs)
    }

    /// Share of all epochs done.
    pub fn fraction(&self) -> f64 {
        let within = if self.chunks.is_empty() {
            0.0
        } else {
            self.next as f64 / self.chunks.len() as f64
        };
        ((f64::from(self.epoch) + within) / f64::from(self.epochs.max(1))).min(1.0)
    }

    fn build_epoch(&mut self, data: &Interactions) {
        self.samples.clear();
        self.chunks.clear();
        let bound = data.all_items().iter().max().map_or(0, |&m| m as usize + 1);
        let mut marked = vec![0u64; bound.max(self.sampler.item_bound()).div_ceil(64)];
        for u in 0..data.n_users() as u32 {
            let row = data.row(u as usize);
            for &i in row {
                marked[i as usize / 64] |= 1 << (i % 64);
            }
            let start = self.samples.len();
            for &i in row {
                self.samples.push((i, 1.0));
                for _ in 0..self.negatives {
                    if let Some(j) = self.sampler.draw(&mut self.rng, &marked) {
                        self.samples.push((j, 0.0));
                    }
                }
            }
            for &i in row {
                marked[i as usize / 64] = 0;
            }
            shuffle(&mut self.rng, &mut self.samples[start..]);
            let end = self.samples.len();
            for s in (start..end).step_by(CHUNK) {
                self.chunks.push(Chunk {
                    user: u,
                    start: s as u32,
                    end: (s + CHUNK).min(end) as u32,
                });
            }
        }
        shuffle(&mut self.rng, &mut self.chunks);
        self.next = 0;
        self.loss_sum = 0.0;
    }

    /// Indices of the chunks of the next batch (building a new epoch when needed), or `None` once
    /// every epoch is done.
    pub fn next_batch(&mut self, data: &Interactions) -> Option<Range<usize>> {
        while !self.done() {
            if self.chunks.is_empty() {
                self.build_epoch(data);
            }
            if self.next < self.chunks.len() {
                return Some(self.next..(self.next + GROUP).min(self.chunks.len()));
            }
            self.finish_epoch();
        }
        None
    }

    pub fn chunk(&self, c: usize) -> Chunk {
        self.chunks[c]
    }

    /// The samples of chunk `c`.
    pub fn samples(&self, c: Chunk) -> &[(u32, f32)] {
        &self.samples[c.start as usize..c.end as usize]
    }

    /// Records the summed loss of the batch `next_batch` returned and moves past it.
    pub fn finish_batch(&mut self, loss: f64) {
        self.loss_sum += loss;
        self.next = (self.next + GROUP).min(self.chunks.len());
        if self.next >= self.chunks.len() {
            self.finish_epoch();
        }
    }

    fn finish_epoch(&mut self) {
        self.last_loss = Some(self.loss_sum / self.samples.len().max(1) as f64);
        self.epoch += 1;
        self.next = 0;
        self.samples.clear();
        self.chunks.clear();
    }
}
