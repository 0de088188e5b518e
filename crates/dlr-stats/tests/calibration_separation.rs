//! Logistic recalibration at the edge of separation against R 4.2.2 `glm`
//! (`tests/data/calibration_chisq.json`, made by `tools/stats/calibration_chisq_goldens.R`):
//! near-separating scores are fitted as R fits them; separating and constant scores, for which
//! `glm(y ~ logit(p))` has no finite maximum-likelihood estimate, give an error naming the case,
//! and `evaluate` reports `calibration: null` with that note.
mod common;
use common::*;
use dlr_stats::*;

fn golden() -> serde_json::Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calibration_chisq.json");
    json(&path)
}

fn case(g: &serde_json::Value, key: &str) -> (Vec<f64>, Vec<bool>) {
    let c = &g["calibration"][key];
    let p = c["p"].as_array().unwrap().iter().map(num).collect();
    let y = c["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| num(v) == 1.0)
        .collect();
    (p, y)
}

fn degenerate_why(r: Result<Calibration>) -> String {
    match r {
        Err(StatsError::Degenerate { why, .. }) => why,
        other => panic!("expected a degenerate-data error, got {other:?}"),
    }
}

#[test]
fn near_separating_scores_fit_as_r_glm() {
    let g = golden();
    for key in ["near_separation", "near_separation_2"] {
        let w = &g["calibration"][key];
        assert_eq!(w["converged"], true, "{key}");
        let (p, y) = case(&g, key);
        let c = calibration(&p, &y).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_close(&format!("{key} slope"), c.slope, num(&w["slope"]), 1e-8);
        assert_close(
            &format!("{key} intercept"),
            c.intercept,
            num(&w["intercept"]),
            1e-8,
        );
        assert_close(&format!("{key} citl"), c.citl, num(&w["citl"]), 1e-8);
    }
    // The one-pair overlap really is close to separation: a steep but finite slope.
    let steep = num(&g["calibration"]["near_separation"]["slope"]);
    assert!(steep > 5.0, "{steep}");
}

#[test]
fn separating_scores_have_no_calibration() {
    let g = golden();
    for (key, kind, order) in [
        ("complete_separation", "completely", "above every non-event"),
        (
            "complete_separation_reversed",
            "completely",
            "below every non-event",
        ),
        (
            "quasi_separation",
            "quasi-completely",
            "at or above p = 0.5",
        ),
    ] {
        // R gives a number here, with a warning, for a likelihood that has no maximum.
        let warned = g["calibration"][key]["glm_warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("numerically 0 or 1"));
        assert!(warned, "{key}: R's glm did not warn");
        let (p, y) = case(&g, key);
        let why = degenerate_why(calibration(&p, &y));
        assert!(
            why.contains(&format!("separates the outcomes {kind}")),
            "{key}: {why}"
        );
        assert!(why.contains(order), "{key}: {why}");
        assert!(why.contains("no finite maximum-likelihood"), "{key}: {why}");
    }
}

#[test]
fn constant_score_has_no_slope() {
    let g = golden();
    assert_eq!(g["calibration"]["constant"]["slope_is_na"], true);
    let (p, y) = case(&g, "constant");
    let why = degenerate_why(calibration(&p, &y));
    assert!(why.contains("the score is constant (p = 0.3)"), "{why}");
    assert!(why.contains("no slope"), "{why}");
}

#[test]
fn numerically_constant_score_is_singular_not_a_slope() {
    // Two probabilities one rounding step apart, both outcomes at each: not separated, but the
    // score column is aliased with the intercept (relative spread ~1e-15 < R's 1e-11).
    let (lo, hi) = (0.9_f64, 0.9_f64 + 2.0 * f64::EPSILON);
    let logit = |v: f64| (v / (1.0 - v)).ln();
    assert_ne!(logit(lo), logit(hi));
    let p = [lo, lo, lo, hi, hi, hi];
    let y = [true, false, true, false, true, false];
    let why = degenerate_why(calibration(&p, &y));
    assert!(why.contains("numerically constant"), "{why}");
    // A genuinely small but resolvable spread still fits (relative spread ~1e-6).
    let p = [0.9, 0.9, 0.9, 0.9 + 1e-7, 0.9 + 1e-7, 0.9 + 1e-7];
    let y = [true, false, false, false, true, true];
    let c = calibration(&p, &y).unwrap();
    // Two groups, 1/3 and 2/3 events: the fit reproduces both rates exactly.
    let fitted = |v: f64| 1.0 / (1.0 + (-(c.intercept + c.slope * logit(v))).exp());
    assert_close("rate at 0.9", fitted(0.9), 1.0 / 3.0, 1e-6);
    assert_close("rate at 0.9+1e-7", fitted(0.9 + 1e-7), 2.0 / 3.0, 1e-6);
}

#[test]
fn evaluate_reports_null_calibration_with_the_reason() {
    let g = golden();
    let (sep_p, y) = case(&g, "complete_separation");
    let (near_p, near_y) = case(&g, "near_separation");
    let ev = evaluate(
        &near_y,
        None,
        &[("near".into(), near_p.clone())],
        &EvaluateOptions::default(),
    )
    .unwrap();
    let c = ev.scores[0]
        .calibration
        .as_ref()
        .expect("near-separating score is calibrated");
    assert_close(
        "evaluate slope",
        c.slope,
        num(&g["calibration"]["near_separation"]["slope"]),
        1e-8,
    );
    let constant = vec![0.3; y.len()];
    let ev = evaluate(
        &y,
        None,
        &[("sep".into(), sep_p), ("flat".into(), constant)],
        &EvaluateOptions::default(),
    )
    .unwrap();
    for (e, needle) in ev
        .scores
        .iter()
        .zip(["separates the outcomes completely", "constant"])
    {
        assert!(e.calibration.is_none(), "{}", e.score);
        assert!(
            e.notes
                .iter()
                .any(|n| n.starts_with("calibration:") && n.contains(needle)),
            "{}: {:?}",
            e.score,
            e.notes
        );
        // The Brier score is still reported.
        assert!(e.brier.is_some());
    }
    let csv = ev.to_csv().unwrap();
    let sep_row = csv.lines().find(|l| l.starts_with("sep,")).unwrap();
    let cells: Vec<&str> = sep_row.split(',').collect();
    assert_eq!(&cells[20..23], &["", "", ""], "{sep_row}");
}
