//! Times `auc_delong` on a CSV with columns `score,label` (label 0/1): prints the AUC, CI and the
//! mean seconds per call over `reps` runs. Used by `bench/delong_vs_proc.sh`.
//!
//! `cargo run --release -p dlr-stats --example delong_timing -- data.csv 20`
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: delong_timing FILE.csv [reps]")?;
    let reps: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(10);
    let mut rdr = csv::Reader::from_path(path)?;
    let (mut s, mut y) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec?;
        s.push(rec[0].parse::<f64>()?);
        y.push(rec[1].trim() == "1");
    }
    let t0 = Instant::now();
    let mut ci = dlr_stats::auc_delong(&s, &y, 0.95)?;
    for _ in 1..reps {
        ci = dlr_stats::auc_delong(&s, &y, 0.95)?;
    }
    let per = t0.elapsed().as_secs_f64() / reps as f64;
    println!(
        "auc={:.12} lower={:.12} upper={:.12} seconds_per_call={per:.6e}",
        ci.auc, ci.lower, ci.upper
    );
    Ok(())
}
