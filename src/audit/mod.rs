//! Auditing someone else's recommender from the lists it served: the auditor brings the
//! interactions they hold (any format `--ratings` reads) and one record per audited user (the
//! ranked list the service served them, whether they were in its training data where known), and
//! MemberLens runs every attack an outsider could — the shadow-free ones, the paper's MLP on a
//! shadow of a chosen family built from the auditor's other users, and the calibrated attack on
//! reference models — with ROC-AUC and intervals when labels are given, each user's risk and rank
//! always, who is exposed, and a self-contained HTML report.
//!
//! One module per concern: `input` (the lists file's three forms), `resolve` (ids against the
//! ratings, unknown ids), `shadow` (the attacker's shadow half), `calibrate` (the reference
//! models), `engine` (the stepped job), `report` (the result and its numbers), `exposure` (slices
//! and the most exposed users), `findings` (warnings, takeaways), `html` and `svg` (the report
//! page), `text` (the CLI's summary), `command` (the CLI's `audit`).

pub mod calibrate;
#[cfg(not(target_arch = "wasm32"))]
pub mod command;
pub mod engine;
pub mod exposure;
pub mod findings;
pub mod html;
pub mod input;
pub mod report;
pub mod resolve;
pub mod shadow;
pub mod svg;
pub mod text;

pub use engine::Audit;
pub use report::AuditReport;
pub use resolve::AuditLists;

use crate::data::Dataset;
use crate::error::Result;

/// Reads a lists file (`name` in messages) and matches it against `data`; `skip_unknown` drops
/// (and counts) ids the ratings do not hold instead of stopping at the first.
pub fn read_lists(
    bytes: &[u8],
    name: &str,
    data: &Dataset,
    skip_unknown: bool,
) -> Result<AuditLists> {
    crate::full::required("an audit")?;
    let raw = input::parse_lists(bytes, name)?;
    resolve::resolve(raw, data, name, skip_unknown)
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Today's date in UTC as YYYY-MM-DD (days since 1970 to the civil calendar, Howard Hinnant's
/// `civil_from_days`).
pub fn utc_date(unix_seconds: u64) -> String {
    let z = (unix_seconds / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_fingerprints() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_798_761_599), "2026-12-31");
        assert_eq!(utc_date(1_798_761_600), "2027-01-01");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
