//! The one error type of the library.

use std::path::PathBuf;

/// Everything that can go wrong inside `hipaa-iam-core`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file of the account data (or another input file) is malformed. `location` names
    /// the line, column or JSON path where that is known.
    #[error("{}: {location}{sep}{message}", path.display(), sep = if location.is_empty() { "" } else { ": " })]
    Input {
        /// The file.
        path: PathBuf,
        /// Line / column or JSON path inside the file, or empty.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An AWS call failed. The code and message are AWS's own when AWS answered; else the
    /// code says what happened instead (`Timeout`, `ConnectionFailed`, ...).
    #[error("AWS {operation} failed: {code}: {message}{}", at(endpoint))]
    Aws {
        /// The API operation, e.g. `GetAccountAuthorizationDetails`.
        operation: String,
        /// The AWS error code, e.g. `AccessDenied`, or a transport description.
        code: String,
        /// The AWS error message.
        message: String,
        /// The endpoint the request went to, when known (`https://iam.amazonaws.com`).
        endpoint: Option<String>,
    },
    /// The configuration file is invalid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The configuration file (or `<inline>`).
        path: PathBuf,
        /// What is wrong, naming the line where known.
        message: String,
    },
    /// An argument is invalid.
    #[error("{0}")]
    InvalidArgument(String),
}

/// ` (endpoint URL)`, or nothing.
pub(crate) fn at(endpoint: &Option<String>) -> String {
    endpoint
        .as_deref()
        .map_or_else(String::new, |e| format!(" (endpoint {e})"))
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Input`] for `path` at `location`.
    pub fn input(path: impl Into<PathBuf>, location: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            location: location.into(),
            message: message.into(),
        }
    }
}
