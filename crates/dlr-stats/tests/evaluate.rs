//! `evaluate` / `evaluate_csv` against the pROC and rms goldens, the CSV reader against the
//! in-memory API, the pipeline's settings (bootstrap, clipped calibration, decision curve),
//! cohort handling, errors and the output formats.
mod common;
use common::*;
use dlr_stats::*;

/// Labels, cohort of each row, and named score columns.
type Columns = (Vec<bool>, Vec<String>, Vec<(String, Vec<f64>)>);

/// aSAH labels, cohorts and the named score columns, read with the golden-test CSV helper.
fn asah(apath: &std::path::Path, names: &[&str]) -> Columns {
    let a = Table::read(apath);
    let y: Vec<bool> = a.f64s("poor").iter().map(|&v| v == 1.0).collect();
    let named = names
        .iter()
        .map(|n| (n.to_string(), a.f64s(n)))
        .collect::<Vec<_>>();
    (y, a.strs("cohort").to_vec(), named)
}

/// The ROC points against pROC's stored curve (order-free: sorted by FPR then TPR).
fn check_roc(got: &[[f64; 2]], curve: &serde_json::Value) {
    let sens = curve["sensitivities"].as_array().unwrap();
    let spec = curve["specificities"].as_array().unwrap();
    assert_eq!(got.len(), sens.len());
    let mut want: Vec<[f64; 2]> = sens
        .iter()
        .zip(spec)
        .map(|(s, p)| [1.0 - num(p), num(s)])
        .collect();
    let mut got = got.to_vec();
    for v in [&mut want, &mut got] {
        v.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    }
    for (g, w) in got.iter().zip(&want) {
        assert_close("roc fpr", g[0], w[0], 1e-12);
        assert_close("roc tpr", g[1], w[1], 1e-12);
    }
}

#[test]
fn evaluate_csv_matches_proc_on_asah() {
    let gpath = dlr_testutil::require_shared!("golden/roc.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let cols = PredictionColumns::new("poor", &["s100b", "ndka", "wfns"]);
    let ev = evaluate_csv(&apath, &cols, &EvaluateOptions::default()).unwrap();
    assert_eq!(ev.label.as_deref(), Some("poor"));
    assert_eq!(ev.scores.len(), 3);
    for e in &ev.scores {
        let w = &g["asah"][&e.score];
        assert_eq!(e.cohort, None);
        assert_eq!(e.n_positive as f64, num(&w["n_pos"]));
        assert_close("auc", e.auc.unwrap(), num(&w["auc"]), 1e-12);
        assert_close("se", e.auc_se.unwrap(), num(&w["auc_se_delong"]), 1e-9);
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
        assert_eq!(e.youden.fn_ as f64, num(&y["fn"]));
        // ROC points are pROC's curve as (1 - specificity, sensitivity) (stored for s100b and ndka).
        if e.score != "wfns" {
            check_roc(&e.roc, &w["curve"]);
        }
        // None of these markers lies within [0, 1] (s100b reaches 2.07): no Brier, with a note.
        assert!(e.brier.is_none() && e.calibration.is_none() && e.decision_curve.is_none());
        assert!(e.notes.iter().any(|n| n.contains("not a probability")));
    }
    assert_eq!(ev.comparisons.len(), 3);
    for (key, t) in g["asah_delong_tests"].as_object().unwrap() {
        let c = ev
            .comparison(
                t["roc1"].as_str().unwrap(),
                t["roc2"].as_str().unwrap(),
                None,
            )
            .unwrap();
        let z = num(&t["Z"]);
        assert_close(&format!("{key} z"), c.z, z, 1e-9);
        assert_close(&format!("{key} p"), c.p, num(&t["p_value"]), 1e-10);
        let d = num(&t["auc1"]) - num(&t["auc2"]);
        assert_close(&format!("{key} diff"), c.difference, d, 1e-12);
        // pROC's paired conf.int: d ± qnorm(0.975) SE with SE = d / Z.
        let half = 1.959_963_984_540_054 * d / z;
        assert_close(&format!("{key} lo"), c.difference_ci[0], d - half, 1e-9);
        assert_close(&format!("{key} hi"), c.difference_ci[1], d + half, 1e-9);
    }
    // JSON: the false-negative count is written "fn"; NaN-free numbers; comparisons present.
    let json = ev.to_json().unwrap();
    assert!(
        json.contains("\"fn\": 15") && !json.contains("fn_"),
        "{json}"
    );
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(back["scores"][0]["auc_ci"].is_array());
    assert_eq!(back["scores"][0]["youden"]["ci_method"], "wilson");
    assert_eq!(back["proportion_ci"], "wilson");
    assert_eq!(back["scores"][0]["youden"]["fn"], 15);
    // CSV through the csv crate: 24 columns, the s100b row, then the comparison block.
    let csv = ev.to_csv().unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert_eq!(header.split(',').count(), 24);
    assert!(header.contains(",tp,fp,tn,fn,"));
    let s100b = lines.next().unwrap();
    assert!(
        s100b.starts_with("s100b,,true,113,41,0.7313685636856"),
        "{s100b}"
    );
    assert!(csv.contains("\n\na,b,cohort,auc_a,auc_b,difference,difference_ci_low,difference_ci_high,z,p\ns100b,ndka,,"));
}

#[test]
fn csv_reader_and_in_memory_api_give_identical_results() {
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let names = ["s100b", "ndka", "wfns"];
    let (y, cohort, named) = asah(&apath, &names);
    let opts = EvaluateOptions {
        bootstrap: Some(BootstrapSettings {
            replicates: 200,
            seed: 7,
        }),
        proportion_ci: BinomialCi::ClopperPearson,
        direction: RocDirection::Auto,
        level: 0.9,
        ..EvaluateOptions::default()
    };
    let mut cols = PredictionColumns::new("poor", &names);
    cols.cohort = Some("cohort".into());
    cols.train = Some("train".into());
    let from_csv = evaluate_csv(&apath, &cols, &opts).unwrap();
    let assignment = CohortAssignment {
        cohort_of_row: &cohort,
        training: "train",
    };
    let mut in_memory = evaluate(&y, Some(assignment), &named, &opts).unwrap();
    assert_eq!(in_memory.label, None);
    in_memory.label = Some("poor".into());
    // Byte-identical serialisations (NaN compares unequal, so compare the JSON text).
    assert_eq!(from_csv.to_json().unwrap(), in_memory.to_json().unwrap());
    assert_eq!(from_csv.to_csv().unwrap(), in_memory.to_csv().unwrap());
    assert_eq!(from_csv.scores.len(), 6);
    assert_eq!(from_csv.comparisons.len(), 6);
    // And reproducible run to run (seeded bootstrap).
    let again = evaluate(&y, Some(assignment), &named, &opts).unwrap();
    assert_eq!(
        again.scores[0].auc_bootstrap,
        in_memory.scores[0].auc_bootstrap
    );
}

#[test]
fn evaluate_cohorts_threshold_from_train_and_calibration() {
    let gpath = dlr_testutil::require_shared!("golden/calibration_dca.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let mut cols = PredictionColumns::new("poor", &["s100b", "ndka"]);
    cols.cohort = Some("cohort".into());
    cols.train = Some("train".into());
    let ev = evaluate_csv(&apath, &cols, &EvaluateOptions::default()).unwrap();
    assert_eq!(ev.threshold_chosen_on, "cohort train");
    let (y, cohort, named) = asah(&apath, &["s100b", "ndka"]);
    for (name, s) in &named {
        let tr: Vec<usize> = (0..s.len()).filter(|&i| cohort[i] == "train").collect();
        let te: Vec<usize> = (0..s.len()).filter(|&i| cohort[i] == "test").collect();
        let ts: Vec<f64> = tr.iter().map(|&i| s[i]).collect();
        let tl: Vec<bool> = tr.iter().map(|&i| y[i]).collect();
        let thr = youden_threshold(&ts, &tl).unwrap().threshold;
        let rows: Vec<&ScoreEval> = ev.scores.iter().filter(|e| &e.score == name).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cohort.as_deref(), Some("train"));
        assert!(rows[0].is_train);
        assert_eq!(rows[1].cohort.as_deref(), Some("test"));
        assert_eq!((rows[0].n, rows[1].n), (79, 34));
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
        assert_eq!(
            rows[1].youden.sensitivity_ci,
            [m.sensitivity.lower, m.sensitivity.upper]
        );
        assert_eq!(rows[1].youden.tp, m.tp);
        assert_eq!(rows[1].youden.fn_, m.fn_);
        assert_close(
            "test auc",
            rows[1].auc.unwrap(),
            roc_auc(&es, &el).unwrap(),
            1e-12,
        );
    }
    // Calibration and decision curve of the golden train->test predictions through evaluate().
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
    let opts = EvaluateOptions {
        dca_thresholds: Some(default_dca_thresholds()),
        ..EvaluateOptions::default()
    };
    let ev = evaluate(&yt, None, &[("model".to_string(), p)], &opts).unwrap();
    let e = ev.get("model", None).unwrap();
    assert_close("brier", e.brier.unwrap(), num(&s["brier"]), 1e-12);
    let c = e.calibration.as_ref().unwrap();
    assert_close("slope", c.slope, num(&s["cal_slope"]), 1e-6);
    assert_close(
        "intercept",
        c.intercept,
        num(&s["cal_intercept_joint"]),
        1e-6,
    );
    assert_close("citl", c.citl, num(&s["cal_in_the_large"]), 1e-6);
    assert_close(
        "hl p",
        c.hosmer_lemeshow.as_ref().unwrap().p,
        num(&s["hosmer_lemeshow_g10"]["p_value"]),
        1e-9,
    );
    let d = e.decision_curve.as_ref().unwrap();
    let want = s["dca"]["net_benefit_model"].as_array().unwrap();
    assert_eq!(d.net_benefit_model.len(), want.len());
    for (got, w) in d.net_benefit_model.iter().zip(want) {
        assert_close("net benefit", *got, num(w), 1e-12);
    }
}

/// The pipeline's settings (train/test cohorts, bootstrap, calibration on clipped
/// probabilities, decision curve) give exactly what the underlying routines give.
#[test]
fn pipeline_settings_reproduce_the_routines_bit_for_bit() {
    // Probabilities with exact 0 and 1 (a random forest's), two models, train then test rows.
    let y: Vec<bool> = (0..40).map(|i| (i * 7) % 5 < 2).collect();
    let a: Vec<f64> = (0..40)
        .map(|i| {
            let base = if y[i] { 0.65 } else { 0.35 };
            (base + 0.3 * (((i * 13) % 11) as f64 / 10.0 - 0.5)).clamp(0.0, 1.0)
        })
        .collect();
    let mut a = a;
    a[0] = 0.0;
    a[1] = 1.0;
    let b: Vec<f64> = (0..40).map(|i| ((i * 17) % 19) as f64 / 18.0).collect();
    let cohort: Vec<String> = (0..40)
        .map(|i| if i < 26 { "train" } else { "test" }.to_string())
        .collect();
    let opts = EvaluateOptions {
        bootstrap: Some(BootstrapSettings {
            replicates: 500,
            seed: 42,
        }),
        dca_thresholds: Some(default_dca_thresholds()),
        calibration_clip: Some(1e-6),
        ..EvaluateOptions::default()
    };
    let named = vec![("a".to_string(), a.clone()), ("b".to_string(), b.clone())];
    let ev = evaluate(
        &y,
        Some(CohortAssignment {
            cohort_of_row: &cohort,
            training: "train",
        }),
        &named,
        &opts,
    )
    .unwrap();
    let (tr, te) = (0..26, 26..40);
    let mut calibrated = Vec::new();
    for (name, s) in &named {
        let thr = youden_threshold(&s[tr.clone()], &y[tr.clone()])
            .unwrap()
            .threshold;
        for (cname, rows) in [("train", tr.clone()), ("test", te.clone())] {
            let (p, yy) = (&s[rows.clone()], &y[rows]);
            let e = ev.get(name, Some(cname)).unwrap();
            let d = auc_delong(p, yy, 0.95).unwrap();
            assert_eq!(e.auc, Some(d.auc));
            assert_eq!(e.auc_ci, Some([d.lower, d.upper]));
            assert_eq!(
                e.auc_bootstrap,
                Some(auc_bootstrap_ci(p, yy, 0.95, 500, 42).unwrap())
            );
            let m = cutoff_metrics(p, yy, thr, BinomialCi::Wilson, 0.95).unwrap();
            assert_eq!(e.youden.threshold, thr);
            assert_eq!((e.youden.tp, e.youden.fp, e.youden.tn), (m.tp, m.fp, m.tn));
            assert_eq!(e.youden.accuracy_ci, [m.accuracy.lower, m.accuracy.upper]);
            let clipped: Vec<f64> = p.iter().map(|v| v.clamp(1e-6, 1.0 - 1e-6)).collect();
            // Score a separates the test cohort quasi-completely (at p = 0.5): no calibration
            // there, with the routine's reason as the note.
            match calibration(&clipped, yy) {
                Ok(c) => {
                    assert_eq!(e.calibration.as_ref(), Some(&c));
                    calibrated.push((name.as_str(), cname));
                }
                Err(err) => {
                    assert_eq!(e.calibration, None);
                    assert!(
                        e.notes.contains(&format!("calibration: {err}")),
                        "{:?}",
                        e.notes
                    );
                }
            }
            assert_eq!(e.brier, Some(brier(p, yy).unwrap()));
            assert_eq!(
                e.decision_curve.as_ref(),
                Some(&decision_curve(p, yy, &default_dca_thresholds()).unwrap())
            );
            let roc: Vec<[f64; 2]> = roc_curve(p, yy)
                .unwrap()
                .iter()
                .map(|q| [1.0 - q.specificity, q.sensitivity])
                .collect();
            assert_eq!(e.roc, roc);
        }
    }
    assert_eq!(
        calibrated,
        [("a", "train"), ("b", "train"), ("b", "test")],
        "cohorts with a calibration"
    );
    for (cname, rows) in [("train", tr), ("test", te)] {
        let t = delong_paired(&a[rows.clone()], &b[rows.clone()], &y[rows]).unwrap();
        let c = ev.comparison("a", "b", Some(cname)).unwrap();
        assert_eq!((c.auc_a, c.auc_b, c.z, c.p), (t.auc1, t.auc2, t.z, t.p));
    }
    // Without the clip, the exact 0/1 leave calibration null with a note (training cohort).
    let plain = evaluate(
        &y,
        Some(CohortAssignment {
            cohort_of_row: &cohort,
            training: "train",
        }),
        &named,
        &EvaluateOptions::default(),
    )
    .unwrap();
    let e = plain.get("a", Some("train")).unwrap();
    assert!(e.calibration.is_none());
    assert!(e.notes.iter().any(|n| n.starts_with("calibration:")));
    assert!(e.auc_bootstrap.is_none() && e.decision_curve.is_none());
}

#[test]
fn listed_comparisons_and_option_errors() {
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let gpath = dlr_testutil::require_shared!("golden/roc.json");
    let (y, _, named) = asah(&apath, &["s100b", "ndka", "wfns"]);
    let only = EvaluateOptions {
        comparisons: ComparisonPairs::Listed(vec![("wfns".into(), "s100b".into())]),
        ..EvaluateOptions::default()
    };
    let ev = evaluate(&y, None, &named, &only).unwrap();
    assert_eq!(ev.comparisons.len(), 1);
    let c = &ev.comparisons[0];
    assert_eq!((c.a.as_str(), c.b.as_str()), ("wfns", "s100b"));
    // Swapping the pair flips the sign of z and the difference; p is unchanged.
    let g = json(&gpath);
    let t = &g["asah_delong_tests"]["s100b_vs_wfns"];
    assert_close("z", c.z, -num(&t["Z"]), 1e-9);
    assert_close("p", c.p, num(&t["p_value"]), 1e-10);
    let none = EvaluateOptions {
        comparisons: ComparisonPairs::None,
        ..EvaluateOptions::default()
    };
    assert!(evaluate(&y, None, &named, &none)
        .unwrap()
        .comparisons
        .is_empty());
    let err = |o: EvaluateOptions| evaluate(&y, None, &named, &o).unwrap_err().to_string();
    let e = err(EvaluateOptions {
        comparisons: ComparisonPairs::Listed(vec![("wfns".into(), "zzz".into())]),
        ..EvaluateOptions::default()
    });
    assert!(e.contains("'zzz'"), "{e}");
    let e = err(EvaluateOptions {
        level: 1.0,
        ..EvaluateOptions::default()
    });
    assert!(e.contains("level"), "{e}");
    let e = err(EvaluateOptions {
        bootstrap: Some(BootstrapSettings {
            replicates: 1,
            seed: 0,
        }),
        ..EvaluateOptions::default()
    });
    assert!(e.contains("replicates"), "{e}");
    let e = err(EvaluateOptions {
        dca_thresholds: Some(vec![0.5, 1.0]),
        ..EvaluateOptions::default()
    });
    assert!(e.contains("threshold 1"), "{e}");
    // Options are serde: kebab-case enums, unknown keys rejected.
    let o: EvaluateOptions = serde_json::from_str(
        r#"{"proportion_ci":"clopper-pearson","comparisons":"none","bootstrap":{"replicates":100,"seed":3}}"#,
    )
    .unwrap();
    assert_eq!(o.proportion_ci, BinomialCi::ClopperPearson);
    assert_eq!(o.comparisons, ComparisonPairs::None);
    assert_eq!(o.level, 0.95);
    assert!(serde_json::from_str::<EvaluateOptions>(r#"{"levle":0.9}"#).is_err());
    // Duplicate score names and non-finite values are errors, not silent.
    let dup = vec![named[0].clone(), named[0].clone()];
    assert!(evaluate(&y, None, &dup, &EvaluateOptions::default())
        .unwrap_err()
        .to_string()
        .contains("twice"));
    let mut bad = named[..1].to_vec();
    bad[0].1[3] = f64::NAN;
    assert!(evaluate(&y, None, &bad, &EvaluateOptions::default())
        .unwrap_err()
        .to_string()
        .contains("row index 3"));
}

#[test]
fn text_format_is_a_readable_table() {
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let ev = evaluate_csv(
        &apath,
        &PredictionColumns::new("poor", &["s100b", "wfns"]),
        &EvaluateOptions::default(),
    )
    .unwrap();
    let t = ev.to_text();
    let lines: Vec<&str> = t.lines().collect();
    assert!(lines[0].starts_with("Evaluation of outcome 'poor': AUC with DeLong 95% CI"));
    assert!(
        lines[2].starts_with("score  cohort  n    events  AUC (CI)"),
        "{t}"
    );
    assert!(lines[3].starts_with("-----  ------  ---  ------"), "{t}");
    // pROC: AUC 0.731 (0.630-0.833), Youden threshold 0.205, sensitivity 0.634.
    let s100b = lines[4];
    assert!(
        s100b.starts_with("s100b  all     113  41      0.731 (0.630, 0.833)  >= 0.205 "),
        "{t}"
    );
    assert!(s100b.contains("0.634 ("), "{t}");
    let wfns = lines[5];
    assert!(wfns.contains("0.824 (0.749, 0.899)  >= 3.5 "), "{t}");
    assert!(t.contains("\nPaired DeLong comparisons\n"), "{t}");
    // s100b - wfns = -0.092, p = 0.027.
    let cmp = t.lines().find(|l| l.starts_with("s100b vs wfns")).unwrap();
    assert!(
        cmp.contains("0.731  0.824  -0.092 (-0.174, -0.010)") && cmp.ends_with("0.027"),
        "{cmp}"
    );
    assert!(t.contains(
        "\nNotes\n- s100b: brier/calibration/decision curve: score is not a probability"
    ));
}

#[test]
fn evaluate_degenerate_inputs() {
    let y = vec![true, false, true, false];
    let s = vec![("s".to_string(), vec![0.9, 0.1, 0.8, 0.3])];
    let o = EvaluateOptions::default();
    let c: Vec<String> = ["a", "a", "b", "b"].iter().map(|v| v.to_string()).collect();
    // Training value missing from the data, length mismatches.
    let missing = CohortAssignment {
        cohort_of_row: &c,
        training: "zzz",
    };
    assert!(evaluate(&y, Some(missing), &s, &o).is_err());
    assert!(evaluate(&y[..3], None, &s, &o).is_err());
    let short = CohortAssignment {
        cohort_of_row: &c[..3],
        training: "a",
    };
    assert!(evaluate(&y, Some(short), &s, &o).is_err());
    assert!(evaluate(&y, None, &[], &o).is_err());
    // One class only in the training data -> clear error.
    assert!(evaluate(&[true, true, true, true], None, &s, &o).is_err());
    // One class only in a test cohort -> AUC null with a note, no panic.
    let y2 = vec![true, false, true, true];
    let train_a = CohortAssignment {
        cohort_of_row: &c,
        training: "a",
    };
    let ev = evaluate(&y2, Some(train_a), &s, &o).unwrap();
    let test = ev.get("s", Some("b")).unwrap();
    assert!(test.auc.is_none() && test.auc_ci.is_none() && !test.notes.is_empty());
    assert!(test.youden.specificity.is_nan());
    // Probabilities of exactly 0/1: Brier given, calibration null with a note.
    let s01 = vec![("s".to_string(), vec![1.0, 0.0, 1.0, 0.0])];
    let ev = evaluate(&y, None, &s01, &o).unwrap();
    assert_eq!(ev.scores[0].brier, Some(0.0));
    assert!(ev.scores[0].calibration.is_none());
    // Two scores on a cohort with too few subjects: the comparison is reported as a note.
    let two = vec![s[0].clone(), ("t".to_string(), vec![0.2, 0.4, 0.6, 0.1])];
    let ev = evaluate(&y2, Some(train_a), &two, &o).unwrap();
    assert!(ev.comparison("s", "t", Some("b")).is_none());
    assert!(ev
        .notes
        .iter()
        .any(|n| n.starts_with("comparison s vs t in cohort b:")));
    // CSV errors: missing column, bad cell with its row, cohort without train value.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("p.csv");
    std::fs::write(&f, "y,s\n1,0.9\n0,NA\n").unwrap();
    let err = evaluate_csv(&f, &PredictionColumns::new("y", &["t"]), &o)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column 't'"), "{err}");
    let cols = PredictionColumns::new("y", &["s"]);
    let err = evaluate_csv(&f, &cols, &o).unwrap_err().to_string();
    assert!(err.contains("row 3"), "{err}");
    let mut no_train = cols.clone();
    no_train.cohort = Some("y".into());
    let err = evaluate_csv(&f, &no_train, &o).unwrap_err().to_string();
    assert!(err.contains("--train"), "{err}");
}
