//! "Table 1" of a clinical paper: each variable summarised per group (continuous: mean ± SD or
//! median [IQR] with R type-7 quantiles; categorical: n (%) per level, column percentages) with
//! the matching test and p-value, rendered to CSV or Markdown. Tests follow `golden/table1.json`:
//! Welch or Student t, or Mann–Whitney (normal approximation with tie and continuity correction,
//! R `wilcox.test(exact = FALSE)`), for two groups; Pearson chi-square (on 2×2 tables with Yates'
//! continuity correction unless switched off, as R `chisq.test`) or Fisher exact for categorical
//! variables with any number of groups.

use crate::error::{Result, StatsError};
use crate::group::{chi_square, fisher_exact, student_t, welch_t};
use crate::mann_whitney::{mann_whitney_u, MannWhitneyOptions, MwMethod};
use crate::roc::quantile_type7_sorted;
use serde::{Deserialize, Serialize};

/// Mean, SD, median and quartiles of one group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ContinuousSummary {
    /// Number of non-missing values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample SD (n - 1); NaN for n = 1.
    pub sd: f64,
    /// Median.
    pub median: f64,
    /// First quartile (type 7).
    pub q1: f64,
    /// Third quartile (type 7).
    pub q3: f64,
}

/// Summary statistics of finite values (NaN is treated as missing and skipped).
pub fn continuous_summary(x: &[f64]) -> Result<ContinuousSummary> {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    if v.iter().any(|v| v.is_infinite()) {
        return Err(StatsError::input("continuous_summary", "infinite value"));
    }
    if v.is_empty() {
        return Err(StatsError::input(
            "continuous_summary",
            "no non-missing values",
        ));
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    Ok(ContinuousSummary {
        n: v.len(),
        mean,
        sd,
        median: quantile_type7_sorted(&v, 0.5),
        q1: quantile_type7_sorted(&v, 0.25),
        q3: quantile_type7_sorted(&v, 0.75),
    })
}

/// A level × group contingency table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contingency {
    /// Row (variable) levels, sorted as R's `table()` (numerically if all numeric).
    pub row_levels: Vec<String>,
    /// Column (group) levels.
    pub col_levels: Vec<String>,
    /// `counts[row][col]`.
    pub counts: Vec<Vec<u64>>,
}

fn is_missing(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "NA"
}

/// Sorted distinct levels: numeric order when every level parses as a number, else byte order.
pub fn sorted_levels(values: &[String]) -> Vec<String> {
    let mut lv: Vec<String> = values.iter().filter(|v| !is_missing(v)).cloned().collect();
    lv.sort();
    lv.dedup();
    if lv.iter().all(|l| l.trim().parse::<f64>().is_ok()) {
        lv.sort_by(|a, b| {
            let (x, y) = (
                a.trim().parse::<f64>().unwrap_or(0.0),
                b.trim().parse::<f64>().unwrap_or(0.0),
            );
            x.total_cmp(&y)
        });
    }
    lv
}

/// Cross-tabulates `values` (rows) by `groups` (columns). `group_order` fixes the columns;
/// otherwise they are the sorted distinct groups. Missing values ("" or "NA") are skipped.
pub fn contingency_table(
    values: &[String],
    groups: &[String],
    group_order: Option<&[String]>,
) -> Result<Contingency> {
    let what = "contingency_table";
    if values.len() != groups.len() {
        return Err(StatsError::input(
            what,
            format!("{} values but {} group labels", values.len(), groups.len()),
        ));
    }
    let col_levels = match group_order {
        Some(g) => g.to_vec(),
        None => sorted_levels(groups),
    };
    let row_levels = sorted_levels(values);
    let mut counts = vec![vec![0u64; col_levels.len()]; row_levels.len()];
    for (v, g) in values.iter().zip(groups) {
        if is_missing(v) {
            continue;
        }
        let (Some(i), Some(j)) = (
            row_levels.iter().position(|l| l == v),
            col_levels.iter().position(|l| l == g),
        ) else {
            continue;
        };
        counts[i][j] += 1;
    }
    Ok(Contingency {
        row_levels,
        col_levels,
        counts,
    })
}

/// The values of one Table 1 variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum VariableValues {
    /// Continuous values (NaN = missing).
    Numeric(Vec<f64>),
    /// Categorical labels ("" or "NA" = missing).
    Categorical(Vec<String>),
}

/// One variable (row block) of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table1Variable {
    /// Display name.
    pub name: String,
    /// Values, one per subject, aligned with the grouping.
    pub values: VariableValues,
}

/// How continuous variables are summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ContinuousStyle {
    /// mean ± SD.
    #[default]
    MeanSd,
    /// median [Q1, Q3].
    MedianIqr,
}

/// Test for continuous variables (two groups only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ContinuousTest {
    /// Welch t test (default with mean ± SD).
    #[default]
    Welch,
    /// Student t test (pooled variance).
    Student,
    /// Mann–Whitney U (normal approximation with tie and continuity correction).
    MannWhitney,
}

/// Test for categorical variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CategoricalTest {
    /// Chi-square (see [`ChiSquareCorrection`]) if every expected count is >= 5, else Fisher exact.
    #[default]
    Auto,
    /// Pearson chi-square, with the [`ChiSquareCorrection`] on 2×2 tables.
    ChiSquare,
    /// Fisher exact test (exact for r×c).
    Fisher,
}

/// Continuity correction of the chi-square test on 2×2 tables (R `chisq.test(correct = )`);
/// larger tables are never corrected, in R or here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ChiSquareCorrection {
    /// Yates' continuity correction, R's default (`correct = TRUE`).
    #[default]
    Yates,
    /// No correction (`correct = FALSE`).
    None,
}

impl ChiSquareCorrection {
    /// Name of the chi-square test on a 2×2 table under this correction, as Table 1 prints it.
    pub fn test_name_2x2(self) -> &'static str {
        match self {
            ChiSquareCorrection::Yates => "χ² test with Yates' continuity correction",
            ChiSquareCorrection::None => "χ² test without continuity correction",
        }
    }
}

/// Name of the chi-square test on a table larger than 2×2 (never corrected).
pub const CHI_SQUARE_TEST: &str = "χ² test";
/// Name of Fisher's exact test as Table 1 prints it.
pub const FISHER_TEST: &str = "Fisher exact test";

/// Options for [`table1`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table1Options {
    /// Summary style for continuous variables.
    pub style: ContinuousStyle,
    /// Test for continuous variables.
    pub continuous_test: ContinuousTest,
    /// Test for categorical variables.
    pub categorical_test: CategoricalTest,
    /// Continuity correction of the chi-square test on 2×2 tables (default Yates, as R).
    #[serde(default)]
    pub chi_square_correction: ChiSquareCorrection,
    /// Decimals for summaries.
    pub digits: usize,
}

impl Default for Table1Options {
    fn default() -> Self {
        Table1Options {
            style: ContinuousStyle::MeanSd,
            continuous_test: ContinuousTest::Welch,
            categorical_test: CategoricalTest::Auto,
            chi_square_correction: ChiSquareCorrection::Yates,
            digits: 2,
        }
    }
}

/// One printed row of Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1Row {
    /// Variable name (repeated on level rows).
    pub variable: String,
    /// Level for categorical level rows; None for the variable's own row.
    pub level: Option<String>,
    /// Formatted cell per group.
    pub cells: Vec<String>,
    /// The numbers behind each cell (continuous: mean, sd, median, q1, q3; level: count, percent).
    pub values: Vec<Vec<f64>>,
    /// P-value (on the variable's row only).
    pub p: Option<f64>,
    /// Name of the test used.
    pub test: Option<String>,
    /// Number of missing values of this variable (variable row only).
    pub missing: usize,
}

/// A full Table 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table1 {
    /// Group labels (columns).
    pub groups: Vec<String>,
    /// Subjects per group.
    pub group_n: Vec<usize>,
    /// Rows in print order.
    pub rows: Vec<Table1Row>,
    /// Notes for under the table: the tests used and, for categorical variables, the rule that
    /// chose them and the 2×2 continuity correction.
    pub notes: Vec<String>,
}

fn fmt(v: f64, d: usize) -> String {
    if v.is_nan() {
        "NA".to_string()
    } else {
        format!("{v:.d$}")
    }
}

/// Formats a p-value as papers do: "<0.001" or three decimals.
pub fn format_p(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 0.001 {
        "<0.001".into()
    } else {
        format!("{p:.3}")
    }
}

/// Builds Table 1 for `variables` split by `groups` (column order = `group_order` or sorted).
pub fn table1(
    variables: &[Table1Variable],
    groups: &[String],
    group_order: Option<&[String]>,
    opts: &Table1Options,
) -> Result<Table1> {
    let what = "table1";
    let glv = match group_order {
        Some(g) => g.to_vec(),
        None => sorted_levels(groups),
    };
    if glv.len() < 2 {
        return Err(StatsError::input(what, "need at least 2 groups"));
    }
    let group_n: Vec<usize> = glv
        .iter()
        .map(|g| groups.iter().filter(|x| *x == g).count())
        .collect();
    if let Some(k) = group_n.iter().position(|&n| n == 0) {
        return Err(StatsError::input(
            what,
            format!("group '{}' is empty", glv[k]),
        ));
    }
    let d = opts.digits;
    let mut tests_used: Vec<&'static str> = Vec::new();
    let mut has_categorical = false;
    let mut rows = vec![Table1Row {
        variable: "n".into(),
        level: None,
        cells: group_n.iter().map(|n| n.to_string()).collect(),
        values: group_n.iter().map(|&n| vec![n as f64]).collect(),
        p: None,
        test: None,
        missing: 0,
    }];
    for var in variables {
        let n_values = match &var.values {
            VariableValues::Numeric(v) => v.len(),
            VariableValues::Categorical(v) => v.len(),
        };
        if n_values != groups.len() {
            return Err(StatsError::input(
                what,
                format!(
                    "variable '{}' has {n_values} values but there are {} subjects",
                    var.name,
                    groups.len()
                ),
            ));
        }
        match &var.values {
            VariableValues::Numeric(v) => {
                let per: Vec<Vec<f64>> = glv
                    .iter()
                    .map(|g| {
                        v.iter()
                            .zip(groups)
                            .filter(|(x, gg)| *gg == g && !x.is_nan())
                            .map(|(x, _)| *x)
                            .collect()
                    })
                    .collect();
                let missing = v
                    .iter()
                    .zip(groups)
                    .filter(|(x, g)| x.is_nan() && glv.contains(g))
                    .count();
                let sums: Vec<ContinuousSummary> = per
                    .iter()
                    .map(|x| continuous_summary(x))
                    .collect::<Result<_>>()
                    .map_err(|e| {
                        StatsError::input(what, format!("variable '{}': {e}", var.name))
                    })?;
                if glv.len() != 2 {
                    return Err(StatsError::unsupported(
                        what,
                        format!("continuous variable '{}': tests for more than 2 groups (ANOVA/Kruskal-Wallis) are not implemented", var.name),
                    ));
                }
                let (p, test): (f64, &'static str) = match opts.continuous_test {
                    ContinuousTest::Welch => (welch_t(&per[0], &per[1])?.p, "Welch t test"),
                    ContinuousTest::Student => (student_t(&per[0], &per[1])?.p, "Student t test"),
                    ContinuousTest::MannWhitney => {
                        let o = MannWhitneyOptions {
                            method: MwMethod::Normal,
                            ..Default::default()
                        };
                        (
                            mann_whitney_u(&per[0], &per[1], &o)?.p,
                            "Mann-Whitney U test",
                        )
                    }
                };
                if !tests_used.contains(&test) {
                    tests_used.push(test);
                }
                rows.push(Table1Row {
                    variable: var.name.clone(),
                    level: None,
                    cells: sums
                        .iter()
                        .map(|s| match opts.style {
                            ContinuousStyle::MeanSd => {
                                format!("{} ± {}", fmt(s.mean, d), fmt(s.sd, d))
                            }
                            ContinuousStyle::MedianIqr => {
                                format!("{} [{}, {}]", fmt(s.median, d), fmt(s.q1, d), fmt(s.q3, d))
                            }
                        })
                        .collect(),
                    values: sums
                        .iter()
                        .map(|s| vec![s.mean, s.sd, s.median, s.q1, s.q3])
                        .collect(),
                    p: Some(p),
                    test: Some(test.into()),
                    missing,
                });
            }
            VariableValues::Categorical(v) => {
                let t = contingency_table(v, groups, Some(&glv))?;
                if t.row_levels.len() < 2 {
                    return Err(StatsError::degenerate(
                        what,
                        format!(
                            "categorical variable '{}' has fewer than 2 levels",
                            var.name
                        ),
                    ));
                }
                let missing = v
                    .iter()
                    .zip(groups)
                    .filter(|(x, g)| is_missing(x) && glv.contains(g))
                    .count();
                let is_2x2 = t.row_levels.len() == 2 && glv.len() == 2;
                let chi = || -> Result<(f64, &'static str)> {
                    if is_2x2 {
                        let yates = opts.chi_square_correction == ChiSquareCorrection::Yates;
                        Ok((
                            chi_square(&t.counts, yates)?.p,
                            opts.chi_square_correction.test_name_2x2(),
                        ))
                    } else {
                        Ok((chi_square(&t.counts, false)?.p, CHI_SQUARE_TEST))
                    }
                };
                let (p, test) = match opts.categorical_test {
                    CategoricalTest::ChiSquare => chi()?,
                    CategoricalTest::Fisher => (fisher_exact(&t.counts)?.p, FISHER_TEST),
                    CategoricalTest::Auto => {
                        // The expected counts do not depend on the correction.
                        if chi_square(&t.counts, false)?.expected_min >= 5.0 {
                            chi()?
                        } else {
                            (fisher_exact(&t.counts)?.p, FISHER_TEST)
                        }
                    }
                };
                if !tests_used.contains(&test) {
                    tests_used.push(test);
                }
                has_categorical = true;
                rows.push(Table1Row {
                    variable: var.name.clone(),
                    level: None,
                    cells: vec![String::new(); glv.len()],
                    values: vec![Vec::new(); glv.len()],
                    p: Some(p),
                    test: Some(test.into()),
                    missing,
                });
                let col_tot: Vec<u64> = (0..glv.len())
                    .map(|j| t.counts.iter().map(|r| r[j]).sum())
                    .collect();
                for (i, lv) in t.row_levels.iter().enumerate() {
                    let mut cells = Vec::new();
                    let mut vals = Vec::new();
                    for (&c, &tot) in t.counts[i].iter().zip(&col_tot) {
                        let pct = if tot > 0 {
                            100.0 * c as f64 / tot as f64
                        } else {
                            f64::NAN
                        };
                        cells.push(format!("{c} ({}%)", fmt(pct, 1)));
                        vals.push(vec![c as f64, pct]);
                    }
                    rows.push(Table1Row {
                        variable: var.name.clone(),
                        level: Some(lv.clone()),
                        cells,
                        values: vals,
                        p: None,
                        test: None,
                        missing: 0,
                    });
                }
            }
        }
    }
    let mut notes = Vec::new();
    if !tests_used.is_empty() {
        notes.push(format!("Tests: {}.", tests_used.join("; ")));
    }
    if has_categorical {
        let chi = match opts.chi_square_correction {
            ChiSquareCorrection::Yates => {
                "χ² tests on 2×2 tables use Yates' continuity correction (R chisq.test's default)"
            }
            ChiSquareCorrection::None => {
                "χ² tests on 2×2 tables use no continuity correction (R chisq.test(correct = FALSE))"
            }
        };
        notes.push(match opts.categorical_test {
            CategoricalTest::Auto => format!(
                "Categorical variables: {FISHER_TEST} when an expected count is below 5, else the \
                 χ² test; {chi}."
            ),
            CategoricalTest::ChiSquare => format!("Categorical variables: {chi}."),
            CategoricalTest::Fisher => format!("Categorical variables: {FISHER_TEST}."),
        });
    }
    Ok(Table1 {
        groups: glv,
        group_n,
        rows,
        notes,
    })
}

impl Table1 {
    fn header(&self) -> Vec<String> {
        let mut h = vec!["Variable".to_string()];
        for (g, n) in self.groups.iter().zip(&self.group_n) {
            h.push(format!("{g} (n={n})"));
        }
        h.push("p".into());
        h.push("Test".into());
        h
    }

    fn label(r: &Table1Row) -> String {
        match &r.level {
            Some(l) => format!("  {l}"),
            None if r.missing > 0 => format!("{} (missing {})", r.variable, r.missing),
            None => r.variable.clone(),
        }
    }

    /// Renders as CSV with the `csv` crate (one header line; level rows indented with two
    /// spaces; fields holding a comma, quote or line break are quoted).
    pub fn to_csv(&self) -> Result<String> {
        let err = |e: String| StatsError::input("table1 CSV", e);
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        w.write_record(self.header())
            .map_err(|e| err(e.to_string()))?;
        for r in &self.rows {
            let mut f = vec![Self::label(r)];
            f.extend(r.cells.iter().cloned());
            f.push(r.p.map(format_p).unwrap_or_default());
            f.push(r.test.clone().unwrap_or_default());
            w.write_record(&f).map_err(|e| err(e.to_string()))?;
        }
        let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| err(e.to_string()))
    }

    /// Renders as a Markdown table, followed by the notes (one paragraph each).
    pub fn to_markdown(&self) -> String {
        let h = self.header();
        let mut out = format!("| {} |\n", h.join(" | "));
        out.push_str(&format!("|{}\n", "---|".repeat(h.len())));
        for r in &self.rows {
            let label = match &r.level {
                Some(l) => format!("&nbsp;&nbsp;{l}"),
                None => Self::label(r),
            };
            let mut f = vec![label];
            f.extend(r.cells.iter().cloned());
            f.push(r.p.map(format_p).unwrap_or_default());
            f.push(r.test.clone().unwrap_or_default());
            out.push_str(&format!("| {} |\n", f.join(" | ").replace('\n', " ")));
        }
        for n in &self.notes {
            out.push_str(&format!("\n{n}\n"));
        }
        out
    }
}
