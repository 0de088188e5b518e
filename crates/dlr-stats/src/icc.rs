//! Intraclass correlation (Shrout & Fleiss 1979; McGraw & Wong 1996) from the two-way ANOVA of a
//! subjects × raters table, with the F tests and 95% confidence intervals exactly as R's
//! `psych::ICC(x, lmer = FALSE)` computes them (ICC2/ICC2k CIs use the Satterthwaite-type df).

use crate::dist::{f_quantile, f_sf};
use crate::error::{Result, StatsError};
use serde::Serialize;

/// The six ICC forms (psych naming; McGraw–Wong equivalents in the docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum IccForm {
    /// ICC(1,1): single rater, one-way random = McGraw–Wong ICC(1).
    Icc1,
    /// ICC(2,1): single rater, two-way random, absolute agreement = ICC(A,1).
    Icc2,
    /// ICC(3,1): single rater, two-way mixed, consistency = ICC(C,1).
    Icc3,
    /// ICC(1,k): mean of k raters, one-way random = ICC(k).
    Icc1k,
    /// ICC(2,k): mean of k raters, absolute agreement = ICC(A,k).
    Icc2k,
    /// ICC(3,k): mean of k raters, consistency = ICC(C,k).
    Icc3k,
}

impl IccForm {
    /// All six forms in psych's row order.
    pub const ALL: [IccForm; 6] = [
        IccForm::Icc1,
        IccForm::Icc2,
        IccForm::Icc3,
        IccForm::Icc1k,
        IccForm::Icc2k,
        IccForm::Icc3k,
    ];

    /// psych's type label (`"ICC1"`, `"ICC2k"`, …).
    pub fn psych_name(self) -> &'static str {
        match self {
            IccForm::Icc1 => "ICC1",
            IccForm::Icc2 => "ICC2",
            IccForm::Icc3 => "ICC3",
            IccForm::Icc1k => "ICC1k",
            IccForm::Icc2k => "ICC2k",
            IccForm::Icc3k => "ICC3k",
        }
    }
}

/// One ICC form with its F test and confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IccRow {
    /// Which form.
    pub form: IccForm,
    /// Point estimate.
    pub icc: f64,
    /// F statistic (MSR/MSW for ICC1, MSR/MSE otherwise).
    pub f: f64,
    /// Numerator df.
    pub df1: f64,
    /// Denominator df.
    pub df2: f64,
    /// Upper-tail p-value of F.
    pub p: f64,
    /// Lower 95% bound (or 1 - alpha as requested).
    pub ci_lower: f64,
    /// Upper 95% bound.
    pub ci_upper: f64,
}

/// ANOVA mean squares and all six ICC forms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IccTable {
    /// Number of subjects (rows).
    pub n_subjects: usize,
    /// Number of raters (columns).
    pub k_raters: usize,
    /// Between-subjects mean square.
    pub msr: f64,
    /// Between-raters mean square.
    pub msc: f64,
    /// Residual mean square.
    pub mse: f64,
    /// Within-subjects mean square (one-way).
    pub msw: f64,
    /// Rows in [`IccForm::ALL`] order.
    pub rows: Vec<IccRow>,
}

impl IccTable {
    /// The row for one form.
    pub fn get(&self, form: IccForm) -> &IccRow {
        // rows are always built in IccForm::ALL order
        let i = IccForm::ALL.iter().position(|f| *f == form).unwrap_or(0);
        &self.rows[i]
    }
}

/// All six ICC forms with 95% CIs; `ratings[i][j]` is subject i rated by rater j.
pub fn icc(ratings: &[Vec<f64>]) -> Result<IccTable> {
    icc_with_alpha(ratings, 0.05)
}

/// Mean squares of the two-way ANOVA of a subjects × raters table.
struct Anova {
    n: usize,
    k: usize,
    msr: f64,
    msc: f64,
    mse: f64,
    msw: f64,
}

/// Checks the table and computes the ANOVA mean squares (shared by [`icc_with_alpha`] and
/// [`icc_value`], so both give bitwise the same point estimates).
fn anova(what: &str, ratings: &[Vec<f64>]) -> Result<Anova> {
    let n = ratings.len();
    if n < 2 {
        return Err(StatsError::input(
            what,
            format!("need at least 2 subjects, got {n}"),
        ));
    }
    let k = ratings[0].len();
    if k < 2 {
        return Err(StatsError::input(
            what,
            format!("need at least 2 raters, got {k}"),
        ));
    }
    for (i, row) in ratings.iter().enumerate() {
        if row.len() != k {
            return Err(StatsError::input(
                what,
                format!("row {i} has {} ratings but row 0 has {k}", row.len()),
            ));
        }
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::input(
                what,
                format!("rating [{i}][{j}] is not finite (missing ratings are not supported)"),
            ));
        }
    }
    let (nf, kf) = (n as f64, k as f64);
    let gm = ratings.iter().flatten().sum::<f64>() / (nf * kf);
    let row_means: Vec<f64> = ratings.iter().map(|r| r.iter().sum::<f64>() / kf).collect();
    let col_means: Vec<f64> = (0..k)
        .map(|j| ratings.iter().map(|r| r[j]).sum::<f64>() / nf)
        .collect();
    let ssr = kf * row_means.iter().map(|m| (m - gm).powi(2)).sum::<f64>();
    let ssc = nf * col_means.iter().map(|m| (m - gm).powi(2)).sum::<f64>();
    let sst = ratings
        .iter()
        .flatten()
        .map(|v| (v - gm).powi(2))
        .sum::<f64>();
    let sse = (sst - ssr - ssc).max(0.0);
    let ssw = (sst - ssr).max(0.0);
    let msr = ssr / (nf - 1.0);
    let msc = ssc / (kf - 1.0);
    let mse = sse / ((nf - 1.0) * (kf - 1.0));
    let msw = ssw / (nf * (kf - 1.0));
    if msr == 0.0 && msw == 0.0 {
        return Err(StatsError::degenerate(
            what,
            "all ratings are identical (zero variance)",
        ));
    }
    Ok(Anova {
        n,
        k,
        msr,
        msc,
        mse,
        msw,
    })
}

impl Anova {
    /// Point estimate of one form from the mean squares.
    fn icc(&self, form: IccForm) -> f64 {
        let (nf, kf) = (self.n as f64, self.k as f64);
        let (msr, msc, mse, msw) = (self.msr, self.msc, self.mse, self.msw);
        match form {
            IccForm::Icc1 => (msr - msw) / (msr + (kf - 1.0) * msw),
            IccForm::Icc2 => (msr - mse) / (msr + (kf - 1.0) * mse + kf * (msc - mse) / nf),
            IccForm::Icc3 => (msr - mse) / (msr + (kf - 1.0) * mse),
            IccForm::Icc1k => (msr - msw) / msr,
            IccForm::Icc2k => (msr - mse) / (msr + (msc - mse) / nf),
            IccForm::Icc3k => (msr - mse) / msr,
        }
    }
}

/// Point estimate of one ICC form without F tests or confidence intervals (for filters that
/// evaluate thousands of features); equals `icc(ratings)?.get(form).icc` bitwise and fails on
/// the same inputs.
pub fn icc_value(ratings: &[Vec<f64>], form: IccForm) -> Result<f64> {
    Ok(anova("icc", ratings)?.icc(form))
}

/// As [`icc`] with confidence level `1 - alpha`.
pub fn icc_with_alpha(ratings: &[Vec<f64>], alpha: f64) -> Result<IccTable> {
    let what = "icc";
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(StatsError::input(
            what,
            format!("alpha must be in (0,1), got {alpha}"),
        ));
    }
    let a = anova(what, ratings)?;
    let (n, k) = (a.n, a.k);
    let (nf, kf) = (n as f64, k as f64);
    let (msr, msc, mse, msw) = (a.msr, a.msc, a.mse, a.msw);

    let icc1 = a.icc(IccForm::Icc1);
    let icc2 = a.icc(IccForm::Icc2);
    let icc3 = a.icc(IccForm::Icc3);
    let icc1k = a.icc(IccForm::Icc1k);
    let icc2k = a.icc(IccForm::Icc2k);
    let icc3k = a.icc(IccForm::Icc3k);

    let f1 = msr / msw;
    let (df1n, df1d) = (nf - 1.0, nf * (kf - 1.0));
    let p1 = f_sf(f1, df1n, df1d);
    let f2 = msr / mse;
    let (df2n, df2d) = (nf - 1.0, (nf - 1.0) * (kf - 1.0));
    let p2 = f_sf(f2, df2n, df2d);

    let q = 1.0 - alpha / 2.0;
    // One-way (ICC1, ICC1k).
    let f1l = f1 / f_quantile(q, df1n, df1d);
    let f1u = f1 * f_quantile(q, df1d, df1n);
    let l1 = (f1l - 1.0) / (f1l + (kf - 1.0));
    let u1 = (f1u - 1.0) / (f1u + (kf - 1.0));
    // Consistency (ICC3, ICC3k).
    let f3l = f2 / f_quantile(q, df2n, df2d);
    let f3u = f2 * f_quantile(q, df2d, df2n);
    let l3 = (f3l - 1.0) / (f3l + (kf - 1.0));
    let u3 = (f3u - 1.0) / (f3u + (kf - 1.0));
    // Absolute agreement (ICC2, ICC2k), Satterthwaite df.
    let fj = msc / mse;
    let (l2, u2) = if fj.is_finite() {
        let a = nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2;
        let vn = (kf - 1.0) * (nf - 1.0) * (kf * icc2 * fj + a).powi(2);
        let vd = (nf - 1.0) * kf * kf * icc2 * icc2 * fj * fj + a * a;
        let v = vn / vd;
        let fu = f_quantile(q, nf - 1.0, v);
        let fl = f_quantile(q, v, nf - 1.0);
        let den = kf * msc + (kf * nf - kf - nf) * mse;
        let l2 = nf * (msr - fu * mse) / (fu * den + nf * msr);
        let u2 = nf * (fl * msr - mse) / (den + nf * fl * msr);
        (l2, u2)
    } else {
        // Residual mean square is 0: the raters differ only by constant offsets; the bounds'
        // limits as MSE -> 0 with v -> k - 1.
        let fu = f_quantile(q, nf - 1.0, kf - 1.0);
        let fl = f_quantile(q, kf - 1.0, nf - 1.0);
        let den = kf * msc;
        (
            nf * msr / (fu * den + nf * msr),
            nf * fl * msr / (den + nf * fl * msr),
        )
    };
    let l1k = 1.0 - 1.0 / f1l;
    let u1k = 1.0 - 1.0 / f1u;
    let l3k = 1.0 - 1.0 / f3l;
    let u3k = 1.0 - 1.0 / f3u;
    let l2k = l2 * kf / (1.0 + l2 * (kf - 1.0));
    let u2k = u2 * kf / (1.0 + u2 * (kf - 1.0));

    // With F = inf (no residual variation) the bounds' limits are 1.
    let lim = |v: f64| if v.is_nan() { 1.0 } else { v };
    let row = |form, icc, f, df1, df2, p, lo: f64, hi: f64| IccRow {
        form,
        icc,
        f,
        df1,
        df2,
        p,
        ci_lower: lim(lo),
        ci_upper: lim(hi),
    };
    let rows = vec![
        row(IccForm::Icc1, icc1, f1, df1n, df1d, p1, l1, u1),
        row(IccForm::Icc2, icc2, f2, df2n, df2d, p2, l2, u2),
        row(IccForm::Icc3, icc3, f2, df2n, df2d, p2, l3, u3),
        row(IccForm::Icc1k, icc1k, f1, df1n, df1d, p1, l1k, u1k),
        row(IccForm::Icc2k, icc2k, f2, df2n, df2d, p2, l2k, u2k),
        row(IccForm::Icc3k, icc3k, f2, df2n, df2d, p2, l3k, u3k),
    ];
    Ok(IccTable {
        n_subjects: n,
        k_raters: k,
        msr,
        msc,
        mse,
        msw,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate() {
        assert!(icc(&[vec![1.0, 2.0]]).is_err());
        assert!(icc(&[vec![1.0], vec![2.0]]).is_err());
        assert!(icc(&[vec![1.0, 1.0], vec![1.0, 1.0]]).is_err());
        assert!(icc(&[vec![1.0, f64::NAN], vec![1.0, 2.0]]).is_err());
        assert!(icc(&[vec![1.0, 2.0], vec![1.0]]).is_err());
        assert!(icc_value(&[vec![1.0, 1.0], vec![1.0, 1.0]], IccForm::Icc2).is_err());
        assert!(icc_value(&[vec![1.0, 2.0]], IccForm::Icc2).is_err());
        // Perfect agreement: ICC = 1 everywhere, CIs defined.
        let t = icc(&[vec![1.0, 1.0], vec![2.0, 2.0], vec![4.0, 4.0]]).unwrap();
        for r in &t.rows {
            assert!((r.icc - 1.0).abs() < 1e-12, "{r:?}");
            assert!(r.ci_lower.is_finite() && r.ci_upper.is_finite(), "{r:?}");
        }
        // Constant offset between raters: consistency 1, agreement < 1, all finite.
        let t = icc(&[vec![1.0, 2.0], vec![2.0, 3.0], vec![4.0, 5.0]]).unwrap();
        assert!((t.get(IccForm::Icc3).icc - 1.0).abs() < 1e-12);
        assert!(t.get(IccForm::Icc2).icc < 1.0);
        for r in &t.rows {
            assert!(
                r.icc.is_finite() && r.ci_lower.is_finite() && r.ci_upper.is_finite(),
                "{r:?}"
            );
        }
    }

    #[test]
    fn icc_value_equals_the_table_and_psych() {
        // Shrout & Fleiss (1979) Table 2: 6 targets x 4 judges; psych 2.2.9 ICC(lmer = FALSE)
        // estimates as stored in ../shared/golden/icc.json ("all_4_judges").
        let sf = vec![
            vec![9.0, 2.0, 5.0, 8.0],
            vec![6.0, 1.0, 3.0, 2.0],
            vec![8.0, 4.0, 6.0, 8.0],
            vec![7.0, 1.0, 2.0, 6.0],
            vec![10.0, 5.0, 6.0, 9.0],
            vec![6.0, 2.0, 4.0, 7.0],
        ];
        let psych = [
            0.165741768405476,
            0.289763779527559,
            0.714840714840715,
            0.442797133679269,
            0.620050547598989,
            0.909315542377069,
        ];
        let t = icc(&sf).unwrap();
        for (form, want) in IccForm::ALL.iter().zip(psych) {
            let v = icc_value(&sf, *form).unwrap();
            assert_eq!(v.to_bits(), t.get(*form).icc.to_bits(), "{form:?}");
            assert!((v - want).abs() < 1e-12, "{form:?}: {v} vs psych {want}");
        }
    }
}
