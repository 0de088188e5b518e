//! Small numeric helpers shared by the models: the logistic function, mean/sd, dense linear
//! algebra. Statistics (normal distribution, AUC) come from `dlr-stats` (see [`crate::stats`]).

use crate::error::{LearnError, Result};

/// Logistic function `1/(1+e^{-x})`.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Mean and sample standard deviation (n − 1).
pub fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v.sqrt())
}

/// Inverse of a symmetric positive-definite matrix (row-major `k×k`) by Cholesky.
pub fn spd_inverse(a: &[f64], k: usize, context: &str) -> Result<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[i * k + j];
            for m in 0..j {
                s -= l[i * k + m] * l[j * k + m];
            }
            if i == j {
                if s <= 1e-12 * a[i * k + i].abs().max(1e-300) || !s.is_finite() {
                    return Err(LearnError::Singular {
                        context: context.into(),
                        detail: format!(
                            "pivot {i} is not positive (collinear or constant predictors)"
                        ),
                    });
                }
                l[i * k + i] = s.sqrt();
            } else {
                l[i * k + j] = s / l[j * k + j];
            }
        }
    }
    // invert L
    let mut linv = vec![0.0; k * k];
    for i in 0..k {
        linv[i * k + i] = 1.0 / l[i * k + i];
        for j in 0..i {
            let mut s = 0.0;
            for m in j..i {
                s -= l[i * k + m] * linv[m * k + j];
            }
            linv[i * k + j] = s / l[i * k + i];
        }
    }
    let mut inv = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = 0.0;
            for m in i..k {
                s += linv[m * k + i] * linv[m * k + j];
            }
            inv[i * k + j] = s;
            inv[j * k + i] = s;
        }
    }
    Ok(inv)
}
