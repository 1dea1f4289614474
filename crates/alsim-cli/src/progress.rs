//! Progress of a run: an indicatif bar with ETA on a terminal, plain lines every 10% otherwise
//! (indicatif hides itself when stderr is not a terminal, e.g. in CI or a batch log).

use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;

pub(crate) struct Progress {
    bar: ProgressBar,
    total: u64,
    next_line: u64,
    started: Instant,
}

impl Progress {
    pub(crate) fn new(total_ticks: u64, label: &str) -> Self {
        let bar = ProgressBar::new(total_ticks);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} ticks, ETA {eta} {msg}",
            )
            .expect("template is valid"),
        );
        bar.set_prefix(label.to_string());
        Self {
            bar,
            total: total_ticks,
            next_line: 0,
            started: Instant::now(),
        }
    }

    pub(crate) fn update(&mut self, tick: u64, day: f64, alive: u64) {
        if self.bar.is_hidden() {
            if tick >= self.next_line {
                eprintln!(
                    "alsim: tick {tick}/{} (day {day:.1}), {alive} motor neurons alive, {:.1} s elapsed",
                    self.total,
                    self.started.elapsed().as_secs_f64()
                );
                self.next_line = tick + (self.total / 10).max(1);
            }
        } else {
            self.bar.set_position(tick);
            self.bar
                .set_message(format!("day {day:.1}, {alive} MN alive"));
        }
    }

    pub(crate) fn finish(self) {
        self.bar.finish_and_clear();
    }
}
