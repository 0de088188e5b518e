//! Audit and split: the analysed cohort (patients with an outcome and every configured phase of
//! the primary reader, not excluded earlier), the near-duplicate image audit, and the stratified
//! train/test split — by default near-duplicate clusters never straddle it.

use crate::config::{DuplicatePolicy, StudyConfig};
use crate::error::{PipelineError, Result};
use crate::stages::context::RunContext;
use dlr_learn::Fold;
use std::collections::BTreeSet;

/// The patients a study can analyse: indices into `study.patients`, with ids and outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// Index of each analysed patient in `study.patients`.
    pub members: Vec<usize>,
    /// Patient ids, aligned with `members`.
    pub ids: Vec<String>,
    /// Outcome (event = true), aligned with `members`.
    pub y: Vec<bool>,
}

impl Cohort {
    /// Events in the cohort.
    pub fn events(&self) -> usize {
        self.y.iter().filter(|&&b| b).count()
    }

    fn keep(&self, keep: &[usize]) -> Cohort {
        Cohort {
            members: keep.iter().map(|&i| self.members[i]).collect(),
            ids: keep.iter().map(|&i| self.ids[i].clone()).collect(),
            y: keep.iter().map(|&i| self.y[i]).collect(),
        }
    }
}

/// The phases of `phases` that a patient has no ROI of `reader` for (a single unnamed reader
/// counts as reader "1").
pub fn missing_phases<'a>(
    patient: &dlr_study::StudyPatient,
    phases: &'a [String],
    reader: &str,
) -> Vec<&'a String> {
    phases
        .iter()
        .filter(|ph| {
            patient.scan(ph, reader).is_none() && !(reader == "1" && patient.scan(ph, "").is_some())
        })
        .collect()
}

/// Patients not excluded so far that have every phase of the primary reader; the others are
/// excluded with the missing phases named.
pub fn analysed_cohort(
    cfg: &StudyConfig,
    study: &dlr_study::Study,
    ctx: &mut RunContext,
) -> Cohort {
    let primary = crate::stages::load::primary_reader(cfg);
    let mut cohort = Cohort {
        members: Vec::new(),
        ids: Vec::new(),
        y: Vec::new(),
    };
    for (k, p) in study.patients.iter().enumerate() {
        if ctx.is_excluded(&p.id) {
            continue;
        }
        let missing = missing_phases(p, &cfg.study.phases, &primary);
        if !missing.is_empty() {
            ctx.exclude(
                &p.id,
                "cohort",
                format!("no ROI of reader {primary} for phase(s) {missing:?}"),
            );
            continue;
        }
        cohort.members.push(k);
        cohort.ids.push(p.id.clone());
        cohort.y.push(p.outcome == 1);
    }
    cohort
}

/// The cohort after the duplicate audit, its split and what the audit found.
#[derive(Debug)]
pub struct SplitCohort {
    /// The analysed patients (near duplicates dropped when `[split] duplicates = "drop"`).
    pub cohort: Cohort,
    /// Training and test rows (indices into `cohort`).
    pub fold: Fold,
    /// Near-duplicate summary for the audit.
    pub duplicates: Option<dlr_audit::DuplicateSummary>,
    /// Leakage checks decided here (duplicates across the split).
    pub checks: Vec<dlr_audit::LeakageCheckResult>,
}

impl SplitCohort {
    /// Outcomes of the training rows.
    pub fn y_train(&self) -> Vec<bool> {
        self.fold.train.iter().map(|&i| self.cohort.y[i]).collect()
    }

    /// Outcomes of the test rows.
    pub fn y_test(&self) -> Vec<bool> {
        self.fold.test.iter().map(|&i| self.cohort.y[i]).collect()
    }
}

/// Checks there are enough patients of each class to split and model.
pub fn check_cohort_size(cohort: &Cohort) -> Result<()> {
    let n_events = cohort.events();
    if n_events < 4 || cohort.y.len() - n_events < 4 {
        return Err(PipelineError::Data(format!(
            "after exclusions {} patients remain with {} events: too few to split and model (need at least 4 of each class)",
            cohort.y.len(),
            n_events
        )));
    }
    Ok(())
}

/// Fingerprints the first phase's image of every cohort patient, finds near duplicates, applies
/// the duplicate policy and splits (stratified by outcome, seeded).
pub fn audit_and_split(
    cfg: &StudyConfig,
    study: &dlr_study::Study,
    cohort: Cohort,
    ctx: &mut RunContext,
) -> Result<SplitCohort> {
    check_cohort_size(&cohort)?;
    let primary = crate::stages::load::primary_reader(cfg);
    let first_phase = &cfg.study.phases[0];
    let mut items = Vec::new();
    for (i, &k) in cohort.members.iter().enumerate() {
        let p = &study.patients[k];
        let scan = p
            .scan(first_phase, &primary)
            .or_else(|| p.scan(first_phase, ""));
        if let Some(img) = scan.and_then(|s| dlr_image::read_image(&s.image).ok()) {
            items.push(dlr_audit::DuplicateItem {
                id: cohort.ids[i].clone(),
                fingerprint: dlr_audit::fingerprint(&img),
                label: Some(u8::from(cohort.y[i]).to_string()),
            });
        }
    }
    let dup_opts = dlr_audit::DuplicateOptions {
        near_threshold: cfg.split.duplicate_threshold,
    };
    let mut duplicates = dlr_audit::find_duplicates(&items, &dup_opts).ok();
    if let Some(rep) = &duplicates {
        if rep.conflicting_count() > 0 {
            ctx.warn(format!(
                "{} near-duplicate image pair(s) carry different outcomes: check the labels ({})",
                rep.conflicting_count(),
                rep.pairs
                    .iter()
                    .filter(|p| p.conflicting)
                    .take(5)
                    .map(|p| format!("{} / {} (r = {:.3})", p.a, p.b, p.similarity))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    let mut cohort = cohort;
    if let (Some(rep), DuplicatePolicy::Drop) = (&duplicates, cfg.split.duplicates) {
        let dropped: BTreeSet<String> = rep
            .drop_one_per_cluster()
            .iter()
            .map(|&k| rep.ids[k].clone())
            .collect();
        if !dropped.is_empty() {
            for id in &dropped {
                ctx.exclude(
                    id,
                    "duplicates",
                    "near duplicate of another patient's image ([split] duplicates = \"drop\")",
                );
            }
            let keep: Vec<usize> = (0..cohort.ids.len())
                .filter(|&i| !dropped.contains(&cohort.ids[i]))
                .collect();
            cohort = cohort.keep(&keep);
            check_cohort_size(&cohort)?;
        }
        // Re-run on the kept patients so the report counts what remains.
        let kept: Vec<dlr_audit::DuplicateItem> = items
            .into_iter()
            .filter(|it| cohort.ids.contains(&it.id))
            .collect();
        duplicates = dlr_audit::find_duplicates(&kept, &dup_opts).ok();
    }
    let group_of: Option<Vec<usize>> = duplicates.as_ref().and_then(|rep| {
        let grouping = cfg.split.duplicates == DuplicatePolicy::Group;
        (grouping && !rep.clusters.is_empty() && rep.ids.len() == cohort.ids.len())
            .then(|| rep.group_ids())
    });
    let train_fraction = 1.0 - cfg.split.test_fraction;
    let grouped = group_of.is_some();
    let fold = match &group_of {
        Some(groups) => {
            dlr_audit::grouped_stratified_split(&cohort.y, groups, train_fraction, cfg.split.seed)?
        }
        None => dlr_learn::stratified_split(&cohort.y, train_fraction, cfg.split.seed)?,
    };
    let mut checks = Vec::new();
    let mut summary = None;
    if let Some(rep) = &duplicates {
        let train_ids: Vec<&str> = fold.train.iter().map(|&i| cohort.ids[i].as_str()).collect();
        let test_ids: Vec<&str> = fold.test.iter().map(|&i| cohort.ids[i].as_str()).collect();
        let straddling = dlr_audit::straddling_pairs(rep, &train_ids, &test_ids).len();
        if straddling > 0 {
            ctx.warn(format!(
                "{straddling} near-duplicate image pair(s) fall on both sides of the train/test split: the test AUC is optimistic (set [split] duplicates = \"group\")"
            ));
        }
        checks.push(dlr_audit::LeakageCheckResult::duplicates_across_split(
            straddling, grouped,
        ));
        summary = Some(dlr_audit::DuplicateSummary::from_report(
            rep,
            Some(straddling),
        ));
    }
    Ok(SplitCohort {
        cohort,
        fold,
        duplicates: summary,
        checks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(n: usize, events: usize) -> Cohort {
        Cohort {
            members: (0..n).collect(),
            ids: (0..n).map(|i| format!("P{i:02}")).collect(),
            y: (0..n).map(|i| i < events).collect(),
        }
    }

    #[test]
    fn too_few_of_a_class_is_an_error_that_counts_them() {
        let e = check_cohort_size(&cohort(20, 3)).unwrap_err().to_string();
        assert!(e.contains("20 patients") && e.contains("3 events"), "{e}");
        check_cohort_size(&cohort(20, 4)).unwrap();
        assert!(check_cohort_size(&cohort(20, 17)).is_err());
    }

    #[test]
    fn keeping_rows_keeps_ids_outcomes_and_members_aligned() {
        let c = cohort(6, 3).keep(&[1, 4]);
        assert_eq!(c.members, [1, 4]);
        assert_eq!(c.ids, ["P01", "P04"]);
        assert_eq!(c.y, [true, false]);
        assert_eq!(c.events(), 1);
    }
}
