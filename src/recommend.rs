//! Ranking: top-N lists from scores (deterministic ties), precomputed orders such as the popularity
//! list, and block scoring of user vectors against item vectors.

use std::cmp::Ordering;

use ndarray::ArrayRef2;

use crate::mf::dot;

/// Highest score first; ties broken by the smaller item index so lists are fully deterministic.
fn by_score(a: &(f32, u32), b: &(f32, u32)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// The `n` best `(score, item)` pairs, best first, skipping items in the sorted `exclude` list.
pub fn top_n(scored: impl Iterator<Item = (f32, u32)>, exclude: &[u32], n: usize) -> Vec<u32> {
    let v: Vec<(f32, u32)> = scored
        .filter(|(_, i)| exclude.binary_search(i).is_err())
        .collect();
    just_items(ranked(v, n))
}

/// The items of `pairs`, in a vector of their own size: collecting `into_iter().map(..)` would
/// reuse the pairs' buffer in place, and a list chosen from a whole catalogue would keep that
/// catalogue's capacity (measured: 2 × 8 bytes × catalogue per folded-in user's list).
fn just_items(pairs: Vec<(f32, u32)>) -> Vec<u32> {
    let mut items = Vec::with_capacity(pairs.len());
    items.extend(pairs.iter().map(|p| p.1));
    items
}

/// The `n` best pairs of `v`, best first.
fn ranked(mut v: Vec<(f32, u32)>, n: usize) -> Vec<(f32, u32)> {
    if n == 0 {
        return Vec::new();
    }
    if v.len() > n {
        v.select_nth_unstable_by(n - 1, by_score);
        v.truncate(n);
    }
    v.sort_unstable_by(by_score);
    v
}

/// Two lists from one ranking: the best `n` overall and the best `n` outside the sorted `seen`
/// (the top n + |seen| always contain the latter, so one selection serves both).
pub fn top_n_with_and_without(
    scored: impl Iterator<Item = (f32, u32)>,
    seen: &[u32],
    n: usize,
) -> (Vec<u32>, Vec<u32>) {
    let best = ranked(scored.collect(), n + seen.len());
    let all = best.iter().take(n).map(|p| p.1).collect();
    let unseen = best
        .iter()
        .filter(|p| seen.binary_search(&p.1).is_err())
        .take(n)
        .map(|p| p.1)
        .collect();
    (all, unseen)
}

/// Items ordered by `scores` (best first), for lists that never change, like the popularity list.
pub fn full_order(scored: impl Iterator<Item = (f32, u32)>) -> Vec<u32> {
    let mut v: Vec<(f32, u32)> = scored.collect();
    v.sort_unstable_by(by_score);
    just_items(v)
}

/// The first `n` items of a precomputed order that are not in the sorted `exclude` list.
pub fn first_n_unseen(order: &[u32], exclude: &[u32], n: usize) -> Vec<u32> {
    order
        .iter()
        .copied()
        .filter(|i| exclude.binary_search(i).is_err())
        .take(n)
        .collect()
}

/// Scores every candidate item for a block of user vectors: `out[b][c]` = users[b] · items[candidates[c]].
/// Each item row is read once per block instead of once per user, which is what bounds the speed.
#[inline(never)]
pub fn score_block(
    users: &[&[f32]],
    items: &ArrayRef2<f32>,
    candidates: &[u32],
    out: &mut [Vec<f32>],
) {
    for o in out.iter_mut() {
        o.clear();
    }
    for &i in candidates {
        let q = items.row(i as usize);
        let q = q.as_slice().expect("standard layout");
        for (u, o) in users.iter().zip(out.iter_mut()) {
            o.push(dot(u, q));
        }
    }
}

/// `score_block` for users `first..first + out.len()` of a factor matrix (one row per user): what
/// every factor model (lfm, bpr) does for members and for folded-in new users alike.
pub fn score_factor_rows(
    users: &ArrayRef2<f32>,
    first: usize,
    items: &ArrayRef2<f32>,
    candidates: &[u32],
    out: &mut [Vec<f32>],
) {
    let rows: Vec<&[f32]> = (first..first + out.len())
        .map(|r| users.row(r).to_slice().expect("standard layout"))
        .collect();
    score_block(&rows, items, candidates, out);
}

/// Item popularity as scores (counts), for the popularity list and the utility baseline.
pub fn popularity_scores(counts: &[u32], candidates: &[u32]) -> Vec<f32> {
    candidates
        .iter()
        .map(|&i| counts[i as usize] as f32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_n_orders_by_score_then_index_and_excludes() {
        let scored = vec![(0.5, 3), (0.9, 1), (0.5, 2), (0.1, 0), (0.9, 7)];
        assert_eq!(top_n(scored.clone().into_iter(), &[], 3), vec![1, 7, 2]);
        assert_eq!(top_n(scored.clone().into_iter(), &[1, 2], 3), vec![7, 3, 0]);
        assert_eq!(top_n(scored.clone().into_iter(), &[], 10).len(), 5);
        let (all, unseen) = top_n_with_and_without(scored.clone().into_iter(), &[1, 2], 3);
        assert_eq!(all, top_n(scored.clone().into_iter(), &[], 3));
        assert_eq!(unseen, top_n(scored.clone().into_iter(), &[1, 2], 3));
        let order = full_order(scored.into_iter());
        assert_eq!(order, vec![1, 7, 2, 3, 0]);
        assert_eq!(first_n_unseen(&order, &[1, 2], 3), vec![7, 3, 0]);
    }

    #[test]
    fn lists_do_not_keep_the_catalogue_capacity() {
        let scored = (0..10_000u32).map(|i| ((i % 97) as f32, i));
        let list = top_n(scored.clone(), &[5, 6], 10);
        assert_eq!(list.len(), 10);
        assert_eq!(list.capacity(), 10);
        let order = full_order(scored);
        assert_eq!(order.capacity(), 10_000);
    }
}
