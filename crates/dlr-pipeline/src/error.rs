//! Errors of the study pipeline.
//!
//! Errors of the engine crates are wrapped with their source kept (`#[from]`), so the CLI can
//! print the whole chain; messages of the pipeline's own checks name the patient, file or
//! setting and the fix.

use std::path::PathBuf;

/// Result alias for pipeline operations.
pub type Result<T> = std::result::Result<T, PipelineError>;

/// Everything that can stop a pipeline stage.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The study configuration is invalid.
    #[error("{file}: {message}")]
    Config {
        /// The config file.
        file: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON document could not be written or read.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A CSV table could not be written.
    #[error("CSV output: {0}")]
    Csv(#[from] csv::Error),
    /// Input data does not fit what the stage needs (the message names the data and the fix).
    #[error("{0}")]
    Data(String),
    /// An option or combination that is not supported.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// An image could not be read.
    #[error(transparent)]
    Image(#[from] dlr_image::ImageError),
    /// The study (manifest, clinical table) could not be read.
    #[error(transparent)]
    Study(#[from] dlr_study::StudyError),
    /// Selection or model fitting failed.
    #[error(transparent)]
    Learn(#[from] dlr_learn::LearnError),
    /// A statistic could not be computed.
    #[error(transparent)]
    Stats(#[from] dlr_stats::StatsError),
    /// The CNN backbone failed.
    #[error(transparent)]
    Deep(#[from] dlr_deep::DeepError),
    /// A handcrafted radiomics feature could not be computed.
    #[error(transparent)]
    Radiomics(#[from] dlr_radiomics::RadiomicsError),
    /// A MaZda feature could not be computed.
    #[error(transparent)]
    Mazda(#[from] dlr_mazda::MazdaError),
    /// The study audit failed.
    #[error(transparent)]
    Audit(#[from] dlr_audit::AuditError),
    /// A figure, table or the report could not be made.
    #[error(transparent)]
    Report(#[from] dlr_report::ReportError),
}
