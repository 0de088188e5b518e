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
    // This 455-case part of BUSI has no exact duplicate images (no two files share a pixel
    // hash; `md5sum images/*.png | sort | uniq -d -w32` agrees at the byte level), all masks
    // are 0/255 and every ROI has at least 16 pixels: it validates clean.
    assert!(report.is_clean(), "{}", report.summary());

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
            // PNG colour type from the IHDR chunk (byte 25): 2 = RGB, 0 = grey
            let head = std::fs::read(&scan.image).unwrap();
            let rgb = head[25] == 2;
            assert!(
                head[25] == 0 || rgb,
                "{}: colour type {}",
                scan.image.display(),
                head[25]
            );
            (rgb, scan.masks.len(), roi.count())
        })
        .collect();
    let rgb = loaded.iter().filter(|l| l.0).count();
    let with_extra = loaded.iter().filter(|l| l.1 > 1).count();
    eprintln!("RGB images: {rgb}, cases with extra masks: {with_extra}");
    assert_eq!(
        rgb, 10,
        "README: a few images stay RGB (10 of 455 by their PNG headers)"
    );
    let extra_in_manifest = input
        .manifest
        .entries
        .iter()
        .filter(|e| !e.extra_masks.is_empty())
        .count();
    assert_eq!(with_extra, extra_in_manifest);
    assert_eq!(with_extra, 12);
    let extra_files: usize = input
        .manifest
        .entries
        .iter()
        .map(|e| e.extra_masks.len())
        .sum();
    assert_eq!(report.masks, 455 + extra_files);
    assert!(loaded.iter().all(|l| l.2 > 0));
}

/// Copies a folder tree (files only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn broken_busi_copy_gives_one_message_per_broken_case() {
    let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(manifest.parent().unwrap(), tmp.path());
    let root = tmp.path();
    // 1. delete an image
    std::fs::remove_file(root.join("images/benign_101.png")).unwrap();
    // 2. truncate an image
    let p = root.join("images/benign_102.png");
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 3]).unwrap();
    // 3. swap a mask for the mask of a case with another image size
    let own = dlr_image::read_image(&root.join("images/benign_103.png"))
        .unwrap()
        .dims();
    let other = (104..400)
        .map(|k| root.join(format!("masks/benign_{k}_mask.png")))
        .find(|m| m.is_file() && dlr_image::read_image(m).unwrap().dims() != own)
        .unwrap();
    std::fs::copy(&other, root.join("masks/benign_103_mask.png")).unwrap();
    // 4. blank a mask (same size, all zero)
    let m = root.join("masks/malignant_10_mask.png");
    let d = dlr_image::read_image(&m).unwrap().dims();
    image::save_buffer(
        &m,
        &vec![0u8; d[0] * d[1]],
        d[0] as u32,
        d[1] as u32,
        image::ColorType::L8,
    )
    .unwrap();

    let input = busi_input(&root.join("manifest.csv"));
    let report = validate(&input, &ValidateOptions::default());
    eprintln!("{}", report.summary());
    let got: Vec<(ProblemKind, &str)> = report
        .problems
        .iter()
        .map(|p| (p.kind, p.patient.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        got,
        [
            (ProblemKind::MissingFile, "benign_101"),
            (ProblemKind::UnreadableFile, "benign_102"),
            (ProblemKind::SizeMismatch, "benign_103"),
            (ProblemKind::EmptyRoi, "malignant_10"),
        ],
        "{:#?}",
        report.problems
    );
    assert_eq!(report.error_count(), 4);
    // a broken study does not load its broken pairs, but says which file
    let study = load_study(&input).unwrap();
    let p = study
        .patients
        .iter()
        .find(|p| p.id == "benign_103")
        .unwrap();
    let e = p.scan("US", "1").unwrap().load().unwrap_err().to_string();
    assert!(e.contains("benign_103_mask.png"), "{e}");
}
