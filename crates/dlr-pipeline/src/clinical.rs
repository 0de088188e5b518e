//! Encoding clinical covariates as numbers, with missing values imputed from training patients.
//!
//! Numeric covariates are used as they are; a categorical covariate with levels `l0 < l1 < …`
//! becomes indicator columns `name=l1`, `name=l2`, … (the first level is the reference).
//! Missing numeric values are replaced by the training median, missing categories by the
//! training mode: both are computed on the training rows only and stored in the bundle.

use crate::error::{PipelineError, Result};
use dlr_learn::Matrix;
use dlr_study::{ClinicalRow, ClinicalValue, ColumnType, Covariate};
use serde::{Deserialize, Serialize};

/// How one source covariate becomes columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedCovariate {
    /// Index of the covariate in the clinical table.
    pub index: usize,
    /// Covariate name.
    pub name: String,
    /// Numeric or categorical.
    pub kind: ColumnType,
    /// Levels (categorical), the first is the reference.
    pub levels: Vec<String>,
    /// Training median (numeric) used for missing values.
    pub impute_number: f64,
    /// Training mode (categorical) used for missing values.
    pub impute_level: String,
    /// Missing values imputed in the training rows.
    pub imputed_train: usize,
}

/// The fitted encoder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicalEncoder {
    /// One entry per covariate used.
    pub covariates: Vec<EncodedCovariate>,
}

fn cell(row: Option<&ClinicalRow>, index: usize) -> Option<&ClinicalValue> {
    row.and_then(|r| r.values.get(index))
}

impl ClinicalEncoder {
    /// Fits imputation values on the training rows for the named covariates (all when empty).
    pub fn fit(
        covariates: &[Covariate],
        wanted: &[String],
        train: &[Option<&ClinicalRow>],
    ) -> Result<Self> {
        let mut out = Vec::new();
        for w in wanted {
            if !covariates.iter().any(|c| &c.name == w) {
                return Err(PipelineError::Data(format!(
                    "clinical covariate {w:?} named in study.clinical_covariates is not a column of the clinical table (columns: {})",
                    covariates.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        for (index, c) in covariates.iter().enumerate() {
            if !wanted.is_empty() && !wanted.contains(&c.name) {
                continue;
            }
            let mut nums = Vec::new();
            let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
            let mut missing = 0;
            for r in train {
                match cell(*r, index) {
                    Some(ClinicalValue::Number(v)) if v.is_finite() => nums.push(*v),
                    Some(ClinicalValue::Category(s)) => *counts.entry(s.clone()).or_default() += 1,
                    _ => missing += 1,
                }
            }
            nums.sort_by(f64::total_cmp);
            let median = if nums.is_empty() {
                0.0
            } else if nums.len() % 2 == 1 {
                nums[nums.len() / 2]
            } else {
                0.5 * (nums[nums.len() / 2 - 1] + nums[nums.len() / 2])
            };
            let mode = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(k, _)| k.clone())
                .unwrap_or_default();
            let mut levels = c.levels.clone();
            levels.sort();
            out.push(EncodedCovariate {
                index,
                name: c.name.clone(),
                kind: c.kind,
                levels,
                impute_number: median,
                impute_level: mode,
                imputed_train: missing,
            });
        }
        Ok(Self { covariates: out })
    }

    /// The same encoder pointed at another clinical table's columns, matched by name (a new
    /// patients' table may order its columns differently or lack the outcome); a covariate the
    /// table lacks is an error naming it.
    pub fn rebind(&self, covariates: &[Covariate]) -> Result<Self> {
        let mut out = self.clone();
        for c in &mut out.covariates {
            c.index = covariates
                .iter()
                .position(|t| t.name == c.name)
                .ok_or_else(|| {
                    PipelineError::Data(format!(
                        "the model uses clinical covariate `{}`, which the clinical table lacks (columns: {})",
                        c.name,
                        covariates
                            .iter()
                            .map(|t| t.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
        }
        Ok(out)
    }

    /// Column names of the encoded matrix.
    pub fn names(&self) -> Vec<String> {
        let mut v = Vec::new();
        for c in &self.covariates {
            match c.kind {
                ColumnType::Numeric => v.push(c.name.clone()),
                ColumnType::Categorical => {
                    for l in c.levels.iter().skip(1) {
                        v.push(format!("{}={l}", c.name));
                    }
                }
            }
        }
        v
    }

    /// Encodes rows (imputing with the training values); unknown categories are errors.
    pub fn transform(&self, rows: &[(String, Option<&ClinicalRow>)]) -> Result<Matrix> {
        let names = self.names();
        let mut data = Vec::with_capacity(rows.len() * names.len());
        for (pid, r) in rows {
            for c in &self.covariates {
                match c.kind {
                    ColumnType::Numeric => data.push(match cell(*r, c.index) {
                        Some(ClinicalValue::Number(v)) if v.is_finite() => *v,
                        _ => c.impute_number,
                    }),
                    ColumnType::Categorical => {
                        let level = match cell(*r, c.index) {
                            Some(ClinicalValue::Category(s)) => s.clone(),
                            Some(ClinicalValue::Number(v)) => format!("{v}"),
                            _ => c.impute_level.clone(),
                        };
                        if !c.levels.contains(&level) {
                            return Err(PipelineError::Data(format!(
                                "patient {pid}: covariate {} has level {level:?}, unknown to the model (known: {})",
                                c.name,
                                c.levels.join(", ")
                            )));
                        }
                        for l in c.levels.iter().skip(1) {
                            data.push(if *l == level { 1.0 } else { 0.0 });
                        }
                    }
                }
            }
        }
        Matrix::new(data, rows.len(), names.len(), names).map_err(PipelineError::from)
    }
}
