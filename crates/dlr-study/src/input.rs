//! [`StudyInput`]: the manifest and (optionally) the clinical table of one study, and where the
//! outcome comes from.
//!
//! The outcome is taken from the clinical table when there is one, otherwise from the manifest's
//! label column (mapped to 0/1 with `positive`/`negative`).

use crate::clinical::{parse_outcome, read_clinical, ClinicalOptions, ClinicalTable};
use crate::error::Result;
use crate::manifest::{read_manifest, Manifest, ManifestColumns};
use serde::Serialize;
use std::path::Path;

/// The tables of a study, as read from disk (files are not opened yet).
#[derive(Debug, Clone, Serialize)]
pub struct StudyInput {
    /// The manifest.
    pub manifest: Manifest,
    /// The clinical table, when the study has one.
    pub clinical: Option<ClinicalTable>,
}

/// How manifest labels map to 0/1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LabelMap {
    /// Labels are written as 0/1.
    ZeroOne,
    /// `positive` → 1, `negative` → 0, anything else is not binary.
    Named {
        /// Event value.
        positive: String,
        /// Non-event value (`None` when it could not be determined).
        negative: Option<String>,
        /// Values other than `positive` found when `negative` was not given.
        others: Vec<String>,
    },
}

impl LabelMap {
    /// Maps a raw label to 0/1.
    pub(crate) fn map(&self, raw: &str) -> Option<u8> {
        match self {
            LabelMap::ZeroOne => parse_outcome(raw),
            LabelMap::Named {
                positive, negative, ..
            } => {
                if raw == positive {
                    Some(1)
                } else if negative.as_deref() == Some(raw) {
                    Some(0)
                } else {
                    None
                }
            }
        }
    }
}

impl StudyInput {
    /// Reads the manifest and, when given, the clinical table.
    pub fn read(
        manifest: &Path,
        columns: &ManifestColumns,
        clinical: Option<(&Path, &ClinicalOptions)>,
    ) -> Result<Self> {
        Ok(Self {
            manifest: read_manifest(manifest, columns)?,
            clinical: clinical.map(|(p, o)| read_clinical(p, o)).transpose()?,
        })
    }

    /// Where the outcome is read from, in words (for reports).
    pub fn outcome_source(&self) -> String {
        match (&self.clinical, &self.manifest.columns.label) {
            (Some(c), _) => format!("clinical column `{}`", c.options.outcome),
            (None, Some(l)) => format!("manifest column `{l}`"),
            (None, None) => "none".into(),
        }
    }

    /// The mapping of manifest labels to 0/1 (derived from the data when `negative` is unset).
    pub(crate) fn label_map(&self) -> LabelMap {
        let cols = &self.manifest.columns;
        match &cols.positive {
            None => LabelMap::ZeroOne,
            Some(pos) => {
                let mut others: Vec<String> = self
                    .manifest
                    .entries
                    .iter()
                    .filter_map(|e| e.label.clone())
                    .filter(|l| l != pos)
                    .collect();
                others.sort();
                others.dedup();
                let negative = match &cols.negative {
                    Some(n) => Some(n.clone()),
                    None if others.len() == 1 => Some(others[0].clone()),
                    None => None,
                };
                LabelMap::Named {
                    positive: pos.clone(),
                    negative,
                    others,
                }
            }
        }
    }
}
