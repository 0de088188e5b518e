//! The run context: one value every stage writes its warnings, exclusions, timings, cache
//! counts and input hashes into, so the record and the terminal summary see them all.

use crate::record::Exclusion;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

/// What the stages of one run have noted so far.
#[derive(Debug, Default)]
pub struct RunContext {
    /// Warnings for the reader of the report (and the terminal).
    pub warnings: Vec<String>,
    /// Patients left out, with the stage and the reason.
    pub exclusions: Vec<Exclusion>,
    /// How missing data were handled.
    pub missing_data: Vec<String>,
    /// Wall-clock seconds per stage, in run order.
    pub stage_seconds: Vec<(String, f64)>,
    /// ROIs served from the cache / computed, by stage.
    pub cache_counts: BTreeMap<String, usize>,
    /// SHA-256 of every input file (manifest, clinical table, images, masks).
    pub input_hashes: Vec<(PathBuf, String)>,
}

impl RunContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one stage, recording its wall-clock time under `name`.
    pub fn stage<T>(&mut self, name: &str, f: impl FnOnce(&mut Self) -> T) -> T {
        let start = Instant::now();
        let out = f(self);
        self.stage_seconds
            .push((name.to_string(), start.elapsed().as_secs_f64()));
        out
    }

    /// Notes a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// Leaves a patient out, with the stage and the reason (the first reason per stage counts).
    pub fn exclude(&mut self, patient: &str, stage: &str, reason: impl Into<String>) {
        if self
            .exclusions
            .iter()
            .any(|e| e.patient == patient && e.stage == stage)
        {
            return;
        }
        self.exclusions.push(Exclusion {
            patient: patient.to_string(),
            stage: stage.to_string(),
            reason: reason.into(),
        });
    }

    /// Whether a patient has been left out by any stage.
    pub fn is_excluded(&self, patient: &str) -> bool {
        self.exclusions.iter().any(|e| e.patient == patient)
    }

    /// Input hashes sorted and without repeats (for the record).
    pub fn sorted_input_hashes(&self) -> Vec<(PathBuf, String)> {
        let mut v = self.input_hashes.clone();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_timed_in_order_and_exclusions_are_kept_once_per_stage() {
        let mut ctx = RunContext::new();
        let v = ctx.stage("load", |c| {
            c.exclude("P1", "validation", "bad mask");
            c.exclude("P1", "validation", "second reason is not repeated");
            c.exclude("P1", "deep", "crop failed");
            7
        });
        ctx.stage("fit", |c| c.warn("w"));
        assert_eq!(v, 7);
        let names: Vec<&str> = ctx.stage_seconds.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["load", "fit"]);
        assert!(ctx.stage_seconds.iter().all(|(_, s)| *s >= 0.0));
        assert_eq!(ctx.exclusions.len(), 2);
        assert_eq!(ctx.exclusions[0].reason, "bad mask");
        assert!(ctx.is_excluded("P1") && !ctx.is_excluded("P2"));
        assert_eq!(ctx.warnings, ["w"]);
    }

    #[test]
    fn input_hashes_are_sorted_and_deduplicated() {
        let mut ctx = RunContext::new();
        ctx.input_hashes.push((PathBuf::from("b"), "2".into()));
        ctx.input_hashes.push((PathBuf::from("a"), "1".into()));
        ctx.input_hashes.push((PathBuf::from("b"), "2".into()));
        assert_eq!(
            ctx.sorted_input_hashes(),
            vec![
                (PathBuf::from("a"), "1".into()),
                (PathBuf::from("b"), "2".into())
            ]
        );
    }
}
