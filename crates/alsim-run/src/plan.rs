//! The plan of a batch: every run of every scenario file, sweep point and replicate, with its
//! seed and folder name, and the `batch.json` that records it.
//!
//! ```text
//! OUT/batch.json          the plan (this module's BatchFile)
//! OUT/runs/<run name>/    one run folder per planned run (manifest, time series, summary)
//! ```
//!
//! A run's name is `<file stem>[-<parameter>=<value>...]-r<replicate>`. Replicate 0 runs with the
//! seed of the scenario (or of its sweep point); replicate k >= 1 with the k-th output of
//! SplitMix64 seeded with it, so replicates of different scenarios never share a seed by
//! accident. The plan depends only on the files and `--replicates`, never on `--jobs` or the
//! machine, so shards of one command agree on it.

use crate::RunError;
use crate::run::VERSION;
use alsim_io::{OutputError, write_file};
use alsim_scenario::{MAX_REPLICATES, PersonRecord, Scenario};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// File name of the plan in a batch folder.
pub(crate) const BATCH_FILE: &str = "batch.json";
/// Folder of the run folders in a batch folder.
pub const RUNS_DIR: &str = "runs";

/// One run of a batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRun {
    /// Folder name under `runs/`.
    pub name: String,
    /// The run's scenario and sweep point: its name without `-r<replicate>`.
    pub group: String,
    /// Scenario file, as given on the command line.
    pub scenario_file: String,
    /// Swept parameters and their values here (empty without a sweep).
    pub sweep: BTreeMap<String, f64>,
    /// Replicate index, from 0.
    pub replicate: u64,
    /// Seed of the run.
    pub seed: u64,
    /// In a cohort: the person this run is (draws, sex, exposures, death of other causes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRecord>,
}

/// `batch.json`: the whole plan, and which slice of it this folder ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchFile {
    /// Version of the alsim that planned it.
    pub alsim_version: String,
    /// Runs of each scenario and sweep point.
    pub replicates: u64,
    /// Set in a shard's folder; absent for a whole batch (and a merged one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// `--set path=value` overrides applied to every scenario file, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    /// Every run of the plan, in order (a shard's folder too).
    pub runs: Vec<PlannedRun>,
}

impl BatchFile {
    /// Reads `DIR/batch.json`.
    pub fn read(dir: &Path) -> Result<Self, RunError> {
        let path = dir.join(BATCH_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| RunError::NoPlan {
            path: path.clone(),
            dir: dir.to_path_buf(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| RunError::BadPlan { path, source })
    }

    /// Writes `DIR/batch.json` atomically.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), RunError> {
        let text = serde_json::to_string_pretty(self).expect("plain data serialises to JSON");
        std::fs::create_dir_all(dir).map_err(|source| OutputError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        write_file(&dir.join(BATCH_FILE), (text + "\n").as_bytes())?;
        Ok(())
    }

    /// The folder of `run` in the batch folder `dir`.
    pub fn run_dir(dir: &Path, run: &PlannedRun) -> PathBuf {
        dir.join(RUNS_DIR).join(&run.name)
    }
}

/// The i-th of n disjoint slices of a batch: the runs whose index in the plan is i modulo n.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, from 0.
    pub index: u64,
    /// How many slices.
    pub count: u64,
}

impl Shard {
    /// Whether run number `i` of the plan is in this slice.
    pub fn holds(self, i: usize) -> bool {
        i as u64 % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = RunError;

    /// Parses `i/n` with 0 <= i < n.
    fn from_str(text: &str) -> Result<Self, RunError> {
        let usage = || {
            RunError::Invalid(format!(
                "expected i/n with 0 <= i < n, e.g. 0/3 (Slurm: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT), got {text:?}"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(usage)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| usage())?,
            n.trim().parse().map_err(|_| usage())?,
        );
        if index >= count {
            return Err(usage());
        }
        Ok(Self { index, count })
    }
}

/// The seed of replicate `k` of a scenario whose seed is `seed`: `seed` itself for k = 0, else
/// the k-th output of SplitMix64 (Steele, Lea & Flood 2014) started from `seed`.
pub(crate) fn replicate_seed(seed: u64, k: u64) -> u64 {
    if k == 0 {
        return seed;
    }
    let mut z = seed.wrapping_add(k.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A batch ready to run: the plan and the scenario of every run.
pub struct Plan {
    /// The plan as `batch.json` records it.
    pub file: BatchFile,
    /// Scenario of each sweep point; `point[i]` is run i's.
    points: Vec<Scenario>,
    point: Vec<usize>,
    /// A cohort's scenario, whose people are drawn again when run (each is the same every
    /// time it is drawn): holding every person's scenario would cost memory for nothing.
    cohort: Option<(Scenario, String)>,
}

/// Most runs one batch may plan: its plan and `batch.json` are held whole in memory.
pub(crate) const MAX_RUNS: u64 = 1_000_000;

/// The people of `cohort` to run: `people` (`--people`) or the cohort's own number, checked.
pub(crate) fn cohort_size(
    cohort: &alsim_scenario::Cohort,
    people: Option<u64>,
) -> Result<u64, RunError> {
    let n = people.unwrap_or(cohort.people);
    if !(1..=alsim_scenario::cohort::MAX_PEOPLE).contains(&n) {
        return Err(RunError::Invalid(format!(
            "--people must be from 1 to {}, got {n}",
            alsim_scenario::cohort::MAX_PEOPLE
        )));
    }
    Ok(n)
}

impl Plan {
    /// The same plan, recording the `--set path=value` overrides its scenarios were loaded with
    /// (in `batch.json` and every run's manifest).
    pub fn with_overrides(mut self, overrides: Vec<String>) -> Self {
        self.file.overrides = overrides;
        self
    }

    /// Plans `replicates` runs of every point of every scenario (already loaded and checked),
    /// in the order given. Two runs with one name (a file given twice, or two files of one stem
    /// in different folders) are refused.
    pub fn new(scenarios: &[(PathBuf, Scenario)], replicates: u64) -> Result<Self, RunError> {
        if replicates == 0 {
            return Err(RunError::Invalid("--replicates must be at least 1".into()));
        }
        if replicates > MAX_REPLICATES {
            return Err(RunError::Invalid(format!(
                "--replicates must be at most {MAX_REPLICATES}, got {replicates}"
            )));
        }
        let mut runs = Vec::new();
        let mut points = Vec::new();
        let mut point = Vec::new();
        for (path, scenario) in scenarios {
            let origin = path.display().to_string();
            let stem = path.file_stem().map_or_else(
                || scenario.name.clone(),
                |s| s.to_string_lossy().into_owned(),
            );
            for p in scenario.sweep_points(&origin)? {
                let group = if p.label.is_empty() {
                    stem.clone()
                } else {
                    format!("{stem}-{}", p.label)
                };
                if runs.len() as u64 + replicates > MAX_RUNS {
                    return Err(RunError::Invalid(format!(
                        "the batch would hold more than {MAX_RUNS} runs (sweep points × --replicates over all files); split it into smaller batches"
                    )));
                }
                for k in 0..replicates {
                    runs.push(PlannedRun {
                        name: format!("{group}-r{k}"),
                        group: group.clone(),
                        scenario_file: origin.clone(),
                        sweep: p.values.iter().cloned().collect(),
                        replicate: k,
                        seed: replicate_seed(p.scenario.seed, k),
                        person: None,
                    });
                    point.push(points.len());
                }
                points.push(p.scenario);
            }
        }
        let mut seen = BTreeSet::new();
        for run in &runs {
            if !seen.insert(&run.name) {
                return Err(RunError::DuplicateName {
                    name: run.name.clone(),
                });
            }
        }
        Ok(Self {
            file: BatchFile {
                alsim_version: VERSION.to_string(),
                replicates,
                shard: None,
                overrides: Vec::new(),
                runs,
            },
            points,
            point,
            cohort: None,
        })
    }

    /// Plans the people of the cohort scenario `scenario` read from `path` (`people` of them,
    /// or as many as its cohort says), run `person-<index>` each. Every person is drawn and
    /// checked now, so a value a parameter cannot take stops the cohort before it runs.
    pub fn cohort(path: &Path, scenario: &Scenario, people: Option<u64>) -> Result<Self, RunError> {
        let origin = path.display().to_string();
        let Some(cohort) = &scenario.cohort else {
            return Err(RunError::Invalid(format!(
                "{origin} has no cohort section; run it with `alsim run` or `alsim batch`"
            )));
        };
        let n = cohort_size(cohort, people)?;
        let stem = path.file_stem().map_or_else(
            || scenario.name.clone(),
            |s| s.to_string_lossy().into_owned(),
        );
        let width = (n - 1).to_string().len().max(3);
        let runs = (0..n)
            .map(|i| {
                let person = scenario.person(i, &origin)?;
                Ok(PlannedRun {
                    name: format!("person-{i:0width$}"),
                    group: stem.clone(),
                    scenario_file: origin.clone(),
                    sweep: BTreeMap::new(),
                    replicate: i,
                    seed: person.record.seed,
                    person: Some(person.record),
                })
            })
            .collect::<Result<Vec<_>, alsim_scenario::ScenarioError>>()?;
        Ok(Self {
            file: BatchFile {
                alsim_version: VERSION.to_string(),
                replicates: 1,
                shard: None,
                overrides: Vec::new(),
                runs,
            },
            points: Vec::new(),
            point: Vec::new(),
            cohort: Some((scenario.clone(), origin)),
        })
    }

    /// The scenario of run `i`, with its seed.
    pub fn scenario(&self, i: usize) -> Scenario {
        if let Some((cohort, origin)) = &self.cohort {
            let index = self.file.runs[i]
                .person
                .as_ref()
                .map_or(i as u64, |p| p.index);
            return cohort
                .person(index, origin)
                .expect("every person was drawn and checked when planned")
                .scenario;
        }
        let mut s = self.points[self.point[i]].clone();
        s.seed = self.file.runs[i].seed;
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicate_seeds_follow_splitmix64() {
        // The first outputs of SplitMix64 from state 0, as printed by the reference C code
        // (Vigna, splitmix64.c).
        assert_eq!(replicate_seed(0, 1), 0xE220_A839_7B1D_CDAF);
        assert_eq!(replicate_seed(0, 2), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(replicate_seed(2026, 0), 2026);
        let seeds: BTreeSet<u64> = (0..1000).map(|k| replicate_seed(2026, k)).collect();
        assert_eq!(seeds.len(), 1000, "distinct seeds");
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_plan() {
        let shards: Vec<Shard> = (0..3)
            .map(|i| format!("{i}/3").parse::<Shard>().unwrap())
            .collect();
        for run in 0..20 {
            let owners = shards.iter().filter(|s| s.holds(run)).count();
            assert_eq!(owners, 1, "run {run}");
        }
    }

    #[test]
    fn bad_shards_say_what_is_expected() {
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            let err = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(err.contains("expected i/n"), "{bad}: {err}");
        }
    }

    fn scenario(seed: u64) -> Scenario {
        Scenario {
            seed,
            ..Scenario::default()
        }
    }

    #[test]
    fn runs_are_named_by_file_point_and_replicate() {
        let mut swept = scenario(5);
        swept.sweep = vec![alsim_scenario::SweepAxis {
            parameter: "mechanisms.microglia.activation_per_hour".into(),
            values: vec![0.5, 2.0],
            range: None,
        }];
        let plan = Plan::new(
            &[
                (PathBuf::from("dir/a.ron"), scenario(7)),
                (PathBuf::from("b.ron"), swept),
            ],
            2,
        )
        .unwrap();
        let names: Vec<&str> = plan.file.runs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "a-r0",
                "a-r1",
                "b-activation_per_hour=0.5-r0",
                "b-activation_per_hour=0.5-r1",
                "b-activation_per_hour=2-r0",
                "b-activation_per_hour=2-r1",
            ]
        );
        assert_eq!(plan.scenario(0).seed, 7);
        assert_eq!(plan.scenario(3).seed, replicate_seed(5, 1));
        let m = plan.scenario(4).mechanisms.microglia.unwrap();
        assert_eq!(m.activation_per_hour, 2.0);
        assert_eq!(
            plan.file.runs[4].sweep,
            BTreeMap::from([("mechanisms.microglia.activation_per_hour".to_string(), 2.0)])
        );
    }

    #[test]
    fn a_file_given_twice_is_refused() {
        let s = (PathBuf::from("a.ron"), scenario(1));
        let err = Plan::new(&[s.clone(), s], 1).err().unwrap().to_string();
        assert!(err.contains("two runs would be named a-r0"), "{err}");
    }
}
