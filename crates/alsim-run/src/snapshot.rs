//! The model as VTK snapshots, and back: the names and codes of the arrays that a run writes
//! and pictures of it read.

use crate::RunError;
use alsim_core::{CellRecord, CellState, FieldId, Simulation};
use alsim_io::SnapshotWriter;
use alsim_io::vtk::{DataArray, ImageData, PolyData, Values};
use std::borrow::Cow;

/// Cell arrays: stable id, kind code ([`alsim_core::CellKind::code`]) and state code
/// ([`CellState::code`]).
const ID: &str = "id";
const KIND: &str = "kind";
const STATE: &str = "state";

/// The fields now, one cell-data array per field, on the tissue's grid with its corner at
/// `origin_um`.
fn fields(sim: &Simulation, origin_um: [f64; 3]) -> ImageData<'_> {
    let grid = sim.fields();
    let shape = grid.shape();
    ImageData {
        voxels: [shape.nx, shape.ny, shape.nz],
        origin_um,
        spacing_um: [shape.voxel_um; 3],
        arrays: FieldId::ALL
            .map(|f| DataArray {
                name: f.name().into(),
                values: Values::F32(grid.values(f).into()),
            })
            .into(),
    }
}

/// Every cell now, as points in id order, the tissue's corner at `origin_um`.
fn cells(records: &[CellRecord], origin_um: [f64; 3]) -> PolyData<'static> {
    let mut arrays = vec![
        DataArray {
            name: ID.into(),
            values: Values::U64(records.iter().map(|c| c.id.0).collect()),
        },
        DataArray {
            name: KIND.into(),
            values: Values::U8(records.iter().map(|c| c.kind.code()).collect()),
        },
        DataArray {
            name: STATE.into(),
            values: Values::U8(records.iter().map(|c| c.state.code()).collect()),
        },
    ];
    // Each mechanism's per-cell variables, as the model names them.
    arrays.extend(
        CellRecord::variable_names()
            .into_iter()
            .enumerate()
            .map(|(i, name)| DataArray {
                name: name.into(),
                values: Values::F32(records.iter().map(|c| c.values[i]).collect()),
            }),
    );
    PolyData {
        points: Cow::Owned(
            records
                .iter()
                .map(|c| {
                    std::array::from_fn(|i| (f64::from(c.position_um[i]) + origin_um[i]) as f32)
                })
                .collect(),
        ),
        arrays,
    }
}

/// Writes the simulation's snapshot now, its tissue's corner at `origin_um` (0 for a block, the
/// region's place in a body).
pub(crate) fn write(
    sim: &mut Simulation,
    writer: &mut SnapshotWriter,
    origin_um: [f64; 3],
) -> Result<(), RunError> {
    let records = sim.cells();
    let cell_data = cells(&records, origin_um);
    writer.write(sim.time_days(), &fields(sim, origin_um), &cell_data)?;
    Ok(())
}

/// A cell read back from a snapshot: where it is and what state it is in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Marker {
    /// Position, µm from the tissue corner.
    pub position_um: [f32; 3],
    /// State (which tells the kind).
    pub state: CellState,
}

/// The cells of a snapshot's `cells_NNNN.vtp` read back, or why the data is not what a run
/// writes ([`RunError::NotASnapshot`]).
pub fn markers(data: &PolyData) -> Result<Vec<Marker>, RunError> {
    let not = |reason: String| RunError::NotASnapshot(reason);
    let states = data
        .arrays
        .iter()
        .find(|a| a.name == STATE)
        .ok_or_else(|| not("no state array".into()))?;
    let Values::U8(codes) = &states.values else {
        return Err(not("the state array is not UInt8".into()));
    };
    data.points
        .iter()
        .zip(codes.iter())
        .map(|(&position_um, &code)| {
            let state = CellState::from_code(code)
                .ok_or_else(|| not(format!("unknown cell state {code}")))?;
            Ok(Marker { position_um, state })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alsim_core::CellKind;

    /// The legend of the kind and state codes as the README gives it.
    fn legend() -> String {
        let kinds: Vec<String> = CellKind::ALL
            .iter()
            .map(|k| format!("{} {}", k.code(), k.name()))
            .collect();
        let states: Vec<String> = CellState::ALL
            .iter()
            .map(|s| format!("{} {}", s.code(), s.name()))
            .collect();
        format!(
            "`kind`: {}; `state`: {}",
            kinds.join(", "),
            states.join(", ")
        )
    }

    #[test]
    fn readme_gives_the_codes_of_kind_and_state() {
        let readme = include_str!("../../../README.md").replace('\n', " ");
        let legend = legend();
        assert!(readme.contains(&legend), "README.md should say: {legend}");
    }

    #[test]
    fn cell_states_read_back_from_their_codes() {
        let records: Vec<CellRecord> = CellState::ALL
            .iter()
            .enumerate()
            .map(|(i, &state)| CellRecord {
                id: alsim_core::CellId(i as u64 * 3),
                kind: state.kind(),
                state,
                position_um: [i as f32, 1.0, 2.0],
                values: vec![0.5; CellRecord::variable_names().len()],
            })
            .collect();
        let back = markers(&cells(&records, [0.0; 3])).unwrap();
        let expected: Vec<Marker> = records
            .iter()
            .map(|c| Marker {
                position_um: c.position_um,
                state: c.state,
            })
            .collect();
        assert_eq!(back, expected);
        let mut bad = cells(&records, [0.0; 3]);
        bad.arrays[2].values = Values::U8(vec![9; records.len()].into());
        assert_eq!(
            markers(&bad).unwrap_err().to_string(),
            "unknown cell state 9"
        );
    }
}
