//! The compact binary copy of a data set that the web page ships: LEB128 varints, ids and per-user
//! item lists delta-coded. ml-latest-small shrinks from 2.4 MB of CSV to about 0.15 MB.
//! Layout: magic, n_users, n_items, n_interactions, ratings, user id deltas, item id deltas, then per
//! user: item count followed by item index deltas.

use super::Dataset;
use crate::error::{Error, Result};

/// First bytes of every bundle.
pub const BUNDLE_MAGIC: &[u8] = b"MEMBERLENS-BUNDLE-1\n";
/// What every bundle version starts with, to tell an unsupported version from a text file.
pub const BUNDLE_FAMILY: &[u8] = b"MEMBERLENS-BUNDLE-";

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_deltas(out: &mut Vec<u8>, sorted: &[u64]) {
    let mut prev = 0;
    for &v in sorted {
        put(out, v - prev);
        prev = v;
    }
}

pub fn encode(d: &Dataset) -> Vec<u8> {
    let mut out = BUNDLE_MAGIC.to_vec();
    for n in [d.n_users(), d.n_items(), d.n_interactions(), d.ratings] {
        put(&mut out, n as u64);
    }
    put_deltas(&mut out, &d.user_ids);
    put_deltas(&mut out, &d.item_ids);
    for u in 0..d.n_users() {
        let items = d.user_items(u);
        put(&mut out, items.len() as u64);
        let wide: Vec<u64> = items.iter().map(|&i| u64::from(i)).collect();
        put_deltas(&mut out, &wide);
    }
    out
}

/// Reads a bundle as strictly as the text parser reads text: a bundle decodes only if it is exactly
/// the bytes `encode` writes for some data set the text parser could have produced (at least one
/// user and item, every user with items, every item with users, ids strictly ascending, minimal
/// varints, no trailing bytes), so nothing in it is silently changed, dropped or ignored.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Where the value being read starts, for messages.
    start: usize,
    file: &'a str,
}

impl Reader<'_> {
    fn corrupt(&self, what: impl std::fmt::Display) -> Error {
        Error::parse(
            self.file,
            0,
            format!("corrupt bundle at byte {}: {what}", self.start),
        )
    }

    /// One LEB128 varint: at most 10 bytes, no bits beyond 64, and minimal (no trailing zero
    /// groups), so each number has exactly one encoding.
    fn next(&mut self) -> Result<u64> {
        self.start = self.pos;
        let mut v = 0u64;
        for k in 0..10 {
            let b = *self
                .bytes
                .get(self.pos)
                .ok_or_else(|| self.corrupt("truncated"))?;
            self.pos += 1;
            let group = u64::from(b & 0x7f);
            if k == 9 && group > 1 {
                return Err(self.corrupt("varint overflows 64 bits"));
            }
            v |= group << (7 * k);
            if b & 0x80 == 0 {
                if k > 0 && group == 0 {
                    return Err(self.corrupt("varint is not minimal (ends in a zero byte)"));
                }
                return Ok(v);
            }
        }
        Err(self.corrupt("varint is longer than 10 bytes"))
    }

    /// A count of things that each take at least one more byte, so never more than `limit`.
    fn count(&mut self, what: &str, limit: u64) -> Result<usize> {
        let v = self.next()?;
        if v > limit {
            return Err(self.corrupt(format!("{what} {v} is more than {limit}")));
        }
        usize::try_from(v).map_err(|_| self.corrupt(format!("{what} {v} does not fit")))
    }

    /// `n` strictly ascending numbers written as deltas from the previous one (the first from 0).
    fn ascending(&mut self, n: usize, what: &str) -> Result<Vec<u64>> {
        let mut out = Vec::with_capacity(n);
        let mut prev = 0u64;
        for i in 0..n {
            let d = self.next()?;
            if i > 0 && d == 0 {
                return Err(self.corrupt(format!("{what} repeat {prev} (not strictly ascending)")));
            }
            prev = prev
                .checked_add(d)
                .ok_or_else(|| self.corrupt(format!("{what} overflow 64 bits")))?;
            out.push(prev);
        }
        Ok(out)
    }
}

pub fn decode(bytes: &[u8], file: &str) -> Result<Dataset> {
    let mut r = Reader {
        bytes,
        pos: BUNDLE_MAGIC.len(),
        start: BUNDLE_MAGIC.len(),
        file,
    };
    // Each id and each interaction takes at least one byte, so no honest count exceeds the file
    // size (this also bounds every allocation below by the input size).
    let limit = bytes.len() as u64;
    let n_users = r.count("user count", limit)?;
    if n_users == 0 {
        return Err(r.corrupt("the bundle has no users"));
    }
    let n_items = r.count("item count", limit.min(u64::from(u32::MAX)))?;
    if n_items == 0 {
        return Err(r.corrupt("the bundle has no items"));
    }
    let n_inter = r.count("interaction count", limit.min(u64::from(u32::MAX)))?;
    let ratings = r.next()?;
    if ratings < n_inter as u64 {
        return Err(r.corrupt(format!(
            "{ratings} ratings are fewer than the {n_inter} interactions"
        )));
    }
    let ratings =
        usize::try_from(ratings).map_err(|_| r.corrupt(format!("{ratings} ratings do not fit")))?;
    let user_ids = r.ascending(n_users, "user ids")?;
    let item_ids = r.ascending(n_items, "item ids")?;
    let mut offsets = Vec::with_capacity(n_users + 1);
    offsets.push(0u32);
    let mut items: Vec<u32> = Vec::with_capacity(n_inter);
    let mut used = vec![false; n_items];
    for &user in &user_ids {
        let n = r.next()?;
        if n == 0 {
            return Err(r.corrupt(format!("user id {user} has no items")));
        }
        if n > n_items as u64 {
            return Err(r.corrupt(format!(
                "user id {user} has {n} items, more than the {n_items} items there are"
            )));
        }
        let n = n as usize;
        if items.len() + n > n_inter {
            return Err(r.corrupt(format!(
                "more interactions than the {n_inter} interactions the header gives"
            )));
        }
        for i in r.ascending(n, "item indices")? {
            if i >= n_items as u64 {
                return Err(r.corrupt(format!(
                    "item index {i} of user id {user} is out of range (there are {n_items} items)"
                )));
            }
            used[i as usize] = true;
            items.push(i as u32);
        }
        offsets.push(items.len() as u32);
    }
    r.start = r.pos;
    if items.len() != n_inter {
        return Err(r.corrupt(format!(
            "the users have {} interactions, the header gives {n_inter}",
            items.len()
        )));
    }
    if let Some(unused) = used.iter().position(|&u| !u) {
        return Err(r.corrupt(format!("item id {} has no users", item_ids[unused])));
    }
    if r.pos != bytes.len() {
        return Err(r.corrupt(format!(
            "{} trailing bytes after the last user",
            bytes.len() - r.pos
        )));
    }
    Ok(Dataset {
        name: file.to_string(),
        user_ids,
        item_ids,
        offsets,
        items,
        ratings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_truncation() {
        let d = Dataset::from_pairs("x", &[(5, 1000), (5, 3), (700, 3), (2, 99999)], 4).unwrap();
        let b = encode(&d);
        let back = Dataset::parse(&b, "x").unwrap();
        assert_eq!(back, d);
        for cut in BUNDLE_MAGIC.len()..b.len() {
            assert!(Dataset::parse(&b[..cut], "x").is_err(), "cut at {cut}");
        }
    }
}
