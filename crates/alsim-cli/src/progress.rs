//! What alsim-run's progress looks like on stderr: an indicatif bar with ETA on a terminal,
//! plain lines otherwise (indicatif hides itself when stderr is not a terminal, e.g. in CI or a
//! batch log). A run alone gets a bar ([`RunBar`]) or a line every 10%; a batch an overall bar
//! with a line per running job ([`BatchBars`]) or a line per run started and finished; a
//! calibration one bar of runs ([`CalibrateBar`]) or a line per run done.

use alsim_core::Summary;
use alsim_run::{Progress, RunError, Step};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("template is valid")
}

/// Locks `mutex`; a display never panics holding it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().expect("no panic while the display is locked")
}

/// The bar of a run alone.
struct Bar {
    bar: ProgressBar,
    /// Next tick to print a plain line at, when the bar is hidden.
    next_line: u64,
    started: Instant,
}

/// The progress of `alsim run`.
#[derive(Default)]
pub(crate) struct RunBar(Mutex<Option<Bar>>);

impl Progress for RunBar {
    fn started(&self, run: &str, total_ticks: u64) {
        let bar = ProgressBar::new(total_ticks);
        bar.set_style(style(
            "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} ticks, ETA {eta} {msg}",
        ));
        bar.set_prefix(run.to_string());
        *lock(&self.0) = Some(Bar {
            bar,
            next_line: 0,
            started: Instant::now(),
        });
    }

    fn advanced(&self, _run: &str, step: Step) {
        let mut shown = lock(&self.0);
        let Some(bar) = shown.as_mut() else {
            return;
        };
        let Step {
            tick,
            total_ticks,
            day,
            motor_neurons_alive: alive,
        } = step;
        if !bar.bar.is_hidden() {
            bar.bar.set_position(tick);
            bar.bar
                .set_message(format!("day {day:.1}, {alive} MN alive"));
        } else if tick >= bar.next_line {
            note!(
                "alsim: tick {tick}/{total_ticks} (day {day:.1}), {alive} motor neurons alive, {:.1} s elapsed",
                bar.started.elapsed().as_secs_f64()
            );
            bar.next_line = tick + (total_ticks / 10).max(1);
        }
    }

    fn finished(&self, _run: &str, _result: Result<&Summary, &RunError>, _elapsed: Duration) {
        if let Some(bar) = lock(&self.0).take() {
            bar.bar.finish_and_clear();
        }
    }

    fn message(&self, text: &str) {
        let line = format!("alsim: {text}");
        match lock(&self.0).as_ref() {
            Some(bar) if !bar.bar.is_hidden() => bar.bar.println(line),
            _ => note!("{line}"),
        }
    }
}

/// The progress of `alsim batch` and `alsim cohort` (and of the runs of `alsim compare`): the
/// overall bar of runs (or people) with their rate per minute, a line per running job, and the
/// lines they print (above the bars on a terminal).
pub(crate) struct BatchBars {
    multi: MultiProgress,
    overall: OnceLock<ProgressBar>,
    jobs: Mutex<HashMap<String, ProgressBar>>,
    failed: AtomicUsize,
    /// What a run is called: "runs", or "people" in a cohort.
    unit: &'static str,
}

impl BatchBars {
    /// Bars counting `unit` ("runs" or "people").
    pub(crate) fn new(unit: &'static str) -> Self {
        Self {
            multi: MultiProgress::new(),
            overall: OnceLock::new(),
            jobs: Mutex::new(HashMap::new()),
            failed: AtomicUsize::new(0),
            unit,
        }
    }

    /// Prints `line`: above the bars when they are drawn, else on stderr.
    fn say(&self, line: &str) {
        if self.multi.is_hidden() || self.multi.println(line).is_err() {
            note!("{line}");
        }
    }

    /// Whether the bars are drawn (stderr is a terminal).
    fn is_drawn(&self) -> bool {
        !self.multi.is_hidden()
    }

    /// Clears the bars once the batch is over.
    pub(crate) fn finish(&self) {
        if let Some(overall) = self.overall.get() {
            overall.finish_and_clear();
        }
    }
}

impl Progress for BatchBars {
    fn planned(&self, runs: usize) {
        let overall = self.multi.add(ProgressBar::new(runs as u64));
        overall.set_style(style(&format!(
            "batch [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {}, ETA {{eta}} {{msg}}",
            self.unit
        )));
        // A batch plans once; a second plan would only recount the same runs.
        let _ = self.overall.set(overall);
    }

    fn started(&self, run: &str, total_ticks: u64) {
        if !self.is_drawn() {
            self.say(&format!("alsim: batch: {run} started"));
            return;
        }
        let bar = self.multi.add(ProgressBar::new(total_ticks));
        bar.set_style(style(
            "  {prefix:30} [{elapsed_precise}] {bar:30} {percent:>3}% ETA {eta} {msg}",
        ));
        bar.set_prefix(run.to_string());
        lock(&self.jobs).insert(run.to_string(), bar);
    }

    fn advanced(&self, run: &str, step: Step) {
        if let Some(bar) = lock(&self.jobs).get(run) {
            bar.set_position(step.tick);
            bar.set_message(format!(
                "day {:.1}, {} MN alive",
                step.day, step.motor_neurons_alive
            ));
        }
    }

    fn finished(&self, run: &str, result: Result<&Summary, &RunError>, elapsed: Duration) {
        if let Some(bar) = lock(&self.jobs).remove(run) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        let mut line = match result {
            Ok(summary) => format!(
                "alsim: batch: {run} finished in {:.1} s: {} of {} motor neurons alive after {} days",
                elapsed.as_secs_f64(),
                summary.motor_neurons_final_alive,
                summary.motor_neurons_initial,
                summary.simulated_days
            ),
            Err(err) if err.is_cancelled() => {
                format!("alsim: batch: {run} stopped: {}", err.chain())
            }
            Err(err) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                format!("alsim: batch: {run} FAILED: {}", err.chain())
            }
        };
        if let Some(overall) = self.overall.get() {
            overall.inc(1);
            let minutes = overall.elapsed().as_secs_f64() / 60.0;
            let mut message = format!(
                "{:.1} {}/min",
                overall.position() as f64 / minutes,
                self.unit
            );
            let failed = self.failed.load(Ordering::Relaxed);
            if failed > 0 {
                message.push_str(&format!(", {failed} failed"));
            }
            if !self.is_drawn() {
                line.push_str(&format!(
                    " [{}/{} {}, {message}]",
                    overall.position(),
                    overall.length().unwrap_or(0),
                    self.unit
                ));
            }
            overall.set_message(message);
        }
        // On a terminal the bar shows runs finishing; only what went wrong needs a line.
        if !self.is_drawn() || result.is_err() {
            self.say(&line);
        }
    }

    fn message(&self, text: &str) {
        self.say(&format!("alsim: {text}"));
    }
}

/// The progress of `alsim calibrate`: one bar of runs.
#[derive(Default)]
pub(crate) struct CalibrateBar(OnceLock<ProgressBar>);

impl CalibrateBar {
    /// Clears the bar once every run is done.
    pub(crate) fn finish(&self) {
        if let Some(bar) = self.0.get() {
            bar.finish_and_clear();
        }
    }
}

impl Progress for CalibrateBar {
    fn planned(&self, runs: usize) {
        let bar = ProgressBar::new(runs as u64);
        bar.set_style(style(
            "calibrate [{elapsed_precise}] {wide_bar} {pos}/{len} runs, ETA {eta}",
        ));
        // A calibration plans once.
        let _ = self.0.set(bar);
    }

    fn finished(&self, run: &str, _result: Result<&Summary, &RunError>, _elapsed: Duration) {
        if let Some(bar) = self.0.get() {
            bar.inc(1);
            if bar.is_hidden() {
                note!("alsim: calibrate: {run} done");
            }
        }
    }
}
