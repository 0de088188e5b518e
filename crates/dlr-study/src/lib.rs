//! Study model: manifest and clinical tables, validation, and the simulated CEUS cohort.
//!
//! - [`read_manifest`] / [`ManifestColumns`]: the manifest (patients × phases × readers → image,
//!   mask), any column naming, including BUSI's as it is ([`ManifestColumns::busi`]).
//!   An optional `roi_label` column picks one label of a label-map mask per row.
//! - [`read_clinical`] / [`ClinicalOptions`]: outcome and covariates (types declared, or detected
//!   by majority with the minority cells reported as invalid: [`detect_type`]).
//! - [`StudyInput`]: both tables; [`validate`] lists every problem in a [`ValidationReport`];
//!   [`load_study`] gives per patient, per phase, per reader the files, read on demand.
//! - [`simulate`]: a simulated CEUS cohort (US, AP, PP images, two readers, clinical table,
//!   `study.toml`) with a known latent signal, or none (`null`).

mod clinical;
mod error;
mod input;
mod load;
mod manifest;
pub mod raster;
mod simulate;
mod table;
mod validate;

pub use clinical::{
    detect_type, finite_number, looks_numeric, parse_outcome, read_clinical, ClinicalOptions,
    ClinicalRow, ClinicalTable, ClinicalValue, ColumnType, Covariate,
};
pub use error::{Result, StudyError};
pub use input::StudyInput;
pub use load::{load_study, Scan, Study, StudyPatient};
pub use manifest::{parse_roi_label, read_manifest, Manifest, ManifestColumns, ManifestEntry};
pub use simulate::{simulate, SimulateOptions, SimulatedCohort, SimulatedPatient};
pub use validate::{
    validate, Problem, ProblemKind, Severity, ValidateOptions, ValidationReport,
    INVALID_CELLS_LISTED,
};
