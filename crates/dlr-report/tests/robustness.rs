//! Property tests: arbitrary numbers (NaN, infinities, out-of-range, empty, ragged) never make a
//! chart panic; they give either a clear error or a figure whose SVG is well-formed XML and whose
//! PNG decodes at the requested size.

use dlr_report::*;
use proptest::prelude::*;

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        8 => 0.0f64..=1.0,
        1 => -5.0f64..5.0,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
    ]
}

fn check(fig: Result<Figure>) {
    match fig {
        Ok(f) => {
            let svg = f.to_svg();
            roxmltree::Document::parse(&svg).expect("well-formed SVG");
            let png = f.to_png(120, 90).expect("png");
            let img = image::load_from_memory(&png).expect("decodes");
            assert_eq!((img.width(), img.height()), (120, 90));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// Characters XML 1.0 forbids (NUL and other controls, U+FFFE/U+FFFF) in titles, legends and
/// axis labels are replaced, so the SVG stays well-formed; tab/newline and astral characters stay.
#[test]
fn forbidden_xml_characters_are_replaced() {
    let label = "a\0b\u{1}c\u{1b}d\u{fffe}e\u{ffff}f\tg\u{1F600}";
    let fig = roc_figure(
        label,
        &[RocSeries {
            label: label.into(),
            fpr: vec![0.0, 0.5, 1.0],
            tpr: vec![0.0, 0.8, 1.0],
        }],
    )
    .expect("figure");
    let svg = fig.to_svg();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f")),
        "{texts:?}"
    );
    assert!(svg.contains('\u{1F600}'));
    assert_eq!(escape_html("x\0<y>\r\n"), "x\u{FFFD}&lt;y&gt;\r\n");
    check(Ok(fig));
}

proptest! {
    #![proptest_config(dlr_testutil::proptest_config(48))]

    #[test]
    fn roc_never_panics(fpr in prop::collection::vec(any_value(), 0..12), tpr in prop::collection::vec(any_value(), 0..12), label in ".{0,40}") {
        check(roc_figure(&label, &[RocSeries { label: label.clone(), fpr, tpr }]));
    }

    #[test]
    fn dca_never_panics(th in prop::collection::vec(any_value(), 0..10), nb in prop::collection::vec(any_value(), 0..10)) {
        check(decision_curve_figure("DCA", &th, &[("Model".into(), nb.clone()), ("Treat all".into(), nb)]));
    }

    #[test]
    fn lasso_and_bars_never_panic(v in prop::collection::vec(-1e6f64..1e6, 1..10), names in prop::collection::vec("[a-z<>&]{0,12}", 1..10)) {
        let n = v.len();
        check(lasso_cv_figure("CV", &LassoCvCurve {
            log_lambda: v.clone(),
            cvm: v.iter().map(|x| x.abs()).collect(),
            cvsd: vec![0.1; n],
            log_lambda_min: v[0],
            log_lambda_1se: v[n - 1],
            measure: "Deviance".into(),
            n_nonzero: Some(vec![1; n]),
        }));
        let feats: Vec<(String, f64)> = names.iter().cloned().zip(v.iter().copied()).collect();
        check(coefficient_bars_figure("Bars", &feats));
        check(coefficient_path_figure("Paths", &v, &[("a".into(), v.clone())]));
    }

    #[test]
    fn calibration_never_panics(g in prop::collection::vec((any_value(), any_value(), any_value(), any_value()), 0..8)) {
        let groups = g.iter().map(|&(predicted, observed, ci_low, ci_high)| CalibrationGroup { predicted, observed, ci_low, ci_high }).collect();
        check(calibration_figure("Cal", &[CalibrationSeries { label: "m".into(), groups, smooth_predicted: vec![], smooth_observed: vec![] }]));
    }
}
