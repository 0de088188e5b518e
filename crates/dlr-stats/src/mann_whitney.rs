//! Mann–Whitney U / Wilcoxon rank-sum test as R's `wilcox.test(x, y)`: the exact null distribution
//! (counted with the Gaussian-binomial generating function, integer arithmetic) when both groups
//! have fewer than 50 values and there are no ties, otherwise the normal approximation with the
//! tie-corrected variance and (by default) the 0.5 continuity correction.

use crate::dist::{norm_cdf, norm_sf};
use crate::error::{check_finite, Result, StatsError};
use crate::rank::{midranks, tie_sizes};
use serde::Serialize;

/// Alternative hypothesis, phrased for the location shift of `x` relative to `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum Alternative {
    /// Two-sided (R default).
    #[default]
    TwoSided,
    /// x tends to be smaller than y.
    Less,
    /// x tends to be larger than y.
    Greater,
}

/// How the p-value is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum MwMethod {
    /// R's rule: exact when both n < 50 and there are no ties, else normal.
    #[default]
    Auto,
    /// Exact null distribution (fails on ties).
    Exact,
    /// Normal approximation with tie-corrected variance.
    Normal,
}

/// Options for [`mann_whitney_u`]; `Default` equals R `wilcox.test` defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MannWhitneyOptions {
    /// Alternative hypothesis.
    pub alternative: Alternative,
    /// P-value method.
    pub method: MwMethod,
    /// Apply the 0.5 continuity correction in the normal approximation (R `correct = TRUE`).
    pub continuity: bool,
}

impl Default for MannWhitneyOptions {
    fn default() -> Self {
        MannWhitneyOptions {
            alternative: Alternative::TwoSided,
            method: MwMethod::Auto,
            continuity: true,
        }
    }
}

/// Result of a Mann–Whitney test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U for `x` (R's W) = #{x > y} + 0.5 #{x == y}.
    pub u: f64,
    /// P-value.
    pub p: f64,
    /// Method actually used: [`MwMethod::Exact`] or [`MwMethod::Normal`].
    pub method: MwMethod,
}

/// Mann–Whitney U test of `x` against `y` (R `wilcox.test(x, y, ...)`).
///
/// Errors on empty groups, NaN/inf values, or an exact request with ties.
pub fn mann_whitney_u(x: &[f64], y: &[f64], opts: &MannWhitneyOptions) -> Result<MannWhitney> {
    let what = "mann_whitney_u";
    if x.is_empty() || y.is_empty() {
        return Err(StatsError::input(
            what,
            format!("both groups need values (got {} and {})", x.len(), y.len()),
        ));
    }
    check_finite(what, x)?;
    check_finite(what, y)?;
    let (n1, n2) = (x.len(), y.len());
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let r = midranks(&all);
    let rsum: f64 = r[..n1].iter().sum();
    let u = rsum - (n1 * (n1 + 1)) as f64 / 2.0;
    let ties = tie_sizes(&all);
    let has_ties = ties.iter().any(|&t| t > 1);
    let method = match opts.method {
        MwMethod::Auto => {
            if n1 < 50 && n2 < 50 && !has_ties {
                MwMethod::Exact
            } else {
                MwMethod::Normal
            }
        }
        MwMethod::Exact if has_ties => {
            return Err(StatsError::unsupported(
                what,
                "exact p-value requested but the data have ties (use MwMethod::Normal or Auto)",
            ))
        }
        m => m,
    };
    let p = match method {
        MwMethod::Exact => exact_p(u, n1, n2, opts.alternative)?,
        _ => normal_p(u, n1, n2, &ties, opts),
    };
    Ok(MannWhitney { u, p, method })
}

/// Frequencies of U = 0..=n1*n2 under H0 (Gaussian binomial coefficient [n1+n2 choose n1]_q).
fn u_counts(n1: usize, n2: usize) -> Vec<i128> {
    let max = n1 * n2;
    let mut c = vec![0i128; max + 1];
    c[0] = 1;
    // [n2+i choose i]_q = [n2+i-1 choose i-1]_q * (1 - q^{n2+i}) / (1 - q^i)
    for i in 1..=n1 {
        let k = n2 + i;
        for d in (k..=max).rev() {
            c[d] -= c[d - k];
        }
        for d in i..=max {
            c[d] += c[d - i];
        }
    }
    c
}

fn exact_p(u: f64, n1: usize, n2: usize, alt: Alternative) -> Result<f64> {
    if n1 * n2 > 5_000_000 || n1 + n2 > 120 {
        return Err(StatsError::unsupported(
            "mann_whitney_u",
            format!("exact p-value for n1={n1}, n2={n2} is too large; use MwMethod::Normal"),
        ));
    }
    let c = u_counts(n1, n2);
    let total: f64 = c.iter().map(|&v| v as f64).sum();
    // U is an integer without ties.
    let q = u.round() as usize;
    let lower = |q: usize| {
        c[..=q.min(c.len() - 1)]
            .iter()
            .map(|&v| v as f64)
            .sum::<f64>()
            / total
    };
    let upper = |q: usize| c[q.min(c.len())..].iter().map(|&v| v as f64).sum::<f64>() / total;
    let p = match alt {
        Alternative::TwoSided => {
            let half = (n1 * n2) as f64 / 2.0;
            let one = if u > half { upper(q) } else { lower(q) };
            (2.0 * one).min(1.0)
        }
        Alternative::Greater => upper(q),
        Alternative::Less => lower(q),
    };
    Ok(p)
}

fn normal_p(u: f64, n1: usize, n2: usize, ties: &[usize], opts: &MannWhitneyOptions) -> f64 {
    let (a, b) = (n1 as f64, n2 as f64);
    let n = a + b;
    let tie_term: f64 = ties
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum();
    let sigma = (a * b / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    let z0 = u - a * b / 2.0;
    let corr = if opts.continuity {
        match opts.alternative {
            Alternative::TwoSided => 0.5 * sign(z0),
            Alternative::Greater => 0.5,
            Alternative::Less => -0.5,
        }
    } else {
        0.0
    };
    if sigma == 0.0 {
        // All values tied: no evidence either way.
        return 1.0;
    }
    let z = (z0 - corr) / sigma;
    match opts.alternative {
        Alternative::TwoSided => (2.0 * norm_cdf(z).min(norm_sf(z))).min(1.0),
        Alternative::Greater => norm_sf(z),
        Alternative::Less => norm_cdf(z),
    }
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_small_matches_r() {
        // R: wilcox.test(c(1.1, 2.5, 3.7, 8.0), c(0.3, 0.9, 1.5, 2.0, 2.2)) -> W = 17, p-value = 0.1111111111111111
        let x = [1.1, 2.5, 3.7, 8.0];
        let y = [0.3, 0.9, 1.5, 2.0, 2.2];
        let r = mann_whitney_u(&x, &y, &MannWhitneyOptions::default()).unwrap();
        assert_eq!(r.u, 17.0);
        assert_eq!(r.method, MwMethod::Exact);
        assert!((r.p - 0.111_111_111_111_111_1).abs() < 1e-12, "{}", r.p);
    }

    #[test]
    fn all_tied_and_empty() {
        let r = mann_whitney_u(
            &[1.0, 1.0],
            &[1.0, 1.0, 1.0],
            &MannWhitneyOptions::default(),
        )
        .unwrap();
        assert_eq!(r.p, 1.0);
        assert!(mann_whitney_u(&[], &[1.0], &MannWhitneyOptions::default()).is_err());
        let exact = MannWhitneyOptions {
            method: MwMethod::Exact,
            ..Default::default()
        };
        assert!(mann_whitney_u(&[1.0, 2.0], &[2.0, 3.0], &exact).is_err());
    }
}
