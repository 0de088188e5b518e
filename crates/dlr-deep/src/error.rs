//! Errors raised by the deep-feature crate: weights files, shapes, options and inputs.

use std::path::PathBuf;

/// Result alias for deep-feature operations.
pub type Result<T> = std::result::Result<T, DeepError>;

/// Everything that can go wrong when loading a backbone, preprocessing an image or training a head.
#[derive(Debug, thiserror::Error)]
pub enum DeepError {
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// No weights file where one was expected; the message says how to get one.
    #[error("no weights at {path}: {how}")]
    MissingWeights {
        /// Where the weights were looked for.
        path: PathBuf,
        /// How to obtain them.
        how: String,
    },
    /// A weights container (safetensors, .pth, zip/wheel) is malformed or unsupported.
    #[error("cannot decode weights {what}: {reason}")]
    Format {
        /// The file or entry.
        what: String,
        /// What was wrong.
        reason: String,
    },
    /// A weights file does not have the expected SHA-256.
    #[error("weights {path} have sha256 {got}, expected {expected}: the file is corrupt or not the published one")]
    Hash {
        /// The file.
        path: PathBuf,
        /// Expected digest (hex).
        expected: String,
        /// Actual digest (hex).
        got: String,
    },
    /// A tensor the network needs is absent from the weights.
    #[error("weights lack tensor `{0}` (is this the right architecture?)")]
    MissingTensor(String),
    /// A tensor has the wrong shape.
    #[error("tensor `{name}` has shape {got:?}, expected {expected:?}")]
    TensorShape {
        /// Tensor name.
        name: String,
        /// Expected shape.
        expected: Vec<usize>,
        /// Shape found.
        got: Vec<usize>,
    },
    /// An input buffer does not match the stated batch shape.
    #[error("input has {got} values, expected {expected} ({what})")]
    InputShape {
        /// What was expected.
        what: String,
        /// Expected number of values.
        expected: usize,
        /// Number of values supplied.
        got: usize,
    },
    /// An option or argument is invalid or unsupported.
    #[error("invalid option: {0}")]
    Invalid(String),
    /// The image or mask cannot be used (empty ROI, 3D image, size mismatch...).
    #[error("image: {0}")]
    Image(#[from] dlr_image::ImageError),
    /// The input data is degenerate (no samples, a single class, non-finite values).
    #[error("degenerate input: {0}")]
    Degenerate(String),
}

impl DeepError {
    /// Builds an [`DeepError::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DeepError::Io {
            path: path.into(),
            source,
        }
    }

    /// Builds a [`DeepError::Format`].
    pub(crate) fn format(what: impl Into<String>, reason: impl Into<String>) -> Self {
        DeepError::Format {
            what: what.into(),
            reason: reason.into(),
        }
    }
}
