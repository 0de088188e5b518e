//! Errors raised while reading study tables, loading ROIs and simulating cohorts.

use std::path::PathBuf;

/// Result alias for study operations.
pub type Result<T> = std::result::Result<T, StudyError>;

/// Everything that can go wrong when reading or writing a study.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A file could not be opened, read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file is malformed (bad quoting, wrong number of fields).
    #[error("{path}: malformed CSV{}: {reason}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number when known.
        line: Option<u64>,
        /// What the CSV parser reported.
        reason: String,
    },
    /// A required column is absent from a table.
    #[error("{path}: no column `{column}` (columns present: {available}); {hint}")]
    MissingColumn {
        /// The table.
        path: PathBuf,
        /// The column that was asked for.
        column: String,
        /// Comma-separated header of the file.
        available: String,
        /// What to do about it.
        hint: String,
    },
    /// A file could not be written or encoded.
    #[error("cannot write {path}: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The study content does not allow the requested operation.
    #[error("{0}")]
    Invalid(String),
    /// An image or mask could not be read.
    #[error(transparent)]
    Image(#[from] dlr_image::ImageError),
}
