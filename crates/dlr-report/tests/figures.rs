//! Figure tests: SVG is well-formed XML with the expected series and legend entries, data map to
//! the right pixels, lines stay inside the plot area, PNG decodes at the requested size and shows
//! the drawing, and bad input is rejected with a clear message.

use dlr_report::*;

fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).expect("SVG must be well-formed XML")
}

fn by_class<'a>(
    doc: &'a roxmltree::Document<'a>,
    tag: &str,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute("class") == Some(class))
        .collect()
}

/// Vertices of an SVG path written as "Mx yLx y...".
fn vertices(d: &str) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut buf = String::new();
    let mut cmds = Vec::new();
    for c in d.chars() {
        if c == 'M' || c == 'L' || c == 'Z' {
            if !buf.trim().is_empty() {
                cmds.push(buf.clone());
            }
            buf.clear();
            buf.push(c);
        } else {
            buf.push(c);
        }
    }
    if !buf.trim().is_empty() {
        cmds.push(buf);
    }
    for c in cmds {
        let (op, rest) = c.split_at(1);
        if op == "Z" {
            continue;
        }
        let v: Vec<f64> = rest
            .split_whitespace()
            .map(|s| s.parse().expect("number"))
            .collect();
        if op == "M" {
            out.push(Vec::new());
        }
        out.last_mut()
            .expect("path starts with M")
            .push((v[0], v[1]));
    }
    out
}

fn plot_rect(doc: &roxmltree::Document<'_>) -> (f64, f64, f64, f64) {
    let axis = by_class(doc, "path", "axis");
    assert_eq!(axis.len(), 1);
    let v = &vertices(axis[0].attribute("d").expect("d"))[0];
    let xs: Vec<f64> = v.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = v.iter().map(|p| p.1).collect();
    let min = |a: &[f64]| a.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = |a: &[f64]| a.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    (min(&xs), min(&ys), max(&xs), max(&ys))
}

fn roc3() -> Vec<RocSeries> {
    vec![
        RocSeries {
            label: "A (AUC 0.50)".into(),
            fpr: vec![0.0, 0.5, 1.0],
            tpr: vec![0.0, 0.5, 1.0],
        },
        RocSeries {
            label: "B".into(),
            fpr: vec![0.0, 0.0, 0.2, 1.0],
            tpr: vec![0.0, 0.6, 0.9, 1.0],
        },
        RocSeries {
            label: "C <script>alert(1)</script> & co".into(),
            fpr: vec![0.0, 0.3, 1.0],
            tpr: vec![0.0, 0.7, 1.0],
        },
    ]
}

#[test]
fn roc_svg_is_well_formed_with_one_path_and_legend_entry_per_series() {
    let fig = roc_figure("ROC, validation", &roc3()).expect("roc");
    let svg = fig.to_svg();
    let doc = parse(&svg);
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(by_class(&doc, "path", "series").len(), 3);
    // three series plus the chance line
    let labels: Vec<String> = by_class(&doc, "text", "legend-label")
        .iter()
        .map(|n| n.text().unwrap_or("").to_string())
        .collect();
    assert_eq!(labels.len(), 4, "{labels:?}");
    assert_eq!(labels[0], "A (AUC 0.50)");
    assert_eq!(labels[2], "C <script>alert(1)</script> & co");
    assert_eq!(labels[3], "Chance");
    assert!(svg.contains("C &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    assert!(!svg.contains("<script"));
    // self-contained: no external references or font files
    assert!(!svg.contains("href") && !svg.contains("@font-face") && !svg.contains("url("));
    assert_eq!(
        by_class(&doc, "text", "title")[0].text(),
        Some("ROC, validation")
    );
}

#[test]
fn roc_point_at_half_half_lies_on_the_pixel_diagonal_of_a_square_plot() {
    let fig = roc_figure("", &roc3()).expect("roc");
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let (l, t, r, b) = plot_rect(&doc);
    assert!(
        ((r - l) - (b - t)).abs() < 0.02,
        "ROC plot must be square: {l} {t} {r} {b}"
    );
    let diag = vertices(
        by_class(&doc, "path", "reference-line")[0]
            .attribute("d")
            .expect("d"),
    );
    assert_eq!(
        diag,
        vec![vec![(l, b), (r, t)]],
        "chance line runs corner to corner"
    );
    let a = &vertices(
        by_class(&doc, "path", "series")[0]
            .attribute("d")
            .expect("d"),
    )[0];
    assert_eq!(a.len(), 3);
    let (x, y) = a[1];
    // (0.5, 0.5) maps to the centre of the plot area, which is on the diagonal
    assert!((x - (l + r) / 2.0).abs() < 0.011, "x {x}");
    assert!((y - (t + b) / 2.0).abs() < 0.011, "y {y}");
    assert!(((x - l) - (b - y)).abs() < 0.02);
    // (0, 0.6) of series B: left edge, 60% of the height up
    let bpts = &vertices(
        by_class(&doc, "path", "series")[1]
            .attribute("d")
            .expect("d"),
    )[0];
    assert!((bpts[1].0 - l).abs() < 0.011);
    assert!((bpts[1].1 - (b - 0.6 * (b - t))).abs() < 0.011);
}

#[test]
fn roc_rejects_bad_input_with_clear_messages() {
    let bad = |fpr: Vec<f64>, tpr: Vec<f64>| {
        roc_figure(
            "x",
            &[RocSeries {
                label: "M".into(),
                fpr,
                tpr,
            }],
        )
    };
    let e = bad(vec![0.0, 1.0], vec![0.0, 1.2]).expect_err("tpr > 1");
    assert!(
        e.to_string().contains("tpr[1] = 1.2 lies outside [0, 1]"),
        "{e}"
    );
    let e = bad(vec![0.0, 0.5, 1.0], vec![0.0, 1.0]).expect_err("lengths");
    assert!(
        e.to_string().contains("fpr has 3 values but tpr has 2"),
        "{e}"
    );
    let e = bad(vec![0.0, f64::NAN], vec![0.0, 1.0]).expect_err("nan");
    assert!(e.to_string().contains("fpr[1] is not finite"), "{e}");
    assert!(roc_figure("x", &[]).is_err());
}

#[test]
fn png_decodes_at_requested_size_and_is_not_blank() {
    let fig = roc_figure("ROC", &roc3()).expect("roc");
    for (w, h) in [(640u32, 640u32), (900, 500)] {
        let png = fig.to_png(w, h).expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let img = image::load_from_memory(&png).expect("decodes").to_rgba8();
        assert_eq!(img.dimensions(), (w, h));
        let n = (w * h) as usize;
        let non_white = img
            .pixels()
            .filter(|p| p.0[0] < 240 || p.0[1] < 240 || p.0[2] < 240)
            .count();
        assert!(non_white > n / 100, "only {non_white} of {n} pixels drawn");
        assert!(
            non_white < n / 2,
            "{non_white} of {n} pixels dark: background missing?"
        );
        // the first series' Okabe–Ito blue (0, 114, 178) is present
        let blue = img
            .pixels()
            .filter(|p| {
                (p.0[0] as i32).abs() < 20
                    && (p.0[1] as i32 - 114).abs() < 20
                    && (p.0[2] as i32 - 178).abs() < 20
            })
            .count();
        assert!(blue > 50, "series colour missing: {blue}");
    }
    assert!(fig.to_png(0, 10).is_err());
    assert!(fig.to_png(20_000, 10).is_err());
}

#[test]
fn png_text_is_drawn_from_the_embedded_font() {
    // a figure of just a title: the PNG must have dark pixels in the title band only
    let fig = roc_figure("TITLE TEXT", &roc3()).expect("roc");
    let img = image::load_from_memory(
        &fig.to_png(fig.width as u32, fig.height as u32)
            .expect("png"),
    )
    .expect("decodes")
    .to_rgba8();
    let dark_in_band = (0..fig.width as u32)
        .flat_map(|x| (8..28).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 100)
        .count();
    assert!(dark_in_band > 100, "title glyphs missing: {dark_in_band}");
}

#[test]
fn png_rendering_is_deterministic() {
    let fig = roc_figure("ROC", &roc3()).expect("roc");
    assert_eq!(
        fig.to_png(300, 300).expect("a"),
        fig.to_png(300, 300).expect("b")
    );
}

#[test]
fn decision_curves_are_clipped_to_the_plot_area() {
    let th: Vec<f64> = (1..100).map(|k| k as f64 / 100.0).collect();
    let prev = 0.3;
    let all: Vec<f64> = th
        .iter()
        .map(|t| prev - (1.0 - prev) * t / (1.0 - t))
        .collect();
    let model: Vec<f64> = th.iter().map(|t| (0.25 - 0.3 * t).max(0.0)).collect();
    let fig = decision_curve_figure(
        "DCA",
        &th,
        &[
            ("Model".into(), model),
            ("Treat all".into(), all),
            ("Treat none".into(), vec![0.0; th.len()]),
        ],
    )
    .expect("dca");
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let (l, t, r, b) = plot_rect(&doc);
    let series = by_class(&doc, "path", "series");
    assert_eq!(series.len(), 3);
    for s in &series {
        for sp in vertices(s.attribute("d").expect("d")) {
            for (x, y) in sp {
                assert!(
                    x >= l - 0.01 && x <= r + 0.01 && y >= t - 0.01 && y <= b + 0.01,
                    "({x},{y}) outside"
                );
            }
        }
    }
    // every tick mark sits on the frame, none below or beside the plot area
    for sp in vertices(by_class(&doc, "path", "tick")[0].attribute("d").expect("d")) {
        for (x, y) in sp {
            assert!(
                x >= l - 5.01 && x <= r + 0.01 && y >= t - 0.01 && y <= b + 5.01,
                "tick at ({x},{y})"
            );
        }
    }
    // treat-all falls to -2.3 at 0.99: it is cut at the bottom edge
    let all = vertices(series[1].attribute("d").expect("d"));
    let last = *all.last().and_then(|s| s.last()).expect("points");
    assert!(
        (last.1 - b).abs() < 0.02,
        "treat-all ends at the bottom edge, got {last:?}"
    );
    assert_eq!(series[1].attribute("stroke"), Some("#7f7f7f"));
    assert_eq!(series[2].attribute("stroke"), Some("#000000"));
    assert_eq!(by_class(&doc, "text", "legend-label").len(), 3);
}

#[test]
fn calibration_has_markers_error_bars_curve_and_ideal_line() {
    let groups = vec![
        CalibrationGroup {
            predicted: 0.1,
            observed: 0.12,
            ci_low: 0.05,
            ci_high: 0.2,
        },
        CalibrationGroup {
            predicted: 0.5,
            observed: 0.45,
            ci_low: 0.35,
            ci_high: 0.55,
        },
        CalibrationGroup {
            predicted: 0.9,
            observed: 0.85,
            ci_low: f64::NAN,
            ci_high: f64::NAN,
        },
    ];
    let s = CalibrationSeries {
        label: "Model".into(),
        groups,
        smooth_predicted: vec![0.1, 0.5, 0.9],
        smooth_observed: vec![0.12, 0.45, 0.85],
    };
    let fig = calibration_figure(
        "Calibration",
        &[
            s.clone(),
            CalibrationSeries {
                label: "Other".into(),
                ..s
            },
        ],
    )
    .expect("cal");
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let markers = by_class(&doc, "path", "marker");
    assert_eq!(markers.len(), 2);
    assert_eq!(
        vertices(markers[0].attribute("d").expect("d")).len(),
        3,
        "one marker per group"
    );
    // two groups have finite CIs: each bar is a stem and two caps
    assert_eq!(
        vertices(
            by_class(&doc, "path", "errorbar")[0]
                .attribute("d")
                .expect("d")
        )
        .len(),
        6
    );
    assert_eq!(by_class(&doc, "path", "series").len(), 2);
    assert_eq!(by_class(&doc, "text", "legend-label").len(), 3);
    let (l, t, r, b) = plot_rect(&doc);
    assert!(
        ((r - l) - (b - t)).abs() < 0.02,
        "calibration plot is square"
    );
    let bad = CalibrationSeries {
        label: "x".into(),
        groups: vec![],
        smooth_predicted: vec![0.1],
        smooth_observed: vec![],
    };
    assert!(calibration_figure("c", &[bad]).is_err());
}

#[test]
fn lasso_cv_marks_lambda_min_and_1se() {
    let ll: Vec<f64> = (0..30).map(|k| -0.5 - 0.2 * k as f64).collect();
    let cv = LassoCvCurve {
        cvm: ll.iter().map(|l| 1.0 + 0.02 * (l + 3.0).powi(2)).collect(),
        cvsd: vec![0.04; 30],
        log_lambda: ll,
        log_lambda_min: -3.1,
        log_lambda_1se: -2.3,
        measure: "Binomial deviance".into(),
        n_nonzero: Some((0..30).rev().map(|k| k / 3).collect()),
    };
    let fig = lasso_cv_figure("LASSO CV", &cv).expect("cv");
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let (l, _, r, _) = plot_rect(&doc);
    let lines = by_class(&doc, "path", "reference-line");
    assert_eq!(lines.len(), 2);
    // x axis runs over whole ticks covering [-6.3, -0.5]: [-7, 0]
    let x_min = vertices(lines[0].attribute("d").expect("d"))[0][0].0;
    assert!(
        (x_min - (l + (r - l) * (7.0 - 3.1) / 7.0)).abs() < 0.02,
        "{x_min}"
    );
    assert_eq!(
        vertices(
            by_class(&doc, "path", "series")[0]
                .attribute("d")
                .expect("d")
        )
        .len(),
        30
    );
    assert!(!by_class(&doc, "text", "nonzero-count").is_empty());
    let mut bad = cv.clone();
    bad.cvsd.pop();
    assert!(lasso_cv_figure("x", &bad)
        .expect_err("len")
        .to_string()
        .contains("cvsd has 29 values"));
}

#[test]
fn coefficient_paths_cap_the_legend() {
    let ll: Vec<f64> = (0..10).map(|k| -(k as f64)).collect();
    let paths: Vec<(String, Vec<f64>)> = (0..25)
        .map(|i| {
            (
                format!("f{i}"),
                ll.iter().map(|l| -l * 0.01 * i as f64).collect(),
            )
        })
        .collect();
    let fig = coefficient_path_figure("Paths", &ll, &paths).expect("paths");
    let doc_s = fig.to_svg();
    let doc = parse(&doc_s);
    assert_eq!(by_class(&doc, "path", "series").len(), 25);
    let labels = by_class(&doc, "text", "legend-label");
    assert_eq!(labels.len(), 21);
    assert_eq!(labels[20].text(), Some("… and 5 more"));
}

#[test]
fn coefficient_bars_are_sorted_and_signed() {
    let feats = vec![
        ("neg".to_string(), -0.4),
        ("big".to_string(), 0.9),
        ("small".to_string(), 0.1),
    ];
    let fig = coefficient_bars_figure("Coefficients", &feats).expect("bars");
    let svg = fig.to_svg();
    let doc = parse(&svg);
    let labels: Vec<&str> = by_class(&doc, "text", "bar-label")
        .iter()
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert_eq!(labels, vec!["big", "small", "neg"]);
    let zero_x = vertices(
        by_class(&doc, "path", "reference-line")[0]
            .attribute("d")
            .expect("d"),
    )[0][0]
        .0;
    let bars = by_class(&doc, "path", "bar");
    assert_eq!(bars.len(), 3);
    let far_x = |n: &roxmltree::Node<'_, '_>| vertices(n.attribute("d").expect("d"))[0][1].0;
    assert!(far_x(&bars[0]) > far_x(&bars[1]) && far_x(&bars[1]) > zero_x);
    assert!(far_x(&bars[2]) < zero_x, "negative bar goes left");
    assert_eq!(bars[2].attribute("fill"), Some("#0072b2"));
    assert!(coefficient_bars_figure("x", &[("a".into(), f64::INFINITY)]).is_err());
}
