//! The one-page audit summary (serde) for `report.html` and `record.json`, and the TRIPOD+AI
//! checklist with the items a dlr run covers automatically.

use crate::duplicates::DuplicateReport;
use crate::shape::{shape_warning, BaselineResult};
use serde::{Deserialize, Serialize};

/// Size of one cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortSize {
    /// Cohort name ("Training", "Test").
    pub name: String,
    /// Number of patients.
    pub patients: usize,
    /// Number of patients with the outcome.
    pub events: usize,
}

/// Counts of a duplicate audit, with the lines to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateSummary {
    /// Images compared.
    pub n_images: usize,
    /// Near-duplicate threshold used (thumbnail correlation).
    pub near_threshold: f64,
    /// Exact pairs.
    pub exact_pairs: usize,
    /// Near pairs.
    pub near_pairs: usize,
    /// Pairs with different labels.
    pub conflicting_pairs: usize,
    /// Pairs with one image in training and one in test (`None`: not checked).
    pub straddling_pairs: Option<usize>,
    /// Clusters of linked images.
    pub clusters: usize,
    /// One line per pair.
    pub findings: Vec<String>,
}

impl DuplicateSummary {
    /// Summarises a report; `straddling` is the number of pairs across the split, if checked.
    pub fn from_report(report: &DuplicateReport, straddling: Option<usize>) -> Self {
        Self {
            n_images: report.n_images,
            near_threshold: report.near_threshold,
            exact_pairs: report.exact_count(),
            near_pairs: report.near_count(),
            conflicting_pairs: report.conflicting_count(),
            straddling_pairs: straddling,
            clusters: report.clusters.len(),
            findings: report.findings(),
        }
    }
}

/// Full model against the shape-only baseline in one cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeOnlySummary {
    /// Cohort the AUCs were measured in.
    pub cohort: String,
    /// AUC of the reported model.
    pub model_auc: f64,
    /// The shape-only baseline.
    pub baseline: BaselineResult,
    /// Margin used for the warning.
    pub margin: f64,
    /// The warning, when the baseline comes within the margin.
    pub warning: Option<String>,
}

impl ShapeOnlySummary {
    /// Builds the comparison and its warning.
    pub fn new(cohort: &str, model_auc: f64, baseline: BaselineResult, margin: f64) -> Self {
        let warning = shape_warning(model_auc, baseline.auc, margin);
        Self {
            cohort: cohort.into(),
            model_auc,
            baseline,
            margin,
            warning,
        }
    }
}

/// One leakage check and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakageCheckResult {
    /// What was checked.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// Numbers behind it.
    pub detail: String,
}

impl LeakageCheckResult {
    /// The duplicate-across-split check: passes when no duplicate pair straddles the split.
    pub fn duplicates_across_split(straddling: usize, grouped: bool) -> Self {
        Self {
            name: "No exact or near-duplicate image pair has one image in training and one in test"
                .into(),
            passed: straddling == 0,
            detail: if straddling == 0 {
                format!(
                    "0 pairs straddle the split{}",
                    if grouped {
                        " (duplicate clusters kept together by grouped splitting)"
                    } else {
                        ""
                    }
                )
            } else {
                format!(
                    "{straddling} duplicate pair(s) straddle the split: the test AUC is optimistic"
                )
            },
        }
    }
}

/// One TRIPOD+AI checklist item (Collins et al., BMJ 2024;385:e078378).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TripodItem {
    /// Item number as in the checklist.
    pub item: String,
    /// Item topic.
    pub title: String,
    /// Whether a dlr run writes the information automatically.
    pub covered: bool,
    /// Where the run covers it (empty when not covered).
    pub how: String,
}

/// The 27 main TRIPOD+AI items (lettered sub-items not listed separately) with the ones a dlr
/// run covers automatically: 7, 11, 12, 15, 16, 20, 22, 23. Everything else (title, context,
/// ethics, interpretation...) is the author's to write.
pub fn tripod_ai_checklist() -> Vec<TripodItem> {
    let covered: &[(&str, &str)] = &[
        ("7", "preprocessing, discretisation and feature settings recorded in record.json and the methods section"),
        ("11", "exclusions and missing-data handling (dropped features, training-only imputation) listed in the report"),
        ("12", "model types, selection chain, hyper-parameters, seeds and internal validation recorded"),
        ("15", "predicted probabilities, Youden cut-off chosen on training data and risk groups reported"),
        ("16", "training/test split, and that selection and cut-offs used training patients only, reported"),
        ("20", "cohort flow, exclusions and Table 1 of patient characteristics per cohort"),
        ("22", "model bundle with the full specification (features, coefficients, scaler) written"),
        ("23", "AUC with DeLong CI, sensitivity/specificity, calibration and decision curves per cohort"),
    ];
    let all = [
        ("1", "Title"),
        ("2", "Abstract"),
        ("3", "Background (healthcare context, target population, health inequalities)"),
        ("4", "Objectives"),
        ("5", "Data (sources, dates)"),
        ("6", "Participants (setting, eligibility, treatments)"),
        ("7", "Data preparation"),
        ("8", "Outcome"),
        ("9", "Predictors"),
        ("10", "Sample size"),
        ("11", "Missing data"),
        ("12", "Analytical methods"),
        ("13", "Class imbalance"),
        ("14", "Fairness"),
        ("15", "Model output"),
        ("16", "Training versus evaluation"),
        ("17", "Ethical approval"),
        ("18", "Open science (funding, conflicts of interest, protocol, registration, data and code sharing)"),
        ("19", "Patient and public involvement"),
        ("20", "Participants (results)"),
        ("21", "Model development"),
        ("22", "Model specification"),
        ("23", "Model performance"),
        ("24", "Model updating"),
        ("25", "Interpretation"),
        ("26", "Limitations"),
        ("27", "Usability of the model in the context of current care"),
    ];
    all.iter()
        .map(|(item, title)| {
            let how = covered
                .iter()
                .find(|(i, _)| i == item)
                .map(|(_, h)| h.to_string());
            TripodItem {
                item: item.to_string(),
                title: title.to_string(),
                covered: how.is_some(),
                how: how.unwrap_or_default(),
            }
        })
        .collect()
}

/// The study audit: what the report's audit box and `record.json` show.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StudyAudit {
    /// Cohort sizes; the first is the training cohort.
    pub cohorts: Vec<CohortSize>,
    /// Features in the final model, if selected.
    pub selected_features: Option<usize>,
    /// Events per selected feature: smaller outcome class of the training cohort over the
    /// number of selected features (`None` when either is unknown or no feature was selected).
    pub events_per_feature: Option<f64>,
    /// Duplicate audit (`None`: not run).
    pub duplicates: Option<DuplicateSummary>,
    /// Shape-only baseline (`None`: not run).
    pub shape_only: Option<ShapeOnlySummary>,
    /// Leakage checks.
    pub leakage_checks: Vec<LeakageCheckResult>,
    /// TRIPOD+AI checklist with coverage.
    pub tripod_ai: Vec<TripodItem>,
}

impl StudyAudit {
    /// Starts an audit with cohorts, selected feature count and the TRIPOD+AI checklist; events
    /// per feature is computed from the first cohort.
    pub fn new(cohorts: Vec<CohortSize>, selected_features: Option<usize>) -> Self {
        let events_per_feature = match (cohorts.first(), selected_features) {
            (Some(c), Some(k)) if k > 0 => {
                Some(c.events.min(c.patients.saturating_sub(c.events)) as f64 / k as f64)
            }
            _ => None,
        };
        Self {
            cohorts,
            selected_features,
            events_per_feature,
            duplicates: None,
            shape_only: None,
            leakage_checks: Vec::new(),
            tripod_ai: tripod_ai_checklist(),
        }
    }

    /// Number of leakage checks that passed.
    pub fn leakage_passed(&self) -> usize {
        self.leakage_checks.iter().filter(|c| c.passed).count()
    }

    /// TRIPOD+AI items covered, total, and the numbers of the missing ones.
    pub fn tripod_coverage(&self) -> (usize, usize, Vec<String>) {
        let missing: Vec<String> = self
            .tripod_ai
            .iter()
            .filter(|t| !t.covered)
            .map(|t| format!("{} {}", t.item, t.title))
            .collect();
        (
            self.tripod_ai.len() - missing.len(),
            self.tripod_ai.len(),
            missing,
        )
    }
}
