//! A body: the regions of a neuraxis scenario, each a [`Simulation`] of its own, stepped side by
//! side, with misfolded seeds carried along the connections between ticks.
//!
//! Each tick every region steps (rayon across regions, each region's systems parallel inside), then
//! the connections exchange in declaration order. The connections leaving a region drain its
//! extracellular seeds at the sum of their rates, a first-order loss the region's field solver
//! applies inside every sub-step (so seeds flow out while they are made, not from what stands at
//! the end of a tick); at the exchange, what flowed out is split among those connections in
//! proportion to their rates and put in transit. What is due to arrive is deposited in the
//! target, evenly at the voxels of its living motor neurons (trans-synaptic uptake; evenly over
//! the block when none is left). A delay holds a departure in transit for whole ticks. Under
//! adaptive stepping the regions meet less often: each advances to the next meeting point (at
//! most `time.adaptive.max_step_days` on) in steps of its own length, and the exchange carries
//! what flowed out over the interval. Before each tick (or meeting),
//! tracts from upper motor neuron regions set their targets' [`UpperMotorDrive`] from the share of
//! the source's neurons degenerating. From the regions' force the body derives its functional
//! readouts (ALSFRS-R-style subscores, an FVC proxy) and its end stage, respiratory failure.
//! Nothing here depends on the thread count, so a body is as bit-identical as a block; `save_state`
//! and `restore` make it resumable like a block.

use crate::fields::{FieldGrid, FieldId};
use crate::mechanisms::motor_units::is_below;
use crate::mechanisms::neuron_damage::UpperMotorDrive;
use crate::observe::{Observation, Summary};
use crate::simulation::{BuildError, Simulation};
use crate::{CellId, Clinical, LifeState, MotorNeuron, Voxel};
use crate::{RestoreError, SavedState};
use alsim_scenario::Scenario;
use alsim_scenario::neuraxis::{BodyPart, Neurons, RegionSpec, Side};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One region of a body: its description and its simulation.
pub struct BodyRegion {
    /// The region as the scenario declares it.
    pub spec: RegionSpec,
    /// Its tissue.
    pub sim: Simulation,
}

/// A connection resolved to region indices and ticks, with its seeds in transit.
struct Link {
    from: usize,
    to: usize,
    /// First-order rate at which the source's seeds leave along this link, per hour.
    rate_per_hour: f64,
    delay_ticks: u64,
    /// Damage per day in the target per share of the source's motor neurons degenerating.
    umn_damage_per_day: f64,
    /// (tick of arrival, seeds in a.u.), in order of departure.
    in_transit: VecDeque<(u64, f64)>,
}

/// The changing state of a body after some ticks: every region's, the seeds in transit and the
/// body's milestones. [`Body::restore`] turns it back into the body of the same scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BodyState<'a> {
    /// Ticks completed.
    pub tick: u64,
    regions: Vec<SavedState<'a>>,
    /// Per connection, in declaration order: (tick of arrival, seeds) in order of departure.
    in_transit: Vec<Vec<(u64, f64)>>,
    summary: Summary,
    onsets: Vec<Option<f64>>,
    respiratory_failure: Option<f64>,
}

/// A body of regions (see the module documentation).
pub struct Body {
    regions: Vec<BodyRegion>,
    links: Vec<Link>,
    /// Per region, the summed rate of the links leaving it, per hour.
    outflow_per_hour: Vec<f64>,
    focus: Option<usize>,
    /// Motor neurons of every region at the start, and the whole body's milestones.
    summary: Summary,
    /// Each region's first day of clinical onset, as reached.
    onsets: Vec<Option<f64>>,
    /// Force below which a region's function starts to fail (`motor_units.onset_force_threshold`).
    onset_force: f64,
    /// FVC proxy (% of predicted) below which breathing has failed: the end stage.
    end_stage_fvc: f64,
    /// First day the respiratory capacity proxy fell below `end_stage_fvc`.
    respiratory_failure: Option<f64>,
    /// Whether the run ends at respiratory failure (`neuraxis.end_at_respiratory_failure`).
    end_at_respiratory_failure: bool,
}

/// The functional readouts the body adds to the whole body's time series.
pub const FUNCTION_COLUMNS: [&str; 6] = [
    "alsfrs_r_bulbar",
    "alsfrs_r_fine_motor",
    "alsfrs_r_gross_motor",
    "alsfrs_r_respiratory",
    "alsfrs_r_total",
    "fvc_percent_predicted",
];

/// How each time-series column is combined over the regions into the whole body's row.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Combine {
    /// The same in every region (time).
    Same,
    /// Counts and amounts add.
    Sum,
    /// The largest.
    Max,
    /// Mean over the lower motor neuron regions, weighted by their motor neurons at the start:
    /// motor units exist only there.
    MeanOfLower,
    /// Mean over every region, weighted by its motor neurons at the start.
    Mean,
}

fn combine(column: &str) -> Combine {
    const MOTOR_UNIT: [&str; 3] = [
        "force_proxy",
        "endplates_denervated_fraction",
        "motor_unit_enlargement",
    ];
    if column == "time_days" {
        Combine::Same
    } else if column.ends_with("_max") {
        Combine::Max
    } else if MOTOR_UNIT.contains(&column) {
        Combine::MeanOfLower
    } else if column.ends_with("_mean")
        || column.ends_with("_fraction")
        // A region's concentration is its axons' share on one healthy level per person, so the
        // person's is the regions' mean weighted by their neurons (`mechanisms::neurofilament`).
        || column.ends_with("_pg_per_ml")
        // A person's genes and drugs are the same in every region.
        || column.ends_with("_level")
    {
        Combine::Mean
    } else {
        Combine::Sum
    }
}

/// What a region reached, in a body's summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionSummary {
    /// Region name.
    pub name: String,
    /// Upper or lower motor neurons.
    pub neurons: Neurons,
    /// Body side.
    pub side: Side,
    /// The body part it serves.
    pub serves: BodyPart,
    /// The region's own milestones.
    #[serde(flatten)]
    pub summary: Summary,
}

/// A body's summary: the whole body's milestones (motor neurons of every region counted
/// together; clinical onset is the first region's), where disease started and in what order
/// it reached the lower motor neuron regions, and each region's own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BodySummary {
    /// The whole body.
    #[serde(flatten)]
    pub body: Summary,
    /// The focus region of this run, if the scenario has one.
    pub focus: Option<String>,
    /// The lower motor neuron region that reached clinical onset first.
    pub site_of_onset: Option<String>,
    /// Lower motor neuron regions in the order they reached onset, with the day.
    pub order_of_onset: Vec<(String, f64)>,
    /// End stage: the first day the FVC proxy fell below `neuraxis.end_stage_fvc_percent`;
    /// `None` if never or if no lower motor neuron region serves respiration.
    pub days_to_respiratory_failure: Option<f64>,
    /// Days from clinical onset to respiratory failure (survival from onset).
    pub survival_from_onset_days: Option<f64>,
    /// ALSFRS-R total (0–48) at the end of the run.
    pub alsfrs_r_total_final: f64,
    /// Mean fall of the ALSFRS-R total per month (30.44 days) from clinical onset to the end of
    /// the run, `(48 − total at the end) / months`, as the clinic's ΔFS from onset; `None`
    /// before onset or on its day.
    pub alsfrs_r_slope_per_month: Option<f64>,
    /// Every region, in the scenario's order.
    pub regions: Vec<RegionSummary>,
}

impl Body {
    /// Builds every region of `scenario`'s neuraxis; it steps on the caller's rayon pool.
    /// Panics if the scenario has no neuraxis.
    pub fn new(scenario: &Scenario) -> Result<Self, BuildError> {
        scenario.validate(&format!("scenario '{}'", scenario.name))?;
        let axis = scenario.neuraxis.as_ref().expect("a neuraxis scenario");
        let regions = (0..axis.regions.len())
            .into_par_iter()
            .map(|i| {
                Ok(BodyRegion {
                    spec: axis.regions[i].clone(),
                    sim: Simulation::new(&scenario.region_scenario(i))?,
                })
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        let ticks_per_day = 24.0 / scenario.time.dt_hours;
        let links = axis
            .connections
            .iter()
            .map(|c| Link {
                from: axis.index_of(&c.from).expect("validated"),
                to: axis.index_of(&c.to).expect("validated"),
                rate_per_hour: c.seeds_per_day / 24.0,
                delay_ticks: (c.delay_days * ticks_per_day).round() as u64,
                umn_damage_per_day: c.umn_damage_per_day,
                in_transit: VecDeque::new(),
            })
            .collect::<Vec<Link>>();
        let mut outflow_per_hour = vec![0.0; regions.len()];
        for link in &links {
            outflow_per_hour[link.from] += link.rate_per_hour;
        }
        let initial = regions
            .iter()
            .map(|r| r.sim.summary().motor_neurons_initial)
            .sum();
        let summary = Summary {
            motor_neurons_initial: initial,
            motor_neurons_final_alive: initial,
            start_age_years: scenario.time.start_age_years,
            ..Summary::default()
        };
        let onset_force = scenario
            .mechanisms
            .motor_units
            .as_ref()
            .map_or(0.8, |m| m.onset_force_threshold);
        let mut body = Self {
            onset_force,
            end_stage_fvc: axis.end_stage_fvc_percent,
            respiratory_failure: None,
            end_at_respiratory_failure: axis.end_at_respiratory_failure,
            onsets: vec![None; regions.len()],
            regions,
            links,
            outflow_per_hour,
            focus: axis.focus_index(scenario.seed),
            summary,
        };
        body.open_outflows();
        Ok(body)
    }

    /// Sets every region's seed outflow to the summed rate of the links leaving it.
    fn open_outflows(&mut self) {
        for (region, &rate) in self.regions.iter_mut().zip(&self.outflow_per_hour) {
            if rate > 0.0 {
                grid_mut(&mut region.sim).set_outflow(FieldId::Seeds, rate);
            }
        }
    }

    /// The body's changing state, borrowing the regions' field values.
    pub fn save_state(&mut self) -> BodyState<'_> {
        BodyState {
            tick: self.tick(),
            in_transit: self
                .links
                .iter()
                .map(|l| l.in_transit.iter().copied().collect())
                .collect(),
            summary: self.summary.clone(),
            onsets: self.onsets.clone(),
            respiratory_failure: self.respiratory_failure,
            regions: self
                .regions
                .iter_mut()
                .map(|r| r.sim.save_state())
                .collect(),
        }
    }

    /// Rebuilds the body of `scenario` as it stood when `state` was saved; refuses a state of
    /// another body (region or connection counts, or any region's own checks).
    pub fn restore(scenario: &Scenario, state: BodyState<'_>) -> Result<Self, RestoreError> {
        let mut body = Body::new(scenario)?;
        let mismatch = |what: String| Err(RestoreError::Mismatch(what));
        if state.regions.len() != body.regions.len()
            || state.onsets.len() != body.regions.len()
            || state.in_transit.len() != body.links.len()
        {
            return mismatch(format!(
                "it holds {} regions and {} connections, the scenario {} and {}",
                state.regions.len(),
                state.in_transit.len(),
                body.regions.len(),
                body.links.len()
            ));
        }
        if state.regions.iter().any(|r| r.tick != state.tick) {
            return mismatch("its regions stand at different ticks".into());
        }
        let axis = scenario.neuraxis.as_ref().expect("a neuraxis scenario");
        for (i, (region, saved)) in body.regions.iter_mut().zip(state.regions).enumerate() {
            region.sim =
                Simulation::restore(&scenario.region_scenario(i), saved).map_err(|e| match e {
                    RestoreError::Mismatch(what) => {
                        RestoreError::Mismatch(format!("region {}: {what}", axis.regions[i].name))
                    }
                    other => other,
                })?;
        }
        for (link, in_transit) in body.links.iter_mut().zip(state.in_transit) {
            link.in_transit = in_transit.into();
        }
        body.summary = state.summary;
        body.onsets = state.onsets;
        body.respiratory_failure = state.respiratory_failure;
        body.open_outflows();
        Ok(body)
    }

    /// The regions, in the scenario's order.
    pub fn regions(&self) -> &[BodyRegion] {
        &self.regions
    }

    /// The regions, mutably: for outputs that need a region's world mutably (snapshots query
    /// it). Stepping a region alone would put it out of step with the others.
    pub fn regions_mut(&mut self) -> &mut [BodyRegion] {
        &mut self.regions
    }

    /// Ticks run so far.
    pub fn tick(&self) -> u64 {
        self.regions[0].sim.tick()
    }

    /// Ticks in the whole run.
    pub fn total_ticks(&self) -> u64 {
        self.regions[0].sim.total_ticks()
    }

    /// Whether every tick has run, or breathing has failed in a run that ends there.
    pub fn is_finished(&self) -> bool {
        self.regions[0].sim.is_finished()
            || (self.end_at_respiratory_failure && self.respiratory_failure.is_some())
    }

    /// The day breathing failed (the FVC proxy below end stage), if it has.
    pub fn respiratory_failure_day(&self) -> Option<f64> {
        self.respiratory_failure
    }

    /// Whether the tick just run is one whose state goes into the time series (the last one
    /// always does).
    pub fn is_output_tick(&self) -> bool {
        self.regions[0].sim.is_output_tick() || self.is_finished()
    }

    /// Simulated days so far.
    pub fn time_days(&self) -> f64 {
        self.regions[0].sim.time_days()
    }

    /// One tick of every region, then the exchange along the connections. Under adaptive
    /// stepping, every region advances by the longest step (`time.adaptive.max_step_days`, less
    /// where an output row or snapshot comes first) in as many steps of its own as its state
    /// asks for, and the connections exchange what that interval carries.
    pub fn step(&mut self) {
        let start = self.tick();
        let sim = &self.regions[0].sim;
        let until = if sim.is_adaptive() {
            sim.next_stop()
        } else {
            start + 1
        };
        self.drive_from_upper_motor_neurons();
        self.regions
            .par_iter_mut()
            .for_each(|r| r.sim.advance_to(until));
        self.exchange();
        self.update_summary();
    }

    /// Sets each region's [`UpperMotorDrive`] from the share of stressed or dying motor neurons
    /// in the upper motor neuron regions that project to it, as they stand at the start of the
    /// tick; in declaration order.
    fn drive_from_upper_motor_neurons(&mut self) {
        if self.links.iter().all(|l| l.umn_damage_per_day == 0.0) {
            return;
        }
        let mut drive = vec![0.0f64; self.regions.len()];
        for link in self.links.iter().filter(|l| l.umn_damage_per_day > 0.0) {
            let source = &mut self.regions[link.from].sim;
            let initial = source.summary().motor_neurons_initial;
            let mut q = source
                .world
                .query_filtered::<&LifeState, bevy_ecs::prelude::With<MotorNeuron>>();
            let degenerating = q
                .iter(&source.world)
                .filter(|l| matches!(l, LifeState::Stressed | LifeState::Dying { .. }))
                .count();
            if initial > 0 {
                drive[link.to] += link.umn_damage_per_day * degenerating as f64 / initial as f64;
            }
        }
        for (region, drive) in self.regions.iter_mut().zip(drive) {
            region
                .sim
                .world
                .insert_resource(UpperMotorDrive(drive as f32));
        }
    }

    /// The exchange at the end of a step: what flowed out of each region is split among its
    /// links in proportion to their rates and put in transit, then what is due arrives.
    fn exchange(&mut self) {
        let tick = self.tick();
        if self.links.is_empty() {
            return;
        }
        let carried: Vec<f64> = self
            .regions
            .iter_mut()
            .map(|r| grid_mut(&mut r.sim).take_outflow(FieldId::Seeds))
            .collect();
        for link in self.links.iter_mut().filter(|l| l.rate_per_hour > 0.0) {
            let leaving =
                carried[link.from] * link.rate_per_hour / self.outflow_per_hour[link.from];
            if leaving > 0.0 {
                link.in_transit
                    .push_back((tick + link.delay_ticks, leaving));
            }
        }
        for link in &mut self.links {
            while let Some(&(due, amount)) = link.in_transit.front()
                && due <= tick
            {
                link.in_transit.pop_front();
                deposit_at_neurons(&mut self.regions[link.to].sim, amount);
            }
        }
    }

    fn update_summary(&mut self) {
        let day = self.time_days();
        let fvc = self.function()[5];
        if self.respiratory_failure.is_none() && is_below(fvc / 100.0, self.end_stage_fvc / 100.0) {
            self.respiratory_failure = Some(day);
        }
        let alive: u64 = self
            .regions
            .iter()
            .map(|r| r.sim.summary().motor_neurons_final_alive)
            .sum();
        let nfl = self.blood_nfl();
        let s = &mut self.summary;
        s.motor_neurons_final_alive = alive;
        s.nfl_blood_pg_per_ml_final = nfl;
        s.simulated_days = day;
        s.ticks = self.regions[0].sim.tick();
        let dead = s.motor_neurons_initial - alive.min(s.motor_neurons_initial);
        if s.motor_neurons_initial > 0 {
            if s.days_to_10pct_mn_loss.is_none() && dead * 10 >= s.motor_neurons_initial {
                s.days_to_10pct_mn_loss = Some(day);
            }
            if s.days_to_50pct_mn_loss.is_none() && dead * 2 >= s.motor_neurons_initial {
                s.days_to_50pct_mn_loss = Some(day);
            }
        }
        for (onset, region) in self.onsets.iter_mut().zip(&self.regions) {
            if onset.is_none() {
                *onset = region.sim.summary().days_to_clinical_onset;
            }
        }
        if s.days_to_clinical_onset.is_none() {
            let first = self
                .onsets
                .iter()
                .flatten()
                .copied()
                .fold(None, |a: Option<f64>, d| Some(a.map_or(d, |a| a.min(d))));
            s.days_to_clinical_onset = first;
            s.age_at_clinical_onset_years =
                first.map(|d| s.start_age_years + d / crate::DAYS_PER_YEAR);
            s.nfl_blood_pg_per_ml_at_onset = first.and(nfl);
        }
    }

    /// The person's blood NfL, pg/mL: the regions' levels weighted by their motor neurons at
    /// the start, as the time series combines them; `None` with the mechanism off.
    fn blood_nfl(&self) -> Option<f64> {
        let (mut sum, mut total) = (0.0, 0.0);
        for r in &self.regions {
            let level = crate::mechanisms::neurofilament::blood_level(&r.sim.world)?;
            let weight = r.sim.summary().motor_neurons_initial as f64;
            sum += weight * level;
            total += weight;
        }
        (total > 0.0).then(|| sum / total)
    }

    /// The numerical guard of every region, in the scenario's order; the place of a failure
    /// names its region.
    pub fn check_state(&mut self) -> Result<(), crate::guard::NumericalError> {
        for r in &mut self.regions {
            r.sim.check_state().map_err(|mut e| {
                e.place = format!("{} of region {}", e.place, r.spec.name);
                e
            })?;
        }
        Ok(())
    }

    /// Each region's observation of the tick just run, in the scenario's order.
    pub fn observe(&mut self) -> Vec<Observation> {
        self.regions.iter_mut().map(|r| r.sim.observe()).collect()
    }

    /// The columns of the whole body's time series: [`Observation::columns`], then
    /// [`FUNCTION_COLUMNS`].
    pub fn columns() -> Vec<String> {
        let mut columns = Observation::columns();
        columns.extend(FUNCTION_COLUMNS.map(String::from));
        columns
    }

    /// The whole body's row of the time series from the regions' `observations`
    /// ([`Body::columns`] order): counts and amounts summed, maxima the largest, means
    /// weighted by each region's motor neurons at the start (motor-unit columns over the lower
    /// motor neuron regions only); then the functional scores ([`Body::function`]).
    pub fn whole_body(&self, observations: &[Observation]) -> Vec<f64> {
        let mut row = self.combined(observations);
        row.extend(self.function());
        row
    }

    /// The functional readouts of [`FUNCTION_COLUMNS`] from the regions' force. An ALSFRS-R
    /// item scores `4·min(1, F/F_onset)`: full until the force it rests on falls below the
    /// clinical-onset threshold `F_onset`, then in proportion down to 0 at no force. Items rest on
    /// the weakest region serving their body part, as a patient's function is limited by the
    /// weaker hand or leg: the three bulbar items on the bulbar regions, the three fine-motor
    /// items on the arms, turning in bed on the trunk and walking and climbing stairs on the
    /// legs (on whichever of the two a body has, if only one). Breathing uses both sides at
    /// once: the three respiratory items and the FVC proxy (100 times the force) rest on the
    /// mean force of the respiratory regions, weighted by their starting motor neurons. A part
    /// no region serves scores full.
    pub fn function(&self) -> [f64; 6] {
        let forces = |part: BodyPart| {
            self.regions
                .iter()
                .filter(|r| r.spec.serves == part)
                .filter_map(|r| {
                    let clinical = r.sim.world.get_resource::<Clinical>()?;
                    Some((r.sim.summary().motor_neurons_initial as f64, clinical.force))
                })
                .collect::<Vec<_>>()
        };
        let weakest = |part: BodyPart| forces(part).into_iter().map(|(_, f)| f).reduce(f64::min);
        let item = |force: Option<f64>| {
            force.map_or(4.0, |f| 4.0 * (f / self.onset_force).clamp(0.0, 1.0))
        };
        let breathing = {
            let weighted = forces(BodyPart::Respiratory);
            let total: f64 = weighted.iter().map(|(w, _)| w).sum();
            (total > 0.0).then(|| weighted.iter().map(|(w, f)| w * f).sum::<f64>() / total)
        };
        let bulbar = 3.0 * item(weakest(BodyPart::Bulbar));
        let fine = 3.0 * item(weakest(BodyPart::Arm));
        let (trunk, legs) = (weakest(BodyPart::Trunk), weakest(BodyPart::Leg));
        let gross = item(trunk.or(legs)) + 2.0 * item(legs.or(trunk));
        let respiratory = 3.0 * item(breathing);
        let fvc = breathing.map_or(100.0, |f| 100.0 * f);
        [
            bulbar,
            fine,
            gross,
            respiratory,
            bulbar + fine + gross + respiratory,
            fvc,
        ]
    }

    fn combined(&self, observations: &[Observation]) -> Vec<f64> {
        let rows: Vec<Vec<f64>> = observations.iter().map(Observation::values).collect();
        let weights: Vec<f64> = self
            .regions
            .iter()
            .map(|r| r.sim.summary().motor_neurons_initial as f64)
            .collect();
        let lower: Vec<bool> = self
            .regions
            .iter()
            .map(|r| r.spec.neurons == Neurons::Lower)
            .collect();
        Observation::columns()
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let values = rows.iter().map(|row| row[c]);
                let mean = |only_lower: bool| {
                    let (mut sum, mut total) = (0.0, 0.0);
                    for ((v, w), is_lower) in values.clone().zip(&weights).zip(&lower) {
                        if !only_lower || *is_lower {
                            sum += v * w;
                            total += w;
                        }
                    }
                    if total > 0.0 { sum / total } else { 0.0 }
                };
                match combine(name) {
                    Combine::Same => rows[0][c],
                    Combine::Sum => values.sum(),
                    Combine::Max => values.fold(0.0, f64::max),
                    Combine::MeanOfLower => mean(true),
                    Combine::Mean => mean(false),
                }
            })
            .collect()
    }

    /// The whole body's milestones so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The body's summary: the whole body's milestones, the focus, the site and order of
    /// onset, and every region's own.
    pub fn body_summary(&self) -> BodySummary {
        let mut order: Vec<(usize, f64)> = self
            .onsets
            .iter()
            .enumerate()
            .filter(|&(i, _)| self.regions[i].spec.neurons == Neurons::Lower)
            .filter_map(|(i, d)| d.map(|d| (i, d)))
            .collect();
        // By day, ties in the scenario's order.
        order.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let name = |i: usize| self.regions[i].spec.name.clone();
        let total = self.function()[4];
        BodySummary {
            body: self.summary.clone(),
            focus: self.focus.map(name),
            site_of_onset: order.first().map(|&(i, _)| name(i)),
            order_of_onset: order.iter().map(|&(i, d)| (name(i), d)).collect(),
            days_to_respiratory_failure: self.respiratory_failure,
            survival_from_onset_days: self
                .respiratory_failure
                .zip(self.summary.days_to_clinical_onset)
                .map(|(end, onset)| end - onset),
            alsfrs_r_total_final: total,
            alsfrs_r_slope_per_month: self
                .summary
                .days_to_clinical_onset
                .map(|onset| (self.time_days() - onset) / (crate::DAYS_PER_YEAR / 12.0))
                .filter(|&months| months > 0.0)
                .map(|months| (48.0 - total) / months),
            regions: self
                .regions
                .iter()
                .map(|r| RegionSummary {
                    name: r.spec.name.clone(),
                    neurons: r.spec.neurons,
                    side: r.spec.side,
                    serves: r.spec.serves,
                    summary: r.sim.summary().clone(),
                })
                .collect(),
        }
    }
}

fn grid_mut(sim: &mut Simulation) -> bevy_ecs::prelude::Mut<'_, FieldGrid> {
    sim.world.resource_mut::<FieldGrid>()
}

/// Deposits `amount` seeds evenly at the voxels of `sim`'s living motor neurons, in cell-id
/// order; evenly over every voxel when none is alive.
fn deposit_at_neurons(sim: &mut Simulation, amount: f64) {
    let mut q = sim
        .world
        .query_filtered::<(&CellId, &Voxel, &LifeState), bevy_ecs::prelude::With<MotorNeuron>>();
    let mut voxels: Vec<(CellId, u32)> = q
        .iter(&sim.world)
        .filter(|(.., life)| !matches!(life, LifeState::Dead))
        .map(|(id, voxel, _)| (*id, voxel.0))
        .collect();
    voxels.sort_unstable_by_key(|(id, _)| *id);
    let mut grid = grid_mut(sim);
    if voxels.is_empty() {
        let all = grid.shape().voxels();
        let share = (amount / all as f64) as f32;
        for v in 0..all {
            grid.deposit(FieldId::Seeds, v as u32, share);
        }
    } else {
        let share = (amount / voxels.len() as f64) as f32;
        for (_, voxel) in voxels {
            grid.deposit(FieldId::Seeds, voxel, share);
        }
    }
}
