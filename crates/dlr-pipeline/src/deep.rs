//! Deep-feature stage: choosing the backbone and weights, and pooled features of every ROI crop.

use crate::error::{PipelineError, Result};
use crate::extract::{read_roi_mask, RoiJob};
use crate::store::StageCache;
use crate::table::RoiFeatures;
use dlr_deep::{Backbone, BackboneKind, CropOptions};
use dlr_image::FeatureValue;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Finds weights for `kind` in the weight folders.
pub fn find_weights(kind: BackboneKind) -> Option<PathBuf> {
    dlr_weights::lookup::find(kind.name())
}

/// The backbone a study uses, or why none is used.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum BackboneChoice {
    /// Use this architecture with these weights.
    Use {
        /// Architecture.
        kind: BackboneKind,
        /// Weights file.
        weights: PathBuf,
        /// SHA-256 of the weights file.
        sha256: String,
    },
    /// Deep features are skipped, with the reason and how to fix it.
    Skip {
        /// Reason in words.
        reason: String,
    },
}

/// Resolves the architecture (`None`: auto — ResNet-50 when its weights are found, else
/// EfficientNet-Lite0) and optional explicit weights.
pub fn choose_backbone(
    backbone: Option<BackboneKind>,
    weights: Option<&Path>,
) -> Result<BackboneChoice> {
    let hash = |p: &Path| crate::store::file_sha256(p);
    if let Some(w) = weights {
        let kind = if let Some(kind) = backbone {
            kind
        } else {
            let n = w
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if n.contains("efficientnet") {
                BackboneKind::EfficientNetLite0
            } else {
                BackboneKind::ResNet50
            }
        };
        if !w.exists() {
            return Err(PipelineError::Data(format!(
                "weights file {} does not exist; {}",
                w.display(),
                kind.how_to_get_weights()
            )));
        }
        return Ok(BackboneChoice::Use {
            kind,
            weights: w.to_path_buf(),
            sha256: hash(w)?,
        });
    }
    let candidates: Vec<BackboneKind> = match backbone {
        None => vec![BackboneKind::ResNet50, BackboneKind::EfficientNetLite0],
        Some(kind) => vec![kind],
    };
    for k in &candidates {
        if let Some(w) = find_weights(*k) {
            return Ok(BackboneChoice::Use {
                kind: *k,
                sha256: hash(&w)?,
                weights: w,
            });
        }
    }
    let dirs: Vec<String> = dlr_weights::lookup::search_dirs()
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    Ok(BackboneChoice::Skip {
        reason: format!(
            "no ImageNet weights found for {} in {}; to enable deep features: {}",
            candidates
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or "),
            dirs.join(", "),
            candidates
                .last()
                .map(|k| k.how_to_get_weights())
                .unwrap_or_default()
        ),
    })
}

/// Pooled deep features of every job's ROI crop (names `deep0000`…), cached per ROI.
pub fn deep_features(
    backbone: &dyn Backbone,
    weights_sha256: &str,
    crop: &CropOptions,
    jobs: &[RoiJob],
    cache: Option<&StageCache>,
    progress: bool,
) -> (Vec<RoiFeatures>, Vec<crate::extract::RoiFailure>) {
    let settings = format!("{} {weights_sha256} {crop:?}", backbone.name());
    let bar = if progress {
        let b = ProgressBar::new(jobs.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{prefix:>10} [{bar:30}] {pos}/{len} crops {elapsed_precise} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_prefix("deep");
        b
    } else {
        ProgressBar::hidden()
    };
    let mut done = Vec::new();
    let mut failed = Vec::new();
    let fail = |job: &RoiJob, reason: String| crate::extract::RoiFailure {
        key: job.key.clone(),
        image: job.image.clone(),
        reason,
    };
    // Gather inputs (cache hits skip the network), then run the network in batches.
    let mut pending: Vec<(usize, String, Vec<f32>)> = Vec::new();
    let mut results: Vec<Option<Vec<f32>>> = vec![None; jobs.len()];
    for (i, job) in jobs.iter().enumerate() {
        let mut hashes = Vec::new();
        let mut ok = true;
        for p in std::iter::once(&job.image).chain(&job.masks) {
            match crate::store::file_sha256(p) {
                Ok(h) => hashes.push(h),
                Err(e) => {
                    failed.push(fail(job, e.to_string()));
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            bar.inc(1);
            continue;
        }
        let hs: Vec<&str> = hashes.iter().map(String::as_str).collect();
        let label = job.roi_label.map(|l| format!("roi_label={l}"));
        let hs: Vec<&str> = hs.into_iter().chain(label.as_deref()).collect();
        let key = StageCache::key("deep-features", &settings, &hs);
        if let Some(v) = cache.and_then(|c| c.get::<Vec<f32>>("deep-features", &key)) {
            results[i] = Some(v);
            bar.inc(1);
            continue;
        }
        // The image is read once, in colour when the settings ask; the mask must lie on its grid.
        match dlr_deep::read_deep_image(&job.image, &dlr_image::ReadOptions::default(), crop.colour)
            .map_err(PipelineError::from)
            .and_then(|img| {
                let mask = read_roi_mask(&job.image, &job.masks, job.roi_label)?;
                mask.check_matches(img.geometry())?;
                Ok(dlr_deep::roi_crop_colour(&img, Some(&mask), crop)?.tensor)
            }) {
            Ok(t) => pending.push((i, key, t)),
            Err(e) => {
                failed.push(fail(job, e.to_string()));
                bar.inc(1);
            }
        }
    }
    const BATCH: usize = 8;
    for chunk in pending.chunks(BATCH) {
        let mut batch = Vec::with_capacity(chunk.len() * 3 * crop.size * crop.size);
        for (_, _, t) in chunk {
            batch.extend_from_slice(t);
        }
        match backbone.features(&batch, chunk.len()) {
            Ok(feats) => {
                for ((i, key, _), f) in chunk.iter().zip(feats) {
                    if let Some(c) = cache {
                        let _ = c.put("deep-features", key, &f);
                    }
                    results[*i] = Some(f);
                }
            }
            Err(e) => {
                for (i, _, _) in chunk {
                    failed.push(fail(&jobs[*i], e.to_string()));
                }
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    for (job, r) in jobs.iter().zip(results) {
        if let Some(v) = r {
            done.push(RoiFeatures {
                key: job.key.clone(),
                features: v
                    .iter()
                    .enumerate()
                    .map(|(k, &x)| FeatureValue::new(format!("deep{k:04}"), f64::from(x)))
                    .collect(),
            });
        }
    }
    (done, failed)
}
