//! Emit: the run folder's outputs — `predictions.csv`, the model bundle, the audit, `record.json`
//! and the report (tables, figures, `report.html`). Every file is written atomically.

use crate::config::StudyConfig;
use crate::error::Result;
use crate::models::MODEL_NAMES;
use crate::record::RunRecord;
use crate::stages::evaluate::CohortPredictions;
use crate::stages::split::SplitCohort;
use std::path::Path;

/// Files and folders of a run folder's outputs (the `cache/` folder is kept across runs).
pub const RUN_OUTPUTS: [&str; 12] = [
    "predictions.csv",
    "model.dlr",
    "report.html",
    "features_radiomics.csv",
    "features_deep.csv",
    "table1.csv",
    "table1.md",
    "table2.csv",
    "table2.md",
    "delong.csv",
    "delong.md",
    "figures",
];

/// Removes a previous run's outputs before a new run writes any, `record.json` first: a run
/// folder never mixes two runs, and one without `record.json` (written last) is incomplete.
pub fn clear_previous_outputs(out: &Path) -> Result<()> {
    let remove = |p: std::path::PathBuf| -> Result<()> {
        let r = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        match r {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(crate::error::PipelineError::Io { path: p, source: e })
            }
            _ => Ok(()),
        }
    };
    remove(out.join("record.json"))?;
    for name in RUN_OUTPUTS {
        remove(out.join(name))?;
    }
    Ok(())
}

/// The rows of `predictions.csv`: `patient_id, cohort, label`, one probability column per
/// fitted model (report order) and `rad_score` when the radiomics chain has one.
pub fn predictions_csv(split: &SplitCohort, preds: &CohortPredictions) -> Result<Vec<u8>> {
    let model_cols: Vec<&str> = MODEL_NAMES
        .iter()
        .copied()
        .filter(|m| preds.train.contains_key(*m))
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["patient_id", "cohort", "label"];
    header.extend(model_cols.iter().copied());
    if preds.rad_score_train.is_some() {
        header.push("rad_score");
    }
    w.write_record(&header)?;
    let ids = &split.cohort.ids;
    let y = &split.cohort.y;
    for (cohort, idx, p, rs) in [
        (
            "train",
            &split.fold.train,
            &preds.train,
            &preds.rad_score_train,
        ),
        ("test", &split.fold.test, &preds.test, &preds.rad_score_test),
    ] {
        for (k, &i) in idx.iter().enumerate() {
            let mut rec = vec![
                ids[i].clone(),
                cohort.to_string(),
                u8::from(y[i]).to_string(),
            ];
            for m in &model_cols {
                rec.push(format!("{}", p[*m][k]));
            }
            if let Some(r) = rs {
                rec.push(format!("{}", r[k]));
            }
            w.write_record(&rec)?;
        }
    }
    w.into_inner().map_err(|e| crate::error::PipelineError::Io {
        path: "predictions.csv".into(),
        source: e.into_error(),
    })
}

/// The audit's cohort sizes, leakage checks and baselines.
pub fn study_audit(
    split: &SplitCohort,
    n_selected: Option<usize>,
    shape_only: Option<dlr_audit::ShapeOnlySummary>,
) -> dlr_audit::StudyAudit {
    let y_train = split.y_train();
    let y_test = split.y_test();
    let events = |y: &[bool]| y.iter().filter(|&&b| b).count();
    let mut audit = dlr_audit::StudyAudit::new(
        vec![
            dlr_audit::CohortSize {
                name: "training".into(),
                patients: y_train.len(),
                events: events(&y_train),
            },
            dlr_audit::CohortSize {
                name: "test".into(),
                patients: y_test.len(),
                events: events(&y_test),
            },
        ],
        n_selected,
    );
    audit.duplicates = split.duplicates.clone();
    audit.shape_only = shape_only;
    let mut checks = split.checks.clone();
    checks.push(dlr_audit::LeakageCheckResult {
        name: "feature selection and scaling fitted on training patients only".into(),
        passed: true,
        detail: "ICC, z-score, Mann–Whitney, correlation filter and LASSO-CV ran on the training rows; test rows were transformed with training parameters".into(),
    });
    checks.push(dlr_audit::LeakageCheckResult {
        name: "cut-off chosen on the training cohort".into(),
        passed: true,
        detail: "the Youden threshold of each model was chosen on training predictions and applied unchanged to the test cohort".into(),
    });
    audit.leakage_checks = checks;
    audit
}

/// The seeds a run used, by purpose.
pub fn seeds(cfg: &StudyConfig) -> std::collections::BTreeMap<String, u64> {
    std::collections::BTreeMap::from([
        ("split".to_string(), cfg.split.seed),
        ("models".to_string(), cfg.models.seed),
        ("lasso_folds".to_string(), cfg.split.seed),
    ])
}

/// Writes the report files (tables, figures, `report.html`) and lists every output of the run
/// folder in the record (`record.json` itself is written last, by the caller).
pub fn write_report_files(
    out: &Path,
    record: &mut RunRecord,
    table1: &dlr_report::Table,
) -> Result<()> {
    let files = crate::report::write_report(out, record, table1)?;
    record.outputs = files;
    record.outputs.extend(
        ["predictions.csv", "model.dlr", "record.json"]
            .iter()
            .map(|f| out.join(f)),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::split::Cohort;
    use std::collections::BTreeMap;

    #[test]
    fn a_new_run_removes_the_previous_outputs_but_keeps_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for f in ["record.json", "predictions.csv", "model.dlr", "report.html"] {
            std::fs::write(out.join(f), "old").unwrap();
        }
        std::fs::create_dir_all(out.join("figures")).unwrap();
        std::fs::write(out.join("figures/roc_test.svg"), "old").unwrap();
        std::fs::create_dir_all(out.join("cache/roi-features")).unwrap();
        std::fs::write(out.join("cache/roi-features/k.json"), "[]").unwrap();
        std::fs::write(out.join("notes.txt"), "the user's").unwrap();
        clear_previous_outputs(out).unwrap();
        for f in [
            "record.json",
            "predictions.csv",
            "model.dlr",
            "report.html",
            "figures",
        ] {
            assert!(!out.join(f).exists(), "{f} left behind");
        }
        assert!(out.join("cache/roi-features/k.json").exists());
        assert!(out.join("notes.txt").exists());
        clear_previous_outputs(out).unwrap();
    }

    #[test]
    fn predictions_csv_lists_train_then_test_rows_with_model_columns_in_report_order() {
        let split = SplitCohort {
            cohort: Cohort {
                members: vec![0, 1, 2],
                ids: vec!["A".into(), "B,1".into(), "C".into()],
                y: vec![true, false, true],
            },
            fold: dlr_learn::Fold {
                train: vec![2, 0],
                test: vec![1],
            },
            duplicates: None,
            checks: Vec::new(),
        };
        let preds = CohortPredictions {
            train: BTreeMap::from([
                ("deep".to_string(), vec![0.25, 0.5]),
                ("radiomics".to_string(), vec![0.75, 0.125]),
            ]),
            test: BTreeMap::from([
                ("deep".to_string(), vec![0.0625]),
                ("radiomics".to_string(), vec![1.0]),
            ]),
            rad_score_train: Some(vec![-1.5, 2.0]),
            rad_score_test: Some(vec![0.5]),
            ..Default::default()
        };
        let text = String::from_utf8(predictions_csv(&split, &preds).unwrap()).unwrap();
        assert_eq!(
            text,
            "patient_id,cohort,label,radiomics,deep,rad_score\n\
             C,train,1,0.75,0.25,-1.5\n\
             A,train,1,0.125,0.5,2\n\
             \"B,1\",test,0,1,0.0625,0.5\n"
        );
    }
}
