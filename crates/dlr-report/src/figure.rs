//! The figure scene: a list of drawing primitives (paths, markers, text) in figure units
//! (1 unit = 1 CSS pixel), serialised to self-contained SVG or rasterised to PNG with the same
//! layout. Every primitive carries a `class` so tests and stylesheets can find series, legend
//! entries and reference lines.

use crate::error::{ReportError, Result};
use crate::html::escape_html;
use crate::text::{text_outline, SVG_FONT_FAMILY};
use serde::{Deserialize, Serialize};

/// An opaque sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Color {
    /// Red, 0–255.
    pub r: u8,
    /// Green, 0–255.
    pub g: u8,
    /// Blue, 0–255.
    pub b: u8,
}

impl Color {
    /// Colour from its 0xRRGGBB value.
    pub const fn hex(rgb: u32) -> Self {
        Self {
            r: (rgb >> 16) as u8,
            g: (rgb >> 8) as u8,
            b: rgb as u8,
        }
    }

    /// `#rrggbb` form for SVG and CSS.
    pub fn to_css(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// Black.
pub const BLACK: Color = Color::hex(0x000000);
/// Mid grey used for reference lines.
pub const GREY: Color = Color::hex(0x7f7f7f);
/// Light grey used for grid lines.
pub const GRID: Color = Color::hex(0xe3e3e3);
/// White.
pub const WHITE: Color = Color::hex(0xffffff);

/// Okabe–Ito colour-blind-safe palette in the order series use it (blue, vermillion, bluish
/// green, reddish purple, orange, sky blue, black, yellow).
pub const PALETTE: [Color; 8] = [
    Color::hex(0x0072b2),
    Color::hex(0xd55e00),
    Color::hex(0x009e73),
    Color::hex(0xcc79a7),
    Color::hex(0xe69f00),
    Color::hex(0x56b4e9),
    Color::hex(0x000000),
    Color::hex(0xf0e442),
];

/// Line style of a stroked primitive.
#[derive(Clone, Debug, PartialEq)]
pub struct Stroke {
    /// Colour.
    pub color: Color,
    /// Width in figure units.
    pub width: f64,
    /// Dash pattern (on, off, ...) in figure units; `None` for solid.
    pub dash: Option<Vec<f64>>,
}

impl Stroke {
    /// Solid line.
    pub fn solid(color: Color, width: f64) -> Self {
        Self {
            color,
            width,
            dash: None,
        }
    }

    /// Dashed line.
    pub fn dashed(color: Color, width: f64, dash: &[f64]) -> Self {
        Self {
            color,
            width,
            dash: Some(dash.to_vec()),
        }
    }
}

/// Horizontal alignment of text relative to its anchor point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// Text starts at the anchor.
    Start,
    /// Text is centred on the anchor.
    Middle,
    /// Text ends at the anchor.
    End,
}

/// One drawing primitive.
#[derive(Clone, Debug, PartialEq)]
pub enum Element {
    /// Polylines (one per subpath), optionally closed and filled.
    Path {
        /// CSS class naming the role ("series", "legend-swatch", "reference-line", ...).
        class: String,
        /// Subpaths of (x, y) points.
        subpaths: Vec<Vec<(f64, f64)>>,
        /// Close every subpath.
        closed: bool,
        /// Fill colour and opacity (0–1).
        fill: Option<(Color, f64)>,
        /// Outline.
        stroke: Option<Stroke>,
    },
    /// Text with its baseline at `y`.
    Text {
        /// CSS class naming the role ("title", "tick-label", "legend-label", ...).
        class: String,
        /// Anchor x.
        x: f64,
        /// Baseline y.
        y: f64,
        /// The text.
        text: String,
        /// Font size (em) in figure units.
        size: f64,
        /// Alignment.
        anchor: Anchor,
        /// Rotation in degrees about (x, y), clockwise on screen.
        rotate: f64,
        /// Colour.
        color: Color,
    },
}

/// A rendered chart: size in figure units, an accessible title, and its primitives.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// Width in figure units (CSS pixels).
    pub width: f64,
    /// Height in figure units.
    pub height: f64,
    /// Accessible title (SVG `<title>`), usually the chart title.
    pub title: String,
    /// Primitives in painting order.
    pub elements: Vec<Element>,
}

/// Compact number for SVG attributes: two decimals, trailing zeros removed.
fn n(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

impl Figure {
    /// Empty figure of the given size.
    pub fn new(width: f64, height: f64, title: &str) -> Self {
        Self {
            width,
            height,
            title: title.to_string(),
            elements: Vec::new(),
        }
    }

    /// Number of primitives with the given class.
    pub fn count_class(&self, class: &str) -> usize {
        self.elements
            .iter()
            .filter(|e| match e {
                Element::Path { class: c, .. } | Element::Text { class: c, .. } => c == class,
            })
            .count()
    }

    /// Self-contained SVG 1.1 document: all text as `<text>` with a generic font stack, no
    /// external references, white background, `viewBox` so it scales.
    pub fn to_svg(&self) -> String {
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{f}\" role=\"img\">\n<title>{t}</title>\n<rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n",
            w = n(self.width),
            h = n(self.height),
            f = SVG_FONT_FAMILY,
            t = escape_html(&self.title)
        );
        for e in &self.elements {
            match e {
                Element::Path {
                    class,
                    subpaths,
                    closed,
                    fill,
                    stroke,
                } => {
                    let mut d = String::new();
                    for sp in subpaths.iter().filter(|sp| !sp.is_empty()) {
                        for (i, (x, y)) in sp.iter().enumerate() {
                            d.push_str(if i == 0 { "M" } else { "L" });
                            d.push_str(&format!("{} {}", n(*x), n(*y)));
                        }
                        if *closed {
                            d.push('Z');
                        }
                    }
                    if d.is_empty() {
                        continue;
                    }
                    s.push_str(&format!(
                        "<path class=\"{}\" d=\"{}\"",
                        escape_html(class),
                        d
                    ));
                    match fill {
                        Some((c, a)) => {
                            s.push_str(&format!(" fill=\"{}\"", c.to_css()));
                            if *a < 1.0 {
                                s.push_str(&format!(" fill-opacity=\"{}\"", n(*a)));
                            }
                        }
                        None => s.push_str(" fill=\"none\""),
                    }
                    if let Some(st) = stroke {
                        s.push_str(&format!(
                            " stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"{}\"",
                            st.color.to_css(),
                            n(st.width),
                            if st.dash.is_some() { "butt" } else { "round" }
                        ));
                        if let Some(dash) = &st.dash {
                            let ds: Vec<String> = dash.iter().map(|v| n(*v)).collect();
                            s.push_str(&format!(" stroke-dasharray=\"{}\"", ds.join(" ")));
                        }
                    }
                    s.push_str("/>\n");
                }
                Element::Text {
                    class,
                    x,
                    y,
                    text,
                    size,
                    anchor,
                    rotate,
                    color,
                } => {
                    let a = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    s.push_str(&format!(
                        "<text class=\"{}\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"",
                        escape_html(class),
                        n(*x),
                        n(*y),
                        n(*size),
                        a,
                        color.to_css()
                    ));
                    if *rotate != 0.0 {
                        s.push_str(&format!(
                            " transform=\"rotate({} {} {})\"",
                            n(*rotate),
                            n(*x),
                            n(*y)
                        ));
                    }
                    s.push_str(&format!(">{}</text>\n", escape_html(text)));
                }
            }
        }
        s.push_str("</svg>\n");
        s
    }

    /// PNG of `width_px` × `height_px` pixels: the figure scaled uniformly to fit and centred on
    /// white, text drawn from the embedded font's outlines (anti-aliased).
    pub fn to_png(&self, width_px: u32, height_px: u32) -> Result<Vec<u8>> {
        let rgba = self.to_rgba(width_px, height_px)?;
        let img = image::RgbaImage::from_raw(width_px, height_px, rgba).ok_or_else(|| {
            ReportError::Render {
                what: "PNG".into(),
                reason: "pixel buffer size mismatch".into(),
            }
        })?;
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| ReportError::Render {
                what: "PNG".into(),
                reason: e.to_string(),
            })?;
        Ok(out.into_inner())
    }

    /// Straight (non-premultiplied) RGBA8 pixels of the rasterised figure, row-major.
    pub fn to_rgba(&self, width_px: u32, height_px: u32) -> Result<Vec<u8>> {
        use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Transform};
        let render_err = |reason: String| ReportError::Render {
            what: format!("figure '{}' as {width_px}x{height_px} PNG", self.title),
            reason,
        };
        const MAX_SIDE: u32 = 16_384;
        if width_px == 0 || height_px == 0 || width_px > MAX_SIDE || height_px > MAX_SIDE {
            return Err(render_err(format!(
                "each side must be between 1 and {MAX_SIDE} pixels"
            )));
        }
        if !(self.width > 0.0 && self.height > 0.0) {
            return Err(render_err("figure has no area".into()));
        }
        let mut pixmap = Pixmap::new(width_px, height_px)
            .ok_or_else(|| render_err("cannot allocate pixel buffer".into()))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        let scale = (width_px as f64 / self.width).min(height_px as f64 / self.height);
        let ox = (width_px as f64 - self.width * scale) / 2.0;
        let oy = (height_px as f64 - self.height * scale) / 2.0;
        let base = Transform::from_row(scale as f32, 0.0, 0.0, scale as f32, ox as f32, oy as f32);
        let paint_of = |c: Color, alpha: f64| {
            let mut p = Paint::default();
            p.set_color_rgba8(c.r, c.g, c.b, (alpha.clamp(0.0, 1.0) * 255.0).round() as u8);
            p.anti_alias = true;
            p
        };
        for e in &self.elements {
            match e {
                Element::Path {
                    subpaths,
                    closed,
                    fill,
                    stroke,
                    ..
                } => {
                    let mut pb = PathBuilder::new();
                    for sp in subpaths.iter().filter(|sp| !sp.is_empty()) {
                        for (i, (x, y)) in sp.iter().enumerate() {
                            if i == 0 {
                                pb.move_to(*x as f32, *y as f32);
                            } else {
                                pb.line_to(*x as f32, *y as f32);
                            }
                        }
                        if *closed {
                            pb.close();
                        }
                    }
                    let Some(path) = pb.finish() else { continue };
                    if let Some((c, a)) = fill {
                        pixmap.fill_path(&path, &paint_of(*c, *a), FillRule::Winding, base, None);
                    }
                    if let Some(st) = stroke {
                        let mut sk = tiny_skia::Stroke {
                            width: st.width as f32,
                            line_join: tiny_skia::LineJoin::Round,
                            line_cap: if st.dash.is_some() {
                                tiny_skia::LineCap::Butt
                            } else {
                                tiny_skia::LineCap::Round
                            },
                            ..Default::default()
                        };
                        if let Some(d) = &st.dash {
                            sk.dash = tiny_skia::StrokeDash::new(
                                d.iter().map(|v| *v as f32).collect(),
                                0.0,
                            );
                        }
                        pixmap.stroke_path(&path, &paint_of(st.color, 1.0), &sk, base, None);
                    }
                }
                Element::Text {
                    x,
                    y,
                    text,
                    size,
                    anchor,
                    rotate,
                    color,
                    ..
                } => {
                    let mut pb = PathBuilder::new();
                    if !text_outline(text, *size, &mut pb) {
                        return Err(render_err("embedded font cannot be parsed".into()));
                    }
                    let Some(path) = pb.finish() else { continue };
                    let w = crate::text::text_width(text, *size);
                    let dx = match anchor {
                        Anchor::Start => 0.0,
                        Anchor::Middle => -w / 2.0,
                        Anchor::End => -w,
                    };
                    let t = base
                        .pre_translate(*x as f32, *y as f32)
                        .pre_concat(Transform::from_rotate(*rotate as f32))
                        .pre_translate(dx as f32, 0.0);
                    pixmap.fill_path(&path, &paint_of(*color, 1.0), FillRule::Winding, t, None);
                }
            }
        }
        let mut out = Vec::with_capacity(pixmap.data().len());
        for p in pixmap.pixels() {
            let c = p.demultiply();
            out.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
        }
        Ok(out)
    }
}
