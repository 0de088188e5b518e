//! Fitted models can be saved: every fitted kind round-trips through JSON with bitwise-identical
//! predictions on new rows, and the JSON holds no training row (a sentinel planted in a training
//! cell of a column dropped by selection is absent) and no outcome vector.
mod common;

use common::*;
use dlr_learn::*;
use serde_json::Value;
use std::sync::Arc;

const N_TRAIN: usize = 137;

struct Data {
    x: Matrix,
    clin: Matrix,
    y: Vec<bool>,
    x_new: Matrix,
    clin_new: Matrix,
}

fn data() -> Data {
    let (x, clin, y) = synthetic(N_TRAIN, 1.6, 11, true);
    let (x_new, clin_new, _) = synthetic(61, 1.6, 99, false);
    Data {
        x,
        clin,
        y,
        x_new,
        clin_new,
    }
}

/// The paper's chain without the ICC step: constants → z-score → Mann–Whitney → |r| > 0.6 → LASSO.
fn full_chain() -> SelectionChain {
    SelectionChain::new(vec![
        SelectionStep::DropConstant,
        SelectionStep::ZScore,
        SelectionStep::MannWhitney(MannWhitneyFilter::new(0.05, false).unwrap()),
        SelectionStep::Correlation(
            CorrelationFilter::new(0.6, CorrelationMethod::Pearson).unwrap(),
        ),
        SelectionStep::Lasso(
            LassoCvParams::default().n_folds(5).seed(4).build().unwrap(),
            LambdaChoice::Min,
        ),
    ])
    .unwrap()
}

fn rf() -> RandomForest {
    RandomForestParams::default()
        .n_trees(60)
        .seed(5)
        .build()
        .unwrap()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Serialises, deserialises, checks bitwise-equal predictions on `x_new` and a stable JSON
/// (re-serialising the loaded model gives the same text); returns the JSON.
fn round_trip(fit: &FittedClassifier, x_new: &Matrix) -> String {
    let json = serde_json::to_string(fit).unwrap();
    let back: FittedClassifier = serde_json::from_str(&json).unwrap();
    assert_eq!(back.kind(), fit.kind());
    let before = fit.predict_proba(x_new).unwrap();
    let after = back.predict_proba(x_new).unwrap();
    assert!(before
        .iter()
        .all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
    assert_eq!(
        bits(&before),
        bits(&after),
        "{} predictions changed",
        fit.kind()
    );
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    let tagged: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(tagged["kind"], fit.kind());
    json
}

/// Every number in the JSON.
fn numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.push(n.as_f64().unwrap()),
        Value::Array(a) => a.iter().for_each(|e| numbers(e, out)),
        Value::Object(o) => o.values().for_each(|e| numbers(e, out)),
        _ => {}
    }
}

/// No training cell: the sentinel is absent as text and as a number.
fn assert_no_sentinel(json: &str) {
    assert!(!json.contains("123456.789"), "sentinel found in the JSON");
    let mut all = Vec::new();
    numbers(&serde_json::from_str(json).unwrap(), &mut all);
    assert!(all.iter().all(|v| *v != SENTINEL));
}

/// No outcome vector: no array of booleans anywhere, no numeric array with one entry per
/// training row, and no field named like an outcome.
fn assert_no_outcome(json: &str) {
    fn walk(v: &Value, path: &str) {
        match v {
            Value::Array(a) => {
                assert!(
                    !(a.len() > 1 && a.iter().all(Value::is_boolean)),
                    "boolean vector at {path}"
                );
                assert!(
                    !(a.len() == N_TRAIN && a.iter().all(Value::is_number)),
                    "a numeric vector with one entry per training row at {path}"
                );
                for (i, e) in a.iter().enumerate() {
                    walk(e, &format!("{path}[{i}]"));
                }
            }
            Value::Object(o) => {
                for (k, e) in o {
                    let lk = k.to_ascii_lowercase();
                    assert!(
                        !["y", "labels", "outcome", "outcomes", "fold_ids", "oob"]
                            .contains(&lk.as_str()),
                        "field {path}.{k}"
                    );
                    walk(e, &format!("{path}.{k}"));
                }
            }
            _ => {}
        }
    }
    walk(&serde_json::from_str(json).unwrap(), "$");
}

#[test]
fn random_forest_round_trips_without_rows_or_outcomes() {
    let d = data();
    let fit = rf().fit_classifier(&d.x, &d.y).unwrap();
    let json = round_trip(&fit, &d.x_new);
    assert_no_sentinel(&json);
    assert_no_outcome(&json);
    assert!(json.contains(r#""kind":"random_forest""#));
}

#[test]
fn svm_linear_and_rbf_round_trip() {
    let d = data();
    let cols: Vec<String> = ["sig1", "sig2", "sig3", "noise1", "noise2"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let z = ZScore.fit(&d.x.select_named(&cols).unwrap()).unwrap();
    let xs = z.transform(&d.x.select_named(&cols).unwrap()).unwrap();
    let xs_new = z.transform(&d.x_new).unwrap();
    for kernel in [Kernel::Linear, Kernel::Rbf { gamma: None }] {
        let fit = SvmParams::default()
            .kernel(kernel)
            .build()
            .unwrap()
            .fit_classifier(&xs, &d.y)
            .unwrap();
        let json = round_trip(&fit, &xs_new);
        // the support vectors (training rows) are the documented exception: they are stored
        let FittedClassifier::Svm(s) = &fit else {
            panic!("not an SVM")
        };
        assert!(!s.support.is_empty());
        assert!(json.contains(r#""support":"#));
        let back: Value = serde_json::from_str(&json).unwrap();
        match kernel {
            Kernel::Linear => assert_eq!(back["kernel"]["type"], "linear"),
            Kernel::Rbf { .. } => {
                assert_eq!(back["kernel"]["type"], "rbf");
                assert_eq!(back["kernel"]["gamma"].as_f64(), Some(1.0 / 5.0));
            }
        }
    }
}

#[test]
fn logistic_round_trips_without_outcomes() {
    let d = data();
    let cols: Vec<String> = ["sig1", "sig2", "sig3"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let fit = LogisticRegression::default()
        .fit_classifier(&d.x.select_named(&cols).unwrap(), &d.y)
        .unwrap();
    // predicts from a wider matrix by column name
    let json = round_trip(&fit, &d.x_new);
    assert_no_outcome(&json);
    assert_no_sentinel(&json);
}

#[test]
fn clinical_model_round_trips() {
    let d = data();
    let fit = ClinicalModel::default()
        .fit_classifier(&d.clin, &d.y)
        .unwrap();
    let FittedClassifier::Clinical(c) = &fit else {
        panic!("not clinical")
    };
    assert_eq!(c.univariable.len(), 2);
    assert!(c.selected.contains(&"clin_a".to_string()));
    let json = round_trip(&fit, &d.clin_new);
    assert_no_outcome(&json);
}

#[test]
fn lasso_classifier_round_trips_without_fold_assignment() {
    let d = data();
    let z = Pipeline::new(
        SelectionChain::new(vec![SelectionStep::DropConstant, SelectionStep::ZScore]).unwrap(),
        Arc::new(LassoClassifier {
            cv: LassoCvParams::default().n_folds(5).seed(2).build().unwrap(),
            choice: LambdaChoice::OneSe,
        }),
    );
    // bare LASSO classifier on already-scaled columns, and inside a scaling pipeline
    let cols: Vec<String> = ["sig1", "sig2", "sig3", "noise1", "noise2", "noise3"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let bare = LassoClassifier {
        cv: LassoCvParams::default().n_folds(5).seed(2).build().unwrap(),
        choice: LambdaChoice::Min,
    }
    .fit_classifier(&d.x.select_named(&cols).unwrap(), &d.y)
    .unwrap();
    let json = round_trip(&bare, &d.x_new.select_named(&cols).unwrap());
    assert_no_outcome(&json);
    let piped = z.fit_classifier(&d.x, &d.y).unwrap();
    let json = round_trip(&piped, &d.x_new);
    assert_no_outcome(&json);
    assert_no_sentinel(&json);
}

#[test]
fn pipeline_with_the_full_chain_round_trips_without_the_sentinel() {
    let d = data();
    for model in [
        Arc::new(rf()) as Arc<dyn Classifier>,
        Arc::new(SvmParams::default().build().unwrap()),
    ] {
        let fit = Pipeline::new(full_chain(), model)
            .fit_classifier(&d.x, &d.y)
            .unwrap();
        let FittedClassifier::Pipeline(p) = &fit else {
            panic!("not a pipeline")
        };
        // the sentinel's column entered the z-score but was dropped by selection
        assert!(p.chain.zscore_input.contains(&"sentinel_col".to_string()));
        assert!(!p.chain.selected.contains(&"sentinel_col".to_string()));
        assert!(!p.chain.selected.is_empty() && p.model.is_some());
        let rs = p.chain.rad_score().expect("a LASSO step");
        assert_eq!(
            rs.terms.iter().map(|t| t.0.clone()).collect::<Vec<_>>(),
            p.chain.selected
        );
        let json = round_trip(&fit, &d.x_new);
        assert_no_sentinel(&json);
        if p.model.as_ref().map(FittedClassifier::kind) == Some("random_forest") {
            assert_no_outcome(&json);
        }
        // the chain alone round-trips: same transform and rad-score, bit for bit
        let chain_json = serde_json::to_string(&p.chain).unwrap();
        let chain: ChainFit = serde_json::from_str(&chain_json).unwrap();
        chain.validate().unwrap();
        assert_eq!(
            bits(chain.transform(&d.x_new).unwrap().data()),
            bits(p.chain.transform(&d.x_new).unwrap().data())
        );
        assert_eq!(
            bits(&chain.rad_score_values(&d.x_new).unwrap().unwrap()),
            bits(&p.chain.rad_score_values(&d.x_new).unwrap().unwrap())
        );
    }
}

#[test]
fn stacking_of_pipeline_clinical_and_fallback_round_trips() {
    let d = data();
    let all = d.x.hstack(&d.clin).unwrap();
    let all_new = d.x_new.hstack(&d.clin_new).unwrap();
    let rad_cols = d.x.names().to_vec();
    let clin_cols = d.clin.names().to_vec();
    // a member that always fails (no variable can pass p < 1e-12): the fallback predicts the
    // training prevalence in every fold and in the final refit
    let never = ClinicalModel::new(1e-12, LogisticRegression::default()).unwrap();
    let members = vec![
        StackingMember::new(
            "radiomics",
            Arc::new(PrevalenceFallback::new(Arc::new(Pipeline::new(
                full_chain(),
                Arc::new(rf()),
            )))),
            Some(rad_cols),
        ),
        StackingMember::new(
            "clinical",
            Arc::new(ClinicalModel::default()),
            Some(clin_cols.clone()),
        ),
        StackingMember::new(
            "fallback",
            Arc::new(PrevalenceFallback::new(Arc::new(never))),
            Some(vec!["clin_b".into()]),
        ),
    ];
    let fit = Stacking::new(members, 5, 8)
        .unwrap()
        .fit_classifier(&all, &d.y)
        .unwrap();
    let FittedClassifier::Stacking(s) = &fit else {
        panic!("not a stack")
    };
    assert_eq!(s.members[0].model.kind(), "pipeline");
    assert_eq!(s.members[1].model.kind(), "clinical");
    let FittedClassifier::Constant(c) = &s.members[2].model else {
        panic!("the fallback member should be constant")
    };
    let prevalence = d.y.iter().filter(|&&b| b).count() as f64 / d.y.len() as f64;
    assert_eq!(c.probability, prevalence);
    assert!(c.reason.as_deref().unwrap().contains("clinical fit failed"));
    let json = round_trip(&fit, &all_new);
    assert_no_sentinel(&json);
    assert_no_outcome(&json);
    assert!(json.contains(r#""kind":"constant""#));
    // and inside a pipeline-free bundle-like wrapper (a map of named models)
    let bundle: std::collections::BTreeMap<String, FittedClassifier> =
        [("combined".to_string(), fit.clone())]
            .into_iter()
            .collect();
    let back: std::collections::BTreeMap<String, FittedClassifier> =
        serde_json::from_str(&serde_json::to_string(&bundle).unwrap()).unwrap();
    assert_eq!(
        bits(&back["combined"].predict_proba(&all_new).unwrap()),
        bits(&fit.predict_proba(&all_new).unwrap())
    );
}

#[test]
fn fallback_passes_successful_fits_through_and_refuses_no_rows() {
    let d = data();
    let wrapped = PrevalenceFallback::new(Arc::new(ClinicalModel::default()));
    assert_eq!(wrapped.name(), "clinical");
    let a = wrapped.fit_classifier(&d.clin, &d.y).unwrap();
    let b = ClinicalModel::default()
        .fit_classifier(&d.clin, &d.y)
        .unwrap();
    assert_eq!(a, b);
    let empty = Matrix::new(vec![], 0, 2, vec!["clin_a".into(), "clin_b".into()]).unwrap();
    assert!(wrapped.fit_classifier(&empty, &[]).is_err());
}

#[test]
fn non_finite_report_values_round_trip_and_damaged_models_are_refused() {
    let d = data();
    // an RF with one tree: rows in its bootstrap sample have no OOB vote; with 2 rows the OOB
    // error can be NaN — write and read a NaN OOB error explicitly
    let mut f = rf().fit(&d.x, &d.y).unwrap();
    f.oob_error = f64::NAN;
    let json = serde_json::to_string(&FittedClassifier::from(f.clone())).unwrap();
    assert!(json.contains(r#""oob_error":null"#));
    let back: FittedClassifier = serde_json::from_str(&json).unwrap();
    let FittedClassifier::RandomForest(b) = &back else {
        panic!()
    };
    assert!(b.oob_error.is_nan());
    // ±inf in a coefficient table is written as a string and read back
    let mut lf = LogisticRegression::default()
        .fit(&d.x.select_named(&["sig1".to_string()]).unwrap(), &d.y)
        .unwrap();
    lf.table[1].or_upper = f64::INFINITY;
    lf.table[1].or_lower = f64::NEG_INFINITY;
    let json = serde_json::to_string(&FittedClassifier::from(lf)).unwrap();
    assert!(json.contains(r#""or_upper":"inf""#) && json.contains(r#""or_lower":"-inf""#));
    let FittedClassifier::Logistic(l) = serde_json::from_str(&json).unwrap() else {
        panic!()
    };
    assert_eq!(l.table[1].or_upper, f64::INFINITY);
    assert_eq!(l.table[1].or_lower, f64::NEG_INFINITY);

    // damaged files are errors, not panics or endless loops
    let good: Value = serde_json::to_value(FittedClassifier::from(f)).unwrap();
    let mut cyclic = good.clone();
    cyclic["trees"][0]["nodes"][0] =
        serde_json::json!({"feature": 0, "threshold": 0.0, "left": 0, "right": 0});
    assert!(serde_json::from_value::<FittedClassifier>(cyclic).is_err());
    let mut bad_feature = good.clone();
    bad_feature["trees"][0]["nodes"][0]["feature"] = serde_json::json!(99);
    assert!(serde_json::from_value::<FittedClassifier>(bad_feature).is_err());
    let mut unknown = good;
    unknown["kind"] = serde_json::json!("gradient_boosting");
    assert!(serde_json::from_value::<FittedClassifier>(unknown).is_err());
    let short = serde_json::json!({"kind": "logistic", "names": ["a", "b"], "coef": [0.1, 0.2],
        "table": [], "deviance": 1.0, "null_deviance": 2.0, "aic": 3.0, "iterations": 4});
    assert!(serde_json::from_value::<FittedClassifier>(short).is_err());
    let constant = serde_json::json!({"kind": "constant", "probability": 1.5, "reason": null});
    assert!(serde_json::from_value::<FittedClassifier>(constant).is_err());
}
