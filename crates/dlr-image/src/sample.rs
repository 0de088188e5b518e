//! Decoding of raw sample buffers (integer and float types, either byte order) into `f32`
//! voxels, and the size guards every reader applies before allocating.

use crate::error::{ImageError, Result};
use std::io::Read;
use std::path::Path;

/// Largest number of voxels any reader will allocate (2^31).
pub const MAX_VOXELS: usize = 1 << 31;

/// Largest expansion ratio of a deflate stream (1032:1); a header claiming more decompressed
/// data than that is rejected before decompression.
const MAX_DEFLATE_RATIO: usize = 1032;

/// Stored sample type of a raw voxel buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SampleType {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

impl SampleType {
    /// Bytes per sample.
    pub(crate) fn size(self) -> usize {
        match self {
            SampleType::I8 | SampleType::U8 => 1,
            SampleType::I16 | SampleType::U16 => 2,
            SampleType::I32 | SampleType::U32 | SampleType::F32 => 4,
            SampleType::I64 | SampleType::U64 | SampleType::F64 => 8,
        }
    }

    /// Name used in notes (`int16`, `float32`, ...).
    pub(crate) fn name(self) -> &'static str {
        match self {
            SampleType::I8 => "int8",
            SampleType::U8 => "uint8",
            SampleType::I16 => "int16",
            SampleType::U16 => "uint16",
            SampleType::I32 => "int32",
            SampleType::U32 => "uint32",
            SampleType::I64 => "int64",
            SampleType::U64 => "uint64",
            SampleType::F32 => "float32",
            SampleType::F64 => "float64",
        }
    }

    /// True when every value of the type is exactly representable as `f32`.
    pub(crate) fn exact_in_f32(self) -> bool {
        matches!(
            self,
            SampleType::I8 | SampleType::U8 | SampleType::I16 | SampleType::U16 | SampleType::F32
        )
    }
}

/// Decodes `n` samples of type `ty` from the start of `bytes`; `None` when `bytes` is too short.
pub(crate) fn decode_samples(
    bytes: &[u8],
    ty: SampleType,
    big_endian: bool,
    n: usize,
) -> Option<Vec<f32>> {
    let size = ty.size();
    let need = n.checked_mul(size)?;
    let bytes = bytes.get(..need)?;
    macro_rules! conv {
        ($t:ty, $w:expr) => {{
            bytes
                .chunks_exact($w)
                .map(|c| {
                    let mut a = [0u8; $w];
                    a.copy_from_slice(c);
                    let v = if big_endian {
                        <$t>::from_be_bytes(a)
                    } else {
                        <$t>::from_le_bytes(a)
                    };
                    v as f32
                })
                .collect()
        }};
    }
    Some(match ty {
        SampleType::I8 => bytes.iter().map(|&b| b as i8 as f32).collect(),
        SampleType::U8 => bytes.iter().map(|&b| b as f32).collect(),
        SampleType::I16 => conv!(i16, 2),
        SampleType::U16 => conv!(u16, 2),
        SampleType::I32 => conv!(i32, 4),
        SampleType::U32 => conv!(u32, 4),
        SampleType::I64 => conv!(i64, 8),
        SampleType::U64 => conv!(u64, 8),
        SampleType::F32 => conv!(f32, 4),
        SampleType::F64 => conv!(f64, 8),
    })
}

/// Number of voxels of `dims`, refusing overflow, zero-sized axes and more than [`MAX_VOXELS`].
pub(crate) fn voxel_count(dims: [usize; 3], path: &Path, format: &str) -> Result<usize> {
    let n = dims[0]
        .checked_mul(dims[1])
        .and_then(|v| v.checked_mul(dims[2]))
        .filter(|&n| n <= MAX_VOXELS)
        .ok_or_else(|| ImageError::Decode {
            path: path.to_path_buf(),
            format: format.into(),
            reason: format!(
                "header claims dimensions {dims:?}, more than the {MAX_VOXELS} voxels allowed"
            ),
        })?;
    if n == 0 {
        return Err(ImageError::Decode {
            path: path.to_path_buf(),
            format: format.into(),
            reason: format!("header claims an empty image {dims:?}"),
        });
    }
    Ok(n)
}

/// Decompresses a gzip (possibly multi-member) stream, reading at most `expected` bytes and
/// refusing claims the compressed size cannot support.
pub(crate) fn gunzip_limited(
    compressed: &[u8],
    expected: usize,
    path: &Path,
    format: &str,
) -> Result<Vec<u8>> {
    let err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        format: format.into(),
        reason,
    };
    if expected / MAX_DEFLATE_RATIO > compressed.len() {
        return Err(err(format!(
            "header claims {expected} bytes of data but only {} compressed bytes follow",
            compressed.len()
        )));
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(compressed)
        .take(expected as u64)
        .read_to_end(&mut out)
        .map_err(|e| err(format!("gzip data are corrupt: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_byte_orders() {
        let le = decode_samples(&[0x01, 0x80, 0xff, 0x7f], SampleType::I16, false, 2).unwrap();
        assert_eq!(le, vec![-32767.0, 32767.0]);
        let be = decode_samples(&[0x80, 0x01], SampleType::U16, true, 1).unwrap();
        assert_eq!(be, vec![32769.0]);
        let f = decode_samples(&1.5f64.to_le_bytes(), SampleType::F64, false, 1).unwrap();
        assert_eq!(f, vec![1.5]);
        assert!(decode_samples(&[0, 0, 0], SampleType::I32, false, 1).is_none());
    }

    #[test]
    fn guards_sizes() {
        let p = Path::new("x");
        assert!(voxel_count([usize::MAX, 2, 1], p, "t").is_err());
        assert!(voxel_count([1 << 16, 1 << 16, 1], p, "t").is_err());
        assert!(voxel_count([0, 2, 1], p, "t").is_err());
        assert_eq!(voxel_count([3, 4, 5], p, "t").unwrap(), 60);
        assert!(gunzip_limited(&[0x1f, 0x8b], 1 << 30, p, "t").is_err());
    }
}
