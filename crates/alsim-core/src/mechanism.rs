//! The unit of the model: a [`Mechanism`], in the spirit of a bevy `Plugin`. One file under
//! `mechanisms/` implements it and owns everything of that process: its components, resources
//! and systems ([`Mechanism::build`]), the per-cell state and resources a checkpoint keeps
//! ([`Mechanism::persist`]), the bounds the numerical guard holds its state to
//! ([`Mechanism::check`]), the columns it adds to the time series ([`Mechanism::observe`]) and
//! the per-cell variables it adds to snapshots ([`Mechanism::snapshot`]). [`crate::mechanisms::ALL`] lists them once; the simulation builds,
//! saves, checks and observes whatever the scenario switches on by walking that list.
//!
//! Mechanisms that change another's behaviour over time (genes, therapies, ageing) do so
//! through factors of their own ([`crate::mechanisms::genetics::GeneFactors`],
//! [`crate::mechanisms::interventions::TherapyFactors`],
//! [`crate::mechanisms::ageing::AgeingFactor`]) that the affected mechanism reads; no mechanism
//! rewrites another's parameters, so a checkpoint holds only state, never parameter sets.

use crate::guard::Fault;
use crate::saved_state::RestoreError;
use crate::{CellId, LifeState, MotorNeuron};
use alsim_scenario::Scenario;
use bevy_ecs::component::{ComponentId, Mutable};
use bevy_ecs::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a mechanism builds from.
pub struct Setup<'a> {
    /// The scenario as validated.
    pub scenario: &'a Scenario,
}

/// Where a mechanism's columns sit in the time series. Each section's columns come in
/// [`crate::mechanisms::ALL`] order; the core's own columns sit between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Counts of glia by state, after the motor neuron counts.
    Cells,
    /// The clinical readout, after the field summaries.
    Readout,
    /// Means of the living motor neurons' internal state, last.
    NeuronState,
}

/// One time-series column a mechanism adds.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// Name in `timeseries.csv` (an interface: scripts read it).
    pub name: &'static str,
    /// Where it sits.
    pub section: Section,
}

impl Column {
    /// A column named `name` in `section`.
    pub const fn new(name: &'static str, section: Section) -> Self {
        Self { name, section }
    }
}

/// Living motor neurons (dying included) in [`CellId`] order, shared by every mechanism's
/// observation so that means are summed in an order the ECS storage cannot change.
pub struct LivingNeurons(pub(crate) Vec<Entity>);

impl LivingNeurons {
    pub(crate) fn of(world: &mut World) -> Self {
        let mut q = world.query_filtered::<(Entity, &CellId, &LifeState), With<MotorNeuron>>();
        let mut living: Vec<(CellId, Entity)> = q
            .iter(world)
            .filter(|(_, _, life)| **life != LifeState::Dead)
            .map(|(e, id, _)| (*id, e))
            .collect();
        living.sort_unstable_by_key(|(id, _)| *id);
        Self(living.into_iter().map(|(_, e)| e).collect())
    }

    /// The mean over living neurons of `value` (0 for a neuron without the component, and 0
    /// when none is alive), summed in cell-id order.
    pub fn mean<C: Component>(&self, world: &World, value: impl Fn(&C) -> f32) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .0
            .iter()
            .map(|&e| world.get::<C>(e).map_or(0.0, |c| f64::from(value(c))))
            .fold(0.0, |sum, v| sum + v);
        sum / self.0.len() as f64
    }
}

/// A disease mechanism: one process of the model, switchable alone. See the module doc.
pub trait Mechanism: Sync {
    /// Its key under `mechanisms:` in a scenario (or the scenario section that switches it on);
    /// also its name in checkpoints and error messages.
    fn name(&self) -> &'static str;

    /// Whether the scenario switches it on.
    fn is_on(&self, setup: &Setup) -> bool;

    /// Registers its components, resources and systems (called only when on, in
    /// [`crate::mechanisms::ALL`] order, after the motor neurons are spawned and before the
    /// glia are).
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule);

    /// Saves or restores, through `state`, what a tick changes of this mechanism: its per-cell
    /// components and its evolving resources. Called with the same sequence in both
    /// directions. Parameters are not saved: they are the scenario's.
    fn persist(&self, _state: &mut Persist) -> Result<(), RestoreError> {
        Ok(())
    }

    /// Whether the state it builds from the scenario is its state at `tick` of a run, so a
    /// checkpoint saved with it off may continue a scenario that has it on: the therapy courses
    /// of a trial's arm, all starting after the randomisation day. Default: no.
    fn is_untouched_until(&self, _world: &World, _tick: u64) -> bool {
        false
    }

    /// The first value of its state that is not finite or lies outside its physical range:
    /// faults of its resources first, then the lowest cell id.
    fn check(&self, _world: &mut World) -> Option<Fault> {
        None
    }

    /// The time-series columns it adds, whether on or off (the table's shape does not depend
    /// on the scenario).
    fn columns(&self) -> &'static [Column] {
        &[]
    }

    /// Appends one value per column, in [`Mechanism::columns`] order; called whether it is on
    /// or off (off, it reports what the tissue looks like without the process).
    fn observe(&self, _world: &mut World, _living: &LivingNeurons, _out: &mut Vec<f64>) {}

    /// Brings what its systems and the step limits look up about the tissue (spatial summaries,
    /// factors of the clock) up to the tissue as it stands, before every step and before any
    /// step limit is asked: a run restored from a checkpoint then chooses the same steps as the
    /// run that went on. Default: nothing to bring up to date.
    fn prepare(&self, _world: &mut World) {}

    /// The longest step, in ticks, adaptive stepping may take from the world as it stands
    /// before this mechanism's state changes by more than `limit.tolerance` of its scale, or
    /// before its next scheduled event. `u64::MAX` when it sets no limit (the default: its
    /// state follows others' or is advanced exactly over any step).
    fn step_limit(&self, _world: &mut World, _limit: &StepLimit) -> u64 {
        u64::MAX
    }

    /// The per-cell variables it adds to snapshots (VTK point arrays), whether on or off.
    fn cell_variables(&self) -> &'static [&'static str] {
        &[]
    }

    /// Appends `cell`'s value of each of its [`Mechanism::cell_variables`], NaN where the cell
    /// has no such variable or the mechanism is off (a viewer then shows it as missing).
    fn snapshot(&self, _world: &World, _cell: Entity, _out: &mut Vec<f32>) {}
}

/// What [`Mechanism::step_limit`] measures a step against.
#[derive(Clone, Copy, Debug)]
pub struct StepLimit {
    /// Largest change of a state over one step, as a fraction of its scale.
    pub tolerance: f64,
    /// Length of a tick, hours.
    pub dt_hours: f64,
    /// Ticks completed.
    pub tick: u64,
}

impl StepLimit {
    /// Ticks over which a state changing at `rate` (per day, in units of its `scale`) changes
    /// by `tolerance`: at least 1, `u64::MAX` for a state at rest.
    pub fn ticks_for_rate(&self, rate_per_day: f64) -> u64 {
        let days = self.tolerance / rate_per_day.abs();
        let ticks = (days * 24.0 / self.dt_hours).floor();
        if ticks >= u64::MAX as f64 {
            u64::MAX
        } else {
            (ticks as u64).max(1)
        }
    }

    /// Ticks until `tick`, a scheduled event: at least 1 (an event at the current tick is
    /// already under way), `u64::MAX` for one that has passed.
    pub fn ticks_until(&self, tick: u64) -> u64 {
        if tick > self.tick {
            tick - self.tick
        } else {
            u64::MAX
        }
    }
}

/// The value `read` takes from component `C` of `cell`, NaN where the cell lacks it.
pub(crate) fn variable<C: Component>(world: &World, cell: Entity, read: impl Fn(&C) -> f32) -> f32 {
    world.get::<C>(cell).map_or(f32::NAN, read)
}

/// One encoded item of a mechanism's saved state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Part {
    label: String,
    bytes: Vec<u8>,
}

/// A mechanism's saved state: its parts in [`Mechanism::persist`] order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct MechanismRecord {
    pub(crate) name: String,
    pub(crate) parts: Vec<Part>,
}

enum Mode<'a> {
    Save(&'a mut Vec<Part>),
    Restore {
        parts: std::vec::IntoIter<Part>,
        /// Every restored cell, in the order it was spawned.
        cells: &'a [(CellId, Entity)],
    },
}

/// Saves a mechanism's state into its record, or restores it from one: one call per item,
/// the same sequence both ways (see [`Mechanism::persist`]). Items are encoded with postcard,
/// so a mechanism's record needs no type of its own in the saved state.
pub struct Persist<'a> {
    world: &'a mut World,
    mechanism: &'static str,
    mode: Mode<'a>,
    /// The components saved or restored so far (a test checks that no cell carries another).
    components: Vec<ComponentId>,
}

impl<'a> Persist<'a> {
    pub(crate) fn saving(
        world: &'a mut World,
        mechanism: &'static str,
        out: &'a mut Vec<Part>,
    ) -> Self {
        Self {
            world,
            mechanism,
            mode: Mode::Save(out),
            components: Vec::new(),
        }
    }

    pub(crate) fn restoring(
        world: &'a mut World,
        mechanism: &'static str,
        record: MechanismRecord,
        cells: &'a [(CellId, Entity)],
    ) -> Self {
        Self {
            world,
            mechanism,
            mode: Mode::Restore {
                parts: record.parts.into_iter(),
                cells,
            },
            components: Vec::new(),
        }
    }

    /// Whether every part of a restored record was read.
    pub(crate) fn finish(mut self) -> Result<(), RestoreError> {
        let extra = match &mut self.mode {
            Mode::Restore { parts, .. } => parts.next(),
            Mode::Save(_) => None,
        };
        match extra {
            Some(p) => Err(self.mismatch(format!("has an unexpected part '{}'", p.label))),
            None => Ok(()),
        }
    }

    /// The world, to derive what follows from the state just saved or restored.
    pub fn world(&mut self) -> &mut World {
        self.world
    }

    /// The components saved or restored so far.
    #[cfg(test)]
    pub(crate) fn components(&self) -> &[ComponentId] {
        &self.components
    }

    fn mismatch(&self, what: String) -> RestoreError {
        RestoreError::Mismatch(format!("its {} state {what}", self.mechanism))
    }

    fn next_part(&mut self, label: &'static str) -> Result<Vec<u8>, RestoreError> {
        let Mode::Restore { parts, .. } = &mut self.mode else {
            unreachable!("only restoring reads parts")
        };
        match parts.next() {
            Some(p) if p.label == label => Ok(p.bytes),
            Some(p) => Err(self.mismatch(format!("has '{}' where '{label}' belongs", p.label))),
            None => Err(self.mismatch(format!("lacks '{label}'"))),
        }
    }

    /// Component `C` of every cell that has it.
    pub fn component<C>(&mut self, label: &'static str) -> Result<(), RestoreError>
    where
        C: Component<Mutability = Mutable> + Clone + Serialize + DeserializeOwned,
    {
        self.components.push(self.world.register_component::<C>());
        if let Mode::Save(out) = &mut self.mode {
            let mut q = self.world.query::<(&CellId, &C)>();
            let mut items: Vec<(u64, C)> = q
                .iter(self.world)
                .map(|(id, c)| (id.0, c.clone()))
                .collect();
            items.sort_unstable_by_key(|(id, _)| *id);
            out.push(encode(label, &items));
            return Ok(());
        }
        let bytes = self.next_part(label)?;
        let items: Vec<(u64, C)> = postcard::from_bytes(&bytes)
            .map_err(|e| self.mismatch(format!("'{label}' cannot be read: {e}")))?;
        let mut by_id: BTreeMap<u64, C> = items.into_iter().collect();
        let Mode::Restore { cells, .. } = &self.mode else {
            unreachable!("restoring")
        };
        // In spawn order, so each table ends up in the order the cells were spawned.
        for &(id, entity) in cells.iter() {
            if let Some(c) = by_id.remove(&id.0) {
                self.world.entity_mut(entity).insert(c);
            }
        }
        match by_id.keys().next() {
            Some(id) => Err(self.mismatch(format!("names cell {id}, which it does not hold"))),
            None => Ok(()),
        }
    }

    /// Resource `R` (present whenever the mechanism is on).
    pub fn resource<R>(&mut self, label: &'static str) -> Result<(), RestoreError>
    where
        R: Resource + Clone + Serialize + DeserializeOwned,
    {
        if let Mode::Save(out) = &mut self.mode {
            out.push(encode(label, self.world.resource::<R>()));
            return Ok(());
        }
        let bytes = self.next_part(label)?;
        let r: R = postcard::from_bytes(&bytes)
            .map_err(|e| self.mismatch(format!("'{label}' cannot be read: {e}")))?;
        self.world.insert_resource(r);
        Ok(())
    }
}

fn encode(label: &'static str, value: &impl Serialize) -> Part {
    Part {
        label: label.to_string(),
        bytes: postcard::to_allocvec(value).expect("plain data encodes"),
    }
}

#[cfg(test)]
mod tests {
    use super::StepLimit;

    #[test]
    fn a_step_limit_turns_rates_and_due_ticks_into_whole_ticks() {
        let limit = StepLimit {
            tolerance: 0.05,
            dt_hours: 24.0,
            tick: 100,
        };
        // 0.05 of the scale at 0.004 per day: 12.5 days, so 12 daily ticks; the sign of the
        // change does not matter.
        assert_eq!(limit.ticks_for_rate(0.004), 12);
        assert_eq!(limit.ticks_for_rate(-0.004), 12);
        // A state changing faster than the tolerance per tick still gets one tick.
        assert_eq!(limit.ticks_for_rate(10.0), 1);
        assert_eq!(limit.ticks_for_rate(f64::NAN), 1);
        assert_eq!(limit.ticks_for_rate(0.0), u64::MAX);
        assert_eq!(limit.ticks_until(103), 3);
        assert_eq!(limit.ticks_until(100), u64::MAX);
        assert_eq!(limit.ticks_until(7), u64::MAX);
        let hourly = StepLimit {
            dt_hours: 1.0,
            ..limit
        };
        assert_eq!(hourly.ticks_for_rate(0.004), 300);
    }
}
