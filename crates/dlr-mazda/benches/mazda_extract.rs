//! Speed of one MaZda extraction on a 600×800 image with a ~24k-pixel elliptical ROI.
//!
//! `cargo bench -p dlr-mazda --bench mazda_extract`

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_image::{Image, Mask};
use dlr_mazda::{extract, MazdaSettings};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn fixture() -> (Image, Mask) {
    let (nx, ny) = (600usize, 800usize);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let data: Vec<f32> = (0..nx * ny)
        .map(|i| {
            let (x, y) = ((i % nx) as f32, (i / nx) as f32);
            (100.0 + 40.0 * (x / 9.0).sin() * (y / 13.0).cos() + rng.gen_range(-30.0..30.0))
                .clamp(0.0, 255.0)
                .round()
        })
        .collect();
    // ellipse with semi-axes 100 × 77 ≈ 24 190 pixels
    let (cx, cy, a, b) = (300.0, 400.0, 100.0, 77.0);
    let m: Vec<u8> = (0..nx * ny)
        .map(|i| {
            let (x, y) = ((i % nx) as f64 - cx, (i / nx) as f64 - cy);
            u8::from((x / a).powi(2) + (y / b).powi(2) <= 1.0)
        })
        .collect();
    (
        Image::new_2d(data, nx, ny).expect("fixture image"),
        Mask::new(m, [nx, ny, 1]).expect("fixture mask"),
    )
}

fn bench(c: &mut Criterion) {
    let (img, mask) = fixture();
    let settings = MazdaSettings::default();
    eprintln!("ROI pixels: {}", mask.count());
    c.bench_function("mazda_extract_600x800_roi24k", |b| {
        b.iter(|| extract(&img, &mask, &settings).expect("extract"))
    });
    // one group at a time, to see where the time goes
    let none = dlr_mazda::Groups {
        histogram: false,
        gradient: false,
        run_length: false,
        cooccurrence: false,
        autoregressive: false,
        wavelet: false,
    };
    for (name, groups) in [
        (
            "histogram",
            dlr_mazda::Groups {
                histogram: true,
                ..none
            },
        ),
        (
            "gradient",
            dlr_mazda::Groups {
                gradient: true,
                ..none
            },
        ),
        (
            "run_length",
            dlr_mazda::Groups {
                run_length: true,
                ..none
            },
        ),
        (
            "cooccurrence",
            dlr_mazda::Groups {
                cooccurrence: true,
                ..none
            },
        ),
        (
            "autoregressive",
            dlr_mazda::Groups {
                autoregressive: true,
                ..none
            },
        ),
        (
            "wavelet",
            dlr_mazda::Groups {
                wavelet: true,
                ..none
            },
        ),
    ] {
        let s = MazdaSettings {
            groups,
            ..MazdaSettings::default()
        };
        c.bench_function(&format!("mazda_group_{name}"), |b| {
            b.iter(|| extract(&img, &mask, &s).expect("extract"))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
