//! alsim-py: the extension module `alsim._alsim`, the Rust half of the Python package (its
//! Python half, `python/alsim/`, turns what this returns into pandas DataFrames).
//!
//! ```text
//! path + {dotted path: value} --load--> resolved Scenario (RON text)
//!                             --run---> InMemoryRun stepped with the GIL released, Ctrl-C
//!                                       looked for between slices -> columns, rows, summary
//!                             --run_to_folder / batch / cohort--> alsim_run on a worker thread,
//!                                       cancelled by Ctrl-C, progress polled -> folder
//! ```
//!
//! A thin front end over alsim-run, as the `alsim` command is: no model or run logic here.
//! Every alsim error arrives as `alsim.AlsimError` carrying alsim's own message (the file, line
//! and column, or the field path, and the fix).

use alsim_run::calibration::{MOUSE_TARGETS, MouseCourse};
use alsim_run::{
    BatchOptions, CancelToken, InMemoryRun, NoProgress, Plan, Progress, RunError, RunOptions,
    Tables,
};
use alsim_scenario::Override;
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

create_exception!(
    _alsim,
    AlsimError,
    PyException,
    "An alsim error: a scenario, override, run or folder that alsim refused, with its message."
);

fn alsim_err(e: impl std::fmt::Display) -> PyErr {
    AlsimError::new_err(e.to_string())
}

/// How long the GIL stays released between looks for Ctrl-C.
const SLICE: Duration = Duration::from_millis(100);

/// The overrides of a Python dict, as `--set path=value` would give them: text as written,
/// numbers as Python prints them, flags as `true`/`false`.
fn overrides(dict: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<Override>> {
    let Some(dict) = dict else {
        return Ok(Vec::new());
    };
    dict.iter()
        .map(|(key, value)| {
            let path: String = key.extract()?;
            let value: String = if value.is_instance_of::<PyBool>() {
                if value.extract::<bool>()? {
                    "true"
                } else {
                    "false"
                }
                .to_string()
            } else if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
                value.str()?.to_string()
            } else if value.is_instance_of::<PyString>() {
                value.extract()?
            } else {
                return Err(AlsimError::new_err(format!(
                    "override {path}: {} is not a number, a flag or RON text",
                    value.repr()?
                )));
            };
            format!("{path}={value}")
                .parse::<Override>()
                .map_err(alsim_err)
        })
        .collect()
}

/// What `alsim run FILE --set ... --seed ... --person ...` would run.
fn single_run(
    path: &str,
    set: &[Override],
    seed: Option<u64>,
    person: Option<u64>,
) -> PyResult<alsim_run::SingleRun> {
    let s = alsim_scenario::load_with(Path::new(path), set).map_err(alsim_err)?;
    alsim_run::single_run(s, path, seed, person).map_err(alsim_err)
}

/// The overrides of a Python dict as the manifest records them.
fn recorded(set: &[Override]) -> Vec<String> {
    set.iter().map(Override::to_string).collect()
}

/// Loads and validates a scenario; returns its name, seed and the resolved scenario as RON.
#[pyfunction]
#[pyo3(signature = (path, overrides=None))]
fn load(path: &str, overrides: Option<&Bound<'_, PyDict>>) -> PyResult<(String, u64, String)> {
    let set = self::overrides(overrides)?;
    let s = alsim_scenario::load_with(Path::new(path), &set).map_err(alsim_err)?;
    Ok((s.name.clone(), s.seed, s.to_ron_string()))
}

/// Runs a scenario in this process, writing nothing; returns (columns, rows, region columns,
/// region labels, region rows, summary JSON). The GIL is released while it runs; Ctrl-C
/// stops it with KeyboardInterrupt.
#[pyfunction]
#[pyo3(signature = (path, overrides=None, seed=None, threads=None, person=None))]
#[allow(clippy::type_complexity)]
fn run(
    py: Python<'_>,
    path: &str,
    overrides: Option<&Bound<'_, PyDict>>,
    seed: Option<u64>,
    threads: Option<usize>,
    person: Option<u64>,
) -> PyResult<(
    Vec<String>,
    Vec<Vec<f64>>,
    Vec<String>,
    Vec<[String; 4]>,
    Vec<Vec<f64>>,
    String,
)> {
    let set = self::overrides(overrides)?;
    let single = single_run(path, &set, seed, person)?;
    let pool = alsim_run::pool(threads).map_err(alsim_err)?;
    let mut run = pool
        .install(|| InMemoryRun::start(&single.scenario))
        .map_err(alsim_err)?;
    loop {
        let finished = py.detach(|| {
            let started = Instant::now();
            pool.install(|| {
                while started.elapsed() < SLICE {
                    if run.advance(1)? {
                        return Ok(true);
                    }
                }
                Ok::<bool, RunError>(false)
            })
        });
        py.check_signals()?;
        if finished.map_err(alsim_err)? {
            break;
        }
    }
    let tables = run.finish().map_err(alsim_err)?;
    let (labels, region_rows) = tables.region_rows.into_iter().unzip();
    Ok((
        tables.columns,
        tables.rows,
        tables.region_columns,
        labels,
        region_rows,
        tables.summary.to_string(),
    ))
}

/// The SOD1-G93A mouse course (days to the calibration sheet's six events, `None` when not
/// reached) of a run's time-series columns, rows and summary JSON, as `alsim calibrate`
/// measures it.
#[pyfunction]
fn mouse_course(
    columns: Vec<String>,
    rows: Vec<Vec<f64>>,
    summary: &str,
) -> PyResult<[Option<f64>; 6]> {
    let tables = Tables {
        columns,
        rows,
        region_columns: Vec::new(),
        region_rows: Vec::new(),
        summary: serde_json::from_str(summary).map_err(alsim_err)?,
    };
    Ok(MouseCourse::of_tables(&tables).map_err(alsim_err)?.values())
}

/// The mouse course's targets: (key, observable, low, high, source), days.
#[pyfunction]
fn mouse_targets() -> Vec<(&'static str, &'static str, f64, f64, &'static str)> {
    MOUSE_TARGETS
        .iter()
        .map(|t| (t.key, t.observable, t.low, t.high, t.source))
        .collect()
}

/// Counts finished runs for the caller's progress display.
#[derive(Default)]
struct Count {
    planned: AtomicUsize,
    done: AtomicUsize,
}

impl Progress for Count {
    fn planned(&self, runs: usize) {
        self.planned.store(runs, Ordering::SeqCst);
    }

    fn finished(
        &self,
        _run: &str,
        _result: Result<&alsim_core::Summary, &RunError>,
        _elapsed: Duration,
    ) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }
}

/// Runs `work` on a worker thread with the GIL released, calling `on_progress(done, planned)`
/// as runs finish; Ctrl-C cancels the work through its token (runs keep their checkpoints)
/// and raises KeyboardInterrupt once it has stopped.
fn cancellable<T: Send + 'static>(
    py: Python<'_>,
    on_progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&Count, &CancelToken) -> Result<T, RunError> + Send + 'static,
) -> PyResult<T> {
    let count = Arc::new(Count::default());
    let cancel = CancelToken::new();
    let worker = {
        let (count, cancel) = (count.clone(), cancel.clone());
        std::thread::spawn(move || work(&count, &cancel))
    };
    let mut reported = usize::MAX;
    let mut interrupt = None;
    while !worker.is_finished() {
        py.detach(|| std::thread::sleep(SLICE));
        if interrupt.is_none()
            && let Err(e) = py.check_signals()
        {
            cancel.cancel();
            interrupt = Some(e);
        }
        let done = count.done.load(Ordering::SeqCst);
        if let Some(f) = on_progress
            && done != reported
        {
            reported = done;
            f.call1((done, count.planned.load(Ordering::SeqCst)))?;
        }
    }
    let result = py.detach(|| worker.join());
    if let Some(f) = on_progress {
        f.call1((
            count.done.load(Ordering::SeqCst),
            count.planned.load(Ordering::SeqCst),
        ))?;
    }
    if let Some(e) = interrupt {
        return Err(e);
    }
    match result {
        Ok(r) => r.map_err(alsim_err),
        Err(_) => Err(AlsimError::new_err(
            "the run panicked; this is a bug in alsim",
        )),
    }
}

/// Runs a scenario into the run folder `out`, as `alsim run` does.
#[pyfunction]
#[pyo3(signature = (path, out, overrides=None, seed=None, threads=None, person=None))]
fn run_to_folder(
    py: Python<'_>,
    path: &str,
    out: PathBuf,
    overrides: Option<&Bound<'_, PyDict>>,
    seed: Option<u64>,
    threads: Option<usize>,
    person: Option<u64>,
) -> PyResult<()> {
    let set = self::overrides(overrides)?;
    let single = single_run(path, &set, seed, person)?;
    let recorded = recorded(&set);
    let file = path.to_string();
    cancellable(py, None, move |_, cancel| {
        let spec = single.spec(&file, &recorded);
        let options = RunOptions {
            threads,
            ..RunOptions::default()
        };
        alsim_run::run(&spec, &out, &options, &NoProgress, cancel).map(|_| ())
    })
}

/// The outcome of a batch or cohort: runs finished now and before, and the failures.
fn outcome_error(outcome: &alsim_run::BatchOutcome) -> Option<String> {
    if outcome.failed.is_empty() {
        return None;
    }
    let failed: Vec<String> = outcome
        .failed
        .iter()
        .map(|(name, e)| format!("{name}: {e}"))
        .collect();
    Some(format!(
        "{} run(s) failed (the others finished; run the same call again to retry only these):\n{}",
        failed.len(),
        failed.join("\n")
    ))
}

/// Runs scenario files as `alsim batch` does into `out` (resumable), then writes its tables.
#[pyfunction]
#[pyo3(signature = (paths, out, replicates=1, jobs=None, overrides=None, timeseries_table=false, on_progress=None))]
#[allow(clippy::too_many_arguments)]
fn batch(
    py: Python<'_>,
    paths: Vec<String>,
    out: PathBuf,
    replicates: u64,
    jobs: Option<usize>,
    overrides: Option<&Bound<'_, PyDict>>,
    timeseries_table: bool,
    on_progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let set = self::overrides(overrides)?;
    let scenarios = paths
        .iter()
        .map(|p| {
            alsim_scenario::load_with(Path::new(p), &set)
                .map(|s| (PathBuf::from(p), s))
                .map_err(alsim_err)
        })
        .collect::<PyResult<Vec<_>>>()?;
    let plan = Plan::new(&scenarios, replicates)
        .map_err(alsim_err)?
        .with_overrides(recorded(&set));
    run_plan(py, plan, out, jobs, timeseries_table, on_progress)
}

/// Runs the people of a cohort file as `alsim cohort` does into `out`, then writes its tables.
#[pyfunction]
#[pyo3(signature = (path, out, people=None, jobs=None, overrides=None, timeseries_table=false, on_progress=None))]
#[allow(clippy::too_many_arguments)]
fn cohort(
    py: Python<'_>,
    path: &str,
    out: PathBuf,
    people: Option<u64>,
    jobs: Option<usize>,
    overrides: Option<&Bound<'_, PyDict>>,
    timeseries_table: bool,
    on_progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let set = self::overrides(overrides)?;
    let s = alsim_scenario::load_with(Path::new(path), &set).map_err(alsim_err)?;
    let plan = Plan::cohort(Path::new(path), &s, people)
        .map_err(alsim_err)?
        .with_overrides(recorded(&set));
    run_plan(py, plan, out.clone(), jobs, timeseries_table, on_progress)?;
    let people = alsim_run::cohort::outcomes(&out).map_err(alsim_err)?;
    alsim_run::cohort::write_people(&out, &people).map_err(alsim_err)?;
    alsim_run::cohort::write_report(&out, &people).map_err(alsim_err)?;
    Ok(())
}

fn run_plan(
    py: Python<'_>,
    plan: Plan,
    out: PathBuf,
    jobs: Option<usize>,
    timeseries_table: bool,
    on_progress: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let outcome = cancellable(py, on_progress, move |count, cancel| {
        let options = BatchOptions {
            jobs,
            ..BatchOptions::default()
        };
        let outcome = alsim_run::run_batch(&plan, &out, &options, count, cancel)?;
        alsim_run::table::write_batch_tables(&out, timeseries_table)?;
        Ok(outcome)
    })?;
    match outcome_error(&outcome) {
        Some(e) => Err(AlsimError::new_err(e)),
        None => Ok(()),
    }
}

/// The module.
#[pymodule]
fn _alsim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("AlsimError", m.py().get_type::<AlsimError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(run_to_folder, m)?)?;
    m.add_function(wrap_pyfunction!(batch, m)?)?;
    m.add_function(wrap_pyfunction!(cohort, m)?)?;
    m.add_function(wrap_pyfunction!(mouse_course, m)?)?;
    m.add_function(wrap_pyfunction!(mouse_targets, m)?)?;
    Ok(())
}
