//! Times the two pieces added for IBSI conformance on the IBSI CT phantom (needs ../shared):
//! the convex hull of the ROI's marching-cubes vertices, and configuration E (tricubic
//! B-spline) against configuration D (trilinear) for a whole extraction. Median of 5 runs.
//!
//! ```text
//! cargo run --release -p dlr-radiomics --example hull_spline_timing
//! ```

use dlr_image::{read_image, read_mask, MaskOptions};
use dlr_radiomics::mesh::{self, hull};
use dlr_radiomics::{extract, Family, Settings};
use std::time::Instant;

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

fn main() {
    let Some(shared) = dlr_testutil::shared_dir() else {
        eprintln!("../shared not found (set DLR_SHARED_DIR)");
        std::process::exit(2);
    };
    let ct = shared.join("data/ibsi/theibsi_data_sets/ibsi_1_ct_radiomics_phantom/nifti");
    let img = read_image(&ct.join("image/phantom.nii.gz")).expect("image");
    let mask = read_mask(&ct.join("mask/mask.nii.gz"), &MaskOptions::default()).expect("mask");
    // Hull on the native grid (0.977 × 0.977 × 3 mm), ROI cropped to its box.
    let [nx, ny, _] = mask.dims();
    let (mut lo, mut hi) = ([usize::MAX; 3], [0usize; 3]);
    for (i, &m) in mask.data().iter().enumerate() {
        if m != 0 {
            let p = [i % nx, (i / nx) % ny, i / (nx * ny)];
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
    }
    let d = [hi[0] - lo[0] + 1, hi[1] - lo[1] + 1, hi[2] - lo[2] + 1];
    let mut roi = Vec::with_capacity(d[0] * d[1] * d[2]);
    for z in lo[2]..=hi[2] {
        for y in lo[1]..=hi[1] {
            for x in lo[0]..=hi[0] {
                roi.push(mask.data()[x + nx * (y + ny * z)] != 0);
            }
        }
    }
    let sp = img.spacing;
    let m = mesh::mesh3d(&roi, d, sp);
    let unit = [sp[2] / 2.0, sp[1] / 2.0, sp[0] / 2.0];
    let t_mesh = median_ms(|| {
        std::hint::black_box(mesh::mesh3d(&roi, d, sp));
    });
    let t_hull = median_ms(|| {
        std::hint::black_box(hull::lattice_hull_volume_area(&m.vertices, unit));
    });
    println!(
        "CT phantom ROI {}x{}x{} voxels, {} mesh vertices: mesh3d {t_mesh:.1} ms, convex hull {t_hull:.1} ms",
        d[0],
        d[1],
        d[2],
        m.vertices.len()
    );
    // Whole extraction, statistics family only, so interpolation dominates.
    let read = |c: &str| {
        let text = std::fs::read_to_string(
            dlr_testutil::repo_root().join(format!("configs/ibsi/{c}.toml")),
        )
        .expect("config");
        let mut s = Settings::from_toml_str(&text).expect("settings");
        s.families = vec![Family::Statistics];
        s
    };
    for c in ["config_d", "config_e"] {
        let s = read(c);
        let t = median_ms(|| {
            std::hint::black_box(extract(&img, &mask, &s).expect("extract"));
        });
        println!("{c} (interpolation + statistics): {t:.1} ms");
    }
}
