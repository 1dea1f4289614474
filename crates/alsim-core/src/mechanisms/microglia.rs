//! Microglia: they sense debris and cytokines in their voxel, switch between surveying,
//! anti-inflammatory (protective) and pro-inflammatory (harmful) states, secrete the matching
//! cytokine and engulf debris. Activation that lasts turns protective microglia harmful.
//!
//! Transitions are competing Poisson events per tick. With stimuli `D`, `T`, `I` (debris, TNF,
//! IL-10 as saturating fractions) and activation rate `a`:
//! surveying → anti at `a·D·(1−T)`, surveying → pro at `a·T·(1−I)`,
//! anti → pro at `a·T·(1−I)` plus `k_chronic` once activated longer than `chronic_after`,
//! pro → anti at `k_repol·I`, activated → surveying at `k_rest·(1−D)`. Rest depends on debris
//! alone: a microglia's own TNF must not hold it activated once the injury is cleared.

use super::{chance, give, saturating};
use crate::rng::{Purpose, stream};
use crate::{CellId, Clock, Exchange, FieldGrid, FieldId, Microglia, RunSeed, SimSet, Voxel};
use alsim_scenario::mechanisms::MicrogliaParams;
use bevy_ecs::prelude::*;
use rand::RngExt;
use rayon::prelude::*;

/// Microglial phenotype.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Phenotype {
    /// Resting, surveying its territory.
    #[default]
    Surveying,
    /// Pro-inflammatory: secretes TNF, engulfs less.
    ProInflammatory,
    /// Anti-inflammatory: secretes IL-10, engulfs debris.
    AntiInflammatory,
}

/// State of one microglia.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct MicrogliaState {
    /// Current phenotype.
    pub phenotype: Phenotype,
    /// Hours spent activated (either activated phenotype) since last surveying.
    pub activated_hours: f32,
}

/// The mechanism's parameters as the systems use them.
#[derive(Resource, Clone, Debug)]
pub struct MicrogliaConfig(pub MicrogliaParams);

/// Registers the mechanism.
pub fn register(world: &mut World, schedule: &mut Schedule, params: &MicrogliaParams) {
    give::<Microglia, _>(world, MicrogliaState::default());
    world.insert_resource(MicrogliaConfig(params.clone()));
    schedule.add_systems(update_microglia.in_set(SimSet::Glia));
}

/// The local stimuli a microglia reads, as saturating fractions.
#[derive(Clone, Copy, Debug)]
pub struct Stimuli {
    /// Debris.
    pub debris: f32,
    /// TNF.
    pub tnf: f32,
    /// IL-10.
    pub il10: f32,
}

/// Rates (per hour) of leaving `state` for each phenotype, in [`Phenotype`] order.
pub fn transition_rates(p: &MicrogliaParams, state: MicrogliaState, s: Stimuli) -> [f32; 3] {
    let a = p.activation_per_hour as f32;
    let rest = p.resting_per_hour as f32 * (1.0 - s.debris);
    let to_pro = a * s.tnf * (1.0 - s.il10);
    let chronic = if state.activated_hours as f64 >= p.chronic_after_days * 24.0 {
        p.chronic_conversion_per_day as f32 / 24.0
    } else {
        0.0
    };
    match state.phenotype {
        Phenotype::Surveying => [0.0, to_pro, a * s.debris * (1.0 - s.tnf)],
        Phenotype::AntiInflammatory => [rest, to_pro + chronic, 0.0],
        Phenotype::ProInflammatory => [rest, 0.0, p.repolarisation_per_hour as f32 * s.il10],
    }
}

/// Advances one microglia by `dt_hours` given two uniform draws; returns its new state.
pub fn next_state(
    p: &MicrogliaParams,
    state: MicrogliaState,
    s: Stimuli,
    dt_hours: f32,
    draws: [f32; 2],
) -> MicrogliaState {
    let rates = transition_rates(p, state, s);
    let total: f32 = rates.iter().sum();
    let mut next = state;
    if total > 0.0 && draws[0] < chance(total, dt_hours) {
        let mut pick = draws[1] * total;
        let phenotypes = [
            Phenotype::Surveying,
            Phenotype::ProInflammatory,
            Phenotype::AntiInflammatory,
        ];
        for (phenotype, rate) in phenotypes.into_iter().zip(rates) {
            if rate > 0.0 && pick < rate {
                next.phenotype = phenotype;
                break;
            }
            pick -= rate;
        }
    }
    next.activated_hours = match next.phenotype {
        Phenotype::Surveying => 0.0,
        _ => state.activated_hours + dt_hours,
    };
    next
}

/// Secretion and uptake of a microglia in `phenotype` under debris stimulus `debris`.
pub fn exchange(p: &MicrogliaParams, phenotype: Phenotype, debris: f32, dt_hours: f32) -> Exchange {
    let mut ex = Exchange::default();
    let engulf = p.phagocytosis_neurons_per_day as f32 / 24.0 * dt_hours * debris;
    match phenotype {
        Phenotype::Surveying => {}
        Phenotype::ProInflammatory => {
            ex.secretion_per_hour[FieldId::Tnf as usize] = p.tnf_secretion_fg_per_hour as f32;
            ex.uptake[FieldId::Debris as usize] =
                engulf * p.proinflammatory_phagocytosis_fraction as f32;
        }
        Phenotype::AntiInflammatory => {
            ex.secretion_per_hour[FieldId::Il10 as usize] = p.il10_secretion_fg_per_hour as f32;
            ex.uptake[FieldId::Debris as usize] = engulf;
        }
    }
    ex
}

fn update_microglia(
    config: Res<MicrogliaConfig>,
    grid: Res<FieldGrid>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut cells: Query<(&CellId, &Voxel, &mut MicrogliaState, &mut Exchange), With<Microglia>>,
) {
    let p = &config.0;
    let dt = clock.dt_hours as f32;
    let mut items: Vec<_> = cells.iter_mut().collect();
    items.par_iter_mut().for_each(|(id, voxel, state, ex)| {
        let stimuli = Stimuli {
            debris: saturating(
                grid.at(FieldId::Debris, voxel.0),
                p.debris_half_max_per_mm3 as f32,
            ),
            tnf: saturating(
                grid.at(FieldId::Tnf, voxel.0),
                p.tnf_half_max_ng_per_ml as f32,
            ),
            il10: saturating(
                grid.at(FieldId::Il10, voxel.0),
                p.il10_half_max_ng_per_ml as f32,
            ),
        };
        let mut rng = stream(seed.0, **id, clock.tick, Purpose::MicrogliaState);
        let draws = [rng.random::<f32>(), rng.random::<f32>()];
        let next = next_state(p, **state, stimuli, dt, draws);
        **state = next;
        **ex = exchange(p, next.phenotype, stimuli.debris, dt);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stimuli(debris: f32, tnf: f32, il10: f32) -> Stimuli {
        Stimuli { debris, tnf, il10 }
    }

    /// Fraction of 10,000 seeded microglia in each phenotype after `hours` of constant stimuli.
    fn occupancy(start: Phenotype, s: Stimuli, hours: u32, activated_hours: f32) -> [f32; 3] {
        let p = MicrogliaParams::default();
        let mut counts = [0u32; 3];
        for cell in 0..10_000u64 {
            let mut state = MicrogliaState {
                phenotype: start,
                activated_hours,
            };
            for tick in 0..hours {
                let mut rng = stream(9, CellId(cell), tick as u64, Purpose::MicrogliaState);
                state = next_state(&p, state, s, 1.0, [rng.random(), rng.random()]);
            }
            counts[state.phenotype as usize] += 1;
        }
        counts.map(|c| c as f32 / 10_000.0)
    }

    #[test]
    fn no_stimulus_leaves_surveying_microglia_at_rest() {
        assert_eq!(
            occupancy(Phenotype::Surveying, stimuli(0.0, 0.0, 0.0), 48, 0.0)[0],
            1.0
        );
    }

    #[test]
    fn debris_without_cytokine_makes_microglia_protective_first() {
        let occ = occupancy(Phenotype::Surveying, stimuli(0.8, 0.0, 0.0), 24, 0.0);
        // Rate 0.5·0.8 = 0.4/h: after 24 h nearly all left surveying, none became pro.
        assert!(occ[2] > 0.95, "{occ:?}");
        assert_eq!(occ[1], 0.0);
    }

    #[test]
    fn chronic_activation_turns_protective_microglia_harmful() {
        // Past chronic_after_days at 0.2/day for 5 days: 1 − e^{−1} ≈ 63% converted.
        // Saturating debris holds them activated (no return to surveying) during the test.
        let occ = occupancy(
            Phenotype::AntiInflammatory,
            stimuli(1.0, 0.0, 0.0),
            120,
            8.0 * 24.0,
        );
        assert!((occ[1] - 0.632).abs() < 0.03, "{occ:?}");
        // The same five days early in activation convert none.
        let early = occupancy(
            Phenotype::AntiInflammatory,
            stimuli(1.0, 0.0, 0.0),
            120,
            0.0,
        );
        assert_eq!(early[1], 0.0, "{early:?}");
    }

    #[test]
    fn il10_repolarises_pro_inflammatory_microglia() {
        // Pro → anti at 0.045/h against anti → pro at 0.025/h, both resting at 0.02/h: IL-10
        // turns about a third anti-inflammatory and cuts the pro-inflammatory share by half or
        // more; without it none become anti-inflammatory (no debris calls that phenotype).
        let with_il10 = occupancy(Phenotype::ProInflammatory, stimuli(0.0, 0.5, 0.9), 48, 0.0);
        let without = occupancy(Phenotype::ProInflammatory, stimuli(0.0, 0.5, 0.0), 48, 0.0);
        assert!(with_il10[2] > 0.25, "{with_il10:?}");
        assert!(with_il10[1] < 0.5 * without[1], "{with_il10:?} {without:?}");
        assert_eq!(without[2], 0.0, "{without:?}");
    }

    #[test]
    fn phenotype_sets_which_cytokine_is_secreted() {
        let p = MicrogliaParams::default();
        let pro = exchange(&p, Phenotype::ProInflammatory, 0.5, 1.0);
        let anti = exchange(&p, Phenotype::AntiInflammatory, 0.5, 1.0);
        let rest = exchange(&p, Phenotype::Surveying, 0.5, 1.0);
        assert!(pro.secretion_per_hour[FieldId::Tnf as usize] > 0.0);
        assert_eq!(pro.secretion_per_hour[FieldId::Il10 as usize], 0.0);
        assert!(anti.secretion_per_hour[FieldId::Il10 as usize] > 0.0);
        assert_eq!(anti.secretion_per_hour[FieldId::Tnf as usize], 0.0);
        assert!(anti.uptake[FieldId::Debris as usize] > pro.uptake[FieldId::Debris as usize]);
        assert_eq!(rest, Exchange::default());
    }
}
