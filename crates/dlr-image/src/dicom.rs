//! DICOM Part 10 reader: a small parser for the uncompressed transfer syntaxes (implicit VR
//! little endian, explicit VR little/big endian, deflated explicit VR little endian), RLE
//! lossless, and JPEG baseline (process 1) encapsulated pixel data (decoded by the `image`
//! crate's JPEG decoder); any other transfer syntax (JPEG extended and lossless, JPEG-LS, JPEG
//! 2000, video, ...) is refused with [`ImageError::Unsupported`] naming its UID and name and the
//! tool that converts it (`gdcmconv --raw`, DCMTK's `dcmdjpeg` / `dcmdjpls`). Why dicom-rs is
//! not used: `docs/decisions/dicom-reader.md`. Sizes are checked against the
//! [`ReadLimits`](crate::ReadLimits) before any pixel buffer is allocated.
//!
//! Pixel handling: bits allocated 8/16/32, bits stored / high bit, signed or unsigned;
//! MONOCHROME2 as stored, MONOCHROME1 inverted within the stored range (so bright = high, as
//! MONOCHROME2) *before* rescale slope/intercept are applied — exactly what ITK/GDCM (hence
//! SimpleITK and PyRadiomics) return (checked with SimpleITK 2.5; pydicom keeps the stored
//! values instead); RGB (planar or interleaved),
//! YBR_FULL and uncompressed YBR_FULL_422 converted to RGB with the full-range BT.601 equations
//! (rounded and clipped to 0..255 as pydicom does), then reduced to one value per pixel by the
//! [`ColourMode`](crate::ColourMode). Multi-frame objects (cine loops) become a 3D image with
//! `nz` = frames unless [`ReadOptions::frame`] picks one; `ImageMeta::frame_times_ms` then holds
//! each frame's time relative to the first (Frame Time Vector, cumulative; or k × Frame Time).
//!
//! Geometry: x = column, y = row. Spacing from Pixel Spacing (0028,0030), else Imager Pixel
//! Spacing (0018,1164), else the Pixel Measures of the Shared Functional Groups, else the first
//! ultrasound region (0018,6011) calibrated in cm (converted to mm); else 1 with a note. Origin
//! and direction from Image Position / Orientation (Patient) when present. The z spacing is 1
//! (for cine loops z is time).

use crate::colour::to_scalar;
use crate::error::{ImageError, Result};
use crate::limits::ReadLimits;
use crate::read::ReadOptions;
use crate::sample::voxel_count;
use crate::types::Image;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

const FMT: &str = "dicom";
const MAX_DEPTH: usize = 16;

const TS_IMPLICIT_LE: &str = "1.2.840.10008.1.2";
const TS_EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";
const TS_EXPLICIT_BE: &str = "1.2.840.10008.1.2.2";
const TS_DEFLATED: &str = "1.2.840.10008.1.2.1.99";
const TS_JPEG_BASELINE: &str = "1.2.840.10008.1.2.4.50";
const TS_RLE: &str = "1.2.840.10008.1.2.5";

/// How the pixel data are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Native,
    Jpeg,
    Rle,
}

const fn tag(g: u16, e: u16) -> u32 {
    ((g as u32) << 16) | e as u32
}

const TRANSFER_SYNTAX: u32 = tag(0x0002, 0x0010);
const PIXEL_DATA: u32 = tag(0x7FE0, 0x0010);
const ITEM: u32 = tag(0xFFFE, 0xE000);
const ITEM_DELIM: u32 = tag(0xFFFE, 0xE00D);
const SEQ_DELIM: u32 = tag(0xFFFE, 0xE0DD);
/// Sequences whose contents are read (needed to know they are sequences in implicit VR).
const KNOWN_SQ: [u32; 4] = [
    tag(0x0018, 0x6011), // Sequence of Ultrasound Regions
    tag(0x5200, 0x9229), // Shared Functional Groups
    tag(0x5200, 0x9230), // Per-frame Functional Groups
    tag(0x0028, 0x9110), // Pixel Measures
];

/// One element value.
#[derive(Debug)]
enum Value<'a> {
    Bytes(&'a [u8]),
    Seq(Vec<DataSet<'a>>),
    /// Encapsulated pixel data: basic offset table, then fragments.
    Fragments(Vec<&'a [u8]>),
}

#[derive(Debug, Default)]
struct DataSet<'a> {
    elems: BTreeMap<u32, Value<'a>>,
    big_endian: bool,
}

impl<'a> DataSet<'a> {
    fn bytes(&self, t: u32) -> Option<&'a [u8]> {
        match self.elems.get(&t)? {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }
    fn text(&self, t: u32) -> Option<String> {
        let b = self.bytes(t)?;
        let s = String::from_utf8_lossy(b);
        let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
        (!s.is_empty()).then(|| s.to_string())
    }
    fn us(&self, t: u32) -> Option<u16> {
        let b = self.bytes(t)?.get(..2)?;
        let a = [b[0], b[1]];
        Some(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }
    fn fd(&self, t: u32) -> Option<f64> {
        let b = self.bytes(t)?.get(..8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Some(if self.big_endian {
            f64::from_be_bytes(a)
        } else {
            f64::from_le_bytes(a)
        })
    }
    /// Decimal / integer strings, backslash separated.
    fn numbers(&self, t: u32) -> Option<Vec<f64>> {
        let s = self.text(t)?;
        s.split('\\')
            .map(|v| v.trim().parse::<f64>().ok())
            .collect()
    }
    fn number(&self, t: u32) -> Option<f64> {
        self.numbers(t)?.first().copied()
    }
    fn seq(&self, t: u32) -> Option<&[DataSet<'a>]> {
        match self.elems.get(&t)? {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }
}

struct Parser<'a, 'p> {
    buf: &'a [u8],
    pos: usize,
    explicit: bool,
    big_endian: bool,
    path: &'p Path,
}

impl<'a> Parser<'a, '_> {
    fn err(&self, reason: impl Into<String>) -> ImageError {
        ImageError::Decode {
            path: self.path.to_path_buf(),
            format: FMT.into(),
            reason: reason.into(),
        }
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                self.err(format!(
                    "file truncated: {n} bytes needed at offset {}, {} left",
                    self.pos,
                    self.buf.len().saturating_sub(self.pos)
                ))
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(if self.big_endian {
            u16::from_be_bytes([b[0], b[1]])
        } else {
            u16::from_le_bytes([b[0], b[1]])
        })
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        let a = [b[0], b[1], b[2], b[3]];
        Ok(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }
    /// Reads an element header: (tag, VR if explicit, length).
    fn header(&mut self) -> Result<(u32, [u8; 2], u32)> {
        let g = self.u16()?;
        let e = self.u16()?;
        let t = tag(g, e);
        if g == 0xFFFE {
            return Ok((t, *b"  ", self.u32()?));
        }
        if self.explicit {
            let vr = self.take(2)?;
            let vr = [vr[0], vr[1]];
            let long = matches!(
                &vr,
                b"OB"
                    | b"OD"
                    | b"OF"
                    | b"OL"
                    | b"OV"
                    | b"OW"
                    | b"SQ"
                    | b"UC"
                    | b"UN"
                    | b"UR"
                    | b"UT"
                    | b"SV"
                    | b"UV"
            );
            let len = if long {
                self.take(2)?;
                self.u32()?
            } else {
                self.u16()? as u32
            };
            Ok((t, vr, len))
        } else {
            let vr = if KNOWN_SQ.contains(&t) {
                *b"SQ"
            } else {
                *b"UN"
            };
            Ok((t, vr, self.u32()?))
        }
    }

    /// Parses elements until `end` (defined length), an item delimiter (`until_delim`), or the
    /// end of the buffer.
    fn dataset(&mut self, end: usize, until_delim: bool, depth: usize) -> Result<DataSet<'a>> {
        if depth > MAX_DEPTH {
            return Err(self.err("sequences nested too deeply"));
        }
        let mut ds = DataSet {
            elems: BTreeMap::new(),
            big_endian: self.big_endian,
        };
        while self.pos < end {
            let (t, vr, len) = self.header()?;
            if t == ITEM_DELIM {
                if until_delim {
                    return Ok(ds);
                }
                continue;
            }
            if t == SEQ_DELIM || t == ITEM {
                return Err(self.err(format!("unexpected delimiter at offset {}", self.pos)));
            }
            let value = if len == u32::MAX {
                if t == PIXEL_DATA {
                    self.fragments()?
                } else {
                    // Undefined length: a sequence (UN with undefined length is implicit VR LE).
                    let saved = (self.explicit, self.big_endian);
                    if &vr == b"UN" && self.explicit {
                        self.explicit = false;
                        self.big_endian = false;
                    }
                    let v = self.sequence(None, depth + 1);
                    (self.explicit, self.big_endian) = saved;
                    v?
                }
            } else if &vr == b"SQ" {
                let stop = self
                    .pos
                    .checked_add(len as usize)
                    .filter(|&s| s <= self.buf.len())
                    .ok_or_else(|| self.err("sequence runs past the end of the file"))?;
                self.sequence(Some(stop), depth + 1)?
            } else {
                if t == PIXEL_DATA {
                    // Pixel data shorter than claimed is reported later with the needed size.
                    let avail = self.buf.len() - self.pos;
                    if (len as usize) > avail {
                        let v = self.take(avail)?;
                        ds.elems.insert(t, Value::Bytes(v));
                        return Ok(ds);
                    }
                }
                Value::Bytes(self.take(len as usize)?)
            };
            ds.elems.insert(t, value);
        }
        if until_delim {
            return Err(self.err("item without delimiter at the end of the file"));
        }
        Ok(ds)
    }

    fn sequence(&mut self, stop: Option<usize>, depth: usize) -> Result<Value<'a>> {
        let mut items = Vec::new();
        loop {
            if let Some(s) = stop {
                if self.pos >= s {
                    break;
                }
            }
            let (t, _, len) = self.header()?;
            match t {
                SEQ_DELIM => break,
                ITEM if len == u32::MAX => {
                    let end = self.buf.len();
                    items.push(self.dataset(end, true, depth)?);
                }
                ITEM => {
                    let end = self
                        .pos
                        .checked_add(len as usize)
                        .filter(|&e| e <= self.buf.len())
                        .ok_or_else(|| self.err("sequence item runs past the end of the file"))?;
                    items.push(self.dataset(end, false, depth)?);
                    self.pos = end;
                }
                _ => return Err(self.err("malformed sequence (item tag expected)")),
            }
            if items.len() > 100_000 {
                return Err(self.err("too many sequence items"));
            }
        }
        Ok(Value::Seq(items))
    }

    fn fragments(&mut self) -> Result<Value<'a>> {
        let mut frags = Vec::new();
        loop {
            let (t, _, len) = self.header()?;
            match t {
                SEQ_DELIM => break,
                ITEM => frags.push(self.take(len as usize)?),
                _ => return Err(self.err("malformed encapsulated pixel data")),
            }
        }
        Ok(Value::Fragments(frags))
    }
}

fn unsupported(path: &Path, what: String, hint: &str) -> ImageError {
    ImageError::Unsupported {
        path: path.to_path_buf(),
        what,
        hint: hint.into(),
    }
}

const DECOMPRESS_HINT: &str = "decompress first, e.g. `gdcmconv --raw in.dcm out.dcm` or \
`dcmdjpeg`/`dcmdrle` (DCMTK); supported: implicit/explicit VR little endian, explicit big \
endian, deflated, JPEG baseline, RLE lossless";

pub(crate) fn decode(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    decode_slice(bytes, path, opts, limits).map(|(img, _)| img)
}

/// What a series reader needs to know about one file besides its pixels.
#[derive(Debug, Clone, Default)]
pub(crate) struct SliceInfo {
    /// Series Instance UID (0020,000E).
    pub(crate) series_uid: Option<String>,
    /// Instance Number (0020,0013).
    pub(crate) instance_number: Option<f64>,
    /// True when Image Position (Patient) was present.
    pub(crate) has_position: bool,
    /// Number of frames in the file.
    pub(crate) frames: usize,
}

/// Decodes one DICOM file and returns the identifiers a series reader needs.
pub(crate) fn decode_slice(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<(Image, SliceInfo)> {
    let err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        format: FMT.into(),
        reason,
    };
    // File meta information (group 0002, always explicit VR little endian).
    let (start, meta) = if bytes.get(128..132) == Some(b"DICM".as_slice()) {
        let mut p = Parser {
            buf: bytes,
            pos: 132,
            explicit: true,
            big_endian: false,
            path,
        };
        let mut meta = DataSet::default();
        while p.pos + 4 <= bytes.len() && bytes[p.pos..p.pos + 2] == [0x02, 0x00] {
            let (t, _, len) = p.header()?;
            let v = p.take(len as usize)?;
            meta.elems.insert(t, Value::Bytes(v));
        }
        (p.pos, Some(meta))
    } else {
        (0, None)
    };
    let ts = match &meta {
        Some(m) => m
            .text(TRANSFER_SYNTAX)
            .ok_or_else(|| err("file meta information has no transfer syntax".into()))?,
        None => {
            // No preamble: guess implicit or explicit VR LE from the first element.
            let explicit = bytes
                .get(4..6)
                .is_some_and(|v| v.iter().all(|c| c.is_ascii_uppercase()));
            if bytes.len() < 8 {
                return Err(err("too short for a DICOM data set".into()));
            }
            if explicit {
                TS_EXPLICIT_LE
            } else {
                TS_IMPLICIT_LE
            }
            .to_string()
        }
    };
    let (explicit, big_endian, deflated, codec) = match ts.as_str() {
        TS_IMPLICIT_LE => (false, false, false, Codec::Native),
        TS_EXPLICIT_LE => (true, false, false, Codec::Native),
        TS_EXPLICIT_BE => (true, true, false, Codec::Native),
        TS_DEFLATED => (true, false, true, Codec::Native),
        TS_JPEG_BASELINE => (true, false, false, Codec::Jpeg),
        TS_RLE => (true, false, false, Codec::Rle),
        other => {
            return Err(unsupported(
                path,
                format!("transfer syntax {other} ({})", ts_name(other)),
                &ts_hint(other),
            ))
        }
    };
    let inflated;
    let body: &[u8] = if deflated {
        let rest = &bytes[start..];
        // At most max_bytes inflated: one byte more means the data set is over the limit.
        let cap = limits.max_bytes;
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(rest)
            .take(cap.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| err(format!("deflated data set is corrupt: {e}")))?;
        let n = out.len() as u64;
        limits.check(path, "the inflated data set (bytes)", 0, n)?;
        inflated = out;
        &inflated
    } else {
        &bytes[start..]
    };
    let mut p = Parser {
        buf: body,
        pos: 0,
        explicit,
        big_endian,
        path,
    };
    let ds = p.dataset(body.len(), false, 0)?;
    let mut notes = vec![format!("transfer syntax {ts} ({})", ts_name(&ts))];
    let img = decode_pixels(&ds, codec, path, opts, limits, &mut notes)?;
    let info = SliceInfo {
        series_uid: ds.text(tag(0x0020, 0x000E)),
        instance_number: ds.number(tag(0x0020, 0x0013)),
        has_position: ds
            .numbers(tag(0x0020, 0x0032))
            .is_some_and(|v| v.len() == 3),
        frames: ds
            .number(tag(0x0028, 0x0008))
            .map_or(1, |f| f.max(1.0) as usize),
    };
    Ok((img, info))
}

/// Name of a transfer syntax (PS3.6 Table A-1), "unknown" for a UID not listed there.
fn ts_name(ts: &str) -> &'static str {
    match ts {
        TS_IMPLICIT_LE => "implicit VR little endian",
        TS_EXPLICIT_LE => "explicit VR little endian",
        TS_EXPLICIT_BE => "explicit VR big endian",
        TS_DEFLATED => "deflated explicit VR little endian",
        TS_JPEG_BASELINE => "JPEG baseline (process 1)",
        TS_RLE => "RLE lossless",
        "1.2.840.10008.1.2.1.98" => "encapsulated uncompressed explicit VR little endian",
        "1.2.840.10008.1.2.4.51" => "JPEG extended (process 2 & 4)",
        "1.2.840.10008.1.2.4.57" => "JPEG lossless, non-hierarchical (process 14)",
        "1.2.840.10008.1.2.4.70" => {
            "JPEG lossless, non-hierarchical, first-order prediction (process 14, SV1)"
        }
        "1.2.840.10008.1.2.4.80" => "JPEG-LS lossless",
        "1.2.840.10008.1.2.4.81" => "JPEG-LS near-lossless",
        "1.2.840.10008.1.2.4.90" => "JPEG 2000 lossless",
        "1.2.840.10008.1.2.4.91" => "JPEG 2000",
        "1.2.840.10008.1.2.4.92" | "1.2.840.10008.1.2.4.93" => "JPEG 2000 part 2 multi-component",
        "1.2.840.10008.1.2.4.201" => "high-throughput JPEG 2000 lossless",
        "1.2.840.10008.1.2.4.202" => "high-throughput JPEG 2000 with RPCL (lossless)",
        "1.2.840.10008.1.2.4.203" => "high-throughput JPEG 2000",
        "1.2.840.10008.1.2.4.110" | "1.2.840.10008.1.2.4.111" | "1.2.840.10008.1.2.4.112" => {
            "JPEG XL"
        }
        "1.2.840.10008.1.2.4.94" | "1.2.840.10008.1.2.4.95" => "JPIP referenced",
        "1.2.840.10008.1.2.4.100" | "1.2.840.10008.1.2.4.100.1" => "MPEG-2 video",
        "1.2.840.10008.1.2.4.101" | "1.2.840.10008.1.2.4.101.1" => "MPEG-2 video (high level)",
        "1.2.840.10008.1.2.4.102"
        | "1.2.840.10008.1.2.4.102.1"
        | "1.2.840.10008.1.2.4.103"
        | "1.2.840.10008.1.2.4.103.1"
        | "1.2.840.10008.1.2.4.104"
        | "1.2.840.10008.1.2.4.104.1"
        | "1.2.840.10008.1.2.4.105"
        | "1.2.840.10008.1.2.4.105.1"
        | "1.2.840.10008.1.2.4.106"
        | "1.2.840.10008.1.2.4.106.1" => "MPEG-4 AVC/H.264 video",
        "1.2.840.10008.1.2.4.107" | "1.2.840.10008.1.2.4.108" => "HEVC/H.265 video",
        _ => "unknown",
    }
}

/// The way out for a transfer syntax this reader refuses: a tool that rewrites the file in a
/// supported one.
fn ts_hint(ts: &str) -> String {
    let tool = match ts {
        "1.2.840.10008.1.2.4.51" | "1.2.840.10008.1.2.4.57" | "1.2.840.10008.1.2.4.70" => {
            "`gdcmconv --raw in.dcm out.dcm` (GDCM) or `dcmdjpeg in.dcm out.dcm` (DCMTK)"
        }
        "1.2.840.10008.1.2.4.80" | "1.2.840.10008.1.2.4.81" => {
            "`gdcmconv --raw in.dcm out.dcm` (GDCM) or `dcmdjpls in.dcm out.dcm` (DCMTK)"
        }
        t if t.starts_with("1.2.840.10008.1.2.4.10") => {
            "nothing here decodes video: export the loop from the scanner or PACS as \
             uncompressed, RLE or JPEG baseline multi-frame DICOM"
        }
        _ => "`gdcmconv --raw in.dcm out.dcm` (GDCM)",
    };
    format!(
        "decompress first with {tool}; read here: implicit/explicit VR little endian, explicit \
         VR big endian, deflated explicit VR little endian, JPEG baseline (8-bit), RLE lossless"
    )
}

/// Values from the data set describing the pixel module.
struct PixelModule {
    rows: usize,
    cols: usize,
    samples: usize,
    bits_alloc: usize,
    bits_stored: u32,
    high_bit: u32,
    signed: bool,
    planar: bool,
    frames: usize,
    photometric: String,
}

fn decode_pixels(
    ds: &DataSet<'_>,
    codec: Codec,
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
    notes: &mut Vec<String>,
) -> Result<Image> {
    let err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        format: FMT.into(),
        reason,
    };
    let rows = ds
        .us(tag(0x0028, 0x0010))
        .ok_or_else(|| err("no Rows (0028,0010)".into()))?;
    let cols = ds
        .us(tag(0x0028, 0x0011))
        .ok_or_else(|| err("no Columns (0028,0011)".into()))?;
    let bits_alloc = ds.us(tag(0x0028, 0x0100)).unwrap_or(8) as usize;
    let bits_stored = ds
        .us(tag(0x0028, 0x0101))
        .map_or(bits_alloc as u32, u32::from);
    let high_bit = ds
        .us(tag(0x0028, 0x0102))
        .map_or(bits_stored.saturating_sub(1), u32::from);
    let frames = match ds.number(tag(0x0028, 0x0008)) {
        None => 1,
        Some(f) if (1.0..=1e7).contains(&f) && f.fract() == 0.0 => f as usize,
        Some(f) => return Err(err(format!("bad Number of Frames {f}"))),
    };
    let pm = PixelModule {
        rows: rows as usize,
        cols: cols as usize,
        samples: ds.us(tag(0x0028, 0x0002)).unwrap_or(1) as usize,
        bits_alloc,
        bits_stored,
        high_bit,
        signed: ds.us(tag(0x0028, 0x0103)) == Some(1),
        planar: ds.us(tag(0x0028, 0x0006)) == Some(1),
        frames,
        photometric: ds
            .text(tag(0x0028, 0x0004))
            .unwrap_or_else(|| "MONOCHROME2".into()),
    };
    let frame_sel: Vec<usize> = match opts.frame {
        None => (0..pm.frames).collect(),
        Some(f) if f < pm.frames => vec![f],
        Some(f) => {
            return Err(ImageError::Invalid(format!(
                "{}: frame {f} requested but the file holds {} frame(s)",
                path.display(),
                pm.frames
            )))
        }
    };
    let nz = frame_sel.len();
    // Rows x columns x frames read x samples x bits, checked before any pixel buffer exists:
    // the f32 image plus one decoded frame (its samples and their f32 copy).
    let npix_u = pm.rows as u64 * pm.cols as u64;
    let pixels = npix_u.saturating_mul(nz as u64);
    let per_frame_pixel = (pm.samples as u64).saturating_mul(pm.bits_alloc.div_ceil(8) as u64 + 4);
    limits.check(
        path,
        &format!(
            "{} x {} pixels x {nz} frame(s) x {} sample(s) of {} bits",
            pm.cols, pm.rows, pm.samples, pm.bits_alloc
        ),
        pixels,
        pixels
            .saturating_mul(4)
            .saturating_add(npix_u.saturating_mul(per_frame_pixel)),
    )?;
    voxel_count([pm.cols, pm.rows, nz], path, FMT)?;
    if !(1..=4).contains(&pm.samples) || pm.samples == 2 {
        return Err(err(format!("bad Samples per Pixel {}", pm.samples)));
    }
    match pm.photometric.as_str() {
        "MONOCHROME1" | "MONOCHROME2" | "PALETTE COLOR" if pm.samples == 1 => {}
        "RGB" | "YBR_FULL" | "YBR_FULL_422" if pm.samples == 3 => {}
        other => {
            return Err(unsupported(
                path,
                format!(
                    "photometric interpretation {other} with {} sample(s)",
                    pm.samples
                ),
                "supported: MONOCHROME1/2, PALETTE COLOR, RGB, YBR_FULL, YBR_FULL_422",
            ))
        }
    }
    let palette = if pm.photometric == "PALETTE COLOR" {
        Some(read_palette(ds).map_err(|r| err(format!("PALETTE COLOR: {r}")))?)
    } else {
        None
    };
    if !matches!(pm.bits_alloc, 8 | 16 | 32)
        || pm.bits_stored == 0
        || pm.bits_stored > pm.bits_alloc as u32
        || pm.high_bit >= pm.bits_alloc as u32
        || pm.high_bit + 1 < pm.bits_stored
    {
        return Err(unsupported(
            path,
            format!(
                "bits allocated/stored/high bit {}/{}/{}",
                pm.bits_alloc, pm.bits_stored, pm.high_bit
            ),
            "supported: 8, 16 or 32 bits allocated",
        ));
    }
    if pm.samples == 3 && pm.bits_alloc != 8 {
        return Err(unsupported(
            path,
            format!("{}-bit colour", pm.bits_alloc),
            "colour DICOM is read with 8 bits per sample",
        ));
    }
    let npix = pm.rows * pm.cols;
    // Grown only after the pixel data are known to hold what the header claims.
    let mut data: Vec<f32> = Vec::new();
    let mut colour_notes = Vec::new();
    match ds.elems.get(&PIXEL_DATA) {
        None => return Err(err("no Pixel Data (7FE0,0010)".into())),
        Some(Value::Seq(_)) => return Err(err("Pixel Data is a sequence".into())),
        Some(Value::Bytes(px)) => {
            if codec != Codec::Native {
                return Err(err(
                    "JPEG transfer syntax but pixel data are not encapsulated".into(),
                ));
            }
            let frame_bytes = if pm.photometric == "YBR_FULL_422" {
                if pm.cols % 2 != 0 {
                    return Err(err("YBR_FULL_422 needs an even number of columns".into()));
                }
                npix * 2
            } else {
                npix * pm.samples * pm.bits_alloc / 8
            };
            let need = frame_bytes * pm.frames;
            if px.len() < need {
                return Err(err(format!(
                    "pixel data truncated: {need} bytes needed for {} frame(s) of {}x{}x{}, {} present",
                    pm.frames,
                    pm.cols,
                    pm.rows,
                    pm.samples,
                    px.len()
                )));
            }
            data.reserve_exact(npix * nz);
            for &f in &frame_sel {
                let fb = &px[f * frame_bytes..(f + 1) * frame_bytes];
                let vals = if let Some(pal) = &palette {
                    colour_notes.clear();
                    apply_palette(
                        &mono_frame(fb, &pm, ds.big_endian),
                        pal,
                        opts,
                        &mut colour_notes,
                    )
                    .map_err(|e| err(e.to_string()))?
                } else if pm.samples == 1 {
                    mono_frame(fb, &pm, ds.big_endian)
                } else {
                    let rgb = colour_frame_native(fb, &pm);
                    colour_notes.clear();
                    to_scalar(&rgb, 3, opts.colour, &mut colour_notes)
                        .map_err(|e| err(e.to_string()))?
                };
                data.extend_from_slice(&vals);
            }
        }
        Some(Value::Fragments(frags)) if codec == Codec::Rle => {
            if pm.photometric == "YBR_FULL_422" {
                return Err(err(
                    "RLE with YBR_FULL_422 is not allowed by the standard".into()
                ));
            }
            let (_bot, data_frags) = frags
                .split_first()
                .ok_or_else(|| err("encapsulated pixel data without items".into()))?;
            if data_frags.len() != pm.frames {
                return Err(err(format!(
                    "RLE: {} fragments for {} frames (one per frame required)",
                    data_frags.len(),
                    pm.frames
                )));
            }
            let planar_pm = PixelModule {
                planar: false,
                photometric: pm.photometric.clone(),
                ..pm
            };
            for &f in &frame_sel {
                let fb = rle_frame(data_frags[f], &pm)
                    .map_err(|r| err(format!("RLE frame {f}: {r}")))?;
                let vals = if let Some(pal) = &palette {
                    colour_notes.clear();
                    apply_palette(
                        &mono_frame(&fb, &planar_pm, false),
                        pal,
                        opts,
                        &mut colour_notes,
                    )
                    .map_err(|e| err(e.to_string()))?
                } else if pm.samples == 1 {
                    mono_frame(&fb, &planar_pm, false)
                } else {
                    let rgb = colour_frame_native(&fb, &planar_pm);
                    colour_notes.clear();
                    to_scalar(&rgb, 3, opts.colour, &mut colour_notes)
                        .map_err(|e| err(e.to_string()))?
                };
                data.extend_from_slice(&vals);
            }
        }
        Some(Value::Fragments(frags)) => {
            if codec != Codec::Jpeg {
                return Err(err(
                    "encapsulated pixel data in a native transfer syntax".into()
                ));
            }
            if pm.bits_alloc != 8 {
                return Err(unsupported(
                    path,
                    format!("JPEG baseline with {} bits allocated", pm.bits_alloc),
                    DECOMPRESS_HINT,
                ));
            }
            let streams = split_frames(frags, pm.frames).ok_or_else(|| {
                err(format!(
                    "cannot split {} fragments into {} frames",
                    frags.len().saturating_sub(1),
                    pm.frames
                ))
            })?;
            for &f in &frame_sel {
                let img =
                    image::load_from_memory_with_format(&streams[f], image::ImageFormat::Jpeg)
                        .map_err(|e| err(format!("JPEG frame {f}: {e}")))?;
                if img.width() as usize != pm.cols || img.height() as usize != pm.rows {
                    return Err(err(format!(
                        "JPEG frame {f} is {}x{} but the header says {}x{}",
                        img.width(),
                        img.height(),
                        pm.cols,
                        pm.rows
                    )));
                }
                let vals = match img {
                    image::DynamicImage::ImageLuma8(b) if pm.samples == 1 => {
                        let raw: Vec<u8> = b.into_raw();
                        let idx = mono_frame(&raw, &pm, false);
                        match &palette {
                            Some(pal) => {
                                colour_notes.clear();
                                apply_palette(&idx, pal, opts, &mut colour_notes)
                                    .map_err(|e| err(e.to_string()))?
                            }
                            None => idx,
                        }
                    }
                    image::DynamicImage::ImageRgb8(b) if pm.samples == 3 => {
                        let rgb: Vec<f32> = b.into_raw().into_iter().map(f32::from).collect();
                        colour_notes.clear();
                        colour_notes.push("JPEG decoder converted YCbCr to RGB".into());
                        to_scalar(&rgb, 3, opts.colour, &mut colour_notes)
                            .map_err(|e| err(e.to_string()))?
                    }
                    other => {
                        return Err(err(format!(
                            "JPEG frame {f} decodes to {:?} but the header says {} sample(s)",
                            other.color(),
                            pm.samples
                        )))
                    }
                };
                data.extend_from_slice(&vals);
            }
        }
    }
    notes.push(format!(
        "{} {}-bit ({} stored, {})",
        pm.photometric,
        pm.bits_alloc,
        pm.bits_stored,
        if pm.signed { "signed" } else { "unsigned" }
    ));
    if pm.photometric == "MONOCHROME1" {
        notes.push(
            "MONOCHROME1 inverted within the stored range before rescale (as ITK/GDCM)".into(),
        );
    }
    if pm.photometric.starts_with("YBR") && codec != Codec::Jpeg {
        notes.push(format!(
            "{} converted to RGB (full-range BT.601)",
            pm.photometric
        ));
    }
    notes.extend(colour_notes);
    // Rescale (monochrome only).
    if pm.samples == 1 && palette.is_none() {
        let slope = ds.number(tag(0x0028, 0x1053));
        let inter = ds.number(tag(0x0028, 0x1052));
        if slope.is_some() || inter.is_some() {
            let s = slope.unwrap_or(1.0);
            let i = inter.unwrap_or(0.0);
            if !s.is_finite() || !i.is_finite() || s == 0.0 {
                return Err(err(format!("bad rescale slope/intercept {s}/{i}")));
            }
            if s != 1.0 || i != 0.0 {
                for v in &mut data {
                    *v = (*v as f64 * s + i) as f32;
                }
                notes.push(format!("rescaled: value * {s} + {i}"));
            }
        }
    }
    let mut img = Image::new(data, [pm.cols, pm.rows, nz])?;
    img.meta.bits_stored = Some(pm.bits_stored as u16);
    geometry(ds, &mut img, notes);
    if pm.frames > 1 {
        notes.push(format!(
            "{} frames; z axis is the frame (time) index",
            pm.frames
        ));
        if let Some(times) = frame_times(ds, pm.frames, notes) {
            img.meta.frame_times_ms = Some(frame_sel.iter().map(|&f| times[f]).collect());
        }
        if let Some(f) = opts.frame {
            notes.push(format!("frame {f} of {} read", pm.frames));
        }
    }
    img.meta.notes = std::mem::take(notes);
    Ok(img)
}

/// A PALETTE COLOR lookup table: first mapped value and R, G, B entries.
struct Palette {
    first: f64,
    lut: [Vec<f32>; 3],
    bits: u16,
}

/// Reads the red/green/blue palette descriptors and data (segmented palettes are refused).
fn read_palette(ds: &DataSet<'_>) -> std::result::Result<Palette, String> {
    let mut lut: [Vec<f32>; 3] = Default::default();
    let mut first = 0.0;
    let mut bits = 0;
    for (c, l) in lut.iter_mut().enumerate() {
        let c = c as u16;
        if ds.bytes(tag(0x0028, 0x1221 + c)).is_some() {
            return Err("segmented palettes are not supported".into());
        }
        let desc = ds
            .bytes(tag(0x0028, 0x1101 + c))
            .filter(|d| d.len() >= 6)
            .ok_or("no palette descriptor")?;
        let w = |i: usize| {
            let a = [desc[2 * i], desc[2 * i + 1]];
            if ds.big_endian {
                u16::from_be_bytes(a)
            } else {
                u16::from_le_bytes(a)
            }
        };
        let n = if w(0) == 0 { 65536 } else { w(0) as usize };
        // The first mapped value is US or SS depending on the pixel representation.
        first = if ds.us(tag(0x0028, 0x0103)) == Some(1) {
            w(1) as i16 as f64
        } else {
            w(1) as f64
        };
        bits = w(2);
        let data = ds.bytes(tag(0x0028, 0x1201 + c)).ok_or("no palette data")?;
        *l = if data.len() >= 2 * n {
            data.chunks_exact(2)
                .take(n)
                .map(|b| {
                    let a = [b[0], b[1]];
                    let v = if ds.big_endian {
                        u16::from_be_bytes(a)
                    } else {
                        u16::from_le_bytes(a)
                    };
                    // 8-bit entries stored in 16-bit words keep their value in the low byte.
                    f32::from(if bits == 8 { v & 0xFF } else { v })
                })
                .collect()
        } else if bits == 8 && data.len() >= n {
            data[..n].iter().map(|&b| f32::from(b)).collect()
        } else {
            return Err(format!(
                "palette data hold {} bytes for {n} entries",
                data.len()
            ));
        };
    }
    Ok(Palette { first, lut, bits })
}

/// Maps stored indices through the palette to RGB, then to one value per pixel.
fn apply_palette(
    idx: &[f32],
    pal: &Palette,
    opts: &ReadOptions,
    notes: &mut Vec<String>,
) -> Result<Vec<f32>> {
    let mut rgb = Vec::with_capacity(idx.len() * 3);
    for &v in idx {
        for l in &pal.lut {
            let k = (v as f64 - pal.first).clamp(0.0, (l.len() - 1) as f64) as usize;
            rgb.push(l[k]);
        }
    }
    notes.push(format!(
        "PALETTE COLOR mapped through its {}-bit lookup tables",
        pal.bits
    ));
    to_scalar(&rgb, 3, opts.colour, notes)
}

/// Stored monochrome values of one frame: bits stored / high bit extracted, sign extended,
/// MONOCHROME1 inverted.
fn mono_frame(fb: &[u8], pm: &PixelModule, big_endian: bool) -> Vec<f32> {
    let shift = pm.high_bit + 1 - pm.bits_stored;
    let bits = pm.bits_stored;
    let mask: u64 = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let invert = pm.photometric == "MONOCHROME1";
    let conv = |raw: u64| -> f32 {
        let u = (raw >> shift) & mask;
        let v: i64 = if pm.signed && bits < 64 && (u >> (bits - 1)) & 1 == 1 {
            u as i64 - (1i64 << bits)
        } else {
            u as i64
        };
        let v = if invert {
            if pm.signed {
                -1 - v
            } else {
                mask as i64 - v
            }
        } else {
            v
        };
        v as f32
    };
    match pm.bits_alloc {
        8 => fb.iter().map(|&b| conv(b as u64)).collect(),
        16 => fb
            .chunks_exact(2)
            .map(|c| {
                let a = [c[0], c[1]];
                conv(if big_endian {
                    u16::from_be_bytes(a)
                } else {
                    u16::from_le_bytes(a)
                } as u64)
            })
            .collect(),
        _ => fb
            .chunks_exact(4)
            .map(|c| {
                let a = [c[0], c[1], c[2], c[3]];
                conv(if big_endian {
                    u32::from_be_bytes(a)
                } else {
                    u32::from_le_bytes(a)
                } as u64)
            })
            .collect(),
    }
}

/// Decodes one RLE Lossless frame (PS3.5 Annex G) into native little-endian, interleaved bytes.
fn rle_frame(frag: &[u8], pm: &PixelModule) -> std::result::Result<Vec<u8>, String> {
    let npix = pm.rows * pm.cols;
    let bps = pm.bits_alloc / 8;
    let nseg = pm.samples * bps;
    let word = |o: usize| -> Option<usize> {
        let b = frag.get(o..o + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let count = word(0).ok_or("RLE header truncated")?;
    if count != nseg {
        return Err(format!("{count} segments, {nseg} expected"));
    }
    let mut out = vec![0u8; npix * nseg];
    for seg in 0..nseg {
        let start = word(4 + 4 * seg).ok_or("RLE header truncated")?;
        let end = if seg + 1 < nseg {
            word(8 + 4 * seg).ok_or("RLE header truncated")?
        } else {
            frag.len()
        };
        let src = frag
            .get(start..end.min(frag.len()))
            .filter(|_| start >= 64)
            .ok_or("bad RLE segment offset")?;
        let (sample, byte) = (seg / bps, seg % bps);
        // Segment order: most significant byte first; output little endian, interleaved.
        let stride = nseg;
        let offset = sample * bps + (bps - 1 - byte);
        let mut i = 0usize; // pixel index
        let mut p = 0usize;
        while i < npix && p < src.len() {
            let n = src[p] as i8;
            p += 1;
            if n >= 0 {
                let len = n as usize + 1;
                let run = src.get(p..p + len).ok_or("literal run past segment end")?;
                for &b in run.iter().take(npix - i) {
                    out[i * stride + offset] = b;
                    i += 1;
                }
                p += len;
            } else if n != -128 {
                let len = 1 - n as isize;
                let b = *src.get(p).ok_or("replicate run past segment end")?;
                p += 1;
                for _ in 0..(len as usize).min(npix - i) {
                    out[i * stride + offset] = b;
                    i += 1;
                }
            }
        }
        if i < npix {
            return Err(format!("segment {seg} decodes to {i} of {npix} bytes"));
        }
    }
    Ok(out)
}

/// Full-range BT.601 YCbCr -> RGB, rounded and clipped to 0..=255 (as pydicom).
fn ybr_to_rgb(y: f64, cb: f64, cr: f64) -> [f32; 3] {
    let r = y + 1.402 * (cr - 128.0);
    let g = y - 0.344136 * (cb - 128.0) - 0.714136 * (cr - 128.0);
    let b = y + 1.772 * (cb - 128.0);
    [r, g, b].map(|v| v.round().clamp(0.0, 255.0) as f32)
}

/// Interleaved RGB samples of one native 8-bit colour frame.
fn colour_frame_native(fb: &[u8], pm: &PixelModule) -> Vec<f32> {
    let npix = pm.rows * pm.cols;
    let mut out = Vec::with_capacity(npix * 3);
    if pm.photometric == "YBR_FULL_422" {
        for c in fb.chunks_exact(4) {
            let (cb, cr) = (c[2] as f64, c[3] as f64);
            out.extend_from_slice(&ybr_to_rgb(c[0] as f64, cb, cr));
            out.extend_from_slice(&ybr_to_rgb(c[1] as f64, cb, cr));
        }
        return out;
    }
    let px = |i: usize| -> [u8; 3] {
        if pm.planar {
            [fb[i], fb[npix + i], fb[2 * npix + i]]
        } else {
            [fb[3 * i], fb[3 * i + 1], fb[3 * i + 2]]
        }
    };
    for i in 0..npix {
        let [a, b, c] = px(i);
        if pm.photometric == "YBR_FULL" {
            out.extend_from_slice(&ybr_to_rgb(a as f64, b as f64, c as f64));
        } else {
            out.extend_from_slice(&[a as f32, b as f32, c as f32]);
        }
    }
    out
}

/// Splits encapsulated fragments (first = basic offset table) into one JPEG stream per frame.
fn split_frames(frags: &[&[u8]], frames: usize) -> Option<Vec<Vec<u8>>> {
    let (_bot, data) = frags.split_first()?;
    if data.is_empty() {
        return None;
    }
    if frames == 1 {
        return Some(vec![data.concat()]);
    }
    if data.len() == frames {
        return Some(data.iter().map(|f| f.to_vec()).collect());
    }
    // Group fragments until one ends with the JPEG end-of-image marker (ignoring padding).
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for f in data {
        cur.extend_from_slice(f);
        let mut end = cur.len();
        while end > 0 && cur[end - 1] == 0 {
            end -= 1;
        }
        if end >= 2 && cur[end - 2..end] == [0xFF, 0xD9] {
            out.push(std::mem::take(&mut cur));
        }
    }
    (out.len() == frames && cur.is_empty()).then_some(out)
}

fn geometry(ds: &DataSet<'_>, img: &mut Image, notes: &mut Vec<String>) {
    let pair = |v: Option<Vec<f64>>| {
        v.filter(|v| v.len() >= 2 && v[..2].iter().all(|x| x.is_finite() && *x > 0.0))
    };
    let shared_measures = ds
        .seq(tag(0x5200, 0x9229))
        .and_then(|s| s.first())
        .and_then(|g| g.seq(tag(0x0028, 0x9110)))
        .and_then(|s| s.first())
        .and_then(|m| pair(m.numbers(tag(0x0028, 0x0030))));
    if let Some(ps) = pair(ds.numbers(tag(0x0028, 0x0030))) {
        img.spacing = [ps[1], ps[0], 1.0];
        notes.push("spacing from Pixel Spacing (0028,0030)".into());
    } else if let Some(ps) = pair(ds.numbers(tag(0x0018, 0x1164))) {
        img.spacing = [ps[1], ps[0], 1.0];
        notes.push("spacing from Imager Pixel Spacing (0018,1164) (at the detector)".into());
    } else if let Some(ps) = shared_measures {
        img.spacing = [ps[1], ps[0], 1.0];
        notes.push("spacing from Shared Functional Groups Pixel Measures".into());
    } else if let Some((sx, sy, k)) = ds.seq(tag(0x0018, 0x6011)).and_then(|regions| {
        regions.iter().enumerate().find_map(|(k, r)| {
            let cm = r.us(tag(0x0018, 0x6024)) == Some(3) && r.us(tag(0x0018, 0x6026)) == Some(3);
            let dx = r.fd(tag(0x0018, 0x602C))?;
            let dy = r.fd(tag(0x0018, 0x602E))?;
            (cm && dx > 0.0 && dy > 0.0 && dx.is_finite() && dy.is_finite()).then_some((
                dx * 10.0,
                dy * 10.0,
                k,
            ))
        })
    }) {
        img.spacing = [sx, sy, 1.0];
        notes.push(format!(
            "spacing from ultrasound region {k} calibration (Physical Delta X/Y, cm -> mm)"
        ));
    } else {
        notes.push("no pixel spacing in file: spacing 1 (pixels)".into());
    }
    if let Some(o) = ds
        .numbers(tag(0x0020, 0x0032))
        .filter(|o| o.len() == 3 && o.iter().all(|v| v.is_finite()))
    {
        img.origin = [o[0], o[1], o[2]];
    }
    if let Some(d) = ds
        .numbers(tag(0x0020, 0x0037))
        .filter(|d| d.len() == 6 && d.iter().all(|v| v.is_finite()))
    {
        let r = [d[0], d[1], d[2]];
        let c = [d[3], d[4], d[5]];
        let n = [
            r[1] * c[2] - r[2] * c[1],
            r[2] * c[0] - r[0] * c[2],
            r[0] * c[1] - r[1] * c[0],
        ];
        if n.iter().map(|v| v * v).sum::<f64>() > 0.5 {
            for i in 0..3 {
                img.direction[3 * i] = r[i];
                img.direction[3 * i + 1] = c[i];
                img.direction[3 * i + 2] = n[i] + 0.0; // no negative zeros
            }
        }
    }
}

/// Time of each frame relative to the first, in ms.
fn frame_times(ds: &DataSet<'_>, frames: usize, notes: &mut Vec<String>) -> Option<Vec<f64>> {
    if let Some(v) = ds.numbers(tag(0x0018, 0x1065)) {
        if v.len() == frames && v.iter().all(|x| x.is_finite()) {
            let mut t = 0.0;
            let out: Vec<f64> = v
                .iter()
                .enumerate()
                .map(|(k, d)| {
                    if k > 0 {
                        t += d;
                    }
                    t
                })
                .collect();
            notes.push("frame times from Frame Time Vector (0018,1065), cumulative".into());
            return Some(out);
        }
        notes.push(format!(
            "Frame Time Vector has {} entries for {frames} frames: ignored",
            v.len()
        ));
    }
    if let Some(ft) = ds
        .number(tag(0x0018, 0x1063))
        .filter(|f| f.is_finite() && *f > 0.0)
    {
        notes.push(format!("frame times from Frame Time (0018,1063) = {ft} ms"));
        return Some((0..frames).map(|k| k as f64 * ft).collect());
    }
    None
}
