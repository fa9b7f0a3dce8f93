//! Experiments built from the core's pieces: one run (`pipeline`), a parameter sweep (`sweep`),
//! the shadow × target transfer matrix (`matrix`), the privacy–utility frontier of the defences
//! (`frontier`), and `Job`, which drives any of them one bounded step at a time (what the browser
//! worker calls). Natively, `parallel` runs a sweep's runs or a matrix's seeds on every core (what
//! the CLI calls).

pub mod frontier;
pub mod job;
pub mod matrix;
#[cfg(not(target_arch = "wasm32"))]
pub mod parallel;
pub mod pipeline;
pub mod sweep;

pub use job::{Job, JobResult};
