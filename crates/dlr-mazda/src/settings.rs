//! [`MazdaSettings`]: every choice the MaZda specification leaves open, with its default.
//!
//! Each field corresponds to a point marked unverified (`[?]`) in
//! `../shared/specs/mazda_2d_features.md`; the crate README has the table name → formula → option.

use crate::error::{MazdaError, Result};
use serde::{Deserialize, Serialize};

/// Grey-level normalisation applied before analysis (MaZda's "normalisation" option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Normalisation {
    /// MaZda "default": original grey levels over the nominal range `[0, 2^source_bits)`.
    #[default]
    None,
    /// `±3 sigma`: range `[μ−3σ, μ+3σ]`, values outside clipped to the range ends.
    Sigma3,
    /// `1%-99%`: range between the 1st and 99th percentiles, values outside clipped.
    #[serde(rename = "percentile1_99")]
    Percentile1_99,
}

/// Which pixels define μ, σ or the percentiles of the normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NormalisationScope {
    /// ROI pixels only (default; how MaZda 4.x is generally understood to work).
    #[default]
    Roi,
    /// All finite pixels of the image (the wording of the MaZda COST page).
    Image,
}

/// Rule for `Perc.X%`: which grey level is the X-th percentile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PercentileRule {
    /// Smallest level g with cumulative fraction F(g) ≥ X/100 (default).
    #[default]
    AtLeast,
    /// Smallest level g with F(g) > X/100.
    Greater,
}

/// Logarithm base of the co-occurrence entropies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogBase {
    /// log10 (default; both MaZda-targeted re-implementations).
    #[default]
    Ten,
    /// log2 (IBSI).
    Two,
    /// Natural logarithm.
    E,
}

impl LogBase {
    /// `log_base(x)`.
    pub fn log(self, x: f64) -> f64 {
        match self {
            LogBase::Ten => x.log10(),
            LogBase::Two => x.log2(),
            LogBase::E => x.ln(),
        }
    }
}

/// Centre of `SumVarnc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SumVarianceCentre {
    /// Σ (k − SumAverg)² p_{x+y}(k) (default; IBSI and the re-implementations).
    #[default]
    SumAverage,
    /// Σ (k − SumEntrp)² p_{x+y}(k), as printed in Haralick 1973.
    SumEntropy,
}

/// `Correlat` when the marginal standard deviation is zero (one grey level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationDegenerate {
    /// Undefined value with a note (default).
    #[default]
    Undefined,
    /// 1.0, as one re-implementation returns.
    One,
}

/// Orientation of the diagonal matrices and runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DiagonalConvention {
    /// `S(d,d)` and `45dgr_` pair a pixel with the one up and to the right (rows counted
    /// downwards, y axis pointing up as in mathematics); `S(d,-d)`/`135dr_` down-right (default,
    /// the MATLAB re-implementation's mapping).
    #[default]
    UpRight,
    /// `S(d,d)` and `45dgr_` go down-right (y axis pointing down as in image rows).
    DownRight,
}

/// Support of the absolute gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GradientKernel {
    /// Central differences of the 4-neighbours, one pixel apart (3×3 support; default).
    #[default]
    Central3,
    /// Central differences two pixels apart (5×5 support, PMC4571663's "5x5 matrix").
    Central5,
}

/// Which pixels contribute a gradient value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum GradientSupport {
    /// Only ROI pixels whose needed neighbours are also in the ROI (default).
    #[default]
    NeighboursInRoi,
    /// Every ROI pixel whose neighbours lie inside the image, using out-of-ROI neighbours.
    AllRoiPixels,
}

/// Scale of `GrNonZeros`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NonZerosScale {
    /// Fraction 0–1 (default).
    #[default]
    Fraction,
    /// Percentage 0–100.
    Percent,
}

/// A causal neighbour of the autoregressive model, relative to the centre pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArNeighbour {
    /// West, (x−1, y).
    W,
    /// North-west, (x−1, y−1).
    Nw,
    /// North, (x, y−1).
    N,
    /// North-east, (x+1, y−1).
    Ne,
}

impl ArNeighbour {
    /// Offset `(dx, dy)` in image coordinates (y = row, growing downwards).
    pub fn offset(self) -> (isize, isize) {
        match self {
            ArNeighbour::W => (-1, 0),
            ArNeighbour::Nw => (-1, -1),
            ArNeighbour::N => (0, -1),
            ArNeighbour::Ne => (1, -1),
        }
    }
}

/// Divisor of the residual variance behind `Sigma`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SigmaDivisor {
    /// n, the number of fitted pixels (default).
    #[default]
    N,
    /// n − 4 (unbiased least-squares estimate).
    NMinusParams,
}

/// Scaling of the zero-mean field before the autoregressive fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ArScale {
    /// Subtract the ROI mean only (default).
    #[default]
    MeanOnly,
    /// Subtract the ROI mean and divide by the ROI standard deviation (Sigma becomes relative).
    RoiStd,
}

/// Origin of the decimated Haar grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WaveletAlignment {
    /// Blocks aligned to the ROI bounding box corner (default; translation invariant).
    #[default]
    RoiBoundingBox,
    /// Blocks aligned to image pixel (0, 0).
    ImageOrigin,
}

/// Meaning of the two letters of a wavelet band name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BandOrder {
    /// First letter = filter along x (columns), second = along y (rows) (default): `HL` is
    /// high-pass along x, i.e. it responds to vertical edges.
    #[default]
    XThenY,
    /// First letter = filter along y, second along x.
    YThenX,
}

/// Scaling of the Haar filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HaarNorm {
    /// Orthonormal, (a ± b)/√2 per axis (default; energy preserving).
    #[default]
    Orthonormal,
    /// Averaging, (a ± b)/2 per axis (LL stays on the grey-level scale).
    Average,
}

/// Which feature groups to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Groups {
    /// Histogram (9).
    pub histogram: bool,
    /// Absolute gradient (5).
    pub gradient: bool,
    /// Run-length matrix (20).
    pub run_length: bool,
    /// Co-occurrence matrix (11 × 4 × distances).
    pub cooccurrence: bool,
    /// Autoregressive model (5).
    pub autoregressive: bool,
    /// Haar wavelet energies (4 × scales).
    pub wavelet: bool,
}

impl Default for Groups {
    fn default() -> Self {
        Self {
            histogram: true,
            gradient: true,
            run_length: true,
            cooccurrence: true,
            autoregressive: true,
            wavelet: true,
        }
    }
}

/// Settings of the MaZda 2D extractor; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MazdaSettings {
    /// Feature groups to compute.
    pub groups: Groups,
    /// Grey-level normalisation (default none).
    pub normalisation: Normalisation,
    /// Pixels defining the normalisation range (default ROI).
    pub normalisation_scope: NormalisationScope,
    /// Bits of the source image for `Normalisation::None` (nominal range `[0, 2^bits)`); when
    /// absent, the image's `meta.bits_stored`, else 8 or 16 inferred from integer ROI values.
    pub source_bits: Option<u8>,
    /// Bits per pixel of the co-occurrence and run-length matrices (2^b levels; default 6).
    pub bits_per_pixel: u8,
    /// Bits per pixel of the gradient image; `None` = normalised grey levels (default 4).
    pub gradient_bits: Option<u8>,
    /// Bits per pixel of the histogram; `None` = normalised grey levels (default).
    pub histogram_bits: Option<u8>,
    /// Bits per pixel of the autoregressive model; `None` = normalised grey levels (default).
    pub ar_bits: Option<u8>,
    /// Bits per pixel of the wavelet transform; `None` = normalised grey levels (default).
    pub wavelet_bits: Option<u8>,
    /// Value of the lowest requantised level (1 in the re-implementations; matters for
    /// `SumAverg` and histogram statistics on requantised levels).
    pub level_base: u8,
    /// Co-occurrence distances d of `S(d,0)`, `S(0,d)`, `S(d,d)`, `S(d,-d)` (default 1–5).
    pub distances: Vec<usize>,
    /// Percentile rule of `Perc.X%`.
    pub percentile_rule: PercentileRule,
    /// Subtract 3 from `Kurtosis` and `GrKurtosis` (excess kurtosis; default true).
    pub excess_kurtosis: bool,
    /// Logarithm base of the co-occurrence entropies (default log10).
    pub log_base: LogBase,
    /// Centre of `SumVarnc` (default sum average).
    pub sum_variance_centre: SumVarianceCentre,
    /// `Correlat` for a single-level matrix (default undefined).
    pub correlation_degenerate: CorrelationDegenerate,
    /// Orientation of `S(d,d)` and `45dgr_` (default up-right).
    pub diagonal: DiagonalConvention,
    /// Gradient difference kernel (default 3×3).
    pub gradient_kernel: GradientKernel,
    /// Pixels contributing a gradient (default: neighbours inside the ROI).
    pub gradient_support: GradientSupport,
    /// Scale of `GrNonZeros` (default fraction).
    pub gradient_nonzeros: NonZerosScale,
    /// Neighbours bound to `Teta1` … `Teta4` (default W, NW, N, NE).
    pub ar_neighbours: [ArNeighbour; 4],
    /// Divisor of the residual variance (default n).
    pub ar_sigma_divisor: SigmaDivisor,
    /// Scaling before the autoregressive fit (default mean removal only).
    pub ar_scale: ArScale,
    /// Number of wavelet scales emitted, `WavEn*_s-1` … `_s-S` (default 5; at most 12).
    pub wavelet_scales: usize,
    /// Origin of the decimated Haar grid (default ROI bounding box).
    pub wavelet_alignment: WaveletAlignment,
    /// Band letter order (default x then y).
    pub wavelet_band_order: BandOrder,
    /// Haar filter scaling (default orthonormal).
    pub wavelet_norm: HaarNorm,
}

impl Default for MazdaSettings {
    fn default() -> Self {
        Self {
            groups: Groups::default(),
            normalisation: Normalisation::None,
            normalisation_scope: NormalisationScope::Roi,
            source_bits: None,
            bits_per_pixel: 6,
            gradient_bits: Some(4),
            histogram_bits: None,
            ar_bits: None,
            wavelet_bits: None,
            level_base: 1,
            distances: vec![1, 2, 3, 4, 5],
            percentile_rule: PercentileRule::AtLeast,
            excess_kurtosis: true,
            log_base: LogBase::Ten,
            sum_variance_centre: SumVarianceCentre::SumAverage,
            correlation_degenerate: CorrelationDegenerate::Undefined,
            diagonal: DiagonalConvention::UpRight,
            gradient_kernel: GradientKernel::Central3,
            gradient_support: GradientSupport::NeighboursInRoi,
            gradient_nonzeros: NonZerosScale::Fraction,
            ar_neighbours: [
                ArNeighbour::W,
                ArNeighbour::Nw,
                ArNeighbour::N,
                ArNeighbour::Ne,
            ],
            ar_sigma_divisor: SigmaDivisor::N,
            ar_scale: ArScale::MeanOnly,
            wavelet_scales: 5,
            wavelet_alignment: WaveletAlignment::RoiBoundingBox,
            wavelet_band_order: BandOrder::XThenY,
            wavelet_norm: HaarNorm::Orthonormal,
        }
    }
}

/// Largest supported bits per pixel (2^16 levels).
pub const MAX_BITS: u8 = 16;
/// Largest supported number of wavelet scales.
pub const MAX_WAVELET_SCALES: usize = 12;

impl MazdaSettings {
    /// Checks ranges and consistency; every extractor call runs it first.
    pub fn validate(&self) -> Result<()> {
        let check_bits = |what: &str, b: u8| -> Result<()> {
            if b == 0 || b > MAX_BITS {
                return Err(MazdaError::Settings(format!(
                    "{what} = {b}; allowed 1..={MAX_BITS}"
                )));
            }
            Ok(())
        };
        check_bits("bits_per_pixel", self.bits_per_pixel)?;
        for (what, b) in [
            ("gradient_bits", self.gradient_bits),
            ("histogram_bits", self.histogram_bits),
            ("ar_bits", self.ar_bits),
            ("wavelet_bits", self.wavelet_bits),
        ] {
            if let Some(b) = b {
                check_bits(what, b)?;
            }
        }
        if let Some(b) = self.source_bits {
            check_bits("source_bits", b)?;
        }
        if self.level_base > 1 {
            return Err(MazdaError::Settings(format!(
                "level_base = {}; allowed 0 or 1",
                self.level_base
            )));
        }
        if self.groups.cooccurrence && self.distances.is_empty() {
            return Err(MazdaError::Settings(
                "distances is empty; give at least one co-occurrence distance".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for &d in &self.distances {
            if d == 0 || d > 64 {
                return Err(MazdaError::Settings(format!(
                    "distance {d} out of range 1..=64"
                )));
            }
            if !seen.insert(d) {
                return Err(MazdaError::Settings(format!("distance {d} listed twice")));
            }
        }
        if self.groups.wavelet
            && (self.wavelet_scales == 0 || self.wavelet_scales > MAX_WAVELET_SCALES)
        {
            return Err(MazdaError::Settings(format!(
                "wavelet_scales = {}; allowed 1..={MAX_WAVELET_SCALES}",
                self.wavelet_scales
            )));
        }
        let mut n = self.ar_neighbours.to_vec();
        n.sort_by_key(|a| a.offset());
        n.dedup();
        if n.len() != 4 {
            return Err(MazdaError::Settings(format!(
                "ar_neighbours {:?} must name W, NW, N and NE once each",
                self.ar_neighbours
            )));
        }
        Ok(())
    }
}
