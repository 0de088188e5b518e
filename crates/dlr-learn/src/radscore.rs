//! The rad-score: the selected LASSO model's linear predictor, as a formula and as a column.

use crate::error::Result;
use crate::lasso::{LambdaChoice, LassoCvFit};
use crate::matrix::Matrix;

/// `Rad-score = b0 + Σ b_j × feature_j` over the non-zero LASSO coefficients.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RadScore {
    /// Intercept b0.
    pub intercept: f64,
    /// Non-zero terms (feature name, coefficient), in column order.
    pub terms: Vec<(String, f64)>,
}

impl RadScore {
    /// Takes the coefficients of a LASSO-CV fit at the chosen lambda.
    pub fn from_lasso(fit: &LassoCvFit, which: LambdaChoice) -> Self {
        Self {
            intercept: fit.coefficients(which).0,
            terms: fit.nonzero(which),
        }
    }

    /// The formula as in the paper, e.g. `Rad-score = 0.1234 + 1.5000 × US_Mean − 0.2500 × AP_Perc.50%`.
    pub fn formula(&self, digits: usize) -> String {
        let mut s = format!("Rad-score = {:.*}", digits, self.intercept);
        for (name, c) in &self.terms {
            let sign = if *c < 0.0 { '−' } else { '+' };
            s.push_str(&format!(" {sign} {:.*} × {name}", digits, c.abs()));
        }
        s
    }

    /// The rad-score of every row (columns matched by name; `x` already scaled as in training).
    pub fn compute(&self, x: &Matrix) -> Result<Vec<f64>> {
        let names: Vec<String> = self.terms.iter().map(|(n, _)| n.clone()).collect();
        let sub = x.select_named(&names)?;
        Ok((0..sub.n_rows())
            .map(|i| {
                self.intercept
                    + sub
                        .row(i)
                        .iter()
                        .zip(&self.terms)
                        .map(|(v, (_, c))| v * c)
                        .sum::<f64>()
            })
            .collect())
    }

    /// The rad-score as a one-column matrix named `rad_score`.
    pub fn column(&self, x: &Matrix) -> Result<Matrix> {
        Matrix::new(self.compute(x)?, x.n_rows(), 1, vec!["rad_score".into()])
    }
}
