//! IBSI permanent identifiers (four-character codes) of the features this crate returns.
//!
//! The IBSI gives every feature, family and aggregation method a permanent code (e.g. joint
//! maximum `GYBY`, "2D, averaged" `BTW3`). [`annotate`] fills [`FeatureValue::ibsi_code`] with the
//! *feature* code: for IBSI naming from the tag stem (`cm_joint_max_2D_avg` → `GYBY`), for
//! PyRadiomics naming from the class and feature (`original_glcm_MaximumProbability` → `GYBY`)
//! where PyRadiomics computes the same concept. The aggregation code of an IBSI tag is
//! available separately from [`ibsi_aggregation_code`].
//!
//! Where the codes were checked (sources not written in this project):
//! * every feature block: MIRP's feature-name reference, `oncoray/mirp`
//!   `docs/_sources/features_names.rst.txt` (commit 2b6f780d), which lists each tag stem with its
//!   IBSI identifier, and MIRP's feature classes `mirp/_features/*_features.py` (`abbr_name` +
//!   `ibsi_id`; `stat_features.py` 214d79d0, `ih_features.py` 3a0d8325, `ivh_features.py`
//!   bd8e1bfc, `local_intensity_features.py` bf6ce0d9, `morph_3d_features.py` 6c7010ff,
//!   `cm_features.py` 1109269a, `rlm_features.py` 6ac3cc33, `szm_features.py` e4085833,
//!   `dzm_features.py` 59f48b04, `ngtdm_features.py` 59f48b04, `ngldm_features.py` d6124a37).
//!   Both agree on every code, except that `cm_features.py` spells sum entropy `P6QZ1`
//!   (five characters, a typo); the docs and `../shared/specs/ibsi_2d_features.md` give `P6QZ`.
//! * aggregation codes: the same MIRP page; the meaning of each tag suffix (`_2_5D_avg` =
//!   "2.5D, direction-merged") is taken from the family column of the IBSI reference table
//!   `../shared/data/ibsi/reference_values/z-rad/ibsi_1_reference_values_digital_phantom.csv`.
//! * PyRadiomics equivalences: by the formulas of PyRadiomics' feature documentation
//!   (pyradiomics.readthedocs.io, "Radiomic Features") against the IBSI definitions; features
//!   whose value differs from the IBSI definition by construction get no code (see
//!   [`pyradiomics_feature_code`]).

use crate::settings::{Naming, Settings};
use dlr_image::FeatureValue;

/// Family prefixes of IBSI tags (`stat_mean`, `cm_joint_max_2D_avg`).
const IBSI_FAMILY_PREFIXES: &[&str] = &[
    "morph", "loc", "stat", "ih", "ivh", "cm", "rlm", "szm", "dzm", "ngt", "ngl",
];

/// IBSI tag stem → feature code.
const IBSI_FEATURE_CODES: &[(&str, &str)] = &[
    // Morphology (HCUG). MIRP features_names.rst + morph_3d_features.py; the two oriented
    // minimum bounding box and the two minimum volume enclosing ellipsoid codes are from the
    // .rst only (IBSI gives them no reference values).
    ("morph_volume", "RNU0"),
    ("morph_vol_approx", "YEKZ"),
    ("morph_area_mesh", "C0JK"),
    ("morph_av", "2PR5"),
    ("morph_comp_1", "SKGS"),
    ("morph_comp_2", "BQWJ"),
    ("morph_sph_dispr", "KRCK"),
    ("morph_sphericity", "QCFX"),
    ("morph_asphericity", "25C7"),
    ("morph_com", "KLMA"),
    ("morph_diam", "L0JK"),
    ("morph_pca_maj_axis", "TDIC"),
    ("morph_pca_min_axis", "P9VJ"),
    ("morph_pca_least_axis", "7J51"),
    ("morph_pca_elongation", "Q3CK"),
    ("morph_pca_flatness", "N17B"),
    ("morph_vol_dens_aabb", "PBX1"),
    ("morph_area_dens_aabb", "R59B"),
    ("morph_vol_dens_ombb", "ZH1A"),
    ("morph_area_dens_ombb", "IQYR"),
    ("morph_vol_dens_aee", "6BDE"),
    ("morph_area_dens_aee", "RDD2"),
    ("morph_vol_dens_mvee", "SWZ1"),
    ("morph_area_dens_mvee", "BRI8"),
    ("morph_vol_dens_conv_hull", "R3ER"),
    ("morph_area_dens_conv_hull", "7T7F"),
    ("morph_integ_int", "99N0"),
    ("morph_moran_i", "N365"),
    ("morph_geary_c", "NPT7"),
    // Local intensity (9ST6). MIRP .rst + local_intensity_features.py.
    ("loc_peak_loc", "VJGA"),
    ("loc_peak_glob", "0F91"),
    // Intensity-based statistics (UHIW). MIRP .rst + stat_features.py.
    ("stat_mean", "Q4LE"),
    ("stat_var", "ECT3"),
    ("stat_skew", "KE2A"),
    ("stat_kurt", "IPH6"),
    ("stat_median", "Y12H"),
    ("stat_min", "1GSF"),
    ("stat_p10", "QG58"),
    ("stat_p90", "8DWT"),
    ("stat_max", "84IY"),
    ("stat_iqr", "SALO"),
    ("stat_range", "2OJQ"),
    ("stat_mad", "4FUA"),
    ("stat_rmad", "1128"),
    ("stat_medad", "N72L"),
    ("stat_cov", "7TET"),
    ("stat_qcod", "9S40"),
    ("stat_energy", "N8CA"),
    ("stat_rms", "5ZWQ"),
    // Intensity histogram (ZVCW). MIRP .rst + ih_features.py.
    ("ih_mean", "X6K6"),
    ("ih_var", "CH89"),
    ("ih_skew", "88K1"),
    ("ih_kurt", "C3I7"),
    ("ih_median", "WIFQ"),
    ("ih_min", "1PR8"),
    ("ih_p10", "GPMT"),
    ("ih_p90", "OZ0C"),
    ("ih_max", "3NCY"),
    ("ih_mode", "AMMC"),
    ("ih_iqr", "WR0O"),
    ("ih_range", "5Z3W"),
    ("ih_mad", "D2ZX"),
    ("ih_rmad", "WRZB"),
    ("ih_medad", "4RNL"),
    ("ih_cov", "CWYJ"),
    ("ih_qcod", "SLWD"),
    ("ih_entropy", "TLU2"),
    ("ih_uniformity", "BJ5W"),
    ("ih_max_grad", "12CE"),
    ("ih_max_grad_g", "8E6O"),
    ("ih_min_grad", "VQB3"),
    ("ih_min_grad_g", "RHQZ"),
    // Intensity-volume histogram (P88C). MIRP .rst + ivh_features.py: the specific 10 %/90 %
    // codes (the general "volume fraction at x % intensity" BC2M etc. are not used).
    ("ivh_v10", "NK6P"),
    ("ivh_v90", "4279"),
    ("ivh_i10", "PWN1"),
    ("ivh_i90", "BOHI"),
    ("ivh_diff_v10_v90", "WITY"),
    ("ivh_diff_i10_i90", "JXJA"),
    ("ivh_auc", "9CMM"),
    // Grey level co-occurrence matrix (LFYI). MIRP .rst + cm_features.py (sum entropy: see the
    // module docs).
    ("cm_joint_max", "GYBY"),
    ("cm_joint_avg", "60VM"),
    ("cm_joint_var", "UR99"),
    ("cm_joint_entr", "TU9B"),
    ("cm_diff_avg", "TF7R"),
    ("cm_diff_var", "D3YU"),
    ("cm_diff_entr", "NTRS"),
    ("cm_sum_avg", "ZGXS"),
    ("cm_sum_var", "OEEB"),
    ("cm_sum_entr", "P6QZ"),
    ("cm_energy", "8ZQL"),
    ("cm_contrast", "ACUI"),
    ("cm_dissimilarity", "8S9J"),
    ("cm_inv_diff", "IB1Z"),
    ("cm_inv_diff_norm", "NDRX"),
    ("cm_inv_diff_mom", "WF0Z"),
    ("cm_inv_diff_mom_norm", "1QCO"),
    ("cm_inv_var", "E8JP"),
    ("cm_corr", "NI2N"),
    ("cm_auto_corr", "QWB0"),
    ("cm_clust_tend", "DG8W"),
    ("cm_clust_shade", "7NFM"),
    ("cm_clust_prom", "AE86"),
    ("cm_info_corr1", "R8DG"),
    ("cm_info_corr2", "JN9H"),
    // Grey level run length matrix (TP0I). MIRP .rst + rlm_features.py.
    ("rlm_sre", "22OV"),
    ("rlm_lre", "W4KF"),
    ("rlm_lgre", "V3SW"),
    ("rlm_hgre", "G3QZ"),
    ("rlm_srlge", "HTZT"),
    ("rlm_srhge", "GD3A"),
    ("rlm_lrlge", "IVPO"),
    ("rlm_lrhge", "3KUM"),
    ("rlm_glnu", "R5YN"),
    ("rlm_glnu_norm", "OVBL"),
    ("rlm_rlnu", "W92Y"),
    ("rlm_rlnu_norm", "IC23"),
    ("rlm_r_perc", "9ZK5"),
    ("rlm_gl_var", "8CE5"),
    ("rlm_rl_var", "SXLW"),
    ("rlm_rl_entr", "HJ9O"),
    // Grey level size zone matrix (9SAK). MIRP .rst + szm_features.py.
    ("szm_sze", "5QRC"),
    ("szm_lze", "48P8"),
    ("szm_lgze", "XMSY"),
    ("szm_hgze", "5GN9"),
    ("szm_szlge", "5RAI"),
    ("szm_szhge", "HW1V"),
    ("szm_lzlge", "YH51"),
    ("szm_lzhge", "J17V"),
    ("szm_glnu", "JNSA"),
    ("szm_glnu_norm", "Y1RO"),
    ("szm_zsnu", "4JP3"),
    ("szm_zsnu_norm", "VB3A"),
    ("szm_z_perc", "P30P"),
    ("szm_gl_var", "BYLV"),
    ("szm_zs_var", "3NSA"),
    ("szm_zs_entr", "GU8N"),
    // Grey level distance zone matrix (VMDZ). MIRP .rst + dzm_features.py.
    ("dzm_sde", "0GBI"),
    ("dzm_lde", "MB4I"),
    ("dzm_lgze", "S1RA"),
    ("dzm_hgze", "K26C"),
    ("dzm_sdlge", "RUVG"),
    ("dzm_sdhge", "DKNJ"),
    ("dzm_ldlge", "A7WM"),
    ("dzm_ldhge", "KLTH"),
    ("dzm_glnu", "VFT7"),
    ("dzm_glnu_norm", "7HP3"),
    ("dzm_zdnu", "V294"),
    ("dzm_zdnu_norm", "IATH"),
    ("dzm_z_perc", "VIWW"),
    ("dzm_gl_var", "QK93"),
    ("dzm_zd_var", "7WT1"),
    ("dzm_zd_entr", "GBDU"),
    // Neighbourhood grey tone difference matrix (IPET). MIRP .rst + ngtdm_features.py.
    ("ngt_coarseness", "QCDE"),
    ("ngt_contrast", "65HE"),
    ("ngt_busyness", "NQ30"),
    ("ngt_complexity", "HDEZ"),
    ("ngt_strength", "1X9X"),
    // Neighbouring grey level dependence matrix (REK0). MIRP .rst + ngldm_features.py.
    ("ngl_lde", "SODN"),
    ("ngl_hde", "IMOQ"),
    ("ngl_lgce", "TL9H"),
    ("ngl_hgce", "OAE7"),
    ("ngl_ldlge", "EQ3F"),
    ("ngl_ldhge", "JA6D"),
    ("ngl_hdlge", "NBZI"),
    ("ngl_hdhge", "9QMG"),
    ("ngl_glnu", "FP8K"),
    ("ngl_glnu_norm", "5SPA"),
    ("ngl_dcnu", "Z87G"),
    ("ngl_dcnu_norm", "OKJI"),
    ("ngl_dc_perc", "6XV8"),
    ("ngl_gl_var", "1PFV"),
    ("ngl_dc_var", "DNX2"),
    ("ngl_dc_entr", "FCBV"),
    ("ngl_dc_energy", "CAS9"),
];

/// Aggregation suffix of an IBSI tag → code, for families with directional matrices (GLCM, GLRLM).
const DIRECTIONAL_AGGREGATION_CODES: &[(&str, &str)] = &[
    ("2D_avg", "BTW3"),    // 2D, averaged (by slice, without merging)
    ("2D_comb", "SUJT"),   // 2D, slice-merged
    ("2_5D_avg", "JJUI"),  // 2.5D, direction-merged
    ("2_5D_comb", "ZW7Z"), // 2.5D, merged
    ("3D_avg", "ITBB"),    // 3D, averaged
    ("3D_comb", "IAZD"),   // 3D, merged
];

/// Aggregation suffix of an IBSI tag → code, for families with one matrix per slice or volume
/// (GLSZM, GLDZM, NGTDM, NGLDM).
const SINGLE_MATRIX_AGGREGATION_CODES: &[(&str, &str)] = &[
    ("2D", "8QNN"),   // 2D (features averaged over slices)
    ("2_5D", "62GR"), // 2.5D (slice matrices merged)
    ("3D", "KOBO"),   // 3D
];

/// PyRadiomics `<class>_<feature>` → IBSI feature code, where both compute the same quantity.
///
/// Left out on purpose (no IBSI feature with that value): `firstorder_Kurtosis` (PyRadiomics'
/// is not excess, IBSI's is), `firstorder_StandardDeviation`, `firstorder_TotalEnergy`
/// (× voxel volume), `glcm_MCC`, the `shape` 2D maximum diameters and all of `shape2D`
/// (IBSI defines no 2D morphology). `firstorder_Energy` and `firstorder_RootMeanSquared` are
/// handled in [`pyradiomics_feature_code`] (they equal IBSI's only without `voxelArrayShift`).
const PYRADIOMICS_FEATURE_CODES: &[(&str, &str)] = &[
    // firstorder: raw intensities → intensity statistics (UHIW); Entropy and Uniformity are
    // computed on the discretised histogram → intensity histogram (ZVCW).
    ("firstorder_Mean", "Q4LE"),
    ("firstorder_Variance", "ECT3"),
    ("firstorder_Skewness", "KE2A"),
    ("firstorder_Median", "Y12H"),
    ("firstorder_Minimum", "1GSF"),
    ("firstorder_10Percentile", "QG58"),
    ("firstorder_90Percentile", "8DWT"),
    ("firstorder_Maximum", "84IY"),
    ("firstorder_InterquartileRange", "SALO"),
    ("firstorder_Range", "2OJQ"),
    ("firstorder_MeanAbsoluteDeviation", "4FUA"),
    ("firstorder_RobustMeanAbsoluteDeviation", "1128"),
    ("firstorder_Entropy", "TLU2"),
    ("firstorder_Uniformity", "BJ5W"),
    // shape (3D, mesh based) → morphology (HCUG).
    ("shape_MeshVolume", "RNU0"),
    ("shape_VoxelVolume", "YEKZ"),
    ("shape_SurfaceArea", "C0JK"),
    ("shape_SurfaceVolumeRatio", "2PR5"),
    ("shape_Sphericity", "QCFX"),
    ("shape_Compactness1", "SKGS"),
    ("shape_Compactness2", "BQWJ"),
    ("shape_SphericalDisproportion", "KRCK"),
    ("shape_Maximum3DDiameter", "L0JK"),
    ("shape_MajorAxisLength", "TDIC"),
    ("shape_MinorAxisLength", "P9VJ"),
    ("shape_LeastAxisLength", "7J51"),
    ("shape_Elongation", "Q3CK"),
    ("shape_Flatness", "N17B"),
    // glcm → LFYI. SumSquares = Σ (i − μx)² p(i,j) = IBSI joint variance.
    ("glcm_Autocorrelation", "QWB0"),
    ("glcm_JointAverage", "60VM"),
    ("glcm_ClusterProminence", "AE86"),
    ("glcm_ClusterShade", "7NFM"),
    ("glcm_ClusterTendency", "DG8W"),
    ("glcm_Contrast", "ACUI"),
    ("glcm_Correlation", "NI2N"),
    ("glcm_DifferenceAverage", "TF7R"),
    ("glcm_DifferenceEntropy", "NTRS"),
    ("glcm_DifferenceVariance", "D3YU"),
    ("glcm_JointEnergy", "8ZQL"),
    ("glcm_JointEntropy", "TU9B"),
    ("glcm_Imc1", "R8DG"),
    ("glcm_Imc2", "JN9H"),
    ("glcm_Idm", "WF0Z"),
    ("glcm_Idmn", "1QCO"),
    ("glcm_Id", "IB1Z"),
    ("glcm_Idn", "NDRX"),
    ("glcm_InverseVariance", "E8JP"),
    ("glcm_MaximumProbability", "GYBY"),
    ("glcm_SumAverage", "ZGXS"),
    ("glcm_SumEntropy", "P6QZ"),
    ("glcm_SumSquares", "UR99"),
    // glrlm → TP0I.
    ("glrlm_ShortRunEmphasis", "22OV"),
    ("glrlm_LongRunEmphasis", "W4KF"),
    ("glrlm_LowGrayLevelRunEmphasis", "V3SW"),
    ("glrlm_HighGrayLevelRunEmphasis", "G3QZ"),
    ("glrlm_ShortRunLowGrayLevelEmphasis", "HTZT"),
    ("glrlm_ShortRunHighGrayLevelEmphasis", "GD3A"),
    ("glrlm_LongRunLowGrayLevelEmphasis", "IVPO"),
    ("glrlm_LongRunHighGrayLevelEmphasis", "3KUM"),
    ("glrlm_GrayLevelNonUniformity", "R5YN"),
    ("glrlm_GrayLevelNonUniformityNormalized", "OVBL"),
    ("glrlm_RunLengthNonUniformity", "W92Y"),
    ("glrlm_RunLengthNonUniformityNormalized", "IC23"),
    ("glrlm_RunPercentage", "9ZK5"),
    ("glrlm_GrayLevelVariance", "8CE5"),
    ("glrlm_RunVariance", "SXLW"),
    ("glrlm_RunEntropy", "HJ9O"),
    // glszm → 9SAK.
    ("glszm_SmallAreaEmphasis", "5QRC"),
    ("glszm_LargeAreaEmphasis", "48P8"),
    ("glszm_LowGrayLevelZoneEmphasis", "XMSY"),
    ("glszm_HighGrayLevelZoneEmphasis", "5GN9"),
    ("glszm_SmallAreaLowGrayLevelEmphasis", "5RAI"),
    ("glszm_SmallAreaHighGrayLevelEmphasis", "HW1V"),
    ("glszm_LargeAreaLowGrayLevelEmphasis", "YH51"),
    ("glszm_LargeAreaHighGrayLevelEmphasis", "J17V"),
    ("glszm_GrayLevelNonUniformity", "JNSA"),
    ("glszm_GrayLevelNonUniformityNormalized", "Y1RO"),
    ("glszm_SizeZoneNonUniformity", "4JP3"),
    ("glszm_SizeZoneNonUniformityNormalized", "VB3A"),
    ("glszm_ZonePercentage", "P30P"),
    ("glszm_GrayLevelVariance", "BYLV"),
    ("glszm_ZoneVariance", "3NSA"),
    ("glszm_ZoneEntropy", "GU8N"),
    // gldm = IBSI NGLDM (REK0), not GLDZM.
    ("gldm_SmallDependenceEmphasis", "SODN"),
    ("gldm_LargeDependenceEmphasis", "IMOQ"),
    ("gldm_LowGrayLevelEmphasis", "TL9H"),
    ("gldm_HighGrayLevelEmphasis", "OAE7"),
    ("gldm_SmallDependenceLowGrayLevelEmphasis", "EQ3F"),
    ("gldm_SmallDependenceHighGrayLevelEmphasis", "JA6D"),
    ("gldm_LargeDependenceLowGrayLevelEmphasis", "NBZI"),
    ("gldm_LargeDependenceHighGrayLevelEmphasis", "9QMG"),
    ("gldm_GrayLevelNonUniformity", "FP8K"),
    ("gldm_GrayLevelNonUniformityNormalized", "5SPA"),
    ("gldm_DependenceNonUniformity", "Z87G"),
    ("gldm_DependenceNonUniformityNormalized", "OKJI"),
    ("gldm_GrayLevelVariance", "1PFV"),
    ("gldm_DependenceVariance", "DNX2"),
    ("gldm_DependenceEntropy", "FCBV"),
    // ngtdm → IPET.
    ("ngtdm_Coarseness", "QCDE"),
    ("ngtdm_Contrast", "65HE"),
    ("ngtdm_Busyness", "NQ30"),
    ("ngtdm_Complexity", "HDEZ"),
    ("ngtdm_Strength", "1X9X"),
];

fn lookup(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// Splits an IBSI tag into its stem and aggregation suffix: `cm_joint_max_2D_avg` →
/// (`cm_joint_max`, `Some("2D_avg")`), `szm_sze_2_5D` → (`szm_sze`, `Some("2_5D")`),
/// `stat_mean` → (`stat_mean`, `None`).
pub fn split_ibsi_tag(tag: &str) -> (&str, Option<&str>) {
    for dim in ["_2D", "_2_5D", "_3D"] {
        for pool in ["", "_avg", "_comb"] {
            let suffix_len = dim.len() + pool.len();
            if tag.len() > suffix_len
                && tag.ends_with(pool)
                && tag[..tag.len() - pool.len()].ends_with(dim)
            {
                let cut = tag.len() - suffix_len;
                return (&tag[..cut], Some(&tag[cut + 1..]));
            }
        }
    }
    (tag, None)
}

/// Removes a filter prefix (`wavelet-LLH_stat_mean` → `stat_mean`) when the first `_`-part is
/// not an IBSI family prefix.
fn strip_image_prefix(tag: &str) -> &str {
    match tag.split_once('_') {
        Some((head, rest)) if !IBSI_FAMILY_PREFIXES.contains(&head) => rest,
        _ => tag,
    }
}

/// IBSI feature code of an IBSI tag (`cm_joint_max_2D_avg` → `GYBY`, `stat_p10` → `QG58`),
/// also with a filter prefix (`log-sigma-1-0-mm-3D_stat_mean`); `None` for unknown tags.
pub fn ibsi_feature_code(tag: &str) -> Option<&'static str> {
    let tag = strip_image_prefix(tag);
    let (stem, _) = split_ibsi_tag(tag);
    lookup(IBSI_FEATURE_CODES, stem)
}

/// IBSI aggregation code of an IBSI texture tag (`cm_joint_max_2D_avg` → `BTW3`,
/// `szm_sze_3D` → `KOBO`); `None` for tags without an aggregation suffix.
pub fn ibsi_aggregation_code(tag: &str) -> Option<&'static str> {
    let tag = strip_image_prefix(tag);
    let (stem, suffix) = split_ibsi_tag(tag);
    let suffix = suffix?;
    let family = stem.split('_').next().unwrap_or("");
    match family {
        "cm" | "rlm" => lookup(DIRECTIONAL_AGGREGATION_CODES, suffix),
        "szm" | "dzm" | "ngt" | "ngl" => lookup(SINGLE_MATRIX_AGGREGATION_CODES, suffix),
        _ => None,
    }
}

/// IBSI feature code of a PyRadiomics name (`original_glcm_MaximumProbability` → `GYBY`,
/// any image-type prefix), or `None` where PyRadiomics' feature is not an IBSI feature.
///
/// `voxel_array_shift` is PyRadiomics' `voxelArrayShift`: `firstorder_Energy` and
/// `firstorder_RootMeanSquared` equal IBSI energy (`N8CA`) and root mean square (`5ZWQ`)
/// only when it is 0.
pub fn pyradiomics_feature_code(name: &str, voxel_array_shift: f64) -> Option<&'static str> {
    let (rest, feature) = name.rsplit_once('_')?;
    let class = rest.rsplit('_').next().unwrap_or(rest);
    let key = format!("{class}_{feature}");
    if voxel_array_shift == 0.0 {
        match key.as_str() {
            "firstorder_Energy" => return Some("N8CA"),
            "firstorder_RootMeanSquared" => return Some("5ZWQ"),
            _ => {}
        }
    }
    lookup(PYRADIOMICS_FEATURE_CODES, &key)
}

/// Sets `ibsi_code` of every feature `extract` returned with `settings` (feature code only;
/// `None` where the feature has no IBSI equivalent).
pub fn annotate(features: &mut [FeatureValue], settings: &Settings) {
    for f in features {
        f.ibsi_code = match settings.naming {
            Naming::Ibsi => ibsi_feature_code(&f.name),
            Naming::PyRadiomics => {
                pyradiomics_feature_code(&f.name, settings.pyradiomics.voxel_array_shift)
            }
        }
        .map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_split_into_stem_and_aggregation() {
        assert_eq!(
            split_ibsi_tag("cm_joint_max_2D_avg"),
            ("cm_joint_max", Some("2D_avg"))
        );
        assert_eq!(
            split_ibsi_tag("rlm_sre_2_5D_comb"),
            ("rlm_sre", Some("2_5D_comb"))
        );
        assert_eq!(split_ibsi_tag("szm_sze_3D"), ("szm_sze", Some("3D")));
        assert_eq!(
            split_ibsi_tag("ngl_dc_energy_2_5D"),
            ("ngl_dc_energy", Some("2_5D"))
        );
        assert_eq!(
            split_ibsi_tag("ivh_diff_v10_v90"),
            ("ivh_diff_v10_v90", None)
        );
        assert_eq!(split_ibsi_tag("stat_mean"), ("stat_mean", None));
    }

    #[test]
    fn every_code_is_four_upper_alphanumerics_and_stems_are_unique() {
        for table in [
            IBSI_FEATURE_CODES,
            DIRECTIONAL_AGGREGATION_CODES,
            SINGLE_MATRIX_AGGREGATION_CODES,
            PYRADIOMICS_FEATURE_CODES,
        ] {
            for (k, c) in table {
                assert!(
                    c.len() == 4
                        && c.bytes()
                            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
                    "{k}: {c}"
                );
                assert_eq!(table.iter().filter(|(k2, _)| k2 == k).count(), 1, "{k}");
            }
        }
        // Two IBSI features never share a code.
        for (k, c) in IBSI_FEATURE_CODES {
            let n = IBSI_FEATURE_CODES.iter().filter(|(_, c2)| c2 == c).count();
            assert_eq!(n, 1, "{k}: {c} used {n} times");
        }
    }

    #[test]
    fn pyradiomics_codes_are_codes_of_ibsi_features() {
        for (k, c) in PYRADIOMICS_FEATURE_CODES {
            assert!(
                IBSI_FEATURE_CODES.iter().any(|(_, c2)| c2 == c),
                "{k}: {c} is not the code of an IBSI feature in the table"
            );
        }
    }

    #[test]
    fn aggregation_codes_follow_the_family() {
        assert_eq!(ibsi_aggregation_code("cm_joint_max_2D_avg"), Some("BTW3"));
        assert_eq!(ibsi_aggregation_code("rlm_sre_2D_comb"), Some("SUJT"));
        assert_eq!(ibsi_aggregation_code("cm_corr_2_5D_avg"), Some("JJUI"));
        assert_eq!(ibsi_aggregation_code("cm_corr_2_5D_comb"), Some("ZW7Z"));
        assert_eq!(ibsi_aggregation_code("rlm_sre_3D_avg"), Some("ITBB"));
        assert_eq!(ibsi_aggregation_code("rlm_sre_3D_comb"), Some("IAZD"));
        assert_eq!(ibsi_aggregation_code("szm_sze_2D"), Some("8QNN"));
        assert_eq!(ibsi_aggregation_code("dzm_sde_2_5D"), Some("62GR"));
        assert_eq!(ibsi_aggregation_code("ngt_strength_3D"), Some("KOBO"));
        assert_eq!(ibsi_aggregation_code("stat_mean"), None);
    }

    #[test]
    fn prefixes_are_stripped_only_when_not_a_family() {
        assert_eq!(ibsi_feature_code("wavelet-LLH_stat_mean"), Some("Q4LE"));
        assert_eq!(ibsi_feature_code("stat_mean"), Some("Q4LE"));
        assert_eq!(ibsi_feature_code("stat_nonsense"), None);
        assert_eq!(
            pyradiomics_feature_code("wavelet-LLH_glcm_Idmn", 0.0),
            Some("1QCO")
        );
        assert_eq!(
            pyradiomics_feature_code("original_firstorder_Energy", 0.0),
            Some("N8CA")
        );
        assert_eq!(
            pyradiomics_feature_code("original_firstorder_Energy", 1000.0),
            None
        );
        assert_eq!(
            pyradiomics_feature_code("original_firstorder_Kurtosis", 0.0),
            None
        );
        assert_eq!(
            pyradiomics_feature_code("original_shape2D_Sphericity", 0.0),
            None
        );
        assert_eq!(pyradiomics_feature_code("nounderscore", 0.0), None);
    }
}
