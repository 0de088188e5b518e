//! PNG, JPEG, BMP and TIFF through the `image` crate: 8/16-bit integer and 32-bit float
//! samples, grey, grey + alpha, RGB and RGBA. Geometry: x = column, y = row (row 0 at the top),
//! unit spacing (these formats carry no reliable physical spacing).

use crate::colour::to_scalar;
use crate::error::{ImageError, Result};
use crate::format::Format;
use crate::limits::ReadLimits;
use crate::read::ReadOptions;
use crate::sample::voxel_count;
use crate::types::Image;
use image::{DynamicImage, ImageDecoder};
use std::io::Cursor;
use std::path::Path;

pub(crate) fn decode(
    bytes: &[u8],
    format: Format,
    path: &Path,
    opts: &ReadOptions,
    limits: &ReadLimits,
) -> Result<Image> {
    let err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        format: format.name().into(),
        reason,
    };
    let fmt = match format {
        Format::Png => image::ImageFormat::Png,
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Bmp => image::ImageFormat::Bmp,
        Format::Tiff => image::ImageFormat::Tiff,
        _ => return Err(err("not a raster format".into())),
    };
    if let Some(f) = opts.frame {
        if f != 0 {
            return Err(ImageError::Invalid(format!(
                "{}: frame {f} requested but {} files are read as a single frame",
                path.display(),
                format.name()
            )));
        }
    }
    if format == Format::Tiff {
        if let Some(img) = tiff_grey(bytes, path, limits)? {
            return Ok(img);
        }
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), fmt);
    // image-rs refuses allocations over max_alloc itself; the size from the header is checked
    // against the pixel limit and the whole decoding footprint below, before anything is decoded.
    let mut il = image::Limits::default();
    il.max_alloc = Some(limits.max_bytes);
    reader.limits(il);
    let decoder = reader.into_decoder().map_err(|e| err(e.to_string()))?;
    let (hw, hh) = decoder.dimensions();
    let ct = decoder.color_type();
    let pixels = u64::from(hw) * u64::from(hh);
    let (bpp, ch) = (
        u64::from(ct.bytes_per_pixel()),
        u64::from(ct.channel_count()),
    );
    // Peak: the decoded buffer while its f32 samples are made, or the samples and the f32 image.
    let per_pixel = (bpp + 4 * ch).max(4 * ch + 4);
    limits.check(
        path,
        &format!("{hw} x {hh} pixels ({ct:?})"),
        pixels,
        pixels.saturating_mul(per_pixel),
    )?;
    let dynimg = DynamicImage::from_decoder(decoder).map_err(|e| err(e.to_string()))?;
    let (w, h) = (dynimg.width() as usize, dynimg.height() as usize);
    voxel_count([w, h, 1], path, format.name())?;
    let mut notes = Vec::new();
    let (samples, channels, bits): (Vec<f32>, usize, u16) = match dynimg {
        DynamicImage::ImageLuma8(b) => (b.into_raw().into_iter().map(f32::from).collect(), 1, 8),
        DynamicImage::ImageLumaA8(b) => (b.into_raw().into_iter().map(f32::from).collect(), 2, 8),
        DynamicImage::ImageRgb8(b) => (b.into_raw().into_iter().map(f32::from).collect(), 3, 8),
        DynamicImage::ImageRgba8(b) => (b.into_raw().into_iter().map(f32::from).collect(), 4, 8),
        DynamicImage::ImageLuma16(b) => (b.into_raw().into_iter().map(f32::from).collect(), 1, 16),
        DynamicImage::ImageLumaA16(b) => (b.into_raw().into_iter().map(f32::from).collect(), 2, 16),
        DynamicImage::ImageRgb16(b) => (b.into_raw().into_iter().map(f32::from).collect(), 3, 16),
        DynamicImage::ImageRgba16(b) => (b.into_raw().into_iter().map(f32::from).collect(), 4, 16),
        DynamicImage::ImageRgb32F(b) => (b.into_raw(), 3, 32),
        DynamicImage::ImageRgba32F(b) => (b.into_raw(), 4, 32),
        other => {
            return Err(ImageError::Unsupported {
                path: path.to_path_buf(),
                what: format!("pixel layout {:?}", other.color()),
                hint: "convert the image to 8/16-bit grey or RGB".into(),
            })
        }
    };
    if samples.len() != w * h * channels {
        return Err(err(format!(
            "decoder returned {} samples for {w}x{h}x{channels}",
            samples.len()
        )));
    }
    let data =
        to_scalar(&samples, channels, opts.colour, &mut notes).map_err(|e| err(e.to_string()))?;
    let mut img = Image::new(data, [w, h, 1])?;
    img.meta.bits_stored = Some(bits);
    notes.push("no physical spacing in file: spacing 1 (pixels)".into());
    img.meta.notes = notes;
    Ok(img)
}

/// Grey TIFF of any sample type (8-64 bit integer, 32/64-bit float) through the `tiff` crate,
/// which the `image` crate cannot return as one channel beyond 16 bits. `None` when the first
/// page is not grey (the `image` crate path handles it).
fn tiff_grey(bytes: &[u8], path: &Path, limits: &ReadLimits) -> Result<Option<Image>> {
    use tiff::decoder::{Decoder, DecodingResult, Limits};
    let err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        format: "tiff".into(),
        reason,
    };
    let mut tl = Limits::default();
    tl.decoding_buffer_size = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let mut dec = Decoder::new(Cursor::new(bytes))
        .map_err(|e| err(e.to_string()))?
        .with_limits(tl);
    let bits = match dec.colortype().map_err(|e| err(e.to_string()))? {
        tiff::ColorType::Gray(b) => b,
        _ => return Ok(None),
    };
    let (w, h) = dec.dimensions().map_err(|e| err(e.to_string()))?;
    // Decoded samples (1-8 bytes) and the f32 image, checked before decoding.
    limits.check_dims(
        path,
        &[u64::from(w), u64::from(h)],
        u64::from(bits).div_ceil(8) + 4,
    )?;
    let (w, h) = (w as usize, h as usize);
    voxel_count([w, h, 1], path, "tiff")?;
    let data: Vec<f32> = match dec.read_image().map_err(|e| err(e.to_string()))? {
        DecodingResult::U8(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::U32(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::I8(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::I16(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::I32(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::F32(v) => v,
        DecodingResult::F64(v) => v.into_iter().map(|x| x as f32).collect(),
        _ => {
            return Err(ImageError::Unsupported {
                path: path.to_path_buf(),
                what: format!("{bits}-bit TIFF sample type"),
                hint: "save as 8/16/32-bit integer or 32/64-bit float".into(),
            })
        }
    };
    if data.len() != w * h {
        return Err(err(format!(
            "decoder returned {} samples for {w}x{h}",
            data.len()
        )));
    }
    let mut notes = vec![format!("grey TIFF, {bits}-bit samples")];
    if dec.more_images() {
        notes.push("multi-page TIFF: first page read".into());
    }
    notes.push("no physical spacing in file: spacing 1 (pixels)".into());
    let mut img = Image::new(data, [w, h, 1])?;
    img.meta.bits_stored = Some(u16::from(bits));
    img.meta.notes = notes;
    Ok(Some(img))
}
