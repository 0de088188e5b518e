//! Speed of the PyRadiomics preset on 2D BUSI ultrasound ROIs, one thread: all default classes
//! (bin width 25) and each class alone (the per-class times include the shared cropping and
//! binning, which the `preprocess_only` case measures by itself).
//!
//! `cargo bench -p dlr-radiomics --bench pyradiomics_2d -- --warm-up-time 1 --measurement-time 3`
//!
//! Needs `../shared/data/busi`; without it the bench prints a SKIPPED line and does nothing.

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_image::{read_image, read_mask, Image, Mask, MaskOptions};
use dlr_radiomics::{extract, Family, Settings};

/// BUSI manifest rows benchmarked (ROIs of about 2 000 to 40 000 pixels).
const CASES: [usize; 6] = [0, 7, 21, 48, 150, 300];

fn load_rois() -> Option<Vec<(Image, Mask)>> {
    let Some(shared) = dlr_testutil::shared_dir() else {
        eprintln!(
            "SKIPPED: pyradiomics_2d bench needs ../shared/data/busi, which is missing \
             (place ../shared beside the repository or set DLR_SHARED_DIR)"
        );
        return None;
    };
    let manifest = shared.join("data/busi/manifest.csv");
    let dir = manifest.parent()?.to_path_buf();
    let text = std::fs::read_to_string(&manifest).ok()?;
    let rows: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let mut out = Vec::new();
    for &k in &CASES {
        let row = rows.get(k)?;
        let img = read_image(&dir.join(&row[2])).ok()?;
        let mask = read_mask(&dir.join(&row[3]), &MaskOptions::default()).ok()?;
        out.push((img, mask));
    }
    Some(out)
}

fn bench(c: &mut Criterion) {
    let Some(rois) = load_rois() else {
        return;
    };
    let px: usize = rois.iter().map(|(_, m)| m.count()).sum();
    eprintln!("{} BUSI ROIs, {} ROI pixels in all", rois.len(), px);
    let all = Settings::pyradiomics_default();
    let run = |s: &Settings| {
        let mut n = 0;
        for (img, mask) in &rois {
            n += extract(img, mask, s).map(|f| f.len()).unwrap_or(0);
        }
        n
    };
    let mut group = c.benchmark_group("pyradiomics_2d");
    group.bench_function("all_default_classes", |b| b.iter(|| run(&all)));
    let mut none = all.clone();
    none.families.clear();
    group.bench_function("preprocess_only", |b| b.iter(|| run(&none)));
    for (label, fam) in [
        ("firstorder", Family::Statistics),
        ("shape2d", Family::Shape2d),
        ("glcm", Family::Glcm),
        ("glrlm", Family::Glrlm),
        ("glszm", Family::Glszm),
        ("gldm", Family::Ngldm),
        ("ngtdm", Family::Ngtdm),
    ] {
        let mut one = all.clone();
        one.families = vec![fam];
        group.bench_function(label, |b| b.iter(|| run(&one)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
