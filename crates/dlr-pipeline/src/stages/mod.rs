//! The stages of `dlr run`, each with typed inputs and outputs:
//!
//! load and validate ([`load`]) → featurise, radiomics and deep, cached ([`featurise`]) →
//! audit and split ([`split`]) → select and fit on training patients ([`fit`]) → evaluate
//! ([`evaluate`]) → emit tables, figures, report, record and bundle ([`emit`]).
//!
//! One [`context::RunContext`] collects warnings, exclusions, timings, cache counts and input
//! hashes across them; `dlr predict` reuses [`load`] and the [`featurise::Featuriser`].

pub mod context;
pub mod emit;
pub mod evaluate;
pub mod featurise;
pub mod fit;
pub mod load;
pub mod split;
