//! Mitochondria and oxidative stress in motor neurons. Each viable motor neuron has a
//! mitochondrial function `F` in [0, 1], intracellular ROS `R` (µM; H2O2 standing for all) and
//! oxidative damage `O` (dimensionless). With `a = A/(A + K_A)` its saturating aggregate load
//! (`a = 0` with aggregation off) and `i` the influx of extracellular ROS (µM per hour, below):
//!
//! ```text
//! dF/dt = k_b·(1 − F) − (k_A·a + k_O·O)·F                 per day
//! dR/dt = p_0 + p_F·(1 − F) + i − (k_ao + k_leak)·R        µM per hour
//! dO/dt = k_ox·R − k_rep·O                                per day
//! ```
//!
//! Function recovers at the biogenesis rate `k_b` and is lost to aggregates (`k_A`, which a
//! SOD1 genotype scales) and to oxidative damage (`k_O`); failing mitochondria make more ROS
//! (`p_F`); antioxidants (`k_ao`, raised by a scavenger therapy) and leakage into the
//! extracellular `ros` field (`k_leak`) remove it; ROS oxidise the cell, which repairs at
//! `k_rep`. Together `F → R → O → F` is the mitochondrial vicious cycle, kept weak by default.
//!
//! **Exchange with the `ros` field.** H2O2 crosses the membrane both ways at the same rate
//! `k_leak` over a cell volume `V_c` (`soma_volume_um3`). Out: the neuron secretes
//! `k_leak·R̄·V_c·10⁻⁶` fmol per hour over the tick (`R̄` its mean ROS over the tick; 1 µM·µm³ =
//! 10⁻⁶ fmol). In: of the `N = R_out·V·10⁻⁶` fmol its voxel (volume `V`) holds it takes up
//! `U = N·(1 − e^{−k_leak·Δt·V_c/V})` over a tick of `Δt` hours, written to the `ros` uptake
//! slot, and `i = U·10⁶/(V_c·Δt)`, which is `k_leak·R_out` while the step is short and never
//! takes more than the voxel holds, so neighbours' ROS harm the cell without ever being
//! created by the exchange.
//!
//! **Integration.** In order, each equation linear in its own variable with the others frozen,
//! solved exactly over the tick (see [`relax`]): `F` with `a` and `O` at the start of the tick;
//! then `R` with the new `F`; then `O` driven by the mean `R̄` of that exact solution over the
//! tick. Every update is a convex combination of the old value and a bounded target, so no step
//! size is unstable, `F` stays in [0, 1] and `R`, `O` non-negative; the fixed points are exactly
//! those of the equations ([`steady_state`]).
//!
//! Dying and dead neurons stop: their state is frozen and their ROS slots are zero.

use super::aggregation::Aggregates;
use super::genetics::GeneFactors;
use super::give;
use super::interventions::TherapyFactors;
use super::{modulate, relax};
use crate::RestoreError;
use crate::guard::{self, Fault, amount, fraction};
use crate::mechanism::{Column, LivingNeurons, Mechanism, Persist, Section, Setup, variable};
use crate::{Clock, Exchange, FieldGrid, FieldId, LifeState, MotorNeuron, SimSet, Voxel};
use alsim_scenario::mechanisms::MitochondriaParams;
use bevy_ecs::prelude::*;
use rayon::prelude::*;

/// The mechanism.
pub struct Energetics;

impl Mechanism for Energetics {
    fn name(&self) -> &'static str {
        "mitochondria"
    }

    /// every motor neuron starts in the healthy steady state
    /// ([`healthy`]).
    fn build(&self, setup: &Setup, world: &mut World, schedule: &mut Schedule) {
        let params = setup.scenario.mechanisms.mitochondria.as_ref().expect("on");
        give::<MotorNeuron, _>(world, healthy(params));
        world.insert_resource(MitochondriaConfig(params.clone()));
        schedule.add_systems(update_mitochondria.in_set(SimSet::Energetics));
    }

    fn is_on(&self, setup: &Setup) -> bool {
        setup.scenario.mechanisms.mitochondria.is_some()
    }

    fn persist(&self, state: &mut Persist) -> Result<(), RestoreError> {
        state.component::<Mitochondria>("mitochondria")
    }

    fn check(&self, world: &mut World) -> Option<Fault> {
        guard::cells(world, "Mitochondria", |m: &Mitochondria| {
            [
                fraction("function", m.function.into(), SUSPECTS),
                amount("ros", m.ros, SUSPECTS),
                amount("oxidative_damage", m.oxidative_damage, SUSPECTS),
            ]
        })
    }

    fn columns(&self) -> &'static [Column] {
        &[
            Column {
                name: "mn_mitochondrial_function_mean",
                section: Section::NeuronState,
            },
            Column {
                name: "mn_oxidative_damage_mean",
                section: Section::NeuronState,
            },
        ]
    }

    fn observe(&self, world: &mut World, living: &LivingNeurons, out: &mut Vec<f64>) {
        out.push(living.mean(world, |m: &Mitochondria| m.function));
        out.push(living.mean(world, |m: &Mitochondria| m.oxidative_damage));
    }

    fn cell_variables(&self) -> &'static [&'static str] {
        &["mitochondrial_function", "oxidative_damage"]
    }

    fn snapshot(&self, world: &World, cell: Entity, out: &mut Vec<f32>) {
        out.push(variable(world, cell, |m: &Mitochondria| m.function));
        out.push(variable(world, cell, |m: &Mitochondria| m.oxidative_damage));
    }
}

/// The parameters most likely at fault when the state leaves its range.
const SUSPECTS: &str = "mechanisms.mitochondria (antioxidant_capacity_per_hour, basal_ros_micromolar_per_hour, oxidation_per_micromolar_per_day)";

/// Mitochondrial and oxidative state of a motor neuron.
#[derive(Component, Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Mitochondria {
    /// Mitochondrial function, 1 healthy, 0 failed.
    pub function: f32,
    /// Intracellular ROS, µM.
    pub ros: f32,
    /// Accumulated oxidative damage to DNA, lipids and proteins (dimensionless).
    pub oxidative_damage: f32,
}

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct MitochondriaConfig(pub MitochondriaParams);

impl MitochondriaConfig {
    /// The parameters in force this tick: the genotype's fold on aggregate toxicity, a radical
    /// scavenger's on the antioxidant capacity.
    pub fn in_force(
        &self,
        genes: Option<&GeneFactors>,
        therapies: Option<&TherapyFactors>,
    ) -> MitochondriaParams {
        let p = modulate(genes, &self.0, |g: &GeneFactors, p| {
            p.aggregate_toxicity_per_day *= g.mitochondrial_toxicity;
        });
        modulate(therapies, &p, |t: &TherapyFactors, p| {
            p.antioxidant_capacity_per_hour *= t.antioxidant;
        })
    }
}

/// Removal rate of intracellular ROS, per hour.
fn ros_removal_per_hour(p: &MitochondriaParams) -> f64 {
    p.antioxidant_capacity_per_hour + p.ros_leak_per_hour
}

/// Saturating aggregate stimulus `A/(A + K_A)`.
pub(crate) fn aggregate_stimulus(p: &MitochondriaParams, load: f64) -> f64 {
    let a = load.max(0.0);
    a / (a + p.aggregate_half_load)
}

/// The fixed point of the equations at constant aggregate load and ROS influx (µM per hour),
/// or `None` where there is none (no biogenesis, no ROS removal or no repair). With
/// `β = k_O·k_ox/((k_ao + k_leak)·k_rep)` and `B = k_b + k_A·a + β·(p_0 + p_F + i)`, `F` is the
/// root in [0, 1] of `β·p_F·F² − B·F + k_b = 0`, `F = 2k_b/(B + √(B² − 4β·p_F·k_b))`; then
/// `R = (p_0 + p_F·(1 − F) + i)/(k_ao + k_leak)` and `O = k_ox·R/k_rep`.
pub(crate) fn steady_state(p: &MitochondriaParams, load: f64, influx: f64) -> Option<Mitochondria> {
    let removal = ros_removal_per_hour(p);
    if p.biogenesis_per_day <= 0.0 || removal <= 0.0 || p.oxidative_repair_per_day <= 0.0 {
        return None;
    }
    let kb = p.biogenesis_per_day;
    let (p0, pf) = (
        p.basal_ros_micromolar_per_hour,
        p.dysfunction_ros_micromolar_per_hour,
    );
    let beta = p.oxidative_toxicity_per_day * p.oxidation_per_micromolar_per_day
        / (removal * p.oxidative_repair_per_day);
    let b =
        kb + p.aggregate_toxicity_per_day * aggregate_stimulus(p, load) + beta * (p0 + pf + influx);
    let f = 2.0 * kb / (b + (b * b - 4.0 * beta * pf * kb).max(0.0).sqrt());
    let r = (p0 + pf * (1.0 - f) + influx) / removal;
    Some(Mitochondria {
        function: f as f32,
        ros: r as f32,
        oxidative_damage: (p.oxidation_per_micromolar_per_day * r / p.oxidative_repair_per_day)
            as f32,
    })
}

/// The starting state: the steady state without aggregates or extracellular ROS; where there
/// is none, full function, the ROS of full function and no damage.
pub(crate) fn healthy(p: &MitochondriaParams) -> Mitochondria {
    steady_state(p, 0.0, 0.0).unwrap_or_else(|| {
        let removal = ros_removal_per_hour(p);
        Mitochondria {
            function: 1.0,
            ros: if removal > 0.0 {
                (p.basal_ros_micromolar_per_hour / removal) as f32
            } else {
                0.0
            },
            oxidative_damage: 0.0,
        }
    })
}

/// ROS (fmol) a neuron takes up over `dt_hours` from a voxel of `voxel_um3` holding `held` fmol.
pub(crate) fn ros_uptake(p: &MitochondriaParams, held: f64, voxel_um3: f64, dt_hours: f64) -> f64 {
    let rate = p.ros_leak_per_hour * p.soma_volume_um3 / voxel_um3;
    held.max(0.0) * -(-rate * dt_hours).exp_m1()
}

/// Intracellular ROS influx, µM per hour, from `taken` fmol taken up over `dt_hours`.
pub(crate) fn influx_micromolar_per_hour(p: &MitochondriaParams, taken: f64, dt_hours: f64) -> f64 {
    if dt_hours > 0.0 {
        taken * 1e6 / (p.soma_volume_um3 * dt_hours)
    } else {
        0.0
    }
}

/// ROS leaked into the voxel, fmol per hour, at intracellular ROS `ros` µM.
pub(crate) fn leak_fmol_per_hour(p: &MitochondriaParams, ros: f64) -> f64 {
    p.ros_leak_per_hour * ros * p.soma_volume_um3 * 1e-6
}

/// One tick of a neuron's mitochondria.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MitochondriaStep {
    /// State at the end of the tick.
    pub state: Mitochondria,
    /// Mean intracellular ROS over the tick, µM.
    pub mean_ros: f64,
}

/// Advances `m` by `dt_hours` at aggregate load `load` (a.u.) and ROS influx `influx` (µM per
/// hour).
pub fn step(
    p: &MitochondriaParams,
    m: Mitochondria,
    load: f64,
    influx: f64,
    dt_hours: f64,
) -> MitochondriaStep {
    let dt_days = dt_hours / 24.0;
    let kb = p.biogenesis_per_day;
    let o0 = m.oxidative_damage.max(0.0) as f64;
    let loss = kb
        + p.aggregate_toxicity_per_day * aggregate_stimulus(p, load)
        + p.oxidative_toxicity_per_day * o0;
    let f = relax(m.function as f64, kb, loss, dt_days)
        .end
        .clamp(0.0, 1.0);
    let production =
        p.basal_ros_micromolar_per_hour + p.dysfunction_ros_micromolar_per_hour * (1.0 - f);
    let r = relax(
        m.ros.max(0.0) as f64,
        production + influx.max(0.0),
        ros_removal_per_hour(p),
        dt_hours,
    );
    let mean_ros = r.mean.max(0.0);
    let o = relax(
        o0,
        p.oxidation_per_micromolar_per_day * mean_ros,
        p.oxidative_repair_per_day,
        dt_days,
    )
    .end;
    MitochondriaStep {
        state: Mitochondria {
            function: f as f32,
            ros: r.end.max(0.0) as f32,
            oxidative_damage: o.max(0.0) as f32,
        },
        mean_ros,
    }
}

/// What `update_mitochondria` reads and writes of each motor neuron.
type NeuronQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static Voxel,
        &'static LifeState,
        Option<&'static Aggregates>,
        &'static mut Mitochondria,
        &'static mut Exchange,
    ),
    With<MotorNeuron>,
>;

fn update_mitochondria(
    config: Res<MitochondriaConfig>,
    genes: Option<Res<GeneFactors>>,
    therapies: Option<Res<TherapyFactors>>,
    grid: Res<FieldGrid>,
    clock: Res<Clock>,
    mut cells: NeuronQuery,
) {
    let p = &config.in_force(genes.as_deref(), therapies.as_deref());
    let dt_hours = clock.step_hours();
    let voxel_um3 = grid.voxel_um3();
    let amount_per_concentration = 1.0 / FieldId::Ros.concentration_per_amount(voxel_um3);
    let slot = FieldId::Ros as usize;
    let mut items: Vec<_> = cells.iter_mut().collect();
    items
        .par_iter_mut()
        .for_each(|(voxel, life, aggregates, mito, exchange)| {
            if !life.is_viable() {
                exchange.secretion_per_hour[slot] = 0.0;
                exchange.uptake[slot] = 0.0;
                return;
            }
            let held = grid.at(FieldId::Ros, voxel.0) as f64 * amount_per_concentration;
            let taken = ros_uptake(p, held, voxel_um3, dt_hours);
            let influx = influx_micromolar_per_hour(p, taken, dt_hours);
            let load = aggregates.map_or(0.0, |a| a.load as f64);
            let next = step(p, **mito, load, influx, dt_hours);
            **mito = next.state;
            exchange.secretion_per_hour[slot] = leak_fmol_per_hour(p, next.mean_ros) as f32;
            exchange.uptake[slot] = taken as f32;
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> MitochondriaParams {
        MitochondriaParams::default()
    }

    /// Runs `days` of hourly steps from `m` at constant load and influx.
    fn run(
        p: &MitochondriaParams,
        m: Mitochondria,
        load: f64,
        influx: f64,
        days: u32,
    ) -> Mitochondria {
        (0..days * 24).fold(m, |m, _| step(p, m, load, influx, 1.0).state)
    }

    fn close(a: Mitochondria, b: Mitochondria, rel: f32) -> bool {
        let near = |x: f32, y: f32| (x - y).abs() <= rel * y.abs().max(1e-3);
        near(a.function, b.function)
            && near(a.ros, b.ros)
            && near(a.oxidative_damage, b.oxidative_damage)
    }

    #[test]
    fn the_healthy_state_is_an_exact_steady_state() {
        let p = params();
        let h = healthy(&p);
        // Analytic check of the quadratic's root against its own equations.
        let (f, r, o) = (h.function as f64, h.ros as f64, h.oxidative_damage as f64);
        assert!((f - 0.1 / (0.1 + 0.02 * o)).abs() < 1e-6, "{h:?}");
        assert!((r - (0.1 + 0.9 * (1.0 - f)) / 10.0).abs() < 1e-8, "{h:?}");
        assert!((o - r / 0.1).abs() < 1e-6, "{h:?}");
        assert!(f > 0.97 && f < 0.98 && r > 0.01 && r < 0.013, "{h:?}");
        // Neither an hour nor a day moves it.
        for dt in [1.0, 24.0] {
            let next = step(&p, h, 0.0, 0.0, dt).state;
            assert!(close(next, h, 1e-6), "{dt}: {next:?} vs {h:?}");
        }
        // Without oxidative toxicity the steady state is F = 1, R = p₀/(k_ao + k_leak).
        let q = MitochondriaParams {
            oxidative_toxicity_per_day: 0.0,
            ..params()
        };
        let h = healthy(&q);
        assert_eq!(h.function, 1.0);
        assert!(
            (h.ros - 0.01).abs() < 1e-9 && (h.oxidative_damage - 0.1).abs() < 1e-7,
            "{h:?}"
        );
    }

    #[test]
    fn function_falls_with_aggregates_to_the_exact_steady_state() {
        let p = params();
        let start = healthy(&p);
        let loads = [0.0, 0.3, 1.0, 10.0];
        let mut last = f32::INFINITY;
        for load in loads {
            let end = run(&p, start, load, 0.0, 365);
            let exact = steady_state(&p, load, 0.0).unwrap();
            assert!(close(end, exact, 1e-4), "{load}: {end:?} vs {exact:?}");
            assert!(end.function < last, "{load}: {end:?}");
            last = end.function;
        }
        // Without the oxidative loop, F = k_b/(k_b + k_A·a): a = 1/2 at one half load.
        let q = MitochondriaParams {
            oxidative_toxicity_per_day: 0.0,
            ..params()
        };
        let end = run(&q, healthy(&q), 1.0, 0.0, 365);
        assert!((end.function - 0.1 / 0.15).abs() < 1e-5, "{end:?}");
    }

    #[test]
    fn oxidative_damage_costs_function() {
        // An oxidative insult (damage 5) lowers function, more so the more toxic damage is.
        let p = params();
        let insulted = Mitochondria {
            oxidative_damage: 5.0,
            ..healthy(&p)
        };
        let after = |k_o: f64| {
            let q = MitochondriaParams {
                oxidative_toxicity_per_day: k_o,
                ..params()
            };
            run(&q, insulted, 0.0, 0.0, 5).function
        };
        assert!(
            after(0.0) > after(0.02) && after(0.02) > after(0.1),
            "{} {} {}",
            after(0.0),
            after(0.02),
            after(0.1)
        );
        // Over one day with damage frozen at 5: F relaxes exactly towards 0.1/(0.1 + 0.02·5).
        let day = step(&p, insulted, 0.0, 0.0, 24.0).state.function as f64;
        let target = 0.1 / 0.2;
        let f0 = insulted.function as f64;
        let exact = target + (f0 - target) * (-0.2f64).exp();
        assert!((day - exact).abs() < 1e-6, "{day} vs {exact}");
    }

    #[test]
    fn ros_rises_as_function_falls_and_with_extracellular_ros() {
        let p = params();
        // R reaches (p₀ + p_F(1 − F) + i)/(k_ao + k_leak) within a tick.
        let with_function = |f: f32, influx: f64| {
            let m = Mitochondria {
                function: f,
                ..healthy(&p)
            };
            // No biogenesis or loss: F holds, so R's target is fixed.
            let q = MitochondriaParams {
                biogenesis_per_day: 0.0,
                aggregate_toxicity_per_day: 0.0,
                oxidative_toxicity_per_day: 0.0,
                ..params()
            };
            step(&q, m, 0.0, influx, 24.0).state.ros as f64
        };
        assert!((with_function(1.0, 0.0) - 0.01).abs() < 1e-9);
        assert!((with_function(0.5, 0.0) - 0.055).abs() < 1e-8);
        assert!((with_function(0.0, 0.0) - 0.1).abs() < 1e-8);
        assert!((with_function(1.0, 0.2) - 0.03).abs() < 1e-8);
    }

    #[test]
    fn antioxidant_capacity_lowers_ros_and_oxidative_damage() {
        let base = params();
        let treated = MitochondriaParams {
            antioxidant_capacity_per_hour: 3.0 * base.antioxidant_capacity_per_hour,
            ..params()
        };
        let load = 2.0;
        let untreated = run(&base, healthy(&base), load, 0.0, 365);
        let with_therapy = run(&treated, healthy(&base), load, 0.0, 365);
        assert!(
            with_therapy.ros < 0.5 * untreated.ros,
            "{with_therapy:?} {untreated:?}"
        );
        assert!(with_therapy.oxidative_damage < 0.5 * untreated.oxidative_damage);
        assert!(with_therapy.function > untreated.function);
        let exact = steady_state(&treated, load, 0.0).unwrap();
        assert!(
            close(with_therapy, exact, 1e-4),
            "{with_therapy:?} vs {exact:?}"
        );
    }

    #[test]
    fn any_step_size_stays_in_range_and_reaches_the_same_steady_state() {
        // A strong vicious cycle and a large ROS burden, stepped by a day at a time.
        let p = MitochondriaParams {
            oxidative_toxicity_per_day: 1.0,
            aggregate_toxicity_per_day: 5.0,
            ..params()
        };
        let mut m = Mitochondria {
            function: 1.0,
            ros: 50.0,
            oxidative_damage: 20.0,
        };
        for _ in 0..2000 {
            m = step(&p, m, 3.0, 0.5, 24.0).state;
            assert!((0.0..=1.0).contains(&m.function), "{m:?}");
            assert!(m.ros >= 0.0 && m.oxidative_damage >= 0.0, "{m:?}");
        }
        let exact = steady_state(&p, 3.0, 0.5).unwrap();
        assert!(close(m, exact, 1e-4), "{m:?} vs {exact:?}");
    }

    #[test]
    fn exchange_with_the_field_converts_amounts_and_never_overdraws() {
        let p = params();
        // 0.01 µM leaking at 1/h from 10,000 µm³ is 1e-4 fmol per hour.
        assert!((leak_fmol_per_hour(&p, 0.01) - 1e-4).abs() < 1e-15);
        // A short step takes k_leak·R_out into the cell: 0.2 µM outside gives 0.2 µM/h.
        let voxel = 8000.0;
        let held = 0.2 * voxel * 1e-6;
        let dt = 1e-4;
        let i = influx_micromolar_per_hour(&p, ros_uptake(&p, held, voxel, dt), dt);
        assert!((i - 0.2).abs() < 1e-4, "{i}");
        // A long one takes at most what the voxel holds.
        assert!(ros_uptake(&p, held, voxel, 24.0) <= held);
        assert!((ros_uptake(&p, held, voxel, 1.0) - held * (1.0 - (-1.25f64).exp())).abs() < 1e-15);
    }
}
