//! Test helpers: a minimal NIfTI-1 reader (gzip, little endian) for the reference phantoms, used
//! until `dlr_image::read_image` exists, and the IBSI reference-value table reader.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Voxels (x fastest), dims and spacing of a NIfTI-1 file.
pub struct Nifti {
    pub dims: [usize; 3],
    pub spacing: [f64; 3],
    pub data: Vec<f64>,
}

fn i16_at(b: &[u8], o: usize) -> i16 {
    i16::from_le_bytes([b[o], b[o + 1]])
}
fn f32_at(b: &[u8], o: usize) -> f32 {
    f32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

/// Reads a `.nii.gz` (NIfTI-1, little endian, u8/i16/i32/f32/f64/u16) with slope/intercept.
pub fn read_nifti(path: &Path) -> Nifti {
    let raw = std::fs::read(path).expect("read nifti");
    let mut b = Vec::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_end(&mut b)
        .expect("gunzip nifti");
    assert_eq!(
        i32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        348,
        "little-endian NIfTI-1"
    );
    let ndim = i16_at(&b, 40) as usize;
    let mut dims = [1usize; 3];
    for (k, d) in dims.iter_mut().enumerate().take(ndim.min(3)) {
        *d = i16_at(&b, 42 + 2 * k) as usize;
    }
    let dtype = i16_at(&b, 70);
    let spacing = [
        f32_at(&b, 80) as f64,
        f32_at(&b, 84) as f64,
        f32_at(&b, 88) as f64,
    ];
    let off = f32_at(&b, 108) as usize;
    let (mut slope, inter) = (f32_at(&b, 112) as f64, f32_at(&b, 116) as f64);
    if slope == 0.0 || !slope.is_finite() {
        slope = 1.0;
    }
    let n = dims[0] * dims[1] * dims[2];
    let d = &b[off..];
    let data: Vec<f64> = (0..n)
        .map(|i| match dtype {
            2 => d[i] as f64,
            4 => i16_at(d, 2 * i) as f64,
            512 => u16::from_le_bytes([d[2 * i], d[2 * i + 1]]) as f64,
            8 => i32::from_le_bytes([d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]]) as f64,
            16 => f32_at(d, 4 * i) as f64,
            64 => f64::from_le_bytes(d[8 * i..8 * i + 8].try_into().expect("8 bytes")),
            t => panic!("NIfTI datatype {t} not supported by the test reader"),
        })
        .map(|v| {
            v * slope
                + if slope == 1.0 && inter == 0.0 {
                    0.0
                } else {
                    inter
                }
        })
        .collect();
    Nifti {
        dims,
        spacing,
        data,
    }
}

/// `tag → (reference value, tolerance)` from a mirp IBSI reference table (`;`-separated).
pub fn read_ibsi_reference(path: &Path) -> HashMap<String, (f64, f64)> {
    let text = std::fs::read_to_string(path).expect("read reference table");
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
