//! glmnet 4.1-6 reference (../shared/golden/lasso.json): lambda path, CV curve, lambda.min/1se,
//! non-zero sets and coefficients on the Wisconsin breast-cancer training split.
mod common;

use common::*;
use dlr_learn::{CvMeasure, LambdaChoice, LassoCvParams, Transform, ZScore};

fn setup() -> Option<(serde_json::Value, BreastCancer)> {
    let g = dlr_testutil::shared_dir()?.join("golden");
    let gold = json(&g.join("lasso.json"));
    let bc = breast_cancer(
        &g.join("data/breast_cancer.csv"),
        &g.join("data/breast_cancer_split.csv"),
    );
    Some((gold, bc))
}

#[test]
fn lasso_cv_reproduces_glmnet() {
    let _ = dlr_testutil::require_shared!("golden/lasso.json");
    let Some((gold, bc)) = setup() else { return };
    let xtr_raw = bc.x.select_rows(&bc.train).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let z = ZScore.fit(&xtr_raw).unwrap();
    // standardisation equals R's colMeans / sd
    for (a, b) in z.mean.iter().zip(f64s(&gold["standardisation"]["mean"])) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "mean {a} vs {b}");
    }
    for (a, b) in z.sd.iter().zip(f64s(&gold["standardisation"]["sd"])) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "sd {a} vs {b}");
    }
    let xtr = z.transform(&xtr_raw).unwrap();
    let cv = LassoCvParams::default()
        .thresh(1e-12)
        .max_passes(10_000_000)
        .fold_ids(bc.foldid_train.clone())
        .build()
        .unwrap();
    let fit = cv.fit(&xtr, &ytr).unwrap();

    let lam = f64s(&gold["lambda"]);
    assert_eq!(fit.path.lambda.len(), lam.len());
    for (a, b) in fit.path.lambda.iter().zip(&lam) {
        assert!(((a - b) / b).abs() < 1e-8, "lambda {a} vs {b}");
    }
    let nzero: Vec<usize> = gold["nzero"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(fit.path.nzero, nzero, "nzero along the path");
    let dev_ratio = f64s(&gold["path"]["dev_ratio"]);
    for (a, b) in fit.path.dev_ratio.iter().zip(&dev_ratio) {
        assert!((a - b).abs() < 1e-7, "dev ratio {a} vs {b}");
    }
    assert!((fit.path.null_deviance - gold["path"]["nulldev"].as_f64().unwrap()).abs() < 1e-9);
    let a0 = f64s(&gold["path"]["a0"]);
    let mut max_a0 = 0.0f64;
    for (a, b) in fit.path.a0.iter().zip(&a0) {
        max_a0 = max_a0.max((a - b).abs());
    }
    let cvm = f64s(&gold["cvm"]);
    let cvsd = f64s(&gold["cvsd"]);
    let mut max_cvm = 0.0f64;
    let mut max_cvsd = 0.0f64;
    for l in 0..cvm.len() {
        max_cvm = max_cvm.max((fit.cvm[l] - cvm[l]).abs());
        if std::env::var("DLR_DEBUG").is_ok() {
            eprintln!("{l} {} {} {:e}", fit.cvm[l], cvm[l], fit.cvm[l] - cvm[l]);
        }
        max_cvsd = max_cvsd.max((fit.cvsd[l] - cvsd[l]).abs());
    }
    eprintln!("max |a0 diff| {max_a0:e}, max |cvm diff| {max_cvm:e}, max |cvsd diff| {max_cvsd:e}");
    assert!(max_a0 < 1e-5);
    assert!(max_cvm < 1e-6, "cvm differs by {max_cvm}");
    assert!(max_cvsd < 1e-6, "cvsd differs by {max_cvsd}");
    assert_eq!(
        fit.index_min + 1,
        gold["index_min_1based"].as_u64().unwrap() as usize
    );
    assert_eq!(
        fit.index_1se + 1,
        gold["index_1se_1based"].as_u64().unwrap() as usize
    );
    for (which, key) in [
        (LambdaChoice::Min, "coef_nonzero_lambda_min"),
        (LambdaChoice::OneSe, "coef_nonzero_lambda_1se"),
    ] {
        let want = gold[key].as_object().unwrap();
        let (b0, _) = fit.coefficients(which);
        assert!((b0 - want["(Intercept)"].as_f64().unwrap()).abs() < 1e-5);
        let got = fit.nonzero(which);
        let want_names: Vec<&String> = want.keys().filter(|k| *k != "(Intercept)").collect();
        let got_names: Vec<&String> = got.iter().map(|(n, _)| n).collect();
        let mut wn = want_names.clone();
        wn.sort();
        let mut gn = got_names.clone();
        gn.sort();
        assert_eq!(gn, wn, "{key}: non-zero set");
        for (n, c) in &got {
            let w = want[n.as_str()].as_f64().unwrap();
            assert!((c - w).abs() < 1e-5, "{key} {n}: {c} vs {w}");
        }
    }
    // the whole path's coefficients
    let beta = gold["path"]["beta_rows_are_features"].as_array().unwrap();
    let mut max_beta = 0.0f64;
    for (j, row) in beta.iter().enumerate() {
        for (l, v) in f64s(row).iter().enumerate() {
            max_beta = max_beta.max((fit.path.beta[l][j] - v).abs());
        }
    }
    eprintln!("max |beta diff| over the path {max_beta:e}");
    assert!(max_beta < 1e-5);
    // test-set predictions at lambda.min / lambda.1se
    let xte = z.transform(&bc.x.select_rows(&bc.test).unwrap()).unwrap();
    for (which, key) in [
        (LambdaChoice::Min, "pred_lambda_min"),
        (LambdaChoice::OneSe, "pred_lambda_1se"),
    ] {
        let p = fit.predict_proba(&xte, which).unwrap();
        for (a, b) in p.iter().zip(f64s(&gold["test_set"][key])) {
            assert!((a - b).abs() < 1e-6, "{key}: {a} vs {b}");
        }
    }
}

#[test]
fn lasso_cv_auc_measure_matches_glmnet() {
    let _ = dlr_testutil::require_shared!("golden/lasso.json");
    let Some((gold, bc)) = setup() else { return };
    let xtr_raw = bc.x.select_rows(&bc.train).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let xtr = ZScore.fit(&xtr_raw).unwrap().transform(&xtr_raw).unwrap();
    let cv = LassoCvParams::default()
        .thresh(1e-12)
        .max_passes(10_000_000)
        .measure(CvMeasure::Auc)
        .fold_ids(bc.foldid_train.clone())
        .build()
        .unwrap();
    let fit = cv.fit(&xtr, &ytr).unwrap();
    let lmin = gold["cv_auc"]["lambda_min"].as_f64().unwrap();
    let l1se = gold["cv_auc"]["lambda_1se"].as_f64().unwrap();
    assert!((fit.lambda(LambdaChoice::Min) / lmin - 1.0).abs() < 1e-8);
    assert!((fit.lambda(LambdaChoice::OneSe) / l1se - 1.0).abs() < 1e-8);
    assert!((fit.cvm[fit.index_min] - gold["cv_auc"]["cvm_at_min"].as_f64().unwrap()).abs() < 1e-9);
}
