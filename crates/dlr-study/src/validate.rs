//! Study validation: every problem of a study found in one pass, each with the patient, the file,
//! the kind of problem and what to do about it.
//!
//! Images are read once per distinct file, in parallel (rayon); masks are read per manifest row,
//! in parallel. The report is deterministic (problems are sorted) and serialises to JSON.

use crate::clinical::{looks_numeric, ClinicalValue, ColumnType};
use crate::input::{LabelMap, StudyInput};
use crate::raster;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Invalid covariate cells listed one by one per column; the rest are reported as a count.
pub const INVALID_CELLS_LISTED: usize = 20;

/// What to check and with which thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidateOptions {
    /// ROIs with fewer pixels (voxels in 3-D) than this are errors ([`ProblemKind::SmallRoi`]);
    /// default 16, a 4×4 square: below it GLCM/GLSZM/shape features are undefined or noise.
    pub min_roi_pixels: usize,
    /// Masks of rows without an ROI label must hold 0 and at most one other value.
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
    /// The ROI is smaller than [`ValidateOptions::min_roi_pixels`].
    SmallRoi,
    /// A mask holds values other than 0 and one foreground value and its row names no ROI label
    /// (a label map, or an anti-aliased or colour mask).
    NonBinaryMask,
    /// The row's ROI label does not occur in its mask.
    RoiLabelNotFound,
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
    /// The study has no outcome (no clinical table, no manifest label column): images and masks
    /// are checked; fine for extraction, `dlr run` needs an outcome.
    MissingOutcome,
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
            ProblemKind::RoiLabelNotFound => "roi_label_not_found",
            ProblemKind::DuplicateRow => "duplicate_row",
            ProblemKind::MissingFromClinical => "missing_from_clinical",
            ProblemKind::MissingFromManifest => "missing_from_manifest",
            ProblemKind::OutcomeNotBinary => "outcome_not_binary",
            ProblemKind::InconsistentOutcome => "inconsistent_outcome",
            ProblemKind::MissingValue => "missing_value",
            ProblemKind::InvalidValue => "invalid_value",
            ProblemKind::DuplicateImage => "duplicate_image",
            ProblemKind::IncompletePatient => "incomplete_patient",
            ProblemKind::MissingOutcome => "missing_outcome",
        }
    }
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The study cannot be analysed as it is.
    Error,
    /// The study can be analysed, but the result may be biased (duplicates, missing
    /// covariates, clinical rows without images).
    Warning,
    /// Nothing is wrong with what was checked; a note on what the study can be used for (e.g. no
    /// outcome: fine for feature extraction, not for `dlr run`). Does not make a report unclean.
    Info,
}

impl Severity {
    /// Lower-case name as used in JSON and text output (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// Kind of problem.
    pub kind: ProblemKind,
    /// Error, warning or note.
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
    /// True when no error and no warning was found (notes of severity [`Severity::Info`] may be
    /// present).
    pub fn is_clean(&self) -> bool {
        self.problems.iter().all(|p| p.severity == Severity::Info)
    }

    /// True when at least one problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }

    /// Number of problems of one severity.
    pub fn severity_count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.severity_count(Severity::Error)
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.severity_count(Severity::Warning)
    }

    /// Number of notes ([`Severity::Info`]).
    pub fn info_count(&self) -> usize {
        self.severity_count(Severity::Info)
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
    /// `455 patients, 455 rows, 455 images, 563 masks, outcome 145/310: 0 errors, 2 warnings (duplicate_image 2)`;
    /// notes are counted only when there are some (`…, 0 warnings, 1 note (missing_outcome 1)`).
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = self
            .counts()
            .iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect();
        format!(
            "{} patients, {} rows, {} images, {} masks, outcome {}/{} (events/non-events): {} errors, {} warnings{}{}",
            self.patients,
            self.rows,
            self.images,
            self.masks,
            self.events,
            self.non_events,
            self.error_count(),
            self.warning_count(),
            match self.info_count() {
                0 => String::new(),
                1 => ", 1 note".to_string(),
                n => format!(", {n} notes"),
            },
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
            check_masks(e, &manifest.path, dims, options)
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

/// Mask values listed in a message (more are shown as `...`).
const SHOWN_MASK_VALUES: usize = 16;

/// Sorted mask values as text, `...` after [`SHOWN_MASK_VALUES`].
fn list_values(values: &[f32]) -> String {
    let mut shown: Vec<String> = values
        .iter()
        .take(SHOWN_MASK_VALUES)
        .map(|v| v.to_string())
        .collect();
    if values.len() > SHOWN_MASK_VALUES {
        shown.push("...".into());
    }
    shown.join(", ")
}

/// Checks the ROI label and masks of one row against the image size; ROI size when everything
/// was readable.
fn check_masks(
    e: &crate::manifest::ManifestEntry,
    manifest_path: &Path,
    image_dims: Option<[usize; 3]>,
    options: &ValidateOptions,
) -> Vec<Problem> {
    let mut found = Found(Vec::new());
    let who = Some(e.patient_id.as_str());
    let mut union: Option<dlr_image::Mask> = None;
    let mut all_ok = true;
    let roi_label = match e.roi_label_value() {
        Ok(l) => l,
        Err(raw) => {
            found.add(
                ProblemKind::InvalidValue,
                Severity::Error,
                who,
                Some(manifest_path),
                Some(e.line),
                format!("ROI label `{raw}` is not an integer ≥ 1"),
                "write the mask value of this row's ROI (1, 2, …) in the `roi_label` cell, or leave it empty when the mask holds one ROI",
            );
            all_ok = false;
            None
        }
    };
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
        if let Some(label) = roi_label {
            let l = label as f32;
            if !values.data().contains(&l) {
                let present = raster::distinct_values(&values, SHOWN_MASK_VALUES + 1);
                found.add(
                    ProblemKind::RoiLabelNotFound,
                    Severity::Error,
                    who,
                    Some(path),
                    Some(e.line),
                    format!(
                        "ROI label {label} does not occur in the mask (values present: {})",
                        list_values(&present)
                    ),
                    "correct the `roi_label` cell to one of the mask's values, or fix the mask",
                );
                all_ok = false;
            }
        } else if options.binary_masks {
            let distinct = raster::distinct_values(&values, SHOWN_MASK_VALUES + 1);
            if distinct.len() > 2 || (distinct.len() == 2 && distinct[0] != 0.0) {
                let labels: Vec<f32> = distinct.iter().copied().filter(|&v| v != 0.0).collect();
                let label_map = distinct.len() <= SHOWN_MASK_VALUES
                    && labels
                        .iter()
                        .all(|&v| v >= 1.0 && v.fract() == 0.0 && v < 16_777_216.0);
                let fix = if label_map {
                    format!(
                        "if the mask is a label map, add a `roi_label` column to the manifest with this row's label (one of {}; one row per label for several lesions); otherwise re-save the mask with 0 = background and one lesion value",
                        list_values(&labels)
                    )
                } else {
                    "save the mask without anti-aliasing or colour, 0 = background, 255 (or 1) = lesion; if it is a label map, add a `roi_label` column to the manifest with this row's label".to_string()
                };
                found.add(
                    ProblemKind::NonBinaryMask,
                    Severity::Error,
                    who,
                    Some(path),
                    Some(e.line),
                    format!(
                        "mask values are {}: more than 0 and one foreground value, and the row names no ROI label",
                        list_values(&distinct)
                    ),
                    &fix,
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
        let m = raster::roi_from_values(&values, roi_label);
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
                    Severity::Error,
                    who,
                    Some(&e.mask),
                    Some(e.line),
                    format!(
                        "ROI of phase {} reader {} has {n} pixel{}, fewer than the minimum of {}",
                        e.phase,
                        e.reader,
                        if n == 1 { "" } else { "s" },
                        options.min_roi_pixels
                    ),
                    "check the segmentation (a stray click gives a 1-pixel ROI); texture features of tiny ROIs are undefined or unstable. Redraw the ROI, or lower the minimum (`dlr validate --min-roi`) if it is genuinely this small",
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

/// Reports the invalid covariate cells of each column: the first [`INVALID_CELLS_LISTED`] one by
/// one (per patient, so that the pipeline can exclude them), the rest as one count (a study-level
/// error: a column with that many bad cells needs fixing, not excluding).
fn report_invalid_cells(
    table: &crate::clinical::ClinicalTable,
    invalid: &[Vec<(&str, u64, &str)>],
    found: &mut Found,
) {
    let tpath = Some(table.path.as_path());
    for (ci, cells) in invalid.iter().enumerate() {
        if cells.is_empty() {
            continue;
        }
        let c = &table.covariates[ci];
        let filled = table
            .rows
            .iter()
            .filter(|r| !matches!(r.values.get(ci), Some(ClinicalValue::Missing) | None))
            .count();
        let why = if c.declared {
            format!("the column is declared {}", type_name(c.kind))
        } else {
            let majority = filled - cells.len();
            match c.kind {
                ColumnType::Numeric => format!(
                    "the column is numeric: {majority} of its {filled} filled cells are numbers"
                ),
                ColumnType::Categorical => format!(
                    "the column is categorical: {majority} of its {filled} filled cells are text labels"
                ),
            }
        };
        let fix = match c.kind {
            ColumnType::Numeric => format!(
                "write a number or leave the cell empty for missing; if `{}` is categorical, declare its type categorical",
                c.name
            ),
            ColumnType::Categorical => format!(
                "write one of the column's labels or leave the cell empty for missing; if `{}` is numeric, correct its text cells instead",
                c.name
            ),
        };
        for &(patient, line, raw) in cells.iter().take(INVALID_CELLS_LISTED) {
            let what = match c.kind {
                ColumnType::Numeric if looks_numeric(raw) => "not a finite number",
                ColumnType::Numeric => "not a number",
                ColumnType::Categorical => "a number among text labels",
            };
            found.add(
                ProblemKind::InvalidValue,
                Severity::Error,
                Some(patient).filter(|p| !p.is_empty()),
                tpath,
                Some(line),
                format!("covariate `{}` is `{raw}`, {what} ({why})", c.name),
                &fix,
            );
        }
        if let Some(&(_, first, _)) = cells.get(INVALID_CELLS_LISTED) {
            let more = cells.len() - INVALID_CELLS_LISTED;
            let last = cells[cells.len() - 1].1;
            found.add(
                ProblemKind::InvalidValue,
                Severity::Error,
                None,
                tpath,
                Some(first),
                format!(
                    "covariate `{}`: {more} more invalid cells beyond the {INVALID_CELLS_LISTED} listed (lines {first} to {last}; {why})",
                    c.name
                ),
                &fix,
            );
        }
    }
}

fn type_name(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::Numeric => "numeric",
        ColumnType::Categorical => "categorical",
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
            let mut invalid: Vec<Vec<(&str, u64, &str)>> = vec![Vec::new(); table.covariates.len()];
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
                for (ci, v) in r.values.iter().enumerate() {
                    match v {
                        ClinicalValue::Missing => found.add(
                            ProblemKind::MissingValue,
                            Severity::Warning,
                            who,
                            tpath,
                            Some(r.line),
                            format!("covariate `{}` is missing", table.covariates[ci].name),
                            "fill it in, or accept that the patient is dropped or imputed in clinical models",
                        ),
                        ClinicalValue::Invalid(raw) => {
                            invalid[ci].push((r.patient_id.as_str(), r.line, raw.as_str()))
                        }
                        _ => {}
                    }
                }
            }
            report_invalid_cells(table, &invalid, found);
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
                    ProblemKind::MissingOutcome,
                    Severity::Info,
                    None,
                    Some(&manifest.path),
                    None,
                    "no outcome column (no clinical table, no manifest label column): images and masks were checked; fine for extraction, `dlr run` needs an outcome".into(),
                    "for `dlr run`, give a clinical table with the outcome, or map the manifest's label column",
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
