//! Movie titles for the page's user cards: MovieLens `movies.csv` (movieId,title,genres; titles are
//! quoted when they hold commas) read with the csv crate and written as a compact
//! `movieId<TAB>title` file the page loads only when a card is opened.

use crate::error::{shorten, shorten_to, Error, Result};

/// The csv crate's reason without its own position prefix ("CSV error: record 2 (line: 3, byte:
/// 40): "), which counts lines its own way: the message names the physical line itself. Cut to
/// 120 characters, so `file:line: reason` stays one short line.
fn reason(e: &csv::Error) -> String {
    let text = e.to_string();
    let text = match (text.starts_with("CSV"), text.find("): ")) {
        (true, Some(i)) => &text[i + 3..],
        _ => &text[..],
    };
    shorten_to(text, 120)
}

/// (movie id, title) pairs in file order.
pub fn parse_movies(bytes: &[u8], file: &str) -> Result<Vec<(u64, String)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    // The physical line of a record, from its byte offset (csv's own line counter differs on CRLF
    // and CR, and after a CR the offset points at the LF that ends the line before). LF, CRLF and
    // a lone CR each end a line, as for ratings files (a CR-only file was all "line 1").
    let line_at = |byte: u64| {
        let mut at = (byte as usize).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        let head = &bytes[..at];
        let ends = head
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && head.get(i + 1) != Some(&b'\n')))
            .count();
        1 + ends
    };
    let headers = reader
        .headers()
        .map_err(|e| Error::parse(file, 1, format!("unreadable header: {}", reason(&e))))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                Error::parse(
                    file,
                    1,
                    format!("header has no {name} column (expected movieId,title,genres)"),
                )
            })
    };
    let (id_col, title_col) = (col("movieId")?, col("title")?);
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_at(p.byte()));
            Error::parse(file, line, reason(&e))
        })?;
        let line = record.position().map_or(0, |p| line_at(p.byte()));
        let id = record[id_col].trim();
        let id: u64 = id.parse().map_err(|_| {
            Error::parse(
                file,
                line,
                format!("movieId '{}' is not a whole number", shorten(id)),
            )
        })?;
        let title = record[title_col].trim();
        if title.contains(['\t', '\n', '\r']) {
            return Err(Error::parse(file, line, "title holds a tab or line break"));
        }
        out.push((id, title.to_string()));
    }
    if out.is_empty() {
        return Err(Error::parse(file, 0, "no movies"));
    }
    Ok(out)
}

/// The compact form: one `id<TAB>title` line per movie.
pub fn to_tsv(movies: &[(u64, String)]) -> String {
    movies
        .iter()
        .map(|(id, t)| format!("{id}\t{t}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_titles_and_crlf_parse_and_errors_name_the_physical_line() {
        let csv = "movieId,title,genres\r\n1,Toy Story (1995),Comedy\r\n11,\"American President, The (1995)\",Drama\r\n";
        let m = parse_movies(csv.as_bytes(), "movies.csv").unwrap();
        assert_eq!(m[1], (11, "American President, The (1995)".to_string()));
        assert_eq!(
            to_tsv(&m),
            "1\tToy Story (1995)\n11\tAmerican President, The (1995)\n"
        );
        let bad = "movieId,title,genres\r\n1,A,B\r\nx,C,D\r\n";
        let e = parse_movies(bad.as_bytes(), "movies.csv")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("movies.csv:3:"), "{e}");
    }

    #[test]
    fn cr_only_files_name_the_right_line_and_csv_reasons_are_whole() {
        // Old Mac line ends: the error was reported at line 1.
        let bad = "movieId,title,genres\r1,A,B\rx,C,D\r";
        let e = parse_movies(bad.as_bytes(), "movies.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "movies.csv:3: movieId 'x' is not a whole number"
        );
        let short = "movieId,title,genres\r1,A,B\r2,C\r";
        let e = parse_movies(short.as_bytes(), "movies.csv").unwrap_err();
        // The csv crate's reason, whole (it was cut at 40 characters), at the physical line.
        assert_eq!(
            e.to_string(),
            "movies.csv:3: found record with 2 fields, but the previous record has 3 fields"
        );
    }
}
