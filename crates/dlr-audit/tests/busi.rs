//! The audit on the BUSI development set (../shared/data/busi): duplicates and the shape-only
//! baseline. Numbers asserted are those measured here (see docs/decisions/near-duplicates.md).

use dlr_audit::*;
use dlr_image::MaskOptions;
use dlr_learn::Matrix;
use rayon::prelude::*;

struct Case {
    id: String,
    label: String,
    fingerprint: Fingerprint,
    shape: Vec<f64>,
    names: Vec<String>,
}

fn load(manifest: &std::path::Path) -> Vec<Case> {
    let m = dlr_study::read_manifest(manifest, &dlr_study::ManifestColumns::busi()).unwrap();
    m.entries
        .par_iter()
        .map(|e| {
            let img = dlr_image::read_image(&e.image).unwrap();
            let paths: Vec<_> = e.all_masks().cloned().collect();
            let mask = dlr_image::read_mask_union(&paths, &MaskOptions::default()).unwrap();
            let feats = shape_features(&mask, img.spacing).unwrap();
            Case {
                id: e.patient_id.clone(),
                label: e.label.clone().unwrap(),
                fingerprint: fingerprint(&img),
                shape: feats.iter().map(|f| f.value).collect(),
                names: feats.iter().map(|f| f.name.clone()).collect(),
            }
        })
        .collect()
}

#[test]
fn busi_duplicates_and_shape_only_baseline() {
    let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
    let cases = load(&manifest);
    assert_eq!(cases.len(), 455);
    let items: Vec<DuplicateItem> = cases
        .iter()
        .map(|c| DuplicateItem {
            id: c.id.clone(),
            fingerprint: c.fingerprint.clone(),
            label: Some(c.label.clone()),
        })
        .collect();
    let rep = find_duplicates(&items, &DuplicateOptions::default()).unwrap();
    println!(
        "BUSI: {} exact, {} near (r >= 0.95), {} conflicting, {} clusters",
        rep.exact_count(),
        rep.near_count(),
        rep.conflicting_count(),
        rep.clusters.len()
    );
    for f in rep.findings() {
        println!("  {f}");
    }
    // Measured (16×16 thumbnails after cropping 10 % borders, r >= 0.95): no exact duplicates,
    // 78 near pairs in 59 clusters, one filed under both classes (benign_164 / malignant_52).
    assert_eq!(rep.exact_count(), 0);
    assert!(
        (60..=95).contains(&rep.near_count()),
        "{}",
        rep.near_count()
    );
    let conflicts: Vec<&DuplicatePair> = rep.pairs.iter().filter(|p| p.conflicting).collect();
    assert!(conflicts
        .iter()
        .any(|p| p.a == "benign_164" && p.b == "malignant_52"));

    // Shape-only baseline, seeded 7:3 split.
    let y: Vec<bool> = cases.iter().map(|c| c.label == "malignant").collect();
    let names = cases[0].names.clone();
    let rows: Vec<f64> = cases.iter().flat_map(|c| c.shape.clone()).collect();
    let x = Matrix::new(rows, cases.len(), names.len(), names).unwrap();
    let fold = dlr_learn::stratified_split(&y, 0.7, 42).unwrap();
    let sub = |r: &[usize]| r.iter().map(|&i| y[i]).collect::<Vec<_>>();
    let b = shape_only_baseline(
        &x.select_rows(&fold.train).unwrap(),
        &sub(&fold.train),
        &x.select_rows(&fold.test).unwrap(),
        &sub(&fold.test),
        42,
    )
    .unwrap();
    println!(
        "BUSI shape-only 7:3 test AUC {:.4} ({:.4}-{:.4})",
        b.auc, b.lower, b.upper
    );
    let cv = baseline_cv_auc(&x, &y, 5, 42).unwrap();
    println!(
        "BUSI shape-only 5-fold CV AUC {:.4} ({:.4}-{:.4})",
        cv.auc, cv.lower, cv.upper
    );
    let st = straddling_pairs(
        &rep,
        &fold
            .train
            .iter()
            .map(|&i| cases[i].id.clone())
            .collect::<Vec<_>>(),
        &fold
            .test
            .iter()
            .map(|&i| cases[i].id.clone())
            .collect::<Vec<_>>(),
    );
    println!("straddling 7:3 seed 42: {}", st.len());
    // Very high AUC from the outline alone (the finding: annotation style).
    assert!(b.auc >= 0.95, "shape-only test AUC {}", b.auc);
    assert!(cv.auc >= 0.95, "shape-only CV AUC {}", cv.auc);
    assert!(
        !st.is_empty(),
        "an ordinary split straddles duplicate pairs"
    );
    // Grouped by duplicate cluster: none straddle.
    let g = grouped_stratified_split(&y, &rep.group_ids(), 0.7, 42).unwrap();
    let ids = |r: &[usize]| r.iter().map(|&i| cases[i].id.clone()).collect::<Vec<_>>();
    assert!(straddling_pairs(&rep, &ids(&g.train), &ids(&g.test)).is_empty());
    let gb = shape_only_baseline(
        &x.select_rows(&g.train).unwrap(),
        &sub(&g.train),
        &x.select_rows(&g.test).unwrap(),
        &sub(&g.test),
        42,
    )
    .unwrap();
    println!(
        "BUSI shape-only grouped 7:3 test AUC {:.4} ({:.4}-{:.4})",
        gb.auc, gb.lower, gb.upper
    );
    assert!(gb.auc >= 0.95, "grouped shape-only AUC {}", gb.auc);
}
