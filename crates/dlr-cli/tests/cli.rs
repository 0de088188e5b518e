//! Tests of the `dlr` binary itself: exit codes, output shapes and messages of the subcommands.

use std::process::Command;

fn dlr() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dlr"))
}

/// Simulates a two-patient cohort into `dir/c` and returns that folder.
fn simulate_two_patients(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("c");
    assert!(dlr()
        .args(["simulate", "--patients", "2", "--seed", "1", "--out"])
        .arg(&out)
        .status()
        .unwrap()
        .success());
    out
}

#[test]
fn simulate_then_validate_is_clean_and_a_broken_copy_is_not() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("c");
    let s = dlr()
        .args(["simulate", "--patients", "12", "--seed", "3", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let v = dlr()
        .args(["validate", "--manifest"])
        .arg(out.join("manifest.csv"))
        .arg("--clinical")
        .arg(out.join("clinical.csv"))
        .args(["--outcome", "recurrence_1y"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&v.stdout);
    assert_eq!(v.status.code(), Some(0), "{text}");
    assert!(
        text.contains("12 patients") && text.contains("0 errors"),
        "{text}"
    );
    // Remove one image: exactly that problem is reported, exit code 1.
    std::fs::remove_file(out.join("images/P003_AP.png")).unwrap();
    let v = dlr()
        .args(["validate", "--manifest"])
        .arg(out.join("manifest.csv"))
        .arg("--clinical")
        .arg(out.join("clinical.csv"))
        .args(["--outcome", "recurrence_1y", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    let problems = j["problems"].as_array().unwrap();
    assert!(!problems.is_empty());
    assert!(
        problems.iter().all(|p| p["patient"] == "P003"),
        "{problems:?}"
    );
}

#[test]
fn extract_one_roi_prints_the_mazda_set() {
    let d = tempfile::tempdir().unwrap();
    let out = simulate_two_patients(d.path());
    let e = dlr()
        .args(["extract", "--preset", "mazda", "--image"])
        .arg(out.join("images/P001_US.png"))
        .arg("--mask")
        .arg(out.join("masks/P001_US_r1.png"))
        .output()
        .unwrap();
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let j: serde_json::Value = serde_json::from_slice(&e.stdout).unwrap();
    let m = j.as_object().unwrap();
    assert_eq!(
        m.len(),
        dlr_mazda::feature_names(&dlr_mazda::MazdaSettings::default()).len()
    );
    for name in [
        "Mean",
        "Perc.50%",
        "S(1,0)Correlat",
        "GrSkewness",
        "Teta2",
        "135dr_GLevNonU",
    ] {
        assert!(m.contains_key(name), "{name} missing");
    }
    let bad = dlr()
        .args(["extract", "--preset", "nope", "--image", "a", "--mask", "b"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // Parsing rejects the value and lists the valid ones.
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("'nope'") && msg.contains("mazda, ibsi, pyradiomics"),
        "{msg}"
    );
}

#[test]
fn names_ibsi_prints_ibsi_tags_and_is_refused_for_other_presets() {
    let d = tempfile::tempdir().unwrap();
    let out = simulate_two_patients(d.path());
    let img = out.join("images/P001_US.png");
    let mask = out.join("masks/P001_US_r1.png");
    let e = dlr()
        .args(["extract", "--preset", "ibsi", "--names", "ibsi", "--image"])
        .arg(&img)
        .arg("--mask")
        .arg(&mask)
        .output()
        .unwrap();
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let j: serde_json::Value = serde_json::from_slice(&e.stdout).unwrap();
    let m = j.as_object().unwrap();
    // Tags of the IBSI reference tables (2D aggregation is the ibsi preset's default).
    for tag in [
        "stat_mean",
        "cm_joint_max_2D_avg",
        "rlm_sre_2D_avg",
        "szm_sze_2D",
    ] {
        assert!(m.contains_key(tag), "{tag} missing");
    }
    let bad = dlr()
        .args([
            "extract",
            "--preset",
            "pyradiomics",
            "--names",
            "ibsi",
            "--image",
        ])
        .arg(&img)
        .arg("--mask")
        .arg(&mask)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("--preset ibsi") && msg.contains("ibsi_codes"),
        "{msg}"
    );
    let bad = dlr()
        .args(["extract", "--names", "radiomics", "--image"])
        .arg(&img)
        .arg("--mask")
        .arg(&mask)
        .output()
        .unwrap();
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(
        msg.contains("'radiomics'") && msg.contains("mazda, ibsi, pyradiomics"),
        "{msg}"
    );
}

#[test]
fn busi_development_set_validates_clean() {
    let Some(shared) = dlr_testutil::shared_dir() else {
        dlr_testutil::skip(
            "busi_development_set_validates_clean",
            "../shared/data/busi",
        );
        return;
    };
    let v = dlr()
        .args(["validate", "--layout", "busi", "--manifest"])
        .arg(shared.join("data/busi/manifest.csv"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&v.stdout);
    assert_eq!(v.status.code(), Some(0), "{text}");
    assert!(
        text.contains("455 patients") && text.contains("outcome 145/310"),
        "{text}"
    );
}

#[test]
fn evaluate_prints_the_documented_json() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("p.csv");
    std::fs::write(
        &p,
        "id,cohort,label,a,b\n1,train,1,0.9,0.6\n2,train,0,0.2,0.4\n3,train,1,0.7,0.3\n4,train,0,0.4,0.5\n5,train,1,0.8,0.7\n6,train,0,0.1,0.2\n7,test,1,0.6,0.8\n8,test,0,0.3,0.1\n9,test,1,0.75,0.45\n10,test,0,0.35,0.5\n",
    )
    .unwrap();
    let e = dlr()
        .args(["evaluate", "--predictions"])
        .arg(&p)
        .args([
            "--label", "label", "--score", "a", "--score", "b", "--cohort", "cohort", "--train",
            "train",
        ])
        .output()
        .unwrap();
    assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    let j: serde_json::Value = serde_json::from_slice(&e.stdout).unwrap();
    let s = j["scores"].as_array().unwrap();
    // Score a separates the training cohort perfectly: AUC 1.
    let a_train = s
        .iter()
        .find(|x| x["score"] == "a" && x["cohort"] == "train")
        .unwrap();
    assert_eq!(a_train["auc"].as_f64().unwrap(), 1.0);
    assert!(a_train["youden"]["threshold"].is_number());
    assert_eq!(
        j["comparisons"].as_array().map(|c| !c.is_empty()),
        Some(true)
    );
}

#[test]
fn extract_manifest_to_parquet_writes_the_csv_table_and_column_codes() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("c");
    assert!(dlr()
        .args(["simulate", "--patients", "2", "--seed", "5", "--out"])
        .arg(&out)
        .status()
        .unwrap()
        .success());
    let run = |table: &std::path::Path| {
        let e = dlr()
            .args(["extract", "--preset", "pyradiomics", "--manifest"])
            .arg(out.join("manifest.csv"))
            .arg("--out")
            .arg(table)
            .output()
            .unwrap();
        assert!(e.status.success(), "{}", String::from_utf8_lossy(&e.stderr));
    };
    let csv_path = d.path().join("f.csv");
    let pq_path = d.path().join("f.parquet");
    run(&csv_path);
    run(&pq_path);
    // The Parquet file is the CSV's table (the writer itself is checked against pyarrow in
    // dlr-pipeline's tests): rebuild it from the CSV and compare the bytes.
    let text = std::fs::read_to_string(&csv_path).unwrap();
    assert!(!text.contains('"'), "plain CSV expected");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(!rows.is_empty() && header[..2] == ["patient_id", "reader"]);
    let columns: Vec<dlr_pipeline::parquet::ParquetColumn> = header
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let cells = rows.iter().map(|r| r[j]);
            if j < 2 {
                dlr_pipeline::parquet::ParquetColumn::utf8(*name, cells.map(String::from).collect())
            } else {
                dlr_pipeline::parquet::ParquetColumn::f64(
                    *name,
                    cells
                        .map(|c| {
                            if c.is_empty() {
                                f64::NAN
                            } else {
                                c.parse().unwrap()
                            }
                        })
                        .collect(),
                )
            }
        })
        .collect();
    let bytes = std::fs::read(&pq_path).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
    let created_by = concat!("dlradiomics version ", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        bytes,
        dlr_pipeline::parquet::encode(&columns, created_by).unwrap()
    );
    // Provenance beside it maps columns to IBSI codes.
    let prov: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(d.path().join("f.parquet.provenance.json")).unwrap(),
    )
    .unwrap();
    let phase = header[2].split('_').next().unwrap();
    assert_eq!(
        prov["ibsi_codes"][format!("{phase}_original_glcm_Contrast")],
        "ACUI"
    );
    assert!(prov["ibsi_codes"]
        .get(format!("{phase}_original_firstorder_Kurtosis"))
        .is_none());
    // Other extensions are refused.
    let bad = dlr()
        .args(["extract", "--preset", "ibsi", "--manifest"])
        .arg(out.join("manifest.csv"))
        .arg("--out")
        .arg(d.path().join("f.xlsx"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".csv or .parquet"));
}

/// A 20-patient study cannot fill 10 LASSO folds: `dlr run` either fits every model or exits
/// non-zero, naming the setting to change; `--accept-partial` accepts what was fitted.
#[test]
fn run_on_a_tiny_study_is_not_reported_as_success() {
    let d = tempfile::tempdir().unwrap();
    let c = d.path().join("c");
    assert!(dlr()
        .args(["simulate", "--patients", "20", "--seed", "1", "--out"])
        .arg(&c)
        .status()
        .unwrap()
        .success());
    let toml = c.join("study.toml");
    // No deep weights in the test environment are needed: switch the deep model off.
    let text = std::fs::read_to_string(&toml).unwrap()
        + "\n[deep]\nenabled = false\n[models]\ndeep = false\n";
    std::fs::write(&toml, text).unwrap();
    let r = dlr()
        .args(["run"])
        .arg(&toml)
        .arg("--out")
        .arg(d.path().join("run"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&r.stderr);
    let record: Option<serde_json::Value> = std::fs::read(d.path().join("run/record.json"))
        .ok()
        .map(|b| serde_json::from_slice(&b).unwrap());
    let unfitted = record.as_ref().is_none_or(|rec| {
        rec["skipped_models"]
            .as_object()
            .unwrap()
            .values()
            .any(|why| why != "switched off in [models]")
    });
    if unfitted {
        assert_ne!(r.status.code(), Some(0), "{err}");
        assert!(err.contains("lasso_folds"), "{err}");
    }
    if r.status.code() == Some(3) {
        let again = dlr()
            .args(["run"])
            .arg(&toml)
            .arg("--out")
            .arg(d.path().join("run"))
            .arg("--accept-partial")
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(0));
    }
}

/// `--format text` prints text, not JSON; a label map needs `--label`.
#[test]
fn extract_text_format_and_label_maps() {
    let d = tempfile::tempdir().unwrap();
    let c = simulate_two_patients(d.path());
    let img = c.join("images/P001_US.png");
    let mask = c.join("masks/P001_US_r1.png");
    let t = dlr()
        .args(["extract", "--format", "text", "--image"])
        .arg(&img)
        .arg("--mask")
        .arg(&mask)
        .output()
        .unwrap();
    assert!(t.status.success());
    let out = String::from_utf8_lossy(&t.stdout);
    assert!(!out.trim_start().starts_with('{'), "{out}");
    let mean = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some("Mean"))
        .unwrap_or_else(|| panic!("no Mean line: {out}"));
    let v: f64 = mean.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((0.0..=255.0).contains(&v), "{mean}");
    // A mask with two labels.
    let m = image::open(&mask).unwrap().to_luma8();
    let (w, h) = m.dimensions();
    let labels = image::GrayImage::from_fn(w, h, |x, y| {
        let inside = m.get_pixel(x, y)[0] != 0;
        image::Luma([match (inside, x < w / 2) {
            (true, true) => 1,
            (true, false) => 2,
            _ => 0,
        }])
    });
    let lm = d.path().join("labels.png");
    labels.save(&lm).unwrap();
    let bad = dlr()
        .args(["extract", "--image"])
        .arg(&img)
        .arg("--mask")
        .arg(&lm)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--label"));
    let ok = dlr()
        .args(["extract", "--label", "2", "--image"])
        .arg(&img)
        .arg("--mask")
        .arg(&lm)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// `validate --clinical` without `--outcome` names the flag.
#[test]
fn validate_clinical_needs_the_outcome_flag() {
    let d = tempfile::tempdir().unwrap();
    let c = simulate_two_patients(d.path());
    let v = dlr()
        .args(["validate", "--manifest"])
        .arg(c.join("manifest.csv"))
        .arg("--clinical")
        .arg(c.join("clinical.csv"))
        .output()
        .unwrap();
    assert_eq!(v.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&v.stderr).contains("--outcome"));
}

/// An error names the file once and its cause once.
#[test]
fn errors_do_not_repeat_the_path_or_the_cause() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("absent.toml");
    for args in [
        vec!["run".to_string(), missing.display().to_string()],
        vec![
            "validate".to_string(),
            "--manifest".to_string(),
            missing.with_extension("csv").display().to_string(),
        ],
    ] {
        let r = dlr().args(&args).output().unwrap();
        assert_eq!(r.status.code(), Some(2));
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(err.matches("absent.").count(), 1, "{err}");
        assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    }
}
