//! Turning multi-channel pixels (RGB, RGBA, grey + alpha) into one scalar per pixel.
//!
//! Rules, applied in this order and recorded in `ImageMeta::notes`:
//! 1. grey stored as colour (R = G = B at every pixel) is read as grey, values kept exactly;
//! 2. otherwise [`ColourMode::Luminance`] gives `Y = 0.299 R + 0.587 G + 0.114 B`
//!    (ITU-R BT.601 luma weights, computed in `f64`, *not rounded*),
//!    [`ColourMode::LuminanceRounded`] gives PIL's `Image.convert("L")` exactly
//!    (`(19595 R + 38470 G + 7471 B + 0x8000) >> 16`, integer inputs only), and
//!    [`ColourMode::Channel`] keeps one channel;
//! 3. an alpha channel is ignored (unless chosen with `Channel`).

use crate::error::{ImageError, Result};

/// How colour pixels become scalar intensities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourMode {
    /// `Y = 0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601), unrounded. Grey stored as RGB is kept exact.
    #[default]
    Luminance,
    /// PIL `convert("L")`: BT.601 weights in 16-bit fixed point, rounded to an integer
    /// (8- and 16-bit integer data only).
    LuminanceRounded,
    /// Keep one channel (0 = R, 1 = G, 2 = B, 3 = alpha when present).
    Channel(usize),
}

/// BT.601 luma weights (R, G, B).
pub const LUMA_WEIGHTS: [f64; 3] = [0.299, 0.587, 0.114];

/// Reduces interleaved samples with `channels` per pixel (1 = grey, 2 = grey+alpha, 3 = RGB,
/// 4 = RGBA) to one value per pixel, appending what was done to `notes`.
pub(crate) fn to_scalar(
    samples: &[f32],
    channels: usize,
    mode: ColourMode,
    notes: &mut Vec<String>,
) -> Result<Vec<f32>> {
    if channels == 0 || samples.len() % channels != 0 {
        return Err(ImageError::Invalid(format!(
            "{} samples do not divide into pixels of {channels} channels",
            samples.len()
        )));
    }
    if let ColourMode::Channel(c) = mode {
        if c >= channels {
            return Err(ImageError::Invalid(format!(
                "colour channel {c} requested but the image has {channels} channel(s)"
            )));
        }
    }
    match channels {
        1 => {
            if let ColourMode::Channel(_) = mode {
                notes.push("grey image: channel choice has no effect".into());
            }
            Ok(samples.to_vec())
        }
        2 => match mode {
            ColourMode::Channel(1) => {
                notes.push("grey+alpha image: alpha channel taken".into());
                Ok(samples.chunks_exact(2).map(|p| p[1]).collect())
            }
            _ => {
                notes.push("grey+alpha image: alpha channel ignored".into());
                Ok(samples.chunks_exact(2).map(|p| p[0]).collect())
            }
        },
        3 | 4 => {
            let alpha = channels == 4;
            let is_grey = samples
                .chunks_exact(channels)
                .all(|p| p[0] == p[1] && p[1] == p[2]);
            if let ColourMode::Channel(c) = mode {
                notes.push(format!(
                    "colour image: channel {c} ({}) taken",
                    ["R", "G", "B", "alpha"][c]
                ));
                return Ok(samples.chunks_exact(channels).map(|p| p[c]).collect());
            }
            let mut note = String::new();
            let out = if is_grey {
                note.push_str(
                    "grey stored as RGB (R = G = B at every pixel): read as grey, values exact",
                );
                samples.chunks_exact(channels).map(|p| p[0]).collect()
            } else if mode == ColourMode::LuminanceRounded {
                if samples
                    .iter()
                    .any(|&v| !(0.0..=65535.0).contains(&v) || v.fract() != 0.0)
                {
                    return Err(ImageError::Invalid(
                        "LuminanceRounded needs 8- or 16-bit integer colour data".into(),
                    ));
                }
                note.push_str(
                    "colour converted to luminance as PIL convert(\"L\"): (19595 R + 38470 G + 7471 B + 32768) >> 16",
                );
                samples
                    .chunks_exact(channels)
                    .map(|p| {
                        let (r, g, b) = (p[0] as u64, p[1] as u64, p[2] as u64);
                        ((19595 * r + 38470 * g + 7471 * b + 0x8000) >> 16) as f32
                    })
                    .collect()
            } else {
                note.push_str(
                    "colour converted to luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, unrounded)",
                );
                samples
                    .chunks_exact(channels)
                    .map(|p| {
                        (LUMA_WEIGHTS[0] * p[0] as f64
                            + LUMA_WEIGHTS[1] * p[1] as f64
                            + LUMA_WEIGHTS[2] * p[2] as f64) as f32
                    })
                    .collect()
            };
            if alpha {
                note.push_str("; alpha channel ignored");
            }
            notes.push(note);
            Ok(out)
        }
        _ => Err(ImageError::Invalid(format!(
            "images with {channels} channels are not supported"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_rgb_is_exact_and_colour_uses_bt601() {
        let mut notes = vec![];
        let grey = to_scalar(
            &[7.0, 7.0, 7.0, 200.0, 200.0, 200.0],
            3,
            ColourMode::Luminance,
            &mut notes,
        )
        .unwrap();
        assert_eq!(grey, vec![7.0, 200.0]);
        assert!(notes[0].contains("grey stored as RGB"));
        let y = to_scalar(
            &[255.0, 0.0, 0.0, 0.0, 0.0, 255.0],
            3,
            ColourMode::Luminance,
            &mut notes,
        )
        .unwrap();
        assert!((y[0] - 76.245).abs() < 1e-4 && (y[1] - 29.07).abs() < 1e-4);
        // PIL: Image.new("RGB",(1,1),(255,0,0)).convert("L") -> 76; (0,0,255) -> 29; (10,200,30) -> 124
        let l = to_scalar(
            &[255.0, 0.0, 0.0, 0.0, 0.0, 255.0, 10.0, 200.0, 30.0],
            3,
            ColourMode::LuminanceRounded,
            &mut notes,
        )
        .unwrap();
        assert_eq!(l, vec![76.0, 29.0, 124.0]);
        let g = to_scalar(&[1.0, 2.0, 3.0, 9.0], 4, ColourMode::Channel(1), &mut notes).unwrap();
        assert_eq!(g, vec![2.0]);
        assert!(to_scalar(&[1.0, 2.0, 3.0], 3, ColourMode::Channel(3), &mut notes).is_err());
    }
}
