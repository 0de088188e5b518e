//! Errors raised by the image filters.

/// Result alias for filter operations.
pub type Result<T> = std::result::Result<T, FilterError>;

/// Everything that can go wrong when filtering an image.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    /// The image or mask could not be built.
    #[error(transparent)]
    Image(#[from] dlr_image::ImageError),
    /// Image and mask grids differ.
    #[error("image is {image:?} but mask is {mask:?}; the ROI must be on the image grid")]
    Mismatch {
        /// Image dimensions.
        image: [usize; 3],
        /// Mask dimensions.
        mask: [usize; 3],
    },
    /// The mask has no voxel inside the ROI.
    #[error("the ROI is empty; nothing to crop")]
    EmptyRoi,
    /// The image is too small for the filter (PyRadiomics would compute no image).
    #[error("image too small for the filter: {0}")]
    TooSmall(String),
    /// A parameter is out of range or unsupported.
    #[error("invalid filter parameter: {0}")]
    Invalid(String),
}
