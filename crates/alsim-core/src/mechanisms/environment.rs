//! Environment: the scenario's events. A toxin exposure is a source of extracellular ROS in its
//! region for its time window (pesticides, heavy metals and BMAA are reported to raise sporadic
//! risk through oxidative stress; Oskarsson et al. 2015). A trauma is an acute injury at one
//! tick: motor neurons in its sphere take damage, and the injured volume receives debris and a
//! burst of TNF, the inflammatory response that follows injury.

use super::neuron_damage::Damage;
use super::tick_of;
use crate::RestoreError;
use crate::mechanism::{Mechanism, Persist, Setup, StepLimit};
use crate::{Clock, FieldGrid, FieldId, MotorNeuron, Position, SimSet};
use alsim_scenario::Event;
use bevy_ecs::prelude::*;

/// A toxin exposure resolved to ticks and voxels.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Toxin {
    start_tick: u64,
    end_tick: u64,
    voxels: Vec<u32>,
    /// ROS per voxel, fmol per hour.
    ros_per_voxel: f32,
}

/// A trauma resolved to a tick and voxels.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Trauma {
    tick: u64,
    centre: [f32; 3],
    radius: f32,
    damage: f32,
    voxels: Vec<u32>,
    debris: f32,
    tnf_fg: f32,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Injection {
    tick: u64,
    voxels: Vec<u32>,
    seeds_au: f32,
}

/// The scenario's events, resolved once at registration.
#[derive(Resource, Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Environment {
    toxins: Vec<Toxin>,
    traumas: Vec<Trauma>,
    injections: Vec<Injection>,
    /// Whether any toxin contributed sources last tick (so a window's end clears them once).
    toxin_active: bool,
}

/// The mechanism.
pub struct Exposures;

impl Mechanism for Exposures {
    fn name(&self) -> &'static str {
        "events"
    }

    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let scenario = setup.scenario;
        let grid = world.resource::<FieldGrid>();
        let dt = scenario.time.dt_hours;
        let voxel_mm3 = grid.voxel_um3() * 1e-9;
        let mut env = Environment {
            toxins: Vec::new(),
            traumas: Vec::new(),
            injections: Vec::new(),
            toxin_active: false,
        };
        for event in &scenario.events {
            match event {
                Event::Toxin {
                    start_day,
                    end_day,
                    region,
                    ros_fmol_per_hour_per_mm3,
                } => {
                    let (lo, hi) = region.bounds(&scenario.tissue);
                    env.toxins.push(Toxin {
                        start_tick: tick_of(*start_day, dt),
                        end_tick: tick_of(*end_day, dt),
                        voxels: grid.voxels_in_box(lo, hi),
                        ros_per_voxel: (ros_fmol_per_hour_per_mm3 * voxel_mm3) as f32,
                    });
                }
                Event::Trauma {
                    day,
                    centre_um,
                    radius_um,
                    damage,
                    debris,
                    tnf_fg,
                } => {
                    let centre = [centre_um.0, centre_um.1, centre_um.2];
                    env.traumas.push(Trauma {
                        tick: tick_of(*day, dt),
                        centre: centre.map(|v| v as f32),
                        radius: *radius_um as f32,
                        damage: *damage as f32,
                        voxels: grid.voxels_in_sphere(centre, *radius_um),
                        debris: *debris as f32,
                        tnf_fg: *tnf_fg as f32,
                    });
                }
                Event::SeedInjection {
                    day,
                    centre_um,
                    radius_um,
                    seeds_au,
                } => {
                    let centre = [centre_um.0, centre_um.1, centre_um.2];
                    env.injections.push(Injection {
                        tick: tick_of(*day, dt),
                        voxels: grid.voxels_in_sphere(centre, *radius_um),
                        seeds_au: *seeds_au as f32,
                    });
                }
            }
        }
        world.insert_resource(env);
        schedule.add_systems(
            (expose_to_toxins, injure, inject_seeds)
                .chain()
                .in_set(SimSet::Sense),
        );
    }

    fn is_on(&self, setup: &Setup) -> bool {
        !setup.scenario.events.is_empty()
    }

    /// A step ends where the next event begins (or a toxin window ends).
    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        let env = world.resource::<Environment>();
        let toxins = env.toxins.iter().flat_map(|t| [t.start_tick, t.end_tick]);
        let traumas = env.traumas.iter().map(|t| t.tick);
        let injections = env.injections.iter().map(|i| i.tick);
        toxins
            .chain(traumas)
            .chain(injections)
            .map(|tick| limit.ticks_until(tick))
            .fold(u64::MAX, u64::min)
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.resource::<Environment>("environment")
    }
}

fn expose_to_toxins(mut env: ResMut<Environment>, clock: Res<Clock>, mut grid: ResMut<FieldGrid>) {
    let tick = clock.tick;
    let active: Vec<&Toxin> = env
        .toxins
        .iter()
        .filter(|t| (t.start_tick..t.end_tick).contains(&tick))
        .collect();
    if active.is_empty() && !env.toxin_active {
        return;
    }
    let sources: Vec<(u32, f32)> = active
        .iter()
        .flat_map(|t| t.voxels.iter().map(|&v| (v, t.ros_per_voxel)))
        .collect();
    let now_active = !sources.is_empty();
    grid.set_background(FieldId::Ros, sources);
    env.toxin_active = now_active;
}

fn injure(
    env: Res<Environment>,
    clock: Res<Clock>,
    mut grid: ResMut<FieldGrid>,
    mut neurons: Query<(&Position, Option<&mut Damage>), With<MotorNeuron>>,
) {
    for trauma in env.traumas.iter().filter(|t| t.tick == clock.tick) {
        // Each neuron's damage depends only on its own position: visiting order cannot matter.
        for (position, damage) in &mut neurons {
            let d2: f32 = (0..3)
                .map(|i| (position.0[i] - trauma.centre[i]).powi(2))
                .sum();
            if let Some(mut damage) = damage.filter(|_| d2 <= trauma.radius * trauma.radius) {
                damage.0 += trauma.damage;
            }
        }
        let share = 1.0 / trauma.voxels.len() as f32;
        for &voxel in &trauma.voxels {
            grid.deposit(FieldId::Debris, voxel, trauma.debris * share);
            grid.deposit(FieldId::Tnf, voxel, trauma.tnf_fg * share);
        }
    }
}

fn inject_seeds(env: Res<Environment>, clock: Res<Clock>, mut grid: ResMut<FieldGrid>) {
    for injection in env.injections.iter().filter(|i| i.tick == clock.tick) {
        let share = injection.seeds_au / injection.voxels.len() as f32;
        for &voxel in &injection.voxels {
            grid.deposit(FieldId::Seeds, voxel, share);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Simulation;
    use alsim_scenario::{Region, Scenario};

    fn scenario(events: Vec<Event>) -> Scenario {
        let mut s = Scenario::default();
        s.time.duration_days = 3.0;
        s.fields.ros.decay_per_hour = 0.0;
        s.mechanisms.mitochondria = None;
        s.mechanisms.microglia = None;
        s.events = events;
        s
    }

    fn run(s: &Scenario) -> Simulation {
        let mut sim = Simulation::new(s).unwrap();
        while !sim.is_finished() {
            sim.step();
        }
        sim
    }

    #[test]
    fn toxin_adds_exactly_its_ros_over_its_window_only() {
        let toxin = Event::Toxin {
            start_day: 1.0,
            end_day: 2.0,
            region: Region::Whole,
            ros_fmol_per_hour_per_mm3: 100.0,
        };
        let s = scenario(vec![toxin]);
        let mut sim = run(&s);
        // 100 fmol/h/mm³ over 24 h in the whole box, no decay: all of it is still there.
        let expected = 100.0 * 24.0 * s.tissue.volume_mm3();
        let total = sim.observe().fields[FieldId::Ros as usize].total;
        assert!(
            ((total - expected) / expected).abs() < 1e-4,
            "{total} vs {expected}"
        );
    }

    fn injection(day: f64, centre_um: (f64, f64, f64)) -> Event {
        Event::SeedInjection {
            day,
            centre_um,
            radius_um: 60.0,
            seeds_au: 50.0,
        }
    }

    #[test]
    fn seed_injection_adds_exactly_its_seeds_on_its_day() {
        let mut s = scenario(vec![injection(1.0, (100.0, 100.0, 100.0))]);
        s.fields.seeds.decay_per_hour = 0.0;
        s.mechanisms.aggregation = None;
        let mut sim = Simulation::new(&s).unwrap();
        let seeds = |sim: &mut Simulation| sim.observe().fields[FieldId::Seeds as usize].total;
        for _ in 0..24 {
            sim.step();
        }
        assert_eq!(seeds(&mut sim), 0.0, "nothing before day 1");
        sim.step();
        // Zero-flux faces, no decay, no uptake: diffusion keeps every seed in the box.
        let total = seeds(&mut sim);
        assert!((total - 50.0).abs() < 50.0 * 1e-5, "{total}");
        for _ in 0..24 {
            sim.step();
        }
        assert!((seeds(&mut sim) - 50.0).abs() < 50.0 * 1e-5);
    }

    #[test]
    fn injected_seeds_load_the_neurons_near_the_site_first() {
        // Inject at one end of the block: two days later the neurons within 150 µm of the site
        // carry more aggregate on average than those beyond 250 µm.
        let centre = (50.0, 100.0, 100.0);
        let mut s = scenario(vec![injection(0.5, centre)]);
        s.time.duration_days = 3.0;
        let mut sim = run(&s);
        let (mut near, mut far) = (Vec::new(), Vec::new());
        let mut q = sim
            .world_mut()
            .query::<(&Position, &crate::mechanisms::aggregation::Aggregates)>();
        for (p, a) in q.iter(sim.world()) {
            let d = ((p.0[0] as f64 - centre.0).powi(2)
                + (p.0[1] as f64 - centre.1).powi(2)
                + (p.0[2] as f64 - centre.2).powi(2))
            .sqrt();
            if d < 150.0 {
                near.push(f64::from(a.load));
            } else if d > 250.0 {
                far.push(f64::from(a.load));
            }
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(!near.is_empty() && !far.is_empty());
        assert!(
            mean(&near) > 2.0 * mean(&far),
            "near {} far {}",
            mean(&near),
            mean(&far)
        );
    }

    #[test]
    fn trauma_damages_neurons_in_its_sphere_and_releases_debris_and_tnf() {
        let trauma = Event::Trauma {
            day: 1.0,
            centre_um: (200.0, 100.0, 100.0),
            radius_um: 80.0,
            damage: 0.7,
            debris: 3.0,
            tnf_fg: 1000.0,
        };
        let mut s = scenario(vec![trauma]);
        s.mechanisms.cell_death = None;
        s.fields.debris.decay_per_hour = 0.0;
        s.mechanisms
            .neuron_damage
            .as_mut()
            .unwrap()
            .intrinsic_damage_per_day = 0.0;
        s.mechanisms.neuron_damage.as_mut().unwrap().repair_per_day = 0.0;
        let mut sim = Simulation::new(&s).unwrap();
        for _ in 0..25 {
            sim.step();
        }
        let world = sim.world_mut();
        let mut q = world.query_filtered::<(&Position, &Damage), With<MotorNeuron>>();
        let (mut inside, mut outside) = (0, 0);
        for (p, d) in q.iter(world) {
            let r =
                ((p.0[0] - 200.0).powi(2) + (p.0[1] - 100.0).powi(2) + (p.0[2] - 100.0).powi(2))
                    .sqrt();
            if r <= 80.0 {
                assert!(d.0 >= 0.7 - 1e-6, "inside at {r} µm: {}", d.0);
                inside += 1;
            } else {
                outside += 1;
            }
        }
        assert!(
            inside > 0 && outside > 0,
            "{inside} inside, {outside} outside"
        );
        let debris = sim.observe().fields[FieldId::Debris as usize].total;
        assert!((debris - 3.0).abs() < 1e-3, "{debris}");
    }
}
