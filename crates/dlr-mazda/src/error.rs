//! Errors raised by the MaZda feature extractor.

/// Result alias for MaZda feature extraction.
pub type Result<T> = std::result::Result<T, MazdaError>;

/// Everything that can go wrong when computing MaZda features for one ROI.
#[derive(Debug, thiserror::Error)]
pub enum MazdaError {
    /// The image or mask could not be used (shape mismatch, bad geometry).
    #[error(transparent)]
    Image(#[from] dlr_image::ImageError),
    /// Image and mask grids differ.
    #[error(
        "image is {image:?} but mask is {mask:?}; MaZda features need the ROI on the image grid"
    )]
    Mismatch {
        /// Image dimensions.
        image: [usize; 3],
        /// Mask dimensions.
        mask: [usize; 3],
    },
    /// The image is not a single 2D slice.
    #[error(
        "MaZda 2D features need a 2D image (nz = 1), got dimensions {0:?}; extract a slice first"
    )]
    NotTwoD([usize; 3]),
    /// An ROI pixel is NaN or infinite.
    #[error("ROI pixel at (x={x}, y={y}) is {value}; MaZda features need finite intensities")]
    NonFinite {
        /// Column.
        x: usize,
        /// Row.
        y: usize,
        /// The offending value.
        value: f32,
    },
    /// A setting is out of its allowed range or inconsistent with the image.
    #[error("invalid MaZda setting: {0}")]
    Settings(String),
}
