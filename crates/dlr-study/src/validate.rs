//! Study validation: every problem of a study found in one pass, each with the patient, the file,
//! the kind of problem and what to do about it.
//!
//! Images are read once per distinct file, in parallel (rayon); masks are read per manifest row,
//! in parallel. The report is deterministic (problems are sorted) and serialises to JSON.

use crate::clinical::ClinicalValue;
use crate::input::{LabelMap, StudyInput};
use crate::raster;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What to check and with which thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidateOptions {
    /// ROIs with fewer pixels than this are reported as [`ProblemKind::SmallRoi`].
    pub min_roi_pixels: usize,
    /// Masks must hold 0 and at most one other value.
    pub binary_masks: bool,
    /// Report images whose pixels are identical (by [`dlr_image::Image::pixel_hash`]).
    pub detect_duplicate_images: bool,
    /// Phases every patient must have (empty: not checked).
    pub expected_phases: Vec<String>,
    /// Readers every patient must have for every phase (empty: not checked).
    pub expected_readers: Vec<String>,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self {
            min_roi_pixels: 16,
            binary_masks: true,
            detect_duplicate_images: true,
            expected_phases: Vec::new(),
            expected_readers: Vec::new(),
        }
    }
}

/// The kinds of problem validation reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// An image or mask file does not exist (or its path is empty).
    MissingFile,
    /// A file exists but cannot be decoded.
    UnreadableFile,
    /// Image and mask sizes differ.
    SizeMismatch,
    /// The ROI has no pixel.
    EmptyRoi,
    /// The ROI is smaller than the configured minimum.
    SmallRoi,
    /// A mask holds values other than 0 and one foreground value.
    NonBinaryMask,
    /// The same (patient, phase, reader, lesion) or clinical patient appears twice.
    DuplicateRow,
    /// A manifest patient has no clinical row.
    MissingFromClinical,
    /// A clinical patient has no manifest row.
    MissingFromManifest,
    /// The outcome is neither 0 nor 1 (after label mapping).
    OutcomeNotBinary,
    /// Manifest rows of one patient carry different labels.
    InconsistentOutcome,
    /// A required or covariate cell is empty.
    MissingValue,
    /// A cell does not fit its declared type.
    InvalidValue,
    /// Two different files hold identical pixels.
    DuplicateImage,
    /// A patient lacks an expected phase or reader.
    IncompletePatient,
}

impl ProblemKind {
    /// Short name as used in JSON and the summary line.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::MissingFile => "missing_file",
            ProblemKind::UnreadableFile => "unreadable_file",
            ProblemKind::SizeMismatch => "size_mismatch",
            ProblemKind::EmptyRoi => "empty_roi",
            ProblemKind::SmallRoi => "small_roi",
            ProblemKind::NonBinaryMask => "non_binary_mask",
            ProblemKind::DuplicateRow => "duplicate_row",
            ProblemKind::MissingFromClinical => "missing_from_clinical",
            ProblemKind::MissingFromManifest => "missing_from_manifest",
            ProblemKind::OutcomeNotBinary => "outcome_not_binary",
            ProblemKind::InconsistentOutcome => "inconsistent_outcome",
            ProblemKind::MissingValue => "missing_value",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::DuplicateImage => "duplicate_image",
            ProblemKind::IncompletePatient => "incomplete_patient",
        }
    }
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The study cannot be analysed as it is.
    Error,
    /// The study can be analysed, but the result may be biased (duplicates, small ROIs,
    /// missing covariates, clinical rows without images).
    Warning,
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Kind of problem.
    pub kind: ProblemKind,
    /// Error or warning.
    pub severity: Severity,
    /// Patient concerned, when one is.
    pub patient: Option<String>,
    /// File concerned (image, mask or table).
    pub file: Option<PathBuf>,
    /// Line of the table row concerned, when one is.
    pub line: Option<u64>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

/// Everything validation found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationReport {
    /// Manifest checked.
    pub manifest: PathBuf,
    /// Clinical table checked, when any.
    pub clinical: Option<PathBuf>,
    /// Where the outcome comes from.
    pub outcome_source: String,
    /// Distinct patients in the manifest.
    pub patients: usize,
    /// Manifest rows.
    pub rows: usize,
    /// Distinct image files checked.
    pub images: usize,
    /// Mask files checked (main and extra, per row).
    pub masks: usize,
    /// Patients with outcome 1 / 0 (those whose outcome could be read).
    pub events: usize,
    /// Patients with outcome 0.
    pub non_events: usize,
    /// Problems, sorted by patient, kind and file.
    pub problems: Vec<Problem>,
}

impl ValidationReport {
    /// True when nothing at all was found (no error, no warning).
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// True when at least one problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.problems.len() - self.error_count()
    }

    /// Number of problems of one kind.
    pub fn count(&self, kind: ProblemKind) -> usize {
        self.problems.iter().filter(|p| p.kind == kind).count()
    }

    /// Problems per kind.
    pub fn counts(&self) -> BTreeMap<ProblemKind, usize> {
        let mut m = BTreeMap::new();
        for p in &self.problems {
            *m.entry(p.kind).or_insert(0) += 1;
        }
        m
    }

    /// One line: sizes and problem counts, e.g.
    /// `455 patients, 455 rows, 455 images, 563 masks, outcome 145/310: 0 errors, 2 warnings (duplicate_image 2)`.
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = self
            .counts()
            .iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect();
        format!(
            "{} patients, {} rows, {} images, {} masks, outcome {}/{} (events/non-events): {} errors, {} warnings{}",
            self.patients,
            self.rows,
            self.images,
            self.masks,
            self.events,
            self.non_events,
            self.error_count(),
            self.warning_count(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        )
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

struct Found(Vec<Problem>);

impl Found {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        kind: ProblemKind,
        severity: Severity,
        patient: Option<&str>,
        file: Option<&Path>,
        line: Option<u64>,
        message: String,
        fix: &str,
    ) {
        self.0.push(Problem {
            kind,
            severity,
            patient: patient.map(str::to_string),
            file: file.map(Path::to_path_buf),
            line,
            message,
            fix: fix.to_string(),
        });
    }
}

/// What reading one image file gave.
enum ImageCheck {
    Ok {
        dims: [usize; 3],
        hash: Option<String>,
    },
    Missing,
    Unreadable(String),
}

fn check_image(path: &Path, hash: bool) -> ImageCheck {
    if path.as_os_str().is_empty() || !path.is_file() {
        return ImageCheck::Missing;
    }
    match raster::read_image(path) {
        Ok(img) => ImageCheck::Ok {
            dims: img.dims(),
            hash: hash.then(|| img.pixel_hash()),
        },
        Err(e) => ImageCheck::Unreadable(e.to_string()),
    }
}

/// Validates a study: files, ROIs, tables and outcome, in one pass. Never fails; every problem
/// is in the report.
pub fn validate(input: &StudyInput, options: &ValidateOptions) -> ValidationReport {
    let manifest = &input.manifest;
    let entries = &manifest.entries;
    let mut found = Found(Vec::new());

    // ---- images: once per distinct file, in parallel ----
    let mut unique: Vec<&PathBuf> = entries.iter().map(|e| &e.image).collect();
    unique.sort();
    unique.dedup();
    let checks: Vec<ImageCheck> = unique
        .par_iter()
        .map(|p| check_image(p, options.detect_duplicate_images))
        .collect();
    let image_index: HashMap<&PathBuf, usize> =
        unique.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let first_row: HashMap<&PathBuf, usize> = entries
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (&e.image, i))
        .collect();
    for (i, path) in unique.iter().enumerate() {
        let e = &entries[first_row[path]];
        match &checks[i] {
            ImageCheck::Missing => found.add(
                ProblemKind::MissingFile,
                Severity::Error,
                Some(&e.patient_id),
                Some(path),
                Some(e.line),
                if path.as_os_str().is_empty() {
                    format!("phase {} reader {}: no image path given", e.phase, e.reader)
                } else {
                    format!("image of phase {} does not exist", e.phase)
                },
                "fix the path in the manifest or restore the file",
            ),
            ImageCheck::Unreadable(reason) => found.add(
                ProblemKind::UnreadableFile,
                Severity::Error,
                Some(&e.patient_id),
                Some(path),
                Some(e.line),
                format!("image cannot be read: {reason}"),
                "re-export the image (PNG, JPEG, TIFF or BMP) or replace the file",
            ),
            ImageCheck::Ok { .. } => {}
        }
    }

    // ---- masks and ROIs: per row, in parallel ----
    let row_problems: Vec<Vec<Problem>> = entries
        .par_iter()
        .map(|e| {
            let dims = match &checks[image_index[&e.image]] {
                ImageCheck::Ok { dims, .. } => Some(*dims),
                _ => None,
            };
            check_masks(e, dims, options)
        })
        .collect();
    for p in row_problems {
        found.0.extend(p);
    }
    let masks: usize = entries.iter().map(|e| 1 + e.extra_masks.len()).sum();

    // ---- duplicate images ----
    if options.detect_duplicate_images {
        let mut by_hash: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, c) in checks.iter().enumerate() {
            if let ImageCheck::Ok { hash: Some(h), .. } = c {
                by_hash.entry(h.as_str()).or_default().push(i);
            }
        }
        let outcomes = patient_outcomes(input);
        for group in by_hash.values().filter(|g| g.len() > 1) {
            let rows: Vec<&crate::manifest::ManifestEntry> = group
                .iter()
                .map(|&i| &entries[first_row[unique[i]]])
                .collect();
            let files: Vec<String> = group
                .iter()
                .map(|&i| unique[i].display().to_string())
                .collect();
            let patients: BTreeSet<&str> = rows.iter().map(|e| e.patient_id.as_str()).collect();
            let labels: BTreeSet<u8> = patients
                .iter()
                .filter_map(|p| outcomes.get(*p).copied().flatten())
                .collect();
            let conflict = if labels.len() > 1 {
                "; the patients have different outcomes"
            } else {
                ""
            };
            found.add(
                ProblemKind::DuplicateImage,
                Severity::Warning,
                Some(&rows[0].patient_id),
                Some(unique[group[0]]),
                Some(rows[0].line),
                format!(
                    "identical pixels in {} files (patients {}): {}{conflict}",
                    files.len(),
                    patients.iter().copied().collect::<Vec<_>>().join(", "),
                    files.join(", ")
                ),
                "keep one copy (and one label); duplicates leak between training and test sets",
            );
        }
    }

    // ---- table checks ----
    check_manifest_rows(input, options, &mut found);
    let (events, non_events) = check_outcomes(input, &mut found);

    let mut problems = found.0;
    problems.sort_by(|a, b| {
        (&a.patient, a.kind, &a.file, a.line, &a.message)
            .cmp(&(&b.patient, b.kind, &b.file, b.line, &b.message))
    });
    ValidationReport {
        manifest: manifest.path.clone(),
        clinical: input.clinical.as_ref().map(|c| c.path.clone()),
        outcome_source: input.outcome_source(),
        patients: manifest.patient_ids().len(),
        rows: entries.len(),
        images: unique.len(),
        masks,
        events,
        non_events,
        problems,
    }
}

/// Checks the masks of one row against the image size; ROI size when everything was readable.
fn check_masks(
    e: &crate::manifest::ManifestEntry,
    image_dims: Option<[usize; 3]>,
    options: &ValidateOptions,
) -> Vec<Problem> {
    let mut found = Found(Vec::new());
    let who = Some(e.patient_id.as_str());
    let mut union: Option<dlr_image::Mask> = None;
    let mut all_ok = true;
    for path in e.all_masks() {
        if path.as_os_str().is_empty() || !path.is_file() {
            found.add(
                ProblemKind::MissingFile,
                Severity::Error,
                who,
                Some(path),
                Some(e.line),
                if path.as_os_str().is_empty() {
                    format!("phase {} reader {}: no mask path given", e.phase, e.reader)
                } else {
                    format!(
                        "mask of phase {} reader {} does not exist",
                        e.phase, e.reader
                    )
                },
                "fix the path in the manifest or restore the file",
            );
            all_ok = false;
            continue;
        }
        let values = match raster::read_mask_values(path) {
            Ok(v) => v,
            Err(err) => {
                found.add(
                    ProblemKind::UnreadableFile,
                    Severity::Error,
                    who,
                    Some(path),
                    Some(e.line),
                    format!("mask cannot be read: {err}"),
                    "re-export the mask as an 8-bit PNG with 0 = background",
                );
                all_ok = false;
                continue;
            }
        };
        if options.binary_masks {
            let distinct = raster::distinct_values(&values, 4);
            if distinct.len() > 2 || (distinct.len() == 2 && distinct[0] != 0.0) {
                let shown: Vec<String> = distinct.iter().take(3).map(|v| v.to_string()).collect();
                found.add(
                    ProblemKind::NonBinaryMask,
                    Severity::Error,
                    who,
                    Some(path),
                    Some(e.line),
                    format!(
                        "mask values are {}{} instead of 0 and one foreground value",
                        shown.join(", "),
                        if distinct.len() > 3 { ", ..." } else { "" }
                    ),
                    "save the mask without anti-aliasing or colour, 0 = background, 255 (or 1) = lesion",
                );
                all_ok = false;
            }
        }
        if let Some(dims) = image_dims {
            if values.dims() != dims {
                found.add(
                    ProblemKind::SizeMismatch,
                    Severity::Error,
                    who,
                    Some(path),
                    Some(e.line),
                    format!(
                        "mask is {}x{} but its image is {}x{}",
                        values.dims()[0],
                        values.dims()[1],
                        dims[0],
                        dims[1]
                    ),
                    "the mask must be drawn on the same image at the same size; check the pairing",
                );
                all_ok = false;
                continue;
            }
        }
        let m = raster::mask_from_values(&values);
        union = match union {
            None => Some(m),
            Some(u) => match u.union(&m) {
                Ok(u) => Some(u),
                Err(_) => {
                    // extra mask of another size than the main one (image unreadable).
                    all_ok = false;
                    Some(u)
                }
            },
        };
    }
    if all_ok && image_dims.is_some() {
        if let Some(u) = union {
            let n = u.count();
            if n == 0 {
                found.add(
                    ProblemKind::EmptyRoi,
                    Severity::Error,
                    who,
                    Some(&e.mask),
                    Some(e.line),
                    format!("ROI of phase {} reader {} is empty", e.phase, e.reader),
                    "draw the lesion or remove the row",
                );
            } else if n < options.min_roi_pixels {
                found.add(
                    ProblemKind::SmallRoi,
                    Severity::Warning,
                    who,
                    Some(&e.mask),
                    Some(e.line),
                    format!(
                        "ROI of phase {} reader {} has {n} pixels (minimum {})",
                        e.phase, e.reader, options.min_roi_pixels
                    ),
                    "check the segmentation; texture features of tiny ROIs are unstable",
                );
            }
        }
    }
    found.0
}

/// Duplicate keys, empty identifiers, incomplete patients.
fn check_manifest_rows(input: &StudyInput, options: &ValidateOptions, found: &mut Found) {
    let manifest = &input.manifest;
    let path = Some(manifest.path.as_path());
    let mut first: HashMap<(&str, &str, &str, &str), u64> = HashMap::new();
    for e in &manifest.entries {
        if e.patient_id.is_empty() || e.phase.is_empty() {
            found.add(
                ProblemKind::MissingValue,
                Severity::Error,
                Some(&e.patient_id)
                    .filter(|s| !s.is_empty())
                    .map(|s| s.as_str()),
                path,
                Some(e.line),
                format!(
                    "manifest row has an empty {}",
                    if e.patient_id.is_empty() {
                        "patient id"
                    } else {
                        "phase"
                    }
                ),
                "fill in the cell",
            );
        }
        if let Some(line) = first.insert(e.key(), e.line) {
            found.add(
                ProblemKind::DuplicateRow,
                Severity::Error,
                Some(&e.patient_id),
                path,
                Some(e.line),
                format!(
                    "phase {} reader {} lesion {} already listed on line {line}",
                    e.phase, e.reader, e.lesion
                ),
                "remove the duplicate row or give it a distinct reader/lesion",
            );
        }
    }
    if options.expected_phases.is_empty() && options.expected_readers.is_empty() {
        return;
    }
    let mut have: BTreeMap<&str, BTreeSet<(&str, &str)>> = BTreeMap::new();
    let mut line: HashMap<&str, u64> = HashMap::new();
    for e in &manifest.entries {
        have.entry(&e.patient_id)
            .or_default()
            .insert((&e.phase, &e.reader));
        line.entry(&e.patient_id).or_insert(e.line);
    }
    for (patient, set) in &have {
        let phases: Vec<&str> = if options.expected_phases.is_empty() {
            set.iter()
                .map(|(p, _)| *p)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        } else {
            options.expected_phases.iter().map(String::as_str).collect()
        };
        let mut lacking = Vec::new();
        for ph in &phases {
            if options.expected_readers.is_empty() {
                if !set.iter().any(|(p, _)| p == ph) {
                    lacking.push(format!("phase {ph}"));
                }
            } else {
                for r in &options.expected_readers {
                    if !set.contains(&(*ph, r.as_str())) {
                        lacking.push(format!("phase {ph} reader {r}"));
                    }
                }
            }
        }
        if !lacking.is_empty() {
            found.add(
                ProblemKind::IncompletePatient,
                Severity::Error,
                Some(patient),
                path,
                line.get(patient).copied(),
                format!("no manifest row for {}", lacking.join(", ")),
                "add the missing rows or exclude the patient",
            );
        }
    }
}

/// Outcome per manifest patient (`None` inside when missing or not 0/1).
fn patient_outcomes(input: &StudyInput) -> HashMap<String, Option<u8>> {
    let mut out = HashMap::new();
    match &input.clinical {
        Some(c) => {
            for r in &c.rows {
                out.entry(r.patient_id.clone()).or_insert(r.outcome());
            }
        }
        None => {
            let map = input.label_map();
            for e in &input.manifest.entries {
                let v = e.label.as_deref().and_then(|l| map.map(l));
                out.entry(e.patient_id.clone()).or_insert(v);
            }
        }
    }
    out
}

/// Outcome, clinical-table and covariate checks; returns (events, non-events).
fn check_outcomes(input: &StudyInput, found: &mut Found) -> (usize, usize) {
    let manifest = &input.manifest;
    let patients = manifest.patient_ids();
    let mut outcome: BTreeMap<String, u8> = BTreeMap::new();
    match &input.clinical {
        Some(table) => {
            let tpath = Some(table.path.as_path());
            let mut seen: HashMap<&str, u64> = HashMap::new();
            for r in &table.rows {
                let who = Some(r.patient_id.as_str()).filter(|s| !s.is_empty());
                if r.patient_id.is_empty() {
                    found.add(
                        ProblemKind::MissingValue,
                        Severity::Error,
                        None,
                        tpath,
                        Some(r.line),
                        "clinical row has an empty patient id".into(),
                        "fill in the id or remove the row",
                    );
                    continue;
                }
                if let Some(line) = seen.insert(&r.patient_id, r.line) {
                    found.add(
                        ProblemKind::DuplicateRow,
                        Severity::Error,
                        who,
                        tpath,
                        Some(r.line),
                        format!("patient already has a clinical row on line {line}"),
                        "keep one row per patient",
                    );
                    continue;
                }
                match (&r.outcome_raw, r.outcome()) {
                    (None, _) => found.add(
                        ProblemKind::MissingValue,
                        Severity::Error,
                        who,
                        tpath,
                        Some(r.line),
                        format!("outcome `{}` is missing", table.options.outcome),
                        "fill in the outcome (0 or 1) or exclude the patient",
                    ),
                    (Some(raw), None) => found.add(
                        ProblemKind::OutcomeNotBinary,
                        Severity::Error,
                        who,
                        tpath,
                        Some(r.line),
                        format!("outcome `{}` is `{raw}`, not 0 or 1", table.options.outcome),
                        "code the outcome as 1 = event, 0 = no event",
                    ),
                    (Some(_), Some(v)) => {
                        outcome.insert(r.patient_id.clone(), v);
                    }
                }
                for (c, v) in table.covariates.iter().zip(&r.values) {
                    match v {
                        ClinicalValue::Missing => found.add(
                            ProblemKind::MissingValue,
                            Severity::Warning,
                            who,
                            tpath,
                            Some(r.line),
                            format!("covariate `{}` is missing", c.name),
                            "fill it in, or accept that the patient is dropped or imputed in clinical models",
                        ),
                        ClinicalValue::Invalid(raw) => found.add(
                            ProblemKind::InvalidValue,
                            Severity::Error,
                            who,
                            tpath,
                            Some(r.line),
                            format!("covariate `{}` is `{raw}`, which is not a number", c.name),
                            "correct the value or declare the column categorical",
                        ),
                        _ => {}
                    }
                }
            }
            let in_manifest: BTreeSet<&str> = patients.iter().map(String::as_str).collect();
            for p in &patients {
                if !seen.contains_key(p.as_str()) {
                    let line = manifest
                        .entries
                        .iter()
                        .find(|e| &e.patient_id == p)
                        .map(|e| e.line);
                    found.add(
                        ProblemKind::MissingFromClinical,
                        Severity::Error,
                        Some(p),
                        Some(&manifest.path),
                        line,
                        "patient has images but no clinical row (no outcome)".into(),
                        "add the patient to the clinical table or remove its manifest rows",
                    );
                }
            }
            for r in &table.rows {
                if !r.patient_id.is_empty() && !in_manifest.contains(r.patient_id.as_str()) {
                    found.add(
                        ProblemKind::MissingFromManifest,
                        Severity::Warning,
                        Some(&r.patient_id),
                        tpath,
                        Some(r.line),
                        "patient has a clinical row but no images".into(),
                        "add the images to the manifest, or accept that the patient is left out",
                    );
                }
            }
        }
        None => {
            let Some(col) = manifest.columns.label.clone() else {
                found.add(
                    ProblemKind::MissingValue,
                    Severity::Error,
                    None,
                    Some(&manifest.path),
                    None,
                    "the study has no outcome: no clinical table and no label column".into(),
                    "give a clinical table with the outcome, or map the manifest's label column",
                );
                return (0, 0);
            };
            let map = input.label_map();
            let mut first: HashMap<&str, (u8, u64)> = HashMap::new();
            for e in &manifest.entries {
                let who = Some(e.patient_id.as_str());
                let Some(raw) = &e.label else {
                    found.add(
                        ProblemKind::MissingValue,
                        Severity::Error,
                        who,
                        Some(&manifest.path),
                        Some(e.line),
                        format!("label `{col}` is missing"),
                        "fill in the label",
                    );
                    continue;
                };
                let Some(v) = map.map(raw) else {
                    let hint = match &map {
                        LabelMap::ZeroOne => format!("label `{col}` is `{raw}`, not 0 or 1"),
                        LabelMap::Named {
                            positive,
                            negative: Some(n),
                            ..
                        } => format!("label `{col}` is `{raw}`, neither `{positive}` nor `{n}`"),
                        LabelMap::Named {
                            positive, others, ..
                        } => format!(
                            "label `{col}` is `{raw}`; with positive `{positive}` the other values ({}) leave no single negative",
                            others.join(", ")
                        ),
                    };
                    found.add(
                        ProblemKind::OutcomeNotBinary,
                        Severity::Error,
                        who,
                        Some(&manifest.path),
                        Some(e.line),
                        hint,
                        "correct the label, or set the positive and negative label values",
                    );
                    continue;
                };
                match first.get(e.patient_id.as_str()) {
                    Some(&(w, line)) if w != v => found.add(
                        ProblemKind::InconsistentOutcome,
                        Severity::Error,
                        who,
                        Some(&manifest.path),
                        Some(e.line),
                        format!("label `{raw}` disagrees with line {line}"),
                        "give every row of a patient the same label",
                    ),
                    Some(_) => {}
                    None => {
                        first.insert(&e.patient_id, (v, e.line));
                        outcome.insert(e.patient_id.clone(), v);
                    }
                }
            }
        }
    }
    let in_manifest: BTreeSet<&str> = patients.iter().map(String::as_str).collect();
    let events = outcome
        .iter()
        .filter(|(p, &v)| v == 1 && in_manifest.contains(p.as_str()))
        .count();
    let non_events = outcome
        .iter()
        .filter(|(p, &v)| v == 0 && in_manifest.contains(p.as_str()))
        .count();
    (events, non_events)
}
