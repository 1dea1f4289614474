//! Astrocytes: supportive at rest, reactive and neurotoxic under microglial cytokine
//! (Liddelow et al. 2017). A supportive astrocyte turns reactive at `k_react·T` per hour and a
//! reactive one recovers at `k_recover·(1−T)`, with `T` the saturating TNF stimulus. Each tick
//! the reactive astrocytes are counted per voxel, so a motor neuron can ask how many lie within
//! the toxic factor's reach.

use super::{chance, give, saturating};
use crate::rng::{Purpose, stream};
use crate::solver::GridShape;
use crate::{Astrocyte, CellId, Clock, FieldGrid, FieldId, RunSeed, SimSet, Voxel};
use alsim_scenario::mechanisms::AstrocyteParams;
use bevy_ecs::prelude::*;
use rand::RngExt;
use rayon::prelude::*;

/// Reactivity of one astrocyte.
#[derive(Component, Clone, Copy, Debug, Default, PartialEq)]
pub struct Reactivity {
    /// Neurotoxic reactive state.
    pub reactive: bool,
}

/// The mechanism's parameters.
#[derive(Resource, Clone, Debug)]
pub struct AstrocyteConfig(pub AstrocyteParams);

/// Reactive astrocytes per voxel at the start of the tick, and the voxel offsets within the
/// toxic factor's reach.
#[derive(Resource, Debug)]
pub struct ReactiveAstrocyteMap {
    shape: GridShape,
    counts: Vec<u16>,
    reach: Vec<[i32; 3]>,
}

impl ReactiveAstrocyteMap {
    /// An empty map for `shape`, with the offsets whose voxel centres lie within `reach_um`.
    pub fn new(shape: GridShape, reach_um: f64) -> Self {
        let r = (reach_um / shape.voxel_um).floor() as i32;
        let mut reach = Vec::new();
        for dz in -r..=r {
            for dy in -r..=r {
                for dx in -r..=r {
                    let d2 = (dx * dx + dy * dy + dz * dz) as f64 * shape.voxel_um.powi(2);
                    if d2 <= reach_um * reach_um {
                        reach.push([dx, dy, dz]);
                    }
                }
            }
        }
        Self {
            shape,
            counts: vec![0; shape.voxels()],
            reach,
        }
    }

    /// Reactive astrocytes in voxels whose centres lie within reach of `voxel`'s centre.
    pub fn within_reach(&self, voxel: u32) -> u32 {
        let s = self.shape;
        let v = voxel as usize;
        let (x, y, z) = (
            (v % s.nx) as i32,
            (v / s.nx % s.ny) as i32,
            (v / (s.nx * s.ny)) as i32,
        );
        self.reach
            .iter()
            .filter_map(|[dx, dy, dz]| {
                let (i, j, k) = (x + dx, y + dy, z + dz);
                let inside = (0..s.nx as i32).contains(&i)
                    && (0..s.ny as i32).contains(&j)
                    && (0..s.nz as i32).contains(&k);
                inside.then(|| self.counts[s.index(i as usize, j as usize, k as usize)] as u32)
            })
            .sum()
    }
}

/// Registers the mechanism.
pub fn register(world: &mut World, schedule: &mut Schedule, params: &AstrocyteParams) {
    let shape = world.resource::<FieldGrid>().shape();
    world.insert_resource(ReactiveAstrocyteMap::new(shape, params.toxicity_reach_um));
    give::<Astrocyte, _>(world, Reactivity::default());
    world.insert_resource(AstrocyteConfig(params.clone()));
    schedule.add_systems((
        map_reactive_astrocytes.in_set(SimSet::Sense),
        update_astrocytes.in_set(SimSet::Glia),
    ));
}

/// Probability of switching state within `dt_hours` at TNF stimulus `tnf`.
pub fn switch_chance(p: &AstrocyteParams, reactive: bool, tnf: f32, dt_hours: f32) -> f32 {
    let rate = if reactive {
        p.recovery_per_hour as f32 * (1.0 - tnf)
    } else {
        p.reactivation_per_hour as f32 * tnf
    };
    chance(rate, dt_hours)
}

fn map_reactive_astrocytes(
    mut map: ResMut<ReactiveAstrocyteMap>,
    cells: Query<(&Voxel, &Reactivity), With<Astrocyte>>,
) {
    // Integer counts: the result does not depend on visiting order.
    map.counts.fill(0);
    for (voxel, r) in &cells {
        if r.reactive {
            let slot = &mut map.counts[voxel.0 as usize];
            *slot = slot.saturating_add(1);
        }
    }
}

fn update_astrocytes(
    config: Res<AstrocyteConfig>,
    grid: Res<FieldGrid>,
    clock: Res<Clock>,
    seed: Res<RunSeed>,
    mut cells: Query<(&CellId, &Voxel, &mut Reactivity), With<Astrocyte>>,
) {
    let p = &config.0;
    let dt = clock.dt_hours as f32;
    let mut items: Vec<_> = cells.iter_mut().collect();
    items.par_iter_mut().for_each(|(id, voxel, r)| {
        let tnf = saturating(
            grid.at(FieldId::Tnf, voxel.0),
            p.tnf_half_max_ng_per_ml as f32,
        );
        let draw: f32 = stream(seed.0, **id, clock.tick, Purpose::AstrocyteState).random();
        if draw < switch_chance(p, r.reactive, tnf, dt) {
            r.reactive = !r.reactive;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astrocytes_turn_reactive_only_under_cytokine() {
        let p = AstrocyteParams::default();
        assert_eq!(switch_chance(&p, false, 0.0, 1.0), 0.0);
        let under_tnf = switch_chance(&p, false, 0.5, 1.0);
        assert!((under_tnf - (1.0 - (-0.025f32).exp())).abs() < 1e-6);
        // Recovery is fastest with no cytokine and stops at saturation.
        assert!(switch_chance(&p, true, 0.0, 1.0) > switch_chance(&p, true, 0.5, 1.0));
        assert_eq!(switch_chance(&p, true, 1.0, 1.0), 0.0);
    }

    #[test]
    fn reach_counts_neighbours_inside_the_sphere_and_the_box() {
        let shape = GridShape {
            nx: 10,
            ny: 10,
            nz: 10,
            voxel_um: 20.0,
        };
        let mut map = ReactiveAstrocyteMap::new(shape, 25.0);
        // 25 µm reach at 20 µm voxels: the voxel and its 6 face neighbours.
        assert_eq!(map.reach.len(), 7);
        map.counts[shape.index(5, 5, 5)] = 2;
        map.counts[shape.index(6, 5, 5)] = 1;
        map.counts[shape.index(6, 6, 5)] = 4; // diagonal: 28 µm away, out of reach
        assert_eq!(map.within_reach(shape.index(5, 5, 5) as u32), 3);
        // At a corner the offsets that leave the box are skipped.
        map.counts[shape.index(0, 0, 0)] = 5;
        assert_eq!(map.within_reach(shape.index(0, 0, 0) as u32), 5);
    }
}
