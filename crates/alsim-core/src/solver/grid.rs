//! The grid's shape and the boundary conditions on its faces.

/// Grid shape: voxel counts per axis and the voxel edge length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridShape {
    /// Voxel count along x (the fastest-varying index).
    pub nx: usize,
    /// Voxel count along y.
    pub ny: usize,
    /// Voxel count along z (the slowest-varying index).
    pub nz: usize,
    /// Voxel edge length in micrometres (voxels are cubes).
    pub voxel_um: f64,
}

impl GridShape {
    /// A cube of `n`³ voxels of edge `voxel_um`, for tests.
    #[cfg(test)]
    pub(crate) fn cube(n: usize, voxel_um: f64) -> Self {
        Self {
            nx: n,
            ny: n,
            nz: n,
            voxel_um,
        }
    }

    /// Total number of voxels, `nx * ny * nz`.
    pub fn voxels(&self) -> usize {
        self.nx * self.ny * self.nz
    }

    /// Linear index of voxel `(x, y, z)`: `x + nx * (y + ny * z)`.
    pub fn index(&self, x: usize, y: usize, z: usize) -> usize {
        debug_assert!(
            x < self.nx && y < self.ny && z < self.nz,
            "voxel ({x}, {y}, {z}) outside a {}x{}x{} grid",
            self.nx,
            self.ny,
            self.nz
        );
        x + self.nx * (y + self.ny * z)
    }

    /// The voxel `(x, y, z)` of linear index `v`, the inverse of [`GridShape::index`].
    pub fn coords(&self, v: usize) -> (usize, usize, usize) {
        // In u32 (grids hold at most 2³⁰ voxels, `alsim_scenario::MAX_VOXELS`): cells ask for
        // their voxel's coordinates every tick, and a 32-bit division is several times faster
        // than a 64-bit one on the x86 cores we run on.
        debug_assert!(v < 1 << 32 && self.voxels() <= 1 << 32);
        let (v, nx, ny) = (v as u32, self.nx as u32, self.ny as u32);
        let row = v / nx;
        ((v % nx) as usize, (row % ny) as usize, (row / ny) as usize)
    }
}

/// Boundary condition on one face of the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaceBoundary {
    /// No flux across the face.
    ZeroFlux,
    /// A ghost voxel one voxel width outside the face, held at this value (Dirichlet).
    Fixed(f32),
}

/// Boundary conditions of the six faces: `[x, y, z]`, each as `(low face, high face)`.
pub type Boundaries = [(FaceBoundary, FaceBoundary); 3];
