//! The attacker's user representation: centroid of the item vectors of the items a user interacted
//! with minus the (rank-weighted or uniform) centroid of the vectors of the items recommended to them.

use ndarray::{Array2, ArrayRef2};

use crate::params::Weighting;

/// Weights of list positions 0..n: (n − j)/Σ for `Rank`, 1/n for `Uniform`.
pub fn list_weights(n: usize, weighting: Weighting) -> Vec<f32> {
    match weighting {
        Weighting::Uniform => vec![1.0 / n as f32; n],
        Weighting::Rank => {
            let total = (n * (n + 1) / 2) as f32;
            (0..n).map(|j| (n - j) as f32 / total).collect()
        }
    }
}

/// Adds `sign × w_j × vector(items[j])` to `row`, item by item in list order (the order fixes the
/// rounding, so native and wasm agree to the bit).
fn accumulate(row: &mut [f32], vectors: &[f32], items: &[u32], weights: &[f32], sign: f32) {
    let k = row.len();
    for (&i, &w) in items.iter().zip(weights) {
        let v = &vectors[i as usize * k..(i as usize + 1) * k];
        for (r, x) in row.iter_mut().zip(v) {
            *r += sign * w * x;
        }
    }
}

/// Centroid weights of a history: 1/|history| each.
fn history_weights(history: &[u32]) -> Vec<f32> {
    vec![1.0 / history.len().max(1) as f32; history.len()]
}

/// One feature row per user: `histories[u]` and `lists[u]` give the user's items and recommendations.
pub fn centroid_differences(
    item_vectors: &ArrayRef2<f32>,
    histories: &[&[u32]],
    lists: &[&[u32]],
    weighting: Weighting,
) -> Array2<f32> {
    let k = item_vectors.ncols();
    let vectors = item_vectors.as_slice().expect("standard layout");
    let mut out = Array2::<f32>::zeros((histories.len(), k));
    let flat = out.as_slice_mut().expect("fresh array");
    for ((hist, list), row) in histories.iter().zip(lists).zip(flat.chunks_exact_mut(k)) {
        accumulate(row, vectors, hist, &history_weights(hist), 1.0);
        // Lists shorter than N (few candidates left) are weighted over their own length.
        accumulate(
            row,
            vectors,
            list,
            &list_weights(list.len(), weighting),
            -1.0,
        );
    }
    out
}

/// The two centroids of one user separately: (history centroid, list centroid).
pub fn centroids(
    item_vectors: &ArrayRef2<f32>,
    history: &[u32],
    list: &[u32],
    weighting: Weighting,
) -> (Vec<f32>, Vec<f32>) {
    let k = item_vectors.ncols();
    let vectors = item_vectors.as_slice().expect("standard layout");
    let (mut h, mut l) = (vec![0.0; k], vec![0.0; k]);
    accumulate(&mut h, vectors, history, &history_weights(history), 1.0);
    accumulate(
        &mut l,
        vectors,
        list,
        &list_weights(list.len(), weighting),
        1.0,
    );
    (h, l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn weights_sum_to_one_and_decrease() {
        let w = list_weights(100, Weighting::Rank);
        assert!((w.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!((w[0] - 100.0 / 5050.0).abs() < 1e-7);
        assert!(w.windows(2).all(|p| p[0] > p[1]));
        assert_eq!(list_weights(4, Weighting::Uniform), vec![0.25; 4]);
    }

    #[test]
    fn feature_is_history_centroid_minus_list_centroid() {
        let v = array![[1.0f32, 0.0], [0.0, 1.0], [2.0, 2.0]];
        let f = centroid_differences(&v, &[&[0, 1]], &[&[2]], Weighting::Uniform);
        assert_eq!(f.row(0).to_vec(), vec![0.5 - 2.0, 0.5 - 2.0]);
        let f = centroid_differences(&v, &[&[2]], &[&[0, 1]], Weighting::Rank);
        let (a, b) = (2.0 / 3.0, 1.0 / 3.0);
        assert!((f[[0, 0]] - (2.0 - a)).abs() < 1e-6 && (f[[0, 1]] - (2.0 - b)).abs() < 1e-6);
    }

    #[test]
    fn one_row_per_user_and_the_two_centroids_apart() {
        let v = array![[1.0f32, 0.0], [0.0, 1.0], [2.0, 2.0], [4.0, 0.0]];
        // user 0: history {0, 3}, list [2, 1]; user 1: history {1}, list [3]
        let f = centroid_differences(&v, &[&[0, 3], &[1]], &[&[2, 1], &[3]], Weighting::Uniform);
        assert_eq!(f, array![[2.5 - 1.0, 0.0 - 1.5], [0.0 - 4.0, 1.0]]);
        // rank weights 2/3, 1/3 on [2, 1]: (4/3, 4/3 + 1/3)
        let (h, l) = centroids(&v, &[0, 3], &[2, 1], Weighting::Rank);
        assert_eq!(h, vec![2.5, 0.0]);
        assert!(
            (l[0] - 4.0 / 3.0).abs() < 1e-6 && (l[1] - 5.0 / 3.0).abs() < 1e-6,
            "{l:?}"
        );
        // an empty history or list is the zero vector
        assert_eq!(
            centroids(&v, &[], &[], Weighting::Uniform),
            (vec![0.0; 2], vec![0.0; 2])
        );
        assert_eq!(
            list_weights(3, Weighting::Rank),
            vec![0.5, 1.0 / 3.0, 1.0 / 6.0]
        );
    }
}
