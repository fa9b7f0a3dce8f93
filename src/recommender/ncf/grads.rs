//! Gradient buffers of one `ncf` batch: the shared weights' gradient, and the rows of the user and
//! item tables the batch touched, kept compactly.

use super::shape::Shape;

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
    pub fn row(&mut self, r: usize) -> &mut [f32] {
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

    pub fn clear(&mut self) {
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
