//! `dlr run`: a study from its `study.toml` through the stages (see [`crate::stages`]) to
//! predictions, evaluation, report, record and model bundle.

use crate::config::StudyConfig;
use crate::error::{PipelineError, Result};
use crate::stages::context::RunContext;
use crate::stages::featurise::Featuriser;
use crate::stages::{emit, evaluate, fit, load, split};
use crate::store::{write_json, StageCache};
use std::path::PathBuf;

pub use crate::bundle::{read_bundle, ModelBundle, BUNDLE_FORMAT};
pub use crate::record::{
    CohortFlow, Exclusion, LassoCurve, MaskOnlyBaseline, RunRecord, SelectionRecord, StepRecordOut,
    TrainingPredictions,
};
pub use crate::stages::fit::table_matrix;
pub use crate::stages::load::{load, manifest_columns, primary_reader, scan_jobs, LoadedStudy};

/// Options of a run that are not part of the study.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Run folder.
    pub out_dir: PathBuf,
    /// Show progress bars.
    pub progress: bool,
    /// Never download weights (also `DLR_OFFLINE=1`).
    pub offline: bool,
}

/// Runs a study end to end.
pub fn run(cfg: &StudyConfig, opts: &RunOptions) -> Result<RunRecord> {
    let out = &opts.out_dir;
    std::fs::create_dir_all(out).map_err(|source| PipelineError::Io {
        path: out.clone(),
        source,
    })?;
    emit::clear_previous_outputs(out)?;
    let cache = StageCache::new(out);
    let mut ctx = RunContext::new();

    let loaded = ctx.stage("validate", |ctx| -> Result<_> {
        let loaded = load::load(cfg, true)?;
        ctx.exclusions.extend(loaded.excluded.iter().cloned());
        ctx.input_hashes.extend(load::hash_study_tables(cfg)?);
        Ok(loaded)
    })?;
    let study = &loaded.study;

    let featuriser = Featuriser::for_study(cfg, opts.progress, opts.offline)?;
    let features = ctx.stage("features", |ctx| {
        featuriser.featurise_study(cfg, study, &cache, ctx)
    });

    let split = ctx.stage("split", |ctx| {
        let cohort = split::analysed_cohort(cfg, study, ctx);
        split::audit_and_split(cfg, study, cohort, ctx)
    })?;

    let (mut matrices, fitted) = ctx.stage("models", |ctx| -> Result<_> {
        let mut matrices =
            fit::cohort_matrices(cfg, study, loaded.clinical.as_ref(), &features, &split, ctx)?;
        fit::write_feature_tables(&matrices, out)?;
        let fitted = fit::fit_study_models(cfg, &mut matrices, &split.y_train())?;
        fit::require_a_model(&fitted)?;
        Ok((matrices, fitted))
    })?;
    let oof = ctx.stage("out-of-fold", |_| {
        fit::out_of_fold_predictions(cfg, &matrices.train, &split.y_train(), &fitted)
    })?;

    let (preds, evaluation, apparent, shape_only, mask_only) =
        ctx.stage("evaluate", |ctx| -> Result<_> {
            let preds =
                evaluate::predict_cohorts(cfg, &fitted, &matrices.train, &matrices.test, oof, ctx)?;
            let evaluation = evaluate::evaluate_predictions(cfg, &preds, &split)?;
            let apparent = evaluate::apparent_evaluation(cfg, &preds, &split)?;
            let shape_only = evaluate::shape_only_baseline(cfg, study, &split, &evaluation, ctx);
            let mask_only =
                evaluate::mask_only_baseline(cfg, &features.mask_only, &split, &evaluation, ctx)?;
            Ok((preds, evaluation, apparent, shape_only, mask_only))
        })?;

    ctx.stage("emit", |ctx| -> Result<RunRecord> {
        crate::store::write_atomic(
            &out.join("predictions.csv"),
            &emit::predictions_csv(&split, &preds)?,
        )?;
        let bundle = ModelBundle::new(
            cfg,
            &featuriser,
            &matrices,
            &fitted,
            evaluate::cutoffs(&evaluation),
        )?;
        write_json(&out.join("model.dlr"), &bundle)?;
        let n_selected = matrices
            .selection
            .get("radiomics")
            .map(|s| s.selected.len());
        let y_train = split.y_train();
        let y_test = split.y_test();
        let events = |y: &[bool]| y.iter().filter(|&&b| b).count();
        let table1 = {
            let patients: Vec<&dlr_study::StudyPatient> = split
                .cohort
                .members
                .iter()
                .map(|&k| &study.patients[k])
                .collect();
            crate::report::table1(&loaded, &patients, &split.fold, &split.cohort.y)
        };
        let mut record = RunRecord {
            tool: "dlr".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            config: cfg.clone(),
            seeds: emit::seeds(cfg),
            input_hashes: ctx.sorted_input_hashes(),
            cohort: CohortFlow {
                manifest_patients: loaded.manifest_patients,
                excluded: ctx.exclusions.clone(),
                included: split.cohort.ids.len(),
                train: y_train.len(),
                train_events: events(&y_train),
                test: y_test.len(),
                test_events: events(&y_test),
            },
            missing_data: ctx.missing_data.clone(),
            radiomics_settings: featuriser.radiomics.as_ref().map(|e| e.describe()),
            deep_backbone: featuriser.deep_choice.clone(),
            selection: std::mem::take(&mut matrices.selection),
            rad_score: fit::rad_score_formula(&fitted),
            deep_score: fit::deep_score_formula(&fitted),
            clinical_model: fitted.clinical_summary(),
            combined_members: cfg
                .models
                .combined
                .iter()
                .map(|m| m.as_str().to_string())
                .collect(),
            combined_model: fitted.combined_summary(),
            skipped_models: fitted.skipped.clone(),
            evaluation,
            training_predictions: TrainingPredictions {
                out_of_fold: preds.out_of_fold.clone(),
                method: format!(
                    "random forest: out-of-bag votes; other models: the whole chain refitted in {} stratified folds of the training cohort (seed {})",
                    cfg.evaluation.oof_folds, cfg.split.seed
                ),
                apparent,
            },
            warnings: ctx.warnings.clone(),
            cache: ctx.cache_counts.clone(),
            outputs: Vec::new(),
            stage_seconds: Vec::new(),
            audit: emit::study_audit(&split, n_selected, shape_only),
            mask_only_deep: mask_only,
        };
        emit::write_report_files(out, &mut record, &table1)?;
        Ok(record)
    })
    .and_then(|mut record| {
        record.stage_seconds = ctx.stage_seconds.clone();
        write_json(&out.join("record.json"), &record)?;
        Ok(record)
    })
}
