//! Closed-form fixture weights and inputs shared with `tools/deep/make_fixtures.py`, so that
//! parity with PyTorch is tested without committing any weights file: the Python script builds the
//! same tensors from the same rule, runs torchvision / the EfficientNet-Lite port and commits only
//! the expected outputs.
//!
//! Rule, computed in `f64` and rounded to `f32` (`i` = flat element index, `φ` = (FNV-1a-32 of the
//! tensor name mod 6283) / 1000):
//! - weights with ≥ 2 dimensions: `2·sin(1.2345·i + 0.001·(i² mod 7919) + φ) / √fan_in`
//!   (fan_in = product of all but the first dim; the quadratic term breaks the periodicity that a
//!   plain sine would share with 3×3 kernels)
//! - 1-D `layer*.bn2.weight` / `layer*.bn3.weight` / `_blocks.*._bn2.weight` (last batch norm of a
//!   ResNet or MBConv residual branch, kept small so that the residual additions keep activations of
//!   order one and the network well conditioned): `0.25 + 0.05·sin(0.71·i + φ)`
//! - other 1-D `*.weight` (batch-norm γ): `1 + 0.1·sin(0.71·i + φ)`
//! - `*.bias`: `0.05·sin(0.29·i + φ)`
//! - `*.running_mean`: `0.1·sin(0.53·i + φ)`
//! - `*.running_var`: `0.5 + 0.25·(1 + sin(0.37·i + φ))`
//!
//! Input image `b` (of a batch), channel `c`, row `y`, column `x`:
//! `sin(0.05·x·(c+1) + 0.07·y + 1.3·b) · cos(0.031·(y − x)·(b+1)) · 1.5`.

use crate::backbone::{BackboneKind, INPUT_SIZE};
use crate::store::{Tensor, TensorStore};

/// 32-bit FNV-1a hash of a string.
pub fn fnv1a32(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Values of the tensor `name` with `shape` under the fixture rule.
pub fn fixture_tensor(name: &str, shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    let phi = (fnv1a32(name) % 6283) as f64 / 1000.0;
    let f: Box<dyn Fn(f64) -> f64> = if shape.len() >= 2 {
        let fan_in: usize = shape[1..].iter().product();
        let g = 2.0 / (fan_in as f64).sqrt();
        Box::new(move |i| {
            let q = ((i as u64) * (i as u64) % 7919) as f64;
            g * (1.2345 * i + 0.001 * q + phi).sin()
        })
    } else if name.ends_with("running_var") {
        Box::new(move |i| 0.5 + 0.25 * (1.0 + (0.37 * i + phi).sin()))
    } else if name.ends_with("running_mean") {
        Box::new(move |i| 0.1 * (0.53 * i + phi).sin())
    } else if name.ends_with("bias") {
        Box::new(move |i| 0.05 * (0.29 * i + phi).sin())
    } else if (name.starts_with("layer")
        && (name.ends_with(".bn2.weight") || name.ends_with(".bn3.weight")))
        || (name.starts_with("_blocks.") && name.ends_with("._bn2.weight"))
    {
        Box::new(move |i| 0.25 + 0.05 * (0.71 * i + phi).sin())
    } else {
        Box::new(move |i| 1.0 + 0.1 * (0.71 * i + phi).sin())
    };
    Tensor {
        shape: shape.to_vec(),
        data: (0..n).map(|i| f(i as f64) as f32).collect(),
    }
}

/// The full fixture state dict of an architecture.
pub fn fixture_store(kind: BackboneKind) -> TensorStore {
    let mut s = TensorStore::new();
    for (name, shape) in kind.param_shapes() {
        let t = fixture_tensor(&name, &shape);
        s.insert(name, t);
    }
    s
}

/// `n` fixture input images as an `n×3×224×224` NCHW batch.
pub fn fixture_input(n: usize) -> Vec<f32> {
    let s = INPUT_SIZE;
    let mut v = Vec::with_capacity(n * 3 * s * s);
    for b in 0..n {
        for c in 0..3 {
            for y in 0..s {
                for x in 0..s {
                    let (bf, cf, yf, xf) = (b as f64, c as f64, y as f64, x as f64);
                    let val = (0.05 * xf * (cf + 1.0) + 0.07 * yf + 1.3 * bf).sin()
                        * (0.031 * (yf - xf) * (bf + 1.0)).cos()
                        * 1.5;
                    v.push(val as f32);
                }
            }
        }
    }
    v
}
