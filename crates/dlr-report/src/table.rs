//! Plain tables (caption, header, rows, notes) rendered as Markdown, CSV or HTML, plus builders
//! for the study's standard tables: Table 1 (baseline characteristics), model performance per
//! cohort, and pairwise DeLong comparisons.

use crate::error::{invalid, Result};
use crate::format::{fmt_ci, fmt_num, fmt_p};
use crate::html::escape_html;
use serde::{Deserialize, Serialize};

/// A table of preformatted text cells. Ragged rows are padded with empty cells on output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Caption, without the "Table N." prefix (the report numbers tables).
    pub caption: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Body rows, one `Vec` of cells per row.
    pub rows: Vec<Vec<String>>,
    /// Footnotes (abbreviations, tests used), printed below the table.
    pub notes: Vec<String>,
}

impl Table {
    /// Number of columns: the widest of the header and every row.
    pub fn n_cols(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.header.len()))
            .max()
            .unwrap_or(0)
    }

    fn padded(&self, row: &[String]) -> Vec<String> {
        let mut r = row.to_vec();
        r.resize(self.n_cols(), String::new());
        r
    }

    /// GitHub-flavoured Markdown: caption in bold, the pipe table, then the notes; `|` in cells
    /// is escaped and line breaks become spaces.
    pub fn to_markdown(&self) -> String {
        let cell = |s: &str| s.replace('|', "\\|").replace(['\r', '\n'], " ");
        let line = |cells: Vec<String>| {
            let inner: Vec<String> = cells.iter().map(|c| cell(c)).collect();
            format!("| {} |\n", inner.join(" | "))
        };
        let mut out = String::new();
        if !self.caption.is_empty() {
            out.push_str(&format!("**{}**\n\n", cell(&self.caption)));
        }
        out.push_str(&line(self.padded(&self.header)));
        out.push_str(&line(vec!["---".to_string(); self.n_cols()]));
        for r in &self.rows {
            out.push_str(&line(self.padded(r)));
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                out.push_str(&cell(n));
                out.push('\n');
            }
        }
        out
    }

    /// RFC 4180 CSV of the header and rows (caption and notes are not data and are left out),
    /// written by the `csv` crate: fields holding a comma, quote or line break are quoted, lines
    /// end with `\n`, ragged rows are padded.
    pub fn to_csv(&self) -> Result<String> {
        let err = |e: String| invalid("CSV table", e);
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in std::iter::once(&self.header).chain(self.rows.iter()) {
            w.write_record(self.padded(r))
                .map_err(|e| err(e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| err(e.to_string()))
    }

    /// HTML `<table>` with `<caption>`, `<thead>`, `<tbody>` and the notes in `<tfoot>`; every
    /// cell is HTML-escaped.
    pub fn to_html(&self) -> String {
        self.render_html(None)
    }

    /// HTML with an optional "Table N." prefix in the caption (used by the report).
    pub(crate) fn render_html(&self, number: Option<usize>) -> String {
        let n = self.n_cols();
        let mut out = String::from("<table class=\"dlr-table\">\n");
        if !self.caption.is_empty() || number.is_some() {
            out.push_str("<caption>");
            if let Some(k) = number {
                out.push_str(&format!("<span class=\"num\">Table {k}.</span> "));
            }
            out.push_str(&escape_html(&self.caption));
            out.push_str("</caption>\n");
        }
        out.push_str("<thead><tr>");
        for h in self.padded(&self.header) {
            out.push_str(&format!("<th>{}</th>", escape_html(&h)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            out.push_str("<tr>");
            for c in self.padded(r) {
                out.push_str(&format!("<td>{}</td>", escape_html(&c)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
        if !self.notes.is_empty() {
            out.push_str("<tfoot>\n");
            for note in &self.notes {
                out.push_str(&format!(
                    "<tr><td colspan=\"{}\">{}</td></tr>\n",
                    n.max(1),
                    escape_html(note)
                ));
            }
            out.push_str("</tfoot>\n");
        }
        out.push_str("</table>\n");
        out
    }
}

/// A point estimate with an optional confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower and upper confidence bounds, when computed.
    pub ci: Option<(f64, f64)>,
}

impl Estimate {
    /// Estimate without interval.
    pub fn point(value: f64) -> Self {
        Self { value, ci: None }
    }

    /// Estimate with interval.
    pub fn with_ci(value: f64, low: f64, high: f64) -> Self {
        Self {
            value,
            ci: Some((low, high)),
        }
    }

    /// Three decimals, with `(low–high)` when the interval is present.
    pub fn to_text(&self) -> String {
        match self.ci {
            Some((lo, hi)) => fmt_ci(self.value, lo, hi),
            None => fmt_num(self.value, 3),
        }
    }
}

/// One line of Table 1: a variable (or a level of it) summarised per cohort.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineRow {
    /// Variable name, e.g. "Age, years" or "  Male" for a level.
    pub variable: String,
    /// Preformatted summary per cohort (see [`crate::format`]), same order as the cohort headers.
    pub values: Vec<String>,
    /// P value of the between-cohort test, if one was run.
    pub p_value: Option<f64>,
}

/// Table 1 (baseline characteristics): "Characteristic", one column per cohort, "P value".
pub fn baseline_table(caption: &str, cohorts: &[String], rows: &[BaselineRow]) -> Table {
    let with_p = rows.iter().any(|r| r.p_value.is_some());
    let mut header = vec!["Characteristic".to_string()];
    header.extend(cohorts.iter().cloned());
    if with_p {
        header.push("P value".to_string());
    }
    let rows = rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.variable.clone()];
            let mut vals = r.values.clone();
            vals.resize(cohorts.len(), String::new());
            cells.extend(vals);
            if with_p {
                cells.push(r.p_value.map(fmt_p).unwrap_or_default());
            }
            cells
        })
        .collect();
    Table {
        caption: caption.to_string(),
        header,
        rows,
        notes: Vec::new(),
    }
}

/// Discrimination and threshold metrics of one model in one cohort (Table 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerformanceRow {
    /// Model name ("Clinical", "Radiomics", "Combined").
    pub model: String,
    /// Cohort name ("Training", "Validation").
    pub cohort: String,
    /// Area under the ROC curve (CI usually DeLong).
    pub auc: Estimate,
    /// Accuracy at the chosen (Youden) threshold.
    pub accuracy: Estimate,
    /// Sensitivity.
    pub sensitivity: Estimate,
    /// Specificity.
    pub specificity: Estimate,
    /// Positive predictive value.
    pub ppv: Estimate,
    /// Negative predictive value.
    pub npv: Estimate,
}

/// Table 2: model performance per cohort, with standard abbreviations as notes.
pub fn performance_table(caption: &str, rows: &[PerformanceRow]) -> Table {
    let header = [
        "Model",
        "Cohort",
        "AUC (95% CI)",
        "Accuracy",
        "Sensitivity",
        "Specificity",
        "PPV",
        "NPV",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.model.clone(),
                r.cohort.clone(),
                r.auc.to_text(),
                r.accuracy.to_text(),
                r.sensitivity.to_text(),
                r.specificity.to_text(),
                r.ppv.to_text(),
                r.npv.to_text(),
            ]
        })
        .collect();
    Table {
        caption: caption.to_string(),
        header,
        rows,
        notes: vec![
            "AUC, area under the receiver operating characteristic curve; CI, confidence interval; PPV, positive predictive value; NPV, negative predictive value."
                .to_string(),
        ],
    }
}

/// One pairwise DeLong comparison of two correlated ROC curves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DelongRow {
    /// Cohort the comparison was made in.
    pub cohort: String,
    /// First model.
    pub model_a: String,
    /// Second model.
    pub model_b: String,
    /// AUC of the first model.
    pub auc_a: f64,
    /// AUC of the second model.
    pub auc_b: f64,
    /// AUC difference (a − b) with its confidence interval.
    pub difference: Estimate,
    /// Two-sided DeLong p value.
    pub p_value: f64,
}

/// DeLong comparison table: cohort, comparison, both AUCs, ΔAUC (95% CI), P value.
pub fn delong_table(caption: &str, rows: &[DelongRow]) -> Table {
    let header = [
        "Cohort",
        "Comparison",
        "AUC A",
        "AUC B",
        "ΔAUC (95% CI)",
        "P value",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                r.cohort.clone(),
                format!("{} vs {}", r.model_a, r.model_b),
                fmt_num(r.auc_a, 3),
                fmt_num(r.auc_b, 3),
                r.difference.to_text(),
                fmt_p(r.p_value),
            ]
        })
        .collect();
    Table {
        caption: caption.to_string(),
        header,
        rows,
        notes: vec![
            "ΔAUC = AUC A − AUC B; P values from DeLong's test for two correlated ROC curves."
                .to_string(),
        ],
    }
}
