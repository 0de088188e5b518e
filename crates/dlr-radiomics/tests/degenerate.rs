//! Bad input: empty ROI, one-pixel ROI, one grey level, constant image, NaN voxels. Each feature
//! is either a defined finite value or undefined with a note; never a panic or a silent NaN.

use dlr_image::{FeatureValue, Image, Mask};
use dlr_radiomics::{extract, Settings};

fn settings_all() -> Vec<Settings> {
    let mut ibsi = Settings::ibsi_digital_phantom();
    ibsi.discretisation = dlr_radiomics::Discretisation::FixedBinNumber { bins: 8 };
    vec![Settings::pyradiomics_default(), ibsi]
}

fn check_no_silent_nan(feats: &[FeatureValue]) {
    assert!(!feats.is_empty());
    for f in feats {
        if !f.value.is_finite() {
            assert!(f.note.is_some(), "{} is {} without a note", f.name, f.value);
        }
    }
}

fn value(feats: &[FeatureValue], name: &str) -> f64 {
    feats
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .value
}

fn image_3d(f: impl Fn(usize, usize, usize) -> f32) -> Image {
    let dims = [6, 5, 3];
    let mut v = Vec::new();
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                v.push(f(x, y, z));
            }
        }
    }
    Image::new(v, dims).unwrap()
}

#[test]
fn empty_roi_gives_undefined_features_with_reason() {
    let img = image_3d(|x, y, z| (x + y + z) as f32);
    let mask = Mask::new(vec![0; 90], [6, 5, 3]).unwrap();
    for s in settings_all() {
        let feats = extract(&img, &mask, &s).unwrap();
        check_no_silent_nan(&feats);
        let mean = feats
            .iter()
            .find(|f| f.name.ends_with("firstorder_Mean") || f.name == "stat_mean")
            .unwrap();
        assert!(mean.value.is_nan());
        assert!(mean.note.as_deref().unwrap().contains("no voxels"));
    }
}

#[test]
fn one_voxel_roi_is_defined_or_explained() {
    let img = image_3d(|x, y, z| (x * 3 + y + z) as f32);
    let mut m = vec![0u8; 90];
    m[2 + 6 * (2 + 5)] = 1; // (2, 2, 1)
    let mask = Mask::new(m, [6, 5, 3]).unwrap();
    for s in settings_all() {
        let feats = extract(&img, &mask, &s).unwrap();
        check_no_silent_nan(&feats);
    }
    let feats = extract(&img, &mask, &Settings::pyradiomics_default()).unwrap();
    // One voxel of value 2*3+2+1 = 9: PyRadiomics gives mean 9, variance 0, entropy 0.
    assert_eq!(value(&feats, "original_firstorder_Mean"), 9.0);
    assert_eq!(value(&feats, "original_firstorder_Variance"), 0.0);
    assert!(value(&feats, "original_firstorder_Entropy").abs() < 1e-12);
}

#[test]
fn single_grey_level_and_constant_image() {
    // Constant image: one grey level everywhere in the ROI.
    let img = image_3d(|_, _, _| 7.0);
    let mut m = vec![0u8; 90];
    for (i, v) in m.iter_mut().enumerate() {
        if i % 6 >= 1 && i % 6 <= 4 {
            *v = 1;
        }
    }
    let mask = Mask::new(m, [6, 5, 3]).unwrap();
    for s in settings_all() {
        let feats = extract(&img, &mask, &s).unwrap();
        check_no_silent_nan(&feats);
    }
    let feats = extract(&img, &mask, &Settings::pyradiomics_default()).unwrap();
    // PyRadiomics conventions for a flat region: Correlation 1, Imc1/Imc2 0, NGTDM contrast 0,
    // coarseness 10^6, skewness/kurtosis 0, joint entropy 0.
    assert_eq!(value(&feats, "original_glcm_Correlation"), 1.0);
    assert_eq!(value(&feats, "original_glcm_Imc1"), 0.0);
    assert_eq!(value(&feats, "original_glcm_Imc2"), 0.0);
    assert_eq!(value(&feats, "original_ngtdm_Contrast"), 0.0);
    assert_eq!(value(&feats, "original_ngtdm_Coarseness"), 1.0e6);
    assert_eq!(value(&feats, "original_firstorder_Skewness"), 0.0);
    assert!(value(&feats, "original_glcm_JointEntropy").abs() < 1e-12);
    let ibsi = extract(&img, &mask, &settings_all()[1]).unwrap();
    // IBSI: correlation of a one-level GLCM is undefined, skewness too (zero variance).
    let corr = ibsi.iter().find(|f| f.name == "cm_corr_3D_avg").unwrap();
    assert!(corr.value.is_nan() && corr.note.is_some());
    let skew = ibsi.iter().find(|f| f.name == "stat_skew").unwrap();
    assert!(skew.value.is_nan() && skew.note.is_some());
    assert_eq!(value(&ibsi, "stat_mean"), 7.0);
}

#[test]
fn nan_voxels_are_left_out_of_intensity_features() {
    let img = image_3d(|x, y, z| {
        if x == 3 && y == 2 {
            f32::NAN
        } else {
            (x + 2 * y + z) as f32
        }
    });
    let mask = Mask::new(vec![1; 90], [6, 5, 3]).unwrap();
    let with_nan = extract(&img, &mask, &Settings::pyradiomics_default()).unwrap();
    check_no_silent_nan(&with_nan);
    // Same as removing those voxels from the mask (shape aside).
    let mut m = vec![1u8; 90];
    for z in 0..3 {
        m[3 + 6 * (2 + 5 * z)] = 0;
    }
    let img2 = image_3d(|x, y, z| {
        if x == 3 && y == 2 {
            0.0
        } else {
            (x + 2 * y + z) as f32
        }
    });
    let mask2 = Mask::new(m, [6, 5, 3]).unwrap();
    let without = extract(&img2, &mask2, &Settings::pyradiomics_default()).unwrap();
    for name in [
        "original_firstorder_Mean",
        "original_firstorder_Variance",
        "original_glcm_Contrast",
    ] {
        assert!(
            (value(&with_nan, name) - value(&without, name)).abs() < 1e-12,
            "{name}"
        );
    }
}

#[test]
fn unsupported_settings_fail_clearly() {
    let err = Settings::from_toml_str(
        "naming = \"ibsi\"\nfamilies = [\"glcm\"]\n[discretisation]\nmethod = \"fixed_bin_number\"\nbins = 0\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("bins"));
    let err = Settings::from_toml_str("naming = \"ibsi\"\nfamilies = [\"glcm\"]\nbogus = 1\n[discretisation]\nmethod = \"none\"\n")
        .unwrap_err();
    assert!(err.to_string().contains("bogus"));
    let err = Settings::from_toml_str(
        "naming = \"ibsi\"\nfamilies = [\"glcm\"]\ndistance = 2\n[discretisation]\nmethod = \"none\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("distance"));
}

#[test]
fn shipped_pyradiomics_default_config_equals_the_builtin_default() {
    let text =
        std::fs::read_to_string(dlr_testutil::repo_root().join("configs/pyradiomics/default.toml"))
            .unwrap();
    assert_eq!(
        Settings::from_toml_str(&text).unwrap(),
        Settings::pyradiomics_default()
    );
}
