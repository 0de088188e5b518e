//! The study manifest: one CSV row per (patient, phase, reader, lesion) naming an image and its mask.
//!
//! The default layout is `patient_id,phase,image,mask[,reader][,lesion]`; every column name can be
//! remapped with [`ManifestColumns`], a manifest without a phase column gets a fixed phase name,
//! a column of extra masks (`;`-separated, unioned with the main mask) is supported, and the
//! manifest may carry the outcome label itself. An optional ROI-label column picks one label of a
//! label-map mask (values 0/1/2…) as the row's ROI. Paths are relative to the manifest's folder.
//! The format is documented in `crates/dlr-study/MANIFEST.md`.

use crate::error::{Result, StudyError};
use crate::table::{read_csv, Table};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How the manifest's columns are named and what they mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManifestColumns {
    /// Patient identifier column.
    pub id: String,
    /// Phase column; ignored when `fixed_phase` is set and the column is absent.
    pub phase: String,
    /// Image path column.
    pub image: String,
    /// Mask path column.
    pub mask: String,
    /// Reader column (optional in the file; absent → reader `"1"`).
    pub reader: String,
    /// Lesion column (optional in the file; absent → lesion `"1"`).
    pub lesion: String,
    /// ROI-label column (optional in the file): the mask value (integer ≥ 1) that is this row's
    /// ROI when the mask is a label map. Absent or empty cell → every non-zero value is the ROI.
    /// Not to be confused with [`ManifestColumns::label`], the outcome.
    pub roi_label: String,
    /// Column of extra masks of the same image (`;`-separated), unioned with the main mask.
    pub extra_masks: Option<String>,
    /// Phase name for every row when the manifest has no phase column (e.g. `US`).
    pub fixed_phase: Option<String>,
    /// Column carrying the outcome label, when the manifest holds it (not the ROI label: see
    /// [`ManifestColumns::roi_label`]).
    pub label: Option<String>,
    /// Label value meaning "event" (1) when the label is not written as 0/1 (e.g. `malignant`).
    pub positive: Option<String>,
    /// Label value meaning "no event" (0); when absent and `positive` is set, the single other
    /// value found is taken as negative (more than one other value is a validation problem).
    pub negative: Option<String>,
}

impl Default for ManifestColumns {
    fn default() -> Self {
        Self {
            id: "patient_id".into(),
            phase: "phase".into(),
            image: "image".into(),
            mask: "mask".into(),
            reader: "reader".into(),
            lesion: "lesion".into(),
            roi_label: "roi_label".into(),
            extra_masks: None,
            fixed_phase: None,
            label: None,
            positive: None,
            negative: None,
        }
    }
}

impl ManifestColumns {
    /// The mapping for the BUSI manifest (`case_id,label,image,mask,extra_masks`): phase `US`,
    /// label `label` with `malignant` = 1 and `benign` = 0.
    pub fn busi() -> Self {
        Self {
            id: "case_id".into(),
            extra_masks: Some("extra_masks".into()),
            fixed_phase: Some("US".into()),
            label: Some("label".into()),
            positive: Some("malignant".into()),
            negative: Some("benign".into()),
            ..Self::default()
        }
    }
}

/// One manifest row with paths resolved against the manifest's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// 1-based line number in the CSV (header is line 1).
    pub line: u64,
    /// Patient identifier.
    pub patient_id: String,
    /// Phase name.
    pub phase: String,
    /// Reader identifier (`"1"` when the manifest has no reader column).
    pub reader: String,
    /// Lesion identifier (`"1"` when the manifest has no lesion column).
    pub lesion: String,
    /// Image file.
    pub image: PathBuf,
    /// Main mask file.
    pub mask: PathBuf,
    /// Extra mask files unioned with the main one.
    pub extra_masks: Vec<PathBuf>,
    /// Raw label value when the manifest carries the label (None when empty or no column).
    pub label: Option<String>,
    /// Raw ROI-label cell (None when empty or no column); read it with
    /// [`ManifestEntry::roi_label_value`].
    pub roi_label: Option<String>,
}

impl ManifestEntry {
    /// The key that must be unique across rows: (patient, phase, reader, lesion).
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (&self.patient_id, &self.phase, &self.reader, &self.lesion)
    }

    /// The ROI label as a mask value: `Ok(None)` when the row has none (every non-zero value is
    /// the ROI), `Err(raw)` when the cell is not an integer ≥ 1.
    pub fn roi_label_value(&self) -> std::result::Result<Option<u32>, String> {
        match &self.roi_label {
            None => Ok(None),
            Some(raw) => parse_roi_label(raw).map(Some).ok_or_else(|| raw.clone()),
        }
    }

    /// Main mask followed by the extra masks.
    pub fn all_masks(&self) -> impl Iterator<Item = &PathBuf> {
        std::iter::once(&self.mask).chain(self.extra_masks.iter())
    }
}

/// A parsed manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The CSV file.
    pub path: PathBuf,
    /// Column mapping used to read it.
    pub columns: ManifestColumns,
    /// Rows in file order.
    pub entries: Vec<ManifestEntry>,
}

impl Manifest {
    /// Patient identifiers in order of first appearance.
    pub fn patient_ids(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.entries
            .iter()
            .filter(|e| seen.insert(e.patient_id.as_str()))
            .map(|e| e.patient_id.clone())
            .collect()
    }

    /// True when the manifest carries the outcome label.
    pub fn has_label(&self) -> bool {
        self.columns.label.is_some()
    }
}

/// An ROI-label cell as a mask value: an integer ≥ 1 (`2`, `2.0`), `None` otherwise.
pub fn parse_roi_label(raw: &str) -> Option<u32> {
    let t = raw.trim();
    if let Ok(v) = t.parse::<u32>() {
        return Some(v).filter(|&v| v >= 1);
    }
    let v = t.parse::<f64>().ok()?;
    (v.is_finite() && v >= 1.0 && v.fract() == 0.0 && v <= f64::from(u32::MAX)).then_some(v as u32)
}

/// Reads a manifest CSV with the given column mapping.
///
/// Fails when the file cannot be read, is malformed, or lacks a required column. Empty
/// cells are kept (validation reports them); paths are resolved against the manifest's folder.
pub fn read_manifest(path: &Path, columns: &ManifestColumns) -> Result<Manifest> {
    let table = read_csv(path)?;
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    let busi_header = ["case_id", "label", "image", "mask"]
        .iter()
        .all(|c| table.column(c).is_some());
    let hint = |what: &str, flag: Option<&str>| {
        let layout = if busi_header {
            "; this header is the BUSI layout: use `--layout busi` (study.toml: [study.columns] id = \"case_id\", fixed_phase = \"US\", label = \"label\", positive = \"malignant\")"
        } else {
            ""
        };
        let cli = flag
            .map(|f| format!("CLI `{f} NAME`, "))
            .unwrap_or_default();
        format!("set the {what} column in the column mapping ({cli}study.toml `[study.columns]`){layout}")
    };
    let id = table.require(&columns.id, &hint("id", Some("--id-column")))?;
    let image = table.require(&columns.image, &hint("image", None))?;
    let mask = table.require(&columns.mask, &hint("mask", None))?;
    let phase = match (&columns.fixed_phase, table.column(&columns.phase)) {
        (_, Some(c)) => Some(c),
        (Some(_), None) => None,
        (None, None) => {
            return Err(missing(
                &table,
                &columns.phase,
                "add a phase column or set a fixed phase name (e.g. `US`)",
            ))
        }
    };
    let reader = table.column(&columns.reader);
    let lesion = table.column(&columns.lesion);
    let roi_label = table.column(&columns.roi_label);
    let extra = match &columns.extra_masks {
        Some(name) => Some(table.require(name, "fix the extra-masks column name or unset it")?),
        None => None,
    };
    let label = match &columns.label {
        Some(name) => Some(table.require(name, "fix the label column name or unset it")?),
        None => None,
    };
    let resolve = |cell: &str| -> PathBuf {
        if cell.is_empty() {
            PathBuf::new()
        } else {
            base.join(cell)
        }
    };
    let entries = table
        .rows
        .iter()
        .map(|row| {
            let cell = |c: usize| row.cells[c].trim().to_string();
            ManifestEntry {
                line: row.line,
                patient_id: cell(id),
                phase: match phase {
                    Some(c) => cell(c),
                    None => columns.fixed_phase.clone().unwrap_or_default(),
                },
                reader: reader.map(cell).unwrap_or_else(|| "1".into()),
                lesion: lesion.map(cell).unwrap_or_else(|| "1".into()),
                image: resolve(&cell(image)),
                mask: resolve(&cell(mask)),
                extra_masks: extra
                    .map(|c| {
                        row.cells[c]
                            .split(';')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(resolve)
                            .collect()
                    })
                    .unwrap_or_default(),
                label: label.map(cell).filter(|s| !s.is_empty()),
                roi_label: roi_label.map(cell).filter(|s| !s.is_empty()),
            }
        })
        .collect();
    Ok(Manifest {
        path: path.to_path_buf(),
        columns: columns.clone(),
        entries,
    })
}

fn missing(table: &Table, column: &str, hint: &str) -> StudyError {
    StudyError::MissingColumn {
        path: table.path.clone(),
        column: column.to_string(),
        available: table.header.join(","),
        hint: hint.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_layout_with_bom_crlf_quotes_and_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        let abs = dir.path().join("abs.png");
        let text = format!(
            "\u{feff}patient_id,phase,image,mask,reader,lesion\r\nP1,AP,a.png,\"m 1.png\",2,1\r\n\r\nP1,PP,{},m.png,1,2\r\n",
            abs.display()
        );
        std::fs::write(&p, text).unwrap();
        let m = read_manifest(&p, &ManifestColumns::default()).unwrap();
        assert_eq!(m.entries.len(), 2);
        let e = &m.entries[0];
        assert_eq!(e.key(), ("P1", "AP", "2", "1"));
        assert_eq!(e.image, dir.path().join("a.png"));
        assert_eq!(e.mask, dir.path().join("m 1.png"));
        assert_eq!(e.line, 2);
        assert_eq!(m.entries[1].image, abs);
        assert_eq!(m.entries[1].line, 4);
        assert_eq!(m.patient_ids(), ["P1"]);
        assert!(!m.has_label());
    }

    #[test]
    fn missing_phase_column_needs_a_fixed_phase() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        std::fs::write(&p, "patient_id,image,mask\nP1,a.png,m.png\n").unwrap();
        let e = read_manifest(&p, &ManifestColumns::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column `phase`") && e.contains("fixed phase"),
            "{e}"
        );
        let cols = ManifestColumns {
            fixed_phase: Some("US".into()),
            ..ManifestColumns::default()
        };
        let m = read_manifest(&p, &cols).unwrap();
        assert_eq!(m.entries[0].phase, "US");
        assert_eq!(m.entries[0].reader, "1");
    }

    #[test]
    fn busi_header_without_its_layout_suggests_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        std::fs::write(
            &p,
            "case_id,label,image,mask,extra_masks\nb1,benign,a.png,m.png,\n",
        )
        .unwrap();
        let e = read_manifest(&p, &ManifestColumns::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no column `patient_id`")
                && e.contains("--id-column")
                && e.contains("--layout busi"),
            "{e}"
        );
        let m = read_manifest(&p, &ManifestColumns::busi()).unwrap();
        assert_eq!(m.patient_ids(), ["b1"]);
        // A header that is not BUSI's gets no layout hint.
        std::fs::write(&p, "id,image,mask\nP1,a.png,m.png\n").unwrap();
        let e = read_manifest(&p, &ManifestColumns::default())
            .unwrap_err()
            .to_string();
        assert!(!e.contains("--layout busi"), "{e}");
    }

    #[test]
    fn malformed_csv_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.csv");
        std::fs::write(&p, "patient_id,phase,image,mask\nP1,US,a.png\n").unwrap();
        let e = read_manifest(&p, &ManifestColumns::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
    }
}
