//! Feature selectors fitted on training rows, and the [`SelectionChain`] that runs them in order
//! and records what each step kept and dropped (for the report).
//!
//! The paper's chain: inter-reader ICC > 0.75 → z-score → Mann–Whitney U (p < 0.05) → greedy
//! correlation filter (|r| > 0.6) → LASSO with 10-fold CV. Every step sees only the rows given
//! to [`SelectionChain::fit`]; the validation schemes in [`crate::validate`] call it inside each
//! training split.

use crate::error::{LearnError, Result};
use crate::estimator::Transform;
use crate::lasso::{LambdaChoice, LassoCv, LassoCvFit, LassoCvParams};
use crate::matrix::{check_labels, Matrix};
use crate::radscore::RadScore;
use crate::stats::{icc, mann_whitney, midranks, pearson, IccForm};
use crate::zscore::{ZScore, ZScoreFit};
use rayon::prelude::*;

/// Which correlation the redundancy filter uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrelationMethod {
    /// |Pearson r|.
    Pearson,
    /// |Spearman ρ|.
    Spearman,
    /// max(|Pearson|, |Spearman|).
    MaxAbs,
}

/// Greedy correlation (redundancy) filter, exactly as specified in the golden
/// `mannwhitney_corr.json`: repeatedly take the remaining pair (i < j, column order) with the
/// largest |r|; if it is ≤ cutoff stop; otherwise drop the member whose mean |r| to the other
/// remaining features is higher (tie: drop the later column j).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrelationFilter {
    cutoff: f64,
    method: CorrelationMethod,
}

/// Outcome of a filter: kept features and dropped ones (in the order dropped).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FilterOutcome {
    /// Features kept, in column order.
    pub kept: Vec<String>,
    /// Features dropped, in the order the filter dropped them.
    pub dropped: Vec<String>,
    /// Per-feature statistic the filter used (ICC, p-value...), in input column order.
    pub statistic: Vec<(String, f64)>,
}

impl CorrelationFilter {
    /// Builds the filter; `cutoff` must lie in (0, 1).
    pub fn new(cutoff: f64, method: CorrelationMethod) -> Result<Self> {
        if !(cutoff > 0.0 && cutoff < 1.0) {
            return Err(LearnError::param("cutoff", cutoff, "must lie in (0, 1)"));
        }
        Ok(Self { cutoff, method })
    }

    /// The |r| matrix (diagonal NaN; a constant column correlates 0 with everything).
    /// Ranks are computed once per column; rows of the matrix are filled in parallel.
    pub fn abs_correlation(&self, x: &Matrix) -> Vec<Vec<f64>> {
        let cols = x.columns();
        let p = cols.len();
        let ranks: Vec<Vec<f64>> = match self.method {
            CorrelationMethod::Pearson => Vec::new(),
            _ => cols.par_iter().map(|c| midranks(c)).collect(),
        };
        let upper: Vec<Vec<f64>> = (0..p)
            .into_par_iter()
            .map(|i| {
                (i + 1..p)
                    .map(|j| {
                        let r = match self.method {
                            CorrelationMethod::Pearson => pearson(&cols[i], &cols[j]).abs(),
                            CorrelationMethod::Spearman => pearson(&ranks[i], &ranks[j]).abs(),
                            CorrelationMethod::MaxAbs => pearson(&cols[i], &cols[j])
                                .abs()
                                .max(pearson(&ranks[i], &ranks[j]).abs()),
                        };
                        if r.is_nan() {
                            0.0
                        } else {
                            r
                        }
                    })
                    .collect()
            })
            .collect();
        let mut a = vec![vec![f64::NAN; p]; p];
        for i in 0..p {
            for (k, r) in upper[i].iter().enumerate() {
                let j = i + 1 + k;
                a[i][j] = *r;
                a[j][i] = *r;
            }
        }
        a
    }

    /// Runs the greedy filter on the given rows.
    pub fn select(&self, x: &Matrix) -> Result<FilterOutcome> {
        x.check_finite("CorrelationFilter")?;
        let a = self.abs_correlation(x);
        let p = a.len();
        let mut keep = vec![true; p];
        let mut dropped = Vec::new();
        loop {
            let mut best = (f64::NEG_INFINITY, 0, 0);
            for i in 0..p {
                if !keep[i] {
                    continue;
                }
                for j in i + 1..p {
                    if keep[j] && a[i][j] > best.0 {
                        best = (a[i][j], i, j);
                    }
                }
            }
            if best.0 == f64::NEG_INFINITY || best.0 <= self.cutoff {
                break;
            }
            let (_, i, j) = best;
            let mean_to_others = |f: usize| {
                let v: Vec<f64> = (0..p)
                    .filter(|&k| keep[k] && k != f)
                    .map(|k| a[f][k])
                    .collect();
                v.iter().sum::<f64>() / v.len() as f64
            };
            let d = if mean_to_others(i) > mean_to_others(j) {
                i
            } else {
                j
            };
            keep[d] = false;
            dropped.push(x.names()[d].clone());
        }
        let kept = (0..p)
            .filter(|&k| keep[k])
            .map(|k| x.names()[k].clone())
            .collect();
        Ok(FilterOutcome {
            kept,
            dropped,
            statistic: Vec::new(),
        })
    }
}

/// Mann–Whitney U filter: keeps features whose two-sided p (normal approximation with tie
/// correction, R `wilcox.test(exact = FALSE)`) is below `alpha`, optionally after
/// Benjamini–Hochberg FDR adjustment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitneyFilter {
    alpha: f64,
    fdr: bool,
    continuity: bool,
}

impl MannWhitneyFilter {
    /// Builds the filter (`alpha` in (0, 1)); continuity correction on, as R's default.
    pub fn new(alpha: f64, fdr: bool) -> Result<Self> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(LearnError::param("alpha", alpha, "must lie in (0, 1)"));
        }
        Ok(Self {
            alpha,
            fdr,
            continuity: true,
        })
    }

    /// Turns the 0.5 continuity correction on or off.
    pub fn continuity(mut self, on: bool) -> Self {
        self.continuity = on;
        self
    }

    /// Tests every feature (positives vs negatives) on the given rows; `statistic` holds the
    /// p-values used (BH-adjusted when FDR is on).
    pub fn select(&self, x: &Matrix, y: &[bool]) -> Result<FilterOutcome> {
        check_labels(x, y, "MannWhitneyFilter")?;
        x.check_finite("MannWhitneyFilter")?;
        let mut p = Vec::with_capacity(x.n_cols());
        for j in 0..x.n_cols() {
            let c = x.column(j);
            let pos: Vec<f64> = c
                .iter()
                .zip(y)
                .filter(|(_, &b)| b)
                .map(|(v, _)| *v)
                .collect();
            let neg: Vec<f64> = c
                .iter()
                .zip(y)
                .filter(|(_, &b)| !b)
                .map(|(v, _)| *v)
                .collect();
            p.push(mann_whitney(&pos, &neg, self.continuity)?.1);
        }
        if self.fdr {
            p = dlr_stats::p_adjust_bh(&p)?;
        }
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for (j, pv) in p.iter().enumerate() {
            if *pv < self.alpha {
                kept.push(x.names()[j].clone());
            } else {
                dropped.push(x.names()[j].clone());
            }
        }
        let statistic = x.names().iter().cloned().zip(p).collect();
        Ok(FilterOutcome {
            kept,
            dropped,
            statistic,
        })
    }
}

/// Inter-reader reproducibility filter: keeps features whose ICC between two readers' feature
/// values on the same rows exceeds `threshold` (paper: 0.75, ICC(2,1) by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IccFilter {
    threshold: f64,
    form: IccForm,
}

impl IccFilter {
    /// Builds the filter (`threshold` in (−1, 1)).
    pub fn new(threshold: f64, form: IccForm) -> Result<Self> {
        if !(threshold > -1.0 && threshold < 1.0) {
            return Err(LearnError::param(
                "threshold",
                threshold,
                "must lie in (-1, 1)",
            ));
        }
        Ok(Self { threshold, form })
    }

    /// Computes the ICC per feature from reader A and reader B matrices (same rows, same
    /// columns). Features with an undefined ICC (no variance at all) are dropped.
    pub fn select(&self, reader_a: &Matrix, reader_b: &Matrix) -> Result<FilterOutcome> {
        if reader_a.n_rows() != reader_b.n_rows() {
            return Err(LearnError::Shape {
                context: "IccFilter readers' rows".into(),
                expected: reader_a.n_rows(),
                got: reader_b.n_rows(),
            });
        }
        let b = if reader_b.names() == reader_a.names() {
            reader_b.clone()
        } else {
            reader_b.select_named(reader_a.names())?
        };
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        let mut statistic = Vec::new();
        for j in 0..reader_a.n_cols() {
            let table: Vec<Vec<f64>> = (0..reader_a.n_rows())
                .map(|i| vec![reader_a.get(i, j), b.get(i, j)])
                .collect();
            let v = icc(&table, self.form)?;
            let name = reader_a.names()[j].clone();
            if v > self.threshold {
                kept.push(name.clone());
            } else {
                dropped.push(name.clone());
            }
            statistic.push((name, v));
        }
        Ok(FilterOutcome {
            kept,
            dropped,
            statistic,
        })
    }
}

/// Drops features that are constant on the given rows.
pub fn drop_constant(x: &Matrix) -> FilterOutcome {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for j in 0..x.n_cols() {
        let c = x.column(j);
        if c.iter().all(|v| *v == c[0]) {
            dropped.push(x.names()[j].clone());
        } else {
            kept.push(x.names()[j].clone());
        }
    }
    FilterOutcome {
        kept,
        dropped,
        statistic: Vec::new(),
    }
}

/// Drops features with any NaN or infinite value on the given rows.
pub fn drop_non_finite(x: &Matrix) -> FilterOutcome {
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for j in 0..x.n_cols() {
        if x.column(j).iter().all(|v| v.is_finite()) {
            kept.push(x.names()[j].clone());
        } else {
            dropped.push(x.names()[j].clone());
        }
    }
    FilterOutcome {
        kept,
        dropped,
        statistic: Vec::new(),
    }
}

/// One step of a [`SelectionChain`].
#[derive(Debug, Clone, PartialEq)]
pub enum SelectionStep {
    /// Drop features with NaN/infinite values on the training rows (must be the first step;
    /// without it, a non-finite value is an error naming the feature).
    DropNonFinite,
    /// Inter-reader ICC filter (needs the second reader's matrix).
    Icc(IccFilter),
    /// Drop features constant on the training rows.
    DropConstant,
    /// Z-score with training mean and sd.
    ZScore,
    /// Mann–Whitney U filter.
    MannWhitney(MannWhitneyFilter),
    /// Greedy correlation filter.
    Correlation(CorrelationFilter),
    /// LASSO-CV; keeps the non-zero coefficients at the chosen lambda.
    Lasso(LassoCv, LambdaChoice),
}

impl SelectionStep {
    /// Short name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            SelectionStep::DropNonFinite => "drop_non_finite",
            SelectionStep::Icc(_) => "icc",
            SelectionStep::DropConstant => "drop_constant",
            SelectionStep::ZScore => "zscore",
            SelectionStep::MannWhitney(_) => "mann_whitney",
            SelectionStep::Correlation(_) => "correlation",
            SelectionStep::Lasso(..) => "lasso",
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StepRecord {
    /// Step name.
    pub step: String,
    /// Number of features entering the step.
    pub n_in: usize,
    /// Features kept.
    pub kept: Vec<String>,
    /// Features dropped (in the order dropped where the step defines one).
    pub dropped: Vec<String>,
    /// Per-feature statistic (ICC, p-value, coefficient), where the step has one (an undefined
    /// ICC is NaN, written as `null` in JSON).
    #[serde(with = "crate::serde_float::nonfinite_named")]
    pub statistic: Vec<(String, f64)>,
    /// Free-text note (e.g. chosen lambda).
    pub note: String,
}

/// An ordered list of selection steps.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionChain {
    steps: Vec<SelectionStep>,
}

/// A chain fitted on training rows: what each step kept, the z-score parameters and the LASSO
/// fit — no training rows or outcomes.
///
/// Applying it ([`Transform::transform`]) takes a matrix holding at least
/// [`ChainFit::input_features`], scales with the training means/sds and keeps
/// [`ChainFit::selected`]. The rad-score is [`ChainFit::rad_score`] (formula) or
/// [`ChainFit::rad_score_values`] (per row).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChainFit {
    /// What each step kept and dropped.
    pub records: Vec<StepRecord>,
    /// Final selected features.
    pub selected: Vec<String>,
    /// The z-score fit (on the features present when the step ran), if the chain has one.
    pub zscore: Option<ZScoreFit>,
    /// Features entering the z-score step (the columns `transform` needs).
    pub zscore_input: Vec<String>,
    /// The LASSO-CV fit, if the chain has a LASSO step, with the lambda choice.
    pub lasso: Option<(LassoCvFit, LambdaChoice)>,
}

impl SelectionChain {
    /// Builds a chain; a LASSO step, if present, must be last, and at most one z-score step.
    pub fn new(steps: Vec<SelectionStep>) -> Result<Self> {
        if let Some(pos) = steps
            .iter()
            .position(|s| matches!(s, SelectionStep::Lasso(..)))
        {
            if pos + 1 != steps.len() {
                return Err(LearnError::param(
                    "steps",
                    "lasso",
                    "the LASSO step must be the last step",
                ));
            }
        }
        if steps
            .iter()
            .skip(1)
            .any(|s| matches!(s, SelectionStep::DropNonFinite))
        {
            return Err(LearnError::param(
                "steps",
                "drop_non_finite",
                "DropNonFinite must be the first step",
            ));
        }
        if steps
            .iter()
            .filter(|s| matches!(s, SelectionStep::ZScore))
            .count()
            > 1
        {
            return Err(LearnError::param(
                "steps",
                "zscore",
                "at most one z-score step",
            ));
        }
        Ok(Self { steps })
    }

    /// The paper's chain: ICC(2,1) > 0.75 → drop constants → z-score → Mann–Whitney p < 0.05 →
    /// Pearson |r| > 0.6 → LASSO 10-fold CV (deviance, lambda.min).
    pub fn paper(seed: u64) -> Result<Self> {
        Self::new(vec![
            SelectionStep::Icc(IccFilter::new(0.75, IccForm::Icc2)?),
            SelectionStep::DropConstant,
            SelectionStep::ZScore,
            SelectionStep::MannWhitney(MannWhitneyFilter::new(0.05, false)?),
            SelectionStep::Correlation(CorrelationFilter::new(0.6, CorrelationMethod::Pearson)?),
            SelectionStep::Lasso(
                LassoCvParams::default().seed(seed).build()?,
                LambdaChoice::Min,
            ),
        ])
    }

    /// The steps.
    pub fn steps(&self) -> &[SelectionStep] {
        &self.steps
    }

    /// Whether the chain needs a second reader's matrix.
    pub fn needs_second_reader(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, SelectionStep::Icc(_)))
    }

    /// Runs every step on the given rows only. `second_reader` holds reader B's features for the
    /// same rows (needed by an ICC step). A step that receives no features records that and
    /// passes the empty set on.
    pub fn fit(&self, x: &Matrix, y: &[bool], second_reader: Option<&Matrix>) -> Result<ChainFit> {
        check_labels(x, y, "SelectionChain::fit")?;
        if !matches!(self.steps.first(), Some(SelectionStep::DropNonFinite)) {
            x.check_finite("SelectionChain::fit")?;
        }
        let mut current = x.clone();
        let mut fit = ChainFit {
            records: Vec::new(),
            selected: Vec::new(),
            zscore: None,
            zscore_input: Vec::new(),
            lasso: None,
        };
        for step in &self.steps {
            let n_in = current.n_cols();
            let mut note = String::new();
            if n_in == 0 {
                fit.records.push(StepRecord {
                    step: step.name().into(),
                    n_in,
                    kept: vec![],
                    dropped: vec![],
                    statistic: vec![],
                    note: "no features left; step skipped".into(),
                });
                continue;
            }
            let outcome = match step {
                SelectionStep::DropNonFinite => drop_non_finite(&current),
                SelectionStep::Icc(f) => {
                    let b = second_reader.ok_or_else(|| {
                        LearnError::Usage(
                            "the ICC step needs the second reader's feature matrix".into(),
                        )
                    })?;
                    b.check_finite("SelectionChain ICC (reader B)")?;
                    f.select(&current, &b.select_named(current.names())?)?
                }
                SelectionStep::DropConstant => drop_constant(&current),
                SelectionStep::ZScore => {
                    let const_cols = drop_constant(&current);
                    if !const_cols.dropped.is_empty() {
                        return Err(LearnError::data(
                            "SelectionChain z-score",
                            format!("features {:?} are constant on the training rows; add a DropConstant step before the z-score", const_cols.dropped),
                        ));
                    }
                    let z = ZScore.fit(&current)?;
                    fit.zscore_input = current.names().to_vec();
                    current = z.transform(&current)?;
                    fit.zscore = Some(z);
                    FilterOutcome {
                        kept: current.names().to_vec(),
                        dropped: vec![],
                        statistic: vec![],
                    }
                }
                SelectionStep::MannWhitney(f) => f.select(&current, y)?,
                SelectionStep::Correlation(f) => f.select(&current)?,
                SelectionStep::Lasso(cv, choice) => {
                    let lf = cv.fit(&current, y)?;
                    let nz = lf.nonzero(*choice);
                    note = format!(
                        "lambda = {:.6e} (index {} of {})",
                        lf.lambda(*choice),
                        lf.index(*choice) + 1,
                        lf.path.lambda.len()
                    );
                    let kept: Vec<String> = nz.iter().map(|(n, _)| n.clone()).collect();
                    let dropped = current
                        .names()
                        .iter()
                        .filter(|n| !kept.contains(n))
                        .cloned()
                        .collect();
                    fit.lasso = Some((lf, *choice));
                    FilterOutcome {
                        kept,
                        dropped,
                        statistic: nz,
                    }
                }
            };
            if !matches!(step, SelectionStep::Lasso(..)) {
                current = current.select_named(&outcome.kept)?;
            }
            fit.records.push(StepRecord {
                step: step.name().into(),
                n_in,
                kept: outcome.kept.clone(),
                dropped: outcome.dropped,
                statistic: outcome.statistic,
                note,
            });
            if matches!(step, SelectionStep::Lasso(..)) {
                current = current.select_named(&outcome.kept)?;
            }
        }
        fit.selected = current.names().to_vec();
        Ok(fit)
    }
}

impl ChainFit {
    /// The rad-score of the LASSO step, if the chain had one.
    pub fn rad_score(&self) -> Option<RadScore> {
        self.lasso
            .as_ref()
            .map(|(f, c)| RadScore::from_lasso(f, *c))
    }

    /// The rad-score of every row of `x` (raw features, as given to the chain when fitting):
    /// `x` is scaled and selected by [`Transform::transform`], then the LASSO linear predictor
    /// at the chosen lambda is computed. `None` when the chain has no LASSO step or no feature
    /// survived.
    pub fn rad_score_values(&self, x: &Matrix) -> Result<Option<Vec<f64>>> {
        let Some(rs) = self.rad_score() else {
            return Ok(None);
        };
        if self.selected.is_empty() {
            return Ok(None);
        }
        Ok(Some(rs.compute(&self.transform(x)?)?))
    }

    /// The columns [`Transform::transform`] reads: the features entering the z-score step when
    /// the chain has one, else the selected features.
    pub fn input_features(&self) -> &[String] {
        if self.zscore.is_some() {
            &self.zscore_input
        } else {
            &self.selected
        }
    }

    /// Checks the z-score and LASSO fits and that their columns agree with the selection.
    pub fn validate(&self) -> Result<()> {
        if let Some(z) = &self.zscore {
            z.validate()?;
            if z.names != self.zscore_input {
                return Err(LearnError::data(
                    "ChainFit",
                    "the z-score columns differ from the recorded z-score input",
                ));
            }
        }
        if let Some((l, _)) = &self.lasso {
            l.validate()?;
        }
        Ok(())
    }
}

impl Transform for ChainFit {
    /// Applies the training-fitted scaling and keeps the selected features (any rows).
    fn transform(&self, x: &Matrix) -> Result<Matrix> {
        let scaled = match &self.zscore {
            Some(z) => z.transform(&x.select_named(&self.zscore_input)?)?,
            None => x.clone(),
        };
        scaled.select_named(&self.selected)
    }
}
