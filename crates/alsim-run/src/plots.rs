//! The plots of a run (`alsim run --plots`): PNG plots of a run's main time series, drawn from its
//! `timeseries.csv` by alsim-report.

use crate::RunError;
use alsim_core::FieldId;
use alsim_io::{OutputError, names, read_columns, write_file};
use alsim_report::{Line, SeriesPanel, SeriesPlot, series_png};
use std::path::Path;

/// Folder of the plots in a run folder.
use alsim_io::names::PLOTS;

fn panel(title: &str, y_label: &str, lines: Vec<(&str, Vec<f64>)>) -> SeriesPanel {
    SeriesPanel {
        title: title.into(),
        y_label: y_label.into(),
        lines: lines
            .into_iter()
            .map(|(label, values)| Line {
                label: label.into(),
                values,
            })
            .collect(),
    }
}

/// The three plots of a run from its time series: motor neurons, glial activation and the
/// field totals, with their file names.
fn plots(dir: &Path, run_name: &str) -> Result<Vec<(&'static str, SeriesPlot)>, OutputError> {
    let path = dir.join(names::TIMESERIES);
    let mut cells = read_columns(
        &path,
        &[
            "time_days",
            "motor_neurons_alive",
            "motor_neurons_stressed",
            "motor_neurons_dying",
            "motor_neurons_dead",
            "microglia_surveying",
            "microglia_proinflammatory",
            "microglia_antiinflammatory",
            "astrocytes_reactive",
        ],
    )?
    .into_iter();
    let mut next = || cells.next().expect("one column per name");
    let time = next();
    let (alive, stressed, dying, dead) = (next(), next(), next(), next());
    let (surveying, pro, anti, reactive) = (next(), next(), next(), next());
    let totals: Vec<String> = FieldId::ALL
        .iter()
        .map(|f| format!("{}_total", f.name()))
        .collect();
    let totals = read_columns(
        &path,
        &totals.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let subtitle = format!("run {run_name}");
    let x_label = "Time (days)".to_string();
    let plot = |title: &str, panels, columns, size| SeriesPlot {
        title: title.into(),
        subtitle: subtitle.clone(),
        x_label: x_label.clone(),
        time: time.clone(),
        panels,
        columns,
        size,
    };
    let field_panels = FieldId::ALL
        .iter()
        .zip(totals)
        .map(|(f, values)| {
            panel(
                &format!("{} in the tissue", f.name()),
                &format!("{} ({})", f.name(), f.amount_unit()),
                vec![(f.name(), values)],
            )
        })
        .collect();
    Ok(vec![
        (
            "motor_neurons.png",
            plot(
                "Motor neurons",
                vec![panel(
                    "",
                    "Motor neurons (cells)",
                    vec![
                        ("alive (dying included)", alive),
                        ("stressed", stressed),
                        ("dying", dying),
                        ("dead", dead),
                    ],
                )],
                1,
                (1000, 600),
            ),
        ),
        (
            "glia.png",
            plot(
                "Glial activation",
                vec![
                    panel(
                        "Microglia",
                        "Microglia (cells)",
                        vec![
                            ("surveying", surveying),
                            ("pro-inflammatory", pro),
                            ("anti-inflammatory", anti),
                        ],
                    ),
                    panel(
                        "Astrocytes",
                        "Reactive astrocytes (cells)",
                        vec![("reactive", reactive)],
                    ),
                ],
                2,
                (1400, 600),
            ),
        ),
        (
            "fields.png",
            plot("Field totals", field_panels, 3, (1500, 900)),
        ),
    ])
}

/// Draws the plots of the run in `dir` into `dir/plots/`. Every plot is drawn before any is
/// written.
pub(crate) fn write_plots(dir: &Path, run_name: &str) -> Result<(), RunError> {
    let drawn = plots(dir, run_name)?
        .into_iter()
        .map(|(name, plot)| Ok((name, series_png(&plot)?)))
        .collect::<Result<Vec<_>, RunError>>()?;
    let out = dir.join(PLOTS);
    std::fs::create_dir_all(&out).map_err(|source| OutputError::Write {
        path: out.clone(),
        source,
    })?;
    for (name, png) in drawn {
        write_file(&out.join(name), &png)?;
    }
    Ok(())
}
