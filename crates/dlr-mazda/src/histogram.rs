//! Histogram features (`Mean`, `Variance`, `Skewness`, `Kurtosis`, `Perc.X%`) and the moment
//! statistics shared with the gradient group.

use crate::roi::percentile_sorted;
use crate::settings::PercentileRule;
use dlr_image::FeatureValue;

/// Population moments of a sample: mean, variance, skewness and kurtosis (not excess).
///
/// Skewness and kurtosis are `None` when the variance is zero (they are 0/0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    /// Mean.
    pub mean: f64,
    /// Population variance (divide by n).
    pub variance: f64,
    /// Third standardised moment.
    pub skewness: Option<f64>,
    /// Fourth standardised moment (3 for a normal distribution).
    pub kurtosis: Option<f64>,
}

/// Moments of `values`; `None` for an empty sample.
pub fn moments(values: &[f64]) -> Option<Moments> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    // a constant sample has exactly zero spread (the computed mean may carry rounding error)
    let constant = values.iter().all(|&v| v == values[0]);
    let mean = if constant {
        values[0]
    } else {
        values.iter().sum::<f64>() / n
    };
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in values {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    let (skewness, kurtosis) = if m2 == 0.0 {
        (None, None)
    } else {
        (Some(m3 / m2.powf(1.5)), Some(m4 / (m2 * m2)))
    };
    Some(Moments {
        mean,
        variance: m2,
        skewness,
        kurtosis,
    })
}

/// Percentiles reported by MaZda, with their name strings.
pub const PERCENTILES: [(u32, &str); 5] = [
    (1, "Perc.01%"),
    (10, "Perc.10%"),
    (50, "Perc.50%"),
    (90, "Perc.90%"),
    (99, "Perc.99%"),
];

/// The 9 histogram features of the ROI grey values `values` (any order).
pub fn histogram_features(
    values: &[f64],
    rule: PercentileRule,
    excess_kurtosis: bool,
) -> Vec<FeatureValue> {
    let mut out = Vec::with_capacity(9);
    let Some(m) = moments(values) else {
        for name in ["Mean", "Variance", "Skewness", "Kurtosis"]
            .into_iter()
            .chain(PERCENTILES.iter().map(|p| p.1))
        {
            out.push(FeatureValue::undefined(name, "empty ROI"));
        }
        return out;
    };
    out.push(FeatureValue::new("Mean", m.mean));
    out.push(FeatureValue::new("Variance", m.variance));
    let single = "single grey level in the ROI: the standardised moment is 0/0";
    out.push(match m.skewness {
        Some(s) => FeatureValue::new("Skewness", s),
        None => FeatureValue::undefined("Skewness", single),
    });
    out.push(match m.kurtosis {
        Some(k) => FeatureValue::new("Kurtosis", k - if excess_kurtosis { 3.0 } else { 0.0 }),
        None => FeatureValue::undefined("Kurtosis", single),
    });
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    for (pct, name) in PERCENTILES {
        out.push(FeatureValue::new(
            name,
            percentile_sorted(&sorted, pct, rule),
        ));
    }
    out
}
