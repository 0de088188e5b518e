//! Plot layout shared by every chart: nice axis ticks, data-to-pixel mapping, axes with grid,
//! ticks and labels, clipping of lines to the plot area, markers and legends.

use crate::figure::{Anchor, Color, Element, Figure, Stroke, BLACK, GRID, WHITE};
use crate::format::fmt_tick;
use crate::text::{text_width, truncate_to_width};

/// Font size of the chart title.
pub(crate) const TITLE_SIZE: f64 = 15.0;
/// Font size of axis labels.
pub(crate) const LABEL_SIZE: f64 = 14.0;
/// Font size of tick labels.
pub(crate) const TICK_SIZE: f64 = 13.0;
/// Largest legend font size (shrinks to [`LEGEND_MIN`] when the legend does not fit).
pub(crate) const LEGEND_SIZE: f64 = 12.0;
/// Smallest legend font size before labels are truncated.
pub(crate) const LEGEND_MIN: f64 = 9.5;
const TICK_LEN: f64 = 5.0;

/// A linear axis: data range, tick positions and label.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
    pub decimals: usize,
    pub label: String,
}

fn decimals_for(step: f64) -> usize {
    let d = -(step.log10() + 1e-9).floor();
    if d > 0.0 {
        d as usize
    } else {
        0
    }
}

fn ticks_between(min: f64, max: f64, step: f64) -> Vec<f64> {
    let first = (min / step - 1e-9).ceil() as i64;
    let last = (max / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            if v == 0.0 {
                0.0
            } else {
                v
            }
        })
        .collect()
}

/// A "nice" tick step (1, 2 or 5 × 10^k) giving about `target` intervals over `range`.
pub(crate) fn nice_step(range: f64, target: f64) -> f64 {
    let raw = range / target;
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nf = if f < 1.5 {
        1.0
    } else if f < 3.0 {
        2.0
    } else if f < 7.0 {
        5.0
    } else {
        10.0
    };
    nf * mag
}

impl Axis {
    /// Fixed range with ticks every `step`.
    pub fn fixed(min: f64, max: f64, step: f64, label: &str) -> Self {
        Self {
            min,
            max,
            ticks: ticks_between(min, max, step),
            decimals: decimals_for(step),
            label: label.to_string(),
        }
    }

    /// Range covering [lo, hi] (finite), widened to whole tick steps, about five intervals.
    pub fn auto(lo: f64, hi: f64, label: &str) -> Self {
        Self::auto_with(lo, hi, label, 5.0)
    }

    /// [`Axis::auto`] aiming at about `target` intervals.
    pub fn auto_with(lo: f64, hi: f64, label: &str, target: f64) -> Self {
        let (mut lo, mut hi) = (lo.min(hi), lo.max(hi));
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            let pad = (hi.abs() * 0.1).max(0.5);
            lo -= pad;
            hi += pad;
        }
        let step = nice_step(hi - lo, target);
        let min = (lo / step - 1e-9).floor() * step;
        let max = (hi / step + 1e-9).ceil() * step;
        Self::fixed(min, max, step, label)
    }
}

/// Marker shapes, cycled per series so series differ in greyscale print too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
}

/// Marker shape for series number `i`.
pub(crate) fn shape_for(i: usize) -> Shape {
    [
        Shape::Circle,
        Shape::Square,
        Shape::Triangle,
        Shape::Diamond,
    ][i % 4]
}

/// Dash pattern for series number `i`: solid for the first palette cycle, then dashed variants.
pub(crate) fn dash_for(i: usize) -> Option<Vec<f64>> {
    match (i / 7) % 3 {
        0 => None,
        1 => Some(vec![7.0, 3.0]),
        _ => Some(vec![2.0, 2.0]),
    }
}

/// Series colour for series number `i` (Okabe–Ito, skipping yellow which is weak on white).
pub(crate) fn color_for(i: usize) -> Color {
    crate::figure::PALETTE[i % 7]
}

/// Polygon outline of a marker centred at (x, y) with radius r.
pub(crate) fn marker_points(shape: Shape, x: f64, y: f64, r: f64) -> Vec<(f64, f64)> {
    match shape {
        Shape::Circle => (0..20)
            .map(|k| {
                let a = k as f64 * std::f64::consts::TAU / 20.0;
                (x + r * a.cos(), y + r * a.sin())
            })
            .collect(),
        Shape::Square => {
            let s = r * 0.88;
            vec![
                (x - s, y - s),
                (x + s, y - s),
                (x + s, y + s),
                (x - s, y + s),
            ]
        }
        Shape::Triangle => {
            let s = r * 1.2;
            vec![
                (x, y - s),
                (x + s * 0.866, y + s * 0.5),
                (x - s * 0.866, y + s * 0.5),
            ]
        }
        Shape::Diamond => {
            let s = r * 1.2;
            vec![(x, y - s), (x + s, y), (x, y + s), (x - s, y)]
        }
    }
}

/// Clips segment a–b to the rectangle (Liang–Barsky); `None` when it lies outside.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    r: (f64, f64, f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (xmin, ymin, xmax, ymax) = r;
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - xmin),
        (dx, xmax - a.0),
        (-dy, a.1 - ymin),
        (dy, ymax - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                if t > t1 {
                    return None;
                }
                t0 = t0.max(t);
            } else {
                if t < t0 {
                    return None;
                }
                t1 = t1.min(t);
            }
        }
    }
    let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
    Some((at(t0), if t1 >= 1.0 { b } else { at(t1) }))
}

/// Splits a polyline into the pieces inside the rectangle; non-finite points break the line.
pub(crate) fn clip_polyline(
    pts: &[(f64, f64)],
    rect: (f64, f64, f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let mut out = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let clipped = if finite(&a) && finite(&b) {
            clip_segment(a, b, rect)
        } else {
            None
        };
        match clipped {
            Some((p, q)) => {
                let joins = cur
                    .last()
                    .is_some_and(|l| (l.0 - p.0).abs() < 1e-9 && (l.1 - p.1).abs() < 1e-9);
                if !joins && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if cur.is_empty() {
                    cur.push(p);
                }
                cur.push(q);
            }
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// One legend row: a line sample and/or a marker, and the label.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    pub label: String,
    pub stroke: Option<Stroke>,
    pub marker: Option<(Shape, Color)>,
    pub fill: Option<Color>,
}

/// Where the legend box goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LegendPos {
    BottomRight,
    TopRight,
    /// To the right of the plot area, in space reserved with `extra_right`.
    Outside,
}

/// Chart under construction: the figure, the plot rectangle and the axes.
pub(crate) struct Plot {
    pub fig: Figure,
    pub left: f64,
    pub top: f64,
    pub pw: f64,
    pub ph: f64,
    pub x: Axis,
    pub y: Axis,
}

/// Layout request for [`Plot::new`].
pub(crate) struct Layout {
    /// Plot-area width and height.
    pub pw: f64,
    pub ph: f64,
    /// Extra space to the right of the plot (outside legend).
    pub extra_right: f64,
    /// Extra space above the plot (secondary labels).
    pub extra_top: f64,
    /// Fixed left margin instead of one computed from the y tick labels.
    pub left: Option<f64>,
    /// Draw y tick labels (bar charts draw their own).
    pub y_tick_labels: bool,
}

impl Layout {
    /// Plain layout of a `pw` × `ph` plot area.
    pub fn new(pw: f64, ph: f64) -> Self {
        Self {
            pw,
            ph,
            extra_right: 0.0,
            extra_top: 0.0,
            left: None,
            y_tick_labels: true,
        }
    }
}

impl Plot {
    /// Lays out title, grid, frame, ticks and axis labels.
    pub fn new(title: &str, x: Axis, y: Axis, layout: Layout) -> Self {
        let ytick_w = if layout.y_tick_labels {
            y.ticks
                .iter()
                .map(|v| text_width(&fmt_tick(*v, y.decimals), TICK_SIZE))
                .fold(0.0, f64::max)
        } else {
            0.0
        };
        let ylabel_gap = if y.label.is_empty() {
            0.0
        } else {
            LABEL_SIZE + 8.0
        };
        let left = layout
            .left
            .unwrap_or(TICK_LEN + 4.0 + ytick_w + 6.0 + ylabel_gap + 4.0);
        let top = if title.is_empty() { 14.0 } else { 36.0 } + layout.extra_top;
        let bottom = TICK_LEN + 4.0 + TICK_SIZE + if x.label.is_empty() { 8.0 } else { 30.0 };
        let right = 18.0 + layout.extra_right;
        let width = left + layout.pw + right;
        let height = top + layout.ph + bottom;
        let mut p = Plot {
            fig: Figure::new(width, height, title),
            left,
            top,
            pw: layout.pw,
            ph: layout.ph,
            x,
            y,
        };
        if !title.is_empty() {
            let max_w = width - 12.0;
            let mut size = TITLE_SIZE;
            while text_width(title, size) > max_w && size > 10.0 {
                size -= 0.5;
            }
            let t = truncate_to_width(title, size, max_w);
            p.text("title", width / 2.0, 24.0, &t, size, Anchor::Middle, 0.0);
        }
        // grid
        let (l, t, r, b) = (left, top, left + p.pw, top + p.ph);
        let mut grid = Vec::new();
        for v in p.x.ticks.clone() {
            let px = p.px(v);
            grid.push(vec![(px, t), (px, b)]);
        }
        for v in p.y.ticks.clone() {
            let py = p.py(v);
            grid.push(vec![(l, py), (r, py)]);
        }
        p.path("grid", grid, false, None, Some(Stroke::solid(GRID, 0.8)));
        // ticks and labels
        let mut ticks = Vec::new();
        for v in p.x.ticks.clone() {
            let px = p.px(v);
            ticks.push(vec![(px, b), (px, b + TICK_LEN)]);
            let s = fmt_tick(v, p.x.decimals);
            p.text(
                "tick-label",
                px,
                b + TICK_LEN + 3.0 + TICK_SIZE * 0.8,
                &s,
                TICK_SIZE,
                Anchor::Middle,
                0.0,
            );
        }
        for v in p.y.ticks.clone() {
            let py = p.py(v);
            ticks.push(vec![(l - TICK_LEN, py), (l, py)]);
            if layout.y_tick_labels {
                let s = fmt_tick(v, p.y.decimals);
                p.text(
                    "tick-label",
                    l - TICK_LEN - 3.0,
                    py + TICK_SIZE * 0.36,
                    &s,
                    TICK_SIZE,
                    Anchor::End,
                    0.0,
                );
            }
        }
        p.path("tick", ticks, false, None, Some(Stroke::solid(BLACK, 1.0)));
        p.path(
            "axis",
            vec![vec![(l, t), (r, t), (r, b), (l, b)]],
            true,
            None,
            Some(Stroke::solid(BLACK, 1.0)),
        );
        if !p.x.label.is_empty() {
            let xl = p.x.label.clone();
            p.text(
                "axis-label",
                l + p.pw / 2.0,
                b + TICK_LEN + 4.0 + TICK_SIZE + 20.0,
                &xl,
                LABEL_SIZE,
                Anchor::Middle,
                0.0,
            );
        }
        if !p.y.label.is_empty() {
            let yl = p.y.label.clone();
            let x = l - TICK_LEN - 4.0 - ytick_w - 8.0;
            p.text(
                "axis-label",
                x,
                t + p.ph / 2.0,
                &yl,
                LABEL_SIZE,
                Anchor::Middle,
                -90.0,
            );
        }
        p
    }

    /// Pixel x of data value `v`.
    pub fn px(&self, v: f64) -> f64 {
        self.left + (v - self.x.min) / (self.x.max - self.x.min) * self.pw
    }

    /// Pixel y of data value `v`.
    pub fn py(&self, v: f64) -> f64 {
        self.top + self.ph - (v - self.y.min) / (self.y.max - self.y.min) * self.ph
    }

    fn rect(&self) -> (f64, f64, f64, f64) {
        (self.left, self.top, self.left + self.pw, self.top + self.ph)
    }

    /// Adds a raw path element.
    pub fn path(
        &mut self,
        class: &str,
        subpaths: Vec<Vec<(f64, f64)>>,
        closed: bool,
        fill: Option<(Color, f64)>,
        stroke: Option<Stroke>,
    ) {
        self.fig.elements.push(Element::Path {
            class: class.to_string(),
            subpaths,
            closed,
            fill,
            stroke,
        });
    }

    /// Adds a text element.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        class: &str,
        x: f64,
        y: f64,
        text: &str,
        size: f64,
        anchor: Anchor,
        rotate: f64,
    ) {
        self.fig.elements.push(Element::Text {
            class: class.to_string(),
            x,
            y,
            text: text.to_string(),
            size,
            anchor,
            rotate,
            color: BLACK,
        });
    }

    /// Adds a data-space polyline clipped to the plot area as one path element (always added,
    /// possibly empty, so each series has exactly one path).
    pub fn line(&mut self, class: &str, pts: &[(f64, f64)], stroke: Stroke) {
        let px: Vec<(f64, f64)> = pts
            .iter()
            .map(|(x, y)| (self.px(*x), self.py(*y)))
            .collect();
        let sub = clip_polyline(&px, self.rect());
        self.path(class, sub, false, None, Some(stroke));
    }

    /// Adds vertical error bars (with caps) at data x from y_lo to y_hi, clipped.
    pub fn error_bars(&mut self, class: &str, bars: &[(f64, f64, f64)], color: Color, cap: f64) {
        let mut sub = Vec::new();
        let rect = self.rect();
        for (x, lo, hi) in bars {
            if !(x.is_finite() && lo.is_finite() && hi.is_finite()) {
                continue;
            }
            let (px, plo, phi) = (self.px(*x), self.py(*lo), self.py(*hi));
            sub.extend(clip_polyline(&[(px, plo), (px, phi)], rect));
            for py in [plo, phi] {
                if py >= rect.1 - 1e-9 && py <= rect.3 + 1e-9 {
                    sub.extend(clip_polyline(&[(px - cap, py), (px + cap, py)], rect));
                }
            }
        }
        self.path(class, sub, false, None, Some(Stroke::solid(color, 1.0)));
    }

    /// Adds markers at data points (points outside the plot area are skipped) as one path.
    pub fn markers(&mut self, class: &str, pts: &[(f64, f64)], shape: Shape, color: Color, r: f64) {
        let rect = self.rect();
        let sub: Vec<Vec<(f64, f64)>> = pts
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| (self.px(*x), self.py(*y)))
            .filter(|(x, y)| *x >= rect.0 && *x <= rect.2 && *y >= rect.1 && *y <= rect.3)
            .map(|(x, y)| marker_points(shape, x, y, r))
            .collect();
        self.path(
            class,
            sub,
            true,
            Some((color, 1.0)),
            Some(Stroke::solid(WHITE, 0.6)),
        );
    }

    /// Draws the legend; labels shrink then truncate so the box fits its space.
    pub fn legend(&mut self, entries: &[LegendEntry], pos: LegendPos) {
        if entries.is_empty() {
            return;
        }
        let swatch = 26.0;
        let pad = 7.0;
        let avail = match pos {
            LegendPos::Outside => self.fig.width - (self.left + self.pw) - 12.0 - 4.0,
            _ => self.pw - 16.0,
        };
        let max_label_w = avail - 2.0 * pad - swatch - 6.0;
        let widest = |size: f64| {
            entries
                .iter()
                .map(|e| text_width(&e.label, size))
                .fold(0.0, f64::max)
        };
        let mut size = LEGEND_SIZE;
        while widest(size) > max_label_w && size > LEGEND_MIN {
            size -= 0.5;
        }
        let labels: Vec<String> = entries
            .iter()
            .map(|e| truncate_to_width(&e.label, size, max_label_w))
            .collect();
        let row_h = size * 1.45;
        let label_w = labels
            .iter()
            .map(|l| text_width(l, size))
            .fold(0.0, f64::max);
        let bw = 2.0 * pad + swatch + 6.0 + label_w;
        let bh = 2.0 * pad + row_h * entries.len() as f64 - (row_h - size);
        let (bx, by) = match pos {
            LegendPos::BottomRight => (
                self.left + self.pw - bw - 8.0,
                self.top + self.ph - bh - 8.0,
            ),
            LegendPos::TopRight => (self.left + self.pw - bw - 8.0, self.top + 8.0),
            LegendPos::Outside => (self.left + self.pw + 12.0, self.top),
        };
        self.path(
            "legend-box",
            vec![vec![
                (bx, by),
                (bx + bw, by),
                (bx + bw, by + bh),
                (bx, by + bh),
            ]],
            true,
            Some((WHITE, 0.92)),
            Some(Stroke::solid(Color::hex(0xb0b0b0), 0.8)),
        );
        for (i, (e, label)) in entries.iter().zip(labels.iter()).enumerate() {
            let cy = by + pad + size * 0.5 + i as f64 * row_h;
            let sx = bx + pad;
            if let Some(fill) = e.fill {
                self.path(
                    "legend-swatch",
                    vec![vec![
                        (sx + 4.0, cy - size * 0.4),
                        (sx + swatch - 4.0, cy - size * 0.4),
                        (sx + swatch - 4.0, cy + size * 0.4),
                        (sx + 4.0, cy + size * 0.4),
                    ]],
                    true,
                    Some((fill, 1.0)),
                    None,
                );
            }
            if let Some(st) = &e.stroke {
                self.path(
                    "legend-swatch",
                    vec![vec![(sx, cy), (sx + swatch, cy)]],
                    false,
                    None,
                    Some(st.clone()),
                );
            }
            if let Some((shape, c)) = e.marker {
                self.path(
                    "legend-marker",
                    vec![marker_points(shape, sx + swatch / 2.0, cy, 3.6)],
                    true,
                    Some((c, 1.0)),
                    Some(Stroke::solid(WHITE, 0.6)),
                );
            }
            self.text(
                "legend-label",
                sx + swatch + 6.0,
                cy + size * 0.36,
                label,
                size,
                Anchor::Start,
                0.0,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks() {
        let a = Axis::auto(0.03, 0.87, "");
        assert_eq!(a.ticks.len(), 6);
        assert!((a.min - 0.0).abs() < 1e-12 && (a.max - 1.0).abs() < 1e-12);
        assert_eq!(a.decimals, 1);
        let b = Axis::auto(-6.3, -1.2, "");
        assert_eq!(b.min, -7.0);
        assert_eq!(b.max, -1.0);
        let c = Axis::auto(2.0, 2.0, "");
        assert!(c.min < 2.0 && c.max > 2.0);
    }

    #[test]
    fn clipping_splits_and_trims() {
        let r = (0.0, 0.0, 10.0, 10.0);
        let pts = [
            (-5.0, 5.0),
            (5.0, 5.0),
            (5.0, 20.0),
            (8.0, 20.0),
            (8.0, 5.0),
        ];
        let s = clip_polyline(&pts, r);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0], vec![(0.0, 5.0), (5.0, 5.0), (5.0, 10.0)]);
        assert_eq!(s[1], vec![(8.0, 10.0), (8.0, 5.0)]);
        let gap = [(1.0, 1.0), (f64::NAN, 2.0), (3.0, 3.0), (4.0, 4.0)];
        assert_eq!(clip_polyline(&gap, r), vec![vec![(3.0, 3.0), (4.0, 4.0)]]);
    }
}
