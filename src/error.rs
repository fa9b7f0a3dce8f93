//! The crate's one error type and its `Result` alias. Every message says what is wrong and where.

use thiserror::Error;

/// Everything that can go wrong in MemberLens.
#[derive(Debug, Error)]
pub enum Error {
    /// A data file could not be parsed; `line` is 1-based (0 when the problem is the whole file).
    #[error("{file}:{line}: {message}")]
    Parse {
        file: String,
        line: usize,
        message: String,
    },
    /// A configuration value is out of range or unknown.
    #[error("config: {key}: {message}")]
    Config { key: String, message: String },
    /// The data set is too small or too sparse for the requested pipeline.
    #[error("data: {0}")]
    Data(String),
    /// Training went wrong (a diverging loss); the message names the stage and the setting to change.
    #[error("training: {0}")]
    Training(String),
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The caller asked for something in the wrong order (e.g. a result before the job is done).
    #[error("{0}")]
    State(String),
}

impl Error {
    /// Key and message may echo input (a JSON key, serde's text): both are made safe to print.
    pub(crate) fn config(key: &str, message: impl Into<String>) -> Self {
        Error::Config {
            key: shorten(key),
            message: one_line(&message.into()),
        }
    }

    /// The file name comes from the user (the page passes the name their file had): made safe too.
    pub(crate) fn parse(file: &str, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            file: shorten_to(file, NAME_MAX),
            line,
            message: one_line(&message.into()),
        }
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Most characters of an input field a message shows (then "…").
pub const FIELD_MAX: usize = 40;
/// Most characters of a file name or path a message shows.
pub const NAME_MAX: usize = 120;
/// Most characters of a whole message (longer ones keep their start and end around "…").
pub const MESSAGE_MAX: usize = 1000;

/// Characters that would break a one-line message or what a terminal shows: control characters
/// (C0 with ESC, DEL, C1), line and paragraph separators, bidi overrides and invisible marks.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
            | '\u{061c}' | '\u{feff}')
}

/// How a character is shown in a message.
fn escaped(c: char) -> std::borrow::Cow<'static, str> {
    match c {
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        c if unsafe_char(c) => format!("\\u{{{:x}}}", u32::from(c)).into(),
        c => String::from(c).into(),
    }
}

/// Appends `raw` escaped to `out` while the escaped text stays within `max` characters; returns the
/// byte offset in `raw` where it stopped, or `None` when all of it fitted. Looks at no more of `raw`
/// than it shows, so a 50 MB field costs nothing.
fn escape_prefix(out: &mut String, raw: &str, max: usize) -> Option<usize> {
    let mut used = 0;
    for (i, c) in raw.char_indices() {
        let e = escaped(c);
        let w = e.chars().count();
        if used + w > max {
            return Some(i);
        }
        used += w;
        out.push_str(&e);
    }
    None
}

/// Input echoed into a message: at most 40 characters (then "…") with control characters, line
/// separators and bidi overrides escaped, so a huge or hostile field can neither flood a message
/// nor drive a terminal.
pub fn shorten(text: &str) -> String {
    shorten_to(text, FIELD_MAX)
}

/// `shorten` with another length limit (for messages that quote input inside a longer text). The
/// limit counts characters as shown (`\u{1b}` is 6), and an escape is never cut in half.
pub fn shorten_to(text: &str, max: usize) -> String {
    let mut out = String::new();
    if escape_prefix(&mut out, text, max).is_some() {
        out.push('…');
    }
    out
}

/// A whole message made one safe line of at most `MESSAGE_MAX` characters (plus "…"): a longer one
/// keeps its start and its end, so both what is wrong and e.g. serde's "expected ..." remain.
pub fn one_line(message: &str) -> String {
    let mut out = String::new();
    if escape_prefix(&mut out, message, MESSAGE_MAX).is_none() {
        return out;
    }
    out.clear();
    let half = MESSAGE_MAX / 2;
    let head_end = escape_prefix(&mut out, message, half).unwrap_or(message.len());
    out.push('…');
    let mut tail = message.len();
    let mut budget = half;
    for (i, c) in message.char_indices().rev() {
        let w = escaped(c).chars().count();
        if i < head_end || w > budget {
            break;
        }
        budget -= w;
        tail = i;
    }
    escape_prefix(&mut out, &message[tail..], half);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_cuts_and_escapes() {
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten("a\u{1b}[31mb\n"), "a\\u{1b}[31mb\\n");
        let long = "x".repeat(1000);
        assert_eq!(shorten(&long).chars().count(), 41);
        assert_eq!(shorten(&"x".repeat(41)), format!("{}…", "x".repeat(40)));
        assert_eq!(shorten("a\tb\r\nc"), "a\\tb\\r\\nc");
        assert_eq!(shorten("ab\u{202e}cd\u{85}"), "ab\\u{202e}cd\\u{85}");
        // an escape counts with its shown width and is never cut in half
        assert_eq!(shorten_to("ab\x1b", 6), "ab…");
        assert_eq!(shorten_to("é€𝄞", 3), "é€𝄞");
        // a huge field of escapes still gives a short text
        assert!(shorten(&"\x1b".repeat(1_000_000)).chars().count() <= 41);
    }

    #[test]
    fn one_line_keeps_start_and_end_of_a_long_message() {
        assert_eq!(one_line("short\nmessage"), "short\\nmessage");
        let long = format!("start {} end", "\x1b".repeat(1_000_000));
        let m = one_line(&long);
        assert!(
            m.starts_with("start \\u{1b}") && m.ends_with("\\u{1b} end"),
            "{m}"
        );
        assert!(
            m.chars().count() <= MESSAGE_MAX + 1,
            "{}",
            m.chars().count()
        );
        assert!(!m.chars().any(char::is_control));
    }

    #[test]
    fn constructors_make_input_safe() {
        let e = Error::parse("a\nb.csv", 3, "x\x1by");
        assert_eq!(e.to_string(), "a\\nb.csv:3: x\\u{1b}y");
        let e = Error::config(&"k".repeat(100), "bad");
        assert_eq!(e.to_string(), format!("config: {}…: bad", "k".repeat(40)));
    }
}
