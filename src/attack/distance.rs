//! The distance attack (shadow-free): a member's list was shaped by their own history, so the
//! centroid of their history sits close to the centroid of their list. The score is minus the
//! length of the paper's feature vector (history centroid − list centroid): closer = more likely a
//! member. No shadow model, no training.

use super::{Attack, AttackInput};

pub struct Distance;

impl Attack for Distance {
    fn score(&self, target: &AttackInput) -> Vec<f64> {
        target
            .features
            .rows()
            .into_iter()
            .map(|r| {
                -r.iter()
                    .map(|&v| f64::from(v) * f64::from(v))
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closer_centroids_score_higher() {
        let f = ndarray::array![[3.0f32, 4.0], [0.0, 1.0], [0.0, 0.0]];
        let lists = [vec![], vec![], vec![]];
        let input = AttackInput::new(vec![&[]; 3], &lists, &f);
        assert_eq!(Distance.score(&input), vec![-5.0, -1.0, 0.0]);
    }
}
