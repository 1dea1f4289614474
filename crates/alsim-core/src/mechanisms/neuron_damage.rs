//! Motor neuron damage: every stress a motor neuron is under, added up and repaired at a
//! first-order rate:
//! `dd/dt = v·k_int + k_agg·A/(A+A½) + k_ox·(O−O_tol)⁺ + k_starve·(E_tol−E)⁺/E_tol
//!          + k_den·(H_den−H)⁺/H_den + k_exc·(1−S) + k_tnf·T + k_astro·n − r·d`,
//! from cell-autonomous stress (`v` a fixed vulnerability), aggregates `A`, oxidative damage `O`,
//! axonal transport `E`, the neuromuscular terminal `H` (a terminal retracted past the
//! denervation threshold `H_den` brings back less and less trophic support from the muscle),
//! astrocytic support `S` (excitotoxicity), TNF `T` (saturating) and `n`
//! reactive astrocytes in reach; in a body of regions, plus the drive `u` of the degenerating
//! upper motor neurons that project to the region ([`UpperMotorDrive`], set by the body before
//! each tick). It is integrated exactly over each tick (inputs held constant),
//! so any time step is stable. Each input comes from another mechanism's state and is neutral
//! when that mechanism is off.

use super::aggregation::Aggregates;
use super::astrocytes::ReactiveAstrocyteMap;
use super::interventions::TherapyFactors;
use super::mitochondria::Mitochondria;
use super::transport::{DENERVATED_BELOW, Transport};
use super::{modulate, relax, saturating};
use crate::RestoreError;
use crate::guard::{self, Fault, amount};
use crate::mechanism::{
    Column, LivingNeurons, Mechanism, Persist, Section, Setup, StepLimit, variable,
};
use crate::rng::{Purpose, stream};
use crate::{CellId, Clock, FieldGrid, FieldId, LifeState, MotorNeuron, RunSeed, SimSet, Voxel};
use alsim_scenario::mechanisms::NeuronDamageParams;
use bevy_ecs::prelude::*;
use bevy_ecs::system::RunSystemOnce;
use rand_distr::{Distribution, LogNormal};
use rayon::prelude::*;

/// Accumulated damage (dimensionless; see `cell_death` for how it kills).
#[derive(
    Component, Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize,
)]
pub struct Damage(pub f32);

/// Fixed multiplier of a neuron's intrinsic stress, drawn once at the start.
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Vulnerability(pub f32);

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct NeuronDamageConfig(pub NeuronDamageParams);

/// Damage per day added to every motor neuron of a region by the degenerating upper motor
/// neurons that drive it (dying forward: `docs/model.md`, "A body of regions"). The body sets
/// it before each tick from the source regions' states; absent, as in a block, it is 0.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq)]
pub struct UpperMotorDrive(pub f32);

impl NeuronDamageConfig {
    /// The parameters in force this tick: the share of glutamate release a drug leaves scales the
    /// excitotoxic damage rate.
    pub fn in_force(&self, therapies: Option<&TherapyFactors>) -> NeuronDamageParams {
        modulate(therapies, &self.0, |t: &TherapyFactors, p| {
            p.excitotoxic_damage_per_day *= t.glutamate_release;
        })
    }
}

/// The mechanism.
pub struct NeuronDamage;

impl Mechanism for NeuronDamage {
    fn name(&self) -> &'static str {
        "neuron_damage"
    }

    /// gives every motor neuron zero damage and its vulnerability.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup
            .scenario
            .mechanisms
            .neuron_damage
            .as_ref()
            .expect("on");
        let seed = world.resource::<RunSeed>().0;
        let spread =
            LogNormal::new(0.0, params.vulnerability_log_sd).expect("validated sd in [0, 3]");
        let mut neurons = world.query_filtered::<(Entity, &CellId), With<MotorNeuron>>();
        let draws: Vec<_> = neurons
            .iter(world)
            .map(|(e, id)| {
                let mut rng = stream(seed, *id, 0, Purpose::Vulnerability);
                let v: f64 = spread.sample(&mut rng);
                (e, Vulnerability((v * params.vulnerability_median) as f32))
            })
            .collect();
        for (entity, v) in draws {
            world.entity_mut(entity).insert((v, Damage::default()));
        }
        world.insert_resource(NeuronDamageConfig(params.clone()));
        schedule.add_systems(accumulate_damage.in_set(SimSet::Damage));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.neuron_damage.is_some()
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<Damage>("damage")?;
        state.component::<Vulnerability>("vulnerability")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        let damage = guard::cells(world, "Damage", |d: &Damage| [amount("", d.0, SUSPECTS)]);
        damage.or_else(|| {
            guard::cells(world, "Vulnerability", |v: &Vulnerability| {
                [amount("", v.0, SUSPECTS)]
            })
        })
    }

    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        world
            .run_system_once_with(damage_step_limit, *limit)
            .expect("the mechanism's resources are in the world")
    }

    fn columns(&self) -> &'static [Column] {
        &[Column {
            name: "mn_damage_mean",
            section: Section::NeuronState,
        }]
    }

    fn observe(&self, world: &mut World, living: &LivingNeurons, out: &mut Vec<f64>) {
        out.push(living.mean(world, |d: &Damage| d.0));
    }

    fn cell_variables(&self) -> &'static [&'static str] {
        &["damage"]
    }

    fn snapshot(&self, world: &World, cell: Entity, out: &mut Vec<f32>) {
        out.push(variable(world, cell, |d: &Damage| d.0));
    }
}

/// The parameters most likely at fault when the state leaves its range.
const SUSPECTS: &str = "mechanisms.neuron_damage (its *_damage_per_day rates, repair_per_day)";

/// What a neuron is exposed to over a tick. `Exposure::default()` is an unstressed neuron.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exposure {
    /// Aggregate load, a.u.
    pub aggregate_load: f32,
    /// Oxidative damage.
    pub oxidative_damage: f32,
    /// Axonal transport efficiency, 1 normal.
    pub transport_efficiency: f32,
    /// Integrity of the neuromuscular terminal, 1 intact.
    pub terminal_integrity: f32,
    /// Mean support of astrocytes in reach, 1 normal.
    pub astrocyte_support: f32,
    /// TNF concentration, ng/mL.
    pub tnf_ng_per_ml: f32,
    /// Reactive astrocytes in reach (weighted by their toxicity).
    pub reactive_astrocytes: f32,
}

impl Default for Exposure {
    fn default() -> Self {
        Self {
            aggregate_load: 0.0,
            oxidative_damage: 0.0,
            transport_efficiency: 1.0,
            terminal_integrity: 1.0,
            astrocyte_support: 1.0,
            tnf_ng_per_ml: 0.0,
            reactive_astrocytes: 0.0,
        }
    }
}

/// Shortfall of `supply` below what is tolerated, as a fraction of it (0 to 1).
fn starvation(supply: f32, tolerated: f32) -> f32 {
    if tolerated > 0.0 {
        ((tolerated - supply) / tolerated).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Damage added per day by `exposure` to a neuron of `vulnerability` (before repair).
pub(crate) fn damage_input(p: &NeuronDamageParams, vulnerability: f32, e: &Exposure) -> f32 {
    let k = |v: f64| v as f32;
    vulnerability * k(p.intrinsic_damage_per_day)
        + k(p.aggregate_damage_per_day) * saturating(e.aggregate_load, k(p.aggregate_half_load))
        + k(p.oxidative_damage_per_day)
            * (e.oxidative_damage - k(p.oxidative_damage_tolerated)).max(0.0)
        + k(p.starvation_damage_per_day)
            * starvation(e.transport_efficiency, k(p.transport_tolerated))
        + k(p.denervation_damage_per_day) * starvation(e.terminal_integrity, DENERVATED_BELOW)
        + k(p.excitotoxic_damage_per_day) * (1.0 - e.astrocyte_support).clamp(0.0, 1.0)
        + k(p.tnf_damage_per_day) * saturating(e.tnf_ng_per_ml, k(p.tnf_half_max_ng_per_ml))
        + k(p.astrocyte_damage_per_day) * e.reactive_astrocytes
}

/// What the neuron in `voxel` with these components is exposed to now.
fn exposure_of(
    grid: &FieldGrid,
    astrocytes: Option<&ReactiveAstrocyteMap>,
    voxel: u32,
    aggregates: Option<&Aggregates>,
    mitochondria: Option<&Mitochondria>,
    transport: Option<&Transport>,
) -> Exposure {
    let neutral = Exposure::default();
    let (toxicity, support) = astrocytes.map_or((0.0, neutral.astrocyte_support), |m| {
        m.toxicity_and_support(voxel)
    });
    Exposure {
        aggregate_load: aggregates.map_or(neutral.aggregate_load, |a| a.load),
        oxidative_damage: mitochondria.map_or(neutral.oxidative_damage, |m| m.oxidative_damage),
        transport_efficiency: transport.map_or(neutral.transport_efficiency, |t| t.efficiency),
        terminal_integrity: transport.map_or(neutral.terminal_integrity, |t| t.terminal),
        astrocyte_support: support,
        tnf_ng_per_ml: grid.at(FieldId::Tnf, voxel),
        reactive_astrocytes: toxicity,
    }
}

/// Adaptive stepping: each viable neuron's damage may move by `tolerance` of the damage at
/// which a neuron counts as stressed, at its present rate of change.
fn damage_step_limit(
    In(limit): In<StepLimit>,
    config: Res<NeuronDamageConfig>,
    therapies: Option<Res<TherapyFactors>>,
    grid: Res<FieldGrid>,
    astrocytes: Option<Res<ReactiveAstrocyteMap>>,
    upper_motor: Option<Res<UpperMotorDrive>>,
    cells: Query<NeuronState, With<MotorNeuron>>,
) -> u64 {
    let p = &config.in_force(therapies.as_deref());
    let drive = upper_motor.map_or(0.0, |u| u.0);
    let scale = p.stressed_at_damage;
    cells
        .iter()
        .filter(|(.., life)| life.is_viable())
        .map(
            |(voxel, vulnerability, aggregates, mitochondria, transport, damage, _)| {
                let exposure = exposure_of(
                    &grid,
                    astrocytes.as_deref(),
                    voxel.0,
                    aggregates,
                    mitochondria,
                    transport,
                );
                let input = damage_input(p, vulnerability.0, &exposure) + drive;
                let rate = f64::from(input) - p.repair_per_day * f64::from(damage.0);
                limit.ticks_for_rate(rate / scale)
            },
        )
        .fold(u64::MAX, u64::min)
}

type NeuronState<'a> = (
    &'a Voxel,
    &'a Vulnerability,
    Option<&'a Aggregates>,
    Option<&'a Mitochondria>,
    Option<&'a Transport>,
    &'a mut Damage,
    &'a mut LifeState,
);

fn accumulate_damage(
    config: Res<NeuronDamageConfig>,
    therapies: Option<Res<TherapyFactors>>,
    grid: Res<FieldGrid>,
    astrocytes: Option<Res<ReactiveAstrocyteMap>>,
    upper_motor: Option<Res<UpperMotorDrive>>,
    clock: Res<Clock>,
    mut cells: Query<NeuronState, With<MotorNeuron>>,
) {
    let p = &config.in_force(therapies.as_deref());
    let drive = upper_motor.map_or(0.0, |u| u.0);
    let dt_days = clock.step_hours() as f32 / 24.0;
    let astrocytes = astrocytes.as_deref();
    let mut items: Vec<_> = cells.iter_mut().collect();
    items.par_iter_mut().for_each(
        |(voxel, vulnerability, aggregates, mitochondria, transport, damage, life)| {
            if !life.is_viable() {
                return;
            }
            let exposure = exposure_of(
                &grid,
                astrocytes,
                voxel.0,
                *aggregates,
                *mitochondria,
                *transport,
            );
            let input = damage_input(p, vulnerability.0, &exposure) + drive;
            damage.0 = relax(
                f64::from(damage.0),
                f64::from(input),
                p.repair_per_day,
                f64::from(dt_days),
            )
            .end as f32;
            **life = if damage.0 as f64 > p.stressed_at_damage {
                LifeState::Stressed
            } else {
                LifeState::Healthy
            };
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unstressed_neuron_takes_only_its_intrinsic_damage() {
        let p = NeuronDamageParams::default();
        let base = damage_input(&p, 2.0, &Exposure::default());
        assert!((base - 2.0 * p.intrinsic_damage_per_day as f32).abs() < 1e-7);
    }

    #[test]
    fn each_stress_adds_its_own_term() {
        let p = NeuronDamageParams::default();
        let base = damage_input(&p, 1.0, &Exposure::default());
        let with = |e: Exposure| damage_input(&p, 1.0, &e) - base;
        let d = Exposure::default();
        // At the half points the saturating terms give half their maximum.
        let agg = with(Exposure {
            aggregate_load: 1.0,
            ..d
        });
        assert!(
            (agg - 0.5 * p.aggregate_damage_per_day as f32).abs() < 1e-6,
            "{agg}"
        );
        // Oxidative damage and transport count only past what a healthy neuron carries.
        assert_eq!(
            with(Exposure {
                oxidative_damage: 0.15,
                ..d
            }),
            0.0
        );
        assert_eq!(
            with(Exposure {
                transport_efficiency: 0.95,
                ..d
            }),
            0.0
        );
        let ox = with(Exposure {
            oxidative_damage: 2.2,
            ..d
        });
        assert!(
            (ox - 2.0 * p.oxidative_damage_per_day as f32).abs() < 1e-6,
            "{ox}"
        );
        let starve = with(Exposure {
            transport_efficiency: 0.45,
            ..d
        });
        assert!(
            (starve - 0.5 * p.starvation_damage_per_day as f32).abs() < 1e-6,
            "{starve}"
        );
        let p_den = NeuronDamageParams {
            denervation_damage_per_day: 0.04,
            ..p.clone()
        };
        // Only retraction past the denervation threshold (one half) counts.
        let partial = Exposure {
            terminal_integrity: 0.6,
            ..d
        };
        assert_eq!(
            damage_input(&p_den, 1.0, &partial),
            damage_input(&p_den, 1.0, &d)
        );
        let retracted = Exposure {
            terminal_integrity: 0.125,
            ..d
        };
        let den = damage_input(&p_den, 1.0, &retracted) - damage_input(&p_den, 1.0, &d);
        assert!((den - 0.75 * 0.04).abs() < 1e-6, "{den}");
        assert_eq!(with(retracted), 0.0, "off by default");
        let exc = with(Exposure {
            astrocyte_support: 0.3,
            ..d
        });
        assert!((exc - 0.7 * p.excitotoxic_damage_per_day as f32).abs() < 1e-6);
        let tnf = with(Exposure {
            tnf_ng_per_ml: 1.0,
            ..d
        });
        assert!((tnf - 0.5 * p.tnf_damage_per_day as f32).abs() < 1e-6);
        let astro = with(Exposure {
            reactive_astrocytes: 4.0,
            ..d
        });
        assert!((astro - 4.0 * p.astrocyte_damage_per_day as f32).abs() < 1e-6);
    }
}
