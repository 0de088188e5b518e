//! Filtered-image features (original + coif1 wavelet + LoG σ 1, 2, 3 mm) against PyRadiomics
//! 3.1.4 itself, on brain1 (3D) and three BUSI ROIs read as native 2D images (../shared). The
//! fixture is made by `tools/radiomics/make_filtered_fixture.py`; it holds PyRadiomics' image
//! types with their feature counts, the feature names of `original` and of one filtered type,
//! and 18 feature values per image type (648 values).

use dlr_image::{read_image, read_mask, MaskOptions};
use dlr_radiomics::{extract, ImageType, Settings};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

fn fixture() -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pyradiomics_filtered.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn settings() -> Settings {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../configs/pyradiomics/wavelet_log.toml"),
    )
    .expect("configs/pyradiomics/wavelet_log.toml");
    Settings::from_toml_str(&text).expect("valid settings")
}

/// The shipped config is PyRadiomics' defaults plus the fixture's image types.
#[test]
fn config_is_defaults_plus_image_types() {
    let mut want = Settings::pyradiomics_default();
    want.image_types = vec![
        ImageType::Original,
        ImageType::Wavelet {
            wavelet: "coif1".into(),
            level: 1,
            start_level: 0,
        },
        ImageType::Log {
            sigmas: vec![1.0, 2.0, 3.0],
        },
    ];
    assert_eq!(settings(), want);
}

#[test]
fn filtered_features_match_pyradiomics() {
    let _busi = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let shared = dlr_testutil::require_shared!("data/pyradiomics/brain1_image.nrrd");
    // require_shared! returns the path of the file; ../shared is three levels up
    let shared = shared.ancestors().nth(3).unwrap().to_path_buf();
    let fx = fixture();
    let s = settings();
    let mut checked = 0;
    let mut worst = 0.0f64;
    let mut bad = Vec::new();
    for (case, c) in fx["cases"].as_object().unwrap() {
        let img = read_image(&shared.join(c["image"].as_str().unwrap())).unwrap();
        let mopt = if case == "brain1" {
            MaskOptions {
                label: Some(1),
                frame: None,
            }
        } else {
            MaskOptions::default()
        };
        let mask = read_mask(&shared.join(c["mask"].as_str().unwrap()), &mopt).unwrap();
        let got = extract(&img, &mask, &s).unwrap();
        // the column set: image types, per-type counts, feature names
        let mut per_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &got {
            let (t, rest) = f.name.split_once('_').unwrap();
            per_type
                .entry(t.to_string())
                .or_default()
                .push(rest.to_string());
        }
        let want_types: BTreeMap<String, usize> = c["image_types"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize))
            .collect();
        let got_types: BTreeMap<String, usize> =
            per_type.iter().map(|(k, v)| (k.clone(), v.len())).collect();
        assert_eq!(got_types, want_types, "{case}: image types and counts");
        let names = |key: &str| -> Vec<String> {
            let mut v: Vec<String> = c[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            v.sort();
            v
        };
        let mut orig = per_type["original"].clone();
        orig.sort();
        assert_eq!(orig, names("original_names"), "{case}: original names");
        let filt = names("filtered_names");
        for (t, v) in &per_type {
            if t != "original" {
                let mut v = v.clone();
                v.sort();
                assert_eq!(v, filt, "{case}: {t} names");
            }
        }
        let got: HashMap<&str, f64> = got.iter().map(|f| (f.name.as_str(), f.value)).collect();
        for (name, w) in c["values"].as_object().unwrap() {
            let w = w.as_f64().unwrap();
            let g = got[name.as_str()];
            checked += 1;
            let rel = (g - w).abs() / w.abs().max(1e-3);
            worst = worst.max(rel);
            if !(rel <= 1e-6) {
                bad.push(format!("{case} {name}: want {w} got {g} (rel {rel:.2e})"));
            }
        }
    }
    eprintln!("checked {checked} values, worst relative difference {worst:.2e}");
    assert_eq!(checked, 648);
    assert!(
        bad.is_empty(),
        "{} of {checked} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
