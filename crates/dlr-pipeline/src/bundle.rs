//! The model bundle (`model.dlr`): the fitted models of a run, which `dlr predict` applies to new
//! patients without refitting anything.
//!
//! A bundle is the file people share with other hospitals, so it carries fitted models and never
//! patients' rows: the selection chains (kept columns, z-score means and SDs, LASSO coefficients),
//! the random-forest trees, the SVM, the logistic models, the stack's meta-model, the clinical
//! encoder's imputation values and the training cut-offs. The one inherent exception is the SVM of
//! the deep model, whose support vectors are (selected, z-scored) training rows. The format is
//! versioned JSON, documented in `docs/model-bundle.md`, with a SHA-256 content hash.

use crate::clinical::ClinicalEncoder;
use crate::config::StudyConfig;
use crate::deep::BackboneChoice;
use crate::error::{PipelineError, Result};
use crate::models::FittedModels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Format version of the bundles this version writes and reads (3: fitted models instead of
/// training matrices).
pub const BUNDLE_FORMAT: u32 = 3;

/// The input columns each model family was trained on, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelInputs {
    /// Radiomics columns (`<phase>_<feature>`) after the completeness and ICC filters.
    pub radiomics: Option<Vec<String>>,
    /// Deep feature columns.
    pub deep: Option<Vec<String>>,
    /// Encoded clinical columns.
    pub clinical: Option<Vec<String>>,
}

/// The model bundle (`model.dlr`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelBundle {
    /// Format version ([`BUNDLE_FORMAT`]).
    pub format: u32,
    /// Tool version that wrote it.
    pub tool_version: String,
    /// The study configuration (column mapping, phases, preset, models, seeds).
    pub config: StudyConfig,
    /// Radiomics engine description (must match at prediction).
    pub radiomics_settings: Option<String>,
    /// Radiomics settings file content, when one was used.
    pub radiomics_settings_text: Option<String>,
    /// Deep backbone and the SHA-256 of its weights.
    pub deep_backbone: Option<BackboneChoice>,
    /// Input columns per model family.
    pub inputs: ModelInputs,
    /// Clinical encoder (levels and the training imputation values).
    pub clinical_encoder: Option<ClinicalEncoder>,
    /// The fitted models.
    pub models: FittedModels,
    /// Training-cohort Youden cut-off per model (risk group: high when p ≥ cut-off).
    pub cutoffs: BTreeMap<String, f64>,
    /// SHA-256 of this bundle's JSON without this field.
    pub content_hash: String,
}

impl ModelBundle {
    /// The bundle of a run, with its content hash.
    pub fn new(
        cfg: &StudyConfig,
        featuriser: &crate::stages::featurise::Featuriser,
        matrices: &crate::stages::fit::CohortMatrices,
        models: &FittedModels,
        cutoffs: BTreeMap<String, f64>,
    ) -> Result<Self> {
        let names = |m: &Option<dlr_learn::Matrix>| m.as_ref().map(|m| m.names().to_vec());
        let mut bundle = ModelBundle {
            format: BUNDLE_FORMAT,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            config: cfg.clone(),
            radiomics_settings: featuriser.radiomics.as_ref().map(|e| e.describe()),
            radiomics_settings_text: featuriser.radiomics_settings_text.clone(),
            deep_backbone: featuriser.deep_choice.clone(),
            inputs: ModelInputs {
                radiomics: names(&matrices.train.radiomics),
                deep: names(&matrices.train.deep),
                clinical: names(&matrices.train.clinical),
            },
            clinical_encoder: matrices.encoder.clone(),
            models: models.clone(),
            cutoffs,
            content_hash: String::new(),
        };
        bundle.content_hash = bundle.compute_hash()?;
        Ok(bundle)
    }

    /// The SHA-256 of the bundle's JSON with `content_hash` left empty.
    pub fn compute_hash(&self) -> Result<String> {
        let mut c = self.clone();
        c.content_hash = String::new();
        let bytes = serde_json::to_vec(&c).map_err(|source| PipelineError::Json {
            path: "model.dlr".into(),
            source,
        })?;
        use sha2::Digest;
        Ok(hex::encode(sha2::Sha256::digest(&bytes)))
    }
}

/// Reads a bundle: checks its format version (older bundles are refused with the way out) and
/// its content hash.
pub fn read_bundle(path: &Path) -> Result<ModelBundle> {
    let bytes = std::fs::read(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let not_a_bundle = |e: serde_json::Error| {
        PipelineError::Data(format!("{}: not a dlr model bundle ({e})", path.display()))
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(not_a_bundle)?;
    let format = value.get("format").and_then(serde_json::Value::as_u64);
    if format != Some(u64::from(BUNDLE_FORMAT)) {
        let version = value
            .get("tool_version")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("an unknown version");
        return Err(PipelineError::Data(format!(
            "{}: bundle format {} was written by dlr {version}; this dlr reads format {BUNDLE_FORMAT} (fitted models, no patient rows): re-run `dlr run` with this version to make a new bundle",
            path.display(),
            format.map_or("unknown".to_string(), |f| f.to_string()),
        )));
    }
    let b: ModelBundle = serde_json::from_value(value).map_err(not_a_bundle)?;
    if b.compute_hash()? != b.content_hash {
        return Err(PipelineError::Data(format!(
            "{}: content hash mismatch: the bundle was modified or damaged",
            path.display()
        )));
    }
    Ok(b)
}
