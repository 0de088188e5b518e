//! Winograd F(2×2, 3×3) and F(4×4, 3×3) for dense 3×3 convolutions with stride 1 and padding 1
//! (Lavin & Gray, 2016): each (m+2)×(m+2) input tile is transformed (`V = Bᵀ d B`), the
//! (m+2)² transformed positions are that many GEMMs `[tiles × cin]·[cin × cout]` against weights
//! transformed once at load (`U = G g Gᵀ`, in f64), and each result is transformed back to an m×m
//! output tile (`Y = Aᵀ M A`): 2.25× (m = 2) or 4× (m = 4) fewer multiplications than im2col.
//!
//! Determinism: tiles are grouped by a rule that depends only on the problem size; every output
//! value is computed by one thread in a fixed order, so results are bitwise identical across runs
//! and thread counts. The transforms are fixed sequences of additions and multiplications by small
//! constants (no FMA contraction), so they give the same bits on every CPU.

use super::{matmul_seq, tile_rows, FeatureMap};
use rayon::prelude::*;

/// SIMD lane block used by the transforms.
const L: usize = 16;

/// Transformed weights of one 3×3 convolution: 16 matrices `[cin × cout]`, position-major.
#[derive(Debug, Clone)]
pub(crate) struct WinogradWeights {
    cin: usize,
    cout: usize,
    /// Output tile size `m` of F(m×m, 3×3): 2 or 4.
    tile: usize,
    u: Vec<f32>,
}

impl WinogradWeights {
    /// Transforms folded weights laid out `[(tap * cin + ci) * cout + o]` (tap = ky * 3 + kx).
    /// `tile` is the output tile size: 2 for F(2×2, 3×3), 4 for F(4×4, 3×3).
    pub(crate) fn from_folded(weight: &[f32], cin: usize, cout: usize, tile: usize) -> Self {
        // G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]] for F(2×2, 3×3)
        const G2: [[f64; 3]; 4] = [
            [1.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.5, -0.5, 0.5],
            [0.0, 0.0, 1.0],
        ];
        // and for F(4×4, 3×3) (points 0, ±1, ±2, ∞)
        const G4: [[f64; 3]; 6] = [
            [0.25, 0.0, 0.0],
            [-1.0 / 6.0, -1.0 / 6.0, -1.0 / 6.0],
            [-1.0 / 6.0, 1.0 / 6.0, -1.0 / 6.0],
            [1.0 / 24.0, 1.0 / 12.0, 1.0 / 6.0],
            [1.0 / 24.0, -1.0 / 12.0, 1.0 / 6.0],
            [0.0, 0.0, 1.0],
        ];
        let tile = if tile == 4 { 4 } else { 2 };
        let gm: &[[f64; 3]] = if tile == 4 { &G4 } else { &G2 };
        let a = tile + 2;
        let mut u = vec![0.0f32; a * a * cin * cout];
        for ci in 0..cin {
            for o in 0..cout {
                let g = |ky: usize, kx: usize| weight[((ky * 3 + kx) * cin + ci) * cout + o] as f64;
                // t = G g (a×3), then U = t Gᵀ (a×a)
                let mut t = [[0.0f64; 3]; 6];
                for (r, tr) in t.iter_mut().enumerate().take(a) {
                    for (c, tv) in tr.iter_mut().enumerate() {
                        *tv = (0..3).map(|k| gm[r][k] * g(k, c)).sum();
                    }
                }
                for r in 0..a {
                    for c in 0..a {
                        let v: f64 = (0..3).map(|k| t[r][k] * gm[c][k]).sum();
                        u[((r * a + c) * cin + ci) * cout + o] = v as f32;
                    }
                }
            }
        }
        Self { cin, cout, tile, u }
    }

    /// Output tile size (2 or 4).
    pub(crate) fn tile(&self) -> usize {
        self.tile
    }

    /// Length of the tile-order output of [`WinogradWeights::forward_tiles`] for input `x`.
    pub(crate) fn tiles_len(&self, x: &FeatureMap) -> usize {
        let m = self.tile;
        x.n * x.h.div_ceil(m) * x.w.div_ceil(m) * m * m * self.cout
    }

    /// Convolution without bias/activation into `y` (resized to [`Self::tiles_len`]; every
    /// value is overwritten): the output in tile order, `[tile][2×2 position][cout]` with tiles
    /// `(b, ty, tx)` row-major. Returns `y` and the tile grid height and width.
    pub(crate) fn forward_tiles(
        &self,
        x: &FeatureMap,
        mut y: Vec<f32>,
    ) -> (Vec<f32>, usize, usize) {
        let (cin, cout, tm) = (self.cin, self.cout, self.tile);
        let npos = (tm + 2) * (tm + 2);
        let (th, tw) = (x.h.div_ceil(tm), x.w.div_ceil(tm));
        let tiles = x.n * th * tw;
        y.resize(tiles * tm * tm * cout, 0.0);
        let group = tile_rows(tiles);
        y.par_chunks_mut(group * tm * tm * cout)
            .enumerate()
            .for_each(|(gi, dst)| {
                let t0 = gi * group;
                let g = dst.len() / (tm * tm * cout);
                WINO_SCRATCH.with(|cell| {
                    let mut buf = cell.borrow_mut();
                    let (nv, nm) = (npos * g * cin, npos * g * cout);
                    if buf.len() < nv + nm {
                        buf.resize(nv + nm, 0.0);
                    }
                    let (v, m) = buf.split_at_mut(nv);
                    let m = &mut m[..nm];
                    input_dispatch(tm, x, t0, g, th, tw, v);
                    for e in 0..npos {
                        matmul_seq(
                            &v[e * g * cin..(e + 1) * g * cin],
                            &self.u[e * cin * cout..(e + 1) * cin * cout],
                            &mut m[e * g * cout..(e + 1) * g * cout],
                            g,
                            cin,
                            cout,
                        );
                    }
                    output_dispatch(tm, m, g, cout, dst);
                });
            });
        (y, th, tw)
    }
}

thread_local! {
    /// Per-thread scratch for transformed inputs and GEMM results.
    static WINO_SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Input transform of tiles `t0..t0+g` into `v` (`[16][g][cin]`).
#[inline(always)]
fn input_transform(x: &FeatureMap, t0: usize, g: usize, th: usize, tw: usize, v: &mut [f32]) {
    let cin = x.c;
    for j in 0..g {
        let t = t0 + j;
        let b = t / (th * tw);
        let ty = (t / tw) % th;
        let tx = t % tw;
        // pixel offsets of the 16 taps (None outside the image)
        let mut src = [None; 16];
        for r in 0..4 {
            let iy = (2 * ty + r) as isize - 1;
            if iy < 0 || iy >= x.h as isize {
                continue;
            }
            for c in 0..4 {
                let ix = (2 * tx + c) as isize - 1;
                if ix < 0 || ix >= x.w as isize {
                    continue;
                }
                src[r * 4 + c] = Some(((b * x.h + iy as usize) * x.w + ix as usize) * cin);
            }
        }
        let zero = [0.0f32; L];
        let mut c0 = 0;
        while c0 < cin {
            let n = L.min(cin - c0);
            // full blocks are read in place (fixed-size loads); a channel tail is zero-padded
            let mut tail = [[0.0f32; L]; 16];
            let mut d: [&[f32; L]; 16] = [&zero; 16];
            if n == L {
                for (dk, s) in d.iter_mut().zip(&src) {
                    if let Some(a) = s.and_then(|off| x.data[off + c0..].first_chunk::<L>()) {
                        *dk = a;
                    }
                }
            } else {
                for (tk, s) in tail.iter_mut().zip(&src) {
                    if let Some(off) = s {
                        tk[..n].copy_from_slice(&x.data[off + c0..off + c0 + n]);
                    }
                }
                for (dk, tk) in d.iter_mut().zip(&tail) {
                    *dk = tk;
                }
            }
            // t = Bᵀ d, Bᵀ = [[1,0,−1,0],[0,1,1,0],[0,−1,1,0],[0,1,0,−1]] (rows of d: r)
            let mut t = [[0.0f32; L]; 16];
            for c in 0..4 {
                for l in 0..L {
                    let (d0, d1, d2, d3) = (d[c][l], d[4 + c][l], d[8 + c][l], d[12 + c][l]);
                    t[c][l] = d0 - d2;
                    t[4 + c][l] = d1 + d2;
                    t[8 + c][l] = d2 - d1;
                    t[12 + c][l] = d1 - d3;
                }
            }
            // V = t B
            for r in 0..4 {
                let mut o = [[0.0f32; L]; 4];
                for l in 0..L {
                    let (a0, a1, a2, a3) = (
                        t[r * 4][l],
                        t[r * 4 + 1][l],
                        t[r * 4 + 2][l],
                        t[r * 4 + 3][l],
                    );
                    o[0][l] = a0 - a2;
                    o[1][l] = a1 + a2;
                    o[2][l] = a2 - a1;
                    o[3][l] = a1 - a3;
                }
                for (c, oc) in o.iter().enumerate() {
                    let e = r * 4 + c;
                    let at = (e * g + j) * cin + c0;
                    store(&mut v[at..], oc, n);
                }
            }
            c0 += n;
        }
    }
}

/// Output transform of `m` (`[16][g][cout]`) into `dst` (`[g][4][cout]`).
#[inline(always)]
fn output_transform(m: &[f32], g: usize, cout: usize, dst: &mut [f32]) {
    for j in 0..g {
        let mut c0 = 0;
        while c0 < cout {
            let n = L.min(cout - c0);
            let mut q = [[0.0f32; L]; 16];
            for (e, qe) in q.iter_mut().enumerate() {
                let at = (e * g + j) * cout + c0;
                match m[at..].first_chunk::<L>() {
                    Some(a) if n == L => *qe = *a,
                    _ => qe[..n].copy_from_slice(&m[at..at + n]),
                }
            }
            // t = Aᵀ q (2×4), Aᵀ = [[1,1,1,0],[0,1,−1,−1]]
            let mut t = [[0.0f32; L]; 8];
            for c in 0..4 {
                for l in 0..L {
                    let (q0, q1, q2, q3) = (q[c][l], q[4 + c][l], q[8 + c][l], q[12 + c][l]);
                    t[c][l] = q0 + q1 + q2;
                    t[4 + c][l] = q1 - q2 - q3;
                }
            }
            // Y = t A
            for r in 0..2 {
                let mut o = [[0.0f32; L]; 2];
                for l in 0..L {
                    let (a0, a1, a2, a3) = (
                        t[r * 4][l],
                        t[r * 4 + 1][l],
                        t[r * 4 + 2][l],
                        t[r * 4 + 3][l],
                    );
                    o[0][l] = a0 + a1 + a2;
                    o[1][l] = a1 - a2 - a3;
                }
                for (c, oc) in o.iter().enumerate() {
                    let at = (j * 4 + r * 2 + c) * cout + c0;
                    store(&mut dst[at..], oc, n);
                }
            }
            c0 += n;
        }
    }
}

/// Writes the first `n` lanes of `src` to the start of `dst` (a fixed-size store when `n == L`).
#[inline(always)]
fn store(dst: &mut [f32], src: &[f32; L], n: usize) {
    match dst.first_chunk_mut::<L>() {
        Some(a) if n == L => *a = *src,
        _ => dst[..n].copy_from_slice(&src[..n]),
    }
}

/// Input transform for tile size `tm` (2 or 4).
#[inline(always)]
fn input_any(tm: usize, x: &FeatureMap, t0: usize, g: usize, th: usize, tw: usize, v: &mut [f32]) {
    if tm == 4 {
        input_transform4(x, t0, g, th, tw, v)
    } else {
        input_transform(x, t0, g, th, tw, v)
    }
}

/// Output transform for tile size `tm` (2 or 4).
#[inline(always)]
fn output_any(tm: usize, m: &[f32], g: usize, cout: usize, dst: &mut [f32]) {
    if tm == 4 {
        output_transform4(m, g, cout, dst)
    } else {
        output_transform(m, g, cout, dst)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn input_avx512(
    tm: usize,
    x: &FeatureMap,
    t0: usize,
    g: usize,
    th: usize,
    tw: usize,
    v: &mut [f32],
) {
    input_any(tm, x, t0, g, th, tw, v)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn output_avx512(tm: usize, m: &[f32], g: usize, cout: usize, dst: &mut [f32]) {
    output_any(tm, m, g, cout, dst)
}

/// Input transform for the widest vector unit present (same arithmetic everywhere).
fn input_dispatch(
    tm: usize,
    x: &FeatureMap,
    t0: usize,
    g: usize,
    th: usize,
    tw: usize,
    v: &mut [f32],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { input_avx512(tm, x, t0, g, th, tw, v) };
        }
    }
    input_any(tm, x, t0, g, th, tw, v)
}

/// Output transform for the widest vector unit present (same arithmetic everywhere).
fn output_dispatch(tm: usize, m: &[f32], g: usize, cout: usize, dst: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports AVX-512F (checked just above).
            return unsafe { output_avx512(tm, m, g, cout, dst) };
        }
    }
    output_any(tm, m, g, cout, dst)
}

/// `Bᵀ x` for F(4×4, 3×3) on six 16-lane vectors.
#[inline(always)]
fn bt6(x: [&[f32; L]; 6]) -> [[f32; L]; 6] {
    let mut o = [[0.0f32; L]; 6];
    for l in 0..L {
        let (d0, d1, d2, d3, d4, d5) = (x[0][l], x[1][l], x[2][l], x[3][l], x[4][l], x[5][l]);
        o[0][l] = 4.0 * d0 - 5.0 * d2 + d4;
        o[1][l] = (d3 + d4) - 4.0 * (d1 + d2);
        o[2][l] = (d4 - d3) + 4.0 * (d1 - d2);
        o[3][l] = (d4 - d2) + 2.0 * (d3 - d1);
        o[4][l] = (d4 - d2) - 2.0 * (d3 - d1);
        o[5][l] = 4.0 * d1 - 5.0 * d3 + d5;
    }
    o
}

/// `Aᵀ x` for F(4×4, 3×3) on six 16-lane vectors.
#[inline(always)]
fn at6(x: [&[f32; L]; 6]) -> [[f32; L]; 4] {
    let mut o = [[0.0f32; L]; 4];
    for l in 0..L {
        let a = x[1][l] + x[2][l];
        let b = x[1][l] - x[2][l];
        let c = x[3][l] + x[4][l];
        let e = x[3][l] - x[4][l];
        o[0][l] = x[0][l] + a + c;
        o[1][l] = b + 2.0 * e;
        o[2][l] = a + 4.0 * c;
        o[3][l] = b + 8.0 * e + x[5][l];
    }
    o
}

/// F(4×4, 3×3) input transform of tiles `t0..t0+g` into `v` (`[36][g][cin]`).
#[inline(always)]
fn input_transform4(x: &FeatureMap, t0: usize, g: usize, th: usize, tw: usize, v: &mut [f32]) {
    let cin = x.c;
    let zero = [0.0f32; L];
    for j in 0..g {
        let t = t0 + j;
        let b = t / (th * tw);
        let ty = (t / tw) % th;
        let tx = t % tw;
        let mut src = [None; 36];
        for r in 0..6 {
            let iy = (4 * ty + r) as isize - 1;
            if iy < 0 || iy >= x.h as isize {
                continue;
            }
            for c in 0..6 {
                let ix = (4 * tx + c) as isize - 1;
                if ix < 0 || ix >= x.w as isize {
                    continue;
                }
                src[r * 6 + c] = Some(((b * x.h + iy as usize) * x.w + ix as usize) * cin);
            }
        }
        let mut c0 = 0;
        while c0 < cin {
            let n = L.min(cin - c0);
            let mut tail = [[0.0f32; L]; 36];
            let mut d: [&[f32; L]; 36] = [&zero; 36];
            if n == L {
                for (dk, s) in d.iter_mut().zip(&src) {
                    if let Some(a) = s.and_then(|off| x.data[off + c0..].first_chunk::<L>()) {
                        *dk = a;
                    }
                }
            } else {
                for (tk, s) in tail.iter_mut().zip(&src) {
                    if let Some(off) = s {
                        tk[..n].copy_from_slice(&x.data[off + c0..off + c0 + n]);
                    }
                }
                for (dk, tk) in d.iter_mut().zip(&tail) {
                    *dk = tk;
                }
            }
            // columns: t[·][c] = Bᵀ d[·][c]
            let mut t = [[[0.0f32; L]; 6]; 6]; // t[r][c]
            for c in 0..6 {
                let col = bt6([d[c], d[6 + c], d[12 + c], d[18 + c], d[24 + c], d[30 + c]]);
                for (r, cr) in col.iter().enumerate() {
                    t[r][c] = *cr;
                }
            }
            // rows: V[r][·] = t[r][·] B
            for (r, tr) in t.iter().enumerate() {
                let o = bt6([&tr[0], &tr[1], &tr[2], &tr[3], &tr[4], &tr[5]]);
                for (c, oc) in o.iter().enumerate() {
                    let at = ((r * 6 + c) * g + j) * cin + c0;
                    store(&mut v[at..], oc, n);
                }
            }
            c0 += n;
        }
    }
}

/// F(4×4, 3×3) output transform of `m` (`[36][g][cout]`) into `dst` (`[g][16][cout]`).
#[inline(always)]
fn output_transform4(m: &[f32], g: usize, cout: usize, dst: &mut [f32]) {
    for j in 0..g {
        let mut c0 = 0;
        while c0 < cout {
            let n = L.min(cout - c0);
            let mut q = [[0.0f32; L]; 36];
            for (e, qe) in q.iter_mut().enumerate() {
                let at = (e * g + j) * cout + c0;
                match m[at..].first_chunk::<L>() {
                    Some(a) if n == L => *qe = *a,
                    _ => qe[..n].copy_from_slice(&m[at..at + n]),
                }
            }
            // columns: t[k][c] = Aᵀ q[·][c] (4×6)
            let mut t = [[[0.0f32; L]; 6]; 4];
            for c in 0..6 {
                let col = at6([
                    &q[c],
                    &q[6 + c],
                    &q[12 + c],
                    &q[18 + c],
                    &q[24 + c],
                    &q[30 + c],
                ]);
                for (k, ck) in col.iter().enumerate() {
                    t[k][c] = *ck;
                }
            }
            // rows: Y[k][·] = t[k][·] A
            for (k, tk) in t.iter().enumerate() {
                let o = at6([&tk[0], &tk[1], &tk[2], &tk[3], &tk[4], &tk[5]]);
                for (c, oc) in o.iter().enumerate() {
                    let at = (j * 16 + k * 4 + c) * cout + c0;
                    store(&mut dst[at..], oc, n);
                }
            }
            c0 += n;
        }
    }
}
