//! Calibration of predicted probabilities against 0/1 outcomes, as in R: Brier score (and scaled
//! Brier), logistic recalibration `glm(y ~ logit(p))` (intercept and slope), calibration-in-the-
//! large `glm(y ~ offset(logit(p)))`, rms `val.prob` statistics (Dxy, C, Nagelkerke R2, U, Q,
//! Emax/E90/Eavg from `lowess(p, y, iter = 0)`), Hosmer–Lemeshow as `ResourceSelection::hoslem.test`,
//! grouped (quantile-bin) and lowess-smoothed calibration curves, and decision-curve net benefit.

use crate::dist::chisq_sf;
use crate::error::{check_finite, Result, StatsError};
use crate::roc::{auc_from_groups, quantile_type7_sorted};
use serde::Serialize;

fn check_probs(what: &str, p: &[f64], y: &[bool]) -> Result<()> {
    if p.len() != y.len() {
        return Err(StatsError::input(
            what,
            format!("{} probabilities but {} outcomes", p.len(), y.len()),
        ));
    }
    if p.is_empty() {
        return Err(StatsError::input(what, "no observations"));
    }
    check_finite(what, p)?;
    if let Some(i) = p.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(StatsError::input(
            what,
            format!("value {} at index {i} is not a probability in [0, 1]", p[i]),
        ));
    }
    Ok(())
}

/// Brier score: mean squared difference between probability and outcome.
pub fn brier(p: &[f64], y: &[bool]) -> Result<f64> {
    check_probs("brier", p, y)?;
    Ok(p.iter()
        .zip(y)
        .map(|(&p, &y)| (p - if y { 1.0 } else { 0.0 }).powi(2))
        .sum::<f64>()
        / p.len() as f64)
}

/// Result of a binary logistic fit `y ~ a + b * x` (or `y ~ a + offset(x)`).
struct LogitFit {
    a: f64,
    b: f64,
    deviance: f64,
}

fn deviance(y: &[f64], eta: impl Fn(usize) -> f64) -> f64 {
    -2.0 * y
        .iter()
        .enumerate()
        .map(|(i, &yi)| {
            let e = eta(i);
            // log(1 + exp(e)) stably
            let l1pe = if e > 0.0 {
                e + (-e).exp().ln_1p()
            } else {
                e.exp().ln_1p()
            };
            yi * e - l1pe
        })
        .sum::<f64>()
}

/// Relative singularity tolerance of the 2×2 information matrix, as R's `glm.fit` (QR with
/// `tol = 1e-11`): the score column is aliased with the intercept when its weighted distance from
/// a constant is below `1e-11` times its weighted norm, i.e. `S / h11 < 1e-22` with
/// `S = sum w (x - x̄_w)²` and `h11 = sum w x²`.
const ALIAS_TOL_SQ: f64 = 1e-22;

/// Why `glm(y ~ x)` (one covariate plus an intercept) has no finite maximum-likelihood estimate:
/// `x` constant, or `x` separating the outcomes completely (every event above, or below, every
/// non-event) or quasi-completely (the two classes meet at a single value). For one covariate
/// these are the only cases (Albert & Anderson 1984), so the MLE exists when this returns `None`.
/// `show(i)` formats observation `i` for the message.
fn no_logit_mle(x: &[f64], y: &[f64], show: impl Fn(usize) -> String) -> Option<String> {
    let (mut lo, mut hi) = ([None::<usize>; 2], [None::<usize>; 2]);
    for (i, (&xi, &yi)) in x.iter().zip(y).enumerate() {
        let k = usize::from(yi > 0.5);
        if lo[k].is_none_or(|j| xi < x[j]) {
            lo[k] = Some(i);
        }
        if hi[k].is_none_or(|j| xi > x[j]) {
            hi[k] = Some(i);
        }
    }
    let ([Some(lo0), Some(lo1)], [Some(hi0), Some(hi1)]) = (lo, hi) else {
        return Some("only one outcome class present".into());
    };
    if x.iter().all(|&v| v == x[0]) {
        return Some(format!(
            "the score is constant ({}), so glm(y ~ logit(p)) has no slope",
            show(0)
        ));
    }
    let why = |kind: &str, order: &str| {
        format!(
            "the score separates the outcomes {kind} ({order}), so glm(y ~ logit(p)) has no \
             finite maximum-likelihood intercept and slope (R: fitted probabilities numerically 0 \
             or 1)"
        )
    };
    if x[hi0] < x[lo1] {
        return Some(why(
            "completely",
            "every event scores above every non-event",
        ));
    }
    if x[hi1] < x[lo0] {
        return Some(why(
            "completely",
            "every event scores below every non-event",
        ));
    }
    if x[hi0] == x[lo1] {
        return Some(why(
            "quasi-completely",
            &format!(
                "events score at or above {}, non-events at or below it",
                show(lo1)
            ),
        ));
    }
    if x[hi1] == x[lo0] {
        return Some(why(
            "quasi-completely",
            &format!(
                "events score at or below {}, non-events at or above it",
                show(hi1)
            ),
        ));
    }
    None
}

/// Newton–Raphson (= IRLS) for `y ~ a + b x`; `slope_free = false` fixes b = 1 (offset). The
/// Newton step is solved in the weighted-centred parametrisation, halved while it raises the
/// deviance, and the fit stops when the relative deviance change is below 1e-15. The caller
/// must rule out separation first ([`no_logit_mle`]); a fit that still fails to converge in
/// 100 iterations is an error, never a returned point.
fn logit_fit(what: &str, x: &[f64], y: &[f64], slope_free: bool) -> Result<LogitFit> {
    let (mut a, mut b) = (0.0, if slope_free { 0.0 } else { 1.0 });
    let mut dev = deviance(y, |i| a + b * x[i]);
    for _ in 0..100 {
        let (mut g0, mut h00, mut h01, mut h11) = (0.0, 0.0, 0.0, 0.0);
        for (&xi, &yi) in x.iter().zip(y) {
            let mu = 1.0 / (1.0 + (-(a + b * xi)).exp());
            let w = mu * (1.0 - mu);
            g0 += yi - mu;
            h00 += w;
            h01 += w * xi;
            h11 += w * xi * xi;
        }
        if h00.is_nan() || h00 <= 0.0 || !h11.is_finite() {
            return Err(StatsError::degenerate(
                what,
                "singular information matrix (all fitted probabilities are 0 or 1)",
            ));
        }
        let (da, db) = if slope_free {
            // Schur complement: S = sum w (x - x̄_w)², centred for accuracy.
            let xw = h01 / h00;
            let (mut s, mut gc) = (0.0, 0.0);
            for (&xi, &yi) in x.iter().zip(y) {
                let mu = 1.0 / (1.0 + (-(a + b * xi)).exp());
                let d = xi - xw;
                s += mu * (1.0 - mu) * d * d;
                gc += (yi - mu) * d;
            }
            if s.is_nan() || s <= ALIAS_TOL_SQ * h11 {
                return Err(StatsError::degenerate(
                    what,
                    "the score is numerically constant (information matrix singular relative to \
                     its scale), so glm(y ~ logit(p)) has no slope",
                ));
            }
            let db = gc / s;
            (g0 / h00 - xw * db, db)
        } else {
            (g0 / h00, 0.0)
        };
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let (na, nb) = (a + t * da, b + t * db);
            let nd = deviance(y, |i| na + nb * x[i]);
            if nd.is_finite() && nd <= dev * (1.0 + 1e-14) + 1e-14 {
                accepted = Some((na, nb, nd));
                break;
            }
            t *= 0.5;
        }
        let Some((na, nb, nd)) = accepted else {
            // No step lowers the deviance any further: at the optimum up to rounding.
            return Ok(LogitFit {
                a,
                b,
                deviance: dev,
            });
        };
        let change = (nd - dev).abs() / (nd.abs() + 0.1);
        (a, b, dev) = (na, nb, nd);
        if change < 1e-15 {
            return Ok(LogitFit {
                a,
                b,
                deviance: dev,
            });
        }
    }
    Err(StatsError::degenerate(
        what,
        "the logistic recalibration did not converge in 100 iterations",
    ))
}

/// Hosmer–Lemeshow goodness-of-fit test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HosmerLemeshow {
    /// Chi-square statistic (summed over event and non-event cells).
    pub statistic: f64,
    /// Degrees of freedom = number of non-empty bins - 2.
    pub df: f64,
    /// Upper-tail p-value.
    pub p: f64,
    /// Distinct quantile breaks.
    pub breaks: Vec<f64>,
    /// Observations per bin.
    pub n: Vec<usize>,
    /// Observed events per bin.
    pub observed_events: Vec<f64>,
    /// Expected events (sum of p) per bin.
    pub expected_events: Vec<f64>,
    /// Mean predicted probability per bin (grouped calibration curve x).
    pub mean_predicted: Vec<f64>,
    /// Observed event rate per bin (grouped calibration curve y).
    pub observed_rate: Vec<f64>,
}

/// Hosmer–Lemeshow test with `g` quantile groups, exactly as `ResourceSelection::hoslem.test`:
/// breaks = unique type-7 quantiles of p at 0, 1/g, …, 1; bins right-closed, first closed on
/// both sides; empty bins are skipped; df = non-empty bins - 2.
pub fn hosmer_lemeshow(p: &[f64], y: &[bool], g: usize) -> Result<HosmerLemeshow> {
    let what = "hosmer_lemeshow";
    check_probs(what, p, y)?;
    if g < 3 {
        return Err(StatsError::input(
            what,
            format!("need g >= 3 groups, got {g}"),
        ));
    }
    let mut sorted = p.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let mut breaks: Vec<f64> = (0..=g)
        .map(|i| quantile_type7_sorted(&sorted, i as f64 / g as f64))
        .collect();
    breaks.dedup();
    let nb = breaks.len().saturating_sub(1);
    if nb < 3 {
        return Err(StatsError::degenerate(
            what,
            format!("predicted probabilities give only {nb} distinct bins (need >= 3)"),
        ));
    }
    let mut n = vec![0usize; nb];
    let mut obs = vec![0.0; nb];
    let mut exp = vec![0.0; nb];
    for (&pi, &yi) in p.iter().zip(y) {
        // first bin [b0, b1]; bin k (k >= 1) is (b_k, b_{k+1}]
        let k = breaks[1..].partition_point(|&b| b < pi).min(nb - 1);
        n[k] += 1;
        exp[k] += pi;
        if yi {
            obs[k] += 1.0;
        }
    }
    let mut stat = 0.0;
    let mut used = 0;
    let (mut mp, mut orate) = (Vec::new(), Vec::new());
    for k in 0..nb {
        if n[k] == 0 {
            continue;
        }
        used += 1;
        let nk = n[k] as f64;
        let (o1, e1) = (obs[k], exp[k]);
        let (o0, e0) = (nk - o1, nk - e1);
        stat += (o1 - e1).powi(2) / e1 + (o0 - e0).powi(2) / e0;
        mp.push(e1 / nk);
        orate.push(o1 / nk);
    }
    let df = used as f64 - 2.0;
    Ok(HosmerLemeshow {
        statistic: stat,
        df,
        p: chisq_sf(stat, df),
        breaks,
        n,
        observed_events: obs,
        expected_events: exp,
        mean_predicted: mp,
        observed_rate: orate,
    })
}

/// R's `lowess(x, y, f, iter = 0)` (clowess without robustness steps), returning fitted values
/// at the sorted x. `x` must be sorted ascending.
pub fn lowess_sorted(x: &[f64], y: &[f64], f: f64) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return y.to_vec();
    }
    let delta = 0.01 * (x[n - 1] - x[0]);
    let ns = ((f * n as f64 + 1e-7) as usize).clamp(2, n);
    let mut ys = vec![0.0; n];
    let mut w = vec![0.0; n];
    let range = x[n - 1] - x[0];
    // 0-based translation of clowess.
    let (mut nleft, mut nright, mut last, mut i) = (0usize, ns - 1, None::<usize>, 0usize);
    loop {
        if nright < n - 1 {
            let d1 = x[i] - x[nleft];
            let d2 = x[nright + 1] - x[i];
            if d1 > d2 {
                nleft += 1;
                nright += 1;
                continue;
            }
        }
        // lowest()
        let xs = x[i];
        let h = (xs - x[nleft]).max(x[nright] - xs);
        let h9 = 0.999 * h;
        let h1 = 0.001 * h;
        let mut a = 0.0;
        let mut j = nleft;
        while j < n {
            w[j] = 0.0;
            let r = (x[j] - xs).abs();
            if r <= h9 {
                w[j] = if r <= h1 {
                    1.0
                } else {
                    (1.0 - (r / h).powi(3)).powi(3)
                };
                a += w[j];
            } else if x[j] > xs {
                break;
            }
            j += 1;
        }
        let nrt = j - 1;
        if a <= 0.0 {
            ys[i] = y[i];
        } else {
            for wj in &mut w[nleft..=nrt] {
                *wj /= a;
            }
            if h > 0.0 {
                let a2: f64 = (nleft..=nrt).map(|j| w[j] * x[j]).sum();
                let mut b = xs - a2;
                let c: f64 = (nleft..=nrt).map(|j| w[j] * (x[j] - a2).powi(2)).sum();
                if c.sqrt() > 0.001 * range {
                    b /= c;
                    for j in nleft..=nrt {
                        w[j] *= b * (x[j] - a2) + 1.0;
                    }
                }
            }
            ys[i] = (nleft..=nrt).map(|j| w[j] * y[j]).sum();
        }
        // interpolate skipped points
        if let Some(l) = last {
            if l + 1 < i {
                let denom = x[i] - x[l];
                for j in (l + 1)..i {
                    let alpha = (x[j] - x[l]) / denom;
                    ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[l];
                }
            }
        }
        let mut l2 = i;
        let cut = x[l2] + delta;
        let mut k = i + 1;
        while k < n {
            if x[k] > cut {
                break;
            }
            if x[k] == x[l2] {
                ys[k] = ys[l2];
                l2 = k;
            }
            k += 1;
        }
        last = Some(l2);
        i = (l2 + 1).max(k - 1);
        if l2 >= n - 1 {
            break;
        }
    }
    ys
}

/// Linear interpolation of (xs, ys) (xs sorted, duplicates collapsed to the mean of their ys, as
/// R `approx(ties = mean)`) at `at`; values outside the range get NaN.
fn approx_mean_ties(xs: &[f64], ys: &[f64], at: f64) -> f64 {
    let mut ux: Vec<f64> = Vec::new();
    let mut uy: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let mut j = i + 1;
        while j < xs.len() && xs[j] == xs[i] {
            j += 1;
        }
        ux.push(xs[i]);
        uy.push(ys[i..j].iter().sum::<f64>() / (j - i) as f64);
        i = j;
    }
    if ux.len() == 1 {
        return if at == ux[0] { uy[0] } else { f64::NAN };
    }
    if at < ux[0] || at > ux[ux.len() - 1] {
        return f64::NAN;
    }
    let k = ux.partition_point(|&v| v <= at);
    if k == 0 {
        return uy[0];
    }
    if k >= ux.len() {
        return uy[ux.len() - 1];
    }
    let (x0, x1, y0, y1) = (ux[k - 1], ux[k], uy[k - 1], uy[k]);
    if at == x0 {
        return y0;
    }
    y0 + (y1 - y0) * (at - x0) / (x1 - x0)
}

/// A point of the smoothed calibration curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Predicted probability.
    pub predicted: f64,
    /// Smoothed observed probability.
    pub observed: f64,
}

/// Calibration summary of predicted probabilities against outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Number of observations.
    pub n: usize,
    /// Brier score.
    pub brier: f64,
    /// Scaled Brier 1 - Brier / (prev (1 - prev)).
    pub brier_scaled: f64,
    /// Slope of `glm(y ~ logit(p))`.
    pub slope: f64,
    /// Intercept of `glm(y ~ logit(p))`.
    pub intercept: f64,
    /// Calibration-in-the-large: intercept of `glm(y ~ offset(logit(p)))`.
    pub citl: f64,
    /// Somers' Dxy = 2 (C - 0.5), with C as rms computes it (see `c`).
    pub dxy: f64,
    /// C statistic as rms `val.prob`/`lrm.fit` report it: AUC of the recalibrated probabilities
    /// binned into 501 equal-width bins over their range (can differ from `auc` by ties).
    pub c: f64,
    /// Exact Mann–Whitney AUC of `p`.
    pub auc: f64,
    /// Nagelkerke R2 of the predictions as given (rms `val.prob` R2, log-likelihood at a=0, b=1).
    pub r2: f64,
    /// Unreliability index U (rms).
    pub u: f64,
    /// Quality index Q = D - U with D = (L0 - L01 - 1)/n (rms).
    pub q: f64,
    /// Max |p - lowess(p)| (rms Emax).
    pub emax: f64,
    /// 90th percentile of |p - lowess(p)| (rms E90).
    pub e90: f64,
    /// Mean |p - lowess(p)| (rms Eavg).
    pub eavg: f64,
    /// Hosmer–Lemeshow with g = 10 (None when fewer than 3 distinct bins).
    pub hosmer_lemeshow: Option<HosmerLemeshow>,
    /// Lowess-smoothed calibration curve at the sorted predictions.
    pub smooth_curve: Vec<CurvePoint>,
}

/// Full calibration summary. Probabilities must lie strictly inside (0, 1) (the logistic
/// recalibration uses logit(p)); both outcomes must be present. A constant score, or one that
/// separates the outcomes completely or quasi-completely, is a [`StatsError::Degenerate`] error
/// naming the case: `glm(y ~ logit(p))` then has no finite maximum-likelihood slope, and R's
/// numbers for it (with the warning "fitted probabilities numerically 0 or 1") are arbitrary.
pub fn calibration(p: &[f64], y: &[bool]) -> Result<Calibration> {
    let what = "calibration";
    check_probs(what, p, y)?;
    if p.iter().any(|&v| v <= 0.0 || v >= 1.0) {
        return Err(StatsError::degenerate(
            what,
            "a probability is exactly 0 or 1, so logit(p) is infinite (clip the predictions first)",
        ));
    }
    let n1 = y.iter().filter(|&&v| v).count();
    if n1 == 0 || n1 == y.len() {
        return Err(StatsError::degenerate(
            what,
            "only one outcome class present",
        ));
    }
    let nf = p.len() as f64;
    let yf: Vec<f64> = y.iter().map(|&v| if v { 1.0 } else { 0.0 }).collect();
    let lp: Vec<f64> = p.iter().map(|&v| (v / (1.0 - v)).ln()).collect();
    if let Some(why) = no_logit_mle(&lp, &yf, |i| format!("p = {}", p[i])) {
        return Err(StatsError::degenerate(what, why));
    }
    let b = brier(p, y)?;
    let prev = n1 as f64 / nf;
    let joint = logit_fit(what, &lp, &yf, true)?;
    let citl = logit_fit(what, &lp, &yf, false)?;
    // Null deviance (intercept only).
    let dev0 = -2.0 * (n1 as f64 * prev.ln() + (nf - n1 as f64) * (1.0 - prev).ln());
    // rms val.prob: R2 and D use the likelihood of the predictions as given (a = 0, b = 1).
    let l01 = deviance(&yf, |i| lp[i]);
    let lr = dev0 - l01;
    let r2 = (1.0 - (-lr / nf).exp()) / (1.0 - (-dev0 / nf).exp());
    let u = (l01 - joint.deviance - 2.0) / nf;
    let d = (lr - 1.0) / nf;
    let q = d - u;
    let pos: Vec<f64> = p
        .iter()
        .zip(y)
        .filter(|(_, &l)| l)
        .map(|(v, _)| *v)
        .collect();
    let neg: Vec<f64> = p
        .iter()
        .zip(y)
        .filter(|(_, &l)| !l)
        .map(|(v, _)| *v)
        .collect();
    let auc = auc_from_groups(&pos, &neg);
    // rms lrm.fit: C from fitted probabilities rounded onto 501 bins over their range.
    let fitted: Vec<f64> = lp
        .iter()
        .map(|&l| 1.0 / (1.0 + (-(joint.a + joint.b * l)).exp()))
        .collect();
    let (fmin, fmax) = fitted
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let c = if fmax > fmin {
        let bins: Vec<f64> = fitted
            .iter()
            .map(|&v| ((v - fmin) / (fmax - fmin) * 500.0).round_ties_even())
            .collect();
        let bp: Vec<f64> = bins
            .iter()
            .zip(y)
            .filter(|(_, &l)| l)
            .map(|(v, _)| *v)
            .collect();
        let bn: Vec<f64> = bins
            .iter()
            .zip(y)
            .filter(|(_, &l)| !l)
            .map(|(v, _)| *v)
            .collect();
        auc_from_groups(&bp, &bn)
    } else {
        0.5
    };
    // lowess(p, y, iter = 0) on data sorted by p (stable order as R's order()).
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let xs: Vec<f64> = idx.iter().map(|&i| p[i]).collect();
    let ys: Vec<f64> = idx.iter().map(|&i| yf[i]).collect();
    let fit = lowess_sorted(&xs, &ys, 2.0 / 3.0);
    let mut er: Vec<f64> = p
        .iter()
        .map(|&v| (v - approx_mean_ties(&xs, &fit, v)).abs())
        .collect();
    let eavg = er.iter().sum::<f64>() / nf;
    let emax = er.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    er.sort_by(|a, b| a.total_cmp(b));
    let e90 = quantile_type7_sorted(&er, 0.9);
    let smooth_curve = xs
        .iter()
        .zip(&fit)
        .map(|(&predicted, &observed)| CurvePoint {
            predicted,
            observed,
        })
        .collect();
    Ok(Calibration {
        n: p.len(),
        brier: b,
        brier_scaled: 1.0 - b / (prev * (1.0 - prev)),
        slope: joint.b,
        intercept: joint.a,
        citl: citl.a,
        dxy: 2.0 * (c - 0.5),
        c,
        auc,
        r2,
        u,
        q,
        emax,
        e90,
        eavg,
        hosmer_lemeshow: hosmer_lemeshow(p, y, 10).ok(),
        smooth_curve,
    })
}

/// Net benefit of the model, treat-all and treat-none at each threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionCurve {
    /// Threshold probabilities.
    pub thresholds: Vec<f64>,
    /// Model: TP/n - FP/n · pt/(1-pt), treating when p >= pt.
    pub net_benefit_model: Vec<f64>,
    /// Treat all: prev - (1-prev) · pt/(1-pt).
    pub net_benefit_treat_all: Vec<f64>,
    /// Treat none: 0.
    pub net_benefit_treat_none: Vec<f64>,
}

/// Decision-curve analysis over `thresholds` (each in [0, 1)).
pub fn decision_curve(p: &[f64], y: &[bool], thresholds: &[f64]) -> Result<DecisionCurve> {
    let what = "decision_curve";
    check_probs(what, p, y)?;
    if let Some(t) = thresholds.iter().find(|t| !(0.0..1.0).contains(*t)) {
        return Err(StatsError::input(
            what,
            format!("threshold {t} is not in [0, 1)"),
        ));
    }
    let nf = p.len() as f64;
    let prev = y.iter().filter(|&&v| v).count() as f64 / nf;
    let mut model = Vec::with_capacity(thresholds.len());
    let mut all = Vec::with_capacity(thresholds.len());
    for &t in thresholds {
        let (mut tp, mut fp) = (0.0, 0.0);
        for (&pi, &yi) in p.iter().zip(y) {
            if pi >= t {
                if yi {
                    tp += 1.0;
                } else {
                    fp += 1.0;
                }
            }
        }
        let odds = t / (1.0 - t);
        model.push(tp / nf - fp / nf * odds);
        all.push(prev - (1.0 - prev) * odds);
    }
    Ok(DecisionCurve {
        thresholds: thresholds.to_vec(),
        net_benefit_model: model,
        net_benefit_treat_all: all,
        net_benefit_treat_none: vec![0.0; thresholds.len()],
    })
}

/// The thresholds 0.01, 0.02, …, 0.99 (R `round(seq(0.01, 0.99, 0.01), 2)`).
pub fn default_dca_thresholds() -> Vec<f64> {
    (1..=99).map(|i| i as f64 / 100.0).collect()
}
