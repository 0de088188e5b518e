//! Errors raised while configuring or running a radiomics extraction.

/// Result alias for radiomics operations.
pub type Result<T> = std::result::Result<T, RadiomicsError>;

/// Everything that can go wrong in a radiomics extraction.
#[derive(Debug, thiserror::Error)]
pub enum RadiomicsError {
    /// The settings are invalid or ask for something not supported.
    #[error("invalid radiomics settings: {0}")]
    Settings(String),
    /// The settings file could not be parsed.
    #[error("cannot parse radiomics settings: {0}")]
    Parse(String),
    /// Image and mask do not fit together.
    #[error("image/mask problem: {0}")]
    Input(String),
    /// An error from the image crate.
    #[error(transparent)]
    Image(#[from] dlr_image::ImageError),
}
