//! Report rendering for dlradiomics: publication-ready figures (self-contained SVG and PNG with an
//! embedded font), tables (Markdown, CSV, HTML), number formatting, and the self-contained HTML
//! study report with its audit summary, numbered tables and figures, methods and provenance.
//!
//! Statistics are computed elsewhere (`dlr-stats`, `dlr-learn`); this crate only draws what it is
//! given, from plain serde structs, and rejects input it cannot draw honestly. The audit box
//! renders `dlr-audit`'s [`dlr_audit::StudyAudit`] directly ([`audit_checks`]); the audit crate
//! knows nothing of rendering.

#![warn(missing_docs)]

pub mod charts;
pub mod error;
pub mod figure;
pub mod format;
pub mod html;
pub mod io;
mod plot;
pub mod table;
mod text;

pub use charts::{
    calibration_figure, coefficient_bars_figure, coefficient_path_figure, decision_curve_figure,
    lasso_cv_figure, roc_figure, CalibrationGroup, CalibrationSeries, LassoCvCurve, RocSeries,
};
pub use error::{ReportError, Result};
pub use figure::{Figure, PALETTE};
pub use format::{fmt_ci, fmt_count_pct, fmt_mean_sd, fmt_median_iqr, fmt_num, fmt_p, fmt_pct};
pub use html::{
    audit_checks, escape_html, AuditCheck, AuditStatus, MethodsSettings, Provenance,
    RadScoreFormula, ReportBuilder, Severity,
};
pub use io::write_atomic;
pub use table::{
    baseline_table, delong_table, performance_table, BaselineRow, DelongRow, Estimate,
    PerformanceRow, Table,
};
