//! Sorting for the whole crate through a few shared routines. Every `sort_by(closure)` call of the
//! standard library is a copy of its sort code for that closure: 20 copies of the stable sort and 6
//! of the unstable one were 214,799 B (11.7 %) of the release wasm's code (docs/performance.md,
//! "First load"). Here one stable sort (of positions, under a `dyn` comparator) and one unstable
//! sort (of `u64`) serve every caller off the hot paths; the hot paths (`recommend`'s top-N,
//! item-kNN's neighbours) keep their own, inlined sorts.
//!
//! The results are those of the standard sorts they replace, bit for bit and tie for tie: stable
//! sorts stay stable, and the unstable ones only sort values whose equal elements are identical.

use std::cmp::Ordering;

/// Positions `0..n` in the order `cmp` gives them, ties in position order (a stable sort).
pub fn positions_by(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut p: Vec<usize> = (0..n).collect();
    p.sort_by(|&a, &b| cmp(a, b));
    p
}

/// Positions of `scores`, highest first by `f64::total_cmp`; equal scores keep position order.
pub fn highest_first(scores: &[f64]) -> Vec<usize> {
    positions_by(scores.len(), &|a, b| scores[b].total_cmp(&scores[a]))
}

/// Positions of `scores`, lowest first by `f64::total_cmp`; equal scores keep position order.
pub fn lowest_first(scores: &[f64]) -> Vec<usize> {
    positions_by(scores.len(), &|a, b| scores[a].total_cmp(&scores[b]))
}

/// Sorts `v` stably under `cmp`, as `slice::sort_by` does.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let p = positions_by(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut old: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        p.iter()
            .map(|&i| old[i].take().expect("positions are a permutation")),
    );
}

/// Sorts `v` stably by `key`, as `slice::sort_by_key` does.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)))
}

/// Sorts `u64`s ascending: the one unstable sort the others go through.
pub fn u64s(v: &mut [u64]) {
    v.sort_unstable();
}

/// Sorts `u32`s ascending (as `sort_unstable`).
pub fn u32s(v: &mut [u32]) {
    through_u64(v, |&x| u64::from(x), |k| k as u32);
}

/// Sorts `usize`s ascending (as `sort_unstable`).
pub fn usizes(v: &mut [usize]) {
    through_u64(v, |&x| x as u64, |k| k as usize);
}

/// Sorts `(u32, u32)` pairs ascending, first then second (as `sort_unstable`).
pub fn pairs(v: &mut [(u32, u32)]) {
    through_u64(
        v,
        |&(a, b)| (u64::from(a) << 32) | u64::from(b),
        |k| ((k >> 32) as u32, k as u32),
    );
}

/// Sorts `f64`s ascending by `f64::total_cmp` (as `sort_by(f64::total_cmp)`: elements it calls
/// equal have the same bits, so stability cannot show).
pub fn f64s(v: &mut [f64]) {
    through_u64(v, |&x| total_key(x), |k| f64::from_bits(from_total_key(k)));
}

/// Sorts `v` by an order-preserving, invertible map to `u64` (equal keys are equal values).
fn through_u64<T>(v: &mut [T], to: impl Fn(&T) -> u64, from: impl Fn(u64) -> T) {
    let mut keys: Vec<u64> = v.iter().map(to).collect();
    u64s(&mut keys);
    for (x, k) in v.iter_mut().zip(keys) {
        *x = from(k);
    }
}

/// A `u64` whose unsigned order is `f64::total_cmp`'s order of `x` (negatives: all bits flipped;
/// the rest: the sign bit set), one to one.
fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn from_total_key(k: u64) -> u64 {
    if k >> 63 == 1 {
        k & !(1 << 63)
    } else {
        !k
    }
}

// Native only: proptest is a native dev-dependency (the wasm32 clippy of the test profile checks this module too).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Scores with many ties, both zeros and NaNs of both signs: where a sort's tie order shows.
    fn score() -> impl Strategy<Value = f64> {
        prop_oneof![
            (0u8..6).prop_map(f64::from),
            Just(0.0),
            Just(-0.0),
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            any::<f64>(),
        ]
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    proptest! {
        #[test]
        fn positions_are_the_standard_stable_sorts(s in prop::collection::vec(score(), 0..80)) {
            let mut want: Vec<usize> = (0..s.len()).collect();
            want.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
            prop_assert_eq!(highest_first(&s), want);
            let mut want: Vec<usize> = (0..s.len()).collect();
            want.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
            prop_assert_eq!(lowest_first(&s), want);
        }

        #[test]
        fn sort_by_is_stable_as_the_standard_one(v in prop::collection::vec((0u8..4, any::<u16>()), 0..80)) {
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut got = v.clone();
            sort_by_key(&mut got, |p| p.0);
            prop_assert_eq!(&got, &want);
            let mut want = v.clone();
            #[allow(clippy::unnecessary_sort_by)] // the standard sort_by is what is compared with
            want.sort_by(|a, b| b.0.cmp(&a.0));
            let mut got = v;
            sort_by(&mut got, |a, b| b.0.cmp(&a.0));
            prop_assert_eq!(got, want);
        }

        #[test]
        fn value_sorts_are_the_standard_ones(
            f in prop::collection::vec(score(), 0..80),
            u in prop::collection::vec(any::<u32>(), 0..80),
            p in prop::collection::vec((0u32..5, any::<u32>()), 0..80),
        ) {
            let mut want = f.clone();
            want.sort_by(f64::total_cmp);
            let mut got = f;
            f64s(&mut got);
            prop_assert_eq!(bits(&got), bits(&want));
            let mut want = u.clone();
            want.sort_unstable();
            let mut got = u.clone();
            u32s(&mut got);
            prop_assert_eq!(&got, &want);
            let mut got: Vec<usize> = u.iter().map(|&x| x as usize).collect();
            usizes(&mut got);
            prop_assert_eq!(got, want.iter().map(|&x| x as usize).collect::<Vec<_>>());
            let mut want = p.clone();
            want.sort_unstable();
            let mut got = p;
            pairs(&mut got);
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn total_key_orders_as_total_cmp_and_inverts() {
        let xs = [
            f64::NEG_INFINITY,
            -1.5,
            -0.0,
            0.0,
            2.0,
            f64::INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for &a in &xs {
            assert_eq!(from_total_key(total_key(a)), a.to_bits());
            for &b in &xs {
                assert_eq!(total_key(a).cmp(&total_key(b)), a.total_cmp(&b), "{a} {b}");
            }
        }
    }
}
