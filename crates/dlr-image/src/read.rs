//! Entry points: read an image, a label map or a binary mask from a file or from bytes, with
//! the format chosen by extension, then magic bytes.

use crate::colour::ColourMode;
use crate::error::{ImageError, Result};
use crate::format::{detect_format, format_from_magic, Format};
use crate::limits::{read_file, ReadLimits};
use crate::types::{Image, Mask};
use crate::{dicom, nifti, nrrd, raster};
use std::path::{Path, PathBuf};

/// Options for reading an image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// How colour pixels become scalar values (default: BT.601 luminance; grey stored as RGB exact).
    pub colour: ColourMode,
    /// Read only this 0-based frame of a cine loop / multi-frame DICOM (or volume of a 4D
    /// NIfTI); `None` reads all frames as a 3D image with `nz` = frames.
    pub frame: Option<usize>,
}

/// Options for reading a mask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MaskOptions {
    /// Voxels equal to this label are the ROI; `None`: every non-zero voxel is the ROI.
    pub label: Option<u32>,
    /// Frame to read from a multi-frame mask file (see [`ReadOptions::frame`]).
    pub frame: Option<usize>,
}

/// Reads an image with default options (format by extension, then magic bytes).
pub fn read_image(path: &Path) -> Result<Image> {
    read_image_with(path, &ReadOptions::default())
}

/// Reads an image with the given options and the default [`ReadLimits`]; a folder is read as a
/// DICOM series ([`crate::read_dicom_series`]).
pub fn read_image_with(path: &Path, opts: &ReadOptions) -> Result<Image> {
    read_image_with_limits(path, opts, &ReadLimits::default())
}

/// [`read_image_with`] under the given size limits: a file whose header claims more pixels or
/// decoded bytes than `limits` allow is refused with [`ImageError::TooLarge`] before decoding.
pub fn read_image_with_limits(
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    if path.is_dir() {
        return crate::series::read_dicom_series_with_limits(path, opts, limits);
    }
    let format = detect_format(path)?;
    let bytes = read_file(path, limits)?;
    let mut img = decode(&bytes, format, path, opts, limits)?;
    img.meta.source = Some(path.to_path_buf());
    Ok(img)
}

/// Decodes an in-memory file of the given format (error messages name the file `<memory>`;
/// NRRD headers with detached data files are refused).
pub fn read_bytes(bytes: &[u8], format: Format) -> Result<Image> {
    read_bytes_with(bytes, format, &ReadOptions::default())
}

/// [`read_bytes`] with options (and the default [`ReadLimits`]).
pub fn read_bytes_with(bytes: &[u8], format: Format, opts: &ReadOptions) -> Result<Image> {
    read_bytes_with_limits(bytes, format, opts, &ReadLimits::default())
}

/// [`read_bytes_with`] under the given size limits (see [`read_image_with_limits`]).
pub fn read_bytes_with_limits(
    bytes: &[u8],
    format: Format,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    decode(bytes, format, Path::new("<memory>"), opts, limits)
}

fn decode(
    bytes: &[u8],
    format: Format,
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    // A wrong extension is common (DICOM saved as .png, ...): trust clear magic bytes instead.
    let format = match format_from_magic(bytes) {
        Some(m) if m != format && (m != Format::Dicom || has_dicom_preamble(bytes)) => m,
        _ => format,
    };
    let mut img = match format {
        Format::Png | Format::Jpeg | Format::Bmp | Format::Tiff => {
            raster::decode(bytes, format, path, opts, limits)?
        }
        Format::Nifti => nifti::decode(bytes, path, opts, limits)?,
        Format::Nrrd => nrrd::decode(bytes, path, opts, limits)?,
        Format::Dicom => dicom::decode(bytes, path, opts, limits)?,
    };
    img.meta.format = Some(format.name().to_string());
    Ok(img)
}

fn has_dicom_preamble(bytes: &[u8]) -> bool {
    bytes.get(128..132) == Some(b"DICM".as_slice())
}

/// Reads a label map: an image whose voxels must all be integers (error otherwise).
pub fn read_labels(path: &Path) -> Result<Image> {
    read_labels_with(path, None)
}

fn read_labels_with(path: &Path, frame: Option<usize>) -> Result<Image> {
    let opts = ReadOptions {
        colour: ColourMode::Luminance,
        frame,
    };
    let img = read_image_with(path, &opts)?;
    if let Some(bad) = img
        .data()
        .iter()
        .find(|v| !v.is_finite() || v.fract() != 0.0)
    {
        return Err(ImageError::Decode {
            path: path.to_path_buf(),
            format: img.meta.format.clone().unwrap_or_default(),
            reason: format!("not a label map: contains the non-integer value {bad}"),
        });
    }
    Ok(img)
}

/// Distinct integer labels of a label map, ascending.
pub fn labels_present(labels: &Image) -> Vec<i64> {
    let mut v: Vec<i64> = labels.data().iter().map(|&x| x as i64).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Reads a binary mask: non-zero voxels, or voxels equal to `opts.label`, are the ROI.
///
/// A colour mask is first reduced to grey (see [`ColourMode::Luminance`]); a requested label
/// that does not occur in the file is an error listing the labels present. An all-zero mask
/// read without a label is returned as it is (callers decide whether an empty ROI is an error).
pub fn read_mask(path: &Path, opts: &MaskOptions) -> Result<Mask> {
    let img = read_image_with(
        path,
        &ReadOptions {
            colour: ColourMode::Luminance,
            frame: opts.frame,
        },
    )?;
    let mask = match opts.label {
        None => Mask::from_image(&img, |v| v != 0.0 && !v.is_nan()),
        Some(label) => {
            let l = label as f32;
            let m = Mask::from_image(&img, |v| v == l);
            if m.count() == 0 {
                let present: Vec<String> = img
                    .data()
                    .iter()
                    .filter(|v| v.is_finite())
                    .map(|&v| v as i64)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .take(20)
                    .map(|v| v.to_string())
                    .collect();
                return Err(ImageError::Invalid(format!(
                    "{}: label {label} does not occur (values present: {})",
                    path.display(),
                    present.join(", ")
                )));
            }
            m
        }
    };
    Ok(mask)
}

/// Reads several mask files on the same grid (e.g. one per lesion or per reader), in order.
pub fn read_masks(paths: &[PathBuf], opts: &MaskOptions) -> Result<Vec<Mask>> {
    let mut out: Vec<Mask> = Vec::with_capacity(paths.len());
    for p in paths {
        let m = read_mask(p, opts)?;
        if let Some(first) = out.first() {
            if first.dims() != m.dims() {
                return Err(ImageError::Mismatch {
                    what: format!("{} and {} differ in size", paths[0].display(), p.display()),
                    image: first.dims(),
                    mask: m.dims(),
                });
            }
        }
        out.push(m);
    }
    Ok(out)
}

/// Reads several mask files on the same grid and returns their union (one ROI for all lesions).
pub fn read_mask_union(paths: &[PathBuf], opts: &MaskOptions) -> Result<Mask> {
    let masks = read_masks(paths, opts)?;
    let mut it = masks.into_iter();
    let first = it.next().ok_or_else(|| {
        ImageError::Invalid("read_mask_union needs at least one mask file".into())
    })?;
    it.try_fold(first, |acc, m| acc.union(&m))
}
