//! The small dense kernels of `ncf`'s passes. Every sum runs in a fixed order, so native and wasm
//! agree to the bit; the shapes (four lanes, local accumulators) are the ones the compiler turns
//! into packed SIMD operations.

use crate::mf::dot;

/// Widest work vector: h1 = 2d with d ≤ 64 (`ncf_factors`' range).
pub const MAXW: usize = 128;

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
pub fn axpys(x: &[f32], w: &[f32], out: &mut [f32]) {
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
pub fn outer_add(x: &[f32], y: &[f32], out: &mut [f32]) {
    for (&xk, row) in x.iter().zip(out.chunks_exact_mut(y.len())) {
        axpy(xk, y, row);
    }
}

/// out[k] += dot(x, w[k·n..(k+1)·n]) for every input k: an input-major matrix's transpose times
/// `x` (used once per chunk; per sample the output-major copies in `Net` avoid the sums).
#[inline(always)]
pub fn dots(x: &[f32], w: &[f32], out: &mut [f32]) {
    for (o, row) in out.iter_mut().zip(w.chunks_exact(x.len())) {
        *o += dot(row, x);
    }
}
