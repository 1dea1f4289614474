//! Axonal transport and the neuromuscular terminal it supplies. Each viable motor neuron has a
//! transport efficiency `E` in [0, 1] and a terminal integrity `H` in [0, 1]:
//!
//! ```text
//! E* = ρ·F/(1 + A/K_A)
//! dE/dt = k_E·(E* − E)                          per day
//! dH/dt = k_g·E·(1 − H) − f·k_r·(1 − E)·H       per day
//! ```
//!
//! with `ρ` the RNA-processing factor (`rna_processing`, lowered by TDP-43 and FUS genotypes),
//! `F` the mitochondrial function (1 with mitochondria off) and `A` the aggregate load (0 with
//! aggregation off), and `f` the retraction fold of the neuron's motor unit (above 1 for a
//! fast-fatigable unit, see `motor_units`; 1 otherwise). The terminal regrows while transport supplies it and retracts while it does
//! not: the axon dies back from its terminal, which is why denervation comes before the soma is
//! lost (Fischer et al. 2004; transport deficits come earlier still, Bilsland et al. 2010).
//!
//! **Integration.** `E` with `E*` frozen at the start of the tick, exactly:
//! `E₁ = E* + (E₀ − E*)·e^{−k_E·Δt}`. Then `H` with `E` frozen at its mean `Ē` over the tick
//! (from that exact solution): `dH/dt = k_g·Ē − (k_g·Ē + k_r·(1 − Ē))·H`, solved exactly, so
//! `H` moves towards `H* = k_g·Ē/(k_g·Ē + f·k_r·(1 − Ē))` without overshoot at any step size. Both
//! stay in [0, 1].
//!
//! **Denervation.** A terminal with integrity below [`DENERVATED_BELOW`] (one half) has
//! retracted from its muscle fibres: [`Transport::is_denervated`]. At steady state that happens
//! once `E < f·k_r/(k_g + f·k_r)`.
//!
//! Dying neurons stop (their state is frozen); a dead neuron has no transport and no terminal
//! (`E = H = 0`).

use super::aggregation::Aggregates;
use super::genetics::GeneFactors;
use super::mitochondria::{self, Mitochondria, MitochondriaConfig};
use super::motor_units::{MotorUnit, MotorUnitConfig, retraction_fold};
use super::{modulate, relax};
use crate::RestoreError;
use crate::guard::{self, Fault, fraction};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, variable};
use crate::{Clock, LifeState, MotorNeuron, SimSet};
use alsim_scenario::mechanisms::TransportParams;
use bevy_ecs::prelude::*;
use rayon::prelude::*;

/// Terminal integrity below which the terminal has retracted (the neuron's muscle fibres are
/// denervated). A definition, not a parameter: 1/2 is the midpoint between intact and gone.
pub const DENERVATED_BELOW: f32 = 0.5;

/// The mechanism.
pub struct AxonalTransport;

impl Mechanism for AxonalTransport {
    fn name(&self) -> &'static str {
        "transport"
    }

    /// every motor neuron starts at the steady state of a neuron free of
    /// aggregate with healthy mitochondria ([`mitochondria::healthy`], or full function with
    /// mitochondria off) and its motor unit's retraction fold (mitochondria and motor units come
    /// before it in `mechanisms::ALL`).
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let config = TransportConfig(setup.scenario.mechanisms.transport.clone().expect("on"));
        let params = &config.in_force(world.get_resource::<GeneFactors>());
        let function = world
            .get_resource::<MitochondriaConfig>()
            .map_or(1.0, |c| mitochondria::healthy(&c.0).function as f64);
        let target = target_efficiency(params, function, 0.0);
        let units = world.get_resource::<MotorUnitConfig>().cloned();
        let starts: Vec<_> = world
            .query_filtered::<(Entity, Option<&MotorUnit>), With<MotorNeuron>>()
            .iter(world)
            .map(|(e, unit)| {
                let fold = retraction_fold(units.as_ref(), unit);
                (e, steady_state(params, target, fold))
            })
            .collect();
        for (entity, start) in starts {
            world.entity_mut(entity).insert(start);
        }
        world.insert_resource(config);
        schedule.add_systems(update_transport.in_set(SimSet::Transport));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.transport.is_some()
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<Transport>("transport")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        guard::cells(world, "Transport", |t: &Transport| {
            [
                fraction("efficiency", t.efficiency.into(), SUSPECTS),
                fraction("terminal", t.terminal.into(), SUSPECTS),
            ]
        })
    }

    fn columns(&self) -> &'static [Column] {
        &[Column {
            name: "mn_transport_efficiency_mean",
            section: Section::NeuronState,
        }]
    }

    fn observe(&self, world: &mut World, living: &LivingNeurons, out: &mut Vec<f64>) {
        out.push(living.mean(world, |t: &Transport| t.efficiency));
    }

    fn cell_variables(&self) -> &'static [&'static str] {
        &["transport_efficiency"]
    }

    fn snapshot(&self, world: &World, cell: Entity, out: &mut Vec<f32>) {
        out.push(variable(world, cell, |t: &Transport| t.efficiency));
    }
}

/// The parameters most likely at fault when the state leaves its range.
const SUSPECTS: &str =
    "mechanisms.transport (relaxation_per_day, regrowth_per_day, retraction_per_day)";

/// Axonal transport of a motor neuron and the state of its neuromuscular terminal.
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transport {
    /// Transport efficiency, 1 normal, 0 stopped.
    pub efficiency: f32,
    /// Integrity of the neuromuscular terminal, 1 intact, 0 retracted.
    pub terminal: f32,
}

impl Transport {
    /// Whether the terminal has retracted from its muscle fibres: integrity below
    /// [`DENERVATED_BELOW`]. True for a dead neuron.
    pub fn is_denervated(&self) -> bool {
        self.terminal < DENERVATED_BELOW
    }
}

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct TransportConfig(pub TransportParams);

impl TransportConfig {
    /// The parameters in force this tick: the genotype's fold on RNA processing.
    pub fn in_force(&self, genes: Option<&GeneFactors>) -> TransportParams {
        modulate(genes, &self.0, |g: &GeneFactors, p| {
            p.rna_processing *= g.rna_processing
        })
    }
}

fn function_of(mito: Option<&Mitochondria>) -> f64 {
    mito.map_or(1.0, |m| m.function as f64)
}

fn load_of(aggregates: Option<&Aggregates>) -> f64 {
    aggregates.map_or(0.0, |a| a.load as f64)
}

/// Target efficiency `E* = ρ·F/(1 + A/K_A)` at mitochondrial function `function` and aggregate
/// load `load` (a.u.).
pub(crate) fn target_efficiency(p: &TransportParams, function: f64, load: f64) -> f64 {
    p.rna_processing * function.clamp(0.0, 1.0) / (1.0 + load.max(0.0) / p.aggregate_half_load)
}

/// Steady terminal integrity `k_g·E/(k_g·E + f·k_r·(1 − E))` at constant efficiency `e` and
/// retraction fold `fold`; a terminal with neither regrowth nor retraction keeps what it has,
/// so 1 is returned then.
pub(crate) fn steady_terminal(p: &TransportParams, e: f64, fold: f64) -> f64 {
    let grow = p.regrowth_per_day * e;
    let total = grow + fold * p.retraction_per_day * (1.0 - e);
    if total > 0.0 { grow / total } else { 1.0 }
}

/// The steady state at a constant target efficiency and retraction fold `fold`.
pub(crate) fn steady_state(p: &TransportParams, target: f64, fold: f64) -> Transport {
    Transport {
        efficiency: target as f32,
        terminal: steady_terminal(p, target, fold) as f32,
    }
}

/// Advances `t` by `dt_days` towards the target efficiency `target`, the terminal retracting
/// `fold` times faster than the base rate.
pub fn step(p: &TransportParams, t: Transport, target: f64, dt_days: f64, fold: f64) -> Transport {
    let k = p.relaxation_per_day;
    let e = relax(t.efficiency as f64, k * target, k, dt_days);
    let mean = e.mean.clamp(0.0, 1.0);
    let grow = p.regrowth_per_day * mean;
    let h = relax(
        t.terminal as f64,
        grow,
        grow + fold * p.retraction_per_day * (1.0 - mean),
        dt_days,
    );
    Transport {
        efficiency: e.end.clamp(0.0, 1.0) as f32,
        terminal: h.end.clamp(0.0, 1.0) as f32,
    }
}

/// What `update_transport` reads and writes of each motor neuron.
type NeuronQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static LifeState,
        Option<&'static Mitochondria>,
        Option<&'static Aggregates>,
        Option<&'static MotorUnit>,
        &'static mut Transport,
    ),
    With<MotorNeuron>,
>;

fn update_transport(
    config: Res<TransportConfig>,
    genes: Option<Res<GeneFactors>>,
    units: Option<Res<MotorUnitConfig>>,
    clock: Res<Clock>,
    mut cells: NeuronQuery,
) {
    let p = &config.in_force(genes.as_deref());
    let units = units.as_deref();
    let dt_days = clock.step_hours() / 24.0;
    let mut items: Vec<_> = cells.iter_mut().collect();
    items
        .par_iter_mut()
        .for_each(|(life, mito, aggregates, unit, transport)| match **life {
            LifeState::Dead => {
                **transport = Transport {
                    efficiency: 0.0,
                    terminal: 0.0,
                };
            }
            l if l.is_viable() => {
                let target = target_efficiency(p, function_of(*mito), load_of(*aggregates));
                let fold = retraction_fold(units, *unit);
                **transport = step(p, **transport, target, dt_days, fold);
            }
            _ => {}
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mechanisms::aggregation;
    use alsim_scenario::mechanisms::{AggregationParams, MitochondriaParams};

    fn params() -> TransportParams {
        TransportParams::default()
    }

    /// Hourly steps for `days` at a constant target; the day the terminal first counts as
    /// denervated, if it does.
    fn run(p: &TransportParams, t: Transport, target: f64, days: u32) -> (Transport, Option<f64>) {
        let mut t = t;
        let mut denervated = None;
        for hour in 0..days * 24 {
            t = step(p, t, target, 1.0 / 24.0, 1.0);
            if t.is_denervated() && denervated.is_none() {
                denervated = Some((hour + 1) as f64 / 24.0);
            }
        }
        (t, denervated)
    }

    #[test]
    fn efficiency_falls_with_aggregates_mitochondrial_failure_and_rna_processing() {
        let p = params();
        assert_eq!(target_efficiency(&p, 1.0, 0.0), 1.0);
        assert!((target_efficiency(&p, 1.0, 1.0) - 0.5).abs() < 1e-12);
        assert!((target_efficiency(&p, 0.5, 0.0) - 0.5).abs() < 1e-12);
        assert!((target_efficiency(&p, 0.5, 3.0) - 0.125).abs() < 1e-12);
        let tdp43 = TransportParams {
            rna_processing: 0.7,
            ..params()
        };
        assert!((target_efficiency(&tdp43, 1.0, 0.0) - 0.7).abs() < 1e-12);
        // Efficiency follows its target exactly: e^{−1} of the gap left after a day.
        let (t, _) = run(&p, steady_state(&p, 1.0, 1.0), 0.5, 1);
        let exact = 0.5 + 0.5 * (-1.0f64).exp();
        assert!(
            (t.efficiency as f64 - exact).abs() < 1e-6,
            "{t:?} vs {exact}"
        );
    }

    #[test]
    fn low_efficiency_retracts_the_terminal_to_its_exact_steady_state() {
        let p = params();
        let start = steady_state(&p, 0.97, 1.0);
        assert!(!start.is_denervated() && start.terminal > 0.9, "{start:?}");
        // Below k_r/(k_g + k_r) = 2/3 the terminal retracts past one half; above, it holds.
        let (mild, when_mild) = run(&p, start, 0.75, 365);
        assert!(!mild.is_denervated() && when_mild.is_none(), "{mild:?}");
        let (severe, when) = run(&p, start, 0.4, 365);
        assert!(severe.is_denervated(), "{severe:?}");
        let exact = 0.05 * 0.4 / (0.05 * 0.4 + 0.1 * 0.6);
        assert!(
            (severe.terminal as f64 - exact).abs() < 1e-5,
            "{severe:?} vs {exact}"
        );
        // It takes a couple of weeks, not a tick.
        let when = when.unwrap();
        assert!(when > 7.0 && when < 30.0, "{when}");
        // One 24 h step and 24 hourly steps land close together, neither overshooting.
        let day = step(&p, start, 0.4, 1.0, 1.0);
        let hourly = (0..24).fold(start, |t, _| step(&p, t, 0.4, 1.0 / 24.0, 1.0));
        assert!(
            (day.terminal - hourly.terminal).abs() < 1e-3,
            "{day:?} {hourly:?}"
        );
        assert!(day.terminal < start.terminal && day.terminal as f64 > exact);
    }

    #[test]
    fn the_terminal_regrows_when_efficiency_returns() {
        let p = params();
        let (retracted, _) = run(&p, steady_state(&p, 0.97, 1.0), 0.1, 120);
        assert!(
            retracted.is_denervated() && retracted.terminal < 0.1,
            "{retracted:?}"
        );
        let (recovered, _) = run(&p, retracted, 0.97, 365);
        assert!(!recovered.is_denervated(), "{recovered:?}");
        assert!((recovered.terminal as f64 - steady_terminal(&p, 0.97, 1.0)).abs() < 1e-4);
    }

    #[test]
    fn a_fast_fatigable_terminal_retracts_at_a_milder_shortfall() {
        // Fold 2 moves the denervation threshold from k_r/(k_g + k_r) = 2/3 up to
        // 2·k_r/(k_g + 2·k_r) = 0.8: at efficiency 0.75 only the fast-fatigable terminal goes.
        let p = params();
        let hold = |fold: f64| {
            let mut t = steady_state(&p, 0.97, fold);
            for _ in 0..365 * 24 {
                t = step(&p, t, 0.75, 1.0 / 24.0, fold);
            }
            t
        };
        let (resistant, fast) = (hold(1.0), hold(2.0));
        assert!(!resistant.is_denervated(), "{resistant:?}");
        assert!(fast.is_denervated(), "{fast:?}");
        let exact = steady_terminal(&p, 0.75, 2.0);
        assert!((exact - 0.0375 / (0.0375 + 0.05)).abs() < 1e-12);
        assert!((fast.terminal as f64 - exact).abs() < 1e-5, "{fast:?}");
        // Healthy, both start innervated; the fast one a little less fully.
        let (r0, f0) = (steady_state(&p, 0.97, 1.0), steady_state(&p, 0.97, 2.0));
        assert!(!f0.is_denervated() && f0.terminal < r0.terminal);
    }

    #[test]
    fn a_dead_neuron_counts_as_denervated() {
        let dead = Transport {
            efficiency: 0.0,
            terminal: 0.0,
        };
        assert!(dead.is_denervated());
        assert!(
            !Transport {
                efficiency: 1.0,
                terminal: 0.5
            }
            .is_denervated()
        );
    }

    /// The three cell-state mechanisms chained as in a tick, with SOD1-like inputs: production
    /// of misfolded protein above the proteostatic threshold.
    #[test]
    fn sod1_like_inputs_give_transport_deficit_then_denervation_before_mitochondrial_failure() {
        let agg = AggregationParams {
            misfolding_per_day: 0.03,
            ..AggregationParams::default()
        };
        let mp = MitochondriaParams::default();
        let tp = params();
        let mut load = 0.0;
        let mut mito = mitochondria::healthy(&mp);
        let mut t = steady_state(&tp, target_efficiency(&tp, mito.function as f64, 0.0), 1.0);
        let healthy_efficiency = t.efficiency;
        let (mut deficit, mut denervated, mut failed) = (None, None, None);
        for hour in 1..=365 * 24 {
            load = aggregation::step(&agg, load, 0.0, 1.0 / 24.0).load;
            mito = mitochondria::step(&mp, mito, load, 0.0, 1.0).state;
            let target = target_efficiency(&tp, mito.function as f64, load);
            t = step(&tp, t, target, 1.0 / 24.0, 1.0);
            let day = hour as f64 / 24.0;
            if deficit.is_none() && t.efficiency < 0.8 * healthy_efficiency {
                deficit = Some(day);
            }
            if denervated.is_none() && t.is_denervated() {
                denervated = Some(day);
            }
            if failed.is_none() && mito.function < 0.5 {
                failed = Some(day);
            }
        }
        let (deficit, denervated, failed) =
            (deficit.unwrap(), denervated.unwrap(), failed.unwrap());
        assert!(
            deficit < denervated && denervated < failed,
            "{deficit} {denervated} {failed}"
        );
        // Denervation weeks after the deficit; mitochondrial failure months later.
        assert!(denervated - deficit > 14.0, "{deficit} {denervated}");
        assert!(failed - denervated > 60.0, "{denervated} {failed}");
        // Sporadic-like defaults: none of it within ten years.
        let mut load = 0.0;
        let mut mito = mitochondria::healthy(&mp);
        let mut t = steady_state(&tp, target_efficiency(&tp, mito.function as f64, 0.0), 1.0);
        for _ in 0..3650 {
            load = aggregation::step(&AggregationParams::default(), load, 0.0, 1.0).load;
            mito = mitochondria::step(&mp, mito, load, 0.0, 24.0).state;
            t = step(
                &tp,
                t,
                target_efficiency(&tp, mito.function as f64, load),
                1.0,
                1.0,
            );
        }
        assert!(
            !t.is_denervated() && t.efficiency > 0.9 * healthy_efficiency,
            "{t:?}"
        );
    }
}
