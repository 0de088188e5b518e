//! The value type every feature engine (IBSI, PyRadiomics preset, MaZda, deep) returns.

use serde::{Deserialize, Serialize};

/// One named feature value with its IBSI code where one exists.
///
/// A feature that is undefined for an ROI (e.g. a texture feature of a one-level ROI where the
/// reference gives no value) carries `value = NaN` *and* a `note` saying why; a NaN without a
/// note is a bug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureValue {
    /// Feature name in the preset's naming (`cm_joint_max_2D_avg`, `original_glcm_Contrast`, `S(1,0)Correlat`).
    pub name: String,
    /// The value.
    pub value: f64,
    /// IBSI identifier (four-character code such as `GYBY`) when the feature has one.
    pub ibsi_code: Option<String>,
    /// Why the value is missing or special, when it is.
    pub note: Option<String>,
}

impl FeatureValue {
    /// A plain value without code or note.
    pub fn new(name: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            value,
            ibsi_code: None,
            note: None,
        }
    }

    /// Attaches an IBSI code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.ibsi_code = Some(code.into());
        self
    }

    /// An undefined value with the reason.
    pub fn undefined(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: f64::NAN,
            ibsi_code: None,
            note: Some(reason.into()),
        }
    }
}
