//! Cut-off metrics at a fixed threshold (predict positive when score >= threshold, pROC's
//! convention): sensitivity, specificity, PPV, NPV and accuracy, each with a binomial CI
//! (Wilson score without continuity correction, or exact Clopper–Pearson — an explicit option).
//! A proportion with a zero denominator (e.g. PPV when nothing is called positive) is NaN
//! (serialised as JSON `null`).

use crate::dist::{beta_quantile, norm_quantile};
use crate::error::{check_finite, Result, StatsError};
use crate::roc::{youden_thresholds, RocPoint};
use serde::{Deserialize, Serialize};

/// Binomial confidence interval method; serialised as `"wilson"` or `"clopper-pearson"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BinomialCi {
    /// Wilson score interval (R `prop.test(correct = FALSE)`); the default.
    #[default]
    Wilson,
    /// Exact Clopper–Pearson interval (R `binom.test`).
    ClopperPearson,
}

/// A proportion `successes / trials` with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Point estimate (NaN when `trials == 0`).
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// Numerator.
    pub successes: usize,
    /// Denominator.
    pub trials: usize,
}

/// Binomial proportion with a `level` confidence interval by `method`.
pub fn binomial_proportion(
    successes: usize,
    trials: usize,
    method: BinomialCi,
    level: f64,
) -> Proportion {
    if trials == 0 || successes > trials {
        return Proportion {
            estimate: f64::NAN,
            lower: f64::NAN,
            upper: f64::NAN,
            successes,
            trials,
        };
    }
    let (x, n) = (successes as f64, trials as f64);
    let p = x / n;
    let alpha = 1.0 - level;
    let (lower, upper) = match method {
        BinomialCi::Wilson => {
            let z = norm_quantile(1.0 - alpha / 2.0);
            let z2 = z * z;
            let den = 1.0 + z2 / n;
            let centre = (p + z2 / (2.0 * n)) / den;
            let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / den;
            ((centre - half).max(0.0), (centre + half).min(1.0))
        }
        BinomialCi::ClopperPearson => {
            let lo = if successes == 0 {
                0.0
            } else {
                beta_quantile(alpha / 2.0, x, n - x + 1.0)
            };
            let hi = if successes == trials {
                1.0
            } else {
                beta_quantile(1.0 - alpha / 2.0, x + 1.0, n - x)
            };
            (lo, hi)
        }
    };
    Proportion {
        estimate: p,
        lower,
        upper,
        successes,
        trials,
    }
}

/// Confusion-matrix metrics at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CutoffMetrics {
    /// Threshold applied (positive when score >= threshold).
    pub threshold: f64,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// True negatives.
    pub tn: usize,
    /// False negatives (serialised as `fn`).
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// TP / (TP + FN).
    pub sensitivity: Proportion,
    /// TN / (TN + FP).
    pub specificity: Proportion,
    /// TP / (TP + FP).
    pub ppv: Proportion,
    /// TN / (TN + FN).
    pub npv: Proportion,
    /// (TP + TN) / n.
    pub accuracy: Proportion,
    /// CI method used.
    pub ci_method: BinomialCi,
}

/// Applies `threshold` to `scores` and summarises against `labels` (one class only is allowed:
/// the undefined proportions are NaN).
pub fn cutoff_metrics(
    scores: &[f64],
    labels: &[bool],
    threshold: f64,
    ci: BinomialCi,
    level: f64,
) -> Result<CutoffMetrics> {
    let what = "cutoff_metrics";
    if scores.len() != labels.len() {
        return Err(StatsError::input(
            what,
            format!("{} scores but {} labels", scores.len(), labels.len()),
        ));
    }
    if scores.is_empty() {
        return Err(StatsError::input(what, "no observations"));
    }
    check_finite(what, scores)?;
    if threshold.is_nan() {
        return Err(StatsError::input(what, "threshold is NaN"));
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::input(
            what,
            format!("level must be in (0,1), got {level}"),
        ));
    }
    let (mut tp, mut fp, mut tn, mut fn_) = (0, 0, 0, 0);
    for (&s, &l) in scores.iter().zip(labels) {
        match (s >= threshold, l) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, false) => tn += 1,
            (false, true) => fn_ += 1,
        }
    }
    Ok(CutoffMetrics {
        threshold,
        tp,
        fp,
        tn,
        fn_,
        sensitivity: binomial_proportion(tp, tp + fn_, ci, level),
        specificity: binomial_proportion(tn, tn + fp, ci, level),
        ppv: binomial_proportion(tp, tp + fp, ci, level),
        npv: binomial_proportion(tn, tn + fn_, ci, level),
        accuracy: binomial_proportion(tp + tn, scores.len(), ci, level),
        ci_method: ci,
    })
}

/// Youden-optimal threshold on one cohort. When several thresholds tie on J, the lowest
/// (most sensitive) one is chosen; all ties are available from [`youden_thresholds`].
pub fn youden_threshold(scores: &[f64], labels: &[bool]) -> Result<RocPoint> {
    let ties = youden_thresholds(scores, labels)?;
    ties.first()
        .copied()
        .ok_or_else(|| StatsError::degenerate("youden_threshold", "empty ROC curve"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomial_cis_match_r() {
        // R 4.2.2: prop.test(7, 20, correct = FALSE)$conf.int
        let w = binomial_proportion(7, 20, BinomialCi::Wilson, 0.95);
        assert!((w.lower - 0.181_191_824_101_082_06).abs() < 1e-9, "{w:?}");
        assert!((w.upper - 0.567_145_723_314_763_6).abs() < 1e-9, "{w:?}");
        // R: binom.test(7, 20)$conf.int
        let c = binomial_proportion(7, 20, BinomialCi::ClopperPearson, 0.95);
        assert!((c.lower - 0.153_909_204_784_541_15).abs() < 1e-9, "{c:?}");
        assert!((c.upper - 0.592_188_534_532_828_2).abs() < 1e-9, "{c:?}");
        let z = binomial_proportion(0, 0, BinomialCi::Wilson, 0.95);
        assert!(z.estimate.is_nan());
        let e = binomial_proportion(0, 10, BinomialCi::ClopperPearson, 0.95);
        assert_eq!(e.lower, 0.0);
    }
}
