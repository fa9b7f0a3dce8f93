//! Adam (Kingma & Ba) for `ncf`: one state for a flat block of weights. Embedding tables keep one
//! state per row and step only the rows a batch touched ("lazy" Adam), each row with its own step
//! count for the bias correction, so a rarely seen item is not corrected as if it had been updated
//! every batch. β1 0.9, β2 0.999, ε 1e-8 (the usual values; not config keys).

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPS: f32 = 1e-8;

/// First and second moments of a block of `rows` rows of `width` weights, and each row's β1^t and
/// β2^t (t = the row's step count; kept as running products, cheaper than a power per step and the
/// same on every platform).
#[derive(Clone, Debug)]
pub struct Adam {
    width: usize,
    m: Vec<f32>,
    v: Vec<f32>,
    powers: Vec<(f32, f32)>,
}

impl Adam {
    pub fn new(rows: usize, width: usize) -> Adam {
        Adam {
            width,
            m: vec![0.0; rows * width],
            v: vec![0.0; rows * width],
            powers: vec![(1.0, 1.0); rows],
        }
    }

    /// One Adam step of row `r` of `params` (a table of rows of `width`) with gradient `g`.
    #[inline]
    pub fn step_row(&mut self, params: &mut [f32], r: usize, g: &[f32], lr: f32) {
        let w = self.width;
        let (p1, p2) = &mut self.powers[r];
        *p1 *= BETA1;
        *p2 *= BETA2;
        // Bias correction folded into the step size (sqrt is exact in IEEE 754, so portable).
        let step = lr * (1.0 - *p2).sqrt() / (1.0 - *p1);
        let range = r * w..(r + 1) * w;
        let p = &mut params[range.clone()];
        let m = &mut self.m[range.clone()];
        let v = &mut self.v[range];
        for (((p, m), v), &g) in p.iter_mut().zip(m).zip(v).zip(g) {
            *m = BETA1 * *m + (1.0 - BETA1) * g;
            *v = BETA2 * *v + (1.0 - BETA2) * g * g;
            *p -= step * *m / (v.sqrt() + EPS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_step_moves_each_weight_by_lr_against_its_gradient_sign() {
        let mut a = Adam::new(2, 3);
        let mut p = vec![0.0f32; 6];
        a.step_row(&mut p, 1, &[2.0, -0.5, 0.0], 0.1);
        assert_eq!(&p[..3], &[0.0, 0.0, 0.0]);
        assert!((p[3] + 0.1).abs() < 1e-6 && (p[4] - 0.1).abs() < 1e-6 && p[5] == 0.0);
        assert_eq!(a.powers, vec![(1.0, 1.0), (BETA1, BETA2)]);
    }
}
