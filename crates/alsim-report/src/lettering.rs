//! Text for plotters, measured and rasterised with the bundled DejaVu Sans.
//!
//! plotters' own font features either load system fonts (`ttf`, through fontconfig) or read a
//! process-wide font table (`ab_glyph`); the second, once cargo unifies features, would also
//! make criterion's plots fail, since they register no font. So plotters is built with neither
//! and this wrapper does text itself: it measures every text with the real font (so captions,
//! tick labels and legends are laid out for it) and, on bitmaps, draws the glyphs.
//! An SVG keeps its text as `<text>` elements.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont, point};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// plotters' text size is 1.24 × the pixels per em (its SVG backend writes size / 1.24).
const SIZE_PER_EM: f32 = 1.24;

/// DejaVu Sans, compiled in; `None` if the bytes do not parse as a font.
pub(crate) fn bundled_font() -> Option<FontRef<'static>> {
    FontRef::try_from_slice(dejavu::sans::regular()).ok()
}

/// A backend whose text is measured, and where `rasterise`d drawn, with `font`; everything
/// else goes to `inner` unchanged.
pub(crate) struct Lettered<B> {
    inner: B,
    font: FontRef<'static>,
    rasterise: bool,
}

impl<B: DrawingBackend> Lettered<B> {
    /// For a vector backend: text stays text, only its size comes from `font`.
    pub(crate) fn vector(inner: B, font: FontRef<'static>) -> Self {
        Self {
            inner,
            font,
            rasterise: false,
        }
    }

    /// For a bitmap backend: glyphs are drawn pixel by pixel with anti-aliasing.
    pub(crate) fn raster(inner: B, font: FontRef<'static>) -> Self {
        Self {
            inner,
            font,
            rasterise: true,
        }
    }

    /// Glyphs of `text` on one line whose top is y = 0, with the line's width and height.
    fn layout(&self, text: &str, size: f64) -> (Vec<Glyph>, f32, f32) {
        let px_per_em = size as f32 / SIZE_PER_EM;
        let units_per_em = self.font.units_per_em().unwrap_or(2048.0);
        let scale = PxScale::from(px_per_em * self.font.height_unscaled() / units_per_em);
        let scaled = self.font.as_scaled(scale);
        let mut caret = 0.0;
        let mut previous = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                caret += scaled.kern(previous, id);
            }
            glyphs.push(id.with_scale_and_position(scale, point(caret, scaled.ascent())));
            caret += scaled.h_advance(id);
            previous = Some(id);
        }
        (glyphs, caret, scaled.ascent() - scaled.descent())
    }
}

impl<B: DrawingBackend> DrawingBackend for Lettered<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (_, width, height) = self.layout(text, style.size());
        Ok((width.ceil() as u32, height.ceil() as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if !self.rasterise {
            return self.inner.draw_text(text, style, pos);
        }
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (glyphs, width, height) = self.layout(text, style.size());
        let (width, height) = (width.round() as i32, height.round() as i32);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Center => -width / 2,
            HPos::Right => -width,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let mut drawn = Ok(());
        for glyph in glyphs {
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue; // blanks have no outline
            };
            let bounds = outline.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|x, y, coverage| {
                if drawn.is_err() || coverage <= 0.0 {
                    return;
                }
                let (x, y) = transform.transform(left + x as i32 + dx, top + y as i32 + dy);
                let ink = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                drawn = self.inner.draw_pixel((pos.0 + x, pos.1 + y), ink);
            });
            if drawn.is_err() {
                break;
            }
        }
        drawn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;
    use plotters::style::FontTransform;
    use plotters::style::text_anchor::Pos;

    const SIZE: (u32, u32) = (200, 200);

    /// Bounding box (x0, y0, x1, y1) of the non-white pixels after drawing `text` centred on
    /// the middle of a white bitmap.
    fn ink_box(text: &str, transform: FontTransform) -> (usize, usize, usize, usize) {
        let mut rgb = vec![255; (SIZE.0 * SIZE.1 * 3) as usize];
        {
            let backend = BitMapBackend::with_buffer(&mut rgb, SIZE);
            let root = Lettered::raster(backend, bundled_font().unwrap()).into_drawing_area();
            let style = TextStyle::from(("sans-serif", 24).into_font())
                .transform(transform)
                .pos(Pos::new(HPos::Center, VPos::Center));
            root.draw_text(text, &style, (100, 100)).unwrap();
            root.present().unwrap();
        }
        let width = SIZE.0 as usize;
        let inked: Vec<(usize, usize)> = rgb
            .chunks(3)
            .enumerate()
            .filter(|(_, p)| p.iter().any(|&c| c < 128))
            .map(|(i, _)| (i % width, i / width))
            .collect();
        assert!(!inked.is_empty(), "nothing drawn");
        let xs = inked.iter().map(|p| p.0);
        let ys = inked.iter().map(|p| p.1);
        (
            xs.clone().min().unwrap(),
            ys.clone().min().unwrap(),
            xs.max().unwrap(),
            ys.max().unwrap(),
        )
    }

    #[test]
    fn centred_text_is_drawn_around_its_anchor() {
        let (x0, y0, x1, y1) = ink_box("Hello", FontTransform::None);
        assert!(x1 - x0 > 2 * (y1 - y0), "a word is wider than tall");
        assert!(((x0 + x1) / 2).abs_diff(100) <= 3, "x {x0}..{x1}");
        assert!(((y0 + y1) / 2).abs_diff(100) <= 6, "y {y0}..{y1}");
    }

    #[test]
    fn rotated_text_runs_vertically() {
        let (x0, y0, x1, y1) = ink_box("Hello", FontTransform::Rotate270);
        assert!(y1 - y0 > 2 * (x1 - x0), "x {x0}..{x1}, y {y0}..{y1}");
    }

    #[test]
    fn measured_width_grows_with_text_and_size() {
        let mut svg = String::new();
        let backend = SVGBackend::with_string(&mut svg, SIZE);
        let lettered = Lettered::vector(backend, bundled_font().unwrap());
        let measure = |text: &str, size: f64| {
            let style = TextStyle::from(("sans-serif", size).into_font());
            lettered.estimate_text_size(text, &style).unwrap()
        };
        let (short, height) = measure("Time", 20.0);
        let (long, _) = measure("Time (days)", 20.0);
        let (big, big_height) = measure("Time", 40.0);
        assert!(long > short && short > 0);
        // Glyph metrics scale linearly; rounding up costs at most a pixel.
        assert!(big.abs_diff(2 * short) <= 2 && big_height.abs_diff(2 * height) <= 2);
    }
}
