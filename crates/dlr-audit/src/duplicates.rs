//! Exact and near-duplicate images: fingerprints, all-pairs comparison, clusters, and the pairs
//! that straddle a train/test split or cross-validation folds.
//!
//! A [`Fingerprint`] keeps the exact pixel hash ([`Image::pixel_hash`]) and a small grey
//! thumbnail: the image (middle slice of a 3D image) with [`FingerprintOptions::border`] of each
//! side cropped away (calipers, logos, text overlays live there), area-averaged to
//! `size × size`, then centred and scaled to unit norm. The near-duplicate similarity of two
//! images is the Pearson correlation of their thumbnails (a dot product), which is unchanged by
//! brightness/contrast changes and changes little under small crops, rescaling and thin overlays.
//! Two images are near duplicates when the correlation is at least
//! [`DuplicateOptions::near_threshold`] (default 0.95).

use crate::error::{AuditError, Result};
use dlr_image::Image;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How thumbnails are made.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FingerprintOptions {
    /// Thumbnail side in pixels (default 16).
    pub size: usize,
    /// Fraction of width/height cropped from each border before downscaling (default 0.1).
    pub border: f64,
}

impl Default for FingerprintOptions {
    fn default() -> Self {
        Self {
            size: 16,
            border: 0.1,
        }
    }
}

/// Exact hash and thumbnail of one image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// [`Image::pixel_hash`] of the whole image.
    pub pixel_hash: String,
    /// Centred, unit-norm thumbnail (`size × size`, x fastest); all zeros for a flat image.
    pub thumbnail: Vec<f32>,
    /// True when the thumbnail has no variation (correlation undefined; never a near duplicate).
    pub flat: bool,
}

/// Fingerprint with the default options (16×16 thumbnail after cropping 10 % borders).
pub fn fingerprint(image: &Image) -> Fingerprint {
    // The default options are valid, so this cannot fail.
    fingerprint_with(image, &FingerprintOptions::default()).unwrap_or_else(|_| Fingerprint {
        pixel_hash: image.pixel_hash(),
        thumbnail: Vec::new(),
        flat: true,
    })
}

/// Fingerprint with explicit options; errors on a zero size or a border outside [0, 0.45].
pub fn fingerprint_with(image: &Image, opts: &FingerprintOptions) -> Result<Fingerprint> {
    if opts.size == 0 || opts.size > 256 {
        return Err(AuditError::input(
            "fingerprint",
            format!("thumbnail size must be 1..=256, got {}", opts.size),
        ));
    }
    if !(0.0..=0.45).contains(&opts.border) {
        return Err(AuditError::input(
            "fingerprint",
            format!("border fraction must lie in [0, 0.45], got {}", opts.border),
        ));
    }
    let [nx, ny, nz] = image.dims();
    let z = nz / 2;
    let data = image.data();
    let x0 = (nx as f64 * opts.border).floor() as usize;
    let y0 = (ny as f64 * opts.border).floor() as usize;
    let x1 = (nx - x0).max(x0 + 1).min(nx);
    let y1 = (ny - y0).max(y0 + 1).min(ny);
    let (cw, ch) = (x1 - x0, y1 - y0);
    let s = opts.size;
    let mut sum = vec![0.0f64; s * s];
    let mut cnt = vec![0u32; s * s];
    for y in y0..y1 {
        let ty = ((y - y0) * s) / ch;
        let row = nx * (y + ny * z);
        for x in x0..x1 {
            let v = data[row + x];
            if !v.is_finite() {
                continue;
            }
            let t = ty * s + ((x - x0) * s) / cw;
            sum[t] += v as f64;
            cnt[t] += 1;
        }
    }
    let mut thumb: Vec<f64> = sum
        .iter()
        .zip(&cnt)
        .map(|(&a, &c)| if c > 0 { a / c as f64 } else { 0.0 })
        .collect();
    let mean = thumb.iter().sum::<f64>() / thumb.len() as f64;
    let mut ss = 0.0;
    for v in thumb.iter_mut() {
        *v -= mean;
        ss += *v * *v;
    }
    let norm = ss.sqrt();
    let flat = norm.is_nan() || norm <= 1e-9 * (1.0 + mean.abs()) * (thumb.len() as f64).sqrt();
    let thumbnail = if flat {
        vec![0.0; thumb.len()]
    } else {
        thumb.iter().map(|v| (v / norm) as f32).collect()
    };
    Ok(Fingerprint {
        pixel_hash: image.pixel_hash(),
        thumbnail,
        flat,
    })
}

/// Correlation of two thumbnails (in [-1, 1]); `None` when either is flat or sizes differ.
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> Option<f64> {
    if a.flat || b.flat || a.thumbnail.len() != b.thumbnail.len() {
        return None;
    }
    let dot: f64 = a
        .thumbnail
        .iter()
        .zip(&b.thumbnail)
        .map(|(&x, &y)| x as f64 * y as f64)
        .sum();
    Some(dot.clamp(-1.0, 1.0))
}

/// One image to compare: identifier, fingerprint and class label (if known).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateItem {
    /// Image or patient identifier (shown in reports, used to match split membership).
    pub id: String,
    /// Its fingerprint.
    pub fingerprint: Fingerprint,
    /// Its class label, if known (`"benign"`, `"1"`...).
    pub label: Option<String>,
}

/// Options of [`find_duplicates`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DuplicateOptions {
    /// Thumbnail correlation at or above which two images are near duplicates (default 0.95).
    pub near_threshold: f64,
}

impl Default for DuplicateOptions {
    fn default() -> Self {
        Self {
            near_threshold: 0.95,
        }
    }
}

/// Exact (same pixel hash) or near (thumbnail correlation ≥ threshold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DuplicateKind {
    /// Identical pixels and dimensions.
    Exact,
    /// Thumbnails correlate at or above the threshold.
    Near,
}

/// Two images found to be duplicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicatePair {
    /// First image id (earlier in the input).
    pub a: String,
    /// Second image id.
    pub b: String,
    /// Index of `a` in the input.
    pub index_a: usize,
    /// Index of `b` in the input.
    pub index_b: usize,
    /// Exact or near.
    pub kind: DuplicateKind,
    /// Thumbnail correlation (1 for exact duplicates of non-flat images).
    pub similarity: f64,
    /// Labels of `a` and `b`.
    pub labels: (Option<String>, Option<String>),
    /// True when both labels are known and differ.
    pub conflicting: bool,
}

/// All duplicate pairs and the clusters they link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DuplicateReport {
    /// Number of images compared.
    pub n_images: usize,
    /// Threshold used for near duplicates.
    pub near_threshold: f64,
    /// Pairs, ordered by (index_a, index_b).
    pub pairs: Vec<DuplicatePair>,
    /// Connected components of the pair graph with at least two images, as input indices
    /// (sorted; clusters ordered by their first index).
    pub clusters: Vec<Vec<usize>>,
    /// Ids of the input, in order (for [`DuplicateReport::group_ids`] and split checks).
    pub ids: Vec<String>,
}

/// Compares every pair of images (rayon; deterministic order) and returns the duplicates.
///
/// Errors on a threshold outside (0, 1] or duplicate ids.
pub fn find_duplicates(
    items: &[DuplicateItem],
    opts: &DuplicateOptions,
) -> Result<DuplicateReport> {
    if !(opts.near_threshold > 0.0 && opts.near_threshold <= 1.0) {
        return Err(AuditError::input(
            "find_duplicates",
            format!(
                "near_threshold must lie in (0, 1], got {}",
                opts.near_threshold
            ),
        ));
    }
    let mut seen = BTreeMap::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(j) = seen.insert(it.id.as_str(), i) {
            return Err(AuditError::input(
                "find_duplicates",
                format!(
                    "id `{}` appears twice (items {j} and {i}); ids must be unique",
                    it.id
                ),
            ));
        }
    }
    let pairs: Vec<DuplicatePair> = (0..items.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let a = &items[i];
            (i + 1..items.len()).filter_map(move |j| {
                let b = &items[j];
                let sim = similarity(&a.fingerprint, &b.fingerprint);
                let kind = if a.fingerprint.pixel_hash == b.fingerprint.pixel_hash {
                    DuplicateKind::Exact
                } else if sim.is_some_and(|s| s >= opts.near_threshold) {
                    DuplicateKind::Near
                } else {
                    return None;
                };
                let conflicting = matches!((&a.label, &b.label), (Some(x), Some(y)) if x != y);
                Some(DuplicatePair {
                    a: a.id.clone(),
                    b: b.id.clone(),
                    index_a: i,
                    index_b: j,
                    kind,
                    similarity: sim.unwrap_or(1.0),
                    labels: (a.label.clone(), b.label.clone()),
                    conflicting,
                })
            })
        })
        .collect();
    let clusters = clusters_of(items.len(), &pairs);
    Ok(DuplicateReport {
        n_images: items.len(),
        near_threshold: opts.near_threshold,
        pairs,
        clusters,
        ids: items.iter().map(|i| i.id.clone()).collect(),
    })
}

fn find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn clusters_of(n: usize, pairs: &[DuplicatePair]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    for p in pairs {
        let (ra, rb) = (
            find_root(&mut parent, p.index_a),
            find_root(&mut parent, p.index_b),
        );
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = find_root(&mut parent, i);
        by_root.entry(r).or_default().push(i);
    }
    by_root.into_values().filter(|c| c.len() > 1).collect()
}

impl DuplicateReport {
    /// Number of exact pairs.
    pub fn exact_count(&self) -> usize {
        self.pairs
            .iter()
            .filter(|p| p.kind == DuplicateKind::Exact)
            .count()
    }

    /// Number of near (not exact) pairs.
    pub fn near_count(&self) -> usize {
        self.pairs
            .iter()
            .filter(|p| p.kind == DuplicateKind::Near)
            .count()
    }

    /// Number of pairs whose labels differ.
    pub fn conflicting_count(&self) -> usize {
        self.pairs.iter().filter(|p| p.conflicting).count()
    }

    /// A group number per input image: images in one duplicate cluster share it, every other
    /// image has its own. Feed it to [`crate::grouped_stratified_split`] so that no cluster
    /// straddles the split.
    pub fn group_ids(&self) -> Vec<usize> {
        let mut g: Vec<usize> = (0..self.n_images).collect();
        for c in &self.clusters {
            for &i in c {
                g[i] = c[0];
            }
        }
        g
    }

    /// Input indices to drop so that one image of each cluster remains (the first one).
    pub fn drop_one_per_cluster(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self.clusters.iter().flat_map(|c| c[1..].to_vec()).collect();
        out.sort_unstable();
        out
    }

    /// One plain-language line per pair (for the report's duplicate findings).
    pub fn findings(&self) -> Vec<String> {
        self.pairs
            .iter()
            .map(|p| {
                let lab = |l: &Option<String>| l.clone().unwrap_or_else(|| "?".into());
                format!(
                    "{} duplicate: {} ({}) and {} ({}), thumbnail correlation {:.3}{}",
                    match p.kind {
                        DuplicateKind::Exact => "Exact",
                        DuplicateKind::Near => "Near",
                    },
                    p.a,
                    lab(&p.labels.0),
                    p.b,
                    lab(&p.labels.1),
                    p.similarity,
                    if p.conflicting {
                        " — CONFLICTING LABELS"
                    } else {
                        ""
                    }
                )
            })
            .collect()
    }
}

/// Pairs with one image in `train_ids` and the other in `test_ids` (test-set leakage).
pub fn straddling_pairs<S: AsRef<str>>(
    report: &DuplicateReport,
    train_ids: &[S],
    test_ids: &[S],
) -> Vec<DuplicatePair> {
    let train: std::collections::BTreeSet<&str> = train_ids.iter().map(|s| s.as_ref()).collect();
    let test: std::collections::BTreeSet<&str> = test_ids.iter().map(|s| s.as_ref()).collect();
    report
        .pairs
        .iter()
        .filter(|p| {
            (train.contains(p.a.as_str()) && test.contains(p.b.as_str()))
                || (test.contains(p.a.as_str()) && train.contains(p.b.as_str()))
        })
        .cloned()
        .collect()
}

/// Pairs whose two images fall in different cross-validation folds; `fold_of[i]` is the fold of
/// input image `i` (the order given to [`find_duplicates`]). Errors on a length mismatch.
pub fn pairs_across_folds(
    report: &DuplicateReport,
    fold_of: &[usize],
) -> Result<Vec<DuplicatePair>> {
    if fold_of.len() != report.n_images {
        return Err(AuditError::input(
            "pairs_across_folds",
            format!(
                "{} fold ids given for {} images",
                fold_of.len(),
                report.n_images
            ),
        ));
    }
    Ok(report
        .pairs
        .iter()
        .filter(|p| fold_of[p.index_a] != fold_of[p.index_b])
        .cloned()
        .collect())
}
