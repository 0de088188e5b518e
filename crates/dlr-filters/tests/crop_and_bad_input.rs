//! Filtering the ROI bounding box plus the filter's margin gives the full-image response inside
//! the ROI; boundary modes on a hand-checked line; bad input is a clear error.

use dlr_filters::*;
use dlr_image::{Image, Mask};

fn textured(nx: usize, ny: usize, nz: usize) -> Image {
    let v = (0..nx * ny * nz)
        .map(|i| {
            let (x, y, z) = (i % nx, (i / nx) % ny, i / (nx * ny));
            ((x * 7 + y * 13 + z * 29) % 17) as f32 + (x as f32 / 5.0).sin() * 10.0
        })
        .collect();
    Image::new(v, [nx, ny, nz])
        .unwrap()
        .with_spacing([0.8, 0.8, 2.0])
}

fn blob(nx: usize, ny: usize, nz: usize) -> Mask {
    let m = (0..nx * ny * nz)
        .map(|i| {
            let (x, y, z) = (
                (i % nx) as f64,
                ((i / nx) % ny) as f64,
                (i / (nx * ny)) as f64,
            );
            let r = ((x - 30.0).powi(2) + (y - 22.0).powi(2) + 4.0 * (z - 3.0).powi(2)).sqrt();
            u8::from(r < 9.0)
        })
        .collect();
    Mask::new(m, [nx, ny, nz]).unwrap()
}

/// Compares `f(crop)` with `f(full)` at every ROI voxel.
fn check_crop(img: &Image, mask: &Mask, margin: usize, f: impl Fn(&Image) -> Image, what: &str) {
    let full = f(img);
    let (ci, cm) = crop_with_margin(img, mask, margin).unwrap();
    let part = f(&ci);
    let (lo, _) = mask.bounding_box().unwrap();
    let a: [usize; 3] = std::array::from_fn(|k| lo[k].saturating_sub(margin));
    let [cx, cy, cz] = ci.dims();
    let mut n = 0;
    for z in 0..cz {
        for y in 0..cy {
            for x in 0..cx {
                if cm.contains(x, y, z) {
                    let want = full.get(x + a[0], y + a[1], z + a[2]);
                    let got = part.get(x, y, z);
                    assert!(
                        (want - got).abs() <= 1e-4 * want.abs().max(1.0),
                        "{what} at ({x},{y},{z}): crop {got} vs full {want}"
                    );
                    n += 1;
                }
            }
        }
    }
    assert_eq!(n, mask.count(), "{what}: every ROI voxel compared");
}

#[test]
fn cropped_response_equals_full_response_inside_roi() {
    let img = textured(64, 48, 7);
    let mask = blob(64, 48, 7);
    let sigma = 2.0;
    let opts = LogOptions::default();
    let margin = log_margin_voxels(&img, sigma, opts.truncate);
    check_crop(
        &img,
        &mask,
        margin,
        |i| laplacian_of_gaussian(i, sigma, &opts).unwrap(),
        "LoG",
    );
    check_crop(
        &img,
        &mask,
        3,
        |i| mean_filter(i, 7, BoundaryMode::Mirror, FilterDims::ThreeD).unwrap(),
        "mean",
    );
    // coif1 level 2: support (6 − 1)·(1 + 2) = 15 taps, at most 15 voxels from the output
    check_crop(
        &img,
        &mask,
        15,
        |i| wavelet_band(i, Wavelet::Coif1, "HLH", 2, &WaveletOptions::default()).unwrap(),
        "wavelet",
    );
    // a too-small margin must change something (the test can fail)
    let full = laplacian_of_gaussian(&img, sigma, &opts).unwrap();
    let (ci, _) = crop_with_margin(&img, &mask, 1).unwrap();
    let part = laplacian_of_gaussian(&ci, sigma, &opts).unwrap();
    let (lo, _) = mask.bounding_box().unwrap();
    let a = [lo[0] - 1, lo[1] - 1, lo[2].saturating_sub(1)];
    assert!((full.get(a[0] + 1, a[1] + 1, 3) - part.get(1, 1, 3 - a[2])).abs() > 1e-4);
}

#[test]
fn crop_keeps_physical_position() {
    let img = textured(64, 48, 7).with_origin([10.0, -5.0, 3.0]);
    let mask = blob(64, 48, 7);
    let (ci, cm) = crop_with_margin(&img, &mask, 2).unwrap();
    let (lo, _) = mask.bounding_box().unwrap();
    for (k, l) in lo.iter().enumerate() {
        let a = l.saturating_sub(2) as f64;
        assert!((ci.origin[k] - (img.origin[k] + a * img.spacing[k])).abs() < 1e-12);
    }
    assert_eq!(cm.count(), mask.count());
}

/// 1D line [1 2 3] (as a 3×1×1 image), 3-tap mean: constant → (0+1+2)/3 at x=0; nearest →
/// (1+1+2)/3; periodic → (3+1+2)/3; mirror (edge repeated) → (1+1+2)/3 and at x=2 (2+3+3)/3.
#[test]
fn boundary_modes_on_a_line() {
    let img = Image::new(vec![1.0, 2.0, 3.0], [3, 1, 1]).unwrap();
    let f = |m| mean_filter(&img, 3, m, FilterDims::TwoD).unwrap();
    // the y axis has length 1: each mode extends it with the same voxel except constant (zeros)
    let c = f(BoundaryMode::Constant);
    assert!((c.data()[0] - 3.0 / 9.0).abs() < 1e-6, "{:?}", c.data());
    let n = f(BoundaryMode::Nearest);
    assert!((n.data()[0] - 4.0 / 3.0).abs() < 1e-6);
    let p = f(BoundaryMode::Periodic);
    assert!((p.data()[0] - 2.0).abs() < 1e-6);
    let m = f(BoundaryMode::Mirror);
    assert!((m.data()[0] - 4.0 / 3.0).abs() < 1e-6);
    assert!((m.data()[2] - 8.0 / 3.0).abs() < 1e-6);
}

#[test]
fn bad_input_is_a_clear_error() {
    let img = textured(8, 8, 1);
    assert!(mean_filter(&img, 4, BoundaryMode::Mirror, FilterDims::Auto).is_err());
    assert!(laplacian_of_gaussian(&img, 0.0, &LogOptions::default()).is_err());
    assert!(laplacian_of_gaussian(&img, f64::NAN, &LogOptions::default()).is_err());
    assert!(laws(&img, "X5L5", &LawsOptions::default()).is_err());
    assert!(laws(&img, "L5", &LawsOptions::default()).is_err());
    assert!(wavelet_band(&img, Wavelet::Haar, "LX", 1, &WaveletOptions::default()).is_err());
    assert!(wavelet_band(&img, Wavelet::Haar, "LH", 0, &WaveletOptions::default()).is_err());
    assert!(Wavelet::parse("bior1.3").is_err());
    assert!(matches!(
        crop_with_margin(&img, &Mask::new(vec![0; 64], [8, 8, 1]).unwrap(), 2),
        Err(FilterError::EmptyRoi)
    ));
    assert!(matches!(
        crop_with_margin(&img, &Mask::new(vec![1; 16], [4, 4, 1]).unwrap(), 2),
        Err(FilterError::Mismatch { .. })
    ));
    let mut v = vec![1.0; 64];
    v[3] = f32::INFINITY;
    let bad = Image::new_2d(v, 8, 8).unwrap();
    assert!(mean_filter(&bad, 3, BoundaryMode::Mirror, FilterDims::Auto).is_err());
}

/// PyRadiomics-style decomposition: names, count, and perfect reconstruction of energy for an
/// orthogonal wavelet under periodic extension (Σ over sub-bands of Σ c² = 2^n·Σ x² per level,
/// since each undecimated level is a tight frame with redundancy 2^n).
#[test]
fn undecimated_decomposition_names_and_energy() {
    let img = textured(32, 24, 1);
    let out = wavelet_undecimated(&img, Wavelet::Coif1, 1).unwrap();
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["wavelet-LH", "wavelet-HL", "wavelet-HH", "wavelet-LL"]
    );
    let e = |i: &Image| i.data().iter().map(|v| (*v as f64).powi(2)).sum::<f64>();
    let total: f64 = out.iter().map(|(_, i)| e(i)).sum();
    assert!((total / e(&img) - 4.0).abs() < 1e-5, "{}", total / e(&img));
    let out3 = wavelet_undecimated(&textured(16, 16, 8), Wavelet::Haar, 2).unwrap();
    assert_eq!(out3.len(), 7 + 7 + 1);
    assert!(out3.iter().any(|(n, _)| n == "wavelet-LLH"));
    assert!(out3.iter().any(|(n, _)| n == "wavelet2-HHH"));
}

/// A cosine grating along x with period λ: the Gabor filter tuned to it (θ = 0, same λ) responds
/// far more strongly than the one rotated by π/2; orientation averaging lies between the two.
#[test]
fn gabor_is_tuned_to_wavelength_and_orientation() {
    let (n, lambda) = (48usize, 8.0);
    let v = (0..n * n)
        .map(|i| (2.0 * std::f64::consts::PI * (i % n) as f64 / lambda).cos() as f32)
        .collect();
    let img = Image::new_2d(v, n, n).unwrap();
    let at = |o: &GaborOptions| gabor(&img, 3.0, o).unwrap().get(24, 24, 0);
    let base = GaborOptions {
        boundary: BoundaryMode::Periodic,
        lambda_mm: lambda,
        ..GaborOptions::default()
    };
    let matched = at(&base);
    let rotated = at(&GaborOptions {
        theta: std::f64::consts::FRAC_PI_2,
        ..base
    });
    let pooled = at(&GaborOptions {
        theta_step: Some(std::f64::consts::FRAC_PI_4),
        ..base
    });
    // matched: ½·Σ envelope ≈ ½·2πσ² = 28.3 (unit spacing); rotated: envelope transform at
    // 2π/λ ≈ 28.3·exp(−(2π·3/8)²/2)... ≪ 1
    assert!(
        (matched - 0.5 * 2.0 * std::f32::consts::PI * 9.0).abs() < 0.5,
        "{matched}"
    );
    assert!(rotated < 1.0, "{rotated}");
    assert!(pooled > rotated && pooled < matched);
    assert!(gabor(&img, 0.0, &base).is_err());
}
