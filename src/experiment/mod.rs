//! Experiments built from the core's pieces: one run (`pipeline`), a parameter sweep (`sweep`),
//! the shadow × target transfer matrix (`matrix`), the privacy–utility frontier of the defences
//! (`frontier`), and `Job`, which drives any of them one bounded step at a time (what the browser
//! worker calls). Natively, `parallel` runs a sweep's runs or a matrix's seeds on every core (what
//! the CLI calls). `units` splits any of them into independent units and puts the pieces back
//! together, for the page's pool of workers and the CLI's threads; what each kind of job does
//! there is its mode's (`modes`, one file each). `job_spec` is the one type a job has.

pub mod frontier;
pub mod frontier_notes;
pub mod frontier_report;
pub mod job;
pub mod job_spec;
pub mod matrix;
pub mod matrix_report;
pub mod matrix_train;
pub mod modes;
#[cfg(not(target_arch = "wasm32"))]
pub mod parallel;
pub mod pipeline;
pub mod references;
pub mod served;
pub mod sweep;
pub mod units;
pub mod units_run;
pub mod you;

pub use job::{Job, JobResult};
pub use job_spec::JobSpec;
