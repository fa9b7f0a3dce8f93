//! Classification at one fixed score threshold: accuracy, precision, recall, and the balanced
//! accuracy the reference code prints as "AUC".

use serde::{Deserialize, Serialize};

/// Classification at a fixed score threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AtThreshold {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    /// (1 + TPR − FPR)/2, what the reference code reports as "AUC".
    pub balanced_accuracy: f64,
}

pub fn at_threshold(scores: &[f64], labels: &[bool], threshold: f64) -> AtThreshold {
    let (mut tp, mut fp, mut tn, mut fn_) = (0.0, 0.0, 0.0, 0.0);
    for (&s, &l) in scores.iter().zip(labels) {
        match (s >= threshold, l) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, false) => tn += 1.0,
            (false, true) => fn_ += 1.0,
        }
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let tpr = ratio(tp, tp + fn_);
    let fpr = ratio(fp, fp + tn);
    AtThreshold {
        accuracy: ratio(tp + tn, tp + fp + tn + fn_),
        precision: ratio(tp, tp + fp),
        recall: tpr,
        balanced_accuracy: (1.0 + tpr - fpr) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_on_an_asymmetric_case() {
        // 3 members (0.9, 0.7, 0.2), 5 non-members (0.8, 0.4, 0.3, 0.1, 0.7); threshold 0.5:
        // TP 2, FN 1, FP 2 (0.8 and 0.7), TN 3.
        let s = [0.9, 0.7, 0.2, 0.8, 0.4, 0.3, 0.1, 0.7];
        let l = [true, true, true, false, false, false, false, false];
        let m = at_threshold(&s, &l, 0.5);
        assert_eq!(m.accuracy, 5.0 / 8.0);
        assert_eq!(m.precision, 2.0 / 4.0);
        assert_eq!(m.recall, 2.0 / 3.0);
        assert_eq!(m.balanced_accuracy, (1.0 + 2.0 / 3.0 - 2.0 / 5.0) / 2.0);
        // a score equal to the threshold counts as a member
        let m = at_threshold(&s, &l, 0.7);
        assert_eq!(m.recall, 2.0 / 3.0);
        assert_eq!(m.precision, 2.0 / 4.0);
        // nobody flagged: precision is 0, never NaN
        let m = at_threshold(&s, &l, 5.0);
        assert_eq!((m.precision, m.recall, m.accuracy), (0.0, 0.0, 5.0 / 8.0));
    }

    #[test]
    fn threshold_metrics() {
        let m = at_threshold(&[0.9, 0.6, 0.4, 0.2], &[true, false, true, false], 0.5);
        assert_eq!((m.accuracy, m.precision, m.recall), (0.5, 0.5, 0.5));
        assert_eq!(m.balanced_accuracy, 0.5);
    }
}
