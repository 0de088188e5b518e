//! Errors raised by the statistics routines: every degenerate or invalid input maps to one of these.

/// Result alias for statistics routines.
pub type Result<T> = std::result::Result<T, StatsError>;

/// Everything that can go wrong when computing a statistic.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// Input has the wrong shape, is empty, or has too few observations.
    #[error("{what}: {why}")]
    Input {
        /// Which routine / argument.
        what: String,
        /// What is wrong with it.
        why: String,
    },
    /// A value is NaN or infinite where a finite number is needed.
    #[error("{what}: non-finite value at index {index}")]
    NonFinite {
        /// Which routine / argument.
        what: String,
        /// Position of the first offending value.
        index: usize,
    },
    /// The statistic is undefined for this data (e.g. zero variance, one class only).
    #[error("{what}: undefined because {why}")]
    Degenerate {
        /// Which statistic.
        what: String,
        /// Why it cannot be computed.
        why: String,
    },
    /// The requested option combination is not supported.
    #[error("{what}: unsupported option: {why}")]
    Unsupported {
        /// Which routine.
        what: String,
        /// What is not supported.
        why: String,
    },
    /// Reading or parsing a file failed.
    #[error("{path}: {why}")]
    Io {
        /// File being read.
        path: String,
        /// What went wrong.
        why: String,
    },
}

impl StatsError {
    /// Builds an [`StatsError::Input`] error.
    pub fn input(what: &str, why: impl Into<String>) -> Self {
        StatsError::Input {
            what: what.to_string(),
            why: why.into(),
        }
    }
    /// Builds a [`StatsError::Degenerate`] error.
    pub fn degenerate(what: &str, why: impl Into<String>) -> Self {
        StatsError::Degenerate {
            what: what.to_string(),
            why: why.into(),
        }
    }
    /// Builds a [`StatsError::Unsupported`] error.
    pub fn unsupported(what: &str, why: impl Into<String>) -> Self {
        StatsError::Unsupported {
            what: what.to_string(),
            why: why.into(),
        }
    }
}

/// Fails with [`StatsError::NonFinite`] if any value is NaN or infinite.
pub(crate) fn check_finite(what: &str, x: &[f64]) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what: what.to_string(),
            index,
        }),
        None => Ok(()),
    }
}
