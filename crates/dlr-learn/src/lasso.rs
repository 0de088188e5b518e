//! LASSO logistic regression along a lambda path with k-fold cross-validation, glmnet's way.
//!
//! The solver follows glmnet's `lognet2n` (binomial, dense, `alpha = 1`): observation weights
//! `1/n`, internal centring of the predictors (no scaling: standardise beforehand with
//! [`crate::ZScore`] on training rows), an IRLS outer loop with a quadratic approximation,
//! cyclic coordinate descent over a strong-rule active set with KKT checks, warm starts along
//! the path, and glmnet's convergence test `max_j v_j Δβ_j² < thresh · dev0`.
//! The lambda path starts at `lambda_max = max_j |x_jᵀ(y − ȳ)|/n` and descends log-linearly to
//! `ratio · lambda_max` (`ratio = 1e-4` when n > p, `1e-2` otherwise). As in glmnet, a
//! computed path stops early when the explained deviance exceeds 0.999 or changes by less than
//! 1e-5; a user-supplied path (as in the CV fold fits) is always fitted in full.
//! [`LassoCv`] reproduces `cv.glmnet`: every fold is fitted on the lambda sequence of the
//! full-data fit, held-out probabilities are clipped to `[1e-5, 1 − 1e-5]`, and `lambda.min` /
//! `lambda.1se` are chosen from the fold-size-weighted mean curve.

use crate::error::{LearnError, Result};
use crate::fitted::FittedClassifier;
use crate::matrix::{check_labels, Matrix};
use crate::stats::auc;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

const PMIN: f64 = 1e-9;
const BIG: f64 = 9.9e35;
const EPS_FLMIN: f64 = 1e-6;
const FDEV: f64 = 1e-5;
const DEVMAX: f64 = 0.999;
const MNLAM: usize = 5;
const CV_PROB_MIN: f64 = 1e-5;

/// The fitted lambda path of a binomial LASSO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LassoPath {
    /// Lambda values, decreasing.
    pub lambda: Vec<f64>,
    /// Intercept at each lambda (on the original scale of the inputs).
    pub a0: Vec<f64>,
    /// Coefficients at each lambda (`beta[l][j]`).
    pub beta: Vec<Vec<f64>>,
    /// Fraction of null deviance explained at each lambda.
    #[serde(with = "crate::serde_float::nonfinite_vec")]
    pub dev_ratio: Vec<f64>,
    /// Null deviance `2 n · H(ȳ)`.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub null_deviance: f64,
    /// Number of non-zero coefficients at each lambda.
    pub nzero: Vec<usize>,
    /// Total coordinate-descent passes.
    pub passes: usize,
}

impl LassoPath {
    /// Linear predictor `a0 + x·beta` at path index `l` for every row of `x`.
    pub fn linear_predictor(&self, x: &Matrix, l: usize) -> Result<Vec<f64>> {
        let p = self.beta.first().map_or(0, |b| b.len());
        if x.n_cols() != p {
            return Err(LearnError::Shape {
                context: "LassoPath::linear_predictor columns".into(),
                expected: p,
                got: x.n_cols(),
            });
        }
        let (a0, b) = match (self.a0.get(l), self.beta.get(l)) {
            (Some(a), Some(b)) => (*a, b),
            _ => {
                return Err(LearnError::Usage(format!(
                    "lambda index {l} outside the path of {} values",
                    self.lambda.len()
                )))
            }
        };
        Ok((0..x.n_rows())
            .map(|i| a0 + x.row(i).iter().zip(b).map(|(v, c)| v * c).sum::<f64>())
            .collect())
    }
}

/// How the lambda sequence is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum LambdaSpec {
    /// glmnet's automatic path: `n_lambda` values from `lambda_max` down to `ratio · lambda_max`
    /// (`ratio = None`: 1e-4 when n > p, else 1e-2).
    Auto {
        /// Number of lambdas (≥ 2... glmnet default 100).
        n_lambda: usize,
        /// lambda.min.ratio, or `None` for glmnet's default.
        ratio: Option<f64>,
    },
    /// A user-supplied decreasing sequence; fitted in full with no early stop.
    User(Vec<f64>),
}

/// Fits glmnet's binomial LASSO path on `x` (rows = observations) with 0/1 labels `y`.
///
/// `thresh` is glmnet's convergence threshold (default 1e-7), `max_passes` its `maxit`.
pub fn lasso_path(
    x: &Matrix,
    y: &[bool],
    spec: &LambdaSpec,
    thresh: f64,
    max_passes: usize,
) -> Result<LassoPath> {
    check_labels(x, y, "lasso_path")?;
    x.check_finite("lasso_path")?;
    if !(thresh > 0.0 && thresh.is_finite()) {
        return Err(LearnError::param(
            "thresh",
            thresh,
            "must be a positive finite number",
        ));
    }
    let cols = x.columns();
    let yf: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect();
    lognet(&cols, &yf, spec, thresh, max_passes)
}

/// Dot product with four independent accumulators (fixed order, so deterministic; vectorises).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let ca = a.chunks_exact(4);
    let cb = b.chunks_exact(4);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Weighted sum of squares Σ v_i x_i² with the same accumulation scheme as [`dot`].
fn weighted_ss(v: &[f64], x: &[f64]) -> f64 {
    let n = v.len().min(x.len());
    let mut acc = [0.0f64; 4];
    let cv = v[..n].chunks_exact(4);
    let cx = x[..n].chunks_exact(4);
    let (rv, rx) = (cv.remainder(), cx.remainder());
    for (a, b) in cv.zip(cx) {
        acc[0] += a[0] * b[0] * b[0];
        acc[1] += a[1] * b[1] * b[1];
        acc[2] += a[2] * b[2] * b[2];
        acc[3] += a[3] * b[3] * b[3];
    }
    let tail: f64 = rv.iter().zip(rx).map(|(a, b)| a * b * b).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// glmnet `lognet2n` for alpha = 1, unit penalty factors, no box constraints, no offset.
fn lognet(
    cols: &[Vec<f64>],
    y: &[f64],
    spec: &LambdaSpec,
    thresh: f64,
    maxit: usize,
) -> Result<LassoPath> {
    let no = y.len();
    let ni = cols.len();
    if no < 2 {
        return Err(LearnError::data(
            "lasso_path",
            format!("need at least 2 rows, got {no}"),
        ));
    }
    let w = 1.0 / no as f64;
    // centre (intercept present, no scaling: standardize = FALSE)
    let xm: Vec<f64> = cols.iter().map(|c| c.iter().sum::<f64>() * w).collect();
    let x: Vec<Vec<f64>> = cols
        .iter()
        .zip(&xm)
        .map(|(c, m)| c.iter().map(|v| v - m).collect())
        .collect();
    let ju: Vec<bool> = cols.iter().map(|c| c.iter().any(|v| *v != c[0])).collect();
    if !ju.iter().any(|&b| b) {
        return Err(LearnError::data(
            "lasso_path",
            "all predictors are constant",
        ));
    }
    let (nlam, flmin, ulam) = match spec {
        LambdaSpec::Auto { n_lambda, ratio } => {
            if *n_lambda < 3 {
                return Err(LearnError::param(
                    "n_lambda",
                    n_lambda,
                    "need at least 3 lambda values",
                ));
            }
            let r = ratio.unwrap_or(if no > ni { 1e-4 } else { 1e-2 });
            if !(r > 0.0 && r < 1.0) {
                return Err(LearnError::param(
                    "lambda_min_ratio",
                    r,
                    "must lie in (0, 1)",
                ));
            }
            (*n_lambda, r, Vec::new())
        }
        LambdaSpec::User(l) => {
            if l.is_empty() || l.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
                return Err(LearnError::param(
                    "lambda",
                    format!("{l:?}"),
                    "must be non-empty, finite and non-negative",
                ));
            }
            if l.windows(2).any(|p| p[1] > p[0]) {
                return Err(LearnError::param(
                    "lambda",
                    "user sequence",
                    "must be decreasing",
                ));
            }
            (l.len(), 1.0, l.clone())
        }
    };
    let user = flmin >= 1.0;
    let fmax = (1.0 / PMIN - 1.0).ln();
    let fmin = -fmax;
    let vmin = (1.0 + PMIN) * PMIN * (1.0 - PMIN);
    let q0: f64 = y.iter().sum::<f64>() * w;
    if q0 <= PMIN || q0 >= 1.0 - PMIN {
        return Err(LearnError::data("lasso_path", "only one class present"));
    }
    let bz = (q0 / (1.0 - q0)).ln();
    let vi = q0 * (1.0 - q0);
    let mut b0 = bz;
    let mut b = vec![0.0; ni];
    let mut bs = vec![0.0; ni];
    let mut v = vec![vi * w; no];
    let mut r: Vec<f64> = y.iter().map(|yi| w * (yi - q0)).collect();
    let mut q = vec![q0; no];
    let mut xmz = vi;
    let dev1 = -(bz * q0 + (1.0 - q0).ln());
    let dev0 = dev1;
    let mut xv = vec![0.0; ni];
    let alf = if user {
        1.0
    } else {
        EPS_FLMIN.max(flmin).powf(1.0 / (nlam as f64 - 1.0))
    };
    let mut mm = vec![false; ni];
    let mut m: Vec<usize> = Vec::new();
    let mut nlp = 0usize;
    let mnl = MNLAM.min(nlam);
    let shr = thresh * dev0;
    let mut ga: Vec<f64> = (0..ni)
        .map(|j| if ju[j] { dot(&r, &x[j]).abs() } else { 0.0 })
        .collect();
    let mut ixx = vec![false; ni];
    let mut al = 0.0f64;
    let mut out = LassoPath {
        lambda: Vec::new(),
        a0: Vec::new(),
        beta: Vec::new(),
        dev_ratio: Vec::new(),
        null_deviance: 2.0 * no as f64 * dev0,
        nzero: Vec::new(),
        passes: 0,
    };
    let no_conv = |ilm: usize| LearnError::NoConvergence {
        context: format!("lasso_path (lambda index {ilm})"),
        iterations: maxit,
    };

    #[allow(clippy::needless_range_loop)] // mirrors glmnet's indexed loop over the path
    for ilm in 0..nlam {
        let mut al0 = al;
        if user {
            al = ulam[ilm];
        } else if ilm >= 2 {
            al *= alf;
        } else if ilm == 0 {
            al = BIG;
        } else {
            al0 = 0.0;
            for j in 0..ni {
                if ju[j] {
                    al0 = al0.max(ga[j]);
                }
            }
            al = alf * al0;
        }
        let al1 = al;
        let tlam = 2.0 * al - al0;
        for k in 0..ni {
            if !ixx[k] && ju[k] && ga[k] > tlam {
                ixx[k] = true;
            }
        }
        let mut stop_path = false;
        loop {
            if nlp > maxit {
                return Err(no_conv(ilm));
            }
            bs.copy_from_slice(&b);
            let bs0 = b0;
            for j in 0..ni {
                if ixx[j] {
                    xv[j] = weighted_ss(&v, &x[j]);
                }
            }
            loop {
                nlp += 1;
                let mut dlx = 0.0f64;
                for k in 0..ni {
                    if !ixx[k] {
                        continue;
                    }
                    let bk = b[k];
                    let gk = dot(&r, &x[k]);
                    let u = gk + xv[k] * bk;
                    let au = u.abs() - al1;
                    b[k] = if au <= 0.0 {
                        0.0
                    } else {
                        au.copysign(u) / xv[k]
                    };
                    let d = b[k] - bk;
                    if d.abs() <= 0.0 {
                        continue;
                    }
                    dlx = dlx.max(xv[k] * d * d);
                    for ((ri, vi), xi) in r.iter_mut().zip(&v).zip(&x[k]) {
                        *ri -= d * vi * xi;
                    }
                    if !mm[k] {
                        mm[k] = true;
                        m.push(k);
                    }
                }
                let d = r.iter().sum::<f64>() / xmz;
                if d != 0.0 {
                    b0 += d;
                    dlx = dlx.max(xmz * d * d);
                    for (ri, vi) in r.iter_mut().zip(&v) {
                        *ri -= d * vi;
                    }
                }
                if dlx < shr {
                    break;
                }
                if nlp > maxit {
                    return Err(no_conv(ilm));
                }
                loop {
                    nlp += 1;
                    let mut dlx = 0.0f64;
                    for &k in &m {
                        let bk = b[k];
                        let gk = dot(&r, &x[k]);
                        let u = gk + xv[k] * bk;
                        let au = u.abs() - al1;
                        b[k] = if au <= 0.0 {
                            0.0
                        } else {
                            au.copysign(u) / xv[k]
                        };
                        let d = b[k] - bk;
                        if d.abs() <= 0.0 {
                            continue;
                        }
                        dlx = dlx.max(xv[k] * d * d);
                        for ((ri, vi), xi) in r.iter_mut().zip(&v).zip(&x[k]) {
                            *ri -= d * vi * xi;
                        }
                    }
                    let d = r.iter().sum::<f64>() / xmz;
                    if d != 0.0 {
                        b0 += d;
                        dlx = dlx.max(xmz * d * d);
                        for (ri, vi) in r.iter_mut().zip(&v) {
                            *ri -= d * vi;
                        }
                    }
                    if dlx < shr {
                        break;
                    }
                    if nlp > maxit {
                        return Err(no_conv(ilm));
                    }
                }
            }
            let mut eta = vec![b0; no];
            for &k in &m {
                let bk = b[k];
                if bk != 0.0 {
                    for (e, xi) in eta.iter_mut().zip(&x[k]) {
                        *e += bk * xi;
                    }
                }
            }
            for i in 0..no {
                let fi = eta[i];
                q[i] = if fi < fmin {
                    0.0
                } else if fi > fmax {
                    1.0
                } else {
                    1.0 / (1.0 + (-fi).exp())
                };
            }
            xmz = 0.0;
            for i in 0..no {
                v[i] = w * q[i] * (1.0 - q[i]);
                xmz += v[i];
            }
            if xmz <= vmin {
                stop_path = true;
                break;
            }
            for i in 0..no {
                r[i] = w * (y[i] - q[i]);
            }
            if xmz * (b0 - bs0).powi(2) < shr {
                let mut ix = m.iter().any(|&k| xv[k] * (b[k] - bs[k]).powi(2) >= shr);
                if !ix {
                    for k in 0..ni {
                        if ixx[k] || !ju[k] {
                            continue;
                        }
                        ga[k] = dot(&r, &x[k]).abs();
                        if ga[k] > al1 {
                            ixx[k] = true;
                            ix = true;
                        }
                    }
                    if !ix {
                        break;
                    }
                }
            }
        }
        let a0 = b0 - b.iter().zip(&xm).map(|(bj, mj)| bj * mj).sum::<f64>();
        out.a0.push(a0);
        out.beta.push(b.clone());
        out.nzero.push(b.iter().filter(|v| **v != 0.0).count());
        out.lambda.push(al);
        let pmax = 1.0 - PMIN;
        let devi: f64 = y
            .iter()
            .zip(&q)
            .map(|(yi, qi)| {
                let pi = qi.clamp(PMIN, pmax);
                -w * (yi * pi.ln() + (1.0 - yi) * (1.0 - pi).ln())
            })
            .sum();
        let dr = (dev1 - devi) / dev0;
        out.dev_ratio.push(dr);
        if stop_path {
            break;
        }
        if ilm + 1 < mnl || user {
            continue;
        }
        if out.nzero[ilm] > ni + 1 || dr > DEVMAX || dr - out.dev_ratio[ilm - 1] < FDEV {
            break;
        }
    }
    out.passes = nlp;
    if !user && out.lambda.len() > 2 {
        // glmnet reports lambda[1] = exp(2 log lambda[2] − log lambda[3]) = lambda_max
        let l1 = out.lambda[1].ln();
        let l2 = out.lambda[2].ln();
        out.lambda[0] = (2.0 * l1 - l2).exp();
    }
    Ok(out)
}

/// Coefficients at an arbitrary `s` by glmnet's `lambda.interp`: linear interpolation in lambda
/// between the two bracketing path values, clamped to the ends of the path.
pub fn interpolate_coefficients(path: &LassoPath, s: f64) -> (f64, Vec<f64>) {
    let lam = &path.lambda;
    let k = lam.len();
    if k == 1 {
        return (path.a0[0], path.beta[0].clone());
    }
    let span = lam[0] - lam[k - 1];
    let frac_of = |l: f64| (lam[0] - l) / span;
    let sfrac = frac_of(s).clamp(0.0, 1.0);
    // approx(lambda_frac, seq, sfrac): find the segment (lambda_frac increasing)
    let fr: Vec<f64> = lam.iter().map(|&l| frac_of(l)).collect();
    let mut left = 0;
    let mut right = 0;
    let mut coord = 0.0;
    for i in 0..k - 1 {
        if sfrac >= fr[i] && sfrac <= fr[i + 1] {
            coord = if fr[i + 1] > fr[i] {
                i as f64 + (sfrac - fr[i]) / (fr[i + 1] - fr[i])
            } else {
                i as f64
            };
            break;
        }
        coord = (k - 1) as f64;
    }
    if coord.fract() == 0.0 {
        left = coord as usize;
        right = left;
    } else {
        left = left.max(coord.floor() as usize);
        right = right.max(coord.ceil() as usize);
    }
    let mut w = if left == right || (lam[left] - lam[right]).abs() < f64::EPSILON {
        1.0
    } else {
        (sfrac - fr[right]) / (fr[left] - fr[right])
    };
    if !w.is_finite() {
        w = 1.0;
    }
    let a0 = path.a0[left] * w + path.a0[right] * (1.0 - w);
    let beta = path.beta[left]
        .iter()
        .zip(&path.beta[right])
        .map(|(a, b)| a * w + b * (1.0 - w))
        .collect();
    (a0, beta)
}

/// Held-out rows of a fold and their predicted probabilities per lambda.
type FoldPredictions = (Vec<usize>, Vec<Vec<f64>>);

/// The cross-validation loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CvMeasure {
    /// Binomial deviance (lower is better), glmnet's `type.measure = "deviance"`.
    Deviance,
    /// Area under the ROC curve per fold (higher is better), glmnet's `type.measure = "auc"`.
    Auc,
}

/// Which lambda of a CV fit to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LambdaChoice {
    /// The lambda with the best CV measure (largest such lambda on ties).
    Min,
    /// The largest lambda within one standard error of the best.
    OneSe,
}

/// Hyper-parameters of [`LassoCv`] (validated by [`LassoCvParams::build`]).
#[derive(Debug, Clone, PartialEq)]
pub struct LassoCvParams {
    /// Number of lambdas on the automatic path (glmnet: 100).
    pub n_lambda: usize,
    /// lambda.min.ratio; `None` = glmnet's default (1e-4 if n > p else 1e-2).
    pub lambda_min_ratio: Option<f64>,
    /// Convergence threshold (glmnet: 1e-7).
    pub thresh: f64,
    /// Maximum coordinate-descent passes (glmnet: 1e5).
    pub max_passes: usize,
    /// Number of folds when `fold_ids` is not given (glmnet: 10).
    pub n_folds: usize,
    /// CV measure.
    pub measure: CvMeasure,
    /// User fold ids (one per training row, any integers; each distinct value is one fold).
    pub fold_ids: Option<Vec<usize>>,
    /// Seed for the stratified random fold assignment when `fold_ids` is `None`.
    pub seed: u64,
}

impl Default for LassoCvParams {
    fn default() -> Self {
        Self {
            n_lambda: 100,
            lambda_min_ratio: None,
            thresh: 1e-7,
            max_passes: 100_000,
            n_folds: 10,
            measure: CvMeasure::Deviance,
            fold_ids: None,
            seed: 1,
        }
    }
}

impl LassoCvParams {
    /// Sets the number of lambdas.
    pub fn n_lambda(mut self, n: usize) -> Self {
        self.n_lambda = n;
        self
    }
    /// Sets lambda.min.ratio.
    pub fn lambda_min_ratio(mut self, r: f64) -> Self {
        self.lambda_min_ratio = Some(r);
        self
    }
    /// Sets the convergence threshold.
    pub fn thresh(mut self, t: f64) -> Self {
        self.thresh = t;
        self
    }
    /// Sets the maximum total number of coordinate-descent passes over the path (glmnet's `maxit`).
    pub fn max_passes(mut self, n: usize) -> Self {
        self.max_passes = n;
        self
    }
    /// Sets the number of folds.
    pub fn n_folds(mut self, k: usize) -> Self {
        self.n_folds = k;
        self
    }
    /// Sets the CV measure.
    pub fn measure(mut self, m: CvMeasure) -> Self {
        self.measure = m;
        self
    }
    /// Uses the given fold ids (one per training row).
    pub fn fold_ids(mut self, ids: Vec<usize>) -> Self {
        self.fold_ids = Some(ids);
        self
    }
    /// Sets the fold-assignment seed.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    /// Validates the parameters (param guard).
    pub fn build(self) -> Result<LassoCv> {
        if self.n_lambda < 3 {
            return Err(LearnError::param(
                "n_lambda",
                self.n_lambda,
                "need at least 3",
            ));
        }
        if let Some(r) = self.lambda_min_ratio {
            if !(r > 0.0 && r < 1.0) {
                return Err(LearnError::param(
                    "lambda_min_ratio",
                    r,
                    "must lie in (0, 1)",
                ));
            }
        }
        if !(self.thresh > 0.0 && self.thresh < 1.0) {
            return Err(LearnError::param(
                "thresh",
                self.thresh,
                "must lie in (0, 1)",
            ));
        }
        if self.max_passes == 0 {
            return Err(LearnError::param("max_passes", 0, "must be positive"));
        }
        if self.fold_ids.is_none() && self.n_folds < 3 {
            return Err(LearnError::param(
                "n_folds",
                self.n_folds,
                "need at least 3 folds (glmnet's minimum)",
            ));
        }
        Ok(LassoCv { params: self })
    }
}

/// Cross-validated LASSO logistic regression (validated parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct LassoCv {
    params: LassoCvParams,
}

/// Result of [`LassoCv::fit`]: the full-data path, the CV curve and the chosen lambdas (no
/// training rows, outcomes or per-row fold assignment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LassoCvFit {
    /// Feature names (columns of the training matrix).
    pub feature_names: Vec<String>,
    /// Path fitted on all training rows.
    pub path: LassoPath,
    /// Mean CV measure per lambda.
    #[serde(with = "crate::serde_float::nonfinite_vec")]
    pub cvm: Vec<f64>,
    /// Standard error of the CV measure per lambda.
    #[serde(with = "crate::serde_float::nonfinite_vec")]
    pub cvsd: Vec<f64>,
    /// Measure used.
    pub measure: CvMeasure,
    /// Index (0-based) of lambda.min.
    pub index_min: usize,
    /// Index (0-based) of lambda.1se.
    pub index_1se: usize,
    /// Number of CV folds used (the per-row fold assignment is not kept).
    pub n_folds: usize,
}

impl LassoCv {
    /// The validated parameters.
    pub fn params(&self) -> &LassoCvParams {
        &self.params
    }

    /// Fits the path on all rows of `x` and cross-validates it over the folds.
    pub fn fit(&self, x: &Matrix, y: &[bool]) -> Result<LassoCvFit> {
        let (n_pos, n_neg) = check_labels(x, y, "LassoCv::fit")?;
        x.check_finite("LassoCv::fit")?;
        let p = &self.params;
        let fold_ids = match &p.fold_ids {
            Some(ids) => {
                if ids.len() != x.n_rows() {
                    return Err(LearnError::Shape {
                        context: "LassoCv fold_ids".into(),
                        expected: x.n_rows(),
                        got: ids.len(),
                    });
                }
                ids.clone()
            }
            None => {
                if n_pos.min(n_neg) < p.n_folds {
                    return Err(LearnError::data(
                        "LassoCv::fit",
                        format!("the smaller class has {} members, fewer than the {} folds; use fewer folds", n_pos.min(n_neg), p.n_folds),
                    ));
                }
                crate::split::stratified_fold_ids(y, p.n_folds, p.seed)?
                    .into_iter()
                    .map(|f| f + 1)
                    .collect()
            }
        };
        let mut folds: Vec<usize> = fold_ids.clone();
        folds.sort_unstable();
        folds.dedup();
        if folds.len() < 3 {
            return Err(LearnError::data(
                "LassoCv::fit",
                format!("need at least 3 folds, got {}", folds.len()),
            ));
        }
        let spec = LambdaSpec::Auto {
            n_lambda: p.n_lambda,
            ratio: p.lambda_min_ratio,
        };
        let path = lasso_path(x, y, &spec, p.thresh, p.max_passes)?;
        let nlam = path.lambda.len();
        // fit each fold on the full lambda sequence (parallel, collected in fold order)
        let fold_preds: Vec<Result<FoldPredictions>> = folds
            .par_iter()
            .map(|&f| {
                let train: Vec<usize> = (0..x.n_rows()).filter(|&i| fold_ids[i] != f).collect();
                let test: Vec<usize> = (0..x.n_rows()).filter(|&i| fold_ids[i] == f).collect();
                let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
                if ytr.iter().all(|&b| b) || ytr.iter().all(|&b| !b) {
                    return Err(LearnError::data(
                        "LassoCv::fit",
                        format!("fold {f}: training part has only one class"),
                    ));
                }
                // glmnet (cv.glmnet.raw): each fold computes its own path ("so each call generates
                // its own lambda sequence"), predictions at the full-data lambdas are linearly
                // interpolated in lambda (glmnet's lambda.interp)
                let fp = lasso_path(&x.select_rows(&train)?, &ytr, &spec, p.thresh, p.max_passes)?;
                let xte = x.select_rows(&test)?;
                let mut preds = Vec::with_capacity(nlam);
                for &s in &path.lambda {
                    let (a0, beta) = interpolate_coefficients(&fp, s);
                    let eta: Vec<f64> = (0..xte.n_rows())
                        .map(|i| {
                            a0 + xte
                                .row(i)
                                .iter()
                                .zip(&beta)
                                .map(|(v, c)| v * c)
                                .sum::<f64>()
                        })
                        .collect();
                    preds.push(eta.iter().map(|e| 1.0 / (1.0 + (-e).exp())).collect());
                }
                Ok((test, preds))
            })
            .collect();
        let mut fold_vals = Vec::with_capacity(folds.len()); // per fold: (weight, per-lambda value)
        for fp in fold_preds {
            let (test, preds) = fp?;
            let yte: Vec<bool> = test.iter().map(|&i| y[i]).collect();
            let vals: Vec<f64> = match p.measure {
                CvMeasure::Deviance => preds
                    .iter()
                    .map(|pr| {
                        pr.iter()
                            .zip(&yte)
                            .map(|(pi, &yi)| {
                                let pc = pi.clamp(CV_PROB_MIN, 1.0 - CV_PROB_MIN);
                                if yi {
                                    -2.0 * pc.ln()
                                } else {
                                    -2.0 * (1.0 - pc).ln()
                                }
                            })
                            .sum::<f64>()
                            / yte.len() as f64
                    })
                    .collect(),
                CvMeasure::Auc => {
                    if yte.iter().all(|&b| b) || yte.iter().all(|&b| !b) {
                        return Err(LearnError::data("LassoCv::fit", "a held-out fold has only one class: AUC undefined; use deviance or fewer folds"));
                    }
                    preds.iter().map(|pr| auc(pr, &yte)).collect()
                }
            };
            fold_vals.push((test.len() as f64, vals));
        }
        let wsum: f64 = fold_vals.iter().map(|f| f.0).sum();
        let k = fold_vals.len() as f64;
        let mut cvm = vec![0.0; nlam];
        let mut cvsd = vec![0.0; nlam];
        for l in 0..nlam {
            let m = fold_vals.iter().map(|(wf, v)| wf * v[l]).sum::<f64>() / wsum;
            let var = fold_vals
                .iter()
                .map(|(wf, v)| wf * (v[l] - m).powi(2))
                .sum::<f64>()
                / wsum;
            cvm[l] = m;
            cvsd[l] = (var / (k - 1.0)).sqrt();
        }
        let sign = if p.measure == CvMeasure::Auc {
            -1.0
        } else {
            1.0
        };
        let loss: Vec<f64> = cvm.iter().map(|v| sign * v).collect();
        let best = loss.iter().cloned().fold(f64::INFINITY, f64::min);
        // lambda decreasing: the first index attaining the minimum is the largest lambda
        let index_min = loss.iter().position(|v| *v <= best).unwrap_or(0);
        let bound = loss[index_min] + cvsd[index_min];
        let index_1se = loss.iter().position(|v| *v <= bound).unwrap_or(index_min);
        Ok(LassoCvFit {
            feature_names: x.names().to_vec(),
            path,
            cvm,
            cvsd,
            measure: p.measure,
            index_min,
            index_1se,
            n_folds: folds.len(),
        })
    }
}

impl LassoCvFit {
    /// Checks the path and CV curve lengths, the chosen indices, and one finite coefficient per
    /// feature at every lambda.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(LearnError::data("LassoCvFit", what));
        let n = self.path.lambda.len();
        if n == 0 {
            return bad("empty lambda path".into());
        }
        if self.path.a0.len() != n || self.path.beta.len() != n {
            return bad(format!(
                "{n} lambdas but {} intercepts and {} coefficient vectors",
                self.path.a0.len(),
                self.path.beta.len()
            ));
        }
        if self.cvm.len() != n || self.cvsd.len() != n {
            return bad(format!("{n} lambdas but a CV curve of {}", self.cvm.len()));
        }
        if self.index_min >= n || self.index_1se >= n {
            return bad(format!(
                "chosen lambda index {} / {} outside the path of {n}",
                self.index_min, self.index_1se
            ));
        }
        let p = self.feature_names.len();
        if self.path.beta.iter().any(|b| b.len() != p) {
            return bad(format!("coefficient vectors do not have {p} entries"));
        }
        let finite = self.path.a0.iter().all(|v| v.is_finite())
            && self.path.beta.iter().flatten().all(|v| v.is_finite());
        if !finite {
            return bad("non-finite coefficient".into());
        }
        Ok(())
    }

    /// Path index of the chosen lambda.
    pub fn index(&self, which: LambdaChoice) -> usize {
        match which {
            LambdaChoice::Min => self.index_min,
            LambdaChoice::OneSe => self.index_1se,
        }
    }

    /// The chosen lambda value.
    pub fn lambda(&self, which: LambdaChoice) -> f64 {
        self.path.lambda[self.index(which)]
    }

    /// Intercept and coefficients at the chosen lambda.
    pub fn coefficients(&self, which: LambdaChoice) -> (f64, &[f64]) {
        let l = self.index(which);
        (self.path.a0[l], &self.path.beta[l])
    }

    /// Non-zero coefficients at the chosen lambda as (feature name, coefficient), in column order.
    pub fn nonzero(&self, which: LambdaChoice) -> Vec<(String, f64)> {
        let (_, b) = self.coefficients(which);
        self.feature_names
            .iter()
            .zip(b)
            .filter(|(_, c)| **c != 0.0)
            .map(|(n, c)| (n.clone(), *c))
            .collect()
    }

    /// Linear predictor (the rad-score) for the rows of `x` (same columns as training).
    pub fn linear_predictor(&self, x: &Matrix, which: LambdaChoice) -> Result<Vec<f64>> {
        if x.names() != self.feature_names.as_slice() {
            return Err(LearnError::Usage(
                "LassoCvFit: matrix columns differ from the training columns".into(),
            ));
        }
        self.path.linear_predictor(x, self.index(which))
    }

    /// Predicted probability of the positive class.
    pub fn predict_proba(&self, x: &Matrix, which: LambdaChoice) -> Result<Vec<f64>> {
        Ok(self
            .linear_predictor(x, which)?
            .iter()
            .map(|e| 1.0 / (1.0 + (-e).exp()))
            .collect())
    }
}

/// LASSO-CV used as a classifier (probability = logistic of the rad-score at the chosen lambda).
#[derive(Debug, Clone, PartialEq)]
pub struct LassoClassifier {
    /// The cross-validated LASSO.
    pub cv: LassoCv,
    /// Which lambda predicts.
    pub choice: LambdaChoice,
}

/// A fitted [`LassoClassifier`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LassoClassifierFit {
    /// The CV fit.
    pub fit: LassoCvFit,
    /// Which lambda predicts.
    pub choice: LambdaChoice,
}

impl LassoClassifierFit {
    /// Checks the LASSO-CV fit.
    pub fn validate(&self) -> Result<()> {
        self.fit.validate()
    }
}

impl crate::estimator::PredictProba for LassoClassifierFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        let x = if x.names() == self.fit.feature_names.as_slice() {
            x.clone()
        } else {
            x.select_named(&self.fit.feature_names)?
        };
        self.fit.predict_proba(&x, self.choice)
    }
}

impl crate::estimator::Classifier for LassoClassifier {
    fn name(&self) -> String {
        "lasso".into()
    }
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        Ok(FittedClassifier::from(LassoClassifierFit {
            fit: self.cv.fit(x, y)?,
            choice: self.choice,
        }))
    }
}
