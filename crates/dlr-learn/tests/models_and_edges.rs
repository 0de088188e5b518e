//! Stacking, rad-score, selection-chain records, bootstrap optimism and the bad-input cases
//! (constant features, NaN features, a class smaller than the folds, p > n, separable data).
mod common;

use common::*;
use dlr_learn::*;
use std::sync::Arc;

fn bc() -> Option<BreastCancer> {
    let g = dlr_testutil::shared_dir()?.join("golden");
    Some(breast_cancer(
        &g.join("data/breast_cancer.csv"),
        &g.join("data/breast_cancer_split.csv"),
    ))
}

fn zscored(model: Arc<dyn Classifier>) -> Arc<dyn Classifier> {
    Arc::new(Pipeline::new(
        SelectionChain::new(vec![SelectionStep::DropConstant, SelectionStep::ZScore]).unwrap(),
        model,
    ))
}

#[test]
fn stacking_combines_out_of_fold_predictions() {
    let _ = dlr_testutil::require_shared!("golden/data/breast_cancer_split.csv");
    let Some(bc) = bc() else { return };
    let xtr = bc.x.select_rows(&bc.train).unwrap();
    let xte = bc.x.select_rows(&bc.test).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let yte: Vec<bool> = bc.test.iter().map(|&i| bc.y[i]).collect();
    let shape: Vec<String> = [
        "mean_radius",
        "mean_perimeter",
        "mean_area",
        "worst_radius",
        "worst_perimeter",
        "worst_area",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let texture: Vec<String> = [
        "mean_texture",
        "worst_texture",
        "mean_smoothness",
        "worst_smoothness",
        "worst_concave_points",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let members = vec![
        StackingMember {
            name: "rf_shape".into(),
            model: Arc::new(
                RandomForestParams::default()
                    .n_trees(200)
                    .seed(3)
                    .build()
                    .unwrap(),
            ),
            columns: Some(shape.clone()),
        },
        StackingMember {
            name: "svm_texture".into(),
            model: zscored(Arc::new(SvmParams::default().build().unwrap())),
            columns: Some(texture.clone()),
        },
    ];
    let stack = Stacking::new(members, 5, 17).unwrap();
    let fit = stack.fit(&xtr, &ytr).unwrap();
    assert_eq!(
        fit.meta.names,
        vec!["rf_shape".to_string(), "svm_texture".to_string()]
    );
    let auc_stack = stats::auc(&fit.predict_proba(&xte).unwrap(), &yte);
    let auc_rf = stats::auc(
        &RandomForestParams::default()
            .n_trees(200)
            .seed(3)
            .build()
            .unwrap()
            .fit(&xtr.select_named(&shape).unwrap(), &ytr)
            .unwrap()
            .predict_proba(&xte.select_named(&shape).unwrap())
            .unwrap(),
        &yte,
    );
    eprintln!("stack AUC {auc_stack:.4}, shape-only RF {auc_rf:.4}");
    // both meta coefficients carry weight, and combining two views beats the shape-only forest
    assert!(fit.meta.coef[1] > 0.0 && fit.meta.coef[2] > 0.0);
    assert!(auc_stack > auc_rf, "stack {auc_stack} vs single {auc_rf}");
    assert!(Stacking::new(vec![], 5, 1).is_err());
}

#[test]
fn chain_records_rad_score_and_formula() {
    let _ = dlr_testutil::require_shared!("golden/lasso.json");
    let Some(bc) = bc() else { return };
    let xtr = bc.x.select_rows(&bc.train).unwrap();
    let ytr: Vec<bool> = bc.train.iter().map(|&i| bc.y[i]).collect();
    let chain = SelectionChain::new(vec![
        SelectionStep::DropConstant,
        SelectionStep::ZScore,
        SelectionStep::MannWhitney(MannWhitneyFilter::new(0.05, true).unwrap()),
        SelectionStep::Correlation(
            CorrelationFilter::new(0.6, CorrelationMethod::Pearson).unwrap(),
        ),
        SelectionStep::Lasso(
            LassoCvParams::default()
                .fold_ids(bc.foldid_train.clone())
                .build()
                .unwrap(),
            LambdaChoice::Min,
        ),
    ])
    .unwrap();
    let fit = chain.fit(&xtr, &ytr, None).unwrap();
    let names: Vec<&str> = fit.records.iter().map(|r| r.step.as_str()).collect();
    assert_eq!(
        names,
        [
            "drop_constant",
            "zscore",
            "mann_whitney",
            "correlation",
            "lasso"
        ]
    );
    for w in fit.records.windows(2) {
        assert_eq!(
            w[1].n_in,
            w[0].kept.len(),
            "each step receives what the previous kept"
        );
    }
    for r in &fit.records {
        assert_eq!(
            r.kept.len() + r.dropped.len(),
            r.n_in,
            "{}: kept + dropped = input",
            r.step
        );
    }
    let rs = fit.rad_score().unwrap();
    assert_eq!(rs.terms.len(), fit.selected.len());
    let f = rs.formula(4);
    assert!(f.starts_with("Rad-score = "), "{f}");
    for (n, _) in &rs.terms {
        assert!(f.contains(n.as_str()));
    }
    // the rad-score column equals the LASSO linear predictor on the chain's scaled features
    let xs = fit.transform(&xtr).unwrap();
    let (lf, choice) = fit.lasso.as_ref().unwrap();
    let lp = lf
        .path
        .linear_predictor(
            &ZScore
                .fit(&xtr)
                .unwrap()
                .transform(&xtr)
                .unwrap()
                .select_named(&lf.feature_names)
                .unwrap(),
            lf.index(*choice),
        )
        .unwrap();
    let col = rs.compute(&xs).unwrap();
    for (a, b) in col.iter().zip(&lp) {
        assert!((a - b).abs() < 1e-10);
    }
    // Mann–Whitney with FDR keeps a subset of the raw-p selection
    let raw = MannWhitneyFilter::new(0.05, false)
        .unwrap()
        .select(&xtr, &ytr)
        .unwrap();
    assert!(fit.records[2].kept.iter().all(|k| raw.kept.contains(k)));
}

#[test]
fn bootstrap_optimism_is_positive_and_deterministic() {
    let _ = dlr_testutil::require_shared!("golden/data/asah.csv");
    let t = read_table(
        &dlr_testutil::shared_dir()
            .unwrap()
            .join("golden/data/asah.csv"),
    );
    let names: Vec<String> = ["age", "wfns", "s100b", "ndka"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let x = t.matrix(&names);
    let y: Vec<bool> = t.f64_col("poor").iter().map(|v| *v == 1.0).collect();
    let pl = Pipeline::new(
        SelectionChain::new(vec![]).unwrap(),
        Arc::new(LogisticRegression::default()),
    );
    let a = bootstrap_optimism(&pl, &x, &y, None, 50, 4).unwrap();
    let b = bootstrap_optimism(&pl, &x, &y, None, 50, 4).unwrap();
    assert_eq!(a, b);
    eprintln!(
        "apparent {:.4} optimism {:.4} corrected {:.4}",
        a.apparent_auc, a.optimism, a.corrected_auc
    );
    assert!(a.optimism > 0.0 && a.optimism < 0.1, "{a:?}");
    assert_eq!(a.n_used + a.n_failed, 50);
    assert!((a.corrected_auc - (a.apparent_auc - a.optimism)).abs() < 1e-15);
}

fn toy(n: usize, p: usize, seed: u64) -> (Matrix, Vec<bool>) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let y: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
    let data = (0..n * p)
        .map(|k| rng.gen::<f64>() + if y[k / p] && k % p == 0 { 0.8 } else { 0.0 })
        .collect();
    (Matrix::from_rows_unnamed(data, n, p).unwrap(), y)
}

#[test]
fn constant_features_are_dropped_or_reported() {
    let (x, y) = toy(40, 3, 1);
    let c = Matrix::from_columns(&[vec![2.5; 40]], vec!["const".into()]).unwrap();
    let x = x.hstack(&c).unwrap();
    assert!(matches!(
        ZScore.fit(&x),
        Err(LearnError::InvalidData { .. })
    ));
    let chain =
        SelectionChain::new(vec![SelectionStep::DropConstant, SelectionStep::ZScore]).unwrap();
    let fit = chain.fit(&x, &y, None).unwrap();
    assert_eq!(fit.records[0].dropped, vec!["const".to_string()]);
    // without DropConstant, the z-score step says what to do
    let bad = SelectionChain::new(vec![SelectionStep::ZScore])
        .unwrap()
        .fit(&x, &y, None);
    assert!(
        matches!(bad, Err(LearnError::InvalidData { reason, .. }) if reason.contains("DropConstant"))
    );
    // LASSO leaves a constant column at exactly zero
    let path = lasso_path(
        &x,
        &y,
        &LambdaSpec::Auto {
            n_lambda: 20,
            ratio: None,
        },
        1e-7,
        100_000,
    )
    .unwrap();
    assert!(path.beta.iter().all(|b| b[3] == 0.0));
    // a constant feature has no Mann–Whitney signal (p = 1)
    let mw = MannWhitneyFilter::new(0.05, false)
        .unwrap()
        .select(&x, &y)
        .unwrap();
    assert_eq!(mw.statistic[3].1, 1.0);
}

#[test]
fn nan_features_are_a_clear_error() {
    let (x, y) = toy(30, 2, 2);
    let mut d = x.data().to_vec();
    d[7] = f64::NAN;
    let x = Matrix::new(d, 30, 2, vec!["a".into(), "b".into()]).unwrap();
    for r in [
        SelectionChain::new(vec![SelectionStep::ZScore])
            .unwrap()
            .fit(&x, &y, None)
            .map(|_| ()),
        LassoCvParams::default()
            .n_folds(3)
            .build()
            .unwrap()
            .fit(&x, &y)
            .map(|_| ()),
        RandomForestParams::default()
            .build()
            .unwrap()
            .fit(&x, &y)
            .map(|_| ()),
        SvmParams::default()
            .build()
            .unwrap()
            .fit(&x, &y)
            .map(|_| ()),
    ] {
        match r {
            Err(LearnError::InvalidData { reason, .. }) => {
                assert!(reason.contains("\"b\""), "{reason}")
            }
            other => panic!("expected an InvalidData error naming feature b, got {other:?}"),
        }
    }
}

#[test]
fn nan_features_can_be_dropped_and_recorded() {
    let (x, y) = toy(30, 3, 5);
    let mut d = x.data().to_vec();
    d[4] = f64::NAN; // row 1, feature x2
    let x = Matrix::new(d, 30, 3, vec!["x1".into(), "x2".into(), "x3".into()]).unwrap();
    let chain =
        SelectionChain::new(vec![SelectionStep::DropNonFinite, SelectionStep::ZScore]).unwrap();
    let fit = chain.fit(&x, &y, None).unwrap();
    assert_eq!(fit.records[0].dropped, vec!["x2".to_string()]);
    assert_eq!(fit.selected, vec!["x1".to_string(), "x3".to_string()]);
    assert_eq!(fit.transform(&x).unwrap().n_cols(), 2);
    assert!(
        SelectionChain::new(vec![SelectionStep::ZScore, SelectionStep::DropNonFinite]).is_err()
    );
}

#[test]
fn class_smaller_than_folds_is_a_clear_error() {
    let (x, mut y) = toy(30, 2, 3);
    for (i, v) in y.iter_mut().enumerate() {
        *v = i < 4; // 4 positives
    }
    assert!(
        matches!(kfold(&y, 5, 1), Err(LearnError::InvalidData { reason, .. }) if reason.contains("fewer than the 5 folds"))
    );
    assert!(matches!(
        LassoCvParams::default().build().unwrap().fit(&x, &y),
        Err(LearnError::InvalidData { .. })
    ));
    assert!(matches!(
        nested_cv(
            &Pipeline::new(
                SelectionChain::new(vec![]).unwrap(),
                Arc::new(LogisticRegression::default())
            ),
            &x,
            &y,
            None,
            5,
            1
        ),
        Err(LearnError::InvalidData { .. })
    ));
    assert!(kfold(&y, 4, 1).is_ok());
}

#[test]
fn p_greater_than_n_uses_glmnets_ratio_and_logistic_refuses() {
    let (x, y) = toy(30, 60, 4);
    let fit = LassoCvParams::default()
        .n_folds(5)
        .build()
        .unwrap()
        .fit(&x, &y)
        .unwrap();
    let l = &fit.path.lambda;
    // n ≤ p ⇒ lambda.min.ratio = 0.01 (unless the path stopped early at 99.9% deviance explained)
    if l.len() == 100 {
        assert!((l[99] / l[0] - 0.01).abs() < 1e-12);
    } else {
        assert!(
            *fit.path.dev_ratio.last().unwrap() > 0.999,
            "a computed path only stops early on glmnet's deviance rules"
        );
    }
    assert!(l[1] / l[0] - 0.01f64.powf(1.0 / 99.0) < 1e-12);
    assert!(fit.nonzero(LambdaChoice::Min).len() < 30);
    assert!(matches!(
        LogisticRegression::default().fit(&x, &y),
        Err(LearnError::InvalidData { .. })
    ));
}

#[test]
fn separable_data_gives_defined_results() {
    let x = Matrix::from_rows_unnamed((0..20).map(|i| i as f64).collect(), 20, 1).unwrap();
    let y: Vec<bool> = (0..20).map(|i| i >= 10).collect();
    assert!(matches!(
        LogisticRegression::default().fit(&x, &y),
        Err(LearnError::Separation { .. })
    ));
    // LASSO stays finite: the path stops once 99.9% of the deviance is explained (glmnet's rule)
    let p = lasso_path(
        &x,
        &y,
        &LambdaSpec::Auto {
            n_lambda: 100,
            ratio: None,
        },
        1e-7,
        100_000,
    )
    .unwrap();
    assert!(p.lambda.len() < 100 && *p.dev_ratio.last().unwrap() > 0.999);
    assert!(p.beta.iter().all(|b| b[0].is_finite()));
    // SVM and forest separate it perfectly
    let svm = SvmParams::default()
        .kernel(Kernel::Linear)
        .build()
        .unwrap()
        .fit(&x, &y)
        .unwrap();
    assert_eq!(stats::auc(&svm.decision_function(&x).unwrap(), &y), 1.0);
    let rf = RandomForestParams::default()
        .n_trees(50)
        .build()
        .unwrap()
        .fit(&x, &y)
        .unwrap();
    assert_eq!(stats::auc(&rf.predict_proba(&x).unwrap(), &y), 1.0);
}

#[test]
fn parameters_are_validated_when_built() {
    assert!(LassoCvParams::default().n_folds(2).build().is_err());
    assert!(LassoCvParams::default()
        .lambda_min_ratio(1.5)
        .build()
        .is_err());
    assert!(SvmParams::default().c(-1.0).build().is_err());
    assert!(SvmParams::default()
        .kernel(Kernel::Rbf { gamma: Some(0.0) })
        .build()
        .is_err());
    assert!(RandomForestParams::default().n_trees(0).build().is_err());
    assert!(MannWhitneyFilter::new(0.0, false).is_err());
    assert!(IccFilter::new(1.0, IccForm::Icc2).is_err());
    assert!(stratified_split(&[true, false, true, false], 1.0, 1).is_err());
    assert!(SelectionChain::new(vec![
        SelectionStep::Lasso(LassoCvParams::default().build().unwrap(), LambdaChoice::Min),
        SelectionStep::ZScore
    ])
    .is_err());
}

#[test]
fn splits_are_stratified_and_seeded() {
    let y: Vec<bool> = (0..100).map(|i| i % 4 == 0).collect();
    let s = stratified_split(&y, 0.7, 5).unwrap();
    assert_eq!(s.train.len() + s.test.len(), 100);
    assert_eq!(s.train.iter().filter(|&&i| y[i]).count(), 18); // round(25 · 0.7)
    assert_eq!(s, stratified_split(&y, 0.7, 5).unwrap());
    assert_ne!(s, stratified_split(&y, 0.7, 6).unwrap());
    let folds = repeated_kfold(&y, 5, 3, 1).unwrap();
    assert_eq!(folds.len(), 15);
    for f in &folds {
        assert_eq!(f.test.iter().filter(|&&i| y[i]).count(), 5);
        assert_eq!(f.train.len() + f.test.len(), 100);
    }
}

#[test]
fn icc_step_uses_the_second_reader_inside_each_fold() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(8);
    let n = 60;
    let y: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
    // f0: reproducible and informative; f1: reader B is unrelated noise (ICC ≈ 0)
    let a0: Vec<f64> = (0..n)
        .map(|i| rng.gen::<f64>() + if y[i] { 0.5 } else { 0.0 })
        .collect();
    let b0: Vec<f64> = a0.iter().map(|v| v + 0.01 * rng.gen::<f64>()).collect();
    let a1: Vec<f64> = (0..n).map(|_| rng.gen::<f64>()).collect();
    let b1: Vec<f64> = (0..n).map(|_| rng.gen::<f64>()).collect();
    let names = vec!["f0".to_string(), "f1".to_string()];
    let ra = Matrix::from_columns(&[a0, a1], names.clone()).unwrap();
    let rb = Matrix::from_columns(&[b0, b1], names).unwrap();
    let chain = SelectionChain::new(vec![
        SelectionStep::Icc(IccFilter::new(0.75, IccForm::Icc2).unwrap()),
        SelectionStep::ZScore,
    ])
    .unwrap();
    let fit = chain.fit(&ra, &y, Some(&rb)).unwrap();
    assert_eq!(fit.records[0].kept, vec!["f0".to_string()]);
    assert_eq!(fit.records[0].dropped, vec!["f1".to_string()]);
    assert!(matches!(
        chain.fit(&ra, &y, None),
        Err(LearnError::Usage(_))
    ));
    let pl = Pipeline::new(chain, Arc::new(LogisticRegression::default()));
    let cv = nested_cv(&pl, &ra, &y, Some(&rb), 5, 2).unwrap();
    assert!(cv
        .selection_records
        .iter()
        .all(|r| r[0].kept == vec!["f0".to_string()]));
    assert_eq!(cv.selection_frequency(), vec![("f0".to_string(), 5)]);
    assert!(cv.pooled.unwrap().auc > 0.75, "{:?}", cv.pooled);
}
