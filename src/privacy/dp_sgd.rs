//! Building blocks of DP-SGD (Abadi et al. 2016) for the matrix-factorisation trainer: Poisson
//! sampling of a mini-batch, per-example L2 clipping, Gaussian noise, the validated parameters and
//! the `privacy` object a run result carries.
//!
//! One step, as the trainer is meant to call them: draw the batch with [`poisson_batch`], compute
//! each example's gradient, [`clip_l2`] it to norm C and add it to a sum, then [`noisy_average`]
//! the sum (noise N(0, (σC)²) per coordinate, divided by the *expected* batch size q·n: dividing by
//! the drawn size would make the size itself leak). The accountant's ε then holds for the unit that
//! was sampled and clipped: an interaction gives interaction-level privacy; membership of a *user*
//! is only covered when the example is the user's whole contribution.
//!
//! Randomness: every draw is a `u32` from the caller's ChaCha8 stream (see `crate::rng`), and the
//! Gaussian uses `libm`, so native and wasm builds draw the same numbers.

use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::privacy::accountant::sampled_gaussian_epsilon;
use crate::privacy::audit::AuditResult;

/// Largest accepted noise multiplier σ: far beyond any useful setting, it only catches typos.
pub const MAX_NOISE: f64 = 100.0;
/// Largest accepted clipping norm C.
pub const MAX_CLIP: f64 = 1000.0;
/// Largest accepted number of DP-SGD steps.
pub const MAX_STEPS: u64 = 100_000_000;

/// DP-SGD settings of one training. Config keys: `dp_noise`, `dp_clip`, `dp_sampling_rate`,
/// `dp_steps` (and `dp_delta` for [`DpSgdParams::privacy_spent`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DpSgdParams {
    /// σ: standard deviation of the noise over the clipping norm; > 0 and ≤ 100.
    pub noise_multiplier: f64,
    /// C: per-example gradient L2 norm bound; > 0 and ≤ 1000.
    pub clip: f64,
    /// q: probability that each example joins a step's batch (Poisson sampling); > 0 and ≤ 1.
    pub sampling_rate: f64,
    /// T: number of noisy steps; 1 to 10^8.
    pub steps: u64,
}

/// What ε is a guarantee about: the `covers` statement of a run's `privacy` object. Serialised as
/// its one-line statement (`text`), and read back from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// DP-SGD served by fold-in: every list comes from the private item rows.
    FoldIn,
    /// DP-SGD under protocol popular: the protocol itself tells members from non-members.
    Popular,
    /// No DP training (an audited undefended run): ε is unbounded.
    Nothing,
}

impl Coverage {
    pub const ALL: [Coverage; 3] = [Coverage::FoldIn, Coverage::Popular, Coverage::Nothing];

    /// The statement, one line.
    pub fn text(self) -> &'static str {
        match self {
            Coverage::FoldIn => "the item rows, against adding or removing one member with all their interactions; every list is made from them, the public catalogue (every item of the data set) and the same share of each user's own history for members and non-members, so any membership attack has TPR ≤ e^ε·FPR + δ",
            Coverage::Popular => "the item rows only: under protocol popular members get personal lists and non-members the popularity list, counted from members' data and not private, so the protocol itself reveals membership and ε bounds nothing about it",
            Coverage::Nothing => "nothing: the target trains without differential privacy (ε is unbounded); the audit shows how much its training reveals",
        }
    }
}

impl Serialize for Coverage {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
}

impl<'de> Deserialize<'de> for Coverage {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Coverage::ALL
            .into_iter()
            .find(|c| c.text() == text)
            .ok_or_else(|| serde::de::Error::custom("unknown privacy coverage statement"))
    }
}

/// ε in JSON: a number, or `null` for no guarantee (∞, which JSON cannot hold).
mod epsilon_or_null {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(e: &f64, s: S) -> Result<S::Ok, S::Error> {
        if e.is_finite() {
            s.serialize_some(e)
        } else {
            s.serialize_none()
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
    }
}

/// The privacy a DP-SGD training spent: the `privacy` object of a run result's JSON.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivacySpent {
    /// ε of the (ε, δ)-DP guarantee (RDP accountant, minimised over its orders); ∞ (`null` in
    /// JSON) for an audited run without DP.
    #[serde(with = "epsilon_or_null")]
    pub epsilon: f64,
    /// δ the ε holds for.
    pub delta: f64,
    /// σ used.
    pub noise_multiplier: f64,
    /// q used.
    pub sampling_rate: f64,
    /// T: steps taken.
    pub steps: u64,
    /// What ε is a guarantee about (`Coverage::text`).
    pub covers: Coverage,
    /// The one-run audit's empirical lower bound on ε (`null` when not audited).
    pub audit: Option<AuditResult>,
}

impl PrivacySpent {
    /// The `privacy` object of an audited run without DP: ε = ∞ (no guarantee), no noise, no DP
    /// steps; `delta` is the δ the audit tests.
    pub fn none(delta: f64) -> PrivacySpent {
        PrivacySpent {
            epsilon: f64::INFINITY,
            delta,
            noise_multiplier: 0.0,
            sampling_rate: 1.0,
            steps: 0,
            covers: Coverage::Nothing,
            audit: None,
        }
    }
}

/// `lo < v ≤ hi` and finite, else a config error naming `key` and the range.
fn in_half_open(key: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
    if v.is_finite() && v > lo && v <= hi {
        Ok(())
    } else {
        Err(Error::config(key, format!("{v} must be > {lo} and ≤ {hi}")))
    }
}

/// δ of an (ε, δ) guarantee: strictly between 0 and 1 (config key `dp_delta`).
pub fn check_delta(delta: f64) -> Result<()> {
    if delta.is_finite() && delta > 0.0 && delta < 1.0 {
        Ok(())
    } else {
        Err(Error::config(
            "dp_delta",
            format!("{delta} must lie strictly between 0 and 1"),
        ))
    }
}

impl DpSgdParams {
    /// Validates every field; the error names the config key and the allowed range.
    pub fn check(&self) -> Result<()> {
        in_half_open("dp_noise", self.noise_multiplier, 0.0, MAX_NOISE)?;
        in_half_open("dp_clip", self.clip, 0.0, MAX_CLIP)?;
        in_half_open("dp_sampling_rate", self.sampling_rate, 0.0, 1.0)?;
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(Error::config(
                "dp_steps",
                format!("{} is out of range (allowed 1 to {MAX_STEPS})", self.steps),
            ));
        }
        Ok(())
    }

    /// Standard deviation σ·C of the noise added to each coordinate of a step's gradient sum.
    pub fn noise_std(&self) -> f64 {
        self.noise_multiplier * self.clip
    }

    /// The privacy spent by `steps` steps at the given δ, ready for the run result (not yet
    /// audited).
    pub fn privacy_spent(&self, delta: f64, covers: Coverage) -> Result<PrivacySpent> {
        self.check()?;
        check_delta(delta)?;
        let e =
            sampled_gaussian_epsilon(self.noise_multiplier, self.sampling_rate, self.steps, delta)?;
        if !e.epsilon.is_finite() {
            return Err(Error::config(
                "dp_noise",
                format!(
                    "{} gives no finite ε at dp_sampling_rate {} over {} steps",
                    self.noise_multiplier, self.sampling_rate, self.steps
                ),
            ));
        }
        Ok(PrivacySpent {
            epsilon: e.epsilon,
            delta,
            noise_multiplier: self.noise_multiplier,
            sampling_rate: self.sampling_rate,
            steps: self.steps,
            covers,
            audit: None,
        })
    }
}

/// The `u32` draws below which an example is taken: ⌊q·2³²⌋, so the real inclusion probability is
/// q rounded *down* to a multiple of 2⁻³² and the accountant's ε (computed at q) stays an upper bound.
fn inclusion_threshold(q: f64) -> u64 {
    if q.is_nan() || q <= 0.0 {
        0
    } else if q >= 1.0 {
        1 << 32
    } else {
        // q·2³² is exact in f64 (a power-of-two scaling); the cast truncates.
        (q * 4_294_967_296.0) as u64
    }
}

/// Poisson sampling: each of the examples `0..n` joins the batch independently with probability
/// `sampling_rate`. Writes the chosen indices, ascending, into `batch` (cleared first). Draws
/// exactly one `u32` per example whatever the outcome, so the stream position after a step depends
/// on `n` only.
pub fn poisson_batch_into(
    rng: &mut ChaCha8Rng,
    n: usize,
    sampling_rate: f64,
    batch: &mut Vec<usize>,
) {
    batch.clear();
    let threshold = inclusion_threshold(sampling_rate);
    for index in 0..n {
        if u64::from(rng.next_u32()) < threshold {
            batch.push(index);
        }
    }
}

/// [`poisson_batch_into`] into a new vector.
pub fn poisson_batch(rng: &mut ChaCha8Rng, n: usize, sampling_rate: f64) -> Vec<usize> {
    let mut batch = Vec::with_capacity((n as f64 * sampling_rate.clamp(0.0, 1.0)) as usize + 16);
    poisson_batch_into(rng, n, sampling_rate, &mut batch);
    batch
}

/// L2 norm of a vector given in parts (`&[f32]` or `&mut [f32]` slices), summed in f64.
pub fn l2_norm<S: AsRef<[f32]>>(parts: &[S]) -> f64 {
    let sum: f64 = parts
        .iter()
        .flat_map(|p| p.as_ref().iter())
        .map(|&v| f64::from(v) * f64::from(v))
        .sum();
    libm::sqrt(sum)
}

/// Clips one example's gradient, given as its parts (for MF: the gradient of the user factors and
/// that of the item factors), to joint L2 norm at most `clip` by scaling every part by the same
/// factor. Returns the norm before clipping.
///
/// The bound is exact after rounding to `f32`: if rounding the scaled values pushed the norm (in
/// f64) above `clip`, the factor is shrunk by a few ulps and applied again. A gradient whose norm is
/// not finite (a diverged step) is set to zero, which keeps the sensitivity bound; the returned norm
/// tells the caller.
pub fn clip_l2(parts: &mut [&mut [f32]], clip: f64) -> f64 {
    let original = l2_norm(parts);
    if original <= clip {
        return original;
    }
    if !original.is_finite() {
        parts.iter_mut().for_each(|p| p.fill(0.0));
        return original;
    }
    let mut norm = original;
    // Two passes suffice in practice (rounding moves the norm by < 2⁻²⁴ relative); the cap only
    // guarantees termination, and the zero vector always satisfies the bound.
    for pass in 0..8 {
        let mut factor = clip / norm;
        if pass > 0 {
            factor *= 1.0 - f64::from(f32::EPSILON);
        }
        for v in parts.iter_mut().flat_map(|p| p.iter_mut()) {
            *v = (f64::from(*v) * factor) as f32;
        }
        norm = l2_norm(parts);
        if norm <= clip {
            return original;
        }
    }
    parts.iter_mut().for_each(|p| p.fill(0.0));
    original
}

/// A uniform f64 in [0, 1) on the 2⁻⁵³ grid, from two `u32` draws (27 + 26 bits).
fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    let hi = u64::from(rng.next_u32() >> 5);
    let lo = u64::from(rng.next_u32() >> 6);
    ((hi << 26) | lo) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// Two independent standard normal draws (f64) by the Box–Muller transform, from four `u32` draws.
/// The radius uses 1 − u ∈ (0, 1], so ln never sees 0; the largest |z| is √(2·53·ln 2) ≈ 8.57.
/// `libm` for ln, sqrt, sin and cos keeps the numbers identical on every platform.
pub fn standard_normal_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u = 1.0 - unit_f64(rng);
    let v = unit_f64(rng);
    let radius = libm::sqrt(-2.0 * libm::log(u));
    let (sin, cos) = libm::sincos(2.0 * std::f64::consts::PI * v);
    (radius * cos, radius * sin)
}

/// Adds independent N(0, std²) noise to every value. The noise is drawn in f64 and the sum rounded
/// to f32 once. Values are noised in pairs (one Box–Muller pair each); an odd last value uses the
/// first draw of a fresh pair and discards the second, so each call consumes 4·⌈len/2⌉ `u32`s.
pub fn add_gaussian_noise(rng: &mut ChaCha8Rng, values: &mut [f32], std: f64) {
    for chunk in values.chunks_mut(2) {
        let (a, b) = standard_normal_pair(rng);
        for (v, z) in chunk.iter_mut().zip([a, b]) {
            *v = (f64::from(*v) + std * z) as f32;
        }
    }
}

/// Turns one step's sum of clipped per-example gradients into the private gradient estimate: adds
/// N(0, (σC)²) to every coordinate, then divides by the expected batch size q·n (`n` = number of
/// examples sampled from, ≥ 1). Returns that divisor.
pub fn noisy_average(rng: &mut ChaCha8Rng, sum: &mut [f32], params: &DpSgdParams, n: usize) -> f64 {
    add_gaussian_noise(rng, sum, params.noise_std());
    let expected = params.sampling_rate * n as f64;
    for v in sum.iter_mut() {
        *v = (f64::from(*v) / expected) as f32;
    }
    expected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    fn params() -> DpSgdParams {
        DpSgdParams {
            noise_multiplier: 1.1,
            clip: 1.0,
            sampling_rate: 0.01,
            steps: 1000,
        }
    }

    /// A gradient of `len` values spread over roughly ±scale, from a seeded stream.
    fn random_gradient(rng: &mut ChaCha8Rng, len: usize, scale: f32) -> Vec<f32> {
        (0..len)
            .map(|_| (crate::rng::unit_f32(rng) * 2.0 - 1.0) * scale)
            .collect()
    }

    #[test]
    fn clipping_bounds_the_norm_exactly_and_keeps_direction() {
        let mut rng = rng_for(3, Stream::TargetModel);
        let clip = 0.7;
        let mut clipped = 0;
        for trial in 0..2000 {
            let scale = [1e-3f32, 0.1, 1.0, 50.0, 1e6][trial % 5];
            let mut user = random_gradient(&mut rng, 16, scale);
            let mut item = random_gradient(&mut rng, 16, scale);
            let (u0, i0) = (user.clone(), item.clone());
            let before = clip_l2(&mut [&mut user, &mut item], clip);
            let after = l2_norm(&[&user, &item]);
            assert!(after <= clip, "trial {trial}: norm {after} > {clip}");
            if before <= clip {
                assert_eq!(
                    (user, item),
                    (u0, i0),
                    "an in-bound gradient must not change"
                );
            } else {
                clipped += 1;
                // Clipped exactly to the bound (up to f32 rounding), not below it.
                assert!(after >= clip * (1.0 - 1e-6), "trial {trial}: {after}");
                // Same direction: each value scaled by the same factor.
                let factor = clip / before;
                for (v, v0) in user.iter().chain(&item).zip(u0.iter().chain(&i0)) {
                    let want = f64::from(*v0) * factor;
                    assert!((f64::from(*v) - want).abs() <= 1e-6 * want.abs() + 1e-30);
                }
            }
        }
        assert!(clipped > 500 && clipped < 2000, "{clipped} clipped");
    }

    #[test]
    fn clipping_zeroes_a_diverged_gradient() {
        let mut g = vec![1.0f32, f32::INFINITY, 2.0];
        let before = clip_l2(&mut [&mut g], 1.0);
        assert!(before.is_infinite());
        assert_eq!(g, vec![0.0; 3]);
        let mut g = vec![f32::NAN, 1.0];
        assert!(clip_l2(&mut [&mut g], 1.0).is_nan());
        assert_eq!(g, vec![0.0; 2]);
    }

    #[test]
    fn noise_has_the_right_mean_and_variance() {
        let p = params();
        let std = p.noise_std() * 3.0; // σC scaled so a wrong factor anywhere shows
        let n = 100_000;
        let mut v = vec![0.0f32; n];
        add_gaussian_noise(&mut rng_for(11, Stream::TargetModel), &mut v, std);
        let x: Vec<f64> = v.iter().map(|&a| f64::from(a) / std).collect();
        let mean = x.iter().sum::<f64>() / n as f64;
        let var = x.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let kurt = x.iter().map(|a| (a - mean).powi(4)).sum::<f64>() / n as f64 / (var * var);
        let tail = x.iter().filter(|a| a.abs() > 1.959_964).count() as f64 / n as f64;
        // Standard errors at n = 1e5: mean 0.0032, variance 0.0045, kurtosis 0.016, tail 0.0007.
        assert!(mean.abs() < 0.015, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
        assert!((kurt - 3.0).abs() < 0.08, "kurtosis {kurt}");
        assert!((tail - 0.05).abs() < 0.003, "P(|z| > 1.96) = {tail}");
        // The two halves of each Box–Muller pair are uncorrelated.
        let pairs = x.chunks_exact(2);
        let corr = pairs.map(|c| c[0] * c[1]).sum::<f64>() / (n / 2) as f64;
        assert!(corr.abs() < 0.02, "pair correlation {corr}");
    }

    #[test]
    fn same_seed_same_draws_other_seed_other_draws() {
        let draw = |seed| {
            let mut rng = rng_for(seed, Stream::TargetModel);
            let batch = poisson_batch(&mut rng, 5000, 0.05);
            let mut noise = vec![0.5f32; 7];
            add_gaussian_noise(&mut rng, &mut noise, 2.0);
            (batch, noise)
        };
        assert_eq!(draw(5), draw(5));
        assert_ne!(draw(5).0, draw(6).0);
        assert_ne!(draw(5).1, draw(6).1);
    }

    #[test]
    fn poisson_batch_size_averages_q_n() {
        let mut rng = rng_for(2, Stream::TargetModel);
        let (n, q, batches) = (10_000usize, 0.01, 1000);
        let mut batch = Vec::new();
        let mut total = 0usize;
        let mut first_half = 0usize;
        for _ in 0..batches {
            poisson_batch_into(&mut rng, n, q, &mut batch);
            assert!(batch.windows(2).all(|w| w[0] < w[1]) && batch.iter().all(|&i| i < n));
            total += batch.len();
            first_half += batch.iter().filter(|&&i| i < n / 2).count();
        }
        let mean = total as f64 / batches as f64;
        // q·n = 100; the mean of 1000 batches has standard error √(n q (1−q) / 1000) ≈ 0.31.
        assert!((mean - 100.0).abs() < 1.5, "mean batch size {mean}");
        let share = first_half as f64 / total as f64;
        assert!((share - 0.5).abs() < 0.015, "first-half share {share}");
    }

    #[test]
    fn poisson_batch_edges() {
        let mut rng = rng_for(0, Stream::TargetModel);
        assert_eq!(
            poisson_batch(&mut rng, 50, 1.0),
            (0..50).collect::<Vec<_>>()
        );
        assert!(poisson_batch(&mut rng, 50, 0.0).is_empty());
        assert!(poisson_batch(&mut rng, 0, 0.5).is_empty());
        assert_eq!(inclusion_threshold(0.5), 1 << 31);
        assert!(inclusion_threshold(1e-12) == 0);
    }

    #[test]
    fn noisy_average_divides_by_the_expected_batch_size() {
        let p = DpSgdParams {
            noise_multiplier: 0.5,
            clip: 2.0,
            sampling_rate: 0.1,
            steps: 1,
        };
        let n = 400_000;
        let mut sum = vec![40.0f32; 20_000];
        let divisor = noisy_average(&mut rng_for(1, Stream::TargetModel), &mut sum, &p, n);
        assert_eq!(divisor, 40_000.0);
        let m = sum.len() as f64;
        let mean = sum.iter().map(|&v| f64::from(v)).sum::<f64>() / m;
        let sd = (sum
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / (m - 1.0))
            .sqrt();
        // Mean 40/40000 = 1e-3; sd σC/(qn) = 1/40000 = 2.5e-5.
        assert!((mean - 1e-3).abs() < 1e-6, "mean {mean}");
        assert!((sd / 2.5e-5 - 1.0).abs() < 0.05, "sd {sd}");
    }

    #[test]
    fn params_validation_names_the_key() {
        params().check().unwrap();
        let err = |p: DpSgdParams| p.check().unwrap_err().to_string();
        let bad = |f: fn(&mut DpSgdParams)| {
            let mut p = params();
            f(&mut p);
            err(p)
        };
        assert!(bad(|p| p.noise_multiplier = 0.0).starts_with("config: dp_noise:"));
        assert!(bad(|p| p.noise_multiplier = f64::NAN).starts_with("config: dp_noise:"));
        assert!(bad(|p| p.noise_multiplier = 101.0).contains("≤ 100"));
        assert!(bad(|p| p.clip = -1.0).starts_with("config: dp_clip:"));
        assert!(bad(|p| p.clip = f64::INFINITY).starts_with("config: dp_clip:"));
        assert!(bad(|p| p.sampling_rate = 0.0).starts_with("config: dp_sampling_rate:"));
        assert!(bad(|p| p.sampling_rate = 1.01).starts_with("config: dp_sampling_rate:"));
        assert!(bad(|p| p.steps = 0).starts_with("config: dp_steps:"));
        let mut p = params();
        p.sampling_rate = 1.0;
        p.check().unwrap();
        let e = params()
            .privacy_spent(0.0, Coverage::FoldIn)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config: dp_delta:"), "{e}");
    }

    #[test]
    fn privacy_spent_serialises_as_the_run_result_object() {
        let spent = params().privacy_spent(1e-5, Coverage::FoldIn).unwrap();
        assert!(spent.epsilon.is_finite() && spent.epsilon > 0.0);
        let json = serde_json::to_value(spent).unwrap();
        let mut keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "audit",
                "covers",
                "delta",
                "epsilon",
                "noise_multiplier",
                "sampling_rate",
                "steps"
            ]
        );
        assert_eq!(json["steps"], 1000);
        assert!(json["covers"]
            .as_str()
            .unwrap()
            .starts_with("the item rows"));
        assert!(json["audit"].is_null());
        let back: PrivacySpent = serde_json::from_value(json).unwrap();
        assert_eq!(back, spent);
        // No DP: ε is ∞, written as null and read back as ∞; every statement round-trips.
        let none = PrivacySpent::none(1e-4);
        let json = serde_json::to_value(none).unwrap();
        assert!(json["epsilon"].is_null());
        assert!(json["covers"].as_str().unwrap().starts_with("nothing"));
        let back: PrivacySpent = serde_json::from_value(json).unwrap();
        assert_eq!(back, none);
        for c in Coverage::ALL {
            let j = serde_json::to_value(c).unwrap();
            assert_eq!(serde_json::from_value::<Coverage>(j).unwrap(), c);
        }
        assert!(serde_json::from_value::<Coverage>(serde_json::json!("all of it")).is_err());
    }
}
