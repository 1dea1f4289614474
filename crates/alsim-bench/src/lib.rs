//! alsim-bench: what `cargo bench` and `alsim bench` measure, in one place so that both report
//! the same figures.
//!
//! ```text
//! workloads   the field solver alone on n³ grids (SolverWorkload), the cell step alone and the
//!             whole tick of a Simulation (large-s/m/l scenarios, or large-s resized to a cell
//!             count), the STREAM triad (Triad) for the memory-bandwidth bound
//! host        what else the machine did meanwhile: other processes' share of CPU time
//!             (OtherLoad, from /proc) and the speed-up pure arithmetic gets (arithmetic),
//!             each timed alongside every workload
//! suite       run_suite: every workload at the sizes of a Size, timed (medians over repeats),
//!             peak memory from probes the caller runs in fresh processes -> Report
//! report      Report: the table (Display), scaling exponents, the points of the scaling plot
//! ```
//!
//! This crate times and measures; it prints nothing and writes no file (the CLI does).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod bandwidth;
mod host;
mod report;
mod suite;

pub use bandwidth::{TRIAD_BYTES_PER_ELEMENT, Triad};
pub use host::{OtherLoad, arithmetic};
pub use report::{
    CordRow, LifetimeRow, Report, ScalingSeries, SolverRow, TickRow, fit_exponent, median,
};
pub use suite::{Probe, Size, pool, probe_peak_rss, run_suite};

use alsim_core::solver::{FaceBoundary, FieldSolver, GridShape};
use alsim_scenario::{Amount, Region, Scenario};

/// Edges of the cubic grids the field solver is timed on (64³, 128³, 256³ voxels).
pub const SOLVER_EDGES: [usize; 3] = [64, 128, 256];
/// Cell counts the cell step is timed at.
pub const CELL_COUNTS: [u64; 3] = [10_000, 100_000, 1_000_000];

/// Bytes the field solver must move between memory and the cores per voxel and step: the f32
/// grid is read once and written once by the fused x-and-y pass (each z plane is solved along x
/// and then y while it is in cache) and once more by the z pass (the forward and back
/// substitution of a column block stay in cache), 2 × (4 + 4) bytes. No scheme of sweeps can do
/// with one pass: the z recurrence needs every plane before the back substitution can start.
/// (Grids with fewer than 4 z planes per thread run x and y as separate passes, 24 bytes; none
/// of the benchmark grids is one.)
pub const SOLVER_BYTES_PER_VOXEL: f64 = 16.0;

/// The large-tissue scenarios, smallest first: (name, RON text).
pub const LARGE_SCENARIOS: [(&str, &str); 3] = [
    ("large-s", include_str!("../../../scenarios/large-s.ron")),
    ("large-m", include_str!("../../../scenarios/large-m.ron")),
    ("large-l", include_str!("../../../scenarios/large-l.ron")),
];

/// A slab of human lumbosacral cord at physiological counts (20,000 motor neurons, 2.2 M glia,
/// 3.75 M voxels): its whole tick and peak memory.
pub const LARGE_CORD: (&str, &str) = (
    "large-cord",
    include_str!("../../../scenarios/large-cord.ron"),
);

/// The human body lifetime the suite times: this repository's `scenarios/sporadic-body.ron`
/// (17 regions, age 40 to 90). It extends other files, so it is read from the source tree the
/// benchmark was built in.
pub const LIFETIME_SCENARIO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../scenarios/sporadic-body.ron"
);

/// [`LARGE_CORD`], parsed and validated.
pub fn large_cord() -> Scenario {
    let (name, text) = LARGE_CORD;
    Scenario::from_ron_str(text, name)
        .and_then(|s| s.validate(name).map(|()| s))
        .unwrap_or_else(|e| panic!("bundled scenario {name}: {e}"))
}

/// The large-tissue scenario `index` (0 = large-s), parsed and validated.
pub fn large_scenario(index: usize) -> Scenario {
    let (name, text) = LARGE_SCENARIOS[index];
    Scenario::from_ron_str(text, name)
        .and_then(|s| s.validate(name).map(|()| s))
        .unwrap_or_else(|e| panic!("bundled scenario {name}: {e}"))
}

/// Total cells at the start of `scenario`.
pub fn cell_count(scenario: &Scenario) -> u64 {
    scenario.footprint().cells.iter().sum()
}

/// Voxels of `scenario`'s grid.
pub fn voxel_count(scenario: &Scenario) -> u64 {
    scenario.footprint().voxels
}

/// `base` on a grid of `grid` voxels (same voxel size and densities; boxed regions stretched
/// with the tissue).
fn resized(base: &Scenario, grid: [u64; 3]) -> Scenario {
    let mut s = base.clone();
    let old = base.tissue.size();
    let new = grid.map(|n| n as f64 * base.tissue.voxel_um);
    s.tissue.size_um = (new[0], new[1], new[2]);
    let stretch = |p: &mut (f64, f64, f64)| {
        p.0 *= new[0] / old[0];
        p.1 *= new[1] / old[1];
        p.2 *= new[2] / old[2];
    };
    let p = &mut s.populations;
    for pop in [&mut p.motor_neurons, &mut p.microglia, &mut p.astrocytes] {
        if let Region::Box { min_um, max_um } = &mut pop.region {
            stretch(min_um);
            stretch(max_um);
        }
    }
    s
}

/// large-s grown or shrunk (the same tissue, the same densities) to hold about `cells` cells:
/// what the cell step is timed on.
pub fn cell_scenario(cells: u64) -> Scenario {
    let base = large_scenario(0);
    let f = (cells as f64 / cell_count(&base) as f64).cbrt();
    let grid = base
        .tissue
        .grid()
        .map(|n| ((n as f64 * f).round() as u64).max(1));
    resized(&base, grid)
}

/// large-s with its glia `factor` times as dense (its grid unchanged): the peak memory of two
/// such runs differs by what the extra cells take.
pub fn dense_scenario(factor: f64) -> Scenario {
    let mut s = large_scenario(0);
    for pop in [&mut s.populations.microglia, &mut s.populations.astrocytes] {
        if let Amount::DensityPerMm3(d) = &mut pop.amount {
            *d *= factor;
        }
    }
    s
}

/// large-s on an `edge`³ grid with fixed cell counts: the peak memory of two such runs differs
/// by what the extra voxels take.
pub fn grid_scenario(edge: u64) -> Scenario {
    let mut s = resized(&large_scenario(0), [edge; 3]);
    let p = &mut s.populations;
    p.motor_neurons.amount = Amount::Count(100);
    p.microglia.amount = Amount::Count(1_000);
    p.astrocytes.amount = Amount::Count(2_000);
    s
}

/// One field on an `edge`³ grid and its solver, with the settings of the large scenarios'
/// cytokines (D = 40 µm²/s, 20 µm voxels, 6-minute steps, zero-flux faces) but no decay: every
/// field runs the same kernel whatever its coefficients, and without decay the values never
/// reach the subnormal range however many steps are timed.
pub struct SolverWorkload {
    solver: FieldSolver,
    values: Vec<f32>,
}

impl SolverWorkload {
    /// Allocates the grid with a non-uniform starting field.
    pub fn new(edge: usize) -> Self {
        let shape = GridShape {
            nx: edge,
            ny: edge,
            nz: edge,
            voxel_um: 20.0,
        };
        let zero_flux = (FaceBoundary::ZeroFlux, FaceBoundary::ZeroFlux);
        let solver = FieldSolver::new(shape, 40.0 * 3600.0, 0.0, 0.1, [zero_flux; 3]);
        let values = (0..shape.voxels())
            .map(|i| (i % 97) as f32 * 0.01 + 1.0)
            .collect();
        Self { solver, values }
    }

    /// Voxels of the grid.
    pub fn voxels(&self) -> usize {
        self.values.len()
    }

    /// One solver step, in the current rayon pool.
    pub fn step(&mut self) {
        self.solver.step(&mut self.values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_large_cord_holds_ten_thousand_motor_neurons_a_side_and_millions_of_glia() {
        let fp = large_cord().footprint();
        assert_eq!(fp.cells[0], 20_000);
        assert!(fp.cells[1] + fp.cells[2] > 2_000_000, "{:?}", fp.cells);
        assert_eq!(fp.voxels, 3_750_000);
    }

    #[test]
    fn large_scenarios_span_ten_times_in_cells_and_voxels() {
        let s = large_scenario(0);
        let l = large_scenario(2);
        let cells = cell_count(&l) as f64 / cell_count(&s) as f64;
        let voxels = voxel_count(&l) as f64 / voxel_count(&s) as f64;
        assert!((9.5..11.0).contains(&cells), "{cells}");
        assert!((9.5..11.0).contains(&voxels), "{voxels}");
    }

    #[test]
    fn cell_scenarios_hold_the_asked_count_within_five_percent() {
        for n in CELL_COUNTS {
            let s = cell_scenario(n);
            s.validate("cell scenario").unwrap();
            let got = cell_count(&s) as f64;
            assert!((got / n as f64 - 1.0).abs() < 0.05, "{n}: {got}");
        }
    }

    #[test]
    fn memory_probe_scenarios_vary_one_thing() {
        let (a, b) = (dense_scenario(1.0), dense_scenario(4.0));
        assert_eq!(voxel_count(&a), voxel_count(&b));
        assert!(cell_count(&b) > 3 * cell_count(&a));
        let (a, b) = (grid_scenario(32), grid_scenario(64));
        assert_eq!(cell_count(&a), cell_count(&b));
        assert_eq!(voxel_count(&b), 8 * voxel_count(&a));
        for s in [dense_scenario(8.0), grid_scenario(96)] {
            s.validate("probe").unwrap();
        }
    }
}
