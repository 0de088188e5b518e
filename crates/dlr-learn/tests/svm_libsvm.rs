//! SVM decision values against libsvm (e1071 1.7-13) in ../shared/golden/svm.json.
//!
//! NOTE on the golden: scripts/svm.R builds X from every column except `malignant`, so it also
//! contains `target` (sklearn's 0 = malignant coding) — 31 columns, gamma = 1/31, and a feature
//! that separates the classes perfectly. We reproduce that setup exactly (it still checks the
//! solver: decision values, rho and the support-vector count), and report the flaw.
mod common;

use common::*;
use dlr_learn::{Fit, Kernel, PredictProba, SvmParams, Transform, ZScore};

#[test]
fn svm_decision_values_match_libsvm() {
    let _ = dlr_testutil::require_shared!("golden/svm.json");
    let g = dlr_testutil::shared_dir().unwrap().join("golden");
    let gold = json(&g.join("svm.json"));
    let bc = breast_cancer(
        &g.join("data/breast_cancer.csv"),
        &g.join("data/breast_cancer_split.csv"),
    );
    let t = read_table(&g.join("data/breast_cancer.csv"));
    let names: Vec<String> = t
        .header
        .iter()
        .filter(|h| *h != "malignant")
        .cloned()
        .collect();
    assert_eq!(names.len(), 31);
    let x_all = t.matrix(&names);
    let xtr_raw = x_all.select_rows(&bc.train).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let yte: Vec<bool> = bc.test.iter().map(|&i| bc.y[i]).collect();
    let z = ZScore.fit(&xtr_raw).unwrap();
    let xtr = z.transform(&xtr_raw).unwrap();
    let xte = z.transform(&x_all.select_rows(&bc.test).unwrap()).unwrap();
    for (kernel, key) in [
        (Kernel::Linear, "linear"),
        (Kernel::Rbf { gamma: None }, "radial"),
    ] {
        let svm = SvmParams::default()
            .kernel(kernel)
            .c(1.0)
            .eps(1e-6)
            .build()
            .unwrap();
        let fit = svm.fit(&xtr, &ytr).unwrap();
        let want = f64s(&gold["models"][key]["decision_values_test"]);
        let got = fit.decision_function(&xte).unwrap();
        let max = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{key}: max |decision diff| = {max:e}, n_sv {} (libsvm {})",
            fit.support.len(),
            gold["models"][key]["n_sv"]
        );
        assert!(max < 1e-4, "{key}: decision values differ by {max}");
        assert_eq!(
            fit.support.len() as u64,
            gold["models"][key]["n_sv"].as_u64().unwrap()
        );
        // Platt probabilities are monotone in the decision value and discriminate as well
        let p = fit.predict_proba(&xte).unwrap();
        let auc_p = dlr_learn::stats::auc(&p, &yte);
        let auc_d = dlr_learn::stats::auc(&got, &yte);
        assert!(
            (auc_p - auc_d).abs() < 1e-12 && auc_p > 0.95,
            "{key}: AUC {auc_p} vs {auc_d}"
        );
    }
}

#[test]
fn svm_on_the_30_features_matches_libsvm() {
    // fixture: tools/learn/svm_breast30.R (e1071 1.7-13 on Debian, same split, no `target` column)
    let _ = dlr_testutil::require_shared!("golden/data/breast_cancer_split.csv");
    let g = dlr_testutil::shared_dir().unwrap().join("golden");
    let fx = json(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/svm_breast30.json"),
    );
    let bc = breast_cancer(
        &g.join("data/breast_cancer.csv"),
        &g.join("data/breast_cancer_split.csv"),
    );
    let xtr_raw = bc.x.select_rows(&bc.train).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let z = ZScore.fit(&xtr_raw).unwrap();
    let xtr = z.transform(&xtr_raw).unwrap();
    let xte = z.transform(&bc.x.select_rows(&bc.test).unwrap()).unwrap();
    for (kernel, key) in [
        (Kernel::Linear, "linear"),
        (Kernel::Rbf { gamma: None }, "radial"),
    ] {
        let fit = SvmParams::default()
            .kernel(kernel)
            .eps(1e-6)
            .probability(false)
            .build()
            .unwrap()
            .fit(&xtr, &ytr)
            .unwrap();
        let want = f64s(&fx["models"][key]["decision_values_test"]);
        let got = fit.decision_function(&xte).unwrap();
        let max = got
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "{key} (30 features): max |decision diff| = {max:e}, n_sv {} (libsvm {})",
            fit.support.len(),
            fx["models"][key]["n_sv"]
        );
        assert!(max < 1e-4, "{key}: decision values differ by {max}");
        assert!((fit.rho - fx["models"][key]["rho"].as_f64().unwrap()).abs() < 1e-4);
        assert_eq!(
            fit.support.len() as u64,
            fx["models"][key]["n_sv"].as_u64().unwrap()
        );
    }
}
