//! Speed of the filters on a 600×800 ultrasound-sized frame and on the ROI crop a driver uses.
//!
//! `cargo bench -p dlr-filters --bench filters`
//! (`-- pyradiomics` for the PyRadiomics-exact filters on the ROI box only)

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_filters::*;
use dlr_image::{Image, Mask};

fn fixture() -> (Image, Mask) {
    let (nx, ny) = (600usize, 800usize);
    let v = (0..nx * ny)
        .map(|i| (((i * 2654435761) >> 7) % 256) as f32)
        .collect();
    let m = (0..nx * ny)
        .map(|i| {
            let (x, y) = ((i % nx) as f64 - 300.0, (i / nx) as f64 - 400.0);
            u8::from((x / 100.0).powi(2) + (y / 77.0).powi(2) <= 1.0)
        })
        .collect();
    (
        Image::new_2d(v, nx, ny).expect("image"),
        Mask::new(m, [nx, ny, 1]).expect("mask"),
    )
}

fn bench(c: &mut Criterion) {
    let (img, mask) = fixture();
    let log = LogOptions::default();
    c.bench_function("log_sigma2_full_600x800", |b| {
        b.iter(|| laplacian_of_gaussian(&img, 2.0, &log).expect("log"))
    });
    let margin = log_margin_voxels(&img, 2.0, log.truncate);
    c.bench_function("log_sigma2_roi24k_crop", |b| {
        b.iter(|| {
            let (ci, _) = crop_with_margin(&img, &mask, margin).expect("crop");
            laplacian_of_gaussian(&ci, 2.0, &log).expect("log")
        })
    });
    let (lo, hi) = mask.bounding_box().expect("roi");
    let roi = VoxelBox { lo, hi };
    for sigma in [1.0, 3.0] {
        c.bench_function(&format!("pyradiomics_log_sigma{sigma}_roi24k_box"), |b| {
            b.iter(|| pyradiomics_log(&img, roi, sigma).expect("log"))
        });
    }
    c.bench_function("pyradiomics_wavelet_coif1_roi24k_box", |b| {
        b.iter(|| pyradiomics_wavelet(&img, roi, Wavelet::Coif1, 1, 0).expect("wavelet"))
    });
    c.bench_function("wavelet_coif1_level1_full_600x800", |b| {
        b.iter(|| wavelet_undecimated(&img, Wavelet::Coif1, 1).expect("wavelet"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
