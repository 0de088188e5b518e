//! The evaluation engine used by `dlr evaluate` and `dlr run`: from 0/1 labels, named score
//! vectors and an optional cohort assignment, compute per score and cohort the AUC with DeLong
//! CI (and a stratified bootstrap CI when asked), the Youden operating point (threshold chosen
//! on the training cohort and applied unchanged to the others) with binomial CIs, Brier score,
//! calibration and decision curve where the score is a probability, and the ROC points; then
//! paired DeLong comparisons of score pairs per cohort (ΔAUC with CI, z, p).
//!
//! [`evaluate`] works in memory; [`evaluate_csv`] reads a predictions CSV and calls it. The JSON
//! schema is documented in `docs/evaluate.md`; [`Evaluation::to_csv`] gives the flat CSV and
//! [`Evaluation::to_text`] a readable table.

use crate::calibration::{brier, calibration, decision_curve, Calibration, DecisionCurve};
use crate::cutoff::{cutoff_metrics, youden_threshold, BinomialCi, CutoffMetrics, Proportion};
use crate::dist::norm_quantile;
use crate::error::{Result, StatsError};
use crate::roc::{
    auc_bootstrap_ci, auc_delong, delong_paired, resolve_direction, roc_curve, BootstrapCi,
    RocDirection,
};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Name used in error messages of this module.
const WHAT: &str = "evaluate";

/// Stratified bootstrap of the AUC: replicates and the seed of the ChaCha8 generator (the same
/// seed is used for every score and cohort, so results do not depend on evaluation order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapSettings {
    /// Number of bootstrap replicates (at least 2).
    pub replicates: usize,
    /// Seed of the generator.
    pub seed: u64,
}

/// Which pairs of scores get a paired DeLong comparison (in every cohort).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComparisonPairs {
    /// Every pair (a before b in score order). The default.
    #[default]
    AllPairs,
    /// No comparison.
    None,
    /// Only these (a, b) pairs, in this order; every name must be one of the scores.
    Listed(Vec<(String, String)>),
}

/// Statistical settings of an evaluation (column names of a CSV are in [`PredictionColumns`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvaluateOptions {
    /// Confidence level of every interval (default 0.95).
    pub level: f64,
    /// Binomial CI method of the cut-off metrics (default Wilson).
    pub proportion_ci: BinomialCi,
    /// Score direction (default: higher score = positive). `Auto` is resolved per score on the
    /// training cohort and reported.
    pub direction: RocDirection,
    /// Stratified bootstrap CI of the AUC, in addition to DeLong's (default off).
    pub bootstrap: Option<BootstrapSettings>,
    /// Decision-curve thresholds, each in [0, 1) (default off). Computed in every cohort for
    /// probability scores.
    pub dca_thresholds: Option<Vec<f64>>,
    /// Which score pairs to compare (default all pairs).
    pub comparisons: ComparisonPairs,
    /// Probabilities are clipped to `[clip, 1 - clip]` before calibration (whose logit must be
    /// finite); `None` (the default) clips nothing, so a probability of exactly 0 or 1 leaves
    /// calibration null with a note. The Brier score always uses the values as given.
    pub calibration_clip: Option<f64>,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            level: 0.95,
            proportion_ci: BinomialCi::Wilson,
            direction: RocDirection::HigherIsPositive,
            bootstrap: None,
            dca_thresholds: None,
            comparisons: ComparisonPairs::AllPairs,
            calibration_clip: None,
        }
    }
}

/// Cohort of every row and the cohort whose rows choose the cut-off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CohortAssignment<'a> {
    /// Cohort name of each row (same length as the labels).
    pub cohort_of_row: &'a [String],
    /// The training cohort: its rows choose the Youden threshold and it is reported first.
    pub training: &'a str,
}

/// Operating point at the Youden threshold, applied to one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YoudenEval {
    /// Threshold in score units (chosen on the training cohort, or on all data without cohorts).
    pub threshold: f64,
    /// `">="` (higher is positive) or `"<="` (lower is positive).
    pub positive_if: String,
    /// Sensitivity.
    pub sensitivity: f64,
    /// Specificity.
    pub specificity: f64,
    /// Positive predictive value (NaN, serialised null, when nothing is called positive).
    pub ppv: f64,
    /// Negative predictive value.
    pub npv: f64,
    /// Accuracy.
    pub accuracy: f64,
    /// Sensitivity CI as [low, high].
    pub sensitivity_ci: [f64; 2],
    /// Specificity CI.
    pub specificity_ci: [f64; 2],
    /// PPV CI.
    pub ppv_ci: [f64; 2],
    /// NPV CI.
    pub npv_ci: [f64; 2],
    /// Accuracy CI.
    pub accuracy_ci: [f64; 2],
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// True negatives.
    pub tn: usize,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// Binomial CI method (`"wilson"` or `"clopper-pearson"`).
    pub ci_method: BinomialCi,
}

/// Results for one score in one cohort.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreEval {
    /// Score name.
    pub score: String,
    /// Cohort name (null without a cohort assignment).
    pub cohort: Option<String>,
    /// Whether this cohort chose the threshold.
    pub is_train: bool,
    /// Subjects.
    pub n: usize,
    /// Positives (events).
    pub n_positive: usize,
    /// Direction used.
    pub direction: RocDirection,
    /// AUC (null if the cohort has fewer than 2 of either class).
    pub auc: Option<f64>,
    /// DeLong standard error of the AUC.
    pub auc_se: Option<f64>,
    /// DeLong CI [low, high], clipped to [0, 1].
    pub auc_ci: Option<[f64; 2]>,
    /// Stratified percentile-bootstrap CI, when asked.
    pub auc_bootstrap: Option<BootstrapCi>,
    /// Youden operating point.
    pub youden: YoudenEval,
    /// Brier score of the values as given (only for probability scores).
    pub brier: Option<f64>,
    /// Calibration (only for probability scores with both classes and 0 < p < 1 after clipping).
    pub calibration: Option<Calibration>,
    /// Empirical ROC curve as [false-positive rate, true-positive rate] points.
    pub roc: Vec<[f64; 2]>,
    /// Decision curve (only for probability scores when thresholds were given).
    pub decision_curve: Option<DecisionCurve>,
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
    /// Cohort (null without a cohort assignment).
    pub cohort: Option<String>,
    /// AUC of a.
    pub auc_a: f64,
    /// AUC of b.
    pub auc_b: f64,
    /// AUC of a minus AUC of b.
    pub difference: f64,
    /// CI of the difference at the evaluation's level: `difference ± z sqrt(var_a + var_b - 2 cov)`
    /// (pROC `roc.test` paired DeLong `conf.int`; a zero variance gives a zero-width interval).
    pub difference_ci: [f64; 2],
    /// DeLong Z.
    pub z: f64,
    /// Two-sided p.
    pub p: f64,
}

/// Everything an evaluation returns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Outcome column (set by [`evaluate_csv`]; null in memory).
    pub label: Option<String>,
    /// Confidence level.
    pub level: f64,
    /// Binomial CI method of the cut-off metrics.
    pub proportion_ci: BinomialCi,
    /// Where thresholds were chosen (`"all data"` or `"cohort <name>"`).
    pub threshold_chosen_on: String,
    /// One entry per score and cohort: scores in input order, the training cohort first, then
    /// the other cohorts in order of first appearance.
    pub scores: Vec<ScoreEval>,
    /// Per compared pair (in pair order), one entry per cohort (in cohort order).
    pub comparisons: Vec<Comparison>,
    /// Comparisons that could not be computed, with the reason.
    pub notes: Vec<String>,
}

impl Evaluation {
    /// The entry of `score` in `cohort` (`None` = the evaluation without cohorts).
    pub fn get(&self, score: &str, cohort: Option<&str>) -> Option<&ScoreEval> {
        self.scores
            .iter()
            .find(|e| e.score == score && e.cohort.as_deref() == cohort)
    }

    /// The comparison of `a` and `b` in `cohort`.
    pub fn comparison(&self, a: &str, b: &str, cohort: Option<&str>) -> Option<&Comparison> {
        self.comparisons
            .iter()
            .find(|c| c.a == a && c.b == b && c.cohort.as_deref() == cohort)
    }
}

/// A cohort name (None = all data) and its row indices.
type CohortRows = (Option<String>, Vec<usize>);

fn youden_eval(m: &CutoffMetrics, threshold: f64, lower_positive: bool) -> YoudenEval {
    let ci = |p: &Proportion| [p.lower, p.upper];
    YoudenEval {
        threshold,
        positive_if: if lower_positive { "<=" } else { ">=" }.into(),
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
        ci_method: m.ci_method,
    }
}

fn check_options(opts: &EvaluateOptions) -> Result<()> {
    if !(opts.level > 0.0 && opts.level < 1.0) {
        return Err(StatsError::input(
            WHAT,
            format!("level must be in (0,1), got {}", opts.level),
        ));
    }
    if let Some(b) = opts.bootstrap {
        if b.replicates < 2 {
            return Err(StatsError::input(
                WHAT,
                format!(
                    "bootstrap needs at least 2 replicates, got {}",
                    b.replicates
                ),
            ));
        }
    }
    if let Some(t) = &opts.dca_thresholds {
        if let Some(bad) = t.iter().find(|t| !(0.0..1.0).contains(*t)) {
            return Err(StatsError::input(
                WHAT,
                format!("decision-curve threshold {bad} is not in [0, 1)"),
            ));
        }
    }
    if let Some(c) = opts.calibration_clip {
        if !(c > 0.0 && c < 0.5) {
            return Err(StatsError::input(
                WHAT,
                format!("calibration clip must be in (0, 0.5), got {c}"),
            ));
        }
    }
    Ok(())
}

/// Cohort groups, the training one first, and the "threshold chosen on" text.
fn cohort_groups(
    n: usize,
    cohorts: Option<CohortAssignment<'_>>,
) -> Result<(Vec<CohortRows>, String)> {
    let Some(c) = cohorts else {
        return Ok((vec![(None, (0..n).collect())], "all data".into()));
    };
    if c.cohort_of_row.len() != n {
        return Err(StatsError::input(
            WHAT,
            format!(
                "cohort assignment has {} rows but there are {n} labels",
                c.cohort_of_row.len()
            ),
        ));
    }
    let mut order: Vec<&str> = vec![c.training];
    for v in c.cohort_of_row {
        if !order.contains(&v.as_str()) {
            order.push(v);
        }
    }
    let groups: Vec<CohortRows> = order
        .iter()
        .map(|g| {
            (
                Some(g.to_string()),
                (0..n).filter(|&i| c.cohort_of_row[i] == *g).collect(),
            )
        })
        .collect();
    if groups[0].1.is_empty() {
        return Err(StatsError::input(
            WHAT,
            format!(
                "no rows have cohort value '{}' (the training cohort)",
                c.training
            ),
        ));
    }
    Ok((groups, format!("cohort {}", c.training)))
}

/// Index pairs of the scores to compare.
fn comparison_pairs(names: &[&str], which: &ComparisonPairs) -> Result<Vec<(usize, usize)>> {
    Ok(match which {
        ComparisonPairs::None => Vec::new(),
        ComparisonPairs::AllPairs => (0..names.len())
            .flat_map(|i| ((i + 1)..names.len()).map(move |j| (i, j)))
            .collect(),
        ComparisonPairs::Listed(pairs) => {
            let find = |s: &str| {
                names.iter().position(|n| *n == s).ok_or_else(|| {
                    StatsError::input(
                        WHAT,
                        format!("comparison names score '{s}', which is not evaluated"),
                    )
                })
            };
            pairs
                .iter()
                .map(|(a, b)| {
                    let (i, j) = (find(a)?, find(b)?);
                    if i == j {
                        return Err(StatsError::input(
                            WHAT,
                            format!("comparison of score '{a}' with itself"),
                        ));
                    }
                    Ok((i, j))
                })
                .collect::<Result<_>>()?
        }
    })
}

/// Evaluates `scores` (name, one value per row) against `labels` (true = positive), optionally
/// per cohort. See the module docs and `docs/evaluate.md`.
///
/// Errors: no score, duplicate score names, a length mismatch, a non-finite score, invalid
/// options, a training cohort without rows, or a training cohort on which the Youden threshold
/// is undefined (one class only). Statistics that are undefined in a cohort are null with a note.
pub fn evaluate(
    labels: &[bool],
    cohorts: Option<CohortAssignment<'_>>,
    scores: &[(String, Vec<f64>)],
    opts: &EvaluateOptions,
) -> Result<Evaluation> {
    if scores.is_empty() {
        return Err(StatsError::input(WHAT, "no scores given"));
    }
    check_options(opts)?;
    let names: Vec<&str> = scores.iter().map(|(n, _)| n.as_str()).collect();
    for (k, (name, s)) in scores.iter().enumerate() {
        if names[..k].contains(&name.as_str()) {
            return Err(StatsError::input(
                WHAT,
                format!("score '{name}' is given twice"),
            ));
        }
        if s.len() != labels.len() {
            return Err(StatsError::input(
                WHAT,
                format!(
                    "score '{name}' has {} values but there are {} labels",
                    s.len(),
                    labels.len()
                ),
            ));
        }
        if let Some(i) = s.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::input(
                WHAT,
                format!("score '{name}' is not finite at row index {i}"),
            ));
        }
    }
    let pairs = comparison_pairs(&names, &opts.comparisons)?;
    let (groups, chosen_on) = cohort_groups(labels.len(), cohorts)?;
    let pick = |v: &[f64], idx: &[usize]| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
    let pick_labels = |idx: &[usize]| -> Vec<bool> { idx.iter().map(|&i| labels[i]).collect() };

    let mut out = Vec::new();
    let mut oriented: Vec<Vec<f64>> = Vec::new();
    for (name, s) in scores {
        let train_idx = &groups[0].1;
        let (ts, tl) = (pick(s, train_idx), pick_labels(train_idx));
        let on_train = |e: StatsError| {
            StatsError::input(WHAT, format!("score '{name}' on the training rows: {e}"))
        };
        let dir = resolve_direction(&ts, &tl, opts.direction).map_err(on_train)?;
        let lower = dir == RocDirection::LowerIsPositive;
        let o: Vec<f64> = if lower {
            s.iter().map(|v| -v).collect()
        } else {
            s.clone()
        };
        let best = youden_threshold(&pick(&o, train_idx), &tl).map_err(on_train)?;
        let shown_threshold = if lower {
            -best.threshold
        } else {
            best.threshold
        };
        let is_prob = !lower && s.iter().all(|v| (0.0..=1.0).contains(v));
        for (k, (cname, idx)) in groups.iter().enumerate() {
            let (cs, cl) = (pick(&o, idx), pick_labels(idx));
            let mut notes = Vec::new();
            let delong = match auc_delong(&cs, &cl, opts.level) {
                Ok(a) => Some(a),
                Err(e) => {
                    notes.push(format!("auc: {e}"));
                    None
                }
            };
            let auc_bootstrap = match (opts.bootstrap, &delong) {
                (Some(b), Some(_)) => {
                    match auc_bootstrap_ci(&cs, &cl, opts.level, b.replicates, b.seed) {
                        Ok(ci) => Some(ci),
                        Err(e) => {
                            notes.push(format!("bootstrap CI: {e}"));
                            None
                        }
                    }
                }
                _ => None,
            };
            let roc = match roc_curve(&cs, &cl) {
                Ok(pts) => pts
                    .iter()
                    .map(|q| [1.0 - q.specificity, q.sensitivity])
                    .collect(),
                Err(e) => {
                    notes.push(format!("roc curve: {e}"));
                    Vec::new()
                }
            };
            let m = cutoff_metrics(&cs, &cl, best.threshold, opts.proportion_ci, opts.level)?;
            let (b, cal, dca) = if is_prob {
                let raw = pick(s, idx);
                let b = match brier(&raw, &cl) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        notes.push(format!("brier: {e}"));
                        None
                    }
                };
                let for_cal: Vec<f64> = match opts.calibration_clip {
                    Some(c) => raw.iter().map(|v| v.clamp(c, 1.0 - c)).collect(),
                    None => raw.clone(),
                };
                let cal = match calibration(&for_cal, &cl) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        notes.push(format!("calibration: {e}"));
                        None
                    }
                };
                let dca = match &opts.dca_thresholds {
                    Some(t) => match decision_curve(&raw, &cl, t) {
                        Ok(d) => Some(d),
                        Err(e) => {
                            notes.push(format!("decision curve: {e}"));
                            None
                        }
                    },
                    None => None,
                };
                (b, cal, dca)
            } else {
                notes.push(
                    "brier/calibration/decision curve: score is not a probability in [0, 1] with higher = positive"
                        .into(),
                );
                (None, None, None)
            };
            out.push(ScoreEval {
                score: name.clone(),
                cohort: cname.clone(),
                is_train: k == 0,
                n: idx.len(),
                n_positive: cl.iter().filter(|&&v| v).count(),
                direction: dir,
                auc: delong.map(|a| a.auc),
                auc_se: delong.map(|a| a.se),
                auc_ci: delong.map(|a| [a.lower, a.upper]),
                auc_bootstrap,
                youden: youden_eval(&m, shown_threshold, lower),
                brier: b,
                calibration: cal,
                roc,
                decision_curve: dca,
                notes,
            });
        }
        oriented.push(o);
    }
    let z = norm_quantile(0.5 + opts.level / 2.0);
    let mut comparisons = Vec::new();
    let mut notes = Vec::new();
    for &(i, j) in &pairs {
        for (cname, idx) in &groups {
            let cl = pick_labels(idx);
            match delong_paired(&pick(&oriented[i], idx), &pick(&oriented[j], idx), &cl) {
                Ok(t) => {
                    let d = t.auc1 - t.auc2;
                    let se = (t.var1 + t.var2 - 2.0 * t.cov).max(0.0).sqrt();
                    comparisons.push(Comparison {
                        a: names[i].to_string(),
                        b: names[j].to_string(),
                        cohort: cname.clone(),
                        auc_a: t.auc1,
                        auc_b: t.auc2,
                        difference: d,
                        difference_ci: [d - z * se, d + z * se],
                        z: t.z,
                        p: t.p,
                    });
                }
                Err(e) => notes.push(format!(
                    "comparison {} vs {}{}: {e}",
                    names[i],
                    names[j],
                    cname
                        .as_deref()
                        .map(|c| format!(" in cohort {c}"))
                        .unwrap_or_default()
                )),
            }
        }
    }
    Ok(Evaluation {
        label: None,
        level: opts.level,
        proportion_ci: opts.proportion_ci,
        threshold_chosen_on: chosen_on,
        scores: out,
        comparisons,
        notes,
    })
}

/// Columns of a predictions CSV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictionColumns {
    /// The 0/1 (or true/false) outcome column; 1 = positive.
    pub label: String,
    /// Score columns to evaluate (at least one).
    pub scores: Vec<String>,
    /// Optional cohort column; needs `train`.
    pub cohort: Option<String>,
    /// Value of the cohort column that marks the training cohort (threshold chosen there).
    pub train: Option<String>,
}

impl PredictionColumns {
    /// Columns `label` and `scores`, no cohort column.
    pub fn new(label: &str, scores: &[&str]) -> Self {
        PredictionColumns {
            label: label.to_string(),
            scores: scores.iter().map(|s| s.to_string()).collect(),
            cohort: None,
            train: None,
        }
    }
}

/// Parses a 0/1 (or true/false) outcome value.
fn parse_label(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "1.0" | "true" => Some(true),
        "0" | "0.0" | "false" => Some(false),
        _ => None,
    }
}

/// Reads a predictions CSV (header row; columns named in `columns`) and runs [`evaluate`].
/// Every label must be 0/1 (or true/false) and every score a finite number: bad cells are
/// reported with their row, never dropped silently. `cohort` without `train`, and the reverse,
/// are errors.
pub fn evaluate_csv(
    path: &Path,
    columns: &PredictionColumns,
    opts: &EvaluateOptions,
) -> Result<Evaluation> {
    let p = path.display().to_string();
    let io = |why: String| StatsError::Io {
        path: p.clone(),
        why,
    };
    match (&columns.cohort, &columns.train) {
        (Some(_), None) => {
            return Err(StatsError::unsupported(
                WHAT,
                "a cohort column needs the value that marks the training cohort (--train)",
            ))
        }
        (None, Some(_)) => {
            return Err(StatsError::input(
                WHAT,
                "a training value was given without a cohort column",
            ))
        }
        _ => {}
    }
    if columns.scores.is_empty() {
        return Err(StatsError::input(WHAT, "no score columns given"));
    }
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
    let li = col(&columns.label)?;
    let si: Vec<usize> = columns
        .scores
        .iter()
        .map(|s| col(s))
        .collect::<Result<_>>()?;
    let ci = columns.cohort.as_deref().map(col).transpose()?;
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
                columns.label
            ))
        })?);
        for (k, &j) in si.iter().enumerate() {
            let v = rec.get(j).unwrap_or("");
            let x: f64 = v.trim().parse().map_err(|_| {
                io(format!(
                    "row {row}: score '{v}' in column '{}' is not a number",
                    columns.scores[k]
                ))
            })?;
            if !x.is_finite() {
                return Err(io(format!(
                    "row {row}: score in column '{}' is not finite",
                    columns.scores[k]
                )));
            }
            scores[k].push(x);
        }
        if let Some(j) = ci {
            cohorts.push(rec.get(j).unwrap_or("").trim().to_string());
        }
    }
    let named: Vec<(String, Vec<f64>)> = columns.scores.iter().cloned().zip(scores).collect();
    let assignment = match (&ci, &columns.train) {
        (Some(_), Some(t)) => Some(CohortAssignment {
            cohort_of_row: &cohorts,
            training: t,
        }),
        _ => None,
    };
    let mut ev = evaluate(&labels, assignment, &named, opts)?;
    ev.label = Some(columns.label.clone());
    Ok(ev)
}

/// A number as CSV cell: NaN (undefined) is empty.
fn cell(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// An optional number as CSV cell.
fn cell_opt(v: Option<f64>) -> String {
    v.map(cell).unwrap_or_default()
}

/// Header of the per-score block of [`Evaluation::to_csv`].
const SCORE_COLUMNS: [&str; 24] = [
    "score",
    "cohort",
    "is_train",
    "n",
    "n_positive",
    "auc",
    "auc_ci_low",
    "auc_ci_high",
    "threshold",
    "positive_if",
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "accuracy",
    "tp",
    "fp",
    "tn",
    "fn",
    "brier",
    "calibration_intercept",
    "calibration_slope",
    "calibration_in_the_large",
    "hosmer_lemeshow_p",
];

/// Header of the comparison block of [`Evaluation::to_csv`].
const COMPARISON_COLUMNS: [&str; 10] = [
    "a",
    "b",
    "cohort",
    "auc_a",
    "auc_b",
    "difference",
    "difference_ci_low",
    "difference_ci_high",
    "z",
    "p",
];

/// Writes a header and rows with the `csv` crate.
fn csv_block<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> Result<String> {
    let err = |e: String| StatsError::input("evaluate CSV", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(|e| err(e.to_string()))?;
    for r in rows {
        w.write_record(r).map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(e.to_string()))
}

/// Formats `v` with `d` decimals, or "NA" when undefined.
fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        format!("{v:.d$}")
    } else {
        "NA".into()
    }
}

/// `est (lo, hi)` with `d` decimals.
fn with_ci(v: f64, ci: [f64; 2], d: usize) -> String {
    if v.is_finite() {
        format!("{} ({}, {})", num(v, d), num(ci[0], d), num(ci[1], d))
    } else {
        "NA".into()
    }
}

/// A threshold for reading: at most 6 decimals, trailing zeros dropped (the exact value is in
/// the JSON and CSV).
fn short(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let t = format!("{v:.6}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.into()
    }
}

/// Left-aligned plain-text table with a rule under the header.
fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            w[k] = w[k].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (k, c) in cells.iter().enumerate() {
            if k > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if k + 1 < cells.len() {
                s.push_str(&" ".repeat(w[k] - c.chars().count()));
            }
        }
        s.push('\n');
        s
    };
    let mut s = line(header.to_vec());
    let rule: Vec<String> = w.iter().map(|n| "-".repeat(*n)).collect();
    s.push_str(&line(rule.iter().map(String::as_str).collect()));
    for r in rows {
        s.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    s
}

impl Evaluation {
    /// Flat CSV: one row per score and cohort, then (after one blank line, when there are
    /// comparisons) one row per comparison. Undefined values are empty cells.
    pub fn to_csv(&self) -> Result<String> {
        let rows: Vec<[String; 24]> = self
            .scores
            .iter()
            .map(|e| {
                let y = &e.youden;
                let cal = e.calibration.as_ref();
                [
                    e.score.clone(),
                    e.cohort.clone().unwrap_or_default(),
                    e.is_train.to_string(),
                    e.n.to_string(),
                    e.n_positive.to_string(),
                    cell_opt(e.auc),
                    cell_opt(e.auc_ci.map(|c| c[0])),
                    cell_opt(e.auc_ci.map(|c| c[1])),
                    cell(y.threshold),
                    y.positive_if.clone(),
                    cell(y.sensitivity),
                    cell(y.specificity),
                    cell(y.ppv),
                    cell(y.npv),
                    cell(y.accuracy),
                    y.tp.to_string(),
                    y.fp.to_string(),
                    y.tn.to_string(),
                    y.fn_.to_string(),
                    cell_opt(e.brier),
                    cell_opt(cal.map(|c| c.intercept)),
                    cell_opt(cal.map(|c| c.slope)),
                    cell_opt(cal.map(|c| c.citl)),
                    cell_opt(cal.and_then(|c| c.hosmer_lemeshow.as_ref().map(|h| h.p))),
                ]
            })
            .collect();
        let mut s = csv_block(SCORE_COLUMNS, &rows)?;
        if !self.comparisons.is_empty() {
            let rows: Vec<[String; 10]> = self
                .comparisons
                .iter()
                .map(|c| {
                    [
                        c.a.clone(),
                        c.b.clone(),
                        c.cohort.clone().unwrap_or_default(),
                        cell(c.auc_a),
                        cell(c.auc_b),
                        cell(c.difference),
                        cell(c.difference_ci[0]),
                        cell(c.difference_ci[1]),
                        cell(c.z),
                        cell(c.p),
                    ]
                })
                .collect();
            s.push('\n');
            s.push_str(&csv_block(COMPARISON_COLUMNS, &rows)?);
        }
        Ok(s)
    }

    /// Pretty JSON (NaN values become `null`).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| StatsError::input(WHAT, e.to_string()))
    }

    /// Readable plain-text tables: one row per score and cohort (AUC with DeLong CI, the Youden
    /// operating point, Brier and calibration slope; 3 decimals, CIs as `(low, high)`, `NA` when
    /// undefined), then the paired comparisons, then the notes.
    pub fn to_text(&self) -> String {
        let pct = format!("{}%", num(self.level * 100.0, 0));
        let mut s = format!(
            "Evaluation{}: AUC with DeLong {pct} CI; cut-off = Youden threshold chosen on {}; {} {pct} CIs for proportions\n\n",
            self.label
                .as_deref()
                .map(|l| format!(" of outcome '{l}'"))
                .unwrap_or_default(),
            self.threshold_chosen_on,
            match self.proportion_ci {
                BinomialCi::Wilson => "Wilson",
                BinomialCi::ClopperPearson => "Clopper-Pearson",
            }
        );
        let rows: Vec<Vec<String>> = self
            .scores
            .iter()
            .map(|e| {
                let y = &e.youden;
                vec![
                    e.score.clone(),
                    match (&e.cohort, e.is_train) {
                        (Some(c), true) => format!("{c} *"),
                        (Some(c), false) => c.clone(),
                        (None, _) => "all".into(),
                    },
                    e.n.to_string(),
                    e.n_positive.to_string(),
                    match (e.auc, e.auc_ci) {
                        (Some(a), Some(ci)) => with_ci(a, ci, 3),
                        _ => "NA".into(),
                    },
                    format!("{} {}", y.positive_if, short(y.threshold)),
                    with_ci(y.sensitivity, y.sensitivity_ci, 3),
                    with_ci(y.specificity, y.specificity_ci, 3),
                    num(y.ppv, 3),
                    num(y.npv, 3),
                    num(y.accuracy, 3),
                    e.brier.map(|b| num(b, 3)).unwrap_or_else(|| "NA".into()),
                    e.calibration
                        .as_ref()
                        .map(|c| num(c.slope, 2))
                        .unwrap_or_else(|| "NA".into()),
                ]
            })
            .collect();
        s.push_str(&text_table(
            &[
                "score",
                "cohort",
                "n",
                "events",
                "AUC (CI)",
                "cut-off",
                "sensitivity (CI)",
                "specificity (CI)",
                "PPV",
                "NPV",
                "accuracy",
                "Brier",
                "cal. slope",
            ],
            &rows,
        ));
        if !self.comparisons.is_empty() {
            s.push_str("\nPaired DeLong comparisons\n\n");
            let rows: Vec<Vec<String>> = self
                .comparisons
                .iter()
                .map(|c| {
                    vec![
                        format!("{} vs {}", c.a, c.b),
                        c.cohort.clone().unwrap_or_else(|| "all".into()),
                        num(c.auc_a, 3),
                        num(c.auc_b, 3),
                        with_ci(c.difference, c.difference_ci, 3),
                        num(c.z, 3),
                        if c.p < 0.001 {
                            "<0.001".into()
                        } else {
                            num(c.p, 3)
                        },
                    ]
                })
                .collect();
            s.push_str(&text_table(
                &["pair", "cohort", "AUC a", "AUC b", "ΔAUC (CI)", "z", "p"],
                &rows,
            ));
        }
        if self.scores.iter().any(|e| e.cohort.is_some()) {
            s.push_str("* training cohort: the cut-off was chosen here\n");
        }
        // Notes of a score, each once with the cohorts it applies to.
        let mut grouped: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        for e in &self.scores {
            for n in &e.notes {
                let c = e.cohort.as_deref().unwrap_or("");
                match grouped
                    .iter_mut()
                    .find(|(sc, note, _)| *sc == e.score && *note == n)
                {
                    Some(g) => g.2.push(c),
                    None => grouped.push((&e.score, n, vec![c])),
                }
            }
        }
        let notes: Vec<String> = grouped
            .iter()
            .map(|(score, note, cohorts)| {
                let named: Vec<&str> = cohorts.iter().copied().filter(|c| !c.is_empty()).collect();
                if named.is_empty() {
                    format!("{score}: {note}")
                } else {
                    format!("{score} [{}]: {note}", named.join(", "))
                }
            })
            .chain(self.notes.iter().cloned())
            .collect();
        if !notes.is_empty() {
            s.push_str("\nNotes\n");
            for n in notes {
                s.push_str(&format!("- {n}\n"));
            }
        }
        s
    }
}
