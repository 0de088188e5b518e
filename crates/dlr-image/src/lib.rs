//! Image and mask types shared by every dlradiomics crate, and the readers that fill them.
//!
//! An [`Image`] is a scalar 2D or 3D grid of `f32` intensities with physical spacing and origin
//! (a 2D image has `dims[2] == 1`). Voxels are stored x fastest, then y, then z:
//! `index = x + nx * (y + ny * z)`. A [`Mask`] has the same layout with one byte per voxel,
//! non-zero meaning "inside the ROI".
//!
//! Readers: [`read_image`] / [`read_image_with`] (PNG, JPEG, BMP, TIFF, DICOM, NIfTI, NRRD; format
//! by extension, then magic bytes; a folder is read as a DICOM series with
//! [`read_dicom_series`]), [`read_labels`], [`read_mask`], [`read_masks`],
//! [`read_mask_union`], and [`read_bytes`] for in-memory files. Every reader checks the size its
//! header claims against [`ReadLimits`] (defaults 2^28 pixels, 2 GiB decoded) before decoding;
//! [`read_image_with_limits`] / [`read_bytes_with_limits`] take other limits. Geometry is reported in the
//! ITK/SimpleITK convention (LPS world coordinates, `direction` row-major with column `c` the
//! unit vector of voxel axis `c`); the voxel grid is always kept as stored. What a reader did
//! (colour conversion, rescaling, frame choice) is recorded in [`ImageMeta::notes`].
//!
//! ```
//! use dlr_image::{Image, Mask};
//! let img = Image::new_2d(vec![0.0, 1.0, 2.0, 3.0], 2, 2).unwrap();
//! let roi = Mask::new(vec![1, 1, 0, 1], [2, 2, 1]).unwrap();
//! assert_eq!(img.get(1, 1, 0), 3.0);
//! assert_eq!(roi.count(), 3);
//! ```

mod colour;
mod dicom;
mod error;
mod features;
mod format;
mod limits;
mod nifti;
mod nrrd;
mod raster;
mod read;
mod sample;
mod series;
mod types;

pub use colour::{ColourMode, LUMA_WEIGHTS};
pub use error::{ImageError, Result};
pub use features::FeatureValue;
pub use format::{detect_format, format_from_extension, format_from_magic, Format};
pub use limits::{LimitKind, ReadLimits};
pub use read::{
    labels_present, read_bytes, read_bytes_with, read_bytes_with_limits, read_image,
    read_image_with, read_image_with_limits, read_labels, read_mask, read_mask_union, read_masks,
    MaskOptions, ReadOptions,
};
pub use sample::MAX_VOXELS;
pub use series::{read_dicom_series, read_dicom_series_with_limits};
pub use types::{Image, ImageMeta, Mask, IDENTITY_DIRECTION};
