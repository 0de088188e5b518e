//! Out-of-bag predictions of the random forest (`RandomForest::fit_with_oob`): honest on noise,
//! each value the mean vote of exactly the trees that did not draw the row, thread-count
//! independent.
mod common;

use common::*;
use dlr_learn::stats::auc;
use dlr_learn::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn forest(n_trees: usize, seed: u64) -> RandomForest {
    RandomForestParams::default()
        .n_trees(n_trees)
        .seed(seed)
        .build()
        .unwrap()
}

/// Pure noise: `n` rows, `p` standard normal features, labels independent fair coins.
fn noise(n: usize, p: usize, seed: u64) -> (Matrix, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data: Vec<f64> = (0..n * p).map(|_| normal(&mut rng)).collect();
    let y: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.5)).collect();
    (Matrix::from_rows_unnamed(data, n, p).unwrap(), y)
}

/// Tree `t`'s bootstrap rows as the forest draws them: ChaCha8 seeded with `seed`, stream `t`,
/// `n` draws of `gen_range(0..n)`.
fn bootstrap(seed: u64, t: usize, n: usize) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(t as u64);
    (0..n).map(|_| rng.gen_range(0..n)).collect()
}

#[test]
fn oob_auc_is_honest_on_noise_and_high_on_separable_data() {
    // pure noise, n = 200: the null AUC has SD ≈ sqrt((n₁+n₀+1)/(12 n₁ n₀)) ≈ 0.041; the OOB
    // AUC must lie within 0.12 (≈ 3 SD) of 0.5 while the in-sample AUC of the grown-to-purity
    // trees is near 1
    let (x, y) = noise(200, 5, 21);
    let (fit, oob) = forest(300, 3).fit_with_oob(&x, &y).unwrap();
    assert!(oob.iter().all(|p| p.is_finite()));
    let oob_auc = auc(&oob, &y);
    let in_sample = auc(&fit.predict_proba(&x).unwrap(), &y);
    eprintln!("noise: OOB AUC {oob_auc:.4}, in-sample {in_sample:.4}");
    assert!((oob_auc - 0.5).abs() < 0.12, "OOB AUC on noise {oob_auc}");
    assert!(in_sample > 0.97, "in-sample AUC on noise {in_sample}");

    // separable: the OOB AUC stays high
    let (x, _, y) = synthetic(200, 4.0, 5, false);
    let (_, oob) = forest(300, 3).fit_with_oob(&x, &y).unwrap();
    let oob_auc = auc(&oob, &y);
    eprintln!("separable: OOB AUC {oob_auc:.4}");
    assert!(oob_auc > 0.95, "OOB AUC on separable data {oob_auc}");
}

#[test]
fn each_oob_value_is_the_mean_vote_of_the_trees_that_did_not_draw_the_row() {
    let (x, _, y) = synthetic(80, 1.5, 7, false);
    let (seed, n_trees) = (13, 40);
    let (fit, oob) = forest(n_trees, seed).fit_with_oob(&x, &y).unwrap();
    assert_eq!(oob.len(), 80);
    let boots: Vec<Vec<usize>> = (0..n_trees).map(|t| bootstrap(seed, t, 80)).collect();
    for row in [0usize, 17, 79] {
        let out: Vec<usize> = (0..n_trees).filter(|&t| !boots[t].contains(&row)).collect();
        assert!(!out.is_empty());
        let votes: f64 = out.iter().map(|&t| fit.trees[t].vote(x.row(row))).sum();
        let by_hand = votes / out.len() as f64;
        assert_eq!(oob[row].to_bits(), by_hand.to_bits(), "row {row}");
        // and it is not the all-trees prediction in general: in-bag trees are excluded
        let all = fit.predict_proba(&x.select_rows(&[row]).unwrap()).unwrap()[0];
        assert!((0.0..=1.0).contains(&all));
    }
    // the stored OOB error is the misclassification rate of these OOB predictions
    let counted: Vec<usize> = (0..80).filter(|&i| !oob[i].is_nan()).collect();
    let wrong = counted.iter().filter(|&&i| (oob[i] > 0.5) != y[i]).count();
    assert_eq!(fit.oob_error, wrong as f64 / counted.len() as f64);
    // fit_with_oob's fit is the plain fit
    assert_eq!(fit, forest(n_trees, seed).fit(&x, &y).unwrap());
}

#[test]
fn rows_in_every_bootstrap_sample_get_nan() {
    // one tree: its in-bag rows have no OOB tree (NaN), the others get that tree's vote
    let (x, _, y) = synthetic(50, 1.5, 9, false);
    let (fit, oob) = forest(1, 4).fit_with_oob(&x, &y).unwrap();
    let boot = bootstrap(4, 0, 50);
    for (i, p) in oob.iter().enumerate() {
        if boot.contains(&i) {
            assert!(p.is_nan(), "row {i}");
        } else {
            assert_eq!(*p, fit.trees[0].vote(x.row(i)));
        }
    }
    assert!(oob.iter().any(|p| p.is_nan()) && oob.iter().any(|p| !p.is_nan()));
}

#[test]
fn oob_predictions_do_not_depend_on_the_thread_count() {
    let (x, _, y) = synthetic(120, 1.0, 3, false);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| forest(150, 6).fit_with_oob(&x, &y).unwrap())
    };
    let (f1, o1) = run(1);
    let (f4, o4) = run(4);
    assert_eq!(f1, f4);
    let bits = |v: &[f64]| v.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&o1), bits(&o4));
    assert_eq!(f1.oob_error.to_bits(), f4.oob_error.to_bits());
}
