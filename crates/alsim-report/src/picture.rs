//! Pictures of one run: a slice of a field on a colour scale with points on top, and plots of
//! time series. The caller chooses what to show (which slice, which markers, which series);
//! this module only draws, into PNG bytes.

use crate::ReportError;
use crate::lettering::{Lettered, bundled_font};
use crate::plots::{encode_png, tick};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

const FONT: &str = "sans-serif";

type DrawResult = Result<(), Box<dyn Error + Send + Sync>>;

/// Shape of a point marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A filled circle with a black rim.
    Circle,
    /// A filled triangle with a black rim.
    Triangle,
    /// A filled square with a black rim.
    Square,
    /// A cross in the colour, on a white halo so it shows on any background.
    Cross,
}

/// How one class of points is drawn, and its line in the legend.
#[derive(Clone, Debug, PartialEq)]
pub struct MarkerStyle {
    /// Shape.
    pub shape: Shape,
    /// Fill colour (RGB).
    pub color: [u8; 3],
    /// Half the marker's width, pixels.
    pub radius: u32,
    /// Legend text.
    pub label: String,
}

/// A point on the slice: its place in µm and its style, an index into
/// [`SlicePicture::styles`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// x, µm.
    pub x_um: f64,
    /// y, µm.
    pub y_um: f64,
    /// Index into the styles.
    pub style: usize,
}

/// A slice of a field: `values` on `voxels[0]` × `voxels[1]` square pixels of `voxel_um`, x
/// fastest, y = 0 at the bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct SlicePicture<'a> {
    /// Title line.
    pub title: String,
    /// A second, smaller line under the title (what the slab holds).
    pub subtitle: String,
    /// Values, `voxels[0] * voxels[1]`, x fastest.
    pub values: &'a [f32],
    /// Voxels along x and y.
    pub voxels: [usize; 2],
    /// Voxel edge, µm.
    pub voxel_um: f64,
    /// Values mapped to the ends of the colour scale (viridis); values outside are clamped.
    pub scale: (f64, f64),
    /// Colour bar title, with the unit.
    pub scale_label: String,
    /// x and y axis titles.
    pub axis_labels: [String; 2],
    /// Points drawn on top, in order.
    pub points: Vec<Point>,
    /// Marker styles, each listed in the legend.
    pub styles: Vec<MarkerStyle>,
}

/// Largest side of the slice in pixels.
const SLICE_PX: f64 = 720.0;
/// Room for the title above, the axes below and left, the colour bar and legend right.
const TOP: u32 = 84;
const BOTTOM: u32 = 70;
const LEFT: u32 = 90;
const RIGHT: u32 = 330;

/// Draws `picture` as a PNG: the slice with square pixels, axes in µm, a scale bar, the colour
/// bar with its label, and the legend of the markers.
pub fn slice_png(picture: &SlicePicture) -> Result<Vec<u8>, ReportError> {
    let [nx, ny] = picture.voxels;
    if nx == 0 || ny == 0 || picture.values.len() != nx * ny {
        return Err(ReportError::InvalidOptions(
            "a slice needs one value per pixel",
        ));
    }
    if picture
        .points
        .iter()
        .any(|p| p.style >= picture.styles.len())
    {
        return Err(ReportError::InvalidOptions("a point has no marker style"));
    }
    let (width_um, height_um) = (nx as f64 * picture.voxel_um, ny as f64 * picture.voxel_um);
    let px_per_um = SLICE_PX / width_um.max(height_um);
    let plot = (
        (width_um * px_per_um).round() as u32,
        (height_um * px_per_um).round() as u32,
    );
    let size = (
        LEFT + plot.0 + RIGHT,
        (TOP + plot.1 + BOTTOM).max(TOP + 560),
    );
    raster_png(size, "slice", |root| {
        draw_slice(picture, root, plot, (width_um, height_um))
    })
}

/// A bitmap drawing area that writes text in the bundled font.
type Raster<'a> = DrawingArea<Lettered<BitMapBackend<'a>>, Shift>;

/// Draws with `draw` on a bitmap of `size` pixels (text in the bundled font) and encodes it as
/// PNG; errors name `plot`.
fn raster_png(
    size: (u32, u32),
    plot: &'static str,
    draw: impl FnOnce(&Raster) -> DrawResult,
) -> Result<Vec<u8>, ReportError> {
    let font = bundled_font().ok_or(ReportError::Font)?;
    let plot_err = |source| ReportError::Plot { plot, source };
    let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, size);
        let root = Lettered::raster(backend, font).into_drawing_area();
        draw(&root).map_err(plot_err)?;
        root.present().map_err(|e| plot_err(e.into()))?;
    }
    encode_png(&rgb, size).map_err(|e| plot_err(e.into()))
}

/// Refuses a plot size outside 200–8000 pixels a side.
fn check_size((width, height): (u32, u32)) -> Result<(), ReportError> {
    if (200..=8000).contains(&width) && (200..=8000).contains(&height) {
        Ok(())
    } else {
        Err(ReportError::InvalidOptions(
            "plot width and height must be 200-8000",
        ))
    }
}

/// A round length for a scale bar about a quarter of `span`: 1, 2 or 5 times a power of ten.
fn scale_bar_um(span: f64) -> f64 {
    let target = span / 4.0;
    let power = 10f64.powf(target.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&l| l <= target)
        .unwrap_or(power)
}

fn rgb([r, g, b]: [u8; 3]) -> RGBColor {
    RGBColor(r, g, b)
}

/// Draws the marker of `style` centred on pixel `(x, y)` of `area`.
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    style: &MarkerStyle,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let color = rgb(style.color);
    let r = style.radius as i32;
    match style.shape {
        Shape::Circle => {
            area.draw(&Circle::new((x, y), r, color.filled()))?;
            area.draw(&Circle::new((x, y), r, BLACK.stroke_width(1)))?;
        }
        Shape::Triangle => {
            let corners = vec![(x, y - r), (x + r, y + r * 3 / 4), (x - r, y + r * 3 / 4)];
            let mut rim = corners.clone();
            rim.push(corners[0]);
            area.draw(&Polygon::new(corners, color.filled()))?;
            area.draw(&PathElement::new(rim, BLACK.stroke_width(1)))?;
        }
        Shape::Square => {
            let corners = [(x - r, y - r), (x + r, y + r)];
            area.draw(&Rectangle::new(corners, color.filled()))?;
            area.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))?;
        }
        Shape::Cross => {
            for style in [WHITE.stroke_width(5), color.stroke_width(3)] {
                area.draw(&PathElement::new(
                    vec![(x - r, y - r), (x + r, y + r)],
                    style,
                ))?;
                area.draw(&PathElement::new(
                    vec![(x - r, y + r), (x + r, y - r)],
                    style,
                ))?;
            }
        }
    }
    Ok(())
}

fn draw_slice<DB: DrawingBackend>(
    picture: &SlicePicture,
    root: &DrawingArea<DB, Shift>,
    plot: (u32, u32),
    (width_um, height_um): (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let top = Pos::new(HPos::Left, VPos::Top);
    root.draw_text(
        &picture.title,
        &(FONT, 26).into_text_style(root).pos(top),
        (LEFT as i32, 10),
    )?;
    root.draw_text(
        &picture.subtitle,
        &(FONT, 16)
            .into_text_style(root)
            .pos(top)
            .color(&BLACK.mix(0.7)),
        (LEFT as i32, 44),
    )?;
    let (left, right) = root.split_horizontally(LEFT + plot.0);
    let slice_area = left
        .margin(TOP, 0, 0, 0)
        .split_vertically(plot.1 + BOTTOM)
        .0;
    let mut chart = ChartBuilder::on(&slice_area)
        .x_label_area_size(BOTTOM)
        .y_label_area_size(LEFT)
        .build_cartesian_2d(0.0..width_um, 0.0..height_um)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(picture.axis_labels[0].as_str())
        .y_desc(picture.axis_labels[1].as_str())
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .draw()?;

    let [nx, _] = picture.voxels;
    let h = picture.voxel_um;
    let (lo, hi) = picture.scale;
    let colour = |v: f32| {
        let t = if hi > lo {
            ((f64::from(v) - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        ViridisRGB.get_color(t as f32)
    };
    chart.draw_series(picture.values.iter().enumerate().map(|(i, &v)| {
        let (x, y) = ((i % nx) as f64 * h, (i / nx) as f64 * h);
        Rectangle::new([(x, y), (x + h, y + h)], colour(v).filled())
    }))?;
    for p in &picture.points {
        let at = chart.backend_coord(&(p.x_um, p.y_um));
        draw_marker(root, at, &picture.styles[p.style])?;
    }

    draw_colour_bar(picture, &right)?;
    let px_per_um = f64::from(plot.0) / width_um;
    let below = draw_legend(picture, root, LEFT as i32 + plot.0 as i32)?;
    draw_scale_bar(
        root,
        (LEFT as i32 + plot.0 as i32 + 60, below + 20),
        width_um,
        px_per_um,
    )
}

/// A scale bar of a round length at `(x, y)` (its left end), with its length above it.
fn draw_scale_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    width_um: f64,
    px_per_um: f64,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let length = scale_bar_um(width_um);
    let px = (length * px_per_um).round() as i32;
    area.draw_text(
        &format!("scale: {} µm", tick(&length)),
        &(FONT, 15)
            .into_text_style(area)
            .pos(Pos::new(HPos::Left, VPos::Top)),
        (x, y),
    )?;
    area.draw(&Rectangle::new(
        [(x, y + 24), (x + px, y + 32)],
        BLACK.filled(),
    ))?;
    Ok(())
}

/// A colour-bar number: three significant digits, without trailing zeros, in scientific
/// notation when the scale is tiny or huge.
fn scale_number(v: f64, top: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e5).contains(&top.abs()) {
        return format!("{v:.2e}");
    }
    let decimals = (2 - top.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

fn draw_colour_bar<DB: DrawingBackend>(
    picture: &SlicePicture,
    area: &DrawingArea<DB, Shift>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (lo, hi) = picture.scale;
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let bar_area = area.margin(TOP, 0, 40, 0).split_vertically(300).0;
    let mut bar = ChartBuilder::on(&bar_area)
        .margin_right(150)
        .y_label_area_size(0)
        .right_y_label_area_size(110)
        .build_cartesian_2d(0.0..1.0, lo..hi)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_label_formatter(&|v| scale_number(*v, hi))
        .label_style((FONT, 14))
        .draw()?;
    let steps = 200;
    let step = (hi - lo) / f64::from(steps);
    bar.draw_series((0..steps).map(|i| {
        let v = lo + step * f64::from(i);
        let t = f64::from(i) / f64::from(steps - 1);
        Rectangle::new(
            [(0.0, v), (1.0, v + step)],
            ViridisRGB.get_color(t as f32).filled(),
        )
    }))?;
    bar.draw_series([Rectangle::new(
        [(0.0, lo), (1.0, hi)],
        BLACK.stroke_width(1),
    )])?;
    let (width, _) = area.dim_in_pixel();
    area.draw_text(
        &picture.scale_label,
        &(FONT, 15)
            .into_text_style(area)
            .pos(Pos::new(HPos::Center, VPos::Top)),
        (i32::try_from(width / 2)? - 10, TOP as i32 - 26),
    )?;
    Ok(())
}

/// The legend of the markers, in the column that starts at pixel `left` of `area`; returns the
/// pixel row below it.
fn draw_legend<DB: DrawingBackend>(
    picture: &SlicePicture,
    area: &DrawingArea<DB, Shift>,
    left: i32,
) -> Result<i32, Box<dyn Error + Send + Sync>>
where
    DB::ErrorType: 'static,
{
    let x = left + 60;
    let mut y = TOP as i32 + 330;
    let text = (FONT, 15)
        .into_text_style(area)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for style in &picture.styles {
        draw_marker(area, (x, y), style)?;
        area.draw_text(&style.label, &text, (x + 16, y))?;
        y += 24;
    }
    Ok(y)
}

/// One line of a time-series panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// One value per time of [`SeriesPlot::time`].
    pub values: Vec<f64>,
}

/// One chart of a time-series plot.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPanel {
    /// Caption above the chart.
    pub title: String,
    /// y axis title, with the unit.
    pub y_label: String,
    /// The lines.
    pub lines: Vec<Line>,
}

/// Time series of one run, in panels side by side and in rows.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesPlot {
    /// Title.
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    /// x axis title, with the unit.
    pub x_label: String,
    /// Sample times.
    pub time: Vec<f64>,
    /// The panels, filled row by row.
    pub panels: Vec<SeriesPanel>,
    /// Panels per row (at least 1).
    pub columns: usize,
    /// Width and height, pixels, each 200–8000.
    pub size: (u32, u32),
}

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
const LINE_COLORS: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// Draws `plot` as a PNG.
pub fn series_png(plot: &SeriesPlot) -> Result<Vec<u8>, ReportError> {
    check_size(plot.size)?;
    let ragged = plot
        .panels
        .iter()
        .flat_map(|p| &p.lines)
        .any(|l| l.values.len() != plot.time.len());
    if plot.time.is_empty() || ragged || plot.columns == 0 {
        return Err(ReportError::InvalidOptions(
            "every line needs one value per time, and a plot at least one time",
        ));
    }
    raster_png(plot.size, "time series", |root| draw_series(plot, root))
}

fn draw_series<DB: DrawingBackend>(plot: &SeriesPlot, root: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let body = crate::plots::titled(root, &plot.title, &plot.subtitle)?;
    let rows = plot.panels.len().div_ceil(plot.columns);
    let areas = body.split_evenly((rows, plot.columns));
    let x_lo = plot.time[0];
    let x_hi = plot.time[plot.time.len() - 1];
    let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
    for (area, panel) in areas.iter().zip(&plot.panels) {
        let values = panel.lines.iter().flat_map(|l| l.values.iter().copied());
        let y_max = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
        let y_hi = if y_max > 0.0 { y_max * 1.05 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .caption(&panel.title, (FONT, 18))
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(x_lo..x_hi, 0.0..y_hi)?;
        crate::plots::configure_mesh(&mut chart, [&plot.x_label, &panel.y_label])?;
        for (line, color) in panel.lines.iter().zip(LINE_COLORS.iter().cycle()) {
            chart
                .draw_series(LineSeries::new(
                    plot.time.iter().copied().zip(line.values.iter().copied()),
                    color.stroke_width(3),
                ))?
                .label(line.label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
                });
        }
        if panel.lines.len() > 1 {
            crate::plots::draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        }
    }
    Ok(())
}

/// Cost against size of several workloads, each normalised to its smallest size and drawn on
/// log-log axes beside the line of exponent 1 (cost proportional to size).
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingPlot {
    /// Title.
    pub title: String,
    /// The line under the title.
    pub subtitle: String,
    /// Each workload: legend text and (size, cost) points, smallest size first, all positive.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    /// Width and height, pixels, each 200–8000.
    pub size: (u32, u32),
}

/// Draws a [`ScalingPlot`] as PNG bytes. Series with fewer than two points are left out.
pub fn scaling_png(plot: &ScalingPlot) -> Result<Vec<u8>, ReportError> {
    check_size(plot.size)?;
    let positive = |&(x, y): &(f64, f64)| x > 0.0 && y > 0.0 && x.is_finite() && y.is_finite();
    if plot.series.iter().any(|(_, p)| !p.iter().all(positive)) {
        return Err(ReportError::InvalidOptions(
            "scaling points must be positive and finite",
        ));
    }
    raster_png(plot.size, "scaling", |root| draw_scaling(plot, root))
}

fn draw_scaling<DB: DrawingBackend>(plot: &ScalingPlot, root: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let body = crate::plots::titled(root, &plot.title, &plot.subtitle)?;
    // log10 of size and cost over the smallest size's.
    let series: Vec<(&str, Vec<(f64, f64)>)> = plot
        .series
        .iter()
        .filter(|(_, p)| p.len() >= 2)
        .map(|(label, p)| {
            let (x0, y0) = p[0];
            let logs = p.iter().map(|&(x, y)| ((x / x0).log10(), (y / y0).log10()));
            (label.as_str(), logs.collect())
        })
        .collect();
    let all = series.iter().flat_map(|(_, p)| p.iter());
    let hi = all.flat_map(|&(x, y)| [x, y]).fold(1.0f64, f64::max).ceil();
    let mut chart = ChartBuilder::on(&body)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.1..hi + 0.1, -0.1..hi + 0.1)?;
    crate::plots::configure_mesh(
        &mut chart,
        [
            "log10(size / smallest size)",
            "log10(time / time at the smallest size)",
        ],
    )?;
    let grey = BLACK.mix(0.5);
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, 0.0), (hi, hi)],
            8,
            6,
            grey.stroke_width(2),
        ))?
        .label("exponent 1 (linear)")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], grey.stroke_width(2)));
    for ((label, points), color) in series.iter().zip(LINE_COLORS.iter().cycle()) {
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                color.stroke_width(3),
            ))?
            .label(*label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(3))
            });
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 6, color.filled())))?;
    }
    crate::plots::draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a PNG into (width, height, RGB bytes).
    fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    fn picture(values: &[f32]) -> SlicePicture<'_> {
        SlicePicture {
            title: "debris, day 30".into(),
            subtitle: "z = 100–120 µm".into(),
            values,
            voxels: [4, 2],
            voxel_um: 20.0,
            scale: (0.0, 1.0),
            scale_label: "debris (a.u.)".into(),
            axis_labels: ["x (µm)".into(), "y (µm)".into()],
            points: vec![Point {
                x_um: 70.0,
                y_um: 30.0,
                style: 0,
            }],
            styles: vec![MarkerStyle {
                shape: Shape::Circle,
                color: [255, 0, 0],
                radius: 7,
                label: "dying".into(),
            }],
        }
    }

    #[test]
    fn slice_keeps_square_voxels_and_colours_the_ends_of_the_scale() {
        let values = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let (width, height, rgb) = decode(&slice_png(&picture(&values)).unwrap());
        // 80 × 40 µm: the slice is twice as wide as tall.
        assert_eq!(width, LEFT + 720 + RIGHT);
        let pixel = |x: u32, y: u32| {
            let i = 3 * (y * width + x) as usize;
            [rgb[i], rgb[i + 1], rgb[i + 2]]
        };
        let plot_left = LEFT;
        let plot_top = TOP;
        // Top row (y = 20–40 µm) holds the 1s: viridis yellow; the bottom row its purple.
        assert_eq!(pixel(plot_left + 20, plot_top + 60), [254, 232, 37]);
        assert_eq!(pixel(plot_left + 20, plot_top + 300), [68, 1, 84]);
        assert!(height >= TOP + 360 + BOTTOM);
        // The marker at (70, 30) µm is red: 70/80 of the width, 10/40 below the top.
        assert_eq!(pixel(plot_left + 630, plot_top + 90), [255, 0, 0]);
    }

    #[test]
    fn bad_slices_are_refused_not_drawn() {
        let err = slice_png(&picture(&[0.0; 3])).unwrap_err().to_string();
        assert!(err.contains("one value per pixel"), "{err}");
        let values = [0.0; 8];
        let mut p = picture(&values);
        p.points[0].style = 3;
        assert!(slice_png(&p).is_err());
    }

    #[test]
    fn colour_bar_numbers_have_three_significant_digits() {
        assert_eq!(scale_number(100.0, 117.3), "100");
        assert_eq!(scale_number(20.0, 117.3), "20");
        assert_eq!(scale_number(0.25, 0.5), "0.25");
        assert_eq!(scale_number(0.125, 0.5), "0.125");
        assert_eq!(scale_number(1.5e-6, 2e-6), "1.50e-6");
        assert_eq!(scale_number(0.0, 2e-6), "0");
    }

    #[test]
    fn scale_bar_is_a_round_quarter_of_the_width() {
        assert_eq!(scale_bar_um(400.0), 100.0);
        assert_eq!(scale_bar_um(1000.0), 200.0);
        assert_eq!(scale_bar_um(60.0), 10.0);
    }

    #[test]
    fn scaling_plot_has_its_size_and_refuses_non_positive_points() {
        let mut plot = ScalingPlot {
            title: "Scaling".into(),
            subtitle: "test".into(),
            series: vec![("solver".into(), vec![(1e3, 0.1), (1e4, 1.1), (1e5, 12.0)])],
            size: (600, 400),
        };
        let (w, h, _) = decode(&scaling_png(&plot).unwrap());
        assert_eq!((w, h), (600, 400));
        plot.series[0].1[1].1 = 0.0;
        assert!(scaling_png(&plot).is_err());
    }

    #[test]
    fn series_plot_has_its_size_and_refuses_ragged_lines() {
        let mut plot = SeriesPlot {
            title: "Motor neurons".into(),
            subtitle: "run x".into(),
            x_label: "Time (days)".into(),
            time: vec![0.0, 1.0, 2.0],
            panels: vec![SeriesPanel {
                title: "alive".into(),
                y_label: "cells".into(),
                lines: vec![Line {
                    label: "alive".into(),
                    values: vec![40.0, 39.0, 30.0],
                }],
            }],
            columns: 1,
            size: (640, 400),
        };
        let (w, h, _) = decode(&series_png(&plot).unwrap());
        assert_eq!((w, h), (640, 400));
        plot.panels[0].lines[0].values.pop();
        assert!(series_png(&plot).is_err());
    }
}
