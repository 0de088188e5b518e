//! The study's charts: ROC curves, calibration, decision curves, LASSO cross-validation curve,
//! LASSO coefficient paths and the selected-coefficient bar chart. Inputs are plain serde structs
//! filled by the pipeline; statistics are computed elsewhere (`dlr-stats`), these only draw.

use crate::error::{invalid, Result};
use crate::figure::{Anchor, Color, Figure, Stroke, BLACK, GREY};
use crate::plot::{
    color_for, dash_for, shape_for, Axis, Layout, LegendEntry, LegendPos, Plot, Shape,
};
use crate::text::{text_width, truncate_to_width};
use serde::{Deserialize, Serialize};

/// One ROC curve: its legend label and the curve's (FPR, TPR) vertices in drawing order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RocSeries {
    /// Legend label, e.g. "Radiomics (AUC 0.76, 95% CI 0.65–0.87)".
    pub label: String,
    /// False-positive rates (1 − specificity), in [0, 1].
    pub fpr: Vec<f64>,
    /// True-positive rates (sensitivity), in [0, 1], same length as `fpr`.
    pub tpr: Vec<f64>,
}

/// One risk group of a calibration plot: mean predicted risk, observed proportion and its CI.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationGroup {
    /// Mean predicted probability in the group.
    pub predicted: f64,
    /// Observed event proportion.
    pub observed: f64,
    /// Lower confidence bound of the observed proportion (non-finite: no error bar).
    pub ci_low: f64,
    /// Upper confidence bound of the observed proportion (non-finite: no error bar).
    pub ci_high: f64,
}

/// One model's calibration: grouped points with CIs and an optional smoothed (loess) curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationSeries {
    /// Legend label.
    pub label: String,
    /// Grouped points (e.g. deciles of predicted risk).
    pub groups: Vec<CalibrationGroup>,
    /// Smoothed curve x values (predicted probability); empty for none.
    pub smooth_predicted: Vec<f64>,
    /// Smoothed curve y values (observed), same length as `smooth_predicted`.
    pub smooth_observed: Vec<f64>,
}

/// Cross-validated LASSO error curve as `cv.glmnet` reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LassoCvCurve {
    /// Natural log of each λ on the path.
    pub log_lambda: Vec<f64>,
    /// Mean cross-validated error at each λ.
    pub cvm: Vec<f64>,
    /// Its standard error.
    pub cvsd: Vec<f64>,
    /// ln(λ) minimising the CV error.
    pub log_lambda_min: f64,
    /// ln(λ) of the largest λ within one SE of the minimum.
    pub log_lambda_1se: f64,
    /// Y-axis name of the CV measure, e.g. "Binomial deviance".
    pub measure: String,
    /// Number of non-zero coefficients at each λ (printed along the top), if known.
    pub n_nonzero: Option<Vec<usize>>,
}

fn check_finite(what: &str, name: &str, v: &[f64]) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(invalid(what, format!("{name}[{i}] is not finite"))),
        None => Ok(()),
    }
}

fn check_len(what: &str, a: (&str, usize), b: (&str, usize)) -> Result<()> {
    if a.1 != b.1 {
        return Err(invalid(
            what,
            format!("{} has {} values but {} has {}", a.0, a.1, b.0, b.1),
        ));
    }
    Ok(())
}

fn check_unit(what: &str, name: &str, v: &[f64]) -> Result<()> {
    check_finite(what, name, v)?;
    match v.iter().position(|x| !(-1e-9..=1.0 + 1e-9).contains(x)) {
        Some(i) => Err(invalid(
            what,
            format!("{name}[{i}] = {} lies outside [0, 1]", v[i]),
        )),
        None => Ok(()),
    }
}

fn range_of<'a>(vals: impl Iterator<Item = &'a f64>) -> Option<(f64, f64)> {
    vals.filter(|v| v.is_finite())
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// ROC curves on a square plot with the chance diagonal; legend bottom-right.
pub fn roc_figure(title: &str, series: &[RocSeries]) -> Result<Figure> {
    const WHAT: &str = "ROC figure";
    if series.is_empty() {
        return Err(invalid(WHAT, "no ROC series given"));
    }
    for s in series {
        let what = format!("{WHAT} series '{}'", s.label);
        check_len(&what, ("fpr", s.fpr.len()), ("tpr", s.tpr.len()))?;
        if s.fpr.len() < 2 {
            return Err(invalid(what, "a ROC curve needs at least two points"));
        }
        check_unit(&what, "fpr", &s.fpr)?;
        check_unit(&what, "tpr", &s.tpr)?;
    }
    let mut p = Plot::new(
        title,
        Axis::fixed(0.0, 1.0, 0.2, "1 − Specificity"),
        Axis::fixed(0.0, 1.0, 0.2, "Sensitivity"),
        Layout::new(320.0, 320.0),
    );
    let diag = Stroke::dashed(GREY, 1.0, &[5.0, 4.0]);
    p.line("reference-line", &[(0.0, 0.0), (1.0, 1.0)], diag.clone());
    let mut legend = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let stroke = Stroke {
            color: color_for(i),
            width: 2.0,
            dash: dash_for(i),
        };
        let pts: Vec<(f64, f64)> = s.fpr.iter().copied().zip(s.tpr.iter().copied()).collect();
        p.line("series", &pts, stroke.clone());
        legend.push(LegendEntry {
            label: s.label.clone(),
            stroke: Some(stroke),
            marker: None,
            fill: None,
        });
    }
    legend.push(LegendEntry {
        label: "Chance".into(),
        stroke: Some(diag),
        marker: None,
        fill: None,
    });
    p.legend(&legend, LegendPos::BottomRight);
    Ok(p.fig)
}

/// Calibration plot: observed vs predicted risk per group with CI bars, smoothed curves and the
/// ideal diagonal; square, legend top-left-free (bottom-right).
pub fn calibration_figure(title: &str, series: &[CalibrationSeries]) -> Result<Figure> {
    const WHAT: &str = "calibration figure";
    if series.is_empty() {
        return Err(invalid(WHAT, "no calibration series given"));
    }
    for s in series {
        let what = format!("{WHAT} series '{}'", s.label);
        if s.groups.is_empty() && s.smooth_predicted.is_empty() {
            return Err(invalid(what, "neither grouped points nor a smoothed curve"));
        }
        let pred: Vec<f64> = s.groups.iter().map(|g| g.predicted).collect();
        let obs: Vec<f64> = s.groups.iter().map(|g| g.observed).collect();
        check_unit(&what, "predicted", &pred)?;
        check_unit(&what, "observed", &obs)?;
        check_len(
            &what,
            ("smooth_predicted", s.smooth_predicted.len()),
            ("smooth_observed", s.smooth_observed.len()),
        )?;
        check_finite(&what, "smooth_predicted", &s.smooth_predicted)?;
        check_finite(&what, "smooth_observed", &s.smooth_observed)?;
    }
    let mut p = Plot::new(
        title,
        Axis::fixed(0.0, 1.0, 0.2, "Predicted probability"),
        Axis::fixed(0.0, 1.0, 0.2, "Observed proportion"),
        Layout::new(320.0, 320.0),
    );
    let ideal = Stroke::dashed(GREY, 1.0, &[5.0, 4.0]);
    p.line("reference-line", &[(0.0, 0.0), (1.0, 1.0)], ideal.clone());
    let mut legend = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let color = color_for(i);
        let stroke = Stroke {
            color,
            width: 1.8,
            dash: dash_for(i),
        };
        let bars: Vec<(f64, f64, f64)> = s
            .groups
            .iter()
            .map(|g| (g.predicted, g.ci_low, g.ci_high))
            .collect();
        p.error_bars("errorbar", &bars, color, 3.0);
        let curve: Vec<(f64, f64)> = s
            .smooth_predicted
            .iter()
            .copied()
            .zip(s.smooth_observed.iter().copied())
            .collect();
        p.line("series", &curve, stroke.clone());
        let pts: Vec<(f64, f64)> = s.groups.iter().map(|g| (g.predicted, g.observed)).collect();
        p.markers("marker", &pts, shape_for(i), color, 4.0);
        legend.push(LegendEntry {
            label: s.label.clone(),
            stroke: (!curve.is_empty()).then_some(stroke),
            marker: (!pts.is_empty()).then_some((shape_for(i), color)),
            fill: None,
        });
    }
    legend.push(LegendEntry {
        label: "Ideal".into(),
        stroke: Some(ideal),
        marker: None,
        fill: None,
    });
    p.legend(&legend, LegendPos::BottomRight);
    Ok(p.fig)
}

/// Decision curves: net benefit against threshold probability for each model plus the
/// treat-all and treat-none strategies (recognised by labels starting "treat all"/"treat none",
/// drawn in grey and black). The y axis starts slightly below zero; lower values are clipped.
pub fn decision_curve_figure(
    title: &str,
    thresholds: &[f64],
    series: &[(String, Vec<f64>)],
) -> Result<Figure> {
    const WHAT: &str = "decision curve figure";
    if series.is_empty() {
        return Err(invalid(WHAT, "no net-benefit series given"));
    }
    if thresholds.len() < 2 {
        return Err(invalid(WHAT, "need at least two thresholds"));
    }
    check_unit(WHAT, "thresholds", thresholds)?;
    for (label, nb) in series {
        let what = format!("{WHAT} series '{label}'");
        check_len(
            &what,
            ("net benefit", nb.len()),
            ("thresholds", thresholds.len()),
        )?;
    }
    let ymax = range_of(series.iter().flat_map(|(_, v)| v.iter()))
        .map(|(_, hi)| hi)
        .unwrap_or(0.1)
        .max(0.01);
    let tmax = range_of(thresholds.iter()).map(|(_, hi)| hi).unwrap_or(1.0);
    let x_step = crate::plot::nice_step(tmax, 5.0);
    let x_max = ((tmax / x_step) - 1e-9).ceil() * x_step;
    let y_step = crate::plot::nice_step(ymax * 1.15, 5.0);
    let y_max = ((ymax * 1.05) / y_step - 1e-9).ceil() * y_step;
    let y = Axis::fixed(-(ymax * 0.15).max(0.01), y_max, y_step, "Net benefit");
    let mut p = Plot::new(
        title,
        Axis::fixed(0.0, x_max, x_step, "Threshold probability"),
        y,
        Layout::new(400.0, 290.0),
    );
    let mut legend = Vec::new();
    let mut model_i = 0;
    for (label, nb) in series {
        let l = label.to_lowercase();
        let stroke = if l.starts_with("treat all") || l == "all" {
            Stroke::solid(GREY, 1.3)
        } else if l.starts_with("treat none") || l == "none" {
            Stroke::solid(BLACK, 1.3)
        } else {
            let s = Stroke {
                color: color_for(model_i),
                width: 2.0,
                dash: dash_for(model_i),
            };
            model_i += 1;
            s
        };
        let pts: Vec<(f64, f64)> = thresholds.iter().copied().zip(nb.iter().copied()).collect();
        p.line("series", &pts, stroke.clone());
        legend.push(LegendEntry {
            label: label.clone(),
            stroke: Some(stroke),
            marker: None,
            fill: None,
        });
    }
    p.legend(&legend, LegendPos::TopRight);
    Ok(p.fig)
}

/// The `cv.glmnet`-style curve: mean CV error (dots) ± 1 SE (bars) against ln(λ), dashed vertical
/// lines at λ_min and λ_1se, and the number of non-zero coefficients along the top.
pub fn lasso_cv_figure(title: &str, cv: &LassoCvCurve) -> Result<Figure> {
    const WHAT: &str = "LASSO CV figure";
    let n = cv.log_lambda.len();
    if n == 0 {
        return Err(invalid(WHAT, "empty λ path"));
    }
    check_len(WHAT, ("cvm", cv.cvm.len()), ("log_lambda", n))?;
    check_len(WHAT, ("cvsd", cv.cvsd.len()), ("log_lambda", n))?;
    check_finite(WHAT, "log_lambda", &cv.log_lambda)?;
    check_finite(WHAT, "cvm", &cv.cvm)?;
    check_finite(WHAT, "cvsd", &cv.cvsd)?;
    check_finite(
        WHAT,
        "log_lambda_min/log_lambda_1se",
        &[cv.log_lambda_min, cv.log_lambda_1se],
    )?;
    if let Some(nz) = &cv.n_nonzero {
        check_len(WHAT, ("n_nonzero", nz.len()), ("log_lambda", n))?;
    }
    let (xlo, xhi) = range_of(
        cv.log_lambda
            .iter()
            .chain([cv.log_lambda_min, cv.log_lambda_1se].iter()),
    )
    .unwrap_or((0.0, 1.0));
    let lo_vals: Vec<f64> = cv.cvm.iter().zip(&cv.cvsd).map(|(m, s)| m - s).collect();
    let hi_vals: Vec<f64> = cv.cvm.iter().zip(&cv.cvsd).map(|(m, s)| m + s).collect();
    let (ylo, _) = range_of(lo_vals.iter()).unwrap_or((0.0, 1.0));
    let (_, yhi) = range_of(hi_vals.iter()).unwrap_or((0.0, 1.0));
    let mut layout = Layout::new(400.0, 290.0);
    if cv.n_nonzero.is_some() {
        layout.extra_top = 18.0;
    }
    let mut p = Plot::new(
        title,
        Axis::auto(xlo, xhi, "log(λ)"),
        Axis::auto(ylo, yhi, &cv.measure),
        layout,
    );
    let vline = Stroke::dashed(BLACK, 1.0, &[4.0, 3.0]);
    let (y0, y1) = (p.y.min, p.y.max);
    p.line(
        "reference-line",
        &[(cv.log_lambda_min, y0), (cv.log_lambda_min, y1)],
        vline.clone(),
    );
    p.line(
        "reference-line",
        &[(cv.log_lambda_1se, y0), (cv.log_lambda_1se, y1)],
        vline,
    );
    let bars: Vec<(f64, f64, f64)> = (0..n)
        .map(|i| (cv.log_lambda[i], lo_vals[i], hi_vals[i]))
        .collect();
    p.error_bars("errorbar", &bars, GREY, 2.0);
    let pts: Vec<(f64, f64)> = cv
        .log_lambda
        .iter()
        .copied()
        .zip(cv.cvm.iter().copied())
        .collect();
    p.markers(
        "series",
        &pts,
        Shape::Circle,
        crate::figure::PALETTE[1],
        3.0,
    );
    let label_y = p.top + 10.0;
    let (xmin_px, x1se_px) = (p.px(cv.log_lambda_min), p.px(cv.log_lambda_1se));
    let (a_min, a_1se) = if xmin_px <= x1se_px {
        (Anchor::End, Anchor::Start)
    } else {
        (Anchor::Start, Anchor::End)
    };
    let off = |a: Anchor| if a == Anchor::End { -3.0 } else { 3.0 };
    p.text(
        "annotation",
        xmin_px + off(a_min),
        label_y + 2.0,
        "λ min",
        11.0,
        a_min,
        0.0,
    );
    p.text(
        "annotation",
        x1se_px + off(a_1se),
        label_y + 2.0,
        "λ 1se",
        11.0,
        a_1se,
        0.0,
    );
    if let Some(nz) = &cv.n_nonzero {
        // print every k-th count so labels do not collide
        let mut last_px = f64::NEG_INFINITY;
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| cv.log_lambda[a].total_cmp(&cv.log_lambda[b]));
        for i in order {
            let x = p.px(cv.log_lambda[i]);
            let s = nz[i].to_string();
            if x - last_px >= text_width(&s, 10.0) + 14.0 {
                let top = p.top;
                p.text("nonzero-count", x, top - 6.0, &s, 10.0, Anchor::Middle, 0.0);
                last_px = x;
            }
        }
    }
    Ok(p.fig)
}

/// LASSO coefficient paths: one line per feature against ln(λ), legend to the right (at most
/// 20 entries, then "… and N more").
pub fn coefficient_path_figure(
    title: &str,
    log_lambda: &[f64],
    paths: &[(String, Vec<f64>)],
) -> Result<Figure> {
    const WHAT: &str = "coefficient path figure";
    if paths.is_empty() {
        return Err(invalid(WHAT, "no coefficient paths given"));
    }
    if log_lambda.len() < 2 {
        return Err(invalid(WHAT, "need at least two λ values"));
    }
    check_finite(WHAT, "log_lambda", log_lambda)?;
    for (name, v) in paths {
        let what = format!("{WHAT} path '{name}'");
        check_len(
            &what,
            ("coefficients", v.len()),
            ("log_lambda", log_lambda.len()),
        )?;
        check_finite(&what, "coefficients", v)?;
    }
    let (xlo, xhi) = range_of(log_lambda.iter()).unwrap_or((0.0, 1.0));
    let (ylo, yhi) = range_of(paths.iter().flat_map(|(_, v)| v.iter())).unwrap_or((0.0, 1.0));
    let mut layout = Layout::new(400.0, 290.0);
    layout.extra_right = 210.0;
    let mut p = Plot::new(
        title,
        Axis::auto(xlo, xhi, "log(λ)"),
        Axis::auto(ylo.min(0.0), yhi.max(0.0), "Coefficient"),
        layout,
    );
    let (x0, x1) = (p.x.min, p.x.max);
    p.line(
        "reference-line",
        &[(x0, 0.0), (x1, 0.0)],
        Stroke::solid(GREY, 0.8),
    );
    let mut legend = Vec::new();
    const MAX_LEGEND: usize = 20;
    for (i, (name, v)) in paths.iter().enumerate() {
        let stroke = Stroke {
            color: color_for(i),
            width: 1.5,
            dash: dash_for(i),
        };
        let pts: Vec<(f64, f64)> = log_lambda.iter().copied().zip(v.iter().copied()).collect();
        p.line("series", &pts, stroke.clone());
        if i < MAX_LEGEND {
            legend.push(LegendEntry {
                label: name.clone(),
                stroke: Some(stroke),
                marker: None,
                fill: None,
            });
        }
    }
    if paths.len() > MAX_LEGEND {
        legend.push(LegendEntry {
            label: format!("… and {} more", paths.len() - MAX_LEGEND),
            stroke: None,
            marker: None,
            fill: None,
        });
    }
    p.legend(&legend, LegendPos::Outside);
    Ok(p.fig)
}

/// Horizontal bars of the selected features' coefficients, sorted from largest positive (top)
/// to most negative (bottom); positive bars vermillion, negative blue.
pub fn coefficient_bars_figure(title: &str, features: &[(String, f64)]) -> Result<Figure> {
    const WHAT: &str = "coefficient bar figure";
    if features.is_empty() {
        return Err(invalid(WHAT, "no features given"));
    }
    let vals: Vec<f64> = features.iter().map(|(_, v)| *v).collect();
    check_finite(WHAT, "coefficients", &vals)?;
    let mut sorted: Vec<&(String, f64)> = features.iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    const LABEL_SIZE: f64 = 12.0;
    const MAX_LABEL_W: f64 = 280.0;
    let labels: Vec<String> = sorted
        .iter()
        .map(|(n, _)| truncate_to_width(n, LABEL_SIZE, MAX_LABEL_W))
        .collect();
    let label_w = labels
        .iter()
        .map(|l| text_width(l, LABEL_SIZE))
        .fold(0.0, f64::max);
    let row = 20.0;
    let (lo, hi) = range_of(vals.iter()).unwrap_or((0.0, 1.0));
    let mut layout = Layout::new(340.0, row * sorted.len() as f64 + 8.0);
    layout.left = Some(label_w + 16.0);
    layout.y_tick_labels = false;
    let mut y = Axis::fixed(0.0, sorted.len() as f64, 1.0, "");
    y.ticks.clear();
    let mut p = Plot::new(
        title,
        Axis::auto_with(lo.min(0.0), hi.max(0.0), "Coefficient", 4.0),
        y,
        layout,
    );
    let pos = crate::figure::PALETTE[1];
    let neg = crate::figure::PALETTE[0];
    let x0 = p.px(0.0);
    for (i, ((_, v), label)) in sorted.iter().zip(labels.iter()).enumerate() {
        let cy = p.top + 4.0 + row * (i as f64 + 0.5);
        let x1 = p.px(*v);
        let c: Color = if *v >= 0.0 { pos } else { neg };
        p.path(
            "bar",
            vec![vec![
                (x0, cy - row * 0.35),
                (x1, cy - row * 0.35),
                (x1, cy + row * 0.35),
                (x0, cy + row * 0.35),
            ]],
            true,
            Some((c, 1.0)),
            None,
        );
        let left = p.left;
        p.text(
            "bar-label",
            left - 6.0,
            cy + LABEL_SIZE * 0.36,
            label,
            LABEL_SIZE,
            Anchor::End,
            0.0,
        );
    }
    let (t, b) = (p.top, p.top + p.ph);
    p.path(
        "reference-line",
        vec![vec![(x0, t), (x0, b)]],
        false,
        None,
        Some(Stroke::solid(BLACK, 1.0)),
    );
    Ok(p.fig)
}
