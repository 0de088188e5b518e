//! NRRD images (`.nrrd` with attached data, `.nhdr` with a detached data file): raw, gzip and
//! ASCII encodings, every scalar type, either byte order, `sizes`, `space directions`,
//! `space origin`, `spacings`, `byte skip`, `line skip`.
//!
//! Geometry is returned in LPS like ITK: a `space` of RAS or LAS is converted (axes negated);
//! spacing is the length of each space direction, direction columns the unit vectors.

use crate::error::{ImageError, Result};
use crate::limits::{read_file, ReadLimits};
use crate::read::ReadOptions;
use crate::sample::{decode_samples, gunzip_limited, voxel_count, SampleType};
use crate::types::Image;
use std::collections::HashMap;
use std::path::Path;

const FMT: &str = "nrrd";

fn sample_type(t: &str) -> Option<SampleType> {
    Some(match t {
        "signed char" | "int8" | "int8_t" => SampleType::I8,
        "uchar" | "unsigned char" | "uint8" | "uint8_t" => SampleType::U8,
        "short" | "short int" | "signed short" | "signed short int" | "int16" | "int16_t" => {
            SampleType::I16
        }
        "ushort" | "unsigned short" | "unsigned short int" | "uint16" | "uint16_t" => {
            SampleType::U16
        }
        "int" | "signed int" | "int32" | "int32_t" => SampleType::I32,
        "uint" | "unsigned int" | "uint32" | "uint32_t" => SampleType::U32,
        "longlong"
        | "long long"
        | "long long int"
        | "signed long long"
        | "signed long long int"
        | "int64"
        | "int64_t" => SampleType::I64,
        "ulonglong" | "unsigned long long" | "unsigned long long int" | "uint64" | "uint64_t" => {
            SampleType::U64
        }
        "float" => SampleType::F32,
        "double" => SampleType::F64,
        _ => return None,
    })
}

/// Parses `(a,b,c)` vectors separated by spaces; `none` gives `None`.
fn parse_vectors(s: &str) -> Option<Vec<Option<Vec<f64>>>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("none") {
            out.push(None);
            rest = r.trim_start();
            continue;
        }
        let r = rest.strip_prefix('(')?;
        let end = r.find(')')?;
        let v: Option<Vec<f64>> = r[..end]
            .split(',')
            .map(|x| x.trim().parse::<f64>().ok())
            .collect();
        out.push(Some(v?));
        rest = r[end + 1..].trim_start();
    }
    Some(out)
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
    let unsupported = |what: String, hint: &str| ImageError::Unsupported {
        path: path.to_path_buf(),
        what,
        hint: hint.into(),
    };
    if !bytes.starts_with(b"NRRD000") {
        return Err(err("missing NRRD000x magic line".into()));
    }
    // Header: lines up to the first empty line (or end of file for a detached header).
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut pos = 0usize;
    let mut first = true;
    loop {
        let Some(nl) = bytes[pos..].iter().position(|&b| b == b'\n') else {
            pos = bytes.len();
            break;
        };
        let line = &bytes[pos..pos + nl];
        pos += nl + 1;
        let line = std::str::from_utf8(line)
            .map_err(|_| err("header line is not UTF-8".into()))?
            .trim_end_matches('\r');
        if first {
            first = false;
            continue;
        }
        if line.is_empty() {
            break;
        }
        if line.starts_with('#') || line.contains(":=") {
            continue;
        }
        if let Some((k, v)) = line.split_once(": ") {
            fields.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        } else {
            return Err(err(format!("malformed header line {line:?}")));
        }
        if fields.len() > 200 {
            return Err(err("too many header fields".into()));
        }
    }
    let get = |k: &str| fields.get(k).map(String::as_str);
    let ty_name = get("type").ok_or_else(|| err("no 'type' field".into()))?;
    let ty = sample_type(ty_name).ok_or_else(|| {
        unsupported(
            format!("NRRD type {ty_name:?}"),
            "use an integer or float scalar type",
        )
    })?;
    let ndim: usize = get("dimension")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| err("missing or bad 'dimension' field".into()))?;
    let sizes: Vec<usize> = get("sizes")
        .ok_or_else(|| err("no 'sizes' field".into()))?
        .split_whitespace()
        .map(|v| v.parse::<usize>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| err("bad 'sizes' field".into()))?;
    if sizes.len() != ndim || !(1..=4).contains(&ndim) {
        return Err(unsupported(
            format!("NRRD with dimension {ndim} and sizes {sizes:?}"),
            "scalar 1D-3D images (or 4D with one frame chosen) only",
        ));
    }
    let kinds: Vec<String> = get("kinds")
        .map(|k| k.split_whitespace().map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    if let Some(k) = kinds.iter().position(|k| {
        matches!(
            k.as_str(),
            "vector"
                | "rgb-color"
                | "rgba-color"
                | "3-color"
                | "4-color"
                | "covariant-vector"
                | "complex"
                | "list"
                | "point"
                | "normal"
        )
    }) {
        if sizes[k] != 1 {
            return Err(unsupported(
                format!("non-scalar NRRD axis {k} of kind {:?}", kinds[k]),
                "extract one component into a scalar image first",
            ));
        }
    }
    let big_endian = match get("endian") {
        Some("big") => true,
        Some("little") | None => false,
        Some(o) => return Err(err(format!("bad endian {o:?}"))),
    };
    let mut notes = vec![format!("NRRD {ty_name}")];
    let mut d = [1usize; 4];
    d[..ndim].copy_from_slice(&sizes);
    // One volume (decoded samples + f32 voxels) must fit the limits before anything else.
    let bpv = ty.size() as u64 + 4;
    limits.check_dims(path, &[d[0], d[1], d[2]].map(|v| v as u64), bpv)?;
    let total = voxel_count([d[0], d[1], d[2].saturating_mul(d[3])], path, FMT)?;
    let vol = d[0] * d[1] * d[2];
    let (first_vol, dims) = if d[3] == 1 {
        if matches!(opts.frame, Some(f) if f != 0) {
            return Err(ImageError::Invalid(format!(
                "{}: frame {:?} requested but the file holds one volume",
                path.display(),
                opts.frame
            )));
        }
        (0, [d[0], d[1], d[2]])
    } else if let Some(f) = opts.frame {
        if f >= d[3] {
            return Err(ImageError::Invalid(format!(
                "{}: frame {f} requested but the file holds {} volumes",
                path.display(),
                d[3]
            )));
        }
        notes.push(format!("volume {f} of {} read", d[3]));
        (f, [d[0], d[1], d[2]])
    } else if d[2] == 1 {
        notes.push(format!("2D+t series: {} frames stacked along z", d[3]));
        (0, [d[0], d[1], d[3]])
    } else {
        return Err(unsupported(
            format!("4D NRRD with {} volumes", d[3]),
            "choose one volume with ReadOptions.frame",
        ));
    };
    limits.check_dims(path, &dims.map(|v| v as u64), bpv)?;
    let n = dims[0] * dims[1] * dims[2];

    // Data bytes: attached after the blank line, or in a detached file.
    let detached;
    let data: &[u8] = match get("data file").or_else(|| get("datafile")) {
        None => &bytes[pos.min(bytes.len())..],
        Some(name) => {
            if name.starts_with("LIST") || name.split_whitespace().count() > 1 {
                return Err(unsupported(
                    "NRRD with multiple detached data files".into(),
                    "merge the data into one file",
                ));
            }
            let Some(dir) = path.parent().filter(|_| path != Path::new("<memory>")) else {
                return Err(unsupported(
                    "detached NRRD data read from memory".into(),
                    "read the header from its file so the data file can be found",
                ));
            };
            let dp = dir.join(name);
            detached = read_file(&dp, limits)?;
            &detached
        }
    };
    let line_skip: usize = get("line skip")
        .or_else(|| get("lineskip"))
        .map_or(Ok(0), |v| {
            v.parse().map_err(|_| err("bad 'line skip'".into()))
        })?;
    let mut data = data;
    for _ in 0..line_skip {
        let nl = data
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| err("line skip beyond end of data".into()))?;
        data = &data[nl + 1..];
    }
    let byte_skip: i64 = get("byte skip")
        .or_else(|| get("byteskip"))
        .map_or(Ok(0), |v| {
            v.parse().map_err(|_| err("bad 'byte skip'".into()))
        })?;
    let encoding = get("encoding").unwrap_or("raw").to_ascii_lowercase();
    let start = first_vol * vol * ty.size();
    let nbytes = n * ty.size();
    let skip_bytes = |buf: &[u8], full: usize| -> Result<usize> {
        match byte_skip {
            -1 => buf
                .len()
                .checked_sub(full)
                .ok_or_else(|| err("byte skip -1 but the data are too short".into())),
            s if s >= 0 => Ok(s as usize),
            s => Err(err(format!("bad byte skip {s}"))),
        }
    };
    let full = total * ty.size();
    let mut voxels = match encoding.as_str() {
        "raw" => {
            let off = skip_bytes(data, full)?;
            let raw = data
                .get(off.saturating_add(start).min(data.len())..)
                .unwrap_or_default();
            decode_samples(raw, ty, big_endian, n).ok_or_else(|| {
                err(format!(
                    "data truncated: {nbytes} bytes needed, {} present",
                    raw.len()
                ))
            })?
        }
        "gzip" | "gz" => {
            if byte_skip == -1 {
                return Err(err("byte skip -1 is not allowed with gzip encoding".into()));
            }
            let off = byte_skip.max(0) as usize;
            // Every volume is inflated, also when one is chosen.
            let inflated = off.saturating_add(full) as u64;
            limits.check_inflated(path, inflated, n as u64)?;
            let buf = gunzip_limited(data, off.saturating_add(full), path, FMT)?;
            let raw = buf
                .get(off.saturating_add(start).min(buf.len())..)
                .unwrap_or_default();
            decode_samples(raw, ty, big_endian, n).ok_or_else(|| {
                err(format!(
                    "gzip data truncated: {nbytes} bytes needed, {} present",
                    raw.len()
                ))
            })?
        }
        "ascii" | "text" | "txt" => {
            let text = std::str::from_utf8(data).map_err(|_| err("ASCII data not UTF-8".into()))?;
            let mut out = Vec::with_capacity(n.min(data.len() / 2 + 1));
            for tok in text
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|t| !t.is_empty())
                .skip(first_vol * vol)
                .take(n)
            {
                out.push(
                    tok.parse::<f64>()
                        .map_err(|_| err(format!("bad ASCII value {tok:?}")))?
                        as f32,
                );
            }
            if out.len() != n {
                return Err(err(format!("ASCII data hold {} of {n} values", out.len())));
            }
            out
        }
        other => {
            return Err(unsupported(
                format!("NRRD encoding {other:?}"),
                "re-save with raw or gzip encoding",
            ))
        }
    };
    let _ = &mut voxels;
    if !ty.exact_in_f32() {
        notes.push(format!(
            "{} values stored as f32 (may round beyond 2^24)",
            ty.name()
        ));
    }

    // Geometry.
    let mut spacing = [1.0f64; 3];
    let mut direction = crate::types::IDENTITY_DIRECTION;
    let mut origin = [0.0f64; 3];
    let space = get("space").map(str::to_ascii_lowercase);
    let flip: [f64; 3] = match space.as_deref() {
        Some("right-anterior-superior") | Some("ras") => [-1.0, -1.0, 1.0],
        Some("left-anterior-superior") | Some("las") => [1.0, -1.0, 1.0],
        _ => [1.0, 1.0, 1.0],
    };
    if flip != [1.0; 3] {
        notes.push("RAS/LAS space converted to LPS".into());
    }
    if let Some(sd) = get("space directions") {
        let vecs = parse_vectors(sd).ok_or_else(|| err(format!("bad space directions {sd:?}")))?;
        let spatial: Vec<Vec<f64>> = vecs.into_iter().flatten().collect();
        for (c, v) in spatial.iter().take(3).enumerate() {
            if v.iter().any(|x| !x.is_finite()) || v.len() > 3 {
                return Err(err(format!("bad space direction {v:?}")));
            }
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                spacing[c] = norm;
                for r in 0..3 {
                    direction[3 * r + c] = v.get(r).copied().unwrap_or(0.0) / norm * flip[r] + 0.0;
                }
            }
        }
    } else if let Some(sp) = get("spacings") {
        for (c, t) in sp.split_whitespace().take(3).enumerate() {
            if let Ok(v) = t.parse::<f64>() {
                if v.is_finite() && v > 0.0 {
                    spacing[c] = v;
                }
            }
        }
    }
    if let Some(so) = get("space origin") {
        let v = parse_vectors(so)
            .and_then(|v| v.into_iter().next().flatten())
            .ok_or_else(|| err(format!("bad space origin {so:?}")))?;
        for (r, x) in v.iter().take(3).enumerate() {
            origin[r] = x * flip[r] + 0.0;
        }
    }
    let mut img = Image::new(voxels, dims)?;
    img.spacing = spacing;
    img.origin = origin;
    img.direction = direction;
    img.meta.bits_stored = Some((ty.size() * 8) as u16);
    img.meta.notes = notes;
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        let v = parse_vectors("(1,0,0) none (0, -2.5,0)").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v[1], None);
        assert_eq!(v[2], Some(vec![0.0, -2.5, 0.0]));
        assert!(parse_vectors("(1,0").is_none());
    }
}
