//! Report tests: every section present in order, user strings escaped (no injected script),
//! numbered cross-references resolved, bad references and duplicate keys rejected, audit flags
//! derived from the audit numbers, and the page renders in headless Chromium when installed.

use dlr_audit::{
    BaselineResult, CohortSize, DuplicateSummary, LeakageCheckResult, ShapeOnlySummary, StudyAudit,
    DEFAULT_SHAPE_MARGIN,
};
use dlr_report::*;

const EVIL: &str = "<script>alert('x')</script>";

fn shape_only(model_auc: f64, shape_auc: f64) -> ShapeOnlySummary {
    ShapeOnlySummary::new(
        "Validation",
        model_auc,
        BaselineResult {
            model: "random forest".into(),
            n_features: 10,
            n_train: 200,
            n_test: 90,
            auc: shape_auc,
            lower: shape_auc - 0.1,
            upper: shape_auc + 0.1,
            level: 0.95,
        },
        DEFAULT_SHAPE_MARGIN,
    )
}

fn audit() -> StudyAudit {
    let mut a = StudyAudit::new(
        vec![
            CohortSize {
                name: "Training".into(),
                patients: 200,
                events: 70,
            },
            CohortSize {
                name: "Validation".into(),
                patients: 90,
                events: 30,
            },
        ],
        Some(8),
    );
    a.duplicates = Some(DuplicateSummary {
        n_images: 290,
        near_threshold: 0.98,
        exact_pairs: 0,
        near_pairs: 0,
        conflicting_pairs: 0,
        straddling_pairs: Some(0),
        clusters: 0,
        findings: vec![],
    });
    a.shape_only = Some(shape_only(0.80, 0.79));
    a.leakage_checks = vec![
        LeakageCheckResult {
            name: "selection inside training folds".into(),
            passed: true,
            detail: String::new(),
        },
        LeakageCheckResult {
            name: format!("patient overlap {EVIL}"),
            passed: true,
            detail: String::new(),
        },
    ];
    // Everything but items 18 and 24 covered: 25 of 27.
    for t in a.tripod_ai.iter_mut() {
        t.covered = !["18", "24"].contains(&t.item.as_str());
    }
    a
}

fn full_report() -> ReportBuilder {
    let roc = roc_figure(
        "ROC",
        &[RocSeries {
            label: format!("Model {EVIL}"),
            fpr: vec![0.0, 0.2, 1.0],
            tpr: vec![0.0, 0.7, 1.0],
        }],
    )
    .expect("roc");
    let t1 = Table {
        caption: format!("Baseline {EVIL}"),
        header: vec!["Characteristic".into(), "Training".into()],
        rows: vec![vec!["Age".into(), "56.2 ± 10.0".into()]],
        notes: vec![],
    };
    let t2 = Table {
        caption: "Performance".into(),
        header: vec!["Model".into()],
        rows: vec![vec!["Combined".into()]],
        notes: vec![],
    };
    ReportBuilder::new(&format!("Study {EVIL}"))
        .subtitle("Validation run")
        .audit(&audit())
        .heading("Methods")
        .methods(MethodsSettings {
            images: vec!["grey-scale US".into(), "AP".into(), "PP".into()],
            readers: Some(2),
            icc_threshold: Some(0.75),
            lasso_folds: Some(10),
            lasso_rule: Some("λ_1se".into()),
            models: vec!["random forest".into(), "logistic regression".into()],
            auc_ci_method: Some("DeLong's method".into()),
            seed: Some(42),
            software: "dlradiomics 0.1.0".into(),
            ..Default::default()
        })
        .heading("Results")
        .paragraph(&format!(
            "See {{table:t2}} and {{figure:roc}}; baseline in {{table:t1}}. {EVIL}"
        ))
        .table(Some("t1"), t1)
        .table(Some("t2"), t2)
        .rad_score(RadScoreFormula {
            name: "Rad-score".into(),
            intercept: -0.5,
            terms: vec![
                ("AP_glcm_Contrast".into(), 0.61234),
                (format!("f{EVIL}"), -0.2),
            ],
            note: None,
        })
        .figure(
            Some("roc"),
            &roc,
            "ROC curve in the validation cohort ({figure:roc}).",
        )
        .callout(Severity::Warning, EVIL)
        .provenance(Provenance {
            software: "dlradiomics 0.1.0".into(),
            created: Some("2026-11-27T08:00:00Z".into()),
            command: Some("dlr run study.toml".into()),
            versions: vec![("rustc".into(), "1.95".into())],
            seeds: vec![("cv".into(), 42)],
            input_hashes: vec![("clinical.csv".into(), "ab12".into())],
            settings: serde_json::json!({"note": EVIL, "icc": 0.75}),
        })
}

#[test]
fn report_has_every_section_in_order_and_no_injected_script() {
    let html = full_report().build().expect("build");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.to_lowercase().contains("<script"),
        "user text must be escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    let order = [
        "<h1>Study &lt;script&gt;",
        "id=\"study-audit\"",
        "<h2>Methods</h2>",
        "<p class=\"methods\">",
        "<h2>Results</h2>",
        "See Table 2 and Figure 1; baseline in Table 1.",
        "<span class=\"num\">Table 1.</span> Baseline &lt;script&gt;",
        "<span class=\"num\">Table 2.</span> Performance",
        "<pre class=\"formula\">Rad-score = −0.5000\n    + 0.6123 × AP_glcm_Contrast\n    − 0.2000 × f&lt;script&gt;",
        "<figure class=\"dlr-figure\">\n<svg",
        "<span class=\"num\">Figure 1.</span> ROC curve in the validation cohort (Figure 1).",
        "<div class=\"callout warning\">",
        "id=\"provenance\"",
        "<details><summary>Settings (JSON)</summary>",
    ];
    let mut at = 0;
    for needle in order {
        let pos = html[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("missing or out of order: {needle}"));
        at += pos + needle.len();
    }
    // self-contained: no external resources
    for bad in [
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "@font-face",
    ] {
        assert!(!html.contains(bad), "external resource: {bad}");
    }
    assert!(
        html.contains("&quot;note&quot;: &quot;&lt;script&gt;"),
        "settings JSON escaped"
    );
    assert!(html.contains("Seed: cv</dt><dd>42</dd>"));
}

#[test]
fn report_build_is_deterministic() {
    assert_eq!(
        full_report().build().expect("a"),
        full_report().build().expect("b")
    );
}

#[test]
fn unknown_and_duplicate_references_are_errors() {
    let e = ReportBuilder::new("x")
        .paragraph("see {table:nope}")
        .build()
        .expect_err("unknown key");
    assert!(e.to_string().contains("{table:nope}"), "{e}");
    let t = Table::default();
    let e = ReportBuilder::new("x")
        .table(Some("a"), t.clone())
        .table(Some("a"), t)
        .build()
        .expect_err("dup");
    assert!(e.to_string().contains("table key 'a' used twice"), "{e}");
    // braces that are not references stay as they are
    let html = ReportBuilder::new("x")
        .paragraph("set {a, b} and {table")
        .build()
        .expect("ok");
    assert!(html.contains("set {a, b} and {table"));
}

#[test]
fn audit_flags_follow_the_numbers() {
    let checks = audit_checks(&audit());
    let status = |name: &str| {
        checks
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .status
    };
    // 70 events in 200 training patients, 8 features: 8.75 events per feature -> WARN
    assert_eq!(status("Events per selected feature"), AuditStatus::Warn);
    let epv = checks
        .iter()
        .find(|c| c.name == "Events per selected feature")
        .expect("epv");
    assert!(
        epv.detail
            .starts_with("8.8 (70 in the smaller outcome class"),
        "{}",
        epv.detail
    );
    assert_eq!(status("Duplicate images or patients"), AuditStatus::Pass);
    assert_eq!(
        status("Shape-only baseline"),
        AuditStatus::Warn,
        "0.80 vs 0.79 is within the audit's margin"
    );
    assert_eq!(status("Duplicate audit"), AuditStatus::Info);
    let tripod = checks
        .iter()
        .find(|c| c.name == "TRIPOD+AI items covered")
        .expect("tripod");
    assert!(
        tripod.detail.starts_with("25/27; not covered: 18 "),
        "{}",
        tripod.detail
    );
    assert_eq!(status("Leakage checks"), AuditStatus::Pass);
    assert_eq!(status("TRIPOD+AI items covered"), AuditStatus::Warn);
    let mut a = audit();
    a.selected_features = Some(5);
    a.leakage_checks[0].passed = false;
    a.shape_only = Some(shape_only(0.80, 0.70));
    if let Some(d) = a.duplicates.as_mut() {
        d.straddling_pairs = Some(1);
    }
    let c = audit_checks(&a);
    let st = |n: &str| c.iter().find(|x| x.name == n).expect("check").status;
    assert_eq!(
        st("Events per selected feature"),
        AuditStatus::Pass,
        "70/5 = 14"
    );
    assert_eq!(st("Leakage checks"), AuditStatus::Fail);
    assert_eq!(
        st("Shape-only baseline"),
        AuditStatus::Pass,
        "0.10 above the baseline"
    );
    assert_eq!(
        st("Duplicate audit"),
        AuditStatus::Warn,
        "a pair straddles the split"
    );
    let html = ReportBuilder::new("t")
        .audit(&a)
        .audit_check(AuditCheck {
            name: "Mask-only deep baseline".into(),
            status: AuditStatus::Pass,
            detail: "caller's own line".into(),
        })
        .build()
        .expect("build");
    assert!(html.contains("<td>Mask-only deep baseline</td><td>caller&#39;s own line</td>"));
    assert!(html.contains("Overall: <span class=\"badge fail\">FAIL</span>"));
    assert!(
        html.contains("<span class=\"badge pass\">PASS</span></td><td>Events per selected feature")
    );
    let none = ReportBuilder::new("t").build().expect("build");
    assert!(none.contains("No audit summary was supplied"));
    // A caller's line without a study audit is still shown, under an overall WARN.
    let extra_only = ReportBuilder::new("t")
        .audit_check(AuditCheck {
            name: "extra".into(),
            status: AuditStatus::Pass,
            detail: "d".into(),
        })
        .build()
        .expect("build");
    assert!(extra_only.contains("Overall: <span class=\"badge warn\">WARN</span>"));
    assert!(extra_only.contains("<td>extra</td>"));
}

#[test]
fn methods_paragraph_reads_from_settings() {
    let m = MethodsSettings {
        images: vec!["grey-scale US".into(), "AP".into(), "PP".into()],
        readers: Some(2),
        icc_threshold: Some(0.75),
        lasso_folds: Some(10),
        models: vec![
            "random forest".into(),
            "SVM".into(),
            "logistic regression".into(),
        ],
        software: "dlradiomics 0.1.0".into(),
        seed: Some(7),
        ..Default::default()
    };
    let t = m.to_text();
    assert!(t.starts_with("For each patient, 3 images were analysed (grey-scale US, AP, and PP), with the tumour region of interest delineated by 2 readers."), "{t}");
    assert!(t.contains("intraclass correlation coefficient > 0.75"));
    assert!(t.contains("LASSO logistic regression with 10-fold cross-validation"));
    assert!(t.contains("Models were built with random forest, SVM, and logistic regression."));
    assert!(
        t.ends_with("Analyses were run with dlradiomics 0.1.0 (random seed 7)."),
        "{t}"
    );
}

/// Opens the report in headless Chromium and checks a screenshot has content; skipped loudly
/// when no Chromium is installed.
#[test]
fn report_renders_in_headless_chromium() {
    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("SKIPPED: report_renders_in_headless_chromium: no chromium on PATH (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let html_path = dir.path().join("report.html");
    write_atomic(&html_path, full_report().build().expect("build").as_bytes()).expect("write");
    let shot = dir.path().join("shot.png");
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1000,2400",
            &format!("--screenshot={}", shot.display()),
            &format!("file://{}", html_path.display()),
        ])
        .output()
        .expect("run chromium");
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&shot).expect("screenshot decodes").to_rgba8();
    let dark = img
        .pixels()
        .filter(|p| p.0[0] < 128 && p.0[1] < 128 && p.0[2] < 128)
        .count();
    assert!(dark > 5_000, "page looks blank: {dark} dark pixels");
    // the PASS badge green (0, 158, 115) is painted
    let green = img
        .pixels()
        .filter(|p| {
            (p.0[0] as i32) < 30
                && (p.0[1] as i32 - 158).abs() < 25
                && (p.0[2] as i32 - 115).abs() < 25
        })
        .count();
    assert!(green > 50, "badges not rendered: {green}");
    if let Ok(keep) = std::env::var("DLR_REPORT_SCREENSHOT") {
        let _ = std::fs::copy(&shot, keep);
    }
}
