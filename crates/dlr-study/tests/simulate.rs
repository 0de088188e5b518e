//! The simulated CEUS cohort: the latent signal is there (and absent under `null`), the files
//! validate clean, and a seed gives the same bytes whatever the number of threads.

use dlr_study::{
    load_study, simulate, validate, ClinicalOptions, ColumnType, ManifestColumns, SimulateOptions,
    StudyInput, ValidateOptions,
};
use rayon::prelude::*;
use std::path::Path;

fn input(cohort: &dlr_study::SimulatedCohort) -> StudyInput {
    StudyInput::read(
        &cohort.manifest,
        &ManifestColumns::default(),
        Some((
            &cohort.clinical,
            &ClinicalOptions::with_outcome("recurrence_1y"),
        )),
    )
    .unwrap()
}

/// erfc(x) for x ≥ 0 (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7).
fn erfc(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    poly * (-x * x).exp()
}

/// Two-sided Mann–Whitney p-value (normal approximation, average ranks for ties) and the
/// AUC P(a > b).
fn mann_whitney(a: &[f64], b: &[f64]) -> (f64, f64) {
    let mut all: Vec<(f64, bool)> = a
        .iter()
        .map(|&v| (v, true))
        .chain(b.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut ranks = vec![0.0; all.len()];
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        for r in ranks.iter_mut().take(j + 1).skip(i) {
            *r = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let r1: f64 = all
        .iter()
        .zip(&ranks)
        .filter(|(v, _)| v.1)
        .map(|(_, r)| r)
        .sum();
    let u = r1 - n1 * (n1 + 1.0) / 2.0;
    let mu = n1 * n2 / 2.0;
    let sigma = (n1 * n2 * (n1 + n2 + 1.0) / 12.0).sqrt();
    let zstat = (u - mu).abs() / sigma;
    (erfc(zstat / std::f64::consts::SQRT_2), u / (n1 * n2))
}

/// Mean AP ROI intensity (reader 1) of events and non-events.
fn ap_means_by_outcome(cohort: &dlr_study::SimulatedCohort) -> (Vec<f64>, Vec<f64>) {
    let study = load_study(&input(cohort)).unwrap();
    let means: Vec<(u8, f64)> = study
        .patients
        .par_iter()
        .map(|p| {
            let (img, roi) = p.scan("AP", "1").unwrap().load().unwrap();
            let (s, n) = img
                .data()
                .iter()
                .zip(roi.data())
                .filter(|(_, &m)| m != 0)
                .fold((0.0, 0usize), |(s, n), (&v, _)| (s + v as f64, n + 1));
            (p.outcome, s / n as f64)
        })
        .collect();
    let events = means.iter().filter(|m| m.0 == 1).map(|m| m.1).collect();
    let others = means.iter().filter(|m| m.0 == 0).map(|m| m.1).collect();
    (events, others)
}

#[test]
fn rank_test_matches_a_textbook_example() {
    // no ties: U = 3 for a = [1, 2, 6], b = [3, 4, 5, 7]; z = |3 - 6| / sqrt(12*8/12)=1.0607
    let (p, auc) = mann_whitney(&[1.0, 2.0, 6.0], &[3.0, 4.0, 5.0, 7.0]);
    assert!((auc - 0.25).abs() < 1e-12);
    assert!((p - 0.2888).abs() < 1e-3, "{p}"); // 2 (1 - Φ(1.0607)) = 0.28884
}

#[test]
fn latent_signal_is_present_and_absent_under_null() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = SimulateOptions {
        patients: 150,
        seed: 11,
        null: false,
        out_dir: tmp.path().join("signal"),
        size: 256,
    };
    let cohort = simulate(&opts).unwrap();
    let rate = cohort.events() as f64 / 150.0;
    assert!((0.28..=0.52).contains(&rate), "event rate {rate}");
    let (ev, non) = ap_means_by_outcome(&cohort);
    let (p, auc) = mann_whitney(&ev, &non);
    eprintln!(
        "signal: {} events, AP mean ROI intensity p = {p:.2e}, AUC = {auc:.3}",
        ev.len()
    );
    assert!(p < 0.01, "p = {p}");
    assert!(auc > 0.6, "events enhance more: AUC {auc}");

    let null = simulate(&SimulateOptions {
        null: true,
        out_dir: tmp.path().join("null"),
        ..opts
    })
    .unwrap();
    let rate = null.events() as f64 / 150.0;
    assert!((0.28..=0.52).contains(&rate), "null event rate {rate}");
    let (ev, non) = ap_means_by_outcome(&null);
    let (p, auc) = mann_whitney(&ev, &non);
    eprintln!(
        "null: {} events, AP mean ROI intensity p = {p:.3}, AUC = {auc:.3}",
        ev.len()
    );
    assert!(p > 0.05, "no signal expected under null: p = {p}");
}

#[test]
fn simulated_cohort_validates_clean_and_has_the_documented_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let cohort = simulate(&SimulateOptions {
        patients: 12,
        seed: 3,
        null: false,
        out_dir: tmp.path().to_path_buf(),
        size: 128,
    })
    .unwrap();
    let inp = input(&cohort);
    let opts = ValidateOptions {
        expected_phases: vec!["US".into(), "AP".into(), "PP".into()],
        expected_readers: vec!["1".into(), "2".into()],
        ..ValidateOptions::default()
    };
    let report = validate(&inp, &opts);
    assert!(
        report.is_clean(),
        "{}\n{:#?}",
        report.summary(),
        report.problems
    );
    assert_eq!(
        (report.patients, report.rows, report.images, report.masks),
        (12, 72, 36, 72)
    );
    let kinds: Vec<(&str, ColumnType)> = inp
        .clinical
        .as_ref()
        .unwrap()
        .covariates
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("age", ColumnType::Numeric),
            ("sex", ColumnType::Categorical),
            ("tumour_size_cm", ColumnType::Numeric),
            ("hbv", ColumnType::Numeric),
            ("cirrhosis", ColumnType::Numeric),
            ("afp_gt_400", ColumnType::Numeric),
        ]
    );
    let toml = std::fs::read_to_string(&cohort.study_toml).unwrap();
    let expected = "# Simulated CEUS cohort written by `dlr simulate` (seed 3, 12 patients)
[study]
name = \"Simulated CEUS cohort (seed 3)\"
manifest = \"manifest.csv\"
clinical = \"clinical.csv\"
outcome = \"recurrence_1y\"
phases = [\"US\", \"AP\", \"PP\"]
readers = [\"1\", \"2\"]
primary_reader = \"1\"
clinical_covariates = [\"age\", \"sex\", \"tumour_size_cm\", \"hbv\", \"cirrhosis\", \"afp_gt_400\"]
[split]
test_fraction = 0.3
seed = 3
";
    assert_eq!(toml, expected);
    // reader 2 differs from reader 1 by a pixel or two, not more
    let study = load_study(&inp).unwrap();
    for p in &study.patients {
        let (_, m1) = p.scan("PP", "1").unwrap().load().unwrap();
        let (_, m2) = p.scan("PP", "2").unwrap().load().unwrap();
        let both = m1
            .data()
            .iter()
            .zip(m2.data())
            .filter(|(a, b)| **a == 1 && **b == 1)
            .count();
        let dice = 2.0 * both as f64 / (m1.count() + m2.count()) as f64;
        assert!((0.7..1.0).contains(&dice), "{}: reader Dice {dice}", p.id);
    }
}

fn files_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "images", "masks"] {
        let d = dir.join(sub);
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                out.push((
                    format!("{sub}/{}", e.file_name().to_string_lossy()),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn same_seed_gives_the_same_bytes_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |threads: usize, seed: u64, name: &str| {
        let opts = SimulateOptions {
            patients: 6,
            seed,
            null: false,
            out_dir: tmp.path().join(name),
            size: 96,
        };
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| simulate(&opts).unwrap());
        tmp.path().join(name)
    };
    let a = files_of(&run(1, 5, "a"));
    let b = files_of(&run(4, 5, "b"));
    let c = files_of(&run(2, 6, "c"));
    assert_eq!(a.len(), 3 + 6 * 3 + 6 * 6);
    assert!(a == b, "same seed, 1 vs 4 threads: files differ");
    assert!(a != c, "another seed gives other images");
    // pixel hashes agree too (what duplicate detection and provenance use)
    let hash = |dir: &str| {
        dlr_image::read_image(&tmp.path().join(dir).join("images/P001_AP.png"))
            .unwrap()
            .pixel_hash()
    };
    assert_eq!(hash("a"), hash("b"));
    assert_ne!(hash("a"), hash("c"));
}

#[test]
fn bad_options_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = SimulateOptions {
        out_dir: tmp.path().to_path_buf(),
        ..SimulateOptions::default()
    };
    let e = simulate(&SimulateOptions {
        patients: 0,
        ..base.clone()
    })
    .unwrap_err();
    assert!(e.to_string().contains("patients"), "{e}");
    let e = simulate(&SimulateOptions { size: 16, ..base }).unwrap_err();
    assert!(e.to_string().contains("image size 16"), "{e}");
}
