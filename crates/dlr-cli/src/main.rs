//! `dlr`: the dlradiomics command-line tool. Each subcommand parses its arguments into a
//! validated request and calls a library crate; no numeric work lives here.

mod commands;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Deep learning radiomics for medical images, ultrasound first: validate a study, extract
/// handcrafted and deep features, run the whole study to a report and a model, score new patients.
///
/// Start with `dlr demo`, then `dlr run study.toml` on your own data (see the README).
#[derive(Parser, Debug)]
#[command(name = "dlr", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Output format of commands that print results.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
    /// CSV.
    Csv,
}

/// Manifest column mapping shared by commands that read a manifest.
#[derive(Args, Debug, Clone)]
pub struct ColumnArgs {
    /// A known manifest layout: `busi` (case_id,label,image,mask,extra_masks; phase US; malignant = 1).
    #[arg(long)]
    pub layout: Option<String>,
    /// Patient identifier column of the manifest (default `patient_id`).
    #[arg(long)]
    pub id_column: Option<String>,
    /// Phase to use when the manifest has no phase column (e.g. `US`).
    #[arg(long)]
    pub phase: Option<String>,
    /// Label column when the manifest carries the outcome itself.
    #[arg(long)]
    pub label_column: Option<String>,
    /// Value of the label column meaning "event" (e.g. `malignant`).
    #[arg(long)]
    pub positive: Option<String>,
    /// Column listing extra masks (`;`-separated), unioned with the main mask.
    #[arg(long)]
    pub extra_masks_column: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a study manifest (and clinical table) and list every problem found.
    Validate {
        /// Manifest CSV.
        #[arg(long)]
        manifest: PathBuf,
        /// Clinical CSV with the outcome and covariates.
        #[arg(long)]
        clinical: Option<PathBuf>,
        /// Outcome column of the clinical table (required with --clinical).
        #[arg(long)]
        outcome: Option<String>,
        /// Smallest acceptable ROI, in pixels/voxels.
        #[arg(long, default_value_t = 16)]
        min_roi: usize,
        /// Also list near-duplicate images (16×16 thumbnail correlation ≥ this, e.g. 0.95);
        /// reported as notes, they do not change the exit code.
        #[arg(long)]
        near_duplicates: Option<f64>,
        #[command(flatten)]
        columns: ColumnArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write a simulated CEUS cohort (images, two readers' ROIs, manifest, clinical table, study.toml).
    Simulate {
        /// Number of patients.
        #[arg(long, default_value_t = 172)]
        patients: usize,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Make images and covariates independent of the outcome.
        #[arg(long)]
        null: bool,
    },
    /// Simulate a CEUS cohort shaped like the paper's and run the whole pipeline on it.
    Demo {
        /// Output folder.
        #[arg(long, default_value = "dlr-demo")]
        out: PathBuf,
        /// Number of simulated patients.
        #[arg(long, default_value_t = 172)]
        patients: usize,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Never download the EfficientNet-Lite0 weights (also `DLR_OFFLINE=1`); without
        /// weights the deep model is skipped with the command that fetches them.
        #[arg(long)]
        offline: bool,
    },
    /// Extract handcrafted radiomics features for one ROI or a whole manifest.
    Extract(commands::ExtractArgs),
    /// Compute deep features (pooled CNN activations) for one image or a whole manifest.
    Deep(commands::DeepArgs),
    /// Fetch ImageNet weights into the cache, or list the cached ones.
    Weights(commands::WeightsArgs),
    /// AUC with DeLong CI, Youden metrics, calibration and DeLong comparisons for prediction scores.
    Evaluate(commands::EvaluateArgs),
    /// Run a study end to end from its study.toml.
    ///
    /// Exit codes: 0 complete; 2 error (nothing usable written); 3 a model switched on in
    /// [models] was not fitted; 4 an audit leakage check failed; 5 patients were excluded
    /// (each listed on the terminal). With --accept-partial a finished run exits 0.
    Run {
        /// The study configuration.
        study: PathBuf,
        /// Run folder (default: `runs/<study name>` beside the config).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Exit 0 even when a model was not fitted, the audit failed or patients were excluded.
        #[arg(long)]
        accept_partial: bool,
        /// Never download the EfficientNet-Lite0 weights (also `DLR_OFFLINE=1`).
        #[arg(long)]
        offline: bool,
    },
    /// Apply a trained model bundle to new patients.
    Predict {
        /// Model bundle (`model.dlr`) written by `dlr run`.
        #[arg(long)]
        model: PathBuf,
        /// Manifest of the new patients, in the layout the study was trained on.
        #[arg(long)]
        manifest: PathBuf,
        /// Clinical table of the new patients (needed by clinical/combined models).
        #[arg(long)]
        clinical: Option<PathBuf>,
        /// Output CSV.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate {
            manifest,
            clinical,
            outcome,
            min_roi,
            near_duplicates,
            columns,
            format,
        } => commands::validate(
            &manifest,
            clinical.as_deref(),
            outcome.as_deref(),
            min_roi,
            near_duplicates,
            &columns,
            format,
        ),
        Command::Simulate {
            patients,
            seed,
            out,
            null,
        } => commands::simulate(patients, seed, &out, null),
        Command::Demo {
            out,
            patients,
            seed,
            offline,
        } => commands::demo(&out, patients, seed, offline),
        Command::Extract(a) => commands::extract(&a),
        Command::Deep(a) => commands::deep(&a),
        Command::Weights(a) => commands::weights(&a),
        Command::Evaluate(a) => commands::evaluate(&a),
        Command::Run {
            study,
            out,
            accept_partial,
            offline,
        } => commands::run_study(&study, out.as_deref(), accept_partial, offline),
        Command::Predict {
            model,
            manifest,
            clinical,
            out,
        } => commands::predict(&model, &manifest, clinical.as_deref(), &out),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", render_error(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line, each cause added only when the text so far does not
/// already say it (library errors often show their source in their own message).
fn render_error(e: &anyhow::Error) -> String {
    let mut out = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !out.contains(&c) {
            out.push_str(": ");
            out.push_str(&c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_already_in_the_message_are_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("m.csv: No such file");
        assert_eq!(render_error(&e), "m.csv: No such file");
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("reading m.csv");
        assert_eq!(render_error(&e), "reading m.csv: No such file");
    }
}
