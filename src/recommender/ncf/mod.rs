//! Neural collaborative filtering (He et al., WWW 2017, "NeuMF"): a GMF tower (element-wise product
//! of a user and an item embedding) and an MLP tower (both embeddings concatenated, through
//! 2d → 2d → d ReLU layers) whose last layers are concatenated into one logit. Trained on implicit
//! feedback with binary cross-entropy on every positive and `ncf_negatives` negatives drawn
//! uniformly from the known items outside the user's items, from random initialisation (no GMF/MLP
//! pre-training: not needed to beat the popularity list at this size).
//!
//! Optimiser: Adam in batches of 256 samples (NeuMF's batch size; see `schedule`), lazily on the
//! embedding rows a batch touches. Adam rather than SGD because plain SGD learned less in the same
//! epochs (measured at 10 epochs and 4 negatives, recall@100 / popularity's over seeds 0-2 and both
//! halves: Adam 1.08; SGD on the embeddings at lr 0.005, 0.01, 0.02: 1.05, 1.05, 1.02).
//!
//! New users are folded in by fitting their two embeddings with every shared weight and item
//! embedding frozen, by the same loss, sampling and optimiser (on ml-latest-small, members folded
//! in from their own training items reach 0.296 held-out recall@100 against 0.304 as trained
//! members, seed 0).

mod adam;
mod grads;
mod kernels;
mod net;
mod schedule;
mod shape;
#[cfg(test)]
mod tests;

use rand_chacha::ChaCha8Rng;

use super::{Recommender, TrainSet, Who};
use crate::mf::{Interactions, NegativeSampler};
use crate::params::NegativeSampling;
use crate::rng::unit_f32;
use adam::Adam;
use grads::Grads;
use net::Scratch;
use schedule::Schedule;
use shape::{Net, Shape};

/// The NCF's own parameters (config keys `ncf_factors`, `ncf_lr`, `ncf_epochs`, `ncf_negatives`,
/// `ncf_reg`).
#[derive(Clone, Copy, Debug)]
pub struct NcfParams {
    /// Embedding size d of each tower; the MLP tower is 2d → 2d → d.
    pub factors: usize,
    /// Adam learning rate (training and fold-in).
    pub lr: f32,
    /// Epochs of training and of fold-in.
    pub epochs: u32,
    /// Sampled negatives per positive.
    pub negatives: u32,
    /// L2 penalty (reg/2)·|e|² per sample that uses embedding e.
    pub reg: f32,
}

impl NcfParams {
    /// Whether this network has the shape with its own compiled path (`net::specialise`, the
    /// defaults'); any other shape takes the general path, slower but the same numbers.
    pub fn specialised(&self) -> bool {
        self.shape() == Shape::DEFAULT
    }

    fn shape(&self) -> Shape {
        let d = self.factors.max(1);
        Shape {
            g: d,
            m: d,
            h1: 2 * d,
            h2: d,
        }
    }
}

/// Half-width of the uniform initial embeddings (NeuMF draws N(0, 0.01²); a uniform of the same
/// order, since `crate::rng` gives portable uniform draws). Measured at 10 epochs and 4 negatives
/// (recall@100 / popularity's, seeds 0-2, both halves): 0.01 1.07, 0.05 1.08, 0.3 1.00.
const EMBED_INIT: f32 = 0.05;

/// `rows` × `width` values uniform in (−scale, scale), row by row.
fn uniform(rng: &mut ChaCha8Rng, n: usize, scale: f32) -> Vec<f32> {
    (0..n)
        .map(|_| (2.0 * unit_f32(rng) - 1.0) * scale)
        .collect()
}

/// He-uniform ReLU layers, LeCun-uniform output layer, zero biases.
fn init_dense(sh: Shape, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let mut dense = vec![0.0f32; sh.n_dense()];
    let p = sh.split_mut(&mut dense);
    let layer1 = (6.0 / (2 * sh.m) as f32).sqrt();
    let layer2 = (6.0 / sh.h1 as f32).sqrt();
    let out = (3.0 / (sh.g + sh.h2) as f32).sqrt();
    for (w, scale) in [
        (p.w1u, layer1),
        (p.w1i, layer1),
        (p.w2, layer2),
        (p.wg, out),
        (p.wh, out),
    ] {
        w.copy_from_slice(&uniform(rng, w.len(), scale));
    }
    dense
}

/// Fitting new users' embeddings with everything else frozen.
struct FoldIn {
    histories: Interactions,
    users: Vec<f32>,
    adam: Adam,
    schedule: Schedule,
    grad: Vec<f32>,
}

/// A trained (or training) NeuMF model.
pub struct Ncf {
    params: NcfParams,
    sh: Shape,
    sampler: NegativeSampler,
    /// The shared weights.
    net: Net,
    /// Members' embedding rows `[GMF | MLP]`.
    users: Vec<f32>,
    /// Every item's embedding row `[GMF | MLP]`.
    items: Vec<f32>,
    adam_dense: Adam,
    adam_users: Adam,
    adam_items: Adam,
    grads: Grads,
    scratch: Scratch,
    schedule: Schedule,
    /// W1i·i_m of every item, once training is done (items are frozen from then on).
    pre: Vec<f32>,
    fold: Option<FoldIn>,
}

impl Ncf {
    pub fn new(params: NcfParams, train: &TrainSet, mut rng: ChaCha8Rng) -> Ncf {
        let sh = params.shape();
        let row = sh.row();
        let sampler =
            NegativeSampler::new(NegativeSampling::Uniform, &train.interactions, &train.known);
        let users = uniform(&mut rng, train.n_members() * row, EMBED_INIT);
        let items = uniform(&mut rng, train.n_items() * row, EMBED_INIT);
        let dense = init_dense(sh, &mut rng);
        Ncf {
            params,
            sh,
            adam_dense: Adam::new(1, sh.n_dense()),
            adam_users: Adam::new(train.n_members(), row),
            adam_items: Adam::new(train.n_items(), row),
            grads: Grads::new(sh, train.n_members(), train.n_items()),
            scratch: Scratch::new(),
            schedule: Schedule::new(params.epochs, params.negatives, sampler.clone(), rng),
            sampler,
            net: Net::new(sh, dense),
            users,
            items,
            pre: Vec::new(),
            fold: None,
        }
    }

    /// One batch of training: gradients with every parameter fixed, then one Adam step of the shared
    /// weights and of every user and item row the batch touched. False once training is over.
    fn train_batch(&mut self, train: &TrainSet) -> bool {
        let Some(chunks) = self.schedule.next_batch(&train.interactions) else {
            return false;
        };
        let mut loss = 0.0;
        for c in chunks {
            let c = self.schedule.chunk(c);
            loss += net::train_chunk(
                &self.net,
                c.user as usize,
                &self.users,
                &self.items,
                self.schedule.samples(c),
                self.params.reg,
                &mut self.grads,
                &mut self.scratch,
            );
        }
        let (g, lr) = (&self.grads, self.params.lr);
        self.adam_dense
            .step_row(&mut self.net.dense, 0, &g.dense, lr);
        self.net.refresh();
        for (u, gu) in g.users.iter() {
            self.adam_users.step_row(&mut self.users, u, gu, lr);
        }
        for (i, gi) in g.items.iter() {
            self.adam_items.step_row(&mut self.items, i, gi, lr);
        }
        self.grads.clear();
        self.schedule.finish_batch(loss);
        true
    }

    fn item_parts(&self) -> Vec<f32> {
        net::all_item_parts(self.sh, &self.net.dense, &self.items)
    }

    /// Embedding row of user `u` of group `who`.
    fn user_row(&self, who: Who, u: usize) -> &[f32] {
        let row = self.sh.row();
        let table = match who {
            Who::Member => &self.users,
            Who::NewUser => self.fold.as_ref().map_or(&[][..], |f| &f.users),
        };
        &table[u * row..(u + 1) * row]
    }

    /// Scores of `items` for user `u` of group `who` (tests).
    #[cfg(test)]
    fn score(&self, train: &TrainSet, who: Who, u: usize, items: &[u32]) -> Vec<f32> {
        let mut out = vec![Vec::new()];
        self.score_block(train, who, u, items, &mut out);
        out.pop().unwrap_or_default()
    }
}

impl Recommender for Ncf {
    fn train_step(&mut self, train: &TrainSet, budget: usize) -> bool {
        let per_batch = schedule::CHUNK * schedule::GROUP * self.sh.train_cost();
        let mut spent = 0;
        while spent < budget.max(1) && self.train_batch(train) {
            spent += per_batch;
        }
        let done = self.schedule.done();
        if done && self.pre.is_empty() {
            self.pre = self.item_parts();
            // Training is over: its samples and the members' and items' Adam moments are not
            // needed again (fold-in has its own).
            self.schedule.release();
            let row = self.sh.row();
            self.adam_users = Adam::new(0, row);
            self.adam_items = Adam::new(0, row);
        }
        done
    }

    fn train_fraction(&self) -> f64 {
        self.schedule.fraction()
    }

    fn status(&self) -> (String, Option<f64>) {
        match &self.fold {
            Some(f) if self.schedule.done() => (
                format!("fold-in {}", f.schedule.status()),
                f.schedule.last_loss,
            ),
            _ => (self.schedule.status(), self.schedule.last_loss),
        }
    }

    fn final_loss(&self) -> Option<f64> {
        self.schedule.last_loss
    }

    fn divergence_hint(&self) -> &'static str {
        "ncf_lr"
    }

    fn begin_fold_in(&mut self, _train: &TrainSet, histories: Interactions, mut rng: ChaCha8Rng) {
        if self.pre.is_empty() {
            self.pre = self.item_parts();
        }
        let (n, row) = (histories.n_users(), self.sh.row());
        let users = uniform(&mut rng, n * row, EMBED_INIT);
        let p = self.params;
        self.fold = Some(FoldIn {
            histories,
            users,
            adam: Adam::new(n, row),
            schedule: Schedule::new(p.epochs, p.negatives, self.sampler.clone(), rng),
            grad: vec![0.0; row],
        });
    }

    fn fold_in_step(&mut self, _train: &TrainSet, budget: usize) -> bool {
        let Some(f) = self.fold.as_mut() else {
            return true;
        };
        let (sh, row) = (self.sh, self.sh.row());
        let per_batch = schedule::CHUNK * schedule::GROUP * sh.fold_cost();
        let mut spent = 0;
        while spent < budget.max(1) {
            let Some(chunks) = f.schedule.next_batch(&f.histories) else {
                break;
            };
            // New users share nothing trainable: each chunk is one Adam step of its user's row.
            let mut loss = 0.0;
            for c in chunks {
                let c = f.schedule.chunk(c);
                let u = c.user as usize;
                f.grad.fill(0.0);
                loss += net::fold_chunk(
                    &self.net,
                    &f.users[u * row..(u + 1) * row],
                    &self.items,
                    &self.pre,
                    f.schedule.samples(c),
                    self.params.reg,
                    &mut f.grad,
                    &mut self.scratch,
                );
                f.adam.step_row(&mut f.users, u, &f.grad, self.params.lr);
            }
            f.schedule.finish_batch(loss);
            spent += per_batch;
        }
        f.schedule.done()
    }

    fn fold_in_fraction(&self) -> f64 {
        self.fold.as_ref().map_or(1.0, |f| f.schedule.fraction())
    }

    fn score_block(
        &self,
        _train: &TrainSet,
        who: Who,
        first: usize,
        candidates: &[u32],
        out: &mut [Vec<f32>],
    ) {
        let computed;
        let pre = if self.pre.is_empty() {
            computed = self.item_parts();
            &computed
        } else {
            &self.pre
        };
        let rows: Vec<&[f32]> = (first..first + out.len())
            .map(|u| self.user_row(who, u))
            .collect();
        net::score_users(&self.net, &rows, &self.items, pre, candidates, out);
    }

    fn score_cost(&self) -> usize {
        self.sh.score_cost()
    }
}
