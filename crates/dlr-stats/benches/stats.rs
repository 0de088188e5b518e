//! Throughput of the main kernels on synthetic data: AUC + DeLong CI, paired DeLong, Mann–Whitney,
//! Spearman, ICC, and an exact r×c Fisher test.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use dlr_stats::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn bench(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let n = 10_000;
    let y: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.3)).collect();
    let s1: Vec<f64> = y
        .iter()
        .map(|&l| rng.gen::<f64>() + if l { 0.3 } else { 0.0 })
        .collect();
    let s2: Vec<f64> = y
        .iter()
        .map(|&l| rng.gen::<f64>() + if l { 0.2 } else { 0.0 })
        .collect();
    c.bench_function("auc_delong n=10000", |b| {
        b.iter(|| auc_delong(black_box(&s1), &y, 0.95).unwrap())
    });
    c.bench_function("delong_paired n=10000", |b| {
        b.iter(|| delong_paired(black_box(&s1), &s2, &y).unwrap())
    });
    let (x, z): (Vec<f64>, Vec<f64>) = (s1[..5000].to_vec(), s2[5000..].to_vec());
    c.bench_function("mann_whitney_u 5000x5000", |b| {
        b.iter(|| mann_whitney_u(black_box(&x), &z, &MannWhitneyOptions::default()).unwrap())
    });
    c.bench_function("spearman n=10000", |b| {
        b.iter(|| spearman(black_box(&s1), &s2).unwrap())
    });
    let ratings: Vec<Vec<f64>> = (0..500)
        .map(|i| vec![s1[i], s2[i], s1[i] + s2[i]])
        .collect();
    c.bench_function("icc 500x3", |b| {
        b.iter(|| icc(black_box(&ratings)).unwrap())
    });
    let table = vec![
        vec![27, 12],
        vec![22, 10],
        vec![3, 1],
        vec![10, 6],
        vec![17, 5],
    ];
    c.bench_function("fisher_exact 5x2 (wfns)", |b| {
        b.iter(|| fisher_exact(black_box(&table)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
