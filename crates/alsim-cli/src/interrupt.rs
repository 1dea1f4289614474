//! Ctrl-C (SIGINT) and SIGTERM during `run`, `batch` and `compare`: the first signal cancels the
//! runs' [`CancelToken`], so every running simulation stops after its current step, writes a
//! checkpoint and its partial time series, and alsim exits non-zero; a second one ends the
//! process at once.
//!
//! The handler only trips the token (the `ctrlc` crate runs it on a thread of its own); the
//! step loops check it between ticks, so a checkpoint never holds a half-computed tick.

use alsim_run::CancelToken;

/// Exit status of a run stopped by a signal (128 + SIGINT, as shells report it).
pub(crate) const EXIT_STATUS: u8 = 130;

/// A token that Ctrl-C and SIGTERM trip from now on; call once per process.
pub(crate) fn watch() -> CancelToken {
    let token = CancelToken::new();
    let tripped = token.clone();
    let handler = move || {
        if tripped.is_cancelled() {
            note!("\nalsim: interrupted again: stopping now without a checkpoint");
            std::process::exit(i32::from(EXIT_STATUS));
        }
        tripped.cancel();
        note!(
            "\nalsim: interrupted: finishing the current step and writing a checkpoint (Ctrl-C again to stop at once)"
        );
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        note!("alsim: warning: Ctrl-C will stop runs without a checkpoint: {e}");
    }
    token
}
