//! IBSI-1 digital phantom conformance against the consensus reference values (../shared).

mod common;

use dlr_image::{read_image, read_mask, MaskOptions};
use dlr_radiomics::{extract, Settings};

fn settings() -> Settings {
    let text = std::fs::read_to_string(
        dlr_testutil::repo_root().join("configs/ibsi/digital_phantom.toml"),
    )
    .expect("configs/ibsi/digital_phantom.toml");
    Settings::from_toml_str(&text).expect("valid settings")
}

#[test]
fn digital_phantom_matches_ibsi_reference() {
    let dir = dlr_testutil::require_shared!("data/ibsi");
    let img = read_image(
        &dir.join("theibsi_data_sets/ibsi_1_digital_phantom/nifti/image/phantom.nii.gz"),
    )
    .unwrap();
    let mask = read_mask(
        &dir.join("theibsi_data_sets/ibsi_1_digital_phantom/nifti/mask/mask.nii.gz"),
        &MaskOptions::default(),
    )
    .unwrap();
    let feats = extract(&img, &mask, &settings()).unwrap();
    let rows = common::read_reference(
        &dir.join("reference_values/z-rad/ibsi_1_reference_values_digital_phantom.csv"),
    );
    let out = common::compare(&feats, &rows);
    // Rows not matched, each with the reason; everything else must match.
    let known: &[(&str, &str)] = &[];
    let mut bad = Vec::new();
    for o in &out {
        let is_known = known.iter().any(|k| k.0 == o.row.tag);
        if o.ok == is_known {
            bad.push(format!(
                "{} ref {} ± {} got {:?} (known failure: {is_known})",
                o.row.tag, o.row.value, o.row.tolerance, o.got
            ));
        }
    }
    let matched = out.iter().filter(|o| o.ok).count();
    eprintln!("digital phantom: {matched}/{} rows match", out.len());
    assert!(
        bad.is_empty(),
        "{} unexpected outcomes:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
