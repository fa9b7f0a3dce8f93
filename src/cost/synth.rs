//! The estimate of `memberlens synth`: time and memory from the users, items and ratings asked
//! for, so a file that would take hours or more memory than the machine has is refused before
//! anything is allocated (as every other job is).

use super::Estimate;
use crate::synth::{SynthParams, BYTES_PER_ITEM, BYTES_PER_USER};

// Fitted to the CPU time (user + system) and peak RSS of `memberlens synth` on this project's
// 2-core machine (load ~3.5, 2026-12-05; `/usr/bin/time`): 10^5, 10^6 (ML-1M shape) and 10^7
// rows took 0.02, 0.26 (0.19 in another series) and 3.39 s; 10^8 items for 5 rows 4.02 s and 1.57 GB; 10^6 users with
// 5·10^6 rows 1.42 s and 32 MB. The wall time was up to 1.5× the CPU time on the shared machine.

/// Nanoseconds per catalogue item (its weight, the shuffle of the ids, the tree; page faults).
pub const NS_SYNTH_PER_ITEM: f64 = 40.0;
/// Nanoseconds per row and per level of the Fenwick tree (a draw, its removal and restoring).
pub const NS_SYNTH_PER_ROW_LEVEL: f64 = 4.0;
/// Nanoseconds per row beyond the draws: rating, time, sorting and formatting the line.
pub const NS_SYNTH_PER_ROW: f64 = 230.0;
/// Nanoseconds per user (counting shares, one pass per water-filling round, usually one or two).
pub const NS_SYNTH_PER_USER: f64 = 30.0;
/// The process before anything is generated (4.8 MB measured for the smallest file).
const SYNTH_BASE_BYTES: f64 = 4.5e6;
/// Bytes per row of the largest user, held while their rows are drawn and sorted.
const BYTES_PER_USER_ROW: f64 = 40.0;

/// Seconds and peak bytes of generating `p` (the writer's 1 MiB buffer and the largest user's
/// rows included).
pub fn estimate_synth(p: &SynthParams) -> Estimate {
    let items = f64::from(p.items);
    let users = f64::from(p.users);
    let rows = p.ratings as f64;
    let levels = items.max(2.0).log2();
    let ns = items * NS_SYNTH_PER_ITEM
        + rows * (levels * NS_SYNTH_PER_ROW_LEVEL + NS_SYNTH_PER_ROW)
        + users * NS_SYNTH_PER_USER;
    // The most active user: at most the catalogue, at most the rows.
    let largest = rows.min(items);
    Estimate {
        seconds: ns * 1e-9,
        peak_bytes: SYNTH_BASE_BYTES
            + (1 << 20) as f64
            + items * BYTES_PER_ITEM as f64
            + users * BYTES_PER_USER as f64
            + largest * BYTES_PER_USER_ROW,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(users: u32, items: u32, ratings: u64) -> SynthParams {
        SynthParams {
            users,
            items,
            ratings,
            seed: 0,
        }
    }

    /// (users, items, ratings, CPU seconds, peak MB) measured (see the constants).
    const MEASURED: [(u32, u32, u64, f64, f64); 5] = [
        (1_000, 3_700, 100_000, 0.02, 4.8),
        (6_040, 3_706, 1_000_209, 0.26, 4.9),
        (100_000, 30_000, 10_000_000, 3.39, 7.7),
        (1, 100_000_000, 5, 4.02, 1566.4),
        (1_000_000, 1_000, 5_000_000, 1.42, 31.9),
    ];

    #[test]
    fn matches_the_files_measured_within_1_5() {
        for (u, i, r, cpu, mb) in MEASURED {
            let e = estimate_synth(&params(u, i, r));
            let got_mb = e.peak_bytes / 1e6;
            // The smallest file's time is below the clock's resolution: only its memory counts.
            if cpu >= 0.1 {
                assert!(
                    (cpu / 1.5..cpu * 1.5).contains(&e.seconds),
                    "{u} {i} {r}: {} s vs {cpu}",
                    e.seconds
                );
            }
            assert!(
                (mb / 1.5..mb * 1.5).contains(&got_mb),
                "{u} {i} {r}: {got_mb} MB vs {mb}"
            );
        }
    }

    #[test]
    fn a_huge_catalogue_is_over_the_limits_before_anything_is_allocated() {
        // 10^9 items took 3.9 GB for 5 rows (more than 2^28 are refused by SynthParams::check).
        let e = estimate_synth(&params(1, 1_000_000_000, 5));
        assert!(e.over_limits().contains("memory limit"), "{e:?}");
        // The ML-1M shape is nowhere near them.
        assert_eq!(
            estimate_synth(&params(6_040, 3_706, 1_000_209)).over_limits(),
            ""
        );
    }
}
