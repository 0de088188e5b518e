//! Evaluation statistics matching R: ROC/DeLong, cut-off metrics, calibration, DCA, ICC, group tests, Table 1.
//!
//! Every routine validates its input and returns [`Result`]; degenerate data (one class, constant
//! values, NaN, too few raters, empty groups) gives a clear [`StatsError`] or a documented value.
//! Distribution functions are implemented in [`dist`] (no external numeric dependency).

#![warn(missing_docs)]

pub mod adjust;
pub mod calibration;
pub mod corr;
pub mod cutoff;
pub mod dist;
pub mod error;
pub mod evaluate;
pub mod group;
pub mod icc;
pub mod mann_whitney;
pub mod rank;
pub mod roc;
pub mod table1;

pub use adjust::p_adjust_bh;
pub use calibration::{
    brier, calibration, decision_curve, default_dca_thresholds, hosmer_lemeshow, Calibration,
    DecisionCurve, HosmerLemeshow,
};
pub use corr::{
    correlation_matrix, greedy_correlation_filter, pearson, pearson_test, spearman, spearman_test,
    Correlation, RedundancyFilter,
};
pub use cutoff::{
    binomial_proportion, cutoff_metrics, youden_threshold, BinomialCi, CutoffMetrics, Proportion,
};
pub use error::{Result, StatsError};
pub use evaluate::{
    evaluate, evaluate_csv, BootstrapSettings, CohortAssignment, Comparison, ComparisonPairs,
    EvaluateOptions, Evaluation, PredictionColumns, ScoreEval, YoudenEval,
};
pub use group::{chi_square, fisher_exact, student_t, welch_t, ChiSquare, Fisher, TTest};
pub use icc::{icc, icc_value, icc_with_alpha, IccForm, IccRow, IccTable};
pub use mann_whitney::{mann_whitney_u, Alternative, MannWhitney, MannWhitneyOptions, MwMethod};
pub use roc::{
    auc_bootstrap_ci, auc_delong, delong_paired, delong_unpaired, resolve_direction, roc_auc,
    roc_auc_directed, roc_curve, roc_thresholds, youden_thresholds, AucCi, BootstrapCi, DelongTest,
    RocDirection, RocPoint,
};
pub use table1::{
    contingency_table, continuous_summary, format_p, sorted_levels, table1, CategoricalTest,
    ChiSquareCorrection, Contingency, ContinuousStyle, ContinuousSummary, ContinuousTest, Table1,
    Table1Options, Table1Row, Table1Variable, VariableValues, CHI_SQUARE_TEST, FISHER_TEST,
};
