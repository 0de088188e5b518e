//! The run folder's human-readable outputs: Table 1, Table 2, DeLong comparisons, figures
//! (SVG and PNG) and the self-contained `report.html`.

use crate::error::{PipelineError, Result};
use crate::run::{LoadedStudy, RunRecord};
use crate::stages::evaluate::{TEST, TRAIN};
use dlr_report::{
    BaselineRow, CalibrationGroup, CalibrationSeries, DelongRow, Estimate, PerformanceRow,
    ReportBuilder, RocSeries, Table,
};
use dlr_study::{ClinicalValue, ColumnType};
use std::path::{Path, PathBuf};

/// Table 1: characteristics of the training and test cohorts with p-values, computed by
/// `dlr_stats::table1` (R conventions: mean ± SD with Welch's t test; n (%) with Pearson
/// chi-square, or Fisher's exact test when an expected count is below 5).
pub fn table1(
    loaded: &LoadedStudy,
    patients: &[&dlr_study::StudyPatient],
    fold: &dlr_learn::Fold,
    y: &[bool],
) -> Table {
    let order: Vec<usize> = fold.train.iter().chain(&fold.test).copied().collect();
    let groups: Vec<String> = fold
        .train
        .iter()
        .map(|_| "Training".to_string())
        .chain(fold.test.iter().map(|_| "Test".to_string()))
        .collect();
    let mut vars = vec![dlr_stats::Table1Variable {
        name: "Outcome".into(),
        values: dlr_stats::VariableValues::Categorical(
            order.iter().map(|&i| u8::from(y[i]).to_string()).collect(),
        ),
    }];
    if let Some(ct) = &loaded.clinical {
        for (ci, cov) in ct.covariates.iter().enumerate() {
            let cell = |i: usize| {
                patients[i]
                    .clinical
                    .as_ref()
                    .and_then(|r| r.values.get(ci).cloned())
            };
            let values = match cov.kind {
                ColumnType::Numeric => dlr_stats::VariableValues::Numeric(
                    order
                        .iter()
                        .map(|&i| match cell(i) {
                            Some(ClinicalValue::Number(v)) => v,
                            _ => f64::NAN,
                        })
                        .collect(),
                ),
                ColumnType::Categorical => dlr_stats::VariableValues::Categorical(
                    order
                        .iter()
                        .map(|&i| match cell(i) {
                            Some(ClinicalValue::Category(s)) => s,
                            Some(ClinicalValue::Number(v)) => format!("{v}"),
                            _ => String::new(),
                        })
                        .collect(),
                ),
            };
            // A numeric 0/1 column is an indicator: summarise it as counts, not mean ± SD.
            let values = match values {
                dlr_stats::VariableValues::Numeric(v)
                    if v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0) =>
                {
                    dlr_stats::VariableValues::Categorical(
                        v.iter()
                            .map(|x| {
                                if x.is_nan() {
                                    String::new()
                                } else {
                                    format!("{x}")
                                }
                            })
                            .collect(),
                    )
                }
                other => other,
            };
            vars.push(dlr_stats::Table1Variable {
                name: cov.name.clone(),
                values,
            });
        }
    }
    let group_order = vec!["Training".to_string(), "Test".to_string()];
    let cohorts = vec![
        format!("Training (n = {})", fold.train.len()),
        format!("Test (n = {})", fold.test.len()),
    ];
    let t = match dlr_stats::table1(
        &vars,
        &groups,
        Some(&group_order),
        &dlr_stats::Table1Options::default(),
    ) {
        Ok(t) => t,
        Err(e) => {
            let mut t = dlr_report::baseline_table(
                "Characteristics of the training and test cohorts",
                &cohorts,
                &[],
            );
            t.notes.push(format!("Table 1 could not be computed: {e}"));
            return t;
        }
    };
    let mut tests = std::collections::BTreeSet::new();
    let rows: Vec<BaselineRow> = t
        .rows
        .iter()
        .map(|r| {
            if let Some(test) = &r.test {
                tests.insert(test.clone());
            }
            BaselineRow {
                variable: match &r.level {
                    Some(l) => format!("  {} = {l}, n (%)", r.variable),
                    None if r.missing > 0 => format!("{} ({} missing)", r.variable, r.missing),
                    None => r.variable.clone(),
                },
                values: r.cells.clone(),
                p_value: r.p,
            }
        })
        .collect();
    let mut out = dlr_report::baseline_table(
        "Characteristics of the training and test cohorts",
        &cohorts,
        &rows,
    );
    out.notes.push(format!(
        "Continuous: mean ± SD; categorical: n (%). Tests: {}.",
        tests.into_iter().collect::<Vec<_>>().join(", ")
    ));
    out
}

fn est(value: f64, ci: [f64; 2]) -> Estimate {
    Estimate::with_ci(value, ci[0], ci[1])
}

/// The models of an evaluation, in report order (each listed once).
fn model_names(ev: &dlr_stats::Evaluation) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for e in &ev.scores {
        if !names.contains(&e.score) {
            names.push(e.score.clone());
        }
    }
    names
}

fn write_figure(
    dir: &Path,
    name: &str,
    fig: &dlr_report::Figure,
    files: &mut Vec<PathBuf>,
) -> Result<()> {
    // dlr_report::write_atomic writes into an existing folder only.
    std::fs::create_dir_all(dir).map_err(|source| PipelineError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let svg = dir.join(format!("{name}.svg"));
    dlr_report::write_atomic(&svg, fig.to_svg().as_bytes())?;
    let png = dir.join(format!("{name}.png"));
    dlr_report::write_atomic(&png, &fig.to_png(1200, 900)?)?;
    files.push(svg);
    files.push(png);
    Ok(())
}

/// Adds the bar figure of a LASSO's non-zero coefficients (`key`: the report's figure key and
/// the file name under `figures/`); nothing when there are none.
fn coefficient_figure(
    b: ReportBuilder,
    figdir: &Path,
    files: &mut Vec<PathBuf>,
    (key, file): (&str, &str),
    title: &str,
    caption: &str,
    coefficients: &[(String, f64)],
) -> Result<ReportBuilder> {
    if coefficients.is_empty() {
        return Ok(b);
    }
    let Ok(fig) = dlr_report::coefficient_bars_figure(title, coefficients) else {
        return Ok(b);
    };
    write_figure(figdir, file, &fig, files)?;
    Ok(b.figure(Some(key), &fig, caption))
}

/// Writes Table 1/2, comparisons, figures and `report.html`; returns the files written.
pub fn write_report(out: &Path, record: &RunRecord, table1: &Table) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let figdir = out.join("figures");
    let ev = &record.evaluation;
    // Table 2.
    let mut perf = Vec::new();
    let models = model_names(ev);
    for m in &models {
        let oof = record
            .training_predictions
            .out_of_fold
            .iter()
            .any(|x| x == m);
        let train_label = if oof {
            "Training (out-of-fold)"
        } else {
            "Training (apparent)"
        };
        for (cohort, label) in [(TRAIN, train_label), (TEST, "Test")] {
            let Some(c) = ev.get(m, Some(cohort)) else {
                continue;
            };
            let (Some(auc), Some(ci)) = (c.auc, c.auc_ci) else {
                continue;
            };
            let y = &c.youden;
            perf.push(PerformanceRow {
                model: m.clone(),
                cohort: label.into(),
                auc: Estimate::with_ci(auc, ci[0], ci[1]),
                accuracy: est(y.accuracy, y.accuracy_ci),
                sensitivity: est(y.sensitivity, y.sensitivity_ci),
                specificity: est(y.specificity, y.specificity_ci),
                ppv: est(y.ppv, y.ppv_ci),
                npv: est(y.npv, y.npv_ci),
            });
        }
    }
    let mut table2 = dlr_report::performance_table(
        "Discrimination of the models in the training and test cohorts",
        &perf,
    );
    table2.notes.push(format!(
        "Training rows are out-of-fold ({}); the apparent (in-sample) figures are in record.json (training_predictions.apparent).",
        record.training_predictions.method
    ));
    table2.notes.push(format!(
        "AUC with DeLong 95% CI; accuracy, sensitivity, specificity, PPV and NPV at the Youden cut-off chosen on the training cohort, with {} 95% CIs.",
        match ev.proportion_ci {
            dlr_stats::BinomialCi::Wilson => "Wilson",
            dlr_stats::BinomialCi::ClopperPearson => "Clopper–Pearson",
        }
    ));
    // Test-cohort comparisons first (the ones a reader looks for), then training.
    let mut comparisons: Vec<&dlr_stats::Comparison> = ev.comparisons.iter().collect();
    comparisons.sort_by_key(|c| c.cohort.as_deref() != Some(TEST));
    let delong_rows: Vec<DelongRow> = comparisons
        .into_iter()
        .map(|c| DelongRow {
            cohort: c.cohort.clone().unwrap_or_default(),
            model_a: c.a.clone(),
            model_b: c.b.clone(),
            auc_a: c.auc_a,
            auc_b: c.auc_b,
            difference: Estimate::with_ci(c.difference, c.difference_ci[0], c.difference_ci[1]),
            p_value: c.p,
        })
        .collect();
    let table3 = dlr_report::delong_table("Paired DeLong comparisons of AUCs", &delong_rows);
    for (k, (name, t)) in [("table1", table1), ("table2", &table2), ("delong", &table3)]
        .into_iter()
        .enumerate()
    {
        let mut t = t.clone();
        t.caption = format!("Table {}. {}", k + 1, t.caption);
        for (ext, text) in [("csv", t.to_csv()?), ("md", t.to_markdown())] {
            let p = out.join(format!("{name}.{ext}"));
            dlr_report::write_atomic(&p, text.as_bytes())?;
            files.push(p);
        }
    }
    let mut b = ReportBuilder::new(&record.config.study.name).subtitle(&format!(
        "dlr {} — {} patients analysed ({} training, {} test)",
        record.version, record.cohort.included, record.cohort.train, record.cohort.test
    ));
    // Audit: the study audit is rendered as recorded; the mask-only deep baseline is a line of
    // this pipeline's own.
    b = b.audit(&record.audit);
    if let Some(m) = &record.mask_only_deep {
        b = b.audit_check(dlr_report::AuditCheck {
            name: "Mask-only deep baseline".into(),
            status: if m.warning.is_some() {
                dlr_report::AuditStatus::Warn
            } else {
                dlr_report::AuditStatus::Pass
            },
            detail: format!(
                "test: deep model AUC {:.3} vs the same pipeline on the binary {} mask alone {}",
                m.deep_model_auc,
                m.phase,
                dlr_report::fmt_ci(m.mask_only_auc, m.lower, m.upper)
            ),
        });
    }
    for w in &record.warnings {
        b = b.callout(dlr_report::Severity::Warning, w);
    }
    for (m, why) in &record.skipped_models {
        b = b.callout(
            dlr_report::Severity::Note,
            &format!("Model `{m}` not fitted: {why}"),
        );
    }
    if !record.cohort.excluded.is_empty() {
        b = b.callout(
            dlr_report::Severity::Warning,
            &format!(
                "{} patient(s) excluded: {}",
                record.cohort.excluded.len(),
                record
                    .cohort
                    .excluded
                    .iter()
                    .take(20)
                    .map(|e| format!("{} ({}: {})", e.patient, e.stage, e.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        );
    }
    b = b.heading("Cohorts").table(Some("table1"), table1.clone());
    b = b
        .heading("Model performance")
        .table(Some("table2"), table2.clone());
    if !delong_rows.is_empty() {
        b = b.table(Some("delong"), table3.clone());
    }
    // Figures.
    for cohort in [TRAIN, TEST] {
        let series: Vec<RocSeries> = models
            .iter()
            .filter_map(|m| {
                let c = ev.get(m, Some(cohort))?;
                let (auc, ci) = (c.auc?, c.auc_ci?);
                Some(RocSeries {
                    label: format!("{m} (AUC {})", dlr_report::fmt_ci(auc, ci[0], ci[1])),
                    fpr: c.roc.iter().map(|p| p[0]).collect(),
                    tpr: c.roc.iter().map(|p| p[1]).collect(),
                })
            })
            .collect();
        if series.is_empty() {
            continue;
        }
        let title = if cohort == TRAIN {
            "ROC curves, training cohort (out-of-fold)"
        } else {
            "ROC curves, test cohort"
        };
        let fig = dlr_report::roc_figure(title, &series)?;
        write_figure(&figdir, &format!("roc_{cohort}"), &fig, &mut files)?;
        b = b.figure(Some(&format!("roc_{cohort}")), &fig, title);
    }
    let cal: Vec<CalibrationSeries> = models
        .iter()
        .filter_map(|m| {
            let c = ev.get(m, Some(TEST))?.calibration.as_ref()?;
            Some(CalibrationSeries {
                label: format!("{m} (slope {:.2}, Brier {:.3})", c.slope, c.brier),
                groups: Vec::<CalibrationGroup>::new(),
                smooth_predicted: c.smooth_curve.iter().map(|p| p.predicted).collect(),
                smooth_observed: c
                    .smooth_curve
                    .iter()
                    .map(|p| p.observed.clamp(0.0, 1.0))
                    .collect(),
            })
        })
        .collect();
    if !cal.is_empty() {
        if let Ok(fig) = dlr_report::calibration_figure("Calibration, test cohort (lowess)", &cal) {
            write_figure(&figdir, "calibration_test", &fig, &mut files)?;
            b = b.figure(
                Some("calibration"),
                &fig,
                "Calibration curves in the test cohort (lowess-smoothed observed vs predicted).",
            );
        }
    }
    let test_curve = |m: &String| {
        ev.get(m, Some(TEST))
            .and_then(|e| e.decision_curve.as_ref())
    };
    let dca: Vec<(String, Vec<f64>)> = models
        .iter()
        .filter_map(|m| test_curve(m).map(|d| (m.clone(), d.net_benefit_model.clone())))
        .collect();
    if let Some(d) = models.iter().find_map(test_curve) {
        let mut series = dca.clone();
        series.push(("Treat all".into(), d.net_benefit_treat_all.clone()));
        series.push(("Treat none".into(), d.net_benefit_treat_none.clone()));
        if let Ok(fig) = dlr_report::decision_curve_figure(
            "Decision curves, test cohort",
            &d.thresholds,
            &series,
        ) {
            write_figure(&figdir, "decision_curve_test", &fig, &mut files)?;
            b = b.figure(
                Some("dca"),
                &fig,
                "Net benefit of each model against treat-all and treat-none in the test cohort.",
            );
        }
    }
    if let Some(rad) = record.selection.get("radiomics") {
        if let Some(l) = &rad.lasso {
            let cv = dlr_report::LassoCvCurve {
                log_lambda: l.log_lambda.clone(),
                cvm: l.cvm.clone(),
                cvsd: l.cvsd.clone(),
                log_lambda_min: l.log_lambda[l.index_min],
                log_lambda_1se: l.log_lambda[l.index_1se],
                measure: "Binomial deviance".into(),
                n_nonzero: Some(l.nzero.clone()),
            };
            if let Ok(fig) =
                dlr_report::lasso_cv_figure("LASSO 10-fold cross-validation (radiomics)", &cv)
            {
                write_figure(&figdir, "lasso_cv", &fig, &mut files)?;
                b = b.figure(Some("lasso_cv"), &fig, "Cross-validated deviance along the LASSO path; dotted lines at lambda.min and lambda.1se.");
            }
            if !l.paths.is_empty() {
                if let Ok(fig) = dlr_report::coefficient_path_figure(
                    "LASSO coefficient paths",
                    &l.log_lambda,
                    &l.paths,
                ) {
                    write_figure(&figdir, "lasso_path", &fig, &mut files)?;
                    b = b.figure(
                        Some("lasso_path"),
                        &fig,
                        "LASSO coefficient paths of the radiomics features that enter the model.",
                    );
                }
            }
        }
        b = coefficient_figure(
            b,
            &figdir,
            &mut files,
            ("coef", "radscore_coefficients"),
            "Selected radiomics features (LASSO coefficients)",
            "Coefficients of the rad-score features (z-scored inputs).",
            &rad.coefficients,
        )?;
    }
    if let Some(f) = &record.rad_score {
        b = b.heading("Rad-score").paragraph(f);
    }
    if let Some(deep) = record.selection.get("deep") {
        if !deep.coefficients.is_empty() {
            b = coefficient_figure(
                b.heading("Deep score"),
                &figdir,
                &mut files,
                ("deepcoef", "deep_coefficients"),
                "Selected deep features (LASSO coefficients)",
                "Coefficients of the deep features kept by the same selection chain (ICC, z-score, Mann–Whitney, correlation, LASSO-CV).",
                &deep.coefficients,
            )?;
            if let Some(f) = &record.deep_score {
                b = b.paragraph(f);
            }
        }
    }
    b = b.heading("Combined model");
    b = match &record.combined_model {
        Some(c) => {
            let terms: Vec<String> = c["coefficients"]
                .as_array()
                .map(|rows| {
                    rows.iter()
                        .map(|r| {
                            format!(
                                "{} {:.3} (OR {:.2}, 95% CI {:.2}–{:.2}, p = {})",
                                r["name"].as_str().unwrap_or(""),
                                r["coef"].as_f64().unwrap_or(f64::NAN),
                                r["odds_ratio"].as_f64().unwrap_or(f64::NAN),
                                r["or_lower"].as_f64().unwrap_or(f64::NAN),
                                r["or_upper"].as_f64().unwrap_or(f64::NAN),
                                dlr_report::fmt_p(r["p"].as_f64().unwrap_or(f64::NAN))
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            b.paragraph(&format!(
                "Stack of {} ({}): logistic meta-model on the logits of the members' out-of-fold probabilities; coefficients: {}.",
                record.combined_members.join(" + "),
                if record.combined_members.iter().any(|m| m == "deep")
                    && record.combined_members.iter().any(|m| m == "radiomics")
                {
                    "the deep learning radiomics model"
                } else {
                    "as configured in [models] combined"
                },
                terms.join("; ")
            ))
        }
        None => b.paragraph(&format!(
            "Not fitted (members {}): {}.",
            record.combined_members.join(" + "),
            record
                .skipped_models
                .get("combined")
                .map(String::as_str)
                .unwrap_or("switched off")
        )),
    };
    b = b.heading("Feature selection");
    for (family, s) in &record.selection {
        let mut steps = vec![format!("{} features", s.n_features)];
        if let Some(i) = &s.icc {
            steps.push(format!("ICC → {}", i.n_kept));
        }
        for st in &s.steps {
            steps.push(format!("{} → {}", st.step, st.n_kept));
        }
        b = b.paragraph(&format!("{family}: {}.", steps.join(", ")));
    }
    b = b.heading("Missing data");
    for m in &record.missing_data {
        b = b.paragraph(m);
    }
    b = b.provenance(dlr_report::Provenance {
        software: format!("dlr {}", record.version),
        created: None,
        command: Some("dlr run".into()),
        versions: vec![("dlr".into(), record.version.clone())],
        seeds: record.seeds.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        input_hashes: record
            .input_hashes
            .iter()
            .take(50)
            .map(|(p, h)| (p.display().to_string(), h.clone()))
            .collect(),
        settings: serde_json::to_value(&record.config).unwrap_or(serde_json::Value::Null),
    });
    let html = b.build()?;
    let p = out.join("report.html");
    dlr_report::write_atomic(&p, html.as_bytes())?;
    files.push(p);
    Ok(files)
}
