//! Extraction settings: which families, how to discretise, re-segment, interpolate and aggregate,
//! and which naming/convention set (IBSI or PyRadiomics) to follow. Read from TOML.

use crate::error::{RadiomicsError, Result};
use serde::Deserialize;

/// Naming and convention set of the reported features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Naming {
    /// IBSI conventions; names are the `tag` column of the IBSI reference tables (`cm_joint_max_2D_avg`).
    Ibsi,
    /// PyRadiomics conventions (binning origin at 0, `voxelArrayShift`, eps terms) and names
    /// (`original_glcm_Contrast`).
    #[serde(rename = "pyradiomics")]
    PyRadiomics,
}

/// Feature family (IBSI) or feature class (PyRadiomics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Morphology (IBSI mesh-based 3D; PyRadiomics `shape`).
    Morphology,
    /// PyRadiomics `shape2D` (non-IBSI 2D shape descriptors).
    Shape2d,
    /// Local intensity peaks (IBSI only).
    LocalIntensity,
    /// Intensity-based statistics (IBSI) / PyRadiomics `firstorder`.
    Statistics,
    /// Intensity histogram (IBSI only; PyRadiomics folds it into `firstorder`).
    IntensityHistogram,
    /// Intensity–volume histogram (IBSI only).
    Ivh,
    /// Grey level co-occurrence matrix.
    Glcm,
    /// Grey level run length matrix.
    Glrlm,
    /// Grey level size zone matrix.
    Glszm,
    /// Grey level distance zone matrix (IBSI only).
    Gldzm,
    /// Neighbourhood grey tone difference matrix.
    Ngtdm,
    /// Neighbouring grey level dependence matrix (PyRadiomics `gldm`).
    Ngldm,
}

impl Family {
    /// Every IBSI family.
    pub const IBSI_ALL: [Family; 11] = [
        Family::Morphology,
        Family::LocalIntensity,
        Family::Statistics,
        Family::IntensityHistogram,
        Family::Ivh,
        Family::Glcm,
        Family::Glrlm,
        Family::Glszm,
        Family::Gldzm,
        Family::Ngtdm,
        Family::Ngldm,
    ];
}

/// Texture aggregation dimensionality (IBSI 2D by slice, 2.5D, 3D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Aggregation {
    /// Per slice matrices (IBSI BTW3 averaged / SUJT merged).
    #[serde(rename = "2d")]
    TwoD,
    /// Slices merged (IBSI JJUI / ZW7Z).
    #[serde(rename = "2.5d")]
    TwoAndHalfD,
    /// Volumetric (IBSI ITBB / IAZD).
    #[serde(rename = "3d")]
    ThreeD,
}

/// Grey-level discretisation.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Discretisation {
    /// Use the (rounded) intensities as grey levels; they must be integers ≥ 1.
    None,
    /// Fixed bin number (IBSI K15C).
    FixedBinNumber {
        /// Number of bins.
        bins: u32,
    },
    /// Fixed bin size (IBSI Q3RU; PyRadiomics `binWidth`).
    FixedBinSize {
        /// Bin width in intensity units.
        width: f64,
    },
}

/// Re-segmentation of the intensity mask.
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resegmentation {
    /// Keep voxels with intensity in `[lo, hi]` (either bound may be infinite).
    pub range: Option<[f64; 2]>,
    /// Remove voxels outside mean ± `outlier_sigma` · SD (IBSI uses 3).
    pub outlier_sigma: Option<f64>,
}

/// Image interpolation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterpolationMethod {
    /// Trilinear (bilinear in 2D).
    Linear,
    /// Tricubic B-spline (scipy `map_coordinates(order=3, mode="nearest")`, IBSI config E).
    CubicSpline,
}

/// Interpolation to a new grid (IBSI grid-centre alignment).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interpolation {
    /// New voxel spacing in mm; a component ≤ 0 keeps that axis (2D in-plane interpolation).
    pub spacing: [f64; 3],
    /// Intensity interpolator.
    pub method: InterpolationMethod,
    /// Round interpolated intensities to the nearest integer.
    #[serde(default)]
    pub round_intensities: bool,
    /// Partial-volume threshold of the linearly interpolated ROI mask (IBSI: 0.5).
    #[serde(default = "half")]
    pub mask_threshold: f64,
}

fn half() -> f64 {
    0.5
}

/// PyRadiomics-specific options (used when `naming = "pyradiomics"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PyRadiomicsOptions {
    /// Shift added to intensities for Energy, TotalEnergy and RootMeanSquared (`voxelArrayShift`).
    pub voxel_array_shift: f64,
    /// Compute texture matrices per slice (`force2D`).
    pub force2d: bool,
    /// Axis normal to the slices for `force2D` (0 = z, as PyRadiomics' `force2Ddimension` 0).
    pub force2d_dimension: u8,
    /// Feature-name prefix (`original`, or e.g. `wavelet-LLH` for a filtered image passed in).
    pub prefix: String,
}

impl Default for PyRadiomicsOptions {
    fn default() -> Self {
        Self {
            voxel_array_shift: 0.0,
            force2d: false,
            force2d_dimension: 0,
            prefix: "original".into(),
        }
    }
}

/// An image the features are computed on (PyRadiomics `imageType`): the original image or a
/// filtered one. TOML: `[[image_types]]` tables with `type = "original" | "wavelet" | "log"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ImageType {
    /// The image as given (names `original_…`; the only type computing shape).
    Original,
    /// PyRadiomics' undecimated wavelet (`wavelet-LLH_…`, `wavelet2-LLH_…`, `wavelet-LLL_…`).
    Wavelet {
        /// Wavelet name (`coif1` default; `haar`, `db1`–`db4`, `sym2`–`sym4`).
        #[serde(default = "coif1")]
        wavelet: String,
        /// Number of reported levels (default 1).
        #[serde(default = "one_usize")]
        level: usize,
        /// Levels computed but not reported before the first reported one (default 0).
        #[serde(default)]
        start_level: usize,
    },
    /// PyRadiomics' Laplacian of Gaussian (`log-sigma-1-0-mm-3D_…`), one image per σ (mm).
    Log {
        /// Gaussian σ values in mm, each > 0.
        sigmas: Vec<f64>,
    },
}

fn coif1() -> String {
    "coif1".into()
}
fn one_usize() -> usize {
    1
}
fn original_only() -> Vec<ImageType> {
    vec![ImageType::Original]
}

/// All extraction settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Naming and convention set.
    pub naming: Naming,
    /// Families to compute.
    pub families: Vec<Family>,
    /// Texture aggregations to report (IBSI naming); PyRadiomics uses its own (3D, or 2D with force2d).
    #[serde(default = "default_aggregations")]
    pub aggregations: Vec<Aggregation>,
    /// Discretisation of texture matrices and the intensity histogram.
    pub discretisation: Discretisation,
    /// Discretisation for the intensity–volume histogram (IBSI); `None` uses intensities directly.
    #[serde(default = "default_ivh")]
    pub ivh_discretisation: Discretisation,
    /// Re-segmentation.
    #[serde(default)]
    pub resegmentation: Resegmentation,
    /// Interpolation (none when absent).
    #[serde(default)]
    pub interpolation: Option<Interpolation>,
    /// Round intensities to the nearest integer before anything else (IBSI CT phantom rule).
    #[serde(default)]
    pub round_intensities: bool,
    /// GLCM / NGTDM / NGLDM Chebyshev distance.
    #[serde(default = "one")]
    pub distance: u32,
    /// NGLDM coarseness parameter α (PyRadiomics `gldm_a`).
    #[serde(default)]
    pub ngldm_alpha: u32,
    /// PyRadiomics options.
    #[serde(default)]
    pub pyradiomics: PyRadiomicsOptions,
    /// Images to compute features on (default: only the original; filtered images need
    /// `naming = "pyradiomics"`).
    #[serde(default = "original_only")]
    pub image_types: Vec<ImageType>,
}

fn one() -> u32 {
    1
}
fn default_aggregations() -> Vec<Aggregation> {
    vec![
        Aggregation::TwoD,
        Aggregation::TwoAndHalfD,
        Aggregation::ThreeD,
    ]
}
fn default_ivh() -> Discretisation {
    Discretisation::None
}

impl Settings {
    /// PyRadiomics' defaults: original image, all default classes (firstorder, shape — skipped
    /// for 2D images as PyRadiomics does —, glcm, glrlm, glszm, gldm, ngtdm; shape2D is not a
    /// default class in PyRadiomics either: add [`Family::Shape2d`] to get it), bin width 25,
    /// no shift, no resampling, 3D matrices.
    pub fn pyradiomics_default() -> Self {
        Settings {
            naming: Naming::PyRadiomics,
            families: vec![
                Family::Statistics,
                Family::Morphology,
                Family::Glcm,
                Family::Glrlm,
                Family::Glszm,
                Family::Ngldm,
                Family::Ngtdm,
            ],
            aggregations: vec![Aggregation::ThreeD],
            discretisation: Discretisation::FixedBinSize { width: 25.0 },
            ivh_discretisation: Discretisation::None,
            resegmentation: Resegmentation::default(),
            interpolation: None,
            round_intensities: false,
            distance: 1,
            ngldm_alpha: 0,
            pyradiomics: PyRadiomicsOptions::default(),
            image_types: original_only(),
        }
    }

    /// IBSI settings for the digital phantom: no processing, intensities are the grey levels,
    /// all families and aggregations.
    pub fn ibsi_digital_phantom() -> Self {
        Settings {
            naming: Naming::Ibsi,
            families: Family::IBSI_ALL.to_vec(),
            aggregations: default_aggregations(),
            discretisation: Discretisation::None,
            ivh_discretisation: Discretisation::None,
            resegmentation: Resegmentation::default(),
            interpolation: None,
            round_intensities: false,
            distance: 1,
            ngldm_alpha: 0,
            pyradiomics: PyRadiomicsOptions::default(),
            image_types: original_only(),
        }
    }

    /// Parses settings from TOML text and validates them.
    pub fn from_toml_str(text: &str) -> Result<Self> {
        let s: Settings = toml::from_str(text).map_err(|e| RadiomicsError::Parse(e.to_string()))?;
        s.validate()?;
        Ok(s)
    }

    /// Checks the settings for values that cannot work, with a clear message.
    pub fn validate(&self) -> Result<()> {
        match self.discretisation {
            Discretisation::FixedBinNumber { bins: 0 } => {
                return Err(RadiomicsError::Settings(
                    "fixed bin number needs bins ≥ 1".into(),
                ))
            }
            Discretisation::FixedBinSize { width } if !(width > 0.0 && width.is_finite()) => {
                return Err(RadiomicsError::Settings(format!(
                    "fixed bin size needs a positive width, got {width}"
                )))
            }
            _ => {}
        }
        if let Discretisation::FixedBinSize { width } = self.ivh_discretisation {
            if !(width > 0.0 && width.is_finite()) {
                return Err(RadiomicsError::Settings(format!(
                    "IVH fixed bin size needs a positive width, got {width}"
                )));
            }
        }
        if self.distance == 0 {
            return Err(RadiomicsError::Settings("distance must be ≥ 1".into()));
        }
        if self.distance != 1 {
            return Err(RadiomicsError::Settings(
                "only distance 1 is supported so far (IBSI and PyRadiomics default)".into(),
            ));
        }
        if let Some(r) = self.resegmentation.range {
            if r[0].is_nan() || r[1].is_nan() || r[0] > r[1] {
                return Err(RadiomicsError::Settings(format!(
                    "re-segmentation range {r:?} is not [low, high]"
                )));
            }
        }
        if let Some(s) = self.resegmentation.outlier_sigma {
            if s.is_nan() || s <= 0.0 {
                return Err(RadiomicsError::Settings(format!(
                    "outlier_sigma must be positive, got {s}"
                )));
            }
        }
        if self.interpolation.is_some() && self.naming == Naming::PyRadiomics {
            return Err(RadiomicsError::Settings(
                "resampling in the PyRadiomics preset is not supported yet".into(),
            ));
        }
        crate::filtered::validate_image_types(self)?;
        if self.pyradiomics.force2d_dimension != 0 {
            return Err(RadiomicsError::Settings(
                "only force2d_dimension = 0 (axial slices) is supported".into(),
            ));
        }
        if self.naming == Naming::PyRadiomics {
            for f in &self.families {
                if matches!(
                    f,
                    Family::LocalIntensity
                        | Family::IntensityHistogram
                        | Family::Ivh
                        | Family::Gldzm
                ) {
                    return Err(RadiomicsError::Settings(format!(
                        "family {f:?} has no PyRadiomics equivalent; use naming = \"ibsi\""
                    )));
                }
            }
        }
        Ok(())
    }
}
