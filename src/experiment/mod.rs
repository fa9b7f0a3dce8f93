//! Experiments built from the core's pieces: one run (`pipeline`), a parameter sweep (`sweep`),
//! the shadow × target transfer matrix (`matrix`), the privacy–utility frontier of the defences
//! (`frontier`), and `Job`, which drives any of them one bounded step at a time (what the CLI
//! and the browser worker call).

pub mod frontier;
pub mod job;
pub mod matrix;
pub mod pipeline;
pub mod sweep;

pub use job::{Job, JobResult};
