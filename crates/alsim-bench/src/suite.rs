//! The whole measurement: every workload at the sizes asked for, timed with medians.

use crate::report::{CellRow, CordRow, LifetimeRow, MemoryRow, Report, SolverRow, TickRow, median};
use crate::{
    CELL_COUNTS, LARGE_CORD, LIFETIME_SCENARIO, OtherLoad, SOLVER_BYTES_PER_VOXEL, SOLVER_EDGES,
    SolverWorkload, Triad, arithmetic, cell_count, cell_scenario, dense_scenario, grid_scenario,
    large_cord, large_scenario, voxel_count,
};
use alsim_core::{Body, FIELD_COUNT, Simulation};
use alsim_scenario::Scenario;
use rayon::ThreadPool;
use std::time::{Duration, Instant};

/// How many sizes of each workload a suite measures: the smallest (`S`), the two smallest
/// (`M`) or all three (`L`, the full table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 64³ voxels, 10⁴ cells, large-s.
    S,
    /// Up to 128³ voxels, 10⁵ cells, large-m.
    M,
    /// Up to 256³ voxels, 10⁶ cells, large-l.
    L,
}

impl Size {
    fn count(self) -> usize {
        match self {
            Size::S => 1,
            Size::M => 2,
            Size::L => 3,
        }
    }
}

/// A run whose peak memory the caller measures in a fresh process (a process' peak only
/// grows, so two sizes measured in one would hide the smaller).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Probe {
    /// [`crate::dense_scenario`] with this density factor.
    Dense(u32),
    /// [`crate::grid_scenario`] on this edge.
    Grid(u64),
    /// [`crate::large_cord`].
    Cord,
}

/// Density factors and grid edges of the memory probes (each pair differs in one thing).
const DENSE_PROBES: [u32; 2] = [4, 32];
const GRID_PROBES: [u64; 2] = [64, 128];
/// Ticks a memory probe runs (its peak includes a tick's transient allocations).
const PROBE_TICKS: usize = 2;
/// Elements of each triad array: 128 MiB, four times the largest last-level cache of the
/// machines we run on, as STREAM asks.
const TRIAD_LEN: usize = 32 << 20;

impl Probe {
    /// The probe as a command-line word (`dense:4`, `grid:64`).
    pub fn to_arg(self) -> String {
        match self {
            Probe::Dense(f) => format!("dense:{f}"),
            Probe::Grid(e) => format!("grid:{e}"),
            Probe::Cord => "cord".into(),
        }
    }

    /// The inverse of [`Probe::to_arg`].
    pub fn parse(arg: &str) -> Option<Self> {
        if arg == "cord" {
            return Some(Probe::Cord);
        }
        let (kind, n) = arg.split_once(':')?;
        match kind {
            "dense" => n.parse().ok().map(Probe::Dense),
            "grid" => n.parse().ok().map(Probe::Grid),
            _ => None,
        }
    }

    fn scenario(self) -> Scenario {
        match self {
            Probe::Dense(f) => dense_scenario(f64::from(f)),
            Probe::Grid(e) => grid_scenario(e),
            Probe::Cord => large_cord(),
        }
    }
}

/// Builds the probe's world, runs a couple of ticks and returns this process' peak resident
/// memory in bytes (`VmHWM` of `/proc/self/status`; `None` where there is none).
pub fn probe_peak_rss(probe: Probe) -> Option<u64> {
    let mut sim = Simulation::new(&probe.scenario()).ok()?;
    for _ in 0..PROBE_TICKS {
        sim.step();
    }
    drop(sim);
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Median seconds per call in each of two pools; how much faster arithmetic alone ran in the
/// second than in the first, timed alongside; and the share of the machine's CPU time other
/// processes used meanwhile.
struct Timing {
    seconds: [f64; 2],
    available: f64,
    others: Option<f64>,
}

/// Times `f` in each of `pools` (after one untimed call in each), alternating so that both see
/// the same load from the rest of the machine: at least `min` samples each, more while within
/// `budget`, at most 100. After each sample the pool also runs [`arithmetic`], two units per
/// thread of the larger pool.
fn time_pools(
    pools: [&ThreadPool; 2],
    mut f: impl FnMut() + Send,
    min: usize,
    budget: Duration,
) -> Timing {
    for p in pools {
        p.install(&mut f);
    }
    let others = OtherLoad::start();
    let start = Instant::now();
    let units = 2 * pools[1].current_num_threads();
    let mut samples = [Vec::new(), Vec::new()];
    let mut probes = [Vec::new(), Vec::new()];
    while samples[0].len() < min || (start.elapsed() < budget && samples[0].len() < 100) {
        for (p, (s, a)) in pools.iter().zip(samples.iter_mut().zip(&mut probes)) {
            let t = Instant::now();
            p.install(&mut f);
            s.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            p.install(|| arithmetic(units));
            a.push(t.elapsed().as_secs_f64());
        }
    }
    let [one, all] = probes.map(|mut a| median(&mut a));
    Timing {
        seconds: samples.map(|mut s| median(&mut s)),
        available: one / all,
        others: others.share(),
    }
}

/// A rayon pool of `threads` worker threads (benchmarks step a `Simulation` inside one, as the
/// CLI does).
pub fn pool(threads: usize) -> ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("worker threads start")
}

/// Runs every workload at the sizes of `size` and returns the figures. `progress` is told what
/// is being measured; `probe` runs a memory probe in a fresh process and returns its peak RSS
/// in bytes (or `None` when it cannot), e.g. by running [`probe_peak_rss`] there.
pub fn run_suite(
    size: Size,
    progress: &mut dyn FnMut(&str),
    probe: &mut dyn FnMut(Probe) -> Option<u64>,
) -> Report {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one, all) = (pool(1), pool(threads));
    let k = size.count();

    progress("memory bandwidth (STREAM triad)");
    let mut triad = Triad::new(TRIAD_LEN);
    let bytes = triad.bytes() as f64;
    let pools = [&one, &all];
    let [t_one, t_all] = time_pools(pools, || triad.run(), 5, Duration::from_secs(1)).seconds;
    let (bandwidth_one, bandwidth_all) = (bytes / t_one, bytes / t_all);
    drop(triad);

    let mut solver = Vec::new();
    for &edge in &SOLVER_EDGES[..k] {
        progress(&format!("field solver, {edge}³ voxels"));
        let mut w = SolverWorkload::new(edge);
        let timing = time_pools(pools, || w.step(), 5, Duration::from_secs(1));
        let [seconds_one, seconds] = timing.seconds;
        let voxels = w.voxels() as f64;
        solver.push(SolverRow {
            edge,
            voxels: w.voxels() as u64,
            seconds_one,
            seconds,
            available: timing.available,
            others: timing.others,
            bound_seconds: SOLVER_BYTES_PER_VOXEL * voxels / bandwidth_all,
        });
    }

    let mut cells = Vec::new();
    for &n in &CELL_COUNTS[..k] {
        progress(&format!("cell step, {n} cells"));
        let scenario = cell_scenario(n);
        let mut sim = Simulation::new(&scenario).expect("benchmark scenarios build");
        all.install(|| sim.step());
        let budget = Duration::from_secs(2);
        let timing = time_pools(pools, || sim.step_cells_only(), 3, budget);
        let [seconds_one, seconds] = timing.seconds;
        cells.push(CellRow {
            cells: cell_count(&scenario),
            seconds_one,
            seconds,
            available: timing.available,
            others: timing.others,
        });
    }

    let mut ticks = Vec::new();
    for i in 0..k {
        let scenario = large_scenario(i);
        progress(&format!("whole tick, {}", scenario.name));
        let mut sim = Simulation::new(&scenario).expect("benchmark scenarios build");
        let budget = Duration::from_secs(3);
        let timing = time_pools(pools, || sim.step(), 3, budget);
        let [seconds_one, seconds_all] = timing.seconds;
        ticks.push(TickRow {
            name: scenario.name.clone(),
            voxels: voxel_count(&scenario),
            cells: cell_count(&scenario),
            seconds_one,
            seconds_all,
            available: timing.available,
            others: timing.others,
        });
    }

    // The cord at physiological counts, with --size L only: building it takes seconds.
    let cord = (size == Size::L).then(|| {
        let scenario = large_cord();
        progress(&format!("whole tick, {}", LARGE_CORD.0));
        let mut sim = Simulation::new(&scenario).expect("benchmark scenarios build");
        let timing = time_pools(pools, || sim.step(), 3, Duration::from_secs(4));
        drop(sim);
        let [seconds_one, seconds_all] = timing.seconds;
        CordRow {
            voxels: voxel_count(&scenario),
            cells: scenario.footprint().cells,
            seconds_one,
            seconds_all,
            available: timing.available,
            others: timing.others,
            estimated_bytes: scenario.footprint().memory_bytes,
            peak_bytes: None,
        }
    });

    // A lifetime takes tens of seconds: once, with --size L only.
    let lifetime = (size == Size::L)
        .then(|| alsim_scenario::load(std::path::Path::new(LIFETIME_SCENARIO)).ok())
        .flatten()
        .map(|scenario| {
            progress("human body lifetime (sporadic-body.ron, one run)");
            let started = Instant::now();
            let body = all.install(|| {
                let mut body = Body::new(&scenario).expect("bundled scenarios build");
                while !body.is_finished() {
                    body.step();
                }
                body
            });
            let regions = body.regions();
            LifetimeRow {
                regions: regions.len(),
                days: body.time_days(),
                seconds: started.elapsed().as_secs_f64(),
                region_steps: regions.iter().map(|r| r.sim.steps()).sum(),
                daily_steps: regions.len() as u64 * body.total_ticks(),
            }
        });

    progress("peak memory (runs in fresh processes)");
    let cord = cord.map(|row| CordRow {
        peak_bytes: probe(Probe::Cord),
        ..row
    });
    let mut per = |probes: [Probe; 2], amount: &dyn Fn(Probe) -> u64| {
        let peaks = probes.map(&mut *probe);
        let (Some(a), Some(b)) = (peaks[0], peaks[1]) else {
            return None;
        };
        let extra = amount(probes[1]) as f64 - amount(probes[0]) as f64;
        Some(MemoryRow {
            amounts: probes.map(amount),
            peaks: [a, b],
            bytes_per_unit: (b as f64 - a as f64) / extra,
        })
    };
    let memory_cells = per(DENSE_PROBES.map(Probe::Dense), &|p| {
        cell_count(&p.scenario())
    });
    let memory_voxels = per(GRID_PROBES.map(Probe::Grid), &|p| {
        voxel_count(&p.scenario()) * FIELD_COUNT as u64
    });

    Report {
        threads,
        cord,
        lifetime,
        bandwidth_one,
        bandwidth_all,
        solver,
        cells,
        ticks,
        memory_cells,
        memory_voxels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_round_trip_through_their_argument() {
        for p in [Probe::Dense(4), Probe::Grid(128), Probe::Cord] {
            assert_eq!(Probe::parse(&p.to_arg()), Some(p));
        }
        assert_eq!(Probe::parse("grid:x"), None);
        assert_eq!(Probe::parse("cells:4"), None);
    }

    #[test]
    fn time_pools_takes_the_minimum_samples_in_each_pool() {
        let (one, two) = (pool(1), pool(2));
        let mut calls = 0;
        let t = time_pools([&one, &two], || calls += 1, 5, Duration::ZERO);
        assert_eq!(calls, 12, "one warm-up and five samples in each pool");
        assert!(t.seconds.iter().all(|&t| t >= 0.0));
    }
}
