//! One table per batch: the finished runs of a batch or cohort folder gathered into tables that
//! pandas, polars and R's arrow load in one call (the schema is in docs/scenarios.md, "Batch
//! tables").
//!
//! ```text
//! batch.json (the plan) + runs/<run>/summary.json  --runs_table--> runs.csv + runs.parquet
//! + runs/<run>/timeseries.csv (and regions.csv)    --long tables--> timeseries.parquet
//!                                                                   (regions.parquet)
//! ```
//!
//! `runs` has one row per finished run, in plan order: who the run is (run, group, scenario
//! file, replicate, seed; in a cohort the person, their sex and draws), its swept values, and
//! every number, text and flag at the top level of its `summary.json` (lists and nested
//! records, such as a body's per-region summaries, stay in the run's files). The long tables
//! put the run's name, group and replicate before every row of its `timeseries.csv` (and
//! `regions.csv`), one run at a time, so a batch of any size fits in memory.

use crate::RunError;
use crate::plan::{BatchFile, PlannedRun};
use alsim_io::names;
use alsim_io::table::{Cell, ParquetStream, Table};
use arrow_array::{ArrayRef, Float64Array, StringArray, UInt64Array};
use arrow_schema::DataType;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Stem of the per-run table (`runs.csv`, `runs.parquet`).
pub const RUNS_TABLE: &str = "runs";
/// The long table of every run's time series.
pub const TIMESERIES_TABLE: &str = "timeseries.parquet";
/// The long table of every body run's regions.
pub const REGIONS_TABLE: &str = "regions.parquet";

/// The finished runs of the folder `dir`, in plan order, with their folders.
fn finished(dir: &Path) -> Result<Vec<(PlannedRun, PathBuf)>, RunError> {
    let plan = BatchFile::read(dir)?;
    Ok(plan
        .runs
        .into_iter()
        .map(|r| {
            let folder = BatchFile::run_dir(dir, &r);
            (r, folder)
        })
        .filter(|(_, folder)| folder.join(names::SUMMARY).is_file())
        .collect())
}

fn invalid(path: &Path, what: impl std::fmt::Display) -> RunError {
    RunError::Invalid(format!("{}: {what}", path.display()))
}

/// A column's index, added at the end if new.
fn column(columns: &mut Vec<String>, name: &str) -> usize {
    columns.iter().position(|c| c == name).unwrap_or_else(|| {
        columns.push(name.to_string());
        columns.len() - 1
    })
}

/// The per-run table of the batch or cohort folder `dir`.
pub fn runs_table(dir: &Path) -> Result<Table, RunError> {
    let runs = finished(dir)?;
    let mut columns: Vec<String> = ["run", "group", "scenario_file", "replicate", "seed"]
        .map(String::from)
        .to_vec();
    if runs.iter().any(|(r, _)| r.person.is_some()) {
        columns.extend(["person", "sex"].map(String::from));
    }
    let mut rows: Vec<Vec<(usize, Cell)>> = Vec::new();
    for (run, folder) in &runs {
        let mut row = vec![
            (0, Cell::Text(run.name.clone())),
            (1, Cell::Text(run.group.clone())),
            (2, Cell::Text(run.scenario_file.clone())),
            (3, Cell::UInt(run.replicate)),
            (4, Cell::UInt(run.seed)),
        ];
        for (path, value) in &run.sweep {
            row.push((column(&mut columns, path), Cell::Float(*value)));
        }
        if let Some(p) = &run.person {
            row.push((5, Cell::UInt(p.index)));
            row.push((6, Cell::Text(p.sex.name().into())));
            for (path, value) in &p.draws {
                row.push((column(&mut columns, path), Cell::parse(value)));
            }
            for (name, dose) in &p.exposures {
                row.push((
                    column(&mut columns, &format!("dose:{name}")),
                    Cell::Float(*dose),
                ));
            }
            if let Some(age) = p.death_age_years {
                let i = column(&mut columns, "other_cause_death_age_years");
                row.push((i, Cell::Float(age)));
            }
        }
        let path = folder.join(names::SUMMARY);
        let text = std::fs::read_to_string(&path).map_err(|e| invalid(&path, e))?;
        let summary: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&text).map_err(|e| invalid(&path, e))?;
        for (key, value) in &summary {
            let cell = match value {
                serde_json::Value::Null => Cell::Null,
                serde_json::Value::Bool(b) => Cell::Bool(*b),
                serde_json::Value::Number(n) => match n.as_u64() {
                    Some(u) => Cell::UInt(u),
                    None => Cell::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
                serde_json::Value::String(s) => Cell::Text(s.clone()),
                serde_json::Value::Array(_) | serde_json::Value::Object(_) => continue,
            };
            row.push((column(&mut columns, key), cell));
        }
        rows.push(row);
    }
    let width = columns.len();
    let mut table = Table::new(columns);
    for row in rows {
        let mut cells = vec![Cell::Null; width];
        for (i, cell) in row {
            cells[i] = cell;
        }
        table.rows.push(cells);
    }
    Ok(table)
}

/// Header and rows of a CSV file.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<csv::StringRecord>), RunError> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| invalid(path, e))?;
    let header = reader
        .headers()
        .map_err(|e| invalid(path, e))?
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .collect::<Result<_, _>>()
        .map_err(|e| invalid(path, e))?;
    Ok((header, rows))
}

/// Writes `out` in `dir`: the run's name, group and replicate, then the columns of every
/// finished run's `file` (their union, in first-seen order; nulls where a run lacks one), one
/// run at a time. A column is numeric if its first value is a number. `None` when no run has
/// the file.
fn long_table(dir: &Path, file: &str, out: &str) -> Result<Option<PathBuf>, RunError> {
    let runs: Vec<(PlannedRun, PathBuf)> = finished(dir)?
        .into_iter()
        .map(|(r, folder)| (r, folder.join(file)))
        .filter(|(_, path)| path.is_file())
        .collect();
    let mut columns: Vec<(String, DataType)> = Vec::new();
    for (_, path) in &runs {
        let (header, rows) = read_csv(path)?;
        for (i, name) in header.iter().enumerate() {
            if !columns.iter().any(|(c, _)| c == name) {
                let numeric = rows.first().is_none_or(|r| r[i].parse::<f64>().is_ok());
                let kind = if numeric {
                    DataType::Float64
                } else {
                    DataType::Utf8
                };
                columns.push((name.clone(), kind));
            }
        }
    }
    if runs.is_empty() {
        return Ok(None);
    }
    let mut all = vec![
        ("run".to_string(), DataType::Utf8),
        ("group".to_string(), DataType::Utf8),
        ("replicate".to_string(), DataType::UInt64),
    ];
    all.extend(columns.iter().cloned());
    let target = dir.join(out);
    let mut stream = ParquetStream::create(&target, &all)?;
    for (run, path) in &runs {
        let (header, rows) = read_csv(path)?;
        let n = rows.len();
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec![run.name.as_str(); n])),
            Arc::new(StringArray::from(vec![run.group.as_str(); n])),
            Arc::new(UInt64Array::from(vec![run.replicate; n])),
        ];
        for (name, kind) in &columns {
            let at = header.iter().position(|h| h == name);
            let values = rows.iter().map(|r| at.map(|i| &r[i]));
            arrays.push(match kind {
                DataType::Float64 => Arc::new(
                    values
                        .map(|v| v.map(|v| v.parse::<f64>()).transpose())
                        .collect::<Result<Float64Array, _>>()
                        .map_err(|e| invalid(path, format!("column {name}: {e}")))?,
                ),
                _ => Arc::new(values.collect::<StringArray>()),
            });
        }
        stream.append(arrays)?;
    }
    Ok(Some(stream.finish()?))
}

/// Writes the tables of the batch or cohort folder `dir`: `runs.csv` and `runs.parquet`, and
/// with `series` the long tables `timeseries.parquet` and, if any run is a body,
/// `regions.parquet`. Returns the paths written.
pub fn write_batch_tables(dir: &Path, series: bool) -> Result<Vec<PathBuf>, RunError> {
    let mut written = runs_table(dir)?.write(dir, RUNS_TABLE)?.to_vec();
    if series {
        written.extend(long_table(dir, names::TIMESERIES, TIMESERIES_TABLE)?);
        written.extend(long_table(dir, names::REGIONS, REGIONS_TABLE)?);
    }
    Ok(written)
}
