//! PyRadiomics preset on 2D ultrasound (BUSI, ../shared) against PyRadiomics 3.1.4 itself
//! (fixture made by tests/fixtures/gen_busi_pyradiomics.py): defaults plus shape2D.

use dlr_image::{read_image, read_mask, MaskOptions};
use dlr_radiomics::{extract, Family, Settings};
use std::collections::HashMap;

#[test]
fn busi_2d_matches_pyradiomics() {
    let busi = dlr_testutil::require_shared!("data/busi");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/busi_pyradiomics.csv");
    let mut want: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    for rec in csv::Reader::from_path(&fixture).unwrap().records() {
        let rec = rec.unwrap();
        want.entry(rec[0].to_string())
            .or_default()
            .push((rec[1].to_string(), rec[2].parse().unwrap()));
    }
    let mut with_shape = Settings::pyradiomics_default();
    with_shape.families.push(Family::Shape2d);
    let mut checked = 0;
    let mut bad = Vec::new();
    for (case, values) in &want {
        let img = read_image(&busi.join(format!("images/{case}.png"))).unwrap();
        let mask = read_mask(
            &busi.join(format!("masks/{case}_mask.png")),
            &MaskOptions::default(),
        )
        .unwrap();
        let got: HashMap<String, f64> = extract(&img, &mask, &with_shape)
            .unwrap()
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect();
        assert_eq!(
            got.len(),
            values.len(),
            "{case}: same feature set as PyRadiomics"
        );
        for (name, w) in values {
            checked += 1;
            let g = got.get(name).copied();
            if !g.is_some_and(|g| (g - w).abs() <= 1e-6 * w.abs().max(1e-3)) {
                bad.push(format!("{case} {name}: want {w} got {g:?}"));
            }
        }
        // PyRadiomics' own defaults on a 2D image: no shape class at all.
        let n_default = extract(&img, &mask, &Settings::pyradiomics_default())
            .unwrap()
            .len();
        assert_eq!(
            n_default,
            values.iter().filter(|v| !v.0.contains("shape2D")).count()
        );
    }
    assert!(checked >= 300, "checked {checked}");
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
