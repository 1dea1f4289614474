//! A body as a graph of tissue regions: lower motor neuron pools of the brainstem and spinal
//! cord and upper motor neuron areas of the motor cortex, each a tissue block of its own,
//! joined by connections along which misfolded seeds travel.
//!
//! A region is the scenario's tissue block with its own name, side, body part, population scale,
//! optional tissue and events; [`crate::Scenario::region_scenario`] gives the full scenario of one
//! region, which the core builds like any other. Everything else (fields, mechanisms, genotype,
//! time) is the scenario's and is shared by every region.

use crate::check::Checker;
use crate::{Event, TissueSpec};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most regions a neuraxis may have.
pub const MAX_REGIONS: usize = 256;

/// The regions of a body and the connections between them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Neuraxis {
    /// The regions, each a tissue block; at least one. Their order is the order of the output
    /// rows and of the derived seeds.
    pub regions: Vec<RegionSpec>,
    /// Connections between regions, applied in this order at the end of every tick. Default
    /// none.
    #[serde(default)]
    pub connections: Vec<Connection>,
    /// Where disease starts. Default none: every region alike.
    #[serde(default)]
    pub focus: Option<Focus>,
    /// End stage: the respiratory capacity proxy (FVC, % of predicted) below which breathing
    /// has failed. Range (0, 100), and below `100·mechanisms.motor_units.onset_force_threshold`
    /// so that it cannot come before onset. Default 50, the usual criterion for ventilatory
    /// support in ALS (Andersen et al. 2012).
    #[serde(default = "default_end_stage")]
    pub end_stage_fvc_percent: f64,
    /// Whether the run ends at respiratory failure, the survival endpoint (death or permanent
    /// ventilation), as a person's follow-up does. Default false: the run goes on to its
    /// duration, so loss can be followed after end stage. Left out of a resolved scenario when
    /// false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end_at_respiratory_failure: bool,
}

fn default_end_stage() -> f64 {
    50.0
}

/// Which motor neurons a region holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Neurons {
    /// Upper motor neurons (corticospinal and corticobulbar cells of motor cortex layer V).
    /// They drive lower motor neurons and have no motor units of their own: the region runs
    /// without `mechanisms.motor_units`.
    Upper,
    /// Lower motor neurons of a brainstem or spinal pool, each with its motor unit.
    Lower,
}

/// Body side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Side {
    /// Left.
    Left,
    /// Right.
    Right,
    /// Both or neither (a midline structure).
    Midline,
}

/// The part of the body a region's motor neurons serve, as the clinical regions of ALS are
/// counted (bulbar, upper limb, trunk, lower limb; El Escorial) with breathing apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodyPart {
    /// Speech, swallowing, face and tongue (brainstem nuclei; cortical face area).
    Bulbar,
    /// Arm and hand (cervical enlargement; cortical arm area).
    Arm,
    /// Trunk and abdomen (thoracic cord; cortical trunk area).
    Trunk,
    /// Breathing: the phrenic pool (C3–C5) and the intercostal motor neurons.
    Respiratory,
    /// Leg and foot (lumbosacral enlargement; cortical leg area).
    Leg,
}

/// One tissue region of the body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// Unique name (letters, digits, `-`, `_`, `.`), used in outputs and connections.
    pub name: String,
    /// Upper or lower motor neurons.
    pub neurons: Neurons,
    /// Body side.
    pub side: Side,
    /// The part of the body its motor neurons serve.
    pub serves: BodyPart,
    /// Factor on every population's amount (count or density) of the scenario. Range
    /// (0, 1000]. Default 1.
    #[serde(default = "one")]
    pub scale: f64,
    /// The region's own tissue block. Default: the scenario's `tissue`.
    #[serde(default)]
    pub tissue: Option<TissueSpec>,
    /// Events in this region (coordinates in its block). Default none.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Where the block's corner sits in the body, mm (x, y, z): VTK snapshots place the region
    /// there, so ParaView shows the body. Each in [-1e4, 1e4]. Default: the regions side by side
    /// along x in declaration order, 0.2 mm apart.
    #[serde(default)]
    pub position_mm: Option<(f64, f64, f64)>,
}

fn one() -> f64 {
    1.0
}

impl RegionSpec {
    /// A region named `name` of `neurons` on `side` serving `serves`, with the scenario's
    /// tissue at full scale, no events of its own and the default position.
    pub fn new(name: &str, neurons: Neurons, side: Side, serves: BodyPart) -> Self {
        Self {
            name: name.into(),
            neurons,
            side,
            serves,
            scale: 1.0,
            tissue: None,
            events: Vec::new(),
            position_mm: None,
        }
    }
}

/// How two regions are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionKind {
    /// Neighbours along the neuraxis or across the midline (propriospinal and commissural
    /// interneurons, local spread).
    Contiguous,
    /// A long tract: corticospinal or corticobulbar axons from a cortical area to the lower
    /// motor neuron pool it drives.
    Tract,
}

/// A directed connection: seeds leave `from` and arrive in `to` `delay_days` later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    /// Source region's name.
    pub from: String,
    /// Target region's name.
    pub to: String,
    /// Contiguous neighbours or a long tract.
    pub kind: ConnectionKind,
    /// First-order rate at which the source's extracellular seeds leave along this connection,
    /// 1/day: the connections leaving a region drain it at the sum of their rates, alongside
    /// the seeds' own decay. Range [0, 10].
    pub seeds_per_day: f64,
    /// Days between leaving the source and arriving in the target. Range [0, 3650].
    pub delay_days: f64,
    /// For a tract from upper motor neurons: damage per day added to each motor neuron of the
    /// target per unit share of the source's motor neurons that are stressed or dying (dying
    /// forward: hyperexcitable, degenerating corticomotoneurons drive excitotoxicity in the
    /// neurons they synapse on; Eisen et al. 1992, Vucic et al. 2008). Range [0, 10]. Default 0.
    #[serde(default)]
    pub umn_damage_per_day: f64,
}

/// Where disease starts, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Focus {
    /// The region of onset: named, or drawn per run.
    pub region: FocusRegion,
    /// Seeds placed in the focus at the start, aggregate units, spread evenly over its block.
    /// Range [0, 1e9]. Default 0.
    #[serde(default)]
    pub seeds_au: f64,
    /// Factor on `mechanisms.neuron_damage.intrinsic_damage_per_day` in the focus. Range
    /// (0, 100]. Default 1.
    #[serde(default = "one")]
    pub damage_factor: f64,
    /// Factor on `mechanisms.neuron_damage.vulnerability_median` in the focus: its neurons more
    /// vulnerable for good (vulnerability scales both intrinsic damage and misfolding). Range
    /// (0, 100]. Default 1.
    #[serde(default = "one")]
    pub vulnerability_factor: f64,
}

/// The focus region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FocusRegion {
    /// This region.
    Named(String),
    /// One of these regions, drawn per run with these weights (site-of-onset probabilities;
    /// they need not sum to one).
    Drawn(Vec<(String, f64)>),
}

impl Neuraxis {
    /// The index of the region named `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.regions.iter().position(|r| r.name == name)
    }

    /// Where region `i`'s block corner sits in the body, µm: its `position_mm`, or side by side
    /// along x after the regions before it (their blocks' widths from `tissue` unless their own),
    /// 200 µm apart.
    pub fn origin_um(&self, i: usize, tissue: &TissueSpec) -> [f64; 3] {
        if let Some((x, y, z)) = self.regions[i].position_mm {
            return [x, y, z].map(|v| v * 1000.0);
        }
        let x = self.regions[..i]
            .iter()
            .map(|r| r.tissue.as_ref().unwrap_or(tissue).size()[0] + 200.0)
            .sum();
        [x, 0.0, 0.0]
    }

    /// The focus region's index for a run of `seed`: the named one, or one drawn with the
    /// weights from a stream of its own; `None` without a focus. Meaningful once validated.
    pub fn focus_index(&self, seed: u64) -> Option<usize> {
        let focus = self.focus.as_ref()?;
        match &focus.region {
            FocusRegion::Named(name) => self.index_of(name),
            FocusRegion::Drawn(weights) => {
                let total: f64 = weights.iter().map(|(_, w)| w).sum();
                // A uniform draw in [0, 1) from the top 53 bits of a mixed seed.
                let u = (mix(seed ^ FOCUS_STREAM) >> 11) as f64 / (1u64 << 53) as f64;
                let mut left = u * total;
                for (name, w) in weights {
                    if left < *w {
                        return self.index_of(name);
                    }
                    left -= w;
                }
                weights
                    .iter()
                    .rev()
                    .find(|(_, w)| *w > 0.0)
                    .and_then(|(name, _)| self.index_of(name))
            }
        }
    }

    pub(crate) fn check(&self, c: &mut Checker, onset_force: Option<f64>) {
        c.range(
            "end_stage_fvc_percent",
            self.end_stage_fvc_percent,
            f64::MIN_POSITIVE,
            99.999,
        );
        if let Some(onset) = onset_force.filter(|f| self.end_stage_fvc_percent >= 100.0 * f) {
            c.problem(
                "end_stage_fvc_percent",
                format!(
                    "is {}, at or above the force at clinical onset (mechanisms.motor_units.onset_force_threshold {onset} = {}%), so end stage could come before onset; lower it",
                    self.end_stage_fvc_percent,
                    100.0 * onset
                ),
            );
        }
        if self.regions.is_empty() {
            c.problem("regions", "is empty; a neuraxis needs at least one region");
        }
        if self.regions.len() > MAX_REGIONS {
            c.problem(
                "regions",
                format!(
                    "has {} regions, more than the limit of {MAX_REGIONS}",
                    self.regions.len()
                ),
            );
        }
        let mut seen = BTreeMap::new();
        for (i, r) in self.regions.iter().enumerate() {
            c.scope(&format!("regions[{i}]"), |c| {
                // It names a folder of VTK snapshots: no '/', and no leading '.' (no "..").
                let ok = !r.name.is_empty()
                    && !r.name.starts_with('.')
                    && r.name.len() <= 64
                    && r.name
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch));
                if !ok {
                    c.problem(
                        "name",
                        format!(
                            "{:?} must be 1 to 64 letters, digits, '-', '_' or '.', not starting with '.' (it names output rows and a snapshot folder)",
                            r.name
                        ),
                    );
                }
                if let Some(first) = seen.insert(r.name.as_str(), i) {
                    c.problem(
                        "name",
                        format!("{:?} is also the name of regions[{first}]; names must be unique", r.name),
                    );
                }
                c.positive("scale", r.scale, 1000.0);
                if let Some((x, y, z)) = r.position_mm {
                    for (axis, v) in ["x", "y", "z"].iter().zip([x, y, z]) {
                        c.range(&format!("position_mm.{axis}"), v, -1e4, 1e4);
                    }
                }
            });
        }
        let names: Vec<&str> = self.regions.iter().map(|r| r.name.as_str()).collect();
        let known = |c: &mut Checker, field: &str, name: &str| {
            if !names.contains(&name) {
                let hint = crate::path::nearest(name, &names)
                    .first()
                    .map(|n| format!("; did you mean {n:?}?"))
                    .unwrap_or_default();
                c.problem(
                    field,
                    format!("names {name:?}, which is not a region of neuraxis.regions{hint}"),
                );
            }
        };
        for (i, link) in self.connections.iter().enumerate() {
            c.scope(&format!("connections[{i}]"), |c| {
                known(c, "from", &link.from);
                known(c, "to", &link.to);
                if link.from == link.to {
                    c.problem(
                        "to",
                        "is the same region as `from`; a connection joins two regions",
                    );
                }
                c.range("seeds_per_day", link.seeds_per_day, 0.0, 10.0);
                c.range("delay_days", link.delay_days, 0.0, 3650.0);
                c.range("umn_damage_per_day", link.umn_damage_per_day, 0.0, 10.0);
                let from_upper = self
                    .index_of(&link.from)
                    .is_some_and(|i| self.regions[i].neurons == Neurons::Upper);
                if link.umn_damage_per_day > 0.0 && (link.kind != ConnectionKind::Tract || !from_upper) {
                    c.problem(
                        "umn_damage_per_day",
                        format!(
                            "is {}, but only a Tract from a region of Upper motor neurons carries their drive; set it to 0 or make {:?} such a tract",
                            link.umn_damage_per_day, link.from
                        ),
                    );
                }
            });
        }
        if let Some(focus) = &self.focus {
            c.scope("focus", |c| {
                match &focus.region {
                    FocusRegion::Named(name) => known(c, "region.Named", name),
                    FocusRegion::Drawn(weights) => {
                        if weights.is_empty() || weights.iter().all(|(_, w)| *w <= 0.0) {
                            c.problem(
                                "region.Drawn",
                                "needs at least one region with a weight above 0",
                            );
                        }
                        for (i, (name, w)) in weights.iter().enumerate() {
                            known(c, &format!("region.Drawn[{i}]"), name);
                            c.range(&format!("region.Drawn[{i}].weight"), *w, 0.0, 1e9);
                        }
                    }
                }
                c.range("seeds_au", focus.seeds_au, 0.0, 1e9);
                c.positive("damage_factor", focus.damage_factor, 100.0);
                c.positive("vulnerability_factor", focus.vulnerability_factor, 100.0);
            });
        }
    }
}

/// Stream key of the focus draw (distinct from the regions' seeds).
const FOCUS_STREAM: u64 = 0xF0C5_0000_0000_0001;

/// SplitMix64 finaliser: a bijection on u64 with full avalanche.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str) -> RegionSpec {
        RegionSpec::new(name, Neurons::Lower, Side::Left, BodyPart::Leg)
    }

    #[test]
    fn drawn_focus_follows_its_weights_over_many_seeds() {
        let axis = Neuraxis {
            regions: vec![region("a"), region("b"), region("c")],
            connections: Vec::new(),
            end_stage_fvc_percent: 50.0,
            end_at_respiratory_failure: false,
            focus: Some(Focus {
                region: FocusRegion::Drawn(vec![
                    ("a".into(), 7.0),
                    ("b".into(), 3.0),
                    ("c".into(), 0.0),
                ]),
                seeds_au: 0.0,
                damage_factor: 1.0,
                vulnerability_factor: 1.0,
            }),
        };
        let mut counts = [0u32; 3];
        for seed in 0..20_000 {
            counts[axis.focus_index(seed).unwrap()] += 1;
        }
        // 70% ± 5 standard errors (0.0032 each).
        let share = f64::from(counts[0]) / 20_000.0;
        assert!((share - 0.7).abs() < 0.017, "{counts:?}");
        assert_eq!(counts[2], 0, "a region of weight 0 is never drawn");
        // The same seed gives the same focus.
        assert_eq!(axis.focus_index(42), axis.focus_index(42));
    }

    #[test]
    fn only_the_focus_region_runs_with_the_focus_s_changes() {
        let s = crate::Scenario {
            neuraxis: Some(Neuraxis {
                regions: vec![region("a"), region("b")],
                connections: Vec::new(),
                end_stage_fvc_percent: 50.0,
                end_at_respiratory_failure: false,
                focus: Some(Focus {
                    region: FocusRegion::Named("b".into()),
                    seeds_au: 7.0,
                    damage_factor: 2.0,
                    vulnerability_factor: 1.5,
                }),
            }),
            ..crate::Scenario::default()
        };
        s.validate("test").unwrap();
        let damage = |i: usize| s.region_scenario(i).mechanisms.neuron_damage.unwrap();
        let base = crate::mechanisms::NeuronDamageParams::default();
        assert_eq!(damage(0), base);
        assert_eq!(
            damage(1).intrinsic_damage_per_day,
            2.0 * base.intrinsic_damage_per_day
        );
        assert_eq!(damage(1).vulnerability_median, 1.5);
        assert!(s.region_scenario(0).events.is_empty());
        assert!(matches!(
            s.region_scenario(1).events[..],
            [Event::SeedInjection { day, seeds_au, .. }] if day == 0.0 && seeds_au == 7.0
        ));
        assert_ne!(s.region_scenario(0).seed, s.region_scenario(1).seed);
    }
}
