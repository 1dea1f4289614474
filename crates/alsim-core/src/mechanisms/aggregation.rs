//! Protein aggregation in motor neurons and its prion-like spread. Each viable motor neuron
//! carries an aggregate load `A` (a.u.; 1 a.u. is the load at which proteostasis is half
//! saturated) that follows, per day,
//!
//! ```text
//! dA/dt = P + u + k_t·A·(1 − A/A_max) − C·A/(A + K) − r·A
//! ```
//!
//! `P` production of misfolded protein: `misfolding_per_day` times the neuron's vulnerability
//! from `neuron_damage` (larger neurons make more) and times `1 + m_ox·O` with `O` its oxidative
//! damage from `mitochondria` (oxidised protein misfolds; each factor is 1 when its mechanism is
//! off). `u` uptake of extracellular
//! seeds, `k_t` templated growth (`templating_per_day`) limited by crowding at `A_max`
//! (`max_load`), `C` and `K` the capacity and half-saturation of proteostatic clearance, `r` the
//! release of seeds (`seed_release_per_day`). Clearance saturates, so each unit of load is
//! cleared more slowly as the load grows (aggregates impair proteostasis): below a threshold the
//! load settles at a low steady state, above it templating wins and the load grows to near
//! `A_max`.
//!
//! **Uptake.** A neuron clears `V_up` µm³ of its voxel per hour (`seed_uptake_um3_per_hour`),
//! written to the `seeds` clearance slot of its `Exchange`: the field advance applies it as a
//! first-order sink `V_up/V` per hour (`V` the voxel volume) through every sub-step, so it keeps
//! taking what diffuses in during a long tick. What it took (`Exchange::absorbed`, `U` a.u.) is
//! added to the load over the next tick as `u = U/Δt`. Under adaptive stepping it is added at
//! the rate it was taken: over a step shorter than the one it was taken over, the step's share,
//! the rest waiting for the next (`Aggregates::uptake_pending`), so seeds are neither lost nor
//! created when the step length changes.
//!
//! **Integration.** Over a tick of `Δt` days the source and the loss rate are frozen at the
//! load `A₀` at the start of the tick,
//!
//! ```text
//! S = P + u + k_t·A₀,    L = C/(A₀ + K) + r + k_t·A₀/A_max,    dA/dt = S − L·A,
//! ```
//!
//! and that linear equation is solved exactly: `A₁ = A₀·e^{−LΔt} + (S/L)(1 − e^{−LΔt})`.
//! The load stays non-negative and between `A₀` and `S/L` for any step, the fixed points are
//! exactly those of the full equation, and templated growth is at worst underestimated over a
//! long step (it enters at the start-of-tick load), never unstable.
//!
//! **Release.** The seeds released over the tick are `r·∫A dt` of the frozen solution, exactly
//! what the loss term `r·A` took from the load; they are written to the `seeds` secretion slot
//! as that amount divided by `Δt` hours. Load, uptake and release balance exactly: only
//! clearance destroys aggregate and only `P` and templating make it.
//!
//! Dying and dead neurons stop: their load is frozen (the burst at death is `cell_death`'s) and
//! their seeds slots are zero.

use super::ageing::AgeingFactor;
use super::genetics::GeneFactors;
use super::mitochondria::Mitochondria;
use super::neuron_damage::Vulnerability;
use super::{give, modulate, relax};
use crate::guard::{self, Fault, amount};
use crate::mechanism::{
    Column, LivingNeurons, Mechanism, Persist, Section, Setup, StepLimit, variable,
};
use crate::{Clock, Exchange, FieldId, LifeState, MotorNeuron, RestoreError, SimSet};
use alsim_scenario::mechanisms::AggregationParams;
use bevy_ecs::prelude::*;
use bevy_ecs::system::RunSystemOnce;
use rayon::prelude::*;

/// The mechanism.
pub struct Aggregation;

impl Mechanism for Aggregation {
    fn name(&self) -> &'static str {
        "aggregation"
    }
    /// Every motor neuron starts free of aggregate.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup.scenario.mechanisms.aggregation.clone().expect("on");
        give::<MotorNeuron, _>(world, Aggregates::default());
        world.insert_resource(AggregationConfig(params));
        schedule.add_systems(update_aggregates.in_set(SimSet::Proteostasis));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.aggregation.is_some()
    }

    fn step_limit(&self, world: &mut World, limit: &StepLimit) -> u64 {
        world
            .run_system_once_with(load_step_limit, *limit)
            .expect("the mechanism's resources are in the world")
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<Aggregates>("aggregates")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        guard::cells(world, "Aggregates", |a: &Aggregates| {
            [
                amount("load", a.load, SUSPECTS),
                amount("uptake_pending", a.uptake_pending, SUSPECTS),
            ]
        })
    }

    fn columns(&self) -> &'static [Column] {
        &[Column {
            name: "mn_aggregate_load_mean",
            section: Section::NeuronState,
        }]
    }

    fn observe(&self, world: &mut World, living: &LivingNeurons, out: &mut Vec<f64>) {
        out.push(living.mean(world, |a: &Aggregates| a.load));
    }

    fn cell_variables(&self) -> &'static [&'static str] {
        &["aggregate_load"]
    }

    fn snapshot(&self, world: &World, cell: Entity, out: &mut Vec<f32>) {
        out.push(variable(world, cell, |a: &Aggregates| a.load));
    }
}

/// The parameters most likely at fault when a load leaves its range.
const SUSPECTS: &str =
    "mechanisms.aggregation (misfolding_per_day, templating_per_day, clearance_capacity_per_day)";

/// Intracellular misfolded protein of a cell, in aggregate units (a.u.).
#[derive(
    Component, Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize,
)]
pub struct Aggregates {
    /// Aggregate load, a.u.
    pub load: f32,
    /// Seeds taken up but not yet added to the load, a.u.: a step shorter than the one they
    /// were taken over adds its share of them and leaves the rest to the next.
    pub uptake_pending: f32,
    /// Rate at which those seeds were taken up, a.u. per tick.
    pub uptake_per_tick: f32,
}

/// The mechanism's parameters, as the scenario and genotype set them (never rewritten).
#[derive(Resource, Clone, Debug)]
pub struct AggregationConfig(pub AggregationParams);

impl AggregationConfig {
    /// The parameters in force this tick: the genotype's folds on misfolding, templating and
    /// clearance, then ageing's on clearance (each factor 1 when absent).
    pub fn in_force(
        &self,
        genes: Option<&GeneFactors>,
        ageing: Option<&AgeingFactor>,
    ) -> AggregationParams {
        let mut p = modulate(genes, &self.0, |g: &GeneFactors, p| {
            p.misfolding_per_day *= g.misfolding;
            p.templating_per_day *= g.templating;
            p.clearance_capacity_per_day *= g.clearance;
        });
        if let Some(a) = ageing {
            p.clearance_capacity_per_day *= a.clearance;
        }
        p
    }
}

/// Misfolded-protein production of a neuron of vulnerability `size` carrying oxidative damage
/// `oxidised`: `P·v·(1 + m_ox·O)`, a.u. per day.
pub(crate) fn production(p: &AggregationParams, size: f64, oxidised: f64) -> f64 {
    p.misfolding_per_day * size * (1.0 + p.oxidative_misfolding * oxidised.max(0.0))
}

/// Rate of change of the load (a.u. per day) at load `a` with seed uptake `u` a.u. per day:
/// the right-hand side of the module's equation.
pub(crate) fn load_rate(p: &AggregationParams, a: f64, u: f64) -> f64 {
    p.misfolding_per_day + u + p.templating_per_day * a * (1.0 - a / p.max_load)
        - p.clearance_capacity_per_day * a / (a + p.clearance_half_load)
        - p.seed_release_per_day * a
}

/// One tick of the load.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadStep {
    /// Load at the end of the tick, a.u.
    pub load: f64,
    /// Seeds released into the voxel over the tick, a.u.
    pub released: f64,
}

/// Advances a load `a0` by `dt_days` with `uptake` a.u. of seeds taken up over the step, the
/// equation's coefficients taken at the load `at`.
fn step_at(p: &AggregationParams, a0: f64, at: f64, uptake: f64, dt_days: f64) -> LoadStep {
    let u = if dt_days > 0.0 { uptake / dt_days } else { 0.0 };
    let kt = p.templating_per_day;
    let source = p.misfolding_per_day + u + kt * at;
    let loss = p.clearance_capacity_per_day / (at + p.clearance_half_load)
        + p.seed_release_per_day
        + kt * at / p.max_load;
    let r = relax(a0, source, loss, dt_days);
    LoadStep {
        load: r.end.max(0.0),
        released: p.seed_release_per_day * r.mean * dt_days,
    }
}

/// Advances a load `a0` by `dt_days` with `uptake` a.u. of seeds taken up over the step: exact
/// for the coefficients at the start of the step.
pub fn step(p: &AggregationParams, a0: f64, uptake: f64, dt_days: f64) -> LoadStep {
    let a0 = a0.max(0.0);
    step_at(p, a0, a0, uptake, dt_days)
}

/// [`step`] with the coefficients taken at the load half way through the step (predicted by a
/// half step): second order, for steps of several ticks, over which coefficients frozen at the
/// start would slow a growing load (and delay onset; docs/model.md, "Adaptive stepping").
pub fn step_midpoint(p: &AggregationParams, a0: f64, uptake: f64, dt_days: f64) -> LoadStep {
    let a0 = a0.max(0.0);
    let half = step_at(p, a0, a0, uptake / 2.0, dt_days / 2.0).load;
    step_at(p, a0, half, uptake, dt_days)
}

/// What aggregation reads and writes on a motor neuron.
type NeuronProteins<'a> = (
    &'a LifeState,
    Option<&'a Vulnerability>,
    Option<&'a Mitochondria>,
    &'a mut Aggregates,
    &'a mut Exchange,
);

/// Adaptive stepping: each viable neuron's load may move by `tolerance` of the larger of the
/// load and the clearance half-load, at its present rate (seed uptake as over the last step).
fn load_step_limit(
    In(limit): In<StepLimit>,
    config: Res<AggregationConfig>,
    genes: Option<Res<GeneFactors>>,
    ageing: Option<Res<AgeingFactor>>,
    clock: Res<Clock>,
    cells: Query<NeuronProteins, With<MotorNeuron>>,
) -> u64 {
    let p = &config.in_force(genes.as_deref(), ageing.as_deref());
    let last_step_days = clock.step_hours() / 24.0;
    let slot = FieldId::Seeds as usize;
    cells
        .iter()
        .filter(|(life, ..)| life.is_viable())
        .map(|(_, vulnerability, mitochondria, aggregates, exchange)| {
            let size = vulnerability.map_or(1.0, |v| f64::from(v.0));
            let oxidised = mitochondria.map_or(0.0, |m| f64::from(m.oxidative_damage));
            let p = &AggregationParams {
                misfolding_per_day: production(p, size, oxidised),
                ..p.clone()
            };
            let a = f64::from(aggregates.load);
            let uptake_per_day = f64::from(exchange.absorbed[slot]) / last_step_days;
            let rate = load_rate(p, a, uptake_per_day);
            limit.ticks_for_rate(rate / a.max(p.clearance_half_load))
        })
        .fold(u64::MAX, u64::min)
}

fn update_aggregates(
    config: Res<AggregationConfig>,
    genes: Option<Res<GeneFactors>>,
    ageing: Option<Res<AgeingFactor>>,
    clock: Res<Clock>,
    mut cells: Query<NeuronProteins, With<MotorNeuron>>,
) {
    let p = &config.in_force(genes.as_deref(), ageing.as_deref());
    let dt_hours = clock.step_hours();
    let (span, last_span) = (clock.span as f64, clock.last_span as f64);
    let multi_tick = clock.span > 1;
    let slot = FieldId::Seeds as usize;
    let mut items: Vec<_> = cells.iter_mut().collect();
    items.par_iter_mut().for_each(
        |(life, vulnerability, mitochondria, aggregates, exchange)| {
            if !life.is_viable() {
                exchange.secretion_per_hour[slot] = 0.0;
                exchange.clearance_um3_per_hour[slot] = 0.0;
                return;
            }
            // What the neuron's clearance of its voxel took during the last field advance,
            // added to the load at the rate it was taken: the same rate over a step as long as
            // the last, all of it over a longer one, a share over a shorter one (the rest waits).
            // So a step length that changes neither loses seeds nor creates them.
            let absorbed = f64::from(exchange.absorbed[slot]);
            let pending = f64::from(aggregates.uptake_pending) + absorbed;
            let per_tick = if absorbed > 0.0 {
                absorbed / last_span
            } else {
                f64::from(aggregates.uptake_per_tick)
            };
            let uptake = pending.min(per_tick * span);
            aggregates.uptake_pending = (pending - uptake) as f32;
            aggregates.uptake_per_tick = per_tick as f32;
            // Larger, more vulnerable neurons make more of the protein that misfolds, and
            // oxidised protein misfolds more (last tick's damage: mitochondria runs later).
            let size = vulnerability.map_or(1.0, |v| f64::from(v.0));
            let oxidised = mitochondria.map_or(0.0, |m| f64::from(m.oxidative_damage));
            let p = &AggregationParams {
                misfolding_per_day: production(p, size, oxidised),
                ..p.clone()
            };
            let next = if multi_tick {
                step_midpoint(p, aggregates.load as f64, uptake, dt_hours / 24.0)
            } else {
                step(p, aggregates.load as f64, uptake, dt_hours / 24.0)
            };
            aggregates.load = next.load as f32;
            exchange.secretion_per_hour[slot] = (next.released / dt_hours) as f32;
            exchange.clearance_um3_per_hour[slot] = p.seed_uptake_um3_per_hour as f32;
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> AggregationParams {
        AggregationParams::default()
    }

    /// Runs `days` of hourly steps from `a0` with constant seed uptake per day.
    fn run(p: &AggregationParams, a0: f64, uptake_per_day: f64, days: u32) -> f64 {
        let dt = 1.0 / 24.0;
        (0..days * 24).fold(a0, |a, _| step(p, a, uptake_per_day * dt, dt).load)
    }

    /// The roots of `load_rate = 0` in `[0, A_max]`, by bisection on a fine scan.
    fn roots(p: &AggregationParams) -> Vec<f64> {
        let f = |a| load_rate(p, a, 0.0);
        let grid: Vec<f64> = (0..=200_000).map(|i| i as f64 * p.max_load / 2e5).collect();
        let mut found = Vec::new();
        for w in grid.windows(2) {
            let (mut lo, mut hi) = (w[0], w[1]);
            if f(lo).signum() == f(hi).signum() {
                continue;
            }
            for _ in 0..100 {
                let mid = 0.5 * (lo + hi);
                if f(mid).signum() == f(lo).signum() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            found.push(0.5 * (lo + hi));
        }
        found
    }

    #[test]
    fn below_the_threshold_the_load_settles_at_the_low_steady_state() {
        let p = params();
        let r = roots(&p);
        assert_eq!(r.len(), 3, "low stable, threshold, high stable: {r:?}");
        // Ten years from zero, hourly: the load sits on the low root, about P/(C/K − k_t + r).
        let a = run(&p, 0.0, 0.0, 3650);
        assert!((a - r[0]).abs() < 1e-6 * r[0].max(1.0), "{a} vs {:?}", r);
        assert!(r[0] < 0.01, "{r:?}");
        // Just below the threshold it falls back; just above it grows to the high root.
        assert!(run(&p, 0.95 * r[1], 0.0, 365) < 0.1);
        let high = run(&p, 1.05 * r[1], 0.0, 3650);
        assert!((high - r[2]).abs() < 1e-3 * r[2], "{high} vs {r:?}");
    }

    #[test]
    fn production_above_capacity_leaves_no_low_steady_state() {
        // A familial-like production rate: the low root and the threshold merge and vanish.
        let p = AggregationParams {
            misfolding_per_day: 0.03,
            ..params()
        };
        let r = roots(&p);
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0] > 50.0, "{r:?}");
        let a = run(&p, 0.0, 0.0, 365);
        assert!((a - r[0]).abs() < 1e-3 * r[0], "{a} vs {r:?}");
        // An antisense cut of production by a half restores the low steady state.
        let treated = AggregationParams {
            misfolding_per_day: 0.015,
            ..p
        };
        assert!(run(&treated, 0.0, 0.0, 365) < 0.5);
    }

    #[test]
    fn an_oxidative_pulse_leaves_a_near_threshold_neuron_past_the_threshold_for_good() {
        // Production 0.009 a.u./day is short of the runaway at ~0.022 (the fold where the
        // low root and the threshold merge); oxidative damage of 1 for half a year raises it
        // by m_ox = 2 to 0.027, and the load, once past the threshold, stays high after the
        // damage is repaired.
        let p = AggregationParams {
            misfolding_per_day: 0.009,
            ..params()
        };
        assert_eq!(roots(&p).len(), 3, "{:?}", roots(&p));
        assert!((production(&p, 1.0, 1.0) - 3.0 * 0.009).abs() < 1e-12);
        assert_eq!(production(&p, 2.0, 0.0), 2.0 * 0.009);
        let calm = run(&p, 0.0, 0.0, 3650);
        let oxidised = AggregationParams {
            misfolding_per_day: production(&p, 1.0, 1.0),
            ..p.clone()
        };
        let after_pulse = run(&p, run(&oxidised, calm, 0.0, 180), 0.0, 3650);
        assert!(calm < roots(&p)[1], "{calm}");
        assert!(
            after_pulse > roots(&p)[1] && after_pulse > 50.0,
            "{after_pulse}"
        );
    }

    #[test]
    fn uptake_of_seeds_templates_growth_past_the_threshold() {
        let p = params();
        let threshold = roots(&p)[1];
        // Two weeks of uptake at 0.15 a.u./day (2.1 a.u. in all, part of it cleared) bring the
        // load above the threshold; templating then carries it on after uptake stops, far
        // beyond what was taken up.
        let dt = 1.0 / 24.0;
        let seeded =
            |p: &AggregationParams| (0..14 * 24).fold(0.0, |a, _| step(p, a, 0.15 * dt, dt).load);
        let a = seeded(&p);
        assert!(a > threshold && a < 2.1, "{a} vs threshold {threshold}");
        let later = run(&p, a, 0.0, 365);
        assert!(later > 50.0, "{later}");
        // Without templating the same uptake is cleared back to the low level.
        let no_template = AggregationParams {
            templating_per_day: 0.0,
            ..p
        };
        let b = seeded(&no_template);
        assert!(run(&no_template, b, 0.0, 365) < 0.01);
    }

    #[test]
    fn clearance_capacity_lowers_the_load() {
        let familial = AggregationParams {
            misfolding_per_day: 0.015,
            ..params()
        };
        let low_capacity = AggregationParams {
            clearance_capacity_per_day: 0.1,
            ..familial.clone()
        };
        let high_capacity = AggregationParams {
            clearance_capacity_per_day: 0.4,
            ..familial.clone()
        };
        let (lo, mid, hi) = (
            run(&low_capacity, 0.0, 0.0, 365),
            run(&familial, 0.0, 0.0, 365),
            run(&high_capacity, 0.0, 0.0, 365),
        );
        assert!(lo > mid && mid > hi, "{lo} {mid} {hi}");
        // Halving the capacity (an autophagy deficit) tips this neuron over the threshold.
        assert!(lo > 10.0 && mid < 1.0, "{lo} {mid}");
        // Without templating, release or crowding the low steady state is exact:
        // P = C·A/(A + K) gives A = P·K/(C − P).
        let pure = AggregationParams {
            templating_per_day: 0.0,
            seed_release_per_day: 0.0,
            ..familial
        };
        let exact = 0.015 / (0.2 - 0.015);
        let a = run(&pure, 0.0, 0.0, 3650);
        assert!((a - exact).abs() < 1e-9, "{a} vs {exact}");
    }

    #[test]
    fn load_uptake_and_release_balance_exactly() {
        // No production, templating or clearance: what is taken up is either still in the
        // neuron or released, at any step size.
        let p = AggregationParams {
            misfolding_per_day: 0.0,
            templating_per_day: 0.0,
            clearance_capacity_per_day: 0.0,
            seed_release_per_day: 0.3,
            ..params()
        };
        for dt_days in [1.0 / 24.0, 0.25, 1.0] {
            let s = step(&p, 2.0, 0.5, dt_days);
            assert!(
                (2.0 + 0.5 - s.load - s.released).abs() < 1e-12,
                "{dt_days}: {s:?}"
            );
        }
    }

    #[test]
    fn no_step_size_overshoots_or_goes_negative() {
        // From above and below the high steady state, one day-long step and 24 hourly ones land
        // on the same side and stay finite and non-negative.
        let p = AggregationParams {
            misfolding_per_day: 0.03,
            templating_per_day: 5.0,
            ..params()
        };
        let high = *roots(&p).last().unwrap();
        for a0 in [0.0, 0.5, 0.9 * high, 1.5 * high] {
            let day = step(&p, a0, 0.0, 1.0).load;
            let hourly = (0..24).fold(a0, |a, _| step(&p, a, 0.0, 1.0 / 24.0).load);
            assert!(day.is_finite() && day >= 0.0, "{a0}: {day}");
            assert!(
                (day - high).signum() == (a0 - high).signum() || (day - high).abs() < 1e-9,
                "{a0}: {day} crossed {high}"
            );
            assert_eq!((day > a0), (hourly > a0), "{a0}: {day} vs {hourly}");
        }
    }
}
