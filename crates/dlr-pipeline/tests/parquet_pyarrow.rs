//! The Parquet writer against an independent reader: `fixtures/parquet_small.parquet` is what
//! `dlr_pipeline::parquet::encode` wrote for the table below, and `fixtures/parquet_small.json`
//! is pyarrow's reading of that file (`tools/table/read_parquet.py`; regenerate both with
//! `tools/table/make_fixture.sh`). The test checks that the writer still produces exactly those
//! bytes and that pyarrow read back exactly the values written (bit for bit, NaN included).

use dlr_pipeline::parquet::{encode, ColumnData, ParquetColumn};
use dlr_pipeline::table::FeatureTable;
use std::path::PathBuf;

const CREATED_BY: &str = "dlradiomics parquet fixture";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// 3 rows; 2 string key columns (empty and non-ASCII strings) and 16 double columns (more than
/// 14 schema entries, so the Thrift list headers take their long form), with NaN, −0.0,
/// ±infinity, subnormal-range and full-precision values.
fn table() -> Vec<ParquetColumn> {
    let mut cols = vec![
        ParquetColumn::utf8(
            "patient_id",
            vec!["P001".into(), "pätient é,\"x\"".into(), String::new()],
        ),
        ParquetColumn::utf8("reader", vec!["1".into(), "2".into(), "1".into()]),
    ];
    let specials = [
        f64::NAN,
        -0.0,
        115.660_516_969_218_63,
        1e-300,
        -2.5e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.1,
    ];
    let names = [
        "US_Mean",
        "AP_Perc.50%",
        "PP_S(1,0)Correlat",
        "US_stat_mean",
        "US_cm_joint_max_2D_avg",
        "US_original_glcm_Contrast",
        "US_deep0000",
        "US_WavEnHL_s-5",
    ];
    for k in 0..16 {
        let name = if k < names.len() {
            names[k].to_string()
        } else {
            format!("AP_f{k:02}")
        };
        let v: Vec<f64> = (0..3)
            .map(|i| specials[(k + 3 * i) % specials.len()] * if k >= 8 { 2.0 } else { 1.0 })
            .collect();
        cols.push(ParquetColumn::f64(name, v));
    }
    cols
}

fn json_f64(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::String(s) if s == "NaN" => f64::NAN,
        serde_json::Value::String(s) if s == "Infinity" => f64::INFINITY,
        serde_json::Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        serde_json::Value::Number(n) => n.as_f64().expect("a double"),
        other => panic!("not a double: {other}"),
    }
}

#[test]
fn pyarrow_reads_back_exactly_what_the_writer_wrote() {
    let bytes = encode(&table(), CREATED_BY).unwrap();
    let pq_path = fixtures().join("parquet_small.parquet");
    if std::env::var_os("DLR_WRITE_PARQUET_FIXTURE").is_some() {
        std::fs::create_dir_all(fixtures()).unwrap();
        std::fs::write(&pq_path, &bytes).unwrap();
        eprintln!("wrote {}", pq_path.display());
        return;
    }
    let committed = std::fs::read(&pq_path).expect("fixture parquet_small.parquet");
    assert_eq!(
        bytes, committed,
        "the writer's output changed; if intended, run tools/table/make_fixture.sh and check the JSON"
    );
    let read: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("parquet_small.json")).unwrap(),
    )
    .unwrap();
    assert!(read["reader"].as_str().unwrap().starts_with("pyarrow "));
    assert_eq!(read["num_rows"], 3);
    assert_eq!(read["num_row_groups"], 1);
    assert_eq!(read["created_by"], CREATED_BY);
    let cols = read["columns"].as_array().unwrap();
    let ours = table();
    assert_eq!(cols.len(), ours.len());
    for (c, o) in cols.iter().zip(&ours) {
        assert_eq!(c["name"], o.name.as_str());
        assert_eq!(c["nullable"], false, "{}", o.name);
        let vals = c["values"].as_array().unwrap();
        match &o.data {
            ColumnData::Utf8(v) => {
                assert_eq!(c["arrow_type"], "string");
                assert_eq!(c["physical_type"], "BYTE_ARRAY");
                let got: Vec<&str> = vals.iter().map(|x| x.as_str().unwrap()).collect();
                assert_eq!(got, v.iter().map(String::as_str).collect::<Vec<_>>());
            }
            ColumnData::F64(v) => {
                assert_eq!(c["arrow_type"], "double");
                assert_eq!(c["physical_type"], "DOUBLE");
                assert_eq!(vals.len(), v.len());
                for (x, &want) in vals.iter().zip(v) {
                    let got = json_f64(x);
                    if want.is_nan() {
                        assert!(got.is_nan(), "{}: {got}", o.name);
                    } else {
                        assert_eq!(got.to_bits(), want.to_bits(), "{}: {got} vs {want}", o.name);
                    }
                }
            }
        }
    }
}

#[test]
fn feature_table_parquet_holds_the_same_table_as_its_csv() {
    let t = FeatureTable {
        rows: vec!["p1".into(), "p2".into()],
        columns: vec!["US_Mean".into(), "AP_Mean".into()],
        values: vec![1.5, f64::NAN, -3.25, 1e-12],
    };
    let d = tempfile::tempdir().unwrap();
    let pq = d.path().join("t.parquet");
    t.write(&pq, "patient_id").unwrap();
    let bytes = std::fs::read(&pq).unwrap();
    let expect = encode(
        &[
            ParquetColumn::utf8("patient_id", t.rows.clone()),
            ParquetColumn::f64("US_Mean", vec![1.5, -3.25]),
            ParquetColumn::f64("AP_Mean", vec![f64::NAN, 1e-12]),
        ],
        concat!("dlradiomics version ", env!("CARGO_PKG_VERSION")),
    )
    .unwrap();
    assert_eq!(bytes, expect);
    // Written atomically: only the table is left in the folder.
    let names: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["t.parquet"]);
    // Unknown extensions are refused with a message naming the supported ones.
    let err = t
        .write(&d.path().join("t.xlsx"), "patient_id")
        .unwrap_err()
        .to_string();
    assert!(err.contains(".csv or .parquet"), "{err}");
}
