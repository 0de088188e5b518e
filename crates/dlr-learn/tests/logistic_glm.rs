//! Logistic regression and the clinical model against R `glm` (fixture made by
//! tools/learn/glm_asah.R from ../shared/golden/data/asah.csv), plus the calibration golden's
//! coefficients (../shared/golden/calibration_dca.json).
mod common;

use common::*;
use dlr_learn::{ClinicalModel, Fit, LearnError, LogisticRegression, Matrix, PredictProba};

fn asah() -> Option<(Table, Matrix, Vec<bool>)> {
    let p = dlr_testutil::shared_dir()?.join("golden/data/asah.csv");
    let t = read_table(&p);
    let male: Vec<f64> = t
        .str_col("gender")
        .iter()
        .map(|g| if g == "Male" { 1.0 } else { 0.0 })
        .collect();
    let names: Vec<String> = ["age", "male", "wfns", "s100b", "ndka"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let cols = vec![
        t.f64_col("age"),
        male,
        t.f64_col("wfns"),
        t.f64_col("s100b"),
        t.f64_col("ndka"),
    ];
    let x = Matrix::from_columns(&cols, names).unwrap();
    let y = t.f64_col("poor").iter().map(|v| *v == 1.0).collect();
    Some((t, x, y))
}

fn fixture() -> serde_json::Value {
    json(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/glm_asah.json"))
}

fn check_table(got: &[dlr_learn::CoefRow], want: &serde_json::Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.name, w["name"].as_str().unwrap());
        for (a, key) in [
            (g.estimate, "estimate"),
            (g.std_error, "std_error"),
            (g.z, "z"),
            (g.odds_ratio, "odds_ratio"),
            (g.or_lower, "or_lower"),
            (g.or_upper, "or_upper"),
        ] {
            let b = w[key].as_f64().unwrap();
            assert!(
                (a - b).abs() <= 1e-8 * b.abs().max(1.0),
                "{} {key}: {a} vs {b}",
                g.name
            );
        }
        let p = w["p_value"].as_f64().unwrap();
        assert!(
            (g.p_value - p).abs() <= 1e-9 * p.max(1e-3),
            "{} p: {} vs {p}",
            g.name,
            g.p_value
        );
    }
}

#[test]
fn logistic_matches_r_glm_with_wald_odds_ratios() {
    let _ = dlr_testutil::require_shared!("golden/data/asah.csv");
    let Some((_, x, y)) = asah() else { return };
    let f = LogisticRegression::default().fit(&x, &y).unwrap();
    let fx = fixture();
    check_table(&f.table, &fx["full_model"]["coefficients"]);
    assert!((f.deviance - fx["full_model"]["deviance"].as_f64().unwrap()).abs() < 1e-9);
    assert!((f.null_deviance - fx["full_model"]["null_deviance"].as_f64().unwrap()).abs() < 1e-9);
    assert!((f.aic - fx["full_model"]["aic"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn logistic_matches_calibration_golden_predictions() {
    let _ = dlr_testutil::require_shared!("golden/calibration_dca.json");
    let Some((t, x, y)) = asah() else { return };
    let gold = json(
        &dlr_testutil::shared_dir()
            .unwrap()
            .join("golden/calibration_dca.json"),
    );
    let names: Vec<String> = ["s100b", "ndka", "age"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let xs = x.select_named(&names).unwrap();
    let cohort = t.str_col("cohort");
    let train: Vec<usize> = (0..cohort.len())
        .filter(|&i| cohort[i] == "train")
        .collect();
    let test: Vec<usize> = (0..cohort.len()).filter(|&i| cohort[i] == "test").collect();
    let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
    let f = LogisticRegression::default()
        .fit(&xs.select_rows(&train).unwrap(), &ytr)
        .unwrap();
    let c = &gold["train_to_test"]["coefficients_train"];
    for (k, key) in ["(Intercept)", "s100b", "ndka", "age"].iter().enumerate() {
        let b = c[*key].as_f64().unwrap();
        assert!(
            (f.coef[k] - b).abs() < 1e-9 * b.abs().max(1.0),
            "{key}: {} vs {b}",
            f.coef[k]
        );
    }
    let p = f.predict_proba(&xs.select_rows(&test).unwrap()).unwrap();
    for (a, b) in p
        .iter()
        .zip(f64s(&gold["train_to_test"]["predictions_test"]))
    {
        assert!((a - b).abs() < 1e-10, "{a} vs {b}");
    }
}

#[test]
fn clinical_model_screens_then_fits_like_r() {
    let _ = dlr_testutil::require_shared!("golden/data/asah.csv");
    let Some((t, x, y)) = asah() else { return };
    let cohort = t.str_col("cohort");
    let train: Vec<usize> = (0..cohort.len())
        .filter(|&i| cohort[i] == "train")
        .collect();
    let ytr: Vec<bool> = train.iter().map(|&i| y[i]).collect();
    let fit = ClinicalModel::default()
        .fit(&x.select_rows(&train).unwrap(), &ytr)
        .unwrap();
    let fx = fixture();
    let want: Vec<String> = fx["clinical_train"]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(fit.selected, want);
    check_table(&fit.univariable, &fx["clinical_train"]["univariable"]);
    check_table(&fit.model.table, &fx["clinical_train"]["multivariable"]);
}

#[test]
fn perfectly_separable_data_is_an_error_not_a_divergence() {
    let x = Matrix::from_rows_unnamed(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], 8, 1).unwrap();
    let y = [false, false, false, false, true, true, true, true];
    match LogisticRegression::default().fit(&x, &y) {
        Err(LearnError::Separation { .. }) => {}
        other => panic!("expected a separation error, got {other:?}"),
    }
    // quasi-complete separation (one tied point at the boundary) is caught too
    let x = Matrix::from_rows_unnamed(vec![1.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0, 7.0], 8, 1).unwrap();
    assert!(matches!(
        LogisticRegression::default().fit(&x, &y),
        Err(LearnError::Separation { .. })
    ));
}

#[test]
fn degenerate_logistic_inputs_give_clear_errors() {
    let y = [false, true, false, true, false, true];
    let x = Matrix::from_rows_unnamed(vec![1.0; 6], 6, 1).unwrap();
    assert!(matches!(
        LogisticRegression::default().fit(&x, &y),
        Err(LearnError::InvalidData { .. })
    ));
    let x = Matrix::from_rows_unnamed(vec![1.0, f64::NAN, 2.0, 3.0, 4.0, 5.0], 6, 1).unwrap();
    assert!(matches!(
        LogisticRegression::default().fit(&x, &y),
        Err(LearnError::InvalidData { .. })
    ));
    // p >= n
    let x = Matrix::from_rows_unnamed((0..36).map(|v| ((v * 7919) % 13) as f64).collect(), 6, 6)
        .unwrap();
    assert!(matches!(
        LogisticRegression::default().fit(&x, &y),
        Err(LearnError::InvalidData { .. })
    ));
    assert!(matches!(
        dlr_learn::LogisticParams::default().epsilon(0.0).build(),
        Err(LearnError::InvalidParam { .. })
    ));
}
