//! `extract_manifest` output: the Parquet table holds the same table as the CSV (the writer is
//! checked against pyarrow in `parquet_pyarrow.rs`), and the provenance lists the IBSI codes of
//! the columns.

use dlr_pipeline::config::Preset;
use dlr_pipeline::extract::extract_manifest;
use dlr_pipeline::parquet::{encode, ParquetColumn};
use dlr_study::{simulate, ManifestColumns, SimulateOptions};

#[test]
fn parquet_and_csv_hold_the_same_table_and_provenance_lists_column_codes() {
    let d = tempfile::tempdir().unwrap();
    let c = simulate(&SimulateOptions {
        patients: 3,
        seed: 7,
        null: false,
        out_dir: d.path().join("cohort"),
        size: 64,
    })
    .unwrap();
    let cols = ManifestColumns::default();
    let csv_out = d.path().join("f.csv");
    let pq_out = d.path().join("f.parquet");
    let prov_csv =
        extract_manifest(&c.manifest, &cols, Preset::Ibsi, None, &csv_out, false).unwrap();
    let prov_pq = extract_manifest(&c.manifest, &cols, Preset::Ibsi, None, &pq_out, false).unwrap();
    assert!(prov_csv.failures.is_empty(), "{:?}", prov_csv.failures);
    assert_eq!(prov_csv.ibsi_codes, prov_pq.ibsi_codes);

    // Rebuild the CSV's table as Parquet columns: key columns as strings, the rest as doubles
    // (CSV values are shortest round-trip decimals, empty for NaN).
    let mut rdr = csv::Reader::from_path(&csv_out).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..2], ["patient_id", "reader"]);
    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert!(!records.is_empty());
    let mut columns = Vec::new();
    for (j, name) in header.iter().enumerate() {
        let cells = records.iter().map(|r| r[j].to_string());
        columns.push(if j < 2 {
            ParquetColumn::utf8(name.clone(), cells.collect())
        } else {
            ParquetColumn::f64(
                name.clone(),
                cells
                    .map(|s| {
                        if s.is_empty() {
                            f64::NAN
                        } else {
                            s.parse().unwrap()
                        }
                    })
                    .collect(),
            )
        });
    }
    let expect = encode(
        &columns,
        concat!("dlradiomics version ", env!("CARGO_PKG_VERSION")),
    )
    .unwrap();
    assert_eq!(std::fs::read(&pq_out).unwrap(), expect);

    // Provenance beside the Parquet file, with the column codes.
    let prov_path = d.path().join("f.parquet.provenance.json");
    let prov: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(prov_path).unwrap()).unwrap();
    let codes = prov["ibsi_codes"].as_object().unwrap();
    let feature_columns = &header[2..];
    // Every column of the IBSI preset is an IBSI feature, so every column has a code.
    for col in feature_columns {
        let code = codes
            .get(col)
            .unwrap_or_else(|| panic!("{col} has no code in the provenance"));
        let code = code.as_str().unwrap();
        assert!(code.len() == 4 && code.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
    assert_eq!(codes.len(), feature_columns.len());
    let phase = header[2].split('_').next().unwrap().to_string();
    assert_eq!(codes[&format!("{phase}_stat_mean")], "Q4LE");
    assert_eq!(codes[&format!("{phase}_cm_joint_max_2D_avg")], "GYBY");
    let agg = prov["ibsi_aggregation_codes"].as_object().unwrap();
    assert_eq!(agg[&format!("{phase}_cm_joint_max_2D_avg")], "BTW3");
    assert_eq!(agg[&format!("{phase}_szm_sze_2D")], "8QNN");
    assert!(!agg.contains_key(&format!("{phase}_stat_mean")));
}

#[test]
fn unknown_output_format_is_refused_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let err = extract_manifest(
        &d.path().join("no-such-manifest.csv"),
        &ManifestColumns::default(),
        Preset::Ibsi,
        None,
        &d.path().join("f.xlsx"),
        false,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains(".csv or .parquet"), "{err}");
}
