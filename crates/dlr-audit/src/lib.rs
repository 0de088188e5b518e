//! Leakage and bias audit of a radiomics study: exact and near-duplicate images
//! ([`find_duplicates`]) and the pairs that straddle a split ([`straddling_pairs`]), grouped
//! stratified splitting that keeps patients or duplicate clusters on one side
//! ([`grouped_stratified_split`]), shape-only baselines that reveal signal carried by the
//! outline of the ROI ([`shape_features`], [`shape_only_baseline`], [`shape_warning`]), and the
//! serde summary for the report with the TRIPOD+AI items a run covers ([`StudyAudit`]).

#![warn(missing_docs)]

mod duplicates;
mod error;
mod shape;
mod split;
mod summary;

pub use duplicates::{
    find_duplicates, fingerprint, fingerprint_with, pairs_across_folds, similarity,
    straddling_pairs, DuplicateItem, DuplicateKind, DuplicateOptions, DuplicatePair,
    DuplicateReport, Fingerprint, FingerprintOptions,
};
pub use error::{AuditError, Result};
pub use shape::{
    baseline_auc, baseline_cv_auc, outline_warning, shape_features, shape_only_baseline,
    shape_warning, BaselineResult, DEFAULT_SHAPE_MARGIN,
};
pub use split::{grouped_stratified_fold_ids, grouped_stratified_split};
pub use summary::{
    tripod_ai_checklist, CohortSize, DuplicateSummary, LeakageCheckResult, ShapeOnlySummary,
    StudyAudit, TripodItem,
};
