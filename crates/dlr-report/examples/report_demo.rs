//! Renders every figure (SVG and PNG) and a demo report into the folder given as the first
//! argument, for looking at the output: `cargo run -p dlr-report --example report_demo -- /tmp/out`.
//! The numbers are illustrative only (hand-made curves), not results.

use dlr_report::*;
use std::path::PathBuf;

fn roc_points(shift: f64) -> (Vec<f64>, Vec<f64>) {
    // a smooth binormal-like curve tpr = fpr^(1/(1+shift)), sampled as a step path
    let mut f = vec![0.0];
    let mut t = vec![0.0];
    for k in 1..=20 {
        let x = k as f64 / 20.0;
        let y = x.powf(1.0 / (1.0 + shift));
        f.push(f[f.len() - 1]);
        t.push(y);
        f.push(x);
        t.push(y);
    }
    (f, t)
}

fn main() -> Result<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "report-demo".into()),
    );
    std::fs::create_dir_all(&out).map_err(|e| ReportError::Io {
        action: "create folder",
        path: out.clone(),
        source: e,
    })?;
    let (f1, t1) = roc_points(2.0);
    let (f2, t2) = roc_points(1.0);
    let (f3, t3) = roc_points(3.5);
    let roc = roc_figure(
        "ROC curves, validation cohort",
        &[
            RocSeries {
                label: "Radiomics (AUC 0.76, 95% CI 0.65–0.87)".into(),
                fpr: f1,
                tpr: t1,
            },
            RocSeries {
                label: "Clinical (AUC 0.67, 95% CI 0.55–0.79)".into(),
                fpr: f2,
                tpr: t2,
            },
            RocSeries {
                label: "Combined (AUC 0.82, 95% CI 0.73–0.91)".into(),
                fpr: f3,
                tpr: t3,
            },
        ],
    )?;
    let groups = |b: f64| -> Vec<CalibrationGroup> {
        (0..8)
            .map(|k| {
                let p = 0.08 + 0.11 * k as f64;
                let o = (p + b * (p - 0.5)).clamp(0.0, 1.0);
                CalibrationGroup {
                    predicted: p,
                    observed: o,
                    ci_low: (o - 0.12).max(0.0),
                    ci_high: (o + 0.12).min(1.0),
                }
            })
            .collect()
    };
    let smooth: Vec<f64> = (0..=20).map(|k| 0.05 + 0.045 * k as f64).collect();
    let cal = calibration_figure(
        "Calibration, validation cohort",
        &[
            CalibrationSeries {
                label: "Radiomics".into(),
                groups: groups(0.15),
                smooth_predicted: smooth.clone(),
                smooth_observed: smooth
                    .iter()
                    .map(|p| (p + 0.15 * (p - 0.5)).clamp(0.0, 1.0))
                    .collect(),
            },
            CalibrationSeries {
                label: "Combined".into(),
                groups: groups(-0.1),
                smooth_predicted: smooth.clone(),
                smooth_observed: smooth
                    .iter()
                    .map(|p| (p - 0.1 * (p - 0.5)).clamp(0.0, 1.0))
                    .collect(),
            },
        ],
    )?;
    let th: Vec<f64> = (1..=99).map(|k| k as f64 / 100.0).collect();
    let prev = 0.35;
    let all: Vec<f64> = th
        .iter()
        .map(|t| prev - (1.0 - prev) * t / (1.0 - t))
        .collect();
    let model: Vec<f64> = th
        .iter()
        .map(|t| (prev * 0.85 - 0.65 * 0.3 * t / (1.0 - t) * (1.0 - t).powi(2)).max(-0.02))
        .collect();
    let dca = decision_curve_figure(
        "Decision curves, validation cohort",
        &th,
        &[
            ("Combined".into(), model),
            ("Treat all".into(), all),
            ("Treat none".into(), vec![0.0; th.len()]),
        ],
    )?;
    let ll: Vec<f64> = (0..40).map(|k| -1.0 - 0.15 * k as f64).collect();
    let cvm: Vec<f64> = ll.iter().map(|l| 1.0 + 0.03 * (l + 3.5).powi(2)).collect();
    let cv = LassoCvCurve {
        log_lambda: ll.clone(),
        cvm,
        cvsd: vec![0.05; 40],
        log_lambda_min: -3.55,
        log_lambda_1se: -2.65,
        measure: "Binomial deviance".into(),
        n_nonzero: Some((0..40).map(|k| k / 2).collect()),
    };
    let lasso = lasso_cv_figure("LASSO 10-fold cross-validation", &cv)?;
    let names = [
        "AP_glcm_Contrast",
        "PP_firstorder_Entropy",
        "US_glszm_SmallAreaEmphasis",
        "deep_1432",
        "AP_shape_Perimeter",
        "PP_gldm_DependenceVariance",
        "US_ngtdm_Busyness",
        "deep_0077",
        "AP_glrlm_RunEntropy",
    ];
    let paths: Vec<(String, Vec<f64>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let onset = -1.5 - 0.4 * i as f64;
            let sign = if i % 3 == 0 { -1.0 } else { 1.0 };
            (
                n.to_string(),
                ll.iter()
                    .map(|l| {
                        if *l < onset {
                            sign * 0.12 * (onset - l) * (1.0 + i as f64 * 0.1)
                        } else {
                            0.0
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    let path_fig = coefficient_path_figure("LASSO coefficient paths", &ll, &paths)?;
    let coefs: Vec<(String, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                n.to_string(),
                if i % 3 == 0 {
                    -0.1 * (i + 1) as f64
                } else {
                    0.07 * (i + 1) as f64
                },
            )
        })
        .collect();
    let bars = coefficient_bars_figure("Selected features", &coefs)?;
    let figs = [
        ("roc", &roc),
        ("calibration", &cal),
        ("dca", &dca),
        ("lasso_cv", &lasso),
        ("paths", &path_fig),
        ("bars", &bars),
    ];
    for (name, fig) in figs {
        write_atomic(&out.join(format!("{name}.svg")), fig.to_svg().as_bytes())?;
        write_atomic(
            &out.join(format!("{name}.png")),
            &fig.to_png((fig.width * 2.0) as u32, (fig.height * 2.0) as u32)?,
        )?;
    }
    let mut audit = dlr_audit::StudyAudit::new(
        vec![
            dlr_audit::CohortSize {
                name: "Training".into(),
                patients: 210,
                events: 74,
            },
            dlr_audit::CohortSize {
                name: "Validation".into(),
                patients: 90,
                events: 31,
            },
        ],
        Some(9),
    );
    audit.shape_only = Some(dlr_audit::ShapeOnlySummary::new(
        "Validation",
        0.82,
        dlr_audit::BaselineResult {
            model: "random forest, 500 trees".into(),
            n_features: 10,
            n_train: 210,
            n_test: 90,
            auc: 0.64,
            lower: 0.52,
            upper: 0.76,
            level: 0.95,
        },
        dlr_audit::DEFAULT_SHAPE_MARGIN,
    ));
    audit.leakage_checks = [
        "feature selection inside training folds",
        "no patient in two cohorts",
    ]
    .iter()
    .map(|n| dlr_audit::LeakageCheckResult {
        name: n.to_string(),
        passed: true,
        detail: String::new(),
    })
    .collect();
    let t1 = baseline_table(
        "Baseline characteristics",
        &["Training (n = 210)".into(), "Validation (n = 90)".into()],
        &[
            BaselineRow {
                variable: "Age, years".into(),
                values: vec![fmt_mean_sd(56.2, 10.1, 1), fmt_mean_sd(55.0, 11.3, 1)],
                p_value: Some(0.38),
            },
            BaselineRow {
                variable: "Male sex".into(),
                values: vec![fmt_count_pct(170, 210), fmt_count_pct(71, 90)],
                p_value: Some(0.72),
            },
            BaselineRow {
                variable: "AFP > 400 ng/mL".into(),
                values: vec![fmt_count_pct(61, 210), fmt_count_pct(25, 90)],
                p_value: Some(0.83),
            },
        ],
    );
    let perf = performance_table(
        "Performance of the models",
        &[PerformanceRow {
            model: "Combined".into(),
            cohort: "Validation".into(),
            auc: Estimate::with_ci(0.8213, 0.7302, 0.9124),
            accuracy: Estimate::point(0.7667),
            sensitivity: Estimate::point(0.7419),
            specificity: Estimate::point(0.7797),
            ppv: Estimate::point(0.6389),
            npv: Estimate::point(0.8519),
        }],
    );
    let dl = delong_table(
        "Pairwise comparison of AUCs",
        &[DelongRow {
            cohort: "Validation".into(),
            model_a: "Combined".into(),
            model_b: "Clinical".into(),
            auc_a: 0.821,
            auc_b: 0.671,
            difference: Estimate::with_ci(0.150, 0.041, 0.259),
            p_value: 0.007,
        }],
    );
    let html = ReportBuilder::new("Early recurrence of HCC after resection: CEUS radiomics")
        .subtitle("Demo report with illustrative numbers")
        .audit(&audit)
        .heading("Methods")
        .methods(MethodsSettings {
            images: vec!["grey-scale ultrasound".into(), "arterial-phase CEUS".into(), "portal-phase CEUS".into()],
            readers: Some(2),
            handcrafted: Some("the MaZda 2D set and IBSI-compliant feature families".into()),
            discretisation: Some("a fixed bin number of 64".into()),
            deep_backbone: Some("an ImageNet-pretrained ResNet-50 (2048 pooled features per image)".into()),
            icc_threshold: Some(0.75),
            mann_whitney_alpha: Some(0.05),
            correlation_threshold: Some(0.9),
            lasso_folds: Some(10),
            lasso_rule: Some("λ_1se".into()),
            models: vec!["random forest".into(), "support vector machine".into(), "logistic regression".into(), "stacking".into()],
            auc_ci_method: Some("DeLong's method".into()),
            seed: Some(20240601),
            software: "dlradiomics 0.1.0".into(),
        })
        .heading("Results")
        .paragraph("Baseline characteristics are in {table:t1}; model performance in {table:perf} and {figure:roc}.")
        .table(Some("t1"), t1)
        .table(Some("perf"), perf)
        .table(Some("delong"), dl)
        .rad_score(RadScoreFormula { name: "Rad-score".into(), intercept: -0.4123, terms: coefs.clone(), note: Some("Features z-scored with training-cohort mean and SD.".into()) })
        .figure(Some("roc"), &roc, "ROC curves of the three models in the validation cohort.")
        .figure(Some("cal"), &cal, "Calibration curves with 95% CIs of the observed proportions.")
        .figure(Some("dca"), &dca, "Decision curves.")
        .figure(Some("cv"), &lasso, "LASSO cross-validation.")
        .figure(Some("paths"), &path_fig, "LASSO coefficient paths.")
        .figure(Some("bars"), &bars, "Coefficients of the selected features.")
        .callout(Severity::Warning, "Illustrative numbers only.")
        .provenance(Provenance {
            software: "dlradiomics 0.1.0".into(),
            created: Some("2026-11-27T08:00:00Z".into()),
            command: Some("dlr run study.toml".into()),
            versions: vec![("dlr-report".into(), env!("CARGO_PKG_VERSION").into())],
            seeds: vec![("cross-validation".into(), 20240601)],
            input_hashes: vec![("clinical.csv".into(), "3f7a…".into())],
            settings: serde_json::json!({"selection": {"icc": 0.75, "lasso_folds": 10}}),
        })
        .build()?;
    write_atomic(&out.join("report.html"), html.as_bytes())?;
    println!("wrote figures and report.html to {}", out.display());
    Ok(())
}
