//! The figures of a suite, the table they print as, and the scaling fits.

use crate::{SOLVER_BYTES_PER_VOXEL, TRIAD_BYTES_PER_ELEMENT};
use std::fmt;

/// Median of `values` (the mean of the two middle ones for an even count); NaN when empty.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// Exponent `b` of `y = a·x^b` fitted by least squares on `(ln x, ln y)`; `None` with fewer than
/// two distinct sizes.
pub fn fit_exponent(points: &[(f64, f64)]) -> Option<f64> {
    let logs: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (x.ln(), y.ln())).collect();
    let n = logs.len() as f64;
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

/// The field solver on one grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SolverRow {
    /// Voxels per edge of the cube.
    pub edge: usize,
    /// Voxels.
    pub voxels: u64,
    /// Median seconds per step of one field, one thread.
    pub seconds_one: f64,
    /// Median seconds per step of one field, all threads.
    pub seconds: f64,
    /// The least time the step's memory traffic takes at the all-threads triad bandwidth.
    pub bound_seconds: f64,
    /// How much faster arithmetic alone ran on all threads than on one, timed alongside: the
    /// most the speed-up could have been in those seconds.
    pub available: f64,
    /// Share of the machine's CPU time other processes used while this was timed.
    pub others: Option<f64>,
}

/// The cell step at one cell count.
#[derive(Clone, Debug, PartialEq)]
pub struct CellRow {
    /// Cells at the start.
    pub cells: u64,
    /// Median seconds per cell step, one thread.
    pub seconds_one: f64,
    /// Median seconds per cell step, all threads.
    pub seconds: f64,
    /// How much faster arithmetic alone ran on all threads than on one, timed alongside: the
    /// most the speed-up could have been in those seconds.
    pub available: f64,
    /// Share of the machine's CPU time other processes used while this was timed.
    pub others: Option<f64>,
}

/// Whole ticks of one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct TickRow {
    /// Scenario name.
    pub name: String,
    /// Voxels.
    pub voxels: u64,
    /// Cells at the start.
    pub cells: u64,
    /// Median seconds per tick on one thread.
    pub seconds_one: f64,
    /// Median seconds per tick on all threads.
    pub seconds_all: f64,
    /// How much faster arithmetic alone ran on all threads than on one, timed alongside: the
    /// most the speed-up could have been in those seconds.
    pub available: f64,
    /// Share of the machine's CPU time other processes used while this was timed.
    pub others: Option<f64>,
}

/// Whole ticks of the large cord at physiological counts, and its peak memory.
#[derive(Clone, Debug, PartialEq)]
pub struct CordRow {
    /// Voxels.
    pub voxels: u64,
    /// Motor neurons, microglia, astrocytes at the start.
    pub cells: [u64; 3],
    /// Median seconds per tick on one thread.
    pub seconds_one: f64,
    /// Median seconds per tick on all threads.
    pub seconds_all: f64,
    /// How much faster arithmetic alone ran on all threads than on one, alongside.
    pub available: f64,
    /// Share of the machine's CPU time other processes used meanwhile.
    pub others: Option<f64>,
    /// The memory estimate the run would be admitted with (`alsim validate`), bytes.
    pub estimated_bytes: u64,
    /// Peak resident bytes of a run of it (built, two ticks) in a fresh process.
    pub peak_bytes: Option<u64>,
}

/// One human body lifetime ([`crate::LIFETIME_SCENARIO`]) run on all threads, once.
#[derive(Clone, Debug, PartialEq)]
pub struct LifetimeRow {
    /// Regions of the body.
    pub regions: usize,
    /// Simulated days.
    pub days: f64,
    /// Wall seconds for the whole run (building the body included).
    pub seconds: f64,
    /// Steps the regions took, summed (adaptive stepping).
    pub region_steps: u64,
    /// Steps they would take in daily ticks: regions × ticks.
    pub daily_steps: u64,
}

/// Peak memory of two runs that differ in one amount (cells, or voxels times fields).
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryRow {
    /// The amount in each run.
    pub amounts: [u64; 2],
    /// Peak resident bytes of each run.
    pub peaks: [u64; 2],
    /// Difference of the peaks over the difference of the amounts.
    pub bytes_per_unit: f64,
}

/// Everything a suite measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// Threads of the all-threads measurements.
    pub threads: usize,
    /// The large cord (`--size L` only).
    pub cord: Option<CordRow>,
    /// A human body lifetime (`--size L` only, and only beside the source tree).
    pub lifetime: Option<LifetimeRow>,
    /// Triad bandwidth on one thread, bytes per second (bus traffic, write-allocate included).
    pub bandwidth_one: f64,
    /// Triad bandwidth on all threads, bytes per second.
    pub bandwidth_all: f64,
    /// The field solver, smallest grid first.
    pub solver: Vec<SolverRow>,
    /// The cell step, fewest cells first.
    pub cells: Vec<CellRow>,
    /// Whole ticks of the large scenarios, smallest first.
    pub ticks: Vec<TickRow>,
    /// Peak memory per cell (`None` where it could not be measured).
    pub memory_cells: Option<MemoryRow>,
    /// Peak memory per voxel and field.
    pub memory_voxels: Option<MemoryRow>,
}

/// One workload's median times against its size, for the scaling plot.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingSeries {
    /// Legend text.
    pub label: String,
    /// (size, seconds), smallest first.
    pub points: Vec<(f64, f64)>,
}

impl ScalingSeries {
    /// The fitted exponent of time over size.
    pub fn exponent(&self) -> Option<f64> {
        fit_exponent(&self.points)
    }
}

impl Report {
    /// Time against size of the solver (voxels), the cell step (cells) and the whole tick on
    /// all threads (voxels; its cells grow in the same proportion).
    pub fn scaling(&self) -> [ScalingSeries; 3] {
        [
            ScalingSeries {
                label: "field solver vs voxels".into(),
                points: self
                    .solver
                    .iter()
                    .map(|r| (r.voxels as f64, r.seconds))
                    .collect(),
            },
            ScalingSeries {
                label: "cell step vs cells".into(),
                points: self
                    .cells
                    .iter()
                    .map(|r| (r.cells as f64, r.seconds))
                    .collect(),
            },
            ScalingSeries {
                label: "whole tick vs voxels".into(),
                points: self
                    .ticks
                    .iter()
                    .map(|r| (r.voxels as f64, r.seconds_all))
                    .collect(),
            },
        ]
    }

    /// Exponent of whole-tick time over cells.
    pub fn tick_exponent_cells(&self) -> Option<f64> {
        let points: Vec<_> = self
            .ticks
            .iter()
            .map(|r| (r.cells as f64, r.seconds_all))
            .collect();
        fit_exponent(&points)
    }
}

fn exponent(e: Option<f64>) -> String {
    e.map_or("n/a (one size)".into(), |e| format!("{e:.2}"))
}

fn share(others: Option<f64>) -> String {
    others.map_or("n/a".into(), |s| format!("{:.0}%", 100.0 * s))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = format!("{} threads", self.threads);
        writeln!(
            f,
            "Memory bandwidth: STREAM triad a = b + s*c, 3 x 128 MiB of f32, {TRIAD_BYTES_PER_ELEMENT} B per element (12 as STREAM counts, and the write-allocate read of a).\nEvery timing below: median over repeats, the 1-thread and {all} runs alternated"
        )?;
        writeln!(f, "  1 thread     {:8.1} GB/s", self.bandwidth_one * 1e-9)?;
        writeln!(f, "  {all:<12} {:8.1} GB/s", self.bandwidth_all * 1e-9)?;
        writeln!(
            f,
            "\"avail\": how much faster arithmetic alone ran on {all} than on one, timed alongside each row ({}x on an idle machine: a speed-up cannot exceed it); \"others\": the share of all CPUs' time other processes used meanwhile",
            self.threads
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "Field solver alone: one field, one step (bound: {SOLVER_BYTES_PER_VOXEL} B/voxel at the {all} triad bandwidth)"
        )?;
        writeln!(
            f,
            "  {:<6} {:>9} {:>9} {:>9} {:>17} {:>9} {:>9} {:>9} {:>7} {:>7}",
            "grid",
            "voxels",
            "ms 1 thr",
            format!("ms {} thr", self.threads),
            "Mvoxel-updates/s",
            "bound ms",
            "of bound",
            "speed-up",
            "avail",
            "others"
        )?;
        for r in &self.solver {
            writeln!(
                f,
                "  {:<6} {:>9} {:>9.3} {:>9.3} {:>17.1} {:>9.3} {:>8.0}% {:>8.2}x {:>6.2}x {:>7}",
                format!("{}^3", r.edge),
                r.voxels,
                r.seconds_one * 1e3,
                r.seconds * 1e3,
                r.voxels as f64 / r.seconds * 1e-6,
                r.bound_seconds * 1e3,
                100.0 * r.bound_seconds / r.seconds,
                r.seconds_one / r.seconds,
                r.available,
                share(r.others)
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "Cell step alone: every phase but the fields', large-s resized"
        )?;
        writeln!(
            f,
            "  {:>9} {:>9} {:>9} {:>16} {:>9} {:>7} {:>7}",
            "cells",
            "ms 1 thr",
            format!("ms {} thr", self.threads),
            "Mcell-updates/s",
            "speed-up",
            "avail",
            "others"
        )?;
        for r in &self.cells {
            writeln!(
                f,
                "  {:>9} {:>9.2} {:>9.2} {:>16.2} {:>8.2}x {:>6.2}x {:>7}",
                r.cells,
                r.seconds_one * 1e3,
                r.seconds * 1e3,
                r.cells as f64 / r.seconds * 1e-6,
                r.seconds_one / r.seconds,
                r.available,
                share(r.others)
            )?;
        }
        writeln!(f)?;
        writeln!(f, "Whole tick: cells, exchange, 5 fields x 10 sub-steps")?;
        writeln!(
            f,
            "  {:<9} {:>9} {:>8} {:>11} {:>11} {:>9} {:>9} {:>7} {:>7}",
            "scenario",
            "voxels",
            "cells",
            "ms 1 thr",
            format!("ms {} thr", self.threads),
            "ticks/s",
            "speed-up",
            "avail",
            "others"
        )?;
        for r in &self.ticks {
            writeln!(
                f,
                "  {:<9} {:>9} {:>8} {:>11.1} {:>11.1} {:>9.2} {:>8.2}x {:>6.2}x {:>7}",
                r.name,
                r.voxels,
                r.cells,
                r.seconds_one * 1e3,
                r.seconds_all * 1e3,
                1.0 / r.seconds_all,
                r.seconds_one / r.seconds_all,
                r.available,
                share(r.others)
            )?;
        }
        if let Some(c) = &self.cord {
            writeln!(f)?;
            writeln!(
                f,
                "Large cord (scenarios/large-cord.ron): {} voxels, {} motor neurons, {} microglia, {} astrocytes",
                c.voxels, c.cells[0], c.cells[1], c.cells[2]
            )?;
            writeln!(
                f,
                "  tick {:.0} ms on 1 thread, {:.0} ms on {} ({:.2}x, avail {:.2}x, others {}); peak memory {} (estimate {})",
                c.seconds_one * 1e3,
                c.seconds_all * 1e3,
                all,
                c.seconds_one / c.seconds_all,
                c.available,
                share(c.others),
                c.peak_bytes
                    .map_or("not measured".into(), |b| format!("{:.0} MiB", mib(b))),
                format_args!("{:.0} MiB", mib(c.estimated_bytes))
            )?;
        }
        if let Some(l) = &self.lifetime {
            writeln!(f)?;
            writeln!(
                f,
                "Human body lifetime (scenarios/sporadic-body.ron): {} regions, {} days, {:.1} s on {} threads; {} region steps, {:.1}x fewer than daily ticks ({})",
                l.regions,
                l.days,
                l.seconds,
                all,
                l.region_steps,
                l.daily_steps as f64 / l.region_steps.max(1) as f64,
                l.daily_steps
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "Scaling: exponent of time over size, least squares over the sizes above (target 0.9-1.1)"
        )?;
        let [solver, cells, tick] = self.scaling();
        writeln!(
            f,
            "  field solver vs voxels  {}",
            exponent(solver.exponent())
        )?;
        writeln!(
            f,
            "  cell step vs cells      {}",
            exponent(cells.exponent())
        )?;
        writeln!(
            f,
            "  whole tick vs voxels    {}   vs cells {}",
            exponent(tick.exponent()),
            exponent(self.tick_exponent_cells())
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "Peak memory: VmHWM of two runs in fresh processes, the difference over the difference in size"
        )?;
        let memory =
            |f: &mut fmt::Formatter<'_>, what: &str, unit: &str, row: &Option<MemoryRow>| match row
            {
                Some(r) => writeln!(
                    f,
                    "  {what:<22} {:>7.1} B   ({} {unit}: {:.1} MiB; {} {unit}: {:.1} MiB)",
                    r.bytes_per_unit,
                    r.amounts[0],
                    mib(r.peaks[0]),
                    r.amounts[1],
                    mib(r.peaks[1])
                ),
                None => writeln!(f, "  {what:<22} not measured (no /proc/self/status)"),
            };
        memory(f, "per cell", "cells", &self.memory_cells)?;
        memory(
            f,
            "per voxel and field",
            "voxel-fields",
            &self.memory_voxels,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponent_of_a_power_law_is_recovered() {
        let points: Vec<_> = [1e4, 1e5, 1e6]
            .iter()
            .map(|&x: &f64| (x, 3.0 * x.powf(1.07)))
            .collect();
        assert!((fit_exponent(&points).unwrap() - 1.07).abs() < 1e-9);
        assert_eq!(fit_exponent(&points[..1]), None);
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&mut []).is_nan());
    }
}
