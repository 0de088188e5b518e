//! The selectors on top of the `dlr-stats` adapters: the FDR path of the Mann–Whitney filter
//! against R `wilcox.test` + `p.adjust(method = "BH")`, and the values the selectors give where a
//! statistic is undefined (constant feature: |r| = 0, ICC NaN and dropped, U-test p = 1).

use dlr_learn::stats::{icc, mann_whitney, pearson, spearman};
use dlr_learn::{
    CorrelationFilter, CorrelationMethod, IccFilter, IccForm, MannWhitneyFilter, Matrix,
};

fn toy() -> (Matrix, Vec<bool>) {
    let f1 = vec![5.1, 4.8, 6.0, 5.5, 3.2, 4.1, 2.9, 3.8, 4.4, 3.0];
    let f2 = vec![1.0, 2.0, 2.0, 3.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0];
    let f3 = vec![0.3, 0.9, 0.1, 0.5, 0.2, 0.8, 0.4, 0.6, 0.7, 0.35];
    let y = (0..10).map(|i| i < 4).collect();
    let x =
        Matrix::from_columns(&[f1, f2, f3], vec!["f1".into(), "f2".into(), "f3".into()]).unwrap();
    (x, y)
}

#[test]
fn mann_whitney_fdr_matches_r_p_adjust() {
    // R: p <- sapply(list(f1, f2, f3), function(f) wilcox.test(f[y], f[!y], exact = FALSE,
    //        correct = TRUE)$p.value); p.adjust(p, "BH")   (y = first 4 rows)
    let raw_r = [0.014214038869082065, 1.0, 0.7491191330005953];
    let bh_r = [0.04264211660724619, 1.0, 1.0];
    let (x, y) = toy();
    let raw = MannWhitneyFilter::new(0.05, false)
        .unwrap()
        .select(&x, &y)
        .unwrap();
    let bh = MannWhitneyFilter::new(0.05, true)
        .unwrap()
        .select(&x, &y)
        .unwrap();
    for j in 0..3 {
        assert!((raw.statistic[j].1 - raw_r[j]).abs() < 1e-12, "{raw:?}");
        assert!((bh.statistic[j].1 - bh_r[j]).abs() < 1e-12, "{bh:?}");
    }
    assert_eq!(raw.kept, vec!["f1".to_string()]);
    assert_eq!(bh.kept, vec!["f1".to_string()]);
}

#[test]
fn undefined_statistics_give_the_selectors_values() {
    let (x, _) = toy();
    let c = Matrix::from_columns(&[vec![2.5; 10]], vec!["const".into()]).unwrap();
    let x = x.hstack(&c).unwrap();
    // R: cor(f1, f2) and cor(f1, f2, method = "spearman")
    assert!((pearson(&x.column(0), &x.column(1)) - 0.3802162270826055).abs() < 1e-12);
    assert!((spearman(&x.column(0), &x.column(1)) - 0.4045199174779453).abs() < 1e-12);
    // a constant vector has no correlation: NaN here, |r| = 0 in the filter's matrix
    assert!(pearson(&x.column(0), &x.column(3)).is_nan());
    assert!(spearman(&x.column(3), &x.column(0)).is_nan());
    for m in [
        CorrelationMethod::Pearson,
        CorrelationMethod::Spearman,
        CorrelationMethod::MaxAbs,
    ] {
        let a = CorrelationFilter::new(0.9, m).unwrap().abs_correlation(&x);
        assert!((0..3).all(|i| a[i][3] == 0.0 && a[3][i] == 0.0), "{m:?}");
    }
    // all values tied: U-test p = 1 (R wilcox.test gives p = 1 with a warning)
    let (u, p) = mann_whitney(&[2.5; 4], &[2.5; 6], true).unwrap();
    assert_eq!((u, p), (12.0, 1.0));
    assert!(mann_whitney(&[], &[1.0], true).is_err());
    // ICC of a table with no variance at all is NaN; the filter drops such a feature
    let flat = vec![vec![2.5, 2.5]; 10];
    assert!(icc(&flat, IccForm::Icc2).unwrap().is_nan());
    assert!(icc(&[vec![1.0, 2.0]], IccForm::Icc2).is_err());
    let out = IccFilter::new(0.75, IccForm::Icc2)
        .unwrap()
        .select(&c, &c)
        .unwrap();
    assert_eq!(out.dropped, vec!["const".to_string()]);
    assert!(out.statistic[0].1.is_nan());
}
