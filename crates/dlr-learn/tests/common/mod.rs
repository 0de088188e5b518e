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

/// A seeded standard normal draw (Box–Muller on the ChaCha8 stream).
pub fn normal(rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    use rand::Rng;
    let u1: f64 = rng.gen::<f64>().max(1e-300);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The sentinel planted in one training cell of `sentinel_col`.
pub const SENTINEL: f64 = 123456.789;

/// Seeded synthetic radiomics-like data: `n` rows, labels ~50/50, columns
/// `sig1..sig3` (class shift ±`shift`/2), `sig1_copy` (sig1 + small noise: redundant),
/// `noise1..noise6`, `const` (7.0) and `sentinel_col` (noise; row 5 = [`SENTINEL`] when
/// `plant`), plus clinical columns `clin_a` (informative) and `clin_b` (noise) returned
/// separately.
pub fn synthetic(n: usize, shift: f64, seed: u64, plant: bool) -> (Matrix, Matrix, Vec<bool>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let y: Vec<bool> = (0..n).map(|i| i % 2 == 0 || rng.gen_bool(0.1)).collect();
    let mut names: Vec<String> = ["sig1", "sig2", "sig3", "sig1_copy"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    names.extend((1..=6).map(|k| format!("noise{k}")));
    names.push("const".into());
    names.push("sentinel_col".into());
    let mut data = Vec::with_capacity(n * names.len());
    let mut clin = Vec::with_capacity(n * 2);
    for (i, &yi) in y.iter().enumerate() {
        let s = if yi { shift / 2.0 } else { -shift / 2.0 };
        let sig1 = s + normal(&mut rng);
        data.push(sig1);
        data.push(0.8 * s + normal(&mut rng));
        data.push(0.6 * s + normal(&mut rng));
        data.push(sig1 + 0.05 * normal(&mut rng));
        for _ in 0..6 {
            data.push(normal(&mut rng));
        }
        data.push(7.0);
        let v = normal(&mut rng);
        data.push(if plant && i == 5 { SENTINEL } else { v });
        clin.push(1.2 * s + normal(&mut rng));
        clin.push(normal(&mut rng));
    }
    let p = names.len();
    (
        Matrix::new(data, n, p, names).unwrap(),
        Matrix::new(clin, n, 2, vec!["clin_a".into(), "clin_b".into()]).unwrap(),
        y,
    )
}
