//! Blocking HTTP(S) GET with manual redirect following, so that headers of every hop are seen
//! (the Hugging Face hub reports the file's SHA-256 on its redirect to the CDN, not on the CDN's answer).

use crate::error::{Result, WeightsError};
use std::io::Read;
use std::time::Duration;

/// Most redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;

/// An HTTP client with timeouts and a hint for error messages.
pub(crate) struct Client {
    agent: ureq::Agent,
    hint: String,
}

/// A successful (2xx) answer after redirects, with what earlier hops reported.
pub(crate) struct Response {
    /// The body.
    pub reader: Box<dyn Read + Send + Sync>,
    /// `Content-Length` of the final answer.
    pub content_length: Option<u64>,
    /// `X-Linked-Size` reported by any hop.
    pub linked_size: Option<u64>,
    /// SHA-256 from `X-Linked-ETag` (any hop), else a 64-hex `ETag` (first hop that has one).
    pub hub_sha256: Option<String>,
    /// True when `hub_sha256` came from a plain `ETag`.
    pub hub_sha256_from_etag: bool,
}

/// Strips `W/` and quotes from an ETag; returns it lower-cased if it is a SHA-256.
fn etag_sha256(v: &str) -> Option<String> {
    let t = v
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .to_ascii_lowercase();
    crate::is_sha256_hex(&t).then_some(t)
}

/// Resolves a `Location` (absolute, scheme-relative, absolute-path or relative) against `base`.
pub(crate) fn resolve(base: &str, loc: &str) -> String {
    if loc.starts_with("http://") || loc.starts_with("https://") {
        return loc.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    if let Some(r) = loc.strip_prefix("//") {
        return format!("{scheme}://{r}");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    if loc.starts_with('/') {
        return format!("{scheme}://{authority}{loc}");
    }
    let path = rest[authority.len()..]
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    let dir = match path.rfind('/') {
        Some(i) => &path[..=i],
        None => "/",
    };
    format!("{scheme}://{authority}{dir}{loc}")
}

impl Client {
    /// A client whose errors carry `hint` (how to get the file without this download).
    pub fn new(hint: String) -> Self {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout_connect(Duration::from_secs(30))
            .timeout_read(Duration::from_secs(120))
            .user_agent(concat!("dlradiomics/", env!("CARGO_PKG_VERSION")))
            .build();
        Client { agent, hint }
    }

    /// A transport error for `url`.
    pub fn http_error(&self, url: &str, msg: String) -> WeightsError {
        WeightsError::Http {
            url: url.to_string(),
            msg,
            hint: self.hint.clone(),
        }
    }

    /// GETs `url`, following up to [`MAX_REDIRECTS`] redirects; errors on any non-2xx final status.
    pub fn get(&self, url: &str) -> Result<Response> {
        let mut current = url.to_string();
        let mut hub_sha256: Option<String> = None;
        let mut etag_sha: Option<String> = None;
        let mut linked_size: Option<u64> = None;
        for _ in 0..=MAX_REDIRECTS {
            let resp = match self.agent.get(&current).call() {
                Ok(r) => r,
                Err(ureq::Error::Status(_, r)) => r,
                Err(ureq::Error::Transport(t)) => {
                    return Err(self.http_error(&current, t.to_string()))
                }
            };
            if hub_sha256.is_none() {
                hub_sha256 = resp.header("x-linked-etag").and_then(etag_sha256);
            }
            if etag_sha.is_none() {
                etag_sha = resp.header("etag").and_then(etag_sha256);
            }
            if linked_size.is_none() {
                linked_size = resp
                    .header("x-linked-size")
                    .and_then(|v| v.trim().parse().ok());
            }
            let status = resp.status();
            match status {
                200..=299 => {
                    let content_length = resp
                        .header("content-length")
                        .and_then(|v| v.trim().parse().ok());
                    let from_etag = hub_sha256.is_none() && etag_sha.is_some();
                    return Ok(Response {
                        reader: resp.into_reader(),
                        content_length,
                        linked_size,
                        hub_sha256: hub_sha256.or(etag_sha),
                        hub_sha256_from_etag: from_etag,
                    });
                }
                301 | 302 | 303 | 307 | 308 => {
                    let loc = resp
                        .header("location")
                        .ok_or_else(|| WeightsError::Redirect {
                            url: current.clone(),
                            msg: format!("HTTP {status} without a Location header"),
                        })?;
                    current = resolve(&current, loc);
                }
                _ => {
                    return Err(WeightsError::Status {
                        url: current,
                        status,
                        hint: self.hint.clone(),
                    })
                }
            }
        }
        Err(WeightsError::Redirect {
            url: url.to_string(),
            msg: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_like_rfc3986() {
        // Examples after RFC 3986 section 5.4.1 (base http://a/b/c/d;p?q).
        let b = "http://a/b/c/d;p?q";
        assert_eq!(resolve(b, "g"), "http://a/b/c/g");
        assert_eq!(resolve(b, "/g"), "http://a/g");
        assert_eq!(resolve(b, "//g"), "http://g");
        assert_eq!(resolve(b, "https://x/y"), "https://x/y");
    }

    #[test]
    fn etags_parse() {
        let h = "a".repeat(64);
        assert_eq!(etag_sha256(&format!("\"{h}\"")), Some(h.clone()));
        assert_eq!(etag_sha256(&format!("W/\"{}\"", h.to_uppercase())), Some(h));
        assert_eq!(etag_sha256("\"abc123\""), None);
    }
}
