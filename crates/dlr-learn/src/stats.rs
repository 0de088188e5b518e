//! Thin adapters from the selection chain to `dlr-stats`: Mann–Whitney U (R's `wilcox.test`,
//! normal approximation), Pearson and Spearman correlation, ICC forms and the DeLong AUC
//! confidence interval. The numerics live in `dlr-stats` (tested there against the R goldens
//! `../shared/golden/mannwhitney_corr.json`, `icc.json`, `roc.json`); these functions only fix the
//! options the selectors use and map undefined statistics to the values the selectors expect
//! (NaN correlation / ICC where `dlr-stats` reports zero variance, NaN AUC where a class is
//! missing).

use crate::error::Result;
use dlr_stats::{MannWhitneyOptions, MwMethod, StatsError};

pub use dlr_stats::rank::midranks;
pub use dlr_stats::IccForm;

/// Mann–Whitney U of group `x` against `y` and its two-sided normal-approximation p-value with
/// tie-corrected variance (R `wilcox.test(x, y, exact = FALSE, correct = continuity)`).
/// All values tied (zero variance) gives `p = 1`.
pub fn mann_whitney(x: &[f64], y: &[f64], continuity: bool) -> Result<(f64, f64)> {
    let opts = MannWhitneyOptions {
        method: MwMethod::Normal,
        continuity,
        ..Default::default()
    };
    let r = dlr_stats::mann_whitney_u(x, y, &opts)?;
    Ok((r.u, r.p))
}

/// Pearson correlation; `NaN` if either vector is constant (or the pair is otherwise unusable:
/// different lengths, fewer than 2 values, a non-finite value).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    dlr_stats::pearson(x, y).unwrap_or(f64::NAN)
}

/// Spearman correlation (Pearson of mid-ranks, as R `cor(method = "spearman")`); `NaN` where
/// [`pearson`] would be.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    dlr_stats::spearman(x, y).unwrap_or(f64::NAN)
}

/// ICC of an `n targets × k raters` table (`ratings[i][r]`). Zero between-target and
/// within-target variance (all equal) gives `NaN`; a non-rectangular table, fewer than 2 targets
/// or raters, or a non-finite rating is an error.
pub fn icc(ratings: &[Vec<f64>], form: IccForm) -> Result<f64> {
    match dlr_stats::icc_value(ratings, form) {
        Ok(v) => Ok(v),
        Err(StatsError::Degenerate { .. }) => Ok(f64::NAN),
        Err(e) => Err(e.into()),
    }
}

/// AUC with its DeLong `level` confidence interval (clipped to [0, 1]) as `(auc, lower, upper)`,
/// as pROC `ci.auc(method = "delong")`.
pub fn auc_delong_ci(scores: &[f64], y: &[bool], level: f64) -> Result<(f64, f64, f64)> {
    let ci = dlr_stats::auc_delong(scores, y, level)?;
    Ok((ci.auc, ci.lower, ci.upper))
}

/// Area under the ROC curve (Mann–Whitney, ties count one half; higher score = positive class)
/// from `dlr_stats::roc_auc`; NaN where it is undefined (a class is empty) or the input is
/// unusable (length mismatch, a non-finite score).
pub fn auc(scores: &[f64], y: &[bool]) -> f64 {
    dlr_stats::roc_auc(scores, y).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_ties_as_half_and_is_nan_without_a_class() {
        let s = [0.1, 0.4, 0.35, 0.8];
        let y = [false, false, true, true];
        assert_eq!(auc(&s, &y), 0.75);
        assert_eq!(auc(&[0.5; 4], &y), 0.5);
        assert!(auc(&s, &[true; 4]).is_nan());
    }
}
