//! Property tests: AUC bounds and symmetry, DeLong CI contains the AUC, degenerate input never panics.
use dlr_stats::*;
use proptest::prelude::*;

fn data() -> impl Strategy<Value = (Vec<f64>, Vec<bool>)> {
    (4usize..60).prop_flat_map(|n| {
        (
            proptest::collection::vec(-5i32..5, n)
                .prop_map(|v| v.into_iter().map(|x| x as f64 * 0.5).collect()),
            proptest::collection::vec(any::<bool>(), n),
        )
    })
}

proptest! {
    #[test]
    fn auc_in_unit_interval_and_antisymmetric((s, y) in data()) {
        let pos = y.iter().filter(|&&v| v).count();
        prop_assume!(pos >= 2 && pos + 2 <= y.len());
        let a = roc_auc(&s, &y).unwrap();
        prop_assert!((0.0..=1.0).contains(&a));
        let neg: Vec<f64> = s.iter().map(|v| -v).collect();
        let b = roc_auc(&neg, &y).unwrap();
        prop_assert!((a + b - 1.0).abs() < 1e-12);
        let ci = auc_delong(&s, &y, 0.95).unwrap();
        prop_assert!(ci.lower <= ci.auc + 1e-12 && ci.auc <= ci.upper + 1e-12);
        prop_assert!(ci.lower >= 0.0 && ci.upper <= 1.0);
        let bs = auc_bootstrap_ci(&s, &y, 0.95, 50, 7).unwrap();
        prop_assert_eq!(bs, auc_bootstrap_ci(&s, &y, 0.95, 50, 7).unwrap());
    }

    #[test]
    fn mann_whitney_p_is_probability(x in proptest::collection::vec(-3i32..3, 1..20),
                                     z in proptest::collection::vec(-3i32..3, 1..20)) {
        let x: Vec<f64> = x.into_iter().map(f64::from).collect();
        let z: Vec<f64> = z.into_iter().map(f64::from).collect();
        let r = mann_whitney_u(&x, &z, &MannWhitneyOptions::default()).unwrap();
        prop_assert!((0.0..=1.0).contains(&r.p));
        prop_assert!(r.u >= 0.0 && r.u <= (x.len() * z.len()) as f64);
    }
}

#[test]
fn degenerate_roc_inputs() {
    // One class only, NaN, constant scores, length mismatch.
    assert!(roc_auc(&[1.0, 2.0], &[true, true]).is_err());
    assert!(roc_auc(&[1.0, f64::NAN], &[true, false]).is_err());
    assert_eq!(
        roc_auc(&[3.0, 3.0, 3.0], &[true, false, true]).unwrap(),
        0.5
    );
    assert!(roc_auc(&[1.0], &[true, false]).is_err());
    let ci = auc_delong(&[1.0; 6], &[true, false, true, false, true, false], 0.95).unwrap();
    assert_eq!(ci.auc, 0.5);
    assert!(auc_delong(&[1.0, 2.0, 3.0], &[true, false, false], 0.95).is_err());
    let t = delong_paired(
        &[1.0, 2.0, 3.0, 4.0],
        &[1.0, 2.0, 3.0, 4.0],
        &[false, false, true, true],
    )
    .unwrap();
    assert_eq!((t.z, t.p), (0.0, 1.0));
    assert!(youden_thresholds(&[1.0, 2.0], &[false, false]).is_err());
    assert!(calibration(&[0.2, 0.4], &[true, true]).is_err());
    assert!(calibration(&[0.2, 1.4], &[true, false]).is_err());
    assert!(hosmer_lemeshow(&[0.5; 20], &[true; 20], 10).is_err());
    assert!(decision_curve(&[0.2, 0.4], &[true, false], &[1.0]).is_err());
    assert!(fisher_exact(&[vec![0, 0], vec![0, 0]]).is_err());
}

#[test]
fn bootstrap_ci_is_reproducible_and_brackets_auc() {
    let s: Vec<f64> = (0..40).map(|i| ((i * 37) % 17) as f64).collect();
    let y: Vec<bool> = (0..40).map(|i| i % 3 == 0).collect();
    let a = auc_bootstrap_ci(&s, &y, 0.95, 500, 42).unwrap();
    let b = auc_bootstrap_ci(&s, &y, 0.95, 500, 42).unwrap();
    assert_eq!(a, b);
    assert!(a.lower < a.auc && a.auc < a.upper, "{a:?}");
    let c = auc_bootstrap_ci(&s, &y, 0.95, 500, 43).unwrap();
    assert_ne!(
        a.lower.to_bits() ^ a.upper.to_bits(),
        c.lower.to_bits() ^ c.upper.to_bits()
    );
}

proptest! {
    #![proptest_config(dlr_testutil::proptest_config(64))]

    /// Arbitrary (possibly degenerate) inputs never panic: they give a value or an error.
    #[test]
    fn no_panic_on_arbitrary_input(
        r in proptest::collection::vec(proptest::collection::vec(-2i32..3, 2..4), 0..8),
        p in proptest::collection::vec(0u32..=10, 0..25),
        t in proptest::collection::vec(proptest::collection::vec(0u64..4, 2..4), 2..4),
    ) {
        let ratings: Vec<Vec<f64>> = r.iter().map(|row| row.iter().map(|&v| f64::from(v)).collect()).collect();
        if let Ok(tab) = icc(&ratings) {
            for row in &tab.rows {
                prop_assert!(!row.icc.is_nan() || tab.msr == 0.0);
            }
        }
        let probs: Vec<f64> = p.iter().map(|&v| f64::from(v) / 10.0).collect();
        let y: Vec<bool> = p.iter().map(|&v| v % 3 == 0).collect();
        let _ = calibration(&probs, &y);
        let _ = hosmer_lemeshow(&probs, &y, 10);
        let _ = decision_curve(&probs, &y, &default_dca_thresholds());
        let _ = youden_thresholds(&probs, &y);
        let all_on = EvaluateOptions {
            bootstrap: Some(BootstrapSettings { replicates: 20, seed: 1 }),
            dca_thresholds: Some(default_dca_thresholds()),
            calibration_clip: Some(1e-6),
            ..EvaluateOptions::default()
        };
        let named = [("p".to_string(), probs.clone()), ("q".to_string(), probs.iter().map(|v| 1.0 - v).collect())];
        let _ = evaluate(&y, None, &named, &all_on);
        if let Ok(f) = fisher_exact(&t) {
            prop_assert!((0.0..=1.0 + 1e-12).contains(&f.p));
        }
        if let Ok(c) = chi_square(&t, false) {
            prop_assert!((0.0..=1.0).contains(&c.p));
        }
    }
}
