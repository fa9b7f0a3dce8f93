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
