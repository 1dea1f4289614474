//! The tissue box and its voxel grid.

use crate::MAX_VOXELS;
use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// A box of tissue cut into cubic voxels. x runs medio-lateral, y dorso-ventral (y = 0 is the
/// ventral edge), z rostro-caudal along the cord.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TissueSpec {
    /// Box edge lengths (x, y, z), µm. Default (400, 400, 200). Each in (0, 1e6].
    pub size_um: (f64, f64, f64),
    /// Voxel edge length, µm. Default 20 (under one mouse motor neuron soma, ~27 µm). Range
    /// [1, 1000]. Each box edge must be a whole number of voxels.
    pub voxel_um: f64,
}

impl Default for TissueSpec {
    fn default() -> Self {
        Self {
            size_um: (400.0, 400.0, 200.0),
            voxel_um: 20.0,
        }
    }
}

impl TissueSpec {
    /// Box edges as an array.
    pub fn size(&self) -> [f64; 3] {
        [self.size_um.0, self.size_um.1, self.size_um.2]
    }

    /// Voxels along x, y, z (box edge over voxel edge, rounded).
    pub fn grid(&self) -> [u64; 3] {
        self.size()
            .map(|s| (s / self.voxel_um).round().max(1.0) as u64)
    }

    /// Box volume in mm³.
    pub fn volume_mm3(&self) -> f64 {
        self.size().iter().product::<f64>() * 1e-9
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        for (axis, size) in ["x", "y", "z"].iter().zip(self.size()) {
            c.positive(&format!("size_um.{axis}"), size, 1e6);
        }
        c.range("voxel_um", self.voxel_um, 1.0, 1000.0);
        if !c.is_clean() {
            return;
        }
        for (axis, size) in ["x", "y", "z"].iter().zip(self.size()) {
            let n = size / self.voxel_um;
            if (n - n.round()).abs() > 1e-6 * n.max(1.0) || n.round() < 1.0 {
                c.problem(
                    &format!("size_um.{axis}"),
                    format!(
                        "must be a whole number of voxels of {} µm, got {size} µm ({n:.3} voxels)",
                        self.voxel_um
                    ),
                );
            }
        }
        let voxels: f64 = self
            .size()
            .iter()
            .map(|s| (s / self.voxel_um).round())
            .product();
        if voxels > MAX_VOXELS as f64 {
            c.problem(
                "",
                format!(
                    "gives a grid of {voxels:.3e} voxels, more than the limit of {MAX_VOXELS} (4 GiB per field); use a larger voxel_um or a smaller size_um"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_of_ten_to_the_twelve_voxels_is_refused_with_the_fix() {
        let t = TissueSpec {
            size_um: (1e6, 1e6, 1e6),
            voxel_um: 10.0,
        };
        let mut c = Checker::default();
        t.check(&mut c);
        let err = c.finish("big.ron").unwrap_err().to_string();
        assert!(err.contains("tissue") || err.contains("voxels"), "{err}");
        assert!(err.contains("1.000e15"), "{err}");
        assert!(err.contains("larger voxel_um"), "{err}");
    }

    #[test]
    fn edges_must_hold_whole_voxels() {
        let t = TissueSpec {
            size_um: (410.0, 400.0, 100.0),
            voxel_um: 20.0,
        };
        let mut c = Checker::default();
        t.check(&mut c);
        assert!(!c.is_clean());
        assert_eq!(TissueSpec::default().grid(), [20, 20, 10]);
    }
}
