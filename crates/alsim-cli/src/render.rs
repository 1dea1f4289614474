//! `alsim render`: PNG pictures of a run's VTK snapshots, a z slice of one field with the cells
//! of the slab around it, one picture per snapshot, numbered for animation.

use alsim_core::{CellKind, CellState, FieldId};
use alsim_io::vtk::{self, ImageData, Values};
use alsim_io::{SnapshotFiles, read_snapshots, write_file};
use alsim_report::{MarkerStyle, Point, Shape, SlicePicture, slice_png};
use alsim_run::{Marker, markers};
use anyhow::{Context, Result, bail};
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `alsim render`.
#[derive(Args, Debug)]
pub(crate) struct RenderArgs {
    /// Run folder whose scenario set time.snapshot_every_days.
    run: PathBuf,
    /// Field to draw: tnf, il10, debris, ros or seeds. Default debris, which marks where motor
    /// neurons died.
    #[arg(long, default_value = "debris")]
    field: String,
    /// Layer of voxels along z to draw, 0 at z = 0. Default: the middle layer.
    #[arg(long)]
    z_slice: Option<usize>,
    /// Thickness of the slab, centred on the layer, whose cells are drawn, µm. Default: three
    /// voxels.
    #[arg(long)]
    slab_um: Option<f64>,
    /// Day to draw: the snapshot nearest to it. Default: every snapshot.
    #[arg(long)]
    time: Option<f64>,
    /// Top of the colour scale, in the field's unit. Default: the largest value in the slices
    /// drawn, so that every picture of a series shares one scale.
    #[arg(long)]
    max: Option<f64>,
    /// Folder for the pictures. Default: render/ in the run folder (render/<region>/ with
    /// --region).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Region of a neuraxis run to draw (its snapshots are in vtk/<region>/).
    #[arg(long)]
    region: Option<String>,
}

/// How each cell state is drawn, in [`CellState::ALL`] order: motor neurons as large circles
/// (a dead one as a cross), microglia as triangles, astrocytes as small squares; the colours
/// are Okabe–Ito's, apart from white and greys.
fn style(state: CellState) -> MarkerStyle {
    let (shape, color, radius) = match state {
        CellState::Healthy => (Shape::Circle, [255, 255, 255], 7),
        CellState::Stressed => (Shape::Circle, [230, 159, 0], 7),
        CellState::Dying => (Shape::Circle, [213, 94, 0], 7),
        CellState::Dead => (Shape::Cross, [0, 0, 0], 7),
        CellState::Surveying => (Shape::Triangle, [190, 190, 190], 5),
        CellState::ProInflammatory => (Shape::Triangle, [204, 121, 167], 6),
        CellState::AntiInflammatory => (Shape::Triangle, [86, 180, 233], 6),
        CellState::Quiescent => (Shape::Square, [140, 140, 140], 2),
        CellState::Reactive => (Shape::Square, [0, 158, 115], 3),
    };
    MarkerStyle {
        shape,
        color,
        radius,
        label: format!("{}, {}", state.kind().name(), state.name()),
    }
}

/// One snapshot read back: its time, the field's values and the cells.
struct Frame {
    index: usize,
    time_days: f64,
    grid: ImageData<'static>,
    cells: Vec<Marker>,
}

/// The snapshots `--time` selects, with their index in the series: the nearest one, or all.
fn select(snapshots: Vec<SnapshotFiles>, time: Option<f64>) -> Result<Vec<(usize, SnapshotFiles)>> {
    let all = snapshots.into_iter().enumerate();
    let Some(time) = time else {
        return Ok(all.collect());
    };
    let all: Vec<_> = all.collect();
    let (first, last) = (all[0].1.time_days, all[all.len() - 1].1.time_days);
    if !(time.is_finite() && (first..=last).contains(&time)) {
        bail!(
            "--time {time}: the snapshots of this run cover days {first} to {last}; give a day in that range, or leave --time out to draw them all"
        );
    }
    let nearest = all
        .into_iter()
        .min_by(|a, b| {
            (a.1.time_days - time)
                .abs()
                .total_cmp(&(b.1.time_days - time).abs())
        })
        .expect("a run with snapshots has at least one");
    Ok(vec![nearest])
}

fn read_frame(index: usize, files: &SnapshotFiles) -> Result<Frame> {
    let grid = vtk::read_image_data(&files.fields)?;
    let cells = vtk::read_poly_data(&files.cells)?;
    let cells =
        markers(&cells).map_err(|reason| anyhow::anyhow!("{}: {reason}", files.cells.display()))?;
    Ok(Frame {
        index,
        time_days: files.time_days,
        grid,
        cells,
    })
}

/// The values of `field` in layer `z` of `grid`, x fastest.
fn layer<'a>(grid: &'a ImageData, field: FieldId, z: usize, path: &Path) -> Result<&'a [f32]> {
    let array = grid
        .arrays
        .iter()
        .find(|a| a.name == field.name())
        .with_context(|| format!("{}: no field {}", path.display(), field.name()))?;
    let Values::F32(values) = &array.values else {
        bail!("{}: field {} is not Float32", path.display(), field.name());
    };
    let [nx, ny, _] = grid.voxels;
    Ok(&values[z * nx * ny..(z + 1) * nx * ny])
}

/// Formats a number of days or µm without float noise.
fn short(v: f64) -> String {
    format!("{}", (v * 1000.0).round() / 1000.0)
}

pub(crate) fn render(args: &RenderArgs) -> Result<()> {
    if !args.run.is_dir() {
        bail!(
            "{}: no such run folder; give the folder `alsim run` wrote (by default runs/<scenario name>-seed<seed>)",
            args.run.display()
        );
    }
    let field = FieldId::from_name(&args.field).with_context(|| {
        let known: Vec<&str> = FieldId::ALL.iter().map(|f| f.name()).collect();
        format!(
            "--field {}: no such field; choose one of {}",
            args.field,
            known.join(", ")
        )
    })?;
    if let Some(max) = args.max
        && !(max.is_finite() && max > 0.0)
    {
        bail!("--max must be a number > 0, got {max}");
    }
    // Not while a run is writing the folder (its snapshots would change under us).
    let _lock = alsim_io::FolderLock::acquire(&args.run)?;
    let regions = alsim_io::snapshot_regions(&args.run);
    let snapshots = match &args.region {
        Some(region) => alsim_io::read_region_snapshots(&args.run, region)?,
        None if !regions.is_empty() => bail!(
            "{}: a neuraxis run holds one series of snapshots per region; choose one with --region (one of {})",
            args.run.display(),
            regions.join(", ")
        ),
        None => read_snapshots(&args.run)?,
    };
    let selected = select(snapshots, args.time)?;
    // Frames are read one at a time (a grid can be large): the first to check the slice, then
    // all for the colour scale unless --max gives it, then each again to draw.
    let first = read_frame(selected[0].0, &selected[0].1)?;
    let [nx, ny, nz] = first.grid.voxels;
    let h = first.grid.spacing_um[0];
    let z = args.z_slice.unwrap_or(nz / 2);
    if z >= nz {
        bail!(
            "--z-slice {z} is outside the grid: it has {nz} layers of {} µm along z, numbered 0 to {}",
            short(h),
            nz - 1
        );
    }
    let slab = args.slab_um.unwrap_or(3.0 * h);
    if !(slab.is_finite() && slab > 0.0) {
        bail!("--slab-um must be a thickness > 0 µm, got {slab}");
    }
    let top = match args.max {
        Some(max) => max,
        None => {
            let mut largest = 0.0f32;
            for (i, files) in &selected {
                let frame = read_frame(*i, files)?;
                let values = layer(&frame.grid, field, z, &files.fields)?;
                largest = values.iter().fold(largest, |m, &v| m.max(v));
            }
            if largest > 0.0 {
                f64::from(largest)
            } else {
                1.0
            }
        }
    };

    let out = args.out.clone().unwrap_or_else(|| {
        let render = args.run.join(alsim_io::names::RENDER);
        match &args.region {
            Some(region) => render.join(region),
            None => render,
        }
    });
    std::fs::create_dir_all(&out).with_context(|| format!("{}: cannot write", out.display()))?;
    let (z0, z1) = (z as f64 * h, (z + 1) as f64 * h);
    let centre = (z0 + z1) / 2.0;
    let (slab_lo, slab_hi) = (centre - slab / 2.0, centre + slab / 2.0);
    let styles: Vec<MarkerStyle> = CellState::ALL.map(style).into();
    let mut written = Vec::with_capacity(selected.len());
    for (i, files) in &selected {
        let frame = read_frame(*i, files)?;
        if frame.grid.voxels != [nx, ny, nz] {
            bail!(
                "{}: another grid than the first snapshot's; the folder mixes two runs, run it again",
                files.fields.display()
            );
        }
        let values = layer(&frame.grid, field, z, &files.fields)?;
        // Positions from the block's corner (a region of a body sits at its origin).
        let origin = frame.grid.origin_um;
        let local = |c: &Marker, k: usize| f64::from(c.position_um[k]) - origin[k];
        let mut in_slab: Vec<&Marker> = frame
            .cells
            .iter()
            .filter(|c| (slab_lo..slab_hi).contains(&local(c, 2)))
            .collect();
        // Astrocytes first and motor neurons last, so the fewest, largest markers stay on top.
        in_slab.sort_by_key(|c| std::cmp::Reverse(c.state.kind().code()));
        let count = |kind: CellKind| in_slab.iter().filter(|c| c.state.kind() == kind).count();
        let dead = in_slab
            .iter()
            .filter(|c| c.state == CellState::Dead)
            .count();
        let picture = SlicePicture {
            title: format!("{} at day {}", field.name(), short(frame.time_days)),
            subtitle: format!(
                "layer z = {}–{} µm; cells with soma at z = {}–{} µm: {} motor neurons ({dead} dead), {} microglia, {} astrocytes",
                short(z0),
                short(z1),
                short(slab_lo.max(0.0)),
                short(slab_hi.min(nz as f64 * h)),
                count(CellKind::MotorNeuron),
                count(CellKind::Microglia),
                count(CellKind::Astrocyte),
            ),
            values,
            voxels: [nx, ny],
            voxel_um: h,
            scale: (0.0, top),
            scale_label: format!("{} ({})", field.name(), field.unit()),
            axis_labels: [
                "x, medio-lateral (µm)".into(),
                "y, dorso-ventral (µm; 0 = ventral edge)".into(),
            ],
            points: in_slab
                .iter()
                .map(|c| Point {
                    x_um: local(c, 0),
                    y_um: local(c, 1),
                    style: usize::from(c.state.code()),
                })
                .collect(),
            styles: styles.clone(),
        };
        let path = out.join(format!("{}_z{z:02}_{:04}.png", field.name(), frame.index));
        write_file(&path, &slice_png(&picture)?)?;
        written.push(path);
    }
    let listed: Vec<String> = written
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    note!(
        "alsim: {} picture{} of {} at z = {}–{} µm in {}: {}",
        written.len(),
        if written.len() == 1 { "" } else { "s" },
        field.name(),
        short(z0),
        short(z1),
        out.display(),
        match listed.as_slice() {
            [one] => one.clone(),
            [first, .., last] => format!("{first} ... {last}"),
            [] => String::new(),
        }
    );
    Ok(())
}
