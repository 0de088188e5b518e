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

#[test]
fn delong_ci_youden_curve_direction_match_proc() {
    let gpath = dlr_testutil::require_shared!("golden/roc.json");
    let g = json(&gpath);
    for (name, e, s, y) in entries(&g) {
        let ci = auc_delong(&s, &y, 0.95).unwrap();
        assert_close(&format!("{name} auc"), ci.auc, num(&e["auc"]), 1e-12);
        assert_close(
            &format!("{name} var"),
            ci.var,
            num(&e["auc_var_delong"]),
            1e-12,
        );
        assert_close(
            &format!("{name} se"),
            ci.se,
            num(&e["auc_se_delong"]),
            1e-12,
        );
        let want = e["ci95_delong"].as_array().unwrap();
        assert_close(&format!("{name} lo"), ci.lower, num(&want[0]), 1e-9);
        assert_close(&format!("{name} hi"), ci.upper, num(&want[1]), 1e-9);

        // pROC's automatic direction, made explicit.
        let auto = resolve_direction(&s, &y, RocDirection::Auto).unwrap();
        let want_dir = if e["auto_direction"].as_str().unwrap() == "<" {
            RocDirection::HigherIsPositive
        } else {
            RocDirection::LowerIsPositive
        };
        assert_eq!(auto, want_dir, "{name}");
        let a = roc_auc_directed(&s, &y, RocDirection::Auto).unwrap();
        assert_close(
            &format!("{name} auto auc"),
            a,
            num(&e["auc_auto_direction"]),
            1e-12,
        );

        // Youden: every tie, all metrics.
        let yd = &e["youden"];
        let ties = youden_thresholds(&s, &y).unwrap();
        assert_eq!(ties.len() as f64, num(&yd["n_ties"]), "{name}");
        let as_list = |v: &serde_json::Value| -> Vec<f64> {
            match v {
                serde_json::Value::Array(a) => a.iter().map(num).collect(),
                other => vec![num(other)],
            }
        };
        let thr = as_list(&yd["threshold"]);
        for (k, t) in ties.iter().enumerate() {
            assert_close(&format!("{name} thr"), t.threshold, thr[k], 1e-9);
            let m = cutoff_metrics(&s, &y, t.threshold, BinomialCi::Wilson, 0.95).unwrap();
            let pick = |key: &str| as_list(&yd[key])[k];
            assert_close(
                &format!("{name} sens"),
                m.sensitivity.estimate,
                pick("sensitivity"),
                1e-12,
            );
            assert_close(
                &format!("{name} spec"),
                m.specificity.estimate,
                pick("specificity"),
                1e-12,
            );
            assert_close(&format!("{name} ppv"), m.ppv.estimate, pick("ppv"), 1e-12);
            assert_close(&format!("{name} npv"), m.npv.estimate, pick("npv"), 1e-12);
            assert_close(
                &format!("{name} acc"),
                m.accuracy.estimate,
                pick("accuracy"),
                1e-12,
            );
            assert_eq!(m.tp as f64, pick("tp"));
            assert_eq!(m.fp as f64, pick("fp"));
            assert_eq!(m.tn as f64, pick("tn"));
            assert_eq!(m.fn_ as f64, pick("fn"));
            assert_close(
                &format!("{name} J+1"),
                t.sensitivity + t.specificity,
                pick("youden_index_plus1"),
                1e-12,
            );
        }
        let best = youden_threshold(&s, &y).unwrap();
        assert_close(&format!("{name} best"), best.threshold, thr[0], 1e-9);

        // Full curve where the golden has it.
        if let Some(c) = e.get("curve") {
            let pts = roc_curve(&s, &y).unwrap();
            let t = c["thresholds"].as_array().unwrap();
            let se = c["sensitivities"].as_array().unwrap();
            let sp = c["specificities"].as_array().unwrap();
            assert_eq!(pts.len(), t.len(), "{name}");
            for (k, p) in pts.iter().enumerate() {
                let want_t = num(&t[k]);
                if want_t.is_infinite() {
                    assert_eq!(p.threshold, want_t);
                } else {
                    assert_close(&format!("{name} t{k}"), p.threshold, want_t, 1e-9);
                }
                assert_close(&format!("{name} se{k}"), p.sensitivity, num(&se[k]), 1e-12);
                assert_close(&format!("{name} sp{k}"), p.specificity, num(&sp[k]), 1e-12);
            }
        }
    }
}

#[test]
fn paired_delong_tests_match_proc() {
    let gpath = dlr_testutil::require_shared!("golden/roc.json");
    let g = json(&gpath);
    let all = entries(&g);
    let find = |prefix: &str, name: &str| {
        all.iter()
            .find(|(n, ..)| n == &format!("{prefix}/{name}"))
            .unwrap_or_else(|| panic!("{prefix}/{name}"))
            .clone()
    };
    let mut n_tests = 0;
    for (section, prefix) in [
        ("asah_delong_tests", "asah"),
        ("breast_cancer_delong_tests", "bc"),
    ] {
        for (tname, t) in g[section].as_object().unwrap() {
            let a = find(prefix, t["roc1"].as_str().unwrap());
            let b = find(prefix, t["roc2"].as_str().unwrap());
            let r = delong_paired(&a.2, &b.2, &a.3).unwrap();
            assert_close(&format!("{tname} Z"), r.z, num(&t["Z"]), 1e-9);
            assert_close(&format!("{tname} p"), r.p, num(&t["p_value"]), 1e-10);
            assert_close(&format!("{tname} auc1"), r.auc1, num(&t["auc1"]), 1e-12);
            assert_close(&format!("{tname} auc2"), r.auc2, num(&t["auc2"]), 1e-12);
            if t["cov_delong"].is_number() {
                assert_close(&format!("{tname} cov"), r.cov, num(&t["cov_delong"]), 1e-12);
            }
            n_tests += 1;
        }
    }
    assert_eq!(n_tests, 4);
}

#[test]
fn unpaired_delong_matches_proc() {
    // Reference computed here with R 4.2.2 + Debian r-cran-proc 1.18.0:
    //   roc.test(roc(poor[train], s100b[train], levels = c(0,1), direction = "<"),
    //            roc(poor[test],  s100b[test],  ...), method = "delong", paired = FALSE)
    //   D = 0.90057459596294376, df = 52.19926, p = 0.37195081701950461
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let a = Table::read(&apath);
    let c = a.strs("cohort").to_vec();
    let s = a.f64s("s100b");
    let y: Vec<bool> = a.f64s("poor").iter().map(|&v| v == 1.0).collect();
    let part = |want: &str| -> (Vec<f64>, Vec<bool>) {
        (0..s.len())
            .filter(|&i| c[i] == want)
            .map(|i| (s[i], y[i]))
            .unzip()
    };
    let (s1, y1) = part("train");
    let (s2, y2) = part("test");
    let t = delong_unpaired(&s1, &y1, &s2, &y2).unwrap();
    assert_close("D", t.z, 0.900_574_595_962_943_8, 1e-10);
    assert_close("df", t.df.unwrap(), 52.19926, 1e-5);
    assert_close("p", t.p, 0.371_950_817_019_504_6, 1e-9);
}
