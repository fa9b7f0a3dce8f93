//! The non-personalised baseline: every user is offered the most popular items of the training data
//! (ties by item index). Serving a new user needs nothing from their history, so fold-in is free.

use rand_chacha::ChaCha8Rng;

use super::{Recommender, TrainSet, Who};
use crate::mf::Interactions;

/// Scores every item by its training count.
pub struct Popularity;

impl Popularity {
    pub fn new(_train: &TrainSet) -> Popularity {
        Popularity
    }
}

impl Recommender for Popularity {
    fn train_step(&mut self, _train: &TrainSet, _budget: usize) -> bool {
        true
    }

    fn train_fraction(&self) -> f64 {
        1.0
    }

    fn status(&self) -> (String, Option<f64>) {
        ("item counts".into(), None)
    }

    fn final_loss(&self) -> Option<f64> {
        None
    }

    fn begin_fold_in(&mut self, _train: &TrainSet, _histories: Interactions, _rng: ChaCha8Rng) {}

    fn fold_in_step(&mut self, _train: &TrainSet, _budget: usize) -> bool {
        true
    }

    fn fold_in_fraction(&self) -> f64 {
        1.0
    }

    fn score_block(
        &self,
        train: &TrainSet,
        _who: Who,
        _first: usize,
        candidates: &[u32],
        out: &mut [Vec<f32>],
    ) {
        for o in out.iter_mut() {
            o.clear();
            o.extend(candidates.iter().map(|&i| train.counts[i as usize] as f32));
        }
    }

    fn score_cost(&self) -> usize {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_training_counts_for_everyone() {
        let rows: [&[u32]; 3] = [&[0, 1], &[1], &[1, 3]];
        let train = TrainSet::new(Interactions::from_rows(rows), 5);
        let p = Popularity::new(&train);
        let mut out = vec![Vec::new(); 2];
        p.score_block(&train, Who::Member, 0, &train.known, &mut out);
        assert_eq!(train.known, vec![0, 1, 3]);
        assert_eq!(out, vec![vec![1.0, 3.0, 1.0]; 2]);
    }
}
