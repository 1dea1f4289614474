//! TDP-43 nuclear loss of function: each motor neuron's nuclear TDP-43 `N` is drawn into its
//! cytoplasmic TDP-43 aggregate and restored, `dN/dt = k_r·(1 − N) − k_s·N·A/(A + K)`, solved
//! exactly over each step with the load held (`alsim_scenario::mechanisms::Tdp43Params`).
//! Losing it lets cryptic exons into STMN2 and UNC13A: motor units read [`Tdp43Config::synapse`]
//! to scale the neuron's collateral sprouting and its synaptic transmission.
//!
//! Which genotypes' aggregates are TDP-43 is the pathology's: sporadic ALS, C9orf72 and TARDBP
//! (about 97% of ALS has TDP-43 inclusions; Neumann et al. 2006), not SOD1 (Mackenzie et al.
//! 2007) or FUS ALS (Vance et al. 2009), whose neurons keep their nuclear TDP-43 here.

use super::aggregation::Aggregates;
use super::relax;
use crate::guard::{self, Fault, fraction};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, variable};
use crate::{Clock, LifeState, MotorNeuron, RestoreError, SimSet};
use alsim_scenario::Genotype;
use alsim_scenario::mechanisms::Tdp43Params;
use bevy_ecs::prelude::*;

/// The mechanism.
pub struct Tdp43;

/// Nuclear TDP-43 of a motor neuron, fraction of healthy (1).
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NuclearTdp43(pub f32);

/// The mechanism's parameters, and whether the genotype's aggregates are TDP-43.
#[derive(Resource, Clone, Debug)]
pub struct Tdp43Config {
    /// The scenario's parameters.
    pub params: Tdp43Params,
    /// Whether the tissue's inclusions are TDP-43 (see the module doc).
    pub tdp43_pathology: bool,
}

/// A motor unit's capacities as TDP-43 loss leaves them, 1 each when intact.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Synapse {
    /// Share of the unit's room to adopt orphaned fibres it can use (STMN2).
    pub sprouting: f64,
    /// Share of the unit's fibres' force its transmission delivers (UNC13A).
    pub transmission: f64,
}

impl Synapse {
    /// Intact: what a unit has without this mechanism.
    pub const INTACT: Synapse = Synapse {
        sprouting: 1.0,
        transmission: 1.0,
    };
}

impl Tdp43Config {
    /// What a neuron with nuclear TDP-43 `nuclear` keeps of its sprouting and transmission.
    pub fn synapse(&self, nuclear: NuclearTdp43) -> Synapse {
        let lost = 1.0 - f64::from(nuclear.0);
        Synapse {
            sprouting: 1.0 - self.params.sprouting_dependence * lost,
            transmission: 1.0 - self.params.transmission_dependence * lost,
        }
    }
}

/// Whether `genotype`'s inclusions are TDP-43.
pub fn has_tdp43_pathology(genotype: Genotype) -> bool {
    match genotype {
        Genotype::Sporadic | Genotype::C9orf72 | Genotype::Tardbp => true,
        Genotype::Sod1(_) | Genotype::Fus => false,
    }
}

/// The time-series columns.
const COLUMNS: [Column; 1] = [Column::new("mn_nuclear_tdp43_mean", Section::NeuronState)];

const SUSPECTS: &str = "mechanisms.tdp43 (sequestration_per_day, restoration_per_day, half_load)";

impl Mechanism for Tdp43 {
    fn name(&self) -> &'static str {
        "tdp43"
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.tdp43.is_some()
    }

    /// Every neuron starts with its nuclear TDP-43 intact.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup.scenario.mechanisms.tdp43.clone().expect("on");
        super::give::<MotorNeuron, _>(world, NuclearTdp43(1.0));
        world.insert_resource(Tdp43Config {
            params,
            tdp43_pathology: has_tdp43_pathology(setup.scenario.genotype),
        });
        schedule.add_systems(update_nuclear_tdp43.in_set(SimSet::Transport));
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<NuclearTdp43>("nuclear_tdp43")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        guard::cells(world, "NuclearTdp43", |n: &NuclearTdp43| {
            [fraction("", n.0.into(), SUSPECTS)]
        })
    }

    fn columns(&self) -> &'static [Column] {
        &COLUMNS
    }

    /// Off, every neuron keeps its nuclear TDP-43 (1).
    fn observe(&self, world: &mut World, living: &LivingNeurons, out: &mut Vec<f64>) {
        let on = world.get_resource::<Tdp43Config>().is_some();
        out.push(if on {
            living.mean(world, |n: &NuclearTdp43| n.0)
        } else {
            1.0
        });
    }

    fn cell_variables(&self) -> &'static [&'static str] {
        &["nuclear_tdp43"]
    }

    fn snapshot(&self, world: &World, cell: Entity, out: &mut Vec<f32>) {
        out.push(variable(world, cell, |n: &NuclearTdp43| n.0));
    }
}

/// `N` after `dt_days` at aggregate load `load` (TDP-43 inclusions or none): the exact
/// solution of the linear equation with the load held.
pub(crate) fn nuclear_after(p: &Tdp43Params, nuclear: f64, load: f64, dt_days: f64) -> f64 {
    let a = load.max(0.0);
    let drawn = p.sequestration_per_day * a / (a + p.half_load);
    relax(
        nuclear,
        p.restoration_per_day,
        p.restoration_per_day + drawn,
        dt_days,
    )
    .end
}

fn update_nuclear_tdp43(
    config: Res<Tdp43Config>,
    clock: Res<Clock>,
    mut cells: Query<(&LifeState, Option<&Aggregates>, &mut NuclearTdp43), With<MotorNeuron>>,
) {
    let dt_days = clock.step_hours() / 24.0;
    let p = &config.params;
    let pathology = config.tdp43_pathology;
    for (life, aggregates, mut nuclear) in &mut cells {
        if *life == LifeState::Dead {
            continue;
        }
        let load = match aggregates {
            Some(a) if pathology => f64::from(a.load),
            _ => 0.0,
        };
        let next = nuclear_after(p, nuclear.0.into(), load, dt_days) as f32;
        if next != nuclear.0 {
            nuclear.0 = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nuclear_tdp43_relaxes_to_its_steady_state_exactly_at_any_step() {
        let p = Tdp43Params::default();
        let load = 3.0;
        let drawn = p.sequestration_per_day * load / (load + p.half_load);
        let steady = p.restoration_per_day / (p.restoration_per_day + drawn);
        // 100 days in one step and in 2400 hourly steps.
        let one = nuclear_after(&p, 1.0, load, 100.0);
        let many = (0..2400).fold(1.0, |n, _| nuclear_after(&p, n, load, 1.0 / 24.0));
        let exact = steady + (1.0 - steady) * (-(p.restoration_per_day + drawn) * 100.0).exp();
        assert!((one - exact).abs() < 1e-12 && (many - exact).abs() < 1e-12);
        // Without aggregate it stays whole; with it, it never leaves [steady, 1].
        assert_eq!(nuclear_after(&p, 1.0, 0.0, 50.0), 1.0);
        assert!(one >= steady && one <= 1.0);
    }

    #[test]
    fn losing_nuclear_tdp43_costs_sprouting_and_transmission_in_proportion() {
        let config = Tdp43Config {
            params: Tdp43Params::default(),
            tdp43_pathology: true,
        };
        assert_eq!(config.synapse(NuclearTdp43(1.0)), Synapse::INTACT);
        let half = config.synapse(NuclearTdp43(0.5));
        let p = &config.params;
        assert!((half.sprouting - (1.0 - 0.5 * p.sprouting_dependence)).abs() < 1e-12);
        assert!((half.transmission - (1.0 - 0.5 * p.transmission_dependence)).abs() < 1e-12);
    }

    #[test]
    fn sod1_and_fus_inclusions_are_not_tdp43() {
        use alsim_scenario::Sod1Variant;
        assert!(has_tdp43_pathology(Genotype::Sporadic));
        assert!(has_tdp43_pathology(Genotype::C9orf72));
        assert!(has_tdp43_pathology(Genotype::Tardbp));
        assert!(!has_tdp43_pathology(Genotype::Sod1(Sod1Variant::A4V)));
        assert!(!has_tdp43_pathology(Genotype::Fus));
    }
}
