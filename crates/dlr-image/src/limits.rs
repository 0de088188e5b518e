//! Reader limits: the largest image a reader will decode, checked from the header before any
//! pixel buffer is allocated, so a small hostile file (a 1 MB PNG claiming 30000×30000 pixels,
//! a DICOM or NIfTI header claiming billions of voxels) is refused instead of exhausting memory.

use crate::error::{ImageError, Result};
use std::path::Path;

/// Which limit of [`ReadLimits`] a file exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// [`ReadLimits::max_pixels`]: pixels (voxels; all frames read) of the image.
    Pixels,
    /// [`ReadLimits::max_bytes`]: bytes the decoded data would take in memory.
    Bytes,
}

impl LimitKind {
    /// Field name of the limit in [`ReadLimits`] (`max_pixels` or `max_bytes`).
    pub fn field(self) -> &'static str {
        match self {
            LimitKind::Pixels => "max_pixels",
            LimitKind::Bytes => "max_bytes",
        }
    }
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.field())
    }
}

/// Size limits every reader checks from the file header before decoding.
///
/// `max_pixels` bounds the number of pixels/voxels read (rows × columns × slices × frames read);
/// `max_bytes` bounds the memory the decoded data take: the `f32` image (4 bytes a voxel) plus
/// the decoded samples a decoder produces whole (image-rs buffers, decompressed NIfTI/NRRD data,
/// an inflated DICOM data set). [`crate::read_image`] uses [`ReadLimits::default`]; pass other
/// limits to [`crate::read_image_with_limits`] for trusted large files (long cine loops).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest number of pixels/voxels (default [`ReadLimits::DEFAULT_MAX_PIXELS`], 2^28).
    pub max_pixels: u64,
    /// Largest decoded size in bytes (default [`ReadLimits::DEFAULT_MAX_BYTES`], 2 GiB).
    pub max_bytes: u64,
}

impl ReadLimits {
    /// Default pixel limit: 2^28 (268 million; e.g. 16384 × 16384, or 1000 frames of 640 × 420).
    pub const DEFAULT_MAX_PIXELS: u64 = 1 << 28;
    /// Default decoded-size limit: 2 GiB.
    pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

    /// Limits with the given pixel and byte maxima.
    pub fn new(max_pixels: u64, max_bytes: u64) -> Self {
        Self {
            max_pixels,
            max_bytes,
        }
    }

    /// Refuses an image of `pixels` pixels whose decoding takes `bytes` bytes, described by
    /// `what` (e.g. "30000 x 30000 pixels"), with an [`ImageError::TooLarge`] naming the file.
    pub(crate) fn check(&self, path: &Path, what: &str, pixels: u64, bytes: u64) -> Result<()> {
        let too_large = |limit: LimitKind, found: u64, max: u64| ImageError::TooLarge {
            path: path.to_path_buf(),
            what: what.to_string(),
            limit,
            found,
            max,
        };
        if pixels > self.max_pixels {
            return Err(too_large(LimitKind::Pixels, pixels, self.max_pixels));
        }
        if bytes > self.max_bytes {
            return Err(too_large(LimitKind::Bytes, bytes, self.max_bytes));
        }
        Ok(())
    }

    /// [`ReadLimits::check`] for `dims` voxels, each taking `bytes_per_voxel` bytes decoded
    /// (overflowing products count as over the limit).
    pub(crate) fn check_dims(&self, path: &Path, dims: &[u64], bytes_per_voxel: u64) -> Result<()> {
        let pixels = dims
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d))
            .unwrap_or(u64::MAX);
        let bytes = pixels.saturating_mul(bytes_per_voxel);
        let what = dims
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(" x ");
        self.check(path, &format!("{what} voxels"), pixels, bytes)
    }
}

impl ReadLimits {
    /// [`ReadLimits::check`] before inflating `inflated` bytes of gzip-compressed voxel data
    /// holding `voxels` voxels (decoded as 4-byte floats on top of the inflated bytes).
    pub(crate) fn check_inflated(&self, path: &Path, inflated: u64, voxels: u64) -> Result<()> {
        self.check(
            path,
            &format!("{inflated} bytes of gzip-compressed voxel data"),
            voxels,
            inflated.saturating_add(voxels.saturating_mul(4)),
        )
    }
}

/// Reads a whole file, refusing one larger than `limits.max_bytes` before reading it.
pub(crate) fn read_file(path: &Path, limits: &ReadLimits) -> Result<Vec<u8>> {
    let io = |source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    limits.check(path, &format!("a file of {len} bytes"), 0, len)?;
    std::fs::read(path).map_err(io)
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self::new(Self::DEFAULT_MAX_PIXELS, Self::DEFAULT_MAX_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_pixels_then_bytes_and_names_the_limit() {
        let l = ReadLimits::new(100, 1000);
        let p = Path::new("a.png");
        assert!(l.check_dims(p, &[10, 10], 10).is_ok());
        let e = l.check_dims(p, &[10, 11], 4).unwrap_err();
        assert!(matches!(
            e,
            ImageError::TooLarge {
                limit: LimitKind::Pixels,
                found: 110,
                max: 100,
                ..
            }
        ));
        let e = l.check_dims(p, &[10, 10], 11).unwrap_err();
        assert!(matches!(
            e,
            ImageError::TooLarge {
                limit: LimitKind::Bytes,
                found: 1100,
                max: 1000,
                ..
            }
        ));
        let msg = e.to_string();
        assert!(
            msg.contains("a.png") && msg.contains("10 x 10") && msg.contains("max_bytes"),
            "{msg}"
        );
        // Overflow is over the limit, not a wrap-around.
        assert!(l.check_dims(p, &[u64::MAX, 2], 1).is_err());
        assert_eq!(ReadLimits::default().max_pixels, 1 << 28);
        assert_eq!(ReadLimits::default().max_bytes, 1 << 31);
    }
}
