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

use std::cell::Cell;

use rayon::prelude::*;

pub use grid::{Boundaries, FaceBoundary, GridShape};

#[forbid(unsafe_code)]
mod grid;

/// Rows of the x sweep solved together in one transposed tile (the vector lanes).
const LANES: usize = 16;
/// x positions per transposed tile.
const TILE_W: usize = 32;
/// Voxels per rayon task in element-wise passes.
const FLAT_CHUNK: usize = 1 << 14;
/// The x and y solves run plane by plane (fused) when there are at least this many z planes
/// per thread; with fewer, x runs over row blocks of the whole grid so that every thread gets
/// work.
const FUSE_PLANES_PER_THREAD: usize = 4;
/// How many planes ahead the z sweep prefetches its forward pass.
const Z_PREFETCH_PLANES: usize = 8;
/// Target bytes of one z column block (forward pass output kept in L2 for the back pass).
const Z_BLOCK_BYTES: usize = 128 * 1024;

/// How an axis' solve can be carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AxisKind {
    /// The solve leaves every value unchanged.
    Identity,
    /// The matrix is diagonal (`r == 0` or a single voxel): `u = (u + add) * inv` per voxel.
    Diagonal,
    /// A genuine tridiagonal solve.
    Tridiagonal,
}

/// The factorised tridiagonal matrix of one axis.
///
/// Row `i` of the matrix is `-r u[i-1] + b[i] u[i] - r u[i+1] = rhs[i] + add[i]`, where `b[i]` is
/// `1 + r * (number of neighbours and fixed ghosts)` and `add[i]` is `r` times the fixed ghost
/// values next to voxel `i`. With the pivots `p[0] = b[0]`, `p[i] = b[i] - r e[i-1]`, the
/// reciprocals `inv[i] = 1 / p[i]` and `e[i] = r inv[i]` (minus the modified upper coefficient
/// `c'[i]` of the Thomas algorithm), forward elimination is
/// `d[0] = (rhs[0] + add[0]) inv[0]`, `d[i] = (rhs[i] + add[i]) inv[i] + e[i] d[i-1]`, and back
/// substitution `u[n-1] = d[n-1]`, `u[i] = d[i] + e[i] u[i+1]`. Writing the forward step with
/// `e[i]` rather than `(... + r d[i-1]) inv[i]` keeps the loop-carried dependency to one
/// multiply and one add.
#[derive(Clone, Debug)]
struct Axis {
    kind: AxisKind,
    inv: Box<[f32]>,
    e: Box<[f32]>,
    add: Box<[f32]>,
}

impl Axis {
    fn new(n: usize, r: f64, (low, high): (FaceBoundary, FaceBoundary)) -> Self {
        let ghost = |b: FaceBoundary| match b {
            FaceBoundary::ZeroFlux => None,
            FaceBoundary::Fixed(g) => {
                debug_assert!(
                    g.is_finite(),
                    "fixed boundary value must be finite, got {g}"
                );
                Some(f64::from(g))
            }
        };
        let (g_low, g_high) = (ghost(low), ghost(high));
        let mut inv = vec![0.0f32; n];
        let mut e = vec![0.0f32; n];
        let mut add = vec![0.0f32; n];
        let mut e_prev = 0.0f64;
        for i in 0..n {
            let mut links = 0.0f64;
            let mut rhs_add = 0.0f64;
            if i > 0 {
                links += 1.0;
            } else if let Some(g) = g_low {
                links += 1.0;
                rhs_add += g;
            }
            if i + 1 < n {
                links += 1.0;
            } else if let Some(g) = g_high {
                links += 1.0;
                rhs_add += g;
            }
            let diag = 1.0 + r * links;
            let denom = if i > 0 { diag - r * e_prev } else { diag };
            let inv_i = 1.0 / denom;
            let e_i = r * inv_i;
            inv[i] = inv_i as f32;
            e[i] = e_i as f32;
            add[i] = (r * rhs_add) as f32;
            e_prev = e_i;
        }
        let kind = if n == 0 || (inv.iter().all(|&v| v == 1.0) && add.iter().all(|&v| v == 0.0)) {
            AxisKind::Identity
        } else if n == 1 || r == 0.0 {
            AxisKind::Diagonal
        } else {
            AxisKind::Tridiagonal
        };
        Axis {
            kind,
            inv: inv.into_boxed_slice(),
            e: e.into_boxed_slice(),
            add: add.into_boxed_slice(),
        }
    }
}

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
                let blocks = nxy.div_ceil(width);
                let base = SharedGrid(values.as_mut_ptr());
                let len = values.len();
                (0..blocks).into_par_iter().for_each(|b| {
                    let start = b * width;
                    let w = width.min(nxy - start);
                    // SAFETY: `base` points to `len == nz * nxy` initialised f32s borrowed
                    // mutably by this call for its whole duration and not otherwise used while
                    // the tasks run. Task `b` touches only the elements `k * nxy + start + c`
                    // for `k < nz`, `c < w`: the blocks `[start, start + w)` partition `0..nxy`,
                    // so no two tasks touch the same element, and every index is `< len`.
                    unsafe { column_block_solve(ax, &base, len, start, nxy, w) };
                });
            }
        }
    }
}

/// A raw pointer to the grid, shared between the tasks of the z sweep (each touches a disjoint
/// column block).
struct SharedGrid(*mut f32);
// SAFETY: only used in `sweep_z`, where the tasks access disjoint elements (see there).
unsafe impl Sync for SharedGrid {}

/// Whether the row kernels and the x tiles run their AVX2 builds (detected once, cached by std).
#[inline(always)]
fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Defines a row kernel `$name` that runs `$body`'s loop compiled for AVX2 where the CPU has it
/// (8 lanes; the baseline build has SSE2's 4) and as built otherwise. Both builds do the same
/// IEEE operations in the same order (no FMA), so their results are bit-identical. The kernels
/// are not inlined: as functions their slice arguments are known not to alias, so they
/// vectorise whatever the caller (the z sweep builds its slices from a raw pointer).
macro_rules! row_kernel {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        #[inline(never)]
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) {
                body($($arg),*)
            }
            if has_avx2() {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the CPU supports AVX2.
                unsafe {
                    return avx2($($arg),*);
                }
            }
            body($($arg),*)
        }
    };
}

row_kernel! {
    /// `u = (u + add) * inv` on one row (a diagonal solve).
    diag_row(row: &mut [f32], add: f32, inv: f32) {
        for u in row {
            *u = (*u + add) * inv;
        }
    }
}

row_kernel! {
    /// Forward elimination of one row of lines against the previous row:
    /// `u = (u + add) * inv + e * prev`.
    forward_row(row: &mut [f32], prev: &[f32], add: f32, inv: f32, e: f32) {
        for (u, &p) in row.iter_mut().zip(prev) {
            *u = (*u + add) * inv + e * p;
        }
    }
}

row_kernel! {
    /// Back substitution of one row of lines against the next row: `u = u + e * next`.
    back_row(row: &mut [f32], next: &[f32], e: f32) {
        for (u, &q) in row.iter_mut().zip(next) {
            *u += e * q;
        }
    }
}

/// The y solve of one z plane (`ny` rows of `nx`), row by row with x innermost.
fn plane_solve(ax: &Axis, plane: &mut [f32], nx: usize) {
    let ny = plane.len() / nx;
    diag_row(&mut plane[..nx], ax.add[0], ax.inv[0]);
    for j in 1..ny {
        let (done, rest) = plane.split_at_mut(j * nx);
        forward_row(
            &mut rest[..nx],
            &done[(j - 1) * nx..],
            ax.add[j],
            ax.inv[j],
            ax.e[j],
        );
    }
    for j in (0..ny - 1).rev() {
        let (head, tail) = plane.split_at_mut((j + 1) * nx);
        back_row(&mut head[j * nx..], &tail[..nx], ax.e[j]);
    }
}

/// The z solve of the column block `[start, start + w)` of every x-y plane.
///
/// # Safety
/// `base.0` must point to `len` initialised f32s, `len` must be a multiple of `nxy` with
/// `start + w <= nxy`, and no other code may access the elements `k * nxy + start + c`
/// (`c < w`) while this runs.
unsafe fn column_block_solve(
    ax: &Axis,
    base: &SharedGrid,
    len: usize,
    start: usize,
    nxy: usize,
    w: usize,
) {
    let nz = len / nxy;
    debug_assert!(start + w <= nxy && nz * nxy == len);
    let row = |k: usize| {
        // SAFETY: `k < nz`, so `k * nxy + start + w <= len`; the caller guarantees exclusive
        // access to these elements. Two slices alive at the same time always have different
        // `k`, so they do not overlap.
        unsafe { std::slice::from_raw_parts_mut(base.0.add(k * nxy + start), w) }
    };
    diag_row(row(0), ax.add[0], ax.inv[0]);
    for k in 1..nz {
        if k + Z_PREFETCH_PLANES < nz {
            prefetch_row(row(k + Z_PREFETCH_PLANES));
        }
        let prev: &[f32] = row(k - 1);
        forward_row(row(k), prev, ax.add[k], ax.inv[k], ax.e[k]);
    }
    for k in (0..nz - 1).rev() {
        let next: &[f32] = row(k + 1);
        back_row(row(k), next, ax.e[k]);
    }
}

/// Hints the CPU to fetch `row` into cache (one hint per 64-byte line). The z sweep reads one
/// short segment per plane, a page apart: too far apart for the hardware prefetchers.
#[inline(always)]
fn prefetch_row(row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    for line in row.chunks(16) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is only a hint; the address is inside `row`.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = row;
}

/// Reads one value per 64-byte line of `data`, in memory order, so that the hardware streams it
/// into cache.
#[inline(always)]
fn touch(data: &[f32]) {
    let mut acc = 0u32;
    for line in data.chunks(16) {
        acc ^= line[0].to_bits();
    }
    std::hint::black_box(acc);
}

/// A full transposed tile: `tile[j][l]` is row `l` at x position `x0 + j`.
type Tile = [[f32; LANES]; TILE_W];

/// Copies x positions `x0..x0 + tile.len()` of the `nrows` rows of `rows` (row length `nx`)
/// into `tile`, transposed: `tile[j][l]` is row `l` at `x0 + j`.
///
/// `AVX` selects 8x8 AVX transposes for full tiles: only inside [`x_tile_solve_avx2`].
#[inline(always)]
fn load_tile<const AVX: bool>(
    tile: &mut [[f32; LANES]],
    rows: &[f32],
    nrows: usize,
    nx: usize,
    x0: usize,
) {
    let w = tile.len();
    if nrows == LANES && w == TILE_W {
        let tile: &mut Tile = tile.try_into().unwrap();
        #[cfg(target_arch = "x86_64")]
        if AVX {
            // SAFETY: `AVX` is true only in the AVX2 build of the kernel, run after detection.
            unsafe { avx::load_full_tile(tile, rows, nx, x0) };
        } else {
            sse::load_full_tile(tile, rows, nx, x0);
        }
        #[cfg(not(target_arch = "x86_64"))]
        portable::load_full_tile(tile, rows, nx, x0);
    } else {
        for l in 0..nrows {
            let src = &rows[l * nx + x0..l * nx + x0 + w];
            for (t, &v) in tile.iter_mut().zip(src) {
                t[l] = v;
            }
        }
        if nrows < LANES {
            // Unused lanes of a partial block: zeros rather than whatever the scratch held.
            for t in tile.iter_mut() {
                t[nrows..].fill(0.0);
            }
        }
    }
}

/// The inverse of [`load_tile`].
#[inline(always)]
fn store_tile<const AVX: bool>(
    tile: &[[f32; LANES]],
    rows: &mut [f32],
    nrows: usize,
    nx: usize,
    x0: usize,
) {
    let w = tile.len();
    if nrows == LANES && w == TILE_W {
        let tile: &Tile = tile.try_into().unwrap();
        #[cfg(target_arch = "x86_64")]
        if AVX {
            // SAFETY: as in `load_tile`.
            unsafe { avx::store_full_tile(tile, rows, nx, x0) };
        } else {
            sse::store_full_tile(tile, rows, nx, x0);
        }
        #[cfg(not(target_arch = "x86_64"))]
        portable::store_full_tile(tile, rows, nx, x0);
    } else {
        for l in 0..nrows {
            let dst = &mut rows[l * nx + x0..l * nx + x0 + w];
            for (t, v) in tile.iter().zip(dst) {
                *v = t[l];
            }
        }
    }
}

/// 4x4 SSE transposes for the full tiles of the x sweep (SSE2 is part of every x86_64 CPU).
#[cfg(target_arch = "x86_64")]
mod sse {
    use super::{LANES, TILE_W, Tile};
    use std::arch::x86_64::__m128;

    /// `load_tile` of a full tile, by 4x4 register transposes.
    #[inline(always)]
    pub(super) fn load_full_tile(tile: &mut Tile, rows: &[f32], nx: usize, x0: usize) {
        use std::arch::x86_64::{_mm_loadu_ps, _mm_storeu_ps};
        assert!(rows.len() >= (LANES - 1) * nx + x0 + TILE_W);
        let src = rows.as_ptr();
        let dst = tile.as_mut_ptr().cast::<f32>();
        for l in (0..LANES).step_by(4) {
            for j in (0..TILE_W).step_by(4) {
                // SAFETY: the assert above bounds every read (`(l + 3) * nx + x0 + j + 3 <
                // rows.len()`); writes stay inside the `TILE_W * LANES` floats of `tile`.
                unsafe {
                    let at = |k: usize| src.add((l + k) * nx + x0 + j);
                    let m: [__m128; 4] = transpose4([
                        _mm_loadu_ps(at(0)),
                        _mm_loadu_ps(at(1)),
                        _mm_loadu_ps(at(2)),
                        _mm_loadu_ps(at(3)),
                    ]);
                    for (k, v) in m.into_iter().enumerate() {
                        _mm_storeu_ps(dst.add((j + k) * LANES + l), v);
                    }
                }
            }
        }
    }

    /// `store_tile` of a full tile, by 4x4 register transposes.
    #[inline(always)]
    pub(super) fn store_full_tile(tile: &Tile, rows: &mut [f32], nx: usize, x0: usize) {
        use std::arch::x86_64::{_mm_loadu_ps, _mm_storeu_ps};
        assert!(rows.len() >= (LANES - 1) * nx + x0 + TILE_W);
        let src = tile.as_ptr().cast::<f32>();
        let dst = rows.as_mut_ptr();
        for l in (0..LANES).step_by(4) {
            for j in (0..TILE_W).step_by(4) {
                // SAFETY: reads stay inside `tile`; the assert above bounds every write.
                unsafe {
                    let at = |k: usize| src.add((j + k) * LANES + l);
                    let m: [__m128; 4] = transpose4([
                        _mm_loadu_ps(at(0)),
                        _mm_loadu_ps(at(1)),
                        _mm_loadu_ps(at(2)),
                        _mm_loadu_ps(at(3)),
                    ]);
                    for (k, v) in m.into_iter().enumerate() {
                        _mm_storeu_ps(dst.add((l + k) * nx + x0 + j), v);
                    }
                }
            }
        }
    }

    /// Transposes a 4x4 block held as four row vectors.
    #[inline(always)]
    fn transpose4([a, b, c, d]: [__m128; 4]) -> [__m128; 4] {
        use std::arch::x86_64::{_mm_movehl_ps, _mm_movelh_ps, _mm_unpackhi_ps, _mm_unpacklo_ps};
        // SAFETY: SSE2 is part of the x86_64 baseline; these intrinsics only shuffle registers.
        unsafe {
            let (ab_lo, ab_hi) = (_mm_unpacklo_ps(a, b), _mm_unpackhi_ps(a, b));
            let (cd_lo, cd_hi) = (_mm_unpacklo_ps(c, d), _mm_unpackhi_ps(c, d));
            [
                _mm_movelh_ps(ab_lo, cd_lo),
                _mm_movehl_ps(cd_lo, ab_lo),
                _mm_movelh_ps(ab_hi, cd_hi),
                _mm_movehl_ps(cd_hi, ab_hi),
            ]
        }
    }
}

/// Element-by-element full-tile copies: the x sweep's transposes on other architectures, and
/// the reference for the SIMD ones in the tests.
#[cfg(any(test, not(target_arch = "x86_64")))]
mod portable {
    use super::{LANES, TILE_W, Tile};

    /// `load_tile` of a full tile, element by element.
    #[inline(always)]
    pub(super) fn load_full_tile(tile: &mut Tile, rows: &[f32], nx: usize, x0: usize) {
        for l in 0..LANES {
            let src: &[f32; TILE_W] = rows[l * nx + x0..][..TILE_W].try_into().unwrap();
            for j in 0..TILE_W {
                tile[j][l] = src[j];
            }
        }
    }

    /// `store_tile` of a full tile, element by element.
    #[inline(always)]
    pub(super) fn store_full_tile(tile: &Tile, rows: &mut [f32], nx: usize, x0: usize) {
        for l in 0..LANES {
            let dst: &mut [f32; TILE_W] = (&mut rows[l * nx + x0..][..TILE_W]).try_into().unwrap();
            for j in 0..TILE_W {
                dst[j] = tile[j][l];
            }
        }
    }
}

thread_local! {
    /// Per-thread scratch of the x sweep: one block of forward-eliminated rows, transposed.
    /// Grown on first use (and when `nx` grows), then reused: steps do not allocate.
    static X_SCRATCH: Cell<Vec<[f32; LANES]>> = const { Cell::new(Vec::new()) };
}

/// The x solve (with the decay factor `s` fused) of up to `LANES` consecutive rows: the AVX2
/// build of [`x_tile_kernel`] where the CPU has AVX2, the baseline build otherwise. Both do the
/// same IEEE operations on every element (no FMA), so their results are bit-identical.
fn x_tile_solve(ax: &Axis, s: f32, rows: &mut [f32], nx: usize) {
    let mut scratch = X_SCRATCH.take();
    if scratch.len() < nx {
        scratch.resize(nx, [0.0; LANES]);
    }
    let lines = &mut scratch[..nx];
    #[cfg(target_arch = "x86_64")]
    let done = if has_avx2() {
        // SAFETY: the CPU supports AVX2.
        unsafe { x_tile_solve_avx2(ax, s, rows, nx, lines) };
        true
    } else {
        false
    };
    #[cfg(not(target_arch = "x86_64"))]
    let done = false;
    if !done {
        x_tile_kernel::<false>(ax, s, rows, nx, lines);
    }
    X_SCRATCH.set(scratch);
}

/// [`x_tile_kernel`] compiled for AVX2: 256-bit arithmetic and 8x8 transposes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn x_tile_solve_avx2(ax: &Axis, s: f32, rows: &mut [f32], nx: usize, lines: &mut [[f32; LANES]]) {
    x_tile_kernel::<true>(ax, s, rows, nx, lines);
}

/// The x solve of up to `LANES` consecutive rows (see [`x_tile_solve`]), with `lines` (length
/// `nx`) as scratch.
///
/// The forward pass copies the rows, `TILE_W` x positions at a time, transposed into `lines`
/// (`lines[i][l]` is row `l` at `x = i`) and eliminates there with the `LANES` rows in the
/// innermost loop; the back pass substitutes in `lines` and copies each chunk back to the rows.
/// Per voxel the arithmetic is exactly that of [`diag_row`]/[`forward_row`]/[`back_row`] with
/// the right-hand side `s * u`: `d[0] = (s u + add) inv`, `d[i] = (s u + add) inv + e d[i-1]`,
/// then `u[i] = d[i] + e u[i+1]`. Lanes beyond `nrows` (a partial block) compute on zeros
/// and are never stored.
#[inline(always)]
fn x_tile_kernel<const AVX: bool>(
    ax: &Axis,
    s: f32,
    rows: &mut [f32],
    nx: usize,
    lines: &mut [[f32; LANES]],
) {
    let nrows = rows.len() / nx;
    debug_assert!((1..=LANES).contains(&nrows) && nrows * nx == rows.len() && nx >= 2);
    debug_assert_eq!(lines.len(), nx);

    // Read the block once in memory order before the column-chunk passes below: measured on
    // 256^3, the chunked read-modify-write of 16-32 rows took 3-6x as long as a stream of the
    // same bytes unless the block was first brought into cache sequentially (software prefetch
    // did not help).
    touch(rows);

    // Forward elimination.
    let mut carry = [0.0f32; LANES];
    for x0 in (0..nx).step_by(TILE_W) {
        let w = TILE_W.min(nx - x0);
        let tile = &mut lines[x0..x0 + w];
        load_tile::<AVX>(tile, rows, nrows, nx, x0);
        let coeffs = ax.add[x0..x0 + w]
            .iter()
            .zip(&ax.inv[x0..x0 + w])
            .zip(&ax.e[x0..x0 + w]);
        for (j, (t, ((&add, &inv), &e))) in tile.iter_mut().zip(coeffs).enumerate() {
            // Build the new values in `next` (registers) and store them once, so that the
            // loop-carried `carry` never waits on a store-to-load round trip through memory.
            let mut next = [0.0f32; LANES];
            if x0 + j == 0 {
                for (d, &u) in next.iter_mut().zip(t.iter()) {
                    *d = (s * u + add) * inv;
                }
            } else {
                for ((d, &u), &p) in next.iter_mut().zip(t.iter()).zip(&carry) {
                    *d = (s * u + add) * inv + e * p;
                }
            }
            *t = next;
            carry = next;
        }
    }
    // Back substitution, from the last chunk to the first; `carry` holds d[nx - 1] = u[nx - 1].
    let last_chunk = (nx - 1) / TILE_W * TILE_W;
    for x0 in (0..=last_chunk).rev().step_by(TILE_W) {
        let w = TILE_W.min(nx - x0);
        let tile = &mut lines[x0..x0 + w];
        for (j, (t, &e)) in tile.iter_mut().zip(&ax.e[x0..x0 + w]).enumerate().rev() {
            if x0 + j + 1 < nx {
                let mut next = [0.0f32; LANES];
                for ((d, &u), &q) in next.iter_mut().zip(t.iter()).zip(&carry) {
                    *d = u + e * q;
                }
                *t = next;
                carry = next;
            }
        }
        store_tile::<AVX>(tile, rows, nrows, nx, x0);
    }
}

/// 8x8 AVX transposes for the full tiles of the x sweep.
#[cfg(target_arch = "x86_64")]
mod avx {
    use super::{LANES, TILE_W, Tile};
    use std::arch::x86_64::{
        __m256, _mm256_loadu_ps, _mm256_permute2f128_ps, _mm256_shuffle_ps, _mm256_storeu_ps,
        _mm256_unpackhi_ps, _mm256_unpacklo_ps,
    };

    /// Transposes an 8x8 block held as eight row vectors.
    ///
    /// # Safety
    /// The CPU must support AVX.
    #[inline(always)]
    unsafe fn transpose8(r: [__m256; 8]) -> [__m256; 8] {
        // SAFETY: AVX is available (the caller's contract); these only shuffle registers.
        unsafe {
            let t = [
                _mm256_unpacklo_ps(r[0], r[1]),
                _mm256_unpackhi_ps(r[0], r[1]),
                _mm256_unpacklo_ps(r[2], r[3]),
                _mm256_unpackhi_ps(r[2], r[3]),
                _mm256_unpacklo_ps(r[4], r[5]),
                _mm256_unpackhi_ps(r[4], r[5]),
                _mm256_unpacklo_ps(r[6], r[7]),
                _mm256_unpackhi_ps(r[6], r[7]),
            ];
            // Columns k and k + 4 of rows 0-3 (u[k]) and of rows 4-7 (u[k + 4]).
            let u = [
                _mm256_shuffle_ps::<0x44>(t[0], t[2]),
                _mm256_shuffle_ps::<0xEE>(t[0], t[2]),
                _mm256_shuffle_ps::<0x44>(t[1], t[3]),
                _mm256_shuffle_ps::<0xEE>(t[1], t[3]),
                _mm256_shuffle_ps::<0x44>(t[4], t[6]),
                _mm256_shuffle_ps::<0xEE>(t[4], t[6]),
                _mm256_shuffle_ps::<0x44>(t[5], t[7]),
                _mm256_shuffle_ps::<0xEE>(t[5], t[7]),
            ];
            [
                _mm256_permute2f128_ps::<0x20>(u[0], u[4]),
                _mm256_permute2f128_ps::<0x20>(u[1], u[5]),
                _mm256_permute2f128_ps::<0x20>(u[2], u[6]),
                _mm256_permute2f128_ps::<0x20>(u[3], u[7]),
                _mm256_permute2f128_ps::<0x31>(u[0], u[4]),
                _mm256_permute2f128_ps::<0x31>(u[1], u[5]),
                _mm256_permute2f128_ps::<0x31>(u[2], u[6]),
                _mm256_permute2f128_ps::<0x31>(u[3], u[7]),
            ]
        }
    }

    /// `super::load_full_tile` by 8x8 transposes.
    ///
    /// # Safety
    /// The CPU must support AVX.
    #[inline(always)]
    pub(super) unsafe fn load_full_tile(tile: &mut Tile, rows: &[f32], nx: usize, x0: usize) {
        assert!(rows.len() >= (LANES - 1) * nx + x0 + TILE_W);
        let src = rows.as_ptr();
        let dst = tile.as_mut_ptr().cast::<f32>();
        for l in (0..LANES).step_by(8) {
            for j in (0..TILE_W).step_by(8) {
                // SAFETY: AVX is available; the assert bounds every read
                // (`(l + 7) * nx + x0 + j + 7 < rows.len()`) and the writes stay inside the
                // `TILE_W * LANES` floats of `tile`.
                unsafe {
                    let r =
                        std::array::from_fn(|k| _mm256_loadu_ps(src.add((l + k) * nx + x0 + j)));
                    for (k, v) in transpose8(r).into_iter().enumerate() {
                        _mm256_storeu_ps(dst.add((j + k) * LANES + l), v);
                    }
                }
            }
        }
    }

    /// `super::store_full_tile` by 8x8 transposes.
    ///
    /// # Safety
    /// The CPU must support AVX.
    #[inline(always)]
    pub(super) unsafe fn store_full_tile(tile: &Tile, rows: &mut [f32], nx: usize, x0: usize) {
        assert!(rows.len() >= (LANES - 1) * nx + x0 + TILE_W);
        let src = tile.as_ptr().cast::<f32>();
        let dst = rows.as_mut_ptr();
        for l in (0..LANES).step_by(8) {
            for j in (0..TILE_W).step_by(8) {
                // SAFETY: AVX is available; reads stay inside `tile`, the assert bounds every
                // write.
                unsafe {
                    let r = std::array::from_fn(|k| _mm256_loadu_ps(src.add((j + k) * LANES + l)));
                    for (k, v) in transpose8(r).into_iter().enumerate() {
                        _mm256_storeu_ps(dst.add((l + k) * nx + x0 + j), v);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
                    let values: Vec<f32> = (0..shape.voxels())
                        .map(|_| {
                            seed = seed
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407);
                            (seed >> 40) as f32 / (1u64 << 24) as f32
                        })
                        .collect();
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

    #[test]
    fn simd_tile_transposes_match_portable() {
        let (nx, x0) = (70usize, 32usize);
        let rows: Vec<f32> = (0..LANES * nx).map(|i| i as f32).collect();
        let mut want: Tile = [[0.0; LANES]; TILE_W];
        portable::load_full_tile(&mut want, &rows, nx, x0);
        assert_eq!(want[3][5], rows[5 * nx + x0 + 3]);
        let mut back = vec![-1.0f32; rows.len()];
        portable::store_full_tile(&want, &mut back, nx, x0);
        for l in 0..LANES {
            let range = l * nx + x0..l * nx + x0 + TILE_W;
            assert_eq!(back[range.clone()], rows[range]);
        }
        #[cfg(target_arch = "x86_64")]
        {
            let mut got: Tile = [[0.0; LANES]; TILE_W];
            sse::load_full_tile(&mut got, &rows, nx, x0);
            assert_eq!(got, want, "SSE load");
            let mut stored = vec![-1.0f32; rows.len()];
            sse::store_full_tile(&want, &mut stored, nx, x0);
            assert_eq!(stored, back, "SSE store");
            if std::arch::is_x86_feature_detected!("avx2") {
                let mut got: Tile = [[0.0; LANES]; TILE_W];
                // SAFETY: AVX2 (hence AVX) is available.
                unsafe { avx::load_full_tile(&mut got, &rows, nx, x0) };
                assert_eq!(got, want, "AVX load");
                let mut stored = vec![-1.0f32; rows.len()];
                // SAFETY: as above.
                unsafe { avx::store_full_tile(&want, &mut stored, nx, x0) };
                assert_eq!(stored, back, "AVX store");
            }
        }
    }

    /// Scalar per-line x solve with the documented per-voxel arithmetic.
    fn x_line_scalar(ax: &Axis, s: f32, line: &mut [f32]) {
        let n = line.len();
        line[0] = (s * line[0] + ax.add[0]) * ax.inv[0];
        for i in 1..n {
            line[i] = (s * line[i] + ax.add[i]) * ax.inv[i] + ax.e[i] * line[i - 1];
        }
        for i in (0..n - 1).rev() {
            line[i] += ax.e[i] * line[i + 1];
        }
    }

    #[test]
    fn x_tiles_match_scalar_lines_bitwise() {
        // Partial tiles (fewer rows than LANES) and nx not a multiple of TILE_W; the dispatched
        // kernel (AVX2 where available) and the baseline build must both match a plain loop.
        let mut seed = 99u64;
        for nx in [2usize, 3, 31, 32, 33, 70, 129] {
            for nrows in [1usize, 5, LANES] {
                let ax = Axis::new(
                    nx,
                    3.7,
                    (FaceBoundary::Fixed(0.7), FaceBoundary::Fixed(-0.2)),
                );
                let s = 0.93f32;
                let rows: Vec<f32> = (0..nrows * nx)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        (seed >> 40) as f32 / (1u64 << 24) as f32
                    })
                    .collect();
                let mut tiled = rows.clone();
                x_tile_solve(&ax, s, &mut tiled, nx);
                let mut baseline = rows.clone();
                let mut lines = vec![[0.0f32; LANES]; nx];
                x_tile_kernel::<false>(&ax, s, &mut baseline, nx, &mut lines);
                let mut scalar = rows.clone();
                for line in scalar.chunks_exact_mut(nx) {
                    x_line_scalar(&ax, s, line);
                }
                let same = |a: &[f32]| {
                    a.iter()
                        .zip(&scalar)
                        .all(|(p, q)| p.to_bits() == q.to_bits())
                };
                assert!(same(&tiled), "dispatched kernel, nx={nx} rows={nrows}");
                assert!(same(&baseline), "baseline kernel, nx={nx} rows={nrows}");
            }
        }
    }
}
