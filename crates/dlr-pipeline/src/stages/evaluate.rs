//! Evaluate: the fitted models' probabilities for both cohorts, the evaluation (AUC with DeLong
//! CI, metrics at the training Youden cut-off, calibration, decision curves, paired DeLong
//! comparisons), and the audit's baselines — a model on ROI shape alone and the deep pipeline on
//! the binary mask alone — that tell whether the outline explains the result.

use crate::config::{ModelName, StudyConfig};
use crate::error::Result;
use crate::models::{FittedModels, Inputs, MODEL_NAMES};
use crate::record::MaskOnlyBaseline;
use crate::stages::context::RunContext;
use crate::stages::split::SplitCohort;
use dlr_learn::Matrix;
use dlr_stats::Evaluation;
use std::collections::BTreeMap;

/// Probabilities per model (and the rad-score) for the training and test rows.
#[derive(Debug, Clone, Default)]
pub struct CohortPredictions {
    /// Training-row probabilities by model name: out-of-fold where they could be made (see
    /// [`crate::stages::fit::out_of_fold_predictions`]), else apparent.
    pub train: BTreeMap<String, Vec<f64>>,
    /// Training-row probabilities of the models fitted on all training rows (in-sample).
    pub apparent_train: BTreeMap<String, Vec<f64>>,
    /// Models whose training predictions are out-of-fold.
    pub out_of_fold: Vec<String>,
    /// Test-row probabilities by model name.
    pub test: BTreeMap<String, Vec<f64>>,
    /// Training-row rad-scores, when the radiomics chain has one.
    pub rad_score_train: Option<Vec<f64>>,
    /// Test-row rad-scores.
    pub rad_score_test: Option<Vec<f64>>,
}

/// Scores both cohorts with the fitted models; the training rows get the out-of-fold
/// probabilities `oof` where present (a warning names the models that keep apparent ones).
pub fn predict_cohorts(
    cfg: &StudyConfig,
    fitted: &FittedModels,
    train: &Inputs,
    test: &Inputs,
    oof: BTreeMap<String, Vec<f64>>,
    ctx: &mut RunContext,
) -> Result<CohortPredictions> {
    let apparent_train = fitted.predict(cfg, train)?;
    let mut train_preds = apparent_train.clone();
    let mut out_of_fold = Vec::new();
    for (name, p) in train_preds.iter_mut() {
        match oof.get(name) {
            Some(o) => {
                *p = o.clone();
                out_of_fold.push(name.clone());
            }
            None => ctx.warn(format!(
                "{name}: out-of-fold training predictions could not be made (the model could not be fitted in every fold); its training-cohort figures are apparent (in-sample) and optimistic"
            )),
        }
    }
    Ok(CohortPredictions {
        train: train_preds,
        apparent_train,
        out_of_fold,
        test: fitted.predict(cfg, test)?,
        rad_score_train: fitted.rad_score(train)?,
        rad_score_test: fitted.rad_score(test)?,
    })
}

/// The apparent (in-sample) evaluation of the training cohort: the models fitted on all
/// training rows scoring those same rows. Kept in the record, labelled; optimistic by design.
pub fn apparent_evaluation(
    cfg: &StudyConfig,
    preds: &CohortPredictions,
    split: &SplitCohort,
) -> Result<Evaluation> {
    let scores: Vec<(String, Vec<f64>)> = MODEL_NAMES
        .iter()
        .filter_map(|m| Some((m.to_string(), preds.apparent_train.get(*m)?.clone())))
        .collect();
    let opts = dlr_stats::EvaluateOptions {
        dca_thresholds: None,
        ..evaluate_options(cfg)
    };
    Ok(dlr_stats::evaluate(&split.y_train(), None, &scores, &opts)?)
}

/// The cohort name of training rows in the evaluation (test rows are `"test"`).
pub const TRAIN: &str = "train";
/// The cohort name of test rows in the evaluation.
pub const TEST: &str = "test";

/// The evaluation options of a study: the configured proportion CI, the bootstrap CI when asked
/// (seeded with the split seed), decision curves at 1–99 %, probabilities clipped at 1e-6 for
/// calibration.
pub fn evaluate_options(cfg: &StudyConfig) -> dlr_stats::EvaluateOptions {
    dlr_stats::EvaluateOptions {
        proportion_ci: cfg.evaluation.proportion_ci.method(),
        bootstrap: (cfg.evaluation.bootstrap > 0).then_some(dlr_stats::BootstrapSettings {
            replicates: cfg.evaluation.bootstrap,
            seed: cfg.split.seed,
        }),
        dca_thresholds: Some(dlr_stats::calibration::default_dca_thresholds()),
        calibration_clip: Some(1e-6),
        ..Default::default()
    }
}

/// Evaluates every model's predictions with the one evaluation engine (`dlr_stats::evaluate`,
/// also behind `dlr evaluate`): rows are the training rows then the test rows, the cut-off is
/// chosen on the training cohort, models are in report order.
pub fn evaluate_predictions(
    cfg: &StudyConfig,
    preds: &CohortPredictions,
    split: &SplitCohort,
) -> Result<Evaluation> {
    let mut labels = split.y_train();
    labels.extend(split.y_test());
    let cohort_of_row: Vec<String> = std::iter::repeat_n(TRAIN.to_string(), split.fold.train.len())
        .chain(std::iter::repeat_n(TEST.to_string(), split.fold.test.len()))
        .collect();
    let scores: Vec<(String, Vec<f64>)> = MODEL_NAMES
        .iter()
        .filter_map(|m| {
            let train = preds.train.get(*m)?;
            let test = preds.test.get(*m)?;
            Some((m.to_string(), train.iter().chain(test).copied().collect()))
        })
        .collect();
    Ok(dlr_stats::evaluate(
        &labels,
        Some(dlr_stats::CohortAssignment {
            cohort_of_row: &cohort_of_row,
            training: TRAIN,
        }),
        &scores,
        &evaluate_options(cfg),
    )?)
}

/// The training-cohort Youden cut-off of each model.
pub fn cutoffs(evaluation: &Evaluation) -> BTreeMap<String, f64> {
    evaluation
        .scores
        .iter()
        .filter(|e| e.is_train)
        .map(|e| (e.score.clone(), e.youden.threshold))
        .collect()
}

/// The best test AUC of the study's models, with the model's name.
fn best_test_auc(evaluation: &Evaluation) -> Option<(String, f64)> {
    evaluation
        .scores
        .iter()
        .filter(|e| e.cohort.as_deref() == Some(TEST))
        .filter_map(|e| e.auc.map(|a| (e.score.clone(), a)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Shape-only baseline: a model on the ROI outlines' shape features alone, compared with the
/// best model (a warning when it comes within the margin).
pub fn shape_only_baseline(
    cfg: &StudyConfig,
    study: &dlr_study::Study,
    split: &SplitCohort,
    evaluation: &Evaluation,
    ctx: &mut RunContext,
) -> Option<dlr_audit::ShapeOnlySummary> {
    if !cfg.evaluation.shape_baseline {
        return None;
    }
    let primary = crate::stages::load::primary_reader(cfg);
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (i, &k) in split.cohort.members.iter().enumerate() {
        let p = &study.patients[k];
        let mut row = Vec::new();
        for ph in &cfg.study.phases {
            let scan = p.scan(ph, &primary).or_else(|| p.scan(ph, ""));
            let feats = scan
                .and_then(|s| crate::extract::load_roi(&s.image, &s.masks, s.roi_label).ok())
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
    let complete = !names.is_empty()
        && rows
            .iter()
            .all(|r| r.len() == names.len() && r.iter().all(|v| v.is_finite()));
    if !complete {
        ctx.warn("shape-only baseline not computed: a ROI's shape features were undefined");
        return None;
    }
    let mk = |idx: &[usize]| {
        Matrix::new(
            idx.iter().flat_map(|&i| rows[i].clone()).collect(),
            idx.len(),
            names.len(),
            names.clone(),
        )
    };
    let (Ok(a), Ok(b)) = (mk(&split.fold.train), mk(&split.fold.test)) else {
        return None;
    };
    let base =
        dlr_audit::shape_only_baseline(&a, &split.y_train(), &b, &split.y_test(), cfg.models.seed)
            .ok()?;
    let (_, best_auc) = best_test_auc(evaluation)?;
    let s = dlr_audit::ShapeOnlySummary::new("test", best_auc, base, cfg.evaluation.shape_margin);
    if let Some(w) = &s.warning {
        ctx.warn(w.clone());
    }
    Some(s)
}

/// Mask-only deep baseline: the deep pipeline refitted on the backbone's features of the binary
/// ROI masks (first phase), compared with the study's deep model.
pub fn mask_only_baseline(
    cfg: &StudyConfig,
    mask_features: &BTreeMap<String, Vec<f32>>,
    split: &SplitCohort,
    evaluation: &Evaluation,
    ctx: &mut RunContext,
) -> Result<Option<MaskOnlyBaseline>> {
    let ids = &split.cohort.ids;
    if mask_features.is_empty() || !ids.iter().all(|id| mask_features.contains_key(id)) {
        return Ok(None);
    }
    let Some(deep_auc) = evaluation
        .get(ModelName::Deep.as_str(), Some(TEST))
        .and_then(|e| e.auc)
    else {
        return Ok(None);
    };
    let dim = mask_features.values().next().map_or(0, Vec::len);
    let names: Vec<String> = (0..dim).map(|k| format!("mask{k:04}")).collect();
    let mk = |idx: &[usize]| {
        Matrix::new(
            idx.iter()
                .flat_map(|&i| mask_features[&ids[i]].iter().map(|&v| f64::from(v)))
                .collect(),
            idx.len(),
            dim,
            names.clone(),
        )
    };
    let (Ok(a), Ok(b)) = (mk(&split.fold.train), mk(&split.fold.test)) else {
        return Ok(None);
    };
    let mut mcfg = cfg.clone();
    mcfg.models = crate::config::ModelsSection {
        radiomics: false,
        deep: true,
        clinical: false,
        combined: Vec::new(),
        ..cfg.models.clone()
    };
    let y_train = split.y_train();
    let y_test = split.y_test();
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
    let Some(pt) = p.get(ModelName::Deep.as_str()) else {
        return Ok(None);
    };
    let Ok(ci) = dlr_stats::auc_delong(pt, &y_test, 0.95) else {
        return Ok(None);
    };
    let warning = dlr_audit::outline_warning(
        "deep features of the binary mask image, no image intensities",
        deep_auc,
        ci.auc,
        cfg.evaluation.shape_margin,
    );
    if let Some(w) = &warning {
        ctx.warn(w.clone());
    }
    Ok(Some(MaskOnlyBaseline {
        deep_model_auc: deep_auc,
        mask_only_auc: ci.auc,
        lower: ci.lower,
        upper: ci.upper,
        phase: cfg.study.phases[0].clone(),
        warning,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_and_best_auc_come_from_the_evaluation() {
        let split = SplitCohort {
            cohort: crate::stages::split::Cohort {
                members: (0..10).collect(),
                ids: (0..10).map(|i| format!("P{i}")).collect(),
                y: vec![
                    false, false, false, true, true, true, false, false, true, true,
                ],
            },
            fold: dlr_learn::Fold {
                train: (0..6).collect(),
                test: (6..10).collect(),
            },
            duplicates: None,
            checks: Vec::new(),
        };
        let mut preds = CohortPredictions::default();
        preds
            .train
            .insert("radiomics".to_string(), vec![0.1, 0.2, 0.6, 0.5, 0.8, 0.9]);
        preds
            .train
            .insert("clinical".to_string(), vec![0.3, 0.4, 0.5, 0.4, 0.6, 0.7]);
        preds
            .test
            .insert("radiomics".to_string(), vec![0.2, 0.7, 0.6, 0.9]);
        preds
            .test
            .insert("clinical".to_string(), vec![0.5, 0.3, 0.2, 0.6]);
        let cfg = StudyConfig::from_toml_str(
            "[study]\nname = \"t\"\nmanifest = \"m.csv\"\noutcome = \"y\"\nphases = [\"US\"]\n",
            std::path::Path::new("."),
        )
        .unwrap();
        let ev = evaluate_predictions(&cfg, &preds, &split).unwrap();
        // Report order: radiomics before clinical, training cohort first.
        let order: Vec<(&str, &str)> = ev
            .scores
            .iter()
            .map(|e| (e.score.as_str(), e.cohort.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            order,
            [
                ("radiomics", "train"),
                ("radiomics", "test"),
                ("clinical", "train"),
                ("clinical", "test")
            ]
        );
        let cuts = cutoffs(&ev);
        assert_eq!(cuts.len(), 2);
        // Reference: R pROC, coords(roc(y, p, direction = "<"), "best", best.method = "youden")
        // on the training radiomics scores returns the tie 0.35 and 0.70 (J = 2/3); the engine
        // keeps the lower one.
        assert_eq!(cuts["radiomics"], 0.35);
        // Test AUCs: radiomics 3 of 4 pairs ordered = 0.75, clinical 2 of 4 = 0.5.
        let (name, auc) = best_test_auc(&ev).unwrap();
        assert_eq!(name, "radiomics");
        assert!((auc - 0.75).abs() < 1e-12, "{auc}");
    }
}
