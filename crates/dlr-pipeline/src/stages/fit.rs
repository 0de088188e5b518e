//! Select and fit, on training patients only: the feature matrices of both cohorts (radiomics
//! after the completeness filter and the inter-reader ICC on training reader pairs, deep
//! features, clinical covariates encoded with training imputation values), then the selection
//! chain and the models (radiomics → RF, deep → SVM, clinical logistic, combined stack).

use crate::clinical::ClinicalEncoder;
use crate::config::StudyConfig;
use crate::error::{PipelineError, Result};
use crate::models::{FittedModels, Inputs};
use crate::record::{LassoCurve, SelectionRecord, StepRecordOut};
use crate::stages::context::RunContext;
use crate::stages::featurise::StudyFeatures;
use crate::stages::split::SplitCohort;
use crate::table::{assemble, FeatureTable};
use dlr_learn::Matrix;
use std::collections::BTreeMap;
use std::path::Path;

/// The feature matrices of both cohorts and what was decided on the way.
#[derive(Debug, Default)]
pub struct CohortMatrices {
    /// Training rows (in `fold.train` order).
    pub train: Inputs,
    /// Test rows (in `fold.test` order).
    pub test: Inputs,
    /// Selection records per feature family (completeness and ICC so far).
    pub selection: BTreeMap<String, SelectionRecord>,
    /// The clinical encoder fitted on the training rows.
    pub encoder: Option<ClinicalEncoder>,
    /// The radiomics table of the primary reader (all analysed patients), for the run folder.
    pub radiomics_table: Option<FeatureTable>,
    /// The deep table (all analysed patients), for the run folder.
    pub deep_table: Option<FeatureTable>,
}

/// Converts rows × columns of a feature table to a learn matrix (rows in the given order).
pub fn table_matrix(t: &FeatureTable, rows: &[usize], cols: &[usize]) -> Result<Matrix> {
    let mut data = Vec::with_capacity(rows.len() * cols.len());
    for &i in rows {
        for &j in cols {
            data.push(t.get(i, j));
        }
    }
    Ok(Matrix::new(
        data,
        rows.len(),
        cols.len(),
        cols.iter().map(|&j| t.columns[j].clone()).collect(),
    )?)
}

/// Builds the matrices of both cohorts. Feature columns undefined for some analysed patient are
/// dropped (counted in `missing_data`); the ICC filter runs on the training patients read by
/// both readers.
pub fn cohort_matrices(
    cfg: &StudyConfig,
    study: &dlr_study::Study,
    clinical: Option<&dlr_study::ClinicalTable>,
    features: &StudyFeatures,
    split: &SplitCohort,
    ctx: &mut RunContext,
) -> Result<CohortMatrices> {
    let ids = &split.cohort.ids;
    let fold = &split.fold;
    let mut out = CohortMatrices::default();
    for (family, rois) in [("radiomics", &features.radiomics), ("deep", &features.deep)] {
        if rois.is_empty() {
            continue;
        }
        let (table, cols, rec) = family_columns(cfg, family, rois, split, ctx)?;
        let train = Some(table_matrix(&table, &fold.train, &cols)?);
        let test = Some(table_matrix(&table, &fold.test, &cols)?);
        out.selection.insert(family.into(), rec);
        if family == "radiomics" {
            (out.train.radiomics, out.test.radiomics) = (train, test);
            out.radiomics_table = Some(table);
        } else {
            (out.train.deep, out.test.deep) = (train, test);
            out.deep_table = Some(table);
        }
    }
    if cfg.models.needs(crate::config::ModelName::Clinical) {
        if let Some(ct) = clinical {
            let row_of = |i: usize| study.patients[split.cohort.members[i]].clinical.as_ref();
            let train_rows: Vec<Option<&dlr_study::ClinicalRow>> =
                fold.train.iter().map(|&i| row_of(i)).collect();
            let enc =
                ClinicalEncoder::fit(&ct.covariates, &cfg.study.clinical_covariates, &train_rows)?;
            for c in &enc.covariates {
                if c.imputed_train > 0 {
                    ctx.missing_data.push(format!(
                        "clinical `{}`: {} missing training values imputed with the training {}",
                        c.name,
                        c.imputed_train,
                        if c.kind == dlr_study::ColumnType::Numeric {
                            "median"
                        } else {
                            "mode"
                        }
                    ));
                }
            }
            let rows = |idx: &[usize]| -> Vec<(String, Option<&dlr_study::ClinicalRow>)> {
                idx.iter().map(|&i| (ids[i].clone(), row_of(i))).collect()
            };
            if !enc.covariates.is_empty() {
                out.train.clinical = Some(enc.transform(&rows(&fold.train))?);
                out.test.clinical = Some(enc.transform(&rows(&fold.test))?);
            }
            out.encoder = Some(enc);
        }
    }
    if ctx.missing_data.is_empty() {
        ctx.missing_data.push(
            "no missing values: every analysed patient had every feature and covariate".into(),
        );
    }
    Ok(out)
}

/// The primary reader's table of one feature family (`radiomics` or `deep`) and the columns that
/// go on to selection: those defined for every analysed patient, then — with a second reader —
/// those whose ICC(2,1) on the training patients read by both exceeds the threshold (the same
/// step for handcrafted and deep features, as in the paper).
fn family_columns(
    cfg: &StudyConfig,
    family: &str,
    rois: &[crate::table::RoiFeatures],
    split: &SplitCohort,
    ctx: &mut RunContext,
) -> Result<(FeatureTable, Vec<usize>, SelectionRecord)> {
    let phases = &cfg.study.phases;
    let primary = crate::stages::load::primary_reader(cfg);
    let ids = &split.cohort.ids;
    let table = assemble(rois, ids, phases, &primary);
    let complete = table.complete_columns();
    let incomplete: Vec<String> = (0..table.columns.len())
        .filter(|j| !complete.contains(j))
        .map(|j| table.columns[j].clone())
        .collect();
    if !incomplete.is_empty() {
        ctx.missing_data.push(format!(
            "{} {family} features undefined for at least one patient were dropped before selection",
            incomplete.len()
        ));
    }
    let mut rec = SelectionRecord {
        n_features: complete.len(),
        incomplete_dropped: incomplete,
        ..Default::default()
    };
    let mut cols = complete;
    let Some(second) = cfg.study.readers.iter().find(|r| **r != primary).cloned() else {
        ctx.warn(format!(
            "single reader: the inter-reader ICC filter was not applied to the {family} features"
        ));
        return Ok((table, cols, rec));
    };
    let t2 = assemble(rois, ids, phases, &second);
    let both: Vec<usize> = split
        .fold
        .train
        .iter()
        .copied()
        .filter(|&i| {
            cols.iter()
                .all(|&j| t2.columns.get(j) == Some(&table.columns[j]) && t2.get(i, j).is_finite())
        })
        .collect();
    if both.len() >= 5 && t2.columns == table.columns {
        let a = table_matrix(&table, &both, &cols)?;
        let b = table_matrix(&t2, &both, &cols)?;
        let r = crate::models::icc_filter(cfg, &a, &b)?;
        cols.retain(|&j| r.kept.contains(&table.columns[j]));
        rec.icc = Some((&r).into());
    } else {
        ctx.warn(format!(
            "ICC filter not applied to the {family} features: only {} training patients have complete second-reader ROIs",
            both.len()
        ));
    }
    Ok((table, cols, rec))
}

/// Writes the feature tables of the analysed patients into the run folder.
pub fn write_feature_tables(matrices: &CohortMatrices, out: &Path) -> Result<()> {
    if let Some(t) = &matrices.radiomics_table {
        t.write_csv(&out.join("features_radiomics.csv"), "patient_id")?;
    }
    if let Some(t) = &matrices.deep_table {
        t.write_csv(&out.join("features_deep.csv"), "patient_id")?;
    }
    Ok(())
}

/// Fits the configured models on the training rows and completes the selection records with
/// what each chain kept, its LASSO coefficients and CV curve.
pub fn fit_study_models(
    cfg: &StudyConfig,
    matrices: &mut CohortMatrices,
    y_train: &[bool],
) -> Result<FittedModels> {
    let mut fitted = crate::models::fit_models(cfg, &matrices.train, y_train)?;
    let events = y_train.iter().filter(|&&b| b).count();
    let smaller_class = events.min(y_train.len() - events);
    if smaller_class < cfg.selection.lasso_folds {
        for name in ["radiomics", "deep"] {
            if let Some(why) = fitted.skipped.get_mut(name) {
                if why.starts_with("fitting failed") {
                    why.push_str(&format!(
                        " (the training cohort's smaller class has {smaller_class} patients for {} LASSO folds: lower [selection] lasso_folds to at most {smaller_class}, or add patients)",
                        cfg.selection.lasso_folds
                    ));
                }
            }
        }
    }
    for name in ["radiomics", "deep"] {
        if let (Some(ch), Some(rec)) = (fitted.chain(name), matrices.selection.get_mut(name)) {
            rec.steps = ch.records.iter().map(StepRecordOut::from).collect();
            rec.selected = ch.selected.clone();
            rec.coefficients = ch
                .lasso
                .as_ref()
                .map(|(f, c)| f.nonzero(*c))
                .unwrap_or_default();
            rec.lasso = ch.lasso.as_ref().map(|(f, _)| lasso_curve(f));
        }
    }
    Ok(fitted)
}

/// The CV curve and the paths of the coefficients that are ever non-zero (at most 30).
fn lasso_curve(f: &dlr_learn::LassoCvFit) -> LassoCurve {
    let p = f.feature_names.len();
    let paths = (0..p)
        .filter(|&j| {
            f.path
                .beta
                .iter()
                .any(|b| b.get(j).is_some_and(|v| *v != 0.0))
        })
        .take(30)
        .map(|j| {
            (
                f.feature_names[j].clone(),
                f.path
                    .beta
                    .iter()
                    .map(|b| b.get(j).copied().unwrap_or(0.0))
                    .collect(),
            )
        })
        .collect();
    LassoCurve {
        log_lambda: f.path.lambda.iter().map(|l| l.ln()).collect(),
        cvm: f.cvm.clone(),
        cvsd: f.cvsd.clone(),
        index_min: f.index_min,
        index_1se: f.index_1se,
        nzero: f.path.nzero.clone(),
        paths,
    }
}

/// Out-of-fold probabilities of the training rows, per model: the random forest's out-of-bag
/// votes (on the chain fitted to all training rows), and for every other model the whole chain —
/// selection included — refitted in each of `[evaluation] oof_folds` stratified folds and applied
/// to the held-out fold. A model that cannot be fitted in some fold keeps no out-of-fold
/// predictions (the caller falls back to the apparent ones and says so).
pub fn out_of_fold_predictions(
    cfg: &StudyConfig,
    train: &Inputs,
    y_train: &[bool],
    fitted: &FittedModels,
) -> Result<BTreeMap<String, Vec<f64>>> {
    use rayon::prelude::*;
    let n = y_train.len();
    let folds = dlr_learn::kfold(y_train, cfg.evaluation.oof_folds, cfg.split.seed)?;
    let subset = |m: &Option<Matrix>, rows: &[usize]| -> Result<Option<Matrix>> {
        m.as_ref().map(|m| Ok(m.select_rows(rows)?)).transpose()
    };
    let per_fold: Vec<Result<BTreeMap<String, Vec<f64>>>> = folds
        .par_iter()
        .map(|fold| {
            let fit_rows = Inputs {
                radiomics: subset(&train.radiomics, &fold.train)?,
                deep: subset(&train.deep, &fold.train)?,
                clinical: subset(&train.clinical, &fold.train)?,
            };
            let held_out = Inputs {
                radiomics: subset(&train.radiomics, &fold.test)?,
                deep: subset(&train.deep, &fold.test)?,
                clinical: subset(&train.clinical, &fold.test)?,
            };
            let y: Vec<bool> = fold.train.iter().map(|&i| y_train[i]).collect();
            let models = crate::models::fit_models(cfg, &fit_rows, &y)?;
            models.predict(cfg, &held_out)
        })
        .collect();
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut incomplete = std::collections::BTreeSet::new();
    for (fold, preds) in folds.iter().zip(per_fold) {
        let preds = preds?;
        for name in crate::models::MODEL_NAMES {
            match preds.get(name) {
                Some(p) => {
                    let v = out
                        .entry(name.to_string())
                        .or_insert_with(|| vec![f64::NAN; n]);
                    for (&i, &pi) in fold.test.iter().zip(p) {
                        v[i] = pi;
                    }
                }
                None => {
                    incomplete.insert(name.to_string());
                }
            }
        }
    }
    for name in incomplete {
        out.remove(&name);
    }
    // The random forest: out-of-bag votes of the same forest (same seed and rows).
    if let (Some(f), Some(x)) = (&fitted.radiomics, &train.radiomics) {
        out.remove("radiomics");
        if !f.chain.selected.is_empty() {
            let xt = dlr_learn::Transform::transform(&f.chain, x)?;
            let (_, oob) = crate::models::random_forest(cfg)?.fit_with_oob(&xt, y_train)?;
            if oob.iter().all(|v| v.is_finite()) {
                out.insert("radiomics".into(), oob);
            }
        }
    }
    out.retain(|_, v| v.iter().all(|p| p.is_finite()));
    Ok(out)
}

/// The rad-score formula of the fitted radiomics chain, when it kept any feature.
pub fn rad_score_formula(fitted: &FittedModels) -> Option<String> {
    let f = fitted.radiomics.as_ref()?;
    if f.chain.selected.is_empty() {
        return None;
    }
    f.chain.rad_score().map(|r| r.formula(4))
}

/// The LASSO formula of the fitted deep chain (the paper's deep-feature score), when it kept any
/// feature.
pub fn deep_score_formula(fitted: &FittedModels) -> Option<String> {
    let f = fitted.deep.as_ref()?;
    if f.chain.selected.is_empty() {
        return None;
    }
    f.chain
        .rad_score()
        .map(|r| r.formula(4).replacen("Rad-score", "Deep score", 1))
}

/// Fails when no model could be fitted at all.
pub fn require_a_model(fitted: &FittedModels) -> Result<()> {
    if fitted.radiomics.is_none()
        && fitted.deep.is_none()
        && fitted.clinical.is_none()
        && fitted.combined.is_none()
    {
        return Err(PipelineError::Data(format!(
            "no model could be fitted: {}",
            fitted
                .skipped
                .iter()
                .map(|(m, why)| format!("{m}: {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{RoiFeatures, RoiKey};
    use dlr_image::FeatureValue;

    fn roi(patient: &str, phase: &str, reader: &str, values: &[(&str, f64)]) -> RoiFeatures {
        RoiFeatures {
            key: RoiKey {
                patient: patient.into(),
                phase: phase.into(),
                reader: reader.into(),
            },
            features: values
                .iter()
                .map(|(n, v)| FeatureValue::new((*n).to_string(), *v))
                .collect(),
        }
    }

    #[test]
    fn table_matrix_takes_rows_in_the_given_order_with_phase_prefixed_names() {
        let rois = vec![
            roi("A", "US", "1", &[("Mean", 1.0), ("Var", 10.0)]),
            roi("B", "US", "1", &[("Mean", 2.0), ("Var", 20.0)]),
            roi("C", "US", "1", &[("Mean", 3.0), ("Var", f64::NAN)]),
        ];
        let ids: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let t = assemble(&rois, &ids, &["US".to_string()], "1");
        assert_eq!(t.complete_columns(), [0]);
        let m = table_matrix(&t, &[2, 0], &[0, 1]).unwrap();
        assert_eq!(m.names(), ["US_Mean", "US_Var"]);
        assert_eq!(m.row(0)[0], 3.0);
        assert!(m.row(0)[1].is_nan());
        assert_eq!(m.row(1), [1.0, 10.0]);
    }
}
