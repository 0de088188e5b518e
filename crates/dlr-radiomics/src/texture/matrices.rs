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

/// The grid padded by one voxel of level 0 on each side in x and y, and in z when `pad_z` (a
/// volume, or directions leaving the plane), for neighbour access without bounds checks.
struct Padded {
    levels: Vec<u32>,
    /// Padded dimensions.
    dims: [usize; 3],
    /// Original dimensions.
    inner: [usize; 3],
    /// First padded z layer holding original voxels (0 or 1).
    z0: usize,
}

impl Padded {
    fn new(g: &LevelGrid, pad_z: bool) -> Self {
        let [nx, ny, nz] = g.dims;
        let z0 = usize::from(pad_z);
        let dims = [nx + 2, ny + 2, nz + 2 * z0];
        let mut levels = vec![0u32; dims[0] * dims[1] * dims[2]];
        for z in 0..nz {
            for y in 0..ny {
                let src = &g.levels[nx * (y + ny * z)..nx * (y + ny * z) + nx];
                let o = 1 + dims[0] * (y + 1 + dims[1] * (z + z0));
                levels[o..o + nx].copy_from_slice(src);
            }
        }
        Padded {
            levels,
            dims,
            inner: g.dims,
            z0,
        }
    }
    /// Whether a grid needs z padding for these directions.
    fn needs_z(g: &LevelGrid, dirs: &[[isize; 3]]) -> bool {
        g.dims[2] > 1 || dirs.iter().any(|d| d[2] != 0)
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
    /// Padded index of the first voxel of each original row, in original order.
    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        let [px, py, _] = self.dims;
        let [_, ny, nz] = self.inner;
        let z0 = self.z0;
        (0..nz).flat_map(move |z| (0..ny).map(move |y| 1 + px * (y + 1 + py * (z + z0))))
    }
}

/// Symmetric co-occurrence counts (`ng × ng`, row-major, levels 1-based at index 0) for one direction.
pub fn glcm(g: &LevelGrid, d: [isize; 3]) -> Vec<f64> {
    glcm_dirs(g, &[d]).pop().unwrap_or_default()
}

/// Symmetric co-occurrence counts for each direction of `dirs` (as [`glcm`] gives them),
/// counted in one pass over the grid.
pub fn glcm_dirs(g: &LevelGrid, dirs: &[[isize; 3]]) -> Vec<Vec<f64>> {
    let ng = g.ng;
    let ng2 = ng * ng;
    let p = Padded::new(g, Padded::needs_z(g, dirs));
    let offs: Vec<isize> = dirs.iter().map(|&d| p.offset(d)).collect();
    // Ordered pair counts (a, b) per direction; the symmetric matrix is c + cᵀ.
    let mut c = vec![0u32; dirs.len() * ng2];
    // The usual direction counts get a loop with a fixed (unrolled) number of offsets.
    match offs.len() {
        4 => count_pairs::<4>(&p, &offs, g, &mut c),
        13 => count_pairs::<13>(&p, &offs, g, &mut c),
        1 => count_pairs::<1>(&p, &offs, g, &mut c),
        _ => {
            for (k, &o) in offs.iter().enumerate() {
                count_pairs::<1>(&p, &[o], g, &mut c[k * ng2..(k + 1) * ng2]);
            }
        }
    }
    (0..dirs.len())
        .map(|k| {
            let ck = &c[k * ng2..(k + 1) * ng2];
            let mut m = vec![0.0; ng2];
            for a in 0..ng {
                for b in 0..ng {
                    m[a * ng + b] = (ck[a * ng + b] + ck[b * ng + a]) as f64;
                }
            }
            m
        })
        .collect()
}

/// Adds the ordered level pairs (voxel, neighbour at `offs[k]`) of the padded grid to the
/// `ng × ng` block `k` of `c` (`N` = number of offsets).
fn count_pairs<const N: usize>(p: &Padded, offs: &[isize], g: &LevelGrid, c: &mut [u32]) {
    let ng = g.ng;
    let ng2 = ng * ng;
    let offs: [isize; N] = std::array::from_fn(|k| offs[k]);
    let nx = g.dims[0];
    let lv = &p.levels;
    for r in p.rows() {
        for i in r..r + nx {
            let a = lv[i] as usize;
            if a == 0 {
                continue;
            }
            let row = (a - 1) * ng;
            for k in 0..N {
                let b = lv[(i as isize + offs[k]) as usize] as usize;
                if b != 0 {
                    c[k * ng2 + row + b - 1] += 1;
                }
            }
        }
    }
}

/// Run-length counts for one direction: `ng` rows × `max_run` columns (run length 1 at column 0).
pub fn glrlm(g: &LevelGrid, d: [isize; 3]) -> (Vec<f64>, usize) {
    let max_run = g.dims[0].max(g.dims[1]).max(g.dims[2]);
    let counts = run_counts(g, &[d]);
    (counts[0].iter().map(|&c| c as f64).collect(), max_run)
}

/// Run-length counts for each direction of `dirs`, each with only as many columns as its
/// longest run (`(matrix, columns)`; the dropped columns of [`glrlm`]'s matrix hold zeros),
/// found in one pass over the grid.
pub fn glrlm_dirs_trimmed(g: &LevelGrid, dirs: &[[isize; 3]]) -> Vec<(Vec<f64>, usize)> {
    let ng = g.ng;
    let max_run = g.dims[0].max(g.dims[1]).max(g.dims[2]);
    run_counts(g, dirs)
        .into_iter()
        .map(|c| {
            let nj = (0..max_run)
                .rev()
                .find(|&j| (0..ng).any(|i| c[i * max_run + j] != 0))
                .map_or(1, |j| j + 1);
            let mut m = vec![0.0; ng * nj];
            for i in 0..ng {
                for j in 0..nj {
                    m[i * nj + j] = c[i * max_run + j] as f64;
                }
            }
            (m, nj)
        })
        .collect()
}

/// Run-length counts (`ng × max_run`, integer) per direction. In a single slice, runs along x
/// come from the row runs and runs along the other in-plane directions from a row-by-row
/// recurrence (run length so far = predecessor's + 1); otherwise each voxel that starts a run
/// (its predecessor along the direction has another level) walks the run.
fn run_counts(g: &LevelGrid, dirs: &[[isize; 3]]) -> Vec<Vec<u32>> {
    let max_run = g.dims[0].max(g.dims[1]).max(g.dims[2]);
    let ng = g.ng;
    let p = Padded::new(g, Padded::needs_z(g, dirs));
    let nx = g.dims[0];
    let px = p.dims[0];
    let lv = &p.levels;
    let planar = g.dims[2] == 1 && !Padded::needs_z(g, dirs);
    let mut row_runs: Option<RowRuns> = None;
    let mut out = Vec::with_capacity(dirs.len());
    for &d in dirs {
        let mut m = vec![0u32; ng * max_run];
        // A direction and its opposite give the same runs.
        let (dx, dy) = if d[1] < 0 || (d[1] == 0 && d[0] < 0) {
            (-d[0], -d[1])
        } else {
            (d[0], d[1])
        };
        if planar && dy == 0 && dx == 1 {
            let rr = row_runs.get_or_insert_with(|| RowRuns::new(g));
            for run in &rr.runs {
                m[(run.level as usize - 1) * max_run + run.len as usize - 1] += 1;
            }
        } else if planar && dy == 1 && dx.abs() <= 1 {
            // len[x + 1] of a row: length of the run so far ending at (x, y) (meaningless where
            // the level is 0: never read there, as a voxel of level > 0 only continues a run
            // from a predecessor of its own level). Runs end where the successor differs; their
            // matrix cells are gathered branch-free, then counted.
            let mut prev = vec![0u32; px];
            let mut cur = vec![0u32; px];
            let mut ends = vec![0u32; nx];
            let shift = (1 - dx) as usize; // predecessor column in `prev` / `up`, padded
            for r in p.rows() {
                let here = &lv[r..r + nx];
                let up = &lv[r - px - 1 + shift..][..nx];
                let down = &lv[r + px + 1 - shift..][..nx];
                let before = &prev[shift..][..nx];
                for (((c, &l), &u), &b) in cur[1..=nx].iter_mut().zip(here).zip(up).zip(before) {
                    // 1 + b where the predecessor continues the run, else 1 (branch-free).
                    *c = 1 + (b & 0u32.wrapping_sub(u32::from(u == l)));
                }
                let mut k = 0;
                for x in 0..nx {
                    let l = here[x];
                    ends[k] = (l.wrapping_sub(1))
                        .wrapping_mul(max_run as u32)
                        .wrapping_add(cur[x + 1] - 1);
                    k += usize::from((l != 0) & (down[x] != l));
                }
                for &e in &ends[..k] {
                    m[e as usize] += 1;
                }
                std::mem::swap(&mut prev, &mut cur);
            }
        } else {
            let off = p.offset(d);
            for r in p.rows() {
                for i in r..r + nx {
                    let l = lv[i];
                    if l == 0 || lv[(i as isize - off) as usize] == l {
                        continue; // outside, or not the start of a run
                    }
                    let mut len = 1;
                    let mut j = (i as isize + off) as usize;
                    while lv[j] == l {
                        len += 1;
                        j = (j as isize + off) as usize;
                    }
                    m[(l as usize - 1) * max_run + len - 1] += 1;
                }
            }
        }
        out.push(m);
    }
    out
}

/// One run of equal level along x.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// First x.
    x: u32,
    /// Length in voxels.
    len: u32,
    /// Grey level (> 0).
    level: u32,
}

/// The runs of equal level along x of every row (`y`, `z`), rows in storage order.
struct RowRuns {
    runs: Vec<Run>,
    /// Index of each row's first run; one entry per row plus the end.
    row_start: Vec<usize>,
}

impl RowRuns {
    fn new(g: &LevelGrid) -> Self {
        let [nx, ny, nz] = g.dims;
        let mut runs = Vec::new();
        let mut row_start = Vec::with_capacity(ny * nz + 1);
        // Run ends (last x of each run) are gathered branch-free, then turned into runs.
        let mut ends = vec![0u32; nx];
        for row in g.levels.chunks_exact(nx.max(1)).take(ny * nz) {
            row_start.push(runs.len());
            let mut k = 0;
            for x in 0..nx - 1 {
                ends[k] = x as u32;
                k += usize::from(row[x] != row[x + 1]);
            }
            ends[k] = (nx - 1) as u32;
            k += 1;
            let mut start = 0u32;
            for &e in &ends[..k] {
                let l = row[e as usize];
                if l != 0 {
                    runs.push(Run {
                        x: start,
                        len: e + 1 - start,
                        level: l,
                    });
                }
                start = e + 1;
            }
        }
        row_start.push(runs.len());
        RowRuns { runs, row_start }
    }
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
/// distance according to `dist` (one value per voxel), in the order of each zone's first voxel.
pub fn zones(g: &LevelGrid, dist: &[u32]) -> Vec<Zone> {
    let rr = RowRuns::new(g);
    let (zone_of_run, levels) = label_runs(&rr, g.dims);
    let nx = g.dims[0];
    let mut out: Vec<Zone> = levels
        .into_iter()
        .map(|level| Zone {
            level,
            size: 0,
            distance: u32::MAX,
        })
        .collect();
    for row in 0..rr.row_start.len() - 1 {
        for k in rr.row_start[row]..rr.row_start[row + 1] {
            let run = rr.runs[k];
            let z = &mut out[zone_of_run[k] as usize];
            z.size += run.len as usize;
            let i0 = row * nx + run.x as usize;
            for &d in &dist[i0..i0 + run.len as usize] {
                z.distance = z.distance.min(d);
            }
        }
    }
    out
}

/// Connected zones as `(level, size)`, in the order of each zone's first voxel (as [`zones`]
/// gives them, without distances).
pub fn zone_sizes(g: &LevelGrid) -> Vec<(u32, usize)> {
    let rr = RowRuns::new(g);
    let (zone_of_run, levels) = label_runs(&rr, g.dims);
    let mut out: Vec<(u32, usize)> = levels.into_iter().map(|l| (l, 0)).collect();
    for (run, &z) in rr.runs.iter().zip(&zone_of_run) {
        out[z as usize].1 += run.len as usize;
    }
    out
}

/// Finds the root of `x` with path halving.
fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let gp = parent[parent[x as usize] as usize];
        parent[x as usize] = gp;
        x = gp;
    }
    x
}

/// Joins the row runs into zones (8-connected in a single slice, 26-connected in 3D) with
/// union–find over runs: a run touches the runs of the earlier neighbouring rows (y − 1 in its
/// slice; in 3D also y − 1, y, y + 1 of the slice before) that overlap its x range widened by
/// one. Returns each run's zone number, zones numbered in the order of their first voxel, and
/// each zone's level.
fn label_runs(rr: &RowRuns, dims: [usize; 3]) -> (Vec<u32>, Vec<u32>) {
    let [_, ny, nz] = dims;
    let runs = &rr.runs;
    let mut parent: Vec<u32> = (0..runs.len() as u32).collect();
    let nbr_rows: &[(isize, isize)] = if nz == 1 {
        &[(-1, 0)]
    } else {
        &[(-1, 0), (-1, -1), (0, -1), (1, -1)]
    };
    for z in 0..nz {
        for y in 0..ny {
            let row = y + ny * z;
            let (a, b) = (rr.row_start[row], rr.row_start[row + 1]);
            if a == b {
                continue;
            }
            for &(dy, dz) in nbr_rows {
                let (yn, zn) = (y as isize + dy, z as isize + dz);
                if yn < 0 || zn < 0 || yn >= ny as isize {
                    continue;
                }
                let nrow = yn as usize + ny * zn as usize;
                let (mut j, jend) = (rr.row_start[nrow], rr.row_start[nrow + 1]);
                for k in a..b {
                    let r = runs[k];
                    // Neighbour runs touching [r.x − 1, r.x + r.len].
                    while j < jend && runs[j].x + runs[j].len < r.x {
                        j += 1;
                    }
                    let mut q = j;
                    while q < jend && runs[q].x <= r.x + r.len {
                        if runs[q].level == r.level {
                            let (ra, rb) =
                                (find(&mut parent, k as u32), find(&mut parent, q as u32));
                            if ra != rb {
                                // The smaller index (the zone's earlier first run) stays root.
                                let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
                                parent[hi as usize] = lo;
                            }
                        }
                        q += 1;
                    }
                }
            }
        }
    }
    let mut zone_of_root = vec![u32::MAX; runs.len()];
    let mut levels = Vec::new();
    let mut zone_of_run = Vec::with_capacity(runs.len());
    for k in 0..runs.len() {
        let root = find(&mut parent, k as u32) as usize;
        if zone_of_root[root] == u32::MAX {
            zone_of_root[root] = levels.len() as u32;
            levels.push(runs[root].level);
        }
        zone_of_run.push(zone_of_root[root]);
    }
    (zone_of_run, levels)
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
    let (n, s, _) = neighbourhood_pass(g, require_neighbour, None);
    (n, s)
}

/// NGLDM counts: `ng` rows × `max_dep` columns, column k−1 for dependence k = 1 + number of
/// neighbours (Chebyshev 1, in the mask) whose level differs by at most `alpha`.
pub fn ngldm(g: &LevelGrid, alpha: u32) -> (Vec<f64>, usize) {
    neighbourhood_pass(g, false, Some(alpha)).2
}

/// NGTDM per-level counts and difference sums, as [`ngtdm`] returns them.
pub type NgtdmSums = (Vec<f64>, Vec<f64>);
/// A count matrix with its number of columns, as [`ngldm`] and [`glrlm`] return them.
pub type CountMatrix = (Vec<f64>, usize);

/// [`ngtdm`] and [`ngldm`] of the same grid in one pass over the neighbourhoods.
pub fn ngtdm_ngldm(g: &LevelGrid, require_neighbour: bool, alpha: u32) -> (NgtdmSums, CountMatrix) {
    let (n, s, d) = neighbourhood_pass(g, require_neighbour, Some(alpha));
    ((n, s), d)
}

/// NGTDM sums and, with `alpha`, NGLDM counts of a grid. Neighbour counts, sums and similar
/// counts are gathered a row at a time, one neighbour offset after another (loops the compiler
/// vectorises); the per-level sums then run over the voxels in storage order.
fn neighbourhood_pass(
    g: &LevelGrid,
    require_neighbour: bool,
    alpha: Option<u32>,
) -> (Vec<f64>, Vec<f64>, CountMatrix) {
    // Neighbourhood sums fit in u32 unless levels are huge (then u64).
    if (g.ng as u64) * 26 < u32::MAX as u64 {
        neighbourhood_pass_with::<u32>(g, require_neighbour, alpha)
    } else {
        neighbourhood_pass_with::<u64>(g, require_neighbour, alpha)
    }
}

/// [`neighbourhood_pass`] with neighbourhood sums held in `S`.
fn neighbourhood_pass_with<S>(
    g: &LevelGrid,
    require_neighbour: bool,
    alpha: Option<u32>,
) -> (Vec<f64>, Vec<f64>, CountMatrix)
where
    S: Copy + Default + std::ops::Add<Output = S> + From<u32> + Into<u64>,
{
    let planar = g.dims[2] == 1;
    let max_dep = if planar { 9 } else { 27 };
    let mut n = vec![0u32; g.ng];
    let mut s = vec![0.0; g.ng];
    let mut dep = vec![0u32; if alpha.is_some() { g.ng * max_dep } else { 0 }];
    let alpha_v = alpha.unwrap_or(0);
    let p = Padded::new(g, !planar);
    let nb = p.neighbourhood(planar);
    let nx = g.dims[0];
    let lv = &p.levels;
    let mut cnt = vec![0u32; nx];
    let mut sum = vec![S::default(); nx];
    let mut sim = vec![0u32; nx];
    // The difference sum of the level being visited is kept in a register while the level
    // repeats (the same additions in the same order as adding into `s` directly).
    let (mut run_level, mut run_sum) = (0usize, 0.0f64);
    for r in p.rows() {
        let cur = &lv[r..r + nx];
        cnt.fill(0);
        sum.fill(S::default());
        sim.fill(0);
        for &o in &nb {
            let nbr = &lv[(r as isize + o) as usize..][..nx];
            for (((c, sm), si), (&lj, &l)) in cnt
                .iter_mut()
                .zip(sum.iter_mut())
                .zip(sim.iter_mut())
                .zip(nbr.iter().zip(cur))
            {
                let inside = u32::from(lj > 0);
                *c += inside;
                *sm = *sm + S::from(lj);
                *si += inside & u32::from(lj.abs_diff(l) <= alpha_v);
            }
        }
        for x in 0..nx {
            let l = cur[x];
            if l == 0 {
                continue;
            }
            let li = l as usize - 1;
            if alpha.is_some() {
                dep[li * max_dep + sim[x] as usize] += 1;
            }
            if cnt[x] == 0 {
                if !require_neighbour {
                    n[li] += 1;
                }
                continue;
            }
            n[li] += 1;
            let d = (l as f64 - sum[x].into() as f64 / cnt[x] as f64).abs();
            if li != run_level {
                s[run_level] = run_sum;
                run_level = li;
                run_sum = s[li];
            }
            run_sum += d;
        }
    }
    if !s.is_empty() {
        s[run_level] = run_sum;
    }
    let n = n.into_iter().map(|c| c as f64).collect();
    let dep = dep.into_iter().map(|c| c as f64).collect();
    (n, s, (dep, max_dep))
}

#[cfg(test)]
mod tests {
    //! The fast kernels against direct transcriptions of the matrix definitions, on random
    //! grids with few grey levels and holes (level 0), in one slice and in 3D.
    use super::*;

    fn random_grid(dims: [usize; 3], ng: u32, seed: u64) -> LevelGrid {
        let mut state = seed | 1;
        let n = dims[0] * dims[1] * dims[2];
        let mut prev = 0u32;
        let levels = (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Runs and zones of some size: keep the previous level half of the time.
                if state % 2 == 1 {
                    prev = ((state >> 1) % (ng as u64 + 1)) as u32;
                }
                prev
            })
            .collect();
        LevelGrid {
            levels,
            dims,
            ng: ng as usize,
        }
    }

    fn at(g: &LevelGrid, x: isize, y: isize, z: isize) -> u32 {
        let [nx, ny, nz] = g.dims;
        if x < 0 || y < 0 || z < 0 || x >= nx as isize || y >= ny as isize || z >= nz as isize {
            0
        } else {
            g.levels[x as usize + nx * (y as usize + ny * z as usize)]
        }
    }

    fn coords(g: &LevelGrid) -> Vec<(isize, isize, isize)> {
        let [nx, ny, nz] = g.dims;
        let mut v = Vec::new();
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    v.push((x as isize, y as isize, z as isize));
                }
            }
        }
        v
    }

    fn grids() -> Vec<LevelGrid> {
        vec![
            random_grid([23, 17, 1], 3, 7),
            random_grid([40, 9, 1], 1, 11),
            random_grid([1, 30, 1], 4, 13),
            random_grid([9, 8, 7], 2, 17),
            random_grid([12, 5, 4], 5, 19),
        ]
    }

    #[test]
    fn glcm_counts_every_ordered_pair_both_ways() {
        for g in grids() {
            let dirs: &[[isize; 3]] = if g.dims[2] == 1 { &DIRS_2D } else { &DIRS_3D };
            let fast = glcm_dirs(&g, dirs);
            for (k, d) in dirs.iter().enumerate() {
                let mut want = vec![0.0; g.ng * g.ng];
                for (x, y, z) in coords(&g) {
                    let (a, b) = (at(&g, x, y, z), at(&g, x + d[0], y + d[1], z + d[2]));
                    if a > 0 && b > 0 {
                        want[(a as usize - 1) * g.ng + b as usize - 1] += 1.0;
                        want[(b as usize - 1) * g.ng + a as usize - 1] += 1.0;
                    }
                }
                assert_eq!(fast[k], want, "dims {:?} direction {d:?}", g.dims);
                assert_eq!(glcm(&g, *d), want);
            }
        }
    }

    #[test]
    fn run_lengths_match_walking_each_maximal_run() {
        for g in grids() {
            let dirs: &[[isize; 3]] = if g.dims[2] == 1 { &DIRS_2D } else { &DIRS_3D };
            let max_run = g.dims[0].max(g.dims[1]).max(g.dims[2]);
            let trimmed = glrlm_dirs_trimmed(&g, dirs);
            for (k, d) in dirs.iter().enumerate() {
                let mut want = vec![0.0; g.ng * max_run];
                for (x, y, z) in coords(&g) {
                    let l = at(&g, x, y, z);
                    if l == 0 || at(&g, x - d[0], y - d[1], z - d[2]) == l {
                        continue;
                    }
                    let mut len = 1;
                    while at(
                        &g,
                        x + len as isize * d[0],
                        y + len as isize * d[1],
                        z + len as isize * d[2],
                    ) == l
                    {
                        len += 1;
                    }
                    want[(l as usize - 1) * max_run + len - 1] += 1.0;
                }
                assert_eq!(glrlm(&g, *d), (want.clone(), max_run), "direction {d:?}");
                let (m, nj) = &trimmed[k];
                for i in 0..g.ng {
                    for j in 0..max_run {
                        let got = if j < *nj { m[i * nj + j] } else { 0.0 };
                        assert_eq!(got, want[i * max_run + j]);
                    }
                }
            }
        }
    }

    #[test]
    fn zones_match_a_flood_fill_in_first_voxel_order() {
        for g in grids() {
            let planar = g.dims[2] == 1;
            let all = coords(&g);
            let index = |x: isize, y: isize, z: isize| {
                x as usize + g.dims[0] * (y as usize + g.dims[1] * z as usize)
            };
            let dist: Vec<u32> = (0..all.len() as u32).map(|k| (k * 7919) % 13).collect();
            let mut seen = vec![false; all.len()];
            let mut want = Vec::new();
            for &(x, y, z) in &all {
                let l = at(&g, x, y, z);
                if l == 0 || seen[index(x, y, z)] {
                    continue;
                }
                let (mut size, mut dmin) = (0, u32::MAX);
                let mut stack = vec![(x, y, z)];
                seen[index(x, y, z)] = true;
                while let Some((a, b, c)) = stack.pop() {
                    size += 1;
                    dmin = dmin.min(dist[index(a, b, c)]);
                    for dz in if planar { 0..=0 } else { -1..=1 } {
                        for dy in -1..=1 {
                            for dx in -1..=1 {
                                let (p, q, r) = (a + dx, b + dy, c + dz);
                                if at(&g, p, q, r) == l && !seen[index(p, q, r)] {
                                    seen[index(p, q, r)] = true;
                                    stack.push((p, q, r));
                                }
                            }
                        }
                    }
                }
                want.push((l, size, dmin));
            }
            let got: Vec<(u32, usize, u32)> = zones(&g, &dist)
                .iter()
                .map(|z| (z.level, z.size, z.distance))
                .collect();
            assert_eq!(got, want, "dims {:?}", g.dims);
            let sizes: Vec<(u32, usize)> = want.iter().map(|w| (w.0, w.1)).collect();
            assert_eq!(zone_sizes(&g), sizes);
        }
    }

    #[test]
    fn neighbourhood_matrices_match_their_definitions() {
        for g in grids() {
            let planar = g.dims[2] == 1;
            for alpha in [0u32, 1] {
                let mut n = vec![0.0; g.ng];
                let mut s = vec![0.0; g.ng];
                let max_dep = if planar { 9 } else { 27 };
                let mut dep = vec![0.0; g.ng * max_dep];
                for (x, y, z) in coords(&g) {
                    let l = at(&g, x, y, z);
                    if l == 0 {
                        continue;
                    }
                    let (mut cnt, mut sum, mut similar) = (0u32, 0u64, 0usize);
                    for dz in if planar { 0..=0 } else { -1..=1 } {
                        for dy in -1..=1 {
                            for dx in -1..=1 {
                                let lj = at(&g, x + dx, y + dy, z + dz);
                                if (dx, dy, dz) != (0, 0, 0) && lj > 0 {
                                    cnt += 1;
                                    sum += lj as u64;
                                    similar += usize::from(lj.abs_diff(l) <= alpha);
                                }
                            }
                        }
                    }
                    let li = l as usize - 1;
                    dep[li * max_dep + similar] += 1.0;
                    n[li] += 1.0;
                    if cnt > 0 {
                        s[li] += (l as f64 - sum as f64 / cnt as f64).abs();
                    }
                }
                assert_eq!(ngldm(&g, alpha), (dep.clone(), max_dep));
                let ((fast_n, fast_s), fast_dep) = ngtdm_ngldm(&g, false, alpha);
                assert_eq!(fast_dep, (dep, max_dep));
                assert_eq!(fast_n, n);
                // Same additions in the same order: bitwise equal.
                assert_eq!(fast_s, s);
                assert_eq!(ngtdm(&g, false), (n, s));
            }
        }
    }
}
