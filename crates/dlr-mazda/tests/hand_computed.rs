//! Features of tiny images worked out by hand (the 4×4 image of Haralick et al. 1973, Fig. 2).
//!
//! Image (levels 0–3, x to the right, y = row downwards):
//! ```text
//! 0 0 1 1
//! 0 0 1 1
//! 0 2 2 2
//! 2 2 3 3
//! ```
//! With `normalisation = none`, `source_bits = 2` and `bits_per_pixel = 2` the requantised level
//! equals the pixel value; MaZda's 1-based grey value is level + 1.

use dlr_image::{FeatureValue, Image, Mask};
use dlr_mazda::{extract, MazdaSettings, Normalisation};

const IMG: [f32; 16] = [
    0., 0., 1., 1., //
    0., 0., 1., 1., //
    0., 2., 2., 2., //
    2., 2., 3., 3.,
];

fn settings() -> MazdaSettings {
    MazdaSettings {
        normalisation: Normalisation::None,
        source_bits: Some(2),
        bits_per_pixel: 2,
        gradient_bits: None,
        ..MazdaSettings::default()
    }
}

fn features() -> Vec<FeatureValue> {
    let img = Image::new_2d(IMG.to_vec(), 4, 4).unwrap();
    let roi = Mask::new(vec![1; 16], [4, 4, 1]).unwrap();
    extract(&img, &roi, &settings()).unwrap()
}

fn get(f: &[FeatureValue], name: &str) -> f64 {
    f.iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("feature {name} missing"))
        .value
}

fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

fn h10(p: &[f64]) -> f64 {
    -p.iter().map(|v| v * v.log10()).sum::<f64>()
}

/// Horizontal matrix S(1,0). Pairs per row: (0,0)(0,1)(1,1) | (0,0)(0,1)(1,1) | (0,2)(2,2)(2,2) |
/// (2,2)(2,3)(3,3); symmetric counts (Haralick's 0° matrix, total 24):
/// ```text
/// 4 2 1 0
/// 2 4 0 0
/// 1 0 6 1
/// 0 0 1 2
/// ```
/// Grey values 1–4: marginal p_x = (7, 6, 8, 3)/24, μ = 55/24, σ² = 151/24 − μ² = 599/576,
/// Σ ij p = 144/24 = 6, so Correlat = (6 − μ²)/σ² = 431/599.
/// p_{x+y} over k = 2,3,4,6,7,8: (4,4,6,6,2,2)/24, SumAverg = 110/24,
/// SumVarnc = 590/24 − (110/24)² = 2060/576. p_{x−y} over k = 0,1,2: (16,6,2)/24,
/// DifVarnc = 14/24 − (10/24)² = 236/576. InvDfMom = (16 + 4/2 + 2/5 + 2/2)/24 = 19.4/24.
#[test]
fn horizontal_cooccurrence_matches_hand_counts() {
    let f = features();
    let p: Vec<f64> = [4., 2., 1., 2., 4., 1., 6., 1., 1., 2.]
        .iter()
        .map(|c| c / 24.0)
        .collect();
    close(get(&f, "S(1,0)AngScMom"), 84.0 / 576.0, "AngScMom");
    close(get(&f, "S(1,0)Contrast"), 14.0 / 24.0, "Contrast");
    close(get(&f, "S(1,0)Correlat"), 431.0 / 599.0, "Correlat");
    close(get(&f, "S(1,0)SumOfSqs"), 599.0 / 576.0, "SumOfSqs");
    close(get(&f, "S(1,0)InvDfMom"), 19.4 / 24.0, "InvDfMom");
    close(get(&f, "S(1,0)SumAverg"), 110.0 / 24.0, "SumAverg");
    close(get(&f, "S(1,0)SumVarnc"), 2060.0 / 576.0, "SumVarnc");
    let ps: Vec<f64> = [4., 4., 6., 6., 2., 2.].iter().map(|c| c / 24.0).collect();
    close(get(&f, "S(1,0)SumEntrp"), h10(&ps), "SumEntrp");
    close(get(&f, "S(1,0)Entropy"), h10(&p), "Entropy");
    close(get(&f, "S(1,0)DifVarnc"), 236.0 / 576.0, "DifVarnc");
    let pd: Vec<f64> = [16., 6., 2.].iter().map(|c| c / 24.0).collect();
    close(get(&f, "S(1,0)DifEntrp"), h10(&pd), "DifEntrp");
}

/// Vertical S(0,1): Haralick's 90° matrix [[6,0,2,0],[0,4,2,0],[2,2,2,2],[0,0,2,0]] (total 24):
/// Contrast = (4·4 + 4·1 + 4·1)/24 = 1. Up-right diagonal S(1,1) (default convention) pairs
/// (0,0)(0,1)(1,1) (0,0)(2,1)(2,1) (2,2)(2,2)(3,2) → [[4,1,0,0],[1,2,2,0],[0,2,4,1],[0,0,1,0]],
/// total 18, Contrast = (2 + 4 + 2)/18. Down-right S(1,-1) → [[2,1,3,0],[1,2,1,0],[3,1,0,2],
/// [0,0,2,0]], Contrast = (2 + 6·4 + 2 + 4)/18 = 32/18.
#[test]
fn direction_conventions_match_hand_counts() {
    let f = features();
    close(get(&f, "S(0,1)Contrast"), 1.0, "S(0,1)Contrast");
    close(get(&f, "S(1,1)Contrast"), 8.0 / 18.0, "S(1,1)Contrast");
    close(get(&f, "S(1,-1)Contrast"), 32.0 / 18.0, "S(1,-1)Contrast");
    close(
        get(&f, "S(1,1)AngScMom"),
        (16. + 2. + 4. + 8. + 16. + 2.) / 324.0,
        "S(1,1)AngScMom",
    );
    // distance 2 horizontally: pairs (0,1)(0,1) | (0,1)(0,1) | (0,2)(2,2) | (2,3)(2,3)
    // symmetric: P01 = 4, P02 = 1, P22 = 2, P23 = 2 (+ transposes), total 16
    close(
        get(&f, "S(2,0)Contrast"),
        (8.0 + 2.0 * 4.0 + 4.0) / 16.0,
        "S(2,0)Contrast",
    );
    // distance 4 leaves no pair inside a 4×4 ROI
    let v = f.iter().find(|v| v.name == "S(4,0)Contrast").unwrap();
    assert!(v.value.is_nan() && v.note.is_some());
}

/// Runs. Horizontal: lengths 2,2 | 2,2 | 1,3 | 2,2 → C = 8, per length (1,6,1), per level
/// (3,2,2,1): RLNonUni = 38/8, GLevNonU = 18/8, LngREmph = 34/8, ShrtREmp = (1 + 6/4 + 1/9)/8,
/// Fraction = 8/16. Vertical: columns 000|2, 00|22, 11|2|3, 11|2|3 → C = 10.
/// 45dgr (up-right) along the anti-diagonals: 0 | 00 | 00,1 | 22,11 | 22,1 | 3,2 | 3 → C = 11,
/// lengths 1×6, 2×5, levels (3,3,3,2). 135dr (down-right): C = 14, lengths 1×12, 2×2.
#[test]
fn run_lengths_match_hand_counts() {
    let f = features();
    close(get(&f, "Horzl_RLNonUni"), 38.0 / 8.0, "Horzl_RLNonUni");
    close(get(&f, "Horzl_GLevNonU"), 18.0 / 8.0, "Horzl_GLevNonU");
    close(get(&f, "Horzl_LngREmph"), 34.0 / 8.0, "Horzl_LngREmph");
    close(
        get(&f, "Horzl_ShrtREmp"),
        (1.0 + 1.5 + 1.0 / 9.0) / 8.0,
        "Horzl_ShrtREmp",
    );
    close(get(&f, "Horzl_Fraction"), 0.5, "Horzl_Fraction");
    close(get(&f, "Vertl_Fraction"), 10.0 / 16.0, "Vertl_Fraction");
    close(get(&f, "45dgr_Fraction"), 11.0 / 16.0, "45dgr_Fraction");
    close(get(&f, "45dgr_RLNonUni"), 61.0 / 11.0, "45dgr_RLNonUni");
    close(get(&f, "45dgr_GLevNonU"), 31.0 / 11.0, "45dgr_GLevNonU");
    close(get(&f, "45dgr_LngREmph"), 26.0 / 11.0, "45dgr_LngREmph");
    close(get(&f, "45dgr_ShrtREmp"), 7.25 / 11.0, "45dgr_ShrtREmp");
    close(get(&f, "135dr_Fraction"), 14.0 / 16.0, "135dr_Fraction");
    close(
        get(&f, "135dr_RLNonUni"),
        (144.0 + 4.0) / 14.0,
        "135dr_RLNonUni",
    );
}

/// Histogram: values 0×5, 1×4, 2×5, 3×2 (N = 16): Mean = 20/16, Variance = 42/16 − 1.25²;
/// Perc.50% = sorted[ceil(8) − 1] = 1, Perc.90% = sorted[ceil(14.4) − 1] = 3,
/// Perc.10% = sorted[ceil(1.6) − 1] = 0.
#[test]
fn histogram_matches_hand_values() {
    let f = features();
    close(get(&f, "Mean"), 1.25, "Mean");
    close(get(&f, "Variance"), 2.625 - 1.5625, "Variance");
    close(get(&f, "Perc.10%"), 0.0, "Perc.10%");
    close(get(&f, "Perc.50%"), 1.0, "Perc.50%");
    close(get(&f, "Perc.90%"), 3.0, "Perc.90%");
    close(get(&f, "Perc.99%"), 3.0, "Perc.99%");
    // third moment: Σ (g − 1.25)³ n_g / 16 = (5·(−1.953125) + 4·(−0.015625) + 5·0.421875 + 2·5.359375)/16
    let m3 = (5.0 * -1.953125 + 4.0 * -0.015625 + 5.0 * 0.421875 + 2.0 * 5.359375) / 16.0;
    close(get(&f, "Skewness"), m3 / 1.0625f64.powf(1.5), "Skewness");
}

/// Gradient on raw values at the 4 interior pixels: (1,1): gx = 1−0, gy = 2−0 → √5;
/// (2,1): gx = 1−0, gy = 2−1 → √2; (1,2): gx = 2−0, gy = 2−0 → √8; (2,2): gx = 2−2, gy = 3−1 → 2.
#[test]
fn gradient_matches_hand_values() {
    let f = features();
    let g = [5f64.sqrt(), 2f64.sqrt(), 8f64.sqrt(), 2.0];
    let mean = g.iter().sum::<f64>() / 4.0;
    close(get(&f, "GrMean"), mean, "GrMean");
    let var = g.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 4.0;
    close(get(&f, "GrVariance"), var, "GrVariance");
    close(get(&f, "GrNonZeros"), 1.0, "GrNonZeros");
}

/// Orthonormal Haar, blocks at the ROI corner. s-1 blocks (a b / c d):
/// [0 0/0 0] → 0; [1 1/1 1] → LL 2; [0 2/2 2] → LL 3, LH = (a+b−c−d)/2 = −1, HL = (a−b+c−d)/2 = −1,
/// HH = −1; [2 2/3 3] → LL 5, LH −1, HL 0, HH 0. Energies: LL (0+4+9+25)/4, LH 2/4, HL 1/4,
/// HH 1/4. s-2 from [0 2/3 5]: LL 5, LH −3, HL −2, HH 0. s-3: no 8×8 block → undefined.
#[test]
fn haar_energies_match_hand_values() {
    let mut s = settings();
    s.wavelet_bits = None;
    let img = Image::new_2d(IMG.to_vec(), 4, 4).unwrap();
    let roi = Mask::new(vec![1; 16], [4, 4, 1]).unwrap();
    let f = extract(&img, &roi, &s).unwrap();
    close(get(&f, "WavEnLL_s-1"), 9.5, "LL1");
    close(get(&f, "WavEnLH_s-1"), 0.5, "LH1");
    close(get(&f, "WavEnHL_s-1"), 0.25, "HL1");
    close(get(&f, "WavEnHH_s-1"), 0.25, "HH1");
    close(get(&f, "WavEnLL_s-2"), 25.0, "LL2");
    close(get(&f, "WavEnLH_s-2"), 9.0, "LH2");
    close(get(&f, "WavEnHL_s-2"), 4.0, "HL2");
    close(get(&f, "WavEnHH_s-2"), 0.0, "HH2");
    let v = f.iter().find(|v| v.name == "WavEnHL_s-3").unwrap();
    assert!(v.value.is_nan() && v.note.as_deref().unwrap().contains("8x8"));
}
