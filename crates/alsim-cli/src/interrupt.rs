//! Ctrl-C (SIGINT) and SIGTERM during `run`, `batch` and `compare`: the first signal asks every
//! running simulation to stop after its current step, write a checkpoint and its partial time
//! series, and exit non-zero; a second one ends the process at once.
//!
//! The handler only sets a flag (the `ctrlc` crate runs it on a thread of its own); the step
//! loops poll it between ticks, so a checkpoint never holds a half-computed tick.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static WATCHING: OnceLock<()> = OnceLock::new();

/// Exit status of a run stopped by a signal (128 + SIGINT, as shells report it).
pub(crate) const EXIT_STATUS: u8 = 130;

/// Starts watching for Ctrl-C and SIGTERM (once per process; later calls do nothing).
pub(crate) fn watch() {
    WATCHING.get_or_init(|| {
        let handler = || {
            if REQUESTED.swap(true, Ordering::SeqCst) {
                eprintln!("\nalsim: interrupted again: stopping now without a checkpoint");
                std::process::exit(i32::from(EXIT_STATUS));
            }
            eprintln!(
                "\nalsim: interrupted: finishing the current step and writing a checkpoint (Ctrl-C again to stop at once)"
            );
        };
        if let Err(e) = ctrlc::set_handler(handler) {
            eprintln!("alsim: warning: Ctrl-C will stop runs without a checkpoint: {e}");
        }
    });
}

/// Whether a stop was asked for.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// A run or batch that stopped on request; `main` exits with [`EXIT_STATUS`].
#[derive(Debug)]
pub(crate) struct Interrupted(pub(crate) String);

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}
