//! Absolute gradient features (`GrMean`, `GrVariance`, `GrSkewness`, `GrKurtosis`, `GrNonZeros`).

use crate::histogram::moments;
use crate::settings::{GradientKernel, GradientSupport, NonZerosScale};
use dlr_image::FeatureValue;

/// Options of the gradient group.
#[derive(Debug, Clone, Copy)]
pub struct GradientOptions {
    /// Difference kernel.
    pub kernel: GradientKernel,
    /// Which pixels contribute.
    pub support: GradientSupport,
    /// Scale of `GrNonZeros`.
    pub nonzeros: NonZerosScale,
    /// Subtract 3 from `GrKurtosis`.
    pub excess_kurtosis: bool,
}

/// Gradient magnitudes `sqrt((g(x+s,y) − g(x−s,y))² + (g(x,y+s) − g(x,y−s))²)` of the counted
/// pixels of a `w × h` grid (`s` = 1 or 2 by kernel).
pub fn gradient_magnitudes(
    grey: &[f64],
    inside: &[bool],
    w: usize,
    h: usize,
    kernel: GradientKernel,
    support: GradientSupport,
) -> Vec<f64> {
    let s = match kernel {
        GradientKernel::Central3 => 1,
        GradientKernel::Central5 => 2,
    };
    let mut out = Vec::new();
    if w <= 2 * s || h <= 2 * s {
        return out;
    }
    for y in s..h - s {
        for x in s..w - s {
            let i = y * w + x;
            if !inside[i] {
                continue;
            }
            let (l, r, u, d) = (i - s, i + s, i - s * w, i + s * w);
            if support == GradientSupport::NeighboursInRoi
                && !(inside[l] && inside[r] && inside[u] && inside[d])
            {
                continue;
            }
            let gx = grey[r] - grey[l];
            let gy = grey[d] - grey[u];
            out.push((gx * gx + gy * gy).sqrt());
        }
    }
    out
}

/// The 5 gradient features from the magnitudes of the counted pixels.
pub fn gradient_features(magnitudes: &[f64], opts: &GradientOptions) -> Vec<FeatureValue> {
    let names = [
        "GrMean",
        "GrVariance",
        "GrSkewness",
        "GrKurtosis",
        "GrNonZeros",
    ];
    let Some(m) = moments(magnitudes) else {
        return names
            .iter()
            .map(|n| {
                FeatureValue::undefined(
                    *n,
                    "no ROI pixel has all gradient neighbours inside the ROI",
                )
            })
            .collect();
    };
    let flat = "all gradient magnitudes are equal: the standardised moment is 0/0";
    let nonzero = magnitudes.iter().filter(|g| **g > 0.0).count() as f64 / magnitudes.len() as f64;
    vec![
        FeatureValue::new("GrMean", m.mean),
        FeatureValue::new("GrVariance", m.variance),
        match m.skewness {
            Some(s) => FeatureValue::new("GrSkewness", s),
            None => FeatureValue::undefined("GrSkewness", flat),
        },
        match m.kurtosis {
            Some(k) => FeatureValue::new(
                "GrKurtosis",
                k - if opts.excess_kurtosis { 3.0 } else { 0.0 },
            ),
            None => FeatureValue::undefined("GrKurtosis", flat),
        },
        FeatureValue::new(
            "GrNonZeros",
            match opts.nonzeros {
                NonZerosScale::Fraction => nonzero,
                NonZerosScale::Percent => 100.0 * nonzero,
            },
        ),
    ]
}
