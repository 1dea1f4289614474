//! Diffusing fields: the extracellular signals cells secrete, sense and take up.

use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// Names of the fields, in the order the model stores them and writes their columns.
pub const FIELD_NAMES: [&str; 5] = ["tnf", "il10", "debris", "ros", "seeds"];

/// Boundary condition on one face of the tissue box.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Boundary {
    /// No flux across the face (a sealed or symmetric edge).
    ZeroFlux,
    /// Held at this value (in the field's unit) one voxel outside the face (a sink or a bath).
    Fixed(f64),
}

/// Boundary conditions of the six faces. Every face defaults to `ZeroFlux`, so a file names only
/// the faces it changes: `boundary: (y_max: Fixed(0.0))`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Boundaries {
    /// Face at x = 0.
    pub x_min: Boundary,
    /// Face at x = size.
    pub x_max: Boundary,
    /// Face at y = 0 (ventral).
    pub y_min: Boundary,
    /// Face at y = size (dorsal).
    pub y_max: Boundary,
    /// Face at z = 0.
    pub z_min: Boundary,
    /// Face at z = size.
    pub z_max: Boundary,
}

impl Default for Boundaries {
    fn default() -> Self {
        Self {
            x_min: Boundary::ZeroFlux,
            x_max: Boundary::ZeroFlux,
            y_min: Boundary::ZeroFlux,
            y_max: Boundary::ZeroFlux,
            z_min: Boundary::ZeroFlux,
            z_max: Boundary::ZeroFlux,
        }
    }
}

impl Boundaries {
    /// (low, high) faces of x, y and z.
    pub fn per_axis(&self) -> [(Boundary, Boundary); 3] {
        [
            (self.x_min, self.x_max),
            (self.y_min, self.y_max),
            (self.z_min, self.z_max),
        ]
    }
}

/// Transport and initial state of one field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Effective diffusion coefficient in the extracellular space, µm²/s. Range (0, 1e4].
    pub diffusion_um2_per_s: f64,
    /// First-order decay (degradation, washout) rate, per hour. Range [0, 1e4].
    pub decay_per_hour: f64,
    /// Initial value everywhere, in the field's unit. Default 0. Range [0, 1e9].
    #[serde(default)]
    pub initial: f64,
    /// Boundary conditions. Default: zero flux on every face.
    #[serde(default)]
    pub boundary: Boundaries,
}

impl FieldSpec {
    fn check(&self, c: &mut Checker) {
        c.positive("diffusion_um2_per_s", self.diffusion_um2_per_s, 1e4);
        c.range("decay_per_hour", self.decay_per_hour, 0.0, 1e4);
        c.range("initial", self.initial, 0.0, 1e9);
        for (face, b) in [
            ("x_min", self.boundary.x_min),
            ("x_max", self.boundary.x_max),
            ("y_min", self.boundary.y_min),
            ("y_max", self.boundary.y_max),
            ("z_min", self.boundary.z_min),
            ("z_max", self.boundary.z_max),
        ] {
            if let Boundary::Fixed(v) = b {
                c.range(&format!("boundary.{face}.Fixed"), v, 0.0, 1e9);
            }
        }
    }
}

/// The fields of the tissue. Units: cytokines in ng/mL; debris in neuron-equivalents per mm³;
/// ROS in µM; seeds in aggregate units (a.u., the unit of intracellular aggregate load) per mm³.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fields {
    /// Pro-inflammatory cytokine (TNF-α standing for TNF, IL-1α/β and C1q), ng/mL. Default
    /// D = 40 µm²/s (Syková & Nicholson 2008: 30–55 for 17–52 kDa proteins in CNS extracellular
    /// space), half-life 30 min in tissue (decay 1.386 per hour).
    pub tnf: FieldSpec,
    /// Anti-inflammatory cytokine (IL-10 standing for IL-10, TGF-β), ng/mL. Default
    /// D = 40 µm²/s, half-life 2 h (decay 0.347 per hour).
    pub il10: FieldSpec,
    /// Debris of dead cells and the danger signals it gives off (ATP, HMGB1), neuron-equivalents
    /// per mm³. Default D = 0.1 µm²/s (a slow, local signal), decay 0.01 per hour (clearance by
    /// routes other than microglia; half-life ~3 days).
    pub debris: FieldSpec,
    /// Extracellular reactive oxygen species (H2O2 standing for all), µM. Default D = 1 µm²/s and
    /// decay 20 per hour (half-life ~2 min): an effective reach sqrt(D/decay) of ~13 µm, so ROS
    /// act on a cell's neighbours and no further (H2O2 is consumed within seconds in tissue and
    /// hydroxyl radical within nanometres, Winterbourn 2008; the model lumps them at the scale
    /// of a voxel).
    pub ros: FieldSpec,
    /// Extracellular misfolded-protein seeds (SOD1, TDP-43 or FUS oligomers and fibril
    /// fragments), a.u. per mm³. Default D = 1 µm²/s (large assemblies move slowly), decay 0.05
    /// per hour (extracellular proteolysis, half-life ~14 h).
    pub seeds: FieldSpec,
}

impl Default for Fields {
    fn default() -> Self {
        let field = |d, decay| FieldSpec {
            diffusion_um2_per_s: d,
            decay_per_hour: decay,
            initial: 0.0,
            boundary: Boundaries::default(),
        };
        Self {
            tnf: field(40.0, std::f64::consts::LN_2 / 0.5),
            il10: field(40.0, std::f64::consts::LN_2 / 2.0),
            debris: field(0.1, 0.01),
            ros: field(1.0, 20.0),
            seeds: field(1.0, 0.05),
        }
    }
}

impl Fields {
    /// The fields in [`FIELD_NAMES`] order.
    pub fn in_order(&self) -> [&FieldSpec; 5] {
        [&self.tnf, &self.il10, &self.debris, &self.ros, &self.seeds]
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        for (name, spec) in FIELD_NAMES.iter().zip(self.in_order()) {
            c.scope(name, |c| spec.check(c));
        }
    }
}
