//! The solver's SIMD kernels and the memory access under its sweeps: AVX2 builds of the row
//! operations and of the x tiles (chosen at run time), the tiles' register transposes,
//! prefetching, and the z sweep's column blocks over a raw pointer shared between threads.
//!
//! This is the only module of the workspace allowed `unsafe`; every `unsafe` block says why it
//! is sound, and everything it exports is safe to call. The arithmetic these run is the Thomas
//! algorithm of `thomas.rs`.

use std::cell::Cell;
use std::marker::PhantomData;

use rayon::prelude::*;

use super::thomas::{Axis, x_tile_kernel};

/// Rows of the x sweep solved together in one transposed tile (the vector lanes).
pub(super) const LANES: usize = 16;
/// x positions per transposed tile.
pub(super) const TILE_W: usize = 32;
/// How many planes ahead the z sweep prefetches its forward pass.
const Z_PREFETCH_PLANES: usize = 8;

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
/// vectorise whatever the caller (the z sweep's slices come from a raw pointer).
macro_rules! row_kernel {
    ($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        #[inline(never)]
        pub(super) fn $name($($arg: $ty),*) {
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

thread_local! {
    /// Per-thread scratch of the x sweep: one block of forward-eliminated rows, transposed.
    /// Grown on first use (and when `nx` grows), then reused: steps do not allocate.
    static X_SCRATCH: Cell<Vec<[f32; LANES]>> = const { Cell::new(Vec::new()) };
}

/// The x solve (with the decay factor `s` fused) of up to `LANES` consecutive rows: the AVX2
/// build of [`x_tile_kernel`] where the CPU has AVX2, the baseline build otherwise. Both do the
/// same IEEE operations on every element (no FMA), so their results are bit-identical.
pub(super) fn x_tile_solve(ax: &Axis, s: f32, rows: &mut [f32], nx: usize) {
    // Read the block once in memory order before the kernel's column-chunk passes: measured on
    // 256^3, the chunked read-modify-write of 16-32 rows took 3-6x as long as a stream of the
    // same bytes unless the block was first brought into cache sequentially (software prefetch
    // did not help).
    touch(rows);
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
        x_tile_kernel(Baseline, ax, s, rows, nx, lines);
    }
    X_SCRATCH.set(scratch);
}

/// [`x_tile_kernel`] compiled for AVX2: 256-bit arithmetic and 8x8 transposes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn x_tile_solve_avx2(ax: &Axis, s: f32, rows: &mut [f32], nx: usize, lines: &mut [[f32; LANES]]) {
    x_tile_kernel(Avx, ax, s, rows, nx, lines);
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
pub(super) type Tile = [[f32; LANES]; TILE_W];

/// A way to copy full tiles between the rows and the transposed scratch of the x sweep.
pub(super) trait FullTile: Copy {
    /// Copies x positions `x0..x0 + TILE_W` of the `LANES` rows of `rows` (row length `nx`)
    /// into `tile`, transposed.
    fn load(self, tile: &mut Tile, rows: &[f32], nx: usize, x0: usize);
    /// The inverse of [`FullTile::load`].
    fn store(self, tile: &Tile, rows: &mut [f32], nx: usize, x0: usize);
}

/// The full-tile copies of the baseline build: SSE2 4x4 transposes on x86_64, element by element
/// elsewhere.
#[derive(Clone, Copy)]
pub(super) struct Baseline;

impl FullTile for Baseline {
    #[inline(always)]
    fn load(self, tile: &mut Tile, rows: &[f32], nx: usize, x0: usize) {
        #[cfg(target_arch = "x86_64")]
        sse::load_full_tile(tile, rows, nx, x0);
        #[cfg(not(target_arch = "x86_64"))]
        portable::load_full_tile(tile, rows, nx, x0);
    }

    #[inline(always)]
    fn store(self, tile: &Tile, rows: &mut [f32], nx: usize, x0: usize) {
        #[cfg(target_arch = "x86_64")]
        sse::store_full_tile(tile, rows, nx, x0);
        #[cfg(not(target_arch = "x86_64"))]
        portable::store_full_tile(tile, rows, nx, x0);
    }
}

/// The AVX 8x8 transposes. Only [`x_tile_solve_avx2`], which runs only on a CPU with AVX2, makes
/// one: holding an `Avx` means the CPU has AVX.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Avx;

#[cfg(target_arch = "x86_64")]
impl FullTile for Avx {
    #[inline(always)]
    fn load(self, tile: &mut Tile, rows: &[f32], nx: usize, x0: usize) {
        // SAFETY: the CPU has AVX (an `Avx` exists).
        unsafe { avx::load_full_tile(tile, rows, nx, x0) }
    }

    #[inline(always)]
    fn store(self, tile: &Tile, rows: &mut [f32], nx: usize, x0: usize) {
        // SAFETY: as in `load`.
        unsafe { avx::store_full_tile(tile, rows, nx, x0) }
    }
}

/// Copies x positions `x0..x0 + tile.len()` of the `nrows` rows of `rows` (row length `nx`)
/// into `tile`, transposed: `tile[j][l]` is row `l` at `x0 + j`. Full tiles go through `copy`.
#[inline(always)]
pub(super) fn load_tile(
    copy: impl FullTile,
    tile: &mut [[f32; LANES]],
    rows: &[f32],
    nrows: usize,
    nx: usize,
    x0: usize,
) {
    let w = tile.len();
    if nrows == LANES && w == TILE_W {
        copy.load(tile.try_into().unwrap(), rows, nx, x0);
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
pub(super) fn store_tile(
    copy: impl FullTile,
    tile: &[[f32; LANES]],
    rows: &mut [f32],
    nrows: usize,
    nx: usize,
    x0: usize,
) {
    let w = tile.len();
    if nrows == LANES && w == TILE_W {
        copy.store(tile.try_into().unwrap(), rows, nx, x0);
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

    /// `load_tile` of a full tile, by 8x8 register transposes.
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

    /// `store_tile` of a full tile, by 8x8 register transposes.
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

/// The grid as a raw pointer, shared by the tasks of [`par_column_blocks`].
struct SharedGrid(*mut f32);
// SAFETY: only `par_column_blocks` makes one, and its tasks reach disjoint elements through it
// (see `ColumnBlock`).
unsafe impl Sync for SharedGrid {}

impl SharedGrid {
    /// The pointer to element `i` (a method, so that closures capture the `Sync` wrapper).
    fn at(&self, i: usize) -> *mut f32 {
        self.0.wrapping_add(i)
    }
}

/// One column block of the grid for the z sweep: the same `w` consecutive x-y positions (a
/// segment) of each of the `nz` planes of `nxy` values, the first segment at `first`.
///
/// Only [`par_column_blocks`] makes these: it holds the grid's `&mut` for as long as any block
/// exists, makes one block per index, and the blocks' ranges partition `0..nxy`, so a block's
/// elements are reached through it alone. The segments it lends borrow it, so they never
/// overlap.
pub(super) struct ColumnBlock<'a> {
    first: *mut f32,
    w: usize,
    nxy: usize,
    nz: usize,
    _grid: PhantomData<&'a mut [f32]>,
}

impl ColumnBlock<'_> {
    /// The block's segment of plane `k`.
    pub(super) fn row(&mut self, k: usize) -> &mut [f32] {
        assert!(k < self.nz);
        // SAFETY: `k < nz`, so the segment lies inside the grid; its elements are this block's
        // alone (see `ColumnBlock`), and `&mut self` keeps the slice unique.
        unsafe { std::slice::from_raw_parts_mut(self.segment(k), self.w) }
    }

    /// The forward pass over the planes: `step(k, segment k, segment k - 1)` for `k = 1, 2, ...,
    /// nz - 1`, in that order, with the segments ahead prefetched.
    #[inline(always)]
    pub(super) fn forward(&mut self, mut step: impl FnMut(usize, &mut [f32], &[f32])) {
        for k in 1..self.nz {
            self.prefetch(k + Z_PREFETCH_PLANES);
            // SAFETY: `k - 1 < k < nz`: both segments lie inside the grid, in different planes (no
            // overlap), and their elements are this block's alone (see `ColumnBlock`); `&mut self`
            // is held throughout, and `step` cannot keep the slices past its call.
            let (row, prev) = unsafe {
                (
                    std::slice::from_raw_parts_mut(self.segment(k), self.w),
                    std::slice::from_raw_parts(self.segment(k - 1), self.w),
                )
            };
            step(k, row, prev);
        }
    }

    /// The back pass over the planes: `step(k, segment k, segment k + 1)` for `k = nz - 2, ...,
    /// 1, 0`, in that order.
    #[inline(always)]
    pub(super) fn back(&mut self, mut step: impl FnMut(usize, &mut [f32], &[f32])) {
        for k in (0..self.nz.saturating_sub(1)).rev() {
            // SAFETY: as in `forward`, with `k < k + 1 < nz`.
            let (row, next) = unsafe {
                (
                    std::slice::from_raw_parts_mut(self.segment(k), self.w),
                    std::slice::from_raw_parts(self.segment(k + 1), self.w),
                )
            };
            step(k, row, next);
        }
    }

    /// The first element of the block's segment of plane `k` (inside the grid for `k < nz`).
    #[inline(always)]
    fn segment(&self, k: usize) -> *mut f32 {
        self.first.wrapping_add(k * self.nxy)
    }

    /// Hints the CPU to fetch the segment of plane `k` into cache, if there is one.
    #[inline(always)]
    fn prefetch(&self, k: usize) {
        if k < self.nz {
            // SAFETY: `k < nz`, so the segment lies inside the grid, and `&self` means no slice
            // that `row`, `forward` or `back` lent out is alive.
            prefetch_row(unsafe { std::slice::from_raw_parts(self.segment(k), self.w) });
        }
    }
}

/// Hints the CPU to fetch `row` into cache (one hint per 64-byte line). The z sweep reads one
/// short segment per plane, a page apart: too far apart for the hardware prefetchers. (Over
/// `chunks` the loop stays a loop; written with `step_by`, LLVM unrolled it into bursts of eight
/// hints and the z sweep took about 15% longer at 256^3.)
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

/// Runs `solve` on every block of `width` columns of `grid` (z planes of `nxy` values), in
/// parallel with rayon: what `par_chunks_mut` is for contiguous chunks, for blocks strided
/// across the planes.
pub(super) fn par_column_blocks(
    grid: &mut [f32],
    nxy: usize,
    width: usize,
    solve: impl Fn(ColumnBlock<'_>) + Sync,
) {
    assert!(nxy > 0 && width > 0 && grid.len().is_multiple_of(nxy));
    let nz = grid.len() / nxy;
    let base = SharedGrid(grid.as_mut_ptr());
    (0..nxy.div_ceil(width)).into_par_iter().for_each(|b| {
        let start = b * width;
        solve(ColumnBlock {
            first: base.at(start),
            w: width.min(nxy - start),
            nxy,
            nz,
            _grid: PhantomData,
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
