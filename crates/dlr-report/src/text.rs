//! The embedded font (DejaVu Sans, Bitstream Vera licence, see `assets/DejaVuSans-LICENSE.txt`):
//! text measurement for figure layout and glyph outlines for PNG rendering, so SVG and PNG share
//! one layout and no system font is needed.

use ab_glyph::{Font, FontRef, OutlineCurve};
use std::sync::OnceLock;

static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

/// Font family written into SVG files; DejaVu Sans first so viewers that have it match the PNG.
pub(crate) const SVG_FONT_FAMILY: &str =
    "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, Helvetica, sans-serif";

/// The parsed embedded font, or `None` if it could not be parsed (never expected; tested).
pub(crate) fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

fn units_per_em(f: &FontRef<'_>) -> f32 {
    f.units_per_em().unwrap_or(2048.0)
}

/// Advance width of `text` at font size `size` (em size in figure units), kerning included.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let Some(f) = font() else {
        return 0.6 * size * text.chars().count() as f64;
    };
    let scale = size / units_per_em(f) as f64;
    let mut width = 0.0f64;
    let mut prev = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            width += f.kern_unscaled(p, id) as f64 * scale;
        }
        width += f.h_advance_unscaled(id) as f64 * scale;
        prev = Some(id);
    }
    width
}

/// Shortens `text` with a trailing ellipsis so it fits in `max_width` at `size`.
pub(crate) fn truncate_to_width(text: &str, size: f64, max_width: f64) -> String {
    if text_width(text, size) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut n = chars.len();
    while n > 1 {
        n -= 1;
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if text_width(&s, size) <= max_width {
            return s;
        }
    }
    "…".to_string()
}

/// Outline of `text` laid out from the origin along +x with the baseline at y = 0 and y pointing
/// down, as closed contours of line, quadratic and cubic segments (figure units).
pub(crate) fn text_outline(text: &str, size: f64, pb: &mut tiny_skia::PathBuilder) -> bool {
    let Some(f) = font() else {
        return false;
    };
    let scale = (size / units_per_em(f) as f64) as f32;
    let mut pen = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(p) = prev {
            pen += f.kern_unscaled(p, id) * scale;
        }
        if let Some(outline) = f.outline(id) {
            let tx = |p: ab_glyph::Point| (pen + p.x * scale, -p.y * scale);
            let mut last: Option<ab_glyph::Point> = None;
            for curve in &outline.curves {
                let (start, end) = match curve {
                    OutlineCurve::Line(a, b) => (*a, *b),
                    OutlineCurve::Quad(a, _, b) => (*a, *b),
                    OutlineCurve::Cubic(a, _, _, b) => (*a, *b),
                };
                if last != Some(start) {
                    if last.is_some() {
                        pb.close();
                    }
                    let (x, y) = tx(start);
                    pb.move_to(x, y);
                }
                match curve {
                    OutlineCurve::Line(_, b) => {
                        let (x, y) = tx(*b);
                        pb.line_to(x, y);
                    }
                    OutlineCurve::Quad(_, c, b) => {
                        let (cx, cy) = tx(*c);
                        let (x, y) = tx(*b);
                        pb.quad_to(cx, cy, x, y);
                    }
                    OutlineCurve::Cubic(_, c1, c2, b) => {
                        let (c1x, c1y) = tx(*c1);
                        let (c2x, c2y) = tx(*c2);
                        let (x, y) = tx(*b);
                        pb.cubic_to(c1x, c1y, c2x, c2y, x, y);
                    }
                }
                last = Some(end);
            }
            if last.is_some() {
                pb.close();
            }
        }
        pen += f.h_advance_unscaled(id) * scale;
        prev = Some(id);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_font_parses_and_measures() {
        assert!(font().is_some(), "embedded DejaVu Sans must parse");
        // DejaVu Sans advance of 'M' is 1767/2048 em; at 20 px that is 17.256 px.
        let w = text_width("M", 20.0);
        assert!((w - 1767.0 / 2048.0 * 20.0).abs() < 1e-3, "{w}");
        assert!(text_width("AUC 0.76", 12.0) > text_width("AUC", 12.0));
        let t = truncate_to_width("a very long feature name indeed", 12.0, 60.0);
        assert!(t.ends_with('…') && text_width(&t, 12.0) <= 60.0, "{t}");
    }
}
