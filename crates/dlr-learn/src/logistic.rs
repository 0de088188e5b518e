//! Unpenalised logistic regression by IRLS (as R's `glm(family = binomial)`), Wald inference
//! with odds ratios, a separation guard, and the clinical model (univariable screening then a
//! multivariable fit).

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, Fit, PredictProba};
use crate::fitted::FittedClassifier;
use crate::matrix::{check_labels, Matrix};
use crate::util::{sigmoid, spd_inverse};
use dlr_stats::dist::{norm_cdf, norm_quantile};
use serde::{Deserialize, Serialize};

/// Hyper-parameters of [`LogisticRegression`].
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticParams {
    /// Relative deviance change at which IRLS stops (R: `|dev − dev_old|/(|dev| + 0.1) < epsilon`).
    pub epsilon: f64,
    /// Maximum IRLS iterations.
    pub max_iter: usize,
    /// Linear predictors beyond ±this (fitted p within ~1e-11 of 0 or 1) are taken as separation.
    pub separation_eta: f64,
    /// With extreme fits present, a log-odds change per SD of a predictor above this is taken as
    /// separation (a finite MLE of that size is implausible).
    pub separation_std_coef: f64,
    /// Confidence level of the Wald intervals.
    pub level: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            epsilon: 1e-14,
            max_iter: 100,
            separation_eta: 25.0,
            separation_std_coef: 10.0,
            level: 0.95,
        }
    }
}

impl LogisticParams {
    /// Sets the IRLS tolerance.
    pub fn epsilon(mut self, e: f64) -> Self {
        self.epsilon = e;
        self
    }
    /// Sets the maximum number of IRLS iterations.
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Validates the parameters.
    pub fn build(self) -> Result<LogisticRegression> {
        if !(self.epsilon > 0.0 && self.epsilon < 1.0) {
            return Err(LearnError::param(
                "epsilon",
                self.epsilon,
                "must lie in (0, 1)",
            ));
        }
        if self.max_iter == 0 {
            return Err(LearnError::param("max_iter", 0, "must be positive"));
        }
        if self.separation_eta.is_nan() || self.separation_eta <= 5.0 {
            return Err(LearnError::param(
                "separation_eta",
                self.separation_eta,
                "must exceed 5",
            ));
        }
        if !(self.level > 0.0 && self.level < 1.0) {
            return Err(LearnError::param("level", self.level, "must lie in (0, 1)"));
        }
        Ok(LogisticRegression { params: self })
    }
}

/// Logistic regression with validated parameters.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogisticRegression {
    params: LogisticParams,
}

/// One row of the coefficient table (values may be non-finite, e.g. an odds-ratio bound that
/// overflows; JSON writes NaN as `null` and ±∞ as `"inf"`/`"-inf"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefRow {
    /// `(Intercept)` or the feature name.
    pub name: String,
    /// Estimate (log odds).
    #[serde(with = "crate::serde_float::nonfinite")]
    pub estimate: f64,
    /// Wald standard error.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub std_error: f64,
    /// Wald z.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub z: f64,
    /// Two-sided p.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub p_value: f64,
    /// Odds ratio `exp(estimate)`.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub odds_ratio: f64,
    /// Wald CI of the odds ratio, lower.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub or_lower: f64,
    /// Wald CI of the odds ratio, upper.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub or_upper: f64,
}

/// A fitted logistic model: coefficients, their Wald table and summary deviances (no training
/// rows, outcomes or fitted values).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    /// Feature names (without the intercept).
    pub names: Vec<String>,
    /// Intercept followed by one coefficient per feature.
    pub coef: Vec<f64>,
    /// Coefficient table (intercept first).
    pub table: Vec<CoefRow>,
    /// Residual deviance.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub deviance: f64,
    /// Null deviance.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub null_deviance: f64,
    /// AIC = deviance + 2k.
    #[serde(with = "crate::serde_float::nonfinite")]
    pub aic: f64,
    /// IRLS iterations used.
    pub iterations: usize,
}

impl Fit for LogisticRegression {
    type Fitted = LogisticFit;
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<LogisticFit> {
        let (n_pos, _) = check_labels(x, y, "LogisticRegression::fit")?;
        x.check_finite("LogisticRegression::fit")?;
        let n = x.n_rows();
        let p = x.n_cols() + 1;
        if n <= p {
            return Err(LearnError::data("LogisticRegression::fit", format!("{n} rows for {p} parameters: p ≥ n, the model is not identifiable; select features first")));
        }
        for j in 0..x.n_cols() {
            let c = x.column(j);
            if c.iter().all(|v| *v == c[0]) {
                return Err(LearnError::data(
                    "LogisticRegression::fit",
                    format!("feature {:?} is constant", x.names()[j]),
                ));
            }
        }
        let prm = &self.params;
        let yf: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect();
        let design = |i: usize, j: usize| if j == 0 { 1.0 } else { x.get(i, j - 1) };
        // R's binomial initialisation: mu = (y + 0.5)/2
        let mut mu: Vec<f64> = yf.iter().map(|v| (v + 0.5) / 2.0).collect();
        let mut eta: Vec<f64> = mu.iter().map(|m| (m / (1.0 - m)).ln()).collect();
        let dev_of = |mu: &[f64]| -> f64 {
            yf.iter()
                .zip(mu)
                .map(|(yi, m)| {
                    if *yi == 1.0 {
                        -2.0 * m.ln()
                    } else {
                        -2.0 * (1.0 - m).ln()
                    }
                })
                .sum()
        };
        let mut dev_old = dev_of(&mu);
        let mut beta = vec![0.0; p];
        let mut xtwx_inv = vec![0.0; p * p];
        let mut converged = false;
        let mut iterations = 0;
        for it in 1..=prm.max_iter {
            iterations = it;
            let mut xtwx = vec![0.0; p * p];
            let mut xtwz = vec![0.0; p];
            for i in 0..n {
                let w = mu[i] * (1.0 - mu[i]);
                let z = eta[i] + (yf[i] - mu[i]) / w;
                for a in 0..p {
                    let xa = design(i, a);
                    xtwz[a] += w * xa * z;
                    for b in 0..=a {
                        xtwx[a * p + b] += w * xa * design(i, b);
                    }
                }
            }
            for a in 0..p {
                for b in 0..a {
                    xtwx[b * p + a] = xtwx[a * p + b];
                }
            }
            xtwx_inv = match spd_inverse(&xtwx, p, "LogisticRegression IRLS") {
                Ok(inv) => inv,
                Err(e) => {
                    let extreme = eta.iter().filter(|e| e.abs() > prm.separation_eta).count();
                    if it > 1 && extreme > 0 {
                        return Err(LearnError::Separation {
                            context: "LogisticRegression::fit".into(),
                            detail: format!("{extreme} of {n} fitted probabilities are numerically 0 or 1 and the information matrix became singular"),
                        });
                    }
                    return Err(e);
                }
            };
            for a in 0..p {
                beta[a] = (0..p).map(|b| xtwx_inv[a * p + b] * xtwz[b]).sum();
            }
            for i in 0..n {
                eta[i] = (0..p).map(|j| design(i, j) * beta[j]).sum();
                mu[i] = sigmoid(eta[i]).clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            }
            let dev = dev_of(&mu);
            if !dev.is_finite() {
                return Err(LearnError::NoConvergence {
                    context: "LogisticRegression IRLS (deviance not finite)".into(),
                    iterations: it,
                });
            }
            if (dev - dev_old).abs() / (dev.abs() + 0.1) < prm.epsilon {
                dev_old = dev;
                converged = true;
                break;
            }
            dev_old = dev;
        }
        let extreme = eta.iter().filter(|e| e.abs() > prm.separation_eta).count();
        // standardised effect size: |beta_j| · sd(x_j), the log-odds change per SD of x_j
        let (worst, max_std) = (1..p)
            .map(|j| (j, beta[j].abs() * crate::util::mean_sd(&x.column(j - 1)).1))
            .fold(
                (0, 0.0f64),
                |acc, (j, v)| if v > acc.1 { (j, v) } else { acc },
            );
        if extreme > 0 && (!converged || max_std > prm.separation_std_coef) {
            let name = if worst > 0 {
                x.names()[worst - 1].clone()
            } else {
                String::new()
            };
            return Err(LearnError::Separation {
                context: "LogisticRegression::fit".into(),
                detail: format!("{extreme} of {n} fitted probabilities are numerically 0 or 1; {name:?} has a log-odds change of {max_std:.1} per SD"),
            });
        }
        if !converged {
            return Err(LearnError::NoConvergence {
                context: "LogisticRegression IRLS".into(),
                iterations,
            });
        }
        // as R's summary.glm: the covariance is (XᵀWX)⁻¹ of the last IRLS step
        let zq = norm_quantile(0.5 + prm.level / 2.0);
        let mut names = vec!["(Intercept)".to_string()];
        names.extend(x.names().iter().cloned());
        let table = (0..p)
            .map(|j| {
                let se = xtwx_inv[j * p + j].sqrt();
                let z = beta[j] / se;
                CoefRow {
                    name: names[j].clone(),
                    estimate: beta[j],
                    std_error: se,
                    z,
                    p_value: 2.0 * norm_cdf(-z.abs()),
                    odds_ratio: beta[j].exp(),
                    or_lower: (beta[j] - zq * se).exp(),
                    or_upper: (beta[j] + zq * se).exp(),
                }
            })
            .collect();
        let q0 = n_pos as f64 / n as f64;
        let null_deviance = -2.0 * n as f64 * (q0 * q0.ln() + (1.0 - q0) * (1.0 - q0).ln());
        Ok(LogisticFit {
            names: x.names().to_vec(),
            coef: beta,
            table,
            deviance: dev_old,
            null_deviance,
            aic: dev_old + 2.0 * p as f64,
            iterations,
        })
    }
}

impl LogisticFit {
    /// Checks that there is one finite coefficient per feature plus the intercept.
    pub fn validate(&self) -> Result<()> {
        if self.coef.len() != self.names.len() + 1 {
            return Err(LearnError::data(
                "LogisticFit",
                format!(
                    "{} coefficients for {} features and the intercept",
                    self.coef.len(),
                    self.names.len()
                ),
            ));
        }
        if self.coef.iter().any(|c| !c.is_finite()) {
            return Err(LearnError::data("LogisticFit", "non-finite coefficient"));
        }
        Ok(())
    }

    /// Linear predictor for every row of `x` (columns matched by name).
    pub fn linear_predictor(&self, x: &Matrix) -> Result<Vec<f64>> {
        let x = if x.names() == self.names.as_slice() {
            x.clone()
        } else {
            x.select_named(&self.names)?
        };
        Ok((0..x.n_rows())
            .map(|i| {
                self.coef[0]
                    + x.row(i)
                        .iter()
                        .zip(&self.coef[1..])
                        .map(|(a, b)| a * b)
                        .sum::<f64>()
            })
            .collect())
    }
}

impl PredictProba for LogisticFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        Ok(self.linear_predictor(x)?.into_iter().map(sigmoid).collect())
    }
}

impl Classifier for LogisticRegression {
    fn name(&self) -> String {
        "logistic".into()
    }
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        Ok(FittedClassifier::Logistic(self.fit(x, y)?))
    }
}

/// Clinical model: each variable screened by a univariable logistic fit (Wald p < `alpha`),
/// the survivors entered into one multivariable logistic model.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicalModel {
    /// Screening threshold (paper: 0.05).
    pub alpha: f64,
    /// The logistic settings used for every fit.
    pub logistic: LogisticRegression,
}

impl Default for ClinicalModel {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            logistic: LogisticRegression::default(),
        }
    }
}

/// Result of [`ClinicalModel`]: the univariable screen and the multivariable fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicalFit {
    /// Univariable rows (the slope row of each single-variable fit).
    pub univariable: Vec<CoefRow>,
    /// Variables kept for the multivariable model.
    pub selected: Vec<String>,
    /// The multivariable model.
    pub model: LogisticFit,
}

impl ClinicalModel {
    /// Builds with a validated screening threshold.
    pub fn new(alpha: f64, logistic: LogisticRegression) -> Result<Self> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(LearnError::param("alpha", alpha, "must lie in (0, 1)"));
        }
        Ok(Self { alpha, logistic })
    }
}

impl Fit for ClinicalModel {
    type Fitted = ClinicalFit;
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<ClinicalFit> {
        let mut univariable = Vec::new();
        let mut selected = Vec::new();
        for j in 0..x.n_cols() {
            let f = self.logistic.fit(&x.select_columns(&[j])?, y)?;
            let row = f.table[1].clone();
            if row.p_value < self.alpha {
                selected.push(row.name.clone());
            }
            univariable.push(row);
        }
        if selected.is_empty() {
            return Err(LearnError::data(
                "ClinicalModel::fit",
                format!(
                    "no clinical variable reached univariable p < {} on the training rows",
                    self.alpha
                ),
            ));
        }
        let model = self.logistic.fit(&x.select_named(&selected)?, y)?;
        Ok(ClinicalFit {
            univariable,
            selected,
            model,
        })
    }
}

impl ClinicalFit {
    /// Checks the multivariable model and that it uses exactly the selected variables.
    pub fn validate(&self) -> Result<()> {
        self.model.validate()?;
        if self.model.names != self.selected {
            return Err(LearnError::data(
                "ClinicalFit",
                "the multivariable model's variables differ from the selected ones",
            ));
        }
        Ok(())
    }
}

impl PredictProba for ClinicalFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        self.model.predict_proba(x)
    }
}

impl Classifier for ClinicalModel {
    fn name(&self) -> String {
        "clinical".into()
    }
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        Ok(FittedClassifier::Clinical(self.fit(x, y)?))
    }
}
