//! Causal autoregressive model features (`Teta1` … `Teta4`, `Sigma`).

use crate::settings::{ArNeighbour, ArScale, SigmaDivisor};
use dlr_image::FeatureValue;

/// Options of the autoregressive model.
#[derive(Debug, Clone, Copy)]
pub struct ArOptions {
    /// Neighbours bound to `Teta1` … `Teta4`.
    pub neighbours: [ArNeighbour; 4],
    /// Divisor of the residual variance.
    pub sigma_divisor: SigmaDivisor,
    /// Scaling of the zero-mean field.
    pub scale: ArScale,
}

/// Names of the autoregressive features.
pub const AR_NAMES: [&str; 5] = ["Teta1", "Teta2", "Teta3", "Teta4", "Sigma"];

/// Solves the symmetric 4×4 system `a·θ = b` by Gaussian elimination with partial pivoting;
/// `None` when singular (relative pivot below 1e-12).
fn solve4(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    let scale = (0..4).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if scale <= 0.0 || !scale.is_finite() {
        return None;
    }
    for col in 0..4 {
        let piv = (col..4).max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))?;
        if a[piv][col].abs() <= 1e-12 * scale {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let pivot_row = a[col];
        let pivot_b = b[col];
        for r in col + 1..4 {
            let f = a[r][col] / pivot_row[col];
            for (x, p) in a[r].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[r] -= f * pivot_b;
        }
    }
    let mut x = [0.0; 4];
    for r in (0..4).rev() {
        let s: f64 = (r + 1..4).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// Least-squares fit of `x(s) = Σ θ_k x(s + n_k) + e(s)` on the zero-mean ROI field over every
/// ROI pixel whose 4 neighbours are in the ROI; returns `Teta1..4` and `Sigma`.
pub fn autoregressive_features(
    grey: &[f64],
    inside: &[bool],
    w: usize,
    h: usize,
    opts: &ArOptions,
) -> Vec<FeatureValue> {
    let undefined = |why: &str| -> Vec<FeatureValue> {
        AR_NAMES
            .iter()
            .map(|n| FeatureValue::undefined(*n, why))
            .collect()
    };
    let roi: Vec<f64> = grey
        .iter()
        .zip(inside)
        .filter(|(_, &m)| m)
        .map(|(&v, _)| v)
        .collect();
    if roi.is_empty() {
        return undefined("empty ROI");
    }
    let n_roi = roi.len() as f64;
    let mean = roi.iter().sum::<f64>() / n_roi;
    let sd = (roi.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n_roi).sqrt();
    let div = match opts.scale {
        ArScale::MeanOnly => 1.0,
        ArScale::RoiStd if sd > 0.0 => sd,
        ArScale::RoiStd => return undefined("single grey level: the ROI standard deviation is 0"),
    };
    let offs: Vec<isize> = opts
        .neighbours
        .iter()
        .map(|n| {
            let (dx, dy) = n.offset();
            dy * w as isize + dx
        })
        .collect();
    let mut xtx = [[0.0; 4]; 4];
    let mut xty = [0.0; 4];
    let mut n = 0usize;
    let mut rows: Vec<([f64; 4], f64)> = Vec::new();
    for y in 1..h.saturating_sub(1) {
        for x in 1..w - 1 {
            let i = y * w + x;
            if !inside[i] {
                continue;
            }
            let mut r = [0.0; 4];
            let mut ok = true;
            for (k, &o) in offs.iter().enumerate() {
                let j = (i as isize + o) as usize;
                if !inside[j] {
                    ok = false;
                    break;
                }
                r[k] = (grey[j] - mean) / div;
            }
            if !ok {
                continue;
            }
            let c = (grey[i] - mean) / div;
            for a in 0..4 {
                for b in 0..4 {
                    xtx[a][b] += r[a] * r[b];
                }
                xty[a] += r[a] * c;
            }
            n += 1;
            rows.push((r, c));
        }
    }
    let divisor = match opts.sigma_divisor {
        SigmaDivisor::N => n as f64,
        SigmaDivisor::NMinusParams => n as f64 - 4.0,
    };
    if n < 5 || divisor <= 0.0 {
        return undefined("fewer than 5 ROI pixels have their 4 causal neighbours in the ROI");
    }
    let Some(theta) = solve4(xtx, xty) else {
        return undefined(
            "the neighbour values are collinear (e.g. a constant ROI): the fit is singular",
        );
    };
    // residuals recomputed directly (more accurate than yy − θᵀXᵀy)
    let ss: f64 = rows
        .iter()
        .map(|(r, c)| {
            let pred: f64 = (0..4).map(|k| theta[k] * r[k]).sum();
            (c - pred).powi(2)
        })
        .sum();
    let mut out: Vec<FeatureValue> = theta
        .iter()
        .zip(AR_NAMES)
        .map(|(t, n)| FeatureValue::new(n, *t))
        .collect();
    out.push(FeatureValue::new("Sigma", (ss / divisor).sqrt()));
    out
}
