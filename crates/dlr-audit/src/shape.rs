//! Shape-only (mask-only) baselines: how well does the outline of the ROI alone predict the
//! outcome? A model on the expert masks' shape that comes close to the full model says the
//! signal may be annotation style rather than tumour biology.
//!
//! [`shape_features`] gives PyRadiomics' `shape2D` class (computed by `dlr-radiomics`, which is
//! checked against PyRadiomics) plus solidity (ROI area over convex-hull area). [`baseline_auc`] fits a seeded random forest (500 trees, R's defaults) on
//! the training rows of any feature subset and gives the test AUC with its DeLong CI;
//! [`baseline_cv_auc`] does the same by stratified k-fold cross-validation.

use crate::error::{AuditError, Result};
use dlr_image::{FeatureValue, Image, Mask};
use dlr_learn::{Fit, Matrix, PredictProba, RandomForestParams};
use dlr_radiomics::{Family, Settings};
use serde::{Deserialize, Serialize};

/// Default margin: warn when the shape-only AUC is within 0.05 of the full model's.
pub const DEFAULT_SHAPE_MARGIN: f64 = 0.05;

/// 2D shape descriptors of a mask: PyRadiomics `shape2D` (`original_shape2D_*`: MeshSurface,
/// PixelSurface, Perimeter, PerimeterSurfaceRatio, Sphericity, MaximumDiameter, MajorAxisLength,
/// MinorAxisLength, Elongation) plus `audit_Solidity` (pixel area over the area of the convex
/// hull of the pixel squares: 1 for convex outlines, lower for lobulated or spiculated ones).
///
/// Uses the mask's pixel spacing. Errors on a 3D mask; an empty mask gives NaN values with a note.
pub fn shape_features(mask: &Mask, spacing: [f64; 3]) -> Result<Vec<FeatureValue>> {
    let [nx, ny, nz] = mask.dims();
    if nz != 1 {
        return Err(AuditError::input(
            "shape_features",
            format!("2D masks only, got {nx}×{ny}×{nz}"),
        ));
    }
    // Shape features do not look at intensities: a zero image on the mask grid.
    let zero = Image::new(vec![0.0; nx * ny], [nx, ny, 1])
        .map_err(|e| AuditError::input("shape_features", e.to_string()))?
        .with_spacing(spacing);
    let mut settings = Settings::pyradiomics_default();
    settings.families = vec![Family::Shape2d];
    let mut out =
        dlr_radiomics::extract(&zero, mask, &settings).map_err(|e| AuditError::Radiomics {
            context: "shape_features (PyRadiomics shape2D)".into(),
            source: e,
        })?;
    let (area, hull_area) = hull_measures(mask, spacing);
    if area > 0.0 && hull_area > 0.0 {
        out.push(FeatureValue::new("audit_Solidity", area / hull_area));
    } else {
        out.push(FeatureValue::undefined("audit_Solidity", "empty ROI"));
    }
    Ok(out)
}

fn cross(o: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

/// (pixel area, convex hull area) of the mask's pixel squares, physical units.
fn hull_measures(mask: &Mask, spacing: [f64; 3]) -> (f64, f64) {
    let [nx, ny, _] = mask.dims();
    let d = mask.data();
    let mut pts: Vec<(f64, f64)> = Vec::new();
    let mut count = 0usize;
    for y in 0..ny {
        let row = &d[y * nx..(y + 1) * nx];
        let c = row.iter().filter(|&&v| v != 0).count();
        if c == 0 {
            continue;
        }
        count += c;
        let lo = row.iter().position(|&v| v != 0).unwrap_or(0);
        let hi = row.iter().rposition(|&v| v != 0).unwrap_or(0);
        // Corners of the leftmost and rightmost pixel squares of the row.
        for (px, py) in [(lo, y), (lo, y + 1), (hi + 1, y), (hi + 1, y + 1)] {
            pts.push((px as f64 * spacing[0], py as f64 * spacing[1]));
        }
    }
    let area = count as f64 * spacing[0] * spacing[1];
    if pts.len() < 3 {
        return (area, 0.0);
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    // Andrew's monotone chain: lower hull, then upper hull (never popping into the lower one).
    let mut hull: Vec<(f64, f64)> = Vec::with_capacity(2 * pts.len());
    for &p in &pts {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
            hull.pop();
        }
        hull.push(p);
    }
    let lower_len = hull.len() + 1;
    for &p in pts.iter().rev().skip(1) {
        while hull.len() >= lower_len && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
        {
            hull.pop();
        }
        hull.push(p);
    }
    hull.pop();
    let n = hull.len();
    let mut a2 = 0.0;
    for i in 0..n {
        let (p, q) = (hull[i], hull[(i + 1) % n]);
        a2 += p.0 * q.1 - q.0 * p.1;
    }
    (area, a2.abs() / 2.0)
}

/// Test AUC of a baseline model with its DeLong confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineResult {
    /// Model used (`random forest, 500 trees, seed S`).
    pub model: String,
    /// Number of features given to the model.
    pub n_features: usize,
    /// Rows the model was fitted on (0 for cross-validation: every row in turn).
    pub n_train: usize,
    /// Rows the AUC was measured on.
    pub n_test: usize,
    /// AUC.
    pub auc: f64,
    /// Lower DeLong bound.
    pub lower: f64,
    /// Upper DeLong bound.
    pub upper: f64,
    /// Confidence level (0.95).
    pub level: f64,
}

fn forest(seed: u64) -> Result<dlr_learn::RandomForest> {
    RandomForestParams::default()
        .n_trees(500)
        .seed(seed)
        .build()
        .map_err(|e| AuditError::Learn {
            context: "baseline random forest".into(),
            source: e,
        })
}

fn fit_predict(train_x: &Matrix, y_train: &[bool], test_x: &Matrix, seed: u64) -> Result<Vec<f64>> {
    let learn = |context: &str| {
        let context = context.to_string();
        move |e| AuditError::Learn { context, source: e }
    };
    train_x
        .check_finite("baseline training features")
        .map_err(learn("baseline"))?;
    test_x
        .check_finite("baseline test features")
        .map_err(learn("baseline"))?;
    let fit = forest(seed)?
        .fit(train_x, y_train)
        .map_err(learn("fitting the baseline random forest"))?;
    fit.predict_proba(test_x)
        .map_err(learn("applying the baseline random forest"))
}

fn delong(
    p: &[f64],
    y: &[bool],
    model: String,
    nf: usize,
    n_train: usize,
) -> Result<BaselineResult> {
    let ci = dlr_stats::auc_delong(p, y, 0.95).map_err(|e| AuditError::Stats {
        context: "baseline AUC".into(),
        source: e,
    })?;
    Ok(BaselineResult {
        model,
        n_features: nf,
        n_train,
        n_test: y.len(),
        auc: ci.auc,
        lower: ci.lower,
        upper: ci.upper,
        level: ci.level,
    })
}

/// Fits a seeded random forest on `train_x` and returns its AUC (DeLong 95 % CI) on `test_x`.
///
/// Use it with shape features for the shape-only baseline, with first-order/texture features
/// for an intensity-only baseline. Errors on NaN features, mismatched lengths, or a test set
/// without two cases of each class.
pub fn baseline_auc(
    train_x: &Matrix,
    y_train: &[bool],
    test_x: &Matrix,
    y_test: &[bool],
    seed: u64,
) -> Result<BaselineResult> {
    if test_x.n_rows() != y_test.len() || train_x.n_cols() != test_x.n_cols() {
        return Err(AuditError::input(
            "baseline_auc",
            format!(
                "test matrix {}×{} does not fit {} labels / {} training columns",
                test_x.n_rows(),
                test_x.n_cols(),
                y_test.len(),
                train_x.n_cols()
            ),
        ));
    }
    let p = fit_predict(train_x, y_train, test_x, seed)?;
    delong(
        &p,
        y_test,
        format!("random forest, 500 trees, seed {seed}"),
        train_x.n_cols(),
        train_x.n_rows(),
    )
}

/// The shape-only baseline: [`baseline_auc`] on shape feature matrices.
pub fn shape_only_baseline(
    train_x: &Matrix,
    y_train: &[bool],
    test_x: &Matrix,
    y_test: &[bool],
    seed: u64,
) -> Result<BaselineResult> {
    baseline_auc(train_x, y_train, test_x, y_test, seed)
}

/// Stratified `k`-fold cross-validated AUC of the baseline forest: out-of-fold probabilities of
/// every row pooled, then one AUC with DeLong CI (for `dlr validate`, where there is no split).
pub fn baseline_cv_auc(x: &Matrix, y: &[bool], k: usize, seed: u64) -> Result<BaselineResult> {
    if x.n_rows() != y.len() {
        return Err(AuditError::input(
            "baseline_cv_auc",
            format!("{} rows but {} labels", x.n_rows(), y.len()),
        ));
    }
    let folds = dlr_learn::kfold(y, k, seed).map_err(|e| AuditError::Learn {
        context: "baseline cross-validation folds".into(),
        source: e,
    })?;
    let mut p = vec![f64::NAN; y.len()];
    for f in &folds {
        let sel = |rows: &[usize]| {
            x.select_rows(rows).map_err(|e| AuditError::Learn {
                context: "baseline cross-validation".into(),
                source: e,
            })
        };
        let ytr: Vec<bool> = f.train.iter().map(|&i| y[i]).collect();
        let pt = fit_predict(&sel(&f.train)?, &ytr, &sel(&f.test)?, seed)?;
        for (&i, v) in f.test.iter().zip(pt) {
            p[i] = v;
        }
    }
    delong(
        &p,
        y,
        format!("random forest, 500 trees, seed {seed}, {k}-fold CV (pooled out-of-fold)"),
        x.n_cols(),
        0,
    )
}

/// Plain-language warning when the shape-only AUC is within `margin` of (or above) the model's.
pub fn shape_warning(model_auc: f64, shape_only_auc: f64, margin: f64) -> Option<String> {
    outline_warning(
        "shape features, no image intensities",
        model_auc,
        shape_only_auc,
        margin,
    )
}

/// The same warning for any baseline that sees only the ROI outline; `inputs` says what that
/// baseline sees (e.g. "deep features of the binary mask image, no image intensities").
pub fn outline_warning(
    inputs: &str,
    model_auc: f64,
    shape_only_auc: f64,
    margin: f64,
) -> Option<String> {
    if !(model_auc.is_finite() && shape_only_auc.is_finite()) || shape_only_auc < model_auc - margin
    {
        return None;
    }
    let relation = if shape_only_auc >= model_auc {
        format!("at least as high as the full model's {model_auc:.3}")
    } else {
        format!("within {margin:.2} of the full model's {model_auc:.3}")
    };
    Some(format!(
        "A model that sees only the outline of the ROI ({inputs}) \
         reaches AUC {shape_only_auc:.3}, {relation}. \
         Much of the signal may come from how the lesions were outlined (annotation style) rather \
         than from the image; check that readers outlined both classes the same way before \
         interpreting the model as tumour biology."
    ))
}
