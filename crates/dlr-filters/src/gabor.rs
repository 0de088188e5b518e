//! IBSI 2 Gabor filter: modulus of the in-plane complex Gabor response, optionally averaged over
//! orientations.

use crate::boundary::{extend_index, BoundaryMode};
use crate::error::{FilterError, Result};
use dlr_image::Image;
use serde::{Deserialize, Serialize};

/// Options of the Gabor filter (lengths in millimetres, angles in radians).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GaborOptions {
    /// Boundary condition (default mirror).
    pub boundary: BoundaryMode,
    /// Spatial aspect ratio γ (default 1).
    pub gamma: f64,
    /// Wavelength λ in mm (default 4).
    pub lambda_mm: f64,
    /// Orientation θ (default 0), counter-clockwise from +x towards +y (+y = increasing row).
    pub theta: f64,
    /// When set, average the modulus over θ, θ + Δ, θ + 2Δ, … below θ + 2π.
    pub theta_step: Option<f64>,
    /// Kernel half-width in envelope standard deviations (the longer one, σ/γ for γ < 1;
    /// default 4).
    pub truncate: f64,
}

impl Default for GaborOptions {
    fn default() -> Self {
        Self {
            boundary: BoundaryMode::Mirror,
            gamma: 1.0,
            lambda_mm: 4.0,
            theta: 0.0,
            theta_step: None,
            truncate: 4.0,
        }
    }
}

/// Gabor response modulus `|I ∗ g|` per slice (in-plane), with
/// `g(x, y) = exp(−(x̃² + γ²ỹ²)/(2σ²))·exp(i·2π·x̃/λ)`, `x̃ = x cos θ + y sin θ`,
/// `ỹ = −x sin θ + y cos θ` in millimetres (the IBSI 2 kernel; unit peak, not normalised).
pub fn gabor(image: &Image, sigma_mm: f64, opts: &GaborOptions) -> Result<Image> {
    let positive = |v: f64| v.is_finite() && v > 0.0;
    if !positive(sigma_mm)
        || !positive(opts.gamma)
        || !positive(opts.lambda_mm)
        || !positive(opts.truncate)
    {
        return Err(FilterError::Invalid(format!(
            "Gabor needs positive sigma_mm, gamma, lambda_mm and truncate; got {sigma_mm}, {}, {}, {}",
            opts.gamma, opts.lambda_mm, opts.truncate
        )));
    }
    if let Some(i) = image.data().iter().position(|v| !v.is_finite()) {
        return Err(FilterError::Invalid(format!("voxel {i} is not finite")));
    }
    let thetas: Vec<f64> = match opts.theta_step {
        None => vec![opts.theta],
        Some(step) if positive(step) => {
            let n = ((2.0 * std::f64::consts::PI / step) - 1e-9).ceil().max(1.0) as usize;
            (0..n).map(|k| opts.theta + k as f64 * step).collect()
        }
        Some(step) => {
            return Err(FilterError::Invalid(format!(
                "theta_step {step} must be positive"
            )))
        }
    };
    let [nx, ny, nz] = image.dims();
    let (sx, sy) = (image.spacing[0], image.spacing[1]);
    let reach = opts.truncate * sigma_mm / opts.gamma.min(1.0);
    let (rx, ry) = ((reach / sx).ceil() as usize, (reach / sy).ceil() as usize);
    let (kw, kh) = (2 * rx + 1, 2 * ry + 1);
    let (pw, ph) = (nx + 2 * rx, ny + 2 * ry);
    let mut out = vec![0.0f64; nx * ny * nz];
    let mut padded = vec![0.0f64; pw * ph];
    for theta in &thetas {
        let (c, s) = (theta.cos(), theta.sin());
        // kernel taps for correlation: out(p) = Σ_u g(−u)·I(p + u)
        let mut kre = vec![0.0; kw * kh];
        let mut kim = vec![0.0; kw * kh];
        for j in 0..kh {
            for i in 0..kw {
                let x = -((i as f64 - rx as f64) * sx);
                let y = -((j as f64 - ry as f64) * sy);
                let xt = x * c + y * s;
                let yt = -x * s + y * c;
                let env = (-(xt * xt + opts.gamma * opts.gamma * yt * yt)
                    / (2.0 * sigma_mm * sigma_mm))
                    .exp();
                let ph = 2.0 * std::f64::consts::PI * xt / opts.lambda_mm;
                kre[j * kw + i] = env * ph.cos();
                kim[j * kw + i] = env * ph.sin();
            }
        }
        for z in 0..nz {
            let sl = &image.data()[z * nx * ny..(z + 1) * nx * ny];
            for py in 0..ph {
                let yy = extend_index(py as isize - ry as isize, ny, opts.boundary);
                for px in 0..pw {
                    let xx = extend_index(px as isize - rx as isize, nx, opts.boundary);
                    padded[py * pw + px] = match (xx, yy) {
                        (Some(a), Some(b)) => sl[b * nx + a] as f64,
                        _ => 0.0,
                    };
                }
            }
            for y in 0..ny {
                for x in 0..nx {
                    let (mut re, mut im) = (0.0, 0.0);
                    for j in 0..kh {
                        let row = &padded[(y + j) * pw + x..(y + j) * pw + x + kw];
                        let kr = &kre[j * kw..(j + 1) * kw];
                        let ki = &kim[j * kw..(j + 1) * kw];
                        for ((v, a), b) in row.iter().zip(kr).zip(ki) {
                            re += a * v;
                            im += b * v;
                        }
                    }
                    out[z * nx * ny + y * nx + x] +=
                        (re * re + im * im).sqrt() / thetas.len() as f64;
                }
            }
        }
    }
    let mut img = Image::new(out.into_iter().map(|v| v as f32).collect(), image.dims())?;
    img.spacing = image.spacing;
    img.origin = image.origin;
    img.direction = image.direction;
    img.meta = image.meta.clone();
    Ok(img)
}
