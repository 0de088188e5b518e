//! Test helpers shared by every crate's tests: where the `../shared` reference data lives and how
//! a test that needs it reports a loud skip when it is absent.
//!
//! `../shared` sits beside the repository root. Tests call [`shared_dir`] or the
//! [`require_shared!`] macro; when the folder is missing they print a `SKIPPED:` line to stderr and
//! return early — unless `DLR_REQUIRE_SHARED=1` is set (CI sets it), in which case they fail.

use std::path::PathBuf;

/// The repository root (the workspace folder holding `crates/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// The `../shared` folder beside the repository (override with `DLR_SHARED_DIR`), if present.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DLR_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared"));
    dir.is_dir().then_some(dir)
}

/// Reports a skipped test loudly; panics instead when `DLR_REQUIRE_SHARED=1`.
pub fn skip(test: &str, what: &str) {
    if std::env::var("DLR_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("{test}: needs {what}, which is missing, and DLR_REQUIRE_SHARED=1");
    }
    eprintln!(
        "SKIPPED: {test}: needs {what}, which is missing (place ../shared beside the repository)"
    );
}

/// Returns the path of `rel` under `../shared`, or reports a loud skip and returns from the test.
///
/// ```ignore
/// let manifest = dlr_testutil::require_shared!("data/busi/manifest.csv");
/// ```
#[macro_export]
macro_rules! require_shared {
    ($rel:expr) => {{
        let rel: &str = $rel;
        match $crate::shared_dir()
            .map(|d| d.join(rel))
            .filter(|p| p.exists())
        {
            Some(p) => p,
            None => {
                $crate::skip(module_path!(), &format!("../shared/{rel}"));
                return;
            }
        }
    }};
}
