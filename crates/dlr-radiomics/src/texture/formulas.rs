//! Feature formulas on texture matrices, in IBSI and PyRadiomics variants.
//!
//! Every function takes raw counts and returns a fixed-length array; a matrix without counts
//! gives NaN values, which the caller turns into undefined features with a reason.

/// Machine epsilon used by PyRadiomics (`numpy.spacing(1)`).
pub const PYR_EPS: f64 = f64::EPSILON;

/// IBSI GLCM feature base names, in the order of [`glcm_ibsi`].
pub const GLCM_IBSI: [&str; 25] = [
    "cm_joint_max",
    "cm_joint_avg",
    "cm_joint_var",
    "cm_joint_entr",
    "cm_diff_avg",
    "cm_diff_var",
    "cm_diff_entr",
    "cm_sum_avg",
    "cm_sum_var",
    "cm_sum_entr",
    "cm_energy",
    "cm_contrast",
    "cm_dissimilarity",
    "cm_inv_diff",
    "cm_inv_diff_norm",
    "cm_inv_diff_mom",
    "cm_inv_diff_mom_norm",
    "cm_inv_var",
    "cm_corr",
    "cm_auto_corr",
    "cm_clust_tend",
    "cm_clust_shade",
    "cm_clust_prom",
    "cm_info_corr1",
    "cm_info_corr2",
];

/// PyRadiomics GLCM feature names, in the order of [`glcm_pyradiomics`].
pub const GLCM_PYR: [&str; 24] = [
    "Autocorrelation",
    "JointAverage",
    "ClusterProminence",
    "ClusterShade",
    "ClusterTendency",
    "Contrast",
    "Correlation",
    "DifferenceAverage",
    "DifferenceEntropy",
    "DifferenceVariance",
    "JointEnergy",
    "JointEntropy",
    "Imc1",
    "Imc2",
    "Idm",
    "MCC",
    "Idmn",
    "Id",
    "Idn",
    "InverseVariance",
    "MaximumProbability",
    "SumAverage",
    "SumEntropy",
    "SumSquares",
];

struct GlcmStats {
    p: Vec<f64>,
    ng: usize,
    px: Vec<f64>,
    pxy_sum: Vec<f64>,  // index k = i + j (0-based levels) → sum index k + 2
    pxy_diff: Vec<f64>, // index k = |i − j|
    mu: f64,
}

fn glcm_stats(counts: &[f64], ng: usize, vals: &[f64]) -> Option<GlcmStats> {
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let p: Vec<f64> = counts.iter().map(|c| c / total).collect();
    let mut px = vec![0.0; ng];
    let top = vals.iter().fold(1.0f64, |a, &b| a.max(b)) as usize;
    let mut pxy_sum = vec![0.0; 2 * top - 1];
    let mut pxy_diff = vec![0.0; top];
    let mut mu = 0.0;
    for i in 0..ng {
        for j in 0..ng {
            let v = p[i * ng + j];
            if v == 0.0 {
                continue;
            }
            px[i] += v;
            pxy_sum[(vals[i] + vals[j]) as usize - 2] += v;
            pxy_diff[(vals[i] - vals[j]).abs() as usize] += v;
            mu += vals[i] * v;
        }
    }
    Some(GlcmStats {
        p,
        ng,
        px,
        pxy_sum,
        pxy_diff,
        mu,
    })
}

/// Features of the diagonal (|i − j|) and anti-diagonal (i + j) marginals shared by the IBSI
/// and PyRadiomics GLCM sets.
struct DiffSum {
    davg: f64,
    dvar: f64,
    dent: f64,
    id: f64,
    idn: f64,
    idm: f64,
    idmn: f64,
    ivar: f64,
    savg: f64,
    sent: f64,
}

/// [`DiffSum`] of `s`, with `ngf` the grey-level count used for normalisation and `plogp`
/// the entropy term `p·log₂ p` of the feature set (with or without PyRadiomics' ε).
fn diff_sum_features(s: &GlcmStats, ngf: f64, plogp: impl Fn(f64) -> f64) -> DiffSum {
    let (mut davg, mut dent, mut id, mut idn, mut idm, mut idmn, mut ivar) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (k, &v) in s.pxy_diff.iter().enumerate() {
        let fk = k as f64;
        davg += fk * v;
        dent -= plogp(v);
        id += v / (1.0 + fk);
        idn += v / (1.0 + fk / ngf);
        idm += v / (1.0 + fk * fk);
        idmn += v / (1.0 + fk * fk / (ngf * ngf));
        if k > 0 {
            ivar += v / (fk * fk);
        }
    }
    let dvar: f64 = s
        .pxy_diff
        .iter()
        .enumerate()
        .map(|(k, &v)| (k as f64 - davg).powi(2) * v)
        .sum();
    let (mut savg, mut sent) = (0.0, 0.0);
    for (k, &v) in s.pxy_sum.iter().enumerate() {
        savg += (k + 2) as f64 * v;
        sent -= plogp(v);
    }
    DiffSum {
        davg,
        dvar,
        dent,
        id,
        idn,
        idm,
        idmn,
        ivar,
        savg,
        sent,
    }
}

fn xlog2x(v: f64) -> f64 {
    if v > 0.0 {
        v * v.log2()
    } else {
        0.0
    }
}

/// IBSI GLCM features of a symmetric count matrix (`ng × ng`); `ng` is the discretisation's
/// number of grey levels (used by the normalised inverse differences).
pub fn glcm_ibsi(counts: &[f64], ng: usize) -> [f64; 25] {
    let vals: Vec<f64> = (1..=ng).map(|v| v as f64).collect();
    let Some(s) = glcm_stats(counts, ng, &vals) else {
        return [f64::NAN; 25];
    };
    let ngf = ng as f64;
    let (mut jmax, mut jvar, mut jent, mut energy, mut contrast, mut dissim) =
        (0.0f64, 0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut auto, mut ct, mut cs, mut cp, mut cov, mut hxy1) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..ng {
        let fi = (i + 1) as f64;
        for j in 0..ng {
            let v = s.p[i * s.ng + j];
            if v == 0.0 {
                continue;
            }
            let fj = (j + 1) as f64;
            jmax = jmax.max(v);
            jvar += (fi - s.mu).powi(2) * v;
            jent -= v * v.log2();
            energy += v * v;
            contrast += (fi - fj).powi(2) * v;
            dissim += (fi - fj).abs() * v;
            auto += fi * fj * v;
            let c = fi + fj - 2.0 * s.mu;
            ct += c * c * v;
            cs += c * c * c * v;
            cp += c * c * c * c * v;
            cov += (fi - s.mu) * (fj - s.mu) * v;
            hxy1 -= v * (s.px[i] * s.px[j]).log2();
        }
    }
    let DiffSum {
        davg,
        dvar,
        dent,
        id,
        idn,
        idm,
        idmn,
        ivar,
        savg,
        sent,
    } = diff_sum_features(&s, ngf, xlog2x);
    let svar: f64 = s
        .pxy_sum
        .iter()
        .enumerate()
        .map(|(k, &v)| ((k + 2) as f64 - savg).powi(2) * v)
        .sum();
    let var_x: f64 = (0..ng)
        .map(|i| ((i + 1) as f64 - s.mu).powi(2) * s.px[i])
        .sum();
    let corr = if var_x > 0.0 { cov / var_x } else { f64::NAN };
    let hx: f64 = -s.px.iter().map(|&v| xlog2x(v)).sum::<f64>();
    let mut hxy2 = 0.0;
    for i in 0..ng {
        for j in 0..ng {
            let q = s.px[i] * s.px[j];
            if q > 0.0 {
                hxy2 -= q * q.log2();
            }
        }
    }
    let ic1 = if hx > 0.0 {
        (jent - hxy1) / hx
    } else {
        f64::NAN
    };
    let ic2 = (1.0 - (-2.0 * (hxy2 - jent)).exp()).max(0.0).sqrt();
    [
        jmax, s.mu, jvar, jent, davg, dvar, dent, savg, svar, sent, energy, contrast, dissim, id,
        idn, idm, idmn, ivar, corr, auto, ct, cs, cp, ic1, ic2,
    ]
}

/// PyRadiomics GLCM features of one symmetric count matrix over the grey levels present in
/// the ROI (row `i` is level `vals[i]`); `ng_max` is the highest level (PyRadiomics `Ng`).
pub fn glcm_pyradiomics(counts: &[f64], vals: &[f64], ng_max: usize) -> [f64; 24] {
    let ng = vals.len();
    let Some(s) = glcm_stats(counts, ng, vals) else {
        return [f64::NAN; 24];
    };
    let eps = PYR_EPS;
    let ngf = ng_max as f64;
    let (mut auto, mut ct, mut cs, mut cp, mut contrast, mut energy, mut hxy) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut var_x, mut cov, mut hxy1, mut maxp) = (0.0, 0.0, 0.0, 0.0f64);
    for (i, &fi) in vals.iter().enumerate() {
        for (j, &fj) in vals.iter().enumerate() {
            let v = s.p[i * ng + j];
            if v == 0.0 {
                continue;
            }
            auto += fi * fj * v;
            let c = fi + fj - 2.0 * s.mu;
            ct += c * c * v;
            cs += c * c * c * v;
            cp += c * c * c * c * v;
            contrast += (fi - fj).powi(2) * v;
            energy += v * v;
            hxy -= v * (v + eps).log2();
            var_x += (fi - s.mu).powi(2) * v;
            cov += (fi - s.mu) * (fj - s.mu) * v;
            hxy1 -= v * (s.px[i] * s.px[j] + eps).log2();
            maxp = maxp.max(v);
        }
    }
    let sig = var_x.sqrt();
    let corr = if sig * sig == 0.0 {
        1.0
    } else {
        cov / (sig * sig + eps)
    };
    let DiffSum {
        davg,
        dvar,
        dent,
        id,
        idn,
        idm,
        idmn,
        ivar,
        savg,
        sent,
    } = diff_sum_features(&s, ngf, |v| v * (v + eps).log2());
    let hx: f64 = -s.px.iter().map(|&v| v * (v + eps).log2()).sum::<f64>();
    let mut hxy2 = 0.0;
    for i in 0..ng {
        for j in 0..ng {
            let q = s.px[i] * s.px[j];
            hxy2 -= q * (q + eps).log2();
        }
    }
    let imc1 = if hx != 0.0 { (hxy - hxy1) / hx } else { 0.0 };
    let imc2 = if hxy2 == hxy {
        0.0
    } else {
        (1.0 - (-2.0 * (hxy2 - hxy)).exp()).sqrt()
    };
    let mcc = mcc(&s.p, &s.px, ng);
    [
        auto, s.mu, cp, cs, ct, contrast, corr, davg, dent, dvar, energy, hxy, imc1, imc2, idm,
        mcc, idmn, id, idn, ivar, maxp, savg, sent, var_x,
    ]
}

/// Maximal correlation coefficient: square root of the second-largest eigenvalue of
/// `Q = Dx⁻¹ P Dy⁻¹ Pᵀ`, computed from the symmetric form `S Sᵀ` with `S = Dx^-½ P Dy^-½`.
fn mcc(p: &[f64], px: &[f64], ng: usize) -> f64 {
    let idx: Vec<usize> = (0..ng).filter(|&i| px[i] > 0.0).collect();
    let n = idx.len();
    if n < 2 {
        return 1.0;
    }
    let mut sm = vec![0.0; n * n];
    for (a, &i) in idx.iter().enumerate() {
        for (b, &j) in idx.iter().enumerate() {
            sm[a * n + b] = p[i * ng + j] / (px[i] * px[j]).sqrt();
        }
    }
    // Symmetric P: S is symmetric, S Sᵀ = S², eigenvalues are squares of S's eigenvalues.
    let ev = crate::linalg::sym_eigenvalues(&sm, n);
    let mut sq: Vec<f64> = ev.iter().map(|v| v * v).collect();
    // Include the zero eigenvalues of the levels that were dropped (absent from this matrix).
    sq.extend(std::iter::repeat_n(0.0, ng - n));
    sq.sort_by(|a, b| a.total_cmp(b));
    sq[sq.len() - 2].max(0.0).sqrt()
}

/// Sixteen run/zone/dependence features plus energy from a count matrix with `ng` rows and
/// `nj` columns, row `i` for grey level `vals[i]` (column `j − 1` for run length / zone size / distance / dependence `j`).
/// Order: short(j) emphasis, long(j) emphasis, low grey, high grey, short-low, short-high,
/// long-low, long-high, GLNU, GLNU normalised, JNU, JNU normalised, percentage (`Ns / nv`),
/// grey level variance, j variance, entropy, energy. `eps` is added inside log2 (PyRadiomics)
/// or 0 (IBSI).
pub fn zone_like(m: &[f64], vals: &[f64], nj: usize, nv: f64, eps: f64) -> [f64; 17] {
    let ng = vals.len();
    let ns: f64 = m.iter().sum();
    if ns <= 0.0 {
        return [f64::NAN; 17];
    }
    let mut r = [0.0f64; 17];
    let mut col = vec![0.0; nj];
    let (mut mu_i, mut mu_j) = (0.0, 0.0);
    for i in 0..ng {
        let fi = vals[i];
        let mut row = 0.0;
        for j in 0..nj {
            let v = m[i * nj + j];
            if v == 0.0 {
                continue;
            }
            let fj = (j + 1) as f64;
            let (i2, j2) = (fi * fi, fj * fj);
            r[0] += v / j2;
            r[1] += v * j2;
            r[2] += v / i2;
            r[3] += v * i2;
            r[4] += v / (i2 * j2);
            r[5] += v * i2 / j2;
            r[6] += v * j2 / i2;
            r[7] += v * i2 * j2;
            let p = v / ns;
            r[15] -= p * (p + eps).log2();
            r[16] += p * p;
            mu_i += fi * p;
            mu_j += fj * p;
            row += v;
            col[j] += v;
        }
        r[8] += row * row;
    }
    for v in r.iter_mut().take(8) {
        *v /= ns;
    }
    r[9] = r[8] / (ns * ns);
    r[8] /= ns;
    r[10] = col.iter().map(|c| c * c).sum::<f64>() / ns;
    r[11] = r[10] / ns;
    r[12] = ns / nv;
    let (mut vi, mut vj) = (0.0, 0.0);
    for i in 0..ng {
        for j in 0..nj {
            let v = m[i * nj + j];
            if v == 0.0 {
                continue;
            }
            let p = v / ns;
            vi += (vals[i] - mu_i).powi(2) * p;
            vj += ((j + 1) as f64 - mu_j).powi(2) * p;
        }
    }
    r[13] = vi;
    r[14] = vj;
    r
}

/// [`zone_like`] of a sparse count matrix: `entries` are `(row, column, count)` with positive
/// counts, sorted by row then column and without repeats (the non-zero cells of the dense
/// matrix in storage order). Gives bitwise the values [`zone_like`] gives for the dense matrix;
/// its cost does not grow with the number of columns (GLSZM zone sizes reach the ROI size).
pub fn zone_like_sparse(
    entries: &[(usize, usize, f64)],
    vals: &[f64],
    nv: f64,
    eps: f64,
) -> [f64; 17] {
    let ns: f64 = entries.iter().map(|e| e.2).sum();
    if ns <= 0.0 {
        return [f64::NAN; 17];
    }
    let mut r = [0.0f64; 17];
    let (mut mu_i, mut mu_j) = (0.0, 0.0);
    let mut k = 0;
    while k < entries.len() {
        let i = entries[k].0;
        let fi = vals[i];
        let mut row = 0.0;
        while k < entries.len() && entries[k].0 == i {
            let (_, j, v) = entries[k];
            let fj = (j + 1) as f64;
            let (i2, j2) = (fi * fi, fj * fj);
            r[0] += v / j2;
            r[1] += v * j2;
            r[2] += v / i2;
            r[3] += v * i2;
            r[4] += v / (i2 * j2);
            r[5] += v * i2 / j2;
            r[6] += v * j2 / i2;
            r[7] += v * i2 * j2;
            let p = v / ns;
            r[15] -= p * (p + eps).log2();
            r[16] += p * p;
            mu_i += fi * p;
            mu_j += fj * p;
            row += v;
            k += 1;
        }
        r[8] += row * row;
    }
    for v in r.iter_mut().take(8) {
        *v /= ns;
    }
    r[9] = r[8] / (ns * ns);
    r[8] /= ns;
    // Column sums (in row order within a column, as the dense version adds them).
    let mut by_col: Vec<(usize, usize, f64)> = entries.to_vec();
    by_col.sort_by_key(|e| (e.1, e.0));
    let mut col_sq = 0.0;
    let mut k = 0;
    while k < by_col.len() {
        let j = by_col[k].1;
        let mut c = 0.0;
        while k < by_col.len() && by_col[k].1 == j {
            c += by_col[k].2;
            k += 1;
        }
        col_sq += c * c;
    }
    r[10] = col_sq / ns;
    r[11] = r[10] / ns;
    r[12] = ns / nv;
    let (mut vi, mut vj) = (0.0, 0.0);
    for &(i, j, v) in entries {
        let p = v / ns;
        vi += (vals[i] - mu_i).powi(2) * p;
        vj += ((j + 1) as f64 - mu_j).powi(2) * p;
    }
    r[13] = vi;
    r[14] = vj;
    r
}

/// NGTDM features (coarseness, contrast, busyness, complexity, strength) from per-level counts
/// `n` and difference sums `s`. `pyradiomics` selects its conventions for degenerate cases
/// (0 instead of undefined); IBSI coarseness is 10⁶ when its denominator is 0 in both.
pub fn ngtdm_features(n: &[f64], s: &[f64], pyradiomics: bool) -> [f64; 5] {
    let nv: f64 = n.iter().sum();
    if nv <= 0.0 {
        return [f64::NAN; 5];
    }
    let lv: Vec<(f64, f64, f64)> = n
        .iter()
        .zip(s)
        .enumerate()
        .filter(|(_, (&c, _))| c > 0.0)
        .map(|(i, (&c, &si))| ((i + 1) as f64, c / nv, si))
        .collect();
    let ngp = lv.len() as f64;
    let sum_ps: f64 = lv.iter().map(|&(_, p, s)| p * s).sum();
    let sum_s: f64 = lv.iter().map(|&(_, _, s)| s).sum();
    let coarse = if sum_ps != 0.0 { 1.0 / sum_ps } else { 1.0e6 };
    let (mut c2, mut absdiff, mut cx, mut st) = (0.0, 0.0, 0.0, 0.0);
    for &(i, pi, si) in &lv {
        for &(j, pj, sj) in &lv {
            c2 += pi * pj * (i - j).powi(2);
            absdiff += (i * pi - j * pj).abs();
            cx += (i - j).abs() * (pi * si + pj * sj) / (pi + pj);
            st += (pi + pj) * (i - j).powi(2);
        }
    }
    let div = ngp * (ngp - 1.0);
    let undefined_or_zero = if pyradiomics { 0.0 } else { f64::NAN };
    let contrast = if div != 0.0 {
        c2 * sum_s / nv / div
    } else {
        undefined_or_zero
    };
    let busy = if absdiff != 0.0 {
        sum_ps / absdiff
    } else {
        undefined_or_zero
    };
    let complexity = cx / nv;
    let strength = if sum_s != 0.0 {
        st / sum_s
    } else {
        undefined_or_zero
    };
    [coarse, contrast, busy, complexity, strength]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_zone_features_equal_the_dense_ones_bitwise() {
        let (ng, nj) = (5usize, 37usize);
        let mut state = 0x1234_5678_9abc_def1u64;
        for round in 0..20 {
            let mut m = vec![0.0; ng * nj];
            for v in m.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                if state % 5 == 0 {
                    *v = (state % 97 + 1) as f64;
                }
            }
            let vals: Vec<f64> = (0..ng).map(|i| (2 * i + 1 + round) as f64).collect();
            let entries: Vec<(usize, usize, f64)> = (0..ng * nj)
                .filter(|&k| m[k] != 0.0)
                .map(|k| (k / nj, k % nj, m[k]))
                .collect();
            let dense = zone_like(&m, &vals, nj, 5000.0, PYR_EPS);
            let sparse = zone_like_sparse(&entries, &vals, 5000.0, PYR_EPS);
            let bits = |a: &[f64; 17]| a.map(f64::to_bits);
            assert_eq!(bits(&dense), bits(&sparse));
        }
        assert!(zone_like_sparse(&[], &[1.0], 1.0, 0.0)[0].is_nan());
    }
}
