//! Proof of no leakage: on pure noise (100 rows × 2000 features, random label) selection inside
//! the training folds gives an AUC whose 95% CI covers 0.5, while "select on all rows, then
//! cross-validate" shows the optimistic bias — and is refused unless explicitly allowed.
use dlr_learn::{
    cross_validate, holdout, kfold, nested_cv, stratified_split, CorrelationFilter,
    CorrelationMethod, LambdaChoice, LassoClassifier, LassoCvParams, LearnError, MannWhitneyFilter,
    Matrix, Pipeline, SelectionChain, SelectionScope, SelectionStep,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

fn noise(n: usize, p: usize, seed: u64) -> (Matrix, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut data = Vec::with_capacity(n * p);
    for _ in 0..n * p {
        // Box–Muller
        let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
        let u2: f64 = rng.gen();
        data.push((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos());
    }
    let y: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect(); // balanced, unrelated to the noise
    (Matrix::from_rows_unnamed(data, n, p).unwrap(), y)
}

fn pipeline() -> Pipeline {
    let chain = SelectionChain::new(vec![
        SelectionStep::DropConstant,
        SelectionStep::ZScore,
        SelectionStep::MannWhitney(MannWhitneyFilter::new(0.05, false).unwrap()),
        SelectionStep::Correlation(
            CorrelationFilter::new(0.6, CorrelationMethod::Pearson).unwrap(),
        ),
    ])
    .unwrap();
    let model = LassoClassifier {
        cv: LassoCvParams::default().n_folds(5).seed(7).build().unwrap(),
        choice: LambdaChoice::Min,
    };
    Pipeline::new(chain, Arc::new(model))
}

#[test]
fn selection_inside_folds_is_unbiased_and_all_rows_selection_is_refused_or_flagged() {
    // six independent noise data sets: held-out AUC CIs cover 0.5 (95% each), no optimism;
    // selecting on all rows first looks clearly predictive on every one of them
    let pl = pipeline();
    let mut covered = 0;
    let mut ho_aucs = Vec::new();
    let mut nested_aucs = Vec::new();
    for seed in 0..6u64 {
        let (x, y) = noise(100, 2000, seed);
        let split = stratified_split(&y, 0.7, 3).unwrap();
        let ho = holdout(&pl, &x, &y, None, &split).unwrap();
        eprintln!(
            "seed {seed}: held-out AUC {:.3} [{:.3}, {:.3}]",
            ho.test.auc, ho.test.lower, ho.test.upper
        );
        covered += usize::from(ho.test.lower <= 0.5 && ho.test.upper >= 0.5);
        ho_aucs.push(ho.test.auc);
        let honest = nested_cv(&pl, &x, &y, None, 5, 11).unwrap();
        let nci = honest.pooled.unwrap();
        eprintln!(
            "seed {seed}: nested CV AUC {:.3} [{:.3}, {:.3}]",
            nci.auc, nci.lower, nci.upper
        );
        assert!(honest.warnings.iter().all(|w| !w.contains("LEAKAGE")));
        assert_eq!(
            honest.selection_records.len(),
            5,
            "one chain fit per outer fold"
        );
        nested_aucs.push(nci.auc);
        let folds = kfold(&y, 5, 11).unwrap();
        let leaky = cross_validate(
            &pl,
            &x,
            &y,
            None,
            &folds,
            SelectionScope::AllRows {
                allow_leakage: true,
            },
        )
        .unwrap();
        let lci = leaky.pooled.unwrap();
        eprintln!(
            "seed {seed}: leaky CV AUC {:.3} [{:.3}, {:.3}]",
            lci.auc, lci.lower, lci.upper
        );
        assert!(
            lci.auc > 0.7 && lci.lower > 0.5,
            "selection on all rows should look (falsely) predictive: {lci:?}"
        );
        assert!(leaky.warnings.iter().any(|w| w.contains("LEAKAGE")));
    }
    let mean_ho = ho_aucs.iter().sum::<f64>() / ho_aucs.len() as f64;
    assert!(
        covered >= 5,
        "held-out 95% CIs should cover 0.5 on (almost) every noise set: {covered}/6"
    );
    // each held-out AUC has se ≈ 0.11 (15 vs 15 rows), so the mean of six has se ≈ 0.045: allow 3 se
    assert!(
        (mean_ho - 0.5).abs() < 0.135,
        "mean held-out AUC on noise {mean_ho}"
    );

    let (x, y) = noise(100, 2000, 0);
    let folds = kfold(&y, 5, 11).unwrap();
    let mean_nested = nested_aucs.iter().sum::<f64>() / nested_aucs.len() as f64;
    assert!(
        (mean_nested - 0.5).abs() < 0.1,
        "mean nested-CV AUC on noise {mean_nested}"
    );
    match cross_validate(
        &pl,
        &x,
        &y,
        None,
        &folds,
        SelectionScope::AllRows {
            allow_leakage: false,
        },
    ) {
        Err(LearnError::Leakage(msg)) => assert!(msg.contains("all rows")),
        other => panic!(
            "selection on all rows must be refused, got {:?}",
            other.map(|r| r.mean_auc)
        ),
    }
}

#[test]
fn results_are_bitwise_identical_across_thread_counts() {
    let (x, y) = noise(60, 300, 5);
    let pl = pipeline();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| nested_cv(&pl, &x, &y, None, 3, 3).unwrap())
    };
    let a = run(1);
    let b = run(2);
    let c = run(2);
    let bits = |r: &dlr_learn::CvResult| -> Vec<u64> {
        r.fold_predictions
            .iter()
            .flat_map(|(_, p)| p.iter().map(|v| v.to_bits()))
            .collect()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(bits(&b), bits(&c));
    assert_eq!(a.selection_records, b.selection_records);
}
