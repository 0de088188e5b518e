//! Boundary conditions (IBSI 2) and the separable 1D correlation every filter is built from.

use serde::{Deserialize, Serialize};

/// How the image is extended beyond its edges (IBSI 2 boundary conditions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryMode {
    /// Zero outside the image (IBSI "constant").
    Constant,
    /// The edge voxel repeated (IBSI "nearest").
    Nearest,
    /// The image repeated (IBSI "periodic", wrap).
    Periodic,
    /// Mirrored with the edge voxel repeated, `d c b a | a b c d` (IBSI "mirror"; scipy
    /// `reflect`, numpy `symmetric`). Default.
    #[default]
    Mirror,
}

/// Index of the voxel that stands at position `i` of a line of length `n`; `None` = zero.
#[inline]
pub(crate) fn extend_index(i: isize, n: usize, mode: BoundaryMode) -> Option<usize> {
    let n_i = n as isize;
    if (0..n_i).contains(&i) {
        return Some(i as usize);
    }
    match mode {
        BoundaryMode::Constant => None,
        BoundaryMode::Nearest => Some(i.clamp(0, n_i - 1) as usize),
        BoundaryMode::Periodic => Some(i.rem_euclid(n_i) as usize),
        BoundaryMode::Mirror => {
            let m = i.rem_euclid(2 * n_i);
            Some(if m < n_i { m } else { 2 * n_i - 1 - m } as usize)
        }
    }
}

/// A 1D kernel with the tap aligned to the output voxel: `out[i] = Σ_k taps[k]·in[i + k − origin]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taps {
    pub taps: Vec<f64>,
    pub origin: usize,
}

impl Taps {
    /// Centred odd-length kernel.
    pub fn centred(taps: Vec<f64>) -> Self {
        let origin = taps.len() / 2;
        Self { taps, origin }
    }

    /// The kernel mirrored about the output voxel (a flip of the axis).
    pub fn reversed(&self) -> Self {
        let mut taps = self.taps.clone();
        taps.reverse();
        Self {
            origin: self.taps.len() - 1 - self.origin,
            taps,
        }
    }
}

/// Correlates every line along `axis` of a `dims` volume with `k` under `mode`.
pub(crate) fn correlate_axis(
    src: &[f64],
    dims: [usize; 3],
    axis: usize,
    k: &Taps,
    mode: BoundaryMode,
) -> Vec<f64> {
    let n = dims[axis];
    let stride = match axis {
        0 => 1,
        1 => dims[0],
        _ => dims[0] * dims[1],
    };
    let mut out = vec![0.0; src.len()];
    let left = k.origin;
    let right = k.taps.len() - 1 - k.origin;
    let mut line = vec![0.0; n + left + right];
    // every line: fixed coordinates on the other axes
    let (o1, o2) = match axis {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };
    let stride_of = |a: usize| match a {
        0 => 1,
        1 => dims[0],
        _ => dims[0] * dims[1],
    };
    for b in 0..dims[o2] {
        for a in 0..dims[o1] {
            let base = a * stride_of(o1) + b * stride_of(o2);
            for (j, slot) in line.iter_mut().enumerate() {
                let i = j as isize - left as isize;
                *slot = extend_index(i, n, mode).map_or(0.0, |i| src[base + i * stride]);
            }
            for i in 0..n {
                let s: f64 = k
                    .taps
                    .iter()
                    .zip(&line[i..i + k.taps.len()])
                    .map(|(t, v)| t * v)
                    .sum();
                out[base + i * stride] = s;
            }
        }
    }
    out
}

/// Applies one 1D kernel per axis (`None` = identity along that axis).
pub(crate) fn separable(
    src: &[f64],
    dims: [usize; 3],
    kernels: [Option<&Taps>; 3],
    mode: BoundaryMode,
) -> Vec<f64> {
    let mut cur = src.to_vec();
    for (axis, k) in kernels.iter().enumerate() {
        if let Some(k) = k {
            cur = correlate_axis(&cur, dims, axis, k, mode);
        }
    }
    cur
}
