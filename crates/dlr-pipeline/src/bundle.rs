//! The model bundle (`model.dlr`): what `dlr predict` needs to score a new patient with the
//! models a run fitted.

use crate::clinical::ClinicalEncoder;
use crate::config::StudyConfig;
use crate::deep::BackboneChoice;
use crate::error::{PipelineError, Result};
use crate::models::{FittedModels, Inputs, StoredMatrix};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Format version of the model bundles this version writes and reads (2: the deep crop rule is
/// part of the configuration).
pub const BUNDLE_FORMAT: u32 = 2;

/// The model bundle (`model.dlr`): everything needed to score a new patient.
///
/// Models are refitted from the stored training matrices at prediction time (every model is
/// seeded and deterministic); `train_digest` is the SHA-256 of the training predictions, so a
/// refit that differs in any bit is refused. The bundle holds derived feature values of the
/// training patients (no images): share it as you would share the training feature table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelBundle {
    /// Format version.
    pub format: u32,
    /// Tool version that wrote it.
    pub tool_version: String,
    /// The study configuration (column mapping, phases, preset, models, seeds).
    pub config: StudyConfig,
    /// Radiomics engine description (must match at prediction).
    pub radiomics_settings: Option<String>,
    /// Radiomics settings file content, when one was used.
    pub radiomics_settings_text: Option<String>,
    /// Deep backbone used.
    pub deep_backbone: Option<BackboneChoice>,
    /// Training radiomics matrix (columns after ICC and completeness filters).
    pub radiomics: Option<StoredMatrix>,
    /// Training deep matrix.
    pub deep: Option<StoredMatrix>,
    /// Training clinical matrix.
    pub clinical: Option<StoredMatrix>,
    /// Clinical encoder (imputation values from training).
    pub clinical_encoder: Option<ClinicalEncoder>,
    /// Training labels.
    pub labels: Vec<bool>,
    /// Training-cohort Youden cut-off per model (risk group: high when p ≥ cut-off).
    pub cutoffs: BTreeMap<String, f64>,
    /// SHA-256 of the training predictions of every model.
    pub train_digest: String,
    /// SHA-256 of this bundle's content without this field.
    pub content_hash: String,
}

/// Digest of a prediction map (bit-exact).
pub fn predictions_digest(p: &BTreeMap<String, Vec<f64>>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (k, v) in p {
        parts.push(k.clone());
        parts.push(
            v.iter()
                .map(|x| format!("{:016x}", x.to_bits()))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    crate::store::hash_parts(&refs)
}

impl ModelBundle {
    /// The bundle of a run: configuration, engines, training matrices, encoder, cut-offs and
    /// the digest of the training predictions, with its content hash.
    pub fn new(
        cfg: &StudyConfig,
        featuriser: &crate::stages::featurise::Featuriser,
        matrices: &crate::stages::fit::CohortMatrices,
        y_train: &[bool],
        cutoffs: BTreeMap<String, f64>,
        train_predictions: &BTreeMap<String, Vec<f64>>,
    ) -> Result<Self> {
        let mut bundle = ModelBundle {
            format: BUNDLE_FORMAT,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            config: cfg.clone(),
            radiomics_settings: featuriser.radiomics.as_ref().map(|e| e.describe()),
            radiomics_settings_text: featuriser.radiomics_settings_text.clone(),
            deep_backbone: featuriser.deep_choice.clone(),
            radiomics: matrices
                .train
                .radiomics
                .as_ref()
                .map(StoredMatrix::from_matrix),
            deep: matrices.train.deep.as_ref().map(StoredMatrix::from_matrix),
            clinical: matrices
                .train
                .clinical
                .as_ref()
                .map(StoredMatrix::from_matrix),
            clinical_encoder: matrices.encoder.clone(),
            labels: y_train.to_vec(),
            cutoffs,
            train_digest: predictions_digest(train_predictions),
            content_hash: String::new(),
        };
        bundle.content_hash = bundle.compute_hash()?;
        Ok(bundle)
    }

    /// Computes the content hash (over the JSON without `content_hash`).
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

    /// Inputs of the training rows.
    pub fn training_inputs(&self) -> Result<Inputs> {
        Ok(Inputs {
            radiomics: self
                .radiomics
                .as_ref()
                .map(StoredMatrix::to_matrix)
                .transpose()?,
            deep: self
                .deep
                .as_ref()
                .map(StoredMatrix::to_matrix)
                .transpose()?,
            clinical: self
                .clinical
                .as_ref()
                .map(StoredMatrix::to_matrix)
                .transpose()?,
        })
    }
}

/// Reads a bundle and checks its content hash.
pub fn read_bundle(path: &Path) -> Result<ModelBundle> {
    let bytes = std::fs::read(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let b: ModelBundle = serde_json::from_slice(&bytes).map_err(|e| {
        PipelineError::Data(format!("{}: not a dlr model bundle ({e})", path.display()))
    })?;
    if b.compute_hash()? != b.content_hash {
        return Err(PipelineError::Data(format!(
            "{}: content hash mismatch: the bundle was modified or damaged",
            path.display()
        )));
    }
    if b.format != BUNDLE_FORMAT {
        return Err(PipelineError::Data(format!(
            "{}: bundle format {} was written by dlr {}; this dlr reads format {BUNDLE_FORMAT}: re-run `dlr run` with this version to make a new bundle",
            path.display(),
            b.format,
            b.tool_version
        )));
    }
    Ok(b)
}

/// Refits the bundle's models and checks they reproduce the training predictions bit for bit.
pub fn refit_bundle(b: &ModelBundle) -> Result<FittedModels> {
    let inputs = b.training_inputs()?;
    let fitted = crate::models::fit_models(&b.config, &inputs, &b.labels)?;
    let p = fitted.predict(&b.config, &inputs)?;
    if predictions_digest(&p) != b.train_digest {
        return Err(PipelineError::Data(
            "refitting the bundle's models did not reproduce the training predictions exactly (different dlr version or platform?); re-run `dlr run` with this version".into(),
        ));
    }
    Ok(fitted)
}
