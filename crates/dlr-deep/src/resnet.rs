//! ResNet-18/34/50/101 with torchvision's layer names and semantics (v1.5: stride on the 3×3
//! convolution of the bottleneck), batch norm in eval mode folded into the convolutions.

use crate::error::Result;
use crate::ops::{
    max_pool_3x3_s2, Activation, BatchNorm, BufferPool, Conv2d, FeatureMap, Linear, Padding,
};
use crate::store::TensorStore;

/// Batch-norm ε used by torchvision ResNets.
const BN_EPS: f64 = 1e-5;

/// Depth of a ResNet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResNetDepth {
    /// ResNet-18 (basic blocks 2-2-2-2).
    R18,
    /// ResNet-34 (basic blocks 3-4-6-3).
    R34,
    /// ResNet-50 (bottlenecks 3-4-6-3).
    R50,
    /// ResNet-101 (bottlenecks 3-4-23-3).
    R101,
}

impl ResNetDepth {
    fn blocks(self) -> [usize; 4] {
        match self {
            ResNetDepth::R18 => [2, 2, 2, 2],
            ResNetDepth::R34 | ResNetDepth::R50 => [3, 4, 6, 3],
            ResNetDepth::R101 => [3, 4, 23, 3],
        }
    }

    fn bottleneck(self) -> bool {
        matches!(self, ResNetDepth::R50 | ResNetDepth::R101)
    }

    /// Width of the pooled feature vector (512 or 2048).
    pub fn feature_dim(self) -> usize {
        if self.bottleneck() {
            2048
        } else {
            512
        }
    }
}

/// Every parameter tensor of a torchvision ResNet with its shape, in state-dict order (batch-norm
/// `num_batches_tracked` counters excluded).
pub fn resnet_param_shapes(depth: ResNetDepth) -> Vec<(String, Vec<usize>)> {
    let mut v = Vec::new();
    let bn = |v: &mut Vec<(String, Vec<usize>)>, p: &str, c: usize| {
        for s in ["weight", "bias", "running_mean", "running_var"] {
            v.push((format!("{p}.{s}"), vec![c]));
        }
    };
    v.push(("conv1.weight".into(), vec![64, 3, 7, 7]));
    bn(&mut v, "bn1", 64);
    let exp = if depth.bottleneck() { 4 } else { 1 };
    let mut inplanes = 64;
    for (li, &nb) in depth.blocks().iter().enumerate() {
        let planes = 64 << li;
        for b in 0..nb {
            let p = format!("layer{}.{b}", li + 1);
            let cin = if b == 0 { inplanes } else { planes * exp };
            if depth.bottleneck() {
                v.push((format!("{p}.conv1.weight"), vec![planes, cin, 1, 1]));
                bn(&mut v, &format!("{p}.bn1"), planes);
                v.push((format!("{p}.conv2.weight"), vec![planes, planes, 3, 3]));
                bn(&mut v, &format!("{p}.bn2"), planes);
                v.push((format!("{p}.conv3.weight"), vec![planes * 4, planes, 1, 1]));
                bn(&mut v, &format!("{p}.bn3"), planes * 4);
            } else {
                v.push((format!("{p}.conv1.weight"), vec![planes, cin, 3, 3]));
                bn(&mut v, &format!("{p}.bn1"), planes);
                v.push((format!("{p}.conv2.weight"), vec![planes, planes, 3, 3]));
                bn(&mut v, &format!("{p}.bn2"), planes);
            }
            let stride = if b == 0 && li > 0 { 2 } else { 1 };
            if b == 0 && (stride != 1 || cin != planes * exp) {
                v.push((
                    format!("{p}.downsample.0.weight"),
                    vec![planes * exp, cin, 1, 1],
                ));
                bn(&mut v, &format!("{p}.downsample.1"), planes * exp);
            }
        }
        inplanes = planes * exp;
    }
    v.push(("fc.weight".into(), vec![1000, inplanes]));
    v.push(("fc.bias".into(), vec![1000]));
    v
}

/// Builds a convolution named `conv` followed by batch norm `bn` from the store.
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv_bn(
    store: &TensorStore,
    conv: &str,
    bn: &str,
    cout: usize,
    cin: usize,
    k: usize,
    stride: usize,
    padding: Padding,
    depthwise: bool,
    eps: f64,
    act: Activation,
) -> Result<Conv2d> {
    let wshape = [cout, if depthwise { 1 } else { cin }, k, k];
    let w = store.expect(&format!("{conv}.weight"), &wshape)?;
    let g = store.expect(&format!("{bn}.weight"), &[cout])?;
    let b = store.expect(&format!("{bn}.bias"), &[cout])?;
    let m = store.expect(&format!("{bn}.running_mean"), &[cout])?;
    let v = store.expect(&format!("{bn}.running_var"), &[cout])?;
    Conv2d::from_torch(
        &w.data,
        cout,
        cin,
        k,
        stride,
        padding,
        depthwise,
        None,
        Some(BatchNorm {
            gamma: &g.data,
            beta: &b.data,
            mean: &m.data,
            var: &v.data,
            eps,
        }),
        act,
    )
}

#[derive(Debug, Clone)]
struct Block {
    convs: Vec<Conv2d>,
    downsample: Option<Conv2d>,
}

impl Block {
    /// Runs the block; intermediate buffers come from and go back to `pool`.
    fn forward(&self, x: &FeatureMap, pool: &mut BufferPool) -> Result<FeatureMap> {
        let (last, inner) = match self.convs.split_last() {
            Some(v) => v,
            None => return Err(crate::DeepError::Invalid("empty residual block".into())),
        };
        let mut h: Option<FeatureMap> = None;
        for c in inner {
            let next = c.forward_pooled(h.as_ref().unwrap_or(x), None, pool)?;
            if let Some(old) = h.replace(next) {
                pool.give(old.data);
            }
        }
        let branch_in = h.as_ref().unwrap_or(x);
        let out = match &self.downsample {
            Some(d) => {
                let shortcut = d.forward_pooled(x, None, pool)?;
                let out = last.forward_pooled(branch_in, Some(&shortcut), pool);
                pool.give(shortcut.data);
                out
            }
            None => last.forward_pooled(branch_in, Some(x), pool),
        };
        if let Some(old) = h {
            pool.give(old.data);
        }
        out
    }
}

/// What a forward pass returns.
#[derive(Debug, Clone, Default)]
pub struct ForwardOutput {
    /// Global-average-pooled features, one vector per image.
    pub pooled: Vec<Vec<f32>>,
    /// Classifier logits (1000 ImageNet classes), when requested.
    pub logits: Option<Vec<Vec<f32>>>,
    /// Intermediate stage outputs (NHWC), when requested: stem, then each stage.
    pub stages: Vec<FeatureMap>,
}

/// A ResNet ready for inference.
#[derive(Debug, Clone)]
pub struct ResNet {
    depth: ResNetDepth,
    stem: Conv2d,
    layers: Vec<Vec<Block>>,
    fc: Linear,
}

impl ResNet {
    /// Builds the network from a torchvision state dict (BN folded at load time).
    pub fn from_store(depth: ResNetDepth, store: &TensorStore) -> Result<Self> {
        let relu = Activation::Relu;
        let stem = conv_bn(
            store,
            "conv1",
            "bn1",
            64,
            3,
            7,
            2,
            Padding::Symmetric(3),
            false,
            BN_EPS,
            relu,
        )?;
        let exp = if depth.bottleneck() { 4 } else { 1 };
        let mut inplanes = 64;
        let mut layers = Vec::new();
        for (li, &nb) in depth.blocks().iter().enumerate() {
            let planes = 64 << li;
            let mut blocks = Vec::new();
            for b in 0..nb {
                let p = format!("layer{}.{b}", li + 1);
                let cin = if b == 0 { inplanes } else { planes * exp };
                let stride = if b == 0 && li > 0 { 2 } else { 1 };
                let cb = |c: &str, n: &str, co, ci, k, s, pad| {
                    conv_bn(
                        store,
                        &format!("{p}.{c}"),
                        &format!("{p}.{n}"),
                        co,
                        ci,
                        k,
                        s,
                        Padding::Symmetric(pad),
                        false,
                        BN_EPS,
                        relu,
                    )
                };
                let convs = if depth.bottleneck() {
                    vec![
                        cb("conv1", "bn1", planes, cin, 1, 1, 0)?,
                        cb("conv2", "bn2", planes, planes, 3, stride, 1)?,
                        cb("conv3", "bn3", planes * 4, planes, 1, 1, 0)?,
                    ]
                } else {
                    vec![
                        cb("conv1", "bn1", planes, cin, 3, stride, 1)?,
                        cb("conv2", "bn2", planes, planes, 3, 1, 1)?,
                    ]
                };
                let downsample = if b == 0 && (stride != 1 || cin != planes * exp) {
                    Some(conv_bn(
                        store,
                        &format!("{p}.downsample.0"),
                        &format!("{p}.downsample.1"),
                        planes * exp,
                        cin,
                        1,
                        stride,
                        Padding::Symmetric(0),
                        false,
                        BN_EPS,
                        Activation::None,
                    )?)
                } else {
                    None
                };
                blocks.push(Block { convs, downsample });
            }
            layers.push(blocks);
            inplanes = planes * exp;
        }
        let fw = store.expect("fc.weight", &[1000, inplanes])?;
        let fb = store.expect("fc.bias", &[1000])?;
        let fc = Linear::from_torch(&fw.data, &fb.data, 1000, inplanes)?;
        Ok(Self {
            depth,
            stem,
            layers,
            fc,
        })
    }

    /// Network depth.
    pub fn depth(&self) -> ResNetDepth {
        self.depth
    }

    /// Runs the network on an NHWC batch; logits and stage outputs only when asked for.
    pub fn forward(&self, x: &FeatureMap, logits: bool, stages: bool) -> Result<ForwardOutput> {
        let mut out = ForwardOutput::default();
        let mut pool = BufferPool::default();
        let stem = self.stem.forward_pooled(x, None, &mut pool)?;
        let mut h = max_pool_3x3_s2(&stem);
        pool.give(stem.data);
        if stages {
            out.stages.push(h.clone());
        }
        for layer in &self.layers {
            for block in layer {
                let next = block.forward(&h, &mut pool)?;
                pool.give(std::mem::replace(&mut h, next).data);
            }
            if stages {
                out.stages.push(h.clone());
            }
        }
        out.pooled = h.global_mean();
        if logits {
            out.logits = Some(self.fc.forward(&out.pooled));
        }
        Ok(out)
    }
}
