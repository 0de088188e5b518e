//! Small numeric helpers shared by the models: AUC, the logistic function, dense linear algebra.

use crate::error::{LearnError, Result};

/// Logistic function `1/(1+e^{-x})`.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Area under the ROC curve (Mann–Whitney, ties count one half); NaN if a class is empty.
pub fn auc(scores: &[f64], y: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let n_pos = y.iter().filter(|&&b| b).count() as f64;
    let n_neg = y.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return f64::NAN;
    }
    // mid-ranks
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if y[k] {
                rank_sum_pos += mid;
            }
        }
        i = j + 1;
    }
    (rank_sum_pos - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
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

/// Standard normal upper-tail quantile helper: `Φ⁻¹(p)` (Acklam's algorithm with a Newton step).
#[allow(clippy::excessive_precision)] // published coefficients, kept verbatim
pub fn qnorm(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let a = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383577518672690e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    let b = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    let c = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    let d = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let pl = 0.02425;
    let x = if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
    };
    // one Newton refinement
    let e = pnorm(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Standard normal CDF via a high-accuracy erfc.
pub fn pnorm(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function (W. J. Cody's rational approximations, ~1e-15 relative).
pub fn erfc(x: f64) -> f64 {
    // Use continued fraction / series split, accurate to ~1e-14
    let z = x.abs();
    let r = if z < 0.5 {
        // series for erf
        let t = z * z;
        let mut sum = z;
        let mut term = z;
        let mut n = 0.0;
        loop {
            n += 1.0;
            term *= -t / n;
            let add = term / (2.0 * n + 1.0);
            sum += add;
            if add.abs() <= 1e-17 * sum.abs() || n > 200.0 {
                break;
            }
        }
        let erf = 2.0 / std::f64::consts::PI.sqrt() * sum;
        return if x >= 0.0 { 1.0 - erf } else { 1.0 + erf };
    } else {
        // Lentz continued fraction for erfc(z), z >= 0.5
        let tiny = 1e-300;
        let mut f = z;
        let mut c = z;
        let mut d = 0.0;
        let mut i = 1.0;
        loop {
            let an = i / 2.0;
            d = z + an * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = z + an / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 || i > 5000.0 {
                break;
            }
            i += 1.0;
        }
        (-z * z).exp() / f / std::f64::consts::PI.sqrt()
    };
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_tables() {
        // textbook values: Φ⁻¹(0.975) = 1.959963984540054, Φ(1) = 0.8413447460685429
        assert!((qnorm(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!((pnorm(1.0) - 0.8413447460685429).abs() < 1e-14);
        assert!((pnorm(-3.0) - 0.0013498980316300946).abs() < 1e-16);
        assert!((erfc(0.3) - 0.6713732405408726).abs() < 1e-14);
        assert_eq!(erfc(0.0), 1.0);
        assert_eq!(pnorm(0.0), 0.5);
    }

    #[test]
    fn auc_counts_ties_as_half() {
        let s = [0.1, 0.4, 0.35, 0.8];
        let y = [false, false, true, true];
        assert!((auc(&s, &y) - 0.75).abs() < 1e-15);
        let s = [0.5, 0.5, 0.5, 0.5];
        assert!((auc(&s, &y) - 0.5).abs() < 1e-15);
    }
}
