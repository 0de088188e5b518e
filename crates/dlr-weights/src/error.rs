//! Errors of the weights downloader.

use std::path::PathBuf;

/// Everything that can go wrong while fetching or listing weights.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// The model name is not one this crate knows how to fetch.
    #[error("unknown model `{0}` (supported: {list})", list = crate::SUPPORTED_MODELS.join(", "))]
    UnknownModel(String),
    /// The request could not be made or the connection broke.
    #[error("request to {url} failed: {msg}\n{hint}")]
    Http {
        /// URL requested.
        url: String,
        /// What went wrong.
        msg: String,
        /// How to get the weights without this download.
        hint: String,
    },
    /// The server answered with an error status.
    #[error("{url}: server answered HTTP {status}\n{hint}")]
    Status {
        /// URL requested.
        url: String,
        /// HTTP status code.
        status: u16,
        /// How to get the weights without this download.
        hint: String,
    },
    /// Too many redirects, or a redirect without a `Location`.
    #[error("{url}: {msg}")]
    Redirect {
        /// URL requested.
        url: String,
        /// What went wrong.
        msg: String,
    },
    /// The server did not report a SHA-256 for the file, so the download cannot be verified.
    #[error("{url}: the server reported no SHA-256 (no 64-hex `X-Linked-ETag`/`ETag` header); refusing an unverifiable download")]
    NoHash {
        /// URL requested.
        url: String,
    },
    /// The downloaded bytes do not hash to the reported SHA-256 (the partial file was deleted).
    #[error("{url}: SHA-256 mismatch: expected {expected} (pinned, or reported by the server), the downloaded bytes hash to {actual}; the download was deleted")]
    HashMismatch {
        /// URL downloaded.
        url: String,
        /// SHA-256 expected (pinned, or reported by the server).
        expected: String,
        /// SHA-256 of the bytes received.
        actual: String,
    },
    /// The index reports a SHA-256 for the wheel other than the pinned one (nothing was downloaded).
    #[error("{url}: the index reports SHA-256 {reported} but dlr pins {pinned}; refusing a file that is not the published one (nothing was downloaded)")]
    PinMismatch {
        /// URL of the file.
        url: String,
        /// SHA-256 pinned in dlr.
        pinned: String,
        /// SHA-256 the index reported.
        reported: String,
    },
    /// The body ended before the announced length (the partial file was deleted).
    #[error(
        "{url}: truncated download: {got} of {expected} bytes received; the download was deleted"
    )]
    Truncated {
        /// URL downloaded.
        url: String,
        /// Bytes announced (`Content-Length` or `X-Linked-Size`).
        expected: u64,
        /// Bytes received.
        got: u64,
    },
    /// A server response (e.g. PyPI's JSON) was not what was expected.
    #[error("{url}: unexpected response: {msg}")]
    Format {
        /// URL requested.
        url: String,
        /// What was wrong.
        msg: String,
    },
    /// A file-system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// File or folder involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

impl WeightsError {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        WeightsError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, WeightsError>;
