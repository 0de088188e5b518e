//! The Haralick features whose definitions coincide with IBSI's (spec §5 / ibsi_2d_features.md
//! "Mapping to MaZda") against the IBSI-1 digital phantom consensus values (2D, averaged and
//! merged), with log2 entropies and 1-based grey levels (the phantom's levels are already 1–6).

use dlr_mazda::{cooccurrence_counts, haralick_features, HaralickOptions, LogBase};
use std::collections::HashMap;

/// MaZda tag → IBSI tag stem.
const MAP: [(&str, &str); 11] = [
    ("AngScMom", "cm_energy"),
    ("Contrast", "cm_contrast"),
    ("Correlat", "cm_corr"),
    ("SumOfSqs", "cm_joint_var"),
    ("InvDfMom", "cm_inv_diff_mom"),
    ("SumAverg", "cm_sum_avg"),
    ("SumVarnc", "cm_sum_var"),
    ("SumEntrp", "cm_sum_entr"),
    ("Entropy", "cm_joint_entr"),
    ("DifVarnc", "cm_diff_var"),
    ("DifEntrp", "cm_diff_entr"),
];

#[test]
fn haralick_features_match_ibsi_digital_phantom() {
    let img_path = dlr_testutil::require_shared!(
        "data/ibsi/theibsi_data_sets/ibsi_1_digital_phantom/nifti/image/phantom.nii.gz"
    );
    let mask_path = dlr_testutil::require_shared!(
        "data/ibsi/theibsi_data_sets/ibsi_1_digital_phantom/nifti/mask/mask.nii.gz"
    );
    let ref_path =
        dlr_testutil::require_shared!("data/ibsi/reference_values/mirp/ibsi_1_dig_phantom.csv");
    let img = dlr_testutil::read_volume(&img_path);
    let mask = dlr_testutil::read_volume(&mask_path);
    let reference = dlr_testutil::read_ibsi_reference(&ref_path);
    let [w, h, nz] = img.dims;
    assert_eq!(img.dims, [5, 4, 4]);
    let ng = 6;
    let opts = HaralickOptions {
        log_base: LogBase::Two,
        sum_variance_centre: Default::default(),
        correlation_degenerate: Default::default(),
        level_base: 1.0,
    };
    let mut avg: HashMap<&str, f64> = HashMap::new();
    let mut comb: HashMap<&str, f64> = HashMap::new();
    for z in 0..nz {
        let sl = z * w * h..(z + 1) * w * h;
        let levels: Vec<u16> = img.data[sl.clone()]
            .iter()
            .map(|v| (*v as u16).saturating_sub(1))
            .collect();
        let inside: Vec<bool> = mask.data[sl].iter().map(|v| *v != 0.0).collect();
        let mut merged = vec![0.0; ng * ng];
        for (dx, dy) in [(1, 0), (0, 1), (1, 1), (1, -1)] {
            let c = cooccurrence_counts(&levels, &inside, w, h, dx, dy, ng);
            for (m, v) in merged.iter_mut().zip(&c) {
                *m += v;
            }
            for f in haralick_features(&c, ng, "", &opts) {
                *avg.entry(MAP.iter().find(|m| m.0 == f.name).unwrap().1)
                    .or_default() += f.value / (4 * nz) as f64;
            }
        }
        for f in haralick_features(&merged, ng, "", &opts) {
            *comb
                .entry(MAP.iter().find(|m| m.0 == f.name).unwrap().1)
                .or_default() += f.value / nz as f64;
        }
    }
    let mut checked = 0;
    for (suffix, got) in [("_2D_avg", &avg), ("_2D_comb", &comb)] {
        for (stem, value) in got {
            let tag = format!("{stem}{suffix}");
            let (want, tol) = reference[&tag];
            // values are printed to 3 significant digits with tolerance 0
            let allowed = tol.max(dlr_testutil::three_sig_half_unit(want)) * 1.0001;
            assert!(
                (value - want).abs() <= allowed,
                "{tag}: ours {value}, IBSI {want} ± {allowed}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 22);
}
