//! Reads DICOM files with dlr-image and (feature `dicomrs`) dicom-rs, side by side: median wall
//! time of each over N runs, their ratio, and the largest difference between the decoded values.
//!
//! Usage: `cargo run --release --features dicomrs -- [-n RUNS] FILE...`

use std::path::Path;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let out = f(); // warm-up (page cache)
    let t = (0..runs)
        .map(|_| {
            let s = Instant::now();
            std::hint::black_box(f());
            s.elapsed()
        })
        .collect();
    (median(t), out)
}

#[cfg(feature = "dicomrs")]
fn dicomrs(path: &Path) -> Result<Vec<f32>, String> {
    use dicom_pixeldata::PixelDecoder;
    let obj = dicom_object::open_file(path).map_err(|e| e.to_string())?;
    let px = obj.decode_pixel_data().map_err(|e| e.to_string())?;
    px.to_vec::<f32>().map_err(|e| e.to_string())
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 10;
    if args.first().map(String::as_str) == Some("-n") {
        runs = args[1].parse().expect("-n RUNS");
        args.drain(..2);
    }
    println!("file\tdlr_ms\tdicomrs_ms\tratio_dicomrs_over_dlr\tmax_abs_diff");
    for f in &args {
        let p = Path::new(f);
        let name = p.file_name().unwrap().to_string_lossy();
        let (t_dlr, dlr) = time(runs, || dlr_image::read_image(p));
        let dlr_ms = match &dlr {
            Ok(_) => format!("{:.3}", t_dlr.as_secs_f64() * 1e3),
            Err(e) => format!("error: {e}"),
        };
        #[cfg(feature = "dicomrs")]
        {
            let (t_rs, rs) = time(runs, || dicomrs(p));
            let (rs_ms, ratio, diff) = match (&rs, &dlr) {
                (Ok(v), Ok(img)) => {
                    let d = if v.len() == img.data().len() {
                        let m = v
                            .iter()
                            .zip(img.data())
                            .map(|(a, b)| (a - b).abs())
                            .fold(0f32, f32::max);
                        format!("{m}")
                    } else {
                        format!("len {} vs {}", v.len(), img.data().len())
                    };
                    (
                        format!("{:.3}", t_rs.as_secs_f64() * 1e3),
                        format!("{:.2}", t_rs.as_secs_f64() / t_dlr.as_secs_f64()),
                        d,
                    )
                }
                (Ok(_), Err(_)) => (
                    format!("{:.3}", t_rs.as_secs_f64() * 1e3),
                    "-".into(),
                    "-".into(),
                ),
                (Err(e), _) => (format!("error: {e}"), "-".into(), "-".into()),
            };
            println!("{name}\t{dlr_ms}\t{rs_ms}\t{ratio}\t{diff}");
        }
        #[cfg(not(feature = "dicomrs"))]
        println!("{name}\t{dlr_ms}\t-\t-\t-");
    }
}
