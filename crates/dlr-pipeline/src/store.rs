//! Atomic writes and the content-hash cache that makes stages resumable.
//!
//! Every output is written to a temporary file in the destination folder and renamed into place,
//! so a crash never leaves a half-written file. Stage results are cached under
//! `<run>/cache/<stage>/<key>.json` where the key is the SHA-256 of the tool version, the stage
//! name, the stage settings and the hashes of its inputs: changing a model setting leaves the
//! feature-extraction keys unchanged, and an interrupted run resumes from what was finished.

use crate::error::{PipelineError, Result};
use serde::{de::DeserializeOwned, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Creates `path`'s folder when missing, then writes `bytes` with the one atomic writer
/// ([`dlr_report::write_atomic`]: temporary file in the same folder, flushed, renamed).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| PipelineError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    Ok(dlr_report::write_atomic(path, bytes)?)
}

/// Serialises `value` as pretty JSON and writes it atomically.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|source| PipelineError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    write_atomic(path, &bytes)
}

/// SHA-256 of a file's bytes, hex encoded.
pub fn file_sha256(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| PipelineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// SHA-256 of a list of strings (each length-prefixed so boundaries matter), hex encoded.
pub fn hash_parts(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// A content-addressed cache of stage results inside a run folder.
#[derive(Debug, Clone)]
pub struct StageCache {
    root: PathBuf,
}

impl StageCache {
    /// A cache rooted at `<run_dir>/cache`.
    pub fn new(run_dir: &Path) -> Self {
        Self {
            root: run_dir.join("cache"),
        }
    }

    /// The cache key for a stage: tool version, stage, settings JSON and input hashes.
    pub fn key(stage: &str, settings_json: &str, input_hashes: &[&str]) -> String {
        let mut parts = vec![env!("CARGO_PKG_VERSION"), stage, settings_json];
        parts.extend_from_slice(input_hashes);
        hash_parts(&parts)
    }

    fn path(&self, stage: &str, key: &str) -> PathBuf {
        self.root.join(stage).join(format!("{key}.json"))
    }

    /// The cached value, if present and readable (a corrupt entry counts as absent).
    pub fn get<T: DeserializeOwned>(&self, stage: &str, key: &str) -> Option<T> {
        let bytes = std::fs::read(self.path(stage, key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores a value atomically.
    pub fn put<T: Serialize>(&self, stage: &str, key: &str, value: &T) -> Result<()> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| PipelineError::Data(format!("cannot serialise cache entry: {e}")))?;
        write_atomic(&self.path(stage, key), &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/x.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(d.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn cache_round_trip_and_keys_depend_on_every_part() {
        let d = tempfile::tempdir().unwrap();
        let c = StageCache::new(d.path());
        let k = StageCache::key("extract", "{\"bins\":32}", &["abc"]);
        assert_ne!(k, StageCache::key("extract", "{\"bins\":64}", &["abc"]));
        assert_ne!(k, StageCache::key("extract", "{\"bins\":32}", &["abd"]));
        assert_ne!(hash_parts(&["ab", "c"]), hash_parts(&["a", "bc"]));
        assert_eq!(c.get::<Vec<f64>>("extract", &k), None);
        c.put("extract", &k, &vec![1.5, 2.5]).unwrap();
        assert_eq!(c.get::<Vec<f64>>("extract", &k), Some(vec![1.5, 2.5]));
    }
}
