//! Evaluation statistics matching R: ROC/DeLong, cut-off metrics, calibration, DCA, ICC, group tests, Table 1.
//!
//! Every routine validates its input and returns [`Result`]; degenerate data (one class, constant
//! values, NaN, too few raters, empty groups) gives a clear [`StatsError`] or a documented value.
//! Distribution functions are implemented in [`dist`] (no external numeric dependency).

pub mod corr;
pub mod dist;
pub mod error;
pub mod icc;
pub mod mann_whitney;
pub mod rank;
pub mod roc;

pub use corr::{correlation_matrix, pearson, pearson_test, spearman, spearman_test, Correlation};
pub use error::{Result, StatsError};
pub use icc::{icc, icc_with_alpha, IccForm, IccRow, IccTable};
pub use mann_whitney::{mann_whitney_u, Alternative, MannWhitney, MannWhitneyOptions, MwMethod};
pub use roc::roc_auc;
