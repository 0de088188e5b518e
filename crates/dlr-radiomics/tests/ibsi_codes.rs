//! IBSI codes on the features `extract` returns: every IBSI-named feature of the digital phantom
//! has one; PyRadiomics features have one exactly where PyRadiomics computes an IBSI feature.
//! Spot values are the identifiers listed in MIRP's feature-name reference
//! (`oncoray/mirp` `docs/_sources/features_names.rst.txt`) and its `mirp/_features/*.py` classes.

mod common;

use dlr_image::{FeatureValue, Image, Mask};
use dlr_radiomics::codes::{ibsi_aggregation_code, ibsi_feature_code};
use dlr_radiomics::{extract, Family, Settings};

fn is_code(c: &str) -> bool {
    c.len() == 4
        && c.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
}

fn code_of<'a>(feats: &'a [FeatureValue], name: &str) -> Option<&'a str> {
    feats
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .ibsi_code
        .as_deref()
}

#[test]
fn every_digital_phantom_feature_has_a_valid_ibsi_code() {
    let dir = dlr_testutil::require_shared!("data/ibsi");
    let (img, mask) = common::phantom(&dir, "ibsi_1_digital_phantom");
    let settings = common::ibsi_config("digital_phantom");
    let feats = extract(&img, &mask, &settings).unwrap();
    assert!(feats.len() > 400, "only {} features", feats.len());
    eprintln!("digital phantom: {} features, all with a code", feats.len());
    let missing: Vec<&str> = feats
        .iter()
        .filter(|f| f.ibsi_code.is_none())
        .map(|f| f.name.as_str())
        .collect();
    assert!(missing.is_empty(), "features without a code: {missing:?}");
    for f in &feats {
        let c = f.ibsi_code.as_deref().unwrap();
        assert!(is_code(c), "{}: {c:?}", f.name);
        // The feature code does not depend on the aggregation.
        assert_eq!(Some(c), ibsi_feature_code(&f.name));
    }
    // Every tag of the reference table is covered by the table too.
    let rows = std::fs::read_to_string(
        dir.join("reference_values/z-rad/ibsi_1_reference_values_digital_phantom.csv"),
    )
    .unwrap();
    for line in rows.lines().skip(1) {
        let tag = line.rsplit(',').next().unwrap().trim();
        assert!(
            ibsi_feature_code(tag).is_some(),
            "reference tag {tag} has no code"
        );
    }
    // Spot values (MIRP features_names.rst).
    for (name, code) in [
        ("morph_volume", "RNU0"),
        ("morph_moran_i", "N365"),
        ("loc_peak_glob", "0F91"),
        ("stat_mean", "Q4LE"),
        ("stat_rmad", "1128"),
        ("ih_entropy", "TLU2"),
        ("ivh_diff_i10_i90", "JXJA"),
        ("cm_joint_max_2D_avg", "GYBY"),
        ("cm_joint_max_3D_comb", "GYBY"),
        ("cm_sum_entr_2_5D_avg", "P6QZ"),
        ("rlm_rl_entr_3D_avg", "HJ9O"),
        ("szm_sze_2D", "5QRC"),
        ("dzm_zd_entr_3D", "GBDU"),
        ("ngt_coarseness_2_5D", "QCDE"),
        ("ngl_dc_energy_3D", "CAS9"),
    ] {
        assert_eq!(code_of(&feats, name), Some(code), "{name}");
    }
    // Aggregation codes (MIRP features_names.rst; suffix meaning from the IBSI table's family
    // column, e.g. "Co-occurrence matrix (2.5D, direction-merged)" for `_2_5D_avg`).
    for (name, code) in [
        ("cm_joint_max_2D_avg", "BTW3"),
        ("cm_joint_max_2D_comb", "SUJT"),
        ("cm_joint_max_2_5D_avg", "JJUI"),
        ("cm_joint_max_2_5D_comb", "ZW7Z"),
        ("cm_joint_max_3D_avg", "ITBB"),
        ("cm_joint_max_3D_comb", "IAZD"),
        ("szm_sze_2D", "8QNN"),
        ("szm_sze_2_5D", "62GR"),
        ("szm_sze_3D", "KOBO"),
    ] {
        assert_eq!(ibsi_aggregation_code(name), Some(code), "{name}");
    }
}

fn ramp_volume() -> (Image, Mask) {
    let dims = [7, 6, 4];
    let mut v = Vec::new();
    let mut m = Vec::new();
    for z in 0..dims[2] {
        for y in 0..dims[1] {
            for x in 0..dims[0] {
                v.push(((x * 37 + y * 11 + z * 53) % 97) as f32 * 3.0);
                m.push(u8::from((1..6).contains(&x) && (1..5).contains(&y)));
            }
        }
    }
    (Image::new(v, dims).unwrap(), Mask::new(m, dims).unwrap())
}

/// PyRadiomics features that are not IBSI features (value differs from any IBSI definition).
const PYRADIOMICS_WITHOUT_CODE: &[&str] = &[
    "firstorder_Kurtosis",
    "firstorder_StandardDeviation",
    "firstorder_TotalEnergy",
    "glcm_MCC",
    "shape_Maximum2DDiameterSlice",
    "shape_Maximum2DDiameterColumn",
    "shape_Maximum2DDiameterRow",
];

#[test]
fn pyradiomics_features_carry_the_code_of_the_same_ibsi_feature() {
    let (img, mask) = ramp_volume();
    let settings = Settings::pyradiomics_default();
    let feats = extract(&img, &mask, &settings).unwrap();
    assert!(feats.iter().any(|f| f.name.starts_with("original_shape_")));
    for f in &feats {
        let short = f.name.trim_start_matches("original_");
        let expect_none = PYRADIOMICS_WITHOUT_CODE.contains(&short);
        match &f.ibsi_code {
            Some(c) => {
                assert!(!expect_none, "{} should have no code, has {c}", f.name);
                assert!(is_code(c), "{}: {c:?}", f.name);
            }
            None => assert!(expect_none, "{} has no code", f.name),
        }
    }
    for (name, code) in [
        ("original_firstorder_Mean", "Q4LE"),
        ("original_firstorder_Energy", "N8CA"),
        ("original_firstorder_RootMeanSquared", "5ZWQ"),
        ("original_firstorder_Entropy", "TLU2"),
        ("original_glcm_MaximumProbability", "GYBY"),
        ("original_glcm_SumSquares", "UR99"),
        ("original_glcm_Idmn", "1QCO"),
        ("original_glrlm_RunEntropy", "HJ9O"),
        ("original_glszm_SmallAreaEmphasis", "5QRC"),
        ("original_gldm_SmallDependenceEmphasis", "SODN"),
        ("original_ngtdm_Strength", "1X9X"),
        ("original_shape_MeshVolume", "RNU0"),
        ("original_shape_Elongation", "Q3CK"),
    ] {
        assert_eq!(code_of(&feats, name), Some(code), "{name}");
    }
    // With voxelArrayShift, Energy and RMS are no longer IBSI's.
    let mut shifted = Settings::pyradiomics_default();
    shifted.pyradiomics.voxel_array_shift = 1000.0;
    let feats = extract(&img, &mask, &shifted).unwrap();
    assert_eq!(code_of(&feats, "original_firstorder_Energy"), None);
    assert_eq!(code_of(&feats, "original_firstorder_RootMeanSquared"), None);
    assert_eq!(code_of(&feats, "original_firstorder_Mean"), Some("Q4LE"));
}

#[test]
fn pyradiomics_shape2d_has_no_ibsi_code() {
    let img = Image::new_2d((0..48).map(|i| (i * 7 % 13) as f32).collect(), 8, 6).unwrap();
    let m: Vec<u8> = (0..48)
        .map(|i| u8::from((1..7).contains(&(i % 8)) && (1..5).contains(&(i / 8))))
        .collect();
    let mask = Mask::new(m, [8, 6, 1]).unwrap();
    let mut settings = Settings::pyradiomics_default();
    settings.families.push(Family::Shape2d);
    let feats = extract(&img, &mask, &settings).unwrap();
    let shape2d: Vec<&FeatureValue> = feats
        .iter()
        .filter(|f| f.name.contains("_shape2D_"))
        .collect();
    assert!(!shape2d.is_empty());
    assert!(shape2d.iter().all(|f| f.ibsi_code.is_none()));
    assert_eq!(code_of(&feats, "original_glcm_Contrast"), Some("ACUI"));
}
