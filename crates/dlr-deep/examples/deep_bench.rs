//! Throughput of a CPU backbone on fixture weights, for `bench/deep/run.sh`.
//!
//! `cargo run --release -p dlr-deep --example deep_bench -- <resnet50|efficientnet-lite0> <batch> <seconds>`
//! prints one line: `rust <arch> batch=<n> images_per_s=<x>`. Threads: `RAYON_NUM_THREADS`.

use dlr_deep::fixture::{fixture_input, fixture_store};
use dlr_deep::{Backbone, BackboneKind, CpuBackbone};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let kind = BackboneKind::parse(args.get(1).map_or("resnet50", |s| s.as_str()))?;
    let batch: usize = args.get(2).map_or(Ok(8), |s| s.parse())?;
    let seconds: f64 = args.get(3).map_or(Ok(10.0), |s| s.parse())?;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind))?;
    let x = fixture_input(batch);
    net.features(&x, batch)?; // warm-up
    let t0 = Instant::now();
    let mut images = 0usize;
    while t0.elapsed().as_secs_f64() < seconds {
        let f = net.features(&x, batch)?;
        images += f.len();
    }
    let dt = t0.elapsed().as_secs_f64();
    println!(
        "rust {} batch={batch} images_per_s={:.2}",
        kind.name(),
        images as f64 / dt
    );
    Ok(())
}
