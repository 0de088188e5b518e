//! Readers on the real reference files in `../shared` (skipped loudly when absent).
//!
//! Expected numbers come from the IBSI README (digital phantom values) and from independent
//! readers: `tools/readers/reference_values.py` (pynrrd 1.x, nibabel 5.x) printed every constant
//! marked "pynrrd" or "nibabel" below.

use dlr_image::{read_image, read_labels, read_mask, read_mask_union, MaskOptions};
use std::path::{Path, PathBuf};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn ibsi_digital_phantom_nifti() {
    let dir =
        dlr_testutil::require_shared!("data/ibsi/theibsi_data_sets/ibsi_1_digital_phantom/nifti");
    let img = read_image(&dir.join("image/phantom.nii.gz")).unwrap();
    assert_eq!(img.dims(), [5, 4, 4]);
    assert_eq!(img.spacing, [2.0, 2.0, 2.0]);
    assert_eq!(img.meta.format.as_deref(), Some("nifti"));
    // IBSI README.txt, x fastest then y then z.
    #[rustfmt::skip]
    let expected: [f32; 80] = [
        1.,4.,4.,1.,1., 1.,4.,6.,1.,1., 4.,1.,6.,4.,1., 4.,4.,6.,4.,1.,
        1.,4.,4.,1.,1., 1.,1.,6.,1.,1., 1.,1.,3.,1.,1., 4.,4.,6.,1.,1.,
        1.,4.,4.,1.,1., 1.,1.,1.,1.,1., 1.,1.,9.,1.,1., 1.,1.,6.,1.,1.,
        1.,4.,4.,1.,1., 1.,1.,1.,1.,1., 1.,1.,1.,1.,1., 1.,1.,6.,1.,1.,
    ];
    assert_eq!(img.data(), &expected[..]);
    let mask = read_mask(&dir.join("mask/mask.nii.gz"), &MaskOptions::default()).unwrap();
    mask.check_matches(&img).unwrap();
    assert_eq!(mask.count(), 74);
    for (x, y, z) in [
        (0, 2, 1),
        (3, 0, 2),
        (4, 0, 2),
        (2, 2, 2),
        (3, 0, 3),
        (4, 0, 3),
    ] {
        assert!(!mask.contains(x, y, z), "({x},{y},{z}) must be outside");
    }
    // README check values: mean 2.1486, energy 567 over the ROI.
    let roi: Vec<f64> = img
        .data()
        .iter()
        .zip(mask.data())
        .filter(|(_, &m)| m != 0)
        .map(|(&v, _)| v as f64)
        .collect();
    let mean = roi.iter().sum::<f64>() / roi.len() as f64;
    assert!(close(mean, 2.1486, 1e-4), "mean {mean}");
    assert_eq!(roi.iter().map(|v| v * v).sum::<f64>(), 567.0);
    let labels = read_labels(&dir.join("mask/mask.nii.gz")).unwrap();
    assert_eq!(dlr_image::labels_present(&labels), vec![0, 1]);
}

#[test]
fn ibsi_ct_phantom_nifti() {
    let dir = dlr_testutil::require_shared!(
        "data/ibsi/theibsi_data_sets/ibsi_1_ct_radiomics_phantom/nifti"
    );
    let img = read_image(&dir.join("image/phantom.nii.gz")).unwrap();
    assert_eq!(img.dims(), [204, 201, 60]);
    for (s, e) in img.spacing.iter().zip([0.977, 0.977, 3.0]) {
        assert!(close(*s, e, 1e-6), "spacing {:?}", img.spacing);
    }
    // nibabel: voxel values, sum, and RAS affine diag(-0.977, -0.977, 3), offset
    // (174.3945, 79.6255, -100.4) -> LPS origin (-174.3945, -79.6255, -100.4), identity direction.
    assert_eq!(img.get(0, 0, 0), -1000.0);
    assert_eq!(img.get(100, 100, 30), 53.0);
    assert_eq!(img.get(150, 60, 10), 126.0);
    assert_eq!(img.get(203, 200, 59), -395.0);
    let sum: f64 = img.data().iter().map(|&v| v as f64).sum();
    assert_eq!(sum, -655581056.0);
    assert_eq!(img.finite_range(), Some((-1000.0, 3065.0)));
    for (o, e) in
        img.origin
            .iter()
            .zip([-174.39450073242188, -79.62550354003906, -100.4000015258789])
    {
        assert!(close(*o, e, 1e-4), "origin {:?}", img.origin);
    }
    for (d, e) in img.direction.iter().zip(dlr_image::IDENTITY_DIRECTION) {
        assert!(close(*d, e, 1e-9), "direction {:?}", img.direction);
    }
    let mask = read_mask(&dir.join("mask/mask.nii.gz"), &MaskOptions::default()).unwrap();
    mask.check_matches(&img).unwrap();
    assert_eq!(mask.count(), 125256); // nibabel: sum of the uint8 mask
    assert!(mask.contains(100, 100, 30));
}

#[test]
fn pyradiomics_nrrd() {
    let dir = dlr_testutil::require_shared!("data/pyradiomics");
    let img = read_image(&dir.join("brain1_image.nrrd")).unwrap();
    assert_eq!(img.dims(), [256, 256, 25]);
    assert_eq!(img.meta.format.as_deref(), Some("nrrd"));
    // pynrrd values
    for ((x, y, z), v) in [
        ((0, 0, 0), 0.0),
        ((128, 128, 12), 526.0),
        ((100, 150, 5), 274.0),
        ((40, 100, 20), 1128.0),
    ] {
        assert_eq!(img.get(x, y, z), v, "brain1 ({x},{y},{z})");
    }
    let sum: f64 = img.data().iter().map(|&v| v as f64).sum();
    assert_eq!(sum, 631859459.0);
    assert_eq!(img.finite_range(), Some((0.0, 3057.0)));
    for (s, e) in img.spacing.iter().zip([0.78125, 0.78125, 6.5]) {
        assert!(close(*s, e, 1e-9));
    }
    assert!(close(img.direction[4], -1.0, 1e-12) && close(img.direction[0], 1.0, 1e-12));
    for (o, e) in img.origin.iter().zip([-99.609375, 99.609375, -78.0]) {
        assert!(close(*o, e, 1e-9));
    }
    let label = read_mask(
        &dir.join("brain1_label.nrrd"),
        &MaskOptions {
            label: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    label.check_matches(&img).unwrap();
    assert_eq!(label.count(), 4137);
    assert!(read_mask(
        &dir.join("brain1_label.nrrd"),
        &MaskOptions {
            label: Some(7),
            ..Default::default()
        }
    )
    .is_err());

    let breast = read_image(&dir.join("breast1_image.nrrd")).unwrap();
    assert_eq!(breast.dims(), [45, 120, 21]);
    assert_eq!(breast.get(0, 0, 0), 86.0);
    assert_eq!(breast.get(40, 100, 20), 51.0);
    let sum: f64 = breast.data().iter().map(|&v| v as f64).sum();
    assert_eq!(sum, 7187342.0);
    for (s, e) in breast.spacing.iter().zip([0.664062, 0.664062, 2.1]) {
        assert!(close(*s, e, 1e-9));
    }

    let prostate = read_image(&dir.join("prostate_phantom_subvolume.nrrd")).unwrap();
    assert_eq!(prostate.dims(), [82, 67, 13]);
    assert_eq!(prostate.get(0, 0, 0), 1486.0);
    let sum: f64 = prostate.data().iter().map(|&v| v as f64).sum();
    assert_eq!(sum, 27811967.0);
    assert_eq!(prostate.spacing, [0.5, 0.5, 3.0]);
    assert_eq!(&prostate.direction[..5], &[-1.0, 0.0, 0.0, 0.0, -1.0]);
    let pl = read_mask(
        &dir.join("prostate_phantom_subvolume-label.nrrd"),
        &MaskOptions {
            label: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(pl.dims(), prostate.dims());
}

#[test]
fn busi_all_images_and_masks_load() {
    let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let root: PathBuf = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut rdr = csv::Reader::from_path(&manifest).unwrap();
    let (mut n, mut colour, mut extra) = (0usize, 0usize, 0usize);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let img = read_image(&root.join(&rec[2])).unwrap();
        assert!(img.is_2d());
        let [nx, ny, _] = img.dims();
        assert!(
            (100..=2000).contains(&nx) && (100..=2000).contains(&ny),
            "{} {nx}x{ny}",
            &rec[0]
        );
        if img
            .meta
            .notes
            .iter()
            .any(|s| s.contains("luminance") || s.contains("RGB"))
        {
            colour += 1;
        }
        let mut paths = vec![root.join(&rec[3])];
        paths.extend(
            rec[4]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| root.join(s)),
        );
        extra += paths.len() - 1;
        let mask = read_mask_union(&paths, &MaskOptions::default()).unwrap();
        mask.check_matches(&img)
            .unwrap_or_else(|e| panic!("{}: {e}", &rec[0]));
        assert!(mask.count() > 0, "{}: empty mask", &rec[0]);
        let (lo, hi) = img.finite_range().unwrap();
        assert!(lo >= 0.0 && hi <= 255.0);
        n += 1;
    }
    assert_eq!(n, 455);
    assert!(extra >= 12, "extra lesion masks {extra}");
    assert!(colour >= 1, "the README says a few BUSI images stay RGB");
}
