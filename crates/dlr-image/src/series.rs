//! A folder of single-frame DICOM slices (one CT/MR series) read as one 3D image.
//!
//! Slices are ordered along the slice normal (the cross product of the Image Orientation row
//! and column directions) by their Image Position (Patient); without positions, by Instance
//! Number, then file name (z spacing 1, with a note). The z spacing is the distance between
//! consecutive positions; a non-uniform spacing (> 1 % or 0.01 mm off the mean — e.g. a missing
//! slice) or two slices at one position is an error, as are mixed series, sizes or orientations.
//! Rescale is applied per slice (it may differ between slices).

use crate::dicom::decode_slice;
use crate::error::{ImageError, Result};
use crate::format::{format_from_extension, format_from_magic, Format};
use crate::limits::{read_file, ReadLimits};
use crate::read::ReadOptions;
use crate::sample::MAX_VOXELS;
use crate::types::Image;
use std::path::{Path, PathBuf};

fn invalid(dir: &Path, msg: String) -> ImageError {
    ImageError::Invalid(format!("{}: {msg}", dir.display()))
}

/// Reads every DICOM file in `dir` (not recursive; other files are skipped) as one series, under
/// the default [`ReadLimits`].
pub fn read_dicom_series(dir: &Path, opts: &ReadOptions) -> Result<Image> {
    read_dicom_series_with_limits(dir, opts, &ReadLimits::default())
}

/// [`read_dicom_series`] under the given limits: each slice is checked, and so is the running
/// total (slices held plus the stacked copy, 8 bytes a voxel) before the next slice is read.
pub fn read_dicom_series_with_limits(
    dir: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    let io = |source| ImageError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !name.starts_with('.') && !name.eq_ignore_ascii_case("DICOMDIR")
        })
        .collect();
    paths.sort();
    let slice_opts = ReadOptions {
        colour: opts.colour,
        frame: None,
    };
    let mut slices = Vec::new();
    let mut voxels = 0u64;
    for p in &paths {
        let bytes = read_file(p, limits)?;
        let is_dicom = match format_from_extension(p) {
            Some(f) => f == Format::Dicom,
            None => format_from_magic(&bytes) == Some(Format::Dicom),
        };
        if !is_dicom {
            continue;
        }
        let (img, info) = decode_slice(&bytes, p, &slice_opts, limits)?;
        voxels = voxels.saturating_add(img.len() as u64);
        limits.check(
            dir,
            &format!("{} slices of {:?} voxels", slices.len() + 1, img.dims()),
            voxels,
            voxels.saturating_mul(8),
        )?;
        if info.frames != 1 || img.dims()[2] != 1 {
            return Err(invalid(
                dir,
                format!(
                    "{} is a multi-frame file; a series folder holds single-frame slices",
                    p.display()
                ),
            ));
        }
        slices.push((p.clone(), img, info));
    }
    let Some((_, first, first_info)) = slices.first() else {
        return Err(invalid(dir, "no DICOM files in the folder".into()));
    };
    let uid = first_info.series_uid.clone();
    if let Some((p, _, _)) = slices.iter().find(|(_, _, i)| i.series_uid != uid) {
        return Err(invalid(
            dir,
            format!(
                "more than one series ({} differs from {}); put each series in its own folder",
                p.display(),
                slices[0].0.display()
            ),
        ));
    }
    let dims = first.dims();
    let dir0 = first.direction;
    for (p, img, _) in &slices {
        if img.dims() != dims {
            return Err(invalid(
                dir,
                format!(
                    "{} is {:?}, {} is {:?}",
                    p.display(),
                    img.dims(),
                    slices[0].0.display(),
                    dims
                ),
            ));
        }
        if img
            .direction
            .iter()
            .zip(&dir0)
            .any(|(a, b)| (a - b).abs() > 1e-4)
        {
            return Err(invalid(
                dir,
                format!("{} has another orientation", p.display()),
            ));
        }
        if img.spacing[..2]
            .iter()
            .zip(&first.spacing[..2])
            .any(|(a, b)| (a - b).abs() > 1e-6 * b.abs().max(1.0))
        {
            return Err(invalid(
                dir,
                format!("{} has another pixel spacing", p.display()),
            ));
        }
    }
    let n = slices.len();
    if dims[0].saturating_mul(dims[1]).saturating_mul(n) > MAX_VOXELS {
        return Err(invalid(
            dir,
            format!(
                "{n} slices of {}x{} exceed {MAX_VOXELS} voxels",
                dims[0], dims[1]
            ),
        ));
    }
    let normal = [dir0[2], dir0[5], dir0[8]];
    let all_positions = slices.iter().all(|(_, _, i)| i.has_position);
    let mut notes = vec![format!("DICOM series of {n} slices")];
    let mut dz = 1.0;
    if all_positions {
        let proj = |img: &Image| (0..3).map(|k| img.origin[k] * normal[k]).sum::<f64>();
        slices.sort_by(|a, b| proj(&a.1).total_cmp(&proj(&b.1)));
        let d: Vec<f64> = slices
            .windows(2)
            .map(|w| proj(&w[1].1) - proj(&w[0].1))
            .collect();
        if let Some(i) = d.iter().position(|&x| x.abs() < 1e-6) {
            return Err(invalid(
                dir,
                format!(
                    "{} and {} lie at the same position",
                    slices[i].0.display(),
                    slices[i + 1].0.display()
                ),
            ));
        }
        if !d.is_empty() {
            let mean = d.iter().sum::<f64>() / d.len() as f64;
            let (lo, hi) = d
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
            let tol = (0.01 * mean).max(0.01);
            if hi - mean > tol || mean - lo > tol {
                return Err(invalid(
                    dir,
                    format!("slice spacing is not uniform ({lo:.4} to {hi:.4} mm): a missing slice or a tilted gantry?"),
                ));
            }
            dz = mean;
        }
        notes.push("slices ordered by Image Position (Patient) along the slice normal".into());
    } else {
        slices.sort_by(|a, b| {
            let ka = a.2.instance_number.unwrap_or(f64::MAX);
            let kb = b.2.instance_number.unwrap_or(f64::MAX);
            ka.total_cmp(&kb).then_with(|| a.0.cmp(&b.0))
        });
        notes.push(
            "no Image Position (Patient): slices ordered by Instance Number, z spacing 1".into(),
        );
    }
    let mut data = Vec::with_capacity(dims[0] * dims[1] * n);
    for (_, img, _) in &slices {
        data.extend_from_slice(img.data());
    }
    let first = &slices[0].1;
    let mut out = Image::new(data, [dims[0], dims[1], n])?;
    out.spacing = [first.spacing[0], first.spacing[1], dz];
    out.origin = first.origin;
    out.direction = first.direction;
    out.meta = first.meta.clone();
    out.meta.source = Some(dir.to_path_buf());
    out.meta.format = Some("dicom".into());
    notes.extend(first.meta.notes.iter().cloned());
    out.meta.notes = notes;
    match opts.frame {
        None => Ok(out),
        Some(k) => {
            let mut s = out.slice_z(k)?;
            s.meta.notes.push(format!("slice {k} of {n} read"));
            Ok(s)
        }
    }
}
