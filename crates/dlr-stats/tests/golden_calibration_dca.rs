//! Calibration and decision curves against `golden/calibration_dca.json` (R 4.2.2, rms 6.5-0).
mod common;
use common::*;
use dlr_stats::*;

#[test]
fn calibration_and_dca_match_r() {
    let gpath = dlr_testutil::require_shared!("golden/calibration_dca.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let asah = Table::read(&apath);
    let poor: Vec<bool> = asah.f64s("poor").iter().map(|&v| v == 1.0).collect();
    for (key, pred_key) in [
        ("apparent_all_data", "predictions"),
        ("train_to_test", "predictions_test"),
    ] {
        let s = &g[key];
        let p: Vec<f64> = s[pred_key].as_array().unwrap().iter().map(num).collect();
        let y: Vec<bool> = if key == "train_to_test" {
            s["test_rows_1based"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| poor[num(r) as usize - 1])
                .collect()
        } else {
            poor.clone()
        };
        assert_eq!(p.len(), y.len());
        let c = calibration(&p, &y).unwrap();
        assert_close(&format!("{key} brier"), c.brier, num(&s["brier"]), 1e-12);
        assert_close(&format!("{key} slope"), c.slope, num(&s["cal_slope"]), 1e-6);
        assert_close(
            &format!("{key} intercept"),
            c.intercept,
            num(&s["cal_intercept_joint"]),
            1e-6,
        );
        assert_close(
            &format!("{key} citl"),
            c.citl,
            num(&s["cal_in_the_large"]),
            1e-6,
        );
        let v = &s["rms_val_prob"];
        assert_close(&format!("{key} Dxy"), c.dxy, num(&v["Dxy"]), 1e-9);
        assert_close(&format!("{key} C"), c.c, num(&v["C (ROC)"]), 1e-9);
        assert_close(&format!("{key} R2"), c.r2, num(&v["R2"]), 1e-6);
        assert_close(
            &format!("{key} Intercept"),
            c.intercept,
            num(&v["Intercept"]),
            1e-6,
        );
        assert_close(&format!("{key} Slope"), c.slope, num(&v["Slope"]), 1e-6);
        assert_close(&format!("{key} Emax"), c.emax, num(&v["Emax"]), 1e-6);
        assert_close(&format!("{key} E90"), c.e90, num(&v["E90"]), 1e-6);
        assert_close(&format!("{key} Eavg"), c.eavg, num(&v["Eavg"]), 1e-6);
        assert_close(&format!("{key} Brier"), c.brier, num(&v["Brier"]), 1e-12);
        assert_close(&format!("{key} U"), c.u, num(&v["U"]), 1e-6);
        assert_close(&format!("{key} Q"), c.q, num(&v["Q"]), 1e-6);

        let hl = c.hosmer_lemeshow.as_ref().unwrap();
        let w = &s["hosmer_lemeshow_g10"];
        assert_close(
            &format!("{key} HL"),
            hl.statistic,
            num(&w["statistic"]),
            1e-9,
        );
        assert_close(&format!("{key} HL df"), hl.df, num(&w["df"]), 0.0);
        assert_close(&format!("{key} HL p"), hl.p, num(&w["p_value"]), 1e-9);
        let b = &w["bins"];
        let brk: Vec<f64> = b["breaks"].as_array().unwrap().iter().map(num).collect();
        assert_eq!(hl.breaks.len(), brk.len());
        for (a, w) in hl.breaks.iter().zip(&brk) {
            assert_close("break", *a, *w, 1e-12);
        }
        let nn: Vec<f64> = b["n"].as_array().unwrap().iter().map(num).collect();
        let oe: Vec<f64> = b["observed_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(num)
            .collect();
        let ee: Vec<f64> = b["expected_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(num)
            .collect();
        assert_eq!(hl.n.len(), nn.len());
        for k in 0..nn.len() {
            assert_eq!(hl.n[k] as f64, nn[k]);
            assert_close("obs", hl.observed_events[k], oe[k], 1e-12);
            assert_close("exp", hl.expected_events[k], ee[k], 1e-10);
        }

        let d = &s["dca"];
        let thr: Vec<f64> = d["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .map(num)
            .collect();
        assert_eq!(thr, default_dca_thresholds());
        let dc = decision_curve(&p, &y, &thr).unwrap();
        for (field, got) in [
            ("net_benefit_model", &dc.net_benefit_model),
            ("net_benefit_treat_all", &dc.net_benefit_treat_all),
            ("net_benefit_treat_none", &dc.net_benefit_treat_none),
        ] {
            let want: Vec<f64> = d[field].as_array().unwrap().iter().map(num).collect();
            assert_eq!(got.len(), want.len());
            for (k, (a, b)) in got.iter().zip(&want).enumerate() {
                assert_close(&format!("{key} {field}[{k}]"), *a, *b, 1e-12);
            }
        }
    }
}
