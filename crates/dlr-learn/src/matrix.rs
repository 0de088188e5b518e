//! A light dense matrix: row-major `Vec<f64>` with named columns.
//!
//! Rows are observations (patients), columns are features. Selectors and models take a
//! [`Matrix`] plus labels; [`Matrix::select_rows`] and [`Matrix::select_columns`] build the
//! training/validation views used by every validation scheme.

use crate::error::{LearnError, Result};

/// Dense row-major matrix of `f64` with one name per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    data: Vec<f64>,
    n_rows: usize,
    n_cols: usize,
    names: Vec<String>,
}

impl Matrix {
    /// Builds a matrix from row-major data; `names` must have `n_cols` entries.
    pub fn new(data: Vec<f64>, n_rows: usize, n_cols: usize, names: Vec<String>) -> Result<Self> {
        if data.len() != n_rows * n_cols {
            return Err(LearnError::Shape {
                context: "Matrix::new data length".into(),
                expected: n_rows * n_cols,
                got: data.len(),
            });
        }
        if names.len() != n_cols {
            return Err(LearnError::Shape {
                context: "Matrix::new column names".into(),
                expected: n_cols,
                got: names.len(),
            });
        }
        Ok(Self {
            data,
            n_rows,
            n_cols,
            names,
        })
    }

    /// Builds a matrix from row-major data with names `x1..xp`.
    pub fn from_rows_unnamed(data: Vec<f64>, n_rows: usize, n_cols: usize) -> Result<Self> {
        let names = (1..=n_cols).map(|j| format!("x{j}")).collect();
        Self::new(data, n_rows, n_cols, names)
    }

    /// Builds a matrix from columns (all the same length) and their names.
    pub fn from_columns(columns: &[Vec<f64>], names: Vec<String>) -> Result<Self> {
        let n_cols = columns.len();
        let n_rows = columns.first().map_or(0, |c| c.len());
        if let Some(bad) = columns.iter().find(|c| c.len() != n_rows) {
            return Err(LearnError::Shape {
                context: "Matrix::from_columns column length".into(),
                expected: n_rows,
                got: bad.len(),
            });
        }
        let mut data = vec![0.0; n_rows * n_cols];
        for (j, c) in columns.iter().enumerate() {
            for (i, v) in c.iter().enumerate() {
                data[i * n_cols + j] = *v;
            }
        }
        Self::new(data, n_rows, n_cols, names)
    }

    /// Number of rows (observations).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns (features).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Column names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Row-major data.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// Element at row `i`, column `j` (panics only on an out-of-range index, a programming error).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n_cols + j]
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    /// Column `j` copied into a vector.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.n_rows).map(|i| self.get(i, j)).collect()
    }

    /// All columns copied (column-major view, handy for per-feature kernels).
    pub fn columns(&self) -> Vec<Vec<f64>> {
        (0..self.n_cols).map(|j| self.column(j)).collect()
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A new matrix holding the given rows (in the given order; repeats allowed for bootstraps).
    pub fn select_rows(&self, rows: &[usize]) -> Result<Self> {
        let mut data = Vec::with_capacity(rows.len() * self.n_cols);
        for &i in rows {
            if i >= self.n_rows {
                return Err(LearnError::data(
                    "Matrix::select_rows",
                    format!("row {i} out of range ({} rows)", self.n_rows),
                ));
            }
            data.extend_from_slice(self.row(i));
        }
        Self::new(data, rows.len(), self.n_cols, self.names.clone())
    }

    /// A new matrix holding the given columns, in the given order.
    pub fn select_columns(&self, cols: &[usize]) -> Result<Self> {
        if let Some(&bad) = cols.iter().find(|&&j| j >= self.n_cols) {
            return Err(LearnError::data(
                "Matrix::select_columns",
                format!("column {bad} out of range ({} columns)", self.n_cols),
            ));
        }
        let mut data = Vec::with_capacity(self.n_rows * cols.len());
        for i in 0..self.n_rows {
            let r = self.row(i);
            data.extend(cols.iter().map(|&j| r[j]));
        }
        let names = cols.iter().map(|&j| self.names[j].clone()).collect();
        Self::new(data, self.n_rows, cols.len(), names)
    }

    /// A new matrix holding the named columns, in the given order.
    pub fn select_named(&self, names: &[String]) -> Result<Self> {
        let idx = names
            .iter()
            .map(|n| {
                self.column_index(n).ok_or_else(|| {
                    LearnError::Usage(format!("feature {n:?} not found in the matrix"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.select_columns(&idx)
    }

    /// Appends the columns of `other` (same number of rows) to the right.
    pub fn hstack(&self, other: &Matrix) -> Result<Self> {
        if other.n_rows != self.n_rows {
            return Err(LearnError::Shape {
                context: "Matrix::hstack rows".into(),
                expected: self.n_rows,
                got: other.n_rows,
            });
        }
        let n_cols = self.n_cols + other.n_cols;
        let mut data = Vec::with_capacity(self.n_rows * n_cols);
        for i in 0..self.n_rows {
            data.extend_from_slice(self.row(i));
            data.extend_from_slice(other.row(i));
        }
        let mut names = self.names.clone();
        names.extend(other.names.iter().cloned());
        Self::new(data, self.n_rows, n_cols, names)
    }

    /// Errors if any value is NaN or infinite, naming the first offending feature.
    pub fn check_finite(&self, context: &str) -> Result<()> {
        for i in 0..self.n_rows {
            for j in 0..self.n_cols {
                let v = self.get(i, j);
                if !v.is_finite() {
                    return Err(LearnError::data(
                        context,
                        format!("feature {:?} has a non-finite value ({v}) in row {i}; impute or drop it before selection", self.names[j]),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Checks that labels match the matrix rows and both classes are present.
pub(crate) fn check_labels(x: &Matrix, y: &[bool], context: &str) -> Result<(usize, usize)> {
    if y.len() != x.n_rows() {
        return Err(LearnError::Shape {
            context: format!("{context}: labels vs rows"),
            expected: x.n_rows(),
            got: y.len(),
        });
    }
    let n_pos = y.iter().filter(|&&b| b).count();
    let n_neg = y.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return Err(LearnError::data(
            context,
            format!("both classes are needed, got {n_pos} positive and {n_neg} negative"),
        ));
    }
    Ok((n_pos, n_neg))
}
