//! The attack network: an MLP with two ReLU hidden layers and a sigmoid output, trained with Adam on
//! binary cross-entropy in seeded mini-batches, and the feature standardiser fitted on its training
//! (shadow) set. The MLP attack (`attack::mlp`) decides how it is trained and used.

use ndarray::ArrayRef2;
use rand_chacha::ChaCha8Rng;

use crate::rng::{shuffle, unit_f32};

/// Per-feature mean and standard deviation of the training set.
#[derive(Clone, Debug)]
pub struct Standardiser {
    mean: Vec<f32>,
    std: Vec<f32>,
}

impl Standardiser {
    pub fn fit(x: &ArrayRef2<f32>) -> Self {
        let n = x.nrows().max(1) as f64;
        let (mut mean, mut std) = (Vec::new(), Vec::new());
        for col in x.columns() {
            let m = col.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            let var = col.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / n;
            mean.push(m as f32);
            let s = var.sqrt() as f32;
            std.push(if s > 1e-8 { s } else { 1.0 });
        }
        Standardiser { mean, std }
    }

    /// Standardised copy of one row.
    pub fn row(&self, x: &[f32]) -> Vec<f32> {
        x.iter()
            .zip(&self.mean)
            .zip(&self.std)
            .map(|((v, m), s)| (v - m) / s)
            .collect()
    }
}

/// A dense layer `out × in` with Adam moments.
#[derive(Clone, Debug)]
struct Dense {
    n_in: usize,
    n_out: usize,
    w: Vec<f32>,
    b: Vec<f32>,
    gw: Vec<f32>,
    gb: Vec<f32>,
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Dense {
    /// He-uniform initialisation, suited to ReLU.
    fn new(rng: &mut ChaCha8Rng, n_in: usize, n_out: usize) -> Self {
        let a = (6.0 / n_in as f32).sqrt();
        let w = (0..n_in * n_out)
            .map(|_| (2.0 * unit_f32(rng) - 1.0) * a)
            .collect();
        let p = n_in * n_out + n_out;
        Dense {
            n_in,
            n_out,
            w,
            b: vec![0.0; n_out],
            gw: vec![0.0; n_in * n_out],
            gb: vec![0.0; n_out],
            m: vec![0.0; p],
            v: vec![0.0; p],
        }
    }

    fn forward(&self, x: &[f32], out: &mut Vec<f32>, relu: bool) {
        out.clear();
        for o in 0..self.n_out {
            let z = crate::mf::dot(&self.w[o * self.n_in..(o + 1) * self.n_in], x) + self.b[o];
            out.push(if relu { z.max(0.0) } else { z });
        }
    }

    /// Accumulates gradients for `grad_out` (∂L/∂z) and writes ∂L/∂x into `grad_in`.
    fn backward(&mut self, x: &[f32], grad_out: &[f32], grad_in: &mut Vec<f32>) {
        grad_in.clear();
        grad_in.resize(self.n_in, 0.0);
        for (o, &g) in grad_out.iter().enumerate() {
            if g == 0.0 {
                continue;
            }
            self.gb[o] += g;
            let row = o * self.n_in..(o + 1) * self.n_in;
            for ((gw, w), (gi, xi)) in self.gw[row.clone()]
                .iter_mut()
                .zip(&self.w[row])
                .zip(grad_in.iter_mut().zip(x))
            {
                *gw += g * xi;
                *gi += g * w;
            }
        }
    }

    fn adam(&mut self, lr: f32, scale: f32, c1: f32, c2: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        let params = self.w.iter_mut().chain(self.b.iter_mut());
        let grads = self.gw.iter_mut().chain(self.gb.iter_mut());
        for (((p, g), m), v) in params
            .zip(grads)
            .zip(self.m.iter_mut())
            .zip(self.v.iter_mut())
        {
            let gr = *g * scale;
            *m = B1 * *m + (1.0 - B1) * gr;
            *v = B2 * *v + (1.0 - B2) * gr * gr;
            *p -= lr * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
            *g = 0.0;
        }
    }
}

/// Logistic loss from a logit, computed stably with one libm for every platform.
fn bce_from_logit(z: f32, y: f32) -> f32 {
    z.max(0.0) - z * y + libm::log1pf(libm::expf(-z.abs()))
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-z))
}

/// Hyper-parameters of the attack model.
#[derive(Clone, Copy, Debug)]
pub struct MlpParams {
    pub hidden1: usize,
    pub hidden2: usize,
    pub lr: f32,
    pub epochs: u32,
    pub batch: usize,
}

/// A trained 2-hidden-layer MLP.
#[derive(Clone, Debug)]
pub struct Mlp {
    layers: [Dense; 3],
    adam_t: (f32, f32),
}

impl Mlp {
    pub fn new(rng: &mut ChaCha8Rng, n_in: usize, p: &MlpParams) -> Self {
        Mlp {
            layers: [
                Dense::new(rng, n_in, p.hidden1),
                Dense::new(rng, p.hidden1, p.hidden2),
                Dense::new(rng, p.hidden2, 1),
            ],
            adam_t: (1.0, 1.0),
        }
    }

    /// The output logit and the activations of each layer's input.
    fn forward(&self, x: &[f32], acts: &mut [Vec<f32>; 4]) -> f32 {
        acts[0].clear();
        acts[0].extend_from_slice(x);
        for l in 0..3 {
            let (inp, out) = acts.split_at_mut(l + 1);
            self.layers[l].forward(&inp[l], &mut out[0], l < 2);
        }
        acts[3][0]
    }

    /// Member probability of one standardised row.
    pub fn predict_row(&self, x: &[f32]) -> f32 {
        sigmoid(self.logit_row(x))
    }

    /// The output logit of one standardised row: the member score without the sigmoid, which
    /// saturates to exactly 1.0 in f32 for confident rows and would tie them.
    pub fn logit_row(&self, x: &[f32]) -> f32 {
        let mut acts: [Vec<f32>; 4] = Default::default();
        self.forward(x, &mut acts)
    }

    /// One epoch of mini-batch Adam over rows `x` with labels `y`; returns the mean loss.
    pub fn train_epoch(
        &mut self,
        rng: &mut ChaCha8Rng,
        x: &[Vec<f32>],
        y: &[f32],
        p: &MlpParams,
    ) -> f64 {
        let mut order: Vec<u32> = (0..x.len() as u32).collect();
        shuffle(rng, &mut order);
        let mut acts: [Vec<f32>; 4] = Default::default();
        let (mut g_a, mut g_b) = (Vec::new(), Vec::new());
        let mut total = 0.0f64;
        for batch in order.chunks(p.batch.max(1)) {
            for &i in batch {
                let (xi, yi) = (&x[i as usize], y[i as usize]);
                let z = self.forward(xi, &mut acts);
                total += f64::from(bce_from_logit(z, yi));
                g_a.clear();
                g_a.push(sigmoid(z) - yi);
                for l in (0..3).rev() {
                    self.layers[l].backward(&acts[l], &g_a, &mut g_b);
                    if l > 0 {
                        // ReLU: no gradient where the activation was clipped to zero
                        for (g, a) in g_b.iter_mut().zip(&acts[l]) {
                            if *a <= 0.0 {
                                *g = 0.0;
                            }
                        }
                    }
                    std::mem::swap(&mut g_a, &mut g_b);
                }
            }
            self.adam_t.0 *= 0.9;
            self.adam_t.1 *= 0.999;
            let (c1, c2) = (1.0 - self.adam_t.0, 1.0 - self.adam_t.1);
            let scale = 1.0 / batch.len() as f32;
            for layer in &mut self.layers {
                layer.adam(p.lr, scale, c1, c2);
            }
        }
        total / x.len().max(1) as f64
    }

    /// Mean loss over a data set without training.
    pub fn loss(&self, x: &[Vec<f32>], y: &[f32]) -> f64 {
        let mut acts: [Vec<f32>; 4] = Default::default();
        let total: f64 = x
            .iter()
            .zip(y)
            .map(|(xi, &yi)| f64::from(bce_from_logit(self.forward(xi, &mut acts), yi)))
            .sum();
        total / x.len().max(1) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    #[test]
    fn learns_a_separable_toy_set() {
        // Class = sign of x0 + x1 (non-trivial for a single feature), with a third noise feature.
        let mut rng = rng_for(5, Stream::AttackModel);
        let x: Vec<Vec<f32>> = (0..200)
            .map(|_| (0..3).map(|_| 2.0 * unit_f32(&mut rng) - 1.0).collect())
            .collect();
        let y: Vec<f32> = x
            .iter()
            .map(|r| if r[0] + r[1] > 0.0 { 1.0 } else { 0.0 })
            .collect();
        let p = MlpParams {
            hidden1: 16,
            hidden2: 8,
            lr: 0.01,
            epochs: 0,
            batch: 16,
        };
        let mut m = Mlp::new(&mut rng, 3, &p);
        let before = m.loss(&x, &y);
        for _ in 0..150 {
            m.train_epoch(&mut rng, &x, &y, &p);
        }
        let after = m.loss(&x, &y);
        assert!(after < before * 0.3, "loss {before} -> {after}");
        let correct = x
            .iter()
            .zip(&y)
            .filter(|(r, &l)| (m.predict_row(r) >= 0.5) == (l == 1.0))
            .count();
        assert!(correct >= 190, "{correct}/200 correct");
    }

    /// A plain f64 re-implementation of the network: forward, backpropagation and Adam written
    /// out from their textbook definitions, to check `Mlp` against.
    struct Reference {
        /// Per layer: (weights out × in, biases, n_in).
        layers: Vec<(Vec<f64>, Vec<f64>, usize)>,
        m: Vec<Vec<f64>>,
        v: Vec<Vec<f64>>,
        t: i32,
    }

    impl Reference {
        fn of(mlp: &Mlp) -> Reference {
            let f = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
            let layers: Vec<_> = mlp
                .layers
                .iter()
                .map(|d| (f(&d.w), f(&d.b), d.n_in))
                .collect();
            let zeros: Vec<Vec<f64>> = layers
                .iter()
                .map(|(w, b, _)| vec![0.0; w.len() + b.len()])
                .collect();
            Reference {
                layers,
                m: zeros.clone(),
                v: zeros,
                t: 0,
            }
        }

        /// Inputs of each layer and the output logit.
        fn forward(&self, x: &[f32]) -> (Vec<Vec<f64>>, f64) {
            let mut acts = vec![x.iter().map(|&v| f64::from(v)).collect::<Vec<f64>>()];
            for (l, (w, b, n_in)) in self.layers.iter().enumerate() {
                let a = acts.last().unwrap();
                let z: Vec<f64> = (0..b.len())
                    .map(|o| (0..*n_in).map(|i| w[o * n_in + i] * a[i]).sum::<f64>() + b[o])
                    .collect();
                acts.push(if l < 2 {
                    z.iter().map(|&v| v.max(0.0)).collect()
                } else {
                    z
                });
            }
            let out = acts.pop().unwrap()[0];
            (acts, out)
        }

        /// One epoch; returns the mean loss of the samples as they were met.
        fn epoch(&mut self, order: &[u32], x: &[Vec<f32>], y: &[f32], p: &MlpParams) -> f64 {
            let mut total = 0.0;
            for batch in order.chunks(p.batch) {
                let mut grads: Vec<Vec<f64>> = self.m.iter().map(|g| vec![0.0; g.len()]).collect();
                for &i in batch {
                    let (acts, z) = self.forward(&x[i as usize]);
                    let yi = f64::from(y[i as usize]);
                    total += -(yi * (1.0 / (1.0 + (-z).exp())).ln()
                        + (1.0 - yi) * (1.0 / (1.0 + z.exp())).ln());
                    let mut dz = vec![1.0 / (1.0 + (-z).exp()) - f64::from(y[i as usize])];
                    for l in (0..3).rev() {
                        let (w, b, n_in) = &self.layers[l];
                        let a = &acts[l];
                        let mut da = vec![0.0; *n_in];
                        for o in 0..b.len() {
                            for j in 0..*n_in {
                                grads[l][o * n_in + j] += dz[o] * a[j];
                                da[j] += dz[o] * w[o * n_in + j];
                            }
                            grads[l][w.len() + o] += dz[o];
                        }
                        // through the ReLU that produced a (none below the input layer)
                        dz = da
                            .iter()
                            .zip(a)
                            .map(|(d, &a)| if a > 0.0 { *d } else { 0.0 })
                            .collect();
                    }
                }
                self.t += 1;
                let (c1, c2) = (1.0 - 0.9f64.powi(self.t), 1.0 - 0.999f64.powi(self.t));
                for (l, grads) in grads.iter().enumerate() {
                    let (w, b, _) = &mut self.layers[l];
                    let n_w = w.len();
                    for (j, g) in grads.iter().enumerate() {
                        let g = g / batch.len() as f64;
                        let (m, v) = (&mut self.m[l][j], &mut self.v[l][j]);
                        *m = 0.9 * *m + 0.1 * g;
                        *v = 0.999 * *v + 0.001 * g * g;
                        let step = f64::from(p.lr) * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
                        if j < n_w {
                            w[j] -= step;
                        } else {
                            b[j - n_w] -= step;
                        }
                    }
                }
            }
            total / x.len() as f64
        }
    }

    #[test]
    fn training_matches_a_textbook_reference() {
        let mut rng = rng_for(3, Stream::AttackModel);
        let x: Vec<Vec<f32>> = (0..11)
            .map(|_| (0..3).map(|_| 4.0 * unit_f32(&mut rng) - 2.0).collect())
            .collect();
        let y: Vec<f32> = x
            .iter()
            .map(|r| if r[0] > r[2] { 1.0 } else { 0.0 })
            .collect();
        // batches of 4, 4 and 3: the last batch's mean uses its own size
        let p = MlpParams {
            hidden1: 6,
            hidden2: 4,
            lr: 0.05,
            epochs: 0,
            batch: 4,
        };
        let mut mlp = Mlp::new(&mut rng, 3, &p);
        // He-uniform initialisation: |w| ≤ √(6 / n_in), biases 0
        for d in &mlp.layers {
            let a = (6.0 / d.n_in as f32).sqrt();
            assert_eq!((d.w.len(), d.b.len()), (d.n_in * d.n_out, d.n_out));
            assert!(d.w.iter().all(|w| w.abs() <= a) && d.w.iter().any(|w| w.abs() > 0.5 * a));
            assert!(d.w.iter().any(|&w| w < 0.0) && d.b.iter().all(|&b| b == 0.0));
        }
        let mut reference = Reference::of(&mlp);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * (1.0 + b.abs());
        for _ in 0..3 {
            let mut order: Vec<u32> = (0..x.len() as u32).collect();
            shuffle(&mut rng.clone(), &mut order);
            let loss = mlp.train_epoch(&mut rng, &x, &y, &p);
            let expected_loss = reference.epoch(&order, &x, &y, &p);
            assert!(
                close(loss, expected_loss),
                "epoch loss {loss} vs {expected_loss}"
            );
            for (d, (w, b, _)) in mlp.layers.iter().zip(&reference.layers) {
                for (a, e) in d.w.iter().chain(&d.b).zip(w.iter().chain(b)) {
                    assert!(close(f64::from(*a), *e), "parameter {a} vs reference {e}");
                }
            }
            assert!(loss > 0.0 && loss.is_finite());
        }
        // logits, probabilities and the mean loss of the trained network
        let bce = |z: f64, y: f64| {
            -(y * (1.0 / (1.0 + (-z).exp())).ln() + (1.0 - y) * (1.0 / (1.0 + z.exp())).ln())
        };
        let mut mean = 0.0;
        for (r, &l) in x.iter().zip(&y) {
            let (_, z) = reference.forward(r);
            assert!(close(f64::from(mlp.logit_row(r)), z));
            assert!(close(
                f64::from(mlp.predict_row(r)),
                1.0 / (1.0 + (-z).exp())
            ));
            mean += bce(z, f64::from(l)) / x.len() as f64;
        }
        assert!(
            close(mlp.loss(&x, &y), mean),
            "{} vs {mean}",
            mlp.loss(&x, &y)
        );
    }

    #[test]
    fn adam_first_step_is_lr_times_the_sign_damped_by_epsilon() {
        let mut d = Dense::new(&mut rng_for(0, Stream::AttackModel), 1, 2);
        let w0 = d.w.clone();
        d.gw = vec![2.0, 1e-8];
        d.gb = vec![-4.0, 0.0];
        // first step: bias corrections 1 − β₁ and 1 − β₂, so m̂ = g and v̂ = g² (scale ½ halves g)
        d.adam(0.5, 0.5, 1.0 - 0.9, 1.0 - 0.999);
        let moved: Vec<f32> = d.w.iter().zip(&w0).map(|(w, w0)| w0 - w).collect();
        // a gradient of 0.5e-8 is damped by ε = 1e-8 to a third of the step
        assert!(
            (moved[0] - 0.5).abs() < 1e-4 && (moved[1] - 0.5 / 3.0).abs() < 1e-4,
            "{moved:?}"
        );
        assert!((d.b[0] - 0.5).abs() < 1e-4 && d.b[1] == 0.0, "{:?}", d.b);
        // gradients are consumed
        assert!(d.gw.iter().chain(&d.gb).all(|&g| g == 0.0));
    }

    #[test]
    fn standardiser_centres_and_scales() {
        let x = ndarray::array![[1.0f32, 5.0], [3.0, 5.0]];
        let s = Standardiser::fit(&x);
        assert_eq!(s.row(&[1.0, 5.0]), vec![-1.0, 0.0]);
        assert_eq!(s.row(&[3.0, 7.0]), vec![1.0, 2.0]);
        // three rows: mean 1, population variance (1 + 1 + 4) / 3 = 2
        let s = Standardiser::fit(&ndarray::array![[0.0f32], [0.0], [3.0]]);
        let z = s.row(&[3.0])[0];
        assert!((z - 2f32.sqrt()).abs() < 1e-6, "{z}");
        // a spread of exactly 1e-8 counts as constant: only centred, not divided by it
        let a = 1e-8f32;
        let s = Standardiser::fit(&ndarray::array![[-a], [a]]);
        assert_eq!(s.row(&[a]), vec![a]);
    }

    #[test]
    fn bce_is_stable_for_large_logits() {
        assert!(bce_from_logit(100.0, 1.0) < 1e-6);
        assert!((bce_from_logit(100.0, 0.0) - 100.0).abs() < 1e-3);
        assert!((bce_from_logit(2.0, 1.0) - (1.0 + (-2.0f32).exp()).ln()).abs() < 1e-6);
        assert!((bce_from_logit(-2.0, 0.0) - (1.0 + (-2.0f32).exp()).ln()).abs() < 1e-6);
        assert!((sigmoid(2.0) - 1.0 / (1.0 + (-2.0f32).exp())).abs() < 1e-7);
        assert!((bce_from_logit(-100.0, 1.0) - 100.0).abs() < 1e-3);
        assert!((bce_from_logit(0.0, 0.0) - std::f32::consts::LN_2).abs() < 1e-6);
    }
}
