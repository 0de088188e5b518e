//! NIfTI-1 and NIfTI-2 images (`.nii`, `.nii.gz`, or a `.hdr` header with its `.img` data;
//! either byte order).
//!
//! Supported data types: int8/16/32/64, uint8/16/32/64, float32/64; `scl_slope`/`scl_inter`
//! are applied when the slope is non-zero and finite. The voxel grid is kept exactly as stored
//! (x fastest, then y, then z; nothing is flipped or permuted).
//!
//! Geometry follows the ITK / SimpleITK convention (so values agree with PyRadiomics, which
//! reads through SimpleITK): spacing = `|pixdim[1..=3]|`; origin and direction come from the
//! sform when `sform_code > 0`, else from the qform when `qform_code > 0`, with NIfTI's RAS+
//! world coordinates converted to LPS (x and y negated); with neither (NIfTI method 1) origin 0
//! and identity direction, as ITK reports them. A shear or scale in the sform is dropped
//! (direction columns are normalised; spacing always comes from pixdim).
//! `direction` is row-major with column `c` the unit vector of voxel axis `c`.

use crate::error::{ImageError, Result};
use crate::limits::{read_file, ReadLimits};
use crate::read::ReadOptions;
use crate::sample::{decode_samples, gunzip_limited, voxel_count, SampleType};
use crate::types::Image;
use std::io::Read;
use std::path::Path;

const FMT: &str = "nifti";

struct Header {
    big_endian: bool,
    dim: [i64; 8],
    datatype: i32,
    pixdim: [f64; 8],
    vox_offset: f64,
    scl_slope: f64,
    scl_inter: f64,
    qform_code: i32,
    sform_code: i32,
    quatern: [f64; 6],
    srow: [[f64; 4]; 3],
    version: u8,
    /// `ni1`/`ni2` magic: voxels live in a separate `.img` file.
    pair: bool,
}

struct Rd<'a> {
    b: &'a [u8],
    be: bool,
}

impl Rd<'_> {
    fn arr<const N: usize>(&self, off: usize) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.b[off..off + N]);
        a
    }
    fn i16(&self, off: usize) -> i64 {
        let a = self.arr::<2>(off);
        (if self.be {
            i16::from_be_bytes(a)
        } else {
            i16::from_le_bytes(a)
        }) as i64
    }
    fn i32(&self, off: usize) -> i64 {
        let a = self.arr::<4>(off);
        (if self.be {
            i32::from_be_bytes(a)
        } else {
            i32::from_le_bytes(a)
        }) as i64
    }
    fn i64(&self, off: usize) -> i64 {
        let a = self.arr::<8>(off);
        if self.be {
            i64::from_be_bytes(a)
        } else {
            i64::from_le_bytes(a)
        }
    }
    fn f32(&self, off: usize) -> f64 {
        let a = self.arr::<4>(off);
        (if self.be {
            f32::from_be_bytes(a)
        } else {
            f32::from_le_bytes(a)
        }) as f64
    }
    fn f64(&self, off: usize) -> f64 {
        let a = self.arr::<8>(off);
        if self.be {
            f64::from_be_bytes(a)
        } else {
            f64::from_le_bytes(a)
        }
    }
}

fn parse_header(h: &[u8], path: &Path) -> Result<Header> {
    let err = |reason: &str| ImageError::Decode {
        path: path.to_path_buf(),
        format: FMT.into(),
        reason: reason.into(),
    };
    if h.len() < 4 {
        return Err(err("file too short for a NIfTI header"));
    }
    let le = i32::from_le_bytes([h[0], h[1], h[2], h[3]]);
    let be = i32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    let (size, big_endian) = match (le, be) {
        (348, _) | (540, _) => (le, false),
        (_, 348) | (_, 540) => (be, true),
        _ => return Err(err("sizeof_hdr is neither 348 (NIfTI-1) nor 540 (NIfTI-2)")),
    };
    if h.len() < size as usize {
        return Err(err("file ends inside the NIfTI header"));
    }
    let r = Rd {
        b: h,
        be: big_endian,
    };
    if size == 348 {
        let magic = &h[344..348];
        if magic != b"n+1\0" && magic != b"ni1\0" {
            return Err(err("bad NIfTI-1 magic string"));
        }
        let pair = magic == b"ni1\0";
        let mut dim = [0i64; 8];
        let mut pixdim = [0f64; 8];
        for i in 0..8 {
            dim[i] = r.i16(40 + 2 * i);
            pixdim[i] = r.f32(76 + 4 * i);
        }
        let mut quatern = [0f64; 6];
        for (i, q) in quatern.iter_mut().enumerate() {
            *q = r.f32(256 + 4 * i);
        }
        let mut srow = [[0f64; 4]; 3];
        for (row, s) in srow.iter_mut().enumerate() {
            for (c, v) in s.iter_mut().enumerate() {
                *v = r.f32(280 + 16 * row + 4 * c);
            }
        }
        Ok(Header {
            big_endian,
            dim,
            datatype: r.i16(70) as i32,
            pixdim,
            vox_offset: r.f32(108),
            scl_slope: r.f32(112),
            scl_inter: r.f32(116),
            qform_code: r.i16(252) as i32,
            sform_code: r.i16(254) as i32,
            quatern,
            srow,
            version: 1,
            pair,
        })
    } else {
        let magic = &h[4..8];
        if magic != b"n+2\0" && magic != b"ni2\0" {
            return Err(err("bad NIfTI-2 magic string"));
        }
        let pair = magic == b"ni2\0";
        let mut dim = [0i64; 8];
        let mut pixdim = [0f64; 8];
        for i in 0..8 {
            dim[i] = r.i64(16 + 8 * i);
            pixdim[i] = r.f64(104 + 8 * i);
        }
        let mut quatern = [0f64; 6];
        for (i, q) in quatern.iter_mut().enumerate() {
            *q = r.f64(352 + 8 * i);
        }
        let mut srow = [[0f64; 4]; 3];
        for (row, s) in srow.iter_mut().enumerate() {
            for (c, v) in s.iter_mut().enumerate() {
                *v = r.f64(400 + 32 * row + 8 * c);
            }
        }
        Ok(Header {
            big_endian,
            dim,
            datatype: r.i16(12) as i32,
            pixdim,
            vox_offset: r.i64(168) as f64,
            scl_slope: r.f64(176),
            scl_inter: r.f64(184),
            qform_code: r.i32(344) as i32,
            sform_code: r.i32(348) as i32,
            quatern,
            srow,
            version: 2,
            pair,
        })
    }
}

fn sample_type(code: i32) -> Option<SampleType> {
    Some(match code {
        2 => SampleType::U8,
        4 => SampleType::I16,
        8 => SampleType::I32,
        16 => SampleType::F32,
        64 => SampleType::F64,
        256 => SampleType::I8,
        512 => SampleType::U16,
        768 => SampleType::U32,
        1024 => SampleType::I64,
        1280 => SampleType::U64,
        _ => return None,
    })
}

/// Direction (row-major, columns = axes) and origin in LPS from the header, plus a note.
fn geometry(h: &Header) -> ([f64; 9], [f64; 3], String) {
    let mut m = [[0f64; 3]; 3]; // m[row][col], RAS
    let mut origin = [0f64; 3];
    let note;
    if h.sform_code > 0 {
        for (r, row) in m.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = h.srow[r][c];
            }
            origin[r] = h.srow[r][3];
        }
        for c in 0..3 {
            let n = (0..3).map(|r| m[r][c] * m[r][c]).sum::<f64>().sqrt();
            for row in m.iter_mut() {
                row[c] = if n > 0.0 { row[c] / n } else { 0.0 };
            }
            if n == 0.0 {
                m[c][c] = 1.0;
            }
        }
        note = format!("geometry from sform (code {})", h.sform_code);
    } else if h.qform_code > 0 {
        let [b, c, d, qx, qy, qz] = h.quatern;
        let a = (1.0 - (b * b + c * c + d * d)).max(0.0).sqrt();
        m = [
            [
                a * a + b * b - c * c - d * d,
                2.0 * (b * c - a * d),
                2.0 * (b * d + a * c),
            ],
            [
                2.0 * (b * c + a * d),
                a * a + c * c - b * b - d * d,
                2.0 * (c * d - a * b),
            ],
            [
                2.0 * (b * d - a * c),
                2.0 * (c * d + a * b),
                a * a + d * d - b * b - c * c,
            ],
        ];
        if h.pixdim[0] < 0.0 {
            for row in m.iter_mut() {
                row[2] = -row[2];
            }
        }
        origin = [qx, qy, qz];
        note = format!("geometry from qform (code {})", h.qform_code);
    } else {
        // NIfTI "method 1" (Analyze compatibility): ITK reports origin 0 and the identity
        // direction (checked with SimpleITK 2.5), so no RAS -> LPS flip here.
        note = "no qform/sform: NIfTI method 1, origin 0, identity direction (as ITK)".into();
        return (crate::types::IDENTITY_DIRECTION, origin, note);
    }
    // RAS -> LPS
    let mut dir = [0f64; 9];
    for r in 0..3 {
        let s = if r < 2 { -1.0 } else { 1.0 };
        for c in 0..3 {
            dir[3 * r + c] = s * m[r][c] + 0.0;
        }
        origin[r] = s * origin[r] + 0.0;
    }
    (dir, origin, note)
}

/// The `.img` (or `.img.gz`) beside a `.hdr` (or `.hdr.gz`) header; `None` for in-memory data.
fn pair_data_path(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?.to_str()?;
    if path == Path::new("<memory>") {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let stem_len = if lower.ends_with(".hdr.gz") {
        name.len() - 7
    } else if lower.ends_with(".hdr") {
        name.len() - 4
    } else {
        return None;
    };
    let stem = &name[..stem_len];
    let candidates = [".img", ".IMG", ".img.gz", ".IMG.GZ"];
    candidates
        .iter()
        .map(|ext| path.with_file_name(format!("{stem}{ext}")))
        .find(|p| p.exists())
}

pub(crate) fn decode(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    let err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        format: FMT.into(),
        reason,
    };
    let gz = bytes.starts_with(&[0x1F, 0x8B]);
    let head: Vec<u8> = if gz {
        let mut buf = Vec::with_capacity(540);
        flate2::read::MultiGzDecoder::new(bytes)
            .take(540)
            .read_to_end(&mut buf)
            .map_err(|e| err(format!("gzip data are corrupt: {e}")))?;
        buf
    } else {
        bytes
            .get(..bytes.len().min(540))
            .unwrap_or_default()
            .to_vec()
    };
    let h = parse_header(&head, path)?;
    let ndim = h.dim[0];
    if !(1..=7).contains(&ndim) {
        return Err(err(format!("dim[0] = {ndim} is not in 1..=7")));
    }
    let mut d = [1i64; 7];
    for (i, (di, &hv)) in d
        .iter_mut()
        .zip(&h.dim[1..])
        .take(ndim as usize)
        .enumerate()
    {
        if hv < 1 {
            return Err(err(format!("dim[{}] = {hv} is not positive", i + 1)));
        }
        *di = hv;
    }
    let ty = sample_type(h.datatype).ok_or_else(|| ImageError::Unsupported {
        path: path.to_path_buf(),
        what: format!("NIfTI datatype {}", h.datatype),
        hint:
            "supported: int8/16/32/64, uint8/16/32/64, float32/64; convert RGB/complex data first"
                .into(),
    })?;
    let to_usize = |v: i64| usize::try_from(v).map_err(|_| err(format!("dimension {v} too large")));
    let [nx, ny, nz] = [to_usize(d[0])?, to_usize(d[1])?, to_usize(d[2])?];
    let nt = d[3..].iter().try_fold(1i64, |a, &v| a.checked_mul(v));
    let nt = nt
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| err("dimensions overflow".into()))?;
    // One volume must fit the limits (decoded samples + f32 voxels) before anything else.
    let bpv = ty.size() as u64 + 4;
    limits.check_dims(path, &[d[0], d[1], d[2]].map(|v| v as u64), bpv)?;
    let vol = voxel_count([nx, ny, nz], path, FMT)?;
    let mut notes = vec![format!("NIfTI-{} {}", h.version, ty.name())];
    // Which volumes (4th+ dimensions) to read, and the output dims.
    let (first_vol, _nvol, dims) = if nt == 1 {
        if matches!(opts.frame, Some(f) if f != 0) {
            return Err(ImageError::Invalid(format!(
                "{}: frame {:?} requested but the file holds one volume",
                path.display(),
                opts.frame
            )));
        }
        (0, 1, [nx, ny, nz])
    } else if let Some(f) = opts.frame {
        if f >= nt {
            return Err(ImageError::Invalid(format!(
                "{}: frame {f} requested but the file holds {nt} volumes",
                path.display()
            )));
        }
        notes.push(format!("volume {f} of {nt} read"));
        (f, 1, [nx, ny, nz])
    } else if nz == 1 {
        notes.push(format!("2D+t series: {nt} frames stacked along z"));
        (0, nt, [nx, ny, nt])
    } else {
        return Err(ImageError::Unsupported {
            path: path.to_path_buf(),
            what: format!("4D NIfTI with {nt} volumes"),
            hint: "choose one volume with ReadOptions.frame".into(),
        });
    };
    limits.check_dims(path, &dims.map(|v| v as u64), bpv)?;
    let n = voxel_count(dims, path, FMT)?;
    if !(h.vox_offset.is_finite() && h.vox_offset >= 0.0 && h.vox_offset < 1e12) {
        return Err(err(format!("bad vox_offset {}", h.vox_offset)));
    }
    let hdr_size = if h.version == 1 { 348 } else { 540 };
    let (offset, pair_bytes) = if h.pair {
        let img_path = pair_data_path(path).ok_or_else(|| ImageError::Unsupported {
            path: path.to_path_buf(),
            what: "NIfTI header/data pair without a file name to find the .img".into(),
            hint: "read the .hdr from its file, or convert to a single .nii".into(),
        })?;
        let b = read_file(&img_path, limits)?;
        notes.push(format!("voxels from {}", img_path.display()));
        (h.vox_offset as usize, Some(b))
    } else {
        ((h.vox_offset as usize).max(hdr_size), None)
    };
    let (bytes, gz) = match &pair_bytes {
        Some(b) => (b.as_slice(), b.starts_with(&[0x1F, 0x8B])),
        None => (bytes, gz),
    };
    let start = offset + first_vol * vol * ty.size();
    let nbytes = n * ty.size();
    let data_bytes: Vec<u8>;
    let raw: &[u8] = if gz {
        // Volumes before the one chosen are inflated too.
        let inflated = start.saturating_add(nbytes) as u64;
        limits.check_inflated(path, inflated, n as u64)?;
        let all = gunzip_limited(bytes, start + nbytes, path, FMT)?;
        data_bytes = all;
        data_bytes.get(start..).unwrap_or_default()
    } else {
        bytes.get(start.min(bytes.len())..).unwrap_or_default()
    };
    let mut data = decode_samples(raw, ty, h.big_endian, n).ok_or_else(|| {
        err(format!(
            "file truncated: {} bytes of voxel data needed, {} present",
            nbytes,
            raw.len()
        ))
    })?;
    if !ty.exact_in_f32() {
        notes.push(format!(
            "{} values stored as f32 (may round beyond 2^24)",
            ty.name()
        ));
    }
    if h.scl_slope != 0.0
        && h.scl_slope.is_finite()
        && h.scl_inter.is_finite()
        && (h.scl_slope != 1.0 || h.scl_inter != 0.0)
    {
        let (s, i) = (h.scl_slope, h.scl_inter);
        for v in &mut data {
            *v = (*v as f64 * s + i) as f32;
        }
        notes.push(format!("scaled: value * {s} + {i} (scl_slope, scl_inter)"));
    }
    let (direction, origin, gnote) = geometry(&h);
    notes.push(gnote);
    let sp = |i: usize| {
        let v = h.pixdim[i].abs();
        if v.is_finite() && v > 0.0 {
            v
        } else {
            1.0
        }
    };
    let mut img = Image::new(data, dims)?;
    img.spacing = [sp(1), sp(2), sp(3)];
    img.origin = origin;
    img.direction = direction;
    img.meta.bits_stored = Some((ty.size() * 8) as u16);
    img.meta.notes = notes;
    Ok(img)
}
