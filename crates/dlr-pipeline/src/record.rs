//! What a run records: the types of `record.json` (cohort flow, exclusions, selection per
//! feature family, the evaluation, the audit, timings and provenance).

use crate::config::StudyConfig;
use crate::deep::BackboneChoice;
use dlr_learn::StepRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A patient left out, and why.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Exclusion {
    /// Patient.
    pub patient: String,
    /// Stage that excluded it.
    pub stage: String,
    /// Why.
    pub reason: String,
}

/// Cohort flow counts.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct CohortFlow {
    /// Patients in the manifest.
    pub manifest_patients: usize,
    /// Patients excluded, with reasons.
    pub excluded: Vec<Exclusion>,
    /// Patients analysed.
    pub included: usize,
    /// Training patients (events).
    pub train: usize,
    /// Training events.
    pub train_events: usize,
    /// Test patients.
    pub test: usize,
    /// Test events.
    pub test_events: usize,
}

/// What the selection did, per feature family.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SelectionRecord {
    /// Features extracted (after dropping incomplete columns).
    pub n_features: usize,
    /// Columns dropped because some patient had no value.
    pub incomplete_dropped: Vec<String>,
    /// The ICC step (radiomics only).
    pub icc: Option<StepRecordOut>,
    /// The chain's steps.
    pub steps: Vec<StepRecordOut>,
    /// Final features.
    pub selected: Vec<String>,
    /// LASSO coefficients of the final features.
    pub coefficients: Vec<(String, f64)>,
    /// LASSO cross-validation curve and coefficient paths.
    pub lasso: Option<LassoCurve>,
}

/// The LASSO CV curve and coefficient paths (for the figures).
#[derive(Debug, Clone, Serialize)]
pub struct LassoCurve {
    /// log(lambda) along the path.
    pub log_lambda: Vec<f64>,
    /// Mean CV deviance.
    pub cvm: Vec<f64>,
    /// Its standard error.
    pub cvsd: Vec<f64>,
    /// Index of lambda.min.
    pub index_min: usize,
    /// Index of lambda.1se.
    pub index_1se: usize,
    /// Non-zero coefficients per lambda.
    pub nzero: Vec<usize>,
    /// Coefficient paths of features that are ever non-zero (at most 30).
    pub paths: Vec<(String, Vec<f64>)>,
}

/// A serialisable copy of a selection step record.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecordOut {
    /// Step.
    pub step: String,
    /// Features in.
    pub n_in: usize,
    /// Features kept.
    pub n_kept: usize,
    /// Kept features (at most 200 listed).
    pub kept: Vec<String>,
    /// Note.
    pub note: String,
}

impl From<&StepRecord> for StepRecordOut {
    fn from(r: &StepRecord) -> Self {
        Self {
            step: r.step.clone(),
            n_in: r.n_in,
            n_kept: r.kept.len(),
            kept: r.kept.iter().take(200).cloned().collect(),
            note: r.note.clone(),
        }
    }
}

/// Everything a run produced, as written to `record.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Tool and version.
    pub tool: String,
    /// Version.
    pub version: String,
    /// The full configuration.
    pub config: StudyConfig,
    /// Seeds used (split, models).
    pub seeds: BTreeMap<String, u64>,
    /// SHA-256 of the manifest, clinical table and every image/mask.
    pub input_hashes: Vec<(PathBuf, String)>,
    /// Cohort flow.
    pub cohort: CohortFlow,
    /// How missing data were handled.
    pub missing_data: Vec<String>,
    /// Radiomics engine settings.
    pub radiomics_settings: Option<String>,
    /// Deep backbone and weights, or why deep features were skipped.
    pub deep_backbone: Option<BackboneChoice>,
    /// Selection per family.
    pub selection: BTreeMap<String, SelectionRecord>,
    /// LASSO formula of the selected deep features (the deep score).
    pub deep_score: Option<String>,
    /// Rad-score formula.
    pub rad_score: Option<String>,
    /// Clinical model: univariable screen and multivariable odds ratios.
    pub clinical_model: Option<serde_json::Value>,
    /// The configured members of the combined model (the paper's DLR model: radiomics + deep).
    pub combined_members: Vec<String>,
    /// The combined model's meta-model: logistic coefficients on each member's logit.
    pub combined_model: Option<serde_json::Value>,
    /// Models not fitted, with reasons.
    pub skipped_models: BTreeMap<String, String>,
    /// Evaluation.
    pub evaluation: dlr_stats::Evaluation,
    /// How the training cohort's predictions were made, and the apparent (in-sample) figures.
    pub training_predictions: TrainingPredictions,
    /// Warnings for the reader of the report.
    pub warnings: Vec<String>,
    /// ROIs served from cache / computed.
    pub cache: BTreeMap<String, usize>,
    /// Output files.
    pub outputs: Vec<PathBuf>,
    /// Wall-clock seconds per stage.
    pub stage_seconds: Vec<(String, f64)>,
    /// The study audit: duplicates, shape-only baseline, leakage checks, TRIPOD+AI items.
    pub audit: dlr_audit::StudyAudit,
    /// The deep pipeline refitted on features of the binary mask alone (annotation-style check).
    pub mask_only_deep: Option<MaskOnlyBaseline>,
}

/// The training cohort's predictions: which models' are out-of-fold (used in `predictions.csv`,
/// Table 2, the figures and for the Youden cut-off), how, and the apparent evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct TrainingPredictions {
    /// Models whose training predictions are out-of-fold.
    pub out_of_fold: Vec<String>,
    /// How they were made.
    pub method: String,
    /// Apparent (in-sample) evaluation of the training cohort: the models fitted on all training
    /// rows scoring those rows — optimistic, kept for comparison only.
    pub apparent: dlr_stats::Evaluation,
}

/// Test AUC of the deep model when the backbone sees only the binary ROI mask.
#[derive(Debug, Clone, Serialize)]
pub struct MaskOnlyBaseline {
    /// Test AUC of the study's deep model.
    pub deep_model_auc: f64,
    /// Test AUC of the same pipeline on mask-only crops.
    pub mask_only_auc: f64,
    /// DeLong 95% CI lower bound.
    pub lower: f64,
    /// DeLong 95% CI upper bound.
    pub upper: f64,
    /// Phase whose masks were used.
    pub phase: String,
    /// Plain-language warning when the mask alone comes within the margin.
    pub warning: Option<String>,
}

/// Why a finished run is only a partial result (the CLI's exit code says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shortfall {
    /// A model switched on in `[models]` was not fitted.
    ModelNotFitted,
    /// A leakage check of the audit failed.
    AuditFailed,
    /// Patients of the manifest were left out.
    PatientsExcluded,
}

impl RunRecord {
    /// Models switched on in `[models]` that were not fitted, with the reason.
    pub fn unfitted_models(&self) -> Vec<(String, String)> {
        self.skipped_models
            .iter()
            .filter(|(name, _)| {
                crate::config::ModelName::parse(name).is_some_and(|m| self.config.models.is_on(m))
            })
            .map(|(n, why)| (n.clone(), why.clone()))
            .collect()
    }

    /// The audit's failed leakage checks.
    pub fn failed_checks(&self) -> Vec<&dlr_audit::LeakageCheckResult> {
        self.audit
            .leakage_checks
            .iter()
            .filter(|c| !c.passed)
            .collect()
    }

    /// What makes this run partial, most severe first (empty: complete).
    pub fn shortfalls(&self) -> Vec<Shortfall> {
        let mut v = Vec::new();
        if !self.unfitted_models().is_empty() {
            v.push(Shortfall::ModelNotFitted);
        }
        if !self.failed_checks().is_empty() {
            v.push(Shortfall::AuditFailed);
        }
        if !self.cohort.excluded.is_empty() {
            v.push(Shortfall::PatientsExcluded);
        }
        v
    }
}
