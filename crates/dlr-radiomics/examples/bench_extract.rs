//! Timing of the PyRadiomics-preset extraction on BUSI ROIs (2D) or on a 3D image/mask pair, one
//! thread. Used by `bench/radiomics/run.sh`. Setting `a` (default): original image, all default
//! classes, bin width 25; setting `b`: the same plus wavelet (coif1, level 1) and LoG σ 1, 2, 3 mm
//! (`configs/pyradiomics/wavelet_log.toml`).
//!
//! ```text
//! cargo run --release -p dlr-radiomics --example bench_extract -- busi <manifest.csv> <n_cases> <reps> [a|b]
//! cargo run --release -p dlr-radiomics --example bench_extract -- volume <image> <mask> <reps> [a|b]
//! ```

use dlr_image::{read_image, read_mask, MaskOptions};
use dlr_radiomics::{extract, ImageType, Settings};
use std::path::Path;
use std::time::Instant;

fn time_ms(
    image: &dlr_image::Image,
    mask: &dlr_image::Mask,
    settings: &Settings,
    reps: usize,
) -> (f64, usize) {
    let mut n = 0;
    let t = Instant::now();
    for _ in 0..reps {
        n = extract(image, mask, settings).expect("extraction").len();
    }
    (t.elapsed().as_secs_f64() * 1e3 / reps as f64, n)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: bench_extract busi <manifest> <n_cases> <reps> [a|b] | volume <image> <mask> <reps> [a|b]";
    let mut settings = Settings::pyradiomics_default();
    match args.get(5).map(String::as_str) {
        None | Some("a") => {}
        Some("b") => {
            settings.image_types = vec![
                ImageType::Original,
                ImageType::Wavelet {
                    wavelet: "coif1".into(),
                    level: 1,
                    start_level: 0,
                },
                ImageType::Log {
                    sigmas: vec![1.0, 2.0, 3.0],
                },
            ]
        }
        Some(other) => {
            eprintln!("unknown setting {other:?}; {usage}");
            std::process::exit(2);
        }
    }
    match args.get(1).map(String::as_str) {
        Some("busi") if args.len() == 5 || args.len() == 6 => {
            let manifest = Path::new(&args[2]);
            let dir = manifest.parent().unwrap_or(Path::new("."));
            let n: usize = args[3].parse().expect("n_cases");
            let reps: usize = args[4].parse().expect("reps");
            let mut rdr = csv::Reader::from_path(manifest).expect("manifest");
            let (mut total, mut cases, mut pixels) = (0.0, 0, 0usize);
            for rec in rdr.records().take(n) {
                let rec = rec.expect("row");
                let img = read_image(&dir.join(&rec[2])).expect("image");
                let mask = read_mask(&dir.join(&rec[3]), &MaskOptions::default()).expect("mask");
                if mask.count() == 0 {
                    continue;
                }
                let (ms, nf) = time_ms(&img, &mask, &settings, reps);
                println!(
                    "dlr {} {:.3} ms {} features {} roi_px",
                    &rec[0],
                    ms,
                    nf,
                    mask.count()
                );
                total += ms;
                cases += 1;
                pixels += mask.count();
            }
            println!(
                "dlr_mean_ms {:.4} over {cases} ROIs (mean ROI {} px)",
                total / cases as f64,
                pixels / cases.max(1)
            );
        }
        Some("volume") if args.len() == 5 || args.len() == 6 => {
            let img = read_image(Path::new(&args[2])).expect("image");
            let mask = read_mask(
                Path::new(&args[3]),
                &MaskOptions {
                    label: Some(1),
                    frame: None,
                },
            )
            .expect("mask");
            let reps: usize = args[4].parse().expect("reps");
            let (ms, nf) = time_ms(&img, &mask, &settings, reps);
            println!(
                "dlr_mean_ms {ms:.4} ({nf} features, ROI {} voxels)",
                mask.count()
            );
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    }
}
