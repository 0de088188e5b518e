//! Forward-pass throughput of the CPU backbones on fixture weights (images per second).
//! Run: `cargo bench -p dlr-deep --bench forward`. The side-by-side comparison with ONNX Runtime
//! and PyTorch is `bench/deep/run.sh`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dlr_deep::fixture::{fixture_input, fixture_store};
use dlr_deep::ops::{Activation, Conv2d, FeatureMap, Padding};
use dlr_deep::{Backbone, BackboneKind, CpuBackbone};

fn forward(c: &mut Criterion) {
    let n = 8;
    let x = fixture_input(n);
    let mut g = c.benchmark_group("forward_batch8");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    for kind in [BackboneKind::ResNet50, BackboneKind::EfficientNetLite0] {
        let net = match CpuBackbone::from_store(kind, &fixture_store(kind)) {
            Ok(n) => n,
            Err(e) => panic!("fixture network {kind:?}: {e}"),
        };
        g.bench_function(kind.name(), |b| {
            b.iter(|| net.features(&x, n).map(|f| f.len()).unwrap_or(0))
        });
    }
    g.finish();
}

/// ResNet-50's stride-1 3×3 convolution shapes (batch 8): Winograd F(2×2, 3×3) vs im2col + GEMM.
fn conv3x3(c: &mut Criterion) {
    let n = 8;
    let mut g = c.benchmark_group("conv3x3_batch8");
    g.sample_size(10);
    for &(ch, hw) in &[(64usize, 56usize), (128, 28), (256, 14), (512, 7)] {
        let wt: Vec<f32> = (0..ch * ch * 9)
            .map(|i| (i as f32 * 0.37).sin() * 0.05)
            .collect();
        let x = FeatureMap {
            n,
            h: hw,
            w: hw,
            c: ch,
            data: (0..n * hw * hw * ch)
                .map(|i| (i as f32 * 0.11).sin())
                .collect(),
        };
        let conv = match Conv2d::from_torch(
            &wt,
            ch,
            ch,
            3,
            1,
            Padding::Symmetric(1),
            false,
            None,
            None,
            Activation::Relu,
        ) {
            Ok(c) => c,
            Err(e) => panic!("conv {ch}×{hw}: {e}"),
        };
        let im2col = conv.clone().without_winograd();
        g.bench_function(format!("winograd_c{ch}_{hw}x{hw}"), |b| {
            b.iter(|| conv.forward(&x, None).map(|y| y.data.len()).unwrap_or(0))
        });
        g.bench_function(format!("im2col_c{ch}_{hw}x{hw}"), |b| {
            b.iter(|| im2col.forward(&x, None).map(|y| y.data.len()).unwrap_or(0))
        });
    }
    g.finish();
}

criterion_group!(benches, forward, conv3x3);
criterion_main!(benches);
