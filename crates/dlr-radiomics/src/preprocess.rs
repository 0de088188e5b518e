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
    /// A one-voxel ROI with an empty mask: computing on it gives every feature name, each
    /// undefined (used for empty ROIs so that tables keep their columns).
    pub fn empty(spacing: [f64; 3]) -> Self {
        Roi {
            dims: [1, 1, 1],
            spacing,
            values: vec![0.0],
            morph: vec![false],
            imask: vec![false],
            origin: [0; 3],
        }
    }

    /// Intensities of the intensity mask, in storage order.
    pub fn intensities(&self) -> Vec<f64> {
        // Branch-free compaction: every value is written, only masked ones advance.
        let mut out = vec![0.0; self.values.len()];
        let mut k = 0;
        for (&v, &m) in self.values.iter().zip(&self.imask) {
            out[k] = v;
            k += usize::from(m);
        }
        out.truncate(k);
        out
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
            let v0 = values.len();
            if round {
                values.extend(irow.iter().map(|&v| round_half_away(v as f64)));
            } else {
                values.extend(irow.iter().map(|&v| v as f64));
            }
            morph.extend(mrow.iter().map(|&m| m != 0));
            imask.extend(
                values[v0..]
                    .iter()
                    .zip(mrow)
                    .map(|(v, &m)| (m != 0) & !v.is_nan()),
            );
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

/// `v.round()` (half away from zero), bitwise equal to it, without the libm call that the
/// baseline x86-64 target makes for `f64::round` (and in a form the compiler vectorises):
/// `(a + 2⁵²) − 2⁵²` rounds |v| to the nearest integer, ties to even, exactly for |v| < 2⁵²;
/// a tie that went down is moved up. Larger magnitudes, infinities and NaN are returned as
/// they are (they are integers or not numbers, as `round` leaves them).
#[inline]
pub(crate) fn round_half_away(v: f64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let a = v.abs();
    let r = (a + TWO52) - TWO52;
    // r − a is exact (r is within 0.5 of a); a tie rounded to the even integer below is -0.5.
    let r = if r - a == -0.5 { r + 1.0 } else { r };
    if a < TWO52 {
        r.copysign(v)
    } else {
        v
    }
}

/// Size of the blocks a mask row is scanned in (an OR-reduction per block, vectorised).
const SCAN_BLOCK: usize = 64;

/// Index of the first non-zero byte of `row`.
fn first_nonzero(row: &[u8]) -> Option<usize> {
    let mut base = 0;
    for c in row.chunks(SCAN_BLOCK) {
        if c.iter().fold(0u8, |a, &b| a | b) != 0 {
            return c.iter().position(|&m| m != 0).map(|k| base + k);
        }
        base += c.len();
    }
    None
}

/// Index of the last non-zero byte of `row`.
fn last_nonzero(row: &[u8]) -> Option<usize> {
    let mut end = row.len();
    for c in row.rchunks(SCAN_BLOCK) {
        end -= c.len();
        if c.iter().fold(0u8, |a, &b| a | b) != 0 {
            return c.iter().rposition(|&m| m != 0).map(|k| end + k);
        }
    }
    None
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
            let Some(first) = first_nonzero(row) else {
                continue;
            };
            let last = last_nonzero(row).unwrap_or(first);
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
    // Masked voxels are never NaN (the intensity mask leaves NaN out), so plain comparisons
    // find the extremes.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut any = false;
    for (&v, &m) in roi.values.iter().zip(&roi.imask) {
        if m {
            any = true;
            if v < lo {
                lo = v;
            }
            if v > hi {
                hi = v;
            }
        }
    }
    any.then_some((lo, hi))
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
    // numpy.digitize: index i with edges[i-1] <= v < edges[i], i.e. the number of edges <= v.
    // Edges are equally spaced, so a guess from the spacing, moved by at most one edge after
    // comparing with the edges themselves, is checked and kept; otherwise (never for sane
    // edges) a binary search decides. The result equals the binary search over `edges`.
    let ne = edges.len();
    let (e0, inv_step) = (edges[0], (ne - 1) as f64 / (edges[ne - 1] - edges[0]));
    // `ext[k]` = edges[k − 1], with −∞ and +∞ at the ends.
    let mut ext = Vec::with_capacity(ne + 2);
    ext.push(f64::NEG_INFINITY);
    ext.extend_from_slice(&edges);
    ext.push(f64::INFINITY);
    let ne_f = ne as f64;
    let digitize = |v: f64| -> usize {
        // v ≥ the first edge, so t ≥ 0; capped at ne (NaN from a degenerate spacing too).
        let t = ((v - e0) * inv_step).min(ne_f);
        let g = (t as u32 as usize + 1).min(ne);
        let i = g - usize::from(ext[g] > v);
        let i = i + usize::from(ext[i + 1] <= v);
        if ext[i] <= v && v < ext[i + 1] {
            i
        } else {
            edges.partition_point(|&e| e <= v)
        }
    };
    // Intensities on the integer steps min, min + 1, … (8- and 16-bit images) take their level
    // from a table of those steps: the table entry is `digitize` of the very same value.
    const LUT_MAX: f64 = 65_536.0;
    let span = max - min;
    let lut: Vec<u32> = if span <= LUT_MAX && span <= roi.values.len() as f64 {
        (0..=span as usize)
            .map(|k| digitize(min + k as f64).max(1) as u32)
            .collect()
    } else {
        Vec::new()
    };
    for ((l, &v), &m) in levels.iter_mut().zip(&roi.values).zip(&roi.imask) {
        if m {
            // v ≥ min, so the offset is not negative (i32: a cheap conversion, saturating).
            let k = (v - min) as i32;
            *l = if (k as usize) < lut.len() && min + k as f64 == v {
                lut[k as usize]
            } else {
                digitize(v).max(1) as u32
            };
            top = top.max(*l);
        }
    }
    Ok(LevelGrid {
        levels,
        dims: roi.dims,
        ng: top as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_half_away_equals_f64_round_bitwise() {
        let mut xs: Vec<f64> = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9.007_199_254_740_993e15,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
        ];
        // f32 values as images hold them, and f64 values with every fraction.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..200_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let bits = state >> 11;
            let scale = [1.0, 1e3, 1e6, 3e9, 1e17][(state >> 60) as usize % 5];
            let v = (bits as f64 / (1u64 << 53) as f64 - 0.5) * scale;
            xs.push(v);
            xs.push(v as f32 as f64);
            xs.push((v * 2.0).round() / 2.0); // exact ties
        }
        for v in xs {
            let (a, b) = (round_half_away(v), v.round());
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{v:e}: {a:e} vs {b:e}"
            );
        }
    }

    #[test]
    fn pyradiomics_binning_matches_binary_search_of_the_edges() {
        // Values on, just below and just above every edge, for several widths and origins.
        for &(width, base) in &[
            (25.0, 0.0),
            (0.1, -3.3),
            (7.0, 1e6),
            (1.0, -0.5),
            (3e-5, 2.0),
        ] {
            let mut values = Vec::new();
            for k in -3..60 {
                let e = base + k as f64 * width;
                // Neighbouring floats (e > 0 or e < 0 alike: one unit in the last place either way).
                let (below, above) = (
                    f64::from_bits(e.to_bits().wrapping_sub(1)),
                    f64::from_bits(e.to_bits() + 1),
                );
                values.extend([e, below, above, e + width * 0.5]);
            }
            let n = values.len();
            let roi = Roi {
                dims: [n, 1, 1],
                spacing: [1.0; 3],
                values: values.clone(),
                morph: vec![true; n],
                imask: vec![true; n],
                origin: [0; 3],
            };
            let grid = discretise_pyradiomics(&roi, &Discretisation::FixedBinSize { width })
                .expect("binning");
            let (min, max) = min_max(&roi).expect("non-empty");
            let low = min - min.rem_euclid(width);
            let count = ((max + 2.0 * width - low) / width).ceil() as usize;
            let edges: Vec<f64> = (0..count).map(|k| low + k as f64 * width).collect();
            for (v, l) in values.iter().zip(&grid.levels) {
                let want = edges.partition_point(|&e| e <= *v).max(1) as u32;
                assert_eq!(*l, want, "value {v:e}, width {width}");
            }
        }
    }
}
