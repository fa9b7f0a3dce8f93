//! Individuals: one record per target user after a run — who they are, whether they were a member,
//! the attack's score and rank, their history and list (the data set's own ids), and where they sit
//! in the feature space: a 2-D PCA of the centroid-difference features, with the two centroids
//! projected onto the same two directions. What the page draws as dots and user cards, and what
//! `memberlens run --users FILE` writes.

use ndarray::ArrayRef2;
use serde::{Deserialize, Serialize};

use super::features::centroids;
use crate::params::Weighting;

/// One target user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// The data set's own user id.
    pub user: u64,
    pub member: bool,
    /// The attack's score (larger = more likely a member).
    pub score: f64,
    /// 1 = the user the attack is surest about; ties keep the half's order.
    pub rank: usize,
    /// Rated items (the data set's own ids), ascending.
    pub history: Vec<u64>,
    /// The recommendation list served to the user, best first.
    pub list: Vec<u64>,
    /// Position in the feature space's first two principal directions.
    pub pca: [f64; 2],
    /// The history centroid and the list centroid projected onto the same two directions.
    pub history_centroid: [f64; 2],
    pub list_centroid: [f64; 2],
    /// Length of the feature vector: how far apart the two centroids are.
    pub centroid_distance: f64,
}

/// What the records are made from: the target half's users in order (members first).
pub struct Individuals<'a> {
    pub user_ids: Vec<u64>,
    pub labels: &'a [bool],
    pub scores: &'a [f64],
    pub histories: Vec<&'a [u32]>,
    pub lists: &'a [Vec<u32>],
    pub features: &'a ArrayRef2<f32>,
    pub item_vectors: &'a ArrayRef2<f32>,
    pub item_ids: &'a [u64],
    pub weighting: Weighting,
}

/// Power-iteration steps per principal direction: at k = 100 the top two directions settle to
/// about 1e-9 well before this.
const POWER_STEPS: usize = 200;

/// The first two principal directions of `rows` (centred), deterministic: a fixed start vector,
/// a fixed number of steps, and a sign fixed so the largest component is positive.
pub fn principal_directions(rows: &[Vec<f64>]) -> (Vec<f64>, [Vec<f64>; 2]) {
    let k = rows.first().map_or(0, |r| r.len());
    let n = rows.len().max(1) as f64;
    let mut mean = vec![0.0; k];
    for r in rows {
        for (m, v) in mean.iter_mut().zip(r) {
            *m += v / n;
        }
    }
    let mut cov = vec![0.0; k * k];
    for r in rows {
        let c: Vec<f64> = r.iter().zip(&mean).map(|(v, m)| v - m).collect();
        for a in 0..k {
            for b in 0..k {
                cov[a * k + b] += c[a] * c[b] / n;
            }
        }
    }
    let mut dirs: [Vec<f64>; 2] = [vec![0.0; k], vec![0.0; k]];
    for d in 0..2 {
        // A start vector with no symmetry, so it is never orthogonal to the top direction by design.
        let mut v: Vec<f64> = (0..k)
            .map(|i| 1.0 + (i as f64 * 0.618_034).fract())
            .collect();
        for _ in 0..POWER_STEPS {
            if d == 1 {
                let p: f64 = v.iter().zip(&dirs[0]).map(|(a, b)| a * b).sum();
                for (x, y) in v.iter_mut().zip(&dirs[0]) {
                    *x -= p * y;
                }
            }
            let mut w = vec![0.0; k];
            for a in 0..k {
                w[a] = (0..k).map(|b| cov[a * k + b] * v[b]).sum();
            }
            let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm == 0.0 {
                break;
            }
            v = w.into_iter().map(|x| x / norm).collect();
        }
        let biggest = v
            .iter()
            .copied()
            .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
        if biggest < 0.0 {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        dirs[d] = v;
    }
    (mean, dirs)
}

fn project(v: &[f64], dirs: &[Vec<f64>; 2]) -> [f64; 2] {
    [0, 1].map(|d| v.iter().zip(&dirs[d]).map(|(a, b)| a * b).sum())
}

/// The records of every target user, in the half's order.
pub fn user_records(x: &Individuals) -> Vec<UserRecord> {
    let rows: Vec<Vec<f64>> = x
        .features
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&v| f64::from(v)).collect())
        .collect();
    let (mean, dirs) = principal_directions(&rows);
    let order = crate::order::highest_first(x.scores);
    let mut rank = vec![0; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r + 1;
    }
    let ids = |items: &[u32]| items.iter().map(|&i| x.item_ids[i as usize]).collect();
    (0..x.scores.len())
        .map(|i| {
            let (h, l) = centroids(x.item_vectors, x.histories[i], &x.lists[i], x.weighting);
            let widen = |v: &[f32]| v.iter().map(|&a| f64::from(a)).collect::<Vec<f64>>();
            let centred: Vec<f64> = rows[i].iter().zip(&mean).map(|(v, m)| v - m).collect();
            UserRecord {
                user: x.user_ids[i],
                member: x.labels[i],
                score: x.scores[i],
                rank: rank[i],
                history: ids(x.histories[i]),
                list: ids(&x.lists[i]),
                pca: project(&centred, &dirs),
                history_centroid: project(&widen(&h), &dirs),
                list_centroid: project(&widen(&l), &dirs),
                centroid_distance: rows[i].iter().map(|v| v * v).sum::<f64>().sqrt(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_directions_find_the_spread() {
        // Points spread along (1, 1, 0) with a little noise along (1, -1, 0).
        let rows: Vec<Vec<f64>> = (0..20)
            .flat_map(|i| {
                let t = i as f64 - 10.0;
                [0.1, -0.1].map(|e| vec![t + e, t - e, 0.0])
            })
            .collect();
        let (mean, dirs) = principal_directions(&rows);
        assert!(mean.iter().all(|m| m.abs() < 1.0));
        let s = std::f64::consts::FRAC_1_SQRT_2;
        assert!(
            (dirs[0][0] - s).abs() < 1e-6 && (dirs[0][1] - s).abs() < 1e-6,
            "{dirs:?}"
        );
        assert!((dirs[1][0].abs() - s).abs() < 1e-6 && (dirs[1][0] + dirs[1][1]).abs() < 1e-6);
        let dot: f64 = dirs[0].iter().zip(&dirs[1]).map(|(a, b)| a * b).sum();
        assert!(dot.abs() < 1e-9);
    }
}
