//! Progress of a run: an indicatif bar with ETA on a terminal, plain lines every 10% otherwise
//! (indicatif hides itself when stderr is not a terminal, e.g. in CI or a batch log). In a
//! batch, each running job is one line of the batch's `MultiProgress`, and when that is hidden
//! the batch prints a line per run started and finished instead (see `batch.rs`).

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::time::Instant;

pub(crate) struct Progress {
    bar: ProgressBar,
    /// The batch display holding the bar; `None` for a run on its own.
    multi: Option<MultiProgress>,
    total: u64,
    /// Next tick to print a plain line at; `None` when plain lines are not wanted.
    next_line: Option<u64>,
    started: Instant,
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("template is valid")
}

impl Progress {
    /// The progress of a run on its own.
    pub(crate) fn new(total_ticks: u64, label: &str) -> Self {
        let bar = ProgressBar::new(total_ticks);
        bar.set_style(style(
            "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} ticks, ETA {eta} {msg}",
        ));
        bar.set_prefix(label.to_string());
        Self {
            bar,
            multi: None,
            total: total_ticks,
            next_line: Some(0),
            started: Instant::now(),
        }
    }

    /// One line of a batch's display; silent when the display is hidden.
    pub(crate) fn in_batch(multi: &MultiProgress, total_ticks: u64, label: &str) -> Self {
        let bar = multi.add(ProgressBar::new(total_ticks));
        bar.set_style(style(
            "  {prefix:30} [{elapsed_precise}] {bar:30} {percent:>3}% ETA {eta} {msg}",
        ));
        bar.set_prefix(label.to_string());
        Self {
            bar,
            multi: Some(multi.clone()),
            total: total_ticks,
            next_line: None,
            started: Instant::now(),
        }
    }

    pub(crate) fn update(&mut self, tick: u64, day: f64, alive: u64) {
        if !self.bar.is_hidden() {
            self.bar.set_position(tick);
            self.bar
                .set_message(format!("day {day:.1}, {alive} MN alive"));
        } else if let Some(next) = self.next_line
            && tick >= next
        {
            eprintln!(
                "alsim: tick {tick}/{} (day {day:.1}), {alive} motor neurons alive, {:.1} s elapsed",
                self.total,
                self.started.elapsed().as_secs_f64()
            );
            self.next_line = Some(tick + (self.total / 10).max(1));
        }
    }

    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
        if let Some(multi) = &self.multi {
            multi.remove(&self.bar);
        }
    }
}

/// The overall bar of a batch and the lines it prints: above the bars on a terminal, as plain
/// lines otherwise.
pub(crate) struct BatchProgress {
    multi: MultiProgress,
    overall: ProgressBar,
}

impl BatchProgress {
    pub(crate) fn new(runs: u64) -> Self {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(runs));
        overall.set_style(style(
            "batch [{elapsed_precise}] {wide_bar} {pos}/{len} runs, ETA {eta} {msg}",
        ));
        Self { multi, overall }
    }

    /// The progress of one run in the batch.
    pub(crate) fn job(&self, total_ticks: u64, label: &str) -> Progress {
        Progress::in_batch(&self.multi, total_ticks, label)
    }

    /// Prints `line`: above the bars when they are drawn, else on stderr.
    pub(crate) fn say(&self, line: &str) {
        if self.multi.is_hidden() || self.multi.println(line).is_err() {
            eprintln!("{line}");
        }
    }

    /// Whether the bars are drawn (stderr is a terminal).
    pub(crate) fn is_drawn(&self) -> bool {
        !self.multi.is_hidden()
    }

    /// One more run done; `failed` runs so far are shown beside the bar.
    pub(crate) fn run_done(&self, failed: usize) {
        self.overall.inc(1);
        if failed > 0 {
            self.overall.set_message(format!("{failed} failed"));
        }
    }

    pub(crate) fn finish(&self) {
        self.overall.finish_and_clear();
    }
}
