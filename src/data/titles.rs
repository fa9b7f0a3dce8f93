//! Movie titles for the page's user cards: MovieLens `movies.csv` (movieId,title,genres; titles are
//! quoted when they hold commas) read with the csv crate and written as a compact
//! `movieId<TAB>title` file the page loads only when a card is opened.

use crate::error::{shorten, Error, Result};

/// (movie id, title) pairs in file order.
pub fn parse_movies(bytes: &[u8], file: &str) -> Result<Vec<(u64, String)>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    // The physical line of a record, from its byte offset (csv's own line counter differs on CRLF,
    // and after a CR the offset points at the LF that ends the line before).
    let line_at = |byte: u64| {
        let mut at = (byte as usize).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
            at += 1;
        }
        1 + bytes[..at].iter().filter(|&&b| b == b'\n').count()
    };
    let headers = reader
        .headers()
        .map_err(|e| {
            Error::parse(
                file,
                1,
                format!("unreadable header: {}", shorten(&e.to_string())),
            )
        })?
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
            Error::parse(file, line, shorten(&e.to_string()))
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
}
