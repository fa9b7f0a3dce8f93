//! The NeuMF network of `ncf`: where each weight lives, the forward and backward pass over one
//! user's chunk of (item, target) samples, and scoring. Every user and item has one embedding row
//! `[GMF part (g) | MLP part (m)]`; the shared ("dense") weights are
//! z1 = W1u·u_m + W1i·i_m + b1 (2m → h1), a1 = ReLU(z1), z2 = W2·a1 + b2 (h1 → h2), a2 = ReLU(z2),
//! logit = wg·(u_g ⊙ i_g) + wh·a2 + bo (NeuMF's concatenation of both towers' last layers).
//! Matrices are stored input-major (one row of outputs per input), so the forward pass is a few
//! axpys that vectorise and skip ReLU zeros.
//!
//! The first layer is linear in the user part, so within a chunk (one user, parameters fixed)
//! W1u·u_m plus b1 is computed once, and the user's gradients through it are taken once from the
//! summed δ1: per sample only the item half of the network is paid. Scoring uses the same split
//! with W1i·i_m precomputed per item.

use crate::mf::dot;

/// Layer sizes: embedding sizes `g` (GMF tower) and `m` (MLP tower), MLP hidden widths `h1`, `h2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub g: usize,
    pub m: usize,
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
        self.g + self.m
    }

    fn sizes(&self) -> [usize; 8] {
        let Shape { g, m, h1, h2 } = *self;
        [m * h1, m * h1, h1, h1 * h2, h2, g, h2, 1]
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
        3 * self.m * self.h1 + 3 * self.h1 * self.h2 + 4 * self.row() + 3 * self.h2 + 2 * self.h1
    }

    /// Budget units of one fold-in sample (item half precomputed, no weight gradients).
    pub fn fold_cost(&self) -> usize {
        2 * self.h1 * self.h2 + 2 * self.h1 + 2 * self.g + 3 * self.h2
    }

    /// Budget units of scoring one (user, item) pair.
    pub fn score_cost(&self) -> usize {
        self.h1 * self.h2 + self.h1 + 2 * self.h2 + self.g
    }
}

/// The shared weights, plus output-major copies of W2 and W1i for the backward pass (there the
/// input-major matrices would need one horizontal sum per input; the copies turn those into axpys).
#[derive(Clone, Debug)]
pub struct Net {
    pub sh: Shape,
    pub dense: Vec<f32>,
    /// W2 as h2 rows of h1, then W1i as h1 rows of m.
    back: Vec<f32>,
}

impl Net {
    pub fn new(sh: Shape, dense: Vec<f32>) -> Net {
        let mut net = Net {
            sh,
            dense,
            back: vec![0.0; sh.h1 * (sh.h2 + sh.m)],
        };
        net.refresh();
        net
    }

    /// Recomputes the output-major copies (after every change of `dense`).
    pub fn refresh(&mut self) {
        let sh = self.sh;
        let w = sh.split(&self.dense);
        let (w2o, w1io) = self.back.split_at_mut(sh.h2 * sh.h1);
        transpose(w.w2, sh.h1, sh.h2, w2o);
        transpose(w.w1i, sh.m, sh.h1, w1io);
    }

    fn w2o(&self) -> &[f32] {
        &self.back[..self.sh.h2 * self.sh.h1]
    }

    fn w1io(&self) -> &[f32] {
        &self.back[self.sh.h2 * self.sh.h1..]
    }
}

/// `out` (cols × rows) = transpose of `m` (rows × cols), both row-major.
fn transpose(m: &[f32], rows: usize, cols: usize, out: &mut [f32]) {
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = m[r * cols + c];
        }
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

/// Asks the CPU to start loading `v`'s first cache line (an item row needed a few samples later:
/// rows are visited in random order). No effect on any number; nothing where the target has no
/// prefetch instruction (wasm).
#[inline(always)]
fn prefetch(v: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults and changes no memory.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(v.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = v;
}

/// `out[j] += a · row[j]`, four lanes at a time (the shape SIMD registers take, so the compiler
/// emits packed operations; left to itself it vectorised the wrong loop), then the remainder.
#[inline(always)]
fn axpy(a: f32, row: &[f32], out: &mut [f32]) {
    let mut o4 = out.chunks_exact_mut(4);
    let mut r4 = row.chunks_exact(4);
    for (o, r) in (&mut o4).zip(&mut r4) {
        o[0] += a * r[0];
        o[1] += a * r[1];
        o[2] += a * r[2];
        o[3] += a * r[3];
    }
    for (o, &r) in o4.into_remainder().iter_mut().zip(r4.remainder()) {
        *o += a * r;
    }
}

/// out += Σ_k x[k] · w[k·n..(k+1)·n]: a matrix stored input-major (one row of n outputs per input)
/// times a vector, as axpys into a local accumulator the compiler can keep in registers. No branch
/// on zero inputs: ReLU's zeros fall in no predictable pattern, and a mispredicted branch costs
/// more than the multiply-adds it saves.
#[inline(always)]
fn axpys(x: &[f32], w: &[f32], out: &mut [f32]) {
    // The accumulator's size is a constant the compiler resolves when `out`'s length is known.
    match out.len() {
        0..=8 => axpys_in::<8>(x, w, out),
        9..=16 => axpys_in::<16>(x, w, out),
        17..=32 => axpys_in::<32>(x, w, out),
        _ => axpys_in::<MAXW>(x, w, out),
    }
}

#[inline(always)]
fn axpys_in<const N: usize>(x: &[f32], w: &[f32], out: &mut [f32]) {
    let n = out.len();
    let mut acc = [0.0f32; N];
    let acc = &mut acc[..n];
    acc.copy_from_slice(out);
    for (&xk, row) in x.iter().zip(w.chunks_exact(n)) {
        axpy(xk, row, acc);
    }
    out.copy_from_slice(acc);
}

/// out[k·n..(k+1)·n] += x[k] · y (n = y.len()): the gradient of an input-major matrix.
#[inline(always)]
fn outer_add(x: &[f32], y: &[f32], out: &mut [f32]) {
    for (&xk, row) in x.iter().zip(out.chunks_exact_mut(y.len())) {
        axpy(xk, y, row);
    }
}

/// out[k] += dot(x, w[k·n..(k+1)·n]) for every input k: an input-major matrix's transpose times
/// `x` (used once per chunk; per sample the output-major copies in `Net` avoid the sums).
#[inline(always)]
fn dots(x: &[f32], w: &[f32], out: &mut [f32]) {
    for (o, row) in out.iter_mut().zip(w.chunks_exact(x.len())) {
        *o += dot(row, x);
    }
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

/// Widest work vector: h1 = 2d with d ≤ 64 (`ncf_factors`' range).
const MAXW: usize = 128;

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
/// known at compile time there (about a third faster); with `$sh` itself otherwise.
macro_rules! specialise {
    ($sh:expr, $f:ident($($arg:expr),* $(,)?)) => {{
        const DEFAULT: Shape = Shape { g: 8, m: 8, h1: 16, h2: 8 };
        if $sh == DEFAULT {
            $f(DEFAULT, $($arg),*)
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

/// Gradient buffers of one batch: dense weights, and the user and item rows it touched.
#[derive(Clone, Debug)]
pub struct Grads {
    pub dense: Vec<f32>,
    pub users: Rows,
    pub items: Rows,
}

/// Gradient rows of the embedding-table rows a batch touched, stored compactly in the order of
/// first touch (a few kilobytes that stay in cache, instead of a second full-size table).
#[derive(Clone, Debug)]
pub struct Rows {
    /// Row indices in the order they were first touched.
    pub touched: Vec<u32>,
    values: Vec<f32>,
    width: usize,
    /// Position in `touched` of each table row, or `u32::MAX`.
    slot: Vec<u32>,
}

impl Rows {
    fn new(n: usize, width: usize) -> Rows {
        Rows {
            touched: Vec::new(),
            values: Vec::new(),
            width,
            slot: vec![u32::MAX; n],
        }
    }

    /// The gradient row of table row `r`, recorded as touched.
    #[inline]
    fn row(&mut self, r: usize) -> &mut [f32] {
        let mut k = self.slot[r] as usize;
        if self.slot[r] == u32::MAX {
            k = self.touched.len();
            self.slot[r] = k as u32;
            self.touched.push(r as u32);
            self.values.resize((k + 1) * self.width, 0.0);
        }
        &mut self.values[k * self.width..(k + 1) * self.width]
    }

    /// (table row, gradient row) of every touched row, in the order of first touch.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &[f32])> {
        self.touched
            .iter()
            .map(|&r| r as usize)
            .zip(self.values.chunks_exact(self.width))
    }

    /// The gradient row of table row `r` (zero when untouched).
    #[cfg(test)]
    pub fn get(&self, r: usize) -> Vec<f32> {
        match self.slot[r] {
            u32::MAX => vec![0.0; self.width],
            k => self.values[k as usize * self.width..(k as usize + 1) * self.width].to_vec(),
        }
    }

    fn clear(&mut self) {
        for &r in &self.touched {
            self.slot[r as usize] = u32::MAX;
        }
        self.touched.clear();
        self.values.clear();
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
    for (k, &(i, y)) in samples.iter().enumerate() {
        if let Some(&(next, _)) = samples.get(k + 4) {
            prefetch(&items[next as usize * row..]);
        }
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
