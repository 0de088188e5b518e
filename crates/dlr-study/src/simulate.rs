//! The simulated CEUS cohort: per patient a grey-scale (US), arterial-phase (AP) and
//! portal-phase (PP) image of a liver lesion with ultrasound-like speckle, two readers' ROIs,
//! a clinical table and `study.toml`.
//!
//! A latent risk `z ~ N(0, 1)` drives the outcome (logistic, about 40 % events), the clinical
//! covariates and the lesion's appearance (US echotexture, AP hyper-enhancement and
//! heterogeneity, PP washout, border irregularity). With `null` the outcome is drawn
//! independently of `z`, so images and covariates carry no information about it. The model and
//! its parameters are documented in `crates/dlr-study/SIMULATION.md`.
//!
//! Each patient has its own ChaCha12 stream (`seed`, stream = patient index + 1), so the output
//! is byte-identical for a seed whatever the number of threads.

use crate::error::{Result, StudyError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Phase names, in order.
pub const PHASES: [&str; 3] = ["US", "AP", "PP"];

/// Intercept of the outcome model `logit P(y=1) = ALPHA + BETA z` (≈ 40 % events).
const ALPHA: f64 = -0.575;
/// Slope of the outcome model.
const BETA: f64 = 1.5;
/// Event probability under `null`.
const NULL_EVENT_RATE: f64 = 0.4;

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimulateOptions {
    /// Number of patients.
    pub patients: usize,
    /// Random seed.
    pub seed: u64,
    /// Outcome independent of images and covariates.
    pub null: bool,
    /// Folder to write into (created when absent; existing files of the same name are replaced).
    pub out_dir: PathBuf,
    /// Image side in pixels (square images).
    pub size: usize,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        Self {
            patients: 172,
            seed: 42,
            null: false,
            out_dir: PathBuf::from("simulated-ceus"),
            size: 256,
        }
    }
}

/// Ground truth of one simulated patient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedPatient {
    /// Identifier (`P001`, ...).
    pub id: String,
    /// Latent risk.
    pub z: f64,
    /// Outcome (`recurrence_1y`).
    pub outcome: u8,
    /// Lesion radius in pixels (before border irregularity).
    pub radius_px: f64,
}

/// What [`simulate`] wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedCohort {
    /// Output folder.
    pub out_dir: PathBuf,
    /// `manifest.csv`.
    pub manifest: PathBuf,
    /// `clinical.csv`.
    pub clinical: PathBuf,
    /// `study.toml`.
    pub study_toml: PathBuf,
    /// Patients in order.
    pub patients: Vec<SimulatedPatient>,
}

impl SimulatedCohort {
    /// Number of patients with the event.
    pub fn events(&self) -> usize {
        self.patients.iter().filter(|p| p.outcome == 1).count()
    }

    /// One-line summary for the CLI.
    pub fn summary(&self) -> String {
        format!(
            "{} patients ({} events) written to {}",
            self.patients.len(),
            self.events(),
            self.out_dir.display()
        )
    }
}

/// Simulates a CEUS cohort and writes it to `options.out_dir`.
pub fn simulate(options: &SimulateOptions) -> Result<SimulatedCohort> {
    if options.patients == 0 {
        return Err(StudyError::Invalid(
            "simulate: patients must be at least 1".into(),
        ));
    }
    if !(64..=2048).contains(&options.size) {
        return Err(StudyError::Invalid(format!(
            "simulate: image size {} is outside 64..=2048 pixels",
            options.size
        )));
    }
    let out = &options.out_dir;
    for dir in [out.join("images"), out.join("masks")] {
        std::fs::create_dir_all(&dir).map_err(|source| StudyError::Io { path: dir, source })?;
    }
    let width = options.patients.to_string().len().max(3);
    let results: Vec<Result<(SimulatedPatient, Covariates)>> = (0..options.patients)
        .into_par_iter()
        .map(|i| simulate_patient(i, width, options))
        .collect();
    let mut patients = Vec::with_capacity(options.patients);
    let mut manifest = String::from("patient_id,phase,image,mask,reader\n");
    let mut clinical =
        String::from("patient_id,recurrence_1y,age,sex,tumour_size_cm,hbv,cirrhosis,afp_gt_400\n");
    for r in results {
        let (p, c) = r?;
        for phase in PHASES {
            for reader in [1, 2] {
                let _ = writeln!(
                    manifest,
                    "{id},{phase},images/{id}_{phase}.png,masks/{id}_{phase}_r{reader}.png,{reader}",
                    id = p.id
                );
            }
        }
        let _ = writeln!(
            clinical,
            "{},{},{},{},{:.1},{},{},{}",
            p.id, p.outcome, c.age, c.sex, c.size_cm, c.hbv, c.cirrhosis, c.afp_gt_400
        );
        patients.push(p);
    }
    let s = options.seed;
    let n = options.patients;
    let toml = format!(
        "# Simulated CEUS cohort written by `dlr simulate` (seed {s}, {n} patients)\n\
[study]\n\
name = \"Simulated CEUS cohort (seed {s})\"\n\
manifest = \"manifest.csv\"\n\
clinical = \"clinical.csv\"\n\
outcome = \"recurrence_1y\"\n\
phases = [\"US\", \"AP\", \"PP\"]\n\
readers = [\"1\", \"2\"]\n\
primary_reader = \"1\"\n\
clinical_covariates = [\"age\", \"sex\", \"tumour_size_cm\", \"hbv\", \"cirrhosis\", \"afp_gt_400\"]\n\
[split]\n\
test_fraction = 0.3\n\
seed = {s}\n"
    );
    let cohort = SimulatedCohort {
        out_dir: out.clone(),
        manifest: out.join("manifest.csv"),
        clinical: out.join("clinical.csv"),
        study_toml: out.join("study.toml"),
        patients,
    };
    write_text(&cohort.manifest, &manifest)?;
    write_text(&cohort.clinical, &clinical)?;
    write_text(&cohort.study_toml, &toml)?;
    Ok(cohort)
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Clinical covariates of one patient.
struct Covariates {
    age: i64,
    sex: &'static str,
    size_cm: f64,
    hbv: u8,
    cirrhosis: u8,
    afp_gt_400: u8,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Standard normal draw (Box–Muller, one value per call).
fn normal(rng: &mut ChaCha12Rng) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
    let u2: f64 = rng.gen::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Two independent standard normal draws (both Box–Muller outputs).
fn normal_pair(rng: &mut ChaCha12Rng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
    (r * c, r * s)
}

fn bernoulli(rng: &mut ChaCha12Rng, p: f64) -> u8 {
    u8::from(rng.gen::<f64>() < p)
}

/// Lesion outline: `r(θ) = r0 (1 + Σ_k a_k cos(kθ + φ_k))`, centre `(cx, cy)`.
#[derive(Clone)]
struct Outline {
    cx: f64,
    cy: f64,
    r0: f64,
    harmonics: Vec<(f64, f64, f64)>, // (k, a_k, φ_k)
}

impl Outline {
    /// Signed distance proxy: `r(θ) − ρ` in pixels (positive inside).
    fn depth(&self, x: f64, y: f64) -> f64 {
        let (dx, dy) = (x - self.cx, y - self.cy);
        let rho = (dx * dx + dy * dy).sqrt();
        let theta = dy.atan2(dx);
        let shape: f64 = self
            .harmonics
            .iter()
            .map(|&(k, a, phi)| a * (k * theta + phi).cos())
            .sum();
        self.r0 * (1.0 + shape) - rho
    }

    /// The outline scaled by `s` and shifted by `(dx, dy)`.
    fn perturbed(&self, s: f64, dx: f64, dy: f64) -> Outline {
        Outline {
            cx: self.cx + dx,
            cy: self.cy + dy,
            r0: self.r0 * s,
            harmonics: self.harmonics.clone(),
        }
    }

    /// Pixel range `[lo, hi)` along one axis that can hold the outline (plus a margin).
    fn span(&self, centre: f64, n: usize) -> (usize, usize) {
        let reach: f64 = self.r0 * (1.0 + self.harmonics.iter().map(|h| h.1.abs()).sum::<f64>());
        let lo = (centre - reach - 3.0).floor().max(0.0) as usize;
        let hi = ((centre + reach + 3.0).ceil().max(0.0) as usize).min(n);
        (lo, hi.max(lo))
    }

    /// `depth` at every pixel of an `n × n` grid; far outside the outline it is `-inf`.
    fn depth_map(&self, n: usize) -> Vec<f64> {
        let mut d = vec![f64::NEG_INFINITY; n * n];
        let (x0, x1) = self.span(self.cx, n);
        let (y0, y1) = self.span(self.cy, n);
        for y in y0..y1 {
            for x in x0..x1 {
                d[x + n * y] = self.depth(x as f64, y as f64);
            }
        }
        d
    }

    /// Mask (0/255) of the pixels whose centre lies inside the outline.
    fn mask(&self, n: usize) -> Vec<u8> {
        self.depth_map(n)
            .iter()
            .map(|&d| if d >= 0.0 { 255 } else { 0 })
            .collect()
    }
}

/// Separable box blur of radius `r` with edge clamping (running sums).
fn box_blur(src: &[f64], n: usize, r: usize) -> Vec<f64> {
    let w = (2 * r + 1) as f64;
    let ri = r as isize;
    let clamp = |v: isize| v.clamp(0, n as isize - 1) as usize;
    let mut tmp = vec![0.0; n * n];
    for y in 0..n {
        let row = &src[n * y..n * (y + 1)];
        let mut s: f64 = (-ri..=ri).map(|d| row[clamp(d)]).sum();
        for x in 0..n {
            tmp[x + n * y] = s / w;
            let xi = x as isize;
            s += row[clamp(xi + ri + 1)] - row[clamp(xi - ri)];
        }
    }
    let mut out = vec![0.0; n * n];
    for x in 0..n {
        let mut s: f64 = (-ri..=ri).map(|d| tmp[x + n * clamp(d)]).sum();
        for y in 0..n {
            out[x + n * y] = s / w;
            let yi = y as isize;
            s += tmp[x + n * clamp(yi + ri + 1)] - tmp[x + n * clamp(yi - ri)];
        }
    }
    out
}

/// Smoothed Gaussian noise rescaled to zero mean and unit standard deviation.
fn texture_field(rng: &mut ChaCha12Rng, n: usize, r: usize) -> Vec<f64> {
    let mut white: Vec<f64> = Vec::with_capacity(n * n + 1);
    while white.len() < n * n {
        let (a, b) = normal_pair(rng);
        white.push(a);
        white.push(b);
    }
    white.truncate(n * n);
    let mut f = box_blur(&white, n, r);
    let len = f.len() as f64;
    let mean = f.iter().sum::<f64>() / len;
    let sd = (f.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / len).sqrt();
    let sd = if sd > 0.0 { sd } else { 1.0 };
    for v in &mut f {
        *v = (*v - mean) / sd;
    }
    f
}

/// Mean level, heterogeneity (SD of the lesion texture) of the lesion, and liver level, per phase.
fn phase_levels(phase: &str, z: f64) -> (f64, f64, f64) {
    match phase {
        // grey-scale: hypo-echoic lesion, coarser echotexture with higher risk
        "US" => (80.0 + 6.0 * z, (7.0 + 4.0 * z).max(2.0), 100.0),
        // arterial phase: hyper-enhancement and heterogeneity grow with risk
        "AP" => (105.0 + 20.0 * z, (9.0 + 6.0 * z).max(2.0), 60.0),
        // portal phase: washout (lesion darker than liver) grows with risk
        _ => (80.0 - 12.0 * z, (6.0 + 3.0 * z).max(2.0), 95.0),
    }
}

fn simulate_patient(
    i: usize,
    width: usize,
    o: &SimulateOptions,
) -> Result<(SimulatedPatient, Covariates)> {
    let mut rng = ChaCha12Rng::seed_from_u64(o.seed);
    rng.set_stream(i as u64 + 1);
    let n = o.size;
    let nf = n as f64;
    let id = format!("P{:0width$}", i + 1);

    // latent risk and outcome
    let z = normal(&mut rng);
    let u_outcome: f64 = rng.gen();
    let p_event = if o.null {
        NULL_EVENT_RATE
    } else {
        sigmoid(ALPHA + BETA * z)
    };
    let outcome = u8::from(u_outcome < p_event);

    // clinical covariates (driven by z, never by the outcome itself)
    let age = (58.0 + 3.0 * z + 9.0 * normal(&mut rng))
        .round()
        .clamp(25.0, 85.0) as i64;
    let sex = if rng.gen::<f64>() < 0.8 { "M" } else { "F" };
    let size_cm = ((3.5f64.ln() + 0.3 * z + 0.35 * normal(&mut rng)).exp()).clamp(1.0, 12.0);
    let size_cm = (size_cm * 10.0).round() / 10.0;
    let hbv = bernoulli(&mut rng, sigmoid(1.2 + 0.4 * z));
    let cirrhosis = bernoulli(&mut rng, sigmoid(0.4 + 0.6 * z));
    let afp_gt_400 = bernoulli(&mut rng, sigmoid(-1.2 + 1.0 * z));

    // lesion geometry
    let r0 = (10.0 * size_cm * nf / 256.0).clamp(8.0, 0.22 * nf);
    let cx = nf * (0.5 + rng.gen_range(-0.1..0.1));
    let cy = nf * (0.55 + rng.gen_range(-0.1..0.1));
    let irregularity = 0.10 + 0.10 * sigmoid(1.5 * z);
    let harmonics = (2..=6)
        .map(|k| {
            let a = irregularity * rng.gen_range(0.5..1.0) / k as f64;
            let phi = rng.gen_range(0.0..std::f64::consts::TAU);
            (k as f64, a, phi)
        })
        .collect();
    let outline = Outline {
        cx,
        cy,
        r0,
        harmonics,
    };

    // tissue structure shared by the phases
    let liver = texture_field(&mut rng, n, 4);
    let lesion_tex = texture_field(&mut rng, n, 2);
    let depth = outline.depth_map(n);
    let r1: Vec<u8> = depth
        .iter()
        .map(|&d| if d >= 0.0 { 255 } else { 0 })
        .collect();

    let sigma_r = (2.0 / std::f64::consts::PI).sqrt(); // Rayleigh with unit mean
    for phase in PHASES {
        let (lesion_mean, lesion_sd, liver_level) = phase_levels(phase, z);
        let raw: Vec<f64> = (0..n * n)
            .map(|_| sigma_r * (-2.0 * (1.0 - rng.gen::<f64>()).ln()).sqrt())
            .collect();
        // correlated speckle grain: 3 px laterally, 2 px axially
        let mut speckle = vec![0.0; n * n];
        for y in 0..n {
            for x in 0..n {
                let at = |xx: usize, yy: usize| raw[xx.min(n - 1) + n * yy.min(n - 1)];
                let xm = x.saturating_sub(1);
                speckle[x + n * y] = 0.5
                    * (0.25 * at(xm, y) + 0.5 * at(x, y) + 0.25 * at(x + 1, y))
                    + 0.5 * (0.25 * at(xm, y + 1) + 0.5 * at(x, y + 1) + 0.25 * at(x + 1, y + 1));
            }
        }
        let mut pixels = vec![0u8; n * n];
        for y in 0..n {
            let attenuation = 1.25 * (-0.6 * y as f64 / nf).exp();
            for x in 0..n {
                let k = x + n * y;
                let w = (depth[k] / 1.5 + 0.5).clamp(0.0, 1.0);
                let background = liver_level + 8.0 * liver[k];
                let lesion = lesion_mean + lesion_sd * lesion_tex[k];
                let tissue = (w * lesion + (1.0 - w) * background).max(2.0);
                pixels[k] = (tissue * speckle[k] * attenuation)
                    .round()
                    .clamp(0.0, 255.0) as u8;
            }
        }
        save_png(
            &o.out_dir.join(format!("images/{id}_{phase}.png")),
            &pixels,
            n,
        )?;
        // reader 1: the true outline; reader 2: scaled (≈ ±1–3 px) and shifted by up to 2 px
        let s2 = (1.0 + 0.05 * normal(&mut rng)).clamp(0.9, 1.1);
        let dx = rng.gen_range(-2i32..=2) as f64;
        let dy = rng.gen_range(-2i32..=2) as f64;
        let r2 = outline.perturbed(s2, dx, dy).mask(n);
        save_png(
            &o.out_dir.join(format!("masks/{id}_{phase}_r1.png")),
            &r1,
            n,
        )?;
        save_png(
            &o.out_dir.join(format!("masks/{id}_{phase}_r2.png")),
            &r2,
            n,
        )?;
    }
    Ok((
        SimulatedPatient {
            id,
            z,
            outcome,
            radius_px: r0,
        },
        Covariates {
            age,
            sex,
            size_cm,
            hbv,
            cirrhosis,
            afp_gt_400,
        },
    ))
}

/// Writes an 8-bit grey PNG (fast deflate, `Sub` filter: a fixed choice, so the bytes are
/// reproducible and encoding is cheap).
fn save_png(path: &Path, pixels: &[u8], n: usize) -> Result<()> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let write_err = |reason: String| StudyError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let mut bytes = Vec::with_capacity(pixels.len() / 2);
    PngEncoder::new_with_quality(&mut bytes, CompressionType::Fast, FilterType::Sub)
        .write_image(pixels, n as u32, n as u32, image::ExtendedColorType::L8)
        .map_err(|e| write_err(e.to_string()))?;
    std::fs::write(path, bytes).map_err(|source| StudyError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_blur_matches_the_direct_sum() {
        let n = 7;
        let src: Vec<f64> = (0..n * n).map(|i| ((i * 37) % 11) as f64).collect();
        let fast = box_blur(&src, n, 2);
        let c = |v: isize| v.clamp(0, n as isize - 1) as usize;
        for y in 0..n as isize {
            for x in 0..n as isize {
                let mut s = 0.0;
                for dy in -2..=2 {
                    for dx in -2..=2 {
                        s += src[c(x + dx) + n * c(y + dy)];
                    }
                }
                let direct = s / 25.0;
                assert!((fast[x as usize + n * y as usize] - direct).abs() < 1e-12);
            }
        }
    }
}
