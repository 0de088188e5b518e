//! Grey-level co-occurrence matrices and MaZda's 11 Haralick features (`S(d,0)AngScMom` …).

use crate::settings::{CorrelationDegenerate, LogBase, SumVarianceCentre};
use dlr_image::FeatureValue;

/// MaZda's Haralick feature tags, in MaZda's order.
pub const HARALICK_NAMES: [&str; 11] = [
    "AngScMom", "Contrast", "Correlat", "SumOfSqs", "InvDfMom", "SumAverg", "SumVarnc", "SumEntrp",
    "Entropy", "DifVarnc", "DifEntrp",
];

/// Options of the Haralick features.
#[derive(Debug, Clone, Copy)]
pub struct HaralickOptions {
    /// Logarithm of the entropies.
    pub log_base: LogBase,
    /// Centre of `SumVarnc`.
    pub sum_variance_centre: SumVarianceCentre,
    /// `Correlat` of a single-level matrix.
    pub correlation_degenerate: CorrelationDegenerate,
    /// Grey value of matrix index 0 (1 for MaZda's 1-based levels).
    pub level_base: f64,
}

/// Symmetric co-occurrence counts (`ng × ng`, row-major) of a `w × h` grid of 0-based levels.
///
/// Every ordered pair (p, p + (dx, dy)) with both pixels inside the ROI adds 1 to `P(i, j)` and
/// 1 to `P(j, i)`. Levels must be below `ng`.
pub fn cooccurrence_counts(
    levels: &[u16],
    inside: &[bool],
    w: usize,
    h: usize,
    dx: isize,
    dy: isize,
    ng: usize,
) -> Vec<f64> {
    let mut counts = vec![0u32; ng * ng];
    let (adx, ady) = (dx.unsigned_abs(), dy.unsigned_abs());
    if adx < w && ady < h {
        // x range such that x and x + dx are both in 0..w
        let (xa, xb) = if dx >= 0 { (0, w - adx) } else { (adx, w) };
        let (ya, yb) = if dy >= 0 { (0, h - ady) } else { (ady, h) };
        let step = dy * w as isize + dx;
        for y in ya..yb {
            for x in xa..xb {
                let i = y * w + x;
                let j = (i as isize + step) as usize;
                if inside[i] && inside[j] {
                    let (a, b) = (levels[i] as usize, levels[j] as usize);
                    counts[a * ng + b] += 1;
                    counts[b * ng + a] += 1;
                }
            }
        }
    }
    counts.into_iter().map(f64::from).collect()
}

fn entropy(p: &[f64], log_base: LogBase) -> f64 {
    -p.iter()
        .filter(|&&v| v > 0.0)
        .map(|&v| v * log_base.log(v))
        .sum::<f64>()
}

/// The 11 Haralick features of a symmetric co-occurrence matrix, named `prefix` + tag.
///
/// Formulas as in `../shared/specs/mazda_2d_features.md` §5 with 1-based grey values when
/// `level_base = 1`. An all-zero matrix (no pixel pair inside the ROI) gives 11 undefined values;
/// `Correlat` of a one-level matrix follows `correlation_degenerate`.
pub fn haralick_features(
    counts: &[f64],
    ng: usize,
    prefix: &str,
    opts: &HaralickOptions,
) -> Vec<FeatureValue> {
    let name = |tag: &str| format!("{prefix}{tag}");
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return HARALICK_NAMES
            .iter()
            .map(|t| {
                FeatureValue::undefined(
                    name(t),
                    "no pixel pair at this displacement lies inside the ROI",
                )
            })
            .collect();
    }
    let base = opts.level_base;
    let mut px = vec![0.0; ng];
    let mut psum = vec![0.0; 2 * ng - 1];
    let mut pdiff = vec![0.0; ng];
    let (mut asm, mut contrast, mut idm) = (0.0, 0.0, 0.0);
    for i in 0..ng {
        let row = &counts[i * ng..(i + 1) * ng];
        for (j, &c) in row.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            let p = c / total;
            let d = i.abs_diff(j);
            px[i] += p;
            psum[i + j] += p;
            pdiff[d] += p;
            asm += p * p;
            let d2 = (d * d) as f64;
            contrast += d2 * p;
            idm += p / (1.0 + d2);
        }
    }
    let mu: f64 = px
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64 + base) * p)
        .sum();
    let var: f64 = px
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let d = i as f64 + base - mu;
            d * d * p
        })
        .sum();
    // Σ (i−μ)(j−μ) p(i,j), the covariance of the symmetric matrix
    let mut cov = 0.0;
    for i in 0..ng {
        let di = i as f64 + base - mu;
        for (j, &c) in counts[i * ng..(i + 1) * ng].iter().enumerate() {
            if c != 0.0 {
                cov += di * (j as f64 + base - mu) * c / total;
            }
        }
    }
    let sum_avg: f64 = psum
        .iter()
        .enumerate()
        .map(|(k, p)| (k as f64 + 2.0 * base) * p)
        .sum();
    let sum_entr = entropy(&psum, opts.log_base);
    let centre = match opts.sum_variance_centre {
        SumVarianceCentre::SumAverage => sum_avg,
        SumVarianceCentre::SumEntropy => sum_entr,
    };
    let sum_var: f64 = psum
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let d = k as f64 + 2.0 * base - centre;
            d * d * p
        })
        .sum();
    let diff_mean: f64 = pdiff.iter().enumerate().map(|(k, p)| k as f64 * p).sum();
    let diff_var: f64 = pdiff
        .iter()
        .enumerate()
        .map(|(k, p)| (k as f64 - diff_mean).powi(2) * p)
        .sum();
    let correlation = if var > 0.0 {
        FeatureValue::new(name("Correlat"), cov / var)
    } else {
        match opts.correlation_degenerate {
            CorrelationDegenerate::One => FeatureValue::new(name("Correlat"), 1.0),
            CorrelationDegenerate::Undefined => FeatureValue::undefined(
                name("Correlat"),
                "single grey level: the marginal standard deviation is 0",
            ),
        }
    };
    vec![
        FeatureValue::new(name("AngScMom"), asm),
        FeatureValue::new(name("Contrast"), contrast),
        correlation,
        FeatureValue::new(name("SumOfSqs"), var),
        FeatureValue::new(name("InvDfMom"), idm),
        FeatureValue::new(name("SumAverg"), sum_avg),
        FeatureValue::new(name("SumVarnc"), sum_var),
        FeatureValue::new(name("SumEntrp"), sum_entr),
        FeatureValue::new(
            name("Entropy"),
            entropy_matrix(counts, total, opts.log_base),
        ),
        FeatureValue::new(name("DifVarnc"), diff_var),
        FeatureValue::new(name("DifEntrp"), entropy(&pdiff, opts.log_base)),
    ]
}

fn entropy_matrix(counts: &[f64], total: f64, log_base: LogBase) -> f64 {
    -counts
        .iter()
        .filter(|&&c| c > 0.0)
        .map(|&c| {
            let p = c / total;
            p * log_base.log(p)
        })
        .sum::<f64>()
}
