//! Motor units and the clinical readout. Each motor neuron owns a motor unit: the muscle fibres
//! it innervates. A unit whose neuron is dead, dying or denervated (its terminal retracted)
//! leaves all its fibres orphaned; surviving units adopt orphans by collateral sprouting, each up
//! to `max_enlargement_fold` times its own starting size. So a muscle-force proxy, innervated
//! fibres over fibres at the start, stays near 1 until the survivors' room to grow runs out.
//!
//! Each tick, first every lost unit's fibres join the orphans `O`; then, with
//! `Sᵢ = c·ownᵢ − fibresᵢ` the spare capacity of surviving unit `i` (`c` the largest
//! enlargement, `k` the reinnervation rate, `l` the orphan loss rate) and `S = Σ Sᵢ`:
//!
//! ```text
//! adopted = min(O, S) · (1 − e^{−k Δt})        shared as adopted · Sᵢ / S
//! O ← O − adopted,  then  O ← O · e^{−l Δt}    (the rest atrophies)
//! force = innervated fibres / fibres at the start
//! ```
//!
//! Adoption leaves `O − S` unchanged, so whichever of the two is smaller decays exactly
//! exponentially at `k` (orphans while the survivors have room; spare capacity when they do
//! not): the update is the exact solution of `dO/dt = −k·min(O, S)` over the tick, so no step
//! size overshoots, grows a unit past its limit or creates fibres. Limiting by `S` as well as
//! `O` keeps a few survivors from swallowing a large pool within a day: each grows at most
//! `k·Sᵢ` per day. Atrophy follows adoption within the tick (exact when either rate is 0;
//! otherwise it favours adoption by a share of order `l·Δt`). The orphans are one pool for the whole muscle, not a
//! neighbourhood of the spinal cord: muscle fibres of different units intermingle in the
//! muscle, so where two motor neurons sit in the cord says nothing about whether one can adopt
//! the other's fibres. Units are processed in [`CellId`] order and nothing is random after the
//! start.
//!
//! **Unit types.** A share of the units (`fast_fatigable_share`) is fast-fatigable (FF): their
//! terminals retract `fast_fatigable_retraction_fold` times faster at the same transport
//! shortfall, and each holds `fast_fatigable_fibres_fold` times the fibres of another (FF
//! units are the largest) (the transport mechanism reads [`retraction_fold`]), so they denervate first and
//! the resistant units adopt their fibres, as in SOD1 mice (Frey et al. 2000; Pun et al. 2006).
//! Which units are FF is drawn once: each neuron gets a uniform draw from its own stream and the
//! lowest `round(share·n)` draws are FF, so the share is exact and independent of thread count.

use super::tdp43::{NuclearTdp43, Synapse, Tdp43Config};
use super::transport::Transport;
use crate::RestoreError;
use crate::guard::{self, Fault, amount, fraction};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup};
use crate::rng::{Purpose, stream};
use crate::{CellId, Clock, LifeState, MotorNeuron, RunSeed, SimSet};
use alsim_scenario::mechanisms::MotorUnitParams;
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Whether a motor neuron's terminal has retracted from the muscle, as the transport mechanism
/// defines it ([`Transport::is_denervated`]: integrity below
/// [`DENERVATED_BELOW`](super::transport::DENERVATED_BELOW)). A neuron without transport state
/// (the transport mechanism off) is innervated. The one place this mechanism decides
/// denervation.
pub fn is_denervated(transport: Option<&Transport>) -> bool {
    transport.is_some_and(Transport::is_denervated)
}

/// Physiological type of a motor unit, as far as it matters for dying back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UnitKind {
    /// Fast-fatigable: its terminal is the first to retract.
    FastFatigable,
    /// Fatigue-resistant or slow: its terminal holds on longer.
    Resistant,
}

/// A motor neuron's motor unit.
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MotorUnit {
    /// Fibres it innervated at the start.
    pub own: u32,
    /// Fibres it innervates now, its own and adopted; 0 while its neuron is lost.
    pub fibres: f64,
    /// Its type.
    pub kind: UnitKind,
}

impl MotorUnit {
    /// A resistant unit innervating exactly its own fibres.
    pub fn new(own: u32) -> Self {
        Self {
            own,
            fibres: f64::from(own),
            kind: UnitKind::Resistant,
        }
    }
}

/// How many times faster the terminal of `unit` retracts than a resistant unit's at the same
/// transport shortfall; 1 without motor units.
pub(crate) fn retraction_fold(config: Option<&MotorUnitConfig>, unit: Option<&MotorUnit>) -> f64 {
    match (config, unit) {
        (Some(c), Some(u)) if u.kind == UnitKind::FastFatigable => {
            c.0.fast_fatigable_retraction_fold
        }
        _ => 1.0,
    }
}

/// Where a motor unit stands this tick.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitStatus {
    /// Its neuron is viable and its terminal intact: it keeps its fibres and can adopt more.
    Innervating,
    /// Its neuron is alive but dying or denervated: the unit is lost while that lasts.
    Denervated,
    /// Its neuron is dead.
    Dead,
}

impl UnitStatus {
    /// The status of the unit of a neuron in `life` with transport state `transport`.
    pub fn of(life: LifeState, transport: Option<&Transport>) -> Self {
        match life {
            LifeState::Dead => UnitStatus::Dead,
            l if l.is_viable() && !is_denervated(transport) => UnitStatus::Innervating,
            _ => UnitStatus::Denervated,
        }
    }
}

/// The clinical readout of the muscle, updated once per tick (`SimSet::Readout`). Other systems
/// (therapies that start at onset) read it as `Res<Clinical>`; it exists only when the
/// `motor_units` mechanism runs.
#[derive(Resource, Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Clinical {
    /// Muscle-force proxy: innervated fibres over fibres at the start, in [0, 1] (1 when there
    /// were no fibres at the start).
    pub force: f64,
    /// Living motor neurons (dying included) whose unit is lost: terminal retracted or in
    /// apoptosis.
    pub denervated_units: u64,
    /// Units innervating the muscle (viable neuron, intact terminal).
    pub functional_units: u64,
    /// Fibres at the start, over all units.
    pub fibres_initial: f64,
    /// Fibres innervated now.
    pub fibres_innervated: f64,
    /// Orphaned fibres: denervated, waiting for a unit to adopt them.
    pub fibres_orphaned: f64,
    /// Fibres that atrophied while orphaned and no longer count.
    pub fibres_atrophied: f64,
    /// Mean enlargement of the functional units: their fibres over their own starting fibres
    /// (1 unenlarged; 0 when no unit is functional).
    pub enlargement: f64,
    /// Ticks completed when the force proxy first fell below the onset threshold (the tick count
    /// at the end of that tick, as `Simulation::tick` reports it); `None` before onset.
    pub onset_tick: Option<u64>,
}

impl Clinical {
    /// The readout of a muscle of `units` units holding `fibres` fibres in all, every unit
    /// innervating its own.
    pub fn intact(units: u64, fibres: f64) -> Self {
        Self {
            force: 1.0,
            denervated_units: 0,
            functional_units: units,
            fibres_initial: fibres,
            fibres_innervated: fibres,
            fibres_orphaned: 0.0,
            fibres_atrophied: 0.0,
            enlargement: if units > 0 { 1.0 } else { 0.0 },
            onset_tick: None,
        }
    }

    /// Share of the endplates still present (fibres not atrophied) that are denervated, in
    /// [0, 1]: the measure of Fischer et al. 2004.
    pub fn endplates_denervated_fraction(&self) -> f64 {
        let present = self.fibres_innervated + self.fibres_orphaned;
        if present > 0.0 {
            self.fibres_orphaned / present
        } else {
            0.0
        }
    }
}

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct MotorUnitConfig(pub MotorUnitParams);

/// The mechanism.
pub struct MotorUnits;

impl Mechanism for MotorUnits {
    fn name(&self) -> &'static str {
        "motor_units"
    }

    /// every motor neuron gets a unit of `fibres_per_unit` fibres, the
    /// share `fast_fatigable_share` of them fast-fatigable and `fast_fatigable_fibres_fold` times
    /// larger, and the muscle starts intact. Must run
    /// before the transport mechanism registers, which starts each terminal at its unit's steady
    /// state.
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup.scenario.mechanisms.motor_units.as_ref().expect("on");
        let seed = world.resource::<RunSeed>().0;
        let mut draws: Vec<(f64, CellId, Entity)> = world
            .query_filtered::<(Entity, &CellId), With<MotorNeuron>>()
            .iter(world)
            .map(|(e, id)| {
                let draw: f64 = stream(seed, *id, 0, Purpose::MotorUnitKind).random();
                (draw, *id, e)
            })
            .collect();
        draws.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let fast = (params.fast_fatigable_share * draws.len() as f64).round() as usize;
        let fast_fibres = (f64::from(params.fibres_per_unit) * params.fast_fatigable_fibres_fold)
            .round()
            .max(1.0) as u32;
        let mut fibres = 0.0;
        for (rank, (_, _, entity)) in draws.iter().enumerate() {
            let unit = if rank < fast {
                MotorUnit {
                    kind: UnitKind::FastFatigable,
                    ..MotorUnit::new(fast_fibres)
                }
            } else {
                MotorUnit::new(params.fibres_per_unit)
            };
            fibres += unit.fibres;
            world.entity_mut(*entity).insert(unit);
        }
        let units = draws.len() as u64;
        world.insert_resource(Clinical::intact(units, fibres));
        world.insert_resource(MotorUnitConfig(params.clone()));
        schedule.add_systems(update_motor_units.in_set(SimSet::Readout));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.motor_units.is_some()
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<MotorUnit>("units")?;
        state.resource::<Clinical>("clinical")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        let muscle = world.get_resource::<Clinical>().and_then(|c| {
            guard::resource(
                "the muscle",
                "Clinical",
                [
                    fraction("force", c.force, SUSPECTS),
                    amount("fibres_orphaned", c.fibres_orphaned, SUSPECTS),
                ],
            )
        });
        muscle.or_else(|| {
            guard::cells(world, "MotorUnit", |u: &MotorUnit| {
                [amount("fibres", u.fibres, SUSPECTS)]
            })
        })
    }

    fn columns(&self) -> &'static [Column] {
        const COLUMNS: &[Column] = &[
            Column::new("force_proxy", Section::Readout),
            Column::new("motor_units_denervated", Section::Readout),
            Column::new("endplates_denervated_fraction", Section::Readout),
            Column::new("motor_unit_enlargement", Section::Readout),
        ];
        COLUMNS
    }

    /// Off, the readout is not modelled: full force, nothing denervated, units at their own
    /// size.
    fn observe(&self, world: &mut World, _: &LivingNeurons, out: &mut Vec<f64>) {
        let clinical = world.get_resource::<Clinical>();
        out.extend([
            clinical.map_or(1.0, |c| c.force),
            clinical.map_or(0, |c| c.denervated_units) as f64,
            clinical.map_or(0.0, Clinical::endplates_denervated_fraction),
            clinical.map_or(1.0, |c| c.enlargement),
        ]);
    }
}

/// The parameters most likely at fault when the state leaves its range.
const SUSPECTS: &str =
    "mechanisms.motor_units (reinnervation_per_day, max_enlargement_fold, orphan_loss_per_day)";

/// Whether a force lies below `threshold` by more than rounding. With few units the force
/// moves in steps (ten units left of forty, each enlarged to its cap of four: 1.0; eight:
/// 0.8), and reinnervation approaches such a step from either side to within 1e-13, so a
/// strict comparison would date onset (threshold 0.8) by the last bits of a sum.
pub fn is_below(force: f64, threshold: f64) -> bool {
    force < threshold - FORCE_ROUNDING
}

/// What a force may be off by from rounding alone (sums of fibre counts over units).
const FORCE_ROUNDING: f64 = 1e-9;

/// How a step shares the orphaned fibres between reinnervation and atrophy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Split {
    /// Reinnervation over the step first, then atrophy of what is left: a tick's rule.
    Sequential,
    /// The fibres survivors can adopt go to reinnervation and atrophy as competing first-order
    /// losses, exactly; the rest only atrophy. For steps of several ticks, over which the
    /// sequential rule would give reinnervation the whole step first (18% too much at 8 days
    /// of 0.1 and 0.05 per day) and delay onset.
    Competing,
}

/// Advances the units and the orphan pool by `dt_days` and refreshes the readout. `units` must
/// be in [`CellId`] order (the sums depend on it), each with its status and what its neuron's
/// TDP-43 leaves of its sprouting and transmission; `tick_end` is the tick count at the end of
/// this step, recorded as the onset tick if the force first falls below the threshold now.
pub(crate) fn advance(
    p: &MotorUnitParams,
    dt_days: f64,
    tick_end: u64,
    units: &mut [(UnitStatus, Synapse, &mut MotorUnit)],
    clinical: &mut Clinical,
    split: Split,
) {
    // Lost units orphan all their fibres, own and adopted.
    let mut orphaned = clinical.fibres_orphaned;
    for (status, _, unit) in units.iter_mut() {
        if *status != UnitStatus::Innervating && unit.fibres > 0.0 {
            orphaned += unit.fibres;
            unit.fibres = 0.0;
        }
    }

    // Survivors adopt orphans in proportion to the room to grow they can sprout into.
    let fold = p.max_enlargement_fold;
    let limit = |unit: &MotorUnit| fold * f64::from(unit.own);
    let room = |synapse: &Synapse, unit: &MotorUnit| {
        (limit(unit) - unit.fibres).max(0.0) * synapse.sprouting
    };
    let spare: f64 = units
        .iter()
        .filter(|(status, ..)| *status == UnitStatus::Innervating)
        .map(|(_, synapse, unit)| room(synapse, unit))
        .sum();
    let (r, a) = (p.reinnervation_per_day, p.orphan_loss_per_day);
    let adoptable = orphaned.min(spare);
    let (adopted, atrophy_first) = match split {
        Split::Sequential => (adoptable * -(-r * dt_days).exp_m1(), None),
        Split::Competing if r + a > 0.0 => {
            let gone = -(-(r + a) * dt_days).exp_m1();
            let atrophied =
                adoptable * a / (r + a) * gone + (orphaned - adoptable) * -(-a * dt_days).exp_m1();
            (adoptable * r / (r + a) * gone, Some(atrophied))
        }
        Split::Competing => (0.0, Some(0.0)),
    };
    if adopted > 0.0 {
        let mut taken = 0.0;
        for (status, synapse, unit) in units.iter_mut() {
            let room = room(synapse, unit);
            if *status == UnitStatus::Innervating && room > 0.0 {
                let grown = (unit.fibres + adopted * (room / spare)).min(limit(unit));
                taken += grown - unit.fibres;
                unit.fibres = grown;
            }
        }
        orphaned = (orphaned - taken).max(0.0);
    }

    // Orphans left alone atrophy.
    let atrophied = atrophy_first.unwrap_or_else(|| orphaned * -(-a * dt_days).exp_m1());
    orphaned = (orphaned - atrophied).max(0.0);

    let (mut innervated, mut delivered, mut own, mut functional, mut denervated) =
        (0.0, 0.0, 0.0, 0, 0);
    for (status, synapse, unit) in units.iter() {
        match status {
            UnitStatus::Innervating => {
                innervated += unit.fibres;
                delivered += unit.fibres * synapse.transmission;
                own += f64::from(unit.own);
                functional += 1;
            }
            UnitStatus::Denervated => denervated += 1,
            UnitStatus::Dead => {}
        }
    }
    let c = clinical;
    c.fibres_orphaned = orphaned;
    c.fibres_atrophied += atrophied;
    c.fibres_innervated = innervated;
    c.functional_units = functional;
    c.denervated_units = denervated;
    c.enlargement = if own > 0.0 { innervated / own } else { 0.0 };
    c.force = if c.fibres_initial > 0.0 {
        (delivered / c.fibres_initial).min(1.0)
    } else {
        1.0
    };
    if c.onset_tick.is_none() && is_below(c.force, p.onset_force_threshold) {
        c.onset_tick = Some(tick_end);
    }
}

/// A motor neuron as its unit sees it.
type Unit = (
    &'static CellId,
    &'static LifeState,
    Option<&'static Transport>,
    Option<&'static NuclearTdp43>,
    &'static mut MotorUnit,
);

fn update_motor_units(
    config: Res<MotorUnitConfig>,
    clock: Res<Clock>,
    tdp43: Option<Res<Tdp43Config>>,
    mut clinical: ResMut<Clinical>,
    mut cells: Query<Unit, With<MotorNeuron>>,
) {
    let mut items: Vec<_> = cells.iter_mut().collect();
    items.sort_unstable_by_key(|(id, ..)| **id);
    let synapse = |nuclear: Option<&NuclearTdp43>| match (&tdp43, nuclear) {
        (Some(config), Some(n)) => config.synapse(*n),
        _ => Synapse::INTACT,
    };
    let mut units: Vec<(UnitStatus, Synapse, &mut MotorUnit)> = items
        .iter_mut()
        .map(|(_, life, transport, nuclear, unit)| {
            (
                UnitStatus::of(**life, *transport),
                synapse(*nuclear),
                &mut **unit,
            )
        })
        .collect();
    advance(
        &config.0,
        clock.step_hours() / 24.0,
        clock.tick + clock.span,
        &mut units,
        &mut clinical,
        if clock.span > 1 {
            Split::Competing
        } else {
            Split::Sequential
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: u32 = 100;
    const DT: f64 = 1.0 / 24.0;

    fn params(fold: f64, rate: f64, loss: f64) -> MotorUnitParams {
        MotorUnitParams {
            fibres_per_unit: OWN,
            max_enlargement_fold: fold,
            reinnervation_per_day: rate,
            orphan_loss_per_day: loss,
            onset_force_threshold: 0.8,
            ..MotorUnitParams::default()
        }
    }

    /// A muscle of `n` units of which the first `lost` are dead.
    struct Muscle {
        status: Vec<UnitStatus>,
        synapse: Synapse,
        units: Vec<MotorUnit>,
        clinical: Clinical,
        ticks: u64,
    }

    impl Muscle {
        fn new(n: usize, lost: usize) -> Self {
            let mut status = vec![UnitStatus::Innervating; n];
            status[..lost].fill(UnitStatus::Dead);
            Self {
                status,
                synapse: Synapse::INTACT,
                units: vec![MotorUnit::new(OWN); n],
                clinical: Clinical::intact(n as u64, n as f64 * f64::from(OWN)),
                ticks: 0,
            }
        }

        fn step(&mut self, p: &MotorUnitParams, ticks: u64) {
            for _ in 0..ticks {
                self.ticks += 1;
                let synapse = self.synapse;
                let mut units: Vec<_> = self
                    .status
                    .iter()
                    .zip(&mut self.units)
                    .map(|(&s, u)| (s, synapse, u))
                    .collect();
                advance(
                    p,
                    DT,
                    self.ticks,
                    &mut units,
                    &mut self.clinical,
                    Split::Sequential,
                );
                self.check(p);
            }
        }

        /// Invariants after every tick.
        fn check(&self, p: &MotorUnitParams) {
            let c = &self.clinical;
            let innervated: f64 = self.units.iter().map(|u| u.fibres).sum();
            let total = innervated + c.fibres_orphaned + c.fibres_atrophied;
            assert!(
                total <= c.fibres_initial * (1.0 + 1e-12),
                "fibres created: {total} > {}",
                c.fibres_initial
            );
            assert!(
                (total - c.fibres_initial).abs() < 1e-9 * c.fibres_initial,
                "fibres lost from the books: {total} vs {}",
                c.fibres_initial
            );
            for (status, u) in self.status.iter().zip(&self.units) {
                assert!(u.fibres >= 0.0);
                assert!(u.fibres <= p.max_enlargement_fold * f64::from(u.own));
                if *status != UnitStatus::Innervating {
                    assert_eq!(u.fibres, 0.0);
                }
            }
            assert!((0.0..=1.0).contains(&c.force));
        }
    }

    #[test]
    fn with_no_losses_nothing_changes() {
        let p = params(4.0, 0.1, 0.05);
        let mut m = Muscle::new(40, 0);
        let start = m.clinical.clone();
        m.step(&p, 24 * 30);
        assert_eq!(m.clinical, start);
        assert!(m.units.iter().all(|u| *u == MotorUnit::new(OWN)));
    }

    #[test]
    fn half_the_units_lost_force_recovers_as_the_orphans_decay_exponentially() {
        // Spare capacity 0.5·3 of the start exceeds the orphans (0.5), so the orphans decay at
        // exactly the reinnervation rate: force(t) = 1 − 0.5·e^{−kt}.
        let k = 0.1;
        let p = params(4.0, k, 0.0);
        let mut m = Muscle::new(40, 20);
        for day in 1..=60u32 {
            m.step(&p, 24);
            let exact = 1.0 - 0.5 * (-k * f64::from(day)).exp();
            assert!(
                (m.clinical.force - exact).abs() < 1e-9,
                "day {day}: {} vs {exact}",
                m.clinical.force
            );
        }
        // Equal survivors grow equally, toward twice their size.
        let survivor = m.units[39].fibres;
        assert!(m.units[20..].iter().all(|u| u.fibres == survivor));
        assert!((m.clinical.enlargement - survivor / 100.0).abs() < 1e-12);
        assert!((survivor - 200.0 * (1.0 - 0.5 * (-6.0f64).exp())).abs() < 1e-6);
        assert_eq!(m.clinical.functional_units, 20);
        assert_eq!(
            m.clinical.denervated_units, 0,
            "dead units are not denervated"
        );
    }

    #[test]
    fn lost_sprouting_slows_reinnervation_and_lost_transmission_costs_force() {
        // As below, with survivors able to sprout into half their room (STMN2): each tick
        // fills half the share of the spare capacity, so after n ticks the force from
        // innervated fibres is 0.8 − 0.6·(1 − (1 − e^{−k·dt})/2)ⁿ (about 0.8 − 0.6·e^{−kt/2});
        // and transmission at 0.9 (UNC13A) delivers 0.9 of it.
        let k = 0.1;
        let p = params(4.0, k, 0.0);
        let mut m = Muscle::new(50, 40);
        m.synapse = Synapse {
            sprouting: 0.5,
            transmission: 0.9,
        };
        m.step(&p, 24 * 10);
        let per_tick = 1.0 - 0.5 * -(-k * DT).exp_m1();
        let innervated = 0.8 - 0.6 * per_tick.powi(24 * 10);
        assert!(
            (m.clinical.force - 0.9 * innervated).abs() < 1e-9,
            "{} vs {}",
            m.clinical.force,
            0.9 * innervated
        );
        assert!((m.clinical.enlargement - innervated / 0.2).abs() < 1e-9);
    }

    #[test]
    fn with_most_units_lost_force_saturates_at_the_survivors_limit() {
        // 80% lost, fold 4: the survivors can reach 0.2·4 = 0.8 of the start. Spare capacity
        // (0.6) is the smaller, so it fills at the reinnervation rate: 0.8 − 0.6·e^{−kt}.
        let k = 0.1;
        let p = params(4.0, k, 0.0);
        let mut m = Muscle::new(50, 40);
        m.step(&p, 24 * 10);
        let exact = 0.8 - 0.6 * (-1.0f64).exp();
        assert!(
            (m.clinical.force - exact).abs() < 1e-9,
            "{}",
            m.clinical.force
        );
        m.step(&p, 24 * 300);
        assert!(
            (m.clinical.force - 0.8).abs() < 1e-9,
            "{}",
            m.clinical.force
        );
        assert!(m.clinical.force <= 0.8);
        assert!(
            (m.clinical.fibres_orphaned - 0.2 * m.clinical.fibres_initial).abs() < 1e-6,
            "the rest stays orphaned"
        );
        assert!((m.clinical.endplates_denervated_fraction() - 0.2).abs() < 1e-9);
    }

    #[test]
    fn onset_is_recorded_on_the_first_tick_below_threshold_and_kept() {
        // 30 of 100 units die at once: the force drops to 0.7 that tick, then recovers above
        // 0.8 as survivors adopt the orphans; onset stays on that first tick.
        let p = params(4.0, 0.1, 0.0);
        let mut m = Muscle::new(100, 0);
        m.step(&p, 5);
        assert_eq!(m.clinical.onset_tick, None);
        m.status[..30].fill(UnitStatus::Dead);
        m.step(&p, 1);
        assert!(m.clinical.force < 0.8);
        assert_eq!(m.clinical.onset_tick, Some(6));
        m.step(&p, 24 * 40);
        assert!(m.clinical.force > 0.95, "{}", m.clinical.force);
        assert_eq!(m.clinical.onset_tick, Some(6));
    }

    #[test]
    fn force_just_at_threshold_is_not_onset() {
        let p = params(1.0, 0.0, 0.0);
        let mut m = Muscle::new(10, 2);
        m.step(&p, 1);
        assert_eq!(m.clinical.force, 0.8);
        assert_eq!(m.clinical.onset_tick, None);
    }

    #[test]
    fn without_reinnervation_force_is_the_surviving_share() {
        let p = params(1.0, 0.1, 0.0);
        let mut m = Muscle::new(40, 10);
        m.step(&p, 24 * 100);
        assert_eq!(m.clinical.force, 0.75);
        assert_eq!(m.clinical.enlargement, 1.0);
    }

    #[test]
    fn a_denervated_unit_loses_its_fibres_and_regrows_only_from_orphans() {
        let p = params(4.0, 0.1, 0.0);
        let mut m = Muscle::new(4, 0);
        m.status[0] = UnitStatus::Denervated;
        m.step(&p, 1);
        assert_eq!(m.units[0].fibres, 0.0);
        assert_eq!(m.clinical.denervated_units, 1);
        assert_eq!(m.clinical.functional_units, 3);
        m.step(&p, 24 * 200);
        // The three others took nearly everything; the returning unit shares what is left.
        let left = m.clinical.fibres_orphaned;
        assert!(left < 1e-3, "{left}");
        m.status[0] = UnitStatus::Innervating;
        m.step(&p, 24 * 200);
        assert!(m.units[0].fibres <= left + 1e-12);
        assert!((m.clinical.force - 1.0).abs() < 1e-6);
    }

    #[test]
    fn orphans_atrophy_at_the_loss_rate() {
        // No room to grow: the orphans (a quarter) only atrophy, e^{−l t}.
        let l = 0.05;
        let p = params(1.0, 0.1, l);
        let mut m = Muscle::new(8, 2);
        m.step(&p, 24 * 20);
        let exact = 0.25 * m.clinical.fibres_initial * (-l * 20.0f64).exp();
        assert!((m.clinical.fibres_orphaned - exact).abs() < 1e-9 * exact);
        assert_eq!(m.clinical.force, 0.75);
        // Endplates still present: 6 units' fibres plus the orphans left.
        let present = 600.0 + exact;
        let expected = exact / present;
        assert!((m.clinical.endplates_denervated_fraction() - expected).abs() < 1e-9);
    }

    #[test]
    fn atrophy_competes_with_reinnervation() {
        // Plenty of room: orphans leave at k + l, the adopted share is what reinnervation took.
        let p = params(4.0, 0.1, 0.1);
        let mut m = Muscle::new(40, 20);
        m.step(&p, 24 * 200);
        let c = &m.clinical;
        assert!(c.fibres_orphaned < 1e-6 * c.fibres_initial);
        // Half the orphans reinnervated, half atrophied (to first order in the step).
        assert!((c.force - 0.75).abs() < 2e-3, "{}", c.force);
    }

    #[test]
    fn one_competing_step_shares_orphans_as_many_small_steps_do() {
        // 100 orphans, room for all: over 8 days at reinnervation 0.1 and atrophy 0.05 per
        // day the exact shares are r/(r+a) and a/(r+a) of 1 − e^{−(r+a)·8}. One step with the
        // competing split gives them; hourly sequential steps come within 0.2%; one sequential
        // step of 8 days gives reinnervation 18% too much.
        let p = params(3.0, 0.1, 0.05);
        let run = |steps: u32, dt: f64, split: Split| {
            let mut units = [MotorUnit::new(OWN), MotorUnit::new(OWN)];
            let mut clinical = Clinical::intact(2, 2.0 * f64::from(OWN));
            clinical.fibres_orphaned = 100.0;
            clinical.fibres_initial = 2.0 * f64::from(OWN) + 100.0;
            for i in 0..steps {
                let mut list: Vec<_> = units
                    .iter_mut()
                    .map(|u| (UnitStatus::Innervating, Synapse::INTACT, u))
                    .collect();
                advance(&p, dt, u64::from(i) + 1, &mut list, &mut clinical, split);
            }
            units.iter().map(|u| u.fibres).sum::<f64>() - 2.0 * f64::from(OWN)
        };
        let gone = -(-0.15f64 * 8.0).exp_m1();
        let exact = 100.0 * 0.1 / 0.15 * gone;
        let competing = run(1, 8.0, Split::Competing);
        assert!((competing - exact).abs() < 1e-9, "{competing} vs {exact}");
        let hourly = run(8 * 24, 1.0 / 24.0, Split::Sequential);
        assert!((hourly - exact).abs() < 2e-3 * exact, "{hourly} vs {exact}");
        let sequential = run(1, 8.0, Split::Sequential);
        assert!(sequential > 1.15 * exact, "{sequential} vs {exact}");
    }

    #[test]
    fn a_force_at_a_threshold_up_to_rounding_is_not_below_it() {
        // Eight units of forty at their cap reach 0.8 from below within the last bits.
        assert!(!is_below(0.799_999_999_999_695_7, 0.8));
        assert!(!is_below(0.8, 0.8));
        assert!(is_below(0.799, 0.8));
    }

    #[test]
    fn unequal_spare_capacity_is_shared_in_proportion() {
        let p = params(3.0, 0.1, 0.0);
        let mut units = [
            MotorUnit::new(OWN),
            MotorUnit {
                own: OWN,
                fibres: 250.0,
                kind: UnitKind::Resistant,
            },
            MotorUnit::new(OWN),
        ];
        let mut clinical = Clinical::intact(3, 3.0 * f64::from(OWN));
        clinical.fibres_orphaned = 0.0;
        clinical.fibres_initial = 450.0;
        let status = [
            UnitStatus::Dead,
            UnitStatus::Innervating,
            UnitStatus::Innervating,
        ];
        let mut list: Vec<_> = status
            .iter()
            .zip(&mut units)
            .map(|(&s, u)| (s, Synapse::INTACT, u))
            .collect();
        advance(&p, 1.0, 1, &mut list, &mut clinical, Split::Sequential);
        // Orphans 100, spare 50 + 200: adopted 100·(1 − e^{−0.1}) split 1 : 4.
        let adopted = 100.0 * -(-0.1f64).exp_m1();
        assert!((units[1].fibres - (250.0 + adopted / 5.0)).abs() < 1e-9);
        assert!((units[2].fibres - (100.0 + adopted * 4.0 / 5.0)).abs() < 1e-9);
    }

    #[test]
    fn status_follows_life_and_terminal() {
        let intact = Transport {
            efficiency: 1.0,
            terminal: 1.0,
        };
        let retracted = Transport {
            efficiency: 0.2,
            terminal: 0.1,
        };
        use UnitStatus::*;
        assert_eq!(UnitStatus::of(LifeState::Healthy, None), Innervating);
        assert_eq!(
            UnitStatus::of(LifeState::Stressed, Some(&intact)),
            Innervating
        );
        assert_eq!(
            UnitStatus::of(LifeState::Healthy, Some(&retracted)),
            Denervated
        );
        let dying = LifeState::Dying { since_tick: 3 };
        assert_eq!(UnitStatus::of(dying, Some(&intact)), Denervated);
        assert_eq!(UnitStatus::of(LifeState::Dead, Some(&intact)), Dead);
    }
}
