//! Texture matrix builders on a discretised grid: GLCM, GLRLM, zones (GLSZM/GLDZM), NGTDM, NGLDM.
//!
//! The grid holds grey levels `1..=ng` for voxels in the intensity mask and `0` elsewhere,
//! stored x fastest (`x + nx * (y + ny * z)`).

/// A discretised grid: levels (0 = outside the intensity mask), dimensions and level count.
#[derive(Debug, Clone)]
pub struct LevelGrid {
    /// Grey levels, 0 outside the ROI.
    pub levels: Vec<u32>,
    /// Dimensions `[nx, ny, nz]`.
    pub dims: [usize; 3],
    /// Highest possible grey level (matrix size).
    pub ng: usize,
}

/// The four in-plane directions (0°, 45°, 90°, 135°) at Chebyshev distance 1.
pub const DIRS_2D: [[isize; 3]; 4] = [[1, 0, 0], [1, 1, 0], [0, 1, 0], [-1, 1, 0]];
/// The thirteen unique 3D directions at Chebyshev distance 1.
pub const DIRS_3D: [[isize; 3]; 13] = [
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [-1, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [-1, 0, 1],
    [0, 1, 1],
    [0, -1, 1],
    [1, 1, 1],
    [-1, 1, 1],
    [1, -1, 1],
    [-1, -1, 1],
];

impl LevelGrid {
    /// Number of voxels in the intensity mask.
    pub fn count(&self) -> usize {
        self.levels.iter().filter(|&&l| l > 0).count()
    }

    /// The grid of one z slice.
    pub fn slice(&self, z: usize) -> LevelGrid {
        let n = self.dims[0] * self.dims[1];
        LevelGrid {
            levels: self.levels[z * n..(z + 1) * n].to_vec(),
            dims: [self.dims[0], self.dims[1], 1],
            ng: self.ng,
        }
    }
}

/// The grid padded by one voxel of level 0 on every side, for neighbour access without bounds
/// checks: returns the padded levels, padded dims and a map from padded to original index.
struct Padded {
    levels: Vec<u32>,
    dims: [usize; 3],
}

impl Padded {
    fn new(g: &LevelGrid) -> Self {
        let [nx, ny, nz] = g.dims;
        let dims = [nx + 2, ny + 2, nz + 2];
        let mut levels = vec![0u32; dims[0] * dims[1] * dims[2]];
        for z in 0..nz {
            for y in 0..ny {
                let src = &g.levels[nx * (y + ny * z)..nx * (y + ny * z) + nx];
                let o = 1 + dims[0] * (y + 1 + dims[1] * (z + 1));
                levels[o..o + nx].copy_from_slice(src);
            }
        }
        Padded { levels, dims }
    }
    fn offset(&self, d: [isize; 3]) -> isize {
        d[0] + d[1] * self.dims[0] as isize + d[2] * (self.dims[0] * self.dims[1]) as isize
    }
    /// Offsets of the Chebyshev-1 neighbourhood (8 in a slice when `planar`, else 26).
    fn neighbourhood(&self, planar: bool) -> Vec<isize> {
        let zs: &[isize] = if planar { &[0] } else { &[-1, 0, 1] };
        let mut v = Vec::new();
        for &dz in zs {
            for dy in -1isize..=1 {
                for dx in -1isize..=1 {
                    if dx != 0 || dy != 0 || dz != 0 {
                        v.push(self.offset([dx, dy, dz]));
                    }
                }
            }
        }
        v
    }
    /// Padded indices of the original voxels, in original order.
    fn interior(&self) -> impl Iterator<Item = usize> + '_ {
        let [px, py, pz] = self.dims;
        (1..pz - 1).flat_map(move |z| {
            (1..py - 1).flat_map(move |y| (1..px - 1).map(move |x| x + px * (y + py * z)))
        })
    }
}

/// Symmetric co-occurrence counts (`ng × ng`, row-major, levels 1-based at index 0) for one direction.
pub fn glcm(g: &LevelGrid, d: [isize; 3]) -> Vec<f64> {
    let ng = g.ng;
    let mut m = vec![0.0; ng * ng];
    let [nx, ny, nz] = g.dims;
    // Iterate over the sub-range of voxels whose neighbour lies inside the grid.
    let xr = if d[0] >= 0 {
        0..nx.saturating_sub(d[0] as usize)
    } else {
        (-d[0]) as usize..nx
    };
    let yr = if d[1] >= 0 {
        0..ny.saturating_sub(d[1] as usize)
    } else {
        (-d[1]) as usize..ny
    };
    let zr = if d[2] >= 0 {
        0..nz.saturating_sub(d[2] as usize)
    } else {
        (-d[2]) as usize..nz
    };
    let off = d[0] + d[1] * nx as isize + d[2] * (nx * ny) as isize;
    for z in zr {
        for y in yr.clone() {
            let row = nx * (y + ny * z);
            for x in xr.clone() {
                let i = row + x;
                let a = g.levels[i];
                if a == 0 {
                    continue;
                }
                let b = g.levels[(i as isize + off) as usize];
                if b == 0 {
                    continue;
                }
                let (a, b) = (a as usize - 1, b as usize - 1);
                m[a * ng + b] += 1.0;
                m[b * ng + a] += 1.0;
            }
        }
    }
    m
}

/// Run-length counts for one direction: `ng` rows × `max_run` columns (run length 1 at column 0).
pub fn glrlm(g: &LevelGrid, d: [isize; 3]) -> (Vec<f64>, usize) {
    let [nx, ny, nz] = g.dims;
    let max_run = nx.max(ny).max(nz);
    let ng = g.ng;
    let mut m = vec![0.0; ng * max_run];
    let p = Padded::new(g);
    let off = p.offset(d);
    for i in 0..p.levels.len() {
        let l = p.levels[i];
        if l == 0 || p.levels[(i as isize - off) as usize] == l {
            continue; // outside, or not the start of a run
        }
        let mut len = 1;
        let mut j = (i as isize + off) as usize;
        while p.levels[j] == l {
            len += 1;
            j = (j as isize + off) as usize;
        }
        m[(l as usize - 1) * max_run + len - 1] += 1.0;
    }
    (m, max_run)
}

/// A connected zone of equal grey level: level, size in voxels and minimal border distance.
#[derive(Debug, Clone, Copy)]
pub struct Zone {
    /// Grey level.
    pub level: u32,
    /// Number of voxels.
    pub size: usize,
    /// Smallest distance-to-border of its voxels (GLDZM).
    pub distance: u32,
}

/// Connected zones (8-connected in a single slice, 26-connected in 3D) with their minimal
/// distance according to `dist` (one value per voxel).
pub fn zones(g: &LevelGrid, dist: &[u32]) -> Vec<Zone> {
    let p = Padded::new(g);
    let nb = p.neighbourhood(g.dims[2] == 1);
    let mut pdist = vec![0u32; p.levels.len()];
    for (k, i) in p.interior().enumerate() {
        pdist[i] = dist[k];
    }
    let mut seen = vec![false; p.levels.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..p.levels.len() {
        let l = p.levels[start];
        if l == 0 || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut size = 0;
        let mut dmin = u32::MAX;
        while let Some(i) = stack.pop() {
            size += 1;
            dmin = dmin.min(pdist[i]);
            for &o in &nb {
                let n = (i as isize + o) as usize;
                if !seen[n] && p.levels[n] == l {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
        out.push(Zone {
            level: l,
            size,
            distance: dmin,
        });
    }
    out
}

/// Distance to the ROI border (IBSI GLDZM): border voxels have 1; 4-connected steps in a single
/// slice, 6-connected in 3D; `roi` marks the morphological mask; voxels outside get 0.
pub fn border_distance(roi: &[bool], dims: [usize; 3]) -> Vec<u32> {
    let [nx, ny, nz] = dims;
    let mut d = vec![0u32; roi.len()];
    let mut queue = std::collections::VecDeque::new();
    let steps: Vec<[isize; 3]> = if nz > 1 {
        vec![
            [1, 0, 0],
            [-1, 0, 0],
            [0, 1, 0],
            [0, -1, 0],
            [0, 0, 1],
            [0, 0, -1],
        ]
    } else {
        vec![[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0]]
    };
    let inside = |x: isize, y: isize, z: isize| -> Option<usize> {
        if x < 0 || y < 0 || z < 0 || x >= nx as isize || y >= ny as isize || z >= nz as isize {
            None
        } else {
            Some(x as usize + nx * (y as usize + ny * z as usize))
        }
    };
    for i in 0..roi.len() {
        if !roi[i] {
            continue;
        }
        let (x, y, z) = (
            (i % nx) as isize,
            ((i / nx) % ny) as isize,
            (i / (nx * ny)) as isize,
        );
        let border = steps
            .iter()
            .any(|s| match inside(x + s[0], y + s[1], z + s[2]) {
                None => true,
                Some(n) => !roi[n],
            });
        if border {
            d[i] = 1;
            queue.push_back(i);
        }
    }
    while let Some(i) = queue.pop_front() {
        let (x, y, z) = (
            (i % nx) as isize,
            ((i / nx) % ny) as isize,
            (i / (nx * ny)) as isize,
        );
        for s in &steps {
            if let Some(n) = inside(x + s[0], y + s[1], z + s[2]) {
                if roi[n] && d[n] == 0 {
                    d[n] = d[i] + 1;
                    queue.push_back(n);
                }
            }
        }
    }
    d
}

/// NGTDM per level: (count n_i, sum of |i − neighbourhood mean| s_i). Neighbourhood: Chebyshev 1
/// (8 in a slice, 26 in 3D), only neighbours inside the mask. With `require_neighbour`, voxels
/// without any valid neighbour are left out (IBSI); otherwise they count with difference 0
/// (PyRadiomics).
pub fn ngtdm(g: &LevelGrid, require_neighbour: bool) -> (Vec<f64>, Vec<f64>) {
    let mut n = vec![0.0; g.ng];
    let mut s = vec![0.0; g.ng];
    let p = Padded::new(g);
    let nb = p.neighbourhood(g.dims[2] == 1);
    for i in 0..p.levels.len() {
        let l = p.levels[i];
        if l == 0 {
            continue;
        }
        let mut cnt = 0u32;
        let mut sum = 0u64;
        for &o in &nb {
            let lj = p.levels[(i as isize + o) as usize];
            if lj > 0 {
                cnt += 1;
                sum += lj as u64;
            }
        }
        if cnt == 0 {
            if !require_neighbour {
                n[l as usize - 1] += 1.0;
            }
            continue;
        }
        n[l as usize - 1] += 1.0;
        s[l as usize - 1] += (l as f64 - sum as f64 / cnt as f64).abs();
    }
    (n, s)
}

/// NGLDM counts: `ng` rows × `max_dep` columns, column k−1 for dependence k = 1 + number of
/// neighbours (Chebyshev 1, in the mask) whose level differs by at most `alpha`.
pub fn ngldm(g: &LevelGrid, alpha: u32) -> (Vec<f64>, usize) {
    let planar = g.dims[2] == 1;
    let max_dep = if planar { 9 } else { 27 };
    let mut m = vec![0.0; g.ng * max_dep];
    let p = Padded::new(g);
    let nb = p.neighbourhood(planar);
    for i in 0..p.levels.len() {
        let l = p.levels[i];
        if l == 0 {
            continue;
        }
        let mut dep = 1usize;
        for &o in &nb {
            let lj = p.levels[(i as isize + o) as usize];
            if lj > 0 && lj.abs_diff(l) <= alpha {
                dep += 1;
            }
        }
        m[(l as usize - 1) * max_dep + dep - 1] += 1.0;
    }
    (m, max_dep)
}
