//! Bayesian Personalised Ranking (Rendle et al., UAI 2009): matrix factorisation trained on triples
//! (member u, training item i, sampled item j the member never interacted with) to maximise
//! ln σ(x_uij) − reg·‖θ‖²/2 by SGD, where x_uij = p_u·(q_i − q_j) + b_i − b_j. Scores are
//! p_u·q_i + b_i. New users are folded in by the same loss over their history, items frozen.
//!
//! Choices, and why:
//! - An item bias b_i is learnt. It is stored as an extra item column whose user column is the
//!   constant 1 (never updated), so training and `recommend::score_block` share one dot product.
//!   The bias carries the popularity that a uniform negative sampler teaches BPR (a popular item is
//!   a positive often and a negative rarely); see `BIAS` below for what it measured.
//! - Negatives are uniform over the known items, never one of the member's training items
//!   (`NegativeSampler`), whatever `negative_sampling` says (that key is the LFM's).
//! - One epoch is one triple per training interaction. Negatives are drawn member by member (one
//!   bitset of the member's items at a time), then all triples are shuffled together: Rendle et al.
//!   show that visiting user by user converges badly for BPR, random order well. The order is fixed
//!   by the rng and the counts, so chunked training gives the same numbers as unchunked.
//! - With defence `dp-sgd` the item rows (factors and bias) are trained by user-level DP-SGD
//!   (`defence::DpSgdTrainer` with this file's `BprPass`) over every item of the data set, with
//!   negatives drawn from them (`TrainSet::catalogue`), and afterwards every member's row is
//!   fitted again from their own history against the final item rows, as a new user is folded in.
//! - Factors start as `init` says: centred by default (no item starts ahead of another), as BPR
//!   always did here.

use ndarray::Array2;
use rand_chacha::ChaCha8Rng;

use super::factor_model::{FactorModel, FactorSpec};
use super::TrainSet;
use crate::defence::{Local, LocalPass, PlainTrainer};
use crate::mf::{dot, fill_row, Interactions, NegativeSampler};
use crate::params::{Init, NegativeSampling};
use crate::privacy::DpSgdParams;
use crate::rng::shuffle;

/// Whether BPR learns an item bias (an extra factor column against a constant user column). It
/// does: on ml-latest-small (lr 0.05, reg 0.01, 20 epochs) target recall@100 was 1.371×, 1.202×,
/// 1.296× the popularity list's with the bias and 1.345×, 1.156×, 1.257× without (seeds 0, 1, 2).
const BIAS: bool = true;

/// With defence `dp-sgd`, item rows (factors and bias) are projected back onto the ball of this
/// radius after every DP step, for the reason `defence::dp_training::ITEM_NORM_BOUND` gives. Plain
/// BPR's rows are longer than the LFM's: on ml-latest-small (defaults, seeds 0 and 1, target and
/// shadow) the longest was 2.66 and the 99th percentile 2.06–2.16, so the LFM's 1.5 would cut
/// signal; 3 leaves every plainly trained row untouched.
const ITEM_NORM_BOUND: f32 = 3.0;

/// BPR's own parameters (config keys `k`, `init`, `bpr_lr`, `bpr_reg`, `bpr_epochs`, and for defence
/// `dp-sgd` `defence_strength`, `dp_clip`, `dp_sampling_rate`).
#[derive(Clone, Copy, Debug)]
pub struct BprParams {
    pub k: usize,
    /// How user and item factors start (config key `init`).
    pub init: Init,
    pub lr: f32,
    pub reg: f32,
    /// Epochs of training, and of fold-in.
    pub epochs: u32,
    /// DP-SGD settings when the model trains privately.
    pub dp: Option<DpSgdParams>,
}

impl BprParams {
    /// Floats per stored row: k factors, plus the bias column.
    fn width(&self) -> usize {
        self.k + usize::from(BIAS)
    }
}

/// The loss −ln σ(x) = ln(1 + e^(−x)) and its slope σ(−x) = d ln σ(x) / dx, from one `expf` of
/// −|x| (so neither overflows for large |x|; the exp is a tenth of the training time).
#[inline]
fn loss_and_slope(x: f32) -> (f32, f32) {
    let e = libm::expf(-x.abs());
    let ln = libm::log1pf(e);
    if x >= 0.0 {
        (ln, e / (1.0 + e))
    } else {
        (ln - x, 1.0 / (1.0 + e))
    }
}

/// Rows `i` and `j` (i ≠ j) of a row-major matrix of `w` columns, both mutable.
#[inline]
fn two_rows(m: &mut [f32], w: usize, i: usize, j: usize) -> (&mut [f32], &mut [f32]) {
    debug_assert_ne!(i, j);
    if i < j {
        let (a, b) = m.split_at_mut(j * w);
        (&mut a[i * w..(i + 1) * w], &mut b[..w])
    } else {
        let (a, b) = m.split_at_mut(i * w);
        (&mut b[..w], &mut a[j * w..(j + 1) * w])
    }
}

/// One SGD pass over `triples` (u, i, j). Rows are `w` wide; the first `k` columns are factors and
/// a last column, if any, is the bias (constant 1 in user rows). Returns Σ −ln σ(x_uij) before
/// each update. With `update_items` false only user rows change (fold-in).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn bpr_chunk(
    users: &mut [f32],
    items: &mut [f32],
    w: usize,
    k: usize,
    triples: &[(u32, u32, u32)],
    lr: f32,
    reg: f32,
    update_items: bool,
) -> f64 {
    // θ += lr(g·∂x/∂θ − reg·θ) rewritten as θ·(1 − lr·reg) + (lr·g)·∂x/∂θ.
    let decay = 1.0 - lr * reg;
    let mut loss = 0.0f64;
    for &(u, i, j) in triples {
        let p = &mut users[u as usize * w..(u as usize + 1) * w];
        let (qi, qj) = two_rows(items, w, i as usize, j as usize);
        let x = dot(p, qi) - dot(p, qj);
        let (l, slope) = loss_and_slope(x);
        loss += f64::from(l);
        let g = lr * slope;
        if update_items {
            for ((pf, af), bf) in p[..k]
                .iter_mut()
                .zip(qi[..k].iter_mut())
                .zip(qj[..k].iter_mut())
            {
                let (a, b, c) = (*pf, *af, *bf);
                *pf = decay * a + g * (b - c);
                *af = decay * b + g * a;
                *bf = decay * c - g * a;
            }
            if w > k {
                qi[k] = decay * qi[k] + g;
                qj[k] = decay * qj[k] - g;
            }
        } else {
            for ((pf, &b), &c) in p[..k].iter_mut().zip(qi[..k].iter()).zip(qj[..k].iter()) {
                *pf = decay * *pf + g * (b - c);
            }
        }
    }
    loss
}

/// Rows of `w` floats: k factors drawn as `init` says (`mf::fill_row`: centred U[−0.5, 0.5)/√k,
/// so no item starts ahead of another, or positive U[0, 1)/√k), then the bias column, 1 for users
/// (constant) and 0 for items.
fn init_rows(
    rng: &mut ChaCha8Rng,
    rows: usize,
    (k, w): (usize, usize),
    init: Init,
    last: f32,
) -> Array2<f32> {
    let mut m = Array2::<f32>::zeros((rows, w));
    for row in m
        .as_slice_mut()
        .expect("fresh array")
        .chunks_exact_mut(w.max(1))
    {
        fill_row(rng, &mut row[..k], k, init);
        if w > k {
            row[k] = last;
        }
    }
    m
}

/// Resumable BPR training over one set of users: call `step` until it returns true.
#[derive(Clone, Debug)]
pub struct BprTrainer {
    params: BprParams,
    sampler: NegativeSampler,
    rng: ChaCha8Rng,
    update_items: bool,
    triples: Vec<(u32, u32, u32)>,
    pos: usize,
    epoch: u32,
    loss_sum: f64,
    /// Mean −ln σ(x_uij) of the last finished epoch.
    last_loss: Option<f64>,
}

impl BprTrainer {
    fn new(
        params: BprParams,
        sampler: NegativeSampler,
        rng: ChaCha8Rng,
        update_items: bool,
    ) -> Self {
        BprTrainer {
            params,
            sampler,
            rng,
            update_items,
            triples: Vec::new(),
            pos: 0,
            epoch: 0,
            loss_sum: 0.0,
            last_loss: None,
        }
    }

    /// Budget units one triple costs: two dot products and the updates of three rows (one row
    /// when the items are frozen).
    fn triple_cost(&self) -> usize {
        let w = self.params.width().max(1);
        if self.update_items {
            5 * w
        } else {
            3 * w
        }
    }

    /// One triple per interaction; negatives drawn member by member, then one global shuffle.
    fn build_epoch(&mut self, data: &Interactions) {
        self.triples.clear();
        let bound = data.all_items().iter().max().map_or(0, |&m| m as usize + 1);
        let mut marked = vec![0u64; bound.max(self.sampler.item_bound()).div_ceil(64)];
        for u in 0..data.n_users() {
            let row = data.row(u);
            for &i in row {
                marked[i as usize / 64] |= 1 << (i % 64);
            }
            for &i in row {
                if let Some(j) = self.sampler.draw(&mut self.rng, &marked) {
                    self.triples.push((u as u32, i, j));
                }
            }
            for &i in row {
                marked[i as usize / 64] = 0;
            }
        }
        shuffle(&mut self.rng, &mut self.triples);
        self.pos = 0;
        self.loss_sum = 0.0;
    }
}

impl PlainTrainer for BprTrainer {
    /// Trains up to about `budget` units; true once every epoch is done.
    fn step(
        &mut self,
        data: &Interactions,
        users: &mut Array2<f32>,
        items: &mut Array2<f32>,
        budget: usize,
    ) -> bool {
        if self.done() {
            return true;
        }
        if self.pos == 0 {
            self.build_epoch(data);
        }
        let n = (budget / self.triple_cost()).max(1);
        let end = (self.pos + n).min(self.triples.len());
        let p = self.params;
        self.loss_sum += bpr_chunk(
            users.as_slice_mut().expect("standard layout"),
            items.as_slice_mut().expect("standard layout"),
            p.width(),
            p.k,
            &self.triples[self.pos..end],
            p.lr,
            p.reg,
            self.update_items,
        );
        self.pos = end;
        if self.pos >= self.triples.len() {
            self.last_loss = Some(self.loss_sum / self.triples.len().max(1) as f64);
            self.epoch += 1;
            self.pos = 0;
            self.triples.clear();
        }
        self.done()
    }

    fn done(&self) -> bool {
        self.epoch >= self.params.epochs
    }

    fn status(&self) -> String {
        format!(
            "epoch {}/{}",
            self.epoch.min(self.params.epochs),
            self.params.epochs
        )
    }

    fn fraction(&self) -> f64 {
        let within = if self.triples.is_empty() {
            0.0
        } else {
            self.pos as f64 / self.triples.len() as f64
        };
        ((f64::from(self.epoch) + within) / f64::from(self.params.epochs)).min(1.0)
    }

    fn last_loss(&self) -> Option<f64> {
        self.last_loss
    }
}

/// BPR's local pass for user-level DP-SGD (`defence::DpSgdTrainer`): one triple per training
/// interaction of the member with a freshly drawn uniform negative, as an epoch of plain training
/// draws them, shuffled; the member's row learns as in plain BPR and the change plain BPR would
/// make to the rows of i and j (factors and bias), against the step's frozen item rows, is
/// collected for clipping.
pub struct BprPass {
    params: BprParams,
    pairs: Vec<(u32, u32)>,
}

impl LocalPass for BprPass {
    fn sample_cost(&self, w: usize) -> usize {
        5 * w
    }

    fn norm_bound(&self) -> f32 {
        ITEM_NORM_BOUND
    }

    fn run(&mut self, local: &mut Local<'_>, row: &[u32], p: &mut [f32], items: &[f32]) -> usize {
        let (w, k) = (p.len(), self.params.k);
        self.pairs.clear();
        for &i in row {
            if let Some(j) = local.negative() {
                self.pairs.push((i, j));
            }
        }
        local.shuffle(&mut self.pairs);
        let (lr, reg) = (self.params.lr, self.params.reg);
        let decay = 1.0 - lr * reg;
        let shrink = lr * reg;
        for &(i, j) in &self.pairs {
            let qi = &items[i as usize * w..(i as usize + 1) * w];
            let qj = &items[j as usize * w..(j as usize + 1) * w];
            let (l, slope) = loss_and_slope(dot(p, qi) - dot(p, qj));
            *local.loss += f64::from(l);
            let g = lr * slope;
            // Plain BPR moves q_i by g·p − lr·reg·q_i and q_j by −g·p − lr·reg·q_j, the bias
            // column by ±g (the user's constant 1) minus the same decay.
            for (sign, q, item) in [(1.0f32, qi, i), (-1.0, qj, j)] {
                let d = local.change.row(item);
                for f in 0..k {
                    d[f] += sign * g * p[f] - shrink * q[f];
                }
                if w > k {
                    d[k] += sign * g - shrink * q[k];
                }
            }
            for f in 0..k {
                p[f] = decay * p[f] + g * (qi[f] - qj[f]);
            }
        }
        self.pairs.len()
    }
}

/// A trained (or training) BPR model: the shared factor core with BPR's params. Member rows are k
/// factors, then the constant 1 that picks up the item bias; item rows k factors, then the bias
/// (so the one dot product of scoring adds b_i to p_u·q_i).
pub type Bpr = FactorModel<BprParams>;

impl Bpr {
    pub fn new(params: BprParams, train: &TrainSet, rng: ChaCha8Rng) -> Bpr {
        FactorModel::with_params(params, train, rng)
    }
}

/// BPR's part of the factor core: the pairwise loss, uniform negatives, the bias column.
impl FactorSpec for BprParams {
    type Trainer = BprTrainer;
    type Pass = BprPass;
    const HINTS: [&'static str; 2] = [
        "bpr_lr",
        "bpr_lr, or the DP noise σ·C: defence_strength (σ) or dp_clip (C)",
    ];

    fn sampling(&self) -> NegativeSampling {
        NegativeSampling::Uniform
    }

    fn dp(&self) -> Option<DpSgdParams> {
        self.dp
    }

    fn width(&self) -> usize {
        BprParams::width(self)
    }

    fn init_users(&self, rng: &mut ChaCha8Rng, n: usize) -> Array2<f32> {
        init_rows(rng, n, (self.k, BprParams::width(self)), self.init, 1.0)
    }

    fn init_items(&self, rng: &mut ChaCha8Rng, n: usize) -> Array2<f32> {
        init_rows(rng, n, (self.k, BprParams::width(self)), self.init, 0.0)
    }

    fn trainer(&self, sampler: NegativeSampler, rng: ChaCha8Rng, training: bool) -> BprTrainer {
        BprTrainer::new(*self, sampler, rng, training)
    }

    fn pass(&self) -> BprPass {
        BprPass {
            params: *self,
            pairs: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommender::{Recommender, Who};
    use crate::rng::{below, rng_for, Stream};

    /// Two tastes over 40 items: users of group 0 interact with about half of items 0..20, users of
    /// group 1 with about half of items 20..40.
    fn toy(users: u32, seed: u32) -> TrainSet {
        let mut rng = rng_for(seed, Stream::Split);
        let rows: Vec<Vec<u32>> = (0..users)
            .map(|u| {
                let base = if u % 2 == 0 { 0 } else { 20 };
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
        TrainSet::new(
            Interactions::from_rows(rows.iter().map(|r| r.as_slice())),
            40,
        )
    }

    fn params(epochs: u32) -> BprParams {
        BprParams {
            k: 8,
            init: Init::Centred,
            lr: 0.1,
            reg: 0.01,
            epochs,
            dp: None,
        }
    }

    /// Score of item `i` for member `u` (or new user `u` with `Who::NewUser`).
    fn score(m: &Bpr, who: Who, u: usize, i: u32) -> f32 {
        let rows = match who {
            Who::Member => &m.users,
            Who::NewUser => &m.fold.as_ref().expect("fold-in begun").factors,
        };
        dot(
            rows.row(u).as_slice().unwrap(),
            m.items.row(i as usize).as_slice().unwrap(),
        )
    }

    fn run(model: &mut Bpr, train: &TrainSet, budget: usize) {
        while !model.train_step(train, budget) {}
    }

    /// Share of (own item, other item) pairs of `history` vs the rest of 0..40 scored in order.
    fn auc(model: &Bpr, who: Who, u: usize, own: &[u32]) -> f64 {
        let others: Vec<u32> = (0..40).filter(|i| own.binary_search(i).is_err()).collect();
        let mut right = 0usize;
        for &i in own {
            for &j in &others {
                if score(model, who, u, i) > score(model, who, u, j) {
                    right += 1;
                }
            }
        }
        right as f64 / (own.len() * others.len()) as f64
    }

    #[test]
    fn stable_sigmoid_and_loss_have_no_overflow() {
        for x in [-1e30f32, -100.0, -1.0, 0.0, 1.0, 100.0, 1e30] {
            let (l, g) = loss_and_slope(x);
            assert!(l.is_finite() && l >= 0.0, "{x}: {l}");
            assert!(g.is_finite() && (0.0..=1.0).contains(&g), "{x}: {g}");
        }
        let close = |a: f32, b: f32| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
        for x in [-7.5f32, -2.0, -0.3, 0.0, 0.3, 2.0, 7.5] {
            let (l, g) = loss_and_slope(x);
            let s = 1.0 / (1.0 + (-x).exp());
            assert!(close(l, -s.ln()), "loss at {x}: {l} vs {}", -s.ln());
            assert!(close(g, 1.0 - s), "slope at {x}: {g} vs {}", 1.0 - s);
        }
        assert_eq!(loss_and_slope(-50.0).0, 50.0);
        assert!(loss_and_slope(100.0).1 < 1e-30 && loss_and_slope(-100.0).1 == 1.0);
    }

    #[test]
    fn training_ranks_members_own_items_above_the_others_and_loss_falls() {
        let train = toy(40, 3);
        let mut one = Bpr::new(params(1), &train, rng_for(1, Stream::TargetModel));
        run(&mut one, &train, usize::MAX);
        let first = one.final_loss().unwrap();
        let mut m = Bpr::new(params(60), &train, rng_for(1, Stream::TargetModel));
        let before: f64 = (0..40)
            .map(|u| auc(&m, Who::Member, u, train.interactions.row(u)))
            .sum::<f64>()
            / 40.0;
        run(&mut m, &train, usize::MAX);
        let last = m.final_loss().unwrap();
        // ln 2 ≈ 0.693 is the loss of an untrained (random, centred) model.
        assert!(first > 0.6 && last < first * 0.6, "loss {first} -> {last}");
        let after: f64 = (0..40)
            .map(|u| auc(&m, Who::Member, u, train.interactions.row(u)))
            .sum::<f64>()
            / 40.0;
        assert!(before < 0.7, "untrained AUC {before}");
        assert!(after > 0.9, "trained AUC {after}");
    }

    #[test]
    fn loss_decreases_epoch_by_epoch() {
        let train = toy(40, 4);
        let losses: Vec<f64> = [1, 5, 20, 60]
            .iter()
            .map(|&e| {
                let mut m = Bpr::new(params(e), &train, rng_for(2, Stream::TargetModel));
                run(&mut m, &train, usize::MAX);
                m.final_loss().unwrap()
            })
            .collect();
        assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
    }

    #[test]
    fn chunking_does_not_change_the_factors_or_the_fold_in() {
        let train = toy(30, 5);
        let new_users = toy(6, 6).interactions;
        let go = |budget: usize| {
            let mut m = Bpr::new(params(4), &train, rng_for(7, Stream::TargetModel));
            let mut steps = 0;
            while !m.train_step(&train, budget) {
                steps += 1;
            }
            m.begin_fold_in(&train, new_users.clone(), rng_for(7, Stream::TargetFoldIn));
            while !m.fold_in_step(&train, budget) {
                steps += 1;
            }
            let f = m.fold.as_ref().unwrap().factors.clone();
            (m.final_loss(), m.users, m.items, f, steps)
        };
        let (a, b) = (go(1), go(usize::MAX));
        assert!(a.4 > 1000 && b.4 < 10, "steps {} vs {}", a.4, b.4);
        assert_eq!((a.0, a.1, a.2, a.3), (b.0, b.1, b.2, b.3));
    }

    #[test]
    fn folded_in_users_get_their_own_tastes_items_first() {
        let train = toy(40, 8);
        let mut m = Bpr::new(params(60), &train, rng_for(3, Stream::TargetModel));
        run(&mut m, &train, usize::MAX);
        let items_before = m.items.clone();
        // New users 0, 2, 4 have taste 0 and 1, 3, 5 taste 1, with a few items each.
        let new_users = toy(6, 9).interactions;
        m.begin_fold_in(&train, new_users.clone(), rng_for(3, Stream::TargetFoldIn));
        while !m.fold_in_step(&train, 1000) {}
        assert_eq!(m.items, items_before, "fold-in must not move the items");
        let candidates: Vec<u32> = (0..40).collect();
        let mut out = vec![Vec::new(); 6];
        m.score_block(&train, Who::NewUser, 0, &candidates, &mut out);
        for (u, scores) in out.iter().enumerate() {
            let top = crate::recommend::top_n(
                scores.iter().copied().zip(candidates.iter().copied()),
                &[],
                10,
            );
            let base = if u % 2 == 0 { 0 } else { 20 };
            assert!(
                top.iter().all(|&i| (base..base + 20).contains(&i)),
                "new user {u}: {top:?}"
            );
            assert!(auc(&m, Who::NewUser, u, new_users.row(u)) > 0.8);
        }
    }

    #[test]
    fn score_is_the_dot_product_plus_the_item_bias() {
        let train = toy(10, 10);
        let mut m = Bpr::new(params(3), &train, rng_for(4, Stream::TargetModel));
        run(&mut m, &train, usize::MAX);
        let mut out = vec![Vec::new(); 2];
        m.score_block(&train, Who::Member, 3, &[5, 31], &mut out);
        for (b, u) in [3usize, 4].into_iter().enumerate() {
            for (c, i) in [5usize, 31].into_iter().enumerate() {
                let p = m.users.row(u);
                let q = m.items.row(i);
                let mut s: f32 = p.iter().take(8).zip(q.iter()).map(|(a, b)| a * b).sum();
                if BIAS {
                    assert_eq!(p[8], 1.0, "the user's bias column stays 1");
                    s += q[8];
                }
                assert!((out[b][c] - s).abs() < 1e-5, "{} vs {s}", out[b][c]);
            }
        }
    }

    fn dp(noise: f64, clip: f64, steps: u64) -> DpSgdParams {
        DpSgdParams {
            noise_multiplier: noise,
            clip,
            sampling_rate: 0.5,
            steps,
        }
    }

    fn private(epochs: u32, dp: DpSgdParams) -> BprParams {
        BprParams {
            dp: Some(dp),
            ..params(epochs)
        }
    }

    /// Mean over members of the share of (item of their taste they never saw, item of the other
    /// taste) pairs scored in order: what only the shared item rows can teach (a member's own row
    /// can fit their training items even against random item rows).
    fn taste_auc(m: &Bpr, train: &TrainSet) -> f64 {
        let n = train.n_members();
        let mut total = 0.0;
        for u in 0..n {
            let base = if u % 2 == 0 { 0 } else { 20 };
            let row = train.interactions.row(u);
            let unseen: Vec<u32> = (base..base + 20)
                .filter(|i| row.binary_search(i).is_err())
                .collect();
            let other: Vec<u32> = (0..40).filter(|i| !(base..base + 20).contains(i)).collect();
            let mut right = 0usize;
            for &i in &unseen {
                for &j in &other {
                    right += usize::from(score(m, Who::Member, u, i) > score(m, Who::Member, u, j));
                }
            }
            total += right as f64 / (unseen.len() * other.len()).max(1) as f64;
        }
        total / n as f64
    }

    #[test]
    fn dp_clipping_bounds_each_members_change_to_the_item_rows() {
        let train = toy(20, 12);
        // One DP step at q = 1 without noise: the item rows move by exactly the sum of the
        // members' clipped changes.
        let change = |members: &[usize], clip: f64| {
            let rows: Vec<&[u32]> = members.iter().map(|&u| train.interactions.row(u)).collect();
            let mut t = TrainSet::new(Interactions::from_rows(rows), 40);
            // Every item known (DP draws negatives from the whole catalogue anyway).
            t.known = (0..40).collect();
            let p = BprParams {
                lr: 0.5,
                ..private(
                    1,
                    DpSgdParams {
                        sampling_rate: 1.0,
                        ..dp(0.0, clip, 1)
                    },
                )
            };
            let mut m = Bpr::new(p, &t, rng_for(5, Stream::TargetModel));
            let before = m.items.clone();
            // The refit that follows moves only the members' rows.
            run(&mut m, &t, usize::MAX);
            let d: f64 = m
                .items
                .iter()
                .zip(before.iter())
                .map(|(a, b)| f64::from(a - b).powi(2))
                .sum();
            d.sqrt()
        };
        for u in 0..6 {
            let free = change(&[u], 1000.0);
            assert!(free > 0.05, "member {u}'s unclipped change {free}");
            for c in [0.003, 0.02] {
                let got = change(&[u], c);
                assert!(got <= c * 1.001 + 1e-6, "member {u}, C {c}: {got}");
                assert!(got >= c * 0.99, "clipped to the bound, not below: {got}");
            }
        }
        // Several members: at most the sum of their bounds.
        let got = change(&[0, 1, 2, 3], 0.01);
        assert!(got <= 0.04 * 1.001 && got > 0.01, "{got}");
    }

    #[test]
    fn dp_training_with_little_noise_learns_the_tastes_and_with_much_noise_does_not() {
        let train = toy(40, 13);
        let go = |noise: f64| {
            let mut m = Bpr::new(
                private(30, dp(noise, 0.05, 60)),
                &train,
                rng_for(6, Stream::TargetModel),
            );
            run(&mut m, &train, usize::MAX);
            assert!(m.items.iter().chain(m.users.iter()).all(|v| v.is_finite()));
            let (status, loss) = m.status();
            assert!(
                status.contains("DP step 60/60") && status.contains("refitted"),
                "{status}"
            );
            assert!(loss.is_some_and(f64::is_finite));
            taste_auc(&m, &train)
        };
        let (quiet, loud) = (go(0.01), go(16.0));
        assert!(quiet > 0.85, "AUC with little noise {quiet}");
        assert!(loud < 0.65, "AUC with much noise {loud} vs {quiet}");
    }

    #[test]
    fn dp_chunking_does_not_change_the_result() {
        let train = toy(30, 14);
        let go = |budget: usize| {
            let mut m = Bpr::new(
                private(4, dp(1.0, 0.05, 8)),
                &train,
                rng_for(8, Stream::TargetModel),
            );
            let mut steps = 0;
            while !m.train_step(&train, budget) {
                steps += 1;
            }
            (m.final_loss(), m.users, m.items, steps)
        };
        let (a, b) = (go(7), go(usize::MAX));
        assert!(a.3 > 200 && b.3 < 20, "steps {} vs {}", a.3, b.3);
        assert_eq!((a.0, a.1, a.2), (b.0, b.1, b.2));
        assert_eq!(
            Bpr::new(
                private(4, dp(1.0, 0.05, 8)),
                &train,
                rng_for(8, Stream::TargetModel)
            )
            .divergence_hint(),
            "bpr_lr, or the DP noise σ·C: defence_strength (σ) or dp_clip (C)"
        );
    }
}
