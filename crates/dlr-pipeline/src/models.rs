//! Fitting the study's models on training patients only, and applying them to any patients.
//!
//! `dlr run` fits them here; the fitted models are serialised into the model bundle, from which
//! `dlr predict` applies them unchanged.

use crate::config::{ModelName, StudyConfig, SvmKernelSetting};
use crate::error::{PipelineError, Result};
use dlr_learn::{
    ChainFit, Classifier, ClinicalFit, ClinicalModel, CorrelationFilter, Fit, IccFilter, IccForm,
    LassoCvParams, LogisticRegression, MannWhitneyFilter, Matrix, Pipeline, PipelineFit,
    PredictProba, PrevalenceFallback, SelectionChain, SelectionStep, StepRecord,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Model names, in report order.
pub const MODEL_NAMES: [&str; 4] = [
    ModelName::Radiomics.as_str(),
    ModelName::Deep.as_str(),
    ModelName::Clinical.as_str(),
    ModelName::Combined.as_str(),
];

/// The feature matrices of one set of patients (rows aligned).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Handcrafted radiomics (primary reader), the columns the chain starts from.
    pub radiomics: Option<Matrix>,
    /// Deep features.
    pub deep: Option<Matrix>,
    /// Encoded clinical covariates.
    pub clinical: Option<Matrix>,
}

/// Everything fitted on the training patients (serialised into the model bundle).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FittedModels {
    /// Radiomics selection chain + random forest.
    pub radiomics: Option<PipelineFit>,
    /// Deep selection chain + SVM.
    pub deep: Option<PipelineFit>,
    /// Clinical logistic model.
    pub clinical: Option<ClinicalFit>,
    /// Stacked combination.
    pub combined: Option<dlr_learn::stacking::StackingFit>,
    /// Why a configured model was not fitted, by model name.
    pub skipped: BTreeMap<String, String>,
}

/// A stacking member's classifier: predicts the training prevalence when its inner fit fails
/// (inside stacking folds, where e.g. no clinical variable may pass screening in one fold).
fn or_prevalence(inner: Arc<dyn Classifier>) -> Arc<dyn Classifier> {
    Arc::new(PrevalenceFallback::new(inner))
}

/// The selection chain of the config (without the ICC step, which runs once on the training
/// patients' reader pairs before the chain).
pub fn selection_chain(cfg: &StudyConfig) -> Result<SelectionChain> {
    let s = &cfg.selection;
    let method = s.correlation_method.method();
    let choice = s.lambda_rule.choice();
    SelectionChain::new(vec![
        SelectionStep::DropConstant,
        SelectionStep::ZScore,
        SelectionStep::MannWhitney(MannWhitneyFilter::new(s.p_threshold, s.fdr)?),
        SelectionStep::Correlation(CorrelationFilter::new(s.correlation_threshold, method)?),
        SelectionStep::Lasso(
            LassoCvParams::default()
                .n_folds(s.lasso_folds)
                .seed(cfg.split.seed)
                .build()?,
            choice,
        ),
    ])
    .map_err(PipelineError::from)
}

/// The inter-reader ICC filter on training patients: returns the kept columns and the step record.
pub fn icc_filter(cfg: &StudyConfig, reader_a: &Matrix, reader_b: &Matrix) -> Result<StepRecord> {
    let f = IccFilter::new(cfg.selection.icc_threshold, IccForm::Icc2)?;
    let out = f.select(reader_a, reader_b)?;
    Ok(StepRecord {
        step: "icc".into(),
        n_in: reader_a.n_cols(),
        kept: out.kept,
        dropped: out.dropped,
        statistic: out.statistic,
        note: format!(
            "ICC(2,1) > {} on {} training patients read by both readers",
            cfg.selection.icc_threshold,
            reader_a.n_rows()
        ),
    })
}

/// The radiomics model's random forest with the study's settings.
pub fn random_forest(cfg: &StudyConfig) -> Result<dlr_learn::RandomForest> {
    dlr_learn::forest::RandomForestParams::default()
        .n_trees(cfg.models.rf_trees)
        .seed(cfg.models.seed)
        .build()
        .map_err(PipelineError::from)
}

fn rf(cfg: &StudyConfig) -> Result<Arc<dyn Classifier>> {
    Ok(Arc::new(random_forest(cfg)?))
}

fn svm(cfg: &StudyConfig) -> Result<Arc<dyn Classifier>> {
    let kernel = match cfg.models.svm_kernel {
        SvmKernelSetting::Linear => dlr_learn::svm::Kernel::Linear,
        SvmKernelSetting::Rbf => dlr_learn::svm::Kernel::Rbf { gamma: None },
    };
    Ok(Arc::new(
        dlr_learn::svm::SvmParams {
            kernel,
            seed: cfg.models.seed,
            ..Default::default()
        }
        .build()?,
    ))
}

/// Fits every configured model on the training rows.
pub fn fit_models(cfg: &StudyConfig, x: &Inputs, y: &[bool]) -> Result<FittedModels> {
    let mut skipped = BTreeMap::new();
    let chain = selection_chain(cfg)?;
    let rad_pipe = Pipeline::new(chain.clone(), rf(cfg)?);
    let deep_pipe = Pipeline::new(chain, svm(cfg)?);
    let clinical_model = ClinicalModel::new(0.05, LogisticRegression::default())?;

    let mut radiomics = None;
    if cfg.models.needs(ModelName::Radiomics) {
        match &x.radiomics {
            Some(m) if m.n_cols() > 0 => match rad_pipe.fit(m, y, None) {
                Ok(f) => radiomics = Some(f),
                Err(e) => {
                    skipped.insert("radiomics".into(), format!("fitting failed: {e}"));
                }
            },
            _ => {
                skipped.insert("radiomics".into(), "no radiomics features available".into());
            }
        }
    }
    let mut deep = None;
    if cfg.models.needs(ModelName::Deep) {
        match &x.deep {
            Some(m) if m.n_cols() > 0 => match deep_pipe.fit(m, y, None) {
                Ok(f) => deep = Some(f),
                Err(e) => {
                    skipped.insert("deep".into(), format!("fitting failed: {e}"));
                }
            },
            _ => {
                skipped.insert(
                    "deep".into(),
                    "no deep features (see the deep stage)".into(),
                );
            }
        }
    }
    let mut clinical = None;
    if cfg.models.needs(ModelName::Clinical) {
        match &x.clinical {
            Some(m) if m.n_cols() > 0 => match clinical_model.fit(m, y) {
                Ok(f) => clinical = Some(f),
                Err(e) => {
                    skipped.insert("clinical".into(), e.to_string());
                }
            },
            _ => {
                skipped.insert(
                    "clinical".into(),
                    "no clinical covariates configured".into(),
                );
            }
        }
    }
    let mut combined = None;
    if cfg.models.combined_on() {
        let member = |m: ModelName| cfg.models.combined.contains(&m);
        let mut members = Vec::new();
        let mut parts: Vec<&Matrix> = Vec::new();
        if let (true, Some(_), Some(m)) = (member(ModelName::Radiomics), &radiomics, &x.radiomics) {
            members.push(dlr_learn::stacking::StackingMember {
                name: "radiomics".into(),
                model: or_prevalence(Arc::new(rad_pipe.clone())),
                columns: Some(m.names().to_vec()),
            });
            parts.push(m);
        }
        if let (true, Some(_), Some(m)) = (member(ModelName::Deep), &deep, &x.deep) {
            members.push(dlr_learn::stacking::StackingMember {
                name: "deep".into(),
                model: or_prevalence(Arc::new(deep_pipe.clone())),
                columns: Some(m.names().to_vec()),
            });
            parts.push(m);
        }
        if let (true, Some(_), Some(m)) = (member(ModelName::Clinical), &clinical, &x.clinical) {
            members.push(dlr_learn::stacking::StackingMember {
                name: "clinical".into(),
                model: or_prevalence(Arc::new(clinical_model.clone())),
                columns: Some(m.names().to_vec()),
            });
            parts.push(m);
        }
        if members.len() < cfg.models.combined.len() {
            let missing: Vec<&str> = cfg
                .models
                .combined
                .iter()
                .map(|m| m.as_str())
                .filter(|m| !members.iter().any(|x| x.name == *m))
                .collect();
            skipped.insert(
                "combined".into(),
                format!(
                    "its member(s) {} could not be fitted (see their reasons)",
                    missing.join(", ")
                ),
            );
        } else {
            let all = hstack(&parts)?;
            let stack = dlr_learn::stacking::Stacking::new(members, 5, cfg.models.seed)?;
            match stack.fit(&all, y) {
                Ok(f) => combined = Some(f),
                Err(e) => {
                    skipped.insert("combined".into(), format!("fitting failed: {e}"));
                }
            }
        }
    }
    for model in ModelName::ALL {
        if !cfg.models.is_on(model) {
            skipped.insert(model.as_str().into(), "switched off in [models]".into());
        }
    }
    Ok(FittedModels {
        radiomics: radiomics.filter(|_| true),
        deep,
        clinical,
        combined,
        skipped,
    })
}

fn hstack(parts: &[&Matrix]) -> Result<Matrix> {
    let mut it = parts.iter();
    let first = it
        .next()
        .ok_or_else(|| PipelineError::Data("nothing to stack".into()))?;
    let mut m = (*first).clone();
    for p in it {
        m = m.hstack(p)?;
    }
    Ok(m)
}

impl FittedModels {
    /// Probabilities of every fitted (and configured) model for the rows of `x`.
    pub fn predict(&self, cfg: &StudyConfig, x: &Inputs) -> Result<BTreeMap<String, Vec<f64>>> {
        let mut out = BTreeMap::new();
        if cfg.models.radiomics {
            if let (Some(f), Some(m)) = (&self.radiomics, &x.radiomics) {
                out.insert("radiomics".to_string(), f.predict_proba(m)?);
            }
        }
        if cfg.models.deep {
            if let (Some(f), Some(m)) = (&self.deep, &x.deep) {
                out.insert("deep".to_string(), f.predict_proba(m)?);
            }
        }
        if cfg.models.clinical {
            if let (Some(f), Some(m)) = (&self.clinical, &x.clinical) {
                out.insert("clinical".to_string(), f.predict_proba(m)?);
            }
        }
        if let Some(f) = &self.combined {
            let mut parts: Vec<&Matrix> = Vec::new();
            for member in &f.members {
                let name = &member.name;
                let m = match name.as_str() {
                    "radiomics" => x.radiomics.as_ref(),
                    "deep" => x.deep.as_ref(),
                    _ => x.clinical.as_ref(),
                };
                parts.push(m.ok_or_else(|| {
                    PipelineError::Data(format!("combined model needs the {name} features"))
                })?);
            }
            out.insert("combined".to_string(), f.predict_proba(&hstack(&parts)?)?);
        }
        Ok(out)
    }

    /// The rad-score (LASSO linear predictor of the radiomics chain) for the rows of `x`.
    pub fn rad_score(&self, x: &Inputs) -> Result<Option<Vec<f64>>> {
        let (Some(f), Some(m)) = (&self.radiomics, &x.radiomics) else {
            return Ok(None);
        };
        let Some(rs) = f.chain.rad_score() else {
            return Ok(None);
        };
        if f.chain.selected.is_empty() {
            return Ok(None);
        }
        let t = dlr_learn::Transform::transform(&f.chain, m)?;
        Ok(Some(rs.compute(&t)?))
    }

    /// Whether a fitted model reads the inputs of `family` (`radiomics`, `deep`, `clinical`),
    /// itself or as a member of the stack.
    pub fn uses_family(&self, family: &str) -> bool {
        let own = match family {
            "radiomics" => self.radiomics.is_some(),
            "deep" => self.deep.is_some(),
            "clinical" => self.clinical.is_some(),
            _ => false,
        };
        own || self
            .combined
            .as_ref()
            .is_some_and(|c| c.members.iter().any(|m| m.name == family))
    }

    /// The stack's members and its meta-model's coefficients (log odds per member logit, with
    /// odds ratios, Wald CIs and p), for the record and the report.
    pub fn combined_summary(&self) -> Option<serde_json::Value> {
        self.combined.as_ref().map(|c| {
            serde_json::json!({
                "members": c.members.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
                "meta_model": "logistic regression on the logits of the members' out-of-fold probabilities",
                "coefficients": c.meta.table.iter().map(|r| serde_json::json!({"name": r.name, "coef": r.estimate, "odds_ratio": r.odds_ratio, "or_lower": r.or_lower, "or_upper": r.or_upper, "p": r.p_value})).collect::<Vec<_>>(),
            })
        })
    }

    /// The clinical model's univariable screen and multivariable odds ratios (for the record).
    pub fn clinical_summary(&self) -> Option<serde_json::Value> {
        self.clinical.as_ref().map(|c| {
            serde_json::json!({
                "univariable": c.univariable.iter().map(|r| serde_json::json!({"name": r.name, "odds_ratio": r.odds_ratio, "or_lower": r.or_lower, "or_upper": r.or_upper, "p": r.p_value})).collect::<Vec<_>>(),
                "selected": c.selected,
                "multivariable": c.model.table.iter().map(|r| serde_json::json!({"name": r.name, "coef": r.estimate, "odds_ratio": r.odds_ratio, "or_lower": r.or_lower, "or_upper": r.or_upper, "p": r.p_value})).collect::<Vec<_>>(),
            })
        })
    }

    /// The selection records of a chain model (`radiomics` or `deep`).
    pub fn chain(&self, name: &str) -> Option<&ChainFit> {
        match name {
            "radiomics" => self.radiomics.as_ref().map(|f| &f.chain),
            "deep" => self.deep.as_ref().map(|f| &f.chain),
            _ => None,
        }
    }
}
