//! Error type of the report crate: invalid figure/table input, rendering and file-writing failures.

use std::path::PathBuf;

/// Everything that can go wrong while building figures, tables or the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The data handed to a figure or report builder cannot be drawn as asked.
    #[error("invalid input for {what}: {reason}")]
    InvalidInput {
        /// Which figure/table/section received the input.
        what: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Rasterising a figure failed (size out of range, font unusable, encoder error).
    #[error("cannot render {what}: {reason}")]
    Render {
        /// What was being rendered.
        what: String,
        /// Why it failed.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("write", "rename", ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, ReportError>;

/// Shorthand for an [`ReportError::InvalidInput`].
pub(crate) fn invalid(what: impl Into<String>, reason: impl Into<String>) -> ReportError {
    ReportError::InvalidInput {
        what: what.into(),
        reason: reason.into(),
    }
}
