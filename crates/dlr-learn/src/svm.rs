//! Support vector classifier (C-SVC) solved by SMO as libsvm does: second-order working-set
//! selection (WSS3, Fan, Chen & Lin 2005), the same two-variable update and clipping, the same
//! stopping rule `m(α) − M(α) < eps` and the same bias (ρ) estimate; linear and RBF kernels.
//! Probabilities by Platt scaling fitted on internal cross-validated decision values with Lin,
//! Lin & Weng's (2007) robust Newton method (libsvm's `sigmoid_train`).
//!
//! The full kernel matrix is computed once (n² doubles): fine for radiomics cohorts (n ≲ 5000).
//! Shrinking is not implemented; it changes speed, not the solution.

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, Fit, PredictProba};
use crate::fitted::FittedClassifier;
use crate::matrix::{check_labels, Matrix};
use crate::split::stratified_fold_ids;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

const TAU: f64 = 1e-12;

/// Kernel function. JSON: `{"type": "linear"}` or `{"type": "rbf", "gamma": 0.1}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kernel {
    /// `K(u, v) = uᵀv`.
    Linear,
    /// `K(u, v) = exp(−γ‖u − v‖²)`; `gamma = None` means `1/p` (libsvm's default).
    Rbf {
        /// γ, or `None` for 1/number of features.
        gamma: Option<f64>,
    },
}

/// Hyper-parameters of [`Svm`].
#[derive(Debug, Clone, PartialEq)]
pub struct SvmParams {
    /// Kernel.
    pub kernel: Kernel,
    /// Cost C.
    pub c: f64,
    /// Stopping tolerance (libsvm `-e`, default 1e-3).
    pub eps: f64,
    /// Maximum SMO iterations.
    pub max_iter: usize,
    /// Fit Platt-scaled probabilities (needs ≥ `platt_folds` members per class).
    pub probability: bool,
    /// Folds of the internal CV for Platt scaling (libsvm: 5).
    pub platt_folds: usize,
    /// Seed of the Platt CV folds.
    pub seed: u64,
}

impl Default for SvmParams {
    fn default() -> Self {
        Self {
            kernel: Kernel::Rbf { gamma: None },
            c: 1.0,
            eps: 1e-3,
            max_iter: 10_000_000,
            probability: true,
            platt_folds: 5,
            seed: 1,
        }
    }
}

impl SvmParams {
    /// Sets the kernel.
    pub fn kernel(mut self, k: Kernel) -> Self {
        self.kernel = k;
        self
    }
    /// Sets C.
    pub fn c(mut self, c: f64) -> Self {
        self.c = c;
        self
    }
    /// Sets the stopping tolerance.
    pub fn eps(mut self, e: f64) -> Self {
        self.eps = e;
        self
    }
    /// Turns Platt probabilities on or off.
    pub fn probability(mut self, on: bool) -> Self {
        self.probability = on;
        self
    }
    /// Validates the parameters.
    pub fn build(self) -> Result<Svm> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(LearnError::param(
                "c",
                self.c,
                "must be positive and finite",
            ));
        }
        if !(self.eps > 0.0 && self.eps < 1.0) {
            return Err(LearnError::param("eps", self.eps, "must lie in (0, 1)"));
        }
        if let Kernel::Rbf { gamma: Some(g) } = self.kernel {
            if !(g > 0.0 && g.is_finite()) {
                return Err(LearnError::param("gamma", g, "must be positive and finite"));
            }
        }
        if self.probability && self.platt_folds < 2 {
            return Err(LearnError::param(
                "platt_folds",
                self.platt_folds,
                "need at least 2",
            ));
        }
        Ok(Svm { params: self })
    }
}

/// Support vector classifier with validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Svm {
    params: SvmParams,
}

/// A fitted SVM.
///
/// **Stores training rows.** The decision function `Σ coef_i K(s_i, x) − ρ` is defined by the
/// support vectors `s_i`, which are training rows (the feature values the SVM was fitted on: in
/// a [`crate::Pipeline`], the selected, z-scored features of the training patients with a
/// non-zero dual coefficient). This is inherent to kernel SVMs and the one exception to the rule
/// that fitted models hold no training rows; a saved SVM must be shared with that in mind. The
/// outcomes are not stored as such, but the sign of each `coef` is the class of its support
/// vector. Nothing else of the training data (the non-support rows, the Platt CV decision
/// values) is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvmFit {
    /// Feature names.
    pub names: Vec<String>,
    /// Support vectors: training rows with a non-zero dual coefficient (see the type's docs).
    pub support: Vec<Vec<f64>>,
    /// `α_i y_i` of each support vector.
    pub coef: Vec<f64>,
    /// Bias ρ (decision = Σ coef·K − ρ).
    #[serde(with = "crate::serde_float::nonfinite")]
    pub rho: f64,
    /// Kernel with γ resolved.
    pub kernel: Kernel,
    /// Platt sigmoid (A, B): p = 1/(1 + exp(A·f + B)), when fitted.
    pub platt: Option<(f64, f64)>,
    /// SMO iterations used.
    pub iterations: usize,
}

fn kernel_value(k: Kernel, a: &[f64], b: &[f64]) -> f64 {
    match k {
        Kernel::Linear => a.iter().zip(b).map(|(x, y)| x * y).sum(),
        Kernel::Rbf { gamma } => {
            let g = gamma.unwrap_or(1.0);
            (-g * a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>()).exp()
        }
    }
}

/// libsvm's C-SVC dual solver; returns (alpha, rho, iterations).
fn smo(
    rows: &[&[f64]],
    y: &[f64],
    kernel: Kernel,
    c: f64,
    eps: f64,
    max_iter: usize,
) -> Result<(Vec<f64>, f64, usize)> {
    let l = rows.len();
    let kmat: Vec<Vec<f64>> = (0..l)
        .into_par_iter()
        .map(|i| {
            (0..l)
                .map(|j| y[i] * y[j] * kernel_value(kernel, rows[i], rows[j]))
                .collect()
        })
        .collect();
    let qd: Vec<f64> = (0..l).map(|i| kmat[i][i]).collect();
    let mut alpha = vec![0.0; l];
    let mut g = vec![-1.0; l];
    let upper = |a: f64| a >= c;
    let lower = |a: f64| a <= 0.0;
    let mut iter = 0;
    loop {
        // working set selection (WSS3)
        let mut gmax = f64::NEG_INFINITY;
        let mut gmax_idx: Option<usize> = None;
        for t in 0..l {
            if y[t] > 0.0 {
                if !upper(alpha[t]) && -g[t] >= gmax {
                    gmax = -g[t];
                    gmax_idx = Some(t);
                }
            } else if !lower(alpha[t]) && g[t] >= gmax {
                gmax = g[t];
                gmax_idx = Some(t);
            }
        }
        let mut gmax2 = f64::NEG_INFINITY;
        let mut gmin_idx: Option<usize> = None;
        let mut obj_diff_min = f64::INFINITY;
        if let Some(i) = gmax_idx {
            let qi = &kmat[i];
            for j in 0..l {
                if y[j] > 0.0 {
                    if !lower(alpha[j]) {
                        let grad_diff = gmax + g[j];
                        if g[j] >= gmax2 {
                            gmax2 = g[j];
                        }
                        if grad_diff > 0.0 {
                            let quad = qd[i] + qd[j] - 2.0 * y[i] * qi[j];
                            let od = if quad > 0.0 {
                                -(grad_diff * grad_diff) / quad
                            } else {
                                -(grad_diff * grad_diff) / TAU
                            };
                            if od <= obj_diff_min {
                                gmin_idx = Some(j);
                                obj_diff_min = od;
                            }
                        }
                    }
                } else if !upper(alpha[j]) {
                    let grad_diff = gmax - g[j];
                    if -g[j] >= gmax2 {
                        gmax2 = -g[j];
                    }
                    if grad_diff > 0.0 {
                        let quad = qd[i] + qd[j] + 2.0 * y[i] * qi[j];
                        let od = if quad > 0.0 {
                            -(grad_diff * grad_diff) / quad
                        } else {
                            -(grad_diff * grad_diff) / TAU
                        };
                        if od <= obj_diff_min {
                            gmin_idx = Some(j);
                            obj_diff_min = od;
                        }
                    }
                }
            }
        }
        let (i, j) = match (gmax_idx, gmin_idx) {
            (Some(i), Some(j)) if gmax + gmax2 >= eps => (i, j),
            _ => break,
        };
        iter += 1;
        if iter > max_iter {
            return Err(LearnError::NoConvergence {
                context: "SVM SMO".into(),
                iterations: max_iter,
            });
        }
        let (old_ai, old_aj) = (alpha[i], alpha[j]);
        let qij = kmat[i][j];
        if y[i] != y[j] {
            let mut quad = qd[i] + qd[j] + 2.0 * qij;
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (-g[i] - g[j]) / quad;
            let diff = alpha[i] - alpha[j];
            alpha[i] += delta;
            alpha[j] += delta;
            if diff > 0.0 {
                if alpha[j] < 0.0 {
                    alpha[j] = 0.0;
                    alpha[i] = diff;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = -diff;
            }
            if diff > 0.0 {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = c - diff;
                }
            } else if alpha[j] > c {
                alpha[j] = c;
                alpha[i] = c + diff;
            }
        } else {
            let mut quad = qd[i] + qd[j] - 2.0 * qij;
            if quad <= 0.0 {
                quad = TAU;
            }
            let delta = (g[i] - g[j]) / quad;
            let sum = alpha[i] + alpha[j];
            alpha[i] -= delta;
            alpha[j] += delta;
            if sum > c {
                if alpha[i] > c {
                    alpha[i] = c;
                    alpha[j] = sum - c;
                }
            } else if alpha[j] < 0.0 {
                alpha[j] = 0.0;
                alpha[i] = sum;
            }
            if sum > c {
                if alpha[j] > c {
                    alpha[j] = c;
                    alpha[i] = sum - c;
                }
            } else if alpha[i] < 0.0 {
                alpha[i] = 0.0;
                alpha[j] = sum;
            }
        }
        let dai = alpha[i] - old_ai;
        let daj = alpha[j] - old_aj;
        let (qi, qj) = (&kmat[i], &kmat[j]);
        for k in 0..l {
            g[k] += qi[k] * dai + qj[k] * daj;
        }
    }
    // rho
    let (mut ub, mut lb, mut sum_free, mut nr_free) =
        (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0usize);
    for i in 0..l {
        let yg = y[i] * g[i];
        if upper(alpha[i]) {
            if y[i] < 0.0 {
                ub = ub.min(yg);
            } else {
                lb = lb.max(yg);
            }
        } else if lower(alpha[i]) {
            if y[i] > 0.0 {
                ub = ub.min(yg);
            } else {
                lb = lb.max(yg);
            }
        } else {
            nr_free += 1;
            sum_free += yg;
        }
    }
    let rho = if nr_free > 0 {
        sum_free / nr_free as f64
    } else {
        (ub + lb) / 2.0
    };
    Ok((alpha, rho, iter))
}

/// libsvm's `sigmoid_train`: Platt's sigmoid fitted by Newton's method with backtracking.
pub fn platt_sigmoid(dec: &[f64], y: &[bool]) -> (f64, f64) {
    let prior1 = y.iter().filter(|&&b| b).count() as f64;
    let prior0 = y.len() as f64 - prior1;
    let (max_iter, min_step, sigma, eps) = (100, 1e-10, 1e-12, 1e-5);
    let hi = (prior1 + 1.0) / (prior1 + 2.0);
    let lo = 1.0 / (prior0 + 2.0);
    let t: Vec<f64> = y.iter().map(|&b| if b { hi } else { lo }).collect();
    let mut a = 0.0;
    let mut b = ((prior0 + 1.0) / (prior1 + 1.0)).ln();
    let fval_of = |a: f64, b: f64| -> f64 {
        dec.iter()
            .zip(&t)
            .map(|(d, ti)| {
                let f = d * a + b;
                if f >= 0.0 {
                    ti * f + (1.0 + (-f).exp()).ln()
                } else {
                    (ti - 1.0) * f + (1.0 + f.exp()).ln()
                }
            })
            .sum()
    };
    let mut fval = fval_of(a, b);
    for _ in 0..max_iter {
        let (mut h11, mut h22, mut h21, mut g1, mut g2) = (sigma, sigma, 0.0, 0.0, 0.0);
        for (d, ti) in dec.iter().zip(&t) {
            let f = d * a + b;
            let (p, q) = if f >= 0.0 {
                ((-f).exp() / (1.0 + (-f).exp()), 1.0 / (1.0 + (-f).exp()))
            } else {
                (1.0 / (1.0 + f.exp()), f.exp() / (1.0 + f.exp()))
            };
            let d2 = p * q;
            h11 += d * d * d2;
            h22 += d2;
            h21 += d * d2;
            let d1 = ti - p;
            g1 += d * d1;
            g2 += d1;
        }
        if g1.abs() < eps && g2.abs() < eps {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        while step >= min_step {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = fval_of(na, nb);
            if nf < fval + 0.0001 * step * gd {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
            step /= 2.0;
        }
        if step < min_step {
            break;
        }
    }
    (a, b)
}

impl Svm {
    fn fit_decision(&self, x: &Matrix, y: &[bool]) -> Result<SvmFit> {
        let p = &self.params;
        let kernel = match p.kernel {
            Kernel::Rbf { gamma: None } => Kernel::Rbf {
                gamma: Some(1.0 / x.n_cols().max(1) as f64),
            },
            k => k,
        };
        let rows: Vec<&[f64]> = (0..x.n_rows()).map(|i| x.row(i)).collect();
        let yf: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
        let (alpha, rho, iterations) = smo(&rows, &yf, kernel, p.c, p.eps, p.max_iter)?;
        let mut support = Vec::new();
        let mut coef = Vec::new();
        for i in 0..alpha.len() {
            if alpha[i] > 0.0 {
                support.push(rows[i].to_vec());
                coef.push(alpha[i] * yf[i]);
            }
        }
        Ok(SvmFit {
            names: x.names().to_vec(),
            support,
            coef,
            rho,
            kernel,
            platt: None,
            iterations,
        })
    }
}

impl Fit for Svm {
    type Fitted = SvmFit;
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<SvmFit> {
        let (n_pos, n_neg) = check_labels(x, y, "Svm::fit")?;
        x.check_finite("Svm::fit")?;
        if x.n_cols() == 0 {
            return Err(LearnError::data("Svm::fit", "no features"));
        }
        let mut fit = self.fit_decision(x, y)?;
        let p = &self.params;
        if p.probability {
            if n_pos.min(n_neg) < p.platt_folds {
                return Err(LearnError::data(
                    "Svm::fit",
                    format!(
                        "Platt scaling needs at least {} members per class, got {}",
                        p.platt_folds,
                        n_pos.min(n_neg)
                    ),
                ));
            }
            let ids = stratified_fold_ids(y, p.platt_folds, p.seed)?;
            let mut dec = vec![0.0; y.len()];
            let inner = Svm {
                params: SvmParams {
                    probability: false,
                    ..p.clone()
                },
            };
            let parts: Vec<Result<(Vec<usize>, Vec<f64>)>> = (0..p.platt_folds)
                .into_par_iter()
                .map(|f| {
                    let tr: Vec<usize> = (0..y.len()).filter(|&i| ids[i] != f).collect();
                    let te: Vec<usize> = (0..y.len()).filter(|&i| ids[i] == f).collect();
                    let ytr: Vec<bool> = tr.iter().map(|&i| y[i]).collect();
                    let m = inner.fit_decision(&x.select_rows(&tr)?, &ytr)?;
                    Ok((te.clone(), m.decision_function(&x.select_rows(&te)?)?))
                })
                .collect();
            for part in parts {
                let (te, d) = part?;
                for (i, v) in te.into_iter().zip(d) {
                    dec[i] = v;
                }
            }
            fit.platt = Some(platt_sigmoid(&dec, y));
        }
        Ok(fit)
    }
}

impl SvmFit {
    /// Checks that every support vector has one value per feature, one coefficient each, and a
    /// resolved, finite kernel and finite parameters.
    pub fn validate(&self) -> Result<()> {
        let p = self.names.len();
        if self.support.len() != self.coef.len() {
            return Err(LearnError::data(
                "SvmFit",
                format!(
                    "{} support vectors but {} coefficients",
                    self.support.len(),
                    self.coef.len()
                ),
            ));
        }
        if let Some(s) = self.support.iter().find(|s| s.len() != p) {
            return Err(LearnError::data(
                "SvmFit",
                format!("a support vector has {} values for {p} features", s.len()),
            ));
        }
        if let Kernel::Rbf { gamma } = self.kernel {
            if !gamma.is_some_and(|g| g > 0.0 && g.is_finite()) {
                return Err(LearnError::data(
                    "SvmFit",
                    "the RBF kernel's gamma must be resolved, positive and finite",
                ));
            }
        }
        let finite = self
            .support
            .iter()
            .flatten()
            .chain(&self.coef)
            .all(|v| v.is_finite())
            && self.rho.is_finite()
            && self
                .platt
                .is_none_or(|(a, b)| a.is_finite() && b.is_finite());
        if !finite {
            return Err(LearnError::data("SvmFit", "non-finite parameter"));
        }
        Ok(())
    }

    /// Decision values (positive ⇒ positive class) for every row of `x`.
    pub fn decision_function(&self, x: &Matrix) -> Result<Vec<f64>> {
        let x = if x.names() == self.names.as_slice() {
            x.clone()
        } else {
            x.select_named(&self.names)?
        };
        Ok((0..x.n_rows())
            .into_par_iter()
            .map(|i| {
                self.support
                    .iter()
                    .zip(&self.coef)
                    .map(|(s, c)| c * kernel_value(self.kernel, s, x.row(i)))
                    .sum::<f64>()
                    - self.rho
            })
            .collect())
    }
}

impl PredictProba for SvmFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        let (a, b) = self.platt.ok_or_else(|| {
            LearnError::Usage("SVM fitted without probability = true; use decision_function".into())
        })?;
        Ok(self
            .decision_function(x)?
            .into_iter()
            .map(|d| {
                let f = d * a + b;
                if f >= 0.0 {
                    (-f).exp() / (1.0 + (-f).exp())
                } else {
                    1.0 / (1.0 + f.exp())
                }
            })
            .collect())
    }
}

impl Classifier for Svm {
    fn name(&self) -> String {
        match self.params.kernel {
            Kernel::Linear => "svm_linear".into(),
            Kernel::Rbf { .. } => "svm_rbf".into(),
        }
    }
    /// Fits with Platt probabilities (whatever `probability` was set to).
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        let mut s = self.clone();
        s.params.probability = true;
        Ok(FittedClassifier::Svm(s.fit(x, y)?))
    }
}
