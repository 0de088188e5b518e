//! The MaZda 2D texture feature set with MaZda's feature names.
//!
//! [`extract`] computes, for one 2D image and ROI, the histogram (9), absolute gradient (5),
//! run-length (4 directions × 5), co-occurrence (4 directions × distances × 11), autoregressive
//! (5) and Haar wavelet (4 bands × scales) features of MaZda 4.6, named exactly as MaZda names
//! them (`Mean`, `Perc.50%`, `S(1,0)Correlat`, `135dr_GLevNonU`, `GrSkewness`, `Teta2`,
//! `WavEnHL_s-5`, …). With the defaults that is 259 + 4·5 = 279 values per ROI. Every point
//! the specification (`../shared/specs/mazda_2d_features.md`) leaves unverified is an option of
//! [`MazdaSettings`]; the crate README tabulates them.
//!
//! Undefined values (empty ROI, one grey level, ROI too small for a scale or distance) come back
//! as [`FeatureValue::undefined`] with the reason; the list of names never depends on the ROI.
//!
//! ```
//! use dlr_image::{Image, Mask};
//! use dlr_mazda::{extract, MazdaSettings};
//! let img = Image::new_2d((0..64 * 64).map(|i| (i % 7 * 30) as f32).collect(), 64, 64).unwrap();
//! let roi = Mask::new(vec![1; 64 * 64], [64, 64, 1]).unwrap();
//! let f = extract(&img, &roi, &MazdaSettings::default()).unwrap();
//! assert_eq!(f.len(), 279);
//! assert!(f.iter().any(|v| v.name == "S(1,0)Correlat"));
//! ```

mod ar;
mod error;
mod glcm;
mod gradient;
mod histogram;
mod padded;
mod rlm;
mod roi;
mod settings;
mod wavelet;

pub use ar::{autoregressive_features, ArOptions, AR_NAMES};
pub use error::{MazdaError, Result};
pub use glcm::{cooccurrence_counts, haralick_features, HaralickOptions, HARALICK_NAMES};
pub use gradient::{gradient_features, gradient_magnitudes, GradientOptions};
pub use histogram::{histogram_features, moments, Moments, PERCENTILES};
pub use rlm::{run_length_features, run_lengths, RunLengthSummary, RUN_LENGTH_NAMES};
pub use settings::{
    ArNeighbour, ArScale, BandOrder, CorrelationDegenerate, DiagonalConvention, GradientKernel,
    GradientSupport, Groups, HaarNorm, LogBase, MazdaSettings, NonZerosScale, Normalisation,
    NormalisationScope, PercentileRule, SigmaDivisor, SumVarianceCentre, WaveletAlignment,
    MAX_BITS, MAX_WAVELET_SCALES,
};
pub use wavelet::{wavelet_features, wavelet_names, WaveletOptions};

use dlr_image::{FeatureValue, Image, Mask};
use roi::Roi;

/// Largest bits per pixel for the co-occurrence and run-length matrices (1024 levels).
pub const MAX_MATRIX_BITS: u8 = 10;

/// Run-length directions: name prefix and unit step `(dx, dy)` (y = image row, downwards) for
/// the up-right diagonal convention.
fn rlm_directions(diag: DiagonalConvention) -> [(&'static str, isize, isize); 4] {
    let s = match diag {
        DiagonalConvention::UpRight => -1,
        DiagonalConvention::DownRight => 1,
    };
    [
        ("Horzl_", 1, 0),
        ("Vertl_", 0, 1),
        ("45dgr_", 1, s),
        ("135dr_", 1, -s),
    ]
}

/// Co-occurrence matrices at distance `d`: MaZda tag and displacement `(dx, dy)` in image
/// coordinates (y = row, downwards).
fn com_directions(d: usize, diag: DiagonalConvention) -> [(String, isize, isize); 4] {
    let d = d as isize;
    let s = match diag {
        DiagonalConvention::UpRight => -1,
        DiagonalConvention::DownRight => 1,
    };
    [
        (format!("S({d},0)"), d, 0),
        (format!("S(0,{d})"), 0, d),
        (format!("S({d},{d})"), d, s * d),
        (format!("S({d},-{d})"), d, -s * d),
    ]
}

/// Every feature name [`extract`] returns for `settings`, in output order.
pub fn feature_names(settings: &MazdaSettings) -> Vec<String> {
    let g = &settings.groups;
    let mut out: Vec<String> = Vec::new();
    if g.histogram {
        out.extend(["Mean", "Variance", "Skewness", "Kurtosis"].map(String::from));
        out.extend(PERCENTILES.iter().map(|p| p.1.to_string()));
    }
    if g.gradient {
        out.extend(
            [
                "GrMean",
                "GrVariance",
                "GrSkewness",
                "GrKurtosis",
                "GrNonZeros",
            ]
            .map(String::from),
        );
    }
    if g.run_length {
        for (p, _, _) in rlm_directions(settings.diagonal) {
            out.extend(RUN_LENGTH_NAMES.iter().map(|t| format!("{p}{t}")));
        }
    }
    if g.cooccurrence {
        for &d in &settings.distances {
            for (p, _, _) in com_directions(d, settings.diagonal) {
                out.extend(HARALICK_NAMES.iter().map(|t| format!("{p}{t}")));
            }
        }
    }
    if g.autoregressive {
        out.extend(AR_NAMES.map(String::from));
    }
    if g.wavelet {
        out.extend(wavelet_names(settings.wavelet_scales));
    }
    out
}

/// The MaZda 2D features of one ROI (bare names; the caller adds phase prefixes).
///
/// The image must be 2D (`nz = 1`) with the mask on the same grid. An empty ROI gives every
/// feature as undefined; invalid settings, non-finite ROI pixels or a 3D image are errors.
pub fn extract(image: &Image, mask: &Mask, settings: &MazdaSettings) -> Result<Vec<FeatureValue>> {
    settings.validate()?;
    if settings.bits_per_pixel > MAX_MATRIX_BITS {
        return Err(MazdaError::Settings(format!(
            "bits_per_pixel = {} exceeds {MAX_MATRIX_BITS} (2^bits × 2^bits matrices)",
            settings.bits_per_pixel
        )));
    }
    let Some(roi) = Roi::build(image, mask, settings)? else {
        return Ok(feature_names(settings)
            .into_iter()
            .map(|n| FeatureValue::undefined(n, "empty ROI"))
            .collect());
    };
    let g = &settings.groups;
    let base = settings.level_base;
    let (w, h) = (roi.w, roi.h);
    let mut out = Vec::with_capacity(300);
    if g.histogram {
        let grey = roi.grey(settings.histogram_bits, base);
        out.extend(histogram_features(
            &roi.roi_values(&grey),
            settings.percentile_rule,
            settings.excess_kurtosis,
        ));
    }
    if g.gradient {
        let grey = roi.grey(settings.gradient_bits, base);
        let mags = gradient_magnitudes(
            &grey,
            &roi.inside,
            w,
            h,
            settings.gradient_kernel,
            settings.gradient_support,
        );
        out.extend(gradient_features(
            &mags,
            &GradientOptions {
                kernel: settings.gradient_kernel,
                support: settings.gradient_support,
                nonzeros: settings.gradient_nonzeros,
                excess_kurtosis: settings.excess_kurtosis,
            },
        ));
    }
    if g.run_length || g.cooccurrence {
        let ng = 1usize << settings.bits_per_pixel;
        let levels = roi.quantise(settings.bits_per_pixel);
        let pad = if g.cooccurrence {
            settings.distances.iter().copied().max().unwrap_or(1)
        } else {
            1
        };
        let padded = padded::PaddedLevels::new(&levels, &roi.inside, w, h, pad);
        if g.run_length {
            for (p, dx, dy) in rlm_directions(settings.diagonal) {
                let s = padded.run_lengths(dx, dy, ng);
                out.extend(run_length_features(&s, p));
            }
        }
        if g.cooccurrence {
            let opts = HaralickOptions {
                log_base: settings.log_base,
                sum_variance_centre: settings.sum_variance_centre,
                correlation_degenerate: settings.correlation_degenerate,
                level_base: f64::from(base),
            };
            for &d in &settings.distances {
                for (p, dx, dy) in com_directions(d, settings.diagonal) {
                    let c = padded.cooccurrence(dx, dy, ng);
                    out.extend(haralick_features(&c, ng, &p, &opts));
                }
            }
        }
    }
    if g.autoregressive {
        let grey = roi.grey(settings.ar_bits, base);
        out.extend(autoregressive_features(
            &grey,
            &roi.inside,
            w,
            h,
            &ArOptions {
                neighbours: settings.ar_neighbours,
                sigma_divisor: settings.ar_sigma_divisor,
                scale: settings.ar_scale,
            },
        ));
    }
    if g.wavelet {
        let grey = roi.grey(settings.wavelet_bits, base);
        let (grid, inside, gw, gh) = wavelet_grid(&roi, &grey, settings);
        out.extend(wavelet_features(
            &grid,
            &inside,
            gw,
            gh,
            &WaveletOptions {
                scales: settings.wavelet_scales,
                band_order: settings.wavelet_band_order,
                norm: settings.wavelet_norm,
            },
        ));
    }
    Ok(out)
}

/// The grid the Haar transform runs on: from the block origin (ROI bounding-box corner, or the
/// largest multiple of `2^scales` in image coordinates not after it) to the bounding-box end.
fn wavelet_grid(
    roi: &Roi,
    grey: &[f64],
    settings: &MazdaSettings,
) -> (Vec<f64>, Vec<bool>, usize, usize) {
    let (bx0, by0, bx1, by1) = roi.bbox;
    let (gx, gy) = match settings.wavelet_alignment {
        WaveletAlignment::RoiBoundingBox => (bx0 as isize, by0 as isize),
        WaveletAlignment::ImageOrigin => {
            let b = 1usize << settings.wavelet_scales;
            let ix = roi.x0 + bx0;
            let iy = roi.y0 + by0;
            (
                (ix - ix % b) as isize - roi.x0 as isize,
                (iy - iy % b) as isize - roi.y0 as isize,
            )
        }
    };
    let gw = (bx1 as isize - gx + 1) as usize;
    let gh = (by1 as isize - gy + 1) as usize;
    let mut vals = vec![0.0; gw * gh];
    let mut inside = vec![false; gw * gh];
    for y in 0..gh {
        let cy = gy + y as isize;
        if cy < 0 || cy as usize >= roi.h {
            continue;
        }
        for x in 0..gw {
            let cx = gx + x as isize;
            if cx < 0 || cx as usize >= roi.w {
                continue;
            }
            let i = cy as usize * roi.w + cx as usize;
            vals[y * gw + x] = grey[i];
            inside[y * gw + x] = roi.inside[i];
        }
    }
    (vals, inside, gw, gh)
}
