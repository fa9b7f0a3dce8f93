//! Evaluation, computed once outside every attack and recommender: the ROC of attack scores, fixed-
//! threshold classification, the recommender's utility, statistics over seeds, and the warnings
//! that flag numbers which mean little.

pub mod roc;
pub mod stats;
pub mod threshold;
pub mod utility;
pub mod warnings;

pub use roc::{roc_curve, Roc};
pub use stats::mean_std;
pub use threshold::{at_threshold, AtThreshold};
