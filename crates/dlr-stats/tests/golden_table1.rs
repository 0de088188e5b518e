//! Group tests against `golden/table1.json` (R 4.2.2 `t.test`, `wilcox.test`, `chisq.test`,
//! `fisher.test`) and the 2×2 chi-square goldens in `tests/data/calibration_chisq.json`.
mod common;
use common::*;
use dlr_stats::*;

fn arr(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[test]
fn group_tests_match_r() {
    let gpath = dlr_testutil::require_shared!("golden/table1.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let a = Table::read(&apath);
    let cohort = a.strs("cohort").to_vec();
    let cont = g["continuous"].as_object().unwrap();
    assert_eq!(cont.len(), 3);
    for (name, e) in cont {
        let v = a.f64s(name);
        let x: Vec<f64> = v
            .iter()
            .zip(&cohort)
            .filter(|(_, c)| *c == "train")
            .map(|(v, _)| *v)
            .collect();
        let y: Vec<f64> = v
            .iter()
            .zip(&cohort)
            .filter(|(_, c)| *c == "test")
            .map(|(v, _)| *v)
            .collect();
        let w = welch_t(&x, &y).unwrap();
        assert_close(&format!("{name} welch t"), w.t, num(&e["welch_t"]), 1e-9);
        assert_close(&format!("{name} welch df"), w.df, num(&e["welch_df"]), 1e-9);
        assert_close(&format!("{name} welch p"), w.p, num(&e["welch_p"]), 1e-10);
        let s = student_t(&x, &y).unwrap();
        assert_close(
            &format!("{name} student t"),
            s.t,
            num(&e["student_t"]),
            1e-9,
        );
        assert_close(
            &format!("{name} student df"),
            s.df,
            num(&e["student_df"]),
            1e-12,
        );
        assert_close(
            &format!("{name} student p"),
            s.p,
            num(&e["student_p"]),
            1e-10,
        );
        let cc = MannWhitneyOptions {
            method: MwMethod::Normal,
            ..Default::default()
        };
        let m1 = mann_whitney_u(&x, &y, &cc).unwrap();
        let m0 = mann_whitney_u(
            &x,
            &y,
            &MannWhitneyOptions {
                continuity: false,
                ..cc
            },
        )
        .unwrap();
        assert_close(&format!("{name} U"), m1.u, num(&e["mw_U_train"]), 1e-12);
        assert_close(
            &format!("{name} mw p"),
            m1.p,
            num(&e["mw_p_continuity"]),
            1e-10,
        );
        assert_close(
            &format!("{name} mw p0"),
            m0.p,
            num(&e["mw_p_no_continuity"]),
            1e-10,
        );
        // Summaries as Table 1 prints them.
        let sx = continuous_summary(&x).unwrap();
        let sy = continuous_summary(&y).unwrap();
        for (sm, key_ms, key_q) in [
            (sx, "mean_sd_train", "median_iqr_train"),
            (sy, "mean_sd_test", "median_iqr_test"),
        ] {
            let ms = arr(&e[key_ms]);
            assert_close(&format!("{name} mean"), sm.mean, ms[0], 1e-9);
            assert_close(&format!("{name} sd"), sm.sd, ms[1], 1e-9);
            let q = arr(&e[key_q]);
            assert_close(&format!("{name} median"), sm.median, q[0], 1e-12);
            assert_close(&format!("{name} q1"), sm.q1, q[1], 1e-12);
            assert_close(&format!("{name} q3"), sm.q3, q[2], 1e-12);
        }
    }
    let cat = g["categorical"].as_object().unwrap();
    assert_eq!(cat.len(), 3);
    for (name, e) in cat {
        let v = a.strs(name).to_vec();
        let levels: Vec<String> = e["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
        // Build the level x cohort table from the raw data (R's table(), sorted levels).
        let t = contingency_table(
            &v,
            &cohort,
            Some(&["train".to_string(), "test".to_string()]),
        )
        .unwrap();
        assert_eq!(t.row_levels, levels, "{name}");
        let ct: Vec<f64> = t.counts.iter().map(|r| r[0] as f64).collect();
        let cs: Vec<f64> = t.counts.iter().map(|r| r[1] as f64).collect();
        assert_eq!(ct, arr(&e["counts_train"]));
        assert_eq!(cs, arr(&e["counts_test"]));
        let c0 = chi_square(&t.counts, false).unwrap();
        assert_close(
            &format!("{name} chisq"),
            c0.statistic,
            num(&e["chisq"]),
            1e-10,
        );
        assert_close(&format!("{name} df"), c0.df, num(&e["chisq_df"]), 0.0);
        assert_close(&format!("{name} chisq p"), c0.p, num(&e["chisq_p"]), 1e-10);
        assert_close(
            &format!("{name} emin"),
            c0.expected_min,
            num(&e["expected_min"]),
            1e-10,
        );
        if e["chisq_yates"].is_number() {
            let c1 = chi_square(&t.counts, true).unwrap();
            assert_close(
                &format!("{name} yates"),
                c1.statistic,
                num(&e["chisq_yates"]),
                1e-10,
            );
            assert_close(
                &format!("{name} yates p"),
                c1.p,
                num(&e["chisq_yates_p"]),
                1e-10,
            );
        } else {
            assert!(chi_square(&t.counts, true).is_err());
        }
        let f = fisher_exact(&t.counts).unwrap();
        assert_close(&format!("{name} fisher p"), f.p, num(&e["fisher_p"]), 1e-9);
        match (&e["fisher_or_conditional_mle"], f.odds_ratio) {
            (w, Some(or)) if w.is_number() => assert_close(&format!("{name} OR"), or, num(w), 1e-9),
            (w, None) if w.is_null() => {}
            (w, got) => panic!("{name}: OR mismatch {w} vs {got:?}"),
        }
    }
}

#[test]
fn table1_layout_and_p_values_match_r() {
    let gpath = dlr_testutil::require_shared!("golden/table1.json");
    let apath = dlr_testutil::require_shared!("golden/data/asah.csv");
    let g = json(&gpath);
    let a = Table::read(&apath);
    let cohort = a.strs("cohort").to_vec();
    let mut vars = Vec::new();
    for name in ["age", "s100b", "ndka"] {
        vars.push(Table1Variable {
            name: name.into(),
            values: VariableValues::Numeric(a.f64s(name)),
        });
    }
    for name in ["gender", "outcome", "wfns"] {
        vars.push(Table1Variable {
            name: name.into(),
            values: VariableValues::Categorical(a.strs(name).to_vec()),
        });
    }
    let order = ["train".to_string(), "test".to_string()];
    for (test, key) in [
        (ContinuousTest::Welch, "welch_p"),
        (ContinuousTest::Student, "student_p"),
        (ContinuousTest::MannWhitney, "mw_p_continuity"),
    ] {
        let opts = Table1Options {
            continuous_test: test,
            ..Default::default()
        };
        let t = table1(&vars, &cohort, Some(&order), &opts).unwrap();
        assert_eq!(t.group_n, vec![79, 34]);
        for (name, e) in g["continuous"].as_object().unwrap() {
            let row = t
                .rows
                .iter()
                .find(|r| &r.variable == name && r.level.is_none())
                .unwrap();
            assert_close(
                &format!("{name} {key}"),
                row.p.unwrap(),
                num(&e[key]),
                1e-10,
            );
            let ms = arr(&e["mean_sd_train"]);
            assert_eq!(row.cells[0], format!("{:.2} ± {:.2}", ms[0], ms[1]));
        }
        for (name, e) in g["categorical"].as_object().unwrap() {
            let row = t
                .rows
                .iter()
                .find(|r| &r.variable == name && r.level.is_none())
                .unwrap();
            // Auto: chi-square when all expected >= 5 (2×2: with Yates' correction, R's
            // default), else Fisher.
            let is_2x2 = e["levels"].as_array().unwrap().len() == 2;
            let (want, test) = if num(&e["expected_min"]) < 5.0 {
                (num(&e["fisher_p"]), FISHER_TEST)
            } else if is_2x2 {
                (
                    num(&e["chisq_yates_p"]),
                    "χ² test with Yates' continuity correction",
                )
            } else {
                (num(&e["chisq_p"]), CHI_SQUARE_TEST)
            };
            assert_close(&format!("{name} p"), row.p.unwrap(), want, 1e-9);
            assert_eq!(row.test.as_deref(), Some(test), "{name}");
            let levels = t
                .rows
                .iter()
                .filter(|r| &r.variable == name && r.level.is_some())
                .count();
            assert_eq!(levels, e["levels"].as_array().unwrap().len());
        }
    }
    // Without the correction every chi-square p-value is R's chisq.test(correct = FALSE).
    let opts = Table1Options {
        chi_square_correction: ChiSquareCorrection::None,
        ..Default::default()
    };
    let t = table1(&vars, &cohort, Some(&order), &opts).unwrap();
    let mut chi_rows = 0;
    for (name, e) in g["categorical"].as_object().unwrap() {
        let row = t
            .rows
            .iter()
            .find(|r| &r.variable == name && r.level.is_none())
            .unwrap();
        if num(&e["expected_min"]) >= 5.0 {
            assert_close(
                &format!("{name} p (no correction)"),
                row.p.unwrap(),
                num(&e["chisq_p"]),
                1e-9,
            );
            chi_rows += 1;
        }
    }
    assert!(chi_rows >= 1);
    let t = table1(&vars, &cohort, Some(&order), &Table1Options::default()).unwrap();
    let md = t.to_markdown();
    assert!(
        md.starts_with("| Variable | train (n=79) | test (n=34) | p | Test |"),
        "{md}"
    );
    assert!(md.contains("Fisher exact test"));
    let csv = t.to_csv().unwrap();
    assert_eq!(csv.lines().count(), t.rows.len() + 1);
    // wfns level 1 in train: 27 of 79 = 34.2%.
    assert!(csv.contains("  1,27 (34.2%),12 (35.3%)"), "{csv}");
}

#[test]
fn table1_degenerate_inputs_error() {
    let groups: Vec<String> = ["a", "a", "b"].iter().map(|s| s.to_string()).collect();
    let v = Table1Variable {
        name: "x".into(),
        values: VariableValues::Numeric(vec![1.0, 2.0, 3.0]),
    };
    // Group b has one value: t test impossible -> clear error, no panic.
    assert!(table1(
        std::slice::from_ref(&v),
        &groups,
        None,
        &Table1Options::default()
    )
    .is_err());
    // Empty group named in the order.
    let order = ["a".to_string(), "c".to_string()];
    assert!(table1(
        std::slice::from_ref(&v),
        &groups,
        Some(&order),
        &Table1Options::default()
    )
    .is_err());
    // Wrong length.
    let short = Table1Variable {
        name: "y".into(),
        values: VariableValues::Numeric(vec![1.0]),
    };
    assert!(table1(&[short], &groups, None, &Table1Options::default()).is_err());
    // One group only.
    let one: Vec<String> = vec!["a".into(); 3];
    assert!(table1(&[v], &one, None, &Table1Options::default()).is_err());
}

#[test]
fn table1_csv_quotes_commas_and_quotes() {
    let groups: Vec<String> = ["a", "a", "a", "b", "b", "b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let v = Table1Variable {
        name: "Size, \"cm\"".into(),
        values: VariableValues::Numeric(vec![1.0, 2.0, 3.0, 2.0, 3.0, 5.0]),
    };
    let t = table1(&[v], &groups, None, &Table1Options::default()).unwrap();
    let csv = t.to_csv().unwrap();
    let row = csv.lines().find(|l| l.starts_with("\"Size")).unwrap();
    assert!(
        row.starts_with("\"Size, \"\"cm\"\"\",2.00 ± 1.00,"),
        "{csv}"
    );
    // Read back with the csv crate: the cell survives unchanged.
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let rec = r
        .records()
        .map(|r| r.unwrap())
        .find(|r| r[0].starts_with("Size"))
        .unwrap();
    assert_eq!(&rec[0], "Size, \"cm\"");
    assert_eq!(rec.len(), 5);
}

/// The 2×2 tables of `tests/data/calibration_chisq.json` (R 4.2.2 `chisq.test(correct = TRUE /
/// FALSE)` and `fisher.test`, made by `tools/stats/calibration_chisq_goldens.R`) as one
/// categorical variable split by two groups.
fn two_by_two(counts: &serde_json::Value) -> (Table1Variable, Vec<String>, Vec<Vec<u64>>) {
    let counts: Vec<Vec<u64>> = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| num(v) as u64)
                .collect()
        })
        .collect();
    let (mut values, mut groups) = (Vec::new(), Vec::new());
    for (i, row) in counts.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            for _ in 0..n {
                values.push(format!("L{i}"));
                groups.push(format!("G{j}"));
            }
        }
    }
    let var = Table1Variable {
        name: "x".into(),
        values: VariableValues::Categorical(values),
    };
    (var, groups, counts)
}

#[test]
fn chi_square_2x2_correction_matches_r() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/calibration_chisq.json");
    let g = json(&path);
    let cases = g["chisq_2x2"].as_object().unwrap();
    assert_eq!(cases.len(), 3);
    for (key, e) in cases {
        let (var, groups, counts) = two_by_two(&e["counts"]);
        let yates = chi_square(&counts, true).unwrap();
        let none = chi_square(&counts, false).unwrap();
        assert_close(
            &format!("{key} yates X2"),
            yates.statistic,
            num(&e["yates_statistic"]),
            1e-12,
        );
        assert_close(
            &format!("{key} yates p"),
            yates.p,
            num(&e["yates_p"]),
            1e-12,
        );
        assert_close(
            &format!("{key} X2"),
            none.statistic,
            num(&e["none_statistic"]),
            1e-12,
        );
        assert_close(&format!("{key} p"), none.p, num(&e["none_p"]), 1e-12);
        let fisher_rule = num(&e["expected_min"]) < 5.0;
        assert_eq!(fisher_rule, key == "expected_below_5");
        for (test, correction, want_p, want_test) in [
            (
                CategoricalTest::ChiSquare,
                ChiSquareCorrection::Yates,
                "yates_p",
                "χ² test with Yates' continuity correction",
            ),
            (
                CategoricalTest::ChiSquare,
                ChiSquareCorrection::None,
                "none_p",
                "χ² test without continuity correction",
            ),
            (
                CategoricalTest::Auto,
                ChiSquareCorrection::Yates,
                if fisher_rule { "fisher_p" } else { "yates_p" },
                if fisher_rule {
                    FISHER_TEST
                } else {
                    "χ² test with Yates' continuity correction"
                },
            ),
            (
                CategoricalTest::Auto,
                ChiSquareCorrection::None,
                if fisher_rule { "fisher_p" } else { "none_p" },
                if fisher_rule {
                    FISHER_TEST
                } else {
                    "χ² test without continuity correction"
                },
            ),
        ] {
            let opts = Table1Options {
                categorical_test: test,
                chi_square_correction: correction,
                ..Default::default()
            };
            let t = table1(std::slice::from_ref(&var), &groups, None, &opts).unwrap();
            let row = t.rows.iter().find(|r| r.variable == "x").unwrap();
            let what = format!("{key} {test:?} {correction:?}");
            assert_close(&what, row.p.unwrap(), num(&e[want_p]), 1e-9);
            assert_eq!(row.test.as_deref(), Some(want_test), "{what}");
            assert_eq!(t.notes[0], format!("Tests: {want_test}."), "{what}");
            let said = match correction {
                ChiSquareCorrection::Yates => "use Yates' continuity correction",
                ChiSquareCorrection::None => "use no continuity correction",
            };
            assert!(t.notes[1].contains(said), "{what}: {:?}", t.notes);
            assert!(t.to_markdown().ends_with(&format!("\n{}\n", t.notes[1])));
        }
    }
    // The default is R's: Yates on 2×2 tables.
    assert_eq!(
        Table1Options::default().chi_square_correction,
        ChiSquareCorrection::Yates
    );
}

#[test]
fn larger_tables_are_never_corrected() {
    // 3 levels × 2 groups, all expected counts >= 5: the plain Pearson test under either option.
    let counts = vec![vec![12, 6], vec![8, 9], vec![7, 14]];
    let want = chi_square(&counts, false).unwrap().p;
    let mut values = Vec::new();
    let mut groups = Vec::new();
    for (i, row) in counts.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            for _ in 0..n {
                values.push(format!("L{i}"));
                groups.push(format!("G{j}"));
            }
        }
    }
    let var = Table1Variable {
        name: "x".into(),
        values: VariableValues::Categorical(values),
    };
    for correction in [ChiSquareCorrection::Yates, ChiSquareCorrection::None] {
        let opts = Table1Options {
            chi_square_correction: correction,
            ..Default::default()
        };
        let t = table1(std::slice::from_ref(&var), &groups, None, &opts).unwrap();
        let row = t.rows.iter().find(|r| r.variable == "x").unwrap();
        assert_eq!(row.p, Some(want));
        assert_eq!(row.test.as_deref(), Some(CHI_SQUARE_TEST));
    }
}

#[test]
fn chi_square_correction_serialises_as_named() {
    let opts = Table1Options {
        chi_square_correction: ChiSquareCorrection::None,
        ..Default::default()
    };
    let v = serde_json::to_value(opts).unwrap();
    assert_eq!(v["chi_square_correction"], "None");
    // Options written before the field existed read back with R's default.
    let mut old = serde_json::to_value(Table1Options::default()).unwrap();
    old.as_object_mut().unwrap().remove("chi_square_correction");
    let back: Table1Options = serde_json::from_value(old).unwrap();
    assert_eq!(back.chi_square_correction, ChiSquareCorrection::Yates);
}
