//! The NeuMF network of `ncf`: the forward and backward pass over one user's chunk of
//! (item, target) samples, fold-in's pass, and scoring. Every user and item has one embedding row
//! `[GMF part (g) | MLP part (m)]`; the shared ("dense") weights are
//! z1 = W1u·u_m + W1i·i_m + b1 (2m → h1), a1 = ReLU(z1), z2 = W2·a1 + b2 (h1 → h2), a2 = ReLU(z2),
//! logit = wg·(u_g ⊙ i_g) + wh·a2 + bo (NeuMF's concatenation of both towers' last layers).
//! Matrices are stored input-major (one row of outputs per input), so the forward pass is a few
//! axpys that vectorise (`kernels`); the layout is in `shape`.
//!
//! The first layer is linear in the user part, so within a chunk (one user, parameters fixed)
//! W1u·u_m plus b1 is computed once, and the user's gradients through it are taken once from the
//! summed δ1: per sample only the item half of the network is paid. Scoring uses the same split
//! with W1i·i_m precomputed per item.

use super::grads::Grads;
use super::kernels::{axpys, dots, outer_add, MAXW};
use super::shape::{Net, Parts, Shape};
use crate::mf::dot;

/// Binary cross-entropy of `logit` against target `y` (1 or 0), computed stably, and its derivative
/// σ(logit) − y. libm, so native and wasm agree to the bit.
#[inline]
pub fn bce(logit: f32, y: f32) -> (f32, f32) {
    let e = libm::expf(-logit.abs());
    let loss = logit.max(0.0) - y * logit + libm::log1pf(e);
    let sigma = if logit >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    };
    (loss, sigma - y)
}

/// Per-user quantities: `a_u` = b1 + W1u·u_m and `gw` = wg ⊙ u_g.
#[inline]
pub fn user_part(sh: Shape, w: &Parts<&[f32]>, user: &[f32], a_u: &mut [f32], gw: &mut [f32]) {
    let (ug, um) = user.split_at(sh.g);
    a_u.copy_from_slice(w.b1);
    axpys(um, w.w1u, a_u);
    for ((g, &x), &y) in gw.iter_mut().zip(w.wg).zip(ug) {
        *g = x * y;
    }
}

/// W1i·i_m of one item (its share of the first MLP layer).
#[inline(always)]
pub fn item_part(sh: Shape, w: &Parts<&[f32]>, item: &[f32], out: &mut [f32]) {
    out.fill(0.0);
    axpys(&item[sh.g..], w.w1i, out);
}

/// W1i·i_m for every row of `items`.
pub fn all_item_parts(sh: Shape, dense: &[f32], items: &[f32]) -> Vec<f32> {
    let w = sh.split(dense);
    let mut out = vec![0.0; items.len() / sh.row() * sh.h1];
    for (o, it) in out
        .chunks_exact_mut(sh.h1)
        .zip(items.chunks_exact(sh.row()))
    {
        item_part(sh, &w, it, o);
    }
    out
}

/// Work vectors of one pass (fixed arrays: no allocation, and sliced to lengths the compiler can
/// know, see `specialise`).
#[derive(Clone, Debug)]
pub struct Scratch {
    v: [[f32; MAXW]; 9],
}

/// The work vectors of one pass, each sliced to its length.
struct Work<'a> {
    a_u: &'a mut [f32],
    gw: &'a mut [f32],
    pre: &'a mut [f32],
    a1: &'a mut [f32],
    a2: &'a mut [f32],
    d1: &'a mut [f32],
    d2: &'a mut [f32],
    sum_d1: &'a mut [f32],
    sum_gi: &'a mut [f32],
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            v: [[0.0; MAXW]; 9],
        }
    }

    #[inline(always)]
    fn work(&mut self, sh: Shape) -> Work<'_> {
        let [a_u, gw, pre, a1, a2, d1, d2, sum_d1, sum_gi] = &mut self.v;
        Work {
            a_u: &mut a_u[..sh.h1],
            gw: &mut gw[..sh.g],
            pre: &mut pre[..sh.h1],
            a1: &mut a1[..sh.h1],
            a2: &mut a2[..sh.h2],
            d1: &mut d1[..sh.h1],
            d2: &mut d2[..sh.h2],
            sum_d1: &mut sum_d1[..sh.h1],
            sum_gi: &mut sum_gi[..sh.g],
        }
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

/// Calls `$f` with the default shape as a constant when `$sh` is it, so that every loop length is
/// known at compile time there (measured: default training 1.8× faster than through the general
/// path); with `$sh` itself otherwise.
macro_rules! specialise {
    ($sh:expr, $f:ident($($arg:expr),* $(,)?)) => {{
        if $sh == Shape::DEFAULT {
            $f(Shape::DEFAULT, $($arg),*)
        } else {
            $f($sh, $($arg),*)
        }
    }};
}

/// The forward pass from z1's item share `pre_i` (W1i·i_m) to the logit, given the user's `a_u` and
/// `gw` in `s`; leaves a1 and a2 in `s`. Training and scoring both use it, so a member's score is
/// exactly the logit training saw.
#[inline(always)]
fn head(w: &Parts<&[f32]>, s: &mut Work, pre_i: &[f32], ig: &[f32]) -> f32 {
    for ((a, &u), &p) in s.a1.iter_mut().zip(s.a_u.iter()).zip(pre_i) {
        *a = (u + p).max(0.0);
    }
    s.a2.copy_from_slice(w.b2);
    axpys(s.a1, w.w2, s.a2);
    for a in s.a2.iter_mut() {
        *a = a.max(0.0);
    }
    dot(s.gw, ig) + dot(w.wh, s.a2) + w.bo[0]
}

/// Backward from dL/dlogit `g` to δ1 = dL/dz1 (in `s.d1`), given a1 and a2 of the same sample in
/// `s`; adds dL/dW2, dL/db2, dL/dwh, dL/dbo to `grads` when given.
#[inline(always)]
fn head_back(
    w: &Parts<&[f32]>,
    w2o: &[f32],
    s: &mut Work,
    g: f32,
    grads: Option<&mut Parts<&mut [f32]>>,
) {
    // ReLU's derivative as a 0/1 factor rather than a branch (see `axpys`).
    let step = |a: f32| if a > 0.0 { 1.0f32 } else { 0.0 };
    for ((d, &a), &v) in s.d2.iter_mut().zip(s.a2.iter()).zip(w.wh) {
        *d = step(a) * g * v;
    }
    s.d1.fill(0.0);
    axpys(s.d2, w2o, s.d1);
    for (x, &a) in s.d1.iter_mut().zip(s.a1.iter()) {
        *x *= step(a);
    }
    if let Some(gr) = grads {
        gr.bo[0] += g;
        for (x, &a) in gr.wh.iter_mut().zip(s.a2.iter()) {
            *x += g * a;
        }
        for (b, &d) in gr.b2.iter_mut().zip(s.d2.iter()) {
            *b += d;
        }
        outer_add(s.a1, s.d2, gr.w2);
    }
}

/// Forward and backward over a chunk of user `u`'s `(item, target)` samples with every parameter
/// fixed; adds the gradients of the chunk's loss to `gr` and returns that loss: the summed BCE plus
/// (reg/2)·(|u|² + |i|²) per sample, the L2 penalty of the embeddings each sample uses (as the
/// LFM's per-sample SGD regularises).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn train_chunk(
    net: &Net,
    u: usize,
    users: &[f32],
    items: &[f32],
    samples: &[(u32, f32)],
    reg: f32,
    gr: &mut Grads,
    s: &mut Scratch,
) -> f64 {
    specialise!(
        net.sh,
        train_chunk_in(net, u, users, items, samples, reg, gr, s)
    )
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn train_chunk_in(
    sh: Shape,
    net: &Net,
    u: usize,
    users: &[f32],
    items: &[f32],
    samples: &[(u32, f32)],
    reg: f32,
    gr: &mut Grads,
    s: &mut Scratch,
) -> f64 {
    let w = sh.split(&net.dense);
    let (w2o, w1io) = (net.w2o(), net.w1io());
    let (ng, row) = (sh.g, sh.row());
    let mut s = s.work(sh);
    let user = &users[u * row..(u + 1) * row];
    user_part(sh, &w, user, s.a_u, s.gw);
    s.sum_d1.fill(0.0);
    s.sum_gi.fill(0.0);
    let mut loss = 0.0f64;
    let mut gd = sh.split_mut(&mut gr.dense);
    for &(i, y) in samples {
        let i = i as usize;
        let it = &items[i * row..(i + 1) * row];
        let (ig, im) = it.split_at(ng);
        let pre = std::mem::take(&mut s.pre);
        item_part(sh, &w, it, pre);
        let logit = head(&w, &mut s, pre, ig);
        s.pre = pre;
        let (l, g) = bce(logit, y);
        loss += f64::from(l);
        head_back(&w, w2o, &mut s, g, Some(&mut gd));
        let gi = &mut gr.items.row(i)[..row];
        loss += f64::from(0.5 * reg * dot(it, it));
        for (x, &v) in gi.iter_mut().zip(it) {
            *x += reg * v;
        }
        let (gig, gim) = gi.split_at_mut(ng);
        // GMF: dL/di_g = g·wg⊙u_g; the user's and wg's gradients need only Σ g·i_g.
        for ((x, &a), (si, &b)) in gig
            .iter_mut()
            .zip(s.gw.iter())
            .zip(s.sum_gi.iter_mut().zip(ig))
        {
            *x += g * a;
            *si += g * b;
        }
        // First layer, item half: dL/dW1i += i_m ⊗ δ1, dL/di_m += W1i^T δ1.
        outer_add(im, s.d1, gd.w1i);
        axpys(s.d1, w1io, gim);
        for (x, &dj) in s.sum_d1.iter_mut().zip(s.d1.iter()) {
            *x += dj;
        }
    }
    // The user half of the first layer, the GMF user side and the L2 term, once per chunk.
    let gu = &mut gr.users.row(u)[..row];
    let n = samples.len() as f32;
    loss += f64::from(0.5 * reg * n * dot(user, user));
    for (x, &v) in gu.iter_mut().zip(user) {
        *x += reg * n * v;
    }
    let (ug, um) = user.split_at(ng);
    let (gug, gum) = gu.split_at_mut(ng);
    for ((x, gwx), ((&wv, &uv), &si)) in gug
        .iter_mut()
        .zip(gd.wg.iter_mut())
        .zip(w.wg.iter().zip(ug).zip(s.sum_gi.iter()))
    {
        *x += wv * si;
        *gwx += uv * si;
    }
    for (b, &dj) in gd.b1.iter_mut().zip(s.sum_d1.iter()) {
        *b += dj;
    }
    outer_add(um, s.sum_d1, gd.w1u);
    dots(s.sum_d1, w.w1u, gum);
    loss
}

/// Fold-in's pass over a chunk of one new user's samples: every shared weight and item row frozen,
/// items' first-layer shares precomputed in `pre` (rows of h1). Adds the gradient of the chunk's loss
/// (summed BCE plus (reg/2)·|u|² per sample) with respect to the user's row to `gu`; returns that loss.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn fold_chunk(
    net: &Net,
    user: &[f32],
    items: &[f32],
    pre: &[f32],
    samples: &[(u32, f32)],
    reg: f32,
    gu: &mut [f32],
    s: &mut Scratch,
) -> f64 {
    specialise!(
        net.sh,
        fold_chunk_in(net, user, items, pre, samples, reg, gu, s)
    )
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn fold_chunk_in(
    sh: Shape,
    net: &Net,
    user: &[f32],
    items: &[f32],
    pre: &[f32],
    samples: &[(u32, f32)],
    reg: f32,
    gu: &mut [f32],
    s: &mut Scratch,
) -> f64 {
    let w = sh.split(&net.dense);
    let w2o = net.w2o();
    let (ng, row, h1) = (sh.g, sh.row(), sh.h1);
    let mut s = s.work(sh);
    let user = &user[..row];
    user_part(sh, &w, user, s.a_u, s.gw);
    s.sum_d1.fill(0.0);
    s.sum_gi.fill(0.0);
    let mut loss = 0.0f64;
    for &(i, y) in samples {
        let i = i as usize;
        let ig = &items[i * row..i * row + ng];
        let logit = head(&w, &mut s, &pre[i * h1..(i + 1) * h1], ig);
        let (l, g) = bce(logit, y);
        loss += f64::from(l);
        head_back(&w, w2o, &mut s, g, None);
        for (x, &b) in s.sum_gi.iter_mut().zip(ig) {
            *x += g * b;
        }
        for (x, &dj) in s.sum_d1.iter_mut().zip(s.d1.iter()) {
            *x += dj;
        }
    }
    let gu = &mut gu[..row];
    let n = samples.len() as f32;
    loss += f64::from(0.5 * reg * n * dot(user, user));
    for (x, &v) in gu.iter_mut().zip(user) {
        *x += reg * n * v;
    }
    let (gug, gum) = gu.split_at_mut(ng);
    for ((x, &wv), &si) in gug.iter_mut().zip(w.wg).zip(s.sum_gi.iter()) {
        *x += wv * si;
    }
    dots(s.sum_d1, w.w1u, gum);
    loss
}

/// Scores `candidates` for a block of users given as embedding rows: `out[b][c]` is the logit of
/// candidate c for user b. `pre` holds W1i·i_m of every item (rows of h1).
#[inline(never)]
pub fn score_users(
    net: &Net,
    users: &[&[f32]],
    items: &[f32],
    pre: &[f32],
    candidates: &[u32],
    out: &mut [Vec<f32>],
) {
    specialise!(
        net.sh,
        score_users_in(&net.dense, users, items, pre, candidates, out)
    )
}

#[inline(always)]
fn score_users_in(
    sh: Shape,
    dense: &[f32],
    users: &[&[f32]],
    items: &[f32],
    pre: &[f32],
    candidates: &[u32],
    out: &mut [Vec<f32>],
) {
    let w = sh.split(dense);
    let (ng, row, h1) = (sh.g, sh.row(), sh.h1);
    let mut scratch: Vec<Scratch> = vec![Scratch::new(); users.len()];
    let mut per_user: Vec<Work> = scratch
        .iter_mut()
        .zip(users)
        .map(|(s, u)| {
            let s = s.work(sh);
            user_part(sh, &w, u, s.a_u, s.gw);
            s
        })
        .collect();
    for o in out.iter_mut() {
        o.clear();
    }
    for &c in candidates {
        let c = c as usize;
        let ig = &items[c * row..c * row + ng];
        let p = &pre[c * h1..(c + 1) * h1];
        for (s, o) in per_user.iter_mut().zip(out.iter_mut()) {
            o.push(head(&w, s, p, ig));
        }
    }
}
