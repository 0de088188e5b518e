//! EfficientNet-Lite0 as in the `efficientnet-lite-pytorch` port
//! (`EfficientNet.from_name('efficientnet-lite0')`): MBConv blocks without squeeze-excitation,
//! ReLU6, batch norm (ε = 1e-3) in eval mode folded into the convolutions, TensorFlow "SAME"
//! padding (the port's `Conv2dStaticSamePadding` for 224×224 input, which equals the dynamic rule
//! at that size). Pooled features are the global mean of the head (conv → BN → ReLU6), 1280-d.

use crate::error::Result;
use crate::ops::{Activation, Conv2d, FeatureMap, Linear, Padding};
use crate::resnet::{conv_bn, ForwardOutput};
use crate::store::TensorStore;

/// Batch-norm ε of the EfficientNet-Lite port.
const BN_EPS: f64 = 1e-3;

/// Stage table of EfficientNet-Lite0: (repeats, kernel, stride, expand ratio, in, out).
const STAGES: [(usize, usize, usize, usize, usize, usize); 7] = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
];

/// (block index, kernel, stride, expand ratio, in, out) for every MBConv block.
fn blocks() -> Vec<(usize, usize, usize, usize, usize, usize)> {
    let mut v = Vec::new();
    for &(r, k, s, e, i, o) in &STAGES {
        for j in 0..r {
            let (cin, st) = if j == 0 { (i, s) } else { (o, 1) };
            v.push((v.len(), k, st, e, cin, o));
        }
    }
    v
}

/// Every parameter tensor of EfficientNet-Lite0 with its shape (state-dict order, batch-norm
/// counters excluded).
pub fn effnet_lite0_param_shapes() -> Vec<(String, Vec<usize>)> {
    let mut v = Vec::new();
    let bn = |v: &mut Vec<(String, Vec<usize>)>, p: &str, c: usize| {
        for s in ["weight", "bias", "running_mean", "running_var"] {
            v.push((format!("{p}.{s}"), vec![c]));
        }
    };
    v.push(("_conv_stem.weight".into(), vec![32, 3, 3, 3]));
    bn(&mut v, "_bn0", 32);
    for (b, k, _s, e, cin, cout) in blocks() {
        let p = format!("_blocks.{b}");
        let mid = cin * e;
        if e != 1 {
            v.push((format!("{p}._expand_conv.weight"), vec![mid, cin, 1, 1]));
            bn(&mut v, &format!("{p}._bn0"), mid);
        }
        v.push((format!("{p}._depthwise_conv.weight"), vec![mid, 1, k, k]));
        bn(&mut v, &format!("{p}._bn1"), mid);
        v.push((format!("{p}._project_conv.weight"), vec![cout, mid, 1, 1]));
        bn(&mut v, &format!("{p}._bn2"), cout);
    }
    v.push(("_conv_head.weight".into(), vec![1280, 320, 1, 1]));
    bn(&mut v, "_bn1", 1280);
    v.push(("_fc.weight".into(), vec![1000, 1280]));
    v.push(("_fc.bias".into(), vec![1000]));
    v
}

#[derive(Debug, Clone)]
struct MbConv {
    expand: Option<Conv2d>,
    depthwise: Conv2d,
    project: Conv2d,
    skip: bool,
}

/// EfficientNet-Lite0 ready for inference.
#[derive(Debug, Clone)]
pub struct EfficientNetLite0 {
    stem: Conv2d,
    blocks: Vec<MbConv>,
    head: Conv2d,
    fc: Linear,
}

impl EfficientNetLite0 {
    /// Builds the network from the port's state dict (BN folded at load time).
    pub fn from_store(store: &TensorStore) -> Result<Self> {
        let r6 = Activation::Relu6;
        let same = Padding::Same;
        let stem = conv_bn(
            store,
            "_conv_stem",
            "_bn0",
            32,
            3,
            3,
            2,
            same,
            false,
            BN_EPS,
            r6,
        )?;
        let mut bl = Vec::new();
        for (b, k, s, e, cin, cout) in blocks() {
            let p = format!("_blocks.{b}");
            let mid = cin * e;
            let expand = if e != 1 {
                Some(conv_bn(
                    store,
                    &format!("{p}._expand_conv"),
                    &format!("{p}._bn0"),
                    mid,
                    cin,
                    1,
                    1,
                    same,
                    false,
                    BN_EPS,
                    r6,
                )?)
            } else {
                None
            };
            let depthwise = conv_bn(
                store,
                &format!("{p}._depthwise_conv"),
                &format!("{p}._bn1"),
                mid,
                mid,
                k,
                s,
                same,
                true,
                BN_EPS,
                r6,
            )?;
            let project = conv_bn(
                store,
                &format!("{p}._project_conv"),
                &format!("{p}._bn2"),
                cout,
                mid,
                1,
                1,
                same,
                false,
                BN_EPS,
                Activation::None,
            )?;
            bl.push(MbConv {
                expand,
                depthwise,
                project,
                skip: s == 1 && cin == cout,
            });
        }
        let head = conv_bn(
            store,
            "_conv_head",
            "_bn1",
            1280,
            320,
            1,
            1,
            same,
            false,
            BN_EPS,
            r6,
        )?;
        let fw = store.expect("_fc.weight", &[1000, 1280])?;
        let fb = store.expect("_fc.bias", &[1000])?;
        let fc = Linear::from_torch(&fw.data, &fb.data, 1000, 1280)?;
        Ok(Self {
            stem,
            blocks: bl,
            head,
            fc,
        })
    }

    /// Runs the network on an NHWC batch; logits and stage outputs only when asked for
    /// (stages: stem, then the output of each of the 7 block groups, then the head).
    pub fn forward(&self, x: &FeatureMap, logits: bool, stages: bool) -> Result<ForwardOutput> {
        let mut out = ForwardOutput::default();
        let mut h = self.stem.forward(x, None)?;
        if stages {
            out.stages.push(h.clone());
        }
        let mut ends = Vec::new();
        let mut acc = 0;
        for &(r, ..) in &STAGES {
            acc += r;
            ends.push(acc - 1);
        }
        for (i, b) in self.blocks.iter().enumerate() {
            let inp = h;
            let d = match &b.expand {
                Some(c) => b.depthwise.forward(&c.forward(&inp, None)?, None)?,
                None => b.depthwise.forward(&inp, None)?,
            };
            h = b
                .project
                .forward(&d, if b.skip { Some(&inp) } else { None })?;
            if stages && ends.contains(&i) {
                out.stages.push(h.clone());
            }
        }
        h = self.head.forward(&h, None)?;
        out.pooled = h.global_mean();
        if stages {
            out.stages.push(h);
        }
        if logits {
            out.logits = Some(self.fc.forward(&out.pooled));
        }
        Ok(out)
    }
}
