//! Image and mask interpolation to a new voxel spacing with IBSI grid-centre alignment
//! (IBSI-1 §2.3): `n_new = ceil(n · s / s_new)`, and the new grid's centre coincides with the
//! old grid's centre. Intensities are interpolated (bi/tri)linearly or by a cubic B-spline
//! (IBSI configuration E), positions outside the old grid take the nearest edge value; the ROI
//! mask is always interpolated linearly and thresholded.
//!
//! The cubic spline is the one of `scipy.ndimage.map_coordinates(order=3, mode="nearest")`,
//! which MIRP (an IBSI reference implementation) uses: the image is padded by 12 edge values
//! per side, turned into B-spline coefficients by the recursive prefilter (pole √3 − 2,
//! half-sample-symmetric boundary), and the spline is evaluated at the new positions. It is
//! separable, so it runs one axis at a time (prefilter + evaluate along x, then y, then z),
//! which equals the tensor-product evaluation up to rounding. An axis whose spacing is kept
//! is left untouched (the interpolating spline passes through the samples).

use crate::error::Result;
use crate::settings::{Interpolation, InterpolationMethod};
use dlr_image::{Image, Mask};

/// Positions (in old voxel index units) of the new grid along one axis, and the new spacing.
fn axis(n: usize, s: f64, s_new: f64) -> (Vec<f64>, f64) {
    if s_new <= 0.0 || s_new == s {
        return ((0..n).map(|i| i as f64).collect(), s);
    }
    let n_new = ((n as f64 * s / s_new) - 1e-9).ceil().max(1.0) as usize;
    let start = (s * (n as f64 - 1.0) - s_new * (n_new as f64 - 1.0)) / (2.0 * s);
    (
        (0..n_new).map(|i| start + i as f64 * s_new / s).collect(),
        s_new,
    )
}

/// Index pair and weight of a linear interpolation at position `p` on an axis of length `n`.
fn lerp_at(p: f64, n: usize) -> (usize, usize, f64) {
    let p = p.clamp(0.0, (n - 1) as f64);
    let i0 = p.floor() as usize;
    let i1 = (i0 + 1).min(n - 1);
    (i0, i1, p - i0 as f64)
}

fn resample(data: &[f64], dims: [usize; 3], pos: &[Vec<f64>; 3]) -> Vec<f64> {
    let [nx, ny, _] = dims;
    let xs: Vec<_> = pos[0].iter().map(|&p| lerp_at(p, dims[0])).collect();
    let ys: Vec<_> = pos[1].iter().map(|&p| lerp_at(p, dims[1])).collect();
    let zs: Vec<_> = pos[2].iter().map(|&p| lerp_at(p, dims[2])).collect();
    let mut out = Vec::with_capacity(xs.len() * ys.len() * zs.len());
    let at = |x: usize, y: usize, z: usize| data[x + nx * (y + ny * z)];
    for &(z0, z1, wz) in &zs {
        for &(y0, y1, wy) in &ys {
            for &(x0, x1, wx) in &xs {
                let c00 = at(x0, y0, z0) * (1.0 - wx) + at(x1, y0, z0) * wx;
                let c10 = at(x0, y1, z0) * (1.0 - wx) + at(x1, y1, z0) * wx;
                let c01 = at(x0, y0, z1) * (1.0 - wx) + at(x1, y0, z1) * wx;
                let c11 = at(x0, y1, z1) * (1.0 - wx) + at(x1, y1, z1) * wx;
                let c0 = c00 * (1.0 - wy) + c10 * wy;
                let c1 = c01 * (1.0 - wy) + c11 * wy;
                out.push(c0 * (1.0 - wz) + c1 * wz);
            }
        }
    }
    out
}

/// Edge values added on each side before the spline prefilter (as scipy's `mode="nearest"`).
const SPLINE_PAD: usize = 12;
/// Pole of the cubic B-spline prefilter, √3 − 2.
const CUBIC_POLE: f64 = -0.267_949_192_431_122_7;

/// Turns samples into cubic B-spline coefficients in place (Unser's recursive filter with a
/// half-sample-symmetric boundary, as scipy's `spline_filter1d` for `mode="nearest"`).
fn cubic_prefilter(c: &mut [f64]) {
    let n = c.len();
    if n < 2 {
        return;
    }
    let z = CUBIC_POLE;
    let gain = (1.0 - z) * (1.0 - 1.0 / z);
    for v in c.iter_mut() {
        *v *= gain;
    }
    // Causal initial value over one period of the symmetric extension.
    let c0 = c[0];
    let zn = z.powi(n as i32);
    let mut zi = z;
    let mut acc = c[0] + zn * c[n - 1];
    for i in 1..n {
        acc += zi * (c[i] + zn * c[n - 1 - i]);
        zi *= z;
    }
    c[0] = acc * z / (1.0 - zn * zn) + c0;
    for i in 1..n {
        c[i] += z * c[i - 1];
    }
    c[n - 1] *= z / (z - 1.0);
    for i in (0..n - 1).rev() {
        c[i] = z * (c[i + 1] - c[i]);
    }
}

/// First coefficient index and the four cubic B-spline weights at position `p` (old index
/// units) on a padded line of length `len`; indices are clamped into the line.
fn cubic_taps(p: f64, len: usize) -> ([usize; 4], [f64; 4]) {
    let x = p + SPLINE_PAD as f64;
    let f = x.floor();
    let t = x - f;
    let t2 = t * t;
    let t3 = t2 * t;
    let w = [
        (1.0 - t).powi(3) / 6.0,
        (3.0 * t3 - 6.0 * t2 + 4.0) / 6.0,
        (-3.0 * t3 + 3.0 * t2 + 3.0 * t + 1.0) / 6.0,
        t3 / 6.0,
    ];
    let last = len as i64 - 1;
    let base = f as i64 - 1;
    let idx = [0, 1, 2, 3].map(|k| (base + k).clamp(0, last) as usize);
    (idx, w)
}

/// Cubic-spline resampling of `data` (dims `dims`) along one axis to `positions`.
fn cubic_along(data: &[f64], dims: [usize; 3], axis: usize, positions: &[f64]) -> Vec<f64> {
    let n = dims[axis];
    let strides = [1, dims[0], dims[0] * dims[1]];
    let mut out_dims = dims;
    out_dims[axis] = positions.len();
    let out_strides = [1, out_dims[0], out_dims[0] * out_dims[1]];
    let len = n + 2 * SPLINE_PAD;
    let taps: Vec<_> = positions.iter().map(|&p| cubic_taps(p, len)).collect();
    let mut out = vec![0.0; out_dims[0] * out_dims[1] * out_dims[2]];
    let (a, b) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let mut line = vec![0.0; len];
    for ib in 0..dims[b] {
        for ia in 0..dims[a] {
            let start = ia * strides[a] + ib * strides[b];
            for (k, v) in line.iter_mut().enumerate() {
                let i = k.saturating_sub(SPLINE_PAD).min(n - 1);
                *v = data[start + i * strides[axis]];
            }
            cubic_prefilter(&mut line);
            let ostart = ia * out_strides[a] + ib * out_strides[b];
            for (j, (idx, w)) in taps.iter().enumerate() {
                out[ostart + j * out_strides[axis]] = w[0] * line[idx[0]]
                    + w[1] * line[idx[1]]
                    + w[2] * line[idx[2]]
                    + w[3] * line[idx[3]];
            }
        }
    }
    out
}

/// Tricubic B-spline resampling; axes flagged in `keep` are not resampled.
fn resample_cubic(
    data: &[f64],
    dims: [usize; 3],
    pos: &[Vec<f64>; 3],
    keep: [bool; 3],
) -> Vec<f64> {
    let mut cur = data.to_vec();
    let mut cur_dims = dims;
    for axis in 0..3 {
        if keep[axis] || cur.is_empty() {
            continue;
        }
        cur = cubic_along(&cur, cur_dims, axis, &pos[axis]);
        cur_dims[axis] = pos[axis].len();
    }
    cur
}

/// Interpolates image and mask as `it` says; intensities are rounded before and after when
/// `round` is set.
pub fn interpolate(
    image: &Image,
    mask: &Mask,
    it: &Interpolation,
    round: bool,
) -> Result<(Image, Mask)> {
    mask.check_matches(image)?;
    let dims = image.dims();
    let sp = image.spacing;
    let mut pos: [Vec<f64>; 3] = Default::default();
    let mut new_sp = [0.0; 3];
    for k in 0..3 {
        let (p, s) = axis(dims[k], sp[k], it.spacing[k]);
        pos[k] = p;
        new_sp[k] = s;
    }
    let new_dims = [pos[0].len(), pos[1].len(), pos[2].len()];
    let vals: Vec<f64> = image
        .data()
        .iter()
        .map(|&v| if round { (v as f64).round() } else { v as f64 })
        .collect();
    let iv = match it.method {
        InterpolationMethod::Linear => resample(&vals, dims, &pos),
        InterpolationMethod::CubicSpline => {
            let keep = [0, 1, 2].map(|k| it.spacing[k] <= 0.0 || it.spacing[k] == sp[k]);
            resample_cubic(&vals, dims, &pos, keep)
        }
    };
    let mv: Vec<f64> = mask
        .data()
        .iter()
        .map(|&m| if m != 0 { 1.0 } else { 0.0 })
        .collect();
    let mi = resample(&mv, dims, &pos);
    let data: Vec<f32> = iv
        .iter()
        .map(|&v| if round { v.round() as f32 } else { v as f32 })
        .collect();
    // Origin of the new grid: old origin shifted by the first new position (axis-aligned).
    let mut origin = image.origin;
    for k in 0..3 {
        origin[k] += pos[k][0] * sp[k];
    }
    let img = Image::new(data, new_dims)?
        .with_spacing(new_sp)
        .with_origin(origin);
    let mdata: Vec<u8> = mi
        .iter()
        .map(|&v| u8::from(v >= it.mask_threshold))
        .collect();
    let mut m = Mask::new(mdata, new_dims)?;
    m.spacing = new_sp;
    m.origin = origin;
    Ok((img, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(text: &str, name: &str) -> Vec<f64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{name},")))
            .expect("fixture row");
        line.split(',')
            .skip(1)
            .map(|v| v.parse().unwrap())
            .collect()
    }

    /// Tricubic resampling equals `scipy.ndimage.map_coordinates(order=3, mode="nearest")`
    /// (fixture made by `tools/radiomics/spline/gen_scipy_cubic_spline.py`), including
    /// positions outside the grid.
    #[test]
    fn cubic_spline_matches_scipy_map_coordinates() {
        let text = include_str!("../tests/fixtures/scipy_cubic_spline.csv");
        let d = row(text, "dims");
        let dims = [d[0] as usize, d[1] as usize, d[2] as usize];
        let data = row(text, "data");
        let pos = [row(text, "px"), row(text, "py"), row(text, "pz")];
        let want = row(text, "out");
        let got = resample_cubic(&data, dims, &pos, [false; 3]);
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() < 1e-9 * w.abs().max(1.0), "{i}: {g} vs {w}");
        }
    }

    /// At the sample positions the interpolating spline returns the samples, and a kept axis
    /// is copied unchanged.
    #[test]
    fn cubic_spline_interpolates_samples() {
        let dims = [7, 3, 2];
        let data: Vec<f64> = (0..42).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
        let pos = [
            (0..7).map(|i| i as f64).collect(),
            (0..3).map(|i| i as f64).collect(),
            vec![0.0, 1.0],
        ];
        let a = resample_cubic(&data, dims, &pos, [false; 3]);
        let b = resample_cubic(&data, dims, &pos, [false, false, true]);
        for i in 0..42 {
            assert!((a[i] - data[i]).abs() < 1e-9, "{i}");
            assert!((b[i] - data[i]).abs() < 1e-9, "{i}");
        }
    }

    /// Value, tolerance and half a printed unit of a z-rad reference row.
    fn reference(table: &str, tag: &str) -> (f64, f64, f64) {
        let line = table
            .lines()
            .find(|l| l.trim_end().ends_with(&format!(",{tag}")))
            .unwrap_or_else(|| panic!("row {tag}"));
        let cols: Vec<&str> = line.split(',').collect();
        let vs = cols[4].trim();
        let half = match vs.split_once('.') {
            Some((_, dec)) => 0.5 * 10f64.powi(-(dec.len() as i32)),
            None => 0.5,
        };
        (vs.parse().unwrap(), cols[5].trim().parse().unwrap(), half)
    }

    /// The IBSI diagnostic rows after interpolation (image size, intensity mean/min/max of the
    /// image and of the ROI, ROI box and voxel count) for configurations B–E. Config E's
    /// minimum −1111 HU and maximum 2637 HU are spline overshoots a linear interpolator cannot
    /// give, so they check the cubic B-spline on the real phantom.
    #[test]
    fn ct_phantom_interpolation_diagnostics_match_ibsi() {
        let dir = dlr_testutil::require_shared!("data/ibsi");
        let ct = dir.join("theibsi_data_sets/ibsi_1_ct_radiomics_phantom/nifti");
        let image = dlr_image::read_image(&ct.join("image/phantom.nii.gz")).unwrap();
        let mask = dlr_image::read_mask(
            &ct.join("mask/mask.nii.gz"),
            &dlr_image::MaskOptions::default(),
        )
        .unwrap();
        for config in ["B", "C", "D", "E"] {
            let toml = std::fs::read_to_string(dlr_testutil::repo_root().join(format!(
                "configs/ibsi/config_{}.toml",
                config.to_lowercase()
            )))
            .unwrap();
            let settings = crate::Settings::from_toml_str(&toml).unwrap();
            let it = settings.interpolation.unwrap();
            let (img, roi) = interpolate(&image, &mask, &it, settings.round_intensities).unwrap();
            let table = std::fs::read_to_string(dir.join(format!(
                "reference_values/z-rad/ibsi_1_reference_values_config_{config}.csv"
            )))
            .unwrap();
            let stats = |vals: &mut dyn Iterator<Item = f64>| {
                let (mut n, mut sum, mut lo, mut hi) = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
                for v in vals {
                    n += 1.0;
                    sum += v;
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                [sum / n, lo, hi, n]
            };
            let d = img.dims();
            let all = stats(&mut img.data().iter().map(|&v| v as f64));
            let inside = stats(
                &mut img
                    .data()
                    .iter()
                    .zip(roi.data())
                    .filter(|(_, &m)| m != 0)
                    .map(|(&v, _)| v as f64),
            );
            let (lo, hi) = crate::preprocess::bounding_box(&roi).unwrap();
            let ours = [
                ("img_dim_x_interp_img", d[0] as f64),
                ("img_dim_y_interp_img", d[1] as f64),
                ("img_dim_z_interp_img", d[2] as f64),
                ("vox_dim_x_interp_img", img.spacing[0]),
                ("vox_dim_z_interp_img", img.spacing[2]),
                ("mean_int_interp_img", all[0]),
                ("min_int_interp_img", all[1]),
                ("max_int_interp_img", all[2]),
                ("morph_mask_bb_dim_x_interp_roi", (hi[0] - lo[0] + 1) as f64),
                ("morph_mask_bb_dim_y_interp_roi", (hi[1] - lo[1] + 1) as f64),
                ("morph_mask_bb_dim_z_interp_roi", (hi[2] - lo[2] + 1) as f64),
                ("morph_mask_vox_count_interp_roi", inside[3]),
                ("int_mask_mean_int_interp_roi", inside[0]),
                ("int_mask_min_int_interp_roi", inside[1]),
                ("int_mask_max_int_interp_roi", inside[2]),
            ];
            for (tag, got) in ours {
                let (want, tol, half) = reference(&table, tag);
                eprintln!("config {config} {tag}: ours {got}, reference {want} ± {tol}");
                assert!(
                    (got - want).abs() <= tol + half,
                    "config {config} {tag}: ours {got}, reference {want} ± {tol}"
                );
            }
        }
    }
}
