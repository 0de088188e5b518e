//! `study.toml`: the validated description of a study run by `dlr run`.
//!
//! Parsing is two-staged: the raw TOML is deserialised with unknown keys rejected (toml reports the
//! line and column), then [`StudyConfig::validate`] checks values that cannot be right and names
//! the line, the key and the fix. Relative paths are resolved against the folder of the TOML file.
//! The full schema with defaults is documented in `docs/study-toml.md`.

use crate::error::{PipelineError, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The whole study configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    /// Inputs: manifest, clinical table, outcome, phases, readers.
    pub study: StudySection,
    /// Train/test split.
    #[serde(default)]
    pub split: SplitSection,
    /// Handcrafted radiomics.
    #[serde(default)]
    pub radiomics: RadiomicsSection,
    /// Deep features.
    #[serde(default)]
    pub deep: DeepSection,
    /// Feature selection thresholds.
    #[serde(default)]
    pub selection: SelectionSection,
    /// Which models to fit and their settings.
    #[serde(default)]
    pub models: ModelsSection,
    /// Evaluation options.
    #[serde(default)]
    pub evaluation: EvaluationSection,
    /// Folder the config was read from (paths are relative to it); not part of the TOML.
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// `[study]`: what the study reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StudySection {
    /// Human-readable study name (report title).
    pub name: String,
    /// Manifest CSV (patients × phases × readers → image, mask).
    pub manifest: PathBuf,
    /// Clinical CSV with the outcome and covariates; optional when the manifest carries the label.
    #[serde(default)]
    pub clinical: Option<PathBuf>,
    /// Outcome column (0/1) in the clinical table, or the manifest's label column.
    pub outcome: String,
    /// Value of the outcome column that means "event" when it is not 0/1 (e.g. `malignant`).
    #[serde(default)]
    pub positive: Option<String>,
    /// Phase names, in report order (`["US", "AP", "PP"]`).
    pub phases: Vec<String>,
    /// Reader identifiers present in the manifest; two or more enable the ICC filter.
    #[serde(default)]
    pub readers: Vec<String>,
    /// Reader whose ROIs are used for modelling.
    #[serde(default)]
    pub primary_reader: Option<String>,
    /// Clinical covariates offered to the clinical model.
    #[serde(default)]
    pub clinical_covariates: Vec<String>,
    /// Manifest column mapping for manifests not in the default layout (`[study.columns]`:
    /// id, phase, image, mask, reader, lesion, extra_masks, fixed_phase, label, positive, negative).
    #[serde(default)]
    pub columns: dlr_study::ManifestColumns,
}

/// `[split]`: how patients are divided into training and test cohorts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SplitSection {
    /// Fraction of patients in the test cohort (stratified by outcome).
    pub test_fraction: f64,
    /// Seed of the split.
    pub seed: u64,
    /// What to do with near-duplicate images across patients.
    pub duplicates: DuplicatePolicy,
    /// Correlation of the downscaled images above which two images count as near duplicates.
    pub duplicate_threshold: f64,
}

impl Default for SplitSection {
    fn default() -> Self {
        Self {
            test_fraction: 0.3,
            seed: 42,
            duplicates: DuplicatePolicy::Group,
            duplicate_threshold: 0.95,
        }
    }
}

/// What the split does with near-duplicate images of different patients.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DuplicatePolicy {
    /// Keep each near-duplicate cluster on one side of the split (default).
    Group,
    /// Keep one patient per cluster; the others are excluded with a reason.
    Drop,
    /// Split as usual and only flag pairs that straddle the split.
    Keep,
}

/// The deep backbone setting: a fixed architecture or `auto`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
pub enum BackboneSetting {
    /// ResNet-50 when its weights are found, else EfficientNet-Lite0.
    #[serde(rename = "auto")]
    #[value(name = "auto")]
    Auto,
    /// torchvision ResNet-50 (ImageNet weights; 2048 features).
    #[serde(rename = "resnet50")]
    #[value(name = "resnet50")]
    Resnet50,
    /// EfficientNet-Lite0 (ImageNet weights; 1280 features).
    #[serde(rename = "efficientnet-lite0")]
    #[value(name = "efficientnet-lite0")]
    EfficientnetLite0,
}

impl BackboneSetting {
    /// The fixed architecture, or `None` for `auto`.
    pub fn kind(self) -> Option<dlr_deep::BackboneKind> {
        match self {
            BackboneSetting::Auto => None,
            BackboneSetting::Resnet50 => Some(dlr_deep::BackboneKind::ResNet50),
            BackboneSetting::EfficientnetLite0 => Some(dlr_deep::BackboneKind::EfficientNetLite0),
        }
    }
}

/// Correlation used by the redundancy filter.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CorrelationSetting {
    /// Pearson's r (the paper's).
    Pearson,
    /// Spearman's rho.
    Spearman,
    /// The larger of |Pearson| and |Spearman|.
    Max,
}

impl CorrelationSetting {
    /// The selection crate's method.
    pub fn method(self) -> dlr_learn::CorrelationMethod {
        match self {
            CorrelationSetting::Pearson => dlr_learn::CorrelationMethod::Pearson,
            CorrelationSetting::Spearman => dlr_learn::CorrelationMethod::Spearman,
            CorrelationSetting::Max => dlr_learn::CorrelationMethod::MaxAbs,
        }
    }
}

/// Which lambda of the LASSO cross-validation is used.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
pub enum LambdaRule {
    /// lambda.min: the lowest mean CV deviance (default, as the paper).
    #[serde(rename = "min")]
    #[value(name = "min")]
    Min,
    /// lambda.1se: the largest lambda within one standard error of the minimum.
    #[serde(rename = "1se")]
    #[value(name = "1se")]
    OneSe,
}

impl LambdaRule {
    /// The LASSO crate's choice.
    pub fn choice(self) -> dlr_learn::LambdaChoice {
        match self {
            LambdaRule::Min => dlr_learn::LambdaChoice::Min,
            LambdaRule::OneSe => dlr_learn::LambdaChoice::OneSe,
        }
    }
}

/// Kernel of the deep model's SVM.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SvmKernelSetting {
    /// Gaussian RBF with gamma = 1 / n_features (libsvm's default; default).
    Rbf,
    /// Linear kernel.
    Linear,
}

/// Confidence interval method for proportions (sensitivity, specificity, PPV, NPV, accuracy).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ProportionCiSetting {
    /// Wilson score interval (default).
    Wilson,
    /// Exact Clopper–Pearson interval.
    ClopperPearson,
}

impl ProportionCiSetting {
    /// The statistics crate's method.
    pub fn method(self) -> dlr_stats::BinomialCi {
        match self {
            ProportionCiSetting::Wilson => dlr_stats::BinomialCi::Wilson,
            ProportionCiSetting::ClopperPearson => dlr_stats::BinomialCi::ClopperPearson,
        }
    }

    /// Name for the report.
    pub fn label(self) -> &'static str {
        match self {
            ProportionCiSetting::Wilson => "Wilson",
            ProportionCiSetting::ClopperPearson => "Clopper–Pearson",
        }
    }
}

/// The study's models, in report order.
#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum ModelName {
    /// Random forest on the selected handcrafted radiomics (rad-score features).
    Radiomics,
    /// SVM on the selected deep features.
    Deep,
    /// Logistic regression on clinical covariates.
    Clinical,
    /// Stacked combination of the fitted models.
    Combined,
}

impl ModelName {
    /// Every model, in report order.
    pub const ALL: [ModelName; 4] = [
        ModelName::Radiomics,
        ModelName::Deep,
        ModelName::Clinical,
        ModelName::Combined,
    ];

    /// The model of a name as written in files; `None` for any other text.
    pub fn parse(name: &str) -> Option<ModelName> {
        ModelName::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// The name as written in files (`radiomics`, `deep`, `clinical`, `combined`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ModelName::Radiomics => "radiomics",
            ModelName::Deep => "deep",
            ModelName::Clinical => "clinical",
            ModelName::Combined => "combined",
        }
    }
}

impl std::fmt::Display for ModelName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Radiomics feature presets.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// MaZda 2D set with MaZda names (the paper's).
    Mazda,
    /// IBSI-1 families with IBSI tags.
    Ibsi,
    /// PyRadiomics-compatible names and defaults.
    Pyradiomics,
}

impl Preset {
    /// Name as written in configs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Mazda => "mazda",
            Preset::Ibsi => "ibsi",
            Preset::Pyradiomics => "pyradiomics",
        }
    }
}

/// `[radiomics]`: handcrafted features.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct RadiomicsSection {
    /// Compute handcrafted radiomics at all.
    pub enabled: bool,
    /// Feature preset.
    pub preset: Preset,
    /// Optional preset settings file (TOML) overriding the preset's defaults.
    pub settings: Option<PathBuf>,
}

impl Default for RadiomicsSection {
    fn default() -> Self {
        Self {
            enabled: true,
            preset: Preset::Mazda,
            settings: None,
        }
    }
}

/// `[deep]`: deep features.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeepSection {
    /// Compute deep features at all.
    pub enabled: bool,
    /// Architecture: `auto` (ResNet-50 when its weights are found, else EfficientNet-Lite0),
    /// `resnet50` or `efficientnet-lite0`.
    pub backbone: BackboneSetting,
    /// Weights file; when absent the weights cache is searched.
    pub weights: Option<PathBuf>,
    /// Margin around the ROI bounding box, as a fraction of its size.
    pub margin: f64,
    /// How the ROI box becomes the network input (`box` or `square`).
    pub crop: DeepCrop,
    /// Colour handling: `auto` (RGB for truly colour images, else grey replicated), `grey`, `rgb`.
    pub colour: dlr_deep::DeepColour,
}

impl Default for DeepSection {
    fn default() -> Self {
        Self {
            enabled: true,
            backbone: BackboneSetting::Auto,
            weights: None,
            margin: 0.10,
            crop: DeepCrop::Box,
            colour: dlr_deep::DeepColour::Auto,
        }
    }
}

impl DeepSection {
    /// The ROI crop options these settings describe.
    pub fn crop_options(&self) -> dlr_deep::CropOptions {
        dlr_deep::CropOptions {
            colour: self.colour,
            ..self.crop.options(self.margin)
        }
    }
}

/// The ROI crop rule of the deep-feature stage.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DeepCrop {
    /// Mask bounding box plus margin, clipped to the image, resized to 224×224 without keeping
    /// the aspect ratio (the paper's and the BUSI reference pipeline's crop; default).
    Box,
    /// The same box padded with zeros to a square, so the resize keeps the aspect ratio.
    Square,
}

impl DeepCrop {
    /// The crop options of this rule with `margin`.
    pub fn options(self, margin: f64) -> dlr_deep::CropOptions {
        match self {
            DeepCrop::Box => dlr_deep::CropOptions::bounding_box(margin),
            DeepCrop::Square => dlr_deep::CropOptions {
                margin,
                ..Default::default()
            },
        }
    }
}

/// `[selection]`: the selection chain, run on training patients only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SelectionSection {
    /// Keep features whose inter-reader ICC exceeds this.
    pub icc_threshold: f64,
    /// Keep features whose Mann–Whitney p is below this.
    pub p_threshold: f64,
    /// Apply Benjamini–Hochberg FDR to the Mann–Whitney p-values.
    pub fdr: bool,
    /// Drop the later of two features whose |r| exceeds this.
    pub correlation_threshold: f64,
    /// Correlation of the redundancy filter.
    pub correlation_method: CorrelationSetting,
    /// Folds of the LASSO cross-validation.
    pub lasso_folds: usize,
    /// Which lambda of the LASSO CV is used.
    pub lambda_rule: LambdaRule,
}

impl Default for SelectionSection {
    fn default() -> Self {
        Self {
            icc_threshold: 0.75,
            p_threshold: 0.05,
            fdr: false,
            correlation_threshold: 0.6,
            correlation_method: CorrelationSetting::Pearson,
            lasso_folds: 10,
            lambda_rule: LambdaRule::Min,
        }
    }
}

/// `[models]`: which models to fit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ModelsSection {
    /// Random forest on the selected radiomics features.
    pub radiomics: bool,
    /// SVM on the selected deep features.
    pub deep: bool,
    /// Logistic regression on clinical covariates.
    pub clinical: bool,
    /// Members of the stacked combined model (the paper's DLR model: `["radiomics", "deep"]`;
    /// the clinical model joins only when listed; `[]` or `false` switches it off, `true` means
    /// the default members).
    #[serde(deserialize_with = "combined_members")]
    pub combined: Vec<ModelName>,
    /// Trees in the random forest.
    pub rf_trees: usize,
    /// SVM kernel of the deep model.
    pub svm_kernel: SvmKernelSetting,
    /// Seed of the models.
    pub seed: u64,
}

impl Default for ModelsSection {
    fn default() -> Self {
        Self {
            radiomics: true,
            deep: true,
            clinical: true,
            combined: vec![ModelName::Radiomics, ModelName::Deep],
            rf_trees: 500,
            svm_kernel: SvmKernelSetting::Rbf,
            seed: 7,
        }
    }
}

impl ModelsSection {
    /// Whether the combined model is switched on.
    pub fn combined_on(&self) -> bool {
        !self.combined.is_empty()
    }

    /// Whether a base model's inputs are needed: switched on itself or a member of the stack.
    pub fn needs(&self, model: ModelName) -> bool {
        let own = match model {
            ModelName::Radiomics => self.radiomics,
            ModelName::Deep => self.deep,
            ModelName::Clinical => self.clinical,
            ModelName::Combined => self.combined_on(),
        };
        own || self.combined.contains(&model)
    }

    /// Whether a model is switched on in `[models]`.
    pub fn is_on(&self, model: ModelName) -> bool {
        match model {
            ModelName::Radiomics => self.radiomics,
            ModelName::Deep => self.deep,
            ModelName::Clinical => self.clinical,
            ModelName::Combined => self.combined_on(),
        }
    }
}

/// `[models] combined`: a list of base models, or `true` (the default members) / `false` (off).
fn combined_members<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<ModelName>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Members {
        Switch(bool),
        List(Vec<ModelName>),
    }
    match Members::deserialize(d).map_err(|_| {
        serde::de::Error::custom(
            "expected a list of base models from \"radiomics\", \"deep\", \"clinical\" (e.g. [\"radiomics\", \"deep\"]), or true / false",
        )
    })? {
        Members::Switch(true) => Ok(ModelsSection::default().combined),
        Members::Switch(false) => Ok(Vec::new()),
        Members::List(list) => Ok(list),
    }
}

/// `[evaluation]`: evaluation options.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EvaluationSection {
    /// Confidence interval for proportions.
    pub proportion_ci: ProportionCiSetting,
    /// Stratified bootstrap replicates for an additional AUC CI (0 = off).
    pub bootstrap: usize,
    /// Fit the ROI-shape-only baseline model.
    pub shape_baseline: bool,
    /// Warn when the shape-only test AUC comes within this margin of the best model's.
    pub shape_margin: f64,
    /// Folds of the out-of-fold training predictions (the whole chain refitted in each; the
    /// random forest uses its out-of-bag predictions instead).
    pub oof_folds: usize,
}

impl Default for EvaluationSection {
    fn default() -> Self {
        Self {
            proportion_ci: ProportionCiSetting::Wilson,
            bootstrap: 0,
            shape_baseline: true,
            shape_margin: 0.05,
            oof_folds: 5,
        }
    }
}

/// The 1-based line of `key` inside `[section]` of `raw`, when it can be found.
fn line_of(raw: &str, section: &str, key: &str) -> Option<usize> {
    let mut in_section = false;
    for (i, line) in raw.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_section = t.trim_start_matches('[').trim_end_matches(']').trim() == section;
            continue;
        }
        if in_section {
            if let Some((k, _)) = t.split_once('=') {
                if k.trim() == key {
                    return Some(i + 1);
                }
            }
        }
    }
    None
}

impl StudyConfig {
    /// Reads and validates a `study.toml`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let raw = std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Self::from_toml_str(&raw, &base).map_err(|e| match e {
            PipelineError::Config { message, .. } => PipelineError::Config {
                file: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// Parses and validates TOML text; `base_dir` resolves relative paths.
    pub fn from_toml_str(raw: &str, base_dir: &Path) -> Result<Self> {
        let mut cfg: StudyConfig = toml::from_str(raw).map_err(|e| PipelineError::Config {
            file: PathBuf::from("<study.toml>"),
            message: e.to_string(),
        })?;
        cfg.base_dir = base_dir.to_path_buf();
        cfg.validate(raw)?;
        Ok(cfg)
    }

    /// Checks values that parse but cannot be right; each error names line, key and fix.
    pub fn validate(&self, raw: &str) -> Result<()> {
        let bad = |section: &str, key: &str, msg: String| -> PipelineError {
            let at = line_of(raw, section, key)
                .map(|l| format!("line {l}: "))
                .unwrap_or_default();
            PipelineError::Config {
                file: PathBuf::from("<study.toml>"),
                message: format!("{at}{section}.{key}: {msg}"),
            }
        };
        if self.study.phases.is_empty() {
            return Err(bad(
                "study",
                "phases",
                "no phases given; list at least one, e.g. phases = [\"US\"]".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.study.phases {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(bad("study", "phases", format!("phase name {p:?} must be non-empty letters/digits (it prefixes feature names)")));
            }
            if !seen.insert(p) {
                return Err(bad(
                    "study",
                    "phases",
                    format!("phase {p:?} is listed twice"),
                ));
            }
        }
        if let Some(pr) = &self.study.primary_reader {
            if !self.study.readers.is_empty() && !self.study.readers.contains(pr) {
                return Err(bad(
                    "study",
                    "primary_reader",
                    format!("{pr:?} is not one of readers {:?}", self.study.readers),
                ));
            }
        }
        let s = &self.split;
        if !(s.test_fraction > 0.0 && s.test_fraction < 1.0) {
            return Err(bad(
                "split",
                "test_fraction",
                format!("{} is outside (0, 1); the paper uses 0.3", s.test_fraction),
            ));
        }
        if !(s.duplicate_threshold > 0.0 && s.duplicate_threshold <= 1.0) {
            return Err(bad(
                "split",
                "duplicate_threshold",
                format!(
                    "{} is outside (0, 1]; 0.95 is the default",
                    s.duplicate_threshold
                ),
            ));
        }
        let sel = &self.selection;
        if !(0.0..=1.0).contains(&sel.icc_threshold) {
            return Err(bad(
                "selection",
                "icc_threshold",
                format!(
                    "{} is outside [0, 1]; the paper uses 0.75",
                    sel.icc_threshold
                ),
            ));
        }
        if !(sel.p_threshold > 0.0 && sel.p_threshold <= 1.0) {
            return Err(bad(
                "selection",
                "p_threshold",
                format!("{} is outside (0, 1]; the paper uses 0.05", sel.p_threshold),
            ));
        }
        if !(sel.correlation_threshold > 0.0 && sel.correlation_threshold <= 1.0) {
            return Err(bad(
                "selection",
                "correlation_threshold",
                format!(
                    "{} is outside (0, 1]; the paper uses 0.6",
                    sel.correlation_threshold
                ),
            ));
        }
        if sel.lasso_folds < 3 {
            return Err(bad(
                "selection",
                "lasso_folds",
                format!(
                    "{} folds is too few; use 3 or more (the paper uses 10)",
                    sel.lasso_folds
                ),
            ));
        }
        let m = &self.models;
        if m.rf_trees == 0 {
            return Err(bad(
                "models",
                "rf_trees",
                "must be at least 1 (500 is usual)".into(),
            ));
        }
        if self.evaluation.oof_folds < 2 {
            return Err(bad(
                "evaluation",
                "oof_folds",
                format!(
                    "{} folds cannot give out-of-fold predictions; use 2 or more (5 is the default)",
                    self.evaluation.oof_folds
                ),
            ));
        }
        if !(0.0..=2.0).contains(&self.deep.margin) {
            return Err(bad(
                "deep",
                "margin",
                format!(
                    "{} is outside [0, 2] (a fraction of the ROI size; 0.1 is usual)",
                    self.deep.margin
                ),
            ));
        }
        if m.combined.contains(&ModelName::Combined) {
            return Err(bad(
                "models",
                "combined",
                "the combined model cannot be its own member; list base models only".into(),
            ));
        }
        let mut seen_members = std::collections::BTreeSet::new();
        if let Some(dup) = m.combined.iter().find(|x| !seen_members.insert(**x)) {
            return Err(bad("models", "combined", format!("{dup} is listed twice")));
        }
        if m.combined.len() == 1 {
            return Err(bad(
                "models",
                "combined",
                "a combined model needs at least two members, e.g. [\"radiomics\", \"deep\"]"
                    .into(),
            ));
        }
        if !m.radiomics && !m.deep && !m.clinical {
            return Err(bad(
                "models",
                "radiomics",
                "every model is switched off; enable at least one".into(),
            ));
        }
        Ok(())
    }

    /// Resolves a path from the config against the config's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[study]
name = "t"
manifest = "manifest.csv"
clinical = "clinical.csv"
outcome = "recurrence_1y"
phases = ["US", "AP", "PP"]
readers = ["1", "2"]
primary_reader = "1"
[split]
test_fraction = 0.3
seed = 5
"#;

    #[test]
    fn minimal_config_gets_paper_defaults() {
        let c = StudyConfig::from_toml_str(MINIMAL, Path::new("/x")).unwrap();
        assert_eq!(c.selection.icc_threshold, 0.75);
        assert_eq!(c.selection.p_threshold, 0.05);
        assert_eq!(c.selection.correlation_threshold, 0.6);
        assert_eq!(c.selection.lasso_folds, 10);
        assert_eq!(c.radiomics.preset, Preset::Mazda);
        assert_eq!(c.split.seed, 5);
        assert_eq!(c.resolve(Path::new("m.csv")), PathBuf::from("/x/m.csv"));
    }

    #[test]
    fn deep_crop_rule_defaults_to_box_and_rejects_unknown_rules() {
        let c = StudyConfig::from_toml_str(MINIMAL, Path::new(".")).unwrap();
        assert_eq!(c.deep.crop, DeepCrop::Box);
        let o = c.deep.crop_options();
        assert!(!o.square && o.clip_to_image && o.margin == 0.10);
        let raw = format!("{MINIMAL}[deep]\ncrop = \"square\"\nmargin = 0.2\n");
        let c = StudyConfig::from_toml_str(&raw, Path::new(".")).unwrap();
        let o = c.deep.crop_options();
        assert!(o.square && !o.clip_to_image && o.margin == 0.2);
        let raw = format!("{MINIMAL}[deep]\ncrop = \"circle\"\n");
        let e = StudyConfig::from_toml_str(&raw, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("circle") && e.contains("line 14"), "{e}");
    }

    #[test]
    fn combined_defaults_to_radiomics_plus_deep_and_accepts_lists_and_switches() {
        let c = StudyConfig::from_toml_str(MINIMAL, Path::new(".")).unwrap();
        assert_eq!(c.models.combined, [ModelName::Radiomics, ModelName::Deep]);
        assert!(
            c.models.needs(ModelName::Deep) && !c.models.combined.contains(&ModelName::Clinical)
        );
        let with = |v: &str| {
            StudyConfig::from_toml_str(
                &format!("{MINIMAL}[models]\ncombined = {v}\n"),
                Path::new("."),
            )
        };
        assert_eq!(
            with("[\"radiomics\", \"deep\", \"clinical\"]")
                .unwrap()
                .models
                .combined
                .len(),
            3
        );
        assert!(with("false").unwrap().models.combined.is_empty());
        assert_eq!(
            with("true").unwrap().models.combined,
            [ModelName::Radiomics, ModelName::Deep]
        );
        let e = with("[\"radiomics\"]").unwrap_err().to_string();
        assert!(e.contains("at least two") && e.contains("line 14"), "{e}");
        let e = with("[\"radiomics\", \"shape\"]").unwrap_err().to_string();
        assert!(e.contains("radiomics") && e.contains("true / false"), "{e}");
    }

    #[test]
    fn unknown_key_is_an_error_with_its_line() {
        let raw = MINIMAL.replace("seed = 5", "seed = 5\ntest_fractoin = 0.2");
        let e = StudyConfig::from_toml_str(&raw, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("test_fractoin"), "{e}");
        assert!(e.contains("line 13"), "{e}");
    }

    #[test]
    fn impossible_value_names_line_key_and_fix() {
        let raw = MINIMAL.replace("test_fraction = 0.3", "test_fraction = 1.5");
        let e = StudyConfig::from_toml_str(&raw, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 11"), "{e}");
        assert!(e.contains("split.test_fraction"), "{e}");
        assert!(e.contains("0.3"), "{e}");
        let raw = format!("{MINIMAL}[selection]\ncorrelation_method = \"kendall\"\n");
        let e = StudyConfig::from_toml_str(&raw, Path::new("."))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 14") && e.contains("kendall"), "{e}");
    }

    #[test]
    fn wrong_primary_reader_and_duplicate_phase_are_errors() {
        let raw = MINIMAL.replace("primary_reader = \"1\"", "primary_reader = \"3\"");
        assert!(StudyConfig::from_toml_str(&raw, Path::new(".")).is_err());
        let raw = MINIMAL.replace("[\"US\", \"AP\", \"PP\"]", "[\"US\", \"US\"]");
        assert!(StudyConfig::from_toml_str(&raw, Path::new(".")).is_err());
    }
}
