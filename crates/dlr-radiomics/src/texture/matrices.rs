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

    #[inline]
    fn neighbour(&self, x: usize, y: usize, z: usize, d: [isize; 3]) -> Option<usize> {
        let nx = x as isize + d[0];
        let ny = y as isize + d[1];
        let nz = z as isize + d[2];
        if nx < 0
            || ny < 0
            || nz < 0
            || nx >= self.dims[0] as isize
            || ny >= self.dims[1] as isize
            || nz >= self.dims[2] as isize
        {
            return None;
        }
        Some(nx as usize + self.dims[0] * (ny as usize + self.dims[1] * nz as usize))
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
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                let i = x + nx * (y + ny * z);
                let l = g.levels[i];
                if l == 0 {
                    continue;
                }
                // A run starts here when the previous voxel is outside or differs.
                let back = [-d[0], -d[1], -d[2]];
                if let Some(p) = g.neighbour(x, y, z, back) {
                    if g.levels[p] == l {
                        continue;
                    }
                }
                let mut len = 1;
                let (mut cx, mut cy, mut cz) = (x, y, z);
                while let Some(n) = g.neighbour(cx, cy, cz, d) {
                    if g.levels[n] != l {
                        break;
                    }
                    len += 1;
                    cx = (cx as isize + d[0]) as usize;
                    cy = (cy as isize + d[1]) as usize;
                    cz = (cz as isize + d[2]) as usize;
                }
                m[(l as usize - 1) * max_run + len - 1] += 1.0;
            }
        }
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
    let [nx, ny, nz] = g.dims;
    let mut seen = vec![false; g.levels.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let zs: &[isize] = if nz > 1 { &[-1, 0, 1] } else { &[0] };
    for start in 0..g.levels.len() {
        let l = g.levels[start];
        if l == 0 || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut size = 0;
        let mut dmin = u32::MAX;
        while let Some(i) = stack.pop() {
            size += 1;
            dmin = dmin.min(dist[i]);
            let x = i % nx;
            let y = (i / nx) % ny;
            let z = i / (nx * ny);
            for &dz in zs {
                for dy in -1isize..=1 {
                    for dx in -1isize..=1 {
                        if dx == 0 && dy == 0 && dz == 0 {
                            continue;
                        }
                        if let Some(n) = g.neighbour(x, y, z, [dx, dy, dz]) {
                            if !seen[n] && g.levels[n] == l {
                                seen[n] = true;
                                stack.push(n);
                            }
                        }
                    }
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
    let [nx, ny, nz] = g.dims;
    let mut n = vec![0.0; g.ng];
    let mut s = vec![0.0; g.ng];
    let zs: &[isize] = if nz > 1 { &[-1, 0, 1] } else { &[0] };
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                let i = x + nx * (y + ny * z);
                let l = g.levels[i];
                if l == 0 {
                    continue;
                }
                let mut cnt = 0u32;
                let mut sum = 0u64;
                for &dz in zs {
                    for dy in -1isize..=1 {
                        for dx in -1isize..=1 {
                            if dx == 0 && dy == 0 && dz == 0 {
                                continue;
                            }
                            if let Some(j) = g.neighbour(x, y, z, [dx, dy, dz]) {
                                let lj = g.levels[j];
                                if lj > 0 {
                                    cnt += 1;
                                    sum += lj as u64;
                                }
                            }
                        }
                    }
                }
                if cnt == 0 {
                    if require_neighbour {
                        continue;
                    }
                    n[l as usize - 1] += 1.0;
                    continue;
                }
                n[l as usize - 1] += 1.0;
                s[l as usize - 1] += (l as f64 - sum as f64 / cnt as f64).abs();
            }
        }
    }
    (n, s)
}

/// NGLDM counts: `ng` rows × `max_dep` columns, column k−1 for dependence k = 1 + number of
/// neighbours (Chebyshev 1, in the mask) whose level differs by at most `alpha`.
pub fn ngldm(g: &LevelGrid, alpha: u32) -> (Vec<f64>, usize) {
    let [nx, ny, nz] = g.dims;
    let zs: &[isize] = if nz > 1 { &[-1, 0, 1] } else { &[0] };
    let max_dep = if nz > 1 { 27 } else { 9 };
    let mut m = vec![0.0; g.ng * max_dep];
    for z in 0..nz {
        for y in 0..ny {
            for x in 0..nx {
                let i = x + nx * (y + ny * z);
                let l = g.levels[i];
                if l == 0 {
                    continue;
                }
                let mut dep = 1usize;
                for &dz in zs {
                    for dy in -1isize..=1 {
                        for dx in -1isize..=1 {
                            if dx == 0 && dy == 0 && dz == 0 {
                                continue;
                            }
                            if let Some(j) = g.neighbour(x, y, z, [dx, dy, dz]) {
                                let lj = g.levels[j];
                                if lj > 0 && lj.abs_diff(l) <= alpha {
                                    dep += 1;
                                }
                            }
                        }
                    }
                }
                m[(l as usize - 1) * max_dep + dep - 1] += 1.0;
            }
        }
    }
    (m, max_dep)
}
