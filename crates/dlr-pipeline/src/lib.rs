//! The study pipeline: `study.toml`, the feature extraction driver, selection and models inside
//! the training data, evaluation, the report, the model bundle and prediction.

pub mod bundle;
pub mod clinical;
pub mod config;
pub mod deep;
pub mod error;
pub mod extract;
pub mod models;
pub mod parquet;
pub mod predict;
pub mod record;
pub mod report;
pub mod run;
pub mod stages;
pub mod store;
pub mod table;

pub use config::StudyConfig;
pub use error::{PipelineError, Result};
