//! Statistics kernels the selectors need: Mann–Whitney U (R's `wilcox.test`, normal
//! approximation), Pearson and Spearman correlation, ICC forms from two-way ANOVA mean squares,
//! Benjamini–Hochberg adjustment and the DeLong AUC confidence interval.
//!
//! These are crate-local so the selection chain does not wait on `dlr-stats`; they are tested
//! against the same R goldens (`../shared/golden/mannwhitney_corr.json`, `icc.json`, `roc.json`).

use crate::error::{LearnError, Result};
use crate::util::{auc, pnorm, qnorm};

/// Average (mid) ranks, 1-based.
pub fn midranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = mid;
        }
        i = j + 1;
    }
    r
}

/// Mann–Whitney U of group `x` against `y` and its two-sided normal-approximation p-value with
/// tie-corrected variance (R `wilcox.test(x, y, exact = FALSE, correct = continuity)`).
/// All values tied (zero variance) gives `p = 1`.
pub fn mann_whitney(x: &[f64], y: &[f64], continuity: bool) -> Result<(f64, f64)> {
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    if x.is_empty() || y.is_empty() {
        return Err(LearnError::data(
            "mann_whitney",
            "both groups need at least one value",
        ));
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(LearnError::data("mann_whitney", "non-finite value"));
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let r = midranks(&all);
    let u = r[..x.len()].iter().sum::<f64>() - n1 * (n1 + 1.0) / 2.0;
    let n = n1 + n2;
    let mut sorted = all.clone();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    let sigma = (n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return Ok((u, 1.0));
    }
    let mut z = u - n1 * n2 / 2.0;
    if continuity {
        // R: sign(z) * 0.5, with sign(0) = 0
        if z != 0.0 {
            z -= 0.5 * z.signum();
        }
    }
    z /= sigma;
    let p = 2.0 * pnorm(-z.abs());
    Ok((u, p.min(1.0)))
}

/// Pearson correlation; `NaN` if either vector is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Spearman correlation (Pearson of mid-ranks, as R `cor(method = "spearman")`).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&midranks(x), &midranks(y))
}

/// ICC form (Shrout & Fleiss / McGraw & Wong naming).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IccForm {
    /// ICC(1,1): one-way random, single rater.
    Icc1,
    /// ICC(2,1) = ICC(A,1): two-way random, absolute agreement, single rater (radiomics default).
    Icc2,
    /// ICC(3,1) = ICC(C,1): two-way mixed, consistency, single rater.
    Icc3,
    /// ICC(1,k): one-way random, average of k raters.
    Icc1k,
    /// ICC(2,k): two-way random, absolute agreement, average.
    Icc2k,
    /// ICC(3,k): two-way mixed, consistency, average.
    Icc3k,
}

/// ICC of an `n targets × k raters` table (`ratings[i][r]`). Zero between-target and
/// within-target variance (all equal) gives `NaN`.
pub fn icc(ratings: &[Vec<f64>], form: IccForm) -> Result<f64> {
    let n = ratings.len();
    let k = ratings.first().map_or(0, |r| r.len());
    if n < 2 || k < 2 || ratings.iter().any(|r| r.len() != k) {
        return Err(LearnError::data(
            "icc",
            format!("need a rectangular table with ≥ 2 targets and ≥ 2 raters, got {n} × {k}"),
        ));
    }
    if ratings.iter().flatten().any(|v| !v.is_finite()) {
        return Err(LearnError::data("icc", "non-finite rating"));
    }
    let (nf, kf) = (n as f64, k as f64);
    let gm = ratings.iter().flatten().sum::<f64>() / (nf * kf);
    let ssr = kf
        * ratings
            .iter()
            .map(|r| (r.iter().sum::<f64>() / kf - gm).powi(2))
            .sum::<f64>();
    let ssc = nf
        * (0..k)
            .map(|c| (ratings.iter().map(|r| r[c]).sum::<f64>() / nf - gm).powi(2))
            .sum::<f64>();
    let sst = ratings
        .iter()
        .flatten()
        .map(|v| (v - gm).powi(2))
        .sum::<f64>();
    let sse = sst - ssr - ssc;
    let ssw = sst - ssr;
    let msr = ssr / (nf - 1.0);
    let msc = ssc / (kf - 1.0);
    let mse = sse / ((nf - 1.0) * (kf - 1.0));
    let msw = ssw / (nf * (kf - 1.0));
    Ok(match form {
        IccForm::Icc1 => (msr - msw) / (msr + (kf - 1.0) * msw),
        IccForm::Icc2 => (msr - mse) / (msr + (kf - 1.0) * mse + kf * (msc - mse) / nf),
        IccForm::Icc3 => (msr - mse) / (msr + (kf - 1.0) * mse),
        IccForm::Icc1k => (msr - msw) / msr,
        IccForm::Icc2k => (msr - mse) / (msr + (msc - mse) / nf),
        IccForm::Icc3k => (msr - mse) / msr,
    })
}

/// Benjamini–Hochberg adjusted p-values (R `p.adjust(method = "BH")`).
pub fn bh_adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[b].total_cmp(&p[a])); // decreasing
    let mut out = vec![0.0; m];
    let mut running = f64::INFINITY;
    for (r, &i) in idx.iter().enumerate() {
        let rank = (m - r) as f64;
        running = running.min(p[i] * m as f64 / rank);
        out[i] = running.min(1.0);
    }
    out
}

/// AUC with its DeLong standard error and `level` confidence interval (clipped to [0, 1]),
/// as pROC `ci.auc(method = "delong")`.
pub fn auc_delong_ci(scores: &[f64], y: &[bool], level: f64) -> Result<(f64, f64, f64)> {
    let pos: Vec<f64> = scores
        .iter()
        .zip(y)
        .filter(|(_, &b)| b)
        .map(|(s, _)| *s)
        .collect();
    let neg: Vec<f64> = scores
        .iter()
        .zip(y)
        .filter(|(_, &b)| !b)
        .map(|(s, _)| *s)
        .collect();
    let (m, n) = (pos.len(), neg.len());
    if m < 2 || n < 2 {
        return Err(LearnError::data(
            "auc_delong_ci",
            "each class needs at least 2 members",
        ));
    }
    let a = auc(scores, y);
    let psi = |x: f64, z: f64| {
        if x > z {
            1.0
        } else if x == z {
            0.5
        } else {
            0.0
        }
    };
    let v10: Vec<f64> = pos
        .iter()
        .map(|&x| neg.iter().map(|&z| psi(x, z)).sum::<f64>() / n as f64)
        .collect();
    let v01: Vec<f64> = neg
        .iter()
        .map(|&z| pos.iter().map(|&x| psi(x, z)).sum::<f64>() / m as f64)
        .collect();
    let var = |v: &[f64]| {
        let mu = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let se = (var(&v10) / m as f64 + var(&v01) / n as f64).sqrt();
    let zq = qnorm(0.5 + level / 2.0);
    Ok((a, (a - zq * se).max(0.0), (a + zq * se).min(1.0)))
}
