//! Z-score scaling fitted on training rows: `(x − mean_train)/sd_train` with the n − 1 sd.

use crate::error::{LearnError, Result};
use crate::estimator::Transform;
use crate::matrix::Matrix;
use crate::util::mean_sd;

/// Z-score scaler (no hyper-parameters); fit it with [`ZScore::fit`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZScore;

/// A fitted z-score scaler: per-feature training mean and sd.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ZScoreFit {
    /// Feature names seen in training.
    pub names: Vec<String>,
    /// Training means.
    pub mean: Vec<f64>,
    /// Training standard deviations (n − 1).
    pub sd: Vec<f64>,
}

impl ZScore {
    /// Learns means and sds from the given rows. Constant features (sd = 0) are an error naming
    /// them: drop them first (the selection chain does so and records it).
    pub fn fit(&self, x: &Matrix) -> Result<ZScoreFit> {
        x.check_finite("ZScore::fit")?;
        if x.n_rows() < 2 {
            return Err(LearnError::data(
                "ZScore::fit",
                format!("need at least 2 rows, got {}", x.n_rows()),
            ));
        }
        let mut mean = Vec::with_capacity(x.n_cols());
        let mut sd = Vec::with_capacity(x.n_cols());
        for j in 0..x.n_cols() {
            let (m, s) = mean_sd(&x.column(j));
            if s <= 0.0 || !s.is_finite() {
                return Err(LearnError::data("ZScore::fit", format!("feature {:?} is constant on the training rows (sd = 0); drop it before scaling", x.names()[j])));
            }
            mean.push(m);
            sd.push(s);
        }
        Ok(ZScoreFit {
            names: x.names().to_vec(),
            mean,
            sd,
        })
    }
}

impl ZScoreFit {
    /// Checks one finite mean and one positive finite sd per feature.
    pub fn validate(&self) -> Result<()> {
        let p = self.names.len();
        if self.mean.len() != p || self.sd.len() != p {
            return Err(LearnError::data(
                "ZScoreFit",
                format!(
                    "{p} features but {} means and {} sds",
                    self.mean.len(),
                    self.sd.len()
                ),
            ));
        }
        if self.mean.iter().any(|m| !m.is_finite())
            || self.sd.iter().any(|s| !(s.is_finite() && *s > 0.0))
        {
            return Err(LearnError::data(
                "ZScoreFit",
                "a mean is not finite or an sd is not positive",
            ));
        }
        Ok(())
    }
}

impl Transform for ZScoreFit {
    fn transform(&self, x: &Matrix) -> Result<Matrix> {
        let x = if x.names() == self.names.as_slice() {
            x.clone()
        } else {
            x.select_named(&self.names)?
        };
        let p = x.n_cols();
        let data = x
            .data()
            .iter()
            .enumerate()
            .map(|(k, v)| (v - self.mean[k % p]) / self.sd[k % p])
            .collect();
        Matrix::new(data, x.n_rows(), p, self.names.clone())
    }
}
