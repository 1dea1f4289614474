//! Neurofilament light chain (NfL), the biomarker of axonal loss: each motor axon holds NfL,
//! leaks a little of it while healthy, loses its distal share as the terminal retracts and all
//! of it when the neuron dies. Degenerating axon reaches the CSF over Wallerian degeneration,
//! the CSF drains into the blood, the blood clears it (equations in
//! `alsim_scenario::mechanisms::NeurofilamentParams` and docs/model.md).
//!
//! The pools are amounts in axon-equivalents (1 = one intact axon's NfL). They start at the
//! healthy steady state, and each step advances each pool in turn exactly for its decay and an
//! input spread evenly over the step (the previous pool's outflow), so the healthy steady state
//! holds at any step, what leaves one pool enters the next, and the books balance to rounding:
//! `initial + released by axons = degenerating + in the fluid + cleared`. Concentrations are
//! read against the healthy steady state, so a body's regions combine as a mean weighted by
//! their neurons.

use super::transport::Transport;
use crate::guard::{self, Fault, amount, fraction};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup};
use crate::{Clock, LifeState, MotorNeuron, RestoreError, SimSet};
use alsim_scenario::mechanisms::NeurofilamentParams;
use bevy_ecs::prelude::*;

/// The mechanism.
pub struct Neurofilament;

/// NfL in a motor neuron's axon, axon-equivalents (1 intact, 0 once degenerated).
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AxonNfl(pub f32);

/// The NfL pools and their books, axon-equivalents.
#[derive(Resource, Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NflPools {
    /// Degenerating axon not yet in the fluid.
    pub degenerating: f64,
    /// In the CSF (and interstitial fluid).
    pub csf: f64,
    /// In the blood.
    pub blood: f64,
    /// Released by axons since the start: leaked into the CSF, or lost to degeneration.
    pub released: f64,
    /// Cleared from the blood since the start.
    pub cleared: f64,
    /// CSF and blood at the start: the healthy steady state.
    pub initial: f64,
    /// Healthy steady-state CSF and blood (all axons intact), for the concentrations.
    pub healthy_csf: f64,
    /// See `healthy_csf`.
    pub healthy_blood: f64,
}

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct NeurofilamentConfig(pub NeurofilamentParams);

const SUSPECTS: &str = "mechanisms.neurofilament (leak_per_day, wallerian_days, csf_clearance_per_day, blood_half_life_days)";

impl Mechanism for Neurofilament {
    fn name(&self) -> &'static str {
        "neurofilament"
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.neurofilament.is_some()
    }

    /// Every axon starts intact and the fluid at the healthy steady state of all of them.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let p = setup.scenario.mechanisms.neurofilament.clone().expect("on");
        super::give::<MotorNeuron, _>(world, AxonNfl(1.0));
        let neurons = world
            .query_filtered::<(), With<MotorNeuron>>()
            .iter(world)
            .count() as f64;
        let leak = p.leak_per_day * neurons;
        let (csf, blood) = (leak / p.csf_clearance_per_day, leak / blood_clearance(&p));
        world.insert_resource(NflPools {
            csf,
            blood,
            initial: csf + blood,
            healthy_csf: csf,
            healthy_blood: blood,
            ..NflPools::default()
        });
        world.insert_resource(NeurofilamentConfig(p));
        schedule.add_systems(release_and_clear.in_set(SimSet::Biomarkers));
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<AxonNfl>("axon_nfl")?;
        state.resource::<NflPools>("nfl_pools")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        let pools = world.resource::<NflPools>().clone();
        guard::resource(
            "nfl pools",
            "NflPools",
            [
                amount("degenerating", pools.degenerating, SUSPECTS),
                amount("csf", pools.csf, SUSPECTS),
                amount("blood", pools.blood, SUSPECTS),
            ],
        )
        .or_else(|| {
            guard::cells(world, "AxonNfl", |a: &AxonNfl| {
                [fraction("content", a.0.into(), SUSPECTS)]
            })
        })
    }

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    /// Off, there is nothing to measure: zeros.
    fn observe(&self, world: &mut World, _living: &LivingNeurons, out: &mut Vec<f64>) {
        let (Some(pools), Some(config)) = (
            world.get_resource::<NflPools>(),
            world.get_resource::<NeurofilamentConfig>(),
        ) else {
            out.extend([0.0; COLUMNS.len()]);
            return;
        };
        let (csf, blood) = levels(&config.0, pools);
        out.extend([
            csf,
            blood,
            pools.degenerating,
            pools.csf + pools.blood,
            pools.released,
            pools.cleared,
        ]);
    }
}

/// CSF and blood NfL, pg/mL: the healthy level, the motor axons' share scaled by their pool
/// over its healthy value.
fn levels(p: &NeurofilamentParams, pools: &NflPools) -> (f64, f64) {
    let level = |healthy_level: f64, pool: f64, healthy_pool: f64| {
        let motor = if healthy_pool > 0.0 {
            pool / healthy_pool
        } else {
            1.0
        };
        healthy_level * (1.0 - p.motor_share + p.motor_share * motor)
    };
    (
        level(p.healthy_csf_pg_per_ml, pools.csf, pools.healthy_csf),
        level(p.healthy_blood_pg_per_ml, pools.blood, pools.healthy_blood),
    )
}

/// Blood NfL now, pg/mL; `None` when the mechanism is off.
pub fn blood_level(world: &World) -> Option<f64> {
    let pools = world.get_resource::<NflPools>()?;
    let config = world.get_resource::<NeurofilamentConfig>()?;
    Some(levels(&config.0, pools).1)
}

/// The columns: concentrations (combined over a body's regions as means weighted by their
/// neurons, see `body::combine`), then amounts in axon-equivalents (summed).
const COLUMNS: [Column; 6] = [
    Column::new("nfl_csf_pg_per_ml", Section::Readout),
    Column::new("nfl_blood_pg_per_ml", Section::Readout),
    Column::new("nfl_degenerating", Section::Readout),
    Column::new("nfl_in_fluid", Section::Readout),
    Column::new("nfl_released", Section::Readout),
    Column::new("nfl_cleared", Section::Readout),
];

fn blood_clearance(p: &NeurofilamentParams) -> f64 {
    std::f64::consts::LN_2 / p.blood_half_life_days
}

/// An intact axon's NfL less the distal share lost with the terminal (`terminal` integrity
/// 1 intact, 0 retracted).
fn axon_content(p: &NeurofilamentParams, terminal: f32) -> f32 {
    1.0 - p.distal_share as f32 * (1.0 - terminal.clamp(0.0, 1.0))
}

/// Advances a pool decaying at `rate` per day over `dt_days`, fed `inflow` spread evenly
/// over the step, exactly for that input; returns what left it. A pool at the steady state of
/// a constant input stays there, whatever the step.
fn advance(pool: &mut f64, inflow: f64, rate: f64, dt_days: f64) -> f64 {
    let kept = (-rate * dt_days).exp();
    let after = *pool * kept + inflow / (rate * dt_days) * -(-rate * dt_days).exp_m1();
    let out = *pool + inflow - after;
    *pool = after;
    out
}

/// Axons lose NfL to degeneration (or regrow it), then the pools advance over the step.
fn release_and_clear(
    config: Res<NeurofilamentConfig>,
    clock: Res<Clock>,
    mut pools: ResMut<NflPools>,
    mut axons: Query<(&LifeState, Option<&Transport>, &mut AxonNfl), With<MotorNeuron>>,
) {
    let p = &config.0;
    let dt_days = clock.step_hours() / 24.0;
    let (mut lost, mut content) = (0.0f64, 0.0f64);
    // Sums over cells in any order are the same only up to rounding: collect and sort.
    let mut changes: Vec<(f32, f32)> = Vec::new();
    for (life, transport, mut axon) in &mut axons {
        let target = match life {
            LifeState::Dead => 0.0,
            _ => axon_content(p, transport.map_or(1.0, |t| t.terminal)),
        };
        // A regrowing terminal is supplied with new neurofilament: a gain releases nothing.
        changes.push((axon.0 - target, target));
        axon.0 = target;
    }
    changes.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    for (change, now) in changes {
        lost += f64::from(change.max(0.0));
        content += f64::from(now);
    }
    let pools = &mut *pools;
    pools.degenerating += lost;
    pools.released += lost;
    if dt_days <= 0.0 {
        return;
    }
    // Each pool's outflow over the step feeds the next, so what leaves one enters the next.
    let to_fluid = advance(
        &mut pools.degenerating,
        0.0,
        1.0 / p.wallerian_days,
        dt_days,
    );
    let leaked = p.leak_per_day * content * dt_days;
    pools.released += leaked;
    let to_blood = advance(
        &mut pools.csf,
        to_fluid + leaked,
        p.csf_clearance_per_day,
        dt_days,
    );
    pools.cleared += advance(&mut pools.blood, to_blood, blood_clearance(p), dt_days);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_distal_axon_goes_with_the_terminal() {
        let p = NeurofilamentParams::default();
        assert_eq!(axon_content(&p, 1.0), 1.0);
        assert_eq!(axon_content(&p, 0.0), 1.0 - p.distal_share as f32);
        assert!(axon_content(&p, 0.5) < 1.0 && axon_content(&p, 0.5) > axon_content(&p, 0.0));
    }

    #[test]
    fn a_pool_decays_exactly_and_holds_the_steady_state_of_its_input() {
        let mut pool = 2.0;
        let out = advance(&mut pool, 0.0, 1.0, 1.0);
        assert!((pool - 2.0 * (-1.0f64).exp()).abs() < 1e-15);
        assert!((out + pool - 2.0).abs() < 1e-15);
        // Input 0.5 per day at rate 0.25: steady at 2, over any step.
        for dt in [0.01, 1.0, 100.0] {
            let mut steady = 2.0;
            let out = advance(&mut steady, 0.5 * dt, 0.25, dt);
            assert!((steady - 2.0).abs() < 1e-12, "{dt}: {steady}");
            assert!((out - 0.5 * dt).abs() < 1e-12 * dt.max(1.0));
        }
    }
}
