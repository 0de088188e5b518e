//! Shared helpers for the golden tests: read the golden CSV data and JSON files.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

/// A CSV table as columns of strings keyed by header.
pub struct Table {
    pub headers: Vec<String>,
    pub cols: HashMap<String, Vec<String>>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        let mut rdr = csv::Reader::from_path(path).expect("open csv");
        let headers: Vec<String> = rdr
            .headers()
            .expect("headers")
            .iter()
            .map(String::from)
            .collect();
        let mut cols: HashMap<String, Vec<String>> =
            headers.iter().map(|h| (h.clone(), Vec::new())).collect();
        for rec in rdr.records() {
            let rec = rec.expect("record");
            for (h, v) in headers.iter().zip(rec.iter()) {
                cols.get_mut(h).expect("col").push(v.to_string());
            }
        }
        Table { headers, cols }
    }
    pub fn f64s(&self, name: &str) -> Vec<f64> {
        self.cols[name]
            .iter()
            .map(|v| v.parse::<f64>().unwrap_or_else(|_| panic!("{name}: {v}")))
            .collect()
    }
    pub fn strs(&self, name: &str) -> &[String] {
        &self.cols[name]
    }
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("parse json")
}

pub fn num(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::Number(n) => n.as_f64().expect("f64"),
        serde_json::Value::String(s) if s == "-Inf" => f64::NEG_INFINITY,
        serde_json::Value::String(s) if s == "Inf" => f64::INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// Absolute-or-relative closeness: |a-b| <= tol, or for tiny p-values |a/b - 1| <= rel.
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    if a == b {
        return true;
    }
    (a - b).abs() <= tol
}

pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        close(got, want, tol),
        "{what}: got {got}, want {want} (tol {tol})"
    );
}

/// For p-values spanning many decades: relative tolerance.
pub fn assert_rel(what: &str, got: f64, want: f64, rel: f64) {
    let ok = if want == 0.0 {
        got.abs() < 1e-300
    } else {
        ((got - want) / want).abs() <= rel
    };
    assert!(ok, "{what}: got {got:e}, want {want:e} (rel {rel})");
}
