//! Evaluation of the study's models: AUC with DeLong CI per cohort, metrics at the training
//! Youden cut-off, calibration, decision curves and paired DeLong comparisons.

use dlr_stats::{BinomialCi, CutoffMetrics};
use serde::Serialize;
use std::collections::BTreeMap;

/// Clip applied to probabilities before calibration (logit must be finite).
const P_CLIP: f64 = 1e-6;

/// The metrics of one model on one cohort.
#[derive(Debug, Clone, Serialize)]
pub struct CohortMetrics {
    /// Patients.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// AUC with DeLong 95% CI (None when a class is missing).
    pub auc: Option<dlr_stats::AucCi>,
    /// Stratified percentile-bootstrap 95% CI of the AUC, when requested.
    pub auc_bootstrap: Option<dlr_stats::BootstrapCi>,
    /// Metrics at the training Youden cut-off.
    pub cutoff: Option<CutoffMetrics>,
    /// Calibration summary (None when undefined, with the reason in `notes`).
    pub calibration: Option<dlr_stats::Calibration>,
    /// ROC curve points (FPR, TPR).
    pub roc: Vec<(f64, f64)>,
    /// Why something is missing.
    pub notes: Vec<String>,
}

/// Everything evaluated for one model.
#[derive(Debug, Clone, Serialize)]
pub struct ModelEvaluation {
    /// Model name.
    pub model: String,
    /// Youden-optimal threshold chosen on the training cohort.
    pub threshold: Option<f64>,
    /// Training-cohort metrics.
    pub train: CohortMetrics,
    /// Test-cohort metrics.
    pub test: CohortMetrics,
    /// Decision curve on the test cohort.
    pub decision_curve: Option<dlr_stats::DecisionCurve>,
}

/// A paired DeLong comparison of two models on one cohort.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Cohort (`train` or `test`).
    pub cohort: String,
    /// First model.
    pub a: String,
    /// Second model.
    pub b: String,
    /// AUC of `a`.
    pub auc_a: f64,
    /// AUC of `b`.
    pub auc_b: f64,
    /// DeLong Z.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Per model.
    pub models: Vec<ModelEvaluation>,
    /// Paired DeLong comparisons.
    pub comparisons: Vec<Comparison>,
    /// CI method of proportions.
    pub proportion_ci: crate::config::ProportionCiSetting,
}

fn cohort_metrics(
    p: &[f64],
    y: &[bool],
    threshold: Option<f64>,
    ci: BinomialCi,
    boot: (usize, u64),
) -> CohortMetrics {
    let mut notes = Vec::new();
    let events = y.iter().filter(|&&b| b).count();
    let auc = match dlr_stats::auc_delong(p, y, 0.95) {
        Ok(a) => Some(a),
        Err(e) => {
            notes.push(format!("AUC: {e}"));
            None
        }
    };
    let auc_bootstrap = if boot.0 > 0 && auc.is_some() {
        match dlr_stats::auc_bootstrap_ci(p, y, 0.95, boot.0, boot.1) {
            Ok(b) => Some(b),
            Err(e) => {
                notes.push(format!("bootstrap CI: {e}"));
                None
            }
        }
    } else {
        None
    };
    let roc = dlr_stats::roc_curve(p, y)
        .map(|pts| {
            pts.iter()
                .map(|q| (1.0 - q.specificity, q.sensitivity))
                .collect()
        })
        .unwrap_or_default();
    let cutoff = threshold.and_then(|t| match dlr_stats::cutoff_metrics(p, y, t, ci, 0.95) {
        Ok(m) => Some(m),
        Err(e) => {
            notes.push(format!("cut-off metrics: {e}"));
            None
        }
    });
    let clipped: Vec<f64> = p.iter().map(|v| v.clamp(P_CLIP, 1.0 - P_CLIP)).collect();
    let calibration = match dlr_stats::calibration(&clipped, y) {
        Ok(c) => Some(c),
        Err(e) => {
            notes.push(format!("calibration: {e}"));
            None
        }
    };
    CohortMetrics {
        n: y.len(),
        events,
        auc,
        auc_bootstrap,
        cutoff,
        calibration,
        roc,
        notes,
    }
}

/// Evaluates every model's train and test probabilities.
pub fn evaluate(
    train: &BTreeMap<String, Vec<f64>>,
    y_train: &[bool],
    test: &BTreeMap<String, Vec<f64>>,
    y_test: &[bool],
    proportion_ci: crate::config::ProportionCiSetting,
    order: &[&str],
    bootstrap: (usize, u64),
) -> Evaluation {
    let ci: BinomialCi = proportion_ci.method();
    let names: Vec<&str> = order
        .iter()
        .copied()
        .filter(|n| train.contains_key(*n))
        .collect();
    let mut models = Vec::new();
    for name in &names {
        let ptr = &train[*name];
        let threshold = dlr_stats::youden_threshold(ptr, y_train)
            .ok()
            .map(|r| r.threshold);
        let tr = cohort_metrics(ptr, y_train, threshold, ci, bootstrap);
        let (te, dca) = match test.get(*name) {
            Some(pte) if !pte.is_empty() => {
                let clipped: Vec<f64> = pte.iter().map(|v| v.clamp(0.0, 1.0)).collect();
                (
                    cohort_metrics(pte, y_test, threshold, ci, bootstrap),
                    dlr_stats::decision_curve(
                        &clipped,
                        y_test,
                        &dlr_stats::default_dca_thresholds(),
                    )
                    .ok(),
                )
            }
            _ => (cohort_metrics(&[], &[], None, ci, (0, 0)), None),
        };
        models.push(ModelEvaluation {
            model: name.to_string(),
            threshold,
            train: tr,
            test: te,
            decision_curve: dca,
        });
    }
    let mut comparisons = Vec::new();
    for (cohort, preds, y) in [("test", test, y_test), ("train", train, y_train)] {
        for i in 0..names.len() {
            for j in i + 1..names.len() {
                let (Some(a), Some(b)) = (preds.get(names[i]), preds.get(names[j])) else {
                    continue;
                };
                if let Ok(t) = dlr_stats::delong_paired(a, b, y) {
                    comparisons.push(Comparison {
                        cohort: cohort.into(),
                        a: names[i].into(),
                        b: names[j].into(),
                        auc_a: t.auc1,
                        auc_b: t.auc2,
                        z: t.z,
                        p: t.p,
                    });
                }
            }
        }
    }
    Evaluation {
        models,
        comparisons,
        proportion_ci,
    }
}
