//! Deep features: CNN backbones (ResNet, EfficientNet-Lite) in Rust, weights loading, ROI preprocessing, augmentation, head training.
