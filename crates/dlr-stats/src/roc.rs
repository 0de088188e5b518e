//! ROC analysis as pROC does it, with "higher score = positive class" (pROC `direction = "<"`):
//! AUC (Mann–Whitney), DeLong variance/CI and paired/unpaired tests, stratified bootstrap CI,
//! and the empirical ROC curve at pROC's thresholds (midpoints between consecutive distinct scores).

use crate::dist::{norm_quantile, norm_sf, t_sf};
use crate::error::{check_finite, Result, StatsError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

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

/// Which score direction counts as "positive"; never inferred silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RocDirection {
    /// Higher score = positive class (pROC `direction = "<"`). The default.
    #[default]
    HigherIsPositive,
    /// Lower score = positive class (pROC `direction = ">"`).
    LowerIsPositive,
    /// pROC's `direction = "auto"`: `LowerIsPositive` if median(negatives) > median(positives).
    Auto,
}

/// Median as R's `median` (mean of the two middle values for even n). Empty input gives NaN.
pub(crate) fn median(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Resolves [`RocDirection::Auto`] for the given data to one of the two fixed directions.
pub fn resolve_direction(
    scores: &[f64],
    labels: &[bool],
    dir: RocDirection,
) -> Result<RocDirection> {
    match dir {
        RocDirection::Auto => {
            let (pos, neg) = split_classes("resolve_direction", scores, labels)?;
            Ok(if median(&neg) > median(&pos) {
                RocDirection::LowerIsPositive
            } else {
                RocDirection::HigherIsPositive
            })
        }
        d => Ok(d),
    }
}

/// AUC with an explicit direction (see [`RocDirection`]); `Auto` follows pROC's median rule.
pub fn roc_auc_directed(scores: &[f64], labels: &[bool], dir: RocDirection) -> Result<f64> {
    let d = resolve_direction(scores, labels, dir)?;
    let (pos, neg) = split_classes("roc_auc", scores, labels)?;
    let auc = auc_from_groups(&pos, &neg);
    Ok(if d == RocDirection::LowerIsPositive {
        1.0 - auc
    } else {
        auc
    })
}

/// DeLong placement values: `v10[i]` for each positive, `v01[j]` for each negative.
struct Placements {
    auc: f64,
    v10: Vec<f64>,
    v01: Vec<f64>,
}

fn placements(pos: &[f64], neg: &[f64]) -> Placements {
    let mut negs = neg.to_vec();
    negs.sort_by(|a, b| a.total_cmp(b));
    let mut poss = pos.to_vec();
    poss.sort_by(|a, b| a.total_cmp(b));
    let (m, n) = (pos.len() as f64, neg.len() as f64);
    let v10: Vec<f64> = pos
        .iter()
        .map(|&p| {
            let below = negs.partition_point(|&v| v < p);
            let le = negs.partition_point(|&v| v <= p);
            (below as f64 + 0.5 * (le - below) as f64) / n
        })
        .collect();
    let v01: Vec<f64> = neg
        .iter()
        .map(|&q| {
            let le = poss.partition_point(|&v| v <= q);
            let lt = poss.partition_point(|&v| v < q);
            let above = pos.len() - le;
            (above as f64 + 0.5 * (le - lt) as f64) / m
        })
        .collect();
    let auc = v10.iter().sum::<f64>() / m;
    Placements { auc, v10, v01 }
}

fn cov_sample(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    if a.len() < 2 {
        return f64::NAN;
    }
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (n - 1.0)
}

/// AUC with its DeLong variance and confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AucCi {
    /// Area under the curve.
    pub auc: f64,
    /// DeLong variance of the AUC.
    pub var: f64,
    /// Standard error (sqrt of `var`).
    pub se: f64,
    /// Lower confidence bound (clipped to [0, 1], as pROC).
    pub lower: f64,
    /// Upper confidence bound (clipped to [0, 1]).
    pub upper: f64,
    /// Confidence level used (e.g. 0.95).
    pub level: f64,
}

/// AUC with DeLong variance and `level` CI: `auc ± z sqrt(var)` clipped to [0,1] (pROC `ci.auc(method = "delong")`).
///
/// Needs at least 2 positives and 2 negatives (the variance uses n-1 denominators).
pub fn auc_delong(scores: &[f64], labels: &[bool], level: f64) -> Result<AucCi> {
    let what = "auc_delong";
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::input(
            what,
            format!("level must be in (0,1), got {level}"),
        ));
    }
    let (pos, neg) = split_classes(what, scores, labels)?;
    if pos.len() < 2 || neg.len() < 2 {
        return Err(StatsError::degenerate(
            what,
            "DeLong variance needs at least 2 positives and 2 negatives",
        ));
    }
    let pl = placements(&pos, &neg);
    let var = cov_sample(&pl.v10, &pl.v10) / pos.len() as f64
        + cov_sample(&pl.v01, &pl.v01) / neg.len() as f64;
    let se = var.sqrt();
    let z = norm_quantile(0.5 + level / 2.0);
    Ok(AucCi {
        auc: pl.auc,
        var,
        se,
        lower: (pl.auc - z * se).max(0.0),
        upper: (pl.auc + z * se).min(1.0),
        level,
    })
}

/// Result of a DeLong comparison of two AUCs (two-sided).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DelongTest {
    /// AUC of the first score.
    pub auc1: f64,
    /// AUC of the second score.
    pub auc2: f64,
    /// DeLong variance of AUC1.
    pub var1: f64,
    /// DeLong variance of AUC2.
    pub var2: f64,
    /// DeLong covariance (0 for the unpaired test).
    pub cov: f64,
    /// Z = (AUC1 - AUC2) / sqrt(var1 + var2 - 2 cov).
    pub z: f64,
    /// Two-sided p-value: 2 Φ(-|Z|) (paired) or 2 T_df(-|Z|) (unpaired, pROC).
    pub p: f64,
    /// Degrees of freedom of the unpaired test's t reference (None for the paired Z test).
    pub df: Option<f64>,
}

fn z_test(auc1: f64, auc2: f64, var1: f64, var2: f64, cov: f64) -> DelongTest {
    let d = auc1 - auc2;
    let s2 = var1 + var2 - 2.0 * cov;
    let (z, p) = if s2 > 0.0 {
        let z = d / s2.sqrt();
        (z, (2.0 * norm_sf(z.abs())).min(1.0))
    } else if d == 0.0 {
        // Identical rankings: no difference.
        (0.0, 1.0)
    } else {
        (d.signum() * f64::INFINITY, 0.0)
    };
    DelongTest {
        auc1,
        auc2,
        var1,
        var2,
        cov,
        z,
        p,
        df: None,
    }
}

/// Paired DeLong test of two scores on the same subjects (pROC `roc.test(method = "delong", paired = TRUE)`).
pub fn delong_paired(scores1: &[f64], scores2: &[f64], labels: &[bool]) -> Result<DelongTest> {
    let what = "delong_paired";
    if scores1.len() != scores2.len() {
        return Err(StatsError::input(
            what,
            format!(
                "score vectors differ in length ({} vs {})",
                scores1.len(),
                scores2.len()
            ),
        ));
    }
    let (p1, n1) = split_classes(what, scores1, labels)?;
    let (p2, n2) = split_classes(what, scores2, labels)?;
    if p1.len() < 2 || n1.len() < 2 {
        return Err(StatsError::degenerate(
            what,
            "DeLong variance needs at least 2 positives and 2 negatives",
        ));
    }
    let a = placements(&p1, &n1);
    let b = placements(&p2, &n2);
    let (m, n) = (p1.len() as f64, n1.len() as f64);
    let var1 = cov_sample(&a.v10, &a.v10) / m + cov_sample(&a.v01, &a.v01) / n;
    let var2 = cov_sample(&b.v10, &b.v10) / m + cov_sample(&b.v01, &b.v01) / n;
    let cov = cov_sample(&a.v10, &b.v10) / m + cov_sample(&a.v01, &b.v01) / n;
    Ok(z_test(a.auc, b.auc, var1, var2, cov))
}

/// Unpaired DeLong comparison of two independent ROC curves, as pROC
/// `roc.test(method = "delong", paired = FALSE)`: D = ΔAUC / sqrt(var1 + var2) referred to a t
/// distribution with Welch-type df = (S1 + S2)² / (S1²/(N1 - 1) + S2²/(N2 - 1)).
pub fn delong_unpaired(
    scores1: &[f64],
    labels1: &[bool],
    scores2: &[f64],
    labels2: &[bool],
) -> Result<DelongTest> {
    let a = auc_delong(scores1, labels1, 0.95)?;
    let b = auc_delong(scores2, labels2, 0.95)?;
    let mut t = z_test(a.auc, b.auc, a.var, b.var, 0.0);
    let (n1, n2) = (scores1.len() as f64, scores2.len() as f64);
    let df = (a.var + b.var).powi(2) / (a.var.powi(2) / (n1 - 1.0) + b.var.powi(2) / (n2 - 1.0));
    if t.z.is_finite() && df.is_finite() {
        t.p = (2.0 * t_sf(t.z.abs(), df)).min(1.0);
    }
    t.df = Some(df);
    Ok(t)
}

/// Percentile bootstrap CI of the AUC.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BootstrapCi {
    /// AUC on the original data.
    pub auc: f64,
    /// Lower percentile bound (R quantile type 7).
    pub lower: f64,
    /// Upper percentile bound.
    pub upper: f64,
    /// Number of replicates.
    pub n_boot: usize,
    /// Seed of the ChaCha8 generator.
    pub seed: u64,
}

/// Stratified bootstrap CI of the AUC (positives and negatives resampled separately, as pROC's
/// default `boot.stratified = TRUE`), seeded ChaCha8 so results are reproducible bit for bit.
pub fn auc_bootstrap_ci(
    scores: &[f64],
    labels: &[bool],
    level: f64,
    n_boot: usize,
    seed: u64,
) -> Result<BootstrapCi> {
    let what = "auc_bootstrap_ci";
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::input(
            what,
            format!("level must be in (0,1), got {level}"),
        ));
    }
    if n_boot < 2 {
        return Err(StatsError::input(
            what,
            "need at least 2 bootstrap replicates",
        ));
    }
    let (pos, neg) = split_classes(what, scores, labels)?;
    let auc = auc_from_groups(&pos, &neg);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut aucs = Vec::with_capacity(n_boot);
    let mut bp = vec![0.0; pos.len()];
    let mut bn = vec![0.0; neg.len()];
    for _ in 0..n_boot {
        for v in bp.iter_mut() {
            *v = pos[rng.gen_range(0..pos.len())];
        }
        for v in bn.iter_mut() {
            *v = neg[rng.gen_range(0..neg.len())];
        }
        aucs.push(auc_from_groups(&bp, &bn));
    }
    aucs.sort_by(|a, b| a.total_cmp(b));
    let a = (1.0 - level) / 2.0;
    Ok(BootstrapCi {
        auc,
        lower: quantile_type7_sorted(&aucs, a),
        upper: quantile_type7_sorted(&aucs, 1.0 - a),
        n_boot,
        seed,
    })
}

/// R quantile type 7 of already sorted, non-empty data.
pub(crate) fn quantile_type7_sorted(v: &[f64], p: f64) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n as f64 - 1.0) * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// One point of the empirical ROC curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RocPoint {
    /// Threshold: predict positive when score >= threshold.
    pub threshold: f64,
    /// Sensitivity (true-positive rate) at this threshold.
    pub sensitivity: f64,
    /// Specificity (true-negative rate) at this threshold.
    pub specificity: f64,
}

/// pROC's thresholds: -inf, midpoints between consecutive distinct scores, +inf.
pub fn roc_thresholds(scores: &[f64]) -> Vec<f64> {
    let mut u: Vec<f64> = scores.to_vec();
    u.sort_by(|a, b| a.total_cmp(b));
    u.dedup();
    let mut t = Vec::with_capacity(u.len() + 1);
    t.push(f64::NEG_INFINITY);
    for w in u.windows(2) {
        t.push((w[0] + w[1]) / 2.0);
    }
    t.push(f64::INFINITY);
    t
}

/// Empirical ROC curve at pROC's thresholds (ascending), higher score = positive.
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Result<Vec<RocPoint>> {
    let (mut pos, mut neg) = split_classes("roc_curve", scores, labels)?;
    pos.sort_by(|a, b| a.total_cmp(b));
    neg.sort_by(|a, b| a.total_cmp(b));
    let (m, n) = (pos.len() as f64, neg.len() as f64);
    Ok(roc_thresholds(scores)
        .into_iter()
        .map(|t| {
            let tp = pos.len() - pos.partition_point(|&v| v < t);
            let tn = neg.partition_point(|&v| v < t);
            RocPoint {
                threshold: t,
                sensitivity: tp as f64 / m,
                specificity: tn as f64 / n,
            }
        })
        .collect())
}

/// Thresholds maximising Youden's J = sensitivity + specificity - 1 (all ties, ascending), as
/// pROC `coords(x = "best", best.method = "youden")`.
pub fn youden_thresholds(scores: &[f64], labels: &[bool]) -> Result<Vec<RocPoint>> {
    let curve = roc_curve(scores, labels)?;
    let best = curve
        .iter()
        .map(|p| p.sensitivity + p.specificity)
        .fold(f64::NEG_INFINITY, f64::max);
    Ok(curve
        .into_iter()
        .filter(|p| p.sensitivity + p.specificity == best)
        .collect())
}
