//! Rendering cost of a typical figure and report: SVG serialisation, PNG rasterisation at
//! print resolution (2× CSS size), and a full report build.
//! Run: `cargo bench -p dlr-report --bench render`.

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_report::*;

fn roc() -> Figure {
    let series: Vec<RocSeries> = (0..3)
        .map(|s| {
            let mut fpr = vec![0.0];
            let mut tpr = vec![0.0];
            for k in 1..=200 {
                let x = k as f64 / 200.0;
                let y = x.powf(1.0 / (1.5 + s as f64));
                fpr.push(fpr[fpr.len() - 1]);
                tpr.push(y);
                fpr.push(x);
                tpr.push(y);
            }
            RocSeries {
                label: format!("Model {s} (AUC 0.8{s}, 95% CI 0.70–0.90)"),
                fpr,
                tpr,
            }
        })
        .collect();
    roc_figure("ROC curves, validation cohort", &series).expect("valid input")
}

fn bench(c: &mut Criterion) {
    let fig = roc();
    c.bench_function("roc_to_svg", |b| b.iter(|| fig.to_svg()));
    c.bench_function("roc_to_png_2x", |b| {
        b.iter(|| {
            fig.to_png((fig.width * 2.0) as u32, (fig.height * 2.0) as u32)
                .expect("png")
        })
    });
    c.bench_function("report_build_6_figures", |b| {
        b.iter(|| {
            let mut r = ReportBuilder::new("Bench");
            for k in 0..6 {
                r = r.figure(Some(&format!("f{k}")), &fig, "ROC");
            }
            r.build().expect("build")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
