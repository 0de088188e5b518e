//! Speed of the selection filters on a synthetic radiomics-sized training set (120 rows,
//! 1000 features, seeded): ICC(2,1) filter between two readers, Mann–Whitney filter with BH,
//! and the greedy Spearman correlation filter on 300 features. These run through the
//! `dlr-stats` adapters in `dlr_learn::stats`.
use criterion::{criterion_group, criterion_main, Criterion};
use dlr_learn::{
    CorrelationFilter, CorrelationMethod, IccFilter, IccForm, MannWhitneyFilter, Matrix,
};
use rand::{Rng, SeedableRng};

fn synthetic(n: usize, p: usize, seed: u64) -> (Matrix, Matrix, Vec<bool>) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let y: Vec<bool> = (0..n).map(|i| i % 5 < 2).collect();
    let a: Vec<f64> = (0..n * p)
        .map(|k| rng.gen::<f64>() + if y[k / p] && k % 7 == 0 { 0.5 } else { 0.0 })
        .collect();
    let b: Vec<f64> = a.iter().map(|v| v + 0.2 * rng.gen::<f64>()).collect();
    let names: Vec<String> = (0..p).map(|j| format!("f{j}")).collect();
    let ma = Matrix::new(a, n, p, names.clone()).expect("matrix");
    let mb = Matrix::new(b, n, p, names).expect("matrix");
    (ma, mb, y)
}

fn bench(c: &mut Criterion) {
    let (a, b, y) = synthetic(120, 1000, 7);
    let mut g = c.benchmark_group("filters_120x1000");
    g.sample_size(10);
    let icc = IccFilter::new(0.75, IccForm::Icc2).expect("params");
    g.bench_function("icc2_filter", |bn| {
        bn.iter(|| icc.select(&a, &b).expect("icc"))
    });
    let mw = MannWhitneyFilter::new(0.05, true).expect("params");
    g.bench_function("mann_whitney_bh_filter", |bn| {
        bn.iter(|| mw.select(&a, &y).expect("mw"))
    });
    let a300 = a.select_named(&a.names()[..300]).expect("subset");
    let cf = CorrelationFilter::new(0.9, CorrelationMethod::Spearman).expect("params");
    g.bench_function("spearman_filter_300", |bn| {
        bn.iter(|| cf.select(&a300).expect("corr"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
