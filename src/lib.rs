//! alsim: agent-based simulation of spinal cord tissue in amyotrophic lateral sclerosis.
//!
//! This facade re-exports the workspace's crates so that tests, benches and users depend on one
//! name: [`scenario`] (the RON format), [`core`] (the model), [`io`] (run folders), [`run`]
//! (runs, batches and calibration into run folders) and [`cli`] (the `alsim` command).
//! `docs/architecture.md` is the map.

#![forbid(unsafe_code)]

pub use alsim_cli as cli;
pub use alsim_core as core;
pub use alsim_io as io;
pub use alsim_run as run;
pub use alsim_scenario as scenario;
