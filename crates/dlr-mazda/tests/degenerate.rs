//! Bad and degenerate input: defined values or clear errors, never a panic or a silent NaN.

use dlr_image::{FeatureValue, Image, Mask};
use dlr_mazda::{extract, MazdaError, MazdaSettings, Normalisation};

fn check_no_silent_nan(f: &[FeatureValue]) {
    for v in f {
        assert!(
            v.value.is_finite() || v.note.is_some(),
            "{} is {} without a note",
            v.name,
            v.value
        );
        assert!(!v.value.is_infinite(), "{} is infinite", v.name);
    }
}

fn all_norms() -> Vec<MazdaSettings> {
    [
        Normalisation::None,
        Normalisation::Sigma3,
        Normalisation::Percentile1_99,
    ]
    .into_iter()
    .map(|n| MazdaSettings {
        normalisation: n,
        ..MazdaSettings::default()
    })
    .collect()
}

#[test]
fn empty_roi_gives_every_feature_undefined() {
    let img = Image::new_2d(vec![10.0; 100], 10, 10).unwrap();
    let roi = Mask::new(vec![0; 100], [10, 10, 1]).unwrap();
    let f = extract(&img, &roi, &MazdaSettings::default()).unwrap();
    assert_eq!(f.len(), 279);
    assert!(f
        .iter()
        .all(|v| v.value.is_nan() && v.note.as_deref() == Some("empty ROI")));
}

#[test]
fn one_pixel_roi_is_defined_or_explained() {
    let img = Image::new_2d((0..100).map(|v| v as f32).collect(), 10, 10).unwrap();
    let mut m = vec![0; 100];
    m[55] = 1;
    let roi = Mask::new(m, [10, 10, 1]).unwrap();
    for s in all_norms() {
        let f = extract(&img, &roi, &s).unwrap();
        assert_eq!(f.len(), 279);
        check_no_silent_nan(&f);
        let mean = f.iter().find(|v| v.name == "Mean").unwrap();
        assert_eq!(mean.value, 55.0);
        let frac = f.iter().find(|v| v.name == "Horzl_Fraction").unwrap();
        assert_eq!(frac.value, 1.0, "one run of one pixel");
    }
}

#[test]
fn constant_image_is_defined_or_explained() {
    let img = Image::new_2d(vec![77.0; 64 * 64], 64, 64).unwrap();
    let roi = Mask::new(vec![1; 64 * 64], [64, 64, 1]).unwrap();
    for s in all_norms() {
        let f = extract(&img, &roi, &s).unwrap();
        check_no_silent_nan(&f);
        let get = |n: &str| f.iter().find(|v| v.name == n).unwrap().clone();
        assert_eq!(get("Variance").value, 0.0);
        assert!(get("Skewness").value.is_nan());
        assert_eq!(get("S(1,0)AngScMom").value, 1.0);
        assert_eq!(get("S(1,0)Contrast").value, 0.0);
        assert!(get("S(1,0)Correlat").value.is_nan());
        assert_eq!(get("GrMean").value, 0.0);
        assert_eq!(get("GrNonZeros").value, 0.0);
        assert!(get("Teta1").value.is_nan());
        assert_eq!(get("WavEnHH_s-1").value, 0.0);
    }
    // the documented alternative for Correlat
    let s = MazdaSettings {
        correlation_degenerate: dlr_mazda::CorrelationDegenerate::One,
        ..MazdaSettings::default()
    };
    let f = extract(&img, &Mask::new(vec![1; 64 * 64], [64, 64, 1]).unwrap(), &s).unwrap();
    assert_eq!(
        f.iter().find(|v| v.name == "S(1,0)Correlat").unwrap().value,
        1.0
    );
}

#[test]
fn two_level_thin_roi_is_defined_or_explained() {
    // a 1-pixel-wide vertical line: no horizontal pairs, no gradient, no AR neighbours
    let img = Image::new_2d((0..400).map(|v| (v % 3 * 50) as f32).collect(), 20, 20).unwrap();
    let m = (0..400).map(|i| u8::from(i % 20 == 7)).collect();
    let roi = Mask::new(m, [20, 20, 1]).unwrap();
    let f = extract(&img, &roi, &MazdaSettings::default()).unwrap();
    check_no_silent_nan(&f);
    let h = f.iter().find(|v| v.name == "S(1,0)Contrast").unwrap();
    assert!(h.value.is_nan() && h.note.is_some());
    let v = f.iter().find(|v| v.name == "S(0,1)Contrast").unwrap();
    assert!(v.value.is_finite());
}

#[test]
fn bad_input_is_a_clear_error() {
    let img = Image::new_2d(vec![1.0; 100], 10, 10).unwrap();
    let roi = Mask::new(vec![1; 64], [8, 8, 1]).unwrap();
    assert!(matches!(
        extract(&img, &roi, &MazdaSettings::default()),
        Err(MazdaError::Mismatch { .. })
    ));
    let img3 = Image::new(vec![1.0; 200], [10, 10, 2]).unwrap();
    let roi3 = Mask::new(vec![1; 200], [10, 10, 2]).unwrap();
    assert!(matches!(
        extract(&img3, &roi3, &MazdaSettings::default()),
        Err(MazdaError::NotTwoD(_))
    ));
    let mut v = vec![1.0; 100];
    v[12] = f32::NAN;
    let imgn = Image::new_2d(v, 10, 10).unwrap();
    let roin = Mask::new(vec![1; 100], [10, 10, 1]).unwrap();
    assert!(matches!(
        extract(&imgn, &roin, &MazdaSettings::default()),
        Err(MazdaError::NonFinite { x: 2, y: 1, .. })
    ));
    // float intensities with normalisation = none and no bit depth
    let imgf = Image::new_2d((0..100).map(|i| i as f32 * 0.37).collect(), 10, 10).unwrap();
    let e = extract(&imgf, &roin, &MazdaSettings::default()).unwrap_err();
    assert!(e.to_string().contains("source_bits"), "{e}");
    for bad in [
        MazdaSettings {
            bits_per_pixel: 0,
            ..MazdaSettings::default()
        },
        MazdaSettings {
            bits_per_pixel: 12,
            ..MazdaSettings::default()
        },
        MazdaSettings {
            distances: vec![1, 1],
            ..MazdaSettings::default()
        },
        MazdaSettings {
            distances: vec![0],
            ..MazdaSettings::default()
        },
        MazdaSettings {
            wavelet_scales: 0,
            ..MazdaSettings::default()
        },
        MazdaSettings {
            level_base: 2,
            ..MazdaSettings::default()
        },
    ] {
        assert!(matches!(
            extract(&img, &Mask::new(vec![1; 100], [10, 10, 1]).unwrap(), &bad),
            Err(MazdaError::Settings(_))
        ));
    }
}
