//! Reading an audit's lists file: one record per audited user — the user's id, the ranked list the
//! audited service served them, whether they were in its training data where the auditor knows it,
//! and optionally the list a fresh account holding a copy of their history got — plus, optionally,
//! the list a new account without history got (user `*new*`). Three forms, told apart by the first
//! character that is not white space:
//!
//! - `[`: a JSON array of record objects, e.g. the file `memberlens run --users FILE` writes, read as
//!   it is (its other fields — score, rank, history, pca, … — are ignored);
//! - `{`: JSON Lines, one record object per line;
//! - anything else: CSV with a header naming its columns, `user` and `list` required, `member` and
//!   `reference_list` optional, in any order; a list is its item ids separated by spaces.
//!
//! Ids stay the data set's own (u64) here; `resolve.rs` matches them against the ratings. Every
//! record is read or the file refused with its line and field: nothing is dropped here.

use serde_json::{Map, Value};

use crate::error::{shorten, Error, Result};

/// The user id of the record holding the list a new account without history got.
pub const NEW_USER: &str = "*new*";

/// Fields of `memberlens run --users` records that an audit reads past.
const RUN_RECORD_FIELDS: [&str; 7] = [
    "score",
    "rank",
    "history",
    "pca",
    "history_centroid",
    "list_centroid",
    "centroid_distance",
];

/// One audited user as read, ids not yet matched.
#[derive(Clone, Debug, PartialEq)]
pub struct RawRecord {
    /// Physical line (1-based) where the record starts.
    pub line: usize,
    pub user: u64,
    pub member: Option<bool>,
    pub list: Vec<u64>,
    pub reference_list: Option<Vec<u64>>,
}

/// A whole lists file as read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawLists {
    pub records: Vec<RawRecord>,
    /// The `*new*` record: its line and list.
    pub new_user: Option<(usize, Vec<u64>)>,
}

/// Parses a lists file (`file` names it in messages).
pub fn parse_lists(bytes: &[u8], file: &str) -> Result<RawLists> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::parse(
            file,
            line_at(bytes, e.valid_up_to()),
            "the file is not UTF-8 text",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.trim_start();
    let mut out = RawLists::default();
    match start.chars().next() {
        None => return Err(Error::parse(file, 0, "the file is empty")),
        Some('[') => parse_array(text, file, &mut out)?,
        Some('{') => {
            for (line, l) in lines(text) {
                if !l.trim().is_empty() {
                    let v = json_value(l.as_bytes(), file, line)?;
                    add(&mut out, record(&v, file, line)?, file)?;
                }
            }
        }
        Some(_) => parse_csv(text, file, &mut out)?,
    }
    if out.records.is_empty() {
        return Err(Error::parse(file, 0, "no audited user in the file"));
    }
    Ok(out)
}

/// One record read: an audited user, or the new account's list.
enum Entry {
    User(RawRecord),
    NewUser(usize, Vec<u64>),
}

fn add(out: &mut RawLists, entry: Entry, file: &str) -> Result<()> {
    match entry {
        Entry::User(r) => out.records.push(r),
        Entry::NewUser(line, list) => {
            if let Some((first, _)) = &out.new_user {
                return Err(Error::parse(
                    file,
                    line,
                    format!("user: a second {NEW_USER} record (the first is at line {first})"),
                ));
            }
            out.new_user = Some((line, list));
        }
    }
    Ok(())
}

/// The physical lines of `text`, numbered from 1, without their line end (LF, CRLF or CR).
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut number = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        number += 1;
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |p| start + p);
        let line = &text[start..end];
        start = if bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n') {
            end + 2
        } else {
            end + 1
        };
        Some((number, line))
    })
}

/// The physical line (1-based) holding byte `offset`, counted as `lines` counts.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

// ---- CSV -------------------------------------------------------------------------------------

const CSV_COLUMNS: [&str; 4] = ["user", "member", "list", "reference_list"];

/// A CSV field without the double quotes a spreadsheet may put round it.
fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(f)
}

fn parse_csv(text: &str, file: &str, out: &mut RawLists) -> Result<()> {
    let mut rows = lines(text).filter(|(_, l)| !l.trim().is_empty());
    let (header_line, header) = rows.next().expect("the file holds a non-blank character");
    let columns: Vec<&str> = header.split(',').map(unquote).collect();
    let mut index = [None; 4];
    for (c, name) in columns.iter().enumerate() {
        let Some(k) = CSV_COLUMNS.iter().position(|n| n == name) else {
            return Err(Error::parse(
                file,
                header_line,
                format!(
                    "header: unknown column '{}' (allowed: user, member, list, reference_list)",
                    shorten(name)
                ),
            ));
        };
        if index[k].is_some() {
            return Err(Error::parse(
                file,
                header_line,
                format!("header: column '{name}' appears twice"),
            ));
        }
        index[k] = Some(c);
    }
    let (Some(user_col), Some(list_col)) = (index[0], index[2]) else {
        return Err(Error::parse(
            file,
            header_line,
            "header: the columns 'user' and 'list' are required (optional: member, reference_list)",
        ));
    };
    for (line, row) in rows {
        let fields: Vec<&str> = row.split(',').map(unquote).collect();
        if fields.len() != columns.len() {
            return Err(Error::parse(
                file,
                line,
                format!(
                    "{} fields, the header has {} (a list separates its ids with spaces, not commas)",
                    fields.len(),
                    columns.len()
                ),
            ));
        }
        let fail = |field: &str, msg: String| Error::parse(file, line, format!("{field}: {msg}"));
        let ids = |field: &str, text: &str| -> Result<Vec<u64>> {
            let ids = text
                .split_whitespace()
                .map(|t| t.parse::<u64>().map_err(|_| fail(field, not_an_id(t))))
                .collect::<Result<Vec<u64>>>()?;
            if ids.is_empty() {
                return Err(fail(
                    field,
                    "empty: a list needs at least one item id".into(),
                ));
            }
            Ok(ids)
        };
        let member = match index[1].map(|c| fields[c]) {
            None | Some("") => None,
            Some(t) => Some(match t.to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(fail(
                        "member",
                        format!(
                            "'{}' is not true, false, 1, 0 or empty (unknown)",
                            shorten(t)
                        ),
                    ))
                }
            }),
        };
        let user = fields[user_col];
        let list = ids("list", fields[list_col])?;
        let reference_list = match index[3].map(|c| fields[c]) {
            None | Some("") => None,
            Some(t) => Some(ids("reference_list", t)?),
        };
        let entry = if user == NEW_USER {
            new_user_entry(line, list, member.is_some(), reference_list.is_some(), file)?
        } else {
            let user = user
                .parse::<u64>()
                .map_err(|_| fail("user", not_a_user(user)))?;
            Entry::User(RawRecord {
                line,
                user,
                member,
                list,
                reference_list,
            })
        };
        add(out, entry, file)?;
    }
    Ok(())
}

fn not_an_id(text: &str) -> String {
    format!(
        "'{}' is not an item id (a whole number, as in the ratings file)",
        shorten(text)
    )
}

fn not_a_user(text: &str) -> String {
    format!(
        "'{}' is not a user id (a whole number, as in the ratings file, or {NEW_USER})",
        shorten(text)
    )
}

/// The `*new*` record: a list and nothing else.
fn new_user_entry(
    line: usize,
    list: Vec<u64>,
    member: bool,
    reference_list: bool,
    file: &str,
) -> Result<Entry> {
    if member || reference_list {
        let field = if member { "member" } else { "reference_list" };
        return Err(Error::parse(
            file,
            line,
            format!("{field}: the {NEW_USER} record (the list a new account got) has a list only"),
        ));
    }
    Ok(Entry::NewUser(line, list))
}

// ---- JSON ------------------------------------------------------------------------------------

/// A JSON value parsed from `bytes`, which start at physical line `line` of the file.
fn json_value(bytes: &[u8], file: &str, line: usize) -> Result<Value> {
    serde_json::from_slice(bytes).map_err(|e| {
        // serde_json ends its message with " at line L column C" of the piece parsed.
        let text = e.to_string();
        let reason = text.rfind(" at line ").map_or(&text[..], |i| &text[..i]);
        Error::parse(
            file,
            line + e.line().saturating_sub(1),
            format!("not valid JSON: {reason}"),
        )
    })
}

/// The records of a JSON array, each parsed on its own so its line is known. The array is split
/// at its top-level commas by a scanner that skips strings and nested brackets.
fn parse_array(text: &str, file: &str, out: &mut RawLists) -> Result<()> {
    let b = text.as_bytes();
    let open = b.iter().position(|&c| c == b'[').expect("starts with [");
    let mut line = line_at(b, open);
    let mut i = open + 1;
    let mut last_was_comma = false;
    loop {
        // white space before an element, or the closing bracket
        while i < b.len() && b[i].is_ascii_whitespace() {
            line += newline(b, i);
            i += 1;
        }
        match b.get(i) {
            None => return Err(Error::parse(file, line, "the JSON array is not closed")),
            Some(b']') if !last_was_comma => break,
            Some(b']') | Some(b',') => {
                return Err(Error::parse(file, line, "not valid JSON: an empty element"))
            }
            _ => {}
        }
        let (start, start_line) = (i, line);
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while i < b.len() {
            let c = b[i];
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_string = false;
                }
            } else {
                match c {
                    b'"' => in_string = true,
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' if depth > 0 => depth -= 1,
                    b',' | b']' if depth == 0 => break,
                    _ => {}
                }
            }
            line += newline(b, i);
            i += 1;
        }
        let v = json_value(&b[start..i], file, start_line)?;
        add(out, record(&v, file, start_line)?, file)?;
        last_was_comma = b.get(i) == Some(&b',');
        if last_was_comma {
            i += 1;
        }
    }
    let rest = &text[i + 1..];
    if let Some(p) = rest.find(|c: char| !c.is_whitespace()) {
        return Err(Error::parse(
            file,
            line_at(b, i + 1 + p),
            "not valid JSON: something after the closing ]",
        ));
    }
    Ok(())
}

/// 1 when byte `i` ends a line (LF, or a CR not followed by LF).
fn newline(b: &[u8], i: usize) -> usize {
    usize::from(b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
}

/// One record object.
fn record(v: &Value, file: &str, line: usize) -> Result<Entry> {
    let fail = |msg: String| Error::parse(file, line, msg);
    let Value::Object(obj) = v else {
        return Err(fail(
            "a record must be a JSON object with 'user' and 'list'".into(),
        ));
    };
    for key in obj.keys() {
        if !CSV_COLUMNS.contains(&key.as_str()) && !RUN_RECORD_FIELDS.contains(&key.as_str()) {
            return Err(fail(format!(
                "unknown field '{}' (allowed: user, member, list, reference_list, and the other fields of `memberlens run --users` records)",
                shorten(key)
            )));
        }
    }
    let member = match obj.get("member") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(m)) => Some(*m),
        Some(other) => {
            return Err(fail(format!(
                "member: {} is not true, false or null",
                shorten(&other.to_string())
            )))
        }
    };
    let list = json_ids(obj, "list", file, line)?
        .ok_or_else(|| fail("list: missing (the ranked item ids the user was served)".into()))?;
    let reference_list = json_ids(obj, "reference_list", file, line)?;
    let user = match obj.get("user") {
        Some(Value::String(s)) if s == NEW_USER => {
            return new_user_entry(line, list, member.is_some(), reference_list.is_some(), file)
        }
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| fail(user_msg(v, "user")))?,
        Some(Value::String(s)) => s.parse::<u64>().map_err(|_| fail(user_msg(v, "user")))?,
        Some(_) => return Err(fail(user_msg(v, "user"))),
        None => return Err(fail("user: missing".into())),
    };
    Ok(Entry::User(RawRecord {
        line,
        user,
        member,
        list,
        reference_list,
    }))
}

fn user_msg(v: &Value, key: &str) -> String {
    let shown = v.get(key).map(|u| match u {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    format!("user: {}", not_a_user(&shown.unwrap_or_default()))
}

/// An array of item ids (numbers, or strings of digits) under `key`; `None` when absent or null.
fn json_ids(
    obj: &Map<String, Value>,
    key: &str,
    file: &str,
    line: usize,
) -> Result<Option<Vec<u64>>> {
    let fail = |msg: String| Error::parse(file, line, format!("{key}: {msg}"));
    let items = match obj.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(fail("must be an array of item ids".into())),
    };
    if items.is_empty() {
        return Err(fail("empty: a list needs at least one item id".into()));
    }
    items
        .iter()
        .map(|x| match x {
            Value::Number(n) => n.as_u64().ok_or_else(|| fail(not_an_id(&n.to_string()))),
            Value::String(s) => s.parse::<u64>().map_err(|_| fail(not_an_id(s))),
            other => Err(fail(not_an_id(&other.to_string()))),
        })
        .collect::<Result<Vec<u64>>>()
        .map(Some)
}

#[cfg(test)]
mod tests;
