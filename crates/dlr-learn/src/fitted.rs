//! Fitted classifiers that can be saved: [`FittedClassifier`] is a closed enum of every fitted
//! model kind the crate produces, serialisable with serde as readable, internally tagged JSON
//! (`{"kind": "random_forest", ...}`), and the fallback wrapper [`PrevalenceFallback`].
//!
//! A fitted classifier holds model parameters only — tree splits, coefficients, scaler means and
//! sds, LASSO paths and CV curves, selection records — never the training feature rows or the
//! outcome vector. The one inherent exception is the SVM, whose decision function is defined by
//! its support vectors: those are training rows (after the pipeline's selection and scaling)
//! and are stored (see [`crate::SvmFit`]).
//!
//! Deserialising a `FittedClassifier` validates it ([`FittedClassifier::validate`]): array
//! lengths, tree links and indices are checked, so a damaged file is an error, not a panic or a
//! hang at prediction time. With `serde_json`'s `float_roundtrip` feature the predictions of a
//! loaded model are bitwise identical to those of the fitted one.

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, PredictProba};
use crate::forest::RandomForestFit;
use crate::lasso::LassoClassifierFit;
use crate::logistic::{ClinicalFit, LogisticFit};
use crate::matrix::Matrix;
use crate::stacking::StackingFit;
use crate::svm::SvmFit;
use crate::validate::PipelineFit;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Any fitted binary classifier of this crate, serialisable and predicting with
/// [`PredictProba`]. Returned by [`Classifier::fit_classifier`].
///
/// JSON form: an object with a `"kind"` tag (`random_forest`, `svm`, `logistic`, `clinical`,
/// `lasso`, `stacking`, `pipeline`, `constant`) next to the fields of the fitted struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    try_from = "UncheckedClassifier"
)]
pub enum FittedClassifier {
    /// A random forest ([`crate::RandomForest`]).
    RandomForest(RandomForestFit),
    /// A support vector classifier with Platt probabilities ([`crate::Svm`]); stores its
    /// support vectors, which are training rows.
    Svm(SvmFit),
    /// An unpenalised logistic regression ([`crate::LogisticRegression`]).
    Logistic(LogisticFit),
    /// The clinical model: univariable screen + multivariable logistic ([`crate::ClinicalModel`]).
    Clinical(ClinicalFit),
    /// LASSO-CV used as a classifier ([`crate::LassoClassifier`]).
    Lasso(Box<LassoClassifierFit>),
    /// A stack of fitted members with a logistic meta-model ([`crate::Stacking`]).
    Stacking(Box<StackingFit>),
    /// A fitted selection chain followed by a fitted model ([`crate::Pipeline`]).
    Pipeline(Box<PipelineFit>),
    /// A constant probability (e.g. the training prevalence from [`PrevalenceFallback`]).
    Constant(ConstantFit),
}

/// The same shape as [`FittedClassifier`], deserialised first and then validated.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum UncheckedClassifier {
    RandomForest(RandomForestFit),
    Svm(SvmFit),
    Logistic(LogisticFit),
    Clinical(ClinicalFit),
    Lasso(Box<LassoClassifierFit>),
    Stacking(Box<StackingFit>),
    Pipeline(Box<PipelineFit>),
    Constant(ConstantFit),
}

impl TryFrom<UncheckedClassifier> for FittedClassifier {
    type Error = LearnError;
    fn try_from(u: UncheckedClassifier) -> Result<Self> {
        let f = match u {
            UncheckedClassifier::RandomForest(m) => Self::RandomForest(m),
            UncheckedClassifier::Svm(m) => Self::Svm(m),
            UncheckedClassifier::Logistic(m) => Self::Logistic(m),
            UncheckedClassifier::Clinical(m) => Self::Clinical(m),
            UncheckedClassifier::Lasso(m) => Self::Lasso(m),
            UncheckedClassifier::Stacking(m) => Self::Stacking(m),
            UncheckedClassifier::Pipeline(m) => Self::Pipeline(m),
            UncheckedClassifier::Constant(m) => Self::Constant(m),
        };
        f.validate()?;
        Ok(f)
    }
}

impl FittedClassifier {
    /// The `"kind"` tag of the JSON form (`"random_forest"`, `"svm"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RandomForest(_) => "random_forest",
            Self::Svm(_) => "svm",
            Self::Logistic(_) => "logistic",
            Self::Clinical(_) => "clinical",
            Self::Lasso(_) => "lasso",
            Self::Stacking(_) => "stacking",
            Self::Pipeline(_) => "pipeline",
            Self::Constant(_) => "constant",
        }
    }

    /// Checks internal consistency (array lengths, tree links, indices, finite parameters), as
    /// done when deserialising; an error names what is inconsistent.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::RandomForest(m) => m.validate(),
            Self::Svm(m) => m.validate(),
            Self::Logistic(m) => m.validate(),
            Self::Clinical(m) => m.validate(),
            Self::Lasso(m) => m.validate(),
            Self::Stacking(m) => m.validate(),
            Self::Pipeline(m) => m.validate(),
            Self::Constant(m) => m.validate(),
        }
    }
}

impl PredictProba for FittedClassifier {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        match self {
            Self::RandomForest(m) => m.predict_proba(x),
            Self::Svm(m) => m.predict_proba(x),
            Self::Logistic(m) => m.predict_proba(x),
            Self::Clinical(m) => m.predict_proba(x),
            Self::Lasso(m) => m.predict_proba(x),
            Self::Stacking(m) => m.predict_proba(x),
            Self::Pipeline(m) => m.predict_proba(x),
            Self::Constant(m) => m.predict_proba(x),
        }
    }
}

impl From<RandomForestFit> for FittedClassifier {
    fn from(m: RandomForestFit) -> Self {
        Self::RandomForest(m)
    }
}
impl From<SvmFit> for FittedClassifier {
    fn from(m: SvmFit) -> Self {
        Self::Svm(m)
    }
}
impl From<LogisticFit> for FittedClassifier {
    fn from(m: LogisticFit) -> Self {
        Self::Logistic(m)
    }
}
impl From<ClinicalFit> for FittedClassifier {
    fn from(m: ClinicalFit) -> Self {
        Self::Clinical(m)
    }
}
impl From<LassoClassifierFit> for FittedClassifier {
    fn from(m: LassoClassifierFit) -> Self {
        Self::Lasso(Box::new(m))
    }
}
impl From<StackingFit> for FittedClassifier {
    fn from(m: StackingFit) -> Self {
        Self::Stacking(Box::new(m))
    }
}
impl From<PipelineFit> for FittedClassifier {
    fn from(m: PipelineFit) -> Self {
        Self::Pipeline(Box::new(m))
    }
}
impl From<ConstantFit> for FittedClassifier {
    fn from(m: ConstantFit) -> Self {
        Self::Constant(m)
    }
}

/// A model that predicts the same probability for every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstantFit {
    /// The probability predicted for every row (in [0, 1]).
    pub probability: f64,
    /// Why a constant is predicted (e.g. the error of the fit it replaces), if known.
    pub reason: Option<String>,
}

impl ConstantFit {
    /// The training prevalence of `y` (fraction positive); an error if `y` is empty.
    pub fn prevalence(y: &[bool], reason: Option<String>) -> Result<Self> {
        if y.is_empty() {
            return Err(LearnError::data(
                "ConstantFit::prevalence",
                "no training rows",
            ));
        }
        let probability = y.iter().filter(|&&b| b).count() as f64 / y.len() as f64;
        Ok(Self {
            probability,
            reason,
        })
    }

    /// Checks that the probability lies in [0, 1].
    pub fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(LearnError::data(
                "ConstantFit",
                format!("probability {} outside [0, 1]", self.probability),
            ));
        }
        Ok(())
    }
}

impl PredictProba for ConstantFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        Ok(vec![self.probability; x.n_rows()])
    }
}

/// A classifier wrapper that falls back to the training prevalence when the inner fit fails.
///
/// `fit_classifier` returns the inner model's fit when it succeeds; when it fails (for any
/// error: e.g. no clinical variable passes screening, separation, too few rows of a class in a
/// stacking fold) it returns [`FittedClassifier::Constant`] predicting the fraction of positive
/// training rows, with the inner error as `reason`. Used for stacking members, whose
/// out-of-fold fits run on smaller training parts where a fit can fail although the full fit
/// succeeds. Only an empty training set is still an error.
#[derive(Clone)]
pub struct PrevalenceFallback {
    inner: Arc<dyn Classifier>,
}

impl PrevalenceFallback {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn Classifier>) -> Self {
        Self { inner }
    }

    /// The wrapped classifier.
    pub fn inner(&self) -> &Arc<dyn Classifier> {
        &self.inner
    }
}

impl Classifier for PrevalenceFallback {
    /// The inner classifier's name.
    fn name(&self) -> String {
        self.inner.name()
    }
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        match self.inner.fit_classifier(x, y) {
            Ok(m) => Ok(m),
            Err(e) => Ok(FittedClassifier::Constant(ConstantFit::prevalence(
                y,
                Some(format!("{} fit failed: {e}", self.inner.name())),
            )?)),
        }
    }
}
