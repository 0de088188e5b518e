//! Table rendering against hand-written golden strings, and the standard table builders.

use dlr_report::*;

fn tiny() -> Table {
    Table {
        caption: "Tiny & <odd>".into(),
        header: vec!["Name".into(), "Value".into()],
        rows: vec![vec!["a|b".into(), "1, 2".into()], vec!["say \"hi\"".into()]],
        notes: vec!["Note one.".into()],
    }
}

#[test]
fn markdown_golden() {
    let want = "**Tiny & <odd>**\n\n| Name | Value |\n| --- | --- |\n| a\\|b | 1, 2 |\n| say \"hi\" |  |\n\nNote one.\n";
    assert_eq!(tiny().to_markdown(), want);
}

#[test]
fn csv_golden() {
    let want = "Name,Value\na|b,\"1, 2\"\n\"say \"\"hi\"\"\",\n";
    assert_eq!(tiny().to_csv().unwrap(), want);
}

#[test]
fn html_golden() {
    let want = "<table class=\"dlr-table\">\n<caption>Tiny &amp; &lt;odd&gt;</caption>\n<thead><tr><th>Name</th><th>Value</th></tr></thead>\n<tbody>\n<tr><td>a|b</td><td>1, 2</td></tr>\n<tr><td>say &quot;hi&quot;</td><td></td></tr>\n</tbody>\n<tfoot>\n<tr><td colspan=\"2\">Note one.</td></tr>\n</tfoot>\n</table>\n";
    assert_eq!(tiny().to_html(), want);
}

#[test]
fn performance_and_delong_tables() {
    let t = performance_table(
        "Performance",
        &[PerformanceRow {
            model: "Combined".into(),
            cohort: "Validation".into(),
            auc: Estimate::with_ci(0.7634, 0.65, 0.87),
            accuracy: Estimate::point(0.75),
            sensitivity: Estimate::with_ci(0.8, 0.6, 0.9),
            specificity: Estimate::point(0.7),
            ppv: Estimate::point(0.6),
            npv: Estimate::point(f64::NAN),
        }],
    );
    assert_eq!(t.header[2], "AUC (95% CI)");
    assert_eq!(
        t.rows[0],
        vec![
            "Combined",
            "Validation",
            "0.763 (0.650–0.870)",
            "0.750",
            "0.800 (0.600–0.900)",
            "0.700",
            "0.600",
            "NA"
        ]
    );
    let d = delong_table(
        "DeLong",
        &[DelongRow {
            cohort: "Validation".into(),
            model_a: "Combined".into(),
            model_b: "Clinical".into(),
            auc_a: 0.8213,
            auc_b: 0.6712,
            difference: Estimate::with_ci(0.1501, -0.01, 0.31),
            p_value: 0.0004,
        }],
    );
    assert_eq!(
        d.rows[0],
        vec![
            "Validation",
            "Combined vs Clinical",
            "0.821",
            "0.671",
            "0.150 (-0.010 to 0.310)",
            "<0.001"
        ]
    );
    let b = baseline_table(
        "Table 1",
        &["Training".into(), "Validation".into()],
        &[
            BaselineRow {
                variable: "Age".into(),
                values: vec![fmt_mean_sd(56.24, 10.0, 1), fmt_mean_sd(55.0, 9.96, 1)],
                p_value: Some(0.384),
            },
            BaselineRow {
                variable: "Male".into(),
                values: vec![fmt_count_pct(3, 4)],
                p_value: None,
            },
        ],
    );
    assert_eq!(
        b.header,
        vec!["Characteristic", "Training", "Validation", "P value"]
    );
    assert_eq!(
        b.rows[0],
        vec!["Age", "56.2 ± 10.0", "55.0 ± 10.0", "0.384"]
    );
    assert_eq!(b.rows[1], vec!["Male", "3 (75.0%)", "", ""]);
}
