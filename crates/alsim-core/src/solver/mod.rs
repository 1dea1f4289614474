//! Implicit diffusion + first-order decay on a 3D box of voxels.
//!
//! The field obeys `du/dt = D (d2u/dx2 + d2u/dy2 + d2u/dz2) - lambda u` on a box of `nx * ny * nz`
//! cubic voxels of edge `h`, one `f32` per voxel, stored with `x` fastest
//! (`index = x + nx * (y + ny * z)`).
//!
//! [`FieldSolver::step`] advances one step `dt` by locally one-dimensional (LOD) backward-Euler
//! splitting, as BioFVM does:
//!
//! 1. multiply by the exact decay factor `exp(-lambda dt)` (fused into the first sweep);
//! 2. solve `(I - r L_x) u = rhs` along every x line, with `r = D dt / h^2` and `L_x` the
//!    three-point second difference including the face conditions;
//! 3. the same along y, then along z.
//!
//! Every 1D system is solved with the Thomas algorithm. The matrix is identical for every line of
//! an axis, so its factorisation (the reciprocal pivots and the modified upper coefficients) is
//! computed once in [`FieldSolver::new`], in `f64`, and stored as `f32`; a step then does no
//! division. Each voxel's arithmetic is fixed (the same `f32` operations in the same order
//! whatever the thread count, the tiling or the instruction set; never FMA), so results are
//! bit-identical for any rayon pool size and on any x86_64 CPU.
//!
//! Memory layout of the sweeps. x and y run plane by plane, parallel over z planes: a plane is
//! solved along x and then along y while it is still in cache, so that together they read and
//! write the grid once; z reads and writes it once more (16 bytes per voxel and step in all).
//! With fewer than [`FUSE_PLANES_PER_THREAD`] planes per thread, x runs over row blocks of the
//! whole grid instead (the same arithmetic per voxel).
//! - x (with the decay): blocks of 16 consecutive rows; 32 x positions at a time are transposed
//!   into a per-thread scratch so that the recurrence runs over the 16 rows in the vector lanes
//!   (AVX2 8x8 transposes when the CPU has AVX2, chosen at run time; SSE2 4x4 otherwise). The
//!   scratch (`nx` x 64 bytes) is allocated on a thread's first step and reused: later steps do
//!   not allocate.
//! - y: forward and back row by row with x innermost.
//! - z: parallel over column blocks of the x-y plane (about 128 KiB of column per block, so the
//!   back pass finds the forward results in cache), with software prefetch ahead of the forward
//!   pass.
//!
//! Boundary conditions per face: [`FaceBoundary::ZeroFlux`] (no flux across the face; total mass
//! is conserved exactly in exact arithmetic) or [`FaceBoundary::Fixed`] (a ghost voxel one voxel
//! width outside the face held at a value).
//!
//! Sources are added by the caller before [`FieldSolver::step`], scaled by
//! [`FieldSolver::source_increment_factor`].
//!
//! Files: `grid.rs` holds the grid's shape and face conditions; `thomas.rs` each axis'
//! factorised matrix and the forward and back recurrences of the x, y and z solves, in safe
//! code; `kernels.rs` the SIMD kernels (AVX2 builds, transposes, prefetch) and the z sweep's
//! column blocks, the only `unsafe` code of the workspace. This file holds the public API and
//! runs the sweeps in parallel.

use rayon::prelude::*;

pub use grid::{Boundaries, FaceBoundary, GridShape};

use kernels::{LANES, diag_row, par_column_blocks, x_tile_solve};
use thomas::{Axis, AxisKind, column_block_solve, plane_solve};

mod grid;
// The one module allowed `unsafe` (lib.rs denies it everywhere else).
#[allow(unsafe_code)]
mod kernels;
mod thomas;

/// Voxels per rayon task in element-wise passes.
const FLAT_CHUNK: usize = 1 << 14;
/// The x and y solves run plane by plane (fused) when there are at least this many z planes
/// per thread; with fewer, x runs over row blocks of the whole grid so that every thread gets
/// work.
const FUSE_PLANES_PER_THREAD: usize = 4;
/// Target bytes of one z column block (forward pass output kept in L2 for the back pass).
const Z_BLOCK_BYTES: usize = 128 * 1024;

/// Implicit LOD (backward-Euler, one axis at a time) solver for diffusion with first-order decay.
///
/// Construct once per field and time step with [`FieldSolver::new`]; call
/// [`FieldSolver::step`] once per step. See the module documentation for the scheme.
#[derive(Clone, Debug)]
pub struct FieldSolver {
    shape: GridShape,
    dt_hours: f64,
    decay_factor: f32,
    source_factor: f64,
    axes: [Axis; 3],
}

impl FieldSolver {
    /// Builds a solver for one field.
    ///
    /// `diffusion_um2_per_hour` is the diffusion coefficient in um^2 per hour, `decay_per_hour`
    /// the first-order decay rate per hour and `dt_hours` the step in hours. All must be finite
    /// and non-negative, and `shape.voxel_um` finite and positive: this is validated upstream
    /// and only debug-asserted here. Any combination of such inputs is stable (the scheme is
    /// unconditionally stable); an axis may have a single voxel and `D` may be zero.
    pub fn new(
        shape: GridShape,
        diffusion_um2_per_hour: f64,
        decay_per_hour: f64,
        dt_hours: f64,
        boundaries: Boundaries,
    ) -> Self {
        debug_assert!(
            diffusion_um2_per_hour.is_finite() && diffusion_um2_per_hour >= 0.0,
            "diffusion must be finite and non-negative, got {diffusion_um2_per_hour}"
        );
        debug_assert!(
            decay_per_hour.is_finite() && decay_per_hour >= 0.0,
            "decay must be finite and non-negative, got {decay_per_hour}"
        );
        debug_assert!(
            dt_hours.is_finite() && dt_hours >= 0.0,
            "dt must be finite and non-negative, got {dt_hours}"
        );
        debug_assert!(
            shape.voxel_um.is_finite() && shape.voxel_um > 0.0,
            "voxel size must be finite and positive, got {}",
            shape.voxel_um
        );
        let r = diffusion_um2_per_hour * dt_hours / (shape.voxel_um * shape.voxel_um);
        let lambda_dt = decay_per_hour * dt_hours;
        let source_factor = if decay_per_hour == 0.0 {
            dt_hours
        } else {
            lambda_dt.exp_m1() / decay_per_hour
        };
        FieldSolver {
            shape,
            dt_hours,
            decay_factor: (-lambda_dt).exp() as f32,
            source_factor,
            axes: [
                Axis::new(shape.nx, r, boundaries[0]),
                Axis::new(shape.ny, r, boundaries[1]),
                Axis::new(shape.nz, r, boundaries[2]),
            ],
        }
    }

    /// The grid shape this solver was built for.
    pub fn shape(&self) -> GridShape {
        self.shape
    }

    /// The time step in hours.
    pub fn dt_hours(&self) -> f64 {
        self.dt_hours
    }

    /// Multiplier turning a constant source rate `S` (field units per hour) into the increment
    /// to add to a voxel BEFORE calling [`FieldSolver::step`]: `(exp(lambda dt) - 1) / lambda`,
    /// and `dt` when `lambda == 0`.
    ///
    /// With the decay factor `exp(-lambda dt)` that `step` then applies, a uniform field obeys
    /// `du/dt = S - lambda u` exactly over the step and converges to `S / lambda`. The factor
    /// grows like `exp(lambda dt)`: keep `lambda dt` below about 80 so that the `f32`
    /// increment does not overflow.
    pub fn source_increment_factor(&self) -> f64 {
        self.source_factor
    }

    /// Advances `values` (one `f32` per voxel, `x` fastest) by one step.
    ///
    /// Parallel with rayon over row blocks, planes and column blocks. No allocation, except a
    /// small per-thread scratch on a thread's first step (see the module documentation). The
    /// result is bit-identical for any thread count.
    ///
    /// # Panics
    /// If `values.len() != self.shape().voxels()`.
    pub fn step(&self, values: &mut [f32]) {
        self.step_with(values, |_, _| {});
    }

    /// [`FieldSolver::step`], with `before(k, plane)` called on every z plane `k` (its `nx * ny`
    /// values) before the step touches it: sources added there are added in parallel, where
    /// the plane is in cache. Whatever `before` does to a plane must not depend on the others.
    ///
    /// # Panics
    /// If `values.len() != self.shape().voxels()`.
    pub fn step_with(&self, values: &mut [f32], before: impl Fn(usize, &mut [f32]) + Sync) {
        assert_eq!(
            values.len(),
            self.shape.voxels(),
            "field has {} values, the grid {} voxels",
            values.len(),
            self.shape.voxels()
        );
        if values.is_empty() {
            return;
        }
        let nxy = self.shape.nx * self.shape.ny;
        if self.shape.nz >= FUSE_PLANES_PER_THREAD * rayon::current_num_threads() {
            // x then y plane by plane: the plane is still in cache for y, so the grid crosses
            // the memory bus once for both.
            values
                .par_chunks_mut(nxy)
                .enumerate()
                .for_each(|(k, plane)| {
                    before(k, plane);
                    self.solve_x(plane);
                    self.solve_y(plane);
                });
        } else {
            values
                .par_chunks_mut(nxy)
                .enumerate()
                .for_each(|(k, plane)| before(k, plane));
            self.sweep_x(values);
            values
                .par_chunks_mut(nxy)
                .for_each(|plane| self.solve_y(plane));
        }
        self.sweep_z(values);
    }

    /// Decay (fused) and the x solve over the whole grid, parallel over blocks of rows.
    fn sweep_x(&self, values: &mut [f32]) {
        let ax = &self.axes[0];
        let nx = self.shape.nx;
        let rows_per_task = match ax.kind {
            AxisKind::Identity if self.decay_factor == 1.0 => return,
            AxisKind::Identity | AxisKind::Diagonal => FLAT_CHUNK.div_ceil(nx),
            AxisKind::Tridiagonal => LANES,
        };
        values
            .par_chunks_mut(rows_per_task * nx)
            .for_each(|rows| self.solve_x(rows));
    }

    /// Decay (fused) and the x solve of whole rows, serially.
    fn solve_x(&self, rows: &mut [f32]) {
        let ax = &self.axes[0];
        let s = self.decay_factor;
        let nx = self.shape.nx;
        match ax.kind {
            AxisKind::Identity if s == 1.0 => {}
            AxisKind::Identity | AxisKind::Diagonal => {
                for row in rows.chunks_exact_mut(nx) {
                    for ((u, &add), &inv) in row.iter_mut().zip(&ax.add[..]).zip(&ax.inv[..]) {
                        *u = (s * *u + add) * inv;
                    }
                }
            }
            AxisKind::Tridiagonal => {
                for block in rows.chunks_mut(LANES * nx) {
                    x_tile_solve(ax, s, block, nx);
                }
            }
        }
    }

    /// The y solve of one z plane, rows of contiguous x innermost.
    fn solve_y(&self, plane: &mut [f32]) {
        let ax = &self.axes[1];
        let nx = self.shape.nx;
        match ax.kind {
            AxisKind::Identity => {}
            AxisKind::Diagonal => {
                for (j, row) in plane.chunks_exact_mut(nx).enumerate() {
                    diag_row(row, ax.add[j], ax.inv[j]);
                }
            }
            AxisKind::Tridiagonal => plane_solve(ax, plane, nx),
        }
    }

    /// The z solve: parallel over column blocks of the x-y plane.
    fn sweep_z(&self, values: &mut [f32]) {
        let ax = &self.axes[2];
        let nxy = self.shape.nx * self.shape.ny;
        let nz = self.shape.nz;
        match ax.kind {
            AxisKind::Identity => {}
            AxisKind::Diagonal => {
                values
                    .par_chunks_mut(nxy)
                    .zip(ax.add.par_iter().zip(ax.inv.par_iter()))
                    .for_each(|(plane, (&add, &inv))| diag_row(plane, add, inv));
            }
            AxisKind::Tridiagonal => {
                // Column blocks: wide enough for long vector loops, small enough that a
                // block's forward result is still in cache for the back pass, and enough of them
                // to keep every thread busy. The partition only decides which thread does what;
                // each voxel's arithmetic is the same for any block width.
                let by_cache = (Z_BLOCK_BYTES / (4 * nz)).max(64);
                let by_threads = nxy.div_ceil(4 * rayon::current_num_threads()).max(64);
                let width = by_cache.min(by_threads).div_ceil(16) * 16;
                par_column_blocks(values, nxy, width, |block| column_block_solve(ax, block));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` values in [0, 1) from a fixed linear congruential sequence, for the solver's tests.
    pub(super) fn noise(seed: &mut u64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (*seed >> 40) as f32 / (1u64 << 24) as f32
            })
            .collect()
    }

    const ZF: (FaceBoundary, FaceBoundary) = (FaceBoundary::ZeroFlux, FaceBoundary::ZeroFlux);

    /// Dense reference: the same scheme with a plain per-line Thomas solve in f64.
    fn reference_step(
        shape: GridShape,
        r: f64,
        s: f64,
        bounds: Boundaries,
        values: &[f32],
    ) -> Vec<f64> {
        let mut u: Vec<f64> = values.iter().map(|&v| f64::from(v) * s).collect();
        let dims = [shape.nx, shape.ny, shape.nz];
        let strides = [1, shape.nx, shape.nx * shape.ny];
        for axis in 0..3 {
            let n = dims[axis];
            let st = strides[axis];
            let g = |b: FaceBoundary| match b {
                FaceBoundary::ZeroFlux => None,
                FaceBoundary::Fixed(v) => Some(f64::from(v)),
            };
            let (lo, hi) = (g(bounds[axis].0), g(bounds[axis].1));
            for start in 0..u.len() {
                if !(start / st).is_multiple_of(n) {
                    continue;
                }
                // Build the system and solve it densely by Thomas in f64.
                let mut a = vec![0.0; n];
                let mut b = vec![0.0; n];
                let mut c = vec![0.0; n];
                let mut d = vec![0.0; n];
                for i in 0..n {
                    d[i] = u[start + i * st];
                    b[i] = 1.0;
                    if i > 0 {
                        a[i] = -r;
                        b[i] += r;
                    } else if let Some(v) = lo {
                        b[i] += r;
                        d[i] += r * v;
                    }
                    if i + 1 < n {
                        c[i] = -r;
                        b[i] += r;
                    } else if let Some(v) = hi {
                        b[i] += r;
                        d[i] += r * v;
                    }
                }
                for i in 1..n {
                    let m = a[i] / b[i - 1];
                    b[i] -= m * c[i - 1];
                    d[i] -= m * d[i - 1];
                }
                let mut x = vec![0.0; n];
                x[n - 1] = d[n - 1] / b[n - 1];
                for i in (0..n - 1).rev() {
                    x[i] = (d[i] - c[i] * x[i + 1]) / b[i];
                }
                for i in 0..n {
                    u[start + i * st] = x[i];
                }
            }
        }
        u
    }

    #[test]
    fn matches_f64_reference_on_small_grids() {
        let bounds_set: [Boundaries; 2] = [
            [ZF; 3],
            [
                (FaceBoundary::Fixed(1.0), FaceBoundary::ZeroFlux),
                (FaceBoundary::ZeroFlux, FaceBoundary::Fixed(2.0)),
                (FaceBoundary::Fixed(0.5), FaceBoundary::Fixed(3.0)),
            ],
        ];
        let dims_set = [
            (5, 4, 3),
            (1, 1, 7),
            (7, 1, 1),
            (1, 6, 1),
            (33, 17, 3),
            (2, 2, 2),
            (1, 1, 1),
        ];
        let mut seed = 12345u64;
        for bounds in bounds_set {
            for &(nx, ny, nz) in &dims_set {
                for &(d, lambda) in &[(0.0, 0.3), (400.0, 0.0), (4000.0, 2.0)] {
                    let shape = GridShape {
                        nx,
                        ny,
                        nz,
                        voxel_um: 10.0,
                    };
                    let solver = FieldSolver::new(shape, d, lambda, 0.5, bounds);
                    let values = noise(&mut seed, shape.voxels());
                    let r = d * 0.5 / 100.0;
                    let expect =
                        reference_step(shape, r, (-lambda * 0.5f64).exp(), bounds, &values);
                    let mut got = values.clone();
                    solver.step(&mut got);
                    for (i, (&g, &e)) in got.iter().zip(&expect).enumerate() {
                        assert!(
                            (f64::from(g) - e).abs() <= 1e-5 * (1.0 + e.abs()),
                            "{nx}x{ny}x{nz} D={d} lambda={lambda} voxel {i}: {g} vs {e}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn fused_and_separate_x_y_sweeps_give_the_same_bits() {
        // 16 planes: fused on one thread (16 >= 4 per thread), separate on eight (16 < 32).
        let shape = GridShape {
            nx: 40,
            ny: 21,
            nz: 16,
            voxel_um: 10.0,
        };
        let bounds = [
            (FaceBoundary::Fixed(1.0), FaceBoundary::ZeroFlux),
            (FaceBoundary::ZeroFlux, FaceBoundary::Fixed(2.0)),
            ZF,
        ];
        let solver = FieldSolver::new(shape, 4000.0, 0.7, 0.5, bounds);
        let values: Vec<f32> = (0..shape.voxels())
            .map(|i| ((i * 7919) % 1000) as f32 * 1e-3)
            .collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut v = values.clone();
            pool.install(|| solver.step(&mut v));
            v
        };
        let (fused, separate) = (run(1), run(8));
        assert!(
            fused
                .iter()
                .zip(&separate)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        assert_ne!(fused, values, "the step changed the field");
    }
}
