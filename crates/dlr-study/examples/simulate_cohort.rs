//! Writes a simulated CEUS cohort and validates it, printing how long each step took.
//!
//! `cargo run --release -p dlr-study --example simulate_cohort -- OUT_DIR [PATIENTS] [SEED] [--null]`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let positional: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let out = positional
        .first()
        .ok_or("usage: simulate_cohort OUT_DIR [PATIENTS] [SEED] [--null]")?;
    let opts = dlr_study::SimulateOptions {
        out_dir: out.into(),
        patients: positional
            .get(1)
            .map(|s| s.parse())
            .transpose()?
            .unwrap_or(172),
        seed: positional
            .get(2)
            .map(|s| s.parse())
            .transpose()?
            .unwrap_or(42),
        null: args.iter().any(|a| a == "--null"),
        ..dlr_study::SimulateOptions::default()
    };
    let t = Instant::now();
    let cohort = dlr_study::simulate(&opts)?;
    println!(
        "simulate: {} in {:.2} s",
        cohort.summary(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let input = dlr_study::StudyInput::read(
        &cohort.manifest,
        &dlr_study::ManifestColumns::default(),
        Some((
            &cohort.clinical,
            &dlr_study::ClinicalOptions::with_outcome("recurrence_1y"),
        )),
    )?;
    let report = dlr_study::validate(&input, &dlr_study::ValidateOptions::default());
    println!(
        "validate: {} in {:.2} s",
        report.summary(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
