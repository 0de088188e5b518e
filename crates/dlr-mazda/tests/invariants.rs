//! Invariants: translation of the ROI, symmetric matrices, monotone percentiles, name set and
//! format, the names used in Zhang & Huo 2022, and an AR field with known coefficients.

use dlr_image::{FeatureValue, Image, Mask};
use dlr_mazda::{
    autoregressive_features, cooccurrence_counts, extract, feature_names, ArOptions, MazdaSettings,
    Normalisation, PercentileRule,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// A noisy textured patch `pw × ph` with an irregular (disc with a notch) ROI.
fn patch(seed: u64, pw: usize, ph: usize) -> (Vec<f32>, Vec<u8>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v = (0..pw * ph)
        .map(|i| {
            let (x, y) = ((i % pw) as f32, (i / pw) as f32);
            (120.0 + 50.0 * (x / 3.0).sin() + 20.0 * (y / 5.0).cos() + rng.gen_range(-25.0..25.0))
                .round()
                .clamp(0.0, 255.0)
        })
        .collect();
    let (cx, cy, r) = (
        pw as f64 / 2.0,
        ph as f64 / 2.0,
        pw.min(ph) as f64 / 2.0 - 1.0,
    );
    let m = (0..pw * ph)
        .map(|i| {
            let (x, y) = ((i % pw) as f64 - cx, (i / pw) as f64 - cy);
            u8::from(x * x + y * y <= r * r && !(x > 0.0 && y.abs() < 3.0))
        })
        .collect();
    (v, m)
}

fn embed(
    pv: &[f32],
    pm: &[u8],
    pw: usize,
    ph: usize,
    ox: usize,
    oy: usize,
    seed: u64,
) -> (Image, Mask) {
    let (nx, ny) = (160, 140);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut v: Vec<f32> = (0..nx * ny).map(|_| rng.gen_range(0..256) as f32).collect();
    let mut m = vec![0u8; nx * ny];
    for y in 0..ph {
        for x in 0..pw {
            v[(y + oy) * nx + x + ox] = pv[y * pw + x];
            m[(y + oy) * nx + x + ox] = pm[y * pw + x];
        }
    }
    (
        Image::new_2d(v, nx, ny).unwrap(),
        Mask::new(m, [nx, ny, 1]).unwrap(),
    )
}

fn same(a: &[FeatureValue], b: &[FeatureValue]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.name, y.name);
        if x.value.is_nan() {
            assert!(y.value.is_nan(), "{}", x.name);
        } else {
            assert!(
                (x.value - y.value).abs() <= 1e-9 * x.value.abs().max(1.0),
                "{}: {} vs {}",
                x.name,
                x.value,
                y.value
            );
        }
    }
}

#[test]
fn features_do_not_change_when_the_roi_is_translated() {
    let (pw, ph) = (70, 66);
    let (pv, pm) = patch(1, pw, ph);
    // different surroundings (seeds) and odd offsets
    let (i1, m1) = embed(&pv, &pm, pw, ph, 3, 5, 10);
    let (i2, m2) = embed(&pv, &pm, pw, ph, 77, 61, 11);
    for norm in [
        Normalisation::None,
        Normalisation::Sigma3,
        Normalisation::Percentile1_99,
    ] {
        let s = MazdaSettings {
            normalisation: norm,
            ..MazdaSettings::default()
        };
        let a = extract(&i1, &m1, &s).unwrap();
        let b = extract(&i2, &m2, &s).unwrap();
        same(&a, &b);
        // big enough ROI: every feature is defined except the coarse wavelet scales, whose
        // aligned 16×16 / 32×32 blocks do not fit in the disc from its bounding-box corner
        for f in a
            .iter()
            .filter(|f| !f.name.ends_with("_s-4") && !f.name.ends_with("_s-5"))
        {
            assert!(f.value.is_finite(), "{} undefined: {:?}", f.name, f.note);
        }
    }
}

#[test]
fn cooccurrence_counts_are_symmetric_and_count_each_pair_twice() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (w, h, ng) = (23, 17, 8);
    let levels: Vec<u16> = (0..w * h).map(|_| rng.gen_range(0..ng as u16)).collect();
    let inside: Vec<bool> = (0..w * h).map(|_| rng.gen_bool(0.8)).collect();
    for (dx, dy) in [(1, 0), (0, 1), (2, 2), (3, -3), (-1, 2)] {
        let c = cooccurrence_counts(&levels, &inside, w, h, dx, dy, ng);
        for i in 0..ng {
            for j in 0..ng {
                assert_eq!(c[i * ng + j], c[j * ng + i]);
            }
        }
        // brute-force pair count
        let mut pairs = 0.0;
        for y in 0..h as isize {
            for x in 0..w as isize {
                let (u, v) = (x + dx, y + dy);
                if u >= 0 && v >= 0 && (u as usize) < w && (v as usize) < h {
                    let (a, b) = ((y as usize) * w + x as usize, v as usize * w + u as usize);
                    if inside[a] && inside[b] {
                        pairs += 2.0;
                    }
                }
            }
        }
        assert_eq!(c.iter().sum::<f64>(), pairs, "({dx},{dy})");
    }
}

#[test]
fn percentiles_are_monotone() {
    for seed in 0..8 {
        let (pv, pm) = patch(seed, 40, 30);
        let img = Image::new_2d(pv, 40, 30).unwrap();
        let roi = Mask::new(pm, [40, 30, 1]).unwrap();
        for rule in [PercentileRule::AtLeast, PercentileRule::Greater] {
            let s = MazdaSettings {
                percentile_rule: rule,
                ..MazdaSettings::default()
            };
            let f = extract(&img, &roi, &s).unwrap();
            let p: Vec<f64> = ["Perc.01%", "Perc.10%", "Perc.50%", "Perc.90%", "Perc.99%"]
                .iter()
                .map(|n| f.iter().find(|v| v.name == *n).unwrap().value)
                .collect();
            assert!(p.windows(2).all(|w| w[0] <= w[1]), "{p:?}");
        }
    }
}

#[test]
fn names_have_mazda_format_and_count() {
    let s = MazdaSettings::default();
    let names = feature_names(&s);
    assert_eq!(names.len(), 279, "259 + 4·5 wavelet scales");
    let set: std::collections::BTreeSet<_> = names.iter().collect();
    assert_eq!(set.len(), names.len(), "names are unique");
    let com = names.iter().filter(|n| n.starts_with("S(")).count();
    assert_eq!(com, 220);
    for n in names.iter().filter(|n| n.starts_with("S(")) {
        let close = n.find(')').unwrap();
        let (d1, d2) = n[2..close].split_once(',').unwrap();
        let (a, b): (i64, i64) = (d1.parse().unwrap(), d2.parse().unwrap());
        assert!((0..=5).contains(&a) && (-5..=5).contains(&b), "{n}");
        assert!(
            dlr_mazda::HARALICK_NAMES.contains(&&n[close + 1..]),
            "{n}: unknown tag"
        );
    }
    let wav = names.iter().filter(|n| n.starts_with("WavEn")).count();
    assert_eq!(wav, 20);
    // the names of Zhang & Huo 2022 (without the US_/AP_/PP_ prefix)
    for n in [
        "Teta2",
        "Perc.50%",
        "S(1,0)Correlat",
        "GrSkewness",
        "WavEnHL_s-5",
        "Mean",
        "135dr_GLevNonU",
        "Perc.01%",
        "S(5,-5)DifEntrp",
        "45dgr_Fraction",
        "Horzl_ShrtREmp",
        "Vertl_LngREmph",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} missing");
    }
    let s6 = MazdaSettings {
        wavelet_scales: 6,
        ..MazdaSettings::default()
    };
    assert!(feature_names(&s6).iter().any(|x| x == "WavEnHL_s-6"));
    assert_eq!(feature_names(&s6).len(), 283);
}

#[test]
fn extract_returns_names_in_feature_names_order() {
    let (pv, pm) = patch(5, 40, 30);
    let img = Image::new_2d(pv, 40, 30).unwrap();
    let roi = Mask::new(pm, [40, 30, 1]).unwrap();
    let s = MazdaSettings::default();
    let got: Vec<String> = extract(&img, &roi, &s)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(got, feature_names(&s));
}

#[test]
fn wavelet_scale_five_needs_a_32_pixel_block() {
    // a 40×40 square ROI holds one aligned 32×32 block; a 30×30 one does not
    let img = Image::new_2d(
        (0..64 * 64).map(|i| ((i * 37) % 251) as f32).collect(),
        64,
        64,
    )
    .unwrap();
    let square = |n: usize| {
        let m = (0..64 * 64)
            .map(|i| u8::from(i % 64 >= 5 && i % 64 < 5 + n && i / 64 >= 7 && i / 64 < 7 + n))
            .collect();
        Mask::new(m, [64, 64, 1]).unwrap()
    };
    let s = MazdaSettings::default();
    let f = extract(&img, &square(40), &s).unwrap();
    let v = f.iter().find(|v| v.name == "WavEnHL_s-5").unwrap();
    assert!(v.value.is_finite() && v.value > 0.0);
    let f = extract(&img, &square(30), &s).unwrap();
    let v = f.iter().find(|v| v.name == "WavEnHL_s-5").unwrap();
    assert!(v.value.is_nan() && v.note.is_some());
    let v = f.iter().find(|v| v.name == "WavEnHL_s-4").unwrap();
    assert!(v.value.is_finite());
}

/// A causal AR field x = 0.4·W − 0.1·NW + 0.3·N + 0.1·NE + e, e ~ N(0, 1), 300×300: the least-
/// squares estimate must recover the coefficients (standard error ≈ 1/√90000 ≈ 0.003).
#[test]
fn autoregressive_fit_recovers_known_coefficients() {
    let (w, h) = (300usize, 300usize);
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut x = vec![0.0f64; w * h];
    for y in 1..h {
        for c in 1..w - 1 {
            let i = y * w + c;
            x[i] = 0.4 * x[i - 1] - 0.1 * x[i - w - 1]
                + 0.3 * x[i - w]
                + 0.1 * x[i - w + 1]
                + normal.sample(&mut rng)
                + 0.0;
        }
    }
    let grey: Vec<f64> = x.iter().map(|v| v + 50.0).collect();
    let inside = vec![true; w * h];
    let f = autoregressive_features(
        &grey,
        &inside,
        w,
        h,
        &ArOptions {
            neighbours: MazdaSettings::default().ar_neighbours,
            sigma_divisor: Default::default(),
            scale: Default::default(),
        },
    );
    let want = [0.4, -0.1, 0.3, 0.1, 1.0];
    for (v, t) in f.iter().zip(want) {
        assert!((v.value - t).abs() < 0.02, "{}: {} vs {t}", v.name, v.value);
    }
}
