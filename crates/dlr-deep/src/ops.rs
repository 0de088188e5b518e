//! Inference kernels on NHWC `f32` activations: convolution with batch norm folded in (dense via
//! im2col + GEMM, 1×1 as a plain GEMM, depthwise direct), max pooling, global average pooling,
//! linear layers. Bias, residual add and activation are fused into the convolution epilogue.
//!
//! Determinism: every output value is computed by one thread in a fixed order (the GEMM splits the
//! output, never the reduction), so results are bitwise identical across runs and thread counts.

use crate::error::{DeepError, Result};
use rayon::prelude::*;

mod winograd;
use winograd::WinogradWeights;

/// Activation applied after bias and residual add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// Identity.
    None,
    /// `max(x, 0)`.
    Relu,
    /// `min(max(x, 0), 6)`.
    Relu6,
}

impl Activation {
    #[inline]
    fn apply(self, v: f32) -> f32 {
        match self {
            Activation::None => v,
            Activation::Relu => v.max(0.0),
            Activation::Relu6 => v.clamp(0.0, 6.0),
        }
    }
}

/// A batch of feature maps in NHWC layout (channels fastest).
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureMap {
    /// Batch size.
    pub n: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
    /// Channels.
    pub c: usize,
    /// Values, `((n * h + y) * w + x) * c + ch`.
    pub data: Vec<f32>,
}

impl FeatureMap {
    /// Converts an NCHW batch (PyTorch layout) to NHWC.
    pub fn from_nchw(src: &[f32], n: usize, c: usize, h: usize, w: usize) -> Result<Self> {
        let expected = n * c * h * w;
        if src.len() != expected {
            return Err(DeepError::InputShape {
                what: format!("NCHW batch {n}×{c}×{h}×{w}"),
                expected,
                got: src.len(),
            });
        }
        let mut data = vec![0.0f32; expected];
        data.par_chunks_mut(h * w * c)
            .enumerate()
            .for_each(|(b, out)| {
                let img = &src[b * c * h * w..(b + 1) * c * h * w];
                for ch in 0..c {
                    let plane = &img[ch * h * w..(ch + 1) * h * w];
                    for (p, &v) in plane.iter().enumerate() {
                        out[p * c + ch] = v;
                    }
                }
            });
        Ok(Self { n, h, w, c, data })
    }

    /// Converts back to NCHW (PyTorch layout).
    pub fn to_nchw(&self) -> Vec<f32> {
        let (h, w, c) = (self.h, self.w, self.c);
        let mut out = vec![0.0f32; self.data.len()];
        for b in 0..self.n {
            for p in 0..h * w {
                for ch in 0..c {
                    out[((b * c + ch) * h * w) + p] = self.data[(b * h * w + p) * c + ch];
                }
            }
        }
        out
    }

    /// Per-image channel means (global average pooling), `n` vectors of length `c`.
    pub fn global_mean(&self) -> Vec<Vec<f32>> {
        let hw = self.h * self.w;
        (0..self.n)
            .map(|b| {
                let mut acc = vec![0.0f64; self.c];
                for p in 0..hw {
                    let px = &self.data[(b * hw + p) * self.c..(b * hw + p + 1) * self.c];
                    for (a, &v) in acc.iter_mut().zip(px) {
                        *a += v as f64;
                    }
                }
                acc.into_iter().map(|a| (a / hw as f64) as f32).collect()
            })
            .collect()
    }
}

/// Output tile size of the Winograd transform used for a 3×3 convolution with `cin` inputs:
/// F(4×4, 3×3) up to 128 input channels (ResNet stages 1–2, whose 56² and 28² maps tile exactly),
/// F(2×2, 3×3) above (less tile waste on 14² and 7² maps, transformed weights 16/9 instead of 4×
/// the size of the plain ones).
fn winograd_tile(cin: usize) -> usize {
    if cin <= 128 {
        4
    } else {
        2
    }
}

/// Recycled activation buffers. Every kernel that takes its output from the pool overwrites all
/// of it, so a recycled buffer is shortened or grown but never zero-filled again, and the memory
/// is not returned to the system between layers.
#[derive(Debug, Default)]
pub struct BufferPool {
    free: Vec<Vec<f32>>,
}

impl BufferPool {
    /// A buffer of `len` values with unspecified (initialised) contents: the smallest free one
    /// that is large enough (never a grown one: growing copies), else a new one.
    pub fn take(&mut self, len: usize) -> Vec<f32> {
        let fit = (0..self.free.len())
            .filter(|&i| self.free[i].capacity() >= len)
            .min_by_key(|&i| self.free[i].capacity());
        match fit {
            Some(i) => {
                let mut v = self.free.swap_remove(i);
                v.resize(len, 0.0);
                v
            }
            None => vec![0.0; len],
        }
    }

    /// Returns a buffer for reuse.
    pub fn give(&mut self, v: Vec<f32>) {
        if v.capacity() > 0 {
            self.free.push(v);
        }
    }
}

/// How a convolution pads its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// `p` zeros on every side (PyTorch `padding=p`).
    Symmetric(usize),
    /// TensorFlow "SAME": output `ceil(in / stride)`, total padding split with the extra zero at
    /// the bottom/right (as `Conv2dStaticSamePadding` in the EfficientNet PyTorch ports).
    Same,
}

impl Padding {
    /// Output size and leading padding for an input of size `input`.
    fn plan(self, input: usize, k: usize, stride: usize) -> Result<(usize, usize)> {
        match self {
            Padding::Symmetric(p) => {
                if input + 2 * p < k {
                    return Err(DeepError::Invalid(format!(
                        "input of size {input} is smaller than the {k}×{k} kernel"
                    )));
                }
                Ok(((input + 2 * p - k) / stride + 1, p))
            }
            Padding::Same => {
                let out = input.div_ceil(stride);
                let total = ((out - 1) * stride + k).saturating_sub(input);
                Ok((out, total / 2))
            }
        }
    }
}

/// A 2D convolution with batch norm folded into its weights and bias.
#[derive(Debug, Clone)]
pub struct Conv2d {
    cin: usize,
    cout: usize,
    k: usize,
    stride: usize,
    padding: Padding,
    depthwise: bool,
    /// Dense: `[k * k * cin, cout]` (row = (ky, kx, ci)); depthwise: `[k * k, c]`.
    weight: Vec<f32>,
    bias: Vec<f32>,
    act: Activation,
    /// Winograd F(2×2, 3×3) weights for 3×3 stride-1 padding-1 dense convolutions.
    winograd: Option<WinogradWeights>,
}

/// Batch-norm parameters in eval mode.
#[derive(Debug, Clone, Copy)]
pub struct BatchNorm<'a> {
    /// Scale γ.
    pub gamma: &'a [f32],
    /// Shift β.
    pub beta: &'a [f32],
    /// Running mean.
    pub mean: &'a [f32],
    /// Running variance.
    pub var: &'a [f32],
    /// ε added to the variance.
    pub eps: f64,
}

impl Conv2d {
    /// Builds a convolution from a PyTorch weight `[cout, cin/groups, k, k]` (groups = 1, or
    /// groups = cin = cout when `depthwise`), an optional conv bias and an optional batch norm to
    /// fold in: `w' = w·γ/√(var+ε)`, `b' = (b − mean)·γ/√(var+ε) + β`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_torch(
        weight: &[f32],
        cout: usize,
        cin: usize,
        k: usize,
        stride: usize,
        padding: Padding,
        depthwise: bool,
        conv_bias: Option<&[f32]>,
        bn: Option<BatchNorm<'_>>,
        act: Activation,
    ) -> Result<Self> {
        let per_out = if depthwise { k * k } else { cin * k * k };
        if depthwise && cin != cout {
            return Err(DeepError::Invalid(
                "depthwise conv needs cin == cout".into(),
            ));
        }
        if weight.len() != cout * per_out || stride == 0 || k == 0 {
            return Err(DeepError::InputShape {
                what: format!(
                    "conv weight {cout}×{}×{k}×{k}",
                    if depthwise { 1 } else { cin }
                ),
                expected: cout * per_out,
                got: weight.len(),
            });
        }
        let mut scale = vec![1.0f64; cout];
        let mut bias = vec![0.0f64; cout];
        if let Some(b) = conv_bias {
            for (o, v) in bias.iter_mut().zip(b) {
                *o = *v as f64;
            }
        }
        if let Some(bn) = bn {
            for o in 0..cout {
                let s = bn.gamma[o] as f64 / (bn.var[o] as f64 + bn.eps).sqrt();
                scale[o] = s;
                bias[o] = (bias[o] - bn.mean[o] as f64) * s + bn.beta[o] as f64;
            }
        }
        let mut w = vec![0.0f32; cout * per_out];
        if depthwise {
            for o in 0..cout {
                for t in 0..k * k {
                    w[t * cout + o] = (weight[o * k * k + t] as f64 * scale[o]) as f32;
                }
            }
        } else {
            for o in 0..cout {
                for ci in 0..cin {
                    for t in 0..k * k {
                        let src = weight[(o * cin + ci) * k * k + t] as f64 * scale[o];
                        w[(t * cin + ci) * cout + o] = src as f32;
                    }
                }
            }
        }
        let winograd = (!depthwise && k == 3 && stride == 1 && padding == Padding::Symmetric(1))
            .then(|| WinogradWeights::from_folded(&w, cin, cout, winograd_tile(cin)));
        Ok(Self {
            cin,
            cout,
            k,
            stride,
            padding,
            depthwise,
            weight: w,
            bias: bias.into_iter().map(|v| v as f32).collect(),
            act,
            winograd,
        })
    }

    /// The same convolution computed by im2col + GEMM instead of Winograd F(2×2, 3×3) (for
    /// comparisons and benchmarks; 3×3 stride-1 padding-1 convolutions use Winograd by default).
    pub fn without_winograd(mut self) -> Self {
        self.winograd = None;
        self
    }

    /// Whether this convolution runs as Winograd F(2×2, 3×3).
    pub fn uses_winograd(&self) -> bool {
        self.winograd.is_some()
    }

    /// Output channels.
    pub fn out_channels(&self) -> usize {
        self.cout
    }

    /// Runs the convolution; `residual` (same shape as the output) is added before the activation.
    pub fn forward(&self, x: &FeatureMap, residual: Option<&FeatureMap>) -> Result<FeatureMap> {
        self.forward_pooled(x, residual, &mut BufferPool::default())
    }

    /// [`Conv2d::forward`] with output (and scratch) storage taken from `pool`; give buffers that
    /// are no longer needed back to the pool so later layers reuse them without zero-filling.
    pub fn forward_pooled(
        &self,
        x: &FeatureMap,
        residual: Option<&FeatureMap>,
        pool: &mut BufferPool,
    ) -> Result<FeatureMap> {
        if x.c != self.cin {
            return Err(DeepError::Invalid(format!(
                "conv expects {} input channels, got {}",
                self.cin, x.c
            )));
        }
        let (oh, pt) = self.padding.plan(x.h, self.k, self.stride)?;
        let (ow, pl) = self.padding.plan(x.w, self.k, self.stride)?;
        let m = x.n * oh * ow;
        let mut out = FeatureMap {
            n: x.n,
            h: oh,
            w: ow,
            c: self.cout,
            data: pool.take(m * self.cout),
        };
        if let Some(r) = residual {
            if r.data.len() != out.data.len() {
                return Err(DeepError::Invalid(
                    "residual shape differs from conv output".into(),
                ));
            }
        }
        let res = residual.map(|r| r.data.as_slice());
        if let Some(wg) = &self.winograd {
            let tiles = pool.take(wg.tiles_len(x));
            let tiles = self.winograd_forward(wg, x, &mut out, res, tiles);
            pool.give(tiles);
        } else if self.depthwise {
            self.depthwise_forward(x, &mut out, pt, pl, res);
        } else {
            self.dense_forward(x, &mut out, pt, pl, res);
        }
        Ok(out)
    }

    /// Bias, residual add and activation on output rows starting at pixel `row0`.
    fn epilogue(&self, dst: &mut [f32], row0: usize, residual: Option<&[f32]>) {
        let c = self.cout;
        let r = residual.map(|r| &r[row0 * c..row0 * c + dst.len()]);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU supports AVX-512F (checked just above).
                return unsafe { epilogue_avx512(dst, &self.bias, r, self.act) };
            }
        }
        epilogue_rows(dst, &self.bias, r, self.act)
    }

    /// Dense convolution in tiles of output pixels: each tile gathers its im2col rows into a
    /// per-thread scratch buffer (or reads the input directly for 1×1/stride-1), multiplies by the
    /// weights on one thread and applies the epilogue while the tile is in cache. The tile size
    /// depends only on the problem, never on the thread count.
    fn dense_forward(
        &self,
        x: &FeatureMap,
        out: &mut FeatureMap,
        pt: usize,
        pl: usize,
        residual: Option<&[f32]>,
    ) {
        let (oh, ow) = (out.h, out.w);
        let m = x.n * oh * ow;
        let kdim = self.k * self.k * self.cin;
        let cout = self.cout;
        let direct = self.k == 1 && self.stride == 1 && pt == 0 && pl == 0;
        let tile = tile_rows(m);
        let (k, s, cin) = (self.k, self.stride, self.cin);
        out.data
            .par_chunks_mut(tile * cout)
            .enumerate()
            .for_each(|(t, dst)| {
                let row0 = t * tile;
                let rows = dst.len() / cout;
                if direct {
                    let lhs = &x.data[row0 * cin..(row0 + rows) * cin];
                    matmul_seq(lhs, &self.weight, dst, rows, kdim, cout);
                } else {
                    SCRATCH.with(|cell| {
                        let mut buf = cell.borrow_mut();
                        if buf.len() < rows * kdim {
                            buf.resize(rows * kdim, 0.0);
                        }
                        for r in 0..rows {
                            let p = row0 + r;
                            let b = p / (oh * ow);
                            let oy = (p / ow) % oh;
                            let ox = p % ow;
                            let d = &mut buf[r * kdim..(r + 1) * kdim];
                            // per kernel row, the in-bounds taps are contiguous in NHWC: one
                            // copy of up to k·cin values, zeros for the padding around it
                            let ix0 = (ox * s) as isize - pl as isize;
                            let kx_lo = ((-ix0).max(0) as usize).min(k);
                            let kx_hi =
                                ((x.w as isize - ix0).clamp(0, k as isize) as usize).max(kx_lo);
                            for ky in 0..k {
                                let iy = (oy * s + ky) as isize - pt as isize;
                                let row = &mut d[ky * k * cin..(ky + 1) * k * cin];
                                if iy < 0 || iy >= x.h as isize || kx_hi == kx_lo {
                                    row.fill(0.0);
                                    continue;
                                }
                                row[..kx_lo * cin].fill(0.0);
                                row[kx_hi * cin..].fill(0.0);
                                let src = ((b * x.h + iy as usize) * x.w
                                    + (ix0 + kx_lo as isize) as usize)
                                    * cin;
                                row[kx_lo * cin..kx_hi * cin]
                                    .copy_from_slice(&x.data[src..src + (kx_hi - kx_lo) * cin]);
                            }
                        }
                        matmul_seq(&buf[..rows * kdim], &self.weight, dst, rows, kdim, cout);
                    });
                }
                self.epilogue(dst, row0, residual);
            });
    }

    /// Winograd path: tiles computed by [`WinogradWeights::forward_tiles`], then scattered into
    /// output rows with the fused epilogue.
    fn winograd_forward(
        &self,
        wg: &WinogradWeights,
        x: &FeatureMap,
        out: &mut FeatureMap,
        residual: Option<&[f32]>,
        tiles: Vec<f32>,
    ) -> Vec<f32> {
        let (y, th, tw) = wg.forward_tiles(x, tiles);
        let tm = wg.tile();
        let (oh, ow, c) = (out.h, out.w, self.cout);
        out.data
            .par_chunks_mut(ow * c)
            .enumerate()
            .for_each(|(row, dst)| {
                let b = row / oh;
                let oy = row % oh;
                for ox in 0..ow {
                    let tile = (b * th + oy / tm) * tw + ox / tm;
                    let q = (oy % tm) * tm + ox % tm;
                    let src = (tile * tm * tm + q) * c;
                    dst[ox * c..(ox + 1) * c].copy_from_slice(&y[src..src + c]);
                }
                self.epilogue(dst, row * ow, residual);
            });
        y
    }

    fn depthwise_forward(
        &self,
        x: &FeatureMap,
        out: &mut FeatureMap,
        pt: usize,
        pl: usize,
        residual: Option<&[f32]>,
    ) {
        let (oh, ow) = (out.h, out.w);
        let g = DwGeom {
            h: x.h,
            w: x.w,
            c: self.cout,
            k: self.k,
            s: self.stride,
            pt,
            pl,
            ow,
        };
        let wt = &self.weight;
        out.data
            .par_chunks_mut(ow * g.c)
            .enumerate()
            .for_each(|(row, dst)| {
                let b = row / oh;
                let oy = row % oh;
                let img = &x.data[b * x.h * x.w * g.c..(b + 1) * x.h * x.w * g.c];
                dw_row_dispatch(&g, img, wt, oy, dst);
                self.epilogue(dst, row * ow, residual);
            });
    }
}

/// Output pixels per tile of a dense convolution with `m` output pixels: at most 128, and for
/// `m >= 256` a tile count that is a multiple of 4 with equal tiles, so that 1, 2 or 4 threads
/// get the same amount of work (ResNet-50's last stage has 392 pixels at batch 8: 4 tiles of 98
/// instead of 128+128+128+8). Depends only on `m`, never on the thread count.
fn tile_rows(m: usize) -> usize {
    if m < 256 {
        return m.div_ceil(2).max(1);
    }
    let count = m.div_ceil(128).next_multiple_of(4);
    m.div_ceil(count)
}

/// `dst = act(dst + bias (+ residual))`, row by row (`bias.len()` values per row).
#[inline(always)]
fn epilogue_rows(dst: &mut [f32], bias: &[f32], residual: Option<&[f32]>, act: Activation) {
    let c = bias.len();
    match residual {
        Some(r) => {
            for (row, rr) in dst.chunks_exact_mut(c).zip(r.chunks_exact(c)) {
                for ((v, b), q) in row.iter_mut().zip(bias).zip(rr) {
                    *v = act.apply(*v + b + q);
                }
            }
        }
        None => {
            for row in dst.chunks_exact_mut(c) {
                for (v, b) in row.iter_mut().zip(bias) {
                    *v = act.apply(*v + b);
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn epilogue_avx512(dst: &mut [f32], bias: &[f32], residual: Option<&[f32]>, act: Activation) {
    epilogue_rows(dst, bias, residual, act)
}

/// Geometry of a depthwise convolution.
struct DwGeom {
    h: usize,
    w: usize,
    c: usize,
    k: usize,
    s: usize,
    pt: usize,
    pl: usize,
    ow: usize,
}

/// One output row of a depthwise convolution: for each pixel and block of 16 channels, the taps
/// are accumulated in registers in (ky, kx) order.
#[inline(always)]
fn dw_row(g: &DwGeom, img: &[f32], wt: &[f32], oy: usize, dst: &mut [f32]) {
    const L: usize = 16;
    let c = g.c;
    let y_lo = (g.pt as isize - (oy * g.s) as isize).max(0) as usize;
    let y_hi = (g.h + g.pt).saturating_sub(oy * g.s).min(g.k);
    for ox in 0..g.ow {
        let x_lo = (g.pl as isize - (ox * g.s) as isize).max(0) as usize;
        let x_hi = (g.w + g.pl).saturating_sub(ox * g.s).min(g.k);
        let out = &mut dst[ox * c..(ox + 1) * c];
        let mut c0 = 0;
        while c0 < c {
            let n = L.min(c - c0);
            let mut acc = [0.0f32; L];
            for ky in y_lo..y_hi {
                let iy = oy * g.s + ky - g.pt;
                for kx in x_lo..x_hi {
                    let ix = ox * g.s + kx - g.pl;
                    let xs = &img[(iy * g.w + ix) * c + c0..][..n];
                    let ws = &wt[(ky * g.k + kx) * c + c0..][..n];
                    if n == L {
                        for j in 0..L {
                            acc[j] += xs[j] * ws[j];
                        }
                    } else {
                        for j in 0..n {
                            acc[j] += xs[j] * ws[j];
                        }
                    }
                }
            }
            out[c0..c0 + n].copy_from_slice(&acc[..n]);
            c0 += n;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn dw_row_avx512(g: &DwGeom, img: &[f32], wt: &[f32], oy: usize, dst: &mut [f32]) {
    dw_row(g, img, wt, oy, dst)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dw_row_avx2(g: &DwGeom, img: &[f32], wt: &[f32], oy: usize, dst: &mut [f32]) {
    dw_row(g, img, wt, oy, dst)
}

/// Runs [`dw_row`] compiled for the widest vector unit present (same arithmetic, no FMA
/// contraction, so results do not depend on the CPU).
fn dw_row_dispatch(g: &DwGeom, img: &[f32], wt: &[f32], oy: usize, dst: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { dw_row_avx512(g, img, wt, oy, dst) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { dw_row_avx2(g, img, wt, oy, dst) };
        }
    }
    dw_row(g, img, wt, oy, dst)
}

thread_local! {
    /// Per-thread im2col scratch, grown on demand and reused across layers and calls.
    static SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Single-threaded `dst[m×n] = lhs[m×k] · rhs[k×n]` (row-major) on the `gemm` crate's kernels.
fn matmul_seq(lhs: &[f32], rhs: &[f32], dst: &mut [f32], m: usize, k: usize, n: usize) {
    gemm_call(lhs, rhs, dst, m, k, n, gemm::Parallelism::None);
}

/// `dst[m×n] = lhs[m×k] · rhs[k×n]`, all row-major, on the `gemm` crate's kernels (rayon inside;
/// the reduction over `k` is never split between threads).
pub fn matmul(lhs: &[f32], rhs: &[f32], dst: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(lhs.len() >= m * k && rhs.len() >= k * n && dst.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    let par = if m * n * k > 64 * 64 * 64 {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    gemm_call(lhs, rhs, dst, m, k, n, par);
}

fn gemm_call(
    lhs: &[f32],
    rhs: &[f32],
    dst: &mut [f32],
    m: usize,
    k: usize,
    n: usize,
    par: gemm::Parallelism,
) {
    assert!(lhs.len() >= m * k && rhs.len() >= k * n && dst.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the slices are at least as long as the strides and sizes passed imply (asserted
    // above), dst does not alias lhs or rhs (distinct borrows), and all strides are in elements.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.as_ptr(),
            1,
            k as isize,
            rhs.as_ptr(),
            1,
            n as isize,
            0.0f32,
            1.0f32,
            false,
            false,
            false,
            par,
        );
    }
}

/// 3×3 max pooling with stride 2 and padding 1 (padding never wins), as ResNet's stem.
pub fn max_pool_3x3_s2(x: &FeatureMap) -> FeatureMap {
    let oh = (x.h + 2 - 3) / 2 + 1;
    let ow = (x.w + 2 - 3) / 2 + 1;
    let c = x.c;
    let mut data = vec![f32::NEG_INFINITY; x.n * oh * ow * c];
    data.par_chunks_mut(ow * c)
        .enumerate()
        .for_each(|(row, dst)| {
            let b = row / oh;
            let oy = row % oh;
            for ox in 0..ow {
                let acc = &mut dst[ox * c..(ox + 1) * c];
                for ky in 0..3 {
                    let iy = (oy * 2 + ky) as isize - 1;
                    if iy < 0 || iy >= x.h as isize {
                        continue;
                    }
                    for kx in 0..3 {
                        let ix = (ox * 2 + kx) as isize - 1;
                        if ix < 0 || ix >= x.w as isize {
                            continue;
                        }
                        let src = ((b * x.h + iy as usize) * x.w + ix as usize) * c;
                        for (a, &v) in acc.iter_mut().zip(&x.data[src..src + c]) {
                            *a = a.max(v);
                        }
                    }
                }
            }
        });
    FeatureMap {
        n: x.n,
        h: oh,
        w: ow,
        c,
        data,
    }
}

/// A fully connected layer `y = W x + b` with PyTorch weight layout `[out, in]`.
#[derive(Debug, Clone)]
pub struct Linear {
    /// Transposed weight `[in, out]`.
    weight_t: Vec<f32>,
    bias: Vec<f32>,
    fan_in: usize,
    fan_out: usize,
}

impl Linear {
    /// Builds from PyTorch `weight [out, in]` and `bias [out]`.
    pub fn from_torch(weight: &[f32], bias: &[f32], fan_out: usize, fan_in: usize) -> Result<Self> {
        if weight.len() != fan_in * fan_out || bias.len() != fan_out {
            return Err(DeepError::Invalid(format!(
                "linear layer {fan_out}×{fan_in}: weight has {} values, bias {}",
                weight.len(),
                bias.len()
            )));
        }
        let mut weight_t = vec![0.0f32; fan_in * fan_out];
        for o in 0..fan_out {
            for i in 0..fan_in {
                weight_t[i * fan_out + o] = weight[o * fan_in + i];
            }
        }
        Ok(Self {
            weight_t,
            bias: bias.to_vec(),
            fan_in,
            fan_out,
        })
    }

    /// Applies the layer to each input vector.
    pub fn forward(&self, xs: &[Vec<f32>]) -> Vec<Vec<f32>> {
        let n = xs.len();
        let mut lhs = Vec::with_capacity(n * self.fan_in);
        for x in xs {
            lhs.extend_from_slice(&x[..self.fan_in.min(x.len())]);
            lhs.resize(lhs.len() + self.fan_in.saturating_sub(x.len()), 0.0);
        }
        let mut out = vec![0.0f32; n * self.fan_out];
        matmul(&lhs, &self.weight_t, &mut out, n, self.fan_in, self.fan_out);
        out.chunks(self.fan_out)
            .map(|r| r.iter().zip(&self.bias).map(|(v, b)| v + b).collect())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Naive NCHW convolution used as an independent check of im2col/GEMM/depthwise paths.
    #[allow(clippy::too_many_arguments)]
    fn naive(
        x: &[f32],
        n: usize,
        c: usize,
        h: usize,
        w: usize,
        wt: &[f32],
        cout: usize,
        k: usize,
        s: usize,
        p: usize,
        dw: bool,
    ) -> (Vec<f32>, usize, usize) {
        let oh = (h + 2 * p - k) / s + 1;
        let ow = (w + 2 * p - k) / s + 1;
        let mut out = vec![0.0f32; n * cout * oh * ow];
        for b in 0..n {
            for o in 0..cout {
                for oy in 0..oh {
                    for ox in 0..ow {
                        let mut acc = 0.0f64;
                        let cis: Vec<usize> = if dw { vec![o] } else { (0..c).collect() };
                        for (wi, &ci) in cis.iter().enumerate() {
                            for ky in 0..k {
                                for kx in 0..k {
                                    let iy = (oy * s + ky) as isize - p as isize;
                                    let ix = (ox * s + kx) as isize - p as isize;
                                    if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                        continue;
                                    }
                                    let xv = x[((b * c + ci) * h + iy as usize) * w + ix as usize];
                                    let cin_w = if dw { 1 } else { c };
                                    let wv = wt[((o * cin_w + wi) * k + ky) * k + kx];
                                    acc += xv as f64 * wv as f64;
                                }
                            }
                        }
                        out[((b * cout + o) * oh + oy) * ow + ox] = acc as f32;
                    }
                }
            }
        }
        (out, oh, ow)
    }

    fn pattern(n: usize, a: f64) -> Vec<f32> {
        (0..n).map(|i| ((i as f64 * a).sin()) as f32).collect()
    }

    #[test]
    fn conv_paths_match_naive_convolution() {
        for &(c, cout, k, s, p, dw) in &[
            (5, 7, 3, 1, 1, false),
            (5, 7, 3, 2, 1, false),
            (4, 6, 1, 1, 0, false),
            (4, 6, 1, 2, 0, false),
            (3, 8, 7, 2, 3, false),
            (6, 6, 3, 1, 1, true),
            (6, 6, 5, 2, 2, true),
        ] {
            let (n, h, w) = (2, 9, 11);
            let x = pattern(n * c * h * w, 0.37);
            let per = if dw { k * k } else { c * k * k };
            let wt = pattern(cout * per, 0.91);
            let (want, oh, ow) = naive(&x, n, c, h, w, &wt, cout, k, s, p, dw);
            let conv = Conv2d::from_torch(
                &wt,
                cout,
                c,
                k,
                s,
                Padding::Symmetric(p),
                dw,
                None,
                None,
                Activation::None,
            )
            .unwrap();
            let fm = FeatureMap::from_nchw(&x, n, c, h, w).unwrap();
            let got = conv.forward(&fm, None).unwrap();
            assert_eq!((got.h, got.w), (oh, ow));
            for (a, b) in got.to_nchw().iter().zip(&want) {
                assert!(
                    (a - b).abs() < 1e-4,
                    "{a} vs {b} for {c},{cout},{k},{s},{p},{dw}"
                );
            }
        }
    }

    #[test]
    fn winograd_matches_naive_and_im2col_with_residual_and_relu() {
        // channel counts with and without a 16-lane tail, odd and even sizes, batch 3
        // cin ≤ 128 runs F(4×4, 3×3), cin = 130 F(2×2, 3×3)
        for &(c, cout, h, w) in &[
            (37, 21, 7, 6),
            (16, 32, 5, 5),
            (3, 48, 2, 9),
            (130, 5, 5, 6),
        ] {
            let n = 3;
            let x = pattern(n * c * h * w, 0.53);
            let wt = pattern(cout * c * 9, 0.29);
            let (want, oh, ow) = naive(&x, n, c, h, w, &wt, cout, 3, 1, 1, false);
            assert_eq!((oh, ow), (h, w));
            let conv = Conv2d::from_torch(
                &wt,
                cout,
                c,
                3,
                1,
                Padding::Symmetric(1),
                false,
                Some(&pattern(cout, 1.7)),
                None,
                Activation::Relu,
            )
            .unwrap();
            assert!(conv.uses_winograd());
            let fm = FeatureMap::from_nchw(&x, n, c, h, w).unwrap();
            let res =
                FeatureMap::from_nchw(&pattern(n * cout * h * w, 0.71), n, cout, h, w).unwrap();
            let got = conv.forward(&fm, Some(&res)).unwrap();
            let im2col = conv
                .clone()
                .without_winograd()
                .forward(&fm, Some(&res))
                .unwrap();
            let bias = pattern(cout, 1.7);
            let res_nchw = res.to_nchw();
            for (i, (a, b)) in got.to_nchw().iter().zip(&want).enumerate() {
                let o = (i / (h * w)) % cout;
                let expect = (b + bias[o] + res_nchw[i]).max(0.0);
                assert!(
                    (a - expect).abs() < 1e-4,
                    "{a} vs {expect} at {i} for {c},{cout},{h},{w}"
                );
            }
            for (a, b) in got.data.iter().zip(&im2col.data) {
                assert!((a - b).abs() < 1e-4, "winograd {a} vs im2col {b}");
            }
        }
    }

    #[test]
    fn pooled_buffers_with_stale_contents_give_the_same_result() {
        // a recycled buffer full of NaN must be overwritten everywhere (im2col, 1×1, Winograd,
        // depthwise paths, with and without residual)
        for &(c, cout, k, s, p, dw) in &[
            (5, 7, 3, 1, 1, false),
            (5, 7, 3, 2, 1, false),
            (4, 6, 1, 1, 0, false),
            (6, 6, 3, 1, 1, true),
        ] {
            let (n, h, w) = (2, 9, 11);
            let per = if dw { k * k } else { c * k * k };
            let conv = Conv2d::from_torch(
                &pattern(cout * per, 0.91),
                cout,
                c,
                k,
                s,
                Padding::Symmetric(p),
                dw,
                None,
                None,
                Activation::Relu,
            )
            .unwrap();
            let fm = FeatureMap::from_nchw(&pattern(n * c * h * w, 0.37), n, c, h, w).unwrap();
            let fresh = conv.forward(&fm, None).unwrap();
            let res = FeatureMap {
                data: pattern(fresh.data.len(), 0.3),
                ..fresh.clone()
            };
            let fresh_res = conv.forward(&fm, Some(&res)).unwrap();
            let mut pool = BufferPool::default();
            for _ in 0..3 {
                pool.give(vec![f32::NAN; 4096]);
            }
            let got = conv.forward_pooled(&fm, None, &mut pool).unwrap();
            assert_eq!(got, fresh, "{c},{cout},{k},{s},{p},{dw}");
            pool.give(vec![f32::NAN; 4096]);
            let got = conv.forward_pooled(&fm, Some(&res), &mut pool).unwrap();
            assert_eq!(got, fresh_res, "{c},{cout},{k},{s},{p},{dw} with residual");
        }
    }

    #[test]
    fn batch_norm_folding_and_epilogue() {
        // 1×1 conv of a single pixel: y = relu6(bn(w·x) + r)
        let w = [2.0f32, -1.0];
        let bn = BatchNorm {
            gamma: &[1.5],
            beta: &[0.25],
            mean: &[0.5],
            var: &[3.0],
            eps: 1.0,
        };
        let conv = Conv2d::from_torch(
            &w,
            1,
            2,
            1,
            1,
            Padding::Symmetric(0),
            false,
            None,
            Some(bn),
            Activation::Relu6,
        )
        .unwrap();
        let x = FeatureMap {
            n: 1,
            h: 1,
            w: 1,
            c: 2,
            data: vec![3.0, 1.0],
        };
        let r = FeatureMap {
            n: 1,
            h: 1,
            w: 1,
            c: 1,
            data: vec![0.5],
        };
        let y = conv.forward(&x, Some(&r)).unwrap();
        // w·x = 5; bn: (5 - 0.5) * 1.5 / 2 + 0.25 = 3.625; + 0.5 = 4.125
        assert!((y.data[0] - 4.125).abs() < 1e-6);
    }

    #[test]
    fn same_padding_matches_tensorflow_rule() {
        assert_eq!(Padding::Same.plan(224, 3, 2).unwrap(), (112, 0));
        assert_eq!(Padding::Same.plan(112, 5, 2).unwrap(), (56, 1));
        assert_eq!(Padding::Same.plan(14, 5, 1).unwrap(), (14, 2));
        assert_eq!(Padding::Symmetric(3).plan(224, 7, 2).unwrap(), (112, 3));
    }

    #[test]
    fn tiles_are_balanced_and_independent_of_threads() {
        // (m, expected tile): small problems split in two, large ones in a multiple of 4 tiles
        for &(m, want) in &[
            (1, 1),
            (49, 25),
            (392, 98),
            (1568, 98),
            (6272, 121),
            (25088, 128),
        ] {
            let t = tile_rows(m);
            assert_eq!(t, want, "m = {m}");
            let count = m.div_ceil(t);
            if m >= 256 {
                assert_eq!(count % 4, 0, "m = {m}: {count} tiles");
                assert!(t <= 128);
            }
        }
    }

    #[test]
    fn max_pool_ignores_padding() {
        let x = FeatureMap {
            n: 1,
            h: 2,
            w: 2,
            c: 1,
            data: vec![-4.0, -3.0, -2.0, -1.0],
        };
        let y = max_pool_3x3_s2(&x);
        assert_eq!((y.h, y.w), (1, 1));
        assert_eq!(y.data, vec![-1.0]);
    }
}
