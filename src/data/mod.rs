//! The interaction data set: users and items re-indexed densely (in ascending order of their original
//! ids, so the index never depends on file order) and each user's distinct items as a sorted list.

mod bundle;
mod parse;
pub mod titles;

use crate::error::{shorten_to, Error, Result, NAME_MAX};

pub use bundle::{BUNDLE_FAMILY, BUNDLE_MAGIC};

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
        Dataset::from_owned_pairs(name, pairs.to_vec(), ratings)
    }

    /// `from_pairs`, freeing the pairs (16 bytes per record) as soon as they are re-indexed, so
    /// loading peaks lower.
    fn from_owned_pairs(name: &str, pairs: Vec<(u64, u64)>, ratings: usize) -> Result<Dataset> {
        let shown = || shorten_to(name, NAME_MAX);
        if pairs.is_empty() {
            return Err(Error::Data(format!("{}: no interactions", shown())));
        }
        let mut user_ids: Vec<u64> = pairs.iter().map(|p| p.0).collect();
        crate::order::u64s(&mut user_ids);
        user_ids.dedup();
        // The id lists start with one entry per record: give the spare room back (16 bytes per
        // rating otherwise stay allocated for the life of the data set).
        user_ids.shrink_to_fit();
        let mut item_ids: Vec<u64> = pairs.iter().map(|p| p.1).collect();
        crate::order::u64s(&mut item_ids);
        item_ids.dedup();
        item_ids.shrink_to_fit();
        if item_ids.len() > u32::MAX as usize {
            return Err(Error::Data(format!("{}: too many items", shown())));
        }
        let dense = |ids: &[u64], id: u64| ids.binary_search(&id).expect("id present") as u32;
        let mut dense_pairs: Vec<(u32, u32)> = pairs
            .iter()
            .map(|&(u, i)| (dense(&user_ids, u), dense(&item_ids, i)))
            .collect();
        drop(pairs);
        crate::order::pairs(&mut dense_pairs);
        dense_pairs.dedup();
        // `offsets` are u32: refuse rather than wrap.
        if dense_pairs.len() > u32::MAX as usize {
            return Err(Error::Data(format!("{}: too many interactions", shown())));
        }
        // Every interaction comes from at least one rating (the bundle decoder checks the same).
        if ratings < dense_pairs.len() {
            return Err(Error::Data(format!(
                "{}: {ratings} ratings are fewer than the {} interactions",
                shown(),
                dense_pairs.len()
            )));
        }
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

    /// Parses a ratings file, detecting its format: MovieLens `ratings.csv` (header), ML-100K
    /// `u.data` (tab-separated), ML-1M `ratings.dat` (`::`), any with LF, CRLF or CR line ends, or a
    /// MemberLens bundle. Every record is read or the whole file refused with its line.
    pub fn parse(bytes: &[u8], file: &str) -> Result<Dataset> {
        if bytes.starts_with(BUNDLE_MAGIC) {
            return bundle::decode(bytes, file);
        }
        if bytes.starts_with(bundle::BUNDLE_FAMILY) {
            return Err(Error::parse(
                file,
                0,
                "this bundle version is not supported (made by another MemberLens version)",
            ));
        }
        let (pairs, ratings) = parse::parse_ratings(bytes, file)?;
        Dataset::from_owned_pairs(file, pairs, ratings)
    }

    /// `parse` of bytes it may free: a text file's bytes are dropped once its records are read,
    /// before they are indexed (loading then peaks at about 30 bytes per rating instead of 50+).
    pub fn parse_owned(bytes: Vec<u8>, file: &str) -> Result<Dataset> {
        if bytes.starts_with(BUNDLE_MAGIC) || bytes.starts_with(bundle::BUNDLE_FAMILY) {
            return Dataset::parse(&bytes, file);
        }
        let (pairs, ratings) = parse::parse_ratings(&bytes, file)?;
        drop(bytes);
        Dataset::from_owned_pairs(file, pairs, ratings)
    }

    /// Reads and parses a ratings file from disk.
    pub fn load(path: &std::path::Path) -> Result<Dataset> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: shorten_to(&path.display().to_string(), NAME_MAX),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        Dataset::parse_owned(bytes, &name)
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

    /// This data set with one more user, whose sorted, distinct dense `items` are given: the
    /// reader of "Would it spot you?" (`experiment::you`). Their id is one above the largest, so
    /// they are the last dense user and every other user keeps their index.
    pub fn with_user(&self, items: &[u32]) -> Dataset {
        let mut d = self.clone();
        d.user_ids.push(self.user_ids.last().map_or(0, |&u| u + 1));
        d.items.extend_from_slice(items);
        d.offsets.push(d.items.len() as u32);
        d.ratings += items.len();
        d
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
        // The id lists hold their ids, not one slot per record.
        assert_eq!((d.user_ids.capacity(), d.item_ids.capacity()), (2, 2));
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(Dataset::from_pairs("t", &[], 0).is_err());
    }

    #[test]
    fn fewer_ratings_than_interactions_is_an_error() {
        let e = Dataset::from_pairs("t", &[(1, 2), (1, 3)], 1).unwrap_err();
        assert_eq!(
            e.to_string(),
            "data: t: 1 ratings are fewer than the 2 interactions"
        );
    }
}
