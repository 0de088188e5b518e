//! Random forest against R randomForest 4.7-1.1 (fixture made by tools/learn/rf_breast.R):
//! mean test AUC over 20 seeds on the stored breast-cancer split within 0.01 of R's mean.
mod common;

use common::*;
use dlr_learn::{Fit, PredictProba, RandomForestParams};

#[test]
fn forest_test_auc_matches_r_randomforest_over_20_seeds() {
    let _ = dlr_testutil::require_shared!("golden/data/breast_cancer_split.csv");
    let g = dlr_testutil::shared_dir().unwrap().join("golden");
    let bc = breast_cancer(
        &g.join("data/breast_cancer.csv"),
        &g.join("data/breast_cancer_split.csv"),
    );
    let fx = json(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rf_breast_cancer.json"),
    );
    let xtr = bc.x.select_rows(&bc.train).unwrap();
    let xte = bc.x.select_rows(&bc.test).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let yte: Vec<bool> = bc.test.iter().map(|&i| bc.y[i]).collect();
    let mut aucs = Vec::new();
    let mut oobs = Vec::new();
    for seed in 1..=20u64 {
        let fit = RandomForestParams::default()
            .seed(seed)
            .build()
            .unwrap()
            .fit(&xtr, &ytr)
            .unwrap();
        assert_eq!(fit.mtry, 5);
        aucs.push(dlr_learn::stats::auc(
            &fit.predict_proba(&xte).unwrap(),
            &yte,
        ));
        oobs.push(fit.oob_error);
    }
    let mean = aucs.iter().sum::<f64>() / 20.0;
    let mean_oob = oobs.iter().sum::<f64>() / 20.0;
    let r_mean = fx["mean_test_auc"].as_f64().unwrap();
    let r_oob = fx["mean_oob_error"].as_f64().unwrap();
    eprintln!(
        "mean test AUC {mean:.5} (R {r_mean:.5}); mean OOB error {mean_oob:.4} (R {r_oob:.4})"
    );
    assert!((mean - r_mean).abs() < 0.01);
    assert!((mean_oob - r_oob).abs() < 0.02);
}

#[test]
fn forest_is_bitwise_identical_across_thread_counts() {
    let _ = dlr_testutil::require_shared!("golden/data/breast_cancer_split.csv");
    let g = dlr_testutil::shared_dir().unwrap().join("golden");
    let bc = breast_cancer(
        &g.join("data/breast_cancer.csv"),
        &g.join("data/breast_cancer_split.csv"),
    );
    let xtr = bc.x.select_rows(&bc.train).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let f = RandomForestParams::default()
                .n_trees(100)
                .seed(9)
                .build()
                .unwrap()
                .fit(&xtr, &ytr)
                .unwrap();
            (f.predict_proba(&bc.x).unwrap(), f.oob_error)
        })
    };
    let (a, oa) = run(1);
    let (b, ob) = run(2);
    assert_eq!(
        a.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        b.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(oa.to_bits(), ob.to_bits());
}
