//! Errors raised while building or reading images and masks.

use std::path::PathBuf;

/// Result alias for image operations.
pub type Result<T> = std::result::Result<T, ImageError>;

/// Everything that can go wrong when building or reading an image or mask.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The voxel buffer does not match the stated dimensions.
    #[error("voxel buffer has {got} values but dimensions {dims:?} need {expected}")]
    Shape {
        /// Dimensions given.
        dims: [usize; 3],
        /// Number of voxels the dimensions imply.
        expected: usize,
        /// Number of voxels supplied.
        got: usize,
    },
    /// Two grids that must match (image and mask) do not.
    #[error("{what}: image is {image:?} but mask is {mask:?}")]
    Mismatch {
        /// What was compared.
        what: String,
        /// Image dimensions.
        image: [usize; 3],
        /// Mask dimensions.
        mask: [usize; 3],
    },
    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content is not a valid image of the claimed format.
    #[error("cannot decode {path} as {format}: {reason}")]
    Decode {
        /// The file.
        path: PathBuf,
        /// The format tried.
        format: String,
        /// What was wrong.
        reason: String,
    },
    /// The file uses a feature of its format that is not supported.
    #[error("{path}: unsupported {what}; {hint}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// The unsupported feature.
        what: String,
        /// What the user can do instead.
        hint: String,
    },
    /// The header claims an image larger than the [`crate::ReadLimits`] allow; nothing was
    /// decoded.
    #[error(
        "{path}: {what} exceed the reader limit {limit} = {max} (found {found}); if the file is \
         trusted, raise ReadLimits::{limit} and read it with read_image_with_limits"
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The size the header claims (e.g. "30000 x 30000 pixels").
        what: String,
        /// Which limit was exceeded.
        limit: crate::LimitKind,
        /// The pixel count or byte size found.
        found: u64,
        /// The limit in force.
        max: u64,
    },
    /// A value given by the caller is invalid.
    #[error("invalid argument: {0}")]
    Invalid(String),
}
