//! Validation schemes that keep selection inside the training rows: held-out split, k-fold,
//! repeated k-fold, nested CV (the whole selection chain — including LASSO's own inner CV —
//! runs inside each outer training fold) and Harrell's bootstrap optimism correction.
//!
//! Selecting on all rows before cross-validating is the classic leakage anti-pattern. It is only
//! reachable through [`SelectionScope::AllRows`] with `allow_leakage: true`; otherwise it is an
//! error, and when allowed the result carries a warning. Folds and bootstrap replicates run in
//! parallel with rayon; every replicate is computed sequentially from its own seed and results
//! are collected in order, so output is bitwise identical for any thread count.

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, PredictProba, Transform};
use crate::fitted::FittedClassifier;
use crate::matrix::{check_labels, Matrix};
use crate::selection::{ChainFit, SelectionChain, StepRecord};
use crate::split::{bootstrap_rows, kfold, Fold};
use crate::stats::{auc, auc_delong_ci};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::sync::Arc;

/// Selection chain followed by a classifier on the selected features.
#[derive(Clone)]
pub struct Pipeline {
    /// Feature selection (fitted on training rows only).
    pub chain: SelectionChain,
    /// The model fitted on the selected, scaled features.
    pub model: Arc<dyn Classifier>,
}

/// A fitted [`Pipeline`]: the fitted selection chain and the model fitted on its output.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PipelineFit {
    /// The fitted chain (records what each step kept, z-score parameters, LASSO fit).
    pub chain: ChainFit,
    /// The fitted model; `None` when no feature survived selection (predicts the training prevalence).
    pub model: Option<FittedClassifier>,
    /// Training prevalence (used when no feature survived).
    pub prevalence: f64,
}

impl PipelineFit {
    /// Checks the chain, the model and the prevalence.
    pub fn validate(&self) -> Result<()> {
        self.chain.validate()?;
        if let Some(m) = &self.model {
            m.validate()?;
        }
        if !(0.0..=1.0).contains(&self.prevalence) {
            return Err(LearnError::data(
                "PipelineFit",
                format!("prevalence {} outside [0, 1]", self.prevalence),
            ));
        }
        Ok(())
    }
}

impl Pipeline {
    /// Builds a pipeline.
    pub fn new(chain: SelectionChain, model: Arc<dyn Classifier>) -> Self {
        Self { chain, model }
    }

    /// Fits chain and model on the given rows (`second_reader`: reader B's features, same rows).
    pub fn fit(
        &self,
        x: &Matrix,
        y: &[bool],
        second_reader: Option<&Matrix>,
    ) -> Result<PipelineFit> {
        let chain = self.chain.fit(x, y, second_reader)?;
        fit_model_on_chain(chain, self.model.as_ref(), x, y)
    }
}

fn fit_model_on_chain(
    chain: ChainFit,
    model: &dyn Classifier,
    x: &Matrix,
    y: &[bool],
) -> Result<PipelineFit> {
    let prevalence = y.iter().filter(|&&b| b).count() as f64 / y.len() as f64;
    if chain.selected.is_empty() {
        return Ok(PipelineFit {
            chain,
            model: None,
            prevalence,
        });
    }
    let xt = chain.transform(x)?;
    let m = model.fit_classifier(&xt, y)?;
    Ok(PipelineFit {
        chain,
        model: Some(m),
        prevalence,
    })
}

impl PredictProba for PipelineFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        match &self.model {
            None => Ok(vec![self.prevalence; x.n_rows()]),
            Some(m) => m.predict_proba(&self.chain.transform(x)?),
        }
    }
}

/// Where feature selection is fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SelectionScope {
    /// Inside each training split (correct; the default).
    #[default]
    TrainingRows,
    /// Once on all rows before validation — leaks held-out labels into selection. Refused unless
    /// `allow_leakage` is true; then the result carries a warning.
    AllRows {
        /// Explicit opt-in to the biased scheme (for demonstrations only).
        allow_leakage: bool,
    },
}

/// AUC with its DeLong 95% CI.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AucCi {
    /// AUC.
    pub auc: f64,
    /// Lower 95% bound.
    pub lower: f64,
    /// Upper 95% bound.
    pub upper: f64,
}

fn auc_ci(p: &[f64], y: &[bool]) -> Result<AucCi> {
    let (auc, lower, upper) = auc_delong_ci(p, y, 0.95)?;
    Ok(AucCi { auc, lower, upper })
}

/// Result of a cross-validation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CvResult {
    /// Held-out predictions per fold: (rows, probabilities), in fold order.
    pub fold_predictions: Vec<(Vec<usize>, Vec<f64>)>,
    /// AUC of each fold (NaN where a fold holds one class only).
    pub fold_auc: Vec<f64>,
    /// Mean of the defined fold AUCs.
    pub mean_auc: f64,
    /// Pooled out-of-fold AUC with DeLong CI, when the folds partition the rows once.
    pub pooled: Option<AucCi>,
    /// Selection records per fold (one chain fit per fold; one in total with `AllRows`).
    pub selection_records: Vec<Vec<StepRecord>>,
    /// Warnings (leakage, folds without both classes...).
    pub warnings: Vec<String>,
}

/// Cross-validates `pipeline` over `folds`. With [`SelectionScope::TrainingRows`] the chain runs
/// inside every training fold (nested when the chain or model has its own inner CV).
pub fn cross_validate(
    pipeline: &Pipeline,
    x: &Matrix,
    y: &[bool],
    second_reader: Option<&Matrix>,
    folds: &[Fold],
    scope: SelectionScope,
) -> Result<CvResult> {
    check_labels(x, y, "cross_validate")?;
    if folds.is_empty() {
        return Err(LearnError::param("folds", 0, "need at least one fold"));
    }
    let mut warnings = Vec::new();
    let global_chain = match scope {
        SelectionScope::TrainingRows => None,
        SelectionScope::AllRows { allow_leakage: false } => {
            return Err(LearnError::Leakage(
                "feature selection on all rows before validation lets held-out labels choose the features and inflates the AUC; select inside each training fold (SelectionScope::TrainingRows) or set allow_leakage: true to demonstrate the bias".into(),
            ))
        }
        SelectionScope::AllRows { allow_leakage: true } => {
            warnings.push("LEAKAGE: features were selected on ALL rows before cross-validation (allow_leakage = true); the reported AUC is optimistically biased and must not be published".into());
            Some(pipeline.chain.fit(x, y, second_reader)?)
        }
    };
    let sub_reader = |rows: &[usize]| -> Result<Option<Matrix>> {
        second_reader.map(|r| r.select_rows(rows)).transpose()
    };
    let results: Vec<Result<(Vec<f64>, Vec<StepRecord>)>> = folds
        .par_iter()
        .map(|f| {
            let xtr = x.select_rows(&f.train)?;
            let ytr: Vec<bool> = f.train.iter().map(|&i| y[i]).collect();
            let fit = match &global_chain {
                None => pipeline.fit(&xtr, &ytr, sub_reader(&f.train)?.as_ref())?,
                Some(c) => fit_model_on_chain(c.clone(), pipeline.model.as_ref(), &xtr, &ytr)?,
            };
            let p = fit.predict_proba(&x.select_rows(&f.test)?)?;
            Ok((p, fit.chain.records.clone()))
        })
        .collect();
    let mut fold_predictions = Vec::with_capacity(folds.len());
    let mut fold_auc = Vec::with_capacity(folds.len());
    let mut selection_records = Vec::new();
    for (f, r) in folds.iter().zip(results) {
        let (p, rec) = r?;
        let yte: Vec<bool> = f.test.iter().map(|&i| y[i]).collect();
        let a = auc(&p, &yte);
        if a.is_nan() {
            warnings.push(format!("a held-out fold of {} rows has one class only; its AUC is undefined and left out of the mean", yte.len()));
        }
        fold_auc.push(a);
        fold_predictions.push((f.test.clone(), p));
        if global_chain.is_none() {
            selection_records.push(rec);
        }
    }
    if let Some(c) = global_chain {
        selection_records.push(c.records);
    }
    let defined: Vec<f64> = fold_auc.iter().copied().filter(|a| !a.is_nan()).collect();
    let mean_auc = if defined.is_empty() {
        f64::NAN
    } else {
        defined.iter().sum::<f64>() / defined.len() as f64
    };
    // pooled AUC when the folds partition the rows exactly once
    let mut seen = vec![0usize; y.len()];
    for (rows, _) in &fold_predictions {
        for &i in rows {
            seen[i] += 1;
        }
    }
    let pooled = if seen.iter().all(|&c| c == 1) {
        let mut p = vec![0.0; y.len()];
        for (rows, pr) in &fold_predictions {
            for (&i, v) in rows.iter().zip(pr) {
                p[i] = *v;
            }
        }
        Some(auc_ci(&p, y)?)
    } else {
        None
    };
    Ok(CvResult {
        fold_predictions,
        fold_auc,
        mean_auc,
        pooled,
        selection_records,
        warnings,
    })
}

/// Nested cross-validation: stratified `outer_k`-fold outer loop; the whole chain and model
/// (with any inner CV, e.g. LASSO's) are fitted inside each outer training fold.
pub fn nested_cv(
    pipeline: &Pipeline,
    x: &Matrix,
    y: &[bool],
    second_reader: Option<&Matrix>,
    outer_k: usize,
    seed: u64,
) -> Result<CvResult> {
    let folds = kfold(y, outer_k, seed)?;
    cross_validate(
        pipeline,
        x,
        y,
        second_reader,
        &folds,
        SelectionScope::TrainingRows,
    )
}

/// Result of a held-out evaluation.
pub struct HoldoutResult {
    /// Test-row probabilities (in `split.test` order).
    pub predictions: Vec<f64>,
    /// Test AUC with DeLong CI.
    pub test: AucCi,
    /// The pipeline fitted on the training rows.
    pub fit: PipelineFit,
}

/// Fits on `split.train`, evaluates on `split.test`.
pub fn holdout(
    pipeline: &Pipeline,
    x: &Matrix,
    y: &[bool],
    second_reader: Option<&Matrix>,
    split: &Fold,
) -> Result<HoldoutResult> {
    check_labels(x, y, "holdout")?;
    let ytr: Vec<bool> = split.train.iter().map(|&i| y[i]).collect();
    let rb = second_reader
        .map(|r| r.select_rows(&split.train))
        .transpose()?;
    let fit = pipeline.fit(&x.select_rows(&split.train)?, &ytr, rb.as_ref())?;
    let predictions = fit.predict_proba(&x.select_rows(&split.test)?)?;
    let yte: Vec<bool> = split.test.iter().map(|&i| y[i]).collect();
    let test = auc_ci(&predictions, &yte)?;
    Ok(HoldoutResult {
        predictions,
        test,
        fit,
    })
}

/// Harrell's bootstrap optimism correction of the AUC.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OptimismResult {
    /// AUC of the model fitted and evaluated on all rows.
    pub apparent_auc: f64,
    /// Mean over replicates of (AUC on the bootstrap sample − AUC on the original rows).
    pub optimism: f64,
    /// `apparent_auc − optimism`.
    pub corrected_auc: f64,
    /// Replicates used.
    pub n_used: usize,
    /// Replicates that could not be fitted (one class drawn, fit error), with the first reason.
    pub n_failed: usize,
    /// First failure message, if any.
    pub first_failure: Option<String>,
}

/// Harrell's optimism bootstrap: the whole pipeline (selection included) is refitted on each of
/// `n_boot` bootstrap samples (replicate `b` seeded from `seed` and `b`).
pub fn bootstrap_optimism(
    pipeline: &Pipeline,
    x: &Matrix,
    y: &[bool],
    second_reader: Option<&Matrix>,
    n_boot: usize,
    seed: u64,
) -> Result<OptimismResult> {
    check_labels(x, y, "bootstrap_optimism")?;
    if n_boot == 0 {
        return Err(LearnError::param("n_boot", 0, "must be positive"));
    }
    let full = pipeline.fit(x, y, second_reader)?;
    let apparent_auc = auc(&full.predict_proba(x)?, y);
    let reps: Vec<std::result::Result<f64, String>> = (0..n_boot)
        .into_par_iter()
        .map(|b| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(b as u64 + 1);
            let rows = bootstrap_rows(y.len(), &mut rng);
            let yb: Vec<bool> = rows.iter().map(|&i| y[i]).collect();
            let run = || -> Result<f64> {
                let xb = x.select_rows(&rows)?;
                let rb = second_reader.map(|r| r.select_rows(&rows)).transpose()?;
                let f = pipeline.fit(&xb, &yb, rb.as_ref())?;
                let a_boot = auc(&f.predict_proba(&xb)?, &yb);
                let a_orig = auc(&f.predict_proba(x)?, y);
                Ok(a_boot - a_orig)
            };
            run().map_err(|e| e.to_string())
        })
        .collect();
    let mut sum = 0.0;
    let mut n_used = 0;
    let mut n_failed = 0;
    let mut first_failure = None;
    for r in reps {
        match r {
            Ok(o) if o.is_finite() => {
                sum += o;
                n_used += 1;
            }
            Ok(_) => n_failed += 1,
            Err(e) => {
                n_failed += 1;
                first_failure.get_or_insert(e);
            }
        }
    }
    if n_used == 0 {
        return Err(LearnError::data(
            "bootstrap_optimism",
            format!(
                "no bootstrap replicate could be fitted: {}",
                first_failure.unwrap_or_default()
            ),
        ));
    }
    let optimism = sum / n_used as f64;
    Ok(OptimismResult {
        apparent_auc,
        optimism,
        corrected_auc: apparent_auc - optimism,
        n_used,
        n_failed,
        first_failure,
    })
}

impl Classifier for Pipeline {
    fn name(&self) -> String {
        format!("pipeline({})", self.model.name())
    }
    /// Fits chain and model (a chain needing a second reader cannot be used here).
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        if self.chain.needs_second_reader() {
            return Err(LearnError::Usage(
                "a pipeline with an ICC step needs the second reader; fit it with Pipeline::fit"
                    .into(),
            ));
        }
        Ok(FittedClassifier::Pipeline(Box::new(self.fit(x, y, None)?)))
    }
}

impl CvResult {
    /// How often each feature survived the whole chain across the fold fits (selection
    /// stability), most frequent first, ties by name.
    pub fn selection_frequency(&self) -> Vec<(String, usize)> {
        let mut counts: std::collections::BTreeMap<String, usize> =
            std::collections::BTreeMap::new();
        for recs in &self.selection_records {
            if let Some(last) = recs.last() {
                for k in &last.kept {
                    *counts.entry(k.clone()).or_insert(0) += 1;
                }
            }
        }
        let mut v: Vec<(String, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}
