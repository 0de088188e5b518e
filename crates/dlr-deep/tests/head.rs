//! The head trainer reaches scikit-learn's L2-penalised logistic / multinomial optimum on the
//! breast-cancer data of `../shared/golden/data` (reference: `tools/deep/make_head_fixture.py`).

use dlr_deep::{HeadTrainer, LrSchedule};
use serde_json::Value;
use std::path::PathBuf;

fn reference() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/head_reference.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json")
}

fn load_features(path: &std::path::Path, names: &[String]) -> Vec<Vec<f32>> {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| header.iter().position(|h| h == n).expect("column"))
        .collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            idx.iter()
                .map(|&i| f[i].parse::<f32>().expect("number"))
                .collect()
        })
        .collect()
}

fn check(key: &str, tol_obj: f64, tol_coef: f64) {
    let csv = dlr_testutil::require_shared!("golden/data/breast_cancer.csv");
    let r = reference();
    let names: Vec<String> = r["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let x = load_features(&csv, &names);
    let e = &r[key];
    let y: Vec<usize> = e["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    let wd = e["weight_decay"].as_f64().unwrap();
    let trainer = HeadTrainer {
        epochs: 4000,
        lr: 0.5,
        momentum: 0.9,
        weight_decay: wd,
        batch_size: None,
        schedule: LrSchedule::Constant,
        seed: 0,
        standardize: true,
    };
    let fit = trainer.fit(&x, &y).expect("fit");
    let obj = *fit.loss_history.last().unwrap();
    let want = e["objective"].as_f64().unwrap();
    assert!(
        obj - want < tol_obj && want - obj < 1e-9,
        "{key}: objective {obj} vs sklearn {want}"
    );
    let coef: Vec<Vec<f64>> = e["coef"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect();
    let w = fit.head.weights();
    assert_eq!(w.len(), coef.len());
    let mut worst = 0.0f64;
    for (a, b) in w.iter().flatten().zip(coef.iter().flatten()) {
        worst = worst.max((a - b).abs());
    }
    assert!(
        worst < tol_coef,
        "{key}: worst coefficient difference {worst}"
    );
    let probs = e["proba_first10"].as_array().unwrap();
    for (i, p) in probs.iter().enumerate() {
        let got = fit.head.predict_proba(&x[i]).unwrap();
        for (g, w) in got.iter().zip(p.as_array().unwrap()) {
            assert!(
                (g - w.as_f64().unwrap()).abs() < 1e-4,
                "{key} sample {i}: {g} vs {w}"
            );
        }
    }
    eprintln!("{key}: objective {obj} (sklearn {want}), worst |Δcoef| {worst:.2e}");
}

#[test]
fn binary_head_reaches_sklearn_optimum() {
    check("binary", 1e-8, 1e-4);
}

#[test]
fn softmax_head_reaches_sklearn_multinomial_optimum() {
    check("three_class", 1e-8, 1e-4);
}
