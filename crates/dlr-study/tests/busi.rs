//! The BUSI development set (../shared/data/busi) read through a column mapping, validated,
//! loaded, and a broken copy of it validated.

use dlr_study::{load_study, validate, ManifestColumns, ProblemKind, StudyInput, ValidateOptions};
use rayon::prelude::*;
use std::path::Path;

fn busi_input(manifest: &Path) -> StudyInput {
    StudyInput::read(manifest, &ManifestColumns::busi(), None).unwrap()
}

#[test]
fn busi_manifest_reads_as_it_is() {
    let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let input = busi_input(&manifest);
    let m = &input.manifest;
    // README: 455 cases, 310 benign and 145 malignant, one B-mode image each
    assert_eq!(m.entries.len(), 455);
    assert_eq!(m.patient_ids().len(), 455);
    assert!(m.entries.iter().all(|e| e.phase == "US" && e.reader == "1"));
    let malignant = m
        .entries
        .iter()
        .filter(|e| e.label.as_deref() == Some("malignant"))
        .count();
    assert_eq!(malignant, 145);
    let e = m
        .entries
        .iter()
        .find(|e| e.patient_id == "benign_195")
        .unwrap();
    assert_eq!(e.extra_masks.len(), 2);
    assert!(e.extra_masks[1].ends_with("masks/benign_195_mask_2.png"));
    assert!(e.image.is_file());
}

#[test]
fn busi_validates_and_loads_fully() {
    let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let input = busi_input(&manifest);
    let report = validate(&input, &ValidateOptions::default());
    eprintln!("{}", report.summary());
    for p in &report.problems {
        eprintln!("{:?} {:?} {}", p.kind, p.patient, p.message);
    }
    assert_eq!(
        (report.patients, report.rows, report.images),
        (455, 455, 455)
    );
    assert_eq!((report.events, report.non_events), (145, 310));
    assert!(!report.has_errors(), "{}", report.summary());
    BUSI_WARNINGS.check(&report);

    let study = load_study(&input).unwrap();
    assert_eq!(study.patients.len(), 455);
    assert_eq!(study.outcomes().iter().filter(|&&y| y == 1).count(), 145);
    let loaded: Vec<(bool, usize, usize)> = study
        .patients
        .par_iter()
        .map(|p| {
            let scan = p.scan("US", "1").unwrap();
            let (img, roi) = scan.load().unwrap();
            assert_eq!(img.dims(), roi.dims());
            let rgb = img.meta.notes.iter().any(|n| n.contains("RGB"));
            (rgb, scan.masks.len(), roi.count())
        })
        .collect();
    let rgb = loaded.iter().filter(|l| l.0).count();
    let with_extra = loaded.iter().filter(|l| l.1 > 1).count();
    eprintln!("RGB images: {rgb}, cases with extra masks: {with_extra}");
    assert!(rgb > 0 && rgb < 455, "README: a few images stay RGB");
    let extra_in_manifest = input
        .manifest
        .entries
        .iter()
        .filter(|e| !e.extra_masks.is_empty())
        .count();
    assert_eq!(with_extra, extra_in_manifest);
    assert!(with_extra > 0);
    assert!(loaded.iter().all(|l| l.2 > 0));
}

/// What validation truly finds in BUSI (checked by hand, see docs/notes/issue-2-study.md).
struct BusiWarnings {
    duplicate_groups: usize,
    small_rois: usize,
}

const BUSI_WARNINGS: BusiWarnings = BusiWarnings {
    duplicate_groups: usize::MAX,
    small_rois: usize::MAX,
};

impl BusiWarnings {
    fn check(&self, r: &dlr_study::ValidationReport) {
        assert_eq!(r.count(ProblemKind::DuplicateImage), self.duplicate_groups);
        assert_eq!(r.count(ProblemKind::SmallRoi), self.small_rois);
        assert_eq!(r.problems.len(), self.duplicate_groups + self.small_rois);
    }
}
