//! Feature selection and models without leakage: ICC/U-test/correlation filters, LASSO-CV,
//! random forest, SVM, logistic regression, stacking and validation schemes.
//!
//! Every selector, scaler and model is fitted on the rows it is given and applied to any rows
//! afterwards ([`estimator`]). Hyper-parameters are validated when built. The selection chain
//! ([`selection::SelectionChain`]) runs inside each training split; selecting on all rows before
//! validation is refused unless the caller explicitly allows leakage.
//!
//! Fitting a [`Classifier`] returns a [`FittedClassifier`], a serde-serialisable enum of every
//! fitted model kind ([`fitted`]): fitted models can be saved and shared; they hold parameters,
//! not the training rows (the SVM's support vectors are the one inherent exception).

#![warn(missing_docs)]

pub mod error;
pub mod estimator;
pub mod fitted;
pub mod forest;
pub mod lasso;
pub mod logistic;
pub mod matrix;
pub mod radscore;
pub mod selection;
mod serde_float;
pub mod split;
pub mod stacking;
pub mod stats;
pub mod svm;
pub mod util;
pub mod validate;
pub mod zscore;

pub use error::{LearnError, Result};
pub use estimator::{Classifier, Fit, PredictProba, Transform};
pub use fitted::{ConstantFit, FittedClassifier, PrevalenceFallback};
pub use forest::{RandomForest, RandomForestFit, RandomForestParams, Tree};
pub use lasso::{
    lasso_path, CvMeasure, LambdaChoice, LambdaSpec, LassoClassifier, LassoClassifierFit, LassoCv,
    LassoCvFit, LassoCvParams, LassoPath,
};
pub use logistic::{
    ClinicalFit, ClinicalModel, CoefRow, LogisticFit, LogisticParams, LogisticRegression,
};
pub use matrix::Matrix;
pub use radscore::RadScore;
pub use selection::{
    ChainFit, CorrelationFilter, CorrelationMethod, FilterOutcome, IccFilter, MannWhitneyFilter,
    SelectionChain, SelectionStep, StepRecord,
};
pub use split::{kfold, repeated_kfold, stratified_split, Fold};
pub use stacking::{Stacking, StackingFit, StackingMember, StackingMemberFit};
pub use stats::IccForm;
pub use svm::{Kernel, Svm, SvmFit, SvmParams};
pub use validate::{
    bootstrap_optimism, cross_validate, holdout, nested_cv, AucCi, CvResult, HoldoutResult,
    OptimismResult, Pipeline, PipelineFit, SelectionScope,
};
pub use zscore::{ZScore, ZScoreFit};
