//! Shared helpers for IBSI conformance: read a reference table and compare features with it.
#![allow(dead_code)]

use dlr_image::{read_image, read_mask, FeatureValue, Image, Mask, MaskOptions};
use dlr_radiomics::Settings;
use std::collections::HashMap;
use std::path::Path;

/// Image and mask of an IBSI phantom (`ibsi_1_digital_phantom` or `ibsi_1_ct_radiomics_phantom`)
/// under `ibsi_dir` (`../shared/data/ibsi`).
pub fn phantom(ibsi_dir: &Path, name: &str) -> (Image, Mask) {
    let base = ibsi_dir.join("theibsi_data_sets").join(name).join("nifti");
    let img = read_image(&base.join("image/phantom.nii.gz")).expect("phantom image");
    let mask =
        read_mask(&base.join("mask/mask.nii.gz"), &MaskOptions::default()).expect("phantom mask");
    (img, mask)
}

/// The settings of `configs/ibsi/<config>.toml`.
pub fn ibsi_config(config: &str) -> Settings {
    let path = dlr_testutil::repo_root().join(format!("configs/ibsi/{config}.toml"));
    let text = std::fs::read_to_string(&path).expect("config file");
    Settings::from_toml_str(&text).expect("valid settings")
}

/// One reference row: tag, family, value, tolerance and the rounding half-unit of the printed value.
#[derive(Debug, Clone)]
pub struct RefRow {
    pub tag: String,
    pub family: String,
    pub value: f64,
    pub tolerance: f64,
    pub half_unit: f64,
}

/// Reads a z-rad IBSI reference CSV; rows without a reference value are skipped.
pub fn read_reference(path: &Path) -> Vec<RefRow> {
    let text = std::fs::read_to_string(path).expect("reference table readable");
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (ci_tag, ci_fam, ci_val, ci_tol) = (
        col("tag"),
        col("family"),
        col("reference value"),
        col("tolerance"),
    );
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.expect("row");
        let vs = rec[ci_val].trim();
        if vs.is_empty() {
            continue;
        }
        let Ok(value) = vs.parse::<f64>() else {
            continue;
        };
        let tolerance = rec[ci_tol].trim().parse::<f64>().unwrap_or(0.0);
        let half_unit = match vs.split_once('.') {
            Some((_, dec)) => {
                let digits = dec.chars().take_while(|c| c.is_ascii_digit()).count();
                0.5 * 10f64.powi(-(digits as i32))
            }
            None => {
                // Trailing zeros of an integer are not significant (values have 3 significant digits).
                let digits = vs.trim_start_matches('-');
                let zeros = digits.len() - digits.trim_end_matches('0').len();
                0.5 * 10f64.powi(zeros.min(digits.len().saturating_sub(1)) as i32)
            }
        };
        out.push(RefRow {
            tag: rec[ci_tag].trim().to_string(),
            family: rec[ci_fam].trim().to_string(),
            value,
            tolerance,
            half_unit,
        });
    }
    out
}

/// Outcome of comparing one row.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub row: RefRow,
    pub got: Option<f64>,
    pub ok: bool,
}

/// Compares features with the reference rows whose tag starts with none of `skip_prefixes`.
pub fn compare(features: &[FeatureValue], rows: &[RefRow]) -> Vec<Outcome> {
    let map: HashMap<&str, f64> = features
        .iter()
        .map(|f| (f.name.as_str(), f.value))
        .collect();
    rows.iter()
        .map(|r| {
            let got = map.get(r.tag.as_str()).copied();
            let ok = match got {
                Some(v) if v.is_finite() => {
                    (v - r.value).abs() <= r.tolerance + r.half_unit * 1.0000001
                }
                _ => false,
            };
            Outcome {
                row: r.clone(),
                got,
                ok,
            }
        })
        .collect()
}

/// Family label for a tag (IBSI family + aggregation suffix).
pub fn family_of(tag: &str) -> String {
    let fam = tag.split('_').next().unwrap_or("");
    let agg = [
        "_2D_avg",
        "_2D_comb",
        "_2_5D_avg",
        "_2_5D_comb",
        "_3D_avg",
        "_3D_comb",
        "_2_5D",
        "_2D",
        "_3D",
    ]
    .iter()
    .find(|s| tag.ends_with(*s))
    .map(|s| s.trim_start_matches('_'))
    .unwrap_or("");
    if agg.is_empty() {
        fam.to_string()
    } else {
        format!("{fam} {agg}")
    }
}
