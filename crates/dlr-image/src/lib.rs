//! Image and mask types shared by every dlradiomics crate, and the readers that fill them.
//!
//! An [`Image`] is a scalar 2D or 3D grid of `f32` intensities with physical spacing and origin
//! (a 2D image has `dims[2] == 1`). Voxels are stored x fastest, then y, then z:
//! `index = x + nx * (y + ny * z)`. A [`Mask`] has the same layout with one byte per voxel,
//! non-zero meaning "inside the ROI".
//!
//! ```
//! use dlr_image::{Image, Mask};
//! let img = Image::new_2d(vec![0.0, 1.0, 2.0, 3.0], 2, 2).unwrap();
//! let roi = Mask::new(vec![1, 1, 0, 1], [2, 2, 1]).unwrap();
//! assert_eq!(img.get(1, 1, 0), 3.0);
//! assert_eq!(roi.count(), 3);
//! ```

mod error;
mod features;
mod types;

pub use error::{ImageError, Result};
pub use features::FeatureValue;
pub use types::{Image, ImageMeta, Mask};
