//! Evaluate: the fitted models' probabilities for both cohorts, the evaluation (AUC with DeLong
//! CI, metrics at the training Youden cut-off, calibration, decision curves, paired DeLong
//! comparisons), and the audit's baselines — a model on ROI shape alone and the deep pipeline on
//! the binary mask alone — that tell whether the outline explains the result.

use crate::config::{ModelName, StudyConfig};
use crate::error::Result;
use crate::evaluate::Evaluation;
use crate::models::{FittedModels, Inputs, MODEL_NAMES};
use crate::record::MaskOnlyBaseline;
use crate::stages::context::RunContext;
use crate::stages::split::SplitCohort;
use dlr_learn::Matrix;
use std::collections::BTreeMap;

/// Probabilities per model (and the rad-score) for the training and test rows.
#[derive(Debug, Clone, Default)]
pub struct CohortPredictions {
    /// Training-row probabilities by model name.
    pub train: BTreeMap<String, Vec<f64>>,
    /// Test-row probabilities by model name.
    pub test: BTreeMap<String, Vec<f64>>,
    /// Training-row rad-scores, when the radiomics chain has one.
    pub rad_score_train: Option<Vec<f64>>,
    /// Test-row rad-scores.
    pub rad_score_test: Option<Vec<f64>>,
}

/// Scores both cohorts with the fitted models.
pub fn predict_cohorts(
    cfg: &StudyConfig,
    fitted: &FittedModels,
    train: &Inputs,
    test: &Inputs,
) -> Result<CohortPredictions> {
    Ok(CohortPredictions {
        train: fitted.predict(cfg, train)?,
        test: fitted.predict(cfg, test)?,
        rad_score_train: fitted.rad_score(train)?,
        rad_score_test: fitted.rad_score(test)?,
    })
}

/// Evaluates every model's predictions (the cut-off is chosen on the training cohort).
pub fn evaluate_predictions(
    cfg: &StudyConfig,
    preds: &CohortPredictions,
    split: &SplitCohort,
) -> Evaluation {
    crate::evaluate::evaluate(
        &preds.train,
        &split.y_train(),
        &preds.test,
        &split.y_test(),
        cfg.evaluation.proportion_ci,
        &MODEL_NAMES,
        (cfg.evaluation.bootstrap, cfg.split.seed),
    )
}

/// The training-cohort Youden cut-off of each model.
pub fn cutoffs(evaluation: &Evaluation) -> BTreeMap<String, f64> {
    evaluation
        .models
        .iter()
        .filter_map(|m| m.threshold.map(|t| (m.model.clone(), t)))
        .collect()
}

/// The best test AUC of the study's models, with the model's name.
fn best_test_auc(evaluation: &Evaluation) -> Option<(String, f64)> {
    evaluation
        .models
        .iter()
        .filter_map(|m| m.test.auc.map(|a| (m.model.clone(), a.auc)))
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
        .models
        .iter()
        .find(|m| m.model == ModelName::Deep.as_str())
        .and_then(|m| m.test.auc.map(|a| a.auc))
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
        combined: false,
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
        let y_train = [false, false, false, true, true, true];
        let y_test = [false, false, true, true];
        let mut train = BTreeMap::new();
        train.insert("radiomics".to_string(), vec![0.1, 0.2, 0.6, 0.5, 0.8, 0.9]);
        train.insert("clinical".to_string(), vec![0.3, 0.4, 0.5, 0.4, 0.6, 0.7]);
        let mut test = BTreeMap::new();
        test.insert("radiomics".to_string(), vec![0.2, 0.7, 0.6, 0.9]);
        test.insert("clinical".to_string(), vec![0.5, 0.3, 0.2, 0.6]);
        let ev = crate::evaluate::evaluate(
            &train,
            &y_train,
            &test,
            &y_test,
            crate::config::ProportionCiSetting::Wilson,
            &MODEL_NAMES,
            (0, 1),
        );
        let cuts = cutoffs(&ev);
        assert_eq!(cuts.len(), 2);
        // Youden on the training radiomics scores (pROC midpoints): 0.35 and 0.7 both give
        // J = 2/3 (one control above, or one case below); the lower threshold is kept.
        assert_eq!(cuts["radiomics"], 0.35);
        // Test AUCs: radiomics 3 of 4 pairs ordered = 0.75, clinical 2 of 4 = 0.5.
        let (name, auc) = best_test_auc(&ev).unwrap();
        assert_eq!(name, "radiomics");
        assert!((auc - 0.75).abs() < 1e-12, "{auc}");
    }
}
