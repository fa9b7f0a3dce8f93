//! Latent factor model trained by SGD on implicit feedback: every interaction is a positive (target 1)
//! and each positive brings `negatives` sampled non-interacted items (target 0), resampled every
//! epoch, as the reference LFM does. Prediction is the plain dot product p_u · q_i, the loss the
//! squared error. Training runs in bounded chunks so a browser worker can report progress and cancel;
//! the chunk size never changes the numbers because the sample order is fixed per epoch.

use ndarray::{Array2, ArrayRef2};
use rand_chacha::ChaCha8Rng;

use crate::params::{Init, NegativeSampling};
use crate::rng::{below, shuffle, unit_f32};

/// Per-user item lists in compressed-sparse-row form, indexed by a local user number.
#[derive(Clone, Debug, Default)]
pub struct Interactions {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Interactions {
    /// From sorted item lists, one per local user.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a [u32]>) -> Self {
        let mut offsets = vec![0u32];
        let mut items = Vec::new();
        for r in rows {
            debug_assert!(r.windows(2).all(|w| w[0] < w[1]), "rows must be sorted");
            items.extend_from_slice(r);
            offsets.push(items.len() as u32);
        }
        Interactions { offsets, items }
    }

    pub fn n_users(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn row(&self, u: usize) -> &[u32] {
        &self.items[self.offsets[u] as usize..self.offsets[u + 1] as usize]
    }

    /// Every item occurrence: drawing uniformly from it draws items by popularity.
    pub fn all_items(&self) -> &[u32] {
        &self.items
    }

    /// How often each of `n_items` items occurs.
    pub fn item_counts(&self, n_items: usize) -> Vec<u32> {
        let mut c = vec![0u32; n_items];
        for &i in &self.items {
            c[i as usize] += 1;
        }
        c
    }
}

/// Hyper-parameters of one SGD training.
#[derive(Clone, Copy, Debug)]
pub struct SgdParams {
    pub lr: f32,
    pub reg: f32,
    pub epochs: u32,
    pub negatives: u32,
    pub sampling: NegativeSampling,
}

/// Small positive random factors, U[0, 1)/√k as in the reference LFM (the attacker's item-vector
/// factorisation always starts so; the recommenders follow the config's `init`).
pub fn init_factors(rng: &mut ChaCha8Rng, rows: usize, k: usize) -> Array2<f32> {
    init_factors_as(rng, rows, k, Init::Positive)
}

/// `rows` × `k` random factors drawn as `init` says: U[0, 1)/√k (`positive`) or U[−0.5, 0.5)/√k
/// (`centred`). Both draw one `u32` per value, so they consume the stream alike.
pub fn init_factors_as(rng: &mut ChaCha8Rng, rows: usize, k: usize, init: Init) -> Array2<f32> {
    let mut m = Array2::<f32>::zeros((rows, k));
    let flat = m.as_slice_mut().expect("fresh array");
    for row in flat.chunks_exact_mut(k.max(1)) {
        fill_row(rng, row, k, init);
    }
    m
}

/// Fills `row` with factors for latent dimension `k` drawn as `init` says (see `init_factors_as`).
/// One row per call: a browser keeps a single long-running call in its slow baseline tier, while
/// many short calls move to optimised code after the first few.
#[inline(never)]
pub fn fill_row(rng: &mut ChaCha8Rng, row: &mut [f32], k: usize, init: Init) {
    let scale = 1.0 / (k as f32).sqrt();
    let shift = match init {
        Init::Positive => 0.0,
        Init::Centred => 0.5,
    };
    for v in row {
        *v = (unit_f32(rng) - shift) * scale;
    }
}

/// Dot product with sixteen fixed partial sums (blocks of 16, then of 4, then single elements):
/// fast, since it vectorises and short dependency chains hide add latency, and the same summation
/// order on every platform, so native and wasm agree to the bit.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 16];
    let mut ca = a.chunks_exact(16);
    let mut cb = b.chunks_exact(16);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for j in 0..16 {
            acc[j] += x[j] * y[j];
        }
    }
    let mut qa = ca.remainder().chunks_exact(4);
    let mut qb = cb.remainder().chunks_exact(4);
    for (x, y) in (&mut qa).zip(&mut qb) {
        for j in 0..4 {
            acc[j] += x[j] * y[j];
        }
    }
    let mut lanes = [0.0f32; 4];
    for (j, l) in lanes.iter_mut().enumerate() {
        *l = (acc[j] + acc[j + 4]) + (acc[j + 8] + acc[j + 12]);
    }
    let mut s = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
    for (x, y) in qa.remainder().iter().zip(qb.remainder()) {
        s += x * y;
    }
    s
}

/// One SGD pass over `samples` (local user, item, target). Returns the summed squared error.
/// With `update_items` false the item factors stay frozen (fold-in of new users).
#[inline(never)]
pub fn sgd_chunk(
    users: &mut ArrayRef2<f32>,
    items: &mut ArrayRef2<f32>,
    samples: &[(u32, u32, f32)],
    lr: f32,
    reg: f32,
    update_items: bool,
) -> f64 {
    let k = users.ncols();
    let us = users.as_slice_mut().expect("standard layout");
    let is = items.as_slice_mut().expect("standard layout");
    // p += lr(e q − reg p) rewritten as p·(1 − lr·reg) + (lr·e)·q: three operations per element.
    let decay = 1.0 - lr * reg;
    let mut loss = 0.0f64;
    for &(u, i, r) in samples {
        let p = &mut us[u as usize * k..(u as usize + 1) * k];
        let q = &mut is[i as usize * k..(i as usize + 1) * k];
        let e = r - dot(p, q);
        loss += f64::from(e * e);
        let g = lr * e;
        if update_items {
            for (pf, qf) in p.iter_mut().zip(q.iter_mut()) {
                let (a, b) = (*pf, *qf);
                *pf = decay * a + g * b;
                *qf = decay * b + g * a;
            }
        } else {
            for (pf, &b) in p.iter_mut().zip(q.iter()) {
                *pf = decay * *pf + g * b;
            }
        }
    }
    loss
}

/// Draws negatives for implicit feedback: by popularity (from every item occurrence) or uniformly
/// over the items the model knows; never an item the user interacted with.
#[derive(Clone, Debug)]
pub struct NegativeSampler {
    pool: Vec<u32>,
}

impl NegativeSampler {
    pub fn new(sampling: NegativeSampling, training: &Interactions, known_items: &[u32]) -> Self {
        let pool = match sampling {
            NegativeSampling::Popularity => training.all_items().to_vec(),
            NegativeSampling::Uniform => known_items.to_vec(),
        };
        NegativeSampler { pool }
    }

    /// A negative for a user whose items are marked in `marked` (a bitset over item indices);
    /// `None` after 16 rejected draws.
    #[inline]
    pub fn draw(&self, rng: &mut ChaCha8Rng, marked: &[u64]) -> Option<u32> {
        if self.pool.is_empty() {
            return None;
        }
        for _ in 0..16 {
            let i = self.pool[below(rng, self.pool.len())];
            if marked[i as usize / 64] & (1 << (i % 64)) == 0 {
                return Some(i);
            }
        }
        None
    }

    /// Items the pool can return, plus one: the size a bitset for `draw` needs.
    pub fn item_bound(&self) -> usize {
        self.pool.iter().max().map_or(0, |&m| m as usize + 1)
    }
}

/// Resumable SGD training: call `step` until it returns true.
#[derive(Clone, Debug)]
pub struct SgdTrainer {
    params: SgdParams,
    sampler: NegativeSampler,
    rng: ChaCha8Rng,
    update_items: bool,
    samples: Vec<(u32, u32, f32)>,
    pos: usize,
    epoch: u32,
    loss_sum: f64,
    /// Mean squared error of the last finished epoch.
    pub last_loss: Option<f64>,
}

impl SgdTrainer {
    pub fn new(
        params: SgdParams,
        sampler: NegativeSampler,
        rng: ChaCha8Rng,
        update_items: bool,
    ) -> Self {
        SgdTrainer {
            params,
            sampler,
            rng,
            update_items,
            samples: Vec::new(),
            pos: 0,
            epoch: 0,
            loss_sum: 0.0,
            last_loss: None,
        }
    }

    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// "epoch e/E" for progress messages.
    pub fn status(&self) -> String {
        format!(
            "epoch {}/{}",
            self.epoch.min(self.params.epochs),
            self.params.epochs
        )
    }

    pub fn done(&self) -> bool {
        self.epoch >= self.params.epochs
    }

    /// Share of the whole training done.
    pub fn fraction(&self) -> f64 {
        let within = if self.samples.is_empty() {
            0.0
        } else {
            self.pos as f64 / self.samples.len() as f64
        };
        ((f64::from(self.epoch) + within) / f64::from(self.params.epochs)).min(1.0)
    }

    /// Users in a fresh random order, each user's positives and negatives shuffled together: the
    /// reference LFM also visits user by user, and a user's row stays in cache.
    fn build_epoch(&mut self, data: &Interactions) {
        self.samples.clear();
        // At most one positive and `negatives` negatives per interaction: reserve that once rather
        // than let the vector double (up to 2 × 12 bytes per sample held for the whole training).
        let most = data.all_items().len() * (1 + self.params.negatives as usize);
        self.samples.reserve_exact(most);
        let mut order: Vec<u32> = (0..data.n_users() as u32).collect();
        shuffle(&mut self.rng, &mut order);
        let bound = data.all_items().iter().max().map_or(0, |&m| m as usize + 1);
        let mut marked = vec![0u64; bound.max(self.sampler.item_bound()).div_ceil(64)];
        for u in order {
            let row = data.row(u as usize);
            for &i in row {
                marked[i as usize / 64] |= 1 << (i % 64);
            }
            let start = self.samples.len();
            for &i in row {
                self.samples.push((u, i, 1.0));
                for _ in 0..self.params.negatives {
                    if let Some(j) = self.sampler.draw(&mut self.rng, &marked) {
                        self.samples.push((u, j, 0.0));
                    }
                }
            }
            for &i in row {
                marked[i as usize / 64] = 0;
            }
            shuffle(&mut self.rng, &mut self.samples[start..]);
        }
        self.pos = 0;
        self.loss_sum = 0.0;
    }

    /// Processes at most `budget` samples; returns true once every epoch is done.
    pub fn step(
        &mut self,
        data: &Interactions,
        users: &mut ArrayRef2<f32>,
        items: &mut ArrayRef2<f32>,
        budget: usize,
    ) -> bool {
        if self.done() {
            return true;
        }
        if self.pos == 0 {
            self.build_epoch(data);
        }
        let end = (self.pos + budget.max(1)).min(self.samples.len());
        let p = self.params;
        self.loss_sum += sgd_chunk(
            users,
            items,
            &self.samples[self.pos..end],
            p.lr,
            p.reg,
            self.update_items,
        );
        self.pos = end;
        if self.pos >= self.samples.len() {
            self.last_loss = Some(self.loss_sum / self.samples.len().max(1) as f64);
            self.epoch += 1;
            self.pos = 0;
            if self.done() {
                // The epoch's samples (12 bytes each) are not needed again: free them rather than
                // keep them for the life of the model.
                self.samples = Vec::new();
            } else {
                self.samples.clear();
            }
        }
        self.done()
    }

    /// Runs to the end in one go (tests, native callers that need no progress).
    pub fn run(
        &mut self,
        data: &Interactions,
        users: &mut ArrayRef2<f32>,
        items: &mut ArrayRef2<f32>,
    ) {
        while !self.step(data, users, items, usize::MAX) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    fn toy() -> (Interactions, Vec<u32>) {
        // Two taste groups over 40 items: users 0..20 like items 0..20, users 20..40 like 20..40.
        let mut rng = rng_for(3, Stream::Split);
        let rows: Vec<Vec<u32>> = (0..40u32)
            .map(|u| {
                let base = if u < 20 { 0 } else { 20 };
                let mut r: Vec<u32> = (0..20)
                    .filter(|_| below(&mut rng, 2) == 0)
                    .map(|i| base + i)
                    .collect();
                if r.is_empty() {
                    r.push(base);
                }
                r
            })
            .collect();
        (
            Interactions::from_rows(rows.iter().map(|r| r.as_slice())),
            (0..40).collect(),
        )
    }

    fn params(epochs: u32) -> SgdParams {
        SgdParams {
            lr: 0.05,
            reg: 0.01,
            epochs,
            negatives: 1,
            sampling: NegativeSampling::Uniform,
        }
    }

    #[test]
    fn dot_matches_naive_sum_closely() {
        let a: Vec<f32> = (0..37).map(|i| i as f32 * 0.1).collect();
        let b: Vec<f32> = (0..37).map(|i| 1.0 - i as f32 * 0.01).collect();
        let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - naive).abs() < 1e-3);
    }

    #[test]
    fn loss_decreases_and_model_separates_groups() {
        let (data, known) = toy();
        let mut rng = rng_for(1, Stream::TargetModel);
        let mut users = init_factors(&mut rng, 40, 8);
        let mut items = init_factors(&mut rng, 40, 8);
        let sampler = NegativeSampler::new(NegativeSampling::Uniform, &data, &known);
        let mut t = SgdTrainer::new(params(1), sampler.clone(), rng.clone(), true);
        t.run(&data, &mut users, &mut items);
        let first = t.last_loss.unwrap();
        let mut t = SgdTrainer::new(params(60), sampler, rng, true);
        t.run(&data, &mut users, &mut items);
        let last = t.last_loss.unwrap();
        // The samples are freed once training ends, not kept with the model.
        assert_eq!(t.samples.capacity(), 0);
        assert!(last < first * 0.7, "loss {first} -> {last}");
        // user 0 must score its own group's items above the other group's on average
        let own: f32 = (0..20)
            .map(|i| {
                dot(
                    users.row(0).as_slice().unwrap(),
                    items.row(i).as_slice().unwrap(),
                )
            })
            .sum();
        let other: f32 = (20..40)
            .map(|i| {
                dot(
                    users.row(0).as_slice().unwrap(),
                    items.row(i).as_slice().unwrap(),
                )
            })
            .sum();
        assert!(own > other + 1.0, "own {own} other {other}");
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let (data, known) = toy();
        let run = |budget: usize| {
            let mut rng = rng_for(2, Stream::TargetModel);
            let mut users = init_factors(&mut rng, 40, 8);
            let mut items = init_factors(&mut rng, 40, 8);
            let sampler = NegativeSampler::new(NegativeSampling::Popularity, &data, &known);
            let mut t = SgdTrainer::new(params(5), sampler, rng, true);
            while !t.step(&data, &mut users, &mut items, budget) {}
            (users, items, t.last_loss)
        };
        assert_eq!(run(usize::MAX), run(7));
        // An epoch's samples are reserved once, at their most: one positive and its negatives.
        let mut rng = rng_for(2, Stream::TargetModel);
        let mut users = init_factors(&mut rng, 40, 8);
        let mut items = init_factors(&mut rng, 40, 8);
        let sampler = NegativeSampler::new(NegativeSampling::Uniform, &data, &known);
        let mut t = SgdTrainer::new(params(2), sampler, rng, true);
        t.step(&data, &mut users, &mut items, 7);
        let most = data.all_items().len() * (1 + params(2).negatives as usize);
        assert_eq!(t.samples.capacity(), most);
    }

    #[test]
    fn negatives_are_never_the_users_items() {
        let (data, known) = toy();
        let s = NegativeSampler::new(NegativeSampling::Popularity, &data, &known);
        let mut marked = vec![0u64; s.item_bound().div_ceil(64)];
        for &i in data.row(0) {
            marked[i as usize / 64] |= 1 << (i % 64);
        }
        let mut rng = rng_for(0, Stream::TargetModel);
        let mut drawn = 0;
        for _ in 0..200 {
            if let Some(j) = s.draw(&mut rng, &marked) {
                assert!(data.row(0).binary_search(&j).is_err());
                drawn += 1;
            }
        }
        assert!(drawn > 150, "{drawn}");
    }
}
