//! Number formatting shared by every table and caption: estimates with confidence intervals,
//! p-values, percentages, counts, mean ± SD and median (IQR).
//!
//! Non-finite values print as `NA`, so a missing statistic is visible rather than silently `0`.

/// Text printed for a missing or non-finite value.
pub const MISSING: &str = "NA";

/// Formats `value` with `decimals` decimals; non-finite values give [`MISSING`]; `-0.000` prints as `0.000`.
pub fn fmt_num(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return MISSING.to_string();
    }
    let s = format!("{value:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Estimate with its confidence interval to three decimals: `fmt_ci(0.7634, 0.65, 0.87)` gives
/// `"0.763 (0.650–0.870)"`; when a bound is negative the separator is `" to "` so the minus sign
/// cannot be mistaken for a range dash (`"-0.020 (-0.100 to 0.060)"`).
pub fn fmt_ci(estimate: f64, low: f64, high: f64) -> String {
    fmt_ci_with(estimate, low, high, 3)
}

/// [`fmt_ci`] with a chosen number of decimals.
pub fn fmt_ci_with(estimate: f64, low: f64, high: f64, decimals: usize) -> String {
    let lo = fmt_num(low, decimals);
    let hi = fmt_num(high, decimals);
    let sep = if lo.starts_with('-') || hi.starts_with('-') {
        " to "
    } else {
        "–"
    };
    format!("{} ({lo}{sep}{hi})", fmt_num(estimate, decimals))
}

/// P-value: `<0.001` below 0.001, `>0.999` above 0.999, otherwise three decimals; outside
/// [0, 1] or non-finite gives [`MISSING`].
pub fn fmt_p(p: f64) -> String {
    if !p.is_finite() || !(0.0..=1.0).contains(&p) {
        MISSING.to_string()
    } else if p < 0.001 {
        "<0.001".to_string()
    } else if p > 0.999 {
        ">0.999".to_string()
    } else {
        format!("{p:.3}")
    }
}

/// A proportion in [0, 1] as a percentage with one decimal: `fmt_pct(0.8123)` gives `"81.2%"`.
pub fn fmt_pct(proportion: f64) -> String {
    if !proportion.is_finite() {
        return MISSING.to_string();
    }
    format!("{}%", fmt_num(proportion * 100.0, 1))
}

/// A count with its percentage of `total`: `fmt_count_pct(45, 60)` gives `"45 (75.0%)"`;
/// a zero total gives `"0 (NA)"`-style output rather than a division by zero.
pub fn fmt_count_pct(count: usize, total: usize) -> String {
    if total == 0 {
        return format!("{count} ({MISSING})");
    }
    format!("{count} ({})", fmt_pct(count as f64 / total as f64))
}

/// Mean ± standard deviation: `fmt_mean_sd(54.26, 10.04, 1)` gives `"54.3 ± 10.0"`.
pub fn fmt_mean_sd(mean: f64, sd: f64, decimals: usize) -> String {
    format!("{} ± {}", fmt_num(mean, decimals), fmt_num(sd, decimals))
}

/// Median with interquartile range: `fmt_median_iqr(4.2, 2.95, 6.0, 1)` gives `"4.2 (3.0–6.0)"`.
pub fn fmt_median_iqr(median: f64, q1: f64, q3: f64, decimals: usize) -> String {
    fmt_ci_with(median, q1, q3, decimals)
}

/// Axis tick label: `decimals` decimals and a true minus sign (U+2212) for negative values.
pub(crate) fn fmt_tick(value: f64, decimals: usize) -> String {
    let s = fmt_num(value, decimals);
    match s.strip_prefix('-') {
        Some(rest) => format!("\u{2212}{rest}"),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_matches_brief_example() {
        assert_eq!(fmt_ci(0.7634, 0.65, 0.87), "0.763 (0.650–0.870)");
        assert_eq!(fmt_ci(-0.02, -0.1, 0.06), "-0.020 (-0.100 to 0.060)");
        assert_eq!(fmt_ci(f64::NAN, 0.1, 0.2), "NA (0.100–0.200)");
    }

    #[test]
    fn p_values() {
        assert_eq!(fmt_p(0.0004), "<0.001");
        assert_eq!(fmt_p(0.001), "0.001");
        assert_eq!(fmt_p(0.04249), "0.042");
        assert_eq!(fmt_p(0.9996), ">0.999");
        assert_eq!(fmt_p(1.5), "NA");
        assert_eq!(fmt_p(f64::NAN), "NA");
    }

    #[test]
    fn percentages_counts_and_summaries() {
        assert_eq!(fmt_pct(0.8123), "81.2%");
        assert_eq!(fmt_count_pct(45, 60), "45 (75.0%)");
        assert_eq!(fmt_count_pct(3, 0), "3 (NA)");
        assert_eq!(fmt_mean_sd(54.26, 10.04, 1), "54.3 ± 10.0");
        assert_eq!(fmt_median_iqr(4.2, 2.95, 6.0, 1), "4.2 (3.0–6.0)");
        assert_eq!(fmt_num(-0.0001, 3), "0.000");
        assert_eq!(fmt_tick(-0.05, 2), "\u{2212}0.05");
    }
}
