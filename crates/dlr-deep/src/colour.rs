//! Colour for the CNN input: images that are truly colour (a colour map, a Doppler overlay) are fed
//! as their three channels, grey ones as one plane replicated to three channels.
//!
//! [`read_deep_image`] reads the channels through `dlr-image` (every format it reads, DICOM
//! included): the blue channel is asked for first; an image without one is read as grey with the
//! given options. [`DeepColour`] chooses what [`crate::roi_crop_colour`] feeds the network;
//! [`UsedColour`] says what it fed.

use crate::error::Result;
use dlr_image::{ColourMode, Image, ReadOptions, LUMA_WEIGHTS};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How an image's colour reaches the CNN (`auto`, `grey` or `rgb` in settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum DeepColour {
    /// The three channels when the image is truly colour (some pixel has R ≠ G or G ≠ B), else
    /// the grey plane replicated to three channels (default).
    #[default]
    Auto,
    /// Always grey: a colour image becomes its BT.601 luminance (as `dlr-image` reads it), replicated.
    Grey,
    /// The three channels of a colour image; a grey image is replicated (the same input as `grey`).
    Rgb,
}

impl DeepColour {
    /// The settings name (`auto`, `grey`, `rgb`).
    pub fn name(self) -> &'static str {
        match self {
            DeepColour::Auto => "auto",
            DeepColour::Grey => "grey",
            DeepColour::Rgb => "rgb",
        }
    }
}

/// What one image was fed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsedColour {
    /// One grey plane replicated to the three input channels.
    Grey,
    /// The image's red, green and blue channels.
    Rgb,
}

impl UsedColour {
    /// The name written to outputs and provenance (`grey`, `rgb`).
    pub fn name(self) -> &'static str {
        match self {
            UsedColour::Grey => "grey",
            UsedColour::Rgb => "rgb",
        }
    }
}

/// A 2-D (or, before slicing, 3-D) image as the CNN input is made from: one grey plane, or the
/// red, green and blue planes of a colour file (same size and geometry).
#[derive(Debug, Clone, PartialEq)]
pub struct DeepImage {
    planes: Vec<Image>,
}

impl DeepImage {
    /// A grey image.
    pub fn grey(image: Image) -> Self {
        DeepImage {
            planes: vec![image],
        }
    }

    /// A colour image from its red, green and blue planes (sizes must agree).
    pub fn rgb(r: Image, g: Image, b: Image) -> Result<Self> {
        for (name, p) in [("green", &g), ("blue", &b)] {
            if p.dims() != r.dims() {
                return Err(crate::DeepError::Invalid(format!(
                    "the {name} plane is {:?} but the red one {:?}",
                    p.dims(),
                    r.dims()
                )));
            }
        }
        Ok(DeepImage {
            planes: vec![r, g, b],
        })
    }

    /// True when the file had three colour channels (even if they are equal everywhere).
    pub fn has_channels(&self) -> bool {
        self.planes.len() == 3
    }

    /// True when the image is truly colour: some pixel has R ≠ G or G ≠ B.
    pub fn is_colour(&self) -> bool {
        match self.planes.as_slice() {
            [r, g, b] => r
                .data()
                .iter()
                .zip(g.data())
                .zip(b.data())
                .any(|((r, g), b)| r != g || g != b),
            _ => false,
        }
    }

    /// The plane that carries the geometry (the grey plane, or red): size, spacing, metadata.
    pub fn geometry(&self) -> &Image {
        &self.planes[0]
    }

    /// The red, green and blue planes (a grey image: its plane three times).
    pub fn channels(&self) -> [&Image; 3] {
        match self.planes.as_slice() {
            [r, g, b] => [r, g, b],
            [p, ..] => [p, p, p],
            [] => unreachable!("a DeepImage always has a plane"),
        }
    }

    /// The grey image: the plane itself, or the BT.601 luminance `0.299 R + 0.587 G + 0.114 B`
    /// computed exactly as `dlr-image` does for [`ColourMode::Luminance`] (R = G = B: that value).
    pub fn luminance(&self) -> Image {
        match self.planes.as_slice() {
            [r, g, b] if self.is_colour() => {
                let data: Vec<f32> = r
                    .data()
                    .iter()
                    .zip(g.data())
                    .zip(b.data())
                    .map(|((&r, &g), &b)| {
                        (LUMA_WEIGHTS[0] * r as f64
                            + LUMA_WEIGHTS[1] * g as f64
                            + LUMA_WEIGHTS[2] * b as f64) as f32
                    })
                    .collect();
                let mut out = r.clone();
                out.data_mut().copy_from_slice(&data);
                out
            }
            [p, ..] => p.clone(),
            [] => unreachable!("a DeepImage always has a plane"),
        }
    }

    /// What `colour` feeds the network for this image.
    pub fn resolve(&self, colour: DeepColour) -> UsedColour {
        match colour {
            DeepColour::Grey => UsedColour::Grey,
            DeepColour::Rgb if self.has_channels() => UsedColour::Rgb,
            DeepColour::Auto if self.is_colour() => UsedColour::Rgb,
            _ => UsedColour::Grey,
        }
    }

    /// The z-th slice of every plane (see [`Image::slice_z`]).
    pub fn slice_z(&self, z: usize) -> Result<DeepImage> {
        Ok(DeepImage {
            planes: self
                .planes
                .iter()
                .map(|p| p.slice_z(z))
                .collect::<std::result::Result<_, _>>()?,
        })
    }
}

/// Reads an image for the CNN with `opts` (frame choice kept; its colour mode is replaced).
///
/// `DeepColour::Grey`: one read, grey as `dlr-image` gives it (BT.601 luminance of a colour file).
/// Otherwise the blue channel is read first; a file without one (grey, grey + alpha) is read as
/// grey, a colour file's red and green channels are read too. Errors are those of the grey read.
pub fn read_deep_image(path: &Path, opts: &ReadOptions, colour: DeepColour) -> Result<DeepImage> {
    let with = |mode: ColourMode| ReadOptions {
        colour: mode,
        ..opts.clone()
    };
    let grey = || -> Result<DeepImage> {
        Ok(DeepImage::grey(dlr_image::read_image_with(
            path,
            &with(ColourMode::Luminance),
        )?))
    };
    if colour == DeepColour::Grey {
        return grey();
    }
    match dlr_image::read_image_with(path, &with(ColourMode::Channel(2))) {
        Ok(b) => {
            let r = dlr_image::read_image_with(path, &with(ColourMode::Channel(0)))?;
            let g = dlr_image::read_image_with(path, &with(ColourMode::Channel(1)))?;
            DeepImage::rgb(r, g, b)
        }
        Err(_) => grey(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plane(v: &[f32]) -> Image {
        Image::new_2d(v.to_vec(), v.len(), 1).unwrap()
    }

    #[test]
    fn auto_is_rgb_only_for_true_colour() {
        let grey_rgb =
            DeepImage::rgb(plane(&[1., 2.]), plane(&[1., 2.]), plane(&[1., 2.])).unwrap();
        assert!(grey_rgb.has_channels() && !grey_rgb.is_colour());
        assert_eq!(grey_rgb.resolve(DeepColour::Auto), UsedColour::Grey);
        assert_eq!(grey_rgb.resolve(DeepColour::Rgb), UsedColour::Rgb);
        // one pixel with G ≠ B is enough
        let colour = DeepImage::rgb(plane(&[1., 2.]), plane(&[1., 2.]), plane(&[1., 3.])).unwrap();
        assert!(colour.is_colour());
        assert_eq!(colour.resolve(DeepColour::Auto), UsedColour::Rgb);
        assert_eq!(colour.resolve(DeepColour::Grey), UsedColour::Grey);
        let grey = DeepImage::grey(plane(&[5., 6.]));
        assert_eq!(grey.resolve(DeepColour::Rgb), UsedColour::Grey);
        assert_eq!(grey.channels()[2].data(), &[5., 6.]);
        assert!(DeepImage::rgb(plane(&[1.]), plane(&[1., 2.]), plane(&[1.])).is_err());
    }

    #[test]
    fn luminance_is_bt601_and_exact_for_grey() {
        let c = DeepImage::rgb(plane(&[255., 10.]), plane(&[0., 10.]), plane(&[0., 20.])).unwrap();
        let y = c.luminance();
        assert!((y.data()[0] - 76.245).abs() < 1e-4, "{}", y.data()[0]);
        assert!((y.data()[1] - (0.886 * 10.0 + 0.114 * 20.0)).abs() < 1e-4);
        let g = DeepImage::rgb(plane(&[7., 9.]), plane(&[7., 9.]), plane(&[7., 9.])).unwrap();
        assert_eq!(g.luminance().data(), &[7., 9.]);
    }

    #[test]
    fn serde_and_names_are_lowercase() {
        for (c, s) in [
            (DeepColour::Auto, "auto"),
            (DeepColour::Grey, "grey"),
            (DeepColour::Rgb, "rgb"),
        ] {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{s}\""));
            assert_eq!(
                serde_json::from_str::<DeepColour>(&format!("\"{s}\"")).unwrap(),
                c
            );
            assert_eq!(c.name(), s);
        }
        assert!(serde_json::from_str::<DeepColour>("\"RGB\"").is_err());
        assert_eq!(serde_json::to_string(&UsedColour::Rgb).unwrap(), "\"rgb\"");
        assert_eq!(DeepColour::default(), DeepColour::Auto);
    }
}
