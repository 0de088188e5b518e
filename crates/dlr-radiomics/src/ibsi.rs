//! IBSI-1 feature families with the IBSI reference-table tags as names.

use crate::intensity;
use crate::mesh;
use crate::preprocess::Roi;
use crate::settings::{Aggregation, Discretisation, Family, Settings};
use crate::texture::formulas::{glcm_ibsi, ngtdm_features, zone_like, GLCM_IBSI};
use crate::texture::matrices::{self, LevelGrid, DIRS_2D, DIRS_3D};
use dlr_image::Image;

/// A computed value with the reason to give when it is not finite.
pub(crate) struct Raw {
    pub name: String,
    pub value: f64,
    pub why: &'static str,
}

fn push(out: &mut Vec<Raw>, name: impl Into<String>, value: f64, why: &'static str) {
    out.push(Raw {
        name: name.into(),
        value,
        why,
    });
}

/// Morphology (3D mesh-based) features.
pub(crate) fn morphology(roi: &Roi, out: &mut Vec<Raw>) {
    let why = "undefined for this ROI (empty, flat or degenerate shape)";
    let sp = roi.spacing;
    let mesh = mesh::mesh3d(&roi.morph, roi.dims, sp);
    let v = mesh.volume.abs();
    let a = mesh.area;
    let nvox = roi.morph.iter().filter(|&&m| m).count() as f64;
    push(out, "morph_volume", v, why);
    push(out, "morph_vol_approx", nvox * sp[0] * sp[1] * sp[2], why);
    push(out, "morph_area_mesh", a, why);
    push(out, "morph_av", a / v, why);
    let pi = std::f64::consts::PI;
    push(out, "morph_comp_1", v / (pi.sqrt() * a.powf(1.5)), why);
    push(out, "morph_comp_2", 36.0 * pi * v * v / a.powi(3), why);
    let sph = (36.0 * pi * v * v).cbrt();
    push(out, "morph_sph_dispr", a / sph, why);
    push(out, "morph_sphericity", sph / a, why);
    push(
        out,
        "morph_asphericity",
        (a.powi(3) / (36.0 * pi * v * v)).cbrt() - 1.0,
        why,
    );
    // Positions of voxel centres (mm).
    let [nx, ny, _] = roi.dims;
    let pos = |i: usize| {
        let x = i % nx;
        let y = (i / nx) % ny;
        let z = i / (nx * ny);
        [x as f64 * sp[0], y as f64 * sp[1], z as f64 * sp[2]]
    };
    let mut gc = [0.0; 3];
    for (i, _) in roi.morph.iter().enumerate().filter(|(_, &m)| m) {
        let p = pos(i);
        for d in 0..3 {
            gc[d] += p[d] / nvox;
        }
    }
    let mut ic = [0.0; 3];
    let mut isum = 0.0;
    for (i, _) in roi.imask.iter().enumerate().filter(|(_, &m)| m) {
        let p = pos(i);
        for d in 0..3 {
            ic[d] += p[d] * roi.values[i];
        }
        isum += roi.values[i];
    }
    let com = ((0..3).map(|d| (gc[d] - ic[d] / isum).powi(2)).sum::<f64>()).sqrt();
    push(out, "morph_com", com, why);
    let diam = mesh::diameters(&mesh.vertices);
    push(out, "morph_diam", diam[3], why);
    // PCA of voxel positions (sample covariance, N − 1, as the IBSI reference values use).
    let mut cov = [0.0; 9];
    for (i, _) in roi.morph.iter().enumerate().filter(|(_, &m)| m) {
        let p = pos(i);
        for r in 0..3 {
            for c in 0..3 {
                cov[r * 3 + c] += (p[r] - gc[r]) * (p[c] - gc[c]) / (nvox - 1.0);
            }
        }
    }
    let mut ev = crate::linalg::sym_eigenvalues(&cov, 3);
    ev.sort_by(|a, b| b.total_cmp(a));
    let ev: Vec<f64> = ev.iter().map(|&e| e.max(0.0)).collect();
    push(out, "morph_pca_maj_axis", 4.0 * ev[0].sqrt(), why);
    push(out, "morph_pca_min_axis", 4.0 * ev[1].sqrt(), why);
    push(out, "morph_pca_least_axis", 4.0 * ev[2].sqrt(), why);
    push(out, "morph_pca_elongation", (ev[1] / ev[0]).sqrt(), why);
    push(out, "morph_pca_flatness", (ev[2] / ev[0]).sqrt(), why);
    // Axis-aligned bounding box of the mesh.
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in &mesh.vertices {
        for d in 0..3 {
            lo[d] = lo[d].min(p[d]);
            hi[d] = hi[d].max(p[d]);
        }
    }
    let e = [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]];
    push(out, "morph_vol_dens_aabb", v / (e[0] * e[1] * e[2]), why);
    push(
        out,
        "morph_area_dens_aabb",
        a / (2.0 * (e[0] * e[1] + e[1] * e[2] + e[0] * e[2])),
        why,
    );
    let (ea, eb, ec) = (2.0 * ev[0].sqrt(), 2.0 * ev[1].sqrt(), 2.0 * ev[2].sqrt());
    push(
        out,
        "morph_vol_dens_aee",
        v / (4.0 * pi * ea * eb * ec / 3.0),
        why,
    );
    push(
        out,
        "morph_area_dens_aee",
        a / ellipsoid_area(ea, eb, ec),
        why,
    );
    // Convex hull of the mesh vertices (on the half-voxel lattice, `[z, y, x]` like the mesh).
    let unit = [sp[2] / 2.0, sp[1] / 2.0, sp[0] / 2.0];
    let (hv, ha) =
        mesh::hull::lattice_hull_volume_area(&mesh.vertices, unit).unwrap_or((f64::NAN, f64::NAN));
    let why_hull = "undefined: the mesh vertices have no 3D convex hull (empty or degenerate ROI)";
    push(out, "morph_vol_dens_conv_hull", v / hv, why_hull);
    push(out, "morph_area_dens_conv_hull", a / ha, why_hull);
    let xs = roi.intensities();
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    push(out, "morph_integ_int", mean * v, why);
    let (moran, geary) = if xs.len() <= MORAN_MAX_VOXELS {
        moran_geary(roi)
    } else {
        (f64::NAN, f64::NAN)
    };
    let why_big = "Moran's I / Geary's C skipped: ROI has more than 200000 voxels (all-pairs cost)";
    push(out, "morph_moran_i", moran, why_big);
    push(out, "morph_geary_c", geary, why_big);
}

/// Largest intensity mask for which Moran's I and Geary's C (all voxel pairs) are computed.
pub const MORAN_MAX_VOXELS: usize = 200_000;

/// Ellipsoid surface area by the Legendre series of the IBSI manual (20 terms).
fn ellipsoid_area(a: f64, b: f64, c: f64) -> f64 {
    let pi = std::f64::consts::PI;
    let alpha = (1.0 - (b * b) / (a * a)).max(0.0).sqrt();
    let beta = (1.0 - (c * c) / (a * a)).max(0.0).sqrt();
    let ab = alpha * beta;
    if ab < 1e-12 {
        return 4.0 * pi * a * b;
    }
    let x = (alpha * alpha + beta * beta) / (2.0 * ab);
    // Legendre polynomials P_nu(x) by the three-term recurrence.
    let (mut p0, mut p1) = (1.0, x);
    let mut sum = 1.0; // nu = 0: (ab)^0 / (1 - 0) * P_0 = 1
    let mut abn = 1.0;
    for nu in 1..=20usize {
        abn *= ab;
        let pnu = if nu == 1 {
            p1
        } else {
            let p2 = ((2 * nu - 1) as f64 * x * p1 - (nu - 1) as f64 * p0) / nu as f64;
            p0 = p1;
            p1 = p2;
            p2
        };
        sum += abn * pnu / (1.0 - 4.0 * (nu * nu) as f64);
    }
    4.0 * pi * a * b * sum
}

/// Moran's I and Geary's C with inverse-distance weights over the intensity mask.
fn moran_geary(roi: &Roi) -> (f64, f64) {
    let [nx, ny, _] = roi.dims;
    let sp = roi.spacing;
    let pts: Vec<([f64; 3], f64)> = roi
        .imask
        .iter()
        .enumerate()
        .filter(|(_, &m)| m)
        .map(|(i, _)| {
            let x = i % nx;
            let y = (i / nx) % ny;
            let z = i / (nx * ny);
            (
                [x as f64 * sp[0], y as f64 * sp[1], z as f64 * sp[2]],
                roi.values[i],
            )
        })
        .collect();
    let n = pts.len();
    if n < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mean = pts.iter().map(|p| p.1).sum::<f64>() / n as f64;
    let denom: f64 = pts.iter().map(|p| (p.1 - mean).powi(2)).sum();
    // Row sums in parallel, combined in index order: deterministic for any thread count.
    use rayon::prelude::*;
    let rows: Vec<[f64; 3]> = (0..n)
        .into_par_iter()
        .map(|i| {
            let (pi, vi) = pts[i];
            let ai = vi - mean;
            let (mut w, mut mi, mut gc) = (0.0, 0.0, 0.0);
            for &(pj, vj) in &pts[..i] {
                let d2 =
                    (pi[0] - pj[0]).powi(2) + (pi[1] - pj[1]).powi(2) + (pi[2] - pj[2]).powi(2);
                let wij = 1.0 / d2.sqrt();
                w += wij;
                mi += wij * (vj - mean);
                gc += wij * (vi - vj).powi(2);
            }
            [2.0 * w, 2.0 * ai * mi, 2.0 * gc]
        })
        .collect();
    let (mut w, mut mi, mut gc) = (0.0, 0.0, 0.0);
    for r in &rows {
        w += r[0];
        mi += r[1];
        gc += r[2];
    }
    if denom == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let nf = n as f64;
    (nf / w * mi / denom, (nf - 1.0) / (2.0 * w) * gc / denom)
}

/// Local and global intensity peaks (mean in a 1 cm³ sphere around the voxel, over all image
/// voxels). `roi_origin` is the bounding-box corner of the ROI in the image.
pub(crate) fn local_intensity(
    image: &Image,
    roi: &Roi,
    roi_origin: [usize; 3],
    round: bool,
    out: &mut Vec<Raw>,
) {
    let why = "undefined for an empty ROI";
    let sp = image.spacing;
    let r = (3.0 * 1000.0 / (4.0 * std::f64::consts::PI)).cbrt();
    let dims = image.dims();
    let ext = [
        (r / sp[0]).floor() as isize,
        (r / sp[1]).floor() as isize,
        (r / sp[2]).floor() as isize,
    ];
    let mut offsets = Vec::new();
    for dz in -ext[2]..=ext[2] {
        for dy in -ext[1]..=ext[1] {
            for dx in -ext[0]..=ext[0] {
                let d2 = (dx as f64 * sp[0]).powi(2)
                    + (dy as f64 * sp[1]).powi(2)
                    + (dz as f64 * sp[2]).powi(2);
                if d2 <= r * r + 1e-9 {
                    offsets.push([dx, dy, dz]);
                }
            }
        }
    }
    let val = |x: isize, y: isize, z: isize| -> Option<f64> {
        if x < 0
            || y < 0
            || z < 0
            || x >= dims[0] as isize
            || y >= dims[1] as isize
            || z >= dims[2] as isize
        {
            return None;
        }
        let v = image.get(x as usize, y as usize, z as usize) as f64;
        let v = if round { v.round() } else { v };
        (!v.is_nan()).then_some(v)
    };
    let mean_at = |x: isize, y: isize, z: isize| {
        let (mut s, mut c) = (0.0, 0.0);
        for o in &offsets {
            if let Some(v) = val(x + o[0], y + o[1], z + o[2]) {
                s += v;
                c += 1.0;
            }
        }
        s / c
    };
    let [nx, ny, _] = roi.dims;
    let vmax = roi
        .intensities()
        .into_iter()
        .fold(f64::NEG_INFINITY, f64::max);
    let (mut local, mut global) = (f64::NAN, f64::NAN);
    for (i, _) in roi.imask.iter().enumerate().filter(|(_, &m)| m) {
        let x = (i % nx + roi_origin[0]) as isize;
        let y = ((i / nx) % ny + roi_origin[1]) as isize;
        let z = (i / (nx * ny) + roi_origin[2]) as isize;
        let m = mean_at(x, y, z);
        if roi.values[i] == vmax && (local.is_nan() || m > local) {
            local = m;
        }
        if global.is_nan() || m > global {
            global = m;
        }
    }
    push(out, "loc_peak_loc", local, why);
    push(out, "loc_peak_glob", global, why);
}

/// Intensity-based statistics.
pub(crate) fn statistics(roi: &Roi, out: &mut Vec<Raw>) {
    let s = intensity::statistics(&roi.intensities());
    for (n, v) in intensity::STAT_NAMES.iter().zip(s) {
        push(
            out,
            format!("stat_{n}"),
            v,
            "undefined for this ROI (empty, or zero variance/mean)",
        );
    }
}

/// Intensity histogram on the discretised levels.
pub(crate) fn intensity_histogram(grid: &LevelGrid, out: &mut Vec<Raw>) {
    let why = "undefined for this ROI (empty, or zero variance/mean)";
    let levels: Vec<u32> = grid.levels.iter().copied().filter(|&l| l > 0).collect();
    let xs: Vec<f64> = levels.iter().map(|&l| l as f64).collect();
    let s = intensity::statistics(&xs);
    let e = intensity::histogram_extras(&levels, grid.ng);
    for (k, (n, v)) in intensity::STAT_NAMES.iter().zip(s).enumerate() {
        if k >= 16 {
            break; // no energy / RMS in the histogram family
        }
        push(out, format!("ih_{n}"), v, why);
        if *n == "max" {
            push(out, "ih_mode", e[0], why);
        }
    }
    let names = [
        "ih_entropy",
        "ih_uniformity",
        "ih_max_grad",
        "ih_max_grad_g",
        "ih_min_grad",
        "ih_min_grad_g",
    ];
    for (n, v) in names.iter().zip(&e[1..]) {
        push(out, *n, *v, why);
    }
}

/// Intensity–volume histogram.
pub(crate) fn ivh(roi: &Roi, settings: &Settings, out: &mut Vec<Raw>) {
    let why = "undefined for this ROI (empty or a single intensity)";
    let xs = roi.intensities();
    let (vals, lo, hi, step): (Vec<f64>, f64, f64, f64) = match settings.ivh_discretisation {
        Discretisation::None => {
            let (mn, mx) = min_max(&xs);
            let (lo, hi) = match settings.resegmentation.range {
                Some([a, b]) if a.is_finite() && b.is_finite() => (a, b),
                _ => (mn, mx),
            };
            (xs.clone(), lo, hi, 1.0)
        }
        Discretisation::FixedBinNumber { bins } => {
            let (mn, mx) = min_max(&xs);
            let v = xs
                .iter()
                .map(|&x| {
                    if mx > mn {
                        ((bins as f64 * (x - mn) / (mx - mn)).floor() + 1.0).min(bins as f64)
                    } else {
                        1.0
                    }
                })
                .collect();
            (v, 1.0, bins as f64, 1.0)
        }
        Discretisation::FixedBinSize { width } => {
            let (mn, mx) = min_max(&xs);
            let origin = match settings.resegmentation.range {
                Some([a, _]) if a.is_finite() => a,
                _ => mn,
            };
            // Bin centres in intensity units.
            let v: Vec<f64> = xs
                .iter()
                .map(|&x| origin + (((x - origin) / width).floor() + 0.5) * width)
                .collect();
            let top = match settings.resegmentation.range {
                Some([_, b]) if b.is_finite() => b,
                _ => mx,
            };
            let hi = origin + (((top - origin) / width).floor() + 0.5) * width;
            (v, origin + 0.5 * width, hi, width)
        }
    };
    let r = intensity::ivh(&vals, lo, hi, step);
    let names = [
        "ivh_v10",
        "ivh_v90",
        "ivh_i10",
        "ivh_i90",
        "ivh_diff_v10_v90",
        "ivh_diff_i10_i90",
    ];
    for (n, v) in names.iter().zip(r) {
        push(out, *n, v, why);
    }
}

fn min_max(xs: &[f64]) -> (f64, f64) {
    xs.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        })
}

const RLM: [&str; 16] = [
    "rlm_sre",
    "rlm_lre",
    "rlm_lgre",
    "rlm_hgre",
    "rlm_srlge",
    "rlm_srhge",
    "rlm_lrlge",
    "rlm_lrhge",
    "rlm_glnu",
    "rlm_glnu_norm",
    "rlm_rlnu",
    "rlm_rlnu_norm",
    "rlm_r_perc",
    "rlm_gl_var",
    "rlm_rl_var",
    "rlm_rl_entr",
];
const SZM: [&str; 16] = [
    "szm_sze",
    "szm_lze",
    "szm_lgze",
    "szm_hgze",
    "szm_szlge",
    "szm_szhge",
    "szm_lzlge",
    "szm_lzhge",
    "szm_glnu",
    "szm_glnu_norm",
    "szm_zsnu",
    "szm_zsnu_norm",
    "szm_z_perc",
    "szm_gl_var",
    "szm_zs_var",
    "szm_zs_entr",
];
const DZM: [&str; 16] = [
    "dzm_sde",
    "dzm_lde",
    "dzm_lgze",
    "dzm_hgze",
    "dzm_sdlge",
    "dzm_sdhge",
    "dzm_ldlge",
    "dzm_ldhge",
    "dzm_glnu",
    "dzm_glnu_norm",
    "dzm_zdnu",
    "dzm_zdnu_norm",
    "dzm_z_perc",
    "dzm_gl_var",
    "dzm_zd_var",
    "dzm_zd_entr",
];
const NGL: [&str; 17] = [
    "ngl_lde",
    "ngl_hde",
    "ngl_lgce",
    "ngl_hgce",
    "ngl_ldlge",
    "ngl_ldhge",
    "ngl_hdlge",
    "ngl_hdhge",
    "ngl_glnu",
    "ngl_glnu_norm",
    "ngl_dcnu",
    "ngl_dcnu_norm",
    "ngl_dc_perc",
    "ngl_gl_var",
    "ngl_dc_var",
    "ngl_dc_entr",
    "ngl_dc_energy",
];
const NGT: [&str; 5] = [
    "ngt_coarseness",
    "ngt_contrast",
    "ngt_busyness",
    "ngt_complexity",
    "ngt_strength",
];

/// Mean of feature vectors, ignoring vectors whose values are NaN (empty matrices).
fn mean_of<const N: usize>(vs: &[[f64; N]]) -> [f64; N] {
    let mut out = [0.0; N];
    for k in 0..N {
        let vals: Vec<f64> = vs.iter().map(|v| v[k]).filter(|v| !v.is_nan()).collect();
        out[k] = if vals.is_empty() {
            f64::NAN
        } else {
            vals.iter().sum::<f64>() / vals.len() as f64
        };
    }
    out
}

fn add_into(acc: &mut Vec<f64>, m: &[f64]) {
    if acc.len() < m.len() {
        acc.resize(m.len(), 0.0);
    }
    for (a, b) in acc.iter_mut().zip(m) {
        *a += b;
    }
}

/// A zone/run-like matrix with a variable number of columns, merged by padding.
struct JMatrix {
    m: Vec<f64>,
    nj: usize,
}

impl JMatrix {
    fn new(ng: usize) -> Self {
        JMatrix {
            m: vec![0.0; ng],
            nj: 1,
        }
    }
    fn add(&mut self, other: &[f64], nj: usize, ng: usize) {
        if nj > self.nj {
            let mut m = vec![0.0; ng * nj];
            for i in 0..ng {
                for j in 0..self.nj {
                    m[i * nj + j] = self.m[i * self.nj + j];
                }
            }
            self.m = m;
            self.nj = nj;
        }
        for i in 0..ng {
            for j in 0..nj {
                self.m[i * self.nj + j] += other[i * nj + j];
            }
        }
    }
}

fn zone_matrix(zones: &[matrices::Zone], ng: usize, by_distance: bool) -> (Vec<f64>, usize) {
    let nj = zones
        .iter()
        .map(|z| {
            if by_distance {
                z.distance as usize
            } else {
                z.size
            }
        })
        .max()
        .unwrap_or(1)
        .max(1);
    let mut m = vec![0.0; ng * nj];
    for z in zones {
        let j = if by_distance {
            z.distance as usize
        } else {
            z.size
        };
        m[(z.level as usize - 1) * nj + j - 1] += 1.0;
    }
    (m, nj)
}

/// Run-length matrices of one unit (slice or volume) per direction, with its voxel count.
type RunsOfUnit = (Vec<(Vec<f64>, usize)>, f64);

/// Texture families for the requested aggregations.
pub(crate) fn texture(roi: &Roi, grid: &LevelGrid, settings: &Settings, out: &mut Vec<Raw>) {
    let fam = |f: Family| settings.families.contains(&f);
    let ng = grid.ng;
    let vals: Vec<f64> = (1..=ng).map(|v| v as f64).collect();
    let why_empty = "undefined: no voxel pairs/zones in the ROI for this matrix";
    let alpha = settings.ngldm_alpha;
    for agg in &settings.aggregations {
        let (suffix, units): (&str, Vec<(LevelGrid, Vec<bool>)>) = match agg {
            Aggregation::TwoD | Aggregation::TwoAndHalfD => {
                let n = grid.dims[0] * grid.dims[1];
                let units = (0..grid.dims[2])
                    .map(|z| (grid.slice(z), roi.morph[z * n..(z + 1) * n].to_vec()))
                    .filter(|(g, _)| g.count() > 0)
                    .collect();
                (
                    if *agg == Aggregation::TwoD {
                        "2D"
                    } else {
                        "2_5D"
                    },
                    units,
                )
            }
            Aggregation::ThreeD => ("3D", vec![(grid.clone(), roi.morph.clone())]),
        };
        let dirs: &[[isize; 3]] = if *agg == Aggregation::ThreeD {
            &DIRS_3D
        } else {
            &DIRS_2D
        };
        let merge_units = *agg != Aggregation::TwoD;
        if fam(Family::Glcm) {
            // per unit, per direction matrices
            let mats: Vec<Vec<Vec<f64>>> = units
                .iter()
                .map(|(g, _)| dirs.iter().map(|&d| matrices::glcm(g, d)).collect())
                .collect();
            let (avg, comb) = if merge_units {
                let mut per_dir = vec![vec![0.0; ng * ng]; dirs.len()];
                for u in &mats {
                    for (k, m) in u.iter().enumerate() {
                        add_into(&mut per_dir[k], m);
                    }
                }
                let avg = mean_of(&per_dir.iter().map(|m| glcm_ibsi(m, ng)).collect::<Vec<_>>());
                let mut all = vec![0.0; ng * ng];
                for m in &per_dir {
                    add_into(&mut all, m);
                }
                (avg, glcm_ibsi(&all, ng))
            } else {
                let avg = mean_of(
                    &mats
                        .iter()
                        .flat_map(|u| u.iter().map(|m| glcm_ibsi(m, ng)))
                        .collect::<Vec<_>>(),
                );
                let comb = mean_of(
                    &mats
                        .iter()
                        .map(|u| {
                            let mut all = vec![0.0; ng * ng];
                            for m in u {
                                add_into(&mut all, m);
                            }
                            glcm_ibsi(&all, ng)
                        })
                        .collect::<Vec<_>>(),
                );
                (avg, comb)
            };
            for (k, n) in GLCM_IBSI.iter().enumerate() {
                push(out, format!("{n}_{suffix}_avg"), avg[k], why_empty);
            }
            for (k, n) in GLCM_IBSI.iter().enumerate() {
                push(out, format!("{n}_{suffix}_comb"), comb[k], why_empty);
            }
        }
        if fam(Family::Glrlm) {
            let mats: Vec<RunsOfUnit> = units
                .iter()
                .map(|(g, _)| {
                    (
                        dirs.iter().map(|&d| matrices::glrlm(g, d)).collect(),
                        g.count() as f64,
                    )
                })
                .collect();
            let f = |m: &[f64], nj: usize, nv: f64| {
                let mut r = zone_like(m, &vals, nj, nv, 0.0);
                r[16] = 0.0;
                let mut o = [0.0; 16];
                o.copy_from_slice(&r[..16]);
                o
            };
            let (avg, comb) = if merge_units {
                let mut per_dir: Vec<JMatrix> = (0..dirs.len()).map(|_| JMatrix::new(ng)).collect();
                let nv: f64 = mats.iter().map(|u| u.1).sum();
                for u in &mats {
                    for (k, (m, nj)) in u.0.iter().enumerate() {
                        per_dir[k].add(m, *nj, ng);
                    }
                }
                let avg = mean_of(
                    &per_dir
                        .iter()
                        .map(|j| f(&j.m, j.nj, nv))
                        .collect::<Vec<_>>(),
                );
                let mut all = JMatrix::new(ng);
                for j in &per_dir {
                    all.add(&j.m, j.nj, ng);
                }
                (avg, f(&all.m, all.nj, nv * dirs.len() as f64))
            } else {
                let avg = mean_of(
                    &mats
                        .iter()
                        .flat_map(|u| u.0.iter().map(move |(m, nj)| f(m, *nj, u.1)))
                        .collect::<Vec<_>>(),
                );
                let comb = mean_of(
                    &mats
                        .iter()
                        .map(|u| {
                            let mut all = JMatrix::new(ng);
                            for (m, nj) in &u.0 {
                                all.add(m, *nj, ng);
                            }
                            f(&all.m, all.nj, u.1 * dirs.len() as f64)
                        })
                        .collect::<Vec<_>>(),
                );
                (avg, comb)
            };
            for (k, n) in RLM.iter().enumerate() {
                push(out, format!("{n}_{suffix}_avg"), avg[k], why_empty);
            }
            for (k, n) in RLM.iter().enumerate() {
                push(out, format!("{n}_{suffix}_comb"), comb[k], why_empty);
            }
        }
        let need_zones = fam(Family::Glszm) || fam(Family::Gldzm);
        if need_zones {
            let zs: Vec<(Vec<matrices::Zone>, f64)> = units
                .iter()
                .map(|(g, morph)| {
                    let dist = matrices::border_distance(morph, g.dims);
                    (matrices::zones(g, &dist), g.count() as f64)
                })
                .collect();
            for (by_distance, names, family) in
                [(false, &SZM, Family::Glszm), (true, &DZM, Family::Gldzm)]
            {
                if !fam(family) {
                    continue;
                }
                let feats = if merge_units {
                    let mut all = JMatrix::new(ng);
                    let mut nv = 0.0;
                    for (z, n) in &zs {
                        let (m, nj) = zone_matrix(z, ng, by_distance);
                        all.add(&m, nj, ng);
                        nv += n;
                    }
                    zone_like(&all.m, &vals, all.nj, nv, 0.0)
                } else {
                    mean_of(
                        &zs.iter()
                            .map(|(z, n)| {
                                let (m, nj) = zone_matrix(z, ng, by_distance);
                                zone_like(&m, &vals, nj, *n, 0.0)
                            })
                            .collect::<Vec<_>>(),
                    )
                };
                for (k, n) in names.iter().enumerate() {
                    push(out, format!("{n}_{suffix}"), feats[k], why_empty);
                }
            }
        }
        if fam(Family::Ngtdm) {
            let per: Vec<(Vec<f64>, Vec<f64>)> = units
                .iter()
                .map(|(g, _)| matrices::ngtdm(g, true))
                .collect();
            let feats = if merge_units {
                let mut n = vec![0.0; ng];
                let mut s = vec![0.0; ng];
                for (a, b) in &per {
                    add_into(&mut n, a);
                    add_into(&mut s, b);
                }
                ngtdm_features(&n, &s, false)
            } else {
                mean_of(
                    &per.iter()
                        .map(|(n, s)| ngtdm_features(n, s, false))
                        .collect::<Vec<_>>(),
                )
            };
            for (k, n) in NGT.iter().enumerate() {
                push(out, format!("{n}_{suffix}"), feats[k], why_empty);
            }
        }
        if fam(Family::Ngldm) {
            let per: Vec<((Vec<f64>, usize), f64)> = units
                .iter()
                .map(|(g, _)| (matrices::ngldm(g, alpha), g.count() as f64))
                .collect();
            let feats = if merge_units {
                let mut all = JMatrix::new(ng);
                let mut nv = 0.0;
                for ((m, nj), n) in &per {
                    all.add(m, *nj, ng);
                    nv += n;
                }
                zone_like(&all.m, &vals, all.nj, nv, 0.0)
            } else {
                mean_of(
                    &per.iter()
                        .map(|((m, nj), n)| zone_like(m, &vals, *nj, *n, 0.0))
                        .collect::<Vec<_>>(),
                )
            };
            for (k, n) in NGL.iter().enumerate() {
                push(out, format!("{n}_{suffix}"), feats[k], why_empty);
            }
        }
    }
}
