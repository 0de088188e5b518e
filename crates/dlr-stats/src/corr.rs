//! Pearson and Spearman correlation (R's `cor`, `cor.test`): Spearman is the Pearson correlation
//! of mid-ranks. P-values use the t statistic `r sqrt((n-2)/(1-r^2))` on `n-2` df (for Spearman
//! this is R's `cor.test(exact = FALSE)` asymptotic t approximation).

use crate::dist::t_sf;
use crate::error::{check_finite, Result, StatsError};
use crate::rank::midranks;
use serde::Serialize;

/// A correlation coefficient with its two-sided test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Correlation {
    /// The coefficient r.
    pub r: f64,
    /// t statistic `r sqrt((n-2)/(1-r^2))`.
    pub t: f64,
    /// Degrees of freedom `n - 2`.
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Number of pairs.
    pub n: usize,
}

fn check_pair(what: &str, x: &[f64], y: &[f64]) -> Result<()> {
    if x.len() != y.len() {
        return Err(StatsError::input(
            what,
            format!("x has {} values but y has {}", x.len(), y.len()),
        ));
    }
    if x.len() < 2 {
        return Err(StatsError::input(what, "need at least 2 pairs"));
    }
    check_finite(what, x)?;
    check_finite(what, y)
}

fn pearson_unchecked(what: &str, x: &[f64], y: &[f64]) -> Result<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let dx = a - mx;
        let dy = b - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(StatsError::degenerate(
            what,
            "one of the variables is constant (zero variance)",
        ));
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Pearson product-moment correlation of `x` and `y` (R `cor(x, y)`).
pub fn pearson(x: &[f64], y: &[f64]) -> Result<f64> {
    check_pair("pearson", x, y)?;
    pearson_unchecked("pearson", x, y)
}

/// Spearman rank correlation: Pearson correlation of mid-ranks (R `cor(x, y, method = "spearman")`).
pub fn spearman(x: &[f64], y: &[f64]) -> Result<f64> {
    check_pair("spearman", x, y)?;
    pearson_unchecked("spearman", &midranks(x), &midranks(y))
}

fn with_test(r: f64, n: usize) -> Correlation {
    let df = n as f64 - 2.0;
    if df <= 0.0 {
        return Correlation {
            r,
            t: f64::NAN,
            df,
            p: f64::NAN,
            n,
        };
    }
    let t = if r.abs() >= 1.0 {
        r.signum() * f64::INFINITY
    } else {
        r * (df / (1.0 - r * r)).sqrt()
    };
    let p = (2.0 * t_sf(t.abs(), df)).min(1.0);
    Correlation { r, t, df, p, n }
}

/// Pearson correlation with R `cor.test` t-test p-value (two-sided). Needs n >= 3 for a p-value (else NaN).
pub fn pearson_test(x: &[f64], y: &[f64]) -> Result<Correlation> {
    Ok(with_test(pearson(x, y)?, x.len()))
}

/// Spearman correlation with the asymptotic t p-value (R `cor.test(method = "spearman", exact = FALSE)`).
pub fn spearman_test(x: &[f64], y: &[f64]) -> Result<Correlation> {
    Ok(with_test(spearman(x, y)?, x.len()))
}

/// Correlation matrix of columns (`columns[j]` is variable j); `spearman` selects the method.
pub fn correlation_matrix(columns: &[Vec<f64>], spearman_method: bool) -> Result<Vec<Vec<f64>>> {
    let what = "correlation_matrix";
    let cols: Vec<Vec<f64>> = if spearman_method {
        columns
            .iter()
            .map(|c| {
                check_finite(what, c)?;
                Ok(midranks(c))
            })
            .collect::<Result<_>>()?
    } else {
        columns.to_vec()
    };
    let p = cols.len();
    let mut m = vec![vec![1.0; p]; p];
    for i in 0..p {
        for j in (i + 1)..p {
            check_pair(what, &cols[i], &cols[j])?;
            let r = pearson_unchecked(what, &cols[i], &cols[j])?;
            m[i][j] = r;
            m[j][i] = r;
        }
    }
    Ok(m)
}

/// Kept and dropped variables of [`greedy_correlation_filter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedundancyFilter {
    /// Indices kept, ascending.
    pub kept: Vec<usize>,
    /// Indices dropped, in the order they were dropped.
    pub dropped_in_order: Vec<usize>,
}

/// Greedy redundancy filter on a correlation matrix (the reference algorithm of
/// `golden/mannwhitney_corr.json`): repeatedly take the remaining pair (i < j, first in row-major
/// order on ties) with the largest |r|; stop when it is <= `cutoff`; otherwise drop whichever of
/// i, j has the higher mean |r| to the other remaining variables (tie: drop j).
pub fn greedy_correlation_filter(r: &[Vec<f64>], cutoff: f64) -> Result<RedundancyFilter> {
    let what = "greedy_correlation_filter";
    let p = r.len();
    if r.iter().any(|row| row.len() != p) {
        return Err(StatsError::input(what, "correlation matrix must be square"));
    }
    if r.iter().flatten().any(|v| v.is_nan()) {
        return Err(StatsError::input(what, "correlation matrix contains NaN"));
    }
    let a = |i: usize, j: usize| r[i][j].abs();
    let mut keep = vec![true; p];
    let mut dropped = Vec::new();
    loop {
        let mut best: Option<(usize, usize, f64)> = None;
        for i in 0..p {
            if !keep[i] {
                continue;
            }
            for (j, &kj) in keep.iter().enumerate().skip(i + 1) {
                if kj && best.is_none_or(|(_, _, b)| a(i, j) > b) {
                    best = Some((i, j, a(i, j)));
                }
            }
        }
        let Some((i, j, m)) = best else { break };
        if m <= cutoff {
            break;
        }
        let mean_to_others = |k: usize| {
            let v: Vec<f64> = (0..p)
                .filter(|&l| l != k && keep[l])
                .map(|l| a(k, l))
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        let d = if mean_to_others(i) > mean_to_others(j) {
            i
        } else {
            j
        };
        keep[d] = false;
        dropped.push(d);
    }
    Ok(RedundancyFilter {
        kept: (0..p).filter(|&k| keep[k]).collect(),
        dropped_in_order: dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cor_test_matches_r() {
        // R: x <- c(1,2,3,4,5,6); y <- c(2,1,4,3,7,5); cor.test(x, y)
        // estimate = 0.791794654888629656, p = 0.060511403362756552
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [2.0, 1.0, 4.0, 3.0, 7.0, 5.0];
        let c = pearson_test(&x, &y).unwrap();
        assert!((c.r - 0.791_794_654_888_629_7).abs() < 1e-12);
        assert!((c.p - 0.060_511_403_362_756_55).abs() < 1e-12, "{}", c.p);
    }

    #[test]
    fn spearman_test_matches_r() {
        // R 4.2.2: cor.test(1:7, c(2,1,4,3,7,5,5), method = "spearman", exact = FALSE)
        // rho = 0.810843716426002947, p = 0.026916328843162061
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let y = [2.0, 1.0, 4.0, 3.0, 7.0, 5.0, 5.0];
        let c = spearman_test(&x, &y).unwrap();
        assert!((c.r - 0.810_843_716_426_003).abs() < 1e-12, "{}", c.r);
        assert!((c.p - 0.026_916_328_843_162_06).abs() < 1e-12, "{}", c.p);
    }

    #[test]
    fn degenerate_inputs_error() {
        assert!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_err());
        assert!(pearson(&[1.0], &[1.0]).is_err());
        assert!(pearson(&[1.0, 2.0], &[1.0]).is_err());
        assert!(spearman(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]).is_err());
    }
}
