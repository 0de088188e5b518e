//! Wide feature tables: one row per patient (and reader), one column per phase-prefixed feature.
//!
//! Extraction yields one feature list per ROI (patient × phase × reader). A study model needs
//! one row per patient with the phases side by side, each feature named `<phase>_<feature>`
//! (`US_Mean`, `AP_Perc.50%`), as in the paper's rad-score.

use crate::error::{PipelineError, Result};
use crate::parquet::ParquetColumn;
use crate::store::write_atomic;
use dlr_image::FeatureValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Which ROI a feature list belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoiKey {
    /// Patient identifier.
    pub patient: String,
    /// Phase name (`US`, `AP`, `PP`).
    pub phase: String,
    /// Reader identifier (`1` when the manifest has none).
    pub reader: String,
}

/// The features of one ROI.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoiFeatures {
    /// The ROI.
    pub key: RoiKey,
    /// Its features, bare names (without phase prefix).
    pub features: Vec<FeatureValue>,
}

/// A patients × features table with named rows and columns (row-major).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureTable {
    /// Row identifiers (patient ids).
    pub rows: Vec<String>,
    /// Column names (`<phase>_<feature>`).
    pub columns: Vec<String>,
    /// Values, row-major; NaN where a ROI or feature was missing.
    pub values: Vec<f64>,
}

impl FeatureTable {
    /// Value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.values[i * self.columns.len() + j]
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        let n = self.columns.len();
        &self.values[i * n..(i + 1) * n]
    }

    /// Index of a row by id.
    pub fn row_index(&self, id: &str) -> Option<usize> {
        self.rows.iter().position(|r| r == id)
    }

    /// Keeps the listed columns (by index), in that order.
    pub fn select_columns(&self, cols: &[usize]) -> FeatureTable {
        let n = self.columns.len();
        let mut values = Vec::with_capacity(self.rows.len() * cols.len());
        for i in 0..self.rows.len() {
            for &j in cols {
                values.push(self.values[i * n + j]);
            }
        }
        FeatureTable {
            rows: self.rows.clone(),
            columns: cols.iter().map(|&j| self.columns[j].clone()).collect(),
            values,
        }
    }

    /// Columns whose values are finite in every row.
    pub fn complete_columns(&self) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&j| (0..self.rows.len()).all(|i| self.get(i, j).is_finite()))
            .collect()
    }

    /// Writes the table as CSV with `id_name` as the first header, atomically.
    pub fn write_csv(&self, path: &Path, id_name: &str) -> Result<()> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| PipelineError::Data(format!("{}: {e}", path.display()));
        let mut header = vec![id_name.to_string()];
        header.extend(self.columns.iter().cloned());
        w.write_record(&header).map_err(csv_err)?;
        for (i, id) in self.rows.iter().enumerate() {
            let mut rec = vec![id.clone()];
            rec.extend(self.row(i).iter().map(|v| format_value(*v)));
            w.write_record(&rec).map_err(csv_err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| PipelineError::Data(format!("{}: {e}", path.display())))?;
        write_atomic(path, &bytes)
    }

    /// Writes the table as CSV or Parquet by the extension of `path` (`id_name` is the first
    /// column, a string column of the row ids), atomically.
    pub fn write(&self, path: &Path, id_name: &str) -> Result<()> {
        match TableFormat::from_path(path)? {
            TableFormat::Csv => self.write_csv(path, id_name),
            TableFormat::Parquet => write_keyed_table(
                path,
                &[(id_name, self.rows.clone())],
                &self.columns,
                &self.values,
            ),
        }
    }
}

/// The file formats a feature table can be written in, chosen by the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// `.csv`: comma-separated, NaN as an empty field.
    Csv,
    /// `.parquet`: Apache Parquet, NaN as IEEE NaN (see [`crate::parquet`]).
    Parquet,
}

impl TableFormat {
    /// The format of an output path by its extension (`.csv` or `.parquet`, any case); other
    /// extensions are refused with a message naming both.
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Ok(TableFormat::Csv),
            "parquet" => Ok(TableFormat::Parquet),
            _ => Err(PipelineError::Unsupported(format!(
                "output {}: tables are written as .csv or .parquet; use one of these extensions",
                path.display()
            ))),
        }
    }
}

/// Writes a table with string key columns (`keys`: name and one value per row) followed by
/// `f64` columns (`columns`, values row-major in `values`), as CSV or Parquet by the extension
/// of `path`, atomically.
pub fn write_keyed_table(
    path: &Path,
    keys: &[(&str, Vec<String>)],
    columns: &[String],
    values: &[f64],
) -> Result<()> {
    let rows = keys.first().map_or(0, |k| k.1.len());
    let n = columns.len();
    if keys.iter().any(|k| k.1.len() != rows) || values.len() != rows * n {
        return Err(PipelineError::Data(format!(
            "{}: table shape mismatch ({rows} rows, {n} columns, {} values)",
            path.display(),
            values.len()
        )));
    }
    match TableFormat::from_path(path)? {
        TableFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let csv_err = |e: csv::Error| PipelineError::Data(format!("{}: {e}", path.display()));
            let mut header: Vec<String> = keys.iter().map(|k| k.0.to_string()).collect();
            header.extend(columns.iter().cloned());
            w.write_record(&header).map_err(csv_err)?;
            for i in 0..rows {
                let mut rec: Vec<String> = keys.iter().map(|k| k.1[i].clone()).collect();
                rec.extend(values[i * n..(i + 1) * n].iter().map(|v| format_value(*v)));
                w.write_record(&rec).map_err(csv_err)?;
            }
            let bytes = w
                .into_inner()
                .map_err(|e| PipelineError::Data(format!("{}: {e}", path.display())))?;
            write_atomic(path, &bytes)
        }
        TableFormat::Parquet => {
            let mut cols: Vec<ParquetColumn> = keys
                .iter()
                .map(|(name, v)| ParquetColumn::utf8(*name, v.clone()))
                .collect();
            for (j, name) in columns.iter().enumerate() {
                let col: Vec<f64> = (0..rows).map(|i| values[i * n + j]).collect();
                cols.push(ParquetColumn::f64(name.clone(), col));
            }
            crate::parquet::write(path, &cols)
        }
    }
}

/// Formats a value for CSV: shortest round-trip representation, empty for NaN.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v}")
    }
}

/// Builds the wide table of one reader: rows = `patients`, columns = `<phase>_<feature>` in
/// phase order then feature order of the first ROI that has the phase. Missing ROIs give NaN.
pub fn assemble(
    rois: &[RoiFeatures],
    patients: &[String],
    phases: &[String],
    reader: &str,
) -> FeatureTable {
    let mut by_key: HashMap<(&str, &str), &RoiFeatures> = HashMap::new();
    for r in rois.iter().filter(|r| r.key.reader == reader) {
        by_key.insert((r.key.patient.as_str(), r.key.phase.as_str()), r);
    }
    // Column order per phase from the first ROI with that phase (engines return a fixed order).
    let mut columns = Vec::new();
    let mut col_index: BTreeMap<(String, String), usize> = BTreeMap::new();
    for phase in phases {
        if let Some(first) = rois
            .iter()
            .find(|r| &r.key.phase == phase && r.key.reader == reader)
        {
            for f in &first.features {
                let key = (phase.clone(), f.name.clone());
                if let std::collections::btree_map::Entry::Vacant(e) = col_index.entry(key) {
                    e.insert(columns.len());
                    columns.push(format!("{phase}_{}", f.name));
                }
            }
        }
    }
    let n = columns.len();
    let mut values = vec![f64::NAN; patients.len() * n];
    for (i, p) in patients.iter().enumerate() {
        for phase in phases {
            if let Some(r) = by_key.get(&(p.as_str(), phase.as_str())) {
                for f in &r.features {
                    if let Some(&j) = col_index.get(&(phase.clone(), f.name.clone())) {
                        values[i * n + j] = f.value;
                    }
                }
            }
        }
    }
    FeatureTable {
        rows: patients.to_vec(),
        columns,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roi(p: &str, ph: &str, r: &str, vals: &[(&str, f64)]) -> RoiFeatures {
        RoiFeatures {
            key: RoiKey {
                patient: p.into(),
                phase: ph.into(),
                reader: r.into(),
            },
            features: vals
                .iter()
                .map(|(n, v)| FeatureValue::new(*n, *v))
                .collect(),
        }
    }

    #[test]
    fn assemble_prefixes_phases_and_marks_missing() {
        let rois = vec![
            roi("a", "US", "1", &[("Mean", 1.0), ("Perc.50%", 2.0)]),
            roi("a", "AP", "1", &[("Mean", 3.0), ("Perc.50%", 4.0)]),
            roi("b", "US", "1", &[("Mean", 5.0), ("Perc.50%", 6.0)]),
            roi("b", "US", "2", &[("Mean", 50.0), ("Perc.50%", 60.0)]),
        ];
        let t = assemble(
            &rois,
            &["a".into(), "b".into()],
            &["US".into(), "AP".into()],
            "1",
        );
        assert_eq!(
            t.columns,
            ["US_Mean", "US_Perc.50%", "AP_Mean", "AP_Perc.50%"]
        );
        assert_eq!(t.row(0), &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(&t.row(1)[..2], &[5.0, 6.0]);
        assert!(t.get(1, 2).is_nan());
        assert_eq!(t.complete_columns(), vec![0, 1]);
        let t2 = assemble(&rois, &["b".into()], &["US".into()], "2");
        assert_eq!(t2.row(0), &[50.0, 60.0]);
    }

    #[test]
    fn csv_has_header_and_blank_for_missing() {
        let t = FeatureTable {
            rows: vec!["p1".into()],
            columns: vec!["US_Mean".into(), "AP_Mean".into()],
            values: vec![1.5, f64::NAN],
        };
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.csv");
        t.write_csv(&p, "patient_id").unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "patient_id,US_Mean,AP_Mean\np1,1.5,\n"
        );
    }
}
