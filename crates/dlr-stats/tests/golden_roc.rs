//! ROC statistics against `golden/roc.json` (R pROC 1.18.0), every dataset entry.
#![allow(clippy::needless_range_loop)]
mod common;
use common::*;
use dlr_stats::*;

/// (golden section, name, scores, labels) for every ROC entry in roc.json.
fn entries(g: &serde_json::Value) -> Vec<(String, serde_json::Value, Vec<f64>, Vec<bool>)> {
    let apath = dlr_testutil::shared_dir()
        .unwrap()
        .join("golden/data/asah.csv");
    let bpath = dlr_testutil::shared_dir()
        .unwrap()
        .join("golden/data/breast_cancer.csv");
    let asah = Table::read(&apath);
    let bc = Table::read(&bpath);
    let ya: Vec<bool> = asah.f64s("poor").iter().map(|&v| v == 1.0).collect();
    let yb: Vec<bool> = bc.f64s("malignant").iter().map(|&v| v == 1.0).collect();
    let mut out = Vec::new();
    for (name, e) in g["asah"].as_object().unwrap() {
        out.push((
            format!("asah/{name}"),
            e.clone(),
            asah.f64s(name),
            ya.clone(),
        ));
    }
    for (name, e) in g["breast_cancer"].as_object().unwrap() {
        out.push((format!("bc/{name}"), e.clone(), bc.f64s(name), yb.clone()));
    }
    out
}

#[test]
fn auc_matches_proc() {
    let gpath = dlr_testutil::require_shared!("golden/roc.json");
    let g = json(&gpath);
    let all = entries(&g);
    assert_eq!(all.len(), 9);
    for (name, e, s, y) in &all {
        let auc = roc_auc(s, y).unwrap();
        assert_close(&format!("{name} auc"), auc, num(&e["auc"]), 1e-12);
        assert_eq!(y.iter().filter(|&&v| v).count() as f64, num(&e["n_pos"]));
        assert_eq!(y.iter().filter(|&&v| !v).count() as f64, num(&e["n_neg"]));
    }
}
