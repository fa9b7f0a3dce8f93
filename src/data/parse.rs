//! Text rating formats: MovieLens `ratings.csv`, ML-100K `u.data`, ML-1M `ratings.dat`. Only who
//! interacted with what is kept (implicit feedback), but every field is checked so a broken file is
//! reported at its line instead of silently producing a different data set: each record is read or
//! refused, never dropped. Lines end with LF, CRLF or a lone CR (old Mac files), in any mix; the
//! line in a message is the physical line an editor shows. Lines are split here rather than by the
//! csv crate, whose record positions count lines differently (off by one in CRLF files, wrong after
//! blank lines) and which does not split `ratings.dat` at all.

use std::borrow::Cow;

use crate::error::{shorten, Error, Result};

type Pairs = (Vec<(u64, u64)>, usize);

/// The physical lines of `text`, numbered from 1, without their line end. LF, CRLF and CR each end
/// one line; a final line end does not start another line.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> + Clone {
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
fn line_of(bytes: &[u8], offset: usize) -> usize {
    let ends = (0..offset)
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count();
    1 + ends
}

/// A line with nothing on it. Only spaces count as nothing: a tab is u.data's delimiter, so a line
/// of tabs is a record of empty fields (refused), not a blank line (skipped).
fn blank(line: &str) -> bool {
    line.bytes().all(|b| b == b' ')
}

/// Parses any supported text format into (user id, item id) pairs and the record count.
pub fn parse_ratings(bytes: &[u8], file: &str) -> Result<Pairs> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::parse(
            file,
            line_of(bytes, e.valid_up_to()),
            "the file is not UTF-8 text",
        )
    })?;
    // A byte order mark (Excel writes one) is not part of the first field.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = lines(text).filter(|(_, l)| !blank(l)).peekable();
    let &(first_line, first) = lines
        .peek()
        .ok_or_else(|| Error::parse(file, 0, "the file is empty"))?;
    let format = if first.contains("::") {
        Format::DoubleColon
    } else if first.contains('\t') {
        Format::Tab
    } else {
        lines.next();
        Format::Csv(header_columns(file, first_line, first)?)
    };
    // One pair per record: size the vector once instead of doubling it (a doubled vector holds
    // up to 2 × 16 bytes per record while loading), from the lines that hold something. Sizing
    // it from the line ends took 16 bytes for every blank line: 50 MB of them reserved 812 MiB
    // (in every page worker), and ~134 M of them overflowed wasm32's capacity (a panic).
    let records = lines.clone().count();
    let mut pairs = Vec::new();
    pairs.try_reserve_exact(records).map_err(|_| {
        Error::parse(
            file,
            0,
            format!(
                "{records} records need {} MB while loading, more than this program can hold",
                records.saturating_mul(16) / 1_000_000
            ),
        )
    })?;
    for (line, l) in lines {
        pairs.push(format.record(file, line, l)?);
    }
    if pairs.is_empty() {
        return Err(Error::parse(file, 0, "no rating records found"));
    }
    let n = pairs.len();
    Ok((pairs, n))
}

/// Column positions of a CSV with a header; every row has exactly `width` fields.
struct Columns {
    width: usize,
    user: usize,
    item: usize,
    rating: Option<usize>,
    timestamp: Option<usize>,
}

enum Format {
    /// MovieLens `ratings.csv` (or any CSV naming its columns in a header).
    Csv(Columns),
    /// ML-100K `u.data`: user, item, rating, timestamp separated by tabs.
    Tab,
    /// ML-1M `ratings.dat`: UserID::MovieID::Rating::Timestamp.
    DoubleColon,
}

impl Format {
    /// The (user, item) of one record, every field checked.
    fn record(&self, file: &str, line: usize, l: &str) -> Result<(u64, u64)> {
        match self {
            Format::Csv(c) => {
                let fields = split_csv(l).map_err(|m| Error::parse(file, line, m))?;
                if fields.len() != c.width {
                    return Err(Error::parse(
                        file,
                        line,
                        format!(
                            "expected {} fields as in the header, found {}",
                            c.width,
                            n_fields(fields.len())
                        ),
                    ));
                }
                let user = whole(file, line, "userId", &fields[c.user])?;
                let item = whole(file, line, "movieId", &fields[c.item])?;
                if let Some(r) = c.rating {
                    rating(file, line, "rating", &fields[r])?;
                }
                if let Some(t) = c.timestamp {
                    timestamp(file, line, "timestamp", &fields[t])?;
                }
                Ok((user, item))
            }
            Format::Tab => {
                let fields: Vec<&str> = l.split('\t').collect();
                fixed(
                    file,
                    line,
                    &fields,
                    "user id, item id, rating, timestamp (tab-separated)",
                )?;
                let user = whole(file, line, "user id", fields[0])?;
                let item = whole(file, line, "item id", fields[1])?;
                rating(file, line, "rating", fields[2])?;
                if let Some(t) = fields.get(3) {
                    timestamp(file, line, "timestamp", t)?;
                }
                Ok((user, item))
            }
            Format::DoubleColon => {
                let fields: Vec<&str> = l.split("::").collect();
                fixed(file, line, &fields, "UserID::MovieID::Rating::Timestamp")?;
                let user = whole(file, line, "UserID", fields[0])?;
                let item = whole(file, line, "MovieID", fields[1])?;
                rating(file, line, "Rating", fields[2])?;
                if let Some(t) = fields.get(3) {
                    timestamp(file, line, "Timestamp", t)?;
                }
                Ok((user, item))
            }
        }
    }
}

/// u.data and ratings.dat records have their four fields (the timestamp may be left out, never
/// added to).
fn fixed(file: &str, line: usize, fields: &[&str], layout: &str) -> Result<()> {
    if (3..=4).contains(&fields.len()) {
        Ok(())
    } else {
        Err(Error::parse(
            file,
            line,
            format!("expected {layout}, found {}", n_fields(fields.len())),
        ))
    }
}

fn n_fields(n: usize) -> String {
    format!("{n} field{}", if n == 1 { "" } else { "s" })
}

fn whole(file: &str, line: usize, field: &str, raw: &str) -> Result<u64> {
    raw.trim().parse::<u64>().map_err(|_| {
        Error::parse(
            file,
            line,
            format!("{field} '{}' is not a whole number", shorten(raw)),
        )
    })
}

fn rating(file: &str, line: usize, field: &str, raw: &str) -> Result<()> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(()),
        _ => Err(Error::parse(
            file,
            line,
            format!("{field} '{}' is not a number", shorten(raw)),
        )),
    }
}

/// Seconds since 1970; MovieLens writes whole numbers (negative ones would be before 1970).
fn timestamp(file: &str, line: usize, field: &str, raw: &str) -> Result<()> {
    match raw.trim().parse::<i64>() {
        Ok(_) => Ok(()),
        Err(_) => Err(Error::parse(
            file,
            line,
            format!(
                "{field} '{}' is not a whole number of seconds",
                shorten(raw)
            ),
        )),
    }
}

/// Splits one CSV line at commas. A field may be quoted (`"1"`, `""` inside stands for `"`) as
/// spreadsheets and R write them; a quoted field must close on its line, since no column the
/// parser reads can hold a line break.
fn split_csv(line: &str) -> std::result::Result<Vec<Cow<'_, str>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let after = loop {
                match chars.next() {
                    None => {
                        return Err(format!(
                            "field {} has an unterminated quote (quoted fields cannot span lines)",
                            fields.len() + 1
                        ))
                    }
                    Some((i, '"')) => {
                        if quoted[i + 1..].starts_with('"') {
                            value.push('"');
                            chars.next();
                        } else {
                            break &quoted[i + 1..];
                        }
                    }
                    Some((_, c)) => value.push(c),
                }
            };
            fields.push(Cow::Owned(value));
            match after.strip_prefix(',') {
                Some(r) => rest = r,
                None if after.is_empty() => return Ok(fields),
                None => {
                    return Err(format!(
                        "field {} has text after its closing quote: '{}'",
                        fields.len(),
                        shorten(after)
                    ))
                }
            }
        } else {
            match rest.split_once(',') {
                Some((field, r)) => {
                    fields.push(Cow::Borrowed(field));
                    rest = r;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

fn header_columns(file: &str, line: usize, header: &str) -> Result<Columns> {
    let names = split_csv(header).map_err(|m| Error::parse(file, line, m))?;
    let find = |wanted: &str, aliases: &[&str]| -> Result<Option<usize>> {
        let mut at = names
            .iter()
            .enumerate()
            .filter(|(_, h)| aliases.iter().any(|a| h.trim().eq_ignore_ascii_case(a)))
            .map(|(i, _)| i);
        match (at.next(), at.next()) {
            (Some(_), Some(_)) => Err(Error::parse(
                file,
                line,
                format!("header names the {wanted} column twice"),
            )),
            (first, _) => Ok(first),
        }
    };
    let missing = |wanted: &str| {
        Error::parse(
            file,
            line,
            format!("header has no {wanted} column (expected userId,movieId,rating,timestamp)"),
        )
    };
    let user = find("userId", &["userId", "user_id", "user"])?.ok_or_else(|| missing("userId"))?;
    let item = find(
        "movieId",
        &["movieId", "movie_id", "itemId", "item_id", "item"],
    )?
    .ok_or_else(|| missing("movieId"))?;
    Ok(Columns {
        width: names.len(),
        user,
        item,
        rating: find("rating", &["rating"])?,
        timestamp: find("timestamp", &["timestamp"])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_at_lf_crlf_and_cr() {
        let got: Vec<(usize, &str)> = lines("a\r\nb\rc\n\nd\r\r\ne").collect();
        assert_eq!(
            got,
            vec![
                (1, "a"),
                (2, "b"),
                (3, "c"),
                (4, ""),
                (5, "d"),
                (6, ""),
                (7, "e")
            ]
        );
        assert_eq!(lines("a\n").count(), 1);
        assert_eq!(lines("").count(), 0);
        // line_of agrees with lines for the first byte of every line
        let text = "a\r\nb\rc\n\nd\r\r\ne";
        let mut offset = 0;
        for (n, l) in lines(text) {
            let start = l.as_ptr() as usize - text.as_ptr() as usize;
            assert_eq!(line_of(text.as_bytes(), start), n, "line {n}");
            offset = start;
        }
        assert_eq!(offset, text.len() - 1);
    }

    #[test]
    fn csv_fields_with_quotes() {
        assert_eq!(
            split_csv("1,\"2\",\"a\"\"b\",").unwrap(),
            ["1", "2", "a\"b", ""]
        );
        assert_eq!(split_csv("").unwrap(), [""]);
        assert!(split_csv("\"1").unwrap_err().contains("unterminated"));
        assert!(split_csv("\"1\"x,2")
            .unwrap_err()
            .contains("after its closing"));
    }

    #[test]
    fn the_records_are_sized_from_what_is_found_not_from_the_line_ends() {
        // 100,000 blank lines around two records: main reserved a pair for every line end.
        let mut text = String::from("userId,movieId\n");
        text.push_str(&"\n".repeat(50_000));
        text.push_str("1,2\n");
        text.push_str(&" \r\n".repeat(50_000));
        text.push_str("1,3\n");
        let (p, n) = parse_ratings(text.as_bytes(), "r.csv").unwrap();
        assert_eq!((p.len(), n), (2, 2));
        assert_eq!(p.capacity(), 2);
        // Only blank lines: no records, nothing reserved, a clear error.
        let e = parse_ratings("\n".repeat(100_000).as_bytes(), "r.csv").unwrap_err();
        assert_eq!(e.to_string(), "r.csv:0: the file is empty");
    }

    #[test]
    fn movielens_csv_with_crlf() {
        let (p, n) = parse_ratings(
            b"userId,movieId,rating,timestamp\r\n1,10,4.0,9\r\n2,20,3.5,9\r\n",
            "r.csv",
        )
        .unwrap();
        assert_eq!(p, vec![(1, 10), (2, 20)]);
        assert_eq!(n, 2);
    }

    #[test]
    fn u_data_and_ml_1m_formats() {
        let (p, _) = parse_ratings(
            b"196\t242\t3\t881250949\n186\t302\t3\t891717742\n",
            "u.data",
        )
        .unwrap();
        assert_eq!(p, vec![(196, 242), (186, 302)]);
        let (p, _) = parse_ratings(
            b"1::1193::5::978300760\r\n1::661::3::978302109\n",
            "ratings.dat",
        )
        .unwrap();
        assert_eq!(p, vec![(1, 1193), (1, 661)]);
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let e = parse_ratings(
            b"userId,movieId,rating,timestamp\n1,2,4,5\n1,3,abc,5\n",
            "r.csv",
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "r.csv:3: rating 'abc' is not a number");
        let e = parse_ratings(b"userId,movieId,rating\n1,x,4\n", "r.csv").unwrap_err();
        assert_eq!(e.to_string(), "r.csv:2: movieId 'x' is not a whole number");
        let e = parse_ratings(b"a,b\n1,2\n", "r.csv").unwrap_err();
        assert!(
            e.to_string().starts_with("r.csv:1: header has no userId"),
            "{e}"
        );
        let e = parse_ratings(b"\n\nuser,item,user\n1,2,3\n", "r.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:3: header names the userId column twice"
        );
        let e = parse_ratings(b"userId,movieId,rating\n1,2\n", "r.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv:2: expected 3 fields as in the header, found 2 fields"
        );
        let e = parse_ratings(b"1::2\n", "ratings.dat").unwrap_err();
        assert_eq!(
            e.to_string(),
            "ratings.dat:1: expected UserID::MovieID::Rating::Timestamp, found 2 fields"
        );
        let e = parse_ratings(b"", "x.csv").unwrap_err();
        assert_eq!(e.to_string(), "x.csv:0: the file is empty");
        let e = parse_ratings(b"userId,movieId\n1,2\n\xff\n", "x.csv").unwrap_err();
        assert_eq!(e.to_string(), "x.csv:3: the file is not UTF-8 text");
        let e = parse_ratings(b"1\t2\t3\t4\t5\n", "u.data").unwrap_err();
        assert_eq!(
            e.to_string(),
            "u.data:1: expected user id, item id, rating, timestamp (tab-separated), found 5 fields"
        );
    }
}
