//! Reading images and masks for the study layer, through the `dlr-image` readers (PNG, JPEG,
//! TIFF, BMP, DICOM, NIfTI, NRRD; colour → BT.601 luminance).
//!
//! Masks are read as raw values first ([`read_mask_values`]) so that validation can see values
//! other than 0 and one foreground value; [`mask_from_values`] turns them into a [`Mask`]
//! (every non-zero value is inside, as `dlr_image::read_mask` without a label).

use dlr_image::{ColourMode, Image, Mask, ReadOptions};
use std::path::Path;

/// Reads an image with default options (colour → luminance).
pub fn read_image(path: &Path) -> dlr_image::Result<Image> {
    dlr_image::read_image(path)
}

/// Reads a mask file as raw values (an [`Image`]), before binarisation.
pub fn read_mask_values(path: &Path) -> dlr_image::Result<Image> {
    dlr_image::read_image_with(
        path,
        &ReadOptions {
            colour: ColourMode::Luminance,
            frame: None,
        },
    )
}

/// Distinct values of a raw mask, up to `limit` of them (sorted ascending).
pub fn distinct_values(values: &Image, limit: usize) -> Vec<f32> {
    let mut seen: Vec<f32> = Vec::new();
    for &v in values.data() {
        if !seen.iter().any(|&s| s.to_bits() == v.to_bits()) {
            seen.push(v);
            if seen.len() >= limit {
                break;
            }
        }
    }
    seen.sort_by(f32::total_cmp);
    seen
}

/// Binary mask from raw values: every non-zero (and non-NaN) value is inside the ROI.
pub fn mask_from_values(values: &Image) -> Mask {
    Mask::from_image(values, |v| v != 0.0 && !v.is_nan())
}

/// Reads a mask file; non-zero values are inside the ROI.
pub fn read_mask(path: &Path) -> dlr_image::Result<Mask> {
    Ok(mask_from_values(&read_mask_values(path)?))
}
