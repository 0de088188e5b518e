//! Fast paths of the matrix features: the requantised ROI on a zero-padded grid with the list
//! of ROI pixels, so pair and run loops need no bounds checks.

use crate::rlm::RunLengthSummary;

/// Requantised levels and ROI membership on a grid padded by `pad` non-ROI pixels per side.
pub(crate) struct PaddedLevels {
    w: usize,
    levels: Vec<u16>,
    inside: Vec<bool>,
    roi: Vec<usize>,
}

impl PaddedLevels {
    /// Pads a `w × h` grid by `pad` pixels (at least 1).
    pub fn new(levels: &[u16], inside: &[bool], w: usize, h: usize, pad: usize) -> Self {
        let pad = pad.max(1);
        let pw = w + 2 * pad;
        let ph = h + 2 * pad;
        let mut l = vec![0u16; pw * ph];
        let mut m = vec![false; pw * ph];
        let mut roi = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let i = y * w + x;
                let j = (y + pad) * pw + x + pad;
                l[j] = levels[i];
                m[j] = inside[i];
                if inside[i] {
                    roi.push(j);
                }
            }
        }
        Self {
            w: pw,
            levels: l,
            inside: m,
            roi,
        }
    }

    fn step(&self, dx: isize, dy: isize) -> isize {
        dy * self.w as isize + dx
    }

    /// Symmetric co-occurrence counts for displacement `(dx, dy)` (|dx|, |dy| ≤ pad).
    pub fn cooccurrence(&self, dx: isize, dy: isize, ng: usize) -> Vec<f64> {
        let step = self.step(dx, dy);
        let mut a = vec![0u32; ng * ng];
        for &i in &self.roi {
            let j = (i as isize + step) as usize;
            if self.inside[j] {
                a[self.levels[i] as usize * ng + self.levels[j] as usize] += 1;
            }
        }
        let mut out = vec![0.0; ng * ng];
        for r in 0..ng {
            for c in 0..ng {
                out[r * ng + c] = f64::from(a[r * ng + c] + a[c * ng + r]);
            }
        }
        out
    }

    /// Run-length summary along the unit step `(dx, dy)`.
    pub fn run_lengths(&self, dx: isize, dy: isize, ng: usize) -> RunLengthSummary {
        let step = self.step(dx, dy);
        let mut per_level = vec![0u64; ng];
        let mut per_length: Vec<u64> = Vec::new();
        let mut runs = 0u64;
        for &i in &self.roi {
            let level = self.levels[i];
            let prev = (i as isize - step) as usize;
            if self.inside[prev] && self.levels[prev] == level {
                continue;
            }
            let mut k = 1usize;
            let mut j = (i as isize + step) as usize;
            while self.inside[j] && self.levels[j] == level {
                k += 1;
                j = (j as isize + step) as usize;
            }
            runs += 1;
            per_level[level as usize] += 1;
            if per_length.len() < k {
                per_length.resize(k, 0);
            }
            per_length[k - 1] += 1;
        }
        RunLengthSummary {
            runs_per_level: per_level,
            runs_per_length: per_length,
            runs,
            pixels: self.roi.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cooccurrence_counts, run_lengths};

    /// The padded fast paths agree exactly with the plain reference kernels.
    #[test]
    fn fast_paths_equal_reference_kernels() {
        let (w, h, ng) = (19usize, 13usize, 8usize);
        // deterministic pseudo-random levels and an irregular ROI
        let levels: Vec<u16> = (0..w * h)
            .map(|i| ((i * 7919 + i / 3) % ng) as u16)
            .collect();
        let inside: Vec<bool> = (0..w * h).map(|i| (i * 31 + i / w) % 5 != 0).collect();
        let p = PaddedLevels::new(&levels, &inside, w, h, 5);
        for (dx, dy) in [(1, 0), (0, 1), (3, -3), (5, 5), (2, 0)] {
            assert_eq!(
                p.cooccurrence(dx, dy, ng),
                cooccurrence_counts(&levels, &inside, w, h, dx, dy, ng)
            );
        }
        for (dx, dy) in [(1, 0), (0, 1), (1, -1), (1, 1)] {
            assert_eq!(
                p.run_lengths(dx, dy, ng),
                run_lengths(&levels, &inside, w, h, dx, dy, ng)
            );
        }
    }
}
