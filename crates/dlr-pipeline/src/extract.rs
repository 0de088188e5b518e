//! The feature-extraction driver: one preset engine applied to every ROI of a study, in
//! parallel, with a progress bar, per-ROI caching by content hash, and failures reported and
//! skipped rather than fatal.

use crate::config::Preset;
use crate::error::{PipelineError, Result};
use crate::store::{hash_parts, StageCache};
use crate::table::{RoiFeatures, RoiKey};
use dlr_image::{FeatureValue, Image, Mask};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A configured feature engine.
#[derive(Debug, Clone)]
pub enum Engine {
    /// The MaZda 2D set.
    Mazda(Box<dlr_mazda::MazdaSettings>),
    /// IBSI or PyRadiomics naming over the IBSI engine.
    Radiomics(Box<dlr_radiomics::Settings>),
}

/// The settings the IBSI preset uses when no file is given: all IBSI families, 32 fixed bins,
/// 2D aggregation (ultrasound images are 2D).
pub fn ibsi_2d_default() -> dlr_radiomics::Settings {
    let mut s = dlr_radiomics::Settings::ibsi_digital_phantom();
    s.discretisation = dlr_radiomics::Discretisation::FixedBinNumber { bins: 32 };
    s.ivh_discretisation = dlr_radiomics::Discretisation::FixedBinNumber { bins: 32 };
    s.aggregations = vec![dlr_radiomics::Aggregation::TwoD];
    s
}

impl Engine {
    /// Builds the engine of a preset, with settings from a TOML file when given.
    pub fn from_preset(preset: Preset, settings: Option<&Path>) -> Result<Self> {
        let text = match settings {
            Some(p) => Some(
                std::fs::read_to_string(p).map_err(|source| PipelineError::Io {
                    path: p.to_path_buf(),
                    source,
                })?,
            ),
            None => None,
        };
        Self::from_preset_text(preset, text.as_deref(), settings.map(Path::to_path_buf))
    }

    /// Builds the engine of a preset from settings text (TOML) when given; `origin` names the
    /// file the text came from in error messages.
    pub fn from_preset_text(
        preset: Preset,
        text: Option<&str>,
        origin: Option<PathBuf>,
    ) -> Result<Self> {
        let bad = |e: String| PipelineError::Config {
            file: origin
                .clone()
                .unwrap_or_else(|| PathBuf::from("<radiomics settings>")),
            message: e,
        };
        Ok(match preset {
            Preset::Mazda => {
                let s: dlr_mazda::MazdaSettings = match text {
                    Some(t) => toml::from_str(t).map_err(|e| bad(e.to_string()))?,
                    None => dlr_mazda::MazdaSettings::default(),
                };
                s.validate().map_err(|e| bad(e.to_string()))?;
                Engine::Mazda(Box::new(s))
            }
            Preset::Ibsi | Preset::Pyradiomics => {
                let s = match text {
                    Some(t) => {
                        dlr_radiomics::Settings::from_toml_str(t).map_err(|e| bad(e.to_string()))?
                    }
                    None if preset == Preset::Ibsi => ibsi_2d_default(),
                    None => dlr_radiomics::Settings::pyradiomics_default(),
                };
                Engine::Radiomics(Box::new(s))
            }
        })
    }

    /// A stable description of the settings (used in cache keys and provenance).
    pub fn describe(&self) -> String {
        match self {
            Engine::Mazda(s) => format!("mazda {s:?}"),
            Engine::Radiomics(s) => format!("radiomics {s:?}"),
        }
    }

    /// Features of one ROI (bare names).
    pub fn extract(&self, image: &Image, mask: &Mask) -> Result<Vec<FeatureValue>> {
        match self {
            Engine::Mazda(s) => Ok(dlr_mazda::extract(image, mask, s)?),
            Engine::Radiomics(s) => Ok(dlr_radiomics::extract(image, mask, s)?),
        }
    }
}

/// A feature value as cached: stored as its IEEE bits (JSON has no NaN or infinity, and bits
/// round-trip exactly).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedFeature {
    name: String,
    value_bits: u64,
    ibsi_code: Option<String>,
    note: Option<String>,
}

impl CachedFeature {
    fn from_value(f: &FeatureValue) -> Self {
        Self {
            name: f.name.clone(),
            value_bits: f.value.to_bits(),
            ibsi_code: f.ibsi_code.clone(),
            note: f.note.clone(),
        }
    }

    fn into_value(self) -> FeatureValue {
        FeatureValue {
            name: self.name,
            value: f64::from_bits(self.value_bits),
            ibsi_code: self.ibsi_code,
            note: self.note,
        }
    }
}

/// One ROI to extract: its key and its files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoiJob {
    /// The ROI.
    pub key: RoiKey,
    /// Image file.
    pub image: PathBuf,
    /// Mask files; their union is the ROI.
    pub masks: Vec<PathBuf>,
    /// The ROI's value in a label-map mask (`None`: every non-zero pixel, binary masks only).
    #[serde(default)]
    pub roi_label: Option<u32>,
}

/// A ROI that could not be processed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RoiFailure {
    /// The ROI.
    pub key: RoiKey,
    /// The image file.
    pub image: PathBuf,
    /// Why it failed.
    pub reason: String,
}

/// Result of running the engine over many ROIs.
#[derive(Debug, Clone, Default)]
pub struct ExtractOutcome {
    /// Features of the ROIs that worked, in job order.
    pub rois: Vec<RoiFeatures>,
    /// ROIs that failed, with reasons.
    pub failures: Vec<RoiFailure>,
    /// How many ROIs came from the cache.
    pub cached: usize,
    /// SHA-256 of each input file (image and masks), for provenance.
    pub input_hashes: Vec<(PathBuf, String)>,
}

/// Reads an image and the union of its masks (see [`read_roi_mask`]), on the image's grid and
/// with its spacing and origin.
pub fn load_roi(image: &Path, masks: &[PathBuf], roi_label: Option<u32>) -> Result<(Image, Mask)> {
    let img = dlr_image::read_image(image)?;
    let mut mask = read_roi_mask(image, masks, roi_label)?;
    mask.check_matches(&img)?;
    mask.spacing = img.spacing;
    mask.origin = img.origin;
    Ok((img, mask))
}

/// The union of an image's masks. With `roi_label`, the pixels equal to that label are the ROI;
/// without one, a mask holding more than one non-zero value (a label map) is refused rather than
/// merged, with the way to choose a label. `image` only names the ROI in errors.
pub fn read_roi_mask(image: &Path, masks: &[PathBuf], roi_label: Option<u32>) -> Result<Mask> {
    let mut mask: Option<Mask> = None;
    for m in masks {
        let mk = match roi_label {
            Some(label) => dlr_image::read_mask(
                m,
                &dlr_image::MaskOptions {
                    label: Some(label),
                    frame: None,
                },
            )?,
            None => {
                let values = dlr_image::read_image_with(
                    m,
                    &dlr_image::ReadOptions {
                        colour: dlr_image::ColourMode::Luminance,
                        frame: None,
                    },
                )?;
                let labels = distinct_nonzero_values(&values, 8);
                if labels.len() > 1 {
                    return Err(PipelineError::Data(format!(
                        "{}: the mask is a label map (non-zero values {}{}); choose the ROI's label with the manifest column `roi_label` (or `--label N` for a single image)",
                        m.display(),
                        labels.iter().map(|v| format!("{v}")).collect::<Vec<_>>().join(", "),
                        if labels.len() == 8 { ", …" } else { "" }
                    )));
                }
                dlr_study::raster::roi_from_values(&values, None)
            }
        };
        mask = Some(match mask {
            Some(prev) => prev.union(&mk)?,
            None => mk,
        });
    }
    mask.ok_or_else(|| PipelineError::Data(format!("{}: no mask given", image.display())))
}

/// Up to `limit` distinct non-zero finite values of an image, ascending.
fn distinct_nonzero_values(values: &Image, limit: usize) -> Vec<f32> {
    let mut seen: Vec<f32> = Vec::new();
    for &v in values.data() {
        if v != 0.0 && v.is_finite() && !seen.contains(&v) {
            seen.push(v);
            if seen.len() == limit {
                break;
            }
        }
    }
    seen.sort_by(f32::total_cmp);
    seen
}

fn file_hash(p: &Path) -> std::result::Result<String, String> {
    use sha2::{Digest, Sha256};
    std::fs::read(p)
        .map(|b| hex::encode(Sha256::digest(&b)))
        .map_err(|e| format!("cannot read {}: {e}", p.display()))
}

/// Runs `engine` over `jobs` in parallel. With a cache, ROIs whose image, masks and settings
/// are unchanged are not recomputed. Failures are collected, never fatal.
pub fn extract_all(
    engine: &Engine,
    jobs: &[RoiJob],
    cache: Option<&StageCache>,
    progress: bool,
) -> ExtractOutcome {
    let settings = engine.describe();
    let bar = if progress {
        let b = ProgressBar::new(jobs.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{prefix:>10} [{bar:30}] {pos}/{len} ROIs {elapsed_precise} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_prefix("radiomics");
        b
    } else {
        ProgressBar::hidden()
    };
    enum One {
        Done(RoiFeatures, bool, Vec<(PathBuf, String)>),
        Failed(RoiFailure),
    }
    let results: Vec<One> = jobs
        .par_iter()
        .map(|job| {
            let fail = |reason: String| {
                One::Failed(RoiFailure {
                    key: job.key.clone(),
                    image: job.image.clone(),
                    reason,
                })
            };
            let mut hashes = Vec::new();
            for p in std::iter::once(&job.image).chain(&job.masks) {
                match file_hash(p) {
                    Ok(h) => hashes.push((p.clone(), h)),
                    Err(e) => {
                        bar.inc(1);
                        return fail(e);
                    }
                }
            }
            let hs: Vec<&str> = hashes.iter().map(|(_, h)| h.as_str()).collect();
            let label = job.roi_label.map(|l| format!("roi_label={l}"));
            let hs: Vec<&str> = hs.into_iter().chain(label.as_deref()).collect();
            let key = StageCache::key("roi-features", &settings, &hs);
            if let Some(c) = cache {
                if let Some(cached) = c.get::<Vec<CachedFeature>>("roi-features", &key) {
                    bar.inc(1);
                    let features = cached.into_iter().map(CachedFeature::into_value).collect();
                    return One::Done(
                        RoiFeatures {
                            key: job.key.clone(),
                            features,
                        },
                        true,
                        hashes,
                    );
                }
            }
            let r = load_roi(&job.image, &job.masks, job.roi_label).and_then(|(img, mask)| {
                if mask.count() == 0 {
                    return Err(PipelineError::Data(
                        "the ROI is empty (mask has no non-zero pixel)".into(),
                    ));
                }
                engine.extract(&img, &mask)
            });
            bar.inc(1);
            match r {
                Ok(features) => {
                    if let Some(c) = cache {
                        // A cache write failure only costs a recomputation next time.
                        let cached: Vec<CachedFeature> =
                            features.iter().map(CachedFeature::from_value).collect();
                        let _ = c.put("roi-features", &key, &cached);
                    }
                    One::Done(
                        RoiFeatures {
                            key: job.key.clone(),
                            features,
                        },
                        false,
                        hashes,
                    )
                }
                Err(e) => fail(e.to_string()),
            }
        })
        .collect();
    bar.finish_and_clear();
    let mut out = ExtractOutcome::default();
    for r in results {
        match r {
            One::Done(f, cached, hashes) => {
                out.cached += usize::from(cached);
                out.input_hashes.extend(hashes);
                out.rois.push(f);
            }
            One::Failed(f) => out.failures.push(f),
        }
    }
    out.input_hashes.sort();
    out.input_hashes.dedup();
    out
}

/// A digest of all input hashes (for record.json and the model bundle).
pub fn inputs_digest(hashes: &[(PathBuf, String)]) -> String {
    let parts: Vec<&str> = hashes.iter().map(|(_, h)| h.as_str()).collect();
    hash_parts(&parts)
}

/// Provenance written beside every feature table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExtractProvenance {
    /// `dlr` version.
    pub tool_version: String,
    /// Preset name.
    pub preset: String,
    /// Full settings of the engine.
    pub settings: String,
    /// Settings file, when one was given.
    pub settings_file: Option<PathBuf>,
    /// Manifest read.
    pub manifest: PathBuf,
    /// SHA-256 of every image and mask file.
    pub input_hashes: Vec<(PathBuf, String)>,
    /// IBSI feature codes of the table's columns that have one (`<phase>_<feature>` → code,
    /// e.g. `US_stat_mean` → `Q4LE`, `US_original_glcm_Contrast` → `ACUI`).
    pub ibsi_codes: BTreeMap<String, String>,
    /// IBSI aggregation codes of the IBSI-named texture columns (`US_cm_joint_max_2D_avg` →
    /// `BTW3`); empty for the PyRadiomics and MaZda presets.
    #[serde(default)]
    pub ibsi_aggregation_codes: BTreeMap<String, String>,
    /// ROIs that failed and were left out.
    pub failures: Vec<RoiFailure>,
    /// ROIs extracted / taken from the cache.
    pub extracted: usize,
    /// ROIs served from the cache.
    pub cached: usize,
}

/// IBSI feature and aggregation codes of the columns (`<phase>_<feature>`) of the extracted
/// ROIs, from the codes the engine attached to each feature.
fn column_codes(
    engine: &Engine,
    rois: &[RoiFeatures],
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let ibsi_naming =
        matches!(engine, Engine::Radiomics(s) if matches!(s.naming, dlr_radiomics::Naming::Ibsi));
    let mut codes = BTreeMap::new();
    let mut aggregation = BTreeMap::new();
    let mut phases_done: HashSet<&str> = HashSet::new();
    // Engines return the same names in the same order for every ROI: one ROI per phase suffices.
    for r in rois {
        if !phases_done.insert(r.key.phase.as_str()) {
            continue;
        }
        for f in &r.features {
            let column = format!("{}_{}", r.key.phase, f.name);
            if let Some(c) = &f.ibsi_code {
                codes.insert(column.clone(), c.clone());
            }
            if ibsi_naming {
                if let Some(a) = dlr_radiomics::codes::ibsi_aggregation_code(&f.name) {
                    aggregation.insert(column, a.to_string());
                }
            }
        }
    }
    (codes, aggregation)
}

/// Builds the jobs of a manifest (one per row), keyed by patient, phase and reader. A
/// `roi_label` cell that is not a whole number ≥ 1 is an error naming the patient and value.
pub fn jobs_from_manifest(manifest: &dlr_study::Manifest) -> Result<Vec<RoiJob>> {
    manifest
        .entries
        .iter()
        .map(|e| {
            let roi_label = e.roi_label_value().map_err(|raw| {
                PipelineError::Data(format!(
                    "patient {} phase {}: roi_label {raw:?} is not a whole number >= 1 (the mask value of this ROI)",
                    e.patient_id, e.phase
                ))
            })?;
            Ok(RoiJob {
                key: RoiKey {
                    patient: e.patient_id.clone(),
                    phase: e.phase.clone(),
                    reader: if e.reader.is_empty() {
                        "1".into()
                    } else {
                        e.reader.clone()
                    },
                },
                image: e.image.clone(),
                masks: e.all_masks().cloned().collect(),
                roi_label,
            })
        })
        .collect()
}

/// `dlr extract --manifest`: features of every ROI, one row per patient and reader with
/// phase-prefixed columns, written to `out` (`.csv` or `.parquet`) with
/// `<out>.provenance.json` beside it.
pub fn extract_manifest(
    manifest_path: &Path,
    columns: &dlr_study::ManifestColumns,
    preset: Preset,
    settings_file: Option<&Path>,
    out: &Path,
    progress: bool,
) -> Result<ExtractProvenance> {
    // Refuse an unknown output format before any work is done.
    crate::table::TableFormat::from_path(out)?;
    let engine = Engine::from_preset(preset, settings_file)?;
    let manifest = dlr_study::read_manifest(manifest_path, columns)?;
    let jobs = jobs_from_manifest(&manifest)?;
    let outcome = extract_all(&engine, &jobs, None, progress);
    // Wide table: one row per (patient, reader).
    let mut phases: Vec<String> = Vec::new();
    let mut readers: Vec<String> = Vec::new();
    let mut patients: Vec<String> = Vec::new();
    for j in &jobs {
        if !phases.contains(&j.key.phase) {
            phases.push(j.key.phase.clone());
        }
        if !readers.contains(&j.key.reader) {
            readers.push(j.key.reader.clone());
        }
        if !patients.contains(&j.key.patient) {
            patients.push(j.key.patient.clone());
        }
    }
    // One table per reader; the written table has the union of their columns (in order of
    // first appearance) so that readers with a missing phase still line up.
    let tables: Vec<(String, crate::table::FeatureTable)> = readers
        .iter()
        .map(|r| {
            (
                r.clone(),
                crate::table::assemble(&outcome.rois, &patients, &phases, r),
            )
        })
        .collect();
    let mut columns: Vec<String> = Vec::new();
    let mut column_index: HashMap<String, usize> = HashMap::new();
    for (_, t) in &tables {
        for c in &t.columns {
            if !column_index.contains_key(c) {
                column_index.insert(c.clone(), columns.len());
                columns.push(c.clone());
            }
        }
    }
    let present: HashSet<(&str, &str)> = outcome
        .rois
        .iter()
        .map(|r| (r.key.patient.as_str(), r.key.reader.as_str()))
        .collect();
    let (mut patient_col, mut reader_col, mut values) = (Vec::new(), Vec::new(), Vec::new());
    for (reader, t) in &tables {
        let to_union: Vec<usize> = t.columns.iter().map(|c| column_index[c]).collect();
        for (i, p) in t.rows.iter().enumerate() {
            if !present.contains(&(p.as_str(), reader.as_str())) {
                continue;
            }
            let mut row = vec![f64::NAN; columns.len()];
            for (j, &k) in to_union.iter().enumerate() {
                row[k] = t.get(i, j);
            }
            values.extend(row);
            patient_col.push(p.clone());
            reader_col.push(reader.clone());
        }
    }
    crate::table::write_keyed_table(
        out,
        &[("patient_id", patient_col), ("reader", reader_col)],
        &columns,
        &values,
    )?;
    let (ibsi_codes, ibsi_aggregation_codes) = column_codes(&engine, &outcome.rois);
    let prov = ExtractProvenance {
        tool_version: env!("CARGO_PKG_VERSION").into(),
        preset: preset.as_str().into(),
        settings: engine.describe(),
        settings_file: settings_file.map(Path::to_path_buf),
        manifest: manifest_path.to_path_buf(),
        input_hashes: outcome.input_hashes.clone(),
        ibsi_codes,
        ibsi_aggregation_codes,
        failures: outcome.failures.clone(),
        extracted: outcome.rois.len(),
        cached: outcome.cached,
    };
    let mut prov_path = out.as_os_str().to_owned();
    prov_path.push(".provenance.json");
    crate::store::write_json(Path::new(&prov_path), &prov)?;
    Ok(prov)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_features_round_trip_bit_exactly() {
        let d = tempfile::tempdir().unwrap();
        let c = StageCache::new(d.path());
        let v = [
            FeatureValue::new("a", 115.66051696921863),
            FeatureValue::undefined("b", "one grey level"),
            FeatureValue::new("c", f64::INFINITY).with_code("ABCD"),
            FeatureValue::new("d", -1.5),
        ];
        let cached: Vec<CachedFeature> = v.iter().map(CachedFeature::from_value).collect();
        c.put("roi-features", "k", &cached).unwrap();
        let back: Vec<CachedFeature> = c.get("roi-features", "k").expect("readable");
        let back: Vec<FeatureValue> = back.into_iter().map(CachedFeature::into_value).collect();
        assert_eq!(back[0], v[0]);
        assert!(back[1].value.is_nan() && back[1].note == v[1].note);
        assert_eq!(back[2], v[2]);
        assert_eq!(back[3], v[3]);
    }
}
