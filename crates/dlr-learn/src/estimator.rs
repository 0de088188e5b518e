//! The estimator API: parameters are validated when built, fitting sees only the rows it is
//! given, and the fitted object transforms or predicts any rows.
//!
//! Pattern (linfa-style param guard): `XParams::default().option(..).build()?` returns a checked
//! `X`; `X::fit(&train_x, &train_y)` returns a fitted model; the fitted model implements
//! [`Transform`] (selectors, scalers) or [`PredictProba`] (classifiers).

use crate::error::Result;
use crate::fitted::FittedClassifier;
use crate::matrix::Matrix;

/// Something fitted on training rows that maps a matrix to a matrix (selectors, scalers).
pub trait Transform {
    /// Applies the fitted transformation to any rows with the training columns.
    fn transform(&self, x: &Matrix) -> Result<Matrix>;
}

/// A fitted binary classifier that predicts the probability of the positive class.
pub trait PredictProba {
    /// Probability of the positive class for every row of `x`.
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>>;
}

/// An unfitted supervised learner with validated hyper-parameters.
pub trait Fit {
    /// The fitted model.
    type Fitted;
    /// Fits on the given training rows only.
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<Self::Fitted>;
}

/// A classifier that can be fitted and then predicts probabilities (object-safe, used by
/// stacking, pipelines and the validation schemes).
///
/// Fitting returns a [`FittedClassifier`]: a closed, serde-serialisable enum of every fitted
/// model kind, so any fitted classifier (stacks and pipelines included) can be saved and loaded.
pub trait Classifier: Send + Sync {
    /// Short name for reports.
    fn name(&self) -> String;
    /// Fits on the given training rows only and returns the fitted model.
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier>;
}
