//! Duplicate audit speed: fingerprints and all pairs of 455 images of 500×450 pixels (the size
//! of the BUSI development set), synthetic so that the bench needs no shared data.

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_audit::{find_duplicates, fingerprint, DuplicateItem, DuplicateOptions};
use dlr_image::Image;

fn image(seed: u64) -> Image {
    let (nx, ny) = (500, 450);
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let data: Vec<f32> = (0..nx * ny)
        .map(|i| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            ((s >> 40) % 256) as f32 + (i % nx) as f32 * 0.1
        })
        .collect();
    Image::new_2d(data, nx, ny).expect("valid dims")
}

fn bench(c: &mut Criterion) {
    let imgs: Vec<Image> = (0..455).map(image).collect();
    let items: Vec<DuplicateItem> = imgs
        .iter()
        .enumerate()
        .map(|(i, im)| DuplicateItem {
            id: format!("img{i}"),
            fingerprint: fingerprint(im),
            label: None,
        })
        .collect();
    let mut g = c.benchmark_group("duplicates_455");
    g.sample_size(10);
    g.bench_function("fingerprint_455", |b| {
        b.iter(|| imgs.iter().map(fingerprint).count())
    });
    g.bench_function("all_pairs_455", |b| {
        b.iter(|| find_duplicates(&items, &DuplicateOptions::default()).map(|r| r.pairs.len()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
