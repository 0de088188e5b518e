//! PyRadiomics 3.1 filters reproduced exactly and computed on an ROI box only.
//!
//! * [`pyradiomics_log`]: SimpleITK's `LaplacianRecursiveGaussianImageFilter` with
//!   `NormalizeAcrossScale` on, as PyRadiomics' `getLoGImage` runs it — ITK's recursive
//!   (Deriche 4th-order IIR) Gaussian and second derivative, edge-value boundary, every pass
//!   stored as `f32` as ITK's internal float images are, the Laplacian summed per axis with the
//!   1/spacing² scale, times σ² (mm²). On a 2D image it is the 2D Laplacian (PyRadiomics still
//!   names it `log-sigma-…-mm-3D`).
//! * [`pyradiomics_wavelet`]: PyRadiomics' `_swt3` — every odd axis padded by one wrapped voxel,
//!   then per level PyWavelets `swtn(level=1)` (periodic, filters not upsampled) on the previous
//!   approximation; sub-bands named `wavelet-LLH` (letters in x, y, z order), `wavelet2-LLH` from
//!   the second level on, and the last approximation `wavelet-LLL` / `wavelet<k>-LLL`.
//!
//! Both return the response on a [`VoxelBox`] (the ROI bounding box) only. The wavelet is exact
//! on any box: the box is grown by the filters' reach and filled from the infinite periodic
//! extension PyRadiomics' transform implies. The IIR LoG depends on whole lines; the box is
//! grown by [`log_iir_margin`] voxels (22·σ/spacing + 4, where the recursion has decayed below
//! 1e-13) or up to the image edge, where ITK's own edge rule applies, so the response equals the
//! whole-image response to far below `f32` resolution.

use crate::error::{FilterError, Result};
use crate::kernels::{convolution_taps, Wavelet};
use dlr_image::Image;

/// An inclusive voxel box `[lo, hi]` of an image, e.g. an ROI's bounding box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoxelBox {
    /// First voxel (x, y, z).
    pub lo: [usize; 3],
    /// Last voxel (x, y, z), inclusive.
    pub hi: [usize; 3],
}

impl VoxelBox {
    /// The whole image (an image without voxels gives a box the filters reject).
    pub fn whole(image: &Image) -> Self {
        let d = image.dims();
        Self {
            lo: [0; 3],
            hi: d.map(|n| n.saturating_sub(1)),
        }
    }

    /// Box size `[nx, ny, nz]`.
    pub fn dims(&self) -> [usize; 3] {
        std::array::from_fn(|k| self.hi[k] - self.lo[k] + 1)
    }

    /// Number of voxels in the box.
    pub fn len(&self) -> usize {
        self.dims().iter().product()
    }

    /// Always false: a box has at least one voxel.
    pub fn is_empty(&self) -> bool {
        false
    }

    fn check(&self, image: &Image) -> Result<()> {
        let d = image.dims();
        if (0..3).any(|k| self.lo[k] > self.hi[k] || self.hi[k] >= d[k]) {
            return Err(FilterError::Invalid(format!(
                "box {:?}..={:?} is not inside the {d:?} image",
                self.lo, self.hi
            )));
        }
        Ok(())
    }
}

/// A filter response on a box of the image (f64, x fastest), with its PyRadiomics image-type
/// name (`wavelet-LLH`, `log-sigma-1-0-mm-3D`).
#[derive(Debug, Clone, PartialEq)]
pub struct BoxResponse {
    /// PyRadiomics image-type name.
    pub name: String,
    /// Response values on `region`, x fastest.
    pub values: Vec<f64>,
    /// Where the values lie in the image.
    pub region: VoxelBox,
}

/// Errors when a value the filter reads is not finite (only the working box is checked: the
/// filters read nothing else).
fn check_finite<T: Copy + Into<f64>>(values: &[T]) -> Result<()> {
    if let Some(v) = values
        .iter()
        .map(|&v| v.into())
        .find(|v: &f64| !v.is_finite())
    {
        return Err(FilterError::Invalid(format!(
            "a voxel the filter reads is {v}; filters need finite intensities"
        )));
    }
    Ok(())
}

/// Number of filtered axes as PyRadiomics sees the image: 2 for a single-slice image (read as
/// a native 2D image), 3 otherwise.
fn n_axes(image: &Image) -> usize {
    if image.is_2d() {
        2
    } else {
        3
    }
}

/// PyRadiomics' LoG image-type name for `sigma_mm`: `log-sigma-1-0-mm-3D` (Python's `str(σ)`
/// with `.` → `-`; `-3D` also for 2D images, as PyRadiomics writes it).
pub fn log_name(sigma_mm: f64) -> String {
    format!(
        "log-sigma-{}-mm-3D",
        python_float_str(sigma_mm).replace('.', "-")
    )
}

/// Python's `str()` of a float for the values a σ list holds (`1.0`, `0.5`, `2.25`).
fn python_float_str(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e16 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

/// Why PyRadiomics 3.1.4 computes no LoG image for `sigma_mm` on this image, if it does not:
/// fewer than 4 voxels along an axis (it skips all σ), or an axis shorter than
/// `ceil(σ/spacing) + 1` voxels (it skips that σ). `None` = it computes it.
pub fn log_skip_reason(image: &Image, sigma_mm: f64) -> Option<String> {
    let n = n_axes(image);
    let d = image.dims();
    if (0..n).any(|a| d[a] < 4) {
        return Some(format!(
            "PyRadiomics computes no LoG image: the {:?} image has fewer than 4 voxels along an axis",
            &d[..n]
        ));
    }
    for (a, (&size, &sp)) in d.iter().zip(&image.spacing).take(n).enumerate() {
        let need = (sigma_mm / sp).ceil() + 1.0;
        if (size as f64) < need {
            return Some(format!(
                "PyRadiomics skips LoG sigma {sigma_mm} mm: axis {a} has {size} voxels, fewer than ceil(sigma/spacing) + 1 = {need}"
            ));
        }
    }
    None
}

/// Voxels by which [`pyradiomics_log`] grows the box along an axis of `spacing` mm.
pub fn log_iir_margin(sigma_mm: f64, spacing: f64) -> usize {
    (22.0 * sigma_mm / spacing).ceil() as usize + 4
}

/// Coefficients of one ITK `RecursiveGaussianImageFilter` pass (causal N, anticausal M,
/// denominator D, edge BN/BM).
#[derive(Debug, Clone, Copy)]
struct Recursive {
    n: [f64; 4],
    m: [f64; 4],
    d: [f64; 4],
    bn: [f64; 4],
    bm: [f64; 4],
}

/// ITK's `ComputeNCoefficients`: numerator and its moments SN, DN, EN.
#[allow(clippy::too_many_arguments)]
fn n_coefficients(
    sigmad: f64,
    a1: f64,
    b1: f64,
    w1: f64,
    l1: f64,
    a2: f64,
    b2: f64,
    w2: f64,
    l2: f64,
) -> ([f64; 4], f64, f64, f64) {
    let (sin1, sin2) = ((w1 / sigmad).sin(), (w2 / sigmad).sin());
    let (cos1, cos2) = ((w1 / sigmad).cos(), (w2 / sigmad).cos());
    let (exp1, exp2) = ((l1 / sigmad).exp(), (l2 / sigmad).exp());
    let n0 = a1 + a2;
    let mut n1 = exp2 * (b2 * sin2 - (a2 + 2.0 * a1) * cos2);
    n1 += exp1 * (b1 * sin1 - (a1 + 2.0 * a2) * cos1);
    let mut n2 = (a1 + a2) * cos2 * cos1;
    n2 -= b1 * cos2 * sin1 + b2 * cos1 * sin2;
    n2 *= 2.0 * exp1 * exp2;
    n2 += a2 * exp1 * exp1 + a1 * exp2 * exp2;
    let mut n3 = exp2 * exp1 * exp1 * (b2 * sin2 - a2 * cos2);
    n3 += exp1 * exp2 * exp2 * (b1 * sin1 - a1 * cos1);
    let sn = n0 + n1 + n2 + n3;
    let dn = n1 + 2.0 * n2 + 3.0 * n3;
    let en = n1 + 4.0 * n2 + 9.0 * n3;
    ([n0, n1, n2, n3], sn, dn, en)
}

impl Recursive {
    /// ITK `SetUp` for order 0 (smoothing) or 2 (second derivative, times σ² when
    /// `normalize_across_scale`), σ in mm on an axis of `spacing` mm.
    fn new(sigma: f64, spacing: f64, second_order: bool, normalize_across_scale: bool) -> Self {
        let sigmad = sigma / spacing;
        let (w1, l1, w2, l2) = (0.6681, -1.3932, 2.0787, -1.3732);
        let (cos1, cos2) = ((w1 / sigmad).cos(), (w2 / sigmad).cos());
        let (exp1, exp2) = ((l1 / sigmad).exp(), (l2 / sigmad).exp());
        let d4 = exp1 * exp1 * exp2 * exp2;
        let mut d3 = -2.0 * cos1 * exp1 * exp2 * exp2;
        d3 += -2.0 * cos2 * exp2 * exp1 * exp1;
        let mut d2 = 4.0 * cos2 * cos1 * exp1 * exp2;
        d2 += exp1 * exp1 + exp2 * exp2;
        let d1 = -2.0 * (exp2 * cos2 + exp1 * cos1);
        let sd = 1.0 + d1 + d2 + d3 + d4;
        let dd = d1 + 2.0 * d2 + 3.0 * d3 + 4.0 * d4;
        let ed = d1 + 4.0 * d2 + 9.0 * d3 + 16.0 * d4;
        let n = if second_order {
            let across = if normalize_across_scale {
                sigma * sigma
            } else {
                1.0
            };
            let (n_0, sn0, dn0, en0) =
                n_coefficients(sigmad, 1.3530, 1.8151, w1, l1, -0.3531, 0.0902, w2, l2);
            let (n_2, sn2, dn2, en2) =
                n_coefficients(sigmad, -1.3563, 5.2318, w1, l1, 0.3446, -2.2355, w2, l2);
            let beta = -(2.0 * sn2 - sd * n_2[0]) / (2.0 * sn0 - sd * n_0[0]);
            let n: [f64; 4] = std::array::from_fn(|k| n_2[k] + beta * n_0[k]);
            let sn = sn2 + beta * sn0;
            let dn = dn2 + beta * dn0;
            let en = en2 + beta * en0;
            let mut alpha2 = en * sd * sd - ed * sn * sd - 2.0 * dn * dd * sd + 2.0 * dd * dd * sn;
            alpha2 /= sd * sd * sd;
            n.map(|v| v * (across / alpha2))
        } else {
            let (n, sn, _, _) =
                n_coefficients(sigmad, 1.3530, 1.8151, w1, l1, -0.3531, 0.0902, w2, l2);
            let alpha0 = 2.0 * sn / sd - n[0];
            n.map(|v| v * (1.0 / alpha0))
        };
        let d = [d1, d2, d3, d4];
        // symmetric kernels (orders 0 and 2)
        let m = [
            n[1] - d1 * n[0],
            n[2] - d2 * n[0],
            n[3] - d3 * n[0],
            -d4 * n[0],
        ];
        let sn = n[0] + n[1] + n[2] + n[3];
        let sm = m[0] + m[1] + m[2] + m[3];
        let sd = 1.0 + d1 + d2 + d3 + d4;
        Self {
            n,
            m,
            d,
            bn: d.map(|v| v * sn / sd),
            bm: d.map(|v| v * sm / sd),
        }
    }

    /// ITK `FilterDataArray`: causal plus anticausal recursion over one line (`data.len() ≥ 4`),
    /// the value beyond each end taken as the end value.
    #[cfg(test)]
    fn filter_line(&self, data: &[f64], out: &mut [f64], scratch: &mut [f64]) {
        let ln = data.len();
        let [n0, n1, n2, n3] = self.n;
        let [m1, m2, m3, m4] = self.m;
        let [d1, d2, d3, d4] = self.d;
        let [bn1, bn2, bn3, bn4] = self.bn;
        let [bm1, bm2, bm3, bm4] = self.bm;
        let e = |a1: f64, b1: f64, a2: f64, b2: f64, a3: f64, b3: f64, a4: f64, b4: f64| {
            a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4
        };
        let v1 = data[0];
        out[0] = e(v1, n0, v1, n1, v1, n2, v1, n3);
        out[1] = e(data[1], n0, v1, n1, v1, n2, v1, n3);
        out[2] = e(data[2], n0, data[1], n1, v1, n2, v1, n3);
        out[3] = e(data[3], n0, data[2], n1, data[1], n2, v1, n3);
        out[0] -= e(v1, bn1, v1, bn2, v1, bn3, v1, bn4);
        out[1] -= e(out[0], d1, v1, bn2, v1, bn3, v1, bn4);
        out[2] -= e(out[1], d1, out[0], d2, v1, bn3, v1, bn4);
        out[3] -= e(out[2], d1, out[1], d2, out[0], d3, v1, bn4);
        for i in 4..ln {
            out[i] = e(
                data[i],
                n0,
                data[i - 1],
                n1,
                data[i - 2],
                n2,
                data[i - 3],
                n3,
            );
            out[i] -= e(
                out[i - 1],
                d1,
                out[i - 2],
                d2,
                out[i - 3],
                d3,
                out[i - 4],
                d4,
            );
        }
        let v2 = data[ln - 1];
        let s = scratch;
        s[ln - 1] = e(v2, m1, v2, m2, v2, m3, v2, m4);
        s[ln - 2] = e(data[ln - 1], m1, v2, m2, v2, m3, v2, m4);
        s[ln - 3] = e(data[ln - 2], m1, data[ln - 1], m2, v2, m3, v2, m4);
        s[ln - 4] = e(data[ln - 3], m1, data[ln - 2], m2, data[ln - 1], m3, v2, m4);
        s[ln - 1] -= e(v2, bm1, v2, bm2, v2, bm3, v2, bm4);
        s[ln - 2] -= e(s[ln - 1], d1, v2, bm2, v2, bm3, v2, bm4);
        s[ln - 3] -= e(s[ln - 2], d1, s[ln - 1], d2, v2, bm3, v2, bm4);
        s[ln - 4] -= e(s[ln - 3], d1, s[ln - 2], d2, s[ln - 1], d3, v2, bm4);
        for i in (1..=ln - 4).rev() {
            s[i - 1] = e(
                data[i],
                m1,
                data[i + 1],
                m2,
                data[i + 2],
                m3,
                data[i + 3],
                m4,
            );
            s[i - 1] -= e(s[i], d1, s[i + 1], d2, s[i + 2], d3, s[i + 3], d4);
        }
        for (o, v) in out.iter_mut().zip(s.iter()) {
            *o += v;
        }
    }
}

impl Recursive {
    /// [`Recursive::filter_line`] on `width` lines at once: `inp` holds `ln` rows of `width`
    /// values, row i being position i of every line; `out` receives the result. The same
    /// operations in the same order per line as ITK, vectorised across lines.
    fn filter_lines(
        &self,
        inp: &[f64],
        out: &mut [f64],
        anti: &mut [f64],
        ln: usize,
        width: usize,
    ) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has AVX-512F (checked); the body is safe Rust, compiled wider.
                return unsafe { self.filter_lines_avx512(inp, out, anti, ln, width) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2 (checked); the body is safe Rust, compiled wider.
                return unsafe { self.filter_lines_avx2(inp, out, anti, ln, width) };
            }
        }
        self.filter_lines_body(inp, out, anti, ln, width)
    }

    /// [`Recursive::filter_lines`] compiled for AVX-512F (Rust never fuses `a * b + c`, so the
    /// roundings are those of the plain build).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn filter_lines_avx512(
        &self,
        inp: &[f64],
        out: &mut [f64],
        anti: &mut [f64],
        ln: usize,
        width: usize,
    ) {
        self.filter_lines_body(inp, out, anti, ln, width)
    }

    /// [`Recursive::filter_lines`] compiled for AVX2 (same roundings, see above).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn filter_lines_avx2(
        &self,
        inp: &[f64],
        out: &mut [f64],
        anti: &mut [f64],
        ln: usize,
        width: usize,
    ) {
        self.filter_lines_body(inp, out, anti, ln, width)
    }

    /// The body of [`Recursive::filter_lines`].
    #[inline(always)]
    fn filter_lines_body(
        &self,
        inp: &[f64],
        out: &mut [f64],
        anti: &mut [f64],
        ln: usize,
        width: usize,
    ) {
        let [n0, n1, n2, n3] = self.n;
        let [m1, m2, m3, m4] = self.m;
        let [d1, d2, d3, d4] = self.d;
        let [bn1, bn2, bn3, bn4] = self.bn;
        let [bm1, bm2, bm3, bm4] = self.bm;
        let e = |a1: f64, b1: f64, a2: f64, b2: f64, a3: f64, b3: f64, a4: f64, b4: f64| {
            a1 * b1 + a2 * b2 + a3 * b3 + a4 * b4
        };
        // causal initial rows
        for c in 0..width {
            let d = |i: usize| inp[i * width + c];
            let v1 = d(0);
            let mut o = [0.0; 4];
            o[0] = e(v1, n0, v1, n1, v1, n2, v1, n3);
            o[1] = e(d(1), n0, v1, n1, v1, n2, v1, n3);
            o[2] = e(d(2), n0, d(1), n1, v1, n2, v1, n3);
            o[3] = e(d(3), n0, d(2), n1, d(1), n2, v1, n3);
            o[0] -= e(v1, bn1, v1, bn2, v1, bn3, v1, bn4);
            o[1] -= e(o[0], d1, v1, bn2, v1, bn3, v1, bn4);
            o[2] -= e(o[1], d1, o[0], d2, v1, bn3, v1, bn4);
            o[3] -= e(o[2], d1, o[1], d2, o[0], d3, v1, bn4);
            for (k, v) in o.iter().enumerate() {
                out[k * width + c] = *v;
            }
        }
        for i in 4..ln {
            let (prev, rest) = out.split_at_mut(i * width);
            let cur = &mut rest[..width];
            let p1 = &prev[(i - 1) * width..i * width];
            let p2 = &prev[(i - 2) * width..(i - 1) * width];
            let p3 = &prev[(i - 3) * width..(i - 2) * width];
            let p4 = &prev[(i - 4) * width..(i - 3) * width];
            let x0 = &inp[i * width..(i + 1) * width];
            let x1 = &inp[(i - 1) * width..i * width];
            let x2 = &inp[(i - 2) * width..(i - 1) * width];
            let x3 = &inp[(i - 3) * width..(i - 2) * width];
            for c in 0..width {
                let v = e(x0[c], n0, x1[c], n1, x2[c], n2, x3[c], n3);
                cur[c] = v - e(p1[c], d1, p2[c], d2, p3[c], d3, p4[c], d4);
            }
        }
        // anticausal initial rows
        for c in 0..width {
            let d = |i: usize| inp[i * width + c];
            let v2 = d(ln - 1);
            let mut s = [0.0; 4]; // s[k] = position ln − 1 − k
            s[0] = e(v2, m1, v2, m2, v2, m3, v2, m4);
            s[1] = e(d(ln - 1), m1, v2, m2, v2, m3, v2, m4);
            s[2] = e(d(ln - 2), m1, d(ln - 1), m2, v2, m3, v2, m4);
            s[3] = e(d(ln - 3), m1, d(ln - 2), m2, d(ln - 1), m3, v2, m4);
            s[0] -= e(v2, bm1, v2, bm2, v2, bm3, v2, bm4);
            s[1] -= e(s[0], d1, v2, bm2, v2, bm3, v2, bm4);
            s[2] -= e(s[1], d1, s[0], d2, v2, bm3, v2, bm4);
            s[3] -= e(s[2], d1, s[1], d2, s[0], d3, v2, bm4);
            for (k, v) in s.iter().enumerate() {
                anti[(ln - 1 - k) * width + c] = *v;
            }
        }
        for i in (1..=ln - 4).rev() {
            // position i − 1 from positions i .. i + 3
            let (head, tail) = anti.split_at_mut(i * width);
            let cur = &mut head[(i - 1) * width..];
            let a1 = &tail[..width];
            let a2 = &tail[width..2 * width];
            let a3 = &tail[2 * width..3 * width];
            let a4 = &tail[3 * width..4 * width];
            let x0 = &inp[i * width..(i + 1) * width];
            let x1 = &inp[(i + 1) * width..(i + 2) * width];
            let x2 = &inp[(i + 2) * width..(i + 3) * width];
            let x3 = &inp[(i + 3) * width..(i + 4) * width];
            for c in 0..width {
                let v = e(x0[c], m1, x1[c], m2, x2[c], m3, x3[c], m4);
                cur[c] = v - e(a1[c], d1, a2[c], d2, a3[c], d3, a4[c], d4);
            }
        }
        for (o, a) in out[..ln * width].iter_mut().zip(&anti[..ln * width]) {
            *o += a;
        }
    }
}

/// Runs `f` along every line of `axis` of a `dims` array whose other coordinates lie in
/// `keep` (inclusive ranges per axis), reading `src` and writing the result, rounded to f32,
/// into `dst` (values outside the kept lines are left as they are). Lines are filtered many at
/// a time ([`Recursive::filter_lines`]): for x lines the plane is transposed on the way in and
/// out.
fn recursive_axis(
    src: &[f32],
    dst: &mut [f32],
    dims: [usize; 3],
    axis: usize,
    keep: [(usize, usize); 3],
    f: &Recursive,
) {
    let [nx, ny, _] = dims;
    let plane = nx * ny;
    let ln = dims[axis];
    // (outer count, width, index of (outer, position i, line c))
    let (outer, width): ((usize, usize), usize) = match axis {
        0 => (keep[2], keep[1].1 - keep[1].0 + 1),
        1 => (keep[2], keep[0].1 - keep[0].0 + 1),
        _ => (keep[1], keep[0].1 - keep[0].0 + 1),
    };
    let at = |o: usize, i: usize, c: usize| -> usize {
        match axis {
            0 => o * plane + (keep[1].0 + c) * nx + i,
            1 => o * plane + i * nx + keep[0].0 + c,
            _ => i * plane + o * nx + keep[0].0 + c,
        }
    };
    // lines are filtered in strips of STRIP at once so that the working rows stay in cache
    const STRIP: usize = 32;
    let sw = width.min(STRIP);
    let mut inp = vec![0.0f64; ln * sw];
    let mut out = vec![0.0f64; ln * sw];
    let mut anti = vec![0.0f64; ln * sw];
    for o in outer.0..=outer.1 {
        for c0 in (0..width).step_by(STRIP) {
            let w = (width - c0).min(STRIP);
            if axis == 0 {
                for c in 0..w {
                    let start = at(o, 0, c0 + c);
                    for (i, v) in src[start..start + ln].iter().enumerate() {
                        inp[i * w + c] = *v as f64;
                    }
                }
            } else {
                for i in 0..ln {
                    let start = at(o, i, c0);
                    for (d, v) in inp[i * w..(i + 1) * w]
                        .iter_mut()
                        .zip(&src[start..start + w])
                    {
                        *d = *v as f64;
                    }
                }
            }
            f.filter_lines(&inp, &mut out, &mut anti, ln, w);
            if axis == 0 {
                for c in 0..w {
                    let start = at(o, 0, c0 + c);
                    for (i, d) in dst[start..start + ln].iter_mut().enumerate() {
                        *d = out[i * w + c] as f32;
                    }
                }
            } else {
                for i in 0..ln {
                    let start = at(o, i, c0);
                    for (d, v) in dst[start..start + w]
                        .iter_mut()
                        .zip(&out[i * w..(i + 1) * w])
                    {
                        *d = *v as f32;
                    }
                }
            }
        }
    }
}

/// PyRadiomics' LoG image (SimpleITK `LaplacianRecursiveGaussian`, σ in mm, normalised across
/// scale) on `region` only; see the module notes. Errors when PyRadiomics would compute no
/// image ([`log_skip_reason`]), for σ ≤ 0 and for non-finite voxels.
pub fn pyradiomics_log(image: &Image, region: VoxelBox, sigma_mm: f64) -> Result<BoxResponse> {
    region.check(image)?;
    if !(sigma_mm.is_finite() && sigma_mm > 0.0) {
        return Err(FilterError::Invalid(format!(
            "LoG sigma must be a positive number of mm, got {sigma_mm}"
        )));
    }
    if let Some(why) = log_skip_reason(image, sigma_mm) {
        return Err(FilterError::TooSmall(why));
    }
    let n = n_axes(image);
    let d = image.dims();
    for a in 0..n {
        let sp = image.spacing[a];
        if !(sp.is_finite() && sp >= 1e-8) {
            return Err(FilterError::Invalid(format!("spacing {sp} on axis {a}")));
        }
    }
    // the working box: region grown by the IIR margin, clipped to the image
    let mut lo = region.lo;
    let mut hi = region.hi;
    for a in 0..n {
        let m = log_iir_margin(sigma_mm, image.spacing[a]);
        lo[a] = lo[a].saturating_sub(m);
        hi[a] = (hi[a] + m).min(d[a] - 1);
    }
    let wd: [usize; 3] = std::array::from_fn(|k| hi[k] - lo[k] + 1);
    let mut src = Vec::with_capacity(wd.iter().product());
    for z in lo[2]..=hi[2] {
        for y in lo[1]..=hi[1] {
            let row = image.index(lo[0], y, z);
            src.extend_from_slice(&image.data()[row..row + wd[0]]);
        }
    }
    check_finite(&src)?;
    let deriv: Vec<Recursive> = (0..n)
        .map(|a| Recursive::new(sigma_mm, image.spacing[a], true, true))
        .collect();
    let smooth: Vec<Recursive> = (0..n)
        .map(|a| Recursive::new(sigma_mm, image.spacing[a], false, true))
        .collect();
    let rd = region.dims();
    // region coordinates inside the working box
    let inner: [(usize, usize); 3] =
        std::array::from_fn(|k| (region.lo[k] - lo[k], region.lo[k] - lo[k] + rd[k] - 1));
    let all: [(usize, usize); 3] = std::array::from_fn(|k| (0, wd[k] - 1));
    let mut cum = vec![0.0f32; rd.iter().product()];
    let mut a_buf = vec![0.0f32; src.len()];
    let mut b_buf = vec![0.0f32; src.len()];
    for dim in 0..n {
        // derivative along `dim`, then smoothing along the other axes in increasing order
        let order: Vec<usize> = std::iter::once(dim)
            .chain((0..n).filter(|&j| j != dim))
            .collect();
        for (step, &axis) in order.iter().enumerate() {
            // lines needed by later passes: full extent on the axes still to be filtered,
            // the region on the axes already done (their values are final there)
            let mut keep = all;
            for &done in &order[..step] {
                keep[done] = inner[done];
            }
            for &k in &order[step + 1..] {
                keep[k] = all[k];
            }
            if n == 2 {
                keep[2] = (0, 0);
            }
            let f = if step == 0 {
                &deriv[axis]
            } else {
                &smooth[axis]
            };
            if step == 0 {
                recursive_axis(&src, &mut a_buf, wd, axis, keep, f);
            } else {
                recursive_axis(&a_buf, &mut b_buf, wd, axis, keep, f);
                std::mem::swap(&mut a_buf, &mut b_buf);
            }
        }
        let inv_sp2 = 1.0 / (image.spacing[dim] * image.spacing[dim]);
        let mut k = 0;
        for z in inner[2].0..=inner[2].1 {
            for y in inner[1].0..=inner[1].1 {
                let row = wd[0] * (y + wd[1] * z);
                for x in inner[0].0..=inner[0].1 {
                    cum[k] = (cum[k] as f64 + a_buf[row + x] as f64 * inv_sp2) as f32;
                    k += 1;
                }
            }
        }
    }
    Ok(BoxResponse {
        name: log_name(sigma_mm),
        values: cum.into_iter().map(f64::from).collect(),
        region,
    })
}

/// Valid-mode correlation along `axis`: `out[i] = Σ_m taps[m]·src[i + m]` per line; the output
/// is `taps.len() − 1` shorter along `axis`.
fn valid_axis(src: &[f64], dims: [usize; 3], axis: usize, taps: &[f64]) -> (Vec<f64>, [usize; 3]) {
    let k = taps.len();
    let mut od = dims;
    od[axis] = dims[axis] + 1 - k;
    let mut out = vec![0.0; od.iter().product()];
    let [nx, ny, _] = dims;
    let [ox, oy, oz] = od;
    match axis {
        0 => {
            for (orow, srow) in out.chunks_exact_mut(ox).zip(src.chunks_exact(nx)) {
                for (i, o) in orow.iter_mut().enumerate() {
                    *o = taps.iter().zip(&srow[i..i + k]).map(|(t, v)| t * v).sum();
                }
            }
        }
        _ => {
            // whole rows at a time: out row (y, z) = Σ_m taps[m]·src row shifted by m along `axis`
            let step = if axis == 1 { nx } else { nx * ny };
            for z in 0..oz {
                for y in 0..oy {
                    let orow = &mut out[ox * (y + oy * z)..ox * (y + oy * z) + ox];
                    let base = nx * (y + ny * z);
                    for (m, &t) in taps.iter().enumerate() {
                        let srow = &src[base + m * step..base + m * step + nx];
                        for (o, v) in orow.iter_mut().zip(srow) {
                            *o += t * v;
                        }
                    }
                }
            }
        }
    }
    (out, od)
}

/// PyRadiomics' wavelet image types (`_swt3`) on `region` only, in the order
/// level 1 sub-bands (`LLH`, `LHL`, `LHH`, … in binary order of H = 1), level 2 …, then the
/// final approximation. `level` ≥ 1 levels are reported after `start_level` unreported ones.
pub fn pyradiomics_wavelet(
    image: &Image,
    region: VoxelBox,
    wavelet: Wavelet,
    level: usize,
    start_level: usize,
) -> Result<Vec<BoxResponse>> {
    region.check(image)?;
    if level == 0 || level > 8 || start_level > 8 {
        return Err(FilterError::Invalid(format!(
            "wavelet level {level} must be in 1..=8 and start level {start_level} in 0..=8"
        )));
    }
    let n = n_axes(image);
    let lo_taps = convolution_taps(wavelet.dec_lo(), 1, wavelet.dec_lo().len() / 2);
    let hi_taps = convolution_taps(&wavelet.dec_hi(), 1, wavelet.dec_lo().len() / 2);
    let left = lo_taps.origin;
    let right = lo_taps.taps.len() - 1 - left;
    let total = start_level + level;
    let d = image.dims();
    // extended box in the infinite periodic coordinates of the padded image
    let ext_lo: [isize; 3] = std::array::from_fn(|a| {
        region.lo[a] as isize - if a < n { (total * left) as isize } else { 0 }
    });
    let ext_dims: [usize; 3] =
        std::array::from_fn(|a| region.dims()[a] + if a < n { total * (left + right) } else { 0 });
    let map_axis = |a: usize| -> Vec<usize> {
        let na = d[a];
        let period = (na + na % 2) as isize;
        (0..ext_dims[a])
            .map(|i| {
                let j = (ext_lo[a] + i as isize).rem_euclid(period) as usize;
                if j < na {
                    j
                } else {
                    0 // numpy.pad(..., 'wrap') appends the first voxel to an odd axis
                }
            })
            .collect()
    };
    let (mx, my, mz) = (map_axis(0), map_axis(1), map_axis(2));
    let mut data = Vec::with_capacity(ext_dims.iter().product());
    let img = image.data();
    for &z in &mz {
        for &y in &my {
            let row = d[0] * (y + d[1] * z);
            data.extend(mx.iter().map(|&x| img[row + x] as f64));
        }
    }
    check_finite(&data)?;
    let mut dims = ext_dims;
    let mut out = Vec::new();
    for lev in 0..total {
        let report = lev >= start_level;
        // sub-band tree: split along x, then y, then z; code bit (n−1−a) is H on axis a
        let mut bands: Vec<(usize, Vec<f64>, [usize; 3])> = vec![(0, data, dims)];
        for a in 0..n {
            let mut next = Vec::with_capacity(bands.len() * 2);
            for (code, arr, dm) in bands {
                let (l, ld) = valid_axis(&arr, dm, a, &lo_taps.taps);
                next.push((code << 1, l, ld));
                if report {
                    let (h, hd) = valid_axis(&arr, dm, a, &hi_taps.taps);
                    next.push((code << 1 | 1, h, hd));
                }
            }
            bands = next;
        }
        // bands now cover the region grown by (total − lev − 1)·reach
        let grown = total - lev - 1;
        let mut approx = None;
        let idx = lev - start_level.min(lev) + 1;
        for (code, arr, dm) in bands {
            if code == 0 {
                approx = Some((arr, dm));
                continue;
            }
            out.push(BoxResponse {
                name: wavelet_name(n, idx, code),
                values: crop_grown(&arr, dm, grown * left, region.dims(), n),
                region,
            });
        }
        let (a, ad) = approx.ok_or_else(|| FilterError::Invalid("no approximation".into()))?;
        data = a;
        dims = ad;
    }
    out.push(BoxResponse {
        name: wavelet_name(n, level, 0),
        values: data,
        region,
    });
    Ok(out)
}

/// PyRadiomics' name of a wavelet image on an `n`-axis image: sub-band `code` (bit `n − 1 − a`
/// set = H on axis a, letters in x, y, z order; 0 = the approximation) of reported level `idx`
/// (1-based): `wavelet-LLH`, `wavelet2-HHL`, `wavelet-LL`.
pub fn wavelet_name(n: usize, idx: usize, code: usize) -> String {
    let letters: String = (0..n)
        .map(|a| {
            if code >> (n - 1 - a) & 1 == 1 {
                'H'
            } else {
                'L'
            }
        })
        .collect();
    if idx == 1 {
        format!("wavelet-{letters}")
    } else {
        format!("wavelet{idx}-{letters}")
    }
}

/// The names [`pyradiomics_wavelet`] returns for `image` and `level`, in its order.
pub fn pyradiomics_wavelet_names(image: &Image, level: usize) -> Vec<String> {
    let n = n_axes(image);
    let mut v: Vec<String> = (1..=level)
        .flat_map(|idx| (1..(1usize << n)).map(move |code| wavelet_name(n, idx, code)))
        .collect();
    v.push(wavelet_name(n, level, 0));
    v
}

/// The `rd` box starting `off` voxels in (on the first `n` axes) of a `dims` array.
fn crop_grown(src: &[f64], dims: [usize; 3], off: usize, rd: [usize; 3], n: usize) -> Vec<f64> {
    let o: [usize; 3] = std::array::from_fn(|a| if a < n { off } else { 0 });
    let mut v = Vec::with_capacity(rd.iter().product());
    for z in 0..rd[2] {
        for y in 0..rd[1] {
            let row = dims[0] * ((y + o[1]) + dims[1] * (z + o[2])) + o[0];
            v.extend_from_slice(&src[row..row + rd[0]]);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The many-lines recursion gives bit for bit what ITK's one-line recursion gives.
    #[test]
    fn lines_at_once_equal_line_by_line() {
        let (ln, width) = (37, 5);
        let inp: Vec<f64> = (0..ln * width)
            .map(|k| ((k * 7919) % 101) as f64 - 40.0)
            .collect();
        for (sigma, second) in [(1.0, true), (2.5, false), (3.0, true)] {
            let f = Recursive::new(sigma, 0.7, second, true);
            let mut out = vec![0.0; ln * width];
            let mut anti = vec![0.0; ln * width];
            f.filter_lines(&inp, &mut out, &mut anti, ln, width);
            for c in 0..width {
                let line: Vec<f64> = (0..ln).map(|i| inp[i * width + c]).collect();
                let (mut o, mut s) = (vec![0.0; ln], vec![0.0; ln]);
                f.filter_line(&line, &mut o, &mut s);
                for i in 0..ln {
                    assert_eq!(
                        o[i].to_bits(),
                        out[i * width + c].to_bits(),
                        "line {c} pos {i}"
                    );
                }
            }
        }
    }
}
