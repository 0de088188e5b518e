//! Reading images and masks for the study layer.
//!
//! The study layer reads 2D raster files (PNG, JPEG, TIFF, BMP) through the `image` crate:
//! grey images keep their stored values, colour images are converted to luminance
//! (ITU-R BT.601: `0.299 R + 0.587 G + 0.114 B`) and say so in `meta.notes`; alpha is ignored.
//! Masks are read as raw values first ([`read_mask_values`]) so that validation can see values
//! other than 0 and one foreground value; [`mask_from_values`] turns them into a [`Mask`].
//!
//! These functions are the single point where the study layer touches files; when the
//! `dlr-image` readers (DICOM, NIfTI, NRRD) are available they take over here.

use dlr_image::{Image, ImageError, ImageMeta, Mask};
use std::path::Path;

/// Reads a 2D raster image as `f32` intensities (grey kept, colour → luminance).
pub fn read_image(path: &Path) -> dlr_image::Result<Image> {
    let bytes = std::fs::read(path).map_err(|source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .map_err(|e| decode_error(path, "raster image", e.to_string()))?;
    let format = reader
        .format()
        .map(|f| format!("{f:?}").to_lowercase())
        .unwrap_or_else(|| "unknown".into());
    let dynamic = reader
        .decode()
        .map_err(|e| decode_error(path, &format, e.to_string()))?;
    let (nx, ny) = (dynamic.width() as usize, dynamic.height() as usize);
    let mut notes = Vec::new();
    let (data, bits): (Vec<f32>, u16) = match &dynamic {
        image::DynamicImage::ImageLuma8(b) => {
            (b.as_raw().iter().map(|&v| f32::from(v)).collect(), 8)
        }
        image::DynamicImage::ImageLumaA8(b) => (b.pixels().map(|p| f32::from(p.0[0])).collect(), 8),
        image::DynamicImage::ImageLuma16(b) => {
            (b.as_raw().iter().map(|&v| f32::from(v)).collect(), 16)
        }
        image::DynamicImage::ImageLumaA16(b) => {
            (b.pixels().map(|p| f32::from(p.0[0])).collect(), 16)
        }
        image::DynamicImage::ImageRgb8(b) => {
            notes.push("RGB converted to luminance (BT.601)".to_string());
            (
                b.pixels()
                    .map(|p| luma([p.0[0].into(), p.0[1].into(), p.0[2].into()]))
                    .collect(),
                8,
            )
        }
        image::DynamicImage::ImageRgba8(b) => {
            notes.push("RGBA converted to luminance (BT.601), alpha ignored".to_string());
            (
                b.pixels()
                    .map(|p| luma([p.0[0].into(), p.0[1].into(), p.0[2].into()]))
                    .collect(),
                8,
            )
        }
        image::DynamicImage::ImageRgb16(b) => {
            notes.push("RGB converted to luminance (BT.601)".to_string());
            (
                b.pixels()
                    .map(|p| luma([p.0[0].into(), p.0[1].into(), p.0[2].into()]))
                    .collect(),
                16,
            )
        }
        image::DynamicImage::ImageRgba16(b) => {
            notes.push("RGBA converted to luminance (BT.601), alpha ignored".to_string());
            (
                b.pixels()
                    .map(|p| luma([p.0[0].into(), p.0[1].into(), p.0[2].into()]))
                    .collect(),
                16,
            )
        }
        other => {
            return Err(ImageError::Unsupported {
                path: path.to_path_buf(),
                what: format!("pixel type {:?}", other.color()),
                hint: "store the image as 8- or 16-bit grey or RGB".into(),
            })
        }
    };
    let mut img = Image::new_2d(data, nx, ny)?;
    img.meta = ImageMeta {
        source: Some(path.to_path_buf()),
        format: Some(format),
        frame_times_ms: None,
        bits_stored: Some(bits),
        notes,
    };
    Ok(img)
}

fn luma(rgb: [f32; 3]) -> f32 {
    0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
}

fn decode_error(path: &Path, format: &str, reason: String) -> ImageError {
    ImageError::Decode {
        path: path.to_path_buf(),
        format: format.to_string(),
        reason,
    }
}

/// Reads a mask file as raw values (an [`Image`]), before binarisation.
pub fn read_mask_values(path: &Path) -> dlr_image::Result<Image> {
    read_image(path)
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

/// Binary mask from raw values: every non-zero value is inside the ROI.
pub fn mask_from_values(values: &Image) -> Mask {
    let mut m = Mask::from_image(values, |v| v != 0.0);
    m.spacing = values.spacing;
    m.origin = values.origin;
    m
}

/// Reads a mask file; non-zero values are inside the ROI.
pub fn read_mask(path: &Path) -> dlr_image::Result<Mask> {
    Ok(mask_from_values(&read_mask_values(path)?))
}
