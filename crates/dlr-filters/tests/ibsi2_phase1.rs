//! IBSI 2 phase-1 conformance: response maps of the digital phantoms against the consensus
//! maps in `../shared/data/ibsi2/phase1_response_maps`. Acceptance (the README's rule): every
//! voxel within 1% of the reference map's value range.

use dlr_filters::*;
use dlr_image::Image;

fn phantom(name: &str) -> Option<Image> {
    let dir = dlr_testutil::shared_dir()?;
    let p = dir.join(format!(
        "data/ibsi2/ibsi_2_digital_phantom/nifti/{name}/image/{name}.nii.gz"
    ));
    let n = dlr_testutil::read_volume(&p);
    let img = Image::new(n.data.iter().map(|v| *v as f32).collect(), n.dims).ok()?;
    Some(img.with_spacing(n.spacing))
}

fn reference(file: &str) -> Option<Vec<f64>> {
    let dir = dlr_testutil::shared_dir()?;
    let p = dir.join("data/ibsi2/phase1_response_maps").join(file);
    p.exists().then(|| dlr_testutil::read_volume(&p).data)
}

/// Largest |ours − reference| as a fraction of the reference range.
fn rel_error(ours: &Image, want: &[f64]) -> f64 {
    let (lo, hi) = want
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let range = (hi - lo).max(1e-12);
    ours.data()
        .iter()
        .zip(want)
        .map(|(a, b)| (*a as f64 - b).abs() / range)
        .fold(0.0, f64::max)
}

macro_rules! inputs {
    ($ph:expr, $file:expr) => {{
        let _ = dlr_testutil::require_shared!("data/ibsi2/phase1_response_maps");
        (
            phantom($ph).expect("phantom"),
            reference($file).expect("reference map"),
        )
    }};
}

const TOL: f64 = 0.01;

#[test]
fn mean_filter_1a_1b() {
    for (file, ph, mode) in [
        (
            "id_1_checkerboard_CT_1A1_mean.nii.gz",
            "checkerboard",
            BoundaryMode::Constant,
        ),
        (
            "id_1_checkerboard_CT_1A2_mean.nii.gz",
            "checkerboard",
            BoundaryMode::Nearest,
        ),
        (
            "id_1_checkerboard_CT_1A3_mean.nii.gz",
            "checkerboard",
            BoundaryMode::Periodic,
        ),
        (
            "id_1_checkerboard_CT_1A4_mean.nii.gz",
            "checkerboard",
            BoundaryMode::Mirror,
        ),
    ] {
        let (img, want) = inputs!(ph, file);
        let got = mean_filter(&img, 15, mode, FilterDims::ThreeD).unwrap();
        let e = rel_error(&got, &want);
        eprintln!("{file}: max error {e:.2e} of range");
        assert!(e <= TOL, "{file}: {e}");
    }
    // 1B1 is the in-plane (2D) mean filter
    let file = "id_1_impulse_CT_1B1_mean.nii.gz";
    let (img, want) = inputs!("impulse", file);
    let got = mean_filter(&img, 15, BoundaryMode::Constant, FilterDims::TwoD).unwrap();
    let e = rel_error(&got, &want);
    eprintln!("{file}: max error {e:.2e} of range");
    assert!(e <= TOL, "{file}: {e}");
}

#[test]
fn laplacian_of_gaussian_2a_2b_2c() {
    for (file, ph, sigma, mode, dims) in [
        (
            "id_2_impulse_CT_2A_log_s3.0.nii.gz",
            "impulse",
            3.0,
            BoundaryMode::Constant,
            FilterDims::ThreeD,
        ),
        (
            "id_2_checkerboard_CT_2B_log_s5.0.nii.gz",
            "checkerboard",
            5.0,
            BoundaryMode::Mirror,
            FilterDims::ThreeD,
        ),
        (
            "id_2_checkerboard_CT_2C_log_s5.0.nii.gz",
            "checkerboard",
            5.0,
            BoundaryMode::Mirror,
            FilterDims::TwoD,
        ),
    ] {
        let (img, want) = inputs!(ph, file);
        let opts = LogOptions {
            boundary: mode,
            dims,
            ..LogOptions::default()
        };
        let got = laplacian_of_gaussian(&img, sigma, &opts).unwrap();
        let e = rel_error(&got, &want);
        eprintln!("{file}: max error {e:.2e} of range");
        assert!(e <= TOL, "{file}: {e}");
    }
}

#[test]
fn laws_3a_3b_3c() {
    let none = LawsOptions {
        pooling: Pooling::None,
        energy_delta: None,
        ..LawsOptions::default()
    };
    let inv = LawsOptions {
        pooling: Pooling::Max,
        ..none
    };
    let energy = LawsOptions {
        energy_delta: Some(7),
        ..inv
    };
    for (file, ph, kern, mode, opts) in [
        (
            "id_3_impulse_CT_3A1_laws_E5L5S5.nii.gz",
            "impulse",
            "E5L5S5",
            BoundaryMode::Constant,
            none,
        ),
        (
            "id_3_impulse_CT_3A2_laws_E5L5S5_invar.nii.gz",
            "impulse",
            "E5L5S5",
            BoundaryMode::Constant,
            inv,
        ),
        (
            "id_3_impulse_CT_3A3_laws_E5L5S5_energy_delta_7_invar.nii.gz",
            "impulse",
            "E5L5S5",
            BoundaryMode::Constant,
            energy,
        ),
        (
            "id_3_checkerboard_CT_3B1_laws_E3W5R5.nii.gz",
            "checkerboard",
            "E3W5R5",
            BoundaryMode::Mirror,
            none,
        ),
        (
            "id_3_checkerboard_CT_3B2_laws_E3W5R5_invar.nii.gz",
            "checkerboard",
            "E3W5R5",
            BoundaryMode::Mirror,
            inv,
        ),
        (
            "id_3_checkerboard_CT_3B3_laws_E3W5R5_energy_delta_7_invar.nii.gz",
            "checkerboard",
            "E3W5R5",
            BoundaryMode::Mirror,
            energy,
        ),
        (
            "id_3_checkerboard_CT_3C1_laws_L5S5.nii.gz",
            "checkerboard",
            "L5S5",
            BoundaryMode::Mirror,
            none,
        ),
        (
            "id_3_checkerboard_CT_3C2_laws_L5S5_invar.nii.gz",
            "checkerboard",
            "L5S5",
            BoundaryMode::Mirror,
            inv,
        ),
        (
            "id_3_checkerboard_CT_3C3_laws_L5S5_energy_delta_7_invar.nii.gz",
            "checkerboard",
            "L5S5",
            BoundaryMode::Mirror,
            energy,
        ),
    ] {
        let (img, want) = inputs!(ph, file);
        let opts = LawsOptions {
            boundary: mode,
            ..opts
        };
        let got = laws(&img, kern, &opts).unwrap();
        let e = rel_error(&got, &want);
        eprintln!("{file}: max error {e:.2e} of range");
        assert!(e <= TOL, "{file}: {e}");
    }
}

#[test]
fn wavelets_5a_6a_7a() {
    let none = WaveletOptions {
        pooling: Pooling::None,
        ..WaveletOptions::default()
    };
    let inv = WaveletOptions {
        pooling: Pooling::Mean,
        ..none
    };
    for (file, ph, w, band, level, mode, opts) in [
        (
            "id_5_impulse_CT_5A1_wavelet_db2_LHL_level_1.nii.gz",
            "impulse",
            Wavelet::Db2,
            "LHL",
            1,
            BoundaryMode::Constant,
            none,
        ),
        (
            "id_5_impulse_CT_5A2_wavelet_db2_LHL_invar_level_1.nii.gz",
            "impulse",
            Wavelet::Db2,
            "LHL",
            1,
            BoundaryMode::Constant,
            inv,
        ),
        (
            "id_6_sphere_CT_6A1_wavelet_coif1_HHL_level_1.nii.gz",
            "sphere",
            Wavelet::Coif1,
            "HHL",
            1,
            BoundaryMode::Periodic,
            none,
        ),
        (
            "id_6_sphere_CT_6A2_wavelet_coif1_HHL_invar_level_1.nii.gz",
            "sphere",
            Wavelet::Coif1,
            "HHL",
            1,
            BoundaryMode::Periodic,
            inv,
        ),
        (
            "id_7_checkerboard_CT_7A1_wavelet_haar_LLL_invar_level_2.nii.gz",
            "checkerboard",
            Wavelet::Haar,
            "LLL",
            2,
            BoundaryMode::Mirror,
            inv,
        ),
        (
            "id_7_checkerboard_CT_7A2_wavelet_haar_HHH_invar_level_2.nii.gz",
            "checkerboard",
            Wavelet::Haar,
            "HHH",
            2,
            BoundaryMode::Mirror,
            inv,
        ),
    ] {
        let (img, want) = inputs!(ph, file);
        let opts = WaveletOptions {
            boundary: mode,
            ..opts
        };
        let got = wavelet_band(&img, w, band, level, &opts).unwrap();
        let e = rel_error(&got, &want);
        eprintln!("{file}: max error {e:.2e} of range");
        assert!(e <= TOL, "{file}: {e}");
    }
}

/// 4A1 (impulse, σ 10 mm, γ 0.5, λ 4 mm, θ = π/3, in-plane): the reference is non-zero only on
/// the impulse's slice z = 31, so the 2D filter runs on that slice alone (the full 64-slice run
/// is the same computation 64 times).
#[test]
fn gabor_4a1_on_the_impulse_slice() {
    let file = "id_4_impulse_CT_4A1_gabor_s_10.0_g_0.5_l_4.0_t_0.3333333333333333_3D.nii.gz";
    let (img, want) = inputs!("impulse", file);
    let plane = 64 * 64;
    assert!(want[..31 * plane]
        .iter()
        .chain(&want[32 * plane..])
        .all(|v| *v == 0.0));
    let slice = img.slice_z(31).unwrap();
    let opts = GaborOptions {
        boundary: BoundaryMode::Constant,
        gamma: 0.5,
        lambda_mm: 4.0,
        theta: std::f64::consts::PI / 3.0,
        ..GaborOptions::default()
    };
    let got = gabor(&slice, 10.0, &opts).unwrap();
    let e = rel_error(&got, &want[31 * plane..32 * plane]);
    eprintln!("{file} (slice 31): max error {e:.2e} of range");
    assert!(e <= TOL, "{file}: {e}");
}
