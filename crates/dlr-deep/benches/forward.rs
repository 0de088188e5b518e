//! Forward-pass throughput of the CPU backbones on fixture weights (images per second).
//! Run: `cargo bench -p dlr-deep --bench forward`. The side-by-side comparison with ONNX Runtime
//! and PyTorch is `bench/deep/run.sh`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dlr_deep::fixture::{fixture_input, fixture_store};
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

criterion_group!(benches, forward);
criterion_main!(benches);
