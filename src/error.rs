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
    pub(crate) fn config(key: &str, message: impl Into<String>) -> Self {
        Error::Config {
            key: key.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn parse(file: &str, line: usize, message: impl Into<String>) -> Self {
        Error::Parse {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Input echoed into a message: at most 40 characters (then "…") with control characters escaped,
/// so a huge or hostile field can neither flood a message nor drive a terminal.
pub fn shorten(text: &str) -> String {
    shorten_to(text, 40)
}

/// `shorten` with another length limit (for messages that quote input inside a longer text).
pub fn shorten_to(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in text.chars().enumerate() {
        if n == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
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
    }
}
