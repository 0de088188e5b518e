//! The filters: mean, Laplacian of Gaussian, Laws, undecimated separable wavelets, and ROI
//! cropping with the margin a filter needs.

use crate::boundary::{separable, BoundaryMode, Taps};
use crate::error::{FilterError, Result};
use crate::kernels::{convolution_taps, gaussian, laws_1d, Wavelet};
use dlr_image::{Image, Mask};
use serde::{Deserialize, Serialize};

/// Whether a filter runs in-plane per slice or in 3D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FilterDims {
    /// 2D for single-slice images, 3D otherwise (default).
    #[default]
    Auto,
    /// In-plane (x, y) per slice.
    TwoD,
    /// Full 3D.
    ThreeD,
}

fn n_axes(image: &Image, dims: FilterDims) -> usize {
    match dims {
        FilterDims::Auto if image.is_2d() => 2,
        FilterDims::Auto | FilterDims::ThreeD => 3,
        FilterDims::TwoD => 2,
    }
}

fn to_f64(image: &Image) -> Vec<f64> {
    image.data().iter().map(|&v| v as f64).collect()
}

fn to_image(like: &Image, data: Vec<f64>) -> Result<Image> {
    let mut out = Image::new(data.into_iter().map(|v| v as f32).collect(), like.dims())?;
    out.spacing = like.spacing;
    out.origin = like.origin;
    out.direction = like.direction;
    out.meta = like.meta.clone();
    Ok(out)
}

fn check_finite(image: &Image) -> Result<()> {
    if let Some(i) = image.data().iter().position(|v| !v.is_finite()) {
        return Err(FilterError::Invalid(format!(
            "voxel {i} is {}; filters need finite intensities",
            image.data()[i]
        )));
    }
    if image.is_empty() {
        return Err(FilterError::Invalid("the image has no voxels".into()));
    }
    Ok(())
}

/// IBSI 2 mean filter over an `support`-voxel cube (square in 2D); `support` must be odd.
pub fn mean_filter(
    image: &Image,
    support: usize,
    boundary: BoundaryMode,
    dims: FilterDims,
) -> Result<Image> {
    check_finite(image)?;
    if support == 0 || support % 2 == 0 {
        return Err(FilterError::Invalid(format!(
            "mean filter support {support} must be odd and positive"
        )));
    }
    let k = Taps::centred(vec![1.0 / support as f64; support]);
    let n = n_axes(image, dims);
    let ks = [Some(&k), Some(&k), (n == 3).then_some(&k)];
    to_image(image, separable(&to_f64(image), image.dims(), ks, boundary))
}

/// Options of the Laplacian of Gaussian.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogOptions {
    /// Boundary condition (default mirror).
    pub boundary: BoundaryMode,
    /// Kernel half-width in standard deviations (default 4, as IBSI 2 and scipy).
    pub truncate: f64,
    /// 2D per slice or 3D.
    pub dims: FilterDims,
    /// Units of the response (default: per voxel², which the IBSI 2 reference maps use).
    pub scale: LogScale,
}

/// Units of the Laplacian of Gaussian response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LogScale {
    /// Second derivatives per voxel² (scipy.ndimage.gaussian_laplace on σ in voxels; matches
    /// the IBSI 2 phase-1 reference maps 2A–2C). Default.
    #[default]
    Voxel,
    /// Second derivatives per mm² (the physical Laplacian).
    Physical,
    /// Physical Laplacian times σ² in mm² (scale-normalised, comparable across σ).
    SigmaSquared,
}

impl Default for LogOptions {
    fn default() -> Self {
        Self {
            boundary: BoundaryMode::Mirror,
            truncate: 4.0,
            dims: FilterDims::Auto,
            scale: LogScale::Voxel,
        }
    }
}

/// Laplacian of Gaussian with scale `sigma_mm` (millimetres, converted per axis with the
/// spacing): Σ_axes ∂²(G∗I)/∂x_mm², sampled as scipy.ndimage.gaussian_laplace (kernel
/// normalised to sum 1 before differentiation, half-width `int(truncate·σ_vox + 0.5)`), times
/// σ² or the spacing² as `opts.scale` says. With anisotropic spacing `Voxel` scales each
/// axis by its own spacing² (plain voxel-grid derivatives).
pub fn laplacian_of_gaussian(image: &Image, sigma_mm: f64, opts: &LogOptions) -> Result<Image> {
    check_finite(image)?;
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(sigma_mm) || !positive(opts.truncate) {
        return Err(FilterError::Invalid(format!(
            "LoG needs sigma_mm > 0 and truncate > 0, got {sigma_mm} and {}",
            opts.truncate
        )));
    }
    let n = n_axes(image, opts.dims);
    let src = to_f64(image);
    let dims = image.dims();
    let mut smooth = Vec::new();
    let mut second = Vec::new();
    for a in 0..n {
        let sp = image.spacing[a];
        if !(sp.is_finite() && sp > 0.0) {
            return Err(FilterError::Invalid(format!("spacing {sp} on axis {a}")));
        }
        let s = sigma_mm / sp;
        let radius = (opts.truncate * s + 0.5) as usize;
        smooth.push(gaussian(s, radius, false));
        // derivative per mm² = per voxel² / spacing²
        let mut d2 = gaussian(s, radius, true);
        if opts.scale != LogScale::Voxel {
            d2.taps.iter_mut().for_each(|t| *t /= sp * sp);
        }
        second.push(d2);
    }
    let mut out = vec![0.0; src.len()];
    for a in 0..n {
        let ks: [Option<&Taps>; 3] =
            std::array::from_fn(|b| (b < n).then(|| if b == a { &second[b] } else { &smooth[b] }));
        let part = separable(&src, dims, ks, opts.boundary);
        out.iter_mut().zip(part).for_each(|(o, p)| *o += p);
    }
    if opts.scale == LogScale::SigmaSquared {
        let s2 = sigma_mm * sigma_mm;
        out.iter_mut().for_each(|v| *v *= s2);
    }
    to_image(image, out)
}

/// Voxel margin the LoG needs around an ROI (the kernel half-width on the coarsest axis).
pub fn log_margin_voxels(image: &Image, sigma_mm: f64, truncate: f64) -> usize {
    (0..3)
        .map(|a| (truncate * sigma_mm / image.spacing[a] + 0.5) as usize)
        .max()
        .unwrap_or(0)
}

/// The proper rotations of the axes as (permutation, flips): 4 in 2D, 24 in 3D.
fn rotations(n: usize) -> Vec<([usize; 3], [bool; 3])> {
    let perms: Vec<[usize; 3]> = if n == 2 {
        vec![[0, 1, 2], [1, 0, 2]]
    } else {
        vec![
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ]
    };
    let mut out = Vec::new();
    for p in perms {
        // parity of the permutation
        let mut inv = 0;
        for i in 0..n {
            for j in i + 1..n {
                if p[i] > p[j] {
                    inv += 1;
                }
            }
        }
        for mask in 0..(1u8 << n) {
            let flips = [mask & 1 != 0, mask & 2 != 0, mask & 4 != 0];
            let nflips = flips[..n].iter().filter(|f| **f).count();
            if (inv + nflips) % 2 == 0 {
                out.push((p, flips));
            }
        }
    }
    out
}

/// Applies the separable kernel `ks[i]` (for kernel axis i) rotated by `(perm, flips)`:
/// kernel axis i lands on image axis `perm[i]`, mirrored when `flips[i]`.
fn rotated_separable(
    src: &[f64],
    dims: [usize; 3],
    ks: &[Taps],
    rot: ([usize; 3], [bool; 3]),
    boundary: BoundaryMode,
) -> Vec<f64> {
    let mut placed: [Option<Taps>; 3] = [None, None, None];
    for (i, k) in ks.iter().enumerate() {
        placed[rot.0[i]] = Some(if rot.1[i] { k.reversed() } else { k.clone() });
    }
    separable(
        src,
        dims,
        [placed[0].as_ref(), placed[1].as_ref(), placed[2].as_ref()],
        boundary,
    )
}

/// How responses to rotated kernels are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// No rotation invariance: the kernel as given (default).
    #[default]
    None,
    /// Voxel-wise maximum over the right-angle rotations.
    Max,
    /// Voxel-wise mean over the right-angle rotations.
    Mean,
}

fn pooled(
    src: &[f64],
    dims: [usize; 3],
    ks: &[Taps],
    n: usize,
    pooling: Pooling,
    boundary: BoundaryMode,
) -> Vec<f64> {
    let identity = ([0, 1, 2], [false; 3]);
    match pooling {
        Pooling::None => rotated_separable(src, dims, ks, identity, boundary),
        Pooling::Max | Pooling::Mean => {
            let rots = rotations(n);
            let mut acc = match pooling {
                Pooling::Max => vec![f64::NEG_INFINITY; src.len()],
                _ => vec![0.0; src.len()],
            };
            for r in &rots {
                let resp = rotated_separable(src, dims, ks, *r, boundary);
                for (a, v) in acc.iter_mut().zip(resp) {
                    match pooling {
                        Pooling::Max => *a = a.max(v),
                        _ => *a += v / rots.len() as f64,
                    }
                }
            }
            acc
        }
    }
}

/// Options of the Laws filter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LawsOptions {
    /// Boundary condition (default mirror).
    pub boundary: BoundaryMode,
    /// Rotation invariance (default none).
    pub pooling: Pooling,
    /// Energy map: mean of |response| over a (2δ+1) cube; `None` = plain response.
    pub energy_delta: Option<usize>,
}

impl Default for LawsOptions {
    fn default() -> Self {
        Self {
            boundary: BoundaryMode::Mirror,
            pooling: Pooling::None,
            energy_delta: None,
        }
    }
}

/// IBSI 2 Laws filter; `kernels` names one 1D kernel per axis in x, y(, z) order, e.g.
/// `"L5S5"` (2D, per slice) or `"E5L5S5"` (3D). Kernels are L2-normalised and applied by
/// convolution.
pub fn laws(image: &Image, kernels: &str, opts: &LawsOptions) -> Result<Image> {
    check_finite(image)?;
    if kernels.len() % 2 != 0 || kernels.is_empty() || !kernels.is_ascii() {
        return Err(FilterError::Invalid(format!(
            "Laws kernel name {kernels:?} must be 2 or 3 kernels such as L5S5 or E5L5S5"
        )));
    }
    let ks: Vec<Taps> = (0..kernels.len() / 2)
        .map(|i| laws_1d(&kernels[2 * i..2 * i + 2]).map(|k| k.reversed()))
        .collect::<Result<_>>()?;
    let n = ks.len();
    if n != 2 && n != 3 {
        return Err(FilterError::Invalid(format!(
            "Laws kernel name {kernels:?} must combine 2 (2D) or 3 (3D) kernels"
        )));
    }
    let dims = image.dims();
    let mut resp = pooled(&to_f64(image), dims, &ks, n, opts.pooling, opts.boundary);
    if let Some(delta) = opts.energy_delta {
        let m = 2 * delta + 1;
        let k = Taps::centred(vec![1.0 / m as f64; m]);
        resp.iter_mut().for_each(|v| *v = v.abs());
        resp = separable(
            &resp,
            dims,
            [Some(&k), Some(&k), (n == 3).then_some(&k)],
            opts.boundary,
        );
    }
    to_image(image, resp)
}

/// Options of the IBSI 2 separable wavelet filter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WaveletOptions {
    /// Boundary condition (default mirror).
    pub boundary: BoundaryMode,
    /// Rotation invariance (IBSI 2 uses mean pooling; default none).
    pub pooling: Pooling,
}

impl Default for WaveletOptions {
    fn default() -> Self {
        Self {
            boundary: BoundaryMode::Mirror,
            pooling: Pooling::None,
        }
    }
}

/// Filter origin shift used for every wavelet filter of length F: the output voxel sits at
/// tap `F/2` of the convolution (PyWavelets' periodised `swt` alignment).
fn wavelet_taps(h: &[f64], level: usize) -> Taps {
    convolution_taps(h, level, h.len() / 2)
}

/// One sub-band of the IBSI 2 undecimated (à trous) separable wavelet transform.
///
/// `band` has one letter per axis in x, y(, z) order (`"LHL"`, `"HH"`); level k ≥ 1 applies the
/// band's filters, upsampled by 2^(k−1), to the all-low-pass response of level k − 1.
pub fn wavelet_band(
    image: &Image,
    wavelet: Wavelet,
    band: &str,
    level: usize,
    opts: &WaveletOptions,
) -> Result<Image> {
    check_finite(image)?;
    let n = band.len();
    if !(n == 2 || n == 3) || !band.chars().all(|c| c == 'L' || c == 'H') {
        return Err(FilterError::Invalid(format!(
            "wavelet band {band:?} must be 2 or 3 letters L/H (x, y, z order)"
        )));
    }
    if level == 0 || level > 8 {
        return Err(FilterError::Invalid(format!(
            "wavelet level {level} out of range 1..=8"
        )));
    }
    let lo = wavelet.dec_lo().to_vec();
    let hi = wavelet.dec_hi();
    let dims = image.dims();
    // the chain of separable stages: all-low-pass at levels 1..k−1, then the band at level k
    let mut stages: Vec<Vec<Taps>> = (1..level)
        .map(|l| (0..n).map(|_| wavelet_taps(&lo, l)).collect())
        .collect();
    stages.push(
        band.chars()
            .map(|c| wavelet_taps(if c == 'L' { &lo } else { &hi }, level))
            .collect(),
    );
    let src = to_f64(image);
    // a rotation turns the whole chain (equivalently: rotate the image, filter, rotate back)
    let chain = |rot: ([usize; 3], [bool; 3])| {
        stages.iter().fold(src.clone(), |cur, ks| {
            rotated_separable(&cur, dims, ks, rot, opts.boundary)
        })
    };
    let out = match opts.pooling {
        Pooling::None => chain(([0, 1, 2], [false; 3])),
        Pooling::Mean | Pooling::Max => {
            let rots = rotations(n);
            let mut acc = vec![
                if opts.pooling == Pooling::Max {
                    f64::NEG_INFINITY
                } else {
                    0.0
                };
                src.len()
            ];
            for r in &rots {
                for (a, v) in acc.iter_mut().zip(chain(*r)) {
                    if opts.pooling == Pooling::Max {
                        *a = a.max(v);
                    } else {
                        *a += v / rots.len() as f64;
                    }
                }
            }
            acc
        }
    };
    to_image(image, out)
}

/// PyRadiomics' undecimated wavelet decomposition of the whole image (`_swt3` with
/// `start_level = 0`): every sub-band of levels 1..=`level` named `wavelet-LLH` … (letters in x,
/// y, z order; `wavelet2-LLH` … from level 2 on, as PyRadiomics 3.1 names them) and the last
/// approximation `wavelet-LLL` (`wavelet-LL` in 2D; `wavelet<level>-LLL` for level > 1).
/// Exact PyRadiomics semantics (odd axes padded by one wrapped voxel, periodic, filters not
/// upsampled); see [`crate::pyradiomics_wavelet`] for the ROI-box version this calls.
pub fn wavelet_undecimated(
    image: &Image,
    wavelet: Wavelet,
    level: usize,
) -> Result<Vec<(String, Image)>> {
    if image.is_empty() {
        return Err(FilterError::Invalid("the image has no voxels".into()));
    }
    crate::pyradiomics::pyradiomics_wavelet(
        image,
        crate::VoxelBox::whole(image),
        wavelet,
        level,
        0,
    )?
    .into_iter()
    .map(|r| Ok((r.name, to_image(image, r.values)?)))
    .collect()
}

/// Crops image and mask to the ROI bounding box grown by `margin_voxels` on every side
/// (clipped at the image edge; z is not grown for 2D images). The origin is moved so that
/// physical positions are unchanged.
pub fn crop_with_margin(image: &Image, mask: &Mask, margin_voxels: usize) -> Result<(Image, Mask)> {
    let dims = image.dims();
    if mask.dims() != dims {
        return Err(FilterError::Mismatch {
            image: dims,
            mask: mask.dims(),
        });
    }
    let (lo, hi) = mask.bounding_box().ok_or(FilterError::EmptyRoi)?;
    let mut a = [0usize; 3];
    let mut b = [0usize; 3];
    for k in 0..3 {
        a[k] = lo[k].saturating_sub(margin_voxels);
        b[k] = (hi[k] + margin_voxels).min(dims[k] - 1);
    }
    let nd = [b[0] - a[0] + 1, b[1] - a[1] + 1, b[2] - a[2] + 1];
    let mut v = Vec::with_capacity(nd[0] * nd[1] * nd[2]);
    let mut m = Vec::with_capacity(v.capacity());
    for z in a[2]..=b[2] {
        for y in a[1]..=b[1] {
            let row = image.index(a[0], y, z);
            v.extend_from_slice(&image.data()[row..row + nd[0]]);
            m.extend_from_slice(&mask.data()[row..row + nd[0]]);
        }
    }
    let mut img = Image::new(v, nd)?;
    img.spacing = image.spacing;
    img.direction = image.direction;
    img.meta = image.meta.clone();
    // origin moves by the direction-rotated offset a·spacing
    let d = image.direction;
    let off: [f64; 3] = std::array::from_fn(|k| a[k] as f64 * image.spacing[k]);
    img.origin = std::array::from_fn(|r| {
        image.origin[r] + d[3 * r] * off[0] + d[3 * r + 1] * off[1] + d[3 * r + 2] * off[2]
    });
    let mut msk = Mask::new(m, nd)?;
    msk.spacing = image.spacing;
    msk.origin = img.origin;
    Ok((img, msk))
}
