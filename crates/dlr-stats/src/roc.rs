//! ROC analysis as pROC does it, with "higher score = positive class" (pROC `direction = "<"`):
//! AUC (Mann–Whitney), DeLong variance/CI and paired/unpaired tests, stratified bootstrap CI,
//! and the empirical ROC curve at pROC's thresholds (midpoints between consecutive distinct scores).

use crate::error::{check_finite, Result, StatsError};

/// Splits scores into (positives, negatives) after validating the input.
pub(crate) fn split_classes(
    what: &str,
    scores: &[f64],
    labels: &[bool],
) -> Result<(Vec<f64>, Vec<f64>)> {
    if scores.len() != labels.len() {
        return Err(StatsError::input(
            what,
            format!("{} scores but {} labels", scores.len(), labels.len()),
        ));
    }
    check_finite(what, scores)?;
    let pos: Vec<f64> = scores
        .iter()
        .zip(labels)
        .filter(|(_, &l)| l)
        .map(|(s, _)| *s)
        .collect();
    let neg: Vec<f64> = scores
        .iter()
        .zip(labels)
        .filter(|(_, &l)| !l)
        .map(|(s, _)| *s)
        .collect();
    if pos.is_empty() || neg.is_empty() {
        return Err(StatsError::degenerate(
            what,
            format!(
                "need both classes, got {} positives and {} negatives",
                pos.len(),
                neg.len()
            ),
        ));
    }
    Ok((pos, neg))
}

/// Mann–Whitney AUC of positives vs negatives: P(pos > neg) + 0.5 P(pos == neg).
pub(crate) fn auc_from_groups(pos: &[f64], neg: &[f64]) -> f64 {
    let mut negs = neg.to_vec();
    negs.sort_by(|a, b| a.total_cmp(b));
    let mut total = 0.0;
    for &p in pos {
        let below = negs.partition_point(|&v| v < p);
        let le = negs.partition_point(|&v| v <= p);
        total += below as f64 + 0.5 * (le - below) as f64;
    }
    total / (pos.len() as f64 * neg.len() as f64)
}

/// Area under the ROC curve; higher score = positive class (`labels[i] == true`).
///
/// Errors on length mismatch, non-finite scores, or a single class. Constant scores give 0.5.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Result<f64> {
    let (pos, neg) = split_classes("roc_auc", scores, labels)?;
    Ok(auc_from_groups(&pos, &neg))
}
