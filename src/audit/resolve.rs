//! Matching a lists file against the auditor's ratings: user and item ids become the data set's
//! dense indices. A user or item the ratings do not hold is never dropped silently: by default the
//! audit stops at the first such line, naming it and counting the rest; with `skip_unknown` (CLI
//! `--skip-unknown`) unknown items leave their lists, users not in the ratings (or whose list held
//! only unknown items) leave the audit, and the report's warnings count both with their first
//! lines. A user listed twice, an item twice in one list, or a `reference_list` given for some
//! users but not all is an error either way.

use std::collections::HashMap;

use super::input::RawLists;
use crate::data::Dataset;
use crate::error::{Error, Result};

/// Lines a message or warning names before it only counts.
const LINES_SHOWN: usize = 5;

/// The audited users, matched: every per-user vector in the file's order.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditLists {
    /// The lists file's name, for messages.
    pub file: String,
    /// Dense user indices.
    pub users: Vec<u32>,
    /// The line of each user's record.
    pub lines: Vec<usize>,
    /// Each user's list, best first (dense item indices).
    pub lists: Vec<Vec<u32>>,
    /// Whether each user was in the training data, where the auditor knows it.
    pub members: Vec<Option<bool>>,
    /// The list a new account without history got (`*new*`).
    pub new_user_list: Option<Vec<u32>>,
    /// Per user: the list a new account holding a copy of their history got.
    pub reference_lists: Option<Vec<Vec<u32>>>,
    pub skipped: Skipped,
}

/// What `skip_unknown` dropped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Skipped {
    /// Unknown item ids removed from lists, and the lines that held them.
    pub items: usize,
    pub item_lines: Vec<usize>,
    /// Records dropped: users not in the ratings, or whose list held only unknown items.
    pub users: usize,
    pub user_lines: Vec<usize>,
}

impl Skipped {
    pub fn is_empty(&self) -> bool {
        self.items == 0 && self.users == 0
    }

    /// The warning that says what was skipped, or `None`.
    pub fn warning(&self, file: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if self.items > 0 {
            parts.push(format!(
                "{} unknown item ids from the lists on {} lines ({})",
                self.items,
                self.item_lines.len(),
                shown_lines(file, &self.item_lines)
            ));
        }
        if self.users > 0 {
            parts.push(format!(
                "{} users not in the ratings or left with no known item ({})",
                self.users,
                shown_lines(file, &self.user_lines)
            ));
        }
        Some(format!(
            "skipped {}: the audit covers the rest only",
            parts.join(" and ")
        ))
    }
}

/// "l.csv:17, 40, 41 and 2 more lines".
fn shown_lines(file: &str, lines: &[usize]) -> String {
    let first: Vec<String> = lines
        .iter()
        .take(LINES_SHOWN)
        .map(|l| l.to_string())
        .collect();
    let more = lines.len().saturating_sub(LINES_SHOWN);
    let tail = if more > 0 {
        format!(" and {more} more lines")
    } else {
        String::new()
    };
    format!(
        "{}:{}{tail}",
        crate::error::shorten_to(file, crate::error::NAME_MAX),
        first.join(", ")
    )
}

/// Matches `raw` (read from `file`) against `data`.
pub fn resolve(
    raw: RawLists,
    data: &Dataset,
    file: &str,
    skip_unknown: bool,
) -> Result<AuditLists> {
    let mut unknown = Unknown::default();
    let item = |id: u64| data.item_ids.binary_search(&id).ok().map(|i| i as u32);
    // Maps one list; unknown ids are noted (and left out).
    let map_list = |ids: &[u64], line: usize, field: &'static str, unknown: &mut Unknown| {
        let mut out = Vec::with_capacity(ids.len());
        let mut first_unknown = true;
        for &id in ids {
            match item(id) {
                Some(i) => out.push(i),
                None => {
                    unknown.items += 1;
                    if first_unknown {
                        unknown.item_lines.push(line);
                        first_unknown = false;
                    }
                    unknown.first_item.get_or_insert((line, field, id));
                }
            }
        }
        out
    };
    let new_user_list = match &raw.new_user {
        Some((line, ids)) => {
            let list = map_list(ids, *line, "list", &mut unknown);
            check_repeats(&list, data, file, *line, "list")?;
            Some(list)
        }
        None => None,
    };
    let with_reference = raw
        .records
        .iter()
        .filter(|r| r.reference_list.is_some())
        .count();
    if with_reference > 0 && with_reference < raw.records.len() {
        let first = raw
            .records
            .iter()
            .find(|r| r.reference_list.is_none())
            .expect("some record has none");
        return Err(Error::parse(
            file,
            first.line,
            format!(
                "reference_list: given for {with_reference} of {} audited users; give it for every one or for none",
                raw.records.len()
            ),
        ));
    }
    let mut seen: HashMap<u32, usize> = HashMap::with_capacity(raw.records.len());
    let mut out = AuditLists {
        file: file.to_string(),
        users: Vec::with_capacity(raw.records.len()),
        lines: Vec::with_capacity(raw.records.len()),
        lists: Vec::with_capacity(raw.records.len()),
        members: Vec::with_capacity(raw.records.len()),
        new_user_list,
        reference_lists: (with_reference > 0).then(Vec::new),
        skipped: Skipped::default(),
    };
    for r in raw.records {
        let user = data.user_ids.binary_search(&r.user).ok().map(|u| u as u32);
        let list = map_list(&r.list, r.line, "list", &mut unknown);
        let reference = r
            .reference_list
            .as_ref()
            .map(|l| map_list(l, r.line, "reference_list", &mut unknown));
        let Some(user) = user else {
            unknown.users.push((r.line, r.user));
            continue;
        };
        if let Some(first) = seen.insert(user, r.line) {
            return Err(Error::parse(
                file,
                r.line,
                format!("user: {} is listed twice (first at line {first})", r.user),
            ));
        }
        check_repeats(&list, data, file, r.line, "list")?;
        if let Some(l) = &reference {
            check_repeats(l, data, file, r.line, "reference_list")?;
        }
        if list.is_empty() || reference.as_ref().is_some_and(|l| l.is_empty()) {
            unknown.emptied.push(r.line);
            continue;
        }
        out.users.push(user);
        out.lines.push(r.line);
        out.lists.push(list);
        out.members.push(r.member);
        if let (Some(all), Some(l)) = (out.reference_lists.as_mut(), reference) {
            all.push(l);
        }
    }
    unknown.finish(&mut out, data, file, skip_unknown)?;
    if out.users.is_empty() {
        return Err(Error::parse(
            file,
            0,
            "no audited user is left once the unknown ids are skipped",
        ));
    }
    Ok(out)
}

/// A list that names one item twice is not a ranking.
fn check_repeats(list: &[u32], data: &Dataset, file: &str, line: usize, field: &str) -> Result<()> {
    let mut sorted = list.to_vec();
    crate::order::u32s(&mut sorted);
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::parse(
            file,
            line,
            format!(
                "{field}: item {} appears twice in one list",
                data.item_ids[w[0] as usize]
            ),
        ));
    }
    Ok(())
}

/// Ids the ratings do not hold, as they were met.
#[derive(Default)]
struct Unknown {
    items: usize,
    item_lines: Vec<usize>,
    first_item: Option<(usize, &'static str, u64)>,
    /// (line, id) of users not in the ratings.
    users: Vec<(usize, u64)>,
    /// Lines of users whose list held only unknown items.
    emptied: Vec<usize>,
}

impl Unknown {
    fn finish(self, out: &mut AuditLists, data: &Dataset, file: &str, skip: bool) -> Result<()> {
        let ratings = crate::error::shorten_to(&data.name, crate::error::NAME_MAX);
        let hint = "(skip_unknown, CLI --skip-unknown, drops them and counts them in the report's warnings)";
        if !skip {
            if let Some(&(line, id)) = self.users.first() {
                return Err(Error::parse(
                    file,
                    line,
                    format!(
                        "user: {id} is not in {ratings} ({} unknown users, at {}) {hint}",
                        self.users.len(),
                        shown_lines(file, &self.users.iter().map(|u| u.0).collect::<Vec<_>>())
                    ),
                ));
            }
            if let Some((line, field, id)) = self.first_item {
                return Err(Error::parse(
                    file,
                    line,
                    format!(
                        "{field}: item {id} is not in {ratings} ({} unknown item ids on {} lines, at {}) {hint}",
                        self.items,
                        self.item_lines.len(),
                        shown_lines(file, &self.item_lines)
                    ),
                ));
            }
        }
        let mut user_lines: Vec<usize> = self.users.iter().map(|u| u.0).collect();
        user_lines.extend(&self.emptied);
        crate::order::usizes(&mut user_lines);
        let mut item_lines = self.item_lines;
        item_lines.dedup();
        if out.new_user_list.as_ref().is_some_and(|l| l.is_empty()) {
            // The new account's list held only unknown items: nothing to compare with.
            out.new_user_list = None;
        }
        out.skipped = Skipped {
            items: self.items,
            item_lines,
            users: user_lines.len(),
            user_lines,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::input::parse_lists;

    fn data() -> Dataset {
        // users 10, 20, 30; items 1..=6
        let pairs = [(10, 1), (10, 2), (20, 3), (20, 4), (30, 5), (30, 6)];
        Dataset::from_pairs("r.csv", &pairs, pairs.len()).unwrap()
    }

    fn run(text: &str, skip: bool) -> Result<AuditLists> {
        resolve(
            parse_lists(text.as_bytes(), "l.csv")?,
            &data(),
            "l.csv",
            skip,
        )
    }

    #[test]
    fn ids_become_dense_indices_in_the_files_order() {
        let a = run(
            "user,member,list,reference_list\n30,false,6 1,5\n10,true,2 3 4,1\n*new*,,1 2,\n",
            false,
        )
        .unwrap();
        assert_eq!(a.users, vec![2, 0]);
        assert_eq!(a.lines, vec![2, 3]);
        assert_eq!(a.lists, vec![vec![5, 0], vec![1, 2, 3]]);
        assert_eq!(a.members, vec![Some(false), Some(true)]);
        assert_eq!(a.new_user_list, Some(vec![0, 1]));
        assert_eq!(a.reference_lists, Some(vec![vec![4], vec![0]]));
        assert!(a.skipped.is_empty() && a.skipped.warning("l.csv").is_none());
    }

    #[test]
    fn unknown_ids_stop_the_audit_with_their_lines_unless_skipped() {
        let text = "user,list\n10,1 99 98\n20,3\n40,1\n30,97\n";
        assert_eq!(
            run(text, false).unwrap_err().to_string(),
            "l.csv:4: user: 40 is not in r.csv (1 unknown users, at l.csv:4) (skip_unknown, CLI --skip-unknown, drops them and counts them in the report's warnings)"
        );
        let items = "user,list\n10,1 99 98\n20,3\n30,97 5\n";
        assert_eq!(
            run(items, false).unwrap_err().to_string(),
            "l.csv:2: list: item 99 is not in r.csv (3 unknown item ids on 2 lines, at l.csv:2, 4) (skip_unknown, CLI --skip-unknown, drops them and counts them in the report's warnings)"
        );
        let a = run(text, true).unwrap();
        // user 40 is unknown, user 30's list held only an unknown item
        assert_eq!(a.users, vec![0, 1]);
        assert_eq!(a.lists, vec![vec![0], vec![2]]);
        assert_eq!(
            a.skipped,
            Skipped {
                items: 3,
                item_lines: vec![2, 5],
                users: 2,
                user_lines: vec![4, 5],
            }
        );
        assert_eq!(
            a.skipped.warning("l.csv").unwrap(),
            "skipped 3 unknown item ids from the lists on 2 lines (l.csv:2, 5) and 2 users not in the ratings or left with no known item (l.csv:4, 5): the audit covers the rest only"
        );
        let many: String = (0..8).map(|i| format!("{},1\n", 100 + i)).collect();
        let e = run(&format!("user,list\n10,1\n{many}"), false).unwrap_err();
        assert!(
            e.to_string()
                .contains("(8 unknown users, at l.csv:3, 4, 5, 6, 7 and 3 more lines)"),
            "{e}"
        );
        assert_eq!(
            run("user,list\n40,1\n", true).unwrap_err().to_string(),
            "l.csv:0: no audited user is left once the unknown ids are skipped"
        );
    }

    #[test]
    fn repeats_and_partial_reference_lists_are_errors() {
        assert_eq!(
            run("user,list\n10,1\n20,3\n10,2\n", false)
                .unwrap_err()
                .to_string(),
            "l.csv:4: user: 10 is listed twice (first at line 2)"
        );
        assert_eq!(
            run("user,list\n10,1 2 1\n", false).unwrap_err().to_string(),
            "l.csv:2: list: item 1 appears twice in one list"
        );
        assert_eq!(
            run("user,list,reference_list\n10,1,2\n20,3,\n", false)
                .unwrap_err()
                .to_string(),
            "l.csv:3: reference_list: given for 1 of 2 audited users; give it for every one or for none"
        );
    }
}
