//! Two-group and contingency-table tests as R computes them: Welch and Student t (`t.test`),
//! Pearson chi-square with and without Yates' correction (`chisq.test`; Yates only for 2×2),
//! and Fisher's exact test for 2×2 (p-value and conditional MLE odds ratio, found with a port of
//! R's `uniroot`/zeroin so that it agrees with R to its printed precision) and for r×c tables by
//! exhaustive enumeration of all tables with the observed margins (exact, not Monte Carlo).

use crate::dist::{chisq_sf, ln_dhyper, ln_gamma, t_sf};
use crate::error::{check_finite, Result, StatsError};
use serde::Serialize;

/// Result of a t test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    /// t statistic (mean(x) - mean(y)) / se.
    pub t: f64,
    /// Degrees of freedom (Welch–Satterthwaite for Welch).
    pub df: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// Mean of x.
    pub mean_x: f64,
    /// Mean of y.
    pub mean_y: f64,
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

fn t_inputs(what: &str, x: &[f64], y: &[f64]) -> Result<()> {
    if x.len() < 2 || y.len() < 2 {
        return Err(StatsError::input(
            what,
            format!(
                "each group needs at least 2 values (got {} and {})",
                x.len(),
                y.len()
            ),
        ));
    }
    check_finite(what, x)?;
    check_finite(what, y)
}

fn t_result(what: &str, t_num: f64, se2: f64, df: f64, mx: f64, my: f64) -> Result<TTest> {
    if se2 <= 0.0 || !se2.is_finite() {
        return Err(StatsError::degenerate(
            what,
            "both groups are constant (zero variance)",
        ));
    }
    let t = t_num / se2.sqrt();
    Ok(TTest {
        t,
        df,
        p: (2.0 * t_sf(t.abs(), df)).min(1.0),
        mean_x: mx,
        mean_y: my,
    })
}

/// Welch two-sample t test (R `t.test(x, y)`).
pub fn welch_t(x: &[f64], y: &[f64]) -> Result<TTest> {
    let what = "welch_t";
    t_inputs(what, x, y)?;
    let (mx, vx) = mean_var(x);
    let (my, vy) = mean_var(y);
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let (sx, sy) = (vx / nx, vy / ny);
    let se2 = sx + sy;
    let df = se2 * se2 / (sx * sx / (nx - 1.0) + sy * sy / (ny - 1.0));
    t_result(what, mx - my, se2, df, mx, my)
}

/// Student two-sample t test with pooled variance (R `t.test(x, y, var.equal = TRUE)`).
pub fn student_t(x: &[f64], y: &[f64]) -> Result<TTest> {
    let what = "student_t";
    t_inputs(what, x, y)?;
    let (mx, vx) = mean_var(x);
    let (my, vy) = mean_var(y);
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let df = nx + ny - 2.0;
    let vp = ((nx - 1.0) * vx + (ny - 1.0) * vy) / df;
    t_result(what, mx - my, vp * (1.0 / nx + 1.0 / ny), df, mx, my)
}

/// Result of a chi-square test of independence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChiSquare {
    /// X² statistic.
    pub statistic: f64,
    /// Degrees of freedom (r-1)(c-1).
    pub df: f64,
    /// Upper-tail p-value.
    pub p: f64,
    /// Smallest expected count.
    pub expected_min: f64,
    /// Whether Yates' correction was applied.
    pub yates: bool,
}

fn check_table(what: &str, table: &[Vec<u64>]) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    let r = table.len();
    if r < 2 {
        return Err(StatsError::input(what, "table needs at least 2 rows"));
    }
    let c = table[0].len();
    if c < 2 || table.iter().any(|row| row.len() != c) {
        return Err(StatsError::input(
            what,
            "table needs at least 2 columns and equal-length rows",
        ));
    }
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let cols: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64)
        .collect();
    let n: f64 = rows.iter().sum();
    if rows.iter().chain(&cols).any(|&m| m == 0.0) {
        return Err(StatsError::degenerate(
            what,
            "a row or column total is zero (drop empty levels/groups first)",
        ));
    }
    Ok((rows, cols, n))
}

/// Pearson chi-square test of a contingency table `table[row][col]` (R `chisq.test`).
/// `yates = true` applies the continuity correction, which R (and this) does only for 2×2
/// tables; asking for it on a larger table is an error rather than a silent no-op.
pub fn chi_square(table: &[Vec<u64>], yates: bool) -> Result<ChiSquare> {
    let what = "chi_square";
    let (rows, cols, n) = check_table(what, table)?;
    let is_2x2 = rows.len() == 2 && cols.len() == 2;
    if yates && !is_2x2 {
        return Err(StatsError::unsupported(
            what,
            "Yates' continuity correction is defined for 2x2 tables only",
        ));
    }
    let mut stat = 0.0;
    let mut emin = f64::INFINITY;
    // R: YATES <- min(0.5, abs(x - E)) for 2x2 with correct = TRUE.
    let mut yates_c: f64 = 0.5;
    if yates {
        for (i, row) in table.iter().enumerate() {
            for (j, &o) in row.iter().enumerate() {
                let e = rows[i] * cols[j] / n;
                yates_c = yates_c.min((o as f64 - e).abs());
            }
        }
    }
    for (i, row) in table.iter().enumerate() {
        for (j, &o) in row.iter().enumerate() {
            let e = rows[i] * cols[j] / n;
            emin = emin.min(e);
            let d = (o as f64 - e).abs() - if yates { yates_c } else { 0.0 };
            stat += d * d / e;
        }
    }
    let df = ((rows.len() - 1) * (cols.len() - 1)) as f64;
    Ok(ChiSquare {
        statistic: stat,
        df,
        p: chisq_sf(stat, df),
        expected_min: emin,
        yates,
    })
}

/// Result of Fisher's exact test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fisher {
    /// Two-sided p-value: sum of P(table) over tables with P <= P(observed)(1 + 1e-7).
    pub p: f64,
    /// Conditional MLE odds ratio (2×2 only; None otherwise).
    pub odds_ratio: Option<f64>,
    /// Number of tables enumerated.
    pub n_tables: u64,
}

/// R's `R_zeroin2` (Brent) as called by `uniroot` with its default tolerance.
fn zeroin(mut f: impl FnMut(f64) -> f64, ax: f64, bx: f64) -> f64 {
    let tol = f64::EPSILON.powf(0.25);
    let (mut a, mut b) = (ax, bx);
    let (mut fa, mut fb) = (f(a), f(b));
    let (mut c, mut fc) = (a, fa);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    for _ in 0..=1000 {
        let prev_step = b - a;
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut new_step = (c - b) / 2.0;
        if new_step.abs() <= tol_act || fb == 0.0 {
            return b;
        }
        if prev_step.abs() >= tol_act && fa.abs() > fb.abs() {
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                q = fa / fc;
                let t1 = fb / fc;
                let t2 = fb / fa;
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < 0.75 * cb * q - (tol_act * q).abs() / 2.0 && p < (prev_step * q / 2.0).abs() {
                new_step = p / q;
            }
        }
        if new_step.abs() < tol_act {
            new_step = if new_step > 0.0 { tol_act } else { -tol_act };
        }
        a = b;
        fa = fb;
        b += new_step;
        fb = f(b);
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
        }
    }
    b
}

fn fisher_2x2(table: &[Vec<u64>]) -> Fisher {
    // R: m = column-1 total, n = column-2 total, k = row-1 total, x = table[0][0].
    let m = (table[0][0] + table[1][0]) as f64;
    let n = (table[0][1] + table[1][1]) as f64;
    let k = (table[0][0] + table[0][1]) as f64;
    let x = table[0][0] as f64;
    let lo = (k - n).max(0.0);
    let hi = k.min(m);
    let support: Vec<f64> = (lo as u64..=hi as u64).map(|v| v as f64).collect();
    let logdc: Vec<f64> = support.iter().map(|&s| ln_dhyper(s, m, n, k)).collect();
    // p-value: relErr 1 + 1e-7 as R.
    let d: Vec<f64> = {
        let mx = logdc.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = logdc.iter().map(|l| (l - mx).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|v| v / s).collect()
    };
    let xi = (x - lo) as usize;
    let p: f64 = d
        .iter()
        .filter(|&&v| v <= d[xi] * (1.0 + 1e-7))
        .sum::<f64>()
        .min(1.0);
    let mnhyper = |ncp: f64| -> f64 {
        if ncp == 0.0 {
            return lo;
        }
        if ncp.is_infinite() {
            return hi;
        }
        let dd: Vec<f64> = logdc
            .iter()
            .zip(&support)
            .map(|(l, s)| l + ncp.ln() * s)
            .collect();
        let mx = dd.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = dd.iter().map(|v| (v - mx).exp()).collect();
        let sum: f64 = e.iter().sum();
        support.iter().zip(&e).map(|(s, v)| s * v / sum).sum()
    };
    let or = if x == lo {
        0.0
    } else if x == hi {
        f64::INFINITY
    } else {
        let mu = mnhyper(1.0);
        if mu > x {
            zeroin(|t| mnhyper(t) - x, 0.0, 1.0)
        } else if mu < x {
            1.0 / zeroin(|t| mnhyper(1.0 / t) - x, f64::EPSILON, 1.0)
        } else {
            1.0
        }
    };
    Fisher {
        p,
        odds_ratio: Some(or),
        n_tables: support.len() as u64,
    }
}

/// Maximum number of tables the r×c enumeration visits before giving up.
pub const FISHER_MAX_TABLES: u64 = 50_000_000;

/// Fisher's exact test for a 2×2 or r×c table `table[row][col]` (R `fisher.test`).
pub fn fisher_exact(table: &[Vec<u64>]) -> Result<Fisher> {
    let what = "fisher_exact";
    let (rows, cols, n) = check_table(what, table)?;
    if rows.len() == 2 && cols.len() == 2 {
        return Ok(fisher_2x2(table));
    }
    // Enumerate column by column: each column's cells are a composition of the column total
    // bounded by the remaining row totals; the last column is determined.
    let lnf = |v: f64| ln_gamma(v + 1.0);
    let konst: f64 = rows.iter().map(|&r| lnf(r)).sum::<f64>()
        + cols.iter().map(|&c| lnf(c)).sum::<f64>()
        - lnf(n);
    let obs_lp = konst - table.iter().flatten().map(|&v| lnf(v as f64)).sum::<f64>();
    let threshold = obs_lp + (1.0f64 + 1e-7).ln();
    let rem: Vec<u64> = rows.iter().map(|&r| r as u64).collect();
    let colsu: Vec<u64> = cols.iter().map(|&c| c as u64).collect();
    let mut st = Enum {
        lnfact: (0..=n as usize).map(|v| lnf(v as f64)).collect(),
        konst,
        threshold,
        p: 0.0,
        count: 0,
        cols: colsu,
    };
    let mut rem = rem;
    st.column(0, &mut rem, 0.0)?;
    Ok(Fisher {
        p: st.p.min(1.0),
        odds_ratio: None,
        n_tables: st.count,
    })
}

struct Enum {
    lnfact: Vec<f64>,
    konst: f64,
    threshold: f64,
    p: f64,
    count: u64,
    cols: Vec<u64>,
}

impl Enum {
    fn column(&mut self, j: usize, rem: &mut [u64], acc: f64) -> Result<()> {
        if j == self.cols.len() - 1 {
            // Last column equals the remaining row totals.
            let lp = self.konst - acc - rem.iter().map(|&v| self.lnfact[v as usize]).sum::<f64>();
            self.count += 1;
            if self.count > FISHER_MAX_TABLES {
                return Err(StatsError::unsupported(
                    "fisher_exact",
                    format!("table needs more than {FISHER_MAX_TABLES} enumerated tables"),
                ));
            }
            if lp <= self.threshold {
                self.p += lp.exp();
            }
            return Ok(());
        }
        let total = self.cols[j];
        self.cell(j, 0, total, rem, acc)
    }

    fn cell(&mut self, j: usize, i: usize, left: u64, rem: &mut [u64], acc: f64) -> Result<()> {
        let r = rem.len();
        if i == r - 1 {
            if left > rem[i] {
                return Ok(());
            }
            rem[i] -= left;
            let res = self.column(j + 1, rem, acc + self.lnfact[left as usize]);
            rem[i] += left;
            return res;
        }
        // Capacity of the rows below must be able to absorb what is left.
        let below: u64 = rem[i + 1..].iter().sum();
        let min_here = left.saturating_sub(below);
        let max_here = left.min(rem[i]);
        for v in min_here..=max_here {
            rem[i] -= v;
            let res = self.cell(j, i + 1, left - v, rem, acc + self.lnfact[v as usize]);
            rem[i] += v;
            res?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fisher_2x2_matches_r() {
        // R 4.2.2: fisher.test(matrix(c(3, 1, 1, 3), 2)): p = 0.48571428571428582,
        // estimate = 6.40830886700578795
        let f = fisher_exact(&[vec![3, 1], vec![1, 3]]).unwrap();
        assert!((f.p - 0.485_714_285_714_285_8).abs() < 1e-12, "{f:?}");
        let or = f.odds_ratio.unwrap();
        assert!((or - 6.408_308_867_005_788).abs() < 1e-9, "{or}");
    }

    #[test]
    fn degenerate_tables() {
        assert!(chi_square(&[vec![1, 2]], false).is_err());
        assert!(chi_square(&[vec![0, 0], vec![1, 2]], false).is_err());
        assert!(chi_square(&[vec![1, 2, 3], vec![1, 2, 3]], true).is_err());
        assert!(welch_t(&[1.0], &[1.0, 2.0]).is_err());
        assert!(welch_t(&[1.0, 1.0], &[2.0, 2.0]).is_err());
    }
}
