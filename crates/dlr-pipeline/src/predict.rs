//! `dlr predict`: scores new patients with a model bundle written by `dlr run`.
//!
//! The new study is read with the bundle's column mapping and phases; radiomics are extracted
//! with the bundle's preset and settings (a different preset is refused), deep features with
//! the same backbone and weights (checked by SHA-256), clinical covariates encoded with the
//! training imputation values; the bundle's fitted models score them (nothing is refitted). Only
//! the inputs the fitted models use are asked for: the outcome is never needed, and a model
//! without a clinical part needs no clinical table.

use crate::bundle::read_bundle;
use crate::config::StudyConfig;
use crate::error::{PipelineError, Result};
use crate::models::{Inputs, MODEL_NAMES};
use crate::stages::featurise::Featuriser;
use crate::stages::fit::table_matrix;
use crate::stages::load::{load, primary_reader, scan_jobs};
use crate::table::assemble;
use std::path::{Path, PathBuf};

/// Scores of the new patients.
#[derive(Debug, Clone)]
pub struct PredictOutput {
    /// Patient ids in output order.
    pub patients: Vec<String>,
    /// Model names in column order.
    pub models: Vec<String>,
    /// Probabilities, `[model][patient]`.
    pub probabilities: Vec<Vec<f64>>,
    /// Model whose training cut-off defines the risk group.
    pub risk_model: String,
    /// `high` / `low` per patient.
    pub risk_group: Vec<String>,
    /// Patients that could not be scored, with reasons.
    pub failures: Vec<(String, String)>,
}

fn select_named(m: &dlr_learn::Matrix, names: &[String], what: &str) -> Result<dlr_learn::Matrix> {
    m.select_named(names).map_err(|e| {
        PipelineError::Data(format!(
            "the new patients lack {what} features the model needs ({e}); were they extracted with the same preset and phases?"
        ))
    })
}

/// Scores the patients of `manifest` (and `clinical`) with the bundle at `model`, writing `out`.
pub fn predict(
    model: &Path,
    manifest: &Path,
    clinical: Option<&Path>,
    out: &Path,
    progress: bool,
) -> Result<PredictOutput> {
    let bundle = read_bundle(model)?;
    let fitted = &bundle.models;
    let mut cfg: StudyConfig = bundle.config.clone();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cfg.base_dir = cwd;
    cfg.study.manifest = manifest.to_path_buf();
    let uses = |family: &str| fitted.uses_family(family);
    let needs_clinical = bundle.inputs.clinical.is_some() && uses("clinical");
    match (clinical, needs_clinical) {
        (Some(c), _) => cfg.study.clinical = Some(c.to_path_buf()),
        (None, true) => {
            return Err(PipelineError::Data(
                "this model uses clinical covariates: pass --clinical with the new patients' clinical table".into(),
            ))
        }
        (None, false) => {
            if cfg.study.clinical.is_some() {
                // The training outcome came from a clinical table; new patients need none.
                cfg.study.clinical = None;
            }
        }
    }
    let loaded = load(&cfg, false)?;
    let study = &loaded.study;
    let phases = cfg.study.phases.clone();
    let primary = primary_reader(&cfg);
    let mut failures: Vec<(String, String)> = loaded
        .excluded
        .iter()
        .map(|e| (e.patient.clone(), e.reason.clone()))
        .collect();
    // Every patient needs every phase of the primary reader.
    let mut ids = Vec::new();
    for p in &study.patients {
        let missing = crate::stages::split::missing_phases(p, &phases, &primary);
        if missing.is_empty() {
            ids.push(p.id.clone());
        } else {
            failures.push((
                p.id.clone(),
                format!("missing phase(s) {missing:?} for reader {primary}; the model was trained on {phases:?}"),
            ));
        }
    }
    if ids.is_empty() {
        return Err(PipelineError::Data(format!(
            "no patient of {} has every phase the model needs ({phases:?}); first problems: {}",
            manifest.display(),
            failures
                .iter()
                .take(5)
                .map(|(p, r)| format!("{p}: {r}"))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let want_radiomics = bundle.inputs.radiomics.is_some() && uses("radiomics");
    let want_deep = bundle.inputs.deep.is_some() && uses("deep");
    let featuriser = Featuriser::for_bundle(
        cfg.radiomics.preset,
        bundle
            .radiomics_settings
            .as_deref()
            .filter(|_| want_radiomics)
            .map(|d| (d, bundle.radiomics_settings_text.as_deref())),
        bundle
            .deep_backbone
            .as_ref()
            .filter(|_| want_deep)
            .map(|c| (c, cfg.deep.crop_options())),
        progress,
    )?;
    if want_deep && featuriser.deep.is_none() {
        return Err(PipelineError::Data(
            "the bundle has a deep model but no usable backbone record; re-run `dlr run`".into(),
        ));
    }
    let jobs: Vec<_> = scan_jobs(study, &phases, Some(std::slice::from_ref(&primary)))
        .into_iter()
        .filter(|j| ids.contains(&j.key.patient))
        .collect();
    let mut inputs = Inputs::default();
    let rows: Vec<usize> = (0..ids.len()).collect();
    if let Some(names) = bundle.inputs.radiomics.as_ref().filter(|_| want_radiomics) {
        let res = featuriser.radiomics_features(&jobs, None);
        for f in &res.failures {
            failures.push((
                f.key.patient.clone(),
                format!("radiomics {}: {}", f.key.phase, f.reason),
            ));
        }
        let table = assemble(&res.rois, &ids, &phases, &primary);
        let all: Vec<usize> = (0..table.columns.len()).collect();
        let m = table_matrix(&table, &rows, &all)?;
        inputs.radiomics = Some(select_named(&m, names, "radiomics")?);
    }
    if let Some(names) = bundle.inputs.deep.as_ref().filter(|_| want_deep) {
        let (done, failed) = featuriser.deep_features(&jobs, None);
        for f in failed {
            failures.push((
                f.key.patient.clone(),
                format!("deep {}: {}", f.key.phase, f.reason),
            ));
        }
        let table = assemble(&done, &ids, &phases, &primary);
        let all: Vec<usize> = (0..table.columns.len()).collect();
        let m = table_matrix(&table, &rows, &all)?;
        inputs.deep = Some(select_named(&m, names, "deep")?);
    }
    if let (Some(enc), true) = (&bundle.clinical_encoder, needs_clinical) {
        let by_id: std::collections::HashMap<&str, &dlr_study::StudyPatient> =
            study.patients.iter().map(|p| (p.id.as_str(), p)).collect();
        let rows: Vec<(String, Option<&dlr_study::ClinicalRow>)> = ids
            .iter()
            .map(|id| {
                (
                    id.clone(),
                    by_id.get(id.as_str()).and_then(|p| p.clinical.as_ref()),
                )
            })
            .collect();
        for (id, r) in &rows {
            if r.is_none() {
                failures.push((
                    id.clone(),
                    "no row in the clinical table (covariates imputed with training values)".into(),
                ));
            }
        }
        let table = loaded.clinical.as_ref().ok_or_else(|| {
            PipelineError::Data(
                "this model uses clinical covariates: pass --clinical with the new patients' clinical table".into(),
            )
        })?;
        inputs.clinical = Some(enc.rebind(&table.covariates)?.transform(&rows)?);
    }
    // Patients whose features failed are dropped from the output (listed in failures).
    let failed_ids: std::collections::BTreeSet<String> =
        failures.iter().map(|(p, _)| p.clone()).collect();
    let keep: Vec<usize> = (0..ids.len())
        .filter(|&i| {
            !failed_ids.contains(&ids[i])
                && [&inputs.radiomics, &inputs.deep, &inputs.clinical]
                    .iter()
                    .all(|m| {
                        m.as_ref()
                            .is_none_or(|m| m.row(i).iter().all(|v| v.is_finite()))
                    })
        })
        .collect();
    for (i, id) in ids.iter().enumerate() {
        if !keep.contains(&i) && !failed_ids.contains(id) {
            failures.push((
                id.clone(),
                "a feature the model needs is undefined for this patient".into(),
            ));
        }
    }
    let sub = |m: &Option<dlr_learn::Matrix>| -> Result<Option<dlr_learn::Matrix>> {
        m.as_ref()
            .map(|m| m.select_rows(&keep).map_err(PipelineError::from))
            .transpose()
    };
    let inputs = Inputs {
        radiomics: sub(&inputs.radiomics)?,
        deep: sub(&inputs.deep)?,
        clinical: sub(&inputs.clinical)?,
    };
    let ids: Vec<String> = keep.iter().map(|&i| ids[i].clone()).collect();
    let preds = fitted.predict(&cfg, &inputs)?;
    let models: Vec<String> = MODEL_NAMES
        .iter()
        .filter(|m| preds.contains_key(**m))
        .map(|m| m.to_string())
        .collect();
    let risk_model = models.last().cloned().unwrap_or_default();
    let cut = bundle.cutoffs.get(&risk_model).copied().unwrap_or(0.5);
    let risk_group: Vec<String> = preds
        .get(&risk_model)
        .map(|p| {
            p.iter()
                .map(|&v| {
                    if v >= cut {
                        "high".to_string()
                    } else {
                        "low".to_string()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["patient_id".to_string()];
    header.extend(models.iter().cloned());
    header.push("risk_group".into());
    w.write_record(&header)?;
    for (k, id) in ids.iter().enumerate() {
        let mut rec = vec![id.clone()];
        for m in &models {
            rec.push(format!("{}", preds[m][k]));
        }
        rec.push(risk_group[k].clone());
        w.write_record(&rec)?;
    }
    let bytes = w.into_inner().map_err(|e| PipelineError::Io {
        path: out.to_path_buf(),
        source: e.into_error(),
    })?;
    crate::store::write_atomic(out, &bytes)?;
    Ok(PredictOutput {
        patients: ids,
        probabilities: models.iter().map(|m| preds[m].clone()).collect(),
        models,
        risk_model,
        risk_group,
        failures,
    })
}
