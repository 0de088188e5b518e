//! Seeded, stratified resampling: train/test split, k-fold, repeated k-fold, bootstrap.
//!
//! All schemes use a ChaCha8 generator seeded from a `u64`, so the same seed gives the same
//! rows on every platform and thread count.

use crate::error::{LearnError, Result};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Row indices of a training and a held-out part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Training rows (sorted).
    pub train: Vec<usize>,
    /// Held-out rows (sorted).
    pub test: Vec<usize>,
}

fn class_indices(y: &[bool]) -> (Vec<usize>, Vec<usize>) {
    let pos = (0..y.len()).filter(|&i| y[i]).collect();
    let neg = (0..y.len()).filter(|&i| !y[i]).collect();
    (pos, neg)
}

/// Stratified seeded split: `train_fraction` of each class goes to training (7:3 ⇒ 0.7).
pub fn stratified_split(y: &[bool], train_fraction: f64, seed: u64) -> Result<Fold> {
    if !(train_fraction > 0.0 && train_fraction < 1.0) {
        return Err(LearnError::param(
            "train_fraction",
            train_fraction,
            "must lie in (0, 1)",
        ));
    }
    let (mut pos, mut neg) = class_indices(y);
    if pos.len() < 2 || neg.len() < 2 {
        return Err(LearnError::data(
            "stratified_split",
            format!(
                "each class needs at least 2 members, got {} positive / {} negative",
                pos.len(),
                neg.len()
            ),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::new();
    let mut test = Vec::new();
    for cls in [&mut pos, &mut neg] {
        cls.shuffle(&mut rng);
        let k = ((cls.len() as f64) * train_fraction).round() as usize;
        let k = k.clamp(1, cls.len() - 1);
        train.extend_from_slice(&cls[..k]);
        test.extend_from_slice(&cls[k..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok(Fold { train, test })
}

/// Stratified seeded fold id (0-based) for every row; errors if a class has fewer members than folds.
pub fn stratified_fold_ids(y: &[bool], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(LearnError::param("k", k, "need at least 2 folds"));
    }
    let (mut pos, mut neg) = class_indices(y);
    let smallest = pos.len().min(neg.len());
    if smallest < k {
        return Err(LearnError::data(
            "stratified k-fold",
            format!("the smaller class has {smallest} members, fewer than the {k} folds; every fold needs both classes — use k ≤ {smallest}"),
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ids = vec![0usize; y.len()];
    let mut counter = 0usize;
    for cls in [&mut pos, &mut neg] {
        cls.shuffle(&mut rng);
        for &i in cls.iter() {
            ids[i] = counter % k;
            counter += 1;
        }
    }
    Ok(ids)
}

/// Stratified seeded k-fold partition.
pub fn kfold(y: &[bool], k: usize, seed: u64) -> Result<Vec<Fold>> {
    let ids = stratified_fold_ids(y, k, seed)?;
    Ok(folds_from_ids(&ids, k))
}

/// Folds from 0-based fold ids.
pub fn folds_from_ids(ids: &[usize], k: usize) -> Vec<Fold> {
    (0..k)
        .map(|f| Fold {
            train: (0..ids.len()).filter(|&i| ids[i] != f).collect(),
            test: (0..ids.len()).filter(|&i| ids[i] == f).collect(),
        })
        .collect()
}

/// Repeated stratified k-fold: `repeats × k` folds, repeat `r` seeded with `seed + r`.
pub fn repeated_kfold(y: &[bool], k: usize, repeats: usize, seed: u64) -> Result<Vec<Fold>> {
    if repeats == 0 {
        return Err(LearnError::param("repeats", 0, "must be at least 1"));
    }
    let mut all = Vec::with_capacity(k * repeats);
    for r in 0..repeats {
        all.extend(kfold(y, k, seed.wrapping_add(r as u64))?);
    }
    Ok(all)
}

/// A bootstrap sample of `n` row indices (with replacement) from `rng`.
pub fn bootstrap_rows(n: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    (0..n).map(|_| rng.gen_range(0..n)).collect()
}
