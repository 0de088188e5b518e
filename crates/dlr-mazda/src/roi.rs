//! The ROI as the extractor sees it: the bounding-box crop, normalisation and requantisation.

use crate::error::{MazdaError, Result};
use crate::settings::{MazdaSettings, Normalisation, NormalisationScope, PercentileRule};
use dlr_image::{Image, Mask};

/// Pixels kept around the ROI bounding box (enough for the 5×5 gradient).
const MARGIN: usize = 2;

/// The cropped ROI with normalised intensities and the requantisation range.
#[derive(Debug, Clone)]
pub(crate) struct Roi {
    /// Crop width.
    pub w: usize,
    /// Crop height.
    pub h: usize,
    /// Image column of crop pixel 0.
    pub x0: usize,
    /// Image row of crop pixel 0.
    pub y0: usize,
    /// Bounding box of the ROI inside the crop: `(bx0, by0, bx1, by1)`, inclusive.
    pub bbox: (usize, usize, usize, usize),
    /// Normalised intensity of every crop pixel (clipped to the range for σ/percentile modes).
    pub values: Vec<f64>,
    /// ROI membership of every crop pixel.
    pub inside: Vec<bool>,
    /// Lower end of the requantisation range.
    pub lo: f64,
    /// Upper end of the requantisation range (exclusive in spirit: `hi` maps to the top level).
    pub hi: f64,
}

/// The X-th percentile (X in 0–100) of sorted values under `rule`.
pub(crate) fn percentile_sorted(sorted: &[f64], pct: u32, rule: PercentileRule) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let pn = pct as usize * n; // X·N/100 scaled by 100, exact in integers
    let idx = match rule {
        // smallest g with count(≤ g) ≥ X·N/100  →  index ceil(X·N/100) − 1
        PercentileRule::AtLeast => pn.div_ceil(100).saturating_sub(1),
        // smallest g with count(≤ g) > X·N/100  →  index floor(X·N/100)
        PercentileRule::Greater => pn / 100,
    };
    sorted[idx.min(n - 1)]
}

fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let m = values.iter().sum::<f64>() / n;
    let v = values.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (m, v.sqrt())
}

fn infer_source_bits(image: &Image, roi_values: &[f64], settings: &MazdaSettings) -> Result<u8> {
    if let Some(b) = settings.source_bits {
        return Ok(b);
    }
    if let Some(b) = image.meta.bits_stored {
        if (1..=16).contains(&b) {
            return Ok(b as u8);
        }
    }
    let all_int = roi_values.iter().all(|v| *v >= 0.0 && v.fract() == 0.0);
    let max = roi_values.iter().copied().fold(0.0f64, f64::max);
    if all_int && max <= 255.0 {
        Ok(8)
    } else if all_int && max <= 65535.0 {
        Ok(16)
    } else {
        Err(MazdaError::Settings(format!(
            "normalisation = none needs the source bit depth: ROI values are not integers in \
             0..=65535 (max {max}); set source_bits or use normalisation sigma3 / percentile1_99"
        )))
    }
}

/// Inclusive `([x0, y0], [x1, y1])` of the non-zero pixels of a 2D mask, row by row.
fn bounding_box_2d(mask: &[u8], nx: usize) -> Option<([usize; 2], [usize; 2])> {
    let mut lo = [usize::MAX; 2];
    let mut hi = [0usize; 2];
    for (y, row) in mask.chunks_exact(nx).enumerate() {
        let Some(first) = row.iter().position(|&v| v != 0) else {
            continue;
        };
        let last = row.iter().rposition(|&v| v != 0).unwrap_or(first);
        lo = [lo[0].min(first), lo[1].min(y)];
        hi = [hi[0].max(last), hi[1].max(y)];
    }
    (lo[0] != usize::MAX).then_some((lo, hi))
}

impl Roi {
    /// Crops the ROI bounding box plus a margin and applies the normalisation of `settings`.
    ///
    /// Returns `Ok(None)` when the ROI is empty.
    pub fn build(image: &Image, mask: &Mask, settings: &MazdaSettings) -> Result<Option<Roi>> {
        let dims = image.dims();
        if mask.dims() != dims {
            return Err(MazdaError::Mismatch {
                image: dims,
                mask: mask.dims(),
            });
        }
        if dims[2] != 1 {
            return Err(MazdaError::NotTwoD(dims));
        }
        let [nx, ny, _] = dims;
        let Some((lo_b, hi_b)) = bounding_box_2d(mask.data(), nx) else {
            return Ok(None);
        };
        let x0 = lo_b[0].saturating_sub(MARGIN);
        let y0 = lo_b[1].saturating_sub(MARGIN);
        let x1 = (hi_b[0] + MARGIN).min(nx - 1);
        let y1 = (hi_b[1] + MARGIN).min(ny - 1);
        let (w, h) = (x1 - x0 + 1, y1 - y0 + 1);
        let mut raw = Vec::with_capacity(w * h);
        let mut inside = Vec::with_capacity(w * h);
        let mut roi_values = Vec::new();
        let data = image.data();
        let mdata = mask.data();
        for y in y0..=y1 {
            let row = y * nx;
            for x in x0..=x1 {
                let v = data[row + x];
                let m = mdata[row + x] != 0;
                if m {
                    if !v.is_finite() {
                        return Err(MazdaError::NonFinite { x, y, value: v });
                    }
                    roi_values.push(v as f64);
                }
                raw.push(v as f64);
                inside.push(m);
            }
        }
        let scope_values: Vec<f64> = match settings.normalisation_scope {
            NormalisationScope::Roi => roi_values.clone(),
            NormalisationScope::Image => data
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| v as f64)
                .collect(),
        };
        let (lo, hi, clip) = match settings.normalisation {
            Normalisation::None => {
                let bits = infer_source_bits(image, &roi_values, settings)?;
                (0.0, f64::from(1u32 << bits), false)
            }
            Normalisation::Sigma3 => {
                let (m, s) = mean_std(&scope_values);
                (m - 3.0 * s, m + 3.0 * s, true)
            }
            Normalisation::Percentile1_99 => {
                let mut sorted = scope_values;
                sorted.sort_by(f64::total_cmp);
                (
                    percentile_sorted(&sorted, 1, settings.percentile_rule),
                    percentile_sorted(&sorted, 99, settings.percentile_rule),
                    true,
                )
            }
        };
        let values = if clip {
            raw.iter().map(|v| v.clamp(lo, hi)).collect()
        } else {
            raw
        };
        Ok(Some(Roi {
            w,
            h,
            x0,
            y0,
            bbox: (lo_b[0] - x0, lo_b[1] - y0, hi_b[0] - x0, hi_b[1] - y0),
            values,
            inside,
            lo,
            hi,
        }))
    }

    /// Requantised level (0-based) of every crop pixel: `floor((x − lo)/(hi − lo)·2^bits)`,
    /// clipped to `0 … 2^bits − 1`; all zero when the range is empty (constant ROI).
    pub fn quantise(&self, bits: u8) -> Vec<u16> {
        let levels = f64::from(1u32 << bits);
        let top = (1u32 << bits) - 1;
        let width = self.hi - self.lo;
        if width.is_nan() || width <= 0.0 {
            return vec![0; self.values.len()];
        }
        let scale = levels / width;
        self.values
            .iter()
            .map(|&v| {
                let q = ((v - self.lo) * scale).floor();
                if q <= 0.0 {
                    0
                } else {
                    (q as u32).min(top) as u16
                }
            })
            .collect()
    }

    /// Grey values a group analyses: requantised levels plus `level_base` when `bits` is given,
    /// normalised intensities otherwise.
    pub fn grey(&self, bits: Option<u8>, level_base: u8) -> Vec<f64> {
        match bits {
            Some(b) => self
                .quantise(b)
                .into_iter()
                .map(|q| f64::from(q) + f64::from(level_base))
                .collect(),
            None => self.values.clone(),
        }
    }

    /// Values of ROI pixels only, in raster order.
    pub fn roi_values(&self, grey: &[f64]) -> Vec<f64> {
        grey.iter()
            .zip(&self.inside)
            .filter(|(_, &m)| m)
            .map(|(&v, _)| v)
            .collect()
    }
}
