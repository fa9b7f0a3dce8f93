//! The layout of `ncf`'s network: layer sizes (`Shape`), where each shared weight lives in the flat
//! weight vector (`Parts`), the budget units each pass costs, and `Net`, the weights with the
//! output-major copies the backward pass reads.

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
    /// The shape of the default config (`ncf_factors` 8), which `net` compiles a specialised path
    /// for.
    pub const DEFAULT: Shape = Shape {
        g: 8,
        m: 8,
        h1: 16,
        h2: 8,
    };

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

    /// W2, output-major (h2 rows of h1).
    pub fn w2o(&self) -> &[f32] {
        &self.back[..self.sh.h2 * self.sh.h1]
    }

    /// W1i, output-major (h1 rows of m).
    pub fn w1io(&self) -> &[f32] {
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
