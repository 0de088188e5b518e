//! Filtered-image features (original + coif1 wavelet + LoG σ 1, 2, 3 mm) against PyRadiomics
//! 3.1.4 itself, on brain1 (3D) and three BUSI ROIs read as native 2D images (../shared). The
//! fixture is made by `tools/radiomics/make_filtered_fixture.py`; it holds PyRadiomics' image
//! types with their feature counts, the feature names of `original` and of one filtered type,
//! and 18 feature values per image type (648 values); plus one BUSI ROI with wavelet level 2
//! after one skipped level (`start_level = 1`; 6 values per image type, 48 values).

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
        let mopt = if case.starts_with("brain1") {
            MaskOptions {
                label: Some(1),
                frame: None,
            }
        } else {
            MaskOptions::default()
        };
        let mask = read_mask(&shared.join(c["mask"].as_str().unwrap()), &mopt).unwrap();
        let mut s = s.clone();
        if let Some(w) = c.get("image_types_setting").and_then(|t| t.get("wavelet")) {
            // case (c): Original + Wavelet with the fixture's level and start level, no LoG
            s.image_types = vec![
                ImageType::Original,
                ImageType::Wavelet {
                    wavelet: "coif1".into(),
                    level: w["level"].as_u64().unwrap() as usize,
                    start_level: w["start_level"].as_u64().unwrap() as usize,
                },
            ];
        }
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
            if rel.is_nan() || rel > 1e-6 {
                bad.push(format!("{case} {name}: want {w} got {g} (rel {rel:.2e})"));
            }
        }
    }
    eprintln!("checked {checked} values, worst relative difference {worst:.2e}");
    assert_eq!(checked, 648 + 48);
    assert!(
        bad.is_empty(),
        "{} of {checked} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn with_types(toml_types: &str) -> dlr_radiomics::Result<Settings> {
    Settings::from_toml_str(&format!(
        "naming = \"pyradiomics\"\nfamilies = [\"statistics\", \"glcm\"]\n\
         discretisation = {{ method = \"fixed_bin_size\", width = 25.0 }}\n{toml_types}"
    ))
}

#[test]
fn bad_image_types_are_clear_errors() {
    let err = |t: &str| with_types(t).unwrap_err().to_string();
    assert!(err("[[image_types]]\ntype = \"wavelet\"\nwavelet = \"bior1.3\"").contains("bior1.3"));
    assert!(err("[[image_types]]\ntype = \"wavelet\"\nlevel = 0").contains("level"));
    assert!(err("[[image_types]]\ntype = \"log\"\nsigmas = []").contains("sigma"));
    assert!(err("[[image_types]]\ntype = \"log\"\nsigmas = [1.0, -2.0]").contains("-2"));
    assert!(err("[[image_types]]\ntype = \"log\"\nsigmas = [1.0, 1.0]").contains("twice"));
    assert!(err("[[image_types]]\ntype = \"gabor\"").contains("gabor"));
    assert!(err("[[image_types]]\ntype = \"log\"\nsigma = [1.0]").contains("sigma"));
    assert!(
        err("[[image_types]]\ntype = \"original\"\n[[image_types]]\ntype = \"original\"")
            .contains("twice")
    );
    assert!(err("image_types = []").contains("empty"));
    let mut ibsi = Settings::ibsi_digital_phantom();
    ibsi.image_types.push(ImageType::Log { sigmas: vec![1.0] });
    assert!(ibsi
        .validate()
        .unwrap_err()
        .to_string()
        .contains("pyradiomics"));
    // defaults as PyRadiomics: wavelet coif1, level 1, start level 0
    let s = with_types("[[image_types]]\ntype = \"wavelet\"").unwrap();
    assert_eq!(
        s.image_types,
        [ImageType::Wavelet {
            wavelet: "coif1".into(),
            level: 1,
            start_level: 0
        }]
    );
}

fn square_image(n: usize) -> dlr_image::Image {
    let v = (0..n * n)
        .map(|i| ((i % n) * 3 + (i / n) * 7 % 50) as f32)
        .collect();
    dlr_image::Image::new_2d(v, n, n).unwrap()
}

/// Only filtered types: shape still comes from the original image (as PyRadiomics computes
/// shape whatever the image types), and no other `original_` feature.
#[test]
fn filtered_only_keeps_original_shape() {
    let img = square_image(40);
    let mask = dlr_image::Mask::new(
        (0..1600)
            .map(|i| u8::from((10..30).contains(&(i % 40)) && (12..25).contains(&(i / 40))))
            .collect(),
        [40, 40, 1],
    )
    .unwrap();
    let mut s = with_types("[[image_types]]\ntype = \"log\"\nsigmas = [1.5]").unwrap();
    s.families.push(dlr_radiomics::Family::Shape2d);
    let f = extract(&img, &mask, &s).unwrap();
    assert!(f.iter().any(|f| f.name == "original_shape2D_PixelSurface"));
    assert!(!f.iter().any(|f| f.name.starts_with("original_firstorder")));
    let log: Vec<_> = f
        .iter()
        .filter(|f| f.name.starts_with("log-sigma-1-5-mm-3D_"))
        .collect();
    assert_eq!(log.len(), 18 + 24);
    assert!(log.iter().all(|f| f.value.is_finite()));
}

/// Degenerate input: empty ROI, NaN voxels, an image too small for a σ — every column is
/// present, undefined with a reason, never a panic.
#[test]
fn degenerate_input_gives_undefined_columns_with_reasons() {
    let s = with_types(
        "[[image_types]]\ntype = \"original\"\n[[image_types]]\ntype = \"wavelet\"\n\
         [[image_types]]\ntype = \"log\"\nsigmas = [1.0, 30.0]",
    )
    .unwrap();
    let img = square_image(20);
    let roi = |f: &dyn Fn(usize) -> bool| {
        dlr_image::Mask::new((0..400).map(|i| u8::from(f(i))).collect(), [20, 20, 1]).unwrap()
    };
    let full = extract(
        &img,
        &roi(&|i| (5..15).contains(&(i % 20)) && (5..15).contains(&(i / 20))),
        &s,
    )
    .unwrap();
    let n = full.len();
    assert_eq!(n, 42 * (1 + 4 + 2));
    // σ = 30 mm needs ≥ 31 voxels per axis: PyRadiomics skips it; we keep the columns, undefined
    let big: Vec<_> = full
        .iter()
        .filter(|f| f.name.starts_with("log-sigma-30-0-mm-3D_"))
        .collect();
    assert_eq!(big.len(), 42);
    assert!(big.iter().all(|f| f.value.is_nan()
        && f.note
            .as_deref()
            .unwrap_or("")
            .contains("PyRadiomics skips")));
    // empty ROI
    let empty = extract(&img, &roi(&|_| false), &s).unwrap();
    assert_eq!(empty.len(), n);
    assert!(empty.iter().all(|f| f.value.is_nan() && f.note.is_some()));
    // a NaN voxel in the image: filters cannot run; the columns are undefined with the reason
    let mut v = img.data().to_vec();
    v[0] = f32::NAN;
    let nan_img = dlr_image::Image::new_2d(v, 20, 20).unwrap();
    let with_nan = extract(&nan_img, &roi(&|i| i % 20 < 10), &s).unwrap();
    assert_eq!(with_nan.len(), n);
    let w: Vec<_> = with_nan
        .iter()
        .filter(|f| f.name.starts_with("wavelet-LH_"))
        .collect();
    assert!(w
        .iter()
        .all(|f| f.value.is_nan() && f.note.as_deref().unwrap_or("").contains("NaN")));
}

/// Filtered images and their features run in parallel (rayon); the result is bitwise the same
/// on 1 and on 3 threads.
#[test]
fn filtered_features_are_bitwise_deterministic_across_threads() {
    let busi = dlr_testutil::require_shared!("data/busi");
    let img = read_image(&busi.join("images/benign_133.png")).unwrap();
    let mask = read_mask(
        &busi.join("masks/benign_133_mask.png"),
        &MaskOptions::default(),
    )
    .unwrap();
    let s = settings();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| extract(&img, &mask, &s).unwrap())
    };
    let (one, three) = (run(1), run(3));
    assert_eq!(one.len(), 744);
    for (a, b) in one.iter().zip(&three) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.value.to_bits(), b.value.to_bits(), "{}", a.name);
    }
}
