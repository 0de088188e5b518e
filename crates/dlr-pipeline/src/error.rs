//! Errors of the study pipeline.

use std::path::PathBuf;

/// Result alias for pipeline operations.
pub type Result<T> = std::result::Result<T, PipelineError>;

/// Everything that can stop a pipeline stage.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The study configuration is invalid.
    #[error("{file}: {message}")]
    Config {
        /// The config file.
        file: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Input data does not fit what the stage needs.
    #[error("{0}")]
    Data(String),
    /// An option or combination that is not supported.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An image could not be read.
    #[error(transparent)]
    Image(#[from] dlr_image::ImageError),
}
