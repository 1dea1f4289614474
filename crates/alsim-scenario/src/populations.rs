//! Cell populations: how many cells of each kind and where they are placed.

use crate::TissueSpec;
use crate::check::Checker;
use serde::{Deserialize, Serialize};

/// How many cells a population starts with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Amount {
    /// An exact number of cells.
    Count(u64),
    /// Cells per mm³ of the population's region (rounded to the nearest whole cell).
    DensityPerMm3(f64),
}

/// Where a population is placed: uniformly at random inside the region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Region {
    /// The whole tissue box.
    Whole,
    /// An axis-aligned box inside the tissue, corners in µm from the tissue origin.
    Box {
        /// Lower corner (x, y, z), µm.
        min_um: (f64, f64, f64),
        /// Upper corner (x, y, z), µm.
        max_um: (f64, f64, f64),
    },
}

impl Region {
    /// Lower and upper corners in µm, resolved against the tissue box.
    pub fn bounds(&self, tissue: &TissueSpec) -> ([f64; 3], [f64; 3]) {
        match self {
            Region::Whole => ([0.0; 3], tissue.size()),
            Region::Box { min_um, max_um } => (
                [min_um.0, min_um.1, min_um.2],
                [max_um.0, max_um.1, max_um.2],
            ),
        }
    }

    /// A `Box` must lie inside the tissue with positive extent on every axis.
    pub(crate) fn check(&self, c: &mut Checker, tissue: &TissueSpec) {
        if let Region::Box { .. } = self {
            let (lo, hi) = self.bounds(tissue);
            let size = tissue.size();
            for (i, axis) in ["x", "y", "z"].iter().enumerate() {
                if !(lo[i].is_finite() && hi[i].is_finite())
                    || lo[i] < 0.0
                    || hi[i] > size[i]
                    || lo[i] >= hi[i]
                {
                    c.problem(
                        axis,
                        format!(
                            "must satisfy 0 <= min_um < max_um <= tissue size ({} µm), got min {} and max {}",
                            size[i], lo[i], hi[i]
                        ),
                    );
                }
            }
        }
    }

    /// Volume in mm³.
    pub fn volume_mm3(&self, tissue: &TissueSpec) -> f64 {
        let (lo, hi) = self.bounds(tissue);
        (0..3).map(|i| (hi[i] - lo[i]).max(0.0)).product::<f64>() * 1e-9
    }
}

/// One population of cells.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// Count or density. Densities are per mm³ of `region`.
    pub amount: Amount,
    /// Where the cells sit. Default: `Whole`.
    #[serde(default = "whole")]
    pub region: Region,
    /// Smallest distance between two cells of this population, µm (soma exclusion). Default 0.
    /// Range [0, 1000]; the region must have room for it (see `validate`).
    #[serde(default)]
    pub min_spacing_um: f64,
}

fn whole() -> Region {
    Region::Whole
}

impl PopulationSpec {
    /// Cells per mm³ of their region at the start of the run.
    pub fn initial_density_per_mm3(&self, tissue: &TissueSpec) -> f64 {
        self.initial_count(tissue) as f64 / self.region.volume_mm3(tissue)
    }

    /// Cells at the start of the run.
    pub fn initial_count(&self, tissue: &TissueSpec) -> u64 {
        match self.amount {
            Amount::Count(n) => n,
            Amount::DensityPerMm3(d) => {
                (d * self.region.volume_mm3(tissue)).round().max(0.0) as u64
            }
        }
    }

    fn check(&self, c: &mut Checker, tissue: &TissueSpec) {
        if let Amount::DensityPerMm3(d) = self.amount {
            c.range("amount.DensityPerMm3", d, 0.0, 1e7);
        }
        c.range("min_spacing_um", self.min_spacing_um, 0.0, 1000.0);
        c.scope("region", |c| self.region.check(c, tissue));
        if !c.is_clean() {
            return;
        }
        // Random sequential addition of hard spheres jams near a packing fraction of 0.38;
        // ask for at most 0.3 so placement always succeeds quickly.
        let spacing_mm = self.min_spacing_um * 1e-3;
        let sphere = std::f64::consts::PI / 6.0 * spacing_mm.powi(3);
        let fraction = self.initial_count(tissue) as f64 * sphere / self.region.volume_mm3(tissue);
        if fraction > 0.3 {
            c.problem(
                "min_spacing_um",
                format!(
                    "leaves no room: {} cells {} µm apart fill {:.0}% of the region (limit 30%); lower the count or the spacing, or enlarge the region",
                    self.initial_count(tissue),
                    self.min_spacing_um,
                    fraction * 100.0
                ),
            );
        }
    }
}

/// The three cell populations of the tissue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Populations {
    /// Motor neurons. Default: 40 cells at least 40 µm apart in a ventral-horn box (the ventral
    /// half of y, the middle 80% of x).
    pub motor_neurons: PopulationSpec,
    /// Microglia. Default: 8,500 per mm³ throughout (Lawson et al. 1990).
    pub microglia: PopulationSpec,
    /// Astrocytes. Default: 20,000 per mm³ throughout (roughly 20–40% of CNS cells).
    pub astrocytes: PopulationSpec,
}

impl Default for Populations {
    fn default() -> Self {
        let tissue = TissueSpec::default();
        let (x, y, z) = tissue.size_um;
        Self {
            motor_neurons: PopulationSpec {
                amount: Amount::Count(40),
                region: Region::Box {
                    min_um: (0.1 * x, 0.0, 0.0),
                    max_um: (0.9 * x, 0.5 * y, z),
                },
                min_spacing_um: 40.0,
            },
            microglia: PopulationSpec {
                amount: Amount::DensityPerMm3(8_500.0),
                region: Region::Whole,
                min_spacing_um: 0.0,
            },
            astrocytes: PopulationSpec {
                amount: Amount::DensityPerMm3(20_000.0),
                region: Region::Whole,
                min_spacing_um: 0.0,
            },
        }
    }
}

impl Populations {
    pub(crate) fn check(&self, c: &mut Checker, tissue: &TissueSpec) {
        c.scope("motor_neurons", |c| self.motor_neurons.check(c, tissue));
        c.scope("microglia", |c| self.microglia.check(c, tissue));
        c.scope("astrocytes", |c| self.astrocytes.check(c, tissue));
    }
}
