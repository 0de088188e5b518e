//! Loading a study for analysis: per patient, per phase, per reader, the image and mask files,
//! read on demand ([`Scan::load`]).

use crate::clinical::{ClinicalRow, Covariate};
use crate::error::{Result, StudyError};
use crate::input::StudyInput;
use crate::raster;
use dlr_image::{Image, ImageError, Mask};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// One image with its ROI (main mask plus extra masks, unioned), not yet read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scan {
    /// Phase name.
    pub phase: String,
    /// Reader identifier.
    pub reader: String,
    /// Lesion identifier.
    pub lesion: String,
    /// Image file.
    pub image: PathBuf,
    /// Mask files (the main one first); their union is the ROI.
    pub masks: Vec<PathBuf>,
    /// ROI label: the mask value that is the ROI in every mask of the scan (label maps);
    /// `None`: every non-zero value is the ROI.
    pub roi_label: Option<u32>,
}

impl Scan {
    /// Reads the image.
    pub fn load_image(&self) -> Result<Image> {
        Ok(raster::read_image(&self.image)?)
    }

    /// Reads the image and the ROI (union of the masks, each cut to [`Scan::roi_label`] when
    /// set) and checks that they share a grid; the mask takes the image's spacing and origin.
    pub fn load(&self) -> Result<(Image, Mask)> {
        let image = self.load_image()?;
        let mut roi: Option<Mask> = None;
        for path in &self.masks {
            let m = raster::read_roi(path, self.roi_label)?;
            if m.dims() != image.dims() {
                return Err(StudyError::Image(ImageError::Mismatch {
                    what: format!("{} and {}", self.image.display(), path.display()),
                    image: image.dims(),
                    mask: m.dims(),
                }));
            }
            roi = Some(match roi {
                None => m,
                Some(r) => r.union(&m)?,
            });
        }
        let mut roi = roi.ok_or_else(|| {
            StudyError::Invalid(format!("{}: no mask given", self.image.display()))
        })?;
        roi.spacing = image.spacing;
        roi.origin = image.origin;
        Ok((image, roi))
    }
}

/// One patient: outcome, clinical row and scans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyPatient {
    /// Patient identifier.
    pub id: String,
    /// Outcome (1 = event).
    pub outcome: u8,
    /// Clinical row, when the study has a clinical table.
    pub clinical: Option<ClinicalRow>,
    /// Scans in manifest order.
    pub scans: Vec<Scan>,
}

impl StudyPatient {
    /// The scan of a phase and reader (lesion `1`, or the first lesion listed).
    pub fn scan(&self, phase: &str, reader: &str) -> Option<&Scan> {
        let mut it = self
            .scans
            .iter()
            .filter(|s| s.phase == phase && s.reader == reader);
        let first = it.next()?;
        Some(
            std::iter::once(first)
                .chain(it)
                .find(|s| s.lesion == "1")
                .unwrap_or(first),
        )
    }
}

/// A study ready for analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Study {
    /// Patients in order of first appearance in the manifest.
    pub patients: Vec<StudyPatient>,
    /// Phases in order of first appearance.
    pub phases: Vec<String>,
    /// Readers in order of first appearance.
    pub readers: Vec<String>,
    /// Clinical covariates (empty without a clinical table).
    pub covariates: Vec<Covariate>,
}

impl Study {
    /// Outcomes in patient order.
    pub fn outcomes(&self) -> Vec<u8> {
        self.patients.iter().map(|p| p.outcome).collect()
    }
}

/// Builds the per-patient view of a study. Files are not opened; fails when a patient's
/// outcome is missing, not 0/1 or inconsistent, or an ROI label is not an integer ≥ 1 (run
/// [`crate::validate`] for the full list).
pub fn load_study(input: &StudyInput) -> Result<Study> {
    let manifest = &input.manifest;
    let mut order: Vec<String> = Vec::new();
    let mut scans: HashMap<&str, Vec<Scan>> = HashMap::new();
    let mut phases: Vec<String> = Vec::new();
    let mut readers: Vec<String> = Vec::new();
    let mut label: HashMap<&str, Option<&str>> = HashMap::new();
    for e in &manifest.entries {
        if !scans.contains_key(e.patient_id.as_str()) {
            order.push(e.patient_id.clone());
            label.insert(&e.patient_id, e.label.as_deref());
        }
        if !phases.contains(&e.phase) {
            phases.push(e.phase.clone());
        }
        if !readers.contains(&e.reader) {
            readers.push(e.reader.clone());
        }
        let roi_label = e.roi_label_value().map_err(|raw| {
            StudyError::Invalid(format!(
                "patient {}: {} line {}: ROI label `{raw}` is not an integer ≥ 1; run `dlr validate`",
                e.patient_id,
                manifest.path.display(),
                e.line
            ))
        })?;
        scans.entry(&e.patient_id).or_default().push(Scan {
            phase: e.phase.clone(),
            reader: e.reader.clone(),
            lesion: e.lesion.clone(),
            image: e.image.clone(),
            masks: e.all_masks().cloned().collect(),
            roi_label,
        });
    }
    if input.clinical.is_none() && manifest.columns.label.is_none() {
        return Err(StudyError::Invalid(format!(
            "{}: the study has no outcome (no clinical table, no manifest label column); `dlr run` needs one: give a clinical table with the outcome or map the manifest's label column",
            manifest.path.display()
        )));
    }
    let map = input.label_map();
    let mut patients = Vec::with_capacity(order.len());
    for id in &order {
        let (outcome, clinical) = match &input.clinical {
            Some(t) => {
                let row = t.row(id).ok_or_else(|| {
                    StudyError::Invalid(format!(
                        "patient {id} has images but no row in {}; run `dlr validate`",
                        t.path.display()
                    ))
                })?;
                (row.outcome(), Some(row.clone()))
            }
            None => (label[id.as_str()].and_then(|l| map.map(l)), None),
        };
        let outcome = outcome.ok_or_else(|| {
            StudyError::Invalid(format!(
                "patient {id}: outcome missing or not 0/1 ({}); run `dlr validate`",
                input.outcome_source()
            ))
        })?;
        if input.clinical.is_none() {
            let rows = manifest.entries.iter().filter(|e| &e.patient_id == id);
            if rows
                .filter_map(|e| e.label.as_deref())
                .any(|l| map.map(l) != Some(outcome))
            {
                return Err(StudyError::Invalid(format!(
                    "patient {id}: manifest rows carry different labels; run `dlr validate`"
                )));
            }
        }
        patients.push(StudyPatient {
            id: id.clone(),
            outcome,
            clinical,
            scans: scans.remove(id.as_str()).unwrap_or_default(),
        });
    }
    Ok(Study {
        patients,
        phases,
        readers,
        covariates: input
            .clinical
            .as_ref()
            .map(|c| c.covariates.clone())
            .unwrap_or_default(),
    })
}
