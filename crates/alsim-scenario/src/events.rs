//! Events: toxin exposure and physical trauma (the risks of sporadic disease), and the
//! experimenter's injection of misfolded-protein seeds.

use crate::check::Checker;
use crate::{Region, TissueSpec};
use serde::{Deserialize, Serialize};

/// Something that happens to the tissue at a given time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Event {
    /// A toxin (pesticides, heavy metals, BMAA; Oskarsson et al. 2015) raising oxidative
    /// stress: a source of extracellular ROS throughout `region` from `start_day` to `end_day`.
    Toxin {
        /// First day of exposure.
        start_day: f64,
        /// Day the exposure ends (exclusive).
        end_day: f64,
        /// Where the toxin acts.
        region: Region,
        /// ROS produced per mm³ of tissue, fmol per hour. Range (0, 1e9].
        ros_fmol_per_hour_per_mm3: f64,
    },
    /// An acute injury (physical trauma): at `day`, motor neurons within `radius_um` of
    /// `centre_um` take `damage`, and the injured volume receives a burst of debris and TNF
    /// (the inflammatory response to injury).
    Trauma {
        /// Day of the injury.
        day: f64,
        /// Centre of the injury (x, y, z), µm.
        centre_um: (f64, f64, f64),
        /// Radius of the injured sphere, µm. Range (0, 1e4].
        radius_um: f64,
        /// Damage added to each motor neuron inside (1 = half-maximal death hazard). Range [0, 100].
        damage: f64,
        /// Debris released into the injured volume, neuron-equivalents. Range [0, 1e6].
        debris: f64,
        /// TNF released into the injured volume, fg. Range [0, 1e9].
        tnf_fg: f64,
    },
    /// An injection of misfolded-protein seeds: at `day`, `seeds_au` aggregate units are added
    /// to the extracellular seed field, evenly over the voxels within `radius_um` of
    /// `centre_um`. Ayers et al. 2016 (Acta Neuropathol 131:103) injected spinal homogenate of
    /// paralysed SOD1 mice into the spinal cord or sciatic nerve of G85R-SOD1:YFP mice, which
    /// otherwise stay well: inclusions appeared near the site first and spread rostrally, with
    /// paralysis about 3 months later.
    SeedInjection {
        /// Day of the injection.
        day: f64,
        /// Centre of the injected volume (x, y, z), µm.
        centre_um: (f64, f64, f64),
        /// Radius of the injected sphere, µm. Range (0, 1e4].
        radius_um: f64,
        /// Seeds injected, aggregate units (the unit of intracellular aggregate load). Range
        /// (0, 1e9].
        seeds_au: f64,
    },
}

impl Event {
    /// The first day the event acts.
    pub fn start_day(&self) -> f64 {
        match self {
            Event::Toxin { start_day, .. } => *start_day,
            Event::Trauma { day, .. } | Event::SeedInjection { day, .. } => *day,
        }
    }

    /// The same event `dose` times as strong: a toxin's ROS rate; an injury's damage, debris
    /// and TNF; an injection's seeds.
    pub fn scaled(&self, dose: f64) -> Event {
        let mut e = self.clone();
        match &mut e {
            Event::Toxin {
                ros_fmol_per_hour_per_mm3,
                ..
            } => *ros_fmol_per_hour_per_mm3 *= dose,
            Event::Trauma {
                damage,
                debris,
                tnf_fg,
                ..
            } => {
                *damage *= dose;
                *debris *= dose;
                *tnf_fg *= dose;
            }
            Event::SeedInjection { seeds_au, .. } => *seeds_au *= dose,
        }
        e
    }

    /// `last_day` is the day the run's last tick starts: an event after it would never happen.
    pub(crate) fn check(&self, c: &mut Checker, tissue: &TissueSpec, last_day: f64) {
        match self {
            Event::Toxin {
                start_day,
                end_day,
                region,
                ros_fmol_per_hour_per_mm3,
            } => {
                starts_in_the_run(c, "Toxin.start_day", *start_day, last_day);
                c.range("Toxin.end_day", *end_day, 0.0, f64::MAX);
                if end_day <= start_day {
                    c.problem(
                        "Toxin.end_day",
                        format!("must be after start_day ({start_day}), got {end_day}"),
                    );
                }
                c.scope("Toxin.region", |c| region.check(c, tissue));
                c.positive(
                    "Toxin.ros_fmol_per_hour_per_mm3",
                    *ros_fmol_per_hour_per_mm3,
                    1e9,
                );
            }
            Event::Trauma {
                day,
                centre_um,
                radius_um,
                damage,
                debris,
                tnf_fg,
            } => {
                starts_in_the_run(c, "Trauma.day", *day, last_day);
                inside(c, "Trauma.centre_um", *centre_um, tissue);
                c.positive("Trauma.radius_um", *radius_um, 1e4);
                c.range("Trauma.damage", *damage, 0.0, 100.0);
                c.range("Trauma.debris", *debris, 0.0, 1e6);
                c.range("Trauma.tnf_fg", *tnf_fg, 0.0, 1e9);
            }
            Event::SeedInjection {
                day,
                centre_um,
                radius_um,
                seeds_au,
            } => {
                starts_in_the_run(c, "SeedInjection.day", *day, last_day);
                inside(c, "SeedInjection.centre_um", *centre_um, tissue);
                c.positive("SeedInjection.radius_um", *radius_um, 1e4);
                c.positive("SeedInjection.seeds_au", *seeds_au, 1e9);
            }
        }
    }
}

/// A point must lie in the tissue box.
fn inside(c: &mut Checker, field: &str, (x, y, z): (f64, f64, f64), tissue: &TissueSpec) {
    let size = tissue.size();
    for (i, (axis, v)) in ["x", "y", "z"].iter().zip([x, y, z]).enumerate() {
        c.range(&format!("{field}.{axis}"), v, 0.0, size[i]);
    }
}

/// `day` must be a tick of the run: from 0 to the day its last tick starts.
pub(crate) fn starts_in_the_run(c: &mut Checker, field: &str, day: f64, last_day: f64) {
    if day.is_finite() && day > last_day && day >= 0.0 {
        // To the minute: the last step of hourly ticks starts at a fraction of a day.
        let last_day = (last_day * 1440.0).round() / 1440.0;
        let last_day = format!("{last_day:.3}");
        let last_day = last_day.trim_end_matches('0').trim_end_matches('.');
        c.problem(
            field,
            format!(
                "is day {day}, after the run's last step starts (day {last_day}), so it would never happen; move it earlier or lengthen time.duration_days"
            ),
        );
    } else {
        c.range(field, day, 0.0, last_day);
    }
}
