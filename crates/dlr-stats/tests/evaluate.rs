//! `evaluate` / `evaluate_csv` against the pROC and rms goldens, plus cohort handling and errors.
mod common;
use common::*;
use dlr_stats::*;

#[test]
fn evaluate_csv_matches_proc_on_asah() {
    let gpath = dlr_testutil::require_shared!("golden/roc.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let opts = EvaluateOptions::new("poor", &["s100b", "ndka", "wfns"]);
    let ev = evaluate_csv(&apath, &opts).unwrap();
    assert_eq!(ev.scores.len(), 3);
    for e in &ev.scores {
        let w = &g["asah"][&e.score];
        assert_eq!(e.cohort, None);
        assert_close("auc", e.auc.unwrap(), num(&w["auc"]), 1e-12);
        let ci = w["ci95_delong"].as_array().unwrap();
        assert_close("lo", e.auc_ci.unwrap()[0], num(&ci[0]), 1e-9);
        assert_close("hi", e.auc_ci.unwrap()[1], num(&ci[1]), 1e-9);
        let y = &w["youden"];
        assert_close("thr", e.youden.threshold, num(&y["threshold"]), 1e-9);
        for (got, key) in [
            (e.youden.sensitivity, "sensitivity"),
            (e.youden.specificity, "specificity"),
            (e.youden.ppv, "ppv"),
            (e.youden.npv, "npv"),
            (e.youden.accuracy, "accuracy"),
        ] {
            assert_close(key, got, num(&y[key]), 1e-12);
        }
        // None of these markers lies within [0, 1] (s100b reaches 2.07): no Brier, with a note.
        assert!(e.brier.is_none() && e.calibration.is_none());
        assert!(e.notes.iter().any(|n| n.contains("not a probability")));
    }
    assert_eq!(ev.comparisons.len(), 3);
    for (key, t) in g["asah_delong_tests"].as_object().unwrap() {
        let c = ev
            .comparisons
            .iter()
            .find(|c| c.a == t["roc1"].as_str().unwrap() && c.b == t["roc2"].as_str().unwrap())
            .unwrap();
        assert_close(&format!("{key} z"), c.z, num(&t["Z"]), 1e-9);
        assert_close(&format!("{key} p"), c.p, num(&t["p_value"]), 1e-10);
    }
    let json = ev.to_json().unwrap();
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(back["scores"][0]["auc_ci"].is_array());
    assert!(back["scores"][0]["youden"]["threshold"].is_number());
    let csv = ev.to_csv();
    assert_eq!(csv.lines().next().unwrap().split(',').count(), 24);
}

#[test]
fn evaluate_cohorts_threshold_from_train_and_calibration() {
    let gpath = dlr_testutil::require_shared!("golden/calibration_dca.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let mut opts = EvaluateOptions::new("poor", &["s100b", "ndka"]);
    opts.cohort = Some("cohort".into());
    opts.train = Some("train".into());
    let ev = evaluate_csv(&apath, &opts).unwrap();
    assert_eq!(ev.threshold_chosen_on, "cohort train");
    let a = Table::read(&apath);
    let cohort = a.strs("cohort").to_vec();
    let y: Vec<bool> = a.f64s("poor").iter().map(|&v| v == 1.0).collect();
    for name in ["s100b", "ndka"] {
        let s = a.f64s(name);
        let tr: Vec<usize> = (0..s.len()).filter(|&i| cohort[i] == "train").collect();
        let te: Vec<usize> = (0..s.len()).filter(|&i| cohort[i] == "test").collect();
        let ts: Vec<f64> = tr.iter().map(|&i| s[i]).collect();
        let tl: Vec<bool> = tr.iter().map(|&i| y[i]).collect();
        let thr = youden_threshold(&ts, &tl).unwrap().threshold;
        let rows: Vec<&ScoreEval> = ev.scores.iter().filter(|e| e.score == name).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cohort.as_deref(), Some("train"));
        assert!(rows[0].is_train);
        assert_eq!(rows[1].cohort.as_deref(), Some("test"));
        for r in &rows {
            assert_eq!(
                r.youden.threshold, thr,
                "same threshold applied to every cohort"
            );
        }
        let es: Vec<f64> = te.iter().map(|&i| s[i]).collect();
        let el: Vec<bool> = te.iter().map(|&i| y[i]).collect();
        let m = cutoff_metrics(&es, &el, thr, BinomialCi::Wilson, 0.95).unwrap();
        assert_eq!(rows[1].youden.sensitivity, m.sensitivity.estimate);
        assert_eq!(rows[1].youden.tp, m.tp);
        assert_close(
            "test auc",
            rows[1].auc.unwrap(),
            roc_auc(&es, &el).unwrap(),
            1e-12,
        );
    }
    // Calibration of the golden train->test predictions through evaluate().
    let s = &g["train_to_test"];
    let p: Vec<f64> = s["predictions_test"]
        .as_array()
        .unwrap()
        .iter()
        .map(num)
        .collect();
    let yt: Vec<bool> = s["test_rows_1based"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| y[num(r) as usize - 1])
        .collect();
    let ev = evaluate(
        &yt,
        &[("model".to_string(), p)],
        None,
        &EvaluateOptions::new("poor", &["model"]),
    )
    .unwrap();
    let e = &ev.scores[0];
    assert_close("brier", e.brier.unwrap(), num(&s["brier"]), 1e-12);
    let c = e.calibration.as_ref().unwrap();
    assert_close("slope", c.slope, num(&s["cal_slope"]), 1e-6);
    assert_close(
        "intercept",
        c.intercept,
        num(&s["cal_intercept_joint"]),
        1e-6,
    );
    assert_close("citl", c.in_the_large, num(&s["cal_in_the_large"]), 1e-6);
    assert_close(
        "hl p",
        c.hosmer_lemeshow.unwrap()[2],
        num(&s["hosmer_lemeshow_g10"]["p_value"]),
        1e-9,
    );
}

#[test]
fn evaluate_degenerate_inputs() {
    let y = vec![true, false, true, false];
    let s = vec![("s".to_string(), vec![0.9, 0.1, 0.8, 0.3])];
    let o = EvaluateOptions::new("y", &["s"]);
    // Cohort without train value, train value missing from the data, length mismatch.
    let c: Vec<String> = ["a", "a", "b", "b"].iter().map(|v| v.to_string()).collect();
    assert!(evaluate(&y, &s, Some(&c), &o).is_err());
    let mut o2 = o.clone();
    o2.train = Some("zzz".into());
    assert!(evaluate(&y, &s, Some(&c), &o2).is_err());
    assert!(evaluate(&y[..3], &s, None, &o).is_err());
    // One class only in the training data -> clear error.
    assert!(evaluate(&[true, true, true, true], &s, None, &o).is_err());
    // One class only in a test cohort -> AUC null with a note, no panic.
    let y2 = vec![true, false, true, true];
    let mut o3 = o.clone();
    o3.train = Some("a".into());
    let c2: Vec<String> = ["a", "a", "b", "b"].iter().map(|v| v.to_string()).collect();
    let ev = evaluate(&y2, &s, Some(&c2), &o3).unwrap();
    let test = ev
        .scores
        .iter()
        .find(|e| e.cohort.as_deref() == Some("b"))
        .unwrap();
    assert!(test.auc.is_none() && !test.notes.is_empty());
    assert!(test.youden.specificity.is_nan());
    // Probabilities of exactly 0/1: Brier given, calibration null with a note.
    let s01 = vec![("s".to_string(), vec![1.0, 0.0, 1.0, 0.0])];
    let ev = evaluate(&y, &s01, None, &o).unwrap();
    assert_eq!(ev.scores[0].brier, Some(0.0));
    assert!(ev.scores[0].calibration.is_none());
    // Missing column in CSV -> error naming the column.
    let dir = std::env::temp_dir().join(format!("dlr-stats-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("p.csv");
    std::fs::write(&f, "y,s\n1,0.9\n0,NA\n").unwrap();
    let err = evaluate_csv(&f, &EvaluateOptions::new("y", &["t"]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column 't'"), "{err}");
    let err = evaluate_csv(&f, &o).unwrap_err().to_string();
    assert!(err.contains("row 3"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
