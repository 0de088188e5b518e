//! Shared test helpers: reading the golden CSVs into a `Matrix`.
#![allow(dead_code)]

use dlr_learn::Matrix;
use std::path::Path;

/// A CSV table: header and rows of strings.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub fn read_table(path: &Path) -> Table {
    let mut rdr = csv::Reader::from_path(path).expect("open csv");
    let header = rdr
        .headers()
        .expect("header")
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows = rdr
        .records()
        .map(|r| r.expect("record").iter().map(|s| s.to_string()).collect())
        .collect();
    Table { header, rows }
}

impl Table {
    pub fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
    pub fn f64_col(&self, name: &str) -> Vec<f64> {
        let j = self.col(name);
        self.rows
            .iter()
            .map(|r| r[j].parse::<f64>().unwrap_or(f64::NAN))
            .collect()
    }
    pub fn str_col(&self, name: &str) -> Vec<String> {
        let j = self.col(name);
        self.rows.iter().map(|r| r[j].clone()).collect()
    }
    pub fn matrix(&self, names: &[String]) -> Matrix {
        let cols: Vec<Vec<f64>> = names.iter().map(|n| self.f64_col(n)).collect();
        Matrix::from_columns(&cols, names.to_vec()).expect("matrix")
    }
}

/// Breast cancer data: (features matrix with the 30 features, labels malignant, split table).
pub struct BreastCancer {
    pub x: Matrix,
    pub y: Vec<bool>,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
    pub foldid_train: Vec<usize>,
}

pub fn breast_cancer(data: &Path, split: &Path) -> BreastCancer {
    let t = read_table(data);
    let names: Vec<String> = t
        .header
        .iter()
        .filter(|h| *h != "target" && *h != "malignant")
        .cloned()
        .collect();
    let x = t.matrix(&names);
    let y: Vec<bool> = t.f64_col("malignant").iter().map(|v| *v == 1.0).collect();
    let s = read_table(split);
    let sp = s.str_col("split");
    let fid = s.str_col("foldid");
    let train: Vec<usize> = (0..sp.len()).filter(|&i| sp[i] == "train").collect();
    let test: Vec<usize> = (0..sp.len()).filter(|&i| sp[i] == "test").collect();
    let foldid_train = train
        .iter()
        .map(|&i| fid[i].parse::<usize>().expect("fold id"))
        .collect();
    BreastCancer {
        x,
        y,
        train,
        test,
        foldid_train,
    }
}

pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("parse json")
}

pub fn f64s(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}
