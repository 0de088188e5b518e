//! The [`Image`] and [`Mask`] grids.

use crate::error::{ImageError, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Metadata carried along with the voxels (where they came from, cine timing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageMeta {
    /// File the image was read from, when read from a file.
    pub source: Option<PathBuf>,
    /// Format name as detected (`png`, `dicom`, `nifti`, `nrrd`, ...).
    pub format: Option<String>,
    /// Per-frame acquisition times in milliseconds for cine loops (DICOM frame time / vector).
    pub frame_times_ms: Option<Vec<f64>>,
    /// Bits per sample of the stored data (8, 16, 32), when known.
    pub bits_stored: Option<u16>,
    /// Free-form notes from the reader (e.g. "RGB converted to luminance").
    pub notes: Vec<String>,
}

/// A scalar 2D or 3D image of `f32` intensities with physical geometry.
///
/// Layout: x fastest, then y, then z (`index = x + nx * (y + ny * z)`); `dims = [nx, ny, nz]`;
/// a 2D image has `nz == 1`. Spacing and origin are in millimetres (or pixels when unknown: 1.0).
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    data: Vec<f32>,
    dims: [usize; 3],
    /// Voxel spacing `[sx, sy, sz]`.
    pub spacing: [f64; 3],
    /// Physical position of voxel (0, 0, 0).
    pub origin: [f64; 3],
    /// Direction cosines, row-major 3×3 (identity unless the file says otherwise).
    pub direction: [f64; 9],
    /// Provenance and acquisition metadata.
    pub meta: ImageMeta,
}

/// Identity direction matrix.
pub const IDENTITY_DIRECTION: [f64; 9] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];

fn check_len(len: usize, dims: [usize; 3]) -> Result<()> {
    let expected = dims[0]
        .checked_mul(dims[1])
        .and_then(|v| v.checked_mul(dims[2]))
        .ok_or_else(|| ImageError::Invalid(format!("dimensions {dims:?} overflow")))?;
    if expected != len {
        return Err(ImageError::Shape {
            dims,
            expected,
            got: len,
        });
    }
    Ok(())
}

impl Image {
    /// Builds an image from voxels and dimensions, with unit spacing and zero origin.
    pub fn new(data: Vec<f32>, dims: [usize; 3]) -> Result<Self> {
        check_len(data.len(), dims)?;
        Ok(Self {
            data,
            dims,
            spacing: [1.0; 3],
            origin: [0.0; 3],
            direction: IDENTITY_DIRECTION,
            meta: ImageMeta::default(),
        })
    }

    /// Builds a 2D image (`nz == 1`) from row-major pixels.
    pub fn new_2d(data: Vec<f32>, nx: usize, ny: usize) -> Result<Self> {
        Self::new(data, [nx, ny, 1])
    }

    /// Sets the spacing (builder style).
    pub fn with_spacing(mut self, spacing: [f64; 3]) -> Self {
        self.spacing = spacing;
        self
    }

    /// Sets the origin (builder style).
    pub fn with_origin(mut self, origin: [f64; 3]) -> Self {
        self.origin = origin;
        self
    }

    /// Dimensions `[nx, ny, nz]`.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// True when the image has a single slice.
    pub fn is_2d(&self) -> bool {
        self.dims[2] == 1
    }

    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the image has no voxels.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// All voxels in storage order.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Mutable voxels in storage order.
    pub fn data_mut(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Consumes the image, returning its voxels.
    pub fn into_data(self) -> Vec<f32> {
        self.data
    }

    /// Linear index of voxel `(x, y, z)`.
    #[inline]
    pub fn index(&self, x: usize, y: usize, z: usize) -> usize {
        x + self.dims[0] * (y + self.dims[1] * z)
    }

    /// Value at `(x, y, z)`; panics when out of bounds (callers iterate within `dims`).
    #[inline]
    pub fn get(&self, x: usize, y: usize, z: usize) -> f32 {
        self.data[self.index(x, y, z)]
    }

    /// Extracts slice `z` as a 2D image with the same in-plane geometry.
    pub fn slice_z(&self, z: usize) -> Result<Image> {
        if z >= self.dims[2] {
            return Err(ImageError::Invalid(format!(
                "slice {z} out of range (image has {} slices)",
                self.dims[2]
            )));
        }
        let n = self.dims[0] * self.dims[1];
        let mut out = Image::new(
            self.data[z * n..(z + 1) * n].to_vec(),
            [self.dims[0], self.dims[1], 1],
        )?;
        out.spacing = self.spacing;
        out.origin = self.origin;
        out.direction = self.direction;
        out.meta = self.meta.clone();
        Ok(out)
    }

    /// Minimum and maximum of all finite voxels, `None` when there are none.
    pub fn finite_range(&self) -> Option<(f32, f32)> {
        let mut it = self.data.iter().copied().filter(|v| v.is_finite());
        let first = it.next()?;
        Some(it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    /// SHA-256 of dimensions and voxel bytes (little endian), hex encoded; used for duplicate
    /// detection and provenance.
    pub fn pixel_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for d in self.dims {
            h.update((d as u64).to_le_bytes());
        }
        for v in &self.data {
            h.update(v.to_le_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A binary region of interest on the same grid as an [`Image`] (non-zero = inside).
#[derive(Debug, Clone, PartialEq)]
pub struct Mask {
    data: Vec<u8>,
    dims: [usize; 3],
    /// Voxel spacing `[sx, sy, sz]` (copied from the image it belongs to).
    pub spacing: [f64; 3],
    /// Physical position of voxel (0, 0, 0).
    pub origin: [f64; 3],
}

impl Mask {
    /// Builds a mask from bytes (non-zero = inside) and dimensions.
    pub fn new(data: Vec<u8>, dims: [usize; 3]) -> Result<Self> {
        check_len(data.len(), dims)?;
        let data = data.into_iter().map(|v| u8::from(v != 0)).collect();
        Ok(Self {
            data,
            dims,
            spacing: [1.0; 3],
            origin: [0.0; 3],
        })
    }

    /// Builds a mask from a predicate over image voxels (e.g. a label value).
    pub fn from_image(image: &Image, inside: impl Fn(f32) -> bool) -> Self {
        Self {
            data: image.data().iter().map(|&v| u8::from(inside(v))).collect(),
            dims: image.dims(),
            spacing: image.spacing,
            origin: image.origin,
        }
    }

    /// Dimensions `[nx, ny, nz]`.
    pub fn dims(&self) -> [usize; 3] {
        self.dims
    }

    /// Voxels (0 or 1) in storage order.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// True when voxel `(x, y, z)` is inside the ROI.
    #[inline]
    pub fn contains(&self, x: usize, y: usize, z: usize) -> bool {
        self.data[x + self.dims[0] * (y + self.dims[1] * z)] != 0
    }

    /// Number of voxels inside the ROI.
    pub fn count(&self) -> usize {
        self.data.iter().filter(|&&v| v != 0).count()
    }

    /// Inclusive bounding box `([x0, y0, z0], [x1, y1, z1])` of the ROI, `None` when empty.
    pub fn bounding_box(&self) -> Option<([usize; 3], [usize; 3])> {
        let [nx, ny, _] = self.dims;
        let mut lo = [usize::MAX; 3];
        let mut hi = [0usize; 3];
        let mut any = false;
        for (i, &v) in self.data.iter().enumerate() {
            if v != 0 {
                any = true;
                let p = [i % nx, (i / nx) % ny, i / (nx * ny)];
                for k in 0..3 {
                    lo[k] = lo[k].min(p[k]);
                    hi[k] = hi[k].max(p[k]);
                }
            }
        }
        any.then_some((lo, hi))
    }

    /// Voxel-wise union with another mask on the same grid.
    pub fn union(&self, other: &Mask) -> Result<Mask> {
        if self.dims != other.dims {
            return Err(ImageError::Mismatch {
                what: "mask union".into(),
                image: self.dims,
                mask: other.dims,
            });
        }
        let mut out = self.clone();
        for (a, b) in out.data.iter_mut().zip(&other.data) {
            *a |= *b;
        }
        Ok(out)
    }

    /// Checks that the mask lies on the same grid as `image`.
    pub fn check_matches(&self, image: &Image) -> Result<()> {
        if self.dims != image.dims() {
            return Err(ImageError::Mismatch {
                what: "image and mask sizes differ".into(),
                image: image.dims(),
                mask: self.dims,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_is_checked() {
        assert!(matches!(
            Image::new(vec![0.0; 5], [2, 3, 1]),
            Err(ImageError::Shape {
                expected: 6,
                got: 5,
                ..
            })
        ));
    }

    #[test]
    fn bounding_box_and_union() {
        let a = Mask::new(vec![0, 0, 0, 0, 1, 0, 0, 0, 0], [3, 3, 1]).unwrap();
        let b = Mask::new(vec![0, 0, 0, 0, 0, 0, 0, 0, 1], [3, 3, 1]).unwrap();
        assert_eq!(a.bounding_box(), Some(([1, 1, 0], [1, 1, 0])));
        let u = a.union(&b).unwrap();
        assert_eq!(u.count(), 2);
        assert_eq!(u.bounding_box(), Some(([1, 1, 0], [2, 2, 0])));
        let empty = Mask::new(vec![0; 4], [2, 2, 1]).unwrap();
        assert_eq!(empty.bounding_box(), None);
    }

    #[test]
    fn slice_keeps_geometry() {
        let img = Image::new((0..8).map(|v| v as f32).collect(), [2, 2, 2])
            .unwrap()
            .with_spacing([0.5, 0.5, 2.0]);
        let s = img.slice_z(1).unwrap();
        assert_eq!(s.data(), &[4.0, 5.0, 6.0, 7.0]);
        assert_eq!(s.spacing, [0.5, 0.5, 2.0]);
        assert!(img.slice_z(2).is_err());
    }

    #[test]
    fn pixel_hash_depends_on_values_and_shape() {
        let a = Image::new(vec![1.0, 2.0], [2, 1, 1]).unwrap();
        let b = Image::new(vec![1.0, 2.0], [1, 2, 1]).unwrap();
        let c = Image::new(vec![1.0, 3.0], [2, 1, 1]).unwrap();
        assert_ne!(a.pixel_hash(), b.pixel_hash());
        assert_ne!(a.pixel_hash(), c.pixel_hash());
        assert_eq!(a.pixel_hash(), a.clone().pixel_hash());
    }
}
