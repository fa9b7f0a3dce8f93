//! Seeded, portable randomness. ChaCha8 with explicitly 32-bit ranges gives bit-identical streams on
//! x86_64 and wasm32 (`usize` ranges and `SmallRng` do not). Each pipeline stage draws from its own
//! stream so that changing one stage's work never shifts another's random numbers.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Independent random streams of one run.
#[derive(Clone, Copy, Debug)]
pub enum Stream {
    Split = 1,
    Holdout = 2,
    TargetModel = 3,
    ShadowModel = 4,
    TargetFoldIn = 5,
    ShadowFoldIn = 6,
    ItemVectors = 7,
    AttackModel = 8,
    /// The target's serving-level defence (popularity randomisation, list perturbation, score
    /// noise).
    TargetDefence = 9,
    /// The shadow's serving-level defence, when the attacker knows the target's defence and its
    /// imitation runs it too (`attacker_knows_defence`).
    ShadowDefence = 10,
    /// The target service asked by a new account: the fold-in of a copy of each user's history
    /// (the reference-list attack's queries) and the defence on those lists.
    TargetProbe = 11,
    /// The same queries to the attacker's shadow service.
    ShadowProbe = 12,
    /// The calibrated attack's reference recommenders: sub-stream `i` is reference `i`
    /// (`rng_for_index`).
    Reference = 13,
    /// Bootstrap intervals: sub-stream `i` is the attack with index `i` in `AttackKind::ALL`.
    Bootstrap = 14,
    /// The share of each non-member's history a differentially private service holds out, as it
    /// holds out each member's (`serving::Half`): both are served from the same share of their own
    /// history.
    NewUserHoldout = 15,
    /// The one-run privacy audit (`privacy::canaries`): which canaries are included and their
    /// items; its model; its canaries' fold-in.
    AuditCanaries = 16,
    AuditModel = 17,
    AuditFoldIn = 18,
}

/// The generator for one stream of one seed.
pub fn rng_for(seed: u32, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(seed));
    rng.set_stream(stream as u64);
    rng
}

/// The generator for sub-stream `index` of one stream of one seed (reference model `index`,
/// the bootstrap of attack `index`): distinct from every plain stream and from each other.
pub fn rng_for_index(seed: u32, stream: Stream, index: u32) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(seed));
    rng.set_stream(((stream as u64) << 32) | u64::from(index) | (1 << 63));
    rng
}

/// An index in `0..n` (1 ≤ n < 2^32) by multiply-shift of one `u32`: no rejection loop, the same
/// on every platform, and a bias below n / 2^32 (under 10^-4 for every size used here).
#[inline]
pub fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    debug_assert!(n >= 1 && n <= u32::MAX as usize);
    ((u64::from(rng.next_u32()) * n as u64) >> 32) as usize
}

/// A uniform `f32` in [0, 1) from the top 24 bits of one `u32`.
#[inline]
pub fn unit_f32(rng: &mut ChaCha8Rng) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// Fisher–Yates shuffle with portable index draws.
pub fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED_BELOW: [usize; 5] = [784, 755, 434, 738, 946];
    const PINNED_UNIT: f32 = 0.5899972;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u32> = (0..4)
            .map(|_| rng_for(7, Stream::Split).next_u32())
            .collect();
        assert!(a.iter().all(|&x| x == a[0]));
        assert_ne!(
            rng_for(7, Stream::Split).next_u32(),
            rng_for(7, Stream::Holdout).next_u32()
        );
    }

    #[test]
    fn known_first_values_pin_the_generator() {
        // Pins the exact streams: if a dependency upgrade changes them, every published number
        // changes, and this test says so first.
        let mut r = rng_for(0, Stream::Split);
        let v: Vec<usize> = (0..5).map(|_| below(&mut r, 1000)).collect();
        assert_eq!(v, PINNED_BELOW);
        assert_eq!(unit_f32(&mut r), PINNED_UNIT);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut v: Vec<u32> = (0..100).collect();
        shuffle(&mut rng_for(1, Stream::Split), &mut v);
        let mut s = v.clone();
        s.sort();
        assert_eq!(s, (0..100).collect::<Vec<_>>());
        assert_ne!(v, s);
    }
}
