//! Selectors against the R goldens: Mann–Whitney p-values and the greedy correlation filter
//! (../shared/golden/mannwhitney_corr.json), ICC forms (../shared/golden/icc.json).
mod common;

use common::*;
use dlr_learn::stats::{icc, mann_whitney, pearson, spearman};
use dlr_learn::{
    CorrelationFilter, CorrelationMethod, IccFilter, IccForm, LearnError, MannWhitneyFilter, Matrix,
};

fn bc_all() -> Option<(serde_json::Value, Matrix, Vec<bool>)> {
    let g = dlr_testutil::shared_dir()?.join("golden");
    let gold = json(&g.join("mannwhitney_corr.json"));
    let t = read_table(&g.join("data/breast_cancer.csv"));
    let names: Vec<String> = t
        .header
        .iter()
        .filter(|h| *h != "target" && *h != "malignant")
        .cloned()
        .collect();
    let x = t.matrix(&names);
    let y = t.f64_col("malignant").iter().map(|v| *v == 1.0).collect();
    Some((gold, x, y))
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn mann_whitney_filter_matches_r_wilcox() {
    let _ = dlr_testutil::require_shared!("golden/mannwhitney_corr.json");
    let Some((gold, x, y)) = bc_all() else { return };
    let mw = &gold["mann_whitney"];
    for (cont, key) in [
        (true, "p_normal_continuity"),
        (false, "p_normal_no_continuity"),
    ] {
        let f = MannWhitneyFilter::new(0.05, false)
            .unwrap()
            .continuity(cont);
        let out = f.select(&x, &y).unwrap();
        for (name, p) in &out.statistic {
            let want = mw["features"][name.as_str()][key].as_f64().unwrap();
            assert!(
                (p - want).abs() <= 1e-10 * want.max(1e-300) + 1e-300,
                "{name} {key}: {p} vs {want}"
            );
        }
        if cont {
            assert_eq!(out.kept, strings(&mw["features_p_lt_0.05"]));
        }
    }
    // U statistic and the tied aSAH example
    let c = x.column(0);
    let pos: Vec<f64> = c
        .iter()
        .zip(&y)
        .filter(|(_, &b)| b)
        .map(|(v, _)| *v)
        .collect();
    let neg: Vec<f64> = c
        .iter()
        .zip(&y)
        .filter(|(_, &b)| !b)
        .map(|(v, _)| *v)
        .collect();
    let (u, _) = mann_whitney(&pos, &neg, true).unwrap();
    assert_eq!(
        u,
        mw["features"]["mean_radius"]["U_malignant"]
            .as_f64()
            .unwrap()
    );
    let a = read_table(
        &dlr_testutil::shared_dir()
            .unwrap()
            .join("golden/data/asah.csv"),
    );
    let s = a.f64_col("s100b");
    let poor = a.f64_col("poor");
    let p1: Vec<f64> = s
        .iter()
        .zip(&poor)
        .filter(|(_, p)| **p == 1.0)
        .map(|(v, _)| *v)
        .collect();
    let p0: Vec<f64> = s
        .iter()
        .zip(&poor)
        .filter(|(_, p)| **p == 0.0)
        .map(|(v, _)| *v)
        .collect();
    let ex = &mw["asah_s100b_example"];
    let (u, p) = mann_whitney(&p1, &p0, true).unwrap();
    assert_eq!(u, ex["U_poor"].as_f64().unwrap());
    assert!((p - ex["p_normal_continuity"].as_f64().unwrap()).abs() < 1e-12);
    let (_, p) = mann_whitney(&p1, &p0, false).unwrap();
    assert!((p - ex["p_normal_no_continuity"].as_f64().unwrap()).abs() < 1e-12);
}

#[test]
fn correlations_match_r_cor() {
    let _ = dlr_testutil::require_shared!("golden/mannwhitney_corr.json");
    let Some((gold, x, _)) = bc_all() else { return };
    let cols = x.columns();
    let pm = gold["correlation"]["pearson"].as_array().unwrap();
    let sm = gold["correlation"]["spearman"].as_array().unwrap();
    for i in 0..cols.len() {
        let pr = f64s(&pm[i]);
        let sr = f64s(&sm[i]);
        for j in 0..cols.len() {
            if i == j {
                continue;
            }
            assert!((pearson(&cols[i], &cols[j]) - pr[j]).abs() < 1e-12);
            assert!((spearman(&cols[i], &cols[j]) - sr[j]).abs() < 1e-12);
        }
    }
}

#[test]
fn greedy_correlation_filter_matches_specification() {
    let _ = dlr_testutil::require_shared!("golden/mannwhitney_corr.json");
    let Some((gold, x, _)) = bc_all() else { return };
    let rf = &gold["redundancy_filter"];
    for (method, key) in [
        (CorrelationMethod::Pearson, "greedy_on_pearson"),
        (
            CorrelationMethod::MaxAbs,
            "greedy_on_max_abs_pearson_spearman",
        ),
    ] {
        let out = CorrelationFilter::new(0.6, method)
            .unwrap()
            .select(&x)
            .unwrap();
        assert_eq!(out.kept, strings(&rf[key]["kept"]), "{key} kept");
        assert_eq!(
            out.dropped,
            strings(&rf[key]["dropped_in_order"]),
            "{key} drop order"
        );
    }
    assert!(matches!(
        CorrelationFilter::new(1.5, CorrelationMethod::Pearson),
        Err(LearnError::InvalidParam { .. })
    ));
}

#[test]
fn icc_forms_match_psych() {
    let _ = dlr_testutil::require_shared!("golden/icc.json");
    let g = dlr_testutil::shared_dir().unwrap().join("golden");
    let gold = json(&g.join("icc.json"));
    let t = read_table(&g.join("data/shrout_fleiss_1979.csv"));
    let judges: Vec<Vec<f64>> = ["J1", "J2", "J3", "J4"]
        .iter()
        .map(|j| t.f64_col(j))
        .collect();
    let table = |js: &[usize]| -> Vec<Vec<f64>> {
        (0..6)
            .map(|i| js.iter().map(|&j| judges[j][i]).collect())
            .collect()
    };
    let forms = [
        (IccForm::Icc1, "ICC1"),
        (IccForm::Icc2, "ICC2"),
        (IccForm::Icc3, "ICC3"),
        (IccForm::Icc1k, "ICC1k"),
        (IccForm::Icc2k, "ICC2k"),
        (IccForm::Icc3k, "ICC3k"),
    ];
    for (block, js) in [
        ("all_4_judges", vec![0, 1, 2, 3]),
        ("two_readers_J1_J2", vec![0, 1]),
    ] {
        for (form, key) in forms {
            let want = gold[block]["icc"][key]["ICC"].as_f64().unwrap();
            let got = icc(&table(&js), form).unwrap();
            assert!((got - want).abs() < 1e-12, "{block} {key}: {got} vs {want}");
        }
    }
    // the filter on two readers: feature "a" = J1/J2 (ICC2 0.126) is dropped, a reproducible one kept
    let ra = Matrix::from_columns(
        &[judges[0].clone(), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]],
        vec!["a".into(), "b".into()],
    )
    .unwrap();
    let rb = Matrix::from_columns(
        &[judges[1].clone(), vec![1.1, 2.0, 2.9, 4.1, 5.0, 6.1]],
        vec!["a".into(), "b".into()],
    )
    .unwrap();
    let out = IccFilter::new(0.75, IccForm::Icc2)
        .unwrap()
        .select(&ra, &rb)
        .unwrap();
    assert_eq!(out.kept, vec!["b".to_string()]);
    assert_eq!(out.dropped, vec!["a".to_string()]);
}
