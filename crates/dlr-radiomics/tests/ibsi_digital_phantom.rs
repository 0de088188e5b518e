//! IBSI-1 digital phantom conformance against the consensus reference values (../shared).

mod common;

use dlr_radiomics::extract;

#[test]
fn digital_phantom_matches_ibsi_reference() {
    let dir = dlr_testutil::require_shared!("data/ibsi");
    let (img, mask) = common::phantom(&dir, "ibsi_1_digital_phantom");
    let feats = extract(&img, &mask, &common::ibsi_config("digital_phantom")).unwrap();
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
