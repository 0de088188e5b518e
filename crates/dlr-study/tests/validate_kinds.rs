//! One test per kind of validation problem, each on a small study broken in one way.

mod common;
use common::*;
use dlr_study::{validate, ManifestColumns, ProblemKind, Severity, StudyInput, ValidateOptions};

/// The report holds exactly one problem, of `kind`, for `patient`; returns it.
fn only(
    report: &dlr_study::ValidationReport,
    kind: ProblemKind,
    patient: Option<&str>,
) -> dlr_study::Problem {
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    let p = report.problems[0].clone();
    assert_eq!(p.kind, kind, "{p:#?}");
    assert_eq!(p.patient.as_deref(), patient, "{p:#?}");
    assert!(!p.fix.is_empty() && !p.message.is_empty());
    p
}

#[test]
fn clean_study_is_clean() {
    let s = MiniStudy::new();
    let r = s.validate();
    assert!(r.is_clean(), "{:#?}", r.problems);
    assert_eq!((r.patients, r.rows, r.images, r.masks), (2, 2, 2, 2));
    assert_eq!((r.events, r.non_events), (1, 1));
    assert!(
        r.summary().contains("0 errors, 0 warnings"),
        "{}",
        r.summary()
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["patients"], 2);
}

#[test]
fn missing_file() {
    let s = MiniStudy::new();
    std::fs::remove_file(s.path("img/B.png")).unwrap();
    let p = only(&s.validate(), ProblemKind::MissingFile, Some("B"));
    assert_eq!(p.file.unwrap(), s.path("img/B.png"));
    assert_eq!(p.line, Some(3));
    assert_eq!(p.severity, Severity::Error);
}

#[test]
fn missing_mask_file() {
    let s = MiniStudy::new();
    std::fs::remove_file(s.path("mask/A.png")).unwrap();
    let p = only(&s.validate(), ProblemKind::MissingFile, Some("A"));
    assert_eq!(p.file.unwrap(), s.path("mask/A.png"));
}

#[test]
fn unreadable_file() {
    let s = MiniStudy::new();
    let bytes = std::fs::read(s.path("img/A.png")).unwrap();
    std::fs::write(s.path("img/A.png"), &bytes[..bytes.len() / 2]).unwrap();
    let p = only(&s.validate(), ProblemKind::UnreadableFile, Some("A"));
    assert_eq!(p.file.unwrap(), s.path("img/A.png"));
}

#[test]
fn size_mismatch() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/B.png"), 16, 64, &square_mask(10));
    let p = only(&s.validate(), ProblemKind::SizeMismatch, Some("B"));
    assert!(
        p.message.contains("16x64") && p.message.contains("32x32"),
        "{}",
        p.message
    );
}

#[test]
fn empty_roi() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/A.png"), 32, 32, &[0u8; 32 * 32]);
    only(&s.validate(), ProblemKind::EmptyRoi, Some("A"));
}

#[test]
fn small_roi_uses_the_configured_minimum() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/A.png"), 32, 32, &square_mask(3)); // 9 pixels
    let r = s.validate(); // default minimum 16
    let p = only(&r, ProblemKind::SmallRoi, Some("A"));
    assert!(
        p.message.contains("9 pixels") && p.message.contains("minimum of 16"),
        "{}",
        p.message
    );
    assert_eq!(p.severity, Severity::Error);
    assert_eq!(p.file.as_deref(), Some(s.path("mask/A.png").as_path()));
    // exactly at the minimum is fine
    write_png(&s.path("mask/A.png"), 32, 32, &square_mask(4)); // 16 pixels
    assert!(s.validate().is_clean());
    write_png(&s.path("mask/A.png"), 32, 32, &square_mask(3));
    let opts = ValidateOptions {
        min_roi_pixels: 9,
        ..ValidateOptions::default()
    };
    assert!(validate(&s.input(), &opts).is_clean());
}

#[test]
fn non_binary_mask() {
    let s = MiniStudy::new();
    let mut m = square_mask(10);
    m[8 + 32 * 8] = 128; // an anti-aliased edge pixel
    write_png(&s.path("mask/B.png"), 32, 32, &m);
    let p = only(&s.validate(), ProblemKind::NonBinaryMask, Some("B"));
    assert!(p.message.contains("0, 128, 255"), "{}", p.message);
    // two values without 0 are not binary either
    let m: Vec<u8> = square_mask(10)
        .iter()
        .map(|&v| if v == 0 { 1 } else { 2 })
        .collect();
    write_png(&s.path("mask/B.png"), 32, 32, &m);
    only(&s.validate(), ProblemKind::NonBinaryMask, Some("B"));
    // not checked when binary masks are not expected
    let opts = ValidateOptions {
        binary_masks: false,
        ..ValidateOptions::default()
    };
    assert!(validate(&s.input(), &opts).is_clean());
}

#[test]
fn duplicate_row() {
    let s = MiniStudy::new();
    s.write(
        "manifest.csv",
        "patient_id,phase,image,mask\nA,US,img/A.png,mask/A.png\nB,US,img/B.png,mask/B.png\nA,US,img/A.png,mask/A.png\n",
    );
    let p = only(&s.validate(), ProblemKind::DuplicateRow, Some("A"));
    assert_eq!(p.line, Some(4));
    assert!(p.message.contains("line 2"), "{}", p.message);
}

#[test]
fn duplicate_clinical_row() {
    let s = MiniStudy::new();
    s.write(
        "clinical.csv",
        "patient_id,outcome,age\nA,1,60\nB,0,55\nB,0,55\n",
    );
    let p = only(&s.validate(), ProblemKind::DuplicateRow, Some("B"));
    assert_eq!(p.line, Some(4));
}

#[test]
fn patient_missing_from_clinical() {
    let s = MiniStudy::new();
    s.write("clinical.csv", "patient_id,outcome,age\nA,1,60\n");
    only(&s.validate(), ProblemKind::MissingFromClinical, Some("B"));
}

#[test]
fn patient_missing_from_manifest() {
    let s = MiniStudy::new();
    s.write(
        "clinical.csv",
        "patient_id,outcome,age\nA,1,60\nB,0,55\nC,1,70\n",
    );
    let r = s.validate();
    let p = only(&r, ProblemKind::MissingFromManifest, Some("C"));
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(
        (r.events, r.non_events),
        (1, 1),
        "C has no images and is not counted"
    );
}

#[test]
fn outcome_not_binary() {
    let s = MiniStudy::new();
    s.write("clinical.csv", "patient_id,outcome,age\nA,2,60\nB,0,55\n");
    let p = only(&s.validate(), ProblemKind::OutcomeNotBinary, Some("A"));
    assert!(p.message.contains("`2`"), "{}", p.message);
}

#[test]
fn missing_outcome_and_missing_covariate() {
    let s = MiniStudy::new();
    s.write("clinical.csv", "patient_id,outcome,age\nA,,60\nB,0,NA\n");
    let r = s.validate();
    assert_eq!(r.count(ProblemKind::MissingValue), 2, "{:#?}", r.problems);
    assert_eq!(r.problems.len(), 2);
    let a = &r.problems[0];
    assert_eq!(
        (a.patient.as_deref(), a.severity),
        (Some("A"), Severity::Error)
    );
    let b = &r.problems[1];
    assert_eq!(
        (b.patient.as_deref(), b.severity),
        (Some("B"), Severity::Warning)
    );
    assert!(b.message.contains("`age`"));
}

#[test]
fn invalid_value_in_declared_numeric_column() {
    let s = MiniStudy::new();
    s.write(
        "clinical.csv",
        "patient_id,outcome,age\nA,1,60\nB,0,sixty\n",
    );
    let mut opts = dlr_study::ClinicalOptions::with_outcome("outcome");
    opts.types
        .insert("age".into(), dlr_study::ColumnType::Numeric);
    let input = StudyInput::read(
        &s.path("manifest.csv"),
        &ManifestColumns::default(),
        Some((&s.path("clinical.csv"), &opts)),
    )
    .unwrap();
    let r = validate(&input, &ValidateOptions::default());
    let p = only(&r, ProblemKind::InvalidValue, Some("B"));
    assert!(p.message.contains("sixty"));
    assert!(p.message.contains("declared numeric"), "{}", p.message);
    // without the declaration the column is not made categorical either: one number, one text
    // (a tie goes to numeric) leaves `sixty` invalid
    let p = only(&s.validate(), ProblemKind::InvalidValue, Some("B"));
    assert!(p.message.contains("`sixty`, not a number"), "{}", p.message);
}

#[test]
fn duplicate_image() {
    let s = MiniStudy::new();
    std::fs::copy(s.path("img/A.png"), s.path("img/B.png")).unwrap();
    let p = only(&s.validate(), ProblemKind::DuplicateImage, Some("A"));
    assert!(p.message.contains("different outcomes"), "{}", p.message);
    assert_eq!(p.severity, Severity::Warning);
}

#[test]
fn the_same_file_used_by_two_readers_is_not_a_duplicate() {
    let s = MiniStudy::new();
    s.write(
        "manifest.csv",
        "patient_id,phase,image,mask,reader\nA,US,img/A.png,mask/A.png,1\nA,US,img/A.png,mask/A.png,2\nB,US,img/B.png,mask/B.png,1\nB,US,img/B.png,mask/B.png,2\n",
    );
    let r = s.validate();
    assert!(r.is_clean(), "{:#?}", r.problems);
    assert_eq!((r.rows, r.images, r.masks), (4, 2, 4));
}

#[test]
fn incomplete_patient() {
    let s = MiniStudy::new();
    s.write(
        "manifest.csv",
        "patient_id,phase,image,mask,reader\nA,US,img/A.png,mask/A.png,1\nA,AP,img/A.png,mask/A.png,1\nB,US,img/B.png,mask/B.png,1\n",
    );
    let opts = ValidateOptions {
        expected_phases: vec!["US".into(), "AP".into()],
        ..ValidateOptions::default()
    };
    let p = only(
        &validate(&s.input(), &opts),
        ProblemKind::IncompletePatient,
        Some("B"),
    );
    assert!(p.message.contains("phase AP"), "{}", p.message);
}

/// Label carried by the manifest: positive/negative values, unmapped values, disagreement.
fn label_study(s: &MiniStudy, rows: &str, negative: Option<&str>) -> dlr_study::ValidationReport {
    s.write("manifest.csv", &format!("id,label,image,mask\n{rows}"));
    let cols = ManifestColumns {
        id: "id".into(),
        fixed_phase: Some("US".into()),
        label: Some("label".into()),
        positive: Some("malignant".into()),
        negative: negative.map(String::from),
        ..ManifestColumns::default()
    };
    let input = StudyInput::read(&s.path("manifest.csv"), &cols, None).unwrap();
    validate(&input, &ValidateOptions::default())
}

#[test]
fn manifest_label_outcome_not_binary() {
    let s = MiniStudy::new();
    let ok = "A,malignant,img/A.png,mask/A.png\nB,benign,img/B.png,mask/B.png\n";
    let r = label_study(&s, ok, None);
    assert!(r.is_clean(), "{:#?}", r.problems);
    assert_eq!((r.events, r.non_events), (1, 1));
    let typo = "A,malignant,img/A.png,mask/A.png\nB,begnin,img/B.png,mask/B.png\n";
    let p = only(
        &label_study(&s, typo, Some("benign")),
        ProblemKind::OutcomeNotBinary,
        Some("B"),
    );
    assert!(p.message.contains("begnin"), "{}", p.message);
}

#[test]
fn inconsistent_outcome() {
    let s = MiniStudy::new();
    // a second lesion row (not a duplicate key) with the other label
    let rows = "id,label,image,mask,lesion\nA,malignant,img/A.png,mask/A.png,1\nB,benign,img/B.png,mask/B.png,1\nA,benign,img/A.png,mask/B.png,2\n";
    s.write("manifest.csv", rows);
    let cols = ManifestColumns {
        id: "id".into(),
        fixed_phase: Some("US".into()),
        label: Some("label".into()),
        positive: Some("malignant".into()),
        negative: Some("benign".into()),
        ..ManifestColumns::default()
    };
    let input = StudyInput::read(&s.path("manifest.csv"), &cols, None).unwrap();
    let p = only(
        &validate(&input, &ValidateOptions::default()),
        ProblemKind::InconsistentOutcome,
        Some("A"),
    );
    assert_eq!(p.line, Some(4));
    assert!(dlr_study::load_study(&input).is_err());
}

#[test]
fn missing_column_is_a_read_error_naming_the_columns() {
    let s = MiniStudy::new();
    let cols = ManifestColumns {
        id: "case_id".into(),
        ..ManifestColumns::default()
    };
    let e = dlr_study::read_manifest(&s.path("manifest.csv"), &cols)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no column `case_id`") && e.contains("patient_id,phase,image,mask"),
        "{e}"
    );
}

#[test]
fn load_study_reads_pairs_on_demand() {
    let s = MiniStudy::new();
    let study = dlr_study::load_study(&s.input()).unwrap();
    assert_eq!(study.outcomes(), [1, 0]);
    assert_eq!(study.phases, ["US"]);
    assert_eq!(study.covariates[0].name, "age");
    let scan = study.patients[0].scan("US", "1").unwrap();
    let (img, roi) = scan.load().unwrap();
    assert_eq!(img.dims(), [32, 32, 1]);
    assert_eq!(roi.count(), 100);
    assert_eq!(img.get(0, 0, 0), image_pixels(0)[0] as f32);
    assert!(study.patients[0].scan("AP", "1").is_none());
}
