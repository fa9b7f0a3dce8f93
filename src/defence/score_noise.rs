//! Score noise: before ranking, each user's score of every candidate item gets independent
//! Gaussian noise N(0, σ_u²) with σ_u = c · (standard deviation of that user's scores over the
//! candidates). Relative to each user's own spread, so one strength means the same for every
//! algorithm (LFM dot products, item-kNN similarity sums, popularity counts) and every user. Under
//! protocol `popular` only members' lists are scored, so only they are noised; under `fold-in`
//! everyone's are. A user whose scores are all equal (spread 0) gets no noise.
//!
//! Strength s maps to c = MAX_RELATIVE_SIGMA · s (linear; s = 1: c = MAX_RELATIVE_SIGMA).

use rand_chacha::ChaCha8Rng;

use super::{Defence, DefenceKind};
use crate::defence::gaussian::standard_normal;

/// c at strength 1: noise of this many score standard deviations.
pub const MAX_RELATIVE_SIGMA: f64 = 2.0;

/// c at `strength`.
pub fn relative_sigma(strength: f64) -> f64 {
    MAX_RELATIVE_SIGMA * strength
}

/// The defence at one strength.
pub struct ScoreNoise {
    relative: f64,
}

impl ScoreNoise {
    pub fn new(strength: f64) -> Self {
        ScoreNoise {
            relative: relative_sigma(strength),
        }
    }
}

/// Population standard deviation of `v`, in f64.
fn spread(v: &[f32]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let var = v
        .iter()
        .map(|&x| (f64::from(x) - mean) * (f64::from(x) - mean))
        .sum::<f64>()
        / n;
    libm::sqrt(var)
}

impl Defence for ScoreNoise {
    fn kind(&self) -> DefenceKind {
        DefenceKind::ScoreNoise
    }

    fn scores(&self, rng: &mut ChaCha8Rng, scores: &mut [f32]) {
        let sigma = self.relative * spread(scores);
        if sigma == 0.0 || !sigma.is_finite() {
            return;
        }
        for s in scores.iter_mut() {
            *s = (f64::from(*s) + sigma * standard_normal(rng)) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{rng_for, Stream};

    #[test]
    fn noise_is_relative_to_each_users_spread() {
        let mut rng = rng_for(3, Stream::TargetDefence);
        let d = ScoreNoise::new(0.5);
        for scale in [0.01f32, 1.0, 300.0] {
            let clean: Vec<f32> = (0..20_000).map(|i| (i % 100) as f32 * scale).collect();
            let mut noisy = clean.clone();
            d.scores(&mut rng, &mut noisy);
            let diff: Vec<f32> = noisy.iter().zip(&clean).map(|(a, b)| a - b).collect();
            let want = relative_sigma(0.5) * spread(&clean);
            let got = spread(&diff);
            assert!(
                (got / want - 1.0).abs() < 0.03,
                "scale {scale}: {got} vs {want}"
            );
        }
        let mut flat = vec![2.0f32; 10];
        d.scores(&mut rng, &mut flat);
        assert_eq!(flat, vec![2.0f32; 10]);
    }
}
