//! Mann–Whitney and correlation against `golden/mannwhitney_corr.json` (R 4.2.2 `wilcox.test`, `cor`).
#![allow(clippy::needless_range_loop)]
mod common;
use common::*;
use dlr_stats::*;

#[test]
fn mann_whitney_and_correlations_match_r() {
    let gpath = dlr_testutil::require_shared!("golden/mannwhitney_corr.json");
    let dpath = dlr_testutil::require_shared!("golden/data/breast_cancer.csv");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let bc = Table::read(&dpath);
    let mal: Vec<bool> = bc.f64s("malignant").iter().map(|&v| v == 1.0).collect();

    let normal_cc = MannWhitneyOptions {
        method: MwMethod::Normal,
        ..Default::default()
    };
    let normal_nocc = MannWhitneyOptions {
        continuity: false,
        ..normal_cc
    };
    let feats = g["mann_whitney"]["features"].as_object().expect("features");
    assert_eq!(feats.len(), 30);
    let mut sig = Vec::new();
    for (name, e) in feats {
        let v = bc.f64s(name);
        let x: Vec<f64> = v
            .iter()
            .zip(&mal)
            .filter(|(_, &m)| m)
            .map(|(a, _)| *a)
            .collect();
        let y: Vec<f64> = v
            .iter()
            .zip(&mal)
            .filter(|(_, &m)| !m)
            .map(|(a, _)| *a)
            .collect();
        let a = mann_whitney_u(&x, &y, &normal_cc).unwrap();
        let b = mann_whitney_u(&x, &y, &normal_nocc).unwrap();
        // Default options must pick the normal approximation here (n >= 50 and ties).
        let d = mann_whitney_u(&x, &y, &MannWhitneyOptions::default()).unwrap();
        assert_eq!(d.method, MwMethod::Normal);
        assert_eq!(d.p, a.p);
        assert_close(name, a.u, num(&e["U_malignant"]), 1e-9);
        let ub = mann_whitney_u(&y, &x, &normal_cc).unwrap().u;
        assert_close(name, ub, num(&e["U_benign"]), 1e-9);
        assert_rel(name, a.p, num(&e["p_normal_continuity"]), 1e-9);
        assert_rel(name, b.p, num(&e["p_normal_no_continuity"]), 1e-9);
        assert_close(name, a.p, num(&e["p_normal_continuity"]), 1e-12);
        if a.p < 0.05 {
            sig.push(name.clone());
        }
    }
    let want_sig: Vec<String> = g["mann_whitney"]["features_p_lt_0.05"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut s1 = sig.clone();
    s1.sort();
    let mut s2 = want_sig.clone();
    s2.sort();
    assert_eq!(s1, s2);

    // Exact small example: rows 1..40, mean_area.
    let ex = &g["mann_whitney"]["exact_small_example"];
    let area = bc.f64s("mean_area");
    let x: Vec<f64> = (0..40).filter(|&i| mal[i]).map(|i| area[i]).collect();
    let y: Vec<f64> = (0..40).filter(|&i| !mal[i]).map(|i| area[i]).collect();
    assert_eq!(x.len() as f64, num(&ex["n1"]));
    assert_eq!(y.len() as f64, num(&ex["n2"]));
    let e = mann_whitney_u(&x, &y, &MannWhitneyOptions::default()).unwrap();
    assert_eq!(e.method, MwMethod::Exact);
    assert_close("exact U", e.u, num(&ex["U"]), 1e-12);
    assert_rel("p_exact", e.p, num(&ex["p_exact"]), 1e-10);
    let n = mann_whitney_u(&x, &y, &normal_cc).unwrap();
    assert_rel(
        "p_normal_cc small",
        n.p,
        num(&ex["p_normal_continuity"]),
        1e-10,
    );

    // aSAH s100b with ties.
    let asah = Table::read(&apath);
    let poor = asah.f64s("poor");
    let s = asah.f64s("s100b");
    let x: Vec<f64> = s
        .iter()
        .zip(&poor)
        .filter(|(_, &p)| p == 1.0)
        .map(|(a, _)| *a)
        .collect();
    let y: Vec<f64> = s
        .iter()
        .zip(&poor)
        .filter(|(_, &p)| p == 0.0)
        .map(|(a, _)| *a)
        .collect();
    let ta = &g["mann_whitney"]["asah_s100b_example"];
    let r = mann_whitney_u(&x, &y, &MannWhitneyOptions::default()).unwrap();
    assert_eq!(r.method, MwMethod::Normal);
    assert_close("asah U", r.u, num(&ta["U_poor"]), 1e-12);
    assert_rel("asah p cc", r.p, num(&ta["p_normal_continuity"]), 1e-10);
    let r = mann_whitney_u(&x, &y, &normal_nocc).unwrap();
    assert_rel(
        "asah p nocc",
        r.p,
        num(&ta["p_normal_no_continuity"]),
        1e-10,
    );

    // Correlation matrices, every entry.
    let order: Vec<String> = g["correlation"]["feature_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let cols: Vec<Vec<f64>> = order.iter().map(|f| bc.f64s(f)).collect();
    for (key, spear) in [("pearson", false), ("spearman", true)] {
        let want = g["correlation"][key].as_array().unwrap();
        let m = correlation_matrix(&cols, spear).unwrap();
        for i in 0..order.len() {
            let row = want[i].as_array().unwrap();
            for j in 0..order.len() {
                assert_close(&format!("{key}[{i}][{j}]"), m[i][j], num(&row[j]), 1e-12);
                if i != j {
                    let single = if spear {
                        spearman(&cols[i], &cols[j]).unwrap()
                    } else {
                        pearson(&cols[i], &cols[j]).unwrap()
                    };
                    assert_close(&format!("{key} pair"), single, num(&row[j]), 1e-12);
                }
            }
        }
        let mut count = 0;
        for i in 0..order.len() {
            for j in (i + 1)..order.len() {
                if m[i][j].abs() > 0.6 {
                    count += 1;
                }
            }
        }
        let list = g["correlation"][format!("pairs_{key}_abs_gt_0.6")]
            .as_array()
            .unwrap();
        assert_eq!(count, list.len());
        for e in list {
            let i = order
                .iter()
                .position(|f| f == e["a"].as_str().unwrap())
                .unwrap();
            let j = order
                .iter()
                .position(|f| f == e["b"].as_str().unwrap())
                .unwrap();
            assert_close("pair r", m[i][j], num(&e["r"]), 1e-12);
        }
    }

    // Greedy redundancy filter at 0.6 on Pearson and on max(|Pearson|, |Spearman|).
    let pm = correlation_matrix(&cols, false).unwrap();
    let sm = correlation_matrix(&cols, true).unwrap();
    let mm: Vec<Vec<f64>> = (0..order.len())
        .map(|i| {
            (0..order.len())
                .map(|j| pm[i][j].abs().max(sm[i][j].abs()))
                .collect()
        })
        .collect();
    let rf = &g["redundancy_filter"];
    assert_eq!(num(&rf["cutoff"]), 0.6);
    for (key, m) in [
        ("greedy_on_pearson", &pm),
        ("greedy_on_max_abs_pearson_spearman", &mm),
    ] {
        let f = greedy_correlation_filter(m, 0.6).unwrap();
        let names = |v: &[usize]| v.iter().map(|&k| order[k].clone()).collect::<Vec<_>>();
        let want = |k: &str| -> Vec<String> {
            rf[key][k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&f.kept), want("kept"), "{key}");
        assert_eq!(
            names(&f.dropped_in_order),
            want("dropped_in_order"),
            "{key}"
        );
    }
}
