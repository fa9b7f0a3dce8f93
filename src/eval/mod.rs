//! Evaluation, computed once outside every attack and recommender: the ROC of attack scores, fixed-
//! threshold classification, the recommender's utility, and statistics over seeds.

pub mod roc;
pub mod stats;
pub mod threshold;
pub mod utility;

pub use roc::{roc_curve, Roc};
pub use stats::mean_std;
pub use threshold::{at_threshold, AtThreshold};
