//! PyRadiomics-exact filters on an ROI box: the box response equals the whole-image response
//! (wavelet exactly, LoG to f32 resolution) for boxes inside the image, touching its edges and
//! on odd/even sizes; PyRadiomics' LoG skip rules and names; bad input. The values themselves
//! are checked against PyRadiomics 3.1.4 in dlr-radiomics' `tests/pyradiomics_filtered.rs`.

use dlr_filters::*;
use dlr_image::Image;

fn textured(nx: usize, ny: usize, nz: usize, spacing: [f64; 3]) -> Image {
    let v = (0..nx * ny * nz)
        .map(|i| {
            let (x, y, z) = (i % nx, (i / nx) % ny, i / (nx * ny));
            (((x * 7 + y * 13 + z * 29) % 17) as f32 + (x as f32 / 5.0).sin() * 10.0).round()
        })
        .collect();
    Image::new(v, [nx, ny, nz]).unwrap().with_spacing(spacing)
}

/// Largest |box − whole| over the box, and the largest |whole| there.
fn box_vs_whole(whole: &BoxResponse, part: &BoxResponse, img_dims: [usize; 3]) -> (f64, f64) {
    let b = part.region;
    let bd = b.dims();
    let (mut diff, mut scale) = (0.0f64, 0.0f64);
    for z in 0..bd[2] {
        for y in 0..bd[1] {
            for x in 0..bd[0] {
                let g = part.values[x + bd[0] * (y + bd[1] * z)];
                let w = whole.values
                    [(b.lo[0] + x) + img_dims[0] * ((b.lo[1] + y) + img_dims[1] * (b.lo[2] + z))];
                diff = diff.max((g - w).abs());
                scale = scale.max(w.abs());
            }
        }
    }
    (diff, scale)
}

fn boxes(d: [usize; 3]) -> Vec<VoxelBox> {
    vec![
        // inside, away from the edges
        VoxelBox {
            lo: [d[0] / 3, d[1] / 3, d[2] / 3],
            hi: [d[0] / 2, d[1] / 2, d[2] / 2],
        },
        // touching the low edges
        VoxelBox {
            lo: [0, 0, 0],
            hi: [d[0] / 4, d[1] / 3, d[2] / 2],
        },
        // touching the high edges
        VoxelBox {
            lo: [d[0] - 5, d[1] / 2, d[2] - 1],
            hi: [d[0] - 1, d[1] - 1, d[2] - 1],
        },
    ]
}

#[test]
fn wavelet_on_a_box_equals_the_whole_image() {
    for (dims, sp) in [
        ([121, 96, 1], [1.0, 1.0, 1.0]), // 2D, odd x (padded by one wrapped voxel)
        ([40, 33, 11], [0.8, 0.8, 2.0]), // 3D, odd y and z
        ([150, 130, 1], [0.5, 0.5, 1.0]), // 2D, even
    ] {
        let img = textured(dims[0], dims[1], dims[2], sp);
        for (w, level, start) in [
            (Wavelet::Coif1, 1, 0),
            (Wavelet::Haar, 2, 1),
            (Wavelet::Db2, 2, 0),
        ] {
            let whole = pyradiomics_wavelet(&img, VoxelBox::whole(&img), w, level, start).unwrap();
            let n_bands = if dims[2] == 1 { 3 } else { 7 };
            assert_eq!(whole.len(), n_bands * level + 1);
            for b in boxes(dims) {
                let part = pyradiomics_wavelet(&img, b, w, level, start).unwrap();
                for (wr, pr) in whole.iter().zip(&part) {
                    assert_eq!(wr.name, pr.name);
                    let (diff, scale) = box_vs_whole(wr, pr, dims);
                    assert!(
                        diff <= 1e-12 * scale.max(1.0),
                        "{dims:?} {w:?} {} box {b:?}: {diff:e}",
                        pr.name
                    );
                }
            }
        }
    }
}

#[test]
fn wavelet_names_follow_pyradiomics() {
    let img = textured(16, 12, 6, [1.0; 3]);
    let names: Vec<String> = pyradiomics_wavelet(&img, VoxelBox::whole(&img), Wavelet::Coif1, 2, 0)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names[0], "wavelet-LLH");
    assert_eq!(names[6], "wavelet-HHH");
    assert_eq!(names[7], "wavelet2-LLH");
    assert_eq!(names.last().unwrap(), "wavelet2-LLL");
    assert_eq!(names, pyradiomics_wavelet_names(&img, 2));
    let img2 = textured(16, 12, 1, [1.0; 3]);
    let names2: Vec<String> =
        pyradiomics_wavelet(&img2, VoxelBox::whole(&img2), Wavelet::Coif1, 1, 0)
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
    assert_eq!(
        names2,
        ["wavelet-LH", "wavelet-HL", "wavelet-HH", "wavelet-LL"]
    );
}

#[test]
fn log_on_a_box_equals_the_whole_image() {
    for (dims, sp) in [
        ([181, 150, 1], [1.0, 1.0, 1.0]),
        ([60, 52, 14], [0.7, 0.7, 2.5]),
    ] {
        let img = textured(dims[0], dims[1], dims[2], sp);
        for sigma in [1.0, 2.0, 3.0] {
            let whole = pyradiomics_log(&img, VoxelBox::whole(&img), sigma).unwrap();
            assert_eq!(whole.name, log_name(sigma));
            for b in boxes(dims) {
                let part = pyradiomics_log(&img, b, sigma).unwrap();
                let (diff, scale) = box_vs_whole(&whole, &part, dims);
                // both are f32 values: equal up to a last-bit flip
                assert!(
                    diff <= 2.0 * f32::EPSILON as f64 * scale.max(1.0),
                    "{dims:?} sigma {sigma} box {b:?}: {diff:e} of {scale}"
                );
            }
        }
    }
}

/// A linear ramp has zero Laplacian and a quadratic x² has Laplacian 2 (per mm²), times σ²:
/// ITK's recursive filters are normalised so, away from the edges.
#[test]
fn log_of_polynomials() {
    let (nx, ny) = (200, 120);
    let sp = 0.5;
    let ramp: Vec<f32> = (0..nx * ny)
        .map(|i| (i % nx) as f32 * 0.3 + (i / nx) as f32)
        .collect();
    let quad: Vec<f32> = (0..nx * ny)
        .map(|i| (((i % nx) as f64 - 100.0) * sp).powi(2) as f32)
        .collect();
    let sigma = 2.0;
    let inner = VoxelBox {
        lo: [90, 55, 0],
        hi: [110, 65, 0],
    };
    let r = Image::new_2d(ramp, nx, ny)
        .unwrap()
        .with_spacing([sp, sp, 1.0]);
    let q = Image::new_2d(quad, nx, ny)
        .unwrap()
        .with_spacing([sp, sp, 1.0]);
    let lr = pyradiomics_log(&r, inner, sigma).unwrap();
    assert!(lr.values.iter().all(|v| v.abs() < 1e-3), "ramp");
    let lq = pyradiomics_log(&q, inner, sigma).unwrap();
    // ITK's 4th-order approximation of the second derivative is good to ~0.2 %
    assert!(
        lq.values
            .iter()
            .all(|v| (v - 2.0 * sigma * sigma).abs() < 0.02 * 2.0 * sigma * sigma),
        "quadratic: {:?}",
        &lq.values[..3]
    );
}

#[test]
fn log_skip_rules_and_names_follow_pyradiomics() {
    assert_eq!(log_name(1.0), "log-sigma-1-0-mm-3D");
    assert_eq!(log_name(2.5), "log-sigma-2-5-mm-3D");
    assert_eq!(log_name(0.25), "log-sigma-0-25-mm-3D");
    // fewer than 4 voxels along an axis: no LoG at all
    let thin = textured(20, 3, 1, [1.0; 3]);
    assert!(log_skip_reason(&thin, 1.0).is_some());
    let e = pyradiomics_log(&thin, VoxelBox::whole(&thin), 1.0).unwrap_err();
    assert!(matches!(e, FilterError::TooSmall(_)), "{e}");
    // an axis shorter than ceil(σ/spacing) + 1: that σ is skipped
    let small = textured(6, 30, 1, [1.0; 3]);
    assert!(log_skip_reason(&small, 5.0).is_none()); // ceil(5) + 1 = 6 ≤ 6
    assert!(log_skip_reason(&small, 5.5).is_some()); // 7 > 6
    assert!(log_skip_reason(&textured(6, 30, 1, [2.0, 1.0, 1.0]), 10.0).is_none());
    // ceil(10/2) + 1 = 6
}

#[test]
fn bad_input_is_a_clear_error() {
    let img = textured(20, 20, 1, [1.0; 3]);
    let all = VoxelBox::whole(&img);
    assert!(pyradiomics_log(&img, all, 0.0).is_err());
    assert!(pyradiomics_log(&img, all, f64::NAN).is_err());
    assert!(pyradiomics_wavelet(&img, all, Wavelet::Coif1, 0, 0).is_err());
    let outside = VoxelBox {
        lo: [5, 5, 0],
        hi: [25, 6, 0],
    };
    assert!(pyradiomics_log(&img, outside, 1.0).is_err());
    assert!(pyradiomics_wavelet(&img, outside, Wavelet::Coif1, 1, 0).is_err());
    let mut v = img.data().to_vec();
    v[7] = f32::NAN;
    let nan = Image::new_2d(v, 20, 20).unwrap();
    assert!(pyradiomics_log(&nan, all, 1.0).is_err());
    assert!(pyradiomics_wavelet(&nan, all, Wavelet::Coif1, 1, 0).is_err());
    assert!(Wavelet::parse("bior1.3").is_err());
}
