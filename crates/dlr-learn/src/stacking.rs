//! Stacked combined model: out-of-fold predictions of the base models (each on its own feature
//! subset) feed a logistic meta-model; the base models are then refitted on all training rows.
//!
//! The fitted stack ([`StackingFit`]) keeps the refitted members and the meta-model only; the
//! out-of-fold predictions it was trained on are not stored.

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, Fit, PredictProba};
use crate::fitted::FittedClassifier;
use crate::logistic::{LogisticFit, LogisticRegression};
use crate::matrix::{check_labels, Matrix};
use crate::split::kfold;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const P_CLIP: f64 = 1e-6;

/// One base model of a stack. Wrap `model` in [`crate::PrevalenceFallback`] when a fit on an
/// out-of-fold training part may fail.
#[derive(Clone)]
pub struct StackingMember {
    /// Name (becomes the meta-model's feature name).
    pub name: String,
    /// The base classifier.
    pub model: Arc<dyn Classifier>,
    /// Columns it uses (`None` = all columns).
    pub columns: Option<Vec<String>>,
}

impl StackingMember {
    /// A member named `name` fitting `model` on `columns` (`None` = all columns).
    pub fn new(
        name: impl Into<String>,
        model: Arc<dyn Classifier>,
        columns: Option<Vec<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            model,
            columns,
        }
    }
}

/// Stacking with a logistic meta-model on the logits of out-of-fold base predictions.
#[derive(Clone)]
pub struct Stacking {
    members: Vec<StackingMember>,
    k: usize,
    seed: u64,
    meta: LogisticRegression,
}

/// A base model of a stack refitted on all training rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackingMemberFit {
    /// Member name (the meta-model's feature name).
    pub name: String,
    /// Columns of the stack's input it uses (`None` = all columns).
    pub columns: Option<Vec<String>>,
    /// The fitted base model.
    pub model: FittedClassifier,
}

/// A fitted stack: the refitted members and the logistic meta-model on their logits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackingFit {
    /// Base models refitted on all training rows, in meta-model column order.
    pub members: Vec<StackingMemberFit>,
    /// The meta-model (one coefficient per member).
    pub meta: LogisticFit,
}

impl StackingFit {
    /// Checks the members and that the meta-model has one column per member, by name.
    pub fn validate(&self) -> Result<()> {
        for m in &self.members {
            m.model.validate()?;
        }
        self.meta.validate()?;
        if self
            .meta
            .names
            .iter()
            .ne(self.members.iter().map(|m| &m.name))
        {
            return Err(LearnError::data(
                "StackingFit",
                "the meta-model's columns differ from the member names",
            ));
        }
        Ok(())
    }
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(P_CLIP, 1.0 - P_CLIP);
    (p / (1.0 - p)).ln()
}

fn member_matrix(x: &Matrix, cols: &Option<Vec<String>>) -> Result<Matrix> {
    match cols {
        Some(c) => x.select_named(c),
        None => Ok(x.clone()),
    }
}

impl Stacking {
    /// Builds a stack with `k`-fold out-of-fold predictions (seeded); needs ≥ 2 members, unique names.
    pub fn new(members: Vec<StackingMember>, k: usize, seed: u64) -> Result<Self> {
        if members.len() < 2 {
            return Err(LearnError::param(
                "members",
                members.len(),
                "a stack needs at least 2 base models",
            ));
        }
        let mut names: Vec<&String> = members.iter().map(|m| &m.name).collect();
        names.sort();
        names.dedup();
        if names.len() != members.len() {
            return Err(LearnError::param(
                "members",
                "names",
                "member names must be unique",
            ));
        }
        if k < 2 {
            return Err(LearnError::param("k", k, "need at least 2 folds"));
        }
        Ok(Self {
            members,
            k,
            seed,
            meta: LogisticRegression::default(),
        })
    }
}

impl Fit for Stacking {
    type Fitted = StackingFit;
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<StackingFit> {
        check_labels(x, y, "Stacking::fit")?;
        let folds = kfold(y, self.k, self.seed)?;
        let n = y.len();
        let b = self.members.len();
        let parts: Vec<Result<Vec<Vec<f64>>>> = folds
            .par_iter()
            .map(|f| {
                let ytr: Vec<bool> = f.train.iter().map(|&i| y[i]).collect();
                let xtr = x.select_rows(&f.train)?;
                let xte = x.select_rows(&f.test)?;
                self.members
                    .iter()
                    .map(|m| {
                        let fit = m
                            .model
                            .fit_classifier(&member_matrix(&xtr, &m.columns)?, &ytr)?;
                        fit.predict_proba(&member_matrix(&xte, &m.columns)?)
                    })
                    .collect()
            })
            .collect();
        let mut oof = vec![0.0; n * b];
        for (f, part) in folds.iter().zip(parts) {
            let preds = part?;
            for (m, p) in preds.iter().enumerate() {
                for (&i, v) in f.test.iter().zip(p) {
                    oof[i * b + m] = logit(*v);
                }
            }
        }
        let names: Vec<String> = self.members.iter().map(|m| m.name.clone()).collect();
        let meta_x = Matrix::new(oof, n, b, names)?;
        let meta = self.meta.fit(&meta_x, y)?;
        let members = self
            .members
            .par_iter()
            .map(|m| {
                Ok(StackingMemberFit {
                    name: m.name.clone(),
                    columns: m.columns.clone(),
                    model: m.model.fit_classifier(&member_matrix(x, &m.columns)?, y)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StackingFit { members, meta })
    }
}

impl PredictProba for StackingFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        let b = self.members.len();
        let mut z = vec![0.0; x.n_rows() * b];
        for (m, member) in self.members.iter().enumerate() {
            let p = member
                .model
                .predict_proba(&member_matrix(x, &member.columns)?)?;
            for (i, v) in p.iter().enumerate() {
                z[i * b + m] = logit(*v);
            }
        }
        let names = self.members.iter().map(|m| m.name.clone()).collect();
        self.meta
            .predict_proba(&Matrix::new(z, x.n_rows(), b, names)?)
    }
}

impl Classifier for Stacking {
    fn name(&self) -> String {
        "stacking".into()
    }
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        Ok(FittedClassifier::Stacking(Box::new(self.fit(x, y)?)))
    }
}
