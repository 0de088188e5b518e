//! The PyRadiomics-compatible preset: PyRadiomics 3.1 feature definitions, binning and names
//! (`original_glcm_Contrast`).

use crate::ibsi::Raw;
use crate::intensity::{firstorder_pyradiomics, FIRSTORDER_PYR};
use crate::mesh;
use crate::preprocess::Roi;
use crate::settings::{Family, Settings};
use crate::texture::formulas::{
    glcm_pyradiomics, ngtdm_features, zone_like, zone_like_sparse, GLCM_PYR, PYR_EPS,
};
use crate::texture::matrices::{self, LevelGrid, DIRS_2D, DIRS_3D};

const GLRLM: [&str; 16] = [
    "ShortRunEmphasis",
    "LongRunEmphasis",
    "LowGrayLevelRunEmphasis",
    "HighGrayLevelRunEmphasis",
    "ShortRunLowGrayLevelEmphasis",
    "ShortRunHighGrayLevelEmphasis",
    "LongRunLowGrayLevelEmphasis",
    "LongRunHighGrayLevelEmphasis",
    "GrayLevelNonUniformity",
    "GrayLevelNonUniformityNormalized",
    "RunLengthNonUniformity",
    "RunLengthNonUniformityNormalized",
    "RunPercentage",
    "GrayLevelVariance",
    "RunVariance",
    "RunEntropy",
];
const GLSZM: [&str; 16] = [
    "SmallAreaEmphasis",
    "LargeAreaEmphasis",
    "LowGrayLevelZoneEmphasis",
    "HighGrayLevelZoneEmphasis",
    "SmallAreaLowGrayLevelEmphasis",
    "SmallAreaHighGrayLevelEmphasis",
    "LargeAreaLowGrayLevelEmphasis",
    "LargeAreaHighGrayLevelEmphasis",
    "GrayLevelNonUniformity",
    "GrayLevelNonUniformityNormalized",
    "SizeZoneNonUniformity",
    "SizeZoneNonUniformityNormalized",
    "ZonePercentage",
    "GrayLevelVariance",
    "ZoneVariance",
    "ZoneEntropy",
];
/// GLDM names with their index in the zone-like feature vector.
const GLDM: [(usize, &str); 14] = [
    (0, "SmallDependenceEmphasis"),
    (1, "LargeDependenceEmphasis"),
    (2, "LowGrayLevelEmphasis"),
    (3, "HighGrayLevelEmphasis"),
    (4, "SmallDependenceLowGrayLevelEmphasis"),
    (5, "SmallDependenceHighGrayLevelEmphasis"),
    (6, "LargeDependenceLowGrayLevelEmphasis"),
    (7, "LargeDependenceHighGrayLevelEmphasis"),
    (8, "GrayLevelNonUniformity"),
    (10, "DependenceNonUniformity"),
    (11, "DependenceNonUniformityNormalized"),
    (13, "GrayLevelVariance"),
    (14, "DependenceVariance"),
    (15, "DependenceEntropy"),
];
const NGTDM: [&str; 5] = [
    "Coarseness",
    "Contrast",
    "Busyness",
    "Complexity",
    "Strength",
];

fn nanmean<const N: usize>(vs: &[[f64; N]]) -> [f64; N] {
    let mut out = [f64::NAN; N];
    for (k, o) in out.iter_mut().enumerate() {
        let vals: Vec<f64> = vs.iter().map(|v| v[k]).filter(|v| !v.is_nan()).collect();
        if !vals.is_empty() {
            *o = vals.iter().sum::<f64>() / vals.len() as f64;
        }
    }
    out
}

/// All PyRadiomics classes requested in `settings`, for an image with `image_nz` slices.
pub(crate) fn extract(
    roi: &Roi,
    grid: &LevelGrid,
    image_nz: usize,
    settings: &Settings,
    out: &mut Vec<Raw>,
) {
    let pre = &settings.pyradiomics.prefix;
    let fam = |f: Family| settings.families.contains(&f);
    let name = |class: &str, f: &str| format!("{pre}_{class}_{f}");
    let why = "undefined for this ROI (PyRadiomics gives no value: empty ROI or matrix)";
    let push = |out: &mut Vec<Raw>, n: String, v: f64| {
        out.push(Raw {
            name: n,
            value: v,
            why,
        })
    };
    let sp = roi.spacing;
    if fam(Family::Statistics) {
        let f = firstorder_pyradiomics(
            &roi.intensities(),
            &grid.levels,
            sp[0] * sp[1] * sp[2],
            settings.pyradiomics.voxel_array_shift,
        );
        for (n, v) in FIRSTORDER_PYR.iter().zip(f) {
            if *n != "StandardDeviation" {
                push(out, name("firstorder", n), v);
            }
        }
    }
    if fam(Family::Morphology) && image_nz > 1 {
        shape3d(roi, &|n, v| (name("shape", n), v), out, why);
    }
    if fam(Family::Shape2d) && roi.dims[2] == 1 && (image_nz == 1 || settings.pyradiomics.force2d) {
        shape2d(roi, &|n, v| (name("shape2D", n), v), out, why);
    }
    // Angles as PyRadiomics generates them: none along an axis where the ROI box has size 1.
    let planar = settings.pyradiomics.force2d || image_nz == 1;
    let base: &[[isize; 3]] = if planar { &DIRS_2D } else { &DIRS_3D };
    let dirs: Vec<[isize; 3]> = base
        .iter()
        .copied()
        .filter(|d| (0..3).all(|k| d[k] == 0 || roi.dims[k] > 1))
        .collect();
    // Texture matrices over the grey levels present only (as PyRadiomics deletes empty levels):
    // compact indices 1..=K, with `vals` giving each index's grey level.
    let ng_max = grid.ng;
    let orig = grid;
    let mut present = vec![false; ng_max + 1];
    for &l in &grid.levels {
        present[l as usize] = true;
    }
    let vals: Vec<f64> = (1..=ng_max)
        .filter(|&l| present[l])
        .map(|l| l as f64)
        .collect();
    let mut index = vec![0u32; ng_max + 1];
    for (k, &v) in vals.iter().enumerate() {
        index[v as usize] = k as u32 + 1;
    }
    let compact = LevelGrid {
        levels: grid.levels.iter().map(|&l| index[l as usize]).collect(),
        dims: grid.dims,
        ng: vals.len().max(1),
    };
    let grid = &compact;
    let vals = if vals.is_empty() { vec![1.0] } else { vals };
    // Units over which neighbourhoods are taken: whole volume, or each slice with force2D.
    // NGTDM and NGLDM work on the grey-level values themselves, so they use the original grid.
    let slices: Vec<LevelGrid> = if planar && orig.dims[2] > 1 {
        (0..orig.dims[2]).map(|z| orig.slice(z)).collect()
    } else {
        Vec::new()
    };
    let units: Vec<&LevelGrid> = if slices.is_empty() {
        vec![orig]
    } else {
        slices.iter().collect()
    };
    let orig_vals: Vec<f64> = (1..=ng_max).map(|v| v as f64).collect();
    if fam(Family::Glcm) {
        let per: Vec<[f64; 24]> = matrices::glcm_dirs(grid, &dirs)
            .iter()
            .map(|m| glcm_pyradiomics(m, &vals, ng_max))
            .collect();
        let f = nanmean(&per);
        for (n, v) in GLCM_PYR.iter().zip(f) {
            push(out, name("glcm", n), v);
        }
    }
    if fam(Family::Glrlm) {
        let nv = grid.count() as f64;
        let per: Vec<[f64; 17]> = matrices::glrlm_dirs_trimmed(grid, &dirs)
            .iter()
            .map(|(m, nj)| zone_like(m, &vals, *nj, nv, PYR_EPS))
            .collect();
        let f = nanmean(&per);
        for (n, v) in GLRLM.iter().zip(f) {
            push(out, name("glrlm", n), v);
        }
    }
    if fam(Family::Glszm) {
        // The size-zone matrix is as wide as the largest zone: kept sparse, in storage order.
        let mut sizes: Vec<(usize, usize)> = Vec::new();
        for u in &units {
            sizes.extend(
                matrices::zone_sizes(u)
                    .iter()
                    .map(|&(l, size)| (index[l as usize] as usize - 1, size - 1)),
            );
        }
        sizes.sort_unstable();
        let mut entries: Vec<(usize, usize, f64)> = Vec::new();
        for (i, j) in sizes {
            match entries.last_mut() {
                Some(e) if (e.0, e.1) == (i, j) => e.2 += 1.0,
                _ => entries.push((i, j, 1.0)),
            }
        }
        let f = zone_like_sparse(&entries, &vals, grid.count() as f64, PYR_EPS);
        for (n, v) in GLSZM.iter().zip(f) {
            push(out, name("glszm", n), v);
        }
    }
    // NGTDM and GLDM share one pass over the neighbourhoods of each unit.
    let (want_ngtdm, want_gldm) = (fam(Family::Ngtdm), fam(Family::Ngldm));
    let mut nsum = vec![0.0; ng_max];
    let mut ssum = vec![0.0; ng_max];
    let mut acc: Vec<f64> = Vec::new();
    let mut nj = 0;
    if want_ngtdm || want_gldm {
        for u in &units {
            let ((n, s), (m, j)) = matrices::ngtdm_ngldm(u, false, settings.ngldm_alpha);
            for k in 0..ng_max {
                nsum[k] += n[k];
                ssum[k] += s[k];
            }
            nj = j;
            if acc.is_empty() {
                acc = m;
            } else {
                for (a, b) in acc.iter_mut().zip(&m) {
                    *a += b;
                }
            }
        }
    }
    if want_gldm {
        let f = zone_like(&acc, &orig_vals, nj, orig.count() as f64, PYR_EPS);
        for (k, n) in GLDM {
            push(out, name("gldm", n), f[k]);
        }
    }
    if want_ngtdm {
        let f = ngtdm_features(&nsum, &ssum, true);
        for (n, v) in NGTDM.iter().zip(f) {
            push(out, name("ngtdm", n), v);
        }
    }
}

type Namer<'a> = dyn Fn(&str, f64) -> (String, f64) + 'a;

/// PCA eigenvalues (ascending) of voxel positions given as `coords` (physical units).
fn pca(coords: &[[f64; 3]], dim: usize) -> Vec<f64> {
    let n = coords.len() as f64;
    let mut mean = vec![0.0; dim];
    for c in coords {
        for d in 0..dim {
            mean[d] += c[d] / n;
        }
    }
    let mut cov = vec![0.0; dim * dim];
    for c in coords {
        for r in 0..dim {
            for k in 0..dim {
                cov[r * dim + k] += (c[r] - mean[r]) * (c[k] - mean[k]) / n;
            }
        }
    }
    let mut ev = crate::linalg::sym_eigenvalues(&cov, dim);
    for e in ev.iter_mut() {
        if *e < 0.0 && *e > -1e-10 {
            *e = 0.0;
        }
    }
    ev.sort_by(|a, b| a.total_cmp(b));
    ev
}

fn shape3d(roi: &Roi, name: &Namer<'_>, out: &mut Vec<Raw>, why: &'static str) {
    let sp = roi.spacing;
    let m = mesh::mesh3d(&roi.morph, roi.dims, sp);
    let d = mesh::diameters(&m.vertices);
    let [nx, ny, _] = roi.dims;
    let coords: Vec<[f64; 3]> = roi
        .morph
        .iter()
        .enumerate()
        .filter(|(_, &b)| b)
        .map(|(i, _)| {
            [
                (i / (nx * ny)) as f64 * sp[2],
                ((i / nx) % ny) as f64 * sp[1],
                (i % nx) as f64 * sp[0],
            ]
        })
        .collect();
    let np = coords.len() as f64;
    let ev = pca(&coords, 3);
    let (v, a) = (m.volume, m.area);
    let pi = std::f64::consts::PI;
    let vals = [
        ("MeshVolume", v),
        ("VoxelVolume", np * sp[0] * sp[1] * sp[2]),
        ("SurfaceArea", a),
        ("SurfaceVolumeRatio", a / v),
        ("Sphericity", (36.0 * pi * v * v).cbrt() / a),
        ("Maximum3DDiameter", d[3]),
        ("Maximum2DDiameterSlice", d[0]),
        ("Maximum2DDiameterColumn", d[1]),
        ("Maximum2DDiameterRow", d[2]),
        ("MajorAxisLength", ev[2].sqrt() * 4.0),
        ("MinorAxisLength", ev[1].sqrt() * 4.0),
        ("LeastAxisLength", ev[0].sqrt() * 4.0),
        ("Elongation", (ev[1] / ev[2]).sqrt()),
        ("Flatness", (ev[0] / ev[2]).sqrt()),
    ];
    for (n, v) in vals {
        let (n, v) = name(n, v);
        out.push(Raw {
            name: n,
            value: v,
            why,
        });
    }
}

fn shape2d(roi: &Roi, name: &Namer<'_>, out: &mut Vec<Raw>, why: &'static str) {
    let sp = roi.spacing;
    let [nx, ny, _] = roi.dims;
    let m = mesh::mesh2d(&roi.morph, nx, ny, [sp[0], sp[1]]);
    let coords: Vec<[f64; 3]> = roi
        .morph
        .iter()
        .enumerate()
        .filter(|(_, &b)| b)
        .map(|(i, _)| [(i / nx) as f64 * sp[1], (i % nx) as f64 * sp[0], 0.0])
        .collect();
    let np = coords.len() as f64;
    let ev = pca(&coords, 2);
    let pi = std::f64::consts::PI;
    let vals = [
        ("MeshSurface", m.area),
        ("PixelSurface", np * sp[0] * sp[1]),
        ("Perimeter", m.perimeter),
        ("PerimeterSurfaceRatio", m.perimeter / m.area),
        ("Sphericity", 2.0 * (pi * m.area).sqrt() / m.perimeter),
        ("MaximumDiameter", m.diameter),
        ("MajorAxisLength", ev[1].sqrt() * 4.0),
        ("MinorAxisLength", ev[0].sqrt() * 4.0),
        ("Elongation", (ev[0] / ev[1]).sqrt()),
    ];
    for (n, v) in vals {
        let (n, v) = name(n, v);
        out.push(Raw {
            name: n,
            value: v,
            why,
        });
    }
}
