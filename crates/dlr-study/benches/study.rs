//! Speed of the study layer: validating BUSI (455 images + masks, parallel) and simulating the
//! 172-patient demo cohort.
//!
//! `cargo bench -p dlr-study --bench study`

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_study::{
    simulate, validate, ManifestColumns, SimulateOptions, StudyInput, ValidateOptions,
};
use std::time::Duration;

fn bench_validate_busi(c: &mut Criterion) {
    let Some(shared) = dlr_testutil::shared_dir() else {
        dlr_testutil::skip("bench validate_busi", "../shared/data/busi");
        return;
    };
    let manifest = shared.join("data/busi/manifest.csv");
    let input = StudyInput::read(&manifest, &ManifestColumns::busi(), None).unwrap();
    let mut g = c.benchmark_group("study");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("validate_busi_455", |b| {
        b.iter(|| {
            let r = validate(&input, &ValidateOptions::default());
            assert!(r.is_clean());
        })
    });
    g.finish();
}

fn bench_simulate(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let opts = SimulateOptions {
        patients: 172,
        seed: 42,
        null: false,
        out_dir: tmp.path().to_path_buf(),
        size: 256,
    };
    let mut g = c.benchmark_group("study");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("simulate_172_patients", |b| {
        b.iter(|| simulate(&opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench_validate_busi, bench_simulate);
criterion_main!(benches);
