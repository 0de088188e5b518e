//! 1D kernels: Gaussian and its second derivative (scipy's sampling), Laws, wavelet filters.

use crate::boundary::Taps;
use crate::error::{FilterError, Result};
use serde::{Deserialize, Serialize};

/// Sampled Gaussian of `sigma` voxels over ±`radius`, normalised to sum 1, and (for
/// `second_derivative`) multiplied by `x²/σ⁴ − 1/σ²` (scipy.ndimage `_gaussian_kernel1d`).
pub(crate) fn gaussian(sigma: f64, radius: usize, second_derivative: bool) -> Taps {
    let s2 = sigma * sigma;
    let r = radius as isize;
    let phi: Vec<f64> = (-r..=r)
        .map(|x| (-0.5 / s2 * (x * x) as f64).exp())
        .collect();
    let sum: f64 = phi.iter().sum();
    let taps = (-r..=r)
        .zip(phi)
        .map(|(x, p)| {
            let p = p / sum;
            if second_derivative {
                let x2 = (x * x) as f64;
                p * (x2 / (s2 * s2) - 1.0 / s2)
            } else {
                p
            }
        })
        .collect();
    Taps::centred(taps)
}

/// The IBSI 2 Laws 1D kernel named `name` (`L3`, `E3`, `S3`, `L5`, `E5`, `S5`, `W5`, `R5`),
/// normalised to unit L2 norm.
pub(crate) fn laws_1d(name: &str) -> Result<Taps> {
    let raw: &[f64] = match name {
        "L3" => &[1.0, 2.0, 1.0],
        "E3" => &[-1.0, 0.0, 1.0],
        "S3" => &[-1.0, 2.0, -1.0],
        "L5" => &[1.0, 4.0, 6.0, 4.0, 1.0],
        "E5" => &[-1.0, -2.0, 0.0, 2.0, 1.0],
        "S5" => &[-1.0, 0.0, 2.0, 0.0, -1.0],
        "W5" => &[-1.0, 2.0, 0.0, -2.0, 1.0],
        "R5" => &[1.0, -4.0, 6.0, -4.0, 1.0],
        other => {
            return Err(FilterError::Invalid(format!(
                "unknown Laws kernel {other:?}; use L3 E3 S3 L5 E5 S5 W5 R5"
            )))
        }
    };
    let norm = raw.iter().map(|v| v * v).sum::<f64>().sqrt();
    Ok(Taps::centred(raw.iter().map(|v| v / norm).collect()))
}

/// Separable orthogonal wavelets available for the undecimated transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Wavelet {
    /// Haar (= db1).
    Haar,
    /// Daubechies with 2 vanishing moments.
    Db2,
    /// Daubechies with 3 vanishing moments.
    Db3,
    /// Daubechies with 4 vanishing moments.
    Db4,
    /// Symlet 2 (identical to db2).
    Sym2,
    /// Symlet 3 (identical to db3).
    Sym3,
    /// Symlet 4.
    Sym4,
    /// Coiflet 1 (PyRadiomics' default).
    #[default]
    Coif1,
}

impl Wavelet {
    /// PyWavelets decomposition low-pass filter `dec_lo`.
    pub fn dec_lo(self) -> &'static [f64] {
        match self {
            Wavelet::Haar => &[
                std::f64::consts::FRAC_1_SQRT_2,
                std::f64::consts::FRAC_1_SQRT_2,
            ],
            Wavelet::Db2 | Wavelet::Sym2 => &[
                -0.12940952255092145,
                0.22414386804185735,
                0.836516303737469,
                0.48296291314469025,
            ],
            Wavelet::Db3 | Wavelet::Sym3 => &[
                0.035226291882100656,
                -0.08544127388224149,
                -0.13501102001039084,
                0.4598775021193313,
                0.8068915093133388,
                0.3326705529509569,
            ],
            Wavelet::Db4 => &[
                -0.010597401785069032,
                0.0328830116668852,
                0.030841381835560764,
                -0.18703481171909309,
                -0.027983769416859854,
                0.6308807679298589,
                0.7148465705529157,
                0.2303778133088965,
            ],
            Wavelet::Sym4 => &[
                -0.07576571478927333,
                -0.02963552764599851,
                0.49761866763201545,
                0.8037387518059161,
                0.29785779560527736,
                -0.09921954357684722,
                -0.012603967262037833,
                0.0322231006040427,
            ],
            Wavelet::Coif1 => &[
                -0.01565572813546454,
                -0.0727326195128539,
                0.38486484686420286,
                0.8525720202122554,
                0.3378976624578092,
                -0.0727326195128539,
            ],
        }
    }

    /// Decomposition high-pass filter: `dec_hi[k] = (−1)^(k+1)·dec_lo[F−1−k]` (PyWavelets).
    pub fn dec_hi(self) -> Vec<f64> {
        let lo = self.dec_lo();
        let f = lo.len();
        (0..f)
            .map(|k| {
                if k % 2 == 0 {
                    -lo[f - 1 - k]
                } else {
                    lo[f - 1 - k]
                }
            })
            .collect()
    }

    /// Parses `haar`, `db1`–`db4`, `sym2`–`sym4`, `coif1`.
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "haar" | "db1" => Wavelet::Haar,
            "db2" => Wavelet::Db2,
            "db3" => Wavelet::Db3,
            "db4" => Wavelet::Db4,
            "sym2" => Wavelet::Sym2,
            "sym3" => Wavelet::Sym3,
            "sym4" => Wavelet::Sym4,
            "coif1" => Wavelet::Coif1,
            other => {
                return Err(FilterError::Invalid(format!(
                    "wavelet {other:?} not supported; use haar, db1-db4, sym2-sym4 or coif1"
                )))
            }
        })
    }
}

/// A filter used as a true convolution `out[n] = Σ_j h[j]·in[n + shift − j]`, upsampled by
/// inserting `2^(level−1) − 1` zeros between taps, written as correlation taps.
pub(crate) fn convolution_taps(h: &[f64], level: usize, shift: usize) -> Taps {
    let step = 1usize << (level - 1);
    let len = (h.len() - 1) * step + 1;
    let mut up = vec![0.0; len];
    for (j, v) in h.iter().enumerate() {
        up[j * step] = *v;
    }
    // out[n] = Σ_j up[j]·in[n + shift·step − j]; with m = len − 1 − j:
    // out[n] = Σ_m up[len−1−m]·in[n + m − (len − 1 − shift·step)]
    up.reverse();
    Taps {
        taps: up,
        origin: len - 1 - shift * step,
    }
}
