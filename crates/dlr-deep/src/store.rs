//! A named set of `f32` tensors (a state dict) with shape checks, as read from a weights file.

use crate::error::{DeepError, Result};
use std::collections::BTreeMap;

/// One tensor: shape (PyTorch order, e.g. `[out, in, kh, kw]`) and contiguous row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Shape, outermost first.
    pub shape: Vec<usize>,
    /// Values in row-major (C) order.
    pub data: Vec<f32>,
}

impl Tensor {
    /// Builds a tensor, checking that the number of values matches the shape.
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Result<Self> {
        let n: usize = shape.iter().product();
        if n != data.len() {
            return Err(DeepError::InputShape {
                what: format!("tensor of shape {shape:?}"),
                expected: n,
                got: data.len(),
            });
        }
        Ok(Self { shape, data })
    }
}

/// A state dict: tensor name (PyTorch naming, e.g. `layer1.0.conv1.weight`) → tensor.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TensorStore {
    tensors: BTreeMap<String, Tensor>,
}

impl TensorStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts (or replaces) a tensor.
    pub fn insert(&mut self, name: impl Into<String>, tensor: Tensor) {
        self.tensors.insert(name.into(), tensor);
    }

    /// Number of tensors.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// True when the store holds no tensor.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }

    /// Tensor names in sorted order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tensors.keys().map(String::as_str)
    }

    /// The tensor called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.tensors.get(name)
    }

    /// The tensor called `name` with exactly `shape`, or a clear error.
    pub fn expect(&self, name: &str, shape: &[usize]) -> Result<&Tensor> {
        let t = self
            .tensors
            .get(name)
            .ok_or_else(|| DeepError::MissingTensor(name.to_string()))?;
        if t.shape != shape {
            return Err(DeepError::TensorShape {
                name: name.to_string(),
                expected: shape.to_vec(),
                got: t.shape.clone(),
            });
        }
        Ok(t)
    }

    /// The tensor called `name` (any shape), or a clear error.
    pub fn require(&self, name: &str) -> Result<&Tensor> {
        self.tensors
            .get(name)
            .ok_or_else(|| DeepError::MissingTensor(name.to_string()))
    }

    /// Removes a common prefix such as `module.` (DataParallel) or `model.` from every name.
    pub fn strip_prefix(&mut self, prefix: &str) {
        if self.tensors.keys().all(|k| k.starts_with(prefix)) && !self.tensors.is_empty() {
            let old = std::mem::take(&mut self.tensors);
            self.tensors = old
                .into_iter()
                .map(|(k, v)| (k[prefix.len()..].to_string(), v))
                .collect();
        }
    }
}
