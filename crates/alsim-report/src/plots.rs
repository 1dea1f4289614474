//! The report's figures, each drawn once on an SVG and once on an in-memory bitmap.

use crate::ReportError;
use crate::analysis::{Analysis, GroupSeries};
use crate::lettering::{Lettered, bundled_font};
use alsim_stats::{KaplanMeier, KmStep, PointwiseBand};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::IntoDynElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::error::Error;

/// The family named in SVG text; PNG text is DejaVu Sans (see `lettering`).
const FONT: &str = "sans-serif";
/// Okabe–Ito blue, vermillion, bluish green and reddish purple: distinguishable with the
/// common colour-vision deficiencies.
const COLORS: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];
const BAND_OPACITY: f64 = 0.22;

type DrawResult = Result<(), Box<dyn Error + Send + Sync>>;

/// One group's replicate band in a panel.
pub(crate) struct BandSeries<'a> {
    name: &'a str,
    time: &'a [f64],
    band: &'a PointwiseBand,
}

/// One chart of replicate bands.
pub(crate) struct Panel<'a> {
    /// Caption above the chart; `None` when the figure title says it all.
    title: Option<&'static str>,
    y_label: &'static str,
    /// `true`: the y axis starts at 0 (counts); `false`: just below the data, never below 0.
    y_from_zero: bool,
    legend: SeriesLabelPosition,
    series: [BandSeries<'a>; 2],
}

/// One group's Kaplan–Meier curve, with its legend text.
pub(crate) struct KmCurve<'a> {
    pub(crate) label: String,
    pub(crate) km: &'a KaplanMeier,
}

/// A figure as data, drawn by [`render`] on both backends.
pub(crate) enum Figure<'a> {
    Bands {
        title: &'static str,
        x_label: &'static str,
        panels: Vec<Panel<'a>>,
        /// Draw the 2.5–97.5% range of the runs (dashed). Off for bursty counts sampled
        /// sparsely (inflammation over a lifetime), where each run's spikes hide the means.
        spread_of_runs: bool,
    },
    KaplanMeier {
        title: &'static str,
        x_label: &'static str,
        y_label: String,
        curves: Vec<KmCurve<'a>>,
        /// Start of the time axis: the earliest first sample (0, or the youngest start age).
        x_min: f64,
        /// End of the time axis: the latest event or censoring time.
        x_max: f64,
    },
    /// Counts in bins, with the mean and sd in the key.
    Histogram {
        title: &'static str,
        key: String,
        x_label: &'static str,
        y_label: &'static str,
        /// (lower edge, upper edge, count), in order.
        bins: Vec<(f64, f64, usize)>,
    },
    /// Points on log–log axes with a fitted line `log y = a + b·log x`.
    LogLog {
        title: &'static str,
        key: String,
        labels: [&'static str; 2],
        /// (x, y), all positive.
        points: Vec<(f64, f64)>,
        /// (a, b) in natural logarithms, drawn over the points' x range.
        fit: Option<(f64, f64)>,
    },
}

/// The report's figures with their file stems, in report order.
pub(crate) fn figures<'a>(analysis: &'a Analysis) -> Vec<(&'static str, Figure<'a>)> {
    let band_series = |pick: fn(&GroupSeries) -> &PointwiseBand| {
        [0, 1].map(|g| BandSeries {
            name: &analysis.groups[g].name,
            time: &analysis.series[g].time,
            band: pick(&analysis.series[g]),
        })
    };
    let x_label = analysis.time_axis.axis_label();
    let x_min = analysis
        .series
        .iter()
        .filter_map(|s| s.time.first().copied())
        .fold(f64::INFINITY, f64::min);
    let mut figures = vec![(
        "survival",
        Figure::Bands {
            title: "Motor neuron survival",
            x_label,
            spread_of_runs: true,
            panels: vec![Panel {
                title: None,
                y_label: "Motor neurons alive (fraction of initial)",
                y_from_zero: false,
                legend: SeriesLabelPosition::LowerLeft,
                series: band_series(|s| &s.survival),
            }],
        },
    )];
    for comparison in &analysis.events {
        let event = comparison.event;
        let curves: Vec<KmCurve> = [0, 1]
            .map(|g| {
                let (runs, reached) = (
                    comparison.groups[g].runs,
                    comparison.groups[g].reached.len(),
                );
                KmCurve {
                    label: format!(
                        "{}: {reached} of {runs} run{} reached it",
                        analysis.groups[g].name,
                        plural(runs)
                    ),
                    km: &comparison.groups[g].km,
                }
            })
            .into();
        let x_max = curves
            .iter()
            .flat_map(|c| c.km.steps.last().map(|s| s.time))
            .fold(0.0, f64::max);
        figures.push((
            event.plot_name(),
            Figure::KaplanMeier {
                title: event.heading(),
                x_label,
                y_label: format!("Runs without {} (fraction)", event.noun()),
                curves,
                x_min,
                x_max,
            },
        ));
    }
    figures.push((
        "inflammation",
        Figure::Bands {
            title: "Inflammation markers",
            x_label,
            spread_of_runs: false,
            panels: vec![
                Panel {
                    title: Some("Activated microglia"),
                    y_label: "Activated microglia (cells)",
                    y_from_zero: true,
                    legend: SeriesLabelPosition::UpperLeft,
                    series: band_series(|s| &s.microglia),
                },
                Panel {
                    title: Some("Reactive astrocytes"),
                    y_label: "Reactive astrocytes (cells)",
                    y_from_zero: true,
                    legend: SeriesLabelPosition::UpperLeft,
                    series: band_series(|s| &s.astrocytes),
                },
            ],
        },
    ));
    figures
}

/// Draws `figure` as PNG bytes and SVG text.
pub(crate) fn render(
    name: &'static str,
    figure: &Figure,
    size: (u32, u32),
) -> Result<(Vec<u8>, String), ReportError> {
    let font = bundled_font().ok_or(ReportError::Font)?;
    let plot_err = |source| ReportError::Plot { plot: name, source };
    let mut svg = String::new();
    {
        let backend = SVGBackend::with_string(&mut svg, size);
        let root = Lettered::vector(backend, font.clone()).into_drawing_area();
        draw(figure, &root).map_err(plot_err)?;
        root.present().map_err(|e| plot_err(e.into()))?;
    }
    let mut rgb = vec![0; size.0 as usize * size.1 as usize * 3];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, size);
        let root = Lettered::raster(backend, font).into_drawing_area();
        draw(figure, &root).map_err(plot_err)?;
        root.present().map_err(|e| plot_err(e.into()))?;
    }
    let png = encode_png(&rgb, size).map_err(|e| plot_err(e.into()))?;
    Ok((png, svg))
}

pub(crate) fn encode_png(
    rgb: &[u8],
    (width, height): (u32, u32),
) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

/// How the band figures encode their statistics, under the title.
const BANDS_KEY: &str =
    "Line: mean of runs.  Shaded: 95% CI of the mean.  Dashed: 2.5–97.5% of runs.";
/// The same without the runs' range.
const MEANS_KEY: &str = "Line: mean of runs.  Shaded: 95% CI of the mean.";
/// How the Kaplan–Meier figures encode theirs.
const KM_KEY: &str =
    "Steps: Kaplan–Meier estimate.  Shaded: 95% CI (log-log).  ×: run ended without the event.";

fn draw<DB: DrawingBackend>(figure: &Figure, root: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    match figure {
        Figure::Bands {
            title,
            x_label,
            panels,
            spread_of_runs,
        } => {
            let key = if *spread_of_runs {
                BANDS_KEY
            } else {
                MEANS_KEY
            };
            let body = titled(root, title, key)?;
            for (area, panel) in body.split_evenly((1, panels.len())).iter().zip(panels) {
                draw_panel(area, x_label, panel, *spread_of_runs)?;
            }
        }
        Figure::KaplanMeier {
            title,
            x_label,
            y_label,
            curves,
            x_min,
            x_max,
        } => {
            let body = titled(root, title, KM_KEY)?;
            draw_km(&body, [x_label, y_label], curves, (*x_min, *x_max))?;
        }
        Figure::Histogram {
            title,
            key,
            x_label,
            y_label,
            bins,
        } => {
            let body = titled(root, title, key)?;
            draw_histogram(&body, [x_label, y_label], bins)?;
        }
        Figure::LogLog {
            title,
            key,
            labels,
            points,
            fit,
        } => {
            let body = titled(root, title, key)?;
            draw_log_log(&body, *labels, points, *fit)?;
        }
    }
    Ok(())
}

fn draw_histogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: [&str; 2],
    bins: &[(f64, f64, usize)],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let lo = bins.first().map_or(0.0, |b| b.0);
    let hi = bins.last().map_or(1.0, |b| b.1).max(lo + 1.0);
    let top = bins.iter().map(|b| b.2).max().unwrap_or(0).max(1) as f64;
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(lo..hi, 0.0..top * 1.08)?;
    configure_mesh(&mut chart, labels)?;
    let color = COLORS[0];
    chart
        .draw_series(bins.iter().map(|&(a, b, n)| {
            Rectangle::new([(a, 0.0), (b, n as f64)], color.mix(0.6).filled())
        }))?;
    chart.draw_series(
        bins.iter()
            .map(|&(a, b, n)| Rectangle::new([(a, 0.0), (b, n as f64)], color.stroke_width(1))),
    )?;
    Ok(())
}

fn draw_log_log<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: [&str; 2],
    points: &[(f64, f64)],
    fit: Option<(f64, f64)>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let logs: Vec<(f64, f64)> = points
        .iter()
        .map(|&(x, y)| (x.log10(), y.log10()))
        .collect();
    let range = |pick: fn(&(f64, f64)) -> f64| {
        let (lo, hi) = logs
            .iter()
            .map(pick)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        if lo.is_finite() {
            padded(lo, hi)
        } else {
            (0.0, 1.0)
        }
    };
    let (x, y) = (range(|p| p.0), range(|p| p.1));
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    configure_mesh(&mut chart, labels)?;
    let color = COLORS[0];
    chart
        .draw_series(logs.iter().map(|&p| Circle::new(p, 6, color.filled())))?
        .label("model")
        .legend(move |at| group_mark(at, color, false));
    if let Some((a, b)) = fit {
        // ln y = a + b ln x, so log10 y = a / ln 10 + b log10 x.
        let line = |lx: f64| a / std::f64::consts::LN_10 + b * lx;
        let (x0, x1) = logs
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.0), hi.max(p.0))
            });
        let other = COLORS[1];
        chart
            .draw_series(LineSeries::new(
                [(x0, line(x0)), (x1, line(x1))],
                other.stroke_width(3),
            ))?
            .label(format!("fit: slope {b:.2}"))
            .legend(move |(px, py)| {
                PathElement::new(vec![(px, py), (px + 22, py)], other.stroke_width(3))
            });
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// Draws the title and the key line above the rest, and returns the rest.
pub(crate) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    key: &str,
) -> Result<DrawingArea<DB, Shift>, Box<dyn Error + Send + Sync>>
where
    DB::ErrorType: 'static,
{
    let (header, body) = root.split_vertically(68);
    let centre = i32::try_from(root.dim_in_pixel().0 / 2)?;
    let top = Pos::new(HPos::Center, VPos::Top);
    header.draw_text(
        title,
        &(FONT, 26).into_text_style(root).pos(top),
        (centre, 6),
    )?;
    let grey = BLACK.mix(0.7);
    let key_style = (FONT, 15).into_text_style(root).pos(top).color(&grey);
    header.draw_text(key, &key_style, (centre, 42))?;
    Ok(body)
}

/// `lo..hi` padded by 5% of the span; a single value gets a visible range around it.
fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        (hi.abs() * 0.05).max(0.5)
    };
    (lo - pad, hi + pad)
}

/// Legend mark of a group at `(x, y)`: its line over its shaded band.
fn group_mark<'a, DB: DrawingBackend + 'a>(
    (x, y): (i32, i32),
    color: RGBColor,
    shaded: bool,
) -> impl IntoDynElement<'a, DB, (i32, i32)> {
    let band = Rectangle::new(
        [(0, -7), (22, 7)],
        color.mix(if shaded { BAND_OPACITY } else { 0.0 }).filled(),
    );
    let line = PathElement::new(vec![(0, 0), (22, 0)], color.stroke_width(3));
    EmptyElement::at((x, y)) + band + line
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_label: &str,
    panel: &Panel,
    spread_of_runs: bool,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let times = panel.series.iter().flat_map(|s| s.time.iter().copied());
    let x_min = times.clone().fold(f64::INFINITY, f64::min);
    let x_max = times.fold(f64::NEG_INFINITY, f64::max);
    let values = panel.series.iter().flat_map(|s| {
        let b = s.band;
        let ci = b
            .mean_ci
            .iter()
            .flat_map(|c| [&c.limits.lower, &c.limits.upper]);
        let spread = spread_of_runs.then_some([&b.quantiles.lower, &b.quantiles.upper]);
        std::iter::once(&b.mean)
            .chain(spread.into_iter().flatten())
            .chain(ci)
            .flatten()
            .copied()
    });
    let y_min = values.clone().fold(f64::INFINITY, f64::min);
    let y_max = values.fold(f64::NEG_INFINITY, f64::max);
    let (y_lo, y_hi) = padded(if panel.y_from_zero { 0.0 } else { y_min }, y_max);
    let (x_lo, x_hi) = if x_max > x_min {
        (x_min, x_max)
    } else {
        padded(x_min, x_max)
    };

    let mut builder = ChartBuilder::on(area);
    builder
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(80);
    if let Some(title) = panel.title {
        builder.caption(title, (FONT, 20));
    }
    let y_lo = y_lo.max(0.0);
    let mut chart = builder.build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)?;
    // plotters does not clip polygons and lines to the chart: a confidence limit below zero
    // (a count's t interval can be) would be drawn over the axis labels.
    let clip = |v: &f64| v.clamp(y_lo, y_hi);
    configure_mesh(&mut chart, [x_label, panel.y_label])?;

    for (series, color) in panel.series.iter().zip(COLORS) {
        let time = series.time;
        let band = series.band;
        if let Some(ci) = &band.mean_ci {
            let outline: Vec<(f64, f64)> = time
                .iter()
                .copied()
                .zip(ci.limits.upper.iter().map(clip))
                .chain(
                    time.iter()
                        .rev()
                        .copied()
                        .zip(ci.limits.lower.iter().rev().map(clip)),
                )
                .collect();
            chart.draw_series(std::iter::once(Polygon::new(
                outline,
                color.mix(BAND_OPACITY).filled(),
            )))?;
        }
        // A single run's quantile band is the run itself: nothing to add.
        if spread_of_runs && band.replicates > 1 {
            for limit in [&band.quantiles.upper, &band.quantiles.lower] {
                chart.draw_series(DashedLineSeries::new(
                    time.iter().copied().zip(limit.iter().map(clip)),
                    6,
                    4,
                    color.stroke_width(1),
                ))?;
            }
        }
        let runs = band.replicates;
        let shaded = band.mean_ci.is_some();
        let mean: Vec<(f64, f64)> = time
            .iter()
            .copied()
            .zip(band.mean.iter().map(clip))
            .collect();
        chart
            // Segment by segment: plotters' bitmap backend joins the segments of a thick path
            // with unbounded miters, which shoot far past the chart at the sharp turns of a
            // spiky series (inflammation sampled monthly over a lifetime).
            .draw_series(
                mean.windows(2)
                    .map(|pair| PathElement::new(pair.to_vec(), color.stroke_width(3))),
            )?
            .label(format!("{} ({runs} run{})", series.name, plural(runs)))
            .legend(move |at| group_mark(at, color, shaded));
    }
    draw_legend(&mut chart, panel.legend.clone())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn draw_km<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: [&str; 2],
    curves: &[KmCurve],
    (x_min, x_max): (f64, f64),
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let x_min = if x_min.is_finite() { x_min } else { 0.0 };
    let x_max = if x_max > x_min { x_max } else { x_min + 1.0 };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x_min..x_max + 0.02 * (x_max - x_min), 0.0..1.05)?;
    configure_mesh(&mut chart, labels)?;

    let xs = (x_min, x_max);
    for (curve, color) in curves.iter().zip(COLORS.into_iter().cycle()) {
        let upper = steps(curve.km, xs, |s| s.ci_upper);
        let lower = steps(curve.km, xs, |s| s.ci_lower);
        let outline: Vec<(f64, f64)> = upper.into_iter().chain(lower.into_iter().rev()).collect();
        chart.draw_series(std::iter::once(Polygon::new(
            outline,
            color.mix(BAND_OPACITY).filled(),
        )))?;
        chart
            .draw_series(LineSeries::new(
                steps(curve.km, xs, |s| s.survival),
                color.stroke_width(3),
            ))?
            .label(curve.label.as_str())
            .legend(move |at| group_mark(at, color, true));
        chart.draw_series(
            curve
                .km
                .steps
                .iter()
                .filter(|s| s.censored > 0)
                .map(|s| Cross::new((s.time, s.survival), 6, color.stroke_width(2))),
        )?;
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerLeft)
}

/// The right-continuous step outline of `value` over the curve, from (`x_min`, 1) to `x_max`.
fn steps(
    km: &KaplanMeier,
    (x_min, x_max): (f64, f64),
    value: impl Fn(&KmStep) -> f64,
) -> Vec<(f64, f64)> {
    let mut points = vec![(x_min, 1.0)];
    let mut level = 1.0;
    for step in &km.steps {
        let next = value(step);
        if next != level {
            points.push((step.time, level));
            points.push((step.time, next));
            level = next;
        }
    }
    points.push((x_max, level));
    points
}

pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Tick labels without float noise: 10 not 10.0, 0.3 not 0.30000000000000004.
pub(crate) fn tick(x: &f64) -> String {
    format!("{}", (x * 1000.0).round() / 1000.0)
}

pub(crate) fn configure_mesh<DB: DrawingBackend>(
    chart: &mut Chart<DB>,
    [x_label, y_label]: [&str; 2],
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_labels(8)
        .y_labels(8)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 17))
        .light_line_style(BLACK.mix(0.05))
        .bold_line_style(BLACK.mix(0.12))
        .draw()?;
    Ok(())
}

pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    at: SeriesLabelPosition,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    chart
        .configure_series_labels()
        .position(at)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FONT, 15))
        .draw()?;
    Ok(())
}
