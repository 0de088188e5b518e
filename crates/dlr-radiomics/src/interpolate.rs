//! Image and mask interpolation to a new voxel spacing with IBSI grid-centre alignment
//! (IBSI-1 §2.3): `n_new = ceil(n · s / s_new)`, and the new grid's centre coincides with the
//! old grid's centre. Intensities are interpolated (bi/tri)linearly, positions outside the old
//! grid take the nearest edge value; the ROI mask is interpolated linearly and thresholded.

use crate::error::{RadiomicsError, Result};
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

/// Interpolates image and mask as `it` says; intensities are rounded before and after when
/// `round` is set.
pub fn interpolate(
    image: &Image,
    mask: &Mask,
    it: &Interpolation,
    round: bool,
) -> Result<(Image, Mask)> {
    if it.method != InterpolationMethod::Linear {
        return Err(RadiomicsError::Settings(
            "only linear interpolation is supported so far".into(),
        ));
    }
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
    let iv = resample(&vals, dims, &pos);
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
