//! Reading images and masks for the study layer, through the `dlr-image` readers (PNG, JPEG,
//! TIFF, BMP, DICOM, NIfTI, NRRD; colour → BT.601 luminance).
//!
//! Masks are read as raw values first ([`read_mask_values`]) so that validation can see values
//! other than 0 and one foreground value; [`roi_from_values`] turns them into a [`Mask`]: with an
//! ROI label (a label-map mask, values 0/1/2…) the pixels equal to the label are inside, without
//! one every non-zero value is inside (as `dlr_image::read_mask` with the same `label`).

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

/// Binary mask from raw values for an ROI label: `Some(l)` → pixels equal to `l` are inside,
/// `None` → every non-zero value is inside ([`mask_from_values`]).
pub fn roi_from_values(values: &Image, roi_label: Option<u32>) -> Mask {
    match roi_label {
        None => mask_from_values(values),
        Some(l) => {
            let l = l as f32;
            Mask::from_image(values, |v| v == l)
        }
    }
}

/// Reads a mask file; non-zero values are inside the ROI.
pub fn read_mask(path: &Path) -> dlr_image::Result<Mask> {
    Ok(mask_from_values(&read_mask_values(path)?))
}

/// Reads a mask file as the ROI of `roi_label` (see [`roi_from_values`]). A label that does not
/// occur in the file is an error naming the file and the values present.
pub fn read_roi(path: &Path, roi_label: Option<u32>) -> dlr_image::Result<Mask> {
    dlr_image::read_mask(
        path,
        &dlr_image::MaskOptions {
            label: roi_label,
            frame: None,
        },
    )
}
