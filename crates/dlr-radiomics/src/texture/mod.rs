//! Texture families: matrix builders and feature formulas.

pub mod formulas;
pub mod matrices;
