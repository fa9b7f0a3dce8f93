//! The NeuMF network of `ncf`: where each weight lives, the forward and backward pass over one
//! user's batch of (item, target) samples, and scoring. Every user and item has one embedding row
//! `[GMF part (d) | MLP part (d)]`; the shared ("dense") weights are
//! z1 = W1u·u_m + W1i·i_m + b1 (2d → h1), a1 = ReLU(z1), z2 = W2·a1 + b2 (h1 → h2), a2 = ReLU(z2),
//! logit = wg·(u_g ⊙ i_g) + wh·a2 + bo (NeuMF's concatenation of both towers' last layers).
//! Matrices are stored input-major (one row of outputs per input), so the forward pass is a few
//! axpys that vectorise and skip ReLU zeros.
//!
//! The first layer is linear in the user part, so within a chunk (one user, parameters fixed)
//! W1u·u_m plus b1 is computed once, and the user's gradients through it are taken once from the
//! summed δ1: per sample only the item half of the network is paid. Scoring uses the same split
//! with W1i·i_m precomputed per item.

use crate::mf::dot;

/// Layer sizes: embedding size `d` per tower, MLP hidden widths `h1`, `h2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub d: usize,
    pub h1: usize,
    pub h2: usize,
}

/// Views of the dense weights (or of their gradients / optimiser moments, same layout).
pub struct Parts<T> {
    pub w1u: T,
    pub w1i: T,
    pub b1: T,
    pub w2: T,
    pub b2: T,
    pub wg: T,
    pub wh: T,
    pub bo: T,
}

impl Shape {
    /// Width of one embedding row: GMF part then MLP part.
    pub fn row(&self) -> usize {
        2 * self.d
    }

    fn sizes(&self) -> [usize; 8] {
        let Shape { d, h1, h2 } = *self;
        [h1 * d, h1 * d, h1, h2 * h1, h2, d, h2, 1]
    }

    /// Number of dense (shared) weights.
    pub fn n_dense(&self) -> usize {
        self.sizes().iter().sum()
    }

    pub fn split<'a>(&self, mut s: &'a [f32]) -> Parts<&'a [f32]> {
        let mut take = |n: usize| {
            let (a, rest) = s.split_at(n);
            s = rest;
            a
        };
        let [a, b, c, e, f, g, h, i] = self.sizes();
        Parts {
            w1u: take(a),
            w1i: take(b),
            b1: take(c),
            w2: take(e),
            b2: take(f),
            wg: take(g),
            wh: take(h),
            bo: take(i),
        }
    }

    pub fn split_mut<'a>(&self, s: &'a mut [f32]) -> Parts<&'a mut [f32]> {
        let [a, b, c, e, f, g, h, _] = self.sizes();
        let (w1u, s) = s.split_at_mut(a);
        let (w1i, s) = s.split_at_mut(b);
        let (b1, s) = s.split_at_mut(c);
        let (w2, s) = s.split_at_mut(e);
        let (b2, s) = s.split_at_mut(f);
        let (wg, s) = s.split_at_mut(g);
        let (wh, bo) = s.split_at_mut(h);
        Parts {
            w1u,
            w1i,
            b1,
            w2,
            b2,
            wg,
            wh,
            bo,
        }
    }

    /// Budget units (≈ multiply-adds) of one training sample, forward and backward.
    pub fn train_cost(&self) -> usize {
        4 * self.h1 * self.d + 3 * self.h1 * self.h2 + 4 * self.d + 3 * self.h2 + 2 * self.h1
    }

    /// Budget units of one fold-in sample (item half precomputed, no weight gradients).
    pub fn fold_cost(&self) -> usize {
        2 * self.h1 * self.h2 + 2 * self.h1 + 2 * self.d + 3 * self.h2
    }

    /// Budget units of scoring one (user, item) pair.
    pub fn score_cost(&self) -> usize {
        self.h1 * self.h2 + self.h1 + 2 * self.h2 + self.d
    }
}

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

/// out += Σ_k x[k] · w[k·n..(k+1)·n]: a matrix stored input-major (one row of n outputs per input)
/// times a vector, as axpys that vectorise; inputs that are zero (ReLU) are skipped.
#[inline(always)]
fn axpys(x: &[f32], w: &[f32], out: &mut [f32]) {
    let n = out.len();
    for (&xk, row) in x.iter().zip(w.chunks_exact(n)) {
        if xk != 0.0 {
            for (o, &v) in out.iter_mut().zip(row) {
                *o += xk * v;
            }
        }
    }
}

/// out[k·n..(k+1)·n] += x[k] · y (n = y.len()): the gradient of an input-major matrix; zero inputs
/// are skipped.
#[inline(always)]
fn outer_add(x: &[f32], y: &[f32], out: &mut [f32]) {
    for (&xk, row) in x.iter().zip(out.chunks_exact_mut(y.len())) {
        if xk != 0.0 {
            for (o, &v) in row.iter_mut().zip(y) {
                *o += xk * v;
            }
        }
    }
}

/// dot(x, w[k·n..(k+1)·n]) for every input k: an input-major matrix's transpose times `x`.
#[inline(always)]
fn dots(x: &[f32], w: &[f32], out: &mut [f32]) {
    for (o, row) in out.iter_mut().zip(w.chunks_exact(x.len())) {
        *o += dot(row, x);
    }
}

/// Per-user quantities: `a_u` = b1 + W1u·u_m and `gw` = wg ⊙ u_g.
#[inline]
pub fn user_part(sh: Shape, w: &Parts<&[f32]>, user: &[f32], a_u: &mut [f32], gw: &mut [f32]) {
    let (ug, um) = user.split_at(sh.d);
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
    axpys(&item[sh.d..], w.w1i, out);
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

/// Work vectors of one pass, allocated once.
#[derive(Clone, Debug)]
pub struct Scratch {
    a_u: Vec<f32>,
    gw: Vec<f32>,
    pre: Vec<f32>,
    a1: Vec<f32>,
    a2: Vec<f32>,
    d1: Vec<f32>,
    d2: Vec<f32>,
    sum_d1: Vec<f32>,
    sum_gi: Vec<f32>,
}

impl Scratch {
    pub fn new(sh: Shape) -> Scratch {
        Scratch {
            a_u: vec![0.0; sh.h1],
            gw: vec![0.0; sh.d],
            pre: vec![0.0; sh.h1],
            a1: vec![0.0; sh.h1],
            a2: vec![0.0; sh.h2],
            d1: vec![0.0; sh.h1],
            d2: vec![0.0; sh.h2],
            sum_d1: vec![0.0; sh.h1],
            sum_gi: vec![0.0; sh.d],
        }
    }
}

/// The forward pass from z1's item share `pre_i` (W1i·i_m) to the logit, given the user's `a_u` and
/// `gw` in `s`; leaves a1 and a2 in `s`. Training and scoring both use it, so a member's score is
/// exactly the logit training saw.
#[inline(always)]
fn head(w: &Parts<&[f32]>, s: &mut Scratch, pre_i: &[f32], ig: &[f32]) -> f32 {
    for ((a, &u), &p) in s.a1.iter_mut().zip(&s.a_u).zip(pre_i) {
        *a = (u + p).max(0.0);
    }
    s.a2.copy_from_slice(w.b2);
    axpys(&s.a1, w.w2, &mut s.a2);
    for a in s.a2.iter_mut() {
        *a = a.max(0.0);
    }
    dot(&s.gw, ig) + dot(w.wh, &s.a2) + w.bo[0]
}

/// Backward from dL/dlogit `g` to δ1 = dL/dz1 (in `s.d1`), given a1 and a2 of the same sample in
/// `s`; adds dL/dW2, dL/db2, dL/dwh, dL/dbo to `grads` when given.
#[inline(always)]
fn head_back(w: &Parts<&[f32]>, s: &mut Scratch, g: f32, grads: Option<&mut Parts<&mut [f32]>>) {
    for ((d, &a), &v) in s.d2.iter_mut().zip(&s.a2).zip(w.wh) {
        *d = if a > 0.0 { g * v } else { 0.0 };
    }
    let h2 = s.d2.len();
    for ((x, &a), row) in s.d1.iter_mut().zip(&s.a1).zip(w.w2.chunks_exact(h2)) {
        *x = if a > 0.0 { dot(row, &s.d2) } else { 0.0 };
    }
    if let Some(gr) = grads {
        gr.bo[0] += g;
        for (x, &a) in gr.wh.iter_mut().zip(&s.a2) {
            *x += g * a;
        }
        for (b, &d) in gr.b2.iter_mut().zip(&s.d2) {
            *b += d;
        }
        outer_add(&s.a1, &s.d2, gr.w2);
    }
}

/// Gradient buffers of one batch: dense weights, and the user and item rows it touched.
#[derive(Clone, Debug)]
pub struct Grads {
    pub dense: Vec<f32>,
    pub users: Rows,
    pub items: Rows,
}

/// Gradient rows of an embedding table; only rows listed in `touched` are non-zero.
#[derive(Clone, Debug)]
pub struct Rows {
    pub values: Vec<f32>,
    pub touched: Vec<u32>,
    width: usize,
    marked: Vec<bool>,
}

impl Rows {
    fn new(n: usize, width: usize) -> Rows {
        Rows {
            values: vec![0.0; n * width],
            touched: Vec::new(),
            width,
            marked: vec![false; n],
        }
    }

    /// Row `r`, recorded as touched.
    #[inline]
    fn row(&mut self, r: usize) -> &mut [f32] {
        if !self.marked[r] {
            self.marked[r] = true;
            self.touched.push(r as u32);
        }
        &mut self.values[r * self.width..(r + 1) * self.width]
    }

    /// Row `r` (read only).
    pub fn get(&self, r: usize) -> &[f32] {
        &self.values[r * self.width..(r + 1) * self.width]
    }

    fn clear(&mut self) {
        for &r in &self.touched {
            let r = r as usize;
            self.values[r * self.width..(r + 1) * self.width].fill(0.0);
            self.marked[r] = false;
        }
        self.touched.clear();
    }
}

impl Grads {
    pub fn new(sh: Shape, n_users: usize, n_items: usize) -> Grads {
        Grads {
            dense: vec![0.0; sh.n_dense()],
            users: Rows::new(n_users, sh.row()),
            items: Rows::new(n_items, sh.row()),
        }
    }

    /// Zeroes every buffer (after the optimiser used them).
    pub fn clear(&mut self) {
        self.dense.fill(0.0);
        self.users.clear();
        self.items.clear();
    }
}

/// Forward and backward over a chunk of user `u`'s `(item, target)` samples with every parameter
/// fixed; adds the gradients of the chunk's loss to `gr` and returns that loss: the summed BCE plus
/// (reg/2)·(|u|² + |i|²) per sample, the L2 penalty of the embeddings each sample uses (as the
/// LFM's per-sample SGD regularises).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn train_chunk(
    sh: Shape,
    dense: &[f32],
    u: usize,
    users: &[f32],
    items: &[f32],
    samples: &[(u32, f32)],
    reg: f32,
    gr: &mut Grads,
    s: &mut Scratch,
) -> f64 {
    let w = sh.split(dense);
    let (d, row) = (sh.d, sh.row());
    let user = &users[u * row..(u + 1) * row];
    user_part(sh, &w, user, &mut s.a_u, &mut s.gw);
    s.sum_d1.fill(0.0);
    s.sum_gi.fill(0.0);
    let mut loss = 0.0f64;
    let mut gd = sh.split_mut(&mut gr.dense);
    for &(i, y) in samples {
        let i = i as usize;
        let it = &items[i * row..(i + 1) * row];
        let (ig, im) = it.split_at(d);
        let mut pre = std::mem::take(&mut s.pre);
        item_part(sh, &w, it, &mut pre);
        let logit = head(&w, s, &pre, ig);
        s.pre = pre;
        let (l, g) = bce(logit, y);
        loss += f64::from(l);
        head_back(&w, s, g, Some(&mut gd));
        let gi = gr.items.row(i);
        loss += f64::from(0.5 * reg * dot(it, it));
        for (x, &v) in gi.iter_mut().zip(it) {
            *x += reg * v;
        }
        let (gig, gim) = gi.split_at_mut(d);
        // GMF: dL/di_g = g·wg⊙u_g; the user's and wg's gradients need only Σ g·i_g.
        for ((x, &a), (si, &b)) in gig.iter_mut().zip(&s.gw).zip(s.sum_gi.iter_mut().zip(ig)) {
            *x += g * a;
            *si += g * b;
        }
        // First layer, item half: dL/dW1i += i_m ⊗ δ1, dL/di_m += W1i^T δ1.
        outer_add(im, &s.d1, gd.w1i);
        dots(&s.d1, w.w1i, gim);
        for (x, &dj) in s.sum_d1.iter_mut().zip(&s.d1) {
            *x += dj;
        }
    }
    // The user half of the first layer, the GMF user side and the L2 term, once per chunk.
    let gu = gr.users.row(u);
    let n = samples.len() as f32;
    loss += f64::from(0.5 * reg * n * dot(user, user));
    for (x, &v) in gu.iter_mut().zip(user) {
        *x += reg * n * v;
    }
    let (ug, um) = user.split_at(d);
    let (gug, gum) = gu.split_at_mut(d);
    for ((x, gwx), ((&wv, &uv), &si)) in gug
        .iter_mut()
        .zip(gd.wg.iter_mut())
        .zip(w.wg.iter().zip(ug).zip(&s.sum_gi))
    {
        *x += wv * si;
        *gwx += uv * si;
    }
    for (b, &dj) in gd.b1.iter_mut().zip(&s.sum_d1) {
        *b += dj;
    }
    outer_add(um, &s.sum_d1, gd.w1u);
    dots(&s.sum_d1, w.w1u, gum);
    loss
}

/// Fold-in's pass over a chunk of one new user's samples: every shared weight and item row frozen,
/// items' first-layer shares precomputed in `pre` (rows of h1). Adds the gradient of the chunk's loss
/// (summed BCE plus (reg/2)·|u|² per sample) with respect to the user's row to `gu`; returns that loss.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub fn fold_chunk(
    sh: Shape,
    dense: &[f32],
    user: &[f32],
    items: &[f32],
    pre: &[f32],
    samples: &[(u32, f32)],
    reg: f32,
    gu: &mut [f32],
    s: &mut Scratch,
) -> f64 {
    let w = sh.split(dense);
    let (d, row, h1) = (sh.d, sh.row(), sh.h1);
    user_part(sh, &w, user, &mut s.a_u, &mut s.gw);
    s.sum_d1.fill(0.0);
    s.sum_gi.fill(0.0);
    let mut loss = 0.0f64;
    for &(i, y) in samples {
        let i = i as usize;
        let ig = &items[i * row..i * row + d];
        let logit = head(&w, s, &pre[i * h1..(i + 1) * h1], ig);
        let (l, g) = bce(logit, y);
        loss += f64::from(l);
        head_back(&w, s, g, None);
        for (x, &b) in s.sum_gi.iter_mut().zip(ig) {
            *x += g * b;
        }
        for (x, &dj) in s.sum_d1.iter_mut().zip(&s.d1) {
            *x += dj;
        }
    }
    let n = samples.len() as f32;
    loss += f64::from(0.5 * reg * n * dot(user, user));
    for (x, &v) in gu.iter_mut().zip(user) {
        *x += reg * n * v;
    }
    let (gug, gum) = gu.split_at_mut(d);
    for ((x, &wv), &si) in gug.iter_mut().zip(w.wg).zip(&s.sum_gi) {
        *x += wv * si;
    }
    dots(&s.sum_d1, w.w1u, gum);
    loss
}

/// Scores `candidates` for a block of users given as embedding rows: `out[b][c]` is the logit of
/// candidate c for user b. `pre` holds W1i·i_m of every item (rows of h1).
#[inline(never)]
pub fn score_users(
    sh: Shape,
    dense: &[f32],
    users: &[&[f32]],
    items: &[f32],
    pre: &[f32],
    candidates: &[u32],
    out: &mut [Vec<f32>],
) {
    let w = sh.split(dense);
    let (d, row, h1) = (sh.d, sh.row(), sh.h1);
    let mut per_user: Vec<Scratch> = users
        .iter()
        .map(|u| {
            let mut s = Scratch::new(sh);
            user_part(sh, &w, u, &mut s.a_u, &mut s.gw);
            s
        })
        .collect();
    for o in out.iter_mut() {
        o.clear();
    }
    for &c in candidates {
        let c = c as usize;
        let ig = &items[c * row..c * row + d];
        let p = &pre[c * h1..(c + 1) * h1];
        for (s, o) in per_user.iter_mut().zip(out.iter_mut()) {
            o.push(head(&w, s, p, ig));
        }
    }
}
