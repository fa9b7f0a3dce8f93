//! full.rs — owns the line between the site's two wasm modules. The cargo feature `full` (on by
//! default: the CLI, the tests and the site's second module) holds everything; the site's first
//! module is this crate built without it (`--no-default-features`), for what the first screen
//! runs: what one worker runs by itself (a single run, a comparison, "would it spot you?") on
//! every recommender but ncf. Sweeps and every job split into units (experiment::units: sweeps,
//! matrices, frontiers, a LiRA run spread over workers), the audit and ncf are cut off at their
//! entry points (`required(...)?` first: without `full` the rest of the function is dead code,
//! and the linker drops it and all it alone calls, down to the pieces' deserialisers), so the
//! core module is the same code giving the same numbers, less those parts. The page asks for the full module for a job
//! that needs it (www/js/wasm-module.js, `needsFull`); the checks here make a job that reached
//! the core module anyway fail with a message instead of running half of its code.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::recommender::RecommenderKind;

/// Whether this build holds the whole crate (cargo feature `full`).
pub const ENABLED: bool = cfg!(feature = "full");

/// `Ok` in the full build; in the core build the error that `what` needs the full module. The
/// error is built here, inline: a function cut off by it is then a few instructions whose result
/// its callers see is an error (built by a call, in another function, it could have been `Ok` as
/// far as they could see: `Result<(), Error>` keeps `Ok` in a spare value of `Error`'s tag, and
/// the cut-off code stayed: measured, 1,574,597 B of core module instead of 1,320,017).
#[inline(always)]
pub fn required(what: &str) -> Result<()> {
    if ENABLED {
        Ok(())
    } else {
        Err(Error::State(format!(
            "{what} needs the full WebAssembly module (this is the core one: cargo feature `full`)"
        )))
    }
}

/// `required` for a config's recommenders (the target's and the shadow's): ncf is in the full
/// module only.
#[inline(always)]
pub fn recommenders(cfg: &Config) -> Result<()> {
    if cfg.recommender == RecommenderKind::Ncf || cfg.shadow_kind() == RecommenderKind::Ncf {
        required("recommender ncf")
    } else {
        Ok(())
    }
}
