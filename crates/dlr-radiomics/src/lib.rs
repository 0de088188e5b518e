//! IBSI-1 radiomics feature families (2D/2.5D/3D) and the PyRadiomics-compatible preset.
//!
//! One entry point, [`extract`], computes the features of one ROI:
//!
//! ```
//! use dlr_image::{Image, Mask};
//! use dlr_radiomics::{extract, Settings};
//! let img = Image::new_2d(vec![1.0, 2.0, 2.0, 3.0, 1.0, 4.0], 3, 2).unwrap();
//! let roi = Mask::new(vec![1, 1, 1, 1, 1, 0], [3, 2, 1]).unwrap();
//! let feats = extract(&img, &roi, &Settings::pyradiomics_default()).unwrap();
//! let mean = feats.iter().find(|f| f.name == "original_firstorder_Mean").unwrap();
//! assert!((mean.value - 1.8).abs() < 1e-12);
//! ```
//!
//! With [`Naming::Ibsi`] the names are the `tag` column of the IBSI reference tables
//! (`stat_mean`, `cm_joint_max_2D_avg`, `szm_sze_3D`); with [`Naming::PyRadiomics`] they are
//! PyRadiomics' (`original_glcm_Contrast`; the prefix is `settings.pyradiomics.prefix`, so a
//! filtered image can be passed in as `wavelet-LLH`). A feature that is undefined for the ROI is
//! returned with `value = NaN` and a `note` giving the reason; no feature is silently NaN.

pub mod codes;
mod error;
mod filtered;
mod ibsi;
mod intensity;
mod interpolate;
mod linalg;
pub mod mesh;
mod preprocess;
mod pyradiomics;
mod settings;
pub mod texture;

pub use error::{RadiomicsError, Result};
pub use settings::{
    Aggregation, Discretisation, Family, ImageType, Interpolation, InterpolationMethod, Naming,
    PyRadiomicsOptions, Resegmentation, Settings,
};

use dlr_image::{FeatureValue, Image, Mask};

/// Computes the features of one ROI (`mask`) on `image` as `settings` say.
///
/// Errors are for unusable settings or an image/mask mismatch; problems of the ROI itself
/// (empty, one voxel, one grey level, NaN voxels) give per-feature undefined values with a note.
pub fn extract(image: &Image, mask: &Mask, settings: &Settings) -> Result<Vec<FeatureValue>> {
    settings.validate()?;
    if settings.image_types != [ImageType::Original] {
        return filtered::extract_image_types(image, mask, settings);
    }
    if let Some(it) = &settings.interpolation {
        let (img, roi) = interpolate::interpolate(image, mask, it, settings.round_intensities)?;
        let mut plain = settings.clone();
        plain.interpolation = None;
        return extract(&img, &roi, &plain);
    }
    // An empty ROI is computed on a one-voxel empty mask so that every feature name appears.
    let mut roi = preprocess::crop(image, mask, settings.round_intensities)?
        .unwrap_or_else(|| preprocess::Roi::empty(image.spacing));
    let origin = roi.origin;
    preprocess::resegment(&mut roi, &settings.resegmentation);
    let empty = !roi.imask.iter().any(|&m| m);
    let mut raw = Vec::new();
    match settings.naming {
        settings::Naming::PyRadiomics => {
            let grid = preprocess::discretise_pyradiomics(&roi, &settings.discretisation)?;
            pyradiomics::extract(&roi, &grid, image.dims()[2], settings, &mut raw);
        }
        settings::Naming::Ibsi => {
            let fam = |f: Family| settings.families.contains(&f);
            if fam(Family::Morphology) {
                ibsi::morphology(&roi, &mut raw);
            }
            if fam(Family::LocalIntensity) {
                ibsi::local_intensity(image, &roi, origin, settings.round_intensities, &mut raw);
            }
            if fam(Family::Statistics) {
                ibsi::statistics(&roi, &mut raw);
            }
            let origin_fbs = settings.resegmentation.range.map(|r| r[0]);
            let grid = preprocess::discretise_ibsi(&roi, &settings.discretisation, origin_fbs)?;
            if fam(Family::IntensityHistogram) {
                ibsi::intensity_histogram(&grid, &mut raw);
            }
            if fam(Family::Ivh) {
                ibsi::ivh(&roi, settings, &mut raw);
            }
            ibsi::texture(&roi, &grid, settings, &mut raw);
        }
    }
    let mut features: Vec<FeatureValue> = raw
        .into_iter()
        .map(|r| {
            if r.value.is_finite() {
                FeatureValue::new(r.name, r.value)
            } else if empty {
                FeatureValue::undefined(r.name, "the ROI has no voxels with a finite intensity")
            } else {
                FeatureValue::undefined(r.name, r.why)
            }
        })
        .collect();
    codes::annotate(&mut features, settings);
    Ok(features)
}
