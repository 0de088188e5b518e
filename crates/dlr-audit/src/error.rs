//! Errors raised by the audit functions.

/// Result alias for audit operations.
pub type Result<T> = std::result::Result<T, AuditError>;

/// Everything that can go wrong while auditing a study.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Inputs do not fit together or cannot be used (lengths, empty, bad option).
    #[error("{context}: {reason}")]
    Input {
        /// Which function / argument.
        context: String,
        /// What is wrong and what to do.
        reason: String,
    },
    /// A model could not be fitted or applied.
    #[error("{context}: {source}")]
    Learn {
        /// What was being fitted.
        context: String,
        /// The underlying error.
        #[source]
        source: dlr_learn::LearnError,
    },
    /// The AUC could not be computed.
    #[error("{context}: {source}")]
    Stats {
        /// What was being evaluated.
        context: String,
        /// The underlying error.
        #[source]
        source: dlr_stats::StatsError,
    },
    /// Shape features could not be computed.
    #[error("{context}: {source}")]
    Radiomics {
        /// What was being computed.
        context: String,
        /// The underlying error.
        #[source]
        source: dlr_radiomics::RadiomicsError,
    },
}

impl AuditError {
    /// An input error with context.
    pub fn input(context: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Input {
            context: context.into(),
            reason: reason.into(),
        }
    }
}
