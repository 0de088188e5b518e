//! Grey-level run-length features (`Horzl_RLNonUni` … `135dr_Fraction`, Galloway 1975).

use dlr_image::FeatureValue;

/// MaZda's run-length feature tags, in MaZda's order.
pub const RUN_LENGTH_NAMES: [&str; 5] =
    ["RLNonUni", "GLevNonU", "LngREmph", "ShrtREmp", "Fraction"];

/// Summary of the run-length matrix P(i, k) along one direction.
#[derive(Debug, Clone, PartialEq)]
pub struct RunLengthSummary {
    /// Σ_k P(i, k) per 0-based level i.
    pub runs_per_level: Vec<u64>,
    /// Σ_i P(i, k) per run length k (index k − 1).
    pub runs_per_length: Vec<u64>,
    /// Number of runs C.
    pub runs: u64,
    /// Number of ROI pixels (Σ k·P(i, k)).
    pub pixels: u64,
}

/// Maximal runs of equal level along `(dx, dy)` (a step of ±1 per axis) confined to the ROI.
pub fn run_lengths(
    levels: &[u16],
    inside: &[bool],
    w: usize,
    h: usize,
    dx: isize,
    dy: isize,
    ng: usize,
) -> RunLengthSummary {
    let mut per_level = vec![0u64; ng];
    let mut per_length: Vec<u64> = Vec::new();
    let (mut runs, mut pixels) = (0u64, 0u64);
    let at = |x: isize, y: isize| -> Option<usize> {
        (x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h)
            .then(|| y as usize * w + x as usize)
            .filter(|&i| inside[i])
    };
    for y in 0..h as isize {
        for x in 0..w as isize {
            let Some(i) = at(x, y) else { continue };
            pixels += 1;
            let level = levels[i];
            // a run starts where the previous pixel along the direction is not the same level
            if at(x - dx, y - dy).is_some_and(|p| levels[p] == level) {
                continue;
            }
            let mut k = 1usize;
            let (mut cx, mut cy) = (x + dx, y + dy);
            while at(cx, cy).is_some_and(|p| levels[p] == level) {
                k += 1;
                cx += dx;
                cy += dy;
            }
            runs += 1;
            per_level[level as usize] += 1;
            if per_length.len() < k {
                per_length.resize(k, 0);
            }
            per_length[k - 1] += 1;
        }
    }
    RunLengthSummary {
        runs_per_level: per_level,
        runs_per_length: per_length,
        runs,
        pixels,
    }
}

/// The 5 run-length features named `prefix` + tag; undefined for an empty ROI.
pub fn run_length_features(s: &RunLengthSummary, prefix: &str) -> Vec<FeatureValue> {
    if s.runs == 0 {
        return RUN_LENGTH_NAMES
            .iter()
            .map(|t| FeatureValue::undefined(format!("{prefix}{t}"), "empty ROI: no runs"))
            .collect();
    }
    let c = s.runs as f64;
    let sq = |v: &u64| (*v as f64) * (*v as f64);
    let rl_non_uni = s.runs_per_length.iter().map(sq).sum::<f64>() / c;
    let gl_non_uni = s.runs_per_level.iter().map(sq).sum::<f64>() / c;
    let (mut long, mut short) = (0.0, 0.0);
    for (k, &n) in s.runs_per_length.iter().enumerate() {
        let k2 = ((k + 1) * (k + 1)) as f64;
        long += n as f64 * k2;
        short += n as f64 / k2;
    }
    vec![
        FeatureValue::new(format!("{prefix}RLNonUni"), rl_non_uni),
        FeatureValue::new(format!("{prefix}GLevNonU"), gl_non_uni),
        FeatureValue::new(format!("{prefix}LngREmph"), long / c),
        FeatureValue::new(format!("{prefix}ShrtREmp"), short / c),
        FeatureValue::new(format!("{prefix}Fraction"), c / s.pixels as f64),
    ]
}
