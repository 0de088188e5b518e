//! A minimal CSV table (header + string cells with line numbers) shared by the manifest and
//! clinical readers.

use crate::error::{Result, StudyError};
use std::path::{Path, PathBuf};

/// One data row.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// 1-based line number in the file.
    pub line: u64,
    /// Cells in header order.
    pub cells: Vec<String>,
}

/// A CSV file read as strings.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The file.
    pub path: PathBuf,
    /// Column names (trimmed, BOM removed).
    pub header: Vec<String>,
    /// Data rows; fully blank lines are skipped.
    pub rows: Vec<Row>,
}

impl Table {
    /// Index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of a column, or a [`StudyError::MissingColumn`] with a hint.
    pub fn require(&self, name: &str, hint: &str) -> Result<usize> {
        self.column(name).ok_or_else(|| StudyError::MissingColumn {
            path: self.path.clone(),
            column: name.to_string(),
            available: self.header.join(","),
            hint: hint.to_string(),
        })
    }
}

/// Reads a CSV file with a header row (comma separated, quotes allowed, CRLF or LF).
pub(crate) fn read_csv(path: &Path) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let csv_err = |e: csv::Error| StudyError::Csv {
        path: path.to_path_buf(),
        line: e.position().map(|p| p.line()),
        reason: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = reader
        .headers()
        .map_err(csv_err)?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            };
            h.trim().to_string()
        })
        .collect();
    if header.iter().all(|h| h.is_empty()) {
        return Err(StudyError::Csv {
            path: path.to_path_buf(),
            line: Some(1),
            reason: "the file has no header row".into(),
        });
    }
    // Line numbers from byte offsets (the CSV parser's own line count lags on CRLF files).
    let newlines: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let line_at = |byte: u64| -> u64 {
        let mut b = byte as usize;
        while b < bytes.len() && (bytes[b] == b'\r' || bytes[b] == b'\n') {
            b += 1;
        }
        1 + newlines.partition_point(|&n| n < b) as u64
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_err)?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record.position().map(|p| line_at(p.byte())).unwrap_or(0);
        rows.push(Row {
            line,
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(Table {
        path: path.to_path_buf(),
        header,
        rows,
    })
}
