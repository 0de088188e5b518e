//! Errors raised by selectors, models and validation schemes.

/// Result alias for learning operations.
pub type Result<T> = std::result::Result<T, LearnError>;

/// Everything that can go wrong when fitting selectors or models.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LearnError {
    /// A hyper-parameter is out of range (caught when the parameters are built).
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParam {
        /// Parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// What is allowed.
        reason: String,
    },
    /// Matrix or vector shapes do not agree.
    #[error("shape mismatch in {context}: expected {expected}, got {got}")]
    Shape {
        /// Where the mismatch happened.
        context: String,
        /// Expected size.
        expected: usize,
        /// Actual size.
        got: usize,
    },
    /// The input data cannot be used (NaN, empty, too few rows...).
    #[error("invalid data in {context}: {reason}")]
    InvalidData {
        /// Where it happened.
        context: String,
        /// What is wrong.
        reason: String,
    },
    /// The data are perfectly (or quasi-) separated, so maximum-likelihood estimates do not exist.
    #[error("{context}: perfect or quasi-complete separation ({detail}); maximum-likelihood estimates do not exist — use a penalised model (LASSO) or fewer predictors")]
    Separation {
        /// Where it happened.
        context: String,
        /// Which predictor/observations.
        detail: String,
    },
    /// An iterative solver did not converge.
    #[error("{context}: no convergence after {iterations} iterations")]
    NoConvergence {
        /// Which solver.
        context: String,
        /// Iterations performed.
        iterations: usize,
    },
    /// A linear system was singular (collinear predictors).
    #[error("{context}: singular matrix ({detail})")]
    Singular {
        /// Where it happened.
        context: String,
        /// Details.
        detail: String,
    },
    /// A configuration would leak test information into training (e.g. selecting on all rows).
    #[error("leakage refused: {0}")]
    Leakage(String),
    /// A model was used before fitting or with unknown features.
    #[error("{0}")]
    Usage(String),
    /// An error from the statistics crate.
    #[error("statistics: {0}")]
    Stats(String),
}

impl LearnError {
    /// Shorthand for [`LearnError::InvalidParam`].
    pub fn param(
        name: &'static str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        LearnError::InvalidParam {
            name,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
    /// Shorthand for [`LearnError::InvalidData`].
    pub fn data(context: impl Into<String>, reason: impl Into<String>) -> Self {
        LearnError::InvalidData {
            context: context.into(),
            reason: reason.into(),
        }
    }
}

impl From<dlr_stats::StatsError> for LearnError {
    /// Invalid input reported by `dlr-stats` becomes [`LearnError::InvalidData`]; an undefined
    /// statistic or unsupported option becomes [`LearnError::Stats`].
    fn from(e: dlr_stats::StatsError) -> Self {
        use dlr_stats::StatsError as S;
        match e {
            S::Input { .. } | S::NonFinite { .. } => LearnError::data("dlr-stats", e.to_string()),
            _ => LearnError::Stats(e.to_string()),
        }
    }
}
