//! DICOM reader (work in progress).

use crate::error::{ImageError, Result};
use crate::read::ReadOptions;
use crate::types::Image;
use std::path::Path;

pub(crate) fn decode(_bytes: &[u8], path: &Path, _opts: &ReadOptions) -> Result<Image> {
    Err(ImageError::Unsupported {
        path: path.to_path_buf(),
        what: "DICOM".into(),
        hint: "DICOM reading is not available yet".into(),
    })
}
