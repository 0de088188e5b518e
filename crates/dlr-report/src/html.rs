//! The self-contained HTML study report: title block, study audit (coloured pass/warn/fail
//! badges), numbered tables and figures with cross-references, rad-score formula, generated
//! methods paragraph, callouts and a provenance section. Inline CSS only, no scripts, no external
//! resources; figures are inline SVG; every user string is HTML-escaped.

use crate::error::{invalid, Result};
use crate::figure::Figure;
use crate::format::{fmt_count_pct, fmt_num};
use crate::table::Table;
use dlr_audit::StudyAudit;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Escapes `& < > " '` and replaces characters XML 1.0 forbids (controls other than tab, line
/// feed and carriage return; U+FFFE, U+FFFF) with U+FFFD, so any string is safe as HTML or SVG
/// text or attribute value and the document stays well-formed XML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if !is_xml_char(c) => out.push(char::REPLACEMENT_CHARACTER),
            c => out.push(c),
        }
    }
    out
}

/// Whether `c` may appear in an XML 1.0 document (the `Char` production; Rust `char`s are never
/// surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Outcome of one audit check; rendered as a badge with its word, so colour is never the only cue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AuditStatus {
    /// Informational line, no judgement.
    Info,
    /// Check passed.
    Pass,
    /// Needs the reader's attention.
    Warn,
    /// Check failed.
    Fail,
}

impl AuditStatus {
    fn word(self) -> &'static str {
        match self {
            AuditStatus::Info => "INFO",
            AuditStatus::Pass => "PASS",
            AuditStatus::Warn => "WARN",
            AuditStatus::Fail => "FAIL",
        }
    }
    fn css(self) -> &'static str {
        match self {
            AuditStatus::Info => "info",
            AuditStatus::Pass => "pass",
            AuditStatus::Warn => "warn",
            AuditStatus::Fail => "fail",
        }
    }
}

/// One line of the audit box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditCheck {
    /// What was checked.
    pub name: String,
    /// Outcome.
    pub status: AuditStatus,
    /// Numbers and explanation.
    pub detail: String,
}

/// The lines of the audit box derived from dlr-audit's [`StudyAudit`]. Rules: one INFO line per
/// cohort; events per selected feature uses the smaller outcome class of the first (training)
/// cohort, PASS ≥ 10, WARN ≥ 5, FAIL below, and no selected feature is a FAIL; any duplicate is a
/// WARN, and the duplicate audit's counts follow (WARN when a pair straddles the split or has
/// conflicting outcomes); the shape-only baseline PASSes unless the audit raised its warning
/// (baseline AUC within the audit's margin of the model's); any failed leakage check is a FAIL
/// and no leakage check at all a WARN; missing TRIPOD+AI items WARN.
pub fn audit_checks(audit: &StudyAudit) -> Vec<AuditCheck> {
    let mut out = Vec::new();
    for c in &audit.cohorts {
        out.push(AuditCheck {
            name: format!("Cohort: {}", c.name),
            status: AuditStatus::Info,
            detail: format!(
                "{} patients, {} events",
                c.patients,
                fmt_count_pct(c.events, c.patients)
            ),
        });
    }
    if let Some(k) = audit.selected_features {
        let name = "Events per selected feature".to_string();
        out.push(match audit.cohorts.first() {
            None => AuditCheck {
                name,
                status: AuditStatus::Warn,
                detail: "no cohort sizes given".into(),
            },
            Some(_) if k == 0 => AuditCheck {
                name,
                status: AuditStatus::Fail,
                detail: "no feature was selected".into(),
            },
            Some(c) => {
                let minority = c.events.min(c.patients.saturating_sub(c.events));
                let epv = minority as f64 / k as f64;
                let status = if epv >= 10.0 {
                    AuditStatus::Pass
                } else if epv >= 5.0 {
                    AuditStatus::Warn
                } else {
                    AuditStatus::Fail
                };
                AuditCheck {
                    name,
                    status,
                    detail: format!(
                        "{} ({minority} in the smaller outcome class of {} / {k} features; ≥ 10 recommended)",
                        fmt_num(epv, 1),
                        c.name
                    ),
                }
            }
        });
    }
    if let Some(d) = &audit.duplicates {
        let f = &d.findings;
        out.push(if f.is_empty() {
            AuditCheck {
                name: "Duplicate images or patients".into(),
                status: AuditStatus::Pass,
                detail: "none found".into(),
            }
        } else {
            AuditCheck {
                name: "Duplicate images or patients".into(),
                status: AuditStatus::Warn,
                detail: if f.len() > 5 {
                    format!(
                        "{} found: {}; … and {} more (all in record.json)",
                        f.len(),
                        f[..5].join("; "),
                        f.len() - 5
                    )
                } else {
                    format!("{} found: {}", f.len(), f.join("; "))
                },
            }
        });
    }
    if let Some(s) = &audit.shape_only {
        let gain = s.model_auc - s.baseline.auc;
        out.push(AuditCheck {
            name: "Shape-only baseline".into(),
            status: if gain.is_finite() && s.warning.is_none() {
                AuditStatus::Pass
            } else {
                AuditStatus::Warn
            },
            detail: format!(
                "{}: model AUC {} vs shape-only AUC {} (difference {}; warning margin {})",
                s.cohort,
                fmt_num(s.model_auc, 3),
                fmt_num(s.baseline.auc, 3),
                fmt_num(gain, 3),
                fmt_num(s.margin, 2)
            ),
        });
    }
    let checks = &audit.leakage_checks;
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.as_str())
        .collect();
    out.push(AuditCheck {
        name: "Leakage checks".into(),
        status: if checks.is_empty() {
            AuditStatus::Warn
        } else if failed.is_empty() {
            AuditStatus::Pass
        } else {
            AuditStatus::Fail
        },
        detail: if checks.is_empty() {
            "no leakage check was run".into()
        } else if failed.is_empty() {
            format!(
                "{}/{} passed: {}",
                checks.len(),
                checks.len(),
                checks
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        } else {
            format!(
                "{}/{} failed: {}",
                failed.len(),
                checks.len(),
                failed.join("; ")
            )
        },
    });
    if !audit.tripod_ai.is_empty() {
        let (covered, total, missing) = audit.tripod_coverage();
        out.push(AuditCheck {
            name: "TRIPOD+AI items covered".into(),
            status: if covered >= total {
                AuditStatus::Pass
            } else {
                AuditStatus::Warn
            },
            detail: if missing.is_empty() {
                format!("{covered}/{total}")
            } else {
                format!("{covered}/{total}; not covered: {}", missing.join(", "))
            },
        });
    }
    if let Some(d) = &audit.duplicates {
        out.push(AuditCheck {
            name: "Duplicate audit".into(),
            status: if d.straddling_pairs.unwrap_or(0) > 0 || d.conflicting_pairs > 0 {
                AuditStatus::Warn
            } else {
                AuditStatus::Info
            },
            detail: format!(
                "{} images compared: {} exact and {} near-duplicate pair(s) (thumbnail correlation ≥ {}) in {} cluster(s), {} with conflicting outcomes, {} straddling the split",
                d.n_images,
                d.exact_pairs,
                d.near_pairs,
                d.near_threshold,
                d.clusters,
                d.conflicting_pairs,
                d.straddling_pairs
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "n/a".into())
            ),
        });
    }
    out
}

/// Callout severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// Neutral remark.
    Note,
    /// Caution for the reader.
    Warning,
    /// Something is wrong with the analysis.
    Error,
}

/// The rad-score: intercept plus coefficient × feature terms of the final LASSO model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RadScoreFormula {
    /// Name of the score ("Rad-score").
    pub name: String,
    /// Intercept.
    pub intercept: f64,
    /// (feature name, coefficient) terms in model order.
    pub terms: Vec<(String, f64)>,
    /// Remark printed under the formula (e.g. "features z-scored with training mean and SD").
    pub note: Option<String>,
}

impl RadScoreFormula {
    /// Plain-text formula, one term per line, four decimals, true minus signs:
    /// `Rad-score = 0.1234\n    + 0.5678 × a\n    − 0.0912 × b`.
    pub fn to_text(&self) -> String {
        let mut s = format!("{} = {}", self.name, signed(self.intercept, true));
        for (f, c) in &self.terms {
            let sign = if *c < 0.0 { "−" } else { "+" };
            s.push_str(&format!("\n    {sign} {} × {f}", fmt_num(c.abs(), 4)));
        }
        s
    }
}

fn signed(v: f64, leading: bool) -> String {
    let t = fmt_num(v.abs(), 4);
    if v < 0.0 && leading {
        format!("−{t}")
    } else {
        t
    }
}

/// Analysis settings from which the methods paragraph is written; `None`/empty fields are left
/// out of the text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MethodsSettings {
    /// Images analysed per patient, e.g. "grey-scale ultrasound", "arterial-phase CEUS".
    pub images: Vec<String>,
    /// Number of readers who delineated the ROI.
    pub readers: Option<usize>,
    /// Handcrafted feature description, e.g. "the MaZda 2D set and IBSI-compliant families".
    pub handcrafted: Option<String>,
    /// Grey-level discretisation, e.g. "a fixed bin number of 64".
    pub discretisation: Option<String>,
    /// Deep feature extractor, e.g. "an ImageNet-pretrained ResNet-50 (2048 pooled features)".
    pub deep_backbone: Option<String>,
    /// ICC threshold for reader reproducibility.
    pub icc_threshold: Option<f64>,
    /// Mann–Whitney U test significance level.
    pub mann_whitney_alpha: Option<f64>,
    /// Absolute Pearson correlation above which one feature of a pair is dropped.
    pub correlation_threshold: Option<f64>,
    /// LASSO cross-validation folds.
    pub lasso_folds: Option<usize>,
    /// λ rule, e.g. "λ_1se" or "λ_min".
    pub lasso_rule: Option<String>,
    /// Classifiers trained on the selected features.
    pub models: Vec<String>,
    /// CI method for AUC, e.g. "DeLong's method".
    pub auc_ci_method: Option<String>,
    /// Random seed.
    pub seed: Option<u64>,
    /// Software name and version.
    pub software: String,
}

fn join_list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        2 => format!("{} and {}", items[0], items[1]),
        n => format!("{}, and {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

impl MethodsSettings {
    /// The methods paragraph as plain text.
    pub fn to_text(&self) -> String {
        let mut s = Vec::new();
        if !self.images.is_empty() {
            let mut t = format!(
                "For each patient, {} image{} {} analysed",
                self.images.len(),
                if self.images.len() == 1 { "" } else { "s" },
                if self.images.len() == 1 {
                    "was"
                } else {
                    "were"
                }
            );
            t.push_str(&format!(" ({})", join_list(&self.images)));
            if let Some(r) = self.readers {
                t.push_str(&format!(
                    ", with the tumour region of interest delineated by {r} reader{}",
                    if r == 1 { "" } else { "s" }
                ));
            }
            s.push(t + ".");
        }
        if let Some(h) = &self.handcrafted {
            let mut t = format!("Handcrafted radiomic features comprised {h}");
            if let Some(d) = &self.discretisation {
                t.push_str(&format!(
                    ", computed after grey-level discretisation with {d}"
                ));
            }
            s.push(t + ".");
        }
        if let Some(d) = &self.deep_backbone {
            s.push(format!("Deep features were extracted with {d}."));
        }
        let mut sel = Vec::new();
        if let Some(icc) = self.icc_threshold {
            sel.push(format!(
                "inter-reader reproducibility (intraclass correlation coefficient > {})",
                fmt_num(icc, 2)
            ));
        }
        sel.push("z-score standardisation with training-set parameters".to_string());
        if let Some(a) = self.mann_whitney_alpha {
            sel.push(format!("Mann–Whitney U test (P < {})", fmt_num(a, 2)));
        }
        if let Some(r) = self.correlation_threshold {
            sel.push(format!(
                "removal of one feature of each pair with |Pearson r| > {}",
                fmt_num(r, 2)
            ));
        }
        let mut lasso = "LASSO logistic regression".to_string();
        if let Some(k) = self.lasso_folds {
            lasso.push_str(&format!(" with {k}-fold cross-validation"));
        }
        if let Some(rule) = &self.lasso_rule {
            lasso.push_str(&format!(" ({rule})"));
        }
        sel.push(lasso);
        s.push(format!(
            "Feature selection used the training cohort only, in order: {}; the selected features were combined into a rad-score.",
            sel.join("; ")
        ));
        if !self.models.is_empty() {
            s.push(format!(
                "Models were built with {}.",
                join_list(&self.models)
            ));
        }
        let mut ev =
            "Discrimination was assessed with the area under the ROC curve (AUC)".to_string();
        if let Some(m) = &self.auc_ci_method {
            ev.push_str(&format!(" and 95% confidence intervals by {m}"));
        }
        ev.push_str("; sensitivity, specificity and predictive values were computed at the Youden-optimal threshold, with calibration and decision curve analysis.");
        s.push(ev);
        let mut sw = String::new();
        if !self.software.is_empty() {
            sw = format!("Analyses were run with {}", self.software);
        }
        if let Some(seed) = self.seed {
            if sw.is_empty() {
                sw = format!("The random seed was {seed}");
            } else {
                sw.push_str(&format!(" (random seed {seed})"));
            }
        }
        if !sw.is_empty() {
            s.push(sw + ".");
        }
        s.join(" ")
    }
}

/// Versions, seeds, input hashes and the full settings of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Software name and version.
    pub software: String,
    /// When the run was made (supplied by the caller so reports stay reproducible).
    pub created: Option<String>,
    /// Command line of the run.
    pub command: Option<String>,
    /// (component, version) pairs.
    pub versions: Vec<(String, String)>,
    /// (purpose, seed) pairs.
    pub seeds: Vec<(String, u64)>,
    /// (input file, SHA-256) pairs.
    pub input_hashes: Vec<(String, String)>,
    /// Full settings, shown as pretty JSON in a collapsible block.
    pub settings: serde_json::Value,
}

#[derive(Clone, Debug)]
enum Block {
    Heading(String),
    Paragraph(String),
    Table {
        key: Option<String>,
        table: Table,
    },
    Figure {
        key: Option<String>,
        svg: String,
        caption: String,
    },
    Callout(Severity, String),
    RadScore(RadScoreFormula),
    Methods(MethodsSettings),
}

/// Builds the report: title, audit box, body blocks in the order added, provenance last.
///
/// Paragraphs, callouts and figure captions may cite `{table:KEY}` or `{figure:KEY}`; these become
/// "Table N" / "Figure N" (numbered in order of appearance) and an unknown key is an error.
#[derive(Clone, Debug, Default)]
pub struct ReportBuilder {
    title: String,
    subtitle: Option<String>,
    audit: Option<StudyAudit>,
    audit_extra: Vec<AuditCheck>,
    blocks: Vec<Block>,
    provenance: Option<Provenance>,
}

const CSS: &str = r#"
body{font-family:"DejaVu Sans",Verdana,Arial,Helvetica,sans-serif;color:#111;max-width:60rem;margin:2rem auto;padding:0 1.2rem;line-height:1.45;font-size:15px}
h1{font-size:1.7rem;margin:0 0 .3rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
.subtitle{color:#444;margin:0 0 1rem}
.audit{border:2px solid #333;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.audit h2{margin-top:.2rem;border:none}
.audit table{border-collapse:collapse;width:100%}.audit td:first-child{width:4.5em}.audit td:nth-child(2){width:16em}.audit td{padding:.25rem .5rem;vertical-align:top;border-top:1px solid #e5e5e5}
.badge{display:inline-block;min-width:3.2em;text-align:center;font-weight:bold;font-size:.8rem;padding:.1rem .35rem;border-radius:4px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.badge.pass{background:#009e73;color:#fff}.badge.warn{background:#e69f00;color:#000}.badge.fail{background:#d55e00;color:#fff}.badge.info{background:#e8e8e8;color:#000}
table.dlr-table{border-collapse:collapse;margin:1rem 0;font-size:.9rem;border-top:2px solid #000;border-bottom:2px solid #000}
table.dlr-table caption{caption-side:top;text-align:left;padding-bottom:.3rem;font-size:.95rem}
table.dlr-table th{border-bottom:1px solid #000;text-align:left;padding:.3rem .6rem}
table.dlr-table td{padding:.2rem .6rem}table.dlr-table tfoot td{font-size:.8rem;color:#333;border-top:1px solid #000}
.num{font-weight:bold}
figure.dlr-figure{margin:1.2rem 0;break-inside:avoid;page-break-inside:avoid}
figure.dlr-figure svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;margin-top:.3rem}
.callout{border-left:5px solid #56b4e9;background:#f3f9fd;padding:.5rem .8rem;margin:1rem 0}
.callout.warning{border-color:#e69f00;background:#fff8e8}.callout.error{border-color:#d55e00;background:#fdf0e8}
pre.formula{background:#f6f6f6;padding:.6rem .8rem;font-size:.9rem;white-space:pre-wrap}
.provenance dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;font-size:.85rem}
.provenance dt{font-weight:bold}.provenance dd{margin:0;word-break:break-all}
.provenance pre{font-size:.78rem;background:#f6f6f6;padding:.5rem;white-space:pre-wrap}
@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}table.dlr-table,.audit{break-inside:avoid}}
"#;

impl ReportBuilder {
    /// New report with the given title.
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            ..Self::default()
        }
    }

    /// Subtitle line under the title (study, date, cohort).
    pub fn subtitle(mut self, text: &str) -> Self {
        self.subtitle = Some(text.to_string());
        self
    }

    /// The study audit shown first (its lines come from [`audit_checks`]).
    pub fn audit(mut self, audit: &StudyAudit) -> Self {
        self.audit = Some(audit.clone());
        self
    }

    /// A further line of the audit box, shown after the lines derived from the study audit.
    pub fn audit_check(mut self, check: AuditCheck) -> Self {
        self.audit_extra.push(check);
        self
    }

    /// Section heading.
    pub fn heading(mut self, text: &str) -> Self {
        self.blocks.push(Block::Heading(text.to_string()));
        self
    }

    /// Paragraph of text (may cite `{table:KEY}` / `{figure:KEY}`).
    pub fn paragraph(mut self, text: &str) -> Self {
        self.blocks.push(Block::Paragraph(text.to_string()));
        self
    }

    /// Numbered table; `key` lets text cite it.
    pub fn table(mut self, key: Option<&str>, table: Table) -> Self {
        self.blocks.push(Block::Table {
            key: key.map(str::to_string),
            table,
        });
        self
    }

    /// Numbered figure (inline SVG) with caption; `key` lets text cite it.
    pub fn figure(mut self, key: Option<&str>, figure: &Figure, caption: &str) -> Self {
        self.blocks.push(Block::Figure {
            key: key.map(str::to_string),
            svg: figure.to_svg(),
            caption: caption.to_string(),
        });
        self
    }

    /// Highlighted note, warning or error box.
    pub fn callout(mut self, severity: Severity, text: &str) -> Self {
        self.blocks.push(Block::Callout(severity, text.to_string()));
        self
    }

    /// The rad-score formula block.
    pub fn rad_score(mut self, formula: RadScoreFormula) -> Self {
        self.blocks.push(Block::RadScore(formula));
        self
    }

    /// Methods paragraph generated from the settings.
    pub fn methods(mut self, settings: MethodsSettings) -> Self {
        self.blocks.push(Block::Methods(settings));
        self
    }

    /// Provenance section shown last.
    pub fn provenance(mut self, provenance: Provenance) -> Self {
        self.provenance = Some(provenance);
        self
    }

    /// Renders the complete, self-contained HTML document. Fails on duplicate or unknown
    /// table/figure keys.
    pub fn build(&self) -> Result<String> {
        let mut tables: HashMap<String, usize> = HashMap::new();
        let mut figures: HashMap<String, usize> = HashMap::new();
        let (mut nt, mut nf) = (0, 0);
        for b in &self.blocks {
            match b {
                Block::Table { key, .. } => {
                    nt += 1;
                    if let Some(k) = key {
                        if tables.insert(k.clone(), nt).is_some() {
                            return Err(invalid("report", format!("table key '{k}' used twice")));
                        }
                    }
                }
                Block::Figure { key, .. } => {
                    nf += 1;
                    if let Some(k) = key {
                        if figures.insert(k.clone(), nf).is_some() {
                            return Err(invalid("report", format!("figure key '{k}' used twice")));
                        }
                    }
                }
                _ => {}
            }
        }
        let refs = |text: &str| resolve_refs(text, &tables, &figures);
        let mut h = String::new();
        h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        h.push_str(&format!("<title>{}</title>\n", escape_html(&self.title)));
        h.push_str(&format!("<style>{CSS}</style>\n</head>\n<body>\n"));
        h.push_str(&format!(
            "<header class=\"title-block\">\n<h1>{}</h1>\n",
            escape_html(&self.title)
        ));
        if let Some(s) = &self.subtitle {
            h.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape_html(s)));
        }
        h.push_str("</header>\n");
        h.push_str(&render_audit(self.audit.as_ref(), &self.audit_extra));
        let (mut it, mut ifg) = (0, 0);
        for b in &self.blocks {
            match b {
                Block::Heading(t) => h.push_str(&format!("<h2>{}</h2>\n", escape_html(t))),
                Block::Paragraph(t) => {
                    h.push_str(&format!("<p>{}</p>\n", escape_html(&refs(t)?)));
                }
                Block::Table { table, .. } => {
                    it += 1;
                    h.push_str(&table.render_html(Some(it)));
                }
                Block::Figure { svg, caption, .. } => {
                    ifg += 1;
                    h.push_str(&format!(
                        "<figure class=\"dlr-figure\">\n{svg}<figcaption><span class=\"num\">Figure {ifg}.</span> {}</figcaption>\n</figure>\n",
                        escape_html(&refs(caption)?)
                    ));
                }
                Block::Callout(sev, t) => {
                    let (cls, word) = match sev {
                        Severity::Note => ("note", "Note"),
                        Severity::Warning => ("warning", "Warning"),
                        Severity::Error => ("error", "Error"),
                    };
                    h.push_str(&format!(
                        "<div class=\"callout {cls}\"><strong>{word}:</strong> {}</div>\n",
                        escape_html(&refs(t)?)
                    ));
                }
                Block::RadScore(f) => {
                    h.push_str(&format!(
                        "<pre class=\"formula\">{}</pre>\n",
                        escape_html(&f.to_text())
                    ));
                    if let Some(n) = &f.note {
                        h.push_str(&format!(
                            "<p class=\"formula-note\">{}</p>\n",
                            escape_html(n)
                        ));
                    }
                }
                Block::Methods(m) => {
                    h.push_str(&format!(
                        "<p class=\"methods\">{}</p>\n",
                        escape_html(&m.to_text())
                    ));
                }
            }
        }
        if let Some(p) = &self.provenance {
            h.push_str(&render_provenance(p));
        }
        h.push_str("</body>\n</html>\n");
        Ok(h)
    }
}

fn resolve_refs(
    text: &str,
    tables: &HashMap<String, usize>,
    figures: &HashMap<String, usize>,
) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["{table:", "{figure:"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, *p)))
            .min_by_key(|(i, _)| *i);
        let Some((i, prefix)) = next else {
            out.push_str(rest);
            return Ok(out);
        };
        let after = &rest[i + prefix.len()..];
        let Some(end) = after.find('}') else {
            out.push_str(rest);
            return Ok(out);
        };
        let key = &after[..end];
        let (map, word) = if prefix == "{table:" {
            (tables, "Table")
        } else {
            (figures, "Figure")
        };
        let n = map.get(key).ok_or_else(|| {
            invalid(
                "report",
                format!(
                    "text cites {prefix}{key}}} but no {} has that key",
                    word.to_lowercase()
                ),
            )
        })?;
        out.push_str(&rest[..i]);
        out.push_str(&format!("{word} {n}"));
        rest = &after[end + 1..];
    }
}

fn render_audit(audit: Option<&StudyAudit>, extra: &[AuditCheck]) -> String {
    let mut h =
        String::from("<section class=\"audit\" id=\"study-audit\">\n<h2>Study audit</h2>\n");
    let mut checks = audit.map(audit_checks).unwrap_or_default();
    checks.extend(extra.iter().cloned());
    if audit.is_none() {
        h.push_str(
            "<p><span class=\"badge warn\">WARN</span> No audit summary was supplied for this report.</p>\n",
        );
    }
    if !checks.is_empty() {
        let worst = checks
            .iter()
            .map(|c| c.status)
            .chain(audit.is_none().then_some(AuditStatus::Warn))
            .max()
            .unwrap_or(AuditStatus::Info);
        h.push_str(&format!(
            "<p>Overall: <span class=\"badge {}\">{}</span></p>\n<table>\n",
            worst.css(),
            worst.word()
        ));
        for c in &checks {
            h.push_str(&format!(
                "<tr><td><span class=\"badge {}\">{}</span></td><td>{}</td><td>{}</td></tr>\n",
                c.status.css(),
                c.status.word(),
                escape_html(&c.name),
                escape_html(&c.detail)
            ));
        }
        h.push_str("</table>\n");
    }
    h.push_str("</section>\n");
    h
}

fn render_provenance(p: &Provenance) -> String {
    let mut h = String::from(
        "<section class=\"provenance\" id=\"provenance\">\n<h2>Provenance</h2>\n<dl>\n",
    );
    let mut row = |k: &str, v: &str| {
        h.push_str(&format!(
            "<dt>{}</dt><dd>{}</dd>\n",
            escape_html(k),
            escape_html(v)
        ))
    };
    row("Software", &p.software);
    if let Some(c) = &p.created {
        row("Created", c);
    }
    if let Some(c) = &p.command {
        row("Command", c);
    }
    for (k, v) in &p.versions {
        row(&format!("Version: {k}"), v);
    }
    for (k, v) in &p.seeds {
        row(&format!("Seed: {k}"), &v.to_string());
    }
    for (k, v) in &p.input_hashes {
        row(&format!("SHA-256: {k}"), v);
    }
    h.push_str("</dl>\n");
    let json = serde_json::to_string_pretty(&p.settings).unwrap_or_else(|e| format!("{e}"));
    h.push_str(&format!(
        "<details><summary>Settings (JSON)</summary>\n<pre>{}</pre>\n</details>\n</section>\n",
        escape_html(&json)
    ));
    h
}
