//! Simulated cohorts with planted duplicates across the split and a planted shape-only signal.

use dlr_audit::*;
use dlr_image::{Image, Mask};
use dlr_learn::Matrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N: usize = 96;

/// A smooth random "scan": a few Gaussian blobs plus speckle, different for every seed.
fn scan(seed: u64) -> Image {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let blobs: Vec<(f64, f64, f64, f64)> = (0..6)
        .map(|_| {
            (
                rng.gen_range(0.0..N as f64),
                rng.gen_range(0.0..N as f64),
                rng.gen_range(6.0..20.0),
                rng.gen_range(50.0..200.0),
            )
        })
        .collect();
    let mut d = vec![0.0f32; N * N];
    for y in 0..N {
        for x in 0..N {
            let mut v = 20.0;
            for &(cx, cy, s, a) in &blobs {
                let r2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                v += a * (-r2 / (2.0 * s * s)).exp();
            }
            d[x + N * y] = (v + rng.gen_range(-5.0..5.0)) as f32;
        }
    }
    Image::new_2d(d, N, N).unwrap()
}

/// Re-crop of `img` shifted by (dx, dy) pixels (edge pixels repeated), contrast changed, with a
/// bright caliper-like cross drawn on it.
fn recrop_with_overlay(img: &Image, dx: usize, dy: usize) -> Image {
    let mut d = vec![0.0f32; N * N];
    for y in 0..N {
        for x in 0..N {
            let v = img.get((x + dx).min(N - 1), (y + dy).min(N - 1), 0);
            d[x + N * y] = 1.3 * v + 10.0;
        }
    }
    for k in 0..7 {
        d[(40 + k) + N * 43] = 255.0;
        d[43 + N * (40 + k)] = 255.0;
    }
    Image::new_2d(d, N, N).unwrap()
}

fn cohort() -> (Vec<DuplicateItem>, Vec<bool>) {
    let mut imgs: Vec<Image> = (0..40).map(|s| scan(1000 + s)).collect();
    let mut y: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
    // Planted: exact copy of 0 (same label), re-crop of 2 (same label), re-crop of 4 filed
    // under the other class (conflicting).
    imgs.push(imgs[0].clone());
    y.push(y[0]);
    imgs.push(recrop_with_overlay(&imgs[2], 3, 2));
    y.push(y[2]);
    imgs.push(recrop_with_overlay(&imgs[4], 2, 3));
    y.push(!y[4]);
    let items = imgs
        .iter()
        .enumerate()
        .map(|(i, im)| DuplicateItem {
            id: format!("img{i:02}"),
            fingerprint: fingerprint(im),
            label: Some(if y[i] { "malignant" } else { "benign" }.into()),
        })
        .collect();
    (items, y)
}

#[test]
fn planted_duplicates_found_exactly() {
    let (items, _) = cohort();
    let rep = find_duplicates(&items, &DuplicateOptions::default()).unwrap();
    let got: Vec<(&str, &str, DuplicateKind, bool)> = rep
        .pairs
        .iter()
        .map(|p| (p.a.as_str(), p.b.as_str(), p.kind, p.conflicting))
        .collect();
    assert_eq!(
        got,
        vec![
            ("img00", "img40", DuplicateKind::Exact, false),
            ("img02", "img41", DuplicateKind::Near, false),
            ("img04", "img42", DuplicateKind::Near, true),
        ]
    );
    for p in &rep.pairs[1..] {
        assert!(p.similarity >= 0.95 && p.similarity < 1.0, "{p:?}");
    }
    assert_eq!(rep.clusters, vec![vec![0, 40], vec![2, 41], vec![4, 42]]);
    assert_eq!(rep.drop_one_per_cluster(), vec![40, 41, 42]);
    // Distinct scans stay well below the threshold.
    let max_other = (0..40)
        .flat_map(|i| (i + 1..40).map(move |j| (i, j)))
        .filter_map(|(i, j)| similarity(&items[i].fingerprint, &items[j].fingerprint))
        .fold(f64::MIN, f64::max);
    assert!(
        max_other < 0.9,
        "max correlation of distinct scans {max_other}"
    );
}

#[test]
fn plain_split_leaks_grouped_split_does_not() {
    let (items, y) = cohort();
    let rep = find_duplicates(&items, &DuplicateOptions::default()).unwrap();
    let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
    let pick = |rows: &[usize]| rows.iter().map(|&r| ids[r].clone()).collect::<Vec<_>>();
    // Some seed of the ordinary stratified split puts a planted pair on both sides.
    let leaking = (0..20u64).find(|&s| {
        let f = dlr_learn::stratified_split(&y, 0.7, s).unwrap();
        !straddling_pairs(&rep, &pick(&f.train), &pick(&f.test)).is_empty()
    });
    assert!(leaking.is_some(), "no seed of 20 split a planted pair");
    let f = dlr_learn::stratified_split(&y, 0.7, leaking.unwrap()).unwrap();
    let fold_of: Vec<usize> = (0..ids.len())
        .map(|i| usize::from(f.test.contains(&i)))
        .collect();
    assert_eq!(
        pairs_across_folds(&rep, &fold_of).unwrap(),
        straddling_pairs(&rep, &pick(&f.train), &pick(&f.test))
    );
    // Grouped by duplicate cluster: no seed leaks.
    let groups = rep.group_ids();
    for s in 0..20u64 {
        let g = grouped_stratified_split(&y, &groups, 0.7, s).unwrap();
        assert!(straddling_pairs(&rep, &pick(&g.train), &pick(&g.test)).is_empty());
        assert_eq!(g.train.len() + g.test.len(), y.len());
    }
    let summary = DuplicateSummary::from_report(&rep, Some(0));
    assert_eq!(
        (
            summary.exact_pairs,
            summary.near_pairs,
            summary.conflicting_pairs
        ),
        (1, 2, 1)
    );
    assert!(summary.findings[2].contains("CONFLICTING"));
}

#[test]
fn grouped_split_keeps_patients_together_and_stratifies() {
    // 60 patients with 1–3 images each; outcome per patient; 30 % positive.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut groups = Vec::new();
    let mut y = Vec::new();
    for p in 0..60 {
        let k = rng.gen_range(1..=3);
        let pos = p % 10 < 3;
        for _ in 0..k {
            groups.push(format!("P{p:03}"));
            y.push(pos);
        }
    }
    let f = grouped_stratified_split(&y, &groups, 0.7, 11).unwrap();
    let g = grouped_stratified_split(&y, &groups, 0.7, 11).unwrap();
    assert_eq!(f, g, "deterministic for a seed");
    for &i in &f.train {
        assert!(f.test.iter().all(|&j| groups[j] != groups[i]));
    }
    let n_pos = y.iter().filter(|&&v| v).count() as f64;
    let n_neg = y.len() as f64 - n_pos;
    let tr_pos = f.train.iter().filter(|&&i| y[i]).count() as f64;
    let tr_neg = f.train.len() as f64 - tr_pos;
    // Groups hold at most 3 rows, so each class is within 3 rows of its 70 % target.
    assert!((tr_pos - 0.7 * n_pos).abs() <= 3.0, "{tr_pos} of {n_pos}");
    assert!((tr_neg - 0.7 * n_neg).abs() <= 3.0, "{tr_neg} of {n_neg}");
    assert_ne!(f, grouped_stratified_split(&y, &groups, 0.7, 12).unwrap());
    // Errors, not panics.
    assert!(grouped_stratified_split(&y, &groups[1..], 0.7, 1).is_err());
    assert!(grouped_stratified_split(&y, &groups, 1.0, 1).is_err());
    let one_group = vec![0; y.len()];
    assert!(grouped_stratified_split(&y, &one_group, 0.7, 1).is_err());
}

fn mask_from(f: impl Fn(f64, f64) -> bool, n: usize) -> Mask {
    let mut d = vec![0u8; n * n];
    for y in 0..n {
        for x in 0..n {
            d[x + n * y] = u8::from(f(x as f64, y as f64));
        }
    }
    Mask::new(d, [n, n, 1]).unwrap()
}

fn value(f: &[dlr_image::FeatureValue], name: &str) -> f64 {
    f.iter().find(|v| v.name == name).unwrap().value
}

#[test]
fn solidity_of_rectangle_and_l_shape_is_analytic() {
    let rect = mask_from(
        |x, y| (5.0..25.0).contains(&x) && (8.0..18.0).contains(&y),
        32,
    );
    let f = shape_features(&rect, [1.0, 1.0, 1.0]).unwrap();
    assert!((value(&f, "audit_Solidity") - 1.0).abs() < 1e-12);
    assert!((value(&f, "original_shape2D_PixelSurface") - 200.0).abs() < 1e-12);
    // L: 20×10 bar plus a 10×10 square on top; hull area 400 − 50 = 350; solidity 300/350.
    let l = mask_from(|x, y| (x < 20.0 && y < 10.0) || (x < 10.0 && y < 20.0), 32);
    let f = shape_features(&l, [0.5, 0.5, 1.0]).unwrap();
    assert!((value(&f, "audit_Solidity") - 6.0 / 7.0).abs() < 1e-12);
    // Empty mask: defined NaN with a note, no panic.
    let empty = Mask::new(vec![0; 16], [4, 4, 1]).unwrap();
    let f = shape_features(&empty, [1.0; 3]).unwrap();
    let s = f.iter().find(|v| v.name == "audit_Solidity").unwrap();
    assert!(s.value.is_nan() && s.note.is_some());
    assert!(shape_features(&Mask::new(vec![1; 8], [2, 2, 2]).unwrap(), [1.0; 3]).is_err());
}

/// Ellipse (benign-like) or lobulated outline (malignant-like), random size and orientation.
fn lesion(rng: &mut ChaCha8Rng, irregular: bool) -> Mask {
    let a = rng.gen_range(10.0..22.0);
    let b = a * rng.gen_range(0.5..0.9);
    let th: f64 = rng.gen_range(0.0..std::f64::consts::PI);
    let lobes = rng.gen_range(5..9) as f64;
    let depth = if irregular {
        rng.gen_range(0.2..0.35)
    } else {
        0.0
    };
    let ph: f64 = rng.gen_range(0.0..std::f64::consts::TAU);
    mask_from(
        |x, y| {
            let (dx, dy) = (x - 32.0, y - 32.0);
            let u = dx * th.cos() + dy * th.sin();
            let v = -dx * th.sin() + dy * th.cos();
            let r = ((u / a).powi(2) + (v / b).powi(2)).sqrt();
            let ang = v.atan2(u);
            r <= 1.0 - depth * (0.5 + 0.5 * (lobes * ang + ph).sin())
        },
        64,
    )
}

fn shape_matrix(masks: &[Mask]) -> Matrix {
    let feats: Vec<Vec<dlr_image::FeatureValue>> = masks
        .iter()
        .map(|m| shape_features(m, [1.0; 3]).unwrap())
        .collect();
    let names: Vec<String> = feats[0].iter().map(|f| f.name.clone()).collect();
    let data: Vec<f64> = feats
        .iter()
        .flat_map(|f| f.iter().map(|v| v.value))
        .collect();
    Matrix::new(data, masks.len(), names.len(), names).unwrap()
}

#[test]
fn planted_shape_signal_is_found_and_null_is_not() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let y: Vec<bool> = (0..120).map(|i| i % 3 == 0).collect();
    let signal: Vec<Mask> = y.iter().map(|&v| lesion(&mut rng, v)).collect();
    let null: Vec<Mask> = y
        .iter()
        .map(|_| {
            let irregular = rng.gen_bool(0.5);
            lesion(&mut rng, irregular)
        })
        .collect();
    let fold = dlr_learn::stratified_split(&y, 0.7, 3).unwrap();
    let yy = |r: &[usize]| r.iter().map(|&i| y[i]).collect::<Vec<_>>();
    let run = |m: &[Mask]| {
        let x = shape_matrix(m);
        shape_only_baseline(
            &x.select_rows(&fold.train).unwrap(),
            &yy(&fold.train),
            &x.select_rows(&fold.test).unwrap(),
            &yy(&fold.test),
            5,
        )
        .unwrap()
    };
    let s = run(&signal);
    assert!(s.auc > 0.95, "planted signal: AUC {}", s.auc);
    assert!(s.lower <= s.auc && s.auc <= s.upper);
    let n = run(&null);
    // Outline unrelated to the outcome: the CI covers 0.5.
    assert!(n.lower < 0.5 && n.upper > 0.5, "null: {n:?}");
    // Warning only when within the margin.
    assert!(shape_warning(0.97, s.auc, DEFAULT_SHAPE_MARGIN).is_some());
    assert!(shape_warning(0.97, n.auc, DEFAULT_SHAPE_MARGIN).is_none());
    let cmp = ShapeOnlySummary::new("Test", 0.97, s, DEFAULT_SHAPE_MARGIN);
    assert!(cmp.warning.unwrap().contains("outline"));
}

#[test]
fn audit_summary_round_trips_and_counts() {
    let mut a = StudyAudit::new(
        vec![
            CohortSize {
                name: "Training".into(),
                patients: 100,
                events: 30,
            },
            CohortSize {
                name: "Test".into(),
                patients: 43,
                events: 13,
            },
        ],
        Some(6),
    );
    assert_eq!(a.events_per_feature, Some(5.0));
    a.leakage_checks
        .push(LeakageCheckResult::duplicates_across_split(2, false));
    a.leakage_checks
        .push(LeakageCheckResult::duplicates_across_split(0, true));
    assert_eq!(a.leakage_passed(), 1);
    let (covered, total, missing) = a.tripod_coverage();
    assert_eq!((covered, total), (8, 27));
    assert_eq!(missing.len(), 19);
    let json = serde_json::to_string(&a).unwrap();
    let back: StudyAudit = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}

#[test]
fn grouped_folds_keep_groups_and_balance_classes() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut groups = Vec::new();
    let mut y = Vec::new();
    for p in 0..80 {
        let k = rng.gen_range(1..=3);
        for _ in 0..k {
            groups.push(p);
            y.push(p % 4 == 0);
        }
    }
    let ids = grouped_stratified_fold_ids(&y, &groups, 5, 3).unwrap();
    assert_eq!(ids, grouped_stratified_fold_ids(&y, &groups, 5, 3).unwrap());
    for i in 0..y.len() {
        for j in 0..y.len() {
            if groups[i] == groups[j] {
                assert_eq!(ids[i], ids[j]);
            }
        }
    }
    let n_pos = y.iter().filter(|&&v| v).count() as f64;
    let n_neg = y.len() as f64 - n_pos;
    for f in 0..5 {
        let pos = (0..y.len()).filter(|&i| ids[i] == f && y[i]).count() as f64;
        let neg = (0..y.len()).filter(|&i| ids[i] == f && !y[i]).count() as f64;
        // Groups hold at most 3 rows: each class within 3 rows of its fifth.
        assert!(
            (pos - n_pos / 5.0).abs() <= 3.0,
            "fold {f}: {pos} of {n_pos}"
        );
        assert!(
            (neg - n_neg / 5.0).abs() <= 3.0,
            "fold {f}: {neg} of {n_neg}"
        );
    }
    assert!(grouped_stratified_fold_ids(&y, &groups, 1, 3).is_err());
    assert!(grouped_stratified_fold_ids(&y, &vec![0; y.len()], 5, 3).is_err());
}
