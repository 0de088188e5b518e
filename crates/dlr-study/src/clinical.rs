//! The clinical table: one row per patient with the outcome (0/1) and covariates.
//!
//! Covariate types are declared in [`ClinicalOptions::types`] or detected from the non-missing
//! cells ([`detect_type`]): all of them numbers → numeric; none of them a number → categorical;
//! a mix → the type of the majority (ties: numeric), and every cell of the minority is kept as
//! [`ClinicalValue::Invalid`] so that validation reports it as an error. Non-finite numbers
//! (`inf`, `-inf`, `NaN` when not a missing token) are never valid numeric values. Reading never
//! silently drops or converts a value: a stray `62 years` in `age` is an error, not a reason to
//! make `age` categorical.

use crate::error::Result;
use crate::table::read_csv;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Type of a covariate column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// Real numbers.
    Numeric,
    /// Free labels (levels sorted as strings).
    Categorical,
}

/// How to read a clinical CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClinicalOptions {
    /// Patient identifier column.
    pub id_column: String,
    /// Outcome column (values 0/1).
    pub outcome: String,
    /// Covariates to keep; `None` keeps every column other than id and outcome.
    pub covariates: Option<Vec<String>>,
    /// Declared column types overriding detection.
    pub types: BTreeMap<String, ColumnType>,
    /// Cell values meaning "missing" (compared after trimming; the empty cell always is).
    pub missing_tokens: Vec<String>,
    /// Whether the outcome column must exist (new patients to score have none: `false`).
    pub outcome_required: bool,
}

impl Default for ClinicalOptions {
    fn default() -> Self {
        Self {
            id_column: "patient_id".into(),
            outcome: "outcome".into(),
            covariates: None,
            types: BTreeMap::new(),
            missing_tokens: ["NA", "N/A", "NaN", "nan", "null", "NULL", "."]
                .map(String::from)
                .to_vec(),
            outcome_required: true,
        }
    }
}

impl ClinicalOptions {
    /// Options with the given outcome column and defaults otherwise.
    pub fn with_outcome(outcome: impl Into<String>) -> Self {
        Self {
            outcome: outcome.into(),
            ..Self::default()
        }
    }
}

/// One cell of a covariate column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClinicalValue {
    /// A number.
    Number(f64),
    /// A category label.
    Category(String),
    /// Empty or a missing token.
    Missing,
    /// A cell that does not fit its column (the raw text): text or a non-finite number in a
    /// numeric column, a number among the labels of a detected categorical column.
    Invalid(String),
}

/// Description of one covariate column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Covariate {
    /// Column name.
    pub name: String,
    /// Detected or declared type.
    pub kind: ColumnType,
    /// True when the type was declared rather than detected.
    pub declared: bool,
    /// Distinct levels of a categorical column, sorted.
    pub levels: Vec<String>,
}

/// One patient's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicalRow {
    /// 1-based line number in the CSV.
    pub line: u64,
    /// Patient identifier.
    pub patient_id: String,
    /// Raw outcome cell (`None` when missing).
    pub outcome_raw: Option<String>,
    /// Covariate values in the order of [`ClinicalTable::covariates`].
    pub values: Vec<ClinicalValue>,
}

/// Outcome cell interpreted as 0/1.
pub fn parse_outcome(raw: &str) -> Option<u8> {
    let v = raw.trim().parse::<f64>().ok()?;
    if v == 0.0 {
        Some(0)
    } else if v == 1.0 {
        Some(1)
    } else {
        None
    }
}

impl ClinicalRow {
    /// The outcome as 0/1, `None` when missing or not 0/1.
    pub fn outcome(&self) -> Option<u8> {
        self.outcome_raw.as_deref().and_then(parse_outcome)
    }
}

/// A parsed clinical table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicalTable {
    /// The CSV file.
    pub path: PathBuf,
    /// Options used to read it.
    pub options: ClinicalOptions,
    /// Covariate columns.
    pub covariates: Vec<Covariate>,
    /// Rows in file order.
    pub rows: Vec<ClinicalRow>,
}

impl ClinicalTable {
    /// The first row of a patient.
    pub fn row(&self, patient_id: &str) -> Option<&ClinicalRow> {
        self.rows.iter().find(|r| r.patient_id == patient_id)
    }

    /// Index of a covariate by name.
    pub fn covariate_index(&self, name: &str) -> Option<usize> {
        self.covariates.iter().position(|c| c.name == name)
    }
}

/// The cell as a finite number (`None` for text and for `inf`/`NaN`).
pub fn finite_number(cell: &str) -> Option<f64> {
    cell.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// True when the cell is written as a number, finite or not (`62`, `1e3`, `inf`, `NaN`).
pub fn looks_numeric(cell: &str) -> bool {
    cell.trim().parse::<f64>().is_ok()
}

/// The type of an undeclared column from its non-missing cells: numeric when at least as many
/// cells are written as numbers ([`looks_numeric`]) as not (an empty column is numeric),
/// categorical otherwise, in particular when no cell is a number. Cells of the minority become
/// [`ClinicalValue::Invalid`].
pub fn detect_type<'a>(cells: impl IntoIterator<Item = &'a str>) -> ColumnType {
    let (mut numbers, mut texts) = (0usize, 0usize);
    for cell in cells {
        if looks_numeric(cell) {
            numbers += 1;
        } else {
            texts += 1;
        }
    }
    if numbers >= texts {
        ColumnType::Numeric
    } else {
        ColumnType::Categorical
    }
}

/// Reads a clinical CSV. Fails when the file cannot be read or parsed, or when the id, outcome,
/// a requested covariate or a column with a declared type is absent.
pub fn read_clinical(path: &Path, options: &ClinicalOptions) -> Result<ClinicalTable> {
    let table = read_csv(path)?;
    let id = table.require(&options.id_column, "set the clinical id column")?;
    let outcome = if options.outcome_required {
        Some(table.require(&options.outcome, "set the outcome column name")?)
    } else {
        table.header.iter().position(|h| *h == options.outcome)
    };
    for name in options.types.keys() {
        table.require(
            name,
            "a type is declared for a column the table does not have",
        )?;
    }
    let names: Vec<String> = match &options.covariates {
        Some(list) => {
            for name in list {
                table.require(name, "remove it from the covariate list or fix its name")?;
            }
            list.clone()
        }
        None => table
            .header
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != id && Some(*i) != outcome)
            .map(|(_, h)| h.clone())
            .collect(),
    };
    let is_missing = |cell: &str| {
        let t = cell.trim();
        t.is_empty() || options.missing_tokens.iter().any(|m| m == t)
    };
    let mut covariates = Vec::with_capacity(names.len());
    let mut columns: Vec<Vec<ClinicalValue>> = Vec::with_capacity(names.len());
    for name in &names {
        let c = table.require(name, "fix the covariate name")?;
        let cells: Vec<&str> = table.rows.iter().map(|r| r.cells[c].trim()).collect();
        let declared = options.types.get(name).copied();
        let kind = declared
            .unwrap_or_else(|| detect_type(cells.iter().copied().filter(|s| !is_missing(s))));
        let values: Vec<ClinicalValue> = cells
            .iter()
            .map(|s| {
                if is_missing(s) {
                    return ClinicalValue::Missing;
                }
                match kind {
                    ColumnType::Numeric => finite_number(s)
                        .map(ClinicalValue::Number)
                        .unwrap_or_else(|| ClinicalValue::Invalid(s.to_string())),
                    // A detected categorical column may hold a few numbers: those are the
                    // stray cells. A declared one takes every cell as a label.
                    ColumnType::Categorical if declared.is_none() && looks_numeric(s) => {
                        ClinicalValue::Invalid(s.to_string())
                    }
                    ColumnType::Categorical => ClinicalValue::Category(s.to_string()),
                }
            })
            .collect();
        let mut levels: Vec<String> = values
            .iter()
            .filter_map(|v| match v {
                ClinicalValue::Category(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        levels.sort();
        levels.dedup();
        covariates.push(Covariate {
            name: name.clone(),
            kind,
            declared: declared.is_some(),
            levels,
        });
        columns.push(values);
    }
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| ClinicalRow {
            line: row.line,
            patient_id: row.cells[id].trim().to_string(),
            outcome_raw: outcome
                .map(|o| row.cells[o].trim().to_string())
                .filter(|s| !is_missing(s)),
            values: columns.iter().map(|col| col[r].clone()).collect(),
        })
        .collect();
    Ok(ClinicalTable {
        path: path.to_path_buf(),
        options: options.clone(),
        covariates,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_numeric_and_categorical_and_honours_declared_types() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(
            &p,
            "patient_id,y,age,sex,stage\nA,1,61,M,2\nB,0,NA,F,3\nC,0,70.5,,1\n",
        )
        .unwrap();
        let mut o = ClinicalOptions::with_outcome("y");
        o.types.insert("stage".into(), ColumnType::Categorical);
        let t = read_clinical(&p, &o).unwrap();
        let kinds: Vec<_> = t
            .covariates
            .iter()
            .map(|c| (c.name.as_str(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("age", ColumnType::Numeric),
                ("sex", ColumnType::Categorical),
                ("stage", ColumnType::Categorical)
            ]
        );
        assert_eq!(t.covariates[1].levels, ["F", "M"]);
        assert_eq!(t.rows[1].values[0], ClinicalValue::Missing);
        assert_eq!(t.rows[2].values[0], ClinicalValue::Number(70.5));
        assert_eq!(t.rows[2].values[1], ClinicalValue::Missing);
        assert_eq!(t.rows[0].outcome(), Some(1));
        assert_eq!(t.rows[0].line, 2);
    }

    #[test]
    fn detected_type_is_the_majority_with_ties_and_empty_columns_numeric() {
        use ColumnType::*;
        assert_eq!(detect_type(["1", "2.5", "-3e2"]), Numeric);
        assert_eq!(detect_type(["M", "F"]), Categorical);
        assert_eq!(detect_type(["62 years", "61", "inf"]), Numeric);
        assert_eq!(detect_type(["1", "x"]), Numeric);
        assert_eq!(detect_type(["yes", "no", "1"]), Categorical);
        assert_eq!(detect_type(std::iter::empty::<&str>()), Numeric);
        assert_eq!(finite_number(" 4.5 "), Some(4.5));
        assert_eq!(finite_number("-inf"), None);
        assert!(looks_numeric("NaN") && !looks_numeric("62 years"));
    }

    #[test]
    fn missing_declared_column_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "patient_id,y\nA,1\n").unwrap();
        let mut o = ClinicalOptions::with_outcome("y");
        o.types.insert("age".into(), ColumnType::Numeric);
        let e = read_clinical(&p, &o).unwrap_err().to_string();
        assert!(e.contains("no column `age`"), "{e}");
    }
}
