//! Reader throughput on the real reference files in `../shared` (skipped when absent).
//! Peers on the same files: `tools/readers/bench_peers.py` (SimpleITK, Pillow, pydicom).
//!
//! Run: `cargo bench -p dlr-image --bench readers`

use criterion::{criterion_group, criterion_main, Criterion};
use dlr_image::{read_image, read_mask, MaskOptions};
use std::hint::black_box;
use std::path::PathBuf;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = dlr_testutil::shared_dir()?.join(rel);
    p.exists().then_some(p)
}

fn readers(c: &mut Criterion) {
    let files = [
        (
            "nrrd_gzip_brain1_256x256x25",
            "data/pyradiomics/brain1_image.nrrd",
        ),
        (
            "nifti_gz_ct_204x201x60",
            "data/ibsi/theibsi_data_sets/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
        ),
        ("png_busi_benign_100", "data/busi/images/benign_100.png"),
    ];
    for (name, rel) in files {
        let Some(p) = shared(rel) else {
            eprintln!("SKIPPED: bench {name}: ../shared/{rel} missing");
            continue;
        };
        c.bench_function(name, |b| {
            b.iter(|| black_box(read_image(&p).expect("readable")))
        });
    }
    if let Some(dir) = shared("data/busi") {
        let pairs: Vec<(PathBuf, PathBuf)> = (100..120)
            .map(|i| {
                (
                    dir.join(format!("images/benign_{i}.png")),
                    dir.join(format!("masks/benign_{i}_mask.png")),
                )
            })
            .filter(|(i, m)| i.exists() && m.exists())
            .collect();
        c.bench_function("png_busi_20_images_20_masks", |b| {
            b.iter(|| {
                for (i, m) in &pairs {
                    black_box(read_image(i).expect("readable"));
                    black_box(read_mask(m, &MaskOptions::default()).expect("readable"));
                }
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = readers
}
criterion_main!(benches);
