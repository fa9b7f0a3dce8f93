//! DP-SGD training of the target's shared item rows (defence `dp-sgd`) for the SGD-trained
//! factor models, lfm and bpr, with the building blocks and accountant of `crate::privacy`.
//!
//! **One example is one member's whole contribution** (user-level DP): each step Poisson-samples
//! members with rate q (`dp_sampling_rate`); each sampled member runs one local SGD pass over their
//! training interactions and freshly drawn negatives (as the model's plain training does),
//! updating their own user row and collecting the change they would make to the item rows; that
//! change is clipped to L2 norm C (`dp_clip`); the clipped changes are summed, N(0, (σC)²) noise
//! (drawn by `defence::gaussian`, a ziggurat) is added to every coordinate of every item's row, and the noisy sum is applied (DP-FedAvg with server learning rate q·n: the noisy
//! average over the expected batch times its size); each item row is then projected back onto a
//! ball (`LocalPass::norm_bound`). Training takes T = ⌈epochs / q⌉ steps (the recommender's
//! epochs: `epochs` for lfm, `bpr_epochs` for bpr), so every member takes part `epochs` times on
//! average.
//!
//! The model-specific part is the local pass (`LocalPass`): the LFM's squared error on positives
//! and negatives (`SquaredErrorPass`, here), BPR's triples (in `recommender::bpr`, which moves the
//! rows of both items of a triple and their bias column). `DpSgdTrainer` does the rest, and
//! `Training` strings plain training, or DP-SGD and the members' refit, together for both models.
//!
//! **What ε covers** (each run's `privacy.covers` says it in one line: `privacy::Coverage`). The
//! item rows (vectors, and BPR's biases) — the only state shared between users — are (ε, δ)-DP
//! with respect to adding or removing one member with all their interactions (the accountant's
//! add-or-remove neighbouring). Everything else that reaches a DP-trained target's lists is public
//! or the user's own (issue 16):
//! - the catalogue: every item of the data set (`TrainSet::catalogue`), known before anyone joins.
//!   Every row is noised at every step, so an item no member has gets a noise-only row. (It used
//!   to be the items of the members' training data: "the list holds a movie only this user rated"
//!   then flagged 71 of 765 members and 0 of 760 non-members at ε ≈ 7.8, protocol fold-in, seeds
//!   0–4; now 48 and 46, Fisher p 0.92, and at ε ≈ 11: 45 and 36, p 0.36. At ε ≈ 20 and 63 the
//!   members' own items still show (39 vs 22, 22 vs 2), as so weak a guarantee allows.
//!   `scripts/unique_item_rule.py` prints the table.)
//! - negatives: drawn uniformly from that catalogue, in training, refit and fold-in (a pool of
//!   members' items would let one member's data change every other member's samples).
//! - user vectors: after training every member's vector is fitted again from their own training
//!   history against the final, frozen item rows — the fold-in a new user gets.
//! - histories: a non-member is folded in from their whole history less the same share a member's
//!   training holds out (drawn from its own stream), not from the items members happen to have;
//!   with `exclude_seen` each user's list leaves out exactly that share.
//!
//! Under protocol `fold-in` every list is therefore the same function of the DP item rows and the
//! user's own data, member or not, and any attack on a user whose history the attacker holds has
//! TPR ≤ e^ε·FPR + δ. Under protocol `popular` the protocol itself tells members (personal lists)
//! from non-members (the popularity list, counted from members' data and not private): ε still
//! covers the item rows but bounds nothing about membership. The utility's popularity baseline is
//! measurement, never served. The one-run audit (`defence::audit`, on by default for dp-sgd runs)
//! puts an empirical lower bound beside ε.
//!
//! δ = 1 / (number of members' training interactions) unless `dp_delta` is set — smaller than
//! 1 / (number of members), the usual bound for user-level examples.
//!
//! Strength s maps to the noise multiplier σ = MAX_NOISE_MULTIPLIER · s (s = 0: no DP at all).

use ndarray::{Array2, ArrayRef2};
use rand_chacha::ChaCha8Rng;

use crate::defence::gaussian::add_noise;
use crate::defence::{DefenceKind, DefenceParams};
use crate::error::{Error, Result};
use crate::mf::{dot, Interactions, NegativeSampler, SgdParams};
use crate::params::{NegativeSampling, Protocol};
use crate::privacy::accountant::sampled_gaussian_epsilon;
use crate::privacy::dp_sgd::poisson_batch_into;
use crate::privacy::{Coverage, DpSgdParams, PrivacySpent};
use crate::recommender::{RecommenderKind, TrainSet};
use crate::rng::shuffle;

/// σ at strength 1: with the defaults on ml-latest-small (153 target members, q = 0.5) it gives
/// ε ≈ 7.8 for lfm (80 epochs, 160 steps) and ε ≈ 3.5 for bpr (20 epochs, 40 steps) at
/// δ ≈ 5.7e-5 (seed 0).
pub const MAX_NOISE_MULTIPLIER: f64 = 4.0;
/// The LFM's C when `dp_clip` is 0 (the default): the bound on one member's change to the item
/// vectors in one step. Measured on ml-latest-small (seed 0): recall@100 at σ = 1, 2, 4 is 0.215,
/// 0.141, 0.072 with C = 0.01, against 0.141, 0.067, 0.027 with C = 0.05 (most changes are
/// clipped at 0.01, which biases the model toward popular items but keeps the noise σ·C small).
pub const LFM_DP_CLIP: f64 = 0.01;
/// BPR's C when `dp_clip` is 0. Measured on ml-latest-small (protocol fold-in, other keys at
/// default), mean target recall@100 over seeds 0–2 at strength 0.25, 0.5, 1 (σ = 1, 2, 4):
/// C = 0.001: 0.127, 0.098, 0.054; C = 0.003: 0.183, 0.118, 0.045; C = 0.01: 0.178, 0.081, 0.031
/// (0.003 beat 0.01 on all nine seed × strength pairs; the LFM's 0.01 costs BPR a third of its
/// recall at σ = 2). A BPR member's change moves the rows of their positives and of as many
/// negatives, and the bias column, so it is longer than an LFM member's for the same signal.
pub const BPR_DP_CLIP: f64 = 0.003;
/// Default `dp_sampling_rate`: q.
pub const DEFAULT_DP_SAMPLING_RATE: f64 = 0.5;

/// Item vectors are projected back onto the ball of this radius after every step. Noise makes
/// the vectors of rarely seen items grow without bound (a random walk), which would both rank
/// them above everything and make the local SGD passes diverge; the projection is
/// post-processing of the private sum, so it costs no privacy. Plain training keeps every item
/// vector below 1.34 on ml-latest-small (seed 0), so signal-bearing vectors are untouched.
pub const ITEM_NORM_BOUND: f32 = 1.5;

/// Budget units of one local sample (a dot product and two k-vector updates).
const SAMPLE_COST: usize = 3;
/// Budget units per coordinate of the noise pass (one ziggurat draw).
const NOISE_COST: usize = 2;

/// σ at `strength`.
pub fn noise_multiplier(strength: f64) -> f64 {
    MAX_NOISE_MULTIPLIER * strength
}

/// The DP-SGD settings of `p`'s target, or `None` when it trains without DP (another defence,
/// or strength 0).
pub fn dp_params(p: &DefenceParams) -> Option<DpSgdParams> {
    if p.kind != DefenceKind::DpSgd || p.strength == 0.0 {
        return None;
    }
    let q = p.dp_sampling_rate;
    // Each member takes part in as many local passes, on average, as the recommender's epochs.
    let (epochs, own_clip) = match p.recommender {
        RecommenderKind::Bpr => (p.bpr_epochs, BPR_DP_CLIP),
        _ => (p.lfm_epochs, LFM_DP_CLIP),
    };
    Some(DpSgdParams {
        noise_multiplier: noise_multiplier(p.strength),
        clip: if p.dp_clip == 0.0 {
            own_clip
        } else {
            p.dp_clip
        },
        sampling_rate: q,
        steps: libm::ceil(f64::from(epochs) / q - 1e-9).max(1.0) as u64,
    })
}

/// δ: `dp_delta`, or 1 / (members' training interactions) when it is 0.
pub fn delta_for(p: &DefenceParams, member_interactions: usize) -> f64 {
    if p.dp_delta == 0.0 {
        1.0 / member_interactions.max(2) as f64
    } else {
        p.dp_delta
    }
}

/// The privacy the target's training spends (`None` without DP); an ε that is not finite is a
/// config error naming `defence_strength`.
pub fn privacy_for(cfg: &DefenceParams, train: &TrainSet) -> Result<Option<PrivacySpent>> {
    let Some(p) = dp_params(cfg) else {
        return Ok(None);
    };
    let delta = delta_for(cfg, train.interactions.len());
    // One example is one member: a δ of 1/members or more is met by a mechanism that publishes
    // a random member's whole history, so the (ε, δ) it reports would promise nothing.
    let members = train.interactions.n_users().max(1);
    if cfg.dp_delta != 0.0 && delta * members as f64 >= 1.0 {
        return Err(Error::config(
            "dp_delta",
            format!(
                "{delta} is not below 1/{members}, one over the target's members (whom DP-SGD protects): so large a δ allows leaking a whole member; use 0 (the default) or less"
            ),
        ));
    }
    let e = sampled_gaussian_epsilon(p.noise_multiplier, p.sampling_rate, p.steps, delta).map_err(
        |e| match e {
            Error::Config { key, message } if key == "dp_noise" => {
                Error::config("defence_strength", message)
            }
            other => other,
        },
    )?;
    if !e.epsilon.is_finite() {
        return Err(Error::config(
            "defence_strength",
            format!(
                "{} gives noise multiplier {} and no finite ε (dp_sampling_rate {}, {} steps, δ {delta}); raise defence_strength",
                cfg.strength, p.noise_multiplier, p.sampling_rate, p.steps
            ),
        ));
    }
    Ok(Some(PrivacySpent {
        epsilon: e.epsilon,
        delta,
        noise_multiplier: p.noise_multiplier,
        sampling_rate: p.sampling_rate,
        steps: p.steps,
        covers: match cfg.protocol {
            Protocol::FoldIn => Coverage::FoldIn,
            Protocol::Popular => Coverage::Popular,
        },
        audit: None,
    }))
}

/// L2 norm of `v`, summed in f64 over eight lanes (the privacy module's `l2_norm` gives the same
/// bound; this one vectorises: it runs over every coordinate of every sampled member's change).
fn norm_f64(v: &[f32]) -> f64 {
    let mut acc = [0.0f64; 8];
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        for j in 0..8 {
            acc[j] += f64::from(c[j]) * f64::from(c[j]);
        }
    }
    let mut sum = acc.iter().sum::<f64>();
    for &x in chunks.remainder() {
        sum += f64::from(x) * f64::from(x);
    }
    libm::sqrt(sum)
}

/// Scales `v` to L2 norm at most `c` (in place) when it is longer; returns the norm before.
/// The same contract as `privacy::dp_sgd::clip_l2` — the bound holds after rounding to f32, a
/// non-finite vector becomes zero — in one pass: the factor c/‖v‖ is shrunk by 2⁻²⁰, far more
/// than the 2⁻²³ relative error that rounding the factor and the products to f32 can add.
pub(crate) fn clip(v: &mut [f32], c: f64) -> f64 {
    let norm = norm_f64(v);
    if norm <= c {
        return norm;
    }
    if !norm.is_finite() {
        v.fill(0.0);
        return norm;
    }
    let f = (c / norm * (1.0 - 1.0 / 1_048_576.0)) as f32;
    v.iter_mut().for_each(|x| *x *= f);
    norm
}

/// Where a DP step stands.
#[derive(Clone, Debug)]
enum Phase {
    /// Running sampled members' local passes; `next` indexes the batch.
    Members { next: usize },
    /// Adding noise to the summed changes and applying them, item row by row.
    Noise { next: usize },
}

/// One member's change to the item rows during their local pass: a row per item they touched,
/// allocated on first touch, so a member's pass costs what their samples cost, not the catalogue.
pub struct ItemChange {
    w: usize,
    /// Per item: its row in `delta`, or `u32::MAX`.
    slot: Vec<u32>,
    items: Vec<u32>,
    delta: Vec<f32>,
}

impl ItemChange {
    fn new(n_items: usize, w: usize) -> Self {
        ItemChange {
            w,
            slot: vec![u32::MAX; n_items],
            items: Vec::new(),
            delta: Vec::new(),
        }
    }

    /// The change to item `i`'s row (zero until the pass adds to it).
    #[inline]
    pub fn row(&mut self, i: u32) -> &mut [f32] {
        let w = self.w;
        let s = match self.slot[i as usize] {
            u32::MAX => {
                let s = self.items.len();
                self.slot[i as usize] = s as u32;
                self.items.push(i);
                self.delta.resize((s + 1) * w, 0.0);
                s
            }
            s => s as usize,
        };
        &mut self.delta[s * w..(s + 1) * w]
    }
}

/// What a local pass may draw and where it writes: the trainer's stream, negatives for the
/// member (never one of their own items), the member's change to the item rows, the loss.
pub struct Local<'a> {
    rng: &'a mut ChaCha8Rng,
    sampler: &'a NegativeSampler,
    marked: &'a [u64],
    /// The member's change to the item rows.
    pub change: &'a mut ItemChange,
    /// Σ of the pass's per-sample losses, added to in sample order.
    pub loss: &'a mut f64,
}

impl Local<'_> {
    /// A uniformly drawn item the member never interacted with (`None` after 16 rejections).
    #[inline]
    pub fn negative(&mut self) -> Option<u32> {
        self.sampler.draw(self.rng, self.marked)
    }

    /// Shuffles the member's samples with the trainer's stream.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        shuffle(self.rng, v);
    }
}

/// The model-specific part of user-level DP-SGD: one member's local pass, as the model's plain
/// SGD would train that member against the step's frozen item rows.
pub trait LocalPass {
    /// Budget units one sample of the pass costs, for rows `w` floats wide.
    fn sample_cost(&self, w: usize) -> usize;
    /// Item rows are projected back onto the ball of this radius after every step (see
    /// `ITEM_NORM_BOUND`).
    fn norm_bound(&self) -> f32;
    /// Runs the pass over `row` (the member's training items): draws the member's samples,
    /// updates `p` (their user row) and adds to `local.change` the change plain SGD would make to
    /// each item row of `items` (row-major, rows as wide as `p`). Returns the samples processed.
    fn run(&mut self, local: &mut Local<'_>, row: &[u32], p: &mut [f32], items: &[f32]) -> usize;
}

/// The LFM's local pass: squared error on positives (target 1) and uniform negatives (target 0).
pub struct SquaredErrorPass {
    sgd: SgdParams,
    samples: Vec<(u32, f32)>,
}

impl SquaredErrorPass {
    /// `sgd` must sample negatives uniformly (checked by the config).
    pub fn new(sgd: SgdParams) -> Self {
        debug_assert_eq!(sgd.sampling, NegativeSampling::Uniform);
        SquaredErrorPass {
            sgd,
            samples: Vec::new(),
        }
    }
}

impl LocalPass for SquaredErrorPass {
    fn sample_cost(&self, w: usize) -> usize {
        SAMPLE_COST * w
    }

    fn norm_bound(&self) -> f32 {
        ITEM_NORM_BOUND
    }

    fn run(&mut self, local: &mut Local<'_>, row: &[u32], p: &mut [f32], items: &[f32]) -> usize {
        let k = p.len();
        self.samples.clear();
        for &i in row {
            self.samples.push((i, 1.0));
            for _ in 0..self.sgd.negatives {
                if let Some(j) = local.negative() {
                    self.samples.push((j, 0.0));
                }
            }
        }
        local.shuffle(&mut self.samples);
        let (lr, reg) = (self.sgd.lr, self.sgd.reg);
        let decay = 1.0 - lr * reg;
        let shrink = lr * reg;
        for &(i, r) in &self.samples {
            let q = &items[i as usize * k..(i as usize + 1) * k];
            let e = r - dot(p, q);
            *local.loss += f64::from(e * e);
            let g = lr * e;
            // The change plain SGD would make to q_i, against the step's frozen item vectors:
            // q·(1 − lr·reg) + g·p − q.
            let d = local.change.row(i);
            let (p, q) = (&mut p[..k], &q[..k]);
            for j in 0..k {
                let a = p[j];
                d[j] += g * a - shrink * q[j];
                p[j] = decay * a + g * q[j];
            }
        }
        self.samples.len()
    }
}

/// Resumable user-level DP-SGD over the item rows (see the module comment); `P` is the model's
/// local pass.
pub struct DpSgdTrainer<P> {
    dp: DpSgdParams,
    pass: P,
    sampler: NegativeSampler,
    rng: ChaCha8Rng,
    /// Item rows: every one is noised at every step (the catalogue is every item of the data
    /// set, `TrainSet::catalogue`), so an item no member has gets a noise-only row.
    n_items: usize,
    step: u64,
    phase: Phase,
    batch: Vec<usize>,
    /// Σ of clipped changes, `n_items × w`, zero outside the current step.
    sum: Vec<f32>,
    change: ItemChange,
    marked: Vec<u64>,
    loss_sum: f64,
    loss_count: usize,
    /// Mean loss of the local passes of the last finished step.
    pub last_loss: Option<f64>,
    clipped: usize,
    contributions: usize,
}

impl<P: LocalPass> DpSgdTrainer<P> {
    /// `w`: floats per item row (and per user row).
    pub fn new(
        dp: DpSgdParams,
        pass: P,
        sampler: NegativeSampler,
        rng: ChaCha8Rng,
        train: &TrainSet,
        w: usize,
    ) -> Self {
        let n_items = train.n_items();
        let bound = n_items.max(sampler.item_bound());
        DpSgdTrainer {
            dp,
            pass,
            sampler,
            rng,
            n_items,
            step: 0,
            phase: Phase::Members { next: 0 },
            batch: Vec::new(),
            sum: vec![0.0; n_items * w],
            change: ItemChange::new(n_items, w),
            marked: vec![0; bound.div_ceil(64)],
            loss_sum: 0.0,
            loss_count: 0,
            last_loss: None,
            clipped: 0,
            contributions: 0,
        }
    }

    pub fn done(&self) -> bool {
        self.step >= self.dp.steps
    }

    pub fn fraction(&self) -> f64 {
        (self.step as f64 / self.dp.steps as f64).min(1.0)
    }

    /// "DP step t/T (x% of changes clipped)".
    pub fn status(&self) -> String {
        let clipped = if self.contributions > 0 {
            format!(
                ", {:.0}% of changes clipped",
                100.0 * self.clipped as f64 / self.contributions as f64
            )
        } else {
            String::new()
        };
        format!(
            "DP step {}/{}{clipped}",
            self.step.min(self.dp.steps),
            self.dp.steps
        )
    }

    /// The stream where training left it, for what follows (the members' refit).
    pub fn rng_after(&self) -> ChaCha8Rng {
        self.rng.clone()
    }

    /// Works for about `budget` units; true once all T steps are done. The draws (batch, then
    /// each member's negatives and shuffle, then the noise row by row) happen in a fixed order, so
    /// the budget never changes the result.
    pub fn step(
        &mut self,
        data: &Interactions,
        users: &mut ArrayRef2<f32>,
        items: &mut ArrayRef2<f32>,
        budget: usize,
    ) -> bool {
        let w = items.ncols();
        let mut work = 0usize;
        while !self.done() && work < budget.max(1) {
            match self.phase {
                Phase::Members { next } => {
                    if next == 0 {
                        poisson_batch_into(
                            &mut self.rng,
                            data.n_users(),
                            self.dp.sampling_rate,
                            &mut self.batch,
                        );
                    }
                    if next < self.batch.len() {
                        let m = self.batch[next];
                        work += self.member(data, m, users, items) * self.pass.sample_cost(w) + 1;
                        self.phase = Phase::Members { next: next + 1 };
                    } else {
                        self.phase = Phase::Noise { next: 0 };
                    }
                }
                Phase::Noise { next } => {
                    let rows = (budget / (NOISE_COST * w).max(1)).max(1);
                    let end = (next + rows).min(self.n_items);
                    let std = self.dp.noise_std();
                    let bound = self.pass.norm_bound();
                    let is = items.as_slice_mut().expect("standard layout");
                    for i in next..end {
                        let r = i * w..(i + 1) * w;
                        let s = &mut self.sum[r.clone()];
                        add_noise(&mut self.rng, s, std);
                        let q = &mut is[r];
                        for (qv, d) in q.iter_mut().zip(s.iter_mut()) {
                            *qv += *d;
                            *d = 0.0;
                        }
                        let norm = dot(q, q).sqrt();
                        if norm > bound {
                            let f = bound / norm;
                            q.iter_mut().for_each(|v| *v *= f);
                        }
                    }
                    work += (end - next) * NOISE_COST * w + 1;
                    if end == self.n_items {
                        self.last_loss = Some(self.loss_sum / self.loss_count.max(1) as f64);
                        self.loss_sum = 0.0;
                        self.loss_count = 0;
                        self.step += 1;
                        self.phase = Phase::Members { next: 0 };
                    } else {
                        self.phase = Phase::Noise { next: end };
                    }
                }
            }
        }
        self.done()
    }

    /// Member `m`'s local pass: updates their user row, adds their clipped change of the item
    /// rows to the step's sum. Returns the samples processed.
    fn member(
        &mut self,
        data: &Interactions,
        m: usize,
        users: &mut ArrayRef2<f32>,
        items: &ArrayRef2<f32>,
    ) -> usize {
        let w = items.ncols();
        let row = data.row(m);
        for &i in row {
            self.marked[i as usize / 64] |= 1 << (i % 64);
        }
        let us = users.as_slice_mut().expect("standard layout");
        let mut local = Local {
            rng: &mut self.rng,
            sampler: &self.sampler,
            marked: &self.marked,
            change: &mut self.change,
            loss: &mut self.loss_sum,
        };
        let samples = self.pass.run(
            &mut local,
            row,
            &mut us[m * w..(m + 1) * w],
            items.as_slice().expect("standard layout"),
        );
        for &i in row {
            self.marked[i as usize / 64] = 0;
        }
        self.loss_count += samples;
        let change = &mut self.change;
        let norm = clip(&mut change.delta, self.dp.clip);
        self.contributions += 1;
        self.clipped += usize::from(norm > self.dp.clip);
        for (s, &i) in change.items.iter().enumerate() {
            let target = &mut self.sum[i as usize * w..(i as usize + 1) * w];
            for (t, d) in target.iter_mut().zip(&change.delta[s * w..(s + 1) * w]) {
                *t += *d;
            }
            change.slot[i as usize] = u32::MAX;
        }
        change.items.clear();
        change.delta.clear();
        samples
    }
}

/// A model's plain (non-private) trainer, as `Training` drives it: the LFM's `SgdTrainer`, BPR's.
pub trait PlainTrainer {
    /// Trains up to about `budget` units (of `Recommender::train_step`); true once done.
    fn step(
        &mut self,
        data: &Interactions,
        users: &mut Array2<f32>,
        items: &mut Array2<f32>,
        budget: usize,
    ) -> bool;
    fn done(&self) -> bool;
    fn fraction(&self) -> f64;
    /// "epoch e/E".
    fn status(&self) -> String;
    /// Mean loss of the last finished epoch.
    fn last_loss(&self) -> Option<f64>;
}

/// How a factor model's users and shared item rows are trained: plainly (`T` over both), or by
/// DP-SGD of the item rows (local pass `P`) followed by the members' refit — every member's row
/// fitted again from their own history against the final, frozen item rows, exactly as the model
/// folds in a new user — so that nothing a user is shown depends on other members except through
/// the private item rows.
pub enum Training<T, P> {
    Plain(T),
    /// DP-SGD, then the members' refit (`None` until DP training ends).
    Private {
        dp: Box<DpSgdTrainer<P>>,
        refit: Option<T>,
    },
}

impl<T: PlainTrainer, P: LocalPass> Training<T, P> {
    /// Plain training (`plain` gets the model's stream), or DP-SGD with `dp` and the local pass
    /// `pass` over rows `w` floats wide.
    pub fn new(
        dp: Option<DpSgdParams>,
        rng: ChaCha8Rng,
        sampler: &NegativeSampler,
        train: &TrainSet,
        w: usize,
        plain: impl FnOnce(ChaCha8Rng) -> T,
        pass: impl FnOnce() -> P,
    ) -> Self {
        match dp {
            None => Training::Plain(plain(rng)),
            Some(dp) => Training::Private {
                dp: Box::new(DpSgdTrainer::new(
                    dp,
                    pass(),
                    sampler.clone(),
                    rng,
                    train,
                    w,
                )),
                refit: None,
            },
        }
    }

    /// Trains up to about `budget` units; true once done. When DP training ends, `refit` gets
    /// the stream where it left off and the members' rows, re-initialises them and returns the
    /// trainer (items frozen) that fits them again.
    pub fn step(
        &mut self,
        data: &Interactions,
        users: &mut Array2<f32>,
        items: &mut Array2<f32>,
        budget: usize,
        refit: impl FnOnce(ChaCha8Rng, &mut Array2<f32>) -> T,
    ) -> bool {
        match self {
            Training::Plain(t) => t.step(data, users, items, budget),
            Training::Private { refit: Some(r), .. } => r.step(data, users, items, budget),
            Training::Private { dp, refit: slot } => {
                if dp.step(data, users, items, budget) {
                    *slot = Some(refit(dp.rng_after(), users));
                }
                false
            }
        }
    }

    pub fn done(&self) -> bool {
        match self {
            Training::Plain(t) => t.done(),
            Training::Private { refit, .. } => refit.as_ref().is_some_and(|r| r.done()),
        }
    }

    /// DP steps count for three quarters of the way, the refit for the last quarter.
    pub fn fraction(&self) -> f64 {
        match self {
            Training::Plain(t) => t.fraction(),
            Training::Private { dp, refit } => {
                0.75 * dp.fraction() + 0.25 * refit.as_ref().map_or(0.0, |r| r.fraction())
            }
        }
    }

    /// The progress line and latest loss.
    pub fn status(&self) -> (String, Option<f64>) {
        match self {
            Training::Plain(t) => (t.status(), t.last_loss()),
            Training::Private { dp, refit: None } => (dp.status(), dp.last_loss),
            Training::Private { dp, refit: Some(r) } => (
                format!("{}; members refitted, {}", dp.status(), r.status()),
                r.last_loss().or(dp.last_loss),
            ),
        }
    }

    /// Mean loss of the last epoch (plain) or DP step.
    pub fn final_loss(&self) -> Option<f64> {
        match self {
            Training::Plain(t) => t.last_loss(),
            Training::Private { dp, .. } => dp.last_loss,
        }
    }

    pub fn is_private(&self) -> bool {
        matches!(self, Training::Private { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mf::init_factors;
    use crate::rng::{rng_for, Stream};

    fn toy() -> TrainSet {
        // 40 members in two taste groups over 40 items.
        let rows: Vec<Vec<u32>> = (0..40u32)
            .map(|u| {
                let base = if u < 20 { 0 } else { 20 };
                (0..20)
                    .filter(|j| (u + j) % 3 != 0)
                    .map(|j| base + j)
                    .collect()
            })
            .collect();
        TrainSet::new(
            Interactions::from_rows(rows.iter().map(|r| r.as_slice())),
            40,
        )
    }

    fn sgd() -> SgdParams {
        SgdParams {
            lr: 0.05,
            reg: 0.01,
            epochs: 20,
            negatives: 1,
            sampling: NegativeSampling::Uniform,
        }
    }

    fn train(dp: DpSgdParams, budget: usize) -> (ndarray::Array2<f32>, ndarray::Array2<f32>, f64) {
        let t = toy();
        let mut rng = rng_for(1, Stream::TargetModel);
        let mut users = init_factors(&mut rng, 40, 8);
        let mut items = init_factors(&mut rng, 40, 8);
        let sampler = NegativeSampler::new(NegativeSampling::Uniform, &t.interactions, &t.known);
        let mut tr = DpSgdTrainer::new(dp, SquaredErrorPass::new(sgd()), sampler, rng, &t, 8);
        while !tr.step(&t.interactions, &mut users, &mut items, budget) {}
        (users, items, tr.last_loss.unwrap())
    }

    fn params(noise: f64) -> DpSgdParams {
        DpSgdParams {
            noise_multiplier: noise,
            clip: 0.1,
            sampling_rate: 0.5,
            steps: 40,
        }
    }

    #[test]
    fn clipping_bounds_the_norm_after_rounding_and_matches_the_privacy_module() {
        use crate::privacy::dp_sgd::{clip_l2, l2_norm};
        let mut rng = rng_for(9, Stream::TargetModel);
        let mut clipped = 0;
        for trial in 0..3000 {
            let len = 1 + trial % 300;
            let scale = [1e-4f32, 0.01, 1.0, 300.0][trial % 4];
            let v: Vec<f32> = (0..len)
                .map(|_| (crate::rng::unit_f32(&mut rng) * 2.0 - 1.0) * scale)
                .collect();
            let c = 0.05 + (trial % 7) as f64 * 0.3;
            let (mut a, mut b) = (v.clone(), v.clone());
            let before = clip(&mut a, c);
            let want = clip_l2(&mut [&mut b[..]], c);
            assert!((before - want).abs() <= 1e-9 * want, "{before} vs {want}");
            let after = l2_norm(&[&a]);
            assert!(after <= c, "trial {trial}: {after} > {c}");
            if want > c {
                clipped += 1;
                assert!(
                    after >= c * (1.0 - 1e-5),
                    "clipped to the bound, not below: {after}"
                );
                for (x, y) in a.iter().zip(&b) {
                    assert!((x - y).abs() <= 1e-5 * y.abs() + 1e-30, "{x} vs {y}");
                }
            } else {
                assert_eq!(a, v, "an in-bound vector must not change");
            }
        }
        assert!(clipped > 500, "{clipped}");
        let mut bad = vec![1.0f32, f32::NAN];
        assert!(clip(&mut bad, 1.0).is_nan());
        assert_eq!(bad, vec![0.0; 2]);
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        assert_eq!(train(params(0.5), usize::MAX), train(params(0.5), 50));
    }

    #[test]
    fn little_noise_learns_the_groups_and_much_noise_does_not() {
        let own_minus_other = |users: &ndarray::Array2<f32>, items: &ndarray::Array2<f32>| {
            let mut total = 0.0f32;
            for u in 0..40usize {
                let p = users.row(u);
                let p = p.as_slice().unwrap();
                let s = |range: std::ops::Range<usize>| {
                    range
                        .map(|i| dot(p, items.row(i).as_slice().unwrap()))
                        .sum::<f32>()
                };
                let (own, other) = if u < 20 {
                    (s(0..20), s(20..40))
                } else {
                    (s(20..40), s(0..20))
                };
                total += own - other;
            }
            total / 40.0
        };
        let (u, i, loss_quiet) = train(params(0.01), usize::MAX);
        let quiet = own_minus_other(&u, &i);
        let (u, i, _) = train(params(16.0), usize::MAX);
        let loud = own_minus_other(&u, &i);
        assert!(quiet > 2.0, "separation with little noise {quiet}");
        assert!(loss_quiet < 0.2, "loss {loss_quiet}");
        assert!(loud.abs() < quiet / 4.0, "noise {loud} vs {quiet}");
        assert!(u.iter().chain(i.iter()).all(|v| v.is_finite()));
    }

    #[test]
    fn params_and_privacy_follow_the_settings() {
        let cfg = DefenceParams {
            kind: DefenceKind::DpSgd,
            strength: 0.5,
            lfm_epochs: 40,
            ..crate::defence::tests_params()
        };
        let p = dp_params(&cfg).unwrap();
        assert_eq!(p.noise_multiplier, noise_multiplier(0.5));
        assert_eq!(p.steps, (40.0 / DEFAULT_DP_SAMPLING_RATE).ceil() as u64);
        assert_eq!(
            (p.clip, p.sampling_rate),
            (LFM_DP_CLIP, DEFAULT_DP_SAMPLING_RATE)
        );
        // BPR: its own epochs and clip; a dp_clip that is set is used as set.
        let bpr = DefenceParams {
            recommender: RecommenderKind::Bpr,
            bpr_epochs: 7,
            ..cfg
        };
        let b = dp_params(&bpr).unwrap();
        assert_eq!((b.clip, b.steps), (BPR_DP_CLIP, 14));
        let set = DefenceParams {
            dp_clip: 0.2,
            ..bpr
        };
        assert_eq!(dp_params(&set).unwrap().clip, 0.2);
        let t = toy();
        let spent = privacy_for(&cfg, &t).unwrap().unwrap();
        assert_eq!(spent.delta, 1.0 / t.interactions.len() as f64);
        assert!(spent.epsilon.is_finite() && spent.epsilon > 0.0);
        let more = DefenceParams {
            strength: 1.0,
            ..cfg
        };
        assert!(privacy_for(&more, &t).unwrap().unwrap().epsilon < spent.epsilon);
        let set = DefenceParams {
            dp_delta: 1e-3,
            ..cfg
        };
        assert_eq!(privacy_for(&set, &t).unwrap().unwrap().delta, 1e-3);
        // δ ≥ 1 / members (40 here) promises nothing: refused naming the key and the bound.
        for delta in [0.5, 1.0 / 40.0] {
            let big = DefenceParams {
                dp_delta: delta,
                ..cfg
            };
            let e = privacy_for(&big, &t).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("config: dp_delta: {delta} is not below 1/40")),
                "{e}"
            );
            assert!(e.chars().count() <= 200, "{e}");
        }
        let off = DefenceParams {
            strength: 0.0,
            ..cfg
        };
        assert!(dp_params(&off).is_none() && privacy_for(&off, &t).unwrap().is_none());
        // A noise multiplier too small for any finite ε is an error naming the key.
        let tiny = DefenceParams {
            strength: 1e-300,
            ..off
        };
        let e = privacy_for(&tiny, &t).unwrap_err().to_string();
        assert!(e.starts_with("config: defence_strength:"), "{e}");
    }
}
