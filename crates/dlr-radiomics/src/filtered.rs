//! Features per image type (PyRadiomics `imageType`): the original image plus its wavelet and
//! Laplacian-of-Gaussian versions.
//!
//! Each filter runs on the ROI bounding box plus the margin it needs
//! ([`dlr_filters::pyradiomics_wavelet`], [`dlr_filters::pyradiomics_log`], both reproducing
//! PyRadiomics 3.1.4's own filters), the response is kept in f64 on the box, and the
//! PyRadiomics feature classes are computed on it with the same discretisation settings (bin
//! width applies to the filtered intensities) and the same (re-segmented) ROI, named
//! `<imageType>_<class>_<feature>`: `wavelet-LLH_firstorder_Mean`,
//! `log-sigma-1-0-mm-3D_glcm_Contrast`. Shape is computed once, for `original`, as PyRadiomics
//! does. A filter PyRadiomics would skip (LoG on an image too small for σ) or cannot run
//! (non-finite voxels) gives that image type's features as undefined with the reason.

use crate::error::{RadiomicsError, Result};
use crate::ibsi::Raw;
use crate::preprocess::{self, Roi};
use crate::settings::{Family, ImageType, Naming, Settings};
use dlr_filters::{
    log_name, pyradiomics_log, pyradiomics_wavelet, pyradiomics_wavelet_names, VoxelBox, Wavelet,
};
use dlr_image::{FeatureValue, Image, Mask};
use rayon::prelude::*;

/// Checks the image-type list: known wavelets, levels 1..=8, positive distinct σ, each type
/// once, filtered types only with PyRadiomics naming.
pub(crate) fn validate_image_types(s: &Settings) -> Result<()> {
    let bad = |m: String| Err(RadiomicsError::Settings(m));
    if s.image_types.is_empty() {
        return bad(
            "image_types is empty; use [{ type = \"original\" }] for the image as given".into(),
        );
    }
    let mut seen = Vec::new();
    for t in &s.image_types {
        let kind = std::mem::discriminant(t);
        if seen.contains(&kind) {
            return bad(format!(
                "image type {t:?} is given twice; give each type once (LoG takes a list of sigmas)"
            ));
        }
        seen.push(kind);
        match t {
            ImageType::Original => {}
            ImageType::Wavelet {
                wavelet,
                level,
                start_level,
            } => {
                if let Err(e) = Wavelet::parse(wavelet) {
                    return bad(format!(
                        "{e} (PyRadiomics' other PyWavelets names are not supported yet)"
                    ));
                }
                if !(1..=8).contains(level) || *start_level > 8 {
                    return bad(format!(
                        "wavelet level must be in 1..=8 and start_level in 0..=8, got {level} and {start_level}"
                    ));
                }
                if s.pyradiomics.force2d {
                    return bad("the wavelet image type with force2d (per-slice 2D wavelet) is not supported yet".into());
                }
            }
            ImageType::Log { sigmas } => {
                if sigmas.is_empty() {
                    return bad("the log image type needs at least one sigma (mm)".into());
                }
                for (i, &sg) in sigmas.iter().enumerate() {
                    if !(sg.is_finite() && sg > 0.0) {
                        return bad(format!(
                            "LoG sigma must be a positive number of mm, got {sg}"
                        ));
                    }
                    if sigmas[..i].contains(&sg) {
                        return bad(format!("LoG sigma {sg} is given twice"));
                    }
                }
            }
        }
    }
    if s.naming != Naming::PyRadiomics && s.image_types != [ImageType::Original] {
        return bad(
            "filtered image types (wavelet, log) are supported with naming = \"pyradiomics\" only"
                .into(),
        );
    }
    Ok(())
}

/// A filtered image on the ROI box, or why there is none.
type Filtered = (String, std::result::Result<Vec<f64>, String>);

/// Image-type names of `t` on `image` (without computing anything).
fn names_of(t: &ImageType, image: &Image) -> Vec<String> {
    match t {
        ImageType::Original => vec![],
        ImageType::Wavelet { level, .. } => pyradiomics_wavelet_names(image, *level),
        ImageType::Log { sigmas } => sigmas.iter().map(|&s| log_name(s)).collect(),
    }
}

/// Runs the filters of `t` on `region` (None = empty ROI).
fn filter(t: &ImageType, image: &Image, region: Option<VoxelBox>) -> Vec<Filtered> {
    let names = names_of(t, image);
    let Some(region) = region else {
        let why = "the ROI has no voxels with a finite intensity".to_string();
        return names.into_iter().map(|n| (n, Err(why.clone()))).collect();
    };
    match t {
        ImageType::Original => vec![],
        ImageType::Wavelet {
            wavelet,
            level,
            start_level,
        } => {
            let w = Wavelet::parse(wavelet)
                .and_then(|w| pyradiomics_wavelet(image, region, w, *level, *start_level));
            match w {
                Ok(rs) => rs.into_iter().map(|r| (r.name, Ok(r.values))).collect(),
                Err(e) => names.into_iter().map(|n| (n, Err(e.to_string()))).collect(),
            }
        }
        ImageType::Log { sigmas } => sigmas
            .par_iter()
            .map(|&s| match pyradiomics_log(image, region, s) {
                Ok(r) => (r.name, Ok(r.values)),
                Err(e) => (log_name(s), Err(e.to_string())),
            })
            .collect(),
    }
}

/// Features of every image type in `settings.image_types` (the entry point `extract` uses
/// when the list is more than `[original]`).
pub(crate) fn extract_image_types(
    image: &Image,
    mask: &Mask,
    settings: &Settings,
) -> Result<Vec<FeatureValue>> {
    let mut original = settings.clone();
    original.image_types = vec![ImageType::Original];
    let is_shape = |f: &Family| matches!(f, Family::Morphology | Family::Shape2d);
    if !settings.image_types.contains(&ImageType::Original) {
        // PyRadiomics computes shape on the original image whatever the image types.
        original.families.retain(is_shape);
    }
    let mut out = if original.families.is_empty() {
        Vec::new()
    } else {
        crate::extract(image, mask, &original)?
    };
    let mut base = preprocess::crop(image, mask, settings.round_intensities)?;
    if let Some(b) = base.as_mut() {
        preprocess::resegment(b, &settings.resegmentation);
    }
    let region = base
        .as_ref()
        .filter(|b| b.imask.iter().any(|&m| m))
        .map(|b| VoxelBox {
            lo: b.origin,
            hi: std::array::from_fn(|k| b.origin[k] + b.dims[k] - 1),
        });
    let filtered: Vec<Filtered> = settings
        .image_types
        .par_iter()
        .flat_map_iter(|t| filter(t, image, region))
        .collect();
    let mut texture = settings.clone();
    texture.families.retain(|f| !is_shape(f));
    texture.image_types = vec![ImageType::Original];
    let template = Roi::empty(image.spacing);
    let per_image: Vec<Result<Vec<FeatureValue>>> = filtered
        .into_par_iter()
        .map(|(name, values)| {
            let mut s = texture.clone();
            s.pyradiomics.prefix = name;
            let (roi, why) = match (values, &base) {
                (Ok(v), Some(b)) => {
                    let imask = b
                        .imask
                        .iter()
                        .zip(&v)
                        .map(|(&m, x)| m && x.is_finite())
                        .collect();
                    (
                        Roi {
                            dims: b.dims,
                            spacing: b.spacing,
                            values: v,
                            morph: b.morph.clone(),
                            imask,
                            origin: b.origin,
                        },
                        None,
                    )
                }
                (Ok(_), None) => (template.clone(), Some("the ROI is empty".to_string())),
                (Err(e), _) => (template.clone(), Some(e)),
            };
            let grid = preprocess::discretise_pyradiomics(&roi, &s.discretisation)?;
            let mut raw: Vec<Raw> = Vec::new();
            crate::pyradiomics::extract(&roi, &grid, image.dims()[2], &s, &mut raw);
            let empty = !roi.imask.iter().any(|&m| m);
            let mut f: Vec<FeatureValue> = raw
                .into_iter()
                .map(|r| match &why {
                    Some(w) => FeatureValue::undefined(r.name, w.clone()),
                    None if r.value.is_finite() => FeatureValue::new(r.name, r.value),
                    None if empty => FeatureValue::undefined(
                        r.name,
                        "the ROI has no voxels with a finite intensity",
                    ),
                    None => FeatureValue::undefined(r.name, r.why),
                })
                .collect();
            crate::codes::annotate(&mut f, &s);
            Ok(f)
        })
        .collect();
    for f in per_image {
        out.extend(f?);
    }
    Ok(out)
}
