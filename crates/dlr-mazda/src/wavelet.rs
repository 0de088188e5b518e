//! Decimated Haar wavelet energies (`WavEnLL_s-1` … `WavEnHH_s-S`).

use crate::settings::{BandOrder, HaarNorm};
use dlr_image::FeatureValue;

/// Options of the wavelet group.
#[derive(Debug, Clone, Copy)]
pub struct WaveletOptions {
    /// Number of scales emitted.
    pub scales: usize,
    /// Letter order of the band names.
    pub band_order: BandOrder,
    /// Filter scaling.
    pub norm: HaarNorm,
}

/// Band names in output order for `band_order`; index 0 = LL, 1 = low x/high y,
/// 2 = high x/low y, 3 = HH.
fn band_names(order: BandOrder) -> [&'static str; 4] {
    match order {
        BandOrder::XThenY => ["LL", "LH", "HL", "HH"],
        BandOrder::YThenX => ["LL", "HL", "LH", "HH"],
    }
}

/// Names of all wavelet features for `scales` scales, in output order.
pub fn wavelet_names(scales: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(4 * scales);
    for s in 1..=scales {
        for b in ["LL", "LH", "HL", "HH"] {
            out.push(format!("WavEn{b}_s-{s}"));
        }
    }
    out
}

/// Mean squared Haar coefficients per band and scale over the coefficient positions whose
/// whole `2^s × 2^s` support lies in the ROI.
///
/// `grey`/`inside` is a `w × h` grid whose pixel (0, 0) is the origin of the dyadic blocks.
pub fn wavelet_features(
    grey: &[f64],
    inside: &[bool],
    w: usize,
    h: usize,
    opts: &WaveletOptions,
) -> Vec<FeatureValue> {
    let names = band_names(opts.band_order);
    let k = match opts.norm {
        HaarNorm::Orthonormal => 0.5,
        HaarNorm::Average => 0.25,
    };
    let mut ll = grey.to_vec();
    let mut ok = inside.to_vec();
    let (mut cw, mut ch) = (w, h);
    let mut out = Vec::with_capacity(4 * opts.scales);
    for s in 1..=opts.scales {
        let (nw, nh) = (cw / 2, ch / 2);
        let mut nll = vec![0.0; nw * nh];
        let mut nok = vec![false; nw * nh];
        let mut energy = [0.0f64; 4];
        let mut count = 0usize;
        for y in 0..nh {
            for x in 0..nw {
                let i00 = 2 * y * cw + 2 * x;
                let (i01, i10, i11) = (i00 + 1, i00 + cw, i00 + cw + 1);
                if !(ok[i00] && ok[i01] && ok[i10] && ok[i11]) {
                    continue;
                }
                let (a, b, c, d) = (ll[i00], ll[i01], ll[i10], ll[i11]);
                let coef = [
                    k * (a + b + c + d),
                    k * (a + b - c - d), // low along x, high along y
                    k * (a - b + c - d), // high along x, low along y
                    k * (a - b - c + d),
                ];
                for (e, c) in energy.iter_mut().zip(coef) {
                    *e += c * c;
                }
                nll[y * nw + x] = coef[0];
                nok[y * nw + x] = true;
                count += 1;
            }
        }
        for (band, e) in names.iter().zip(energy) {
            let name = format!("WavEn{band}_s-{s}");
            out.push(if count > 0 {
                FeatureValue::new(name, e / count as f64)
            } else {
                FeatureValue::undefined(
                    name,
                    format!("no aligned {0}x{0} block lies inside the ROI", 1usize << s),
                )
            });
        }
        ll = nll;
        ok = nok;
        cw = nw;
        ch = nh;
    }
    // emit in the canonical LL, LH, HL, HH order whatever the band letter order
    for chunk in out.chunks_mut(4) {
        chunk.sort_by_key(|f| {
            ["LL", "LH", "HL", "HH"]
                .iter()
                .position(|b| f.name.starts_with(&format!("WavEn{b}")))
        });
    }
    out
}
