//! alsim-io: writes a run's results to a run folder, and copies finished runs between folders.
//!
//! ```text
//! RunFolder::create(dir) --refuses to clobber a finished run unless asked
//!   .timeseries(columns) -> TimeSeriesWriter: rows streamed to timeseries.csv.partial,
//!                           renamed to timeseries.csv by finish()
//!   .snapshots()         -> SnapshotWriter: per snapshot vtk/fields_NNNN.vti and
//!                           vtk/cells_NNNN.vtp, then vtk/fields.pvd and vtk/cells.pvd
//!                           rewritten to list them (module vtk: the VTK XML format)
//!   .write_json(name, value): written to name.partial, then renamed (atomic on one filesystem)
//!   .write_checkpoint(version, state): checkpoint.bin, see [`checkpoint`]
//! read_snapshots(dir) -> the snapshots a run folder lists, for pictures
//! read_columns(csv, names) -> columns of a time series as numbers, for plots and comparisons
//! table::Table::write(dir, stem) -> stem.csv + stem.parquet: one row per run or person
//! table::ParquetStream: a long Parquet table of many runs' rows, one run at a time
//! ```
//!
//! alsim-run writes `timeseries.csv`, then `manifest.json`, then `summary.json` last, so a run
//! killed at any point never leaves a `summary.json` that looks complete. A run that stops
//! early (interrupted, or a numerical guard) keeps `checkpoint.bin`, its time series so far as
//! `timeseries.csv.partial`, and `incomplete.json` saying why. This crate knows file formats,
//! not the model: rows arrive as column names and numbers, snapshots as named arrays,
//! checkpoints as serde values.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod checkpoint;
pub mod table;
pub mod vtk;

use serde::Serialize;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// File names of a run folder. Scripts read these; keep them stable.
pub mod names {
    /// Scenario as resolved, seed, version, threads, wall time.
    pub const MANIFEST: &str = "manifest.json";
    /// One row per output interval.
    pub const TIMESERIES: &str = "timeseries.csv";
    /// The long table of a neuraxis run: one row per region and output time.
    pub const REGIONS: &str = "regions.csv";
    /// Milestones; present only for a run that finished.
    pub const SUMMARY: &str = "summary.json";
    /// The scenario as resolved (defaults filled in, overrides applied), re-runnable.
    pub const SCENARIO: &str = "scenario.ron";
    /// Folder of the VTK snapshots.
    pub const VTK: &str = "vtk";
    /// Collection of the field snapshots, in [`VTK`].
    pub const FIELDS_PVD: &str = "fields.pvd";
    /// Collection of the cell snapshots, in [`VTK`].
    pub const CELLS_PVD: &str = "cells.pvd";
    /// A body's snapshots, every region as one multiblock per time (in `vtk/`).
    pub const BODY_PVD: &str = "body.pvd";
    /// The last checkpoint of a run not yet finished; removed once it finishes.
    pub const CHECKPOINT: &str = "checkpoint.bin";
    /// Why a run stopped before its end (interrupt, numerical guard) and how to resume it;
    /// present only while the run is unfinished.
    pub const INCOMPLETE: &str = "incomplete.json";
    /// Plots of the time series (`alsim run --plots`).
    pub const PLOTS: &str = "plots";
    /// Pictures drawn from the snapshots by `alsim render`.
    pub const RENDER: &str = "render";
    /// The advisory lock of a run or batch folder, naming the process that holds it.
    pub const LOCK: &str = ".alsim.lock";
}

/// Why output could not be written. Every variant names the path.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file or folder could not be created or written.
    #[error("{path}: cannot write")]
    Write {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A file or folder could not be read.
    #[error("{path}: cannot read")]
    Read {
        /// The path.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The folder already holds a finished run.
    #[error(
        "{path} already holds a finished run (summary.json); choose another --out folder or pass --force to replace it"
    )]
    Exists {
        /// The folder.
        path: PathBuf,
    },
    /// An output folder's path names something that is not a folder.
    #[error(
        "{path} is {what}, not a folder; give --out a folder, or a path that does not exist yet"
    )]
    NotAFolder {
        /// The path.
        path: PathBuf,
        /// What it is instead, in a phrase.
        what: &'static str,
    },
    /// Another process is writing the folder.
    #[error(
        "{path} is in use by another alsim (pid {holder}); a folder has one writer at a time: wait for it to finish, stop it, or choose another folder"
    )]
    Locked {
        /// The folder.
        path: PathBuf,
        /// The holder's process id, as it wrote it in the lock file.
        holder: String,
    },
    /// A file is not in the format alsim writes.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong, in a phrase.
        reason: String,
    },
    /// CSV encoding failed.
    #[error("{path}: cannot write CSV")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: csv::Error,
    },
    /// A CSV file could not be read or parsed.
    #[error("{path}: {what}")]
    CsvRead {
        /// The file.
        path: PathBuf,
        /// What was being read: the file, its header, or a line.
        what: String,
        /// The reason.
        source: csv::Error,
    },
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    }
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Creates the output folder `dir` (and its parents) unless it is there; a path that names a
/// file, a device or a dangling link is refused as such, not with the system's "File exists".
pub fn make_folder(dir: &Path) -> Result<(), OutputError> {
    if let Ok(meta) = fs::symlink_metadata(dir) {
        let what = if meta.is_file() {
            Some("a file")
        } else if meta.file_type().is_symlink() && !dir.is_dir() {
            Some("a link to nothing")
        } else if !meta.is_dir() && !meta.file_type().is_symlink() {
            Some("a device or other special file")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(OutputError::NotAFolder {
                path: dir.to_path_buf(),
                what,
            });
        }
    }
    fs::create_dir_all(dir).map_err(write_err(dir))
}

/// An advisory lock on a run or batch folder (`flock` on `.alsim.lock`, which names the
/// holder's pid), held while the value lives, so a folder has one writer at a time. The
/// operating system drops the lock when the process ends, however it ends, so a killed run
/// never leaves its folder locked; a clean end also removes the file, so finished folders hold
/// only results.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Locks `dir` (which must exist), or says which process holds it.
    pub fn acquire(dir: &Path) -> Result<Self, OutputError> {
        use std::io::{Read, Seek};
        let path = dir.join(names::LOCK);
        loop {
            let mut file = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(&path)
                .map_err(write_err(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    // Best effort: the holder may be writing its pid at this moment.
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(OutputError::Locked {
                        path: dir.to_path_buf(),
                        holder: if holder.is_empty() {
                            "unknown".into()
                        } else {
                            holder.into()
                        },
                    });
                }
                Err(fs::TryLockError::Error(e)) => return Err(write_err(&path)(e)),
            }
            // A holder that ended between our open and our lock removed the file we locked;
            // another process may have made a new one since. Lock the file that is there.
            if !same_file(&file, &path) {
                continue;
            }
            file.set_len(0).map_err(write_err(&path))?;
            file.rewind().map_err(write_err(&path))?;
            writeln!(file, "{}", std::process::id()).map_err(write_err(&path))?;
            return Ok(Self { file, path });
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked, so no one can lock the old file after us.
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

/// A folder holding one run's results, locked for this process while the value lives.
#[derive(Debug)]
pub struct RunFolder {
    dir: PathBuf,
    _lock: FolderLock,
}

impl RunFolder {
    /// Creates `dir` (and parents). A folder that already holds a finished run is refused unless
    /// `replace`; when replacing, the old summary goes first so the folder never pairs an old
    /// summary with new data.
    pub fn create(dir: &Path, replace: bool) -> Result<Self, OutputError> {
        let summary = dir.join(names::SUMMARY);
        if is_finished(dir) && !replace {
            return Err(OutputError::Exists {
                path: dir.to_path_buf(),
            });
        }
        make_folder(dir)?;
        // Before anything is removed: a folder another process writes is left alone.
        let lock = FolderLock::acquire(dir)?;
        // Replaced, or damaged (a summary without the files it completes): what was drawn
        // from the old run goes with it, so pictures of two runs never mix.
        if summary.exists() {
            fs::remove_file(&summary).map_err(write_err(&summary))?;
            for drawn in [names::PLOTS, names::RENDER] {
                let drawn = dir.join(drawn);
                if drawn.is_dir() {
                    fs::remove_dir_all(&drawn).map_err(write_err(&drawn))?;
                }
            }
        }
        // Fail now, not after hours of simulation, if the folder is not writable.
        let probe = dir.join(".alsim-write-probe");
        File::create(&probe).map_err(write_err(dir))?;
        fs::remove_file(&probe).map_err(write_err(&probe))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Starts the time series with a header row.
    pub fn timeseries(&self, columns: &[String]) -> Result<TimeSeriesWriter, OutputError> {
        self.table(names::TIMESERIES, columns)
    }

    /// Starts the CSV table `name` with a header row; like the time series, it takes its name
    /// only when finished.
    pub fn table(&self, name: &str, columns: &[String]) -> Result<TimeSeriesWriter, OutputError> {
        let path = self.dir.join(name);
        let tmp = partial(&path);
        let file = File::create(&tmp).map_err(write_err(&tmp))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer
            .write_record(columns)
            .map_err(|source| OutputError::Csv {
                path: tmp.clone(),
                source,
            })?;
        Ok(TimeSeriesWriter { writer, tmp, path })
    }

    /// Starts the VTK snapshots: an empty `vtk/` folder (snapshots of an earlier run into this
    /// folder are removed, so the collections never mix two runs).
    pub fn snapshots(&self) -> Result<SnapshotWriter, OutputError> {
        let dir = self.empty_vtk()?;
        SnapshotWriter::fresh(dir)
    }

    /// Starts the VTK snapshots of a body: an empty `vtk/` with a folder `vtk/<region>/` of
    /// snapshots per region (names as validated: no `/`, no leading `.`).
    pub fn body_snapshots(&self, regions: &[&str]) -> Result<Vec<SnapshotWriter>, OutputError> {
        let dir = self.empty_vtk()?;
        regions
            .iter()
            .map(|r| SnapshotWriter::fresh(dir.join(r)))
            .collect()
    }

    /// [`RunFolder::resume_snapshots`] for each region of a body.
    pub fn resume_body_snapshots(
        &self,
        regions: &[&str],
        kept: usize,
    ) -> Result<Vec<SnapshotWriter>, OutputError> {
        let dir = self.dir.join(names::VTK);
        regions
            .iter()
            .map(|r| SnapshotWriter::continued(dir.join(r), kept))
            .collect()
    }

    /// Writes `vtk/body.pvd`: every snapshot of every region, each time step's regions as the
    /// parts of one multiblock data set (fields, then cells, region by region), which ParaView
    /// shows together.
    pub fn write_body_collection(
        &self,
        regions: &[&str],
        times: &[f64],
    ) -> Result<(), OutputError> {
        let mut entries = Vec::new();
        for (k, &time_days) in times.iter().enumerate() {
            let (fields, cells) = snapshot_file_names(k);
            for region in regions {
                for file in [&fields, &cells] {
                    entries.push(vtk::CollectionEntry {
                        time_days,
                        file: format!("{region}/{file}"),
                    });
                }
            }
        }
        let path = self.dir.join(names::VTK).join(names::BODY_PVD);
        write_file(
            &path,
            vtk::multipart_collection_xml(&entries, 2 * regions.len()).as_bytes(),
        )
    }

    fn empty_vtk(&self) -> Result<PathBuf, OutputError> {
        let dir = self.dir.join(names::VTK);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(write_err(&dir))?;
        }
        fs::create_dir_all(&dir).map_err(write_err(&dir))?;
        Ok(dir)
    }

    /// A snapshot writer that continues the collections of the interrupted run in this folder:
    /// it keeps the first `kept` snapshots they list (those taken up to its checkpoint) and
    /// numbers the next one `kept`. Collections listing fewer are an error: the run's earlier
    /// snapshots are gone.
    pub fn resume_snapshots(&self, kept: usize) -> Result<SnapshotWriter, OutputError> {
        SnapshotWriter::continued(self.dir.join(names::VTK), kept)
    }

    /// Writes `value` as pretty JSON to `name`, atomically.
    pub fn write_json(&self, name: &str, value: &impl Serialize) -> Result<(), OutputError> {
        let text = serde_json::to_string_pretty(value).expect("plain data serialises to JSON");
        self.write_text(name, &(text + "\n"))
    }

    /// Writes `text` to `name`, atomically: a partial file renamed into place once synced.
    pub fn write_text(&self, name: &str, text: &str) -> Result<(), OutputError> {
        write_file(&self.dir.join(name), text.as_bytes())
    }

    /// The path of the folder's checkpoint (which may not exist).
    pub fn checkpoint_path(&self) -> PathBuf {
        self.dir.join(names::CHECKPOINT)
    }

    /// Writes `state` as the folder's checkpoint, replacing the last one only once complete.
    pub fn write_checkpoint(
        &self,
        version: &str,
        state: &impl Serialize,
    ) -> Result<(), OutputError> {
        checkpoint::write(&self.checkpoint_path(), version, state)
    }

    /// Removes what only an unfinished run needs: the checkpoint and the `incomplete.json`
    /// marker (and a checkpoint write cut short). Absent files are fine.
    pub fn clear_resume_state(&self) -> Result<(), OutputError> {
        let checkpoint = self.checkpoint_path();
        remove_if_present(&partial(&checkpoint))?;
        remove_if_present(&checkpoint)?;
        self.clear_incomplete()
    }

    /// Removes `incomplete.json`, which describes a stop that a resumed run has moved past.
    pub fn clear_incomplete(&self) -> Result<(), OutputError> {
        remove_if_present(&self.dir.join(names::INCOMPLETE))
    }
}

fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(write_err(path)(e)),
        _ => Ok(()),
    }
}

/// Whether `dir` holds a checkpoint of an unfinished run.
pub fn has_checkpoint(dir: &Path) -> bool {
    !is_finished(dir) && dir.join(names::CHECKPOINT).is_file()
}

/// Writes `bytes` to `path` atomically: to `path.partial`, synced, then renamed into place.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let tmp = partial(path);
    let mut file = File::create(&tmp).map_err(write_err(&tmp))?;
    file.write_all(bytes).map_err(write_err(&tmp))?;
    file.sync_all().map_err(write_err(&tmp))?;
    fs::rename(&tmp, path).map_err(write_err(path))
}

/// Writes the snapshots of a run. Each file is written atomically, and the two collections are
/// rewritten after every snapshot, so a run stopped at any point leaves collections that list
/// only complete files.
#[derive(Debug)]
pub struct SnapshotWriter {
    dir: PathBuf,
    fields: Vec<vtk::CollectionEntry>,
    cells: Vec<vtk::CollectionEntry>,
}

/// The files of snapshot number `k`: fields, then cells.
fn snapshot_file_names(k: usize) -> (String, String) {
    (format!("fields_{k:04}.vti"), format!("cells_{k:04}.vtp"))
}

impl SnapshotWriter {
    /// A writer of snapshots into the new folder `dir`.
    fn fresh(dir: PathBuf) -> Result<Self, OutputError> {
        fs::create_dir_all(&dir).map_err(write_err(&dir))?;
        Ok(SnapshotWriter {
            dir,
            fields: Vec::new(),
            cells: Vec::new(),
        })
    }

    /// A writer that continues the collections in `dir`: it keeps the first `kept` snapshots
    /// they list (those taken up to a checkpoint) and numbers the next one `kept`. Collections
    /// listing fewer are an error: the run's earlier snapshots are gone.
    fn continued(dir: PathBuf, kept: usize) -> Result<Self, OutputError> {
        let listed = read_snapshot_dir(&dir)?;
        if listed.len() < kept {
            return Err(OutputError::Format {
                path: dir,
                reason: format!(
                    "lists {} snapshots, but the checkpoint comes after {kept}; run the scenario again from the start (with --force)",
                    listed.len()
                ),
            });
        }
        let mut writer = SnapshotWriter {
            dir,
            fields: Vec::new(),
            cells: Vec::new(),
        };
        for (k, snapshot) in listed.iter().take(kept).enumerate() {
            let (fields, cells) = snapshot_file_names(k);
            writer.list(snapshot.time_days, fields, cells);
        }
        Ok(writer)
    }

    /// Adds snapshot files written at `time_days` to the collections (not yet rewritten).
    fn list(&mut self, time_days: f64, fields: String, cells: String) {
        for (file, list) in [(fields, &mut self.fields), (cells, &mut self.cells)] {
            list.push(vtk::CollectionEntry { time_days, file });
        }
    }

    /// Writes snapshot number *k* (the k-th call) at `time_days`: `fields_k.vti` and
    /// `cells_k.vtp`, then both collections.
    pub fn write(
        &mut self,
        time_days: f64,
        fields: &vtk::ImageData,
        cells: &vtk::PolyData,
    ) -> Result<(), OutputError> {
        let (fields_name, cells_name) = snapshot_file_names(self.fields.len());
        write_file(&self.dir.join(&fields_name), fields.to_xml().as_bytes())?;
        write_file(&self.dir.join(&cells_name), cells.to_xml().as_bytes())?;
        self.list(time_days, fields_name, cells_name);
        for (name, list) in [
            (names::FIELDS_PVD, &self.fields),
            (names::CELLS_PVD, &self.cells),
        ] {
            write_file(&self.dir.join(name), vtk::collection_xml(list).as_bytes())?;
        }
        Ok(())
    }
}

/// One snapshot of a run folder: its time and its two files.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotFiles {
    /// Simulated time, days.
    pub time_days: f64,
    /// The fields (`.vti`).
    pub fields: PathBuf,
    /// The cells (`.vtp`).
    pub cells: PathBuf,
}

/// The snapshots listed by the collections of the run folder `dir`, in time order. A folder
/// without them is an error that says how to get them.
pub fn read_snapshots(dir: &Path) -> Result<Vec<SnapshotFiles>, OutputError> {
    read_snapshot_dir(&dir.join(names::VTK))
}

/// The snapshots of region `region` of the neuraxis run in `dir` (`vtk/<region>/`), as
/// [`read_snapshots`] reads a block's.
pub fn read_region_snapshots(dir: &Path, region: &str) -> Result<Vec<SnapshotFiles>, OutputError> {
    let vtk_dir = dir.join(names::VTK);
    let regions = snapshot_regions(dir);
    if region.is_empty() || region.starts_with('.') || !regions.iter().any(|r| r == region) {
        return Err(OutputError::Format {
            path: dir.to_path_buf(),
            reason: format!(
                "has no snapshots of a region {region:?}; its regions are {}",
                if regions.is_empty() {
                    "none (not a neuraxis run with snapshots)".into()
                } else {
                    regions.join(", ")
                }
            ),
        });
    }
    read_snapshot_dir(&vtk_dir.join(region))
}

/// The regions whose snapshots the neuraxis run in `dir` holds (folders of `vtk/`), sorted;
/// empty for a block's run.
pub fn snapshot_regions(dir: &Path) -> Vec<String> {
    let vtk_dir = dir.join(names::VTK);
    if !vtk_dir.join(names::BODY_PVD).is_file() {
        return Vec::new();
    }
    let mut regions: Vec<String> = fs::read_dir(&vtk_dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    regions.sort();
    regions
}

/// [`read_snapshots`] of the snapshot folder `vtk_dir` itself.
fn read_snapshot_dir(vtk_dir: &Path) -> Result<Vec<SnapshotFiles>, OutputError> {
    let fields_pvd = vtk_dir.join(names::FIELDS_PVD);
    if !fields_pvd.is_file() {
        return Err(OutputError::Format {
            path: vtk_dir.parent().unwrap_or(vtk_dir).to_path_buf(),
            reason: format!(
                "no VTK snapshots ({}/{} is missing); set time.snapshot_every_days in the scenario and run it again",
                names::VTK,
                names::FIELDS_PVD
            ),
        });
    }
    let fields = vtk::read_collection(&fields_pvd)?;
    let cells_pvd = vtk_dir.join(names::CELLS_PVD);
    let cells = vtk::read_collection(&cells_pvd)?;
    if fields.len() != cells.len() || fields.iter().zip(&cells).any(|(f, c)| f.0 != c.0) {
        return Err(OutputError::Format {
            path: cells_pvd,
            reason: format!(
                "lists other times than {}; the run was interrupted while writing, run it again",
                names::FIELDS_PVD
            ),
        });
    }
    Ok(fields
        .into_iter()
        .zip(cells)
        .map(|((time_days, fields), (_, cells))| SnapshotFiles {
            time_days,
            fields,
            cells,
        })
        .collect())
}

/// Whether `dir` holds a finished run: its `summary.json`, written last, and every file a run
/// writes before it, none empty. A run whose summary stands without them (a file deleted or
/// lost with a shard) is damaged, not finished: batch runs it again and merge reports it missing.
pub fn is_finished(dir: &Path) -> bool {
    [
        names::SUMMARY,
        names::TIMESERIES,
        names::MANIFEST,
        names::SCENARIO,
    ]
    .iter()
    .all(|name| fs::metadata(dir.join(name)).is_ok_and(|m| m.is_file() && m.len() > 0))
}

/// Copies the finished run in `from` to the new folder `to`: every file, in subfolders too
/// (the VTK snapshots), but leftovers of an interrupted write (`*.partial`) and of resuming (a
/// checkpoint and its marker), each atomically, `summary.json` last so `to` looks finished only
/// once complete. A `to` that already holds a finished run is refused.
pub fn copy_run(from: &Path, to: &Path) -> Result<(), OutputError> {
    let folder = RunFolder::create(to, false)?;
    let mut files = Vec::new();
    list_files(from, Path::new(""), &mut files)?;
    files.retain(|name| {
        name != Path::new(names::SUMMARY)
            && name != Path::new(names::CHECKPOINT)
            && name != Path::new(names::INCOMPLETE)
    });
    files.sort();
    files.push(names::SUMMARY.into());
    for name in files {
        let source = from.join(&name);
        let bytes = fs::read(&source).map_err(|source_err| OutputError::Read {
            path: source.clone(),
            source: source_err,
        })?;
        let target = folder.path().join(&name);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(write_err(parent))?;
        }
        write_file(&target, &bytes)?;
    }
    Ok(())
}

/// Appends to `files` the paths, relative to `root`, of the files under `root/sub`, leftovers
/// of interrupted writes (`*.partial`) left out.
fn list_files(root: &Path, sub: &Path, files: &mut Vec<PathBuf>) -> Result<(), OutputError> {
    let dir = root.join(sub);
    let read_err = |source| OutputError::Read {
        path: dir.clone(),
        source,
    };
    for entry in fs::read_dir(&dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let name = sub.join(entry.file_name());
        let kind = entry.file_type().map_err(read_err)?;
        if kind.is_dir() {
            list_files(root, &name, files)?;
        } else if kind.is_file()
            && !entry.file_name().to_string_lossy().ends_with(".partial")
            && entry.file_name() != names::LOCK
        {
            files.push(name);
        }
    }
    Ok(())
}

/// The columns `names` of the CSV file `path` (a run's time series), as numbers; errors name the
/// file, the line and the column.
pub fn read_columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<f64>>, OutputError> {
    let csv_err = |what: String| {
        move |source| OutputError::CsvRead {
            path: path.to_path_buf(),
            what,
            source,
        }
    };
    let format_err = |reason: String| OutputError::Format {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_err("cannot read".into()))?;
    let header = reader.headers().map_err(csv_err("no header".into()))?;
    let index: Vec<usize> = names
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == *c)
                .ok_or_else(|| format_err(format!("no column {c}")))
        })
        .collect::<Result<_, _>>()?;
    let mut columns = vec![Vec::new(); names.len()];
    for (row, record) in reader.records().enumerate() {
        // Line numbers as an editor shows them: the header is line 1.
        let line = row + 2;
        let record = record.map_err(csv_err(format!("line {line}")))?;
        for ((column, &i), name) in columns.iter_mut().zip(&index).zip(names) {
            let value = record
                .get(i)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format_err(format!("line {line}: {name} is not a number")))?;
            column.push(value);
        }
    }
    Ok(columns)
}

/// Streams time-series rows; the file gets its final name only in [`TimeSeriesWriter::finish`].
pub struct TimeSeriesWriter {
    writer: csv::Writer<BufWriter<File>>,
    tmp: PathBuf,
    path: PathBuf,
}

impl TimeSeriesWriter {
    /// Appends one row. Numbers are written in Rust's shortest round-trip form, so equal values
    /// give equal bytes.
    pub fn write_row(&mut self, values: &[f64]) -> Result<(), OutputError> {
        self.writer
            .write_record(values.iter().map(|v| v.to_string()))
            .map_err(|source| OutputError::Csv {
                path: self.tmp.clone(),
                source,
            })
    }

    /// Appends one row that starts with text `labels` (a region's name, its side), then
    /// `values` as [`TimeSeriesWriter::write_row`] writes them.
    pub fn write_labelled_row(
        &mut self,
        labels: &[&str],
        values: &[f64],
    ) -> Result<(), OutputError> {
        let labels = labels.iter().map(|l| l.to_string());
        self.writer
            .write_record(labels.chain(values.iter().map(|v| v.to_string())))
            .map_err(|source| OutputError::Csv {
                path: self.tmp.clone(),
                source,
            })
    }

    /// Flushes and syncs the rows so far, keeping the `.partial` name of an incomplete series;
    /// returns its path.
    pub fn keep_partial(self) -> Result<PathBuf, OutputError> {
        Ok(self.synced()?.0)
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(self) -> Result<PathBuf, OutputError> {
        let (tmp, path) = self.synced()?;
        fs::rename(&tmp, &path).map_err(write_err(&path))?;
        Ok(path)
    }

    /// Flushes and syncs the rows written; returns the partial and the final path.
    fn synced(self) -> Result<(PathBuf, PathBuf), OutputError> {
        let tmp = self.tmp;
        let failed = |source| OutputError::Write {
            path: tmp.clone(),
            source,
        };
        let file = self
            .writer
            .into_inner()
            .map_err(|e| failed(e.into_error()))?
            .into_inner()
            .map_err(|e| failed(e.into_error()))?;
        file.sync_all().map_err(failed)?;
        Ok((tmp, self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeseries_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunFolder::create(dir.path(), false).unwrap();
        let mut ts = run.timeseries(&["a".into(), "b".into()]).unwrap();
        ts.write_row(&[1.0, 0.1]).unwrap();
        assert!(!dir.path().join(names::TIMESERIES).exists());
        ts.finish().unwrap();
        let text = fs::read_to_string(dir.path().join(names::TIMESERIES)).unwrap();
        assert_eq!(text, "a,b\n1,0.1\n");
        assert!(!dir.path().join("timeseries.csv.partial").exists());
    }

    /// Writes the files of a finished run, `summary.json` last.
    fn finish(run: &RunFolder) {
        run.write_text(names::SCENARIO, "(name: \"x\")\n").unwrap();
        run.write_text(names::TIMESERIES, "a\n1\n").unwrap();
        run.write_json(names::MANIFEST, &serde_json::json!({"m": 1}))
            .unwrap();
        run.write_json(names::SUMMARY, &serde_json::json!({"x": 1}))
            .unwrap();
    }

    #[test]
    fn finished_run_is_not_overwritten_without_replace() {
        let dir = tempfile::tempdir().unwrap();
        finish(&RunFolder::create(dir.path(), false).unwrap());
        let err = RunFolder::create(dir.path(), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--force"), "{err}");
        assert!(
            dir.path().join(names::SUMMARY).exists(),
            "refusal keeps the old run"
        );
        RunFolder::create(dir.path(), true).unwrap();
        assert!(
            !dir.path().join(names::SUMMARY).exists(),
            "replacing drops the old summary first"
        );
    }

    #[test]
    fn a_copied_run_has_the_same_files_and_no_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("from");
        let run = RunFolder::create(&from, false).unwrap();
        finish(&run);
        drop(run);
        fs::write(from.join("timeseries.csv.partial"), "a\n").unwrap();
        fs::create_dir(from.join(names::VTK)).unwrap();
        fs::write(from.join("vtk/fields.pvd"), "<x/>").unwrap();
        fs::write(from.join("vtk/cells_0000.vtp.partial"), "<").unwrap();
        let to = dir.path().join("to");
        copy_run(&from, &to).unwrap();
        let mut files = Vec::new();
        list_files(&to, Path::new(""), &mut files).unwrap();
        files.sort();
        assert_eq!(
            files,
            [
                names::MANIFEST,
                names::SCENARIO,
                names::SUMMARY,
                names::TIMESERIES,
                "vtk/fields.pvd"
            ]
            .map(PathBuf::from)
        );
        let names = files;
        for name in names {
            assert_eq!(
                fs::read(from.join(&name)).unwrap(),
                fs::read(to.join(&name)).unwrap()
            );
        }
        assert!(is_finished(&to));
        let err = copy_run(&from, &to).unwrap_err().to_string();
        assert!(err.contains("already holds a finished run"), "{err}");
        // A summary without the files it completes is a damaged run, not a finished one.
        fs::remove_file(to.join(names::TIMESERIES)).unwrap();
        assert!(!is_finished(&to));
        copy_run(&from, &to).unwrap();
        assert!(is_finished(&to));
    }

    #[test]
    fn snapshots_are_listed_by_time_and_replace_an_earlier_run_s() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunFolder::create(dir.path(), false).unwrap();
        let err = read_snapshots(dir.path()).unwrap_err().to_string();
        assert!(err.contains("set time.snapshot_every_days"), "{err}");
        let grid = vtk::ImageData {
            voxels: [1, 1, 1],
            origin_um: [0.0; 3],
            spacing_um: [10.0; 3],
            arrays: Vec::new(),
        };
        let cells = vtk::PolyData {
            points: Vec::new().into(),
            arrays: Vec::new(),
        };
        let mut writer = run.snapshots().unwrap();
        for t in [0.0, 5.0, 10.0] {
            writer.write(t, &grid, &cells).unwrap();
        }
        let vtk = dir.path().join(names::VTK);
        assert_eq!(
            read_snapshots(dir.path()).unwrap()[2],
            SnapshotFiles {
                time_days: 10.0,
                fields: vtk.join("fields_0002.vti"),
                cells: vtk.join("cells_0002.vtp"),
            }
        );
        // A second run into the folder starts from an empty vtk/.
        run.snapshots().unwrap().write(0.0, &grid, &cells).unwrap();
        assert_eq!(read_snapshots(dir.path()).unwrap().len(), 1);
        assert!(!vtk.join("fields_0002.vti").exists());
        // Collections that disagree (an interrupted write) are refused.
        fs::write(
            vtk.join(names::CELLS_PVD),
            vtk::collection_xml(&[]).as_bytes(),
        )
        .unwrap();
        let err = read_snapshots(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("cells.pvd") && err.contains("other times"),
            "{err}"
        );
    }

    #[test]
    fn unwritable_folder_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "not a folder").unwrap();
        let err = RunFolder::create(&blocker.join("run"), false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("file/run") && err.contains("cannot write"),
            "{err}"
        );
    }

    #[test]
    fn columns_are_read_by_name_and_bad_values_named_by_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        fs::write(&path, "time_days,alive,tnf\n0,10,0.5\n1,x,0.5\n").unwrap();
        let err = read_columns(&path, &["time_days", "alive"])
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("t.csv: line 3: alive is not a number"),
            "{err}"
        );
        fs::write(&path, "time_days,alive\n0,10\n1,9\n").unwrap();
        let columns = read_columns(&path, &["alive", "time_days"]).unwrap();
        assert_eq!(columns, [vec![10.0, 9.0], vec![0.0, 1.0]]);
        let err = read_columns(&path, &["tnf"]).unwrap_err().to_string();
        assert!(err.ends_with("t.csv: no column tnf"), "{err}");
    }
}
