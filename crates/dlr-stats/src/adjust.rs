//! Multiple-testing adjustment of p-values: Benjamini–Hochberg false discovery rate, as R's
//! `p.adjust(p, method = "BH")`.

use crate::error::{Result, StatsError};

/// Benjamini–Hochberg adjusted p-values (R `p.adjust(p, method = "BH")`), in input order.
///
/// Each value becomes `min(1, min_{j ≥ i} p_(j) m / j)` over the ascending order statistics.
/// An empty input gives an empty output; a NaN or a value outside [0, 1] is an error (R would
/// skip `NA`s, which this routine does not support).
pub fn p_adjust_bh(p: &[f64]) -> Result<Vec<f64>> {
    let what = "p_adjust_bh";
    if let Some(i) = p.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(StatsError::input(
            what,
            format!("p-value [{i}] = {} is not in [0, 1]", p[i]),
        ));
    }
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[b].total_cmp(&p[a])); // decreasing
    let mut out = vec![0.0; m];
    let mut running = f64::INFINITY;
    for (r, &i) in idx.iter().enumerate() {
        let rank = (m - r) as f64;
        running = running.min(p[i] * m as f64 / rank);
        out[i] = running.min(1.0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "got {g}, R {w}");
        }
    }

    #[test]
    fn bh_matches_r_p_adjust() {
        // Benjamini & Hochberg (1995) example p-values.
        // R 4.x: p.adjust(p, "BH") printed with 17 digits, written here as the shortest
        // decimal of the same double.
        let p = [
            0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262,
            0.5719, 0.6528, 0.7590, 1.000,
        ];
        let r = [
            0.0015,
            0.003,
            0.0095,
            0.035625,
            0.0603,
            0.06385714285714286,
            0.06385714285714286,
            0.0645,
            0.07650000000000001,
            0.486,
            0.5811818181818181,
            0.7148749999999999,
            0.7532307692307693,
            0.8132142857142857,
            1.0,
        ];
        assert_close(&p_adjust_bh(&p).unwrap(), &r);
        // Unsorted input with ties: p.adjust(c(0.04, 0.01, 0.03, 0.005, 0.5, 0.03), "BH")
        let q = [0.04, 0.01, 0.03, 0.005, 0.5, 0.03];
        let rq = [0.048, 0.03, 0.045, 0.03, 0.5, 0.045];
        assert_close(&p_adjust_bh(&q).unwrap(), &rq);
        // p.adjust(0.2, "BH") = 0.2; p.adjust(numeric(0), "BH") = numeric(0)
        assert_close(&p_adjust_bh(&[0.2]).unwrap(), &[0.2]);
        assert!(p_adjust_bh(&[]).unwrap().is_empty());
    }

    #[test]
    fn bh_rejects_invalid_p() {
        assert!(p_adjust_bh(&[0.1, f64::NAN]).is_err());
        assert!(p_adjust_bh(&[1.5]).is_err());
        assert!(p_adjust_bh(&[-0.1]).is_err());
    }
}
