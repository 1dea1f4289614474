//! Property: any valid scenario within small bounds (grid, cells, time step, mechanisms on or
//! off, genotype, rescaled rates) builds, runs a few ticks without panicking, passes the
//! numerical guard after every tick and reports only finite numbers.

use alsim_core::{Observation, Simulation};
use alsim_scenario::{Amount, Genotype, PopulationSpec, Region, Scenario, Sod1Variant};
use proptest::prelude::*;

fn population(count: u64) -> PopulationSpec {
    PopulationSpec {
        amount: Amount::Count(count),
        region: Region::Whole,
        min_spacing_um: 0.0,
    }
}

prop_compose! {
    fn small_scenario()(
        seed in any::<u64>(),
        grid in [2u32..=8, 2u32..=8, 1u32..=6],
        voxel_um in 10.0f64..40.0,
        dt_hours in prop::sample::select(vec![0.25, 0.5, 1.0, 2.0]),
        substeps in 1u32..=4,
        ticks in 2u32..=6,
        counts in [0u64..=6, 0u64..=12, 0u64..=12],
        on in prop::collection::vec(any::<bool>(), 9),
        genotype in 0usize..7,
        scale in prop::collection::vec(0.1f64..10.0, 5),
    ) -> Scenario {
        let mut s = Scenario {
            seed,
            ..Scenario::default()
        };
        s.tissue.voxel_um = voxel_um;
        s.tissue.size_um = (
            f64::from(grid[0]) * voxel_um,
            f64::from(grid[1]) * voxel_um,
            f64::from(grid[2]) * voxel_um,
        );
        s.time.dt_hours = dt_hours;
        s.time.field_dt_minutes = dt_hours * 60.0 / f64::from(substeps);
        s.time.duration_days = f64::from(ticks) * dt_hours / 24.0;
        s.time.output_every_days = dt_hours / 24.0;
        s.populations.motor_neurons = population(counts[0]);
        s.populations.microglia = population(counts[1]);
        s.populations.astrocytes = population(counts[2]);
        let m = &mut s.mechanisms;
        if let Some(p) = m.microglia.as_mut() {
            p.activation_per_hour *= scale[0];
        }
        if let Some(p) = m.aggregation.as_mut() {
            p.misfolding_per_day *= scale[1];
        }
        if let Some(p) = m.neuron_damage.as_mut() {
            p.intrinsic_damage_per_day *= scale[2];
        }
        s.fields.tnf.diffusion_um2_per_s *= scale[3];
        s.fields.debris.decay_per_hour *= scale[4];
        if !on[0] { m.aggregation = None; }
        if !on[1] { m.mitochondria = None; }
        if !on[2] { m.transport = None; }
        if !on[3] { m.microglia = None; }
        if !on[4] { m.astrocytes = None; }
        if !on[5] { m.neuron_damage = None; }
        if !on[6] { m.cell_death = None; }
        if !on[7] { m.motor_units = None; }
        if !on[8] { m.ageing = None; }
        s.genotype = [
            Genotype::Sporadic,
            Genotype::Sod1(Sod1Variant::G93A),
            Genotype::Sod1(Sod1Variant::A4V),
            Genotype::Sod1(Sod1Variant::Typical),
            Genotype::C9orf72,
            Genotype::Tardbp,
            Genotype::Fus,
        ][genotype];
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn small_valid_scenarios_run_without_panic_and_stay_finite(s in small_scenario()) {
        prop_assert!(s.validate("generated").is_ok(), "{:?}", s.validate("generated"));
        let mut sim = Simulation::new(&s).unwrap();
        let check = |row: &Observation| {
            let values = row.values();
            let bad = Observation::columns()
                .into_iter()
                .zip(values)
                .find(|(_, v)| !v.is_finite());
            assert!(bad.is_none(), "{bad:?} in {s:?}");
        };
        check(&sim.observe());
        while !sim.is_finished() {
            sim.step();
            if let Err(e) = sim.check_state() {
                panic!("{e}\nin {s:?}");
            }
            check(&sim.observe());
        }
        prop_assert!(sim.tick() >= 2);
    }
}
