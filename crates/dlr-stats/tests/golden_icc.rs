//! ICC against `golden/icc.json` (R psych 2.2.9 `ICC(lmer = FALSE)`), every form and set.
#![allow(clippy::needless_range_loop)]
mod common;
use common::*;
use dlr_stats::*;

#[test]
fn icc_matches_psych() {
    let gpath = dlr_testutil::require_shared!("golden/icc.json");
    let dpath = dlr_testutil::require_shared!("golden/data/shrout_fleiss_1979.csv");
    let g = json(&gpath);
    let sf = Table::read(&dpath);
    let sets = [
        ("all_4_judges", vec!["J1", "J2", "J3", "J4"]),
        ("two_readers_J1_J2", vec!["J1", "J2"]),
        ("two_readers_J1_J4", vec!["J1", "J4"]),
    ];
    let mut checked = 0;
    for (key, judges) in sets {
        let cols: Vec<Vec<f64>> = judges.iter().map(|j| sf.f64s(j)).collect();
        let n = cols[0].len();
        let ratings: Vec<Vec<f64>> = (0..n)
            .map(|i| cols.iter().map(|c| c[i]).collect())
            .collect();
        let t = icc(&ratings).unwrap();
        let set = &g[key];
        assert_eq!(t.n_subjects as f64, num(&set["n_targets"]));
        assert_eq!(t.k_raters as f64, num(&set["k_raters"]));
        let ms = &set["mean_squares"];
        assert_close("MSR", t.msr, num(&ms["MSR"]), 1e-9);
        assert_close("MSC", t.msc, num(&ms["MSC"]), 1e-9);
        assert_close("MSE", t.mse, num(&ms["MSE"]), 1e-9);
        assert_close("MSW", t.msw, num(&ms["MSW"]), 1e-9);
        let forms = set["icc"].as_object().unwrap();
        assert_eq!(forms.len(), 6);
        for (name, e) in forms {
            let form = *IccForm::ALL
                .iter()
                .find(|f| f.psych_name() == name)
                .unwrap();
            let r = t.get(form);
            let w = format!("{key}/{name}");
            assert_close(&format!("{w} ICC"), r.icc, num(&e["ICC"]), 1e-9);
            assert_close(&format!("{w} F"), r.f, num(&e["F"]), 1e-9);
            assert_close(&format!("{w} df1"), r.df1, num(&e["df1"]), 1e-12);
            assert_close(&format!("{w} df2"), r.df2, num(&e["df2"]), 1e-12);
            assert_close(&format!("{w} p"), r.p, num(&e["p"]), 1e-10);
            assert_close(
                &format!("{w} lower"),
                r.ci_lower,
                num(&e["ci95_lower"]),
                1e-8,
            );
            assert_close(
                &format!("{w} upper"),
                r.ci_upper,
                num(&e["ci95_upper"]),
                1e-8,
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 18);
}
