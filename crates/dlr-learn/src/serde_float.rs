//! Serde helpers for floats that may legitimately be non-finite in a fit (an undefined ICC or
//! OOB error is NaN, an odds-ratio bound can overflow to +∞).
//!
//! `serde_json` writes every non-finite `f64` as `null` and cannot read `null` back into an
//! `f64`. In human-readable formats these helpers write NaN as `null` (as before) and ±∞ as the
//! strings `"inf"` / `"-inf"`, and read back numbers, `null` (NaN) and the strings `"nan"`,
//! `"inf"`, `"+inf"`, `"-inf"`, `"infinity"`, `"-infinity"` (any case). Finite values are written
//! as plain numbers, so with `serde_json`'s `float_roundtrip` every finite value round-trips
//! bit for bit. Binary formats get the raw `f64`.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A single `f64` that may be NaN or infinite (`#[serde(with = "crate::serde_float::nonfinite")]`).
pub(crate) mod nonfinite {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() || !s.is_human_readable() {
            s.serialize_f64(*v)
        } else if v.is_nan() {
            s.serialize_none()
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        if d.is_human_readable() {
            d.deserialize_any(FloatVisitor)
        } else {
            f64::deserialize(d)
        }
    }
}

struct FloatVisitor;

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, null (NaN), or \"inf\" / \"-inf\" / \"nan\"")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }
    fn visit_unit<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::NAN)
    }
    fn visit_none<E: de::Error>(self) -> Result<f64, E> {
        Ok(f64::NAN)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<f64, D::Error> {
        d.deserialize_any(FloatVisitor)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "nan" => Ok(f64::NAN),
            "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
            "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }
}

/// Newtype used to (de)serialise elements of collections with [`nonfinite`].
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
struct F(#[serde(with = "nonfinite")] f64);

/// A `Vec<f64>` whose elements may be non-finite.
pub(crate) mod nonfinite_vec {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| F(*x)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<F>::deserialize(d)?.into_iter().map(|f| f.0).collect())
    }
}

/// A `Vec<(String, f64)>` (named statistics) whose values may be non-finite.
pub(crate) mod nonfinite_named {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(v: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|(n, x)| (n, F(*x))))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<(String, f64)>, D::Error> {
        Ok(Vec::<(String, F)>::deserialize(d)?
            .into_iter()
            .map(|(n, f)| (n, f.0))
            .collect())
    }
}
