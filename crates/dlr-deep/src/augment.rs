//! Seeded training-time augmentation of ROI crops: random resized crop, rotation, horizontal and
//! vertical flips, per-channel intensity shift; `views` augmented inputs per image, reproducible
//! from the seed (ChaCha8). Views are sampled with bilinear interpolation from the image directly
//! (one affine map per view, no antialiasing).

use crate::backbone::Backbone;
use crate::error::{DeepError, Result};
use crate::preprocess::{crop_box, extract, CropOptions};
use dlr_image::{Image, Mask};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How the features of the augmented views of one image are returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewMode {
    /// One vector per image: the mean over its views (default).
    #[default]
    Average,
    /// One vector per view (extra training samples).
    Samples,
}

/// Options of [`augment`].
#[derive(Debug, Clone, PartialEq)]
pub struct AugmentOptions {
    /// Number of augmented views per image (default 4).
    pub views: usize,
    /// Rotation angle drawn uniformly in `[-max, max]` degrees (default 15).
    pub max_rotation_deg: f64,
    /// Probability of a horizontal flip (default 0.5).
    pub hflip_probability: f64,
    /// Probability of a vertical flip (default 0.5).
    pub vflip_probability: f64,
    /// Area fraction of the crop box kept by the random resized crop, drawn in this range
    /// (default 0.8–1.0; `(1, 1)` disables it).
    pub crop_scale: (f64, f64),
    /// Aspect ratio of the random crop, drawn log-uniformly in this range (default 3/4–4/3).
    pub crop_ratio: (f64, f64),
    /// Per-channel shift of [0, 1] intensities drawn in `[-s, s]` (default 0.1).
    pub channel_shift: f32,
    /// Average the views' features or keep them as samples.
    pub mode: ViewMode,
}

impl Default for AugmentOptions {
    fn default() -> Self {
        Self {
            views: 4,
            max_rotation_deg: 15.0,
            hflip_probability: 0.5,
            vflip_probability: 0.5,
            crop_scale: (0.8, 1.0),
            crop_ratio: (3.0 / 4.0, 4.0 / 3.0),
            channel_shift: 0.1,
            mode: ViewMode::Average,
        }
    }
}

impl AugmentOptions {
    fn validate(&self) -> Result<()> {
        let (s0, s1) = self.crop_scale;
        let (r0, r1) = self.crop_ratio;
        let ok = self.views > 0
            && self.max_rotation_deg.is_finite()
            && self.max_rotation_deg >= 0.0
            && (0.0..=1.0).contains(&self.hflip_probability)
            && (0.0..=1.0).contains(&self.vflip_probability)
            && s0 > 0.0
            && s0 <= s1
            && s1 <= 1.0
            && r0 > 0.0
            && r0 <= r1
            && r1.is_finite()
            && self.channel_shift.is_finite()
            && self.channel_shift >= 0.0;
        if ok {
            Ok(())
        } else {
            Err(DeepError::Invalid(format!(
                "augmentation options out of range: {self:?} (views > 0, probabilities in [0,1], 0 < scale ≤ 1, 0 < ratio, shift ≥ 0)"
            )))
        }
    }
}

fn uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64) -> f64 {
    if hi > lo {
        rng.gen_range(lo..hi)
    } else {
        lo
    }
}

fn bilinear(src: &[f32], w: usize, h: usize, x: f64, y: f64) -> f32 {
    // pixel centres at integer + 0.5; outside = 0
    let fx = x - 0.5;
    let fy = y - 0.5;
    let x0 = fx.floor();
    let y0 = fy.floor();
    let (ax, ay) = (fx - x0, fy - y0);
    let get = |xi: f64, yi: f64| -> f64 {
        if xi < 0.0 || yi < 0.0 || xi >= w as f64 || yi >= h as f64 {
            0.0
        } else {
            src[yi as usize * w + xi as usize] as f64
        }
    };
    let v = get(x0, y0) * (1.0 - ax) * (1.0 - ay)
        + get(x0 + 1.0, y0) * ax * (1.0 - ay)
        + get(x0, y0 + 1.0) * (1.0 - ax) * ay
        + get(x0 + 1.0, y0 + 1.0) * ax * ay;
    v as f32
}

/// `aug.views` augmented network inputs (`3×size×size`, normalised like [`crate::roi_crop`]) of
/// one image, reproducible from `seed`.
pub fn augment(
    image: &Image,
    mask: Option<&Mask>,
    crop: &CropOptions,
    aug: &AugmentOptions,
    seed: u64,
) -> Result<Vec<Vec<f32>>> {
    aug.validate()?;
    let bx = crop_box(image, mask, crop)?;
    // sample from the crop box plus a border so rotations see real pixels where there are some
    let pad = bx.w.max(bx.h) / 2;
    let big = crate::preprocess::CropBox {
        x0: bx.x0 - pad as i64,
        y0: bx.y0 - pad as i64,
        w: bx.w + 2 * pad,
        h: bx.h + 2 * pad,
    };
    let src = extract(image, big, crop.intensity)?;
    let s = crop.size;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut views = Vec::with_capacity(aug.views);
    for _ in 0..aug.views {
        let area = uniform(&mut rng, aug.crop_scale.0, aug.crop_scale.1);
        let logr = uniform(&mut rng, aug.crop_ratio.0.ln(), aug.crop_ratio.1.ln());
        let ratio = logr.exp();
        let cw = (bx.w as f64 * (area * ratio).sqrt()).min(bx.w as f64);
        let ch = (bx.h as f64 * (area / ratio).sqrt()).min(bx.h as f64);
        let ox = uniform(&mut rng, 0.0, bx.w as f64 - cw);
        let oy = uniform(&mut rng, 0.0, bx.h as f64 - ch);
        let theta = uniform(&mut rng, -aug.max_rotation_deg, aug.max_rotation_deg).to_radians();
        let hflip = rng.gen_bool(aug.hflip_probability);
        let vflip = rng.gen_bool(aug.vflip_probability);
        let shifts: Vec<f32> = (0..3)
            .map(|_| {
                uniform(
                    &mut rng,
                    -(aug.channel_shift as f64),
                    aug.channel_shift as f64,
                ) as f32
            })
            .collect();
        // centre of the random crop in `src` coordinates
        let cx = pad as f64 + ox + cw / 2.0;
        let cy = pad as f64 + oy + ch / 2.0;
        let (sin, cos) = theta.sin_cos();
        let mut plane = vec![0.0f32; s * s];
        for v in 0..s {
            for u in 0..s {
                let mut a = (u as f64 + 0.5) / s as f64 - 0.5;
                let mut b = (v as f64 + 0.5) / s as f64 - 0.5;
                if hflip {
                    a = -a;
                }
                if vflip {
                    b = -b;
                }
                let (lx, ly) = (a * cw, b * ch);
                let x = cx + cos * lx - sin * ly;
                let y = cy + sin * lx + cos * ly;
                plane[v * s + u] = bilinear(&src, big.w, big.h, x, y);
            }
        }
        let mut out = Vec::with_capacity(3 * s * s);
        for (c, &sh) in shifts.iter().enumerate() {
            let (m, sd) = (crop.mean[c], crop.std[c]);
            out.extend(plane.iter().map(|&p| (p + sh - m) / sd));
        }
        views.push(out);
    }
    Ok(views)
}

/// Deep features of one image under augmentation: the backbone's pooled features of each view,
/// averaged (one vector) or kept (`views` vectors) as `aug.mode` says.
pub fn augmented_features(
    backbone: &dyn Backbone,
    image: &Image,
    mask: Option<&Mask>,
    crop: &CropOptions,
    aug: &AugmentOptions,
    seed: u64,
) -> Result<Vec<Vec<f32>>> {
    if crop.size != crate::backbone::INPUT_SIZE {
        return Err(DeepError::Invalid(format!(
            "backbones take {0}×{0} inputs; crop size is {1}",
            crate::backbone::INPUT_SIZE,
            crop.size
        )));
    }
    let views = augment(image, mask, crop, aug, seed)?;
    let batch: Vec<f32> = views.concat();
    let feats = backbone.features(&batch, views.len())?;
    Ok(match aug.mode {
        ViewMode::Samples => feats,
        ViewMode::Average => {
            let d = backbone.feature_dim();
            let mut mean = vec![0.0f64; d];
            for f in &feats {
                for (m, &v) in mean.iter_mut().zip(f) {
                    *m += v as f64;
                }
            }
            vec![mean
                .into_iter()
                .map(|m| (m / feats.len() as f64) as f32)
                .collect()]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::roi_crop;

    fn test_image() -> (Image, Mask) {
        let (nx, ny) = (60, 50);
        let data = (0..nx * ny)
            .map(|i| {
                let (x, y) = ((i % nx) as f32, (i / nx) as f32);
                127.0 + 120.0 * (0.3 * x).sin() * (0.2 * y).cos()
            })
            .collect();
        let image = Image::new_2d(data, nx, ny).unwrap();
        let mut m = vec![0u8; nx * ny];
        for y in 12..36 {
            for x in 15..39 {
                m[y * nx + x] = 1;
            }
        }
        (image, Mask::new(m, [nx, ny, 1]).unwrap())
    }

    fn identity() -> AugmentOptions {
        AugmentOptions {
            views: 2,
            max_rotation_deg: 0.0,
            hflip_probability: 0.0,
            vflip_probability: 0.0,
            crop_scale: (1.0, 1.0),
            crop_ratio: (1.0, 1.0),
            channel_shift: 0.0,
            mode: ViewMode::Average,
        }
    }

    #[test]
    fn identity_augmentation_equals_the_crop() {
        let (image, mask) = test_image();
        // bbox 24×24 + 2-pixel margins = 28: roi_crop does not resize, the view samples pixel centres
        let crop = CropOptions {
            size: 28,
            ..CropOptions::default()
        };
        let plain = roi_crop(&image, Some(&mask), &crop).unwrap();
        let views = augment(&image, Some(&mask), &crop, &identity(), 1).unwrap();
        assert_eq!(views.len(), 2);
        for v in &views {
            for (a, b) in v.iter().zip(&plain) {
                assert!((a - b).abs() < 1e-4, "{a} vs {b}");
            }
        }
    }

    #[test]
    fn forced_flip_mirrors_the_view() {
        let (image, mask) = test_image();
        let crop = CropOptions {
            size: 32,
            ..CropOptions::default()
        };
        let base = augment(&image, Some(&mask), &crop, &identity(), 3).unwrap();
        let flip = AugmentOptions {
            hflip_probability: 1.0,
            ..identity()
        };
        let f = augment(&image, Some(&mask), &crop, &flip, 3).unwrap();
        for y in 0..32 {
            for x in 0..32 {
                let a = f[0][y * 32 + x];
                let b = base[0][y * 32 + (31 - x)];
                assert!((a - b).abs() < 1e-4);
            }
        }
    }

    #[test]
    fn seeded_and_reproducible() {
        let (image, mask) = test_image();
        let crop = CropOptions {
            size: 32,
            ..CropOptions::default()
        };
        let aug = AugmentOptions::default();
        let a = augment(&image, Some(&mask), &crop, &aug, 42).unwrap();
        let b = augment(&image, Some(&mask), &crop, &aug, 42).unwrap();
        let c = augment(&image, Some(&mask), &crop, &aug, 43).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a[0], a[1]);
        let bad = AugmentOptions { views: 0, ..aug };
        assert!(augment(&image, Some(&mask), &crop, &bad, 1).is_err());
    }
}
