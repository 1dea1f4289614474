//! The Thomas algorithm of the LOD sweeps, in safe code: each axis' tridiagonal matrix,
//! factorised once ([`Axis`]), and the forward elimination and back substitution of the x, y and
//! z solves. The row operations, tile copies and column blocks these run on are in
//! `kernels.rs`.

use super::grid::FaceBoundary;
use super::kernels::{
    ColumnBlock, FullTile, LANES, TILE_W, back_row, diag_row, forward_row, load_tile, store_tile,
};

/// How an axis' solve can be carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AxisKind {
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
pub(super) struct Axis {
    pub(super) kind: AxisKind,
    pub(super) inv: Box<[f32]>,
    e: Box<[f32]>,
    pub(super) add: Box<[f32]>,
}

impl Axis {
    /// Factorises the matrix of an axis of `n` voxels, with `r = D dt / h^2` and the conditions
    /// on its low and high faces.
    pub(super) fn new(n: usize, r: f64, (low, high): (FaceBoundary, FaceBoundary)) -> Self {
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

/// The y solve of one z plane (`ny` rows of `nx`), row by row with x innermost.
pub(super) fn plane_solve(ax: &Axis, plane: &mut [f32], nx: usize) {
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

/// The z solve of one column block, plane by plane.
pub(super) fn column_block_solve(ax: &Axis, mut block: ColumnBlock<'_>) {
    diag_row(block.row(0), ax.add[0], ax.inv[0]);
    block.forward(|k, row, prev| forward_row(row, prev, ax.add[k], ax.inv[k], ax.e[k]));
    block.back(|k, row, next| back_row(row, next, ax.e[k]));
}

/// The x solve (decay factor `s` fused) of up to `LANES` consecutive rows, with `lines`
/// (length `nx`) as scratch and `copy` for the full tiles; `kernels::x_tile_solve` runs it.
///
/// The forward pass copies the rows, `TILE_W` x positions at a time, transposed into `lines`
/// (`lines[i][l]` is row `l` at `x = i`) and eliminates there with the `LANES` rows in the
/// innermost loop; the back pass substitutes in `lines` and copies each chunk back to the rows.
/// Per voxel the arithmetic is exactly that of [`diag_row`]/[`forward_row`]/[`back_row`] with
/// the right-hand side `s * u`: `d[0] = (s u + add) inv`, `d[i] = (s u + add) inv + e d[i-1]`,
/// then `u[i] = d[i] + e u[i+1]`. Lanes beyond `nrows` (a partial block) compute on zeros
/// and are never stored.
#[inline(always)]
pub(super) fn x_tile_kernel(
    copy: impl FullTile,
    ax: &Axis,
    s: f32,
    rows: &mut [f32],
    nx: usize,
    lines: &mut [[f32; LANES]],
) {
    let nrows = rows.len() / nx;
    debug_assert!((1..=LANES).contains(&nrows) && nrows * nx == rows.len() && nx >= 2);
    debug_assert_eq!(lines.len(), nx);

    // Forward elimination.
    let mut carry = [0.0f32; LANES];
    for x0 in (0..nx).step_by(TILE_W) {
        let w = TILE_W.min(nx - x0);
        let tile = &mut lines[x0..x0 + w];
        load_tile(copy, tile, rows, nrows, nx, x0);
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
        store_tile(copy, tile, rows, nrows, nx, x0);
    }
}

#[cfg(test)]
mod tests {
    use super::super::kernels::{Baseline, x_tile_solve};
    use super::*;

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
                let rows = crate::solver::tests::noise(&mut seed, nrows * nx);
                let mut tiled = rows.clone();
                x_tile_solve(&ax, s, &mut tiled, nx);
                let mut baseline = rows.clone();
                let mut lines = vec![[0.0f32; LANES]; nx];
                x_tile_kernel(Baseline, &ax, s, &mut baseline, nx, &mut lines);
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
