//! File formats the readers understand and how a file's format is detected (extension first,
//! then magic bytes).

use crate::error::{ImageError, Result};
use std::io::Read;
use std::path::Path;

/// An image file format known to the readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Portable Network Graphics (8/16 bit, grey/RGB/RGBA).
    Png,
    /// JPEG (baseline and progressive, 8 bit).
    Jpeg,
    /// Windows bitmap.
    Bmp,
    /// TIFF (8/16/32-bit integer or float samples, first page only).
    Tiff,
    /// DICOM Part 10 file (or a bare data set without preamble).
    Dicom,
    /// NIfTI-1 or NIfTI-2 (`.nii`, `.nii.gz`, or a `.hdr` + `.img` pair).
    Nifti,
    /// NRRD (attached or detached header).
    Nrrd,
}

impl Format {
    /// Lower-case format name as stored in `ImageMeta::format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Bmp => "bmp",
            Format::Tiff => "tiff",
            Format::Dicom => "dicom",
            Format::Nifti => "nifti",
            Format::Nrrd => "nrrd",
        }
    }

    /// Every format, in detection order.
    pub const ALL: [Format; 7] = [
        Format::Png,
        Format::Jpeg,
        Format::Bmp,
        Format::Tiff,
        Format::Dicom,
        Format::Nifti,
        Format::Nrrd,
    ];
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Format implied by a file name's extension (case-insensitive), if any.
pub fn format_from_extension(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".nii.gz") || name.ends_with(".nii") || name.ends_with(".hdr.gz") {
        return Some(Format::Nifti);
    }
    let ext = name.rsplit_once('.')?.1;
    Some(match ext {
        "png" => Format::Png,
        "jpg" | "jpeg" | "jpe" => Format::Jpeg,
        "bmp" | "dib" => Format::Bmp,
        "tif" | "tiff" => Format::Tiff,
        "dcm" | "dicom" | "dic" => Format::Dicom,
        "nrrd" | "nhdr" => Format::Nrrd,
        "hdr" => Format::Nifti,
        _ => return None,
    })
}

/// Format recognised from the first bytes of a file (at least 132 bytes are needed to see a
/// DICOM preamble; gzip data are recognised as NIfTI when the decompressed header says so).
pub fn format_from_magic(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Some(Format::Tiff);
    }
    if head.starts_with(b"NRRD000") {
        return Some(Format::Nrrd);
    }
    if head.len() >= 132 && &head[128..132] == b"DICM" {
        return Some(Format::Dicom);
    }
    if is_nifti_header(head) {
        return Some(Format::Nifti);
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        let mut dec = flate2::read::GzDecoder::new(head);
        let mut buf = Vec::with_capacity(548);
        // A truncated stream still yields its first bytes; errors simply mean "not recognised".
        let _ = (&mut dec).take(548).read_to_end(&mut buf);
        if is_nifti_header(&buf) {
            return Some(Format::Nifti);
        }
        return None;
    }
    if head.starts_with(b"BM") && head.len() >= 14 {
        return Some(Format::Bmp);
    }
    // A DICOM data set without preamble starts with a group 0002 or 0008 element (little endian).
    if head.len() >= 8 && (head[0..2] == [0x02, 0x00] || head[0..2] == [0x08, 0x00]) && head[3] == 0
    {
        return Some(Format::Dicom);
    }
    None
}

fn is_nifti_header(h: &[u8]) -> bool {
    if h.len() >= 348 {
        let le = i32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let be = i32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        if (le == 348 || be == 348) && (&h[344..348] == b"n+1\0" || &h[344..348] == b"ni1\0") {
            return true;
        }
    }
    if h.len() >= 12 {
        let le = i32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let be = i32::from_be_bytes([h[0], h[1], h[2], h[3]]);
        if (le == 540 || be == 540) && (&h[4..8] == b"n+2\0" || &h[4..8] == b"ni2\0") {
            return true;
        }
    }
    false
}

/// Detects a file's format: by extension, then by magic bytes; an unknown format is an
/// [`ImageError::Unsupported`] naming the file.
pub fn detect_format(path: &Path) -> Result<Format> {
    if let Some(f) = format_from_extension(path) {
        return Ok(f);
    }
    let io = |source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .map_err(io)?
        .take(1024)
        .read_to_end(&mut head)
        .map_err(io)?;
    format_from_magic(&head).ok_or_else(|| ImageError::Unsupported {
        path: path.to_path_buf(),
        what: "file format (neither the extension nor the first bytes are recognised)".into(),
        hint: "supported: PNG, JPEG, BMP, TIFF, DICOM, NIfTI (.nii/.nii.gz), NRRD (.nrrd/.nhdr)"
            .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(
            format_from_extension(Path::new("a/B.NII.GZ")),
            Some(Format::Nifti)
        );
        assert_eq!(
            format_from_extension(Path::new("x.nhdr")),
            Some(Format::Nrrd)
        );
        assert_eq!(
            format_from_extension(Path::new("x.TIF")),
            Some(Format::Tiff)
        );
        assert_eq!(format_from_extension(Path::new("x.gz")), None);
        assert_eq!(format_from_extension(Path::new("IM0001")), None);
    }

    #[test]
    fn magic() {
        assert_eq!(
            format_from_magic(b"\x89PNG\r\n\x1a\n...."),
            Some(Format::Png)
        );
        assert_eq!(format_from_magic(b"NRRD0004\n"), Some(Format::Nrrd));
        let mut dcm = vec![0u8; 140];
        dcm[128..132].copy_from_slice(b"DICM");
        assert_eq!(format_from_magic(&dcm), Some(Format::Dicom));
        assert_eq!(format_from_magic(b"hello world"), None);
        // NIfTI-1 header, plain and gzipped.
        let mut hdr = vec![0u8; 352];
        hdr[0..4].copy_from_slice(&348i32.to_le_bytes());
        hdr[344..348].copy_from_slice(b"n+1\0");
        assert_eq!(format_from_magic(&hdr), Some(Format::Nifti));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &hdr).unwrap();
        assert_eq!(
            format_from_magic(&gz.finish().unwrap()),
            Some(Format::Nifti)
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"not a header").unwrap();
        assert_eq!(format_from_magic(&gz.finish().unwrap()), None);
        assert_eq!(format_from_magic(b""), None);
    }
}
