//! Text rating formats: MovieLens `ratings.csv`, ML-100K `u.data`, ML-1M `ratings.dat`. Only who
//! interacted with what is kept (implicit feedback), but every field is checked so a broken file is
//! reported at its line instead of silently producing a different data set.

use crate::error::{Error, Result};

type Pairs = (Vec<(u64, u64)>, usize);

/// Parses any supported text format into (user id, item id) pairs and the record count.
pub fn parse_ratings(bytes: &[u8], file: &str) -> Result<Pairs> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Error::parse(file, line, "the file is not UTF-8 text")
    })?;
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or_else(|| Error::parse(file, 0, "the file is empty"))?;
    if first.contains("::") {
        parse_double_colon(text, file)
    } else if first.contains('\t') {
        parse_delimited(bytes, file, b'\t', false)
    } else {
        parse_delimited(bytes, file, b',', true)
    }
}

fn whole(file: &str, line: usize, field: &str, raw: &str) -> Result<u64> {
    raw.trim()
        .parse::<u64>()
        .map_err(|_| Error::parse(file, line, format!("{field} '{raw}' is not a whole number")))
}

fn rating(file: &str, line: usize, raw: &str) -> Result<()> {
    match raw.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(()),
        _ => Err(Error::parse(
            file,
            line,
            format!("rating '{raw}' is not a number"),
        )),
    }
}

/// Column positions of a CSV with a header.
struct Columns {
    user: usize,
    item: usize,
    rating: Option<usize>,
}

fn header_columns(file: &str, header: &csv::StringRecord) -> Result<Columns> {
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let user = find(&["userId", "user_id", "user"]).ok_or_else(|| {
        Error::parse(
            file,
            1,
            "header has no userId column (expected userId,movieId,rating,timestamp)",
        )
    })?;
    let item = find(&["movieId", "movie_id", "itemId", "item_id", "item"]).ok_or_else(|| {
        Error::parse(
            file,
            1,
            "header has no movieId column (expected userId,movieId,rating,timestamp)",
        )
    })?;
    Ok(Columns {
        user,
        item,
        rating: find(&["rating"]),
    })
}

fn parse_delimited(bytes: &[u8], file: &str, delimiter: u8, has_header: bool) -> Result<Pairs> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(has_header)
        .flexible(true)
        .from_reader(bytes);
    let cols = if has_header {
        let header = reader
            .headers()
            .map_err(|e| Error::parse(file, 1, e.to_string()))?
            .clone();
        header_columns(file, &header)?
    } else {
        // u.data: user id, item id, rating, timestamp
        Columns {
            user: 0,
            item: 1,
            rating: Some(2),
        }
    };
    let needed = cols.user.max(cols.item).max(cols.rating.unwrap_or(0)) + 1;
    let mut pairs = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line_of_next = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line_of_next, |p| p.line() as usize);
                return Err(Error::parse(file, line, e.to_string()));
            }
        }
        let line = record
            .position()
            .map_or(line_of_next, |p| p.line() as usize);
        if record.len() == 1 && record[0].trim().is_empty() {
            continue;
        }
        if record.len() < needed {
            return Err(Error::parse(
                file,
                line,
                format!("expected at least {needed} fields, found {}", record.len()),
            ));
        }
        let user = whole(file, line, "userId", &record[cols.user])?;
        let item = whole(file, line, "movieId", &record[cols.item])?;
        if let Some(r) = cols.rating {
            rating(file, line, &record[r])?;
        }
        pairs.push((user, item));
    }
    if pairs.is_empty() {
        return Err(Error::parse(file, 0, "no rating records found"));
    }
    let n = pairs.len();
    Ok((pairs, n))
}

fn parse_double_colon(text: &str, file: &str) -> Result<Pairs> {
    let mut pairs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = l.split("::").collect();
        if fields.len() < 3 {
            return Err(Error::parse(
                file,
                line,
                format!(
                    "expected UserID::MovieID::Rating::Timestamp, found {} fields",
                    fields.len()
                ),
            ));
        }
        let user = whole(file, line, "UserID", fields[0])?;
        let item = whole(file, line, "MovieID", fields[1])?;
        rating(file, line, fields[2])?;
        pairs.push((user, item));
    }
    let n = pairs.len();
    Ok((pairs, n))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e = parse_ratings(b"userId,movieId,rating\n1,2\n", "r.csv").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("r.csv:2: expected at least 3 fields"),
            "{e}"
        );
        let e = parse_ratings(b"1::2\n", "ratings.dat").unwrap_err();
        assert!(e.to_string().starts_with("ratings.dat:1:"), "{e}");
        let e = parse_ratings(b"", "x.csv").unwrap_err();
        assert_eq!(e.to_string(), "x.csv:0: the file is empty");
        let e = parse_ratings(b"userId,movieId\n1,2\n\xff\n", "x.csv").unwrap_err();
        assert_eq!(e.to_string(), "x.csv:3: the file is not UTF-8 text");
    }
}
