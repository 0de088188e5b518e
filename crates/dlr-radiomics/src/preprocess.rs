//! ROI preparation: cropping to the mask's bounding box, intensity rounding, re-segmentation
//! (range and outlier filter) and grey-level discretisation (IBSI and PyRadiomics binning).

use crate::error::{RadiomicsError, Result};
use crate::settings::{Discretisation, Resegmentation};
use crate::texture::matrices::LevelGrid;
use dlr_image::{Image, Mask};

/// The ROI cropped to its bounding box.
#[derive(Debug, Clone)]
pub struct Roi {
    /// Box dimensions `[nx, ny, nz]`.
    pub dims: [usize; 3],
    /// Voxel spacing (mm).
    pub spacing: [f64; 3],
    /// Intensities in the box.
    pub values: Vec<f64>,
    /// Morphological mask (the ROI as drawn).
    pub morph: Vec<bool>,
    /// Intensity mask (after re-segmentation; NaN voxels excluded).
    pub imask: Vec<bool>,
    /// Corner of the bounding box in the image (voxel indices).
    pub origin: [usize; 3],
}

impl Roi {
    /// Intensities of the intensity mask, in storage order.
    pub fn intensities(&self) -> Vec<f64> {
        self.values
            .iter()
            .zip(&self.imask)
            .filter(|(_, &m)| m)
            .map(|(&v, _)| v)
            .collect()
    }
}

/// Crops image and mask to the mask's bounding box; `None` when the mask is empty.
pub fn crop(image: &Image, mask: &Mask, round: bool) -> Result<Option<Roi>> {
    mask.check_matches(image)?;
    let Some((lo, hi)) = bounding_box(mask) else {
        return Ok(None);
    };
    let dims = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
    let n = dims[0] * dims[1] * dims[2];
    let mut values = Vec::with_capacity(n);
    let mut morph = Vec::with_capacity(n);
    let mut imask = Vec::with_capacity(n);
    let [inx, iny, _] = image.dims();
    let (idata, mdata) = (image.data(), mask.data());
    for z in lo[2]..=hi[2] {
        for y in lo[1]..=hi[1] {
            let start = lo[0] + inx * (y + iny * z);
            let irow = &idata[start..start + dims[0]];
            let mrow = &mdata[start..start + dims[0]];
            for (&v, &m) in irow.iter().zip(mrow) {
                let mut v = v as f64;
                if round {
                    v = v.round();
                }
                let m = m != 0;
                values.push(v);
                morph.push(m);
                imask.push(m && !v.is_nan());
            }
        }
    }
    Ok(Some(Roi {
        dims,
        spacing: image.spacing,
        values,
        morph,
        imask,
        origin: lo,
    }))
}

/// Inclusive bounding box `(low, high)` of the mask's non-zero voxels, scanning whole rows.
pub fn bounding_box(mask: &Mask) -> Option<([usize; 3], [usize; 3])> {
    let [nx, ny, nz] = mask.dims();
    let data = mask.data();
    let mut lo = [usize::MAX; 3];
    let mut hi = [0usize; 3];
    for z in 0..nz {
        for y in 0..ny {
            let row = &data[nx * (y + ny * z)..nx * (y + ny * z) + nx];
            let Some(first) = row.iter().position(|&m| m != 0) else {
                continue;
            };
            let last = row.iter().rposition(|&m| m != 0).unwrap_or(first);
            lo = [lo[0].min(first), lo[1].min(y), lo[2].min(z)];
            hi = [hi[0].max(last), hi[1].max(y), hi[2].max(z)];
        }
    }
    (lo[0] != usize::MAX).then_some((lo, hi))
}

/// Applies range re-segmentation, then the outlier filter (mean ± k·SD of the remaining voxels).
pub fn resegment(roi: &mut Roi, r: &Resegmentation) {
    if let Some([lo, hi]) = r.range {
        for (m, &v) in roi.imask.iter_mut().zip(&roi.values) {
            if *m && (v < lo || v > hi) {
                *m = false;
            }
        }
    }
    if let Some(k) = r.outlier_sigma {
        let xs = roi.intensities();
        if xs.is_empty() {
            return;
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        let (lo, hi) = (mean - k * sd, mean + k * sd);
        for (m, &v) in roi.imask.iter_mut().zip(&roi.values) {
            if *m && (v < lo || v > hi) {
                *m = false;
            }
        }
    }
}

fn min_max(roi: &Roi) -> Option<(f64, f64)> {
    let mut it = roi
        .values
        .iter()
        .zip(&roi.imask)
        .filter(|(_, &m)| m)
        .map(|(&v, _)| v);
    let first = it.next()?;
    Some(it.fold((first, first), |(a, b), v| (a.min(v), b.max(v))))
}

/// IBSI discretisation. `fbs_origin` is the lower bound of the re-segmentation range (when
/// finite) used as the fixed-bin-size origin; otherwise the ROI minimum is used.
pub fn discretise_ibsi(
    roi: &Roi,
    d: &Discretisation,
    fbs_origin: Option<f64>,
) -> Result<LevelGrid> {
    let mut levels = vec![0u32; roi.values.len()];
    let Some((min, max)) = min_max(roi) else {
        return Ok(LevelGrid {
            levels,
            dims: roi.dims,
            ng: 1,
        });
    };
    let ng = match *d {
        Discretisation::None => {
            for ((l, &v), &m) in levels.iter_mut().zip(&roi.values).zip(&roi.imask) {
                if m {
                    if v < 1.0 || v.fract() != 0.0 || v > u32::MAX as f64 {
                        return Err(RadiomicsError::Settings(format!(
                            "discretisation \"none\" needs integer intensities ≥ 1 in the ROI, found {v}; \
                             choose fixed_bin_number or fixed_bin_size"
                        )));
                    }
                    *l = v as u32;
                }
            }
            max as usize
        }
        Discretisation::FixedBinNumber { bins } => {
            for ((l, &v), &m) in levels.iter_mut().zip(&roi.values).zip(&roi.imask) {
                if m {
                    *l = if max > min {
                        ((bins as f64 * (v - min) / (max - min)).floor() as u32 + 1).min(bins)
                    } else {
                        1
                    };
                }
            }
            bins as usize
        }
        Discretisation::FixedBinSize { width } => {
            let origin = fbs_origin.filter(|o| o.is_finite()).unwrap_or(min);
            let mut top = 1u32;
            for ((l, &v), &m) in levels.iter_mut().zip(&roi.values).zip(&roi.imask) {
                if m {
                    let b = ((v - origin) / width).floor() as i64 + 1;
                    *l = b.max(1) as u32;
                    top = top.max(*l);
                }
            }
            top as usize
        }
    };
    Ok(LevelGrid {
        levels,
        dims: roi.dims,
        ng: ng.max(1),
    })
}

/// PyRadiomics binning (`imageoperations.binImage`): bin width with edges at multiples of the
/// width counted from 0, or `bin_count` equal bins between ROI minimum and maximum (numpy
/// histogram edges, last edge + 1). `ng` is the highest level present.
pub fn discretise_pyradiomics(roi: &Roi, d: &Discretisation) -> Result<LevelGrid> {
    let mut levels = vec![0u32; roi.values.len()];
    let Some((min, max)) = min_max(roi) else {
        return Ok(LevelGrid {
            levels,
            dims: roi.dims,
            ng: 1,
        });
    };
    let edges: Vec<f64> = match *d {
        Discretisation::FixedBinSize { width } => {
            let low = min - min.rem_euclid(width);
            let high = max + 2.0 * width;
            let n = ((high - low) / width).ceil() as usize;
            let mut e: Vec<f64> = (0..n).map(|k| low + k as f64 * width).collect();
            if e.len() == 1 {
                e = vec![e[0] - 0.5, e[0] + 0.5];
            }
            e
        }
        Discretisation::FixedBinNumber { bins } => {
            let (lo, hi) = if min == max { (min - 0.5, max + 0.5) } else { (min, max) };
            let step = (hi - lo) / bins as f64;
            let mut e: Vec<f64> = (0..=bins as usize).map(|k| lo + k as f64 * step).collect();
            if let Some(last) = e.last_mut() {
                *last = hi + 1.0;
            }
            e
        }
        Discretisation::None => {
            return Err(RadiomicsError::Settings(
                "the PyRadiomics preset needs a bin width (fixed_bin_size) or bin count (fixed_bin_number)"
                    .into(),
            ))
        }
    };
    let mut top = 1u32;
    for ((l, &v), &m) in levels.iter_mut().zip(&roi.values).zip(&roi.imask) {
        if m {
            // numpy.digitize: index i with edges[i-1] <= v < edges[i].
            let i = edges.partition_point(|&e| e <= v);
            *l = i.max(1) as u32;
            top = top.max(*l);
        }
    }
    Ok(LevelGrid {
        levels,
        dims: roi.dims,
        ng: top as usize,
    })
}
