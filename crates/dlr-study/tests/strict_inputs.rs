//! Inputs that used to be accepted silently and must now be reported: stray text or non-finite
//! numbers in a numeric covariate, label-map masks without an ROI label, tiny ROIs; and a study
//! without an outcome, which must validate (images and masks checked) with a note.

mod common;
use common::*;
use dlr_study::{
    read_clinical, validate, ClinicalOptions, ClinicalValue, ColumnType, ManifestColumns, Problem,
    ProblemKind, Severity, StudyInput, ValidateOptions, INVALID_CELLS_LISTED,
};

fn of_kind(report: &dlr_study::ValidationReport, kind: ProblemKind) -> Vec<&Problem> {
    report.problems.iter().filter(|p| p.kind == kind).collect()
}

/// A clinical table of `ages.len()` patients P01… with outcome alternating 1/0, the given `age`
/// cells, and genuinely categorical `sex` (M/F) and `hepatitis` (yes/no) columns.
fn clinical_csv(ages: &[&str]) -> String {
    let mut text = String::from("patient_id,outcome,age,sex,hepatitis\n");
    for (i, age) in ages.iter().enumerate() {
        text += &format!(
            "P{:02},{},{age},{},{}\n",
            i + 1,
            (i + 1) % 2,
            if i % 2 == 0 { "M" } else { "F" },
            if i % 3 == 0 { "yes" } else { "no" }
        );
    }
    text
}

fn ages(n: usize) -> Vec<String> {
    (0..n).map(|i| (40 + i).to_string()).collect()
}

/// A study whose manifest lists every patient P01… of the clinical table (all sharing image and
/// mask A), so that only clinical problems are reported.
fn clinical_study(ages: &[&str]) -> (MiniStudy, StudyInput) {
    let s = MiniStudy::new();
    let mut manifest = String::from("patient_id,phase,image,mask\n");
    for i in 0..ages.len() {
        manifest += &format!("P{:02},US,img/A.png,mask/A.png\n", i + 1);
    }
    s.write("manifest.csv", &manifest);
    s.write("clinical.csv", &clinical_csv(ages));
    let input = s.input();
    (s, input)
}

#[test]
fn stray_text_and_inf_in_a_numeric_column_are_errors_not_a_new_type() {
    let mut cells = ages(20);
    cells[4] = "62 years".into(); // line 6
    cells[11] = "inf".into(); // line 13
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    let (s, input) = clinical_study(&refs);
    let table = input.clinical.as_ref().unwrap();
    let kinds: Vec<(&str, ColumnType)> = table
        .covariates
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("age", ColumnType::Numeric),
            ("sex", ColumnType::Categorical),
            ("hepatitis", ColumnType::Categorical)
        ]
    );
    assert!(table.covariates[0].levels.is_empty());
    assert_eq!(table.covariates[1].levels, ["F", "M"]);
    assert_eq!(table.covariates[2].levels, ["no", "yes"]);
    assert_eq!(
        table.rows[4].values[0],
        ClinicalValue::Invalid("62 years".into())
    );
    assert_eq!(
        table.rows[11].values[0],
        ClinicalValue::Invalid("inf".into())
    );
    assert_eq!(table.rows[5].values[0], ClinicalValue::Number(45.0));

    let r = validate(&input, &ValidateOptions::default());
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    let bad = of_kind(&r, ProblemKind::InvalidValue);
    assert_eq!(bad.len(), 2);
    let (years, inf) = (bad[0], bad[1]); // sorted by patient
    assert_eq!(years.patient.as_deref(), Some("P05"));
    assert_eq!(years.line, Some(6));
    assert_eq!(
        years.file.as_deref(),
        Some(s.path("clinical.csv").as_path())
    );
    assert_eq!(years.severity, Severity::Error);
    assert!(
        years.message.contains("`age`")
            && years.message.contains("`62 years`, not a number")
            && years
                .message
                .contains("18 of its 20 filled cells are numbers"),
        "{}",
        years.message
    );
    assert!(
        years
            .fix
            .contains("write a number or leave the cell empty for missing"),
        "{}",
        years.fix
    );
    assert_eq!((inf.patient.as_deref(), inf.line), (Some("P12"), Some(13)));
    assert!(
        inf.message.contains("`inf`, not a finite number"),
        "{}",
        inf.message
    );
}

#[test]
fn nan_is_missing_only_as_a_declared_missing_token() {
    let mut cells = ages(6);
    cells[1] = "nan".into();
    cells[2] = "-Infinity".into();
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    let (s, input) = clinical_study(&refs);
    // default tokens: `nan` is missing (reported as such), `-Infinity` is invalid
    let t = input.clinical.as_ref().unwrap();
    assert_eq!(t.rows[1].values[0], ClinicalValue::Missing);
    assert_eq!(
        t.rows[2].values[0],
        ClinicalValue::Invalid("-Infinity".into())
    );
    let r = validate(&input, &ValidateOptions::default());
    let missing = of_kind(&r, ProblemKind::MissingValue);
    assert_eq!(missing.len(), 1, "{:#?}", r.problems);
    assert_eq!(missing[0].patient.as_deref(), Some("P02"));
    assert_eq!(of_kind(&r, ProblemKind::InvalidValue).len(), 1);
    // without `nan` among the missing tokens it is a non-finite number: an error
    let mut opts = ClinicalOptions::with_outcome("outcome");
    opts.missing_tokens = vec!["NA".into()];
    let t = read_clinical(&s.path("clinical.csv"), &opts).unwrap();
    assert_eq!(t.covariates[0].kind, ColumnType::Numeric);
    assert_eq!(t.rows[1].values[0], ClinicalValue::Invalid("nan".into()));
    let input = StudyInput {
        manifest: input.manifest.clone(),
        clinical: Some(t),
    };
    let r = validate(&input, &ValidateOptions::default());
    let bad = of_kind(&r, ProblemKind::InvalidValue);
    assert_eq!(bad.len(), 2, "{:#?}", r.problems);
    assert_eq!(
        (bad[0].patient.as_deref(), bad[0].line),
        (Some("P02"), Some(3))
    );
    assert!(bad[0].message.contains("`nan`, not a finite number"));
}

#[test]
fn many_bad_cells_are_listed_up_to_the_limit_then_counted() {
    assert_eq!(INVALID_CELLS_LISTED, 20);
    // 60 patients, 25 ages written with a unit: still a numeric column (35 numbers)
    let mut cells = ages(60);
    for c in cells.iter_mut().skip(35) {
        *c = format!("{c} y");
    }
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    let (_s, input) = clinical_study(&refs);
    assert_eq!(
        input.clinical.as_ref().unwrap().covariates[0].kind,
        ColumnType::Numeric
    );
    let r = validate(&input, &ValidateOptions::default());
    let bad = of_kind(&r, ProblemKind::InvalidValue);
    assert_eq!(bad.len(), 21, "{:#?}", r.problems);
    let per_cell: Vec<&&Problem> = bad.iter().filter(|p| p.patient.is_some()).collect();
    assert_eq!(per_cell.len(), 20);
    // the first 20 bad cells in file order: patients P36…P55 (lines 37…56)
    let lines: Vec<u64> = per_cell.iter().map(|p| p.line.unwrap()).collect();
    assert_eq!(lines, (37..57).collect::<Vec<u64>>());
    let rest: Vec<&&Problem> = bad.iter().filter(|p| p.patient.is_none()).collect();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].severity, Severity::Error);
    assert_eq!(rest[0].line, Some(57));
    assert!(
        rest[0]
            .message
            .contains("5 more invalid cells beyond the 20 listed (lines 57 to 61"),
        "{}",
        rest[0].message
    );
}

#[test]
fn a_few_numbers_in_a_text_column_are_errors_unless_declared_categorical() {
    let s = MiniStudy::new();
    s.write(
        "clinical.csv",
        "patient_id,outcome,sex\nA,1,M\nB,0,F\nC,0,M\nD,1,1\n",
    );
    let opts = ClinicalOptions::with_outcome("outcome");
    let t = read_clinical(&s.path("clinical.csv"), &opts).unwrap();
    assert_eq!(t.covariates[0].kind, ColumnType::Categorical);
    assert_eq!(t.covariates[0].levels, ["F", "M"]);
    assert_eq!(t.rows[3].values[0], ClinicalValue::Invalid("1".into()));
    let input = StudyInput {
        manifest: s.input().manifest,
        clinical: Some(t),
    };
    let r = validate(&input, &ValidateOptions::default());
    let bad = of_kind(&r, ProblemKind::InvalidValue);
    assert_eq!(bad.len(), 1, "{:#?}", r.problems);
    assert_eq!(
        (bad[0].patient.as_deref(), bad[0].line),
        (Some("D"), Some(5))
    );
    assert!(
        bad[0].message.contains("`1`, a number among text labels"),
        "{}",
        bad[0].message
    );
    // declared categorical: every cell is a label, nothing to report
    let mut opts = ClinicalOptions::with_outcome("outcome");
    opts.types.insert("sex".into(), ColumnType::Categorical);
    let t = read_clinical(&s.path("clinical.csv"), &opts).unwrap();
    assert_eq!(t.covariates[0].levels, ["1", "F", "M"]);
    assert!(t
        .rows
        .iter()
        .all(|r| matches!(r.values[0], ClinicalValue::Category(_))));
}

/// A 32×32 label map: label 1 is a 4×5 block at (2, 2), label 2 a 6×6 block at (20, 20).
fn label_map() -> Vec<u8> {
    let mut m = vec![0u8; 32 * 32];
    for y in 2..7 {
        for x in 2..6 {
            m[x + 32 * y] = 1;
        }
    }
    for y in 20..26 {
        for x in 20..26 {
            m[x + 32 * y] = 2;
        }
    }
    m
}

#[test]
fn label_map_without_roi_label_is_an_error_naming_the_values_and_the_fix() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/A.png"), 32, 32, &label_map());
    let r = s.validate();
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let p = &r.problems[0];
    assert_eq!(p.kind, ProblemKind::NonBinaryMask);
    assert_eq!(p.severity, Severity::Error);
    assert_eq!(p.patient.as_deref(), Some("A"));
    assert_eq!(p.file.as_deref(), Some(s.path("mask/A.png").as_path()));
    assert!(p.message.contains("0, 1, 2"), "{}", p.message);
    assert!(
        p.fix.contains("add a `roi_label` column") && p.fix.contains("one of 1, 2"),
        "{}",
        p.fix
    );
}

#[test]
fn roi_label_column_picks_one_label_per_row() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/A.png"), 32, 32, &label_map());
    s.write(
        "manifest.csv",
        "patient_id,phase,image,mask,lesion,roi_label\nA,US,img/A.png,mask/A.png,1,1\nA,US,img/A.png,mask/A.png,2,2.0\nB,US,img/B.png,mask/B.png,1,\n",
    );
    let input = s.input();
    let labels: Vec<Option<&str>> = input
        .manifest
        .entries
        .iter()
        .map(|e| e.roi_label.as_deref())
        .collect();
    assert_eq!(labels, [Some("1"), Some("2.0"), None]);
    let r = validate(&input, &ValidateOptions::default());
    assert!(r.is_clean(), "{:#?}", r.problems);
    let study = dlr_study::load_study(&input).unwrap();
    let a = &study.patients[0];
    let counts: Vec<(Option<u32>, usize)> = a
        .scans
        .iter()
        .map(|sc| (sc.roi_label, sc.load().unwrap().1.count()))
        .collect();
    assert_eq!(counts, [(Some(1), 20), (Some(2), 36)]);
    let b = &study.patients[1].scans[0];
    assert_eq!(b.roi_label, None);
    assert_eq!(b.load().unwrap().1.count(), 100);
    // the raster helpers the pipeline can use give the same ROIs
    let m = dlr_study::raster::read_roi(&s.path("mask/A.png"), Some(2)).unwrap();
    assert_eq!(m.count(), 36);
    assert_eq!(
        dlr_study::raster::read_roi(&s.path("mask/A.png"), None)
            .unwrap()
            .count(),
        56
    );
    let e = dlr_study::raster::read_roi(&s.path("mask/A.png"), Some(3))
        .unwrap_err()
        .to_string();
    assert!(e.contains("label 3 does not occur"), "{e}");
}

#[test]
fn roi_label_column_is_distinct_from_the_outcome_label_column() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/A.png"), 32, 32, &label_map());
    s.write(
        "manifest.csv",
        "case_id,label,image,mask,extra_masks,roi_label\nA,malignant,img/A.png,mask/A.png,,2\nB,benign,img/B.png,mask/B.png,,\n",
    );
    let input = StudyInput::read(&s.path("manifest.csv"), &ManifestColumns::busi(), None).unwrap();
    let e = &input.manifest.entries[0];
    assert_eq!(
        (e.label.as_deref(), e.roi_label_value()),
        (Some("malignant"), Ok(Some(2)))
    );
    let r = validate(&input, &ValidateOptions::default());
    assert!(r.is_clean(), "{:#?}", r.problems);
    assert_eq!((r.events, r.non_events), (1, 1));
    // the ROI-label column can be renamed
    s.write(
        "manifest.csv",
        "case_id,label,image,mask,extra_masks,roi\nA,malignant,img/A.png,mask/A.png,,1\nB,benign,img/B.png,mask/B.png,,\n",
    );
    let cols = ManifestColumns {
        roi_label: "roi".into(),
        ..ManifestColumns::busi()
    };
    let input = StudyInput::read(&s.path("manifest.csv"), &cols, None).unwrap();
    assert_eq!(input.manifest.entries[0].roi_label_value(), Ok(Some(1)));
}

#[test]
fn roi_label_absent_from_the_mask_or_not_an_integer_is_an_error() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/A.png"), 32, 32, &label_map());
    s.write(
        "manifest.csv",
        "patient_id,phase,image,mask,roi_label\nA,US,img/A.png,mask/A.png,3\nB,US,img/B.png,mask/B.png,0\n",
    );
    let input = s.input();
    let r = validate(&input, &ValidateOptions::default());
    assert_eq!(r.problems.len(), 2, "{:#?}", r.problems);
    let a = &r.problems[0];
    assert_eq!(
        (a.kind, a.severity, a.patient.as_deref(), a.line),
        (
            ProblemKind::RoiLabelNotFound,
            Severity::Error,
            Some("A"),
            Some(2)
        )
    );
    assert_eq!(a.file.as_deref(), Some(s.path("mask/A.png").as_path()));
    assert!(
        a.message
            .contains("ROI label 3 does not occur in the mask (values present: 0, 1, 2)"),
        "{}",
        a.message
    );
    let b = &r.problems[1];
    assert_eq!(
        (b.kind, b.patient.as_deref(), b.line),
        (ProblemKind::InvalidValue, Some("B"), Some(3))
    );
    assert_eq!(b.file.as_deref(), Some(s.path("manifest.csv").as_path()));
    assert!(
        b.message.contains("`0` is not an integer ≥ 1"),
        "{}",
        b.message
    );
    let e = dlr_study::load_study(&input).unwrap_err().to_string();
    assert!(e.contains("patient B") && e.contains("line 3"), "{e}");
    for (raw, want) in [
        ("1", Some(1)),
        (" 7 ", Some(7)),
        ("2.0", Some(2)),
        ("0", None),
        ("-1", None),
        ("1.5", None),
        ("two", None),
        ("inf", None),
    ] {
        assert_eq!(dlr_study::parse_roi_label(raw), want, "{raw}");
    }
}

#[test]
fn one_pixel_roi_is_an_error_for_its_patient() {
    let s = MiniStudy::new();
    write_png(&s.path("mask/B.png"), 32, 32, &square_mask(1));
    let r = s.validate();
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let p = &r.problems[0];
    assert_eq!(
        (p.kind, p.severity, p.patient.as_deref(), p.line),
        (ProblemKind::SmallRoi, Severity::Error, Some("B"), Some(3))
    );
    assert_eq!(p.file.as_deref(), Some(s.path("mask/B.png").as_path()));
    assert!(
        p.message
            .contains("has 1 pixel, fewer than the minimum of 16"),
        "{}",
        p.message
    );
    assert!(r.has_errors());
    assert_eq!(ValidateOptions::default().min_roi_pixels, 16);
    let opts = ValidateOptions {
        min_roi_pixels: 1,
        ..ValidateOptions::default()
    };
    assert!(validate(&s.input(), &opts).is_clean());
    // the minimum applies to the labelled ROI, not to the whole label map
    let mut m = square_mask(10);
    m[0] = 2;
    write_png(&s.path("mask/B.png"), 32, 32, &m);
    s.write(
        "manifest.csv",
        "patient_id,phase,image,mask,roi_label\nA,US,img/A.png,mask/A.png,\nB,US,img/B.png,mask/B.png,2\n",
    );
    let r = s.validate();
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    assert!(r.problems[0].message.contains("has 1 pixel"));
}

#[test]
fn study_without_outcome_validates_images_and_masks_with_a_note() {
    let s = MiniStudy::new();
    let input = StudyInput::read(&s.path("manifest.csv"), &ManifestColumns::default(), None)
        .expect("a manifest without outcome is readable");
    assert_eq!(input.outcome_source(), "none");
    let r = validate(&input, &ValidateOptions::default());
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let p = &r.problems[0];
    assert_eq!(
        (p.kind, p.severity, p.patient.as_deref()),
        (ProblemKind::MissingOutcome, Severity::Info, None)
    );
    assert_eq!(p.kind.as_str(), "missing_outcome");
    assert_eq!(p.severity.as_str(), "info");
    assert!(
        p.message.contains("no outcome column")
            && p.message.contains("fine for extraction")
            && p.message.contains("`dlr run` needs"),
        "{}",
        p.message
    );
    assert!(r.is_clean() && !r.has_errors());
    assert_eq!(
        (r.error_count(), r.warning_count(), r.info_count()),
        (0, 0, 1)
    );
    assert_eq!((r.images, r.masks), (2, 2));
    assert!(
        r.summary()
            .contains("0 errors, 0 warnings, 1 note (missing_outcome 1)"),
        "{}",
        r.summary()
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["problems"][0]["severity"], "info");
    // images and masks are still checked
    write_png(&s.path("mask/A.png"), 32, 32, &square_mask(2));
    let r = validate(&input, &ValidateOptions::default());
    assert_eq!(r.count(ProblemKind::SmallRoi), 1, "{:#?}", r.problems);
    assert!(r.has_errors() && !r.is_clean());
    // loading for analysis needs the outcome and says so
    let e = dlr_study::load_study(&input).unwrap_err().to_string();
    assert!(
        e.contains("no outcome") && e.contains("`dlr run` needs one"),
        "{e}"
    );
}
