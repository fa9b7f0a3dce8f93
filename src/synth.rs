//! Synthetic MovieLens-shaped rating files of any size (`memberlens synth`), to measure how the
//! pipeline scales without redistributing real data. Item popularity and user activity follow
//! Zipf-like power laws; every user rates at least `MIN_PER_USER` distinct items; no (user, item)
//! pair repeats; the file has exactly the requested number of rows. Seeded ChaCha8, integer
//! arithmetic for the sampling, `libm` for the one power: the same bytes on every platform.
//!
//! The shape was chosen against ml-latest-small (top 1 % of items hold 16 % of its ratings, top
//! 10 % hold 60 %; top 10 % of users hold 48 %, the median user has 70 ratings). There is no taste
//! structure beyond popularity: the files are for measuring cost, not attack quality.

use std::io::Write;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::rng::{below, shuffle};

/// Every user rates at least this many distinct items (MovieLens itself keeps users with ≥ 20).
pub const MIN_PER_USER: u64 = 5;
/// Item at popularity rank r (0 = most popular) weighs 1 / (r + ITEM_OFFSET)^ITEM_EXPONENT.
/// With 3.7k items the top 1 % get ~27 % of the weight and the top 10 % ~62 % (before each
/// user's draws without replacement flatten it a little).
pub const ITEM_EXPONENT: f64 = 1.0;
pub const ITEM_OFFSET: f64 = 10.0;
/// User at activity rank r gets MIN_PER_USER plus a share of the rest proportional to
/// 1 / (r + USER_OFFSET)^USER_EXPONENT (capped at the catalogue size).
pub const USER_EXPONENT: f64 = 0.8;
pub const USER_OFFSET: f64 = 10.0;
/// Rows a file may have: the data set indexes interactions with `u32`.
pub const MAX_RATINGS: u64 = u32::MAX as u64;
/// The largest catalogue and user count the generator takes even with `--force`: 2^28 items
/// hold 4 GiB of generator memory (16 bytes each), 2^27 users 4.6 GiB (37 bytes each). The
/// largest MovieLens (ML-32M) has 87k items and 201k users. Without a bound, `--items
/// 4294967295` asked for 17 GB at once and aborted.
pub const MAX_ITEMS: u32 = 1 << 28;
pub const MAX_USERS: u32 = 1 << 27;

/// Random streams of the generator (numbered above `rng::Stream`'s, which are per run).
const STREAM_USERS: u64 = 101;
const STREAM_ITEMS: u64 = 102;
const STREAM_ROWS: u64 = 103;

/// MovieLens' half-star ratings and their share (per mille) in ml-latest-small, rounded.
const RATING_PER_MILLE: [(&str, u32); 10] = [
    ("0.5", 14),
    ("1.0", 28),
    ("1.5", 18),
    ("2.0", 75),
    ("2.5", 55),
    ("3.0", 199),
    ("3.5", 130),
    ("4.0", 266),
    ("4.5", 85),
    ("5.0", 130),
];

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SynthParams {
    pub users: u32,
    pub items: u32,
    pub ratings: u64,
    pub seed: u32,
}

impl SynthParams {
    /// Refuses what cannot be generated, naming the flag and the bound.
    pub fn check(&self) -> Result<()> {
        if self.users == 0 {
            return Err(Error::config("--users", "must be at least 1"));
        }
        if self.users > MAX_USERS {
            return Err(Error::config(
                "--users",
                format!(
                    "{} is above the generator's limit of {MAX_USERS}",
                    self.users
                ),
            ));
        }
        if self.items > MAX_ITEMS {
            return Err(Error::config(
                "--items",
                format!(
                    "{} is above the generator's limit of {MAX_ITEMS}",
                    self.items
                ),
            ));
        }
        if u64::from(self.items) < MIN_PER_USER {
            return Err(Error::config(
                "--items",
                format!(
                    "{} is too few: every user rates at least {MIN_PER_USER} distinct items",
                    self.items
                ),
            ));
        }
        let min = MIN_PER_USER * u64::from(self.users);
        let max = (u64::from(self.users) * u64::from(self.items)).min(MAX_RATINGS);
        if self.ratings < min || self.ratings > max {
            return Err(Error::config(
                "--ratings",
                format!(
                    "{} is impossible for {} users and {} items (allowed {min} to {max}: at least \
                     {MIN_PER_USER} per user, no repeated (user, item) pair, at most {MAX_RATINGS})",
                    self.ratings, self.users, self.items
                ),
            ));
        }
        Ok(())
    }
}

fn stream(seed: u32, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(seed));
    rng.set_stream(n);
    rng
}

/// Bytes the generator holds per catalogue item: the item id of each popularity rank (4), the
/// Fenwick tree (8) and the integer weights (4).
pub const BYTES_PER_ITEM: u64 = 16;
/// Bytes it holds per user while counting each user's ratings: weight (8), count by rank (8),
/// capped (1), the free list (8), the shuffled order (4) and the counts (8).
pub const BYTES_PER_USER: u64 = 37;

/// `n` copies of `x`, or a clear error when the memory cannot be had (a huge `--items` or
/// `--users` must be a refusal, not an abort).
fn filled<T: Clone>(n: usize, x: T, flag: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Error::config(
            flag,
            format!(
                "{n} needs more memory than this machine gives ({} bytes each): use a smaller value",
                std::mem::size_of::<T>()
            ),
        )
    })?;
    v.resize(n, x);
    Ok(v)
}

/// Ratings per user (indexed by user), summing to `p.ratings`, each in MIN_PER_USER..=items:
/// power-law shares by activity rank, water-filled under the cap; ranks are a seeded shuffle of
/// the users so activity does not follow the user id.
pub fn user_counts(p: &SynthParams) -> Result<Vec<u64>> {
    p.check()?;
    let n = p.users as usize;
    let cap = u64::from(p.items);
    let mut weight = filled(n, 0.0f64, "--users")?;
    for (r, w) in weight.iter_mut().enumerate() {
        *w = 1.0 / libm::pow(r as f64 + USER_OFFSET, USER_EXPONENT);
    }
    let mut by_rank = filled(n, 0u64, "--users")?;
    let mut capped = filled(n, false, "--users")?;
    let mut remaining = p.ratings;
    loop {
        let free: Vec<usize> = (0..n).filter(|&r| !capped[r]).collect();
        if free.is_empty() {
            break;
        }
        let extra = remaining - MIN_PER_USER * free.len() as u64;
        let total: f64 = free.iter().map(|&r| weight[r]).sum();
        let mut given = 0;
        for &r in &free {
            by_rank[r] = MIN_PER_USER + (extra as f64 * weight[r] / total) as u64;
            given += by_rank[r];
        }
        // Rounding down left fewer than |free| over (more if the float sum rounded up): one more
        // each, most active first, until none is left.
        let mut left = remaining.saturating_sub(given);
        while left > 0 {
            for &r in &free {
                if left == 0 {
                    break;
                }
                by_rank[r] += 1;
                left -= 1;
            }
        }
        let mut over = given.saturating_sub(remaining);
        for &r in free.iter().rev() {
            let take = over.min(by_rank[r] - MIN_PER_USER);
            by_rank[r] -= take;
            over -= take;
        }
        let full: Vec<usize> = free.iter().copied().filter(|&r| by_rank[r] > cap).collect();
        if full.is_empty() {
            break;
        }
        for r in full {
            by_rank[r] = cap;
            capped[r] = true;
            remaining -= cap;
        }
        for &r in &free {
            if !capped[r] {
                by_rank[r] = 0;
            }
        }
    }
    let mut order = filled(n, 0u32, "--users")?;
    for (i, o) in order.iter_mut().enumerate() {
        *o = i as u32;
    }
    shuffle(&mut stream(p.seed, STREAM_USERS), &mut order);
    let mut counts = filled(n, 0u64, "--users")?;
    for (rank, &user) in order.iter().enumerate() {
        counts[user as usize] = by_rank[rank];
    }
    debug_assert_eq!(counts.iter().sum::<u64>(), p.ratings);
    Ok(counts)
}

/// A Fenwick tree of integer weights: draws an index with probability weight / total in
/// O(log n), and removes or restores weights exactly (integers, so no drift).
struct Fenwick {
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(weights: &[u32]) -> Result<Fenwick> {
        let n = weights.len();
        let mut tree = filled(n + 1, 0u64, "--items")?;
        // Linear construction: each node passes its sum to its parent once.
        for (i, &w) in weights.iter().enumerate() {
            tree[i + 1] += u64::from(w);
            let parent = (i + 1) + ((i + 1) & (i + 1).wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i + 1];
            }
        }
        Ok(Fenwick {
            tree,
            total: weights.iter().map(|&w| u64::from(w)).sum(),
        })
    }

    fn add(&mut self, i: usize, delta: i64) {
        let n = self.tree.len() - 1;
        let mut j = i + 1;
        while j <= n {
            self.tree[j] = self.tree[j].wrapping_add_signed(delta);
            j += j & j.wrapping_neg();
        }
        self.total = self.total.wrapping_add_signed(delta);
    }

    /// The index whose cumulative range holds `target` (< total).
    fn find(&self, mut target: u64) -> usize {
        let n = self.tree.len() - 1;
        let mut pos = 0;
        let mut step = n.next_power_of_two();
        while step > 0 {
            if pos + step <= n && self.tree[pos + step] <= target {
                pos += step;
                target -= self.tree[pos];
            }
            step >>= 1;
        }
        pos
    }
}

/// A uniform `u64` below `n` from two `u32` draws (multiply-shift, portable).
fn below_u64(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    let x = (u64::from(rng.next_u32()) << 32) | u64::from(rng.next_u32());
    ((u128::from(x) * u128::from(n)) >> 64) as u64
}

/// Writes `userId,movieId,rating,timestamp` (LF) with exactly `p.ratings` rows, sorted by user
/// then movie as MovieLens files are; returns the row count. Streams user by user: memory is
/// O(users + items), whatever the number of rows.
pub fn write_csv(p: &SynthParams, out: &mut (impl Write + ?Sized)) -> Result<u64> {
    let counts = user_counts(p)?;
    let io = |e: std::io::Error| Error::Io {
        path: "synthetic ratings".into(),
        source: e,
    };
    // Item ids by popularity rank: a seeded shuffle of 1..=items.
    let items = p.items as usize;
    let mut item_of_rank = filled(items, 0u32, "--items")?;
    for (r, id) in item_of_rank.iter_mut().enumerate() {
        *id = r as u32 + 1;
    }
    shuffle(&mut stream(p.seed, STREAM_ITEMS), &mut item_of_rank);
    // The largest weight, 2^32 / ITEM_OFFSET^ITEM_EXPONENT, fits a u32 (4 bytes an item, not 8).
    let mut weights = filled(items, 0u32, "--items")?;
    for (r, w) in weights.iter_mut().enumerate() {
        let x = 4_294_967_296.0 / libm::pow(r as f64 + ITEM_OFFSET, ITEM_EXPONENT);
        *w = (x as u64).clamp(1, u64::from(u32::MAX)) as u32;
    }
    let mut tree = Fenwick::new(&weights)?;
    let mut rng = stream(p.seed, STREAM_ROWS);
    let mut ranks: Vec<usize> = Vec::new();
    let mut rows: Vec<(u32, &str, u64)> = Vec::new();
    let mut written = 0u64;
    out.write_all(b"userId,movieId,rating,timestamp\n")
        .map_err(io)?;
    for (u, &n) in counts.iter().enumerate() {
        // Weighted draws without replacement: a drawn item's weight is removed until the user is done.
        ranks.clear();
        for _ in 0..n {
            let r = tree.find(below_u64(&mut rng, tree.total));
            tree.add(r, -i64::from(weights[r]));
            ranks.push(r);
        }
        for &r in &ranks {
            tree.add(r, i64::from(weights[r]));
        }
        // Each user rates over a window of up to a year somewhere in 1996–2018.
        let start = 820_454_400 + below(&mut rng, 700_000_000) as u64;
        rows.clear();
        for &r in &ranks {
            let mut pick = below(&mut rng, 1000) as u32;
            let rating = RATING_PER_MILLE
                .iter()
                .find(|(_, per)| {
                    let hit = pick < *per;
                    pick = pick.saturating_sub(*per);
                    hit
                })
                .map_or("4.0", |(r, _)| r);
            let time = start + below(&mut rng, 31_536_000) as u64;
            rows.push((item_of_rank[r], rating, time));
        }
        rows.sort_unstable_by_key(|row| row.0);
        for (item, rating, time) in &rows {
            writeln!(out, "{},{item},{rating},{time}", u + 1).map_err(io)?;
        }
        written += n;
    }
    out.flush().map_err(io)?;
    Ok(written)
}

/// A generated data set for unit tests elsewhere in the crate (the CSV `write_csv` makes, parsed).
#[cfg(test)]
pub(crate) fn dataset(
    users: u32,
    items: u32,
    ratings: u64,
    seed: u32,
) -> std::sync::Arc<crate::data::Dataset> {
    let p = SynthParams {
        users,
        items,
        ratings,
        seed,
    };
    let mut csv = Vec::new();
    write_csv(&p, &mut csv).unwrap();
    std::sync::Arc::new(crate::data::Dataset::parse(&csv, "synth.csv").unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(users: u32, items: u32, ratings: u64) -> SynthParams {
        SynthParams {
            users,
            items,
            ratings,
            seed: 7,
        }
    }

    #[test]
    fn counts_sum_exactly_and_respect_the_floor_and_the_cap() {
        for p in [
            params(50, 40, 250),
            params(50, 40, 2000),
            params(50, 40, 1234),
            params(1000, 300, 100_000),
            params(3, 5, 15),
        ] {
            let c = user_counts(&p).unwrap();
            assert_eq!(c.iter().sum::<u64>(), p.ratings, "{p:?}");
            assert!(
                c.iter()
                    .all(|&n| (MIN_PER_USER..=u64::from(p.items)).contains(&n)),
                "{p:?}"
            );
        }
        // A power law: the most active user has many times the median.
        let mut c = user_counts(&params(1000, 3000, 100_000)).unwrap();
        c.sort_unstable();
        assert!(c[999] > 10 * c[500], "max {} median {}", c[999], c[500]);
    }

    #[test]
    fn fenwick_draws_follow_the_weights_and_removal_is_exact() {
        let w = [1u32, 0, 3, 6];
        let mut t = Fenwick::new(&w).unwrap();
        assert_eq!(
            (0..10).map(|x| t.find(x)).collect::<Vec<_>>(),
            [0, 2, 2, 2, 3, 3, 3, 3, 3, 3]
        );
        t.add(2, -3);
        assert_eq!(t.total, 7);
        assert_eq!(
            (0..7).map(|x| t.find(x)).collect::<Vec<_>>(),
            [0, 3, 3, 3, 3, 3, 3]
        );
        t.add(2, 3);
        assert_eq!(t.find(1), 2);
    }

    #[test]
    fn impossible_sizes_are_refused_with_the_flag_and_the_bounds() {
        let e = params(10, 100, 49).check().unwrap_err().to_string();
        assert!(
            e.starts_with("config: --ratings: 49 is impossible")
                && e.contains("allowed 50 to 1000"),
            "{e}"
        );
        let e = params(10, 6, 61).check().unwrap_err().to_string();
        assert!(e.contains("allowed 50 to 60"), "{e}");
        let e = params(10, 4, 50).check().unwrap_err().to_string();
        assert!(e.starts_with("config: --items:"), "{e}");
        let e = params(0, 10, 0).check().unwrap_err().to_string();
        assert!(e.starts_with("config: --users:"), "{e}");
        // Refused before anything is allocated (this aborted with a failed 17 GB allocation).
        let e = params(1, u32::MAX, 5).check().unwrap_err().to_string();
        assert!(e.starts_with("config: --items: 4294967295 is above"), "{e}");
        let e = params(MAX_USERS + 1, 10, 5 * u64::from(MAX_USERS + 1))
            .check()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("config: --users:"), "{e}");
        assert!(params(10, 6, 60).check().is_ok());
    }

    fn csv(p: &SynthParams) -> Vec<u8> {
        let mut out = Vec::new();
        assert_eq!(write_csv(p, &mut out).unwrap(), p.ratings);
        out
    }

    #[test]
    fn file_has_exactly_r_rows_distinct_pairs_and_parses_as_movielens() {
        let p = params(300, 400, 12_345);
        let bytes = csv(&p);
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with("userId,movieId,rating,timestamp\n"));
        assert!(!text.contains('\r'));
        assert_eq!(text.lines().count() as u64, p.ratings + 1);
        let d = crate::Dataset::parse(&bytes, "ratings.csv").unwrap();
        // The parser merges repeated pairs: as many interactions as rows means none repeated.
        assert_eq!(d.ratings as u64, p.ratings);
        assert_eq!(d.n_interactions() as u64, p.ratings);
        assert_eq!(d.n_users(), 300);
        assert!((0..d.n_users()).all(|u| d.user_items(u).len() as u64 >= MIN_PER_USER));
        // Rows come sorted by user, then movie, as in MovieLens.
        let keys: Vec<(u64, u64)> = text
            .lines()
            .skip(1)
            .map(|l| {
                let mut f = l.split(',');
                let u = f.next().unwrap().parse().unwrap();
                (u, f.next().unwrap().parse().unwrap())
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn same_params_give_the_same_bytes_and_another_seed_does_not() {
        let p = params(200, 150, 5_000);
        assert_eq!(csv(&p), csv(&p));
        assert_ne!(csv(&p), csv(&SynthParams { seed: 8, ..p }));
    }

    #[test]
    fn item_popularity_and_user_activity_are_power_laws() {
        let p = params(2_000, 3_000, 200_000);
        let d = crate::Dataset::parse(&csv(&p), "ratings.csv").unwrap();
        let mut per_item = vec![0u64; d.n_items()];
        for u in 0..d.n_users() {
            for &i in d.user_items(u) {
                per_item[i as usize] += 1;
            }
        }
        per_item.sort_unstable_by(|a, b| b.cmp(a));
        let share = |n: usize| per_item[..n].iter().sum::<u64>() as f64 / p.ratings as f64;
        // Uniform popularity would give the top 1 % of 3,000 items 1 % of the ratings.
        let top1 = share(30);
        assert!((0.08..0.40).contains(&top1), "top 1% of items hold {top1}");
        assert!(share(300) > 0.35, "top 10% of items hold {}", share(300));
        let mut per_user: Vec<usize> = (0..d.n_users()).map(|u| d.user_items(u).len()).collect();
        per_user.sort_unstable_by(|a, b| b.cmp(a));
        let top10: usize = per_user[..200].iter().sum();
        assert!(
            top10 as f64 / p.ratings as f64 > 0.3,
            "top 10% of users hold {top10}"
        );
    }
}
