//! Grouped, stratified train/test split: every group (a patient, or a duplicate cluster) lands
//! wholly on one side, and each class is split as close to `train_fraction` as the groups allow.

use crate::error::{AuditError, Result};
use dlr_learn::Fold;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Splits rows so that no group has rows on both sides; deterministic for a seed.
///
/// Groups are shuffled with a ChaCha8 generator seeded by `seed`, then placed largest first
/// (ties in shuffled order) on the side whose per-class targets (`round(n_class ·
/// train_fraction)` for training) they bring closer; equal distance goes to training. Errors
/// when lengths differ, `train_fraction` is outside (0, 1), or either side would lack a class.
pub fn grouped_stratified_split<G: Ord>(
    y: &[bool],
    groups: &[G],
    train_fraction: f64,
    seed: u64,
) -> Result<Fold> {
    let what = "grouped_stratified_split";
    if y.len() != groups.len() {
        return Err(AuditError::input(
            what,
            format!("{} labels but {} group ids", y.len(), groups.len()),
        ));
    }
    if !(train_fraction > 0.0 && train_fraction < 1.0) {
        return Err(AuditError::input(
            what,
            format!("train_fraction must lie in (0, 1), got {train_fraction}"),
        ));
    }
    let mut by_group: BTreeMap<&G, Vec<usize>> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        by_group.entry(g).or_default().push(i);
    }
    let mut list: Vec<Vec<usize>> = by_group.into_values().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    list.shuffle(&mut rng);
    list.sort_by_key(|g| std::cmp::Reverse(g.len())); // stable: shuffled order within a size
    let n_pos = y.iter().filter(|&&v| v).count() as i64;
    let n_neg = y.len() as i64 - n_pos;
    let t = [
        (n_pos as f64 * train_fraction).round() as i64,
        (n_neg as f64 * train_fraction).round() as i64,
    ];
    let s = [n_pos - t[0], n_neg - t[1]];
    let mut tr = [0i64; 2];
    let mut te = [0i64; 2];
    let mut train = Vec::new();
    let mut test = Vec::new();
    for rows in list {
        let gp = rows.iter().filter(|&&i| y[i]).count() as i64;
        let g = [gp, rows.len() as i64 - gp];
        let d = |a: [i64; 2], b: [i64; 2]| {
            (t[0] - a[0]).abs() + (t[1] - a[1]).abs() + (s[0] - b[0]).abs() + (s[1] - b[1]).abs()
        };
        let to_train = d([tr[0] + g[0], tr[1] + g[1]], te) <= d(tr, [te[0] + g[0], te[1] + g[1]]);
        if to_train {
            tr = [tr[0] + g[0], tr[1] + g[1]];
            train.extend(rows);
        } else {
            te = [te[0] + g[0], te[1] + g[1]];
            test.extend(rows);
        }
    }
    if tr[0] == 0 || tr[1] == 0 || te[0] == 0 || te[1] == 0 {
        return Err(AuditError::input(
            what,
            format!(
                "cannot place both classes on both sides: training {}+/{}-, test {}+/{}- \
                 (too few groups, or groups too large for the requested fraction)",
                tr[0], tr[1], te[0], te[1]
            ),
        ));
    }
    train.sort_unstable();
    test.sort_unstable();
    Ok(Fold { train, test })
}

/// Grouped, stratified k-fold: a fold number (0..k) per row, with every group in one fold.
///
/// Groups are shuffled by `seed`, then placed largest first into the fold whose per-class
/// counts end closest (L1) to `n_class / k`; ties go to the lower fold. Use with
/// `dlr_learn::split::folds_from_ids(&ids, k)`. Errors on length mismatch, `k < 2`, or a fold
/// left without one of the classes.
pub fn grouped_stratified_fold_ids<G: Ord>(
    y: &[bool],
    groups: &[G],
    k: usize,
    seed: u64,
) -> Result<Vec<usize>> {
    let what = "grouped_stratified_fold_ids";
    if y.len() != groups.len() {
        return Err(AuditError::input(
            what,
            format!("{} labels but {} group ids", y.len(), groups.len()),
        ));
    }
    if k < 2 {
        return Err(AuditError::input(
            what,
            format!("k must be at least 2, got {k}"),
        ));
    }
    let mut by_group: BTreeMap<&G, Vec<usize>> = BTreeMap::new();
    for (i, g) in groups.iter().enumerate() {
        by_group.entry(g).or_default().push(i);
    }
    let mut list: Vec<Vec<usize>> = by_group.into_values().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    list.shuffle(&mut rng);
    list.sort_by_key(|g| std::cmp::Reverse(g.len()));
    let n_pos = y.iter().filter(|&&v| v).count() as f64;
    let target = [n_pos / k as f64, (y.len() as f64 - n_pos) / k as f64];
    let mut counts = vec![[0.0f64; 2]; k];
    let mut fold_of = vec![0usize; y.len()];
    for rows in list {
        let gp = rows.iter().filter(|&&i| y[i]).count() as f64;
        let g = [gp, rows.len() as f64 - gp];
        let cost = |c: &[f64; 2]| {
            (c[0] + g[0] - target[0]).abs() + (c[1] + g[1] - target[1]).abs()
                - (c[0] - target[0]).abs()
                - (c[1] - target[1]).abs()
        };
        let mut best = 0;
        for f in 1..k {
            if cost(&counts[f]) < cost(&counts[best]) {
                best = f;
            }
        }
        counts[best] = [counts[best][0] + g[0], counts[best][1] + g[1]];
        for i in rows {
            fold_of[i] = best;
        }
    }
    if let Some(f) = counts.iter().position(|c| c[0] == 0.0 || c[1] == 0.0) {
        return Err(AuditError::input(
            what,
            format!(
                "fold {f} lacks a class ({} positive, {} negative): too few groups for k = {k}",
                counts[f][0], counts[f][1]
            ),
        ));
    }
    Ok(fold_of)
}
