//! Load and validate: the manifest and clinical table are read with the study's column
//! mapping and validated; patients with errors are left out with their reasons, table-level
//! errors stop the run with every problem listed. Also the ROI jobs of a study (phases ×
//! readers) that the featuriser runs.

use crate::config::StudyConfig;
use crate::error::{PipelineError, Result};
use crate::extract::RoiJob;
use crate::record::Exclusion;
use crate::table::RoiKey;
use std::collections::BTreeMap;

/// The inputs of one study, read and validated.
pub struct LoadedStudy {
    /// The study view (patients with outcome, clinical row and scans).
    pub study: dlr_study::Study,
    /// The clinical table, when any.
    pub clinical: Option<dlr_study::ClinicalTable>,
    /// Patients left out by validation.
    pub excluded: Vec<Exclusion>,
    /// Patients in the manifest.
    pub manifest_patients: usize,
}

/// Manifest column mapping of a config.
pub fn manifest_columns(cfg: &StudyConfig) -> dlr_study::ManifestColumns {
    let mut m = cfg.study.columns.clone();
    if cfg.study.clinical.is_none() && m.label.is_none() {
        m.label = Some(cfg.study.outcome.clone());
        m.positive = m.positive.take().or_else(|| cfg.study.positive.clone());
    }
    m
}

/// Reads and validates a study; patients with errors are excluded (listed), table-level
/// errors stop the run with every problem listed.
pub fn load(cfg: &StudyConfig, require_outcome: bool) -> Result<LoadedStudy> {
    let cols = manifest_columns(cfg);
    let mut copts = dlr_study::ClinicalOptions::with_outcome(cfg.study.outcome.clone());
    copts.id_column = cfg.study.columns.id.clone();
    copts.outcome_required = require_outcome;
    if !cfg.study.clinical_covariates.is_empty() {
        copts.covariates = Some(cfg.study.clinical_covariates.clone());
    }
    let clinical_path = cfg.study.clinical.as_ref().map(|p| cfg.resolve(p));
    let manifest_path = cfg.resolve(&cfg.study.manifest);
    let mut input = dlr_study::StudyInput::read(
        &manifest_path,
        &cols,
        clinical_path.as_deref().map(|p| (p, &copts)),
    )?;
    let vopts = dlr_study::ValidateOptions {
        expected_phases: cfg.study.phases.clone(),
        ..Default::default()
    };
    let report = dlr_study::validate(&input, &vopts);
    let manifest_patients = report.patients;
    let mut excluded: BTreeMap<String, String> = BTreeMap::new();
    let mut fatal = Vec::new();
    for p in report
        .problems
        .iter()
        .filter(|p| p.severity == dlr_study::Severity::Error)
    {
        let outcome_problem = matches!(
            p.kind.as_str(),
            "outcome_not_binary" | "missing_outcome" | "missing_value"
        );
        if !require_outcome && outcome_problem {
            continue;
        }
        match &p.patient {
            Some(id) => {
                excluded
                    .entry(id.clone())
                    .or_insert_with(|| format!("{}: {} ({})", p.kind.as_str(), p.message, p.fix));
            }
            None => fatal.push(format!("{}: {} -> {}", p.kind.as_str(), p.message, p.fix)),
        }
    }
    if !fatal.is_empty() {
        return Err(PipelineError::Data(format!(
            "the study cannot be read:\n  {}",
            fatal.join("\n  ")
        )));
    }
    input
        .manifest
        .entries
        .retain(|e| !excluded.contains_key(&e.patient_id));
    if let Some(c) = input.clinical.as_mut() {
        if !require_outcome {
            for r in c.rows.iter_mut() {
                if r.outcome().is_none() {
                    r.outcome_raw = Some("0".into());
                }
            }
        }
    }
    let study = if require_outcome {
        dlr_study::load_study(&input)?
    } else {
        load_without_outcome(&input)?
    };
    Ok(LoadedStudy {
        study,
        clinical: input.clinical.clone(),
        excluded: excluded
            .into_iter()
            .map(|(patient, reason)| Exclusion {
                patient,
                stage: "validation".into(),
                reason,
            })
            .collect(),
        manifest_patients,
    })
}

fn load_without_outcome(input: &dlr_study::StudyInput) -> Result<dlr_study::Study> {
    let mut input = input.clone();
    if input.clinical.is_none() && input.manifest.columns.label.is_some() {
        // New patients may come without a label: give every entry a placeholder label.
        let neg = input.manifest.columns.negative.clone();
        let pos = input.manifest.columns.positive.clone();
        for e in input.manifest.entries.iter_mut() {
            if e.label.is_none() || e.label.as_deref() == Some("") {
                e.label = neg.clone().or(Some("0".into()));
                if pos.is_none() && neg.is_none() {
                    e.label = Some("0".into());
                }
            }
        }
    }
    Ok(dlr_study::load_study(&input)?)
}

/// Jobs for the scans of `phases` × `readers` of the given patients.
pub fn scan_jobs(
    study: &dlr_study::Study,
    phases: &[String],
    readers: Option<&[String]>,
) -> Vec<RoiJob> {
    let mut jobs = Vec::new();
    for p in &study.patients {
        for s in &p.scans {
            if !phases.contains(&s.phase) {
                continue;
            }
            let reader = if s.reader.is_empty() {
                "1".to_string()
            } else {
                s.reader.clone()
            };
            if let Some(rs) = readers {
                if !rs.contains(&reader) {
                    continue;
                }
            }
            jobs.push(RoiJob {
                key: RoiKey {
                    patient: p.id.clone(),
                    phase: s.phase.clone(),
                    reader,
                },
                image: s.image.clone(),
                masks: s.masks.clone(),
                roi_label: s.roi_label,
            });
        }
    }
    jobs
}

/// The primary reader of a config ("1" when unnamed).
pub fn primary_reader(cfg: &StudyConfig) -> String {
    cfg.study
        .primary_reader
        .clone()
        .or_else(|| cfg.study.readers.first().cloned())
        .unwrap_or_else(|| "1".into())
}

/// SHA-256 of the manifest and the clinical table (images and masks are hashed by the featuriser).
pub fn hash_study_tables(cfg: &StudyConfig) -> Result<Vec<(std::path::PathBuf, String)>> {
    let mut out = Vec::new();
    for p in [
        Some(cfg.resolve(&cfg.study.manifest)),
        cfg.study.clinical.as_ref().map(|c| cfg.resolve(c)),
    ]
    .into_iter()
    .flatten()
    {
        let h = crate::store::file_sha256(&p)?;
        out.push((p, h));
    }
    Ok(out)
}
