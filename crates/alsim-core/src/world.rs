//! Placing the starting cells: reproducible from the seed, with soma exclusion where asked.

use crate::rng::{Purpose, stream};
use crate::{
    Astrocyte, CellId, CellKind, Exchange, FieldGrid, LifeState, Microglia, MotorNeuron,
    NextCellId, Position, Voxel,
};
use alsim_scenario::{PopulationSpec, Scenario};
use bevy_ecs::prelude::*;
use rand::RngExt;
use std::collections::HashMap;

/// Tries per cell before placement gives up. Validation keeps packing below 30%, where random
/// sequential addition needs a handful of tries.
const PLACEMENT_TRIES: u32 = 10_000;

/// Positions for one population, each cell drawing from its own keyed stream.
pub(crate) fn place(
    spec: &PopulationSpec,
    scenario: &Scenario,
    ids: &[CellId],
) -> Result<Vec<[f32; 3]>, usize> {
    let (lo, hi) = spec.region.bounds(&scenario.tissue);
    let spacing = spec.min_spacing_um;
    // Hash grid of placed somata with cells one spacing wide: neighbours lie in the 27 around.
    let mut buckets: HashMap<[i64; 3], Vec<[f64; 3]>> = HashMap::new();
    let bucket = |p: &[f64; 3]| p.map(|v| (v / spacing).floor() as i64);
    let mut out = Vec::with_capacity(ids.len());
    for (placed, &id) in ids.iter().enumerate() {
        let mut rng = stream(scenario.seed, id, 0, Purpose::Placement);
        let mut accepted = None;
        for _ in 0..PLACEMENT_TRIES {
            let p = [0, 1, 2].map(|i| lo[i] + (hi[i] - lo[i]) * rng.random::<f64>());
            if spacing <= 0.0 {
                accepted = Some(p);
                break;
            }
            let b = bucket(&p);
            let clear = (-1..=1).all(|dz| {
                (-1..=1).all(|dy| {
                    (-1..=1).all(|dx| {
                        buckets
                            .get(&[b[0] + dx, b[1] + dy, b[2] + dz])
                            .is_none_or(|v| {
                                v.iter().all(|q| {
                                    (0..3).map(|i| (p[i] - q[i]).powi(2)).sum::<f64>()
                                        >= spacing * spacing
                                })
                            })
                    })
                })
            });
            if clear {
                buckets.entry(b).or_default().push(p);
                accepted = Some(p);
                break;
            }
        }
        out.push(accepted.ok_or(placed)?.map(|v| v as f32));
    }
    Ok(out)
}

/// Spawns a population at `positions` with the components every cell of its kind has, in one
/// batch (its table is allocated once, at its final size), in voxel order: cells near each
/// other in the tissue are near each other in the table, so systems that read the fields at
/// each cell's voxel walk the grid nearly in order. (No result depends on table order: whatever
/// order could change one is [`CellId`] order.) Astrocytes exchange nothing with the fields, so
/// they carry no [`Exchange`].
pub(crate) fn spawn(world: &mut World, kind: CellKind, ids: &[CellId], positions: &[[f32; 3]]) {
    let voxels: Vec<u32> = {
        let grid = world.resource::<FieldGrid>();
        positions.iter().map(|&p| grid.voxel_of(p)).collect()
    };
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_unstable_by_key(|&i| (voxels[i], i));
    let cells = order
        .into_iter()
        .map(|i| (ids[i], Position(positions[i]), Voxel(voxels[i])));
    match kind {
        CellKind::MotorNeuron => {
            let bundles = cells.map(|c| (c, Exchange::default(), MotorNeuron));
            world.spawn_batch(bundles.map(|b| (b, LifeState::Healthy)));
        }
        CellKind::Microglia => {
            world.spawn_batch(cells.map(|c| (c, Exchange::default(), Microglia)));
        }
        CellKind::Astrocyte => {
            world.spawn_batch(cells.map(|c| (c, Astrocyte)));
        }
    }
}

/// Takes `n` fresh ids.
pub(crate) fn take_ids(world: &mut World, n: u64) -> Vec<CellId> {
    let mut next = world.resource_mut::<NextCellId>();
    (0..n).map(|_| next.take()).collect()
}
