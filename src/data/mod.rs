//! The interaction data set: users and items re-indexed densely (in ascending order of their original
//! ids, so the index never depends on file order) and each user's distinct items as a sorted list.

mod bundle;
mod parse;
pub mod titles;

use crate::error::{Error, Result};

pub use bundle::BUNDLE_MAGIC;

/// Implicit-feedback interactions in compressed-sparse-row form.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Where it came from (a file name), for messages.
    pub name: String,
    /// Original user id of each dense user index, ascending.
    pub user_ids: Vec<u64>,
    /// Original item id of each dense item index, ascending.
    pub item_ids: Vec<u64>,
    /// `offsets[u]..offsets[u + 1]` indexes `items` for user `u`.
    offsets: Vec<u32>,
    /// Dense item indices, sorted and distinct within each user.
    items: Vec<u32>,
    /// Number of rating records read (before duplicates were merged).
    pub ratings: usize,
}

/// What the page and the CLI show about a data set.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatasetSummary {
    pub name: String,
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
    pub ratings: usize,
}

impl Dataset {
    /// Builds a data set from (original user id, original item id) pairs.
    pub fn from_pairs(name: &str, pairs: &[(u64, u64)], ratings: usize) -> Result<Dataset> {
        if pairs.is_empty() {
            return Err(Error::Data(format!("{name}: no interactions")));
        }
        let mut user_ids: Vec<u64> = pairs.iter().map(|p| p.0).collect();
        user_ids.sort_unstable();
        user_ids.dedup();
        let mut item_ids: Vec<u64> = pairs.iter().map(|p| p.1).collect();
        item_ids.sort_unstable();
        item_ids.dedup();
        if item_ids.len() > u32::MAX as usize {
            return Err(Error::Data(format!("{name}: too many items")));
        }
        let dense = |ids: &[u64], id: u64| ids.binary_search(&id).expect("id present") as u32;
        let mut dense_pairs: Vec<(u32, u32)> = pairs
            .iter()
            .map(|&(u, i)| (dense(&user_ids, u), dense(&item_ids, i)))
            .collect();
        dense_pairs.sort_unstable();
        dense_pairs.dedup();
        let mut offsets = vec![0u32; user_ids.len() + 1];
        for &(u, _) in &dense_pairs {
            offsets[u as usize + 1] += 1;
        }
        for u in 0..user_ids.len() {
            offsets[u + 1] += offsets[u];
        }
        let items = dense_pairs.iter().map(|p| p.1).collect();
        Ok(Dataset {
            name: name.to_string(),
            user_ids,
            item_ids,
            offsets,
            items,
            ratings,
        })
    }

    /// Parses a ratings file, detecting its format: MovieLens `ratings.csv` (header, LF or CRLF),
    /// ML-100K `u.data` (tab-separated), ML-1M `ratings.dat` (`::`), or a MemberLens bundle.
    pub fn parse(bytes: &[u8], file: &str) -> Result<Dataset> {
        if bytes.starts_with(BUNDLE_MAGIC) {
            return bundle::decode(bytes, file);
        }
        let (pairs, ratings) = parse::parse_ratings(bytes, file)?;
        Dataset::from_pairs(file, &pairs, ratings)
    }

    /// Reads and parses a ratings file from disk.
    pub fn load(path: &std::path::Path) -> Result<Dataset> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Dataset::parse(&bytes, &name)
    }

    /// The compact binary form the web page ships (see `bundle`).
    pub fn to_bundle(&self) -> Vec<u8> {
        bundle::encode(self)
    }

    pub fn n_users(&self) -> usize {
        self.user_ids.len()
    }

    pub fn n_items(&self) -> usize {
        self.item_ids.len()
    }

    /// Distinct (user, item) interactions.
    pub fn n_interactions(&self) -> usize {
        self.items.len()
    }

    /// The sorted, distinct items of dense user `u`.
    pub fn user_items(&self, u: usize) -> &[u32] {
        &self.items[self.offsets[u] as usize..self.offsets[u + 1] as usize]
    }

    pub fn summary(&self) -> DatasetSummary {
        DatasetSummary {
            name: self.name.clone(),
            users: self.n_users(),
            items: self.n_items(),
            interactions: self.n_interactions(),
            ratings: self.ratings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindexes_densely_in_id_order_and_merges_duplicates() {
        let d = Dataset::from_pairs("t", &[(9, 50), (3, 7), (9, 7), (9, 50)], 4).unwrap();
        assert_eq!(d.user_ids, vec![3, 9]);
        assert_eq!(d.item_ids, vec![7, 50]);
        assert_eq!(d.user_items(0), &[0]);
        assert_eq!(d.user_items(1), &[0, 1]);
        assert_eq!(d.n_interactions(), 3);
        assert_eq!(d.ratings, 4);
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(Dataset::from_pairs("t", &[], 0).is_err());
    }
}
