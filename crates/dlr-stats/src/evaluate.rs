//! The `dlr evaluate` engine: from a predictions table (label column, one or more score columns,
//! optional cohort column) compute, per score and cohort, the AUC with DeLong CI, the Youden
//! operating point (threshold chosen on the training cohort and applied unchanged to the
//! others), cut-off metrics with binomial CIs, Brier score and calibration where the score is a
//! probability, and paired DeLong comparisons of every pair of scores. The JSON schema is
//! documented in `docs/evaluate.md`; [`Evaluation::to_csv`] gives the flat CSV.

use crate::calibration::{brier, calibration};
use crate::cutoff::{cutoff_metrics, youden_threshold, BinomialCi, CutoffMetrics};
use crate::error::{Result, StatsError};
use crate::roc::{auc_delong, delong_paired, resolve_direction, RocDirection};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// A cohort name (None = all data) and its row indices.
type CohortRows = (Option<String>, Vec<usize>);

/// Options of `dlr evaluate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluateOptions {
    /// Name of the 0/1 outcome column (1 = positive).
    pub label: String,
    /// Names of the score columns to evaluate (at least one).
    pub scores: Vec<String>,
    /// Optional cohort column; needs `train`.
    pub cohort: Option<String>,
    /// Value of the cohort column that marks the training cohort (threshold chosen there).
    pub train: Option<String>,
    /// Confidence level of all intervals (default 0.95).
    pub level: f64,
    /// Binomial CI method for the cut-off metrics (default Wilson).
    pub ci_method: BinomialCi,
    /// Score direction (default: higher score = positive). `Auto` is resolved on the training
    /// cohort and reported.
    pub direction: RocDirection,
}

impl EvaluateOptions {
    /// Options for `label` and `scores` with every other setting at its default.
    pub fn new(label: &str, scores: &[&str]) -> Self {
        EvaluateOptions {
            label: label.to_string(),
            scores: scores.iter().map(|s| s.to_string()).collect(),
            cohort: None,
            train: None,
            level: 0.95,
            ci_method: BinomialCi::Wilson,
            direction: RocDirection::HigherIsPositive,
        }
    }
}

/// Operating point at the Youden threshold, applied to one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YoudenEval {
    /// Threshold (chosen on the training cohort, or on all data without cohorts).
    pub threshold: f64,
    /// `">="` (higher is positive) or `"<="` (lower is positive).
    pub positive_if: String,
    /// Sensitivity.
    pub sensitivity: f64,
    /// Specificity.
    pub specificity: f64,
    /// Positive predictive value (null when nothing is called positive).
    pub ppv: f64,
    /// Negative predictive value.
    pub npv: f64,
    /// Accuracy.
    pub accuracy: f64,
    /// CIs as [low, high], same order as the estimates.
    pub sensitivity_ci: [f64; 2],
    /// Specificity CI.
    pub specificity_ci: [f64; 2],
    /// PPV CI.
    pub ppv_ci: [f64; 2],
    /// NPV CI.
    pub npv_ci: [f64; 2],
    /// Accuracy CI.
    pub accuracy_ci: [f64; 2],
    /// Confusion counts.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// True negatives.
    pub tn: usize,
    /// False negatives.
    pub fn_: usize,
    /// "wilson" or "clopper-pearson".
    pub ci_method: String,
}

/// Calibration of a probability score in one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationEval {
    /// Intercept of glm(y ~ logit(p)).
    pub intercept: f64,
    /// Slope of glm(y ~ logit(p)).
    pub slope: f64,
    /// Calibration-in-the-large (intercept with slope fixed at 1).
    pub in_the_large: f64,
    /// Scaled Brier score.
    pub brier_scaled: f64,
    /// Hosmer–Lemeshow (g = 10) statistic, df and p (null if fewer than 3 bins).
    pub hosmer_lemeshow: Option<[f64; 3]>,
}

/// Results for one score in one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreEval {
    /// Score column.
    pub score: String,
    /// Cohort value (null without a cohort column).
    pub cohort: Option<String>,
    /// Whether this cohort chose the threshold.
    pub is_train: bool,
    /// Subjects.
    pub n: usize,
    /// Positives.
    pub n_positive: usize,
    /// Direction used.
    pub direction: RocDirection,
    /// AUC (null if the cohort has one class only).
    pub auc: Option<f64>,
    /// DeLong CI [low, high] (null if undefined).
    pub auc_ci: Option<[f64; 2]>,
    /// Youden operating point.
    pub youden: YoudenEval,
    /// Brier score (only when every score value is in [0, 1]).
    pub brier: Option<f64>,
    /// Calibration (only for probability scores with both classes and 0 < p < 1).
    pub calibration: Option<CalibrationEval>,
    /// Why something is null.
    pub notes: Vec<String>,
}

/// Paired DeLong comparison of two scores in one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// First score.
    pub a: String,
    /// Second score.
    pub b: String,
    /// Cohort (null without a cohort column).
    pub cohort: Option<String>,
    /// AUC of a.
    pub auc_a: f64,
    /// AUC of b.
    pub auc_b: f64,
    /// DeLong Z.
    pub z: f64,
    /// Two-sided p.
    pub p: f64,
}

/// Everything `dlr evaluate` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Outcome column.
    pub label: String,
    /// Confidence level.
    pub level: f64,
    /// Where thresholds were chosen ("all data" or "cohort <value>").
    pub threshold_chosen_on: String,
    /// One entry per score and cohort.
    pub scores: Vec<ScoreEval>,
    /// One entry per pair of scores (and cohort).
    pub comparisons: Vec<Comparison>,
}

fn ci_name(m: BinomialCi) -> String {
    match m {
        BinomialCi::Wilson => "wilson".into(),
        BinomialCi::ClopperPearson => "clopper-pearson".into(),
    }
}

fn youden_eval(m: &CutoffMetrics, threshold: f64, lower_positive: bool) -> YoudenEval {
    let ci = |p: &crate::cutoff::Proportion| [p.lower, p.upper];
    YoudenEval {
        threshold,
        positive_if: if lower_positive {
            "<=".into()
        } else {
            ">=".into()
        },
        sensitivity: m.sensitivity.estimate,
        specificity: m.specificity.estimate,
        ppv: m.ppv.estimate,
        npv: m.npv.estimate,
        accuracy: m.accuracy.estimate,
        sensitivity_ci: ci(&m.sensitivity),
        specificity_ci: ci(&m.specificity),
        ppv_ci: ci(&m.ppv),
        npv_ci: ci(&m.npv),
        accuracy_ci: ci(&m.accuracy),
        tp: m.tp,
        fp: m.fp,
        tn: m.tn,
        fn_: m.fn_,
        ci_method: ci_name(m.ci_method),
    }
}

/// Evaluates already-parsed columns: `labels[i]` (true = positive), `scores` as (name, values),
/// and optionally the cohort of each row. See the module docs and `docs/evaluate.md`.
pub fn evaluate(
    labels: &[bool],
    scores: &[(String, Vec<f64>)],
    cohorts: Option<&[String]>,
    opts: &EvaluateOptions,
) -> Result<Evaluation> {
    let what = "evaluate";
    if scores.is_empty() {
        return Err(StatsError::input(what, "no score columns given"));
    }
    if !(opts.level > 0.0 && opts.level < 1.0) {
        return Err(StatsError::input(
            what,
            format!("level must be in (0,1), got {}", opts.level),
        ));
    }
    for (name, s) in scores {
        if s.len() != labels.len() {
            return Err(StatsError::input(
                what,
                format!(
                    "score '{name}' has {} values but there are {} labels",
                    s.len(),
                    labels.len()
                ),
            ));
        }
    }
    // Cohort structure: (name, row indices); the first is the training cohort.
    let (groups, chosen_on): (Vec<CohortRows>, String) = match (cohorts, &opts.train) {
        (None, None) => (vec![(None, (0..labels.len()).collect())], "all data".into()),
        (None, Some(_)) => {
            return Err(StatsError::input(
                what,
                "a training value was given without a cohort column",
            ))
        }
        (Some(_), None) => {
            return Err(StatsError::unsupported(
                what,
                "a cohort column needs the value that marks the training cohort (--train)",
            ))
        }
        (Some(c), Some(train)) => {
            if c.len() != labels.len() {
                return Err(StatsError::input(
                    what,
                    "cohort column length differs from labels",
                ));
            }
            let mut order: Vec<String> = vec![train.clone()];
            for v in c {
                if !order.contains(v) {
                    order.push(v.clone());
                }
            }
            let groups: Vec<CohortRows> = order
                .iter()
                .map(|g| {
                    (
                        Some(g.clone()),
                        (0..c.len()).filter(|&i| &c[i] == g).collect(),
                    )
                })
                .collect();
            if groups[0].1.is_empty() {
                return Err(StatsError::input(
                    what,
                    format!("no rows have cohort value '{train}' (the training cohort)"),
                ));
            }
            (groups, format!("cohort {train}"))
        }
    };
    let pick = |v: &[f64], idx: &[usize]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
    let pick_b = |idx: &[usize]| -> Vec<bool> { idx.iter().map(|&i| labels[i]).collect() };

    let mut out = Vec::new();
    let mut oriented: Vec<Vec<f64>> = Vec::new();
    for (name, s) in scores {
        let train_idx = &groups[0].1;
        let (ts, tl) = (pick(s, train_idx), pick_b(train_idx));
        let dir = resolve_direction(&ts, &tl, opts.direction).map_err(|e| {
            StatsError::input(what, format!("score '{name}' on the training rows: {e}"))
        })?;
        let lower = dir == RocDirection::LowerIsPositive;
        let o: Vec<f64> = if lower {
            s.iter().map(|v| -v).collect()
        } else {
            s.clone()
        };
        let best = youden_threshold(&pick(&o, train_idx), &tl).map_err(|e| {
            StatsError::input(what, format!("score '{name}' on the training rows: {e}"))
        })?;
        let is_prob = !lower && s.iter().all(|v| (0.0..=1.0).contains(v));
        for (k, (cname, idx)) in groups.iter().enumerate() {
            let (cs, cl) = (pick(&o, idx), pick_b(idx));
            let mut notes = Vec::new();
            let (auc, auc_ci) = match auc_delong(&cs, &cl, opts.level) {
                Ok(a) => (Some(a.auc), Some([a.lower, a.upper])),
                Err(e) => {
                    notes.push(format!("auc: {e}"));
                    (None, None)
                }
            };
            let m = cutoff_metrics(&cs, &cl, best.threshold, opts.ci_method, opts.level)?;
            let shown_threshold = if lower {
                -best.threshold
            } else {
                best.threshold
            };
            let (b, cal) = if is_prob {
                let raw = pick(s, idx);
                let b = brier(&raw, &cl).ok();
                let cal = match calibration(&raw, &cl) {
                    Ok(c) => Some(CalibrationEval {
                        intercept: c.intercept,
                        slope: c.slope,
                        in_the_large: c.citl,
                        brier_scaled: c.brier_scaled,
                        hosmer_lemeshow: c.hosmer_lemeshow.map(|h| [h.statistic, h.df, h.p]),
                    }),
                    Err(e) => {
                        notes.push(format!("calibration: {e}"));
                        None
                    }
                };
                (b, cal)
            } else {
                notes.push("brier/calibration: score is not a probability in [0, 1] with higher = positive".into());
                (None, None)
            };
            out.push(ScoreEval {
                score: name.clone(),
                cohort: cname.clone(),
                is_train: k == 0,
                n: idx.len(),
                n_positive: cl.iter().filter(|&&v| v).count(),
                direction: dir,
                auc,
                auc_ci,
                youden: youden_eval(&m, shown_threshold, lower),
                brier: b,
                calibration: cal,
                notes,
            });
        }
        oriented.push(o);
    }
    let mut comparisons = Vec::new();
    for i in 0..scores.len() {
        for j in (i + 1)..scores.len() {
            for (cname, idx) in &groups {
                let cl = pick_b(idx);
                if let Ok(t) =
                    delong_paired(&pick(&oriented[i], idx), &pick(&oriented[j], idx), &cl)
                {
                    comparisons.push(Comparison {
                        a: scores[i].0.clone(),
                        b: scores[j].0.clone(),
                        cohort: cname.clone(),
                        auc_a: t.auc1,
                        auc_b: t.auc2,
                        z: t.z,
                        p: t.p,
                    });
                }
            }
        }
    }
    Ok(Evaluation {
        label: opts.label.clone(),
        level: opts.level,
        threshold_chosen_on: chosen_on,
        scores: out,
        comparisons,
    })
}

/// Parses a 0/1 (or true/false) outcome value.
fn parse_label(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "1.0" | "true" => Some(true),
        "0" | "0.0" | "false" => Some(false),
        _ => None,
    }
}

/// Reads a predictions CSV (header row; columns named in `opts`) and runs [`evaluate`].
/// Every label must be 0/1 (or true/false) and every score a finite number: bad cells are
/// reported with their row, never dropped silently.
pub fn evaluate_csv(path: &Path, opts: &EvaluateOptions) -> Result<Evaluation> {
    let p = path.display().to_string();
    let io = |why: String| StatsError::Io {
        path: p.clone(),
        why,
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| io(e.to_string()))?;
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| io(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| -> Result<usize> {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            io(format!(
                "no column '{name}' (columns: {})",
                headers.join(", ")
            ))
        })
    };
    let li = col(&opts.label)?;
    let si: Vec<usize> = opts.scores.iter().map(|s| col(s)).collect::<Result<_>>()?;
    let ci = opts.cohort.as_deref().map(col).transpose()?;
    let mut labels = Vec::new();
    let mut scores: Vec<Vec<f64>> = vec![Vec::new(); si.len()];
    let mut cohorts = Vec::new();
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| io(e.to_string()))?;
        let row = r + 2; // 1-based, after the header
        let lv = rec.get(li).unwrap_or("");
        labels.push(parse_label(lv).ok_or_else(|| {
            io(format!(
                "row {row}: label '{lv}' in column '{}' is not 0/1",
                opts.label
            ))
        })?);
        for (k, &j) in si.iter().enumerate() {
            let v = rec.get(j).unwrap_or("");
            let x: f64 = v.trim().parse().map_err(|_| {
                io(format!(
                    "row {row}: score '{v}' in column '{}' is not a number",
                    opts.scores[k]
                ))
            })?;
            if !x.is_finite() {
                return Err(io(format!(
                    "row {row}: score in column '{}' is not finite",
                    opts.scores[k]
                )));
            }
            scores[k].push(x);
        }
        if let Some(j) = ci {
            cohorts.push(rec.get(j).unwrap_or("").trim().to_string());
        }
    }
    let named: Vec<(String, Vec<f64>)> = opts.scores.iter().cloned().zip(scores).collect();
    evaluate(&labels, &named, ci.map(|_| cohorts.as_slice()), opts)
}

fn f(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

fn fo(v: Option<f64>) -> String {
    v.map(f).unwrap_or_default()
}

impl Evaluation {
    /// Flat CSV: one row per score and cohort, then (after one blank line) one row per comparison.
    pub fn to_csv(&self) -> String {
        let mut s = String::from(
            "score,cohort,is_train,n,n_positive,auc,auc_ci_low,auc_ci_high,threshold,positive_if,sensitivity,specificity,ppv,npv,accuracy,tp,fp,tn,fn,brier,calibration_intercept,calibration_slope,calibration_in_the_large,hosmer_lemeshow_p\n",
        );
        for e in &self.scores {
            let y = &e.youden;
            let cal = e.calibration.as_ref();
            let cols = [
                e.score.clone(),
                e.cohort.clone().unwrap_or_default(),
                e.is_train.to_string(),
                e.n.to_string(),
                e.n_positive.to_string(),
                fo(e.auc),
                fo(e.auc_ci.map(|c| c[0])),
                fo(e.auc_ci.map(|c| c[1])),
                f(y.threshold),
                y.positive_if.clone(),
                f(y.sensitivity),
                f(y.specificity),
                f(y.ppv),
                f(y.npv),
                f(y.accuracy),
                y.tp.to_string(),
                y.fp.to_string(),
                y.tn.to_string(),
                y.fn_.to_string(),
                fo(e.brier),
                fo(cal.map(|c| c.intercept)),
                fo(cal.map(|c| c.slope)),
                fo(cal.map(|c| c.in_the_large)),
                fo(cal.and_then(|c| c.hosmer_lemeshow.map(|h| h[2]))),
            ];
            s.push_str(&cols.map(|c| csv_field(&c)).join(","));
            s.push('\n');
        }
        if !self.comparisons.is_empty() {
            s.push_str("\na,b,cohort,auc_a,auc_b,z,p\n");
            for c in &self.comparisons {
                let cols = [
                    c.a.clone(),
                    c.b.clone(),
                    c.cohort.clone().unwrap_or_default(),
                    f(c.auc_a),
                    f(c.auc_b),
                    f(c.z),
                    f(c.p),
                ];
                s.push_str(&cols.map(|c| csv_field(&c)).join(","));
                s.push('\n');
            }
        }
        s
    }

    /// Pretty JSON (NaN values become `null`).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| StatsError::input("evaluate", e.to_string()))
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
