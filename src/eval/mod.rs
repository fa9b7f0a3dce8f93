//! Evaluation, computed once outside every attack and recommender: the ROC of attack scores, fixed-
//! threshold classification, bootstrap intervals and what can be measured, the recommender's utility, statistics over seeds, and the warnings
//! that flag numbers which mean little.

pub mod bootstrap;
pub mod roc;
pub mod seeds;
pub mod stats;
pub mod takeaways;
pub mod threshold;
pub mod utility;
pub mod warnings;

pub use roc::{roc_curve, Roc};
pub use stats::mean_std;
pub use threshold::{at_threshold, AtThreshold};
