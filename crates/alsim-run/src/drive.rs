//! The run loop: steps a run to its end, reports progress, writes its rows and snapshots, and
//! stops it cleanly (a checkpoint and a marked partial series) when its state fails the guard,
//! it outgrows its memory or it is cancelled. [`drive`] holds the loop once; a run is either a
//! block ([`BlockRun`]: one [`Simulation`], `timeseries.csv`, one snapshot folder) or a body of
//! regions ([`BodyRun`]: a [`Body`], the whole body's `timeseries.csv`, each region's rows in
//! `regions.csv`, a snapshot folder per region and `vtk/body.pvd`).

use crate::checkpoint::{ModelState, RunState};
use crate::run::{Every, MemoryGuard, RunSpec, Schedule, VERSION};
use crate::{CancelToken, Progress, RunError, Step, snapshot};
use alsim_core::{Body, BodySummary, Observation, RestoreError, Simulation, Summary};
use alsim_io::{RunFolder, TimeSeriesWriter, names};
use alsim_scenario::Scenario;
use serde::Serialize;
use std::borrow::Cow;
use std::time::Instant;

/// A finished run's summaries: the whole run's, and a body's own when it is one.
pub(crate) type Finished = (Summary, Option<BodySummary>);

/// What the loop is given besides the run: when to checkpoint, the memory watch, when it
/// started, whom to tell, and how it is stopped.
pub(crate) struct Session<'a> {
    pub(crate) every: Option<Every>,
    pub(crate) memory: MemoryGuard,
    pub(crate) started: Instant,
    pub(crate) progress: &'a dyn Progress,
    pub(crate) cancel: &'a CancelToken,
}

/// A run in progress, as [`drive`] sees it.
trait Run {
    /// Steps the model, checks its state and writes the rows due. An error stops the run
    /// without a checkpoint: the state is not worth saving.
    fn advance(&mut self) -> Result<(), RunError>;
    /// Writes the snapshots due after the step.
    fn snapshot(&mut self, folder: &RunFolder) -> Result<(), RunError>;
    /// Where the run stands, for the progress report.
    fn step(&self) -> Step;
    /// Whether every tick has run.
    fn is_finished(&self) -> bool;
    /// Microglia now, for the out-of-memory message.
    fn microglia(&mut self) -> u64;
    /// The rows so far and the model's state, for a checkpoint.
    fn state(&mut self) -> (&[Vec<f64>], ModelState<'_>);
    /// Keeps the other tables so far as partial files and hands back the time series, which
    /// [`stop`] keeps as `timeseries.csv.partial` beside the marker.
    fn into_partial(self) -> Result<TimeSeriesWriter, RunError>;
    /// Closes the tables; the summaries.
    fn finish(self) -> Result<Finished, RunError>;
}

/// Runs `spec` from the start or from `resume`'s state to its end, or until it stops.
pub(crate) fn simulate(
    spec: &RunSpec,
    folder: &RunFolder,
    resume: Option<RunState<'static>>,
    session: Session,
) -> Result<Finished, RunError> {
    let before = resume.as_ref().map_or(0.0, |r| r.wall_time_seconds);
    if resume.is_some() {
        folder.clear_incomplete()?;
    }
    let resume = resume.map(|state| (state.rows.into_owned(), state.model));
    if spec.scenario.neuraxis.is_some() {
        let run = BodyRun::start(spec.scenario, folder, resume)?;
        drive(run, spec, folder, before, session)
    } else {
        let run = BlockRun::start(spec.scenario, folder, resume)?;
        drive(run, spec, folder, before, session)
    }
}

/// The loop (see the module documentation).
fn drive(
    mut run: impl Run,
    spec: &RunSpec,
    folder: &RunFolder,
    before: f64,
    mut session: Session,
) -> Result<Finished, RunError> {
    let mut schedule = Schedule::new(session.every, spec.scenario.time.dt_hours);
    let saver = Saver {
        spec,
        folder,
        before,
        every: session.every,
        started: session.started,
    };
    while !run.is_finished() {
        let advanced = run.advance();
        let at = run.step();
        session.progress.advanced(spec.name, at);
        if let Err(err) = advanced {
            stop(folder, run, at, &err.to_string())?;
            return Err(RunError::Stopped {
                partial: folder.path().join("timeseries.csv.partial"),
                cause: Box::new(err),
            });
        }
        run.snapshot(folder)?;
        if let Some((held, limit)) = session.memory.exceeded() {
            // The state is sound, only too big to go on with here: keep it to resume.
            saver.save(&mut run)?;
            let fp = spec.scenario.footprint();
            let err = RunError::OutOfMemory {
                day: at.day,
                held: crate::limits::size_text(held),
                limit: crate::limits::size_text(limit),
                microglia: run.microglia(),
                microglia_start: fp.cells[1],
                microglia_max: fp.max_microglia,
            };
            stop(folder, run, at, &err.to_string())?;
            return Err(RunError::Stopped {
                partial: folder.path().join("timeseries.csv.partial"),
                cause: Box::new(err),
            });
        }
        let cancelled = session.cancel.is_cancelled();
        if cancelled || schedule.due(at.tick) {
            saver.save(&mut run)?;
        }
        if cancelled && !run.is_finished() {
            stop(folder, run, at, "interrupted (Ctrl-C or SIGTERM)")?;
            return Err(RunError::Cancelled {
                day: at.day,
                tick: at.tick,
                total_ticks: at.total_ticks,
                dir: folder.path().to_path_buf(),
            });
        }
    }
    run.finish()
}

/// Writes checkpoints of one run.
struct Saver<'a> {
    spec: &'a RunSpec<'a>,
    folder: &'a RunFolder,
    /// Wall time of the sessions before this one.
    before: f64,
    every: Option<Every>,
    started: Instant,
}

impl Saver<'_> {
    fn save(&self, run: &mut impl Run) -> Result<(), RunError> {
        let spec = self.spec;
        let (rows, model) = run.state();
        let state = RunState {
            scenario: Cow::Owned(spec.scenario.to_ron_string()),
            scenario_file: Cow::Borrowed(spec.scenario_file),
            replicate: spec.replicate,
            sweep: Cow::Borrowed(spec.sweep),
            overrides: Cow::Borrowed(spec.overrides),
            person: spec.person.map(Cow::Borrowed),
            checkpoint_every: self.every,
            wall_time_seconds: self.before + self.started.elapsed().as_secs_f64(),
            rows: Cow::Borrowed(rows),
            model,
        };
        self.folder.write_checkpoint(VERSION, &state)?;
        Ok(())
    }
}

/// Why a run stopped before its end, for `incomplete.json`.
#[derive(Serialize)]
struct Incomplete<'a> {
    reason: &'a str,
    tick: u64,
    simulated_days: f64,
    /// Whether a checkpoint exists to resume from.
    checkpoint: bool,
    /// The command that continues the run, or what to do instead.
    resume: String,
    partial_timeseries: String,
}

/// Keeps the tables so far as partial files and says in `incomplete.json` why the run stopped
/// at `at` and how to continue it.
fn stop(folder: &RunFolder, run: impl Run, at: Step, reason: &str) -> Result<(), RunError> {
    let partial = run.into_partial()?.keep_partial()?;
    let checkpoint = folder.checkpoint_path().is_file();
    let dir = folder.path().display();
    folder.write_json(
        names::INCOMPLETE,
        &Incomplete {
            reason,
            tick: at.tick,
            simulated_days: at.day,
            checkpoint,
            resume: if checkpoint {
                format!("alsim run --resume {dir}")
            } else {
                format!("no checkpoint: run the scenario again with --out {dir} --force")
            },
            partial_timeseries: partial.display().to_string(),
        },
    )?;
    Ok(())
}

/// A block: one simulation, its rows in `timeseries.csv`, its snapshots in `vtk/`.
struct BlockRun {
    sim: Simulation,
    columns: Vec<String>,
    rows: Vec<Vec<f64>>,
    series: TimeSeriesWriter,
    /// The snapshot writer and the interval, with `time.snapshot_every_days`.
    snapshots: Option<(alsim_io::SnapshotWriter, u64)>,
}

impl BlockRun {
    /// The block of `scenario` at its start, or as `resume` left it.
    fn start(
        scenario: &Scenario,
        folder: &RunFolder,
        resume: Option<(Vec<Vec<f64>>, ModelState<'static>)>,
    ) -> Result<Self, RunError> {
        let columns = Observation::columns();
        let (mut sim, rows) = match resume {
            Some((rows, ModelState::Block(saved))) => (Simulation::restore(scenario, saved)?, rows),
            Some(_) => {
                return Err(RestoreError::Mismatch("it holds a body of regions".into()).into());
            }
            None => {
                let mut sim = Simulation::new(scenario)?;
                let first = finite(&columns, sim.observe().values())?;
                (sim, vec![first])
            }
        };
        let mut series = folder.timeseries(&columns)?;
        for row in &rows {
            series.write_row(row)?;
        }
        let snapshots = match scenario.time.snapshot_every_ticks() {
            None => None,
            // Snapshots come before checkpoints in a step, so those up to the checkpoint exist.
            Some(every) if sim.tick() > 0 => Some((
                folder.resume_snapshots(
                    usize::try_from(sim.tick() / every + 1).expect("snapshot count fits in memory"),
                )?,
                every,
            )),
            Some(every) => {
                let mut writer = folder.snapshots()?;
                snapshot::write(&mut sim, &mut writer, [0.0; 3])?;
                Some((writer, every))
            }
        };
        Ok(Self {
            sim,
            columns,
            rows,
            series,
            snapshots,
        })
    }
}

impl Run for BlockRun {
    fn advance(&mut self) -> Result<(), RunError> {
        self.sim.step();
        self.sim.check_state()?;
        if self.sim.is_output_tick() {
            let row = finite(&self.columns, self.sim.observe().values())?;
            self.series.write_row(&row)?;
            self.rows.push(row);
        }
        Ok(())
    }

    fn snapshot(&mut self, _folder: &RunFolder) -> Result<(), RunError> {
        if let Some((writer, every)) = &mut self.snapshots
            && (self.sim.tick().is_multiple_of(*every) || self.sim.is_finished())
        {
            snapshot::write(&mut self.sim, writer, [0.0; 3])?;
        }
        Ok(())
    }

    fn step(&self) -> Step {
        Step {
            tick: self.sim.tick(),
            total_ticks: self.sim.total_ticks(),
            day: self.sim.time_days(),
            motor_neurons_alive: self.sim.summary().motor_neurons_final_alive,
        }
    }

    fn is_finished(&self) -> bool {
        self.sim.is_finished()
    }

    fn microglia(&mut self) -> u64 {
        microglia_of(&self.sim.observe())
    }

    fn state(&mut self) -> (&[Vec<f64>], ModelState<'_>) {
        (&self.rows, ModelState::Block(self.sim.save_state()))
    }

    fn into_partial(self) -> Result<TimeSeriesWriter, RunError> {
        Ok(self.series)
    }

    fn finish(self) -> Result<Finished, RunError> {
        self.series.finish()?;
        Ok((self.sim.summary().clone(), None))
    }
}

/// A body of regions: the whole body's rows in `timeseries.csv`, each region's in the long
/// table `regions.csv` (region, side, neurons, serves, then the time-series columns), a
/// snapshot folder per region.
struct BodyRun {
    body: Body,
    columns: Vec<String>,
    body_columns: Vec<String>,
    /// Each region's name, side, neurons and what it serves, in the scenario's order.
    labels: Vec<[String; 4]>,
    rows: Vec<Vec<f64>>,
    region_rows: Vec<Vec<f64>>,
    series: TimeSeriesWriter,
    regions: TimeSeriesWriter,
    snapshots: Option<BodySnapshots>,
}

impl BodyRun {
    /// The body of `scenario` at its start, or as `resume` left it.
    fn start(
        scenario: &Scenario,
        folder: &RunFolder,
        resume: Option<(Vec<Vec<f64>>, ModelState<'static>)>,
    ) -> Result<Self, RunError> {
        let (body, rows, region_rows) = match resume {
            Some((rows, ModelState::Body { body, region_rows })) => (
                Body::restore(scenario, body)?,
                rows,
                region_rows.into_owned(),
            ),
            Some(_) => {
                return Err(RestoreError::Mismatch("it holds one block, not a body".into()).into());
            }
            None => (Body::new(scenario)?, Vec::new(), Vec::new()),
        };
        let labels = region_labels(&body);
        let columns = Observation::columns();
        let region_columns: Vec<String> = ["region", "side", "neurons", "serves"]
            .map(String::from)
            .into_iter()
            .chain(columns.iter().cloned())
            .collect();
        let body_columns = Body::columns();
        let series = folder.timeseries(&body_columns)?;
        let regions = folder.table(names::REGIONS, &region_columns)?;
        let mut run = Self {
            body,
            columns,
            body_columns,
            labels,
            rows: Vec::new(),
            region_rows: Vec::new(),
            series,
            regions,
            snapshots: None,
        };
        for row in &rows {
            run.series.write_row(row)?;
        }
        for (i, row) in region_rows.iter().enumerate() {
            run.regions
                .write_labelled_row(&label(&run.labels, i), row)?;
        }
        (run.rows, run.region_rows) = (rows, region_rows);
        if run.rows.is_empty() {
            run.output()?;
        }
        run.snapshots = BodySnapshots::start(folder, scenario, &mut run.body)?;
        Ok(run)
    }

    /// Writes and keeps the rows of the step just run.
    fn output(&mut self) -> Result<(), RunError> {
        let observed = self.body.observe();
        let row = finite(&self.body_columns, self.body.whole_body(&observed))?;
        self.series.write_row(&row)?;
        self.rows.push(row);
        for o in &observed {
            let row = finite(&self.columns, o.values())?;
            let labels = label(&self.labels, self.region_rows.len());
            self.regions.write_labelled_row(&labels, &row)?;
            self.region_rows.push(row);
        }
        Ok(())
    }
}

/// Each region's name, side, neurons and body part: the labels that start its rows of
/// `regions.csv`.
pub(crate) fn region_labels(body: &Body) -> Vec<[String; 4]> {
    let text = |v: &dyn std::fmt::Debug| format!("{v:?}");
    body.regions()
        .iter()
        .map(|r| {
            let s = &r.spec;
            [
                s.name.clone(),
                text(&s.side),
                text(&s.neurons),
                text(&s.serves),
            ]
        })
        .collect()
}

/// The labels of the `i`th row of `regions.csv`: the regions' in turn.
fn label(labels: &[[String; 4]], i: usize) -> [&str; 4] {
    labels[i % labels.len()].each_ref().map(String::as_str)
}

impl Run for BodyRun {
    fn advance(&mut self) -> Result<(), RunError> {
        self.body.step();
        self.body.check_state()?;
        if self.body.is_output_tick() {
            self.output()?;
        }
        Ok(())
    }

    fn snapshot(&mut self, folder: &RunFolder) -> Result<(), RunError> {
        match &mut self.snapshots {
            Some(snapshots) => snapshots.after_step(folder, &mut self.body),
            None => Ok(()),
        }
    }

    fn step(&self) -> Step {
        Step {
            tick: self.body.tick(),
            total_ticks: self.body.total_ticks(),
            day: self.body.time_days(),
            motor_neurons_alive: self.body.summary().motor_neurons_final_alive,
        }
    }

    fn is_finished(&self) -> bool {
        self.body.is_finished()
    }

    fn microglia(&mut self) -> u64 {
        self.body.observe().iter().map(microglia_of).sum()
    }

    fn state(&mut self) -> (&[Vec<f64>], ModelState<'_>) {
        let model = ModelState::Body {
            body: self.body.save_state(),
            region_rows: Cow::Borrowed(&self.region_rows),
        };
        (&self.rows, model)
    }

    fn into_partial(self) -> Result<TimeSeriesWriter, RunError> {
        self.regions.keep_partial()?;
        Ok(self.series)
    }

    fn finish(self) -> Result<Finished, RunError> {
        self.series.finish()?;
        self.regions.finish()?;
        Ok((self.body.summary().clone(), Some(self.body.body_summary())))
    }
}

/// The VTK snapshots of a body: a folder per region, every region placed at its origin in the
/// body, and `vtk/body.pvd` listing them all.
struct BodySnapshots {
    every: u64,
    names: Vec<String>,
    origins: Vec<[f64; 3]>,
    writers: Vec<alsim_io::SnapshotWriter>,
    times: Vec<f64>,
}

impl BodySnapshots {
    /// `None` without `time.snapshot_every_days`; otherwise the writers, fresh with the first
    /// snapshot taken, or continuing those up to a resumed body's checkpoint.
    fn start(
        folder: &RunFolder,
        scenario: &alsim_scenario::Scenario,
        body: &mut Body,
    ) -> Result<Option<Self>, RunError> {
        let Some(every) = scenario.time.snapshot_every_ticks() else {
            return Ok(None);
        };
        let axis = scenario.neuraxis.as_ref().expect("a neuraxis scenario");
        let names: Vec<String> = axis.regions.iter().map(|r| r.name.clone()).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let origins = (0..names.len())
            .map(|i| axis.origin_um(i, &scenario.tissue))
            .collect();
        let snapshots = if body.tick() > 0 {
            // Snapshots come before checkpoints in a tick, so those up to the checkpoint exist.
            let kept = usize::try_from(body.tick() / every + 1).expect("snapshot count fits");
            let writers = folder.resume_body_snapshots(&refs, kept)?;
            let listed = alsim_io::vtk::read_collection(
                &folder
                    .path()
                    .join(names::VTK)
                    .join(&names[0])
                    .join(names::FIELDS_PVD),
            )?;
            let times = listed.iter().take(kept).map(|(t, _)| *t).collect();
            Self {
                every,
                names,
                origins,
                writers,
                times,
            }
        } else {
            let writers = folder.body_snapshots(&refs)?;
            let mut fresh = Self {
                every,
                names,
                origins,
                writers,
                times: Vec::new(),
            };
            fresh.take(folder, body)?;
            fresh
        };
        Ok(Some(snapshots))
    }

    /// Takes a snapshot when one is due after the tick just run.
    fn after_step(&mut self, folder: &RunFolder, body: &mut Body) -> Result<(), RunError> {
        if body.tick().is_multiple_of(self.every) || body.is_finished() {
            self.take(folder, body)?;
        }
        Ok(())
    }

    fn take(&mut self, folder: &RunFolder, body: &mut Body) -> Result<(), RunError> {
        for ((region, writer), origin) in body
            .regions_mut()
            .iter_mut()
            .zip(&mut self.writers)
            .zip(&self.origins)
        {
            snapshot::write(&mut region.sim, writer, *origin)?;
        }
        self.times.push(body.time_days());
        let refs: Vec<&str> = self.names.iter().map(String::as_str).collect();
        folder.write_body_collection(&refs, &self.times)?;
        Ok(())
    }
}

/// Microglia of every phenotype in an observation.
fn microglia_of(o: &Observation) -> u64 {
    ["surveying", "proinflammatory", "antiinflammatory"]
        .iter()
        .map(|p| o[format!("microglia_{p}").as_str()] as u64)
        .sum()
}

/// `row` if every value is finite; otherwise the run has blown up numerically, and the error
/// names the column and the day so the run stops before writing nonsense.
fn finite(columns: &[String], row: Vec<f64>) -> Result<Vec<f64>, RunError> {
    if let Some(i) = row.iter().position(|v| !v.is_finite()) {
        return Err(RunError::BlowUp {
            column: columns[i].clone(),
            value: row[i],
            day: row[0],
        });
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_finite_value_stops_the_run_naming_column_and_day() {
        let columns = ["time_days".to_string(), "tnf_total".to_string()];
        assert_eq!(finite(&columns, vec![3.0, 1.5]).unwrap(), [3.0, 1.5]);
        let err = finite(&columns, vec![3.0, f64::NAN])
            .unwrap_err()
            .to_string();
        assert!(err.contains("tnf_total is NaN at day 3"), "{err}");
    }
}
