//! `dlr run`: a study from its `study.toml` to predictions, evaluation, report and model bundle.
//!
//! Stages: validate → extract radiomics (all readers, cached per ROI) → deep features (primary
//! reader, cached per crop) → cohort assembly (exclusions recorded) → stratified split →
//! ICC filter on training reader pairs → selection chain and models fitted on the training
//! patients only → predictions for both cohorts → evaluation → report, record, bundle.

use crate::clinical::ClinicalEncoder;
use crate::config::{DuplicatePolicy, StudyConfig};
use crate::deep::BackboneChoice;
use crate::error::{PipelineError, Result};
use crate::evaluate::Evaluation;
use crate::extract::{Engine, RoiJob};
use crate::models::{learn_err, FittedModels, Inputs, StoredMatrix, MODEL_NAMES};
use crate::store::{write_json, StageCache};
use crate::table::{assemble, FeatureTable, RoiFeatures, RoiKey};
use dlr_learn::{Matrix, StepRecord};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Options of a run that are not part of the study.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Run folder.
    pub out_dir: PathBuf,
    /// Show progress bars.
    pub progress: bool,
}

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
    /// Rad-score formula.
    pub rad_score: Option<String>,
    /// Clinical model: univariable screen and multivariable odds ratios.
    pub clinical_model: Option<serde_json::Value>,
    /// Models not fitted, with reasons.
    pub skipped_models: BTreeMap<String, String>,
    /// Evaluation.
    pub evaluation: Evaluation,
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

/// Pooled backbone features of each patient's binary ROI mask (0/255 image) in `phase`.
fn mask_only_features(
    backbone: &dyn dlr_deep::Backbone,
    crop: &dlr_deep::CropOptions,
    jobs: &[RoiJob],
    phase: &str,
) -> BTreeMap<String, Vec<f32>> {
    let mut inputs: Vec<(String, Vec<f32>)> = Vec::new();
    for j in jobs.iter().filter(|j| j.key.phase == phase) {
        let Ok((_, mask)) = crate::extract::load_roi(&j.image, &j.masks) else {
            continue;
        };
        let Ok(img) = dlr_image::Image::new(
            mask.data()
                .iter()
                .map(|&v| if v != 0 { 255.0 } else { 0.0 })
                .collect(),
            mask.dims(),
        ) else {
            continue;
        };
        if let Ok(t) = dlr_deep::roi_crop(&img, Some(&mask), crop) {
            inputs.push((j.key.patient.clone(), t));
        }
    }
    let mut out = BTreeMap::new();
    for chunk in inputs.chunks(8) {
        let batch: Vec<f32> = chunk.iter().flat_map(|(_, t)| t.iter().copied()).collect();
        if let Ok(f) = backbone.features(&batch, chunk.len()) {
            for ((id, _), v) in chunk.iter().zip(f) {
                out.insert(id.clone(), v);
            }
        }
    }
    out
}

/// The inputs of one study, read and validated.
pub struct LoadedStudy {
    /// The study view (patients with outcome, clinical row and scans).
    pub study: dlr_study::Study,
    /// The clinical table, when any.
    pub clinical: Option<dlr_study::ClinicalTable>,
    /// Patients left out by validation.
    pub excluded: Vec<Exclusion>,
    /// Patients in the manifest.
    pub manifest_patients: usize,
}

/// Manifest column mapping of a config.
pub fn manifest_columns(cfg: &StudyConfig) -> dlr_study::ManifestColumns {
    let mut m = cfg.study.columns.clone();
    if cfg.study.clinical.is_none() && m.label.is_none() {
        m.label = Some(cfg.study.outcome.clone());
        m.positive = m.positive.take().or_else(|| cfg.study.positive.clone());
    }
    m
}

/// Reads and validates a study; patients with errors are excluded (listed), table-level
/// errors stop the run with every problem listed.
pub fn load(cfg: &StudyConfig, require_outcome: bool) -> Result<LoadedStudy> {
    let cols = manifest_columns(cfg);
    let mut copts = dlr_study::ClinicalOptions::with_outcome(cfg.study.outcome.clone());
    copts.id_column = cfg.study.columns.id.clone();
    if !cfg.study.clinical_covariates.is_empty() {
        copts.covariates = Some(cfg.study.clinical_covariates.clone());
    }
    let clinical_path = cfg.study.clinical.as_ref().map(|p| cfg.resolve(p));
    let manifest_path = cfg.resolve(&cfg.study.manifest);
    let mut input = dlr_study::StudyInput::read(
        &manifest_path,
        &cols,
        clinical_path.as_deref().map(|p| (p, &copts)),
    )
    .map_err(|e| PipelineError::Data(e.to_string()))?;
    let vopts = dlr_study::ValidateOptions {
        expected_phases: cfg.study.phases.clone(),
        ..Default::default()
    };
    let report = dlr_study::validate(&input, &vopts);
    let manifest_patients = report.patients;
    let mut excluded: BTreeMap<String, String> = BTreeMap::new();
    let mut fatal = Vec::new();
    for p in report
        .problems
        .iter()
        .filter(|p| p.severity == dlr_study::Severity::Error)
    {
        let outcome_problem = matches!(
            p.kind.as_str(),
            "outcome_not_binary" | "missing_outcome" | "missing_value"
        );
        if !require_outcome && outcome_problem {
            continue;
        }
        match &p.patient {
            Some(id) => {
                excluded
                    .entry(id.clone())
                    .or_insert_with(|| format!("{}: {} ({})", p.kind.as_str(), p.message, p.fix));
            }
            None => fatal.push(format!("{}: {} -> {}", p.kind.as_str(), p.message, p.fix)),
        }
    }
    if !fatal.is_empty() {
        return Err(PipelineError::Data(format!(
            "the study cannot be read:\n  {}",
            fatal.join("\n  ")
        )));
    }
    input
        .manifest
        .entries
        .retain(|e| !excluded.contains_key(&e.patient_id));
    if let Some(c) = input.clinical.as_mut() {
        if !require_outcome {
            for r in c.rows.iter_mut() {
                if r.outcome().is_none() {
                    r.outcome_raw = Some("0".into());
                }
            }
        }
    }
    let study = if require_outcome {
        dlr_study::load_study(&input).map_err(|e| PipelineError::Data(e.to_string()))?
    } else {
        load_without_outcome(&input)?
    };
    Ok(LoadedStudy {
        study,
        clinical: input.clinical.clone(),
        excluded: excluded
            .into_iter()
            .map(|(patient, reason)| Exclusion {
                patient,
                stage: "validation".into(),
                reason,
            })
            .collect(),
        manifest_patients,
    })
}

fn load_without_outcome(input: &dlr_study::StudyInput) -> Result<dlr_study::Study> {
    let mut input = input.clone();
    if input.clinical.is_none() && input.manifest.columns.label.is_some() {
        // New patients may come without a label: give every entry a placeholder label.
        let neg = input.manifest.columns.negative.clone();
        let pos = input.manifest.columns.positive.clone();
        for e in input.manifest.entries.iter_mut() {
            if e.label.is_none() || e.label.as_deref() == Some("") {
                e.label = neg.clone().or(Some("0".into()));
                if pos.is_none() && neg.is_none() {
                    e.label = Some("0".into());
                }
            }
        }
    }
    dlr_study::load_study(&input).map_err(|e| PipelineError::Data(e.to_string()))
}

/// Jobs for the scans of `phases` × `readers` of the given patients.
pub fn scan_jobs(
    study: &dlr_study::Study,
    phases: &[String],
    readers: Option<&[String]>,
) -> Vec<RoiJob> {
    let mut jobs = Vec::new();
    for p in &study.patients {
        for s in &p.scans {
            if !phases.contains(&s.phase) {
                continue;
            }
            let reader = if s.reader.is_empty() {
                "1".to_string()
            } else {
                s.reader.clone()
            };
            if let Some(rs) = readers {
                if !rs.contains(&reader) {
                    continue;
                }
            }
            jobs.push(RoiJob {
                key: RoiKey {
                    patient: p.id.clone(),
                    phase: s.phase.clone(),
                    reader,
                },
                image: s.image.clone(),
                masks: s.masks.clone(),
            });
        }
    }
    jobs
}

/// The primary reader of a config ("1" when unnamed).
pub fn primary_reader(cfg: &StudyConfig) -> String {
    cfg.study
        .primary_reader
        .clone()
        .or_else(|| cfg.study.readers.first().cloned())
        .unwrap_or_else(|| "1".into())
}

/// Converts a feature table to a learn matrix (rows in table order).
pub fn table_matrix(t: &FeatureTable, rows: &[usize], cols: &[usize]) -> Result<Matrix> {
    let mut data = Vec::with_capacity(rows.len() * cols.len());
    for &i in rows {
        for &j in cols {
            data.push(t.get(i, j));
        }
    }
    Matrix::new(
        data,
        rows.len(),
        cols.len(),
        cols.iter().map(|&j| t.columns[j].clone()).collect(),
    )
    .map_err(learn_err)
}

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
    /// Computes the content hash (over the JSON without `content_hash`).
    pub fn compute_hash(&self) -> Result<String> {
        let mut c = self.clone();
        c.content_hash = String::new();
        let bytes = serde_json::to_vec(&c).map_err(|e| PipelineError::Data(e.to_string()))?;
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

/// Runs a study end to end.
pub fn run(cfg: &StudyConfig, opts: &RunOptions) -> Result<RunRecord> {
    let out = &opts.out_dir;
    std::fs::create_dir_all(out).map_err(|source| PipelineError::Io {
        path: out.clone(),
        source,
    })?;
    let cache = StageCache::new(out);
    let mut warnings = Vec::new();
    let mut missing_data = Vec::new();
    let mut cache_counts = BTreeMap::new();

    let mut stage_seconds: Vec<(String, f64)> = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &str, clock: &mut std::time::Instant| {
        stage_seconds.push((name.to_string(), clock.elapsed().as_secs_f64()));
        *clock = std::time::Instant::now();
    };
    // 1. Study.
    let loaded = load(cfg, true)?;
    lap("validate", &mut clock);
    let study = &loaded.study;
    let mut excluded = loaded.excluded.clone();
    let primary = primary_reader(cfg);
    let phases = cfg.study.phases.clone();

    // 2. Radiomics (all readers: the ICC needs the second one).
    let mut rois: Vec<RoiFeatures> = Vec::new();
    let mut engine_desc = None;
    let mut input_hashes: Vec<(PathBuf, String)> = Vec::new();
    for p in [
        Some(cfg.resolve(&cfg.study.manifest)),
        cfg.study.clinical.as_ref().map(|c| cfg.resolve(c)),
    ]
    .into_iter()
    .flatten()
    {
        input_hashes.push((p.clone(), crate::store::file_sha256(&p)?));
    }
    let settings_file = cfg.radiomics.settings.as_ref().map(|p| cfg.resolve(p));
    let settings_text = match &settings_file {
        Some(p) => Some(
            std::fs::read_to_string(p).map_err(|source| PipelineError::Io {
                path: p.clone(),
                source,
            })?,
        ),
        None => None,
    };
    let want_rad = cfg.radiomics.enabled && (cfg.models.radiomics || cfg.models.combined);
    if want_rad {
        let engine = Engine::from_preset(cfg.radiomics.preset, settings_file.as_deref())?;
        engine_desc = Some(engine.describe());
        let jobs = scan_jobs(study, &phases, None);
        let res = crate::extract::extract_all(&engine, &jobs, Some(&cache), opts.progress);
        cache_counts.insert("radiomics_rois_cached".into(), res.cached);
        cache_counts.insert("radiomics_rois".into(), res.rois.len());
        input_hashes.extend(res.input_hashes.iter().cloned());
        for f in &res.failures {
            if f.key.reader == primary {
                excluded.push(Exclusion {
                    patient: f.key.patient.clone(),
                    stage: "radiomics".into(),
                    reason: format!("{} ({}): {}", f.key.phase, f.image.display(), f.reason),
                });
            } else {
                warnings.push(format!(
                    "reader {} ROI of patient {} phase {} failed ({}); that patient is left out of the ICC",
                    f.key.reader, f.key.patient, f.key.phase, f.reason
                ));
            }
        }
        rois = res.rois;
    }

    lap("radiomics", &mut clock);
    // 3. Deep features (primary reader).
    let want_deep = cfg.deep.enabled && (cfg.models.deep || cfg.models.combined);
    let mut deep_rois: Vec<RoiFeatures> = Vec::new();
    let mut mask_feats: BTreeMap<String, Vec<f32>> = BTreeMap::new();
    let mut deep_choice = None;
    if want_deep {
        let choice = crate::deep::choose_backbone(
            cfg.deep.backbone.kind(),
            cfg.deep.weights.as_ref().map(|w| cfg.resolve(w)).as_deref(),
        )?;
        if let BackboneChoice::Use {
            kind,
            weights,
            sha256,
        } = &choice
        {
            let backbone = dlr_deep::load_backbone(*kind, weights)
                .map_err(|e| PipelineError::Data(e.to_string()))?;
            let crop = cfg.deep.crop_options();
            let jobs = scan_jobs(study, &phases, Some(std::slice::from_ref(&primary)));
            let (done, failed) = crate::deep::deep_features(
                backbone.as_ref(),
                sha256,
                &crop,
                &jobs,
                Some(&cache),
                opts.progress,
            );
            for f in failed {
                excluded.push(Exclusion {
                    patient: f.key.patient.clone(),
                    stage: "deep".into(),
                    reason: format!("{} ({}): {}", f.key.phase, f.image.display(), f.reason),
                });
            }
            deep_rois = done;
            if cfg.evaluation.shape_baseline {
                mask_feats = mask_only_features(backbone.as_ref(), &crop, &jobs, &phases[0]);
            }
        } else if let BackboneChoice::Skip { reason } = &choice {
            warnings.push(format!("deep features skipped: {reason}"));
        }
        deep_choice = Some(choice);
    }

    lap("deep", &mut clock);
    // 4. Cohort: patients with an outcome and every configured phase for the primary reader.
    let excluded_ids: std::collections::BTreeSet<String> =
        excluded.iter().map(|e| e.patient.clone()).collect();
    let mut patients: Vec<&dlr_study::StudyPatient> = Vec::new();
    for p in &study.patients {
        if excluded_ids.contains(&p.id) {
            continue;
        }
        let missing: Vec<&String> = phases
            .iter()
            .filter(|ph| {
                p.scan(ph, &primary).is_none() && !(primary == "1" && p.scan(ph, "").is_some())
            })
            .collect();
        if !missing.is_empty() {
            excluded.push(Exclusion {
                patient: p.id.clone(),
                stage: "cohort".into(),
                reason: format!("no ROI of reader {primary} for phase(s) {missing:?}"),
            });
            continue;
        }
        patients.push(p);
    }
    let mut ids: Vec<String> = patients.iter().map(|p| p.id.clone()).collect();
    let mut y: Vec<bool> = patients.iter().map(|p| p.outcome == 1).collect();
    let n_events = y.iter().filter(|&&b| b).count();
    if n_events < 4 || y.len() - n_events < 4 {
        return Err(PipelineError::Data(format!(
            "after exclusions {} patients remain with {} events: too few to split and model (need at least 4 of each class)",
            y.len(),
            n_events
        )));
    }

    // 5. Duplicate audit, then the split (near-duplicate clusters never straddle it by default).
    let mut audit_checks: Vec<dlr_audit::LeakageCheckResult> = Vec::new();
    let first_phase = &phases[0];
    let mut items = Vec::new();
    for (i, p) in patients.iter().enumerate() {
        let scan = p
            .scan(first_phase, &primary)
            .or_else(|| p.scan(first_phase, ""));
        if let Some(img) = scan.and_then(|s| dlr_image::read_image(&s.image).ok()) {
            items.push(dlr_audit::DuplicateItem {
                id: ids[i].clone(),
                fingerprint: dlr_audit::fingerprint(&img),
                label: Some(u8::from(y[i]).to_string()),
            });
        }
    }
    let dup_opts = dlr_audit::DuplicateOptions {
        near_threshold: cfg.split.duplicate_threshold,
    };
    let duplicates = dlr_audit::find_duplicates(&items, &dup_opts).ok();
    let mut grouped = false;
    if let Some(rep) = &duplicates {
        if rep.conflicting_count() > 0 {
            warnings.push(format!(
                "{} near-duplicate image pair(s) carry different outcomes: check the labels ({})",
                rep.conflicting_count(),
                rep.pairs
                    .iter()
                    .filter(|p| p.conflicting)
                    .take(5)
                    .map(|p| format!("{} / {} (r = {:.3})", p.a, p.b, p.similarity))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    if let (Some(rep), DuplicatePolicy::Drop) = (&duplicates, cfg.split.duplicates) {
        let dropped: std::collections::BTreeSet<String> = rep
            .drop_one_per_cluster()
            .iter()
            .map(|&k| rep.ids[k].clone())
            .collect();
        if !dropped.is_empty() {
            for id in &dropped {
                excluded.push(Exclusion {
                    patient: id.clone(),
                    stage: "duplicates".into(),
                    reason:
                        "near duplicate of another patient's image ([split] duplicates = \"drop\")"
                            .into(),
                });
            }
            let keep: Vec<usize> = (0..ids.len())
                .filter(|&i| !dropped.contains(&ids[i]))
                .collect();
            patients = keep.iter().map(|&i| patients[i]).collect();
            ids = keep.iter().map(|&i| ids[i].clone()).collect();
            y = keep.iter().map(|&i| y[i]).collect();
        }
    }
    let group_of: Option<Vec<usize>> = duplicates.as_ref().and_then(|rep| {
        if rep.clusters.is_empty() || cfg.split.duplicates != DuplicatePolicy::Group || rep.ids.len() != ids.len()
        {
            return None;
        }
        Some(rep.group_ids())
    });
    let duplicates = if cfg.split.duplicates == DuplicatePolicy::Drop {
        // Re-run on the kept patients so the report counts what remains.
        let kept: Vec<dlr_audit::DuplicateItem> = items
            .into_iter()
            .filter(|it| ids.contains(&it.id))
            .collect();
        dlr_audit::find_duplicates(&kept, &dup_opts).ok()
    } else {
        duplicates
    };
    let fold = match &group_of {
        Some(groups) => {
            grouped = true;
            dlr_audit::grouped_stratified_split(
                &y,
                groups,
                1.0 - cfg.split.test_fraction,
                cfg.split.seed,
            )
            .map_err(|e| PipelineError::Data(e.to_string()))?
        }
        None => dlr_learn::stratified_split(&y, 1.0 - cfg.split.test_fraction, cfg.split.seed)
            .map_err(learn_err)?,
    };
    let mut dup_summary = None;
    if let Some(rep) = &duplicates {
        let train_ids: Vec<&str> = fold.train.iter().map(|&i| ids[i].as_str()).collect();
        let test_ids: Vec<&str> = fold.test.iter().map(|&i| ids[i].as_str()).collect();
        let straddling = dlr_audit::straddling_pairs(rep, &train_ids, &test_ids).len();
        if straddling > 0 {
            warnings.push(format!(
                "{straddling} near-duplicate image pair(s) fall on both sides of the train/test split: the test AUC is optimistic (set [split] duplicates = \"group\")"
            ));
        }
        audit_checks.push(dlr_audit::LeakageCheckResult::duplicates_across_split(
            straddling, grouped,
        ));
        dup_summary = Some(dlr_audit::DuplicateSummary::from_report(
            rep,
            Some(straddling),
        ));
    }
    let y_train: Vec<bool> = fold.train.iter().map(|&i| y[i]).collect();
    let y_test: Vec<bool> = fold.test.iter().map(|&i| y[i]).collect();

    // 6. Matrices.
    let mut selection: BTreeMap<String, SelectionRecord> = BTreeMap::new();
    let mut train_in = Inputs::default();
    let mut test_in = Inputs::default();
    if want_rad && !rois.is_empty() {
        let table = assemble(&rois, &ids, &phases, &primary);
        let complete = table.complete_columns();
        let incomplete: Vec<String> = (0..table.columns.len())
            .filter(|j| !complete.contains(j))
            .map(|j| table.columns[j].clone())
            .collect();
        if !incomplete.is_empty() {
            missing_data.push(format!(
                "{} radiomics features undefined for at least one patient were dropped before selection",
                incomplete.len()
            ));
        }
        table.write_csv(&out.join("features_radiomics.csv"), "patient_id")?;
        let mut rec = SelectionRecord {
            n_features: complete.len(),
            incomplete_dropped: incomplete,
            ..Default::default()
        };
        let mut cols = complete.clone();
        // ICC on training patients read by both readers.
        let second = cfg.study.readers.iter().find(|r| **r != primary).cloned();
        if let Some(second) = second {
            let t2 = assemble(&rois, &ids, &phases, &second);
            let both: Vec<usize> = fold
                .train
                .iter()
                .copied()
                .filter(|&i| {
                    cols.iter().all(|&j| {
                        t2.columns.get(j) == Some(&table.columns[j]) && t2.get(i, j).is_finite()
                    })
                })
                .collect();
            if both.len() >= 5 && t2.columns == table.columns {
                let a = table_matrix(&table, &both, &cols)?;
                let b = table_matrix(&t2, &both, &cols)?;
                let r = crate::models::icc_filter(cfg, &a, &b)?;
                cols.retain(|&j| r.kept.contains(&table.columns[j]));
                rec.icc = Some((&r).into());
            } else {
                warnings.push(format!(
                    "ICC filter not applied: only {} training patients have complete second-reader ROIs",
                    both.len()
                ));
            }
        } else {
            warnings.push("single reader: the inter-reader ICC filter was not applied".into());
        }
        train_in.radiomics = Some(table_matrix(&table, &fold.train, &cols)?);
        test_in.radiomics = Some(table_matrix(&table, &fold.test, &cols)?);
        selection.insert("radiomics".into(), rec);
    }
    if !deep_rois.is_empty() {
        let table = assemble(&deep_rois, &ids, &phases, &primary);
        let complete = table.complete_columns();
        table.write_csv(&out.join("features_deep.csv"), "patient_id")?;
        train_in.deep = Some(table_matrix(&table, &fold.train, &complete)?);
        test_in.deep = Some(table_matrix(&table, &fold.test, &complete)?);
        selection.insert(
            "deep".into(),
            SelectionRecord {
                n_features: complete.len(),
                ..Default::default()
            },
        );
    }
    let mut encoder = None;
    if cfg.models.clinical || cfg.models.combined {
        if let Some(ct) = &loaded.clinical {
            let train_rows: Vec<Option<&dlr_study::ClinicalRow>> = fold
                .train
                .iter()
                .map(|&i| patients[i].clinical.as_ref())
                .collect();
            let enc =
                ClinicalEncoder::fit(&ct.covariates, &cfg.study.clinical_covariates, &train_rows)?;
            for c in &enc.covariates {
                if c.imputed_train > 0 {
                    missing_data.push(format!(
                        "clinical `{}`: {} missing training values imputed with the training {}",
                        c.name,
                        c.imputed_train,
                        if c.kind == dlr_study::ColumnType::Numeric {
                            "median"
                        } else {
                            "mode"
                        }
                    ));
                }
            }
            let rows = |idx: &[usize]| -> Vec<(String, Option<&dlr_study::ClinicalRow>)> {
                idx.iter()
                    .map(|&i| (ids[i].clone(), patients[i].clinical.as_ref()))
                    .collect()
            };
            if !enc.covariates.is_empty() {
                train_in.clinical = Some(enc.transform(&rows(&fold.train))?);
                test_in.clinical = Some(enc.transform(&rows(&fold.test))?);
            }
            encoder = Some(enc);
        }
    }
    if missing_data.is_empty() {
        missing_data.push(
            "no missing values: every analysed patient had every feature and covariate".into(),
        );
    }

    lap("assemble", &mut clock);
    // 7. Models on training patients only.
    let fitted = crate::models::fit_models(cfg, &train_in, &y_train)?;
    lap("models", &mut clock);
    for (name, chain_name) in [("radiomics", "radiomics"), ("deep", "deep")] {
        if let (Some(ch), Some(rec)) = (fitted.chain(name), selection.get_mut(chain_name)) {
            rec.steps = ch.records.iter().map(StepRecordOut::from).collect();
            rec.selected = ch.selected.clone();
            rec.coefficients = ch
                .lasso
                .as_ref()
                .map(|(f, c)| f.nonzero(*c))
                .unwrap_or_default();
            rec.lasso = ch.lasso.as_ref().map(|(f, _)| {
                let p = f.feature_names.len();
                let paths = (0..p)
                    .filter(|&j| {
                        f.path
                            .beta
                            .iter()
                            .any(|b| b.get(j).is_some_and(|v| *v != 0.0))
                    })
                    .take(30)
                    .map(|j| {
                        (
                            f.feature_names[j].clone(),
                            f.path
                                .beta
                                .iter()
                                .map(|b| b.get(j).copied().unwrap_or(0.0))
                                .collect(),
                        )
                    })
                    .collect();
                LassoCurve {
                    log_lambda: f.path.lambda.iter().map(|l| l.ln()).collect(),
                    cvm: f.cvm.clone(),
                    cvsd: f.cvsd.clone(),
                    index_min: f.index_min,
                    index_1se: f.index_1se,
                    nzero: f.path.nzero.clone(),
                    paths,
                }
            });
        }
    }
    let rad_score = fitted
        .radiomics
        .as_ref()
        .and_then(|f| f.chain.rad_score())
        .filter(|_| {
            fitted
                .radiomics
                .as_ref()
                .is_some_and(|f| !f.chain.selected.is_empty())
        })
        .map(|r| r.formula(4));
    let p_train = fitted.predict(cfg, &train_in)?;
    let p_test = fitted.predict(cfg, &test_in)?;
    let rs_train = fitted.rad_score(&train_in)?;
    let rs_test = fitted.rad_score(&test_in)?;

    // 8. Evaluation.
    let evaluation = crate::evaluate::evaluate(
        &p_train,
        &y_train,
        &p_test,
        &y_test,
        cfg.evaluation.proportion_ci,
        &MODEL_NAMES,
        (cfg.evaluation.bootstrap, cfg.split.seed),
    );
    // Shape-only baseline: does the ROI outline alone predict the outcome as well?
    let mut shape_only = None;
    if cfg.evaluation.shape_baseline {
        let mut rows: Vec<Vec<f64>> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, p) in patients.iter().enumerate() {
            let mut row = Vec::new();
            for ph in &phases {
                let scan = p.scan(ph, &primary).or_else(|| p.scan(ph, ""));
                let feats = scan
                    .and_then(|s| crate::extract::load_roi(&s.image, &s.masks).ok())
                    .and_then(|(img, m)| dlr_audit::shape_features(&m, img.spacing).ok());
                match feats {
                    Some(f) => {
                        if i == 0 {
                            names.extend(f.iter().map(|v| format!("{ph}_{}", v.name)));
                        }
                        row.extend(f.iter().map(|v| v.value));
                    }
                    None => row.clear(),
                }
            }
            rows.push(row);
        }
        let ok = rows
            .iter()
            .all(|r| r.len() == names.len() && r.iter().all(|v| v.is_finite()))
            && !names.is_empty();
        if ok {
            let mk = |idx: &[usize]| {
                dlr_learn::Matrix::new(
                    idx.iter().flat_map(|&i| rows[i].clone()).collect(),
                    idx.len(),
                    names.len(),
                    names.clone(),
                )
            };
            if let (Ok(a), Ok(b)) = (mk(&fold.train), mk(&fold.test)) {
                if let Ok(base) =
                    dlr_audit::shape_only_baseline(&a, &y_train, &b, &y_test, cfg.models.seed)
                {
                    let best = evaluation
                        .models
                        .iter()
                        .filter_map(|m| m.test.auc.map(|a| (m.model.clone(), a.auc)))
                        .max_by(|a, b| a.1.total_cmp(&b.1));
                    if let Some((_, best_auc)) = best {
                        let s = dlr_audit::ShapeOnlySummary::new(
                            "test",
                            best_auc,
                            base,
                            cfg.evaluation.shape_margin,
                        );
                        if let Some(w) = &s.warning {
                            warnings.push(w.clone());
                        }
                        shape_only = Some(s);
                    }
                }
            }
        } else {
            warnings.push(
                "shape-only baseline not computed: a ROI's shape features were undefined".into(),
            );
        }
    }
    // Mask-only deep baseline: the backbone sees only the binary ROI (first phase).
    let mut mask_only = None;
    if !mask_feats.is_empty() && ids.iter().all(|id| mask_feats.contains_key(id)) {
        let deep_auc = evaluation
            .models
            .iter()
            .find(|m| m.model == "deep")
            .and_then(|m| m.test.auc.map(|a| a.auc));
        let dim = mask_feats.values().next().map_or(0, Vec::len);
        let names: Vec<String> = (0..dim).map(|k| format!("mask{k:04}")).collect();
        let mk = |idx: &[usize]| {
            dlr_learn::Matrix::new(
                idx.iter()
                    .flat_map(|&i| mask_feats[&ids[i]].iter().map(|&v| f64::from(v)))
                    .collect(),
                idx.len(),
                dim,
                names.clone(),
            )
        };
        if let (Some(deep_auc), Ok(a), Ok(b)) = (deep_auc, mk(&fold.train), mk(&fold.test)) {
            let mut mcfg = cfg.clone();
            mcfg.models = crate::config::ModelsSection {
                radiomics: false,
                deep: true,
                clinical: false,
                combined: false,
                ..cfg.models.clone()
            };
            let fit = crate::models::fit_models(
                &mcfg,
                &Inputs {
                    deep: Some(a),
                    ..Default::default()
                },
                &y_train,
            )?;
            let p = fit.predict(
                &mcfg,
                &Inputs {
                    deep: Some(b),
                    ..Default::default()
                },
            )?;
            if let Some(pt) = p.get("deep") {
                if let Ok(ci) = dlr_stats::auc_delong(pt, &y_test, 0.95) {
                    let warning = dlr_audit::outline_warning(
                        "deep features of the binary mask image, no image intensities",
                        deep_auc,
                        ci.auc,
                        cfg.evaluation.shape_margin,
                    );
                    if let Some(w) = &warning {
                        warnings.push(w.clone());
                    }
                    mask_only = Some(MaskOnlyBaseline {
                        deep_model_auc: deep_auc,
                        mask_only_auc: ci.auc,
                        lower: ci.lower,
                        upper: ci.upper,
                        phase: phases[0].clone(),
                        warning,
                    });
                }
            }
        }
    }
    let cutoffs: BTreeMap<String, f64> = evaluation
        .models
        .iter()
        .filter_map(|m| m.threshold.map(|t| (m.model.clone(), t)))
        .collect();

    // 9. Predictions table.
    let model_cols: Vec<&str> = MODEL_NAMES
        .iter()
        .copied()
        .filter(|m| p_train.contains_key(*m))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["patient_id", "cohort", "label"];
    header.extend(model_cols.iter().copied());
    if rs_train.is_some() {
        header.push("rad_score");
    }
    let csv_err = |e: csv::Error| PipelineError::Data(e.to_string());
    w.write_record(&header).map_err(csv_err)?;
    for (cohort, idx, preds, rs) in [
        ("train", &fold.train, &p_train, &rs_train),
        ("test", &fold.test, &p_test, &rs_test),
    ] {
        for (k, &i) in idx.iter().enumerate() {
            let mut rec = vec![
                ids[i].clone(),
                cohort.to_string(),
                u8::from(y[i]).to_string(),
            ];
            for m in &model_cols {
                rec.push(format!("{}", preds[*m][k]));
            }
            if let Some(r) = rs {
                rec.push(format!("{}", r[k]));
            }
            w.write_record(&rec).map_err(csv_err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| PipelineError::Data(e.to_string()))?;
    crate::store::write_atomic(&out.join("predictions.csv"), &bytes)?;

    // 10. Bundle.
    let mut bundle = ModelBundle {
        format: BUNDLE_FORMAT,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        config: cfg.clone(),
        radiomics_settings: engine_desc.clone(),
        radiomics_settings_text: settings_text,
        deep_backbone: deep_choice.clone(),
        radiomics: train_in.radiomics.as_ref().map(StoredMatrix::from_matrix),
        deep: train_in.deep.as_ref().map(StoredMatrix::from_matrix),
        clinical: train_in.clinical.as_ref().map(StoredMatrix::from_matrix),
        clinical_encoder: encoder,
        labels: y_train.clone(),
        cutoffs,
        train_digest: predictions_digest(&p_train),
        content_hash: String::new(),
    };
    bundle.content_hash = bundle.compute_hash()?;
    write_json(&out.join("model.dlr"), &bundle)?;

    lap("evaluate+bundle", &mut clock);
    // 11. Record and report.
    let train_events = y_train.iter().filter(|&&b| b).count();
    let test_events = y_test.iter().filter(|&&b| b).count();
    let clinical_model = fitted.clinical.as_ref().map(|c| {
        serde_json::json!({
            "univariable": c.univariable.iter().map(|r| serde_json::json!({"name": r.name, "odds_ratio": r.odds_ratio, "or_lower": r.or_lower, "or_upper": r.or_upper, "p": r.p_value})).collect::<Vec<_>>(),
            "selected": c.selected,
            "multivariable": c.model.table.iter().map(|r| serde_json::json!({"name": r.name, "coef": r.estimate, "odds_ratio": r.odds_ratio, "or_lower": r.or_lower, "or_upper": r.or_upper, "p": r.p_value})).collect::<Vec<_>>(),
        })
    });
    input_hashes.sort();
    input_hashes.dedup();
    let n_selected = selection.get("radiomics").map(|s| s.selected.len());
    let mut audit = dlr_audit::StudyAudit::new(
        vec![
            dlr_audit::CohortSize {
                name: "training".into(),
                patients: y_train.len(),
                events: train_events,
            },
            dlr_audit::CohortSize {
                name: "test".into(),
                patients: y_test.len(),
                events: test_events,
            },
        ],
        n_selected,
    );
    audit.duplicates = dup_summary;
    audit.shape_only = shape_only;
    audit_checks.push(dlr_audit::LeakageCheckResult {
        name: "feature selection and scaling fitted on training patients only".into(),
        passed: true,
        detail: "ICC, z-score, Mann–Whitney, correlation filter and LASSO-CV ran on the training rows; test rows were transformed with training parameters".into(),
    });
    audit_checks.push(dlr_audit::LeakageCheckResult {
        name: "cut-off chosen on the training cohort".into(),
        passed: true,
        detail: "the Youden threshold of each model was chosen on training predictions and applied unchanged to the test cohort".into(),
    });
    audit.leakage_checks = audit_checks;
    let mut record = RunRecord {
        tool: "dlr".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        config: cfg.clone(),
        seeds: BTreeMap::from([
            ("split".to_string(), cfg.split.seed),
            ("models".to_string(), cfg.models.seed),
            ("lasso_folds".to_string(), cfg.split.seed),
        ]),
        input_hashes,
        cohort: CohortFlow {
            manifest_patients: loaded.manifest_patients,
            excluded,
            included: ids.len(),
            train: y_train.len(),
            train_events,
            test: y_test.len(),
            test_events,
        },
        missing_data,
        radiomics_settings: engine_desc,
        deep_backbone: deep_choice,
        selection,
        rad_score,
        clinical_model,
        skipped_models: fitted.skipped.clone(),
        evaluation,
        warnings,
        cache: cache_counts,
        outputs: Vec::new(),
        stage_seconds: Vec::new(),
        audit,
        mask_only_deep: mask_only,
    };
    let table1 = crate::report::table1(&loaded, &patients, &fold, &y);
    let files = crate::report::write_report(out, &record, &table1)?;
    record.outputs = files;
    lap("report", &mut clock);
    record.stage_seconds = stage_seconds;
    record.outputs.extend(
        ["predictions.csv", "model.dlr", "record.json"]
            .iter()
            .map(|f| out.join(f)),
    );
    write_json(&out.join("record.json"), &record)?;
    Ok(record)
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
